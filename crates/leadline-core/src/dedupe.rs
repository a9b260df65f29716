//! Who a written row is: which contact an import row or batch item names, and which pairs of
//! contacts look like one person without saying so.
//!
//! An e-mail address, an external id or a record id names one person: a row that carries one
//! that a contact holds is that contact. A phone does not: switchboards, shared office lines
//! and family numbers are normal, so a phone names a contact only for a row that has no e-mail
//! and no name that contradicts the contact's, and only when exactly one contact fits. Every
//! other meeting of a phone (and a name shared with other signals, found by [`name_pairs`]) is
//! a possible duplicate for a person to review, merge or dismiss.

// A batch plans tens of thousands of rows, hashing each key several times: foldhash (seeded per
// process) rather than SipHash.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::contact::{ContactChanges, Identity};
use crate::record::Scalar;

/// A person's name as the dedupe compares it: the folded words of the first and last names,
/// or of the display name when those are missing. It keeps the text as given and folds it
/// only when compared: a batch of new contacts names thousands of people, and is compared
/// for the few rows that a phone alone could name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonName {
    text: String,
}

impl PersonName {
    pub fn new(first: Option<&str>, last: Option<&str>, display: Option<&str>) -> Self {
        let given: Vec<&str> = [first, last].into_iter().flatten().filter(|p| !p.trim().is_empty()).collect();
        let parts = if given.is_empty() { display.into_iter().collect() } else { given };
        PersonName { text: parts.join(" ") }
    }

    /// The name a write sets, from its `first_name`, `last_name` and `display_name`.
    pub fn of_changes(c: &ContactChanges) -> Self {
        let get = |n| c.record.get(n).and_then(Option::as_ref).and_then(Scalar::as_text);
        Self::new(get("first_name"), get("last_name"), get("display_name"))
    }

    fn words(&self) -> Vec<String> {
        crate::text::terms(&self.text).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Whether two names say these are two people. A missing name says nothing; a name whose
    /// words are all among the other's ("Anna" and "Anna Nowak", "Nowak Anna") agrees with it,
    /// and so does one spelled with or without the spaces between its words ("یزدان پناه",
    /// "یزدان‌پناه" and "یزدانپناه" are one name).
    pub fn contradicts(&self, other: &PersonName) -> bool {
        let (a, b) = (self.words(), other.words());
        if a.is_empty() || b.is_empty() {
            return false;
        }
        let within = |x: &[String], y: &[String]| x.iter().all(|w| y.contains(w));
        !(within(&a, &b) || within(&b, &a) || a.concat() == b.concat())
    }

    /// The key that groups people of the same full name, in any word order and spacing; `None`
    /// for a name of one word, which says too little to pair people by.
    pub fn key(&self) -> Option<String> {
        let mut words = self.words();
        if words.len() < 2 {
            return None;
        }
        words.sort();
        Some(words.concat())
    }
}

/// Why two contacts look like one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// They share a phone number.
    Phone,
    /// The same full name, linked to the same company.
    NameAndCompany,
    /// The same full name with different e-mail addresses (a name few others share).
    NameOtherEmail,
}

impl Reason {
    pub const ALL: [Reason; 3] = [Reason::Phone, Reason::NameAndCompany, Reason::NameOtherEmail];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Phone => "same_phone",
            Reason::NameAndCompany => "same_name_company",
            Reason::NameOtherEmail => "same_name_other_email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The contact a row ends in: one that exists, or the one the row at this index creates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Who {
    Existing(String),
    New(usize),
}

/// What a row does to the contact it ends in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The row creates its contact.
    Created,
    /// The row updates a contact that existed before the batch.
    Updated,
    /// An earlier row of the batch already named the same contact (by an identity).
    Merged,
}

/// One row of a batch, as the dedupe sees it.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// The live contact the row names by id (already resolved through merges).
    pub named: Option<String>,
    /// E-mail keys, then external id keys (`Identity::key`), in the row's order.
    pub unique: Vec<String>,
    pub has_email: bool,
    /// Phone keys.
    pub phones: Vec<String>,
    pub name: PersonName,
}

