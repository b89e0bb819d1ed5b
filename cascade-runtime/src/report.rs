//! What a delete did ([`DeleteReport`]) and what it would do ([`DeletePlan`]).

use std::fmt;

use crate::metadata::ModelMeta;
use crate::plan::Cascade;
use crate::runner::Roots;
use crate::schema::{Schema, TableId};
use crate::value::Key;

/// What one delete call changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteReport {
    /// Rows the call matched itself (its key or clause), before any cascade.
    pub(crate) roots: usize,
    deleted: Vec<(String, usize)>,
    detached: Vec<Detached>,
    statements: usize,
    round_trips: usize,
}

/// Rows of one column that a delete set to `NULL` or to its default instead of deleting them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detached {
    /// The table of the detached rows.
    pub table: String,
    /// The foreign-key column that was changed.
    pub column: String,
    /// `true` for `SET DEFAULT`, `false` for `SET NULL`.
    pub to_default: bool,
    /// How many rows were changed.
    pub rows: usize,
}

impl DeleteReport {
    /// Adds `rows` deleted rows of `table`; a table that lost nothing is not listed.
    pub(crate) fn add_deleted(&mut self, table: &str, rows: usize) {
        if rows == 0 {
            return;
        }
        match self.deleted.iter_mut().find(|(t, _)| t == table) {
            Some((_, n)) => *n += rows,
            None => self.deleted.push((table.to_owned(), rows)),
        }
    }

    pub(crate) fn add_detached(
        &mut self,
        table: &str,
        column: &str,
        to_default: bool,
        rows: usize,
    ) {
        match self
            .detached
            .iter_mut()
            .find(|d| d.table == table && d.column == column)
        {
            Some(d) => d.rows += rows,
            None => self.detached.push(Detached {
                table: table.to_owned(),
                column: column.to_owned(),
                to_default,
                rows,
            }),
        }
    }

    pub(crate) fn add_statements(&mut self, statements: usize, round_trips: usize) {
        self.statements += statements;
        self.round_trips += round_trips;
    }

    pub(crate) fn merge(&mut self, other: DeleteReport) {
        for (table, rows) in other.deleted {
            self.add_deleted(&table, rows);
        }
        for d in other.detached {
            self.add_detached(&d.table, &d.column, d.to_default, d.rows);
        }
        self.statements += other.statements;
        self.round_trips += other.round_trips;
        self.roots += other.roots;
    }

    /// Rows the call asked to delete — the row of its key, or the rows its clause matched —
    /// before any cascade.
    pub fn roots(&self) -> usize {
        self.roots
    }

    /// Rows deleted, all tables together.
    pub fn total(&self) -> usize {
        self.deleted.iter().map(|(_, n)| n).sum()
    }

    /// Rows deleted from `table` (0 if none).
    pub fn count(&self, table: &str) -> usize {
        self.deleted
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, n)| *n)
    }

    /// Rows of `table` whose foreign key was set to `NULL` (0 if none).
    pub fn nulled(&self, table: &str) -> usize {
        self.detached
            .iter()
            .filter(|d| d.table == table && !d.to_default)
            .map(|d| d.rows)
            .sum()
    }

    /// Rows of `table` whose foreign key was set to its default (0 if none).
    pub fn defaulted(&self, table: &str) -> usize {
        self.detached
            .iter()
            .filter(|d| d.table == table && d.to_default)
            .map(|d| d.rows)
            .sum()
    }

    /// Tables that lost rows, with their counts, in the order they were deleted (children
    /// first). A table the delete reached but removed nothing from is not listed (Django's
    /// `delete()` returns `(0, {})` for an empty delete); [`DeleteReport::count`] still answers 0
    /// for it.
    pub fn deleted(&self) -> impl Iterator<Item = (&str, usize)> {
        self.deleted.iter().map(|(t, n)| (t.as_str(), *n))
    }

    /// Every column that was set to `NULL` or to its default, with its row count.
    pub fn detached(&self) -> &[Detached] {
        &self.detached
    }

    /// How many SQL statements the delete ran. Their texts are fixed by the schema; how many
    /// times each runs depends on the schema and, on SQLite, on how many bounded ranges the
    /// key sets are deleted in (see the README's "How a delete runs").
    pub fn statements(&self) -> usize {
        self.statements
    }

    /// How many round trips to the database server the delete took (0 on SQLite, which runs
    /// in the process): one per statement, plus one for each statement prepared for the first
    /// time on the connection, and one per hook cursor closed. The `BEGIN` and `COMMIT` (or
    /// savepoint) around the call are not counted.
    pub fn round_trips(&self) -> usize {
        self.round_trips
    }
}

