//! Diagrams: a [`DeletePlan`] or the whole model graph ([`ModelGraph`]) as Mermaid
//! (`flowchart`) or Graphviz DOT (`digraph`) text.
//!
//! Node identifiers are generated (`n0`, `n1`, ... for plans, `t0`, `t1`, ... for tables), so a
//! table called `end`, `graph` or `my "table"` never collides with the diagram syntax; names
//! only appear inside quoted labels, escaped for the target language (Mermaid entity codes such
//! as `#quot;`, DOT backslash escapes). Output is deterministic: plans in tree order, models in
//! the schema's order.

use std::fmt::{self, Write as _};

use crate::error::Result;
use crate::metadata::{CascadeSet, OnDelete, PassiveDeletes, RelationshipOnDelete};
use crate::model::Model;
use crate::report::{DeletePlan, PlanAction, PlanNode};
use crate::schema::{Join, Schema};
use crate::session::Session;

/// A label between double quotes for Mermaid: characters that would end the string or be read
/// as markup become entity codes (`#quot;`, `#35;`, ...).
fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '\\' => out.push_str("#92;"),
            c if c.is_control() => {
                let _ = write!(out, "#{};", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A double-quoted DOT string: backslashes and quotes escaped, line breaks as `\n`.
fn dot(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `delete child: 3 rows`, `set null note: 2 rows`.
fn plan_label(node: &PlanNode) -> String {
    let action = match node.action {
        PlanAction::Delete => "delete",
        PlanAction::SetNull => "set null",
        PlanAction::SetDefault => "set default",
    };
    let rows = if node.rows == 1 { "row" } else { "rows" };
    format!("{action} {}: {} {rows}", node.table, node.rows)
}

/// The plan's nodes in tree order (depth first), each with its parent's index.
fn plan_nodes(plan: &DeletePlan) -> Vec<(Option<usize>, &PlanNode)> {
    fn walk<'a>(
        node: &'a PlanNode,
        parent: Option<usize>,
        out: &mut Vec<(Option<usize>, &'a PlanNode)>,
    ) {
        let me = out.len();
        out.push((parent, node));
        for child in &node.children {
            walk(child, Some(me), out);
        }
    }
    let mut out = Vec::new();
    walk(plan.root(), None, &mut out);
    out
}

impl DeletePlan {
    /// The plan as a Mermaid `flowchart TD`: one node per [`PlanNode`] labelled with its
    /// action, table and row count, one edge from each node to the rows it reaches labelled
    /// with the foreign-key column (`table.column`); edges to detached rows are dotted.
    ///
    /// ```text
    /// flowchart TD
    ///     n0["delete parent: 1 row"]
    ///     n1["delete child: 3 rows"]
    ///     n0 -->|"child.parent_id"| n1
    /// ```
    pub fn to_mermaid(&self) -> String {
        let nodes = plan_nodes(self);
        let mut out = String::from("flowchart TD\n");
        for (i, (_, node)) in nodes.iter().enumerate() {
            let _ = writeln!(out, "    n{i}[{}]", mermaid(&plan_label(node)));
        }
        for (i, (parent, node)) in nodes.iter().enumerate() {
            let Some(parent) = parent else { continue };
            let arrow = match node.action {
                PlanAction::Delete => "-->",
                _ => "-.->",
            };
            match &node.via {
                Some(via) => {
                    let _ = writeln!(out, "    n{parent} {arrow}|{}| n{i}", mermaid(via));
                }
                None => {
                    let _ = writeln!(out, "    n{parent} {arrow} n{i}");
                }
            }
        }
        out
    }

    /// The plan as a Graphviz `digraph`: the same nodes and edges as
    /// [`DeletePlan::to_mermaid`], detached rows dashed. Sql it with `dot -Tsvg`.
    ///
    /// ```text
    /// digraph delete_plan {
    ///     node [shape=box];
    ///     n0 [label="delete parent: 1 row"];
    ///     n1 [label="delete child: 3 rows"];
    ///     n0 -> n1 [label="child.parent_id"];
    /// }
    /// ```
    pub fn to_dot(&self) -> String {
        let nodes = plan_nodes(self);
        let mut out = String::from("digraph delete_plan {\n    node [shape=box];\n");
        let style = |node: &PlanNode| match node.action {
            PlanAction::Delete => "",
            _ => ", style=dashed",
        };
        for (i, (_, node)) in nodes.iter().enumerate() {
            let _ = writeln!(
                out,
                "    n{i} [label={}{}];",
                dot(&plan_label(node)),
                style(node)
            );
        }
        for (i, (parent, node)) in nodes.iter().enumerate() {
            let Some(parent) = parent else { continue };
            let label = node.via.as_deref().map(|via| format!("label={}", dot(via)));
            let attrs: Vec<&str> = label
                .as_deref()
                .into_iter()
                .chain((node.action != PlanAction::Delete).then_some("style=dashed"))
                .collect();
            if attrs.is_empty() {
                let _ = writeln!(out, "    n{parent} -> n{i};");
            } else {
                let _ = writeln!(out, "    n{parent} -> n{i} [{}];", attrs.join(", "));
            }
        }
        out.push_str("}\n");
        out
    }
}

/// Every model a session knows, with its foreign keys and relationships: built by
/// [`Session::model_graph`].
///
/// `Display` is an indented listing (one table per heading, then its foreign keys with their
/// `ON DELETE` and its relationships with their kind, join, cascade words, `passive_deletes`
/// and `on_delete`); [`ModelGraph::to_mermaid`] and [`ModelGraph::to_dot`] draw it, with an
/// edge per relationship (source to target, labelled `field: cascade words`) and a dashed
/// edge per foreign key (referencing to referenced table, labelled `column ON DELETE ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelGraph {
    tables: Vec<GraphTable>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct GraphTable {
    table: String,
    model: String,
    foreign_keys: Vec<GraphForeignKey>,
    relationships: Vec<GraphRelationship>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct GraphForeignKey {
    column: String,
    /// Index into `ModelGraph::tables`.
    target: usize,
    target_column: String,
    on_delete: OnDelete,
    nullable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct GraphRelationship {
    field: String,
    /// Index into `ModelGraph::tables`.
    target: usize,
    /// `one-to-many via child.parent_id`, `many-to-many, secondary post_tag (...)`.
    join: String,
    cascade: CascadeSet,
    passive_deletes: PassiveDeletes,
    /// The association table of a many-to-many relationship.
    secondary: Option<usize>,
    on_delete: Option<RelationshipOnDelete>,
}

impl GraphForeignKey {
    /// `parent_id ON DELETE CASCADE`
    fn edge_label(&self) -> String {
        format!("{} ON DELETE {}", self.column, self.on_delete.sql())
    }
}

impl GraphRelationship {
    /// `children: save-update, merge, expunge, delete, refresh-expire`, then `; passive_deletes`,
    /// `; secondary post_tag`, `; on_delete protect` when they apply.
    fn edge_label(&self, graph: &ModelGraph) -> String {
        let mut label = format!("{}: {}", self.field, self.cascade);
        match self.passive_deletes {
            PassiveDeletes::Off => {}
            PassiveDeletes::On => label.push_str("; passive_deletes"),
            PassiveDeletes::All => label.push_str("; passive_deletes=all"),
        }
        if let Some(assoc) = self.secondary {
            let _ = write!(label, "; secondary {}", graph.tables[assoc].table);
        }
        if let Some(on_delete) = self.on_delete {
            let _ = write!(label, "; on_delete {}", relationship_on_delete(on_delete));
        }
        label
    }
}

fn relationship_on_delete(action: RelationshipOnDelete) -> &'static str {
    match action {
        RelationshipOnDelete::Cascade => "cascade",
        RelationshipOnDelete::Protect => "protect",
        RelationshipOnDelete::Restrict => "restrict",
        RelationshipOnDelete::SetNull => "set null",
        RelationshipOnDelete::SetDefault => "set default",
    }
}

impl ModelGraph {
    pub(crate) fn from_schema(schema: &Schema) -> ModelGraph {
        let col = |t: usize, c: usize| format!("{}.{}", schema.name(t), schema.column_name(t, c));
        let tables = schema
            .tables
            .iter()
            .enumerate()
            .map(|(t, table)| {
                let foreign_keys = schema
                    .foreign_keys
                    .iter()
                    .filter(|fk| fk.table == t)
                    .map(|fk| GraphForeignKey {
                        column: schema.column_name(t, fk.column).to_owned(),
                        target: fk.target,
                        target_column: schema.column_name(fk.target, fk.target_column).to_owned(),
                        on_delete: fk.on_delete,
                        nullable: fk.nullable,
                    })
                    .collect();
                let relationships = table
                    .relationships
                    .iter()
                    .map(|rel| {
                        let (join, secondary) = match rel.join {
                            Join::Referenced { column } if rel.meta.collection => {
                                (format!("one-to-many via {}", col(rel.target, column)), None)
                            }
                            Join::Referenced { column } => {
                                (format!("one-to-one via {}", col(rel.target, column)), None)
                            }
                            Join::Referencing { column } => {
                                (format!("many-to-one via {}", col(t, column)), None)
                            }
                            Join::Secondary {
                                assoc,
                                local,
                                remote,
                            } => (
                                format!(
                                    "many-to-many via {} and {}",
                                    col(assoc, local),
                                    col(assoc, remote)
                                ),
                                Some(assoc),
                            ),
                        };
                        GraphRelationship {
                            field: rel.meta.field.to_owned(),
                            target: rel.target,
                            join,
                            cascade: rel.meta.cascade,
                            passive_deletes: rel.meta.passive_deletes,
                            secondary,
                            on_delete: rel.meta.on_delete,
                        }
                    })
                    .collect();
                GraphTable {
                    table: table.meta.table.to_owned(),
                    model: table.meta.name.to_owned(),
                    foreign_keys,
                    relationships,
                }
            })
            .collect();
        ModelGraph { tables }
    }

    /// `parent (Parent)`
    fn node_label(&self, t: usize) -> String {
        format!("{} ({})", self.tables[t].table, self.tables[t].model)
    }

    /// The graph as a Mermaid `flowchart LR`: one node per table (`table (Model)`), a solid
    /// edge per relationship from its model to the target, labelled with the field and its
    /// cascade words, and a dotted edge per foreign key from the referencing to the referenced
    /// table, labelled `column ON DELETE ...`.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for t in 0..self.tables.len() {
            let _ = writeln!(out, "    t{t}[{}]", mermaid(&self.node_label(t)));
        }
        for (t, table) in self.tables.iter().enumerate() {
            for fk in &table.foreign_keys {
                let label = mermaid(&fk.edge_label());
                let _ = writeln!(out, "    t{t} -.->|{label}| t{}", fk.target);
            }
            for rel in &table.relationships {
                let label = mermaid(&rel.edge_label(self));
                let _ = writeln!(out, "    t{t} -->|{label}| t{}", rel.target);
            }
        }
        out
    }

    /// The graph as a Graphviz `digraph` (left to right): the same nodes and edges as
    /// [`ModelGraph::to_mermaid`], foreign-key edges dashed.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph models {\n    rankdir=LR;\n    node [shape=box];\n");
        for t in 0..self.tables.len() {
            let _ = writeln!(out, "    t{t} [label={}];", dot(&self.node_label(t)));
        }
        for (t, table) in self.tables.iter().enumerate() {
            for fk in &table.foreign_keys {
                let _ = writeln!(
                    out,
                    "    t{t} -> t{} [label={}, style=dashed];",
                    fk.target,
                    dot(&fk.edge_label())
                );
            }
            for rel in &table.relationships {
                let _ = writeln!(
                    out,
                    "    t{t} -> t{} [label={}];",
                    rel.target,
                    dot(&rel.edge_label(self))
                );
            }
        }
        out.push_str("}\n");
        out
    }
}

impl fmt::Display for ModelGraph {
    /// ```text
    /// child (Child)
    ///   foreign key parent_id -> parent.id ON DELETE NO ACTION, nullable
    ///   relationship toys -> toy: one-to-many via toy.child_id; cascade: save-update, ...
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (t, table) in self.tables.iter().enumerate() {
            writeln!(f, "{}", self.node_label(t))?;
            for fk in &table.foreign_keys {
                writeln!(
                    f,
                    "  foreign key {} -> {}.{} ON DELETE {}{}",
                    fk.column,
                    self.tables[fk.target].table,
                    fk.target_column,
                    fk.on_delete.sql(),
                    if fk.nullable {
                        ", nullable"
                    } else {
                        ", NOT NULL"
                    }
                )?;
            }
            for rel in &table.relationships {
                write!(
                    f,
                    "  relationship {} -> {}: {}; cascade: {}",
                    rel.field, self.tables[rel.target].table, rel.join, rel.cascade
                )?;
                match rel.passive_deletes {
                    PassiveDeletes::Off => {}
                    PassiveDeletes::On => f.write_str("; passive_deletes = true")?,
                    PassiveDeletes::All => f.write_str("; passive_deletes = \"all\"")?,
                }
                if let Some(assoc) = rel.secondary {
                    write!(f, "; secondary {}", self.tables[assoc].table)?;
                }
                if let Some(on_delete) = rel.on_delete {
                    write!(f, "; on_delete = \"{}\"", relationship_on_delete(on_delete))?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

impl<B: crate::backend::Backend> Session<B> {
    /// The graph of every model the session knows — `M`, every model reachable from it, and
    /// any used before — in the schema's order, for documentation and review: print it, or
    /// draw it with [`ModelGraph::to_mermaid`] / [`ModelGraph::to_dot`]. Reads no rows.
    pub fn model_graph<M: Model>(&mut self) -> Result<ModelGraph> {
        let (schema, _) = self.table::<M>()?;
        Ok(ModelGraph::from_schema(&schema))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{node, sample_plan};

    #[test]
    fn plan_as_mermaid() {
        assert_eq!(
            sample_plan().to_mermaid(),
            "flowchart TD\n\
             \x20   n0[\"delete parent: 1 row\"]\n\
             \x20   n1[\"delete child: 3 rows\"]\n\
             \x20   n2[\"delete toy: 6 rows\"]\n\
             \x20   n3[\"set null note: 2 rows\"]\n\
             \x20   n4[\"set default shelf: 1 row\"]\n\
             \x20   n0 -->|\"child.parent_id\"| n1\n\
             \x20   n1 -->|\"toy.child_id\"| n2\n\
             \x20   n0 -.->|\"note.parent_id\"| n3\n\
             \x20   n0 -.->|\"shelf.parent_id\"| n4\n"
        );
    }

    #[test]
    fn plan_as_dot() {
        assert_eq!(
            sample_plan().to_dot(),
            "digraph delete_plan {\n\
             \x20   node [shape=box];\n\
             \x20   n0 [label=\"delete parent: 1 row\"];\n\
             \x20   n1 [label=\"delete child: 3 rows\"];\n\
             \x20   n2 [label=\"delete toy: 6 rows\"];\n\
             \x20   n3 [label=\"set null note: 2 rows\", style=dashed];\n\
             \x20   n4 [label=\"set default shelf: 1 row\", style=dashed];\n\
             \x20   n0 -> n1 [label=\"child.parent_id\"];\n\
             \x20   n1 -> n2 [label=\"toy.child_id\"];\n\
             \x20   n0 -> n3 [label=\"note.parent_id\", style=dashed];\n\
             \x20   n0 -> n4 [label=\"shelf.parent_id\", style=dashed];\n\
             }\n"
        );
    }

    #[test]
    fn awkward_table_names_are_escaped() {
        let plan = DeletePlan::from_tree(node(
            "my \"table\"",
            PlanAction::Delete,
            None,
            2,
            vec![node(
                "end",
                PlanAction::Delete,
                Some("end.a|b#<x>&`\\"),
                1,
                vec![],
            )],
        ));
        assert_eq!(
            plan.to_mermaid(),
            "flowchart TD\n\
             \x20   n0[\"delete my #quot;table#quot;: 2 rows\"]\n\
             \x20   n1[\"delete end: 1 row\"]\n\
             \x20   n0 -->|\"end.a#124;b#35;#lt;x#gt;#amp;#96;#92;\"| n1\n"
        );
        assert_eq!(
            plan.to_dot(),
            "digraph delete_plan {\n\
             \x20   node [shape=box];\n\
             \x20   n0 [label=\"delete my \\\"table\\\": 2 rows\"];\n\
             \x20   n1 [label=\"delete end: 1 row\"];\n\
             \x20   n0 -> n1 [label=\"end.a|b#<x>&`\\\\\"];\n\
             }\n"
        );
    }

    #[test]
    fn a_lone_root_has_no_edges() {
        let plan = DeletePlan::from_tree(node("tag", PlanAction::Delete, None, 0, vec![]));
        assert_eq!(
            plan.to_mermaid(),
            "flowchart TD\n    n0[\"delete tag: 0 rows\"]\n"
        );
        assert_eq!(
            plan.to_dot(),
            "digraph delete_plan {\n    node [shape=box];\n    n0 [label=\"delete tag: 0 rows\"];\n}\n"
        );
    }

    #[test]
    fn control_characters_do_not_break_lines() {
        assert_eq!(mermaid("a\nb"), "\"a#10;b\"");
        assert_eq!(dot("a\nb\tc"), "\"a\\nb c\"");
    }
}