impl Row {
    pub fn of_changes(named: Option<String>, c: &ContactChanges) -> Self {
        let mut row = Row { named, name: PersonName::of_changes(c), ..Row::default() };
        for identity in c.identities() {
            match identity {
                Identity::Phone(_) => row.phones.push(identity.key()),
                Identity::Email(_) => {
                    row.has_email = true;
                    row.unique.push(identity.key())
                }
                Identity::External(..) => row.unique.push(identity.key()),
            }
        }
        // E-mails first, then external ids, as `identities` lists them.
        row
    }
}

/// What the store holds of the identities a batch names.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// E-mail and external id key -> the contact holding it.
    pub unique: HashMap<String, String>,
    /// Phone key -> the contacts holding it, oldest first.
    pub phones: HashMap<String, Vec<String>>,
    /// The names of the contacts in `phones`.
    pub names: HashMap<String, PersonName>,
}

/// The decision for a whole batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Per row: the contact it ends in and what it does to it.
    pub rows: Vec<(Who, Outcome)>,
    /// Who each unique key of the batch belongs to once written: the contact holding it
    /// already, else the first row's contact that carries it. A unique key goes nowhere else.
    pub owner: HashMap<String, Who>,
    /// Pairs of different contacts that look like one person, each pair once.
    pub possible: Vec<Pair>,
}

/// Two contacts that look like one person, the smaller first, and the row that showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub row: usize,
    pub a: Who,
    pub b: Who,
    pub reason: Reason,
}

/// Decide, for every row in order, which contact it is. A row that names an id is that
/// contact; else the first of its e-mails and external ids that an earlier row of the batch
/// carried, else the first that a stored contact holds; else, for a row without e-mail, the one
/// contact holding one of its phones whose name it does not contradict; else a new contact.
pub fn plan<'a>(rows: &'a [Row], known: &'a Known) -> Plan {
    let mut in_batch: HashMap<&str, Who> = HashMap::new();
    // Phone key -> the batch's contacts holding it (stored holders are in `known`).
    let mut batch_phones: HashMap<&str, Vec<Who>> = HashMap::new();
    // The name each contact of the batch goes by now (the latest row's that gave one).
    let mut names: HashMap<Who, &PersonName> = HashMap::new();
    let mut seen: HashSet<Who> = HashSet::new();
    let mut out = Plan::default();
    let mut paired: HashSet<(Who, Who)> = HashSet::new();
    static NAMELESS: PersonName = PersonName { text: String::new() };
    let name_of = |who: &Who, names: &HashMap<Who, &'a PersonName>| -> &'a PersonName {
        match (names.get(who), who) {
            (Some(n), _) => n,
            (None, Who::Existing(id)) => known.names.get(id).unwrap_or(&NAMELESS),
            (None, Who::New(_)) => &NAMELESS,
        }
    };
    for (i, row) in rows.iter().enumerate() {
        // Everyone holding one of the row's phones, stored or named earlier in the batch.
        let mut holders: Vec<Who> = Vec::new();
        for k in &row.phones {
            let stored = known.phones.get(k).into_iter().flatten().map(|id| Who::Existing(id.clone()));
            for who in stored.chain(batch_phones.get(k.as_str()).into_iter().flatten().cloned()) {
                if !holders.contains(&who) {
                    holders.push(who);
                }
            }
        }
        let strong = row.named.clone().map(Who::Existing).or_else(|| {
            row.unique
                .iter()
                .find_map(|k| in_batch.get(k.as_str()).cloned())
                .or_else(|| row.unique.iter().find_map(|k| known.unique.get(k).map(|id| Who::Existing(id.clone()))))
        });
        let who = strong
            .or_else(|| {
                if row.has_email {
                    return None;
                }
                let fitting: Vec<&Who> = holders.iter().filter(|h| !row.name.contradicts(name_of(h, &names))).collect();
                match fitting.as_slice() {
                    [one] => Some((*one).clone()),
                    _ => None,
                }
            })
            .unwrap_or(Who::New(i));
        let outcome = match &who {
            // A row that names its contact by id updates it, whatever came before.
            Who::Existing(_) if row.named.is_some() => Outcome::Updated,
            _ if seen.contains(&who) => Outcome::Merged,
            Who::Existing(_) => Outcome::Updated,
            Who::New(_) => Outcome::Created,
        };
        seen.insert(who.clone());
        for k in &row.unique {
            // A key a stored contact holds stays with it.
            if known.unique.get(k).is_none_or(|owner| who == Who::Existing(owner.clone())) {
                in_batch.entry(k.as_str()).or_insert_with(|| who.clone());
            }
        }
        for k in &row.phones {
            let list = batch_phones.entry(k.as_str()).or_default();
            if !list.contains(&who) {
                list.push(who.clone());
            }
        }
        for h in holders.into_iter().filter(|h| *h != who) {
            let (a, b) = if h < who { (h, who.clone()) } else { (who.clone(), h) };
            if paired.insert((a.clone(), b.clone())) {
                out.possible.push(Pair { row: i, a, b, reason: Reason::Phone });
            }
        }
        if !row.name.is_empty() {
            names.insert(who.clone(), &row.name);
        }
        out.rows.push((who, outcome));
    }
    for (k, who) in in_batch {
        out.owner.insert(k.to_owned(), who);
    }
    for (k, id) in &known.unique {
        out.owner.entry(k.clone()).or_insert_with(|| Who::Existing(id.clone()));
    }
    out
}

