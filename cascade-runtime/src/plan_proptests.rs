//! Property tests of the delete planner over random schema graphs.
//!
//! Each case is a random set of models (cycles across tables, self-references, nullable and
//! NOT NULL keys, every database `ON DELETE`, ORM relationships with random cascades,
//! `passive_deletes` and Django `on_delete`, many-to-one deletes, many-to-many associations),
//! built as leaked `&'static ModelMeta`s. What the checks expect is computed from the
//! generator's own description (`Model::of`: which column references which table, which
//! relationship sits over which key, the association tables), never from the joins and foreign
//! keys the runtime resolved, so a resolution bug cannot be mirrored by the expectations.
//!
//! - `Schema::build` returns (never panics), and refuses a schema exactly when it has a defect
//!   the generator's data shows — a relationship whose join is ambiguous (several keys between
//!   the two tables, or to itself), `on_delete = "set null"` over a NOT NULL key, `"set
//!   default"` over a key without a default, `passive_deletes = "all"` with `delete` — and
//!   then with an `Error::Schema` naming the model, the field and the columns of one of them.
//!
//! When it succeeds, `plan::cascade` from every table must return too, and its plan is checked
//! against rules restated here from the README, independently of the planner's own code:
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
//!   (SQLite checks RESTRICT row by row and never defers it), and then with a schema error
//!   naming one of those RESTRICT keys (`table.column -> target`) and a table of the loop.
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
use crate::schema::{Join, Schema, TableId};
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
// The generated schema, resolved here
// ============================================================================================
//
// Everything the checks below expect is computed from the generator's own description
// (`GenSchema`): which column references which table, which relationship the generator put
// over which key, with which words, and the association tables. The runtime's `Schema` is
// read only to translate the plan's table numbers into the generator's (by table name): its
// resolved joins and foreign keys are never consulted, so a join-resolution bug is not
// mirrored by the expectations.

/// A foreign-key column of the generated schema. Tables are numbered as the generator numbers
/// them: `t0..tn` the regular tables, then the association tables.
#[derive(Debug, Clone, Copy)]
struct Key {
    table: usize,
    /// Index among the model's columns: a regular table's `cN` is column `N + 1` (after
    /// `id`), an association's `c0` and `c1` are columns 0 and 1.
    column: usize,
    name: &'static str,
    target: usize,
    nullable: bool,
    on_delete: OnDelete,
}

impl Key {
    fn qualified(&self) -> String {
        format!("{}.{}", TABLES[self.table], self.name)
    }
}

/// How a relationship joins, as the generator's data says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Joins {
    /// `table.column`, a key of the target, references the source (one-to-many).
    Referenced { table: usize, column: usize },
    /// The source's `column` references the target (many-to-one).
    Referencing { column: usize },
    /// Through the association table `assoc`: its `c0` references the source, `c1` the target.
    Secondary,
}

#[derive(Debug, Clone)]
struct Rel {
    source: usize,
    target: usize,
    /// `None` when the data leaves the join ambiguous (which is a [`Defect`]).
    join: Option<Joins>,
    cascade: CascadeSet,
    passive: PassiveDeletes,
    on_delete: Option<RelationshipOnDelete>,
}

/// A defect of the generated schema, for which validation must refuse it: the model and
/// relationship field the error must name, and what its message must say.
#[derive(Debug, Clone)]
struct Defect {
    kind: &'static str,
    model: usize,
    field: String,
    /// Each of these must be in the message.
    says: Vec<String>,
}

/// The generated schema, resolved from the generator's data.
struct Model {
    /// Regular tables; association tables are numbered after them.
    regular: usize,
    tables: usize,
    keys: Vec<Key>,
    rels: Vec<Rel>,
    defects: Vec<Defect>,
}

