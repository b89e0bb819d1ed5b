//! What is PostgreSQL's own: its DDL (types, identity keys, foreign keys and their indexes,
//! identifiers quoted exactly as declared), `check_schema` from `pg_catalog`, keys given and
//! assigned, text that PostgreSQL refuses, `$N` clauses and array parameters, transactions at
//! `REPEATABLE READ` and their retries, hooks read through cursors, and a number of statements
//! and round trips that the rows do not change. (The rules of a delete run on PostgreSQL in
//! every suite that uses `on_all!`.)
//!
//! Runs with `CASCADE_PG_URL` set (`.ci/run` sets it); without it, each test returns at once.

mod common;

use cascade_runtime::{
    DeleteHooks, Error, HookContext, HookError, Model, PgSession, RetryPolicy, Value,
};
use common::pg::{pg_schema, pg_session, pg_session_in, pg_url};
use common::{count, count_where, family, traced, Child, Db, Parent, Toy};

/// Every column type, with the features.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "Every Type")]
pub struct EveryType {
    #[model(primary_key)]
    pub id: i64,
    #[model(column = "Small")]
    pub small: i16,
    pub int: i32,
    pub real: f32,
    pub double: f64,
    pub flag: bool,
    pub text: String,
    pub bytes: Vec<u8>,
    pub day: chrono::NaiveDate,
    pub local: chrono::NaiveDateTime,
    pub instant: chrono::DateTime<chrono::Utc>,
    pub uuid: uuid::Uuid,
    pub json: serde_json::Value,
    pub maybe: Option<String>,
    #[model(default = true)]
    pub defaulted: bool,
}

fn every_type() -> EveryType {
    use chrono::TimeZone;
    let at = chrono::NaiveDate::from_ymd_opt(2024, 2, 29)
        .unwrap()
        .and_hms_micro_opt(23, 59, 58, 123_456)
        .unwrap();
    EveryType {
        id: 0,
        small: -300,
        int: 70_000,
        real: 1.5,
        double: -2.25,
        flag: true,
        text: "it's \"quoted\" and ünïcode".into(),
        bytes: vec![0, 1, 255],
        day: at.date(),
        local: at,
        instant: chrono::Utc.from_utc_datetime(&at),
        uuid: uuid::Uuid::new_v4(),
        json: serde_json::json!({"a": [1, "two", null]}),
        maybe: None,
        defaulted: false,
    }
}

#[test]
fn create_all_writes_postgresql_types_and_every_value_round_trips() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.create_all::<EveryType>().unwrap();
    let types: Vec<(String, String, String)> = s
        .client()
        .query(
            "SELECT column_name::text, data_type::text, COALESCE(is_identity, 'NO')::text \
             FROM information_schema.columns WHERE table_name = 'Every Type' \
             AND table_schema = current_schema() ORDER BY ordinal_position",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let expected = [
        ("id", "bigint", "YES"),
        ("Small", "smallint", "NO"),
        ("int", "integer", "NO"),
        ("real", "real", "NO"),
        ("double", "double precision", "NO"),
        ("flag", "boolean", "NO"),
        ("text", "text", "NO"),
        ("bytes", "bytea", "NO"),
        ("day", "date", "NO"),
        ("local", "timestamp without time zone", "NO"),
        ("instant", "timestamp with time zone", "NO"),
        ("uuid", "uuid", "NO"),
        ("json", "jsonb", "NO"),
        ("maybe", "text", "NO"),
        ("defaulted", "boolean", "NO"),
    ];
    let found: Vec<(&str, &str, &str)> = types
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    assert_eq!(found, expected);
    let mut row = every_type();
    s.insert(&mut row).unwrap();
    assert!(row.id > 0, "the identity assigned the key");
    assert_eq!(s.get::<EveryType>(row.id).unwrap(), Some(row.clone()));
    // The default is the DDL's: a row written without the column gets it.
    s.client()
        .batch_execute(&format!(
            "INSERT INTO \"Every Type\" (\"Small\", int, real, double, flag, text, bytes, day, \
             local, instant, uuid, json) SELECT \"Small\", int, real, double, flag, text, bytes, \
             day, local, instant, gen_random_uuid(), json FROM \"Every Type\" WHERE id = {}",
            row.id
        ))
        .unwrap();
    assert_eq!(count_where(&mut s, "Every Type", "defaulted"), 1);
    assert!(s.check_schema::<EveryType>().unwrap().is_clean());
}

