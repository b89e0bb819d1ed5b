//! The benchmark: cascade's ORM cascade against SQLite's own `ON DELETE CASCADE` and against
//! hand-written set-based SQL, on the same file-backed databases, alternating in one process.
//!
//! Run with `cargo run --release --example bench` (add `-- quick` for a fast smoke run, or
//! `-- <case>` to run the cases whose name contains `<case>`). Every run starts from a fresh copy
//! of a prebuilt template database; the table shows the median time of each approach, its ratio
//! to the native cascade, the statements it ran and its peak resident memory.
//!
//! With `CASCADE_PG_URL` set (a PostgreSQL server's maintenance database, e.g.
//! `postgresql://postgres@127.0.0.1:5432/postgres`), the PostgreSQL cases of
//! [`postgres`] run after SQLite's; `-- postgres` runs only those, `-- sqlite` only SQLite's.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cascade_runtime::rusqlite::Connection;
use cascade_runtime::{Model, Session};

mod postgres;

// --- The blog schema: author -> post -> comment, post <-> tag through post_tag. --------------
// Every foreign key is indexed (create_all does it) and ON DELETE CASCADE for the native run;
// the ORM relationships cascade too (they delete children first, so SQLite's own action finds
// nothing left to do).

#[derive(Model, Debug, Clone)]
pub struct Author {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[relationship(cascade = "all")]
    pub posts: Vec<Post>,
}

#[derive(Model, Debug, Clone)]
pub struct Post {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Author, on_delete = "cascade")]
    pub author_id: i64,
    pub title: String,
    #[relationship(cascade = "all")]
    pub comments: Vec<Comment>,
    #[relationship(secondary = PostTag)]
    pub tags: Vec<Tag>,
}

#[derive(Model, Debug, Clone)]
pub struct Comment {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Post, on_delete = "cascade")]
    pub post_id: i64,
    pub body: String,
}

#[derive(Model, Debug, Clone)]
pub struct Tag {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone)]
pub struct PostTag {
    #[model(primary_key, foreign_key = Post, on_delete = "cascade")]
    pub post_id: i64,
    #[model(primary_key, foreign_key = Tag, on_delete = "cascade")]
    pub tag_id: i64,
}

#[derive(Model, Debug, Clone)]
pub struct Node {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Node, on_delete = "cascade")]
    pub parent_id: Option<i64>,
    #[relationship(cascade = "all")]
    pub children: Vec<Node>,
}

/// One case: a template database and three ways to delete the same rows from it.
struct Case {
    name: String,
    /// Rows the delete removes.
    rows: usize,
    template: PathBuf,
    /// cascade's call.
    orm: fn(&mut Session) -> cascade_runtime::Result<(usize, usize)>,
    /// A call that deletes nothing, run before the timed one: a session's first delete creates
    /// its temporary key tables (a temporary file, about 0.3 ms, once per connection).
    warm: fn(&mut Session) -> cascade_runtime::Result<(usize, usize)>,
    /// SQLite's native cascade: one statement.
    native: &'static str,
    /// The hand-written ways to delete the same rows; the table compares with the fastest.
    hand: Vec<Hand>,
}

/// A hand-written, set-based way to delete what a case deletes, run in one transaction.
struct Hand {
    name: &'static str,
    /// Runs the statements; returns how many it ran.
    run: Box<dyn Fn(&Connection) -> usize>,
}

impl Hand {
    /// A fixed list of statements.
    fn statements(name: &'static str, statements: Vec<String>) -> Hand {
        Hand {
            name,
            run: Box::new(move |conn| {
                for sql in &statements {
                    conn.execute_batch(sql).expect("hand-written statement");
                }
                statements.len()
            }),
        }
    }

