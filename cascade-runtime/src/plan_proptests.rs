//! Property tests of the delete planner over random schema graphs.
//!
//! Each case is a random set of models (cycles across tables, self-references, nullable and
//! NOT NULL keys, every database `ON DELETE`, ORM relationships with random cascades,
//! `passive_deletes` and Django `on_delete`, many-to-one deletes, many-to-many associations),
//! built as leaked `&'static ModelMeta`s. `Schema::build` must return (never panic); when it
//! succeeds, `plan::cascade` from every table must too, and its plan is checked against rules
//! restated here from the README, independently of the planner's own code:
//!
//! - the planned tables are exactly those reachable from the root through delete edges, each
//!   with a key set filled by a collecting step, or a leaf deleted straight through its one
//!   edge (`inline`) whose keys nothing else needs;
//! - every foreign key into a planned table is either a delete edge (its table is planned),
//!   or has a check (refusing rules) or a detach (set null / set default) of the right kind;
//! - the deletes are a permutation of the planned tables, and a table is never deleted
//!   before a planned table that references it through a foreign key that is not unlinked,
//!   unless foreign keys are deferred and the two are in the same loop;
//! - unlinked keys are nullable, and deferring happens only when a loop remains;
//! - a key set is never read by a collecting step before the steps that fill it are done;
//! - planning fails exactly when a loop of NOT NULL keys includes an `ON DELETE RESTRICT`
//!   (SQLite checks RESTRICT row by row and never defers it), and then with a schema error.
//!
//! `CASCADE_PROPTEST_CASES` (see `tests/differential.rs`) scales the number of random
//! schemas: ten times its value (default 300, so 3,000 schemas, each planned from every table).

use std::cell::{Cell, RefCell};
use std::fmt;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestCaseResult, TestError, TestRunner};

use crate::error::{BlockReason, Error};
use crate::metadata::{
    CascadeSet, ColumnMeta, ForeignKeyMeta, ModelMeta, OnDelete, PassiveDeletes, RelationshipMeta,
    RelationshipOnDelete, SqlType,
};
use crate::plan::{self, Cascade, Collect};
use crate::schema::{ForeignKey, Join, Schema, TableId};
use crate::value::Value;

// ============================================================================================
// Random schemas
// ============================================================================================

const MAX_REGULAR: usize = 6;
const MAX_ASSOC: usize = 2;
const MAX_TABLES: usize = MAX_REGULAR + MAX_ASSOC;
const TABLES: [&str; MAX_TABLES] = ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"];
const COLUMNS: [&str; 3] = ["c0", "c1", "c2"];

thread_local! {
    /// The models of the case being built on this thread; `SLOTS[i]` returns the `i`-th.
    /// Metadata refers to other models through `fn` pointers, so random graphs go through
    /// this indirection (each test thread builds and plans its own cases).
    static METAS: RefCell<Vec<&'static ModelMeta>> = const { RefCell::new(Vec::new()) };
}

macro_rules! slots {
    ($($name:ident = $i:literal),*) => {
        $(fn $name() -> &'static ModelMeta {
            METAS.with(|m| m.borrow()[$i])
        })*
        const SLOTS: [fn() -> &'static ModelMeta; MAX_TABLES] = [$($name),*];
    };
}
slots!(
    m0 = 0,
    m1 = 1,
    m2 = 2,
    m3 = 3,
    m4 = 4,
    m5 = 5,
    m6 = 6,
    m7 = 7
);

fn default_one() -> Value {
    Value::Integer(1)
}

/// A random schema: regular tables `t0..tn` (an `id` key and foreign keys `c0..`), then
/// association tables (a key of two foreign keys `c0`, `c1`).
#[derive(Clone)]
struct GenSchema {
    tables: Vec<GenTable>,
    assocs: Vec<GenAssoc>,
}

#[derive(Debug, Clone)]
struct GenTable {
    fks: Vec<GenFk>,
    /// A many-to-one relationship over one of the table's keys (index taken modulo).
    to_one: Option<(usize, CascadeSet, bool)>,
}

