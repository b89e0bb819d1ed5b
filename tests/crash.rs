//! Crash safety: cascades killed with `SIGKILL` at random moments leave the database exactly
//! as it was between two whole operations.
//!
//! The parent test (`killed_cascades_leave_only_whole_families`) re-executes this test binary
//! as a child process running `crash_child`, which opens a [`Session`] on a database file and
//! loops forever: delete the oldest family (`Parent` → `Child` → `Toy`, from `tests/common`)
//! by key with its cascade, insert it again. The parent kills the child after a random delay
//! (measured from the moment the child reports it is ready), then opens the file and checks:
//!
//! - `PRAGMA integrity_check` is `ok` and `PRAGMA foreign_key_check` is empty;
//! - every family is either completely present (its parent, exactly its children, exactly
//!   their toys, with the names it was inserted with) or completely absent, and no row belongs
//!   to no family;
//! - at most one family is absent (a kill between a committed delete and the re-insert), and
//!   the present families are exactly the ones the cyclic order of operations allows: their
//!   parent keys are consecutive and each family sits at the key its position implies.
//!
//! Rounds alternate between the default rollback journal (`DELETE`) and `WAL`; the child sets
//! the journal mode itself after opening the session.
//!
//! Environment:
//!
//! - `CASCADE_CRASH_KILLS`: how many kills (rounds), default 200.
//! - `CASCADE_CRASH_SEED`: the seed of the delays, to replay a run (each run prints its seed).
//! - `CASCADE_CRASH_CHILD`, `CASCADE_CRASH_JOURNAL`: set by the parent for the child process
//!   (the database path and the journal mode); without them `crash_child` returns at once.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cascade_runtime::Session;
use common::{family, Parent};
use rusqlite::{params, Connection};

const CHILD_ENV: &str = "CASCADE_CRASH_CHILD";
const JOURNAL_ENV: &str = "CASCADE_CRASH_JOURNAL";
const READY: &str = "cascade-crash-child: ready";

/// Families in the database; the child cycles through them.
const FAMILIES: usize = 8;
/// Delay before the kill, in microseconds after the child is ready.
const DELAY_MICROS: std::ops::Range<u64> = 1_000..40_000;
/// The child stops by itself after this long (in case its parent died without killing it).
const CHILD_LIFETIME: Duration = Duration::from_secs(60);

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

