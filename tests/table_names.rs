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

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "p")]
pub struct P {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(cascade = "all")]
    pub kids: Vec<Kid>,
}

/// The name of `p`'s key set, a temporary table that would hide this one.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "Cascade_Keys_P")]
pub struct Kid {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = P)]
    pub p_id: Option<i64>,
}

/// The name of the recursive query that walks a self-referential table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "cascade_closure")]
pub struct Tree {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Tree)]
    pub parent_id: Option<i64>,
    #[relationship(cascade = "all")]
    pub kids: Vec<Tree>,
}

#[test]
fn the_runtime_s_temporary_table_and_query_names_are_reserved() {
    let mut s = Session::open_in_memory().unwrap();
    match s.create_all::<P>().unwrap_err() {
        Error::Schema { model, message, .. } => {
            assert_eq!(model, "Kid");
            assert!(
                message.starts_with("its table name \"Cascade_Keys_P\" is reserved"),
                "{message}"
            );
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
    match s.create_all::<Tree>().unwrap_err() {
        Error::Schema { model, message, .. } => {
            assert_eq!(model, "Tree");
            assert!(message.contains("cascade_closure"), "{message}");
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
    // A name that only starts like them is anyone's.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "cascade_keyset")]
    pub struct Fine {
        #[model(primary_key)]
        pub id: i64,
    }
    let mut s = Session::open_in_memory().unwrap();
    s.create_all::<Fine>().unwrap();
}
