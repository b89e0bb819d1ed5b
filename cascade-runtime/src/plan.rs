//! Delete planning: pure, no database.
//!
//! A delete works on *key sets*, one per table the cascade reaches. The planner decides, from
//! the schema alone, which statements fill the key sets (in dependency order), which rows must
//! not exist (checks), which foreign keys are set to `NULL` or their default (detaches), and
//! the order of the deletes, children before parents. The number of steps depends only on the
//! schema; the `sql` module turns each step into one statement text over whole sets of rows,
//! which a backend runs once — or once per range of a large key set, once per round of a
//! [`Collect::Fixpoint`], or, for a self-referential tree, once per level of it (see
//! `backend::sqlite::delete`).

use crate::error::{BlockReason, Error, Result};
use crate::metadata::{CascadeSet, OnDelete, PassiveDeletes, RelationshipOnDelete};
use crate::schema::{ForeignKey, Join, Schema, TableId};

/// A delete plan: what to run, in order, for a delete rooted at one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cascade {
    pub root: TableId,
    /// Tables with a key set, in discovery order (the root first).
    pub tables: Vec<TableId>,
    /// How each table other than the root was first reached, for rendering the tree.
    pub reached_by: Vec<Edge>,
    /// Statements that fill the key sets, in dependency order.
    pub collect: Vec<Collect>,
    /// Edges into tables that have no key set: leaves deleted straight through the edge.
    pub inline: Vec<Edge>,
    /// Rows that must not remain.
    pub checks: Vec<Check>,
    /// Foreign keys set to `NULL` or to their default before the deletes.
    pub detaches: Vec<Detach>,
    /// Foreign keys set to `NULL` on the rows about to be deleted, to break loops.
    pub unlinks: Vec<Unlink>,
    /// Tables to delete from, children before parents.
    pub deletes: Vec<TableId>,
    /// The tables reference each other in a loop: foreign-key checks wait until commit.
    pub defer_foreign_keys: bool,
    /// Tables whose deleted rows are counted from their key sets (a database-level cascade
    /// inside a loop may remove some of them before their own statement does).
    pub count_keys: Vec<TableId>,
}

impl Cascade {
    /// The edge a table without a key set is deleted through, if it is one.
    pub fn inline_edge(&self, t: TableId) -> Option<&Edge> {
        self.inline.iter().find(|e| e.to == t)
    }

    /// Tables with a key set.
    pub fn keyed(&self) -> impl Iterator<Item = TableId> + '_ {
        self.tables
            .iter()
            .copied()
            .filter(|&t| self.inline_edge(t).is_none())
    }

    /// By table: whether the database's own `ON DELETE CASCADE` removes exactly the rows the
    /// plan deletes from it, so that a backend whose native cascade is at the floor may leave
    /// them to it (PostgreSQL, whose foreign-key trigger probes each deleted parent's children
    /// whether or not they were deleted first). A table qualifies when:
    ///
    /// - it is not the root, has no hooks, and is not in a self-reference or a loop;
    /// - every edge that reaches it is a one-to-many join through a foreign key whose action
    ///   is `CASCADE` and whose rule in the plan is to delete;
    /// - every foreign key it has into a table of the plan is one of those edges (whichever
    ///   parent goes first takes its rows with it);
    /// - every table the plan reaches from it qualifies too (what the database then removes
    ///   row by row is what the plan would).
    ///
    /// Checks and detaches are unaffected: they run before anything is deleted.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub fn left_to_database(&self, schema: &Schema) -> Vec<bool> {
        let n = schema.tables.len();
        let mut native = vec![false; n];
        let edges: Vec<&Edge> = self
            .collect
            .iter()
            .filter_map(|c| match c {
                Collect::Edge(e) => Some(e),
                _ => None,
            })
            .chain(&self.inline)
            .collect();
        let mut looped = vec![false; n];
        for step in &self.collect {
            match step {
                Collect::Edge(_) => {}
                Collect::Closure { table, .. } => looped[*table] = true,
                Collect::Recursive { tables, .. } | Collect::Fixpoint { tables, .. } => {
                    for &t in tables {
                        looped[t] = true;
                    }
                }
            }
        }
        let cascades = |e: &Edge| match e.via {
            Via::Referenced { column } => {
                let fk = schema.fk(e.to, column);
                fk.on_delete == OnDelete::Cascade && action(schema, fk) == Action::Delete
            }
            _ => false,
        };
        for &t in &self.tables {
            let into: Vec<&&Edge> = edges.iter().filter(|e| e.to == t).collect();
            let own_keys_cascade = schema
                .foreign_keys
                .iter()
                .filter(|fk| fk.table == t && self.tables.contains(&fk.target))
                .all(|fk| {
                    into.iter().any(|e| {
                        e.from == fk.target
                            && e.via == Via::Referenced { column: fk.column }
                            && cascades(e)
                    })
                });
            native[t] = t != self.root
                && schema.tables[t].meta.hooks.is_none()
                && !looped[t]
                && !into.is_empty()
                && into.iter().all(|e| cascades(e))
                && own_keys_cascade;
        }
        // Whatever the plan reaches from a table must qualify too.
        loop {
            let mut changed = false;
            for e in &edges {
                if native[e.from] && !native[e.to] {
                    native[e.from] = false;
                    changed = true;
                }
            }
            if !changed {
                return native;
            }
        }
    }
}