#[test]
fn foreign_keys_carry_their_on_delete_and_an_index() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.create_all::<Parent>().unwrap();
    let fks = s.sql_count(
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f' \
         AND conrelid IN ('child'::regclass, 'toy'::regclass)",
    );
    assert_eq!(fks, 2);
    let indexed = s.sql_count(
        // pg_catalog by OID: pg_indexes would decode the indexes of other tests' schemas,
        // which are being dropped concurrently.
        "SELECT count(*) FROM pg_index i \
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
         WHERE i.indrelid IN ('child'::regclass, 'toy'::regclass) \
         AND a.attname IN ('parent_id', 'child_id')",
    );
    assert_eq!(indexed, 2);
    let report = s.check_schema::<Parent>().unwrap();
    assert!(report.is_clean(), "{report}");
    // A missing index and a missing foreign key are found.
    s.sql_batch("DROP INDEX ix_toy_child_id; ALTER TABLE toy DROP CONSTRAINT toy_child_id_fkey");
    let report = s.check_schema::<Parent>().unwrap().to_string();
    assert!(report.contains("child_id"), "{report}");
    assert!(!s.check_schema::<Parent>().unwrap().is_clean());
}

#[test]
fn given_keys_do_not_collide_with_assigned_ones() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.create_all::<Parent>().unwrap();
    let mut given = family("given", 0, 0);
    given.id = 7;
    s.merge(&mut given).unwrap();
    assert_eq!(given.id, 7);
    for i in 0..10 {
        let mut p = family(&format!("p{i}"), 1, 0);
        s.insert(&mut p).unwrap();
        assert_ne!(p.id, 7);
    }
    assert_eq!(count(&mut s, "parent"), 11);
}

#[test]
fn text_with_a_nul_is_refused_clearly_and_nothing_is_written() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.create_all::<Parent>().unwrap();
    let mut p = family("bad\0name", 2, 1);
    let err = s.insert(&mut p).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("NUL"), "{message}");
    assert_eq!(count(&mut s, "parent"), 0);
    assert_eq!(count(&mut s, "child"), 0);
}

#[test]
fn clauses_take_dollar_parameters_and_arrays() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.create_all::<Parent>().unwrap();
    let mut ids = Vec::new();
    for name in ["a", "b", "c", "d"] {
        let mut p = family(name, 1, 1);
        s.insert(&mut p).unwrap();
        ids.push(p.id);
    }
    assert_eq!(s.count_where::<Parent>("name > $1", ["b"]).unwrap(), 2);
    let picked = Value::Array(vec![Value::Integer(ids[0]), Value::Integer(ids[2])]);
    let rows = s
        .select_where::<Parent>("id = ANY($1)", [picked.clone()])
        .unwrap();
    assert_eq!(rows.len(), 2);
    let report = s.delete_where::<Parent>("id = ANY($1)", [picked]).unwrap();
    assert_eq!((report.count("parent"), report.count("toy")), (2, 2));
    // A `?1` is not PostgreSQL's: the clause is refused, quoted.
    match s.delete_where::<Parent>("name = ?1", ["a"]).unwrap_err() {
        Error::Clause { clause, .. } => assert_eq!(clause, "name = ?1"),
        other => panic!("expected a clause error, got {other:?}"),
    }
}

#[test]
fn statements_and_round_trips_do_not_grow_with_the_rows() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.create_all::<Parent>().unwrap();
    let mut measured = Vec::new();
    for children in [1, 10, 300] {
        let mut p = family("f", children, 3);
        s.insert(&mut p).unwrap();
        // Once to prepare the statements, then measured.
        let mut warm = family("w", 1, 1);
        s.insert(&mut warm).unwrap();
        s.delete(&warm).unwrap();
        let report = s.delete(&p).unwrap();
        assert_eq!(report.count("toy"), children * 3);
        measured.push((report.statements(), report.round_trips()));
    }
    assert!(measured.windows(2).all(|w| w[0] == w[1]), "{measured:?}");
    let (statements, round_trips) = measured[0];
    assert_eq!(round_trips, statements, "one round trip per statement");
    assert_eq!(
        statements, 5,
        "the locks, the locks again with the checks (a child may have appeared under a \
         locked parent), and one delete per table"
    );
}

