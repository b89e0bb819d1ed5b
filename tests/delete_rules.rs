//! The five delete rules of the contract, on SQLite files and in memory, with their failure
//! paths: a refused delete changes nothing.

mod common;

use cascade_runtime::{BlockReason, Error};
use common::*;

#[test]
fn rule1_delete_cascades_children_before_parents_at_every_depth() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut p = family("p", 3, 4);
        s.insert(&mut p)?;
        let mut other = family("other", 2, 2);
        s.insert(&mut other)?;
        assert!(
            p.id > 0
                && p.children
                    .iter()
                    .all(|c| c.parent_id == Some(p.id) && c.id > 0)
        );
        assert!(p.children[0]
            .toys
            .iter()
            .all(|t| t.child_id == p.children[0].id));

        let report = s.delete(&p)?;
        assert_eq!(report.count("parent"), 1);
        assert_eq!(report.count("child"), 3);
        assert_eq!(report.count("toy"), 12);
        assert_eq!(report.total(), 16);
        assert_eq!(report.count("nothing"), 0);
        // Only p's family is gone.
        assert_eq!(
            (count(s, "parent"), count(s, "child"), count(s, "toy")),
            (1, 2, 4)
        );
        assert_eq!(s.get::<Parent>(p.id)?, None);
        assert!(s.get::<Parent>(other.id)?.is_some());
        Ok(())
    });
}

#[test]
fn rule1_delete_by_pk_and_repository_reach_the_same_cascade() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut a = family("a", 2, 1);
        let mut b = family("b", 2, 1);
        s.insert(&mut a)?;
        s.insert(&mut b)?;
        let r1 = s.delete_by_pk::<Parent>(a.id)?;
        let r2 = s.repo::<Parent>().delete_by_pk(b.id)?;
        assert_eq!(r1.total(), 5);
        assert_eq!(r2.total(), 5);
        assert_eq!(count(s, "toy"), 0);
        // A key with no row deletes nothing and is not an error.
        assert_eq!(s.delete_by_pk::<Parent>(a.id)?.total(), 0);
        Ok(())
    });
}

#[test]
fn rule2_without_delete_the_foreign_key_is_set_to_null() {
    on_all!(|s| {
        s.create_all::<Team>()?;
        let mut team = Team {
            id: 0,
            name: "t".into(),
            members: vec![
                Member {
                    id: 0,
                    team_id: None,
                    name: "m1".into(),
                },
                Member {
                    id: 0,
                    team_id: None,
                    name: "m2".into(),
                },
            ],
            badges: vec![],
        };
        s.insert(&mut team)?;
        assert_eq!(
            count_where(s, "member", &format!("team_id = {}", team.id)),
            2
        );
        let report = s.delete(&team)?;
        assert_eq!(report.count("team"), 1);
        assert_eq!(report.count("member"), 0);
        assert_eq!(report.nulled("member"), 2);
        assert_eq!(count(s, "member"), 2);
        assert_eq!(count_where(s, "member", "team_id IS NULL"), 2);
        Ok(())
    });
}

#[test]
fn rule2_a_not_null_foreign_key_refuses_the_delete_and_changes_nothing() {
    on_all!(|s| {
        s.create_all::<Team>()?;
        let mut team = Team {
            id: 0,
            name: "t".into(),
            members: vec![Member {
                id: 0,
                team_id: None,
                name: "m".into(),
            }],
            badges: vec![Badge { id: 0, team_id: 0 }, Badge { id: 0, team_id: 0 }],
        };
        s.insert(&mut team)?;
        let before = snapshot(s, &["team", "member", "badge"]);
        let err = s.delete(&team).unwrap_err();
        match &err {
            Error::Blocked {
                table,
                column,
                referenced_table,
                rows,
                keys,
                reason,
                blockers,
            } => {
                assert_eq!(blockers.len(), 1, "{blockers:?}");
                assert_eq!((table.as_str(), column.as_str()), ("badge", "team_id"));
                assert_eq!(referenced_table, "team");
                assert_eq!(*rows, 2);
                let badges: Vec<String> = team.badges.iter().map(|b| b.id.to_string()).collect();
                assert_eq!(keys, &badges, "the blocking rows' keys, in key order");
                assert_eq!(*reason, BlockReason::NotNull);
            }
            other => panic!("expected Blocked, got {other:?}"),
        }
        let message = err.to_string();
        assert!(
            message.contains("\"badge\".\"team_id\"") && message.contains("2 rows"),
            "{message}"
        );
        assert_eq!(snapshot(s, &["team", "member", "badge"]), before);
        assert_eq!(
            count_where(s, "member", "team_id IS NULL"),
            0,
            "the member was not detached"
        );
        Ok(())
    });
}

