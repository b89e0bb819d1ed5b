//! How many statements a cascade runs on SQLite, and which: the statement *texts* are fixed by
//! the schema; each runs once, but for three things that grow with the data, each asserted
//! exactly here —
//!
//! - a key set over `DELETE_CHUNK` (131,072) keys is deleted (or unlinked) in ranges of that
//!   many keys: the delete runs once per range, after a query for the range's upper bound;
//! - a leaf deleted through its parent's keys, and rows detached from deleted parents, over
//!   `INLINE_PARENTS` (1,024) parents go in ranges of parent keys sized from the first range's
//!   rows per parent to reach about `DELETE_CHUNK` rows: again a bound query and the statement
//!   per range;
//! - a loop through a composite key runs its edges again until a round adds no key: once more
//!   per level of the data (and, with the per-depth strategy for trees, a self-referential
//!   tree one per level; today one recursive query);
//!
//! and, for a model with delete hooks, its doomed rows are read `HOOK_BATCH` (1,000) at a time
//! for each of its two hooks.
//!
//! Counted both by the report and by the `tracing` events every statement emits, from 10 rows
//! to a million, on both sides of each threshold; the thresholds are also lowered (a test-only
//! setting, `cascade_runtime::__private::set_range_thresholds`) to go through every boundary on
//! small data. On PostgreSQL (with `CASCADE_PG_URL`), nothing goes in ranges and a loop is one
//! recursive query: only hooked rows add statements.

mod common;

use std::collections::BTreeSet;

use cascade_runtime::__private::{set_range_thresholds, DELETE_CHUNK, INLINE_PARENTS};
use cascade_runtime::{DeleteHooks, Model, Session, HOOK_BATCH};
use common::pg::pg_session;
use common::*;

/// A parent with `children` children and `toys` toys spread over them, inserted set-based.
fn seed(s: &Session, name: &str, children: i64, toys: i64) -> i64 {
    let conn = s.connection();
    conn.execute("INSERT INTO parent (name) VALUES (?1)", [name])
        .unwrap();
    let parent = conn.last_insert_rowid();
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
         INSERT INTO child (parent_id, name) SELECT ?1, ?3 || i FROM n",
        rusqlite::params![parent, children, name],
    )
    .unwrap();
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
         INSERT INTO toy (child_id, name)
         SELECT (SELECT min(id) FROM child WHERE parent_id = ?1) + (i % ?3), ?4 || '-toy-' || i FROM n",
        rusqlite::params![parent, toys, children, name],
    )
    .unwrap();
    parent
}

/// `parents` parents, each with `children` children, each with `toys` toys (the same number
/// for every child, so that every range of children reaches as many toys), inserted set-based
/// into empty tables.
fn seed_families(s: &Session, parents: usize, children: usize, toys: usize) {
    s.connection()
        .execute_batch(&format!(
            "BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {parents})
               INSERT INTO parent (id, name) SELECT i, 'p' FROM n WHERE {parents} > 0;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {children})
               INSERT INTO child (parent_id, name)
               SELECT parent.id, 'c' FROM parent, n WHERE {children} > 0 ORDER BY parent.id, i;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {toys})
               INSERT INTO toy (child_id, name)
               SELECT child.id, child.id || '-' || i FROM child, n WHERE {toys} > 0
               ORDER BY child.id, i;
             COMMIT;"
        ))
        .unwrap();
}

/// Executions of one statement over a key set of `keys` keys: once, up to `chunk` keys;
/// otherwise, per range of `chunk` keys in key order, a query for the range's upper bound and
/// the statement — the last range being what follows the last full one (possibly nothing).
fn in_key_ranges(keys: usize, chunk: usize) -> usize {
    match keys <= chunk {
        true => 1,
        false => 2 * (keys / chunk + 1),
    }
}

/// Executions of one statement over the rows found through `parents` parent keys, `per_parent`
/// rows each: once, up to `inline` parents; otherwise a bound query and the statement per
/// range: a first range of `inline` parents, then ranges sized from its rows per parent to
/// reach about `chunk` rows, and the last range (what is left, possibly nothing).
fn in_parent_ranges(parents: usize, per_parent: usize, inline: usize, chunk: usize) -> usize {
    if parents <= inline {
        return 1;
    }
    let span = (chunk / per_parent.max(1)).clamp(1, chunk);
    2 * (2 + (parents - inline) / span)
}

