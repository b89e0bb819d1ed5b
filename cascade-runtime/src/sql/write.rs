//! Statements of writes: single rows (insert, update, select, exists), and the collections and
//! links an update syncs.

use super::keys::KeyTable;
use super::{Dialect, Sql, Statement};
use crate::schema::TableId;

/// CRUD statements for single rows.
pub(crate) mod rows {
    use super::Dialect;
    use crate::metadata::ModelMeta;

    /// `INSERT INTO t (cols) VALUES (?1, ..)`; without the key column when the database
    /// assigns it.
    pub fn insert(d: &dyn Dialect, meta: &ModelMeta, columns: &[usize]) -> String {
        if columns.is_empty() {
            return format!("INSERT INTO {} DEFAULT VALUES", d.quote(meta.table));
        }
        let names: Vec<String> = columns
            .iter()
            .map(|&c| d.quote(meta.columns[c].name))
            .collect();
        let params: Vec<String> = (1..=columns.len()).map(|i| d.param(i)).collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            d.quote(meta.table),
            names.join(", "),
            params.join(", ")
        )
    }

    /// `UPDATE t SET non-key columns WHERE key`; parameters: non-key columns, then the key.
    pub fn update(d: &dyn Dialect, meta: &ModelMeta) -> Option<String> {
        let mut n = 0;
        let mut next = || {
            n += 1;
            d.param(n)
        };
        let sets: Vec<String> = meta
            .columns
            .iter()
            .filter(|c| !c.primary_key)
            .map(|c| format!("{} = {}", d.quote(c.name), next()))
            .collect();
        if sets.is_empty() {
            return None;
        }
        let conds: Vec<String> = meta
            .primary_key()
            .map(|(_, c)| format!("{} = {}", d.quote(c.name), next()))
            .collect();
        Some(format!(
            "UPDATE {} SET {} WHERE {}",
            d.quote(meta.table),
            sets.join(", "),
            conds.join(" AND ")
        ))
    }

    /// `key1 = ?1 AND key2 = ?2 ...`
    pub(crate) fn key_is(d: &dyn Dialect, meta: &ModelMeta) -> String {
        let conds: Vec<String> = meta
            .primary_key()
            .enumerate()
            .map(|(i, (_, c))| format!("{} = {}", d.quote(c.name), d.param(i + 1)))
            .collect();
        conds.join(" AND ")
    }

    /// `SELECT all columns FROM t WHERE key`.
    pub fn select_by_key(d: &dyn Dialect, meta: &ModelMeta) -> String {
        format!(
            "SELECT {} FROM {} WHERE {}",
            select_list(d, meta),
            d.quote(meta.table),
            key_is(d, meta)
        )
    }

    /// `SELECT count(*) FROM t WHERE (clause)`: the caller's clause, on a line of its own end
    /// so that a trailing `--` comment in it cannot swallow the closing parenthesis.
    pub fn count_where(d: &dyn Dialect, meta: &ModelMeta, clause: &str) -> String {
        format!(
            "SELECT count(*) FROM {} WHERE ({clause}\n)",
            d.quote(meta.table)
        )
    }

    /// `SELECT all columns FROM t [WHERE (clause)] ORDER BY key`.
    pub fn select_where(d: &dyn Dialect, meta: &ModelMeta, clause: Option<&str>) -> String {
        let key: Vec<String> = meta.primary_key().map(|(_, c)| d.quote(c.name)).collect();
        format!(
            "SELECT {} FROM {}{} ORDER BY {}",
            select_list(d, meta),
            d.quote(meta.table),
            clause.map_or(String::new(), |c| format!(" WHERE ({c}\n)")),
            key.join(", ")
        )
    }

    /// `SELECT` of some columns `FROM t WHERE key`.
    pub fn select_columns_by_key(d: &dyn Dialect, meta: &ModelMeta, columns: &[usize]) -> String {
        let names: Vec<String> = columns
            .iter()
            .map(|&c| d.quote(meta.columns[c].name))
            .collect();
        format!(
            "SELECT {} FROM {} WHERE {}",
            names.join(", "),
            d.quote(meta.table),
            key_is(d, meta)
        )
    }

    /// Whether a row with this key exists.
    pub fn exists(d: &dyn Dialect, meta: &ModelMeta) -> String {
        format!(
            "SELECT 1 FROM {} WHERE {}",
            d.quote(meta.table),
            key_is(d, meta)
        )
    }

    /// All columns, quoted, in order.
    pub fn select_list(d: &dyn Dialect, meta: &ModelMeta) -> String {
        meta.columns
            .iter()
            .map(|c| d.quote(c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Statements of inserts and updates that touch related rows.
impl Sql<'_> {
    /// The temporary table listing the keys a collection keeps during an update.
    pub fn keep(&self, t: TableId) -> String {
        self.key_table(KeyTable::Keep, t)
    }

    /// Creates `t`'s keep table if this connection has none yet.
    pub fn create_keep(&self, t: TableId) -> Statement {
        self.create_key_table(KeyTable::Keep, t)
    }

    /// Empties `t`'s keep table.
    pub fn clear_keep(&self, t: TableId) -> Statement {
        self.clear_key_table(KeyTable::Keep, t)
    }

    /// Inserts `rows` keys (bound in order) into `t`'s keep table, as one statement.
    pub fn insert_keep(&self, t: TableId, rows: usize) -> String {
        self.insert_key_rows(KeyTable::Keep, t, rows)
    }

    /// `t`'s keep table as the right side of `IN`.
    pub fn keep_keys(&self, t: TableId) -> String {
        format!("(SELECT {} FROM {})", self.key_columns(t), self.keep(t))
    }

    /// How many single values one statement may bind.
    pub fn values_per_statement(&self) -> usize {
        self.dialect.max_params()
    }

    /// How many keys of `t` one statement may bind.
    pub fn keys_per_statement(&self, t: TableId) -> usize {
        (self.dialect.max_params() / self.schema.tables[t].pk.len()).max(1)
    }

    /// Condition over `t`: `column = ?1` and the key is not among `kept` (the right side of
    /// `IN`, from [`Runner::bind_keys`](crate::runner::Runner::bind_keys)).
    pub fn left_collection(&self, t: TableId, column: usize, kept: &str) -> String {
        format!(
            "{} = {} AND NOT {} IN {kept}",
            self.col(t, column),
            self.dialect.param(1),
            self.pk(t),
        )
    }

    /// Sets `t.column` to `NULL` on the rows of [`Sql::left_collection`].
    pub fn release_left(&self, t: TableId, column: usize, kept: &str) -> String {
        format!(
            "UPDATE {} SET {} = NULL WHERE {}",
            self.table(t),
            self.q(self.schema.column_name(t, column)),
            self.left_collection(t, column, kept)
        )
    }

    /// Counts the rows of [`Sql::left_collection`].
    pub fn count_left(&self, t: TableId, column: usize, kept: &str) -> String {
        format!(
            "SELECT count(*) FROM {} WHERE {}",
            self.table(t),
            self.left_collection(t, column, kept)
        )
    }

    /// Links of `assoc` from `?1` (through `local`) whose target (through `remote`) is not
    /// among the `kept` keys of `target`.
    pub(crate) fn links_left(
        &self,
        (assoc, local, remote): (TableId, usize, usize),
        target: TableId,
        kept: &str,
    ) -> String {
        let kept = match self.references_key(assoc, remote) {
            true => kept.to_owned(),
            false => format!(
                "(SELECT {} FROM {} WHERE {} IN {kept})",
                self.col(target, self.schema.fk(assoc, remote).target_column),
                self.table(target),
                self.pk(target)
            ),
        };
        format!(
            "{} = {} AND NOT {} IN {kept}",
            self.col(assoc, local),
            self.dialect.param(1),
            self.col(assoc, remote),
        )
    }

    /// Deletes those links.
    pub fn delete_links_left(
        &self,
        link: (TableId, usize, usize),
        target: TableId,
        kept: &str,
    ) -> String {
        format!(
            "DELETE FROM {} WHERE {}",
            self.table(link.0),
            self.links_left(link, target, kept)
        )
    }

    /// Condition over `target`: rows linked from `?1` that left the collection.
    pub fn targets_left(
        &self,
        link: (TableId, usize, usize),
        target: TableId,
        kept: &str,
    ) -> String {
        let (assoc, _, remote) = link;
        format!(
            "{} IN (SELECT {} FROM {} WHERE {})",
            self.col(target, self.schema.fk(assoc, remote).target_column),
            self.col(assoc, remote),
            self.table(assoc),
            self.links_left(link, target, kept)
        )
    }

    /// Inserts a link `(local, remote) = (?1, ?2)` unless present.
    pub fn insert_link(&self, assoc: TableId, local: usize, remote: usize) -> String {
        let rest = format!(
            "({}, {}) VALUES ({}, {})",
            self.q(self.schema.column_name(assoc, local)),
            self.q(self.schema.column_name(assoc, remote)),
            self.dialect.param(1),
            self.dialect.param(2)
        );
        self.dialect.insert_ignore(&self.table(assoc), &rest)
    }
}