    /// The best known ways to delete the subtrees of the nodes matching `roots` (a condition on
    /// `node`): (a) one `DELETE` of a recursive
    /// query, (b) the doomed rows' key set to `NULL`, then one `DELETE`, (c) ids and depths
    /// collected by one recursive query, then one `DELETE` per depth, deepest first — the
    /// depths in a column, or (c') first in the temporary table's key, so that a depth is a
    /// range of it. `UNION`, not `UNION ALL`, in (a) and (b), which only need the ids: rows
    /// whose parents form a loop are allowed by the schema, and `UNION ALL` would never end
    /// on them; (c) needs `UNION ALL` and trusts the data to hold no loop (a root below another
    /// root is found twice: its shallowest depth is kept in (c), both in (c')).
    fn trees(roots: &'static str) -> Vec<Hand> {
        let by_depth = |create: &'static str| -> Box<dyn Fn(&Connection) -> usize> {
            Box::new(move |conn| {
                conn.execute_batch(create).expect("create");
                conn.execute_batch(&format!(
                    "WITH RECURSIVE sub(id, depth) AS (SELECT id, 0 FROM node WHERE {roots} \
                     UNION ALL SELECT n.id, sub.depth + 1 FROM node n JOIN sub \
                     ON n.parent_id = sub.id) \
                     INSERT OR IGNORE INTO doomed (id, depth) SELECT id, depth FROM sub"
                ))
                .expect("collect");
                let deepest: i64 = conn
                    .query_row("SELECT max(depth) FROM doomed", [], |r| r.get(0))
                    .expect("depth");
                let mut delete = conn
                    .prepare(
                        "DELETE FROM node WHERE id IN (SELECT id FROM doomed WHERE depth = ?1)",
                    )
                    .expect("prepare");
                for depth in (0..=deepest).rev() {
                    delete.execute([depth]).expect("delete a level");
                }
                3 + deepest as usize + 1
            })
        };
        vec![
            Hand::statements(
                "(a) recursive DELETE",
                vec![format!(
                    "DELETE FROM node WHERE id IN (WITH RECURSIVE sub(id) AS (SELECT id FROM node \
                     WHERE {roots} UNION SELECT n.id FROM node n JOIN sub ON n.parent_id = sub.id) \
                     SELECT id FROM sub)"
                )],
            ),
            Hand::statements(
                "(b) unlink, delete",
                vec![
                    "CREATE TEMP TABLE doomed (id INTEGER PRIMARY KEY)".into(),
                    format!(
                        "WITH RECURSIVE sub(id) AS (SELECT id FROM node WHERE {roots} UNION \
                         SELECT n.id FROM node n JOIN sub ON n.parent_id = sub.id) \
                         INSERT INTO doomed SELECT id FROM sub"
                    ),
                    "UPDATE node SET parent_id = NULL WHERE id IN (SELECT id FROM doomed)".into(),
                    "DELETE FROM node WHERE id IN (SELECT id FROM doomed)".into(),
                ],
            ),
            Hand {
                name: "(c) per depth",
                run: by_depth("CREATE TEMP TABLE doomed (id INTEGER PRIMARY KEY, depth INTEGER)"),
            },
            Hand {
                name: "(c') per depth, keyed",
                run: by_depth(
                    "CREATE TEMP TABLE doomed (depth INTEGER, id INTEGER, \
                     PRIMARY KEY (depth, id)) WITHOUT ROWID",
                ),
            },
        ]
    }
}

fn blog_template(dir: &Path, name: &str, authors: i64, posts_per_author: i64) -> PathBuf {
    let path = dir.join(format!("{name}-v2.db"));
    if path.exists() {
        return path;
    }
    let mut s = Session::open(&path).expect("template");
    s.create_all::<Author>().expect("schema");
    let posts = authors * posts_per_author;
    // Posts of all authors interleave, and comments land on posts in a scattered order (a
    // multiplicative hash of their id), so one author's rows are spread over the tables as in
    // a database that grew over time.
    s.connection()
        .execute_batch(&format!(
            "BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {authors})
               INSERT INTO author (id, name) SELECT i, 'author ' || i FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
               INSERT INTO tag (id, name) SELECT i, 'tag ' || i FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {posts})
               INSERT INTO post (id, author_id, title) SELECT i, 1 + (i - 1) % {authors}, 'post ' || i FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {posts} * 9)
               INSERT INTO comment (id, post_id, body) SELECT i, 1 + (i * 2654435761) % {posts}, 'comment ' || i FROM n;
             INSERT INTO post_tag (post_id, tag_id) SELECT id, 1 + id % 100 FROM post;
             COMMIT;"
        ))
        .expect("data");
    drop(s);
    path
}

