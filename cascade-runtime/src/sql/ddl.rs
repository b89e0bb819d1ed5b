//! DDL: `CREATE TABLE` with its foreign keys and indexes.

use super::Dialect;
use crate::metadata::{ColumnMeta, ModelMeta};

/// The DDL of one model.
pub(crate) struct TableDdl {
    /// `CREATE TABLE IF NOT EXISTS`, with its foreign keys to tables that exist.
    pub create: String,
    /// `CREATE INDEX IF NOT EXISTS` of each foreign-key and indexed column.
    pub indexes: Vec<String>,
    /// `ALTER TABLE ... ADD FOREIGN KEY` of the foreign keys to tables that do not exist yet,
    /// to run once they do (tables that reference each other in a loop, where the database
    /// refuses a reference to a missing table).
    pub later: Vec<String>,
}

/// DDL of one model: `CREATE TABLE` and its indexes. A foreign key whose target table
/// `exists` says is missing goes into [`TableDdl::later`].
pub(crate) fn create_table(
    dialect: &dyn Dialect,
    meta: &ModelMeta,
    exists: &dyn Fn(&str) -> bool,
) -> TableDdl {
    let q = |s: &str| dialect.quote(s);
    let rowid = meta.has_rowid_key();
    let mut defs = Vec::new();
    for col in meta.columns {
        let mut def = if rowid && col.primary_key {
            format!("{} {}", q(col.name), dialect.assigned_key(col.sql_type))
        } else {
            let mut def = format!("{} {}", q(col.name), dialect.column_type(col.sql_type));
            if !col.nullable {
                def.push_str(" NOT NULL");
            }
            def
        };
        if col.unique {
            def.push_str(" UNIQUE");
        }
        if let Some(default) = col.default {
            def.push_str(&format!(
                " DEFAULT {}",
                dialect.literal(&default(), col.sql_type)
            ));
        }
        defs.push(def);
    }
    if !rowid {
        let pk: Vec<String> = meta.primary_key().map(|(_, c)| q(c.name)).collect();
        defs.push(format!("PRIMARY KEY ({})", pk.join(", ")));
    }
    let mut later = Vec::new();
    for col in meta.columns {
        if let (Some(fk), Some(references)) = (col.foreign_key, references(dialect, col)) {
            let target = (fk.target)();
            let def = format!("FOREIGN KEY ({}) {references}", q(col.name));
            match target.table == meta.table || exists(target.table) {
                true => defs.push(def),
                false => later.push(format!("ALTER TABLE {} ADD {def}", q(meta.table))),
            }
        }
    }
    let create = format!(
        "CREATE TABLE IF NOT EXISTS {} (\n  {}\n)",
        q(meta.table),
        defs.join(",\n  ")
    );
    let mut indexes = Vec::new();
    for col in meta.columns {
        let single_pk = col.primary_key && meta.single_primary_key().is_some();
        if (col.foreign_key.is_some() || col.index) && !col.unique && !single_pk {
            indexes.push(format!(
                "CREATE INDEX IF NOT EXISTS {} ON {} ({})",
                q(&index_name(meta.table, col.name)),
                q(meta.table),
                q(col.name)
            ));
        }
    }
    TableDdl {
        create,
        indexes,
        later,
    }
}

/// `REFERENCES "target" ("column") ON DELETE ...` of a foreign-key column: the referenced
/// column it names, or else the target's primary key.
pub(crate) fn references(dialect: &dyn Dialect, col: &ColumnMeta) -> Option<String> {
    let q = |s: &str| dialect.quote(s);
    let fk = col.foreign_key?;
    let target = (fk.target)();
    let columns: Vec<String> = match fk.references.and_then(|name| target.column(name)) {
        Some((_, referenced)) => vec![q(referenced.name)],
        None => target.primary_key().map(|(_, c)| q(c.name)).collect(),
    };
    Some(format!(
        "REFERENCES {} ({}) ON DELETE {}",
        q(target.table),
        columns.join(", "),
        fk.on_delete.sql()
    ))
}

/// The name of the index `create_all` gives a column: `ix_<table>_<column>`, or, when the
/// table's name has an underscore (where `ix_a_b_c` could be table `a` or `a_b`), with the
/// table name's length: `ix3_a_b_c`. No two (table, column) pairs share a name.
pub(crate) fn index_name(table: &str, column: &str) -> String {
    if table.contains('_') {
        format!("ix{}_{table}_{column}", table.chars().count())
    } else {
        format!("ix_{table}_{column}")
    }
}

#[cfg(test)]
mod index_name_tests {
    use super::index_name;

    #[test]
    fn index_names_do_not_collide() {
        assert_eq!(index_name("child", "parent_id"), "ix_child_parent_id");
        assert_ne!(index_name("a_b", "c"), index_name("a", "b_c"));
        assert_eq!(index_name("a_b", "c"), "ix3_a_b_c");
    }
}
