//! Crash safety: cascades killed with `SIGKILL` — most of them inside a cascade's transaction,
//! the rest at random moments — leave the database exactly
//! as it was between two whole operations — a SQLite file, and (with `CASCADE_PG_URL`) a
//! PostgreSQL schema, whose server rolls back what the killed client's connection left open.
//!
//! The parent tests (`killed_cascades_leave_only_whole_families`, and `..._on_postgresql`)
//! re-execute this test binary as a child process running `crash_child`, which opens a
//! [`Session`] on the database and loops forever: delete the oldest family (`Parent` →
//! `Child` → `Toy`, from `tests/common`) by key with its cascade, insert it again. The child
//! reports on stdout as it goes (see [`MARK`]): each cascade's start and end, and every
//! statement the runtime traces. The parent kills the child — on PostgreSQL it then waits
//! until the server has ended the child's backend — at a moment chosen in turn ([`Moment`]):
//!
//! - paused: the child stops after a random statement of a cascade's transaction (after
//!   `BEGIN`, before `COMMIT`, from its own trace) and is killed there; on PostgreSQL the
//!   parent first sees the child's backend `idle in transaction` in `pg_stat_activity`;
//! - timed: at a random time within the median duration of the cascades so far, after the
//!   child reports starting its first, second or third (often inside a statement);
//! - random: at a random time after the child is ready (a cascade, an insert, a read).
//!
//! What the child wrote before it died is in the pipe, so its report says where each kill
//! landed. Every paused kill must have landed inside a cascade's transaction and its family
//! must be whole afterwards (rolled back); at least half of all kills must have landed inside
//! a cascade's transaction; on SQLite, at least a quarter of the rounds in rollback-journal
//! mode must have left a hot journal from inside a cascade (the next open rolled it back).
//! Otherwise the run proved little about cascades. After each kill, the parent checks,
//! through a session of its own:
//!
//! - SQLite: `PRAGMA integrity_check` is `ok` and `PRAGMA foreign_key_check` is empty;
//! - no orphan (explicit `LEFT JOIN`s);
//! - every family is either completely present (its parent, exactly its children, exactly
//!   their toys, with the names it was inserted with) or completely absent, and no row belongs
//!   to no family;
//! - at most one family is absent (a kill between a committed delete and the re-insert), and
//!   the present families are exactly the ones the cyclic order of operations allows: in key
//!   order, each family follows the one before it. On SQLite, moreover, the parent keys are
//!   consecutive and each family sits at the key its position implies (PostgreSQL's identity
//!   sequence is not transactional: an insert that was rolled back leaves a gap);
//! - no committed operation is lost: the largest parent key never goes down.
//!
//! SQLite rounds alternate between the default rollback journal (`DELETE`) and `WAL`; the
//! child sets the journal mode itself after opening the session.
//!
//! Environment:
//!
//! - `CASCADE_CRASH_KILLS`: how many kills (rounds), default 200 on SQLite and 50 on
//!   PostgreSQL.
//! - `CASCADE_CRASH_SEED`: the seed of the delays and pauses, to replay a run (each run prints
//!   its seed).
//! - `CASCADE_CRASH_CHILD`, `CASCADE_CRASH_JOURNAL` (SQLite), `CASCADE_CRASH_PG_SCHEMA`
//!   (PostgreSQL, with `CASCADE_PG_URL`), `CASCADE_CRASH_PAUSE`: set by the parent for the
//!   child process (the database path and the journal mode, or the schema; where to pause);
//!   without them `crash_child` returns at once.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{mpsc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cascade_runtime::{Backend, PgSession, Session};
use common::pg::{pg_schema, pg_session_in, pg_session_on, pg_url, PgSchema};
use common::{family, family_orphans, Child, Db, Parent, Toy};

const CHILD_ENV: &str = "CASCADE_CRASH_CHILD";
const JOURNAL_ENV: &str = "CASCADE_CRASH_JOURNAL";
const PG_SCHEMA_ENV: &str = "CASCADE_CRASH_PG_SCHEMA";
/// Set by the parent for a paused round: a random number that chooses the statement of the
/// cascade's transaction after which the child stops, to be killed there.
const PAUSE_ENV: &str = "CASCADE_CRASH_PAUSE";
/// Every line the child reports starts with this. What follows: `ready <backend>` when it
/// starts cascading (its PostgreSQL backend's process id, 0 on SQLite); `delete <id>` before
/// each cascade and `deleted <id> <microseconds>` after it; `sql <first word>` after each
/// statement the runtime ran (from its trace); `paused` when it stopped inside a cascade.
/// The parent reads them all after the kill: what the child wrote before it died is in the
/// pipe, so the last lines say exactly where the kill landed.
const MARK: &str = "cascade-crash-child:";

