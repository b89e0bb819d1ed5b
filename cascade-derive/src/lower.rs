//! From the validated input to what the generated code needs: names resolved (table and column
//! defaults), the cascade set, each relationship's container and target type.

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;
use syn::{Expr, Ident, Type};

use crate::ast::{Input, Shape};
use crate::attr::{OnDelete, PassiveDeletes, RelationshipOnDelete};
use crate::cascade::Cascade;

/// One model, ready to print.
pub struct Model<'a> {
    pub ident: &'a Ident,
    /// The Rust name, as written in `ModelMeta::name`.
    pub name: String,
    pub table: String,
    /// `#[model(hooks)]`: where `hooks` was written, for the `DeleteHooks` bound's error.
    pub hooks: Option<Span>,
    /// The runtime crate's path: `::cascade_runtime`, or `#[model(crate = "...")]`.
    pub krate: syn::Path,
    /// Every field, in declaration order.
    pub fields: Vec<Field<'a>>,
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    /// The field's type, with `Self` replaced by the model's name (generated statics and
    /// trait paths cannot name `Self`).
    pub ty: Type,
    pub kind: FieldKind<'a>,
}

// One per field of one struct: the size of the variants does not matter.
#[allow(clippy::large_enum_variant)]
pub enum FieldKind<'a> {
    Column(Column<'a>),
    Relationship(Relationship),
}

pub struct Column<'a> {
    /// The field's name without `r#`.
    pub field: String,
    /// The SQL column name.
    pub name: String,
    pub primary_key: bool,
    pub unique: bool,
    pub index: bool,
    pub default: Option<&'a Expr>,
    pub foreign_key: Option<ForeignKey>,
}

pub struct ForeignKey {
    pub target: Type,
    /// `references = "column"`: the target's column, when it is not the key.
    pub references: Option<String>,
    pub on_delete: OnDelete,
}

pub struct Relationship {
    pub field: String,
    pub cascade: Cascade,
    pub foreign_key: Option<String>,
    pub secondary: Option<Type>,
    pub passive_deletes: PassiveDeletes,
    pub back_populates: Option<String>,
    pub single_parent: bool,
    pub on_delete: Option<RelationshipOnDelete>,
}

impl<'a> Model<'a> {
    /// The columns, in column order (their index is their position here).
    pub fn columns(&self) -> impl Iterator<Item = (&Field<'a>, &Column<'a>)> {
        self.fields.iter().filter_map(|field| match &field.kind {
            FieldKind::Column(column) => Some((field, column)),
            FieldKind::Relationship(_) => None,
        })
    }

    /// The relationships, in relationship order.
    pub fn relationships(&self) -> impl Iterator<Item = (&Field<'a>, &Relationship)> {
        self.fields.iter().filter_map(|field| match &field.kind {
            FieldKind::Relationship(relationship) => Some((field, relationship)),
            FieldKind::Column(_) => None,
        })
    }

    /// The primary-key fields, in declaration order.
    pub fn primary_key(&self) -> impl Iterator<Item = &Field<'a>> {
        self.columns()
            .filter(|(_, column)| column.primary_key)
            .map(|(field, _)| field)
    }
}

/// Lowers a validated input. The only failure is a relationship on a field of another type,
/// which validation has already reported; it is checked again rather than assumed.
pub fn lower<'a>(input: &'a Input<'a>) -> syn::Result<Model<'a>> {
    let resolve = |ty: &Type| resolve_self(ty, input.ident);
    let mut fields = Vec::with_capacity(input.fields.len());
    for field in &input.fields {
        let field_name = field.ident.unraw().to_string();
        let kind = match &field.relationship {
            Some(attrs) => {
                Shape::of(field.ty).ok_or_else(|| Shape::error(field.ty))?;
                FieldKind::Relationship(Relationship {
                    field: field_name,
                    cascade: attrs.cascade.as_ref().map_or(Cascade::DEFAULT, |c| c.value),
                    foreign_key: attrs.foreign_key.as_ref().map(|f| f.value.value()),
                    secondary: attrs.secondary.as_ref().map(|s| resolve(&s.value)),
                    passive_deletes: attrs
                        .passive_deletes
                        .as_ref()
                        .map_or(PassiveDeletes::Off, |p| p.value),
                    back_populates: attrs.back_populates.as_ref().map(|b| b.value.value()),
                    single_parent: attrs.single_parent.as_ref().is_some_and(|s| s.value),
                    on_delete: attrs.on_delete.as_ref().map(|o| o.value),
                })
            }
            None => {
                let attrs = &field.column;
                FieldKind::Column(Column {
                    name: attrs
                        .column
                        .as_ref()
                        .map_or_else(|| field_name.clone(), |c| c.value.value()),
                    field: field_name,
                    primary_key: attrs.primary_key.is_some(),
                    unique: attrs.unique.is_some(),
                    index: attrs.index.is_some(),
                    default: attrs.default.as_ref().map(|d| &d.value),
                    foreign_key: attrs.foreign_key.as_ref().map(|fk| ForeignKey {
                        target: resolve(&fk.value),
                        references: attrs.references.as_ref().map(|r| r.value.value()),
                        on_delete: attrs
                            .on_delete
                            .as_ref()
                            .map_or(OnDelete::NoAction, |o| o.value),
                    }),
                })
            }
        };
        fields.push(Field {
            ident: field.ident,
            ty: resolve(field.ty),
            kind,
        });
    }
    let name = input.ident.unraw().to_string();
    let table = match &input.attrs.table {
        Some(table) => table.value.value(),
        None => snake_case(&name),
    };
    Ok(Model {
        ident: input.ident,
        name,
        table,
        hooks: input.attrs.hooks.as_ref().map(|hooks| hooks.tokens.span()),
        krate: match &input.attrs.krate {
            Some(krate) => krate.value.clone(),
            None => syn::parse_quote!(::cascade_runtime),
        },
        fields,
    })
}