/// The statements of deleting `parents` parents with `children` children each and `toys` toys
/// per child (the family of `common`: parent -< child -< toy), by the bound: nine statements
/// fixed by the schema — a key set made for parent and for child, the roots' keys, the
/// children's keys, the toys deleted through the children's keys (a leaf: no key set of its
/// own), the children, the parents, the two key sets emptied — of which three grow with the
/// rows: each key set's delete per range of keys, the toys' per range of children.
fn family_statements(
    parents: usize,
    children: usize,
    toys: usize,
    (inline, chunk): (usize, usize),
) -> usize {
    const FIXED: usize = 9;
    FIXED - 3
        + in_key_ranges(parents, chunk)
        + in_key_ranges(parents * children, chunk)
        + in_parent_ranges(parents * children, toys, inline, chunk)
}

/// Deletes every family after seeding `parents` × `children` × `toys` with the thresholds
/// `thresholds` on this thread, checks the rows and the statements against the bound, and
/// returns the texts of the statements that ran.
fn delete_families(
    s: &mut Session,
    (parents, children, toys): (usize, usize, usize),
    thresholds: (usize, usize),
) -> BTreeSet<String> {
    seed_families(s, parents, children, toys);
    let previous = set_range_thresholds(thresholds.0, thresholds.1);
    let (report, events) = traced(|| s.delete_where::<Parent>("1 = 1", ()).unwrap());
    set_range_thresholds(previous.0, previous.1);
    let case = format!("{parents} × {children} × {toys} rows, thresholds {thresholds:?}");
    let kids = parents * children;
    assert_eq!(
        (
            report.count("parent"),
            report.count("child"),
            report.count("toy")
        ),
        (parents, kids, kids * toys),
        "{case}"
    );
    assert_eq!(
        (count(s, "parent"), count(s, "child"), count(s, "toy")),
        (0, 0, 0),
        "{case}"
    );
    let expected = family_statements(parents, children, toys, thresholds);
    assert_eq!(report.statements(), expected, "{case}: {events:#?}");
    assert_eq!(events.len(), expected, "{case}: every statement traced");
    // SQLite holds the rows of one DELETE in memory: no statement takes more than a range.
    let deleted: Vec<u64> = deletes(&events).iter().map(|e| e.rows).collect();
    assert_eq!(
        deleted.iter().sum::<u64>() as usize,
        report.total(),
        "{case}"
    );
    if thresholds == (INLINE_PARENTS, DELETE_CHUNK) {
        assert!(
            deleted.iter().all(|&n| n as usize <= DELETE_CHUNK),
            "{case}: {deleted:?}"
        );
    }
    events.into_iter().map(|e| e.sql).collect()
}

/// The deletes of tables (not of key sets) among traced statements.
fn deletes(events: &[Traced]) -> Vec<&Traced> {
    events
        .iter()
        .filter(|e| e.sql.starts_with("DELETE FROM \""))
        .collect()
}

/// The texts that run when no range is needed (9), plus, per key set deleted in ranges
/// (parent's and child's), two bound queries (the first range's, the next ones') and the three
/// forms of its ranged delete (up to a bound, between two, after one), and the three forms of
/// the toys' delete in ranges of children, whose bounds are the child key set's: 9 + 2 × 5 + 3.
const FAMILY_TEXTS: usize = 22;

