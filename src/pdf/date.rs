//! PDF date strings (ISO 32000-2 §7.9.4): `D:YYYYMMDDHHmmSSOHH'mm'`.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Parses a PDF date. Fields after the year are optional, as the standard allows; a missing
/// offset means UTC (the standard says "unknown"; treating it as UTC is what viewers do).
/// Returns `None` for anything malformed.
pub fn parse_pdf_date(s: &[u8]) -> Option<OffsetDateTime> {
    let s = s.strip_prefix(b"D:").unwrap_or(s);
    let mut pos = 0usize;
    let mut field = |len: usize, default: u32| -> Option<u32> {
        let part = match s.get(pos..pos + len) {
            Some(p) if p.iter().all(u8::is_ascii_digit) => p,
            _ => return Some(default),
        };
        pos += len;
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let year = field(4, u32::MAX)?;
    if year == u32::MAX {
        return None;
    }
    let month = field(2, 1)?;
    let day = field(2, 1)?;
    let hour = field(2, 0)?;
    let minute = field(2, 0)?;
    let second = field(2, 0)?;
    let rest = s.get(pos..).unwrap_or_default();
    let offset = parse_offset(rest)?;
    let date = Date::from_calendar_date(
        i32::try_from(year).ok()?,
        Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    // Some writers put 60 in the seconds for a leap second; clamp it.
    let time = Time::from_hms(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second.min(59)).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

fn parse_offset(rest: &[u8]) -> Option<UtcOffset> {
    let (sign, tail) = match rest.first() {
        None | Some(b'Z') => return Some(UtcOffset::UTC),
        Some(b'+') => (1i8, &rest[1..]),
        Some(b'-') => (-1i8, &rest[1..]),
        Some(_) => return Some(UtcOffset::UTC),
    };
    let digits: Vec<u8> = tail
        .iter()
        .copied()
        .filter(u8::is_ascii_digit)
        .take(4)
        .collect();
    let num = |r: std::ops::Range<usize>| -> i8 {
        digits
            .get(r)
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| d.parse().ok())
            .unwrap_or(0)
    };
    let (h, m) = (num(0..2), num(2..4));
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

/// Formats a PDF date with its offset: `D:20261126164700+07'00'`.
pub fn format_pdf_date(t: OffsetDateTime) -> String {
    let off = t.offset();
    let (sign, h, m) = if off.is_negative() {
        ('-', -off.whole_hours(), -(off.minutes_past_hour()))
    } else {
        ('+', off.whole_hours(), off.minutes_past_hour())
    };
    if off.is_utc() {
        return format!(
            "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
    }
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}{sign}{h:02}'{m:02}'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn parses_full_and_partial_dates() {
        assert_eq!(
            parse_pdf_date(b"D:20261126164700+07'00'"),
            Some(datetime!(2026-11-26 16:47:00 +07:00))
        );
        assert_eq!(
            parse_pdf_date(b"D:20201101120000Z"),
            Some(datetime!(2020-11-01 12:00:00 UTC))
        );
        assert_eq!(
            parse_pdf_date(b"D:2020"),
            Some(datetime!(2020-01-01 00:00:00 UTC))
        );
        assert_eq!(
            parse_pdf_date(b"D:20201101120000-05'30"),
            Some(datetime!(2020-11-01 12:00:00 -05:30))
        );
        assert_eq!(parse_pdf_date(b"garbage"), None);
        assert_eq!(parse_pdf_date(b"D:20201341"), None);
    }

    #[test]
    fn formats_round_trip() {
        for t in [
            datetime!(2026-11-26 16:47:05 +07:00),
            datetime!(2026-01-02 03:04:05 UTC),
            datetime!(2026-01-02 03:04:05 -03:30),
        ] {
            assert_eq!(parse_pdf_date(format_pdf_date(t).as_bytes()), Some(t));
        }
    }
}
