//! `tests/delete_regress/models.py` of Django, as models (used by
//! `upstream_django_delete_regress.rs`). Models only used by cases that do not apply (generic
//! relations, proxies, inheritance) are left out; `Food` and `Eaten` (`to_field`) are in
//! `DeleteCascadeTransactionTests`, the one test that uses them.
#![allow(dead_code)]

use crate::common::Db;
use cascade_runtime::{Backend, DeleteHooks, Model, Session};

/// `Book.owner = ForeignKey("Child", CASCADE, null=True)`; hooked, as upstream connects a
/// `post_delete` receiver so that Django does not fast-delete.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "book", hooks)]
pub struct Book {
    #[model(primary_key)]
    pub id: i64,
    pub pagecount: i64,
    #[model(foreign_key = Child)]
    pub owner_id: Option<i64>,
}

impl DeleteHooks for Book {}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "toy")]
pub struct Toy {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
}

/// `Child.toys = ManyToManyField(Toy, through="PlayedWith")`
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "child")]
pub struct Child {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[relationship(secondary = PlayedWith)]
    pub toys: Vec<Toy>,
    #[relationship(on_delete = "cascade")]
    pub books: Vec<Book>,
}

/// The explicit `through` model: its own key, both foreign keys CASCADE.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "played_with")]
pub struct PlayedWith {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Child, on_delete = "cascade")]
    pub child_id: i64,
    #[model(foreign_key = Toy, on_delete = "cascade")]
    pub toy_id: i64,
    #[model(column = "date_col")]
    pub date: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "played_with_note")]
pub struct PlayedWithNote {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = PlayedWith, on_delete = "cascade")]
    pub played_id: i64,
    pub note: String,
}

/// `class Contact(models.Model)`
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "contact")]
pub struct Contact {
    #[model(primary_key)]
    pub id: i64,
    pub label: String,
    #[relationship(on_delete = "cascade")]
    pub email: Option<Email>,
}

/// `class Email(Contact)`: multi-table inheritance (the child row's key is its parent's, and
/// deleting it deletes the parent row).
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "email")]
pub struct Email {
    #[model(primary_key, foreign_key = Contact)]
    pub contact_ptr_id: i64,
    pub email_address: String,
    #[relationship(cascade = "save-update, delete")]
    pub contact_ptr: Option<Box<Contact>>,
}

/// `Researcher.contacts = ManyToManyField(Contact, related_name="research_contacts")`
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "researcher")]
pub struct Researcher {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(secondary = ResearcherContacts)]
    pub contacts: Vec<Contact>,
}

/// The auto-created `through` table: both keys `ON DELETE CASCADE`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "researcher_contacts")]
pub struct ResearcherContacts {
    #[model(primary_key, foreign_key = Researcher, on_delete = "cascade")]
    pub researcher_id: i64,
    #[model(primary_key, foreign_key = Contact, on_delete = "cascade")]
    pub contact_id: i64,
}

// Models for #15776

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "policy")]
pub struct Policy {
    #[model(primary_key)]
    pub id: i64,
    pub policy_number: String,
    #[relationship(on_delete = "cascade")]
    pub versions: Vec<Version>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "version")]
pub struct Version {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Policy)]
    pub policy_id: i64,
    /// `Location.version = ForeignKey(Version, CASCADE, blank=True, null=True)`
    #[relationship(on_delete = "cascade")]
    pub locations: Vec<Location>,
    /// `Item.version = ForeignKey(Version, CASCADE)`
    #[relationship(on_delete = "cascade")]
    pub items: Vec<Item>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "location")]
pub struct Location {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Version)]
    pub version_id: Option<i64>,
    /// `Item.location = ForeignKey(Location, SET_NULL, blank=True, null=True)`
    #[relationship(on_delete = "set null")]
    pub items: Vec<Item>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "item")]
pub struct Item {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Version)]
    pub version_id: i64,
    #[model(foreign_key = Location)]
    pub location_id: Option<i64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "org_unit")]
pub struct OrgUnit {
    #[model(primary_key)]
    pub id: i64,
    #[model(unique)]
    pub name: String,
    #[relationship(on_delete = "cascade")]
    pub logins: Vec<Login>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "login")]
pub struct Login {
    #[model(primary_key)]
    pub id: i64,
    pub description: String,
    #[model(foreign_key = OrgUnit)]
    pub orgunit_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "house")]
pub struct House {
    #[model(primary_key)]
    pub id: i64,
    pub address: String,
    #[relationship(on_delete = "cascade")]
    pub people: Vec<OrderedPerson>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ordered_person")]
pub struct OrderedPerson {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[model(foreign_key = House)]
    pub lives_in_id: i64,
}

/// Creates every table above.
pub fn create_tables<B: Backend>(s: &mut Session<B>) {
    s.create_all::<Child>().unwrap();
    s.create_all::<PlayedWithNote>().unwrap();
    s.create_all::<Policy>().unwrap();
    s.create_all::<OrgUnit>().unwrap();
    s.create_all::<House>().unwrap();
    s.create_all::<Researcher>().unwrap();
    s.create_all::<Email>().unwrap();
}

/// Runs an `INSERT` of one row into a table keyed by `id`, and returns the new row's key.
pub fn add<B: Backend>(s: &mut Session<B>, sql: &str) -> i64
where
    Session<B>: Db,
{
    s.sql_count(&format!("{sql} RETURNING id"))
}

/// Runs a statement.
pub fn run<B: Backend>(s: &mut Session<B>, sql: &str)
where
    Session<B>: Db,
{
    s.sql_batch(sql)
}

pub fn count<B: Backend>(s: &mut Session<B>, table: &str) -> i64
where
    Session<B>: Db,
{
    crate::common::count(s, table)
}

/// Whether `table` has the row with key `id`.
pub fn exists<B: Backend>(s: &mut Session<B>, table: &str, id: i64) -> bool
where
    Session<B>: Db,
{
    let key = match table {
        "email" => "contact_ptr_id",
        _ => "id",
    };
    crate::common::count_where(s, table, &format!("{key} = {id}")) > 0
}
