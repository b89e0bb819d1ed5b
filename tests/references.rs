//! Foreign keys to a unique column that is not the key (Django's `to_field`, SQLAlchemy's
//! `ForeignKey("user.email")`): `#[model(foreign_key = User, references = "email")]`. Every
//! delete rule, writes, loading and plans go through the referenced column's values.

mod common;

use cascade_runtime::{Backend, BlockReason, Error, Model, PgSession, Result, Session};
use common::{count, count_where, Db};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "member")]
pub struct Member {
    #[model(primary_key)]
    pub id: i64,
    #[model(unique)]
    pub email: String,
    #[relationship(cascade = "all, delete-orphan")]
    pub notes: Vec<Note>,
    #[relationship(cascade = "save-update")]
    pub badges: Vec<Badge>,
    #[relationship(on_delete = "protect")]
    pub invoices: Vec<Invoice>,
    #[relationship(cascade = "save-update", secondary = Membership)]
    pub clubs: Vec<Club>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "note")]
pub struct Note {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Member, references = "email")]
    pub member_email: Option<String>,
    pub text: String,
    #[relationship(cascade = "save-update")]
    pub member: Option<Box<Member>>,
}

/// No `delete` in the cascade: its key is set to NULL.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "badge")]
pub struct Badge {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Member, references = "email")]
    pub member_email: Option<String>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "invoice")]
pub struct Invoice {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Member, references = "email")]
    pub member_email: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "club")]
pub struct Club {
    #[model(primary_key)]
    pub id: i64,
    #[model(unique)]
    pub slug: String,
}

/// Links by email and by slug.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "membership")]
pub struct Membership {
    #[model(primary_key, foreign_key = Member, references = "email")]
    pub member_email: String,
    #[model(primary_key, foreign_key = Club, references = "slug")]
    pub club_slug: String,
}

fn member(email: &str, notes: usize) -> Member {
    Member {
        id: 0,
        email: email.into(),
        notes: (0..notes)
            .map(|i| Note {
                id: 0,
                member_email: None,
                text: format!("{email} #{i}"),
                member: None,
            })
            .collect(),
        badges: vec![Badge {
            id: 0,
            member_email: None,
        }],
        invoices: vec![],
        clubs: vec![],
    }
}

#[test]
fn writes_set_the_referenced_column_not_the_key() {
    on_all!(|s| {
        s.create_all::<Member>()?;
        let mut club = Club {
            id: 0,
            slug: "chess".into(),
        };
        s.insert(&mut club)?;
        let mut ada = member("ada@example.org", 2);
        ada.clubs.push(club.clone());
        s.insert(&mut ada)?;
        assert!(ada
            .notes
            .iter()
            .all(|n| n.member_email.as_deref() == Some("ada@example.org")));
        assert_eq!(
            ada.badges[0].member_email.as_deref(),
            Some("ada@example.org")
        );
        assert_eq!(
            count_where(
                s,
                "membership",
                "member_email = 'ada@example.org' AND club_slug = 'chess'"
            ),
            1
        );
        // A many-to-one through the referenced column.
        let mut note = Note {
            id: 0,
            member_email: None,
            text: "orphan".into(),
            member: Some(Box::new(ada.clone())),
        };
        s.insert(&mut note)?;
        assert_eq!(note.member_email.as_deref(), Some("ada@example.org"));
        Ok(())
    });
}

#[test]
fn loading_goes_through_the_referenced_column() {
    on_all!(|s| {
        s.create_all::<Member>()?;
        let mut club = Club {
            id: 0,
            slug: "go".into(),
        };
        s.insert(&mut club)?;
        let mut ada = member("ada@example.org", 3);
        ada.clubs.push(club.clone());
        s.insert(&mut ada)?;
        let mut bob = member("bob@example.org", 1);
        s.insert(&mut bob)?;

        let mut rows = vec![
            s.get::<Member>(ada.id)?.unwrap(),
            s.get::<Member>(bob.id)?.unwrap(),
        ];
        s.load_all(&mut rows)?;
        assert_eq!(rows[0].notes.len(), 3);
        assert_eq!(rows[1].notes.len(), 1);
        assert_eq!(rows[0].clubs, vec![club.clone()]);
        assert!(rows[1].clubs.is_empty());

        let mut note = s.get::<Note>(ada.notes[0].id)?.unwrap();
        s.load_related(&mut note)?;
        assert_eq!(note.member.as_ref().map(|m| m.id), Some(ada.id));
        Ok(())
    });
}

