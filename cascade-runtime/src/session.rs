//! The [`Session`]: a connection plus the models it knows. Generic over its [`Backend`]:
//! everything but opening and the driver's connection is the same on every database.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use rusqlite::Connection;

use crate::backend::sqlite;
use crate::backend::{Backend, Conn, Sqlite};
use crate::error::{Error, Result};
use crate::metadata::ModelMeta;
use crate::model::Model;
use crate::plan::{self, Cascade};
use crate::repo::Repo;
use crate::report::{DeletePlan, DeleteReport};
use crate::runner::{Roots, Runner};
use crate::schema::{Schema, TableId};
use crate::sql::{self, rows};
use crate::tx::{Begin, Tx};
use crate::value::{IntoKey, Params, PrimaryKey, Value};
use crate::write::{key_of, Mode, Writer};

pub use crate::backend::sqlite::DEFAULT_BUSY_TIMEOUT;

/// A connection that knows the models used with it: SQLite by default (`Session` is
/// `Session<Sqlite>`), PostgreSQL with the `postgres` feature
/// ([`PgSession`](crate::PgSession) is `Session<Postgres>`). Every call below is the same on
/// both, with the same rules and errors; only opening a session and the driver's connection
/// differ.
///
/// Foreign-key enforcement is always on. Every call that writes is atomic: it runs in its own
/// transaction, or in a savepoint inside the caller's transaction, and changes nothing when it
/// fails. The models a session has seen (through [`Session::create_all`] or any other call) are
/// validated together at first use, and their foreign keys are all considered when deleting:
/// a row of a known table that references a deleted row is deleted, detached or reported.
///
/// A session is `Send`: it can move into a thread, a pool or `spawn_blocking`.
pub struct Session<B: Backend = Sqlite> {
    pub(crate) conn: Conn,
    models: Vec<&'static ModelMeta>,
    schema: Option<Arc<Schema>>,
    plans: HashMap<TableId, Arc<Cascade>>,
    preview_keys: usize,
    backend: PhantomData<B>,
}

/// How many first keys per table a [`DeletePlan`] lists by default.
pub const DEFAULT_PREVIEW_KEYS: usize = 5;

/// Where a chunked delete stands, passed to its progress callback after each chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkProgress {
    /// Chunks committed so far.
    pub chunks: usize,
    /// Root rows deleted so far.
    pub roots_deleted: usize,
    /// Root rows that matched when the delete started.
    pub roots_total: usize,
    /// Rows deleted so far, all tables.
    pub rows_deleted: usize,
}

impl<B: Backend> std::fmt::Debug for Session<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let models: Vec<&str> = self.models.iter().map(|m| m.name).collect();
        f.debug_struct("Session")
            .field("backend", &B::NAME)
            .field("models", &models)
            .finish()
    }
}

/// Opening a SQLite session.
impl Session<Sqlite> {
    /// Opens (or creates) a database file.
    pub fn open(path: impl AsRef<Path>) -> Result<Session> {
        let path = path.as_ref();
        let conn =
            Connection::open(path).map_err(Error::db(format!("opening {}", path.display())))?;
        Session::from_connection(conn)
    }

    /// Opens a private in-memory database.
    pub fn open_in_memory() -> Result<Session> {
        Session::from_connection(
            Connection::open_in_memory().map_err(Error::db("opening :memory:"))?,
        )
    }

    /// Wraps an existing connection, turning foreign-key enforcement on, double-quoted string
    /// literals off (`"name"` is always an identifier) and setting a busy timeout of
    /// [`DEFAULT_BUSY_TIMEOUT`].
    pub fn from_connection(conn: Connection) -> Result<Session> {
        sqlite::configure(&conn)?;
        Ok(Session::with(Conn::Sqlite(conn)))
    }

    /// The underlying connection.
    pub fn connection(&self) -> &Connection {
        match &self.conn {
            Conn::Sqlite(conn) => conn,
            #[allow(unreachable_patterns)] // with the `postgres` feature
            _ => unreachable!("a Session<Sqlite> holds a SQLite connection"),
        }
    }
}

