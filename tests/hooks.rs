//! Delete hooks: only hooked models have their rows read, in bounded batches; the rest of the
//! same delete stays set-based; a hook's error rolls the whole delete back.

mod common;

use std::cell::RefCell;

use cascade_runtime::{
    Backend, DeleteHooks, Error, HookContext, HookError, Model, Result, Session, HOOK_BATCH,
};
use common::{count, traced, Db, Traced};

thread_local! {
    static SEEN: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn seen() -> Vec<String> {
    SEEN.with(|s| s.borrow().clone())
}

fn reset() {
    SEEN.with(|s| s.borrow_mut().clear());
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Shelf {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(cascade = "all")]
    pub books: Vec<Volume>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(hooks)]
pub struct Volume {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Shelf)]
    pub shelf_id: i64,
    pub title: String,
    #[relationship(cascade = "all")]
    pub pages: Vec<Page>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Page {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Volume)]
    pub volume_id: i64,
}

/// Whether a hook runs on PostgreSQL (its SQL is then in PostgreSQL's dialect).
fn on_postgres(ctx: &HookContext<'_>) -> bool {
    ctx.client().is_some()
}

impl DeleteHooks for Volume {
    fn before_delete(&self, ctx: &HookContext<'_>) -> Result<(), HookError> {
        SEEN.with(|s| {
            s.borrow_mut()
                .push(format!("before {} {}", ctx.table(), self.title))
        });
        if self.title == "forbidden" {
            return Err("this volume is protected".into());
        }
        // The row is still there, and the hook runs inside the delete's transaction.
        let here: i64 = match ctx.client() {
            Some(mut client) => client
                .query_one("SELECT count(*) FROM volume WHERE id = $1", &[&self.id])?
                .try_get(0)?,
            None => ctx.connection().query_row(
                "SELECT count(*) FROM volume WHERE id = ?1",
                [self.id],
                |r| r.get(0),
            )?,
        };
        assert_eq!(here, 1);
        Ok(())
    }

    fn after_delete(&self, ctx: &HookContext<'_>) -> Result<(), HookError> {
        SEEN.with(|s| s.borrow_mut().push(format!("after {}", self.title)));
        if self.title == "fails-after" {
            return Err("after hook failed".into());
        }
        let insert = match on_postgres(ctx) {
            true => "INSERT INTO audit (what) VALUES ($1)",
            false => "INSERT INTO audit (what) VALUES (?1)",
        };
        ctx.execute(insert, [format!("deleted {}", self.title)])?;
        Ok(())
    }
}

fn setup<B: Backend>(s: &mut Session<B>) -> Result<()>
where
    Session<B>: Db,
{
    s.create_all::<Shelf>()?;
    s.sql_batch("CREATE TABLE audit (what TEXT)");
    Ok(())
}

/// A shelf of volumes with these titles (test constants, written into the SQL), each with
/// `pages` pages; returns the shelf's key.
fn shelf<B: Backend>(s: &mut Session<B>, titles: &[&str], pages: i64) -> i64
where
    Session<B>: Db,
{
    let shelf = s.sql_count("INSERT INTO shelf DEFAULT VALUES RETURNING id");
    let volumes: Vec<String> = titles
        .iter()
        .map(|title| format!("({shelf}, '{title}')"))
        .collect();
    s.sql_batch(&format!(
        "BEGIN;
         INSERT INTO volume (shelf_id, title) VALUES {};
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {pages})
         INSERT INTO page (volume_id)
         SELECT volume.id FROM volume, n WHERE volume.shelf_id = {shelf} ORDER BY volume.id, n.i;
         COMMIT;",
        volumes.join(", ")
    ));
    shelf
}

#[test]
fn hooks_see_every_row_before_and_after_and_can_write_in_the_transaction() {
    on_all!(|s| {
        setup(s)?;
        let id = shelf(s, &["a", "b"], 3);
        reset();
        let report = s.delete_by_pk::<Shelf>(id)?;
        assert_eq!((report.count("volume"), report.count("page")), (2, 6));
        assert_eq!(
            seen(),
            ["before volume a", "before volume b", "after a", "after b"]
        );
        assert_eq!(count(s, "audit"), 2);
        Ok(())
    });
}

