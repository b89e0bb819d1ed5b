//! Prints the lowered model as tokens: the `Model` and `DynModel` impls, inside a
//! `const _: () = { ... };` that adds no name to the user's module. No decisions are made here;
//! every path goes through one alias of the runtime's `__private` module, as serde's
//! expansions go through `_serde`.
//!
//! Every use of a column field's type goes through `<T as _cascade::ColumnField>` and every use
//! of a relationship field's type through `<T as _cascade::RelationField>`, at the field type's
//! span: a type that is neither is one error at the field, not one per use.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::Ident;

use crate::attr::PassiveDeletes;
use crate::cascade::Cascade;
use crate::lower::{Column, Field, FieldKind, Model, Relationship};

/// The alias of the runtime's `__private` module inside the expansion.
fn private() -> TokenStream {
    quote!(_cascade)
}

pub fn expand(model: &Model) -> TokenStream {
    let krate = &model.krate;
    let model_impl = model_impl(model);
    let dyn_model_impl = dyn_model_impl(model);
    quote! {
        const _: () = {
            use #krate::__private as _cascade;

            #model_impl

            #dyn_model_impl
        };
    }
}

/// The model's name at another span: trait-bound errors point at the type argument.
fn respan(ident: &Ident, span: Span) -> Ident {
    let mut ident = ident.clone();
    ident.set_span(span);
    ident
}

