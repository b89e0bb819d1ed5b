//! PostgreSQL for the tests: with `CASCADE_PG_URL` set (`.ci/run` sets it), each test gets a
//! session on a schema of its own, dropped when the test ends, so tests run in parallel; a
//! server that does not answer fails the test. Without it, the PostgreSQL tests say once
//! that they were skipped, and how to run them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

use cascade_runtime::PgSession;

/// The server's address, from `CASCADE_PG_URL`; `None` (and one line on stderr) without it.
pub fn pg_url() -> Option<String> {
    match std::env::var("CASCADE_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            static SKIPPED: Once = Once::new();
            SKIPPED.call_once(|| {
                eprintln!(
                    "PostgreSQL tests skipped: set CASCADE_PG_URL (e.g. \
                     postgresql://postgres@127.0.0.1:5432/test) or run .ci/test to run them"
                )
            });
            None
        }
    }
}

/// A schema of one test's own, dropped with it.
pub struct PgSchema {
    url: String,
    pub name: String,
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ =
                client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name));
        }
    }
}

/// A new schema, unique to this process and call.
pub fn pg_schema(url: &str) -> PgSchema {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "cascade_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut client = postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("CASCADE_PG_URL={url} does not answer: {e}"));
    client
        .batch_execute(&format!("CREATE SCHEMA \"{name}\""))
        .expect("create the test's schema");
    PgSchema {
        url: url.to_owned(),
        name,
    }
}

/// A session whose statements go to `schema`.
pub fn pg_session_in(schema: &PgSchema) -> PgSession {
    pg_session_on(&schema.url, &schema.name)
}

/// A session whose statements go to the schema named `schema` (made by another process's
/// [`pg_schema`], say), which it does not own.
pub fn pg_session_on(url: &str, schema: &str) -> PgSession {
    let mut session = PgSession::connect(url)
        .unwrap_or_else(|e| panic!("CASCADE_PG_URL={url} does not answer: {e}"));
    session
        .client()
        .batch_execute(&format!("SET search_path TO \"{schema}\""))
        .expect("set the search path");
    session
}

/// A session on a fresh schema of its own, or `None` when PostgreSQL tests are not run.
pub fn pg_session() -> Option<(PgSchema, PgSession)> {
    let url = pg_url()?;
    let schema = pg_schema(&url);
    let session = pg_session_in(&schema);
    Some((schema, session))
}
