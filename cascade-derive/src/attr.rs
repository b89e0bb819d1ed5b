//! The helper attributes, one `from_ast` per scope:
//!
//! - [`Container`]: `#[model(table = "...", hooks)]` on the struct;
//! - [`Column`]: `#[model(...)]` on a field;
//! - [`Relationship`]: `#[relationship(...)]` on a field.
//!
//! Every option keeps the tokens it was written with, so that later stages can point at it.
//! Errors go to the [`Ctxt`] and parsing carries on with the next option wherever the syntax
//! allows it. Nothing here panics on user input.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::{Attribute, Expr, Lit, LitBool, LitStr, Path, Token, Type};

use crate::cascade::{self, Cascade};
use crate::ctxt::Ctxt;
use crate::suggest;

/// An option's value together with the tokens of the whole option (`name = value`), for
/// errors found by later stages.
pub struct Spanned<T> {
    pub value: T,
    pub tokens: TokenStream,
}

impl<T> ToTokens for Spanned<T> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.tokens.to_tokens(tokens);
    }
}

/// One option while its attribute is being parsed: reports a second use as a duplicate.
struct Attr<'c, T> {
    cx: &'c Ctxt,
    attribute: &'static str,
    name: &'static str,
    value: Option<Spanned<T>>,
}

impl<'c, T> Attr<'c, T> {
    fn none(cx: &'c Ctxt, attribute: &'static str, name: &'static str) -> Self {
        Attr {
            cx,
            attribute,
            name,
            value: None,
        }
    }

    /// Sets the option; the second use of an option is an error at that use.
    fn set(&mut self, path: &Path, tokens: TokenStream, value: T) {
        if self.value.is_some() {
            let (attribute, name) = (self.attribute, self.name);
            self.cx.error_spanned_by(
                path,
                format!(
                    "duplicate option `{name}` in #[{attribute}(...)]: it may be given only once"
                ),
            );
        } else {
            self.value = Some(Spanned { value, tokens });
        }
    }

    fn get(self) -> Option<Spanned<T>> {
        self.value
    }
}

/// The options each scope accepts, as shown in error messages.
const CONTAINER_OPTIONS: &[(&str, &str)] = &[
    ("table", "table = \"name\""),
    ("hooks", "hooks"),
    ("crate", "crate = \"path\""),
];
const COLUMN_OPTIONS: &[(&str, &str)] = &[
    ("primary_key", "primary_key"),
    ("column", "column = \"name\""),
    ("foreign_key", "foreign_key = Type"),
    ("references", "references = \"column\""),
    ("on_delete", "on_delete = \"...\""),
    ("default", "default = <expr>"),
    ("unique", "unique"),
    ("index", "index"),
];
const RELATIONSHIP_OPTIONS: &[(&str, &str)] = &[
    ("cascade", "cascade = \"...\""),
    ("foreign_key", "foreign_key = \"column\""),
    ("secondary", "secondary = Type"),
    (
        "passive_deletes",
        "passive_deletes = true | false | \"all\"",
    ),
    ("back_populates", "back_populates = \"field\""),
    ("single_parent", "single_parent = true | false"),
    ("on_delete", "on_delete = \"...\""),
];

/// `#[model(...)]` on the struct.
pub struct Container {
    /// `table = "name"`.
    pub table: Option<Spanned<LitStr>>,
    /// `hooks`: the model implements `DeleteHooks`.
    pub hooks: Option<Spanned<()>>,
    /// `crate = "path"`: the runtime crate's path, when it is not `::cascade_runtime` (a
    /// renamed dependency, or a re-export).
    pub krate: Option<Spanned<Path>>,
}

impl Container {
    pub fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Container {
        let mut table = Attr::none(cx, "model", "table");
        let mut hooks = Attr::none(cx, "model", "hooks");
        let mut krate = Attr::none(cx, "model", "crate");
        for attr in attrs {
            if attr.path().is_ident("relationship") {
                cx.error_spanned_by(
                    attr,
                    "#[relationship(...)] belongs on a field of type Vec<T>, Option<T> or \
                     Option<Box<T>>, not on the struct",
                );
                continue;
            }
            if !attr.path().is_ident("model") {
                continue;
            }
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("table") {
                    // #[model(table = "name")]
                    let name = parse_str(&meta, "table = \"name\"")?;
                    check_not_empty(cx, &name, "table");
                    if name.value().to_ascii_lowercase().starts_with("sqlite_") {
                        cx.error_spanned_by(
                            &name,
                            "table names starting with `sqlite_` are reserved for SQLite's own \
                             tables: choose another name",
                        );
                    }
                    table.set(&meta.path, option_tokens(&meta.path, &name), name);
                } else if meta.path.is_ident("hooks") {
                    // #[model(hooks)]
                    if flag(cx, &meta, "model")? {
                        hooks.set(&meta.path, meta.path.to_token_stream(), ());
                    }
                } else if meta.path.is_ident("crate") {
                    // #[model(crate = "path")]
                    let lit = parse_str(&meta, "crate = \"path\"")?;
                    match lit.parse::<Path>() {
                        Ok(path) => krate.set(&meta.path, option_tokens(&meta.path, &lit), path),
                        Err(_) => cx.error_spanned_by(
                            &lit,
                            format!(
                                "`crate = \"{}\"` is not a path: write the runtime crate's path, \
                                 e.g. `crate = \"::cascade\"` for a dependency renamed `cascade`",
                                lit.value()
                            ),
                        ),
                    }
                } else {
                    unknown_option(cx, &meta, Scope::Container)?;
                }
                Ok(())
            });
            if let Err(err) = parsed {
                cx.syn_error(err);
            }
        }
        Container {
            krate: krate.get(),
            table: table.get(),
            hooks: hooks.get(),
        }
    }
}

