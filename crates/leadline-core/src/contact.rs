//! What belongs to a contact beyond its scalar fields: e-mails, phones, external ids, consent,
//! tags, and the validated set of changes a write carries.

use crate::email::Email;
use crate::error::{FieldError, Invalid};
use crate::phone::Phone;
use crate::property::PropValue;
use crate::record::{FieldSpec, Scalar};
use crate::Millis;

/// A key that identifies one contact: no two live contacts share one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Identity {
    Email(String),
    Phone(String),
    /// (system, id), e.g. ("salesforce", "0035g00000XyZ").
    External(String, String),
}

impl Identity {
    /// The one-string form the store indexes: `email:a@b.pl`, `phone:+48...`, `ext:system:id`.
    pub fn key(&self) -> String {
        match self {
            Identity::Email(e) => format!("email:{e}"),
            Identity::Phone(p) => format!("phone:{p}"),
            Identity::External(s, id) => format!("ext:{s}:{id}"),
        }
    }

    pub fn from_key(key: &str) -> Option<Identity> {
        let (kind, rest) = key.split_once(':')?;
        Some(match kind {
            "email" => Identity::Email(rest.into()),
            "phone" => Identity::Phone(rest.into()),
            "ext" => {
                let (s, id) = rest.split_once(':')?;
                Identity::External(s.into(), id.into())
            }
            _ => return None,
        })
    }
}

