//! Concurrency: two sessions on one database, in two threads, for a bounded time — on a
//! SQLite file in WAL mode, and (with `CASCADE_PG_URL`) on PostgreSQL over two connections.
//!
//! - The inserter adds children (each with a toy) continuously: to "stable" parents nobody
//!   deletes, and to "doomed" parents the other thread is deleting. A child of a parent that
//!   was just deleted must fail with a foreign-key error (SQLite's
//!   `SQLITE_CONSTRAINT_FOREIGNKEY`, PostgreSQL's SQLSTATE `23503`); on PostgreSQL, an insert
//!   that races with the delete of its parent may also fail with a serialization failure
//!   ([`Error::Conflict`], `40001`). The inserter tolerates and counts those, and nothing else.
//! - The deleter keeps a queue of doomed families: it inserts a new one, publishes its key to
//!   the inserter, and deletes the oldest one with its cascade (children the inserter added
//!   included). On PostgreSQL a delete that meets a concurrent insert under its parent fails
//!   with [`Error::Conflict`]; the deleter retries it with
//!   [`Session::transaction_with_retry`] and counts the retries.
//!
//! - Every other delete races with an insert on purpose: the deleter offers the parent it is
//!   about to delete, the inserter takes the offer, and both go at once, the insert after a
//!   random jitter (none in a third of the races, else a random part of a typical delete's
//!   duration). When each call started and ended tells whether they overlapped. The threads
//!   run on after `CASCADE_CONCURRENCY_SECS` (for at most [`RACES_GRACE`]) until [`RACES`]
//!   overlapping races went each way, and that is asserted: the insert first (its child then
//!   deleted with the family, which the accounting below checks) and the delete first (the
//!   insert, which waited for it, refused by the foreign key).
//!
//! Afterwards: no orphan row (SQLite's `pragma_foreign_key_check` empty, and explicit `LEFT
//! JOIN`s on both), every child the inserter saw committed under a stable parent is there with
//! its toy, the deleted families are gone, and neither side ever saw an error but the expected
//! ones — in particular no `SQLITE_BUSY` (the session's busy timeout must cover every lock
//! wait, including the upgrade of a delete's read snapshot to a write).
//!
//! Both threads pause briefly between calls (see [`PAUSE`]). Every call's duration, lock waits
//! included, is measured; the slowest of each side is printed.
//!
//! On PostgreSQL, three races are also made deterministic with `pg_stat_activity` (a backend
//! waiting for a lock): a delete that waited for an insert under its root takes the late
//! child; inside a caller's transaction that race is a conflict whose retry takes it; and an
//! insert that waited for the cascade of its parent fails on the foreign key.
//!
//! Environment: `CASCADE_CONCURRENCY_SECS` (default 3): how long the two threads run at least.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use cascade_runtime::{
    Backend, DbError, DeleteReport, Error, PgSession, Result, RetryPolicy, Session, Value,
};
use common::pg::{pg_schema, pg_session_in, pg_url};
use common::{count, count_where, family, family_orphans, Child, Db, Parent, Toy};
use rusqlite::ffi;

const STABLE: usize = 20;
/// Doomed families alive at once.
const DOOMED_QUEUE: usize = 4;

/// Each thread pauses this long between its calls, as an application does between
/// transactions. SQLite's busy handler polls (after 1, 2, 5, 10… ms) and hands the lock to no
/// one in particular, so a thread that starts its next write transaction the instant it
/// committed the last one can starve the other past the busy timeout.
const PAUSE: Duration = Duration::from_micros(500);

/// What the doomed families look like when the deleter inserts them.
const DOOMED_CHILDREN: usize = 3;
const DOOMED_TOYS: usize = 2;

/// How often the deleter runs a delete on PostgreSQL at most. Each conflict means the
/// inserter committed a child under the parent meanwhile; the waits between attempts grow to
/// half a second, so this is many seconds of losing every race.
const PG_DELETE_ATTEMPTS: u32 = 30;

