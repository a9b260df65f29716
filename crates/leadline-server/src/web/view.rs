//! What every page is rendered with: the layout's data ([`Shell`]), words and formats in the
//! viewer's language ([`Tr`]), and the error page.

use askama::Template;
use fluent_bundle::FluentValue;
use leadline_core::locale::{Lang, Locale};
use leadline_core::role::Action;

use super::i18n;
use super::Viewer;
use crate::error::ApiError;

/// Words, numbers, money and dates in one locale.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub locale: Locale,
}

impl Tr {
    pub fn t(&self, key: &str) -> String {
        i18n::message(self.locale.lang, key, &[])
    }

    /// A message with one named text argument.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        i18n::message(self.locale.lang, key, &[(name, FluentValue::from(value))])
    }

    /// A message with several text arguments.
    pub fn ta(&self, key: &str, args: &[(&str, &str)]) -> String {
        let args: Vec<(&str, FluentValue)> = args.iter().map(|(k, v)| (*k, FluentValue::from(*v))).collect();
        i18n::message(self.locale.lang, key, &args)
    }

    /// A message about `count` things: plural forms select on `$count`, the text shows `$n`
    /// (the count in the locale's digits).
    pub fn tn(&self, key: &str, count: impl std::borrow::Borrow<i64>) -> String {
        let count = *count.borrow();
        i18n::message(
            self.locale.lang,
            key,
            &[("count", FluentValue::from(count)), ("n", FluentValue::from(self.locale.int(count)))],
        )
    }

    /// A code people type or import (a deal stage, an industry, a channel) as a reader should
    /// see it: the catalogs' word for `{prefix}-{code}` when they have one, else the code with
    /// its underscores as spaces and a capital ("contract_sent" reads "Contract sent").
    pub fn code(&self, prefix: &str, code: &str) -> String {
        let key = format!("{prefix}-{code}");
        if i18n::has(self.locale.lang, &key) || i18n::has(Lang::En, &key) {
            return self.t(&key);
        }
        let spaced = code.replace(['_', '-'], " ");
        let mut chars = spaced.chars();
        chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
    }

    pub fn num(&self, n: impl std::borrow::Borrow<i64>) -> String {
        self.locale.int(*n.borrow())
    }

    pub fn money(&self, minor: i64, currency: &str) -> String {
        self.locale.money(minor, currency)
    }

    pub fn date(&self, at: i64) -> String {
        self.locale.date(at)
    }

    pub fn datetime(&self, at: i64) -> String {
        self.locale.datetime(at)
    }

    /// An embedded asset's versioned URL.
    pub fn asset(&self, name: &str) -> String {
        super::assets::url(name)
    }

    pub fn lang(&self) -> &'static str {
        self.locale.lang.code()
    }

    pub fn dir(&self) -> &'static str {
        if self.locale.lang.is_rtl() {
            "rtl"
        } else {
            "ltr"
        }
    }
}

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

pub struct LangChoice {
    pub tag: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The layout around every signed-in page.
pub struct Shell {
    pub tr: Tr,
    pub title: String,
    pub user_name: String,
    pub user_email: String,
    pub role: String,
    pub csrf: String,
    /// The page's own path and query, for forms that come back to it.
    pub here: String,
    pub nav: Vec<NavItem>,
    pub languages: Vec<LangChoice>,
    pub can_write: bool,
    pub can_import: bool,
    pub can_export: bool,
    pub is_admin: bool,
}

impl std::ops::Deref for Shell {
    type Target = Tr;

    fn deref(&self) -> &Tr {
        &self.tr
    }
}

impl Shell {
    pub fn new(v: &Viewer, active: &'static str, title: String) -> Self {
        let tr = Tr { locale: v.locale };
        let nav = [
            ("/", "nav-dashboard"),
            ("/contacts", "nav-contacts"),
            ("/companies", "nav-companies"),
            ("/deals", "nav-deals"),
            ("/segments", "nav-segments"),
            ("/campaigns", "nav-campaigns"),
            ("/analytics", "nav-analytics"),
            ("/queue", "nav-queue"),
        ]
        .into_iter()
        .chain(v.can(Action::Import).then_some(("/import", "nav-import")))
        .chain([("/settings", "nav-settings")])
        .map(|(href, key)| NavItem { href, label: tr.t(key), active: href == active })
        .collect();
        let mut languages: Vec<LangChoice> = Lang::ALL
            .into_iter()
            .map(|l| Locale { lang: l, native_digits: l == Lang::Fa })
            .map(|l| LangChoice { tag: l.tag(), label: l.lang.endonym(), selected: l == v.locale })
            .collect();
        let fa_latin = Locale { lang: Lang::Fa, native_digits: false };
        languages.push(LangChoice { tag: fa_latin.tag(), label: "فارسی (0-9)", selected: v.locale == fa_latin });
        let user = v.user();
        Shell {
            tr,
            title,
            user_name: user.name.clone().unwrap_or_else(|| user.email.clone()),
            user_email: user.email.clone(),
            role: tr.t(&format!("role-{}", user.role.as_str())),
            csrf: v.caller.csrf_token.clone().unwrap_or_default(),
            here: v.here.clone(),
            nav,
            languages,
            can_write: v.can(Action::Write),
            can_import: v.can(Action::Import),
            can_export: v.can(Action::Export),
            is_admin: v.can(Action::Administer),
        }
    }
}

/// A page that says what went wrong, in words.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub tr: Tr,
    pub status: u16,
    pub heading: String,
    pub message: String,
}

impl ErrorPage {
    pub fn new(locale: Locale, err: &ApiError) -> Self {
        let tr = Tr { locale };
        let status = err.status().as_u16();
        let heading = tr.t(&format!("error-{status}"));
        let heading = if heading.starts_with("error-") { tr.t("error-other") } else { heading };
        let message = if status >= 500 { tr.t("error-internal") } else { error_text(&tr, err) };
        ErrorPage { tr, status, heading, message }
    }
}

/// An error's message in the viewer's language when the catalog knows its code, else the
/// API's own (English) words.
pub fn error_text(tr: &Tr, err: &ApiError) -> String {
    let key = format!("error-code-{}", err.code);
    if i18n::has(tr.locale.lang, &key) {
        tr.t(&key)
    } else {
        err.message.clone()
    }
}

/// Whether an error refuses what the user typed (shown next to the field, the form kept), as
/// opposed to one that replaces the page (not allowed, not found, a failure).
pub fn refuses_input(e: &ApiError) -> bool {
    use crate::error::Kind;
    matches!(e.kind, Kind::Invalid | Kind::Conflict | Kind::BadRequest | Kind::PayloadTooLarge)
}

/// Percent-encode a query-string value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A query string from pairs (without the `?`).
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs.into_iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&")
}