impl<B: Backend> Session<B> {
    /// A session over a configured connection.
    pub(crate) fn with(conn: Conn) -> Session<B> {
        Session {
            conn,
            models: Vec::new(),
            schema: None,
            plans: HashMap::new(),
            preview_keys: DEFAULT_PREVIEW_KEYS,
            backend: PhantomData,
        }
    }

    /// A statement runner over the session's connection, for one call.
    pub(crate) fn runner(&mut self) -> Box<dyn Runner + '_> {
        self.conn.runner()
    }

    /// The session's calls for `M`, typed by it: [`Repo`].
    pub fn repo<M: Model>(&mut self) -> Repo<'_, M, B> {
        Repo::new(self)
    }

    /// The validated schema including `meta` and every model reachable from it.
    fn schema(&mut self, meta: &'static ModelMeta) -> Result<Arc<Schema>> {
        if let Some(schema) = &self.schema {
            if schema.table_id(meta).is_some() {
                return Ok(Arc::clone(schema));
            }
        }
        let mut models = self.models.clone();
        models.push(meta);
        let schema = Arc::new(Schema::build(&models)?);
        self.models = models;
        self.schema = Some(Arc::clone(&schema));
        self.plans.clear();
        Ok(schema)
    }

    /// The validated schema that includes `M`, and `M`'s table in it.
    pub(crate) fn table<M: Model>(&mut self) -> Result<(Arc<Schema>, TableId)> {
        let schema = self.schema(M::meta())?;
        let t = schema
            .table_id(M::meta())
            .expect("the schema was built with this model");
        Ok((schema, t))
    }

    /// The (cached) delete plan rooted at `t`.
    pub(crate) fn plan(&mut self, schema: &Schema, t: TableId) -> Result<Arc<Cascade>> {
        if let Some(plan) = self.plans.get(&t) {
            return Ok(Arc::clone(plan));
        }
        let plan = Arc::new(plan::cascade(schema, t)?);
        self.plans.insert(t, Arc::clone(&plan));
        Ok(plan)
    }

    /// Creates `M`'s table and those of every model reachable from it through relationships
    /// and foreign keys, referenced tables first: `CREATE TABLE IF NOT EXISTS` with the
    /// foreign keys and their `ON DELETE` actions, and an index on every foreign-key column.
    pub fn create_all<M: Model>(&mut self) -> Result<()> {
        crate::trace::call("create_all", M::meta().name, || {
            let (schema, root) = self.table::<M>()?;
            let order = schema.creation_order(root);
            let mut runner = self.runner();
            let mut tx = Tx::begin(&mut *runner, Begin::Write)?;
            let dialect = tx.dialect();
            let forward = dialect.forward_references();
            // Tables that exist, or that this call created; foreign keys to others (in a
            // loop of tables) are added once every table exists.
            let mut ready: Vec<&str> = Vec::new();
            let mut later = Vec::new();
            for t in order {
                let meta = schema.tables[t].meta;
                let ddl =
                    sql::create_table(dialect, meta, &|target| forward || ready.contains(&target));
                if forward || tx.live_table(meta.table)?.is_none() {
                    tx.execute(&ddl.create, &[])?;
                    later.extend(ddl.later);
                }
                for index in &ddl.indexes {
                    tx.execute(index, &[])?;
                }
                ready.push(meta.table);
            }
            for add in &later {
                tx.execute(add, &[])?;
            }
            tx.commit()
        })
    }

    /// Inserts `row` and, along `save-update` cascades, its related rows: many-to-one targets
    /// first, then the row, then its children (with their foreign key set) and many-to-many
    /// links. Keys assigned by the database are written back into `row` and its children.
    pub fn insert<M: Model>(&mut self, row: &mut M) -> Result<()> {
        crate::trace::call("insert", M::meta().name, || {
            self.write(row, Mode::Insert).map(drop)
        })
    }

    /// Writes `row`'s columns and, along `save-update` cascades, its related rows (new ones
    /// inserted, existing ones updated). Each collection field is taken as the whole
    /// collection: rows of the relationship that are no longer in it are deleted (with their
    /// own cascades) under `delete-orphan`, and otherwise detached (their foreign key set to
    /// `NULL`; many-to-many links deleted). Load the collections first (see
    /// [`Session::load_related`]) when `row` came from [`Session::get`].
    ///
    /// Returns what `delete-orphan` deleted.
    pub fn update<M: Model>(&mut self, row: &mut M) -> Result<DeleteReport> {
        crate::trace::call("update", M::meta().name, || self.write(row, Mode::Update))
    }

    fn write<M: Model>(&mut self, row: &mut M, mode: Mode) -> Result<DeleteReport> {
        let (schema, _) = self.table::<M>()?;
        let mut runner = self.runner();
        let mut tx = Tx::begin(&mut *runner, Begin::Write)?;
        let mut writer = Writer::new(&mut *tx, &schema);
        writer.write(row, mode)?;
        let report = writer.finish()?;
        tx.commit()?;
        Ok(report)
    }

    /// Loads the row with this key; relationship fields are left empty.
    ///
    /// The key is `M`'s key type ([`Model::Key`]): `get::<Parent>(1)`, `get::<Country>("fr")`,
    /// `get::<Link>((1, 2))` for a composite key.
    pub fn get<M: Model>(&mut self, key: impl IntoKey<M::Key>) -> Result<Option<M>> {
        crate::trace::call("get", M::meta().name, || {
            let (schema, t) = self.table::<M>()?;
            let key = checked_key(&schema, t, key.into_key().into_values())?;
            let mut runner = self.runner();
            let sql = rows::select_by_key(runner.dialect(), M::meta());
            let mut found = runner.query(&sql, &key)?;
            found.pop().map(M::from_values).transpose()
        })
    }

    /// How many rows `M`'s table holds.
    pub fn count<M: Model>(&mut self) -> Result<usize> {
        crate::trace::call("count", M::meta().name, || {
            self.count_rows::<M>(None, Vec::new())
        })
    }

    /// How many rows of `M` match `clause` — SQL over `M`'s table, with `?1`, `?2`... (`$1`,
    /// `$2`... on PostgreSQL) bound to `params` (anything
    /// [`delete_where`](Session::delete_where) takes, `[]` and `()` too).
    pub fn count_where<M: Model>(&mut self, clause: &str, params: impl Params) -> Result<usize> {
        crate::trace::call("count_where", M::meta().name, || {
            self.count_rows::<M>(Some(clause), params.into_values())
        })
    }

    fn count_rows<M: Model>(&mut self, clause: Option<&str>, params: Vec<Value>) -> Result<usize> {
        self.table::<M>()?;
        let meta = M::meta();
        let mut runner = self.runner();
        let dialect = runner.dialect();
        let sql = match clause {
            Some(clause) => rows::count_where(dialect, meta, clause),
            None => format!("SELECT count(*) FROM {}", dialect.quote(meta.table)),
        };
        let n = runner
            .count(&sql::Statement { sql, params })
            .map_err(|e| match clause {
                Some(clause) => e.in_clause(meta.table, clause),
                None => e,
            })?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// The rows of `M` matching `clause` (SQL over `M`'s table, parameters as for
    /// [`count_where`](Session::count_where)), in key order; relationship fields are left
    /// empty ([`load_all`](Session::load_all) fills them, one query per relationship).
    pub fn select_where<M: Model>(&mut self, clause: &str, params: impl Params) -> Result<Vec<M>> {
        crate::trace::call("select_where", M::meta().name, || {
            self.table::<M>()?;
            let meta = M::meta();
            let mut runner = self.runner();
            let sql = rows::select_where(runner.dialect(), meta, Some(clause));
            runner
                .query(&sql, &params.into_values())
                .map_err(|e| e.in_clause(meta.table, clause))?
                .into_iter()
                .map(M::from_values)
                .collect()
        })
    }

    /// Loads the row with this key and every one of its relationship fields, with one query
    /// per relationship.
    pub fn get_with_related<M: Model>(&mut self, key: impl IntoKey<M::Key>) -> Result<Option<M>> {
        crate::trace::call("get_with_related", M::meta().name, || {
            let mut row = self.get::<M>(key)?;
            if let Some(row) = row.as_mut() {
                self.load_related(row)?;
            }
            Ok(row)
        })
    }

    /// Replaces every relationship field of `row` with the related rows in the database, one
    /// query per relationship (never one per row). Only one level is loaded.
    pub fn load_related<M: Model>(&mut self, row: &mut M) -> Result<()> {
        self.load_all(std::slice::from_mut(row))
    }

    /// Deletes `row` and everything its cascades reach (see [`Session::delete_by_pk`]).
    pub fn delete<M: Model>(&mut self, row: &M) -> Result<DeleteReport> {
        crate::trace::call("delete", M::meta().name, || {
            let (schema, t) = self.table::<M>()?;
            let key = key_of(&schema, t, &row.values());
            if M::meta().has_rowid_key() && key[0].is_unset_key() {
                return Err(Error::MissingKey {
                    table: M::meta().table.to_owned(),
                });
            }
            self.run_delete(&schema, t, Roots::Key(key))
        })
    }

    /// Deletes the row with this key ([`Model::Key`]) and everything its cascades reach,
    /// children before parents, set-based, in one transaction (or savepoint). A key with no
    /// row deletes nothing.
    pub fn delete_by_pk<M: Model>(&mut self, key: impl IntoKey<M::Key>) -> Result<DeleteReport> {
        crate::trace::call("delete_by_pk", M::meta().name, || {
            let (schema, t) = self.table::<M>()?;
            let key = checked_key(&schema, t, key.into_key().into_values())?;
            self.run_delete(&schema, t, Roots::Key(key))
        })
    }

    /// Deletes every row of `M` matching `clause` — SQL over `M`'s columns with `?1`, `?2`...
    /// (`$1`, `$2`... on PostgreSQL, where a [`Value::Array`] binds one array for `= ANY($1)`)
    /// bound to `params` — and everything their cascades reach. Unlike SQLAlchemy's bulk
    /// delete, this one cascades.
    pub fn delete_where<M: Model>(
        &mut self,
        clause: &str,
        params: impl Params,
    ) -> Result<DeleteReport> {
        crate::trace::call("delete_where", M::meta().name, || {
            let (schema, t) = self.table::<M>()?;
            let roots = Roots::Where {
                clause: clause.to_owned(),
                params: params.into_values(),
            };
            self.run_delete(&schema, t, roots)
        })
    }

    fn run_delete(&mut self, schema: &Schema, t: TableId, roots: Roots) -> Result<DeleteReport> {
        self.run_delete_checked(schema, t, roots, None)
    }

    fn run_delete_checked(
        &mut self,
        schema: &Schema,
        t: TableId,
        roots: Roots,
        expected: Option<&DeletePlan>,
    ) -> Result<DeleteReport> {
        let plan = self.plan(schema, t)?;
        let mut runner = self.runner();
        let mut tx = Tx::begin(&mut *runner, Begin::Write)?;
        let report = tx.delete(schema, &plan, roots, expected)?;
        tx.commit()?;
        Ok(report)
    }

    /// Computes what [`Session::delete_by_pk`] would do, with set-based counts, and changes
    /// nothing. A delete that would be refused returns the same error here.
    pub fn plan_delete<M: Model>(&mut self, key: impl IntoKey<M::Key>) -> Result<DeletePlan> {
        crate::trace::call("plan_delete", M::meta().name, || {
            let (schema, t) = self.table::<M>()?;
            let key = checked_key(&schema, t, key.into_key().into_values())?;
            self.run_preview(&schema, t, Roots::Key(key))
        })
    }

    /// Computes what [`Session::delete_where`] would do, changing nothing.
    pub fn plan_delete_where<M: Model>(
        &mut self,
        clause: &str,
        params: impl Params,
    ) -> Result<DeletePlan> {
        crate::trace::call("plan_delete_where", M::meta().name, || {
            let (schema, t) = self.table::<M>()?;
            let roots = Roots::Where {
                clause: clause.to_owned(),
                params: params.into_values(),
            };
            self.run_preview(&schema, t, roots)
        })
    }

    fn run_preview(&mut self, schema: &Schema, t: TableId, roots: Roots) -> Result<DeletePlan> {
        let plan = self.plan(schema, t)?;
        let preview_keys = self.preview_keys;
        let mut runner = self.runner();
        // Dropped without commit: the savepoint rolls back whatever the preview touched.
        let mut tx = Tx::begin(&mut *runner, Begin::Read)?;
        tx.preview(schema, &plan, roots, preview_keys)
    }
}

