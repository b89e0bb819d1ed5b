//! Table names as SQLite sees them: without regard to ASCII case; one table, one model.

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
            assert!(message.contains("both map to the table"), "{err}");
            assert!(message.contains("differ only in case"), "{err}");
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

// Two models over one table, as Diesel users write projections: the columns in another order.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "person")]
pub struct Person {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    pub email: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "person")]
pub struct Contact {
    #[model(primary_key)]
    pub id: i64,
    pub email: String,
    pub name: String,
}

#[test]
fn a_second_model_on_a_table_is_refused_and_never_mixes_columns() {
    let mut s = Session::open_in_memory().unwrap();
    s.create_all::<Person>().unwrap();
    let mut ada = Person {
        id: 0,
        name: "Ada".into(),
        email: "ada@example.org".into(),
    };
    s.insert(&mut ada).unwrap();
    ada.id = 0; // inserted again below, in a file
    let mut contact = Contact {
        id: 0,
        email: "bob@example.org".into(),
        name: "Bob".into(),
    };
    for err in [
        s.insert(&mut contact).unwrap_err(),
        s.get::<Contact>(ada.id).unwrap_err(),
        s.delete_by_pk::<Contact>(ada.id).unwrap_err(),
        s.check_schema::<Contact>().unwrap_err(),
    ] {
        match &err {
            Error::Schema { model, message, .. } => {
                assert_eq!(*model, "Contact");
                assert!(
                    message.contains("`Person` and `Contact` both map to the table \"person\""),
                    "{message}"
                );
            }
            other => panic!("expected a schema error, got {other:?}"),
        }
    }
    let rows: Vec<(String, String)> = s
        .connection()
        .prepare("SELECT name, email FROM person")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows, [("Ada".to_owned(), "ada@example.org".to_owned())]);
    // The model the session knows still works.
    assert_eq!(
        s.get::<Person>(1).unwrap().map(|p| p.name),
        Some("Ada".to_owned())
    );

    // Alone in a session of its own, the projection reads and writes its columns by name.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.db");
    let mut people = Session::open(&path).unwrap();
    people.create_all::<Person>().unwrap();
    people.insert(&mut ada).unwrap();
    let mut contacts = Session::open(&path).unwrap();
    let seen = contacts.get::<Contact>(ada.id).unwrap().unwrap();
    assert_eq!(
        (seen.name.as_str(), seen.email.as_str()),
        ("Ada", "ada@example.org")
    );
    contacts.insert(&mut contact).unwrap();
    let bob = people.get::<Person>(contact.id).unwrap().unwrap();
    assert_eq!(
        (bob.name.as_str(), bob.email.as_str()),
        ("Bob", "bob@example.org")
    );
}
