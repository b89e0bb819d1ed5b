//! Differential tests: the cascade runtime against SQLite's own foreign-key actions.
//!
//! Each fixture (in `differential/fixtures.rs`, shared with `differential_postgres.rs`, which
//! runs the same fixtures against PostgreSQL's actions) is a schema declared with
//! `#[derive(Model)]` and, next to it, the same tables written by hand in plain DDL where every
//! foreign key carries the *native* `ON DELETE` action equivalent to the runtime's rule for it:
//!
//! | runtime rule | native action in the oracle |
//! |---|---|
//! | ORM `delete` cascade (relationship with `delete`, no `passive_deletes`) | `ON DELETE CASCADE` |
//! | ORM nullify (relationship without `delete` on a nullable key) | `ON DELETE SET NULL` |
//! | database-level action (no relationship, or `passive_deletes`) | that action |
//! | association rows of a many-to-many | `ON DELETE CASCADE` |
//! | a rule that refuses (NOT NULL without `delete`, `RESTRICT`, `NO ACTION`) | `NO ACTION` |
//! | many-to-many targets with `delete`, many-to-one `delete` (no native action) | a trigger |
//!
//! Random rows (with NULL links, deep chains in trees, loops in the data) are inserted
//! identically in two SQLite files, fresh for each case: the cascade side's tables made by
//! `create_all`, the oracle's by its DDL. Random deletes (`delete_by_pk` of a random key,
//! `delete_where` over a random id range, `plan_delete_where` then `execute_plan`, and
//! `delete_where_in_chunks` of one to three roots a chunk) run through a cascade [`Session`]
//! on one file and as a plain `DELETE` with `PRAGMA foreign_keys = ON` on the other (for
//! chunks, a `DELETE` of the range's first rows in key order, as its own transaction, again
//! until none is left or one is refused). After each delete every table must hold the same
//! rows in both, the report's (and the executed plan's) `count(table)` / `nulled(table)` /
//! `defaulted(table)` must equal the rows that disappeared / whose keys changed to `NULL` / to
//! another value there (after chunks, the report counts a row detached by one chunk and
//! deleted by a later one twice: its `nulled` and `defaulted` may exceed the change), and
//! when one side refuses the other must too (SQLite with its foreign-key error), with the
//! cascade side unchanged (after chunks, both sides with the same chunks done) and its
//! refusal an `Error::Blocked` (or, where SET DEFAULT points rows at a parent the same delete
//! removes, SQLite's own foreign-key error, as on the oracle side). Where a model has delete
//! hooks (`django`'s albums), they must have run on exactly the rows each delete removed. The generators and this comparison are in
//! `differential/runner.rs`; this file opens the SQLite databases.
//!
//! `nulled` counts cells: a row whose two keys both became NULL counts twice, as the report
//! sums its detached columns.
//!
//! Three cases in four lower SQLite's range thresholds for their deletes (`INLINE_PARENTS`
//! from 1 to 4, `DELETE_CHUNK` from 1 to 6, through the test-only
//! `cascade_runtime::__private::set_range_thresholds`), so that key sets are deleted in ranges
//! of keys, and leaves and detached rows in ranges of parent keys, on the few rows of a case;
//! each fixture's run must have deleted in ranges at least once (a traced bound query).
//!
//! `CASCADE_PROPTEST_CASES` sets the number of random cases per fixture (default 300: twelve
//! fixtures, 3,600 cases of one to four deletes each, about 20 s in debug on two cores).
//! Raise it for a longer search, e.g. `CASCADE_PROPTEST_CASES=5000 cargo test --test
//! differential`. A failure prints the shrunk case, every table's rows as `(id, fk, ..)`
//! tuples (`-` is NULL) and the deletes that ran, and saves it to
//! `tests/differential.regressions`, whose cases later runs replay first.

mod common;
#[path = "differential/fixtures.rs"]
mod fixtures;
#[path = "differential/runner.rs"]
mod runner;

use std::path::{Path, PathBuf};

use cascade_runtime::{Error, Session, Sqlite};
use rusqlite::Connection;
use tempfile::TempDir;

use fixtures::*;
use runner::{columns, differential, Data, Harness, Rows};

/// A fixture's cases on SQLite: two new database files per case, removed after it.
struct SqlitePair {
    fx: &'static Fixture<Sqlite>,
    dir: TempDir,
    open: Option<(Session, Connection)>,
}

impl SqlitePair {
    fn new(make: fn() -> Fixture<Sqlite>) -> SqlitePair {
        let pair = SqlitePair {
            fx: Box::leak(Box::new(make())),
            dir: tempfile::tempdir().expect("temporary directory"),
            open: None,
        };
        pair.check_declarations();
        pair
    }

    fn path(&self, side: &str, n: usize) -> PathBuf {
        self.dir.path().join(format!("{side}-{n}.db"))
    }

    fn open_pair(&self, n: usize) -> (Session, Connection) {
        open_pair(&self.path("cascade", n), &self.path("oracle", n), self.fx)
    }

    /// The oracle's DDL and the models agree on the tables, their columns and their
    /// nullability (a typo in the hand-written DDL would otherwise weaken the comparison).
    fn check_declarations(&self) {
        let fx = self.fx;
        let (session, oracle) = self.open_pair(usize::MAX);
        let describe = |conn: &Connection, table: &str| -> Vec<(String, bool)> {
            let mut stmt = conn
                .prepare("SELECT name, \"notnull\" FROM pragma_table_info(?1) ORDER BY name")
                .expect("prepare table_info");
            let rows = stmt
                .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
                .expect("table_info");
            rows.collect::<rusqlite::Result<Vec<_>>>()
                .expect("table_info rows")
        };
        for spec in &fx.tables {
            let ours = describe(session.connection(), spec.name);
            assert!(
                !ours.is_empty(),
                "{}: the session did not create {}",
                fx.name,
                spec.name
            );
            assert_eq!(ours, describe(&oracle, spec.name), "{}", spec.name);
            for fk in &spec.fks {
                let nullable = ours.iter().any(|(c, nn)| c == fk.column && !nn);
                assert_eq!(nullable, fk.nullable, "{}.{}", spec.name, fk.column);
            }
        }
    }
}

