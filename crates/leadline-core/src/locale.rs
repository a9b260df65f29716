//! Numbers, money and dates written the way a reader of each supported language expects.
//!
//! The four languages of the interface (English, Persian, Italian, Polish) and their CLDR-style
//! conventions: group and decimal separators, where the currency symbol goes, month names and,
//! for Persian, the Solar Hijri calendar and (optionally) Persian digits.

use crate::date::{civil_from_days, days_from_civil};
use crate::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Fa,
    It,
    Pl,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Fa, Lang::It, Lang::Pl];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fa => "fa",
            Lang::It => "it",
            Lang::Pl => "pl",
        }
    }

    /// The language's own name, for a language menu.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fa => "فارسی",
            Lang::It => "Italiano",
            Lang::Pl => "Polski",
        }
    }

    pub fn is_rtl(self) -> bool {
        self == Lang::Fa
    }
}

/// A language plus the user's choice of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Locale {
    pub lang: Lang,
    /// Write Persian digits (۰۱۲…) instead of Latin ones (only offered for Persian).
    pub native_digits: bool,
}

impl Locale {
    pub const EN: Locale = Locale { lang: Lang::En, native_digits: false };

    /// Read a BCP 47 tag as stored for a user: `en`, `it-IT`, `pl`, `fa` (Persian digits) or
    /// `fa-u-nu-latn` (Persian with Latin digits). Anything else is `None`.
    pub fn parse(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase();
        let primary = tag.split(['-', '_']).next()?;
        let lang = Lang::ALL.into_iter().find(|l| l.code() == primary)?;
        let latin = tag.contains("-u-nu-latn");
        Some(Locale { lang, native_digits: lang == Lang::Fa && !latin })
    }

    /// The tag [`Locale::parse`] reads back.
    pub fn tag(self) -> &'static str {
        match (self.lang, self.native_digits) {
            (Lang::Fa, true) => "fa",
            (Lang::Fa, false) => "fa-u-nu-latn",
            (l, _) => l.code(),
        }
    }

    /// The best supported locale for an `Accept-Language` header (weights respected).
    pub fn negotiate(accept_language: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for part in accept_language.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or_default();
            let q =
                it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
            if let Some(l) = Locale::parse(tag) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, l));
                }
            }
        }
        best.map_or(Locale::EN, |(_, l)| l)
    }

    fn group_sep(self) -> &'static str {
        match self.lang {
            Lang::En => ",",
            Lang::It => ".",
            Lang::Pl => "\u{a0}",
            Lang::Fa if self.native_digits => "\u{66c}",
            Lang::Fa => ",",
        }
    }

    fn decimal_sep(self) -> &'static str {
        match self.lang {
            Lang::En => ".",
            Lang::It | Lang::Pl => ",",
            Lang::Fa if self.native_digits => "\u{66b}",
            Lang::Fa => ".",
        }
    }

    /// Latin digits to this locale's digits.
    pub fn digits(self, s: &str) -> String {
        if !self.native_digits {
            return s.to_owned();
        }
        s.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) if c.is_ascii_digit() => char::from_u32(0x6F0 + d).unwrap_or(c),
                _ => c,
            })
            .collect()
    }

    /// A whole number with grouping: `1,234,567` / `1.234.567` / `1 234 567` / `۱٬۲۳۴٬۵۶۷`.
    pub fn int(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        // Polish groups only numbers of five digits or more (CLDR minimum grouping digits).
        let group = !(self.lang == Lang::Pl && digits.len() < 5);
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if group && i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(self.group_sep());
            }
            out.push(c);
        }
        self.digits(&out)
    }

    /// An amount in minor units of `currency`, with its symbol where the locale puts it.
    pub fn money(self, minor: i64, currency: &str) -> String {
        let scale = crate::money::minor_digits(currency);
        let div = 10_i64.pow(scale);
        let whole = self.int((minor / div).abs());
        let sign = if minor < 0 { "-" } else { "" };
        let number = if scale == 0 {
            format!("{sign}{whole}")
        } else {
            let frac = self.digits(&format!("{:0width$}", (minor % div).abs(), width = scale as usize));
            format!("{sign}{whole}{}{frac}", self.decimal_sep())
        };
        let symbol = match currency {
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            "JPY" => "¥",
            "PLN" if self.lang == Lang::Pl => "zł",
            "IRR" if self.lang == Lang::Fa => "ریال",
            other => other,
        };
        match self.lang {
            Lang::En if symbol.chars().count() == 1 => format!("{symbol}{number}"),
            Lang::En => format!("{symbol}\u{a0}{number}"),
            _ => format!("{number}\u{a0}{symbol}"),
        }
    }

    /// A calendar date: `Nov 22, 2026`, `22 nov 2026`, `22 lis 2026`, `۱ آذر ۱۴۰۵`.
    pub fn date_of_days(self, days: i64) -> String {
        let (y, m, d) = civil_from_days(days);
        let m = m as usize - 1;
        match self.lang {
            Lang::En => format!("{} {d}, {y}", EN_MONTHS[m]),
            Lang::It => format!("{d} {} {y}", IT_MONTHS[m]),
            Lang::Pl => format!("{d} {} {y}", PL_MONTHS[m]),
            Lang::Fa => {
                let (jy, jm, jd) = jalali_from_days(days);
                self.digits(&format!("{jd} {} {jy}", FA_MONTHS[jm as usize - 1]))
            }
        }
    }

    /// A time as a date (UTC).
    pub fn date(self, at: Millis) -> String {
        self.date_of_days(at.div_euclid(86_400_000))
    }

    /// A time as date and hour:minute (UTC).
    pub fn datetime(self, at: Millis) -> String {
        let mins = at.div_euclid(60_000);
        let (h, m) = ((mins / 60).rem_euclid(24), mins.rem_euclid(60));
        let sep = if self.lang == Lang::Fa { "،" } else { "," };
        format!("{}{sep} {}", self.date(at), self.digits(&format!("{h:02}:{m:02}")))
    }

    /// A stored `YYYY-MM-DD` date; text that is not one comes back unchanged.
    pub fn iso_date(self, iso: &str) -> String {
        let mut parts = iso.splitn(3, '-').map(|p| p.parse::<i64>().ok());
        match (parts.next().flatten(), parts.next().flatten(), parts.next().flatten()) {
            (Some(y), Some(m @ 1..=12), Some(d @ 1..=31)) => self.date_of_days(days_from_civil(y, m as u32, d as u32)),
            _ => iso.to_owned(),
        }
    }
}

