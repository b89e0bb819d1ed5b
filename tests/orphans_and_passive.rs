//! Behaviours SQLAlchemy's and Django's own test suites assert: many-to-one `delete-orphan`,
//! links that belong to `save-update`, `passive_deletes` on updates and on many-to-one
//! deletes, reports that list only what changed, and refusals that name every blocker.
//! (The cases ported one by one from the upstream suites are in `tests/upstream_*.rs`.)

mod common;

use cascade_runtime::{Backend, BlockReason, Error, Model, Result, Session};
use common::{count, count_where, Db};

// --- 1. Many-to-one delete-orphan --------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "person")]
pub struct Person {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[model(foreign_key = Pref)]
    pub pref_id: Option<i64>,
    #[relationship(cascade = "all, delete-orphan", single_parent = true)]
    pub pref: Option<Box<Pref>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "pref")]
pub struct Pref {
    #[model(primary_key)]
    pub id: i64,
    pub data: String,
}

fn person_with_pref<B: Backend>(s: &mut Session<B>, data: &str) -> Result<Person> {
    let mut p = Person {
        id: 0,
        name: "p".into(),
        pref_id: None,
        pref: Some(Box::new(Pref {
            id: 0,
            data: data.into(),
        })),
    };
    s.insert(&mut p)?;
    Ok(p)
}

#[test]
fn replacing_a_many_to_one_delete_orphan_target_deletes_the_old_one() {
    on_all!(|s| {
        s.create_all::<Person>()?;
        let mut p = person_with_pref(s, "old")?;
        let old = p.pref_id.unwrap();
        p.pref = Some(Box::new(Pref {
            id: 0,
            data: "new".into(),
        }));
        let report = s.update(&mut p)?;
        assert_eq!(report.count("pref"), 1);
        assert!(s.get::<Pref>(old)?.is_none(), "the old pref is an orphan");
        let new = p.pref_id.expect("the new pref's key");
        assert_ne!(new, old);
        assert_eq!(s.get::<Pref>(new)?.unwrap().data, "new");
        assert_eq!(count(s, "pref"), 1);
        Ok(())
    });
}

#[test]
fn setting_a_many_to_one_delete_orphan_to_none_deletes_the_target() {
    on_all!(|s| {
        s.create_all::<Person>()?;
        let mut p = person_with_pref(s, "old")?;
        let mut other = person_with_pref(s, "other's")?;
        let old = p.pref_id.unwrap();
        p.pref = None;
        s.update(&mut p)?;
        assert_eq!(p.pref_id, None, "the key follows the field");
        assert!(s.get::<Pref>(old)?.is_none());
        assert_eq!(s.get::<Person>(p.id)?.unwrap().pref_id, None);
        // Through merge too.
        let theirs = other.pref_id.unwrap();
        other.pref = None;
        s.merge(&mut other)?;
        assert!(s.get::<Pref>(theirs)?.is_none());
        assert_eq!(count(s, "pref"), 0);
        assert_eq!(count(s, "person"), 2);
        Ok(())
    });
}

#[test]
fn an_unchanged_many_to_one_target_is_kept() {
    on_all!(|s| {
        s.create_all::<Person>()?;
        let mut p = person_with_pref(s, "kept")?;
        p.name = "renamed".into();
        let report = s.update(&mut p)?;
        assert_eq!(report.total(), 0);
        p.pref.as_mut().unwrap().data = "edited".into();
        s.merge(&mut p)?;
        assert_eq!(s.get::<Pref>(p.pref_id.unwrap())?.unwrap().data, "edited");
        assert_eq!(count(s, "pref"), 1);
        // Inserting never orphans anything.
        let mut q = Person {
            id: 0,
            name: "q".into(),
            pref_id: p.pref_id,
            pref: None,
        };
        s.insert(&mut q)?;
        assert_eq!(count(s, "pref"), 1);
        Ok(())
    });
}

// A chain T1 -> T2 -> T3 of many-to-one delete-orphans (SQLAlchemy's M2OCascadeDeleteOrphanTest).
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "t1")]
pub struct T1 {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = T2)]
    pub t2_id: Option<i64>,
    #[relationship(cascade = "all, delete-orphan", single_parent = true)]
    pub t2: Option<Box<T2>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "t2")]
pub struct T2 {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = T3)]
    pub t3_id: Option<i64>,
    #[relationship(cascade = "all, delete-orphan", single_parent = true)]
    pub t3: Option<Box<T3>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "t3")]
pub struct T3 {
    #[model(primary_key)]
    pub id: i64,
    pub data: String,
}

fn chain<B: Backend>(s: &mut Session<B>) -> Result<T1> {
    let mut t1 = T1 {
        id: 0,
        t2_id: None,
        t2: Some(Box::new(T2 {
            id: 0,
            t3_id: None,
            t3: Some(Box::new(T3 {
                id: 0,
                data: "t3".into(),
            })),
        })),
    };
    s.insert(&mut t1)?;
    Ok(t1)
}