/// `table.column` is set to `NULL` on the rows of `table` the plan deletes, before the
/// deletes, so that tables referencing each other in a loop can go one after the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unlink {
    pub table: TableId,
    pub column: usize,
}

/// One way key sets grow: rows of `to` reached from rows of `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edge {
    pub from: TableId,
    pub to: TableId,
    pub via: Via,
}

/// How an [`Edge`] joins `from` (the source) to `to` (the target): the same three joins as a
/// relationship's — `to.column` references `from` (`Referenced`), `from.column` references
/// `to` (`Referencing`, a many-to-one `delete`), or targets linked through an association
/// (`Secondary`, a many-to-many `delete`).
pub(crate) use crate::schema::Join as Via;

/// One step that fills key sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Collect {
    /// One statement along one edge.
    Edge(Edge),
    /// The transitive closure of a table's references to itself, as one recursive query.
    Closure { table: TableId, edges: Vec<Via> },
    /// Tables that reach each other in a loop, all with single-column keys: one recursive
    /// query over all of them (keys tagged with their table's position in `tables`); on
    /// SQLite, then one statement per table to take its keys.
    Recursive {
        tables: Vec<TableId>,
        edges: Vec<Edge>,
    },
    /// Tables that reach each other in a loop where some key has several columns (or one
    /// table with a composite key that references itself through a unique column). SQLite's
    /// tagged keys are one column, so there the edges run again until none adds a key (a
    /// number of statements that depends on the data). PostgreSQL closes them as it does a
    /// [`Collect::Recursive`] loop, in one recursive query whose rows hold every key column in
    /// a column of its own type (see `backend::postgres::delete`).
    Fixpoint {
        tables: Vec<TableId>,
        edges: Vec<Edge>,
    },
}

/// Rows of `table` whose `column` references a deleted row of `referenced`, and which the
/// plan does not delete itself, block the delete (under `protect`, even those it deletes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Check {
    pub table: TableId,
    pub column: usize,
    pub referenced: TableId,
    pub reason: BlockReason,
}

impl Check {
    /// Whether rows the plan deletes itself still block (Django's `PROTECT`).
    pub fn counts_deleted_rows(&self) -> bool {
        self.reason == BlockReason::Protect
    }
}

/// `table.column` is set to `NULL` (or its default) where it references a deleted row of
/// `referenced`, on rows the plan does not delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Detach {
    pub table: TableId,
    pub column: usize,
    pub referenced: TableId,
    pub to_default: bool,
}

/// What happens to rows referencing a deleted row through one foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Delete,
    SetNull,
    SetDefault,
    Block(BlockReason),
}

/// The rule for rows that reference a deleted row of `fk.target` through `fk`:
/// association rows always go; an ORM relationship without `passive_deletes` applies its
/// `on_delete` (Django's family) or its cascade (`delete`, else set the key to `NULL`);
/// otherwise the database-level `ON DELETE` applies.
pub(crate) fn action(schema: &Schema, fk: &ForeignKey) -> Action {
    if schema.is_association_link(fk.table, fk.column) {
        return Action::Delete;
    }
    let set_null = if fk.nullable {
        Action::SetNull
    } else {
        Action::Block(BlockReason::NotNull)
    };
    let mut orm: Option<Action> = None;
    for rel in &schema.tables[fk.target].relationships {
        let joins_here =
            rel.target == fk.table && rel.join == Join::Referenced { column: fk.column };
        if !joins_here || rel.meta.passive_deletes != PassiveDeletes::Off {
            continue;
        }
        let this = match rel.meta.on_delete {
            Some(RelationshipOnDelete::Cascade) => Action::Delete,
            Some(RelationshipOnDelete::Protect) => Action::Block(BlockReason::Protect),
            Some(RelationshipOnDelete::Restrict) => Action::Block(BlockReason::Restrict),
            Some(RelationshipOnDelete::SetNull) => set_null,
            Some(RelationshipOnDelete::SetDefault) => Action::SetDefault,
            None if rel.meta.cascade.contains(CascadeSet::DELETE) => Action::Delete,
            None => set_null,
        };
        // Several relationships over one key: the strictest rule wins.
        orm = Some(match orm {
            Some(other) if strictness(other) >= strictness(this) => other,
            _ => this,
        });
    }
    orm.unwrap_or(match fk.on_delete {
        OnDelete::Cascade => Action::Delete,
        OnDelete::SetNull => set_null,
        OnDelete::SetDefault => Action::SetDefault,
        OnDelete::Restrict => Action::Block(BlockReason::DatabaseRestrict),
        OnDelete::NoAction => Action::Block(BlockReason::DatabaseNoAction),
    })
}