/// `Self` → the model's own name, wherever it appears in a type (`Vec<Self>`,
/// `Option<Box<Self>>`): types are written inside a `static` and in trait paths, where `Self`
/// is not in scope.
fn resolve_self(ty: &Type, ident: &Ident) -> Type {
    let mut ty = ty.clone();
    replace_self(&mut ty, ident);
    ty
}

fn replace_self(ty: &mut Type, ident: &Ident) {
    match ty {
        Type::Path(path) if path.qself.is_none() && path.path.is_ident("Self") => {
            let span = path.path.segments[0].ident.span();
            path.path.segments[0].ident = Ident::new(&ident.unraw().to_string(), span);
        }
        Type::Path(path) => {
            if let Some(qself) = &mut path.qself {
                replace_self(&mut qself.ty, ident);
            }
            for segment in &mut path.path.segments {
                if let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments {
                    for arg in &mut args.args {
                        if let syn::GenericArgument::Type(ty) = arg {
                            replace_self(ty, ident);
                        }
                    }
                }
            }
        }
        Type::Reference(r) => replace_self(&mut r.elem, ident),
        Type::Ptr(p) => replace_self(&mut p.elem, ident),
        Type::Slice(s) => replace_self(&mut s.elem, ident),
        Type::Array(a) => replace_self(&mut a.elem, ident),
        Type::Paren(p) => replace_self(&mut p.elem, ident),
        Type::Group(g) => replace_self(&mut g.elem, ident),
        Type::Tuple(t) => t.elems.iter_mut().for_each(|e| replace_self(e, ident)),
        _ => {}
    }
}

/// `BlogPost` → `blog_post`, `HTTPRequest` → `http_request`, `UserID` → `user_id`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let previous = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary = previous.is_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_uppercase() && next_is_lower);
            if boundary && previous != '_' {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctxt::Ctxt;
    use quote::ToTokens;
    use syn::{parse_quote, DeriveInput};

    #[test]
    fn snake_case_table_names() {
        for (name, expected) in [
            ("Parent", "parent"),
            ("BlogPost", "blog_post"),
            ("HTTPRequest", "http_request"),
            ("UserID", "user_id"),
            ("Node2D", "node2_d"),
            ("ABC", "abc"),
            ("already_snake", "already_snake"),
            ("Post_Tag", "post_tag"),
            ("X", "x"),
            ("", ""),
        ] {
            assert_eq!(snake_case(name), expected, "{name:?}");
        }
    }

    fn lowered(input: DeriveInput, check: impl FnOnce(&Model)) {
        let cx = Ctxt::new();
        let parsed = Input::from_ast(&cx, &input).expect("a struct");
        let model = lower(&parsed).expect("lowers");
        cx.check().expect("no errors");
        check(&model);
    }

    #[test]
    fn defaults_and_options() {
        lowered(
            parse_quote! {
                pub struct BlogPost {
                    #[model(primary_key)]
                    r#id: i64,
                    #[model(column = "author", foreign_key = Self, on_delete = "cascade")]
                    author_id: i64,
                    #[relationship(on_delete = "protect")]
                    comments: Vec<Comment>,
                    #[relationship(cascade = "all", secondary = PostTag, passive_deletes = "all")]
                    tags: ::std::vec::Vec<Tag>,
                    #[relationship(single_parent)]
                    parent: Option<Box<Self>>,
                }
            },
            |model| {
                assert_eq!(model.table, "blog_post");
                assert_eq!(model.name, "BlogPost");
                let columns: Vec<(&str, &str)> = model
                    .columns()
                    .map(|(_, c)| (c.field.as_str(), c.name.as_str()))
                    .collect();
                assert_eq!(columns, [("id", "id"), ("author_id", "author")]);
                let (_, author) = model.columns().nth(1).expect("two columns");
                let fk = author.foreign_key.as_ref().expect("a foreign key");
                assert_eq!(fk.target.to_token_stream().to_string(), "BlogPost");
                assert_eq!(fk.on_delete, OnDelete::Cascade);

                let relationships: Vec<_> = model.relationships().collect();
                let ty = |i: usize| relationships[i].0.ty.to_token_stream().to_string();
                let relationships: Vec<_> = relationships.iter().map(|(_, r)| r).collect();
                assert_eq!(relationships[0].cascade, Cascade::DEFAULT);
                assert_eq!(ty(1), ":: std :: vec :: Vec < Tag >");
                assert_eq!(relationships[1].passive_deletes, PassiveDeletes::All);
                assert!(relationships[1].secondary.is_some());
                assert_eq!(
                    ty(2),
                    "Option < Box < BlogPost > >",
                    "`Self` resolved inside"
                );
                assert!(relationships[2].single_parent);
                assert_eq!(
                    relationships[0].on_delete,
                    Some(RelationshipOnDelete::Protect)
                );
                assert_eq!(relationships[1].on_delete, None);
                assert_eq!(model.primary_key().count(), 1);
                assert!(model.hooks.is_none());
            },
        );
    }

    #[test]
    fn explicit_table_name() {
        lowered(
            parse_quote! {
                #[model(table = "posts")]
                struct Post { #[model(primary_key)] id: i64 }
            },
            |model| assert_eq!(model.table, "posts"),
        );
    }

    #[test]
    fn hooks() {
        lowered(
            parse_quote! {
                #[model(hooks)]
                struct Post { #[model(primary_key)] id: i64 }
            },
            |model| assert!(model.hooks.is_some()),
        );
    }
}
