//! What is emitted when the derive fails: the errors, plus a minimal impl of `Model` and
//! `DynModel` so that the rest of the crate still type-checks and the user sees the real
//! errors rather than a cascade of "the trait `Model` is not implemented" (as thiserror's
//! `fallback.rs` does).
//!
//! The crate does not compile while the errors stand, so this code never runs; it only has to
//! type-check, without a stub macro or a panic.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

pub fn expand(input: &DeriveInput, error: syn::Error) -> TokenStream {
    let error = error.into_compile_error();
    let private = quote!(::cascade_runtime::__private);
    let no_relationships = crate::codegen::no_relationships();
    let ident = &input.ident;
    let name = ident.to_string();
    // A generic model is itself an error; `Self: 'static` keeps its stub from adding another
    // (`Model: 'static`).
    let mut generics = input.generics.clone();
    if !generics.params.is_empty() {
        generics
            .make_where_clause()
            .predicates
            .push(syn::parse_quote!(Self: 'static));
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #error

        #[automatically_derived]
        impl #impl_generics #private::Model for #ident #ty_generics #where_clause {
            type Key = i64;
            type Repository<'s> = &'s mut #private::Session;

            fn meta() -> &'static #private::ModelMeta {
                static META: #private::ModelMeta = #private::ModelMeta {
                    name: #name,
                    table: "",
                    columns: &[],
                    relationships: &[],
                    hooks: #private::Option::None,
                };
                &META
            }

            fn from_values(
                _values: #private::Vec<#private::Value>,
            ) -> #private::Result<Self> {
                #private::Err(#private::Error::Schema {
                    model: #name,
                    field: #private::Option::None,
                    message: ::std::string::String::from("#[derive(Model)] failed"),
                })
            }

            fn repository(session: &mut #private::Session) -> &mut #private::Session {
                session
            }
        }

        #[automatically_derived]
        impl #impl_generics #private::DynModel for #ident #ty_generics #where_clause {
            fn model_meta(&self) -> &'static #private::ModelMeta {
                <Self as #private::Model>::meta()
            }

            fn values(&self) -> #private::Vec<#private::Value> {
                #private::Vec::new()
            }

            fn set_value(
                &mut self,
                _column: usize,
                _value: #private::Value,
            ) -> #private::Result<()> {
                #private::Ok(())
            }

            #no_relationships
        }
    }
}
