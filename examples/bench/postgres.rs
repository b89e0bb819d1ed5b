//! The PostgreSQL half of the benchmark: the same blog schema and deletes on a server, cascade's
//! ORM cascade against PostgreSQL's own `ON DELETE CASCADE` and against the best hand-written
//! set-based SQL, plus writes and loads against the raw `postgres` crate.
//!
//! Each data set is built once as a template database (`cascade_bench_*`); every run deletes
//! from a fresh copy of it (`CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY`), whose tables
//! are read once before the timed part so that all three approaches start from the same cache.

use std::time::{Duration, Instant};

use cascade_runtime::postgres::{Client, NoTls};
use cascade_runtime::{PgSession, Session};

use super::{bulk_author, peak_kib, reset_peak, Author, Post, POSTS};

/// Bumped when the templates' data changes, so stale templates are rebuilt.
const VERSION: u32 = 1;

/// How one author's rows lie in the tables.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// Each author's posts, and each post's comments, have consecutive ids.
    InOrder,
    /// Posts of all authors interleave, comments land on posts by a multiplicative hash.
    Scattered,
}

/// One approach's measurements over the runs of a case.
#[derive(Default)]
struct Sample {
    times: Vec<Duration>,
    statements: usize,
    round_trips: usize,
    peak_kib: u64,
}

impl Sample {
    fn median(&self) -> f64 {
        let mut t = self.times.clone();
        t.sort();
        t[t.len() / 2].as_secs_f64() * 1000.0
    }

    fn record(&mut self, start: Instant, statements: usize, round_trips: usize) {
        self.times.push(start.elapsed());
        self.statements = statements;
        self.round_trips = round_trips;
        self.peak_kib = self.peak_kib.max(peak_kib());
    }
}

/// A hand-written way to delete what a case deletes: statements sent as one batch, inside
/// one transaction.
struct Hand {
    name: &'static str,
    statements: Vec<String>,
}

/// The server: the URL of the maintenance database, and URLs of the others.
struct Server {
    url: String,
}

impl Server {
    fn admin(&self) -> Client {
        Client::connect(&self.url, NoTls)
            .unwrap_or_else(|e| panic!("PostgreSQL at {} does not answer: {e}", self.url))
    }

    /// The URL of database `name` on the same server.
    fn url_of(&self, name: &str) -> String {
        match self.url.rfind('/') {
            Some(slash) if self.url.contains("://") => {
                let (base, rest) = self.url.split_at(slash + 1);
                let query = rest.find('?').map(|q| &rest[q..]).unwrap_or("");
                format!("{base}{name}{query}")
            }
            _ => format!("{} dbname={name}", self.url),
        }
    }

    fn exists(&self, name: &str) -> bool {
        self.admin()
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .expect("pg_database")
            .is_some()
    }

    /// A fresh copy of `template` named `cascade_bench_run`.
    fn fresh(&self, template: &str) -> String {
        let mut admin = self.admin();
        admin
            .batch_execute("DROP DATABASE IF EXISTS cascade_bench_run WITH (FORCE)")
            .expect("drop the last run");
        admin
            .batch_execute(&format!(
                "CREATE DATABASE cascade_bench_run TEMPLATE {template} STRATEGY FILE_COPY"
            ))
            .expect("copy the template");
        let url = self.url_of("cascade_bench_run");
        let mut client = Client::connect(&url, NoTls).expect("connect to the copy");
        client
            .batch_execute(
                "SELECT count(*) FROM author; SELECT count(*) FROM post; \
                 SELECT count(*) FROM comment; SELECT count(*) FROM post_tag; \
                 SELECT count(*) FROM tag",
            )
            .expect("read the copy once");
        url
    }

