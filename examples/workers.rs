//! A few worker threads, each with its own session on one SQLite file in WAL mode: sessions
//! are `Send`, so each moves into its thread (as it would into a pool or `spawn_blocking`).
//! Each worker inserts orders with their lines, and in one transaction deletes the orders of
//! the worker before it; waiting for the write lock is the busy timeout's job.
//!
//! Run with `cargo run --example workers`.

use std::time::Instant;

use cascade_runtime::{Model, Session};

/// An order owns its lines.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Order {
    #[model(primary_key)]
    pub id: i64,
    pub worker: i64,
    #[relationship(cascade = "all, delete")]
    pub lines: Vec<Line>,
}

/// A line of an order.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Line {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Order)]
    pub order_id: Option<i64>,
    pub quantity: u32,
}

const WORKERS: i64 = 4;
const ROUNDS: usize = 25;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("cascade-workers-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("orders.db");
    let mut setup = Session::open(&path)?;
    setup
        .connection()
        .pragma_update(None, "journal_mode", "wal")?;
    setup.create_all::<Order>()?;
    drop(setup);

    let start = Instant::now();
    let handles: Vec<_> = (0..WORKERS)
        .map(|worker| {
            // Opened here, moved into the thread.
            let mut session = Session::open(&path)?;
            Ok(std::thread::spawn(
                move || -> cascade_runtime::Result<(usize, usize)> {
                    let (mut inserted, mut deleted) = (0, 0);
                    for round in 0..ROUNDS {
                        let mut order = Order {
                            id: 0,
                            worker,
                            lines: (1..=3)
                                .map(|q| Line {
                                    id: 0,
                                    order_id: None,
                                    quantity: q * (round as u32 + 1),
                                })
                                .collect(),
                        };
                        session.insert(&mut order)?;
                        inserted += 1 + order.lines.len();
                        let previous = (worker + WORKERS - 1) % WORKERS;
                        deleted += session.transaction(|s| {
                            let report = s.delete_where::<Order>("worker = ?1", [previous])?;
                            Ok::<_, cascade_runtime::Error>(report.total())
                        })?;
                    }
                    Ok((inserted, deleted))
                },
            ))
        })
        .collect::<cascade_runtime::Result<_>>()?;

    let mut totals = (0, 0);
    for (worker, handle) in handles.into_iter().enumerate() {
        let (inserted, deleted) = handle.join().expect("a worker panicked")?;
        println!("worker {worker}: inserted {inserted} rows, deleted {deleted}");
        totals = (totals.0 + inserted, totals.1 + deleted);
    }
    let mut session = Session::open(&path)?;
    let left = session.count::<Order>()? + session.count::<Line>()?;
    println!(
        "{} rows inserted, {} deleted, {left} left, in {:?}",
        totals.0,
        totals.1,
        start.elapsed()
    );
    assert_eq!(totals.0, totals.1 + left, "every row is accounted for");
    assert_eq!(
        session.count_where::<Line>("order_id IS NULL", [])?,
        0,
        "no orphan"
    );
    drop(session);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
