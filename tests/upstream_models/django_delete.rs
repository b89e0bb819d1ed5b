//! `tests/delete/models.py` of Django, as models, and the fixtures of `tests/delete/tests.py`
//! (used by `upstream_django_delete.rs`).
#![allow(dead_code)]

use crate::common::Db;
use cascade_runtime::{Backend, DeleteHooks, HookContext, HookError, Model, Session};
use std::cell::Cell;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "p")]
pub struct P {
    #[model(primary_key)]
    pub id: i64,
    /// `R.p = ForeignKey(P, CASCADE, null=True)`
    #[relationship(on_delete = "cascade")]
    pub r_set: Vec<R>,
    /// `A.cascade_p = ForeignKey(P, CASCADE, null=True)`
    #[relationship(on_delete = "cascade", foreign_key = "cascade_p_id")]
    pub cascade_p_set: Vec<A>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "r")]
pub struct R {
    #[model(primary_key)]
    pub id: i64,
    pub is_default: bool,
    #[model(foreign_key = P)]
    pub p_id: Option<i64>,
    #[relationship(on_delete = "cascade", foreign_key = "auto_id")]
    pub auto_set: Vec<A>,
    #[relationship(on_delete = "cascade", foreign_key = "auto_nullable_id")]
    pub auto_nullable_set: Vec<A>,
    /// Django's `SET(get_default_r)`: set to the default `R`, here the column's default.
    #[relationship(on_delete = "set default", foreign_key = "setvalue_id")]
    pub setvalue: Vec<A>,
    #[relationship(on_delete = "set null", foreign_key = "setnull_id")]
    pub setnull_set: Vec<A>,
    #[relationship(on_delete = "set default", foreign_key = "setdefault_id")]
    pub setdefault_set: Vec<A>,
    #[relationship(on_delete = "set default", foreign_key = "setdefault_none_id")]
    pub setnull_nullable_set: Vec<A>,
    #[relationship(on_delete = "cascade", foreign_key = "cascade_id")]
    pub cascade_set: Vec<A>,
    #[relationship(on_delete = "cascade", foreign_key = "cascade_nullable_id")]
    pub cascade_nullable_set: Vec<A>,
    #[relationship(on_delete = "protect", foreign_key = "protect_id")]
    pub protect_set: Vec<A>,
    #[relationship(on_delete = "restrict", foreign_key = "restrict_id")]
    pub restrict_set: Vec<A>,
    /// `DO_NOTHING`
    #[relationship(passive_deletes = "all", foreign_key = "donothing_id")]
    pub donothing_set: Vec<A>,
    #[relationship(on_delete = "set null", foreign_key = "o2o_setnull_id")]
    pub o2o_nullable_set: Vec<A>,
    /// The multi-table-inheritance child row (`RChild.r_ptr`).
    #[relationship(on_delete = "cascade")]
    pub rchild: Option<RChild>,
    #[relationship(on_delete = "cascade")]
    pub s_set: Vec<S>,
    /// `B.protect = ForeignKey(R, PROTECT)`
    #[relationship(on_delete = "protect")]
    pub b_set: Vec<B>,
    /// `B3.restrict = ForeignKey(R, RESTRICT)`
    #[relationship(on_delete = "restrict")]
    pub b3_set: Vec<B3>,
    /// `MR.r = ForeignKey(R, CASCADE)` (an explicit `through` model)
    #[relationship(on_delete = "cascade")]
    pub m_through_set: Vec<MR>,
    /// `MRNull.r = ForeignKey(R, SET_NULL, null=True)`
    #[relationship(on_delete = "set null")]
    pub m_through_null_set: Vec<MRNull>,
}

/// `class RChild(R)`: multi-table inheritance.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "r_child")]
pub struct RChild {
    #[model(primary_key, foreign_key = R)]
    pub r_ptr_id: i64,
    /// Deleting the child row deletes the parent row.
    #[relationship(cascade = "save-update, delete")]
    pub r_ptr: Option<Box<R>>,
    /// `A.child = ForeignKey(RChild, CASCADE)`
    #[relationship(on_delete = "cascade", foreign_key = "child_id")]
    pub child: Vec<A>,
    /// `A.child_setnull = ForeignKey(RChild, SET_NULL, null=True)`
    #[relationship(on_delete = "set null", foreign_key = "child_setnull_id")]
    pub child_setnull: Vec<A>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "a")]
