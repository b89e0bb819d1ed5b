//! SQLite, through rusqlite: the dialect, the statement runner, the connection's setup, and
//! the delete algorithm ([`delete`]) and live-schema reading ([`catalog`]) that are SQLite's
//! own.

pub(crate) mod advice;
pub(crate) mod catalog;
pub(crate) mod delete;

use rusqlite::config::DbConfig;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};

use crate::backend::BackendKind;
use crate::check::LiveTable;
use crate::error::{Error, Result};
use crate::metadata::SqlType;
use crate::model::Row;
use crate::plan::Cascade;
use crate::report::{DeletePlan, DeleteReport};
use crate::runner::{self, clock, trace, BoundKeys, Handle, KeyList, Roots, Runner};
use crate::schema::{Schema, TableId};
use crate::sql::{Dialect, LoadKeys, Sql, Statement};
use crate::tx::Begin;
use crate::value::{Value, ValueRef as BindValue};

/// How long a statement waits for another connection's lock before failing with `SQLITE_BUSY`.
pub const DEFAULT_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Prepared statements kept per connection: enough for the plans of a few dozen tables.
const STATEMENT_CACHE_CAPACITY: usize = 512;

/// The sizes a bound key list is padded to; more keys than the last go through a temporary
/// key table. The last stays below SQLite's 999-parameter limit.
const LIST_BUCKETS: [usize; 4] = [1, 8, 64, 512];

/// SQLite's SQL.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SqliteDialect;

impl Dialect for SqliteDialect {
    fn forward_references(&self) -> bool {
        true
    }
    fn same_identifier(&self, a: &str, b: &str) -> bool {
        // SQLite's names ignore the case of ASCII letters, quoted or not.
        a.eq_ignore_ascii_case(b)
    }
    fn param(&self, n: usize) -> String {
        format!("?{n}")
    }
    fn insert_ignore(&self, table: &str, rest: &str) -> String {
        format!("INSERT OR IGNORE INTO {table} {rest}")
    }
    fn temp_table(&self, name: &str) -> String {
        format!("temp.{}", self.quote(name))
    }
    fn max_params(&self) -> usize {
        // SQLITE_MAX_VARIABLE_NUMBER is 32766 since 3.32; stay far below for older builds.
        999
    }
    fn column_type(&self, sql_type: SqlType) -> &'static str {
        sql_type.sql()
    }
    fn begin(&self, begin: Begin) -> &'static str {
        match begin {
            // Takes the write lock first (see `tx::Begin::Write`).
            Begin::Write | Begin::Group => "BEGIN IMMEDIATE",
            Begin::Read => "BEGIN",
        }
    }
    fn assigned_key(&self, _: SqlType) -> &'static str {
        // Exactly `INTEGER PRIMARY KEY`: the rowid, assigned on insert.
        "INTEGER PRIMARY KEY"
    }
    fn literal(&self, value: &Value, _: SqlType) -> String {
        value.to_sql_literal()
    }
    fn type_matches(&self, declared: SqlType, found: &str, assigned_key: bool) -> bool {
        if assigned_key {
            return found.trim().eq_ignore_ascii_case("INTEGER");
        }
        catalog::compatible(declared, catalog::affinity(found))
    }
}

/// The one instance of the dialect, for `&'static dyn Dialect`.
pub(crate) static SQLITE: SqliteDialect = SqliteDialect;

