//! The session's calls besides deletes: create_all, insert, get, update (save-update and
//! delete-orphan), loading related rows.

mod common;

use cascade_runtime::Error;
use common::*;

#[test]
fn create_all_creates_reachable_tables_with_foreign_keys_and_indexes() {
    let (_dir, mut s) = file_session();
    s.create_all::<Parent>().unwrap();
    s.create_all::<Parent>().unwrap(); // IF NOT EXISTS
    let tables: Vec<String> = s
        .connection()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(tables, ["child", "parent", "toy"]);
    let fk: (String, String, String) = s
        .connection()
        .query_row(
            "SELECT \"table\", \"from\", on_delete FROM pragma_foreign_key_list('toy')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(fk, ("child".into(), "child_id".into(), "NO ACTION".into()));
    let indexed: i64 = s
        .connection()
        .query_row("SELECT count(*) FROM pragma_index_list('child') AS l, pragma_index_info(l.name) AS i WHERE i.name = 'parent_id'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(indexed, 1, "every foreign key column is indexed");
    let fk_on: i64 = s
        .connection()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk_on, 1);
}

/// The same on PostgreSQL, read from its catalog (foreign keys are always enforced there).
#[test]
fn create_all_creates_reachable_tables_with_foreign_keys_and_indexes_on_postgres() {
    let Some((_schema, mut s)) = common::pg::pg_session() else {
        return;
    };
    s.create_all::<Parent>().unwrap();
    s.create_all::<Parent>().unwrap(); // IF NOT EXISTS
    let tables: Vec<String> = s
        .client()
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY table_name",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(tables, ["child", "parent", "toy"]);
    let fk = s
        .client()
        .query_one(
            "SELECT c.confrelid::regclass::text, a.attname::text, c.confdeltype::text
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             WHERE c.conrelid = 'toy'::regclass AND c.contype = 'f'",
            &[],
        )
        .unwrap();
    let fk: (String, String, String) = (fk.get(0), fk.get(1), fk.get(2));
    // confdeltype 'a' is NO ACTION.
    assert_eq!(fk, ("child".into(), "child_id".into(), "a".into()));
    let indexed = s.sql_count(
        "SELECT count(*) FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = 'child'::regclass AND a.attname = 'parent_id'",
    );
    assert_eq!(indexed, 1, "every foreign key column is indexed");
}

#[test]
fn create_all_writes_on_delete_actions_defaults_and_unique() {
    let (_dir, mut s) = file_session();
    s.create_all::<Product>().unwrap();
    let ddl: String = s
        .connection()
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'product'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        ddl.contains("ON DELETE SET DEFAULT") && ddl.contains("DEFAULT 1"),
        "{ddl}"
    );
    s.create_all::<User>().unwrap();
    let ddl: String = s
        .connection()
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'profile'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(ddl.contains("\"user_id\" INTEGER UNIQUE"), "{ddl}");
}