/// Races set up on purpose (see [`Rendezvous`]) must have happened at least this many times
/// each way: the insert first (its child deleted with the family) and the delete first (the
/// insert refused by the foreign key), both while the two calls overlapped.
const RACES: usize = 20;
/// After `CASCADE_CONCURRENCY_SECS`, the threads run on until [`RACES`] races of each kind
/// happened, at most this much longer.
const RACES_GRACE: Duration = Duration::from_secs(20);

fn duration() -> Duration {
    let secs = match std::env::var("CASCADE_CONCURRENCY_SECS") {
        Ok(v) => v
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("CASCADE_CONCURRENCY_SECS={v:?} is not a number")),
        Err(_) => 3.0,
    };
    Duration::from_secs_f64(secs)
}

/// The driver's error under a session error, if any.
fn db_error(e: &Error) -> Option<&DbError> {
    match e {
        Error::Database { source, .. } | Error::Conflict { source, .. } => Some(source),
        _ => None,
    }
}

/// The SQLite (extended) result code under a session error, if any.
fn sqlite_code(e: &Error) -> Option<(ffi::ErrorCode, i32)> {
    match db_error(e)? {
        DbError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => Some((f.code, f.extended_code)),
        _ => None,
    }
}

/// A foreign-key violation, reported as [`Error::Database`] (it is not a conflict: retrying
/// the same insert fails again).
fn is_foreign_key_failure(e: &Error) -> bool {
    let Error::Database { source, .. } = e else {
        return false;
    };
    sqlite_code(e).is_some_and(|(_, ext)| ext == ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
        || source.sqlstate() == Some("23503")
}

fn is_busy(e: &Error) -> bool {
    sqlite_code(e).is_some_and(|(code, _)| {
        matches!(
            code,
            ffi::ErrorCode::DatabaseBusy | ffi::ErrorCode::DatabaseLocked
        )
    })
}

fn describe(e: &Error) -> String {
    let busy = if is_busy(e) { "SQLITE_BUSY: " } else { "" };
    let kind = match e {
        Error::Conflict { .. } => "Conflict",
        Error::Database { .. } => "Database",
        _ => "other",
    };
    match (sqlite_code(e), db_error(e).and_then(DbError::sqlstate)) {
        (Some((code, ext)), _) => format!("{busy}{e} [{code:?}, extended code {ext}]"),
        (None, Some(state)) => format!("{e} [{kind}, SQLSTATE {state}]"),
        (None, None) => format!("{e} [{e:?}]"),
    }
}

/// What differs between the backends: how a thread gets its session on the shared database,
/// and how the deleter deletes.
struct Setup<'a, B: Backend> {
    name: &'static str,
    /// A new session on the shared database (its tables created).
    open: &'a (dyn Fn() -> Session<B> + Sync),
    /// On PostgreSQL, deletes run in a transaction retried on conflicts; on SQLite, a delete
    /// runs once (a conflict there is `SQLITE_BUSY`, which must not happen).
    retry: Option<RetryPolicy>,
}

/// Shared between the threads: the doomed parents the inserter may target.
#[derive(Default)]
struct Doomed {
    alive: Vec<i64>,
    last_deleted: Option<i64>,
}

/// A race set up on purpose. The deleter offers the parent it is about to delete and waits
/// until the inserter takes the offer; then both go at once: the deleter deletes the family,
/// the inserter inserts a child under it after `jitter` (none in a third of the races, so
/// that the insert often goes first; otherwise a random part of a typical delete's duration,
/// so that it lands while the delete runs). When each call started and ended says whether
/// they overlapped.
#[derive(Default)]
struct Rendezvous {
    offer: Option<(i64, Duration)>,
    taken: bool,
    /// The inserter's insert under the offered parent: when it started and ended, and how it
    /// went.
    outcome: Option<(Instant, Instant, Outcome)>,
    /// Races whose calls overlapped, by outcome: the insert went first (`won`), or the
    /// delete did (`lost`: a foreign-key failure).
    won: usize,
    lost: usize,
}

/// How an insert under a doomed parent went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Inserted,
    /// A foreign-key failure: the parent was gone.
    ForeignKey,
    /// A serialization failure (PostgreSQL).
    Conflict,
    /// Anything else (an error, recorded).
    Failed,
}

