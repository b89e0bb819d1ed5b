//! The statement runner: the one interface through which the shared code (writes, loads,
//! refreshes, schema checks, sessions) talks to a database. Each backend implements it over
//! its driver, with its [`Dialect`]'s SQL, and brings the strategies that differ between
//! databases: how a list of keys reaches a statement, how a planned cascade runs, and how the
//! live schema is read.
//!
//! Every statement is traced at debug level (target `cascade_runtime::sql`) with its text, the
//! rows it changed or returned, and its duration.

use std::time::Instant;

use crate::backend::BackendKind;
use crate::check::LiveTable;
use crate::error::Result;
use crate::model::Row;
use crate::plan::Cascade;
use crate::report::{DeletePlan, DeleteReport};
use crate::schema::{Schema, TableId};
use crate::sql::{Dialect, Sql, Statement};
use crate::value::{Value, ValueRef};

/// A statement prepared on a runner, held for the runner's lifetime.
pub(crate) type Handle = usize;

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

/// A list of keys a statement looks up, and whose keys they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyList {
    /// Primary keys of `t` that a collection keeps during an update.
    Keep(TableId),
    /// Values of `t.column` that a batched load looks up (its key, or a referenced column).
    Load(TableId, usize),
}

/// A list of keys made available to one statement.
#[derive(Debug, Clone)]
pub(crate) struct BoundKeys {
    /// SQL that yields the keys, for the right side of `IN`: `(?1, ?2)`,
    /// `(SELECT k0 FROM temp.t)`, `(SELECT * FROM unnest($1::bigint[]))`.
    pub expr: String,
    /// The parameters it binds, numbered from the `first` the runner was given.
    pub params: Vec<Value>,
    /// What empties the temporary table the keys were written to, if any.
    pub clear: Option<Statement>,
    /// For keys of one column bound as one array (PostgreSQL), the array (`$1::bigint[]`),
    /// matched with `= ANY(...)`: PostgreSQL plans it as a scan for the keys themselves, where
    /// an `IN` over `unnest` is a semi-join (100,000 children of one parent: 25 ms against
    /// 37 ms).
    pub any: Option<String>,
}

impl BoundKeys {
    /// `column IN expr`, or `column = ANY(array)` where the keys are one array.
    pub fn matching(&self, column: &str) -> String {
        match &self.any {
            Some(array) => format!("{column} = ANY({array})"),
            None => format!("{column} IN {}", self.expr),
        }
    }
}

/// Runs statements on one connection (see the module documentation).
pub(crate) trait Runner {
    /// The SQL dialect of this database.
    fn dialect(&self) -> &'static dyn Dialect;

    /// Which database this is.
    fn backend(&self) -> BackendKind;

    /// Runs a statement that returns no rows; returns the rows it changed (0 for DDL).
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64>;

    /// Runs a query; returns every row's values.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>>;

    /// Runs a query and hands each row's values to `each` as it is read, without holding
    /// them all; returns the number of rows.
    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<u64>;

    /// Prepares a statement that will run many times during this runner's life.
    fn prepare(&mut self, sql: String) -> Result<Handle>;

    /// Runs a prepared statement that returns no rows; returns the rows it changed.
    fn execute_prepared(&mut self, statement: Handle, params: &[ValueRef<'_>]) -> Result<u64>;

    /// Runs a prepared query; returns every row's values.
    fn query_prepared(&mut self, statement: Handle, params: &[Value]) -> Result<Vec<Vec<Value>>>;

    /// Runs a prepared `INSERT` of a row whose key the database assigns (see
    /// [`Dialect::insert_assigned`]); returns the key.
    fn insert_assigned(&mut self, statement: Handle, params: &[ValueRef<'_>]) -> Result<Value>;

    /// Runs a transaction-control statement (`BEGIN`, `COMMIT`, savepoints...).
    fn control(&mut self, sql: &str) -> Result<()>;

    /// Whether the connection is inside a transaction.
    fn in_transaction(&mut self) -> bool;

    /// Statements run so far.
    fn statements(&self) -> usize;

    /// Round trips to a database server so far (0 for an embedded database).
    fn round_trips(&self) -> usize;

    /// Makes `keys` available to one statement (see [`BoundKeys`]), its parameters numbered
    /// from `first`.
    fn bind_keys(
        &mut self,
        sql: &Sql<'_>,
        list: KeyList,
        keys: &[Vec<Value>],
        first: usize,
    ) -> Result<BoundKeys>;

    /// Runs a planned cascade from `roots`. With `expected`, first counts again and refuses
    /// if anything differs from that dry run. The caller provides the transaction.
    fn delete(
        &mut self,
        schema: &Schema,
        cascade: &Cascade,
        roots: Roots,
        expected: Option<&DeletePlan>,
    ) -> Result<DeleteReport>;

    /// Computes what [`Runner::delete`] would do, listing the first `first_keys` keys of each
    /// table; changes nothing the caller's rollback does not undo.
    fn preview(
        &mut self,
        schema: &Schema,
        cascade: &Cascade,
        roots: Roots,
        first_keys: usize,
    ) -> Result<DeletePlan>;

    /// The live shape of `table`, or `None` if the database has no such table.
    fn live_table(&mut self, table: &str) -> Result<Option<LiveTable>>;

    /// Whether the database enforces foreign keys on this connection.
    fn foreign_keys_enforced(&mut self) -> Result<bool>;

    /// Runs a [`Statement`].
    fn run(&mut self, statement: &Statement) -> Result<u64> {
        self.execute(&statement.sql, &statement.params)
    }

    /// Runs a query returning one integer (a count).
    fn count(&mut self, statement: &Statement) -> Result<u64> {
        let rows = self.query(&statement.sql, &statement.params)?;
        Ok(match rows.first().and_then(|r| r.first()) {
            Some(Value::Integer(n)) => u64::try_from(*n).unwrap_or(0),
            _ => 0,
        })
    }
}

/// When statements are traced: now (their duration is reported); otherwise nothing, so that
/// an untraced statement does not read the clock.
pub(crate) fn clock() -> Option<Instant> {
    tracing::enabled!(target: "cascade_runtime::sql", tracing::Level::DEBUG).then(Instant::now)
}

/// Traces one statement at debug level: its text, rows and duration since `start` (0 when
/// the clock was not read). The event itself decides whether it is enabled: `clock`'s answer
/// is only about reading the clock.
pub(crate) fn trace(sql: &str, rows: u64, start: Option<Instant>) {
    let micros = start.map_or(0, |s| {
        u64::try_from(s.elapsed().as_micros()).unwrap_or(u64::MAX)
    });
    tracing::debug!(target: "cascade_runtime::sql", rows, micros, sql, "executed");
}

/// What a failed statement was: its text on one line.
pub(crate) fn context(sql: &str) -> String {
    format!(
        "executing `{}`",
        sql.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}