/// A scattered tree: two interleaved trees of `per_level` × 20 nodes in 20 levels (odd ids
/// under root 1, even ids under root 2). Level 1 hangs under the roots; below that, each node
/// hangs under a node of the level above picked by a multiplicative hash, so siblings are
/// scattered through the table.
fn scattered_tree_template(dir: &Path, per_level: i64) -> PathBuf {
    let path = dir.join(format!("tree-scattered-{per_level}-v2.db"));
    if path.exists() {
        return path;
    }
    let mut s = Session::open(&path).expect("template");
    s.create_all::<Node>().expect("schema");
    let (last, width) = (2 + 40 * per_level, 2 * per_level);
    s.connection()
        .execute_batch(&format!(
            "BEGIN;
             INSERT INTO node (id, parent_id) VALUES (1, NULL), (2, NULL);
             WITH RECURSIVE n(i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM n WHERE i < {last}),
               l(i, lvl) AS (SELECT i, (i - 3) / {width} + 1 FROM n)
             INSERT INTO node (id, parent_id)
               SELECT i, CASE WHEN lvl = 1 THEN 2 - i % 2
                 ELSE 3 + (lvl - 2) * {width} + 2 * ((i * 2654435761) % {per_level}) + (i - 3 - (lvl - 2) * {width}) % 2
               END FROM l;
             COMMIT;"
        ))
        .expect("data");
    drop(s);
    path
}

/// A tree in level order, as a category tree that grew level by level: level k holds
/// min(2^k, `widest`) nodes, ids assigned level by level (parents have smaller ids than their
/// children), each level's nodes spread evenly under the level above, in order.
fn level_tree_template(dir: &Path, widest: i64, depth: i64) -> (PathBuf, usize) {
    let path = dir.join(format!("tree-levels-{widest}-{depth}-v1.db"));
    let rows: i64 = (0..=depth).map(|k| (1i64 << k.min(40)).min(widest)).sum();
    if path.exists() {
        return (path, rows as usize);
    }
    let mut s = Session::open(&path).expect("template");
    s.create_all::<Node>().expect("schema");
    let conn = s.connection();
    conn.execute_batch("BEGIN").expect("begin");
    {
        let mut insert = conn
            .prepare("INSERT INTO node (id, parent_id) VALUES (?1, ?2)")
            .expect("prepare");
        insert
            .execute(cascade_runtime::rusqlite::params![1, None::<i64>])
            .expect("root");
        let (mut above_first, mut above_len, mut next) = (1i64, 1i64, 2i64);
        for k in 1..=depth {
            let len = (1i64 << k.min(40)).min(widest);
            for j in 0..len {
                let parent = above_first + j * above_len / len;
                insert
                    .execute(cascade_runtime::rusqlite::params![next + j, parent])
                    .expect("node");
            }
            (above_first, above_len) = (next, len);
            next += len;
        }
    }
    conn.execute_batch("COMMIT").expect("commit");
    drop(s);
    (path, rows as usize)
}

/// The rows in the subtrees of the nodes matching `roots` in a tree database.
fn subtree_rows(db: &Path, roots: &str) -> usize {
    let conn = Connection::open(db).expect("template");
    conn.query_row(
        &format!(
            "WITH RECURSIVE sub(id) AS (SELECT id FROM node WHERE {roots} UNION \
             SELECT n.id FROM node n JOIN sub ON n.parent_id = sub.id) SELECT count(*) FROM sub"
        ),
        [],
        |r| r.get::<_, i64>(0),
    )
    .expect("count") as usize
}

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

#[derive(Default)]
struct Sample {
    times: Vec<Duration>,
    statements: usize,
    peak_kib: u64,
}

impl Sample {
    fn median(&self) -> Duration {
        let mut t = self.times.clone();
        t.sort();
        t[t.len() / 2]
    }
}

fn fresh(template: &Path, work: &Path) -> PathBuf {
    let path = work.join("run.db");
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    std::fs::copy(template, &path).expect("copy the template");
    path
}

fn run_orm(case: &Case, db: &Path, sample: &mut Sample) {
    let mut session = Session::open(db).expect("open");
    assert_eq!((case.warm)(&mut session).expect("warm-up").0, 0);
    reset_peak();
    let start = Instant::now();
    let (rows, statements) = (case.orm)(&mut session).expect("orm cascade");
    sample.times.push(start.elapsed());
    sample.peak_kib = sample.peak_kib.max(peak_kib());
    sample.statements = statements;
    assert_eq!(
        rows, case.rows,
        "{}: cascade deleted another number of rows",
        case.name
    );
}

