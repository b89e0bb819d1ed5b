//! Every statement a cascade runs finds its rows through an index: `EXPLAIN QUERY PLAN` of
//! each shows no full scan of a table of the database (scanning the runtime's own temporary
//! key tables is the point). A regression here would make SQLite read a whole child table for
//! every delete.

mod common;

use cascade_runtime::Session;
use common::*;

/// Full scans of the database's own tables in the query plan of `sql`. The runtime's
/// temporary key tables and recursive queries are meant to be scanned; its SQL names a main
/// table `s` or `a` when it needs an alias.
fn full_scans(s: &Session, sql: &str) -> Vec<String> {
    let tables: Vec<String> = s
        .connection()
        .prepare("SELECT name FROM main.sqlite_master WHERE type = 'table'")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .expect("tables");
    let mut stmt = s
        .connection()
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .expect("explain");
    let mut rows = stmt.raw_query();
    let mut scans = Vec::new();
    while let Some(row) = rows.next().expect("plan row") {
        let detail: String = row.get(3).expect("detail");
        let Some(scanned) = detail.strip_prefix("SCAN ") else {
            continue;
        };
        let name = scanned
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches('"');
        if tables.iter().any(|t| t == name) || name == "s" || name == "a" {
            scans.push(detail);
        }
    }
    scans
}

/// Runs `f` and checks the plan of every statement it ran on the main tables.
fn assert_indexed(s: &mut Session, f: impl FnOnce(&mut Session)) {
    let ((), events) = traced(|| f(s));
    assert!(!events.is_empty());
    let mut checked = 0;
    for e in &events {
        let sql = e.sql.trim_start();
        let writes_only_temp =
            sql.starts_with("CREATE TEMP") || sql.starts_with("DELETE FROM temp.");
        // The caller's own filter over the root table is theirs to index.
        let callers_filter = sql.contains("WHERE (");
        if writes_only_temp || callers_filter || sql.starts_with("PRAGMA") {
            continue;
        }
        let scans = full_scans(s, sql);
        assert!(
            scans.is_empty(),
            "full scan in the plan of\n  {sql}\n{scans:#?}"
        );
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn cascades_through_chains_leaves_and_keys_use_indexes() {
    let (_dir, mut s) = file_session();
    s.create_all::<Parent>().unwrap();
    let mut p = family("p", 3, 4);
    s.insert(&mut p).unwrap();
    assert_indexed(&mut s, |s| {
        s.plan_delete::<Parent>(p.id).unwrap();
        s.delete(&p).unwrap();
    });
}

#[test]
fn detaches_checks_and_blocking_keys_use_indexes() {
    let (_dir, mut s) = file_session();
    s.create_all::<Team>().unwrap();
    let mut team = Team {
        id: 0,
        name: "t".into(),
        members: vec![Member {
            id: 0,
            team_id: None,
            name: "m".into(),
        }],
        badges: vec![Badge { id: 0, team_id: 0 }],
    };
    s.insert(&mut team).unwrap();
    // A delete that succeeds leaves the key tables behind for EXPLAIN (the refused one below
    // rolls its own back).
    s.delete_by_pk::<Team>(-1).unwrap();
    assert_indexed(&mut s, |s| {
        assert!(s.delete(&team).is_err()); // the badge blocks: count and first keys
    });
    s.connection().execute("DELETE FROM badge", []).unwrap();
    assert_indexed(&mut s, |s| {
        s.delete(&team).unwrap(); // the member is detached
    });
}

#[test]
fn many_to_many_trees_and_database_actions_use_indexes() {
    let (_dir, mut s) = file_session();
    s.create_all::<Book>().unwrap();
    let mut book = Book {
        id: 0,
        genres: vec![Genre {
            id: 0,
            name: "g".into(),
        }],
    };
    s.insert(&mut book).unwrap();
    assert_indexed(&mut s, |s| {
        s.delete(&book).unwrap();
    });

    s.create_all::<Node>().unwrap();
    let mut root = Node {
        id: 0,
        parent_id: None,
        label: "r".into(),
        children: vec![Node {
            id: 0,
            parent_id: None,
            label: "c".into(),
            children: vec![],
            parent: None,
        }],
        parent: None,
    };
    s.insert(&mut root).unwrap();
    assert_indexed(&mut s, |s| {
        s.delete(&root).unwrap();
    });

    s.create_all::<Folder>().unwrap();
    let mut folder = Folder {
        id: 0,
        name: "f".into(),
        files: vec![File {
            id: 0,
            folder_id: 0,
        }],
        links: vec![Link {
            id: 0,
            folder_id: None,
        }],
        shares: vec![],
    };
    s.insert(&mut folder).unwrap();
    assert_indexed(&mut s, |s| {
        s.delete(&folder).unwrap();
    });
}

#[test]
fn a_missing_index_is_caught_by_this_check() {
    // The check itself can fail: without the index on child.parent_id, collecting the
    // children scans the table.
    let (_dir, mut s) = file_session();
    s.create_all::<Parent>().unwrap();
    s.connection()
        .execute_batch("DROP INDEX \"ix_child_parent_id\"")
        .unwrap();
    let mut p = family("p", 1, 1);
    s.insert(&mut p).unwrap();
    let ((), events) = traced(|| {
        s.delete(&p).unwrap();
    });
    let scanned = events.iter().any(|e| !full_scans(&s, &e.sql).is_empty());
    assert!(
        scanned,
        "expected a full scan of child once its index is gone"
    );
}
