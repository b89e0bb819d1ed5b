//! SQL text. Identifiers are always quoted, values are always bound (`?N`); the only literals
//! are column defaults in DDL, rendered by [`Value::to_sql_literal`].
//!
//! Nothing here knows the driver: statements are text plus [`Value`]s, so a second dialect is
//! another implementation of [`Dialect`], not a rewrite.

use crate::metadata::{ModelMeta, SqlType};
use crate::plan::{Check, Detach, Edge, Via};
use crate::schema::{Schema, TableId};
use crate::value::Value;

/// The parts of SQL that differ between databases.
pub(crate) trait Dialect {
    /// Quotes an identifier, doubling embedded quotes.
    fn quote(&self, ident: &str) -> String {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }
    /// The `n`-th (1-based) bound parameter.
    fn param(&self, n: usize) -> String;
    /// `INSERT` that skips rows whose key is already present, up to the column list.
    fn insert_ignore(&self, table: &str) -> String;
    /// How a per-connection temporary table is named in statements.
    fn temp_table(&self, name: &str) -> String;
    /// The most parameters one statement may bind.
    fn max_params(&self) -> usize;
}

/// SQLite.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sqlite;

impl Dialect for Sqlite {
    fn param(&self, n: usize) -> String {
        format!("?{n}")
    }
    fn insert_ignore(&self, table: &str) -> String {
        format!("INSERT OR IGNORE INTO {table}")
    }
    fn temp_table(&self, name: &str) -> String {
        format!("temp.{}", self.quote(name))
    }
    fn max_params(&self) -> usize {
        // SQLITE_MAX_VARIABLE_NUMBER is 32766 since 3.32; stay far below for older builds.
        999
    }
}

/// The runtime's temporary tables of keys, one of each kind per table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyTable {
    /// A delete's key set.
    Keys,
    /// The keys a collection keeps during an update.
    Keep,
    /// The keys a batched load looks up.
    Load,
}

impl KeyTable {
    fn prefix(self) -> &'static str {
        match self {
            KeyTable::Keys => "cascade_keys_",
            KeyTable::Keep => "cascade_keep_",
            KeyTable::Load => "cascade_load_",
        }
    }
}

/// One statement: text and bound values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    pub sql: String,
    pub params: Vec<Value>,
}

impl Statement {
    fn new(sql: String) -> Statement {
        Statement {
            sql,
            params: Vec::new(),
        }
    }
}

/// Renders plan steps and CRUD statements for one schema.
pub(crate) struct Render<'a, D: Dialect = Sqlite> {
    pub schema: &'a Schema,
    pub dialect: D,
}

impl<'a> Render<'a, Sqlite> {
    pub fn sqlite(schema: &'a Schema) -> Self {
        Render {
            schema,
            dialect: Sqlite,
        }
    }
}