fn run_native(case: &Case, db: &Path, sample: &mut Sample) {
    let conn = Connection::open(db).expect("open");
    conn.pragma_update(None, "foreign_keys", true)
        .expect("foreign keys");
    warm(&conn);
    reset_peak();
    let start = Instant::now();
    conn.execute_batch(case.native).expect("native cascade");
    sample.times.push(start.elapsed());
    sample.peak_kib = sample.peak_kib.max(peak_kib());
    sample.statements = 1;
    check_gone(&conn, case);
}

fn run_hand(case: &Case, hand: &Hand, db: &Path, sample: &mut Sample) {
    let conn = Connection::open(db).expect("open");
    conn.pragma_update(None, "foreign_keys", true)
        .expect("foreign keys");
    warm(&conn);
    reset_peak();
    let start = Instant::now();
    conn.execute_batch("BEGIN").expect("begin");
    let statements = (hand.run)(&conn);
    conn.execute_batch("COMMIT").expect("commit");
    sample.times.push(start.elapsed());
    sample.peak_kib = sample.peak_kib.max(peak_kib());
    sample.statements = statements + 2;
    check_gone(&conn, case);
}

/// Reads the schema before the timed statements, as cascade's warm-up call does.
fn warm(conn: &Connection) {
    conn.execute_batch("SELECT count(*) FROM sqlite_master")
        .expect("warm-up");
}

/// The native and hand-written runs must delete what cascade deletes.
fn check_gone(conn: &Connection, case: &Case) {
    let template = Connection::open(&case.template).expect("template");
    let deleted = total_rows(&template) - total_rows(conn);
    assert_eq!(
        deleted, case.rows,
        "{}: another number of rows deleted",
        case.name
    );
}

/// Rows in all tables of a database.
fn total_rows(conn: &Connection) -> usize {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .expect("tables");
    tables
        .iter()
        .map(|t| {
            let sql = format!("SELECT count(*) FROM \"{}\"", t.replace('"', "\"\""));
            conn.query_row(&sql, [], |r| r.get::<_, i64>(0))
                .expect("count") as usize
        })
        .sum()
}

fn by_pk<M: Model<Key = i64>>(
    key: i64,
) -> impl Fn(&mut Session) -> cascade_runtime::Result<(usize, usize)> {
    move |s| {
        s.delete_by_pk::<M>(key)
            .map(|r| (r.total(), r.statements()))
    }
}