/// One race set up on purpose, as it happened.
#[derive(Debug, Clone, Copy)]
struct Race {
    parent: i64,
    insert: (Instant, Instant),
    delete: (Instant, Instant),
    outcome: Outcome,
}

impl Race {
    fn overlapped(&self) -> bool {
        self.insert.0 < self.delete.1 && self.delete.0 < self.insert.1
    }
}

#[derive(Default, Debug)]
struct InserterStats {
    /// (child, toy, parent) of every insert committed under a stable parent.
    stable: Vec<(i64, i64, i64)>,
    doomed_ok: usize,
    /// Foreign-key failures on a parent that was alive when picked (a real race).
    raced: usize,
    /// Serialization failures on a parent that was alive when picked (PostgreSQL only: the
    /// delete committed while the insert was checking its parent).
    conflicts: usize,
    /// Foreign-key failures on a parent already known to be deleted.
    known_deleted: usize,
    /// Inserts of the races set up on purpose (also counted above by their outcome).
    offers_taken: usize,
    errors: Vec<String>,
    /// The longest call (lock waits included).
    slowest: Duration,
}

#[derive(Default, Debug)]
struct DeleterStats {
    deleted: Vec<i64>,
    children_deleted: usize,
    inserted: usize,
    /// Deletes that failed with a conflict and were run again (PostgreSQL only).
    retries: usize,
    /// The most attempts one delete took.
    most_attempts: u32,
    /// The races set up on purpose.
    races: Vec<Race>,
    errors: Vec<String>,
    /// The longest call (lock waits and retries included).
    slowest: Duration,
}

fn inserter<B: Backend>(
    s: &mut Session<B>,
    stable: &[i64],
    doomed: &Mutex<Doomed>,
    race: &(Mutex<Rendezvous>, Condvar),
    stop: &AtomicBool,
) -> InserterStats
where
    Session<B>: Db,
{
    let conflicts_expected = s.is_postgres();
    let mut stats = InserterStats::default();
    let mut n: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        thread::sleep(PAUSE);
        n += 1;
        // A race offered by the deleter first.
        let offer = {
            let mut r = race.0.lock().unwrap();
            let offer = r.offer.take();
            // Only the deleter clears it, with its next offer: it may not have seen it yet.
            r.taken |= offer.is_some();
            offer
        };
        if let Some((parent, jitter)) = offer {
            race.1.notify_all();
            thread::sleep(jitter);
            stats.offers_taken += 1;
            let start = Instant::now();
            let result = s.insert(&mut new_child(parent, n));
            let end = Instant::now();
            let outcome = match result {
                Ok(()) => Outcome::Inserted,
                Err(e) if is_foreign_key_failure(&e) => Outcome::ForeignKey,
                Err(e) if conflicts_expected && e.is_retryable() => Outcome::Conflict,
                Err(e) => {
                    stats.errors.push(format!(
                        "insert racing the delete of parent {parent}: {}",
                        describe(&e)
                    ));
                    Outcome::Failed
                }
            };
            match outcome {
                Outcome::Inserted => stats.doomed_ok += 1,
                Outcome::ForeignKey => stats.raced += 1,
                Outcome::Conflict => stats.conflicts += 1,
                Outcome::Failed => {}
            }
            stats.slowest = stats.slowest.max(end - start);
            race.0.lock().unwrap().outcome = Some((start, end, outcome));
            race.1.notify_all();
            continue;
        }
        // One call in four under a live doomed parent, one in sixteen under the parent
        // deleted last (always a foreign-key failure), the others under stable parents.
        let (parent, is_stable, known_deleted) = match n % 16 {
            0 => match doomed.lock().unwrap().last_deleted {
                Some(p) => (p, false, true),
                None => continue,
            },
            k if k % 4 == 1 => {
                let d = doomed.lock().unwrap();
                if d.alive.is_empty() {
                    continue;
                }
                (d.alive[(n as usize / 16) % d.alive.len()], false, false)
            }
            _ => (stable[(n as usize) % stable.len()], true, false),
        };
        let mut child = new_child(parent, n);
        let call = Instant::now();
        let result = s.insert(&mut child);
        stats.slowest = stats.slowest.max(call.elapsed());
        match result {
            Ok(()) if is_stable => stats.stable.push((child.id, child.toys[0].id, parent)),
            Ok(()) if known_deleted => stats
                .errors
                .push(format!("a child of deleted parent {parent} was inserted")),
            Ok(()) => stats.doomed_ok += 1,
            Err(e) if !is_stable && is_foreign_key_failure(&e) => {
                if known_deleted {
                    stats.known_deleted += 1;
                } else {
                    stats.raced += 1;
                }
            }
            Err(e) if !is_stable && !known_deleted && conflicts_expected && e.is_retryable() => {
                stats.conflicts += 1
            }
            Err(e) => stats
                .errors
                .push(format!("insert under parent {parent}: {}", describe(&e))),
        }
    }
    stats
}

