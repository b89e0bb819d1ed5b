//! Tables that reference each other in loops, deleted with foreign keys enforced: nullable keys
//! of the loop are set to NULL first, NOT NULL loops are deferred to commit, and a loop that
//! can be neither is a schema error naming it.

mod common;

use cascade_runtime::{Backend, Error, Model, PgSession, Result, Session};
use common::{count, file_session, Db};

/// PostgreSQL's counterpart of SQLite's `pragma_foreign_key_check`: the rows of the test's
/// schema whose (single-column) foreign key names no row, over every foreign key that
/// `information_schema` lists. PostgreSQL enforces them at every statement's end, so this
/// counts what a bug would have to slip past the server.
fn pg_foreign_key_violations(s: &mut PgSession) -> i64 {
    let keys = s
        .client()
        .query(
            "SELECT k.table_name, k.column_name, c.table_name, c.column_name
             FROM information_schema.table_constraints AS t
             JOIN information_schema.key_column_usage AS k
               ON k.constraint_schema = t.constraint_schema
              AND k.constraint_name = t.constraint_name
             JOIN information_schema.constraint_column_usage AS c
               ON c.constraint_schema = t.constraint_schema
              AND c.constraint_name = t.constraint_name
             WHERE t.constraint_type = 'FOREIGN KEY' AND t.table_schema = current_schema()",
            &[],
        )
        .expect("the schema's foreign keys");
    assert!(!keys.is_empty(), "the tables have foreign keys");
    keys.iter()
        .map(|row| {
            let (table, column, target, referenced): (String, String, String, String) =
                (row.get(0), row.get(1), row.get(2), row.get(3));
            s.sql_count(&format!(
                "SELECT count(*) FROM \"{table}\" AS r WHERE r.\"{column}\" IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM \"{target}\" AS t \
                 WHERE t.\"{referenced}\" = r.\"{column}\")"
            ))
        })
        .sum()
}

/// Runs an `INSERT` (values written in it) and returns the key the database assigned.
fn add<B: Backend>(s: &mut Session<B>, insert: &str) -> i64
where
    Session<B>: Db,
{
    s.sql_count(&format!("{insert} RETURNING id"))
}

// --- Two tables: a department has employees and a manager who is one of them. ---------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "dept")]
pub struct Dept {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Employee)]
    pub manager_id: Option<i64>,
    #[relationship(cascade = "all")]
    pub employees: Vec<Employee>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "employee")]
pub struct Employee {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Dept)]
    pub dept_id: Option<i64>,
}

/// Deletes a department whose manager is one of its employees, and checks what is left.
fn two_table_loop<B: Backend>(s: &mut Session<B>) -> Result<()>
where
    Session<B>: Db,
{
    s.create_all::<Dept>()?;
    let mut dept = Dept {
        id: 0,
        manager_id: None,
        employees: vec![
            Employee {
                id: 0,
                dept_id: None
            };
            3
        ],
    };
    s.insert(&mut dept)?;
    dept.manager_id = Some(dept.employees[0].id);
    s.update(&mut dept)?;
    let mut other = Dept {
        id: 0,
        manager_id: None,
        employees: vec![Employee {
            id: 0,
            dept_id: None,
        }],
    };
    s.insert(&mut other)?;

    let report = s.delete(&dept)?;
    assert_eq!((report.count("dept"), report.count("employee")), (1, 3));
    assert_eq!((count(s, "dept"), count(s, "employee")), (1, 1));
    Ok(())
}

#[test]
fn a_two_table_loop_deletes_with_foreign_keys_enforced() {
    let (_dir, mut s) = file_session();
    two_table_loop(&mut s).unwrap();
    let violations: i64 = s
        .connection()
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(violations, 0);
}

/// PostgreSQL's twin of the test above, its foreign keys checked through `information_schema`.
#[test]
fn a_two_table_loop_deletes_with_foreign_keys_enforced_on_postgres() {
    let Some((_schema, mut s)) = common::pg::pg_session() else {
        return;
    };
    two_table_loop(&mut s).unwrap();
    assert_eq!(pg_foreign_key_violations(&mut s), 0);
}

