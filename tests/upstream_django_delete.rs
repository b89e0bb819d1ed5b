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

mod common;

use cascade_runtime::{Backend, BlockReason, Error, Session};
use common::Db;

#[path = "upstream_models/django_delete.rs"]
mod models;
use models::*;

/// `OnDeleteTests`: each `on_delete` of `A`'s keys to `R`.
mod on_delete_tests {
    use super::*;
    use cascade_runtime::Blocker;

    /// `setUp`: `self.DEFAULT = get_default_r()`.
    pub fn set_up<B: Backend>(s: &mut Session<B>) -> i64
    where
        Session<B>: Db,
    {
        create_tables(s);
        get_default_r(s)
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
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "auto");
            s.delete_by_pk::<R>(a.auto_id).unwrap();
            assert!(!a_named(s, "auto"));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_auto_nullable`: deleting `a.auto_nullable` (CASCADE, null) deletes
    /// the `A`.
    #[test]
    fn test_auto_nullable() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "auto_nullable");
            s.delete_by_pk::<R>(a.auto_nullable_id.unwrap()).unwrap();
            assert!(!a_named(s, "auto_nullable"));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_setvalue`: deleting `a.setvalue` (`SET(get_default_r)`) sets it to
    /// the default `R` (here as the column's default).
    #[test]
    fn test_setvalue() {
        on_all!(|s| {
            let default = set_up(s);
            let a = create_a(s, "setvalue");
            s.delete_by_pk::<R>(a.setvalue_id).unwrap();
            let a = s.get::<A>(a.id).unwrap().unwrap();
            assert_eq!(a.setvalue_id, default);
            Ok(())
        });
    }

