//! The schema graph: every model a session knows, with each relationship resolved to the
//! foreign-key column that implements it, validated at first use.
//!
//! Checks that need more than one model (a missing or ambiguous foreign key, a
//! `back_populates` naming nothing, `delete-orphan` on a many-to-one without `single_parent`)
//! live here and produce [`Error::Schema`] naming the model and field.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::metadata::{
    CascadeSet, ColumnMeta, ModelMeta, OnDelete, PassiveDeletes, RelationshipMeta,
    RelationshipOnDelete,
};

/// Index of a table in [`Schema::tables`].
pub(crate) type TableId = usize;

/// The models of a session, resolved.
#[derive(Debug)]
pub(crate) struct Schema {
    pub tables: Vec<Table>,
    /// Every foreign-key column among the known tables.
    pub foreign_keys: Vec<ForeignKey>,
}

/// One model and its resolved relationships.
#[derive(Debug)]
pub(crate) struct Table {
    pub meta: &'static ModelMeta,
    /// Primary-key column indexes, in order.
    pub pk: Vec<usize>,
    /// One entry per `meta.relationships`, same order.
    pub relationships: Vec<Relationship>,
}

/// A foreign-key column: `table.column` references `target.target_column` — the target's
/// single-column primary key, or one of its unique columns (`references = "column"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ForeignKey {
    pub table: TableId,
    pub column: usize,
    pub target: TableId,
    pub target_column: usize,
    pub on_delete: OnDelete,
    pub nullable: bool,
}

/// A relationship with its join resolved.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Relationship {
    pub meta: &'static RelationshipMeta,
    pub target: TableId,
    pub join: Join,
}

/// How a relationship joins its model (`source`) to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Join {
    /// The target holds the key: `target.column` references the source (one-to-many, or the
    /// referenced side of a one-to-one).
    Referenced { column: usize },
    /// The source holds the key: `source.column` references the target (many-to-one).
    Referencing { column: usize },
    /// Many-to-many through `assoc`: `assoc.local` references the source, `assoc.remote` the target.
    Secondary {
        assoc: TableId,
        local: usize,
        remote: usize,
    },
}

impl Schema {
    /// Resolves and validates `models` and every model reachable from them.
    pub fn build(models: &[&'static ModelMeta]) -> Result<Schema> {
        let metas = reachable(models)?;
        let index: HashMap<&'static str, TableId> = metas
            .iter()
            .enumerate()
            .map(|(i, m)| (m.table, i))
            .collect();
        let id_of = |m: &'static ModelMeta| index[m.table];

        let mut tables = Vec::with_capacity(metas.len());
        for &meta in &metas {
            let pk: Vec<usize> = meta.primary_key().map(|(i, _)| i).collect();
            if pk.is_empty() {
                return Err(schema_error(
                    meta,
                    None,
                    "the model has no primary key".into(),
                ));
            }
            tables.push(Table {
                meta,
                pk,
                relationships: Vec::new(),
            });
        }

        let mut foreign_keys = Vec::new();
        for (t, meta) in metas.iter().enumerate() {
            for (c, col) in meta.columns.iter().enumerate() {
                let Some(fk) = col.foreign_key else { continue };
                let target = id_of((fk.target)());
                let target_column = referenced_column(meta, col, &tables[target], fk.references)?;
                foreign_keys.push(ForeignKey {
                    table: t,
                    column: c,
                    target,
                    target_column,
                    on_delete: fk.on_delete,
                    nullable: col.nullable,
                });
            }
        }

        let mut schema = Schema {
            tables,
            foreign_keys,
        };
        for t in 0..schema.tables.len() {
            let meta = schema.tables[t].meta;
            let mut resolved = Vec::with_capacity(meta.relationships.len());
            for rel in meta.relationships {
                resolved.push(schema.resolve(t, rel, &id_of)?);
            }
            schema.tables[t].relationships = resolved;
        }
        for t in 0..schema.tables.len() {
            schema.check_relationships(t)?;
        }
        Ok(schema)
    }

    /// The table of a model, if the schema knows it.
    ///
    /// By identity, not by table name: another model on the same table is not this one (and a
    /// schema holding both is refused when built).
    pub fn table_id(&self, meta: &ModelMeta) -> Option<TableId> {
        self.tables.iter().position(|t| std::ptr::eq(t.meta, meta))
    }

    /// The SQL name of a table.
    pub fn name(&self, t: TableId) -> &'static str {
        self.tables[t].meta.table
    }

