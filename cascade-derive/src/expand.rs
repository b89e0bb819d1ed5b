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

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    /// Malformed attributes of every kind: the derive reports them and never panics.
    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let inputs: Vec<DeriveInput> = vec![
            parse_quote!(
                struct E {}
            ),
            parse_quote!(
                struct E {
                    #[model = "x"]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    #[model]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(foreign_key)]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(foreign_key = )]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(default)]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(column = 1)]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(column("x"))]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(a::b = 1)]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key(x), unique = 1 + 2)]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    id: i64,
                    #[relationship(cascade)]
                    c: Vec<C>,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    id: i64,
                    #[relationship(cascade = 1)]
                    c: Vec<C>,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    id: i64,
                    #[relationship(passive_deletes = yes)]
                    c: Vec<C>,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    id: i64,
                    #[relationship(single_parent = "yes")]
                    c: Vec<C>,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    id: i64,
                    #[relationship = "x"]
                    c: Vec<C>,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    id: i64,
                    #[relationship(secondary = )]
                    c: Vec<C>,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    id: i64,
                    #[relationship(back_populates = "")]
                    c: Vec<C>,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    id: i64,
                    #[relationship]
                    c: Vec,
                }
            ),
            parse_quote!(
                #[model(table)]
                struct E {
                    #[model(primary_key)]
                    id: i64,
                }
            ),
            parse_quote!(
                #[model(table = "")]
                struct E {
                    #[model(primary_key)]
                    id: i64,
                }
            ),
            parse_quote!(
                #[model(hooks(x))]
                struct E {
                    #[model(primary_key)]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    id: i64,
                    #[relationship(on_delete)]
                    c: Vec<C>,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    id: i64,
                    #[relationship(on_delete = true)]
                    c: Vec<C>,
                }
            ),
            parse_quote!(
                #[model]
                struct E {
                    #[model(primary_key)]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E<T>
                where
                    T: Copy,
                {
                    #[model(primary_key)]
                    id: T,
                }
            ),
            parse_quote!(
                struct E
                where
                    i64: Copy,
                {
                    #[model(primary_key)]
                    id: i64,
                }
            ),
            // Shapes the property tests in `fuzz_tests` generate, kept as fixed cases.
            parse_quote!(
                #[model[table = ""]]
                struct E {
                    #[model{primary_key}]
                    id: i64,
                }
            ),
            parse_quote!(
                #[model(table = "sqlite_master")]
                struct E {
                    #[model(primary_key, column = "ID")]
                    id: i64,
                    #[model(column = "id")]
                    other: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key, column(foreign_key(on_delete = "cascade")), = 1)]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    id: i64,
                    #[relationship(foreign_key = "", back_populates = " ", cascade = "all,")]
                    c: Vec<C>,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key = = true, unique index, default = , a::b::c(1))]
                    id: i64,
                }
            ),
            parse_quote!(
                struct E {
                    #[model(primary_key)]
                    id: i64,
                    #[relationship(cascade = "all", secondary = Vec<X>, single_parent = false)]
                    #[relationship(cascade = "none", on_delete = "protect", passive_deletes)]
                    c: Option<Box<Option<C>>>,
                }
            ),
        ];
        for input in inputs {
            let expanded = derive(&input);
            let text = expanded.to_string();
            if std::env::var_os("SHOW_ERRORS").is_some() {
                eprintln!("{}", quote::quote!(#input));
                for line in text.split("compile_error !").skip(1) {
                    eprintln!("    {}", line.split('}').next().unwrap_or_default());
                }
            }
            assert!(
                text.contains("compile_error"),
                "no error for {}",
                quote::quote!(#input)
            );
            syn::parse2::<syn::File>(expanded).expect("the errors and the stub are items");
        }
    }

    #[test]
    fn raw_identifiers_are_unraw_in_names() {
        let input: DeriveInput = parse_quote! {
            struct r#Match { #[model(primary_key)] r#type: i64 }
        };
        let text = derive(&input).to_string();
        assert!(!text.contains("compile_error"), "{text}");
        assert!(text.contains("\"type\""), "{text}");
        assert!(text.contains("(\"Match\" , \"match\""), "{text}");
    }
}
