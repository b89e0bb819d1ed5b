//! Differential tests: the cascade runtime against SQLite's own foreign-key actions.
//!
//! Each fixture below is a schema declared with `#[derive(Model)]` and, next to it, the same
//! tables written by hand in plain DDL where every foreign key carries the *native* `ON DELETE`
//! action equivalent to the runtime's rule for it:
//!
//! | runtime rule | native action in the oracle |
//! |---|---|
//! | ORM `delete` cascade (relationship with `delete`, no `passive_deletes`) | `ON DELETE CASCADE` |
//! | ORM nullify (relationship without `delete` on a nullable key) | `ON DELETE SET NULL` |
//! | database-level action (no relationship, or `passive_deletes`) | that action |
//! | association rows of a many-to-many | `ON DELETE CASCADE` |
//! | a rule that refuses (NOT NULL without `delete`, `RESTRICT`, `NO ACTION`) | `NO ACTION` |
//! | many-to-many targets with `delete`, many-to-one `delete` (no native action) | a trigger |
//!
//! Random rows (with NULL links, deep chains in trees, loops in the data) are inserted
//! identically in two SQLite files. Random deletes (`delete_by_pk` of a random key,
//! `delete_where` over a random id range) run through a cascade [`Session`] on one file and as
//! a plain `DELETE` with `PRAGMA foreign_keys = ON` on the other. After each delete every
//! table must hold the same rows in both, the report's `count(table)` / `nulled(table)` /
//! `defaulted(table)` must equal the rows that disappeared / whose keys changed to `NULL` / to
//! another value there, and when one side refuses the other must too, with the cascade side
//! unchanged and its refusal an `Error::Blocked` (or, where SET DEFAULT points rows at a
//! parent the same delete removes, SQLite's own foreign-key error, as on the oracle side).
//!
//! `nulled` counts cells: a row whose two keys both became NULL counts twice, as the report
//! sums its detached columns.
//!
//! `CASCADE_PROPTEST_CASES` sets the number of random cases per fixture (default 300: nine
//! fixtures, 2,700 cases of one to four deletes each, about 20 s in debug on two cores).
//! Raise it for a longer search, e.g. `CASCADE_PROPTEST_CASES=5000 cargo test --test
//! differential`. A failure prints the shrunk case, every table's rows as `(id, fk, ..)`
//! tuples (`-` is NULL) and the deletes that ran, and saves it to
//! `tests/differential.regressions`, whose cases later runs replay first.

use std::cell::Cell;
use std::fmt;
use std::path::Path;

use cascade_runtime::{DeleteReport, Error, Model, Session};
use proptest::prelude::*;
use proptest::test_runner::{
    Config, FileFailurePersistence, TestCaseError, TestCaseResult, TestError, TestRunner,
};
use rusqlite::Connection;

// ============================================================================================
// Fixtures: models, their oracle DDL and a description of their tables.
// ============================================================================================

/// A chain four levels deep: region -< store -< shelf -< item, with nullable and NOT NULL
/// keys, a database RESTRICT that the ORM cascade removes first, an ORM nullify that beats a
/// database CASCADE, and a NOT NULL key without `delete` that refuses.
mod chain {
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

    pub const ORACLE: &str = "
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
}

/// Database-level actions: no relationship, `passive_deletes = true` and `"all"`.
mod db_actions {
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

    pub const ORACLE: &str = "
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
}

/// Diamonds: tables with two parents that are deleted together (root -< left, root -< right).
mod diamond {
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

    pub const ORACLE: &str = r#"
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
}

/// Self-referential trees with ORM rules: a delete cascade with NOT NULL attachments, a
/// nullify, and a NOT NULL key without `delete` that refuses.
mod tree {
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

    pub const ORACLE: &str = "
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
}

/// Self-referential trees with database-level actions, passive deletes, and a RESTRICT key
/// under an ORM cascade.
mod db_tree {
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

    pub const ORACLE: &str = "
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
}

/// Many-to-many through association models (declared on both sides, and on one side only),
/// next to a one-to-many cascade.
mod many_to_many {
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

    pub const ORACLE: &str = "
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
}