    /// The SQL name of a column.
    pub fn column_name(&self, t: TableId, c: usize) -> &'static str {
        self.tables[t].meta.columns[c].name
    }

    /// The foreign key held by `table.column` (which must hold one).
    pub fn fk(&self, table: TableId, column: usize) -> &ForeignKey {
        self.foreign_keys
            .iter()
            .find(|fk| fk.table == table && fk.column == column)
            .expect("a join's column holds a foreign key")
    }

    /// Foreign keys of `table` that reference `target`.
    fn fks_between(&self, table: TableId, target: TableId) -> Vec<ForeignKey> {
        self.foreign_keys
            .iter()
            .filter(|fk| fk.table == table && fk.target == target)
            .copied()
            .collect()
    }

    /// Foreign keys that reference `target`, from any known table.
    pub fn referencing(&self, target: TableId) -> impl Iterator<Item = &ForeignKey> {
        self.foreign_keys
            .iter()
            .filter(move |fk| fk.target == target)
    }

    /// Whether `table.column` is a column through which some many-to-many relationship links.
    pub fn is_association_link(&self, table: TableId, column: usize) -> bool {
        self.tables.iter().flat_map(|t| &t.relationships).any(|r| {
            matches!(r.join, Join::Secondary { assoc, local, remote }
                if assoc == table && (local == column || remote == column))
        })
    }

    fn resolve(
        &self,
        source: TableId,
        rel: &'static RelationshipMeta,
        id_of: &impl Fn(&'static ModelMeta) -> TableId,
    ) -> Result<Relationship> {
        let src = self.tables[source].meta;
        let target = id_of((rel.target)());
        let tgt = self.tables[target].meta;
        let fail = |message: String| Err(schema_error(src, Some(rel.field), message));

        if let Some(secondary) = rel.secondary {
            let assoc = id_of(secondary());
            let am = self.tables[assoc].meta;
            let to_source = self.fks_between(assoc, source);
            let to_target = self.fks_between(assoc, target);
            let local = match rel.foreign_key {
                Some(name) => match to_source.iter().find(|fk| named(am, fk.column, name)) {
                    Some(fk) => fk.column,
                    None => {
                        return fail(format!(
                            "foreign_key = \"{name}\" names no column of `{}` that references `{}`",
                            am.name, src.name
                        ))
                    }
                },
                None if to_source.len() == 1 && source != target => to_source[0].column,
                None if to_source.is_empty() => {
                    return fail(format!(
                        "the association model `{}` has no foreign key to `{}`; add \
                         `#[model(foreign_key = {})]` to one of its columns",
                        am.name, src.name, src.name
                    ))
                }
                None => {
                    return fail(format!(
                        "the association model `{}` has several foreign keys to `{}` ({}); say \
                         which one points at this side with `foreign_key = \"column\"`",
                        am.name,
                        src.name,
                        column_list(am, &to_source)
                    ))
                }
            };
            let remote: Vec<_> = to_target.iter().filter(|fk| fk.column != local).collect();
            return match remote.as_slice() {
                [fk] => Ok(Relationship {
                    meta: rel,
                    target,
                    join: Join::Secondary {
                        assoc,
                        local,
                        remote: fk.column,
                    },
                }),
                [] => fail(format!(
                    "the association model `{}` has no foreign key to `{}` besides the one to \
                     this side",
                    am.name, tgt.name
                )),
                _ => fail(format!(
                    "the association model `{}` has several foreign keys to `{}`; a many-to-many \
                     association needs exactly one per side",
                    am.name, tgt.name
                )),
            };
        }

        // Candidate joins: the target holds a key to the source, or the source to the target.
        let referenced = self.fks_between(target, source);
        let referencing = if rel.collection {
            Vec::new()
        } else {
            self.fks_between(source, target)
        };
        if let Some(name) = rel.foreign_key {
            let on_target = referenced.iter().find(|fk| named(tgt, fk.column, name));
            let on_source = referencing.iter().find(|fk| named(src, fk.column, name));
            let join = match (on_target, on_source) {
                // A self-referential collection joins children; a scalar joins the parent.
                (Some(fk), _) if rel.collection || source != target => {
                    Join::Referenced { column: fk.column }
                }
                (_, Some(fk)) => Join::Referencing { column: fk.column },
                (Some(fk), None) => Join::Referenced { column: fk.column },
                (None, None) => {
                    return fail(format!(
                        "foreign_key = \"{name}\" names no column of `{}` that references `{}`{}",
                        tgt.name,
                        src.name,
                        if rel.collection {
                            String::new()
                        } else {
                            format!(
                                ", nor a column of `{}` that references `{}`",
                                src.name, tgt.name
                            )
                        }
                    ))
                }
            };
            return Ok(Relationship {
                meta: rel,
                target,
                join,
            });
        }

        let join =
            if source == target {
                // Self-referential: a collection holds the children, a scalar the parent.
                let fks = &self.fks_between(source, source);
                match fks.as_slice() {
                    [fk] if rel.collection => Join::Referenced { column: fk.column },
                    [fk] => Join::Referencing { column: fk.column },
                    [] => return fail(format!("`{}` has no foreign key to itself", src.name)),
                    _ => {
                        return fail(format!(
                            "`{}` has several foreign keys to itself ({}); say which one this \
                         relationship uses with `foreign_key = \"column\"`",
                            src.name,
                            column_list(src, fks)
                        ))
                    }
                }
            } else {
                let mut joins: Vec<(Join, String)> = referenced
                    .iter()
                    .map(|fk| {
                        (
                            Join::Referenced { column: fk.column },
                            format!("{}.{}", tgt.table, tgt.columns[fk.column].name),
                        )
                    })
                    .collect();
                joins.extend(referencing.iter().map(|fk| {
                    (
                        Join::Referencing { column: fk.column },
                        format!("{}.{}", src.table, src.columns[fk.column].name),
                    )
                }));
                match joins.as_slice() {
                    [(join, _)] => *join,
                    [] if rel.collection && !self.fks_between(source, target).is_empty() => {
                        return fail(format!(
                        "a `Vec<{}>` relationship needs a foreign key on `{}` referencing `{}`; \
                         `{}` holds the key instead, so this is a many-to-one: declare the field \
                         as `Option<{}>` or `Option<Box<{}>>`",
                        tgt.name, tgt.name, src.name, src.name, tgt.name, tgt.name
                    ))
                    }
                    [] => {
                        return fail(format!(
                        "no foreign key joins `{}` and `{}`: add `#[model(foreign_key = {})]` to \
                         a column of `{}`{}",
                        src.name,
                        tgt.name,
                        src.name,
                        tgt.name,
                        if rel.collection { "" } else { " (or the reverse)" }
                    ))
                    }
                    _ => {
                        let names: Vec<&str> = joins.iter().map(|(_, n)| n.as_str()).collect();
                        return fail(format!(
                            "several foreign keys join `{}` and `{}` ({}); say which one this \
                         relationship uses with `foreign_key = \"column\"`",
                            src.name,
                            tgt.name,
                            names.join(", ")
                        ));
                    }
                }
            };
        Ok(Relationship {
            meta: rel,
            target,
            join,
        })
    }

    fn check_relationships(&self, source: TableId) -> Result<()> {
        let src = self.tables[source].meta;
        for rel in &self.tables[source].relationships {
            let tgt = self.tables[rel.target].meta;
            let fail = |message: String| Err(schema_error(src, Some(rel.meta.field), message));
            if let Some(back) = rel.meta.back_populates {
                match tgt.relationship(back) {
                    None => {
                        return fail(format!(
                        "back_populates = \"{back}\" names no relationship of `{}` (it has: {})",
                        tgt.name,
                        list_or_none(tgt.relationships.iter().map(|r| r.field))
                    ))
                    }
                    Some((_, other)) if (other.target)().table != src.table => {
                        return fail(format!(
                            "back_populates = \"{back}\": `{}.{back}` relates to `{}`, not `{}`",
                            tgt.name,
                            (other.target)().name,
                            src.name
                        ))
                    }
                    Some(_) => {}
                }
            }
            let orphan = rel.meta.cascade.contains(CascadeSet::DELETE_ORPHAN);
            let many_parents = !matches!(rel.join, Join::Referenced { .. });
            if orphan && many_parents && !rel.meta.single_parent {
                return fail(
                    "delete-orphan is not supported on a many-to-one or many-to-many relationship \
                     unless single_parent = true (a row could have several parents)"
                        .into(),
                );
            }
            if let Some(on_delete) = rel.meta.on_delete {
                let Join::Referenced { column } = rel.join else {
                    return fail(format!(
                        "on_delete = {} applies to the rows that reference `{}` (a one-to-many or \
                         one-to-one relationship whose foreign key is on `{}`); this relationship \
                         holds its key on this side or goes through an association",
                        on_delete_name(on_delete),
                        src.name,
                        tgt.name
                    ));
                };
                let col = &tgt.columns[column];
                if on_delete == RelationshipOnDelete::SetNull && !col.nullable {
                    return fail(format!(
                        "on_delete = \"set null\" needs a nullable foreign key, but `{}.{}` is NOT \
                         NULL: make the field an Option<_>",
                        tgt.name, col.field
                    ));
                }
                if on_delete == RelationshipOnDelete::SetDefault && col.default.is_none() {
                    return fail(format!(
                        "on_delete = \"set default\" needs a default on `{}.{}`: add \
                         #[model(default = ...)] to it",
                        tgt.name, col.field
                    ));
                }
            }
            if rel.meta.passive_deletes == PassiveDeletes::All
                && rel.meta.cascade.contains(CascadeSet::DELETE)
            {
                return fail(
                    "passive_deletes = \"all\" cannot be combined with a delete cascade".into(),
                );
            }
        }
        Ok(())
    }
}

