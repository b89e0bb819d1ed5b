//! [`Value`]s on the wire: bound in PostgreSQL's binary format according to the type the
//! server expects for each parameter, and read back from any column type the runtime creates.
//! Dates and times travel as the runtime's text forms ([`civil`]) in [`Value`]s and as
//! PostgreSQL's day and microsecond counts on the wire.

use std::error::Error as StdError;

use bytes::{BufMut, BytesMut};
use postgres::types::{FromSql, IsNull, Kind, ToSql, Type};

use crate::types::civil;
use crate::value::{Value, ValueRef};

type BoxError = Box<dyn StdError + Sync + Send>;

/// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
const EPOCH_DAYS: i64 = 10_957;
const MICROS_PER_DAY: i64 = 86_400_000_000;

fn mismatch(value: &Value, ty: &Type) -> BoxError {
    format!(
        "a {} value cannot be bound to a parameter of type {ty}",
        value.kind()
    )
    .into()
}

fn integer(value: &Value, ty: &Type) -> Result<i64, BoxError> {
    match value {
        Value::Integer(i) => Ok(*i),
        other => Err(mismatch(other, ty)),
    }
}

/// A timestamp's microseconds since PostgreSQL's epoch, from the runtime's text.
fn timestamp_micros(text: &str) -> Result<i64, BoxError> {
    let (days, micros) =
        civil::parse_timestamp(text).ok_or_else(|| format!("{text:?} is not a timestamp"))?;
    Ok((days - EPOCH_DAYS) * MICROS_PER_DAY + micros)
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        if let Value::Null = self {
            return Ok(IsNull::Yes);
        }
        if let Kind::Array(element) = ty.kind() {
            let Value::Array(items) = self else {
                return Err(mismatch(self, ty));
            };
            return array(items, element, out);
        }
        match *ty {
            Type::BOOL => out.put_u8(u8::from(integer(self, ty)? != 0)),
            Type::INT2 => out.put_i16(i16::try_from(integer(self, ty)?)?),
            Type::INT4 => out.put_i32(i32::try_from(integer(self, ty)?)?),
            Type::INT8 | Type::OID => out.put_i64(integer(self, ty)?),
            Type::FLOAT4 | Type::FLOAT8 => {
                let f = match self {
                    Value::Real(f) => *f,
                    Value::Integer(i) => *i as f64,
                    other => return Err(mismatch(other, ty)),
                };
                match *ty {
                    Type::FLOAT4 => out.put_f32(f as f32),
                    _ => out.put_f64(f),
                }
            }
            Type::BYTEA => match self {
                Value::Blob(b) => out.put_slice(b),
                other => return Err(mismatch(other, ty)),
            },
            Type::UUID => match self {
                Value::Blob(b) if b.len() == 16 => out.put_slice(b),
                Value::Text(t) => out.put_slice(&parse_uuid(t)?),
                other => return Err(mismatch(other, ty)),
            },
            Type::DATE => match self {
                Value::Text(t) => {
                    let days =
                        civil::parse_date(t).ok_or_else(|| format!("{t:?} is not a date"))?;
                    out.put_i32(i32::try_from(days - EPOCH_DAYS)?);
                }
                other => return Err(mismatch(other, ty)),
            },
            Type::TIMESTAMP | Type::TIMESTAMPTZ => match self {
                Value::Text(t) => out.put_i64(timestamp_micros(t)?),
                other => return Err(mismatch(other, ty)),
            },
            Type::JSONB => match self {
                Value::Text(t) => {
                    out.put_u8(1);
                    out.put_slice(t.as_bytes());
                }
                other => return Err(mismatch(other, ty)),
            },
            _ => match self {
                // text, varchar, json, names, and the unknown type of an untyped literal
                Value::Text(t) => {
                    if t.contains('\0') {
                        return Err("PostgreSQL text cannot hold a NUL character (\\0)".into());
                    }
                    out.put_slice(t.as_bytes());
                }
                other => return Err(mismatch(other, ty)),
            },
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A one-dimensional array of `items`, each bound as `element`.
fn array(items: &[Value], element: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    out.put_i32(1); // dimensions
    out.put_i32(i32::from(items.iter().any(Value::is_null)));
    out.put_u32(element.oid());
    out.put_i32(i32::try_from(items.len())?);
    out.put_i32(1); // lower bound
    for item in items {
        let at = out.len();
        out.put_i32(0);
        match item.to_sql(element, out)? {
            IsNull::Yes => {
                out.truncate(at);
                out.put_i32(-1);
            }
            IsNull::No => {
                let len = i32::try_from(out.len() - at - 4)?;
                out[at..at + 4].copy_from_slice(&len.to_be_bytes());
            }
        }
    }
    Ok(IsNull::No)
}

fn parse_uuid(text: &str) -> Result<[u8; 16], BoxError> {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return Err(format!("{text:?} is not a UUID").into());
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)?;
    }
    Ok(out)
}