#[test]
fn many_new_rows_go_in_batches_with_keys_from_the_sequence() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.create_all::<Parent>().unwrap();
    // Keys handed out meanwhile by another insert stay untouched.
    let mut before = family("before", 1, 0);
    s.insert(&mut before).unwrap();
    let mut p = family("big", 25_000, 0);
    for (i, child) in p.children.iter_mut().enumerate().take(3) {
        child.toys = (0..2)
            .map(|j| Toy {
                id: 0,
                child_id: 0,
                name: format!("toy {i}.{j}"),
            })
            .collect();
    }
    let ((), events) = traced(|| s.insert(&mut p).unwrap());
    let inserts = events
        .iter()
        .filter(|e| e.sql.starts_with("INSERT INTO \"child\""))
        .count();
    assert_eq!(
        inserts, 3,
        "25,000 children in batches of 10,000, one statement each"
    );
    assert!(events.len() < 20, "{} statements", events.len());
    // Every key written back, distinct, and what the database holds.
    let mut ids: Vec<i64> = p.children.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 25_000);
    assert!(!ids.contains(&before.children[0].id));
    assert!(p.children.iter().all(|c| c.parent_id == Some(p.id)));
    assert_eq!(
        count_where(&mut s, "child", &format!("parent_id = {}", p.id)),
        25_000
    );
    let stored = s.get::<Child>(p.children[12_345].id).unwrap().unwrap();
    assert_eq!(stored.name, p.children[12_345].name);
    // The children's own children took their parents' new keys.
    for child in &p.children[..3] {
        assert!(child
            .toys
            .iter()
            .all(|t| t.child_id == child.id && t.id > 0));
    }
    assert_eq!(count(&mut s, "toy"), 6);
    // The sequence is past every key: the next row gets a new one.
    let mut after = family("after", 1, 0);
    s.insert(&mut after).unwrap();
    assert!(!ids.contains(&after.children[0].id));
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "always")]
pub struct Always {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[relationship(cascade = "all")]
    pub items: Vec<AlwaysItem>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "always_item")]
pub struct AlwaysItem {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Always)]
    pub always_id: i64,
    pub name: String,
}

#[test]
fn batches_write_into_identities_generated_always() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.sql_batch(
        "CREATE TABLE always (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
         CREATE TABLE always_item (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
           always_id bigint NOT NULL REFERENCES always (id), name text NOT NULL);
         CREATE INDEX ON always_item (always_id)",
    );
    let mut a = Always {
        id: 0,
        name: "a".into(),
        items: (0..5)
            .map(|i| AlwaysItem {
                id: 0,
                always_id: 0,
                name: format!("item {i}"),
            })
            .collect(),
    };
    s.insert(&mut a).unwrap();
    assert!(a.items.iter().all(|i| i.id > 0 && i.always_id == a.id));
    assert_eq!(s.count::<AlwaysItem>().unwrap(), 5);
    assert_eq!(s.delete(&a).unwrap().count("always_item"), 5);
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ledger", hooks)]
pub struct Ledger {
    #[model(primary_key)]
    pub id: i64,
    pub amount: i64,
}

impl DeleteHooks for Ledger {
    fn before_delete(&self, ctx: &HookContext<'_>) -> Result<(), HookError> {
        if self.amount < 0 {
            return Err(format!("ledger {} is negative", self.id).into());
        }
        ctx.execute(
            "INSERT INTO audit (what) VALUES ($1)",
            [format!("before {}", self.id)],
        )?;
        Ok(())
    }
    fn after_delete(&self, ctx: &HookContext<'_>) -> Result<(), HookError> {
        // The row is gone already; the hook still has it in hand.
        let left: i64 = ctx
            .client()
            .expect("a PostgreSQL hook")
            .query_one("SELECT count(*) FROM ledger WHERE id = $1", &[&self.id])?
            .get(0);
        ctx.execute(
            "INSERT INTO audit (what) VALUES ($1)",
            [format!("after {} {left}", self.id)],
        )?;
        Ok(())
    }
}

