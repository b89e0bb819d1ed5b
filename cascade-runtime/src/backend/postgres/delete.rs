//! The delete algorithm on PostgreSQL. A planned [`Cascade`] compiles into one `WITH
//! RECURSIVE` clause that defines every key set as a CTE — the roots, one `UNION` of edges per
//! table, a recursive CTE per self-reference and a tagged one per loop of tables — and every
//! statement of the delete starts with it, so the key sets stay on the server and no
//! temporary table is needed.
//!
//! A loop's tagged CTE ([`loop_defs`]) serves [`Collect::Recursive`] and
//! [`Collect::Fixpoint`] alike: its rows are a table's tag and a key, each key column in a
//! column of its own type (the others `NULL`), so keys of any types and number of columns
//! join and compare exactly as in their tables — also a table with a composite key that
//! references itself through a unique column. Where SQLite runs a fixpoint's edges again
//! until none adds a key, PostgreSQL closes it in the one query; `UNION` keeps each key once,
//! so loops in the data end.
//!
//! The statements, each one round trip:
//!
//! 1. lock every doomed row that a foreign key references (`FOR UPDATE`), the roots first,
//!    again until no row appeared under them, and count the rows that block (checks) — see
//!    [`lock`];
//! 2. the rows of hooked tables, read through cursors declared before anything changes;
//! 3. the changes: one `UPDATE` per detach, then one `DELETE` per table, children first — or,
//!    where a later statement would compute a key set from rows an earlier one changed (a
//!    loop of tables, a many-to-one target, a clause with a subquery; see
//!    [`Program::in_one_statement`]), all of them as one statement of data-modifying CTEs,
//!    whose key sets come from one snapshot and whose foreign keys PostgreSQL checks at its
//!    end (so loops need neither SQLite's unlinks nor deferred constraints).
//!
//! Their number depends on the schema only: a cascade over a million rows is as many
//! statements as over one row.
//!
//! The session's own transaction is `READ COMMITTED`: once the doomed rows are locked, a row
//! another transaction adds under one of them waits for the delete to commit (and then fails
//! its foreign-key check, as it would on any deleted parent); rows added before are seen by
//! the changes statement and deleted with the rest. Nothing is orphaned, and a foreign-key
//! race that slips past the locks is [`Error::Conflict`], retryable.

use crate::error::{Blocker, DbError, Error, Result, BLOCKING_KEYS};
use crate::hooks::{HookContext, HOOK_BATCH};
use crate::plan::{Cascade, Check, Collect, Detach, Edge, Via};
use crate::report::{DeletePlan, DeleteReport, PlanOrigin};
use crate::runner::{Roots, Runner};
use crate::schema::{Schema, TableId};
use crate::sql::delete::TaggedKeys;
use crate::sql::{Dialect, Sql};
use crate::value::{Key, Value};

use super::{PgRunner, POSTGRES};

/// The CTE of the roots' keys.
const ROOTS: &str = "cascade_roots";

/// How a key set that is not recursive is defined: folded into each statement that uses it,
/// so that the planner sees its tables and their statistics (a materialized CTE is opaque: its
/// rows are guessed, and a delete of 900,000 rows through one ran twice as long, by nested
/// loops over spilled hash tables). PostgreSQL still materializes a clause with volatile
/// functions, so that every use sees the same rows; and all uses read one snapshot.
const INLINE: &str = "NOT MATERIALIZED ";

/// A cascade compiled for one call: the `WITH` clause of its key sets and the roots'
/// parameters, which every statement binds first.
struct Program<'a> {
    sql: Sql<'a>,
    plan: &'a Cascade,
    with: String,
    params: Vec<Value>,
    /// The caller's clause, for reporting its errors as [`Error::Clause`].
    clause: Option<String>,
    /// By table: left to the database's own `ON DELETE CASCADE` (see
    /// [`Cascade::left_to_database`]): not locked, not deleted by a statement of ours,
    /// counted from the transaction's statistics.
    native: Vec<bool>,
}

