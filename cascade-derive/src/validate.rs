//! Checks that need more than one option at a time, or the whole struct. Every error is
//! recorded; none stops the others from being found.
//!
//! Checks that need the other model (a missing or ambiguous foreign key, a `back_populates`
//! naming nothing) are the runtime's schema validation, which sees every model.

use quote::quote;
use syn::ext::IdentExt as _;

use crate::ast::{self, Field, Input, Shape};
use crate::attr::{self, OnDelete, PassiveDeletes, RelationshipOnDelete};
use crate::cascade::Cascade;
use crate::ctxt::Ctxt;

pub fn check(cx: &Ctxt, input: &Input) {
    check_generics(cx, input);
    check_primary_key(cx, input);
    check_column_names(cx, input);
    for field in &input.fields {
        check_field_kind(cx, field);
        check_column(cx, field);
        check_relationship(cx, field);
    }
}

/// `struct Model<T>`, `struct Model<'a>`: a model is one table, with one set of columns.
fn check_generics(cx: &Ctxt, input: &Input) {
    let generics = input.generics;
    if !generics.params.is_empty() || generics.where_clause.is_some() {
        let where_clause = &generics.where_clause;
        cx.error_spanned_by(
            quote!(#generics #where_clause),
            "#[derive(Model)] does not support generic parameters or lifetimes: a model is one \
             table with fixed column types; use concrete types and owned values (String, not &str)",
        );
    }
}

/// At least one `#[model(primary_key)]` (several make a composite key). Not checked when a
/// `#[model(...)]` could not be read to its end: its `primary_key` may be what went unread.
fn check_primary_key(cx: &Ctxt, input: &Input) {
    if input.fields.iter().any(|field| field.column.malformed) {
        return;
    }
    let has_key = input
        .fields
        .iter()
        .any(|field| field.column.primary_key.is_some() && field.relationship.is_none());
    if !has_key {
        cx.error_spanned_by(
            input.ident,
            format!(
                "model `{}` has no primary key: mark its key field with #[model(primary_key)] \
                 (several fields make a composite key)",
                input.ident
            ),
        );
    }
}

/// Two fields mapped to the same SQL column (SQLite's names ignore ASCII case).
fn check_column_names(cx: &Ctxt, input: &Input) {
    let mut seen: Vec<(String, &Field)> = Vec::new();
    for field in input
        .fields
        .iter()
        .filter(|field| field.relationship.is_none())
    {
        let name = column_name(field);
        if let Some((first_name, first)) = seen
            .iter()
            .find(|(seen, _)| seen.eq_ignore_ascii_case(&name))
        {
            let case = if *first_name == name {
                String::new()
            } else {
                format!(", as `{first_name}` (SQLite's names ignore ASCII case)")
            };
            let message = format!(
                "column `{name}` is already used by field `{}`{case}",
                first.ident.unraw()
            );
            match &field.column.column {
                Some(column) => cx.error_spanned_by(column, message),
                None => cx.error_spanned_by(field.ident, message),
            }
        } else {
            seen.push((name, field));
        }
    }
}

fn column_name(field: &Field) -> String {
    match &field.column.column {
        Some(column) => column.value.value(),
        None => field.ident.unraw().to_string(),
    }
}

/// A field is a column or a relationship, never both.
fn check_field_kind(cx: &Ctxt, field: &Field) {
    if let (Some(_), Some(relationship)) = (&field.column.attr, &field.relationship) {
        cx.error_spanned_by(
            &relationship.attr,
            "a field is either a column, with #[model(...)], or a relationship, with \
             #[relationship(...)], not both: a relationship is never a column (put \
             #[model(foreign_key = Type)] on the column that holds the key)",
        );
    }
}

fn check_column(cx: &Ctxt, field: &Field) {
    if field.relationship.is_some() {
        return;
    }
    let column = &field.column;
    if column.primary_key.is_some() && ast::is_option(field.ty) {
        cx.error_spanned_by(
            field.ty,
            "a primary key cannot be an Option: primary keys are NOT NULL (an i64 key of 0 is \
             assigned by the database on insert)",
        );
    }
    if let (Some(references), None) = (&column.references, &column.foreign_key) {
        cx.error_spanned_by(
            references,
            "`references` names the referenced model's column of a foreign key: add \
             `foreign_key = Type` to this #[model(...)]",
        );
    }
    let Some(on_delete) = &column.on_delete else {
        return;
    };
    if column.foreign_key.is_none() {
        cx.error_spanned_by(
            on_delete,
            "`on_delete` applies to a foreign key column: add `foreign_key = Type` to this \
             #[model(...)]",
        );
    }
    match on_delete.value {
        OnDelete::SetNull if !ast::is_option(field.ty) => cx.error_spanned_by(
            on_delete,
            "`on_delete = \"set null\"` needs a nullable column: make this field an Option<...>",
        ),
        OnDelete::SetDefault if column.default.is_none() => cx.error_spanned_by(
            on_delete,
            "`on_delete = \"set default\"` needs a column default: add `default = <expr>` to \
             this #[model(...)]",
        ),
        _ => {}
    }
}

fn check_relationship(cx: &Ctxt, field: &Field) {
    let Some(relationship) = &field.relationship else {
        return;
    };
    let shape = Shape::of(field.ty).map(|(shape, _)| shape);
    if shape.is_none() {
        cx.syn_error(Shape::error(field.ty));
    }
    let cascade = relationship
        .cascade
        .as_ref()
        .map_or(Cascade::DEFAULT, |c| c.value);
    let single_parent = relationship.single_parent.as_ref().is_some_and(|s| s.value);

    if let Some(spanned) = &relationship.cascade {
        if cascade.contains(Cascade::DELETE_ORPHAN) && !cascade.contains(Cascade::DELETE) {
            cx.error_spanned_by(
                spanned,
                "`delete-orphan` requires `delete` in the same cascade: write \
                 `cascade = \"all, delete-orphan\"` or `\"delete, delete-orphan\"`",
            );
        }
        if cascade.contains(Cascade::DELETE_ORPHAN)
            && relationship.secondary.is_some()
            && !single_parent
        {
            cx.error_spanned_by(
                spanned,
                "`delete-orphan` on a many-to-many relationship requires `single_parent = true`",
            );
        }
    }
    if let Some(passive) = &relationship.passive_deletes {
        if passive.value == PassiveDeletes::All && cascade.contains(Cascade::DELETE) {
            cx.error_spanned_by(
                passive,
                "`passive_deletes = \"all\"` never touches related rows, which contradicts \
                 `delete` in the cascade: use `passive_deletes = true` to leave unloaded rows to \
                 the database's ON DELETE, or drop `delete`",
            );
        }
    }
    if let (Some(secondary), Some(shape)) = (&relationship.secondary, shape) {
        if shape != Shape::Vec {
            cx.error_spanned_by(
                secondary,
                "`secondary` makes a many-to-many relationship, which needs a Vec<T> field",
            );
        }
    }
    check_relationship_on_delete(cx, relationship, cascade);
}

/// `on_delete` decides what happens to the related rows: nothing else may decide it too.
fn check_relationship_on_delete(cx: &Ctxt, relationship: &attr::Relationship, cascade: Cascade) {
    let Some(on_delete) = &relationship.on_delete else {
        return;
    };
    let name = on_delete.value.name();
    if on_delete.value != RelationshipOnDelete::Cascade && cascade.contains(Cascade::DELETE) {
        let all = if cascade.contains(Cascade::ALL) {
            " (`all` includes `delete`: the rest of it is \
             `\"save-update, merge, expunge, refresh-expire\"`)"
        } else {
            ""
        };
        cx.error_spanned_by(
            on_delete,
            format!(
                "`on_delete = \"{name}\"` decides what happens to the related rows, which \
                 contradicts `delete` in the cascade: drop `delete` from the cascade{all}, or \
                 drop on_delete"
            ),
        );
    }
    let passive = match relationship.passive_deletes.as_ref().map(|p| p.value) {
        Some(PassiveDeletes::On) => Some(("true", "leaves them to the database's ON DELETE")),
        Some(PassiveDeletes::All) => Some(("\"all\"", "never touches them")),
        Some(PassiveDeletes::Off) | None => None,
    };
    if let Some((value, what)) = passive {
        cx.error_spanned_by(
            on_delete,
            format!(
                "`on_delete = \"{name}\"` has the ORM decide what happens to the related rows, \
                 but `passive_deletes = {value}` {what}: drop one of the two"
            ),
        );
    }
    if relationship.secondary.is_some() {
        cx.error_spanned_by(
            on_delete,
            "`on_delete` does not apply to a many-to-many relationship (`secondary = ...`): its \
             association rows always go with the row being deleted, and the related rows only \
             with `delete` in the cascade; drop on_delete",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::{parse_quote, DeriveInput};

    fn errors(input: DeriveInput) -> Vec<String> {
        let cx = Ctxt::new();
        if let Some(input) = Input::from_ast(&cx, &input) {
            check(&cx, &input);
        }
        match cx.check() {
            Ok(()) => Vec::new(),
            Err(err) => err.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_valid_model_has_no_errors() {
        let found = errors(parse_quote! {
            struct Node {
                #[model(primary_key)]
                id: i64,
                #[model(foreign_key = Node, on_delete = "set null")]
                parent_id: Option<i64>,
                #[model(foreign_key = Node, on_delete = "set default", default = 0)]
                root_id: i64,
                #[relationship(cascade = "all, delete-orphan", passive_deletes = true)]
                children: Vec<Node>,
                #[relationship(cascade = "none")]
                parent: Option<Box<Node>>,
                #[relationship(on_delete = "protect", passive_deletes = false)]
                protected: Vec<Node>,
                #[relationship(cascade = "all", on_delete = "cascade")]
                owned: Vec<Node>,
                #[relationship(cascade = "save-update", on_delete = "set null")]
                kept: Vec<Node>,
            }
        });
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn relationship_on_delete_contradictions() {
        let found = errors(parse_quote! {
            struct M {
                #[model(primary_key)]
                id: i64,
                #[relationship(cascade = "all", on_delete = "restrict")]
                a: Vec<C>,
                #[relationship(cascade = "delete", on_delete = "set default")]
                b: Vec<C>,
                #[relationship(on_delete = "protect", passive_deletes = true)]
                c: Vec<C>,
                #[relationship(on_delete = "cascade", passive_deletes = "all")]
                d: Vec<C>,
                #[relationship(secondary = Link, on_delete = "cascade")]
                e: Vec<C>,
            }
        });
        assert_eq!(
            found,
            [
                "`on_delete = \"restrict\"` decides what happens to the related rows, which \
                 contradicts `delete` in the cascade: drop `delete` from the cascade (`all` \
                 includes `delete`: the rest of it is \
                 `\"save-update, merge, expunge, refresh-expire\"`), or drop on_delete",
                "`on_delete = \"set default\"` decides what happens to the related rows, which \
                 contradicts `delete` in the cascade: drop `delete` from the cascade, or drop \
                 on_delete",
                "`on_delete = \"protect\"` has the ORM decide what happens to the related rows, \
                 but `passive_deletes = true` leaves them to the database's ON DELETE: drop one \
                 of the two",
                "`on_delete = \"cascade\"` has the ORM decide what happens to the related rows, \
                 but `passive_deletes = \"all\"` never touches them: drop one of the two",
                "`on_delete` does not apply to a many-to-many relationship (`secondary = ...`): \
                 its association rows always go with the row being deleted, and the related rows \
                 only with `delete` in the cascade; drop on_delete",
            ]
        );
    }

    #[test]
    fn every_whole_struct_error_is_reported() {
        let found = errors(parse_quote! {
            struct Bad<T> {
                #[model(column = "x")]
                a: i64,
                #[model(column = "x")]
                b: i64,
                #[model(primary_key)]
                #[relationship]
                c: Vec<T>,
                #[relationship(cascade = "delete-orphan")]
                d: Vec<T>,
                #[relationship(cascade = "all", passive_deletes = "all")]
                e: Vec<T>,
                #[relationship(secondary = Link)]
                f: Option<T>,
                #[relationship]
                g: T,
                #[model(on_delete = "set null")]
                h: i64,
                #[model(foreign_key = T, on_delete = "set default")]
                i: Option<i64>,
                #[relationship(cascade = "all, delete-orphan", secondary = Link)]
                j: Vec<T>,
            }
        });
        let expected_starts = [
            "#[derive(Model)] does not support generic parameters",
            "model `Bad` has no primary key",
            "column `x` is already used by field `a`",
            "a field is either a column",
            "`delete-orphan` requires `delete`",
            "`passive_deletes = \"all\"` never touches related rows",
            "`secondary` makes a many-to-many relationship",
            "a relationship field must be Vec<T>",
            "`on_delete` applies to a foreign key column",
            "`on_delete = \"set null\"` needs a nullable column",
            "`on_delete = \"set default\"` needs a column default",
            "`delete-orphan` on a many-to-many relationship requires `single_parent = true`",
        ];
        assert_eq!(found.len(), expected_starts.len(), "{found:#?}");
        for (message, start) in found.iter().zip(expected_starts) {
            assert!(
                message.starts_with(start),
                "{message:?} should start with {start:?}"
            );
        }
    }

    #[test]
    fn optional_primary_key() {
        let found = errors(parse_quote! {
            struct M { #[model(primary_key)] id: Option<i64> }
        });
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("a primary key cannot be an Option"));
    }
}
