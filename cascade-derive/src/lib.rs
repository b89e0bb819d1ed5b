//! `#[derive(Model)]` for cascade. Use it through `cascade_runtime::Model`.
//!
//! The pipeline, one module per stage (as in `serde_derive` and `thiserror`): `ast` and `attr`
//! turn syn's input into a small typed model, collecting errors in a `ctxt::Ctxt`; `validate`
//! checks what needs the whole struct; `lower` resolves names and defaults; `codegen` prints
//! tokens. On error, `fallback` emits the errors and a stub impl.

mod ast;
mod attr;
mod cascade;
mod codegen;
mod ctxt;
mod expand;
mod fallback;
mod lower;
mod suggest;
mod validate;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod snapshot_tests;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `cascade_runtime::Model` (and the runtime's object-safe `DynModel`) for a struct
/// with named fields, adding no name to your module. The attributes `#[model(...)]` and
/// `#[relationship(...)]` are documented, each with an example, on the trait
/// `cascade_runtime::Model`.
#[proc_macro_derive(Model, attributes(model, relationship))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
