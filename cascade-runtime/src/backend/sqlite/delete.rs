//! The delete algorithm on SQLite: key sets in temporary tables, filled by one statement per
//! edge (a recursive query for a self-reference or a loop), checked, then the detaches and
//! deletes — in bounded ranges of keys when large, since SQLite holds the rows of one
//! multi-row statement in memory; a self-referential tree level by level, deepest first —
//! and the hooks, reading the doomed rows in batches.

use crate::error::{Blocker, Error, Result, BLOCKING_KEYS};
use crate::hooks::{HookContext, Hooks, HOOK_BATCH};
use crate::metadata::OnDelete;
use crate::plan::{Cascade, Collect, Edge, Via};
use crate::report::{DeletePlan, DeleteReport, PlanOrigin};
use crate::runner::{Roots, Runner};
use crate::schema::{Schema, TableId};
use crate::sql::Sql;
use crate::value::{Key, Value};

use super::SqliteRunner;

/// Fills the key sets of a plan and runs its checks: everything but the changes. A tree's
/// key set holds its roots only, unless another statement reads it (or this is a `preview`,
/// which lists keys).
///
/// Returns the size of every key set (indexed by table), counted from the rows each statement
/// added, without another query.
fn collect_keys(
    exec: &mut SqliteRunner<'_>,
    render: &Sql<'_>,
    plan: &Cascade,
    roots: Roots,
    preview: bool,
) -> Result<KeySets> {
    let mut sizes = vec![0usize; render.schema.tables.len()];
    for t in plan.keyed() {
        exec.run(&render.create_keys(t))?;
    }
    let (seed, clause) = match roots {
        Roots::Key(key) => (render.seed_key(plan.root, key), None),
        Roots::Where { clause, params } => (
            render.seed_where(plan.root, &clause, params, None),
            Some(clause),
        ),
        Roots::WhereLimit {
            clause,
            params,
            limit,
        } => (
            render.seed_where(plan.root, &clause, params, Some(limit)),
            Some(clause),
        ),
    };
    let roots = exec.run(&seed).map_err(|e| match &clause {
        Some(clause) => e.in_clause(render.schema.name(plan.root), clause),
        None => e,
    })?;
    sizes[plan.root] += roots;
    for step in &plan.collect {
        match step {
            Collect::Edge(edge) => {
                sizes[edge.to] += exec.run(&render.collect(edge))?;
            }
            Collect::Closure { table, edges } => match Tree::of(render.schema, *table, edges) {
                Some(tree) => {
                    exec.run(&render.create_levels(tree.table))?;
                    let rows = exec.run(&render.collect_levels(tree.table, tree.column))?;
                    // The roots were in the key set already.
                    sizes[*table] = rows;
                    if preview || tree.keys_read(render.schema, plan) {
                        exec.run(&render.keys_from_levels(tree.table))?;
                    }
                }
                None => sizes[*table] += exec.run(&render.closure(*table, edges))?,
            },
            Collect::Recursive { tables, edges } => {
                exec.run(&render.create_loop_keys())?;
                exec.run(&render.recursive(tables, edges))?;
                for (tag, &t) in tables.iter().enumerate() {
                    sizes[t] += exec.run(&render.take_loop_keys(t, tag))?;
                }
                exec.run(&render.clear_loop_keys())?;
            }
            Collect::Fixpoint { edges, .. } => loop {
                let mut added = 0;
                for edge in edges {
                    let n = exec.run(&render.collect(edge))?;
                    sizes[edge.to] += n;
                    added += n;
                }
                if added == 0 {
                    break;
                }
            },
        }
    }
    let mut blockers = Vec::new();
    for check in &plan.checks {
        let exclude_deleted = in_plan(plan, check.table) && !check.counts_deleted_rows();
        let rows = exec.count(&render.check(check, exclude_deleted))?;
        if rows > 0 {
            let keys = render.blocking_keys(check, exclude_deleted, BLOCKING_KEYS);
            let keys = exec.rows(&keys.sql, &keys.params)?;
            let schema = render.schema;
            blockers.push(Blocker {
                table: schema.name(check.table).to_owned(),
                column: schema.column_name(check.table, check.column).to_owned(),
                referenced_table: schema.name(check.referenced).to_owned(),
                rows,
                keys: keys.into_iter().map(|k| Key::new(k).to_string()).collect(),
                reason: check.reason,
            });
        }
    }
    if !blockers.is_empty() {
        return Err(Error::blocked(blockers));
    }
    Ok(KeySets { sizes, roots })
}

