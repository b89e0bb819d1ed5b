//! Table names as SQLite sees them: without regard to ASCII case.

use cascade_runtime::{Error, Model, Session};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ledger")]
pub struct Ledger {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(cascade = "all")]
    pub entries: Vec<Entry>,
}

/// `LEDGER` is the table `ledger` in SQLite.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "LEDGER")]
pub struct Entry {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Ledger)]
    pub ledger_id: Option<i64>,
}

#[test]
fn two_models_on_one_table_differing_in_case_are_a_schema_error() {
    let mut s = Session::open_in_memory().unwrap();
    let err = s.create_all::<Ledger>().unwrap_err();
    match &err {
        Error::Schema { message, .. } => {
            assert!(message.contains("is also the table of"), "{err}");
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
    let tables: i64 = s
        .connection()
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 0, "nothing was created");
}
