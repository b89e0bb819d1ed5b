//! The delete- and orphan-related parts of SQLAlchemy's `test/orm/test_unitofwork.py`
//! (`PassiveDeletesTest`, `BatchDeleteIgnoresRowcountTest`, `ExtraPassiveDeletesTest`,
//! `OneToManyTest`), ported like `upstream_sqlalchemy_cascade.rs`: one module per upstream
//! class, one test per upstream method with the same name, keeping the upstream assertion.

mod common;

use cascade_runtime::{Backend, BlockReason, Error, Model, Session};
use common::Db;

fn count<B: Backend>(s: &mut Session<B>, table: &str) -> i64
where
    Session<B>: Db,
{
    common::count(s, table)
}

/// `PassiveDeletesTest`: `myothertable.parent_id` is `ON DELETE CASCADE`.
mod passive_deletes_test {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mytable")]
    pub struct MyClass {
        #[model(primary_key)]
        pub id: i64,
        pub data: Option<String>,
        #[relationship(cascade = "all", passive_deletes = true)]
        pub children: Vec<MyOtherClass>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "myothertable")]
    pub struct MyOtherClass {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = MyClass, on_delete = "cascade")]
        pub parent_id: Option<i64>,
        pub data: Option<String>,
    }

    // `test_backwards_pd`'s `MyClass` (no `children`) and `MyOtherClass` (a many-to-one
    // `myclass`), renamed beside the fixture above.

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mytable")]
    pub struct M2oMyClass {
        #[model(primary_key)]
        pub id: i64,
        pub data: Option<String>,
    }

    /// `MyOtherClass.myclass`, a many-to-one with `cascade="all, delete"` and
    /// `passive_deletes=True`.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "myothertable")]
    pub struct M2oMyOtherClass {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = M2oMyClass, on_delete = "cascade")]
        pub parent_id: Option<i64>,
        pub data: Option<String>,
        #[relationship(cascade = "all, delete", passive_deletes = true)]
        pub myclass: Option<Box<M2oMyClass>>,
    }

    /// `test/orm/test_unitofwork.py` `PassiveDeletesTest.test_basic`: with
    /// `passive_deletes=True` and the database's `ON DELETE CASCADE`, deleting the parent
    /// leaves both tables empty.
    #[test]
    fn test_basic() {
        on_all!(|s| {
            s.create_all::<MyClass>().unwrap();
            let child = || MyOtherClass {
                id: 0,
                parent_id: None,
                data: None,
            };
            let mut mc = MyClass {
                id: 0,
                data: None,
                children: vec![child(), child(), child(), child()],
            };
            s.insert(&mut mc).unwrap();
            assert_eq!(count(s, "myothertable"), 4);
            let mc = s.get::<MyClass>(mc.id).unwrap().unwrap();
            s.delete(&mc).unwrap();
            assert_eq!(count(s, "mytable"), 0);
            assert_eq!(count(s, "myothertable"), 0);
            Ok(())
        });
    }

    /// `test/orm/test_unitofwork.py` `PassiveDeletesTest.test_backwards_pd`:
    /// `passive_deletes=True` on a many-to-one disables its delete cascade: deleting `mco`
    /// keeps `mc` ("mytable wasn't deleted, is the point"): 1 and 0 rows.
    #[test]
    fn test_backwards_pd() {
        on_all!(|s| {
            s.create_all::<M2oMyOtherClass>().unwrap();
            let mut mco = M2oMyOtherClass {
                id: 0,
                parent_id: None,
                data: None,
                myclass: Some(Box::new(M2oMyClass { id: 0, data: None })),
            };
            s.insert(&mut mco).unwrap();
            assert_eq!((count(s, "mytable"), count(s, "myothertable")), (1, 1));
            s.delete(&mco).unwrap();
            assert_eq!((count(s, "mytable"), count(s, "myothertable")), (1, 0));
            Ok(())
        });
    }
}

