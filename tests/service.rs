//! What a Rust service needs of a session: it crosses threads, reads typed rows, groups calls
//! in transactions (savepoints when nested, rolled back on `Err` or panic), takes `[]` and `()`
//! as parameters, stops chunked deletes on request, and traces every call and statement.

mod common;

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use cascade_runtime::{Backend, Error, Result, Session};
use common::*;

/// Parents a (2 children), b (3) and c (none), each child with a toy.
fn seed<B: Backend>(s: &mut Session<B>) {
    s.create_all::<Parent>().unwrap();
    for (name, children) in [("a", 2), ("b", 3), ("c", 0)] {
        s.insert(&mut family(name, children, 1)).unwrap();
    }
}

fn seeded() -> (tempfile::TempDir, Session) {
    let (dir, mut s) = file_session();
    seed(&mut s);
    (dir, s)
}

/// Whether the session's connection has no transaction open.
fn no_transaction_open<B: Backend>(s: &mut Session<B>) -> bool
where
    Session<B>: Db,
{
    let any = s as &mut dyn std::any::Any;
    if let Some(sqlite) = any.downcast_mut::<Session>() {
        return sqlite.connection().is_autocommit();
    }
    // PostgreSQL: a savepoint outside a transaction block is refused, with SQLSTATE 25P01.
    let pg = any
        .downcast_mut::<cascade_runtime::PgSession>()
        .expect("SQLite or PostgreSQL");
    match pg.client().batch_execute("SAVEPOINT open_probe") {
        Ok(()) => {
            pg.client().batch_execute("RELEASE open_probe").unwrap();
            false
        }
        Err(e) => {
            let code = e.code().map(|c| c.code());
            assert_eq!(code, Some("25P01"), "{e}");
            true
        }
    }
}

#[test]
fn a_session_is_send_and_moves_into_a_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Session>();
    let (_dir, mut s) = seeded();
    let handle = std::thread::spawn(move || {
        let report = s.delete_where::<Parent>("name = ?1", ["a"]).unwrap();
        (report.total(), s.count::<Child>().unwrap())
    });
    assert_eq!(handle.join().unwrap(), (1 + 2 + 2, 3));
}

/// The same for a PostgreSQL session.
#[test]
fn a_postgres_session_is_send_and_moves_into_a_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<cascade_runtime::PgSession>();
    let Some((_schema, mut s)) = common::pg::pg_session() else {
        return;
    };
    seed(&mut s);
    let handle = std::thread::spawn(move || {
        let report = s.delete_where::<Parent>("name = $1", ["a"]).unwrap();
        (report.total(), s.count::<Child>().unwrap())
    });
    assert_eq!(handle.join().unwrap(), (1 + 2 + 2, 3));
}

#[test]
fn count_count_where_and_select_where_read_typed_rows() {
    on_all!(|s| {
        seed(s);
        let name_like = format!("name LIKE {}", s.p(1));
        let name_is = format!("name = {}", s.p(1));
        assert_eq!(s.count::<Parent>()?, 3);
        assert_eq!(s.count::<Toy>()?, 5);
        assert_eq!(s.count_where::<Child>(&name_like, ["b-%"])?, 3);
        assert_eq!(s.count_where::<Child>("parent_id IS NULL", ())?, 0);
        assert_eq!(s.count_where::<Child>("parent_id IS NOT NULL", [])?, 5);
        let mut children = s.select_where::<Child>(&name_like, ["b-%"])?;
        let names: Vec<&str> = children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["b-c0", "b-c1", "b-c2"], "in key order");
        assert!(
            children.iter().all(|c| c.toys.is_empty()),
            "relationships empty"
        );
        s.load_all(&mut children)?;
        assert!(children.iter().all(|c| c.toys.len() == 1));
        // (`false` rather than SQLite's `0`: PostgreSQL wants a boolean condition.)
        assert!(s.select_where::<Parent>("false", [])?.is_empty());
        // Through the model's repository too.
        assert_eq!(s.repo::<Parent>().count()?, 3);
        assert_eq!(s.repo::<Parent>().select_where(&name_is, ["c"])?.len(), 1);
        Ok(())
    });
}

