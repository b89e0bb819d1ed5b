//! The random cases of the differential suites and the run that compares the cascade side
//! with the oracle after each delete, written once for both backends: a [`Harness`] supplies
//! the two databases (fresh SQLite files per case in `tests/differential.rs`, two PostgreSQL
//! schemas per fixture, emptied and refilled per case, in `tests/differential_postgres.rs`).

use std::cell::{Cell, RefCell};
use std::fmt;

use cascade_runtime::__private::{set_range_thresholds, DELETE_CHUNK, INLINE_PARENTS};
use cascade_runtime::{Error, Session};
use proptest::prelude::*;
use proptest::test_runner::{
    Config, FileFailurePersistence, TestCaseError, TestCaseResult, TestError, TestRunner,
};

use crate::common::traced;
use crate::fixtures::{Fixture, Side, TableSpec};

// ============================================================================================
// Generated data
// ============================================================================================

/// How a generated row points at its parent, before the table sizes are known.
#[derive(Debug, Clone, Copy)]
enum Link {
    /// `NULL` (on nullable keys only).
    Null,
    /// A row a few positions back: in a self-reference, the row `k + 1` ids before this one
    /// (deep chains); elsewhere the row at about the same position.
    Back(u8),
    /// Any row (in a self-reference, possibly itself or a later one: loops in the data).
    Any(u16),
}

fn link(nullable: bool) -> BoxedStrategy<Link> {
    let back = (0u8..3).prop_map(Link::Back);
    let any = any::<u16>().prop_map(Link::Any);
    if nullable {
        prop_oneof![1 => Just(Link::Null), 4 => back, 2 => any].boxed()
    } else {
        prop_oneof![4 => back, 2 => any].boxed()
    }
}

/// One table's rows, each a list of column values (`id` first unless an association table).
pub type Rows = Vec<Vec<Option<i64>>>;

/// The rows of every table of a fixture, as inserted in both databases.
#[derive(Clone)]
pub struct Data {
    pub names: Vec<&'static str>,
    pub tables: Vec<Rows>,
}

impl fmt::Debug for Data {
    /// One line per table: `name: [(id, fk, ..), ..]`, `-` for NULL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, rows) in self.names.iter().zip(&self.tables) {
            write!(f, "\n    {name}: {}", row_list(rows))?;
        }
        Ok(())
    }
}

fn tuple(row: &[Option<i64>]) -> String {
    let cells: Vec<String> = row
        .iter()
        .map(|v| v.map_or_else(|| "-".to_owned(), |v| v.to_string()))
        .collect();
    format!("({})", cells.join(", "))
}

