//! # cascade
//!
//! Relationship cascades of the kind SQLAlchemy and Django are known for, on plain Rust
//! structs, executed set-based on SQLite: children before parents, in one transaction, with a
//! number of statements that depends on the shape of the schema and never on the number of rows.
//!
//! ```
//! use cascade_runtime::{Model, Session};
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[model(table = "parent")]
//! pub struct Parent {
//!     #[model(primary_key)]
//!     pub id: i64,
//!     pub name: String,
//!     #[relationship(cascade = "all, delete")]
//!     pub children: Vec<Child>,
//! }
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[model(table = "child")]
//! pub struct Child {
//!     #[model(primary_key)]
//!     pub id: i64,
//!     #[model(foreign_key = Parent)]
//!     pub parent_id: Option<i64>,
//!     pub name: String,
//! }
//!
//! # fn main() -> cascade_runtime::Result<()> {
//! let mut session = Session::open_in_memory()?;
//! session.create_all::<Parent>()?;
//! let mut p = Parent {
//!     id: 0,
//!     name: "p".into(),
//!     children: vec![Child { id: 0, parent_id: None, name: "c".into() }],
//! };
//! session.insert(&mut p)?;
//! assert_eq!(p.children[0].parent_id, Some(p.id));
//!
//! let report = session.delete(&p)?;
//! assert_eq!(report.count("child"), 1);
//! assert_eq!(report.total(), 2);
//! # Ok(())
//! # }
//! ```
//!
//! The rules a delete follows, per relationship of a deleted row:
//! 1. `delete` in the cascade: the related rows are deleted, with their own cascades.
//! 2. no `delete`, `passive_deletes` unset: the related rows' foreign key is set to `NULL`
//!    (a `NOT NULL` key makes the delete fail with [`Error::Blocked`]).
//! 3. `passive_deletes`: the related rows are left to the column's database-level `ON DELETE`.
//! 4. a `restrict` / `no action` foreign key whose rows no cascade removes blocks the delete.
//! 5. many-to-many: association rows always go; targets only with `delete`.

#![warn(missing_docs)]

mod backend;
mod check;
mod diagram;
mod error;
mod hooks;
mod load;
mod merge;
mod metadata;
mod model;
mod plan;
#[cfg(test)]
mod plan_proptests;
mod refresh;
mod repo;
mod report;
mod runner;
mod schema;
mod session;
mod sql;
mod trace;
mod tx;
mod types;
mod value;
mod write;

#[cfg(feature = "postgres")]
pub use backend::postgres::{PgSession, Postgres};
pub use backend::{Backend, Sqlite};
pub use cascade_derive::Model;
pub use check::{Finding, SchemaReport};
pub use diagram::ModelGraph;
pub use error::{BlockReason, Blocker, Blockers, DbError, Error, Result, BLOCKING_KEYS};
#[doc(hidden)]
pub use hooks::Hooks;
pub use hooks::{DeleteHooks, HookContext, HookError, HOOK_BATCH};
pub use metadata::{
    CascadeSet, ColumnMeta, ForeignKeyMeta, ModelMeta, OnDelete, PassiveDeletes, RelationshipMeta,
    RelationshipOnDelete, SqlType,
};
#[doc(hidden)]
pub use model::DynModel;
pub use model::Model;
pub use repo::Repo;
pub use report::{DeletePlan, DeleteReport, Detached, PlanAction, PlanNode};
pub use session::{ChunkProgress, Session, DEFAULT_BUSY_TIMEOUT, DEFAULT_PREVIEW_KEYS};
pub use tx::RetryPolicy;
pub use value::{
    ColumnType, ConversionError, IntoKey, IntoValue, Key, Params, PrimaryKey, References, Value,
};

/// Re-exported driver, so users need not depend on a matching `rusqlite` themselves.
pub use rusqlite;

/// Re-exported driver, so users need not depend on a matching `postgres` themselves.
#[cfg(feature = "postgres")]
pub use postgres;

/// Items used by the code `#[derive(Model)]` generates. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::hooks::Hooks;
    pub use crate::metadata::{
        CascadeSet, ColumnMeta, ModelMeta, OnDelete, PassiveDeletes, RelationshipMeta,
        RelationshipOnDelete,
    };
    pub use crate::model::{
        foreign_key_target, DynModel, Model, Related, RelationField, RowReader,
    };
    pub use crate::value::{ColumnField, IntoValue, Value};
    pub use crate::{Error, Result};
    pub use ::core::default::Default;
    pub use ::core::option::Option::{self, None, Some};
    pub use ::core::result::Result::{Err, Ok};
    pub use ::std::vec::Vec;
}