#[derive(Debug, Clone)]
struct GenFk {
    target: usize,
    nullable: bool,
    on_delete: OnDelete,
    default: bool,
    /// A one-to-many relationship on the target over this key.
    rel: Option<GenRel>,
}

#[derive(Debug, Clone, Copy)]
struct GenRel {
    cascade: CascadeSet,
    passive: PassiveDeletes,
    on_delete: Option<RelationshipOnDelete>,
    /// `foreign_key = "cN"` given.
    named: bool,
}

#[derive(Debug, Clone)]
struct GenAssoc {
    left: usize,
    right: usize,
    left_on_delete: OnDelete,
    right_on_delete: OnDelete,
    cascade: CascadeSet,
}

fn on_delete_name(a: OnDelete) -> &'static str {
    match a {
        OnDelete::NoAction => "no action",
        OnDelete::Restrict => "restrict",
        OnDelete::Cascade => "cascade",
        OnDelete::SetNull => "set null",
        OnDelete::SetDefault => "set default",
    }
}

fn passive_name(p: PassiveDeletes) -> &'static str {
    match p {
        PassiveDeletes::Off => "",
        PassiveDeletes::On => ", passive",
        PassiveDeletes::All => ", passive all",
    }
}

impl fmt::Debug for GenSchema {
    /// One line per foreign key and relationship, e.g.
    /// `t1.c0 -> t0 NOT NULL on_delete cascade; t0 has [save-update, merge] over it`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GenSchema {{ {} tables", self.tables.len())?;
        for (t, table) in self.tables.iter().enumerate() {
            for (c, fk) in table.fks.iter().enumerate() {
                write!(
                    f,
                    "\n    t{t}.c{c} -> t{}{}{} on_delete {}",
                    fk.target,
                    if fk.nullable { "" } else { " NOT NULL" },
                    if fk.default { " default 1" } else { "" },
                    on_delete_name(fk.on_delete)
                )?;
                if let Some(rel) = fk.rel {
                    write!(
                        f,
                        "; t{} has [{}]{}{}{} over it",
                        fk.target,
                        rel.cascade,
                        passive_name(rel.passive),
                        rel.on_delete
                            .map_or(String::new(), |o| format!(", on_delete {o:?}")),
                        if rel.named { ", named" } else { "" }
                    )?;
                }
            }
            if let Some((c, cascade, named)) = table.to_one {
                if !table.fks.is_empty() {
                    let c = c % table.fks.len();
                    write!(
                        f,
                        "\n    t{t} many-to-one over c{c} [{cascade}]{}",
                        if named { ", named" } else { "" }
                    )?;
                }
            }
        }
        for (a, assoc) in self.assocs.iter().enumerate() {
            write!(
                f,
                "\n    t{} = assoc(t{} on_delete {}, t{} on_delete {}); t{} has [{}] through it",
                self.tables.len() + a,
                assoc.left,
                on_delete_name(assoc.left_on_delete),
                assoc.right,
                on_delete_name(assoc.right_on_delete),
                assoc.left,
                assoc.cascade
            )?;
        }
        write!(f, "\n}}")
    }
}

fn on_delete() -> impl Strategy<Value = OnDelete> {
    prop_oneof![
        3 => Just(OnDelete::NoAction),
        2 => Just(OnDelete::Restrict),
        3 => Just(OnDelete::Cascade),
        2 => Just(OnDelete::SetNull),
        1 => Just(OnDelete::SetDefault),
    ]
}

fn cascade() -> impl Strategy<Value = CascadeSet> {
    prop_oneof![
        3 => Just(CascadeSet::ALL),
        2 => Just(CascadeSet::DEFAULT),
        1 => Just(CascadeSet::NONE),
        1 => Just(CascadeSet::SAVE_UPDATE.union(CascadeSet::DELETE)),
        1 => Just(CascadeSet::ALL.union(CascadeSet::DELETE_ORPHAN)),
    ]
}

