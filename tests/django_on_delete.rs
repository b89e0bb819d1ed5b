//! Django's on_delete family as relationship options: protect, restrict (decided over the
//! whole plan), set null, set default. A refused delete names table, column and the first
//! blocking keys, and changes nothing.

mod common;

use cascade_runtime::{Backend, BlockReason, Error, Model, Session};
use common::{count, count_where, snapshot, Db};

// Django's own RESTRICT example: deleting an artist is allowed when every song that restricts
// it is deleted anyway, through the artist's albums.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Artist {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(cascade = "all")]
    pub albums: Vec<Album>,
    #[relationship(on_delete = "restrict")]
    pub songs: Vec<Song>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Album {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Artist)]
    pub artist_id: i64,
    #[relationship(cascade = "all")]
    pub songs: Vec<Song>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Song {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Artist)]
    pub artist_id: i64,
    #[model(foreign_key = Album)]
    pub album_id: i64,
}

/// Runs an `INSERT` (values written in it) and returns the key the database assigned.
fn add<B: Backend>(s: &mut Session<B>, insert: &str) -> i64
where
    Session<B>: Db,
{
    s.sql_count(&format!("{insert} RETURNING id"))
}

#[test]
fn restrict_allows_rows_that_another_cascade_path_deletes() {
    on_all!(|s| {
        s.create_all::<Artist>()?;
        let artist = add(s, "INSERT INTO artist DEFAULT VALUES");
        let album = add(
            s,
            &format!("INSERT INTO album (artist_id) VALUES ({artist})"),
        );
        add(
            s,
            &format!("INSERT INTO song (artist_id, album_id) VALUES ({artist}, {album})"),
        );
        add(
            s,
            &format!("INSERT INTO song (artist_id, album_id) VALUES ({artist}, {album})"),
        );
        let report = s.delete_by_pk::<Artist>(artist)?;
        assert_eq!(
            (
                report.count("artist"),
                report.count("album"),
                report.count("song")
            ),
            (1, 1, 2)
        );
        Ok(())
    });
}

#[test]
fn restrict_refuses_rows_no_other_path_deletes_and_names_them() {
    on_all!(|s| {
        s.create_all::<Artist>()?;
        let artist = add(s, "INSERT INTO artist DEFAULT VALUES");
        let other = add(s, "INSERT INTO artist DEFAULT VALUES");
        let own = add(
            s,
            &format!("INSERT INTO album (artist_id) VALUES ({artist})"),
        );
        let foreign = add(
            s,
            &format!("INSERT INTO album (artist_id) VALUES ({other})"),
        );
        add(
            s,
            &format!("INSERT INTO song (artist_id, album_id) VALUES ({artist}, {own})"),
        );
        // A song of `artist` on another artist's album: nothing else deletes it.
        let stray = add(
            s,
            &format!("INSERT INTO song (artist_id, album_id) VALUES ({artist}, {foreign})"),
        );
        let before = snapshot(s, &["artist", "album", "song"]);
        let err = s.delete_by_pk::<Artist>(artist).unwrap_err();
        match &err {
            Error::Blocked {
                table,
                column,
                rows,
                keys,
                reason,
                ..
            } => {
                assert_eq!(
                    (table.as_str(), column.as_str(), *rows),
                    ("song", "artist_id", 1)
                );
                assert_eq!(keys, &[stray.to_string()]);
                assert_eq!(*reason, BlockReason::Restrict);
            }
            other => panic!("expected Blocked, got {other:?}"),
        }
        assert!(
            err.to_string().contains(&format!("blocking keys: {stray}")),
            "{err}"
        );
        assert_eq!(snapshot(s, &["artist", "album", "song"]), before);
        Ok(())
    });
}

// PROTECT refuses even rows that the same delete would remove through another path.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Label {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(cascade = "all")]
    pub catalogs: Vec<Catalog>,
    #[relationship(on_delete = "protect")]
    pub releases: Vec<Release>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Catalog {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Label)]
    pub label_id: i64,
    #[relationship(cascade = "all")]
    pub releases: Vec<Release>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Release {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Label)]
    pub label_id: Option<i64>,
    #[model(foreign_key = Catalog)]
    pub catalog_id: i64,
}

