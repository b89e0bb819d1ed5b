//! Trees by level, on SQLite: the keys of a self-referential tree with their depth below the
//! rows the delete started from (a temporary table ordered by depth, then key), so that the
//! tree is deleted one level at a time, deepest first — each row goes when nothing references
//! it any more, and the database's own action on the foreign key finds nothing to do.

use super::{keys::affinity, Sql, Statement};
use crate::schema::TableId;

impl Sql<'_> {
    /// The temporary table of `t`'s keys by level: `(d, k0)`, ordered by depth, then key.
    pub(crate) fn levels(&self, t: TableId) -> String {
        self.dialect
            .temp_table(&format!("cascade_levels_{}", self.schema.name(t)))
    }

    /// Creates `t`'s table of keys by level if this connection has none yet.
    pub fn create_levels(&self, t: TableId) -> Statement {
        let meta = self.schema.tables[t].meta;
        let key = meta.columns[self.schema.tables[t].pk[0]].sql_type;
        Statement::new(format!(
            "CREATE TEMP TABLE IF NOT EXISTS {} (d INTEGER, k0 {}, PRIMARY KEY (d, k0)) \
             WITHOUT ROWID",
            self.q(&format!("cascade_levels_{}", self.schema.name(t))),
            affinity(key)
        ))
    }

    /// Empties `t`'s table of keys by level.
    pub fn clear_levels(&self, t: TableId) -> Statement {
        Statement::new(format!("DELETE FROM {}", self.levels(t)))
    }

    /// Fills `t`'s table of keys by level from its key set (the tree's roots, depth 0) down
    /// through `column`, the tree's one reference to its own table. A row has one parent, so
    /// each row below the roots is reached once; a loop of parents reaches a root again
    /// (a row is below a root only through its one line of parents), and rows already in the
    /// key set are not followed, so the query ends on any data. (A row outside the roots'
    /// range of keys is not looked up among them: with many roots, the lookups took 10% of
    /// the query.)
    pub fn collect_levels(&self, t: TableId, column: usize) -> Statement {
        let pk = self.q(self.schema.column_name(t, self.schema.tables[t].pk[0]));
        let (join, key) = self.referenced_key(t, column, "s", "p");
        Statement::new(format!(
            "WITH RECURSIVE cascade_level(k, d) AS (SELECT k0, 0 FROM {keys} \
             UNION ALL SELECT s.{pk}, r.d + 1 FROM {table} AS s{join} \
             JOIN cascade_level AS r ON {key} = r.k \
             WHERE NOT (s.{pk} BETWEEN (SELECT min(k0) FROM {keys}) AND (SELECT max(k0) FROM {keys}) \
             AND s.{pk} IN (SELECT k0 FROM {keys}))) \
             INSERT INTO {levels} (d, k0) SELECT d, k FROM cascade_level",
            keys = self.keys(t),
            table = self.table(t),
            key = key[0],
            levels = self.levels(t),
        ))
    }

    /// Adds the keys below the roots to `t`'s key set.
    pub fn keys_from_levels(&self, t: TableId) -> Statement {
        Statement::new(format!(
            "{} SELECT k0 FROM {} WHERE d > 0",
            self.insert_keys(t),
            self.levels(t)
        ))
    }

    /// The depth of the deepest level (one row; `NULL` when the table is empty).
    pub fn deepest_level(&self, t: TableId) -> Statement {
        Statement::new(format!("SELECT max(d) FROM {}", self.levels(t)))
    }

    /// Sets `t.column` to `NULL` on the roots whose parent the delete removes too (a root
    /// below another root, or a loop of parents through a root): the only rows that could
    /// still reference a row of a deeper level, or of their own, when it goes.
    pub fn unlink_roots(&self, t: TableId, column: usize) -> Statement {
        Statement::new(format!(
            "UPDATE {} SET {} = NULL WHERE {} IN (SELECT k0 FROM {} WHERE d = 0) AND {}",
            self.table(t),
            self.q(self.schema.column_name(t, column)),
            self.pk(t),
            self.levels(t),
            self.in_referenced(t, column, t, "")
        ))
    }

    /// `k0 > ?2 AND k0 <= ?3`-style bounds of one range of a level (parameters after the
    /// level's depth, `?1`).
    fn level_range(&self, after: bool, upto: bool) -> String {
        let mut cond = String::new();
        if after {
            cond.push_str(&format!(" AND k0 > {}", self.dialect.param(2)));
        }
        if upto {
            let n = if after { 3 } else { 2 };
            cond.push_str(&format!(" AND k0 <= {}", self.dialect.param(n)));
        }
        cond
    }

    /// Deletes the rows of one level of `t` (depth `?1`), optionally one range of its keys.
    pub fn delete_level(&self, t: TableId, after: bool, upto: bool) -> String {
        format!(
            "DELETE FROM {} WHERE {} IN (SELECT k0 FROM {} WHERE d = {}{})",
            self.table(t),
            self.pk(t),
            self.levels(t),
            self.dialect.param(1),
            self.level_range(after, upto)
        )
    }

    /// The last key of the next range of keys of one level of `t` (depth `?1`), after the key
    /// `?2` when `after`, the range's size less one bound last; no row when fewer are left.
    pub fn level_bound(&self, t: TableId, after: bool) -> String {
        format!(
            "SELECT k0 FROM {} WHERE d = {}{} ORDER BY k0 LIMIT 1 OFFSET {}",
            self.levels(t),
            self.dialect.param(1),
            self.level_range(after, false),
            self.dialect.param(if after { 3 } else { 2 })
        )
    }
}