#[test]
fn cutting_a_chain_at_its_head_deletes_the_rest_of_it() {
    on_all!(|s| {
        s.create_all::<T1>()?;
        let mut t1 = chain(s)?;
        assert_eq!((count(s, "t2"), count(s, "t3")), (1, 1));
        t1.t2 = None;
        let report = s.update(&mut t1)?;
        assert_eq!((report.count("t2"), report.count("t3")), (1, 1));
        assert_eq!((count(s, "t1"), count(s, "t2"), count(s, "t3")), (1, 0, 0));
        Ok(())
    });
}

#[test]
fn cutting_a_chain_in_its_middle_deletes_only_the_tail() {
    on_all!(|s| {
        s.create_all::<T1>()?;
        let mut t1 = chain(s)?;
        t1.t2.as_mut().unwrap().t3 = None;
        let report = s.update(&mut t1)?;
        assert_eq!(report.count("t3"), 1);
        assert_eq!((count(s, "t1"), count(s, "t2"), count(s, "t3")), (1, 1, 0));
        assert_eq!(count_where(s, "t2", "t3_id IS NULL"), 1);
        Ok(())
    });
}

// --- 2. Links belong to save-update ------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "shelf")]
pub struct Shelf {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(cascade = "none", secondary = ShelfBook)]
    pub books: Vec<Book>,
    #[relationship(cascade = "merge", secondary = ShelfFavourite)]
    pub favourites: Vec<Book>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "book")]
pub struct Book {
    #[model(primary_key)]
    pub id: i64,
    pub title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "shelf_book")]
pub struct ShelfBook {
    #[model(primary_key, foreign_key = Shelf)]
    pub shelf_id: i64,
    #[model(primary_key, foreign_key = Book)]
    pub book_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "shelf_favourite")]
pub struct ShelfFavourite {
    #[model(primary_key, foreign_key = Shelf)]
    pub shelf_id: i64,
    #[model(primary_key, foreign_key = Book)]
    pub book_id: i64,
}

#[test]
fn without_save_update_insert_and_update_leave_links_alone() {
    on_all!(|s| {
        s.create_all::<Shelf>()?;
        let mut saved = Book {
            id: 0,
            title: "saved".into(),
        };
        s.insert(&mut saved)?;
        let unsaved = Book {
            id: 0,
            title: "never saved".into(),
        };
        let mut shelf = Shelf {
            id: 0,
            books: vec![saved.clone(), unsaved.clone()],
            favourites: vec![unsaved],
        };
        s.insert(&mut shelf)?; // no MissingKey: the links are not this call's business
        assert_eq!(count(s, "shelf_book"), 0);
        assert_eq!(count(s, "shelf_favourite"), 0);
        assert_eq!(count(s, "book"), 1, "the unsaved book was not inserted");

        // Links written by hand are not removed by an update whose collection lacks them.
        s.sql_batch(&format!(
            "INSERT INTO shelf_book (shelf_id, book_id) VALUES ({}, {})",
            shelf.id, saved.id
        ));
        shelf.books.clear();
        s.update(&mut shelf)?;
        assert_eq!(count(s, "shelf_book"), 1);
        Ok(())
    });
}

// --- 3. passive_deletes = "all" on updates ------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "feed")]
pub struct Feed {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(passive_deletes = "all")]
    pub entries: Vec<Entry>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "entry")]
pub struct Entry {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Feed, on_delete = "cascade")]
    pub feed_id: Option<i64>,
}

#[test]
fn passive_deletes_all_never_touches_rows_that_left_the_collection() {
    on_all!(|s| {
        s.create_all::<Feed>()?;
        let mut feed = Feed {
            id: 0,
            entries: vec![
                Entry {
                    id: 0,
                    feed_id: None,
                },
                Entry {
                    id: 0,
                    feed_id: None,
                },
            ],
        };
        s.insert(&mut feed)?;
        let removed = feed.entries.remove(0);
        s.update(&mut feed)?;
        assert_eq!(
            s.get::<Entry>(removed.id)?.unwrap().feed_id,
            Some(feed.id),
            "the key keeps its value"
        );
        // On delete, the database's own action applies.
        let report = s.delete(&feed)?;
        assert_eq!(report.count("entry"), 2);
        Ok(())
    });
}

// --- 4. passive_deletes = true on a many-to-one with delete --------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "owner")]
pub struct Owner {
    #[model(primary_key)]
    pub id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "pet")]
