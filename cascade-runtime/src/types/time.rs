//! `time`: `Date`, `PrimitiveDateTime`, `OffsetDateTime` (stored in UTC, read back in UTC).

use ::time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::civil::{self, Days, Micros};
use super::{text, unparsable};
use crate::metadata::SqlType;
use crate::value::{ColumnType, ConversionError, Value};

fn days(date: Date) -> Days {
    civil::days_from_civil(
        i64::from(date.year()),
        u8::from(date.month()).into(),
        date.day().into(),
    )
}

fn micros(time: Time) -> Micros {
    let (h, m, s, us) = time.as_hms_micro();
    (i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s)) * 1_000_000 + i64::from(us)
}

fn date(days: Days) -> Option<Date> {
    let (y, m, d) = civil::civil_from_days(days);
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()
}

fn datetime(days: Days, micros: Micros) -> Option<PrimitiveDateTime> {
    let secs = micros / 1_000_000;
    let time = Time::from_hms_micro(
        u8::try_from(secs / 3600).ok()?,
        u8::try_from(secs / 60 % 60).ok()?,
        u8::try_from(secs % 60).ok()?,
        u32::try_from(micros % 1_000_000).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date(days)?, time))
}

impl ColumnType for Date {
    const SQL_TYPE: SqlType = SqlType::Date;
    fn to_value(&self) -> Value {
        Value::Text(civil::format_date(days(*self)))
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let text = text(value, "Date")?;
        civil::parse_date(&text)
            .and_then(date)
            .ok_or_else(|| unparsable("Date", &text))
    }
}

impl ColumnType for PrimitiveDateTime {
    const SQL_TYPE: SqlType = SqlType::Timestamp;
    fn to_value(&self) -> Value {
        Value::Text(civil::format_timestamp(
            days(self.date()),
            micros(self.time()),
            false,
        ))
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let text = text(value, "PrimitiveDateTime")?;
        civil::parse_timestamp(&text)
            .and_then(|(d, m)| datetime(d, m))
            .ok_or_else(|| unparsable("PrimitiveDateTime", &text))
    }
}

impl ColumnType for OffsetDateTime {
    const SQL_TYPE: SqlType = SqlType::TimestampTz;
    fn to_value(&self) -> Value {
        let utc = self.to_offset(::time::UtcOffset::UTC);
        Value::Text(civil::format_timestamp(
            days(utc.date()),
            micros(utc.time()),
            true,
        ))
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let text = text(value, "OffsetDateTime")?;
        civil::parse_timestamp(&text)
            .and_then(|(d, m)| datetime(d, m))
            .map(PrimitiveDateTime::assume_utc)
            .ok_or_else(|| unparsable("OffsetDateTime", &text))
    }
}
