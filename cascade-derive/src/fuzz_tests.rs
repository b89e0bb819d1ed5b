//! Property tests: the parsers never panic, whatever they are given.
//!
//! - `cascade::parse` over arbitrary strings and over lists built from its own words (and
//!   near misses): it agrees with a plain model of the syntax, and every accepted list
//!   round-trips through the canonical words of its set (the terms the generated code writes).
//! - The whole derive, `expand::derive`, over random structs whose `#[model(...)]` and
//!   `#[relationship(...)]` hold random option lists (known and unknown names, literals,
//!   types, expressions, nested lists, missing `=`, stray and trailing commas) or random token
//!   soup, on random struct shapes. Inputs syn cannot parse are skipped, as rustc would reject
//!   them before the derive runs. The derive must return tokens that parse as items — the
//!   expansion, or compile errors and the stub — and never panic.
//!
//! `PROPTEST_CASES=100000 cargo test -p cascade-derive fuzz` runs longer.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use syn::DeriveInput;

use crate::cascade::{self, Cascade};
use crate::expand;

/// `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}

fn config(default: u32) -> Config {
    Config {
        cases: cases(default),
        ..Config::default()
    }
}

// --- The cascade words ---------------------------------------------------------------------

/// Every word, with the set it stands for: written out again here, as the model the parser
/// is checked against.
const WORDS: &[(&str, Cascade)] = &[
    ("save-update", Cascade::SAVE_UPDATE),
    ("merge", Cascade::MERGE),
    ("expunge", Cascade::EXPUNGE),
    ("delete", Cascade::DELETE),
    ("delete-orphan", Cascade::DELETE_ORPHAN),
    ("refresh-expire", Cascade::REFRESH_EXPIRE),
    ("all", Cascade::ALL),
    ("none", Cascade::NONE),
];

/// What `parse` should return: words separated by commas, trimmed, each known, none twice,
/// `none` alone.
fn model(list: &str) -> Option<Cascade> {
    if list.trim().is_empty() {
        return None;
    }
    let words: Vec<&str> = list.split(',').map(str::trim).collect();
    let mut set = Cascade::NONE;
    for (i, word) in words.iter().enumerate() {
        let &(_, flags) = WORDS.iter().find(|(known, _)| known == word)?;
        if words[..i].contains(word) {
            return None;
        }
        set = set.union(flags);
    }
    if words.contains(&"none") && words.len() > 1 {
        return None;
    }
    Some(set)
}

/// The canonical words of a set, from the runtime constants the generated code names.
fn canonical(set: Cascade) -> String {
    let words: Vec<&str> = set
        .terms()
        .into_iter()
        .map(|term| match term {
            "NONE" => "none",
            "DEFAULT" => "save-update, merge",
            "ALL" => "all",
            "SAVE_UPDATE" => "save-update",
            "MERGE" => "merge",
            "EXPUNGE" => "expunge",
            "DELETE" => "delete",
            "DELETE_ORPHAN" => "delete-orphan",
            "REFRESH_EXPIRE" => "refresh-expire",
            other => panic!("a term with no word: {other}"),
        })
        .collect();
    words.join(", ")
}

fn check_cascade(list: &str) -> Result<(), TestCaseError> {
    let parsed = cascade::parse(list);
    prop_assert_eq!(parsed.as_ref().ok().copied(), model(list), "{:?}", list);
    match parsed {
        Ok(set) => {
            let words = canonical(set);
            prop_assert_eq!(cascade::parse(&words), Ok(set), "{:?} -> {:?}", list, words);
            prop_assert_eq!(canonical(set), words);
        }
        Err(err) => prop_assert!(!err.to_string().is_empty()),
    }
    Ok(())
}

