//! The [`Session`]: a SQLite connection plus the models it knows.

use std::path::Path;

use rusqlite::Connection;

use crate::error::Result;
use crate::model::Model;
use crate::report::{DeletePlan, DeleteReport};
use crate::value::{Key, Params};

/// A SQLite connection that knows the models used with it. Foreign-key enforcement is always on.
pub struct Session {
    conn: Connection,
}

impl Session {
    /// Opens (or creates) a database file.
    pub fn open(path: impl AsRef<Path>) -> Result<Session> {
        Session::from_connection(Connection::open(path)?)
    }

    /// Opens a private in-memory database.
    pub fn open_in_memory() -> Result<Session> {
        Session::from_connection(Connection::open_in_memory()?)
    }

    /// Wraps an existing connection, turning foreign-key enforcement on.
    pub fn from_connection(conn: Connection) -> Result<Session> {
        Ok(Session { conn })
    }

    /// The underlying connection.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The typed repository of `M`.
    pub fn repo<M: Model>(&mut self) -> M::Repository<'_> {
        M::repository(self)
    }

    /// Creates `M`'s table and those of every model reachable from it.
    pub fn create_all<M: Model>(&mut self) -> Result<()> {
        unimplemented!()
    }

    /// Inserts `row` and, along `save-update` cascades, its related rows.
    pub fn insert<M: Model>(&mut self, row: &mut M) -> Result<()> {
        unimplemented!()
    }

    /// Loads the row with this key; relationship fields are left empty.
    pub fn get<M: Model>(&mut self, key: impl Into<Key>) -> Result<Option<M>> {
        unimplemented!()
    }

    /// Writes `row`'s columns and syncs its collections.
    pub fn update<M: Model>(&mut self, row: &mut M) -> Result<()> {
        unimplemented!()
    }

    /// Deletes `row` with its cascades.
    pub fn delete<M: Model>(&mut self, row: &M) -> Result<DeleteReport> {
        unimplemented!()
    }

    /// Deletes the row with this key, with its cascades.
    pub fn delete_by_pk<M: Model>(&mut self, key: impl Into<Key>) -> Result<DeleteReport> {
        unimplemented!()
    }

    /// Deletes every row matching `clause`, with their cascades.
    pub fn delete_where<M: Model>(&mut self, clause: &str, params: impl Params) -> Result<DeleteReport> {
        unimplemented!()
    }

    /// Computes what `delete_by_pk` would do, changing nothing.
    pub fn plan_delete<M: Model>(&mut self, key: impl Into<Key>) -> Result<DeletePlan> {
        unimplemented!()
    }
}
