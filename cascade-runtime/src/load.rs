//! Batched loading of relationship fields: for a list of instances of one table, each
//! relationship is filled with ONE query for all of them together, never one per row; deeper
//! levels are loaded level by level, again one query per relationship per level.
//!
//! How the keys looked up reach the query is the backend's business
//! ([`Runner::bind_keys`]): bound parameters or a temporary table on SQLite, an array on
//! PostgreSQL. The rows returned are handed to their parents by key.

use std::collections::{HashMap, HashSet};

use crate::backend::Backend;
use crate::error::Result;
use crate::metadata::CascadeSet;
use crate::model::{DynModel, Model, Row, Skip};
use crate::runner::{BoundKeys, KeyList, Runner};
use crate::schema::{Join, Relationship, Schema, TableId};
use crate::session::Session;
use crate::sql::Sql;
use crate::tx::{Begin, Tx};
use crate::value::{Value, ValueRef};
use crate::write::key_of;

/// What takes each row of a load as it is read, with its parent's key when asked for.
type EachRow<'a> = dyn FnMut(Option<HashKey>, &dyn Row) -> Result<()> + 'a;

/// A [`Value`] that can be hashed, to hand loaded rows to their parents by key.
///
/// Equal when SQL's `=` says so for the values SQLite returns: a real with an integral value
/// equals the integer, other reals compare by their bits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum HashKey {
    /// SQL `NULL` (never equal to a key in SQL; only used to mark "no key").
    Null,
    /// An integer, or a real with an integral value.
    Integer(i64),
    /// A real, by its bits.
    Real(u64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
    /// A list (never a key; hashed for completeness).
    List(Vec<HashKey>),
}

impl From<&ValueRef<'_>> for HashKey {
    fn from(value: &ValueRef<'_>) -> Self {
        match value {
            ValueRef::Null => HashKey::Null,
            ValueRef::Integer(i) => HashKey::Integer(*i),
            ValueRef::Real(r) => HashKey::from(&Value::Real(*r)),
            ValueRef::Text(s) => HashKey::Text((*s).to_owned()),
            ValueRef::Blob(b) => HashKey::Blob(b.to_vec()),
            ValueRef::Owned(v) => HashKey::from(v),
        }
    }
}

impl From<&Value> for HashKey {
    fn from(value: &Value) -> Self {
        match value {
            Value::Null => HashKey::Null,
            Value::Integer(i) => HashKey::Integer(*i),
            Value::Real(r) => {
                // Within ±2^63 every integral f64 converts exactly.
                if r.fract() == 0.0 && r.abs() < 9.223_372_036_854_776e18 {
                    HashKey::Integer(*r as i64)
                } else {
                    HashKey::Real(r.to_bits())
                }
            }
            Value::Text(s) => HashKey::Text(s.clone()),
            Value::Blob(b) => HashKey::Blob(b.clone()),
            Value::Array(items) => HashKey::List(items.iter().map(HashKey::from).collect()),
        }
    }
}

/// A row's identity: its table and primary key.
type RowId = (TableId, Vec<HashKey>);

/// Which relationships a load follows, and how far.
pub(crate) struct Reach {
    /// Only relationships whose cascade contains this ([`CascadeSet::NONE`]: every one).
    pub cascade: CascadeSet,
    /// Levels of relationships to load: 1 fills the instances' own relationship fields.
    pub depth: usize,
    /// For loads that follow a graph to its end (refresh): the rows whose relationships were
    /// loaded already. A row met again is not expanded again, so cycles end.
    pub visited: Option<HashSet<RowId>>,
}

impl Reach {
    /// Every relationship, `depth` levels deep.
    pub fn all(depth: usize) -> Reach {
        Reach {
            cascade: CascadeSet::NONE,
            depth,
            visited: None,
        }
    }

    /// Relationships whose cascade contains `cascade`, to the end of the graph.
    pub fn closure(cascade: CascadeSet) -> Reach {
        Reach {
            cascade,
            depth: usize::MAX,
            visited: Some(HashSet::new()),
        }
    }
}

/// Loads relationship fields of many instances at once, within the caller's transaction.
pub(crate) struct Loader<'a, 'r> {
    exec: &'r mut dyn Runner,
    schema: &'a Schema,
}

impl<'a, 'r> Loader<'a, 'r> {
    pub fn new(exec: &'r mut dyn Runner, schema: &'a Schema) -> Self {
        Loader { exec, schema }
    }

