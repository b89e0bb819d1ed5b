//! Statements of batched loads: one query per relationship for many parent rows.

use super::keys::KeyTable;
use super::{tuple_always, Sql, Statement};
use crate::runner::BoundKeys;
use crate::schema::TableId;

/// Where a batched load reads the keys it looks up, on SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoadKeys {
    /// `n` bound parameters, from the `first`.
    List { first: usize, n: usize },
    /// The load table of this table (see [`Sql::load_table`]).
    Table(TableId),
    /// The load table of values of any one column (see [`Sql::load_values`]), for joins
    /// through a column that is not a key.
    Values,
}

impl Sql<'_> {
    /// The temporary table holding the keys of `t` a batched load looks up.
    pub fn load_table(&self, t: TableId) -> String {
        self.key_table(KeyTable::Load, t)
    }

    /// Creates `t`'s load table if this connection has none yet.
    pub fn create_load(&self, t: TableId) -> Statement {
        self.create_key_table(KeyTable::Load, t)
    }

    /// Empties `t`'s load table.
    pub fn clear_load(&self, t: TableId) -> Statement {
        self.clear_key_table(KeyTable::Load, t)
    }

    /// Inserts `rows` keys (bound in order) into `t`'s load table, as one statement.
    pub fn insert_load(&self, t: TableId, rows: usize) -> String {
        self.insert_key_rows(KeyTable::Load, t, rows)
    }

    /// The temporary table of single values (any type) a batched load looks up when they
    /// are not keys: those of a unique column that a foreign key references.
    pub fn load_values(&self) -> String {
        self.dialect.temp_table("cascade_values")
    }

    /// Creates the values table if this connection has none yet.
    pub fn create_values(&self) -> Statement {
        Statement::new(format!(
            "CREATE TEMP TABLE IF NOT EXISTS {} (k0 PRIMARY KEY) WITHOUT ROWID",
            self.q("cascade_values")
        ))
    }

    /// Empties the values table.
    pub fn clear_values(&self) -> Statement {
        Statement::new(format!("DELETE FROM {}", self.load_values()))
    }

    /// Inserts `rows` values (bound in order) into the values table, as one statement.
    pub fn insert_values(&self, rows: usize) -> String {
        let tuples: Vec<String> = (1..=rows)
            .map(|i| format!("({})", self.dialect.param(i)))
            .collect();
        format!(
            "{} (k0) VALUES {}",
            self.insert_or_ignore(&self.load_values()),
            tuples.join(", ")
        )
    }

    /// The keys a load looks up, as the right side of `IN`.
    pub(crate) fn load_keys(&self, keys: LoadKeys) -> String {
        match keys {
            LoadKeys::List { first, n } => {
                tuple_always((first..first + n).map(|i| self.dialect.param(i)).collect())
            }
            LoadKeys::Table(t) => format!(
                "(SELECT {} FROM {})",
                self.key_columns(t),
                self.load_table(t)
            ),
            LoadKeys::Values => format!("(SELECT k0 FROM {})", self.load_values()),
        }
    }

    /// Rows of `t` whose `column` is one of `keys`, in key order: the children of many
    /// parents (a one-to-many, or the referenced side of a one-to-one).
    pub fn load_children(&self, t: TableId, column: usize, keys: &BoundKeys) -> String {
        format!(
            "SELECT {} FROM {} WHERE {} ORDER BY {}",
            self.select_list(t),
            self.table(t),
            keys.matching(&self.col(t, column)),
            self.pk_list(t)
        )
    }

    /// Rows of `t` whose `column` (its single-column primary key, or a unique column) is one
    /// of `keys`: the targets of many many-to-one references.
    pub fn load_targets(&self, t: TableId, column: usize, keys: &BoundKeys) -> String {
        format!(
            "SELECT {} FROM {} WHERE {} ORDER BY {}",
            self.select_list(t),
            self.table(t),
            keys.matching(&self.col(t, column)),
            self.pk_list(t)
        )
    }

    /// The rows of `target` linked through `assoc` from any of `keys`, each preceded by the
    /// key it is linked from (`assoc.local`), in target key order.
    pub fn load_linked(
        &self,
        assoc: TableId,
        local: usize,
        remote: usize,
        target: TableId,
        keys: &BoundKeys,
    ) -> String {
        let meta = self.schema.tables[target].meta;
        let columns: Vec<String> = meta
            .columns
            .iter()
            .map(|c| format!("t.{}", self.q(c.name)))
            .collect();
        let pk: Vec<String> = self.schema.tables[target]
            .pk
            .iter()
            .map(|&c| format!("t.{}", self.q(self.schema.column_name(target, c))))
            .collect();
        let referenced = self.schema.fk(assoc, remote).target_column;
        let local = self.q(self.schema.column_name(assoc, local));
        format!(
            "SELECT DISTINCT a.{local}, {} FROM {} AS a JOIN {} AS t ON t.{} = a.{} WHERE {} \
             ORDER BY {}",
            columns.join(", "),
            self.table(assoc),
            self.table(target),
            self.q(self.schema.column_name(target, referenced)),
            self.q(self.schema.column_name(assoc, remote)),
            keys.matching(&format!("a.{local}")),
            pk.join(", "),
        )
    }
}
