//! Concurrency: two sessions on one file in WAL mode, in two threads, for a bounded time.
//!
//! - The inserter adds children (each with a toy) continuously: to "stable" parents nobody
//!   deletes, and to "doomed" parents the other thread is deleting. A child of a parent that
//!   was just deleted must fail with a foreign-key error; the inserter tolerates and counts
//!   those, and nothing else.
//! - The deleter keeps a queue of doomed families: it inserts a new one, publishes its key to
//!   the inserter, and deletes the oldest one with its cascade (children the inserter added
//!   included).
//!
//! Afterwards: no orphan row (`pragma_foreign_key_check` empty, and explicit `LEFT JOIN`s),
//! every child the inserter saw committed under a stable parent is there with its toy, the
//! deleted families are gone, and neither side ever saw an error but the expected foreign-key
//! failures — in particular no `SQLITE_BUSY` (the session's busy timeout must cover every lock
//! wait, including the upgrade of a delete's read snapshot to a write).
//!
//! Both threads pause briefly between calls (see [`PAUSE`]). Every call's duration, lock waits
//! included, is measured; the slowest of each side is printed.
//!
//! Environment: `CASCADE_CONCURRENCY_SECS` (default 3): how long the two threads run.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use cascade_runtime::{DbError, Error, Session};
use common::{count, family, Child, Parent, Toy};
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

fn duration() -> Duration {
    let secs = match std::env::var("CASCADE_CONCURRENCY_SECS") {
        Ok(v) => v
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("CASCADE_CONCURRENCY_SECS={v:?} is not a number")),
        Err(_) => 3.0,
    };
    Duration::from_secs_f64(secs)
}

/// The SQLite (extended) result code under a session error, if any.
fn sqlite_code(e: &Error) -> Option<(ffi::ErrorCode, i32)> {
    match e {
        Error::Database {
            source: DbError::Sqlite(rusqlite::Error::SqliteFailure(f, _)),
            ..
        }
        | Error::Conflict {
            source: DbError::Sqlite(rusqlite::Error::SqliteFailure(f, _)),
            ..
        } => Some((f.code, f.extended_code)),
        _ => None,
    }
}

fn is_foreign_key_failure(e: &Error) -> bool {
    sqlite_code(e).is_some_and(|(_, ext)| ext == ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
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
    match sqlite_code(e) {
        Some((code, ext)) => format!("{busy}{e} [{code:?}, extended code {ext}]"),
        None => format!("{e}"),
    }
}

fn open(path: &Path) -> Session {
    let mut s = Session::open(path).expect("open the database");
    let mode: String = s
        .connection()
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .expect("PRAGMA journal_mode");
    assert_eq!(mode, "wal");
    s.create_all::<Parent>().expect("create_all");
    s
}

/// Shared between the threads: the doomed parents the inserter may target.
#[derive(Default)]
struct Doomed {
    alive: Vec<i64>,
    last_deleted: Option<i64>,
}

#[derive(Default, Debug)]
struct InserterStats {
    /// (child, toy, parent) of every insert committed under a stable parent.
    stable: Vec<(i64, i64, i64)>,
    doomed_ok: usize,
    /// Foreign-key failures on a parent that was alive when picked (a real race).
    raced: usize,
    /// Foreign-key failures on a parent already known to be deleted.
    known_deleted: usize,
    errors: Vec<String>,
    /// The longest call (lock waits included).
    slowest: Duration,
}

#[derive(Default, Debug)]
struct DeleterStats {
    deleted: Vec<i64>,
    children_deleted: usize,
    inserted: usize,
    errors: Vec<String>,
    /// The longest call (lock waits included).
    slowest: Duration,
}

fn inserter(
    s: &mut Session,
    stable: &[i64],
    doomed: &Mutex<Doomed>,
    stop: &AtomicBool,
) -> InserterStats {
    let mut stats = InserterStats::default();
    let mut n: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        thread::sleep(PAUSE);
        n += 1;
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
        let mut child = Child {
            id: 0,
            parent_id: Some(parent),
            name: format!("ins-{n}"),
            toys: vec![Toy {
                id: 0,
                child_id: 0,
                name: format!("ins-{n}-toy"),
            }],
        };
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
            Err(e) => stats
                .errors
                .push(format!("insert under parent {parent}: {}", describe(&e))),
        }
    }
    stats
}

fn deleter(s: &mut Session, doomed: &Mutex<Doomed>, stop: &AtomicBool) -> DeleterStats {
    let mut stats = DeleterStats::default();
    let mut n = 0;
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
        let call = Instant::now();
        let result = s.delete_by_pk::<Parent>(victim);
        stats.slowest = stats.slowest.max(call.elapsed());
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
                stats
                    .errors
                    .push(format!("delete parent {victim}: {}", describe(&e)));
                // Give up on this one rather than retrying it forever.
                doomed.lock().unwrap().alive.retain(|&p| p != victim);
            }
        }
    }
    stats
}