/// Two or more keys could implement the relationship `field` of `source` to `target`.
fn ambiguous(source: usize, target: usize, field: &str, keys: &[Key]) -> Defect {
    let says = if source == target {
        let names: Vec<&str> = keys.iter().map(|k| k.name).collect();
        vec![format!(
            "`{}` has several foreign keys to itself ({})",
            TABLES[source],
            names.join(", ")
        )]
    } else {
        let mut says = vec![format!(
            "several foreign keys join `{}` and `{}`",
            TABLES[source], TABLES[target]
        )];
        says.extend(keys.iter().map(Key::qualified));
        says
    };
    Defect {
        kind: if source == target {
            "ambiguous self-reference"
        } else {
            "ambiguous join"
        },
        model: source,
        field: field.to_owned(),
        says,
    }
}

impl Model {
    fn of(gen: &GenSchema) -> Model {
        let n = gen.tables.len();
        let mut keys = Vec::new();
        for (t, table) in gen.tables.iter().enumerate() {
            for (c, fk) in table.fks.iter().enumerate() {
                keys.push(Key {
                    table: t,
                    column: c + 1,
                    name: COLUMNS[c],
                    target: fk.target,
                    nullable: fk.nullable,
                    on_delete: fk.on_delete,
                });
            }
        }
        for (a, assoc) in gen.assocs.iter().enumerate() {
            for (c, target, on_delete) in [
                (0, assoc.left, assoc.left_on_delete),
                (1, assoc.right, assoc.right_on_delete),
            ] {
                keys.push(Key {
                    table: n + a,
                    column: c,
                    name: COLUMNS[c],
                    target,
                    nullable: false,
                    on_delete,
                });
            }
        }
        // A table's keys to a target, in column order.
        let between = |table: usize, target: usize| -> Vec<Key> {
            keys.iter()
                .filter(|k| k.table == table && k.target == target)
                .copied()
                .collect()
        };
        let mut rels = Vec::new();
        let mut defects = Vec::new();

        // One-to-many: on the target of `t.cC`, over that key. Named, it is that key; unnamed,
        // the only key of `t` to the source, or ambiguous.
        for (t, table) in gen.tables.iter().enumerate() {
            for (c, fk) in table.fks.iter().enumerate() {
                let Some(rel) = fk.rel else { continue };
                let source = fk.target;
                let field = format!("t{t}_c{c}s");
                let candidates = between(t, source);
                let join = if rel.named || candidates.len() == 1 {
                    Some(Joins::Referenced {
                        table: t,
                        column: c + 1,
                    })
                } else {
                    defects.push(ambiguous(source, t, &field, &candidates));
                    None
                };
                if join.is_some() {
                    let key = (t, COLUMNS[c]);
                    match rel.on_delete {
                        Some(RelationshipOnDelete::SetNull) if !fk.nullable => {
                            defects.push(Defect {
                                kind: "set null on a NOT NULL key",
                                model: source,
                                field: field.clone(),
                                says: vec![
                                    "on_delete = \"set null\"".into(),
                                    format!("`{}.{}` is NOT NULL", TABLES[key.0], key.1),
                                ],
                            })
                        }
                        Some(RelationshipOnDelete::SetDefault) if !fk.default => {
                            defects.push(Defect {
                                kind: "set default without a default",
                                model: source,
                                field: field.clone(),
                                says: vec![format!(
                                    "on_delete = \"set default\" needs a default on `{}.{}`",
                                    TABLES[key.0], key.1
                                )],
                            })
                        }
                        _ => {}
                    }
                }
                if rel.passive == PassiveDeletes::All && rel.cascade.contains(CascadeSet::DELETE) {
                    defects.push(Defect {
                        kind: "passive_deletes = \"all\" with delete",
                        model: source,
                        field: field.clone(),
                        says: vec![
                            "passive_deletes = \"all\" cannot be combined with a delete cascade"
                                .into(),
                        ],
                    });
                }
                rels.push(Rel {
                    source,
                    target: t,
                    join,
                    cascade: rel.cascade,
                    passive: rel.passive,
                    on_delete: rel.on_delete,
                });
            }
        }

        // Many-to-one: on `t`, to the target of its key `cC`. Named `cC`, a key of that name
        // on the target referencing `t` comes first (the target's rows hold the key), but a
        // self-referential scalar names its own parent key; unnamed, the only key between the
        // two tables either way, or ambiguous.
        for (t, table) in gen.tables.iter().enumerate() {
            let Some((c, cascade, named)) = table.to_one else {
                continue;
            };
            if table.fks.is_empty() {
                continue;
            }
            let c = c % table.fks.len();
            let target = table.fks[c].target;
            let field = format!("c{c}_target");
            let back = between(target, t);
            let out = between(t, target);
            let join = if named {
                match back.iter().find(|k| k.name == COLUMNS[c]) {
                    Some(k) if target != t => Some(Joins::Referenced {
                        table: target,
                        column: k.column,
                    }),
                    _ => Some(Joins::Referencing { column: c + 1 }),
                }
            } else if target == t {
                if out.len() == 1 {
                    Some(Joins::Referencing { column: c + 1 })
                } else {
                    defects.push(ambiguous(t, t, &field, &out));
                    None
                }
            } else if back.len() + out.len() == 1 {
                Some(Joins::Referencing { column: c + 1 })
            } else {
                let mut both = back.clone();
                both.extend(out.iter().copied());
                defects.push(ambiguous(t, target, &field, &both));
                None
            };
            rels.push(Rel {
                source: t,
                target,
                join,
                cascade,
                passive: PassiveDeletes::Off,
                on_delete: None,
            });
        }

        // Many-to-many: on the left table, to the right one, through the association.
        for assoc in &gen.assocs {
            rels.push(Rel {
                source: assoc.left,
                target: assoc.right,
                join: Some(Joins::Secondary),
                cascade: assoc.cascade,
                passive: PassiveDeletes::Off,
                on_delete: None,
            });
        }

        Model {
            regular: n,
            tables: n + gen.assocs.len(),
            keys,
            rels,
            defects,
        }
    }

