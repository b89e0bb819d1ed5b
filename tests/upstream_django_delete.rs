//! Django's `tests/delete/tests.py`, ported: one module per upstream test class, one test per
//! upstream method with the same name, keeping the upstream assertion (which rows remain, what
//! the delete returns, what it refuses). `tests/UPSTREAM.md` lists every upstream method and
//! why the others do not apply.
//!
//! The models of `tests/delete/models.py` are in [`models`]. Django's `on_delete` lives on the
//! referencing `ForeignKey`; here it is the `on_delete` of the relationship on the referenced
//! model (`R.protect_set` for `A.protect = ForeignKey(R, PROTECT)`), or the column's
//! database-level `on_delete` where Django's model has no reverse accessor
//! (`related_name="+"`). Multi-table inheritance (`RChild(R)`) is a one-to-one whose primary
//! key is also its foreign key to the parent, with a many-to-one `delete` back to the parent
//! (deleting a child row deletes its parent row, as Django's collector does).

use cascade_runtime::{BlockReason, Error, Session};

#[path = "upstream_models/django_delete.rs"]
mod models;
use models::*;

/// `OnDeleteTests`: each `on_delete` of `A`'s keys to `R`.
mod on_delete_tests {
    use super::*;
    use cascade_runtime::Blocker;

    /// `setUp`: `self.DEFAULT = get_default_r()`.
    fn set_up() -> (Session, i64) {
        let s = session();
        let default = get_default_r(&s);
        (s, default)
    }

    /// Every blocker as `(table, column, keys)`, sorted, after checking that the named
    /// fields describe the first one and that each has `reason`, references `r` and has
    /// one row.
    fn blockers(err: &Error, reason: BlockReason) -> Vec<(String, String, Vec<String>)> {
        let Error::Blocked {
            table,
            column,
            blockers,
            ..
        } = err
        else {
            panic!("expected Blocked, got {err:?}");
        };
        let blockers: &[Blocker] = blockers;
        assert_eq!(
            (&blockers[0].table, &blockers[0].column),
            (table, column),
            "the first blocker is the one the error names"
        );
        for b in blockers {
            assert_eq!(
                (b.reason, b.referenced_table.as_str(), b.rows),
                (reason, "r", 1)
            );
        }
        let mut out: Vec<_> = blockers
            .iter()
            .map(|b| (b.table.clone(), b.column.clone(), b.keys.clone()))
            .collect();
        out.sort();
        out
    }