/// `BatchDeleteIgnoresRowcountTest`: a self-referential `A.parent_id` with
/// `ON DELETE CASCADE` and no relationship.
mod batch_delete_ignores_rowcount_test {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "A")]
    pub struct A {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = A, on_delete = "cascade")]
        pub parent_id: Option<i64>,
    }

    /// `BatchDeleteIgnoresRowcountTest.test_delete_both`: deleting a parent and its child in
    /// one flush succeeds (the database's cascade already removed the child).
    #[test]
    fn test_delete_both() {
        on_all!(|s| {
            s.create_all::<A>().unwrap();
            s.insert(&mut A {
                id: 1,
                parent_id: None,
            })
            .unwrap();
            s.insert(&mut A {
                id: 2,
                parent_id: Some(1),
            })
            .unwrap();
            s.delete_where::<A>(&format!("id IN ({}, {})", s.p(1), s.p(2)), [1, 2])
                .unwrap();
            assert_eq!(count(s, "A"), 0);
            Ok(())
        });
    }
}

/// `ExtraPassiveDeletesTest`: `MyClass.children` with `passive_deletes="all"`;
/// `myothertable.parent_id` has no `ON DELETE` (no action).
mod extra_passive_deletes_test {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mytable")]
    pub struct MyClass {
        #[model(primary_key)]
        pub id: i64,
        pub data: Option<String>,
        #[relationship(cascade = "save-update", passive_deletes = "all")]
        pub children: Vec<MyOtherClass>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "myothertable")]
    pub struct MyOtherClass {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = MyClass)]
        pub parent_id: Option<i64>,
        pub data: Option<String>,
    }

    // `test_extra_passive_obj_removed_o2m`'s `MyClass` has the default cascade
    // (`save-update, merge`), not the `save-update` of the fixture above: renamed.

    /// `MyClass.children` with `passive_deletes="all"` and the default cascade.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mytable")]
    pub struct DefaultMyClass {
        #[model(primary_key)]
        pub id: i64,
        pub data: Option<String>,
        #[relationship(passive_deletes = "all")]
        pub children: Vec<DefaultMyOtherClass>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "myothertable")]
    pub struct DefaultMyOtherClass {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = DefaultMyClass)]
        pub parent_id: Option<i64>,
        pub data: Option<String>,
    }

    fn child() -> MyOtherClass {
        MyOtherClass {
            id: 0,
            parent_id: None,
            data: None,
        }
    }

    fn assert_refused(err: Error) {
        match err {
            Error::Blocked { table, reason, .. } => {
                assert_eq!(table, "myothertable");
                assert_eq!(reason, BlockReason::DatabaseNoAction);
            }
            other => panic!("expected Blocked, got {other:?}"),
        }
    }

    /// `test/orm/test_unitofwork.py` `ExtraPassiveDeletesTest.test_extra_passive`: deleting a
    /// parent whose four children the ORM never touches fails on the foreign key
    /// (`DBAPIError`); nothing changes.
    #[test]
    fn test_extra_passive() {
        on_all!(|s| {
            s.create_all::<MyClass>().unwrap();
            let mut mc = MyClass {
                id: 0,
                data: None,
                children: vec![child(), child(), child(), child()],
            };
            s.insert(&mut mc).unwrap();
            assert_eq!(count(s, "myothertable"), 4);
            let mc = s.get::<MyClass>(mc.id).unwrap().unwrap();
            assert_refused(s.delete(&mc).unwrap_err());
            assert_eq!((count(s, "mytable"), count(s, "myothertable")), (1, 4));
            Ok(())
        });
    }

    /// `ExtraPassiveDeletesTest.test_extra_passive_2`: the same after changing the child's
    /// data: the delete still fails.
    #[test]
    fn test_extra_passive_2() {
        on_all!(|s| {
            s.create_all::<MyClass>().unwrap();
            let mut mc = MyClass {
                id: 0,
                data: None,
                children: vec![child()],
            };
            s.insert(&mut mc).unwrap();
            assert_eq!(count(s, "myothertable"), 1);
            let mut moc = mc.children[0].clone();
            moc.data = Some("some new data".into());
            s.update(&mut moc).unwrap();
            assert_refused(s.delete(&mc).unwrap_err());
            assert_eq!((count(s, "mytable"), count(s, "myothertable")), (1, 1));
            Ok(())
        });
    }

    /// `test/orm/test_unitofwork.py` `ExtraPassiveDeletesTest.test_extra_passive_obj_removed_o2m`:
    /// removing both children from the collection and flushing leaves their `parent_id`
    /// at `mc.id`.
    #[test]
    fn test_extra_passive_obj_removed_o2m() {
        on_all!(|s| {
            s.create_all::<DefaultMyClass>().unwrap();
            let child = || DefaultMyOtherClass {
                id: 0,
                parent_id: None,
                data: None,
            };
            let mut mc = DefaultMyClass {
                id: 0,
                data: None,
                children: vec![child(), child()],
            };
            s.insert(&mut mc).unwrap();
            let mut moc1 = mc.children.remove(0);
            let moc2 = mc.children.remove(0);
            s.update(&mut mc).unwrap();
            moc1.data = Some("foo".into());
            s.update(&mut moc1).unwrap();
            let mut parent = |id| s.get::<DefaultMyOtherClass>(id).unwrap().unwrap().parent_id;
            assert_eq!(parent(moc1.id), Some(mc.id));
            assert_eq!(parent(moc2.id), Some(mc.id));
            Ok(())
        });
    }
}

