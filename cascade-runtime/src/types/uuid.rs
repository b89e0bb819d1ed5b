//! `uuid`: `Uuid`, usable as a primary key (given, never assigned: `Uuid::new_v4()`).

use ::uuid::Uuid;

use crate::metadata::SqlType;
use crate::value::{ColumnType, ConversionError, Value};

impl ColumnType for Uuid {
    const SQL_TYPE: SqlType = SqlType::Uuid;
    fn to_value(&self) -> Value {
        Value::Blob(self.as_bytes().to_vec())
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let parsed = match &value {
            Value::Blob(bytes) => Uuid::from_slice(bytes).ok(),
            // Written by hand as text (`'67e55044-10b1-426f-9247-bb680e5fe0c8'`).
            Value::Text(text) => Uuid::parse_str(text).ok(),
            _ => None,
        };
        parsed.ok_or_else(|| ConversionError {
            expected: "Uuid",
            found: match value {
                Value::Blob(bytes) => format!("{} bytes", bytes.len()),
                Value::Text(text) => format!("text {text:?}"),
                other => other.kind().to_owned(),
            },
        })
    }
}

impl crate::value::IntoKey<Uuid> for &Uuid {
    fn into_key(self) -> Uuid {
        *self
    }
}