#[test]
fn concurrent_inserts_and_cascading_deletes_leave_no_orphans_and_lose_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("concurrency.db");
    let mut s = open(&path);
    let stable: Vec<i64> = (0..STABLE)
        .map(|i| {
            let mut fam = family(&format!("stable{i}"), 2, 1);
            s.insert(&mut fam).expect("seed a stable family");
            fam.id
        })
        .collect();
    let seeded_children = count(&mut s, "child");

    let run_for = duration();
    let doomed = Mutex::new(Doomed::default());
    let stop = AtomicBool::new(false);
    let start = Arc::new(Barrier::new(3));
    let started = Instant::now();
    let (ins, del) = thread::scope(|scope| {
        // Each thread opens its own session (a `Session` stays on its thread) before the start.
        let ins = scope.spawn(|| {
            let mut s = open(&path);
            start.wait();
            inserter(&mut s, &stable, &doomed, &stop)
        });
        let del = scope.spawn(|| {
            let mut s = open(&path);
            start.wait();
            deleter(&mut s, &doomed, &stop)
        });
        start.wait();
        thread::sleep(run_for);
        stop.store(true, Ordering::Relaxed);
        (
            ins.join().expect("inserter thread"),
            del.join().expect("deleter thread"),
        )
    });
    eprintln!(
        "concurrency: {:?}; inserter: {} under stable parents, {} under doomed parents, \
         {} foreign-key failures in a race with the delete, {} on known deleted parents, slowest call {:?}; \
         deleter: {} families inserted, {} deleted with {} children, slowest call {:?}",
        started.elapsed(),
        ins.stable.len(),
        ins.doomed_ok,
        ins.raced,
        ins.known_deleted,
        ins.slowest,
        del.inserted,
        del.deleted.len(),
        del.children_deleted,
        del.slowest,
    );
    let errors: Vec<&String> = ins.errors.iter().chain(&del.errors).collect();
    let busy = errors
        .iter()
        .filter(|e| e.contains("SQLITE_BUSY: "))
        .count();
    assert!(
        errors.is_empty(),
        "{} unexpected errors ({busy} SQLITE_BUSY/LOCKED), first ones:\n{}",
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

    // No orphan rows: SQLite's own check, and the joins spelled out.
    let conn = s.connection();
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0, "pragma_foreign_key_check");
    let orphans: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM child LEFT JOIN parent ON parent.id = child.parent_id
                     WHERE child.parent_id IS NOT NULL AND parent.id IS NULL)
                  + (SELECT count(*) FROM toy LEFT JOIN child ON child.id = toy.child_id
                     WHERE child.id IS NULL)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "orphan children or toys");
    let detached: i64 = conn
        .query_row(
            "SELECT count(*) FROM child WHERE parent_id IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(detached, 0, "children detached instead of deleted");

    // Nothing lost under the stable parents, and nothing extra.
    let mut present = conn
        .prepare(
            "SELECT count(*) FROM child JOIN toy ON toy.child_id = child.id
             WHERE child.id = ?1 AND toy.id = ?2 AND child.parent_id = ?3",
        )
        .unwrap();
    for &(child, toy, parent) in &ins.stable {
        let n: i64 = present
            .query_row([child, toy, parent], |r| r.get(0))
            .unwrap();
        assert_eq!(
            n, 1,
            "child {child} (toy {toy}) of stable parent {parent} is lost"
        );
    }
    let under_stable: i64 = conn
        .query_row(
            "SELECT count(*) FROM child JOIN parent ON parent.id = child.parent_id
             WHERE parent.name LIKE 'stable%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(under_stable, seeded_children + ins.stable.len() as i64);
    let stable_parents: i64 = conn
        .query_row(
            "SELECT count(*) FROM parent WHERE name LIKE 'stable%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stable_parents, STABLE as i64);

    // The deleted families are gone, the surviving doomed ones whole.
    let mut gone = conn
        .prepare("SELECT count(*) FROM parent WHERE id = ?1")
        .unwrap();
    for &p in &del.deleted {
        let n: i64 = gone.query_row([p], |r| r.get(0)).unwrap();
        assert_eq!(n, 0, "deleted parent {p} is back");
    }
    let doomed_left: i64 = conn
        .query_row(
            "SELECT count(*) FROM parent WHERE name LIKE 'doomed%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        doomed_left as usize,
        del.inserted - del.deleted.len(),
        "doomed families left"
    );
    // Every child the inserter committed under a doomed parent was deleted with it (and
    // counted by the report) or is still under it: nothing lost, nothing counted twice.
    let under_doomed: i64 = conn
        .query_row(
            "SELECT count(*) FROM child JOIN parent ON parent.id = child.parent_id
             WHERE parent.name LIKE 'doomed%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let added_deleted = del.children_deleted - DOOMED_CHILDREN * del.deleted.len();
    let added_left = under_doomed as usize - DOOMED_CHILDREN * doomed_left as usize;
    assert_eq!(
        added_deleted + added_left,
        ins.doomed_ok,
        "children inserted under doomed parents: {added_deleted} deleted with them, \
         {added_left} still there"
    );
}