/// What [`collect_keys`] collected.
struct KeySets {
    /// The size of every key set, by table.
    sizes: Vec<usize>,
    /// The rows the call matched itself, before any cascade.
    roots: usize,
}

fn in_plan(plan: &Cascade, t: TableId) -> bool {
    plan.tables.contains(&t)
}

fn clear(exec: &mut SqliteRunner<'_>, render: &Sql<'_>, plan: &Cascade) -> Result<()> {
    for t in plan.keyed() {
        exec.run(&render.clear_keys(t))?;
    }
    for tree in Tree::all(render.schema, plan) {
        exec.run(&render.clear_levels(tree.table))?;
    }
    Ok(())
}

/// A self-referential tree that a delete takes level by level: a table whose one foreign key
/// to itself is what the plan closes over (the children of each doomed row, down).
///
/// Deleting the whole subtree in one statement (or in ranges of keys) makes SQLite fire the
/// foreign key's own action row by row, in scattered order, inside the statement: for
/// `CASCADE` it redoes the delete's work. Deleting the deepest level first, then the one above,
/// leaves every row nothing that references it when it goes, so the action finds nothing,
/// whatever the action and whatever the order of the keys (ids level by level, or scattered).
/// Only the roots can still reference a doomed row when they go (a root below another root,
/// or a loop of parents through a root): `CASCADE` removes them early (the tree is counted by
/// its key set), `SET NULL` detaches them, `NO ACTION` is checked at commit, and under
/// `RESTRICT` their key is set to `NULL` first. The levels are found by the same recursive
/// query that finds the rows, so a tree costs a statement per level more than a whole delete:
/// deep and narrow trees go whole (see [`Tree::by_levels`]).
#[derive(Debug, Clone, Copy)]
struct Tree {
    table: TableId,
    column: usize,
    nullable: bool,
    on_delete: OnDelete,
}

impl Tree {
    /// The tree of a closure over `edges` of `table`, if it is one.
    fn of(schema: &Schema, table: TableId, edges: &[Via]) -> Option<Tree> {
        let [Via::Referenced { column }] = edges else {
            return None;
        };
        let mut own = schema
            .foreign_keys
            .iter()
            .filter(|fk| fk.table == table && fk.target == table);
        match (own.next(), own.next()) {
            (Some(fk), None) if fk.column == *column => Some(Tree {
                table,
                column: *column,
                nullable: fk.nullable,
                on_delete: fk.on_delete,
            }),
            _ => None,
        }
    }

    /// Whether a tree of `size` rows whose deepest level is `deepest` goes level by level: a
    /// statement per level costs about what deleting a few rows costs, so a deep and narrow
    /// tree (a chain of replies thousands deep) goes as a whole — its key set in one statement
    /// (or ranges), after setting the doomed rows' key to `NULL` where the action would fire.
    fn by_levels(&self, size: usize, deepest: i64) -> bool {
        let levels = usize::try_from(deepest)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        levels <= LEVELS_ALWAYS || size / levels >= ROWS_PER_LEVEL
    }

    /// Whether a statement other than the tree's own reads its whole key set: an edge or a
    /// leaf that the tree's rows reach, a check or a detach of rows that reference them (or of
    /// its own surviving rows), an unlink of another of its keys, its hooks — or the roots'
    /// unlink (see [`Tree::unlinks_roots`]). When none does, the tree's rows stay in its
    /// table of levels alone.
    fn keys_read(&self, schema: &Schema, plan: &Cascade) -> bool {
        let t = self.table;
        self.unlinks_roots()
            || schema.tables[t].meta.hooks.is_some()
            || plan.collect.iter().any(|c| match c {
                Collect::Edge(edge) => edge.from == t,
                Collect::Closure { .. } => false,
                Collect::Recursive { tables, .. } | Collect::Fixpoint { tables, .. } => {
                    tables.contains(&t)
                }
            })
            || plan.inline.iter().any(|edge| edge.from == t)
            || plan
                .checks
                .iter()
                .any(|c| c.referenced == t || c.table == t)
            || plan
                .detaches
                .iter()
                .any(|d| d.referenced == t || d.table == t)
            || plan
                .unlinks
                .iter()
                .any(|u| u.table == t && u.column != self.column)
    }