/// Tables that reference each other in loops: nullable (unlinked first), mixed ORM and
/// database cascades, and NOT NULL both ways (deferred).
mod loops {
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
    /// SQLite's own cascade fires inside the loop.
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

    pub const ORACLE: &str = "
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
}

/// ORM cascades SQLite has no foreign-key action for — a many-to-many whose targets go too,
/// and a many-to-one `delete` — emulated in the oracle by triggers.
mod orm_only {
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

    pub const ORACLE: &str = "
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
}

/// The database's SET DEFAULT, with and without a relationship (`passive_deletes`).
mod set_default {
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

    pub const ORACLE: &str = "
        CREATE TABLE category (id INTEGER PRIMARY KEY);
        CREATE TABLE product (id INTEGER PRIMARY KEY,
            category_id INTEGER NOT NULL DEFAULT 1 REFERENCES category(id) ON DELETE SET DEFAULT);
        CREATE TABLE listing (id INTEGER PRIMARY KEY,
            category_id INTEGER DEFAULT 1 REFERENCES category(id) ON DELETE SET DEFAULT);
        CREATE TABLE offer (id INTEGER PRIMARY KEY,
            category_id INTEGER NOT NULL DEFAULT 1 REFERENCES category(id) ON DELETE CASCADE);
    ";
}

// ============================================================================================
// Describing a fixture's tables
// ============================================================================================

/// One table of a fixture: an `id` key, or a pair of foreign keys as its key (association).
struct TableSpec {
    name: &'static str,
    /// `false`: the key is the two foreign keys (an association table).
    id: bool,
    fks: Vec<Fk>,
    /// At most this many rows are generated.
    max_rows: usize,
}

/// A foreign-key column: references `target` (an index into the fixture's tables).
struct Fk {
    column: &'static str,
    target: usize,
    nullable: bool,
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

type DeleteFn = fn(&mut Session, &Op) -> cascade_runtime::Result<DeleteReport>;

/// A table deletes start from (an index into the fixture's tables), deleted as `M`.
fn root<M: Model<Key = i64>>(table: usize) -> (usize, DeleteFn) {
    (table, delete_as::<M>)
}

/// Deletes through the cascade session, rooted at `M`.
fn delete_as<M: Model<Key = i64>>(
    session: &mut Session,
    op: &Op,
) -> cascade_runtime::Result<DeleteReport> {
    match *op {
        Op::Pk { id, .. } => session.delete_by_pk::<M>(id),
        Op::Range { lo, hi, .. } => session.delete_where::<M>("id BETWEEN ?1 AND ?2", [lo, hi]),
    }
}

struct Fixture {
    name: &'static str,
    tables: Vec<TableSpec>,
    /// Tables deletes start from (indexes into `tables`), with the typed delete for each.
    roots: Vec<(usize, DeleteFn)>,
    /// Makes the session create (and so know) every model.
    create: fn(&mut Session) -> cascade_runtime::Result<()>,
    oracle: &'static str,
    /// SET DEFAULT can point rows at a parent the same delete removes: SQLite's own foreign
    /// key check refuses that at the end of the statement on both sides, and the runtime
    /// reports it as a database error rather than `Error::Blocked`.
    database_refusals: bool,
}

fn chain() -> Fixture {
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
            root::<Region>(0),
            root::<Store>(1),
            root::<Shelf>(2),
            root::<Item>(3),
        ],
        create: |s| {
            s.create_all::<Region>()?;
            s.create_all::<ItemNote>()
        },
        oracle: ORACLE,
        database_refusals: false,
    }
}

fn db_actions() -> Fixture {
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
        roots: vec![root::<Org>(0), root::<Team>(1), root::<Member>(2)],
        create: |s| {
            s.create_all::<Org>()?;
            s.create_all::<Badge>()?;
            s.create_all::<Log>()?;
            s.create_all::<Pin>()
        },
        oracle: ORACLE,
        database_refusals: false,
    }
}

fn diamond() -> Fixture {
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
        roots: vec![root::<Root>(0), root::<Left>(1), root::<Right>(2)],
        create: |s| {
            s.create_all::<Root>()?;
            s.create_all::<DbBoth>()
        },
        oracle: ORACLE,
        database_refusals: false,
    }
}

