//! A session's writes wait for another connection's write lock (the busy timeout) instead of
//! failing with `SQLITE_BUSY`, also when they read before they write.
//!
//! A delete reads first (it collects key sets with `INSERT INTO temp… SELECT … FROM main`)
//! and writes the main database afterwards. In a deferred transaction the read takes a
//! snapshot, and SQLite never calls the busy handler when a connection holding a snapshot asks
//! for the write lock (it would deadlock): another connection's open write transaction made
//! the delete fail at once with `SQLITE_BUSY` (or `SQLITE_BUSY_SNAPSHOT` in WAL if that
//! connection had committed meanwhile). Outside a caller's transaction, a session's writes
//! therefore start with `BEGIN IMMEDIATE`, which waits for the lock before taking a snapshot.

mod common;

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use cascade_runtime::Session;
use common::{count, family, Parent};
use rusqlite::Connection;

/// Holds the write lock on `path` for `hold`, writing a row, then commits.
fn hold_write_lock(path: &Path, hold: Duration) -> thread::JoinHandle<()> {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO parent (name) VALUES ('locker');")
        .unwrap();
    thread::spawn(move || {
        thread::sleep(hold);
        conn.execute_batch("COMMIT").unwrap();
    })
}

fn seeded(journal: &str) -> (tempfile::TempDir, std::path::PathBuf, Session) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lock.db");
    let mut s = Session::open(&path).unwrap();
    let mode: String = s
        .connection()
        .query_row(&format!("PRAGMA journal_mode = {journal}"), [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(mode, journal.to_lowercase());
    s.create_all::<Parent>().unwrap();
    (dir, path, s)
}

#[test]
fn a_delete_waits_for_another_connections_write_lock() {
    for journal in ["WAL", "DELETE"] {
        let (_dir, path, mut s) = seeded(journal);
        let mut fam = family("f", 3, 2);
        s.insert(&mut fam).unwrap();

        let hold = Duration::from_millis(300);
        let locker = hold_write_lock(&path, hold);
        let started = Instant::now();
        let report = s
            .delete_by_pk::<Parent>(fam.id)
            .unwrap_or_else(|e| panic!("{journal}: the delete failed instead of waiting: {e}"));
        assert!(started.elapsed() >= hold / 2, "{journal}: it did wait");
        locker.join().unwrap();
        assert_eq!(report.total(), 1 + 3 + 6, "{journal}");
        assert_eq!(
            count(&mut s, "parent"),
            1,
            "{journal}: only the locker's row is left"
        );
    }
}

#[test]
fn a_merge_waits_for_another_connections_write_lock() {
    for journal in ["WAL", "DELETE"] {
        let (_dir, path, mut s) = seeded(journal);
        let mut fam = family("f", 2, 1);
        s.insert(&mut fam).unwrap();

        // Merge reads (does the row exist?) before it writes.
        let locker = hold_write_lock(&path, Duration::from_millis(300));
        fam.name = "renamed".into();
        s.merge(&mut fam)
            .unwrap_or_else(|e| panic!("{journal}: the merge failed instead of waiting: {e}"));
        locker.join().unwrap();
        assert_eq!(s.get::<Parent>(fam.id).unwrap().unwrap().name, "renamed");
    }
}

#[test]
fn inside_the_callers_transaction_a_delete_is_a_savepoint_of_it() {
    let (_dir, _path, mut s) = seeded("WAL");
    let mut fam = family("f", 1, 1);
    s.insert(&mut fam).unwrap();
    s.connection().execute_batch("BEGIN").unwrap();
    s.delete_by_pk::<Parent>(fam.id).unwrap();
    assert!(
        !s.connection().is_autocommit(),
        "still the caller's transaction"
    );
    s.connection().execute_batch("ROLLBACK").unwrap();
    assert_eq!(
        count(&mut s, "toy"),
        1,
        "rolled back with the caller's transaction"
    );
}
