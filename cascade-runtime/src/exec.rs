//! Running statements on SQLite: binding [`Value`]s, the prepared-statement cache, tracing,
//! and the execution of a delete [`Cascade`].

use rusqlite::types::{ToSqlOutput, ValueRef};
use std::time::Instant;

use rusqlite::{Connection, ToSql};

use crate::error::{Blocker, Error, Result, BLOCKING_KEYS};
use crate::hooks::{HookContext, Hooks, HOOK_BATCH};
use crate::plan::{Cascade, Collect, Edge};
use crate::report::{DeletePlan, DeleteReport, PlanAction, PlanNode, PlanOrigin};
use crate::schema::{Schema, TableId};
use crate::sql::{Sql, Statement};
use crate::value::{Key, Value};

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// A value read from a row.
pub(crate) fn value_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// A statement held prepared while it runs again and again, with its text for tracing.
pub(crate) struct Prepared<'c> {
    sql: String,
    stmt: rusqlite::CachedStatement<'c>,
}

/// Runs statements on one connection, counting them and tracing each at debug level
/// (target `cascade_runtime::sql`) with its affected rows.
pub(crate) struct Executor<'c> {
    conn: &'c Connection,
    statements: usize,
}

impl<'c> Executor<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        Executor {
            conn,
            statements: 0,
        }
    }

    /// Statements run so far.
    pub fn statements(&self) -> usize {
        self.statements
    }

    /// Runs a statement that returns no rows; returns the rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<usize> {
        let start = clock();
        let mut stmt = self.conn.prepare_cached(sql).map_err(failed(sql))?;
        let rows = stmt
            .execute(rusqlite::params_from_iter(params))
            .map_err(failed(sql))?;
        // SQLite reports the last INSERT, UPDATE or DELETE's count for any other statement.
        let rows = if changes_rows(sql) { rows } else { 0 };
        self.statements += 1;
        let micros = elapsed_micros(start);
        tracing::debug!(target: "cascade_runtime::sql", rows, micros, sql, "executed");
        Ok(rows)
    }

    /// Runs a [`Statement`].
    pub fn run(&mut self, stmt: &Statement) -> Result<usize> {
        self.execute(&stmt.sql, &stmt.params)
    }

    /// Runs a query returning one integer (a count).
    pub fn count(&mut self, stmt: &Statement) -> Result<u64> {
        let sql = stmt.sql.as_str();
        let start = clock();
        let mut prepared = self.conn.prepare_cached(sql).map_err(failed(sql))?;
        let n: i64 = prepared
            .query_row(rusqlite::params_from_iter(&stmt.params), |r| r.get(0))
            .map_err(failed(sql))?;
        self.statements += 1;
        let micros = elapsed_micros(start);
        tracing::debug!(target: "cascade_runtime::sql", rows = n, micros, sql, "counted");
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Runs a query and maps every row to its values.
    pub fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>> {
        let start = clock();
        let mut prepared = self.conn.prepare_cached(sql).map_err(failed(sql))?;
        let width = prepared.column_count();
        let mut rows = prepared
            .query(rusqlite::params_from_iter(params))
            .map_err(failed(sql))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(failed(sql))? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(value_of(row.get_ref(i).map_err(failed(sql))?));
            }
            out.push(values);
        }
        self.statements += 1;
        let micros = elapsed_micros(start);
        tracing::debug!(target: "cascade_runtime::sql", rows = out.len(), micros, sql, "queried");
        Ok(out)
    }

    /// Prepares a statement that will be run many times (taken from the connection's cache,
    /// and returned to it when dropped).
    pub fn prepare(&self, sql: String) -> Result<Prepared<'c>> {
        let stmt = self.conn.prepare_cached(&sql).map_err(failed(&sql))?;
        Ok(Prepared { sql, stmt })
    }

    /// Runs a prepared statement that returns no rows; returns the rows it changed.
    pub fn execute_prepared<'v>(
        &mut self,
        p: &mut Prepared<'c>,
        params: impl IntoIterator<Item = &'v Value>,
    ) -> Result<usize> {
        let start = clock();
        let rows = p
            .stmt
            .execute(rusqlite::params_from_iter(params))
            .map_err(failed(&p.sql))?;
        self.statements += 1;
        let micros = elapsed_micros(start);
        tracing::debug!(target: "cascade_runtime::sql", rows, micros, sql = p.sql.as_str(), "executed");
        Ok(rows)
    }

    /// Runs a prepared query; returns whether it returned a row.
    pub fn exists_prepared(&mut self, p: &mut Prepared<'c>, params: &[Value]) -> Result<bool> {
        let start = clock();
        let found = p
            .stmt
            .exists(rusqlite::params_from_iter(params))
            .map_err(failed(&p.sql))?;
        self.statements += 1;
        let micros = elapsed_micros(start);
        let rows = u64::from(found);
        tracing::debug!(target: "cascade_runtime::sql", rows, micros, sql = p.sql.as_str(), "queried");
        Ok(found)
    }

    /// The key the database assigned to the last inserted row.
    pub fn last_insert_rowid(&self) -> i64 {
        self.conn.last_insert_rowid()
    }
}

