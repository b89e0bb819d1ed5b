//! Key sets: the runtime's temporary tables of keys (a delete's key sets, the keys a
//! collection keeps during an update, the keys a batched load looks up), and the expressions
//! that reach rows through foreign keys — to their target's key, or to another unique column.

use super::{tuple, tuple_of, Sql, Statement};
use crate::metadata::SqlType;
use crate::schema::TableId;
use crate::value::Value;

/// The runtime's temporary tables of keys, one of each kind per table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyTable {
    /// A delete's key set.
    Keys,
    /// The keys a collection keeps during an update.
    Keep,
    /// The keys a batched load looks up.
    Load,
}

impl KeyTable {
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            KeyTable::Keys => "cascade_keys_",
            KeyTable::Keep => "cascade_keep_",
            KeyTable::Load => "cascade_load_",
        }
    }
}

impl Sql<'_> {
    /// The key-set table of `t`.
    pub fn keys(&self, t: TableId) -> String {
        self.key_table(KeyTable::Keys, t)
    }

    /// A temporary table of keys of `t` (one column per primary-key column, `k0`, `k1`, ...).
    pub(crate) fn key_table(&self, kind: KeyTable, t: TableId) -> String {
        self.dialect
            .temp_table(&format!("{}{}", kind.prefix(), self.schema.name(t)))
    }

    /// Creates a temporary table of keys of `t` if this connection has none yet.
    pub(crate) fn create_key_table(&self, kind: KeyTable, t: TableId) -> Statement {
        let meta = self.schema.tables[t].meta;
        let name = format!("{}{}", kind.prefix(), self.schema.name(t));
        if meta.has_rowid_key() {
            // Keys of a rowid table are integers: a rowid table of them is the fastest set.
            return Statement::new(format!(
                "CREATE TEMP TABLE IF NOT EXISTS {} (k0 INTEGER PRIMARY KEY)",
                self.q(&name)
            ));
        }
        let cols: Vec<String> = self.schema.tables[t]
            .pk
            .iter()
            .enumerate()
            .map(|(i, &c)| format!("k{i} {}", affinity(meta.columns[c].sql_type)))
            .collect();
        Statement::new(format!(
            "CREATE TEMP TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({})) WITHOUT ROWID",
            self.q(&name),
            cols.join(", "),
            self.key_columns(t)
        ))
    }

    /// Empties a temporary table of keys of `t`.
    pub(crate) fn clear_key_table(&self, kind: KeyTable, t: TableId) -> Statement {
        Statement::new(format!("DELETE FROM {}", self.key_table(kind, t)))
    }

    /// Inserts `rows` keys (bound in order) into a temporary table of keys of `t`, as one
    /// statement.
    pub(crate) fn insert_key_rows(&self, kind: KeyTable, t: TableId, rows: usize) -> String {
        let width = self.schema.tables[t].pk.len();
        let tuples: Vec<String> = (0..rows)
            .map(|row| {
                let params: Vec<String> = (1..=width)
                    .map(|i| self.dialect.param(row * width + i))
                    .collect();
                format!("({})", params.join(", "))
            })
            .collect();
        format!(
            "{} ({}) VALUES {}",
            self.insert_or_ignore(&self.key_table(kind, t)),
            self.key_columns(t),
            tuples.join(", ")
        )
    }

    /// Creates `t`'s key-set table if this connection has none yet.
    pub fn create_keys(&self, t: TableId) -> Statement {
        self.create_key_table(KeyTable::Keys, t)
    }

    /// Empties `t`'s key set.
    pub fn clear_keys(&self, t: TableId) -> Statement {
        self.clear_key_table(KeyTable::Keys, t)
    }

    /// `INSERT OR IGNORE INTO table`: the temporary tables of keys are SQLite's (PostgreSQL
    /// keeps a cascade's keys in the statement's own CTEs).
    pub(crate) fn insert_or_ignore(&self, table: &str) -> String {
        format!("INSERT OR IGNORE INTO {table}")
    }

    pub(crate) fn insert_keys(&self, t: TableId) -> String {
        format!(
            "{} ({})",
            self.insert_or_ignore(&self.keys(t)),
            self.key_columns(t)
        )
    }

    /// `"child"."column" IN (...)`: the rows of `child` that reference, through `column`, rows
    /// in `parent`'s key set — those matching `range` (a `WHERE` over the key set's columns,
    /// or empty). Through the referenced column's values when the key is not what it
    /// references.
    pub(crate) fn in_referenced(
        &self,
        child: TableId,
        column: usize,
        parent: TableId,
        range: &str,
    ) -> String {
        let keys = format!(
            "SELECT {} FROM {}{range}",
            self.key_columns(parent),
            self.keys(parent)
        );
        if self.references_key(child, column) {
            return format!("{} IN ({keys})", self.col(child, column));
        }
        let target_column = self.schema.fk(child, column).target_column;
        format!(
            "{} IN (SELECT {} FROM {} WHERE {} IN ({keys}))",
            self.col(child, column),
            self.col(parent, target_column),
            self.table(parent),
            self.pk(parent)
        )
    }

    /// For a row aliased `alias` of `table`, the key of the row it references through
    /// `column` (one expression per primary-key column of the referenced table), and the join
    /// those expressions need (aliasing the referenced table as `parent`; empty when the
    /// foreign key references the key itself).
    pub(crate) fn referenced_key(
        &self,
        table: TableId,
        column: usize,
        alias: &str,
        parent: &str,
    ) -> (String, Vec<String>) {
        let c = self.q(self.schema.column_name(table, column));
        if self.references_key(table, column) {
            return (String::new(), vec![format!("{alias}.{c}")]);
        }
        let fk = self.schema.fk(table, column);
        let key = self.schema.tables[fk.target]
            .pk
            .iter()
            .map(|&k| format!("{parent}.{}", self.q(self.schema.column_name(fk.target, k))))
            .collect();
        (
            format!(
                " JOIN {} AS {parent} ON {parent}.{} = {alias}.{c}",
                self.table(fk.target),
                self.q(self.schema.column_name(fk.target, fk.target_column))
            ),
            key,
        )
    }

    /// `SELECT <keys of the referenced rows> FROM <filtered rows>`: the keys of the rows of
    /// `fk.target` that the rows of `table` chosen by `from_where` (`FROM ... WHERE ...`)
    /// reference through `column`.
    pub(crate) fn referenced_keys(
        &self,
        table: TableId,
        column: usize,
        from_where: String,
    ) -> String {
        let c = self.col(table, column);
        if self.references_key(table, column) {
            return format!("SELECT {c} {from_where} AND {c} IS NOT NULL");
        }
        let fk = self.schema.fk(table, column);
        format!(
            "SELECT {} FROM {} WHERE {} IN (SELECT {c} {from_where})",
            self.pk_list(fk.target),
            self.table(fk.target),
            self.col(fk.target, fk.target_column)
        )
    }

    /// The last key of the next range of `limit` keys of `t`'s key set, after the key bound
    /// first (when `after`); no row when fewer than `limit` keys are left. Parameters: the
    /// `after` key's values (when `after`), then the offset, which this statement binds.
    pub fn chunk_bound(&self, t: TableId, after: bool, limit: usize) -> Statement {
        let width = self.schema.tables[t].pk.len();
        let filter = if after {
            format!("WHERE {}", self.keys_after(t, 0))
        } else {
            String::new()
        };
        Statement {
            sql: format!(
                "SELECT {k} FROM {} {filter} ORDER BY {k} LIMIT 1 OFFSET {}",
                self.keys(t),
                self.dialect.param(if after { width + 1 } else { 1 }),
                k = self.key_columns(t),
            ),
            params: vec![Value::Integer(i64::try_from(limit - 1).unwrap_or(i64::MAX))],
        }
    }

    /// `(k0, ..) > (?first+1, ..)`
    pub(crate) fn keys_after(&self, t: TableId, first: usize) -> String {
        let width = self.schema.tables[t].pk.len();
        let params: Vec<String> = (1..=width).map(|i| self.dialect.param(first + i)).collect();
        format!(
            "{} > {}",
            tuple_of(self.key_columns(t), width),
            tuple(params)
        )
    }

    /// `pk IN (SELECT k.. FROM keys(t) [WHERE keys > ?.. [AND keys <= ?..]])`: the rows of `t`
    /// in its key set, optionally those whose keys are after the first bound key (when
    /// `after`) and up to the second (when `upto`), bound from parameter `first + 1` on.
    pub(crate) fn in_key_range(&self, t: TableId, first: usize, after: bool, upto: bool) -> String {
        let width = self.schema.tables[t].pk.len();
        let mut conds = Vec::new();
        if after {
            conds.push(self.keys_after(t, first));
        }
        if upto {
            let first = first + if after { width } else { 0 };
            let params: Vec<String> = (1..=width).map(|i| self.dialect.param(first + i)).collect();
            conds.push(format!(
                "{} <= {}",
                tuple_of(self.key_columns(t), width),
                tuple(params)
            ));
        }
        let filter = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        format!(
            "{} IN (SELECT {} FROM {}{filter})",
            self.pk(t),
            self.key_columns(t),
            self.keys(t)
        )
    }

    /// `"child"."column" IN (SELECT k0 FROM keys(parent) [WHERE k0 > ?a [AND k0 <= ?b]])`:
    /// the rows of `child` that reference deleted rows of `parent`, optionally for one range
    /// of the parent keys, bound from parameter `first + 1` on.
    pub(crate) fn in_parent_keys(
        &self,
        child: TableId,
        column: usize,
        parent: TableId,
        first: usize,
        after: bool,
        upto: bool,
    ) -> String {
        let width = self.schema.tables[parent].pk.len();
        let mut range = Vec::new();
        if after {
            range.push(self.keys_after(parent, first));
        }
        if upto {
            let n = first + if after { width } else { 0 };
            let params: Vec<String> = (1..=width).map(|i| self.dialect.param(n + i)).collect();
            range.push(format!(
                "{} <= {}",
                tuple_of(self.key_columns(parent), width),
                tuple(params)
            ));
        }
        let range = if range.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", range.join(" AND "))
        };
        self.in_referenced(child, column, parent, &range)
    }
}

/// The affinity of a key-table column holding keys of this type.
pub(crate) fn affinity(t: SqlType) -> &'static str {
    match t.sql() {
        "BOOLEAN" => "INTEGER",
        other => other,
    }
}
