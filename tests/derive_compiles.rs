//! `#[derive(Model)]` on models using every option compiles, and describes them as declared.
//! No database is touched: only `Model::meta()` and the `DynModel` glue are checked.

use cascade_runtime::{
    CascadeSet, DeleteHooks, DynModel, Model, ModelMeta, OnDelete, PassiveDeletes,
    RelationshipOnDelete, SqlType, Value,
};

/// The models of API.md.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "parent")]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[relationship(cascade = "all, delete")]
    pub children: Vec<Child>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "child")]
pub struct Child {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Parent)]
    pub parent_id: Option<i64>,
    pub name: String,
}

/// A tree: a self-referential foreign key, both sides of the relationship.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct TreeNode {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = TreeNode, on_delete = "cascade")]
    pub parent_id: Option<i64>,
    pub label: String,
    #[relationship(cascade = "all, delete-orphan", back_populates = "parent")]
    pub children: Vec<TreeNode>,
    #[relationship(back_populates = "children", foreign_key = "parent_id")]
    pub parent: Option<Box<TreeNode>>,
}

/// The same, written with `Self`.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Category {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Self, on_delete = "set null")]
    pub parent_id: Option<i64>,
    #[relationship(cascade = "all")]
    pub children: Vec<Self>,
    #[relationship]
    pub parent: Option<Box<Self>>,
}

/// Many-to-many through an association model with a composite key.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct BlogPost {
    #[model(primary_key)]
    pub id: i64,
    pub title: String,
    #[relationship(secondary = PostTag, back_populates = "posts")]
    pub tags: Vec<Tag>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Tag {
    #[model(primary_key)]
    pub name: String,
    #[relationship(secondary = PostTag, back_populates = "tags", passive_deletes = true)]
    pub posts: Vec<BlogPost>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "post_tags")]
pub struct PostTag {
    #[model(primary_key, foreign_key = BlogPost, on_delete = "cascade")]
    pub post_id: i64,
    #[model(primary_key, foreign_key = Tag, on_delete = "cascade")]
    pub tag_name: String,
}

/// Every column option and every `on_delete` action.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key, column = "account_id")]
    pub id: i64,
    #[model(unique)]
    pub email: String,
    #[model(index, default = "anonymous")]
    pub display_name: String,
    #[model(default = 0.5)]
    pub ratio: f64,
    #[model(default = true)]
    pub active: bool,
    pub avatar: Option<Vec<u8>>,
    pub age: Option<i32>,
    #[model(foreign_key = Parent, on_delete = "cascade")]
    pub owner_id: i64,
    #[model(foreign_key = Parent, on_delete = "set null")]
    pub sponsor_id: Option<i64>,
    #[model(foreign_key = Parent, on_delete = "set default", default = 1)]
    pub fallback_id: i64,
    #[model(foreign_key = Parent, on_delete = "restrict")]
    pub auditor_id: i64,
    #[model(foreign_key = Parent, on_delete = "no action", column = "reviewer")]
    pub reviewer_id: Option<i64>,
    #[relationship(cascade = "none", passive_deletes = false)]
    pub owner: Option<Parent>,
    #[relationship(cascade = "all", passive_deletes = true, single_parent = true)]
    pub notes: Vec<Note>,
    #[relationship(cascade = "save-update, merge, expunge", passive_deletes = "all")]
    pub archive: Vec<Note>,
    #[relationship(cascade = "refresh-expire, delete, delete-orphan", single_parent)]
    pub pinned: Option<Box<Note>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Note {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Account, on_delete = "cascade")]
    pub account_id: i64,
    pub body: String,
}

/// Delete hooks, and Django's `on_delete` rules on relationships (one per rule).
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "authors", hooks)]
pub struct Author {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(on_delete = "cascade", foreign_key = "author_id")]
    pub books: Vec<Book>,
    #[relationship(on_delete = "protect", foreign_key = "contract_author_id")]
    pub contracts: Vec<Book>,
    #[relationship(on_delete = "restrict", foreign_key = "agent_id")]
    pub represented: Vec<Book>,
    #[relationship(on_delete = "set null", foreign_key = "editor_id")]
    pub edited: Vec<Book>,
    #[relationship(on_delete = "set default", foreign_key = "translator_id")]
    pub translated: Vec<Book>,
    #[relationship(cascade = "all")]
    pub prizes: Vec<Prize>,
}