/// A word, a near miss, or anything at all.
fn cascade_word() -> BoxedStrategy<String> {
    prop_oneof![
        6 => prop::sample::select(WORDS.iter().map(|&(word, _)| word).collect::<Vec<_>>())
            .prop_map(str::to_owned),
        2 => prop::sample::select(vec![
            "delte", "Delete", "DELETE", "save_update", "al", "nnone", "delete orphan",
            "delete-", "-", "\u{a0}all", "all\u{200b}", "ａｌｌ", "ß", "İ", "\0",
        ])
        .prop_map(str::to_owned),
        1 => "\\PC{0,12}",
        1 => any::<String>(),
    ]
    .boxed()
}

/// Words and separators, mostly commas.
fn cascade_list() -> impl Strategy<Value = String> {
    let separator = prop::sample::select(vec![
        ",",
        ", ",
        " ,",
        " , ",
        ",,",
        ", ,",
        " ",
        "\t,\n",
        "",
        ";",
        "\u{3000},",
    ]);
    (
        prop::collection::vec((cascade_word(), separator), 0..7),
        prop::sample::select(vec!["", " ", ",", "\n"]),
    )
        .prop_map(|(parts, end)| {
            let mut list: String = parts
                .into_iter()
                .flat_map(|(word, separator)| [word, separator.to_owned()])
                .collect();
            list.push_str(end);
            list
        })
}

#[test]
fn cascade_parse_never_panics_on_arbitrary_strings() {
    let mut runner = TestRunner::new(config(4_000));
    runner
        .run(&any::<String>(), |list| check_cascade(&list))
        .unwrap();
}

#[test]
fn cascade_parse_agrees_with_the_model_and_round_trips() {
    let mut runner = TestRunner::new(config(8_000));
    runner
        .run(&cascade_list(), |list| check_cascade(&list))
        .unwrap();
}

/// Every set of flags has canonical words that parse back to it (not only those random
/// lists happened to reach).
#[test]
fn every_cascade_set_round_trips() {
    let flags: Vec<Cascade> = WORDS[..6].iter().map(|&(_, flags)| flags).collect();
    for bits in 0u32..(1 << flags.len()) {
        let set = flags
            .iter()
            .enumerate()
            .filter(|&(i, _)| bits & (1 << i) != 0)
            .fold(Cascade::NONE, |set, (_, &flag)| set.union(flag));
        assert_eq!(cascade::parse(&canonical(set)), Ok(set), "{set:?}");
    }
}

// --- The whole derive ----------------------------------------------------------------------