    /// `tests/delete/tests.py` `OnDeleteTests.test_auto`: deleting `a.auto` (CASCADE, not
    /// null) deletes the `A`.
    #[test]
    fn test_auto() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "auto");
        s.delete_by_pk::<R>(a.auto_id).unwrap();
        assert!(!a_named(&s, "auto"));
    }

    /// `OnDeleteTests.test_auto_nullable`: deleting `a.auto_nullable` (CASCADE, null) deletes
    /// the `A`.
    #[test]
    fn test_auto_nullable() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "auto_nullable");
        s.delete_by_pk::<R>(a.auto_nullable_id.unwrap()).unwrap();
        assert!(!a_named(&s, "auto_nullable"));
    }

    /// `OnDeleteTests.test_setvalue`: deleting `a.setvalue` (`SET(get_default_r)`) sets it to
    /// the default `R` (here as the column's default).
    #[test]
    fn test_setvalue() {
        let (mut s, default) = set_up();
        let a = create_a(&mut s, "setvalue");
        s.delete_by_pk::<R>(a.setvalue_id).unwrap();
        let a = s.get::<A>(a.id).unwrap().unwrap();
        assert_eq!(a.setvalue_id, default);
    }

    /// `OnDeleteTests.test_setnull`: deleting `a.setnull` (SET_NULL) leaves `a.setnull`
    /// `None`.
    #[test]
    fn test_setnull() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "setnull");
        s.delete_by_pk::<R>(a.setnull_id.unwrap()).unwrap();
        let a = s.get::<A>(a.id).unwrap().unwrap();
        assert_eq!(a.setnull_id, None);
    }

    /// `OnDeleteTests.test_setdefault`: deleting `a.setdefault` (SET_DEFAULT,
    /// `default=get_default_r`) sets it to the default `R`.
    #[test]
    fn test_setdefault() {
        let (mut s, default) = set_up();
        let a = create_a(&mut s, "setdefault");
        s.delete_by_pk::<R>(a.setdefault_id).unwrap();
        let a = s.get::<A>(a.id).unwrap().unwrap();
        assert_eq!(a.setdefault_id, default);
    }

    /// `OnDeleteTests.test_setdefault_none`: deleting `a.setdefault_none` (SET_DEFAULT,
    /// `default=None`) leaves it `None`.
    #[test]
    fn test_setdefault_none() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "setdefault_none");
        s.delete_by_pk::<R>(a.setdefault_none_id.unwrap()).unwrap();
        let a = s.get::<A>(a.id).unwrap().unwrap();
        assert_eq!(a.setdefault_none_id, None);
    }

    /// `OnDeleteTests.test_cascade`: deleting `a.cascade` deletes the `A`.
    #[test]
    fn test_cascade() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "cascade");
        s.delete_by_pk::<R>(a.cascade_id).unwrap();
        assert!(!a_named(&s, "cascade"));
    }

    /// `OnDeleteTests.test_cascade_nullable`: deleting `a.cascade_nullable` deletes the `A`.
    #[test]
    fn test_cascade_nullable() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "cascade_nullable");
        s.delete_by_pk::<R>(a.cascade_nullable_id.unwrap()).unwrap();
        assert!(!a_named(&s, "cascade_nullable"));
    }

    /// `OnDeleteTests.test_protect`: deleting `a.protect` raises `ProtectedError` (through
    /// `A.protect`) with `protected_objects == {a}`.
    #[test]
    fn test_protect() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "protect");
        let r = a.protect_id.unwrap();
        match s.delete_by_pk::<R>(r).unwrap_err() {
            Error::Blocked {
                table,
                column,
                referenced_table,
                rows,
                keys,
                reason,
                ..
            } => {
                assert_eq!(
                    (table.as_str(), column.as_str(), referenced_table.as_str()),
                    ("a", "protect_id", "r")
                );
                assert_eq!((rows, reason), (1, BlockReason::Protect));
                assert_eq!(keys, vec![a.id.to_string()]);
            }
            other => panic!("expected Blocked, got {other:?}"),
        }
        assert!(exists(&s, "r", r) && exists(&s, "a", a.id));
    }

    /// `tests/delete/tests.py` `OnDeleteTests.test_protect_multiple`: deleting `a.protect`,
    /// also referenced by a `B` through `B.protect` (PROTECT), raises `ProtectedError`
    /// naming `'A.protect', 'B.protect'` with `protected_objects == {a, b}`.
    #[test]
    fn test_protect_multiple() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "protect");
        let r = a.protect_id.unwrap();
        let b = add(&s, "INSERT INTO b (protect_id) VALUES (?1)", [r]);
        let err = s.delete_by_pk::<R>(r).unwrap_err();
        assert_eq!(
            blockers(&err, BlockReason::Protect),
            vec![
                ("a".into(), "protect_id".into(), vec![a.id.to_string()]),
                ("b".into(), "protect_id".into(), vec![b.to_string()]),
            ]
        );
        let message = err.to_string();
        assert!(
            message.contains("\"a\"") && message.contains("\"b\""),
            "{message}"
        );
        assert!(exists(&s, "r", r) && exists(&s, "a", a.id) && exists(&s, "b", b));
    }

    /// `OnDeleteTests.test_protect_path`: `R.p` CASCADE from `P`, `A.protect` PROTECT on `R`;
    /// deleting the `P` raises `ProtectedError` with `protected_objects == {a}`.
    #[test]
    fn test_protect_path() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "protect");
        let p = add(&s, "INSERT INTO p DEFAULT VALUES", []);
        s.connection()
            .execute(
                "UPDATE r SET p_id = ?1 WHERE id = ?2",
                [p, a.protect_id.unwrap()],
            )
            .unwrap();
        match s.delete_by_pk::<P>(p).unwrap_err() {
            Error::Blocked {
                table,
                column,
                keys,
                reason,
                ..
            } => {
                assert_eq!((table.as_str(), column.as_str()), ("a", "protect_id"));
                assert_eq!(
                    (keys, reason),
                    (vec![a.id.to_string()], BlockReason::Protect)
                );
            }
            other => panic!("expected Blocked, got {other:?}"),
        }
        assert!(exists(&s, "p", p) && exists(&s, "r", a.protect_id.unwrap()));
    }

    /// `OnDeleteTests.test_inheritance_cascade_up`: deleting an `RChild` deletes its parent
    /// `R` row.
    #[test]
    fn test_inheritance_cascade_up() {
        let (mut s, _) = set_up();
        let child = new_rchild(&s);
        s.delete_by_pk::<RChild>(child).unwrap();
        assert!(!exists(&s, "r", child));
    }

    /// `OnDeleteTests.test_inheritance_cascade_down`: deleting the parent `R` row deletes the
    /// `RChild`.
    #[test]
    fn test_inheritance_cascade_down() {
        let (mut s, _) = set_up();
        let child = new_rchild(&s);
        s.delete_by_pk::<R>(child).unwrap();
        assert!(!exists(&s, "r_child", child));
    }

    /// `OnDeleteTests.test_cascade_from_child`: deleting `a.child` (an `RChild`, CASCADE)
    /// deletes the `A` and the child's parent `R` row.
    #[test]
    fn test_cascade_from_child() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "child");
        s.delete_by_pk::<RChild>(a.child_id).unwrap();
        assert!(!a_named(&s, "child"));
        assert!(!exists(&s, "r", a.child_id));
    }

    /// `OnDeleteTests.test_cascade_from_parent`: deleting the parent `R` row of `a.child`
    /// deletes the `A` and the `RChild`.
    #[test]
    fn test_cascade_from_parent() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "child");
        s.delete_by_pk::<R>(a.child_id).unwrap();
        assert!(!a_named(&s, "child"));
        assert!(!exists(&s, "r_child", a.child_id));
    }

    /// `OnDeleteTests.test_setnull_from_child`: deleting `a.child_setnull` (SET_NULL) deletes
    /// its parent `R` row and leaves `a.child_setnull` `None`.
    #[test]
    fn test_setnull_from_child() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "child_setnull");
        let child = a.child_setnull_id.unwrap();
        s.delete_by_pk::<RChild>(child).unwrap();
        assert!(!exists(&s, "r", child));
        let a = s.get::<A>(a.id).unwrap().unwrap();
        assert_eq!(a.child_setnull_id, None);
    }

    /// `OnDeleteTests.test_setnull_from_parent`: deleting the parent `R` row of
    /// `a.child_setnull` deletes the `RChild` and leaves `a.child_setnull` `None`.
    #[test]
    fn test_setnull_from_parent() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "child_setnull");
        let child = a.child_setnull_id.unwrap();
        s.delete_by_pk::<R>(child).unwrap();
        assert!(!exists(&s, "r_child", child));
        let a = s.get::<A>(a.id).unwrap().unwrap();
        assert_eq!(a.child_setnull_id, None);
    }

    /// `OnDeleteTests.test_o2o_setnull`: deleting `a.o2o_setnull` (SET_NULL) leaves it `None`.
    #[test]
    fn test_o2o_setnull() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "o2o_setnull");
        s.delete_by_pk::<R>(a.o2o_setnull_id.unwrap()).unwrap();
        let a = s.get::<A>(a.id).unwrap().unwrap();
        assert_eq!(a.o2o_setnull_id, None);
    }

    /// `OnDeleteTests.test_restrict`: deleting `a.restrict` raises `RestrictedError` (through
    /// `A.restrict`) with `restricted_objects == {a}`.
    #[test]
    fn test_restrict() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "restrict");
        let r = a.restrict_id.unwrap();
        match s.delete_by_pk::<R>(r).unwrap_err() {
            Error::Blocked {
                table,
                column,
                referenced_table,
                rows,
                keys,
                reason,
                ..
            } => {
                assert_eq!(
                    (table.as_str(), column.as_str(), referenced_table.as_str()),
                    ("a", "restrict_id", "r")
                );
                assert_eq!((rows, reason), (1, BlockReason::Restrict));
                assert_eq!(keys, vec![a.id.to_string()]);
            }
            other => panic!("expected Blocked, got {other:?}"),
        }
        assert!(exists(&s, "r", r) && exists(&s, "a", a.id));
    }

    /// `OnDeleteTests.test_restrict_multiple`: deleting `a.restrict`, also referenced by a
    /// `B3` through `B3.restrict` (RESTRICT), raises `RestrictedError` naming
    /// `'A.restrict', 'B3.restrict'` with `restricted_objects == {a, b3}`.
    #[test]
    fn test_restrict_multiple() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "restrict");
        let r = a.restrict_id.unwrap();
        let b3 = add(&s, "INSERT INTO b3 (restrict_id) VALUES (?1)", [r]);
        let err = s.delete_by_pk::<R>(r).unwrap_err();
        assert_eq!(
            blockers(&err, BlockReason::Restrict),
            vec![
                ("a".into(), "restrict_id".into(), vec![a.id.to_string()]),
                ("b3".into(), "restrict_id".into(), vec![b3.to_string()]),
            ]
        );
        let message = err.to_string();
        assert!(
            message.contains("\"a\"") && message.contains("\"b3\""),
            "{message}"
        );
        assert!(exists(&s, "r", r) && exists(&s, "a", a.id) && exists(&s, "b3", b3));
    }

    /// `OnDeleteTests.test_restrict_path_cascade_indirect`: deleting the `P` of `a.restrict`
    /// raises `RestrictedError` (`restricted_objects == {a}`); once `a.cascade.p` is that `P`
    /// too, the same delete removes `a` through `A.cascade` and is allowed: `a` and
    /// `a.restrict` are gone.
    #[test]
    fn test_restrict_path_cascade_indirect() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "restrict");
        let p = add(&s, "INSERT INTO p DEFAULT VALUES", []);
        let set_p = "UPDATE r SET p_id = ?1 WHERE id = ?2";
        s.connection()
            .execute(set_p, [p, a.restrict_id.unwrap()])
            .unwrap();
        match s.delete_by_pk::<P>(p).unwrap_err() {
            Error::Blocked {
                table,
                column,
                keys,
                reason,
                ..
            } => {
                assert_eq!((table.as_str(), column.as_str()), ("a", "restrict_id"));
                assert_eq!(
                    (keys, reason),
                    (vec![a.id.to_string()], BlockReason::Restrict)
                );
            }
            other => panic!("expected Blocked, got {other:?}"),
        }
        // Object referenced also with CASCADE relationship can be deleted.
        s.connection().execute(set_p, [p, a.cascade_id]).unwrap();
        s.delete_by_pk::<P>(p).unwrap();
        assert!(!a_named(&s, "restrict"));
        assert!(!exists(&s, "r", a.restrict_id.unwrap()));
    }

    /// `OnDeleteTests.test_restrict_path_cascade_direct`: with `a.cascade_p` and
    /// `a.restrict.p` the same `P`, deleting it deletes `a` and `a.restrict`.
    #[test]
    fn test_restrict_path_cascade_direct() {
        let (mut s, _) = set_up();
        let a = create_a(&mut s, "restrict");
        let p = add(&s, "INSERT INTO p DEFAULT VALUES", []);
        s.connection()
            .execute(
                "UPDATE r SET p_id = ?1 WHERE id = ?2",
                [p, a.restrict_id.unwrap()],
            )
            .unwrap();
        s.connection()
            .execute("UPDATE a SET cascade_p_id = ?1 WHERE id = ?2", [p, a.id])
            .unwrap();
        s.delete_by_pk::<P>(p).unwrap();
        assert!(!a_named(&s, "restrict"));
        assert!(!exists(&s, "r", a.restrict_id.unwrap()));
    }

    /// `OnDeleteTests.test_restrict_path_cascade_indirect_diamond`: deleting `b1` is refused
    /// (`DeleteBottom.b1` RESTRICT, `restricted_objects == {delete_bottom}`) and changes
    /// nothing; deleting `delete_top` reaches the bottom through `B2` (CASCADE) too and
    /// deletes all four.
    #[test]
    fn test_restrict_path_cascade_indirect_diamond() {
        let (mut s, _) = set_up();
        let top = add(&s, "INSERT INTO delete_top DEFAULT VALUES", []);
        let b1 = add(&s, "INSERT INTO b1 (delete_top_id) VALUES (?1)", [top]);
        let b2 = add(&s, "INSERT INTO b2 (delete_top_id) VALUES (?1)", [top]);
        let bottom = add(
            &s,
            "INSERT INTO delete_bottom (b1_id, b2_id) VALUES (?1, ?2)",
            [b1, b2],
        );
        match s.delete_by_pk::<B1>(b1).unwrap_err() {
            Error::Blocked {
                table,
                column,
                keys,
                reason,
                ..
            } => {
                assert_eq!(
                    (table.as_str(), column.as_str()),
                    ("delete_bottom", "b1_id")
                );
                assert_eq!(
                    (keys, reason),
                    (vec![bottom.to_string()], BlockReason::Restrict)
                );
            }
            other => panic!("expected Blocked, got {other:?}"),
        }
        for table in ["delete_top", "b1", "b2", "delete_bottom"] {
            assert_eq!(count(&s, table), 1, "{table}");
        }
        // Object referenced also with CASCADE relationship can be deleted.
        s.delete_by_pk::<DeleteTop>(top).unwrap();
        for table in ["delete_top", "b1", "b2", "delete_bottom"] {
            assert_eq!(count(&s, table), 0, "{table}");
        }
    }
}