#[test]
fn a_bad_clause_is_reported_once_quoting_it() {
    on_all!(|s| {
        seed(s);
        let clause = format!("nmae = {}", s.p(1));
        for err in [
            s.count_where::<Child>(&clause, ["a"]).unwrap_err(),
            s.select_where::<Child>(&clause, ["a"]).unwrap_err(),
            s.delete_where::<Child>(&clause, ["a"]).unwrap_err(),
            s.plan_delete_where::<Child>(&clause, ["a"]).unwrap_err(),
        ] {
            let message = err.to_string();
            assert!(matches!(err, Error::Clause { .. }), "{err:?}");
            assert_eq!(message.matches(clause.as_str()).count(), 1, "{message}");
            // Each database's own words.
            let unknown = if s.is_postgres() {
                "column \"nmae\" does not exist"
            } else {
                "no such column: nmae"
            };
            assert!(message.contains(unknown), "{message}");
        }
        Ok(())
    });
}

#[test]
fn params_take_empty_arrays_and_units_everywhere() {
    on_all!(|s| {
        seed(s);
        assert_eq!(s.plan_delete_where::<Parent>("name = 'c'", [])?.total(), 1);
        assert_eq!(s.count_where::<Parent>("name = 'c'", ())?, 1);
        assert_eq!(s.delete_where::<Parent>("name = 'c'", [])?.total(), 1);
        assert_eq!(
            s.delete_where::<Parent>("name = 'b'", ())?.count("child"),
            3
        );
        let report =
            s.delete_where_in_chunks::<Parent>("true", [], 1, |_| ControlFlow::Continue(()))?;
        assert_eq!(report.count("parent"), 1);
        Ok(())
    });
}

#[test]
fn a_transaction_commits_on_ok_and_rolls_back_on_err() {
    on_all!(|s| {
        seed(s);
        let name_is = format!("name = {}", s.p(1));
        let value = s.transaction(|s| {
            s.delete_where::<Parent>(&name_is, ["a"])?;
            s.insert(&mut family("d", 1, 0))?;
            Ok::<_, Error>(42)
        })?;
        assert_eq!(value, 42);
        assert_eq!(s.count::<Parent>()?, 3, "a gone, d added");

        let failed: Result<()> = s.transaction(|s| {
            s.delete_where::<Parent>("true", [])?;
            assert_eq!(s.count::<Parent>()?, 0, "inside, the delete is visible");
            Err(Error::NotFound {
                table: "parent".into(),
                key: "any".into(),
            })
        });
        assert!(matches!(failed, Err(Error::NotFound { .. })));
        assert_eq!(s.count::<Parent>()?, 3, "rolled back");
        assert_eq!(s.count::<Toy>()?, 3);
        assert!(no_transaction_open(s), "no transaction left open");
        Ok(())
    });
}

/// Any error type that a cascade error converts into.
#[derive(Debug)]
enum AppError {
    Cascade(Error),
    Rejected(&'static str),
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError::Cascade(e)
    }
}

#[test]
fn a_transaction_returns_the_caller_s_error_type() {
    on_all!(|s| {
        seed(s);
        let name_is = format!("name = {}", s.p(1));
        let out: std::result::Result<(), AppError> = s.transaction(|s| {
            s.delete_where::<Parent>(&name_is, ["b"])?;
            Err(AppError::Rejected("changed my mind"))
        });
        assert!(matches!(out, Err(AppError::Rejected("changed my mind"))));
        let out: std::result::Result<(), AppError> = s.transaction(|s| {
            s.get::<Parent>(1)?;
            s.delete_where::<Parent>("nmae = 1", [])?;
            Ok(())
        });
        assert!(matches!(out, Err(AppError::Cascade(Error::Clause { .. }))));
        assert_eq!(s.count::<Parent>().unwrap(), 3);
        Ok(())
    });
}

#[test]
fn a_panic_rolls_back_and_goes_on() {
    on_all!(|s| {
        seed(s);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<()> = s.transaction(|s| {
                s.delete_where::<Parent>("true", [])?;
                panic!("a bug in the closure");
            });
        }));
        assert!(caught.is_err(), "the panic reaches the caller");
        assert_eq!(s.count::<Parent>().unwrap(), 3);
        assert!(no_transaction_open(s));
        // The session is still usable.
        assert_eq!(
            s.delete_where::<Parent>("name = 'c'", []).unwrap().total(),
            1
        );
        Ok(())
    });
}