/// Turns raw links into rows that satisfy every foreign key: ids are `1..=n`; a NOT NULL key
/// into an empty table empties the referencing table (to a fixpoint).
fn materialize(tables: &[TableSpec], raw: Vec<Vec<Vec<Link>>>) -> Data {
    let mut sizes: Vec<usize> = raw.iter().map(Vec::len).collect();
    loop {
        let mut changed = false;
        for (t, spec) in tables.iter().enumerate() {
            let blocked = spec
                .fks
                .iter()
                .any(|fk| (!fk.nullable || !spec.id) && sizes[fk.target] == 0);
            if blocked && sizes[t] > 0 {
                sizes[t] = 0;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut out = Vec::with_capacity(tables.len());
    for (t, (spec, raw_rows)) in tables.iter().zip(raw).enumerate() {
        let mut rows: Rows = Vec::new();
        for (i, links) in raw_rows.into_iter().take(sizes[t]).enumerate() {
            let id = i as i64 + 1;
            let mut row = Vec::with_capacity(links.len() + 1);
            if spec.id {
                row.push(Some(id));
            }
            for (fk, link) in spec.fks.iter().zip(links) {
                let m = sizes[fk.target] as i64;
                let value = match link {
                    _ if m == 0 => None,
                    Link::Null if fk.nullable => None,
                    Link::Null => Some(1),
                    Link::Back(k) if fk.target == t => {
                        let parent = id - 1 - i64::from(k);
                        match parent {
                            p if p >= 1 => Some(p),
                            _ if fk.nullable => None,
                            _ => Some(id), // a NOT NULL root references itself
                        }
                    }
                    Link::Back(k) => Some((i as i64 - i64::from(k)).rem_euclid(m) + 1),
                    Link::Any(j) => Some(i64::from(j) % m + 1),
                };
                row.push(value);
            }
            rows.push(row);
        }
        if !spec.id {
            rows.sort();
            rows.dedup();
        }
        out.push(rows);
    }
    Data {
        names: tables.iter().map(|t| t.name).collect(),
        tables: out,
    }
}

/// One delete, run on both databases.
#[derive(Clone, Copy)]
pub enum Op {
    /// `delete_by_pk` / `DELETE … WHERE id = ?` (the key may match no row).
    Pk {
        root: usize,
        table: &'static str,
        id: i64,
    },
    /// `delete_where("id BETWEEN ?1 AND ?2")` / the same plain `DELETE`.
    Range {
        root: usize,
        table: &'static str,
        lo: i64,
        hi: i64,
    },
    /// `delete_where_in_chunks` of the same range, `size` roots a chunk / a plain `DELETE` of
    /// the range's first `size` rows in key order, again until none is left or one is refused,
    /// each its own transaction.
    Chunks {
        root: usize,
        table: &'static str,
        lo: i64,
        hi: i64,
        size: usize,
    },
    /// `plan_delete_where` of the range, then `execute_plan` / the plain `DELETE` of the range.
    Plan {
        root: usize,
        table: &'static str,
        lo: i64,
        hi: i64,
    },
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Op::Pk { table, id, .. } => write!(f, "delete_by_pk({table}, {id})"),
            Op::Range { table, lo, hi, .. } => write!(f, "delete_where({table}, {lo}..={hi})"),
            Op::Chunks {
                table,
                lo,
                hi,
                size,
                ..
            } => write!(
                f,
                "delete_where_in_chunks({table}, {lo}..={hi}, {size} a chunk)"
            ),
            Op::Plan { table, lo, hi, .. } => {
                write!(f, "execute_plan(plan_delete_where({table}, {lo}..={hi}))")
            }
        }
    }
}

impl Op {
    fn root(&self) -> usize {
        match *self {
            Op::Pk { root, .. }
            | Op::Range { root, .. }
            | Op::Chunks { root, .. }
            | Op::Plan { root, .. } => root,
        }
    }

    /// Whether the operation's own condition selects the root row with this id.
    fn matches(&self, row_id: i64) -> bool {
        match *self {
            Op::Pk { id, .. } => row_id == id,
            Op::Range { lo, hi, .. } | Op::Chunks { lo, hi, .. } | Op::Plan { lo, hi, .. } => {
                (lo..=hi).contains(&row_id)
            }
        }
    }

    fn chunked(&self) -> bool {
        matches!(self, Op::Chunks { .. })
    }
}

#[derive(Clone)]
pub struct Case {
    pub data: Data,
    pub ops: Vec<Op>,
    /// SQLite's range thresholds (`INLINE_PARENTS`, `DELETE_CHUNK`) lowered for this case, so
    /// that ranges of keys and of parent keys run on small data; `None`: the defaults.
    pub thresholds: Option<(usize, usize)>,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Case {{{:?}\n    ops: {:?}", self.data, self.ops)?;
        if let Some((inline_parents, delete_chunk)) = self.thresholds {
            write!(
                f,
                "\n    thresholds: INLINE_PARENTS = {inline_parents}, DELETE_CHUNK = {delete_chunk}"
            )?;
        }
        write!(f, "\n}}")
    }
}

/// Lowered range thresholds for three cases in four on SQLite (none on PostgreSQL, which
/// deletes without ranges): `INLINE_PARENTS` from 1 to 4, `DELETE_CHUNK` from 1 to 6.
fn thresholds<B: Side>(_fx: &Fixture<B>) -> BoxedStrategy<Option<(usize, usize)>> {
    if !B::RANGES {
        return Just(None).boxed();
    }
    prop_oneof![
        1 => Just(None),
        3 => (1usize..=4, 1usize..=6).prop_map(Some),
    ]
    .boxed()
}

/// A delete before the data is known: which root, which kind, and raw numbers that pick rows.
#[derive(Debug, Clone, Copy)]
enum RawOp {
    /// A row that exists when the data is inserted.
    Pk(usize, u16),
    /// A key past every row: deletes nothing.
    Missing(usize),
    /// A range starting at an existing row (or just before the first), `len + 1` ids wide.
    Range(usize, u16, u8),
    /// The same range, deleted in chunks of `size` roots.
    Chunks(usize, u16, u8, u8),
    /// The same range, planned then executed.
    Plan(usize, u16, u8),
}

fn raw_op(roots: usize) -> BoxedStrategy<RawOp> {
    prop_oneof![
        6 => (0..roots, any::<u16>()).prop_map(|(r, i)| RawOp::Pk(r, i)),
        1 => (0..roots).prop_map(RawOp::Missing),
        4 => (0..roots, any::<u16>(), 0u8..8).prop_map(|(r, i, len)| RawOp::Range(r, i, len)),
        2 => (0..roots, any::<u16>(), 0u8..8, 1u8..=3)
            .prop_map(|(r, i, len, size)| RawOp::Chunks(r, i, len, size)),
        2 => (0..roots, any::<u16>(), 0u8..8).prop_map(|(r, i, len)| RawOp::Plan(r, i, len)),
    ]
    .boxed()
}

impl RawOp {
    fn materialize<B: Side>(self, fx: &Fixture<B>, data: &Data) -> Op {
        let (RawOp::Pk(root, _)
        | RawOp::Missing(root)
        | RawOp::Range(root, ..)
        | RawOp::Chunks(root, ..)
        | RawOp::Plan(root, ..)) = self;
        let range = |i: u16, len: u8, rows: i64| {
            let lo = i64::from(i) % (rows + 1);
            (lo, lo + i64::from(len))
        };
        let t = fx.roots[root].0;
        let table = fx.tables[t].name;
        let rows = data.tables[t].len() as i64;
        match self {
            RawOp::Pk(_, i) if rows > 0 => Op::Pk {
                root,
                table,
                id: i64::from(i) % rows + 1,
            },
            RawOp::Pk(..) | RawOp::Missing(_) => Op::Pk {
                root,
                table,
                id: rows + 1,
            },
            RawOp::Range(_, i, len) => {
                let (lo, hi) = range(i, len, rows);
                Op::Range {
                    root,
                    table,
                    lo,
                    hi,
                }
            }
            RawOp::Chunks(_, i, len, size) => {
                let (lo, hi) = range(i, len, rows);
                Op::Chunks {
                    root,
                    table,
                    lo,
                    hi,
                    size: usize::from(size),
                }
            }
            RawOp::Plan(_, i, len) => {
                let (lo, hi) = range(i, len, rows);
                Op::Plan {
                    root,
                    table,
                    lo,
                    hi,
                }
            }
        }
    }
}

fn case_strategy<B: Side>(fx: &'static Fixture<B>) -> impl Strategy<Value = Case> {
    let tables: Vec<BoxedStrategy<Vec<Vec<Link>>>> = fx
        .tables
        .iter()
        .map(|spec| {
            let row: Vec<BoxedStrategy<Link>> = spec
                .fks
                .iter()
                .map(|fk| link(fk.nullable && spec.id))
                .collect();
            prop::collection::vec(row, 0..=spec.max_rows).boxed()
        })
        .collect();
    let ops = prop::collection::vec(raw_op(fx.roots.len()), 1..=4);
    (tables, ops, thresholds(fx)).prop_map(move |(raw, ops, thresholds)| {
        let data = materialize(&fx.tables, raw);
        let ops = ops
            .into_iter()
            .map(|op| op.materialize(fx, &data))
            .collect();
        Case {
            data,
            ops,
            thresholds,
        }
    })
}

// ============================================================================================
// Running a case on both databases
// ============================================================================================

/// The two databases of a fixture's run, on one backend: the cascade side behind a
/// [`Session`], and the oracle whose foreign keys carry the native actions.
pub trait Harness {
    type B: Side;
    /// The oracle database's name, for messages.
    const ORACLE: &'static str;
    /// The fixture the databases hold.
    fn fixture(&self) -> &'static Fixture<Self::B>;
    /// Makes both databases hold exactly `data`, before case `n`.
    fn load(&mut self, n: usize, data: &Data);
    /// After case `n`, whatever its outcome.
    fn unload(&mut self, _n: usize) {}
    fn session(&mut self) -> &mut Session<Self::B>;
    /// Every table's rows, sorted: the oracle's, or the cascade side's.
    fn dump(&mut self, oracle: bool) -> Vec<Rows>;
    /// Runs a plain `DELETE` on the oracle, as a transaction of its own: the rows the statement
    /// itself deleted (not those its foreign keys' actions or triggers did), or `Err` with the
    /// database's message when a foreign key refuses it. Any other error fails the test (a
    /// broken oracle must not pass for a refusal).
    fn native_delete(&mut self, sql: &str, params: &[i64]) -> Result<usize, String>;
    /// Whether `err` is the database's own foreign-key error (see
    /// [`Fixture::database_refusals`]).
    fn is_foreign_key_error(err: &Error) -> bool;
}

/// A table's columns: `id` (unless an association table), then its foreign keys.
pub fn columns(spec: &TableSpec) -> Vec<&'static str> {
    let mut cols = Vec::new();
    if spec.id {
        cols.push("id");
    }
    cols.extend(spec.fks.iter().map(|fk| fk.column));
    cols
}

/// The plain `DELETE` the oracle runs for an operation (for chunks, once per chunk), and its
/// parameters.
fn native_delete_sql<B: Side>(fx: &Fixture<B>, op: &Op) -> (String, Vec<i64>) {
    let table = fx.tables[fx.roots[op.root()].0].name;
    match *op {
        Op::Pk { id, .. } => (
            format!("DELETE FROM \"{table}\" WHERE {}", B::KEY),
            vec![id],
        ),
        Op::Range { lo, hi, .. } | Op::Plan { lo, hi, .. } => (
            format!("DELETE FROM \"{table}\" WHERE {}", B::RANGE),
            vec![lo, hi],
        ),
        Op::Chunks { lo, hi, size, .. } => (
            format!(
                "DELETE FROM \"{table}\" WHERE id IN \
                 (SELECT id FROM \"{table}\" WHERE {} ORDER BY id LIMIT {})",
                B::RANGE,
                B::THIRD
            ),
            vec![lo, hi, size as i64],
        ),
    }
}

/// Runs an operation on the oracle: its `DELETE`, or for chunks, the chunk's `DELETE` until it
/// deletes nothing or is refused.
fn native<H: Harness>(h: &mut H, op: &Op) -> Result<(), String> {
    let (sql, params) = native_delete_sql(h.fixture(), op);
    loop {
        let rows = h.native_delete(&sql, &params)?;
        if !op.chunked() || rows == 0 {
            return Ok(());
        }
    }
}

/// What changed in one table between two dumps: rows gone, keys set to NULL, keys changed to
/// another value (SET DEFAULT). Rows are matched by their key (`id`, or the whole row).
fn changes(spec: &TableSpec, before: &Rows, after: &Rows) -> (usize, usize, usize) {
    let key = |row: &Vec<Option<i64>>| -> Vec<Option<i64>> {
        if spec.id {
            vec![row[0]]
        } else {
            row.clone()
        }
    };
    let (mut deleted, mut nulled, mut changed) = (0, 0, 0);
    for old in before {
        match after.iter().find(|new| key(new) == key(old)) {
            None => deleted += 1,
            Some(new) => {
                for (o, n) in old.iter().zip(new) {
                    match (o, n) {
                        (Some(_), None) => nulled += 1,
                        (Some(a), Some(b)) if a != b => changed += 1,
                        _ => {}
                    }
                }
            }
        }
    }
    (deleted, nulled, changed)
}

/// Every table's rows, one line per table, in the compact form of [`Data`]'s `Debug`.
struct Tables<'a>(&'a [TableSpec], &'a [Rows]);

impl fmt::Display for Tables<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (spec, rows) in self.0.iter().zip(self.1) {
            write!(f, "\n    {}: {}", spec.name, row_list(rows))?;
        }
        Ok(())
    }
}