impl DeleteHooks for Author {}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Book {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Author)]
    pub author_id: i64,
    #[model(foreign_key = Author)]
    pub contract_author_id: i64,
    #[model(foreign_key = Author)]
    pub agent_id: i64,
    #[model(foreign_key = Author)]
    pub editor_id: Option<i64>,
    #[model(foreign_key = Author, default = 0)]
    pub translator_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Prize {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Author)]
    pub author_id: Option<i64>,
}

/// Generated code names everything by absolute path: shadowing the prelude breaks nothing.
#[allow(dead_code, unused_macros)]
mod shadowed {
    use ::cascade_runtime::Model;

    struct Result;
    struct Option;
    struct Some;
    struct None;
    struct Ok;
    struct Err;
    struct Vec;
    struct Box;
    struct String;
    struct Default;
    struct Into;
    struct From;
    mod std {}
    mod core {}
    mod cascade_runtime {}
    macro_rules! vec {
        () => {
            compile_error!("the prelude's vec! was used")
        };
    }

    #[derive(Model)]
    #[model(hooks)]
    pub struct Shadow {
        #[model(primary_key)]
        pub id: i64,
        #[model(default = "x")]
        pub name: ::std::string::String,
        #[model(foreign_key = Shadow, on_delete = "set null")]
        pub parent_id: ::std::option::Option<i64>,
        #[relationship(cascade = "all")]
        pub children: ::std::vec::Vec<Shadow>,
        #[relationship(on_delete = "protect", foreign_key = "parent_id")]
        pub parent_of: ::std::vec::Vec<Shadow>,
        #[relationship]
        pub parent: ::std::option::Option<::std::boxed::Box<Shadow>>,
    }

    impl ::cascade_runtime::DeleteHooks for Shadow {}
}

fn column<'m>(meta: &'m ModelMeta, name: &str) -> &'m cascade_runtime::ColumnMeta {
    match meta.column(name) {
        Some((_, column)) => column,
        None => panic!("{} has no column {name}", meta.table),
    }
}

#[test]
fn api_models() {
    let parent = Parent::meta();
    assert_eq!((parent.name, parent.table), ("Parent", "parent"));
    let columns: Vec<_> = parent
        .columns
        .iter()
        .map(|c| (c.field, c.name, c.sql_type))
        .collect();
    assert_eq!(
        columns,
        [
            ("id", "id", SqlType::Integer),
            ("name", "name", SqlType::Text)
        ]
    );
    assert_eq!(parent.single_primary_key(), Some(0));
    assert!(parent.has_rowid_key());

    let [children] = parent.relationships else {
        panic!("one relationship")
    };
    assert_eq!(children.field, "children");
    assert_eq!((children.target)().table, "child");
    assert!(children.collection);
    assert_eq!(children.cascade, CascadeSet::ALL);
    assert_eq!(children.passive_deletes, PassiveDeletes::Off);
    assert_eq!(
        (children.foreign_key, children.back_populates),
        (None, None)
    );
    assert!(children.secondary.is_none() && !children.single_parent);

    let child = Child::meta();
    let parent_id = column(child, "parent_id");
    assert!(parent_id.nullable && !parent_id.primary_key);
    let fk = parent_id.foreign_key.expect("parent_id references parent");
    assert_eq!((fk.target)().table, "parent");
    assert_eq!(fk.on_delete, OnDelete::NoAction);
    assert!(child.relationships.is_empty());
}

#[test]
fn self_referential_model() {
    let meta = TreeNode::meta();
    assert_eq!(meta.table, "tree_node");
    let fk = column(meta, "parent_id")
        .foreign_key
        .expect("a foreign key");
    assert_eq!((fk.target)().table, "tree_node");
    assert_eq!(fk.on_delete, OnDelete::Cascade);

    let (_, children) = meta.relationship("children").expect("children");
    assert_eq!(
        children.cascade,
        CascadeSet::ALL.union(CascadeSet::DELETE_ORPHAN)
    );
    assert_eq!(children.back_populates, Some("parent"));
    let (_, parent) = meta.relationship("parent").expect("parent");
    assert!(!parent.collection);
    assert_eq!(parent.cascade, CascadeSet::DEFAULT);
    assert_eq!(parent.foreign_key, Some("parent_id"));
    assert_eq!((parent.target)().name, "TreeNode");
}

