//! Tables that reference each other in loops, deleted with foreign keys enforced: nullable keys
//! of the loop are set to NULL first, NOT NULL loops are deferred to commit, and a loop that
//! can be neither is a schema error naming it.

mod common;

use cascade_runtime::{Error, Model, Session};
use common::{count, file_session};

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

#[test]
fn a_two_table_loop_deletes_with_foreign_keys_enforced() {
    let (_dir, mut s) = file_session();
    s.create_all::<Dept>().unwrap();
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
    s.insert(&mut dept).unwrap();
    dept.manager_id = Some(dept.employees[0].id);
    s.update(&mut dept).unwrap();
    let mut other = Dept {
        id: 0,
        manager_id: None,
        employees: vec![Employee {
            id: 0,
            dept_id: None,
        }],
    };
    s.insert(&mut other).unwrap();

    let report = s.delete(&dept).unwrap();
    assert_eq!((report.count("dept"), report.count("employee")), (1, 3));
    assert_eq!((count(&mut s, "dept"), count(&mut s, "employee")), (1, 1));
    let violations: i64 = s
        .connection()
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(violations, 0);
}

#[test]
fn a_manager_of_another_department_blocks_and_nothing_changes() {
    let (_dir, mut s) = file_session();
    s.create_all::<Dept>().unwrap();
    let mut a = Dept {
        id: 0,
        manager_id: None,
        employees: vec![Employee {
            id: 0,
            dept_id: None,
        }],
    };
    s.insert(&mut a).unwrap();
    let mut b = Dept {
        id: 0,
        manager_id: Some(a.employees[0].id),
        employees: vec![],
    };
    s.insert(&mut b).unwrap();
    let err = s.delete(&a).unwrap_err();
    assert!(
        matches!(&err, Error::Blocked { table, column, keys, .. } if table == "dept" && column == "manager_id" && keys == &[b.id.to_string()]),
        "{err:?}"
    );
    assert_eq!((count(&mut s, "dept"), count(&mut s, "employee")), (2, 1));
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

fn insert(s: &Session, sql: &str, params: impl rusqlite::Params) -> i64 {
    s.connection().execute(sql, params).unwrap();
    s.connection().last_insert_rowid()
}

#[test]
fn a_three_table_loop_follows_the_loop_through_the_data_and_deletes_it_all() {
    let (_dir, mut s) = file_session();
    s.create_all::<LoopA>().unwrap();
    // a1 <- b1 <- c1 <- a2 <- b2 <- c2, and an unrelated a3 <- b3.
    let a1 = insert(&s, "INSERT INTO loop_a (c_id) VALUES (NULL)", []);
    let b1 = insert(&s, "INSERT INTO loop_b (a_id) VALUES (?1)", [a1]);
    let c1 = insert(&s, "INSERT INTO loop_c (b_id) VALUES (?1)", [b1]);
    let a2 = insert(&s, "INSERT INTO loop_a (c_id) VALUES (?1)", [c1]);
    let b2 = insert(&s, "INSERT INTO loop_b (a_id) VALUES (?1)", [a2]);
    insert(&s, "INSERT INTO loop_c (b_id) VALUES (?1)", [b2]);
    let a3 = insert(&s, "INSERT INTO loop_a (c_id) VALUES (NULL)", []);
    insert(&s, "INSERT INTO loop_b (a_id) VALUES (?1)", [a3]);

    let plan = s.plan_delete::<LoopA>(a1).unwrap();
    assert_eq!(
        (
            plan.count("loop_a"),
            plan.count("loop_b"),
            plan.count("loop_c")
        ),
        (2, 2, 2)
    );
    let small = s.delete_by_pk::<LoopA>(a3).unwrap();
    let report = s.delete_by_pk::<LoopA>(a1).unwrap();
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
        (
            count(&mut s, "loop_a"),
            count(&mut s, "loop_b"),
            count(&mut s, "loop_c")
        ),
        (0, 0, 0)
    );
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
    let mut s = Session::open_in_memory().unwrap();
    s.create_all::<Lock>().unwrap();
    let err = s.delete_by_pk::<Lock>(1).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::Schema { .. }), "{err:?}");
    assert!(
        message.contains("lock.key_id -> key") && message.contains("key.lock_id -> lock"),
        "{message}"
    );
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
    let (_dir, mut s) = file_session();
    s.create_all::<Folder2>().unwrap();
    let root = insert(&s, "INSERT INTO folder2 (parent_id) VALUES (NULL)", []);
    let mut parent = root;
    for _ in 0..50 {
        parent = insert(&s, "INSERT INTO folder2 (parent_id) VALUES (?1)", [parent]);
    }
    let report = s.delete_by_pk::<Folder2>(root).unwrap();
    assert_eq!(report.count("folder2"), 51);
    assert_eq!(count(&mut s, "folder2"), 0);
}