pub struct A {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[model(foreign_key = R)]
    pub auto_id: i64,
    #[model(foreign_key = R)]
    pub auto_nullable_id: Option<i64>,
    #[model(foreign_key = R, default = 1)]
    pub setvalue_id: i64,
    #[model(foreign_key = R)]
    pub setnull_id: Option<i64>,
    #[model(foreign_key = R, default = 1)]
    pub setdefault_id: i64,
    #[model(foreign_key = R, default = None::<i64>)]
    pub setdefault_none_id: Option<i64>,
    #[model(foreign_key = R)]
    pub cascade_id: i64,
    #[model(foreign_key = R)]
    pub cascade_nullable_id: Option<i64>,
    #[model(foreign_key = R)]
    pub protect_id: Option<i64>,
    #[model(foreign_key = R)]
    pub restrict_id: Option<i64>,
    #[model(foreign_key = R)]
    pub donothing_id: Option<i64>,
    #[model(foreign_key = RChild)]
    pub child_id: i64,
    #[model(foreign_key = RChild)]
    pub child_setnull_id: Option<i64>,
    #[model(foreign_key = P)]
    pub cascade_p_id: Option<i64>,
    #[model(foreign_key = R)]
    pub o2o_setnull_id: Option<i64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "b")]
pub struct B {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = R)]
    pub protect_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "b3")]
pub struct B3 {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = R)]
    pub restrict_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "s")]
pub struct S {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = R)]
    pub r_id: i64,
    #[relationship(on_delete = "cascade")]
    pub t_set: Vec<T>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "t")]
pub struct T {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = S)]
    pub s_id: i64,
    #[relationship(on_delete = "cascade")]
    pub u_set: Vec<U>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "u")]
pub struct U {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = T)]
    pub t_id: i64,
}

/// `M.m2m = ManyToManyField(R)`, with the explicit `through` models `MR` and `MRNull`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "m")]
pub struct M {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(secondary = MM2m)]
    pub m2m: Vec<R>,
    #[relationship(on_delete = "cascade")]
    pub mr_set: Vec<MR>,
    #[relationship(on_delete = "cascade")]
    pub mrnull_set: Vec<MRNull>,
}

/// The auto-created `through` table of `M.m2m`: both keys `ON DELETE CASCADE`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "m_m2m")]
pub struct MM2m {
    #[model(primary_key, foreign_key = M, on_delete = "cascade")]
    pub m_id: i64,
    #[model(primary_key, foreign_key = R, on_delete = "cascade")]
    pub r_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "mr")]
pub struct MR {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = M)]
    pub m_id: i64,
    #[model(foreign_key = R)]
    pub r_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "mr_null")]
pub struct MRNull {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = M)]
    pub m_id: i64,
    #[model(foreign_key = R)]
    pub r_id: Option<i64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "avatar")]
pub struct Avatar {
    #[model(primary_key)]
    pub id: i64,
    pub desc: Option<String>,
    /// `User.avatar = ForeignKey(Avatar, CASCADE, null=True)`
    #[relationship(on_delete = "cascade")]
    pub users: Vec<User>,
}

thread_local! {
    /// Calls of `User`'s `after_delete` hook on this thread (Django's `post_delete`).
    pub static USER_POST_DELETE: Cell<usize> = const { Cell::new(0) };
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "user", hooks)]
pub struct User {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Avatar)]
    pub avatar_id: Option<i64>,
}

impl DeleteHooks for User {
    fn after_delete(&self, _: &HookContext<'_>) -> Result<(), HookError> {
        USER_POST_DELETE.with(|c| c.set(c.get() + 1));
        Ok(())
    }
}

/// `HiddenUser.r = ForeignKey(R, CASCADE, related_name="+")`: no reverse accessor, so
/// no relationship on `R`; the column's own `ON DELETE CASCADE` applies.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "hidden_user")]
pub struct HiddenUser {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = R, on_delete = "cascade")]
    pub r_id: i64,
    #[relationship(on_delete = "cascade")]
    pub profiles: Vec<HiddenUserProfile>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "hidden_user_profile")]
pub struct HiddenUserProfile {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = HiddenUser)]
    pub user_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "base")]
pub struct Base {
    #[model(primary_key)]
    pub id: i64,
    /// `RelToBase.base = ForeignKey(Base, DO_NOTHING)`
    #[relationship(passive_deletes = "all")]
    pub rels: Vec<RelToBase>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rel_to_base")]
pub struct RelToBase {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Base)]
    pub base_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "delete_top")]
pub struct DeleteTop {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(on_delete = "cascade")]
    pub b1_set: Vec<B1>,
    #[relationship(on_delete = "cascade")]
    pub b2_set: Vec<B2>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "b1")]
pub struct B1 {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = DeleteTop)]
    pub delete_top_id: i64,
    /// `DeleteBottom.b1 = ForeignKey(B1, RESTRICT)`
    #[relationship(on_delete = "restrict")]
    pub bottoms: Vec<DeleteBottom>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "b2")]
pub struct B2 {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = DeleteTop)]
    pub delete_top_id: i64,
    /// `DeleteBottom.b2 = ForeignKey(B2, CASCADE)`
    #[relationship(on_delete = "cascade")]
    pub bottoms: Vec<DeleteBottom>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "delete_bottom")]
