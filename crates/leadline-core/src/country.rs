//! Countries as people write them in exports: ISO 3166 codes (two or three letters) and names
//! in English, Italian, Polish and Persian ("Italy", "Italia", "Włochy", "ایتالیا").

/// (ISO 3166-1 alpha-2, alpha-3, names in English, Italian, Polish and Persian, and common
/// other spellings). Names are compared folded, letters and digits only.
const COUNTRIES: &[(&str, &str, &[&str])] = &[
    ("AF", "AFG", &["Afghanistan", "Afganistan", "افغانستان"]),
    ("AL", "ALB", &["Albania", "Albanien", "آلبانی"]),
    ("DZ", "DZA", &["Algeria", "Algieria", "الجزایر"]),
    ("AR", "ARG", &["Argentina", "Argentyna", "آرژانتین"]),
    ("AM", "ARM", &["Armenia", "ارمنستان"]),
    ("AU", "AUS", &["Australia", "استرالیا"]),
    ("AT", "AUT", &["Austria", "Österreich", "اتریش"]),
    ("AZ", "AZE", &["Azerbaijan", "Azerbaigian", "Azerbejdżan", "آذربایجان", "جمهوری آذربایجان"]),
    ("BH", "BHR", &["Bahrain", "Bahrajn", "بحرین"]),
    ("BY", "BLR", &["Belarus", "Bielorussia", "Białoruś", "بلاروس"]),
    ("BE", "BEL", &["Belgium", "Belgio", "Belgia", "België", "Belgique", "بلژیک"]),
    ("BA", "BIH", &["Bosnia and Herzegovina", "Bosnia ed Erzegovina", "Bośnia i Hercegowina", "بوسنی و هرزگوین"]),
    ("BR", "BRA", &["Brazil", "Brasile", "Brazylia", "Brasil", "برزیل"]),
    ("BG", "BGR", &["Bulgaria", "Bułgaria", "بلغارستان"]),
    ("CA", "CAN", &["Canada", "Kanada", "کانادا"]),
    ("CL", "CHL", &["Chile", "Cile", "شیلی"]),
    ("CN", "CHN", &["China", "Cina", "Chiny", "چین"]),
    ("CO", "COL", &["Colombia", "Kolumbia", "کلمبیا"]),
    ("HR", "HRV", &["Croatia", "Croazia", "Chorwacja", "Hrvatska", "کرواسی"]),
    ("CY", "CYP", &["Cyprus", "Cipro", "Cypr", "قبرس"]),
    ("CZ", "CZE", &["Czechia", "Czech Republic", "Repubblica Ceca", "Cechia", "Czechy", "چک", "جمهوری چک"]),
    ("DK", "DNK", &["Denmark", "Danimarca", "Dania", "دانمارک"]),
    ("EG", "EGY", &["Egypt", "Egitto", "Egipt", "مصر"]),
    ("EE", "EST", &["Estonia", "استونی"]),
    ("FI", "FIN", &["Finland", "Finlandia", "فنلاند"]),
    ("FR", "FRA", &["France", "Francia", "Francja", "فرانسه"]),
    ("GE", "GEO", &["Georgia", "Gruzja", "گرجستان"]),
    ("DE", "DEU", &["Germany", "Germania", "Niemcy", "Deutschland", "آلمان"]),
    ("GR", "GRC", &["Greece", "Grecia", "Grecja", "یونان"]),
    ("HU", "HUN", &["Hungary", "Ungheria", "Węgry", "مجارستان"]),
    ("IS", "ISL", &["Iceland", "Islanda", "Islandia", "ایسلند"]),
    ("IN", "IND", &["India", "Indie", "هند", "هندوستان"]),
    ("ID", "IDN", &["Indonesia", "Indonezja", "اندونزی"]),
    ("IR", "IRN", &["Iran", "Iran, Islamic Republic of", "Islamic Republic of Iran", "ایران"]),
    ("IQ", "IRQ", &["Iraq", "Irak", "عراق"]),
    ("IE", "IRL", &["Ireland", "Irlanda", "Irlandia", "ایرلند"]),
    ("IL", "ISR", &["Israel", "Israele", "Izrael"]),
    ("IT", "ITA", &["Italy", "Italia", "Włochy", "ایتالیا"]),
    ("JP", "JPN", &["Japan", "Giappone", "Japonia", "ژاپن"]),
    ("JO", "JOR", &["Jordan", "Giordania", "Jordania", "اردن"]),
    ("KZ", "KAZ", &["Kazakhstan", "Kazakistan", "Kazachstan", "قزاقستان"]),
    ("KW", "KWT", &["Kuwait", "Kuwejt", "کویت"]),
    ("LV", "LVA", &["Latvia", "Lettonia", "Łotwa", "لتونی"]),
    ("LB", "LBN", &["Lebanon", "Libano", "Liban", "لبنان"]),
    ("LT", "LTU", &["Lithuania", "Lituania", "Litwa", "لیتوانی"]),
    ("LU", "LUX", &["Luxembourg", "Lussemburgo", "Luksemburg", "لوکزامبورگ"]),
    ("MT", "MLT", &["Malta", "مالت"]),
    ("MX", "MEX", &["Mexico", "Messico", "Meksyk", "México", "مکزیک"]),
    ("MD", "MDA", &["Moldova", "Mołdawia", "مولداوی"]),
    ("MA", "MAR", &["Morocco", "Marocco", "Maroko", "مراکش"]),
    (
        "NL",
        "NLD",
        &["Netherlands", "The Netherlands", "Holland", "Paesi Bassi", "Olanda", "Holandia", "Niderlandy", "هلند"],
    ),
    ("NZ", "NZL", &["New Zealand", "Nuova Zelanda", "Nowa Zelandia", "نیوزیلند"]),
    ("NO", "NOR", &["Norway", "Norvegia", "Norwegia", "نروژ"]),
    ("OM", "OMN", &["Oman", "عمان"]),
    ("PK", "PAK", &["Pakistan", "پاکستان"]),
    ("PE", "PER", &["Peru", "Perù", "پرو"]),
    ("PH", "PHL", &["Philippines", "Filippine", "Filipiny", "فیلیپین"]),
    ("PL", "POL", &["Poland", "Polonia", "Polska", "لهستان"]),
    ("PT", "PRT", &["Portugal", "Portogallo", "Portugalia", "پرتغال"]),
    ("QA", "QAT", &["Qatar", "Katar", "قطر"]),
    ("RO", "ROU", &["Romania", "Rumunia", "رومانی"]),
    ("RU", "RUS", &["Russia", "Russian Federation", "Rosja", "روسیه"]),
    ("SM", "SMR", &["San Marino", "سان مارینو"]),
    ("SA", "SAU", &["Saudi Arabia", "Arabia Saudita", "Arabia Saudyjska", "عربستان", "عربستان سعودی"]),
    ("RS", "SRB", &["Serbia", "صربستان"]),
    ("SG", "SGP", &["Singapore", "Singapur", "سنگاپور"]),
    ("SK", "SVK", &["Slovakia", "Slovacchia", "Słowacja", "اسلواکی"]),
    ("SI", "SVN", &["Slovenia", "Słowenia", "اسلوونی"]),
    ("ZA", "ZAF", &["South Africa", "Sudafrica", "Republika Południowej Afryki", "RPA", "آفریقای جنوبی"]),
    ("KR", "KOR", &["South Korea", "Korea, Republic of", "Corea del Sud", "Korea Południowa", "کره جنوبی"]),
    ("ES", "ESP", &["Spain", "Spagna", "Hiszpania", "España", "اسپانیا"]),
    ("SE", "SWE", &["Sweden", "Svezia", "Szwecja", "سوئد"]),
    ("CH", "CHE", &["Switzerland", "Svizzera", "Szwajcaria", "Schweiz", "Suisse", "سوئیس"]),
    ("SY", "SYR", &["Syria", "Siria", "سوریه"]),
    ("TH", "THA", &["Thailand", "Tailandia", "Tajlandia", "تایلند"]),
    ("TN", "TUN", &["Tunisia", "Tunezja", "تونس"]),
    ("TR", "TUR", &["Turkey", "Türkiye", "Turchia", "Turcja", "ترکیه"]),
    ("TM", "TKM", &["Turkmenistan", "ترکمنستان"]),
    ("UA", "UKR", &["Ukraine", "Ucraina", "Ukraina", "اوکراین"]),
    (
        "AE",
        "ARE",
        &[
            "United Arab Emirates",
            "UAE",
            "Emirati Arabi Uniti",
            "Zjednoczone Emiraty Arabskie",
            "ZEA",
            "امارات",
            "امارات متحده عربی",
        ],
    ),
    (
        "GB",
        "GBR",
        &[
            "United Kingdom",
            "UK",
            "Great Britain",
            "Britain",
            "England",
            "Regno Unito",
            "Gran Bretagna",
            "Inghilterra",
            "Wielka Brytania",
            "Anglia",
            "بریتانیا",
            "انگلستان",
            "انگلیس",
            "پادشاهی متحده",
        ],
    ),
    (
        "US",
        "USA",
        &[
            "United States",
            "United States of America",
            "US",
            "U.S.",
            "U.S.A.",
            "America",
            "Stati Uniti",
            "Stati Uniti d'America",
            "Stany Zjednoczone",
            "USA",
            "آمریکا",
            "امریکا",
            "ایالات متحده",
            "ایالات متحده آمریکا",
        ],
    ),
    ("UZ", "UZB", &["Uzbekistan", "Uzbekistán", "ازبکستان"]),
    ("VA", "VAT", &["Vatican City", "Holy See", "Città del Vaticano", "Vaticano", "Watykan", "واتیکان"]),
    ("VN", "VNM", &["Vietnam", "Viet Nam", "Wietnam", "ویتنام"]),
];

