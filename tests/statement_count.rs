//! A cascade runs a number of statements that depends on the schema, never on the rows:
//! the same for 10 rows as for 100,000, counted both by the report and by the `tracing`
//! events every statement emits.

mod common;

use std::sync::{Arc, Mutex};

use cascade_runtime::Session;
use common::*;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// Records every statement event of the runtime: its SQL and affected rows.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<(String, u64)>>>);

impl<S: tracing::Subscriber> Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "cascade_runtime::sql" {
            return;
        }
        #[derive(Default)]
        struct Fields(String, u64);
        impl Visit for Fields {
            fn record_str(&mut self, field: &Field, value: &str) {
                if field.name() == "sql" {
                    self.0 = value.to_owned();
                }
            }
            fn record_u64(&mut self, field: &Field, value: u64) {
                if field.name() == "rows" {
                    self.1 = value;
                }
            }
            fn record_i64(&mut self, field: &Field, value: i64) {
                if field.name() == "rows" {
                    self.1 = value as u64;
                }
            }
            fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        self.0.lock().unwrap().push((fields.0, fields.1));
    }
}

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

    let events = Statements::default();
    let subscriber = tracing_subscriber::registry().with(events.clone());
    let (small_report, large_report) = tracing::subscriber::with_default(subscriber, || {
        let a = s.delete_by_pk::<Parent>(small).unwrap();
        let b = s.delete_by_pk::<Parent>(large).unwrap();
        (a, b)
    });
    assert_eq!(small_report.total(), 10);
    assert_eq!(large_report.total(), 100_000);
    assert_eq!(large_report.count("toy"), 98_999);
    assert_eq!(small_report.statements(), large_report.statements());

    let events = events.0.lock().unwrap();
    assert_eq!(
        events.len(),
        small_report.statements() + large_report.statements()
    );
    let (first, second) = events.split_at(small_report.statements());
    let sql = |evs: &[(String, u64)]| evs.iter().map(|(sql, _)| sql.clone()).collect::<Vec<_>>();
    assert_eq!(
        sql(first),
        sql(second),
        "the very same statements, whatever the row count"
    );
    // The traced row counts add up to what was deleted.
    let deleted: u64 = second
        .iter()
        .filter(|(sql, _)| sql.starts_with("DELETE FROM \""))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(deleted, 100_000);
    assert_eq!(count(&s, "toy"), 0);
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
fn a_key_set_beyond_the_delete_chunk_goes_in_sorted_ranges_with_exact_counts() {
    let (_dir, mut s) = file_session();
    s.create_all::<Parent>().unwrap();
    let small = seed(&s, "small", 3, 6);
    let large = seed(&s, "large", 10, 300_000); // 300,000 toys: three ranges of toys
    let one = s.delete_by_pk::<Parent>(small).unwrap();
    let big = s.delete_by_pk::<Parent>(large).unwrap();
    assert_eq!(
        (big.count("parent"), big.count("child"), big.count("toy")),
        (1, 10, 300_000)
    );
    assert_eq!(count(&s, "toy"), 0);
    // Per range: one bound query and one delete, in place of the single delete.
    let ranges = 300_000_usize.div_ceil(131_072);
    assert_eq!(big.statements(), one.statements() - 1 + 2 * ranges);
}
