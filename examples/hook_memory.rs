//! Peak memory of a cascade whose largest table has a delete hook: rows are streamed to the
//! hook in batches, so the peak does not grow with the row count.
//!
//! Run with `cargo run --release --example hook_memory`. Each size runs in a child process;
//! the peak resident set (`VmHWM`, reset through `/proc/self/clear_refs` after the data is
//! generated) covers only the delete. Linux only.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use cascade_runtime::{DeleteHooks, HookContext, HookError, Model, Session};

#[derive(Model, Debug, Clone)]
pub struct Author {
    #[model(primary_key)]
    pub id: i64,
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
#[model(hooks)]
pub struct Comment {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Post)]
    pub post_id: i64,
    pub body: String,
}

static HOOKED: AtomicUsize = AtomicUsize::new(0);

impl DeleteHooks for Comment {
    fn before_delete(&self, _: &HookContext<'_>) -> Result<(), HookError> {
        HOOKED.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn status(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}

fn child(comments: i64) -> cascade_runtime::Result<()> {
    let dir = std::env::temp_dir().join(format!("cascade-hook-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let mut s = Session::open(dir.join("db.sqlite"))?;
    s.create_all::<Author>()?;
    let posts = (comments / 10).max(1);
    s.connection().execute_batch(&format!(
        "BEGIN;
         INSERT INTO author (id) VALUES (1);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {posts})
           INSERT INTO post (id, author_id) SELECT i, 1 FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {comments})
           INSERT INTO comment (id, post_id, body) SELECT i, 1 + (i - 1) % {posts}, printf('comment %08d', i) FROM n;
         COMMIT;"
    ))?;
    let before = status("VmRSS:");
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak RSS");
    // SAFETY: reads and resets SQLite's global memory statistics; no pointers involved.
    unsafe { cascade_runtime::rusqlite::ffi::sqlite3_memory_highwater(1) };
    let start = Instant::now();
    let report = s.delete_by_pk::<Author>(1)?;
    let elapsed = start.elapsed();
    let peak = status("VmHWM:");
    // SAFETY: as above.
    let sqlite_peak = unsafe { cascade_runtime::rusqlite::ffi::sqlite3_memory_highwater(1) };
    println!(
        "{:>9} {:>9} {:>9} {:>10.3} {:>10} {:>10} {:>12} {:>6}",
        report.total(),
        report.count("comment"),
        HOOKED.load(Ordering::Relaxed),
        elapsed.as_secs_f64(),
        before / 1024,
        peak / 1024,
        sqlite_peak / (1024 * 1024),
        report.statements()
    );
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn main() -> cascade_runtime::Result<()> {
    let mut args = std::env::args().skip(1);
    if let (Some(flag), Some(n)) = (args.next(), args.next()) {
        if flag == "--child" {
            return child(n.parse().expect("a row count"));
        }
    }
    println!("     rows  comments    hooked    seconds    RSS MiB   peak MiB  SQLite MiB  stmts");
    let exe = std::env::current_exe().expect("own executable");
    for comments in [10_000, 100_000, 1_000_000] {
        let status = Command::new(&exe)
            .args(["--child", &comments.to_string()])
            .status();
        assert!(
            status.map(|s| s.success()).unwrap_or(false),
            "child for {comments} failed"
        );
    }
    Ok(())
}