/// Check an external id pair.
pub fn external_id(system: &str, id: &str) -> Invalid<Identity> {
    let system = system.trim().to_ascii_lowercase();
    let id = id.trim();
    if system.is_empty()
        || system.len() > 40
        || !system.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(FieldError::new(
            "external_ids",
            "invalid_external_id",
            format!("{system:?} is not a system name (a-z, 0-9, _ and -)"),
        ));
    }
    if id.is_empty() || id.len() > 200 || id.chars().any(char::is_control) {
        return Err(FieldError::new(
            "external_ids",
            "invalid_external_id",
            "an external id is 1-200 printable characters",
        ));
    }
    Ok(Identity::External(system, id.to_owned()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentChannel {
    Email,
    Phone,
    Chat,
}

impl ConsentChannel {
    pub const ALL: [ConsentChannel; 3] = [Self::Email, Self::Phone, Self::Chat];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Chat => "chat",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Whether a contact agreed to be reached on a channel, when, and where that was said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub channel: ConsentChannel,
    pub granted: bool,
    pub at: Millis,
    /// Where the consent was given or withdrawn: "form:newsletter", "import", "api", ...
    pub origin: String,
}

/// The most e-mails, phones and external ids one contact holds.
pub const MAX_IDENTITIES: usize = 20;
/// The most tags one contact carries.
pub const MAX_TAGS: usize = 100;

/// A tag: short free text, folded for comparison but kept as typed.
pub fn tag(raw: &str) -> Invalid<String> {
    match crate::error::clean_text("tags", raw)? {
        Some(t) if t.chars().count() <= 64 => Ok(t),
        Some(_) => Err(FieldError::new("tags", "too_long", "a tag is at most 64 characters")),
        None => Err(FieldError::new("tags", "required", "a tag cannot be empty")),
    }
}

/// The tags of a cell or a form field that holds several, as exports write them: separated by
/// `;`, `,` or `|` (HubSpot's multi-select values, Mautic's tags).
pub fn split_tags(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([';', ',', '|']).map(str::trim).filter(|t| !t.is_empty())
}

/// The validated scalar and custom-property changes of a write to any record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldChanges {
    /// Built-in fields to set (`Some`) or clear (`None`).
    pub fields: Vec<(&'static FieldSpec, Option<Scalar>)>,
    /// Custom properties to set or clear.
    pub properties: Vec<(String, Option<PropValue>)>,
}

impl FieldChanges {
    pub fn get(&self, name: &str) -> Option<&Option<Scalar>> {
        self.fields.iter().find(|(f, _)| f.name == name).map(|(_, v)| v)
    }

    pub fn set(&mut self, spec: &'static FieldSpec, value: Option<Scalar>) {
        match self.fields.iter_mut().find(|(f, _)| f.name == spec.name) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((spec, value)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.properties.is_empty()
    }
}

/// Everything one write may change on a contact. `None` lists are left as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactChanges {
    pub record: FieldChanges,
    /// The full list of e-mails, primary first.
    pub emails: Option<Vec<Email>>,
    /// The full list of phones, primary first.
    pub phones: Option<Vec<Phone>>,
    /// External ids to add.
    pub external_ids: Vec<Identity>,
    /// Consent statements to record.
    pub consent: Vec<Consent>,
    /// The full list of tags.
    pub tags: Option<Vec<String>>,
    /// When the contact was first known, for a write that creates it (an import's "Create
    /// Date"); a contact that exists keeps its own.
    pub created_at: Option<crate::Millis>,
}

impl ContactChanges {
    /// The identities this write names, in dedupe order: e-mails, then phones, then external
    /// ids.
    pub fn identities(&self) -> Vec<Identity> {
        let mut ids: Vec<Identity> = Vec::new();
        ids.extend(self.emails.iter().flatten().map(|e| Identity::Email(e.as_str().into())));
        ids.extend(self.phones.iter().flatten().map(|p| Identity::Phone(p.as_str().into())));
        ids.extend(self.external_ids.iter().cloned());
        ids
    }

    /// Keep only the e-mails, phones and external ids `keep` accepts.
    pub fn retain_identities(&mut self, mut keep: impl FnMut(&Identity) -> bool) {
        if let Some(emails) = &mut self.emails {
            emails.retain(|e| keep(&Identity::Email(e.as_str().into())));
        }
        if let Some(phones) = &mut self.phones {
            phones.retain(|p| keep(&Identity::Phone(p.as_str().into())));
        }
        self.external_ids.retain(|i| keep(i));
    }

    /// Whether the write names anything that tells who the person is.
    pub fn identifies_someone(&self) -> bool {
        !self.identities().is_empty()
            || ["first_name", "last_name", "display_name"].iter().any(|n| matches!(self.record.get(n), Some(Some(_))))
    }
}

/// The search terms of a contact, from its names, e-mails, phones and company.
pub fn search_terms<'a>(
    texts: impl IntoIterator<Item = &'a str>,
    phones: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for text in texts {
        let mut words: Vec<String> = crate::text::terms(text).collect();
        // The top-level domain of an address ("com", "pl") would match half the contacts.
        if text.contains('@') {
            if words.len() > 2 {
                words.pop();
            }
        } else {
            // A compound written three ways (Persian "یزدان پناه", "یزدان‌پناه", "یزدانپناه";
            // "De Luca", "DeLuca") is one name: its parts and its joined form are all terms.
            let parts: Vec<String> = crate::text::terms(&text.replace('\u{200C}', " ")).collect();
            out.extend(parts.windows(2).map(|w| crate::text::cut(&format!("{}{}", w[0], w[1]))));
            out.extend(parts);
        }
        out.extend(words);
    }
    for p in phones {
        // "+48601234567" is found by "48601..." and by the national number "601234...".
        let digits: String = p.chars().filter(char::is_ascii_digit).collect();
        if let Some(national) = national_number(p) {
            out.push(national.to_owned());
        }
        out.push(digits);
    }
    out.sort();
    out.dedup();
    out
}

/// The search terms of a contact: its names (with the parts and joined form of a compound),
/// the words of its company's name, its addresses and its phones. A company name's words are
/// not joined: "Wisła Logistics Sp. z o.o." is found by its words, and joining them cost
/// every imported contact a few more index entries.
pub fn contact_terms<'a>(
    names: impl IntoIterator<Item = &'a str>,
    company: Option<&str>,
    emails: impl IntoIterator<Item = &'a str>,
    phones: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let mut out = search_terms(names.into_iter().chain(emails), phones);
    if let Some(company) = company {
        out.extend(crate::text::terms(company));
        out.sort();
        out.dedup();
    }
    out
}

