//! Self-referential trees under every action of their foreign key: what goes is exactly the
//! subtrees of the deleted rows (computed here from the rows, independently of the runtime),
//! with roots below other roots and loops of parents through a root; on SQLite, wide trees go
//! level by level (a `DELETE` per level, deepest first) and deep narrow ones as a whole.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use cascade_runtime::{Backend, Model, Result, Session};
use common::*;

/// `CASCADE` in the database, the ORM's cascade above it.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct CascadeNode {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = CascadeNode, on_delete = "cascade")]
    pub parent_id: Option<i64>,
    #[relationship(cascade = "all")]
    pub children: Vec<CascadeNode>,
}

/// `SET NULL` in the database, the ORM's cascade above it.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct NullNode {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = NullNode, on_delete = "set null")]
    pub parent_id: Option<i64>,
    #[relationship(cascade = "all")]
    pub children: Vec<NullNode>,
}

/// `NO ACTION`, nullable.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct PlainNode {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = PlainNode)]
    pub parent_id: Option<i64>,
    #[relationship(cascade = "all")]
    pub children: Vec<PlainNode>,
}

/// `RESTRICT` (checked row by row), nullable.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct StrictNode {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = StrictNode, on_delete = "restrict")]
    pub parent_id: Option<i64>,
    #[relationship(cascade = "all")]
    pub children: Vec<StrictNode>,
}

/// `NO ACTION`, `NOT NULL`: a tree's top row references itself.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct RingNode {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = RingNode)]
    pub parent_id: i64,
    #[relationship(cascade = "all")]
    pub children: Vec<RingNode>,
}

/// `CASCADE`, `NOT NULL`.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct TightNode {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = TightNode, on_delete = "cascade")]
    pub parent_id: i64,
    #[relationship(cascade = "all")]
    pub children: Vec<TightNode>,
}

/// Every row's parent (`None` for a top row).
fn parents(s: &mut impl Db, table: &str) -> BTreeMap<i64, Option<i64>> {
    s.sql_strings(&format!(
        "SELECT CAST(id AS TEXT) || ':' || CAST(coalesce(parent_id, -1) AS TEXT) FROM {table}"
    ))
    .into_iter()
    .map(|row| {
        let (id, parent) = row.split_once(':').expect("id:parent");
        let parent: i64 = parent.parse().expect("parent");
        (id.parse().expect("id"), (parent >= 0).then_some(parent))
    })
    .collect()
}

/// The rows below `roots` (and the roots), following children from the rows themselves.
fn subtrees(rows: &BTreeMap<i64, Option<i64>>, roots: &[i64]) -> BTreeSet<i64> {
    let mut children: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (&id, &parent) in rows {
        if let Some(p) = parent {
            children.entry(p).or_default().push(id);
        }
    }
    let mut seen: BTreeSet<i64> = BTreeSet::new();
    let mut todo: Vec<i64> = roots
        .iter()
        .copied()
        .filter(|r| rows.contains_key(r))
        .collect();
    while let Some(id) = todo.pop() {
        if seen.insert(id) {
            todo.extend(children.get(&id).into_iter().flatten().copied());
        }
    }
    seen
}

/// Rows `first..=last`, each under the row `parent` gives it (an SQL expression of `i`), in
/// one statement.
fn insert_rows(s: &mut impl Db, table: &str, first: i64, last: i64, parent: &str) {
    s.sql_execute(
        &format!(
            "INSERT INTO {table} (id, parent_id) SELECT i, {parent} FROM \
             (WITH RECURSIVE n(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM n WHERE i < {last}) \
              SELECT i FROM n) AS n ORDER BY i"
        ),
        &[],
    );
}

