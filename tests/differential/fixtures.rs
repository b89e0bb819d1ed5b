//! The fixtures of the differential suites (`tests/differential.rs` on SQLite,
//! `tests/differential_postgres.rs` on PostgreSQL): each a schema declared with
//! `#[derive(Model)]`, the same tables written by hand for each database with the native
//! `ON DELETE` actions the oracle runs (`SQLITE_ORACLE`, `POSTGRES_ORACLE`), and a description
//! of their tables for the generators of `runner.rs`.
//!
//! The two oracles differ where the databases do:
//!
//! - PostgreSQL checks a `NO ACTION` key that is not deferred when its trigger's turn comes
//!   in the queue of a statement's foreign-key actions, which may be before another cascade
//!   path of the same statement removes the referencing row (deleting `root` refuses when a
//!   `strict` row under one root's `right` goes through another root's `left` later in the
//!   queue). SQLite, and the runtime, check at the end of the statement, once every path has
//!   run. The PostgreSQL oracle's refusing keys are therefore `NO ACTION DEFERRABLE INITIALLY
//!   DEFERRED`, checked when the oracle's one-statement transaction commits: after everything.
//! - Tables that reference each other in a loop get their closing foreign key by `ALTER
//!   TABLE` (PostgreSQL wants the referenced table to exist).
//! - The ORM cascades without a foreign-key action (`orm_only`) are SQLite triggers on one
//!   side and PL/pgSQL trigger functions on the other.

use std::ops::ControlFlow;

use cascade_runtime::{Backend, DeletePlan, DeleteReport, Model, Postgres, Session, Sqlite};

use crate::runner::Op;

/// A chain four levels deep: region -< store -< shelf -< item, with nullable and NOT NULL
/// keys, a database RESTRICT that the ORM cascade removes first, an ORM nullify that beats a
/// database CASCADE, and a NOT NULL key without `delete` that refuses.
pub mod chain {
    use cascade_runtime::Model;

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Region {
        #[model(primary_key)]
        pub id: i64,
        #[relationship(cascade = "all")]
        pub stores: Vec<Store>,
        #[relationship]
        pub depots: Vec<Depot>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Store {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Region)]
        pub region_id: Option<i64>,
        #[relationship(cascade = "all, delete-orphan")]
        pub shelves: Vec<Shelf>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Shelf {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Store, on_delete = "restrict")]
        pub store_id: i64,
        #[relationship(cascade = "all")]
        pub items: Vec<Item>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Item {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Shelf)]
        pub shelf_id: Option<i64>,
        #[relationship]
        pub notes: Vec<ItemNote>,
    }

    /// The database says CASCADE, but the relationship without `delete` sets NULL first.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct ItemNote {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Item, on_delete = "cascade")]
        pub item_id: Option<i64>,
    }

    /// NOT NULL and no `delete`: refuses.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Depot {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Region)]
        pub region_id: i64,
    }

    pub const SQLITE_ORACLE: &str = "
        CREATE TABLE region (id INTEGER PRIMARY KEY);
        CREATE TABLE store (id INTEGER PRIMARY KEY,
            region_id INTEGER REFERENCES region(id) ON DELETE CASCADE);
        CREATE TABLE shelf (id INTEGER PRIMARY KEY,
            store_id INTEGER NOT NULL REFERENCES store(id) ON DELETE CASCADE);
        CREATE TABLE item (id INTEGER PRIMARY KEY,
            shelf_id INTEGER REFERENCES shelf(id) ON DELETE CASCADE);
        CREATE TABLE item_note (id INTEGER PRIMARY KEY,
            item_id INTEGER REFERENCES item(id) ON DELETE SET NULL);
        CREATE TABLE depot (id INTEGER PRIMARY KEY,
            region_id INTEGER NOT NULL REFERENCES region(id) ON DELETE NO ACTION);
    ";

    pub const POSTGRES_ORACLE: &str = r"
        CREATE TABLE region (id bigint PRIMARY KEY);
        CREATE TABLE store (id bigint PRIMARY KEY,
            region_id bigint REFERENCES region(id) ON DELETE CASCADE);
        CREATE TABLE shelf (id bigint PRIMARY KEY,
            store_id bigint NOT NULL REFERENCES store(id) ON DELETE CASCADE);
        CREATE TABLE item (id bigint PRIMARY KEY,
            shelf_id bigint REFERENCES shelf(id) ON DELETE CASCADE);
        CREATE TABLE item_note (id bigint PRIMARY KEY,
            item_id bigint REFERENCES item(id) ON DELETE SET NULL);
        CREATE TABLE depot (id bigint PRIMARY KEY,
            region_id bigint NOT NULL REFERENCES region(id)
                ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED);
    ";
}

/// Database-level actions: no relationship, `passive_deletes = true` and `"all"`.
pub mod db_actions {
    use cascade_runtime::Model;

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Org {
        #[model(primary_key)]
        pub id: i64,
        #[relationship(cascade = "all", passive_deletes = true)]
        pub teams: Vec<Team>,
        #[relationship(cascade = "save-update", passive_deletes = "all")]
        pub shares: Vec<Share>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Team {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Org, on_delete = "cascade")]
        pub org_id: i64,
        #[relationship(cascade = "all", passive_deletes = true)]
        pub members: Vec<Member>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Member {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Team, on_delete = "cascade")]
        pub team_id: Option<i64>,
        #[relationship(passive_deletes = true)]
        pub audits: Vec<Audit>,
    }

    /// No relationship: the database's SET NULL.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Badge {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Member, on_delete = "set null")]
        pub member_id: Option<i64>,
    }

    /// No relationship: the database's NO ACTION refuses.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Log {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Team, on_delete = "no action")]
        pub team_id: Option<i64>,
    }

    /// `passive_deletes = "all"`: the database's SET NULL.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Share {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Org, on_delete = "set null")]
        pub org_id: Option<i64>,
    }

    /// No relationship: the database's CASCADE.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Pin {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Org, on_delete = "cascade")]
        pub org_id: i64,
    }

    /// `passive_deletes = true` over RESTRICT: refuses.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Audit {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Member, on_delete = "restrict")]
        pub member_id: Option<i64>,
    }

    pub const SQLITE_ORACLE: &str = "
        CREATE TABLE org (id INTEGER PRIMARY KEY);
        CREATE TABLE team (id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES org(id) ON DELETE CASCADE);
        CREATE TABLE member (id INTEGER PRIMARY KEY,
            team_id INTEGER REFERENCES team(id) ON DELETE CASCADE);
        CREATE TABLE badge (id INTEGER PRIMARY KEY,
            member_id INTEGER REFERENCES member(id) ON DELETE SET NULL);
        CREATE TABLE log (id INTEGER PRIMARY KEY,
            team_id INTEGER REFERENCES team(id) ON DELETE NO ACTION);
        CREATE TABLE share (id INTEGER PRIMARY KEY,
            org_id INTEGER REFERENCES org(id) ON DELETE SET NULL);
        CREATE TABLE pin (id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES org(id) ON DELETE CASCADE);
        CREATE TABLE audit (id INTEGER PRIMARY KEY,
            member_id INTEGER REFERENCES member(id) ON DELETE NO ACTION);
    ";

    pub const POSTGRES_ORACLE: &str = r"
        CREATE TABLE org (id bigint PRIMARY KEY);
        CREATE TABLE team (id bigint PRIMARY KEY,
            org_id bigint NOT NULL REFERENCES org(id) ON DELETE CASCADE);
        CREATE TABLE member (id bigint PRIMARY KEY,
            team_id bigint REFERENCES team(id) ON DELETE CASCADE);
        CREATE TABLE badge (id bigint PRIMARY KEY,
            member_id bigint REFERENCES member(id) ON DELETE SET NULL);
        CREATE TABLE log (id bigint PRIMARY KEY,
            team_id bigint REFERENCES team(id)
                ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED);
        CREATE TABLE share (id bigint PRIMARY KEY,
            org_id bigint REFERENCES org(id) ON DELETE SET NULL);
        CREATE TABLE pin (id bigint PRIMARY KEY,
            org_id bigint NOT NULL REFERENCES org(id) ON DELETE CASCADE);
        CREATE TABLE audit (id bigint PRIMARY KEY,
            member_id bigint REFERENCES member(id)
                ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED);
    ";
}

