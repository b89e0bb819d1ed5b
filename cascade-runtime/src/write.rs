//! Inserts, updates and loads of instances with their related rows, along the relationships'
//! `save-update` cascades. One prepared statement per table, reused for every row.

use crate::error::{Error, Result};
use crate::metadata::{CascadeSet, ModelMeta, PassiveDeletes};
use crate::model::DynModel;
use crate::plan;
use crate::report::DeleteReport;
use crate::runner::{Handle, KeyList, Roots, Runner};
use crate::schema::{Join, Schema, TableId};
use crate::sql::{rows, Sql};
use crate::value::{Value, ValueRef};

/// New rows inserted by one statement where the backend batches inserts: bounds the memory
/// of the bound arrays whatever the size of a collection.
const INSERT_BATCH: usize = 10_000;

/// Writes instance graphs within one transaction.
pub(crate) struct Writer<'a, 'r> {
    pub exec: &'r mut dyn Runner,
    pub schema: &'a Schema,
    /// Deletes run by `delete-orphan` during an update.
    pub report: DeleteReport,
    /// Each table's row statements, prepared once per write and held while it runs: by
    /// [`RowSql::slot`], the statement (`None` where there is none), once built.
    rows: Vec<Option<Option<Handle>>>,
    /// Tables whose keys the database assigns that got rows with keys given instead.
    given_keys: Vec<TableId>,
}

/// The row statements a write builds.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(usize)]
enum RowSql {
    /// `INSERT` of every column.
    Insert,
    /// `INSERT` without the key, which the database assigns.
    InsertAssigned,
    /// `UPDATE` of the non-key columns (`None` when there are none).
    Update,
    /// Whether the key exists.
    Exists,
}

impl RowSql {
    /// The kinds of row statements.
    const KINDS: usize = 4;

    /// Where `t`'s statement of this kind is held.
    fn slot(self, t: TableId) -> usize {
        t * RowSql::KINDS + self as usize
    }
}

/// What an existing row referenced through a many-to-one `delete-orphan` relationship before
/// it was written over.
struct Referenced {
    /// The relationship's index.
    relationship: usize,
    /// The referenced key as stored (`NULL` for none).
    key: Value,
}

/// How a row is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `INSERT`; an existing key is an error.
    Insert,
    /// `UPDATE`; a missing row is an error.
    Update,
    /// A related row: inserted when its key is unset or unknown, updated otherwise.
    Save,
    /// `Session::merge`: written as [`Mode::Save`], following `merge` cascades instead of
    /// `save-update` ones, and related rows merged in turn.
    Merge,
}

impl Mode {
    /// The cascade word whose relationships a write follows.
    fn follows(self) -> CascadeSet {
        match self {
            Mode::Merge => CascadeSet::MERGE,
            Mode::Insert | Mode::Update | Mode::Save => CascadeSet::SAVE_UPDATE,
        }
    }

    /// How the rows a write cascades to are written.
    fn related(self) -> Mode {
        match self {
            Mode::Merge => Mode::Merge,
            Mode::Insert | Mode::Update | Mode::Save => Mode::Save,
        }
    }
}

/// A row statement of `t`, prepared on first use (`None`: an update of a table with no
/// column besides its key).
fn row_stmt(
    held: &mut Vec<Option<Option<Handle>>>,
    exec: &mut dyn Runner,
    schema: &Schema,
    t: TableId,
    kind: RowSql,
) -> Result<Option<Handle>> {
    let slot = kind.slot(t);
    if let Some(&Some(handle)) = held.get(slot) {
        return Ok(handle);
    }
    if held.len() <= slot {
        held.resize(schema.tables.len() * RowSql::KINDS, None);
    }
    let meta = schema.tables[t].meta;
    let d = exec.dialect();
    let sql = match kind {
        RowSql::Insert => rows::insert(d, meta, &(0..meta.columns.len()).collect::<Vec<_>>()),
        RowSql::InsertAssigned => {
            let columns: Vec<usize> = (0..meta.columns.len())
                .filter(|&c| !meta.columns[c].primary_key)
                .collect();
            let key = meta.columns[schema.tables[t].pk[0]].name;
            format!("{}{}", rows::insert(d, meta, &columns), d.returning(key))
        }
        RowSql::Update => match rows::update(d, meta) {
            Some(sql) => sql,
            None => {
                held[slot] = Some(None);
                return Ok(None);
            }
        },
        RowSql::Exists => rows::exists(d, meta),
    };
    let handle = exec.prepare(sql)?;
    held[slot] = Some(Some(handle));
    Ok(Some(handle))
}