#[test]
fn rule3_passive_deletes_leave_rows_to_the_database_action() {
    on_all!(|s| {
        s.create_all::<Folder>()?;
        let mut folder = Folder {
            id: 0,
            name: "f".into(),
            files: vec![
                File {
                    id: 0,
                    folder_id: 0,
                },
                File {
                    id: 0,
                    folder_id: 0,
                },
            ],
            links: vec![Link {
                id: 0,
                folder_id: None,
            }],
            shares: vec![],
        };
        s.insert(&mut folder)?;
        let report = s.delete(&folder)?;
        // ON DELETE CASCADE on file.folder_id, ON DELETE SET NULL on link.folder_id: done, and counted.
        assert_eq!(count(s, "file"), 0);
        assert_eq!(report.count("file"), 2);
        assert_eq!(count_where(s, "link", "folder_id IS NULL"), 1);
        assert_eq!(report.nulled("link"), 1);
        Ok(())
    });
}

#[test]
fn rule3_passive_deletes_all_never_touches_rows_so_no_action_blocks() {
    on_all!(|s| {
        s.create_all::<Folder>()?;
        let mut folder = Folder {
            id: 0,
            name: "f".into(),
            files: vec![],
            links: vec![],
            shares: vec![Share {
                id: 0,
                folder_id: None,
            }],
        };
        s.insert(&mut folder)?;
        assert_eq!(
            count_where(s, "share", &format!("folder_id = {}", folder.id)),
            1
        );
        let err = s.delete(&folder).unwrap_err();
        assert!(
            matches!(&err, Error::Blocked { table, rows: 1, reason: BlockReason::DatabaseNoAction, .. } if table == "share"),
            "{err:?}"
        );
        assert_eq!(count(s, "folder"), 1);
        Ok(())
    });
}

#[test]
fn rule4_restrict_blocks_unless_an_orm_cascade_removes_the_rows() {
    on_all!(|s| {
        s.create_all::<Account>()?;
        s.create_all::<Invoice>()?;
        let mut free = Account {
            id: 0,
            owner: "free".into(),
            orders: vec![Order {
                id: 0,
                account_id: 0,
            }],
        };
        let mut billed = Account {
            id: 0,
            owner: "billed".into(),
            orders: vec![Order {
                id: 0,
                account_id: 0,
            }],
        };
        s.insert(&mut free)?;
        s.insert(&mut billed)?;
        for amount in [1.5, 2.5, 3.5] {
            s.insert(&mut Invoice {
                id: 0,
                account_id: billed.id,
                amount,
            })?;
        }

        // `order` restricts in the database, but the ORM cascade deletes the orders first.
        let report = s.delete(&free)?;
        assert_eq!((report.count("account"), report.count("order")), (1, 1));

        // `invoice` restricts and nothing removes the invoices: refused, nothing changed.
        let before = snapshot(s, &["account", "order", "invoice"]);
        let err = s.delete_by_pk::<Account>(billed.id).unwrap_err();
        match &err {
            Error::Blocked {
                table,
                column,
                rows,
                reason,
                ..
            } => {
                assert_eq!(
                    (table.as_str(), column.as_str(), *rows),
                    ("invoice", "account_id", 3)
                );
                assert_eq!(*reason, BlockReason::DatabaseRestrict);
            }
            other => panic!("expected Blocked, got {other:?}"),
        }
        assert_eq!(snapshot(s, &["account", "order", "invoice"]), before);
        Ok(())
    });
}

