//! Realistic demo data: 5,000 contacts named in English, Persian, Italian and Polish, 800
//! companies, 600 deals and 60,000 activities over six months, along a consistent funnel
//! (every stage change is in the history with the time it happened).

use std::collections::HashMap;

use leadline_core::contact::{Consent, ConsentChannel, ContactChanges, FieldChanges};
use leadline_core::email::Email;
use leadline_core::lifecycle::ChangeCause;
use leadline_core::phone::Phone;
use leadline_core::record::{field, ObjectKind, Scalar};
use leadline_core::role::Role;
use leadline_store::{Actor, CompanyUpsert, ContactUpsert, NewActivity, Store};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const DAY: i64 = 86_400_000;

pub struct DemoSize {
    pub contacts: usize,
    pub companies: usize,
    pub deals: usize,
    pub activities: usize,
}

impl Default for DemoSize {
    fn default() -> Self {
        Self { contacts: 5_000, companies: 800, deals: 600, activities: 60_000 }
    }
}

struct Locale {
    country: &'static str,
    language: &'static str,
    first: &'static [&'static str],
    last: &'static [&'static str],
    free_mail: &'static str,
    phone_prefix: &'static str,
}

const LOCALES: &[Locale] = &[
    Locale {
        country: "GB",
        language: "en",
        first: &[
            "Olivia",
            "Amelia",
            "Isla",
            "Ava",
            "Oliver",
            "George",
            "Harry",
            "Noah",
            "Jack",
            "Emily",
            "Sophie",
            "James",
            "Charlotte",
            "Thomas",
            "Grace",
        ],
        last: &[
            "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
            "Thompson", "Evans", "Walker", "White",
        ],
        free_mail: "gmail.com",
        phone_prefix: "+44 7700 9",
    },
    Locale {
        country: "IR",
        language: "fa",
        first: &[
            "علی",
            "محمد",
            "رضا",
            "حسین",
            "مهدی",
            "زهرا",
            "فاطمه",
            "مریم",
            "سارا",
            "نرگس",
            "امیر",
            "نیلوفر",
            "کیان",
            "یاسمن",
            "پریسا",
        ],
        last: &[
            "محمدی",
            "حسینی",
            "کریمی",
            "رضایی",
            "موسوی",
            "احمدی",
            "جعفری",
            "صادقی",
            "نوری",
            "کاظمی",
            "رحیمی",
            "هاشمی",
            "تهرانی",
            "شیرازی",
        ],
        free_mail: "chmail.ir",
        phone_prefix: "+98 912 3",
    },
    Locale {
        country: "IT",
        language: "it",
        first: &[
            "Giulia",
            "Francesca",
            "Chiara",
            "Sofia",
            "Marco",
            "Luca",
            "Alessandro",
            "Matteo",
            "Lorenzo",
            "Niccolò",
            "Federica",
            "Giorgia",
            "Andrea",
            "Davide",
            "Elena",
        ],
        last: &[
            "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
            "Bruno", "Gallo", "Conti", "De Luca",
        ],
        free_mail: "libero.it",
        phone_prefix: "+39 347 1",
    },
    Locale {
        country: "PL",
        language: "pl",
        first: &[
            "Anna",
            "Katarzyna",
            "Małgorzata",
            "Agnieszka",
            "Łukasz",
            "Piotr",
            "Krzysztof",
            "Tomasz",
            "Paweł",
            "Michał",
            "Zofia",
            "Wojciech",
            "Jędrzej",
            "Grażyna",
            "Bożena",
        ],
        last: &[
            "Nowak",
            "Kowalski",
            "Wiśniewski",
            "Wójcik",
            "Kowalczyk",
            "Kamiński",
            "Lewandowski",
            "Zieliński",
            "Szymański",
            "Woźniak",
            "Dąbrowski",
            "Kozłowski",
            "Jankowski",
            "Mazur",
        ],
        free_mail: "wp.pl",
        phone_prefix: "+48 601 2",
    },
];

const COMPANY_WORDS: &[&str] = &[
    "Nord", "Sol", "Vetro", "Atlas", "Orbita", "Kaveh", "Zagros", "Wisła", "Lumen", "Ferro", "Delta", "Aria", "Pixel",
    "Tessile", "Mare", "Polar", "Cedro", "Sahand", "Baltic", "Vento",
];
const COMPANY_KINDS: &[(&str, &str)] = &[
    ("Logistics", "logistics"),
    ("Software", "software"),
    ("Foods", "food"),
    ("Energy", "energy"),
    ("Design", "design"),
    ("Health", "healthcare"),
    ("Retail", "retail"),
    ("Textiles", "manufacturing"),
    ("Finance", "financial_services"),
    ("Media", "media"),
];
const TITLES: &[&str] = &[
    "CEO",
    "CTO",
    "Head of Marketing",
    "Marketing Manager",
    "Sales Director",
    "Procurement Lead",
    "Operations Manager",
    "IT Manager",
    "Product Manager",
    "Office Manager",
    "Founder",
    "CFO",
];
const SOURCES: &[(&str, u32)] = &[
    ("organic_search", 28),
    ("paid_ads", 18),
    ("social", 14),
    ("email", 8),
    ("referral", 10),
    ("events", 8),
    ("chat", 6),
    ("purchased_list", 8),
];
const CAMPAIGNS: &[&str] =
    &["spring-webinar", "black-friday", "trade-show-milano", "linkedin-abm", "newsletter", "retargeting-q3"];
const PAGES: &[&str] = &[
    "/",
    "/pricing",
    "/features",
    "/blog/lead-scoring",
    "/blog/funnel",
    "/case-studies",
    "/careers",
    "/contact",
    "/demo",
];