fn table_of(schema: &Schema, meta: &ModelMeta) -> Result<TableId> {
    schema.table_id(meta).ok_or_else(|| Error::Schema {
        model: meta.name,
        field: None,
        message: "the model is not known to this session".into(),
    })
}

/// The primary-key values of an instance.
pub(crate) fn key_of(schema: &Schema, t: TableId, values: &[Value]) -> Vec<Value> {
    schema.tables[t]
        .pk
        .iter()
        .map(|&c| values[c].clone())
        .collect()
}

impl<'a, 'r> Writer<'a, 'r> {
    pub fn new(exec: &'r mut dyn Runner, schema: &'a Schema) -> Self {
        Writer {
            exec,
            schema,
            report: DeleteReport::default(),
            rows: Vec::new(),
            given_keys: Vec::new(),
        }
    }

    /// Ends the write: where the database assigns keys from a sequence that rows with given
    /// keys went past (PostgreSQL's identity columns), moves the sequence beyond them, so
    /// that the next assigned key is free. Returns what `delete-orphan` deleted.
    pub fn finish(mut self) -> Result<DeleteReport> {
        for t in std::mem::take(&mut self.given_keys) {
            let meta = self.schema.tables[t].meta;
            let key = meta.columns[self.schema.tables[t].pk[0]].name;
            if let Some(statement) = self.exec.dialect().advance_key_sequence(meta.table, key) {
                self.exec.run(&statement)?;
            }
        }
        Ok(std::mem::take(&mut self.report))
    }

