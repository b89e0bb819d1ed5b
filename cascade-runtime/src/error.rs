//! The one error type of the crate.

use std::fmt;

/// What can go wrong. Every message names the tables and columns involved.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The database reported an error; `context` says what the runtime was doing.
    Database {
        /// What was being done, e.g. `delete from "child"`.
        context: String,
        /// The driver's error.
        source: DbError,
    },
    /// Another transaction's concurrent changes made this one fail — a serialization failure
    /// (SQLSTATE `40001`), a deadlock (`40P01`), or a database SQLite kept locked past the busy
    /// timeout. Nothing was changed, and the same call can be retried
    /// ([`Error::is_retryable`]; [`Session::transaction_with_retry`](crate::Session::transaction_with_retry)
    /// retries a whole transaction).
    Conflict {
        /// What was being done.
        context: String,
        /// The driver's error.
        source: DbError,
    },
    /// A column value could not be converted into its field's type.
    Conversion {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The Rust type that was wanted.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// The declared models are inconsistent (found by schema validation at first use).
    Schema {
        /// The model (Rust type) at fault.
        model: &'static str,
        /// The field at fault, when there is one.
        field: Option<&'static str>,
        /// What is wrong, and what would fix it.
        message: String,
    },
    /// A delete would leave rows that still reference deleted rows; nothing was changed.
    ///
    /// Every rule that blocks is reported (as Django's `ProtectedError` carries every protected
    /// object): the named fields describe the first, [`Error::Blocked::blockers`] lists them
    /// all, the first included, and the message names each.
    Blocked {
        /// The table whose rows block the delete (the first blocker's).
        table: String,
        /// Its column that references the deleted rows.
        column: String,
        /// The table whose rows were to be deleted.
        referenced_table: String,
        /// How many rows block the delete through this column.
        rows: u64,
        /// The primary keys of the first blocking rows (at most [`BLOCKING_KEYS`]).
        keys: Vec<String>,
        /// Why those rows are not removed or detached.
        reason: BlockReason,
        /// Every blocking rule, in plan order, the first one included.
        blockers: Blockers,
    },
    /// A caller's SQL clause (of `delete_where`, `count_where`, `select_where`, ...) was
    /// refused by the database; nothing was changed.
    Clause {
        /// The table the clause is over.
        table: String,
        /// The clause, as given.
        clause: String,
        /// What the database said, e.g. `no such column: nmae`.
        message: String,
    },
    /// An argument of a call is out of its range; nothing was changed.
    InvalidArgument {
        /// The argument's name.
        argument: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// A key did not have one value per primary-key column.
    KeyArity {
        /// The table.
        table: String,
        /// Primary-key columns of the table.
        expected: usize,
        /// Values given.
        given: usize,
    },
    /// An update removed rows from a collection whose foreign key is `NOT NULL`, and the
    /// relationship has no `delete-orphan` cascade to delete them; nothing was changed.
    Orphaned {
        /// The table of the removed rows.
        table: String,
        /// Their foreign-key column.
        column: String,
        /// How many rows left the collection.
        rows: u64,
    },
    /// A delete hook failed; the delete was rolled back.
    Hook {
        /// The table of the row.
        table: String,
        /// The row's primary key.
        key: String,
        /// `before_delete` or `after_delete`.
        hook: &'static str,
        /// The hook's error.
        source: crate::hooks::HookError,
    },
    /// A plan was executed after the rows it reaches changed in number; nothing was changed.
    PlanChanged {
        /// The first table whose count differs.
        table: String,
        /// Rows the plan counted.
        planned: usize,
        /// Rows there are now.
        now: usize,
    },
    /// `PRAGMA foreign_keys` could not be turned on (the connection is inside a transaction).
    ForeignKeysOff,
    /// An operation needed a row that does not exist.
    NotFound {
        /// The table.
        table: String,
        /// The primary key looked for.
        key: String,
    },
    /// An operation needs a primary key the instance does not have yet (e.g. deleting an
    /// instance that was never inserted).
    MissingKey {
        /// The table.
        table: String,
    },
}

/// One rule that blocks a delete: rows of `table` that reference rows to be deleted from
/// `referenced_table` through `column`, and why they are neither removed nor detached.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Blocker {
    /// The table whose rows block the delete.
    pub table: String,
    /// Its column that references the deleted rows.
    pub column: String,
    /// The table whose rows were to be deleted.
    pub referenced_table: String,
    /// How many rows block the delete through this column.
    pub rows: u64,
    /// The primary keys of the first blocking rows (at most [`BLOCKING_KEYS`]).
    pub keys: Vec<String>,
    /// Why those rows are not removed or detached.
    pub reason: BlockReason,
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Blocker {
            table,
            column,
            referenced_table,
            rows,
            keys,
            reason,
        } = self;
        write!(
            f,
            "{rows} row{s} of \"{table}\" still reference{v} \"{referenced_table}\" through \
             \"{table}\".\"{column}\" ({reason})",
            s = if *rows == 1 { "" } else { "s" },
            v = if *rows == 1 { "s" } else { "" },
        )?;
        if !keys.is_empty() {
            let more = if (*rows as usize) > keys.len() {
                ", ..."
            } else {
                ""
            };
            write!(f, "; blocking keys: {}{more}", keys.join(", "))?;
        }
        Ok(())
    }
}

