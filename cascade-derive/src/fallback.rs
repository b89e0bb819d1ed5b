//! What is emitted when the derive fails: the errors, plus a minimal impl of `Model` and
//! `DynModel` so that the rest of the crate still type-checks and the user sees the real
//! errors rather than a cascade of "`X` is not a model" (as thiserror's `fallback.rs` does).
//!
//! The crate does not compile while the errors stand, so this code never runs; it only has to
//! type-check, without a stub macro or a panic.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, LitStr, Path};

pub fn expand(input: &DeriveInput, error: syn::Error) -> TokenStream {
    let error = error.into_compile_error();
    let krate = runtime_path(input);
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

        const _: () = {
            use #krate::__private as _cascade;

            #[automatically_derived]
            impl #impl_generics _cascade::Model for #ident #ty_generics #where_clause {
                type Key = i64;

                fn meta() -> &'static _cascade::ModelMeta {
                    static META: _cascade::ModelMeta = _cascade::ModelMeta::new(#name, "", &[], &[]);
                    &META
                }

                fn from_values(_: _cascade::Vec<_cascade::Value>) -> _cascade::Result<Self> {
                    _cascade::Err(_cascade::Error::MissingKey {
                        table: ::std::string::String::new(),
                    })
                }
            }

            #[automatically_derived]
            impl #impl_generics _cascade::DynModel for #ident #ty_generics #where_clause {
                fn model_meta(&self) -> &'static _cascade::ModelMeta {
                    <Self as _cascade::Model>::meta()
                }

                fn values(&self) -> _cascade::Vec<_cascade::Value> {
                    _cascade::Vec::new()
                }

                fn set_value(&mut self, _: usize, _: _cascade::Value) -> _cascade::Result<()> {
                    _cascade::Ok(())
                }

                fn relationship(&self, _: usize) -> _cascade::Option<&dyn _cascade::Related> {
                    _cascade::None
                }

                fn relationship_mut(
                    &mut self,
                    _: usize,
                ) -> _cascade::Option<&mut dyn _cascade::Related> {
                    _cascade::None
                }
            }
        };
    }
}

/// The runtime's path for the stub: `#[model(crate = "...")]` when it can be read (whatever
/// else failed), `::cascade_runtime` otherwise.
fn runtime_path(input: &DeriveInput) -> Path {
    let mut found = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("model")) {
        // Errors were reported by the real parse; here they only mean "not found".
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let lit: LitStr = meta.value()?.parse()?;
                found = lit.parse::<Path>().ok();
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    found.unwrap_or_else(|| syn::parse_quote!(::cascade_runtime))
}
