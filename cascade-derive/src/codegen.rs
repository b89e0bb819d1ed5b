//! Prints the lowered model as tokens: the `Model` and `DynModel` impls and the typed
//! repository. No decisions are made here; every path is absolute, through
//! `::cascade_runtime::__private`.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::Ident;

use crate::ast::Shape;
use crate::attr::PassiveDeletes;
use crate::cascade::Cascade;
use crate::lower::{Column, Field, FieldKind, Model, Relationship};

/// `::cascade_runtime::__private`.
fn private() -> TokenStream {
    quote!(::cascade_runtime::__private)
}

pub fn expand(model: &Model) -> TokenStream {
    let model_impl = model_impl(model);
    let dyn_model_impl = dyn_model_impl(model);
    let repository = repository(model);
    quote! {
        #model_impl
        #dyn_model_impl
        #repository
    }
}

/// The model's name at another span: trait-bound errors point at the type argument.
fn respan(ident: &Ident, span: Span) -> Ident {
    let mut ident = ident.clone();
    ident.set_span(span);
    ident
}

fn repository_ident(model: &Model) -> Ident {
    format_ident!("{}Repository", model.name, span = model.ident.span())
}

fn model_impl(model: &Model) -> TokenStream {
    let private = private();
    let ident = model.ident;
    let repository = repository_ident(model);
    let name = &model.name;
    let table = &model.table;
    let columns = model
        .columns()
        .map(|(field, column)| column_meta(field, column));
    let relationships = model.relationships().map(|(_, rel)| relationship_meta(rel));
    // `Hooks::of::<T>` requires `T: DeleteHooks`; at the `hooks` option's span, a missing impl
    // is reported there, where it was promised.
    let hooks = match model.hooks {
        Some(span) => {
            let ty = respan(ident, span);
            let of = quote_spanned!(span=> #private::Hooks::of::<#ty>);
            quote!(#private::Option::Some(#of()))
        }
        None => quote!(#private::Option::None),
    };
    let field_values = model.fields.iter().map(|field| {
        let member = field.ident;
        match &field.kind {
            FieldKind::Column(_) => {
                let read = Ident::new("read", field.ty.span());
                quote!(#member: row.#read()?)
            }
            FieldKind::Relationship(_) => quote!(#member: ::core::default::Default::default()),
        }
    });
    let key_types: Vec<&syn::Type> = model.primary_key().map(|field| field.ty).collect();
    let key = match key_types.as_slice() {
        [one] => quote!(#one),
        many => quote!((#(#many),*)),
    };
    quote! {
        #[automatically_derived]
        impl #private::Model for #ident {
            type Key = #key;
            type Repository<'s> = #repository<'s>;

            fn meta() -> &'static #private::ModelMeta {
                static META: #private::ModelMeta = #private::ModelMeta {
                    name: #name,
                    table: #table,
                    columns: &[#(#columns),*],
                    relationships: &[#(#relationships),*],
                    hooks: #hooks,
                };
                &META
            }

            fn from_values(
                values: #private::Vec<#private::Value>,
            ) -> #private::Result<Self> {
                let mut row = #private::RowReader::new(
                    <Self as #private::Model>::meta(),
                    values,
                );
                #private::Ok(#ident {
                    #(#field_values,)*
                })
            }

            fn repository(session: &mut #private::Session) -> #repository<'_> {
                #repository { session }
            }
        }
    }
}

fn column_meta(field: &Field, column: &Column) -> TokenStream {
    let private = private();
    let ty = field.ty;
    let Column {
        field: field_name,
        name,
        primary_key,
        unique,
        index,
        ..
    } = column;
    // At the field's type, so that a type without `ColumnType` is reported on the field.
    let sql_type = quote_spanned!(ty.span()=> <#ty as #private::ColumnType>::SQL_TYPE);
    let nullable = quote_spanned!(ty.span()=> <#ty as #private::ColumnType>::NULLABLE);
    let default = match column.default {
        Some(expr) => {
            let value = quote_spanned!(expr.span()=> #private::IntoValue::into_value(#expr));
            quote!(#private::Option::Some(|| #value))
        }
        None => quote!(#private::Option::None),
    };
    let foreign_key = match &column.foreign_key {
        Some(fk) => {
            let (target, references) = match &fk.references {
                // Through `foreign_key_target`, whose bound makes a column whose type is not
                // the referenced key's type an error at the field's type.
                None => {
                    let target = &fk.target;
                    let target =
                        quote_spanned!(ty.span()=> #private::foreign_key_target::<#ty, #target>);
                    (target, quote!(#private::Option::None))
                }
                // Another column: its type is checked against this one when the schema is built.
                Some(column) => (
                    model_meta_fn(&fk.target),
                    quote!(#private::Option::Some(#column)),
                ),
            };
            let on_delete = Ident::new(fk.on_delete.variant(), Span::call_site());
            quote! {
                #private::Option::Some(#private::ForeignKeyMeta {
                    target: #target,
                    references: #references,
                    on_delete: #private::OnDelete::#on_delete,
                })
            }
        }
        None => quote!(#private::Option::None),
    };
    quote! {
        #private::ColumnMeta {
            field: #field_name,
            name: #name,
            sql_type: #sql_type,
            nullable: #nullable,
            primary_key: #primary_key,
            unique: #unique,
            index: #index,
            default: #default,
            foreign_key: #foreign_key,
        }
    }
}

/// `<T as Model>::meta`, at `T`'s span.
fn model_meta_fn(ty: &syn::Type) -> TokenStream {
    let private = private();
    quote_spanned!(ty.span()=> <#ty as #private::Model>::meta)
}

fn relationship_meta(rel: &Relationship) -> TokenStream {
    let private = private();
    let field = &rel.field;
    let target = model_meta_fn(&rel.target);
    let collection = rel.shape == Shape::Vec;
    let cascade = cascade_set(rel.cascade);
    let option_str = |value: &Option<String>| match value {
        Some(value) => quote!(#private::Option::Some(#value)),
        None => quote!(#private::Option::None),
    };
    let foreign_key = option_str(&rel.foreign_key);
    let back_populates = option_str(&rel.back_populates);
    let secondary = match &rel.secondary {
        Some(secondary) => {
            let meta = model_meta_fn(secondary);
            quote!(#private::Option::Some(#meta))
        }
        None => quote!(#private::Option::None),
    };
    let passive_deletes = match rel.passive_deletes {
        PassiveDeletes::Off => quote!(Off),
        PassiveDeletes::On => quote!(On),
        PassiveDeletes::All => quote!(All),
    };
    let single_parent = rel.single_parent;
    let on_delete = match rel.on_delete {
        Some(on_delete) => {
            let variant = Ident::new(on_delete.variant(), Span::call_site());
            quote!(#private::Option::Some(#private::RelationshipOnDelete::#variant))
        }
        None => quote!(#private::Option::None),
    };
    quote! {
        #private::RelationshipMeta {
            field: #field,
            target: #target,
            collection: #collection,
            cascade: #cascade,
            foreign_key: #foreign_key,
            secondary: #secondary,
            passive_deletes: #private::PassiveDeletes::#passive_deletes,
            back_populates: #back_populates,
            single_parent: #single_parent,
            on_delete: #on_delete,
        }
    }
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
        let ty = field.ty;
        let to_value = quote_spanned!(ty.span()=> <#ty as #private::ColumnType>::to_value);
        quote!(#to_value(&self.#member))
    });
    let set_value_arms = model.columns().enumerate().map(|(i, (field, _))| {
        let member = field.ident;
        let index = Literal::usize_unsuffixed(i);
        let ty = field.ty;
        let read = quote_spanned!(ty.span()=> #private::column_from_value::<#ty>);
        quote!(#index => self.#member = #read(meta, #index, value)?,)
    });

    let relationship_fns = if model.relationships().next().is_none() {
        no_relationships()
    } else {
        let arms = |method: TokenStream, reference: TokenStream, extra: TokenStream| {
            relationship_arms(model, &method, &reference, &extra)
        };
        let related = arms(quote!(items), quote!(&), quote!());
        let related_mut = arms(quote!(items_mut), quote!(&mut), quote!());
        let set_related = arms(quote!(load), quote!(&mut), quote!(, rows));
        quote! {
            fn related(
                &self,
                relationship: usize,
            ) -> #private::Vec<&dyn #private::DynModel> {
                match relationship {
                    #(#related)*
                    _ => #private::Vec::new(),
                }
            }

            fn related_mut(
                &mut self,
                relationship: usize,
            ) -> #private::Vec<&mut dyn #private::DynModel> {
                match relationship {
                    #(#related_mut)*
                    _ => #private::Vec::new(),
                }
            }

            fn set_related(
                &mut self,
                relationship: usize,
                rows: #private::Vec<#private::Vec<#private::Value>>,
            ) -> #private::Result<()> {
                match relationship {
                    #(#set_related)*
                    _ => #private::Ok(()),
                }
            }
        }
    };

    quote! {
        #[automatically_derived]
        impl #private::DynModel for #ident {
            fn model_meta(&self) -> &'static #private::ModelMeta {
                <Self as #private::Model>::meta()
            }

            fn values(&self) -> #private::Vec<#private::Value> {
                #private::Vec::from([#(#values),*])
            }

            fn set_value(
                &mut self,
                column: usize,
                value: #private::Value,
            ) -> #private::Result<()> {
                let meta = <Self as #private::Model>::meta();
                match column {
                    #(#set_value_arms)*
                    _ => {}
                }
                #private::Ok(())
            }

            #relationship_fns
        }
    }
}

/// `0 => Related::items(&self.children),` for each relationship.
fn relationship_arms(
    model: &Model,
    method: &TokenStream,
    reference: &TokenStream,
    extra: &TokenStream,
) -> Vec<TokenStream> {
    let private = private();
    model
        .relationships()
        .enumerate()
        .map(|(i, (field, rel))| {
            let member = field.ident;
            let index = Literal::usize_unsuffixed(i);
            let container = match rel.shape {
                Shape::Vec | Shape::Option => quote!(Related),
                Shape::OptionBox => quote!(RelatedBoxed),
            };
            let function = quote_spanned!(field.ty.span()=> #private::#container::#method);
            quote!(#index => #function(#reference self.#member #extra),)
        })
        .collect()
}

fn repository(model: &Model) -> TokenStream {
    let private = private();
    let ident = model.ident;
    let vis = model.vis;
    let repository = repository_ident(model);
    let name = &model.name;
    let table = &model.table;

    let pk: Vec<&Field> = model.primary_key().collect();
    let pk_names: Vec<&Ident> = pk.iter().map(|field| field.ident).collect();
    let key = match pk_names.as_slice() {
        [one] => quote!(#one),
        many => quote!((#(#many),*)),
    };
    let pk_params: Vec<TokenStream> = pk
        .iter()
        .map(|field| {
            let (member, ty) = (field.ident, field.ty);
            quote!(#member: #ty)
        })
        .collect();
    let pk_list = pk
        .iter()
        .map(|field| syn::ext::IdentExt::unraw(field.ident).to_string())
        .collect::<Vec<_>>()
        .join(", ");

    let doc_struct = [
        format!(" Typed repository of [`{name}`] rows (table `{table}`), generated by"),
        " `#[derive(Model)]`.".to_owned(),
        String::new(),
        format!(" Get one with `session.repo::<{name}>()`. Every call goes through the"),
        " [`Session`](cascade_runtime::Session)'s planner, so deletes cascade exactly as"
            .to_owned(),
        format!(" `session.delete_by_pk::<{name}>(..)` does."),
    ];
    let doc_delete_where = [
        format!(" Deletes every row matching `clause` (SQL over `{table}`'s columns, with `?N`"),
        " parameters bound to `params`) and everything their cascades reach.".to_owned(),
    ];
    let doc_plan = format!(" Computes what `delete_by_pk({pk_list})` would do, changing nothing.");

    quote! {
        #(#[doc = #doc_struct])*
        #vis struct #repository<'s> {
            session: &'s mut #private::Session,
        }

        #[automatically_derived]
        impl #repository<'_> {
            /// Loads the row with this primary key; relationship fields are left empty.
            pub fn get(
                &mut self,
                #(#pk_params),*
            ) -> #private::Result<#private::Option<#ident>> {
                self.session.get::<#ident>(#key)
            }

            /// Inserts `row` and, along `save-update` cascades, its related rows; writes
            /// generated keys back.
            pub fn insert(&mut self, row: &mut #ident) -> #private::Result<()> {
                self.session.insert(row)
            }

            /// Writes `row`'s columns and syncs its relationship collections (see
            /// [`Session::update`](cascade_runtime::Session::update)); returns what
            /// `delete-orphan` deleted.
            pub fn update(
                &mut self,
                row: &mut #ident,
            ) -> #private::Result<#private::DeleteReport> {
                self.session.update(row)
            }

            /// Deletes `row` and everything its cascades reach, in one transaction.
            pub fn delete(
                &mut self,
                row: &#ident,
            ) -> #private::Result<#private::DeleteReport> {
                self.session.delete(row)
            }

            /// Deletes the row with this primary key and everything its cascades reach.
            pub fn delete_by_pk(
                &mut self,
                #(#pk_params),*
            ) -> #private::Result<#private::DeleteReport> {
                self.session.delete_by_pk::<#ident>(#key)
            }

            // `impl Params`, not a named type parameter, which a model's own name could shadow.
            #(#[doc = #doc_delete_where])*
            pub fn delete_where(
                &mut self,
                clause: &str,
                params: impl #private::Params,
            ) -> #private::Result<#private::DeleteReport> {
                self.session.delete_where::<#ident>(clause, params)
            }

            #[doc = #doc_plan]
            pub fn plan_delete(
                &mut self,
                #(#pk_params),*
            ) -> #private::Result<#private::DeletePlan> {
                self.session.plan_delete::<#ident>(#key)
            }
        }
    }
}

/// `DynModel`'s relationship methods for a model without relationships (also used by the
/// fallback stub).
pub fn no_relationships() -> TokenStream {
    let private = private();
    quote! {
        fn related(
            &self,
            _relationship: usize,
        ) -> #private::Vec<&dyn #private::DynModel> {
            #private::Vec::new()
        }

        fn related_mut(
            &mut self,
            _relationship: usize,
        ) -> #private::Vec<&mut dyn #private::DynModel> {
            #private::Vec::new()
        }

        fn set_related(
            &mut self,
            _relationship: usize,
            _rows: #private::Vec<#private::Vec<#private::Value>>,
        ) -> #private::Result<()> {
            #private::Ok(())
        }
    }
}
