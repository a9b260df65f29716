//! The interface's words, from Fluent catalogs (`locales/<lang>.ftl`, compiled into the binary).
//!
//! A key missing from a catalog falls back to English, then to the key itself; the tests below
//! make sure that never happens for a key a template or handler uses.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use leadline_core::locale::Lang;

/// Each language's catalog source.
pub const CATALOGS: [(Lang, &str); 4] = [
    (Lang::En, include_str!("../../locales/en.ftl")),
    (Lang::Fa, include_str!("../../locales/fa.ftl")),
    (Lang::It, include_str!("../../locales/it.ftl")),
    (Lang::Pl, include_str!("../../locales/pl.ftl")),
];

struct Bundles(Vec<(Lang, FluentBundle<FluentResource>)>);

static BUNDLES: LazyLock<Bundles> = LazyLock::new(|| {
    Bundles(
        CATALOGS
            .iter()
            .map(|(lang, source)| {
                let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(r, errors)| {
                    tracing::error!(lang = lang.code(), ?errors, "catalog has errors");
                    r
                });
                let id: unic_langid::LanguageIdentifier = lang.code().parse().expect("a valid language code");
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                // Names and numbers are isolated by the templates (<bdi>), not by marks in text.
                bundle.set_use_isolating(false);
                if let Err(errors) = bundle.add_resource(resource) {
                    tracing::error!(lang = lang.code(), ?errors, "catalog has duplicate keys");
                }
                (*lang, bundle)
            })
            .collect(),
    )
});

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    let b = &BUNDLES.0;
    &b.iter().find(|(l, _)| *l == lang).unwrap_or(&b[0]).1
}

/// Whether a catalog has a message.
pub fn has(lang: Lang, key: &str) -> bool {
    bundle(lang).has_message(key)
}