/// Diamonds: tables with two parents that are deleted together (root -< left, root -< right).
pub mod diamond {
    use cascade_runtime::Model;

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Root {
        #[model(primary_key)]
        pub id: i64,
        #[relationship(cascade = "all")]
        pub lefts: Vec<Left>,
        #[relationship(cascade = "all")]
        pub rights: Vec<Right>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Left {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Root)]
        pub root_id: Option<i64>,
        #[relationship(cascade = "all")]
        pub boths: Vec<Both>,
        #[relationship(cascade = "all")]
        pub mixeds: Vec<Mixed>,
        #[relationship(cascade = "all")]
        pub stricts: Vec<Strict>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Right {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Root)]
        pub root_id: i64,
        #[relationship(cascade = "all")]
        pub boths: Vec<Both>,
        #[relationship]
        pub mixeds: Vec<Mixed>,
        #[relationship]
        pub stricts: Vec<Strict>,
    }

    /// Two parents, both cascading.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Both {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Left)]
        pub left_id: i64,
        #[model(foreign_key = Right)]
        pub right_id: Option<i64>,
    }

    /// One parent cascading, one nullifying.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Mixed {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Left)]
        pub left_id: Option<i64>,
        #[model(foreign_key = Right)]
        pub right_id: Option<i64>,
    }

    /// One parent cascading, one refusing (NOT NULL without `delete`) unless the other path
    /// removes the row.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Strict {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Left)]
        pub left_id: Option<i64>,
        #[model(foreign_key = Right)]
        pub right_id: i64,
    }

    /// The same diamond at the database level: CASCADE on one side, SET NULL on the other.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct DbBoth {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Left, on_delete = "cascade")]
        pub left_id: i64,
        #[model(foreign_key = Right, on_delete = "set null")]
        pub right_id: Option<i64>,
    }

    pub const SQLITE_ORACLE: &str = r#"
        CREATE TABLE "root" (id INTEGER PRIMARY KEY);
        CREATE TABLE "left" (id INTEGER PRIMARY KEY,
            root_id INTEGER REFERENCES "root"(id) ON DELETE CASCADE);
        CREATE TABLE "right" (id INTEGER PRIMARY KEY,
            root_id INTEGER NOT NULL REFERENCES "root"(id) ON DELETE CASCADE);
        CREATE TABLE "both" (id INTEGER PRIMARY KEY,
            left_id INTEGER NOT NULL REFERENCES "left"(id) ON DELETE CASCADE,
            right_id INTEGER REFERENCES "right"(id) ON DELETE CASCADE);
        CREATE TABLE "mixed" (id INTEGER PRIMARY KEY,
            left_id INTEGER REFERENCES "left"(id) ON DELETE CASCADE,
            right_id INTEGER REFERENCES "right"(id) ON DELETE SET NULL);
        CREATE TABLE "strict" (id INTEGER PRIMARY KEY,
            left_id INTEGER REFERENCES "left"(id) ON DELETE CASCADE,
            right_id INTEGER NOT NULL REFERENCES "right"(id) ON DELETE NO ACTION);
        CREATE TABLE "db_both" (id INTEGER PRIMARY KEY,
            left_id INTEGER NOT NULL REFERENCES "left"(id) ON DELETE CASCADE,
            right_id INTEGER REFERENCES "right"(id) ON DELETE SET NULL);
    "#;

    pub const POSTGRES_ORACLE: &str = r#"
        CREATE TABLE "root" (id bigint PRIMARY KEY);
        CREATE TABLE "left" (id bigint PRIMARY KEY,
            root_id bigint REFERENCES "root"(id) ON DELETE CASCADE);
        CREATE TABLE "right" (id bigint PRIMARY KEY,
            root_id bigint NOT NULL REFERENCES "root"(id) ON DELETE CASCADE);
        CREATE TABLE "both" (id bigint PRIMARY KEY,
            left_id bigint NOT NULL REFERENCES "left"(id) ON DELETE CASCADE,
            right_id bigint REFERENCES "right"(id) ON DELETE CASCADE);
        CREATE TABLE "mixed" (id bigint PRIMARY KEY,
            left_id bigint REFERENCES "left"(id) ON DELETE CASCADE,
            right_id bigint REFERENCES "right"(id) ON DELETE SET NULL);
        CREATE TABLE "strict" (id bigint PRIMARY KEY,
            left_id bigint REFERENCES "left"(id) ON DELETE CASCADE,
            right_id bigint NOT NULL REFERENCES "right"(id)
                ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED);
        CREATE TABLE "db_both" (id bigint PRIMARY KEY,
            left_id bigint NOT NULL REFERENCES "left"(id) ON DELETE CASCADE,
            right_id bigint REFERENCES "right"(id) ON DELETE SET NULL);
    "#;
}

/// Self-referential trees with ORM rules: a delete cascade with NOT NULL attachments, a
/// nullify, and a NOT NULL key without `delete` that refuses.
pub mod tree {
    use cascade_runtime::Model;

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Node {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Node)]
        pub parent_id: Option<i64>,
        #[relationship(cascade = "all")]
        pub children: Vec<Node>,
        #[relationship(cascade = "all, delete-orphan")]
        pub leaves: Vec<Leaf>,
        #[relationship]
        pub locks: Vec<Lock>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Leaf {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Node)]
        pub node_id: i64,
    }

    /// NOT NULL, no `delete`: refuses.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Lock {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Node)]
        pub node_id: i64,
    }

    /// A tree whose children are detached (set to NULL), never deleted.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Folder {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Folder)]
        pub parent_id: Option<i64>,
        #[relationship]
        pub children: Vec<Folder>,
    }

    /// A tree whose root row references itself (NOT NULL), deleted by the ORM cascade.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Cell {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Cell)]
        pub parent_id: i64,
        #[relationship(cascade = "all")]
        pub children: Vec<Cell>,
    }

    pub const SQLITE_ORACLE: &str = "
        CREATE TABLE node (id INTEGER PRIMARY KEY,
            parent_id INTEGER REFERENCES node(id) ON DELETE CASCADE);
        CREATE TABLE leaf (id INTEGER PRIMARY KEY,
            node_id INTEGER NOT NULL REFERENCES node(id) ON DELETE CASCADE);
        CREATE TABLE lock (id INTEGER PRIMARY KEY,
            node_id INTEGER NOT NULL REFERENCES node(id) ON DELETE NO ACTION);
        CREATE TABLE folder (id INTEGER PRIMARY KEY,
            parent_id INTEGER REFERENCES folder(id) ON DELETE SET NULL);
        CREATE TABLE cell (id INTEGER PRIMARY KEY,
            parent_id INTEGER NOT NULL REFERENCES cell(id) ON DELETE CASCADE);
    ";

    pub const POSTGRES_ORACLE: &str = r#"
        CREATE TABLE node (id bigint PRIMARY KEY,
            parent_id bigint REFERENCES node(id) ON DELETE CASCADE);
        CREATE TABLE leaf (id bigint PRIMARY KEY,
            node_id bigint NOT NULL REFERENCES node(id) ON DELETE CASCADE);
        CREATE TABLE "lock" (id bigint PRIMARY KEY,
            node_id bigint NOT NULL REFERENCES node(id)
                ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED);
        CREATE TABLE folder (id bigint PRIMARY KEY,
            parent_id bigint REFERENCES folder(id) ON DELETE SET NULL);
        CREATE TABLE cell (id bigint PRIMARY KEY,
            parent_id bigint NOT NULL REFERENCES cell(id) ON DELETE CASCADE);
    "#;
}