/// Every [`Blocker`] of a refused delete, in plan order: a slice (through `Deref`), kept
/// behind one pointer so that [`Error`] stays small.
#[derive(Debug, Clone, PartialEq, Eq)]
// One pointer instead of a Vec's three words: the point of the type.
#[allow(clippy::box_collection)]
pub struct Blockers(Box<Vec<Blocker>>);

impl std::ops::Deref for Blockers {
    type Target = [Blocker];

    fn deref(&self) -> &[Blocker] {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Blockers {
    type Item = &'a Blocker;
    type IntoIter = std::slice::Iter<'a, Blocker>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for Blockers {
    type Item = Blocker;
    type IntoIter = std::vec::IntoIter<Blocker>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// The error of a database driver.
#[derive(Debug)]
#[non_exhaustive]
pub enum DbError {
    /// SQLite's, through rusqlite.
    Sqlite(rusqlite::Error),
    /// PostgreSQL's, through the `postgres` crate.
    #[cfg(feature = "postgres")]
    Postgres(postgres::Error),
}

impl DbError {
    /// PostgreSQL's SQLSTATE code (`"40001"`, `"23503"`, ...); `None` for SQLite and for
    /// errors that are not the server's.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            DbError::Sqlite(_) => None,
            #[cfg(feature = "postgres")]
            DbError::Postgres(e) => e.code().map(|c| c.code()),
        }
    }

    /// Whether another transaction's concurrent changes caused it (see [`Error::Conflict`]).
    pub(crate) fn is_conflict(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            DbError::Sqlite(_) => false,
            #[cfg(feature = "postgres")]
            DbError::Postgres(_) => matches!(self.sqlstate(), Some("40001" | "40P01")),
        }
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Sqlite(e) => e.fmt(f),
            #[cfg(feature = "postgres")]
            DbError::Postgres(e) => match e.as_db_error() {
                // The server's message, without the driver's "db error: " prefix.
                Some(db) => write!(f, "{} ({})", db.message(), db.code().code()),
                // The driver's own errors keep their cause out of `Display`; it says what
                // went wrong (say, a parameter that cannot be encoded).
                None => match std::error::Error::source(e) {
                    Some(cause) => write!(f, "{e}: {cause}"),
                    None => e.fmt(f),
                },
            },
        }
    }
}