/// Families in the database; the child cycles through them.
const FAMILIES: usize = 8;
/// Delay before the kill, in microseconds after the child is ready.
const DELAY_MICROS: std::ops::Range<u64> = 1_000..40_000;
/// The child stops by itself after this long (in case its parent died without killing it).
const CHILD_LIFETIME: Duration = Duration::from_secs(60);
/// How long the server may take to end a killed child's backend.
const BACKEND_GONE: Duration = Duration::from_secs(30);

fn name(f: usize) -> String {
    format!("f{f}")
}

/// Children per family and toys per child: families of 4 to 121 rows.
fn shape(f: usize) -> (usize, usize) {
    (3 + (f * 5) % 17, 1 + f % 4)
}

fn new_family(f: usize) -> Parent {
    let (children, toys) = shape(f);
    family(&name(f), children, toys)
}

fn family_index(name: &str) -> usize {
    name.strip_prefix('f')
        .and_then(|n| n.parse().ok())
        .filter(|&f| f < FAMILIES)
        .unwrap_or_else(|| panic!("unexpected parent name {name:?}"))
}

/// Every row of a model's table.
fn all<M: cascade_runtime::Model, B: Backend>(s: &mut Session<B>) -> Result<Vec<M>, String> {
    s.select_where::<M>("1 = 1", ())
        .map_err(|e| format!("reading {}: {e}", M::meta().table))
}

/// One line of the child's report (see [`MARK`]), written through at once.
fn say(what: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{MARK} {what}");
    let _ = out.flush();
}

/// What the child's statement tracer knows of the cascade in progress.
struct InDelete {
    /// Inside `delete_by_pk`.
    active: bool,
    /// Statements of its transaction so far, `BEGIN` the first (0 before `BEGIN`).
    statements: u64,
    /// How many statements the last whole cascade's transaction ran, `BEGIN` to `COMMIT`.
    whole: Option<u64>,
    /// A paused round: stop after statement `1 + pause % (whole - 1)` of the next cascade
    /// (after `BEGIN`, before `COMMIT`), once a whole one has been counted.
    pause: Option<u64>,
}

static IN_DELETE: Mutex<InDelete> = Mutex::new(InDelete {
    active: false,
    statements: 0,
    whole: None,
    pause: None,
});

/// Reports each statement the runtime traces (target `cascade_runtime::sql`), and stops the
/// child where a paused round wants it, until it is killed.
struct Statements;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        use tracing::field::{Field, Visit};
        if event.metadata().target() != "cascade_runtime::sql" {
            return;
        }
        struct Sql(String);
        impl Visit for Sql {
            fn record_str(&mut self, field: &Field, value: &str) {
                if field.name() == "sql" {
                    self.0 = value.to_owned();
                }
            }
            fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
        }
        let mut sql = Sql(String::new());
        event.record(&mut sql);
        let verb = sql.0.split_whitespace().next().unwrap_or("?").to_owned();
        say(format_args!("sql {verb}"));
        let pause = {
            let mut d = IN_DELETE.lock().unwrap();
            if !d.active {
                return;
            }
            if verb == "BEGIN" {
                d.statements = 1;
            } else if d.statements > 0 {
                d.statements += 1;
            }
            if verb == "COMMIT" {
                d.whole = Some(d.statements);
                return;
            }
            match (d.pause, d.whole) {
                (Some(r), Some(whole)) if whole >= 2 && d.statements == 1 + r % (whole - 1) => {
                    d.pause = None;
                    true
                }
                _ => false,
            }
        };
        if pause {
            say(format_args!("paused"));
            // Until killed (or orphaned).
            let parent = std::os::unix::process::parent_id();
            let since = Instant::now();
            while since.elapsed() < CHILD_LIFETIME && std::os::unix::process::parent_id() == parent
            {
                thread::sleep(Duration::from_millis(5));
            }
            std::process::exit(1);
        }
    }
}