/// Self-referential trees with database-level actions, passive deletes, and a RESTRICT key
/// under an ORM cascade.
pub mod db_tree {
    use cascade_runtime::Model;

    /// No relationship: the database's CASCADE, recursively.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct DNode {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = DNode, on_delete = "cascade")]
        pub parent_id: Option<i64>,
    }

    /// No relationship: the database's SET NULL.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct SNode {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = SNode, on_delete = "set null")]
        pub parent_id: Option<i64>,
    }

    /// `passive_deletes = true` over the database's CASCADE.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct PNode {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = PNode, on_delete = "cascade")]
        pub parent_id: Option<i64>,
        #[relationship(cascade = "all", passive_deletes = true)]
        pub children: Vec<PNode>,
    }

    /// The ORM cascade over a database RESTRICT: unlinked first, then deleted.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct RNode {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = RNode, on_delete = "restrict")]
        pub parent_id: Option<i64>,
        #[relationship(cascade = "all")]
        pub children: Vec<RNode>,
    }

    /// No relationship, NO ACTION: refuses while children survive.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct NNode {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = NNode)]
        pub parent_id: Option<i64>,
    }

    pub const SQLITE_ORACLE: &str = "
        CREATE TABLE d_node (id INTEGER PRIMARY KEY,
            parent_id INTEGER REFERENCES d_node(id) ON DELETE CASCADE);
        CREATE TABLE s_node (id INTEGER PRIMARY KEY,
            parent_id INTEGER REFERENCES s_node(id) ON DELETE SET NULL);
        CREATE TABLE p_node (id INTEGER PRIMARY KEY,
            parent_id INTEGER REFERENCES p_node(id) ON DELETE CASCADE);
        CREATE TABLE r_node (id INTEGER PRIMARY KEY,
            parent_id INTEGER REFERENCES r_node(id) ON DELETE CASCADE);
        CREATE TABLE n_node (id INTEGER PRIMARY KEY,
            parent_id INTEGER REFERENCES n_node(id) ON DELETE NO ACTION);
    ";

    pub const POSTGRES_ORACLE: &str = r"
        CREATE TABLE d_node (id bigint PRIMARY KEY,
            parent_id bigint REFERENCES d_node(id) ON DELETE CASCADE);
        CREATE TABLE s_node (id bigint PRIMARY KEY,
            parent_id bigint REFERENCES s_node(id) ON DELETE SET NULL);
        CREATE TABLE p_node (id bigint PRIMARY KEY,
            parent_id bigint REFERENCES p_node(id) ON DELETE CASCADE);
        CREATE TABLE r_node (id bigint PRIMARY KEY,
            parent_id bigint REFERENCES r_node(id) ON DELETE CASCADE);
        CREATE TABLE n_node (id bigint PRIMARY KEY,
            parent_id bigint REFERENCES n_node(id)
                ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED);
    ";
}

/// Many-to-many through association models (declared on both sides, and on one side only),
/// next to a one-to-many cascade.
pub mod many_to_many {
    use cascade_runtime::Model;

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Post {
        #[model(primary_key)]
        pub id: i64,
        #[relationship(secondary = PostTag)]
        pub tags: Vec<Tag>,
        #[relationship(secondary = PostTopic, cascade = "save-update")]
        pub topics: Vec<Topic>,
        #[relationship(cascade = "all")]
        pub comments: Vec<Comment>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Tag {
        #[model(primary_key)]
        pub id: i64,
        #[relationship(secondary = PostTag)]
        pub posts: Vec<Post>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct PostTag {
        #[model(primary_key, foreign_key = Post)]
        pub post_id: i64,
        #[model(primary_key, foreign_key = Tag)]
        pub tag_id: i64,
    }

    /// Related to posts only from the post's side.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Topic {
        #[model(primary_key)]
        pub id: i64,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct PostTopic {
        #[model(primary_key, foreign_key = Post)]
        pub post_id: i64,
        #[model(primary_key, foreign_key = Topic)]
        pub topic_id: i64,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Comment {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Post)]
        pub post_id: i64,
    }

    pub const SQLITE_ORACLE: &str = "
        CREATE TABLE post (id INTEGER PRIMARY KEY);
        CREATE TABLE tag (id INTEGER PRIMARY KEY);
        CREATE TABLE topic (id INTEGER PRIMARY KEY);
        CREATE TABLE post_tag (
            post_id INTEGER NOT NULL REFERENCES post(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tag(id) ON DELETE CASCADE,
            PRIMARY KEY (post_id, tag_id));
        CREATE TABLE post_topic (
            post_id INTEGER NOT NULL REFERENCES post(id) ON DELETE CASCADE,
            topic_id INTEGER NOT NULL REFERENCES topic(id) ON DELETE CASCADE,
            PRIMARY KEY (post_id, topic_id));
        CREATE TABLE comment (id INTEGER PRIMARY KEY,
            post_id INTEGER NOT NULL REFERENCES post(id) ON DELETE CASCADE);
    ";

    pub const POSTGRES_ORACLE: &str = r"
        CREATE TABLE post (id bigint PRIMARY KEY);
        CREATE TABLE tag (id bigint PRIMARY KEY);
        CREATE TABLE topic (id bigint PRIMARY KEY);
        CREATE TABLE post_tag (
            post_id bigint NOT NULL REFERENCES post(id) ON DELETE CASCADE,
            tag_id bigint NOT NULL REFERENCES tag(id) ON DELETE CASCADE,
            PRIMARY KEY (post_id, tag_id));
        CREATE TABLE post_topic (
            post_id bigint NOT NULL REFERENCES post(id) ON DELETE CASCADE,
            topic_id bigint NOT NULL REFERENCES topic(id) ON DELETE CASCADE,
            PRIMARY KEY (post_id, topic_id));
        CREATE TABLE comment (id bigint PRIMARY KEY,
            post_id bigint NOT NULL REFERENCES post(id) ON DELETE CASCADE);
    ";
}

/// Tables that reference each other in loops: nullable (unlinked first), mixed ORM and
/// database cascades, and NOT NULL both ways (deferred).
pub mod loops {
    use cascade_runtime::Model;

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Dept {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Employee, on_delete = "set null")]
        pub manager_id: Option<i64>,
        #[relationship(cascade = "all")]
        pub employees: Vec<Employee>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Employee {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Dept)]
        pub dept_id: Option<i64>,
    }

    /// a.b_id: the database's CASCADE; b.a_id: the ORM's.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct A {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = B, on_delete = "cascade")]
        pub b_id: Option<i64>,
        #[relationship(cascade = "all")]
        pub bs: Vec<B>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct B {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = A)]
        pub a_id: i64,
    }

    /// NOT NULL both ways, ORM cascades both ways: deferred to commit.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct X {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Y)]
        pub y_id: i64,
        #[relationship(cascade = "all")]
        pub ys: Vec<Y>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Y {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = X)]
        pub x_id: i64,
        #[relationship(cascade = "all")]
        pub xs: Vec<X>,
    }

    /// NOT NULL both ways; p.q_id is the database's CASCADE, q.p_id the ORM's: deferred, and
    /// the database's own cascade fires inside the loop.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct P {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Q, on_delete = "cascade")]
        pub q_id: i64,
        #[relationship(cascade = "all")]
        pub qs: Vec<Q>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Q {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = P)]
        pub p_id: i64,
    }

    /// Three tables: ring1 -< ring2 -< ring3 by the ORM, ring3 -< ring1 by the database.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Ring1 {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Ring3, on_delete = "cascade")]
        pub ring3_id: Option<i64>,
        #[relationship(cascade = "all")]
        pub ring2s: Vec<Ring2>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Ring2 {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Ring1)]
        pub ring1_id: i64,
        #[relationship(cascade = "all")]
        pub ring3s: Vec<Ring3>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Ring3 {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Ring2)]
        pub ring2_id: i64,
    }

    pub const SQLITE_ORACLE: &str = "
        CREATE TABLE dept (id INTEGER PRIMARY KEY,
            manager_id INTEGER REFERENCES employee(id) ON DELETE SET NULL);
        CREATE TABLE employee (id INTEGER PRIMARY KEY,
            dept_id INTEGER REFERENCES dept(id) ON DELETE CASCADE);
        CREATE TABLE a (id INTEGER PRIMARY KEY,
            b_id INTEGER REFERENCES b(id) ON DELETE CASCADE);
        CREATE TABLE b (id INTEGER PRIMARY KEY,
            a_id INTEGER NOT NULL REFERENCES a(id) ON DELETE CASCADE);
        CREATE TABLE x (id INTEGER PRIMARY KEY,
            y_id INTEGER NOT NULL REFERENCES y(id) ON DELETE CASCADE);
        CREATE TABLE y (id INTEGER PRIMARY KEY,
            x_id INTEGER NOT NULL REFERENCES x(id) ON DELETE CASCADE);
        CREATE TABLE p (id INTEGER PRIMARY KEY,
            q_id INTEGER NOT NULL REFERENCES q(id) ON DELETE CASCADE);
        CREATE TABLE q (id INTEGER PRIMARY KEY,
            p_id INTEGER NOT NULL REFERENCES p(id) ON DELETE CASCADE);
        CREATE TABLE ring1 (id INTEGER PRIMARY KEY,
            ring3_id INTEGER REFERENCES ring3(id) ON DELETE CASCADE);
        CREATE TABLE ring2 (id INTEGER PRIMARY KEY,
            ring1_id INTEGER NOT NULL REFERENCES ring1(id) ON DELETE CASCADE);
        CREATE TABLE ring3 (id INTEGER PRIMARY KEY,
            ring2_id INTEGER NOT NULL REFERENCES ring2(id) ON DELETE CASCADE);
    ";

    pub const POSTGRES_ORACLE: &str = r"
        CREATE TABLE dept (id bigint PRIMARY KEY, manager_id bigint);
        CREATE TABLE employee (id bigint PRIMARY KEY,
            dept_id bigint REFERENCES dept(id) ON DELETE CASCADE);
        ALTER TABLE dept ADD FOREIGN KEY (manager_id)
            REFERENCES employee(id) ON DELETE SET NULL;
        CREATE TABLE a (id bigint PRIMARY KEY, b_id bigint);
        CREATE TABLE b (id bigint PRIMARY KEY,
            a_id bigint NOT NULL REFERENCES a(id) ON DELETE CASCADE);
        ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b(id) ON DELETE CASCADE;
        CREATE TABLE x (id bigint PRIMARY KEY, y_id bigint NOT NULL);
        CREATE TABLE y (id bigint PRIMARY KEY,
            x_id bigint NOT NULL REFERENCES x(id) ON DELETE CASCADE);
        ALTER TABLE x ADD FOREIGN KEY (y_id) REFERENCES y(id) ON DELETE CASCADE;
        CREATE TABLE p (id bigint PRIMARY KEY, q_id bigint NOT NULL);
        CREATE TABLE q (id bigint PRIMARY KEY,
            p_id bigint NOT NULL REFERENCES p(id) ON DELETE CASCADE);
        ALTER TABLE p ADD FOREIGN KEY (q_id) REFERENCES q(id) ON DELETE CASCADE;
        CREATE TABLE ring1 (id bigint PRIMARY KEY, ring3_id bigint);
        CREATE TABLE ring2 (id bigint PRIMARY KEY,
            ring1_id bigint NOT NULL REFERENCES ring1(id) ON DELETE CASCADE);
        CREATE TABLE ring3 (id bigint PRIMARY KEY,
            ring2_id bigint NOT NULL REFERENCES ring2(id) ON DELETE CASCADE);
        ALTER TABLE ring1 ADD FOREIGN KEY (ring3_id) REFERENCES ring3(id) ON DELETE CASCADE;
    ";
}

