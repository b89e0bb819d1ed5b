//! Transactions of session calls: each call that writes is atomic on its own — its own
//! transaction, or a savepoint inside the caller's — and [`Session::transaction`] groups calls.
//! `BEGIN`, `COMMIT`, `ROLLBACK` and the savepoint statements are traced at debug level (target
//! `cascade_runtime::sql`) like every other statement.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::runner::Runner;
use crate::session::Session;

/// The savepoint every call (and every nested [`Session::transaction`]) takes inside a
/// transaction. SQLite and PostgreSQL allow one name to be taken again: `ROLLBACK TO` and
/// `RELEASE` act on the innermost.
const SAVEPOINT: &str = "cascade";

/// How a [`Tx`] starts outside a transaction; each backend's dialect says how
/// ([`Dialect::begin`](crate::sql::Dialect::begin)): on SQLite as below, on PostgreSQL
/// `READ COMMITTED` for writes, `REPEATABLE READ READ ONLY` for reads, `REPEATABLE READ` for a
/// group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Begin {
    /// For calls that write. On SQLite, `BEGIN IMMEDIATE`:
    ///
    /// A delete reads before it writes (it collects its key sets first), and so do merges and
    /// updates. In a deferred transaction that read takes a snapshot, and SQLite fails a
    /// request for the write lock from a connection holding a snapshot at once — `SQLITE_BUSY`
    /// while another connection writes, `SQLITE_BUSY_SNAPSHOT` (WAL) if one committed since —
    /// without calling the busy handler: the busy timeout would never apply. `BEGIN IMMEDIATE`
    /// takes the write lock first, waiting for it up to the busy timeout.
    Write,
    /// For calls that only read (loads, previews), over one snapshot: `BEGIN` on SQLite.
    Read,
    /// [`Session::transaction`]: calls grouped by the caller, who may read and then write.
    Group,
}

/// One call's transaction: `BEGIN` outside a transaction, a savepoint inside one. Rolled back
/// when dropped without [`Tx::commit`]. Derefs to the runner it holds.
pub(crate) struct Tx<'r, 'c> {
    runner: &'r mut (dyn Runner + 'c),
    savepoint: bool,
    open: bool,
}

impl<'r, 'c> Tx<'r, 'c> {
    pub fn begin(runner: &'r mut (dyn Runner + 'c), begin: Begin) -> Result<Tx<'r, 'c>> {
        let savepoint = start(runner, begin)?;
        Ok(Tx::started(runner, savepoint))
    }

    /// The guard of a transaction (or savepoint) that [`start`] began.
    fn started(runner: &'r mut (dyn Runner + 'c), savepoint: bool) -> Tx<'r, 'c> {
        Tx {
            runner,
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
        self.runner.control(&sql)?;
        self.open = false;
        Ok(())
    }

    fn rollback(&mut self) -> Result<()> {
        self.open = false;
        if self.savepoint {
            self.runner.control(&format!("ROLLBACK TO {SAVEPOINT}"))?;
            self.runner.control(&format!("RELEASE {SAVEPOINT}"))
        } else if self.runner.in_transaction() {
            // A failed COMMIT may have ended the transaction already.
            self.runner.control("ROLLBACK")
        } else {
            Ok(())
        }
    }
}

impl Drop for Tx<'_, '_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing better to do with a failed rollback than to leave it to the connection.
            let _ = self.rollback();
        }
    }
}

impl<'c> std::ops::Deref for Tx<'_, 'c> {
    type Target = dyn Runner + 'c;

    fn deref(&self) -> &Self::Target {
        self.runner
    }
}

impl std::ops::DerefMut for Tx<'_, '_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.runner
    }
}

/// Begins a transaction, or a savepoint inside the connection's; returns whether it is a
/// savepoint.
fn start(runner: &mut dyn Runner, begin: Begin) -> Result<bool> {
    let savepoint = runner.in_transaction();
    let sql = match (savepoint, begin) {
        (true, _) => format!("SAVEPOINT {SAVEPOINT}"),
        (false, begin) => runner.dialect().begin(begin).to_owned(),
    };
    runner.control(&sql)?;
    Ok(savepoint)
}

/// Grouping calls.
impl<B: Backend> Session<B> {
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
        f: impl FnOnce(&mut Session<B>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<Error>,
    {
        let span =
            tracing::info_span!(target: "cascade_runtime", "cascade", operation = "transaction");
        let _entered = span.enter();
        // The guard cannot be held across `f`, which borrows the session mutably: it is made
        // after `f` returns (or panics), and the outcome decides.
        let savepoint = start(&mut *self.conn.runner(), Begin::Group)?;
        let outcome = catch_unwind(AssertUnwindSafe(|| f(self)));
        let mut runner = self.conn.runner();
        let mut tx = Tx::started(&mut *runner, savepoint);
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
                drop(tx);
                drop(runner);
                resume_unwind(panic)
            }
        }
    }
}

/// How [`Session::transaction_with_retry`] retries a transaction that failed because of
/// another transaction's concurrent changes ([`Error::is_retryable`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times the transaction runs at most (1: no retry).
    pub attempts: u32,
    /// The wait before the first retry; each further retry waits twice as long.
    pub backoff: std::time::Duration,
    /// The longest wait between two attempts.
    pub max_backoff: std::time::Duration,
}

impl RetryPolicy {
    /// Up to `attempts` runs, waiting 5 ms before the first retry, doubling up to 500 ms.
    pub const fn attempts(attempts: u32) -> RetryPolicy {
        RetryPolicy {
            attempts,
            backoff: std::time::Duration::from_millis(5),
            max_backoff: std::time::Duration::from_millis(500),
        }
    }

    /// The wait before retry number `retry` (1 for the first).
    fn wait(&self, retry: u32) -> std::time::Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

impl Default for RetryPolicy {
    /// Up to 5 runs.
    fn default() -> Self {
        RetryPolicy::attempts(5)
    }
}

/// Retrying transactions.
impl<B: Backend> Session<B> {
    /// [`Session::transaction`], run again (after the policy's wait) while it fails with a
    /// retryable error — a serialization failure or deadlock on PostgreSQL, a database still
    /// locked after the busy timeout on SQLite ([`Error::is_retryable`]) — up to the policy's
    /// attempts. Each attempt is a whole new transaction, so `f` must be safe to run again:
    /// it sees the database afresh, and what a failed attempt did was rolled back.
    ///
    /// Outside a transaction only: inside one (a savepoint), a conflict has already spoiled the
    /// outer transaction, and retrying the inner part alone would not help; then the first
    /// error is returned.
    pub fn transaction_with_retry<T>(
        &mut self,
        policy: RetryPolicy,
        mut f: impl FnMut(&mut Session<B>) -> Result<T>,
    ) -> Result<T> {
        let nested = self.conn.runner().in_transaction();
        let mut attempt = 1;
        loop {
            match self.transaction(&mut f) {
                Err(err) if err.is_retryable() && !nested && attempt < policy.attempts.max(1) => {
                    tracing::debug!(target: "cascade_runtime", attempt, %err, "retrying");
                    std::thread::sleep(policy.wait(attempt));
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}