#[test]
fn statements_follow_the_bound_from_ten_rows_to_a_million() {
    let (_dir, mut s) = file_session();
    // Durability is not under test: no fsync for the hundreds of small deletes.
    s.connection()
        .execute_batch("PRAGMA synchronous = OFF")
        .unwrap();
    s.create_all::<Parent>().unwrap();
    let defaults = (INLINE_PARENTS, DELETE_CHUNK);
    assert_eq!(defaults, (1_024, 131_072));
    let mut texts = BTreeSet::new();
    for (shape, statements) in [
        ((1, 3, 2), 9),        // 10 rows
        ((1, 1_024, 1), 9),    // 2,049 rows: 1,024 parents of toys, one statement
        ((1, 1_025, 1), 12),   // one parent key more: the toys in two ranges
        ((1, 131_072, 0), 12), // 131,072 child keys, one delete; the toys (none) in ranges
        ((1, 131_073, 0), 15), // one key more: the children in two ranges too
        ((131_073, 0, 0), 12), // 131,073 roots: the parents in two ranges
        ((1, 250_000, 3), 25), // 1,000,001 rows: two ranges of children, seven of toys
    ] {
        assert_eq!(
            family_statements(shape.0, shape.1, shape.2, defaults),
            statements
        );
        texts.extend(delete_families(&mut s, shape, defaults));
    }
    // The same texts with lowered thresholds, on small data through every boundary.
    for inline in [1, 2, 3] {
        for chunk in [1, 2, 3, 5] {
            for parents in [1, 3] {
                for children in 0..=6 {
                    for toys in [0, 1, 3] {
                        texts.extend(delete_families(
                            &mut s,
                            (parents, children, toys),
                            (inline, chunk),
                        ));
                    }
                }
            }
        }
    }
    assert_eq!(texts.len(), FAMILY_TEXTS, "{texts:#?}");
}

#[test]
fn a_bulk_delete_of_many_roots_takes_the_same_statements_as_one() {
    let (_dir, mut s) = file_session();
    s.create_all::<Parent>().unwrap();
    for i in 0..200 {
        seed(&s, &format!("bulk{i}"), 2, 4);
    }
    let one = seed(&s, "one", 2, 4);
    let single = s.delete_by_pk::<Parent>(one).unwrap();
    let bulk = s.delete_where::<Parent>("name LIKE ?1", ["bulk%"]).unwrap();
    assert_eq!(bulk.count("parent"), 200);
    assert_eq!(bulk.total(), 200 * 7);
    assert_eq!(single.statements(), bulk.statements());
}

#[test]
fn large_deletes_go_in_bounded_ranges_with_exact_counts() {
    let (_dir, mut s) = file_session();
    s.create_all::<Parent>().unwrap();
    // 300,000 children (a key set, deleted in ranges of keys) and 200,000 toys under 20,000 of
    // them (a leaf deleted through the children's keys, in ranges of parent keys).
    let large = seed(&s, "large", 300_000, 200_000);
    let (report, events) = traced(|| s.delete_by_pk::<Parent>(large).unwrap());
    assert_eq!(
        (
            report.count("parent"),
            report.count("child"),
            report.count("toy")
        ),
        (1, 300_000, 200_000)
    );
    assert_eq!((count(&mut s, "child"), count(&mut s, "toy")), (0, 0));
    let deletes: Vec<&Traced> = events
        .iter()
        .filter(|e| e.sql.starts_with("DELETE FROM \""))
        .collect();
    assert!(deletes.len() > 4, "several ranges: {deletes:#?}");
    // SQLite holds the rows of one DELETE in memory: no statement may take too many.
    assert!(deletes.iter().all(|e| e.rows <= 131_072), "{deletes:#?}");
    assert_eq!(deletes.iter().map(|e| e.rows).sum::<u64>(), 500_001);
}

/// `teams` teams with `members` members each (and no badge), inserted set-based into empty
/// tables.
fn seed_teams(s: &Session, teams: usize, members: usize) {
    s.connection()
        .execute_batch(&format!(
            "BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {teams})
               INSERT INTO team (id, name) SELECT i, 'team ' || i FROM n WHERE {teams} > 0;
             WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
                                     WHERE i + 1 < {teams} * {members})
               INSERT INTO member (team_id, name) SELECT 1 + i % {teams}, 'm' FROM n
               WHERE {teams} * {members} > 0;
             COMMIT;"
        ))
        .unwrap();
}