    /// Whether the roots whose parent goes too have their key set to `NULL` first: where the
    /// action would refuse the parent's delete at once (`RESTRICT`), or set a default that
    /// may reference nothing. `CASCADE` and `SET NULL` take care of such a root themselves,
    /// and `NO ACTION` is checked at commit.
    fn unlinks_roots(&self) -> bool {
        self.nullable && matches!(self.on_delete, OnDelete::Restrict | OnDelete::SetDefault)
    }

    /// The trees of a plan.
    fn all(schema: &Schema, plan: &Cascade) -> Vec<Tree> {
        plan.collect
            .iter()
            .filter_map(|c| match c {
                Collect::Closure { table, edges } => Tree::of(schema, *table, edges),
                _ => None,
            })
            .collect()
    }
}

/// Runs a delete. The caller provides the transaction (a savepoint) and rolls it back on error.
pub(crate) fn delete(
    runner: &mut SqliteRunner<'_>,
    schema: &Schema,
    plan: &Cascade,
    roots: Roots,
    expected: Option<&DeletePlan>,
) -> Result<DeleteReport> {
    let render = Sql::sqlite(schema);
    // A runner of its own, whose statements are this delete's.
    let mut exec = SqliteRunner::new(runner.conn);
    let KeySets { sizes, roots } = collect_keys(&mut exec, &render, plan, roots, false)?;
    if let Some(expected) = expected {
        verify(&mut exec, &render, plan, expected, &sizes)?;
    }
    // Only tables whose model has hooks have their rows read, in bounded batches.
    let hooked: Vec<(TableId, Hooks)> = plan
        .deletes
        .iter()
        .filter_map(|&t| schema.tables[t].meta.hooks.map(|h| (t, h)))
        .collect();
    for &(t, hooks) in &hooked {
        exec.run(&render.create_rows(t))?;
        exec.run(&render.copy_rows(t))?;
        for_each_row(&mut exec, &render, t, hooks.before_delete)?;
    }
    // Trees go level by level unless they are deep and narrow (see `Tree::by_levels`).
    let mut levelled: Vec<(Tree, i64)> = Vec::new();
    let mut defer = plan.defer_foreign_keys;
    for tree in Tree::all(schema, plan) {
        let deepest = exec.rows(&render.deepest_level(tree.table).sql, &[])?;
        match deepest.first().and_then(|row| row.first()) {
            Some(&Value::Integer(d)) if tree.by_levels(sizes[tree.table], d) => {
                levelled.push((tree, d));
            }
            // A tree that goes whole needs its key set, which only some trees filled.
            _ => {
                if !tree.keys_read(schema, plan) {
                    exec.run(&render.keys_from_levels(tree.table))?;
                }
            }
        }
    }
    // A table that references itself with NO ACTION, deleted in ranges of keys that may split
    // a parent from its children, or by levels with a root below a doomed row: checked at
    // commit, as the whole delete is.
    defer |= plan.deletes.iter().any(|&t| {
        schema
            .foreign_keys
            .iter()
            .any(|fk| fk.table == t && fk.target == t && fk.on_delete == OnDelete::NoAction)
    });
    let levelled_tree = |t: TableId| levelled.iter().find(|(tree, _)| tree.table == t);
    // Deferred for this delete only: a caller's transaction that goes on after it has its own
    // statements checked as it had them checked (the pragma lasts until the transaction ends).
    let restore = defer && {
        let on = exec.rows("PRAGMA defer_foreign_keys", &[])?;
        !matches!(
            on.first().and_then(|row| row.first()),
            Some(Value::Integer(1))
        )
    };
    if restore {
        exec.execute("PRAGMA defer_foreign_keys = ON", &[])?;
    }
    for (tree, _) in levelled.iter().filter(|(t, _)| t.unlinks_roots()) {
        exec.run(&render.unlink_roots(tree.table, tree.column))?;
    }
    for u in &plan.unlinks {
        if levelled_tree(u.table).is_some_and(|(t, _)| t.column == u.column) {
            continue;
        }
        in_key_ranges(
            &mut exec,
            &render,
            u.table,
            sizes[u.table],
            |exec, after, upto, bounds| {
                exec.execute(&render.unlink(u.table, u.column, after, upto), &bounds)
            },
        )?;
    }
    let mut report = DeleteReport::default();
    report.roots = roots;
    for d in &plan.detaches {
        let value = if d.to_default {
            schema.tables[d.table].meta.columns[d.column]
                .default
                .map_or(Value::Null, |f| f())
        } else {
            Value::Null
        };
        let deleted = in_plan(plan, d.table);
        let parents = sizes[d.referenced];
        let rows = in_parent_ranges(
            &mut exec,
            &render,
            d.referenced,
            parents,
            |exec, after, upto, bounds| {
                let mut params = vec![value.clone()];
                params.extend(bounds);
                exec.execute(&render.detach(d, deleted, after, upto), &params)
            },
        )?;
        if rows > 0 {
            report.add_detached(
                schema.name(d.table),
                schema.column_name(d.table, d.column),
                d.to_default,
                rows,
            );
        }
    }
    for &t in &plan.deletes {
        if let Some(&(tree, deepest)) = levelled_tree(t) {
            delete_levels(&mut exec, &render, tree.table, deepest, sizes[t])?;
            report.add_deleted(schema.name(t), sizes[t]);
            continue;
        }
        if let Some(edge) = plan.inline_edge(t) {
            let rows = delete_inline(&mut exec, &render, edge, sizes[edge.from])?;
            report.add_deleted(schema.name(t), rows);
            continue;
        }
        let rows = delete_keys(&mut exec, &render, t, sizes[t])?;
        // A database-level cascade inside a loop may have removed some rows already.
        let rows = if plan.count_keys.contains(&t) {
            sizes[t]
        } else {
            rows
        };
        report.add_deleted(schema.name(t), rows);
    }
    if restore {
        exec.execute("PRAGMA defer_foreign_keys = OFF", &[])?;
    }
    for &(t, hooks) in &hooked {
        for_each_row(&mut exec, &render, t, hooks.after_delete)?;
        exec.run(&render.clear_rows(t))?;
    }
    clear(&mut exec, &render, plan)?;
    report.add_statements(Runner::statements(&exec), Runner::round_trips(&exec));
    Ok(report)
}