/// `OneToManyTest` (the parts about removing, moving and deleting): `User.addresses` with the
/// default cascade, `addresses.user_id` nullable.
mod one_to_many_test {
    use super::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "users")]
    pub struct User {
        #[model(primary_key)]
        pub id: i64,
        pub name: String,
        #[relationship]
        pub addresses: Vec<Address>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "addresses")]
    pub struct Address {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = User)]
        pub user_id: Option<i64>,
        pub email_address: String,
    }

    /// `User.address` with `uselist=False`.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "users")]
    pub struct OneUser {
        #[model(primary_key)]
        pub id: i64,
        pub name: String,
        #[relationship]
        pub address: Option<OneAddress>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "addresses")]
    pub struct OneAddress {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = OneUser)]
        pub user_id: Option<i64>,
        pub email_address: String,
    }

    /// `Address.user`, a many-to-one with the backref `addresses`.
    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "users")]
    pub struct BiUser {
        #[model(primary_key)]
        pub id: i64,
        pub name: String,
        #[relationship(back_populates = "user")]
        pub addresses: Vec<BiAddress>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "addresses")]
    pub struct BiAddress {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = BiUser)]
        pub user_id: Option<i64>,
        pub email_address: String,
        #[relationship(back_populates = "addresses")]
        pub user: Option<Box<BiUser>>,
    }

    fn user(name: &str, addresses: Vec<Address>) -> User {
        User {
            id: 0,
            name: name.into(),
            addresses,
        }
    }

    fn address(email: &str) -> Address {
        Address {
            id: 0,
            user_id: None,
            email_address: email.into(),
        }
    }

    /// `test/orm/test_unitofwork.py` `OneToManyTest.test_one_to_many_2`: after `u1.addresses`
    /// trades `a1` for the standalone `a3`, `a1`'s key is `NULL` and `a3`'s is `u1` (the
    /// upstream asserts those two `UPDATE`s and the rename of `u2`).
    #[test]
    fn test_one_to_many_2() {
        on_all!(|s| {
            s.create_all::<User>().unwrap();
            let mut u1 = user("user1", vec![address("emailaddress1")]);
            let mut u2 = user("user2", vec![address("emailaddress2")]);
            let mut a3 = address("emailaddress3");
            s.insert(&mut u1).unwrap();
            s.insert(&mut u2).unwrap();
            s.insert(&mut a3).unwrap();
            let a1 = u1.addresses[0].id;

            u2.name = "user2modified".into();
            u1.addresses.push(a3.clone());
            u1.addresses.remove(0);
            s.update(&mut u2).unwrap();
            s.update(&mut u1).unwrap();
            assert_eq!(s.get::<Address>(a1).unwrap().unwrap().user_id, None);
            assert_eq!(
                s.get::<Address>(a3.id).unwrap().unwrap().user_id,
                Some(u1.id)
            );
            assert_eq!(s.get::<User>(u2.id).unwrap().unwrap().name, "user2modified");
            Ok(())
        });
    }

    /// `OneToManyTest.test_child_move`: moving the address from `u1` to `u2` and deleting
    /// `u1` leaves `u2` with one address. (The move is `u2`'s `update`, before the delete.)
    #[test]
    fn test_child_move() {
        on_all!(|s| {
            s.create_all::<User>().unwrap();
            let mut u1 = user("user1", vec![address("address1")]);
            let mut u2 = user("user2", vec![]);
            s.insert(&mut u1).unwrap();
            s.insert(&mut u2).unwrap();
            let a = u1.addresses.remove(0);
            u2.addresses.push(a);
            s.update(&mut u2).unwrap();
            s.delete(&u1).unwrap();
            let u2 = s.get_with_related::<User>(u2.id).unwrap().unwrap();
            assert_eq!(u2.addresses.len(), 1);
            Ok(())
        });
    }

    /// `OneToManyTest.test_child_move_2`: moving the address from `u1` to `u2` leaves `u2` with
    /// one address.
    #[test]
    fn test_child_move_2() {
        on_all!(|s| {
            s.create_all::<User>().unwrap();
            let mut u1 = user("user1", vec![address("address1")]);
            let mut u2 = user("user2", vec![]);
            s.insert(&mut u1).unwrap();
            s.insert(&mut u2).unwrap();
            let a = u1.addresses.remove(0);
            u2.addresses.push(a);
            s.update(&mut u1).unwrap();
            s.update(&mut u2).unwrap();
            let u2 = s.get_with_related::<User>(u2.id).unwrap().unwrap();
            assert_eq!(u2.addresses.len(), 1);
            Ok(())
        });
    }

    /// `OneToManyTest.test_o2m_delete_parent`: deleting the user of a one-to-one (default
    /// cascade) keeps the address, with `user_id` `None`.
    #[test]
    fn test_o2m_delete_parent() {
        on_all!(|s| {
            s.create_all::<OneUser>().unwrap();
            let mut u = OneUser {
                id: 0,
                name: "one2onetester".into(),
                address: Some(OneAddress {
                    id: 0,
                    user_id: None,
                    email_address: "myonlyaddress@foo.com".into(),
                }),
            };
            s.insert(&mut u).unwrap();
            let a = u.address.as_ref().unwrap().id;
            s.delete(&u).unwrap();
            let a = s
                .get::<OneAddress>(a)
                .unwrap()
                .expect("the address remains");
            assert_eq!(a.user_id, None);
            assert!(s.get::<OneUser>(u.id).unwrap().is_none());
            Ok(())
        });
    }

    /// `OneToManyTest.test_bidirectional`: a user saved through its address's many-to-one
    /// backref can be deleted.
    #[test]
    fn test_bidirectional() {
        on_all!(|s| {
            s.create_all::<BiUser>().unwrap();
            let mut a = BiAddress {
                id: 0,
                user_id: None,
                email_address: "testaddress".into(),
                user: Some(Box::new(BiUser {
                    id: 0,
                    name: "test".into(),
                    addresses: vec![],
                })),
            };
            s.insert(&mut a).unwrap();
            let u = a.user.as_ref().unwrap().id;
            s.delete_by_pk::<BiUser>(u).unwrap();
            assert_eq!(count(s, "users"), 0);
            Ok(())
        });
    }
}