#[test]
fn a_manager_of_another_department_blocks_and_nothing_changes() {
    on_all!(|s| {
        s.create_all::<Dept>()?;
        let mut a = Dept {
            id: 0,
            manager_id: None,
            employees: vec![Employee {
                id: 0,
                dept_id: None,
            }],
        };
        s.insert(&mut a)?;
        let mut b = Dept {
            id: 0,
            manager_id: Some(a.employees[0].id),
            employees: vec![],
        };
        s.insert(&mut b)?;
        let err = s.delete(&a).unwrap_err();
        assert!(
            matches!(&err, Error::Blocked { table, column, keys, .. } if table == "dept" && column == "manager_id" && keys == &[b.id.to_string()]),
            "{err:?}"
        );
        assert_eq!((count(s, "dept"), count(s, "employee")), (2, 1));
        Ok(())
    });
}

// --- Three tables in a loop, one nullable key: loop_a -> loop_b -> loop_c -> loop_a. ----------

#[derive(Model, Debug, Clone, PartialEq)]
pub struct LoopA {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = LoopC)]
    pub c_id: Option<i64>,
    #[relationship(cascade = "all")]
    pub bs: Vec<LoopB>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct LoopB {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = LoopA)]
    pub a_id: i64,
    #[relationship(cascade = "all")]
    pub cs: Vec<LoopC>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct LoopC {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = LoopB)]
    pub b_id: i64,
    #[relationship(cascade = "all")]
    pub as_: Vec<LoopA>,
}

#[test]
fn a_three_table_loop_follows_the_loop_through_the_data_and_deletes_it_all() {
    on_all!(|s| {
        s.create_all::<LoopA>()?;
        // a1 <- b1 <- c1 <- a2 <- b2 <- c2, and an unrelated a3 <- b3.
        let a1 = add(s, "INSERT INTO loop_a (c_id) VALUES (NULL)");
        let b1 = add(s, &format!("INSERT INTO loop_b (a_id) VALUES ({a1})"));
        let c1 = add(s, &format!("INSERT INTO loop_c (b_id) VALUES ({b1})"));
        let a2 = add(s, &format!("INSERT INTO loop_a (c_id) VALUES ({c1})"));
        let b2 = add(s, &format!("INSERT INTO loop_b (a_id) VALUES ({a2})"));
        add(s, &format!("INSERT INTO loop_c (b_id) VALUES ({b2})"));
        let a3 = add(s, "INSERT INTO loop_a (c_id) VALUES (NULL)");
        add(s, &format!("INSERT INTO loop_b (a_id) VALUES ({a3})"));

        let plan = s.plan_delete::<LoopA>(a1)?;
        assert_eq!(
            (
                plan.count("loop_a"),
                plan.count("loop_b"),
                plan.count("loop_c")
            ),
            (2, 2, 2)
        );
        let small = s.delete_by_pk::<LoopA>(a3)?;
        let report = s.delete_by_pk::<LoopA>(a1)?;
        assert_eq!(
            (
                report.count("loop_a"),
                report.count("loop_b"),
                report.count("loop_c")
            ),
            (2, 2, 2)
        );
        assert_eq!(
            report.statements(),
            small.statements(),
            "one recursive query, whatever the depth"
        );
        assert_eq!(
            (count(s, "loop_a"), count(s, "loop_b"), count(s, "loop_c")),
            (0, 0, 0)
        );
        Ok(())
    });
}

// --- NOT NULL loop: deferred to commit. --------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Chicken {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Egg)]
    pub egg_id: i64,
    #[relationship(cascade = "all")]
    pub eggs: Vec<Egg>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Egg {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Chicken)]
    pub chicken_id: i64,
    #[relationship(cascade = "all")]
    pub chickens: Vec<Chicken>,
}

#[test]
fn a_not_null_loop_is_deleted_with_checks_deferred_to_commit() {
    let (_dir, mut s) = file_session();
    s.create_all::<Chicken>().unwrap();
    s.connection()
        .execute_batch(
            "BEGIN; PRAGMA defer_foreign_keys = ON;
             INSERT INTO chicken (id, egg_id) VALUES (1, 10), (2, 20);
             INSERT INTO egg (id, chicken_id) VALUES (10, 1), (20, 2);
             COMMIT;",
        )
        .unwrap();
    let report = s.delete_by_pk::<Chicken>(1).unwrap();
    assert_eq!((report.count("chicken"), report.count("egg")), (1, 1));
    assert_eq!((count(&mut s, "chicken"), count(&mut s, "egg")), (1, 1));
    let violations: i64 = s
        .connection()
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(violations, 0);
}