#[test]
fn nested_transactions_are_savepoints() {
    on_all!(|s| {
        seed(s);
        let name_is = format!("name = {}", s.p(1));
        s.transaction(|s| {
            s.delete_where::<Parent>(&name_is, ["a"])?;
            let inner: Result<()> = s.transaction(|s| {
                s.delete_where::<Parent>(&name_is, ["b"])?;
                Err(Error::MissingKey {
                    table: "parent".into(),
                })
            });
            assert!(inner.is_err());
            assert_eq!(s.count::<Parent>()?, 2, "only the inner part rolled back");
            s.transaction(|s| s.delete_where::<Parent>(&name_is, ["c"]).map(drop))?;
            Ok::<_, Error>(())
        })?;
        let left: Vec<String> = s
            .select_where::<Parent>("true", [])?
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(left, ["b"]);
        Ok(())
    });
}

#[test]
fn a_chunked_delete_stops_when_asked() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        for i in 0..10 {
            s.insert(&mut family(&format!("p{i}"), 1, 0))?;
        }
        let mut calls = 0;
        let report = s.delete_where_in_chunks::<Parent>("true", [], 3, |p| {
            calls += 1;
            if p.roots_deleted >= 6 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })?;
        assert_eq!(calls, 2);
        assert_eq!(
            report.count("parent"),
            6,
            "the report counts what was deleted"
        );
        assert_eq!(s.count::<Parent>()?, 4, "the rest stays");

        let err = s
            .delete_where_in_chunks::<Parent>("true", [], 0, |_| ControlFlow::Continue(()))
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidArgument {
                    argument: "roots_per_chunk",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(s.count::<Parent>()?, 4);
        Ok(())
    });
}

// --- Tracing -------------------------------------------------------------------------------

/// Spans named `cascade` as they closed (their fields), and the statement events (their
/// fields).
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<Recorded>>>, Arc<Mutex<Vec<Recorded>>>);

/// A span's or an event's fields, as `(name, value)`.
type Recorded = Vec<(String, String)>;

struct Fields(Vec<(String, String)>);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl Spans {
    fn on_new_span(&self, attrs: &tracing::span::Attributes<'_>, ext: &mut Extensions<'_>) {
        let mut fields = Fields(Vec::new());
        attrs.record(&mut fields);
        ext.insert(fields);
    }
    fn on_record(&self, values: &tracing::span::Record<'_>, ext: &mut Extensions<'_>) {
        if let Some(fields) = ext.get_mut::<Fields>() {
            values.record(fields);
        }
    }
    fn on_event(&self, event: &tracing::Event<'_>) {
        if event.metadata().target() == "cascade_runtime::sql" {
            let mut fields = Fields(Vec::new());
            event.record(&mut fields);
            self.1.lock().unwrap().push(fields.0);
        }
    }
    fn on_close(&self, name: &str, ext: &mut Extensions<'_>) {
        if name == "cascade" {
            if let Some(fields) = ext.remove::<Fields>() {
                self.0.lock().unwrap().push(fields.0);
            }
        }
    }
}

type Extensions<'a> = tracing_subscriber::registry::ExtensionsMut<'a>;

thread_local! {
    /// Where the spans and statements of this thread go, while [`recording`] runs.
    static RECORDING: std::cell::RefCell<Option<Spans>> = const { std::cell::RefCell::new(None) };
}

/// The process's subscriber: hands what happens on a thread to that thread's [`Spans`], if
/// it records. (One global subscriber, not one per test: a subscriber set per test with
/// `with_default` races with tracing's cache of which callsites are enabled, across the test
/// threads, and can miss events.)
struct Router;

impl Router {
    fn with(f: impl FnOnce(&Spans)) {
        RECORDING.with(|r| {
            if let Some(spans) = r.borrow().as_ref() {
                f(spans)
            }
        });
    }
}

