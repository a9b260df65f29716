//! Text in every script: NFC normalisation and the search fold.
//!
//! The fold makes "Łukasz", "lukasz" and "ŁUKASZ" one term, and likewise Persian names typed with
//! Arabic letter forms (ي for ی, ك for ک), with or without a zero-width non-joiner.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Canonical composition (NFC): the form every stored text is kept in.
pub fn nfc(s: &str) -> String {
    if unicode_normalization::is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes {
        s.to_owned()
    } else {
        s.nfc().collect()
    }
}

/// The search key of a text: lower case, no diacritics, one form per Arabic/Persian letter,
/// ASCII digits, no joiners. Word separators are kept as single spaces.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        push_folded(c, &mut out);
    }
    out
}

fn push_folded(c: char, out: &mut String) {
    match c {
        // Letters that do not decompose into base + mark under NFD.
        'ł' | 'Ł' => out.push('l'),
        'ø' | 'Ø' => out.push('o'),
        'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
        'ß' => out.push_str("ss"),
        'æ' | 'Æ' => out.push_str("ae"),
        'œ' | 'Œ' => out.push_str("oe"),
        'ı' => out.push('i'),
        // Arabic and Persian letter variants.
        'ي' | 'ى' | 'ئ' => out.push('ی'),
        'ك' => out.push('ک'),
        'ة' | 'ۀ' | 'ە' => out.push('ه'),
        'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
        'ؤ' => out.push('و'),
        // Joiners and the tatweel carry no meaning for search.
        '\u{200C}' | '\u{200D}' | '\u{0640}' | '\u{FEFF}' => {}
        // Arabic-Indic and Persian digits.
        '\u{0660}'..='\u{0669}' => out.push(char::from(b'0' + (c as u32 - 0x0660) as u8)),
        '\u{06F0}'..='\u{06F9}' => out.push(char::from(b'0' + (c as u32 - 0x06F0) as u8)),
        _ => out.extend(c.to_lowercase()),
    }
}

/// A term is cut after this many characters, in records and queries alike, so a longer query
/// still finds what starts like it. Indexes bound their keys (PostgreSQL's lexemes at 2 kB) and
/// a 10 kB "word" is not something anyone types.
pub const MAX_TERM_CHARS: usize = 64;

/// The words of a folded text, as search terms. Words are runs of letters and digits;
/// `@`, `.`, `-`, `+` and `_` inside e-mail addresses split words too, so "anna.nowak@firma.pl"
/// is found by "nowak" and by "firma". Each is at most [`MAX_TERM_CHARS`] long.
pub fn terms(s: &str) -> impl Iterator<Item = String> + '_ {
    // Fold first: folding removes joiners, which must not split a word.
    let folded = fold(s);
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(cut).collect::<Vec<_>>().into_iter()
}

/// A term cut to at most [`MAX_TERM_CHARS`].
pub fn cut(term: &str) -> String {
    term.chars().take(MAX_TERM_CHARS).collect()
}

/// The terms a search query asks for. A record matches when, for every query term, one of its
/// terms starts with it (prefix match, as you type).
pub fn query_terms(q: &str) -> Vec<String> {
    let mut v: Vec<String> = terms(q).collect();
    v.sort();
    v.dedup();
    // A term that is a prefix of another query term adds nothing.
    let all = v.clone();
    v.retain(|t| !all.iter().any(|o| o != t && o.starts_with(t.as_str())));
    v
}

/// Whether a record with `record_terms` matches the query terms (the reference definition the
/// store's index must agree with).
pub fn matches(record_terms: &[String], query: &[String]) -> bool {
    query.iter().all(|q| record_terms.iter().any(|t| t.starts_with(q.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polish_and_italian_fold_to_base_letters() {
        assert_eq!(fold("Łukasz Żółć"), "lukasz zolc");
        assert_eq!(fold("Niccolò Cortés"), "niccolo cortes");
    }

    #[test]
    fn persian_variants_fold_together() {
        // Arabic yeh/kaf and a ZWNJ versus Persian yeh/kaf without it.
        assert_eq!(fold("علي كريمي"), fold("علی کریمی"));
        assert_eq!(fold("می\u{200C}خواهم"), fold("میخواهم"));
        assert_eq!(fold("۱۲۳"), "123");
    }

    #[test]
    fn terms_split_emails() {
        let t: Vec<String> = terms("Anna.Nowak@Firma.pl").collect();
        assert_eq!(t, ["anna", "nowak", "firma", "pl"]);
    }

    #[test]
    fn long_words_are_cut_alike_in_records_and_queries() {
        let word = "ż".repeat(5_000);
        let record: Vec<String> = terms(&word).collect();
        assert_eq!(record[0].chars().count(), MAX_TERM_CHARS);
        assert!(matches(&record, &query_terms(&word)));
        assert!(matches(&record, &query_terms(&"z".repeat(80))));
    }

    #[test]
    fn query_terms_drop_redundant_prefixes() {
        assert_eq!(query_terms("an ann anna"), ["anna"]);
    }

    proptest::proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            proptest::prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn every_term_of_a_text_is_found_by_its_prefixes(s in "[a-zA-ZłŁóÓ ]{1,30}", cut in 1usize..4) {
            let ts: Vec<String> = terms(&s).collect();
            for t in &ts {
                let prefix: String = t.chars().take(cut).collect();
                proptest::prop_assert!(matches(&ts, &query_terms(&prefix)));
            }
        }
    }
}
