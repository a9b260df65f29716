//! Calendar dates (`YYYY-MM-DD`) without a time zone, e.g. a deal's expected close date.

use crate::error::{FieldError, Invalid};

/// Check a `YYYY-MM-DD` date, returning it unchanged when valid.
pub fn parse_date(field: &str, raw: &str) -> Invalid<String> {
    let s = raw.trim();
    let bad = || FieldError::new(field, "invalid_date", format!("{raw:?} is not a date in the form YYYY-MM-DD"));
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok()).ok_or_else(bad);
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return Err(bad());
    }
    Ok(s.to_owned())
}

/// A date as exports and spreadsheets write it, as `YYYY-MM-DD`: ISO with or without a time
/// (HubSpot's "2026-03-15 10:22", Mautic's "2026-03-15 10:22:33"), `YYYY/MM/DD`, day first
/// with dots, slashes or dashes ("15.03.2026", Excel in Italian or Polish "15/03/2026"), month
/// first when the day shows it ("03/15/2026"; a date that reads both ways is taken day first,
/// as four of this project's five languages write it), and milliseconds since 1970. `None` when
/// it is none of these.
pub fn parse_loose_date(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok().map(date_of_millis);
    }
    // The date part: up to the first space or `T` after it.
    let date = s.split([' ', 'T']).next()?;
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else { return None };
    let num = |p: &str| {
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let (a_n, b_n, c_n) = (num(a)?, num(b)?, num(c)?);
    let (y, m, d) = if a.len() == 4 {
        (a_n, b_n, c_n)
    } else if c.len() == 4 {
        if a_n <= 12 && b_n > 12 {
            (c_n, a_n, b_n)
        } else {
            (c_n, b_n, a_n)
        }
    } else {
        return None;
    };
    let out = format!("{y:04}-{m:02}-{d:02}");
    parse_date("date", &out).ok()
}

