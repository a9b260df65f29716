//! Money: integer minor units plus an ISO 4217 currency.

use crate::error::{FieldError, Invalid};

/// (code, digits after the decimal point) for the currencies Leadline accepts.
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IRR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("MYR", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

/// An ISO 4217 currency code, upper case.
pub fn parse_currency(field: &str, raw: &str) -> Invalid<&'static str> {
    let up = raw.trim().to_ascii_uppercase();
    CURRENCIES
        .iter()
        .find(|(c, _)| *c == up)
        .map(|(c, _)| *c)
        .ok_or_else(|| FieldError::new(field, "invalid_currency", format!("{raw:?} is not an ISO 4217 currency code")))
}

/// Digits after the decimal point for a currency (2 when unknown).
pub fn minor_digits(currency: &str) -> u32 {
    CURRENCIES.iter().find(|(c, _)| *c == currency).map_or(2, |(_, d)| *d)
}

/// Parse a decimal amount such as "1 234,50" or "1234.5" into minor units of `currency`.
/// Both `.` and `,` are accepted as decimal separator when they are the last separator and are
/// followed by at most `minor_digits` digits; spaces, `'` and the other separator group thousands.
pub fn parse_amount(field: &str, raw: &str, currency: &str) -> Invalid<i64> {
    let bad = || FieldError::new(field, "invalid_amount", format!("{raw:?} is not an amount of money"));
    let s: String = crate::text::fold(raw.trim()).chars().filter(|c| !matches!(c, ' ' | '\'' | '\u{a0}')).collect();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r.to_owned()),
        None => (false, s),
    };
    let digits = minor_digits(currency);
    let (int_part, frac_part) = match s.rfind(['.', ',']) {
        Some(i)
            if s.len() - i - 1 <= digits as usize && s.len() - i - 1 > 0 && !(s.len() - i - 1 == 3 && digits < 3) =>
        {
            (s[..i].replace(['.', ','], ""), s[i + 1..].to_owned())
        }
        _ => (s.replace(['.', ','], ""), String::new()),
    };
    if int_part.is_empty()
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = int_part.parse().map_err(|_| bad())?;
    let mut frac: i64 = if frac_part.is_empty() { 0 } else { frac_part.parse().map_err(|_| bad())? };
    for _ in frac_part.len() as u32..digits {
        frac *= 10;
    }
    let minor = whole.checked_mul(10i64.pow(digits)).and_then(|w| w.checked_add(frac)).ok_or_else(bad)?;
    Ok(if neg { -minor } else { minor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_local_formats() {
        assert_eq!(parse_amount("amount", "1234.5", "EUR").unwrap(), 123_450);
        assert_eq!(parse_amount("amount", "1 234,50", "PLN").unwrap(), 123_450);
        assert_eq!(parse_amount("amount", "1,234,567", "USD").unwrap(), 123_456_700);
        assert_eq!(parse_amount("amount", "1.234.567", "EUR").unwrap(), 123_456_700);
        assert_eq!(parse_amount("amount", "5000", "JPY").unwrap(), 5000);
        assert_eq!(parse_amount("amount", "۱۲۰۰", "IRR").unwrap(), 120_000);
        assert!(parse_amount("amount", "ten", "EUR").is_err());
        assert_eq!(parse_currency("currency", "eur").unwrap(), "EUR");
        assert!(parse_currency("currency", "EURO").is_err());
    }
}