/// The child process: cascades until killed. Returns at once in an ordinary test run.
#[test]
fn crash_child() {
    let started = Instant::now();
    if std::env::var_os(CHILD_ENV).is_some() || std::env::var_os(PG_SCHEMA_ENV).is_some() {
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(Statements);
        tracing::subscriber::set_global_default(subscriber).expect("the child's tracer");
        IN_DELETE.lock().unwrap().pause = std::env::var(PAUSE_ENV)
            .ok()
            .map(|r| r.parse().expect("the pause"));
    }
    if let Some(path) = std::env::var_os(CHILD_ENV) {
        let journal = std::env::var(JOURNAL_ENV).expect("the journal mode");
        let mut s = Session::open(&path).expect("open the database");
        let mode: String = s
            .connection()
            .query_row(&format!("PRAGMA journal_mode = {journal}"), [], |r| {
                r.get(0)
            })
            .expect("set the journal mode");
        assert_eq!(mode, journal.to_lowercase(), "journal mode");
        cascade_until_killed(&mut s, started, 0);
    } else if let Ok(schema) = std::env::var(PG_SCHEMA_ENV) {
        let url = pg_url().expect("CASCADE_PG_URL for the child");
        let mut s = pg_session_on(&url, &schema);
        let backend = s.sql_count("SELECT pg_backend_pid()::bigint");
        cascade_until_killed(&mut s, started, backend);
    }
}

/// The child's work: deletes and re-inserts the oldest family until killed (or orphaned).
fn cascade_until_killed<B: Backend>(s: &mut Session<B>, started: Instant, backend: i64)
where
    Session<B>: Db,
{
    let parent = std::os::unix::process::parent_id();
    s.create_all::<Parent>().expect("create_all");

    // A kill between a delete and its re-insert leaves one family absent: insert it first.
    let present: Vec<String> = all::<Parent, B>(s)
        .expect("the families")
        .into_iter()
        .map(|p| p.name)
        .collect();
    for f in 0..FAMILIES {
        if !present.contains(&name(f)) {
            s.insert(&mut new_family(f))
                .expect("re-insert the absent family");
        }
    }

    say(format_args!("ready {backend}"));

    // Always the oldest family: its key is the smallest; the re-insert gets the largest.
    while started.elapsed() < CHILD_LIFETIME && std::os::unix::process::parent_id() == parent {
        let id = s.sql_count("SELECT min(id) FROM parent");
        let name = s
            .get::<Parent>(id)
            .expect("the oldest family")
            .expect("the oldest family")
            .name;
        let f = family_index(&name);
        let (children, toys) = shape(f);
        {
            let mut d = IN_DELETE.lock().unwrap();
            d.active = true;
            d.statements = 0;
        }
        say(format_args!("delete {id}"));
        let call = Instant::now();
        let report = s.delete_by_pk::<Parent>(id);
        IN_DELETE.lock().unwrap().active = false;
        say(format_args!("deleted {id} {}", call.elapsed().as_micros()));
        let report = report.expect("cascade");
        assert_eq!(
            (
                report.count("parent"),
                report.count("child"),
                report.count("toy")
            ),
            (1, children, children * toys),
            "family {name}"
        );
        s.insert(&mut new_family(f)).expect("insert");
    }
}

/// xorshift64*: enough randomness for delays, and reproducible from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn range(&mut self, r: std::ops::Range<u64>) -> u64 {
        r.start + self.next() % (r.end - r.start)
    }
}

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a number")),
    )
}

/// What one check found, for the summary.
struct Observed {
    /// The largest parent key: larger after each completed delete + insert.
    max_id: i64,
    absent: Option<usize>,
    /// The parent keys present.
    parents: Vec<i64>,
}