fn tree() -> Fixture {
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
        roots: vec![root::<Node>(0), root::<Folder>(3), root::<Cell>(4)],
        create: |s| {
            s.create_all::<Node>()?;
            s.create_all::<Folder>()?;
            s.create_all::<Cell>()
        },
        oracle: ORACLE,
        database_refusals: false,
    }
}

fn db_tree() -> Fixture {
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
            root::<DNode>(0),
            root::<SNode>(1),
            root::<PNode>(2),
            root::<RNode>(3),
            root::<NNode>(4),
        ],
        create: |s| {
            s.create_all::<DNode>()?;
            s.create_all::<SNode>()?;
            s.create_all::<PNode>()?;
            s.create_all::<RNode>()?;
            s.create_all::<NNode>()
        },
        oracle: ORACLE,
        database_refusals: false,
    }
}

fn many_to_many() -> Fixture {
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
        roots: vec![root::<Post>(0), root::<Tag>(1), root::<Topic>(2)],
        create: |s| s.create_all::<Post>(),
        oracle: ORACLE,
        database_refusals: false,
    }
}

fn loops() -> Fixture {
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
            root::<Dept>(0),
            root::<Employee>(1),
            root::<A>(2),
            root::<B>(3),
            root::<X>(4),
            root::<Y>(5),
            root::<P>(6),
            root::<Q>(7),
            root::<Ring1>(8),
            root::<Ring3>(10),
        ],
        create: |s| {
            s.create_all::<Dept>()?;
            s.create_all::<A>()?;
            s.create_all::<X>()?;
            s.create_all::<P>()?;
            s.create_all::<Ring1>()
        },
        oracle: ORACLE,
        database_refusals: false,
    }
}

fn orm_only() -> Fixture {
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
        roots: vec![root::<Book>(0), root::<Attachment>(4)],
        create: |s| {
            s.create_all::<Book>()?;
            s.create_all::<Attachment>()
        },
        oracle: ORACLE,
        database_refusals: false,
    }
}

fn set_default() -> Fixture {
    use set_default::*;
    Fixture {
        name: "set_default",
        tables: vec![
            table("category", vec![], 6),
            table("product", vec![fk("category_id", 0, false)], 10),
            table("listing", vec![fk("category_id", 0, true)], 10),
            table("offer", vec![fk("category_id", 0, false)], 10),
        ],
        roots: vec![root::<Category>(0)],
        create: |s| {
            s.create_all::<Category>()?;
            s.create_all::<Listing>()
        },
        oracle: ORACLE,
        database_refusals: true,
    }
}

// ============================================================================================
// Generated data
// ============================================================================================

/// How a generated row points at its parent, before the table sizes are known.
#[derive(Debug, Clone, Copy)]
enum Link {
    /// `NULL` (on nullable keys only).
    Null,
    /// A row a few positions back: in a self-reference, the row `k + 1` ids before this one
    /// (deep chains); elsewhere the row at about the same position.
    Back(u8),
    /// Any row (in a self-reference, possibly itself or a later one: loops in the data).
    Any(u16),
}

fn link(nullable: bool) -> BoxedStrategy<Link> {
    let back = (0u8..3).prop_map(Link::Back);
    let any = any::<u16>().prop_map(Link::Any);
    if nullable {
        prop_oneof![1 => Just(Link::Null), 4 => back, 2 => any].boxed()
    } else {
        prop_oneof![4 => back, 2 => any].boxed()
    }
}

/// One table's rows, each a list of column values (`id` first unless an association table).
type Rows = Vec<Vec<Option<i64>>>;

/// The rows of every table of a fixture, as inserted in both databases.
#[derive(Clone)]
struct Data {
    names: Vec<&'static str>,
    tables: Vec<Rows>,
}

impl fmt::Debug for Data {
    /// One line per table: `name: [(id, fk, ..), ..]`, `-` for NULL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, rows) in self.names.iter().zip(&self.tables) {
            write!(f, "\n    {name}: {}", row_list(rows))?;
        }
        Ok(())
    }
}