/// Protect over restrict over everything else; then delete over detaching.
fn strictness(action: Action) -> u8 {
    match action {
        Action::Block(BlockReason::Protect) => 5,
        Action::Block(_) => 4,
        Action::Delete => 3,
        Action::SetDefault => 2,
        Action::SetNull => 1,
    }
}

/// Edges leaving `t`: rows that go when rows of `t` go.
fn edges_from(schema: &Schema, t: TableId) -> Vec<Edge> {
    let mut edges: Vec<Edge> = schema
        .referencing(t)
        .filter(|fk| action(schema, fk) == Action::Delete)
        .map(|fk| Edge {
            from: t,
            to: fk.table,
            via: Via::Referenced { column: fk.column },
        })
        .collect();
    for rel in &schema.tables[t].relationships {
        if !rel.meta.cascade.contains(CascadeSet::DELETE) {
            continue;
        }
        if let Join::Referenced { .. } = rel.join {
            continue; // covered by the foreign key above
        }
        // A many-to-one with `passive_deletes` leaves its target to the database, which has no
        // action upward (from the referencing row to the referenced one): SQLAlchemy keeps the
        // target, and so do we.
        if matches!(rel.join, Join::Referencing { .. })
            && rel.meta.passive_deletes != PassiveDeletes::Off
        {
            continue;
        }
        let via = rel.join;
        let edge = Edge {
            from: t,
            to: rel.target,
            via,
        };
        if !edges.contains(&edge) {
            edges.push(edge);
        }
    }
    edges
}

/// Plans a delete of rows of `root` (which rows is the executor's business).
pub(crate) fn cascade(schema: &Schema, root: TableId) -> Result<Cascade> {
    let n = schema.tables.len();
    let out: Vec<Vec<Edge>> = (0..n).map(|t| edges_from(schema, t)).collect();

    // Tables reached from the root, and the edge that first reached each.
    let mut tables = vec![root];
    let mut reached_by = Vec::new();
    let mut in_plan = vec![false; n];
    in_plan[root] = true;
    let mut i = 0;
    while i < tables.len() {
        for edge in &out[tables[i]] {
            if !in_plan[edge.to] {
                in_plan[edge.to] = true;
                tables.push(edge.to);
                reached_by.push(*edge);
            }
        }
        i += 1;
    }

    // Key sets fill in topological order of the strongly connected parts.
    let sccs = strongly_connected(&tables, |t| out[t].iter().map(|e| e.to).collect());
    let mut scc_of = vec![usize::MAX; n];
    for (k, scc) in sccs.iter().enumerate() {
        for &t in scc {
            scc_of[t] = k;
        }
    }
    let mut collect = Vec::new();
    for (k, scc) in sccs.iter().enumerate() {
        for &t in &tables {
            for edge in out[t]
                .iter()
                .filter(|e| scc_of[e.to] == k && scc_of[e.from] != k)
            {
                collect.push(Collect::Edge(*edge));
            }
        }
        let internal: Vec<Edge> = scc
            .iter()
            .flat_map(|&t| out[t].iter().filter(|e| scc_of[e.to] == k).copied())
            .collect();
        match scc.as_slice() {
            _ if internal.is_empty() => {}
            // A self-reference through a unique column of a table with a composite key is a
            // fixpoint, as loops through composite keys are.
            [table] if schema.tables[*table].pk.len() == 1 => collect.push(Collect::Closure {
                table: *table,
                edges: internal.iter().map(|e| e.via).collect(),
            }),
            _ if scc.len() > 1 && scc.iter().all(|&t| schema.tables[t].pk.len() == 1) => collect
                .push(Collect::Recursive {
                    tables: scc.clone(),
                    edges: internal,
                }),
            _ => collect.push(Collect::Fixpoint {
                tables: scc.clone(),
                edges: internal,
            }),
        }
    }

    // Rows that reference deleted rows but are not deleted themselves.
    let mut checks = Vec::new();
    let mut detaches = Vec::new();
    for &t in &tables {
        for fk in schema.referencing(t) {
            match action(schema, fk) {
                Action::Delete => {}
                Action::Block(reason) => checks.push(Check {
                    table: fk.table,
                    column: fk.column,
                    referenced: t,
                    reason,
                }),
                Action::SetNull | Action::SetDefault => detaches.push(Detach {
                    table: fk.table,
                    column: fk.column,
                    referenced: t,
                    to_default: action(schema, fk) == Action::SetDefault,
                }),
            }
        }
    }

    let order = delete_order(schema, &tables, &in_plan)?;

    // Leaves reached by one plain edge need no key set: they are deleted straight through the
    // edge, as one would write by hand (`DELETE FROM c WHERE fk IN (keys of the parent)`).
    let inline: Vec<Edge> = tables
        .iter()
        .filter(|&&t| t != root && out[t].is_empty())
        .filter(|&&t| schema.tables[t].meta.hooks.is_none())
        .filter(|&&t| !order.count_keys.contains(&t) && !order.unlinks.iter().any(|u| u.table == t))
        .filter(|&&t| {
            !checks.iter().any(|c| c.table == t || c.referenced == t)
                && !detaches.iter().any(|d| d.table == t || d.referenced == t)
        })
        .filter_map(|&t| {
            let mut into = tables
                .iter()
                .flat_map(|&f| out[f].iter())
                .filter(|e| e.to == t);
            match (into.next(), into.next()) {
                (Some(edge), None) if matches!(edge.via, Via::Referenced { .. }) => Some(*edge),
                _ => None,
            }
        })
        .collect();
    collect.retain(|c| !matches!(c, Collect::Edge(e) if inline.contains(e)));

    Ok(Cascade {
        root,
        tables,
        reached_by,
        collect,
        checks,
        detaches,
        inline,
        unlinks: order.unlinks,
        deletes: order.deletes,
        defer_foreign_keys: order.defer_foreign_keys,
        count_keys: order.count_keys,
    })
}

