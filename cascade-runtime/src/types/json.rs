//! `serde_json`: `serde_json::Value`, stored as JSON text (`jsonb` on PostgreSQL).

use crate::metadata::SqlType;
use crate::value::{ColumnType, ConversionError, Value};

impl ColumnType for serde_json::Value {
    const SQL_TYPE: SqlType = SqlType::Json;
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Text(text) => serde_json::from_str(&text).map_err(|e| ConversionError {
                expected: "serde_json::Value",
                found: format!("text that is not JSON ({e})"),
            }),
            other => Err(ConversionError {
                expected: "serde_json::Value",
                found: other.kind().to_owned(),
            }),
        }
    }
}