/// PostgreSQL's twin of the test above. Its foreign keys are not `DEFERRABLE`; the loop is
/// written in one statement instead (data-modifying CTEs), whose foreign keys PostgreSQL checks
/// at its end. The explicit keys are the only rows these tables get.
#[test]
fn a_not_null_loop_is_deleted_with_checks_deferred_to_commit_on_postgres() {
    let Some((_schema, mut s)) = common::pg::pg_session() else {
        return;
    };
    s.create_all::<Chicken>().unwrap();
    s.sql_batch(
        "WITH chickens AS (INSERT INTO chicken (id, egg_id) VALUES (1, 10), (2, 20))
         INSERT INTO egg (id, chicken_id) VALUES (10, 1), (20, 2)",
    );
    let report = s.delete_by_pk::<Chicken>(1).unwrap();
    assert_eq!((report.count("chicken"), report.count("egg")), (1, 1));
    assert_eq!((count(&mut s, "chicken"), count(&mut s, "egg")), (1, 1));
    assert_eq!(pg_foreign_key_violations(&mut s), 0);
}

// --- NOT NULL RESTRICT loop: impossible, named. -----------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Lock {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Key, on_delete = "restrict")]
    pub key_id: i64,
    #[relationship(cascade = "all")]
    pub keys: Vec<Key>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Key {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Lock, on_delete = "restrict")]
    pub lock_id: i64,
    #[relationship(cascade = "all")]
    pub locks: Vec<Lock>,
}

#[test]
fn a_restrict_loop_that_cannot_be_broken_is_a_schema_error_naming_it() {
    on_all!(|s| {
        s.create_all::<Lock>()?;
        let err = s.delete_by_pk::<Lock>(1).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, Error::Schema { .. }), "{err:?}");
        assert!(
            message.contains("lock.key_id -> key") && message.contains("key.lock_id -> lock"),
            "{message}"
        );
        Ok(())
    });
}

// --- A self-reference whose database action is CASCADE: every row counted. -------------------

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Folder2 {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Folder2, on_delete = "cascade")]
    pub parent_id: Option<i64>,
    #[relationship(cascade = "all")]
    pub children: Vec<Folder2>,
}

#[test]
fn a_self_reference_with_a_database_cascade_counts_every_row() {
    on_all!(|s| {
        s.create_all::<Folder2>()?;
        let root = add(s, "INSERT INTO folder2 (parent_id) VALUES (NULL)");
        let mut parent = root;
        for _ in 0..50 {
            parent = add(
                s,
                &format!("INSERT INTO folder2 (parent_id) VALUES ({parent})"),
            );
        }
        let report = s.delete_by_pk::<Folder2>(root)?;
        assert_eq!(report.count("folder2"), 51);
        assert_eq!(count(s, "folder2"), 0);
        Ok(())
    });
}

// --- Loops through composite keys: SQLite runs the edges again until none adds a key;
// --- PostgreSQL closes them in one recursive query. -----------------------------------------

/// A team and a player reach each other through their rosters, an association with a key of
/// both: a team's rosters go with it, and so does each roster's team and player (many-to-one
/// `delete`), whose other rosters go too — the whole connected part of the data.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "team")]
pub struct Team {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(cascade = "all")]
    pub rosters: Vec<Roster>,
}

/// Keyed by text: the loop's keys are of two types.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "player")]
pub struct Player {
    #[model(primary_key)]
    pub name: String,
    #[relationship(cascade = "all")]
    pub rosters: Vec<Roster>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "roster")]
pub struct Roster {
    #[model(primary_key, foreign_key = Team)]
    pub team_id: i64,
    #[model(primary_key, foreign_key = Player)]
    pub player_name: String,
    #[relationship(cascade = "delete")]
    pub team: Option<Box<Team>>,
    #[relationship(cascade = "delete")]
    pub player: Option<Box<Player>>,
}

/// `(teams, players, rosters)` in the database.
fn teams_players_rosters<B: Backend>(s: &mut Session<B>) -> (i64, i64, i64)
where
    Session<B>: Db,
{
    (count(s, "team"), count(s, "player"), count(s, "roster"))
}

/// `(teams, players, rosters)` in a report.
fn reported(report: &cascade_runtime::DeleteReport) -> (usize, usize, usize) {
    (
        report.count("team"),
        report.count("player"),
        report.count("roster"),
    )
}