fn row_list(rows: &Rows) -> String {
    let rows: Vec<String> = rows.iter().map(|r| tuple(r)).collect();
    format!("[{}]", rows.join(", "))
}

/// Fails with the tables that differ, each side in compact form, when `left != right`.
fn same(
    tables: &[TableSpec],
    left: &[Rows],
    right: &[Rows],
    context: impl FnOnce() -> String,
) -> TestCaseResult {
    if left == right {
        return Ok(());
    }
    let mut message = context();
    for ((spec, l), r) in tables.iter().zip(left).zip(right) {
        if l != r {
            message.push_str(&format!(
                "\n    {}:\n      left:  {}\n      right: {}",
                spec.name,
                row_list(l),
                row_list(r)
            ));
        }
    }
    Err(TestCaseError::fail(message))
}

const DEFAULT_THRESHOLDS: (usize, usize) = (INLINE_PARENTS, DELETE_CHUNK);

/// What the operations of a run did, to make sure the generators reach every outcome.
#[derive(Default)]
struct Seen {
    /// Cases run with lowered range thresholds.
    lowered: Cell<usize>,
    /// Deletes that went in ranges of keys or of parent keys.
    ranged: Cell<usize>,
    /// Chunked deletes and executed plans that deleted rows.
    chunked: Cell<usize>,
    planned: Cell<usize>,
    ops: Cell<usize>,
    cascaded: Cell<usize>,
    nulled: Cell<usize>,
    defaulted: Cell<usize>,
    refused: Cell<usize>,
}