fn tuple(row: &[Option<i64>]) -> String {
    let cells: Vec<String> = row
        .iter()
        .map(|v| v.map_or_else(|| "-".to_owned(), |v| v.to_string()))
        .collect();
    format!("({})", cells.join(", "))
}

/// Turns raw links into rows that satisfy every foreign key: ids are `1..=n`; a NOT NULL key
/// into an empty table empties the referencing table (to a fixpoint).
fn materialize(tables: &[TableSpec], raw: Vec<Vec<Vec<Link>>>) -> Data {
    let mut sizes: Vec<usize> = raw.iter().map(Vec::len).collect();
    loop {
        let mut changed = false;
        for (t, spec) in tables.iter().enumerate() {
            let blocked = spec
                .fks
                .iter()
                .any(|fk| (!fk.nullable || !spec.id) && sizes[fk.target] == 0);
            if blocked && sizes[t] > 0 {
                sizes[t] = 0;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut out = Vec::with_capacity(tables.len());
    for (t, (spec, raw_rows)) in tables.iter().zip(raw).enumerate() {
        let mut rows: Rows = Vec::new();
        for (i, links) in raw_rows.into_iter().take(sizes[t]).enumerate() {
            let id = i as i64 + 1;
            let mut row = Vec::with_capacity(links.len() + 1);
            if spec.id {
                row.push(Some(id));
            }
            for (fk, link) in spec.fks.iter().zip(links) {
                let m = sizes[fk.target] as i64;
                let value = match link {
                    _ if m == 0 => None,
                    Link::Null if fk.nullable => None,
                    Link::Null => Some(1),
                    Link::Back(k) if fk.target == t => {
                        let parent = id - 1 - i64::from(k);
                        match parent {
                            p if p >= 1 => Some(p),
                            _ if fk.nullable => None,
                            _ => Some(id), // a NOT NULL root references itself
                        }
                    }
                    Link::Back(k) => Some((i as i64 - i64::from(k)).rem_euclid(m) + 1),
                    Link::Any(j) => Some(i64::from(j) % m + 1),
                };
                row.push(value);
            }
            rows.push(row);
        }
        if !spec.id {
            rows.sort();
            rows.dedup();
        }
        out.push(rows);
    }
    Data {
        names: tables.iter().map(|t| t.name).collect(),
        tables: out,
    }
}

/// One delete, run on both databases.
#[derive(Clone, Copy)]
enum Op {
    /// `delete_by_pk` / `DELETE … WHERE id = ?` (the key may match no row).
    Pk {
        root: usize,
        table: &'static str,
        id: i64,
    },
    /// `delete_where("id BETWEEN ?1 AND ?2")` / the same plain `DELETE`.
    Range {
        root: usize,
        table: &'static str,
        lo: i64,
        hi: i64,
    },
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Op::Pk { table, id, .. } => write!(f, "delete_by_pk({table}, {id})"),
            Op::Range { table, lo, hi, .. } => write!(f, "delete_where({table}, {lo}..={hi})"),
        }
    }
}

impl Op {
    fn root(&self) -> usize {
        match *self {
            Op::Pk { root, .. } | Op::Range { root, .. } => root,
        }
    }

    /// Whether the operation's own condition selects the root row with this id.
    fn matches(&self, row_id: i64) -> bool {
        match *self {
            Op::Pk { id, .. } => row_id == id,
            Op::Range { lo, hi, .. } => (lo..=hi).contains(&row_id),
        }
    }
}

#[derive(Clone)]
struct Case {
    data: Data,
    ops: Vec<Op>,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Case {{{:?}\n    ops: {:?}\n}}", self.data, self.ops)
    }
}

/// A delete before the data is known: which root, which kind, and raw numbers that pick rows.
#[derive(Debug, Clone, Copy)]
enum RawOp {
    /// A row that exists when the data is inserted.
    Pk(usize, u16),
    /// A key past every row: deletes nothing.
    Missing(usize),
    /// A range starting at an existing row (or just before the first), `len + 1` ids wide.
    Range(usize, u16, u8),
}