#[test]
fn a_failing_before_hook_changes_nothing() {
    on_all!(|s| {
        setup(s)?;
        let id = shelf(s, &["ok", "forbidden"], 2);
        reset();
        let err = s.delete_by_pk::<Shelf>(id).unwrap_err();
        match &err {
            Error::Hook {
                table,
                hook,
                source,
                ..
            } => {
                assert_eq!((table.as_str(), *hook), ("volume", "before_delete"));
                assert_eq!(source.to_string(), "this volume is protected");
            }
            other => panic!("expected Hook, got {other:?}"),
        }
        assert!(!seen().iter().any(|e| e.starts_with("after")));
        assert_eq!(
            (count(s, "shelf"), count(s, "volume"), count(s, "page")),
            (1, 2, 4)
        );
        Ok(())
    });
}

#[test]
fn a_failing_after_hook_rolls_everything_back() {
    on_all!(|s| {
        setup(s)?;
        let id = shelf(s, &["first", "fails-after"], 2);
        reset();
        let err = s.delete_by_pk::<Shelf>(id).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Hook {
                    hook: "after_delete",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(seen().iter().filter(|e| e.starts_with("after")).count(), 2);
        assert_eq!(
            (count(s, "shelf"), count(s, "volume"), count(s, "page")),
            (1, 2, 4)
        );
        assert_eq!(
            count(s, "audit"),
            0,
            "what the hooks wrote is rolled back too"
        );
        Ok(())
    });
}

#[test]
fn only_hooked_rows_are_read_in_bounded_batches_and_the_rest_stays_set_based() {
    on_all!(|s| {
        setup(s)?;
        let few = shelf(s, &["x"], 10);
        let titles: Vec<String> = (0..2 * HOOK_BATCH + 1).map(|i| format!("v{i}")).collect();
        let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
        let many = shelf(s, &titles, 5);
        reset();
        let (_, small) = traced(|| s.delete_by_pk::<Shelf>(few).unwrap());
        let (large, events) = traced(|| s.delete_by_pk::<Shelf>(many).unwrap());
        assert_eq!(large.count("page"), 5 * (2 * HOOK_BATCH + 1));
        assert_eq!(seen().len(), 2 * (1 + 2 * HOOK_BATCH + 1));
        // Rows reach Rust only through the hook batches, and only the volumes' rows. SQLite
        // reads them from temporary tables `cascade_rows_<table>`; PostgreSQL fetches them
        // from cursors declared over the table's doomed rows.
        let postgres = s.is_postgres();
        let batches = |events: &[Traced]| -> Vec<u64> {
            events
                .iter()
                .filter(|e| match postgres {
                    true => e.sql.starts_with("FETCH"),
                    false => e.sql.contains("cascade_rows_") && e.sql.starts_with("SELECT"),
                })
                .map(|e| e.rows)
                .collect()
        };
        if postgres {
            // Two cursors (before, after), of the one hooked table: each reads the volumes.
            let cursors: Vec<&Traced> = events
                .iter()
                .filter(|e| e.sql.starts_with("DECLARE"))
                .collect();
            assert_eq!(cursors.len(), 2, "{cursors:?}");
            assert!(
                cursors.iter().all(|e| e
                    .sql
                    .lines()
                    .last()
                    .is_some_and(|body| body.starts_with("SELECT")
                        && body.contains(" FROM \"volume\" WHERE "))),
                "{cursors:?}"
            );
        } else {
            assert!(events
                .iter()
                .filter(|e| e.sql.contains("cascade_rows_"))
                .all(|e| e.sql.contains("cascade_rows_volume")));
        }
        assert_eq!(
            batches(&small),
            [1, 0, 1, 0],
            "one batch and the empty end, before and after"
        );
        let n = HOOK_BATCH as u64;
        assert_eq!(batches(&events), [n, n, 1, 0, n, n, 1, 0]);
        Ok(())
    });
}
