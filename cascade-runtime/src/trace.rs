//! Tracing of session calls: one info-level span per call (target `cascade_runtime`), named
//! `cascade`, with the operation, the model, the call's totals and its duration; the statements
//! it runs are debug-level events inside it (target `cascade_runtime::sql`).

use std::time::Instant;

use tracing::field::Empty;

use crate::error::Result;
use crate::report::{DeletePlan, DeleteReport};

/// What a call's span reports of its result.
pub(crate) trait Totals {
    /// Rows the call deleted, wrote, counted or returned.
    fn rows(&self) -> u64;
    /// Statements a delete ran (`None`: not counted).
    fn statements(&self) -> Option<u64> {
        None
    }
}

impl Totals for () {
    fn rows(&self) -> u64 {
        0
    }
}

impl Totals for usize {
    fn rows(&self) -> u64 {
        *self as u64
    }
}

impl<M> Totals for Vec<M> {
    fn rows(&self) -> u64 {
        self.len() as u64
    }
}

impl<M> Totals for Option<M> {
    fn rows(&self) -> u64 {
        u64::from(self.is_some())
    }
}

impl Totals for DeleteReport {
    fn rows(&self) -> u64 {
        self.total() as u64
    }
    fn statements(&self) -> Option<u64> {
        Some(self.statements() as u64)
    }
}

impl Totals for DeletePlan {
    fn rows(&self) -> u64 {
        self.total() as u64
    }
}

/// Runs one session call inside its span: `operation` on `model`; records `rows`,
/// `statements` (deletes), `micros`, and `error` when it fails.
pub(crate) fn call<T: Totals>(
    operation: &'static str,
    model: &'static str,
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let span = tracing::info_span!(
        target: "cascade_runtime",
        "cascade",
        operation,
        model,
        rows = Empty,
        statements = Empty,
        micros = Empty,
        error = Empty,
    );
    if span.is_disabled() {
        return f();
    }
    let start = Instant::now();
    let out = span.in_scope(f);
    span.record(
        "micros",
        u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
    );
    match &out {
        Ok(totals) => {
            span.record("rows", totals.rows());
            if let Some(statements) = totals.statements() {
                span.record("statements", statements);
            }
        }
        Err(err) => {
            span.record("error", tracing::field::display(err));
        }
    }
    out
}