/// Checks that the database behind `s` holds a state between two whole operations (SQLite's
/// own checks of the file are [`check_sqlite`]'s). With `dense_keys` (SQLite), the parent keys
/// must also be consecutive and family `f` at a key ≡ f + 1 (mod `FAMILIES`).
fn check<B: Backend>(s: &mut Session<B>) -> Result<Observed, String>
where
    Session<B>: Db,
{
    let dense_keys = !s.is_postgres();
    let orphans = family_orphans(s);
    if orphans != 0 {
        return Err(format!("{orphans} orphan children or toys"));
    }
    let parents = all::<Parent, B>(s)?;
    let children = all::<Child, B>(s)?;
    let toys = all::<Toy, B>(s)?;

    let mut present: Vec<(i64, usize)> = Vec::new();
    let mut absent = Vec::new();
    let (mut children_total, mut toys_total) = (0, 0);
    for f in 0..FAMILIES {
        let name = name(f);
        let prefix = format!("{name}-");
        let (n_children, n_toys) = shape(f);
        let mut ids: Vec<i64> = parents
            .iter()
            .filter(|p| p.name == name)
            .map(|p| p.id)
            .collect();
        ids.sort();
        let by_name = children
            .iter()
            .filter(|c| c.name.starts_with(&prefix))
            .count();
        let toys_by_name = toys.iter().filter(|t| t.name.starts_with(&prefix)).count();
        match ids[..] {
            [] => {
                if by_name != 0 || toys_by_name != 0 {
                    return Err(format!(
                        "family {name} has no parent but {by_name} children and {toys_by_name} toys"
                    ));
                }
                absent.push(f);
            }
            [id] => {
                // Exactly the children and toys it was inserted with, all under this parent.
                let mut own: Vec<&Child> = children
                    .iter()
                    .filter(|c| c.parent_id == Some(id))
                    .collect();
                own.sort_by_key(|c| c.id);
                let got: Vec<&str> = own.iter().map(|c| c.name.as_str()).collect();
                let expected: Vec<String> =
                    (0..n_children).map(|c| format!("{name}-c{c}")).collect();
                if got != expected || by_name != n_children {
                    return Err(format!(
                        "family {name} (parent {id}): children {got:?} ({by_name} by name), expected {expected:?}"
                    ));
                }
                let under = toys
                    .iter()
                    .filter(|t| {
                        own.iter().any(|c| {
                            c.id == t.child_id && t.name.starts_with(&format!("{}-t", c.name))
                        })
                    })
                    .count();
                if under != n_children * n_toys || toys_by_name != under {
                    return Err(format!(
                        "family {name} (parent {id}): {under} toys under it, {toys_by_name} by name, expected {}",
                        n_children * n_toys
                    ));
                }
                present.push((id, f));
                children_total += n_children;
                toys_total += n_children * n_toys;
            }
            _ => return Err(format!("family {name} has parents {ids:?}")),
        }
    }
    // No row outside the families.
    let totals = (parents.len(), children.len(), toys.len());
    let expected = (present.len(), children_total, toys_total);
    if totals != expected {
        return Err(format!(
            "rows (parent, child, toy) {totals:?}, families account for {expected:?}"
        ));
    }
    // Whole operations in cyclic order: at most one family missing (deleted, not re-inserted
    // yet), and in key order each family the one after the family before it.
    if absent.len() > 1 {
        return Err(format!("families {absent:?} are all absent"));
    }
    present.sort();
    for pair in present.windows(2) {
        if pair[1].1 != (pair[0].1 + 1) % FAMILIES {
            return Err(format!("families out of order: {present:?}"));
        }
        if dense_keys && pair[1].0 != pair[0].0 + 1 {
            return Err(format!("parent keys not consecutive: {present:?}"));
        }
    }
    for &(id, f) in present.iter().filter(|_| dense_keys) {
        if (id - 1).rem_euclid(FAMILIES as i64) != f as i64 {
            return Err(format!("family {f} at key {id}: out of order: {present:?}"));
        }
    }
    Ok(Observed {
        max_id: present.last().map_or(0, |p| p.0),
        absent: absent.first().copied(),
        parents: present.iter().map(|p| p.0).collect(),
    })
}

/// SQLite's own checks of the file, then [`check`].
fn check_sqlite(s: &mut Session) -> Result<Observed, String> {
    let conn = s.connection();
    let q = |sql: &str| -> Result<Vec<Vec<rusqlite::types::Value>>, String> {
        let mut stmt = conn.prepare(sql).map_err(|e| format!("{sql}: {e}"))?;
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| (0..n).map(|i| r.get(i)).collect())
            .map_err(|e| format!("{sql}: {e}"))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| format!("{sql}: {e}"))
    };
    let integrity = q("PRAGMA integrity_check")?;
    if integrity != [vec![rusqlite::types::Value::Text("ok".into())]] {
        return Err(format!("integrity_check: {integrity:?}"));
    }
    let fk = q("PRAGMA foreign_key_check")?;
    if !fk.is_empty() {
        return Err(format!("foreign_key_check: {fk:?}"));
    }
    check(s)
}

