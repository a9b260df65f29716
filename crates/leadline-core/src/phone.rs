//! Phone numbers: parsed with a default region and kept in E.164 form.

use crate::error::{FieldError, Invalid};

/// A valid phone number in E.164 form, e.g. `+48601234567`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    /// Parse a number as typed. A number without `+` is read in `default_region` (ISO 3166
    /// alpha-2, e.g. "IT"); one with `+` or `00` carries its own country code.
    pub fn parse(field: &str, raw: &str, default_region: Option<&str>) -> Invalid<Phone> {
        let bad =
            |why: String| Err(FieldError::new(field, "invalid_phone", format!("{raw:?} is not a phone number: {why}")));
        let folded = crate::text::fold(raw.trim());
        let mut s: String = folded.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '/')).collect();
        if let Some(rest) = s.strip_prefix("00") {
            s = format!("+{rest}");
        }
        if s.is_empty() || s.len() > 32 {
            return bad("empty or too long".into());
        }
        let region = match default_region {
            Some(r) if !s.starts_with('+') => match r.to_ascii_uppercase().parse::<phonenumber::country::Id>() {
                Ok(id) => Some(id),
                Err(_) => return bad(format!("{r:?} is not a known region")),
            },
            None if !s.starts_with('+') => return bad("it has no country code and no default region is set".into()),
            _ => None,
        };
        let number = match phonenumber::parse(region, &s) {
            Ok(n) => n,
            Err(e) => return bad(e.to_string()),
        };
        if !phonenumber::is_valid(&number) {
            return bad("no such number exists in its country's numbering plan".into());
        }
        Ok(Phone(number.format().mode(phonenumber::Mode::E164).to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_national_numbers_in_the_default_region() {
        assert_eq!(Phone::parse("phone", "601 234 567", Some("PL")).unwrap().as_str(), "+48601234567");
        assert_eq!(Phone::parse("phone", "0039 06 6982 1234", None).unwrap().as_str(), "+390669821234");
        assert_eq!(Phone::parse("phone", "+1 (415) 555-2671", Some("IT")).unwrap().as_str(), "+14155552671");
        assert_eq!(Phone::parse("phone", "۰۹۱۲ ۳۴۵ ۶۷۸۹", Some("IR")).unwrap().as_str(), "+989123456789");
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(Phone::parse("phones[0]", "call me", Some("PL")).unwrap_err().code, "invalid_phone");
        assert!(Phone::parse("phone", "12", Some("PL")).is_err());
        assert!(Phone::parse("phone", "601234567", None).is_err());
    }
}
