//! Delete hooks: code that runs for each row a delete removes, with the row in hand.
//!
//! Only models declared with `#[model(hooks)]` have their rows read, and only the rows the
//! delete removes, streamed in batches of [`HOOK_BATCH`] rows, so memory stays bounded
//! whatever the number of rows. Models without hooks stay on the set-based path in the same
//! delete. A hook's error aborts the delete and rolls back everything it did.

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::value::{Params, Value};

/// Rows read per batch for hooks.
pub const HOOK_BATCH: usize = 1_000;

/// The error a hook returns: any error type.
pub type HookError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Hooks around the deletion of a model's rows. Implement it for a model declared with
/// `#[model(hooks)]`; both methods default to doing nothing.
///
/// ```
/// use cascade_runtime::{DeleteHooks, HookContext, HookError, Model};
///
/// #[derive(Model, Debug, Clone)]
/// #[model(hooks)]
/// pub struct Invoice {
///     #[model(primary_key)]
///     pub id: i64,
///     pub paid: bool,
/// }
///
/// impl DeleteHooks for Invoice {
///     fn before_delete(&self, _ctx: &HookContext<'_>) -> Result<(), HookError> {
///         if self.paid {
///             return Err(format!("invoice {} is paid and cannot be deleted", self.id).into());
///         }
///         Ok(())
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is declared with #[model(hooks)] but does not implement `DeleteHooks`",
    label = "declared here",
    note = "add `impl cascade_runtime::DeleteHooks for {Self} {{}}` and override `before_delete` / `after_delete`, or drop `hooks`"
)]
pub trait DeleteHooks: Model {
    /// Runs for each row the delete will remove, after every check passed and before anything
    /// changes. An error aborts the delete; nothing changes.
    fn before_delete(&self, ctx: &HookContext<'_>) -> Result<(), HookError> {
        let _ = ctx;
        Ok(())
    }

    /// Runs for each removed row, after every row of the delete is gone and before the
    /// transaction commits. An error rolls the whole delete back.
    fn after_delete(&self, ctx: &HookContext<'_>) -> Result<(), HookError> {
        let _ = ctx;
        Ok(())
    }
}

/// What a hook can see besides its row: the delete's own connection, inside its transaction,
/// so that what a hook writes commits or rolls back with the delete.
pub struct HookContext<'a> {
    db: HookDb<'a>,
    table: &'static str,
}

enum HookDb<'a> {
    Sqlite(&'a Connection),
    #[cfg(feature = "postgres")]
    Postgres(std::cell::RefCell<&'a mut postgres::Client>),
}

impl<'a> HookContext<'a> {
    pub(crate) fn sqlite(conn: &'a Connection, table: &'static str) -> Self {
        HookContext {
            db: HookDb::Sqlite(conn),
            table,
        }
    }

    #[cfg(feature = "postgres")]
    pub(crate) fn postgres(client: &'a mut postgres::Client, table: &'static str) -> Self {
        HookContext {
            db: HookDb::Postgres(std::cell::RefCell::new(client)),
            table,
        }
    }

    /// Runs a statement on the delete's connection, in its transaction, and returns the rows
    /// it changed: SQL in the session's backend's own dialect (`?1` on SQLite, `$1` on
    /// PostgreSQL), values bound. Do not modify the tables the delete is working on.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<u64> {
        let params = params.into_values();
        match &self.db {
            HookDb::Sqlite(conn) => conn
                .execute(sql, rusqlite::params_from_iter(&params))
                .map(|n| n as u64)
                .map_err(Error::db(format!("executing `{sql}` in a hook"))),
            #[cfg(feature = "postgres")]
            HookDb::Postgres(client) => {
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|v| v as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                client
                    .borrow_mut()
                    .execute(sql, &refs)
                    .map_err(Error::db(format!("executing `{sql}` in a hook")))
            }
        }
    }

    /// The SQLite connection, inside the delete's transaction. Do not modify the tables the
    /// delete is working on.
    ///
    /// # Panics
    /// On a PostgreSQL session; use [`HookContext::execute`] (either backend) or
    /// [`HookContext::client`] there.
    pub fn connection(&self) -> &Connection {
        match &self.db {
            HookDb::Sqlite(conn) => conn,
            #[cfg(feature = "postgres")]
            HookDb::Postgres(_) => panic!(
                "HookContext::connection is SQLite's connection; on PostgreSQL use \
                 HookContext::execute or HookContext::client"
            ),
        }
    }

    /// The PostgreSQL client, inside the delete's transaction (`None` on SQLite).
    #[cfg(feature = "postgres")]
    pub fn client(&self) -> Option<std::cell::RefMut<'_, &'a mut postgres::Client>> {
        match &self.db {
            HookDb::Sqlite(_) => None,
            HookDb::Postgres(client) => Some(client.borrow_mut()),
        }
    }

    /// The table whose row is being deleted.
    pub fn table(&self) -> &'static str {
        self.table
    }
}

/// A model's hooks as plain functions over row values, stored in its [`ModelMeta`]
/// (generated for `#[model(hooks)]`).
///
/// [`ModelMeta`]: crate::ModelMeta
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct Hooks {
    /// Calls [`DeleteHooks::before_delete`] on the row built from these values.
    pub before_delete: fn(Vec<Value>, &HookContext<'_>) -> Result<()>,
    /// Calls [`DeleteHooks::after_delete`] on the row built from these values.
    pub after_delete: fn(Vec<Value>, &HookContext<'_>) -> Result<()>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hooks")
    }
}

impl Hooks {
    /// The hooks of `M`.
    pub const fn of<M: DeleteHooks>() -> Hooks {
        Hooks {
            before_delete: before::<M>,
            after_delete: after::<M>,
        }
    }
}

fn before<M: DeleteHooks>(values: Vec<Value>, ctx: &HookContext<'_>) -> Result<()> {
    let row = M::from_values(values)?;
    row.before_delete(ctx)
        .map_err(|source| hook_error(ctx, &row, "before_delete", source))
}

fn after<M: DeleteHooks>(values: Vec<Value>, ctx: &HookContext<'_>) -> Result<()> {
    let row = M::from_values(values)?;
    row.after_delete(ctx)
        .map_err(|source| hook_error(ctx, &row, "after_delete", source))
}

fn hook_error<M: Model>(
    ctx: &HookContext<'_>,
    row: &M,
    hook: &'static str,
    source: HookError,
) -> crate::Error {
    let meta = M::meta();
    let values = row.values();
    let key = crate::value::Key::new(meta.primary_key().map(|(i, _)| values[i].clone()).collect());
    crate::Error::Hook {
        table: ctx.table.to_owned(),
        key: key.to_string(),
        hook,
        source,
    }
}