fn raw_op(roots: usize) -> BoxedStrategy<RawOp> {
    prop_oneof![
        6 => (0..roots, any::<u16>()).prop_map(|(r, i)| RawOp::Pk(r, i)),
        1 => (0..roots).prop_map(RawOp::Missing),
        4 => (0..roots, any::<u16>(), 0u8..8).prop_map(|(r, i, len)| RawOp::Range(r, i, len)),
    ]
    .boxed()
}

impl RawOp {
    fn materialize(self, fx: &Fixture, data: &Data) -> Op {
        let (RawOp::Pk(root, _) | RawOp::Missing(root) | RawOp::Range(root, ..)) = self;
        let t = fx.roots[root].0;
        let table = fx.tables[t].name;
        let rows = data.tables[t].len() as i64;
        match self {
            RawOp::Pk(_, i) if rows > 0 => Op::Pk {
                root,
                table,
                id: i64::from(i) % rows + 1,
            },
            RawOp::Pk(..) | RawOp::Missing(_) => Op::Pk {
                root,
                table,
                id: rows + 1,
            },
            RawOp::Range(_, i, len) => {
                let lo = i64::from(i) % (rows + 1);
                Op::Range {
                    root,
                    table,
                    lo,
                    hi: lo + i64::from(len),
                }
            }
        }
    }
}

fn case_strategy(fx: &'static Fixture) -> impl Strategy<Value = Case> {
    let tables: Vec<BoxedStrategy<Vec<Vec<Link>>>> = fx
        .tables
        .iter()
        .map(|spec| {
            let row: Vec<BoxedStrategy<Link>> = spec
                .fks
                .iter()
                .map(|fk| link(fk.nullable && spec.id))
                .collect();
            prop::collection::vec(row, 0..=spec.max_rows).boxed()
        })
        .collect();
    let ops = prop::collection::vec(raw_op(fx.roots.len()), 1..=4);
    (tables, ops).prop_map(move |(raw, ops)| {
        let data = materialize(&fx.tables, raw);
        let ops = ops
            .into_iter()
            .map(|op| op.materialize(fx, &data))
            .collect();
        Case { data, ops }
    })
}

// ============================================================================================
// Running a case on both databases
// ============================================================================================

fn columns(spec: &TableSpec) -> Vec<&'static str> {
    let mut cols = Vec::new();
    if spec.id {
        cols.push("id");
    }
    cols.extend(spec.fks.iter().map(|fk| fk.column));
    cols
}

/// Every table's rows, sorted.
fn dump(conn: &Connection, tables: &[TableSpec]) -> Vec<Rows> {
    tables
        .iter()
        .map(|spec| {
            let cols = columns(spec)
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT {cols} FROM \"{}\" ORDER BY {cols}", spec.name);
            let mut stmt = conn.prepare(&sql).expect("prepare the dump");
            let width = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    (0..width)
                        .map(|i| r.get::<_, Option<i64>>(i))
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .expect("dump a table");
            rows.collect::<rusqlite::Result<Rows>>()
                .expect("read a row")
        })
        .collect()
}

/// Inserts the data in one transaction with foreign-key checks deferred to its commit (loops
/// in the data need it).
fn insert(conn: &Connection, tables: &[TableSpec], data: &Data) {
    conn.execute_batch("BEGIN; PRAGMA defer_foreign_keys = ON;")
        .expect("begin");
    for (spec, rows) in tables.iter().zip(&data.tables) {
        let cols = columns(spec);
        let params: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO \"{}\" ({}) VALUES ({})",
            spec.name,
            cols.join(", "),
            params.join(", ")
        );
        let mut stmt = conn.prepare(&sql).expect("prepare an insert");
        for row in rows {
            stmt.execute(rusqlite::params_from_iter(row))
                .expect("insert a row");
        }
    }
    conn.execute_batch("COMMIT").expect("commit the data");
}

