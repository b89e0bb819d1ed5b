//! The statements of a cascade: seeding and collecting key sets (edges, closures of
//! self-references, loops), checks, detaches, unlinks, the rows hooks read, and the deletes —
//! by key set, in ranges of it, or straight through a leaf's one edge.

use super::{tuple, Sql, Statement};
use crate::plan::{Check, Detach, Edge, Via};
use crate::schema::TableId;
use crate::value::Value;

impl Sql<'_> {
    /// The keys of `t`'s row with this key: one value per primary-key column, bound from
    /// parameter `first`.
    pub fn seed_key_select(&self, t: TableId, first: usize) -> String {
        let conds: Vec<String> = self.schema.tables[t]
            .pk
            .iter()
            .enumerate()
            .map(|(i, &c)| format!("{} = {}", self.col(t, c), self.dialect.param(first + i)))
            .collect();
        format!(
            "SELECT {} FROM {} WHERE {}",
            self.pk_list(t),
            self.table(t),
            conds.join(" AND ")
        )
    }

    /// The keys of `t`'s rows matching the caller's `clause` (its own parameters first); with a
    /// `limit` (the number of the parameter that binds it), only the first in key order. The
    /// clause ends its own line, so that a trailing `--` comment cannot swallow the rest.
    pub fn seed_where_select(&self, t: TableId, clause: &str, limit: Option<usize>) -> String {
        let mut sql = format!(
            "SELECT {} FROM {} WHERE ({clause}\n)",
            self.pk_list(t),
            self.table(t)
        );
        if let Some(param) = limit {
            sql.push_str(&format!(
                " ORDER BY {} LIMIT {}",
                self.pk_list(t),
                self.dialect.param(param)
            ));
        }
        sql
    }

    /// Seeds `t`'s key set with the existing row of `key` (one value per primary-key column).
    pub fn seed_key(&self, t: TableId, key: Vec<Value>) -> Statement {
        Statement {
            sql: format!("{} {}", self.insert_keys(t), self.seed_key_select(t, 1)),
            params: key,
        }
    }

    /// Seeds `t`'s key set with the rows matching the caller's `clause` (its own parameters);
    /// with a `limit`, only the first rows in key order (bound after the caller's parameters).
    pub fn seed_where(
        &self,
        t: TableId,
        clause: &str,
        mut params: Vec<Value>,
        limit: Option<usize>,
    ) -> Statement {
        let limit_param = limit.map(|limit| {
            params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
            params.len()
        });
        Statement {
            sql: format!(
                "{} {}",
                self.insert_keys(t),
                self.seed_where_select(t, clause, limit_param)
            ),
            params,
        }
    }

    /// The first `limit` keys of `t`'s key set, in key order.
    pub fn first_keys(&self, t: TableId, limit: usize) -> Statement {
        Statement {
            sql: format!(
                "SELECT {k} FROM {} ORDER BY {k} LIMIT {}",
                self.keys(t),
                self.dialect.param(1),
                k = self.key_columns(t)
            ),
            params: vec![Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX))],
        }
    }

    /// The keys of the rows of `edge.to` that an edge reaches from `edge.from`'s key set.
    pub fn collect_select(&self, edge: &Edge) -> String {
        let (from, to) = (edge.from, edge.to);
        match edge.via {
            Via::Referenced { column } => format!(
                "SELECT {} FROM {} WHERE {}",
                self.pk_list(to),
                self.table(to),
                self.in_referenced(to, column, from, "")
            ),
            Via::Referencing { column } => self.referenced_keys(
                from,
                column,
                format!(
                    "FROM {} WHERE {}",
                    self.table(from),
                    self.in_keys(self.pk(from), from)
                ),
            ),
            Via::Secondary {
                assoc,
                local,
                remote,
            } => self.referenced_keys(
                assoc,
                remote,
                format!(
                    "FROM {} WHERE {}",
                    self.table(assoc),
                    self.in_referenced(assoc, local, from, "")
                ),
            ),
        }
    }

    /// Adds the rows an edge reaches to the key set of `edge.to`.
    pub fn collect(&self, edge: &Edge) -> Statement {
        Statement::new(format!(
            "{} {}",
            self.insert_keys(edge.to),
            self.collect_select(edge)
        ))
    }

    /// The recursive terms that close `t`'s keys over its references to itself: each a
    /// `SELECT` of the keys reached from the keys in `rec.col` (the recursive relation and its
    /// column). `t` has a single-column key.
    pub fn closure_terms(&self, t: TableId, edges: &[Via], rec: &str, col: &str) -> Vec<String> {
        let pk = self.q(self.schema.column_name(t, self.schema.tables[t].pk[0]));
        let table = self.table(t);
        edges
            .iter()
            .map(|via| match *via {
                Via::Referenced { column } => {
                    let (join, key) = self.referenced_key(t, column, "s", "p");
                    let key = tuple(key);
                    format!(
                        "SELECT s.{pk} FROM {table} AS s{join} JOIN {rec} AS r ON {key} = r.{col}"
                    )
                }
                Via::Referencing { column } => {
                    let c = self.q(self.schema.column_name(t, column));
                    let (join, key) = self.referenced_key(t, column, "s", "p");
                    let key = tuple(key);
                    format!(
                        "SELECT {key} FROM {table} AS s JOIN {rec} AS r ON s.{pk} = r.{col}\
                         {join} WHERE s.{c} IS NOT NULL"
                    )
                }
                Via::Secondary {
                    assoc,
                    local,
                    remote,
                } => {
                    let (ljoin, lkey) = self.referenced_key(assoc, local, "a", "lp");
                    let (rjoin, rkey) = self.referenced_key(assoc, remote, "a", "rp");
                    let (lkey, rkey) = (tuple(lkey), tuple(rkey));
                    format!(
                        "SELECT {rkey} FROM {} AS a{ljoin} JOIN {rec} AS r ON {lkey} = r.{col}\
                         {rjoin} WHERE a.{} IS NOT NULL",
                        self.table(assoc),
                        self.q(self.schema.column_name(assoc, remote)),
                    )
                }
            })
            .collect()
    }

    /// Closes `t`'s key set over its references to itself with one recursive query.
    /// `t` has a single-column primary key (it is referenced by a foreign key).
    pub fn closure(&self, t: TableId, edges: &[Via]) -> Statement {
        let mut terms = vec![format!("SELECT k0 FROM {}", self.keys(t))];
        terms.extend(self.closure_terms(t, edges, "cascade_closure", "k"));
        Statement::new(format!(
            "WITH RECURSIVE cascade_closure(k) AS ({}) {} SELECT k FROM cascade_closure",
            terms.join(" UNION "),
            self.insert_keys(t)
        ))
    }

    /// The temporary table of tagged keys a [`Sql::recursive`] query fills.
    pub(crate) fn loop_keys(&self) -> String {
        self.dialect.temp_table("cascade_loop_keys")
    }

    /// Creates the tagged-keys table if this connection has none yet.
    pub fn create_loop_keys(&self) -> Statement {
        Statement::new(format!(
            "CREATE TEMP TABLE IF NOT EXISTS {} (t INTEGER, k, PRIMARY KEY (t, k)) WITHOUT ROWID",
            self.q("cascade_loop_keys")
        ))
    }

    /// The recursive terms that close the key sets of `tables` (which reach each other in a
    /// loop) over `edges`: each a `SELECT` of tagged keys — a key's table's position in
    /// `tables`, then the key in the columns `keys` gives that table — reached from the
    /// tagged keys in `rec` (column `t`, then those of `keys`).
    pub fn loop_terms(
        &self,
        tables: &[TableId],
        edges: &[Edge],
        rec: &str,
        keys: &TaggedKeys,
    ) -> Vec<String> {
        let tag = |t: TableId| tables.iter().position(|&x| x == t).unwrap_or(usize::MAX);
        let pk = |t: TableId| -> Vec<String> {
            self.schema.tables[t]
                .pk
                .iter()
                .map(|&c| format!("s.{}", self.q(self.schema.column_name(t, c))))
                .collect()
        };
        edges
            .iter()
            .map(|edge| {
                let (from, to) = (tag(edge.from), tag(edge.to));
                let table = |t: TableId| self.table(t);
                match edge.via {
                    Via::Referenced { column } => {
                        let (join, k) = self.referenced_key(edge.to, column, "s", "p");
                        format!(
                            "SELECT {to}, {} FROM {} AS s{join} JOIN {rec} AS r ON r.t = {from} \
                             AND {}",
                            keys.select(to, &pk(edge.to)),
                            table(edge.to),
                            keys.matches(from, &k, "r"),
                        )
                    }
                    Via::Referencing { column } => {
                        let c = self.q(self.schema.column_name(edge.from, column));
                        let (join, k) = self.referenced_key(edge.from, column, "s", "p");
                        format!(
                            "SELECT {to}, {} FROM {} AS s JOIN {rec} AS r ON r.t = {from} \
                             AND {}{join} WHERE s.{c} IS NOT NULL",
                            keys.select(to, &k),
                            table(edge.from),
                            keys.matches(from, &pk(edge.from), "r"),
                        )
                    }
                    Via::Secondary {
                        assoc,
                        local,
                        remote,
                    } => {
                        let r = self.q(self.schema.column_name(assoc, remote));
                        let (ljoin, lkey) = self.referenced_key(assoc, local, "a", "lp");
                        let (rjoin, rkey) = self.referenced_key(assoc, remote, "a", "rp");
                        format!(
                            "SELECT {to}, {} FROM {} AS a{ljoin} JOIN {rec} AS r ON \
                             r.t = {from} AND {}{rjoin} WHERE a.{r} IS NOT NULL",
                            keys.select(to, &rkey),
                            table(assoc),
                            keys.matches(from, &lkey, "r"),
                        )
                    }
                }
            })
            .collect()
    }

    /// Closes the key sets of `tables` (which reach each other in a loop, each with a
    /// single-column key) over `edges` with one recursive query; keys land in the tagged-keys
    /// table, tagged with their table's position in `tables`.
    pub fn recursive(&self, tables: &[TableId], edges: &[Edge]) -> Statement {
        let mut terms: Vec<String> = tables
            .iter()
            .enumerate()
            .map(|(i, &t)| format!("SELECT {i}, k0 FROM {}", self.keys(t)))
            .collect();
        terms.extend(self.loop_terms(
            tables,
            edges,
            "cascade_loop",
            &TaggedKeys::single(tables.len()),
        ));
        Statement::new(format!(
            "WITH RECURSIVE cascade_loop(t, k) AS ({}) {} (t, k) SELECT t, k FROM cascade_loop",
            terms.join(" UNION "),
            self.insert_or_ignore(&self.loop_keys())
        ))
    }

    /// Takes the keys tagged `tag` from the tagged-keys table into `t`'s key set.
    pub fn take_loop_keys(&self, t: TableId, tag: usize) -> Statement {
        Statement::new(format!(
            "{} SELECT k FROM {} WHERE t = {tag}",
            self.insert_keys(t),
            self.loop_keys()
        ))
    }

    /// Empties the tagged-keys table.
    pub fn clear_loop_keys(&self) -> Statement {
        Statement::new(format!("DELETE FROM {}", self.loop_keys()))
    }

    /// The filter of rows of `table` that reference deleted rows of `referenced` through
    /// `column` and that the plan does not delete itself.
    pub(crate) fn referencing_filter(
        &self,
        table: TableId,
        column: usize,
        referenced: TableId,
        deleted: bool,
    ) -> String {
        let mut filter = self.in_referenced(table, column, referenced, "");
        if deleted {
            filter.push_str(&format!(" AND NOT {}", self.in_keys(self.pk(table), table)));
        }
        filter
    }

    /// Counts the rows that block a delete. `deleted`: whether `check.table` has a key set.
    pub fn check(&self, check: &Check, deleted: bool) -> Statement {
        Statement::new(format!(
            "SELECT count(*) FROM {} WHERE {}",
            self.table(check.table),
            self.referencing_filter(check.table, check.column, check.referenced, deleted)
        ))
    }

    /// The primary keys of the first `limit` rows that block a delete, in key order.
    pub fn blocking_keys(&self, check: &Check, deleted: bool, limit: usize) -> Statement {
        Statement {
            sql: format!(
                "SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT {}",
                self.pk_list(check.table),
                self.table(check.table),
                self.referencing_filter(check.table, check.column, check.referenced, deleted),
                self.pk_list(check.table),
                self.dialect.param(1)
            ),
            params: vec![Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX))],
        }
    }

    /// Sets a foreign key to `NULL` (or its default, bound as `?1`) on the rows that reference
    /// deleted rows and are not deleted themselves; optionally for one range of the referenced
    /// keys (bounds bound from `?2` on).
    pub fn detach(&self, d: &Detach, deleted: bool, after: bool, upto: bool) -> String {
        let mut filter = self.in_parent_keys(d.table, d.column, d.referenced, 1, after, upto);
        if deleted {
            filter.push_str(&format!(
                " AND NOT {}",
                self.in_keys(self.pk(d.table), d.table)
            ));
        }
        format!(
            "UPDATE {} SET {} = {} WHERE {filter}",
            self.table(d.table),
            self.q(self.schema.column_name(d.table, d.column)),
            self.dialect.param(1),
        )
    }

    /// Counts what [`Sql::detach`] would change (all ranges).
    pub fn count_detach(&self, d: &Detach, deleted: bool) -> Statement {
        Statement::new(format!(
            "SELECT count(*) FROM {} WHERE {}",
            self.table(d.table),
            self.referencing_filter(d.table, d.column, d.referenced, deleted)
        ))
    }

    /// Sets `t.column` to `NULL` on the rows in (one range of) `t`'s key set, breaking a loop
    /// of references.
    pub fn unlink(&self, t: TableId, column: usize, after: bool, upto: bool) -> String {
        let col = self.col(t, column);
        format!(
            "UPDATE {} SET {} = NULL WHERE {col} IS NOT NULL AND {}",
            self.table(t),
            self.q(self.schema.column_name(t, column)),
            self.in_key_range(t, 0, after, upto)
        )
    }

    /// The temporary table holding the rows of `t` a delete removes, for hooks.
    pub(crate) fn rows_table(&self, t: TableId) -> String {
        format!("cascade_rows_{}", self.schema.name(t))
    }

    /// Creates `t`'s rows table (its columns, no rows) if this connection has none yet.
    pub fn create_rows(&self, t: TableId) -> Statement {
        Statement::new(format!(
            "CREATE TEMP TABLE IF NOT EXISTS {} AS SELECT {} FROM {} WHERE 0",
            self.q(&self.rows_table(t)),
            self.select_list(t),
            self.table(t)
        ))
    }

    /// Copies the rows in `t`'s key set into its rows table.
    pub fn copy_rows(&self, t: TableId) -> Statement {
        Statement::new(format!(
            "INSERT INTO {} SELECT {} FROM {} WHERE {}",
            self.dialect.temp_table(&self.rows_table(t)),
            self.select_list(t),
            self.table(t),
            self.in_keys(self.pk(t), t)
        ))
    }

    /// One batch of the rows table: `rowid` then the columns, after rowid `?1`, at most `?2`.
    /// The rowid goes by the first of its names (`rowid`, `oid`, `_rowid_`) that no column of
    /// `t` takes: a column named `rowid` would hide it.
    pub fn rows_batch(&self, t: TableId) -> String {
        let columns = self.schema.tables[t].meta.columns;
        let rowid = ["rowid", "oid", "_rowid_"]
            .into_iter()
            .find(|name| !columns.iter().any(|c| c.name.eq_ignore_ascii_case(name)))
            .unwrap_or("rowid");
        format!(
            "SELECT {rowid}, * FROM {} WHERE {rowid} > {} ORDER BY {rowid} LIMIT {}",
            self.dialect.temp_table(&self.rows_table(t)),
            self.dialect.param(1),
            self.dialect.param(2)
        )
    }

    /// Empties `t`'s rows table.
    pub fn clear_rows(&self, t: TableId) -> Statement {
        Statement::new(format!(
            "DELETE FROM {}",
            self.dialect.temp_table(&self.rows_table(t))
        ))
    }

    /// Deletes the rows of `t` in one range of its key set (see [`Sql::in_key_range`]).
    pub fn delete_range(&self, t: TableId, after: bool, upto: bool) -> String {
        format!(
            "DELETE FROM {} WHERE {}",
            self.table(t),
            self.in_key_range(t, 0, after, upto)
        )
    }

    /// `"l"."col" IN (SELECT k0 FROM keys(from) [WHERE k0 > ?1 [AND k0 <= ?2]])`: the rows of a
    /// leaf without a key set that reference deleted rows, optionally for one range of the
    /// parent keys (parameters: the range's bounds, in that order).
    pub(crate) fn inline_filter(&self, edge: &Edge, after: bool, upto: bool) -> String {
        let Via::Referenced { column } = edge.via else {
            unreachable!("only referenced edges are inlined")
        };
        self.in_parent_keys(edge.to, column, edge.from, 0, after, upto)
    }

    /// Deletes the rows of a leaf without a key set (see [`Sql::inline_filter`]).
    pub fn delete_inline(&self, edge: &Edge, after: bool, upto: bool) -> String {
        format!(
            "DELETE FROM {} WHERE {}",
            self.table(edge.to),
            self.inline_filter(edge, after, upto)
        )
    }

    /// Counts the rows [`Sql::delete_inline`] would delete.
    pub fn count_inline(&self, edge: &Edge) -> Statement {
        Statement::new(format!(
            "SELECT count(*) FROM {} WHERE {}",
            self.table(edge.to),
            self.inline_filter(edge, false, false)
        ))
    }

    /// The first `limit` keys of the rows [`Sql::delete_inline`] would delete.
    pub fn first_keys_inline(&self, edge: &Edge, limit: usize) -> Statement {
        Statement {
            sql: format!(
                "SELECT {k} FROM {} WHERE {} ORDER BY {k} LIMIT {}",
                self.table(edge.to),
                self.inline_filter(edge, false, false),
                self.dialect.param(1),
                k = self.pk_list(edge.to)
            ),
            params: vec![Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX))],
        }
    }
}