const EN_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const IT_MONTHS: [&str; 12] = ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"];
const PL_MONTHS: [&str; 12] = ["sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru"];
const FA_MONTHS: [&str; 12] =
    ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"];

/// Years (Solar Hijri) where the 33-year leap pattern restarts, as in the astronomical tables
/// behind the Iranian calendar; valid for years -61 to 3177.
const BREAKS: [i64; 20] =
    [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178];

/// For a Solar Hijri year: whether it is a leap year, and the March day of its Nowruz (1 Farvardin).
fn jalali_year(jy: i64) -> (bool, u32) {
    let gy = jy + 621;
    let mut leap_j = -14;
    let mut jp = BREAKS[0];
    let mut jump = 0;
    for &jm in &BREAKS[1..] {
        jump = jm - jp;
        if jy < jm {
            break;
        }
        leap_j += jump / 33 * 8 + (jump % 33) / 4;
        jp = jm;
    }
    let mut n = jy - jp;
    leap_j += n / 33 * 8 + ((n % 33) + 3) / 4;
    if jump % 33 == 4 && jump - n == 4 {
        leap_j += 1;
    }
    let leap_g = gy / 4 - (gy / 100 + 1) * 3 / 4 - 150;
    let march = 20 + leap_j - leap_g;
    if jump - n < 6 {
        n = n - jump + (jump + 4) / 33 * 33;
    }
    let mut leap = ((n + 1) % 33 - 1) % 4;
    if leap == -1 {
        leap = 4;
    }
    (leap == 0, march as u32)
}