/// The oracle itself: half-done operations and strays are caught. `fresh` gives a session on
/// a new, empty database (and what keeps that database alive).
fn the_check_rejects<B: Backend, G>(mut fresh: impl FnMut() -> (G, Session<B>))
where
    Session<B>: Db,
{
    let mut seeded = || {
        let (guard, mut s) = fresh();
        s.create_all::<Parent>().expect("create_all");
        for f in 0..FAMILIES {
            s.insert(&mut new_family(f)).expect("seed a family");
        }
        (guard, s)
    };
    let (_guard, mut s) = seeded();
    check(&mut s).expect("whole families");
    // The cascade's toys gone, not yet the children and parent.
    s.sql_batch("DELETE FROM toy WHERE child_id IN (SELECT id FROM child WHERE parent_id = 1)");
    assert!(check(&mut s).is_err());

    // A delete committed (the oldest family is absent): fine. Two absent: not a state of the
    // cyclic order.
    let (_guard, mut s) = seeded();
    s.delete_by_pk::<Parent>(1).unwrap();
    assert_eq!(check(&mut s).unwrap().absent, Some(0));
    s.delete_by_pk::<Parent>(2).unwrap();
    assert!(check(&mut s).is_err());

    // A family re-inserted out of order.
    let (_guard, mut s) = seeded();
    s.delete_by_pk::<Parent>(3).unwrap();
    assert!(check(&mut s).is_err());
    s.insert(&mut new_family(2)).unwrap();
    assert!(check(&mut s).is_err());

    // A stray child of a present parent.
    let (_guard, mut s) = seeded();
    s.sql_batch("INSERT INTO child (parent_id, name) VALUES (1, 'f0-c99')");
    assert!(check(&mut s).is_err());
}

#[test]
fn the_check_rejects_states_between_statements() {
    the_check_rejects(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let s = Session::open(dir.path().join("oracle.db")).expect("open");
        (dir, s)
    });
    if let Some(url) = pg_url() {
        the_check_rejects(|| {
            let schema = pg_schema(&url);
            let s = pg_session_in(&schema);
            (schema, s)
        });
    }
}

/// Where the child cascades, and what the parent checks after each kill.
trait Target {
    /// The backend's name, for messages.
    fn name(&self) -> &'static str;
    /// Points the child of round `round` at the database; returns what the round is called.
    fn configure(&mut self, child: &mut Command, round: usize) -> String;
    /// The child of a paused round stopped inside a cascade's transaction and is about to be
    /// killed: what the database says of that transaction, if it can tell (PostgreSQL: the
    /// child's backend is `idle in transaction`), as an error if it is not open.
    fn paused(&mut self, backend: i64) -> Result<(), String>;
    /// After the child of `round`, whose backend process (PostgreSQL) is `backend`, was killed:
    /// whether it left a rollback journal (SQLite, `DELETE` journal mode).
    fn killed(&mut self, round: usize, backend: i64) -> bool;
    /// The state of the database, checked.
    fn check(&mut self) -> Result<Observed, String>;
    /// What the rounds saw, for the summary.
    fn summary(&self) -> String;
    /// Whether this round's database keeps a rollback journal that a kill can leave behind.
    fn journaled(&self) -> bool;
}

struct SqliteFile {
    dir: tempfile::TempDir,
    path: PathBuf,
    journal: &'static str,
    hot_journals: usize,
}

impl Target for SqliteFile {
    fn name(&self) -> &'static str {
        "SQLite"
    }
    fn configure(&mut self, child: &mut Command, round: usize) -> String {
        self.journal = if round.is_multiple_of(2) {
            "DELETE"
        } else {
            "WAL"
        };
        child
            .env(CHILD_ENV, &self.path)
            .env(JOURNAL_ENV, self.journal);
        self.journal.to_owned()
    }
    fn paused(&mut self, _backend: i64) -> Result<(), String> {
        Ok(())
    }
    fn killed(&mut self, _round: usize, _backend: i64) -> bool {
        let journal_file = self.dir.path().join("crash.db-journal");
        let hot = self.journal == "DELETE" && journal_file.exists();
        self.hot_journals += usize::from(hot);
        hot
    }
    fn check(&mut self) -> Result<Observed, String> {
        let mut s = Session::open(&self.path).map_err(|e| format!("open: {e}"))?;
        check_sqlite(&mut s)
    }
    fn summary(&self) -> String {
        format!("{} kills left a rollback journal", self.hot_journals)
    }
    fn journaled(&self) -> bool {
        self.journal == "DELETE"
    }
}

struct PgTarget {
    schema: PgSchema,
    /// The parent's session, for the checks.
    session: PgSession,
    /// The longest wait for a killed child's backend to end.
    slowest_end: Duration,
}

