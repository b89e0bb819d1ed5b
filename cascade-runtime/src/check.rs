//! [`Session::check_schema`]: the declared models against the live database.
//!
//! `create_all` only ever creates what is missing (`IF NOT EXISTS`), so a table made by hand, by
//! an older version of the models or by another tool can differ from what the models declare
//! without anything failing until a delete misbehaves. The check reads the database's own
//! description of each table — on SQLite `pragma_table_info`, `pragma_foreign_key_list`,
//! `pragma_index_list` and `pragma_index_info`, on PostgreSQL `pg_catalog` (`pg_attribute`,
//! `pg_index`, `pg_constraint`), each with the table name bound as a parameter — and reports
//! every difference as a [`Finding`] that says what is wrong and what fixes it, in the terms of
//! the database the report was read from: on SQLite, whose `ALTER TABLE` changes no type,
//! `NOT NULL` or key, by rebuilding the table; on PostgreSQL, by `ALTER TABLE` in place (the
//! texts are each backend's own: `backend::sqlite::advice`, `backend::postgres::advice`).
//!
//! What is compared, per declared table:
//! - the table exists (looked up the way the runtime's unqualified statements find it: on
//!   PostgreSQL, through the `search_path`);
//! - its primary-key columns, in order;
//! - every declared column exists, with a compatible type and the same `NOT NULL`. On SQLite,
//!   types are compared by *affinity* (section 3.1 of <https://www.sqlite.org/datatype3.html>),
//!   so `INT`, `BIGINT` and `INTEGER` agree, as do `VARCHAR(20)` and `TEXT`, or `DOUBLE` and
//!   `REAL`; a `bool` column accepts INTEGER or NUMERIC affinity (`BOOLEAN` itself is NUMERIC).
//!   One exception: an integer primary key assigned on insert must be declared exactly
//!   `INTEGER`, the only spelling that makes it the rowid. On PostgreSQL, the type must be the
//!   one `create_all` writes, as `format_type` spells it (`bigint`, `timestamp with time zone`),
//!   and a key assigned on insert must be assigned by the database: an identity column `BY
//!   DEFAULT` (`ALWAYS` refuses the rows given a key) or a column with a default (`nextval`);
//! - column names as the database compares them: SQLite ignores case, PostgreSQL's quoted
//!   names do not (`"ID"` is not `id`);
//! - every declared foreign key exists, references the declared table and column, and has the
//!   declared `ON DELETE`;
//! - every foreign-key column is the first column of some (non-partial) index, or the rowid —
//!   otherwise the database scans the whole child table for every deleted parent row;
//! - on SQLite, `PRAGMA foreign_keys` is on for the session's connection (PostgreSQL always
//!   enforces foreign keys).
//!
//! Not compared: `UNIQUE`, column defaults, extra columns, indexes or foreign keys the models do
//! not declare, and `ON UPDATE`.

use std::fmt;

use crate::backend::sqlite::SQLITE;
use crate::backend::{Backend, BackendKind};
use crate::error::Result;
use crate::metadata::{ColumnMeta, ModelMeta, OnDelete, SqlType};
use crate::model::Model;
use crate::runner::Runner;
use crate::schema::{Schema, TableId};
use crate::session::Session;
use crate::sql::Dialect;