/// ORM cascades no database has a foreign-key action for — a many-to-many whose targets go
/// too, and a many-to-one `delete` — emulated in the oracle by triggers: on PostgreSQL a row
/// trigger before each book's delete, and a statement trigger after the attachments' delete
/// over its transition table of the deleted rows.
pub mod orm_only {
    use cascade_runtime::Model;

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Book {
        #[model(primary_key)]
        pub id: i64,
        #[relationship(secondary = BookGenre, cascade = "all")]
        pub genres: Vec<Genre>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Genre {
        #[model(primary_key)]
        pub id: i64,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct BookGenre {
        #[model(primary_key, foreign_key = Book)]
        pub book_id: i64,
        #[model(primary_key, foreign_key = Genre)]
        pub genre_id: i64,
    }

    /// Deleting an attachment deletes its blob, which other attachments may still use
    /// (NO ACTION: refused unless they go too).
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Attachment {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Blob)]
        pub blob_id: Option<i64>,
        #[relationship(cascade = "save-update, delete")]
        pub blob: Option<Box<Blob>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Blob {
        #[model(primary_key)]
        pub id: i64,
    }

    pub const SQLITE_ORACLE: &str = "
        CREATE TABLE book (id INTEGER PRIMARY KEY);
        CREATE TABLE genre (id INTEGER PRIMARY KEY);
        CREATE TABLE book_genre (
            book_id INTEGER NOT NULL REFERENCES book(id) ON DELETE CASCADE,
            genre_id INTEGER NOT NULL REFERENCES genre(id) ON DELETE CASCADE,
            PRIMARY KEY (book_id, genre_id));
        CREATE TRIGGER book_genres BEFORE DELETE ON book BEGIN
            DELETE FROM genre WHERE id IN
                (SELECT genre_id FROM book_genre WHERE book_id = old.id);
        END;
        CREATE TABLE blob (id INTEGER PRIMARY KEY);
        CREATE TABLE attachment (id INTEGER PRIMARY KEY,
            blob_id INTEGER REFERENCES blob(id) ON DELETE NO ACTION);
        CREATE TRIGGER attachment_blob AFTER DELETE ON attachment BEGIN
            DELETE FROM blob WHERE id = old.blob_id;
        END;
    ";

    pub const POSTGRES_ORACLE: &str = r"
        CREATE TABLE book (id bigint PRIMARY KEY);
        CREATE TABLE genre (id bigint PRIMARY KEY);
        CREATE TABLE book_genre (
            book_id bigint NOT NULL REFERENCES book(id) ON DELETE CASCADE,
            genre_id bigint NOT NULL REFERENCES genre(id) ON DELETE CASCADE,
            PRIMARY KEY (book_id, genre_id));
        CREATE FUNCTION book_genres() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM genre WHERE id IN
                (SELECT genre_id FROM book_genre WHERE book_id = OLD.id);
            RETURN OLD;
        END $$;
        CREATE TRIGGER book_genres BEFORE DELETE ON book
            FOR EACH ROW EXECUTE FUNCTION book_genres();
        CREATE TABLE blob (id bigint PRIMARY KEY);
        CREATE TABLE attachment (id bigint PRIMARY KEY,
            blob_id bigint REFERENCES blob(id)
                ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED);
        CREATE FUNCTION attachment_blob() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM blob WHERE id IN (SELECT blob_id FROM gone);
            RETURN NULL;
        END $$;
        CREATE TRIGGER attachment_blob AFTER DELETE ON attachment
            REFERENCING OLD TABLE AS gone
            FOR EACH STATEMENT EXECUTE FUNCTION attachment_blob();
    ";
}

/// The database's SET DEFAULT, with and without a relationship (`passive_deletes`).
pub mod set_default {
    use cascade_runtime::Model;

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Category {
        #[model(primary_key)]
        pub id: i64,
        #[relationship(cascade = "all", passive_deletes = true)]
        pub products: Vec<Product>,
        #[relationship(cascade = "all")]
        pub offers: Vec<Offer>,
    }

    /// `passive_deletes = true` over SET DEFAULT 1.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Product {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Category, on_delete = "set default", default = 1)]
        pub category_id: i64,
    }