/// `DeletionTests`
mod deletion_tests {
    use super::*;

    /// The tables a report deleted from, with their counts, sorted by table.
    fn deleted(report: &cascade_runtime::DeleteReport) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> =
            report.deleted().map(|(t, n)| (t.to_owned(), n)).collect();
        out.sort();
        out
    }

    /// The report's `Display` lists no table with 0 deleted rows.
    fn assert_no_empty_lines(report: &cascade_runtime::DeleteReport) {
        let text = report.to_string();
        assert!(!text.contains(": 0 deleted"), "{text}");
    }

    /// `tests/delete/tests.py` `DeletionTests.test_pk_none`: deleting an `M` that was never
    /// saved raises ("can't be deleted because its id attribute is set to None").
    #[test]
    fn test_pk_none() {
        let mut s = session();
        let m = M {
            id: 0,
            m2m: vec![],
            mr_set: vec![],
            mrnull_set: vec![],
        };
        match s.delete(&m).unwrap_err() {
            Error::MissingKey { table } => assert_eq!(table, "m"),
            other => panic!("expected MissingKey, got {other:?}"),
        }
    }

    /// `DeletionTests.test_m2m`: deleting either side of `MR` (explicit through) or of
    /// `M.m2m` (auto through) deletes the through rows; deleting the `R` of an `MRNull`
    /// (SET_NULL) keeps the row, and `m.m2m_through_null` is then empty.
    #[test]
    fn test_m2m() {
        let mut s = session();
        let m = add(&s, "INSERT INTO m DEFAULT VALUES", []);
        let r = new_r(&s);
        add(&s, "INSERT INTO mr (m_id, r_id) VALUES (?1, ?2)", [m, r]);
        s.delete_by_pk::<R>(r).unwrap();
        assert_eq!(count(&s, "mr"), 0);

        let r = new_r(&s);
        add(&s, "INSERT INTO mr (m_id, r_id) VALUES (?1, ?2)", [m, r]);
        s.delete_by_pk::<M>(m).unwrap();
        assert_eq!(count(&s, "mr"), 0);

        let m = add(&s, "INSERT INTO m DEFAULT VALUES", []);
        let r = new_r(&s);
        add(&s, "INSERT INTO m_m2m (m_id, r_id) VALUES (?1, ?2)", [m, r]);
        s.delete_by_pk::<R>(r).unwrap();
        assert_eq!(count(&s, "m_m2m"), 0);

        let r = new_r(&s);
        add(&s, "INSERT INTO m_m2m (m_id, r_id) VALUES (?1, ?2)", [m, r]);
        s.delete_by_pk::<M>(m).unwrap();
        assert_eq!(count(&s, "m_m2m"), 0);

        let m = add(&s, "INSERT INTO m DEFAULT VALUES", []);
        let r = new_r(&s);
        add(
            &s,
            "INSERT INTO mr_null (m_id, r_id) VALUES (?1, ?2)",
            [m, r],
        );
        s.delete_by_pk::<R>(r).unwrap();
        assert_ne!(count(&s, "mr_null"), 0);
        let through_null: i64 = s
            .connection()
            .query_row(
                "SELECT count(*) FROM mr_null WHERE m_id = ?1 AND r_id IS NOT NULL",
                [m],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(through_null, 0);
    }

    /// `DeletionTests.test_bulk`: an `S` with `2 * GET_ITERATOR_CHUNK_SIZE` `T`s is deleted
    /// (the upstream query count does not apply).
    #[test]
    fn test_bulk() {
        let mut s = session();
        let r = new_r(&s);
        let s_id = add(&s, "INSERT INTO s (r_id) VALUES (?1)", [r]);
        for _ in 0..2 * 100 {
            add(&s, "INSERT INTO t (s_id) VALUES (?1)", [s_id]);
        }
        s.delete_by_pk::<S>(s_id).unwrap();
        assert_eq!(count(&s, "s"), 0);
    }

    /// `DeletionTests.test_can_defer_constraint_checks` (SQLite can defer): deleting the
    /// avatar deletes the user and the avatar, and the user's `post_delete` runs once.
    #[test]
    fn test_can_defer_constraint_checks() {
        let mut s = session();
        let avatar = add(&s, "INSERT INTO avatar DEFAULT VALUES", []);
        add(&s, "INSERT INTO user (avatar_id) VALUES (?1)", [avatar]);
        USER_POST_DELETE.with(|c| c.set(0));
        s.delete_by_pk::<Avatar>(avatar).unwrap();
        assert_eq!(count(&s, "user"), 0);
        assert_eq!(count(&s, "avatar"), 0);
        assert_eq!(USER_POST_DELETE.with(|c| c.get()), 1);
    }

    /// `DeletionTests.test_hidden_related`: `R` → `HiddenUser` (no reverse accessor) →
    /// `HiddenUserProfile`; deleting the `R` deletes the profile.
    #[test]
    fn test_hidden_related() {
        let mut s = session();
        let r = new_r(&s);
        let h = add(&s, "INSERT INTO hidden_user (r_id) VALUES (?1)", [r]);
        add(
            &s,
            "INSERT INTO hidden_user_profile (user_id) VALUES (?1)",
            [h],
        );
        s.delete_by_pk::<R>(r).unwrap();
        assert_eq!(count(&s, "hidden_user_profile"), 0);
    }

    /// `DeletionTests.test_large_delete`: `Avatar.objects.all().delete()` over 2000 avatars
    /// leaves none (the upstream query count does not apply).
    #[test]
    fn test_large_delete() {
        let mut s = session();
        for _ in 0..2000 {
            add(&s, "INSERT INTO avatar DEFAULT VALUES", []);
        }
        s.delete_where::<Avatar>("1 = 1", ()).unwrap();
        assert_eq!(count(&s, "avatar"), 0);
    }

    /// `DeletionTests.test_large_delete_related`: deleting an `S` with 2000 `T`s leaves no `S`
    /// and no `T`.
    #[test]
    fn test_large_delete_related() {
        let mut s = session();
        let r = new_r(&s);
        let s_id = add(&s, "INSERT INTO s (r_id) VALUES (?1)", [r]);
        for _ in 0..2000 {
            add(&s, "INSERT INTO t (s_id) VALUES (?1)", [s_id]);
        }
        s.delete_by_pk::<S>(s_id).unwrap();
        assert_eq!(count(&s, "s"), 0);
        assert_eq!(count(&s, "t"), 0);
    }

    /// `tests/delete/tests.py` `DeletionTests.test_queryset_delete_returns_num_rows`: `QuerySet.delete()` returns the
    /// number of rows (3 avatars), and per model exactly the models that lost rows
    /// (`R`: 1, `HiddenUser`: 2, `HiddenUserProfile`: 1).
    #[test]
    fn test_queryset_delete_returns_num_rows() {
        let mut s = session();
        for desc in ["a", "b", "c"] {
            add(&s, "INSERT INTO avatar (desc) VALUES (?1)", [desc]);
        }
        let avatars_count = count(&s, "avatar") as usize;
        let report = s.delete_where::<Avatar>("1 = 1", ()).unwrap();
        assert_eq!(report.total(), avatars_count);

        let r = new_r(&s);
        let h1 = add(&s, "INSERT INTO hidden_user (r_id) VALUES (?1)", [r]);
        add(&s, "INSERT INTO hidden_user (r_id) VALUES (?1)", [r]);
        add(
            &s,
            "INSERT INTO hidden_user_profile (user_id) VALUES (?1)",
            [h1],
        );
        let report = s.delete_where::<R>("1 = 1", ()).unwrap();
        assert_no_empty_lines(&report);
        assert_eq!(
            deleted(&report),
            vec![
                ("hidden_user".to_owned(), 2),
                ("hidden_user_profile".to_owned(), 1),
                ("r".to_owned(), 1),
            ]
        );
    }

    /// `tests/delete/tests.py` `DeletionTests.test_model_delete_returns_num_rows`: `r.delete()` returns the sum of the
    /// rows, and per model exactly `R`: 1, `HiddenUser`: 3, `MR`: 1, `HiddenUserProfile`: 2
    /// and the `M.m2m` through table: 2.
    #[test]
    fn test_model_delete_returns_num_rows() {
        let mut s = session();
        let r = new_r(&s);
        let h1 = add(&s, "INSERT INTO hidden_user (r_id) VALUES (?1)", [r]);
        let h2 = add(&s, "INSERT INTO hidden_user (r_id) VALUES (?1)", [r]);
        add(&s, "INSERT INTO hidden_user (r_id) VALUES (?1)", [r]);
        add(
            &s,
            "INSERT INTO hidden_user_profile (user_id) VALUES (?1)",
            [h1],
        );
        add(
            &s,
            "INSERT INTO hidden_user_profile (user_id) VALUES (?1)",
            [h2],
        );
        let m1 = add(&s, "INSERT INTO m DEFAULT VALUES", []);
        let m2 = add(&s, "INSERT INTO m DEFAULT VALUES", []);
        add(&s, "INSERT INTO mr (m_id, r_id) VALUES (?1, ?2)", [m1, r]);
        add(
            &s,
            "INSERT INTO m_m2m (m_id, r_id) VALUES (?1, ?2)",
            [m1, r],
        );
        add(
            &s,
            "INSERT INTO m_m2m (m_id, r_id) VALUES (?1, ?2)",
            [m2, r],
        );
        let existed = vec![
            ("hidden_user".to_owned(), count(&s, "hidden_user") as usize),
            (
                "hidden_user_profile".to_owned(),
                count(&s, "hidden_user_profile") as usize,
            ),
            ("m_m2m".to_owned(), count(&s, "m_m2m") as usize),
            ("mr".to_owned(), count(&s, "mr") as usize),
            ("r".to_owned(), count(&s, "r") as usize),
        ];
        let report = s.delete_by_pk::<R>(r).unwrap();
        assert_eq!(
            report.total(),
            existed.iter().map(|(_, n)| n).sum::<usize>()
        );
        assert_eq!(deleted(&report), existed);
        assert_no_empty_lines(&report);
    }
}