/// One difference between the declared models and the live database, found by
/// [`Session::check_schema`].
///
/// `Display` says what is wrong and what fixes it in SQLite's terms (a finding does not know
/// its database); the [`SchemaReport`]'s `Display` and [`SchemaReport::explained`] give the
/// fixes of the database the report was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// `PRAGMA foreign_keys` is off on the session's connection: SQLite enforces no foreign key
    /// and runs no `ON DELETE` action. (SQLite only: PostgreSQL always enforces them.)
    ForeignKeysOff,
    /// A declared table does not exist.
    MissingTable {
        /// The table.
        table: String,
        /// The model (Rust type) declaring it.
        model: String,
    },
    /// The table's primary key is not made of the declared columns.
    PrimaryKey {
        /// The table.
        table: String,
        /// The declared primary-key columns, in order.
        declared: Vec<String>,
        /// The primary-key columns in the database, in order (empty: only the rowid).
        found: Vec<String>,
    },
    /// A declared column does not exist.
    MissingColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The statement that adds it, in the session's backend's SQL, when `ALTER TABLE ...
        /// ADD COLUMN` can: on SQLite, not for a primary-key or `UNIQUE` column, nor a `NOT
        /// NULL` one without a default, nor a `NOT NULL` foreign key; on PostgreSQL, always
        /// (a `NOT NULL` column without a default while the table is empty), but when a column
        /// named the same but for case is there to be renamed instead.
        add_column: Option<String>,
    },
    /// A column's type in the database has another affinity than the declared type (or, for
    /// an integer primary key assigned on insert, is not spelled `INTEGER`) on SQLite; on
    /// PostgreSQL, is not the type `create_all` writes.
    ColumnType {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The declared type.
        declared: SqlType,
        /// The type in the database: on SQLite as written in its `CREATE TABLE` (may be
        /// empty), on PostgreSQL as `format_type` spells it (`integer`, `character
        /// varying(40)`).
        found: String,
    },
    /// The model has the database assign this key to new rows (a single integer primary key,
    /// inserted without a value), but the column is neither an identity column nor has a
    /// default, so those inserts fail. (PostgreSQL; on SQLite such a key must be the rowid,
    /// which is a [`Finding::ColumnType`] when it is not.)
    KeyNotAssigned {
        /// The table.
        table: String,
        /// The key column.
        column: String,
    },
    /// The database assigns this key, but as `GENERATED ALWAYS AS IDENTITY`, which refuses
    /// the rows written with a key of their own (a merge of a new row whose key is set, say).
    /// (PostgreSQL.)
    KeyAlwaysGenerated {
        /// The table.
        table: String,
        /// The key column.
        column: String,
    },
    /// A column is `NOT NULL` in one place and nullable in the other.
    ColumnNullability {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Whether the model allows `NULL` (the field is an `Option`); the database says the
        /// opposite.
        declared_nullable: bool,
    },
    /// A declared foreign key does not exist in the database.
    MissingForeignKey {
        /// The table holding the key.
        table: String,
        /// The foreign-key column.
        column: String,
        /// The referenced table.
        references: String,
        /// The referenced column.
        referenced_column: String,
        /// The declared `ON DELETE`.
        on_delete: OnDelete,
    },
    /// The column's foreign key in the database references another table or column.
    ForeignKeyTarget {
        /// The table holding the key.
        table: String,
        /// The foreign-key column.
        column: String,
        /// The declared referenced table.
        references: String,
        /// The declared referenced column.
        referenced_column: String,
        /// What the database's key references, as `table(column, ...)` (just `table` when
        /// it names no column, i.e. the referenced table's primary key).
        found: String,
    },
    /// The foreign key's `ON DELETE` in the database differs from the declared one.
    ForeignKeyOnDelete {
        /// The table holding the key.
        table: String,
        /// The foreign-key column.
        column: String,
        /// The referenced table.
        references: String,
        /// The declared action.
        declared: OnDelete,
        /// The action in the database, as SQLite reports it (e.g. `"SET NULL"`; PostgreSQL's
        /// `pg_constraint` codes are spelled the same way).
        found: String,
    },
    /// No index starts with this foreign-key column: the database scans the whole table for
    /// every deleted row of the referenced table.
    MissingIndex {
        /// The table holding the key.
        table: String,
        /// The foreign-key column.
        column: String,
        /// The referenced table.
        references: String,
    },
}