/// How the keys of a loop's tables travel in the rows of its tagged relation (see
/// [`Sql::loop_terms`]): after the tag `t`, a row's key columns, each in a column of the
/// relation; the columns another table's keys use are `NULL` in it.
pub(crate) struct TaggedKeys {
    /// The relation's columns after `t`: each its name and the type of the `NULL`s in it.
    columns: Vec<(String, &'static str)>,
    /// By tag: the relation's column of each of the table's key columns.
    slots: Vec<Vec<usize>>,
}

impl TaggedKeys {
    /// One column `k` for the single-column keys of `tables` tables (SQLite's tagged-keys
    /// table, whose `k` has no type: keys of any type are stored and compared as they are).
    pub fn single(tables: usize) -> TaggedKeys {
        TaggedKeys {
            columns: vec![("k".to_owned(), "")],
            slots: vec![vec![0]; tables],
        }
    }

    /// Columns `k0`, `k1`, ... of the key columns' types in the dialect, as many of a type as
    /// the table with the most key columns of that type has: every key column travels in a
    /// column of its own type, so keys are compared exactly as the table compares them,
    /// whatever their types and number of columns.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub fn typed(sql: &Sql<'_>, tables: &[TableId]) -> TaggedKeys {
        let mut columns: Vec<(String, &'static str)> = Vec::new();
        let mut slots = Vec::with_capacity(tables.len());
        for &t in tables {
            let meta = sql.schema.tables[t].meta;
            let mut own: Vec<usize> = Vec::new();
            for &c in &sql.schema.tables[t].pk {
                let ty = sql.dialect.column_type(meta.columns[c].sql_type);
                let free = (0..columns.len()).find(|&i| columns[i].1 == ty && !own.contains(&i));
                let slot = free.unwrap_or_else(|| {
                    columns.push((format!("k{}", columns.len()), ty));
                    columns.len() - 1
                });
                own.push(slot);
            }
            slots.push(own);
        }
        TaggedKeys { columns, slots }
    }