    /// The template database of a blog with `authors` authors of `posts` posts each.
    fn blog(&self, layout: Layout, authors: i64, posts: i64) -> String {
        let name = format!(
            "cascade_bench_v{VERSION}_blog_{}_{authors}x{posts}",
            match layout {
                Layout::InOrder => "inorder",
                Layout::Scattered => "scattered",
            }
        );
        if self.exists(&name) {
            return name;
        }
        eprintln!("building the template {name} (once)");
        // Built under another name and renamed when complete: an interrupted build is not
        // mistaken for a template.
        let building = format!("{name}_building");
        let mut admin = self.admin();
        for sql in [
            format!("DROP DATABASE IF EXISTS {building}"),
            format!("CREATE DATABASE {building}"),
        ] {
            admin.batch_execute(&sql).expect("create the template");
        }
        let mut s = PgSession::connect(&self.url_of(&building)).expect("connect to the template");
        s.create_all::<Author>().expect("schema");
        let all = authors * posts;
        let (post_author, comment_post) = match layout {
            Layout::InOrder => (
                format!("1 + (i - 1) / {posts}"),
                "1 + (i - 1) / 9".to_owned(),
            ),
            Layout::Scattered => (
                format!("1 + (i - 1) % {authors}"),
                format!("1 + (i * 2654435761) % {all}"),
            ),
        };
        s.client()
            .batch_execute(&format!(
                "BEGIN;
                 INSERT INTO author (id, name) OVERRIDING SYSTEM VALUE
                   SELECT i, 'author ' || i FROM generate_series(1, {authors}) i;
                 INSERT INTO tag (id, name) OVERRIDING SYSTEM VALUE
                   SELECT i, 'tag ' || i FROM generate_series(1, 100) i;
                 INSERT INTO post (id, author_id, title) OVERRIDING SYSTEM VALUE
                   SELECT i, {post_author}, 'post ' || i FROM generate_series(1, {all}) i;
                 INSERT INTO comment (id, post_id, body) OVERRIDING SYSTEM VALUE
                   SELECT i, {comment_post}, 'comment ' || i FROM generate_series(1, {all} * 9) i;
                 INSERT INTO post_tag (post_id, tag_id) SELECT id, 1 + id % 100 FROM post;
                 COMMIT;"
            ))
            .expect("data");
        s.client().batch_execute("VACUUM ANALYZE").expect("vacuum");
        drop(s);
        self.admin()
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .expect("rename the template");
        name
    }
}

/// One delete, three ways.
struct Case {
    name: String,
    rows: usize,
    template: String,
    orm: fn(&mut PgSession) -> cascade_runtime::Result<cascade_runtime::DeleteReport>,
    native: &'static str,
    hand: Vec<Hand>,
}

fn hand_blog(authors: &str) -> Vec<Hand> {
    let posts = format!("SELECT id FROM post WHERE author_id {authors}");
    vec![
        Hand {
            name: "leaves first",
            statements: vec![
                format!("DELETE FROM comment WHERE post_id IN ({posts})"),
                format!("DELETE FROM post_tag WHERE post_id IN ({posts})"),
                format!("DELETE FROM post WHERE author_id {authors}"),
                format!("DELETE FROM author WHERE id {authors}"),
            ],
        },
        Hand {
            name: "one statement",
            statements: vec![format!(
                "WITH p AS (DELETE FROM post WHERE author_id {authors} RETURNING id), \
                 c AS (DELETE FROM comment WHERE post_id IN (SELECT id FROM p)), \
                 t AS (DELETE FROM post_tag WHERE post_id IN (SELECT id FROM p)) \
                 DELETE FROM author WHERE id {authors}"
            )],
        },
    ]
}

/// Rows in the blog's tables.
fn total_rows(client: &mut Client) -> usize {
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM author) + (SELECT count(*) FROM post) \
             + (SELECT count(*) FROM comment) + (SELECT count(*) FROM post_tag) \
             + (SELECT count(*) FROM tag)",
            &[],
        )
        .expect("count");
    row.get::<_, i64>(0) as usize
}

fn run_orm(server: &Server, case: &Case, sample: &mut Sample) {
    let url = server.fresh(&case.template);
    let mut s = PgSession::connect(&url).expect("connect");
    s.count::<Author>().expect("warm-up");
    reset_peak();
    let start = Instant::now();
    let report = (case.orm)(&mut s).expect("cascade");
    sample.record(start, report.statements(), report.round_trips());
    assert_eq!(report.total(), case.rows, "{}: cascade's count", case.name);
}

fn run_native(server: &Server, case: &Case, sample: &mut Sample) {
    let url = server.fresh(&case.template);
    let mut client = Client::connect(&url, NoTls).expect("connect");
    let before = total_rows(&mut client);
    reset_peak();
    let start = Instant::now();
    client.batch_execute(case.native).expect("native cascade");
    sample.record(start, 1, 1);
    let deleted = before - total_rows(&mut client);
    assert_eq!(deleted, case.rows, "{}: native deleted", case.name);
}