/// The plain `DELETE` the oracle runs for an operation.
fn native_delete(conn: &Connection, fx: &Fixture, op: &Op) -> rusqlite::Result<usize> {
    let table = fx.tables[fx.roots[op.root()].0].name;
    match *op {
        Op::Pk { id, .. } => conn.execute(&format!("DELETE FROM \"{table}\" WHERE id = ?1"), [id]),
        Op::Range { lo, hi, .. } => conn.execute(
            &format!("DELETE FROM \"{table}\" WHERE id BETWEEN ?1 AND ?2"),
            [lo, hi],
        ),
    }
}

/// What changed in one table between two dumps: rows gone, keys set to NULL, keys changed to
/// another value (SET DEFAULT). Rows are matched by their key (`id`, or the whole row).
fn changes(spec: &TableSpec, before: &Rows, after: &Rows) -> (usize, usize, usize) {
    let key = |row: &Vec<Option<i64>>| -> Vec<Option<i64>> {
        if spec.id {
            vec![row[0]]
        } else {
            row.clone()
        }
    };
    let (mut deleted, mut nulled, mut changed) = (0, 0, 0);
    for old in before {
        match after.iter().find(|new| key(new) == key(old)) {
            None => deleted += 1,
            Some(new) => {
                for (o, n) in old.iter().zip(new) {
                    match (o, n) {
                        (Some(_), None) => nulled += 1,
                        (Some(a), Some(b)) if a != b => changed += 1,
                        _ => {}
                    }
                }
            }
        }
    }
    (deleted, nulled, changed)
}

/// Every table's rows, one line per table, in the compact form of [`Data`]'s `Debug`.
struct Tables<'a>(&'a Fixture, &'a [Rows]);

impl fmt::Display for Tables<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (spec, rows) in self.0.tables.iter().zip(self.1) {
            write!(f, "\n    {}: {}", spec.name, row_list(rows))?;
        }
        Ok(())
    }
}

fn row_list(rows: &Rows) -> String {
    let rows: Vec<String> = rows.iter().map(|r| tuple(r)).collect();
    format!("[{}]", rows.join(", "))
}

/// Fails with the tables that differ, each side in compact form, when `left != right`.
fn same(
    fx: &Fixture,
    left: &[Rows],
    right: &[Rows],
    context: impl FnOnce() -> String,
) -> TestCaseResult {
    if left == right {
        return Ok(());
    }
    let mut message = context();
    for ((spec, l), r) in fx.tables.iter().zip(left).zip(right) {
        if l != r {
            message.push_str(&format!(
                "\n    {}:\n      left:  {}\n      right: {}",
                spec.name,
                row_list(l),
                row_list(r)
            ));
        }
    }
    Err(TestCaseError::fail(message))
}

/// What the operations of a run did, to make sure the generators reach every outcome.
#[derive(Default)]
struct Seen {
    ops: Cell<usize>,
    cascaded: Cell<usize>,
    nulled: Cell<usize>,
    defaulted: Cell<usize>,
    refused: Cell<usize>,
}

fn bump(c: &Cell<usize>) {
    c.set(c.get() + 1);
}

fn open_pair(dir: &Path, n: usize, fx: &Fixture) -> (Session, Connection) {
    let cascade_path = dir.join(format!("cascade-{n}.db"));
    let oracle_path = dir.join(format!("oracle-{n}.db"));
    let mut session = Session::open(&cascade_path).expect("open the cascade database");
    // Durability is not under test; skipping fsync keeps thousands of cases fast.
    session
        .connection()
        .execute_batch("PRAGMA synchronous = OFF")
        .expect("synchronous off");
    (fx.create)(&mut session).expect("create the cascade tables");
    let oracle = Connection::open(&oracle_path).expect("open the oracle database");
    oracle
        .execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = OFF;")
        .expect("oracle pragmas");
    oracle
        .execute_batch(fx.oracle)
        .expect("create the oracle tables");
    (session, oracle)
}

fn run_case(fx: &Fixture, dir: &Path, n: usize, case: &Case, seen: &Seen) -> TestCaseResult {
    let (mut session, oracle) = open_pair(dir, n, fx);
    insert(session.connection(), &fx.tables, &case.data);
    insert(&oracle, &fx.tables, &case.data);
    let result = run_ops(fx, &mut session, &oracle, case, seen);
    drop(session);
    drop(oracle);
    for side in ["cascade", "oracle"] {
        let _ = std::fs::remove_file(dir.join(format!("{side}-{n}.db")));
    }
    result
}