impl Finding {
    /// The table the finding is about (`None` for the connection-wide
    /// [`Finding::ForeignKeysOff`]).
    pub fn table(&self) -> Option<&str> {
        match self {
            Finding::ForeignKeysOff => None,
            Finding::MissingTable { table, .. }
            | Finding::PrimaryKey { table, .. }
            | Finding::MissingColumn { table, .. }
            | Finding::ColumnType { table, .. }
            | Finding::KeyNotAssigned { table, .. }
            | Finding::KeyAlwaysGenerated { table, .. }
            | Finding::ColumnNullability { table, .. }
            | Finding::MissingForeignKey { table, .. }
            | Finding::ForeignKeyTarget { table, .. }
            | Finding::ForeignKeyOnDelete { table, .. }
            | Finding::MissingIndex { table, .. } => Some(table),
        }
    }

    /// The column the finding is about, when it is about one.
    pub fn column(&self) -> Option<&str> {
        match self {
            Finding::ForeignKeysOff | Finding::MissingTable { .. } | Finding::PrimaryKey { .. } => {
                None
            }
            Finding::MissingColumn { column, .. }
            | Finding::ColumnType { column, .. }
            | Finding::KeyNotAssigned { column, .. }
            | Finding::KeyAlwaysGenerated { column, .. }
            | Finding::ColumnNullability { column, .. }
            | Finding::MissingForeignKey { column, .. }
            | Finding::ForeignKeyTarget { column, .. }
            | Finding::ForeignKeyOnDelete { column, .. }
            | Finding::MissingIndex { column, .. } => Some(column),
        }
    }
}

impl Finding {
    /// Where the finding is: `table "t"` or `"t"."c"` (nothing for the connection).
    fn location(&self, dialect: &dyn Dialect) -> Option<String> {
        let table = dialect.quote(self.table()?);
        Some(match self.column() {
            Some(column) => format!("{table}.{}", dialect.quote(column)),
            None => format!("table {table}"),
        })
    }
}

impl fmt::Display for Finding {
    /// `"child"."parent_id": no index starts with this foreign-key column, ...`, with
    /// SQLite's fixes (see [`SchemaReport::explained`] for the report's database's).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = self.location(&SQLITE) {
            write!(f, "{location}: ")?;
        }
        crate::backend::sqlite::advice::describe(self, f)
    }
}

/// What the live schema said about a finding beyond the finding's own fields, for its fix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Context {
    /// The name of the constraint the fix replaces: the table's primary key, or the column's
    /// foreign key (PostgreSQL).
    pub constraint: Option<String>,
    /// The declared foreign key's referenced column and `ON DELETE`, which
    /// [`Finding::ForeignKeyTarget`] and [`Finding::ForeignKeyOnDelete`] do not both hold.
    pub foreign_key: Option<(String, OnDelete)>,
    /// A missing column: a column named the same but for case, declared by no field
    /// (PostgreSQL, where renaming it is the fix).
    pub other_case: Option<String>,
    /// A missing column: PostgreSQL adds it only while the table is empty (`NOT NULL`
    /// without a default).
    pub needs_empty_table: bool,
    /// A primary key: renaming its columns to the declared case makes it the declared one.
    pub rename_key: bool,
    /// A primary key: a declared key column is missing (a finding of its own, below).
    pub missing_key_column: bool,
}

/// Everything [`Session::check_schema`] found, connection-wide findings first, then table by
/// table in the schema's order (each table's findings in column order).
///
/// `Display` renders one finding per line under a heading per table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaReport {
    findings: Vec<Finding>,
    /// Per finding, what its fix needs from the live schema.
    context: Vec<Context>,
    /// The database the report was read from, whose fixes its texts give.
    backend: BackendKind,
}

impl SchemaReport {
    fn new(backend: BackendKind) -> SchemaReport {
        SchemaReport {
            findings: Vec::new(),
            context: Vec::new(),
            backend,
        }
    }

    fn push(&mut self, finding: Finding) {
        self.push_with(finding, Context::default());
    }

    fn push_with(&mut self, finding: Finding, context: Context) {
        self.findings.push(finding);
        self.context.push(context);
    }

