//! A cascade runs a number of statements that depends on the schema, never on the rows:
//! the same for 10 rows as for 100,000, counted both by the report and by the `tracing`
//! events every statement emits.

mod common;

use cascade_runtime::Session;
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

#[test]
fn ten_rows_and_a_hundred_thousand_rows_take_the_same_statements() {
    let (_dir, mut s) = file_session();
    s.create_all::<Parent>().unwrap();
    let small = seed(&s, "small", 3, 6); // 10 rows
    let large = seed(&s, "large", 1_000, 98_999); // 100,000 rows

    let ((small_report, large_report), events) = traced(|| {
        let a = s.delete_by_pk::<Parent>(small).unwrap();
        let b = s.delete_by_pk::<Parent>(large).unwrap();
        (a, b)
    });
    assert_eq!(small_report.total(), 10);
    assert_eq!(large_report.total(), 100_000);
    assert_eq!(large_report.count("toy"), 98_999);
    assert_eq!(small_report.statements(), large_report.statements());

    assert_eq!(
        events.len(),
        small_report.statements() + large_report.statements()
    );
    let (first, second) = events.split_at(small_report.statements());
    let sql = |evs: &[Traced]| evs.iter().map(|e| e.sql.clone()).collect::<Vec<_>>();
    assert_eq!(
        sql(first),
        sql(second),
        "the very same statements, whatever the row count"
    );
    // The traced row counts add up to what was deleted.
    let deleted: u64 = second
        .iter()
        .filter(|e| e.sql.starts_with("DELETE FROM \""))
        .map(|e| e.rows)
        .sum();
    assert_eq!(deleted, 100_000);
    assert_eq!(count(&mut s, "toy"), 0);
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

#[test]
fn detaching_many_rows_goes_in_bounded_ranges_of_parent_keys() {
    let (_dir, mut s) = file_session();
    s.create_all::<Team>().unwrap();
    // 3,000 teams of 100 members each; deleting the teams sets 300,000 keys to NULL.
    s.connection()
        .execute_batch(
            "BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
               INSERT INTO team (id, name) SELECT i, 'team ' || i FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
               INSERT INTO member (id, team_id, name) SELECT i, 1 + i % 3000, 'm' FROM n;
             COMMIT;",
        )
        .unwrap();
    let (report, events) = traced(|| s.delete_where::<Team>("1 = 1", ()).unwrap());
    assert_eq!(
        (report.count("team"), report.nulled("member")),
        (3_000, 300_000)
    );
    assert_eq!(count_where(&mut s, "member", "team_id IS NULL"), 300_000);
    let updates: Vec<&Traced> = events
        .iter()
        .filter(|e| e.sql.starts_with("UPDATE"))
        .collect();
    assert!(updates.len() > 2, "several ranges: {updates:#?}");
    assert!(updates.iter().all(|e| e.rows <= 131_072), "{updates:#?}");
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