fn key(s: &str) -> String {
    crate::text::fold(s).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The ISO 3166-1 alpha-2 code a cell names: a two-letter code any phone region has, one of the
/// three-letter codes, or a country's name in one of the interface languages.
pub fn code(cell: &str) -> Option<&'static str> {
    let t = cell.trim();
    if t.len() == 2 && t.is_ascii() {
        let upper = t.to_ascii_uppercase();
        return COUNTRIES.iter().map(|(c, _, _)| *c).find(|c| *c == upper).or_else(|| any_region(&upper));
    }
    let k = key(t);
    if k.is_empty() {
        return None;
    }
    COUNTRIES
        .iter()
        .find(|(_, a3, names)| a3.eq_ignore_ascii_case(t) || names.iter().any(|n| key(n) == k))
        .map(|(c, _, _)| *c)
}

/// A two-letter code outside the name table: the phone metadata names every region.
fn any_region(upper: &str) -> Option<&'static str> {
    phonenumber::metadata::DATABASE
        .by_id(upper)
        .map(|m| m.id())
        .and_then(|id| if id == upper { Some(id) } else { None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_in_four_languages() {
        for cell in ["IT", "it", "ITA", "Italy", "Italia", "ITALIA", "Włochy", "wlochy", "ایتالیا"] {
            assert_eq!(code(cell), Some("IT"), "{cell}");
        }
        assert_eq!(code("Stati Uniti d'America"), Some("US"));
        assert_eq!(code("United States"), Some("US"));
        assert_eq!(code("Polska"), Some("PL"));
        assert_eq!(code("ایران"), Some("IR"));
        assert_eq!(code("Iran, Islamic Republic of"), Some("IR"));
        assert_eq!(code("Wielka Brytania"), Some("GB"));
        assert_eq!(code("SM"), Some("SM"));
        assert_eq!(code("KE"), Some("KE"), "a code outside the name table");
        assert_eq!(code("Atlantis"), None);
        assert_eq!(code("XX"), None);
        assert_eq!(code(""), None);
    }

    #[test]
    fn every_name_is_one_country() {
        let mut seen = std::collections::HashMap::new();
        for (c, a3, names) in COUNTRIES {
            assert!(c.parse::<phonenumber::country::Id>().is_ok(), "{c}");
            assert_eq!(a3.len(), 3);
            for n in *names {
                if let Some(other) = seen.insert(key(n), *c) {
                    assert_eq!(other, *c, "{n} names two countries");
                }
            }
        }
    }
}