/// Sets up a connection for a session: foreign keys on (an error if they cannot be), a busy
/// timeout of [`DEFAULT_BUSY_TIMEOUT`], double-quoted string literals off, temporary tables
/// on disk, and a large prepared-statement cache.
pub(crate) fn configure(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(Error::db("enabling foreign keys"))?;
    let on: bool = conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .map_err(Error::db("reading PRAGMA foreign_keys"))?;
    if !on {
        return Err(Error::ForeignKeysOff);
    }
    conn.busy_timeout(DEFAULT_BUSY_TIMEOUT)
        .map_err(Error::db("setting the busy timeout"))?;
    // A double-quoted name that matches no column is an error, not a string literal
    // (SQLite's legacy "DQS" misfeature): a misspelled `"column"` in a `delete_where`
    // clause must not become a constant that matches every row, or none.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DML, false)
        .map_err(Error::db("disabling double-quoted string literals"))?;
    // Key sets and hook rows live in temporary tables: on disk, behind SQLite's bounded
    // page cache, so that memory does not grow with the number of rows a delete reaches
    // (the bundled SQLite keeps temporary tables in memory by default).
    conn.pragma_update(None, "temp_store", "FILE")
        .map_err(Error::db("setting PRAGMA temp_store"))?;
    // Every statement of every plan is prepared once and reused; keep them all.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    Ok(())
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
            Value::Array(_) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "SQLite has no arrays: a Value::Array can only be bound on PostgreSQL".into(),
                ))
            }
        }))
    }
}

/// A field's value, bound without a copy.
impl ToSql for BindValue<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            BindValue::Null => ValueRef::Null,
            BindValue::Integer(i) => ValueRef::Integer(*i),
            BindValue::Real(r) => ValueRef::Real(*r),
            BindValue::Text(s) => ValueRef::Text(s.as_bytes()),
            BindValue::Blob(b) => ValueRef::Blob(b),
            BindValue::Owned(v) => return v.to_sql(),
        }))
    }
}

/// A row of a query, read in place.
struct SqliteRow<'a, 'r> {
    row: &'a rusqlite::Row<'r>,
    width: usize,
}

impl Row for SqliteRow<'_, '_> {
    fn width(&self) -> usize {
        self.width
    }
    fn get(&self, i: usize) -> BindValue<'_> {
        match self.row.get_ref(i) {
            Ok(ValueRef::Null) | Err(_) => BindValue::Null,
            Ok(ValueRef::Integer(v)) => BindValue::Integer(v),
            Ok(ValueRef::Real(v)) => BindValue::Real(v),
            Ok(ValueRef::Text(t)) => match std::str::from_utf8(t) {
                Ok(t) => BindValue::Text(t),
                Err(_) => BindValue::Owned(Value::Text(String::from_utf8_lossy(t).into_owned())),
            },
            Ok(ValueRef::Blob(b)) => BindValue::Blob(b),
        }
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

/// A statement held prepared while a runner lives, with its text for tracing.
struct Prepared<'c> {
    sql: String,
    stmt: rusqlite::CachedStatement<'c>,
}

/// Runs statements on one SQLite connection: the prepared-statement cache, binding, tracing.
pub(crate) struct SqliteRunner<'c> {
    pub(crate) conn: &'c Connection,
    statements: usize,
    prepared: Vec<Prepared<'c>>,
}

impl<'c> SqliteRunner<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        SqliteRunner {
            conn,
            statements: 0,
            prepared: Vec::new(),
        }
    }

    /// Runs a statement that returns no rows; returns the rows it changed (0 for DDL).
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<usize> {
        let start = clock();
        let mut stmt = self.conn.prepare_cached(sql).map_err(failed(sql))?;
        let rows = stmt
            .execute(rusqlite::params_from_iter(params))
            .map_err(failed(sql))?;
        // SQLite reports the last INSERT, UPDATE or DELETE's count for any other statement.
        let rows = if changes_rows(sql) { rows } else { 0 };
        self.statements += 1;
        trace(sql, rows as u64, start);
        Ok(rows)
    }

    /// Runs a [`Statement`].
    pub fn run(&mut self, statement: &Statement) -> Result<usize> {
        self.execute(&statement.sql, &statement.params)
    }

    /// Runs a query returning one integer (a count).
    pub fn count(&mut self, statement: &Statement) -> Result<u64> {
        let sql = statement.sql.as_str();
        let start = clock();
        let mut prepared = self.conn.prepare_cached(sql).map_err(failed(sql))?;
        let n: i64 = prepared
            .query_row(rusqlite::params_from_iter(&statement.params), |r| r.get(0))
            .map_err(failed(sql))?;
        self.statements += 1;
        trace(sql, u64::try_from(n).unwrap_or(0), start);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Runs a query and maps every row to its values.
    pub fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>> {
        let start = clock();
        let mut prepared = self.conn.prepare_cached(sql).map_err(failed(sql))?;
        let out = read_rows(&mut prepared, params).map_err(failed(sql))?;
        self.statements += 1;
        trace(sql, out.len() as u64, start);
        Ok(out)
    }
}

