//! Models and helpers shared by the integration tests. Each family of models exercises one
//! rule of the contract; every test runs on a SQLite file (and most on `:memory:` too).
#![allow(dead_code)]

pub mod pg;

use cascade_runtime::{Model, Result, Session};
use tempfile::TempDir;

// --- Rule 1: `delete` cascades, three levels deep -------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "parent")]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[relationship(cascade = "all, delete")]
    pub children: Vec<Child>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "child")]
pub struct Child {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Parent)]
    pub parent_id: Option<i64>,
    pub name: String,
    #[relationship(cascade = "all, delete-orphan")]
    pub toys: Vec<Toy>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "toy")]
pub struct Toy {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Child)]
    pub child_id: i64,
    #[model(unique)]
    pub name: String,
}

pub fn family(name: &str, children: usize, toys: usize) -> Parent {
    Parent {
        id: 0,
        name: name.into(),
        children: (0..children)
            .map(|c| Child {
                id: 0,
                parent_id: None,
                name: format!("{name}-c{c}"),
                toys: (0..toys)
                    .map(|t| Toy {
                        id: 0,
                        child_id: 0,
                        name: format!("{name}-c{c}-t{t}"),
                    })
                    .collect(),
            })
            .collect(),
    }
}

// --- Rule 2: no `delete` cascade: set NULL, or refuse on NOT NULL ----------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "team")]
pub struct Team {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[relationship]
    pub members: Vec<Member>,
    #[relationship(cascade = "save-update")]
    pub badges: Vec<Badge>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "member")]
pub struct Member {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Team)]
    pub team_id: Option<i64>,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "badge")]
pub struct Badge {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Team)]
    pub team_id: i64,
}

// --- Rule 3: passive deletes leave rows to the database's ON DELETE -------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "folder")]
pub struct Folder {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[relationship(cascade = "all", passive_deletes = true)]
    pub files: Vec<File>,
    #[relationship(passive_deletes = true)]
    pub links: Vec<Link>,
    #[relationship(cascade = "save-update", passive_deletes = "all")]
    pub shares: Vec<Share>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "file")]
pub struct File {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Folder, on_delete = "cascade")]
    pub folder_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "link")]
pub struct Link {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Folder, on_delete = "set null")]
    pub folder_id: Option<i64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "share")]
pub struct Share {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Folder, on_delete = "no action")]
    pub folder_id: Option<i64>,
}

// --- Rule 4: database-level RESTRICT -------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "account")]
pub struct Account {
    #[model(primary_key)]
    pub id: i64,
    pub owner: String,
    #[relationship(cascade = "all")]
    pub orders: Vec<Order>,
}

/// Restricted in the database, but the ORM cascade removes the rows first: allowed.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "order")]
pub struct Order {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Account, on_delete = "restrict")]
    pub account_id: i64,
}

/// Restricted in the database and no relationship removes them: blocks.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "invoice")]
pub struct Invoice {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Account, on_delete = "restrict")]
    pub account_id: i64,
    pub amount: f64,
}

// --- Rule 5: many-to-many ----------------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "post")]
pub struct Post {
    #[model(primary_key)]
    pub id: i64,
    pub title: String,
    #[relationship(secondary = PostTag)]
    pub tags: Vec<Tag>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "tag")]
pub struct Tag {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "post_tag")]
pub struct PostTag {
    #[model(primary_key, foreign_key = Post)]
    pub post_id: i64,
    #[model(primary_key, foreign_key = Tag)]
    pub tag_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "book")]
pub struct Book {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(secondary = BookGenre, cascade = "all")]
    pub genres: Vec<Genre>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "genre")]
pub struct Genre {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "book_genre")]
pub struct BookGenre {
    #[model(primary_key, foreign_key = Book)]
    pub book_id: i64,
    #[model(primary_key, foreign_key = Genre)]
    pub genre_id: i64,
}

// --- Self-referential tree -----------------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "node")]
pub struct Node {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Node)]
    pub parent_id: Option<i64>,
    pub label: String,
    #[relationship(cascade = "all")]
    pub children: Vec<Node>,
    #[relationship(back_populates = "children")]
    pub parent: Option<Box<Node>>,
}

// --- One-to-one and many-to-one ------------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "user")]
pub struct User {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[relationship(cascade = "all")]
    pub profile: Option<Profile>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "profile")]
pub struct Profile {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = User, unique)]
    pub user_id: Option<i64>,
    pub bio: String,
}