fn bump(c: &Cell<usize>) {
    c.set(c.get() + 1);
}

/// Runs a case's deletes on both databases, comparing after each.
fn run_ops<H: Harness>(h: &mut H, case: &Case, seen: &Seen) -> TestCaseResult {
    let fx = h.fixture();
    let tables = &fx.tables[..];
    let oracle = H::ORACLE;
    for (step, op) in case.ops.iter().enumerate() {
        let before = h.dump(false);
        same(tables, &before, &h.dump(true), || {
            format!("before {op:?}, the databases differ (left: cascade, right: {oracle})")
        })?;
        if let Some(log) = &fx.hooks {
            (log.take)();
        }
        let (ours, events) = traced(|| (fx.roots[op.root()].1)(h.session(), op));
        // A range's upper bound is read before each range: ranges ran.
        if events.iter().any(|e| e.sql.contains(" OFFSET ")) {
            bump(&seen.ranged);
        }
        let native = native(h, op);
        let after = h.dump(false);
        let expected = h.dump(true);
        bump(&seen.ops);
        // Chunks commit one by one: a refused chunk leaves the earlier ones done (the oracle's
        // too), and a row may be detached by one chunk and deleted by a later one, which the
        // report counts both.
        let chunked = op.chunked();
        match (ours, native) {
            (Ok(outcome), Ok(())) => {
                let report = &outcome.report;
                same(tables, &after, &expected, || {
                    format!(
                        "step {step} {op:?}: the tables differ (left: cascade, right: {oracle}); \
                         report:\n{report}"
                    )
                })?;
                let mut total = 0;
                for (t, spec) in tables.iter().enumerate() {
                    let (deleted, nulled, defaulted) = changes(spec, &before[t], &after[t]);
                    total += deleted;
                    let reported = (
                        report.count(spec.name),
                        report.nulled(spec.name),
                        report.defaulted(spec.name),
                    );
                    let agrees = match chunked {
                        false => reported == (deleted, nulled, defaulted),
                        true => {
                            reported.0 == deleted && reported.1 >= nulled && reported.2 >= defaulted
                        }
                    };
                    prop_assert!(
                        agrees,
                        "step {} {:?}: the report's (deleted, nulled, defaulted) for {}, {:?}, \
                         differ from the rows that changed, {:?}; report:\n{}",
                        step,
                        op,
                        spec.name,
                        reported,
                        (deleted, nulled, defaulted),
                        report
                    );
                    if let Some(plan) = &outcome.plan {
                        prop_assert_eq!(
                            (
                                plan.count(spec.name),
                                plan.nulled(spec.name),
                                plan.defaulted(spec.name)
                            ),
                            (deleted, nulled, defaulted),
                            "step {} {:?}: the plan's (deleted, nulled, defaulted) for {} differ \
                             from the rows that changed; plan:\n{}",
                            step,
                            op,
                            spec.name,
                            plan
                        );
                    }
                    if nulled > 0 {
                        bump(&seen.nulled);
                    }
                    if defaulted > 0 {
                        bump(&seen.defaulted);
                    }
                }
                prop_assert_eq!(report.total(), total);
                let matched = before[fx.roots[op.root()].0]
                    .iter()
                    .filter(|row| op.matches(row[0].unwrap_or(0)))
                    .count();
                if total > matched {
                    bump(&seen.cascaded);
                }
                if total > 0 {
                    match op {
                        Op::Chunks { .. } => bump(&seen.chunked),
                        Op::Plan { .. } => bump(&seen.planned),
                        _ => {}
                    }
                }
                check_hooks(fx, step, op, &before, &after, None)?;
            }
            (Err(err), Err(_)) => {
                let blocked = matches!(err, Error::Blocked { .. });
                let database = H::is_foreign_key_error(&err);
                prop_assert!(
                    blocked || (fx.database_refusals && database),
                    "step {} {:?}: refused by both, but with {:?}",
                    step,
                    op,
                    err
                );
                if chunked {
                    same(tables, &after, &expected, || {
                        format!(
                            "step {step} {op:?}: refused ({err}) by both, after different chunks \
                             (left: cascade, right: {oracle})"
                        )
                    })?;
                } else {
                    same(tables, &after, &before, || {
                        format!(
                            "step {step} {op:?}: refused ({err}) but the cascade database \
                             changed (left: after, right: before)"
                        )
                    })?;
                    same(tables, &expected, &before, || {
                        format!(
                            "step {step} {op:?}: {oracle} refused but changed (left: after, \
                             right: before)"
                        )
                    })?;
                }
                check_hooks(fx, step, op, &before, &after, Some(&err))?;
                bump(&seen.refused);
            }
            (Ok(outcome), Err(native)) => {
                return Err(TestCaseError::fail(format!(
                    "step {step} {op:?}: {oracle} refused ({native}) but cascade deleted:\n{}",
                    outcome.report
                )))
            }
            (Err(err), Ok(())) => {
                return Err(TestCaseError::fail(format!(
                    "step {step} {op:?}: cascade refused ({err}) but {oracle} deleted; {oracle}'s \
                     tables after its delete:{}",
                    Tables(tables, &expected)
                )))
            }
        }
    }
    Ok(())
}