/// A database-level `ON DELETE` action (`on_delete = "..."`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDelete {
    Cascade,
    SetNull,
    SetDefault,
    Restrict,
    NoAction,
}

impl OnDelete {
    /// The accepted spellings and their meaning.
    const VALUES: &'static [(&'static str, OnDelete)] = &[
        ("cascade", OnDelete::Cascade),
        ("set null", OnDelete::SetNull),
        ("set default", OnDelete::SetDefault),
        ("restrict", OnDelete::Restrict),
        ("no action", OnDelete::NoAction),
    ];

    fn from_str(value: &str) -> Option<OnDelete> {
        lookup(OnDelete::VALUES, value)
    }

    /// The variant of `cascade_runtime::OnDelete`.
    pub fn variant(self) -> &'static str {
        match self {
            OnDelete::Cascade => "Cascade",
            OnDelete::SetNull => "SetNull",
            OnDelete::SetDefault => "SetDefault",
            OnDelete::Restrict => "Restrict",
            OnDelete::NoAction => "NoAction",
        }
    }
}

/// Django's `on_delete` family, as a relationship option (`on_delete = "..."`): what the ORM
/// does with the related rows when a row of this model is deleted. Unlike the column's
/// database-level [`OnDelete`], it has `protect` and no `no action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationshipOnDelete {
    Cascade,
    Protect,
    Restrict,
    SetNull,
    SetDefault,
}

impl RelationshipOnDelete {
    /// The accepted spellings and their meaning.
    const VALUES: &'static [(&'static str, RelationshipOnDelete)] = &[
        ("cascade", RelationshipOnDelete::Cascade),
        ("protect", RelationshipOnDelete::Protect),
        ("restrict", RelationshipOnDelete::Restrict),
        ("set null", RelationshipOnDelete::SetNull),
        ("set default", RelationshipOnDelete::SetDefault),
    ];

    fn from_str(value: &str) -> Option<RelationshipOnDelete> {
        lookup(RelationshipOnDelete::VALUES, value)
    }

    /// The spelling, as written in `on_delete = "..."`.
    pub fn name(self) -> &'static str {
        RelationshipOnDelete::VALUES
            .iter()
            .find(|&&(_, action)| action == self)
            .map_or("", |&(name, _)| name)
    }

    /// The variant of `cascade_runtime::RelationshipOnDelete`.
    pub fn variant(self) -> &'static str {
        match self {
            RelationshipOnDelete::Cascade => "Cascade",
            RelationshipOnDelete::Protect => "Protect",
            RelationshipOnDelete::Restrict => "Restrict",
            RelationshipOnDelete::SetNull => "SetNull",
            RelationshipOnDelete::SetDefault => "SetDefault",
        }
    }
}

/// The value spelled `value` in a table of spellings.
/// The entry of `table` named `value`, ignoring ASCII case and runs of spaces (SQL writes
/// `ON DELETE SET NULL`, Django `SET_NULL`: `"SET NULL"` and `"set  null"` are `set null`).
fn lookup<T: Copy>(table: &[(&str, T)], value: &str) -> Option<T> {
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    table
        .iter()
        .find(|&&(name, _)| name.eq_ignore_ascii_case(&value))
        .map(|&(_, found)| found)
}

/// `#[model(...)]` on a field: the column's options. All unset when the field has no
/// `#[model]` attribute.
#[derive(Default)]
pub struct Column {
    /// The first `#[model]` attribute, if any.
    pub attr: Option<TokenStream>,
    /// A `#[model(...)]` could not be parsed to its end: options may be missing.
    pub malformed: bool,
    /// `primary_key`.
    pub primary_key: Option<Spanned<()>>,
    /// `column = "name"`.
    pub column: Option<Spanned<LitStr>>,
    /// `foreign_key = Type`.
    pub foreign_key: Option<Spanned<Type>>,
    /// `references = "column"`: the referenced model's column, when it is not its key.
    pub references: Option<Spanned<LitStr>>,
    /// `on_delete = "..."`.
    pub on_delete: Option<Spanned<OnDelete>>,
    /// `default = <expr>`.
    pub default: Option<Spanned<Expr>>,
    /// `unique`.
    pub unique: Option<Spanned<()>>,
    /// `index`.
    pub index: Option<Spanned<()>>,
}