impl<'a> Program<'a> {
    /// `leave_to_database`: whether the connection counts deleted rows, so that tables may be
    /// left to the database's own cascade.
    fn compile(
        schema: &'a Schema,
        plan: &'a Cascade,
        roots: Roots,
        leave_to_database: bool,
    ) -> Result<Program<'a>> {
        let sql = Sql::new(schema, &POSTGRES);
        let root = plan.root;
        let (seed, params, clause) = match roots {
            Roots::Key(key) => (sql.seed_key_select(root, 1), key, None),
            Roots::Where { clause, params } => (
                sql.seed_where_select(root, &clause, None),
                params,
                Some(clause),
            ),
            Roots::WhereLimit {
                clause,
                mut params,
                limit,
            } => {
                params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
                // Parenthesized: its `ORDER BY ... LIMIT` may stand before a `UNION`.
                let seed = format!(
                    "({})",
                    sql.seed_where_select(root, &clause, Some(params.len()))
                );
                (seed, params, Some(clause))
            }
        };
        let n = schema.tables.len();
        // The roots get a CTE of their own: they are counted apart from the rows a
        // self-reference or a loop adds to the root table's key set.
        let mut defs = vec![format!(
            "{ROOTS}({}) AS {INLINE}({seed})",
            sql.key_columns(root)
        )];
        let mut seeds: Vec<Vec<String>> = vec![Vec::new(); n];
        seeds[root].push(format!("SELECT {} FROM {ROOTS}", sql.key_columns(root)));
        let mut closures: Vec<Option<&[Via]>> = vec![None; n];
        let mut loops: Vec<(&[TableId], &[Edge])> = Vec::new();
        for step in &plan.collect {
            match step {
                Collect::Edge(edge) => seeds[edge.to].push(sql.collect_select(edge)),
                Collect::Closure { table, edges } => closures[*table] = Some(edges),
                Collect::Recursive { tables, edges } | Collect::Fixpoint { tables, edges } => {
                    loops.push((tables, edges))
                }
            }
        }
        let mut in_loop = vec![false; n];
        for (i, &(tables, edges)) in loops.iter().enumerate() {
            defs.extend(loop_defs(&sql, i, tables, edges, &seeds));
            for &t in tables {
                in_loop[t] = true;
            }
        }
        for t in plan.keyed().filter(|&t| !in_loop[t]) {
            let cols = sql.key_columns(t);
            let body = seeds[t].join(" UNION ");
            defs.push(match closures[t] {
                Some(edges) => format!(
                    "{}({cols}) AS ({body} UNION {})",
                    sql.keys(t),
                    closure_term(&sql, t, edges)
                ),
                None => format!("{}({cols}) AS {INLINE}({body})", sql.keys(t)),
            });
        }
        Ok(Program {
            sql,
            plan,
            with: format!("WITH RECURSIVE {}", defs.join(",\n")),
            params,
            clause,
            native: match leave_to_database {
                true => plan.left_to_database(schema),
                false => vec![false; schema.tables.len()],
            },
        })
    }

    /// A statement: the key sets, then `body`.
    fn statement(&self, body: &str) -> String {
        format!("{}\n{body}", self.with)
    }

    /// The roots' parameters followed by `more`.
    fn params(&self, more: &[Value]) -> Vec<Value> {
        let mut params = self.params.clone();
        params.extend(more.iter().cloned());
        params
    }

    /// The number the next parameter after the roots' gets.
    fn next_param(&self) -> usize {
        self.params.len() + 1
    }

    /// A database error of a statement that holds the caller's clause, as [`Error::Clause`].
    fn clause_error(&self, e: Error) -> Error {
        match &self.clause {
            Some(clause) => e.in_clause(self.sql.schema.name(self.plan.root), clause),
            None => e,
        }
    }

    /// `(SELECT count(*) FROM ...)` of `t`'s key set, or of a leaf's rows through its edge.
    /// Distinct keys: a key set's CTE may hold a key more than once (one reached through a
    /// many-to-one or many-to-many edge from several rows).
    fn count(&self, t: TableId) -> String {
        match self.plan.inline_edge(t) {
            Some(edge) => format!(
                "(SELECT count(*) FROM {} WHERE {})",
                self.sql.table(t),
                self.sql.inline_filter(edge, false, false)
            ),
            None => format!(
                "(SELECT count(*) FROM (SELECT DISTINCT {} FROM {}) AS k)",
                self.sql.key_columns(t),
                self.sql.keys(t)
            ),
        }
    }

    /// The rows `d` would change, as a scalar subquery.
    fn count_detach(&self, d: &Detach) -> String {
        format!(
            "(SELECT count(*) FROM {} WHERE {})",
            self.sql.table(d.table),
            self.sql
                .referencing_filter(d.table, d.column, d.referenced, self.deleted(d.table))
        )
    }

    fn deleted(&self, t: TableId) -> bool {
        self.plan.tables.contains(&t)
    }

    /// The rows of `check.table` that block, as a `WHERE` condition.
    fn blocking(&self, check: &Check) -> String {
        let exclude_deleted = self.deleted(check.table) && !check.counts_deleted_rows();
        self.sql
            .referencing_filter(check.table, check.column, check.referenced, exclude_deleted)
    }

    /// Runs a statement of the key sets and `body` (which returns one row) with the roots'
    /// parameters; the caller's clause is blamed for its errors.
    fn query(&self, exec: &mut PgRunner<'_>, body: &str) -> Result<Vec<Value>> {
        Ok(exec
            .query(&self.statement(body), &self.params)
            .map_err(|e| self.clause_error(e))?
            .pop()
            .unwrap_or_default())
    }

    /// The error of the changes statement. A foreign-key violation there by a table of the
    /// schema can only be a row the delete did not see — the plan removes, detaches or has
    /// checked every row that references a doomed row through the schema's foreign keys — so
    /// another transaction added it: [`Error::Conflict`], retryable. (Unless a detach sets
    /// keys to their default, which may itself reference a doomed row.)
    fn conflict(&self, e: Error) -> Error {
        let Error::Database { context, source } = e else {
            return e;
        };
        let schema = self.sql.schema;
        let added = match &source {
            DbError::Postgres(pg) => pg.as_db_error().is_some_and(|db| {
                db.code().code() == "23503"
                    && db
                        .table()
                        .is_some_and(|t| schema.tables.iter().any(|x| x.meta.table == t))
            }),
            DbError::Sqlite(_) => false,
        };
        match added && !self.plan.detaches.iter().any(|d| d.to_default) {
            true => Error::Conflict {
                context: format!(
                    "{context} (another transaction added a row that references a row this \
                     delete removes)"
                ),
                source,
            },
            false => Error::Database { context, source },
        }
    }

    /// Columns that read whether the server counts each transaction's deleted rows
    /// (`track_counts`, as 0 or 1) and, for each table left to the database (in the plan's
    /// order of deletes), how many rows this transaction has deleted from it so far
    /// (`pg_stat_get_xact_tuples_deleted`, which counts what a foreign key's action removes
    /// too); none when no table is left. Their parameters (the tables' names) follow the
    /// roots'.
    fn deleted_so_far(&self) -> (Vec<String>, Vec<Value>) {
        let tables: Vec<Value> = self
            .plan
            .deletes
            .iter()
            .filter(|&&t| self.native[t])
            .map(|&t| Value::Text(self.sql.table(t)))
            .collect();
        if tables.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let first = self.next_param();
        let mut columns = vec!["current_setting('track_counts')::bool::int".to_owned()];
        columns.extend((0..tables.len()).map(|i| {
            format!(
                "pg_stat_get_xact_tuples_deleted(to_regclass({}))",
                POSTGRES.param(first + i)
            )
        }));
        (columns, tables)
    }

    /// The tables this delete removes rows from with statements of its own, children first.
    fn explicit(&self) -> impl Iterator<Item = TableId> + '_ {
        self.plan
            .deletes
            .iter()
            .copied()
            .filter(|&t| !self.native[t])
    }

    /// The count of rows blocking each check, as scalar subqueries.
    fn check_counts(&self) -> Vec<String> {
        self.plan
            .checks
            .iter()
            .map(|c| {
                format!(
                    "(SELECT count(*) FROM {} WHERE {})",
                    self.sql.table(c.table),
                    self.blocking(c)
                )
            })
            .collect()
    }

    /// Refuses the delete if any check's count (in the order of [`Program::check_counts`])
    /// is not zero, with every blocker and its first keys.
    fn refuse(&self, exec: &mut PgRunner<'_>, counts: &[Value]) -> Result<()> {
        let sql = &self.sql;
        let schema = sql.schema;
        let mut blockers = Vec::new();
        for (check, n) in self.plan.checks.iter().zip(counts) {
            let rows = count_of(n) as u64;
            if rows == 0 {
                continue;
            }
            let body = format!(
                "SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT {}",
                sql.pk_list(check.table),
                sql.table(check.table),
                self.blocking(check),
                sql.pk_list(check.table),
                POSTGRES.param(self.next_param())
            );
            let keys = exec.query(
                &self.statement(&body),
                &self.params(&[Value::Integer(BLOCKING_KEYS as i64)]),
            )?;
            blockers.push(Blocker {
                table: schema.name(check.table).to_owned(),
                column: schema.column_name(check.table, check.column).to_owned(),
                referenced_table: schema.name(check.referenced).to_owned(),
                rows,
                keys: keys.into_iter().map(|k| Key::new(k).to_string()).collect(),
                reason: check.reason,
            });
        }
        match blockers.is_empty() {
            true => Ok(()),
            false => Err(Error::blocked(blockers)),
        }
    }

    /// `pk IN (SELECT k.. FROM keys(t))`, or a leaf's filter through its edge.
    fn doomed(&self, t: TableId) -> String {
        match self.plan.inline_edge(t) {
            Some(edge) => self.sql.inline_filter(edge, false, false),
            None => self.sql.in_keys(self.sql.pk(t), t),
        }
    }

    /// Whether the changes must be one statement ([`Program::changes`]) rather than one per
    /// detach and per table — faster (PostgreSQL plans and checks each table's delete on its
    /// own), but each statement computes the key sets afresh, and a transaction sees its own
    /// deletes. One statement, then, when:
    ///
    /// - tables reference each other in a loop: PostgreSQL checks foreign keys at the end of a
    ///   statement, so a loop needs neither deferred constraints nor its keys set to `NULL`
    ///   first (the plan's unlinks, which SQLite needs, are left out; a self-reference is one
    ///   `DELETE` anyway);
    /// - a key set is computed from rows an earlier statement would delete (a many-to-one or
    ///   many-to-many target's keys come from the rows that referenced it, deleted first);
    /// - the roots come from the caller's clause and it holds a subquery, which may read rows
    ///   the delete removes or detaches before it deletes the roots.
    fn in_one_statement(&self) -> bool {
        let (plan, schema) = (self.plan, self.sql.schema);
        let subquery = self
            .clause
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().contains("select"));
        let loops_between_tables = plan
            .unlinks
            .iter()
            .any(|u| schema.fk(u.table, u.column).target != u.table);
        if subquery
            || plan.defer_foreign_keys
            || loops_between_tables
            || plan
                .collect
                .iter()
                .any(|c| matches!(c, Collect::Recursive { .. } | Collect::Fixpoint { .. }))
        {
            return true;
        }
        let n = schema.tables.len();
        // Which tables' rows, and which key sets, each key set is computed from.
        let mut rows: Vec<Vec<TableId>> = vec![Vec::new(); n];
        let mut keys: Vec<Vec<TableId>> = vec![Vec::new(); n];
        rows[plan.root].push(plan.root);
        let mut add = |edge: &Edge, rows: &mut Vec<Vec<TableId>>| {
            keys[edge.to].push(edge.from);
            rows[edge.to].push(match edge.via {
                Via::Referenced { .. } => edge.to,
                Via::Referencing { .. } => edge.from,
                Via::Secondary { assoc, .. } => assoc,
            });
            // A join through a column that is not the key reads the target's rows too.
            rows[edge.to].push(edge.to);
        };
        for step in &plan.collect {
            match step {
                Collect::Edge(edge) => add(edge, &mut rows),
                Collect::Closure { table, edges } => {
                    rows[*table].push(*table);
                    for via in edges {
                        if let Via::Secondary { assoc, .. } = via {
                            rows[*table].push(*assoc);
                        }
                    }
                }
                Collect::Recursive { .. } | Collect::Fixpoint { .. } => return true,
            }
        }
        for edge in &plan.inline {
            keys[edge.to].push(edge.from);
            rows[edge.to].push(edge.to);
        }
        // Every table a key set depends on, through the key sets it is computed from.
        let needs = |t: TableId| -> Vec<TableId> {
            let mut seen = vec![false; n];
            let mut stack = vec![t];
            let mut out = Vec::new();
            while let Some(u) = stack.pop() {
                if std::mem::replace(&mut seen[u], true) {
                    continue;
                }
                out.extend(rows[u].iter().copied());
                stack.extend(keys[u].iter().copied());
            }
            out
        };
        let mut deleted = vec![false; n];
        for &t in &plan.deletes {
            if needs(t).iter().any(|&u| deleted[u]) {
                return true;
            }
            deleted[t] = true;
        }
        false
    }

    /// One detach as its own statement: `UPDATE ... SET column = $n` on the rows that
    /// reference a doomed row and survive.
    fn detach(&self, d: &Detach) -> (String, Vec<Value>) {
        let sql = &self.sql;
        let schema = sql.schema;
        let value = match d.to_default {
            true => schema.tables[d.table].meta.columns[d.column]
                .default
                .map_or(Value::Null, |f| f()),
            false => Value::Null,
        };
        let body = format!(
            "UPDATE {} SET {} = {} WHERE {}",
            sql.table(d.table),
            sql.q(schema.column_name(d.table, d.column)),
            POSTGRES.param(self.next_param()),
            sql.referencing_filter(d.table, d.column, d.referenced, self.deleted(d.table))
        );
        (self.statement(&body), self.params(&[value]))
    }

    /// Every change of the delete as one statement of data-modifying CTEs over one snapshot:
    /// the detaches (one `UPDATE` per table, whatever the number of its detached columns: a
    /// statement changes a row once), then the deletes; it returns the rows each detach and
    /// each delete changed, in the plan's order. PostgreSQL checks the foreign keys at the
    /// statement's end, so neither the order of the deletes nor a loop of tables matters,
    /// and every key set is computed once, from the rows as they were — also where the
    /// caller's clause reads rows the delete removes or detaches.
    fn changes(&self) -> (String, Vec<Value>) {
        let sql = &self.sql;
        let schema = sql.schema;
        let plan = self.plan;
        let mut params = self.params.clone();
        let mut ctes = Vec::new();
        let mut counts = Vec::new();
        // Detaches grouped by table, in the plan's order of first appearance.
        let mut detached: Vec<TableId> = Vec::new();
        for d in &plan.detaches {
            if !detached.contains(&d.table) {
                detached.push(d.table);
            }
        }
        let mut flag_of = vec![(0, 0); plan.detaches.len()];
        for (u, &t) in detached.iter().enumerate() {
            let mut sets = Vec::new();
            let mut flags = Vec::new();
            let mut any = Vec::new();
            for (i, d) in plan
                .detaches
                .iter()
                .enumerate()
                .filter(|(_, d)| d.table == t)
            {
                let value = match d.to_default {
                    true => schema.tables[t].meta.columns[d.column]
                        .default
                        .map_or(Value::Null, |f| f()),
                    false => Value::Null,
                };
                params.push(value);
                let column = sql.q(schema.column_name(t, d.column));
                let flag = format!("d{}", flags.len());
                let filter = sql.referencing_filter(t, d.column, d.referenced, self.deleted(t));
                sets.push(format!(
                    "{column} = CASE WHEN cascade_detached.{flag} THEN {} ELSE {}.{column} END",
                    POSTGRES.param(params.len()),
                    sql.table(t)
                ));
                flags.push(format!("({filter}) AS {flag}"));
                any.push(format!("({filter})"));
                flag_of[i] = (u, flags.len() - 1);
            }
            let pk = &schema.tables[t].pk;
            let keys: Vec<String> = pk
                .iter()
                .enumerate()
                .map(|(k, &c)| format!("{} AS p{k}", sql.col(t, c)))
                .collect();
            let join: Vec<String> = pk
                .iter()
                .enumerate()
                .map(|(k, &c)| format!("{} = cascade_detached.p{k}", sql.col(t, c)))
                .collect();
            let returning: Vec<String> = (0..flags.len())
                .map(|k| format!("cascade_detached.d{k}"))
                .collect();
            ctes.push(format!(
                "cascade_detach_{u} AS (UPDATE {table} SET {sets} FROM (SELECT {keys}, {flags} \
                 FROM {table} WHERE {any}) AS cascade_detached WHERE {join} RETURNING {returning})",
                table = sql.table(t),
                sets = sets.join(", "),
                keys = keys.join(", "),
                flags = flags.join(", "),
                any = any.join(" OR "),
                join = join.join(" AND "),
                returning = returning.join(", "),
            ));
        }
        for &(u, k) in &flag_of {
            counts.push(format!(
                "(SELECT count(*) FROM cascade_detach_{u} WHERE d{k})"
            ));
        }
        for (i, t) in self.explicit().enumerate() {
            ctes.push(format!(
                "cascade_delete_{i} AS (DELETE FROM {} WHERE {} RETURNING 1)",
                sql.table(t),
                self.doomed(t)
            ));
            counts.push(format!("(SELECT count(*) FROM cascade_delete_{i})"));
        }
        let statement = format!(
            "{},\n{}\nSELECT {}",
            self.with,
            ctes.join(",\n"),
            counts.join(", ")
        );
        (statement, params)
    }
}

