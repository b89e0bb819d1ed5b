//! The derive's input as a small typed model that borrows from syn's: the struct, its fields,
//! and each one's parsed attributes.

use syn::spanned::Spanned as _;
use syn::{Data, DeriveInput, Fields, GenericArgument, Generics, Ident, PathArguments, Type};

use crate::attr;
use crate::ctxt::Ctxt;

/// A struct with named fields and its `#[model(...)]` options.
pub struct Input<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    pub attrs: attr::Container,
    pub fields: Vec<Field<'a>>,
}

/// One named field.
pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    /// `#[model(...)]` (all options unset when absent).
    pub column: attr::Column,
    /// `#[relationship(...)]`, when present.
    pub relationship: Option<attr::Relationship>,
}

impl<'a> Input<'a> {
    /// `None` when the input is not a struct with named fields (the error is recorded).
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Input<'a>> {
        let attrs = attr::Container::from_ast(cx, &input.attrs);
        let ident = &input.ident;
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => named,
                Fields::Unnamed(_) => {
                    let struct_token = data.struct_token;
                    cx.error_spanned_by(
                        quote::quote!(#struct_token #ident),
                        "#[derive(Model)] needs named fields, one per column: a tuple struct \
                         cannot be a model",
                    );
                    return None;
                }
                Fields::Unit => {
                    let struct_token = data.struct_token;
                    cx.error_spanned_by(
                        quote::quote!(#struct_token #ident),
                        "#[derive(Model)] needs named fields, one per column: a unit struct \
                         cannot be a model",
                    );
                    return None;
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "#[derive(Model)] supports only structs with named fields: an enum cannot \
                     be a model",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "#[derive(Model)] supports only structs with named fields: a union cannot \
                     be a model",
                );
                return None;
            }
        };
        let fields = named
            .named
            .iter()
            .filter_map(|field| {
                Some(Field {
                    // Always present in a struct with named fields.
                    ident: field.ident.as_ref()?,
                    ty: &field.ty,
                    column: attr::Column::from_ast(cx, &field.attrs),
                    relationship: attr::Relationship::from_ast(cx, &field.attrs),
                })
            })
            .collect();
        Some(Input {
            ident,
            generics: &input.generics,
            attrs,
            fields,
        })
    }
}

/// What a relationship field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `Vec<T>`: one-to-many or many-to-many.
    Vec,
    /// `Option<T>`: many-to-one or one-to-one.
    Option,
    /// `Option<Box<T>>`: the same, for recursive types.
    OptionBox,
}

impl Shape {
    /// The shape of a relationship field and its target type `T`; `None` for any other type.
    /// Types are matched by the last path segment, so `std::vec::Vec<T>` is a `Vec<T>`.
    pub fn of(ty: &Type) -> Option<(Shape, &Type)> {
        if let Some(target) = generic_argument(ty, "Vec") {
            return Some((Shape::Vec, target));
        }
        let inner = generic_argument(ty, "Option")?;
        match generic_argument(inner, "Box") {
            Some(target) => Some((Shape::OptionBox, target)),
            None => Some((Shape::Option, inner)),
        }
    }

    /// The error for a relationship on a field of another type.
    pub fn error(ty: &Type) -> syn::Error {
        syn::Error::new(
            ty.span(),
            "a relationship field must be Vec<T> (one-to-many, many-to-many), Option<T> or \
             Option<Box<T>> (many-to-one, one-to-one)",
        )
    }
}

/// Whether the type is written `Option<...>` (a nullable column).
pub fn is_option(ty: &Type) -> bool {
    generic_argument(ty, "Option").is_some()
}

/// `T` when `ty` is `Name<T>` (any path ending in `Name`, with one type argument).
fn generic_argument<'t>(ty: &'t Type, name: &str) -> Option<&'t Type> {
    let path = match ungroup(ty) {
        Type::Path(path) if path.qself.is_none() => &path.path,
        _ => return None,
    };
    let last = path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut args = args.args.iter();
    match (args.next(), args.next()) {
        (Some(GenericArgument::Type(inner)), None) => Some(ungroup(inner)),
        _ => None,
    }
}

/// Sees through invisible groups (types passed through `macro_rules!`) and parentheses.
fn ungroup(mut ty: &Type) -> &Type {
    loop {
        match ty {
            Type::Group(group) => ty = &group.elem,
            Type::Paren(paren) => ty = &paren.elem,
            _ => return ty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;
    use syn::parse_quote;

    #[test]
    fn relationship_shapes() {
        let cases: Vec<(Type, Option<(Shape, &str)>)> = vec![
            (parse_quote!(Vec<Child>), Some((Shape::Vec, "Child"))),
            (
                parse_quote!(::std::vec::Vec<crate::Child>),
                Some((Shape::Vec, "crate :: Child")),
            ),
            (
                parse_quote!(Option<Parent>),
                Some((Shape::Option, "Parent")),
            ),
            (
                parse_quote!(Option<Box<Node>>),
                Some((Shape::OptionBox, "Node")),
            ),
            (
                parse_quote!(::core::option::Option<::std::boxed::Box<Node>>),
                Some((Shape::OptionBox, "Node")),
            ),
            (parse_quote!(Child), None),
            (parse_quote!(Box<Child>), None),
            (parse_quote!(HashMap<i64, Child>), None),
            (parse_quote!(Vec<Child, Global>), None),
            (parse_quote!(&'static [Child]), None),
            (parse_quote!(<X as Trait>::Vec<Child>), None),
        ];
        for (ty, expected) in cases {
            let found =
                Shape::of(&ty).map(|(shape, target)| (shape, target.to_token_stream().to_string()));
            let expected = expected.map(|(shape, target)| (shape, target.to_owned()));
            assert_eq!(found, expected, "{}", ty.to_token_stream());
        }
    }

    #[test]
    fn options() {
        assert!(is_option(&parse_quote!(Option<i64>)));
        assert!(is_option(&parse_quote!(std::option::Option<String>)));
        assert!(!is_option(&parse_quote!(i64)));
        assert!(!is_option(&parse_quote!(Option)));
    }

    #[test]
    fn non_structs_are_rejected_without_panicking() {
        for input in [
            parse_quote!(
                enum E {
                    A,
                }
            ),
            parse_quote!(union U { a: i64 }),
            parse_quote!(
                struct T(i64);
            ),
            parse_quote!(
                struct U;
            ),
        ] {
            let input: DeriveInput = input;
            let cx = Ctxt::new();
            assert!(Input::from_ast(&cx, &input).is_none());
            assert!(cx.check().is_err());
        }
    }
}