impl Column {
    pub fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Column {
        let mut first_attr = None;
        let mut malformed = false;
        let mut primary_key = Attr::none(cx, "model", "primary_key");
        let mut column = Attr::none(cx, "model", "column");
        let mut foreign_key = Attr::none(cx, "model", "foreign_key");
        let mut references = Attr::none(cx, "model", "references");
        let mut on_delete = Attr::none(cx, "model", "on_delete");
        let mut default = Attr::none(cx, "model", "default");
        let mut unique = Attr::none(cx, "model", "unique");
        let mut index = Attr::none(cx, "model", "index");

        for attr in attrs.iter().filter(|attr| attr.path().is_ident("model")) {
            first_attr.get_or_insert_with(|| attr.to_token_stream());
            let parsed = attr.parse_nested_meta(|meta| {
                let path = &meta.path;
                if path.is_ident("primary_key") {
                    // #[model(primary_key)]
                    if flag(cx, &meta, "model")? {
                        primary_key.set(path, path.to_token_stream(), ());
                    }
                } else if path.is_ident("column") {
                    // #[model(column = "name")]
                    let name = parse_str(&meta, "column = \"name\"")?;
                    check_not_empty(cx, &name, "column");
                    column.set(path, option_tokens(path, &name), name);
                } else if path.is_ident("foreign_key") {
                    // #[model(foreign_key = Type)]
                    let input = value(&meta, "foreign_key = Type")?;
                    if input.peek(LitStr) {
                        let lit: LitStr = input.parse()?;
                        cx.error_spanned_by(
                            &lit,
                            format!(
                                "#[model(foreign_key = ...)] takes the referenced model's type, \
                                 not a string: write `foreign_key = {}`",
                                suggest_type_name(&lit.value())
                            ),
                        );
                    } else {
                        let ty = parse_type(input, "foreign_key = Type")?;
                        foreign_key.set(path, option_tokens(path, &ty), ty);
                    }
                } else if path.is_ident("references") {
                    // #[model(references = "column")]
                    let name = parse_str(&meta, "references = \"column\"")?;
                    check_not_empty(cx, &name, "references");
                    references.set(path, option_tokens(path, &name), name);
                } else if path.is_ident("on_delete") {
                    // #[model(on_delete = "cascade" | "set null" | "set default" | "restrict" | "no action")]
                    let lit = parse_str(&meta, "on_delete = \"...\"")?;
                    match OnDelete::from_str(&lit.value()) {
                        Some(action) => on_delete.set(path, option_tokens(path, &lit), action),
                        None => cx.error_spanned_by(&lit, bad_on_delete(&lit.value())),
                    }
                } else if path.is_ident("default") {
                    // #[model(default = <expr>)]
                    let expr: Expr = value(&meta, "default = <expr>")?.parse().map_err(|err| {
                        syn::Error::new(err.span(), "expected an expression: `default = <expr>`")
                    })?;
                    default.set(path, option_tokens(path, &expr), expr);
                } else if path.is_ident("unique") {
                    // #[model(unique)]
                    if flag(cx, &meta, "model")? {
                        unique.set(path, path.to_token_stream(), ());
                    }
                } else if path.is_ident("index") {
                    // #[model(index)]
                    if flag(cx, &meta, "model")? {
                        index.set(path, path.to_token_stream(), ());
                    }
                } else {
                    unknown_option(cx, &meta, Scope::Column)?;
                }
                Ok(())
            });
            if let Err(err) = parsed {
                malformed = true;
                cx.syn_error(err);
            }
        }

        Column {
            attr: first_attr,
            malformed,
            primary_key: primary_key.get(),
            column: column.get(),
            foreign_key: foreign_key.get(),
            references: references.get(),
            on_delete: on_delete.get(),
            default: default.get(),
            unique: unique.get(),
            index: index.get(),
        }
    }
}

/// `passive_deletes = ...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PassiveDeletes {
    Off,
    On,
    All,
}

/// `#[relationship(...)]` on a field.
pub struct Relationship {
    /// The first `#[relationship]` attribute.
    pub attr: TokenStream,
    /// `cascade = "..."`.
    pub cascade: Option<Spanned<Cascade>>,
    /// `foreign_key = "column"`.
    pub foreign_key: Option<Spanned<LitStr>>,
    /// `secondary = Type`.
    pub secondary: Option<Spanned<Type>>,
    /// `passive_deletes = true | false | "all"`.
    pub passive_deletes: Option<Spanned<PassiveDeletes>>,
    /// `back_populates = "field"`.
    pub back_populates: Option<Spanned<LitStr>>,
    /// `single_parent = true | false`.
    pub single_parent: Option<Spanned<bool>>,
    /// `on_delete = "..."`.
    pub on_delete: Option<Spanned<RelationshipOnDelete>>,
}