#[test]
fn rule4_a_model_the_session_created_blocks_even_without_a_relationship() {
    on_all!(|s| {
        s.create_all::<Category>()?;
        s.create_all::<Product>()?; // the session now knows product.category_id
        let mut keep = Category {
            id: 0,
            name: "default".into(),
        };
        s.insert(&mut keep)?;
        let mut other = Category {
            id: 0,
            name: "other".into(),
        };
        s.insert(&mut other)?;
        s.insert(&mut Product {
            id: 0,
            category_id: other.id,
        })?;
        // ON DELETE SET DEFAULT: the product moves to category 1.
        let report = s.delete(&other)?;
        assert_eq!(report.defaulted("product"), 1);
        assert_eq!(
            count_where(s, "product", &format!("category_id = {}", keep.id)),
            1
        );
        Ok(())
    });
}

#[test]
fn rule5_many_to_many_links_always_go_and_targets_only_with_delete() {
    on_all!(|s| {
        s.create_all::<Post>()?;
        let mut rust = Tag {
            id: 0,
            name: "rust".into(),
        };
        let mut db = Tag {
            id: 0,
            name: "db".into(),
        };
        s.insert(&mut rust)?;
        s.insert(&mut db)?;
        let mut p1 = Post {
            id: 0,
            title: "one".into(),
            tags: vec![rust.clone(), db.clone()],
        };
        let mut p2 = Post {
            id: 0,
            title: "two".into(),
            tags: vec![rust.clone()],
        };
        s.insert(&mut p1)?;
        s.insert(&mut p2)?;
        assert_eq!(count(s, "post_tag"), 3);
        let report = s.delete(&p1)?;
        assert_eq!(
            (
                report.count("post"),
                report.count("post_tag"),
                report.count("tag")
            ),
            (1, 2, 0)
        );
        assert_eq!(count(s, "tag"), 2);
        assert_eq!(count(s, "post_tag"), 1);

        s.create_all::<Book>()?;
        let mut book = Book {
            id: 0,
            genres: vec![
                Genre {
                    id: 0,
                    name: "sf".into(),
                },
                Genre {
                    id: 0,
                    name: "crime".into(),
                },
            ],
        };
        s.insert(&mut book)?;
        let mut keep = Book {
            id: 0,
            genres: vec![],
        };
        s.insert(&mut keep)?;
        let report = s.delete(&book)?;
        assert_eq!(
            (
                report.count("book"),
                report.count("book_genre"),
                report.count("genre")
            ),
            (1, 2, 2)
        );
        assert_eq!((count(s, "genre"), count(s, "book")), (0, 1));
        Ok(())
    });
}

#[test]
fn self_referential_chain_of_any_depth_goes_whole() {
    on_all!(|s| {
        s.create_all::<Node>()?;
        // A chain 200 deep, plus a sibling tree that must survive.
        let mut root = Node {
            id: 0,
            parent_id: None,
            label: "root".into(),
            children: vec![],
            parent: None,
        };
        s.insert(&mut root)?;
        let mut parent = root.id;
        for depth in 0..200 {
            let mut n = Node {
                id: 0,
                parent_id: Some(parent),
                label: format!("d{depth}"),
                children: vec![],
                parent: None,
            };
            s.insert(&mut n)?;
            parent = n.id;
        }
        let mut other = Node {
            id: 0,
            parent_id: None,
            label: "other".into(),
            children: vec![],
            parent: None,
        };
        s.insert(&mut other)?;
        let small = s.delete_by_pk::<Node>(parent)?; // a leaf
        assert_eq!(small.total(), 1);
        let report = s.delete_by_pk::<Node>(root.id)?;
        assert_eq!(report.count("node"), 200);
        assert_eq!(count(s, "node"), 1);
        // On PostgreSQL, one recursive statement whatever the depth. On SQLite, a wide tree
        // goes a level at a time (tests/trees.rs); a chain 200 deep is deep and narrow, so it
        // goes whole, with one statement more than a single row: it fills its key set.
        let whole = if s.is_postgres() { 0 } else { 1 };
        assert_eq!(
            report.statements(),
            small.statements() + whole,
            "statements do not depend on the depth of a deep, narrow tree"
        );
        Ok(())
    });
}