#[test]
fn self_as_a_target() {
    let meta = Category::meta();
    let fk = column(meta, "parent_id")
        .foreign_key
        .expect("a foreign key");
    assert_eq!((fk.target)().name, "Category");
    for relationship in meta.relationships {
        assert_eq!((relationship.target)().name, "Category");
    }
    let mut category = Category {
        id: 1,
        parent_id: None,
        children: Vec::new(),
        parent: None,
    };
    category
        .set_related(1, vec![vec![Value::Integer(2), Value::Null]])
        .expect("parent loads");
    assert_eq!(category.parent.map(|p| p.id), Some(2));
}

#[test]
fn many_to_many_through_a_composite_key() {
    let link = PostTag::meta();
    assert_eq!(link.table, "post_tags");
    let key: Vec<&str> = link.primary_key().map(|(_, c)| c.name).collect();
    assert_eq!(key, ["post_id", "tag_name"]);
    assert_eq!(link.single_primary_key(), None);
    assert!(!link.has_rowid_key());

    let (_, tags) = BlogPost::meta().relationship("tags").expect("tags");
    assert_eq!((tags.secondary.expect("secondary"))().table, "post_tags");
    assert_eq!((tags.target)().table, "tag");
    assert!(tags.collection);

    let tag = Tag::meta();
    assert_eq!(column(tag, "name").sql_type, SqlType::Text);
    let (_, posts) = tag.relationship("posts").expect("posts");
    assert_eq!(posts.passive_deletes, PassiveDeletes::On);
    assert_eq!((posts.target)().table, "blog_post");
}

#[test]
fn every_column_option() {
    let meta = Account::meta();
    assert_eq!(meta.table, "accounts");

    let id = column(meta, "account_id");
    assert_eq!((id.field, id.primary_key), ("id", true));
    assert_eq!(
        meta.column("id").map(|(i, _)| i),
        Some(0),
        "found by field name too"
    );

    let email = column(meta, "email");
    assert!(email.unique && !email.index && email.default.is_none());
    let display_name = column(meta, "display_name");
    assert!(display_name.index && !display_name.unique);
    let default = display_name.default.expect("a default");
    assert_eq!(default(), Value::Text("anonymous".into()));
    assert_eq!(
        column(meta, "ratio").default.map(|d| d()),
        Some(Value::Real(0.5))
    );
    assert_eq!(
        column(meta, "active").default.map(|d| d()),
        Some(Value::Integer(1))
    );
    assert_eq!(column(meta, "active").sql_type, SqlType::Boolean);
    assert_eq!(column(meta, "avatar").sql_type, SqlType::Blob);
    assert!(column(meta, "avatar").nullable);
    assert_eq!(column(meta, "age").sql_type, SqlType::Integer32, "an i32");

    let on_delete = |name| column(meta, name).foreign_key.map(|fk| fk.on_delete);
    assert_eq!(on_delete("owner_id"), Some(OnDelete::Cascade));
    assert_eq!(on_delete("sponsor_id"), Some(OnDelete::SetNull));
    assert_eq!(on_delete("fallback_id"), Some(OnDelete::SetDefault));
    assert_eq!(
        column(meta, "fallback_id").default.map(|d| d()),
        Some(Value::Integer(1))
    );
    assert_eq!(on_delete("auditor_id"), Some(OnDelete::Restrict));
    assert_eq!(on_delete("reviewer"), Some(OnDelete::NoAction));
    assert_eq!(column(meta, "reviewer").field, "reviewer_id");
    assert_eq!(on_delete("email"), None);

    let relationships: Vec<_> = meta
        .relationships
        .iter()
        .map(|r| {
            (
                r.field,
                r.collection,
                r.cascade,
                r.passive_deletes,
                r.single_parent,
            )
        })
        .collect();
    assert_eq!(
        relationships,
        [
            ("owner", false, CascadeSet::NONE, PassiveDeletes::Off, false),
            ("notes", true, CascadeSet::ALL, PassiveDeletes::On, true),
            (
                "archive",
                true,
                CascadeSet::SAVE_UPDATE
                    .union(CascadeSet::MERGE)
                    .union(CascadeSet::EXPUNGE),
                PassiveDeletes::All,
                false
            ),
            (
                "pinned",
                false,
                CascadeSet::REFRESH_EXPIRE
                    .union(CascadeSet::DELETE)
                    .union(CascadeSet::DELETE_ORPHAN),
                PassiveDeletes::Off,
                true
            ),
        ]
    );
}