#[test]
fn hooks_read_the_rows_through_cursors_in_batches() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.create_all::<Ledger>().unwrap();
    s.sql_batch("CREATE TABLE audit (what text)");
    s.transaction(|s| (0..2_500).try_for_each(|i| s.insert(&mut Ledger { id: 0, amount: i })))
        .unwrap();
    let report = s.delete_where::<Ledger>("amount < $1", [2_200]).unwrap();
    assert_eq!(report.count("ledger"), 2_200);
    assert_eq!(count_where(&mut s, "audit", "what LIKE 'before %'"), 2_200);
    assert_eq!(count_where(&mut s, "audit", "what LIKE 'after % 0'"), 2_200);
    // A hook's error rolls everything back, what hooks wrote included.
    s.insert(&mut Ledger { id: 0, amount: -1 }).unwrap();
    let err = s.delete_where::<Ledger>("1 = 1", ()).unwrap_err();
    assert!(matches!(err, Error::Hook { .. }), "{err:?}");
    assert_eq!(count(&mut s, "ledger"), 301);
    assert_eq!(count(&mut s, "audit"), 4_400);
}

#[test]
fn transactions_commit_roll_back_and_nest() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.create_all::<Parent>().unwrap();
    let failed: cascade_runtime::Result<()> = s.transaction(|s| {
        s.insert(&mut family("a", 2, 2))?;
        let inner: cascade_runtime::Result<()> = s.transaction(|s| {
            s.insert(&mut family("b", 1, 1))?;
            Err(Error::MissingKey {
                table: "parent".into(),
            })
        });
        assert!(inner.is_err());
        assert_eq!(s.count::<Parent>()?, 1, "only the inner part rolled back");
        Err(Error::MissingKey {
            table: "parent".into(),
        })
    });
    assert!(failed.is_err());
    assert_eq!(s.count::<Parent>().unwrap(), 0);
    let id = s
        .transaction(|s| {
            let mut p = family("c", 1, 1);
            s.insert(&mut p)?;
            Ok::<_, Error>(p.id)
        })
        .unwrap();
    assert!(s.get::<Parent>(id).unwrap().is_some());
}

#[test]
fn a_serialization_failure_is_retryable_and_retried() {
    let Some(url) = pg_url() else {
        return;
    };
    let schema = pg_schema(&url);
    let mut a = pg_session_in(&schema);
    let mut b = pg_session_in(&schema);
    a.create_all::<Parent>().unwrap();
    let mut p = family("shared", 1, 0);
    a.insert(&mut p).unwrap();
    // `a` reads the row in its snapshot, `b` changes it, `a` writes it: 40001.
    let mut attempts = 0;
    let out = a.transaction_with_retry(RetryPolicy::attempts(3), |a| {
        attempts += 1;
        let mut row = a.get::<Parent>(p.id)?.expect("the row");
        if attempts == 1 {
            let mut theirs = row.clone();
            theirs.name = "theirs".into();
            b.update(&mut theirs)?;
        }
        row.name = "ours".into();
        a.update(&mut row)?;
        Ok(())
    });
    out.unwrap();
    assert_eq!(
        attempts, 2,
        "the first attempt failed with a serialization failure"
    );
    assert_eq!(a.get::<Parent>(p.id).unwrap().unwrap().name, "ours");

    // Without a retry, the error says it can be retried.
    let err = a
        .transaction(|a| {
            let mut row = a.get::<Parent>(p.id)?.expect("the row");
            let mut theirs = row.clone();
            theirs.name = "b again".into();
            b.update(&mut theirs)?;
            row.name = "a again".into();
            a.update(&mut row).map(drop)
        })
        .unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert!(err.to_string().contains("can be retried"), "{err}");
}