fn gen_rel() -> impl Strategy<Value = GenRel> {
    let passive = prop_oneof![
        6 => Just(PassiveDeletes::Off),
        2 => Just(PassiveDeletes::On),
        1 => Just(PassiveDeletes::All),
    ];
    let django = prop_oneof![
        8 => Just(None),
        1 => Just(Some(RelationshipOnDelete::Cascade)),
        1 => Just(Some(RelationshipOnDelete::Protect)),
        1 => Just(Some(RelationshipOnDelete::Restrict)),
        1 => Just(Some(RelationshipOnDelete::SetNull)),
        1 => Just(Some(RelationshipOnDelete::SetDefault)),
    ];
    (cascade(), passive, django, prop::bool::weighted(0.8)).prop_map(
        |(cascade, passive, on_delete, named)| GenRel {
            cascade,
            passive,
            on_delete,
            named,
        },
    )
}

fn gen_schema() -> impl Strategy<Value = GenSchema> {
    (1..=MAX_REGULAR)
        .prop_flat_map(|n| {
            let fk = (
                0..n,
                any::<bool>(),
                on_delete(),
                prop::bool::weighted(0.3),
                prop::option::weighted(0.6, gen_rel()),
                prop::bool::weighted(0.9),
            )
                .prop_map(
                    |(target, nullable, on_delete, mut default, mut rel, valid)| {
                        // Mostly what the derive and the schema accept; the rest exercises
                        // validation errors.
                        if let Some(rel) = rel.as_mut().filter(|_| valid) {
                            if rel.passive == PassiveDeletes::All {
                                rel.cascade = CascadeSet::DEFAULT;
                            }
                            match rel.on_delete {
                                Some(RelationshipOnDelete::SetNull) if !nullable => {
                                    rel.on_delete = None
                                }
                                Some(RelationshipOnDelete::SetDefault) => default = true,
                                _ => {}
                            }
                        }
                        GenFk {
                            target,
                            nullable,
                            on_delete,
                            default,
                            rel,
                        }
                    },
                );
            let table = (
                prop::collection::vec(fk, 0..=COLUMNS.len()),
                prop::option::weighted(
                    0.2,
                    (0..COLUMNS.len(), cascade(), prop::bool::weighted(0.8)),
                ),
            )
                .prop_map(|(fks, to_one)| GenTable { fks, to_one });
            let assoc = (0..n, 0..n, on_delete(), on_delete(), cascade()).prop_map(
                |(left, right, left_on_delete, right_on_delete, cascade)| GenAssoc {
                    left,
                    right,
                    left_on_delete,
                    right_on_delete,
                    cascade,
                },
            );
            (
                prop::collection::vec(table, n),
                prop::collection::vec(assoc, 0..=MAX_ASSOC),
            )
        })
        .prop_map(|(tables, assocs)| GenSchema { tables, assocs })
}

fn leak<T>(v: Vec<T>) -> &'static [T] {
    Box::leak(v.into_boxed_slice())
}