/// The same on PostgreSQL, read from its catalog.
#[test]
fn create_all_writes_on_delete_actions_defaults_and_unique_on_postgres() {
    let Some((_schema, mut s)) = common::pg::pg_session() else {
        return;
    };
    s.create_all::<Product>().unwrap();
    let fk: String = s
        .client()
        .query_one(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint
             WHERE conrelid = 'product'::regclass AND contype = 'f'",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(fk.contains("ON DELETE SET DEFAULT"), "{fk}");
    let default: String = s
        .client()
        .query_one(
            "SELECT column_default::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = 'product'
             AND column_name = 'category_id'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(default, "1");
    s.create_all::<User>().unwrap();
    let unique: String = s
        .client()
        .query_one(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint
             WHERE conrelid = 'profile'::regclass AND contype = 'u'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(unique, "UNIQUE (user_id)");
    let nullable = s.sql_count(
        "SELECT count(*) FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'profile'
         AND column_name = 'user_id' AND data_type = 'bigint' AND is_nullable = 'YES'",
    );
    assert_eq!(nullable, 1, "\"user_id\" bigint UNIQUE, nullable");
}

#[test]
fn insert_writes_keys_back_and_get_reads_columns_only() {
    on_all!(|s| {
        s.create_all::<Parent>().unwrap();
        let mut p = family("p", 2, 2);
        s.insert(&mut p).unwrap();
        let found = s.get::<Parent>(p.id).unwrap().expect("inserted");
        assert_eq!(found.name, "p");
        assert!(
            found.children.is_empty(),
            "relationship fields are left empty"
        );
        assert_eq!(s.get::<Parent>(p.id + 100).unwrap(), None);
        let full = s.get_with_related::<Parent>(p.id).unwrap().unwrap();
        assert_eq!(full.children.len(), 2);
        assert_eq!(full.children[0].name, p.children[0].name);
        assert!(full.children[0].toys.is_empty(), "one level at a time");
        Ok(())
    });
}

#[test]
fn update_inserts_new_children_updates_existing_and_deletes_orphans() {
    on_all!(|s| {
        s.create_all::<Parent>().unwrap();
        let mut p = family("p", 1, 3);
        s.insert(&mut p).unwrap();
        let child = &mut p.children[0];
        child.toys.remove(0); // an orphan under delete-orphan
        child.toys[0].name = "renamed".into();
        child.toys.push(Toy {
            id: 0,
            child_id: 0,
            name: "new".into(),
        });
        let mut child = child.clone();
        let report = s.update(&mut child).unwrap();
        assert_eq!(report.count("toy"), 1);
        assert_eq!(count(s, "toy"), 3);
        assert!(child.toys[1].id > 0, "the new toy's key is written back");
        assert_eq!(count_where(s, "toy", "name = 'renamed'"), 1);
        Ok(())
    });
}

#[test]
fn update_without_delete_orphan_detaches_removed_children() {
    on_all!(|s| {
        s.create_all::<Team>().unwrap();
        let mut team = Team {
            id: 0,
            name: "t".into(),
            members: vec![
                Member {
                    id: 0,
                    team_id: None,
                    name: "a".into(),
                },
                Member {
                    id: 0,
                    team_id: None,
                    name: "b".into(),
                },
            ],
            badges: vec![Badge { id: 0, team_id: 0 }],
        };
        s.insert(&mut team).unwrap();
        team.members.pop();
        team.name = "renamed".into();
        s.update(&mut team).unwrap();
        assert_eq!(count_where(s, "member", "team_id IS NULL"), 1);
        assert_eq!(s.get::<Team>(team.id).unwrap().unwrap().name, "renamed");

        // Removing a badge would need its NOT NULL key set to NULL: refused, nothing changed.
        team.badges.clear();
        team.name = "again".into();
        let err = s.update(&mut team).unwrap_err();
        assert!(
            matches!(&err, Error::Orphaned { table, column, rows: 1 } if table == "badge" && column == "team_id"),
            "{err:?}"
        );
        assert_eq!(s.get::<Team>(team.id).unwrap().unwrap().name, "renamed");
        Ok(())
    });
}

#[test]
fn update_of_a_missing_row_is_not_found() {
    on_all!(|s| {
        s.create_all::<Parent>().unwrap();
        let mut ghost = Parent {
            id: 42,
            name: "ghost".into(),
            children: vec![],
        };
        let err = s.update(&mut ghost).unwrap_err();
        assert!(
            matches!(&err, Error::NotFound { table, .. } if table == "parent"),
            "{err:?}"
        );
        Ok(())
    });
}

#[test]
fn many_to_many_update_syncs_links() {
    on_all!(|s| {
        s.create_all::<Post>().unwrap();
        let mut post = Post {
            id: 0,
            title: "p".into(),
            tags: vec![
                Tag {
                    id: 0,
                    name: "a".into(),
                },
                Tag {
                    id: 0,
                    name: "b".into(),
                },
            ],
        };
        s.insert(&mut post).unwrap();
        assert_eq!(count(s, "post_tag"), 2);
        post.tags.remove(0);
        post.tags.push(Tag {
            id: 0,
            name: "c".into(),
        });
        s.update(&mut post).unwrap();
        assert_eq!(count(s, "post_tag"), 2);
        assert_eq!(
            count(s, "tag"),
            3,
            "tags that left stay; only their link goes"
        );
        let loaded = s.get_with_related::<Post>(post.id).unwrap().unwrap();
        let names: Vec<&str> = loaded.tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["b", "c"]);
        Ok(())
    });
}

#[test]
fn load_related_fills_many_to_one_and_one_to_one() {
    on_all!(|s| {
        s.create_all::<Node>().unwrap();
        let mut root = Node {
            id: 0,
            parent_id: None,
            label: "root".into(),
            children: vec![Node {
                id: 0,
                parent_id: None,
                label: "kid".into(),
                children: vec![],
                parent: None,
            }],
            parent: None,
        };
        s.insert(&mut root).unwrap();
        let mut kid = s.get::<Node>(root.children[0].id).unwrap().unwrap();
        s.load_related(&mut kid).unwrap();
        assert_eq!(kid.parent.as_ref().map(|p| p.label.as_str()), Some("root"));
        s.create_all::<User>().unwrap();
        let mut u = User {
            id: 0,
            name: "u".into(),
            profile: Some(Profile {
                id: 0,
                user_id: None,
                bio: "hi".into(),
            }),
        };
        s.insert(&mut u).unwrap();
        let loaded = s.get_with_related::<User>(u.id).unwrap().unwrap();
        assert_eq!(loaded.profile.map(|p| p.bio), Some("hi".to_string()));
        Ok(())
    });
}

#[test]
fn an_insert_that_fails_halfway_changes_nothing() {
    on_all!(|s| {
        s.create_all::<Parent>().unwrap();
        s.insert(&mut family("p", 1, 1)).unwrap();
        let before = snapshot(s, &["parent", "child", "toy"]);
        // The second child's toy clashes with toy.name UNIQUE after the parent, the first child
        // and its toy were written: all of it is rolled back.
        let mut clash = family("q", 2, 1);
        clash.children[1].toys[0].name = "p-c0-t0".into();
        let err = s.insert(&mut clash).unwrap_err();
        if s.is_postgres() {
            // PostgreSQL's words for it, and SQLSTATE 23505 (unique_violation).
            assert!(
                matches!(&err, Error::Database { source, .. } if source.sqlstate() == Some("23505")),
                "{err:?}"
            );
            assert!(err.to_string().contains("unique constraint"), "{err}");
        } else {
            assert!(err.to_string().contains("UNIQUE"), "{err}");
        }
        assert_eq!(snapshot(s, &["parent", "child", "toy"]), before);
        Ok(())
    });
}

#[test]
fn a_child_with_an_existing_key_is_updated_by_save_update() {
    on_all!(|s| {
        s.create_all::<Parent>().unwrap();
        let mut first = family("first", 1, 0);
        first.children[0].id = 7;
        s.insert(&mut first).unwrap();
        let mut second = family("second", 1, 0);
        second.children[0].id = 7;
        s.insert(&mut second).unwrap();
        assert_eq!(count(s, "child"), 1);
        assert_eq!(
            count_where(s, "child", &format!("id = 7 AND parent_id = {}", second.id)),
            1
        );
        let mut dup = family("dup", 0, 0);
        dup.id = second.id;
        assert!(
            matches!(s.insert(&mut dup), Err(Error::Database { .. })),
            "a duplicate top-level key"
        );
        Ok(())
    });
}

#[derive(cascade_runtime::Model, Debug, Clone, PartialEq)]
#[model(table = "anchor")]
pub struct Anchor {
    #[model(primary_key)]
    pub id: i64,
}

/// Table `a`, column `b_c`: its index must not be taken for that of table `a_b`, column `c`.
#[derive(cascade_runtime::Model, Debug, Clone, PartialEq)]
#[model(table = "a")]
pub struct TableA {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Anchor)]
    pub b_c: Option<i64>,
    #[model(default = "a\0b")]
    pub odd: String,
}