#[test]
fn a_server_that_does_not_answer_is_a_clear_error() {
    let err = PgSession::connect("postgresql://nobody@127.0.0.1:1/none").unwrap_err();
    assert!(
        err.to_string().contains("connecting to PostgreSQL"),
        "{err}"
    );
}

#[test]
fn many_keys_load_through_one_array() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.create_all::<Parent>().unwrap();
    let mut parents = Vec::new();
    for i in 0..700 {
        let mut p = family(&format!("p{i}"), 1, 1);
        s.insert(&mut p).unwrap();
        parents.push(s.get::<Parent>(p.id).unwrap().unwrap());
    }
    let (done, statements) = common::traced(|| s.load_depth(&mut parents, 2));
    done.unwrap();
    assert_eq!(
        statements.len(),
        2,
        "one query per relationship: {statements:#?}"
    );
    assert!(parents
        .iter()
        .all(|p| p.children.len() == 1 && p.children[0].toys.len() == 1));
    assert_eq!(s.count::<Toy>().unwrap(), 700);
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "shop")]
pub struct Shop {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[relationship(cascade = "all")]
    pub orders: Vec<Order>,
    #[relationship]
    pub notes: Vec<ShopNote>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "order")]
pub struct Order {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Shop, on_delete = "cascade")]
    pub shop_id: i64,
    #[relationship(cascade = "all")]
    pub lines: Vec<Line>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "line")]
pub struct Line {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Order, on_delete = "cascade")]
    pub order_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "shop_note")]
pub struct ShopNote {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Shop)]
    pub shop_id: Option<i64>,
}

fn shop(orders: usize, lines: usize) -> Shop {
    Shop {
        id: 0,
        name: "s".into(),
        orders: (0..orders)
            .map(|_| Order {
                id: 0,
                shop_id: 0,
                lines: (0..lines).map(|_| Line { id: 0, order_id: 0 }).collect(),
            })
            .collect(),
        notes: vec![
            ShopNote {
                id: 0,
                shop_id: None,
            };
            2
        ],
    }
}

/// Where the database's own `ON DELETE CASCADE` removes exactly what the plan deletes, the
/// delete leaves those rows to it (PostgreSQL's foreign-key trigger visits each deleted
/// parent's children anyway) and counts them from the transaction's statistics; what it must
/// do itself (the notes' keys set to NULL, the root) it still does. With the statistics off,
/// it deletes every table itself, with the same report.
#[test]
fn rows_the_database_cascades_exactly_as_planned_are_left_to_it_and_counted() {
    let Some((_schema, mut s)) = pg_session() else {
        return;
    };
    s.create_all::<Shop>().unwrap();
    let mut other = shop(2, 2);
    s.insert(&mut other).unwrap();
    for track_counts in [true, false] {
        if !track_counts {
            // Superusers may turn the statistics off for their session.
            s.sql_batch("SET track_counts = off");
        }
        let mut doomed = shop(3, 4);
        s.insert(&mut doomed).unwrap();
        for note in &mut doomed.notes {
            note.shop_id = Some(doomed.id);
            s.update(note).unwrap();
        }
        let (report, events) = traced(|| s.delete_by_pk::<Shop>(doomed.id).unwrap());
        assert_eq!(
            (
                report.count("shop"),
                report.count("order"),
                report.count("line"),
                report.nulled("shop_note")
            ),
            (1, 3, 12, 2),
            "track_counts {track_counts}"
        );
        let deletes: Vec<&str> = events
            .iter()
            .filter(|e| e.sql.contains("DELETE FROM"))
            .map(|e| e.sql.as_str())
            .collect();
        let explicit = |table: &str| {
            deletes
                .iter()
                .any(|sql| sql.contains(&format!("DELETE FROM \"{table}\"")))
        };
        assert!(explicit("shop"));
        assert_eq!(explicit("order"), !track_counts, "{deletes:#?}");
        assert_eq!(explicit("line"), !track_counts, "{deletes:#?}");
        assert_eq!(count(&mut s, "order"), 2);
        assert_eq!(count(&mut s, "line"), 4);
        let kept = format!("shop_id = {}", doomed.id);
        assert_eq!(count_where(&mut s, "shop_note", &kept), 0);
    }
}
