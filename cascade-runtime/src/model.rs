//! The traits `#[derive(Model)]` implements.
//!
//! [`Model`] is what users name; [`DynModel`] is its object-safe half, through which the
//! runtime walks a graph of related instances of different types (for inserts and updates).

use crate::error::{Error, Result};
use crate::metadata::ModelMeta;
use crate::value::{ConversionError, PrimaryKey, References, Value, ValueRef};

#[doc = include_str!("../docs/model.md")]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model",
    label = "not a model",
    note = "add #[derive(cascade_runtime::Model)] to `{Self}` (a relationship's target and a foreign key's target are models)"
)]
pub trait Model: DynModel + Sized + 'static {
    /// The primary key's Rust type: the key field's type (`i64`, `String`, ...), or a tuple of
    /// the key fields' types in declaration order for a composite key. Calls that take a key
    /// ([`Session::get`](crate::Session::get), [`Session::delete_by_pk`](crate::Session::delete_by_pk),
    /// ...) take this type.
    type Key: PrimaryKey;

    /// The model's static description.
    fn meta() -> &'static ModelMeta;

    /// Builds an instance from its column values (in column order); relationship fields are
    /// left empty.
    fn from_values(values: Vec<Value>) -> Result<Self>;

    /// Builds an instance straight from a row as the database returns it (its columns in
    /// column order), converting each value into its field without an intermediate copy.
    /// The default goes through [`Model::from_values`].
    #[doc(hidden)]
    fn from_row(row: &dyn Row) -> Result<Self> {
        Self::from_values((0..row.width()).map(|i| row.get(i).into_value()).collect())
    }
}

/// A row being read from the database: its values, borrowed where the driver allows.
#[doc(hidden)]
pub trait Row {
    /// The number of columns.
    fn width(&self) -> usize;
    /// Column `i`'s value (`NULL` past the end).
    fn get(&self, i: usize) -> ValueRef<'_>;
}

impl Row for Vec<Value> {
    fn width(&self) -> usize {
        self.len()
    }
    fn get(&self, i: usize) -> ValueRef<'_> {
        self.as_slice()
            .get(i)
            .map_or(ValueRef::Null, ValueRef::from)
    }
}

impl Row for Vec<ValueRef<'_>> {
    fn width(&self) -> usize {
        self.len()
    }
    fn get(&self, i: usize) -> ValueRef<'_> {
        self.as_slice().get(i).cloned().unwrap_or(ValueRef::Null)
    }
}

/// A row without its first `skip` columns.
pub(crate) struct Skip<'r>(pub &'r dyn Row, pub usize);

impl Row for Skip<'_> {
    fn width(&self) -> usize {
        self.0.width().saturating_sub(self.1)
    }
    fn get(&self, i: usize) -> ValueRef<'_> {
        self.0.get(i + self.1)
    }
}

/// Reads the columns of a [`Row`] into fields' types, naming table and column on failure.
/// Used by generated `from_row`.
#[doc(hidden)]
pub struct RowRefReader<'r> {
    meta: &'static ModelMeta,
    row: &'r dyn Row,
    column: usize,
}

impl<'r> RowRefReader<'r> {
    /// A reader over `row`, a row of `meta`'s table, from its first column.
    pub fn new(meta: &'static ModelMeta, row: &'r dyn Row) -> Self {
        RowRefReader {
            meta,
            row,
            column: 0,
        }
    }

    /// The next column, converted by `convert` (the field type's
    /// [`ColumnType::from_value_ref`](crate::ColumnType::from_value_ref)).
    pub fn read<T>(
        &mut self,
        convert: fn(ValueRef<'_>) -> Result<T, ConversionError>,
    ) -> Result<T> {
        let column = self.column;
        self.column += 1;
        convert(self.row.get(column)).map_err(|e| conversion(self.meta, column, e))
    }
}

/// A conversion error of column `column` of `meta`'s table.
fn conversion(meta: &'static ModelMeta, column: usize, e: ConversionError) -> Error {
    Error::Conversion {
        table: meta.table.to_owned(),
        column: meta.columns.get(column).map_or("?", |c| c.name).to_owned(),
        expected: e.expected,
        found: e.found,
    }
}

/// The object-safe half of [`Model`]: instance access by column and relationship index.
/// Implemented by `#[derive(Model)]` for the runtime, which walks graphs of related instances
/// of different types through it (inserts, updates, loads); not meant to be called by users.
/// The indexes are those of [`ModelMeta::columns`] and [`ModelMeta::relationships`].
#[doc(hidden)]
pub trait DynModel {
    /// The instance's model description.
    fn model_meta(&self) -> &'static ModelMeta;