#[test]
fn protect_refuses_while_any_referencing_row_exists() {
    on_all!(|s| {
        s.create_all::<Label>()?;
        let label = add(s, "INSERT INTO label DEFAULT VALUES");
        let catalog = add(
            s,
            &format!("INSERT INTO catalog (label_id) VALUES ({label})"),
        );
        let mut releases = Vec::new();
        for _ in 0..12 {
            releases.push(add(
                s,
                &format!("INSERT INTO release (label_id, catalog_id) VALUES ({label}, {catalog})"),
            ));
        }
        let err = s.delete_by_pk::<Label>(label).unwrap_err();
        match &err {
            Error::Blocked {
                table,
                rows,
                keys,
                reason,
                ..
            } => {
                assert_eq!(
                    (table.as_str(), *rows, *reason),
                    ("release", 12, BlockReason::Protect)
                );
                let first: Vec<String> = releases.iter().take(10).map(i64::to_string).collect();
                assert_eq!(keys, &first, "the first keys, bounded");
            }
            other => panic!("expected Blocked, got {other:?}"),
        }
        assert!(
            err.to_string().ends_with(", ...; nothing was changed"),
            "{err}"
        );
        assert_eq!(count(s, "release"), 12);

        // Detached from the label, the releases no longer protect it.
        s.sql_batch("UPDATE release SET label_id = NULL");
        let report = s.delete_by_pk::<Label>(label)?;
        assert_eq!((report.count("catalog"), report.count("release")), (1, 12));
        Ok(())
    });
}

// SET NULL and SET DEFAULT at the ORM level.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Owner {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(on_delete = "set null")]
    pub pets: Vec<Pet>,
    #[relationship(on_delete = "set default")]
    pub cars: Vec<Car>,
    #[relationship(on_delete = "cascade")]
    pub keys: Vec<Keyring>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Pet {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Owner)]
    pub owner_id: Option<i64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Car {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Owner, default = 1)]
    pub owner_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Keyring {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Owner)]
    pub owner_id: i64,
}

#[test]
fn set_null_set_default_and_cascade_as_relationship_options() {
    on_all!(|s| {
        s.create_all::<Owner>()?;
        // The database assigns the keys (on PostgreSQL an explicit key would not advance the
        // identity's sequence): the first owner is 1, every car's default.
        let fallback = add(s, "INSERT INTO owner DEFAULT VALUES");
        assert_eq!(fallback, 1);
        let owner = add(s, "INSERT INTO owner DEFAULT VALUES");
        add(s, &format!("INSERT INTO pet (owner_id) VALUES ({owner})"));
        add(s, &format!("INSERT INTO car (owner_id) VALUES ({owner})"));
        add(s, &format!("INSERT INTO car (owner_id) VALUES ({owner})"));
        add(
            s,
            &format!("INSERT INTO keyring (owner_id) VALUES ({owner})"),
        );
        let report = s.delete_by_pk::<Owner>(owner)?;
        assert_eq!(report.nulled("pet"), 1);
        assert_eq!(report.defaulted("car"), 2);
        assert_eq!(report.count("keyring"), 1);
        assert_eq!(count_where(s, "car", &format!("owner_id = {fallback}")), 2);
        assert_eq!(count_where(s, "pet", "owner_id IS NULL"), 1);
        Ok(())
    });
}

// `set null` on a NOT NULL key, `set default` without a default: schema errors at first use.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Kennel {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(on_delete = "set null")]
    pub dogs: Vec<Dog>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Dog {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Kennel)]
    pub kennel_id: i64,
}

#[test]
fn set_null_on_a_not_null_key_is_a_schema_error() {
    on_all!(|s| {
        let err = s.create_all::<Kennel>().unwrap_err();
        match err {
            Error::Schema {
                model,
                field,
                message,
            } => {
                assert_eq!((model, field), ("Kennel", Some("dogs")));
                assert!(
                    message.contains("Dog.kennel_id") && message.contains("Option<_>"),
                    "{message}"
                );
            }
            other => panic!("expected Schema, got {other:?}"),
        }
        Ok(())
    });
}