#[test]
fn loading_many_parents_through_a_unique_column_uses_a_key_table() {
    on_all!(|s| {
        s.create_all::<Member>()?;
        let mut all = Vec::new();
        for i in 0..700 {
            let mut m = member(&format!("m{i}@example.org"), 1);
            m.badges.clear();
            s.insert(&mut m)?;
            all.push(s.get::<Member>(m.id)?.unwrap());
        }
        s.load_all(&mut all)?;
        assert!(all
            .iter()
            .all(|m| m.notes.len() == 1 && m.notes[0].member_email.as_deref() == Some(&m.email)));
        Ok(())
    });
}

#[test]
fn every_delete_rule_goes_through_the_referenced_column() {
    on_all!(|s| {
        s.create_all::<Member>()?;
        let mut club = Club {
            id: 0,
            slug: "go".into(),
        };
        s.insert(&mut club)?;
        let mut ada = member("ada@example.org", 2);
        ada.clubs.push(club.clone());
        s.insert(&mut ada)?;
        let mut bob = member("bob@example.org", 1);
        s.insert(&mut bob)?;

        let plan = s.plan_delete::<Member>(ada.id)?;
        assert_eq!(plan.count("note"), 2);
        assert_eq!(plan.count("membership"), 1);
        assert_eq!(plan.nulled("badge"), 1);

        let report = s.delete(&ada)?;
        assert_eq!(report.count("member"), 1);
        assert_eq!(report.count("note"), 2, "delete cascade");
        assert_eq!(report.count("membership"), 1, "association rows go");
        assert_eq!(report.nulled("badge"), 1, "no delete cascade: set to NULL");
        assert_eq!(count(s, "note"), 1, "bob's note stays");
        assert_eq!(count(s, "club"), 1, "the club stays");
        assert_eq!(count_where(s, "badge", "member_email IS NULL"), 1);
        assert_eq!(
            count_where(s, "badge", "member_email = 'bob@example.org'"),
            1
        );
        Ok(())
    });
}

#[test]
fn protect_through_the_referenced_column_names_the_blocking_rows() {
    on_all!(|s| {
        s.create_all::<Member>()?;
        let mut ada = member("ada@example.org", 1);
        s.insert(&mut ada)?;
        let mut invoice = Invoice {
            id: 0,
            member_email: "ada@example.org".into(),
        };
        s.insert(&mut invoice)?;
        match s.delete(&ada).unwrap_err() {
            Error::Blocked {
                table,
                column,
                rows,
                keys,
                reason,
                ..
            } => {
                assert_eq!(
                    (table.as_str(), column.as_str()),
                    ("invoice", "member_email")
                );
                assert_eq!((rows, reason), (1, BlockReason::Protect));
                assert_eq!(keys, [invoice.id.to_string()]);
            }
            other => panic!("expected Blocked, got {other:?}"),
        }
        assert_eq!(count(s, "note"), 1, "nothing changed");
        Ok(())
    });
}

#[test]
fn update_orphans_and_releases_through_the_referenced_column() {
    on_all!(|s| {
        s.create_all::<Member>()?;
        let mut ada = member("ada@example.org", 3);
        ada.badges.push(Badge {
            id: 0,
            member_email: None,
        });
        s.insert(&mut ada)?;
        let gone = ada.notes.remove(0);
        ada.badges.remove(0);
        let report = s.update(&mut ada)?;
        assert_eq!(report.count("note"), 1, "delete-orphan");
        assert!(s.get::<Note>(gone.id)?.is_none());
        assert_eq!(count(s, "note"), 2);
        assert_eq!(count_where(s, "badge", "member_email IS NULL"), 1);
        Ok(())
    });
}