impl fmt::Display for DeleteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "deleted {} row(s) in {} statement(s)",
            self.total(),
            self.statements
        )?;
        for (table, rows) in &self.deleted {
            writeln!(f, "  {table}: {rows} deleted")?;
        }
        for d in &self.detached {
            let action = if d.to_default {
                "set to default"
            } else {
                "set to NULL"
            };
            writeln!(f, "  {}.{}: {} {action}", d.table, d.column, d.rows)?;
        }
        Ok(())
    }
}

/// A dry run of a delete: which tables it reaches and how many rows each, computed with
/// set-based counts; nothing was changed. `Display` renders the tree (`{:#}` adds the first
/// keys of each table).
///
/// A plan made by [`Session::plan_delete`](crate::Session::plan_delete) can be executed later
/// with [`Session::execute_plan`](crate::Session::execute_plan), which refuses if the counts
/// changed in between.
#[derive(Debug, Clone)]
pub struct DeletePlan {
    pub(crate) root: PlanNode,
    /// The first keys of each table's rows, in key order.
    pub(crate) first_keys: Vec<(String, Vec<Key>)>,
    /// What the plan was computed from, so that it can be executed later.
    pub(crate) origin: Option<PlanOrigin>,
}

/// The model and rows a [`DeletePlan`] starts from.
#[derive(Debug, Clone)]
pub(crate) struct PlanOrigin {
    pub model: &'static ModelMeta,
    pub roots: Roots,
}

/// One table (or one detached column) in a [`DeletePlan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanNode {
    /// The table.
    pub table: String,
    /// What happens to the rows.
    pub action: PlanAction,
    /// The foreign-key column through which the rows were reached, as `table.column`
    /// (`None` for the root).
    pub via: Option<String>,
    /// How many rows.
    pub rows: usize,
    /// The tables reached from this one.
    pub children: Vec<PlanNode>,
}

/// What a [`PlanNode`]'s rows undergo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlanAction {
    /// Deleted.
    Delete,
    /// Their foreign key is set to `NULL`.
    SetNull,
    /// Their foreign key is set to its default.
    SetDefault,
}

impl DeletePlan {
    /// The tree of a dry run: each table under the table that first reached it, with its
    /// `counts` (indexed by table), the rows each of the plan's detaches would change (in
    /// their order), and the first keys listed per table.
    pub(crate) fn build(
        schema: &Schema,
        plan: &Cascade,
        origin: PlanOrigin,
        counts: &[usize],
        detached: &[usize],
        first_keys: Vec<(String, Vec<Key>)>,
    ) -> DeletePlan {
        let node = |t: TableId, via: Option<String>| PlanNode {
            table: schema.name(t).to_owned(),
            action: PlanAction::Delete,
            via,
            rows: counts[t],
            children: Vec::new(),
        };
        let mut nodes: Vec<Option<PlanNode>> = (0..schema.tables.len()).map(|_| None).collect();
        nodes[plan.root] = Some(node(plan.root, None));
        for edge in &plan.reached_by {
            nodes[edge.to] = Some(node(edge.to, Some(via_name(schema, edge))));
        }
        for (d, &rows) in plan.detaches.iter().zip(detached) {
            if rows == 0 {
                continue;
            }
            let detach = PlanNode {
                table: schema.name(d.table).to_owned(),
                action: if d.to_default {
                    PlanAction::SetDefault
                } else {
                    PlanAction::SetNull
                },
                via: Some(format!(
                    "{}.{}",
                    schema.name(d.table),
                    schema.column_name(d.table, d.column)
                )),
                rows,
                children: Vec::new(),
            };
            if let Some(parent) = nodes[d.referenced].as_mut() {
                parent.children.push(detach);
            }
        }
        // Attach children to parents, deepest discoveries first.
        for edge in plan.reached_by.iter().rev() {
            if let Some(child) = nodes[edge.to].take() {
                if let Some(parent) = nodes[edge.from].as_mut() {
                    parent.children.insert(0, child);
                }
            }
        }
        let root = nodes[plan.root]
            .take()
            .expect("the root node is created above");
        DeletePlan {
            root,
            first_keys,
            origin: Some(origin),
        }
    }

