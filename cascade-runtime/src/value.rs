//! Values as they cross the boundary between Rust fields and SQL: [`Value`], the column-type
//! traits the derive relies on, primary [`Key`]s and bound [`Params`].
//!
//! Nothing here depends on a particular database driver; each backend binds values its own way
//! (`backend/sqlite`, and `backend/postgres/types.rs` for PostgreSQL's binary format).

use std::fmt;

use crate::metadata::SqlType;

/// One SQL value, owned. Every value that reaches the database is bound as a parameter.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// A 64-bit signed integer (also used for `i32` and `bool`).
    Integer(i64),
    /// A 64-bit float.
    Real(f64),
    /// UTF-8 text.
    Text(String),
    /// Raw bytes.
    Blob(Vec<u8>),
    /// A list of values, bound as one PostgreSQL array parameter (`id = ANY($1)`); its
    /// element type is the one the statement expects. SQLite has no arrays and refuses it.
    Array(Vec<Value>),
}

impl Value {
    /// The name of the value's kind, as used in conversion errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Integer(_) => "INTEGER",
            Value::Real(_) => "REAL",
            Value::Text(_) => "TEXT",
            Value::Blob(_) => "BLOB",
            Value::Array(_) => "ARRAY",
        }
    }

    /// Whether this is SQL `NULL`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether this value means "no key yet": `NULL` or the integer `0`
    /// (an `i64` primary key of `0` is assigned by the database on insert).
    pub fn is_unset_key(&self) -> bool {
        matches!(self, Value::Null | Value::Integer(0))
    }

    /// Renders the value as an SQL literal. Used only for `DEFAULT` clauses in DDL, where SQL
    /// has no parameters; text is quoted with `'` doubled, blobs are hexadecimal.
    pub fn to_sql_literal(&self) -> String {
        match self {
            Value::Null => "NULL".to_owned(),
            Value::Integer(i) => i.to_string(),
            Value::Real(f) if f.is_finite() => format!("{f:?}"),
            Value::Real(_) => "NULL".to_owned(),
            // A NUL cannot appear in SQL text: spell such a string as bytes.
            Value::Text(s) if s.contains('\0') => {
                format!(
                    "(CAST({} AS TEXT))",
                    Value::Blob(s.as_bytes().to_vec()).to_sql_literal()
                )
            }
            Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(Value::to_sql_literal).collect();
                format!("ARRAY[{}]", items.join(", "))
            }
            Value::Blob(b) => {
                let mut out = String::with_capacity(3 + 2 * b.len());
                out.push_str("X'");
                for byte in b {
                    out.push_str(&format!("{byte:02X}"));
                }
                out.push('\'');
                out
            }
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Real(r) => write!(f, "{r}"),
            Value::Text(s) => write!(f, "{s:?}"),
            Value::Blob(b) => write!(f, "<{} bytes>", b.len()),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// Why a [`Value`] could not become a field's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionError {
    /// The Rust type that was wanted.
    pub expected: &'static str,
    /// What was found instead, e.g. `"TEXT"` or `"integer 300 out of range"`.
    pub found: String,
}

/// A Rust type that can be stored in a column. Implemented for `i64`, `i32`, `i16`, `i8`,
/// `u32`, `u16`, `u8` (range-checked when read), `f64`, `f32`, `bool`,
/// `String`, `Vec<u8>` and `Option` of each; implement it for your own types to store them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in a column",
    label = "not a column type",
    note = "column types are i64, i32, i16, i8, u32, u16, u8, f64, f32, bool, String, Vec<u8> and Option<_> of each (more with the chrono, time, uuid and serde_json features), or a type implementing `cascade_runtime::ColumnType`",
    note = "a related model belongs in a `#[relationship]` field (Vec<T>, Option<T> or Option<Box<T>>)"
)]
pub trait ColumnType: Sized {
    /// The SQL type of the column.
    const SQL_TYPE: SqlType;
    /// Whether the column accepts `NULL` (true for `Option<T>`).
    const NULLABLE: bool = false;
    /// Converts the field to a value to bind.
    fn to_value(&self) -> Value;
    /// Converts a value read from the database back into the field's type.
    fn from_value(value: Value) -> Result<Self, ConversionError>;
    /// The field as a value to bind, borrowed where it can be (text and bytes are not copied):
    /// inserts and updates bind through it. The default converts with
    /// [`to_value`](ColumnType::to_value); override it only to avoid that copy.
    fn to_value_ref(&self) -> ValueRef<'_> {
        ValueRef::Owned(self.to_value())
    }
    /// Converts a value read from the database, borrowed from the row, into the field's
    /// type: loads read through it. The default converts with
    /// [`from_value`](ColumnType::from_value); override it only to avoid that copy.
    fn from_value_ref(value: ValueRef<'_>) -> Result<Self, ConversionError> {
        <Self as ColumnType>::from_value(value.into_value())
    }
}

