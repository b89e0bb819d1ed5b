//! The live schema on SQLite, as `check_schema` compares it: `pragma_table_info`,
//! `pragma_foreign_key_list`, `pragma_index_list` and `pragma_index_info`, each with the table
//! name bound as a parameter; and SQLite's type affinities.

use rusqlite::Connection;

use crate::check::{LiveColumn, LiveForeignKey, LiveTable};
use crate::error::{Error, Result};
use crate::metadata::SqlType;
use crate::sql::Dialect;

use super::SQLITE;

/// `table`'s columns, foreign keys and indexed columns (its rowid alias among them); `None`
/// when there is no such table.
pub(crate) fn live_table(conn: &Connection, table: &str) -> Result<Option<LiveTable>> {
    let columns = live_columns(conn, table)?;
    if columns.is_empty() {
        return Ok(None);
    }
    let mut indexed = indexed_first_columns(conn, table)?;
    // The rowid alias — a single primary-key column declared exactly INTEGER — is the table's
    // own b-tree key: indexed, though no index lists it.
    let pk: Vec<&LiveColumn> = columns.iter().filter(|c| c.pk > 0).collect();
    if let [c] = pk.as_slice() {
        if c.decl_type.trim().eq_ignore_ascii_case("INTEGER") {
            indexed.push(c.name.clone());
        }
    }
    Ok(Some(LiveTable {
        foreign_keys: live_foreign_keys(conn, table)?,
        columns,
        indexed,
        // SQLite's constraints have no names to drop them by (the fixes rebuild the table).
        primary_key: None,
    }))
}

fn live_columns(conn: &rusqlite::Connection, table: &str) -> Result<Vec<LiveColumn>> {
    let context = || format!("reading pragma_table_info({})", SQLITE.quote(table));
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid",
        )
        .map_err(Error::db(context()))?;
    let rows = stmt
        .query_map([table], |r| {
            Ok(LiveColumn {
                name: r.get(0)?,
                decl_type: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                not_null: r.get(2)?,
                pk: r.get(3)?,
                // The rowid is assigned, and whether a key is the rowid is its type's
                // spelling: a `ColumnType` finding, not this one.
                assigned: None,
            })
        })
        .map_err(Error::db(context()))?;
    rows.collect::<rusqlite::Result<_>>()
        .map_err(Error::db(context()))
}

fn live_foreign_keys(conn: &rusqlite::Connection, table: &str) -> Result<Vec<LiveForeignKey>> {
    let context = || format!("reading pragma_foreign_key_list({})", SQLITE.quote(table));
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, \"table\", \"from\", \"to\", on_delete \
             FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        )
        .map_err(Error::db(context()))?;
    let rows = stmt
        .query_map([table], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .map_err(Error::db(context()))?;
    let mut keys: Vec<(i64, LiveForeignKey)> = Vec::new();
    for row in rows {
        let (id, target, from, to, on_delete) = row.map_err(Error::db(context()))?;
        match keys.last_mut() {
            Some((last, key)) if *last == id => key.columns.push((from, to)),
            _ => keys.push((
                id,
                LiveForeignKey {
                    name: None,
                    target,
                    columns: vec![(from, to)],
                    on_delete,
                },
            )),
        }
    }
    Ok(keys.into_iter().map(|(_, k)| k).collect())
}

/// The first column of every full (non-partial) index on `table`; expression columns are left
/// out.
fn indexed_first_columns(conn: &rusqlite::Connection, table: &str) -> Result<Vec<String>> {
    let context = || format!("reading pragma_index_list({})", SQLITE.quote(table));
    let mut stmt = conn
        .prepare_cached(
            "SELECT info.name FROM pragma_index_list(?1) AS list, \
             pragma_index_info(list.name) AS info \
             WHERE list.partial = 0 AND info.seqno = 0 AND info.name IS NOT NULL",
        )
        .map_err(Error::db(context()))?;
    let rows = stmt
        .query_map([table], |r| r.get(0))
        .map_err(Error::db(context()))?;
    rows.collect::<rusqlite::Result<_>>()
        .map_err(Error::db(context()))
}

/// SQLite's column affinities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Affinity {
    Integer,
    Text,
    Blob,
    Real,
    Numeric,
}

impl Affinity {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Affinity::Integer => "INTEGER",
            Affinity::Text => "TEXT",
            Affinity::Blob => "BLOB",
            Affinity::Real => "REAL",
            Affinity::Numeric => "NUMERIC",
        }
    }
}

/// The affinity SQLite gives a declared type (<https://www.sqlite.org/datatype3.html>, 3.1).
pub(crate) fn affinity(decl: &str) -> Affinity {
    let upper = decl.to_ascii_uppercase();
    if upper.contains("INT") {
        Affinity::Integer
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|s| upper.contains(s)) {
        Affinity::Text
    } else if upper.contains("BLOB") || upper.trim().is_empty() {
        Affinity::Blob
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|s| upper.contains(s)) {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

/// Whether a column of this affinity stores a declared type's values faithfully.
pub(crate) fn compatible(declared: SqlType, found: Affinity) -> bool {
    match declared.sql() {
        "INTEGER" => found == Affinity::Integer,
        "BOOLEAN" => matches!(found, Affinity::Integer | Affinity::Numeric),
        "REAL" => found == Affinity::Real,
        "TEXT" => found == Affinity::Text,
        _ => found == Affinity::Blob,
    }
}
