//! Expansion snapshots (insta + prettyplease): what `#[derive(Model)]` generates for each model,
//! formatted as `cargo expand` would show it. Review a changed `.snap` as you would review
//! hand-written code.
//!
//! Two sources: a fixed set of models below (API.md's Parent/Child, a self-referential model,
//! a many-to-many relationship through a composite-key association model, a model with delete
//! hooks and Django-style `on_delete` relationships), always; and the models of
//! `examples/quickstart.rs`, when that file exists.

use std::path::Path;

use syn::punctuated::Punctuated;
use syn::{DeriveInput, Item, Token};

use crate::expand;

/// The fixed models, one snapshot each.
const MODELS: &str = r#"
    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "parent")]
    pub struct Parent {
        #[model(primary_key)]
        pub id: i64,
        #[model(default = "unnamed")]
        pub name: String,
        #[relationship(cascade = "all, delete", back_populates = "parent")]
        pub children: Vec<Child>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "child")]
    pub struct Child {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Parent, on_delete = "cascade")]
        pub parent_id: Option<i64>,
        pub name: String,
        #[relationship(back_populates = "children")]
        pub parent: Option<Box<Parent>>,
    }

    /// A self-referential model: `Self` as a foreign-key and relationship target.
    #[derive(Model)]
    pub(crate) struct TreeNode {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Self, on_delete = "set null", index)]
        pub parent_id: Option<i64>,
        #[model(column = "node_label", unique)]
        pub label: String,
        #[relationship(cascade = "all, delete-orphan", passive_deletes = true)]
        pub children: Vec<Self>,
        #[relationship(cascade = "none", foreign_key = "parent_id")]
        pub parent: Option<Box<TreeNode>>,
    }

    #[derive(Model)]
    pub struct Article {
        #[model(primary_key)]
        pub id: i64,
        pub title: String,
        #[relationship(secondary = ArticleTag, back_populates = "articles")]
        pub tags: Vec<Tag>,
    }

    #[derive(Model)]
    pub struct Tag {
        #[model(primary_key)]
        pub name: String,
        #[relationship(secondary = ArticleTag, cascade = "save-update, delete", passive_deletes = true)]
        pub articles: Vec<Article>,
    }

    /// An association model with a composite key.
    #[derive(Model)]
    #[model(table = "article_tags")]
    pub struct ArticleTag {
        #[model(primary_key, foreign_key = Article, on_delete = "cascade")]
        pub article_id: i64,
        #[model(primary_key, foreign_key = Tag, on_delete = "set default", default = "untagged")]
        pub tag_name: String,
        #[model(default = 0)]
        pub position: i32,
    }

    /// Delete hooks, and Django's `on_delete` rules on two relationships over one table.
    #[derive(Model)]
    #[model(table = "employees", hooks)]
    pub struct Employee {
        #[model(primary_key)]
        pub id: i64,
        #[model(foreign_key = Self)]
        pub manager_id: Option<i64>,
        #[model(foreign_key = Self)]
        pub mentor_id: Option<i64>,
        #[relationship(on_delete = "protect", foreign_key = "manager_id")]
        pub reports: Vec<Self>,
        #[relationship(on_delete = "set null", foreign_key = "mentor_id")]
        pub mentees: Vec<Self>,
    }
"#;

#[test]
fn fixed_models() {
    let models = derive_inputs(MODELS);
    assert_eq!(models.len(), 7);
    for model in &models {
        snapshot("models", model);
    }
}

#[test]
fn quickstart_models() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/quickstart.rs");
    let Ok(source) = std::fs::read_to_string(&path) else {
        return; // Not written yet.
    };
    let models = derive_inputs(&source);
    assert!(
        !models.is_empty(),
        "{} declares no #[derive(Model)]",
        path.display()
    );
    for model in &models {
        snapshot("quickstart", model);
    }
}

/// Every struct (at any module depth) whose `#[derive(...)]` names `Model`.
fn derive_inputs(source: &str) -> Vec<DeriveInput> {
    let file = syn::parse_file(source).expect("the models parse");
    let mut found = Vec::new();
    collect(&file.items, &mut found);
    found
}

fn collect(items: &[Item], found: &mut Vec<DeriveInput>) {
    for item in items {
        match item {
            Item::Struct(item) if derives_model(&item.attrs) => {
                found.push(DeriveInput::from(item.clone()));
            }
            Item::Mod(module) => {
                if let Some((_, items)) = &module.content {
                    collect(items, found);
                }
            }
            _ => {}
        }
    }
}

fn derives_model(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("derive"))
        .any(|attr| {
            attr.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
                .is_ok_and(|paths| {
                    paths
                        .iter()
                        .any(|path| path.segments.last().is_some_and(|s| s.ident == "Model"))
                })
        })
}

/// Snapshots the prettyprinted expansion, named `<source>__<table-ish name>`.
fn snapshot(source: &str, input: &DeriveInput) {
    let expanded = expand::derive(input);
    let file: syn::File = syn::parse2(expanded).expect("the expansion parses as items");
    let pretty = prettyplease::unparse(&file);
    let name = format!(
        "{source}__{}",
        crate::lower::snake_case(&input.ident.to_string())
    );
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, pretty);
    });
}

#[test]
fn failed_derives_expand_to_errors_and_a_stub() {
    let input: DeriveInput = syn::parse_quote! {
        struct NoKey {
            #[relationship(cascade = "delte")]
            items: Vec<Item>,
        }
    };
    let file: syn::File = syn::parse2(expand::derive(&input)).expect("items");
    let pretty = prettyplease::unparse(&file);
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("failed__no_key", pretty);
    });
}