/// Many-to-one with `delete`: deleting an attachment deletes its blob.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "attachment")]
pub struct Attachment {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Blob)]
    pub blob_id: Option<i64>,
    #[relationship(cascade = "save-update, delete")]
    pub blob: Option<Box<Blob>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "blob")]
pub struct Blob {
    #[model(primary_key)]
    pub id: i64,
    pub data: Vec<u8>,
}

// --- Database-level SET DEFAULT ----------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "category")]
pub struct Category {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "product")]
pub struct Product {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Category, on_delete = "set default", default = 1)]
    pub category_id: i64,
}

// --- Helpers -------------------------------------------------------------------------------

/// A session on a fresh SQLite file; keep the directory alive as long as the session.
pub fn file_session() -> (TempDir, Session) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let session = Session::open(dir.path().join("test.db")).expect("open the database file");
    (dir, session)
}

/// Runs `scenario` on a file-backed and on an in-memory session.
pub fn on_both(scenario: impl Fn(&mut Session) -> Result<()>) {
    let (_dir, mut file) = file_session();
    scenario(&mut file).expect("scenario on a SQLite file");
    let mut memory = Session::open_in_memory().expect("open :memory:");
    scenario(&mut memory).expect("scenario in memory");
}

/// Runs a scenario, written once for any backend, on a SQLite file, on SQLite in memory and
/// (with `CASCADE_PG_URL`) on PostgreSQL, each on a fresh database:
///
/// ```ignore
/// on_all!(|s| {
///     s.create_all::<Parent>()?;
///     assert_eq!(count(s, "parent"), 0);
///     Ok(())
/// });
/// ```
///
/// The body is a generic function's: it sees the module's items, not local variables.
#[macro_export]
macro_rules! on_all {
    (|$s:ident| $body:block) => {{
        fn scenario<B: cascade_runtime::Backend>(
            $s: &mut cascade_runtime::Session<B>,
        ) -> cascade_runtime::Result<()>
        where
            cascade_runtime::Session<B>: $crate::common::Db,
        $body
        $crate::common::run_everywhere(
            scenario::<cascade_runtime::Sqlite>,
            scenario::<cascade_runtime::Postgres>,
        );
    }};
}

/// The three sessions of [`on_all!`].
pub fn run_everywhere(
    sqlite: fn(&mut Session) -> Result<()>,
    postgres: fn(&mut cascade_runtime::PgSession) -> Result<()>,
) {
    on_both(sqlite);
    if let Some((_schema, mut session)) = pg::pg_session() {
        postgres(&mut session).expect("scenario on PostgreSQL");
    }
}

/// How the tests read and write a database behind a session, whatever its backend: raw SQL
/// in the backend's own dialect (placeholders from [`Db::p`]).
pub trait Db {
    /// The `n`-th placeholder: `?n` on SQLite, `$n` on PostgreSQL.
    fn p(&self, n: usize) -> String;
    /// Runs a query returning one integer.
    fn sql_count(&mut self, sql: &str) -> i64 {
        self.sql_count_with(sql, &[])
    }
    /// Runs a query returning one integer, with parameters.
    fn sql_count_with(&mut self, sql: &str, params: &[cascade_runtime::Value]) -> i64;
    /// Runs statements (no parameters).
    fn sql_batch(&mut self, sql: &str);
    /// Runs one statement with parameters; the rows it changed.
    fn sql_execute(&mut self, sql: &str, params: &[cascade_runtime::Value]) -> u64;
    /// Runs a query returning one text column.
    fn sql_strings(&mut self, sql: &str) -> Vec<String>;
    /// The tables of the test's database (of its schema on PostgreSQL), sorted.
    fn tables(&mut self) -> Vec<String>;
    /// The rows of a table, each as text (every value, byte for byte), sorted.
    fn rows_as_text(&mut self, table: &str) -> Vec<String>;
    /// Whether this is PostgreSQL.
    fn is_postgres(&self) -> bool;
    /// A session of the same kind on a new, empty database (SQLite in memory, a new schema
    /// on PostgreSQL), with what keeps that database alive.
    fn fresh(&self) -> (Box<dyn std::any::Any>, Self)
    where
        Self: Sized;
}

/// Every row of every table: tables by name, rows as [`Db::rows_as_text`]. Two dumps are
/// equal when the databases hold the same rows.
pub type Dump = Vec<(String, Vec<String>)>;