    fn sql(&self) -> Sql<'a> {
        Sql::new(self.schema, self.exec.dialect())
    }

    /// Fills the relationship fields `reach` selects of `objs` (instances of table `t`), then
    /// of the instances loaded into them, level by level: one query per relationship per
    /// level, whatever the number of instances.
    pub fn load(
        &mut self,
        t: TableId,
        objs: &mut [&mut dyn DynModel],
        reach: &mut Reach,
    ) -> Result<()> {
        let depth = reach.depth;
        self.load_levels(t, objs, reach, depth)
    }

    fn load_levels(
        &mut self,
        t: TableId,
        objs: &mut [&mut dyn DynModel],
        reach: &mut Reach,
        depth: usize,
    ) -> Result<()> {
        if depth == 0 || objs.is_empty() {
            return Ok(());
        }
        let rels: Vec<(usize, Relationship)> = self.schema.tables[t]
            .relationships
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, r)| r.meta.cascade.contains(reach.cascade))
            .collect();
        if rels.is_empty() {
            return Ok(());
        }
        let mut objs: Vec<&mut dyn DynModel> = match reach.visited.as_mut() {
            None => objs
                .iter_mut()
                .map(|o| &mut **o as &mut dyn DynModel)
                .collect(),
            Some(visited) => {
                // Rows expanded by an earlier level stop here; copies of one row met in this
                // level are all expanded.
                let ids: Vec<RowId> = objs.iter().map(|o| self.row_id(t, &**o)).collect();
                let fresh: Vec<bool> = ids.iter().map(|id| !visited.contains(id)).collect();
                visited.extend(ids);
                objs.iter_mut()
                    .zip(fresh)
                    .filter(|(_, fresh)| *fresh)
                    .map(|(o, _)| &mut **o as &mut dyn DynModel)
                    .collect()
            }
        };
        if objs.is_empty() {
            return Ok(());
        }
        self.level(t, &mut objs, &rels)?;
        for (i, rel) in rels {
            let mut next: Vec<&mut dyn DynModel> =
                objs.iter_mut().flat_map(|o| o.related_mut(i)).collect();
            self.load_levels(rel.target, &mut next, reach, depth - 1)?;
        }
        Ok(())
    }

    fn row_id(&self, t: TableId, obj: &dyn DynModel) -> RowId {
        let key = key_of(self.schema, t, &obj.values());
        (t, key.iter().map(HashKey::from).collect())
    }

    /// Fills relationships `rels` of `objs`, one query each.
    fn level(
        &mut self,
        t: TableId,
        objs: &mut [&mut dyn DynModel],
        rels: &[(usize, Relationship)],
    ) -> Result<()> {
        let values: Vec<Vec<Value>> = objs.iter().map(|o| o.values()).collect();
        let column_keys = |column: usize| -> Vec<Option<HashKey>> {
            values
                .iter()
                .map(|v| Some(&v[column]).filter(|v| !v.is_null()).map(HashKey::from))
                .collect()
        };
        // Rows of one-to-many and many-to-many relationships are found by a column of these
        // instances (their key, or the unique column a foreign key references): one query per
        // relationship, the instances' values of that column bound once for all that share it.
        let mut by_parent: Vec<(usize, Vec<(usize, Relationship)>)> = Vec::new();
        for &(i, rel) in rels {
            let column = match rel.join {
                Join::Referenced { column } => self.schema.fk(rel.target, column).target_column,
                Join::Secondary { assoc, local, .. } => self.schema.fk(assoc, local).target_column,
                Join::Referencing { .. } => continue,
            };
            match by_parent.iter_mut().find(|(c, _)| *c == column) {
                Some((_, group)) => group.push((i, rel)),
                None => by_parent.push((column, vec![(i, rel)])),
            }
        }
        for (column, group) in by_parent {
            let parents = column_keys(column);
            // Where each key's rows go: the instances that hold it.
            let mut holders: HashMap<&HashKey, Vec<usize>> = HashMap::new();
            for (at, key) in parents.iter().enumerate() {
                if let Some(key) = key {
                    holders.entry(key).or_default().push(at);
                }
            }
            let bound = self.bind(t, column, values.iter().map(|v| &v[column]))?;
            for (i, rel) in group {
                for obj in objs.iter_mut() {
                    if let Some(field) = obj.relationship_mut(i) {
                        field.clear();
                    }
                }
                let Some(keys) = &bound else {
                    continue;
                };
                // Each row into its instances as it is read: no row is held longer. Where
                // every instance holds the same key (one instance, as often), every row is
                // theirs, and its key is not read.
                let only: Option<&Vec<usize>> = match holders.len() {
                    1 => holders.values().next(),
                    _ => None,
                };
                self.query_by_key(rel, keys, only.is_none(), &mut |key, row| {
                    let at = match (only, key) {
                        (Some(at), _) => at,
                        (None, Some(key)) => match holders.get(&key) {
                            Some(at) => at,
                            None => return Ok(()),
                        },
                        (None, None) => return Ok(()),
                    };
                    at.iter().try_for_each(|&p| push(&mut *objs[p], i, row))
                })?;
            }
            self.clear(bound)?;
        }
        for &(i, rel) in rels {
            let Join::Referencing { column } = rel.join else {
                continue;
            };
            let targets = column_keys(column);
            let referenced = self.schema.fk(t, column).target_column;
            let bound = self.bind(rel.target, referenced, values.iter().map(|v| &v[column]))?;
            let groups = match &bound {
                None => HashMap::new(),
                Some(keys) => {
                    let sql = self.sql().load_targets(rel.target, referenced, keys);
                    let rows = self.exec.query(&sql, &keys.params)?;
                    group(rows, |row| HashKey::from(&row[referenced]))
                }
            };
            self.clear(bound)?;
            distribute(objs, i, &targets, groups)?;
        }
        Ok(())
    }

    /// Empties the temporary table a query's keys were written to, if any.
    fn clear(&mut self, bound: Option<BoundKeys>) -> Result<()> {
        if let Some(clear) = bound.and_then(|b| b.clear) {
            self.exec.run(&clear)?;
        }
        Ok(())
    }

    /// The rows of a one-to-many or many-to-many relationship for every bound parent key,
    /// each handed to `each` as it is read, in key order — with its parent key when `keyed`.
    fn query_by_key(
        &mut self,
        rel: Relationship,
        keys: &BoundKeys,
        keyed: bool,
        each: &mut EachRow<'_>,
    ) -> Result<()> {
        let sql = self.sql();
        match rel.join {
            Join::Referenced { column } => self.exec.query_each(
                &sql.load_children(rel.target, column, keys),
                &keys.params,
                &mut |row| each(keyed.then(|| HashKey::from(&row.get(column))), row),
            ),
            // The link's key first, then the target's columns.
            Join::Secondary {
                assoc,
                local,
                remote,
            } => self.exec.query_each(
                &sql.load_linked(assoc, local, remote, rel.target, keys),
                &keys.params,
                &mut |row| each(keyed.then(|| HashKey::from(&row.get(0))), &Skip(row, 1)),
            ),
            Join::Referencing { .. } => unreachable!("many-to-one loads go by reference"),
        }
        .map(drop)
    }

    /// Makes the distinct non-`NULL` `keys` (values of `t.column`) available to one query
    /// ([`Runner::bind_keys`]); `None` when there is no key to look up.
    fn bind<'v>(
        &mut self,
        t: TableId,
        column: usize,
        keys: impl Iterator<Item = &'v Value>,
    ) -> Result<Option<BoundKeys>> {
        let mut seen = HashSet::new();
        let distinct: Vec<Vec<Value>> = keys
            .filter(|k| !k.is_null() && seen.insert(HashKey::from(*k)))
            .map(|k| vec![k.clone()])
            .collect();
        if distinct.is_empty() {
            return Ok(None);
        }
        let sql = self.sql();
        self.exec
            .bind_keys(&sql, KeyList::Load(t, column), &distinct, 1)
            .map(Some)
    }
}