impl Relationship {
    /// `None` when the field has no `#[relationship]` attribute.
    pub fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Option<Relationship> {
        let mut first_attr = None;
        let mut cascade = Attr::none(cx, "relationship", "cascade");
        let mut foreign_key = Attr::none(cx, "relationship", "foreign_key");
        let mut secondary = Attr::none(cx, "relationship", "secondary");
        let mut passive_deletes = Attr::none(cx, "relationship", "passive_deletes");
        let mut back_populates = Attr::none(cx, "relationship", "back_populates");
        let mut single_parent = Attr::none(cx, "relationship", "single_parent");
        let mut on_delete = Attr::none(cx, "relationship", "on_delete");

        for attr in attrs
            .iter()
            .filter(|attr| attr.path().is_ident("relationship"))
        {
            first_attr.get_or_insert_with(|| attr.to_token_stream());
            // A bare `#[relationship]`: every option at its default.
            if matches!(attr.meta, syn::Meta::Path(_)) {
                continue;
            }
            let parsed = attr.parse_nested_meta(|meta| {
                let path = &meta.path;
                if path.is_ident("cascade") {
                    // #[relationship(cascade = "save-update, merge, ...")]
                    let lit = parse_str(&meta, "cascade = \"...\"")?;
                    match cascade::parse(&lit.value()) {
                        Ok(set) => cascade.set(path, option_tokens(path, &lit), set),
                        Err(err) => cx.error_spanned_by(&lit, err),
                    }
                } else if path.is_ident("foreign_key") {
                    // #[relationship(foreign_key = "column")]
                    let input = value(&meta, "foreign_key = \"column\"")?;
                    if input.peek(LitStr) {
                        let lit: LitStr = input.parse()?;
                        check_not_empty(cx, &lit, "foreign_key");
                        foreign_key.set(path, option_tokens(path, &lit), lit);
                    } else {
                        let ty = parse_type(input, "foreign_key = \"column\"")?;
                        cx.error_spanned_by(
                            &ty,
                            "#[relationship(foreign_key = ...)] names the joining column as a \
                             string, e.g. `foreign_key = \"parent_id\"`; to declare that a column \
                             references a model, put #[model(foreign_key = Type)] on that column",
                        );
                    }
                } else if path.is_ident("secondary") {
                    // #[relationship(secondary = AssociationType)]
                    let input = value(&meta, "secondary = Type")?;
                    if input.peek(LitStr) {
                        let lit: LitStr = input.parse()?;
                        cx.error_spanned_by(
                            &lit,
                            format!(
                                "`secondary` takes the association model's type, not a string: \
                                 write `secondary = {}`",
                                suggest_type_name(&lit.value())
                            ),
                        );
                    } else {
                        let ty = parse_type(input, "secondary = Type")?;
                        secondary.set(path, option_tokens(path, &ty), ty);
                    }
                } else if path.is_ident("passive_deletes") {
                    // #[relationship(passive_deletes = true | false | "all")]
                    let syntax = "passive_deletes = true | false | \"all\"";
                    let lit: Lit = value(&meta, syntax)?.parse().map_err(|err| {
                        syn::Error::new(err.span(), format!("expected `{syntax}`"))
                    })?;
                    let parsed = match &lit {
                        Lit::Bool(b) if b.value => Some(PassiveDeletes::On),
                        Lit::Bool(_) => Some(PassiveDeletes::Off),
                        Lit::Str(s) if s.value() == "all" => Some(PassiveDeletes::All),
                        _ => None,
                    };
                    match parsed {
                        Some(value) => passive_deletes.set(path, option_tokens(path, &lit), value),
                        None => cx.error_spanned_by(
                            &lit,
                            "invalid `passive_deletes`: expected `true`, `false` or `\"all\"`",
                        ),
                    }
                } else if path.is_ident("back_populates") {
                    // #[relationship(back_populates = "field")]
                    let lit = parse_str(&meta, "back_populates = \"field\"")?;
                    check_not_empty(cx, &lit, "back_populates");
                    back_populates.set(path, option_tokens(path, &lit), lit);
                } else if path.is_ident("single_parent") {
                    // #[relationship(single_parent)]
                    // #[relationship(single_parent = true | false)]
                    if meta.input.peek(Token![=]) {
                        let lit: LitBool = meta.value()?.parse().map_err(|err| {
                            syn::Error::new(
                                err.span(),
                                "invalid `single_parent`: expected `true` or `false`",
                            )
                        })?;
                        single_parent.set(path, option_tokens(path, &lit), lit.value);
                    } else {
                        single_parent.set(path, path.to_token_stream(), true);
                    }
                } else if path.is_ident("on_delete") {
                    // #[relationship(on_delete = "cascade" | "protect" | "restrict" | "set null" | "set default")]
                    let lit = parse_str(&meta, "on_delete = \"...\"")?;
                    match RelationshipOnDelete::from_str(&lit.value()) {
                        Some(action) => on_delete.set(path, option_tokens(path, &lit), action),
                        None => cx.error_spanned_by(&lit, bad_relationship_on_delete(&lit.value())),
                    }
                } else {
                    unknown_option(cx, &meta, Scope::Relationship)?;
                }
                Ok(())
            });
            if let Err(err) = parsed {
                cx.syn_error(err);
            }
        }

        Some(Relationship {
            attr: first_attr?,
            cascade: cascade.get(),
            foreign_key: foreign_key.get(),
            secondary: secondary.get(),
            passive_deletes: passive_deletes.get(),
            back_populates: back_populates.get(),
            single_parent: single_parent.get(),
            on_delete: on_delete.get(),
        })
    }
}

