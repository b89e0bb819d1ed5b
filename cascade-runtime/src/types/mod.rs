//! Column types brought by cargo features, each named after the crate it brings: `chrono`,
//! `time`, `uuid`, `serde_json`. Dates and times go through [`civil`], so that every date
//! crate stores the same text.

pub(crate) mod civil;

#[cfg(feature = "chrono")]
mod chrono;
#[cfg(feature = "serde_json")]
mod json;
#[cfg(feature = "time")]
mod time;
#[cfg(feature = "uuid")]
mod uuid;

#[cfg(any(feature = "chrono", feature = "time"))]
use crate::value::{ConversionError, Value};

/// The text of a date or time value, or a conversion error naming `expected`.
#[cfg(any(feature = "chrono", feature = "time"))]
pub(crate) fn text(value: Value, expected: &'static str) -> Result<String, ConversionError> {
    match value {
        Value::Text(text) => Ok(text),
        other => Err(ConversionError {
            expected,
            found: other.kind().to_owned(),
        }),
    }
}

/// A conversion error for text that does not parse as `expected`.
#[cfg(any(feature = "chrono", feature = "time"))]
pub(crate) fn unparsable(expected: &'static str, text: &str) -> ConversionError {
    ConversionError {
        expected,
        found: format!("text {text:?}"),
    }
}
