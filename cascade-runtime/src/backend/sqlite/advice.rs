//! What `check_schema`'s findings say on SQLite: what is wrong, and the fix in SQLite's terms.
//! SQLite's `ALTER TABLE` can add a column but change no type, `NOT NULL`, key or foreign key:
//! those fixes rebuild the table. These are also the texts of a [`Finding`]'s own `Display`.

use std::fmt;

use super::catalog::{affinity, Affinity};
use super::SQLITE;
use crate::check::Finding;
use crate::metadata::{ColumnMeta, ModelMeta};
use crate::sql::Dialect;

/// Appended to every fix that needs the table rebuilt (SQLite's "12-step" procedure: create
/// the new table, copy the rows, drop the old one, rename the new one).
const REBUILD: &str =
    "(ALTER TABLE cannot; see https://www.sqlite.org/lang_altertable.html#otheralter)";

/// What is wrong and what fixes it, without the location.
pub(crate) fn describe(finding: &Finding, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let q = |s: &str| SQLITE.quote(s);
    match finding {
        Finding::ForeignKeysOff => f.write_str(
            "PRAGMA foreign_keys is off on this connection: SQLite enforces no foreign key \
             and runs no ON DELETE action; run `PRAGMA foreign_keys = ON` outside any \
             transaction (Session::open and Session::from_connection do)",
        ),
        Finding::MissingTable { model, .. } => missing_table(model, f),
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
        Finding::KeyNotAssigned { column, .. } => write!(
            f,
            "the model has the database assign this key to new rows, but the database does \
             not, so inserting a row without its key fails; rebuild the table with {} INTEGER \
             PRIMARY KEY {REBUILD}",
            q(column)
        ),
        Finding::KeyAlwaysGenerated { column, .. } => write!(
            f,
            "the key is GENERATED ALWAYS, so the database refuses rows written with a key of \
             their own; rebuild the table with {} INTEGER PRIMARY KEY {REBUILD}",
            q(column)
        ),
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
        } => missing_index(&SQLITE, "SQLite", table, column, references, f),
    }
}

/// [`Finding::MissingTable`], the same on every database.
pub(crate) fn missing_table(model: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(
        f,
        "the table does not exist; run `session.create_all::<{model}>()` (or create_all of any \
         model that reaches `{model}`)"
    )
}

/// [`Finding::MissingIndex`], with the database's name and the `CREATE INDEX` that
/// `create_all` would have run.
pub(crate) fn missing_index(
    dialect: &dyn Dialect,
    database: &str,
    table: &str,
    column: &str,
    references: &str,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let q = |s: &str| dialect.quote(s);
    write!(
        f,
        "no index starts with this foreign-key column, so every deleted {} row makes \
         {database} scan all of {}; CREATE INDEX {} ON {} ({})",
        q(references),
        q(table),
        q(&crate::sql::index_name(table, column)),
        q(table),
        q(column)
    )
}

/// `ALTER TABLE ... ADD COLUMN ...` for a missing column, when SQLite allows it: not for a
/// key or `UNIQUE` column, nor a `NOT NULL` one without a default, nor a `NOT NULL` foreign
/// key (whose default would have to be `NULL`).
pub(crate) fn add_column(meta: &ModelMeta, col: &ColumnMeta) -> Option<String> {
    let q = |s: &str| SQLITE.quote(s);
    if col.primary_key || col.unique {
        return None;
    }
    let mut def = format!("{} {}", q(col.name), SQLITE.column_type(col.sql_type));
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
            SQLITE.literal(&default(), col.sql_type)
        ));
    }
    if let Some(references) = crate::sql::ddl::references(&SQLITE, col) {
        def.push(' ');
        def.push_str(&references);
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