impl<B: Backend> Session<B> {
    /// How many first keys per table [`Session::plan_delete`] lists (default
    /// [`DEFAULT_PREVIEW_KEYS`]; 0 lists none). Rendered by `{:#}` on the plan.
    pub fn set_preview_keys(&mut self, keys: usize) {
        self.preview_keys = keys;
    }

    /// Executes a plan made earlier by [`Session::plan_delete`] or
    /// [`Session::plan_delete_where`], in one transaction. Before changing anything it counts
    /// the rows again and refuses with [`Error::PlanChanged`] if any table's count (deleted or
    /// detached) differs from the plan's.
    pub fn execute_plan(&mut self, plan: &DeletePlan) -> Result<DeleteReport> {
        crate::trace::call("execute_plan", plan.model_name(), || {
            let origin = plan.origin.as_ref().ok_or_else(|| Error::PlanChanged {
                table: plan.root.table.clone(),
                planned: plan.root.rows,
                now: 0,
            })?;
            let schema = self.schema(origin.model)?;
            let t = schema
                .table_id(origin.model)
                .expect("the schema was built with this model");
            self.run_delete_checked(&schema, t, origin.roots.clone(), Some(plan))
        })
    }

    /// Deletes every row of `M` matching `clause` and everything their cascades reach, as a
    /// series of transactions of at most `roots_per_chunk` root rows each (in key order), so
    /// that a cascade over millions of rows never holds the write lock for long. Each chunk is
    /// atomic on its own; a failing chunk rolls back alone and stops the delete with its error
    /// (earlier chunks stay committed). `progress` is called after every chunk:
    /// `ControlFlow::Continue(())` goes on, `ControlFlow::Break(())` stops the delete there
    /// (what was deleted so far stays deleted, and is what the report counts). A chunk size of
    /// 0 is [`Error::InvalidArgument`].
    ///
    /// Inside a transaction of the caller's, the chunks are savepoints of that transaction
    /// (and the lock is held until the caller commits).
    pub fn delete_where_in_chunks<M: Model>(
        &mut self,
        clause: &str,
        params: impl Params,
        roots_per_chunk: usize,
        mut progress: impl FnMut(&ChunkProgress) -> ControlFlow<()>,
    ) -> Result<DeleteReport> {
        crate::trace::call("delete_where_in_chunks", M::meta().name, || {
            if roots_per_chunk == 0 {
                return Err(Error::InvalidArgument {
                    argument: "roots_per_chunk",
                    message: "a chunk of 0 roots would never delete anything; give at least 1"
                        .into(),
                });
            }
            let (schema, t) = self.table::<M>()?;
            let params = params.into_values();
            let roots_total = self.count_rows::<M>(Some(clause), params.clone())?;
            let mut state = ChunkProgress {
                chunks: 0,
                roots_deleted: 0,
                roots_total,
                rows_deleted: 0,
            };
            let mut total = DeleteReport::default();
            loop {
                let roots = Roots::WhereLimit {
                    clause: clause.to_owned(),
                    params: params.clone(),
                    limit: roots_per_chunk,
                };
                let report = self.run_delete(&schema, t, roots)?;
                let roots = report.roots();
                if roots == 0 {
                    return Ok(total);
                }
                state.chunks += 1;
                state.roots_deleted += roots;
                state.rows_deleted += report.total();
                total.merge(report);
                if progress(&state).is_break() {
                    return Ok(total);
                }
            }
        })
    }
}

/// The key's values, checked against the table's primary key (a derived model's typed key
/// always fits; a hand-written `Model` impl's may not).
fn checked_key(schema: &Schema, t: TableId, values: Vec<Value>) -> Result<Vec<Value>> {
    let expected = schema.tables[t].pk.len();
    if values.len() != expected {
        return Err(Error::KeyArity {
            table: schema.name(t).to_owned(),
            expected,
            given: values.len(),
        });
    }
    Ok(values)
}
