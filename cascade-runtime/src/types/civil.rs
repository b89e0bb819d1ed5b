#![cfg_attr(not(any(feature = "chrono", feature = "time")), allow(dead_code))]

//! Dates and times as the runtime stores them, independent of the date crate a model uses:
//! days since 1970-01-01 and microseconds since midnight, written as text that sorts as it
//! compares (`2024-03-01`, `2024-03-01 12:30:00.000000`, `2024-03-01T12:30:00.000000Z`), which
//! SQLite's date functions read, and read back in those forms or without the fraction.

/// A calendar date: days since 1970-01-01 (negative before).
pub type Days = i64;

/// Microseconds since midnight, `0..86_400_000_000`.
pub type Micros = i64;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> Days {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: Days) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD`.
pub fn format_date(days: Days) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD HH:MM:SS.ffffff` (`T` between date and time, and a `Z`, with `utc`).
pub fn format_timestamp(days: Days, micros: Micros, utc: bool) -> String {
    let secs = micros / 1_000_000;
    let (h, mi, s, f) = (secs / 3600, secs / 60 % 60, secs % 60, micros % 1_000_000);
    let date = format_date(days);
    match utc {
        true => format!("{date}T{h:02}:{mi:02}:{s:02}.{f:06}Z"),
        false => format!("{date} {h:02}:{mi:02}:{s:02}.{f:06}"),
    }
}

/// A date read from text: `YYYY-MM-DD`, optionally followed by a time (which is ignored).
pub fn parse_date(text: &str) -> Option<Days> {
    let (date, _) = split(text.trim());
    date_part(date)
}

/// A timestamp read from text: a date, then optionally `T` or a space and `HH:MM[:SS[.f…]]`,
/// then optionally `Z` or an offset `±HH:MM` (applied: the result is UTC, or local time as
/// written when there is no offset). Returns days and microseconds since midnight.
pub fn parse_timestamp(text: &str) -> Option<(Days, Micros)> {
    let (date, time) = split(text.trim());
    let days = date_part(date)?;
    let Some(time) = time else {
        return Some((days, 0));
    };
    let (clock, offset_micros) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => (&time[..at], offset(&time[at..])?),
        None => (time, 0),
    };
    let mut parts = clock.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let mi: i64 = parts.next()?.parse().ok()?;
    let (s, frac) = match parts.next() {
        None => (0, 0),
        Some(sec) => match sec.split_once('.') {
            None => (sec.parse().ok()?, 0),
            Some((whole, frac)) => (whole.parse().ok()?, fraction_micros(frac)?),
        },
    };
    if parts.next().is_some()
        || !(0..24).contains(&h)
        || !(0..60).contains(&mi)
        || !(0..61).contains(&s)
    {
        return None;
    }
    let total = days * MICROS_PER_DAY + (h * 3600 + mi * 60 + s) * 1_000_000 + frac - offset_micros;
    Some((
        total.div_euclid(MICROS_PER_DAY),
        total.rem_euclid(MICROS_PER_DAY),
    ))
}

fn split(text: &str) -> (&str, Option<&str>) {
    match text.find(['T', 't', ' ']) {
        Some(at) => (&text[..at], Some(text[at + 1..].trim())),
        None => (text, None),
    }
}

fn date_part(date: &str) -> Option<Days> {
    // A leading minus sign belongs to the year.
    let (sign, rest) = match date.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, date),
    };
    let mut parts = rest.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&m) || d == 0 || d > days_in_month(sign * y, m)
    {
        return None;
    }
    Some(days_from_civil(sign * y, m, d))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn fraction_micros(frac: &str) -> Option<i64> {
    if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Digits past microseconds are dropped, not rounded.
    let digits: String = frac.chars().chain(std::iter::repeat('0')).take(6).collect();
    digits.parse().ok()
}

/// `Z`, `+HH:MM`, `-HH:MM`, `+HHMM` or `+HH`, in microseconds east of UTC.
fn offset(text: &str) -> Option<i64> {
    if text.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i64>().ok()?, 0),
        4 => (
            digits[..2].parse::<i64>().ok()?,
            digits[2..].parse::<i64>().ok()?,
        ),
        _ => return None,
    };
    Some(sign * (h * 3600 + m * 60) * 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_across_eras() {
        for days in [-800_000, -719_468, -1, 0, 1, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(format_date(days_from_civil(2024, 2, 29)), "2024-02-29");
    }

    #[test]
    fn timestamps_are_written_in_one_sortable_form_and_read_in_several() {
        let day = days_from_civil(2024, 3, 1);
        let noon = 12 * 3_600_000_000 + 30 * 60_000_000 + 1_500_000;
        assert_eq!(
            format_timestamp(day, noon, false),
            "2024-03-01 12:30:01.500000"
        );
        assert_eq!(
            format_timestamp(day, noon, true),
            "2024-03-01T12:30:01.500000Z"
        );
        for text in [
            "2024-03-01 12:30:01.5",
            "2024-03-01T12:30:01.500000Z",
            "2024-03-01T14:30:01.5+02:00",
            "2024-03-01 10:30:01.5-0200",
        ] {
            assert_eq!(parse_timestamp(text), Some((day, noon)), "{text}");
        }
        assert_eq!(parse_timestamp("2024-03-01"), Some((day, 0)));
        assert_eq!(
            parse_timestamp("2024-03-01 00:30+01:00"),
            Some((day - 1, 23 * 3_600_000_000 + 30 * 60_000_000))
        );
        for bad in [
            "2024-02-30",
            "2024-13-01",
            "2024-03-01 25:00",
            "x",
            "2024-03-01 12:30:01.x",
            "",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2024-03-01 12:00:00"), Some(day));
    }
}