/// `name = value`, as tokens carrying the user's spans.
fn option_tokens(path: &Path, value: &impl ToTokens) -> TokenStream {
    quote!(#path = #value)
}

/// The input after `=`; `syntax` is what the option should look like.
fn value<'a>(meta: &ParseNestedMeta<'a>, syntax: &str) -> syn::Result<ParseStream<'a>> {
    if meta.input.peek(Token![=]) {
        meta.value()
    } else {
        Err(meta.error(format!("expected `{syntax}`")))
    }
}

/// A type after `=`, with `syntax` in the error when there is none.
fn parse_type(input: ParseStream, syntax: &str) -> syn::Result<Type> {
    input
        .parse()
        .map_err(|err| syn::Error::new(err.span(), format!("expected a type: `{syntax}`")))
}

/// `name = "string"`.
fn parse_str(meta: &ParseNestedMeta, syntax: &str) -> syn::Result<LitStr> {
    let input = value(meta, syntax)?;
    if input.peek(LitStr) {
        input.parse()
    } else {
        let found: TokenStream = skip_value(input)?;
        Err(syn::Error::new_spanned(
            found,
            format!("expected a string: `{syntax}`"),
        ))
    }
}

/// A flag such as `primary_key`. `primary_key = true` is an error (recorded), and its value
/// is skipped so that the next options are still read; the flag still counts as given, so
/// that the mistake does not also cause a "no primary key" error.
fn flag(cx: &Ctxt, meta: &ParseNestedMeta, attribute: &str) -> syn::Result<bool> {
    if !meta.input.peek(Token![=]) && !meta.input.peek(syn::token::Paren) {
        return Ok(true);
    }
    let path = &meta.path;
    let name = path_name(path);
    let value = skip_option_value(meta)?;
    cx.error_spanned_by(
        quote!(#path #value),
        format!("`{name}` takes no value: write #[{attribute}({name})]"),
    );
    Ok(true)
}

/// Consumes the rest of an option whatever it is (`= <expr>`, `(...)` or nothing), so that
/// parsing can go on after an error; returns what was consumed.
fn skip_option_value(meta: &ParseNestedMeta) -> syn::Result<TokenStream> {
    if meta.input.peek(Token![=]) {
        let eq: Token![=] = meta.input.parse()?;
        let value = skip_value(meta.input)?;
        Ok(quote!(#eq #value))
    } else if meta.input.peek(syn::token::Paren) {
        let group: proc_macro2::Group = meta.input.parse()?;
        Ok(group.into_token_stream())
    } else {
        Ok(TokenStream::new())
    }
}

/// Consumes one option value: every token up to the next top-level comma.
fn skip_value(input: ParseStream) -> syn::Result<TokenStream> {
    input.step(|cursor| {
        let mut rest = *cursor;
        let mut tokens = TokenStream::new();
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            tokens.extend([tt]);
            rest = next;
        }
        Ok((tokens, rest))
    })
}

fn check_not_empty(cx: &Ctxt, lit: &LitStr, option: &str) {
    if lit.value().trim().is_empty() {
        cx.error_spanned_by(lit, format!("`{option}` cannot be empty"));
    }
}

/// An unknown column `on_delete`; a relationship-only rule (`"protect"`) says where it goes.
fn bad_on_delete(found: &str) -> String {
    let hint = match RelationshipOnDelete::from_str(found) {
        Some(_) => format!(
            "\"{found}\" is applied by the ORM, not the database: it belongs in \
             #[relationship(on_delete = \"{found}\")] on the referenced model's relationship \
             field; "
        ),
        None => suggest::did_you_mean(found, names(OnDelete::VALUES)),
    };
    format!(
        "unknown on_delete action \"{found}\": {hint}`on_delete` accepts {}",
        quoted_list(OnDelete::VALUES)
    )
}

/// An unknown relationship `on_delete`; the column-only `"no action"` says what to write.
fn bad_relationship_on_delete(found: &str) -> String {
    let hint = match OnDelete::from_str(found) {
        Some(_) => format!(
            "\"{found}\" is a database action: to leave the related rows to the database's \
             ON DELETE, write `passive_deletes = true`; "
        ),
        None => suggest::did_you_mean(found, names(RelationshipOnDelete::VALUES)),
    };
    format!(
        "unknown on_delete action \"{found}\": {hint}#[relationship(on_delete = ...)] accepts {}",
        quoted_list(RelationshipOnDelete::VALUES)
    )
}

/// The spellings of a table of options or values.
fn names<T>(table: &'static [(&'static str, T)]) -> impl Iterator<Item = &'static str> {
    table.iter().map(|&(name, _)| name)
}

/// `"a", "b", "c"`.
fn quoted_list<T>(table: &[(&str, T)]) -> String {
    let quoted: Vec<String> = table
        .iter()
        .map(|(name, _)| format!("\"{name}\""))
        .collect();
    quoted.join(", ")
}