fn leak_str(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn column(name: &'static str, nullable: bool) -> ColumnMeta {
    ColumnMeta {
        field: name,
        name,
        sql_type: SqlType::Integer,
        nullable,
        primary_key: false,
        unique: false,
        index: false,
        default: None,
        foreign_key: None,
    }
}

fn relationship(field: String, target: usize, cascade: CascadeSet) -> RelationshipMeta {
    RelationshipMeta {
        field: leak_str(field),
        target: SLOTS[target],
        collection: true,
        cascade,
        foreign_key: None,
        secondary: None,
        passive_deletes: PassiveDeletes::Off,
        back_populates: None,
        single_parent: false,
        on_delete: None,
    }
}

/// Leaks the models of `gen` and installs them for this thread's `SLOTS`.
fn build_metas(gen: &GenSchema) -> Vec<&'static ModelMeta> {
    let n = gen.tables.len();
    let mut columns: Vec<Vec<ColumnMeta>> = Vec::new();
    let mut rels: Vec<Vec<RelationshipMeta>> = (0..n + gen.assocs.len()).map(|_| vec![]).collect();
    for (t, table) in gen.tables.iter().enumerate() {
        let mut cols = vec![ColumnMeta {
            primary_key: true,
            ..column("id", false)
        }];
        for (c, fk) in table.fks.iter().enumerate() {
            cols.push(ColumnMeta {
                default: fk.default.then_some(default_one as fn() -> Value),
                foreign_key: Some(ForeignKeyMeta {
                    references: None,
                    target: SLOTS[fk.target],
                    on_delete: fk.on_delete,
                }),
                ..column(COLUMNS[c], fk.nullable)
            });
            if let Some(rel) = fk.rel {
                rels[fk.target].push(RelationshipMeta {
                    foreign_key: rel.named.then_some(COLUMNS[c]),
                    passive_deletes: rel.passive,
                    on_delete: rel.on_delete,
                    ..relationship(format!("t{t}_c{c}s"), t, rel.cascade)
                });
            }
        }
        if let Some((c, cascade, named)) = table.to_one {
            if !table.fks.is_empty() {
                let c = c % table.fks.len();
                rels[t].push(RelationshipMeta {
                    collection: false,
                    foreign_key: named.then_some(COLUMNS[c]),
                    // delete-orphan on a many-to-one needs single_parent.
                    single_parent: true,
                    ..relationship(format!("c{c}_target"), table.fks[c].target, cascade)
                });
            }
        }
        columns.push(cols);
    }
    for (a, assoc) in gen.assocs.iter().enumerate() {
        let key = |name, target: usize, on_delete| ColumnMeta {
            primary_key: true,
            foreign_key: Some(ForeignKeyMeta {
                references: None,
                target: SLOTS[target],
                on_delete,
            }),
            ..column(name, false)
        };
        columns.push(vec![
            key(COLUMNS[0], assoc.left, assoc.left_on_delete),
            key(COLUMNS[1], assoc.right, assoc.right_on_delete),
        ]);
        rels[assoc.left].push(RelationshipMeta {
            secondary: Some(SLOTS[n + a]),
            // A many-to-many of a table with itself says which key points at this side.
            foreign_key: (assoc.left == assoc.right).then_some(COLUMNS[0]),
            single_parent: true,
            ..relationship(format!("m{a}"), assoc.right, assoc.cascade)
        });
    }
    let metas: Vec<&'static ModelMeta> = columns
        .into_iter()
        .zip(rels)
        .enumerate()
        .map(|(t, (cols, rels))| {
            &*Box::leak(Box::new(ModelMeta {
                name: TABLES[t],
                table: TABLES[t],
                columns: leak(cols),
                relationships: leak(rels),
                hooks: None,
            }))
        })
        .collect();
    METAS.with(|m| *m.borrow_mut() = metas.clone());
    metas
}

// ============================================================================================
// The rules, restated
// ============================================================================================

/// What happens to rows referencing a deleted row through one key, per the README's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Delete,
    SetNull,
    SetDefault,
    /// Refused for this reason (`None`: for one of several, equally strong).
    Block(Option<BlockReason>),
}