/// `FastDeleteTests`: Django's single-query deletes; the query counts do not apply, the rows
/// that remain and the returned counts do.
mod fast_delete_tests {
    use super::*;

    /// `tests/delete/tests.py` `FastDeleteTests.test_fast_delete_fk`: deleting the avatar
    /// deletes its user and itself.
    #[test]
    fn test_fast_delete_fk() {
        let mut s = session();
        let avatar = add(&s, "INSERT INTO avatar DEFAULT VALUES", []);
        add(&s, "INSERT INTO user (avatar_id) VALUES (?1)", [avatar]);
        s.delete_by_pk::<Avatar>(avatar).unwrap();
        assert_eq!(count(&s, "user"), 0);
        assert_eq!(count(&s, "avatar"), 0);
    }

    /// `FastDeleteTests.test_fast_delete_qs`: `User.objects.filter(pk=u1.pk).delete()` leaves
    /// one user, `u2`.
    #[test]
    fn test_fast_delete_qs() {
        let mut s = session();
        let u1 = add(&s, "INSERT INTO user DEFAULT VALUES", []);
        let u2 = add(&s, "INSERT INTO user DEFAULT VALUES", []);
        s.delete_where::<User>("id = ?1", [u1]).unwrap();
        assert_eq!(count(&s, "user"), 1);
        assert!(exists(&s, "user", u2));
    }