fn run_ops(
    fx: &Fixture,
    session: &mut Session,
    oracle: &Connection,
    case: &Case,
    seen: &Seen,
) -> TestCaseResult {
    for (step, op) in case.ops.iter().enumerate() {
        let before = dump(session.connection(), &fx.tables);
        same(fx, &before, &dump(oracle, &fx.tables), || {
            format!("before {op:?}, the databases differ (left: cascade, right: SQLite)")
        })?;
        let ours = (fx.roots[op.root()].1)(session, op);
        let native = native_delete(oracle, fx, op);
        let after = dump(session.connection(), &fx.tables);
        let expected = dump(oracle, &fx.tables);
        bump(&seen.ops);
        match (ours, native) {
            (Ok(report), Ok(_)) => {
                same(fx, &after, &expected, || {
                    format!(
                        "step {step} {op:?}: the tables differ (left: cascade, right: SQLite); \
                         report:\n{report}"
                    )
                })?;
                let mut total = 0;
                for (t, spec) in fx.tables.iter().enumerate() {
                    let (deleted, nulled, defaulted) = changes(spec, &before[t], &after[t]);
                    total += deleted;
                    prop_assert_eq!(
                        (
                            report.count(spec.name),
                            report.nulled(spec.name),
                            report.defaulted(spec.name)
                        ),
                        (deleted, nulled, defaulted),
                        "step {} {:?}: the report's (deleted, nulled, defaulted) for {} differ \
                         from the rows that changed; report:\n{}",
                        step,
                        op,
                        spec.name,
                        report
                    );
                    if nulled > 0 {
                        bump(&seen.nulled);
                    }
                    if defaulted > 0 {
                        bump(&seen.defaulted);
                    }
                }
                prop_assert_eq!(report.total(), total);
                let matched = before[fx.roots[op.root()].0]
                    .iter()
                    .filter(|row| op.matches(row[0].unwrap_or(0)))
                    .count();
                if total > matched {
                    bump(&seen.cascaded);
                }
            }
            (Err(err), Err(_)) => {
                let blocked = matches!(err, Error::Blocked { .. });
                let database = matches!(&err, Error::Database { source, .. }
                    if source.to_string().contains("FOREIGN KEY constraint failed"));
                prop_assert!(
                    blocked || (fx.database_refusals && database),
                    "step {} {:?}: refused by both, but with {:?}",
                    step,
                    op,
                    err
                );
                same(fx, &after, &before, || {
                    format!(
                        "step {step} {op:?}: refused ({err}) but the cascade database changed \
                         (left: after, right: before)"
                    )
                })?;
                same(fx, &expected, &before, || {
                    format!("step {step} {op:?}: SQLite refused but changed (left: after, right: before)")
                })?;
                bump(&seen.refused);
            }
            (Ok(report), Err(native)) => {
                return Err(TestCaseError::fail(format!(
                    "step {step} {op:?}: SQLite refused ({native}) but cascade deleted:\n{report}"
                )))
            }
            (Err(err), Ok(_)) => {
                return Err(TestCaseError::fail(format!(
                    "step {step} {op:?}: cascade refused ({err}) but SQLite deleted; SQLite's \
                     tables after its delete:{}",
                    Tables(fx, &expected)
                )))
            }
        }
    }
    Ok(())
}

