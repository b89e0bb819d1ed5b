//! A huge cascade in bounded chunks with a progress bar: 2,000 authors with 100 posts each
//! (200,000 posts, 400,000 comments) deleted 100 authors per transaction, so the write lock is
//! never held for long and each chunk is atomic.
//!
//! Run with `cargo run --release --example chunked_delete`.

use cascade_runtime::{Model, Session};
use indicatif::{ProgressBar, ProgressStyle};
use std::ops::ControlFlow;

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
    #[model(foreign_key = Author)]
    pub author_id: i64,
    #[relationship(cascade = "all")]
    pub comments: Vec<Comment>,
}

#[derive(Model, Debug, Clone)]
pub struct Comment {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Post)]
    pub post_id: i64,
}

fn main() -> cascade_runtime::Result<()> {
    let dir = std::env::temp_dir().join(format!("cascade-chunked-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let path = dir.join("blog.db");
    let mut session = Session::open(&path)?;
    session.create_all::<Author>()?;
    session.connection().execute_batch(
        "BEGIN;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
           INSERT INTO author (id, name) SELECT i, 'author ' || i FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
           INSERT INTO post (id, author_id) SELECT i, 1 + (i - 1) / 100 FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000)
           INSERT INTO comment (id, post_id) SELECT i, 1 + (i - 1) / 2 FROM n;
         COMMIT;",
    )?;

    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} authors, {msg}")
            .expect("a valid template"),
    );
    let report = session.delete_where_in_chunks::<Author>("id > ?1", [0], 100, |p| {
        bar.set_length(p.roots_total as u64);
        bar.set_position(p.roots_deleted as u64);
        bar.set_message(format!("{} rows in {} chunks", p.rows_deleted, p.chunks));
        ControlFlow::Continue(())
    })?;
    bar.finish();
    println!("{report}");
    drop(session);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
