//! Column types: narrow integers and `f32` with range checks on read, and behind features
//! named after their crates, dates and times (`chrono`, `time`), `uuid` (also as a key) and
//! `serde_json`. On SQLite (file and memory) and PostgreSQL.

mod common;

use cascade_runtime::{Error, Model, Result, Session};
use common::Db;

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Numbers {
    #[model(primary_key)]
    pub id: i64,
    pub tiny: i8,
    pub small: i16,
    pub byte: u8,
    pub word: u16,
    pub unsigned: u32,
    pub single: f32,
    pub maybe_byte: Option<u8>,
    pub maybe_single: Option<f32>,
}

#[test]
fn narrow_integers_and_f32_round_trip_at_their_limits() {
    on_all!(|s| {
        s.create_all::<Numbers>()?;
        let mut rows = [
            Numbers {
                id: 0,
                tiny: i8::MIN,
                small: i16::MIN,
                byte: 0,
                word: 0,
                unsigned: 0,
                single: f32::MIN,
                maybe_byte: None,
                maybe_single: None,
            },
            Numbers {
                id: 0,
                tiny: i8::MAX,
                small: i16::MAX,
                byte: u8::MAX,
                word: u16::MAX,
                unsigned: u32::MAX,
                single: 1.5,
                maybe_byte: Some(7),
                maybe_single: Some(-0.25),
            },
        ];
        for row in &mut rows {
            s.insert(row)?;
        }
        for row in &rows {
            assert_eq!(s.get::<Numbers>(row.id)?.as_ref(), Some(row));
        }
        assert_eq!(
            s.count_where::<Numbers>(&format!("unsigned > {}", s.p(1)), [i64::from(i32::MAX)])?,
            1
        );
        Ok(())
    });
}