/// The column of `target` that `col` (a column of `meta`) references: the target's primary
/// key, which must be a single column, or with `references = "name"` that column, which must
/// be unique (or the key) and of the same SQL type.
fn referenced_column(
    meta: &'static ModelMeta,
    col: &'static ColumnMeta,
    target: &Table,
    references: Option<&str>,
) -> Result<usize> {
    let tm = target.meta;
    let fail = |message: String| Err(schema_error(meta, Some(col.field), message));
    let Some(name) = references else {
        return match target.pk.as_slice() {
            [pk] => Ok(*pk),
            pk => fail(format!(
                "`{}` references `{}`, whose primary key has {} columns; a foreign key column \
                 can only reference a single-column primary key (or a unique column, with \
                 `references = \"column\"`)",
                col.name,
                tm.name,
                pk.len()
            )),
        };
    };
    let Some((c, target_col)) = tm.column(name) else {
        let names: Vec<&str> = tm.columns.iter().map(|c| c.name).collect();
        return fail(format!(
            "references = \"{name}\" names no column of `{}` (it has: {})",
            tm.name,
            names.join(", ")
        ));
    };
    if !target_col.unique && target.pk != [c] {
        return fail(format!(
            "references = \"{name}\": `{}.{}` is neither unique nor the primary key, so a \
             value could match several rows; add #[model(unique)] to it",
            tm.name, target_col.field
        ));
    }
    if target_col.sql_type != col.sql_type {
        return fail(format!(
            "`{}` ({}) references `{}.{}`, a column of another type ({})",
            col.name,
            col.sql_type.sql(),
            tm.name,
            target_col.name,
            target_col.sql_type.sql()
        ));
    }
    Ok(c)
}