/// The inserter's `n`-th child (with a toy), under `parent`.
fn new_child(parent: i64, n: u64) -> Child {
    Child {
        id: 0,
        parent_id: Some(parent),
        name: format!("ins-{n}"),
        toys: vec![Toy {
            id: 0,
            child_id: 0,
            name: format!("ins-{n}-toy"),
        }],
    }
}

/// Deletes a parent with its cascade: the report, and how many attempts it took.
fn delete_family<B: Backend>(
    s: &mut Session<B>,
    retry: Option<RetryPolicy>,
    parent: i64,
) -> (Result<DeleteReport>, u32) {
    let Some(policy) = retry else {
        return (s.delete_by_pk::<Parent>(parent), 1);
    };
    let mut attempts = 0;
    let result = s.transaction_with_retry(policy, |s| {
        attempts += 1;
        s.delete_by_pk::<Parent>(parent)
    });
    (result, attempts)
}

fn deleter<B: Backend>(
    s: &mut Session<B>,
    retry: Option<RetryPolicy>,
    doomed: &Mutex<Doomed>,
    race: &(Mutex<Rendezvous>, Condvar),
    stop: &AtomicBool,
) -> DeleterStats {
    let mut stats = DeleterStats::default();
    let mut n: u64 = 0;
    // Durations of the deletes, for the jitter of the races.
    let mut took: Vec<Duration> = Vec::new();
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64 ^ u64::from(std::process::id());
    let mut random = move |below: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % below.max(1)
    };
    while !stop.load(Ordering::Relaxed) {
        thread::sleep(PAUSE);
        n += 1;
        let mut fam = family(&format!("doomed{n}"), DOOMED_CHILDREN, DOOMED_TOYS);
        let call = Instant::now();
        let result = s.insert(&mut fam);
        stats.slowest = stats.slowest.max(call.elapsed());
        match result {
            Ok(()) => {
                stats.inserted += 1;
                doomed.lock().unwrap().alive.push(fam.id);
            }
            Err(e) => stats
                .errors
                .push(format!("insert doomed family: {}", describe(&e))),
        }
        let victim = {
            let d = doomed.lock().unwrap();
            if d.alive.len() <= DOOMED_QUEUE {
                continue;
            }
            d.alive[0]
        };
        // Still visible to the inserter while it goes: its inserts race with the cascade.
        thread::sleep(PAUSE);
        // Every other delete races with an insert under its parent on purpose.
        let offered = n.is_multiple_of(2) && {
            let typical = {
                took.sort_unstable();
                took.get(took.len() / 2)
                    .copied()
                    .unwrap_or(Duration::from_millis(1))
            };
            let jitter = match random(3) {
                0 => Duration::ZERO,
                _ => Duration::from_micros(random(typical.as_micros() as u64)),
            };
            let mut r = race.0.lock().unwrap();
            r.offer = Some((victim, jitter));
            r.taken = false;
            r.outcome = None;
            let (mut r, _) = race
                .1
                .wait_timeout_while(r, Duration::from_millis(200), |r| !r.taken)
                .unwrap();
            // Not taken in time (the inserter is stopping): withdrawn.
            r.offer = None;
            r.taken
        };
        let call = Instant::now();
        let (result, attempts) = delete_family(s, retry, victim);
        let end = Instant::now();
        stats.slowest = stats.slowest.max(end - call);
        took.push(end - call);
        if offered {
            let r = race.0.lock().unwrap();
            let (mut r, _) = race
                .1
                .wait_timeout_while(r, Duration::from_secs(30), |r| r.outcome.is_none())
                .unwrap();
            match r.outcome.take() {
                Some((start, finish, outcome)) => {
                    let raced = Race {
                        parent: victim,
                        insert: (start, finish),
                        delete: (call, end),
                        outcome,
                    };
                    if raced.overlapped() {
                        r.won += usize::from(outcome == Outcome::Inserted);
                        r.lost += usize::from(outcome == Outcome::ForeignKey);
                    }
                    stats.races.push(raced);
                }
                None => stats.errors.push(format!(
                    "the insert racing the delete of parent {victim} did not finish"
                )),
            }
        }
        stats.retries += attempts as usize - 1;
        stats.most_attempts = stats.most_attempts.max(attempts);
        match result {
            Ok(report) => {
                if report.count("parent") != 1 || report.count("child") < DOOMED_CHILDREN {
                    stats.errors.push(format!(
                        "deleting parent {victim}: unexpected report {report:?}"
                    ));
                }
                stats.children_deleted += report.count("child");
                stats.deleted.push(victim);
                let mut d = doomed.lock().unwrap();
                d.alive.retain(|&p| p != victim);
                d.last_deleted = Some(victim);
            }
            Err(e) => {
                stats.errors.push(format!(
                    "delete parent {victim} ({attempts} attempts): {}",
                    describe(&e)
                ));
                // Give up on this one rather than retrying it forever.
                doomed.lock().unwrap().alive.retain(|&p| p != victim);
            }
        }
    }
    stats
}