/// Deletes the rows in `t`'s key set (`size` keys). SQLite remembers the rows a multi-row
/// `DELETE` removes in memory before removing them, so a key set larger than [`DELETE_CHUNK`]
/// goes in ranges of that many keys, in key order (the same prepared statements, executed
/// again): memory stays bounded, and sorted ranges keep the page cache warm.
fn delete_keys(
    exec: &mut SqliteRunner<'_>,
    render: &Sql<'_>,
    t: TableId,
    size: usize,
) -> Result<usize> {
    in_key_ranges(exec, render, t, size, |exec, after, upto, bounds| {
        exec.execute(&render.delete_range(t, after, upto), &bounds)
    })
}

/// Deletes a tree of `size` keys level by level, from `deepest` up (see [`Tree`]); a level in
/// ranges of [`DELETE_CHUNK`] keys when the tree is larger than that. Some rows may be gone
/// before their level when the foreign key cascades (a root below another root): the caller
/// counts the key set.
fn delete_levels(
    exec: &mut SqliteRunner<'_>,
    render: &Sql<'_>,
    t: TableId,
    deepest: i64,
    size: usize,
) -> Result<()> {
    for d in (0..=deepest).rev() {
        let level = Value::Integer(d);
        if size <= delete_chunk() {
            exec.execute(&render.delete_level(t, false, false), &[level])?;
            continue;
        }
        let mut after: Option<Value> = None;
        loop {
            let mut params = vec![level.clone()];
            params.extend(after.clone());
            params.push(Value::Integer(delete_chunk() as i64 - 1));
            let upper = exec
                .rows(&render.level_bound(t, after.is_some()), &params)?
                .pop()
                .and_then(|mut row| row.pop());
            let mut bounds = vec![level.clone()];
            bounds.extend(after.clone());
            bounds.extend(upper.clone());
            let sql = render.delete_level(t, after.is_some(), upper.is_some());
            exec.execute(&sql, &bounds)?;
            match upper {
                Some(upper) => after = Some(upper),
                None => break,
            }
        }
    }
    Ok(())
}