#[derive(cascade_runtime::Model, Debug, Clone, PartialEq)]
#[model(table = "a_b")]
pub struct TableAB {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Anchor)]
    pub c: Option<i64>,
}

#[test]
fn index_names_never_collide_and_odd_defaults_are_written() {
    let (_dir, mut s) = file_session();
    s.create_all::<TableA>().unwrap();
    s.create_all::<TableAB>().unwrap();
    let report = s.check_schema::<TableA>().unwrap();
    assert!(report.is_clean(), "{report}");
    let report = s.check_schema::<TableAB>().unwrap();
    assert!(report.is_clean(), "{report}");
    s.sql_batch("INSERT INTO a (id) VALUES (1)");
    assert_eq!(s.get::<TableA>(1).unwrap().unwrap().odd, "a\0b");
}

/// Table `a` again, for PostgreSQL: its `text` cannot hold a NUL character, so the odd
/// default there is a quote and a backslash.
#[derive(cascade_runtime::Model, Debug, Clone, PartialEq)]
#[model(table = "a")]
pub struct TableAQuoted {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Anchor)]
    pub b_c: Option<i64>,
    #[model(default = "a'b\\c")]
    pub odd: String,
}

#[test]
fn index_names_never_collide_and_odd_defaults_are_written_on_postgres() {
    let Some((_nul_schema, mut nul)) = common::pg::pg_session() else {
        return;
    };
    // A NUL in a text default is refused by the driver, before anything reaches the server.
    // (Its message: "error encoding message to server"; the cause says why.)
    let err = nul.create_all::<TableA>().unwrap_err();
    assert!(
        matches!(&err, Error::Database { .. }) && format!("{err:?}").contains("embedded null"),
        "{err:?}"
    );
    // A session of its own: this one has `TableA` on table `a` now.
    let Some((_schema, mut s)) = common::pg::pg_session() else {
        return;
    };
    s.create_all::<TableAQuoted>().unwrap();
    s.create_all::<TableAB>().unwrap();
    s.sql_batch("INSERT INTO a (id) VALUES (1)");
    assert_eq!(s.get::<TableAQuoted>(1).unwrap().unwrap().odd, "a'b\\c");
    let report = s.check_schema::<TableAQuoted>().unwrap();
    assert!(report.is_clean(), "{report}");
    let report = s.check_schema::<TableAB>().unwrap();
    assert!(report.is_clean(), "{report}");
}