/// Deletes every team after seeding `teams` × `members`, with `thresholds` on this thread;
/// checks the rows and the statements against the bound: six statements fixed by the schema
/// — the team key set made, the roots' keys, the check that no badge blocks, the members
/// detached, the teams deleted, the key set emptied — of which the detach runs per range of
/// team keys, and the delete per range of keys.
fn detach_teams(s: &mut Session, (teams, members): (usize, usize), thresholds: (usize, usize)) {
    const FIXED: usize = 6;
    seed_teams(s, teams, members);
    let previous = set_range_thresholds(thresholds.0, thresholds.1);
    let (report, events) = traced(|| s.delete_where::<Team>("1 = 1", ()).unwrap());
    set_range_thresholds(previous.0, previous.1);
    let case = format!("{teams} teams × {members} members, thresholds {thresholds:?}");
    assert_eq!(
        (report.count("team"), report.nulled("member")),
        (teams, teams * members),
        "{case}"
    );
    assert_eq!(
        count_where(s, "member", "team_id IS NULL") as usize,
        teams * members,
        "{case}"
    );
    let (inline, chunk) = thresholds;
    let expected =
        FIXED - 2 + in_parent_ranges(teams, members, inline, chunk) + in_key_ranges(teams, chunk);
    assert_eq!(report.statements(), expected, "{case}: {events:#?}");
    let updates: Vec<u64> = events
        .iter()
        .filter(|e| e.sql.starts_with("UPDATE"))
        .map(|e| e.rows)
        .collect();
    assert_eq!(
        updates.iter().sum::<u64>() as usize,
        teams * members,
        "{case}"
    );
    if thresholds == (INLINE_PARENTS, DELETE_CHUNK) {
        assert!(
            updates.iter().all(|&n| n as usize <= DELETE_CHUNK),
            "{case}"
        );
    }
    s.connection().execute_batch("DELETE FROM member").unwrap();
}

#[test]
fn detaching_many_rows_goes_in_bounded_ranges_of_parent_keys() {
    let (_dir, mut s) = file_session();
    s.connection()
        .execute_batch("PRAGMA synchronous = OFF")
        .unwrap();
    s.create_all::<Team>().unwrap();
    let defaults = (INLINE_PARENTS, DELETE_CHUNK);
    // 1,024 teams, then one more: the detach in two ranges of team keys.
    detach_teams(&mut s, (1_024, 2), defaults);
    detach_teams(&mut s, (1_025, 2), defaults);
    // 3,000 teams of 100 members each: 300,000 keys set to NULL, in three ranges (1,024 teams,
    // then 1,310 teams of about 131,072 members, then the rest).
    detach_teams(&mut s, (3_000, 100), defaults);
    for inline in [1, 2, 3] {
        for chunk in [1, 2, 3, 5] {
            for teams in 0..=7 {
                for members in [0, 1, 2, 4] {
                    detach_teams(&mut s, (teams, members), (inline, chunk));
                }
            }
        }
    }
}

#[derive(cascade_runtime::Model, Debug, Clone)]
#[model(table = "branch")]
pub struct Branch {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Branch, on_delete = "cascade")]
    pub parent_id: Option<i64>,
    #[relationship(cascade = "all")]
    pub children: Vec<Branch>,
}

#[test]
fn a_large_tree_is_unlinked_and_deleted_in_bounded_ranges() {
    let (_dir, mut s) = file_session();
    s.create_all::<Branch>().unwrap();
    // A root with 300,000 descendants, ten levels of 30,000.
    s.connection()
        .execute_batch(
            "BEGIN;
             INSERT INTO branch (id, parent_id) VALUES (1, NULL);
             WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 300001)
               INSERT INTO branch (id, parent_id)
               SELECT i, CASE WHEN i <= 30001 THEN 1 ELSE i - 30000 END FROM n;
             COMMIT;",
        )
        .unwrap();
    let (report, events) = traced(|| s.delete_by_pk::<Branch>(1).unwrap());
    assert_eq!(report.count("branch"), 300_001);
    assert_eq!(count(&mut s, "branch"), 0);
    let changes: Vec<&Traced> = events
        .iter()
        .filter(|e| e.sql.starts_with("UPDATE") || e.sql.starts_with("DELETE FROM \""))
        .collect();
    assert!(
        changes.len() >= 6,
        "ranges of the unlink and of the delete: {changes:#?}"
    );
    assert!(changes.iter().all(|e| e.rows <= 131_072), "{changes:#?}");
}