/// A column value to bind, borrowed from a field where it can be
/// ([`ColumnType::to_value_ref`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ValueRef<'a> {
    /// SQL `NULL`.
    Null,
    /// An integer.
    Integer(i64),
    /// A float.
    Real(f64),
    /// Text, borrowed.
    Text(&'a str),
    /// Bytes, borrowed.
    Blob(&'a [u8]),
    /// A value of its own (converted, as dates are to text).
    Owned(Value),
}

impl ValueRef<'_> {
    /// The value, copied where it was borrowed.
    pub fn into_value(self) -> Value {
        match self {
            ValueRef::Owned(v) => v,
            other => other.to_value(),
        }
    }

    /// The value, copied where it was borrowed.
    pub fn to_value(&self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(*i),
            ValueRef::Real(r) => Value::Real(*r),
            ValueRef::Text(t) => Value::Text((*t).to_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            ValueRef::Owned(v) => v.clone(),
        }
    }

    /// Whether this is a key the database is to assign ([`Value::is_unset_key`]).
    pub fn is_unset_key(&self) -> bool {
        match self {
            ValueRef::Null => true,
            ValueRef::Integer(i) => *i == 0,
            ValueRef::Owned(v) => v.is_unset_key(),
            _ => false,
        }
    }
}

impl<'a> From<&'a Value> for ValueRef<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(t) => ValueRef::Text(t),
            Value::Blob(b) => ValueRef::Blob(b),
            other => ValueRef::Owned(other.clone()),
        }
    }
}

/// What a column's Rust type says of it: its SQL type and whether it is nullable.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnShape {
    /// The SQL type.
    pub sql_type: SqlType,
    /// Whether `NULL` is allowed.
    pub nullable: bool,
}

/// Everything generated code needs of a column field's type, through one trait implemented
/// for every [`ColumnType`]: a field whose type is not a column type is then one error at the
/// field, not one per use.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in a column",
    label = "not a column type",
    note = "column types are i64, i32, i16, i8, u32, u16, u8, f64, f32, bool, String, Vec<u8> and Option<_> of each (more with the chrono, time, uuid and serde_json features), or a type implementing `cascade_runtime::ColumnType`",
    note = "a related model belongs in a `#[relationship]` field (Vec<T>, Option<T> or Option<Box<T>>)"
)]
pub trait ColumnField: Sized {
    /// The column's SQL type and nullability.
    const SHAPE: ColumnShape;
    /// [`ColumnType::to_value`].
    fn to_value(&self) -> Value;
    /// [`ColumnType::from_value`].
    fn from_value(value: Value) -> Result<Self, ConversionError>;
    /// [`ColumnType::to_value_ref`].
    fn to_value_ref(&self) -> ValueRef<'_>;
    /// [`ColumnType::from_value_ref`].
    fn from_value_ref(value: ValueRef<'_>) -> Result<Self, ConversionError>;
}

impl<T: ColumnType> ColumnField for T {
    const SHAPE: ColumnShape = ColumnShape {
        sql_type: T::SQL_TYPE,
        nullable: T::NULLABLE,
    };
    fn to_value(&self) -> Value {
        ColumnType::to_value(self)
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        <T as ColumnType>::from_value(value)
    }
    fn to_value_ref(&self) -> ValueRef<'_> {
        ColumnType::to_value_ref(self)
    }
    fn from_value_ref(value: ValueRef<'_>) -> Result<Self, ConversionError> {
        <T as ColumnType>::from_value_ref(value)
    }
}

fn mismatch<T>(expected: &'static str, value: &Value) -> Result<T, ConversionError> {
    Err(ConversionError {
        expected,
        found: value.kind().to_owned(),
    })
}