    /// `FastDeleteTests.test_fast_delete_joined_qs`: deleting the users whose avatar's desc is
    /// `'a'` leaves one user, `u2`.
    #[test]
    fn test_fast_delete_joined_qs() {
        let mut s = session();
        let a = add(&s, "INSERT INTO avatar (desc) VALUES ('a')", []);
        add(&s, "INSERT INTO user (avatar_id) VALUES (?1)", [a]);
        let u2 = add(&s, "INSERT INTO user DEFAULT VALUES", []);
        s.delete_where::<User>(
            "avatar_id IN (SELECT id FROM avatar WHERE \"desc\" = ?1)",
            ["a"],
        )
        .unwrap();
        assert_eq!(count(&s, "user"), 1);
        assert!(exists(&s, "user", u2));
    }

    /// `FastDeleteTests.test_fast_delete_inheritance`: deleting a `Child` (multi-table
    /// inheritance) deletes its parent row and keeps the other `Parent`; deleting that one
    /// leaves no parent; deleting a child's parent row leaves no parent and no child.
    #[test]
    fn test_fast_delete_inheritance() {
        let mut s = session();
        let new_child = |s: &Session| {
            let id = add(s, "INSERT INTO parent DEFAULT VALUES", []);
            add(s, "INSERT INTO child (parent_ptr_id) VALUES (?1)", [id]);
            id
        };
        let c = new_child(&s);
        let p = add(&s, "INSERT INTO parent DEFAULT VALUES", []);
        s.delete_by_pk::<Child>(c).unwrap();
        assert_eq!(count(&s, "child"), 0);
        assert_eq!(count(&s, "parent"), 1);
        assert!(exists(&s, "parent", p));
        s.delete_by_pk::<Parent>(p).unwrap();
        assert_eq!(count(&s, "parent"), 0);
        let c = new_child(&s);
        s.delete_by_pk::<Parent>(c).unwrap();
        assert_eq!(count(&s, "parent"), 0);
        assert_eq!(count(&s, "child"), 0);
    }