fn run_hand(server: &Server, case: &Case, hand: &Hand, sample: &mut Sample) {
    let url = server.fresh(&case.template);
    let mut client = Client::connect(&url, NoTls).expect("connect");
    let before = total_rows(&mut client);
    let batch = format!("BEGIN; {}; COMMIT", hand.statements.join("; "));
    reset_peak();
    let start = Instant::now();
    client.batch_execute(&batch).expect("hand-written SQL");
    sample.record(start, hand.statements.len() + 2, 1);
    let deleted = before - total_rows(&mut client);
    assert_eq!(deleted, case.rows, "{}: {} deleted", case.name, hand.name);
}

/// Runs the PostgreSQL cases whose name contains `filter` (all without one).
pub fn run(url: &str, quick: bool, filter: Option<&str>) {
    let server = Server {
        url: url.to_owned(),
    };
    let mut cases = Vec::new();
    let sizes: &[(i64, &str)] = if quick {
        &[(1_000, "11k")]
    } else {
        &[(10_000, "110k"), (100_000, "1.1M")]
    };
    for layout in [Layout::InOrder, Layout::Scattered] {
        let label = match layout {
            Layout::InOrder => "in order",
            Layout::Scattered => "scattered",
        };
        for &(posts, size) in sizes {
            cases.push(Case {
                name: format!("author, {size} rows, {label}"),
                rows: 1 + 11 * posts as usize,
                template: server.blog(layout, 2, posts),
                orm: |s| s.delete_by_pk::<Author>(1),
                native: "DELETE FROM author WHERE id = 1",
                hand: hand_blog("= 1"),
            });
        }
    }
    if !quick {
        cases.push(Case {
            name: "1,000 authors, delete_where".into(),
            rows: 1_000 + 11 * 10_000,
            template: server.blog(Layout::Scattered, 2_000, 10),
            orm: |s| s.delete_where::<Author>("id <= $1", [1_000]),
            native: "DELETE FROM author WHERE id <= 1000",
            hand: hand_blog("<= 1000"),
        });
    }
    if let Some(f) = filter {
        cases.retain(|c| c.name.contains(f));
    }
    if !cases.is_empty() {
        println!();
        println!(
            "{:<32} {:>9} {:>10} {:>10} {:>10} {:>8} {:>9} {:>11} {:>10} {:>9} {:>9}",
            "PostgreSQL case",
            "rows",
            "cascade",
            "native",
            "hand SQL",
            "casc/nat",
            "casc/hand",
            "stmts/trips",
            "peak casc",
            "peak nat",
            "peak hand"
        );
    }
    for case in &cases {
        let runs = match (quick, case.rows > 500_000) {
            (true, _) => 1,
            (false, true) => 3,
            (false, false) => 5,
        };
        let mut orm = Sample::default();
        let mut native = Sample::default();
        let mut hands: Vec<Sample> = case.hand.iter().map(|_| Sample::default()).collect();
        for _ in 0..runs {
            run_orm(&server, case, &mut orm);
            run_native(&server, case, &mut native);
            for (hand, sample) in case.hand.iter().zip(&mut hands) {
                run_hand(&server, case, hand, sample);
            }
        }
        let (best, hand) = hands
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.median().total_cmp(&b.1.median()))
            .expect("a hand-written way");
        println!(
            "{:<32} {:>9} {:>8.1}ms {:>8.1}ms {:>8.1}ms {:>8.2} {:>9.2} {:>5}/{:<5} {:>6}MiB {:>6}MiB {:>6}MiB   (hand: {})",
            case.name,
            case.rows,
            orm.median(),
            native.median(),
            hand.median(),
            orm.median() / native.median(),
            orm.median() / hand.median(),
            orm.statements,
            orm.round_trips,
            orm.peak_kib / 1024,
            native.peak_kib / 1024,
            hand.peak_kib / 1024,
            case.hand[best].name,
        );
    }
    if filter.is_none() || filter == Some("insert") {
        writes(&server, if quick { 1 } else { 5 });
    }
    let _ = server
        .admin()
        .batch_execute("DROP DATABASE IF EXISTS cascade_bench_run WITH (FORCE)");
}

/// Inserts an author by hand, returning its key.
fn raw_author(tx: &mut cascade_runtime::postgres::Transaction<'_>, name: &str) -> i64 {
    tx.query_one(
        "INSERT INTO author (name) VALUES ($1) RETURNING id",
        &[&name],
    )
    .expect("author")
    .get(0)
}