pub struct DeleteBottom {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = B1)]
    pub b1_id: i64,
    #[model(foreign_key = B2)]
    pub b2_id: i64,
}

/// `class Parent(models.Model)`
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "parent")]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(on_delete = "cascade")]
    pub child: Option<Child>,
}

/// `class Child(Parent)`: multi-table inheritance, like `RChild`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "child")]
pub struct Child {
    #[model(primary_key, foreign_key = Parent)]
    pub parent_ptr_id: i64,
    #[relationship(cascade = "save-update, delete")]
    pub parent_ptr: Option<Box<Parent>>,
}

/// Creates every table of `models.py`.
pub fn create_tables<B: Backend>(s: &mut Session<B>) {
    s.create_all::<P>().unwrap();
    s.create_all::<R>().unwrap();
    s.create_all::<A>().unwrap();
    s.create_all::<M>().unwrap();
    s.create_all::<MM2m>().unwrap();
    s.create_all::<Avatar>().unwrap();
    s.create_all::<HiddenUserProfile>().unwrap();
    s.create_all::<Base>().unwrap();
    s.create_all::<DeleteTop>().unwrap();
    s.create_all::<Parent>().unwrap();
}

/// Runs an `INSERT` of one row into a table keyed by `id`, and returns the new row's key.
pub fn add<B: Backend>(s: &mut Session<B>, sql: &str) -> i64
where
    Session<B>: Db,
{
    s.sql_count(&format!("{sql} RETURNING id"))
}

/// Runs a statement.
pub fn run<B: Backend>(s: &mut Session<B>, sql: &str)
where
    Session<B>: Db,
{
    s.sql_batch(sql)
}

/// `n` rows in one statement (Django's `bulk_create`): `insert` is an `INSERT ... SELECT`
/// from `n`, the numbers 1 to `n`.
pub fn bulk<B: Backend>(s: &mut Session<B>, n: usize, insert: &str)
where
    Session<B>: Db,
{
    run(
        s,
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) {insert}"
        ),
    );
}

pub fn count<B: Backend>(s: &mut Session<B>, table: &str) -> i64
where
    Session<B>: Db,
{
    crate::common::count(s, table)
}

/// Whether `table` has the row with key `id`.
pub fn exists<B: Backend>(s: &mut Session<B>, table: &str, id: i64) -> bool
where
    Session<B>: Db,
{
    let key = match table {
        "r_child" => "r_ptr_id",
        "child" => "parent_ptr_id",
        _ => "id",
    };
    crate::common::count_where(s, table, &format!("{key} = {id}")) > 0
}

/// `A.objects.filter(name=name).exists()`
pub fn a_named<B: Backend>(s: &mut Session<B>, name: &str) -> bool
where
    Session<B>: Db,
{
    crate::common::count_where(s, "a", &format!("name = '{name}'")) > 0
}

/// `R.objects.create()`
pub fn new_r<B: Backend>(s: &mut Session<B>) -> i64
where
    Session<B>: Db,
{
    add(s, "INSERT INTO r (is_default) VALUES (false)")
}

/// `RChild.objects.create()`: a parent row and a child row sharing the key.
pub fn new_rchild<B: Backend>(s: &mut Session<B>) -> i64
where
    Session<B>: Db,
{
    let id = new_r(s);
    run(s, &format!("INSERT INTO r_child (r_ptr_id) VALUES ({id})"));
    id
}

/// `get_default_r()`: the `R` with `is_default`, created on first use. The columns whose
/// default is "the default R" default to 1, so it must be the first `R` (on PostgreSQL too:
/// the first key its identity column assigns is 1).
pub fn get_default_r<B: Backend>(s: &mut Session<B>) -> i64
where
    Session<B>: Db,
{
    if crate::common::count_where(s, "r", "is_default") > 0 {
        s.sql_count("SELECT id FROM r WHERE is_default")
    } else {
        add(s, "INSERT INTO r (is_default) VALUES (true)")
    }
}

/// `create_a(name)`: an `A` referencing a fresh `R` through each of its keys.
pub fn create_a<B: Backend>(s: &mut Session<B>, name: &str) -> A
where
    Session<B>: Db,
{
    let mut a = A {
        id: 0,
        name: name.into(),
        auto_id: new_r(s),
        auto_nullable_id: Some(new_r(s)),
        setvalue_id: new_r(s),
        setnull_id: Some(new_r(s)),
        setdefault_id: new_r(s),
        setdefault_none_id: Some(new_r(s)),
        cascade_id: new_r(s),
        cascade_nullable_id: Some(new_r(s)),
        protect_id: Some(new_r(s)),
        restrict_id: Some(new_r(s)),
        donothing_id: Some(new_r(s)),
        o2o_setnull_id: Some(new_r(s)),
        child_id: new_rchild(s),
        child_setnull_id: Some(new_rchild(s)),
        cascade_p_id: None,
    };
    s.insert(&mut a).unwrap();
    a
}