    /// No relationship: SET DEFAULT 1 on a nullable key.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Listing {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Category, on_delete = "set default", default = 1)]
        pub category_id: Option<i64>,
    }

    /// The ORM cascade over a SET DEFAULT key.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Offer {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Category, on_delete = "set default", default = 1)]
        pub category_id: i64,
    }

    pub const SQLITE_ORACLE: &str = "
        CREATE TABLE category (id INTEGER PRIMARY KEY);
        CREATE TABLE product (id INTEGER PRIMARY KEY,
            category_id INTEGER NOT NULL DEFAULT 1 REFERENCES category(id) ON DELETE SET DEFAULT);
        CREATE TABLE listing (id INTEGER PRIMARY KEY,
            category_id INTEGER DEFAULT 1 REFERENCES category(id) ON DELETE SET DEFAULT);
        CREATE TABLE offer (id INTEGER PRIMARY KEY,
            category_id INTEGER NOT NULL DEFAULT 1 REFERENCES category(id) ON DELETE CASCADE);
    ";

    pub const POSTGRES_ORACLE: &str = r"
        CREATE TABLE category (id bigint PRIMARY KEY);
        CREATE TABLE product (id bigint PRIMARY KEY,
            category_id bigint NOT NULL DEFAULT 1
                REFERENCES category(id) ON DELETE SET DEFAULT);
        CREATE TABLE listing (id bigint PRIMARY KEY,
            category_id bigint DEFAULT 1 REFERENCES category(id) ON DELETE SET DEFAULT);
        CREATE TABLE offer (id bigint PRIMARY KEY,
            category_id bigint NOT NULL DEFAULT 1
                REFERENCES category(id) ON DELETE CASCADE);
    ";
}

/// Two tables that reach each other in a loop through an association keyed by both, so the
/// runtime plans a fixpoint (`Collect::Fixpoint`): a team's rosters go with it, and so do each
/// deleted roster's team and player (many-to-one `delete`), whose rosters go in turn — the
/// whole connected part of the data. A coach of a deleted team loses it (ORM nullify); a
/// contract refuses the delete of its player (NOT NULL, no relationship).
pub mod roster_loop {
    use cascade_runtime::Model;

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Team {
        #[model(primary_key)]
        pub id: i64,
        #[relationship(cascade = "all")]
        pub rosters: Vec<Roster>,
        #[relationship]
        pub coaches: Vec<Coach>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Player {
        #[model(primary_key)]
        pub id: i64,
        #[relationship(cascade = "all")]
        pub rosters: Vec<Roster>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Roster {
        #[model(primary_key, foreign_key = Team)]
        pub team_id: i64,
        #[model(primary_key, foreign_key = Player)]
        pub player_id: i64,
        #[relationship(cascade = "delete")]
        pub team: Option<Box<Team>>,
        #[relationship(cascade = "delete")]
        pub player: Option<Box<Player>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Coach {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Team)]
        pub team_id: Option<i64>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Contract {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Player)]
        pub player_id: i64,
    }

    /// A deleted roster deletes its team and player, whose rosters go by `ON DELETE CASCADE`
    /// and fire the trigger again: recursive triggers on.
    pub const SQLITE_ORACLE: &str = "
        PRAGMA recursive_triggers = ON;
        CREATE TABLE team (id INTEGER PRIMARY KEY);
        CREATE TABLE player (id INTEGER PRIMARY KEY);
        CREATE TABLE roster (
            team_id INTEGER NOT NULL REFERENCES team(id) ON DELETE CASCADE,
            player_id INTEGER NOT NULL REFERENCES player(id) ON DELETE CASCADE,
            PRIMARY KEY (team_id, player_id));
        CREATE TRIGGER roster_gone AFTER DELETE ON roster BEGIN
            DELETE FROM team WHERE id = old.team_id;
            DELETE FROM player WHERE id = old.player_id;
        END;
        CREATE TABLE coach (id INTEGER PRIMARY KEY,
            team_id INTEGER REFERENCES team(id) ON DELETE SET NULL);
        CREATE TABLE contract (id INTEGER PRIMARY KEY,
            player_id INTEGER NOT NULL REFERENCES player(id) ON DELETE NO ACTION);
    ";

    pub const POSTGRES_ORACLE: &str = r"
        CREATE TABLE team (id bigint PRIMARY KEY);
        CREATE TABLE player (id bigint PRIMARY KEY);
        CREATE TABLE roster (
            team_id bigint NOT NULL REFERENCES team(id) ON DELETE CASCADE,
            player_id bigint NOT NULL REFERENCES player(id) ON DELETE CASCADE,
            PRIMARY KEY (team_id, player_id));
        CREATE FUNCTION roster_gone() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM team WHERE id IN (SELECT team_id FROM gone);
            DELETE FROM player WHERE id IN (SELECT player_id FROM gone);
            RETURN NULL;
        END $$;
        CREATE TRIGGER roster_gone AFTER DELETE ON roster
            REFERENCING OLD TABLE AS gone
            FOR EACH STATEMENT EXECUTE FUNCTION roster_gone();
        CREATE TABLE coach (id bigint PRIMARY KEY,
            team_id bigint REFERENCES team(id) ON DELETE SET NULL);
        CREATE TABLE contract (id bigint PRIMARY KEY,
            player_id bigint NOT NULL REFERENCES player(id)
                ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED);
    ";
}

/// Two foreign keys from one table to the same table: a payment's payer (the ORM cascade) and
/// payee (the ORM nullify); a transfer's source (the database's CASCADE) and target (the
/// database's NO ACTION: refuses unless the same delete removes the transfer through its
/// source); and a person's mentor (the ORM cascade over the database's CASCADE, a tree) and
/// buddy (the database's SET NULL), two keys from a table to itself.
pub mod two_keys {
    use cascade_runtime::Model;

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Account {
        #[model(primary_key)]
        pub id: i64,
        #[relationship(cascade = "all", foreign_key = "payer_id")]
        pub paid: Vec<Payment>,
        #[relationship(foreign_key = "payee_id")]
        pub received: Vec<Payment>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Payment {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Account)]
        pub payer_id: i64,
        #[model(foreign_key = Account)]
        pub payee_id: Option<i64>,
    }

    /// No relationship: the database's actions.
    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Transfer {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Account, on_delete = "cascade")]
        pub from_id: i64,
        #[model(foreign_key = Account)]
        pub to_id: Option<i64>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Person {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Person, on_delete = "cascade")]
        pub mentor_id: Option<i64>,
        #[model(foreign_key = Person, on_delete = "set null")]
        pub buddy_id: Option<i64>,
        #[relationship(cascade = "all", foreign_key = "mentor_id")]
        pub mentees: Vec<Person>,
    }

    pub const SQLITE_ORACLE: &str = "
        CREATE TABLE account (id INTEGER PRIMARY KEY);
        CREATE TABLE payment (id INTEGER PRIMARY KEY,
            payer_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
            payee_id INTEGER REFERENCES account(id) ON DELETE SET NULL);
        CREATE TABLE transfer (id INTEGER PRIMARY KEY,
            from_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
            to_id INTEGER REFERENCES account(id) ON DELETE NO ACTION);
        CREATE TABLE person (id INTEGER PRIMARY KEY,
            mentor_id INTEGER REFERENCES person(id) ON DELETE CASCADE,
            buddy_id INTEGER REFERENCES person(id) ON DELETE SET NULL);
    ";

    pub const POSTGRES_ORACLE: &str = r"
        CREATE TABLE account (id bigint PRIMARY KEY);
        CREATE TABLE payment (id bigint PRIMARY KEY,
            payer_id bigint NOT NULL REFERENCES account(id) ON DELETE CASCADE,
            payee_id bigint REFERENCES account(id) ON DELETE SET NULL);
        CREATE TABLE transfer (id bigint PRIMARY KEY,
            from_id bigint NOT NULL REFERENCES account(id) ON DELETE CASCADE,
            to_id bigint REFERENCES account(id)
                ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED);
        CREATE TABLE person (id bigint PRIMARY KEY,
            mentor_id bigint REFERENCES person(id) ON DELETE CASCADE,
            buddy_id bigint REFERENCES person(id) ON DELETE SET NULL);
    ";
}