impl ColumnType for i64 {
    const SQL_TYPE: SqlType = SqlType::Integer;
    fn to_value(&self) -> Value {
        Value::Integer(*self)
    }
    fn to_value_ref(&self) -> ValueRef<'_> {
        ValueRef::Integer(*self)
    }
    fn from_value_ref(value: ValueRef<'_>) -> Result<Self, ConversionError> {
        match value {
            ValueRef::Integer(i) => Ok(i),
            other => <Self as ColumnType>::from_value(other.into_value()),
        }
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Integer(i) => Ok(i),
            other => mismatch("i64", &other),
        }
    }
}

// Narrower integers: stored as 64-bit integers, range-checked when read (300 read into a `u8`
// is an error, not 44).
macro_rules! integer_column {
    ($($t:ty => $sql:ident),+ $(,)?) => {$(
        impl ColumnType for $t {
            const SQL_TYPE: SqlType = SqlType::$sql;
            fn to_value(&self) -> Value {
                Value::Integer(i64::from(*self))
            }
            fn to_value_ref(&self) -> ValueRef<'_> {
                ValueRef::Integer(i64::from(*self))
            }
            fn from_value_ref(value: ValueRef<'_>) -> Result<Self, ConversionError> {
                match value {
                    ValueRef::Integer(i) => <Self as ColumnType>::from_value(Value::Integer(i)),
                    other => <Self as ColumnType>::from_value(other.into_value()),
                }
            }
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                match value {
                    Value::Integer(i) => <$t>::try_from(i).map_err(|_| ConversionError {
                        expected: stringify!($t),
                        found: format!("integer {i} out of range"),
                    }),
                    other => mismatch(stringify!($t), &other),
                }
            }
        }
    )+};
}
integer_column!(
    i32 => Integer32,
    i16 => Integer16,
    i8 => Integer16,
    u32 => Integer,
    u16 => Integer32,
    u8 => Integer16,
);

impl ColumnType for f32 {
    const SQL_TYPE: SqlType = SqlType::Real32;
    fn to_value(&self) -> Value {
        Value::Real(f64::from(*self))
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let wide = <f64 as ColumnType>::from_value(value).map_err(|e| ConversionError {
            expected: "f32",
            found: e.found,
        })?;
        let narrow = wide as f32;
        if wide.is_finite() && !narrow.is_finite() {
            return Err(ConversionError {
                expected: "f32",
                found: format!("real {wide} out of range"),
            });
        }
        Ok(narrow)
    }
}

impl ColumnType for f64 {
    const SQL_TYPE: SqlType = SqlType::Real;
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Real(r) => Ok(r),
            // SQLite stores integral REALs as integers when the column has no REAL affinity.
            Value::Integer(i) => Ok(i as f64),
            other => mismatch("f64", &other),
        }
    }
}

impl ColumnType for bool {
    const SQL_TYPE: SqlType = SqlType::Boolean;
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Integer(0) => Ok(false),
            Value::Integer(1) => Ok(true),
            Value::Integer(i) => Err(ConversionError {
                expected: "bool",
                found: format!("integer {i}"),
            }),
            other => mismatch("bool", &other),
        }
    }
}

impl ColumnType for String {
    const SQL_TYPE: SqlType = SqlType::Text;
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
    fn to_value_ref(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
    fn from_value_ref(value: ValueRef<'_>) -> Result<Self, ConversionError> {
        match value {
            ValueRef::Text(s) => Ok(s.to_owned()),
            other => <Self as ColumnType>::from_value(other.into_value()),
        }
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Text(s) => Ok(s),
            other => mismatch("String", &other),
        }
    }
}

impl ColumnType for Vec<u8> {
    const SQL_TYPE: SqlType = SqlType::Blob;
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
    fn to_value_ref(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
    fn from_value_ref(value: ValueRef<'_>) -> Result<Self, ConversionError> {
        match value {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            other => <Self as ColumnType>::from_value(other.into_value()),
        }
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Blob(b) => Ok(b),
            other => mismatch("Vec<u8>", &other),
        }
    }
}