#[test]
fn a_loop_through_a_composite_key_association_deletes_the_connected_rows() {
    on_all!(|s| {
        s.create_all::<Roster>()?;
        // A ring 2 * 40 rows deep: team i and team i + 1 share player i, and team 1 has
        // player 40 too (a loop in the data). Team 100 and player "solo" apart, and team
        // 200 with player "stays", which nothing deletes.
        const N: i64 = 40;
        let mut sql = Vec::new();
        for i in 1..=N {
            sql.push(format!("INSERT INTO team (id) VALUES ({i})"));
            sql.push(format!("INSERT INTO player (name) VALUES ('p{i}')"));
        }
        for i in 1..=N {
            let next = i % N + 1;
            sql.push(format!(
                "INSERT INTO roster (team_id, player_name) VALUES ({i}, 'p{i}'), ({next}, 'p{i}')"
            ));
        }
        sql.push("INSERT INTO team (id) VALUES (100), (200)".into());
        sql.push("INSERT INTO player (name) VALUES ('solo'), ('stays')".into());
        sql.push(
            "INSERT INTO roster (team_id, player_name) VALUES (100, 'solo'), (200, 'stays')".into(),
        );
        s.sql_batch(&sql.join(";\n"));
        let n = N as usize;

        let plan = s.plan_delete::<Team>(7)?;
        assert_eq!(
            (
                plan.count("team"),
                plan.count("player"),
                plan.count("roster")
            ),
            (n, n, 2 * n)
        );
        let small = s.delete_by_pk::<Team>(100)?;
        assert_eq!(reported(&small), (1, 1, 1));
        let report = s.delete_by_pk::<Team>(7)?;
        assert_eq!(reported(&report), (n, n, 2 * n));
        assert_eq!(teams_players_rosters(s), (1, 1, 1));
        assert_eq!(
            s.sql_count(
                "SELECT count(*) FROM roster WHERE team_id = 200 AND player_name = 'stays'"
            ),
            1
        );
        if s.is_postgres() {
            assert_eq!(
                report.statements(),
                small.statements(),
                "one recursive query, whatever the depth"
            );
        }
        Ok(())
    });
}

/// A version of a document, keyed by the document (bytes) and its number, derived from
/// another version named by its unique code: deleting one deletes every version derived
/// from it, in any document.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "version")]
pub struct Version {
    #[model(primary_key)]
    pub doc: Vec<u8>,
    #[model(primary_key)]
    pub n: i32,
    #[model(unique)]
    pub code: String,
    #[model(foreign_key = Version, references = "code")]
    pub parent_code: Option<String>,
    #[relationship(cascade = "all")]
    pub children: Vec<Version>,
}

#[test]
fn a_composite_key_table_referencing_itself_through_a_unique_column_deletes_the_subtree() {
    on_all!(|s| {
        s.create_all::<Version>()?;
        let insert = format!(
            "INSERT INTO version (doc, n, code, parent_code) VALUES ({}, {}, {}, {})",
            s.p(1),
            s.p(2),
            s.p(3),
            s.p(4)
        );
        let add = |s: &mut Session<B>, doc: &[u8], n: i64, parent: Option<String>| {
            let code = format!("{}{n}", String::from_utf8_lossy(doc));
            let parent = parent.map_or(cascade_runtime::Value::Null, cascade_runtime::Value::Text);
            s.sql_execute(
                &insert,
                &[
                    cascade_runtime::Value::Blob(doc.to_vec()),
                    cascade_runtime::Value::Integer(n),
                    cascade_runtime::Value::Text(code.clone()),
                    parent,
                ],
            );
            code
        };
        // Document "a": a chain of 30 versions. Document "b" branches off a5 (a key in
        // another document, the same numbers). Document "c": two versions nothing reaches.
        let mut parent = None;
        for n in 0..30 {
            parent = Some(add(s, b"a", n, parent));
        }
        let b0 = add(s, b"b", 0, Some("a5".into()));
        add(s, b"b", 1, Some(b0));
        let c0 = add(s, b"c", 0, None);
        add(s, b"c", 1, Some(c0));

        let plan = s.plan_delete::<Version>((b"a".to_vec(), 3))?;
        assert_eq!(plan.count("version"), 27 + 2);
        let small = s.delete_by_pk::<Version>((b"c".to_vec(), 1))?;
        assert_eq!(small.count("version"), 1);
        let report = s.delete_by_pk::<Version>((b"a".to_vec(), 0))?;
        assert_eq!(report.count("version"), 32);
        assert_eq!(count(s, "version"), 1);
        assert_eq!(
            s.sql_strings("SELECT code FROM version"),
            vec!["c0".to_owned()]
        );
        if s.is_postgres() {
            assert_eq!(
                report.statements(),
                small.statements(),
                "one recursive query, whatever the depth"
            );
        }
        Ok(())
    });
}