fn rule(schema: &Schema, fk: &ForeignKey) -> Rule {
    let association = schema
        .tables
        .iter()
        .flat_map(|t| &t.relationships)
        .any(|r| {
            matches!(r.join, Join::Secondary { assoc, local, remote }
            if assoc == fk.table && (local == fk.column || remote == fk.column))
        });
    if association {
        return Rule::Delete;
    }
    let null = if fk.nullable {
        Rule::SetNull
    } else {
        Rule::Block(Some(BlockReason::NotNull))
    };
    let orm: Vec<Rule> = schema.tables[fk.target]
        .relationships
        .iter()
        .filter(|r| r.target == fk.table && r.join == Join::Referenced { column: fk.column })
        .filter(|r| r.meta.passive_deletes == PassiveDeletes::Off)
        .map(|r| match r.meta.on_delete {
            Some(RelationshipOnDelete::Cascade) => Rule::Delete,
            Some(RelationshipOnDelete::Protect) => Rule::Block(Some(BlockReason::Protect)),
            Some(RelationshipOnDelete::Restrict) => Rule::Block(Some(BlockReason::Restrict)),
            Some(RelationshipOnDelete::SetNull) => null,
            Some(RelationshipOnDelete::SetDefault) => Rule::SetDefault,
            None if r.meta.cascade.contains(CascadeSet::DELETE) => Rule::Delete,
            None => null,
        })
        .collect();
    if orm.is_empty() {
        return match fk.on_delete {
            OnDelete::Cascade => Rule::Delete,
            OnDelete::SetNull => null,
            OnDelete::SetDefault => Rule::SetDefault,
            OnDelete::Restrict => Rule::Block(Some(BlockReason::DatabaseRestrict)),
            OnDelete::NoAction => Rule::Block(Some(BlockReason::DatabaseNoAction)),
        };
    }
    // Several relationships over one key: protect, then any refusal, then delete, then
    // set default, then set null.
    let rank = |r: &Rule| match r {
        Rule::Block(Some(BlockReason::Protect)) => 5,
        Rule::Block(_) => 4,
        Rule::Delete => 3,
        Rule::SetDefault => 2,
        Rule::SetNull => 1,
    };
    let top = orm
        .iter()
        .map(rank)
        .max()
        .expect("at least one relationship");
    let mut tied = orm.into_iter().filter(|r| rank(r) == top);
    let first = tied.next().expect("the maximum is one of them");
    match first {
        // Two refusals of equal rank (say a NOT NULL nullify and a Django restrict) refuse
        // alike; which reason the error names is the planner's choice.
        Rule::Block(_) if tied.any(|r| r != first) => Rule::Block(None),
        other => other,
    }
}

/// Tables whose rows go when rows of the root go.
fn reachable(schema: &Schema, root: TableId) -> Vec<bool> {
    let mut seen = vec![false; schema.tables.len()];
    seen[root] = true;
    let mut stack = vec![root];
    while let Some(t) = stack.pop() {
        let mut next: Vec<TableId> = schema
            .foreign_keys
            .iter()
            .filter(|fk| fk.target == t && rule(schema, fk) == Rule::Delete)
            .map(|fk| fk.table)
            .collect();
        for rel in &schema.tables[t].relationships {
            // A many-to-one with passive_deletes leaves its target to the database (which has
            // no action upward): SQLAlchemy keeps it.
            let follows = match rel.join {
                Join::Referencing { .. } => rel.meta.passive_deletes == PassiveDeletes::Off,
                Join::Secondary { .. } => true,
                Join::Referenced { .. } => false,
            };
            if follows && rel.meta.cascade.contains(CascadeSet::DELETE) {
                next.push(rel.target);
            }
        }
        for n in next {
            if !seen[n] {
                seen[n] = true;
                stack.push(n);
            }
        }
    }
    seen
}

/// `reach[a][b]`: `b` is reachable from `a` along `edges` (at least one step).
fn closure(n: usize, edges: impl Iterator<Item = (usize, usize)>) -> Vec<Vec<bool>> {
    let mut reach = vec![vec![false; n]; n];
    for (a, b) in edges {
        reach[a][b] = true;
    }
    for k in 0..n {
        let through = reach[k].clone();
        for row in reach.iter_mut().filter(|row| row[k]) {
            for (cell, via) in row.iter_mut().zip(&through) {
                *cell |= *via;
            }
        }
    }
    reach
}

/// Whether some `ON DELETE RESTRICT` NOT NULL key lies on a loop of NOT NULL keys among the
/// planned tables (a self-reference counts): no order, unlink or deferral can delete that.
fn impossible_restrict_loop(schema: &Schema, planned: &[bool]) -> bool {
    let inside = |fk: &&ForeignKey| planned[fk.table] && planned[fk.target] && !fk.nullable;
    let reach = closure(
        schema.tables.len(),
        schema
            .foreign_keys
            .iter()
            .filter(inside)
            .map(|fk| (fk.table, fk.target)),
    );
    schema
        .foreign_keys
        .iter()
        .filter(inside)
        .filter(|fk| fk.on_delete == OnDelete::Restrict)
        .any(|fk| fk.table == fk.target || reach[fk.target][fk.table])
}

