//! [`Session::check_schema`]: the declared models against the live database.
//!
//! `create_all` only ever creates what is missing (`IF NOT EXISTS`), so a table made by hand, by
//! an older version of the models or by another tool can differ from what the models declare
//! without anything failing until a delete misbehaves. The check reads the database's own
//! description of each table — on SQLite `pragma_table_info`, `pragma_foreign_key_list`,
//! `pragma_index_list` and `pragma_index_info`, on PostgreSQL `pg_catalog` (`pg_attribute`,
//! `pg_index`, `pg_constraint`), each with the table name bound as a parameter — and reports
//! every difference as a [`Finding`] that says what is wrong and what fixes it. (The fixes the
//! findings' texts suggest are written for SQLite: rebuilding the table, SQLite's type names.)
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
//!   one `create_all` writes, as `format_type` spells it (`bigint`, `timestamp with time zone`);
//!   whether an assigned key is an identity column is not checked;
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

use crate::backend::sqlite::catalog::{affinity, Affinity};
use crate::backend::sqlite::SQLITE;
use crate::backend::Backend;
use crate::error::Result;
use crate::metadata::{ColumnMeta, ModelMeta, OnDelete, SqlType};
use crate::model::Model;
use crate::runner::Runner;
use crate::schema::{Schema, TableId};
use crate::session::Session;
use crate::sql::Dialect;

/// One difference between the declared models and the live database, found by
/// [`Session::check_schema`]. `Display` says what is wrong and what fixes it.
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
        /// ADD COLUMN` can (not for a primary-key or `UNIQUE` column, nor a `NOT NULL` one
        /// without a default, nor a `NOT NULL` foreign key).
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
        /// The type in the database, as written in its `CREATE TABLE` (may be empty).
        found: String,
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
            | Finding::ColumnNullability { column, .. }
            | Finding::MissingForeignKey { column, .. }
            | Finding::ForeignKeyTarget { column, .. }
            | Finding::ForeignKeyOnDelete { column, .. }
            | Finding::MissingIndex { column, .. } => Some(column),
        }
    }
}

/// Appended to every fix that needs the table rebuilt (SQLite's "12-step" procedure: create
/// the new table, copy the rows, drop the old one, rename the new one).
const REBUILD: &str =
    "(ALTER TABLE cannot; see https://www.sqlite.org/lang_altertable.html#otheralter)";

impl Finding {
    /// Where the finding is: `table "t"` or `"t"."c"` (nothing for the connection).
    fn location(&self) -> Option<String> {
        let table = SQLITE.quote(self.table()?);
        Some(match self.column() {
            Some(column) => format!("{table}.{}", SQLITE.quote(column)),
            None => format!("table {table}"),
        })
    }