impl Target for PgTarget {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }
    fn configure(&mut self, child: &mut Command, _round: usize) -> String {
        child.env(PG_SCHEMA_ENV, &self.schema.name);
        "PostgreSQL".to_owned()
    }
    fn paused(&mut self, backend: i64) -> Result<(), String> {
        let state = self.session.sql_strings(&format!(
            "SELECT coalesce(state, '-') FROM pg_stat_activity WHERE pid = {backend}"
        ));
        match state.first().map(String::as_str) {
            Some("idle in transaction") => Ok(()),
            other => Err(format!(
                "the paused child's backend {backend} is {other:?}, not idle in transaction"
            )),
        }
    }
    fn killed(&mut self, round: usize, backend: i64) -> bool {
        // The server ends the killed client's backend when it notices the connection is gone,
        // rolling back its open transaction (or finishing a COMMIT already received): wait,
        // so that the check sees what the server kept and the next child does not meet the
        // last one's locks.
        let alive = format!("SELECT count(*) FROM pg_stat_activity WHERE pid = {backend}");
        let started = Instant::now();
        while self.session.sql_count(&alive) != 0 {
            assert!(
                started.elapsed() < BACKEND_GONE,
                "round {round}: the killed child's backend {backend} is still there after {BACKEND_GONE:?}"
            );
            thread::sleep(Duration::from_millis(1));
        }
        self.slowest_end = self.slowest_end.max(started.elapsed());
        false
    }
    fn check(&mut self) -> Result<Observed, String> {
        check(&mut self.session)
    }
    fn summary(&self) -> String {
        format!(
            "the server took up to {:?} to end a killed child's backend",
            self.slowest_end
        )
    }
    fn journaled(&self) -> bool {
        false
    }
}

/// How a round chooses the moment of its kill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moment {
    /// The child stops after a random statement of a cascade's transaction (after `BEGIN`,
    /// before `COMMIT`) and is killed there.
    Paused,
    /// Killed at a random time within the measured duration of a cascade, counted from the
    /// moment it reports starting one (its first, second or third): often inside a statement.
    Timed,
    /// Killed at a random time after the child is ready: inside a cascade, an insert, a read,
    /// or between them.
    Random,
}

const MOMENTS: [Moment; 3] = [Moment::Paused, Moment::Timed, Moment::Random];

/// Where a kill landed, from the child's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Landed {
    /// Not inside `delete_by_pk`.
    Outside,
    /// Inside `delete_by_pk` of parent `id`, its transaction not begun or already committed.
    InCall(i64),
    /// Inside the transaction of the cascade deleting parent `id`: `BEGIN` ran, `COMMIT` did
    /// not (as far as the trace tells: a `COMMIT` that completed just before the kill may not
    /// have been reported yet).
    InTransaction(i64),
}

/// Where the kill landed, and the durations of the cascades that completed.
fn landed(report: &[String]) -> (Landed, Vec<u64>) {
    let mut current: Option<(i64, bool, bool)> = None;
    let mut durations = Vec::new();
    for line in report {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words[..] {
            ["delete", id] => current = Some((id.parse().expect("a key"), false, false)),
            ["sql", "BEGIN"] => {
                if let Some(c) = current.as_mut() {
                    c.1 = true;
                }
            }
            ["sql", "COMMIT"] => {
                if let Some(c) = current.as_mut().filter(|c| c.1) {
                    c.2 = true;
                }
            }
            ["deleted", _, micros] => {
                current = None;
                durations.push(micros.parse().expect("microseconds"));
            }
            _ => {}
        }
    }
    let landed = match current {
        None => Landed::Outside,
        Some((id, true, false)) => Landed::InTransaction(id),
        Some((id, _, _)) => Landed::InCall(id),
    };
    (landed, durations)
}

/// What the kills of one kind of moment landed on.
#[derive(Debug, Default, Clone, Copy)]
struct Landings {
    kills: usize,
    /// Inside a cascade's transaction.
    in_transaction: usize,
    /// ... and the family it was deleting was whole afterwards: the database rolled it back.
    rolled_back: usize,
    /// Rounds with a rollback journal (SQLite's `DELETE` mode).
    journaled: usize,
    /// ... whose kill landed inside a cascade's transaction and left the journal behind.
    hot_journal: usize,
}

/// One message from the thread reading the child's report.
enum Heard {
    Ready(i64),
    Delete,
    Paused,
}