/// Funnel stages reached, in order, and how many contacts stop at each (per mille).
const FUNNEL: &[(&str, u32)] = &[
    ("subscriber", 300),
    ("lead", 350),
    ("mql", 150),
    ("sql", 80),
    ("opportunity", 50),
    ("customer", 60),
    ("evangelist", 10),
];

fn pick_weighted<'a>(rng: &mut StdRng, items: &'a [(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.gen_range(0..total);
    for (item, w) in items {
        if r < *w {
            return item;
        }
        r -= w;
    }
    items[0].0
}

fn text(v: impl Into<String>) -> Option<Scalar> {
    Some(Scalar::Text(v.into()))
}

struct Person {
    id: String,
    email: String,
    created: i64,
    /// Stages reached, with the time each was reached.
    path: Vec<(&'static str, i64)>,
    company: Option<usize>,
}

/// The demo admin's e-mail.
pub const ADMIN_EMAIL: &str = "admin@leadline.demo";

/// Fill an empty store. Returns the demo admin's password.
pub async fn seed(
    store: &dyn Store,
    size: &DemoSize,
    now: i64,
    mut progress: impl FnMut(&str),
) -> Result<String, String> {
    let e = |e: leadline_store::StoreError| e.to_string();
    let mut rng = StdRng::seed_from_u64(20_261_122);
    let start = now - 180 * DAY;
    let password = format!("demo-{}", leadline_server::auth::secret(9));
    let hash = leadline_server::auth::hash_password(&password).map_err(|e| e.message)?;
    store.create_user(ADMIN_EMAIL, Some("Demo Admin"), Role::Admin, Some(&hash), start).await.map_err(e)?;
    let mut reps = Vec::new();
    for (email, name, role) in [
        ("sara.marketing@leadline.demo", "Sara Conti", Role::Marketing),
        ("piotr.sales@leadline.demo", "Piotr Nowak", Role::Sales),
        ("reza.sales@leadline.demo", "Reza Karimi", Role::Sales),
        ("emily.sales@leadline.demo", "Emily Walker", Role::Sales),
        ("luca.agent@leadline.demo", "Luca Bianchi", Role::Agent),
        ("viewer@leadline.demo", "Board Viewer", Role::ReadOnly),
    ] {
        let u = store.create_user(email, Some(name), role, Some(&hash), start).await.map_err(e)?;
        if role == Role::Sales {
            reps.push(u.id);
        }
    }
    progress("users");

    // Companies, each at a locale.
    let cf = |n| field(ObjectKind::Company, n).expect("company field");
    let mut companies = Vec::new();
    let mut company_locale = Vec::new();
    for i in 0..size.companies {
        let loc = &LOCALES[i % LOCALES.len()];
        let word = COMPANY_WORDS[i % COMPANY_WORDS.len()];
        let (kind, industry) = COMPANY_KINDS[(i / COMPANY_WORDS.len()) % COMPANY_KINDS.len()];
        let n = i / (COMPANY_WORDS.len() * COMPANY_KINDS.len());
        let name = if n == 0 { format!("{word} {kind}") } else { format!("{word} {kind} {}", n + 1) };
        let domain = format!(
            "{}{}.{}",
            word.to_lowercase().replace('ł', "l").replace('ś', "s"),
            kind.to_lowercase(),
            match loc.country {
                "GB" => "co.uk",
                "IR" => "ir",
                "IT" => "it",
                _ => "pl",
            }
        );
        let domain = if n == 0 { domain } else { format!("{}{}", n + 1, domain) };
        let mut c = FieldChanges::default();
        c.set(cf("name"), text(name));
        c.set(cf("domain"), text(domain));
        c.set(cf("industry"), text(industry));
        c.set(cf("employee_count"), Some(Scalar::Int([8, 25, 60, 150, 400, 1200, 5000][rng.gen_range(0..7)])));
        c.set(cf("country"), text(loc.country));
        c.set(cf("owner_id"), text(reps.choose(&mut rng).expect("reps").clone()));
        if rng.gen_ratio(1, 10) {
            c.set(cf("tier"), text(leadline_core::record::ACCOUNT_TIERS[rng.gen_range(0..3)]));
        }
        companies.push(CompanyUpsert { id: None, changes: c, external_ids: Vec::new() });
        company_locale.push(i % LOCALES.len());
    }
    let actor = |now| Actor::new(None, ChangeCause::Import, now);
    let mut company_ids = Vec::new();
    for chunk in companies.chunks(1000) {
        for o in store.upsert_companies(chunk.to_vec(), actor(start), false).await.map_err(e)? {
            company_ids.push(o.map_err(e)?.id);
        }
    }
    let company_domains: Vec<String> = companies
        .iter()
        .map(|c| c.changes.get("domain").and_then(|v| v.as_ref()).map(ToString::to_string).unwrap_or_default())
        .collect();
    let company_names: Vec<String> = companies
        .iter()
        .map(|c| c.changes.get("name").and_then(|v| v.as_ref()).map(ToString::to_string).unwrap_or_default())
        .collect();
    progress("companies");

    // Contacts, created day by day over six months.
    let f = |n| field(ObjectKind::Contact, n).expect("contact field");
    let mut by_day: HashMap<i64, Vec<(usize, ContactUpsert)>> = HashMap::new();
    let mut people: Vec<Person> = Vec::with_capacity(size.contacts);
    for i in 0..size.contacts {
        let at_company = rng.gen_ratio(7, 10);
        let company = at_company.then(|| rng.gen_range(0..company_ids.len()));
        let loc = &LOCALES[company.map_or(rng.gen_range(0..LOCALES.len()), |c| company_locale[c])];
        let (first, last) = (*loc.first.choose(&mut rng).expect("names"), *loc.last.choose(&mut rng).expect("names"));
        let ascii: String = leadline_core::text::fold(&format!("{first}.{last}"))
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        let local = if ascii.len() > 2 { ascii } else { format!("user{}", rng.gen_range(100..999)) };
        let domain = company.map_or(loc.free_mail, |c| company_domains[c].as_str());
        let email = Email::parse("email", &format!("{local}.{i}@{domain}")).map_err(|e| e.to_string())?;
        let day = rng.gen_range(0..180);
        let created = start + day * DAY + rng.gen_range(0..DAY / 2);
        let mut c = ContactChanges::default();
        c.record.set(f("first_name"), text(first));
        c.record.set(f("last_name"), text(last));
        c.record.set(f("country"), text(loc.country));
        c.record.set(f("language"), text(loc.language));
        c.record.set(f("job_title"), text(*TITLES.choose(&mut rng).expect("titles")));
        let source = pick_weighted(&mut rng, SOURCES);
        c.record.set(f("source"), text(source));
        c.record.set(f("original_source"), text(source));
        if source == "purchased_list" {
            c.record.set(f("source_list"), text("expo-2026-attendees"));
        } else if rng.gen_ratio(1, 2) {
            c.record.set(f("source_campaign"), text(*CAMPAIGNS.choose(&mut rng).expect("campaigns")));
        }
        if let Some(ci) = company {
            c.record.set(f("company_id"), text(company_ids[ci].clone()));
            c.record.set(f("company_name"), text(company_names[ci].clone()));
        }
        c.record.set(f("lifecycle_stage"), text("subscriber"));
        let email_text = email.as_str().to_owned();
        c.emails = Some(vec![email]);
        // Some people at a company give its switchboard rather than a phone of their own:
        // several contacts then share a number, and are listed as possible duplicates, never
        // merged.
        let switchboard =
            company.filter(|_| rng.gen_ratio(1, 8)).map(|c| format!("{}{:05}", loc.phone_prefix, 99_999 - c));
        if let Some(phone) = switchboard {
            c.phones = Phone::parse("phone", &phone, None).ok().map(|p| vec![p]);
        } else if rng.gen_ratio(6, 10) {
            let phone = format!("{}{:05}", loc.phone_prefix, (i * 7919) % 100_000);
            if let Ok(p) = Phone::parse("phone", &phone, None) {
                c.phones = Some(vec![p]);
            }
        }
        c.consent.push(Consent {
            channel: ConsentChannel::Email,
            granted: rng.gen_ratio(8, 10),
            at: created,
            origin: format!("form:{source}"),
        });
        // Where this person stops in the funnel, and when each step happened.
        let last_stage = pick_weighted(&mut rng, FUNNEL);
        let stop = FUNNEL.iter().position(|(s, _)| *s == last_stage).unwrap_or(0);
        let mut t = created;
        let mut path = vec![("subscriber", created)];
        for (stage, _) in &FUNNEL[1..=stop] {
            t += rng.gen_range(DAY / 4..9 * DAY);
            if t >= now {
                break;
            }
            path.push((stage, t));
        }
        by_day.entry(created / DAY).or_default().push((i, ContactUpsert { id: None, changes: c }));
        people.push(Person { id: String::new(), email: email_text, created, path, company });
    }
    let mut days: Vec<i64> = by_day.keys().copied().collect();
    days.sort_unstable();
    for d in days {
        let batch = by_day.remove(&d).unwrap_or_default();
        let (idx, items): (Vec<usize>, Vec<ContactUpsert>) = batch.into_iter().unzip();
        let outcomes = store.upsert_contacts(items, actor(d * DAY + DAY / 2), false).await.map_err(e)?;
        for (i, o) in idx.into_iter().zip(outcomes) {
            people[i].id = o.map_err(e)?.id;
        }
    }
    progress("contacts");
    store.scan_duplicates(actor(now)).await.map_err(e)?;
    // Segments the engine fills as soon as the server runs (it rescans every contact).
    for (name, condition) in [
        ("MQLs in Poland", "lifecycle_stage = \"mql\" and country = \"PL\""),
        ("Pricing page, last 30 days", "count(page_view where url contains \"/pricing\", last 30 days) >= 1"),
        ("Fit A", "fit >= 60"),
        ("Customers at risk", "lifecycle_stage in (\"customer\", \"evangelist\") and health < 20"),
    ] {
        store.create_segment(name, Some(condition), now).await.map_err(e)?;
    }
    store.engine_request_rescan(leadline_server::engine::NAME).await.map_err(e)?;
    // Routing: Polish, Czech and Slovak leads to Piotr's CEE team, the rest in turn to Reza and
    // Emily (who takes two for Reza's one, up to 60 open); the account's owner first.
    let routing = leadline_core::routing::Routing {
        rules: leadline_core::routing::parse_rules("account owner\nterritory PL, CZ, SK -> cee\nround robin sales")
            .map_err(|(line, what)| format!("demo routing, line {line}: {what}"))?,
        sla_minutes: 240,
    };
    leadline_server::routing::set_settings(store, &routing, now).await.map_err(|e| e.message)?;
    for (rep, team, weight, max_open) in [(0, "cee", 1, None), (1, "sales", 1, None), (2, "sales", 2, Some(60))] {
        let member = leadline_core::routing::Member {
            user_id: reps[rep].clone(),
            team: team.into(),
            weight,
            max_open,
            away_until: None,
            open: 0,
            assigned: 0,
        };
        store.set_routing_member(&member).await.map_err(e)?;
    }

    // Stage changes, replayed in time order so history and time-in-stage are real.
    let mut moves: Vec<(i64, usize, &str)> =
        people.iter().enumerate().flat_map(|(i, p)| p.path.iter().skip(1).map(move |(s, t)| (*t, i, *s))).collect();
    moves.sort_unstable();
    for (at, i, stage) in moves {
        let mut c = ContactChanges::default();
        c.record.set(f("lifecycle_stage"), text(stage));
        match stage {
            "mql" => c.record.set(f("owner_id"), text(reps[i % reps.len()].clone())),
            "sql" => c.record.set(f("lead_status"), text("qualified")),
            _ => {}
        }
        let by_rule = Actor::new(None, ChangeCause::Rule, at);
        store.update_contact(&people[i].id, &c, leadline_store::WriteOptions::default(), by_rule).await.map_err(e)?;
    }
    progress("lifecycle");

    // Deals for the contacts that got furthest, from SQL on, opened when they became an
    // opportunity (or an SQL); customers' deals are won.
    let df = |n| field(ObjectKind::Deal, n).expect("deal field");
    let mut deals: Vec<(usize, String)> = Vec::new();
    let mut candidates: Vec<(usize, i64)> = people
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let at = |stage: &str| p.path.iter().find(|(s, _)| *s == stage).map(|(_, t)| *t);
            at("opportunity").or_else(|| at("sql")).map(|t| (i, t))
        })
        .collect();
    candidates.sort_by_key(|(i, _)| std::cmp::Reverse(people[*i].path.len()));
    candidates.truncate(size.deals);
    candidates.sort_unstable();
    for (i, opened) in candidates {
        let p = &people[i];
        let opened = &opened;
        let won = p.path.iter().any(|(s, _)| *s == "customer");
        let mut d = FieldChanges::default();
        let company_name = p.company.map_or("Private".to_owned(), |c| company_names[c].clone());
        // The first deal is new business; customers get their renewals and upsells below.
        let stages = [
            "appointment_scheduled",
            "qualified_to_buy",
            "presentation_scheduled",
            "decision_maker_bought_in",
            "contract_sent",
        ];
        d.set(df("name"), text(format!("{company_name} – {}", ["Starter", "Growth", "Enterprise", "Team"][i % 4])));
        d.set(df("amount"), Some(Scalar::Int(rng.gen_range(20..600) * 10_000)));
        // Some deals in other currencies (the forecast converts them with the demo's rates).
        d.set(df("currency"), text(["EUR", "EUR", "EUR", "USD", "PLN"][i % 5]));
        d.set(df("pipeline"), text("default"));
        d.set(df("stage"), text(if won { stages[stages.len() - 1] } else { stages[rng.gen_range(0..stages.len())] }));
        d.set(df("close_date"), text(leadline_core::date::date_of_millis(opened + rng.gen_range(14..60) * DAY)));
        d.set(df("owner_id"), text(reps[i % reps.len()].clone()));
        if let Some(c) = p.company {
            d.set(df("company_id"), text(company_ids[c].clone()));
        }
        let deal = store
            .create_deal(&d, std::slice::from_ref(&p.id), Actor::new(None, ChangeCause::Rule, *opened))
            .await
            .map_err(e)?;
        if won {
            let won_at = p.path.iter().find(|(s, _)| *s == "customer").map_or(now, |(_, t)| *t);
            let mut w = FieldChanges::default();
            w.set(df("status"), text("won"));
            w.set(df("won_reason"), text(leadline_core::pipeline::WON_REASONS[i % 5]));
            store.update_deal(&deal.id, &w, None, Actor::new(None, ChangeCause::Rule, won_at)).await.map_err(e)?;
        }
        if !won && i % 6 == 0 && now - *opened > 60 * DAY {
            let mut l = FieldChanges::default();
            l.set(df("status"), text("lost"));
            l.set(df("lost_reason"), text(leadline_core::pipeline::LOST_REASONS[i % 6]));
            let lost_at = *opened + 45 * DAY;
            store.update_deal(&deal.id, &l, None, Actor::new(None, ChangeCause::Rule, lost_at)).await.map_err(e)?;
        }
        deals.push((i, deal.id));
        // Some customers are being sold more: a renewal coming up, an upsell under way (some
        // of them already won). The rest of the healthy ones are the upsell candidates.
        if won && i % 3 != 2 {
            let (pipeline, name, stages): (&str, &str, &[&str]) = if i % 3 == 0 {
                ("renewal", "Renewal", &["coming_up", "in_negotiation", "renewal_signed"])
            } else {
                ("upsell", "More seats", &["opportunity_found", "proposal", "agreed"])
            };
            let since = p.path.iter().find(|(s, _)| *s == "customer").map_or(now, |(_, t)| *t);
            let opened = since + (now - since) / 2;
            let mut x = FieldChanges::default();
            x.set(df("name"), text(format!("{company_name} – {name}")));
            x.set(df("amount"), Some(Scalar::Int(rng.gen_range(10..200) * 10_000)));
            x.set(df("currency"), text("EUR"));
            x.set(df("pipeline"), text(pipeline));
            x.set(df("stage"), text(stages[rng.gen_range(0..stages.len())]));
            x.set(df("close_date"), text(leadline_core::date::date_of_millis(now + rng.gen_range(7..90) * DAY)));
            x.set(df("owner_id"), text(reps[i % reps.len()].clone()));
            if let Some(c) = p.company {
                x.set(df("company_id"), text(company_ids[c].clone()));
            }
            let more = store
                .create_deal(&x, std::slice::from_ref(&p.id), Actor::new(None, ChangeCause::Rule, opened))
                .await
                .map_err(e)?;
            if i % 9 == 1 {
                let mut w = FieldChanges::default();
                w.set(df("status"), text("won"));
                w.set(df("stage"), text(stages[stages.len() - 1]));
                w.set(df("won_reason"), text(leadline_core::pipeline::WON_REASONS[i % 5]));
                store.update_deal(&more.id, &w, None, Actor::new(None, ChangeCause::Rule, now)).await.map_err(e)?;
            }
        }
    }
    // What a dollar and a złoty were worth, and a goal for each month around now.
    let year_ago = leadline_core::date::date_of_millis(now - 365 * DAY);
    store.set_rates(&[("USD".into(), year_ago.clone(), 0.92), ("PLN".into(), year_ago, 0.23)]).await.map_err(e)?;
    let month = |m: i64| leadline_core::date::date_of_millis(now + m * 30 * DAY)[..7].to_owned();
    let goals: Vec<(String, String, i64)> = (-6..=6).map(|m| (month(m), String::new(), 4_000_000)).collect();
    store.set_goals(&goals).await.map_err(e)?;
    progress("deals");

    // Activities: more for people further down the funnel.
    let weights: Vec<u32> = people.iter().map(|p| 1 + 2 * p.path.len() as u32).collect();
    let total_weight: u32 = weights.iter().sum();
    let deal_of: HashMap<usize, String> = deals.into_iter().collect();
    let mut batch = Vec::with_capacity(1000);
    for (i, p) in people.iter().enumerate() {
        let n = (size.activities as u64 * u64::from(weights[i]) / u64::from(total_weight)) as usize;
        let stage = p.path.last().map_or("subscriber", |(s, _)| *s);
        for k in 0..n {
            let t = p.created + rng.gen_range(0..(now - p.created).max(1));
            let kind = match (stage, rng.gen_range(0..10)) {
                (_, 0..=3) => "page_view",
                (_, 4) => "email_opened",
                (_, 5) => "email_clicked",
                ("subscriber" | "lead", _) => ["page_view", "form_submission", "email_sent"][k % 3],
                ("mql", _) => ["form_submission", "chat_message", "email_sent"][k % 3],
                ("sql", _) => ["call", "email_sent", "meeting"][k % 3],
                (_, _) => ["meeting", "call", "purchase", "product_event"][k % 4],
            };
            let mut props = serde_json::Map::new();
            match kind {
                "page_view" => {
                    props.insert("url".into(), (*PAGES.choose(&mut rng).expect("pages")).into());
                }
                "call" => {
                    props.insert("outcome".into(), ["connected", "left_voicemail", "no_answer"][k % 3].into());
                    props.insert("duration_seconds".into(), rng.gen_range(20..1800).into());
                }
                "purchase" => {
                    props.insert("amount".into(), (rng.gen_range(10..500) * 100).into());
                    props.insert("currency".into(), "EUR".into());
                }
                _ => {}
            }
            let activity = NewActivity {
                kind: kind.into(),
                occurred_at: t,
                contact_id: Some(p.id.clone()),
                deal_id: if matches!(kind, "meeting" | "call") { deal_of.get(&i).cloned() } else { None },
                channel: Some(
                    match kind {
                        "page_view" | "form_submission" => "web",
                        "email_sent" | "email_opened" | "email_clicked" => "email",
                        "chat_message" => "chat",
                        "call" => "phone",
                        _ => "sales",
                    }
                    .into(),
                ),
                campaign: CAMPAIGNS.choose(&mut rng).map(|c| c.to_string()).filter(|_| k % 4 == 0),
                source: None,
                properties: props,
                idempotency_key: None,
                company_id: None,
            };
            queue(store, &mut batch, activity, now).await?;
        }
    }
    append(store, batch, now).await?;
    customers_use(store, &people, now, &mut rng).await?;
    progress("activities");
    marketing(store, &people, now, &mut rng).await?;
    progress("sites, forms, pages, campaigns and tracked visits");
    Ok(password)
}

