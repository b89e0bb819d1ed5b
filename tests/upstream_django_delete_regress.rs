//! Django's `tests/delete_regress/tests.py`, ported: one module per upstream test class, one
//! test per upstream method with the same name, keeping the upstream assertion.
//! `tests/UPSTREAM.md` lists every upstream method and why the others do not apply.
//!
//! A `QuerySet` filter becomes the SQL clause of `delete_where`; Django's query counts do not
//! apply (a cascade here runs a number of statements fixed by the schema).

mod common;

use cascade_runtime::{Backend, Session};
use common::Db;

#[path = "upstream_models/django_delete_regress.rs"]
mod models;
use models::*;

/// `DeleteCascadeTests`
mod delete_cascade_tests {
    use super::*;

    /// `tests/delete_regress/tests.py` `DeleteCascadeTests.test_fk_to_m2m_through`: deleting
    /// a toy deletes the `PlayedWith` rows of the explicit `through` model and, through their
    /// foreign key, the `PlayedWithNote`s.
    #[test]
    fn test_fk_to_m2m_through() {
        on_all!(|s| {
            create_tables(s);
            let juan = add(s, "INSERT INTO child (name) VALUES ('Juan')");
            let paints = add(s, "INSERT INTO toy (name) VALUES ('Paints')");
            let played = add(s, &format!("INSERT INTO played_with (child_id, toy_id, date_col) VALUES ({juan}, {paints}, CAST(CURRENT_DATE AS TEXT))"));
            run(s, &format!("INSERT INTO played_with_note (played_id, note) VALUES ({played}, 'the next Jackson Pollock')"));
            assert_eq!(count(s, "played_with_note"), 1);
            s.delete_by_pk::<Toy>(paints).unwrap();
            assert_eq!(count(s, "played_with"), 0);
            assert_eq!(count(s, "played_with_note"), 0);
            Ok(())
        });
    }

    /// `DeleteCascadeTests.test_15776`: deleting a policy whose version has a location and an
    /// item (the item referencing both) succeeds.
    #[test]
    fn test_15776() {
        on_all!(|s| {
            create_tables(s);
            let policy = add(
                s,
                "INSERT INTO policy (id, policy_number) VALUES (1, '1234')",
            );
            let version = add(
                s,
                &format!("INSERT INTO version (policy_id) VALUES ({policy})"),
            );
            let location = add(
                s,
                &format!("INSERT INTO location (version_id) VALUES ({version})"),
            );
            run(
                s,
                &format!(
                    "INSERT INTO item (version_id, location_id) VALUES ({version}, {location})"
                ),
            );
            s.delete_by_pk::<Policy>(policy).unwrap();
            for table in ["policy", "version", "location", "item"] {
                assert_eq!(count(s, table), 0, "{table}");
            }
            Ok(())
        });
    }
}

/// `DeleteCascadeTransactionTests`
mod delete_cascade_transaction_tests {
    use super::*;
    use cascade_runtime::Model;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "food")]
    pub struct Food {
        #[model(primary_key)]
        pub id: i64,
        #[model(unique)]
        pub name: String,
        #[relationship(on_delete = "cascade")]
        pub eaten: Vec<Eaten>,
    }

    /// `Eaten.food = ForeignKey(Food, CASCADE, to_field="name")`
    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "eaten")]
    pub struct Eaten {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Food, references = "name")]
        pub food_id: Option<String>,
        pub meal: String,
    }

    /// `tests/delete_regress/tests.py` `DeleteCascadeTransactionTests.test_inheritance`: the
    /// auto-created many-to-many table referencing the parent model (`Contact`) is found when
    /// a child (`Email`) is deleted: the delete succeeds (#14896), and the link is gone.
    #[test]
    fn test_inheritance() {
        on_all!(|s| {
            create_tables(s);
            let r = add(s, "INSERT INTO researcher DEFAULT VALUES");
            let email = add(s, "INSERT INTO contact (label) VALUES ('office-email')");
            run(s, &format!("INSERT INTO email (contact_ptr_id, email_address) VALUES ({email}, 'carl@science.edu')"));
            run(s, &format!("INSERT INTO researcher_contacts (researcher_id, contact_id) VALUES ({r}, {email})"));
            s.delete_by_pk::<Email>(email).unwrap();
            assert_eq!(count(s, "researcher_contacts"), 0);
            Ok(())
        });
    }

    /// `tests/delete_regress/tests.py` `DeleteCascadeTransactionTests.test_to_field`:
    /// deleting a food referenced through a foreign key to its unique `name` deletes what
    /// was eaten: both tables are empty.
    #[test]
    fn test_to_field() {
        on_all!(|s| {
            s.create_all::<Food>().unwrap();
            let mut apple = Food {
                id: 0,
                name: "apple".into(),
                eaten: vec![Eaten {
                    id: 0,
                    food_id: None,
                    meal: "lunch".into(),
                }],
            };
            s.insert(&mut apple).unwrap();
            assert_eq!(apple.eaten[0].food_id.as_deref(), Some("apple"));
            s.delete(&apple).unwrap();
            assert_eq!(count(s, "food"), 0);
            assert_eq!(count(s, "eaten"), 0);
            Ok(())
        });
    }
}