/// The recursive term of a self-referential key set: one edge as it is, several joined under
/// one reference to the key set (PostgreSQL allows a recursive query to name itself once).
fn closure_term(sql: &Sql<'_>, t: TableId, edges: &[Via]) -> String {
    let keys = sql.keys(t);
    match edges {
        [_] => sql.closure_terms(t, edges, &keys, "k0").remove(0),
        _ => {
            let terms = sql.closure_terms(t, edges, "(SELECT r0.k0 AS k0)", "k0");
            format!(
                "SELECT x.k0 FROM {keys} AS r0, LATERAL ({}) AS x(k0)",
                terms.join(" UNION ")
            )
        }
    }
}

/// The CTEs of a loop of tables ([`Collect::Recursive`] and [`Collect::Fixpoint`] alike): a
/// tagged recursive CTE over all of them, then each table's key set taken from it. A row of
/// the tagged CTE is a table's tag (its position in `tables`) and its key, every key column in
/// a column of its own type ([`TaggedKeys::typed`]), the others `NULL`: keys of any types and
/// number of columns, compared as their tables compare them. `UNION` keeps each key once, so
/// loops in the data end.
fn loop_defs(
    sql: &Sql<'_>,
    i: usize,
    tables: &[TableId],
    edges: &[Edge],
    seeds: &[Vec<String>],
) -> Vec<String> {
    let keys = TaggedKeys::typed(sql, tables);
    let columns = keys.names().join(", ");
    let name = sql.dialect.quote(&format!("cascade_loop_{i}"));
    let mut terms: Vec<String> = Vec::new();
    for (tag, &t) in tables.iter().enumerate() {
        let width = sql.schema.tables[t].pk.len();
        let key: Vec<String> = (0..width).map(|c| format!("s.k{c}")).collect();
        for seed in &seeds[t] {
            terms.push(format!(
                "SELECT {tag}, {} FROM ({seed}) AS s({})",
                keys.select(tag, &key),
                sql.key_columns(t)
            ));
        }
    }
    let steps = sql.loop_terms(tables, edges, &name, &keys);
    let recursive = match steps.as_slice() {
        [one] => one.clone(),
        _ => {
            // PostgreSQL allows the recursive term to name the CTE once: each row of it,
            // then every edge from that row.
            let row = || std::iter::once("t").chain(keys.names());
            let r0: Vec<String> = row().map(|c| format!("r0.{c} AS {c}")).collect();
            let rec = format!("(SELECT {})", r0.join(", "));
            let steps = sql.loop_terms(tables, edges, &rec, &keys);
            let x: Vec<String> = row().map(|c| format!("x.{c}")).collect();
            format!(
                "SELECT {} FROM {name} AS r0, LATERAL ({}) AS x(t, {columns})",
                x.join(", "),
                steps.join(" UNION ")
            )
        }
    };
    terms.push(recursive);
    let mut defs = vec![format!(
        "{name}(t, {columns}) AS ({})",
        terms.join(" UNION ")
    )];
    for (tag, &t) in tables.iter().enumerate() {
        defs.push(format!(
            "{}({}) AS {INLINE}(SELECT {} FROM {name} WHERE t = {tag})",
            sql.keys(t),
            sql.key_columns(t),
            keys.columns_of(tag)
        ));
    }
    defs
}