/// The [`Dump`] of a database.
pub fn dump(db: &mut (impl Db + ?Sized)) -> Dump {
    db.tables()
        .into_iter()
        .map(|table| {
            let rows = db.rows_as_text(&table);
            (table, rows)
        })
        .collect()
}

/// A table's name as a quoted identifier.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Db for Session {
    fn p(&self, n: usize) -> String {
        format!("?{n}")
    }
    fn sql_count_with(&mut self, sql: &str, params: &[cascade_runtime::Value]) -> i64 {
        self.connection()
            .query_row(sql, rusqlite::params_from_iter(params), |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
    fn sql_batch(&mut self, sql: &str) {
        self.connection()
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    fn sql_execute(&mut self, sql: &str, params: &[cascade_runtime::Value]) -> u64 {
        self.connection()
            .execute(sql, rusqlite::params_from_iter(params))
            .unwrap_or_else(|e| panic!("{sql}: {e}")) as u64
    }
    fn sql_strings(&mut self, sql: &str) -> Vec<String> {
        self.connection()
            .prepare(sql)
            .and_then(|mut stmt| {
                stmt.query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()
            })
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
    fn tables(&mut self) -> Vec<String> {
        let mut names = self.sql_strings(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        );
        names.sort();
        names
    }
    fn rows_as_text(&mut self, table: &str) -> Vec<String> {
        let sql = format!("SELECT * FROM main.{}", quoted(table));
        let mut rows = self
            .connection()
            .prepare(&sql)
            .and_then(|mut stmt| {
                let width = stmt.column_count();
                stmt.query_map([], |r| {
                    (0..width)
                        .map(|i| r.get::<_, rusqlite::types::Value>(i))
                        .collect::<rusqlite::Result<Vec<_>>>()
                        .map(|row| format!("{row:?}"))
                })?
                .collect::<rusqlite::Result<Vec<String>>>()
            })
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.sort();
        rows
    }
    fn is_postgres(&self) -> bool {
        false
    }
    fn fresh(&self) -> (Box<dyn std::any::Any>, Self) {
        let session = Session::open_in_memory().expect("open :memory:");
        (Box::new(()), session)
    }
}

/// Values as the `postgres` crate's parameters.
fn pg_params(params: &[cascade_runtime::Value]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|v| v as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

impl Db for cascade_runtime::PgSession {
    fn p(&self, n: usize) -> String {
        format!("${n}")
    }
    fn sql_count_with(&mut self, sql: &str, params: &[cascade_runtime::Value]) -> i64 {
        let params = pg_params(params);
        self.client()
            .query_one(sql, &params)
            .and_then(|row| row.try_get::<_, i64>(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
    fn sql_batch(&mut self, sql: &str) {
        self.client()
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    fn sql_execute(&mut self, sql: &str, params: &[cascade_runtime::Value]) -> u64 {
        let params = pg_params(params);
        self.client()
            .execute(sql, &params)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
    fn sql_strings(&mut self, sql: &str) -> Vec<String> {
        self.client()
            .query(sql, &[])
            .and_then(|rows| rows.iter().map(|r| r.try_get(0)).collect())
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
    fn tables(&mut self) -> Vec<String> {
        let mut names = self.sql_strings(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        );
        names.sort();
        names
    }
    fn rows_as_text(&mut self, table: &str) -> Vec<String> {
        // A row's text form holds every value (bytea as hex), quoted where needed.
        let mut rows = self.sql_strings(&format!("SELECT t::text FROM {} AS t", quoted(table)));
        rows.sort();
        rows
    }
    fn is_postgres(&self) -> bool {
        true
    }
    fn fresh(&self) -> (Box<dyn std::any::Any>, Self) {
        let (schema, session) = pg::pg_session().expect("CASCADE_PG_URL");
        (Box::new(schema), session)
    }
}

/// Rows in a table.
pub fn count(db: &mut (impl Db + ?Sized), table: &str) -> i64 {
    db.sql_count(&format!("SELECT count(*) FROM \"{table}\""))
}

/// Rows of a table matching a condition.
pub fn count_where(db: &mut (impl Db + ?Sized), table: &str, condition: &str) -> i64 {
    db.sql_count(&format!(
        "SELECT count(*) FROM \"{table}\" WHERE {condition}"
    ))
}

/// Rows of the family tables (`parent` → `child` → `toy`) whose parent row is missing,
/// counted with explicit `LEFT JOIN`s (children detached to `NULL` are not orphans).
pub fn family_orphans(db: &mut (impl Db + ?Sized)) -> i64 {
    db.sql_count(
        "SELECT (SELECT count(*) FROM child LEFT JOIN parent ON parent.id = child.parent_id
                 WHERE child.parent_id IS NOT NULL AND parent.id IS NULL)
              + (SELECT count(*) FROM toy LEFT JOIN child ON child.id = toy.child_id
                 WHERE child.id IS NULL)",
    )
}

/// Every table's row count, to check that a failed call changed nothing.
pub fn snapshot(db: &mut (impl Db + ?Sized), tables: &[&str]) -> Vec<(String, i64)> {
    tables
        .iter()
        .map(|t| (t.to_string(), count(db, t)))
        .collect()
}

// --- merge and refresh-expire follow their own cascade words -------------------------------

/// `items` is followed by `merge` and `refresh` but not by `insert` / `update`; `labels` by
/// `insert` / `update` only.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "shelf")]
pub struct Shelf {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[relationship(cascade = "merge, refresh-expire")]
    pub items: Vec<ShelfItem>,
    #[relationship(cascade = "save-update")]
    pub labels: Vec<ShelfLabel>,
}

/// Refreshing an item refreshes its shelf, whose refresh reloads its items: a cycle.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "shelf_item")]
pub struct ShelfItem {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Shelf)]
    pub shelf_id: Option<i64>,
    pub name: String,
    #[relationship(cascade = "refresh-expire")]
    pub shelf: Option<Box<Shelf>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "shelf_label")]
pub struct ShelfLabel {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Shelf)]
    pub shelf_id: Option<i64>,
    pub text: String,
}

// --- Statements as the runtime traces them -------------------------------------------------

/// One statement event of the runtime (target `cascade_runtime::sql`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traced {
    /// The statement's SQL.
    pub sql: String,
    /// The rows it changed or returned.
    pub rows: u64,
}

/// Records the runtime's statement events into the recording thread's buffer. Installed once,
/// as the process's global subscriber: a subscriber set per test with `with_default` races
/// with tracing's cache of which events are enabled, across the test threads, and can miss
/// events.
struct Recorder;

thread_local! {
    static RECORDING: std::cell::RefCell<Option<Vec<Traced>>> = const { std::cell::RefCell::new(None) };
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        use tracing::field::{Field, Visit};
        if event.metadata().target() != "cascade_runtime::sql" {
            return;
        }
        struct Fields(Traced);
        impl Visit for Fields {
            fn record_str(&mut self, field: &Field, value: &str) {
                if field.name() == "sql" {
                    self.0.sql = value.to_owned();
                }
            }
            fn record_u64(&mut self, field: &Field, value: u64) {
                if field.name() == "rows" {
                    self.0.rows = value;
                }
            }
            fn record_i64(&mut self, field: &Field, value: i64) {
                if field.name() == "rows" {
                    self.0.rows = u64::try_from(value).unwrap_or(0);
                }
            }
            fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
        }
        RECORDING.with(|recording| {
            if let Some(events) = recording.borrow_mut().as_mut() {
                let mut fields = Fields(Traced {
                    sql: String::new(),
                    rows: 0,
                });
                event.record(&mut fields);
                events.push(fields.0);
            }
        });
    }
}

/// Whether a traced statement is transaction control (`BEGIN`, `COMMIT`, `ROLLBACK`,
/// `SAVEPOINT`, `RELEASE`) rather than work on data.
pub fn is_control(sql: &str) -> bool {
    ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"]
        .iter()
        .any(|k| sql.starts_with(k))
}

/// Runs `f` and returns its result with every statement the runtime ran meanwhile on this
/// thread, but for transaction control (see [`is_control`]; `tests/service.rs` checks that it
/// is traced).
pub fn traced<T>(f: impl FnOnce() -> T) -> (T, Vec<Traced>) {
    use tracing_subscriber::layer::SubscriberExt;
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::registry().with(Recorder);
        // Another test binary's harness may have set one first; then `traced` is unusable,
        // and the tests that call it say so by failing.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
    RECORDING.with(|r| *r.borrow_mut() = Some(Vec::new()));
    let out = f();
    let events = RECORDING
        .with(|r| r.borrow_mut().take())
        .unwrap_or_default();
    let events = events.into_iter().filter(|e| !is_control(&e.sql)).collect();
    (out, events)
}