    /// Every finding, in report order.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Whether the database matches the models.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// The database the report was read from (`"SQLite"`, `"PostgreSQL"`: its
    /// [`Backend::NAME`]), whose fixes the texts give.
    pub fn backend(&self) -> &'static str {
        self.backend.name()
    }

    /// Every finding with its text as the report's `Display` gives it, on one line with its
    /// place, like [`Finding`]'s own `Display` but with the fixes of the report's database
    /// (`"child"."parent_id": the foreign key to "parent" is ON DELETE SET NULL, ...`).
    pub fn explained(&self) -> impl Iterator<Item = (&Finding, String)> + '_ {
        (0..self.findings.len()).map(|i| {
            let finding = &self.findings[i];
            let text = match finding.location(self.backend.dialect()) {
                Some(location) => format!("{location}: {}", Described(self, i)),
                None => Described(self, i).to_string(),
            };
            (finding, text)
        })
    }
}

/// What is wrong with the report's `i`-th finding and what fixes it, in its database's
/// terms, without the location.
struct Described<'a>(&'a SchemaReport, usize);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Described(report, i) = *self;
        let finding = &report.findings[i];
        match report.backend {
            BackendKind::Sqlite => crate::backend::sqlite::advice::describe(finding, f),
            #[cfg(feature = "postgres")]
            BackendKind::Postgres => match report.context.get(i) {
                Some(context) => crate::backend::postgres::advice::describe(finding, context, f),
                None => crate::backend::postgres::advice::describe(finding, &Context::default(), f),
            },
        }
    }
}

impl fmt::Display for SchemaReport {
    /// ```text
    /// schema check: 2 findings
    /// table "child":
    ///   column "parent_id": no index starts with this foreign-key column, ...
    /// table "toy":
    ///   the table does not exist; run `session.create_all::<Toy>()` ...
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.findings.len() {
            0 => return writeln!(f, "schema check: the database matches the models"),
            1 => writeln!(f, "schema check: 1 finding")?,
            n => writeln!(f, "schema check: {n} findings")?,
        }
        let q = |s: &str| self.backend.dialect().quote(s);
        let mut heading: Option<Option<&str>> = None;
        for (i, finding) in self.findings.iter().enumerate() {
            let table = finding.table();
            if heading != Some(table) {
                match table {
                    None => writeln!(f, "connection:")?,
                    Some(t) => writeln!(f, "table {}:", q(t))?,
                }
                heading = Some(table);
            }
            f.write_str("  ")?;
            if let Some(column) = finding.column() {
                write!(f, "column {}: ", q(column))?;
            }
            writeln!(f, "{}", Described(self, i))?;
        }
        Ok(())
    }
}

impl<B: Backend> Session<B> {
    /// Compares the models the session knows — `M` and every model reachable from it, with
    /// any others used before — with the database, and reports every difference: missing
    /// tables and columns, primary keys, column types (by affinity on SQLite, by name on
    /// PostgreSQL) and `NOT NULL`, foreign keys that are missing, reference something else or
    /// have another `ON DELETE`, foreign-key columns no index starts with, (PostgreSQL) keys
    /// the database should assign but does not, and (SQLite) `PRAGMA foreign_keys` being off.
    ///
    /// Changes nothing. An `Err` is a schema-validation or database error; differences are
    /// [`Finding`]s in the report, whose texts give the fixes in the session's database's
    /// terms.
    ///
    /// ```
    /// # use cascade_runtime::{Model, Session};
    /// # #[derive(Model)]
    /// # pub struct Parent { #[model(primary_key)] pub id: i64 }
    /// # fn main() -> cascade_runtime::Result<()> {
    /// let mut session = Session::open_in_memory()?;
    /// assert!(!session.check_schema::<Parent>()?.is_clean()); // no table yet
    /// session.create_all::<Parent>()?;
    /// assert!(session.check_schema::<Parent>()?.is_clean());
    /// # Ok(())
    /// # }
    /// ```
    pub fn check_schema<M: Model>(&mut self) -> Result<SchemaReport> {
        crate::trace::call("check_schema", M::meta().name, || {
            let (schema, _) = self.table::<M>()?;
            let mut runner = self.runner();
            let mut report = SchemaReport::new(runner.backend());
            if !runner.foreign_keys_enforced()? {
                report.push(Finding::ForeignKeysOff);
            }
            for t in 0..schema.tables.len() {
                check_table(&mut *runner, &schema, t, &mut report)?;
            }
            Ok(report)
        })
    }
}

