//! Backends: the databases a [`Session`](crate::Session) runs on. Each is a dialect (SQL text)
//! plus a statement runner ([`Runner`]), with the strategies that differ between databases
//! (how a cascade's key sets are kept, how key lists are bound, how the live schema is read);
//! the planner and every cascade rule are shared.

#[cfg(feature = "postgres")]
pub(crate) mod postgres;
pub(crate) mod sqlite;

use crate::runner::Runner;

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// The database a [`Session`](crate::Session) runs on: [`Sqlite`] (the default) or, with the
/// `postgres` feature, [`Postgres`](crate::Postgres). Sealed: the runtime implements it.
pub trait Backend: sealed::Sealed + Send + Sync + 'static {
    /// The database's name, for messages.
    const NAME: &'static str;
}

/// SQLite, through rusqlite: `Session<Sqlite>`, the default `Session`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl sealed::Sealed for Sqlite {}

impl Backend for Sqlite {
    const NAME: &'static str = "SQLite";
}

/// Which database a runner talks to, where the shared code must say things its own way (the
/// fixes of a schema check's findings).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum BackendKind {
    #[default]
    Sqlite,
    #[cfg(feature = "postgres")]
    Postgres,
}

impl BackendKind {
    /// The database's name, as [`Backend::NAME`] spells it.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Sqlite => Sqlite::NAME,
            #[cfg(feature = "postgres")]
            BackendKind::Postgres => postgres::Postgres::NAME,
        }
    }

    /// The database's dialect.
    pub fn dialect(self) -> &'static dyn crate::sql::Dialect {
        match self {
            BackendKind::Sqlite => &sqlite::SQLITE,
            #[cfg(feature = "postgres")]
            BackendKind::Postgres => &postgres::POSTGRES,
        }
    }
}

/// A session's connection, whatever its backend.
pub(crate) enum Conn {
    Sqlite(rusqlite::Connection),
    #[cfg(feature = "postgres")]
    Postgres(Box<postgres::PgConn>),
}

impl Conn {
    /// A statement runner over the connection, for one call.
    pub fn runner(&mut self) -> Box<dyn Runner + '_> {
        match self {
            Conn::Sqlite(conn) => Box::new(sqlite::SqliteRunner::new(conn)),
            #[cfg(feature = "postgres")]
            Conn::Postgres(conn) => Box::new(postgres::PgRunner::new(conn)),
        }
    }
}