fn read_rows(
    stmt: &mut rusqlite::Statement<'_>,
    params: &[Value],
) -> rusqlite::Result<Vec<Vec<Value>>> {
    let width = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(value_of(row.get_ref(i)?));
        }
        out.push(values);
    }
    Ok(out)
}

impl Runner for SqliteRunner<'_> {
    fn dialect(&self) -> &'static dyn Dialect {
        &SQLITE
    }

    fn backend(&self) -> BackendKind {
        BackendKind::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        SqliteRunner::execute(self, sql, params).map(|n| n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>> {
        self.rows(sql, params)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<u64> {
        let start = clock();
        let mut stmt = self.conn.prepare_cached(sql).map_err(failed(sql))?;
        let width = stmt.column_count();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params))
            .map_err(failed(sql))?;
        let mut n = 0;
        while let Some(row) = rows.next().map_err(failed(sql))? {
            each(&SqliteRow { row, width })?;
            n += 1;
        }
        self.statements += 1;
        trace(sql, n, start);
        Ok(n)
    }

    fn count(&mut self, statement: &Statement) -> Result<u64> {
        SqliteRunner::count(self, statement)
    }

    fn prepare(&mut self, sql: String) -> Result<Handle> {
        let stmt = self.conn.prepare_cached(&sql).map_err(failed(&sql))?;
        self.prepared.push(Prepared { sql, stmt });
        Ok(self.prepared.len() - 1)
    }

    fn execute_prepared(&mut self, statement: Handle, params: &[BindValue<'_>]) -> Result<u64> {
        let start = clock();
        let p = &mut self.prepared[statement];
        let rows = p
            .stmt
            .execute(rusqlite::params_from_iter(params))
            .map_err(failed(&p.sql))?;
        self.statements += 1;
        trace(&p.sql, rows as u64, start);
        Ok(rows as u64)
    }

    fn query_prepared(&mut self, statement: Handle, params: &[Value]) -> Result<Vec<Vec<Value>>> {
        let start = clock();
        let p = &mut self.prepared[statement];
        let out = read_rows(&mut p.stmt, params).map_err(failed(&p.sql))?;
        self.statements += 1;
        trace(&p.sql, out.len() as u64, start);
        Ok(out)
    }

    fn insert_assigned(&mut self, statement: Handle, params: &[BindValue<'_>]) -> Result<Value> {
        self.execute_prepared(statement, params)?;
        Ok(Value::Integer(self.conn.last_insert_rowid()))
    }

    fn control(&mut self, sql: &str) -> Result<()> {
        let start = clock();
        self.conn
            .execute_batch(sql)
            .map_err(Error::db(runner::context(sql)))?;
        trace(sql, 0, start);
        Ok(())
    }

    fn in_transaction(&mut self) -> bool {
        !self.conn.is_autocommit()
    }

    fn statements(&self) -> usize {
        self.statements
    }

    fn round_trips(&self) -> usize {
        0
    }

    fn bind_keys(
        &mut self,
        sql: &Sql<'_>,
        list: KeyList,
        keys: &[Vec<Value>],
        first: usize,
    ) -> Result<BoundKeys> {
        match list {
            KeyList::Keep(t) => {
                // Always a table: the statements that read it are run once per update.
                self.run(&sql.create_keep(t))?;
                self.run(&sql.clear_keep(t))?;
                for chunk in keys.chunks(sql.keys_per_statement(t)) {
                    let params: Vec<Value> = chunk.iter().flatten().cloned().collect();
                    self.execute(&sql.insert_keep(t, chunk.len()), &params)?;
                }
                Ok(BoundKeys {
                    expr: sql.keep_keys(t),
                    params: Vec::new(),
                    clear: Some(sql.clear_keep(t)),
                    any: None,
                })
            }
            KeyList::Load(t, column) => self.bind_load(sql, t, column, keys, first),
        }
    }

    fn delete(
        &mut self,
        schema: &Schema,
        cascade: &Cascade,
        roots: Roots,
        expected: Option<&DeletePlan>,
    ) -> Result<DeleteReport> {
        delete::delete(self, schema, cascade, roots, expected)
    }

    fn preview(
        &mut self,
        schema: &Schema,
        cascade: &Cascade,
        roots: Roots,
        first_keys: usize,
    ) -> Result<DeletePlan> {
        delete::preview(self, schema, cascade, roots, first_keys)
    }

    fn live_table(&mut self, table: &str) -> Result<Option<LiveTable>> {
        catalog::live_table(self.conn, table)
    }

    fn foreign_keys_enforced(&mut self) -> Result<bool> {
        self.conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .map_err(Error::db("reading PRAGMA foreign_keys"))
    }
}

impl SqliteRunner<'_> {
    /// The distinct values of a load's keys as bound parameters (padded to a few fixed sizes,
    /// so that the statement texts stay few and cached), or beyond [`LIST_BUCKETS`]' largest,
    /// written to a temporary table: the key column's load table when `column` is the key, the
    /// table of values otherwise.
    fn bind_load(
        &mut self,
        sql: &Sql<'_>,
        t: TableId,
        column: usize,
        keys: &[Vec<Value>],
        first: usize,
    ) -> Result<BoundKeys> {
        let mut values: Vec<Value> = keys.iter().filter_map(|k| k.first().cloned()).collect();
        let Some(last) = values.last().cloned() else {
            return Ok(BoundKeys {
                expr: "(NULL)".to_owned(),
                params: Vec::new(),
                clear: None,
                any: None,
            });
        };
        if let Some(&size) = LIST_BUCKETS.iter().find(|&&n| n >= values.len()) {
            // Repeating a key changes nothing in `IN (...)`.
            values.resize(size, last);
            return Ok(BoundKeys {
                expr: sql.load_keys(LoadKeys::List { first, n: size }),
                params: values,
                clear: None,
                any: None,
            });
        }
        let (keys, insert, size) = if sql.schema.tables[t].pk == [column] {
            self.run(&sql.create_load(t))?;
            self.run(&sql.clear_load(t))?;
            let size = sql.keys_per_statement(t);
            (LoadKeys::Table(t), sql.insert_load(t, size), size)
        } else {
            self.run(&sql.create_values())?;
            self.run(&sql.clear_values())?;
            let size = sql.values_per_statement();
            (LoadKeys::Values, sql.insert_values(size), size)
        };
        // Every chunk is padded to the same size, so that one statement text does them all.
        values.resize(values.len().div_ceil(size) * size, last);
        for chunk in values.chunks(size) {
            self.execute(&insert, chunk)?;
        }
        let clear = match keys {
            LoadKeys::Table(t) => sql.clear_load(t),
            _ => sql.clear_values(),
        };
        Ok(BoundKeys {
            expr: sql.load_keys(keys),
            params: Vec::new(),
            clear: Some(clear),
            any: None,
        })
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

/// Wraps a driver error with the statement that failed; the statement's text is only
/// formatted when there is an error.
fn failed(sql: &str) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
    move |source| Error::from_db(runner::context(sql), source)
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

    #[test]
    fn buckets_stay_under_the_parameter_limit() {
        assert!(super::LIST_BUCKETS.windows(2).all(|w| w[0] < w[1]));
        assert!(*super::LIST_BUCKETS.last().unwrap() < 999);
    }
}