/// Runs a delete. The caller provides the transaction (a savepoint) and rolls it back on error.
pub(crate) fn delete(
    runner: &mut PgRunner<'_>,
    schema: &Schema,
    plan: &Cascade,
    roots: Roots,
    expected: Option<&DeletePlan>,
) -> Result<DeleteReport> {
    // A runner of its own, whose statements are this delete's.
    let mut exec = PgRunner::new(runner.conn);
    let mut program = Program::compile(schema, plan, roots, exec.conn.track_counts)?;
    // Tables left to the database's cascade are counted from the transaction's statistics,
    // read with the locks (rows a `before_delete` hook removes from them count as deleted).
    let (roots, left) = lock(&mut exec, &program)?;
    if left.is_none() {
        // The server stopped counting (`track_counts` off): every table explicitly.
        program.native.iter_mut().for_each(|n| *n = false);
    }
    if let Some(expected) = expected {
        verify(&mut exec, &program, expected)?;
    }
    let hooked: Vec<TableId> = plan
        .deletes
        .iter()
        .copied()
        .filter(|&t| schema.tables[t].meta.hooks.is_some())
        .collect();
    // Declared before anything changes: a cursor reads the rows as they were.
    for &t in &hooked {
        declare(&mut exec, &program, t, "before")?;
        declare(&mut exec, &program, t, "after")?;
    }
    for &t in &hooked {
        let hooks = schema.tables[t].meta.hooks.expect("hooked");
        for_each_row(&mut exec, schema, t, "before", hooks.before_delete)?;
    }
    let mut report = DeleteReport::default();
    report.roots = roots;
    let sql = &program.sql;
    // The rows each detach and each explicit delete changed, in the plan's order.
    let counts: Vec<usize> = match program.in_one_statement() {
        true => {
            let (statement, params) = program.changes();
            let row = exec
                .query(&statement, &params)
                .map_err(|e| program.conflict(e))?
                .pop()
                .unwrap_or_default();
            row.iter().map(count_of).collect()
        }
        false => {
            let mut counts = Vec::new();
            for d in &plan.detaches {
                let (statement, params) = program.detach(d);
                counts.push(exec.execute(&statement, &params)? as usize);
            }
            for t in program.explicit() {
                let body = format!("DELETE FROM {} WHERE {}", sql.table(t), program.doomed(t));
                let rows = exec
                    .execute(&program.statement(&body), &program.params)
                    .map_err(|e| program.conflict(e))?;
                counts.push(rows as usize);
            }
            counts
        }
    };
    let mut counts = counts.into_iter();
    for d in &plan.detaches {
        let rows = counts.next().unwrap_or(0);
        if rows > 0 {
            report.add_detached(
                schema.name(d.table),
                schema.column_name(d.table, d.column),
                d.to_default,
                rows,
            );
        }
    }
    // What the database's own cascade removed: the statistics' count now, less before.
    let left: Vec<usize> = match left {
        Some(before) if !before.is_empty() => {
            let (stats, params) = program.deleted_so_far();
            // After the roots' parameters, as in the lock statement (its key sets unused).
            let body = format!("SELECT {}", stats.join(", "));
            let row = exec
                .query(&program.statement(&body), &program.params(&params))?
                .pop()
                .unwrap_or_default();
            let after = row.iter().skip(1).map(count_of);
            after
                .zip(before)
                .map(|(a, b)| a.saturating_sub(b))
                .collect()
        }
        _ => Vec::new(),
    };
    let mut left = left.into_iter();
    for &t in &plan.deletes {
        let rows = match program.native[t] {
            true => left.next(),
            false => counts.next(),
        };
        report.add_deleted(schema.name(t), rows.unwrap_or(0));
    }
    for &t in &hooked {
        let hooks = schema.tables[t].meta.hooks.expect("hooked");
        for_each_row(&mut exec, schema, t, "after", hooks.after_delete)?;
    }
    for &t in &hooked {
        for phase in ["before", "after"] {
            exec.control(&format!("CLOSE {}", cursor(t, phase)))?;
        }
    }
    report.add_statements(exec.statements(), exec.round_trips());
    Ok(report)
}