/// Django's `on_delete` on relationships, over database actions that say otherwise: an artist's
/// albums cascade (over `RESTRICT`), and so do their songs; a song's artist restricts (refused
/// unless the song goes through its album in the same delete); contracts protect (nothing else
/// removes a contract, so the oracle's `NO ACTION` refuses exactly when Django's `PROTECT`
/// does — a protected row that another path removes is `tests/django_on_delete.rs`'s); fans
/// are set to `NULL` (over `CASCADE`) and posters to their default. Albums have delete hooks,
/// which must run on exactly the albums each delete removes.
pub mod django {
    use std::cell::RefCell;

    use cascade_runtime::{DeleteHooks, HookContext, HookError, Model};

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Artist {
        #[model(primary_key)]
        pub id: i64,
        #[relationship(on_delete = "cascade")]
        pub albums: Vec<Album>,
        #[relationship(on_delete = "restrict")]
        pub songs: Vec<Song>,
        #[relationship(on_delete = "protect")]
        pub contracts: Vec<Contract>,
        #[relationship(on_delete = "set null")]
        pub fans: Vec<Fan>,
        #[relationship(on_delete = "set default")]
        pub posters: Vec<Poster>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(hooks)]
    pub struct Album {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Artist, on_delete = "restrict")]
        pub artist_id: i64,
        #[relationship(on_delete = "cascade")]
        pub songs: Vec<Song>,
    }

    thread_local! {
        /// The albums `before_delete` and `after_delete` saw, on this thread.
        static SEEN: RefCell<(Vec<i64>, Vec<i64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
    }

    impl DeleteHooks for Album {
        fn before_delete(&self, _: &HookContext<'_>) -> Result<(), HookError> {
            SEEN.with(|s| s.borrow_mut().0.push(self.id));
            Ok(())
        }

        fn after_delete(&self, _: &HookContext<'_>) -> Result<(), HookError> {
            SEEN.with(|s| s.borrow_mut().1.push(self.id));
            Ok(())
        }
    }

    /// The albums the hooks saw since the last call.
    pub fn take_seen() -> (Vec<i64>, Vec<i64>) {
        SEEN.with(|s| std::mem::take(&mut *s.borrow_mut()))
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Song {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Artist)]
        pub artist_id: i64,
        #[model(foreign_key = Album)]
        pub album_id: Option<i64>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Contract {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Artist)]
        pub artist_id: Option<i64>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Fan {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Artist, on_delete = "cascade")]
        pub artist_id: Option<i64>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Poster {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Artist, default = 1)]
        pub artist_id: i64,
    }

    pub const SQLITE_ORACLE: &str = "
        CREATE TABLE artist (id INTEGER PRIMARY KEY);
        CREATE TABLE album (id INTEGER PRIMARY KEY,
            artist_id INTEGER NOT NULL REFERENCES artist(id) ON DELETE CASCADE);
        CREATE TABLE song (id INTEGER PRIMARY KEY,
            artist_id INTEGER NOT NULL REFERENCES artist(id) ON DELETE NO ACTION,
            album_id INTEGER REFERENCES album(id) ON DELETE CASCADE);
        CREATE TABLE contract (id INTEGER PRIMARY KEY,
            artist_id INTEGER REFERENCES artist(id) ON DELETE NO ACTION);
        CREATE TABLE fan (id INTEGER PRIMARY KEY,
            artist_id INTEGER REFERENCES artist(id) ON DELETE SET NULL);
        CREATE TABLE poster (id INTEGER PRIMARY KEY,
            artist_id INTEGER NOT NULL DEFAULT 1 REFERENCES artist(id) ON DELETE SET DEFAULT);
    ";

    pub const POSTGRES_ORACLE: &str = r"
        CREATE TABLE artist (id bigint PRIMARY KEY);
        CREATE TABLE album (id bigint PRIMARY KEY,
            artist_id bigint NOT NULL REFERENCES artist(id) ON DELETE CASCADE);
        CREATE TABLE song (id bigint PRIMARY KEY,
            artist_id bigint NOT NULL REFERENCES artist(id)
                ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED,
            album_id bigint REFERENCES album(id) ON DELETE CASCADE);
        CREATE TABLE contract (id bigint PRIMARY KEY,
            artist_id bigint REFERENCES artist(id)
                ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED);
        CREATE TABLE fan (id bigint PRIMARY KEY,
            artist_id bigint REFERENCES artist(id) ON DELETE SET NULL);
        CREATE TABLE poster (id bigint PRIMARY KEY,
            artist_id bigint NOT NULL DEFAULT 1 REFERENCES artist(id) ON DELETE SET DEFAULT);
    ";
}

// ============================================================================================
// Describing a fixture's tables
// ============================================================================================

/// One table of a fixture: an `id` key, or a pair of foreign keys as its key (association).
pub struct TableSpec {
    pub name: &'static str,
    /// `false`: the key is the two foreign keys (an association table).
    pub id: bool,
    pub fks: Vec<Fk>,
    /// At most this many rows are generated.
    pub max_rows: usize,
}

/// A foreign-key column: references `target` (an index into the fixture's tables).
pub struct Fk {
    pub column: &'static str,
    pub target: usize,
    pub nullable: bool,
}

const fn fk(column: &'static str, target: usize, nullable: bool) -> Fk {
    Fk {
        column,
        target,
        nullable,
    }
}

const fn table(name: &'static str, fks: Vec<Fk>, max_rows: usize) -> TableSpec {
    TableSpec {
        name,
        id: true,
        fks,
        max_rows,
    }
}

const fn assoc(name: &'static str, fks: Vec<Fk>, max_rows: usize) -> TableSpec {
    TableSpec {
        name,
        id: false,
        fks,
        max_rows,
    }
}

/// A backend the differential suites run on: what a fixture's deletes need to know of it.
pub trait Side: Backend {
    /// The oracle's key delete's clause, in the backend's placeholders.
    const KEY: &'static str;
    /// The range delete's clause (`delete_where`'s, and the oracle's).
    const RANGE: &'static str;
    /// Whether the backend deletes large key sets in ranges (whose thresholds the cases
    /// lower).
    const RANGES: bool;
    /// The third placeholder, for the oracle's chunk size.
    const THIRD: &'static str;
}

impl Side for Sqlite {
    const KEY: &'static str = "id = ?1";
    const RANGE: &'static str = "id BETWEEN ?1 AND ?2";
    const RANGES: bool = true;
    const THIRD: &'static str = "?3";
}

impl Side for Postgres {
    const KEY: &'static str = "id = $1";
    const RANGE: &'static str = "id BETWEEN $1 AND $2";
    const RANGES: bool = false;
    const THIRD: &'static str = "$3";
}

pub type DeleteFn<B> = fn(&mut Session<B>, &Op) -> cascade_runtime::Result<Outcome>;

/// What a delete through the cascade session returned: its report, and for
/// [`Op::Plan`] the plan it executed.
pub struct Outcome {
    pub report: DeleteReport,
    pub plan: Option<DeletePlan>,
}

impl From<DeleteReport> for Outcome {
    fn from(report: DeleteReport) -> Outcome {
        Outcome { report, plan: None }
    }
}

/// A table deletes start from (an index into the fixture's tables), deleted as `M`.
fn root<M: Model<Key = i64>, B: Side>(table: usize) -> (usize, DeleteFn<B>) {
    (table, delete_as::<M, B>)
}