/// Random cases per fixture: `CASCADE_PROPTEST_CASES`, default 300.
fn cases() -> u32 {
    std::env::var("CASCADE_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// What a fixture's run must have seen at least once, so that a generator that stopped
/// reaching an outcome does not go unnoticed.
struct Expect {
    nulled: bool,
    defaulted: bool,
    refused: bool,
}

fn differential(make: fn() -> Fixture, expect: Expect) {
    let fx: &'static Fixture = Box::leak(Box::new(make()));
    let dir = tempfile::tempdir().expect("temporary directory");
    check_declarations(fx, dir.path());
    let config = Config {
        cases: cases(),
        source_file: Some(file!()),
        // Shrunk failures are saved next to this file and replayed first by later runs.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let seen = Seen::default();
    let counter = Cell::new(0usize);
    let result = runner.run(&case_strategy(fx), |case| {
        let n = counter.get();
        counter.set(n + 1);
        run_case(fx, dir.path(), n, &case, &seen)
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, case)) => {
            panic!("{}: {reason}\nminimal failing case: {case:?}", fx.name)
        }
        Err(e) => panic!("{}: {e}", fx.name),
    }
    eprintln!(
        "{}: {} cases, {} deletes: {} cascaded, {} nulled, {} defaulted, {} refused",
        fx.name,
        counter.get(),
        seen.ops.get(),
        seen.cascaded.get(),
        seen.nulled.get(),
        seen.defaulted.get(),
        seen.refused.get()
    );
    if cases() >= 50 {
        assert!(seen.cascaded.get() > 0, "{}: no delete cascaded", fx.name);
        assert!(
            !expect.nulled || seen.nulled.get() > 0,
            "{}: no delete set a key to NULL",
            fx.name
        );
        assert!(
            !expect.defaulted || seen.defaulted.get() > 0,
            "{}: no delete set a key to its default",
            fx.name
        );
        assert!(
            !expect.refused || seen.refused.get() > 0,
            "{}: no delete was refused",
            fx.name
        );
    }
}

/// The oracle's DDL and the models agree on the tables, their columns and their nullability
/// (a typo in the hand-written DDL would otherwise weaken the comparison).
fn check_declarations(fx: &Fixture, dir: &Path) {
    let (session, oracle) = open_pair(dir, usize::MAX, fx);
    let describe = |conn: &Connection, table: &str| -> Vec<(String, bool)> {
        let mut stmt = conn
            .prepare("SELECT name, \"notnull\" FROM pragma_table_info(?1) ORDER BY name")
            .expect("prepare table_info");
        let rows = stmt
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("table_info");
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .expect("table_info rows")
    };
    for spec in &fx.tables {
        let ours = describe(session.connection(), spec.name);
        assert!(
            !ours.is_empty(),
            "{}: the session did not create {}",
            fx.name,
            spec.name
        );
        assert_eq!(ours, describe(&oracle, spec.name), "{}", spec.name);
        for fk in &spec.fks {
            let nullable = ours.iter().any(|(c, nn)| c == fk.column && !nn);
            assert_eq!(nullable, fk.nullable, "{}.{}", spec.name, fk.column);
        }
    }
}

#[test]
fn chain_matches_sqlite() {
    differential(
        chain,
        Expect {
            nulled: true,
            defaulted: false,
            refused: true,
        },
    );
}

#[test]
fn database_actions_match_sqlite() {
    differential(
        db_actions,
        Expect {
            nulled: true,
            defaulted: false,
            refused: true,
        },
    );
}

#[test]
fn diamonds_match_sqlite() {
    differential(
        diamond,
        Expect {
            nulled: true,
            defaulted: false,
            refused: true,
        },
    );
}

#[test]
fn trees_match_sqlite() {
    differential(
        tree,
        Expect {
            nulled: true,
            defaulted: false,
            refused: true,
        },
    );
}

#[test]
fn database_trees_match_sqlite() {
    differential(
        db_tree,
        Expect {
            nulled: true,
            defaulted: false,
            refused: true,
        },
    );
}

#[test]
fn many_to_many_matches_sqlite() {
    differential(
        many_to_many,
        Expect {
            nulled: false,
            defaulted: false,
            refused: false,
        },
    );
}

#[test]
fn loops_match_sqlite() {
    differential(
        loops,
        Expect {
            nulled: true,
            defaulted: false,
            refused: false,
        },
    );
}

#[test]
fn set_default_matches_sqlite() {
    differential(
        set_default,
        Expect {
            nulled: false,
            defaulted: true,
            refused: true,
        },
    );
}

#[test]
fn orm_only_cascades_match_sqlite_triggers() {
    differential(
        orm_only,
        Expect {
            nulled: false,
            defaulted: false,
            refused: true,
        },
    );
}