fn open_pair(cascade: &Path, oracle: &Path, fx: &Fixture<Sqlite>) -> (Session, Connection) {
    let mut session = Session::open(cascade).expect("open the cascade database");
    // Durability is not under test; skipping fsync keeps thousands of cases fast.
    session
        .connection()
        .execute_batch("PRAGMA synchronous = OFF")
        .expect("synchronous off");
    (fx.create)(&mut session).expect("create the cascade tables");
    let oracle = Connection::open(oracle).expect("open the oracle database");
    oracle
        .execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = OFF;")
        .expect("oracle pragmas");
    oracle
        .execute_batch(fx.oracle.sqlite)
        .expect("create the oracle tables");
    (session, oracle)
}

/// The query that dumps a table, sorted.
fn dump_query(spec: &TableSpec) -> String {
    let cols = columns(spec)
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!("SELECT {cols} FROM \"{}\" ORDER BY {cols}", spec.name)
}

/// Every table's rows, sorted.
fn dump(conn: &Connection, tables: &[TableSpec]) -> Vec<Rows> {
    tables
        .iter()
        .map(|spec| {
            let mut stmt = conn.prepare(&dump_query(spec)).expect("prepare the dump");
            let width = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    (0..width)
                        .map(|i| r.get::<_, Option<i64>>(i))
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .expect("dump a table");
            rows.collect::<rusqlite::Result<Rows>>()
                .expect("read a row")
        })
        .collect()
}

/// Inserts the data in one transaction with foreign-key checks deferred to its commit (loops
/// in the data need it).
fn insert(conn: &Connection, tables: &[TableSpec], data: &Data) {
    conn.execute_batch("BEGIN; PRAGMA defer_foreign_keys = ON;")
        .expect("begin");
    for (spec, rows) in tables.iter().zip(&data.tables) {
        let cols = columns(spec);
        let params: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO \"{}\" ({}) VALUES ({})",
            spec.name,
            cols.join(", "),
            params.join(", ")
        );
        let mut stmt = conn.prepare(&sql).expect("prepare an insert");
        for row in rows {
            stmt.execute(rusqlite::params_from_iter(row))
                .expect("insert a row");
        }
    }
    conn.execute_batch("COMMIT").expect("commit the data");
}

const FOREIGN_KEY_FAILED: &str = "FOREIGN KEY constraint failed";

impl Harness for SqlitePair {
    type B = Sqlite;
    const ORACLE: &'static str = "SQLite";

    fn fixture(&self) -> &'static Fixture<Sqlite> {
        self.fx
    }

    fn load(&mut self, n: usize, data: &Data) {
        let (session, oracle) = self.open_pair(n);
        insert(session.connection(), &self.fx.tables, data);
        insert(&oracle, &self.fx.tables, data);
        self.open = Some((session, oracle));
    }

    fn unload(&mut self, n: usize) {
        self.open = None;
        for side in ["cascade", "oracle"] {
            let _ = std::fs::remove_file(self.path(side, n));
        }
    }

    fn session(&mut self) -> &mut Session {
        &mut self.open.as_mut().expect("a case is loaded").0
    }

    fn dump(&mut self, oracle: bool) -> Vec<Rows> {
        let (session, conn) = self.open.as_ref().expect("a case is loaded");
        let conn = if oracle { conn } else { session.connection() };
        dump(conn, &self.fx.tables)
    }

    fn native_delete(&mut self, sql: &str, params: &[i64]) -> Result<usize, String> {
        let (_, oracle) = self.open.as_ref().expect("a case is loaded");
        match oracle.execute(sql, rusqlite::params_from_iter(params)) {
            Ok(rows) => Ok(rows),
            Err(e) if e.to_string().contains(FOREIGN_KEY_FAILED) => Err(e.to_string()),
            Err(e) => panic!("{sql}: {e}"),
        }
    }

    fn is_foreign_key_error(err: &Error) -> bool {
        matches!(err, Error::Database { source, .. }
            if source.to_string().contains(FOREIGN_KEY_FAILED))
    }
}

fn run(make: fn() -> Fixture<Sqlite>) {
    differential(SqlitePair::new(make), file!(), 300);
}

#[test]
fn chain_matches_sqlite() {
    run(chain);
}

#[test]
fn database_actions_match_sqlite() {
    run(db_actions);
}

#[test]
fn diamonds_match_sqlite() {
    run(diamond);
}

#[test]
fn trees_match_sqlite() {
    run(tree);
}

#[test]
fn database_trees_match_sqlite() {
    run(db_tree);
}

#[test]
fn many_to_many_matches_sqlite() {
    run(many_to_many);
}

#[test]
fn loops_match_sqlite() {
    run(loops);
}

#[test]
fn set_default_matches_sqlite() {
    run(set_default);
}

#[test]
fn orm_only_cascades_match_sqlite_triggers() {
    run(orm_only);
}

#[test]
fn a_loop_through_a_composite_key_association_matches_sqlite_triggers() {
    run(roster_loop);
}

#[test]
fn two_keys_to_one_table_match_sqlite() {
    run(two_keys);
}

#[test]
fn django_rules_and_hooks_match_sqlite() {
    run(django);
}
