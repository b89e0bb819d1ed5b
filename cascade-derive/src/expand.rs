//! The whole pipeline: parse → validate → lower → codegen; on error, the errors and a stub.

use proc_macro2::TokenStream;
use syn::DeriveInput;

use crate::ast::Input;
use crate::ctxt::Ctxt;
use crate::{codegen, fallback, lower, validate};

/// The expansion of `#[derive(Model)]` on `input`.
pub fn derive(input: &DeriveInput) -> TokenStream {
    match try_expand(input) {
        Ok(expanded) => expanded,
        Err(error) => fallback::expand(input, error),
    }
}

fn try_expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let parsed = Input::from_ast(&cx, input);
    if let Some(parsed) = &parsed {
        validate::check(&cx, parsed);
    }
    cx.check()?;
    let Some(parsed) = parsed else {
        // `from_ast` records an error whenever it returns `None`.
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Model)] needs a struct",
        ));
    };
    let model = lower::lower(&parsed)?;
    Ok(codegen::expand(&model))
}