/// A table as the database describes it, read by each backend's own catalog.
pub(crate) struct LiveTable {
    pub columns: Vec<LiveColumn>,
    pub foreign_keys: Vec<LiveForeignKey>,
    /// The first column of every full (non-partial) index, and any column the table is keyed
    /// by without an index of its own (SQLite's rowid alias).
    pub indexed: Vec<String>,
    /// The name of the primary-key constraint, where the database names it (PostgreSQL).
    pub primary_key: Option<String>,
}

/// Whether the database gives a column a value on inserts that leave it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "postgres"), allow(dead_code))] // read from PostgreSQL's catalog
pub(crate) enum Assigned {
    /// No: the insert fails on a `NOT NULL` column.
    No,
    /// A default, or an identity column `GENERATED BY DEFAULT`.
    ByDefault,
    /// An identity column `GENERATED ALWAYS`, which also refuses values given.
    Always,
}

/// One column of a live table.
pub(crate) struct LiveColumn {
    pub name: String,
    /// The declared type, as the database spells it (empty for none).
    pub decl_type: String,
    pub not_null: bool,
    /// 1-based position in the primary key, 0 when not part of it.
    pub pk: i64,
    /// Whether the database assigns the column's values; `None` where the catalog does not
    /// say (SQLite, where an assigned key is the rowid, a matter of its declared type).
    pub assigned: Option<Assigned>,
}

/// One foreign key of a live table (all its column pairs).
pub(crate) struct LiveForeignKey {
    /// The constraint's name, where the database names it (PostgreSQL).
    pub name: Option<String>,
    pub target: String,
    /// `(from, to)`; `to` is `None` when the key names no column (the target's primary key).
    pub columns: Vec<(String, Option<String>)>,
    /// `CASCADE`, `SET NULL`, ... as the database spells it.
    pub on_delete: String,
}