/// The order of the deletes and what it takes to make it work.
struct Order {
    deletes: Vec<TableId>,
    unlinks: Vec<Unlink>,
    defer_foreign_keys: bool,
    count_keys: Vec<TableId>,
}

/// Children before parents: each table is deleted before the tables it references. Where plan
/// tables reference each other in a loop, the loop's nullable keys are set to `NULL` on the
/// doomed rows first (SQLAlchemy's post_update); what still loops is deleted with foreign-key
/// checks deferred to commit. A loop of `NOT NULL` keys with `ON DELETE RESTRICT` (checked
/// row by row, never deferred) cannot be deleted and is a schema error naming the loop.
fn delete_order(schema: &Schema, tables: &[TableId], in_plan: &[bool]) -> Result<Order> {
    let fks: Vec<&ForeignKey> = schema
        .foreign_keys
        .iter()
        .filter(|fk| in_plan[fk.table] && in_plan[fk.target])
        .collect();
    let mut unlinks: Vec<Unlink> = Vec::new();
    let unlink = |fk: &ForeignKey| Unlink {
        table: fk.table,
        column: fk.column,
    };

    // A self-reference deleted in one statement is checked at its end — except for RESTRICT,
    // checked row by row, and for the actions fired row by row (CASCADE, SET NULL, SET
    // DEFAULT), which would redo the delete's work in scattered order inside it. Setting the
    // key to NULL on the doomed rows first avoids both. (SQLite deletes a tree level by level
    // instead, children first, and needs this only for a deep, narrow tree it deletes whole:
    // see `backend::sqlite::delete::Tree`.)
    for fk in fks.iter().filter(|fk| fk.table == fk.target) {
        match fk.on_delete {
            OnDelete::NoAction => {}
            OnDelete::Restrict if !fk.nullable => return Err(loop_error(schema, &[fk])),
            _ if fk.nullable => unlinks.push(unlink(fk)),
            _ => {}
        }
    }

    let references = |unlinks: &[Unlink], c: TableId| -> Vec<TableId> {
        fks.iter()
            .filter(|fk| fk.table == c && fk.target != c && !unlinks.contains(&unlink(fk)))
            .map(|fk| fk.target)
            .collect()
    };
    let scc_index = |sccs: &[Vec<TableId>]| {
        let mut of = vec![usize::MAX; in_plan.len()];
        for (k, scc) in sccs.iter().enumerate() {
            for &t in scc {
                of[t] = k;
            }
        }
        of
    };

    // Loops among tables: their nullable keys go first.
    let sccs = strongly_connected(tables, |c| references(&unlinks, c));
    let of = scc_index(&sccs);
    for fk in &fks {
        let looped = fk.table != fk.target && of[fk.table] == of[fk.target];
        if looped && fk.nullable && !unlinks.contains(&unlink(fk)) {
            unlinks.push(unlink(fk));
        }
    }

    // What still loops is deferred, unless RESTRICT (never deferred) is part of it.
    let sccs = strongly_connected(tables, |c| references(&unlinks, c));
    let of = scc_index(&sccs);
    let looping: Vec<&&ForeignKey> = fks
        .iter()
        .filter(|fk| fk.table != fk.target && of[fk.table] == of[fk.target])
        .filter(|fk| !unlinks.contains(&unlink(fk)))
        .collect();
    if looping.iter().any(|fk| fk.on_delete == OnDelete::Restrict) {
        return Err(loop_error(schema, &looping));
    }

    // Where a database-level CASCADE can fire inside a loop (or a self-reference), some rows
    // may go before their own statement reaches them: count those tables by their key sets.
    let mut count_keys: Vec<TableId> = Vec::new();
    for fk in &fks {
        let same_part = fk.table == fk.target || of[fk.table] == of[fk.target];
        if same_part
            && fk.on_delete == OnDelete::Cascade
            && !unlinks.contains(&unlink(fk))
            && !count_keys.contains(&fk.table)
        {
            count_keys.push(fk.table);
        }
    }

    Ok(Order {
        deletes: sccs.into_iter().flatten().collect(),
        unlinks,
        defer_foreign_keys: !looping.is_empty(),
        count_keys,
    })
}

