//! Transactions of session calls: each call that writes is atomic on its own — its own
//! transaction, or a savepoint inside the caller's — and [`Session::transaction`] groups calls.
//! `BEGIN`, `COMMIT`, `ROLLBACK` and the savepoint statements are traced at debug level (target
//! `cascade_runtime::sql`) like every other statement.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::session::Session;

/// The savepoint every call (and every nested [`Session::transaction`]) takes inside a
/// transaction. SQLite allows one name to be taken again: `ROLLBACK TO` and `RELEASE` act on the
/// innermost.
const SAVEPOINT: &str = "cascade";

/// How a [`Tx`] starts outside a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Begin {
    /// `BEGIN IMMEDIATE`: for calls that write.
    ///
    /// A delete reads before it writes (it collects its key sets first), and so do merges and
    /// updates. In a deferred transaction that read takes a snapshot, and SQLite fails a
    /// request for the write lock from a connection holding a snapshot at once — `SQLITE_BUSY`
    /// while another connection writes, `SQLITE_BUSY_SNAPSHOT` (WAL) if one committed since —
    /// without calling the busy handler: the busy timeout would never apply. `BEGIN IMMEDIATE`
    /// takes the write lock first, waiting for it up to the busy timeout.
    Write,
    /// `BEGIN`: for calls that only read (loads, previews), over one snapshot.
    Read,
}

/// One call's transaction: `BEGIN` outside a transaction, a savepoint inside one. Rolled back
/// when dropped without [`Tx::commit`].
pub(crate) struct Tx<'c> {
    conn: &'c Connection,
    savepoint: bool,
    open: bool,
}

impl<'c> Tx<'c> {
    pub fn begin(conn: &'c Connection, begin: Begin) -> Result<Tx<'c>> {
        let savepoint = start(conn, begin)?;
        Ok(Tx::started(conn, savepoint))
    }

    /// The guard of a transaction (or savepoint) that [`start`] began.
    fn started(conn: &'c Connection, savepoint: bool) -> Tx<'c> {
        Tx {
            conn,
            savepoint,
            open: true,
        }
    }

    /// Commits the transaction, or releases the savepoint.
    pub fn commit(mut self) -> Result<()> {
        let sql = match self.savepoint {
            true => format!("RELEASE {SAVEPOINT}"),
            false => "COMMIT".to_owned(),
        };
        control(self.conn, &sql)?;
        self.open = false;
        Ok(())
    }

    fn rollback(&mut self) -> Result<()> {
        self.open = false;
        if self.savepoint {
            control(self.conn, &format!("ROLLBACK TO {SAVEPOINT}"))?;
            control(self.conn, &format!("RELEASE {SAVEPOINT}"))
        } else if !self.conn.is_autocommit() {
            // A failed COMMIT may have ended the transaction already.
            control(self.conn, "ROLLBACK")
        } else {
            Ok(())
        }
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing better to do with a failed rollback than to leave it to the connection.
            let _ = self.rollback();
        }
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

/// Begins a transaction, or a savepoint inside the connection's; returns whether it is a
/// savepoint.
fn start(conn: &Connection, begin: Begin) -> Result<bool> {
    let savepoint = !conn.is_autocommit();
    let sql = match (savepoint, begin) {
        (true, _) => format!("SAVEPOINT {SAVEPOINT}"),
        (false, Begin::Write) => "BEGIN IMMEDIATE".to_owned(),
        (false, Begin::Read) => "BEGIN".to_owned(),
    };
    control(conn, &sql)?;
    Ok(savepoint)
}

/// Runs a transaction-control statement, traced at debug level.
fn control(conn: &Connection, sql: &str) -> Result<()> {
    conn.execute_batch(sql)
        .map_err(Error::db(format!("executing `{sql}`")))?;
    tracing::debug!(target: "cascade_runtime::sql", rows = 0u64, sql, "executed");
    Ok(())
}

/// Grouping calls.
impl Session {
    /// Runs `f` in one transaction: if it returns `Ok`, everything it did commits; if it
    /// returns `Err` or panics, everything it did is rolled back (and the panic goes on).
    /// Nested calls are savepoints of the outer transaction: an inner `Err` rolls back the
    /// inner part only, and the outer decides about the rest.
    ///
    /// The closure may return any error type that a cascade [`Error`] converts into, so `?`
    /// works on session calls inside it.
    ///
    /// ```
    /// use cascade_runtime::{Model, Session};
    ///
    /// #[derive(Model, Debug, Clone, PartialEq)]
    /// pub struct Account {
    ///     #[model(primary_key)]
    ///     pub id: i64,
    ///     pub balance: i64,
    /// }
    ///
    /// # fn main() -> cascade_runtime::Result<()> {
    /// let mut session = Session::open_in_memory()?;
    /// session.create_all::<Account>()?;
    /// let moved: cascade_runtime::Result<()> = session.transaction(|s| {
    ///     s.insert(&mut Account { id: 1, balance: 10 })?;
    ///     s.insert(&mut Account { id: 1, balance: 20 })?; // the same key: fails
    ///     Ok(())
    /// });
    /// assert!(moved.is_err());
    /// assert_eq!(session.count::<Account>()?, 0, "the first insert was rolled back too");
    /// # Ok(())
    /// # }
    /// ```
    pub fn transaction<T, E>(
        &mut self,
        f: impl FnOnce(&mut Session) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<Error>,
    {
        // The guard cannot be held across `f`, which borrows the session mutably: it is made
        // after `f` returns (or panics), and the outcome decides.
        let savepoint = start(&self.conn, Begin::Write)?;
        let outcome = catch_unwind(AssertUnwindSafe(|| f(self)));
        let mut tx = Tx::started(&self.conn, savepoint);
        match outcome {
            Ok(Ok(value)) => {
                tx.commit()?;
                Ok(value)
            }
            Ok(Err(err)) => {
                tx.rollback()?;
                Err(err)
            }
            Err(panic) => {
                let _ = tx.rollback();
                resume_unwind(panic)
            }
        }
    }
}