/// The message `key` in `lang` with its arguments filled in.
pub fn message(lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let try_one = |lang: Lang| {
        let b = bundle(lang);
        let pattern = b.get_message(key)?.value()?;
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        let mut errors = Vec::new();
        Some(b.format_pattern(pattern, Some(&fa), &mut errors).into_owned())
    };
    try_one(lang).or_else(|| try_one(Lang::En)).unwrap_or_else(|| {
        tracing::warn!(key, "no message for key");
        key.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use leadline_core::lifecycle::{LeadStatus, LifecycleStage, DISQUALIFICATION_REASONS};
    use leadline_core::record::{fields, ObjectKind};
    use leadline_core::role::Role;

    use super::*;

    /// Keys written literally in templates and handlers: the argument of every `t("…")`,
    /// `t1("…"` and `tn("…"` call.
    fn literal_keys() -> BTreeSet<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["templates", "src/web"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                files.push(entry.unwrap().path());
            }
        }
        let mut keys = BTreeSet::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for call in ["t(\"", "t1(\"", "tn(\""] {
                for (i, _) in text.match_indices(call) {
                    // Only whole names: `t(` not preceded by an identifier character.
                    let before = text[..i].chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let rest = &text[i + call.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                        keys.insert(key.to_owned());
                    }
                }
            }
        }
        keys
    }

    /// Keys built at run time from the domain's own tables.
    fn generated_keys() -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for o in [ObjectKind::Contact, ObjectKind::Company, ObjectKind::Deal] {
            for f in fields(o) {
                keys.insert(format!("field-{}", f.name));
            }
        }
        for extra in ["emails", "phones", "tags", "email", "phone"] {
            keys.insert(format!("field-{extra}"));
        }
        keys.extend(LifecycleStage::ALL.iter().map(|s| format!("stage-{}", s.as_str())));
        keys.extend(LeadStatus::ALL.iter().map(|s| format!("lead-status-{}", s.as_str())));
        keys.extend(DISQUALIFICATION_REASONS.iter().map(|r| format!("dq-{r}")));
        keys.extend(Role::ALL.iter().map(|r| format!("role-{}", r.as_str())));
        keys.extend(leadline_core::activity::KNOWN_TYPES.iter().map(|k| format!("activity-{k}")));
        keys.extend(leadline_core::activity::CALL_OUTCOMES.iter().map(|k| format!("outcome-{k}")));
        keys.extend(leadline_core::record::DEAL_STATUSES.iter().map(|s| format!("deal-status-{s}")));
        keys.extend(leadline_core::record::ACCOUNT_TIERS.iter().map(|s| format!("tier-{s}")));
        keys.extend(["decision_maker", "influencer", "user", "champion", "other"].map(|s| format!("link-role-{s}")));
        keys.extend(["text", "number", "bool", "date", "enum", "multi_enum"].map(|s| format!("prop-type-{s}")));
        keys.extend(["queued", "running", "done", "failed", "cancelled"].map(|s| format!("job-{s}")));
        keys.extend(["eq", "ne", "prefix", "gt", "lt", "in", "empty", "not_empty"].map(|s| format!("op-{s}")));
        for o in [ObjectKind::Contact, ObjectKind::Company, ObjectKind::Deal] {
            keys.insert(format!("new-{}", o.as_str()));
            keys.insert(format!("object-{}", o.as_str()));
            keys.insert(format!("empty-{}", o.plural()));
            keys.insert(format!("nav-{}", o.plural()));
        }
        keys.extend(["manual", "import", "merge", "rule"].map(|s| format!("cause-{s}")));
        keys.extend(["password", "user", "property", "revoked"].map(|s| format!("settings-saved-{s}")));
        keys.extend(["read", "write"].map(|s| format!("scope-{s}")));
        keys.extend(["contacts-updated", "contacts-deleted", "error-other"].map(String::from));
        keys.extend([400, 401, 403, 404, 409, 413, 422, 429, 500].map(|s| format!("error-{s}")));
        keys
    }

    #[test]
    fn every_catalog_parses_cleanly() {
        for (lang, source) in CATALOGS {
            if let Err((_, errors)) = FluentResource::try_new(source.to_owned()) {
                panic!("{}.ftl: {errors:?}", lang.code());
            }
        }
    }

    #[test]
    fn every_used_key_is_in_every_catalog() {
        let literal = literal_keys();
        assert!(literal.len() > 100, "the scan found only {} keys", literal.len());
        let mut missing = Vec::new();
        for key in literal.iter().chain(generated_keys().iter()) {
            for lang in Lang::ALL {
                if !has(lang, key) {
                    missing.push(format!("{}: {key}", lang.code()));
                }
            }
        }
        assert!(missing.is_empty(), "missing catalog keys:\n{}", missing.join("\n"));
    }

    #[test]
    fn catalogs_have_the_same_keys() {
        let keys = |source: &str| -> BTreeSet<String> {
            source
                .lines()
                .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
                .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
                .collect()
        };
        let en = keys(CATALOGS[0].1);
        for (lang, source) in &CATALOGS[1..] {
            let other = keys(source);
            let extra: Vec<_> = other.difference(&en).collect();
            let lacking: Vec<_> = en.difference(&other).collect();
            assert!(extra.is_empty() && lacking.is_empty(), "{}: extra {extra:?}, missing {lacking:?}", lang.code());
        }
    }

    #[test]
    fn arguments_and_plurals_fill_in() {
        let n = |lang, count: i64| {
            let tr = crate::web::view::Tr {
                locale: leadline_core::locale::Locale { lang, native_digits: lang == Lang::Fa },
            };
            tr.tn("contacts-updated", count)
        };
        assert_eq!(n(Lang::En, 1), "1 contact updated");
        assert_eq!(n(Lang::En, 3), "3 contacts updated");
        assert!(n(Lang::Pl, 5).contains("kontaktów"), "{}", n(Lang::Pl, 5));
        assert!(n(Lang::Pl, 3).contains("kontakty"), "{}", n(Lang::Pl, 3));
        assert_eq!(n(Lang::Fa, 1200), "۱٬۲۰۰ مخاطب به‌روز شد");
        assert_eq!(message(Lang::It, "no-such-key-anywhere", &[]), "no-such-key-anywhere");
    }
}
