//! `chrono`: `NaiveDate`, `NaiveDateTime`, `DateTime<Utc>`.

use ::chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

use super::civil::{self, Days, Micros};
use super::{text, unparsable};
use crate::metadata::SqlType;
use crate::value::{ColumnType, ConversionError, Value};

fn days(date: NaiveDate) -> Days {
    civil::days_from_civil(i64::from(date.year()), date.month(), date.day())
}

fn micros(time: NaiveTime) -> Micros {
    i64::from(time.num_seconds_from_midnight()) * 1_000_000 + i64::from(time.nanosecond() / 1_000)
}

fn date(days: Days) -> Option<NaiveDate> {
    let (y, m, d) = civil::civil_from_days(days);
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

fn datetime(days: Days, micros: Micros) -> Option<NaiveDateTime> {
    let secs = u32::try_from(micros / 1_000_000).ok()?;
    let nanos = u32::try_from(micros % 1_000_000).ok()? * 1_000;
    Some(date(days)?.and_time(NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)?))
}

impl ColumnType for NaiveDate {
    const SQL_TYPE: SqlType = SqlType::Date;
    fn to_value(&self) -> Value {
        Value::Text(civil::format_date(days(*self)))
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let text = text(value, "NaiveDate")?;
        civil::parse_date(&text)
            .and_then(date)
            .ok_or_else(|| unparsable("NaiveDate", &text))
    }
}

impl ColumnType for NaiveDateTime {
    const SQL_TYPE: SqlType = SqlType::Timestamp;
    fn to_value(&self) -> Value {
        Value::Text(civil::format_timestamp(
            days(self.date()),
            micros(self.time()),
            false,
        ))
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let text = text(value, "NaiveDateTime")?;
        civil::parse_timestamp(&text)
            .and_then(|(d, m)| datetime(d, m))
            .ok_or_else(|| unparsable("NaiveDateTime", &text))
    }
}

impl ColumnType for DateTime<Utc> {
    const SQL_TYPE: SqlType = SqlType::TimestampTz;
    fn to_value(&self) -> Value {
        let naive = self.naive_utc();
        Value::Text(civil::format_timestamp(
            days(naive.date()),
            micros(naive.time()),
            true,
        ))
    }
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let text = text(value, "DateTime<Utc>")?;
        civil::parse_timestamp(&text)
            .and_then(|(d, m)| datetime(d, m))
            .map(|naive| naive.and_utc())
            .ok_or_else(|| unparsable("DateTime<Utc>", &text))
    }
}