/// `LargeDeleteTests`
mod large_delete_tests {
    use super::*;

    /// `LargeDeleteTests.test_large_deletes`: with a `post_delete` receiver on `Book` (here a
    /// delete hook), deleting 300 books — more than a chunk — leaves none (#13309).
    #[test]
    fn test_large_deletes() {
        on_all!(|s| {
            create_tables(s);
            // The pagecounts 100 to 399, in one statement.
            run(
                s,
                "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 399) \
                 INSERT INTO book (pagecount) SELECT i FROM n",
            );
            s.delete_where::<Book>("1 = 1", ()).unwrap();
            assert_eq!(count(s, "book"), 0);
            Ok(())
        });
    }
}

/// `Ticket19102Tests`: filtered deletes whose query joins or alters its SELECT clause delete
/// `l1` only.
mod ticket19102_tests {
    use super::*;

    /// `setUp`: org units `o1`, `o2`; logins `l1` (of `o1`) and `l2` (of `o2`).
    fn set_up<B: Backend>(s: &mut Session<B>) -> (i64, i64)
    where
        Session<B>: Db,
    {
        create_tables(s);
        let o1 = add(s, "INSERT INTO org_unit (name) VALUES ('o1')");
        let o2 = add(s, "INSERT INTO org_unit (name) VALUES ('o2')");
        let l1 = add(
            s,
            &format!("INSERT INTO login (description, orgunit_id) VALUES ('l1', {o1})"),
        );
        let l2 = add(
            s,
            &format!("INSERT INTO login (description, orgunit_id) VALUES ('l2', {o2})"),
        );
        (l1, l2)
    }

    /// `Ticket19102Tests.test_ticket_19102_annotate`: `order_by(...).filter(orgunit__name__isnull
    /// =False).annotate(n=Count('description')).filter(n=1, pk=l1.pk).delete()` deletes `l1`
    /// and keeps `l2`.
    #[test]
    fn test_ticket_19102_annotate() {
        on_all!(|s| {
            let (l1, l2) = set_up(s);
            s.delete_where::<Login>(
                &format!(
                "id IN (SELECT login.id FROM login JOIN org_unit ON org_unit.id = login.orgunit_id \
                 WHERE org_unit.name IS NOT NULL GROUP BY login.id \
                 HAVING count(login.description) = 1 AND login.id = {p1} ORDER BY login.description)",
                p1 = s.p(1)
            ),
            [l1],
            )
            .unwrap();
            assert!(!exists(s, "login", l1));
            assert!(exists(s, "login", l2));
            Ok(())
        });
    }

    /// `Ticket19102Tests.test_ticket_19102_extra`: the same filter with
    /// `extra(select={'extraf': '1'})` deletes `l1` and keeps `l2`.
    #[test]
    fn test_ticket_19102_extra() {
        on_all!(|s| {
            let (l1, l2) = set_up(s);
            s.delete_where::<Login>(
                &format!(
                "id IN (SELECT id FROM (SELECT login.id AS id, 1 AS extraf FROM login \
                 JOIN org_unit ON org_unit.id = login.orgunit_id \
                 WHERE org_unit.name IS NOT NULL AND login.id = {p1} ORDER BY login.description) AS sub)",
                p1 = s.p(1)
            ),
            [l1],
            )
            .unwrap();
            assert!(!exists(s, "login", l1));
            assert!(exists(s, "login", l2));
            Ok(())
        });
    }