fn count_of(value: &Value) -> usize {
    match value {
        Value::Integer(n) => usize::try_from(*n).unwrap_or(0),
        _ => 0,
    }
}

/// How many times [`lock`] takes its locks again while rows keep appearing under them, before
/// it goes on and leaves the rest to the foreign keys' own checks.
const LOCK_ROUNDS: usize = 8;

/// Locks every doomed row that a foreign key references — the roots, and the doomed rows of
/// each table that another references — runs the checks, and returns how many roots there are.
///
/// Adding a row under another takes a `KEY SHARE` lock on the referenced row, which `FOR
/// UPDATE` holds off: once a doomed row is locked, nothing can be added under it until the
/// delete commits. But under `READ COMMITTED` a row committed while the locking statement
/// waited is not in that statement's snapshot — a new child of a root, whose own children
/// would not be locked. So the locks are taken again in the next statement (a new snapshot),
/// with the checks, until the number of locked rows stops growing; the changes statement that
/// follows sees every row that was added before. (In a caller's `REPEATABLE READ` transaction
/// the snapshot is the transaction's: the rounds agree at once, and a row added meanwhile
/// makes the changes fail on a foreign key, which [`delete`] reports as a conflict.)
///
/// The last round also reads how many rows this transaction has deleted so far from each
/// table left to the database ([`Program::native`]); returned, with whether the server counts
/// them, or `None` when no table is.
fn lock(exec: &mut PgRunner<'_>, program: &Program<'_>) -> Result<(usize, Option<Vec<usize>>)> {
    let sql = &program.sql;
    let plan = program.plan;
    let schema = sql.schema;
    let locked = |t: TableId| {
        format!(
            "(SELECT count(*) FROM (SELECT 1 FROM {} WHERE {} FOR UPDATE) AS l)",
            sql.table(t),
            sql.in_keys(sql.pk(t), t)
        )
    };
    let mut locks = vec![locked(plan.root)];
    // The database's own cascade locks what it removes as it goes.
    for t in plan
        .keyed()
        .filter(|&t| t != plan.root && !program.native[t])
    {
        if schema.referencing(t).next().is_some() {
            locks.push(locked(t));
        }
    }
    // Only the roots locked, and nothing below them that could gain rows unseen: one round.
    let self_referencing = schema
        .referencing(plan.root)
        .any(|fk| fk.table == plan.root);
    let mut rounds_left = match locks.len() == 1 && !self_referencing {
        true => 0,
        false => LOCK_ROUNDS,
    };
    let counts = |more: &[String]| {
        let all: Vec<&String> = locks.iter().chain(more).collect();
        format!(
            "SELECT (SELECT count(*) FROM {ROOTS}), {}",
            all.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let checks = program.check_counts();
    let (stats, stats_params) = program.deleted_so_far();
    let with_checks = counts(&[checks.clone(), stats].concat());
    let final_params = program.params(&stats_params);
    let mut total = None;
    if rounds_left > 0 {
        let row = program.query(exec, &counts(&[]))?;
        total = Some(row[1..].iter().map(count_of).sum::<usize>());
    }
    loop {
        let row = exec
            .query(&program.statement(&with_checks), &final_params)
            .map_err(|e| program.clause_error(e))?
            .pop()
            .unwrap_or_default();
        let now: usize = row[1..=locks.len()].iter().map(count_of).sum();
        if rounds_left == 0 || total == Some(now) {
            let (blocking, stats) = row[1 + locks.len()..].split_at(checks.len());
            program.refuse(exec, blocking)?;
            let deleted = match stats.split_first() {
                Some((Value::Integer(1), counts)) => Some(counts.iter().map(count_of).collect()),
                _ => None,
            };
            return Ok((count_of(&row[0]), deleted));
        }
        total = Some(now);
        rounds_left -= 1;
    }
}

/// Every count a plan made earlier counted, now, in one statement; refuses on a difference.
fn verify(exec: &mut PgRunner<'_>, program: &Program<'_>, expected: &DeletePlan) -> Result<()> {
    let plan = program.plan;
    let schema = program.sql.schema;
    let mut counts: Vec<String> = plan.tables.iter().map(|&t| program.count(t)).collect();
    counts.extend(plan.detaches.iter().map(|d| program.count_detach(d)));
    let row = exec
        .query(
            &program.statement(&format!("SELECT {}", counts.join(", "))),
            &program.params,
        )?
        .pop()
        .unwrap_or_default();
    let planned = plan
        .tables
        .iter()
        .map(|&t| (t, expected.count(schema.name(t))));
    let detached = plan.detaches.iter().map(|d| {
        let table = schema.name(d.table);
        let n = match d.to_default {
            true => expected.defaulted(table),
            false => expected.nulled(table),
        };
        (d.table, n)
    });
    for ((t, planned), now) in planned.chain(detached).zip(&row) {
        let now = count_of(now);
        if now != planned {
            return Err(Error::PlanChanged {
                table: schema.name(t).to_owned(),
                planned,
                now,
            });
        }
    }
    Ok(())
}

/// The cursor over `t`'s doomed rows for one phase of its hooks.
fn cursor(t: TableId, phase: &str) -> String {
    format!("cascade_hook_{phase}_{t}")
}

/// Declares a cursor over the rows of `t` the delete removes (key order), inside the
/// transaction: it reads them as they are now, whatever the delete does next.
fn declare(exec: &mut PgRunner<'_>, program: &Program<'_>, t: TableId, phase: &str) -> Result<()> {
    let sql = &program.sql;
    let body = format!(
        "SELECT {} FROM {} WHERE {} ORDER BY {}",
        sql.select_list(t),
        sql.table(t),
        program.doomed(t),
        sql.pk_list(t)
    );
    let statement = format!(
        "DECLARE {} NO SCROLL CURSOR FOR {}",
        cursor(t, phase),
        program.statement(&body)
    );
    exec.execute(&statement, &program.params).map(drop)
}

/// Calls `hook` on every row of `t`'s cursor for `phase`, [`HOOK_BATCH`] rows at a time.
fn for_each_row(
    exec: &mut PgRunner<'_>,
    schema: &Schema,
    t: TableId,
    phase: &str,
    hook: fn(Vec<Value>, &HookContext<'_>) -> Result<()>,
) -> Result<()> {
    let fetch = format!("FETCH {HOOK_BATCH} FROM {}", cursor(t, phase));
    loop {
        let batch = exec.query(&fetch, &[])?;
        if batch.is_empty() {
            return Ok(());
        }
        let ctx = HookContext::postgres(&mut exec.conn.client, schema.name(t));
        for row in batch {
            hook(row, &ctx)?;
        }
    }
}

/// Computes a plan's counts and first keys without changing anything.
pub(crate) fn preview(
    runner: &mut PgRunner<'_>,
    schema: &Schema,
    plan: &Cascade,
    roots: Roots,
    first_keys: usize,
) -> Result<DeletePlan> {
    let mut exec = PgRunner::new(runner.conn);
    let origin = PlanOrigin {
        model: schema.tables[plan.root].meta,
        roots: roots.clone(),
    };
    let program = Program::compile(schema, plan, roots, false)?;
    // The checks and every count in one statement.
    let mut subqueries = program.check_counts();
    let checks = subqueries.len();
    subqueries.extend(plan.tables.iter().map(|&t| program.count(t)));
    subqueries.extend(plan.detaches.iter().map(|d| program.count_detach(d)));
    let row = program.query(&mut exec, &format!("SELECT {}", subqueries.join(", ")))?;
    program.refuse(&mut exec, &row[..checks])?;
    let row = &row[checks..];
    let mut counts = vec![0usize; schema.tables.len()];
    for (&t, n) in plan.tables.iter().zip(row) {
        counts[t] = count_of(n);
    }
    let detached: Vec<usize> = row[plan.tables.len()..].iter().map(count_of).collect();
    let sql = &program.sql;
    let mut listed = Vec::new();
    for &t in &plan.tables {
        if first_keys == 0 || counts[t] == 0 {
            continue;
        }
        let body = format!(
            "SELECT {k} FROM {} WHERE {} ORDER BY {k} LIMIT {}",
            sql.table(t),
            program.doomed(t),
            POSTGRES.param(program.next_param()),
            k = sql.pk_list(t)
        );
        let keys = exec.query(
            &program.statement(&body),
            &program.params(&[Value::Integer(first_keys as i64)]),
        )?;
        listed.push((
            schema.name(t).to_owned(),
            keys.into_iter().map(Key::new).collect(),
        ));
    }
    Ok(DeletePlan::build(
        schema, plan, origin, &counts, &detached, listed,
    ))
}