#[test]
fn hooks_and_relationship_on_delete() {
    let meta = Author::meta();
    assert!(meta.hooks.is_some());
    let on_delete: Vec<_> = meta
        .relationships
        .iter()
        .map(|r| (r.field, r.on_delete))
        .collect();
    assert_eq!(
        on_delete,
        [
            ("books", Some(RelationshipOnDelete::Cascade)),
            ("contracts", Some(RelationshipOnDelete::Protect)),
            ("represented", Some(RelationshipOnDelete::Restrict)),
            ("edited", Some(RelationshipOnDelete::SetNull)),
            ("translated", Some(RelationshipOnDelete::SetDefault)),
            ("prizes", None),
        ]
    );
    assert_eq!(
        meta.relationships[1].on_delete,
        Some(RelationshipOnDelete::Protect)
    );

    for meta in [
        Book::meta(),
        Prize::meta(),
        Parent::meta(),
        TreeNode::meta(),
    ] {
        assert!(meta.hooks.is_none(), "{} has no hooks", meta.name);
    }
    assert!(Parent::meta().relationships[0].on_delete.is_none());
}

#[test]
fn shadowed_prelude() {
    let meta = <shadowed::Shadow as Model>::meta();
    assert_eq!(meta.table, "shadow");
    assert_eq!(meta.columns.len(), 3);
    assert_eq!(meta.relationships.len(), 3);
    assert!(meta.hooks.is_some());
    assert_eq!(
        meta.relationships[1].on_delete,
        Some(RelationshipOnDelete::Protect)
    );
}

#[test]
fn instances_through_the_generated_glue() {
    let mut node = TreeNode::from_values(vec![
        Value::Integer(1),
        Value::Null,
        Value::Text("root".into()),
    ])
    .expect("a row of tree_node");
    assert_eq!(node.label, "root");
    assert!(node.children.is_empty() && node.parent.is_none());

    node.set_value(1, Value::Integer(7))
        .expect("parent_id is an integer");
    assert_eq!(node.parent_id, Some(7));
    let error = node
        .set_value(2, Value::Integer(3))
        .expect_err("label is text");
    assert!(error.to_string().contains("tree_node"), "{error}");
    assert_eq!(
        node.values(),
        [
            Value::Integer(1),
            Value::Integer(7),
            Value::Text("root".into())
        ]
    );

    node.set_related(
        0,
        vec![vec![
            Value::Integer(2),
            Value::Integer(1),
            Value::Text("a".into()),
        ]],
    )
    .expect("children load");
    node.set_related(
        1,
        vec![vec![
            Value::Integer(7),
            Value::Null,
            Value::Text("up".into()),
        ]],
    )
    .expect("parent loads");
    assert_eq!(node.children[0].label, "a");
    assert_eq!(node.parent.as_ref().map(|p| p.label.as_str()), Some("up"));
    assert_eq!(node.related(0).len(), 1);
    assert_eq!(node.related_mut(1).len(), 1);
    assert!(node.related(2).is_empty(), "out of range: nothing");
    assert_eq!(node.model_meta().table, "tree_node");

    let link = PostTag {
        post_id: 1,
        tag_name: "rust".into(),
    };
    assert_eq!(
        link.values(),
        [Value::Integer(1), Value::Text("rust".into())]
    );
    assert!(link.related(0).is_empty());
}

/// `on_delete` in SQL's spelling: any case, any spacing.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Shouted {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Shouted, on_delete = "CASCADE")]
    pub up_id: Option<i64>,
    #[model(foreign_key = Shouted, on_delete = "SET NULL")]
    pub left_id: Option<i64>,
    #[relationship(on_delete = "Set Null", foreign_key = "left_id")]
    pub lefts: Vec<Shouted>,
}

#[test]
fn on_delete_is_read_in_any_case() {
    let meta = Shouted::meta();
    let on_delete = |name| {
        meta.column(name)
            .and_then(|(_, c)| c.foreign_key)
            .map(|fk| fk.on_delete)
    };
    assert_eq!(on_delete("up_id"), Some(OnDelete::Cascade));
    assert_eq!(on_delete("left_id"), Some(OnDelete::SetNull));
    assert_eq!(
        meta.relationships[0].on_delete,
        Some(cascade_runtime::RelationshipOnDelete::SetNull)
    );
}