impl std::error::Error for DbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DbError::Sqlite(e) => Some(e),
            #[cfg(feature = "postgres")]
            DbError::Postgres(e) => Some(e),
        }
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::Sqlite(e)
    }
}

#[cfg(feature = "postgres")]
impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> Self {
        DbError::Postgres(e)
    }
}

/// How many keys of blocking rows an [`Error::Blocked`] lists.
pub const BLOCKING_KEYS: usize = 10;

/// Why rows block a delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlockReason {
    /// The relationship would set the column to `NULL`, but it is `NOT NULL`.
    NotNull,
    /// The column's database-level `ON DELETE` is `RESTRICT` and no cascade removes the rows.
    DatabaseRestrict,
    /// The column's database-level `ON DELETE` is `NO ACTION` and no cascade removes or
    /// detaches the rows.
    DatabaseNoAction,
    /// The relationship's `on_delete = "protect"`: any referencing row blocks, even one the
    /// same delete would remove through another path.
    Protect,
    /// The relationship's `on_delete = "restrict"`: referencing rows block unless the same
    /// delete removes every one of them through another cascade path.
    Restrict,
}

impl fmt::Display for BlockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BlockReason::NotNull => {
                "the relationship has no `delete` cascade, so the column would be set to NULL, \
                 but it is NOT NULL"
            }
            BlockReason::DatabaseRestrict => {
                "its ON DELETE is RESTRICT and no cascade removes the rows"
            }
            BlockReason::DatabaseNoAction => {
                "its ON DELETE is NO ACTION and no relationship with a `delete` cascade or \
                 passive_deletes removes them"
            }
            BlockReason::Protect => "the relationship's on_delete is \"protect\"",
            BlockReason::Restrict => {
                "the relationship's on_delete is \"restrict\" and no other cascade path of this \
                 delete removes them"
            }
        })
    }
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Database { context, source } => write!(f, "{context}: {source}"),
            Error::Conflict { context, source } => write!(
                f,
                "{context}: {source}; a concurrent transaction interfered, nothing was changed \
                 and the call can be retried"
            ),
            Error::Conversion { table, column, expected, found } => write!(
                f,
                "column \"{table}\".\"{column}\": expected a value for {expected}, found {found}"
            ),
            Error::Schema { model, field: Some(field), message } => {
                write!(f, "invalid model `{model}`, field `{field}`: {message}")
            }
            Error::Schema { model, field: None, message } => {
                write!(f, "invalid model `{model}`: {message}")
            }
            Error::Blocked { referenced_table, blockers, .. } => {
                write!(f, "cannot delete from \"{referenced_table}\": ")?;
                for (i, blocker) in blockers.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", and ")?;
                    }
                    write!(f, "{blocker}")?;
                }
                f.write_str("; nothing was changed")
            }
            Error::Clause { table, clause, message } => write!(
                f,
                "the clause `{clause}` over \"{table}\" was refused: {message}; nothing was changed"
            ),
            Error::InvalidArgument { argument, message } => write!(f, "`{argument}`: {message}"),
            Error::KeyArity { table, expected, given } => write!(
                f,
                "table \"{table}\" has a primary key of {expected} column(s), but {given} value(s) were given"
            ),
            Error::Orphaned { table, column, rows } => write!(
                f,
                "{rows} row(s) of \"{table}\" left the collection, but \"{table}\".\"{column}\" \
                 is NOT NULL and the relationship has no delete-orphan cascade; nothing was changed"
            ),
            Error::Hook { table, key, hook, source } => write!(
                f,
                "{hook} hook of \"{table}\" row {key} failed: {source}; the delete was rolled back"
            ),
            Error::PlanChanged { table, planned, now } => write!(
                f,
                "the plan is stale: it counted {planned} row(s) of \"{table}\", there are now {now}; \
                 nothing was changed (plan again)"
            ),
            Error::ForeignKeysOff => f.write_str(
                "foreign-key enforcement could not be turned on (PRAGMA foreign_keys is a no-op \
                 inside a transaction); a Session needs it"
            ),
            Error::NotFound { table, key } => write!(f, "no row of \"{table}\" has the key {key}"),
            Error::MissingKey { table } => {
                write!(f, "the \"{table}\" instance has no primary key yet (insert it first)")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Database { source, .. } | Error::Conflict { source, .. } => Some(source),
            Error::Hook { source, .. } => Some(&**source),
            _ => None,
        }
    }
}