/// The child process: cascades until killed. Returns at once in an ordinary test run.
#[test]
fn crash_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let journal = std::env::var(JOURNAL_ENV).expect("the journal mode");
    let started = Instant::now();
    let parent = std::os::unix::process::parent_id();

    let mut s = Session::open(&path).expect("open the database");
    let mode: String = s
        .connection()
        .query_row(&format!("PRAGMA journal_mode = {journal}"), [], |r| {
            r.get(0)
        })
        .expect("set the journal mode");
    assert_eq!(mode, journal.to_lowercase(), "journal mode");
    s.create_all::<Parent>().expect("create_all");

    // A kill between a delete and its re-insert leaves one family absent: insert it first.
    let present: Vec<String> = {
        let mut stmt = s
            .connection()
            .prepare("SELECT name FROM parent")
            .expect("prepare");
        let names = stmt.query_map([], |r| r.get(0)).expect("query");
        names.map(|n| n.expect("name")).collect()
    };
    for f in 0..FAMILIES {
        if !present.contains(&name(f)) {
            s.insert(&mut new_family(f))
                .expect("re-insert the absent family");
        }
    }

    let mut out = std::io::stdout();
    writeln!(out, "{READY}").expect("stdout");
    out.flush().expect("stdout");

    // Always the oldest family: its key is the smallest; the re-insert gets the largest.
    while started.elapsed() < CHILD_LIFETIME && std::os::unix::process::parent_id() == parent {
        let (id, name): (i64, String) = s
            .connection()
            .query_row("SELECT id, name FROM parent ORDER BY id LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("the oldest family");
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
    /// The largest parent key: one more per completed delete + insert.
    max_id: i64,
    absent: Option<usize>,
}

/// Checks that the database holds a state between two whole operations.
fn check(path: &Path) -> Result<Observed, String> {
    let conn = Connection::open(path).map_err(|e| format!("open: {e}"))?;
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

    let one = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<i64, String> {
        conn.query_row(sql, p, |r| r.get(0))
            .map_err(|e| format!("{sql}: {e}"))
    };
    let mut parents: Vec<(i64, usize)> = Vec::new();
    let mut absent = Vec::new();
    let (mut children_total, mut toys_total) = (0, 0);
    for f in 0..FAMILIES {
        let name = name(f);
        let prefix = format!("{name}-%");
        let (children, toys) = shape(f);
        let ids: Vec<i64> = q(&format!(
            "SELECT id FROM parent WHERE name = '{name}' ORDER BY id"
        ))?
        .into_iter()
        .map(|r| match r[0] {
            rusqlite::types::Value::Integer(i) => i,
            ref v => panic!("parent id {v:?}"),
        })
        .collect();
        let by_name = one(
            "SELECT count(*) FROM child WHERE name LIKE ?1",
            params![prefix],
        )?;
        let toys_by_name = one(
            "SELECT count(*) FROM toy WHERE name LIKE ?1",
            params![prefix],
        )?;
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
                let expected: Vec<String> = (0..children).map(|c| format!("{name}-c{c}")).collect();
                let mut got: Vec<String> = Vec::new();
                let mut stmt = conn
                    .prepare("SELECT name FROM child WHERE parent_id = ?1 ORDER BY id")
                    .map_err(|e| e.to_string())?;
                for n in stmt
                    .query_map([id], |r| r.get(0))
                    .map_err(|e| e.to_string())?
                {
                    got.push(n.map_err(|e| e.to_string())?);
                }
                if got != expected || by_name != children as i64 {
                    return Err(format!(
                        "family {name} (parent {id}): children {got:?} ({by_name} by name), expected {expected:?}"
                    ));
                }
                let under = one(
                    "SELECT count(*) FROM toy JOIN child ON child.id = toy.child_id
                     WHERE child.parent_id = ?1 AND toy.name LIKE child.name || '-t%'",
                    params![id],
                )?;
                if under != (children * toys) as i64 || toys_by_name != under {
                    return Err(format!(
                        "family {name} (parent {id}): {under} toys under it, {toys_by_name} by name, expected {}",
                        children * toys
                    ));
                }
                parents.push((id, f));
                children_total += children as i64;
                toys_total += (children * toys) as i64;
            }
            _ => return Err(format!("family {name} has parents {ids:?}")),
        }
    }
    // No row outside the families.
    let totals = (
        one("SELECT count(*) FROM parent", params![])?,
        one("SELECT count(*) FROM child", params![])?,
        one("SELECT count(*) FROM toy", params![])?,
    );
    let expected = (parents.len() as i64, children_total, toys_total);
    if totals != expected {
        return Err(format!(
            "rows (parent, child, toy) {totals:?}, families account for {expected:?}"
        ));
    }
    // Whole operations in cyclic order: at most one family missing (deleted, not re-inserted
    // yet), parent keys consecutive, and family f always at a key ≡ f + 1 (mod FAMILIES).
    if absent.len() > 1 {
        return Err(format!("families {absent:?} are all absent"));
    }
    parents.sort();
    for pair in parents.windows(2) {
        if pair[1].0 != pair[0].0 + 1 {
            return Err(format!("parent keys not consecutive: {parents:?}"));
        }
    }
    for &(id, f) in &parents {
        if (id - 1).rem_euclid(FAMILIES as i64) != f as i64 {
            return Err(format!("family {f} at key {id}: out of order: {parents:?}"));
        }
    }
    Ok(Observed {
        max_id: parents.last().map_or(0, |p| p.0),
        absent: absent.first().copied(),
    })
}