/// A chain as deep as `depth`: on SQLite a tree goes a level at a time (one `DELETE` per
/// level, deepest first) while it has at most 64 levels, so its statements grow by one per
/// level; deeper and narrower (under 16 rows a level), it goes whole, in a number of
/// statements that no longer depends on the depth.
#[test]
fn a_tree_runs_its_statements_once_per_level_at_most() {
    let (_dir, mut s) = file_session();
    s.create_all::<Branch>().unwrap();
    let mut first = None;
    let mut whole = None;
    for depth in [1usize, 2, 3, 10, 64, 65, 100, 1_000] {
        s.connection()
            .execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                 INSERT INTO branch (id, parent_id) SELECT i, nullif(i - 1, 0) FROM n",
                [depth as i64],
            )
            .unwrap();
        let report = s.delete_by_pk::<Branch>(1).unwrap();
        assert_eq!(report.count("branch"), depth);
        assert_eq!(count(&mut s, "branch"), 0);
        let base = *first.get_or_insert(report.statements());
        // The README's bound: at most one more per level.
        assert!(report.statements() <= base + (depth - 1), "depth {depth}");
        if depth <= 64 {
            assert_eq!(report.statements(), base + (depth - 1), "depth {depth}");
        } else {
            // Whole: the key set filled, the doomed rows unlinked (CASCADE would fire row by
            // row), then deleted — the same statements at any depth.
            let whole = *whole.get_or_insert(report.statements());
            assert_eq!(report.statements(), whole, "depth {depth}");
            assert!(
                whole <= base + 2,
                "{whole} statements for a chain {depth} deep"
            );
        }
    }
}

// --- A loop through a composite key: its edges again per level of the data ----------------

#[derive(Model, Debug, Clone)]
#[model(table = "club")]
pub struct Club {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(cascade = "all")]
    pub lineups: Vec<Lineup>,
}

#[derive(Model, Debug, Clone)]
#[model(table = "athlete")]
pub struct Athlete {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(cascade = "all")]
    pub lineups: Vec<Lineup>,
}

/// Keyed by both of its foreign keys; a deleted lineup deletes its club and its athlete
/// (many-to-one `delete`), whose lineups go in turn: a loop through a composite key, which
/// SQLite closes by running its four edges again until a round adds no key
/// (`Collect::Fixpoint`).
#[derive(Model, Debug, Clone)]
#[model(table = "lineup")]
pub struct Lineup {
    #[model(primary_key, foreign_key = Club)]
    pub club_id: i64,
    #[model(primary_key, foreign_key = Athlete)]
    pub athlete_id: i64,
    #[relationship(cascade = "delete")]
    pub club: Option<Box<Club>>,
    #[relationship(cascade = "delete")]
    pub athlete: Option<Box<Athlete>>,
}

/// A chain `depth` levels deep: club 1 – athlete 1 – club 2 – athlete 2 – … – club depth + 1,
/// each link a lineup. Deleting club 1 takes it all: ten statements fixed by the schema (three
/// key sets made, the root's keys, three deletes, three key sets emptied) and the loop's four
/// edges once per round — one round when nothing is linked; otherwise the first round (which
/// finds club 1's lineup), two per level (in the planner's order of the edges, a round goes
/// from a lineup to its athlete, the next from that athlete to its other lineup, its club and
/// that club's lineup), and a last one that adds nothing.
#[test]
fn a_loop_through_a_composite_key_runs_its_edges_once_more_per_level() {
    const FIXED: usize = 10;
    const EDGES: usize = 4;
    let (_dir, mut s) = file_session();
    s.create_all::<Lineup>().unwrap();
    let mut texts = BTreeSet::new();
    for depth in [0usize, 1, 2, 3, 7, 20] {
        let d = depth as i64;
        s.connection()
            .execute_batch(&format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i <= {d})
                   INSERT INTO club (id) SELECT i FROM n;
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {d})
                   INSERT INTO athlete (id) SELECT i FROM n WHERE {d} > 0;
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {d})
                   INSERT INTO lineup (club_id, athlete_id)
                   SELECT i, i FROM n WHERE {d} > 0 UNION ALL SELECT i + 1, i FROM n WHERE {d} > 0;"
            ))
            .unwrap();
        let (report, events) = traced(|| s.delete_by_pk::<Club>(1).unwrap());
        assert_eq!(
            (
                report.count("club"),
                report.count("athlete"),
                report.count("lineup")
            ),
            (depth + 1, depth, 2 * depth)
        );
        let rounds = match depth {
            0 => 1,
            _ => 2 * depth + 2,
        };
        assert_eq!(
            report.statements(),
            FIXED + EDGES * rounds,
            "depth {depth}: {events:#?}"
        );
        texts.extend(events.into_iter().map(|e| e.sql));
    }
    assert_eq!(
        texts.len(),
        FIXED + EDGES,
        "the same texts at any depth: {texts:#?}"
    );
}