/// The forest every scenario deletes from: a wide tree under 1 (ids level by level: 1,000
/// rows, each under `i / 3`), a tree under 2,000 whose rows hang under scattered earlier rows
/// (1,000 rows), a survivor tree under 5,000, a loop of parents 6,000 ⇄ 6,001 with a child,
/// and a deep tree under 7,000 (100 levels of 20 rows). `top` is what a top row references:
/// `NULL`, or itself where the key is `NOT NULL`.
fn forest(s: &mut impl Db, table: &str, top: &str) {
    let top = |id: i64| top.replace("i", &id.to_string());
    insert_rows(s, table, 1, 1, &top(1));
    insert_rows(s, table, 2, 1_000, "(i + 1) / 3");
    insert_rows(s, table, 2_000, 2_000, &top(2_000));
    insert_rows(s, table, 2_001, 3_000, "2000 + (i * 7919) % (i - 2000)");
    insert_rows(s, table, 5_000, 5_000, &top(5_000));
    insert_rows(s, table, 5_001, 5_100, "5000 + (i - 5001) / 3");
    // The loop: 6,000 first under itself, then under 6,001 (foreign keys checked throughout).
    insert_rows(s, table, 6_000, 6_000, "6000");
    insert_rows(s, table, 6_001, 6_001, "6000");
    insert_rows(s, table, 6_002, 6_002, "6001");
    s.sql_execute(
        &format!("UPDATE {table} SET parent_id = 6001 WHERE id = 6000"),
        &[],
    );
    insert_rows(s, table, 7_000, 7_000, &top(7_000));
    insert_rows(
        s,
        table,
        7_001,
        9_000,
        "CASE WHEN i <= 7020 THEN 7000 ELSE i - 20 END",
    );
}

/// Deletes `roots` of the forest of `M` with one `delete_where`, and checks that exactly
/// their subtrees went, as counted in the report. On SQLite, returns the number of level
/// deletes it ran.
fn delete_subtrees<M, B>(s: &mut Session<B>, top: &str, roots: &[i64]) -> Result<usize>
where
    M: Model,
    B: Backend,
    Session<B>: Db,
{
    s.create_all::<M>()?;
    let table = M::meta().table;
    forest(s, table, top);
    let before = parents(s, table);
    let doomed = subtrees(&before, roots);
    let list: Vec<String> = roots.iter().map(|r| r.to_string()).collect();
    let clause = format!("id IN ({})", list.join(", "));
    let (report, events) = traced(|| s.delete_where::<M>(&clause, ()));
    let report = report?;
    assert_eq!(report.count(table), doomed.len(), "{table}: the report");
    let after = parents(s, table);
    let expected: BTreeSet<i64> = before
        .keys()
        .filter(|k| !doomed.contains(k))
        .copied()
        .collect();
    assert_eq!(
        after.keys().copied().collect::<BTreeSet<_>>(),
        expected,
        "{table}: exactly the subtrees of {roots:?} go"
    );
    for (id, parent) in &after {
        assert_eq!(
            Some(parent),
            before.get(id),
            "{table}: survivors keep their parent"
        );
    }
    Ok(level_deletes(&events).len())
}

/// The statements that deleted one level of a tree (or a range of one).
fn level_deletes(events: &[Traced]) -> Vec<&Traced> {
    events
        .iter()
        .filter(|e| e.sql.starts_with("DELETE FROM") && !e.sql.starts_with("DELETE FROM temp."))
        .filter(|e| e.sql.contains("cascade_levels_"))
        .collect()
}

/// Each forest's deletes: the wide tree with a root below it (4) and one below that (40), the
/// scattered tree, the loop, and the deep tree's top.
const ROOTS: &[i64] = &[1, 4, 40, 2_000, 6_000, 7_000];

/// A forest's delete on one kind of tree: the number of level deletes it ran.
type Scenario<B> = fn(&mut Session<B>) -> Result<usize>;