fn check_table(
    runner: &mut dyn Runner,
    schema: &Schema,
    t: TableId,
    report: &mut SchemaReport,
) -> Result<()> {
    let meta = schema.tables[t].meta;
    let table = meta.table;
    let dialect = runner.dialect();
    let backend = runner.backend();
    // Names as the database compares them: SQLite ignores case, PostgreSQL does not.
    let same = |a: &str, b: &str| dialect.same_identifier(a, b);
    let Some(LiveTable {
        columns,
        foreign_keys,
        indexed,
        primary_key,
    }) = runner.live_table(table)?
    else {
        report.push(Finding::MissingTable {
            table: table.to_owned(),
            model: meta.name.to_owned(),
        });
        return Ok(());
    };
    let live = |name: &str| columns.iter().find(|c| same(&c.name, name));
    // Where names are case-sensitive, a column named like a missing one but for case, which
    // no field declares: renaming it is the fix.
    let other_case = |name: &str| {
        columns.iter().find(|c| {
            c.name.eq_ignore_ascii_case(name) && !meta.columns.iter().any(|d| same(d.name, &c.name))
        })
    };

    let declared_pk: Vec<String> = schema.tables[t]
        .pk
        .iter()
        .map(|&c| meta.columns[c].name.to_owned())
        .collect();
    let mut found_pk: Vec<&LiveColumn> = columns.iter().filter(|c| c.pk > 0).collect();
    found_pk.sort_by_key(|c| c.pk);
    let pk_matches = found_pk.len() == declared_pk.len()
        && found_pk
            .iter()
            .zip(&declared_pk)
            .all(|(l, d)| same(&l.name, d));
    if !pk_matches {
        let rename_key = found_pk.len() == declared_pk.len()
            && found_pk.iter().zip(&declared_pk).all(|(l, d)| {
                same(&l.name, d)
                    || (live(d).is_none() && other_case(d).is_some_and(|o| o.name == l.name))
            });
        let context = Context {
            constraint: primary_key,
            rename_key,
            missing_key_column: declared_pk.iter().any(|d| live(d).is_none()),
            ..Context::default()
        };
        report.push_with(
            Finding::PrimaryKey {
                table: table.to_owned(),
                declared: declared_pk,
                found: found_pk.iter().map(|c| c.name.clone()).collect(),
            },
            context,
        );
    }

    for (c, col) in meta.columns.iter().enumerate() {
        let rowid_key = meta.has_rowid_key() && col.primary_key;
        let Some(found) = live(col.name) else {
            let other = other_case(col.name).map(|o| o.name.clone());
            let add_column = match other {
                Some(_) => None,
                None => add_column(backend, meta, col),
            };
            report.push_with(
                Finding::MissingColumn {
                    table: table.to_owned(),
                    column: col.name.to_owned(),
                    add_column,
                },
                Context {
                    other_case: other,
                    needs_empty_table: !col.nullable && col.default.is_none() && !rowid_key,
                    ..Context::default()
                },
            );
            continue;
        };
        let type_ok = dialect.type_matches(col.sql_type, &found.decl_type, rowid_key);
        if !type_ok {
            report.push(Finding::ColumnType {
                table: table.to_owned(),
                column: col.name.to_owned(),
                declared: col.sql_type,
                found: found.decl_type.clone(),
            });
        }
        if rowid_key {
            let (table, column) = (table.to_owned(), col.name.to_owned());
            match found.assigned {
                Some(Assigned::No) => report.push(Finding::KeyNotAssigned { table, column }),
                Some(Assigned::Always) => {
                    report.push(Finding::KeyAlwaysGenerated { table, column })
                }
                Some(Assigned::ByDefault) | None => {}
            }
        }
        // The rowid is never NULL, whatever the declaration says.
        if !rowid_key && found.not_null == col.nullable {
            report.push(Finding::ColumnNullability {
                table: table.to_owned(),
                column: col.name.to_owned(),
                declared_nullable: col.nullable,
            });
        }
        let Some(fk) = schema
            .foreign_keys
            .iter()
            .find(|fk| fk.table == t && fk.column == c)
        else {
            continue;
        };
        let target = schema.tables[fk.target].meta;
        let target_col = target.columns[fk.target_column].name;
        let mine: Vec<&LiveForeignKey> = foreign_keys
            .iter()
            .filter(|k| k.columns.iter().any(|(from, _)| same(from, col.name)))
            .collect();
        let points_right = |k: &LiveForeignKey| {
            same(&k.target, target.table)
                && matches!(k.columns.as_slice(), [(_, to)]
                    if to.as_deref().is_none_or(|to| same(to, target_col)))
        };
        let replacing = |k: &LiveForeignKey| Context {
            constraint: k.name.clone(),
            foreign_key: Some((target_col.to_owned(), fk.on_delete)),
            ..Context::default()
        };
        match (mine.iter().find(|k| points_right(k)), mine.first()) {
            (Some(k), _) => {
                if !k.on_delete.eq_ignore_ascii_case(fk.on_delete.sql()) {
                    report.push_with(
                        Finding::ForeignKeyOnDelete {
                            table: table.to_owned(),
                            column: col.name.to_owned(),
                            references: target.table.to_owned(),
                            declared: fk.on_delete,
                            found: k.on_delete.clone(),
                        },
                        replacing(k),
                    );
                }
            }
            (None, Some(k)) => report.push_with(
                Finding::ForeignKeyTarget {
                    table: table.to_owned(),
                    column: col.name.to_owned(),
                    references: target.table.to_owned(),
                    referenced_column: target_col.to_owned(),
                    found: describe_target(k),
                },
                replacing(k),
            ),
            (None, None) => report.push(Finding::MissingForeignKey {
                table: table.to_owned(),
                column: col.name.to_owned(),
                references: target.table.to_owned(),
                referenced_column: target_col.to_owned(),
                on_delete: fk.on_delete,
            }),
        }
        if !indexed.iter().any(|i| same(i, col.name)) {
            report.push(Finding::MissingIndex {
                table: table.to_owned(),
                column: col.name.to_owned(),
                references: target.table.to_owned(),
            });
        }
    }
    Ok(())
}