/// A choice among source fragments.
fn one_of(fragments: &[&'static str]) -> BoxedStrategy<String> {
    prop::sample::select(fragments.to_vec())
        .prop_map(str::to_owned)
        .boxed()
}

/// Option names: every option of every scope, and names no scope knows.
fn option_name() -> BoxedStrategy<String> {
    prop_oneof![
        4 => one_of(&[
            "table", "hooks", "primary_key", "column", "foreign_key", "on_delete", "default",
            "unique", "index", "cascade", "secondary", "passive_deletes", "back_populates",
            "single_parent",
        ]),
        1 => one_of(&[
            "colum", "tabel", "primary", "foo", "r#type", "r#table", "a::b", "::x", "self",
            "crate::column", "Column", "_", "cascade_", "on_delete_",
        ]),
    ]
    .boxed()
}

/// String contents: the values options accept, near misses, and odd text.
fn string_content() -> BoxedStrategy<String> {
    prop_oneof![
        3 => one_of(&[
            "all", "all, delete-orphan", "save-update, merge", "none", "delete", "delte",
            "none, delete", "", " ", "cascade", "set null", "set default", "restrict",
            "no action", "protect", "sett null", "parent_id", "children", "Parent", "x y",
            "\"", "'", "\\", "order", "select", "my \"table\"", "a::b", "1", "true",
        ]),
        1 => "\\PC{0,10}",
    ]
    .boxed()
}

/// A literal, as source text.
fn literal() -> BoxedStrategy<String> {
    prop_oneof![
        4 => string_content().prop_map(|s| format!("{s:?}")),
        1 => any::<i64>().prop_map(|i| i.to_string()),
        1 => one_of(&[
            "true", "false", "1.5", "1e10", "0", "1u8", "'c'", "b'c'", "b\"bytes\"",
            "r\"raw\"", "r#\"raw \" quote\"#", "c\"cstr\"", "1_000i64", "0x_ff",
        ]),
    ]
    .boxed()
}

/// A type, as source text.
fn type_() -> BoxedStrategy<String> {
    one_of(&[
        "i64",
        "i32",
        "f64",
        "bool",
        "String",
        "Vec<u8>",
        "Option<i64>",
        "Option<String>",
        "Parent",
        "Child",
        "Self",
        "crate::models::Parent",
        "::std::string::String",
        "Vec<Child>",
        "Vec<Self>",
        "Option<Box<Self>>",
        "Option<Child>",
        "Option<Box<E>>",
        "::std::vec::Vec<crate::Child>",
        "std::option::Option<std::boxed::Box<Node>>",
        "HashMap<i64, Child>",
        "Box<Child>",
        "&'static str",
        "[u8; 4]",
        "(i64, i64)",
        "()",
        "T",
        "Vec",
        "Option",
        "Option<Option<i64>>",
        "Vec<Vec<Child>>",
        "Vec<Child, A>",
        "fn() -> i64",
        "impl Copy",
        "dyn Fn()",
        "_",
        "!",
        "<X as Y>::Z",
        "Option<(i64)>",
    ])
}

/// An expression, as source text.
fn expression() -> BoxedStrategy<String> {
    prop_oneof![
        1 => literal(),
        1 => one_of(&[
            "1 + 2", "-1", "foo()", "String::new()", "vec![1]", "{ 1 }", "|| 1",
            "if x { 1 } else { 2 }", "[1, 2]", "(1, 2)", "\"a\".to_owned()", "Self::X",
            "<X as Y>::Z", "x as i64", "&1", "..", "loop {}", "async {}", "a = b",
        ]),
    ]
    .boxed()
}

/// Random but balanced tokens: anything may sit inside an attribute's parentheses.
fn token_soup() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        3 => option_name(),
        2 => literal(),
        3 => one_of(&[
            "=", ",", ",", ":", "::", ";", "#", "!", "?", ".", "-", "+", "*", "/", "&", "|",
            "<", ">", "@", "$", "~", "^", "%", "=>", "->", "'a", "r#fn", "Self", "self",
        ]),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        (
            prop::collection::vec(inner, 0..6),
            one_of(&["( {} )", "[ {} ]", "{ {} }", "{}"]),
        )
            .prop_map(|(tokens, group)| group.replace("{}", &tokens.join(" ")))
    })
    .boxed()
}

/// An option with a value of the kind it takes (right or wrong), so that every branch of
/// every option parser is reached often.
fn typed_option() -> BoxedStrategy<String> {
    prop_oneof![
        3 => one_of(&[
            "table = \"t\"", "table = \"\"", "table = \" \"", "table = t", "table",
            "hooks", "hooks = true", "hooks(x)",
            "primary_key", "primary_key = true", "primary_key()",
            "column = \"c\"", "column = \"\"", "column = c", "column", "column(\"c\")",
            "foreign_key = Parent", "foreign_key = Self", "foreign_key = \"parent\"",
            "foreign_key = \"parent_id\"", "foreign_key = \"\"", "foreign_key = crate::P",
            "foreign_key = 1", "foreign_key", "foreign_key = Vec<P>",
            "on_delete = \"cascade\"", "on_delete = \"set null\"",
            "on_delete = \"set default\"", "on_delete = \"restrict\"",
            "on_delete = \"no action\"", "on_delete = \"protect\"", "on_delete = \"\"",
            "on_delete = cascade", "on_delete",
            "default = 1", "default = \"x\"", "default = 1 + 2", "default = String::new()",
            "default = ", "default", "default = vec![0u8]",
            "unique", "unique = false", "index", "index(1)",
            "cascade = \"all\"", "cascade = \"all, delete-orphan\"", "cascade = \"none\"",
            "cascade = \"delete-orphan\"", "cascade = \"delete, delete-orphan\"",
            "cascade = \"\"", "cascade = \"delete,\"", "cascade = all", "cascade",
            "secondary = Link", "secondary = \"link\"", "secondary = Self", "secondary",
            "passive_deletes = true", "passive_deletes = false", "passive_deletes = \"all\"",
            "passive_deletes = \"some\"", "passive_deletes = 1", "passive_deletes",
            "back_populates = \"parent\"", "back_populates = \"\"", "back_populates = p",
            "single_parent", "single_parent = true", "single_parent = false",
            "single_parent = 1", "single_parent = \"yes\"", "single_parent(true)",
        ]),
        1 => (
            one_of(&["table", "column", "on_delete", "cascade", "back_populates", "foreign_key"]),
            string_content(),
        )
            .prop_map(|(name, value)| format!("{name} = {value:?}")),
    ]
    .boxed()
}