pub struct Pet {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Owner, on_delete = "cascade")]
    pub owner_id: i64,
    #[relationship(
        cascade = "all, delete",
        passive_deletes = true,
        foreign_key = "owner_id"
    )]
    pub owner: Option<Box<Owner>>,
    #[model(foreign_key = Owner)]
    pub vet_id: Option<i64>,
    #[relationship(cascade = "all, delete", foreign_key = "vet_id")]
    pub vet: Option<Box<Owner>>,
}

#[test]
fn a_passive_many_to_one_delete_keeps_the_parent() {
    on_all!(|s| {
        s.create_all::<Pet>()?;
        let mut pet = Pet {
            id: 0,
            owner_id: 0,
            owner: Some(Box::new(Owner { id: 0 })),
            vet_id: None,
            vet: None,
        };
        s.insert(&mut pet)?;
        let plan = s.plan_delete::<Pet>(pet.id)?;
        assert_eq!(plan.count("owner"), 0);
        let report = s.delete(&pet)?;
        assert_eq!(report.count("pet"), 1);
        assert_eq!(report.count("owner"), 0);
        assert!(s.get::<Owner>(pet.owner_id)?.is_some(), "the parent stays");

        // Without passive_deletes, a many-to-one delete takes the parent along.
        let mut owner = Owner { id: 0 };
        s.insert(&mut owner)?;
        let mut pet = Pet {
            id: 0,
            owner_id: owner.id,
            owner: None,
            vet_id: None,
            vet: Some(Box::new(Owner { id: 0 })),
        };
        s.insert(&mut pet)?;
        let report = s.delete(&pet)?;
        assert_eq!(report.count("owner"), 1);
        assert!(s.get::<Owner>(pet.vet_id.unwrap())?.is_none());
        Ok(())
    });
}

// --- 5. Reports list only tables that lost rows --------------------------------------------

#[test]
fn an_empty_delete_reports_nothing() {
    on_all!(|s| {
        s.create_all::<common::Parent>()?;
        let report = s.delete_by_pk::<common::Parent>(404)?;
        assert_eq!(report.total(), 0);
        assert_eq!(report.deleted().count(), 0, "Django's (0, {{}})");
        assert_eq!(report.count("child"), 0);
        assert!(!report.to_string().contains("child"), "{report}");

        let mut p = common::family("f", 2, 0);
        s.insert(&mut p)?;
        let report = s.delete(&p)?;
        let listed: Vec<(&str, usize)> = report.deleted().collect();
        assert_eq!(
            listed,
            [("child", 2), ("parent", 1)],
            "no toy: it lost nothing"
        );
        Ok(())
    });
}

// --- 6. Every blocker is named --------------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "artist")]
pub struct Artist {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(on_delete = "protect")]
    pub contracts: Vec<Contract>,
    #[relationship(on_delete = "restrict")]
    pub songs: Vec<Song>,
    #[relationship]
    pub fans: Vec<Fan>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "contract")]
pub struct Contract {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Artist)]
    pub artist_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "song")]
pub struct Song {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Artist)]
    pub artist_id: i64,
}

/// NOT NULL and no delete cascade: set to NULL is impossible.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "fan")]
pub struct Fan {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Artist)]
    pub artist_id: i64,
}

#[test]
fn every_blocking_rule_is_reported_at_once() -> Result<()> {
    let mut s = Session::open_in_memory()?;
    s.create_all::<Artist>()?;
    let mut artist = Artist {
        id: 0,
        contracts: vec![Contract {
            id: 0,
            artist_id: 0,
        }],
        songs: vec![
            Song {
                id: 0,
                artist_id: 0,
            },
            Song {
                id: 0,
                artist_id: 0,
            },
        ],
        fans: vec![Fan {
            id: 0,
            artist_id: 0,
        }],
    };
    s.insert(&mut artist)?;
    let err = s.delete(&artist).unwrap_err();
    let Error::Blocked {
        table, blockers, ..
    } = &err
    else {
        panic!("expected Blocked, got {err:?}");
    };
    assert_eq!(
        table, &blockers[0].table,
        "the named fields are the first blocker's"
    );
    let mut found: Vec<(&str, u64, BlockReason)> = blockers
        .iter()
        .map(|b| (b.table.as_str(), b.rows, b.reason))
        .collect();
    found.sort_by_key(|b| b.0);
    assert_eq!(
        found,
        [
            ("contract", 1, BlockReason::Protect),
            ("fan", 1, BlockReason::NotNull),
            ("song", 2, BlockReason::Restrict),
        ]
    );
    let songs = blockers.iter().find(|b| b.table == "song").unwrap();
    assert_eq!(songs.keys, ["1", "2"]);
    let message = err.to_string();
    for name in ["\"contract\"", "\"song\"", "\"fan\""] {
        assert!(message.contains(name), "{message}");
    }
    assert_eq!(count(&mut s, "song"), 2, "nothing changed");
    assert_eq!(count(&mut s, "artist"), 1);
    Ok(())
}