/// Runs the two threads on the backend of `setup`, then checks the database through `s`.
fn run<B: Backend>(setup: Setup<'_, B>, s: &mut Session<B>)
where
    Session<B>: Db,
{
    let stable: Vec<i64> = (0..STABLE)
        .map(|i| {
            let mut fam = family(&format!("stable{i}"), 2, 1);
            s.insert(&mut fam).expect("seed a stable family");
            fam.id
        })
        .collect();
    let seeded_children = count(s, "child");

    let run_for = duration();
    let doomed = Mutex::new(Doomed::default());
    let race = (Mutex::new(Rendezvous::default()), Condvar::new());
    let stop = AtomicBool::new(false);
    let start = Arc::new(Barrier::new(3));
    let started = Instant::now();
    let (ins, del) = thread::scope(|scope| {
        // Each thread opens its own session (its own connection) before the start.
        let ins = scope.spawn(|| {
            let mut s = (setup.open)();
            start.wait();
            inserter(&mut s, &stable, &doomed, &race, &stop)
        });
        let del = scope.spawn(|| {
            let mut s = (setup.open)();
            start.wait();
            deleter(&mut s, setup.retry, &doomed, &race, &stop)
        });
        start.wait();
        thread::sleep(run_for);
        // On until the races set up on purpose happened both ways, within bounds.
        while started.elapsed() < run_for + RACES_GRACE {
            let r = race.0.lock().unwrap();
            if r.won >= RACES && r.lost >= RACES {
                break;
            }
            drop(r);
            thread::sleep(Duration::from_millis(20));
        }
        stop.store(true, Ordering::Relaxed);
        (
            ins.join().expect("inserter thread"),
            del.join().expect("deleter thread"),
        )
    });
    let overlapped = |outcome: Outcome| {
        del.races
            .iter()
            .filter(|r| r.overlapped() && r.outcome == outcome)
            .count()
    };
    let (won, lost, conflicted) = (
        overlapped(Outcome::Inserted),
        overlapped(Outcome::ForeignKey),
        overlapped(Outcome::Conflict),
    );
    eprintln!(
        "concurrency on {}: {:?}; inserter: {} under stable parents, {} under doomed parents, \
         {} foreign-key failures in a race with the delete, {} conflicts in a race with the \
         delete, {} foreign-key failures on known deleted parents, slowest call {:?}; \
         deleter: {} families inserted, {} deleted with {} children, {} retries after a \
         conflict (at most {} attempts for one delete), slowest call {:?}; races set up: {}, \
         {} with the calls overlapping: the insert first in {won}, the delete first in {lost}, \
         a conflict in {conflicted}",
        setup.name,
        started.elapsed(),
        ins.stable.len(),
        ins.doomed_ok,
        ins.raced,
        ins.conflicts,
        ins.known_deleted,
        ins.slowest,
        del.inserted,
        del.deleted.len(),
        del.children_deleted,
        del.retries,
        del.most_attempts,
        del.slowest,
        del.races.len(),
        del.races.iter().filter(|r| r.overlapped()).count(),
    );
    let errors: Vec<&String> = ins.errors.iter().chain(&del.errors).collect();
    let busy = errors
        .iter()
        .filter(|e| e.contains("SQLITE_BUSY: "))
        .count();
    assert!(
        errors.is_empty(),
        "{}: {} unexpected errors ({busy} SQLITE_BUSY/LOCKED), first ones:\n{}",
        setup.name,
        errors.len(),
        errors
            .iter()
            .take(10)
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Both sides made progress, and the expected failures did happen.
    assert!(ins.stable.len() >= 10, "inserter: {ins:?}");
    assert!(del.deleted.len() >= 2, "deleter: {del:?}");
    assert!(ins.known_deleted >= 1, "inserter: {ins:?}");
    assert_eq!(ins.offers_taken, del.races.len(), "races set up");
    // The races happened, both ways, with the two calls overlapping: an insert that went
    // first (its child is deleted with the family: the checks below count it) and one that
    // came while the delete ran and was refused by the foreign key (the parent was gone).
    assert!(
        won >= RACES && lost >= RACES && ins.raced >= lost,
        "{}: races with the calls overlapping: the insert first {won}, the delete first \
         {lost} (at least {RACES} each); all races: {:?}",
        setup.name,
        del.races
            .iter()
            .take(20)
            .map(|r| (r.parent, r.outcome, r.overlapped()))
            .collect::<Vec<_>>()
    );

    // No orphan rows: SQLite's own check, and the joins spelled out.
    if !s.is_postgres() {
        let fk = s.sql_count("SELECT count(*) FROM pragma_foreign_key_check");
        assert_eq!(fk, 0, "pragma_foreign_key_check");
    }
    assert_eq!(family_orphans(s), 0, "orphan children or toys");
    let detached = count_where(s, "child", "parent_id IS NULL");
    assert_eq!(detached, 0, "children detached instead of deleted");

    // Nothing lost under the stable parents, and nothing extra.
    let present = format!(
        "SELECT count(*) FROM child JOIN toy ON toy.child_id = child.id
         WHERE child.id = {} AND toy.id = {} AND child.parent_id = {}",
        s.p(1),
        s.p(2),
        s.p(3)
    );
    for &(child, toy, parent) in &ins.stable {
        let n = s.sql_count_with(&present, &[child, toy, parent].map(Value::Integer));
        assert_eq!(
            n, 1,
            "child {child} (toy {toy}) of stable parent {parent} is lost"
        );
    }
    let under_stable = s.sql_count(
        "SELECT count(*) FROM child JOIN parent ON parent.id = child.parent_id
         WHERE parent.name LIKE 'stable%'",
    );
    assert_eq!(under_stable, seeded_children + ins.stable.len() as i64);
    let stable_parents = count_where(s, "parent", "name LIKE 'stable%'");
    assert_eq!(stable_parents, STABLE as i64);

    // The deleted families are gone, the surviving doomed ones whole.
    let gone = format!("SELECT count(*) FROM parent WHERE id = {}", s.p(1));
    for &p in &del.deleted {
        let n = s.sql_count_with(&gone, &[Value::Integer(p)]);
        assert_eq!(n, 0, "deleted parent {p} is back");
    }
    let doomed_left = count_where(s, "parent", "name LIKE 'doomed%'");
    assert_eq!(
        doomed_left as usize,
        del.inserted - del.deleted.len(),
        "doomed families left"
    );
    // Every child the inserter committed under a doomed parent was deleted with it (and
    // counted by the report) or is still under it: nothing lost, nothing counted twice.
    let under_doomed = s.sql_count(
        "SELECT count(*) FROM child JOIN parent ON parent.id = child.parent_id
         WHERE parent.name LIKE 'doomed%'",
    );
    let added_deleted = del.children_deleted - DOOMED_CHILDREN * del.deleted.len();
    let added_left = under_doomed as usize - DOOMED_CHILDREN * doomed_left as usize;
    assert_eq!(
        added_deleted + added_left,
        ins.doomed_ok,
        "children inserted under doomed parents: {added_deleted} deleted with them, \
         {added_left} still there"
    );
}

fn open_wal(path: &Path) -> Session {
    let mut s = Session::open(path).expect("open the database");
    let mode: String = s
        .connection()
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .expect("PRAGMA journal_mode");
    assert_eq!(mode, "wal");
    s.create_all::<Parent>().expect("create_all");
    s
}

#[test]
fn concurrent_inserts_and_cascading_deletes_leave_no_orphans_and_lose_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("concurrency.db");
    let mut s = open_wal(&path);
    let open = || open_wal(&path);
    let setup = Setup {
        name: "SQLite",
        open: &open,
        retry: None,
    };
    run(setup, &mut s);
}

#[test]
fn concurrent_inserts_and_cascading_deletes_on_postgresql() {
    let Some(url) = pg_url() else {
        return;
    };
    let schema = pg_schema(&url);
    let open = || {
        let mut s = pg_session_in(&schema);
        s.create_all::<Parent>().expect("create_all");
        s
    };
    let mut s = open();
    let setup = Setup {
        name: "PostgreSQL",
        open: &open,
        retry: Some(RetryPolicy::attempts(PG_DELETE_ATTEMPTS)),
    };
    run(setup, &mut s);
}

/// The race of the tests below, made deterministic: a family in a schema of its own; another
/// connection inserts a child under the parent (its insert holds a lock on the parent row)
/// and commits while `delete` — run by session `a` in a thread — waits for that lock. Returns
/// what `delete` returned, and `a` for the checks. `None` without PostgreSQL.
fn race_with_a_late_child<T: Send>(
    delete: impl FnOnce(&mut PgSession, i64) -> T + Send,
) -> Option<(T, PgSession, common::pg::PgSchema)> {
    let (schema, mut a, mut b, mut watcher, p) = two_writers_and_a_family(&pg_url()?);
    let a_pid = a.sql_count("SELECT pg_backend_pid()::bigint");
    b.sql_batch(&format!(
        "BEGIN; INSERT INTO child (parent_id, name) VALUES ({}, 'late')",
        p.id
    ));
    let outcome = thread::scope(|scope| {
        let deleting = scope.spawn(|| delete(&mut a, p.id));
        // Until the delete waits for the lock the insert holds.
        wait_for_a_lock(&mut watcher, a_pid, "the delete", || deleting.is_finished());
        b.sql_batch("COMMIT");
        deleting.join().expect("the deleting thread")
    });
    Some((outcome, a, schema))
}

/// A schema of its own on the server with the family tables and one family in it, and three
/// sessions on it: two that race, and one that watches them.
fn two_writers_and_a_family(
    url: &str,
) -> (
    common::pg::PgSchema,
    PgSession,
    PgSession,
    PgSession,
    Parent,
) {
    let schema = pg_schema(url);
    let mut a = pg_session_in(&schema);
    let b = pg_session_in(&schema);
    let watcher = pg_session_in(&schema);
    a.create_all::<Parent>().unwrap();
    let mut p = family("p", 2, 1);
    a.insert(&mut p).unwrap();
    (schema, a, b, watcher, p)
}

/// Waits until the backend `pid` waits for a lock; `what` (whose thread `finished` watches)
/// must not end before.
fn wait_for_a_lock(watcher: &mut PgSession, pid: i64, what: &str, finished: impl Fn() -> bool) {
    let waiting = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = {pid} AND wait_event_type = 'Lock'"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while watcher.sql_count(&waiting) == 0 {
        assert!(
            !finished() && Instant::now() < deadline,
            "{what} did not wait for a lock"
        );
        thread::sleep(Duration::from_millis(5));
    }
}