#[test]
fn one_to_one_and_many_to_one_cascades() {
    on_all!(|s| {
        s.create_all::<User>()?;
        let mut u = User {
            id: 0,
            name: "u".into(),
            profile: Some(Profile {
                id: 0,
                user_id: None,
                bio: "b".into(),
            }),
        };
        s.insert(&mut u)?;
        let profile = u.profile.as_ref().map(|p| (p.id, p.user_id));
        assert_eq!(profile.map(|p| p.1), Some(Some(u.id)));
        let report = s.delete(&u)?;
        assert_eq!((report.count("user"), report.count("profile")), (1, 1));

        s.create_all::<Attachment>()?;
        let mut a = Attachment {
            id: 0,
            blob_id: None,
            blob: Some(Box::new(Blob {
                id: 0,
                data: vec![1, 2, 3],
            })),
        };
        s.insert(&mut a)?;
        let blob_id = a.blob.as_ref().map(|b| b.id);
        assert_eq!(
            a.blob_id, blob_id,
            "the many-to-one target is saved first and its key taken"
        );
        let report = s.delete(&a)?;
        assert_eq!((report.count("attachment"), report.count("blob")), (1, 1));
        assert_eq!(count(s, "blob"), 0);
        Ok(())
    });
}

#[test]
fn delete_where_is_a_bulk_delete_that_cascades() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        for name in ["apple", "avocado", "banana"] {
            s.insert(&mut family(name, 2, 3))?;
        }
        let report = s.delete_where::<Parent>(&format!("name LIKE {}", s.p(1)), ["a%"])?;
        assert_eq!(
            (
                report.count("parent"),
                report.count("child"),
                report.count("toy")
            ),
            (2, 4, 12)
        );
        assert_eq!(
            (count(s, "parent"), count(s, "child"), count(s, "toy")),
            (1, 2, 6)
        );
        // Values that look like SQL are bound, never spliced.
        let report = s.delete_where::<Parent>(&format!("name = {}", s.p(1)), ["x' OR '1'='1"])?;
        assert_eq!(report.total(), 0);
        assert_eq!(count(s, "parent"), 1);
        Ok(())
    });
}

#[test]
fn a_malformed_where_clause_is_an_error_and_changes_nothing() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        s.insert(&mut family("a", 1, 1))?;
        let err = s.delete_where::<Parent>("name LIKE", ()).unwrap_err();
        assert!(
            matches!(&err, Error::Clause { table, clause, .. } if table == "parent" && clause == "name LIKE"),
            "{err:?}"
        );
        let clause = format!("no_such_column = {}", s.p(1));
        let err = s.delete_where::<Parent>(&clause, [1]).unwrap_err();
        let message = err.to_string();
        // What the database said is in its own words.
        let said = if s.is_postgres() {
            "column \"no_such_column\" does not exist"
        } else {
            "no such column: no_such_column"
        };
        assert_eq!(
            message,
            format!(
                "the clause `{clause}` over \"parent\" was refused: {said}; nothing was changed"
            )
        );
        assert!(
            !message.contains("INSERT"),
            "the runtime's own statement is not shown"
        );
        // The wrong number of parameters is the clause's mistake too.
        let err = s
            .delete_where::<Parent>(&format!("name = {}", s.p(1)), ())
            .unwrap_err();
        assert!(matches!(err, Error::Clause { .. }), "{err:?}");
        assert_eq!(count(s, "toy"), 1);
        Ok(())
    });
}