    /// The column values, in column order.
    fn values(&self) -> Vec<Value>;

    /// The column values to bind, in column order, borrowed from the fields where they can
    /// be (what inserts and updates bind). The default converts [`DynModel::values`].
    fn value_refs(&self) -> Vec<ValueRef<'_>> {
        self.values().into_iter().map(ValueRef::Owned).collect()
    }

    /// Writes one column (a generated key, or a foreign key set by a cascade).
    fn set_value(&mut self, column: usize, value: Value) -> Result<()>;

    /// A relationship field.
    fn relationship(&self, relationship: usize) -> Option<&dyn Related>;

    /// A relationship field, mutably.
    fn relationship_mut(&mut self, relationship: usize) -> Option<&mut dyn Related>;

    /// The instances held by a relationship field.
    fn related(&self, relationship: usize) -> Vec<&dyn DynModel> {
        self.relationship(relationship)
            .map(Related::items)
            .unwrap_or_default()
    }

    /// Whether a relationship field holds no instance.
    fn no_related(&self, relationship: usize) -> bool {
        self.relationship(relationship)
            .is_none_or(Related::is_empty)
    }

    /// The instances held by a relationship field, mutably.
    fn related_mut(&mut self, relationship: usize) -> Vec<&mut dyn DynModel> {
        self.relationship_mut(relationship)
            .map(Related::items_mut)
            .unwrap_or_default()
    }

    /// Replaces a relationship field with rows loaded from the database.
    fn set_related(&mut self, relationship: usize, rows: Vec<Vec<Value>>) -> Result<()> {
        match self.relationship_mut(relationship) {
            Some(field) => field.load(rows),
            None => Ok(()),
        }
    }
}

/// A model in a box is the model: `Option<Box<T>>` relationship fields (for self-referential
/// many-to-ones) hold one.
impl<T: Model> Model for Box<T> {
    type Key = T::Key;

    fn meta() -> &'static ModelMeta {
        T::meta()
    }

    fn from_values(values: Vec<Value>) -> Result<Self> {
        T::from_values(values).map(Box::new)
    }

    fn from_row(row: &dyn Row) -> Result<Self> {
        T::from_row(row).map(Box::new)
    }
}

impl<T: Model> DynModel for Box<T> {
    fn model_meta(&self) -> &'static ModelMeta {
        (**self).model_meta()
    }
    fn values(&self) -> Vec<Value> {
        (**self).values()
    }
    fn value_refs(&self) -> Vec<ValueRef<'_>> {
        (**self).value_refs()
    }
    fn set_value(&mut self, column: usize, value: Value) -> Result<()> {
        (**self).set_value(column, value)
    }
    fn relationship(&self, relationship: usize) -> Option<&dyn Related> {
        (**self).relationship(relationship)
    }
    fn relationship_mut(&mut self, relationship: usize) -> Option<&mut dyn Related> {
        (**self).relationship_mut(relationship)
    }
}

/// The referenced model of a foreign key whose column has type `F`, which must be `M`'s key
/// type or an `Option` of it: a mismatch does not compile. Used by generated code.
pub fn foreign_key_target<F: References<M::Key>, M: Model>() -> &'static ModelMeta {
    M::meta()
}