/// `"parent"` → `Parent`, for "write `foreign_key = Parent`".
fn suggest_type_name(text: &str) -> String {
    if text.contains("::") && syn::parse_str::<Path>(text).is_ok() {
        return text.to_owned();
    }
    if syn::parse_str::<syn::Ident>(text).is_err() {
        return "Type".to_owned();
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Type".to_owned(),
    }
}

fn path_name(path: &Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}

/// Where an attribute was found, for unknown-option messages.
#[derive(Clone, Copy)]
enum Scope {
    Container,
    Column,
    Relationship,
}

impl Scope {
    fn options(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Scope::Container => CONTAINER_OPTIONS,
            Scope::Column => COLUMN_OPTIONS,
            Scope::Relationship => RELATIONSHIP_OPTIONS,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Scope::Container => "#[model(...)] on a struct",
            Scope::Column => "#[model(...)] on a field",
            Scope::Relationship => "#[relationship(...)]",
        }
    }

    /// Where an option that does not belong here does belong.
    fn belongs_elsewhere(self, name: &str) -> Option<String> {
        let find = |options: &'static [(&'static str, &'static str)]| {
            options
                .iter()
                .find(|&&(option, _)| option == name)
                .map(|&(_, syntax)| syntax)
        };
        let column = find(COLUMN_OPTIONS).is_some();
        let relationship = find(RELATIONSHIP_OPTIONS).is_some();
        match (self, find(CONTAINER_OPTIONS)) {
            (Scope::Column | Scope::Relationship, Some(syntax)) => {
                Some(format!("belongs on the struct: #[model({syntax})]"))
            }
            (Scope::Container, _) if column => Some(format!(
                "belongs on a field: #[model(...)] on the struct accepts only {}",
                accepted(CONTAINER_OPTIONS)
            )),
            (Scope::Container, _) if relationship => Some(
                "belongs in #[relationship(...)] on a Vec<T>, Option<T> or Option<Box<T>> field"
                    .to_owned(),
            ),
            (Scope::Column, _) if relationship => Some(
                "is a relationship option: it belongs in #[relationship(...)] on a Vec<T>, \
                 Option<T> or Option<Box<T>> field"
                    .to_owned(),
            ),
            (Scope::Relationship, _) if column => {
                Some("is a column option: it belongs in #[model(...)] on a column field".to_owned())
            }
            _ => None,
        }
    }
}

/// `` `a = "..."`, `b` ``: the options of a scope as they are written.
fn accepted(options: &[(&str, &str)]) -> String {
    let accepted: Vec<String> = options
        .iter()
        .map(|&(_, syntax)| format!("`{syntax}`"))
        .collect();
    accepted.join(", ")
}