/// The opposite order, made deterministic: the cascade has locked and deleted the family,
/// its transaction not committed yet, when another connection inserts a child under the
/// parent. The insert must wait for the cascade's lock, and once the cascade commits, fail
/// on the foreign key (the parent is gone) — not succeed into an orphan, not hang.
#[test]
fn an_insert_waiting_for_the_cascade_of_its_parent_fails_on_the_foreign_key() {
    let Some(url) = pg_url() else {
        return;
    };
    let (_schema, mut a, mut b, mut watcher, p) = two_writers_and_a_family(&url);
    let b_pid = b.sql_count("SELECT pg_backend_pid()::bigint");
    let (go, wait_go) = std::sync::mpsc::channel();
    let (report, inserted) = thread::scope(|scope| {
        let inserting = scope.spawn(move || {
            wait_go.recv().expect("the go");
            let mut child = new_child(p.id, 1);
            b.insert(&mut child).map(|()| child.id)
        });
        let report = a.transaction(|a| {
            let report = a.delete_by_pk::<Parent>(p.id)?;
            go.send(()).expect("the inserting thread");
            wait_for_a_lock(&mut watcher, b_pid, "the insert", || {
                inserting.is_finished()
            });
            Ok::<_, Error>(report)
        });
        (report, inserting.join().expect("the inserting thread"))
    });
    let report = report.unwrap_or_else(|e| panic!("the cascade: {}", describe(&e)));
    assert_eq!((report.count("parent"), report.count("child")), (1, 2));
    match inserted {
        Err(e) => assert!(
            is_foreign_key_failure(&e),
            "the insert fails on the foreign key: {}",
            describe(&e)
        ),
        Ok(id) => panic!("child {id} was inserted under a deleted parent"),
    }
    assert_eq!((count(&mut a, "parent"), count(&mut a, "child")), (0, 0));
    assert_eq!(family_orphans(&mut a), 0);
}