/// An activity of a customer's use: its type, when, and its properties.
type UseEvent = (&'static str, i64, Vec<(&'static str, &'static str)>);

/// What customers do after they bought, which their health is read from: most use the product
/// most days and try its features, some slowly, and every fifth has gone quiet and writes to
/// support instead.
async fn customers_use(store: &dyn Store, people: &[Person], now: i64, rng: &mut StdRng) -> Result<(), String> {
    let mut batch = Vec::new();
    for (i, p) in people.iter().enumerate() {
        let Some(since) = p.path.iter().find(|(s, _)| matches!(*s, "customer" | "evangelist")).map(|(_, t)| *t) else {
            continue;
        };
        let mut events: Vec<UseEvent> = Vec::new();
        let product = |name: &'static str, at: i64| -> UseEvent { ("product_event", at, vec![("name", name)]) };
        let (quiet_for, every) = match i % 5 {
            0 => (rng.gen_range(35..90), 3),
            1 => (0, 6),
            _ => (0, rng.gen_range(1..3)),
        };
        let mut at = since;
        while at < now - quiet_for * DAY {
            events.push(product("active_day", at));
            if rng.gen_range(0..4) == 0 {
                events.push(product("feature_used", at));
            }
            at += every * DAY + rng.gen_range(0..DAY);
        }
        if i % 5 == 2 {
            events.push(product("invited", now - rng.gen_range(1..60) * DAY));
        }
        if i % 5 == 0 {
            for k in 0..rng.gen_range(1..5) {
                let priority = if k == 0 { "urgent" } else { "normal" };
                let subject = ["Cannot export", "Invoice question", "Login fails"][(i + k) % 3];
                let at = now - rng.gen_range(1..60) * DAY;
                events.push(("support_ticket", at, vec![("priority", priority), ("subject", subject)]));
            }
        }
        for (kind, at, props) in events {
            if at < since || at > now {
                continue;
            }
            let props = props.into_iter().map(|(k, v)| (k.to_owned(), v.into())).collect();
            let activity = NewActivity {
                kind: kind.into(),
                occurred_at: at,
                contact_id: Some(p.id.clone()),
                deal_id: None,
                channel: Some(if kind == "support_ticket" { "support" } else { "product" }.into()),
                campaign: None,
                source: None,
                properties: props,
                idempotency_key: None,
                company_id: None,
            };
            queue(store, &mut batch, activity, now).await?;
        }
    }
    append(store, batch, now).await
}

/// Add an activity to `batch`, storing the batch once it holds a thousand.
async fn queue(store: &dyn Store, batch: &mut Vec<NewActivity>, a: NewActivity, now: i64) -> Result<(), String> {
    batch.push(a);
    if batch.len() == 1000 {
        append(store, std::mem::take(batch), now).await?;
    }
    Ok(())
}

/// The demo's marketing: a site with its write key, a form and an A/B landing page, campaigns
/// with six months of spend, a webhook-free setup, and tracked visits: people's first visits
/// from campaigns and search before they became known, kept in the tracking inbox so the
/// tracker stitches them on the first start (first touches, original sources, campaign
/// reports and attribution then have real data).
async fn marketing(store: &dyn Store, people: &[Person], now: i64, rng: &mut StdRng) -> Result<(), String> {
    use leadline_store::{CampaignRow, Conversions, FormRow, Hosted, SiteSettings};
    let e = |e: leadline_store::StoreError| e.to_string();
    let settings = SiteSettings {
        name: "Nordwind website".into(),
        allowed_origins: vec!["https://nordwind.example".into()],
        require_consent: false,
        honor_dnt: true,
    };
    let site = store.create_site(&settings, "wk_demo_nordwind_website", now).await.map_err(e)?;
    let form = serde_json::json!({
        "name": "Book a demo", "slug": "book-a-demo", "site_id": site.id,
        "fields": [
            {"target": "email", "label": "Work e-mail", "kind": "email", "required": true},
            {"target": "first_name", "label": "First name", "required": true},
            {"target": "company_name", "label": "Company"},
            {"target": "job_title", "label": "Role", "progressive": true},
        ],
        "consent": [{"channel": "email", "wording": "Send me the monthly product news", "required": false}],
        "thank_you": "Thank you! We will call you within a day.",
    });
    let row = |slug: &str, name: &str, body: &serde_json::Value| FormRow {
        slug: slug.into(),
        name: name.into(),
        site_id: site.id.clone(),
        body: body.to_string(),
        ..Default::default()
    };
    let form = store.save_form(Hosted::Form, None, &row("book-a-demo", "Book a demo", &form), now).await.map_err(e)?;
    let blocks = |headline: &str| {
        serde_json::json!([
            {"kind": "headline", "text": headline},
            {"kind": "text", "text": "Nordwind moves freight across Europe and tells you where it is, every hour."},
            {"kind": "cta", "text": "See the plans", "url": "https://nordwind.example/pricing"},
            {"kind": "form", "form": "book-a-demo"},
        ])
    };
    let page = serde_json::json!({
        "name": "Spring launch", "slug": "spring-launch", "site_id": site.id,
        "blocks": blocks("Freight, tracked"), "variant_b": blocks("Know where your freight is"), "split_b": 50,
    });
    let page =
        store.save_form(Hosted::Page, None, &row("spring-launch", "Spring launch", &page), now).await.map_err(e)?;
    let today = now.div_euclid(DAY);
    for d in 0..30 {
        for (v, views, clicks, subs) in [("a", 40, 6, 3), ("b", 40, 9, 5)] {
            let jitter = rng.gen_range(0..10);
            let c = Conversions { views: views + jitter, clicks: clicks + jitter / 3, submissions: subs + jitter / 5 };
            store.count_conversion(&page.id, v, today - d, c).await.map_err(e)?;
        }
        let c = Conversions { views: 60 + rng.gen_range(0..20), clicks: 0, submissions: 6 + rng.gen_range(0..4) };
        store.count_conversion(&form.id, "", today - d, c).await.map_err(e)?;
    }
    // Campaigns, mapped by utm_campaign or by the import's list, with spend every day.
    let campaigns = [
        ("Spring webinar", "content", Some("spring-webinar"), None, 4_000),
        ("Black Friday", "paid_social", Some("black-friday"), None, 9_000),
        ("LinkedIn ABM", "paid_social", Some("linkedin-abm"), None, 12_000),
        ("Retargeting Q3", "display", Some("retargeting-q3"), None, 5_000),
        ("Brand search", "paid_search", Some("brand-search"), None, 15_000),
        ("Newsletter", "email", Some("newsletter"), None, 500),
        ("Expo 2026 attendees", "purchased_list", None, Some("expo-2026-attendees"), 0),
    ];
    for (name, channel, utm, list, daily) in campaigns {
        let c = CampaignRow {
            name: name.into(),
            channel: channel.into(),
            utm_campaign: utm.map(str::to_owned),
            source_list: list.map(str::to_owned),
            budget: Some(daily * 200),
            currency: "EUR".into(),
            ..Default::default()
        };
        let c = store.save_campaign(None, &c, now - 180 * DAY).await.map_err(e)?;
        let mut spend: Vec<(String, String, i64)> = (0..180)
            .filter(|_| daily > 0)
            .map(|d| {
                let day = leadline_core::date::date_of_millis((today - d) * DAY);
                (c.id.clone(), day, daily + rng.gen_range(0..daily / 2 + 1))
            })
            .collect();
        if list.is_some() {
            // A purchased list is paid once.
            spend.push((c.id.clone(), leadline_core::date::date_of_millis((today - 150) * DAY), 250_000));
        }
        store.set_spend(&spend).await.map_err(e)?;
    }
    // Tracked visits of a third of the people before they became known, and an identify.
    let visits: [(&str, &str, &str, &str); 7] = [
        ("google", "cpc", "brand-search", ""),
        ("linkedin", "paid_social", "linkedin-abm", "https://www.linkedin.com/"),
        ("facebook", "paid_social", "black-friday", "https://www.facebook.com/"),
        ("newsletter", "email", "newsletter", ""),
        ("partner-blog", "content", "spring-webinar", "https://blog.example.org/"),
        ("", "", "", "https://www.google.com/"),
        ("", "", "", "https://www.bing.com/"),
    ];
    let mut rows = Vec::new();
    for (i, p) in people.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let anon = format!("demo-visitor-{i}");
        let (source, medium, campaign, referrer) = visits[rng.gen_range(0..visits.len())];
        let mut url = "https://nordwind.example/".to_owned();
        if !source.is_empty() {
            url.push_str(&format!("?utm_source={source}&utm_medium={medium}&utm_campaign={campaign}"));
        }
        let first = p.created - rng.gen_range(1..10) * DAY;
        let messages = [
            serde_json::json!({"type": "page", "anonymousId": anon, "messageId": format!("demo-{i}-1"),
                "timestamp": leadline_core::date::rfc3339(first),
                "context": {"page": {"url": url, "referrer": referrer, "title": "Nordwind"}}}),
            serde_json::json!({"type": "page", "anonymousId": anon, "messageId": format!("demo-{i}-2"),
                "timestamp": leadline_core::date::rfc3339(first + 120_000),
                "context": {"page": {"url": "https://nordwind.example/pricing", "referrer": url, "title": "Pricing"}}}),
            serde_json::json!({"type": "page", "anonymousId": anon, "messageId": format!("demo-{i}-3"),
                "timestamp": leadline_core::date::rfc3339(p.created - 3_600_000),
                "context": {"page": {"url": "https://nordwind.example/", "referrer": "https://www.google.com/", "title": "Nordwind"}}}),
            serde_json::json!({"type": "identify", "anonymousId": anon, "messageId": format!("demo-{i}-4"),
                "timestamp": leadline_core::date::rfc3339(p.created), "traits": {"email": p.email}}),
        ];
        for m in messages {
            rows.push(
                leadline_server::tracking::read_message(m, None, None, now, &site.id).map_err(|e| e.to_string())?,
            );
        }
    }
    for chunk in rows.chunks(2_000) {
        store.inbox_append(chunk).await.map_err(e)?;
    }
    Ok(())
}