#[test]
fn plan_delete_is_a_dry_run_with_counts_and_a_tree() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut p = family("p", 2, 3);
        s.insert(&mut p)?;
        let plan = s.plan_delete::<Parent>(p.id)?;
        assert_eq!(
            (plan.count("parent"), plan.count("child"), plan.count("toy")),
            (1, 2, 6)
        );
        assert_eq!(plan.total(), 9);
        assert_eq!(
            plan.to_string(),
            "delete parent: 1 row\n└── delete child: 2 rows (via child.parent_id)\n    └── delete toy: 6 rows (via toy.child_id)\n"
        );
        assert_eq!(
            (count(s, "parent"), count(s, "child"), count(s, "toy")),
            (1, 2, 6)
        );
        // The same plan, executed, matches its counts.
        let report = s.delete(&p)?;
        assert_eq!(report.total(), plan.total());
        Ok(())
    });
}

#[test]
fn plan_delete_reports_detached_rows_and_refusals() {
    on_all!(|s| {
        s.create_all::<Team>()?;
        let mut team = Team {
            id: 0,
            name: "t".into(),
            members: vec![Member {
                id: 0,
                team_id: None,
                name: "m".into(),
            }],
            badges: vec![],
        };
        s.insert(&mut team)?;
        let plan = s.plan_delete::<Team>(team.id)?;
        assert_eq!(plan.nulled("member"), 1);
        assert!(
            plan.to_string().contains("set null member.team_id: 1 row"),
            "{plan}"
        );
        s.insert(&mut Badge {
            id: 0,
            team_id: team.id,
        })?;
        assert!(matches!(
            s.plan_delete::<Team>(team.id),
            Err(Error::Blocked { .. })
        ));
        assert_eq!(count_where(s, "member", "team_id IS NOT NULL"), 1);
        Ok(())
    });
}

#[test]
fn a_delete_inside_the_callers_transaction_is_a_savepoint() {
    let (_dir, mut s) = file_session();
    s.create_all::<Parent>().unwrap();
    let mut p = family("p", 2, 2);
    s.insert(&mut p).unwrap();
    s.connection().execute_batch("BEGIN").unwrap();
    let report = s.delete(&p).unwrap();
    assert_eq!(report.total(), 7);
    assert_eq!(count(&mut s, "toy"), 0);
    s.connection().execute_batch("ROLLBACK").unwrap();
    assert_eq!(
        count(&mut s, "toy"),
        4,
        "the caller's rollback undoes the cascade"
    );
}

/// PostgreSQL's twin of the test above: a caller's transaction there is
/// [`Session::transaction`] (a `BEGIN` sent on the client behind the session's back is not
/// seen by it), and the delete inside it is a savepoint that the caller's rollback undoes.
#[test]
fn a_delete_inside_the_callers_transaction_is_a_savepoint_on_postgres() {
    let Some((_schema, mut s)) = common::pg::pg_session() else {
        return;
    };
    s.create_all::<Parent>().unwrap();
    let mut p = family("p", 2, 2);
    s.insert(&mut p).unwrap();
    let outcome: Result<(), Box<dyn std::error::Error>> = s.transaction(|s| {
        let report = s.delete(&p)?;
        assert_eq!(report.total(), 7);
        assert_eq!(count(s, "toy"), 0);
        Err("the caller rolls back".into())
    });
    assert_eq!(outcome.unwrap_err().to_string(), "the caller rolls back");
    assert_eq!(
        count(&mut s, "toy"),
        4,
        "the caller's rollback undoes the cascade"
    );
}

#[test]
fn key_and_instance_errors_name_the_table() {
    on_all!(|s| {
        s.create_all::<Post>()?;
        // A key of the wrong type or arity does not compile (tests/ui/key-of-another-type.rs).
        let unsaved = Post {
            id: 0,
            title: "x".into(),
            tags: vec![],
        };
        assert!(matches!(s.delete(&unsaved), Err(Error::MissingKey { table }) if table == "post"));
        assert_eq!(s.delete_by_pk::<PostTag>((1, 2))?.total(), 0);
        Ok(())
    });
}
