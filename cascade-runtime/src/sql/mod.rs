//! SQL text, by concern: [`keys`] (key sets and the expressions that join through foreign
//! keys), [`delete`] (the statements of a cascade), [`levels`] (trees deleted level by level,
//! on SQLite), [`write`] (rows, collections and links),
//! [`load`] (batched loads) and [`ddl`]. Identifiers are always quoted, values are always bound;
//! the only literals are column defaults in DDL, rendered by [`Value::to_sql_literal`].
//!
//! Nothing here knows a driver: a statement is text plus [`Value`]s, and what differs between
//! databases is a [`Dialect`].

pub(crate) mod ddl;
pub(crate) mod delete;
pub(crate) mod keys;
pub(crate) mod levels;
pub(crate) mod load;
pub(crate) mod write;

pub(crate) use ddl::{create_table, index_name};
pub(crate) use load::LoadKeys;
pub(crate) use write::rows;

use crate::metadata::{ModelMeta, SqlType};
use crate::schema::{Schema, TableId};
use crate::tx::Begin;
use crate::value::Value;

/// The parts of SQL that differ between databases. Object-safe: statements are built through
/// a `&dyn Dialect`, one per backend.
pub(crate) trait Dialect: Sync {
    /// Quotes an identifier exactly as declared, doubling embedded quotes.
    fn quote(&self, ident: &str) -> String {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }
    /// Whether two identifiers, quoted, name the same object: exactly the same text (as on
    /// PostgreSQL, where `"ID"` is not `id`), unless the database ignores case.
    fn same_identifier(&self, a: &str, b: &str) -> bool {
        a == b
    }
    /// The `n`-th (1-based) bound parameter.
    fn param(&self, n: usize) -> String;
    /// `INSERT INTO table rest` that skips rows whose key is already present.
    fn insert_ignore(&self, table: &str, rest: &str) -> String;
    /// How a per-connection temporary table is named in statements.
    fn temp_table(&self, name: &str) -> String;
    /// The most parameters one statement may bind.
    fn max_params(&self) -> usize;
    /// A column's type in DDL.
    fn column_type(&self, sql_type: SqlType) -> &'static str;
    /// The type and constraint of a single-column integer key that the database assigns on
    /// insert.
    fn assigned_key(&self, sql_type: SqlType) -> &'static str;
    /// A value as an SQL literal, for DDL defaults (where SQL has no parameters).
    fn literal(&self, value: &Value, sql_type: SqlType) -> String;
    /// Whether a live column's declared type `found` stores the model's `declared` type
    /// faithfully (`assigned_key`: the column is a key the database assigns).
    fn type_matches(&self, declared: SqlType, found: &str, assigned_key: bool) -> bool;
    /// What moves the sequence that assigns `table.key` past the keys rows were given
    /// (`None` where the database assigns keys past the largest anyway, as SQLite's rowid).
    fn advance_key_sequence(&self, _table: &str, _key: &str) -> Option<Statement> {
        None
    }
    /// `INSERT` of many new rows of `meta`'s table (whose single key the database assigns) in
    /// one statement: every other column bound as one array parameter, in column order, the
    /// rows inserted in the arrays' order and their keys returned in it. `None` where rows
    /// go one by one.
    fn insert_many(&self, _meta: &ModelMeta) -> Option<String> {
        None
    }
    /// Whether `CREATE TABLE` may reference a table that does not exist yet (SQLite resolves
    /// foreign keys when they are used; PostgreSQL refuses, and takes `ALTER TABLE ... ADD
    /// FOREIGN KEY` instead, which SQLite does not have).
    fn forward_references(&self) -> bool {
        false
    }
    /// How a transaction begins (outside the caller's transaction).
    fn begin(&self, begin: Begin) -> &'static str;
    /// What follows an `INSERT` of a row whose key the database assigns, so that the key
    /// comes back (`RETURNING "id"`); empty where the driver reports it otherwise.
    fn returning(&self, _key: &str) -> String {
        String::new()
    }
}

/// One statement: text and bound values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    pub sql: String,
    pub params: Vec<Value>,
}

impl Statement {
    pub(crate) fn new(sql: String) -> Statement {
        Statement {
            sql,
            params: Vec::new(),
        }
    }
}

/// The SQL of one schema in one dialect: plan steps, rows, loads.
#[derive(Clone, Copy)]
pub(crate) struct Sql<'a> {
    pub schema: &'a Schema,
    pub dialect: &'a dyn Dialect,
}

impl<'a> Sql<'a> {
    pub fn new(schema: &'a Schema, dialect: &'a dyn Dialect) -> Self {
        Sql { schema, dialect }
    }

    pub fn sqlite(schema: &'a Schema) -> Self {
        Sql::new(schema, &crate::backend::sqlite::SQLITE)
    }
}

/// The pieces every statement is made of.
impl Sql<'_> {
    pub(crate) fn q(&self, ident: &str) -> String {
        self.dialect.quote(ident)
    }

    pub(crate) fn table(&self, t: TableId) -> String {
        self.q(self.schema.name(t))
    }

    /// `"table"."column"`
    pub(crate) fn col(&self, t: TableId, c: usize) -> String {
        format!(
            "{}.{}",
            self.table(t),
            self.q(self.schema.column_name(t, c))
        )
    }

    pub(crate) fn key_columns(&self, t: TableId) -> String {
        let n = self.schema.tables[t].pk.len();
        (0..n)
            .map(|i| format!("k{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The primary key of `t` as an expression: `"t"."id"` or `("t"."a", "t"."b")`.
    pub(crate) fn pk(&self, t: TableId) -> String {
        let cols: Vec<String> = self.schema.tables[t]
            .pk
            .iter()
            .map(|&c| self.col(t, c))
            .collect();
        tuple(cols)
    }

    /// `expr IN (SELECT k0.. FROM keys(t))`
    pub(crate) fn in_keys(&self, expr: String, t: TableId) -> String {
        format!(
            "{expr} IN (SELECT {} FROM {})",
            self.key_columns(t),
            self.keys(t)
        )
    }

    pub(crate) fn pk_list(&self, t: TableId) -> String {
        self.schema.tables[t]
            .pk
            .iter()
            .map(|&c| self.col(t, c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A condition over `t` alone: its column `c` is `?1`.
    pub fn column_is(&self, t: TableId, c: usize) -> String {
        format!(
            "{} = {}",
            self.q(self.schema.column_name(t, c)),
            self.dialect.param(1)
        )
    }

    /// Whether the foreign key in `table.column` references its target's primary key (rather
    /// than another unique column).
    pub(crate) fn references_key(&self, table: TableId, column: usize) -> bool {
        let fk = self.schema.fk(table, column);
        self.schema.tables[fk.target].pk == [fk.target_column]
    }

    pub(crate) fn select_list(&self, t: TableId) -> String {
        let meta = self.schema.tables[t].meta;
        (0..meta.columns.len())
            .map(|c| self.col(t, c))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A comma-separated column list as a (row-value) expression.
pub(crate) fn tuple_of(columns: String, width: usize) -> String {
    if width == 1 {
        columns
    } else {
        format!("({columns})")
    }
}

pub(crate) fn tuple(mut parts: Vec<String>) -> String {
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        format!("({})", parts.join(", "))
    }
}

/// `(a, b, ..)`, parenthesised even for one part.
pub(crate) fn tuple_always(parts: Vec<String>) -> String {
    format!("({})", parts.join(", "))
}