/// The Solar Hijri (Jalali) date of a day number (days since 1970-01-01), for years 1 to 3177.
pub fn jalali_from_days(days: i64) -> (i64, u32, u32) {
    let (gy, _, _) = civil_from_days(days);
    let mut jy = gy - 621;
    let (_, march) = jalali_year(jy);
    let mut k = days - days_from_civil(gy, 3, march);
    if k >= 0 {
        if k <= 185 {
            return (jy, 1 + (k / 31) as u32, (k % 31) as u32 + 1);
        }
        k -= 186;
    } else {
        jy -= 1;
        k += 179;
        if jalali_year(jy).0 {
            k += 1;
        }
    }
    (jy, 7 + (k / 30) as u32, (k % 30) as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FA: Locale = Locale { lang: Lang::Fa, native_digits: true };
    const IT: Locale = Locale { lang: Lang::It, native_digits: false };
    const PL: Locale = Locale { lang: Lang::Pl, native_digits: false };

    #[test]
    fn numbers_group_per_locale() {
        assert_eq!(Locale::EN.int(1_234_567), "1,234,567");
        assert_eq!(IT.int(1_234_567), "1.234.567");
        assert_eq!(PL.int(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(PL.int(1234), "1234");
        assert_eq!(FA.int(1_234_567), "۱٬۲۳۴٬۵۶۷");
        assert_eq!(Locale::EN.int(-1000), "-1,000");
        assert_eq!(Locale::EN.int(0), "0");
    }

    #[test]
    fn money_places_symbol_and_decimals() {
        assert_eq!(Locale::EN.money(123_456, "EUR"), "€1,234.56");
        assert_eq!(IT.money(123_456, "EUR"), "1.234,56\u{a0}€");
        assert_eq!(PL.money(1_234_500, "PLN"), "12\u{a0}345,00\u{a0}zł");
        assert_eq!(Locale::EN.money(5000, "JPY"), "¥5,000");
        assert_eq!(Locale::EN.money(-250, "USD"), "$-2.50");
        assert_eq!(FA.money(150, "EUR"), "۱٫۵۰\u{a0}€");
        assert_eq!(Locale::EN.money(1000, "CHF"), "CHF\u{a0}10.00");
    }

    #[test]
    fn dates_per_locale_and_calendar() {
        let day = days_from_civil(2026, 11, 22);
        assert_eq!(Locale::EN.date_of_days(day), "Nov 22, 2026");
        assert_eq!(IT.date_of_days(day), "22 nov 2026");
        assert_eq!(PL.date_of_days(day), "22 lis 2026");
        assert_eq!(FA.date_of_days(day), "۱ آذر ۱۴۰۵");
        assert_eq!(Locale { lang: Lang::Fa, native_digits: false }.date_of_days(day), "1 آذر 1405");
        assert_eq!(Locale::EN.iso_date("2026-01-05"), "Jan 5, 2026");
        assert_eq!(Locale::EN.iso_date("soon"), "soon");
        assert_eq!(Locale::EN.datetime(0), "Jan 1, 1970, 00:00");
    }

    #[test]
    fn known_nowruz_days() {
        for (y, m, d, jy) in [(2024, 3, 20, 1403), (2025, 3, 21, 1404), (2026, 3, 21, 1405), (1979, 3, 21, 1358)] {
            assert_eq!(jalali_from_days(days_from_civil(y, m, d)), (jy, 1, 1), "{y}-{m}-{d}");
        }
        // The last day of a leap Esfand (1403 is leap).
        assert_eq!(jalali_from_days(days_from_civil(2025, 3, 20)), (1403, 12, 30));
    }

    #[test]
    fn tags_and_negotiation() {
        assert_eq!(Locale::parse("fa").unwrap(), FA);
        assert!(!Locale::parse("fa-u-nu-latn").unwrap().native_digits);
        assert_eq!(Locale::parse("it-IT").unwrap(), IT);
        assert_eq!(Locale::parse("de"), None);
        assert_eq!(Locale::negotiate("de-DE,de;q=0.9,pl;q=0.8,en;q=0.5"), PL);
        assert_eq!(Locale::negotiate(""), Locale::EN);
        for l in [FA, IT, PL, Locale::EN, Locale { lang: Lang::Fa, native_digits: false }] {
            assert_eq!(Locale::parse(l.tag()), Some(l));
        }
    }

    /// A Jalali month's length: six of 31 days, five of 30, and Esfand of 29 or 30.
    fn month_len(jy: i64, jm: u32) -> u32 {
        match jm {
            1..=6 => 31,
            7..=11 => 30,
            _ if jalali_year(jy).0 => 30,
            _ => 29,
        }
    }

    proptest! {
        /// Day by day, the Jalali date steps exactly as a calendar with those month lengths does.
        #[test]
        fn jalali_steps_one_day_at_a_time(day in -25_000i64..60_000) {
            let (y, m, d) = jalali_from_days(day);
            let next = jalali_from_days(day + 1);
            let expected = if d < month_len(y, m) { (y, m, d + 1) } else if m < 12 { (y, m + 1, 1) } else { (y + 1, 1, 1) };
            prop_assert_eq!(next, expected);
        }

        #[test]
        fn grouping_removes_to_the_plain_number(n in any::<i64>()) {
            for l in [Locale::EN, IT, PL] {
                let plain: String = l.int(n).chars().filter(|c| c.is_ascii_digit() || *c == '-').collect();
                prop_assert_eq!(plain, n.to_string());
            }
        }
    }
}