/// Records an unknown option at its name, with what the scope accepts, and skips its value.
fn unknown_option(cx: &Ctxt, meta: &ParseNestedMeta, scope: Scope) -> syn::Result<()> {
    let name = path_name(&meta.path);
    let message = match scope.belongs_elsewhere(&name) {
        Some(place) => format!("`{name}` {place}"),
        None => {
            let options = scope.options();
            format!(
                "unknown option `{name}`: {}{} accepts {}",
                suggest::did_you_mean(&name, names(options)),
                scope.describe(),
                accepted(options)
            )
        }
    };
    cx.error_spanned_by(&meta.path, message);
    skip_option_value(meta).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn column(attrs: &[Attribute]) -> (Column, Vec<String>) {
        let cx = Ctxt::new();
        let column = Column::from_ast(&cx, attrs);
        (column, errors(cx))
    }

    fn relationship(attrs: &[Attribute]) -> (Option<Relationship>, Vec<String>) {
        let cx = Ctxt::new();
        let relationship = Relationship::from_ast(&cx, attrs);
        (relationship, errors(cx))
    }

    fn errors(cx: Ctxt) -> Vec<String> {
        match cx.check() {
            Ok(()) => Vec::new(),
            Err(err) => err.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn column_options() {
        let (c, errors) = column(&[
            parse_quote!(#[model(primary_key, column = "pid", unique)]),
            parse_quote!(#[model(foreign_key = Parent, on_delete = "set default", default = 1 + 2, index)]),
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(c.primary_key.is_some() && c.unique.is_some() && c.index.is_some());
        assert_eq!(c.column.map(|s| s.value.value()).as_deref(), Some("pid"));
        assert_eq!(c.on_delete.map(|s| s.value), Some(OnDelete::SetDefault));
        assert_eq!(
            c.default
                .map(|d| d.value.to_token_stream().to_string())
                .as_deref(),
            Some("1 + 2")
        );
        assert!(c.foreign_key.is_some());
    }

    #[test]
    fn no_attribute_means_no_options() {
        let (c, errors) = column(&[parse_quote!(#[doc = "x"])]);
        assert!(errors.is_empty());
        assert!(c.attr.is_none() && c.primary_key.is_none() && c.column.is_none());
        let (r, errors) = relationship(&[parse_quote!(#[model(primary_key)])]);
        assert!(errors.is_empty() && r.is_none());
    }

    #[test]
    fn relationship_options() {
        let (r, errors) = relationship(&[parse_quote!(#[relationship(
            cascade = "all, delete-orphan",
            foreign_key = "parent_id",
            secondary = Link,
            passive_deletes = "all",
            back_populates = "parent",
            single_parent = true,
            on_delete = "set default",
        )])]);
        assert!(errors.is_empty(), "{errors:?}");
        let r = r.expect("a relationship");
        assert_eq!(
            r.on_delete.map(|o| o.value),
            Some(RelationshipOnDelete::SetDefault)
        );
        assert_eq!(
            r.cascade.map(|c| c.value),
            Some(Cascade::ALL.union(Cascade::DELETE_ORPHAN))
        );
        assert_eq!(
            r.passive_deletes.map(|p| p.value),
            Some(PassiveDeletes::All)
        );
        assert_eq!(r.single_parent.map(|p| p.value), Some(true));
        assert_eq!(
            r.back_populates.map(|b| b.value.value()).as_deref(),
            Some("parent")
        );
        assert!(r.secondary.is_some() && r.foreign_key.is_some());
    }

    #[test]
    fn bare_relationship_has_defaults() {
        let (r, errors) = relationship(&[parse_quote!(#[relationship])]);
        assert!(errors.is_empty());
        let r = r.expect("a relationship");
        assert!(r.cascade.is_none() && r.passive_deletes.is_none());
    }

    #[test]
    fn errors_are_collected_across_options_and_attributes() {
        let (_, errors) = column(&[
            parse_quote!(#[model(primary_key = true, colum = "x", on_delete = "sett null")]),
            parse_quote!(#[model(unique, unique, cascade = "all")]),
        ]);
        assert_eq!(
            errors,
            [
                "`primary_key` takes no value: write #[model(primary_key)]",
                "unknown option `colum`: did you mean `column`? #[model(...)] on a field accepts \
                 `primary_key`, `column = \"name\"`, `foreign_key = Type`, \
                 `references = \"column\"`, `on_delete = \"...\"`, `default = <expr>`, `unique`, \
                 `index`",
                "unknown on_delete action \"sett null\": did you mean `set null`? `on_delete` \
                 accepts \"cascade\", \"set null\", \"set default\", \"restrict\", \"no action\"",
                "duplicate option `unique` in #[model(...)]: it may be given only once",
                "`cascade` is a relationship option: it belongs in #[relationship(...)] on a \
                 Vec<T>, Option<T> or Option<Box<T>> field",
            ]
        );
    }

    #[test]
    fn bad_relationship_values() {
        let (_, errors) = relationship(&[parse_quote!(#[relationship(
            cascade = "delte",
            passive_deletes = "some",
            foreign_key = Parent,
            secondary = "link",
            single_parent = 1,
        )])]);
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(errors[0].starts_with("unknown cascade word `delte`: did you mean `delete`?"));
        assert_eq!(
            errors[1],
            "invalid `passive_deletes`: expected `true`, `false` or `\"all\"`"
        );
        assert!(
            errors[2].starts_with("#[relationship(foreign_key = ...)] names the joining column")
        );
        assert!(
            errors[3].ends_with("write `secondary = Link`"),
            "{}",
            errors[3]
        );
        assert_eq!(
            errors[4],
            "invalid `single_parent`: expected `true` or `false`"
        );
    }

    /// Each table of values: every spelling parses to its value and back.
    #[test]
    fn on_delete_values() {
        for &(name, action) in RelationshipOnDelete::VALUES {
            assert_eq!(RelationshipOnDelete::from_str(name), Some(action));
            assert_eq!(action.name(), name);
        }
        for &(name, action) in OnDelete::VALUES {
            assert_eq!(OnDelete::from_str(name), Some(action));
        }
        assert_eq!(RelationshipOnDelete::from_str("no action"), None);
        assert_eq!(OnDelete::from_str("protect"), None);
        // SQL's spelling, in any case, with any spacing.
        assert_eq!(OnDelete::from_str("CASCADE"), Some(OnDelete::Cascade));
        assert_eq!(OnDelete::from_str("SET  NULL"), Some(OnDelete::SetNull));
        assert_eq!(OnDelete::from_str(" No Action "), Some(OnDelete::NoAction));
        assert_eq!(
            RelationshipOnDelete::from_str("Protect"),
            Some(RelationshipOnDelete::Protect)
        );
        assert_eq!(OnDelete::from_str("set_null"), None);
    }

    #[test]
    fn bad_on_delete_values_say_which_option_takes_them() {
        let (_, errors) = relationship(&[parse_quote!(#[relationship(
            on_delete = "protected",
            on_delete = "no action",
            on_delete = "nothing",
        )])]);
        assert_eq!(
            errors,
            [
                "unknown on_delete action \"protected\": did you mean `protect`? \
                 #[relationship(on_delete = ...)] accepts \"cascade\", \"protect\", \"restrict\", \
                 \"set null\", \"set default\"",
                "unknown on_delete action \"no action\": \"no action\" is a database action: to \
                 leave the related rows to the database's ON DELETE, write \
                 `passive_deletes = true`; #[relationship(on_delete = ...)] accepts \"cascade\", \
                 \"protect\", \"restrict\", \"set null\", \"set default\"",
                "unknown on_delete action \"nothing\": #[relationship(on_delete = ...)] accepts \
                 \"cascade\", \"protect\", \"restrict\", \"set null\", \"set default\"",
            ]
        );
        let (_, errors) = column(&[parse_quote!(#[model(foreign_key = P, on_delete = "protect")])]);
        assert_eq!(
            errors,
            [
                "unknown on_delete action \"protect\": \"protect\" is applied by the ORM, not the \
              database: it belongs in #[relationship(on_delete = \"protect\")] on the referenced \
              model's relationship field; `on_delete` accepts \"cascade\", \"set null\", \
              \"set default\", \"restrict\", \"no action\""
            ]
        );
    }

    #[test]
    fn duplicate_relationship_on_delete() {
        let (r, errors) = relationship(&[parse_quote!(#[relationship(
            on_delete = "protect",
            on_delete = "cascade",
        )])]);
        assert_eq!(
            errors,
            ["duplicate option `on_delete` in #[relationship(...)]: it may be given only once"]
        );
        let r = r.expect("a relationship");
        assert_eq!(
            r.on_delete.map(|o| o.value),
            Some(RelationshipOnDelete::Protect)
        );
    }

    #[test]
    fn container_options() {
        let cx = Ctxt::new();
        let c = Container::from_ast(&cx, &[parse_quote!(#[model(table = "posts")])]);
        assert_eq!(c.table.map(|t| t.value.value()).as_deref(), Some("posts"));
        assert!(c.hooks.is_none());
        assert!(cx.check().is_ok());

        let cx = Ctxt::new();
        let c = Container::from_ast(&cx, &[parse_quote!(#[model(table = "posts", hooks)])]);
        assert!(c.table.is_some() && c.hooks.is_some());
        assert!(cx.check().is_ok());

        let cx = Ctxt::new();
        let c = Container::from_ast(
            &cx,
            &[
                parse_quote!(#[model(hooks)]),
                parse_quote!(#[model(hooks = true, hook)]),
            ],
        );
        assert!(c.hooks.is_some());
        assert_eq!(
            errors(cx),
            [
                "`hooks` takes no value: write #[model(hooks)]",
                "duplicate option `hooks` in #[model(...)]: it may be given only once",
                "unknown option `hook`: did you mean `hooks`? #[model(...)] on a struct accepts \
                 `table = \"name\"`, `hooks`, `crate = \"path\"`",
            ]
        );

        let cx = Ctxt::new();
        Container::from_ast(
            &cx,
            &[parse_quote!(#[model(tabel = "x", primary_key, table = "")])],
        );
        assert_eq!(
            errors(cx),
            [
                "unknown option `tabel`: did you mean `table`? #[model(...)] on a struct accepts \
                 `table = \"name\"`, `hooks`, `crate = \"path\"`",
                "`primary_key` belongs on a field: #[model(...)] on the struct accepts only \
                 `table = \"name\"`, `hooks`, `crate = \"path\"`",
                "`table` cannot be empty",
            ]
        );
    }

    #[test]
    fn options_in_the_wrong_scope_say_where_they_belong() {
        let (_, found) = column(&[parse_quote!(#[model(hooks, table = "t", secondary = X)])]);
        assert_eq!(
            found,
            [
                "`hooks` belongs on the struct: #[model(hooks)]",
                "`table` belongs on the struct: #[model(table = \"name\")]",
                "`secondary` is a relationship option: it belongs in #[relationship(...)] on a \
                 Vec<T>, Option<T> or Option<Box<T>> field",
            ]
        );
        let (_, found) = relationship(&[parse_quote!(#[relationship(hooks, index)])]);
        assert_eq!(
            found,
            [
                "`hooks` belongs on the struct: #[model(hooks)]",
                "`index` is a column option: it belongs in #[model(...)] on a column field",
            ]
        );
        let cx = Ctxt::new();
        Container::from_ast(
            &cx,
            &[parse_quote!(#[model(cascade = "all", on_delete = "x")])],
        );
        assert_eq!(
            errors(cx),
            [
                "`cascade` belongs in #[relationship(...)] on a Vec<T>, Option<T> or \
                 Option<Box<T>> field",
                "`on_delete` belongs on a field: #[model(...)] on the struct accepts only \
                 `table = \"name\"`, `hooks`, `crate = \"path\"`",
            ]
        );
    }

    #[test]
    fn strings_where_types_belong_suggest_the_type() {
        assert_eq!(suggest_type_name("parent"), "Parent");
        assert_eq!(suggest_type_name("crate::Parent"), "crate::Parent");
        assert_eq!(suggest_type_name("not a type"), "Type");
        assert_eq!(suggest_type_name(""), "Type");
    }
}