fn describe_target(k: &LiveForeignKey) -> String {
    let to: Vec<&str> = k
        .columns
        .iter()
        .filter_map(|(_, to)| to.as_deref())
        .collect();
    if to.is_empty() {
        k.target.clone()
    } else {
        format!("{}({})", k.target, to.join(", "))
    }
}

/// `ALTER TABLE ... ADD COLUMN ...` for a missing column, in the backend's SQL, when the
/// database allows it.
fn add_column(backend: BackendKind, meta: &ModelMeta, col: &ColumnMeta) -> Option<String> {
    match backend {
        BackendKind::Sqlite => crate::backend::sqlite::advice::add_column(meta, col),
        #[cfg(feature = "postgres")]
        BackendKind::Postgres => Some(crate::backend::postgres::advice::add_column(meta, col)),
    }
}

impl crate::trace::Totals for SchemaReport {
    /// The findings.
    fn rows(&self) -> u64 {
        self.findings.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sqlite::catalog::{affinity, compatible, Affinity};

    #[test]
    fn affinity_follows_sqlite_rules() {
        for (decl, want) in [
            ("INTEGER", Affinity::Integer),
            ("bigint", Affinity::Integer),
            ("POINT", Affinity::Integer), // "INT" inside, as SQLite says
            ("VARCHAR(20)", Affinity::Text),
            ("clob", Affinity::Text),
            ("BLOB", Affinity::Blob),
            ("", Affinity::Blob),
            ("DOUBLE PRECISION", Affinity::Real),
            ("float", Affinity::Real),
            ("BOOLEAN", Affinity::Numeric),
            ("DECIMAL(10,5)", Affinity::Numeric),
        ] {
            assert_eq!(affinity(decl), want, "{decl}");
        }
        assert!(compatible(SqlType::Boolean, affinity("BOOLEAN")));
        assert!(compatible(SqlType::Boolean, affinity("INTEGER")));
        assert!(!compatible(SqlType::Integer, affinity("TEXT")));
        assert!(!compatible(SqlType::Real, affinity("NUMERIC")));
    }

    #[test]
    fn report_groups_findings_by_table() {
        let mut report = SchemaReport::default();
        for finding in [
            Finding::ForeignKeysOff,
            Finding::MissingTable {
                table: "parent".into(),
                model: "Parent".into(),
            },
            Finding::MissingIndex {
                table: "child".into(),
                column: "parent_id".into(),
                references: "parent".into(),
            },
            Finding::ColumnNullability {
                table: "child".into(),
                column: "name".into(),
                declared_nullable: false,
            },
        ] {
            report.push(finding);
        }
        let text = report.to_string();
        let headings: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
        assert_eq!(
            headings,
            [
                "schema check: 4 findings",
                "connection:",
                "table \"parent\":",
                "table \"child\":"
            ]
        );
        assert_eq!(text.lines().count(), 8);
        assert!(text.contains("CREATE INDEX \"ix_child_parent_id\" ON \"child\" (\"parent_id\")"));
        assert_eq!(
            SchemaReport::default().to_string(),
            "schema check: the database matches the models\n"
        );
    }

    #[test]
    fn quotes_in_names_are_doubled() {
        let f = Finding::MissingIndex {
            table: "my \"t\"".into(),
            column: "p id".into(),
            references: "order".into(),
        };
        assert!(f
            .to_string()
            .ends_with("CREATE INDEX \"ix_my \"\"t\"\"_p id\" ON \"my \"\"t\"\"\" (\"p id\")"));
    }
}