fn be<const N: usize>(raw: &[u8]) -> Result<[u8; N], BoxError> {
    raw.try_into()
        .map_err(|_| format!("expected {N} bytes, found {}", raw.len()).into())
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(match *ty {
            Type::BOOL => Value::Integer(i64::from(raw.first().copied().unwrap_or(0) != 0)),
            Type::INT2 => Value::Integer(i64::from(i16::from_be_bytes(be(raw)?))),
            Type::INT4 => Value::Integer(i64::from(i32::from_be_bytes(be(raw)?))),
            Type::INT8 => Value::Integer(i64::from_be_bytes(be(raw)?)),
            Type::OID => Value::Integer(i64::from(u32::from_be_bytes(be(raw)?))),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_be_bytes(be(raw)?))),
            Type::FLOAT8 => Value::Real(f64::from_be_bytes(be(raw)?)),
            Type::BYTEA | Type::UUID => Value::Blob(raw.to_vec()),
            Type::DATE => {
                let days = i64::from(i32::from_be_bytes(be(raw)?)) + EPOCH_DAYS;
                Value::Text(civil::format_date(days))
            }
            Type::TIMESTAMP | Type::TIMESTAMPTZ => {
                let micros = i64::from_be_bytes(be(raw)?);
                let days = micros.div_euclid(MICROS_PER_DAY) + EPOCH_DAYS;
                let of_day = micros.rem_euclid(MICROS_PER_DAY);
                Value::Text(civil::format_timestamp(
                    days,
                    of_day,
                    *ty == Type::TIMESTAMPTZ,
                ))
            }
            Type::JSONB => {
                Value::Text(std::str::from_utf8(raw.get(1..).unwrap_or(&[]))?.to_owned())
            }
            _ if matches!(ty.kind(), Kind::Array(_)) => {
                return Err(format!("reading an array column ({ty}) is not supported").into())
            }
            // text, varchar, bpchar, name, json, and the rest as text
            _ => Value::Text(std::str::from_utf8(raw)?.to_owned()),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A column read in place: text and bytes borrowed from the row's buffer, the rest as
/// [`Value`] reads them.
impl<'a> FromSql<'a> for ValueRef<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(match *ty {
            Type::INT8 => ValueRef::Integer(i64::from_be_bytes(be(raw)?)),
            Type::INT4 => ValueRef::Integer(i64::from(i32::from_be_bytes(be(raw)?))),
            Type::FLOAT8 => ValueRef::Real(f64::from_be_bytes(be(raw)?)),
            Type::BYTEA | Type::UUID => ValueRef::Blob(raw),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                ValueRef::Text(std::str::from_utf8(raw)?)
            }
            _ => ValueRef::Owned(Value::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(ValueRef::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_the_binary_format() {
        let cases = [
            (Type::INT8, Value::Integer(-5)),
            (Type::INT4, Value::Integer(70_000)),
            (Type::INT2, Value::Integer(-300)),
            (Type::BOOL, Value::Integer(1)),
            (Type::FLOAT8, Value::Real(1.25)),
            (Type::TEXT, Value::Text("it's".into())),
            (Type::BYTEA, Value::Blob(vec![0, 255])),
            (Type::UUID, Value::Blob((0..16).collect())),
            (Type::DATE, Value::Text("1999-12-31".into())),
            (
                Type::TIMESTAMP,
                Value::Text("2024-03-01 12:30:01.500000".into()),
            ),
            (
                Type::TIMESTAMPTZ,
                Value::Text("1969-07-20T20:17:40.000000Z".into()),
            ),
            (Type::JSONB, Value::Text("{\"a\":1}".into())),
        ];
        for (ty, value) in cases {
            let mut out = BytesMut::new();
            assert!(
                matches!(value.to_sql(&ty, &mut out), Ok(IsNull::No)),
                "{ty}"
            );
            assert_eq!(Value::from_sql(&ty, &out).unwrap(), value, "{ty}");
        }
    }

    #[test]
    fn out_of_range_and_mismatched_values_are_errors() {
        let mut out = BytesMut::new();
        assert!(Value::Integer(1 << 40)
            .to_sql(&Type::INT4, &mut out)
            .is_err());
        assert!(Value::Text("x".into())
            .to_sql(&Type::INT8, &mut out)
            .is_err());
        assert!(Value::Text("a\0b".into())
            .to_sql(&Type::TEXT, &mut out)
            .is_err());
        assert!(Value::Text("2024-02-30".into())
            .to_sql(&Type::DATE, &mut out)
            .is_err());
    }

    #[test]
    fn arrays_hold_their_elements_and_nulls() {
        let mut out = BytesMut::new();
        let value = Value::Array(vec![Value::Integer(1), Value::Null, Value::Integer(3)]);
        value.to_sql(&Type::INT8_ARRAY, &mut out).unwrap();
        // dims, has-nulls, element type, length, lower bound, then (len, bytes) per element
        assert_eq!(&out[..4], &1i32.to_be_bytes());
        assert_eq!(&out[4..8], &1i32.to_be_bytes());
        assert_eq!(&out[12..16], &3i32.to_be_bytes());
        assert_eq!(&out[20..24], &8i32.to_be_bytes());
        assert_eq!(&out[32..36], &(-1i32).to_be_bytes());
    }
}