/// The national significant number of an E.164 number, without leading zeros (as a query's
/// digits are): "+48601234567" gives "601234567", "+390669821234" gives "669821234". Country
/// calling codes are prefix-free, so the first one to three digits that name a country are
/// its code. A table lookup: parsing the number again cost more than the rest of the terms.
fn national_number(e164: &str) -> Option<&str> {
    let digits = e164.strip_prefix('+')?;
    (1..=3.min(digits.len().saturating_sub(1))).find_map(|n| {
        let code: u16 = digits.get(..n)?.parse().ok()?;
        phonenumber::metadata::DATABASE.region(&code)?;
        Some(digits[n..].trim_start_matches('0'))
    })
}

/// What a search box's text asks for: records that match any one of these lists of query
/// terms (each as `text::matches` defines). The first list is the text's own terms; a text of
/// a few words also asks for each two neighbours written as one word, so "یزدان پناه" finds
/// a contact stored as "یزدانپناه" and "de luca" finds "DeLuca". Empty when the text has
/// nothing to search by.
pub fn query_alternatives(q: &str) -> Vec<Vec<String>> {
    let terms = query_terms(q);
    if terms.is_empty() {
        return Vec::new();
    }
    let words: Vec<String> = crate::text::terms(q).collect();
    let mut out = vec![terms];
    if looks_like_phone(&crate::text::fold(q)) || words.len() > MAX_JOINED_WORDS {
        return out;
    }
    for i in 0..words.len().saturating_sub(1) {
        let mut joined: Vec<String> = words[..i].to_vec();
        joined.push(crate::text::cut(&format!("{}{}", words[i], words[i + 1])));
        joined.extend_from_slice(&words[i + 2..]);
        let alternative = query_terms(&joined.join(" "));
        if !out.contains(&alternative) {
            out.push(alternative);
        }
    }
    out
}

/// A search text of more words than this is searched as it is written.
const MAX_JOINED_WORDS: usize = 4;

/// Whether a record with `record_terms` matches a search box's text (`query_alternatives`).
pub fn matches_query(record_terms: &[String], alternatives: &[Vec<String>]) -> bool {
    alternatives.iter().any(|terms| crate::text::matches(record_terms, terms))
}

fn looks_like_phone(folded: &str) -> bool {
    folded.chars().any(|c| c.is_ascii_digit()) && folded.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c))
}

