//! Models whose names are those the generated code uses itself (its generic parameters, the
//! runtime's types, std's prelude): the expansion names everything by absolute path or
//! without a name the user could shadow, so each of them compiles and works.

#![allow(non_camel_case_types, clippy::upper_case_acronyms)]

use cascade_runtime::Session as S;

macro_rules! models {
    ($($name:ident),* $(,)?) => {$(
        #[derive(cascade_runtime::Model, Debug, Clone, PartialEq)]
        pub struct $name {
            #[model(primary_key)]
            pub id: i64,
            pub v: ::std::string::String,
        }
    )*};
}

models!(
    P,
    T,
    M,
    K,
    V,
    Key,
    Params,
    Value,
    Session,
    Result,
    Error,
    DeletePlan,
    DeleteReport,
    Model,
    DynModel,
    ColumnType,
    IntoValue,
    RowReader,
    ModelMeta,
    ColumnMeta,
    META,
    Ok,
    Err,
    Some,
    None,
    Vec,
    Box,
    String,
    Default,
    Self_,
    s,
    ColumnField,
    RelationField,
    Related,
    Option,
    Post,
);

/// A user's own type with the name the derive used to give its generated repository: the
/// derive adds no name to the user's module, so both live side by side.
pub struct PostRepository;

/// A field type named like the alias the expansion uses inside its `const _` block.
#[allow(dead_code)]
#[derive(cascade_runtime::Model, Debug, Clone, PartialEq)]
pub struct Aliased {
    #[model(primary_key)]
    pub id: i64,
    pub other: std::option::Option<i64>,
}

#[test]
fn models_named_like_the_expansion_s_own_names_work() {
    let mut session = S::open_in_memory().unwrap();
    session.create_all::<P>().unwrap();
    let mut p = P {
        id: 0,
        v: "x".into(),
    };
    session.repo::<P>().insert(&mut p).unwrap();
    assert_eq!(session.repo::<P>().get(p.id).unwrap(), Some(p.clone()));
    let report = session.repo::<P>().delete_where("v = ?1", ["x"]).unwrap();
    assert_eq!(report.count("p"), 1);
    session.create_all::<Key>().unwrap();
    session.create_all::<Vec>().unwrap();
    session.create_all::<Self_>().unwrap();
}