#[test]
fn a_value_out_of_a_field_s_range_is_an_error_naming_the_column() {
    on_all!(|s| {
        s.create_all::<Numbers>()?;
        s.sql_batch(
            "INSERT INTO numbers (id, tiny, small, byte, word, unsigned, single) \
             VALUES (1, 0, 0, 300, 0, 0, 0), (2, 0, 0, 0, 70000, 0, 0), (3, 0, 0, 0, 0, -1, 0)",
        );
        let mut cases = vec![
            (1, "byte", "integer 300 out of range"),
            (2, "word", "integer 70000 out of range"),
            (3, "unsigned", "integer -1 out of range"),
        ];
        if s.is_postgres() {
            // An f32 field is a `real` column there: the database itself refuses a value out
            // of its range, so no row can hold one.
            let err = s
                .count_where::<Numbers>("single < CAST(1e300 AS real)", [])
                .unwrap_err();
            assert!(err.to_string().contains("out of range"), "{err}");
        } else {
            s.sql_batch(
                "INSERT INTO numbers (id, tiny, small, byte, word, unsigned, single) \
                 VALUES (4, 0, 0, 0, 0, 0, 1e300)",
            );
            cases.push((4, "single", "out of range"));
        }
        for (id, column, found) in cases {
            match s.get::<Numbers>(id).unwrap_err() {
                Error::Conversion {
                    table,
                    column: c,
                    found: f,
                    ..
                } => {
                    assert_eq!((table.as_str(), c.as_str()), ("numbers", column));
                    assert!(f.contains(found), "{f}");
                }
                other => panic!("expected a conversion error, got {other:?}"),
            }
        }
        Ok(())
    });
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Chrono {
    #[model(primary_key)]
    pub id: i64,
    pub day: chrono::NaiveDate,
    pub local: chrono::NaiveDateTime,
    pub instant: chrono::DateTime<chrono::Utc>,
    pub maybe: Option<chrono::DateTime<chrono::Utc>>,
}

#[test]
fn chrono_dates_and_times_round_trip_and_compare_in_sql() {
    use chrono::{NaiveDate, TimeZone, Utc};
    on_all!(|s| {
        s.create_all::<Chrono>()?;
        let at = |d: u32, h: u32| {
            NaiveDate::from_ymd_opt(2024, 2, d)
                .unwrap()
                .and_hms_micro_opt(h, 5, 6, 123_456)
                .unwrap()
        };
        let mut rows: Vec<Chrono> = (1..=3)
            .map(|d| Chrono {
                id: 0,
                day: NaiveDate::from_ymd_opt(2024, 2, 26 + d).unwrap(),
                local: at(d, 23),
                instant: Utc.from_utc_datetime(&at(d, 1)),
                maybe: (d == 2).then(|| Utc.from_utc_datetime(&at(d, 2))),
            })
            .collect();
        for row in &mut rows {
            s.insert(row)?;
        }
        let back = s.select_where::<Chrono>("true", [])?;
        assert_eq!(back, rows);
        // Stored as sortable text: SQL compares them as the types do.
        let cutoff = Utc.from_utc_datetime(&at(2, 0));
        let p1 = s.p(1);
        assert_eq!(
            s.count_where::<Chrono>(&format!("instant >= {p1}"), [cutoff])?,
            2
        );
        assert_eq!(
            s.count_where::<Chrono>(
                &format!("day = {p1}"),
                [NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()]
            )?,
            1,
            "2024 is a leap year"
        );
        assert_eq!(
            s.delete_where::<Chrono>(&format!("local < {p1}"), [at(2, 0)])?
                .total(),
            1
        );
        // A value the database computed itself reads too: SQLite's date functions write
        // text, PostgreSQL's a timestamp.
        let computed = if s.is_postgres() {
            "'2024-05-06 07:08:09'::timestamp"
        } else {
            "datetime('2024-05-06 07:08:09')"
        };
        s.sql_batch(&format!(
            "UPDATE chrono SET local = {computed} WHERE id = {}",
            rows[1].id
        ));
        let row = s.get::<Chrono>(rows[1].id)?.unwrap();
        assert_eq!(row.local.to_string(), "2024-05-06 07:08:09");
        Ok(())
    });
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct TimeCrate {
    #[model(primary_key)]
    pub id: i64,
    pub day: time::Date,
    pub local: time::PrimitiveDateTime,
    pub instant: time::OffsetDateTime,
}

#[test]
fn time_dates_and_times_round_trip_and_offsets_are_stored_in_utc() {
    use time::macros::{date, datetime};
    on_all!(|s| {
        s.create_all::<TimeCrate>()?;
        let mut row = TimeCrate {
            id: 0,
            day: date!(1969 - 12 - 31),
            local: datetime!(2000-01-01 0:00:00.000_001),
            instant: datetime!(2024-06-01 12:00 +02:00),
        };
        s.insert(&mut row)?;
        let back = s.get::<TimeCrate>(row.id)?.unwrap();
        assert_eq!((back.day, back.local), (row.day, row.local));
        assert_eq!(back.instant, row.instant, "the same instant");
        assert_eq!(
            back.instant.offset(),
            time::UtcOffset::UTC,
            "read back in UTC"
        );
        // Stored as UTC: on SQLite this very text, on PostgreSQL a timestamptz of that instant.
        let stored = if s.is_postgres() {
            "instant = '2024-06-01 10:00:00+00'::timestamptz"
        } else {
            "instant = '2024-06-01T10:00:00.000000Z'"
        };
        assert_eq!(common::count_where(s, "time_crate", stored), 1);
        Ok(())
    });
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Document {
    #[model(primary_key)]
    pub id: uuid::Uuid,
    pub body: serde_json::Value,
    #[relationship(cascade = "all, delete")]
    pub revisions: Vec<Revision>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Revision {
    #[model(primary_key)]
    pub id: uuid::Uuid,
    #[model(foreign_key = Document)]
    pub document_id: Option<uuid::Uuid>,
    pub note: Option<serde_json::Value>,
}

#[test]
fn uuid_keys_and_json_columns_cascade_like_any_other() {
    on_all!(|s| {
        s.create_all::<Document>()?;
        let revision = |note: Option<serde_json::Value>| Revision {
            id: uuid::Uuid::new_v4(),
            document_id: None,
            note,
        };
        let mut doc = Document {
            id: uuid::Uuid::new_v4(),
            body: serde_json::json!({"title": "x", "tags": [1, 2, "3"], "n": null}),
            revisions: vec![revision(Some(serde_json::json!("123"))), revision(None)],
        };
        s.insert(&mut doc)?;
        assert_eq!(doc.revisions[0].document_id, Some(doc.id));
        let back = s.get_with_related::<Document>(doc.id)?.unwrap();
        assert_eq!(back.body, doc.body);
        assert_eq!(back.revisions.len(), 2);
        assert!(back.revisions.contains(&doc.revisions[0]));
        assert_eq!(
            s.get::<Revision>(doc.revisions[1].id)?,
            Some(doc.revisions[1].clone())
        );
        assert_eq!(s.plan_delete::<Document>(&doc.id)?.count("revision"), 2);
        let report = s.delete_by_pk::<Document>(doc.id)?;
        assert_eq!((report.count("document"), report.count("revision")), (1, 2));
        assert_eq!(s.count::<Revision>()?, 0);
        Ok(())
    });
}

#[test]
fn text_that_is_not_a_date_is_a_conversion_error() -> Result<()> {
    let mut s = Session::open_in_memory()?;
    s.create_all::<Chrono>()?;
    s.connection().execute(
        "INSERT INTO chrono (id, day, local, instant) VALUES (1, '2024-02-30', '', 'soon')",
        [],
    )?;
    match s.get::<Chrono>(1).unwrap_err() {
        Error::Conversion { column, found, .. } => {
            assert_eq!(column, "day");
            assert!(found.contains("2024-02-30"), "{found}");
        }
        other => panic!("expected a conversion error, got {other:?}"),
    }
    Ok(())
}