fn every_action<B: Backend>(s: &mut Session<B>) -> Result<()>
where
    Session<B>: Db,
{
    let tables: [(Scenario<B>, &str); 6] = [
        (
            |s| delete_subtrees::<CascadeNode, B>(s, "NULL", ROOTS),
            "cascade",
        ),
        (
            |s| delete_subtrees::<NullNode, B>(s, "NULL", ROOTS),
            "set null",
        ),
        (
            |s| delete_subtrees::<PlainNode, B>(s, "NULL", ROOTS),
            "no action",
        ),
        (
            |s| delete_subtrees::<StrictNode, B>(s, "NULL", ROOTS),
            "restrict",
        ),
        (
            |s| delete_subtrees::<RingNode, B>(s, "i", ROOTS),
            "no action, not null",
        ),
        (
            |s| delete_subtrees::<TightNode, B>(s, "i", ROOTS),
            "cascade, not null",
        ),
    ];
    for (run, action) in tables {
        let levels = run(s)?;
        if !s.is_postgres() {
            // Levels 0..=6 of the wide trees, 0..=100 of the deep one, deleted together.
            assert_eq!(levels, 101, "{action}: a delete per level, deepest first");
        }
    }
    Ok(())
}

#[test]
fn subtrees_go_under_every_action_with_roots_below_roots_and_loops() {
    on_all!(|s| { every_action(s) });
}

#[test]
fn a_deep_narrow_tree_goes_as_a_whole() {
    on_all!(|s| {
        s.create_all::<CascadeNode>()?;
        // 300 levels of 2 rows: fewer than 16 rows per level.
        insert_rows(s, "cascade_node", 1, 1, "NULL");
        insert_rows(
            s,
            "cascade_node",
            2,
            600,
            "CASE WHEN i <= 3 THEN 1 ELSE i - 2 END",
        );
        let (report, events) = traced(|| s.delete_by_pk::<CascadeNode>(1));
        assert_eq!(report?.count("cascade_node"), 600);
        assert_eq!(count(s, "cascade_node"), 0);
        assert_eq!(
            level_deletes(&events).len(),
            0,
            "no level is deleted by itself"
        );
        Ok(())
    });
}

/// A level larger than the 131,072 keys SQLite deletes in one statement goes in ranges of
/// its keys, in key order; the tree goes whole all the same.
#[test]
fn a_level_wider_than_a_delete_goes_in_ranges() {
    let (_dir, mut s) = file_session();
    s.create_all::<CascadeNode>().unwrap();
    insert_rows(&mut s, "cascade_node", 1, 1, "NULL");
    insert_rows(&mut s, "cascade_node", 2, 140_001, "1");
    insert_rows(&mut s, "cascade_node", 140_002, 140_101, "i - 100");
    insert_rows(&mut s, "cascade_node", 200_000, 200_000, "NULL");
    let (report, events) = traced(|| s.delete_by_pk::<CascadeNode>(1));
    assert_eq!(report.unwrap().count("cascade_node"), 140_101);
    assert_eq!(count(&mut s, "cascade_node"), 1);
    let rows: Vec<u64> = level_deletes(&events).iter().map(|e| e.rows).collect();
    // Level 2 (100 rows), level 1 in two ranges (131,072 and 8,928), level 0.
    assert_eq!(rows, [100, 131_072, 8_928, 1]);
}

/// A delete that defers foreign-key checks (here for a `NO ACTION` self-reference) defers
/// them for itself only: in the caller's transaction, a statement after it that breaks a
/// foreign key fails at once, as it would have without the delete — not at commit.
#[test]
fn checks_deferred_by_a_delete_end_with_it() {
    let (_dir, mut s) = file_session();
    s.create_all::<PlainNode>().unwrap();
    insert_rows(&mut s, "plain_node", 1, 1, "NULL");
    insert_rows(&mut s, "plain_node", 2, 50, "(i + 1) / 3");
    let outcome: Result<()> = s.transaction(|s| {
        assert!(s.delete_by_pk::<PlainNode>(4)?.count("plain_node") > 1);
        let orphan = s.connection().execute(
            "INSERT INTO plain_node (id, parent_id) VALUES (999, 12345)",
            [],
        );
        let error = orphan.expect_err("a row under a missing parent, refused at once");
        assert!(error.to_string().contains("FOREIGN KEY"), "{error}");
        Ok(())
    });
    outcome.unwrap();
    assert_eq!(count_where(&mut s, "plain_node", "id = 999"), 0);
}