    /// What is wrong and what fixes it, without the location.
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let q = |s: &str| SQLITE.quote(s);
        match self {
            Finding::ForeignKeysOff => f.write_str(
                "PRAGMA foreign_keys is off on this connection: SQLite enforces no foreign key \
                 and runs no ON DELETE action; run `PRAGMA foreign_keys = ON` outside any \
                 transaction (Session::open and Session::from_connection do)",
            ),
            Finding::MissingTable { model, .. } => write!(
                f,
                "the table does not exist; run `session.create_all::<{model}>()` (or create_all \
                 of any model that reaches `{model}`)"
            ),
            Finding::PrimaryKey {
                declared, found, ..
            } => {
                let list = |cols: &[String]| {
                    if cols.is_empty() {
                        "none (only the rowid)".to_owned()
                    } else {
                        cols.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
                    }
                };
                write!(
                    f,
                    "the primary key is {}, but the model declares {}; rebuild the table \
                     {REBUILD}",
                    list(found),
                    list(declared)
                )
            }
            Finding::MissingColumn { add_column, .. } => match add_column {
                Some(sql) => write!(f, "the column does not exist; add it: {sql}"),
                None => write!(
                    f,
                    "the column does not exist, and ALTER TABLE cannot add a key, UNIQUE, NOT \
                     NULL foreign-key, or NOT NULL column without a default; rebuild the table \
                     with it {REBUILD}"
                ),
            },
            Finding::ColumnType {
                column,
                declared,
                found,
                ..
            } => {
                let shown = if found.is_empty() {
                    "no type (BLOB affinity)".to_owned()
                } else {
                    format!("{found} ({} affinity)", affinity(found).name())
                };
                write!(
                    f,
                    "the model declares {}, but the column has {shown}",
                    declared.sql()
                )?;
                if declared.is_integer() && affinity(found) == Affinity::Integer {
                    f.write_str(
                        "; an integer primary key assigned on insert must be declared exactly \
                         INTEGER to be the rowid",
                    )?;
                }
                write!(
                    f,
                    "; change the field's type, or rebuild the table with {} {} {REBUILD}",
                    q(column),
                    declared.sql()
                )
            }
            Finding::ColumnNullability {
                declared_nullable: true,
                ..
            } => write!(
                f,
                "the model allows NULL (an Option field), but the column is NOT NULL, so \
                 writing None or detaching rows (SET NULL) fails; make the field non-optional, \
                 or rebuild the table without NOT NULL {REBUILD}"
            ),
            Finding::ColumnNullability {
                declared_nullable: false,
                ..
            } => write!(
                f,
                "the model says NOT NULL, but the column accepts NULL, and reading a NULL into \
                 the field fails; make the field an Option, or rebuild the table with NOT NULL \
                 {REBUILD}"
            ),
            Finding::MissingForeignKey {
                column,
                references,
                referenced_column,
                on_delete,
                ..
            } => write!(
                f,
                "no foreign key to {} in the database, so nothing stops rows from pointing at \
                 deleted ones; rebuild the table with FOREIGN KEY ({}) REFERENCES {} ({}) ON \
                 DELETE {} {REBUILD}",
                q(references),
                q(column),
                q(references),
                q(referenced_column),
                on_delete.sql()
            ),
            Finding::ForeignKeyTarget {
                column,
                references,
                referenced_column,
                found,
                ..
            } => write!(
                f,
                "the foreign key references {found}, but the model declares \
                 {references}({referenced_column}); rebuild the table with FOREIGN KEY ({}) \
                 REFERENCES {} ({}) {REBUILD}",
                q(column),
                q(references),
                q(referenced_column)
            ),
            Finding::ForeignKeyOnDelete {
                references,
                declared,
                found,
                ..
            } => write!(
                f,
                "the foreign key to {} is ON DELETE {found}, but the model declares ON DELETE \
                 {d}; change the model's on_delete, or rebuild the table with ON DELETE {d} \
                 {REBUILD}",
                q(references),
                d = declared.sql(),
            ),
            Finding::MissingIndex {
                table,
                column,
                references,
            } => write!(
                f,
                "no index starts with this foreign-key column, so every deleted {} row makes \
                 SQLite scan all of {}; CREATE INDEX {} ON {} ({})",
                q(references),
                q(table),
                q(&crate::sql::index_name(table, column)),
                q(table),
                q(column)
            ),
        }
    }
}

impl fmt::Display for Finding {
    /// `"child"."parent_id": no index starts with this foreign-key column, ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = self.location() {
            write!(f, "{location}: ")?;
        }
        self.describe(f)
    }
}

/// Everything [`Session::check_schema`] found, connection-wide findings first, then table by
/// table in the schema's order (each table's findings in column order).
///
/// `Display` renders one finding per line under a heading per table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaReport {
    findings: Vec<Finding>,
}

impl SchemaReport {
    /// Every finding, in report order.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Whether the database matches the models.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
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
        let mut heading: Option<Option<&str>> = None;
        for finding in &self.findings {
            let table = finding.table();
            if heading != Some(table) {
                match table {
                    None => writeln!(f, "connection:")?,
                    Some(t) => writeln!(f, "table {}:", SQLITE.quote(t))?,
                }
                heading = Some(table);
            }
            f.write_str("  ")?;
            if let Some(column) = finding.column() {
                write!(f, "column {}: ", SQLITE.quote(column))?;
            }
            finding.describe(f)?;
            writeln!(f)?;
        }
        Ok(())
    }
}

impl<B: Backend> Session<B> {
    /// Compares the models the session knows — `M` and every model reachable from it, with
    /// any others used before — with the database, and reports every difference: missing
    /// tables and columns, primary keys, column types (by affinity on SQLite, by name on
    /// PostgreSQL) and `NOT NULL`, foreign keys that are missing, reference something else or
    /// have another `ON DELETE`, foreign-key columns no index starts with, and (SQLite)
    /// `PRAGMA foreign_keys` being off.
    ///
    /// Changes nothing. An `Err` is a schema-validation or database error; differences are
    /// [`Finding`]s in the report.
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
            let mut findings = Vec::new();
            let mut runner = self.runner();
            if !runner.foreign_keys_enforced()? {
                findings.push(Finding::ForeignKeysOff);
            }
            for t in 0..schema.tables.len() {
                check_table(&mut *runner, &schema, t, &mut findings)?;
            }
            Ok(SchemaReport { findings })
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
}

/// One column of a live table.
pub(crate) struct LiveColumn {
    pub name: String,
    /// The declared type, as the database spells it (empty for none).
    pub decl_type: String,
    pub not_null: bool,
    /// 1-based position in the primary key, 0 when not part of it.
    pub pk: i64,
}