// --- Hooks: rows read in batches ---------------------------------------------------------

#[derive(Model, Debug, Clone)]
#[model(table = "ledger")]
pub struct Ledger {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(cascade = "all")]
    pub entries: Vec<Entry>,
}

/// A model with delete hooks: its doomed rows are read, `HOOK_BATCH` at a time, for each hook.
#[derive(Model, Debug, Clone)]
#[model(table = "entry", hooks)]
pub struct Entry {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Ledger)]
    pub ledger_id: i64,
}

impl DeleteHooks for Entry {}

/// Reads of `rows` hooked rows for one hook: a batch of `HOOK_BATCH` rows at a time, until a
/// read returns none.
fn hook_reads(rows: usize) -> usize {
    rows.div_ceil(HOOK_BATCH) + 1
}

/// Entries of a hooked model are read for each of its two hooks in batches of `HOOK_BATCH`:
/// eleven statements fixed by the schema — two key sets made, the root's keys, the entries'
/// keys, the hooked rows' table made and filled, the two deletes, the hooked rows' table and
/// the two key sets emptied — and the reads.
#[test]
fn hooked_rows_are_read_in_batches() {
    const FIXED: usize = 11;
    let (_dir, mut s) = file_session();
    s.create_all::<Ledger>().unwrap();
    for entries in [0, 1, HOOK_BATCH - 1, HOOK_BATCH, HOOK_BATCH + 1, 2_500] {
        s.connection()
            .execute_batch(&format!(
                "INSERT INTO ledger (id) VALUES (1);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {entries})
                   INSERT INTO entry (ledger_id) SELECT 1 FROM n WHERE {entries} > 0;"
            ))
            .unwrap();
        let report = s.delete_by_pk::<Ledger>(1).unwrap();
        assert_eq!(report.count("entry"), entries);
        assert_eq!(
            report.statements(),
            FIXED + 2 * hook_reads(entries),
            "{entries} entries"
        );
    }
}

// --- PostgreSQL: no ranges ------------------------------------------------------------------

/// On PostgreSQL every key set is a CTE of each statement, deleted in one statement whatever
/// its size: the same five statements (the locks; the locks again, with the checks; one
/// delete per table) for 4 rows and 393,220, on both sides of SQLite's thresholds, and for a
/// loop through a composite key at any depth (one recursive query); a hooked model's rows
/// are fetched from two cursors, `HOOK_BATCH` at a time.
#[test]
fn on_postgresql_statements_grow_only_with_hooked_rows() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.create_all::<Parent>().unwrap();
    s.create_all::<Lineup>().unwrap();
    s.create_all::<Ledger>().unwrap();
    let mut first: Option<Vec<String>> = None;
    for children in [1, 1_025, 131_073] {
        s.client()
            .batch_execute(&format!(
                "INSERT INTO parent (id, name) VALUES (1, 'p');
                 INSERT INTO child (parent_id, name) SELECT 1, 'c' FROM generate_series(1, {children});
                 INSERT INTO toy (child_id, name)
                 SELECT child.id, child.id || '-' || i FROM child, generate_series(1, 2) AS i;"
            ))
            .unwrap();
        let (report, events) = traced(|| s.delete_by_pk::<Parent>(1).unwrap());
        assert_eq!(report.total(), 1 + 3 * children);
        assert_eq!(report.statements(), 5, "{children} children: {events:#?}");
        let texts: Vec<String> = events.into_iter().map(|e| e.sql).collect();
        assert_eq!(&texts, first.get_or_insert_with(|| texts.clone()));
    }
    let mut first = None;
    for depth in [0usize, 1, 2, 7, 20] {
        s.client()
            .batch_execute(&format!(
                "INSERT INTO club (id) SELECT i FROM generate_series(1, {depth} + 1) AS i;
                 INSERT INTO athlete (id) SELECT i FROM generate_series(1, {depth}) AS i;
                 INSERT INTO lineup (club_id, athlete_id)
                 SELECT i, i FROM generate_series(1, {depth}) AS i
                 UNION ALL SELECT i + 1, i FROM generate_series(1, {depth}) AS i;"
            ))
            .unwrap();
        let report = s.delete_by_pk::<Club>(1).unwrap();
        assert_eq!(report.count("club"), depth + 1);
        let base = *first.get_or_insert(report.statements());
        assert_eq!(report.statements(), base, "depth {depth}");
    }
    let mut first = None;
    for entries in [0, 1, HOOK_BATCH, HOOK_BATCH + 1, 2_500] {
        s.client()
            .batch_execute(&format!(
                "INSERT INTO ledger (id) VALUES (1);
                 INSERT INTO entry (ledger_id) SELECT 1 FROM generate_series(1, {entries});"
            ))
            .unwrap();
        let report = s.delete_by_pk::<Ledger>(1).unwrap();
        assert_eq!(report.count("entry"), entries);
        let base = *first.get_or_insert(report.statements() - 2 * hook_reads(entries));
        assert_eq!(
            report.statements(),
            base + 2 * hook_reads(entries),
            "{entries} entries"
        );
    }
}