/// For a fixture with hooks: `after_delete` ran on exactly the hooked table's rows that the
/// operation removed (none when refused, but those of chunks committed before the refusal),
/// and so did `before_delete` — unless a database error refused the delete after the hooks
/// had run (`before_delete` then saw more).
fn check_hooks<B: Side>(
    fx: &Fixture<B>,
    step: usize,
    op: &Op,
    before: &[Rows],
    after: &[Rows],
    err: Option<&Error>,
) -> TestCaseResult {
    let Some(log) = &fx.hooks else {
        return Ok(());
    };
    let id = |row: &Vec<Option<i64>>| row[0].unwrap_or(0);
    let kept: Vec<i64> = after[log.table].iter().map(id).collect();
    let mut gone: Vec<i64> = before[log.table]
        .iter()
        .map(id)
        .filter(|k| !kept.contains(k))
        .collect();
    gone.sort_unstable();
    let (mut before_hook, mut after_hook) = (log.take)();
    before_hook.sort_unstable();
    after_hook.sort_unstable();
    let name = fx.tables[log.table].name;
    prop_assert_eq!(
        &after_hook,
        &gone,
        "step {} {:?}: after_delete ran on other {} rows than those deleted",
        step,
        op,
        name
    );
    match err {
        None | Some(Error::Blocked { .. }) => prop_assert_eq!(
            &before_hook,
            &gone,
            "step {} {:?}: before_delete ran on other {} rows than those deleted",
            step,
            op,
            name
        ),
        Some(_) => prop_assert!(
            after_hook.iter().all(|k| before_hook.contains(k)),
            "step {} {:?}: after_delete ran on {} rows before_delete did not see",
            step,
            op,
            name
        ),
    }
    Ok(())
}