/// One option: `name`, `name = value`, `name(...)`, a missing or doubled `=`.
fn option() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        8 => typed_option(),
        2 => option_name(),
        6 => (option_name(), literal()).prop_map(|(n, v)| format!("{n} = {v}")),
        2 => (option_name(), type_()).prop_map(|(n, t)| format!("{n} = {t}")),
        1 => (option_name(), expression()).prop_map(|(n, e)| format!("{n} = {e}")),
        1 => option_name().prop_map(|n| format!("{n} =")),
        1 => (option_name(), literal()).prop_map(|(n, v)| format!("{n} = = {v}")),
        1 => (option_name(), literal()).prop_map(|(n, v)| format!("{n} {v}")),
        1 => literal(),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        (option_name(), prop::collection::vec(inner, 0..4))
            .prop_map(|(name, nested)| format!("{name}({})", nested.join(", ")))
    })
    .boxed()
}

/// Options separated by commas, sometimes not, sometimes with a trailing one.
fn option_list() -> BoxedStrategy<String> {
    (
        prop::collection::vec(
            (option(), one_of(&[", ", ", ", ", ", ",", " ", ",, "])),
            0..5,
        ),
        one_of(&["", "", ",", " ,"]),
    )
        .prop_map(|(options, end)| {
            let mut list = String::new();
            for (i, (option, separator)) in options.iter().enumerate() {
                if i > 0 {
                    list.push_str(separator);
                }
                list.push_str(option);
            }
            list.push_str(&end);
            list
        })
        .boxed()
}

/// An attribute: ours with random options or random tokens, ours malformed, or another.
fn attribute() -> BoxedStrategy<String> {
    let ours = one_of(&["model", "relationship"]);
    prop_oneof![
        8 => (ours.clone(), option_list()).prop_map(|(a, list)| format!("#[{a}({list})]")),
        2 => (ours.clone(), token_soup()).prop_map(|(a, soup)| format!("#[{a}({soup})]")),
        1 => (ours.clone(), literal()).prop_map(|(a, v)| format!("#[{a} = {v}]")),
        1 => (ours.clone(), option_list()).prop_map(|(a, list)| format!("#[{a}[{list}]]")),
        1 => ours.prop_map(|a| format!("#[{a}]")),
        4 => one_of(&[
            "#[model(primary_key)]",
            "#[model(primary_key)]",
            "#[model(foreign_key = Parent)]",
            "#[model(column = \"group\")]",
            "#[relationship(cascade = \"all, delete-orphan\")]",
            "#[relationship(secondary = Link)]",
            "#[relationship]",
            "#[doc = \"a field\"]",
            "#[serde(rename = \"x\")]",
            "#[cfg(any())]",
            "#[model::x]",
        ]),
    ]
    .boxed()
}