/// Seeds the families, then kills `kills` children, checking the database after each kill.
/// Rounds take turns choosing the moment ([`Moment`]); the child's report says where each
/// kill landed, and enough of them must have landed inside a cascade's transaction.
fn kill_rounds(target: &mut dyn Target, default_kills: u64) {
    let kills = env_number("CASCADE_CRASH_KILLS").unwrap_or(default_kills);
    let seed = env_number("CASCADE_CRASH_SEED").unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_nanos() as u64
    });
    let backend_name = target.name();
    eprintln!("crash test on {backend_name}: {kills} kills, CASCADE_CRASH_SEED={seed}");
    let mut rng = Rng(seed | 1);
    let seeded = target.check().expect("the seeded database");

    let exe = std::env::current_exe().expect("the test binary");
    let started = Instant::now();
    let (mut absent_seen, mut last_max_id) = (0, seeded.max_id);
    let mut landings = [Landings::default(); MOMENTS.len()];
    // Durations of the cascades the children completed, in microseconds: the window of a
    // timed kill is their median.
    let mut durations: Vec<u64> = Vec::new();
    for round in 0..kills as usize {
        // Two rounds per moment: one per journal mode on SQLite (`configure` alternates them).
        let moment = MOMENTS[(round / 2) % MOMENTS.len()];
        let mut command = Command::new(&exe);
        command
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let label = target.configure(&mut command, round);
        if moment == Moment::Paused {
            command.env(PAUSE_ENV, rng.next().to_string());
        }
        let mut child = command.spawn().expect("spawn the child");
        let stdout = child.stdout.take().expect("stdout");
        let (heard_tx, heard) = mpsc::channel();
        let reader = thread::spawn(move || {
            // Everything the child wrote: its report (after the mark) and the rest.
            let (mut report, mut rest) = (Vec::new(), String::new());
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // libtest prints `test crash_child ... ` without a newline before it.
                let Some(at) = line.find(MARK) else {
                    rest.push_str(&line);
                    rest.push('\n');
                    continue;
                };
                let said = line[at + MARK.len()..].trim().to_owned();
                let words: Vec<&str> = said.split_whitespace().collect();
                let _ = heard_tx.send(match words[..] {
                    ["ready", backend] => Heard::Ready(backend.parse().unwrap_or(-1)),
                    ["delete", _] => Heard::Delete,
                    ["paused"] => Heard::Paused,
                    _ => {
                        report.push(said);
                        continue;
                    }
                });
                report.push(said);
            }
            (report, rest)
        });
        let wait = |what: &dyn Fn(&Heard) -> bool| {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match heard.recv_timeout(left) {
                    Ok(h) if what(&h) => return Some(h),
                    Ok(_) => {}
                    Err(_) => return None,
                }
            }
        };
        let ready = wait(&|h| matches!(h, Heard::Ready(_)));
        let mut when = String::new();
        let mut paused = Ok(());
        if let Some(Heard::Ready(backend)) = ready {
            match moment {
                Moment::Paused => {
                    if wait(&|h| matches!(h, Heard::Paused)).is_some() {
                        paused = target.paused(backend);
                        when = "paused inside a cascade".into();
                    } else {
                        paused = Err("the child never paused".into());
                    }
                }
                Moment::Timed => {
                    let nth = rng.range(1..4);
                    let window = median(&durations).unwrap_or(5_000).max(1);
                    let delay = Duration::from_micros(rng.range(0..window));
                    for _ in 0..nth {
                        wait(&|h| matches!(h, Heard::Delete));
                    }
                    thread::sleep(delay);
                    when = format!("{delay:?} after starting cascade {nth} (window {window} µs)");
                }
                Moment::Random => {
                    let delay = Duration::from_micros(rng.range(DELAY_MICROS));
                    thread::sleep(delay);
                    when = format!("{delay:?} after ready");
                }
            }
        }
        // `Child::kill` sends SIGKILL on unix.
        let _ = child.kill();
        let status = child.wait().expect("wait for the child");
        let (report, rest) = reader.join().expect("stdout reader");
        let mut stderr = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        let context = format!("round {round} ({label}, killed {when}), CASCADE_CRASH_SEED={seed}");
        let backend = match ready {
            Some(Heard::Ready(backend)) if status.signal() == Some(libc_sigkill()) => backend,
            _ => panic!(
                "{context}: the child was not killed while cascading \
                 (ready: {}, status: {status})\nstdout:\n{rest}{}\nstderr:\n{stderr}",
                ready.is_some(),
                report.join("\n")
            ),
        };
        if let Err(e) = paused {
            panic!("{context}: {e}\nreport:\n{}", report.join("\n"));
        }
        let journaled = target.journaled();
        let hot = target.killed(round, backend);
        let observed = target.check().unwrap_or_else(|e| panic!("{context}: {e}"));
        if observed.absent.is_some() {
            absent_seen += 1;
        }
        assert!(
            observed.max_id >= last_max_id,
            "{context}: a committed operation was lost"
        );
        last_max_id = observed.max_id;

        let (landed, completed) = landed(&report);
        durations.extend(completed);
        let seen = &mut landings[MOMENTS.iter().position(|&m| m == moment).unwrap()];
        seen.kills += 1;
        seen.journaled += usize::from(journaled);
        if let Landed::InTransaction(id) = landed {
            seen.in_transaction += 1;
            seen.rolled_back += usize::from(observed.parents.contains(&id));
            seen.hot_journal += usize::from(hot);
        }
        if moment == Moment::Paused {
            // Stopped after a statement that is not the COMMIT: the cascade's transaction was
            // open, so the database must have rolled it back.
            let Landed::InTransaction(id) = landed else {
                panic!("{context}: paused outside a cascade's transaction ({landed:?})");
            };
            assert!(
                observed.parents.contains(&id),
                "{context}: the family of parent {id} is not whole after its cascade was \
                 killed before COMMIT"
            );
        }
    }
    let operations = last_max_id - seeded.max_id;
    let total = landings.iter().fold(Landings::default(), |a, l| Landings {
        kills: a.kills + l.kills,
        in_transaction: a.in_transaction + l.in_transaction,
        rolled_back: a.rolled_back + l.rolled_back,
        journaled: a.journaled + l.journaled,
        hot_journal: a.hot_journal + l.hot_journal,
    });
    let by_moment: Vec<String> = MOMENTS
        .iter()
        .zip(&landings)
        .map(|(m, l)| {
            format!(
                "{m:?}: {} of {} inside a cascade's transaction ({} rolled back{})",
                l.in_transaction,
                l.kills,
                l.rolled_back,
                if l.journaled > 0 {
                    format!(
                        ", {} of {} with a rollback journal left it hot",
                        l.hot_journal, l.journaled
                    )
                } else {
                    String::new()
                }
            )
        })
        .collect();
    eprintln!(
        "crash test on {backend_name}: {kills} kills in {:?}; {}; the largest parent key grew \
         by {operations} (one per committed insert on SQLite; on PostgreSQL a rolled-back \
         insert also takes a key); {}; {absent_seen} fell between a delete and its re-insert; \
         cascades took {} µs (median)",
        started.elapsed(),
        by_moment.join("; "),
        target.summary(),
        median(&durations).unwrap_or(0),
    );
    if kills >= 20 {
        assert!(
            operations > 0,
            "the child never completed an operation: the kills test nothing"
        );
        // At least half the kills landed inside a cascade's transaction, or the run proved
        // little about cascades.
        assert!(
            2 * total.in_transaction >= total.kills,
            "only {} of {} kills landed inside a cascade's transaction ({})",
            total.in_transaction,
            total.kills,
            by_moment.join("; ")
        );
        // Where a rollback journal is kept, a quarter of those rounds left one behind from
        // inside a cascade: the next open had to roll a cascade back from it.
        assert!(
            4 * total.hot_journal >= total.journaled,
            "only {} of {} kills with a rollback journal left it hot inside a cascade ({})",
            total.hot_journal,
            total.journaled,
            by_moment.join("; ")
        );
    }
}