/// Adds a loaded row to relationship `i` of `obj`.
fn push(obj: &mut dyn DynModel, i: usize, row: &dyn Row) -> Result<()> {
    match obj.relationship_mut(i) {
        Some(field) => field.push(row),
        None => Ok(()),
    }
}

/// Rows grouped by a key of each, in their order.
fn group(
    rows: Vec<Vec<Value>>,
    key: impl Fn(&[Value]) -> HashKey,
) -> HashMap<HashKey, Vec<Vec<Value>>> {
    let mut groups: HashMap<HashKey, Vec<Vec<Value>>> = HashMap::new();
    for row in rows {
        groups.entry(key(&row)).or_default().push(row);
    }
    groups
}

/// Sets relationship `i` of each instance to the group of its key (`None`: no rows). Several
/// instances with the same key each get the rows.
fn distribute(
    objs: &mut [&mut dyn DynModel],
    i: usize,
    keys: &[Option<HashKey>],
    mut groups: HashMap<HashKey, Vec<Vec<Value>>>,
) -> Result<()> {
    let mut wanted: HashMap<&HashKey, usize> = HashMap::new();
    for key in keys.iter().flatten() {
        *wanted.entry(key).or_default() += 1;
    }
    for (obj, key) in objs.iter_mut().zip(keys) {
        let rows = match key {
            None => Vec::new(),
            Some(key) => {
                let left = wanted.get_mut(key).expect("counted above");
                *left -= 1;
                if *left == 0 {
                    groups.remove(key).unwrap_or_default()
                } else {
                    groups.get(key).cloned().unwrap_or_default()
                }
            }
        };
        obj.set_related(i, rows)?;
    }
    Ok(())
}