/// Deletes through the cascade session, rooted at `M`.
fn delete_as<M: Model<Key = i64>, B: Side>(
    session: &mut Session<B>,
    op: &Op,
) -> cascade_runtime::Result<Outcome> {
    match *op {
        Op::Pk { id, .. } => session.delete_by_pk::<M>(id).map(Outcome::from),
        Op::Range { lo, hi, .. } => session
            .delete_where::<M>(B::RANGE, [lo, hi])
            .map(Outcome::from),
        Op::Chunks { lo, hi, size, .. } => session
            .delete_where_in_chunks::<M>(B::RANGE, [lo, hi], size, |_| ControlFlow::Continue(()))
            .map(Outcome::from),
        Op::Plan { lo, hi, .. } => {
            let plan = session.plan_delete_where::<M>(B::RANGE, [lo, hi])?;
            let report = session.execute_plan(&plan)?;
            Ok(Outcome {
                report,
                plan: Some(plan),
            })
        }
    }
}

/// The rows of one table of a fixture whose model has delete hooks, as the hooks saw them.
pub struct HookLog {
    /// The hooked table (an index into the fixture's tables).
    pub table: usize,
    /// The ids `before_delete` and `after_delete` were called with on this thread since the
    /// last call, emptying the log.
    pub take: fn() -> (Vec<i64>, Vec<i64>),
}