fn median(values: &[u64]) -> Option<u64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied()
}

#[test]
fn killed_cascades_leave_only_whole_families() {
    if std::env::var_os(CHILD_ENV).is_some() || std::env::var_os(PG_SCHEMA_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("crash.db");
    {
        let mut s = Session::open(&path).expect("open");
        s.create_all::<Parent>().expect("create_all");
        for f in 0..FAMILIES {
            s.insert(&mut new_family(f)).expect("seed a family");
        }
    }
    let mut target = SqliteFile {
        dir,
        path,
        journal: "DELETE",
        hot_journals: 0,
    };
    kill_rounds(&mut target, 200);
}

#[test]
fn killed_cascades_leave_only_whole_families_on_postgresql() {
    if std::env::var_os(CHILD_ENV).is_some() || std::env::var_os(PG_SCHEMA_ENV).is_some() {
        return;
    }
    let Some(url) = pg_url() else {
        return;
    };
    let schema = pg_schema(&url);
    let mut session = pg_session_in(&schema);
    session.create_all::<Parent>().expect("create_all");
    for f in 0..FAMILIES {
        session.insert(&mut new_family(f)).expect("seed a family");
    }
    let mut target = PgTarget {
        schema,
        session,
        slowest_end: Duration::ZERO,
    };
    kill_rounds(&mut target, 50);
}

/// `SIGKILL`, which is 9 on every unix.
const fn libc_sigkill() -> i32 {
    9
}
