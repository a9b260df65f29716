//! E-mail addresses: validation, normalisation and the free-mail list.

use crate::error::{FieldError, Invalid};

/// A syntactically valid e-mail address, lower-cased and NFC-normalised.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Parse an address as a person typed it. `field` names it in the error.
    pub fn parse(field: &str, raw: &str) -> Invalid<Email> {
        let s = crate::text::nfc(raw.trim()).to_lowercase();
        let bad = |why: &str| {
            Err(FieldError::new(field, "invalid_email", format!("{raw:?} is not an e-mail address: {why}")))
        };
        if s.len() > 254 {
            return bad("longer than 254 characters");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return bad("it has no @");
        };
        if local.is_empty() || local.len() > 64 {
            return bad("the part before @ is empty or too long");
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return bad("the part before @ has a misplaced dot");
        }
        if local.chars().any(|c| c.is_whitespace() || c.is_control() || "()<>[]\\,;:\"@".contains(c)) {
            return bad("the part before @ has a character addresses cannot have");
        }
        if !valid_domain(domain) {
            return bad("the domain is not valid");
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }

    /// Whether the address is at a free-mail provider (never a company's domain).
    pub fn is_free_mail(&self) -> bool {
        is_free_mail_domain(self.domain())
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A host name with at least two labels, each of letters, digits and hyphens (any script).
pub fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

const FREE_MAIL: &[&str] = &[
    "aol.com",
    "gmail.com",
    "googlemail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.it",
    "icloud.com",
    "interia.pl",
    "libero.it",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "o2.pl",
    "onet.pl",
    "outlook.com",
    "proton.me",
    "protonmail.com",
    "tiscali.it",
    "virgilio.it",
    "web.de",
    "wp.pl",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.it",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
    "chmail.ir",
    "alice.it",
    "tlen.pl",
];

pub fn is_free_mail_domain(domain: &str) -> bool {
    FREE_MAIL.contains(&domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        let e = Email::parse("email", "  Anna.Nowak@Firma.PL ").unwrap();
        assert_eq!(e.as_str(), "anna.nowak@firma.pl");
        assert_eq!(e.domain(), "firma.pl");
        assert!(!e.is_free_mail());
        assert!(Email::parse("email", "x@gmail.com").unwrap().is_free_mail());
        assert!(Email::parse("email", "رضا@مثال.ایران").is_ok());
    }

    #[test]
    fn rejects_with_the_field_named() {
        for bad in ["", "no-at", "a@b", "a@@b.com", "a b@c.com", ".a@b.com", "a@-b.com", "a@b.c", "a@1.23"] {
            let e = Email::parse("emails[0]", bad).unwrap_err();
            assert_eq!(e.field, "emails[0]", "{bad}");
            assert_eq!(e.code, "invalid_email");
        }
    }
}