impl Error {
    /// Builds [`Error::Blocked`] from every blocking rule (at least one); the named fields
    /// describe the first.
    pub(crate) fn blocked(blockers: Vec<Blocker>) -> Error {
        let first = blockers[0].clone();
        Error::Blocked {
            table: first.table,
            column: first.column,
            referenced_table: first.referenced_table,
            rows: first.rows,
            keys: first.keys,
            reason: first.reason,
            blockers: Blockers(Box::new(blockers)),
        }
    }

    /// Whether the call that failed can simply be run again: another transaction's
    /// concurrent changes made it fail, and it changed nothing ([`Error::Conflict`]).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Conflict { .. })
    }

    /// A driver error with what was being done: [`Error::Conflict`] when concurrent changes
    /// caused it, [`Error::Database`] otherwise.
    pub(crate) fn from_db(context: String, source: impl Into<DbError>) -> Error {
        let source = source.into();
        match source.is_conflict() {
            true => Error::Conflict { context, source },
            false => Error::Database { context, source },
        }
    }

    /// Turns the error of a statement that holds a caller's `clause` over `table` into
    /// [`Error::Clause`], quoting the clause rather than the statement built around it; other
    /// errors pass through.
    pub(crate) fn in_clause(self, table: &str, clause: &str) -> Error {
        let message = match &self {
            Error::Database { source, .. } => match source {
                DbError::Sqlite(rusqlite::Error::SqlInputError { msg, .. }) => msg.clone(),
                DbError::Sqlite(rusqlite::Error::SqliteFailure(_, Some(msg))) => msg.clone(),
                DbError::Sqlite(rusqlite::Error::InvalidParameterCount(given, wanted)) => {
                    format!("it takes {wanted} parameter(s), {given} were given")
                }
                #[cfg(feature = "postgres")]
                DbError::Postgres(e) => match e.as_db_error() {
                    // Syntax errors, unknown columns and functions, wrong types: the clause's.
                    Some(db) if db.code().code().starts_with("42") => db.message().to_owned(),
                    Some(db) if db.code().code() == "08P01" => db.message().to_owned(),
                    Some(_) => return self,
                    // The driver encodes the statement and counts the parameters before
                    // sending ("expected 1 parameters but got 0"); its other errors are not
                    // the clause's.
                    None if clause.contains('\0') => {
                        "PostgreSQL statements cannot hold a NUL character (\\0)".to_owned()
                    }
                    None => match e.to_string() {
                        m if m.starts_with("expected ") && m.contains(" parameters but got ") => m,
                        _ => return self,
                    },
                },
                #[cfg(feature = "postgres")]
                DbError::Sqlite(_) => return self,
                #[cfg(not(feature = "postgres"))]
                _ => return self,
            },
            _ => return self,
        };
        Error::Clause {
            table: table.to_owned(),
            clause: clause.to_owned(),
            message,
        }
    }

    /// Wraps a driver error with what was being done.
    pub(crate) fn db<E: Into<DbError>>(context: impl Into<String>) -> impl FnOnce(E) -> Error {
        let context = context.into();
        move |source| Error::from_db(context, source)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(source: rusqlite::Error) -> Self {
        Error::from_db("database error".to_owned(), source)
    }
}

#[cfg(feature = "postgres")]
impl From<postgres::Error> for Error {
    fn from(source: postgres::Error) -> Self {
        Error::from_db("database error".to_owned(), source)
    }
}