impl<S> tracing_subscriber::Layer<S> for Router
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        Router::with(|spans| {
            let span = ctx.span(id).unwrap();
            spans.on_new_span(attrs, &mut span.extensions_mut());
        });
    }
    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        Router::with(|spans| {
            let span = ctx.span(id).unwrap();
            spans.on_record(values, &mut span.extensions_mut());
        });
    }
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        Router::with(|spans| spans.on_event(event));
    }
    fn on_close(&self, id: tracing::span::Id, ctx: tracing_subscriber::layer::Context<'_, S>) {
        Router::with(|spans| {
            let span = ctx.span(&id).unwrap();
            spans.on_close(span.name(), &mut span.extensions_mut());
        });
    }
}

/// Runs `f` with this thread's spans and statements recorded into `spans`.
fn recording<T>(spans: &Spans, f: impl FnOnce() -> T) -> T {
    use tracing_subscriber::layer::SubscriberExt;
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::registry().with(Router);
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
    });
    RECORDING.with(|r| *r.borrow_mut() = Some(spans.clone()));
    let out = f();
    RECORDING.with(|r| *r.borrow_mut() = None);
    out
}

fn field<'a>(span: &'a [(String, String)], name: &str) -> Option<&'a str> {
    span.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn every_call_is_a_span_with_its_totals_and_every_statement_an_event() {
    on_all!(|s| {
        let spans_layer = Spans::default();
        recording(&spans_layer, || {
            s.create_all::<Parent>().unwrap();
            s.insert(&mut family("a", 2, 1)).unwrap();
            let name_is = format!("name = {}", s.p(1));
            s.delete_where::<Parent>(&name_is, ["a"]).unwrap();
            s.count::<Parent>().unwrap();
            let _ = s.delete_where::<Parent>("nmae = 1", []);
        });
        let spans = spans_layer.0.lock().unwrap().clone();
        let operations: Vec<&str> = spans
            .iter()
            .map(|s| field(s, "operation").unwrap())
            .collect();
        assert_eq!(
            operations,
            [
                "create_all",
                "insert",
                "delete_where",
                "count",
                "delete_where"
            ]
        );
        for span in &spans {
            assert_eq!(field(span, "model"), Some("Parent"));
            assert!(field(span, "micros").is_some(), "{span:?}");
        }
        assert_eq!(
            field(&spans[2], "rows"),
            Some("5"),
            "parent, 2 children, 2 toys"
        );
        assert!(field(&spans[2], "statements").is_some());
        assert_eq!(field(&spans[3], "rows"), Some("0"));
        assert!(field(&spans[4], "error").unwrap().contains("nmae"));

        // Statements: DDL reports no rows, and transaction control is visible.
        let statements: Vec<(String, String)> = spans_statements(&spans_layer);
        let ddl: Vec<&str> = statements
            .iter()
            .filter(|(sql, _)| sql.starts_with("CREATE"))
            .map(|(_, rows)| rows.as_str())
            .collect();
        assert!(!ddl.is_empty() && ddl.iter().all(|&r| r == "0"), "{ddl:?}");
        let control: Vec<&str> = statements
            .iter()
            .map(|(sql, _)| sql.as_str())
            .filter(|sql| {
                ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"]
                    .iter()
                    .any(|k| sql.starts_with(k))
            })
            .collect();
        // Each database's way of beginning a write: SQLite takes its write lock at once;
        // on PostgreSQL a call locks what it deletes, each statement seeing what committed.
        let begin = if s.is_postgres() {
            "BEGIN ISOLATION LEVEL READ COMMITTED"
        } else {
            "BEGIN IMMEDIATE"
        };
        assert_eq!(
            control,
            [
                begin, // create_all
                "COMMIT", begin, // insert
                "COMMIT", begin, // delete_where
                "COMMIT", begin, // the refused delete_where
                "ROLLBACK",
            ]
        );
        Ok(())
    });
}

/// Each statement event's `sql` and `rows`.
fn spans_statements(spans: &Spans) -> Vec<(String, String)> {
    spans
        .1
        .lock()
        .unwrap()
        .iter()
        .map(|event| {
            (
                field(event, "sql").unwrap_or_default().to_owned(),
                field(event, "rows").unwrap_or_default().to_owned(),
            )
        })
        .collect()
}