/// Whether `sql` is a statement whose changed rows SQLite counts (`INSERT`, `UPDATE`,
/// `DELETE`, `REPLACE`, or one of them after `WITH`); for DDL and the rest it repeats the last
/// such statement's count.
fn changes_rows(sql: &str) -> bool {
    let first = sql
        .trim_start()
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    ["INSERT", "UPDATE", "DELETE", "REPLACE", "WITH"]
        .iter()
        .any(|k| first.eq_ignore_ascii_case(k))
}

/// When statements are traced: now (their duration is reported); otherwise nothing, so that
/// an untraced statement does not read the clock.
fn clock() -> Option<Instant> {
    tracing::enabled!(target: "cascade_runtime::sql", tracing::Level::DEBUG).then(Instant::now)
}

fn elapsed_micros(start: Option<Instant>) -> u64 {
    start.map_or(0, |s| {
        u64::try_from(s.elapsed().as_micros()).unwrap_or(u64::MAX)
    })
}

/// Wraps a driver error with the statement that failed; the statement's text is only
/// formatted when there is an error.
fn failed(sql: &str) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
    move |source| Error::Database {
        context: context(sql),
        source,
    }
}

fn context(sql: &str) -> String {
    format!(
        "executing `{}`",
        sql.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// Which rows of the root table a delete starts from.
#[derive(Debug, Clone)]
pub(crate) enum Roots {
    /// One row by primary key (one value per key column).
    Key(Vec<Value>),
    /// Rows matching a caller's SQL condition over the root table, with its parameters.
    Where { clause: String, params: Vec<Value> },
    /// The first `limit` rows, in key order, matching a caller's condition (one chunk of a
    /// chunked delete).
    WhereLimit {
        clause: String,
        params: Vec<Value>,
        limit: usize,
    },
}

/// Fills the key sets of a plan and runs its checks: everything but the changes.
///
/// Returns the size of every key set (indexed by table), counted from the rows each statement
/// added, without another query.
fn prepare(
    exec: &mut Executor<'_>,
    render: &Sql<'_>,
    plan: &Cascade,
    roots: Roots,
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
            Collect::Closure { table, edges } => {
                sizes[*table] += exec.run(&render.closure(*table, edges))?;
            }
            Collect::Recursive { tables, edges } => {
                exec.run(&render.create_loop_keys())?;
                exec.run(&render.recursive(tables, edges))?;
                for (tag, &t) in tables.iter().enumerate() {
                    sizes[t] += exec.run(&render.take_loop_keys(t, tag))?;
                }
                exec.run(&render.clear_loop_keys())?;
            }
            Collect::Fixpoint(edges) => loop {
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

/// What [`prepare`] collected.
struct KeySets {
    /// The size of every key set, by table.
    sizes: Vec<usize>,
    /// The rows the call matched itself, before any cascade.
    roots: usize,
}

fn in_plan(plan: &Cascade, t: TableId) -> bool {
    plan.tables.contains(&t)
}

fn clear(exec: &mut Executor<'_>, render: &Sql<'_>, plan: &Cascade) -> Result<()> {
    for t in plan.keyed() {
        exec.run(&render.clear_keys(t))?;
    }
    Ok(())
}

/// Runs a delete. The caller provides the transaction (a savepoint) and rolls it back on error.
pub(crate) fn delete(
    conn: &Connection,
    schema: &Schema,
    plan: &Cascade,
    roots: Roots,
    expected: Option<&DeletePlan>,
) -> Result<DeleteReport> {
    let render = Sql::sqlite(schema);
    let mut exec = Executor::new(conn);
    let KeySets { sizes, roots } = prepare(&mut exec, &render, plan, roots)?;
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
    if plan.defer_foreign_keys {
        exec.execute("PRAGMA defer_foreign_keys = ON", &[])?;
    }
    for u in &plan.unlinks {
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
    for &(t, hooks) in &hooked {
        for_each_row(&mut exec, &render, t, hooks.after_delete)?;
        exec.run(&render.clear_rows(t))?;
    }
    clear(&mut exec, &render, plan)?;
    report.add_statements(exec.statements());
    Ok(report)
}

/// Deletes the rows in `t`'s key set (`size` keys). SQLite remembers the rows a multi-row
/// `DELETE` removes in memory before removing them, so a key set larger than [`DELETE_CHUNK`]
/// goes in ranges of that many keys, in key order (the same prepared statements, executed
/// again): memory stays bounded, and sorted ranges keep the page cache warm.
fn delete_keys(
    exec: &mut Executor<'_>,
    render: &Sql<'_>,
    t: TableId,
    size: usize,
) -> Result<usize> {
    in_key_ranges(exec, render, t, size, |exec, after, upto, bounds| {
        exec.execute(&render.delete_range(t, after, upto), &bounds)
    })
}

/// Runs `run` over the rows of `t`'s key set (`size` keys): once when there are at most
/// [`DELETE_CHUNK`], otherwise once per range of that many keys, in key order (see
/// [`in_ranges`]).
fn in_key_ranges(
    exec: &mut Executor<'_>,
    render: &Sql<'_>,
    t: TableId,
    size: usize,
    run: impl FnMut(&mut Executor<'_>, bool, bool, Vec<Value>) -> Result<usize>,
) -> Result<usize> {
    in_ranges(exec, render, t, size, DELETE_CHUNK, None, run)
}

/// Runs `run` once when `keys` (the size of `table`'s key set) is at most `span`; otherwise
/// once per range of `span` keys of that key set, in key order. With `per_key`, `span` is
/// re-sized after each range from the rows it reached per key, so that a range reaches about
/// that many rows. `run` gets whether the range has a lower and an upper bound, and the bounds'
/// values.
fn in_ranges(
    exec: &mut Executor<'_>,
    render: &Sql<'_>,
    table: TableId,
    keys: usize,
    mut span: usize,
    per_key: Option<usize>,
    mut run: impl FnMut(&mut Executor<'_>, bool, bool, Vec<Value>) -> Result<usize>,
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
    exec: &mut Executor<'_>,
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
    exec: &mut Executor<'_>,
    render: &Sql<'_>,
    parent: TableId,
    parents: usize,
    run: impl FnMut(&mut Executor<'_>, bool, bool, Vec<Value>) -> Result<usize>,
) -> Result<usize> {
    in_ranges(
        exec,
        render,
        parent,
        parents,
        INLINE_PARENTS,
        Some(DELETE_CHUNK),
        run,
    )
}

/// Parent keys up to which the rows found through them are changed in one statement (see
/// [`in_parent_ranges`]).
pub(crate) const INLINE_PARENTS: usize = 1_024;

/// Keys deleted per statement, at most (see [`delete_keys`]).
pub(crate) const DELETE_CHUNK: usize = 131_072;

/// Refuses (with [`Error::PlanChanged`]) when the rows the plan reaches now differ in number
/// from what the dry run `expected` counted.
fn verify(
    exec: &mut Executor<'_>,
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
    exec: &mut Executor<'_>,
    render: &Sql<'_>,
    t: TableId,
    hook: fn(Vec<Value>, &HookContext<'_>) -> Result<()>,
) -> Result<()> {
    let ctx = HookContext {
        conn: exec.conn,
        table: render.schema.name(t),
    };
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
    conn: &Connection,
    schema: &Schema,
    plan: &Cascade,
    roots: Roots,
    first_keys: usize,
) -> Result<DeletePlan> {
    let render = Sql::sqlite(schema);
    let mut exec = Executor::new(conn);
    let origin = PlanOrigin {
        model: schema.tables[plan.root].meta,
        roots: roots.clone(),
    };
    let mut counts = prepare(&mut exec, &render, plan, roots)?.sizes;
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
    let node = |t: TableId, via: Option<String>| PlanNode {
        table: schema.name(t).to_owned(),
        action: PlanAction::Delete,
        via,
        rows: counts[t],
        children: Vec::new(),
    };
    // Build the tree from the discovery edges: each table under the table that first reached it.
    let mut nodes: Vec<Option<PlanNode>> = (0..schema.tables.len()).map(|_| None).collect();
    nodes[plan.root] = Some(node(plan.root, None));
    for edge in &plan.reached_by {
        nodes[edge.to] = Some(node(edge.to, Some(via_name(schema, edge))));
    }
    let mut detached: Vec<(TableId, PlanNode)> = Vec::new();
    for d in &plan.detaches {
        let rows = exec.count(&render.count_detach(d, in_plan(plan, d.table)))? as usize;
        if rows > 0 {
            detached.push((
                d.referenced,
                PlanNode {
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
                },
            ));
        }
    }
    clear(&mut exec, &render, plan)?;
    for (parent, n) in detached {
        if let Some(p) = nodes[parent].as_mut() {
            p.children.push(n);
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
    Ok(DeletePlan {
        root,
        first_keys: listed,
        origin: Some(origin),
    })
}

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
mod tests {
    use super::changes_rows;

    #[test]
    fn only_data_changes_count_rows() {
        for sql in [
            "INSERT INTO t VALUES (1)",
            "  update t SET a = 1",
            "DELETE FROM t",
            "WITH x AS (SELECT 1) DELETE FROM t",
        ] {
            assert!(changes_rows(sql), "{sql}");
        }
        for sql in [
            "CREATE TABLE t (a)",
            "CREATE INDEX i ON t (a)",
            "DROP TABLE t",
            "BEGIN",
            "SELECT 1",
            "",
        ] {
            assert!(!changes_rows(sql), "{sql}");
        }
    }
}