fn field() -> BoxedStrategy<String> {
    (
        prop::collection::vec(attribute(), 0..3),
        one_of(&["", "", "pub ", "pub(crate) "]),
        one_of(&[
            "id",
            "id",
            "name",
            "parent_id",
            "children",
            "r#type",
            "r#match",
            "key",
            "row",
            "session",
            "clause",
            "params",
            "self_",
            "x",
        ]),
        type_(),
    )
        .prop_map(|(attributes, vis, name, ty)| {
            format!("{} {vis}{name}: {ty}", attributes.join(" "))
        })
        .boxed()
}

/// A struct of any shape (or an enum, or a union) with random attributes.
fn derive_input() -> BoxedStrategy<String> {
    let container = prop::collection::vec(attribute(), 0..3).prop_map(|a| a.join(" "));
    let name = one_of(&[
        "E", "E", "Parent", "P", "T", "Node", "r#Match", "Model", "Key", "Vec", "Self_",
    ]);
    let generics = one_of(&[
        "",
        "",
        "",
        "",
        "<T>",
        "<'a>",
        "<T: Copy>",
        "<const N: usize>",
        "<T = i64>",
    ]);
    let where_clause = one_of(&["", "", "", "", "where T: Copy", "where i64: Copy"]);
    let named = (
        container.clone(),
        name.clone(),
        generics,
        where_clause,
        prop::collection::vec(field(), 0..6),
        one_of(&["", ","]),
    )
        .prop_map(|(attributes, name, generics, where_clause, fields, end)| {
            format!(
                "{attributes} pub struct {name}{generics} {where_clause} {{ {}{end} }}",
                fields.join(", ")
            )
        });
    let other = (
        container,
        name,
        one_of(&[
            "struct {}(i64);",
            "struct {}(#[model(primary_key)] i64, String);",
            "struct {};",
            "enum {} { A, B(i64), C { #[model(primary_key)] id: i64 } }",
            "enum {} {}",
            "union {} { #[model(primary_key)] id: i64, b: f64 }",
        ]),
    )
        .prop_map(|(attributes, name, shape)| {
            format!("{attributes} {}", shape.replacen("{}", &name, 1))
        });
    prop_oneof![6 => named, 1 => other, 3 => well_formed()].boxed()
}

/// A struct made of right fields (each under its own name and column), where one attribute
/// may be replaced by a random one: close to the inputs the derive accepts.
fn well_formed() -> BoxedStrategy<String> {
    let container = prop_oneof![
        2 => one_of(&[
            "",
            "#[model(table = \"t\")]",
            "#[model(hooks)]",
            "#[model(table = \"my \\\"t\\\" x\", hooks)]",
        ]),
        1 => string_content().prop_map(|table| format!("#[model(table = {table:?})]")),
    ];
    // Odd column names, as far as the generated code.
    let odd_column = (
        string_content(),
        one_of(&[
            "",
            ", unique",
            ", index",
            ", primary_key",
            ", default = \"'\"",
        ]),
    )
        .prop_map(|(column, more)| format!("#[model(column = {column:?}{more})] q{{i}}: String"));
    // `{i}` makes names unique.
    let field = prop_oneof![3 => one_of(&[
        "name{i}: String",
        "#[model(column = \"group {i}\")] g{i}: Option<String>",
        "#[model(foreign_key = Parent, on_delete = \"cascade\")] parent{i}: i64",
        "#[model(foreign_key = Parent, on_delete = \"set null\")] p{i}: Option<i64>",
        "#[model(default = 1, foreign_key = Self, on_delete = \"set default\")] d{i}: i64",
        "#[model(unique, index)] u{i}: Vec<u8>",
        "#[relationship(cascade = \"all, delete-orphan\")] children{i}: Vec<Child>",
        "#[relationship(secondary = Link, cascade = \"all\")] tags{i}: Vec<Tag>",
        "#[relationship(passive_deletes = true)] files{i}: Vec<File>",
        "#[relationship(on_delete = \"protect\")] c{i}: ::std::vec::Vec<C>",
        "#[relationship(cascade = \"save-update, delete\")] up{i}: Option<Box<Self>>",
        "#[relationship(foreign_key = \"p{i}\", back_populates = \"x\")] o{i}: Option<P>",
    ]), 1 => odd_column];
    (
        container,
        prop::collection::vec(field, 0..6),
        prop::option::weighted(0.5, (any::<prop::sample::Index>(), attribute())),
    )
        .prop_map(|(container, fields, mutation)| {
            let mut fields: Vec<String> = std::iter::once("#[model(primary_key)] id: i64".into())
                .chain(fields)
                .enumerate()
                .map(|(i, field)| field.replace("{i}", &i.to_string()))
                .collect();
            if let Some((index, attribute)) = mutation {
                let at = index.index(fields.len());
                let field = &mut fields[at];
                *field = match field.strip_prefix("#[") {
                    Some(rest) => format!("{attribute} {}", &rest[rest.find("] ").unwrap() + 2..]),
                    None => format!("{attribute} {field}"),
                };
            }
            format!("{container} pub struct E {{ {} }}", fields.join(", "))
        })
        .boxed()
}