/// A part keyed by its kit and slot, with a unique serial through which it references other
/// parts: the part it replaces goes with it (many-to-one `delete`), and so do the parts it is
/// linked to (many-to-many `delete`, the links keyed by two serials); a part that replaces a
/// deleted one and stays loses its reference.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "part")]
pub struct Part {
    #[model(primary_key)]
    pub kit: String,
    #[model(primary_key)]
    pub slot: i16,
    #[model(unique)]
    pub serial: i64,
    #[model(foreign_key = Part, references = "serial", on_delete = "set null")]
    pub replaces: Option<i64>,
    #[relationship(cascade = "delete", foreign_key = "replaces")]
    pub replaced: Option<Box<Part>>,
    #[relationship(cascade = "all", secondary = PartLink, foreign_key = "from_serial")]
    pub linked: Vec<Part>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "part_link")]
pub struct PartLink {
    #[model(primary_key, foreign_key = Part, references = "serial")]
    pub from_serial: i64,
    #[model(primary_key, foreign_key = Part, references = "serial")]
    pub to_serial: i64,
}

#[test]
fn a_composite_key_table_reaching_itself_many_to_one_and_many_to_many_deletes_what_it_reaches() {
    on_all!(|s| {
        s.create_all::<Part>()?;
        // Kit "k": parts 1..=20 (serials 101..=120), each replacing the one before; part 1
        // is linked to part 21, which is linked to part 20 (a loop in the data); part 22
        // replaces part 21 and is reached by nothing. Kit "m": part 1 (serial 201), linked
        // from part 22, and part 2 (serial 202) alone.
        let mut sql = Vec::new();
        sql.push(
            "INSERT INTO part (kit, slot, serial, replaces) VALUES ('k', 1, 101, NULL)".into(),
        );
        for slot in 2..=20 {
            sql.push(format!(
                "INSERT INTO part (kit, slot, serial, replaces) VALUES ('k', {slot}, {}, {})",
                100 + slot,
                99 + slot
            ));
        }
        sql.push(
            "INSERT INTO part (kit, slot, serial, replaces) VALUES ('k', 21, 121, NULL)".into(),
        );
        sql.push(
            "INSERT INTO part (kit, slot, serial, replaces) VALUES ('k', 22, 122, 121)".into(),
        );
        sql.push(
            "INSERT INTO part (kit, slot, serial, replaces) VALUES ('m', 1, 201, NULL), \
             ('m', 2, 202, NULL)"
                .into(),
        );
        sql.push(
            "INSERT INTO part_link (from_serial, to_serial) VALUES (101, 121), (121, 120), \
             (122, 201)"
                .into(),
        );
        s.sql_batch(&sql.join(";\n"));

        let plan = s.plan_delete::<Part>(("k".to_owned(), 10))?;
        assert_eq!(
            (
                plan.count("part"),
                plan.count("part_link"),
                plan.nulled("part")
            ),
            (21, 2, 1)
        );
        let small = s.delete_by_pk::<Part>(("m".to_owned(), 2))?;
        assert_eq!((small.count("part"), small.count("part_link")), (1, 0));
        let report = s.delete_by_pk::<Part>(("k".to_owned(), 10))?;
        assert_eq!(
            (
                report.count("part"),
                report.count("part_link"),
                report.nulled("part")
            ),
            (21, 2, 1)
        );
        assert_eq!(
            s.sql_strings(
                "SELECT kit || ':' || CAST(slot AS TEXT) || ':' || \
                 COALESCE(CAST(replaces AS TEXT), '-') FROM part ORDER BY kit, slot"
            ),
            vec!["k:22:-".to_owned(), "m:1:-".to_owned()]
        );
        assert_eq!(
            s.sql_count(
                "SELECT count(*) FROM part_link WHERE from_serial = 122 AND to_serial = 201"
            ),
            1
        );
        assert_eq!(count(s, "part_link"), 1);
        if s.is_postgres() {
            assert_eq!(
                report.statements(),
                small.statements(),
                "one recursive query, whatever the depth"
            );
        }
        Ok(())
    });
}