// A tree whose rows reference their parent by code.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "category")]
pub struct Category {
    #[model(primary_key)]
    pub id: i64,
    #[model(unique)]
    pub code: String,
    #[model(foreign_key = Category, references = "code")]
    pub parent_code: Option<String>,
    #[relationship(cascade = "all, delete")]
    pub children: Vec<Category>,
}

fn tree(code: &str, depth: usize) -> Category {
    Category {
        id: 0,
        code: code.into(),
        parent_code: None,
        children: if depth == 0 {
            vec![]
        } else {
            (0..2)
                .map(|i| tree(&format!("{code}.{i}"), depth - 1))
                .collect()
        },
    }
}

#[test]
fn a_tree_by_code_deletes_its_whole_subtree() {
    on_all!(|s| {
        s.create_all::<Category>()?;
        let mut a = tree("a", 3);
        let mut b = tree("b", 2);
        s.insert(&mut a)?;
        s.insert(&mut b)?;
        assert_eq!(count(s, "category"), 15 + 7);
        let target = &a.children[1];
        assert_eq!(s.plan_delete::<Category>(target.id)?.total(), 7);
        let report = s.delete_by_pk::<Category>(target.id)?;
        assert_eq!(report.count("category"), 7);
        assert_eq!(count(s, "category"), 15);
        assert_eq!(count_where(s, "category", "code LIKE 'a.1%'"), 0);
        Ok(())
    });
}