/// `insert` of an author with 100,000 posts and `load_all` of them, against the raw
/// `postgres` crate: prepared inserts in one transaction, and one query.
fn writes(server: &Server, runs: usize) {
    let author = || bulk_author(POSTS);
    let empty = server.blog(Layout::InOrder, 0, 0);
    let (mut orm, mut raw, mut raw_array, mut load, mut raw_load) = (
        Sample::default(),
        Sample::default(),
        Sample::default(),
        Sample::default(),
        Sample::default(),
    );
    for _ in 0..runs {
        let mut s: Session<cascade_runtime::Postgres> =
            PgSession::connect(&server.fresh(&empty)).expect("connect");
        s.count::<Author>().expect("warm-up");
        let mut a = author();
        reset_peak();
        let start = Instant::now();
        s.insert(&mut a).expect("insert");
        orm.record(start, 0, 0);
        assert!(a.posts.iter().all(|p| p.author_id == a.id && p.id > 0));
        let mut found = vec![Author {
            id: a.id,
            name: String::new(),
            posts: vec![],
        }];
        // Both loads read rows that were read once already: the first read of new rows sets
        // their hint bits (a write to every page), which depends on when autovacuum passed.
        s.client()
            .batch_execute("SELECT count(*) FROM post")
            .expect("touch");
        let start = Instant::now();
        s.load_all(&mut found).expect("load");
        load.record(start, 1, 1);
        assert_eq!(found[0].posts.len(), POSTS);
        drop(s);

        let mut client = Client::connect(&server.fresh(&empty), NoTls).expect("connect");
        let a = author();
        let start = Instant::now();
        let mut tx = client.transaction().expect("begin");
        let id = raw_author(&mut tx, &a.name);
        let insert = tx
            .prepare("INSERT INTO post (author_id, title) VALUES ($1, $2) RETURNING id")
            .expect("prepare");
        let mut ids = Vec::with_capacity(POSTS);
        for p in &a.posts {
            ids.push(
                tx.query_one(&insert, &[&id, &p.title])
                    .expect("post")
                    .get::<_, i64>(0),
            );
        }
        tx.commit().expect("commit");
        raw.record(start, 0, 0);
        assert_eq!(ids.len(), POSTS);

        client
            .batch_execute("SELECT count(*) FROM post")
            .expect("touch");
        let start = Instant::now();
        let posts: Vec<Post> = client
            .query(
                "SELECT id, author_id, title FROM post WHERE author_id = $1 ORDER BY id",
                &[&id],
            )
            .expect("query")
            .iter()
            .map(|r| Post {
                id: r.get(0),
                author_id: r.get(1),
                title: r.get(2),
                comments: vec![],
                tags: vec![],
            })
            .collect();
        raw_load.record(start, 1, 1);
        assert_eq!(posts.len(), POSTS);

        // The fastest raw way: the titles as one array, keys returned.
        let mut other = Client::connect(&server.fresh(&empty), NoTls).expect("connect");
        let start = Instant::now();
        let mut tx = other.transaction().expect("begin");
        let id = raw_author(&mut tx, &a.name);
        let titles: Vec<&str> = a.posts.iter().map(|p| p.title.as_str()).collect();
        let keys = tx
            .query(
                "INSERT INTO post (author_id, title) SELECT $1, t FROM unnest($2::text[]) AS t \
                 RETURNING id",
                &[&id, &titles],
            )
            .expect("posts");
        tx.commit().expect("commit");
        raw_array.record(start, 0, 0);
        assert_eq!(keys.len(), POSTS);
    }
    println!();
    println!(
        "{:<44} {:>10} {:>12} {:>8}",
        "PostgreSQL write / load", "cascade", "raw postgres", "ratio"
    );
    println!(
        "{:<44} {:>8.1}ms {:>10.1}ms {:>8.2}   (raw: a prepared INSERT per row)",
        "insert author + 100k posts (save-update)",
        orm.median(),
        raw.median(),
        orm.median() / raw.median()
    );
    println!(
        "{:<44} {:>8.1}ms {:>10.1}ms {:>8.2}   (raw: one INSERT of an array)",
        "",
        orm.median(),
        raw_array.median(),
        orm.median() / raw_array.median()
    );
    println!(
        "{:<44} {:>8.1}ms {:>10.1}ms {:>8.2}",
        "load_all of those 100k posts",
        load.median(),
        raw_load.median(),
        load.median() / raw_load.median()
    );
}