    /// `Ticket19102Tests.test_ticket_19102_select_related`: `filter(pk=l1.pk).filter(orgunit__
    /// name__isnull=False).order_by('description').select_related('orgunit').delete()`
    /// deletes `l1` and keeps `l2`.
    #[test]
    fn test_ticket_19102_select_related() {
        on_all!(|s| {
            let (l1, l2) = set_up(s);
            s.delete_where::<Login>(
                &format!(
                "id IN (SELECT login.id FROM login JOIN org_unit ON org_unit.id = login.orgunit_id \
                 WHERE login.id = {p1} AND org_unit.name IS NOT NULL ORDER BY login.description)",
                p1 = s.p(1)
            ),
                [l1],
            )
            .unwrap();
            assert!(!exists(s, "login", l1));
            assert!(exists(s, "login", l2));
            Ok(())
        });
    }

    /// `Ticket19102Tests.test_ticket_19102_defer`: the same filter with `only('id')` deletes
    /// `l1` and keeps `l2`.
    #[test]
    fn test_ticket_19102_defer() {
        on_all!(|s| {
            let (l1, l2) = set_up(s);
            s.delete_where::<Login>(
                &format!(
                "id IN (SELECT login.id FROM login JOIN org_unit ON org_unit.id = login.orgunit_id \
                 WHERE login.id = {p1} AND org_unit.name IS NOT NULL)",
                p1 = s.p(1)
            ),
                [l1],
            )
            .unwrap();
            assert!(!exists(s, "login", l1));
            assert!(exists(s, "login", l2));
            Ok(())
        });
    }
}

/// `DeleteTests` (named `OrderedDeleteTests` in older Django, with only the first test).
mod delete_tests {
    use super::*;

    /// `DeleteTests.test_meta_ordered_delete` (`OrderedDeleteTests` before): deleting the (Meta-ordered) people who
    /// live at address 'Foo' leaves none (#19720).
    #[test]
    fn test_meta_ordered_delete() {
        on_all!(|s| {
            create_tables(s);
            let h = add(s, "INSERT INTO house (address) VALUES ('Foo')");
            run(
                s,
                &format!("INSERT INTO ordered_person (name, lives_in_id) VALUES ('Jack', {h})"),
            );
            run(
                s,
                &format!("INSERT INTO ordered_person (name, lives_in_id) VALUES ('Bob', {h})"),
            );
            // The Meta ordering sits in the subquery, where it must not matter.
            s.delete_where::<OrderedPerson>(
                &format!(
                    "id IN (SELECT ordered_person.id FROM ordered_person JOIN house \
                 ON house.id = ordered_person.lives_in_id WHERE house.address = {p1} \
                 ORDER BY ordered_person.name)",
                    p1 = s.p(1)
                ),
                ["Foo"],
            )
            .unwrap();
            assert_eq!(count(s, "ordered_person"), 0);
            Ok(())
        });
    }

    /// `DeleteTests.test_self_reference_with_through_m2m_at_second_level` (current Django):
    /// deleting the books for which a book with the same key has an owner who played with the
    /// toy (`Exists(Book.objects.filter(pk=OuterRef("pk"), owner__toys=toy.pk))`) deletes the
    /// only book.
    #[test]
    fn test_self_reference_with_through_m2m_at_second_level() {
        on_all!(|s| {
            create_tables(s);
            let toy = add(s, "INSERT INTO toy (name) VALUES ('Paints')");
            let child = add(s, "INSERT INTO child (name) VALUES ('Juan')");
            run(
                s,
                &format!("INSERT INTO book (pagecount, owner_id) VALUES (500, {child})"),
            );
            run(s, &format!("INSERT INTO played_with (child_id, toy_id, date_col) VALUES ({child}, {toy}, CAST(CURRENT_DATE AS TEXT))"));
            s.delete_where::<Book>(
                &format!(
                    "EXISTS (SELECT 1 FROM book AS u0 JOIN child ON child.id = u0.owner_id \
                 JOIN played_with ON played_with.child_id = child.id \
                 WHERE u0.id = book.id AND played_with.toy_id = {p1})",
                    p1 = s.p(1)
                ),
                [toy],
            )
            .unwrap();
            assert_eq!(count(s, "book"), 0);
            Ok(())
        });
    }
}
