//! The traits `#[derive(Model)]` implements.
//!
//! [`Model`] is what users name; [`DynModel`] is its object-safe half, through which the
//! runtime walks a graph of related instances of different types (for inserts and updates).

use crate::error::{Error, Result};
use crate::metadata::ModelMeta;
use crate::session::Session;
use crate::value::{ColumnType, PrimaryKey, References, Value};

/// A struct mapped to a table. Implemented by `#[derive(Model)]`; see the crate documentation
/// for the attributes.
pub trait Model: DynModel + Sized + 'static {
    /// The primary key's Rust type: the key field's type (`i64`, `String`, ...), or a tuple of
    /// the key fields' types in declaration order for a composite key. Calls that take a key
    /// ([`Session::get`], [`Session::delete_by_pk`], ...) take this type.
    type Key: PrimaryKey;

    /// The typed repository generated for this model (`<Name>Repository`).
    type Repository<'s>;

    /// The model's static description.
    fn meta() -> &'static ModelMeta;

    /// Builds an instance from its column values (in column order); relationship fields are
    /// left empty.
    fn from_values(values: Vec<Value>) -> Result<Self>;

    /// The typed repository over `session`.
    fn repository(session: &mut Session) -> Self::Repository<'_>;
}

/// The object-safe half of [`Model`]: instance access by column and relationship index.
/// Implemented by `#[derive(Model)]`; the indexes are those of [`ModelMeta::columns`] and
/// [`ModelMeta::relationships`].
pub trait DynModel {
    /// The instance's model description.
    fn model_meta(&self) -> &'static ModelMeta;

    /// The column values, in column order.
    fn values(&self) -> Vec<Value>;

    /// Writes one column (a generated key, or a foreign key set by a cascade).
    fn set_value(&mut self, column: usize, value: Value) -> Result<()>;

    /// The instances held by a relationship field.
    fn related(&self, relationship: usize) -> Vec<&dyn DynModel>;

    /// The instances held by a relationship field, mutably.
    fn related_mut(&mut self, relationship: usize) -> Vec<&mut dyn DynModel>;

    /// Replaces a relationship field with rows loaded from the database.
    fn set_related(&mut self, relationship: usize, rows: Vec<Vec<Value>>) -> Result<()>;
}

/// The referenced model of a foreign key whose column has type `F`, which must be `M`'s key
/// type or an `Option` of it: a mismatch does not compile. Used by generated code.
pub fn foreign_key_target<F: References<M::Key>, M: Model>() -> &'static ModelMeta {
    M::meta()
}

/// Reads one column value into a field's type, naming table and column on failure.
/// Used by generated code.
pub fn column_from_value<T: ColumnType>(
    meta: &ModelMeta,
    column: usize,
    value: Value,
) -> Result<T> {
    T::from_value(value).map_err(|e| Error::Conversion {
        table: meta.table.to_owned(),
        column: meta.columns[column].name.to_owned(),
        expected: e.expected,
        found: e.found,
    })
}

/// A relationship field's container: `Vec<T>`, `Option<T>` or `Option<Box<T>>`.
/// Used by generated code so that it stays a line per field.
pub trait Related {
    /// The related instances.
    fn items(&self) -> Vec<&dyn DynModel>;
    /// The related instances, mutably.
    fn items_mut(&mut self) -> Vec<&mut dyn DynModel>;
    /// Replaces the contents with loaded rows.
    fn load(&mut self, rows: Vec<Vec<Value>>) -> Result<()>;
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
}

/// [`Related`] for `Option<Box<T>>` (a separate trait, as `Box<T>` could itself implement
/// [`Model`]). Used by generated code.
pub trait RelatedBoxed {
    /// The related instance, if any.
    fn items(&self) -> Vec<&dyn DynModel>;
    /// The related instance, mutably.
    fn items_mut(&mut self) -> Vec<&mut dyn DynModel>;
    /// Replaces the contents with the first loaded row.
    fn load(&mut self, rows: Vec<Vec<Value>>) -> Result<()>;
}

impl<T: Model> RelatedBoxed for Option<Box<T>> {
    fn items(&self) -> Vec<&dyn DynModel> {
        self.iter().map(|t| &**t as &dyn DynModel).collect()
    }
    fn items_mut(&mut self) -> Vec<&mut dyn DynModel> {
        self.iter_mut()
            .map(|t| &mut **t as &mut dyn DynModel)
            .collect()
    }
    fn load(&mut self, rows: Vec<Vec<Value>>) -> Result<()> {
        *self = rows
            .into_iter()
            .next()
            .map(T::from_values)
            .transpose()?
            .map(Box::new);
        Ok(())
    }
}

/// Reads a row's values field by field, in column order. Used by generated `from_values`.
pub struct RowReader {
    meta: &'static ModelMeta,
    values: std::vec::IntoIter<Value>,
    column: usize,
}

impl RowReader {
    /// A reader over one row of `meta`'s table.
    pub fn new(meta: &'static ModelMeta, values: Vec<Value>) -> Self {
        RowReader {
            meta,
            values: values.into_iter(),
            column: 0,
        }
    }

    /// The next column, converted to its field's type (`NULL` if the row is short).
    pub fn read<T: ColumnType>(&mut self) -> Result<T> {
        let value = self.values.next().unwrap_or(Value::Null);
        let column = self.column;
        self.column += 1;
        column_from_value(self.meta, column, value)
    }
}