fn main() {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .init();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "quick");
    let only_pg = args.iter().any(|a| a == "postgres");
    let only_sqlite = args.iter().any(|a| a == "sqlite");
    let filter = args
        .iter()
        .find(|a| !["quick", "postgres", "sqlite"].contains(&a.as_str()))
        .cloned();
    if !only_sqlite {
        match std::env::var("CASCADE_PG_URL") {
            Ok(url) if !url.is_empty() => postgres::run(&url, quick, filter.as_deref()),
            _ if only_pg => panic!("set CASCADE_PG_URL to run the PostgreSQL cases"),
            _ => eprintln!("PostgreSQL cases skipped: set CASCADE_PG_URL to run them"),
        }
    }
    if only_pg {
        return;
    }
    let dir = std::env::temp_dir().join("cascade-bench-templates");
    std::fs::create_dir_all(&dir).expect("template directory");
    let work = tempfile_dir();

    let hand_author: &'static [&'static str] = &[
        "DELETE FROM comment WHERE post_id IN (SELECT id FROM post WHERE author_id = 1)",
        "DELETE FROM post_tag WHERE post_id IN (SELECT id FROM post WHERE author_id = 1)",
        "DELETE FROM post WHERE author_id = 1",
        "DELETE FROM author WHERE id = 1",
    ];
    let mut cases = Vec::new();
    let sizes: &[(i64, &str)] = if quick {
        &[(100, "1.1k")]
    } else {
        &[
            (100, "1.1k"),
            (1_000, "11k"),
            (10_000, "110k"),
            (100_000, "1.1M"),
        ]
    };
    for &(posts, label) in sizes {
        cases.push(Case {
            name: format!("author with {label} rows"),
            rows: 1 + 11 * posts as usize,
            template: blog_template(&dir, &format!("blog-{posts}"), 2, posts),
            orm: |s| by_pk::<Author>(1)(s),
            warm: |s| by_pk::<Author>(-1)(s),
            native: "DELETE FROM author WHERE id = 1",
            hand: vec![Hand::statements(
                "leaves first",
                hand_author.iter().map(|s| s.to_string()).collect(),
            )],
        });
    }
    if !quick {
        cases.push(Case {
            name: "1,000 authors, delete_where".into(),
            rows: 1_000 + 11 * 10_000,
            template: blog_template(&dir, "blog-authors", 2_000, 10),
            orm: |s| s.delete_where::<Author>("id <= ?1", [1_000]).map(|r| (r.total(), r.statements())),
            warm: |s| s.delete_where::<Author>("id <= ?1", [0]).map(|r| (r.total(), r.statements())),
            native: "DELETE FROM author WHERE id <= 1000",
            hand: vec![Hand::statements("leaves first", vec![
                "DELETE FROM comment WHERE post_id IN (SELECT id FROM post WHERE author_id <= 1000)".into(),
                "DELETE FROM post_tag WHERE post_id IN (SELECT id FROM post WHERE author_id <= 1000)".into(),
                "DELETE FROM post WHERE author_id <= 1000".into(),
                "DELETE FROM author WHERE id <= 1000".into(),
            ])],
        });
        for (widest, depth, label) in [(12_000, 20, "100k"), (120_000, 23, "1M")] {
            let (template, rows) = level_tree_template(&dir, widest, depth);
            cases.push(Case {
                name: format!("level-order tree {label}, depth {depth}"),
                rows,
                template,
                orm: |s| by_pk::<Node>(1)(s),
                warm: |s| by_pk::<Node>(-1)(s),
                native: "DELETE FROM node WHERE id = 1",
                hand: Hand::trees("id = 1"),
            });
        }
        // Many roots: 1,000 subtrees at once, 48 of them below others (ids 2,000 to 2,047 are
        // at depth 10, 2,048 to 2,999 at depth 11).
        let (template, _) = level_tree_template(&dir, 12_000, 20);
        cases.push(Case {
            name: "level-order tree 100k, 1,000 subtrees".into(),
            rows: subtree_rows(&template, "id BETWEEN 2000 AND 2999"),
            template,
            orm: |s| {
                s.delete_where::<Node>("id BETWEEN 2000 AND 2999", ())
                    .map(|r| (r.total(), r.statements()))
            },
            warm: |s| by_pk::<Node>(-1)(s),
            native: "DELETE FROM node WHERE id BETWEEN 2000 AND 2999",
            hand: Hand::trees("id BETWEEN 2000 AND 2999"),
        });
        for (per_level, label) in [(5_000, "100k"), (50_000, "1M")] {
            cases.push(Case {
                name: format!("scattered tree {label}, depth 20"),
                rows: 1 + 20 * per_level as usize,
                template: scattered_tree_template(&dir, per_level),
                orm: |s| by_pk::<Node>(1)(s),
                warm: |s| by_pk::<Node>(-1)(s),
                native: "DELETE FROM node WHERE id = 1",
                hand: Hand::trees("id = 1"),
            });
        }
    }
    if let Some(f) = &filter {
        cases.retain(|c| c.name.contains(f.as_str()));
    }

    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>10} {:>8} {:>8} {:>6} {:>6} {:>9} {:>9} {:>9}",
        "case",
        "rows",
        "cascade",
        "native",
        "hand SQL",
        "casc/nat",
        "casc/hand",
        "stmts",
        "hand",
        "peak casc",
        "peak nat",
        "peak hand"
    );
    for case in &cases {
        let runs = if case.rows > 500_000 {
            3
        } else if quick {
            1
        } else {
            5
        };
        let (mut orm, mut native) = (Sample::default(), Sample::default());
        let mut hands: Vec<Sample> = case.hand.iter().map(|_| Sample::default()).collect();
        for _ in 0..runs {
            run_orm(case, &fresh(&case.template, &work), &mut orm);
            run_native(case, &fresh(&case.template, &work), &mut native);
            for (hand, sample) in case.hand.iter().zip(&mut hands) {
                run_hand(case, hand, &fresh(&case.template, &work), sample);
            }
        }
        let (best, hand) = hands
            .iter()
            .enumerate()
            .min_by_key(|(_, sample)| sample.median())
            .expect("a hand-written way");
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let others: Vec<String> = case
            .hand
            .iter()
            .zip(&hands)
            .map(|(h, sample)| format!("{} {:.1}ms", h.name, ms(sample.median())))
            .collect();
        println!(
            "{:<34} {:>10} {:>8.1}ms {:>8.1}ms {:>8.1}ms {:>8.2} {:>9.2} {:>6} {:>6} {:>6}MiB {:>6}MiB {:>6}MiB   (hand: {})",
            case.name,
            case.rows,
            ms(orm.median()),
            ms(native.median()),
            ms(hand.median()),
            ms(orm.median()) / ms(native.median()),
            ms(orm.median()) / ms(hand.median()),
            orm.statements,
            hand.statements,
            orm.peak_kib / 1024,
            native.peak_kib / 1024,
            hand.peak_kib / 1024,
            if case.hand.len() > 1 { others.join(", ") } else { case.hand[best].name.to_owned() },
        );
    }
    if filter.is_none() || filter.as_deref() == Some("insert") {
        writes(&work, if quick { 1 } else { 5 });
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// The posts of the write benchmarks.
const POSTS: usize = 100_000;

/// A new author with `posts` new posts, for `insert`.
fn bulk_author(posts: usize) -> Author {
    Author {
        id: 0,
        name: "bulk".into(),
        posts: (0..posts)
            .map(|i| Post {
                id: 0,
                author_id: 0,
                title: format!("post {i}"),
                comments: vec![],
                tags: vec![],
            })
            .collect(),
    }
}

/// `insert` of an author with 100,000 posts (save-update cascade) against raw prepared
/// inserts in one transaction, and loading them back with `load_all` against a raw query.
fn writes(work: &Path, runs: usize) {
    let author = || bulk_author(POSTS);
    let empty = work.join("empty.db");
    if !empty.exists() {
        Session::open(&empty)
            .and_then(|mut s| s.create_all::<Author>())
            .expect("empty template");
    }
    let (mut orm, mut raw, mut load, mut raw_load) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut load_statements = 0;
    for _ in 0..runs {
        let db = fresh(&empty, work);
        let mut s = Session::open(&db).expect("open");
        let mut a = author();
        let start = Instant::now();
        s.insert(&mut a).expect("insert");
        orm.push(start.elapsed());
        assert!(a.posts.iter().all(|p| p.author_id == a.id && p.id > 0));

        let mut found = vec![Author {
            id: a.id,
            name: String::new(),
            posts: vec![],
        }];
        let start = Instant::now();
        s.load_all(&mut found).expect("load");
        load.push(start.elapsed());
        assert_eq!(found[0].posts.len(), POSTS);
        load_statements = 1; // one query per relationship: posts (comments and tags are not loaded one level down)
        drop(s);

        let db = fresh(&empty, work);
        let conn = Connection::open(&db).expect("open");
        conn.pragma_update(None, "foreign_keys", true)
            .expect("foreign keys");
        let a = author();
        let start = Instant::now();
        let tx = conn.unchecked_transaction().expect("begin");
        tx.execute("INSERT INTO author (name) VALUES (?1)", [&a.name])
            .expect("author");
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare("INSERT INTO post (author_id, title) VALUES (?1, ?2)")
                .expect("prepare");
            for p in &a.posts {
                insert
                    .execute(cascade_runtime::rusqlite::params![id, p.title])
                    .expect("post");
            }
        }
        tx.commit().expect("commit");
        raw.push(start.elapsed());

        let start = Instant::now();
        let mut query = conn
            .prepare("SELECT id, author_id, title FROM post WHERE author_id = ?1 ORDER BY id")
            .expect("prepare");
        let posts: Vec<Post> = query
            .query_map([id], |r| {
                Ok(Post {
                    id: r.get(0)?,
                    author_id: r.get(1)?,
                    title: r.get(2)?,
                    comments: vec![],
                    tags: vec![],
                })
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        raw_load.push(start.elapsed());
        assert_eq!(posts.len(), POSTS);
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64() * 1000.0
    };
    let (orm, raw, load, raw_load) = (median(orm), median(raw), median(load), median(raw_load));
    println!();
    println!(
        "{:<40} {:>10} {:>10} {:>8}",
        "write / load", "cascade", "raw", "ratio"
    );
    println!(
        "{:<40} {:>8.1}ms {:>8.1}ms {:>8.2}",
        "insert author + 100k posts (save-update)",
        orm,
        raw,
        orm / raw
    );
    println!(
        "{:<40} {:>8.1}ms {:>8.1}ms {:>8.2}   ({} query for the relationship)",
        "load_all of those 100k posts",
        load,
        raw_load,
        load / raw_load,
        load_statements
    );
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cascade-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("work directory");
    dir
}