async fn append(store: &dyn Store, batch: Vec<NewActivity>, now: i64) -> Result<(), String> {
    for r in
        store.append_activities(batch, Actor::new(None, ChangeCause::Import, now)).await.map_err(|e| e.to_string())?
    {
        r.map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadline_store::{Filter, FilterOp, FilterTarget, ListQuery};

    async fn count(store: &dyn Store, object: ObjectKind, field_name: &str, value: &str) -> i64 {
        let f = Filter {
            target: FilterTarget::Field(field(object, field_name).unwrap()),
            op: FilterOp::Eq,
            value: vec![Scalar::Text(value.into())],
        };
        store.count(object, &[f], None).await.unwrap()
    }

    /// The demo's contacts exported and imported into a fresh store (with the same users) come
    /// back equal in every exported field, on every backend: an export is a backup a person
    /// can edit in a spreadsheet and bring back, or carry to another Leadline.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_export_imports_into_a_fresh_store_whole() {
        let pairs =
            [(leadline_store::testing::sqlite().await.unwrap(), leadline_store::testing::sqlite().await.unwrap())];
        let mut pairs: Vec<_> = pairs.into_iter().collect();
        if let (Some(a), Some(b)) =
            (leadline_store::testing::postgres().await, leadline_store::testing::postgres().await)
        {
            pairs.push((a.unwrap(), b.unwrap()));
        }
        for (from, to) in pairs {
            let (src, dst) = (from.store.as_ref(), to.store.as_ref());
            eprintln!("export round trip on {}", src.backend());
            let size = DemoSize { contacts: 300, companies: 30, deals: 10, activities: 100 };
            seed(src, &size, 1_795_000_000_000, |_| {}).await.unwrap();
            for u in src.users().await.unwrap() {
                dst.create_user(&u.email, u.name.as_deref(), u.role, None, 0).await.unwrap();
            }
            // Export every contact, as `leadline export contacts` writes them.
            let exporter = leadline_server::export::Exporter::of_store(src, ObjectKind::Contact).await.unwrap();
            let all = ListQuery::newest(ObjectKind::Contact, 1000);
            let mut csv = leadline_server::export::BOM.as_bytes().to_vec();
            {
                let mut w = csv::Writer::from_writer(&mut csv);
                w.write_record(exporter.header()).unwrap();
                for r in src.list(ObjectKind::Contact, &all).await.unwrap().items {
                    w.write_record(exporter.row(&r)).unwrap();
                }
            }
            let dir = std::env::temp_dir().join(format!("leadline-roundtrip-{}-{}", std::process::id(), src.backend()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("contacts.csv");
            std::fs::write(&path, &csv).unwrap();
            let sniffed = leadline_server::import::sniff(&csv).unwrap();
            let cols =
                leadline_server::import::mapping(ObjectKind::Contact, &sniffed.headers, &Default::default(), &[])
                    .unwrap();
            let params =
                leadline_server::import::ImportParams::of_file(ObjectKind::Contact, path.clone(), sniffed, &cols);
            let job = dst.create_job("import", &serde_json::to_value(&params).unwrap(), None, 0).await.unwrap();
            let counts = leadline_server::import::run(to.store.clone(), &job.id, params, None, |_| {}).await.unwrap();
            assert_eq!((counts.created, counts.rejected), (300, 0), "{counts:?}");
            // Every exported column is equal, but for what names records of the first store
            // (ids, the company link) and the time of the copy.
            let header = exporter.header();
            let skip = ["id", "company_id", "updated_at", "external_ids"];
            let target = leadline_server::export::Exporter::of_store(dst, ObjectKind::Contact).await.unwrap();
            let copies = dst.list(ObjectKind::Contact, &all).await.unwrap().items;
            let by_email: std::collections::HashMap<&str, &leadline_store::Record> =
                copies.iter().map(|r| (r.emails[0].as_str(), r)).collect();
            for r in src.list(ObjectKind::Contact, &all).await.unwrap().items {
                let copy = by_email[r.emails[0].as_str()];
                let (a, b) = (exporter.row(&r), target.row(copy));
                for ((h, x), y) in header.iter().zip(&a).zip(&b) {
                    if !skip.contains(&h.as_str()) {
                        assert_eq!(x, y, "{h} of {}", r.emails[0]);
                    }
                }
                let theirs: Vec<&(String, String)> = copy.external_ids.iter().filter(|(s, _)| s != "import").collect();
                assert_eq!(theirs, r.external_ids.iter().collect::<Vec<_>>());
                assert!(copy.external_ids.contains(&("import".to_owned(), r.id.clone())), "the old id is kept");
            }
            let _ = std::fs::remove_dir_all(&dir);
            from.remove().await;
            to.remove().await;
        }
    }

    #[tokio::test]
    async fn the_demo_is_a_consistent_funnel() {
        let t = leadline_store::testing::sqlite().await.unwrap();
        let size = DemoSize { contacts: 600, companies: 40, deals: 60, activities: 3000 };
        let password = seed(t.store.as_ref(), &size, 1_795_000_000_000, |_| {}).await.unwrap();
        assert!(password.starts_with("demo-"));
        let s = t.store.as_ref();
        assert_eq!(s.count(ObjectKind::Contact, &[], None).await.unwrap(), 600);
        let stage = |v| count(s, ObjectKind::Contact, "lifecycle_stage", v);
        let (lead, mql, customer) = (stage("lead").await, stage("mql").await, stage("customer").await);
        assert!(lead > mql && mql > customer && customer > 0, "the funnel narrows: {lead} > {mql} > {customer}");
        // Deals stand in a stage of their pipeline, in three pipelines, some in other currencies
        // the rates convert; every won one has a reason.
        let deals =
            s.pipeline_deals(&leadline_store::PipelineDealQuery { limit: 1000, ..Default::default() }).await.unwrap();
        let new_business: Vec<_> = deals.iter().filter(|d| d.pipeline.as_deref() == Some("default")).collect();
        assert_eq!(new_business.len(), 60);
        let won = new_business.iter().filter(|d| d.status.as_deref() == Some("won")).count() as i64;
        assert!(won > 0 && won <= customer + stage("evangelist").await, "won deals made customers");
        // Renewals and upsells are sold to customers.
        for d in deals.iter().filter(|d| d.pipeline.as_deref() != Some("default")) {
            let people = s.get(ObjectKind::Deal, &d.id).await.unwrap().contact_ids;
            let people = s.get_many(ObjectKind::Contact, &people).await.unwrap();
            assert!(people.iter().any(|c| leadline_core::health::is_customer(c.text("lifecycle_stage"))), "{d:?}");
        }
        let pipelines = leadline_core::pipeline::defaults();
        for d in &deals {
            let p = pipelines.iter().find(|p| Some(p.key.as_str()) == d.pipeline.as_deref()).expect("a known pipeline");
            assert!(p.stage(d.stage.as_deref().unwrap()).is_some(), "{:?} in {}", d.stage, p.key);
        }
        let mut used: Vec<&str> = deals.iter().filter_map(|d| d.pipeline.as_deref()).collect();
        used.sort();
        used.dedup();
        assert_eq!(used, ["default", "renewal", "upsell"]);
        let rates = leadline_core::pipeline::Rates::new("EUR", s.rates().await.unwrap());
        assert!(deals.iter().all(|d| rates.rate(d.currency.as_deref().unwrap(), "2026-11-01").is_some()));
        let won_ids: Vec<&str> =
            deals.iter().filter(|d| d.status.as_deref() == Some("won")).map(|d| d.id.as_str()).collect();
        for id in won_ids {
            let deal = s.get(ObjectKind::Deal, id).await.unwrap();
            assert!(deal.text("won_reason").is_some(), "won for a reason");
        }
        // Stage history was replayed in time order.
        let someone = s.list(ObjectKind::Contact, &ListQuery::newest(ObjectKind::Contact, 600)).await.unwrap();
        let customer = someone.items.iter().find(|c| c.text("lifecycle_stage") == Some("customer")).unwrap();
        let h = s.history(&customer.id).await.unwrap();
        let stages: Vec<&str> =
            h.iter().filter(|c| c.field == "lifecycle_stage").filter_map(|c| c.to.as_deref()).collect();
        assert_eq!(stages, ["subscriber", "lead", "mql", "sql", "opportunity", "customer"]);
        assert!(h.windows(2).all(|w| w[0].at <= w[1].at));
        // Switchboard numbers made possible duplicates to review, and merged no one.
        assert!(s.count_duplicates(leadline_store::DuplicateStatus::Open).await.unwrap() > 0);
        // Routing is set, and the reps' open leads make their work queues.
        let members = s.routing_members().await.unwrap();
        assert_eq!(members.len(), 3);
        let owners: Vec<String> = members.iter().map(|m| m.user_id.clone()).collect();
        assert!(!s.work_queue(&owners, false, 100).await.unwrap().is_empty(), "the reps have leads to work");
        t.remove().await;
    }
}