/// The oracle itself: half-done operations and strays are caught.
#[test]
fn the_check_rejects_states_between_statements() {
    let seeded = || {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("oracle.db");
        let mut s = Session::open(&path).expect("open");
        s.create_all::<Parent>().expect("create_all");
        for f in 0..FAMILIES {
            s.insert(&mut new_family(f)).expect("seed a family");
        }
        (dir, path, s)
    };
    let (_dir, path, s) = seeded();
    check(&path).expect("whole families");
    // The cascade's toys gone, not yet the children and parent.
    s.connection()
        .execute(
            "DELETE FROM toy WHERE child_id IN (SELECT id FROM child WHERE parent_id = 1)",
            [],
        )
        .unwrap();
    assert!(check(&path).is_err());

    // A delete committed (the oldest family is absent): fine. Two absent: not a state of the
    // cyclic order.
    let (_dir, path, mut s) = seeded();
    s.delete_by_pk::<Parent>(1).unwrap();
    assert_eq!(check(&path).unwrap().absent, Some(0));
    s.delete_by_pk::<Parent>(2).unwrap();
    assert!(check(&path).is_err());

    // A family re-inserted out of order.
    let (_dir, path, mut s) = seeded();
    s.delete_by_pk::<Parent>(3).unwrap();
    assert!(check(&path).is_err());
    s.insert(&mut new_family(2)).unwrap();
    assert!(check(&path).is_err());

    // A stray child of a present parent.
    let (_dir, path, s) = seeded();
    s.connection()
        .execute(
            "INSERT INTO child (parent_id, name) VALUES (1, 'f0-c99')",
            [],
        )
        .unwrap();
    assert!(check(&path).is_err());
}

#[test]
fn killed_cascades_leave_only_whole_families() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let kills = env_number("CASCADE_CRASH_KILLS").unwrap_or(200);
    let seed = env_number("CASCADE_CRASH_SEED").unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_nanos() as u64
    });
    eprintln!("crash test: {kills} kills, CASCADE_CRASH_SEED={seed}");
    let mut rng = Rng(seed | 1);

    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("crash.db");
    {
        let mut s = Session::open(&path).expect("open");
        s.create_all::<Parent>().expect("create_all");
        for f in 0..FAMILIES {
            s.insert(&mut new_family(f)).expect("seed a family");
        }
    }
    check(&path).expect("the seeded database");

    let exe = std::env::current_exe().expect("the test binary");
    let started = Instant::now();
    let (mut hot_journals, mut absent_seen, mut last_max_id) = (0, 0, FAMILIES as i64);
    for round in 0..kills {
        let journal = if round % 2 == 0 { "DELETE" } else { "WAL" };
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .env(JOURNAL_ENV, journal)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the child");
        let stdout = child.stdout.take().expect("stdout");
        let (ready_tx, ready_rx) = mpsc::channel();
        let reader = thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let mut seen = String::new();
            for line in lines.by_ref() {
                let Ok(line) = line else { break };
                // libtest prints `test crash_child ... ` without a newline before it.
                if line.ends_with(READY) {
                    let _ = ready_tx.send(());
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
            "round {round} ({journal}, killed {delay:?} after ready), CASCADE_CRASH_SEED={seed}"
        );
        if ready.is_err() || status.signal() != Some(libc_sigkill()) {
            panic!(
                "{context}: the child was not killed while cascading \
                 (ready: {}, status: {status})\nstdout:\n{stdout}\nstderr:\n{stderr}",
                ready.is_ok()
            );
        }
        let journal_file = dir.path().join("crash.db-journal");
        if journal == "DELETE" && journal_file.exists() {
            hot_journals += 1;
        }
        let observed = check(&path).unwrap_or_else(|e| panic!("{context}: {e}"));
        if observed.absent.is_some() {
            absent_seen += 1;
        }
        assert!(
            observed.max_id >= last_max_id,
            "{context}: a committed operation was lost"
        );
        last_max_id = observed.max_id;
    }
    let operations = last_max_id - FAMILIES as i64;
    eprintln!(
        "crash test: {kills} kills in {:?}; {operations} delete + insert cycles committed; \
         {hot_journals} kills left a rollback journal, {absent_seen} fell between a delete \
         and its re-insert",
        started.elapsed()
    );
    if kills >= 20 {
        assert!(
            operations > 0,
            "the child never completed an operation: the kills test nothing"
        );
    }
}

/// `SIGKILL`, which is 9 on every unix.
const fn libc_sigkill() -> i32 {
    9
}