/// What the derive made of one input.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Outcome {
    /// syn rejects it: rustc would, before the derive runs.
    Skipped,
    /// Compile errors (and the stub).
    Errors,
    /// The expansion.
    Expanded,
}

fn expand_source(source: &str) -> Result<Outcome, TestCaseError> {
    let Ok(input) = syn::parse_str::<DeriveInput>(source) else {
        return Ok(Outcome::Skipped);
    };
    let expanded = expand::derive(&input);
    let text = expanded.to_string();
    prop_assert_eq!(
        expand::derive(&input).to_string(),
        text.clone(),
        "not deterministic"
    );
    if let Err(err) = syn::parse2::<syn::File>(expanded) {
        return Err(TestCaseError::fail(format!(
            "the expansion of\n{source}\nis not items ({err}):\n{text}"
        )));
    }
    if text.contains("compile_error") {
        Ok(Outcome::Errors)
    } else {
        prop_assert!(
            text.contains("impl _cascade :: Model for"),
            "no error and no impl for\n{}\n{}",
            source,
            text
        );
        Ok(Outcome::Expanded)
    }
}

#[test]
fn the_derive_never_panics_on_random_attributes() {
    let mut runner = TestRunner::new(config(3_000));
    runner
        .run(&derive_input(), |source| expand_source(&source).map(drop))
        .unwrap();
}

/// Option lists alone, in every place an attribute goes, on a struct that is otherwise
/// right: most of the random options reach the option parsers rather than other checks.
#[test]
fn the_derive_never_panics_on_random_options_on_a_valid_struct() {
    let source = (option_list(), option_list(), option_list(), option_list()).prop_map(
        |(container, key, column, relationship)| {
            format!(
                "#[model({container})] struct E {{ #[model(primary_key, {key})] id: i64, \
                 #[model({column})] parent_id: Option<i64>, \
                 #[relationship({relationship})] children: Vec<E> }}"
            )
        },
    );
    let mut runner = TestRunner::new(config(2_000));
    runner
        .run(&source, |source| expand_source(&source).map(drop))
        .unwrap();
}

/// The generator is worth its cases: it reaches skipped inputs, errors and expansions.
#[test]
fn the_generator_reaches_every_outcome() {
    let mut runner = TestRunner::deterministic();
    let strategy = derive_input();
    let mut counts = [0usize; 3];
    for _ in 0..500 {
        let source = strategy.new_tree(&mut runner).expect("a value").current();
        let outcome = expand_source(&source).expect("no failure");
        counts[outcome as usize] += 1;
    }
    let [skipped, errors, expanded] = counts;
    assert!(skipped < 150, "{counts:?}");
    assert!(errors > 150, "{counts:?}");
    assert!(expanded > 40, "{counts:?}");
}