impl<T: ColumnType> ColumnType for Option<T> {
    const SQL_TYPE: SqlType = T::SQL_TYPE;
    const NULLABLE: bool = true;
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
    fn to_value_ref(&self) -> ValueRef<'_> {
        match self {
            Some(v) => v.to_value_ref(),
            None => ValueRef::Null,
        }
    }
    fn from_value_ref(value: ValueRef<'_>) -> Result<Self, ConversionError> {
        match value {
            ValueRef::Null | ValueRef::Owned(Value::Null) => Ok(None),
            other => T::from_value_ref(other).map(Some),
        }
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// Converts something into a [`Value`]: column types and borrowed text.
pub trait IntoValue {
    /// The value to bind.
    fn into_value(self) -> Value;
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl<T: ColumnType> IntoValue for T {
    fn into_value(self) -> Value {
        self.to_value()
    }
}

impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl IntoValue for &String {
    fn into_value(self) -> Value {
        Value::Text(self.clone())
    }
}

impl IntoValue for &[u8] {
    fn into_value(self) -> Value {
        Value::Blob(self.to_vec())
    }
}

/// A primary key: one value per primary-key column, in declaration order.
///
/// Built from an integer, a string, or a tuple for composite keys:
/// `Key::from(1)`, `Key::from("ab")`, `Key::from((1, 2))`.
#[derive(Debug, Clone, PartialEq)]
pub struct Key(Vec<Value>);

impl Key {
    /// A key from its column values, in primary-key order.
    pub fn new(values: Vec<Value>) -> Self {
        Key(values)
    }

    /// The key's values, in primary-key order.
    pub fn values(&self) -> &[Value] {
        &self.0
    }

    /// Consumes the key into its values.
    pub fn into_values(self) -> Vec<Value> {
        self.0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [one] => write!(f, "{one}"),
            many => {
                f.write_str("(")?;
                for (i, v) in many.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str(")")
            }
        }
    }
}

macro_rules! key_from_single {
    ($($t:ty),*) => {$(
        impl From<$t> for Key {
            fn from(v: $t) -> Self {
                Key(vec![v.into_value()])
            }
        }
    )*};
}
key_from_single!(i64, i32, i16, i8, u32, u16, u8, String, &str, &String, Value);

macro_rules! key_from_tuple {
    ($($name:ident),+) => {
        impl<$($name: IntoValue),+> From<($($name,)+)> for Key {
            #[allow(non_snake_case)]
            fn from(($($name,)+): ($($name,)+)) -> Self {
                Key(vec![$($name.into_value()),+])
            }
        }
    };
}
key_from_tuple!(A, B);
key_from_tuple!(A, B, C);
key_from_tuple!(A, B, C, D);

/// The Rust type of a model's primary key ([`Model::Key`](crate::Model::Key)): the key
/// field's type, or a tuple of the key fields' types (in declaration order) for a composite
/// key of up to six columns.
pub trait PrimaryKey {
    /// The key's values, one per primary-key column.
    fn into_values(self) -> Vec<Value>;
}

impl<T: ColumnType> PrimaryKey for T {
    fn into_values(self) -> Vec<Value> {
        vec![self.to_value()]
    }
}

macro_rules! primary_key_tuple {
    ($($name:ident),+) => {
        impl<$($name: ColumnType),+> PrimaryKey for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_values(self) -> Vec<Value> {
                let ($($name,)+) = self;
                vec![$($name.to_value()),+]
            }
        }
    };
}
primary_key_tuple!(A, B);
primary_key_tuple!(A, B, C);
primary_key_tuple!(A, B, C, D);
primary_key_tuple!(A, B, C, D, E);
primary_key_tuple!(A, B, C, D, E, F);

/// What a call that takes a key of a model accepts: the model's key type `K` itself, and for a
/// `String` key also `&str` and `&String`.
///
/// `session.get::<Country>(42i64)` on a model whose key is a `String` does not compile.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a key of this model: its primary key is a `{K}`",
    label = "expected a `{K}`",
    note = "a model's key type is its primary-key field's type, or a tuple of them for a composite key"
)]
pub trait IntoKey<K> {
    /// The key.
    fn into_key(self) -> K;
}

impl<K: PrimaryKey> IntoKey<K> for K {
    fn into_key(self) -> K {
        self
    }
}

impl IntoKey<String> for &str {
    fn into_key(self) -> String {
        self.to_owned()
    }
}

impl IntoKey<String> for &String {
    fn into_key(self) -> String {
        self.clone()
    }
}

/// A foreign-key column of type `Self` may reference a primary key of type `K`: `Self` is `K`
/// or `Option<K>`. Checked at compile time by the code `#[derive(Model)]` generates.
#[diagnostic::on_unimplemented(
    message = "a foreign key of type `{Self}` cannot reference a primary key of type `{K}`",
    label = "this column must be a `{K}` or an `Option<{K}>`",
    note = "a foreign key column has the type of the primary key it references"
)]
pub trait References<K> {}