fn check_plan(schema: &Schema, root: TableId, plan: &Cascade) -> TestCaseResult {
    let n = schema.tables.len();
    let name = |t: TableId| schema.name(t);
    let expected = reachable(schema, root);
    let mut planned = vec![false; n];
    for &t in &plan.tables {
        prop_assert!(!planned[t], "{} has two key sets", name(t));
        planned[t] = true;
    }
    prop_assert_eq!(plan.tables.first(), Some(&root));
    prop_assert_eq!(plan.root, root);
    for t in 0..n {
        prop_assert_eq!(
            planned[t],
            expected[t],
            "{}: planned {} but reachable through delete edges {}",
            name(t),
            planned[t],
            expected[t]
        );
    }

    // Every key into a planned table has its rule applied.
    for fk in schema.foreign_keys.iter().filter(|fk| planned[fk.target]) {
        let what = format!(
            "{}.{} -> {}",
            name(fk.table),
            schema.column_name(fk.table, fk.column),
            name(fk.target)
        );
        match rule(schema, fk) {
            Rule::Delete => prop_assert!(planned[fk.table], "{what}: not deleted"),
            Rule::Block(reason) => prop_assert!(
                plan.checks.iter().any(|c| c.table == fk.table
                    && c.column == fk.column
                    && c.referenced == fk.target
                    && reason.is_none_or(|r| r == c.reason)),
                "{what}: no check for {reason:?} in {:?}",
                plan.checks
            ),
            detach @ (Rule::SetNull | Rule::SetDefault) => prop_assert!(
                plan.detaches.iter().any(|d| d.table == fk.table
                    && d.column == fk.column
                    && d.referenced == fk.target
                    && d.to_default == (detach == Rule::SetDefault)),
                "{what}: no {detach:?} detach in {:?}",
                plan.detaches
            ),
        }
    }

    // Deletes: a permutation of the planned tables, children before parents.
    let mut sorted = plan.deletes.clone();
    sorted.sort_unstable();
    let mut tables = plan.tables.clone();
    tables.sort_unstable();
    prop_assert_eq!(sorted, tables, "deletes are not the planned tables");
    let unlinked = |fk: &ForeignKey| {
        plan.unlinks
            .iter()
            .any(|u| u.table == fk.table && u.column == fk.column)
    };
    for u in &plan.unlinks {
        let col = &schema.tables[u.table].meta.columns[u.column];
        prop_assert!(
            col.nullable,
            "unlinks NOT NULL {}.{}",
            name(u.table),
            col.name
        );
        prop_assert!(planned[u.table], "unlinks unplanned {}", name(u.table));
    }
    let linking: Vec<&ForeignKey> = schema
        .foreign_keys
        .iter()
        .filter(|fk| planned[fk.table] && planned[fk.target])
        .filter(|fk| fk.table != fk.target && !unlinked(fk))
        .collect();
    let reach = closure(n, linking.iter().map(|fk| (fk.table, fk.target)));
    let same_loop = |a: TableId, b: TableId| reach[a][b] && reach[b][a];
    let position = |t: TableId| plan.deletes.iter().position(|&d| d == t);
    for fk in &linking {
        let (child, parent) = (position(fk.table), position(fk.target));
        prop_assert!(
            child < parent || (plan.defer_foreign_keys && same_loop(fk.table, fk.target)),
            "{} is deleted before {}, which references it through {} (deletes {:?}, unlinks \
             {:?}, deferred {})",
            name(fk.target),
            name(fk.table),
            schema.column_name(fk.table, fk.column),
            plan.deletes.iter().map(|&t| name(t)).collect::<Vec<_>>(),
            plan.unlinks,
            plan.defer_foreign_keys
        );
    }
    if plan.defer_foreign_keys {
        prop_assert!(
            linking.iter().any(|fk| same_loop(fk.table, fk.target)),
            "deferred without a loop"
        );
    }

    // Collecting steps: a key set is read only once every step that adds to it has run (a
    // closure, recursive or fixpoint step reads and completes its own tables' key sets).
    let steps: Vec<(Vec<TableId>, Vec<TableId>)> = plan
        .collect
        .iter()
        .map(|step| match step {
            Collect::Edge(e) => (vec![e.from], vec![e.to]),
            Collect::Closure { table, .. } => (vec![*table], vec![*table]),
            Collect::Recursive { tables, edges } => {
                let mut reads = tables.clone();
                reads.extend(edges.iter().map(|e| e.from));
                (reads, tables.clone())
            }
            Collect::Fixpoint { tables, edges } => {
                let mut reads = tables.clone();
                reads.extend(edges.iter().map(|e| e.from));
                (reads, tables.clone())
            }
        })
        .collect();
    for (i, (reads, _)) in steps.iter().enumerate() {
        for r in reads {
            let later = steps[i + 1..].iter().position(|(_, w)| w.contains(r));
            prop_assert!(
                later.is_none(),
                "step {} ({:?}) reads the key set of {} before step {} adds to it",
                i,
                plan.collect[i],
                name(*r),
                i + 1 + later.unwrap_or(0)
            );
        }
    }
    // Every planned table but the root has its key set filled by a step, or is a leaf
    // deleted straight through its one delete edge from a table with a key set (`inline`),
    // whose own keys nothing needs.
    let keyed = |t: TableId| plan.inline_edge(t).is_none();
    for &t in plan.tables.iter().skip(1) {
        match plan.inline_edge(t) {
            None => prop_assert!(
                steps.iter().any(|(_, w)| w.contains(&t)),
                "nothing fills the key set of {}: {:?}",
                name(t),
                plan
            ),
            Some(edge) => {
                let crate::plan::Via::Referenced { column } = edge.via else {
                    return Err(TestCaseError::fail(format!("inline {edge:?} is not a key")));
                };
                let fk = schema
                    .foreign_keys
                    .iter()
                    .find(|fk| fk.table == t && fk.column == column && fk.target == edge.from);
                prop_assert!(
                    fk.is_some_and(|fk| rule(schema, fk) == Rule::Delete),
                    "{} is inlined through {:?}, which is not a delete edge",
                    name(t),
                    edge
                );
                prop_assert!(keyed(edge.from) && planned[edge.from]);
                prop_assert!(
                    !steps.iter().any(|(r, w)| r.contains(&t) || w.contains(&t)),
                    "{} is inlined but a collecting step uses its key set",
                    name(t)
                );
                let only_way_in = schema
                    .foreign_keys
                    .iter()
                    .filter(|fk| fk.table == t && planned[fk.target])
                    .filter(|fk| rule(schema, fk) == Rule::Delete)
                    .count()
                    == 1;
                let leaf = reachable(schema, t).iter().filter(|&&r| r).count() == 1;
                prop_assert!(
                    only_way_in && leaf,
                    "{} is inlined but is reached twice or reaches further",
                    name(t)
                );
                prop_assert!(
                    !plan
                        .checks
                        .iter()
                        .any(|c| c.table == t || c.referenced == t)
                        && !plan
                            .detaches
                            .iter()
                            .any(|d| d.table == t || d.referenced == t)
                        && !plan.unlinks.iter().any(|u| u.table == t)
                        && !plan.count_keys.contains(&t),
                    "{} is inlined but a check, detach, unlink or count needs its key set",
                    name(t)
                );
            }
        }
    }
    Ok(())
}