/// Batched loading of relationship fields.
impl<B: Backend> Session<B> {
    /// Fills every relationship field of every row of `rows` with the related rows in the
    /// database: one query per relationship for all the rows together, never one per row.
    /// Only one level is loaded (the loaded rows' own relationship fields are left empty);
    /// see [`Session::load_depth`].
    ///
    /// Each field is replaced as a whole, in key order. The queries read one consistent
    /// snapshot of the database.
    pub fn load_all<M: Model>(&mut self, rows: &mut [M]) -> Result<()> {
        self.load_depth(rows, 1)
    }

    /// Fills every relationship field of every row of `rows`, then those of the rows loaded
    /// into them, `depth` levels deep (`0` loads nothing, `1` is [`Session::load_all`]).
    ///
    /// Loading goes level by level: each relationship of each level is one query for all
    /// the instances of that level, so the number of queries depends on the relationships
    /// (at most one per relationship path of length up to `depth`, fewer when a level is
    /// empty), never on the number of rows. More than 512 distinct keys for one query go
    /// through a temporary key table, filled by statements of 999 keys.
    pub fn load_depth<M: Model>(&mut self, rows: &mut [M], depth: usize) -> Result<()> {
        crate::trace::call("load_depth", M::meta().name, || {
            let (schema, t) = self.table::<M>()?;
            let mut runner = self.runner();
            let mut tx = Tx::begin(&mut *runner, Begin::Read)?;
            let mut objs: Vec<&mut dyn DynModel> =
                rows.iter_mut().map(|r| r as &mut dyn DynModel).collect();
            Loader::new(&mut *tx, &schema).load(t, &mut objs, &mut Reach::all(depth))?;
            tx.commit()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_keys_follow_sql_equality_for_integral_reals() {
        assert_eq!(
            HashKey::from(&Value::Real(3.0)),
            HashKey::from(&Value::Integer(3))
        );
        assert_ne!(
            HashKey::from(&Value::Real(3.5)),
            HashKey::from(&Value::Integer(3))
        );
        assert_eq!(
            HashKey::from(&Value::Real(-0.0)),
            HashKey::from(&Value::Integer(0))
        );
        assert_eq!(
            HashKey::from(&Value::Real(f64::NAN)),
            HashKey::from(&Value::Real(f64::NAN))
        );
        assert_ne!(
            HashKey::from(&Value::Text("1".into())),
            HashKey::from(&Value::Integer(1))
        );
    }

    #[test]
    fn distribute_gives_each_copy_of_a_key_its_rows() {
        struct Probe(Vec<Vec<Value>>);
        impl DynModel for Probe {
            fn model_meta(&self) -> &'static crate::metadata::ModelMeta {
                crate::plan::fixtures::tag()
            }
            fn values(&self) -> Vec<Value> {
                Vec::new()
            }
            fn set_value(&mut self, _: usize, _: Value) -> Result<()> {
                Ok(())
            }
            fn relationship(&self, _: usize) -> Option<&dyn crate::model::Related> {
                None
            }
            fn relationship_mut(&mut self, _: usize) -> Option<&mut dyn crate::model::Related> {
                None
            }
            fn set_related(&mut self, _: usize, rows: Vec<Vec<Value>>) -> Result<()> {
                self.0 = rows;
                Ok(())
            }
        }
        let (mut a, mut b, mut c) = (Probe(vec![]), Probe(vec![]), Probe(vec![vec![]]));
        let mut objs: Vec<&mut dyn DynModel> = vec![&mut a, &mut b, &mut c];
        let one = HashKey::Integer(1);
        let groups = group(
            vec![
                vec![Value::Integer(1), Value::Integer(10)],
                vec![Value::Integer(2), Value::Integer(20)],
                vec![Value::Integer(1), Value::Integer(11)],
            ],
            |row| HashKey::from(&row[0]),
        );
        distribute(&mut objs, 0, &[Some(one.clone()), Some(one), None], groups).unwrap();
        assert_eq!(a.0.len(), 2);
        assert_eq!(a.0, b.0);
        assert_eq!(a.0[1][1], Value::Integer(11), "in row order");
        assert!(c.0.is_empty(), "no key, no rows");
    }
}