/// Query terms for a search box: a phone-looking query becomes one digit string.
pub fn query_terms(q: &str) -> Vec<String> {
    let folded = crate::text::fold(q);
    if looks_like_phone(&folded) {
        let digits: String = folded.chars().filter(char::is_ascii_digit).collect();
        // Phones are indexed without leading zeros; a query of zeros alone asks for "0".
        let national = digits.trim_start_matches('0');
        return vec![if national.is_empty() { "0".to_owned() } else { national.to_owned() }];
    }
    let mut terms = crate::text::query_terms(q);
    // Addresses are indexed without their top-level domain (see `search_terms`); a query
    // like "firma.pl" or "anna@firma.pl" asks for the words before it.
    if let Some((_, tld)) = folded.trim().rsplit_once('.') {
        let tld = crate::text::fold(tld);
        if terms.len() > 1 && !tld.is_empty() && tld.chars().all(char::is_alphanumeric) {
            terms.retain(|t| *t != tld);
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_keys_round_trip() {
        for id in [
            Identity::Email("a@b.pl".into()),
            Identity::Phone("+48601234567".into()),
            Identity::External("sf".into(), "0:1".into()),
        ] {
            assert_eq!(Identity::from_key(&id.key()), Some(id));
        }
    }

    #[test]
    fn retained_identities_are_those_kept() {
        let mut c = ContactChanges {
            emails: Some(vec![Email::parse("email", "a@b.pl").unwrap(), Email::parse("email", "c@d.pl").unwrap()]),
            phones: Some(vec![crate::phone::Phone::parse("phone", "601234567", Some("PL")).unwrap()]),
            external_ids: vec![Identity::External("sf".into(), "1".into())],
            ..Default::default()
        };
        let all = c.identities();
        let gone = [all[1].key(), all[2].key()];
        c.retain_identities(|i| !gone.contains(&i.key()));
        assert_eq!(c.identities(), [all[0].clone(), all[3].clone()]);
    }

    #[test]
    fn phones_are_found_by_national_and_international_digits() {
        let terms = search_terms(["Anna Nowak"], ["+48601234567"]);
        assert!(crate::text::matches(&terms, &query_terms("601 234")));
        assert!(crate::text::matches(&terms, &query_terms("+48 601")));
        assert!(crate::text::matches(&terms, &query_terms("0601234")));
        assert!(crate::text::matches(&terms, &query_terms("now")));
    }

    #[test]
    fn a_compound_is_found_written_with_a_space_a_zwnj_or_joined() {
        let spellings = ["یزدان پناه", "یزدان\u{200C}پناه", "یزدانپناه"];
        for stored in spellings {
            let terms = search_terms(["مریم", stored], []);
            for typed in spellings {
                assert!(matches_query(&terms, &query_alternatives(typed)), "{stored:?} found by {typed:?}");
            }
            assert!(matches_query(&terms, &query_alternatives("مریم یزدان")), "{stored:?} by a prefix");
        }
        let de_luca = search_terms(["Maria", "De Luca"], []);
        assert!(matches_query(&de_luca, &query_alternatives("deluca")));
        let deluca = search_terms(["Maria", "DeLuca"], []);
        assert!(matches_query(&deluca, &query_alternatives("de luca")));
        assert!(!matches_query(&deluca, &query_alternatives("de rossi")));
    }

    #[test]
    fn zeros_alone_are_a_search_for_zero() {
        for q in ["0", "00", "0.0", "+0", "-0"] {
            assert_eq!(query_alternatives(q), [["0"]], "{q}");
        }
        assert!(query_alternatives("  ").is_empty());
    }

    proptest::proptest! {
        /// Every word of a stored name, and every pair of neighbours joined, finds it; joining
        /// never makes a search find less.
        #[test]
        fn joined_alternatives_only_widen(a in "[a-z]{1,8}", b in "[a-z]{1,8}", c in "[a-z]{1,8}") {
            let terms = search_terms([format!("{a} {b}").as_str(), c.as_str()], []);
            let q = format!("{a} {b} {c}");
            proptest::prop_assert!(crate::text::matches(&terms, &query_terms(&q)));
            proptest::prop_assert!(matches_query(&terms, &query_alternatives(&q)));
            let joined = format!("{a}{b}");
            proptest::prop_assert!(matches_query(&terms, &query_alternatives(&joined)));
        }

        /// The table lookup agrees with parsing the number in full, for any number a region
        /// accepts.
        #[test]
        fn national_number_matches_a_full_parse(
            region in proptest::sample::select(vec!["PL", "IT", "IR", "US", "GB", "DE", "FR", "BR", "IN", "JP", "AE", "SM", "VA", "CA", "RU", "KZ"]),
            national in "[0-9]{4,12}",
        ) {
            if let Ok(phone) = crate::phone::Phone::parse("phone", &national, Some(region)) {
                let parsed = phonenumber::parse(None, phone.as_str()).unwrap().national().value().to_string();
                proptest::prop_assert_eq!(national_number(phone.as_str()), Some(parsed.as_str()));
            }
        }
    }

    #[test]
    fn national_numbers_of_known_numbers() {
        assert_eq!(national_number("+48601234567"), Some("601234567"));
        assert_eq!(national_number("+390669821234"), Some("669821234"));
        assert_eq!(national_number("+14155552671"), Some("4155552671"));
        assert_eq!(national_number("+989123456789"), Some("9123456789"));
        assert_eq!(national_number("48601234567"), None);
        assert_eq!(national_number("+"), None);
    }

    #[test]
    fn addresses_are_found_with_or_without_their_domain_ending() {
        let terms = search_terms(["anna.nowak@firma.pl"], []);
        assert!(!terms.contains(&"pl".to_string()));
        for q in ["firma.pl", "anna.nowak@firma.pl", "nowak@fir", "anna"] {
            assert!(crate::text::matches(&terms, &query_terms(q)), "{q}");
        }
    }
}
