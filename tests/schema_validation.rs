//! Declarations that compile but contradict each other across models are typed errors at first
//! use, naming models, fields and columns, and the session stays usable.

use cascade_runtime::{Error, Model, Session};

#[derive(Model, Debug, Clone)]
pub struct Ship {
    #[model(primary_key)]
    pub id: i64,
    #[relationship]
    pub crew: Vec<Sailor>,
}

#[derive(Model, Debug, Clone)]
pub struct Sailor {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Ship)]
    pub ship_id: Option<i64>,
    #[model(foreign_key = Ship)]
    pub captain_of: Option<i64>,
}

/// The same two models, with the join named.
#[derive(Model, Debug, Clone)]
pub struct Fleet {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(foreign_key = "fleet_id", cascade = "all")]
    pub boats: Vec<Boat>,
}

#[derive(Model, Debug, Clone)]
pub struct Boat {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Fleet)]
    pub fleet_id: Option<i64>,
    #[model(foreign_key = Fleet)]
    pub flagship_of: Option<i64>,
}

#[derive(Model, Debug, Clone)]
pub struct Lonely {
    #[model(primary_key)]
    pub id: i64,
    #[relationship]
    pub strangers: Vec<Stranger>,
}

#[derive(Model, Debug, Clone)]
pub struct Stranger {
    #[model(primary_key)]
    pub id: i64,
}

#[derive(Model, Debug, Clone)]
pub struct Hen {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(back_populates = "mother")]
    pub chicks: Vec<Chick>,
}

#[derive(Model, Debug, Clone)]
pub struct Chick {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Hen)]
    pub hen_id: Option<i64>,
}

#[derive(Model, Debug, Clone)]
pub struct Leaf {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Branch)]
    pub branch_id: Option<i64>,
    #[relationship(cascade = "all, delete-orphan")]
    pub branch: Option<Box<Branch>>,
}

#[derive(Model, Debug, Clone)]
pub struct Branch {
    #[model(primary_key)]
    pub id: i64,
}

#[derive(Model, Debug, Clone)]
pub struct Wheel {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Car)]
    pub car_id: Option<i64>,
    #[relationship]
    pub cars: Vec<Car>,
}

#[derive(Model, Debug, Clone)]
pub struct Car {
    #[model(primary_key)]
    pub id: i64,
}

fn schema_error<M: Model>() -> (&'static str, Option<&'static str>, String) {
    let mut s = Session::open_in_memory().unwrap();
    match s.create_all::<M>() {
        Err(Error::Schema {
            model,
            field,
            message,
        }) => (model, field, message),
        other => panic!("expected a schema error, got {other:?}"),
    }
}

#[test]
fn an_ambiguous_foreign_key_names_the_candidates() {
    let (model, field, message) = schema_error::<Ship>();
    assert_eq!((model, field), ("Ship", Some("crew")));
    assert!(
        message.contains("sailor.ship_id") && message.contains("sailor.captain_of"),
        "{message}"
    );
    assert!(message.contains("foreign_key = \"column\""), "{message}");
}

#[test]
fn naming_the_foreign_key_resolves_the_ambiguity() {
    let mut s = Session::open_in_memory().unwrap();
    s.create_all::<Fleet>().unwrap();
    let mut fleet = Fleet {
        id: 0,
        boats: vec![Boat {
            id: 0,
            fleet_id: None,
            flagship_of: None,
        }],
    };
    s.insert(&mut fleet).unwrap();
    assert_eq!(fleet.boats[0].fleet_id, Some(fleet.id));
    assert_eq!(fleet.boats[0].flagship_of, None);
    assert_eq!(s.delete(&fleet).unwrap().count("boat"), 1);
}

#[test]
fn a_missing_foreign_key_says_what_to_add() {
    let (model, field, message) = schema_error::<Lonely>();
    assert_eq!((model, field), ("Lonely", Some("strangers")));
    assert!(
        message.contains("#[model(foreign_key = Lonely)]"),
        "{message}"
    );
}

#[test]
fn back_populates_naming_nothing_lists_what_exists() {
    let (model, field, message) = schema_error::<Hen>();
    assert_eq!((model, field), ("Hen", Some("chicks")));
    assert!(
        message.contains("\"mother\"") && message.contains("Chick"),
        "{message}"
    );
}

#[test]
fn delete_orphan_on_many_to_one_needs_single_parent() {
    let (model, field, message) = schema_error::<Leaf>();
    assert_eq!((model, field), ("Leaf", Some("branch")));
    assert!(message.contains("single_parent = true"), "{message}");
}

#[test]
fn a_collection_over_a_key_held_by_the_source_is_a_many_to_one() {
    let (model, field, message) = schema_error::<Wheel>();
    assert_eq!((model, field), ("Wheel", Some("cars")));
    assert!(message.contains("Option<Car>"), "{message}");
}

#[test]
fn a_failed_validation_leaves_the_session_usable() {
    let mut s = Session::open_in_memory().unwrap();
    assert!(s.create_all::<Ship>().is_err());
    assert!(
        s.delete_by_pk::<Ship>(1).is_err(),
        "the bad model stays refused"
    );
    s.create_all::<Fleet>().unwrap();
    assert_eq!(s.delete_by_pk::<Fleet>(1).unwrap().total(), 0);
}