/// A moment as exports write it: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` (HubSpot, Mautic; read as
/// UTC), milliseconds since 1970, or any date [`parse_loose_date`] reads (its midnight, UTC).
pub fn parse_loose_time(raw: &str) -> Option<crate::Millis> {
    let s = raw.trim();
    if let Ok(t) = parse_time("time", s) {
        return Some(t);
    }
    // "2026-03-15 10:22[:33]" lacks the zone (and maybe the seconds) RFC 3339 asks for.
    for suffix in ["Z", ":00Z"] {
        if let Ok(t) = parse_time("time", &format!("{s}{suffix}")) {
            return Some(t);
        }
    }
    if s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let date = parse_loose_date(s)?;
    parse_time("time", &date).ok()
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DD` of a time in milliseconds (UTC).
pub fn date_of_millis(ms: crate::Millis) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

/// RFC 3339 text of a time in milliseconds (UTC), e.g. `2026-11-22T14:16:46.123Z`.
pub fn rfc3339(ms: crate::Millis) -> String {
    let secs = ms.div_euclid(1000);
    let (h, mi, s) = ((secs / 3600).rem_euclid(24), (secs / 60).rem_euclid(60), secs.rem_euclid(60));
    format!("{}T{h:02}:{mi:02}:{s:02}.{:03}Z", date_of_millis(ms), ms.rem_euclid(1000))
}

/// Parse RFC 3339 (`2026-11-22T14:16:46Z`, fractional seconds and offsets allowed) or a bare
/// date (midnight UTC) into milliseconds.
pub fn parse_time(field: &str, raw: &str) -> Invalid<crate::Millis> {
    let s = raw.trim();
    let bad = || FieldError::new(field, "invalid_time", format!("{raw:?} is not a time in RFC 3339 form"));
    let date = parse_date(field, s.get(..10).ok_or_else(bad)?).map_err(|_| bad())?;
    let (y, m, d) =
        (date[0..4].parse().unwrap_or(0), date[5..7].parse().unwrap_or(1), date[8..10].parse().unwrap_or(1));
    let day_ms = days_from_civil(y, m, d) * 86_400_000;
    let rest = &s[10..];
    // Everything after the date is ASCII in RFC 3339; checking first keeps byte slicing safe.
    if !rest.is_ascii() {
        return Err(bad());
    }
    if rest.is_empty() {
        return Ok(day_ms);
    }
    let rest = rest.strip_prefix(['T', 't', ' ']).ok_or_else(bad)?;
    let num = |p: &str| p.parse::<i64>().map_err(|_| bad());
    if rest.len() < 8 || &rest[2..3] != ":" || &rest[5..6] != ":" {
        return Err(bad());
    }
    let (h, mi, sec) = (num(&rest[0..2])?, num(&rest[3..5])?, num(&rest[6..8])?);
    if h > 23 || mi > 59 || sec > 60 {
        return Err(bad());
    }
    let mut tail = &rest[8..];
    let mut frac_ms = 0;
    if let Some(f) = tail.strip_prefix('.') {
        let n = f.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return Err(bad());
        }
        let digits = format!("{:0<3}", &f[..n.min(3)]);
        frac_ms = num(&digits)?;
        tail = &f[n..];
    }
    let offset_ms = match tail {
        "Z" | "z" => 0,
        t if t.len() == 6 && (t.starts_with('+') || t.starts_with('-')) && &t[3..4] == ":" => {
            let v = (num(&t[1..3])? * 60 + num(&t[4..6])?) * 60_000;
            if t.starts_with('+') {
                v
            } else {
                -v
            }
        }
        _ => return Err(bad()),
    };
    Ok(day_ms + ((h * 60 + mi) * 60 + sec) * 1000 + frac_ms - offset_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_exports_write_them() {
        for (raw, want) in [
            ("2026-03-15", "2026-03-15"),
            ("2026-03-15 10:22", "2026-03-15"),
            ("2026-03-15T10:22:33.000Z", "2026-03-15"),
            ("2026/03/15", "2026-03-15"),
            ("15.03.2026", "2026-03-15"),
            ("15.03.2026 08:00", "2026-03-15"),
            ("15/03/2026", "2026-03-15"),
            ("03/15/2026", "2026-03-15"),
            ("04/03/2026", "2026-03-04"),
            ("1773568953000", "2026-03-15"),
        ] {
            assert_eq!(parse_loose_date(raw).as_deref(), Some(want), "{raw}");
        }
        for raw in ["", "31.02.2026", "13/13/2026", "next week", "2026-3", "1.2.3"] {
            assert_eq!(parse_loose_date(raw), None, "{raw}");
        }
        let noon = parse_time("t", "2026-03-15T12:00:00Z").unwrap();
        for raw in ["2026-03-15T12:00:00Z", "2026-03-15 12:00", "2026-03-15 12:00:00", "2026-03-15T13:00:00+01:00"] {
            assert_eq!(parse_loose_time(raw), Some(noon), "{raw}");
        }
        assert_eq!(parse_loose_time("15.03.2026"), parse_time("t", "2026-03-15").ok());
        assert_eq!(parse_loose_time("soon"), None);
    }

    #[test]
    fn dates() {
        assert!(parse_date("close_date", "2026-02-29").is_err());
        assert!(parse_date("close_date", "2028-02-29").is_ok());
        assert!(parse_date("close_date", "2026-13-01").is_err());
        assert_eq!(date_of_millis(0), "1970-01-01");
        assert_eq!(parse_time("t", "2026-11-22T14:16:46.5Z").unwrap(), 1_795_357_006_500);
        assert_eq!(rfc3339(1_795_357_006_500), "2026-11-22T14:16:46.500Z");
        assert_eq!(parse_time("t", "2026-11-22T15:16:46.5+01:00").unwrap(), 1_795_357_006_500);
        assert!(parse_time("t", "yesterday").is_err());
        assert!(parse_time("t", "2026-11-22T1é:00:00Z").is_err(), "non-ASCII after the date is refused, not a panic");
    }

    proptest::proptest! {
        #[test]
        fn civil_round_trip(days in -1_000_000i64..1_000_000) {
            let (y, m, d) = civil_from_days(days);
            proptest::prop_assert_eq!(days_from_civil(y, m, d), days);
        }

        #[test]
        fn any_text_is_an_error_or_a_time(s in "\\PC{0,40}") {
            let _ = parse_time("t", &s);
            let _ = parse_date("t", &s);
        }

        #[test]
        fn rfc3339_round_trip(ms in 0i64..4_000_000_000_000) {
            proptest::prop_assert_eq!(parse_time("t", &rfc3339(ms)).unwrap(), ms);
        }
    }
}
