//! Crash safety: cascades killed with `SIGKILL` at random moments leave the database exactly
//! as it was between two whole operations — a SQLite file, and (with `CASCADE_PG_URL`) a
//! PostgreSQL schema, whose server rolls back what the killed client's connection left open.
//!
//! The parent tests (`killed_cascades_leave_only_whole_families`, and `..._on_postgresql`)
//! re-execute this test binary as a child process running `crash_child`, which opens a
//! [`Session`] on the database and loops forever: delete the oldest family (`Parent` →
//! `Child` → `Toy`, from `tests/common`) by key with its cascade, insert it again. The parent
//! kills the child after a random delay (measured from the moment the child reports it is
//! ready) — on PostgreSQL it then waits until the server has ended the child's backend — and
//! checks, through a session of its own:
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
//! - `CASCADE_CRASH_SEED`: the seed of the delays, to replay a run (each run prints its seed).
//! - `CASCADE_CRASH_CHILD`, `CASCADE_CRASH_JOURNAL` (SQLite), `CASCADE_CRASH_PG_SCHEMA`
//!   (PostgreSQL, with `CASCADE_PG_URL`): set by the parent for the child process (the
//!   database path and the journal mode, or the schema); without them `crash_child` returns at
//!   once.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cascade_runtime::{Backend, PgSession, Session};
use common::pg::{pg_schema, pg_session_in, pg_session_on, pg_url, PgSchema};
use common::{family, family_orphans, Child, Db, Parent, Toy};

const CHILD_ENV: &str = "CASCADE_CRASH_CHILD";
const JOURNAL_ENV: &str = "CASCADE_CRASH_JOURNAL";
const PG_SCHEMA_ENV: &str = "CASCADE_CRASH_PG_SCHEMA";
/// What the child prints when it starts cascading, followed by its PostgreSQL backend's
/// process id (0 on SQLite).
const READY: &str = "cascade-crash-child: ready";

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

/// The child process: cascades until killed. Returns at once in an ordinary test run.
#[test]
fn crash_child() {
    let started = Instant::now();
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

    let mut out = std::io::stdout();
    writeln!(out, "{READY} {backend}").expect("stdout");
    out.flush().expect("stdout");

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
        let report = s.delete_by_pk::<Parent>(id).expect("cascade");
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
    /// After the child of `round`, whose backend process (PostgreSQL) is `backend`, was killed.
    fn killed(&mut self, round: usize, backend: i64);
    /// The state of the database, checked.
    fn check(&mut self) -> Result<Observed, String>;
    /// What the rounds saw, for the summary.
    fn summary(&self) -> String;
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
    fn killed(&mut self, _round: usize, _backend: i64) {
        let journal_file = self.dir.path().join("crash.db-journal");
        if self.journal == "DELETE" && journal_file.exists() {
            self.hot_journals += 1;
        }
    }
    fn check(&mut self) -> Result<Observed, String> {
        let mut s = Session::open(&self.path).map_err(|e| format!("open: {e}"))?;
        check_sqlite(&mut s)
    }
    fn summary(&self) -> String {
        format!("{} kills left a rollback journal", self.hot_journals)
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
    fn killed(&mut self, round: usize, backend: i64) {
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
}

/// Seeds the families, then kills `kills` children at random moments, checking the database
/// after each kill.
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
    for round in 0..kills as usize {
        let mut command = Command::new(&exe);
        command
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let label = target.configure(&mut command, round);
        let mut child = command.spawn().expect("spawn the child");
        let stdout = child.stdout.take().expect("stdout");
        let (ready_tx, ready_rx) = mpsc::channel();
        let reader = thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let mut seen = String::new();
            for line in lines.by_ref() {
                let Ok(line) = line else { break };
                // libtest prints `test crash_child ... ` without a newline before it.
                if let Some(at) = line.find(READY) {
                    let backend: i64 = line[at + READY.len()..].trim().parse().unwrap_or(-1);
                    let _ = ready_tx.send(backend);
                    break;
                }
                seen.push_str(&line);
                seen.push('\n');
            }
            // Drain the rest so the child never blocks on a full pipe.
            for line in lines {
                let Ok(line) = line else { break };
                seen.push_str(&line);
                seen.push('\n');
            }
            seen
        });
        let ready = ready_rx.recv_timeout(Duration::from_secs(30));
        let delay = Duration::from_micros(rng.range(DELAY_MICROS));
        if ready.is_ok() {
            thread::sleep(delay);
        }
        // `Child::kill` sends SIGKILL on unix.
        let _ = child.kill();
        let status = child.wait().expect("wait for the child");
        let stdout = reader.join().expect("stdout reader");
        let mut stderr = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        let context = format!(
            "round {round} ({label}, killed {delay:?} after ready), CASCADE_CRASH_SEED={seed}"
        );
        let backend = match ready {
            Ok(backend) if status.signal() == Some(libc_sigkill()) => backend,
            _ => panic!(
                "{context}: the child was not killed while cascading \
                 (ready: {}, status: {status})\nstdout:\n{stdout}\nstderr:\n{stderr}",
                ready.is_ok()
            ),
        };
        target.killed(round, backend);
        let observed = target.check().unwrap_or_else(|e| panic!("{context}: {e}"));
        if observed.absent.is_some() {
            absent_seen += 1;
        }
        assert!(
            observed.max_id >= last_max_id,
            "{context}: a committed operation was lost"
        );
        last_max_id = observed.max_id;
    }
    let operations = last_max_id - seeded.max_id;
    eprintln!(
        "crash test on {backend_name}: {kills} kills in {:?}; the largest parent key grew by \
         {operations} (one per committed insert on SQLite; on PostgreSQL a rolled-back insert \
         also takes a key); {}; {absent_seen} fell between a delete and its re-insert",
        started.elapsed(),
        target.summary(),
    );
    if kills >= 20 {
        assert!(
            operations > 0,
            "the child never completed an operation: the kills test nothing"
        );
    }
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