impl<K> References<K> for K {}

impl<K> References<K> for Option<K> {}

/// Parameters bound to a caller's SQL fragment, e.g. the clause of `Session::delete_where`.
///
/// Implemented for `()` and `[]` (no parameters), arrays of up to 32, slices, vectors and
/// tuples (up to six) of anything that converts [`IntoValue`]: `["a%"]`, `(1, "x")`,
/// `vec![Value::Null]`.
pub trait Params {
    /// The values, in placeholder order (`?1`, `?2`, ... on SQLite; `$1`, `$2`, ... on
    /// PostgreSQL).
    fn into_values(self) -> Vec<Value>;
}

impl Params for () {
    fn into_values(self) -> Vec<Value> {
        Vec::new()
    }
}

/// `[]`: no parameters (as in rusqlite, an empty array needs no element type).
impl Params for [Value; 0] {
    fn into_values(self) -> Vec<Value> {
        Vec::new()
    }
}

// Arrays of 1 to 32 values, each length its own impl so that `[]` above is not ambiguous
// (larger lists: a `Vec` or a slice).
macro_rules! params_array {
    ($($n:literal)+) => {$(
        impl<T: IntoValue> Params for [T; $n] {
            fn into_values(self) -> Vec<Value> {
                self.into_iter().map(IntoValue::into_value).collect()
            }
        }
    )+};
}
params_array!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32);

impl<T: IntoValue> Params for Vec<T> {
    fn into_values(self) -> Vec<Value> {
        self.into_iter().map(IntoValue::into_value).collect()
    }
}

impl<T: IntoValue + Clone> Params for &[T] {
    fn into_values(self) -> Vec<Value> {
        self.iter().cloned().map(IntoValue::into_value).collect()
    }
}

macro_rules! params_tuple {
    ($($name:ident),+) => {
        impl<$($name: IntoValue),+> Params for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_values(self) -> Vec<Value> {
                let ($($name,)+) = self;
                vec![$($name.into_value()),+]
            }
        }
    };
}
params_tuple!(A);
params_tuple!(A, B);
params_tuple!(A, B, C);
params_tuple!(A, B, C, D);
params_tuple!(A, B, C, D, E);
params_tuple!(A, B, C, D, E, F);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_quotes_and_render_blobs_as_hex() {
        assert_eq!(Value::Text("it's".into()).to_sql_literal(), "'it''s'");
        assert_eq!(Value::Blob(vec![0, 255]).to_sql_literal(), "X'00FF'");
        assert_eq!(
            Value::Text("a\0b".into()).to_sql_literal(),
            "(CAST(X'610062' AS TEXT))"
        );
        assert_eq!(Value::Real(1.0).to_sql_literal(), "1.0");
        assert_eq!(Value::Integer(-3).to_sql_literal(), "-3");
    }

    #[test]
    fn conversions_report_what_was_found() {
        let err = <i32 as ColumnType>::from_value(Value::Integer(1 << 40)).unwrap_err();
        assert_eq!(err.expected, "i32");
        assert!(err.found.contains("out of range"));
        assert_eq!(
            <bool as ColumnType>::from_value(Value::Text("x".into()))
                .unwrap_err()
                .found,
            "TEXT"
        );
        assert_eq!(
            <Option<i64> as ColumnType>::from_value(Value::Null),
            Ok(None)
        );
        assert_eq!(
            <Option<i64> as ColumnType>::from_value(Value::Integer(4)),
            Ok(Some(4))
        );
    }

    #[test]
    fn keys_from_scalars_and_tuples() {
        assert_eq!(Key::from(1).values(), &[Value::Integer(1)]);
        assert_eq!(
            Key::from((1, "a")).values(),
            &[Value::Integer(1), Value::Text("a".into())]
        );
        assert_eq!(Key::from((1, 2)).to_string(), "(1, 2)");
    }

    #[test]
    fn params_from_arrays_and_tuples() {
        assert_eq!(["a%"].into_values(), vec![Value::Text("a%".into())]);
        assert_eq!((1, "x").into_values().len(), 2);
        assert!(().into_values().is_empty());
        assert!([].into_values().is_empty(), "`[]` needs no element type");
        assert_eq!([1, 2, 3].into_values().len(), 3);
    }
}