/// A relationship field's container, `Vec<T>` or `Option<T>` (`T` may be a `Box<Model>`), as
/// the runtime walks it. Used by generated code.
#[doc(hidden)]
pub trait Related {
    /// The related instances.
    fn items(&self) -> Vec<&dyn DynModel>;
    /// The related instances, mutably.
    fn items_mut(&mut self) -> Vec<&mut dyn DynModel>;
    /// Replaces the contents with loaded rows.
    fn load(&mut self, rows: Vec<Vec<Value>>) -> Result<()>;
    /// Empties the field, before rows are [pushed](Related::push) into it.
    fn clear(&mut self);
    /// Adds one loaded row (an `Option` keeps the first).
    fn push(&mut self, row: &dyn Row) -> Result<()>;
    /// The number of related instances.
    fn len(&self) -> usize;
    /// Whether there is none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: Model> Related for Vec<T> {
    fn items(&self) -> Vec<&dyn DynModel> {
        self.iter().map(|t| t as &dyn DynModel).collect()
    }
    fn items_mut(&mut self) -> Vec<&mut dyn DynModel> {
        self.iter_mut().map(|t| t as &mut dyn DynModel).collect()
    }
    fn load(&mut self, rows: Vec<Vec<Value>>) -> Result<()> {
        *self = rows
            .into_iter()
            .map(T::from_values)
            .collect::<Result<_>>()?;
        Ok(())
    }
    fn clear(&mut self) {
        Vec::clear(self);
    }
    fn push(&mut self, row: &dyn Row) -> Result<()> {
        Vec::push(self, T::from_row(row)?);
        Ok(())
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

impl<T: Model> Related for Option<T> {
    fn items(&self) -> Vec<&dyn DynModel> {
        self.iter().map(|t| t as &dyn DynModel).collect()
    }
    fn items_mut(&mut self) -> Vec<&mut dyn DynModel> {
        self.iter_mut().map(|t| t as &mut dyn DynModel).collect()
    }
    fn load(&mut self, rows: Vec<Vec<Value>>) -> Result<()> {
        *self = rows.into_iter().next().map(T::from_values).transpose()?;
        Ok(())
    }
    fn clear(&mut self) {
        *self = None;
    }
    fn push(&mut self, row: &dyn Row) -> Result<()> {
        if self.is_none() {
            *self = Some(T::from_row(row)?);
        }
        Ok(())
    }
    fn len(&self) -> usize {
        usize::from(self.is_some())
    }
}

/// The static side of a relationship field's type (`Vec<T>` or `Option<T>`, `T` a model or a
/// boxed one): its target, and the field as the runtime walks it. Generated code reaches every
/// relationship field through this trait, so that a field whose type is not one is a single
/// error ("`String` is not a model") at the field.
#[doc(hidden)]
pub trait RelationField {
    /// The related model and the field's shape.
    const TARGET: RelationTarget;
    /// The field as the runtime walks it.
    fn as_related(&self) -> &dyn Related;
    /// The field as the runtime walks it, mutably.
    fn as_related_mut(&mut self) -> &mut dyn Related;
}

/// What a relationship field's type says: the related model, and whether it is a collection.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct RelationTarget {
    /// The related model's description.
    pub meta: fn() -> &'static ModelMeta,
    /// `Vec<T>` (a collection) rather than `Option<T>`.
    pub collection: bool,
}

impl<T: Model> RelationField for Vec<T> {
    const TARGET: RelationTarget = RelationTarget {
        meta: T::meta,
        collection: true,
    };
    fn as_related(&self) -> &dyn Related {
        self
    }
    fn as_related_mut(&mut self) -> &mut dyn Related {
        self
    }
}

impl<T: Model> RelationField for Option<T> {
    const TARGET: RelationTarget = RelationTarget {
        meta: T::meta,
        collection: false,
    };
    fn as_related(&self) -> &dyn Related {
        self
    }
    fn as_related_mut(&mut self) -> &mut dyn Related {
        self
    }
}

/// Reads column values into fields' types, naming table and column on failure. Used by
/// generated `from_values` (a whole row, in column order) and `set_value` (one column).
#[doc(hidden)]
pub struct RowReader {
    meta: &'static ModelMeta,
    values: Values,
    column: usize,
}

/// The values a [`RowReader`] reads: a row, or one value (no allocation for it).
enum Values {
    Row(std::vec::IntoIter<Value>),
    One(Option<Value>),
}

impl Iterator for Values {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        match self {
            Values::Row(values) => values.next(),
            Values::One(value) => value.take(),
        }
    }
}

impl RowReader {
    /// A reader over one row of `meta`'s table, from its first column.
    pub fn new(meta: &'static ModelMeta, values: Vec<Value>) -> Self {
        RowReader {
            meta,
            values: Values::Row(values.into_iter()),
            column: 0,
        }
    }

    /// A reader of one value of column `column`.
    pub fn one(meta: &'static ModelMeta, column: usize, value: Value) -> Self {
        RowReader {
            meta,
            values: Values::One(Some(value)),
            column,
        }
    }

    /// The next value, converted by `from_value` (the field type's
    /// [`ColumnType::from_value`]); `NULL` when the row is short.
    pub fn read<T>(&mut self, from_value: fn(Value) -> Result<T, ConversionError>) -> Result<T> {
        let value = self.values.next().unwrap_or(Value::Null);
        let column = self.column;
        self.column += 1;
        from_value(value).map_err(|e| conversion(self.meta, column, e))
    }
}