impl<D: Dialect> Render<'_, D> {
    fn q(&self, ident: &str) -> String {
        self.dialect.quote(ident)
    }

    fn table(&self, t: TableId) -> String {
        self.q(self.schema.name(t))
    }

    /// `"table"."column"`
    fn col(&self, t: TableId, c: usize) -> String {
        format!(
            "{}.{}",
            self.table(t),
            self.q(self.schema.column_name(t, c))
        )
    }

    /// The key-set table of `t`.
    pub fn keys(&self, t: TableId) -> String {
        self.key_table(KeyTable::Keys, t)
    }

    /// A temporary table of keys of `t` (one column per primary-key column, `k0`, `k1`, ...).
    fn key_table(&self, kind: KeyTable, t: TableId) -> String {
        self.dialect
            .temp_table(&format!("{}{}", kind.prefix(), self.schema.name(t)))
    }

    /// Creates a temporary table of keys of `t` if this connection has none yet.
    fn create_key_table(&self, kind: KeyTable, t: TableId) -> Statement {
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
    fn clear_key_table(&self, kind: KeyTable, t: TableId) -> Statement {
        Statement::new(format!("DELETE FROM {}", self.key_table(kind, t)))
    }

    /// Inserts `rows` keys (bound in order) into a temporary table of keys of `t`, as one
    /// statement.
    fn insert_key_rows(&self, kind: KeyTable, t: TableId, rows: usize) -> String {
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
            self.dialect.insert_ignore(&self.key_table(kind, t)),
            self.key_columns(t),
            tuples.join(", ")
        )
    }

    fn key_columns(&self, t: TableId) -> String {
        let n = self.schema.tables[t].pk.len();
        (0..n)
            .map(|i| format!("k{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The primary key of `t` as an expression: `"t"."id"` or `("t"."a", "t"."b")`.
    fn pk(&self, t: TableId) -> String {
        let cols: Vec<String> = self.schema.tables[t]
            .pk
            .iter()
            .map(|&c| self.col(t, c))
            .collect();
        tuple(cols)
    }

    /// `expr IN (SELECT k0.. FROM keys(t))`
    fn in_keys(&self, expr: String, t: TableId) -> String {
        format!(
            "{expr} IN (SELECT {} FROM {})",
            self.key_columns(t),
            self.keys(t)
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

    fn insert_keys(&self, t: TableId) -> String {
        format!(
            "{} ({})",
            self.dialect.insert_ignore(&self.keys(t)),
            self.key_columns(t)
        )
    }

    /// Seeds `t`'s key set with the existing row of `key` (one value per primary-key column).
    pub fn seed_key(&self, t: TableId, key: Vec<Value>) -> Statement {
        let conds: Vec<String> = self.schema.tables[t]
            .pk
            .iter()
            .enumerate()
            .map(|(i, &c)| format!("{} = {}", self.col(t, c), self.dialect.param(i + 1)))
            .collect();
        Statement {
            sql: format!(
                "{} SELECT {} FROM {} WHERE {}",
                self.insert_keys(t),
                self.pk_list(t),
                self.table(t),
                conds.join(" AND ")
            ),
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
        let mut sql = format!(
            "{} SELECT {} FROM {} WHERE ({clause}\n)",
            self.insert_keys(t),
            self.pk_list(t),
            self.table(t)
        );
        if let Some(limit) = limit {
            params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
            sql.push_str(&format!(
                " ORDER BY {} LIMIT {}",
                self.pk_list(t),
                self.dialect.param(params.len())
            ));
        }
        Statement { sql, params }
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

    fn pk_list(&self, t: TableId) -> String {
        self.schema.tables[t]
            .pk
            .iter()
            .map(|&c| self.col(t, c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A condition over `t` alone: its column `c` is `?1`.
    pub fn column_is(&self, t: TableId, c: usize) -> String {
        format!(
            "{} = {}",
            self.q(self.schema.column_name(t, c)),
            self.dialect.param(1)
        )
    }

    /// Whether the foreign key in `table.column` references its target's primary key (rather
    /// than another unique column).
    fn references_key(&self, table: TableId, column: usize) -> bool {
        let fk = self.schema.fk(table, column);
        self.schema.tables[fk.target].pk == [fk.target_column]
    }

    /// `"child"."column" IN (...)`: the rows of `child` that reference, through `column`, rows
    /// in `parent`'s key set — those matching `range` (a `WHERE` over the key set's columns,
    /// or empty). Through the referenced column's values when the key is not what it
    /// references.
    fn in_referenced(&self, child: TableId, column: usize, parent: TableId, range: &str) -> String {
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
    /// `column`, and the join that expression needs (aliasing the referenced table as
    /// `parent`; empty when the foreign key references the key itself).
    fn referenced_key(
        &self,
        table: TableId,
        column: usize,
        alias: &str,
        parent: &str,
    ) -> (String, String) {
        let c = self.q(self.schema.column_name(table, column));
        if self.references_key(table, column) {
            return (String::new(), format!("{alias}.{c}"));
        }
        let fk = self.schema.fk(table, column);
        let target_pk = self.schema.tables[fk.target].pk[0];
        (
            format!(
                " JOIN {} AS {parent} ON {parent}.{} = {alias}.{c}",
                self.table(fk.target),
                self.q(self.schema.column_name(fk.target, fk.target_column))
            ),
            format!(
                "{parent}.{}",
                self.q(self.schema.column_name(fk.target, target_pk))
            ),
        )
    }

    /// `SELECT <keys of the referenced rows> FROM <filtered rows>`: the keys of the rows of
    /// `fk.target` that the rows of `table` chosen by `from_where` (`FROM ... WHERE ...`)
    /// reference through `column`.
    fn referenced_keys(&self, table: TableId, column: usize, from_where: String) -> String {
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

    /// Adds the rows an edge reaches to the key set of `edge.to`.
    pub fn collect(&self, edge: &Edge) -> Statement {
        let (from, to) = (edge.from, edge.to);
        let sql = match edge.via {
            Via::Referenced { column } => format!(
                "{} SELECT {} FROM {} WHERE {}",
                self.insert_keys(to),
                self.pk_list(to),
                self.table(to),
                self.in_referenced(to, column, from, "")
            ),
            Via::Referencing { column } => format!(
                "{} {}",
                self.insert_keys(to),
                self.referenced_keys(
                    from,
                    column,
                    format!(
                        "FROM {} WHERE {}",
                        self.table(from),
                        self.in_keys(self.pk(from), from)
                    )
                ),
            ),
            Via::Secondary {
                assoc,
                local,
                remote,
            } => format!(
                "{} {}",
                self.insert_keys(to),
                self.referenced_keys(
                    assoc,
                    remote,
                    format!(
                        "FROM {} WHERE {}",
                        self.table(assoc),
                        self.in_referenced(assoc, local, from, "")
                    )
                ),
            ),
        };
        Statement::new(sql)
    }

    /// Closes `t`'s key set over its references to itself with one recursive query.
    /// `t` has a single-column primary key (it is referenced by a foreign key).
    pub fn closure(&self, t: TableId, edges: &[Via]) -> Statement {
        let pk = self.q(self.schema.column_name(t, self.schema.tables[t].pk[0]));
        let table = self.table(t);
        let mut terms = vec![format!("SELECT k0 FROM {}", self.keys(t))];
        for via in edges {
            terms.push(match *via {
                Via::Referenced { column } => {
                    let (join, key) = self.referenced_key(t, column, "s", "p");
                    format!(
                        "SELECT s.{pk} FROM {table} AS s{join} JOIN cascade_closure AS r ON {key} = r.k"
                    )
                }
                Via::Referencing { column } => {
                    let c = self.q(self.schema.column_name(t, column));
                    let (join, key) = self.referenced_key(t, column, "s", "p");
                    format!(
                        "SELECT {key} FROM {table} AS s JOIN cascade_closure AS r ON s.{pk} = r.k\
                         {join} WHERE s.{c} IS NOT NULL"
                    )
                }
                Via::Secondary { assoc, local, remote } => {
                    let (ljoin, lkey) = self.referenced_key(assoc, local, "a", "lp");
                    let (rjoin, rkey) = self.referenced_key(assoc, remote, "a", "rp");
                    format!(
                        "SELECT {rkey} FROM {} AS a{ljoin} JOIN cascade_closure AS r ON {lkey} = r.k\
                         {rjoin} WHERE a.{} IS NOT NULL",
                        self.table(assoc),
                        self.q(self.schema.column_name(assoc, remote)),
                    )
                }
            });
        }
        Statement::new(format!(
            "WITH RECURSIVE cascade_closure(k) AS ({}) {} SELECT k FROM cascade_closure",
            terms.join(" UNION "),
            self.insert_keys(t)
        ))
    }

    /// The temporary table of tagged keys a [`Render::recursive`] query fills.
    fn loop_keys(&self) -> String {
        self.dialect.temp_table("cascade_loop_keys")
    }

    /// Creates the tagged-keys table if this connection has none yet.
    pub fn create_loop_keys(&self) -> Statement {
        Statement::new(format!(
            "CREATE TEMP TABLE IF NOT EXISTS {} (t INTEGER, k, PRIMARY KEY (t, k)) WITHOUT ROWID",
            self.q("cascade_loop_keys")
        ))
    }

    /// Closes the key sets of `tables` (which reach each other in a loop, each with a
    /// single-column key) over `edges` with one recursive query; keys land in the tagged-keys
    /// table, tagged with their table's position in `tables`.
    pub fn recursive(&self, tables: &[TableId], edges: &[Edge]) -> Statement {
        let tag = |t: TableId| tables.iter().position(|&x| x == t).unwrap_or(usize::MAX);
        let pk = |t: TableId| self.q(self.schema.column_name(t, self.schema.tables[t].pk[0]));
        let mut terms: Vec<String> = tables
            .iter()
            .enumerate()
            .map(|(i, &t)| format!("SELECT {i}, k0 FROM {}", self.keys(t)))
            .collect();
        for edge in edges {
            let (from, to) = (tag(edge.from), tag(edge.to));
            let table = |t: TableId| self.table(t);
            terms.push(match edge.via {
                Via::Referenced { column } => {
                    let (join, key) = self.referenced_key(edge.to, column, "s", "p");
                    format!(
                        "SELECT {to}, s.{} FROM {} AS s{join} JOIN cascade_loop AS r ON r.t = {from} \
                         AND {key} = r.k",
                        pk(edge.to),
                        table(edge.to),
                    )
                }
                Via::Referencing { column } => {
                    let c = self.q(self.schema.column_name(edge.from, column));
                    let (join, key) = self.referenced_key(edge.from, column, "s", "p");
                    format!(
                        "SELECT {to}, {key} FROM {} AS s JOIN cascade_loop AS r ON r.t = {from} \
                         AND s.{} = r.k{join} WHERE s.{c} IS NOT NULL",
                        table(edge.from),
                        pk(edge.from)
                    )
                }
                Via::Secondary { assoc, local, remote } => {
                    let r = self.q(self.schema.column_name(assoc, remote));
                    let (ljoin, lkey) = self.referenced_key(assoc, local, "a", "lp");
                    let (rjoin, rkey) = self.referenced_key(assoc, remote, "a", "rp");
                    format!(
                        "SELECT {to}, {rkey} FROM {} AS a{ljoin} JOIN cascade_loop AS r ON \
                         r.t = {from} AND {lkey} = r.k{rjoin} WHERE a.{r} IS NOT NULL",
                        table(assoc),
                    )
                }
            });
        }
        Statement::new(format!(
            "WITH RECURSIVE cascade_loop(t, k) AS ({}) {} (t, k) SELECT t, k FROM cascade_loop",
            terms.join(" UNION "),
            self.dialect.insert_ignore(&self.loop_keys())
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
    fn referencing_filter(
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

    /// Counts what [`Render::detach`] would change (all ranges).
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
    fn rows_table(&self, t: TableId) -> String {
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
    fn keys_after(&self, t: TableId, first: usize) -> String {
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
    fn in_key_range(&self, t: TableId, first: usize, after: bool, upto: bool) -> String {
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

    /// Deletes the rows of `t` in one range of its key set (see [`Render::in_key_range`]).
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
    fn inline_filter(&self, edge: &Edge, after: bool, upto: bool) -> String {
        let Via::Referenced { column } = edge.via else {
            unreachable!("only referenced edges are inlined")
        };
        self.in_parent_keys(edge.to, column, edge.from, 0, after, upto)
    }

    /// `"child"."column" IN (SELECT k0 FROM keys(parent) [WHERE k0 > ?a [AND k0 <= ?b]])`:
    /// the rows of `child` that reference deleted rows of `parent`, optionally for one range
    /// of the parent keys, bound from parameter `first + 1` on.
    fn in_parent_keys(
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

    /// Deletes the rows of a leaf without a key set (see [`Render::inline_filter`]).
    pub fn delete_inline(&self, edge: &Edge, after: bool, upto: bool) -> String {
        format!(
            "DELETE FROM {} WHERE {}",
            self.table(edge.to),
            self.inline_filter(edge, after, upto)
        )
    }

    /// Counts the rows [`Render::delete_inline`] would delete.
    pub fn count_inline(&self, edge: &Edge) -> Statement {
        Statement::new(format!(
            "SELECT count(*) FROM {} WHERE {}",
            self.table(edge.to),
            self.inline_filter(edge, false, false)
        ))
    }

    /// The first `limit` keys of the rows [`Render::delete_inline`] would delete.
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

/// DDL of one model: `CREATE TABLE` and its indexes.
pub(crate) fn create_table<D: Dialect>(dialect: &D, meta: &ModelMeta) -> Vec<String> {
    let q = |s: &str| dialect.quote(s);
    let rowid = meta.has_rowid_key();
    let mut defs = Vec::new();
    for col in meta.columns {
        let mut def = format!("{} {}", q(col.name), col.sql_type.sql());
        if rowid && col.primary_key {
            def.push_str(" PRIMARY KEY");
        } else if !col.nullable {
            def.push_str(" NOT NULL");
        }
        if col.unique {
            def.push_str(" UNIQUE");
        }
        if let Some(default) = col.default {
            def.push_str(&format!(" DEFAULT {}", default().to_sql_literal()));
        }
        defs.push(def);
    }
    if !rowid {
        let pk: Vec<String> = meta.primary_key().map(|(_, c)| q(c.name)).collect();
        defs.push(format!("PRIMARY KEY ({})", pk.join(", ")));
    }
    for col in meta.columns {
        if let Some(fk) = col.foreign_key {
            let target = (fk.target)();
            let target_pk: Vec<String> = match fk.references.and_then(|name| target.column(name)) {
                Some((_, referenced)) => vec![q(referenced.name)],
                None => target.primary_key().map(|(_, c)| q(c.name)).collect(),
            };
            defs.push(format!(
                "FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {}",
                q(col.name),
                q(target.table),
                target_pk.join(", "),
                fk.on_delete.sql()
            ));
        }
    }
    let mut out = vec![format!(
        "CREATE TABLE IF NOT EXISTS {} (\n  {}\n)",
        q(meta.table),
        defs.join(",\n  ")
    )];
    for col in meta.columns {
        let single_pk = col.primary_key && meta.single_primary_key().is_some();
        if (col.foreign_key.is_some() || col.index) && !col.unique && !single_pk {
            out.push(format!(
                "CREATE INDEX IF NOT EXISTS {} ON {} ({})",
                q(&index_name(meta.table, col.name)),
                q(meta.table),
                q(col.name)
            ));
        }
    }
    out
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

/// The affinity of a key-table column holding keys of this type.
fn affinity(t: SqlType) -> &'static str {
    match t.sql() {
        "BOOLEAN" => "INTEGER",
        other => other,
    }
}

/// A comma-separated column list as a (row-value) expression.
fn tuple_of(columns: String, width: usize) -> String {
    if width == 1 {
        columns
    } else {
        format!("({columns})")
    }
}

fn tuple(mut parts: Vec<String>) -> String {
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        format!("({})", parts.join(", "))
    }
}

/// CRUD statements for single rows.
pub(crate) mod rows {
    use super::Dialect;
    use crate::metadata::ModelMeta;

    /// `INSERT INTO t (cols) VALUES (?1, ..)`; without the key column when the database
    /// assigns it.
    pub fn insert<D: Dialect>(d: &D, meta: &ModelMeta, columns: &[usize]) -> String {
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
    pub fn update<D: Dialect>(d: &D, meta: &ModelMeta) -> Option<String> {
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
    fn key_is<D: Dialect>(d: &D, meta: &ModelMeta) -> String {
        let conds: Vec<String> = meta
            .primary_key()
            .enumerate()
            .map(|(i, (_, c))| format!("{} = {}", d.quote(c.name), d.param(i + 1)))
            .collect();
        conds.join(" AND ")
    }

    /// `SELECT all columns FROM t WHERE key`.
    pub fn select_by_key<D: Dialect>(d: &D, meta: &ModelMeta) -> String {
        format!(
            "SELECT {} FROM {} WHERE {}",
            select_list(d, meta),
            d.quote(meta.table),
            key_is(d, meta)
        )
    }

    /// `SELECT count(*) FROM t WHERE (clause)`: the caller's clause, on a line of its own end
    /// so that a trailing `--` comment in it cannot swallow the closing parenthesis.
    pub fn count_where<D: Dialect>(d: &D, meta: &ModelMeta, clause: &str) -> String {
        format!(
            "SELECT count(*) FROM {} WHERE ({clause}\n)",
            d.quote(meta.table)
        )
    }

    /// `SELECT all columns FROM t [WHERE (clause)] ORDER BY key`.
    pub fn select_where<D: Dialect>(d: &D, meta: &ModelMeta, clause: Option<&str>) -> String {
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
    pub fn select_columns_by_key<D: Dialect>(d: &D, meta: &ModelMeta, columns: &[usize]) -> String {
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
    pub fn exists<D: Dialect>(d: &D, meta: &ModelMeta) -> String {
        format!(
            "SELECT 1 FROM {} WHERE {}",
            d.quote(meta.table),
            key_is(d, meta)
        )
    }

    /// All columns, quoted, in order.
    pub fn select_list<D: Dialect>(d: &D, meta: &ModelMeta) -> String {
        meta.columns
            .iter()
            .map(|c| d.quote(c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Statements of inserts, updates and loads that touch related rows.
impl<D: Dialect> Render<'_, D> {
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

    /// How many single values one statement may bind.
    pub fn values_per_statement(&self) -> usize {
        self.dialect.max_params()
    }

    /// How many keys of `t` one statement may bind.
    pub fn keys_per_statement(&self, t: TableId) -> usize {
        (self.dialect.max_params() / self.schema.tables[t].pk.len()).max(1)
    }

    /// Condition over `t`: `column = ?1` and the key is not in `t`'s keep table.
    pub fn left_collection(&self, t: TableId, column: usize) -> String {
        format!(
            "{} = {} AND NOT {} IN (SELECT {} FROM {})",
            self.col(t, column),
            self.dialect.param(1),
            self.pk(t),
            self.key_columns(t),
            self.keep(t)
        )
    }

    /// Sets `t.column` to `NULL` on the rows of [`Render::left_collection`].
    pub fn release_left(&self, t: TableId, column: usize) -> String {
        format!(
            "UPDATE {} SET {} = NULL WHERE {}",
            self.table(t),
            self.q(self.schema.column_name(t, column)),
            self.left_collection(t, column)
        )
    }

    /// Counts the rows of [`Render::left_collection`].
    pub fn count_left(&self, t: TableId, column: usize) -> String {
        format!(
            "SELECT count(*) FROM {} WHERE {}",
            self.table(t),
            self.left_collection(t, column)
        )
    }

    /// Links of `assoc` from `?1` (through `local`) whose target (through `remote`) is not
    /// in `target`'s keep table.
    fn links_left(&self, assoc: TableId, local: usize, remote: usize, target: TableId) -> String {
        let kept = format!(
            "SELECT {} FROM {}",
            self.key_columns(target),
            self.keep(target)
        );
        let kept = match self.references_key(assoc, remote) {
            true => kept,
            false => format!(
                "SELECT {} FROM {} WHERE {} IN ({kept})",
                self.col(target, self.schema.fk(assoc, remote).target_column),
                self.table(target),
                self.pk(target)
            ),
        };
        format!(
            "{} = {} AND NOT {} IN ({kept})",
            self.col(assoc, local),
            self.dialect.param(1),
            self.col(assoc, remote),
        )
    }

    /// Deletes those links.
    pub fn delete_links_left(
        &self,
        assoc: TableId,
        local: usize,
        remote: usize,
        target: TableId,
    ) -> String {
        format!(
            "DELETE FROM {} WHERE {}",
            self.table(assoc),
            self.links_left(assoc, local, remote, target)
        )
    }

    /// Condition over `target`: rows linked from `?1` that left the collection.
    pub fn targets_left(
        &self,
        assoc: TableId,
        local: usize,
        remote: usize,
        target: TableId,
    ) -> String {
        format!(
            "{} IN (SELECT {} FROM {} WHERE {})",
            self.col(target, self.schema.fk(assoc, remote).target_column),
            self.col(assoc, remote),
            self.table(assoc),
            self.links_left(assoc, local, remote, target)
        )
    }

    /// Inserts a link `(local, remote) = (?1, ?2)` unless present.
    pub fn insert_link(&self, assoc: TableId, local: usize, remote: usize) -> String {
        format!(
            "{} ({}, {}) VALUES ({}, {})",
            self.dialect.insert_ignore(&self.table(assoc)),
            self.q(self.schema.column_name(assoc, local)),
            self.q(self.schema.column_name(assoc, remote)),
            self.dialect.param(1),
            self.dialect.param(2)
        )
    }

    fn select_list(&self, t: TableId) -> String {
        let meta = self.schema.tables[t].meta;
        (0..meta.columns.len())
            .map(|c| self.col(t, c))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where a batched load reads the keys it looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoadKeys {
    /// `n` bound parameters, `?1` to `?n`.
    List(usize),
    /// The load table of this table (see [`Render::load_table`]).
    Table(TableId),
    /// The load table of values of any one column (see [`Render::load_values`]), for joins
    /// through a column that is not a key.
    Values,
}

/// Statements of batched loads: one query per relationship for many parent rows.
impl<D: Dialect> Render<'_, D> {
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
            self.dialect.insert_ignore(&self.load_values()),
            tuples.join(", ")
        )
    }

    /// The keys a load looks up, as the right side of `IN`.
    fn load_keys(&self, keys: LoadKeys) -> String {
        match keys {
            LoadKeys::List(n) => tuple_always((1..=n).map(|i| self.dialect.param(i)).collect()),
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
    pub fn load_children(&self, t: TableId, column: usize, keys: LoadKeys) -> String {
        format!(
            "SELECT {} FROM {} WHERE {} IN {} ORDER BY {}",
            self.select_list(t),
            self.table(t),
            self.col(t, column),
            self.load_keys(keys),
            self.pk_list(t)
        )
    }

    /// Rows of `t` whose `column` (its single-column primary key, or a unique column) is one
    /// of `keys`: the targets of many many-to-one references.
    pub fn load_targets(&self, t: TableId, column: usize, keys: LoadKeys) -> String {
        format!(
            "SELECT {} FROM {} WHERE {} IN {} ORDER BY {}",
            self.select_list(t),
            self.table(t),
            self.col(t, column),
            self.load_keys(keys),
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
        keys: LoadKeys,
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
        format!(
            "SELECT DISTINCT a.{local}, {} FROM {} AS a JOIN {} AS t ON t.{} = a.{} WHERE a.{local} IN {} \
             ORDER BY {}",
            columns.join(", "),
            self.table(assoc),
            self.table(target),
            self.q(self.schema.column_name(target, referenced)),
            self.q(self.schema.column_name(assoc, remote)),
            self.load_keys(keys),
            pk.join(", "),
            local = self.q(self.schema.column_name(assoc, local)),
        )
    }
}

/// `(a, b, ..)`, parenthesised even for one part.
fn tuple_always(parts: Vec<String>) -> String {
    format!("({})", parts.join(", "))
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