/// Random cases per fixture: `CASCADE_PROPTEST_CASES`, or the suite's default.
pub fn cases(default: u32) -> u32 {
    std::env::var("CASCADE_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs a fixture's random cases through `harness`. Shrunk failures are saved next to
/// `source_file` (the suite's `file!()`), as `<suite>.regressions`, and replayed first by
/// later runs.
pub fn differential<H: Harness>(harness: H, source_file: &'static str, default_cases: u32) {
    let fx = harness.fixture();
    let cases = cases(default_cases);
    let config = Config {
        cases,
        source_file: Some(source_file),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let seen = Seen::default();
    let counter = Cell::new(0usize);
    let harness = RefCell::new(harness);
    let result = runner.run(&case_strategy(fx), |case| {
        let n = counter.get();
        counter.set(n + 1);
        let mut h = harness.borrow_mut();
        h.load(n, &case.data);
        let (inline_parents, delete_chunk) = case.thresholds.unwrap_or(DEFAULT_THRESHOLDS);
        set_range_thresholds(inline_parents, delete_chunk);
        let result = run_ops(&mut *h, &case, &seen);
        set_range_thresholds(DEFAULT_THRESHOLDS.0, DEFAULT_THRESHOLDS.1);
        if case.thresholds.is_some() && result.is_ok() {
            bump(&seen.lowered);
        }
        h.unload(n);
        result
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, case)) => {
            panic!("{}: {reason}\nminimal failing case: {case:?}", fx.name)
        }
        Err(e) => panic!("{}: {e}", fx.name),
    }
    eprintln!(
        "{} on {}: {} cases ({} with lowered range thresholds), {} deletes: {} cascaded, {} \
         deleted in chunks, {} by a plan, {} nulled, {} defaulted, {} refused, {} in ranges",
        fx.name,
        H::ORACLE,
        counter.get(),
        seen.lowered.get(),
        seen.ops.get(),
        seen.cascaded.get(),
        seen.chunked.get(),
        seen.planned.get(),
        seen.nulled.get(),
        seen.defaulted.get(),
        seen.refused.get(),
        seen.ranged.get()
    );
    // Chunks and plans are two kinds of operation in fifteen, some of which delete nothing:
    // counted over SQLite's 300 cases (the generator is the same on PostgreSQL).
    if cases >= 100 {
        assert!(
            seen.chunked.get() > 0,
            "{}: no chunked delete deleted",
            fx.name
        );
        assert!(
            seen.planned.get() > 0,
            "{}: no executed plan deleted",
            fx.name
        );
    }
    if cases >= 50 {
        let expect = &fx.expect;
        assert!(seen.cascaded.get() > 0, "{}: no delete cascaded", fx.name);
        assert!(
            !<H::B as Side>::RANGES || seen.ranged.get() > 0,
            "{}: no delete went in ranges",
            fx.name
        );
        assert!(
            !expect.nulled || seen.nulled.get() > 0,
            "{}: no delete set a key to NULL",
            fx.name
        );
        assert!(
            !expect.defaulted || seen.defaulted.get() > 0,
            "{}: no delete set a key to its default",
            fx.name
        );
        assert!(
            !expect.refused || seen.refused.get() > 0,
            "{}: no delete was refused",
            fx.name
        );
    }
}