    fn key(&self, table: usize, column: usize) -> Option<&Key> {
        self.keys
            .iter()
            .find(|k| k.table == table && k.column == column)
    }

    /// What happens to rows referencing a deleted row through `k`, per the README's table.
    fn rule(&self, k: &Key) -> Rule {
        // Association rows always go.
        if k.table >= self.regular {
            return Rule::Delete;
        }
        let null = if k.nullable {
            Rule::SetNull
        } else {
            Rule::Block(Some(BlockReason::NotNull))
        };
        let over_k = Some(Joins::Referenced {
            table: k.table,
            column: k.column,
        });
        let orm: Vec<Rule> = self
            .rels
            .iter()
            .filter(|r| r.source == k.target && r.join == over_k)
            .filter(|r| r.passive == PassiveDeletes::Off)
            .map(|r| match r.on_delete {
                Some(RelationshipOnDelete::Cascade) => Rule::Delete,
                Some(RelationshipOnDelete::Protect) => Rule::Block(Some(BlockReason::Protect)),
                Some(RelationshipOnDelete::Restrict) => Rule::Block(Some(BlockReason::Restrict)),
                Some(RelationshipOnDelete::SetNull) => null,
                Some(RelationshipOnDelete::SetDefault) => Rule::SetDefault,
                None if r.cascade.contains(CascadeSet::DELETE) => Rule::Delete,
                None => null,
            })
            .collect();
        if orm.is_empty() {
            return match k.on_delete {
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

    /// Tables whose rows go when rows of `t` go, one step: through keys whose rule deletes,
    /// many-to-one `delete` relationships without `passive_deletes` (the database has no
    /// action upward: SQLAlchemy keeps the parent then), many-to-many `delete`.
    fn delete_edges_from(&self, t: usize) -> Vec<usize> {
        let mut next: Vec<usize> = self
            .keys
            .iter()
            .filter(|k| k.target == t && self.rule(k) == Rule::Delete)
            .map(|k| k.table)
            .collect();
        next.extend(
            self.rels
                .iter()
                .filter(|r| r.source == t && r.cascade.contains(CascadeSet::DELETE))
                .filter(|r| match r.join {
                    Some(Joins::Referencing { .. }) => r.passive == PassiveDeletes::Off,
                    Some(Joins::Secondary) => true,
                    _ => false,
                })
                .map(|r| r.target),
        );
        next
    }

    /// Tables whose rows go when rows of the root go.
    fn reachable(&self, root: usize) -> Vec<bool> {
        let mut seen = vec![false; self.tables];
        seen[root] = true;
        let mut stack = vec![root];
        while let Some(t) = stack.pop() {
            for n in self.delete_edges_from(t) {
                if !seen[n] {
                    seen[n] = true;
                    stack.push(n);
                }
            }
        }
        seen
    }

    /// The `ON DELETE RESTRICT` NOT NULL keys that lie on a loop of NOT NULL keys among the
    /// planned tables (a self-reference counts): no order, unlink or deferral can delete
    /// those, so planning must refuse, naming one.
    fn impossible_restrict_loops(&self, planned: &[bool]) -> Vec<Key> {
        let inside = |k: &&Key| planned[k.table] && planned[k.target] && !k.nullable;
        let reach = closure(
            self.tables,
            self.keys.iter().filter(inside).map(|k| (k.table, k.target)),
        );
        self.keys
            .iter()
            .filter(inside)
            .filter(|k| k.on_delete == OnDelete::Restrict)
            .filter(|k| k.table == k.target || reach[k.target][k.table])
            .copied()
            .collect()
    }
}

/// What happens to rows referencing a deleted row through one key, per the README's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Delete,
    SetNull,
    SetDefault,
    /// Refused for this reason (`None`: for one of several, equally strong).
    Block(Option<BlockReason>),
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

/// A refusal by validation names one of the defects the generated schema has: its model,
/// its relationship field, and what is wrong, with the columns involved. Returns the kind
/// of the defect named.
fn check_refusal(m: &Model, err: &Error) -> Result<&'static str, TestCaseError> {
    let Error::Schema {
        model,
        field,
        message,
    } = err
    else {
        return Err(TestCaseError::fail(format!(
            "validation refused with a non-schema error: {err:?}"
        )));
    };
    prop_assert!(!err.to_string().is_empty());
    prop_assert!(
        !m.defects.is_empty(),
        "refused a schema that has no defect: {err}"
    );
    let named = m.defects.iter().find(|d| {
        TABLES[d.model] == *model
            && *field == Some(d.field.as_str())
            && d.says.iter().all(|s| message.contains(s.as_str()))
    });
    match named {
        Some(d) => Ok(d.kind),
        None => Err(TestCaseError::fail(format!(
            "the refusal names none of the schema's defects: {err:?}\ndefects: {:#?}",
            m.defects
        ))),
    }
}

/// The plan with its tables numbered as the generator numbers them.
fn renumbered(plan: &Cascade, to_gen: &[usize]) -> Cascade {
    let g = |t: TableId| to_gen[t];
    let via = |v: crate::plan::Via| match v {
        Join::Secondary {
            assoc,
            local,
            remote,
        } => Join::Secondary {
            assoc: g(assoc),
            local,
            remote,
        },
        other => other,
    };
    let edge = |e: &crate::plan::Edge| crate::plan::Edge {
        from: g(e.from),
        to: g(e.to),
        via: via(e.via),
    };
    let tables = |ts: &[TableId]| ts.iter().map(|&t| g(t)).collect::<Vec<_>>();
    Cascade {
        root: g(plan.root),
        tables: tables(&plan.tables),
        reached_by: plan.reached_by.iter().map(edge).collect(),
        collect: plan
            .collect
            .iter()
            .map(|c| match c {
                Collect::Edge(e) => Collect::Edge(edge(e)),
                Collect::Closure { table, edges } => Collect::Closure {
                    table: g(*table),
                    edges: edges.iter().map(|&v| via(v)).collect(),
                },
                Collect::Recursive { tables: ts, edges } => Collect::Recursive {
                    tables: tables(ts),
                    edges: edges.iter().map(edge).collect(),
                },
                Collect::Fixpoint { tables: ts, edges } => Collect::Fixpoint {
                    tables: tables(ts),
                    edges: edges.iter().map(edge).collect(),
                },
            })
            .collect(),
        inline: plan.inline.iter().map(edge).collect(),
        checks: plan
            .checks
            .iter()
            .map(|c| crate::plan::Check {
                table: g(c.table),
                referenced: g(c.referenced),
                ..*c
            })
            .collect(),
        detaches: plan
            .detaches
            .iter()
            .map(|d| crate::plan::Detach {
                table: g(d.table),
                referenced: g(d.referenced),
                ..*d
            })
            .collect(),
        unlinks: plan
            .unlinks
            .iter()
            .map(|u| crate::plan::Unlink {
                table: g(u.table),
                ..*u
            })
            .collect(),
        deletes: tables(&plan.deletes),
        defer_foreign_keys: plan.defer_foreign_keys,
        count_keys: tables(&plan.count_keys),
    }
}

/// Checks a plan (its tables numbered as the generator numbers them) against the model.
fn check_plan(m: &Model, root: usize, plan: &Cascade) -> TestCaseResult {
    let n = m.tables;
    let name = |t: usize| TABLES[t];
    let expected = m.reachable(root);
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
    for k in m.keys.iter().filter(|k| planned[k.target]) {
        let what = format!("{} -> {}", k.qualified(), name(k.target));
        match m.rule(k) {
            Rule::Delete => prop_assert!(planned[k.table], "{what}: not deleted"),
            Rule::Block(reason) => prop_assert!(
                plan.checks.iter().any(|c| c.table == k.table
                    && c.column == k.column
                    && c.referenced == k.target
                    && reason.is_none_or(|r| r == c.reason)),
                "{what}: no check for {reason:?} in {:?}",
                plan.checks
            ),
            detach @ (Rule::SetNull | Rule::SetDefault) => prop_assert!(
                plan.detaches.iter().any(|d| d.table == k.table
                    && d.column == k.column
                    && d.referenced == k.target
                    && d.to_default == (detach == Rule::SetDefault)),
                "{what}: no {detach:?} detach in {:?}",
                plan.detaches
            ),
        }
    }
    // And nothing is checked or detached that is not a key into a planned table.
    for (table, column, referenced) in plan
        .checks
        .iter()
        .map(|c| (c.table, c.column, c.referenced))
        .chain(
            plan.detaches
                .iter()
                .map(|d| (d.table, d.column, d.referenced)),
        )
    {
        prop_assert!(
            m.key(table, column)
                .is_some_and(|k| k.target == referenced && planned[referenced]),
            "a check or detach of {}.{} -> {} that is no key into a planned table",
            name(table),
            column,
            name(referenced)
        );
    }

    // Deletes: a permutation of the planned tables, children before parents.
    let mut sorted = plan.deletes.clone();
    sorted.sort_unstable();
    let mut tables = plan.tables.clone();
    tables.sort_unstable();
    prop_assert_eq!(sorted, tables, "deletes are not the planned tables");
    let unlinked = |k: &Key| {
        plan.unlinks
            .iter()
            .any(|u| u.table == k.table && u.column == k.column)
    };
    for u in &plan.unlinks {
        let key = m.key(u.table, u.column);
        prop_assert!(
            key.is_some_and(|k| k.nullable),
            "unlinks {}.{}, which is no nullable key ({key:?})",
            name(u.table),
            u.column
        );
        prop_assert!(planned[u.table], "unlinks unplanned {}", name(u.table));
    }
    let linking: Vec<&Key> = m
        .keys
        .iter()
        .filter(|k| planned[k.table] && planned[k.target])
        .filter(|k| k.table != k.target && !unlinked(k))
        .collect();
    let reach = closure(n, linking.iter().map(|k| (k.table, k.target)));
    let same_loop = |a: usize, b: usize| reach[a][b] && reach[b][a];
    let position = |t: usize| plan.deletes.iter().position(|&d| d == t);
    for k in &linking {
        let (child, parent) = (position(k.table), position(k.target));
        prop_assert!(
            child < parent || (plan.defer_foreign_keys && same_loop(k.table, k.target)),
            "{} is deleted before {}, which references it through {} (deletes {:?}, unlinks \
             {:?}, deferred {})",
            name(k.target),
            name(k.table),
            k.name,
            plan.deletes.iter().map(|&t| name(t)).collect::<Vec<_>>(),
            plan.unlinks,
            plan.defer_foreign_keys
        );
    }
    if plan.defer_foreign_keys {
        prop_assert!(
            linking.iter().any(|k| same_loop(k.table, k.target)),
            "deferred without a loop"
        );
    }

    // Collecting steps: a key set is read only once every step that adds to it has run (a
    // closure, recursive or fixpoint step reads and completes its own tables' key sets).
    let steps: Vec<(Vec<usize>, Vec<usize>)> = plan
        .collect
        .iter()
        .map(|step| match step {
            Collect::Edge(e) => (vec![e.from], vec![e.to]),
            Collect::Closure { table, .. } => (vec![*table], vec![*table]),
            Collect::Recursive { tables, edges } | Collect::Fixpoint { tables, edges } => {
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
    let keyed = |t: usize| plan.inline_edge(t).is_none();
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
                prop_assert!(
                    m.key(t, column)
                        .is_some_and(|k| k.target == edge.from && m.rule(k) == Rule::Delete),
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
                let ways_in = (0..n)
                    .filter(|&from| planned[from])
                    .flat_map(|from| m.delete_edges_from(from))
                    .filter(|&to| to == t)
                    .count();
                let leaf = m.reachable(t).iter().filter(|&&r| r).count() == 1;
                prop_assert!(
                    ways_in == 1 && leaf,
                    "{} is inlined but is reached {} times or reaches further",
                    name(t),
                    ways_in
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
    /// Refusals by validation, by the kind of defect they named.
    refusals: RefCell<Vec<(&'static str, usize)>>,
    plans: Cell<usize>,
    loop_errors: Cell<usize>,
    deferred: Cell<usize>,
    unlinked: Cell<usize>,
    loops: Cell<usize>,
}

impl Seen {
    fn refused(&self, kind: &'static str) {
        bump(&self.schema_errors);
        let mut refusals = self.refusals.borrow_mut();
        match refusals.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => refusals.push((kind, 1)),
        }
    }

    fn refusals(&self) -> String {
        let refusals = self.refusals.borrow();
        let kinds: Vec<String> = refusals.iter().map(|(k, n)| format!("{n} {k}")).collect();
        kinds.join(", ")
    }
}

fn bump(c: &Cell<usize>) {
    c.set(c.get() + 1);
}

/// Validates the generated schema: refused exactly when it has a defect, naming one. Returns
/// the schema when it validates.
fn validate(gen: &GenSchema, m: &Model, seen: &Seen) -> Result<Option<Schema>, TestCaseError> {
    let metas = build_metas(gen);
    match Schema::build(&metas) {
        Ok(schema) => {
            prop_assert!(
                m.defects.is_empty(),
                "validated despite its defects {:#?}",
                m.defects
            );
            Ok(Some(schema))
        }
        Err(err) => {
            seen.refused(check_refusal(m, &err)?);
            Ok(None)
        }
    }
}

fn run_case(gen: &GenSchema, seen: &Seen) -> TestCaseResult {
    let m = Model::of(gen);
    let Some(schema) = validate(gen, &m, seen)? else {
        return Ok(());
    };
    bump(&seen.built);
    // The runtime's table numbers, in the generator's (by name).
    let to_gen: Vec<usize> = (0..schema.tables.len())
        .map(|t| {
            TABLES[..m.tables]
                .iter()
                .position(|&name| name == schema.name(t))
                .ok_or_else(|| TestCaseError::fail(format!("unknown table {}", schema.name(t))))
        })
        .collect::<Result<_, _>>()?;
    prop_assert_eq!(to_gen.len(), m.tables, "the schema's tables");
    for (root, &root_gen) in to_gen.iter().enumerate() {
        let planned = m.reachable(root_gen);
        let impossible = m.impossible_restrict_loops(&planned);
        match plan::cascade(&schema, root) {
            Ok(plan) => {
                prop_assert!(
                    impossible.is_empty(),
                    "planned from {} despite NOT NULL RESTRICT loops through {:?}: {plan:?}",
                    TABLES[root_gen],
                    impossible
                );
                check_plan(&m, root_gen, &renumbered(&plan, &to_gen))
                    .map_err(|e| TestCaseError::fail(format!("from {}: {e}", TABLES[root_gen])))?;
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
                    !impossible.is_empty(),
                    "from {}: refused without a NOT NULL RESTRICT loop: {err}",
                    TABLES[root_gen]
                );
                // The error names the loop: one of its RESTRICT keys, as `table.column ->
                // target`, and one of the loop's tables as the model.
                let Error::Schema { model, message, .. } = &err else {
                    return Err(TestCaseError::fail(format!("{err:?}")));
                };
                prop_assert!(
                    impossible.iter().any(|k| message.contains(&format!(
                        "{} -> {}",
                        k.qualified(),
                        TABLES[k.target]
                    ))),
                    "from {}: the refusal names none of the RESTRICT keys {:?} of the loop: {err}",
                    TABLES[root_gen],
                    impossible
                        .iter()
                        .map(|k| format!("{} -> {}", k.qualified(), TABLES[k.target]))
                        .collect::<Vec<_>>()
                );
                let inside = |k: &&Key| planned[k.table] && planned[k.target] && !k.nullable;
                let reach = closure(
                    m.tables,
                    m.keys.iter().filter(inside).map(|k| (k.table, k.target)),
                );
                prop_assert!(
                    (0..m.tables).any(|t| TABLES[t] == *model && reach[t][t]),
                    "from {}: the refusal's model {model} is on no NOT NULL loop",
                    TABLES[root_gen]
                );
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
        "planner: {} schemas built, {} refused by validation ({}); {} plans ({} deferred, {} \
         with unlinks, {} with loops), {} refused loops",
        seen.built.get(),
        seen.schema_errors.get(),
        seen.refusals(),
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
        // Every kind of defect the generator makes was refused, and named, at least once.
        let refusals = seen.refusals.borrow();
        for kind in [
            "ambiguous join",
            "ambiguous self-reference",
            "set null on a NOT NULL key",
            "set default without a default",
            "passive_deletes = \"all\" with delete",
        ] {
            assert!(
                refusals.iter().any(|(k, _)| *k == kind),
                "no refusal for a {kind} among the random schemas ({})",
                seen.refusals()
            );
        }
    }
}

#[test]
fn invalid_random_schemas_are_errors_not_panics() {
    // Relationships over keys that do not exist, ambiguous joins, `on_delete` rules that
    // contradict the column: every refusal is a `Schema` error naming a defect the schema
    // has, and a schema without one validates.
    let config = Config {
        cases: cases() / 4,
        source_file: Some(file!()),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let seen = Seen::default();
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
        validate(&gen, &Model::of(&gen), &seen)?;
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, gen)) => panic!("{reason}\nminimal failing schema: {gen:?}"),
        Err(e) => panic!("{e}"),
    }
    eprintln!(
        "validation of unnamed joins: {} refused ({})",
        seen.schema_errors.get(),
        seen.refusals()
    );
    if cases() >= 500 {
        assert!(
            seen.schema_errors.get() > 0,
            "no invalid schema was generated"
        );
    }
}