    fn sql(&self) -> Sql<'a> {
        Sql::new(self.schema, self.exec.dialect())
    }

    /// Writes `obj` and, along `save-update` cascades (`merge` ones for [`Mode::Merge`]), its
    /// related instances.
    pub fn write(&mut self, obj: &mut dyn DynModel, mode: Mode) -> Result<()> {
        let t = table_of(self.schema, obj.model_meta())?;
        self.write_in(t, obj, mode)
    }

    /// [`Writer::write`] of a row of `t`.
    fn write_in(&mut self, t: TableId, obj: &mut dyn DynModel, mode: Mode) -> Result<()> {
        // A row whose relationship fields are all empty is the row alone, unless an update
        // syncs its collections or a many-to-one `delete-orphan` must read what it referenced.
        let rels = &self.schema.tables[t].relationships;
        let alone = match mode {
            Mode::Insert => true,
            Mode::Update => false,
            Mode::Save | Mode::Merge => !rels
                .iter()
                .any(|r| matches!(r.join, Join::Referencing { .. })),
        };
        if alone && (0..rels.len()).all(|i| obj.no_related(i)) {
            return self.write_row(t, obj, mode);
        }
        let referenced = self.before_row(t, obj, mode)?;
        self.write_row(t, obj, mode)?;
        self.after_row(t, obj, mode, referenced)
    }

    /// Writes `objs`, rows of `t`, as [`Writer::write`] does each. Where the backend inserts
    /// many rows in one statement ([`Dialect::insert_many`]), the new rows whose key the
    /// database assigns go in batches of [`INSERT_BATCH`], one statement and one round trip
    /// each, instead of one per row.
    ///
    /// [`Dialect::insert_many`]: crate::sql::Dialect::insert_many
    fn write_all(&mut self, t: TableId, objs: Vec<&mut dyn DynModel>, mode: Mode) -> Result<()> {
        let meta = self.schema.tables[t].meta;
        let d = self.exec.dialect();
        let batched = meta.has_rowid_key() && d.insert_many(meta).is_some();
        if !batched {
            for obj in objs {
                self.write_in(t, obj, mode)?;
            }
            return Ok(());
        }
        let pk = self.schema.tables[t].pk.clone();
        let (mut new, rest): (Vec<_>, Vec<_>) = objs
            .into_iter()
            .partition(|o| o.values()[pk[0]].is_unset_key());
        if new.len() < 2 {
            new.extend(rest);
            for obj in new {
                self.write_in(t, obj, mode)?;
            }
            return Ok(());
        }
        for obj in rest {
            self.write_in(t, obj, mode)?;
        }
        for batch in new.chunks_mut(INSERT_BATCH) {
            let mut referenced = Vec::with_capacity(batch.len());
            for obj in batch.iter_mut() {
                referenced.push(self.before_row(t, &mut **obj, mode)?);
            }
            self.insert_batch(t, batch)?;
            for (obj, referenced) in batch.iter_mut().zip(referenced) {
                self.after_row(t, &mut **obj, mode, referenced)?;
            }
        }
        Ok(())
    }

    /// Inserts new rows of `t` (a key the database assigns, unset in each) in one statement
    /// and writes the keys the database assigned back into them.
    fn insert_batch(&mut self, t: TableId, batch: &mut [&mut dyn DynModel]) -> Result<()> {
        let meta = self.schema.tables[t].meta;
        let Some(insert) = self.exec.dialect().insert_many(meta) else {
            unreachable!("batches only where the dialect has them")
        };
        let key = self.schema.tables[t].pk[0];
        let mut columns: Vec<Vec<Value>> = (1..meta.columns.len())
            .map(|_| Vec::with_capacity(batch.len()))
            .collect();
        for obj in batch.iter() {
            let values = obj
                .values()
                .into_iter()
                .enumerate()
                .filter(|&(c, _)| c != key);
            for (column, (_, value)) in columns.iter_mut().zip(values) {
                column.push(value);
            }
        }
        let arrays: Vec<Value> = columns.into_iter().map(Value::Array).collect();
        let keys = self.exec.query(&insert, &arrays)?;
        // The keys come back in the rows' order; an identity's keys only grow.
        let increasing = keys.windows(2).all(|w| match (&w[0][..], &w[1][..]) {
            ([Value::Integer(a)], [Value::Integer(b)]) => a < b,
            _ => false,
        });
        if keys.len() != batch.len() || !increasing {
            return Err(Error::Schema {
                model: meta.name,
                field: Some(meta.columns[key].field),
                message: format!(
                    "a multi-row insert into \"{}\" did not return one increasing key per row, \
                     as an identity column does",
                    meta.table
                ),
            });
        }
        for (obj, mut k) in batch.iter_mut().zip(keys) {
            obj.set_value(key, k.swap_remove(0))?;
        }
        Ok(())
    }

    /// What comes before the row itself: what it references through its many-to-one
    /// `delete-orphan` relationships, read before the row changes (returned), and its
    /// many-to-one targets, written first so that the row's foreign keys take their keys.
    fn before_row(
        &mut self,
        t: TableId,
        obj: &mut dyn DynModel,
        mode: Mode,
    ) -> Result<Vec<Referenced>> {
        let rels: &'a [crate::schema::Relationship] = &self.schema.tables[t].relationships;
        let referenced = self.orphan_keys(t, obj, mode)?;

        // Many-to-one targets first: this row's foreign key takes their keys.
        for (i, rel) in rels.iter().enumerate() {
            let Join::Referencing { column } = rel.join else {
                continue;
            };
            let follows = rel.meta.cascade.contains(mode.follows());
            match obj.related_mut(i).pop() {
                Some(target) if follows => {
                    self.write(target, mode.related())?;
                    let referenced = self.schema.fk(t, column).target_column;
                    let value = target.values()[referenced].clone();
                    obj.set_value(column, value)?;
                }
                Some(_) => {}
                // An existing row whose `delete-orphan` target is gone from its field: the
                // field decides, as a collection does under `update`.
                None if referenced.iter().any(|o| o.relationship == i) => {
                    obj.set_value(column, Value::Null)?;
                }
                None => {}
            }
        }
        Ok(referenced)
    }

    /// What comes after the row itself: targets it no longer references deleted as orphans,
    /// its children and many-to-many links written, and under [`Mode::Update`] the rows that
    /// left its collections released or deleted.
    fn after_row(
        &mut self,
        t: TableId,
        obj: &mut dyn DynModel,
        mode: Mode,
        referenced: Vec<Referenced>,
    ) -> Result<()> {
        let rels: &'a [crate::schema::Relationship] = &self.schema.tables[t].relationships;
        // The row's values as written, read once and only if a relationship needs them.
        let mut now: Option<Vec<Value>> = None;
        let mut value_of = |obj: &dyn DynModel, column: usize| -> Value {
            now.get_or_insert_with(|| obj.values())[column].clone()
        };
        // Targets the row no longer references are orphans: deleted, with their cascades.
        for orphan in referenced {
            let Join::Referencing { column } = rels[orphan.relationship].join else {
                continue;
            };
            if !orphan.key.is_null() && value_of(obj, column) != orphan.key {
                let fk = self.schema.fk(t, column);
                let clause = self.sql().column_is(fk.target, fk.target_column);
                self.delete_where(fk.target, clause, vec![orphan.key])?;
            }
        }
        // What related rows reference of this one: its key, or another unique column.
        let schema = self.schema;
        let mut referenced_value = |obj: &dyn DynModel, table: TableId, column: usize| {
            value_of(obj, schema.fk(table, column).target_column)
        };

        for (i, rel) in rels.iter().enumerate() {
            let save = rel.meta.cascade.contains(mode.follows());
            match rel.join {
                Join::Referencing { .. } => {}
                Join::Referenced { column } => {
                    let passive = rel.meta.passive_deletes == PassiveDeletes::All;
                    let sync = mode == Mode::Update && rel.meta.collection && !passive;
                    if !sync && (!save || obj.no_related(i)) {
                        continue;
                    }
                    let parent = referenced_value(obj, rel.target, column);
                    if save {
                        let mut children = obj.related_mut(i);
                        for child in children.iter_mut() {
                            child.set_value(column, parent.clone())?;
                        }
                        self.write_all(rel.target, children, mode.related())?;
                    }
                    // `passive_deletes = "all"`: rows that left the collection are never
                    // touched (their foreign key keeps its value).
                    if sync {
                        let kept = self.kept_keys(rel.target, obj.related(i));
                        self.sync_children(rel.target, column, rel.meta.cascade, &parent, kept)?;
                    }
                }
                // Links belong to `save-update` (`merge` for a merge): without it, the
                // association rows are left as they are.
                Join::Secondary { .. } if !save => {}
                Join::Secondary {
                    assoc,
                    local,
                    remote,
                } => {
                    if mode != Mode::Update && obj.no_related(i) {
                        continue;
                    }
                    let local_value = referenced_value(obj, assoc, local);
                    let targets = obj.related_mut(i);
                    let link = match targets.is_empty() {
                        true => String::new(),
                        false => self.sql().insert_link(assoc, local, remote),
                    };
                    let target_column = self.schema.fk(assoc, remote).target_column;
                    let assigned = self.schema.tables[rel.target].meta.has_rowid_key()
                        && self.schema.tables[rel.target].pk == [target_column];
                    for target in targets {
                        self.write(target, mode.related())?;
                        let remote_value = target.values()[target_column].clone();
                        if remote_value.is_null() || (assigned && remote_value.is_unset_key()) {
                            return Err(Error::MissingKey {
                                table: self.schema.name(rel.target).to_owned(),
                            });
                        }
                        self.exec
                            .execute(&link, &[local_value.clone(), remote_value])?;
                    }
                    if mode == Mode::Update {
                        let kept = self.kept_keys(rel.target, obj.related(i));
                        self.sync_links(
                            rel.target,
                            (assoc, local, remote),
                            rel.meta.cascade,
                            &local_value,
                            kept,
                        )?;
                    }
                }
            }
        }
        Ok(())
    }

    /// For an existing row about to be written over (not for an insert), the keys it
    /// references through each many-to-one `delete-orphan` relationship, as stored: one query
    /// for all of them. Empty when the row has no such relationship or does not exist yet.
    fn orphan_keys(
        &mut self,
        t: TableId,
        obj: &dyn DynModel,
        mode: Mode,
    ) -> Result<Vec<Referenced>> {
        let rels = &self.schema.tables[t].relationships;
        let orphaning: Vec<(usize, usize)> = rels
            .iter()
            .enumerate()
            .filter(|(_, r)| r.meta.cascade.contains(CascadeSet::DELETE_ORPHAN))
            .filter_map(|(i, r)| match r.join {
                Join::Referencing { column } => Some((i, column)),
                _ => None,
            })
            .collect();
        if orphaning.is_empty() || mode == Mode::Insert {
            return Ok(Vec::new());
        }
        let key = key_of(self.schema, t, &obj.values());
        if self.schema.tables[t].meta.has_rowid_key() && key[0].is_unset_key() {
            return Ok(Vec::new());
        }
        let columns: Vec<usize> = orphaning.iter().map(|&(_, c)| c).collect();
        let sql =
            rows::select_columns_by_key(self.exec.dialect(), self.schema.tables[t].meta, &columns);
        let Some(stored) = self.exec.query(&sql, &key)?.pop() else {
            return Ok(Vec::new());
        };
        Ok(orphaning
            .into_iter()
            .zip(stored)
            .map(|((relationship, _), key)| Referenced { relationship, key })
            .collect())
    }

    fn kept_keys(&self, t: TableId, items: Vec<&dyn DynModel>) -> Vec<Vec<Value>> {
        items
            .iter()
            .map(|item| key_of(self.schema, t, &item.values()))
            .collect()
    }

    /// Inserts or updates the row itself, writing a generated key back. Inserts bind the
    /// fields as they are ([`DynModel::value_refs`]): text and bytes are not copied.
    fn write_row(&mut self, t: TableId, obj: &mut dyn DynModel, mode: Mode) -> Result<()> {
        let meta = self.schema.tables[t].meta;
        let key_column = self.schema.tables[t].pk[0];
        let mut refs = obj.value_refs();
        let assigned = meta.has_rowid_key() && refs[key_column].is_unset_key();
        let update = match mode {
            Mode::Insert => false,
            Mode::Update => true,
            Mode::Save | Mode::Merge if assigned => false,
            Mode::Save | Mode::Merge => {
                let exists = row_stmt(&mut self.rows, self.exec, self.schema, t, RowSql::Exists)?;
                match exists {
                    Some(stmt) => {
                        let key = key_of(self.schema, t, &obj.values());
                        !self.exec.query_prepared(stmt, &key)?.is_empty()
                    }
                    None => false,
                }
            }
        };
        if update {
            if let Some(stmt) = row_stmt(&mut self.rows, self.exec, self.schema, t, RowSql::Update)?
            {
                drop(refs);
                let values = obj.values();
                let key = key_of(self.schema, t, &values);
                let mut params: Vec<ValueRef<'_>> = values
                    .iter()
                    .zip(meta.columns)
                    .filter(|(_, c)| !c.primary_key)
                    .map(|(v, _)| ValueRef::from(v))
                    .collect();
                params.extend(key.iter().map(ValueRef::from));
                let changed = self.exec.execute_prepared(stmt, &params)?;
                if changed == 0 && mode == Mode::Update {
                    return Err(Error::NotFound {
                        table: meta.table.to_owned(),
                        key: crate::value::Key::new(key).to_string(),
                    });
                }
            }
            return Ok(());
        }
        if assigned {
            let stmt = row_stmt(
                &mut self.rows,
                self.exec,
                self.schema,
                t,
                RowSql::InsertAssigned,
            )?
            .expect("an insert is always a statement");
            refs.remove(key_column);
            let id = self.exec.insert_assigned(stmt, &refs)?;
            drop(refs);
            obj.set_value(key_column, id)?;
        } else {
            if meta.has_rowid_key() && !self.given_keys.contains(&t) {
                self.given_keys.push(t);
            }
            if let Some(stmt) = row_stmt(&mut self.rows, self.exec, self.schema, t, RowSql::Insert)?
            {
                self.exec.execute_prepared(stmt, &refs)?;
            }
        }
        Ok(())
    }

    /// Rows of `t` pointing at `parent` through `column` that are no longer in the collection:
    /// deleted with their cascades under `delete-orphan`, otherwise released (key set to NULL).
    fn sync_children(
        &mut self,
        t: TableId,
        column: usize,
        cascade: CascadeSet,
        parent: &Value,
        kept: Vec<Vec<Value>>,
    ) -> Result<()> {
        let sql = self.sql();
        let kept = self.exec.bind_keys(&sql, KeyList::Keep(t), &kept, 2)?;
        let mut params = vec![parent.clone()];
        params.extend(kept.params.iter().cloned());
        if cascade.contains(CascadeSet::DELETE_ORPHAN) {
            let clause = sql.left_collection(t, column, &kept.expr);
            self.delete_where(t, clause, params)?;
        } else {
            let col = &self.schema.tables[t].meta.columns[column];
            if !col.nullable {
                let rows = self.exec.count(&crate::sql::Statement {
                    sql: sql.count_left(t, column, &kept.expr),
                    params: params.clone(),
                })?;
                if rows > 0 {
                    return Err(Error::Orphaned {
                        table: self.schema.name(t).to_owned(),
                        column: col.name.to_owned(),
                        rows,
                    });
                }
            }
            self.exec
                .execute(&sql.release_left(t, column, &kept.expr), &params)?;
        }
        if let Some(clear) = kept.clear {
            self.exec.run(&clear)?;
        }
        Ok(())
    }

    /// Links of a many-to-many collection that left it are deleted; with `delete-orphan`,
    /// so are the targets they linked (with their cascades).
    fn sync_links(
        &mut self,
        target: TableId,
        link: (TableId, usize, usize),
        cascade: CascadeSet,
        parent: &Value,
        kept: Vec<Vec<Value>>,
    ) -> Result<()> {
        let sql = self.sql();
        let kept = self.exec.bind_keys(&sql, KeyList::Keep(target), &kept, 2)?;
        let mut params = vec![parent.clone()];
        params.extend(kept.params.iter().cloned());
        if cascade.contains(CascadeSet::DELETE_ORPHAN) {
            let clause = sql.targets_left(link, target, &kept.expr);
            self.delete_where(target, clause, params.clone())?;
        }
        self.exec
            .execute(&sql.delete_links_left(link, target, &kept.expr), &params)?;
        if let Some(clear) = kept.clear {
            self.exec.run(&clear)?;
        }
        Ok(())
    }

    fn delete_where(&mut self, t: TableId, clause: String, params: Vec<Value>) -> Result<()> {
        let plan = plan::cascade(self.schema, t)?;
        let report = self
            .exec
            .delete(self.schema, &plan, Roots::Where { clause, params }, None)?;
        self.report.merge(report);
        Ok(())
    }
}