    /// The name of the model the plan starts from (empty for a plan made by hand).
    pub(crate) fn model_name(&self) -> &'static str {
        self.origin.as_ref().map_or("", |o| o.model.name)
    }

    /// A plan of just this tree, not tied to any session (for rendering and tests).
    #[doc(hidden)]
    pub fn from_tree(root: PlanNode) -> DeletePlan {
        DeletePlan {
            root,
            first_keys: Vec::new(),
            origin: None,
        }
    }

    /// The first keys (at most the session's [`preview_keys`]) of the rows that would be
    /// deleted from `table`, in key order.
    ///
    /// [`preview_keys`]: crate::Session::set_preview_keys
    pub fn first_keys(&self, table: &str) -> &[Key] {
        self.first_keys
            .iter()
            .find(|(t, _)| t == table)
            .map_or(&[], |(_, k)| k.as_slice())
    }

    /// The root of the tree: the rows the call asked to delete.
    pub fn root(&self) -> &PlanNode {
        &self.root
    }

    /// Rows that would be deleted, all tables together.
    pub fn total(&self) -> usize {
        self.nodes()
            .filter(|n| n.action == PlanAction::Delete)
            .map(|n| n.rows)
            .sum()
    }

    /// Rows that would be deleted from `table`.
    pub fn count(&self, table: &str) -> usize {
        self.nodes()
            .filter(|n| n.table == table && n.action == PlanAction::Delete)
            .map(|n| n.rows)
            .sum()
    }

    /// Rows of `table` whose foreign key would be set to `NULL`.
    pub fn nulled(&self, table: &str) -> usize {
        self.nodes()
            .filter(|n| n.table == table && n.action == PlanAction::SetNull)
            .map(|n| n.rows)
            .sum()
    }

    /// Rows of `table` whose foreign key would be set to its default.
    pub fn defaulted(&self, table: &str) -> usize {
        self.nodes()
            .filter(|n| n.table == table && n.action == PlanAction::SetDefault)
            .map(|n| n.rows)
            .sum()
    }

    /// Every node, depth first.
    pub fn nodes(&self) -> impl Iterator<Item = &PlanNode> {
        let mut stack = vec![&self.root];
        std::iter::from_fn(move || {
            let node = stack.pop()?;
            stack.extend(node.children.iter().rev());
            Some(node)
        })
    }
}

impl fmt::Display for DeletePlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn line(node: &PlanNode, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let rows = if node.rows == 1 { "row" } else { "rows" };
            match (node.action, &node.via) {
                (PlanAction::Delete, None) => {
                    write!(f, "delete {}: {} {rows}", node.table, node.rows)
                }
                (PlanAction::Delete, Some(via)) => {
                    write!(f, "delete {}: {} {rows} (via {via})", node.table, node.rows)
                }
                (PlanAction::SetNull, via) => {
                    write!(
                        f,
                        "set null {}: {} {rows}",
                        via.as_deref().unwrap_or(&node.table),
                        node.rows
                    )
                }
                (PlanAction::SetDefault, via) => write!(
                    f,
                    "set default {}: {} {rows}",
                    via.as_deref().unwrap_or(&node.table),
                    node.rows
                ),
            }
        }
        let keys = |node: &PlanNode, f: &mut fmt::Formatter<'_>| -> fmt::Result {
            let listed = self.first_keys(&node.table);
            if f.alternate() && node.action == PlanAction::Delete && !listed.is_empty() {
                let shown: Vec<String> = listed.iter().map(Key::to_string).collect();
                let more = if node.rows > listed.len() {
                    ", ..."
                } else {
                    ""
                };
                write!(f, " [{}{more}]", shown.join(", "))?;
            }
            Ok(())
        };
        fn walk(
            node: &PlanNode,
            prefix: &str,
            f: &mut fmt::Formatter<'_>,
            keys: &dyn Fn(&PlanNode, &mut fmt::Formatter<'_>) -> fmt::Result,
        ) -> fmt::Result {
            for (i, child) in node.children.iter().enumerate() {
                let last = i + 1 == node.children.len();
                write!(f, "{prefix}{}", if last { "└── " } else { "├── " })?;
                line(child, f)?;
                keys(child, f)?;
                writeln!(f)?;
                let deeper = format!("{prefix}{}", if last { "    " } else { "│   " });
                walk(child, &deeper, f, keys)?;
            }
            Ok(())
        }
        line(&self.root, f)?;
        keys(&self.root, f)?;
        writeln!(f)?;
        walk(&self.root, "", f, &keys)
    }
}