/// Every model reachable from `roots` through relationships, secondaries and foreign keys,
/// each once; two models sharing a table name are an error (SQLite's names ignore ASCII case:
/// `Order` and `order` are one table).
fn reachable(roots: &[&'static ModelMeta]) -> Result<Vec<&'static ModelMeta>> {
    let mut seen: Vec<&'static ModelMeta> = Vec::new();
    // The first root is visited first: a conflict is reported on the model that came later.
    let mut stack: Vec<&'static ModelMeta> = roots.iter().rev().copied().collect();
    while let Some(meta) = stack.pop() {
        if let Some(known) = seen
            .iter()
            .find(|m| m.table.eq_ignore_ascii_case(meta.table))
        {
            if !std::ptr::eq(*known, meta) {
                return Err(schema_error(
                    meta,
                    None,
                    format!(
                        "`{}` and `{}` both map to the table \"{}\"{}: one table belongs to one \
                         model in a session (a second model over it, such as a projection, would \
                         read and write the table with other columns); give one of them another \
                         #[model(table = \"...\")], or use one model for both",
                        known.name,
                        meta.name,
                        meta.table,
                        if known.table == meta.table {
                            String::new()
                        } else {
                            format!(
                                " (\"{}\" and \"{}\" differ only in case: one table on \
                                 SQLite, which ignores case even in quoted names, so models \
                                 keep them apart to run on every backend)",
                                known.table, meta.table
                            )
                        }
                    ),
                ));
            }
            continue;
        }
        if is_reserved(meta.table) {
            return Err(schema_error(
                meta,
                None,
                format!(
                    "its table name \"{}\" is reserved: names starting with {} and the names \
                     {} belong to the runtime's temporary tables and recursive queries, which \
                     would hide the table; choose another with #[model(table = \"...\")]",
                    meta.table,
                    RESERVED_PREFIXES.join(", "),
                    RESERVED_NAMES.join(", ")
                ),
            ));
        }
        seen.push(meta);
        for col in meta.columns {
            if let Some(fk) = col.foreign_key {
                stack.push((fk.target)());
            }
        }
        for rel in meta.relationships {
            stack.push((rel.target)());
            if let Some(secondary) = rel.secondary {
                stack.push(secondary());
            }
        }
    }
    Ok(seen)
}

/// The runtime names its temporary tables with these prefixes and a model's table name, and
/// its recursive queries and tagged keys with these names. SQLite looks a name up in `temp`
/// first, and a query's own name first of all: a model table so named would be hidden.
const RESERVED_PREFIXES: &[&str] = &[
    "cascade_keys_",
    "cascade_rows_",
    "cascade_keep_",
    "cascade_load_",
    "cascade_loop_",
    "cascade_detach_",
    "cascade_delete_",
];
const RESERVED_NAMES: &[&str] = &[
    "cascade_roots",
    "cascade_detached",
    "cascade_closure",
    "cascade_loop",
    "cascade_values",
];

fn is_reserved(table: &str) -> bool {
    let table = table.to_ascii_lowercase();
    RESERVED_NAMES.contains(&table.as_str())
        || RESERVED_PREFIXES
            .iter()
            .any(|prefix| table.starts_with(prefix))
}

fn on_delete_name(action: RelationshipOnDelete) -> &'static str {
    match action {
        RelationshipOnDelete::Cascade => "\"cascade\"",
        RelationshipOnDelete::Protect => "\"protect\"",
        RelationshipOnDelete::Restrict => "\"restrict\"",
        RelationshipOnDelete::SetNull => "\"set null\"",
        RelationshipOnDelete::SetDefault => "\"set default\"",
    }
}

fn named(meta: &ModelMeta, column: usize, name: &str) -> bool {
    meta.columns[column].name == name || meta.columns[column].field == name
}

fn column_list(meta: &ModelMeta, fks: &[ForeignKey]) -> String {
    fks.iter()
        .map(|fk| meta.columns[fk.column].name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn list_or_none<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        "no relationships".to_owned()
    } else {
        names.join(", ")
    }
}

fn schema_error(meta: &'static ModelMeta, field: Option<&'static str>, message: String) -> Error {
    Error::Schema {
        model: meta.name,
        field,
        message,
    }
}

impl Schema {
    /// `root` and every table reachable from it through relationships, secondaries and foreign
    /// keys, each after the tables its foreign keys reference (where no loop forbids).
    pub fn creation_order(&self, root: TableId) -> Vec<TableId> {
        let n = self.tables.len();
        let mut reached = vec![false; n];
        reached[root] = true;
        let mut queue = vec![root];
        while let Some(t) = queue.pop() {
            let fks = self
                .foreign_keys
                .iter()
                .filter(|fk| fk.table == t)
                .map(|fk| fk.target);
            let rels = self.tables[t]
                .relationships
                .iter()
                .flat_map(|r| match r.join {
                    Join::Secondary { assoc, .. } => vec![r.target, assoc],
                    _ => vec![r.target],
                });
            for next in fks.chain(rels).collect::<Vec<_>>() {
                if !reached[next] {
                    reached[next] = true;
                    queue.push(next);
                }
            }
        }
        // Post-order over "references" edges: referenced tables come out first.
        let mut order = Vec::new();
        let mut state = vec![0u8; n]; // 0 new, 1 open, 2 done
        for start in (0..n).filter(|&t| reached[t]) {
            let mut stack = vec![(start, false)];
            while let Some((t, expanded)) = stack.pop() {
                if expanded {
                    state[t] = 2;
                    order.push(t);
                    continue;
                }
                if state[t] != 0 {
                    continue;
                }
                state[t] = 1;
                stack.push((t, true));
                for fk in self.foreign_keys.iter().rev().filter(|fk| fk.table == t) {
                    if state[fk.target] == 0 {
                        stack.push((fk.target, false));
                    }
                }
            }
        }
        order
    }
}