fn loop_error(schema: &Schema, fks: &[&&ForeignKey]) -> Error {
    let edges: Vec<String> = fks
        .iter()
        .map(|fk| {
            format!(
                "{}.{} -> {}",
                schema.name(fk.table),
                schema.column_name(fk.table, fk.column),
                schema.name(fk.target)
            )
        })
        .collect();
    Error::Schema {
        model: schema.tables[fks[0].table].meta.name,
        field: None,
        message: format!(
            "a delete would remove rows of tables that reference each other in a loop ({}), but no \
             foreign key of the loop can be set to NULL first and ON DELETE RESTRICT is checked row \
             by row, never deferred: make one of these columns nullable or change its on_delete",
            edges.join(", ")
        ),
    }
}

/// Tarjan's algorithm over `nodes`; the parts come out sources first (topological order).
fn strongly_connected(
    nodes: &[TableId],
    succ: impl Fn(TableId) -> Vec<TableId>,
) -> Vec<Vec<TableId>> {
    struct State {
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<TableId>,
        next: usize,
        out: Vec<Vec<TableId>>,
    }
    let size = nodes.iter().max().map_or(0, |m| m + 1);
    let mut st = State {
        index: vec![None; size],
        low: vec![0; size],
        on_stack: vec![false; size],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    // Iterative to stay safe on deep graphs: frames of (node, successors, position).
    for &start in nodes {
        if st.index[start].is_some() {
            continue;
        }
        let mut frames: Vec<(TableId, Vec<TableId>, usize)> = Vec::new();
        let visit =
            |v: TableId, st: &mut State, frames: &mut Vec<(TableId, Vec<TableId>, usize)>| {
                st.index[v] = Some(st.next);
                st.low[v] = st.next;
                st.next += 1;
                st.stack.push(v);
                st.on_stack[v] = true;
                frames.push((v, succ(v).into_iter().filter(|w| *w < size).collect(), 0));
            };
        visit(start, &mut st, &mut frames);
        while let Some(frame) = frames.last_mut() {
            let v = frame.0;
            if frame.2 < frame.1.len() {
                let w = frame.1[frame.2];
                frame.2 += 1;
                match st.index[w] {
                    None => visit(w, &mut st, &mut frames),
                    Some(iw) if st.on_stack[w] => st.low[v] = st.low[v].min(iw),
                    Some(_) => {}
                }
            } else {
                frames.pop();
                if let Some(parent) = frames.last() {
                    st.low[parent.0] = st.low[parent.0].min(st.low[v]);
                }
                if Some(st.low[v]) == st.index[v] {
                    let mut scc = Vec::new();
                    while let Some(w) = st.stack.pop() {
                        st.on_stack[w] = false;
                        scc.push(w);
                        if w == v {
                            break;
                        }
                    }
                    st.out.push(scc);
                }
            }
        }
    }
    st.out.reverse();
    st.out
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Hand-built model metadata for planner tests, without the derive or a database.
    use crate::metadata::*;

    pub const fn pk(name: &'static str) -> ColumnMeta {
        ColumnMeta {
            field: name,
            name,
            sql_type: SqlType::Integer,
            nullable: false,
            primary_key: true,
            unique: false,
            index: false,
            default: None,
            foreign_key: None,
        }
    }

    pub const fn fk(
        name: &'static str,
        nullable: bool,
        target: fn() -> &'static ModelMeta,
        on_delete: OnDelete,
    ) -> ColumnMeta {
        ColumnMeta {
            primary_key: false,
            nullable,
            foreign_key: Some(ForeignKeyMeta {
                target,
                references: None,
                on_delete,
            }),
            ..pk(name)
        }
    }

    pub const fn rel(
        field: &'static str,
        target: fn() -> &'static ModelMeta,
        cascade: CascadeSet,
    ) -> RelationshipMeta {
        RelationshipMeta {
            field,
            target,
            collection: true,
            cascade,
            foreign_key: None,
            secondary: None,
            passive_deletes: PassiveDeletes::Off,
            back_populates: None,
            single_parent: false,
            on_delete: None,
        }
    }

    macro_rules! model {
        ($fn_name:ident, $table:literal, [$($col:expr),*], [$($rel:expr),*]) => {
            pub fn $fn_name() -> &'static ModelMeta {
                static META: ModelMeta = ModelMeta {
                    name: $table,
                    table: $table,
                    columns: &[$($col),*],
                    relationships: &[$($rel),*],
                    hooks: None,
                };
                &META
            }
        };
    }

    // parent -< child -< toy; parent -< note (no delete: set null); parent -< audit (RESTRICT).
    model!(
        parent,
        "parent",
        [pk("id")],
        [
            rel("children", child, CascadeSet::ALL),
            rel("notes", note, CascadeSet::DEFAULT)
        ]
    );
    model!(
        child,
        "child",
        [pk("id"), fk("parent_id", true, parent, OnDelete::NoAction)],
        [rel("toys", toy, CascadeSet::ALL)]
    );
    model!(
        toy,
        "toy",
        [pk("id"), fk("child_id", false, child, OnDelete::NoAction)],
        []
    );
    model!(
        note,
        "note",
        [pk("id"), fk("parent_id", true, parent, OnDelete::NoAction)],
        []
    );
    model!(
        audit,
        "audit",
        [pk("id"), fk("parent_id", false, parent, OnDelete::Restrict)],
        []
    );

    // blog -< post -< comment, every key ON DELETE CASCADE; post -< like (NO ACTION);
    // blog -< page (CASCADE) -< link, whose key also references post (CASCADE).
    model!(
        n_blog,
        "blog",
        [pk("id")],
        [
            rel("posts", n_post, CascadeSet::ALL),
            rel("pages", n_page, CascadeSet::ALL)
        ]
    );
    model!(
        n_post,
        "post",
        [pk("id"), fk("blog_id", false, n_blog, OnDelete::Cascade)],
        [
            rel("comments", n_comment, CascadeSet::ALL),
            rel("likes", n_like, CascadeSet::ALL),
            rel("links", n_link, CascadeSet::ALL)
        ]
    );
    model!(
        n_comment,
        "comment",
        [pk("id"), fk("post_id", false, n_post, OnDelete::Cascade)],
        []
    );
    model!(
        n_like,
        "like",
        [pk("id"), fk("post_id", false, n_post, OnDelete::NoAction)],
        []
    );
    model!(
        n_page,
        "page",
        [pk("id"), fk("blog_id", false, n_blog, OnDelete::Cascade)],
        [rel("links", n_link, CascadeSet::ALL)]
    );
    model!(
        n_link,
        "link",
        [
            pk("id"),
            fk("page_id", false, n_page, OnDelete::Cascade),
            fk("post_id", true, n_post, OnDelete::Cascade)
        ],
        []
    );

    // A self-referential tree.
    model!(
        node,
        "node",
        [pk("id"), fk("parent_id", true, node, OnDelete::NoAction)],
        [rel("children", node, CascadeSet::ALL)]
    );

    // a -> b -> a: each deletes the rows of the other that reference it.
    model!(
        a,
        "a",
        [pk("id"), fk("b_id", true, b, OnDelete::NoAction)],
        [rel("bs", b, CascadeSet::ALL)]
    );
    model!(
        b,
        "b",
        [pk("id"), fk("a_id", true, a, OnDelete::NoAction)],
        [rel("as_", a, CascadeSet::ALL)]
    );

    // x -> y -> x with NOT NULL keys: deferred; r1 -> r2 -> r1 NOT NULL RESTRICT: impossible.
    model!(
        x,
        "x",
        [pk("id"), fk("y_id", false, y, OnDelete::NoAction)],
        [rel("ys", y, CascadeSet::ALL)]
    );
    model!(
        y,
        "y",
        [pk("id"), fk("x_id", false, x, OnDelete::NoAction)],
        [rel("xs", x, CascadeSet::ALL)]
    );
    model!(
        r1,
        "r1",
        [pk("id"), fk("r2_id", false, r2, OnDelete::Restrict)],
        [rel("r2s", r2, CascadeSet::ALL)]
    );
    model!(
        r2,
        "r2",
        [pk("id"), fk("r1_id", false, r1, OnDelete::Restrict)],
        [rel("r1s", r1, CascadeSet::ALL)]
    );
    model!(
        strict_node,
        "strict_node",
        [
            pk("id"),
            fk("parent_id", true, strict_node, OnDelete::Restrict)
        ],
        [rel("children", strict_node, CascadeSet::ALL)]
    );

    // A tree whose database action is CASCADE: SQLite would redo the delete inside it.
    model!(
        cascade_node,
        "cascade_node",
        [
            pk("id"),
            fk("parent_id", true, cascade_node, OnDelete::Cascade)
        ],
        [rel("children", cascade_node, CascadeSet::ALL)]
    );

    // post >-< tag through post_tag; the database cascades comment.
    model!(
        post,
        "post",
        [pk("id")],
        [RelationshipMeta {
            secondary: Some(post_tag),
            ..rel("tags", tag, CascadeSet::DEFAULT)
        }]
    );
    model!(tag, "tag", [pk("id")], []);
    model!(
        post_tag,
        "post_tag",
        [
            ColumnMeta {
                primary_key: true,
                ..fk("post_id", false, post, OnDelete::NoAction)
            },
            ColumnMeta {
                primary_key: true,
                ..fk("tag_id", false, tag, OnDelete::NoAction)
            }
        ],
        []
    );
    model!(
        article,
        "article",
        [pk("id")],
        [RelationshipMeta {
            secondary: Some(article_label),
            ..rel("labels", label, CascadeSet::ALL)
        }]
    );
    model!(label, "label", [pk("id")], []);
    model!(
        article_label,
        "article_label",
        [
            ColumnMeta {
                primary_key: true,
                ..fk("article_id", false, article, OnDelete::NoAction)
            },
            ColumnMeta {
                primary_key: true,
                ..fk("label_id", false, label, OnDelete::NoAction)
            }
        ],
        []
    );
    model!(
        comment,
        "comment",
        [pk("id"), fk("post_id", false, post, OnDelete::Cascade)],
        []
    );
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::schema::Schema;

    fn id(schema: &Schema, table: &str) -> TableId {
        schema
            .tables
            .iter()
            .position(|t| t.meta.table == table)
            .expect("table in schema")
    }

    fn names(schema: &Schema, ts: &[TableId]) -> Vec<&'static str> {
        ts.iter().map(|&t| schema.name(t)).collect()
    }

    #[test]
    fn one_to_many_chain_deletes_children_first_and_detaches_or_blocks_the_rest() {
        let schema = Schema::build(&[parent(), audit()]).unwrap();
        let plan = cascade(&schema, id(&schema, "parent")).unwrap();
        assert_eq!(names(&schema, &plan.tables), ["parent", "child", "toy"]);
        assert_eq!(names(&schema, &plan.deletes), ["toy", "child", "parent"]);
        // child gets a key set; toy, a leaf reached by one edge, is deleted through it.
        assert_eq!(plan.collect.len(), 1);
        assert!(
            matches!(plan.collect[0], Collect::Edge(Edge { to, .. }) if schema.name(to) == "child")
        );
        assert_eq!(plan.inline.len(), 1);
        assert_eq!(schema.name(plan.inline[0].to), "toy");
        assert_eq!(
            names(&schema, &plan.keyed().collect::<Vec<_>>()),
            ["parent", "child"]
        );
        assert_eq!(plan.detaches.len(), 1);
        assert_eq!(schema.name(plan.detaches[0].table), "note");
        assert!(!plan.detaches[0].to_default);
        assert_eq!(plan.checks.len(), 1);
        assert_eq!(schema.name(plan.checks[0].table), "audit");
        assert_eq!(plan.checks[0].reason, BlockReason::DatabaseRestrict);
        assert!(!plan.defer_foreign_keys);
    }

    #[test]
    fn tables_the_database_cascades_into_exactly_as_planned_are_left_to_it() {
        let schema = Schema::build(&[n_blog()]).unwrap();
        let native = |root: &str| {
            let plan = cascade(&schema, id(&schema, root)).unwrap();
            let native = plan.left_to_database(&schema);
            let mut left: Vec<&str> = plan
                .tables
                .iter()
                .filter(|&&t| native[t])
                .map(|&t| schema.name(t))
                .collect();
            left.sort_unstable();
            left
        };
        // post has a NO ACTION child (like), which the plan deletes itself, so post stays
        // explicit; comment is reached from post only, by CASCADE; link is reached from page
        // and from post, both by CASCADE: whichever goes first takes its links with it.
        assert_eq!(native("blog"), ["comment", "link", "page"]);
        // From a page: link's other key points at post, which this plan does not delete.
        assert_eq!(native("page"), ["link"]);
        // The root is never left to the database.
        assert_eq!(native("comment"), Vec::<&str>::new());
        // NO ACTION keys anywhere: nothing.
        let schema = Schema::build(&[parent()]).unwrap();
        let plan = cascade(&schema, id(&schema, "parent")).unwrap();
        assert!(plan.left_to_database(&schema).iter().all(|&n| !n));
        // A self-reference with CASCADE is a closure: explicit.
        let schema = Schema::build(&[cascade_node()]).unwrap();
        let plan = cascade(&schema, 0).unwrap();
        assert!(plan.left_to_database(&schema).iter().all(|&n| !n));
    }

    #[test]
    fn a_table_deep_in_the_chain_plans_only_its_own_subtree() {
        let schema = Schema::build(&[parent()]).unwrap();
        let plan = cascade(&schema, id(&schema, "child")).unwrap();
        assert_eq!(names(&schema, &plan.deletes), ["toy", "child"]);
        assert!(plan.checks.is_empty() && plan.detaches.is_empty());
    }

    #[test]
    fn self_reference_is_one_recursive_closure() {
        let schema = Schema::build(&[node()]).unwrap();
        let plan = cascade(&schema, 0).unwrap();
        assert_eq!(plan.collect.len(), 1);
        assert!(matches!(&plan.collect[0], Collect::Closure { edges, .. } if edges.len() == 1));
        assert_eq!(names(&schema, &plan.deletes), ["node"]);
        assert!(
            !plan.defer_foreign_keys,
            "a self-reference needs no deferral"
        );
    }

    #[test]
    fn a_nullable_two_table_loop_is_one_recursive_query_and_unlinks_first() {
        let schema = Schema::build(&[a()]).unwrap();
        let plan = cascade(&schema, id(&schema, "a")).unwrap();
        assert_eq!(plan.collect.len(), 1);
        assert!(
            matches!(&plan.collect[0], Collect::Recursive { tables, edges } if tables.len() == 2 && edges.len() == 2)
        );
        assert_eq!(
            plan.unlinks.len(),
            2,
            "both keys are nullable: set to NULL first"
        );
        assert!(!plan.defer_foreign_keys);
        assert_eq!(plan.deletes.len(), 2);
    }

    #[test]
    fn a_not_null_loop_is_deferred_and_a_restrict_loop_is_refused() {
        let schema = Schema::build(&[x()]).unwrap();
        let plan = cascade(&schema, id(&schema, "x")).unwrap();
        assert!(plan.unlinks.is_empty());
        assert!(plan.defer_foreign_keys);
        assert_eq!(plan.count_keys.len(), 0);

        let schema = Schema::build(&[r1()]).unwrap();
        let err = cascade(&schema, id(&schema, "r1")).unwrap_err().to_string();
        assert!(
            err.contains("r1.r2_id -> r2") && err.contains("r2.r1_id -> r1"),
            "{err}"
        );
    }

    #[test]
    fn a_self_reference_with_a_firing_database_action_is_unlinked_first() {
        let schema = Schema::build(&[cascade_node()]).unwrap();
        let plan = cascade(&schema, 0).unwrap();
        assert_eq!(plan.unlinks.len(), 1);
        assert!(
            plan.count_keys.is_empty(),
            "nothing fires once the key is NULL"
        );
        let schema = Schema::build(&[node()]).unwrap();
        assert!(
            cascade(&schema, 0).unwrap().unlinks.is_empty(),
            "NO ACTION fires nothing"
        );
    }

    #[test]
    fn a_restrict_self_reference_is_unlinked_first() {
        let schema = Schema::build(&[strict_node()]).unwrap();
        let plan = cascade(&schema, 0).unwrap();
        assert_eq!(plan.unlinks.len(), 1);
        assert!(matches!(&plan.collect[0], Collect::Closure { .. }));
    }

    #[test]
    fn association_rows_always_go_targets_stay_and_database_cascades_are_planned() {
        let schema = Schema::build(&[post(), comment()]).unwrap();
        let plan = cascade(&schema, id(&schema, "post")).unwrap();
        let mut tables = names(&schema, &plan.tables);
        tables.sort_unstable();
        assert_eq!(tables, ["comment", "post", "post_tag"]);
        assert_eq!(*plan.deletes.last().unwrap(), id(&schema, "post"));
        assert!(plan.checks.is_empty());
    }

    #[test]
    fn many_to_many_delete_collects_targets_through_the_association() {
        let schema = Schema::build(&[article()]).unwrap();
        let plan = cascade(&schema, id(&schema, "article")).unwrap();
        let (assoc, label) = (id(&schema, "article_label"), id(&schema, "label"));
        assert!(plan.collect.iter().any(|c| matches!(c,
            Collect::Edge(Edge { to, via: Via::Secondary { assoc: a, .. }, .. }) if *to == label && *a == assoc)));
        // Links go before both ends; labels are also unlinked from other articles.
        let pos = |t| plan.deletes.iter().position(|&d| d == t).unwrap();
        assert!(pos(assoc) < pos(label) && pos(assoc) < pos(id(&schema, "article")));
    }

    #[test]
    fn two_models_with_one_table_name_are_refused() {
        fn other_post() -> &'static crate::metadata::ModelMeta {
            static META: crate::metadata::ModelMeta = crate::metadata::ModelMeta {
                name: "OtherPost",
                table: "post",
                columns: &[pk("id")],
                relationships: &[],
                hooks: None,
            };
            &META
        }
        let err = Schema::build(&[post(), other_post()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("OtherPost") && err.contains("\"post\""),
            "{err}"
        );
    }

    #[test]
    fn strongly_connected_parts_come_out_in_topological_order() {
        // 0 -> 1 -> 2 -> 1, 2 -> 3
        let succ = |t: TableId| match t {
            0 => vec![1],
            1 => vec![2],
            2 => vec![1, 3],
            _ => vec![],
        };
        let parts = strongly_connected(&[0, 1, 2, 3], succ);
        let mut parts: Vec<Vec<TableId>> = parts
            .into_iter()
            .map(|mut p| {
                p.sort_unstable();
                p
            })
            .collect();
        assert_eq!(parts.remove(0), vec![0]);
        assert_eq!(parts.remove(0), vec![1, 2]);
        assert_eq!(parts.remove(0), vec![3]);
    }
}