/// The statement that waited cannot see the late child; the delete takes its locks again in
/// a new statement until no row appears under them, so it must take the child with the
/// family, at once.
#[test]
fn a_delete_waiting_for_a_concurrent_insert_under_its_root_takes_the_late_child() {
    let Some((outcome, mut a, _schema)) =
        race_with_a_late_child(|a, parent| a.delete_by_pk::<Parent>(parent))
    else {
        return;
    };
    let report = outcome.unwrap_or_else(|err| {
        panic!(
            "the delete relocks and sees the late child, got: {}",
            describe(&err)
        )
    });
    assert_eq!(
        (report.count("parent"), report.count("child")),
        (1, 3),
        "the late child goes with the family"
    );
    assert_eq!((count(&mut a, "parent"), count(&mut a, "child")), (0, 0));
    assert_eq!(family_orphans(&mut a), 0);
}

/// The same race inside the caller's transaction (`REPEATABLE READ`: one snapshot, taken
/// before the child committed): the delete cannot see the late child, so it must fail as a
/// conflict — retryable, its transaction rolled back, nothing changed — and the retry of
/// `transaction_with_retry` takes the child with the family.
#[test]
fn the_same_race_inside_a_transaction_is_a_conflict_and_its_retry_takes_the_late_child() {
    let Some(((outcome, errors), mut a, _schema)) = race_with_a_late_child(|a, parent| {
        let mut errors = Vec::new();
        let outcome = a.transaction_with_retry(RetryPolicy::attempts(3), |a| {
            // The transaction's snapshot is taken here, before the child commits.
            a.count::<Parent>()?;
            a.delete_by_pk::<Parent>(parent)
                .inspect_err(|e| errors.push(describe(e)))
        });
        (outcome, errors)
    }) else {
        return;
    };
    let report = outcome.unwrap_or_else(|e| panic!("retried: {}", describe(&e)));
    assert_eq!(errors.len(), 1, "one conflict, then the retry: {errors:?}");
    assert!(
        errors[0].contains("can be retried"),
        "the first attempt is a conflict: {}",
        errors[0]
    );
    assert_eq!(
        (report.count("parent"), report.count("child")),
        (1, 3),
        "the retry takes the late child with the family"
    );
    assert_eq!((count(&mut a, "parent"), count(&mut a, "child")), (0, 0));
    assert_eq!(family_orphans(&mut a), 0);
}