    /// `FastDeleteTests.test_fast_delete_large_batch`: deleting 2000 users leaves none;
    /// deleting an avatar with 2000 users leaves no user.
    #[test]
    fn test_fast_delete_large_batch() {
        let mut s = session();
        for _ in 0..2000 {
            add(&s, "INSERT INTO user DEFAULT VALUES", []);
        }
        s.delete_where::<User>("1 = 1", ()).unwrap();
        assert_eq!(count(&s, "user"), 0);
        let a = add(&s, "INSERT INTO avatar (desc) VALUES ('a')", []);
        for _ in 0..2000 {
            add(&s, "INSERT INTO user (avatar_id) VALUES (?1)", [a]);
        }
        s.delete_by_pk::<Avatar>(a).unwrap();
        assert_eq!(count(&s, "user"), 0);
    }

    /// `tests/delete/tests.py` `FastDeleteTests.test_fast_delete_empty_no_update_can_self_select`: a filtered delete
    /// that matches nothing returns `(0, {})`.
    #[test]
    fn test_fast_delete_empty_no_update_can_self_select() {
        let mut s = session();
        let report = s
            .delete_where::<User>(
                "avatar_id IN (SELECT id FROM avatar WHERE \"desc\" = ?1)",
                ["missing"],
            )
            .unwrap();
        assert_eq!(report.total(), 0);
        assert_eq!(report.deleted().count(), 0, "{report}");
        assert_eq!(report.count("user"), 0);
        assert!(!report.to_string().contains("user"), "{report}");
    }