/// The oracle's tables, in each database's DDL.
#[allow(dead_code)] // each suite reads its own database's
pub struct Oracle {
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// What a fixture's run must have seen at least once, so that a generator that stopped
/// reaching an outcome does not go unnoticed.
pub struct Expect {
    pub nulled: bool,
    pub defaulted: bool,
    pub refused: bool,
}

pub struct Fixture<B: Backend> {
    pub name: &'static str,
    pub tables: Vec<TableSpec>,
    /// Tables deletes start from (indexes into `tables`), with the typed delete for each.
    pub roots: Vec<(usize, DeleteFn<B>)>,
    /// Makes the session create (and so know) every model.
    pub create: fn(&mut Session<B>) -> cascade_runtime::Result<()>,
    pub oracle: Oracle,
    /// SET DEFAULT can point rows at a parent the same delete removes: the database's own
    /// foreign-key check refuses that on both sides (SQLite's at the end of the statement,
    /// PostgreSQL's when the SET DEFAULT's update is checked), and the runtime may report it as
    /// a database error rather than `Error::Blocked`.
    pub database_refusals: bool,
    /// A table whose model has delete hooks: every delete checks that they ran on exactly the
    /// rows it removed.
    pub hooks: Option<HookLog>,
    pub expect: Expect,
}

pub fn chain<Db: Side>() -> Fixture<Db> {
    use chain::*;
    Fixture {
        name: "chain",
        tables: vec![
            table("region", vec![], 6),
            table("store", vec![fk("region_id", 0, true)], 10),
            table("shelf", vec![fk("store_id", 1, false)], 14),
            table("item", vec![fk("shelf_id", 2, true)], 18),
            table("item_note", vec![fk("item_id", 3, true)], 10),
            table("depot", vec![fk("region_id", 0, false)], 3),
        ],
        roots: vec![
            root::<Region, Db>(0),
            root::<Store, Db>(1),
            root::<Shelf, Db>(2),
            root::<Item, Db>(3),
        ],
        create: |s| {
            s.create_all::<Region>()?;
            s.create_all::<ItemNote>()
        },
        oracle: Oracle {
            sqlite: SQLITE_ORACLE,
            postgres: POSTGRES_ORACLE,
        },
        database_refusals: false,
        hooks: None,
        expect: Expect {
            nulled: true,
            defaulted: false,
            refused: true,
        },
    }
}

pub fn db_actions<Db: Side>() -> Fixture<Db> {
    use db_actions::*;
    Fixture {
        name: "db_actions",
        tables: vec![
            table("org", vec![], 6),
            table("team", vec![fk("org_id", 0, false)], 10),
            table("member", vec![fk("team_id", 1, true)], 14),
            table("badge", vec![fk("member_id", 2, true)], 10),
            table("log", vec![fk("team_id", 1, true)], 3),
            table("share", vec![fk("org_id", 0, true)], 6),
            table("pin", vec![fk("org_id", 0, false)], 6),
            table("audit", vec![fk("member_id", 2, true)], 3),
        ],
        roots: vec![
            root::<Org, Db>(0),
            root::<Team, Db>(1),
            root::<Member, Db>(2),
        ],
        create: |s| {
            s.create_all::<Org>()?;
            s.create_all::<Badge>()?;
            s.create_all::<Log>()?;
            s.create_all::<Pin>()
        },
        oracle: Oracle {
            sqlite: SQLITE_ORACLE,
            postgres: POSTGRES_ORACLE,
        },
        database_refusals: false,
        hooks: None,
        expect: Expect {
            nulled: true,
            defaulted: false,
            refused: true,
        },
    }
}

pub fn diamond<Db: Side>() -> Fixture<Db> {
    use diamond::*;
    Fixture {
        name: "diamond",
        tables: vec![
            table("root", vec![], 5),
            table("left", vec![fk("root_id", 0, true)], 8),
            table("right", vec![fk("root_id", 0, false)], 8),
            table(
                "both",
                vec![fk("left_id", 1, false), fk("right_id", 2, true)],
                12,
            ),
            table(
                "mixed",
                vec![fk("left_id", 1, true), fk("right_id", 2, true)],
                12,
            ),
            table(
                "strict",
                vec![fk("left_id", 1, true), fk("right_id", 2, false)],
                4,
            ),
            table(
                "db_both",
                vec![fk("left_id", 1, false), fk("right_id", 2, true)],
                8,
            ),
        ],
        roots: vec![
            root::<Root, Db>(0),
            root::<Left, Db>(1),
            root::<Right, Db>(2),
        ],
        create: |s| {
            s.create_all::<Root>()?;
            s.create_all::<DbBoth>()
        },
        oracle: Oracle {
            sqlite: SQLITE_ORACLE,
            postgres: POSTGRES_ORACLE,
        },
        database_refusals: false,
        hooks: None,
        expect: Expect {
            nulled: true,
            defaulted: false,
            refused: true,
        },
    }
}

pub fn tree<Db: Side>() -> Fixture<Db> {
    use tree::*;
    Fixture {
        name: "tree",
        tables: vec![
            table("node", vec![fk("parent_id", 0, true)], 40),
            table("leaf", vec![fk("node_id", 0, false)], 12),
            table("lock", vec![fk("node_id", 0, false)], 2),
            table("folder", vec![fk("parent_id", 3, true)], 24),
            table("cell", vec![fk("parent_id", 4, false)], 24),
        ],
        roots: vec![
            root::<Node, Db>(0),
            root::<Folder, Db>(3),
            root::<Cell, Db>(4),
        ],
        create: |s| {
            s.create_all::<Node>()?;
            s.create_all::<Folder>()?;
            s.create_all::<Cell>()
        },
        oracle: Oracle {
            sqlite: SQLITE_ORACLE,
            postgres: POSTGRES_ORACLE,
        },
        database_refusals: false,
        hooks: None,
        expect: Expect {
            nulled: true,
            defaulted: false,
            refused: true,
        },
    }
}

pub fn db_tree<Db: Side>() -> Fixture<Db> {
    use db_tree::*;
    Fixture {
        name: "db_tree",
        tables: vec![
            table("d_node", vec![fk("parent_id", 0, true)], 30),
            table("s_node", vec![fk("parent_id", 1, true)], 20),
            table("p_node", vec![fk("parent_id", 2, true)], 30),
            table("r_node", vec![fk("parent_id", 3, true)], 30),
            table("n_node", vec![fk("parent_id", 4, true)], 12),
        ],
        roots: vec![
            root::<DNode, Db>(0),
            root::<SNode, Db>(1),
            root::<PNode, Db>(2),
            root::<RNode, Db>(3),
            root::<NNode, Db>(4),
        ],
        create: |s| {
            s.create_all::<DNode>()?;
            s.create_all::<SNode>()?;
            s.create_all::<PNode>()?;
            s.create_all::<RNode>()?;
            s.create_all::<NNode>()
        },
        oracle: Oracle {
            sqlite: SQLITE_ORACLE,
            postgres: POSTGRES_ORACLE,
        },
        database_refusals: false,
        hooks: None,
        expect: Expect {
            nulled: true,
            defaulted: false,
            refused: true,
        },
    }
}

pub fn many_to_many<Db: Side>() -> Fixture<Db> {
    use many_to_many::*;
    Fixture {
        name: "many_to_many",
        tables: vec![
            table("post", vec![], 8),
            table("tag", vec![], 8),
            table("topic", vec![], 6),
            assoc(
                "post_tag",
                vec![fk("post_id", 0, false), fk("tag_id", 1, false)],
                20,
            ),
            assoc(
                "post_topic",
                vec![fk("post_id", 0, false), fk("topic_id", 2, false)],
                12,
            ),
            table("comment", vec![fk("post_id", 0, false)], 12),
        ],
        roots: vec![
            root::<Post, Db>(0),
            root::<Tag, Db>(1),
            root::<Topic, Db>(2),
        ],
        create: |s| s.create_all::<Post>(),
        oracle: Oracle {
            sqlite: SQLITE_ORACLE,
            postgres: POSTGRES_ORACLE,
        },
        database_refusals: false,
        hooks: None,
        expect: Expect {
            nulled: false,
            defaulted: false,
            refused: false,
        },
    }
}

pub fn loops<Db: Side>() -> Fixture<Db> {
    use loops::*;
    Fixture {
        name: "loops",
        tables: vec![
            table("dept", vec![fk("manager_id", 1, true)], 8),
            table("employee", vec![fk("dept_id", 0, true)], 16),
            table("a", vec![fk("b_id", 3, true)], 12),
            table("b", vec![fk("a_id", 2, false)], 12),
            table("x", vec![fk("y_id", 5, false)], 10),
            table("y", vec![fk("x_id", 4, false)], 10),
            table("p", vec![fk("q_id", 7, false)], 10),
            table("q", vec![fk("p_id", 6, false)], 10),
            table("ring1", vec![fk("ring3_id", 10, true)], 8),
            table("ring2", vec![fk("ring1_id", 8, false)], 10),
            table("ring3", vec![fk("ring2_id", 9, false)], 10),
        ],
        roots: vec![
            root::<Dept, Db>(0),
            root::<Employee, Db>(1),
            root::<A, Db>(2),
            root::<B, Db>(3),
            root::<X, Db>(4),
            root::<Y, Db>(5),
            root::<P, Db>(6),
            root::<Q, Db>(7),
            root::<Ring1, Db>(8),
            root::<Ring3, Db>(10),
        ],
        create: |s| {
            s.create_all::<Dept>()?;
            s.create_all::<A>()?;
            s.create_all::<X>()?;
            s.create_all::<P>()?;
            s.create_all::<Ring1>()
        },
        oracle: Oracle {
            sqlite: SQLITE_ORACLE,
            postgres: POSTGRES_ORACLE,
        },
        database_refusals: false,
        hooks: None,
        expect: Expect {
            nulled: true,
            defaulted: false,
            refused: false,
        },
    }
}

pub fn orm_only<Db: Side>() -> Fixture<Db> {
    use orm_only::*;
    Fixture {
        name: "orm_only",
        tables: vec![
            table("book", vec![], 6),
            table("genre", vec![], 8),
            assoc(
                "book_genre",
                vec![fk("book_id", 0, false), fk("genre_id", 1, false)],
                14,
            ),
            table("blob", vec![], 8),
            table("attachment", vec![fk("blob_id", 3, true)], 12),
        ],
        roots: vec![root::<Book, Db>(0), root::<Attachment, Db>(4)],
        create: |s| {
            s.create_all::<Book>()?;
            s.create_all::<Attachment>()
        },
        oracle: Oracle {
            sqlite: SQLITE_ORACLE,
            postgres: POSTGRES_ORACLE,
        },
        database_refusals: false,
        hooks: None,
        expect: Expect {
            nulled: false,
            defaulted: false,
            refused: true,
        },
    }
}

pub fn set_default<Db: Side>() -> Fixture<Db> {
    use set_default::*;
    Fixture {
        name: "set_default",
        tables: vec![
            table("category", vec![], 6),
            table("product", vec![fk("category_id", 0, false)], 10),
            table("listing", vec![fk("category_id", 0, true)], 10),
            table("offer", vec![fk("category_id", 0, false)], 10),
        ],
        roots: vec![root::<Category, Db>(0)],
        create: |s| {
            s.create_all::<Category>()?;
            s.create_all::<Listing>()
        },
        oracle: Oracle {
            sqlite: SQLITE_ORACLE,
            postgres: POSTGRES_ORACLE,
        },
        database_refusals: true,
        hooks: None,
        expect: Expect {
            nulled: false,
            defaulted: true,
            refused: true,
        },
    }
}

pub fn roster_loop<Db: Side>() -> Fixture<Db> {
    use roster_loop::*;
    Fixture {
        name: "roster_loop",
        tables: vec![
            table("team", vec![], 10),
            table("player", vec![], 10),
            assoc(
                "roster",
                vec![fk("team_id", 0, false), fk("player_id", 1, false)],
                16,
            ),
            table("coach", vec![fk("team_id", 0, true)], 6),
            table("contract", vec![fk("player_id", 1, false)], 1),
        ],
        roots: vec![root::<Team, Db>(0), root::<Player, Db>(1)],
        create: |s| {
            s.create_all::<Roster>()?;
            s.create_all::<Coach>()?;
            s.create_all::<Contract>()
        },
        oracle: Oracle {
            sqlite: SQLITE_ORACLE,
            postgres: POSTGRES_ORACLE,
        },
        database_refusals: false,
        hooks: None,
        expect: Expect {
            nulled: true,
            defaulted: false,
            refused: true,
        },
    }
}

pub fn two_keys<Db: Side>() -> Fixture<Db> {
    use two_keys::*;
    Fixture {
        name: "two_keys",
        tables: vec![
            table("account", vec![], 8),
            table(
                "payment",
                vec![fk("payer_id", 0, false), fk("payee_id", 0, true)],
                14,
            ),
            table(
                "transfer",
                vec![fk("from_id", 0, false), fk("to_id", 0, true)],
                6,
            ),
            table(
                "person",
                vec![fk("mentor_id", 3, true), fk("buddy_id", 3, true)],
                30,
            ),
        ],
        roots: vec![root::<Account, Db>(0), root::<Person, Db>(3)],
        create: |s| {
            s.create_all::<Account>()?;
            s.create_all::<Transfer>()?;
            s.create_all::<Person>()
        },
        oracle: Oracle {
            sqlite: SQLITE_ORACLE,
            postgres: POSTGRES_ORACLE,
        },
        database_refusals: false,
        hooks: None,
        expect: Expect {
            nulled: true,
            defaulted: false,
            refused: true,
        },
    }
}

pub fn django<Db: Side>() -> Fixture<Db> {
    use django::*;
    Fixture {
        name: "django",
        tables: vec![
            table("artist", vec![], 8),
            table("album", vec![fk("artist_id", 0, false)], 12),
            table(
                "song",
                vec![fk("artist_id", 0, false), fk("album_id", 1, true)],
                16,
            ),
            table("contract", vec![fk("artist_id", 0, true)], 2),
            table("fan", vec![fk("artist_id", 0, true)], 8),
            table("poster", vec![fk("artist_id", 0, false)], 6),
        ],
        roots: vec![root::<Artist, Db>(0), root::<Album, Db>(1)],
        create: |s| s.create_all::<Artist>(),
        oracle: Oracle {
            sqlite: SQLITE_ORACLE,
            postgres: POSTGRES_ORACLE,
        },
        // A poster set to its default (artist 1) while artist 1 is deleted too.
        database_refusals: true,
        hooks: Some(HookLog {
            table: 1,
            take: take_seen,
        }),
        expect: Expect {
            nulled: true,
            defaulted: true,
            refused: true,
        },
    }
}