fn model_impl(model: &Model) -> TokenStream {
    let private = private();
    let ident = model.ident;
    let name = &model.name;
    let table = &model.table;
    let columns = model
        .columns()
        .map(|(field, column)| column_meta(field, column));
    let relationships = model
        .relationships()
        .map(|(field, rel)| relationship_meta(field, rel));
    // `Hooks::of::<T>` requires `T: DeleteHooks`; at the `hooks` option's span, a missing impl
    // is reported there, where it was promised.
    let hooks = model.hooks.map(|span| {
        let ty = respan(ident, span);
        let of = quote_spanned!(span=> #private::Hooks::of::<#ty>);
        quote!(.with_hooks(#of()))
    });
    let key_types: Vec<&syn::Type> = model.primary_key().map(|field| &field.ty).collect();
    let key = match key_types.as_slice() {
        [one] => quote!(#one),
        many => quote!((#(#many),*)),
    };
    // Each column field read by `convert` (`from_value` or `from_value_ref`), each
    // relationship field empty.
    let fields = |convert: TokenStream| {
        model
            .fields
            .iter()
            .map(|field| {
                let member = field.ident;
                match &field.kind {
                    FieldKind::Column(_) => {
                        let convert = column_fn(field, convert.clone());
                        quote!(#member: row.read(#convert)?)
                    }
                    FieldKind::Relationship(_) => quote!(#member: #private::Default::default()),
                }
            })
            .collect::<Vec<_>>()
    };
    let field_values = fields(quote!(from_value));
    let field_refs = fields(quote!(from_value_ref));
    quote! {
        #[automatically_derived]
        impl #private::Model for #ident {
            type Key = #key;

            fn meta() -> &'static #private::ModelMeta {
                static META: #private::ModelMeta = #private::ModelMeta::new(
                    #name,
                    #table,
                    &[#(#columns),*],
                    &[#(#relationships),*],
                )#hooks;
                &META
            }

            fn from_values(values: #private::Vec<#private::Value>) -> #private::Result<Self> {
                let mut row = #private::RowReader::new(<Self as #private::Model>::meta(), values);
                #private::Ok(#ident {
                    #(#field_values,)*
                })
            }

            fn from_row(row: &dyn #private::Row) -> #private::Result<Self> {
                let mut row = #private::RowRefReader::new(<Self as #private::Model>::meta(), row);
                #private::Ok(#ident {
                    #(#field_refs,)*
                })
            }
        }
    }
}

/// `<T as _cascade::ColumnField>::item`, at the field type's span.
fn column_fn(field: &Field, item: TokenStream) -> TokenStream {
    let private = private();
    let ty = &field.ty;
    quote_spanned!(ty.span()=> <#ty as #private::ColumnField>::#item)
}

/// `<T as _cascade::RelationField>::item`, at the field type's span.
fn relation_fn(field: &Field, item: TokenStream) -> TokenStream {
    let private = private();
    let ty = &field.ty;
    quote_spanned!(ty.span()=> <#ty as #private::RelationField>::#item)
}

/// `ColumnMeta::of("field", <T as ColumnField>::SHAPE)` and a builder call per option.
fn column_meta(field: &Field, column: &Column) -> TokenStream {
    let private = private();
    let ty = &field.ty;
    let field_name = &column.field;
    let shape = column_fn(field, quote!(SHAPE));
    let mut options = Vec::new();
    if column.name != column.field {
        let name = &column.name;
        options.push(quote!(.column(#name)));
    }
    if column.primary_key {
        options.push(quote!(.primary_key()));
    }
    if column.unique {
        options.push(quote!(.unique()));
    }
    if column.index {
        options.push(quote!(.index()));
    }
    if let Some(expr) = column.default {
        let value = quote_spanned!(expr.span()=> #private::IntoValue::into_value(#expr));
        options.push(quote!(.default(|| #value)));
    }
    if let Some(fk) = &column.foreign_key {
        let target_ty = &fk.target;
        let on_delete = Ident::new(fk.on_delete.variant(), Span::call_site());
        let target = match &fk.references {
            // Through `foreign_key_target`, whose bound makes a column whose type is not the
            // referenced key's type an error at the field's type.
            None => quote_spanned!(ty.span()=> #private::foreign_key_target::<#ty, #target_ty>),
            // Another column: its type is checked against this one when the schema is built.
            Some(_) => model_meta_fn(target_ty),
        };
        options.push(quote!(.foreign_key(#target, #private::OnDelete::#on_delete)));
        if let Some(references) = &fk.references {
            options.push(quote!(.references(#references)));
        }
    }
    quote!(#private::ColumnMeta::of(#field_name, #shape) #(#options)*)
}

/// `<T as Model>::meta`, at `T`'s span.
fn model_meta_fn(ty: &syn::Type) -> TokenStream {
    let private = private();
    quote_spanned!(ty.span()=> <#ty as #private::Model>::meta)
}

/// `RelationshipMeta::of("field", <F as RelationField>::TARGET)` and a builder call per option.
fn relationship_meta(field: &Field, rel: &Relationship) -> TokenStream {
    let private = private();
    let name = &rel.field;
    let target = relation_fn(field, quote!(TARGET));
    let mut options = Vec::new();
    if rel.cascade != Cascade::DEFAULT {
        let cascade = cascade_set(rel.cascade);
        options.push(quote!(.cascade(#cascade)));
    }
    if let Some(column) = &rel.foreign_key {
        options.push(quote!(.foreign_key(#column)));
    }
    if let Some(secondary) = &rel.secondary {
        let meta = model_meta_fn(secondary);
        options.push(quote!(.secondary(#meta)));
    }
    match rel.passive_deletes {
        PassiveDeletes::Off => {}
        PassiveDeletes::On => {
            options.push(quote!(.passive_deletes(#private::PassiveDeletes::On)));
        }
        PassiveDeletes::All => {
            options.push(quote!(.passive_deletes(#private::PassiveDeletes::All)));
        }
    }
    if let Some(back) = &rel.back_populates {
        options.push(quote!(.back_populates(#back)));
    }
    if rel.single_parent {
        options.push(quote!(.single_parent()));
    }
    if let Some(on_delete) = rel.on_delete {
        let variant = Ident::new(on_delete.variant(), Span::call_site());
        options.push(quote!(.on_delete(#private::RelationshipOnDelete::#variant)));
    }
    quote!(#private::RelationshipMeta::of(#name, #target) #(#options)*)
}

/// `CascadeSet::ALL`, `CascadeSet::ALL.union(CascadeSet::DELETE_ORPHAN)`, ...
fn cascade_set(cascade: Cascade) -> TokenStream {
    let private = private();
    let mut terms = cascade
        .terms()
        .into_iter()
        .map(|name| Ident::new(name, Span::call_site()));
    let first = terms
        .next()
        .unwrap_or_else(|| Ident::new("NONE", Span::call_site()));
    quote!(#private::CascadeSet::#first #(.union(#private::CascadeSet::#terms))*)
}

fn dyn_model_impl(model: &Model) -> TokenStream {
    let private = private();
    let ident = model.ident;

    let values = model.columns().map(|(field, _)| {
        let member = field.ident;
        let to_value = column_fn(field, quote!(to_value));
        quote!(#to_value(&self.#member))
    });
    let value_refs = model.columns().map(|(field, _)| {
        let member = field.ident;
        let to_value_ref = column_fn(field, quote!(to_value_ref));
        quote!(#to_value_ref(&self.#member))
    });
    let set_value_arms = model.columns().enumerate().map(|(i, (field, _))| {
        let member = field.ident;
        let index = Literal::usize_unsuffixed(i);
        let from_value = column_fn(field, quote!(from_value));
        quote!(#index => self.#member = column.read(#from_value)?,)
    });
    let relationship_fns = relationship_fns(model);

    quote! {
        #[automatically_derived]
        impl #private::DynModel for #ident {
            fn model_meta(&self) -> &'static #private::ModelMeta {
                <Self as #private::Model>::meta()
            }

            fn values(&self) -> #private::Vec<#private::Value> {
                #private::Vec::from([#(#values),*])
            }

            fn value_refs(&self) -> #private::Vec<#private::ValueRef<'_>> {
                #private::Vec::from([#(#value_refs),*])
            }

            fn set_value(&mut self, index: usize, value: #private::Value) -> #private::Result<()> {
                let mut column = #private::RowReader::one(<Self as #private::Model>::meta(), index, value);
                match index {
                    #(#set_value_arms)*
                    _ => {}
                }
                #private::Ok(())
            }

            #relationship_fns
        }
    }
}

/// `DynModel::relationship` and `relationship_mut`: the field of each index, through
/// `RelationField::as_related` (`None` for a model without relationships).
fn relationship_fns(model: &Model) -> TokenStream {
    let private = private();
    let arms = |method: TokenStream, reference: TokenStream| -> Vec<TokenStream> {
        model
            .relationships()
            .enumerate()
            .map(|(i, (field, _))| {
                let member = field.ident;
                let index = Literal::usize_unsuffixed(i);
                let function = relation_fn(field, method.clone());
                quote!(#index => #private::Some(#function(#reference self.#member)),)
            })
            .collect()
    };
    if model.relationships().next().is_none() {
        return quote! {
            fn relationship(&self, _: usize) -> #private::Option<&dyn #private::Related> {
                #private::None
            }

            fn relationship_mut(&mut self, _: usize) -> #private::Option<&mut dyn #private::Related> {
                #private::None
            }
        };
    }
    let shared = arms(quote!(as_related), quote!(&));
    let mutable = arms(quote!(as_related_mut), quote!(&mut));
    quote! {
        fn relationship(&self, index: usize) -> #private::Option<&dyn #private::Related> {
            match index {
                #(#shared)*
                _ => #private::None,
            }
        }

        fn relationship_mut(
            &mut self,
            index: usize,
        ) -> #private::Option<&mut dyn #private::Related> {
            match index {
                #(#mutable)*
                _ => #private::None,
            }
        }
    }
}