/// The column an edge goes through, as `table.column`.
fn via_name(schema: &Schema, edge: &crate::plan::Edge) -> String {
    use crate::plan::Via;
    match edge.via {
        Via::Referenced { column } => format!(
            "{}.{}",
            schema.name(edge.to),
            schema.column_name(edge.to, column)
        ),
        Via::Referencing { column } => {
            format!(
                "{}.{}",
                schema.name(edge.from),
                schema.column_name(edge.from, column)
            )
        }
        Via::Secondary { assoc, remote, .. } => {
            format!(
                "{}.{}",
                schema.name(assoc),
                schema.column_name(assoc, remote)
            )
        }
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! A hand-built plan for rendering tests.
    use super::*;

    pub fn node(
        table: &str,
        action: PlanAction,
        via: Option<&str>,
        rows: usize,
        children: Vec<PlanNode>,
    ) -> PlanNode {
        PlanNode {
            table: table.into(),
            action,
            via: via.map(Into::into),
            rows,
            children,
        }
    }

    /// parent → child → toy deleted; note set to NULL; shelf set to its default.
    pub fn sample_plan() -> DeletePlan {
        DeletePlan::from_tree(node(
            "parent",
            PlanAction::Delete,
            None,
            1,
            vec![
                node(
                    "child",
                    PlanAction::Delete,
                    Some("child.parent_id"),
                    3,
                    vec![node(
                        "toy",
                        PlanAction::Delete,
                        Some("toy.child_id"),
                        6,
                        vec![],
                    )],
                ),
                node(
                    "note",
                    PlanAction::SetNull,
                    Some("note.parent_id"),
                    2,
                    vec![],
                ),
                node(
                    "shelf",
                    PlanAction::SetDefault,
                    Some("shelf.parent_id"),
                    1,
                    vec![],
                ),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::sample_plan;
    use super::*;

    #[test]
    fn plan_renders_as_a_tree_and_sums_deletes() {
        let plan = sample_plan();
        assert_eq!(
            plan.to_string(),
            "delete parent: 1 row\n\
             ├── delete child: 3 rows (via child.parent_id)\n\
             │   └── delete toy: 6 rows (via toy.child_id)\n\
             ├── set null note.parent_id: 2 rows\n\
             └── set default shelf.parent_id: 1 row\n"
        );
        assert_eq!(plan.total(), 10);
        assert_eq!(plan.count("toy"), 6);
        assert_eq!(plan.nulled("note"), 2);
        assert_eq!(plan.defaulted("shelf"), 1);
    }

    #[test]
    fn report_accumulates_per_table() {
        let mut r = DeleteReport::default();
        r.add_deleted("child", 2);
        r.add_deleted("parent", 1);
        r.add_deleted("child", 1);
        r.add_deleted("toy", 0);
        r.add_detached("note", "parent_id", false, 4);
        assert_eq!(r.total(), 4);
        assert_eq!(r.count("child"), 3);
        assert_eq!(r.count("absent"), 0);
        assert_eq!(r.count("toy"), 0);
        let listed: Vec<(&str, usize)> = r.deleted().collect();
        assert_eq!(listed, [("child", 3), ("parent", 1)]);
        assert!(!r.to_string().contains("toy"), "{r}");
        assert_eq!(r.nulled("note"), 4);
        assert_eq!(r.defaulted("note"), 0);
    }
}