/// A contact as the name scan sees it.
#[derive(Debug, Clone, Default)]
pub struct Person {
    pub name: PersonName,
    /// The companies it is linked to.
    pub companies: Vec<String>,
    /// Its e-mail addresses.
    pub emails: Vec<String>,
}

/// A name shared by more people than this is a common name, not a sign of one person written
/// twice ("Anna Nowak" at 1M contacts): only the same company pairs them.
pub const RARE_NAME_MAX: usize = 3;

/// Whether two sets of addresses look like one person's: a work and a private address (one of
/// them at a free-mail provider), or two at the same domain. Two work addresses at different
/// companies are more likely two people.
fn addresses_related(a: &[String], b: &[String]) -> bool {
    let domain = |e: &String| e.rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default();
    a.iter().any(|x| {
        b.iter().any(|y| {
            let (dx, dy) = (domain(x), domain(y));
            dx == dy || crate::email::is_free_mail_domain(&dx) || crate::email::is_free_mail_domain(&dy)
        })
    })
}

/// Pairs of people (indexes into `people`, smaller first) that share a full name and either a
/// company (in a chain: each with the next of that name there), or, when the name is rare,
/// different e-mail addresses that look like one person's (a work and a private one, or two at
/// one domain). Linear in `people`. Linear in
/// `people` plus the pairs found; a group of common-name people at one company is paired
/// within that company only.
pub fn name_pairs(people: &[Person]) -> Vec<(usize, usize, Reason)> {
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in people.iter().enumerate() {
        if let Some(key) = p.name.key() {
            groups.entry(key).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    let mut keys: Vec<&String> = groups.keys().collect();
    keys.sort();
    for key in keys {
        let group = &groups[key];
        if group.len() < 2 {
            continue;
        }
        let mut pairs: HashSet<(usize, usize)> = HashSet::new();
        let mut by_company: HashMap<&str, Vec<usize>> = HashMap::new();
        for &i in group {
            for c in &people[i].companies {
                by_company.entry(c.as_str()).or_default().push(i);
            }
        }
        let mut companies: Vec<&&str> = by_company.keys().collect();
        companies.sort();
        // People of one name at one company are paired in a chain, each with the next: merging
        // the chain makes them one, and a file that wrote one person fifty times gives 49
        // pairs, not 1,225.
        for c in companies {
            for w in by_company[*c].windows(2) {
                let (a, b) = (w[0].min(w[1]), w[0].max(w[1]));
                if pairs.insert((a, b)) {
                    out.push((a, b, Reason::NameAndCompany));
                }
            }
        }
        if group.len() <= RARE_NAME_MAX {
            for (x, &a) in group.iter().enumerate() {
                for &b in &group[x + 1..] {
                    let (ea, eb) = (&people[a].emails, &people[b].emails);
                    let different = !ea.is_empty() && !eb.is_empty() && !ea.iter().any(|e| eb.contains(e));
                    if different && addresses_related(ea, eb) && pairs.insert((a.min(b), a.max(b))) {
                        out.push((a.min(b), a.max(b), Reason::NameOtherEmail));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;

    fn name(s: &str) -> PersonName {
        PersonName::new(None, None, Some(s))
    }

    fn row(emails: &[&str], phones: &[&str], n: &str) -> Row {
        Row {
            named: None,
            unique: emails.iter().map(|e| format!("email:{e}")).collect(),
            has_email: !emails.is_empty(),
            phones: phones.iter().map(|p| format!("phone:{p}")).collect(),
            name: name(n),
        }
    }

    fn pair(row: usize, a: Who, b: Who) -> Pair {
        Pair { row, a, b, reason: Reason::Phone }
    }

    fn known_phone(phone: &str, holders: &[(&str, &str)]) -> Known {
        let mut k = Known::default();
        k.phones.insert(format!("phone:{phone}"), holders.iter().map(|(id, _)| id.to_string()).collect());
        for (id, n) in holders {
            k.names.insert(id.to_string(), name(n));
        }
        k
    }

    #[test]
    fn names_agree_across_case_order_diacritics_and_spacing() {
        assert!(!name("Anna Nowak").contradicts(&name("ANNA nowak")));
        assert!(!name("Łukasz Żółć").contradicts(&name("Lukasz Zolc")));
        assert!(!name("Anna").contradicts(&name("Anna Nowak")));
        assert!(!name("Nowak Anna").contradicts(&name("Anna Nowak")));
        assert!(!name("یزدان پناه").contradicts(&name("یزدان\u{200c}پناه")));
        assert!(!name("یزدان پناه").contradicts(&name("یزدانپناه")));
        assert!(!name("").contradicts(&name("Bruno Rossi")));
        assert!(name("Anna Nowak").contradicts(&name("Bruno Nowak")));
        assert!(name("علی کریمی").contradicts(&name("زهرا کریمی")));
        assert_eq!(PersonName::new(Some("Anna"), Some("Nowak"), Some("Boss")), name("Anna Nowak"));
        assert_eq!(PersonName::new(Some(" "), None, Some("Boss")), name("Boss"));
        assert_eq!(name("Nowak  Anna").key(), name("anna nowak").key());
        assert_eq!(name("Anna").key(), None);
    }

    #[test]
    fn a_shared_phone_with_another_email_makes_a_new_contact() {
        // Anna holds the office phone; Bruno's row has his own e-mail and the same phone.
        let known = known_phone("+48221234567", &[("anna", "Anna Nowak")]);
        let p = plan(&[row(&["bruno@firma.pl"], &["+48221234567"], "Bruno Rossi")], &known);
        assert_eq!(p.rows, [(Who::New(0), Outcome::Created)]);
        assert_eq!(p.possible, [pair(0, Who::Existing("anna".into()), Who::New(0))]);
    }

    #[test]
    fn a_phone_names_its_one_holder_for_a_row_without_email_or_other_name() {
        let known = known_phone("+48221234567", &[("anna", "Anna Nowak")]);
        for n in ["", "anna nowak", "Nowak"] {
            let p = plan(&[row(&[], &["+48221234567"], n)], &known);
            assert_eq!(p.rows, [(Who::Existing("anna".into()), Outcome::Updated)], "{n:?}");
            assert!(p.possible.is_empty());
        }
        // Another name, or a phone two people share, names nobody.
        let p = plan(&[row(&[], &["+48221234567"], "Bruno Rossi")], &known);
        assert_eq!(p.rows[0].0, Who::New(0));
        let shared = known_phone("+48221234567", &[("anna", "Anna Nowak"), ("bruno", "Bruno Rossi")]);
        let p = plan(&[row(&[], &["+48221234567"], "")], &shared);
        assert_eq!(p.rows[0].0, Who::New(0));
        assert_eq!(p.possible.len(), 2);
        // ... unless the name tells which of them it is.
        let p = plan(&[row(&[], &["+48221234567"], "Bruno")], &shared);
        assert_eq!(p.rows[0].0, Who::Existing("bruno".into()));
        assert_eq!(p.possible, [pair(0, Who::Existing("anna".into()), Who::Existing("bruno".into()))]);
    }

    #[test]
    fn rows_of_one_batch_follow_the_same_rules() {
        let rows = [
            row(&["anna@firma.pl"], &["+48221234567"], "Anna Nowak"),
            row(&["bruno@firma.pl"], &["+48221234567"], "Bruno Rossi"),
            row(&[], &["+48221234567"], "Anna"),
            row(&["anna.nowak@gmail.com"], &[], "Anna Nowak"),
            row(&["anna@firma.pl"], &[], ""),
        ];
        let p = plan(&rows, &Known::default());
        let who: Vec<Who> = p.rows.iter().map(|r| r.0.clone()).collect();
        assert_eq!(who, [Who::New(0), Who::New(1), Who::New(0), Who::New(3), Who::New(0)]);
        assert_eq!(p.rows[2].1, Outcome::Merged);
        assert_eq!(p.possible, [pair(1, Who::New(0), Who::New(1))]);
    }

    #[test]
    fn a_stored_email_stays_with_its_contact() {
        let mut known = Known::default();
        known.unique.insert("email:b@x.pl".into(), "b".into());
        let p = plan(&[row(&["a@x.pl"], &[], "A"), row(&["b@x.pl", "a@x.pl"], &[], "")], &known);
        assert_eq!(p.rows[1].0, Who::New(0));
        assert_eq!(p.owner["email:b@x.pl"], Who::Existing("b".into()));
        assert_eq!(p.owner["email:a@x.pl"], Who::New(0));
    }

    #[test]
    fn name_pairs_pair_same_company_and_rare_names_only() {
        let person = |n: &str, company: &str, email: &str| Person {
            name: name(n),
            companies: if company.is_empty() { vec![] } else { vec![company.into()] },
            emails: if email.is_empty() { vec![] } else { vec![email.into()] },
        };
        let mut people = vec![
            person("Anna Nowak", "acme", "anna@acme.pl"),
            person("anna NOWAK", "acme", ""),
            person("Nowak Anna", "", "anna@gmail.com"),
            person("Bruno Rossi", "", "b@x.it"),
            person("Anna", "acme", "a@acme.pl"),
            // Two work addresses at two companies: two people.
            person("Bruno Rossi", "", "bruno@other.it"),
        ];
        assert_eq!(name_pairs(&people), [(0, 1, Reason::NameAndCompany), (0, 2, Reason::NameOtherEmail)]);
        // A name shared by many is paired through the company alone.
        for i in 0..RARE_NAME_MAX {
            people.push(person("Anna Nowak", "", &format!("anna{i}@x.pl")));
        }
        assert_eq!(name_pairs(&people), [(0, 1, Reason::NameAndCompany)]);
        // Many of one name at one company: a chain, one pair fewer than people.
        let many: Vec<Person> = (0..50).map(|i| person("Jan Kowalski", "acme", &format!("j{i}@acme.pl"))).collect();
        let chain = name_pairs(&many);
        assert_eq!(chain.len(), 49);
        assert!(chain.iter().all(|(a, b, r)| b - a == 1 && *r == Reason::NameAndCompany));
    }

    /// The rows' e-mails as sets of a few addresses, phones from a few numbers, names from a
    /// few people: enough collisions to exercise every rule.
    fn arb_row() -> impl Strategy<Value = Row> {
        (proptest::collection::vec(0..6u8, 0..3), proptest::collection::vec(0..3u8, 0..2), proptest::option::of(0..4u8))
            .prop_map(|(emails, phones, n)| {
                let emails: Vec<String> = emails.iter().map(|e| format!("e{e}@x.pl")).collect();
                let phones: Vec<String> = phones.iter().map(|p| format!("+4860000000{p}")).collect();
                let n = n.map(|n| ["Anna Nowak", "Bruno Rossi", "Anna", "Zofia Nowak"][n as usize]).unwrap_or("");
                let e: Vec<&str> = emails.iter().map(String::as_str).collect();
                let p: Vec<&str> = phones.iter().map(String::as_str).collect();
                row(&e, &p, n)
            })
    }

    fn arb_known() -> impl Strategy<Value = Known> {
        proptest::collection::vec((proptest::collection::vec(0..6u8, 0..2), proptest::option::of(0..3u8)), 0..4)
            .prop_map(|contacts| {
                let mut k = Known::default();
                for (i, (emails, phone)) in contacts.into_iter().enumerate() {
                    let id = format!("c{i}");
                    for e in emails {
                        k.unique.entry(format!("email:e{e}@x.pl")).or_insert_with(|| id.clone());
                    }
                    if let Some(p) = phone {
                        k.phones.entry(format!("phone:+4860000000{p}")).or_default().push(id.clone());
                    }
                    k.names.insert(id, name(["Anna Nowak", "Bruno Rossi", "Zofia Nowak"][i % 3]));
                }
                k
            })
    }

    /// The e-mails each contact holds once the plan is written: stored ones, and the batch's
    /// keys as `owner` hands them out.
    fn emails_of(p: &Plan, known: &Known) -> HashMap<Who, HashSet<String>> {
        let mut out: HashMap<Who, HashSet<String>> = HashMap::new();
        for (k, id) in &known.unique {
            out.entry(Who::Existing(id.clone())).or_default().insert(k.clone());
        }
        for (k, who) in &p.owner {
            out.entry(who.clone()).or_default().insert(k.clone());
        }
        out
    }

    fn find(parent: &mut [usize], x: usize) -> usize {
        if parent[x] != x {
            parent[x] = find(parent, parent[x]);
        }
        parent[x]
    }

    fn join(parent: &mut [usize], a: usize, b: usize) {
        let (a, b) = (find(parent, a), find(parent, b));
        parent[a] = b;
    }

    /// The properties of a plan over `rows` and `known`, checked against a union-find of the
    /// rows and stored contacts joined by e-mails.
    fn check_plan(rows: &[Row], known: &Known) -> Result<(), TestCaseError> {
        let p = plan(rows, known);
        prop_assert_eq!(p.rows.len(), rows.len());
        let n = rows.len();
        let mut stored: Vec<&String> = known.unique.values().collect();
        stored.sort();
        stored.dedup();
        let mut parent: Vec<usize> = (0..n + stored.len()).collect();
        let mut by_email: HashMap<&str, usize> = HashMap::new();
        for (k, id) in &known.unique {
            let node = n + stored.iter().position(|s| *s == id).expect("listed");
            if let Some(&other) = by_email.get(k.as_str()) {
                join(&mut parent, node, other);
            }
            by_email.insert(k.as_str(), node);
        }
        for (i, r) in rows.iter().enumerate() {
            for k in &r.unique {
                if let Some(&other) = by_email.get(k.as_str()) {
                    join(&mut parent, i, other);
                }
                by_email.insert(k.as_str(), i);
            }
        }
        // Two rows with e-mails end in one contact only through a chain of shared e-mails, and
        // a row with e-mails ends in a contact that holds one of them.
        let held = emails_of(&p, known);
        for (i, r) in rows.iter().enumerate().filter(|(_, r)| r.has_email) {
            let who = &p.rows[i].0;
            prop_assert!(
                r.unique.iter().any(|k| held.get(who).is_some_and(|h| h.contains(k))),
                "row {} lands where none of its e-mails is",
                i
            );
            for (j, earlier) in rows[..i].iter().enumerate() {
                if earlier.has_email && p.rows[j].0 == *who {
                    prop_assert_eq!(find(&mut parent, i), find(&mut parent, j), "rows {} and {}", j, i);
                }
            }
        }
        // A row without e-mail joins a contact only through a phone it carries, that the
        // contact held before the row: stored, or from an earlier row of the batch.
        for (i, r) in rows.iter().enumerate() {
            let (who, outcome) = &p.rows[i];
            if r.has_email || !r.unique.is_empty() || *outcome == Outcome::Created {
                continue;
            }
            let stored =
                |k: &String| matches!(who, Who::Existing(id) if known.phones.get(k).is_some_and(|h| h.contains(id)));
            let earlier = |k: &String| (0..i).any(|j| p.rows[j].0 == *who && rows[j].phones.contains(k));
            prop_assert!(
                r.phones.iter().any(|k| stored(k) || earlier(k)),
                "row {} joined {:?} through no phone",
                i,
                who
            );
        }
        for pair in &p.possible {
            prop_assert!(pair.a < pair.b && pair.row < n);
        }
        Ok(())
    }

    proptest! {
        /// No two rows with different e-mails end in one contact (see `check_plan`).
        #[test]
        fn different_emails_never_end_in_one_contact(
            rows in proptest::collection::vec(arb_row(), 1..12),
            known in arb_known(),
        ) {
            check_plan(&rows, &known)?;
        }

        #[test]
        fn names_never_panic_and_agree_with_themselves(a in "\\PC{0,30}", b in "\\PC{0,30}") {
            let (x, y) = (name(&a), name(&b));
            prop_assert!(!x.contradicts(&x));
            prop_assert_eq!(x.contradicts(&y), y.contradicts(&x));
        }
    }
}