    /// `FastDeleteTests.test_fast_delete_aggregation`: deleting the bases with no `rels`
    /// (`annotate(Count("rels")).filter(rels_count=0)`) returns `(1, {"delete.Base": 1})` and
    /// leaves no base.
    #[test]
    fn test_fast_delete_aggregation() {
        let mut s = session();
        add(&s, "INSERT INTO base DEFAULT VALUES", []);
        let report = s
            .delete_where::<Base>(
                "(SELECT count(*) FROM rel_to_base WHERE rel_to_base.base_id = base.id) = 0",
                (),
            )
            .unwrap();
        assert_eq!(report.total(), 1);
        let deleted: Vec<(&str, usize)> = report.deleted().collect();
        assert_eq!(deleted, vec![("base", 1)]);
        assert_eq!(count(&s, "base"), 0);
    }

    /// `FastDeleteTests.test_fast_delete_full_match`: `filter(~Q(pk__in=[]) |
    /// Q(avatar__desc="foo")).delete()` matches every user: none is left.
    #[test]
    fn test_fast_delete_full_match() {
        let mut s = session();
        let avatar = add(&s, "INSERT INTO avatar (desc) VALUES ('bar')", []);
        add(&s, "INSERT INTO user (avatar_id) VALUES (?1)", [avatar]);
        s.delete_where::<User>(
            "NOT (id IN ()) OR avatar_id IN (SELECT id FROM avatar WHERE \"desc\" = ?1)",
            ["foo"],
        )
        .unwrap();
        assert_eq!(count(&s, "user"), 0);
    }
}