// ============================================================================================
// Runner
// ============================================================================================

fn cases() -> u32 {
    std::env::var("CASCADE_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(300)
        .saturating_mul(10)
}

#[derive(Default)]
struct Seen {
    built: Cell<usize>,
    schema_errors: Cell<usize>,
    plans: Cell<usize>,
    loop_errors: Cell<usize>,
    deferred: Cell<usize>,
    unlinked: Cell<usize>,
    loops: Cell<usize>,
}

fn bump(c: &Cell<usize>) {
    c.set(c.get() + 1);
}

fn run_case(gen: &GenSchema, seen: &Seen) -> TestCaseResult {
    let metas = build_metas(gen);
    let schema = match Schema::build(&metas) {
        Ok(schema) => schema,
        Err(err) => {
            prop_assert!(matches!(err, Error::Schema { .. }), "{err:?}");
            prop_assert!(!err.to_string().is_empty());
            bump(&seen.schema_errors);
            return Ok(());
        }
    };
    bump(&seen.built);
    for root in 0..schema.tables.len() {
        let planned = reachable(&schema, root);
        let impossible = impossible_restrict_loop(&schema, &planned);
        match plan::cascade(&schema, root) {
            Ok(plan) => {
                prop_assert!(
                    !impossible,
                    "planned from {} despite a NOT NULL RESTRICT loop: {plan:?}",
                    schema.name(root)
                );
                check_plan(&schema, root, &plan)
                    .map_err(|e| TestCaseError::fail(format!("from {}: {e}", schema.name(root))))?;
                bump(&seen.plans);
                if plan.defer_foreign_keys {
                    bump(&seen.deferred);
                }
                if !plan.unlinks.is_empty() {
                    bump(&seen.unlinked);
                }
                if plan
                    .collect
                    .iter()
                    .any(|c| matches!(c, Collect::Recursive { .. } | Collect::Fixpoint { .. }))
                {
                    bump(&seen.loops);
                }
            }
            Err(err) => {
                prop_assert!(
                    impossible,
                    "from {}: refused without a NOT NULL RESTRICT loop: {err}",
                    schema.name(root)
                );
                prop_assert!(matches!(err, Error::Schema { .. }), "{err:?}");
                bump(&seen.loop_errors);
            }
        }
    }
    Ok(())
}

#[test]
fn random_schemas_plan_children_before_parents() {
    let config = Config {
        cases: cases(),
        source_file: Some(file!()),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let seen = Seen::default();
    let result = runner.run(&gen_schema(), |gen| run_case(&gen, &seen));
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, gen)) => panic!("{reason}\nminimal failing schema: {gen:?}"),
        Err(e) => panic!("{e}"),
    }
    eprintln!(
        "planner: {} schemas built, {} refused by validation; {} plans ({} deferred, {} with \
         unlinks, {} with loops), {} refused loops",
        seen.built.get(),
        seen.schema_errors.get(),
        seen.plans.get(),
        seen.deferred.get(),
        seen.unlinked.get(),
        seen.loops.get(),
        seen.loop_errors.get()
    );
    if cases() >= 500 {
        assert!(
            seen.built.get() > seen.schema_errors.get(),
            "most random schemas should validate"
        );
        for (what, n) in [
            ("deferred", &seen.deferred),
            ("unlinked", &seen.unlinked),
            ("looping", &seen.loops),
            ("refused", &seen.loop_errors),
        ] {
            assert!(n.get() > 0, "no {what} plan among the random schemas");
        }
    }
}

#[test]
fn invalid_random_schemas_are_errors_not_panics() {
    // Relationships over keys that do not exist, ambiguous joins, `on_delete` rules that
    // contradict the column: every error is a `Schema` error, and Display works.
    let config = Config {
        cases: cases() / 4,
        source_file: Some(file!()),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let errors = Cell::new(0usize);
    let strategy = gen_schema().prop_map(|mut gen| {
        // Name no key: joins between tables with several keys become ambiguous.
        for table in &mut gen.tables {
            for fk in &mut table.fks {
                if let Some(rel) = fk.rel.as_mut() {
                    rel.named = false;
                }
            }
        }
        gen
    });
    let result = runner.run(&strategy, |gen| {
        let metas = build_metas(&gen);
        if let Err(err) = Schema::build(&metas) {
            prop_assert!(matches!(err, Error::Schema { .. }), "{err:?}");
            prop_assert!(!err.to_string().is_empty());
            errors.set(errors.get() + 1);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    if cases() >= 500 {
        assert!(errors.get() > 0, "no invalid schema was generated");
    }
}