// --- NO ACTION self-references in ranges ---------------------------------------------------

/// A self-referential tree whose key is `NO ACTION` (deleted by the ORM cascade) over
/// `DELETE_CHUNK` doomed rows: a root with 131,072 children (131,073 rows). When it went in
/// ranges of keys, a row in a later range than its parent made the first range's statement fail
/// with "FOREIGN KEY constraint failed" (found by the differential suite with lowered
/// thresholds); now it goes level by level, children first, its widest level in ranges, and
/// a `NO ACTION` self-reference is checked at commit.
#[test]
fn a_no_action_tree_over_delete_chunk_rows_is_deleted() {
    let (_dir, mut s) = file_session();
    s.create_all::<Twig>().unwrap();
    s.connection()
        .execute_batch(
            "BEGIN;
             INSERT INTO twig (id, parent_id) VALUES (1, NULL);
             WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 131073)
               INSERT INTO twig (id, parent_id) SELECT i, 1 FROM n;
             COMMIT;",
        )
        .unwrap();
    let report = s.delete_by_pk::<Twig>(1).unwrap();
    assert_eq!(report.count("twig"), 131_073);
    assert_eq!(count(&mut s, "twig"), 0);
}

/// The same on small data, with lowered thresholds: ten rows in ranges of three keys.
#[test]
fn a_no_action_tree_split_across_key_ranges_is_deleted() {
    let (_dir, mut s) = file_session();
    s.create_all::<Twig>().unwrap();
    s.connection()
        .execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
               INSERT INTO twig (id, parent_id) SELECT i, nullif(i - 1, 0) FROM n;",
        )
        .unwrap();
    let previous = set_range_thresholds(2, 3);
    let result = s.delete_by_pk::<Twig>(1);
    set_range_thresholds(previous.0, previous.1);
    assert_eq!(result.unwrap().count("twig"), 10);
}

/// A tree deleted by the ORM cascade over a `NO ACTION` key (the default).
#[derive(Model, Debug, Clone)]
#[model(table = "twig")]
pub struct Twig {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Twig)]
    pub parent_id: Option<i64>,
    #[relationship(cascade = "all")]
    pub children: Vec<Twig>,
}

/// No relationship at all: a `delete_where` whose roots hold rows and their children, in a
/// table whose `NO ACTION` self-reference the plan does not follow, deleted in ranges of three
/// keys (lowered thresholds): row 4 references row 3, deleted by the first range's statement.
/// Failed with "FOREIGN KEY constraint failed" before such tables were checked at commit.
#[test]
fn a_no_action_self_reference_split_across_key_ranges_is_deleted() {
    let (_dir, mut s) = file_session();
    s.create_all::<Knot>().unwrap();
    s.connection()
        .execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12)
               INSERT INTO knot (id, parent_id) SELECT i, nullif(i - 1, 0) FROM n;
             INSERT INTO knot (id, parent_id) VALUES (13, NULL);",
        )
        .unwrap();
    let previous = set_range_thresholds(2, 3);
    let result = s.delete_where::<Knot>("id <= 12", ());
    set_range_thresholds(previous.0, previous.1);
    assert_eq!(result.unwrap().count("knot"), 12);
    assert_eq!(count(&mut s, "knot"), 1);
}

/// A table that references itself with `NO ACTION` and no relationship.
#[derive(Model, Debug, Clone)]
#[model(table = "knot")]
pub struct Knot {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Knot)]
    pub parent_id: Option<i64>,
}