/// One foreign key of a live table (all its column pairs).
pub(crate) struct LiveForeignKey {
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
    findings: &mut Vec<Finding>,
) -> Result<()> {
    let meta = schema.tables[t].meta;
    let table = meta.table;
    let dialect = runner.dialect();
    let Some(LiveTable {
        columns,
        foreign_keys,
        indexed,
    }) = runner.live_table(table)?
    else {
        findings.push(Finding::MissingTable {
            table: table.to_owned(),
            model: meta.name.to_owned(),
        });
        return Ok(());
    };
    let live = |name: &str| columns.iter().find(|c| c.name.eq_ignore_ascii_case(name));

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
            .all(|(l, d)| l.name.eq_ignore_ascii_case(d));
    if !pk_matches {
        findings.push(Finding::PrimaryKey {
            table: table.to_owned(),
            declared: declared_pk,
            found: found_pk.iter().map(|c| c.name.clone()).collect(),
        });
    }

    for (c, col) in meta.columns.iter().enumerate() {
        let Some(found) = live(col.name) else {
            findings.push(Finding::MissingColumn {
                table: table.to_owned(),
                column: col.name.to_owned(),
                add_column: add_column(dialect, meta, col),
            });
            continue;
        };
        let rowid_key = meta.has_rowid_key() && col.primary_key;
        let type_ok = dialect.type_matches(col.sql_type, &found.decl_type, rowid_key);
        if !type_ok {
            findings.push(Finding::ColumnType {
                table: table.to_owned(),
                column: col.name.to_owned(),
                declared: col.sql_type,
                found: found.decl_type.clone(),
            });
        }
        // The rowid is never NULL, whatever the declaration says.
        if !rowid_key && found.not_null == col.nullable {
            findings.push(Finding::ColumnNullability {
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
            .filter(|k| {
                k.columns
                    .iter()
                    .any(|(from, _)| from.eq_ignore_ascii_case(col.name))
            })
            .collect();
        let points_right = |k: &LiveForeignKey| {
            k.target.eq_ignore_ascii_case(target.table)
                && matches!(k.columns.as_slice(), [(_, to)]
                    if to.as_deref().is_none_or(|to| to.eq_ignore_ascii_case(target_col)))
        };
        match (mine.iter().find(|k| points_right(k)), mine.first()) {
            (Some(k), _) => {
                if !k.on_delete.eq_ignore_ascii_case(fk.on_delete.sql()) {
                    findings.push(Finding::ForeignKeyOnDelete {
                        table: table.to_owned(),
                        column: col.name.to_owned(),
                        references: target.table.to_owned(),
                        declared: fk.on_delete,
                        found: k.on_delete.clone(),
                    });
                }
            }
            (None, Some(k)) => findings.push(Finding::ForeignKeyTarget {
                table: table.to_owned(),
                column: col.name.to_owned(),
                references: target.table.to_owned(),
                referenced_column: target_col.to_owned(),
                found: describe_target(k),
            }),
            (None, None) => findings.push(Finding::MissingForeignKey {
                table: table.to_owned(),
                column: col.name.to_owned(),
                references: target.table.to_owned(),
                referenced_column: target_col.to_owned(),
                on_delete: fk.on_delete,
            }),
        }
        if !indexed.iter().any(|i| i.eq_ignore_ascii_case(col.name)) {
            findings.push(Finding::MissingIndex {
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

/// `ALTER TABLE ... ADD COLUMN ...` for a missing column, when the database allows it.
fn add_column(dialect: &dyn Dialect, meta: &ModelMeta, col: &ColumnMeta) -> Option<String> {
    let q = |s: &str| dialect.quote(s);
    if col.primary_key || col.unique {
        return None;
    }
    let mut def = format!("{} {}", q(col.name), dialect.column_type(col.sql_type));
    if !col.nullable {
        // NOT NULL needs a non-NULL default, and a REFERENCES column a NULL one.
        if col.default.is_none() || col.foreign_key.is_some() {
            return None;
        }
        def.push_str(" NOT NULL");
    }
    if let Some(default) = col.default {
        def.push_str(&format!(
            " DEFAULT {}",
            dialect.literal(&default(), col.sql_type)
        ));
    }
    if let Some(fk) = col.foreign_key {
        let target = (fk.target)();
        let target_pk: Vec<String> = target.primary_key().map(|(_, c)| q(c.name)).collect();
        def.push_str(&format!(
            " REFERENCES {} ({}) ON DELETE {}",
            q(target.table),
            target_pk.join(", "),
            fk.on_delete.sql()
        ));
    }
    let mut sql = format!("ALTER TABLE {} ADD COLUMN {def}", q(meta.table));
    if col.foreign_key.is_some() || col.index {
        sql.push_str(&format!(
            "; CREATE INDEX {} ON {} ({})",
            q(&crate::sql::index_name(meta.table, col.name)),
            q(meta.table),
            q(col.name)
        ));
    }
    Some(sql)
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
    use crate::backend::sqlite::catalog::compatible;

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
        let report = SchemaReport {
            findings: vec![
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
            ],
        };
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