/// Runs `run` over the rows of `t`'s key set (`size` keys): once when there are at most
/// [`DELETE_CHUNK`], otherwise once per range of that many keys, in key order (see
/// [`in_ranges`]).
fn in_key_ranges(
    exec: &mut SqliteRunner<'_>,
    render: &Sql<'_>,
    t: TableId,
    size: usize,
    run: impl FnMut(&mut SqliteRunner<'_>, bool, bool, Vec<Value>) -> Result<usize>,
) -> Result<usize> {
    in_ranges(exec, render, t, size, delete_chunk(), None, run)
}

/// Runs `run` once when `keys` (the size of `table`'s key set) is at most `span`; otherwise
/// once per range of `span` keys of that key set, in key order. With `per_key`, `span` is
/// re-sized after each range from the rows it reached per key, so that a range reaches about
/// that many rows. `run` gets whether the range has a lower and an upper bound, and the bounds'
/// values.
fn in_ranges(
    exec: &mut SqliteRunner<'_>,
    render: &Sql<'_>,
    table: TableId,
    keys: usize,
    mut span: usize,
    per_key: Option<usize>,
    mut run: impl FnMut(&mut SqliteRunner<'_>, bool, bool, Vec<Value>) -> Result<usize>,
) -> Result<usize> {
    if keys <= span {
        return run(exec, false, false, Vec::new());
    }
    let mut total = 0;
    let mut after: Option<Vec<Value>> = None;
    loop {
        let bound = render.chunk_bound(table, after.is_some(), span);
        let mut params = after.clone().unwrap_or_default();
        params.extend(bound.params.iter().cloned());
        let upper = exec.rows(&bound.sql, &params)?.pop();
        let mut bounds = after.clone().unwrap_or_default();
        bounds.extend(upper.iter().flatten().cloned());
        let rows = run(exec, after.is_some(), upper.is_some(), bounds)?;
        total += rows;
        if let Some(target) = per_key {
            span = (target / (rows / span).max(1)).clamp(1, target);
        }
        match upper {
            Some(upper) => after = Some(upper),
            None => return Ok(total),
        }
    }
}

/// Deletes a leaf without a key set through its edge, in ranges of parent keys when there
/// are many (see [`in_parent_ranges`]).
fn delete_inline(
    exec: &mut SqliteRunner<'_>,
    render: &Sql<'_>,
    edge: &Edge,
    parents: usize,
) -> Result<usize> {
    in_parent_ranges(
        exec,
        render,
        edge.from,
        parents,
        |exec, after, upto, bounds| exec.execute(&render.delete_inline(edge, after, upto), &bounds),
    )
}

/// Runs `run` over the rows found through the keys of `parent` (`parents` of them): with at
/// most [`INLINE_PARENTS`] keys, once; otherwise once per range of parent keys, in key order,
/// each range sized so that it reaches about [`DELETE_CHUNK`] rows (the first range measures
/// how many rows a parent key has). SQLite holds the rows of one multi-row `DELETE` or
/// `UPDATE` in memory, so this bounds memory whatever the number of rows. `run` gets whether
/// the range has a lower and an upper bound, and the bounds' values.
fn in_parent_ranges(
    exec: &mut SqliteRunner<'_>,
    render: &Sql<'_>,
    parent: TableId,
    parents: usize,
    run: impl FnMut(&mut SqliteRunner<'_>, bool, bool, Vec<Value>) -> Result<usize>,
) -> Result<usize> {
    in_ranges(
        exec,
        render,
        parent,
        parents,
        inline_parents(),
        Some(delete_chunk()),
        run,
    )
}

/// Levels up to which a tree always goes level by level (see [`Tree::by_levels`]).
const LEVELS_ALWAYS: usize = 64;

/// Rows per level, on average, from which a deeper tree goes level by level.
const ROWS_PER_LEVEL: usize = 16;

/// Parent keys up to which the rows found through them are changed in one statement (see
/// [`in_parent_ranges`]).
pub(crate) const INLINE_PARENTS: usize = 1_024;

/// Keys deleted per statement, at most (see [`delete_keys`]).
pub(crate) const DELETE_CHUNK: usize = 131_072;

thread_local! {
    /// [`INLINE_PARENTS`] and [`DELETE_CHUNK`], unless a test lowered them on this thread (see
    /// [`set_range_thresholds`]). Per thread: a delete runs on its caller's thread, and tests
    /// run in parallel threads whose statement counts must not change under each other.
    static THRESHOLDS: std::cell::Cell<(usize, usize)> =
        const { std::cell::Cell::new((INLINE_PARENTS, DELETE_CHUNK)) };
}

fn inline_parents() -> usize {
    THRESHOLDS.with(|t| t.get().0)
}

fn delete_chunk() -> usize {
    THRESHOLDS.with(|t| t.get().1)
}

/// For tests only, not part of the API: the thresholds of `INLINE_PARENTS` and `DELETE_CHUNK`
/// for the SQLite deletes this thread runs from now on (each at least 1), so that ranges of
/// keys and of parent keys run on small data. Returns the previous values;
/// `set_range_thresholds(INLINE_PARENTS, DELETE_CHUNK)` restores the defaults.
pub fn set_range_thresholds(inline_parents: usize, delete_chunk: usize) -> (usize, usize) {
    assert!(
        inline_parents >= 1 && delete_chunk >= 1,
        "range thresholds must be at least 1"
    );
    THRESHOLDS.with(|t| t.replace((inline_parents, delete_chunk)))
}

/// Refuses (with [`Error::PlanChanged`]) when the rows the plan reaches now differ in number
/// from what the dry run `expected` counted.
fn verify(
    exec: &mut SqliteRunner<'_>,
    render: &Sql<'_>,
    plan: &Cascade,
    expected: &DeletePlan,
    sizes: &[usize],
) -> Result<()> {
    let schema = render.schema;
    for &t in &plan.tables {
        let now = match plan.inline_edge(t) {
            Some(edge) => exec.count(&render.count_inline(edge))? as usize,
            None => sizes[t],
        };
        let planned = expected.count(schema.name(t));
        if now != planned {
            return Err(Error::PlanChanged {
                table: schema.name(t).to_owned(),
                planned,
                now,
            });
        }
    }
    for d in &plan.detaches {
        let now = exec.count(&render.count_detach(d, in_plan(plan, d.table)))? as usize;
        let planned = if d.to_default {
            expected.defaulted(schema.name(d.table))
        } else {
            expected.nulled(schema.name(d.table))
        };
        if now != planned {
            return Err(Error::PlanChanged {
                table: schema.name(d.table).to_owned(),
                planned,
                now,
            });
        }
    }
    Ok(())
}

/// Calls `hook` on every row of `t`'s rows table, [`HOOK_BATCH`] rows at a time.
fn for_each_row(
    exec: &mut SqliteRunner<'_>,
    render: &Sql<'_>,
    t: TableId,
    hook: fn(Vec<Value>, &HookContext<'_>) -> Result<()>,
) -> Result<()> {
    let ctx = HookContext::sqlite(exec.conn, render.schema.name(t));
    let sql = render.rows_batch(t);
    let mut after = Value::Integer(0);
    loop {
        let batch = exec.rows(&sql, &[after.clone(), Value::Integer(HOOK_BATCH as i64)])?;
        if batch.is_empty() {
            return Ok(());
        }
        for mut row in batch {
            after = row.remove(0);
            hook(row, &ctx)?;
        }
    }
}

/// Computes a plan's counts without changing anything but the (cleared) key sets.
pub(crate) fn preview(
    runner: &mut SqliteRunner<'_>,
    schema: &Schema,
    plan: &Cascade,
    roots: Roots,
    first_keys: usize,
) -> Result<DeletePlan> {
    let render = Sql::sqlite(schema);
    let mut exec = SqliteRunner::new(runner.conn);
    let origin = PlanOrigin {
        model: schema.tables[plan.root].meta,
        roots: roots.clone(),
    };
    let mut counts = collect_keys(&mut exec, &render, plan, roots, true)?.sizes;
    for edge in &plan.inline {
        counts[edge.to] = exec.count(&render.count_inline(edge))? as usize;
    }
    let mut listed = Vec::new();
    for &t in &plan.tables {
        if first_keys > 0 && counts[t] > 0 {
            let stmt = match plan.inline_edge(t) {
                Some(edge) => render.first_keys_inline(edge, first_keys),
                None => render.first_keys(t, first_keys),
            };
            let keys = exec
                .rows(&stmt.sql, &stmt.params)?
                .into_iter()
                .map(Key::new)
                .collect();
            listed.push((schema.name(t).to_owned(), keys));
        }
    }
    let detached: Vec<usize> = plan
        .detaches
        .iter()
        .map(|d| {
            exec.count(&render.count_detach(d, in_plan(plan, d.table)))
                .map(|n| n as usize)
        })
        .collect::<Result<_>>()?;
    clear(&mut exec, &render, plan)?;
    Ok(DeletePlan::build(
        schema, plan, origin, &counts, &detached, listed,
    ))
}