    /// `OnDeleteTests.test_setnull`: deleting `a.setnull` (SET_NULL) leaves `a.setnull`
    /// `None`.
    #[test]
    fn test_setnull() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "setnull");
            s.delete_by_pk::<R>(a.setnull_id.unwrap()).unwrap();
            let a = s.get::<A>(a.id).unwrap().unwrap();
            assert_eq!(a.setnull_id, None);
            Ok(())
        });
    }

    /// `OnDeleteTests.test_setdefault`: deleting `a.setdefault` (SET_DEFAULT,
    /// `default=get_default_r`) sets it to the default `R`.
    #[test]
    fn test_setdefault() {
        on_all!(|s| {
            let default = set_up(s);
            let a = create_a(s, "setdefault");
            s.delete_by_pk::<R>(a.setdefault_id).unwrap();
            let a = s.get::<A>(a.id).unwrap().unwrap();
            assert_eq!(a.setdefault_id, default);
            Ok(())
        });
    }

    /// `OnDeleteTests.test_setdefault_none`: deleting `a.setdefault_none` (SET_DEFAULT,
    /// `default=None`) leaves it `None`.
    #[test]
    fn test_setdefault_none() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "setdefault_none");
            s.delete_by_pk::<R>(a.setdefault_none_id.unwrap()).unwrap();
            let a = s.get::<A>(a.id).unwrap().unwrap();
            assert_eq!(a.setdefault_none_id, None);
            Ok(())
        });
    }

    /// `OnDeleteTests.test_cascade`: deleting `a.cascade` deletes the `A`.
    #[test]
    fn test_cascade() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "cascade");
            s.delete_by_pk::<R>(a.cascade_id).unwrap();
            assert!(!a_named(s, "cascade"));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_cascade_nullable`: deleting `a.cascade_nullable` deletes the `A`.
    #[test]
    fn test_cascade_nullable() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "cascade_nullable");
            s.delete_by_pk::<R>(a.cascade_nullable_id.unwrap()).unwrap();
            assert!(!a_named(s, "cascade_nullable"));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_protect`: deleting `a.protect` raises `ProtectedError` (through
    /// `A.protect`) with `protected_objects == {a}`.
    #[test]
    fn test_protect() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "protect");
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
            assert!(exists(s, "r", r) && exists(s, "a", a.id));
            Ok(())
        });
    }

    /// `tests/delete/tests.py` `OnDeleteTests.test_protect_multiple`: deleting `a.protect`,
    /// also referenced by a `B` through `B.protect` (PROTECT), raises `ProtectedError`
    /// naming `'A.protect', 'B.protect'` with `protected_objects == {a, b}`.
    #[test]
    fn test_protect_multiple() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "protect");
            let r = a.protect_id.unwrap();
            let b = add(s, &format!("INSERT INTO b (protect_id) VALUES ({r})"));
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
            assert!(exists(s, "r", r) && exists(s, "a", a.id) && exists(s, "b", b));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_protect_path`: `R.p` CASCADE from `P`, `A.protect` PROTECT on `R`;
    /// deleting the `P` raises `ProtectedError` with `protected_objects == {a}`.
    #[test]
    fn test_protect_path() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "protect");
            let p = add(s, "INSERT INTO p DEFAULT VALUES");
            run(
                s,
                &format!(
                    "UPDATE r SET p_id = {p} WHERE id = {}",
                    a.protect_id.unwrap()
                ),
            );
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
            assert!(exists(s, "p", p) && exists(s, "r", a.protect_id.unwrap()));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_inheritance_cascade_up`: deleting an `RChild` deletes its parent
    /// `R` row.
    #[test]
    fn test_inheritance_cascade_up() {
        on_all!(|s| {
            set_up(s);
            let child = new_rchild(s);
            s.delete_by_pk::<RChild>(child).unwrap();
            assert!(!exists(s, "r", child));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_inheritance_cascade_down`: deleting the parent `R` row deletes the
    /// `RChild`.
    #[test]
    fn test_inheritance_cascade_down() {
        on_all!(|s| {
            set_up(s);
            let child = new_rchild(s);
            s.delete_by_pk::<R>(child).unwrap();
            assert!(!exists(s, "r_child", child));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_cascade_from_child`: deleting `a.child` (an `RChild`, CASCADE)
    /// deletes the `A` and the child's parent `R` row.
    #[test]
    fn test_cascade_from_child() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "child");
            s.delete_by_pk::<RChild>(a.child_id).unwrap();
            assert!(!a_named(s, "child"));
            assert!(!exists(s, "r", a.child_id));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_cascade_from_parent`: deleting the parent `R` row of `a.child`
    /// deletes the `A` and the `RChild`.
    #[test]
    fn test_cascade_from_parent() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "child");
            s.delete_by_pk::<R>(a.child_id).unwrap();
            assert!(!a_named(s, "child"));
            assert!(!exists(s, "r_child", a.child_id));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_setnull_from_child`: deleting `a.child_setnull` (SET_NULL) deletes
    /// its parent `R` row and leaves `a.child_setnull` `None`.
    #[test]
    fn test_setnull_from_child() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "child_setnull");
            let child = a.child_setnull_id.unwrap();
            s.delete_by_pk::<RChild>(child).unwrap();
            assert!(!exists(s, "r", child));
            let a = s.get::<A>(a.id).unwrap().unwrap();
            assert_eq!(a.child_setnull_id, None);
            Ok(())
        });
    }

    /// `OnDeleteTests.test_setnull_from_parent`: deleting the parent `R` row of
    /// `a.child_setnull` deletes the `RChild` and leaves `a.child_setnull` `None`.
    #[test]
    fn test_setnull_from_parent() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "child_setnull");
            let child = a.child_setnull_id.unwrap();
            s.delete_by_pk::<R>(child).unwrap();
            assert!(!exists(s, "r_child", child));
            let a = s.get::<A>(a.id).unwrap().unwrap();
            assert_eq!(a.child_setnull_id, None);
            Ok(())
        });
    }

    /// `OnDeleteTests.test_o2o_setnull`: deleting `a.o2o_setnull` (SET_NULL) leaves it `None`.
    #[test]
    fn test_o2o_setnull() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "o2o_setnull");
            s.delete_by_pk::<R>(a.o2o_setnull_id.unwrap()).unwrap();
            let a = s.get::<A>(a.id).unwrap().unwrap();
            assert_eq!(a.o2o_setnull_id, None);
            Ok(())
        });
    }

    /// `OnDeleteTests.test_restrict`: deleting `a.restrict` raises `RestrictedError` (through
    /// `A.restrict`) with `restricted_objects == {a}`.
    #[test]
    fn test_restrict() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "restrict");
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
            assert!(exists(s, "r", r) && exists(s, "a", a.id));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_restrict_multiple`: deleting `a.restrict`, also referenced by a
    /// `B3` through `B3.restrict` (RESTRICT), raises `RestrictedError` naming
    /// `'A.restrict', 'B3.restrict'` with `restricted_objects == {a, b3}`.
    #[test]
    fn test_restrict_multiple() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "restrict");
            let r = a.restrict_id.unwrap();
            let b3 = add(s, &format!("INSERT INTO b3 (restrict_id) VALUES ({r})"));
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
            assert!(exists(s, "r", r) && exists(s, "a", a.id) && exists(s, "b3", b3));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_restrict_path_cascade_indirect`: deleting the `P` of `a.restrict`
    /// raises `RestrictedError` (`restricted_objects == {a}`); once `a.cascade.p` is that `P`
    /// too, the same delete removes `a` through `A.cascade` and is allowed: `a` and
    /// `a.restrict` are gone.
    #[test]
    fn test_restrict_path_cascade_indirect() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "restrict");
            let p = add(s, "INSERT INTO p DEFAULT VALUES");
            let set_p = |r: i64| format!("UPDATE r SET p_id = {p} WHERE id = {r}");
            run(s, &set_p(a.restrict_id.unwrap()));
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
            run(s, &set_p(a.cascade_id));
            s.delete_by_pk::<P>(p).unwrap();
            assert!(!a_named(s, "restrict"));
            assert!(!exists(s, "r", a.restrict_id.unwrap()));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_restrict_path_cascade_direct`: with `a.cascade_p` and
    /// `a.restrict.p` the same `P`, deleting it deletes `a` and `a.restrict`.
    #[test]
    fn test_restrict_path_cascade_direct() {
        on_all!(|s| {
            set_up(s);
            let a = create_a(s, "restrict");
            let p = add(s, "INSERT INTO p DEFAULT VALUES");
            run(
                s,
                &format!(
                    "UPDATE r SET p_id = {p} WHERE id = {}",
                    a.restrict_id.unwrap()
                ),
            );
            run(
                s,
                &format!("UPDATE a SET cascade_p_id = {p} WHERE id = {}", a.id),
            );
            s.delete_by_pk::<P>(p).unwrap();
            assert!(!a_named(s, "restrict"));
            assert!(!exists(s, "r", a.restrict_id.unwrap()));
            Ok(())
        });
    }

    /// `OnDeleteTests.test_restrict_path_cascade_indirect_diamond`: deleting `b1` is refused
    /// (`DeleteBottom.b1` RESTRICT, `restricted_objects == {delete_bottom}`) and changes
    /// nothing; deleting `delete_top` reaches the bottom through `B2` (CASCADE) too and
    /// deletes all four.
    #[test]
    fn test_restrict_path_cascade_indirect_diamond() {
        on_all!(|s| {
            set_up(s);
            let top = add(s, "INSERT INTO delete_top DEFAULT VALUES");
            let b1 = add(s, &format!("INSERT INTO b1 (delete_top_id) VALUES ({top})"));
            let b2 = add(s, &format!("INSERT INTO b2 (delete_top_id) VALUES ({top})"));
            let bottom = add(
                s,
                &format!("INSERT INTO delete_bottom (b1_id, b2_id) VALUES ({b1}, {b2})"),
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
                assert_eq!(count(s, table), 1, "{table}");
            }
            // Object referenced also with CASCADE relationship can be deleted.
            s.delete_by_pk::<DeleteTop>(top).unwrap();
            for table in ["delete_top", "b1", "b2", "delete_bottom"] {
                assert_eq!(count(s, table), 0, "{table}");
            }
            Ok(())
        });
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
        on_all!(|s| {
            create_tables(s);
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
            Ok(())
        });
    }

    /// `DeletionTests.test_m2m`: deleting either side of `MR` (explicit through) or of
    /// `M.m2m` (auto through) deletes the through rows; deleting the `R` of an `MRNull`
    /// (SET_NULL) keeps the row, and `m.m2m_through_null` is then empty.
    #[test]
    fn test_m2m() {
        on_all!(|s| {
            create_tables(s);
            let m = add(s, "INSERT INTO m DEFAULT VALUES");
            let r = new_r(s);
            run(s, &format!("INSERT INTO mr (m_id, r_id) VALUES ({m}, {r})"));
            s.delete_by_pk::<R>(r).unwrap();
            assert_eq!(count(s, "mr"), 0);

            let r = new_r(s);
            run(s, &format!("INSERT INTO mr (m_id, r_id) VALUES ({m}, {r})"));
            s.delete_by_pk::<M>(m).unwrap();
            assert_eq!(count(s, "mr"), 0);

            let m = add(s, "INSERT INTO m DEFAULT VALUES");
            let r = new_r(s);
            run(
                s,
                &format!("INSERT INTO m_m2m (m_id, r_id) VALUES ({m}, {r})"),
            );
            s.delete_by_pk::<R>(r).unwrap();
            assert_eq!(count(s, "m_m2m"), 0);

            let r = new_r(s);
            run(
                s,
                &format!("INSERT INTO m_m2m (m_id, r_id) VALUES ({m}, {r})"),
            );
            s.delete_by_pk::<M>(m).unwrap();
            assert_eq!(count(s, "m_m2m"), 0);

            let m = add(s, "INSERT INTO m DEFAULT VALUES");
            let r = new_r(s);
            run(
                s,
                &format!("INSERT INTO mr_null (m_id, r_id) VALUES ({m}, {r})"),
            );
            s.delete_by_pk::<R>(r).unwrap();
            assert_ne!(count(s, "mr_null"), 0);
            let through_null =
                common::count_where(s, "mr_null", &format!("m_id = {m} AND r_id IS NOT NULL"));
            assert_eq!(through_null, 0);
            Ok(())
        });
    }

    /// `DeletionTests.test_bulk`: an `S` with `2 * GET_ITERATOR_CHUNK_SIZE` `T`s is deleted
    /// (the upstream query count does not apply).
    #[test]
    fn test_bulk() {
        on_all!(|s| {
            create_tables(s);
            let r = new_r(s);
            let s_id = add(s, &format!("INSERT INTO s (r_id) VALUES ({r})"));
            for _ in 0..2 * 100 {
                run(s, &format!("INSERT INTO t (s_id) VALUES ({s_id})"));
            }
            s.delete_by_pk::<S>(s_id).unwrap();
            assert_eq!(count(s, "s"), 0);
            Ok(())
        });
    }

    /// `DeletionTests.test_can_defer_constraint_checks` (SQLite can defer): deleting the
    /// avatar deletes the user and the avatar, and the user's `post_delete` runs once.
    #[test]
    fn test_can_defer_constraint_checks() {
        on_all!(|s| {
            create_tables(s);
            let avatar = add(s, "INSERT INTO avatar DEFAULT VALUES");
            run(
                s,
                &format!("INSERT INTO \"user\" (avatar_id) VALUES ({avatar})"),
            );
            USER_POST_DELETE.with(|c| c.set(0));
            s.delete_by_pk::<Avatar>(avatar).unwrap();
            assert_eq!(count(s, "user"), 0);
            assert_eq!(count(s, "avatar"), 0);
            assert_eq!(USER_POST_DELETE.with(|c| c.get()), 1);
            Ok(())
        });
    }

    /// `DeletionTests.test_hidden_related`: `R` → `HiddenUser` (no reverse accessor) →
    /// `HiddenUserProfile`; deleting the `R` deletes the profile.
    #[test]
    fn test_hidden_related() {
        on_all!(|s| {
            create_tables(s);
            let r = new_r(s);
            let h = add(s, &format!("INSERT INTO hidden_user (r_id) VALUES ({r})"));
            run(
                s,
                &format!("INSERT INTO hidden_user_profile (user_id) VALUES ({h})"),
            );
            s.delete_by_pk::<R>(r).unwrap();
            assert_eq!(count(s, "hidden_user_profile"), 0);
            Ok(())
        });
    }

    /// `DeletionTests.test_large_delete`: `Avatar.objects.all().delete()` over 2000 avatars
    /// leaves none (the upstream query count does not apply).
    #[test]
    fn test_large_delete() {
        on_all!(|s| {
            create_tables(s);
            bulk(s, 2000, "INSERT INTO avatar (\"desc\") SELECT NULL FROM n");
            s.delete_where::<Avatar>("1 = 1", ()).unwrap();
            assert_eq!(count(s, "avatar"), 0);
            Ok(())
        });
    }

    /// `DeletionTests.test_large_delete_related`: deleting an `S` with 2000 `T`s leaves no `S`
    /// and no `T`.
    #[test]
    fn test_large_delete_related() {
        on_all!(|s| {
            create_tables(s);
            let r = new_r(s);
            let s_id = add(s, &format!("INSERT INTO s (r_id) VALUES ({r})"));
            bulk(
                s,
                2000,
                &format!("INSERT INTO t (s_id) SELECT {s_id} FROM n"),
            );
            s.delete_by_pk::<S>(s_id).unwrap();
            assert_eq!(count(s, "s"), 0);
            assert_eq!(count(s, "t"), 0);
            Ok(())
        });
    }

    /// `tests/delete/tests.py` `DeletionTests.test_queryset_delete_returns_num_rows`: `QuerySet.delete()` returns the
    /// number of rows (3 avatars), and per model exactly the models that lost rows
    /// (`R`: 1, `HiddenUser`: 2, `HiddenUserProfile`: 1).
    #[test]
    fn test_queryset_delete_returns_num_rows() {
        on_all!(|s| {
            create_tables(s);
            for desc in ["a", "b", "c"] {
                run(
                    s,
                    &format!("INSERT INTO avatar (\"desc\") VALUES ('{desc}')"),
                );
            }
            let avatars_count = count(s, "avatar") as usize;
            let report = s.delete_where::<Avatar>("1 = 1", ()).unwrap();
            assert_eq!(report.total(), avatars_count);

            let r = new_r(s);
            let h1 = add(s, &format!("INSERT INTO hidden_user (r_id) VALUES ({r})"));
            run(s, &format!("INSERT INTO hidden_user (r_id) VALUES ({r})"));
            run(
                s,
                &format!("INSERT INTO hidden_user_profile (user_id) VALUES ({h1})"),
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
            Ok(())
        });
    }

    /// `tests/delete/tests.py` `DeletionTests.test_model_delete_returns_num_rows`: `r.delete()` returns the sum of the
    /// rows, and per model exactly `R`: 1, `HiddenUser`: 3, `MR`: 1, `HiddenUserProfile`: 2
    /// and the `M.m2m` through table: 2.
    #[test]
    fn test_model_delete_returns_num_rows() {
        on_all!(|s| {
            create_tables(s);
            let r = new_r(s);
            let h1 = add(s, &format!("INSERT INTO hidden_user (r_id) VALUES ({r})"));
            let h2 = add(s, &format!("INSERT INTO hidden_user (r_id) VALUES ({r})"));
            run(s, &format!("INSERT INTO hidden_user (r_id) VALUES ({r})"));
            run(
                s,
                &format!("INSERT INTO hidden_user_profile (user_id) VALUES ({h1})"),
            );
            run(
                s,
                &format!("INSERT INTO hidden_user_profile (user_id) VALUES ({h2})"),
            );
            let m1 = add(s, "INSERT INTO m DEFAULT VALUES");
            let m2 = add(s, "INSERT INTO m DEFAULT VALUES");
            run(
                s,
                &format!("INSERT INTO mr (m_id, r_id) VALUES ({m1}, {r})"),
            );
            run(
                s,
                &format!("INSERT INTO m_m2m (m_id, r_id) VALUES ({m1}, {r})"),
            );
            run(
                s,
                &format!("INSERT INTO m_m2m (m_id, r_id) VALUES ({m2}, {r})"),
            );
            let existed = vec![
                ("hidden_user".to_owned(), count(s, "hidden_user") as usize),
                (
                    "hidden_user_profile".to_owned(),
                    count(s, "hidden_user_profile") as usize,
                ),
                ("m_m2m".to_owned(), count(s, "m_m2m") as usize),
                ("mr".to_owned(), count(s, "mr") as usize),
                ("r".to_owned(), count(s, "r") as usize),
            ];
            let report = s.delete_by_pk::<R>(r).unwrap();
            assert_eq!(
                report.total(),
                existed.iter().map(|(_, n)| n).sum::<usize>()
            );
            assert_eq!(deleted(&report), existed);
            assert_no_empty_lines(&report);
            Ok(())
        });
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
        on_all!(|s| {
            create_tables(s);
            let avatar = add(s, "INSERT INTO avatar DEFAULT VALUES");
            run(
                s,
                &format!("INSERT INTO \"user\" (avatar_id) VALUES ({avatar})"),
            );
            s.delete_by_pk::<Avatar>(avatar).unwrap();
            assert_eq!(count(s, "user"), 0);
            assert_eq!(count(s, "avatar"), 0);
            Ok(())
        });
    }

    /// `FastDeleteTests.test_fast_delete_qs`: `User.objects.filter(pk=u1.pk).delete()` leaves
    /// one user, `u2`.
    #[test]
    fn test_fast_delete_qs() {
        on_all!(|s| {
            create_tables(s);
            let u1 = add(s, "INSERT INTO \"user\" DEFAULT VALUES");
            let u2 = add(s, "INSERT INTO \"user\" DEFAULT VALUES");
            s.delete_where::<User>(&format!("id = {}", s.p(1)), [u1])
                .unwrap();
            assert_eq!(count(s, "user"), 1);
            assert!(exists(s, "user", u2));
            Ok(())
        });
    }

    /// `FastDeleteTests.test_fast_delete_joined_qs`: deleting the users whose avatar's desc is
    /// `'a'` leaves one user, `u2`.
    #[test]
    fn test_fast_delete_joined_qs() {
        on_all!(|s| {
            create_tables(s);
            let a = add(s, "INSERT INTO avatar (\"desc\") VALUES ('a')");
            run(s, &format!("INSERT INTO \"user\" (avatar_id) VALUES ({a})"));
            let u2 = add(s, "INSERT INTO \"user\" DEFAULT VALUES");
            s.delete_where::<User>(
                &format!(
                    "avatar_id IN (SELECT id FROM avatar WHERE \"desc\" = {})",
                    s.p(1)
                ),
                ["a"],
            )
            .unwrap();
            assert_eq!(count(s, "user"), 1);
            assert!(exists(s, "user", u2));
            Ok(())
        });
    }

    /// A `Child` and its `Parent` row.
    fn new_child<B: Backend>(s: &mut Session<B>) -> i64
    where
        Session<B>: Db,
    {
        let id = add(s, "INSERT INTO parent DEFAULT VALUES");
        run(
            s,
            &format!("INSERT INTO child (parent_ptr_id) VALUES ({id})"),
        );
        id
    }

    /// `FastDeleteTests.test_fast_delete_inheritance`: deleting a `Child` (multi-table
    /// inheritance) deletes its parent row and keeps the other `Parent`; deleting that one
    /// leaves no parent; deleting a child's parent row leaves no parent and no child.
    #[test]
    fn test_fast_delete_inheritance() {
        on_all!(|s| {
            create_tables(s);
            let c = new_child(s);
            let p = add(s, "INSERT INTO parent DEFAULT VALUES");
            s.delete_by_pk::<Child>(c).unwrap();
            assert_eq!(count(s, "child"), 0);
            assert_eq!(count(s, "parent"), 1);
            assert!(exists(s, "parent", p));
            s.delete_by_pk::<Parent>(p).unwrap();
            assert_eq!(count(s, "parent"), 0);
            let c = new_child(s);
            s.delete_by_pk::<Parent>(c).unwrap();
            assert_eq!(count(s, "parent"), 0);
            assert_eq!(count(s, "child"), 0);
            Ok(())
        });
    }

    /// `FastDeleteTests.test_fast_delete_large_batch`: deleting 2000 users leaves none;
    /// deleting an avatar with 2000 users leaves no user.
    #[test]
    fn test_fast_delete_large_batch() {
        on_all!(|s| {
            create_tables(s);
            bulk(
                s,
                2000,
                "INSERT INTO \"user\" (avatar_id) SELECT NULL FROM n",
            );
            s.delete_where::<User>("1 = 1", ()).unwrap();
            assert_eq!(count(s, "user"), 0);
            let a = add(s, "INSERT INTO avatar (\"desc\") VALUES ('a')");
            bulk(
                s,
                2000,
                &format!("INSERT INTO \"user\" (avatar_id) SELECT {a} FROM n"),
            );
            s.delete_by_pk::<Avatar>(a).unwrap();
            assert_eq!(count(s, "user"), 0);
            Ok(())
        });
    }

    /// `tests/delete/tests.py` `FastDeleteTests.test_fast_delete_empty_no_update_can_self_select`: a filtered delete
    /// that matches nothing returns `(0, {})`.
    #[test]
    fn test_fast_delete_empty_no_update_can_self_select() {
        on_all!(|s| {
            create_tables(s);
            let report = s
                .delete_where::<User>(
                    &format!(
                        "avatar_id IN (SELECT id FROM avatar WHERE \"desc\" = {})",
                        s.p(1)
                    ),
                    ["missing"],
                )
                .unwrap();
            assert_eq!(report.total(), 0);
            assert_eq!(report.deleted().count(), 0, "{report}");
            assert_eq!(report.count("user"), 0);
            assert!(!report.to_string().contains("user"), "{report}");
            Ok(())
        });
    }

    /// `FastDeleteTests.test_fast_delete_aggregation`: deleting the bases with no `rels`
    /// (`annotate(Count("rels")).filter(rels_count=0)`) returns `(1, {"delete.Base": 1})` and
    /// leaves no base.
    #[test]
    fn test_fast_delete_aggregation() {
        on_all!(|s| {
            create_tables(s);
            run(s, "INSERT INTO base DEFAULT VALUES");
            let report = s
                .delete_where::<Base>(
                    "(SELECT count(*) FROM rel_to_base WHERE rel_to_base.base_id = base.id) = 0",
                    (),
                )
                .unwrap();
            assert_eq!(report.total(), 1);
            let deleted: Vec<(&str, usize)> = report.deleted().collect();
            assert_eq!(deleted, vec![("base", 1)]);
            assert_eq!(count(s, "base"), 0);
            Ok(())
        });
    }

    /// `FastDeleteTests.test_fast_delete_full_match`: `filter(~Q(pk__in=[]) |
    /// Q(avatar__desc="foo")).delete()` matches every user: none is left.
    #[test]
    fn test_fast_delete_full_match() {
        on_all!(|s| {
            create_tables(s);
            // `pk__in=[]`: SQLite takes an empty list, PostgreSQL an empty array.
            let nothing = if s.is_postgres() {
                "id = ANY('{}')"
            } else {
                "id IN ()"
            };
            let avatar = add(s, "INSERT INTO avatar (\"desc\") VALUES ('bar')");
            run(
                s,
                &format!("INSERT INTO \"user\" (avatar_id) VALUES ({avatar})"),
            );
            s.delete_where::<User>(
                &format!(
                    "NOT ({nothing}) OR avatar_id IN (SELECT id FROM avatar WHERE \"desc\" = {})",
                    s.p(1)
                ),
                ["foo"],
            )
            .unwrap();
            assert_eq!(count(s, "user"), 0);
            Ok(())
        });
    }
}