#[test]
fn agrees_with_sqlite_s_own_on_delete_cascade() -> Result<()> {
    // The same tree, deleted by SQLite itself through the same REFERENCES clause.
    let mut ours = Session::open_in_memory()?;
    ours.create_all::<Category>()?;
    let mut a = tree("a", 4);
    ours.insert(&mut a)?;
    let native = Session::open_in_memory()?;
    native.connection().execute_batch(
        "CREATE TABLE category (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, \
         parent_code TEXT REFERENCES category (code) ON DELETE CASCADE);",
    )?;
    let rows: Vec<(i64, String, Option<String>)> = ours
        .connection()
        .prepare("SELECT id, code, parent_code FROM category ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (id, code, parent) in &rows {
        native.connection().execute(
            "INSERT INTO category VALUES (?1, ?2, ?3)",
            cascade_runtime::rusqlite::params![id, code, parent],
        )?;
    }
    for code in ["a.0.1", "a.1"] {
        ours.delete_where::<Category>("code = ?1", [code])?;
        native
            .connection()
            .execute("DELETE FROM category WHERE code = ?1", [code])?;
    }
    let left = |s: &Session| -> Vec<i64> {
        s.connection()
            .prepare("SELECT id FROM category ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(left(&ours), left(&native));
    assert_eq!(left(&ours).len(), 31 - 7 - 15);
    Ok(())
}

/// PostgreSQL's twin of the test above: the same tree, deleted by PostgreSQL itself through
/// the same `REFERENCES` clause, in a schema of its own.
#[test]
fn agrees_with_postgres_s_own_on_delete_cascade() -> Result<()> {
    let Some((_ours_schema, mut ours)) = common::pg::pg_session() else {
        return Ok(());
    };
    let Some((_native_schema, mut native)) = common::pg::pg_session() else {
        return Ok(());
    };
    ours.create_all::<Category>()?;
    let mut a = tree("a", 4);
    ours.insert(&mut a)?;
    native.sql_batch(
        "CREATE TABLE category (id bigint PRIMARY KEY, code text NOT NULL UNIQUE, \
         parent_code text REFERENCES category (code) ON DELETE CASCADE);",
    );
    let rows: Vec<(i64, String, Option<String>)> = ours
        .client()
        .query(
            "SELECT id, code, parent_code FROM category ORDER BY id",
            &[],
        )
        .expect("the tree's rows")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    for (id, code, parent) in &rows {
        native
            .client()
            .execute(
                "INSERT INTO category VALUES ($1, $2, $3)",
                &[id, code, parent],
            )
            .expect("copy a row");
    }
    for code in ["a.0.1", "a.1"] {
        ours.delete_where::<Category>("code = $1", [code])?;
        native
            .client()
            .execute("DELETE FROM category WHERE code = $1", &[&code])
            .expect("PostgreSQL's own cascade");
    }
    let left = |s: &mut PgSession| -> Vec<i64> {
        s.client()
            .query("SELECT id FROM category ORDER BY id", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    assert_eq!(left(&mut ours), left(&mut native));
    assert_eq!(left(&mut ours).len(), 31 - 7 - 15);
    Ok(())
}

#[test]
fn create_all_writes_references_to_the_column_and_check_schema_agrees() -> Result<()> {
    let mut s = Session::open_in_memory()?;
    s.create_all::<Member>()?;
    let target: String = s.connection().query_row(
        "SELECT \"to\" FROM pragma_foreign_key_list('note')",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(target, "email");
    let report = s.check_schema::<Member>()?;
    assert!(report.is_clean(), "{report}");
    Ok(())
}

/// PostgreSQL's twin of the test above, reading the foreign key from `information_schema`.
#[test]
fn create_all_writes_references_to_the_column_and_check_schema_agrees_on_postgres() -> Result<()> {
    let Some((_schema, mut s)) = common::pg::pg_session() else {
        return Ok(());
    };
    s.create_all::<Member>()?;
    let targets: Vec<String> = s
        .client()
        .query(
            "SELECT c.column_name::text
             FROM information_schema.table_constraints AS t
             JOIN information_schema.constraint_column_usage AS c
               ON c.constraint_schema = t.constraint_schema
              AND c.constraint_name = t.constraint_name
             WHERE t.constraint_type = 'FOREIGN KEY'
               AND t.table_schema = current_schema() AND t.table_name = 'note'",
            &[],
        )
        .expect("note's foreign keys")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(targets, ["email"]);
    let report = s.check_schema::<Member>()?;
    assert!(report.is_clean(), "{report}");
    Ok(())
}

// Mistakes found when the schema is built.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Loose {
    #[model(primary_key)]
    pub id: i64,
    pub email: String,
    pub age: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct ByNonUnique {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Loose, references = "email")]
    pub loose_email: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct ByMissing {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Member, references = "mail")]
    pub member_email: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct ByWrongType {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Member, references = "email")]
    pub member_email: i64,
}

fn schema_error<B: Backend, M: Model>(
    s: &mut Session<B>,
) -> (String, Option<&'static str>, String) {
    match s.create_all::<M>().unwrap_err() {
        Error::Schema {
            model,
            field,
            message,
        } => (model.to_owned(), field, message),
        other => panic!("expected a schema error, got {other:?}"),
    }
}

#[test]
fn a_referenced_column_must_exist_be_unique_and_have_the_same_type() {
    // Each on a session of its own.
    on_all!(|s| {
        let (model, field, message) = schema_error::<_, ByNonUnique>(s);
        assert_eq!(
            (model.as_str(), field),
            ("ByNonUnique", Some("loose_email"))
        );
        assert!(
            message.contains("neither unique nor the primary key"),
            "{message}"
        );
        Ok(())
    });
    on_all!(|s| {
        let (_, _, message) = schema_error::<_, ByMissing>(s);
        assert!(
            message.contains("references = \"mail\" names no column of `Member`"),
            "{message}"
        );
        Ok(())
    });
    on_all!(|s| {
        let (_, _, message) = schema_error::<_, ByWrongType>(s);
        assert!(message.contains("a column of another type"), "{message}");
        Ok(())
    });
}