    /// The names of the relation's columns after `t`: `k0`, `k1`, ...
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|(name, _)| name.as_str()).collect()
    }

    /// The columns of the relation that hold the key of the table tagged `tag`, in the order
    /// of its key columns.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub fn columns_of(&self, tag: usize) -> String {
        let names: Vec<&str> = self.slots[tag]
            .iter()
            .map(|&i| self.columns[i].0.as_str())
            .collect();
        names.join(", ")
    }

    /// The select list after the tag of a row holding `key` (an expression per key column)
    /// of the table tagged `tag`.
    pub fn select(&self, tag: usize, key: &[String]) -> String {
        let values: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(
                |(i, (_, ty))| match self.slots[tag].iter().position(|&s| s == i) {
                    Some(c) => key[c].clone(),
                    None => format!("CAST(NULL AS {ty})"),
                },
            )
            .collect();
        values.join(", ")
    }

    /// `key = r.k0 AND ..`: the row `r` of the relation holds `key` (an expression per key
    /// column) of the table tagged `tag` (whose tag the caller compares).
    pub fn matches(&self, tag: usize, key: &[String], r: &str) -> String {
        let conds: Vec<String> = self.slots[tag]
            .iter()
            .zip(key)
            .map(|(&i, k)| format!("{k} = {r}.{}", self.columns[i].0))
            .collect();
        conds.join(" AND ")
    }
}
