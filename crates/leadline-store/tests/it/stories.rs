//! The stories, each written once against `&dyn Store`.

use leadline_core::contact::{Consent, ConsentChannel, FieldChanges};
use leadline_core::lifecycle::{ChangeCause, LifecycleStage};
use leadline_core::property::{PropValue, PropertyDef, PropertyType};
use leadline_core::record::{field, ObjectKind, Scalar};
use leadline_core::role::{Role, TokenScope};
use leadline_store::*;

use leadline_core::dedupe::Reason;

use super::{actor, contact, open_pairs, set, with_phone, NOW};

pub async fn contacts_are_created_found_and_updated(s: &dyn Store) {
    let mut c = contact("Anna", "Nowak", Some("anna.nowak@firma.pl"));
    c.consent.push(Consent {
        channel: ConsentChannel::Email,
        granted: true,
        at: NOW,
        origin: "form:newsletter".into(),
    });
    c.tags = Some(vec!["expo".into()]);
    let created = s.create_contact(&c, actor(NOW)).await.unwrap();
    assert_eq!(created.text("first_name"), Some("Anna"));
    assert_eq!(created.emails, ["anna.nowak@firma.pl"]);
    assert_eq!(created.text("lifecycle_stage"), Some("lead"), "new contacts start as leads");
    assert_eq!(created.consent.len(), 1);
    assert_eq!(created.tags, ["expo"]);
    let got = s.get(ObjectKind::Contact, &created.id).await.unwrap();
    assert_eq!(got, created);

    let mut change = ContactChanges::default();
    set(&mut change.record, ObjectKind::Contact, "job_title", "CTO");
    change.emails = Some(vec![
        leadline_core::email::Email::parse("e", "anna@nowak.pl").unwrap(),
        leadline_core::email::Email::parse("e", "anna.nowak@firma.pl").unwrap(),
    ]);
    change.record.properties.push(("budget".into(), Some(PropValue::Number(1500.0))));
    let updated = s.update_contact(&created.id, &change, WriteOptions::default(), actor(NOW + 1)).await.unwrap();
    assert_eq!(updated.text("job_title"), Some("CTO"));
    assert_eq!(updated.emails, ["anna@nowak.pl", "anna.nowak@firma.pl"], "the new primary comes first");
    assert_eq!(updated.properties["budget"], serde_json::json!(1500.0));
    assert_eq!(updated.int("updated_at"), Some(NOW + 1));

    s.delete(ObjectKind::Contact, &created.id, actor(NOW + 2)).await.unwrap();
    assert!(matches!(s.get(ObjectKind::Contact, &created.id).await, Err(StoreError::NotFound { .. })));
    // Its e-mail is free again.
    s.create_contact(&contact("Anna", "N", Some("anna@nowak.pl")), actor(NOW + 3)).await.unwrap();
}

use leadline_core::contact::ContactChanges;

pub async fn emails_are_unique_and_phones_shared(s: &dyn Store) {
    let a = s.create_contact(&with_phone(contact("A", "A", Some("a@x.pl")), "601234567"), actor(NOW)).await.unwrap();
    let err = s.create_contact(&contact("B", "B", Some("A@X.pl")), actor(NOW)).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Taken { ref field, ref holder, .. } if field == "emails" && *holder == a.id),
        "{err:?}"
    );
    // A failed write leaves nothing behind.
    assert_eq!(s.count(ObjectKind::Contact, &[], None).await.unwrap(), 1);
    // A phone may be shared (an office line): the second holder is created, and the two are
    // listed as a possible duplicate.
    let shared = s.create_contact(&with_phone(contact("C", "C", None), "+48 601 234 567"), actor(NOW)).await.unwrap();
    assert_eq!(shared.phones, ["+48601234567"]);
    assert_eq!(s.get(ObjectKind::Contact, &a.id).await.unwrap().phones, ["+48601234567"]);
    let open = s.duplicates(&open_pairs()).await.unwrap().items;
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].a.id.as_str(), open[0].b.id.as_str(), open[0].reason),
        (a.id.as_str(), shared.id.as_str(), Reason::Phone)
    );
    let b = s.create_contact(&contact("B", "B", Some("b@x.pl")), actor(NOW)).await.unwrap();
    let steal = ContactChanges {
        emails: Some(vec![leadline_core::email::Email::parse("e", "a@x.pl").unwrap()]),
        ..Default::default()
    };
    assert!(s.update_contact(&b.id, &steal, WriteOptions::default(), actor(NOW)).await.is_err());
    assert_eq!(s.get(ObjectKind::Contact, &b.id).await.unwrap().emails, ["b@x.pl"]);
    assert_eq!(s.get(ObjectKind::Contact, &a.id).await.unwrap().emails, ["a@x.pl"]);
}

pub async fn lifecycle_history_and_backward_moves(s: &dyn Store) {
    let owner = s.create_user("rep@firma.pl", Some("Rep"), Role::Sales, None, NOW).await.unwrap();
    let c = s.create_contact(&contact("Giulia", "Rossi", Some("giulia@rossi.it")), actor(NOW)).await.unwrap();
    let mut up = ContactChanges::default();
    set(&mut up.record, ObjectKind::Contact, "lifecycle_stage", "customer");
    set(&mut up.record, ObjectKind::Contact, "owner_id", &owner.id);
    let by = Actor::new(Some(&owner.id), ChangeCause::Manual, NOW + 10);
    s.update_contact(&c.id, &up, WriteOptions::default(), by).await.unwrap();
    let mut back = ContactChanges::default();
    set(&mut back.record, ObjectKind::Contact, "lifecycle_stage", "lead");
    let err = s.update_contact(&c.id, &back, WriteOptions::default(), actor(NOW + 20)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { code: "backward_stage", .. }));
    s.update_contact(&c.id, &back, WriteOptions { allow_backward_stage: true }, actor(NOW + 30)).await.unwrap();
    let h = s.history(&c.id).await.unwrap();
    let stages: Vec<(Option<&str>, Option<&str>, i64)> =
        h.iter().filter(|c| c.field == "lifecycle_stage").map(|c| (c.from.as_deref(), c.to.as_deref(), c.at)).collect();
    assert_eq!(
        stages,
        [
            (None, Some("lead"), NOW),
            (Some("lead"), Some("customer"), NOW + 10),
            (Some("customer"), Some("lead"), NOW + 30)
        ]
    );
    // The funnel counts live contacts per stage in one pass.
    let other = s.create_contact(&contact("Jan", "Nowak", Some("jan@nowak.pl")), actor(NOW)).await.unwrap();
    let mut to_sql = ContactChanges::default();
    set(&mut to_sql.record, ObjectKind::Contact, "lifecycle_stage", "sql");
    s.update_contact(&other.id, &to_sql, WriteOptions::default(), actor(NOW + 40)).await.unwrap();
    let stage = leadline_core::record::field(ObjectKind::Contact, "lifecycle_stage").unwrap();
    let counts = s.count_by(ObjectKind::Contact, stage).await.unwrap();
    assert_eq!(counts, [(Some("lead".to_owned()), 1), (Some("sql".to_owned()), 1)]);
    let created = leadline_core::record::field(ObjectKind::Contact, "created_at").unwrap();
    assert!(s.count_by(ObjectKind::Contact, created).await.is_err(), "only text fields are grouped");
    let owner_change = h.iter().find(|c| c.field == "owner_id").unwrap();
    assert_eq!(owner_change.actor_id.as_deref(), Some(owner.id.as_str()));
    assert_eq!(owner_change.cause, "manual");
    let unknown = {
        let mut c = ContactChanges::default();
        set(&mut c.record, ObjectKind::Contact, "owner_id", "nobody");
        c
    };
    assert!(matches!(
        s.update_contact(&c.id, &unknown, WriteOptions::default(), actor(NOW)).await,
        Err(StoreError::Invalid(_))
    ));
}

pub async fn search_folds_scripts_and_prefixes(s: &dyn Store) {
    let reza = s.create_contact(&contact("رضا", "كريمي", Some("reza@example.ir")), actor(NOW)).await.unwrap();
    let lukasz = s
        .create_contact(&with_phone(contact("Łukasz", "Żółć", Some("lukasz@firma.pl")), "601 234 567"), actor(NOW))
        .await
        .unwrap();
    let nicc = s.create_contact(&contact("Niccolò", "Bianchi", None), actor(NOW)).await.unwrap();
    let found = |q: &'static str| async move {
        let mut query = ListQuery::newest(ObjectKind::Contact, 50);
        query.search = Some(q.into());
        s.list(ObjectKind::Contact, &query).await.unwrap().items.into_iter().map(|r| r.id).collect::<Vec<_>>()
    };
    assert_eq!(found("کریمی").await, std::slice::from_ref(&reza.id), "Persian kaf/yeh find the Arabic spelling");
    assert_eq!(found("رض").await, std::slice::from_ref(&reza.id));
    assert_eq!(found("lukasz zol").await, std::slice::from_ref(&lukasz.id));
    assert_eq!(found("ŁUK").await, std::slice::from_ref(&lukasz.id));
    assert_eq!(found("601 23").await, std::slice::from_ref(&lukasz.id));
    assert_eq!(found("niccolo").await, std::slice::from_ref(&nicc.id));
    assert_eq!(found("firma.pl").await, std::slice::from_ref(&lukasz.id));
    assert!(found("zzz").await.is_empty());
    assert_eq!(s.count(ObjectKind::Contact, &[], Some("bian")).await.unwrap(), 1);
}

pub async fn list_pages_cover_everything_once(s: &dyn Store) {
    for i in 0..23 {
        let mut c = contact(&format!("P{i:02}"), "Page", Some(&format!("p{i}@x.pl")));
        if i % 3 == 0 {
            set(&mut c.record, ObjectKind::Contact, "country", "IT");
        }
        // Several contacts share a creation time, so the id must break ties.
        s.create_contact(&c, actor(NOW + i / 4)).await.unwrap();
    }
    // A capped count is exact up to its cap, and one more past it.
    let italy = [Filter {
        target: FilterTarget::Field(field(ObjectKind::Contact, "country").unwrap()),
        op: FilterOp::Eq,
        value: vec![Scalar::Text("IT".into())],
    }];
    assert_eq!(s.count_upto(ObjectKind::Contact, &[], None, 100).await.unwrap(), 23);
    assert_eq!(s.count_upto(ObjectKind::Contact, &[], None, 10).await.unwrap(), 11);
    assert_eq!(s.count_upto(ObjectKind::Contact, &italy, None, 100).await.unwrap(), 8);
    assert_eq!(s.count_upto(ObjectKind::Contact, &[], Some("p1"), 100).await.unwrap(), 11);
    for (sort, desc) in [("created_at", true), ("first_name", false), ("country", true)] {
        let mut q = ListQuery::newest(ObjectKind::Contact, 5);
        q.sort = leadline_store::Sort::Field(field(ObjectKind::Contact, sort).unwrap());
        q.descending = desc;
        let mut seen = Vec::new();
        loop {
            let page = s.list(ObjectKind::Contact, &q).await.unwrap();
            seen.extend(page.items.iter().map(|r| r.text("first_name").unwrap().to_owned()));
            match page.next {
                Some(n) => q.after = Some(n),
                None => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 23, "{sort}: every contact exactly once");
        assert_eq!(seen.len(), 23);
        if sort == "first_name" {
            assert_eq!(seen, sorted);
        }
    }
    let mut q = ListQuery::newest(ObjectKind::Contact, 5);
    q.after = Some("garbage".into());
    assert!(matches!(s.list(ObjectKind::Contact, &q).await, Err(StoreError::Invalid(_))));
}

pub async fn filters_on_fields_properties_tags_and_links(s: &dyn Store) {
    let co = {
        let mut f = FieldChanges::default();
        set(&mut f, ObjectKind::Company, "name", "Firma");
        set(&mut f, ObjectKind::Company, "domain", "firma.pl");
        s.create_company(&f, &[], actor(NOW)).await.unwrap()
    };
    let mut a = contact("A", "One", Some("a@firma.pl"));
    set(&mut a.record, ObjectKind::Contact, "country", "PL");
    a.record.properties.push(("plan".into(), Some(PropValue::Enum("gold".into()))));
    a.tags = Some(vec!["vip".into()]);
    let a = s.create_contact(&a, actor(NOW)).await.unwrap();
    s.link_contact_company(&a.id, &co.id, "decision_maker", NOW).await.unwrap();
    let mut b = contact("B", "Two", Some("b@other.it"));
    set(&mut b.record, ObjectKind::Contact, "country", "IT");
    s.create_contact(&b, actor(NOW + 1)).await.unwrap();
    let ids = |filters: Vec<Filter>| async move {
        let mut q = ListQuery::newest(ObjectKind::Contact, 10);
        q.filters = filters;
        s.list(ObjectKind::Contact, &q)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|r| r.text("first_name").unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let f = |n| FilterTarget::Field(field(ObjectKind::Contact, n).unwrap());
    let t = |v: &str| vec![Scalar::Text(v.into())];
    assert_eq!(ids(vec![Filter { target: f("country"), op: FilterOp::Eq, value: t("PL") }]).await, ["A"]);
    assert_eq!(ids(vec![Filter { target: f("country"), op: FilterOp::Ne, value: t("PL") }]).await, ["B"]);
    assert_eq!(
        ids(vec![Filter {
            target: f("country"),
            op: FilterOp::In,
            value: vec![Scalar::Text("PL".into()), Scalar::Text("IT".into())]
        }])
        .await,
        ["B", "A"]
    );
    assert_eq!(
        ids(vec![Filter { target: f("created_at"), op: FilterOp::Gte, value: vec![Scalar::Int(NOW + 1)] }]).await,
        ["B"]
    );
    assert_eq!(ids(vec![Filter { target: f("job_title"), op: FilterOp::Empty, value: vec![] }]).await, ["B", "A"]);
    assert_eq!(ids(vec![Filter { target: f("last_name"), op: FilterOp::Prefix, value: t("Tw") }]).await, ["B"]);
    assert_eq!(
        ids(vec![Filter { target: FilterTarget::Property("plan".into()), op: FilterOp::Eq, value: t("gold") }]).await,
        ["A"]
    );
    assert_eq!(ids(vec![Filter { target: FilterTarget::Tag, op: FilterOp::Eq, value: t("vip") }]).await, ["A"]);
    assert_eq!(
        ids(vec![Filter { target: FilterTarget::Email, op: FilterOp::Eq, value: t("b@other.it") }]).await,
        ["B"]
    );
    assert_eq!(
        ids(vec![Filter { target: FilterTarget::LinkedTo(ObjectKind::Company), op: FilterOp::Eq, value: t(&co.id) }])
            .await,
        ["A"]
    );
    // An `in` list past the limit is refused before it reaches the database, whose bound
    // parameters it would overflow (a contact's company binds each value twice).
    for name in ["country", "company_id"] {
        let many = (0..=MAX_IN_VALUES).map(|i| Scalar::Text(format!("v{i}"))).collect();
        let mut q = ListQuery::newest(ObjectKind::Contact, 10);
        q.filters = vec![Filter { target: f(name), op: FilterOp::In, value: many }];
        let err = s.list(ObjectKind::Contact, &q).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(ref e) if e.code == "invalid_filter"), "{name}: {err:?}");
        q.filters[0].value.truncate(MAX_IN_VALUES);
        assert!(s.list(ObjectKind::Contact, &q).await.unwrap().items.is_empty(), "{name}");
    }
    let people = s.company_contacts(&co.id, 10).await.unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0].1, "decision_maker");
}

pub async fn batch_upsert_dedupes_and_isolates_failures(s: &dyn Store) {
    let existing = s.create_contact(&contact("Old", "Timer", Some("old@x.pl")), actor(NOW)).await.unwrap();
    let mut bad = contact("Bad", "Owner", Some("bad@x.pl"));
    set(&mut bad.record, ObjectKind::Contact, "owner_id", "no-such-user");
    let mut renamed = contact("Olde", "Timer", Some("OLD@x.pl"));
    renamed.tags = Some(vec!["imported".into()]);
    let items = vec![
        ContactUpsert { id: None, changes: contact("New", "One", Some("new@x.pl")) },
        ContactUpsert { id: None, changes: renamed },
        ContactUpsert { id: None, changes: bad },
        ContactUpsert { id: None, changes: with_phone(contact("New", "Again", Some("new@x.pl")), "601234567") },
        ContactUpsert { id: None, changes: with_phone(contact("new", "AGAIN", None), "+48601234567") },
        ContactUpsert { id: None, changes: with_phone(contact("By", "Phone", None), "+48601234567") },
    ];
    let out = s.upsert_contacts(items, actor(NOW + 5), false).await.unwrap();
    let kinds: Vec<Option<UpsertKind>> = out.iter().map(|r| r.as_ref().ok().map(|o| o.kind)).collect();
    assert_eq!(
        kinds,
        [
            Some(UpsertKind::Created),
            Some(UpsertKind::Updated),
            None,
            Some(UpsertKind::Merged),
            Some(UpsertKind::Merged),
            Some(UpsertKind::Created),
        ]
    );
    assert!(matches!(&out[2], Err(StoreError::Invalid(e)) if e.field == "owner_id"));
    let new_id = &out[0].as_ref().unwrap().id;
    assert_eq!(&out[3].as_ref().unwrap().id, new_id);
    assert_eq!(&out[4].as_ref().unwrap().id, new_id, "the phone added by row 4 names row 5, of the same name");
    // Row 6 has the phone too, under another name: another person, listed as a possible
    // duplicate of the first.
    let by_phone = out[5].as_ref().unwrap();
    assert_ne!(&by_phone.id, new_id);
    assert_eq!(by_phone.possible_duplicates, [new_id.as_str()]);
    let new = s.get(ObjectKind::Contact, new_id).await.unwrap();
    assert_eq!(new.text("last_name"), Some("AGAIN"), "later rows win");
    assert_eq!(new.phones, ["+48601234567"]);
    let old = s.get(ObjectKind::Contact, &existing.id).await.unwrap();
    assert_eq!(old.text("first_name"), Some("Olde"));
    assert_eq!(old.tags, ["imported"]);
    assert_eq!(s.count(ObjectKind::Contact, &[], None).await.unwrap(), 3, "the bad row created nothing");
    // The upsert is searchable like any contact.
    assert_eq!(s.count(ObjectKind::Contact, &[], Some("phone")).await.unwrap(), 1);
}

pub async fn upserts_name_records_by_id(s: &dyn Store) {
    let anna = s.create_contact(&contact("Anna", "Nowak", Some("anna@firma.pl")), actor(NOW)).await.unwrap();
    let ola = s.create_contact(&with_phone(contact("Ola", "K", None), "601000001"), actor(NOW)).await.unwrap();
    let ania = s.create_contact(&contact("Ania", "Z", Some("ania@gmail.com")), actor(NOW)).await.unwrap();
    s.merge_contacts(&anna.id, &ania.id, actor(NOW + 1)).await.unwrap();
    // By id, whatever the row's own e-mail says: a new address is added, one another contact
    // holds stays with it.
    let mut renamed = contact("Anna", "Kowalska", Some("a.kowalska@firma.pl"));
    set(&mut renamed.record, ObjectKind::Contact, "lifecycle_stage", "customer");
    let mut stolen = contact("Ola", "Lis", Some("anna@firma.pl"));
    set(&mut stolen.record, ObjectKind::Contact, "job_title", "CEO");
    let items = vec![
        ContactUpsert { id: Some(anna.id.clone()), changes: renamed },
        ContactUpsert { id: Some(ola.id.clone()), changes: stolen },
        ContactUpsert {
            id: Some(ania.id.clone()),
            changes: with_phone(contact("Anna", "Kowalska", None), "601000009"),
        },
        ContactUpsert { id: Some("no-such-contact".into()), changes: contact("Nikt", "Nikt", Some("nikt@firma.pl")) },
    ];
    let total = s.count(ObjectKind::Contact, &[], None).await.unwrap();
    let out = s.upsert_contacts(items, actor(NOW + 2), false).await.unwrap();
    assert_eq!(out[0].as_ref().unwrap().kind, UpsertKind::Updated);
    assert_eq!(out[1].as_ref().unwrap().id, ola.id);
    assert_eq!(out[2].as_ref().unwrap().id, anna.id, "a merged id names its survivor");
    assert!(matches!(&out[3], Err(StoreError::NotFound { .. })), "{:?}", out[3]);
    assert_eq!(s.count(ObjectKind::Contact, &[], None).await.unwrap(), total, "nothing new was made");
    let got = s.get(ObjectKind::Contact, &anna.id).await.unwrap();
    assert_eq!((got.text("last_name"), got.text("lifecycle_stage")), (Some("Kowalska"), Some("customer")));
    let mut emails = got.emails.clone();
    emails.sort();
    assert_eq!(emails, ["a.kowalska@firma.pl", "ania@gmail.com", "anna@firma.pl"]);
    assert_eq!(got.emails[0], "anna@firma.pl", "the primary address stays first");
    assert_eq!(got.phones, ["+48601000009"]);
    let got = s.get(ObjectKind::Contact, &ola.id).await.unwrap();
    assert_eq!((got.text("last_name"), got.text("job_title")), (Some("Lis"), Some("CEO")));
    assert!(got.emails.is_empty(), "Anna's address stayed hers: {:?}", got.emails);
    // What a caller resolves first: ids to live ones, merged ones to their survivor.
    let live =
        s.live_ids(ObjectKind::Contact, &[anna.id.clone(), ania.id.clone(), "no-such-contact".into()]).await.unwrap();
    assert_eq!(live.len(), 2);
    assert_eq!((&live[&anna.id], &live[&ania.id]), (&anna.id, &anna.id));

    // Companies likewise, by id before their domain.
    let company = |name: &str, domain: &str| {
        let mut f = FieldChanges::default();
        set(&mut f, ObjectKind::Company, "name", name);
        set(&mut f, ObjectKind::Company, "domain", domain);
        f
    };
    let acme = s.create_company(&company("Acme", "acme.pl"), &[], actor(NOW)).await.unwrap();
    let acme2 = s.create_company(&company("Acme Sp. z o.o.", "acme.com.pl"), &[], actor(NOW + 1)).await.unwrap();
    s.merge_companies(&acme.id, &acme2.id, actor(NOW + 2)).await.unwrap();
    let mut renamed = FieldChanges::default();
    set(&mut renamed, ObjectKind::Company, "name", "Acme Polska");
    let items = vec![
        CompanyUpsert { id: Some(acme2.id.clone()), changes: renamed, external_ids: vec![] },
        CompanyUpsert { id: Some("no-such-company".into()), changes: company("Nic", "nic.pl"), external_ids: vec![] },
    ];
    let out = s.upsert_companies(items, actor(NOW + 3), false).await.unwrap();
    assert_eq!(out[0].as_ref().unwrap().id, acme.id, "a merged company's id names its survivor");
    assert!(matches!(&out[1], Err(StoreError::NotFound { .. })), "{:?}", out[1]);
    assert_eq!(s.get(ObjectKind::Company, &acme.id).await.unwrap().text("name"), Some("Acme Polska"));
    assert_eq!(s.count(ObjectKind::Company, &[], None).await.unwrap(), 1, "nic.pl was not made");
}

pub async fn upserts_add_to_existing_contacts(s: &dyn Store) {
    let anna = s.create_contact(&contact("Anna", "Nowak", Some("anna@firma.pl")), actor(NOW)).await.unwrap();
    let other = s.create_contact(&with_phone(contact("Ola", "K", None), "601000001"), actor(NOW)).await.unwrap();
    let mut tagged = contact("Anna", "Kowalska", Some("anna@firma.pl"));
    tagged.tags = Some(vec!["expo".into()]);
    set(&mut tagged.record, ObjectKind::Contact, "lifecycle_stage", "sql");
    let mut f = FieldChanges::default();
    set(&mut f, ObjectKind::Company, "name", "Firma");
    let co = s.create_company(&f, &[], actor(NOW)).await.unwrap();
    set(&mut tagged.record, ObjectKind::Contact, "company_id", &co.id);
    // The same contact twice in one batch: the second row moves the stage back (kept at sql),
    // adds a phone that is free and one that another contact holds, and another tag.
    let mut again = contact("Anna", "Kowalska", Some("ANNA@firma.pl"));
    let phone = |p| leadline_core::phone::Phone::parse("phone", p, Some("PL")).unwrap();
    again.phones = Some(vec![phone("601000002"), phone("601000001")]);
    again.tags = Some(vec!["vip".into(), "expo".into()]);
    set(&mut again.record, ObjectKind::Contact, "lifecycle_stage", "lead");
    set(&mut again.record, ObjectKind::Contact, "job_title", "CFO");
    again.consent.push(Consent { channel: ConsentChannel::Email, granted: true, at: NOW + 4, origin: "import".into() });
    // Another contact in the same batch changes a column Anna's rows leave alone.
    let mut ola = with_phone(contact("Ola", "K", None), "601000001");
    set(&mut ola.record, ObjectKind::Contact, "country", "PL");
    let items = vec![
        ContactUpsert { id: None, changes: tagged },
        ContactUpsert { id: None, changes: again },
        ContactUpsert { id: None, changes: ola },
    ];
    let out = s.upsert_contacts(items, actor(NOW + 5), false).await.unwrap();
    assert!(out[..2].iter().all(|o| o.as_ref().unwrap().id == anna.id), "{out:?}");
    assert_eq!(out[2].as_ref().unwrap().id, other.id);
    let ola = s.get(ObjectKind::Contact, &other.id).await.unwrap();
    assert_eq!((ola.text("country"), ola.text("last_name"), ola.text("job_title")), (Some("PL"), Some("K"), None));
    let got = s.get(ObjectKind::Contact, &anna.id).await.unwrap();
    assert_eq!(got.text("last_name"), Some("Kowalska"));
    assert_eq!(got.text("job_title"), Some("CFO"));
    assert_eq!(got.text("country"), None);
    assert_eq!(got.text("lifecycle_stage"), Some("sql"), "an upsert never moves a contact back");
    assert_eq!(got.tags, ["expo", "vip"]);
    assert_eq!(got.emails, ["anna@firma.pl"]);
    assert_eq!(got.phones, ["+48601000002", "+48601000001"], "a phone may be shared");
    assert_eq!(s.get(ObjectKind::Contact, &other.id).await.unwrap().phones, ["+48601000001"]);
    assert_eq!(out[1].as_ref().unwrap().possible_duplicates, [other.id.as_str()]);
    assert_eq!(s.contact_companies(&anna.id).await.unwrap().len(), 1);
    let stages: Vec<(Option<String>, Option<String>)> = s
        .history(&anna.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.field == "lifecycle_stage")
        .map(|c| (c.from, c.to))
        .collect();
    assert_eq!(stages, [(None, Some("lead".into())), (Some("lead".into()), Some("sql".into()))]);
    assert_eq!(got.consent.len(), 1);
    assert!(s.history(&anna.id).await.unwrap().iter().any(|c| c.field == "consent.email"));
    // Search follows: the new name and phone find her, the old name no longer does.
    assert_eq!(s.count(ObjectKind::Contact, &[], Some("kowalska")).await.unwrap(), 1);
    assert_eq!(s.count(ObjectKind::Contact, &[], Some("601000002")).await.unwrap(), 1);
    assert_eq!(s.count(ObjectKind::Contact, &[], Some("nowak")).await.unwrap(), 0);
}

/// A row that repeats a new contact of its batch may bring along an e-mail another contact
/// holds, one in the store or one new in the same batch: it stays with that contact, and the
/// new one is created without it. A phone is shared, and the pair listed.
pub async fn a_repeated_new_contact_leaves_others_identities_alone(s: &dyn Store) {
    let ola = s.create_contact(&with_phone(contact("Ola", "K", None), "601000001"), actor(NOW)).await.unwrap();
    let items = vec![
        ContactUpsert { id: None, changes: contact("Jan", "Nowy", Some("jan@x.pl")) },
        ContactUpsert { id: None, changes: with_phone(contact("Jan", "Nowy", Some("jan@x.pl")), "601000001") },
    ];
    let out = s.upsert_contacts(items, actor(NOW + 1), false).await.unwrap();
    let kinds: Vec<UpsertKind> = out.iter().map(|o| o.as_ref().unwrap().kind).collect();
    assert_eq!(kinds, [UpsertKind::Created, UpsertKind::Merged]);
    let jan = s.get(ObjectKind::Contact, &out[0].as_ref().unwrap().id).await.unwrap();
    assert_eq!(
        (jan.emails.as_slice(), jan.phones.as_slice()),
        (["jan@x.pl".to_owned()].as_slice(), ["+48601000001".to_owned()].as_slice())
    );
    assert_eq!(out[1].as_ref().unwrap().possible_duplicates, [ola.id.as_str()]);
    assert_eq!(s.get(ObjectKind::Contact, &ola.id).await.unwrap().phones, ["+48601000001"]);
    // Both addresses of the third row belong to new contacts of the batch: the first names it.
    let mut both = contact("Ewa", "A", Some("ewa@x.pl"));
    both.emails.as_mut().unwrap().push(leadline_core::email::Email::parse("email", "piotr@x.pl").unwrap());
    let items = vec![
        ContactUpsert { id: None, changes: contact("Ewa", "A", Some("ewa@x.pl")) },
        ContactUpsert { id: None, changes: contact("Piotr", "B", Some("piotr@x.pl")) },
        ContactUpsert { id: None, changes: both },
    ];
    let out = s.upsert_contacts(items, actor(NOW + 2), false).await.unwrap();
    let kinds: Vec<UpsertKind> = out.iter().map(|o| o.as_ref().unwrap().kind).collect();
    assert_eq!(kinds, [UpsertKind::Created, UpsertKind::Created, UpsertKind::Merged]);
    let emails = |i: usize| {
        let id = out[i].as_ref().unwrap().id.clone();
        async move { s.get(ObjectKind::Contact, &id).await.unwrap().emails }
    };
    assert_eq!(emails(0).await, ["ewa@x.pl"]);
    assert_eq!(emails(1).await, ["piotr@x.pl"]);
}

pub async fn dry_run_changes_nothing(s: &dyn Store) {
    s.create_contact(&contact("Old", "Timer", Some("old@x.pl")), actor(NOW)).await.unwrap();
    let items = vec![
        ContactUpsert { id: None, changes: contact("New", "One", Some("new@x.pl")) },
        ContactUpsert { id: None, changes: contact("Old", "Changed", Some("old@x.pl")) },
    ];
    let out = s.upsert_contacts(items, actor(NOW), true).await.unwrap();
    assert_eq!(
        out.iter().map(|r| r.as_ref().unwrap().kind).collect::<Vec<_>>(),
        [UpsertKind::Created, UpsertKind::Updated]
    );
    assert_eq!(s.count(ObjectKind::Contact, &[], None).await.unwrap(), 1);
    assert_eq!(s.count(ObjectKind::Contact, &[], Some("changed")).await.unwrap(), 0);
}

/// An upsert big enough to be shared among several writers (on PostgreSQL) writes each new
/// contact once, whole, alongside the batch's updates; as a dry run it writes nothing.
pub async fn a_big_upsert_writes_each_contact_once(s: &dyn Store) {
    let mut f = FieldChanges::default();
    set(&mut f, ObjectKind::Company, "name", "Firma");
    let co = s.create_company(&f, &[], actor(NOW)).await.unwrap();
    let old =
        (0..300).map(|i| ContactUpsert { id: None, changes: contact("Old", "Timer", Some(&format!("old{i}@x.pl"))) });
    s.upsert_contacts(old.collect(), actor(NOW), false).await.unwrap();
    // 5,400 new contacts; every twentieth row updates an old contact and every other tenth
    // repeats the row before it, adding a phone.
    let items = || -> Vec<ContactUpsert> {
        (0..6_000)
            .map(|i| {
                let mut c = if i % 20 == 19 {
                    contact("Old", "Again", Some(&format!("old{}@x.pl", i / 20)))
                } else if i % 10 == 9 {
                    with_phone(contact("New", "Again", Some(&format!("new{}@x.pl", i - 1))), &format!("60{i:07}"))
                } else {
                    contact("New", &format!("N{i}"), Some(&format!("new{i}@x.pl")))
                };
                set(&mut c.record, ObjectKind::Contact, "company_id", &co.id);
                ContactUpsert { id: None, changes: c }
            })
            .collect()
    };
    let tally = |out: Vec<StoreResult<UpsertOutcome>>| {
        let kinds: Vec<UpsertKind> = out.into_iter().map(|o| o.unwrap().kind).collect();
        [UpsertKind::Created, UpsertKind::Updated, UpsertKind::Merged]
            .map(|k| kinds.iter().filter(|&&x| x == k).count())
    };
    let count = |search: &'static str| s.count(ObjectKind::Contact, &[], Some(search));
    assert_eq!(tally(s.upsert_contacts(items(), actor(NOW + 1), true).await.unwrap()), [5_400, 300, 300]);
    assert_eq!((count("new").await.unwrap(), count("again").await.unwrap()), (0, 0), "a dry run writes nothing");
    assert_eq!(tally(s.upsert_contacts(items(), actor(NOW + 2), false).await.unwrap()), [5_400, 300, 300]);
    assert_eq!((count("new").await.unwrap(), count("again").await.unwrap()), (5_400, 600));
    let at_firma = Filter {
        target: FilterTarget::Field(field(ObjectKind::Contact, "company_id").unwrap()),
        op: FilterOp::Eq,
        value: vec![Scalar::Text(co.id.clone())],
    };
    assert_eq!(s.count(ObjectKind::Contact, &[at_firma], None).await.unwrap(), 5_700);
    let mut q = ListQuery::newest(ObjectKind::Contact, 1);
    q.search = Some("600000089".into());
    let repeated = s.list(ObjectKind::Contact, &q).await.unwrap().items.pop().expect("the phone of row 89 is found");
    assert_eq!(
        (repeated.emails.as_slice(), repeated.text("last_name")),
        (["new88@x.pl".to_owned()].as_slice(), Some("Again"))
    );
    assert_eq!(s.contact_companies(&repeated.id).await.unwrap().len(), 1);
    assert!(s.history(&repeated.id).await.unwrap().iter().any(|c| c.field == "lifecycle_stage"));
    // Every identity was stored: the same rows again create nothing.
    assert_eq!(tally(s.upsert_contacts(items(), actor(NOW + 3), false).await.unwrap()), [0, 5_700, 300]);
    assert_eq!(s.count(ObjectKind::Contact, &[], None).await.unwrap(), 5_700);
}

pub async fn merge_and_unmerge_contacts(s: &dyn Store) {
    let older = s.create_contact(&contact("Anna", "Nowak", Some("anna@firma.pl")), actor(NOW)).await.unwrap();
    let mut newer_c = with_phone(contact("Ania", "Nowak", Some("ania@gmail.com")), "601234567");
    set(&mut newer_c.record, ObjectKind::Contact, "job_title", "CEO");
    newer_c.tags = Some(vec!["webinar".into()]);
    let newer = s.create_contact(&newer_c, actor(NOW + 100)).await.unwrap();
    let deal = s.create_deal(&FieldChanges::default(), std::slice::from_ref(&newer.id), actor(NOW)).await.unwrap();
    let act = NewActivity {
        kind: "page_view".into(),
        occurred_at: NOW,
        contact_id: Some(newer.id.clone()),
        ..Default::default()
    };
    s.append_activities(vec![act], actor(NOW)).await.unwrap();

    // Asked either way round, the older contact survives.
    let m = s.merge_contacts(&newer.id, &older.id, actor(NOW + 200)).await.unwrap();
    assert_eq!((m.survivor_id.as_str(), m.merged_id.as_str()), (older.id.as_str(), newer.id.as_str()));
    let survivor = s.get(ObjectKind::Contact, &newer.id).await.unwrap();
    assert_eq!(survivor.id, older.id, "a merged id redirects to its survivor");
    assert_eq!(survivor.text("first_name"), Some("Anna"), "the survivor's values win");
    assert_eq!(survivor.text("job_title"), Some("CEO"), "gaps are filled");
    assert_eq!(survivor.emails, ["anna@firma.pl", "ania@gmail.com"]);
    assert_eq!(survivor.phones, ["+48601234567"]);
    assert_eq!(survivor.tags, ["webinar"]);
    let acts = s
        .activities(&ActivityQuery { contact_id: Some(older.id.clone()), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(acts.len(), 1);
    assert_eq!(s.get(ObjectKind::Deal, &deal.id).await.unwrap().contact_ids, std::slice::from_ref(&older.id));
    assert_eq!(s.count(ObjectKind::Contact, &[], None).await.unwrap(), 1);
    assert_eq!(s.count(ObjectKind::Contact, &[], Some("ania")).await.unwrap(), 1);
    assert!(matches!(
        s.merge_contacts(&older.id, &newer.id, actor(NOW)).await,
        Err(StoreError::Conflict { code: "same_record", .. })
    ));

    let undone = s.unmerge(&m.id, actor(NOW + 300)).await.unwrap();
    assert_eq!(undone.undone_at, Some(NOW + 300));
    let back = s.get(ObjectKind::Contact, &newer.id).await.unwrap();
    assert_eq!(back.id, newer.id);
    assert_eq!(back.emails, ["ania@gmail.com"]);
    assert_eq!(back.phones, ["+48601234567"]);
    let older_now = s.get(ObjectKind::Contact, &older.id).await.unwrap();
    assert_eq!(older_now.emails, ["anna@firma.pl"]);
    assert_eq!(older_now.text("job_title"), None);
    assert!(older_now.tags.is_empty());
    let acts = s
        .activities(&ActivityQuery { contact_id: Some(newer.id.clone()), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(acts.len(), 1);
    assert_eq!(s.get(ObjectKind::Deal, &deal.id).await.unwrap().contact_ids, std::slice::from_ref(&newer.id));
    assert_eq!(s.count(ObjectKind::Contact, &[], None).await.unwrap(), 2);
    assert!(s.unmerge(&m.id, actor(NOW)).await.is_err());
    assert_eq!(s.merges(&older.id).await.unwrap().len(), 1);
}

pub async fn merge_companies_moves_contacts_and_deals(s: &dyn Store) {
    let company = |name: &str, domain: Option<&str>| {
        let mut f = FieldChanges::default();
        set(&mut f, ObjectKind::Company, "name", name);
        if let Some(d) = domain {
            set(&mut f, ObjectKind::Company, "domain", d);
        }
        f
    };
    let a = s.create_company(&company("Acme", None), &[], actor(NOW)).await.unwrap();
    let b = s
        .create_company(&company("ACME S.p.A.", Some("acme.it")), &[("sf".into(), "001".into())], actor(NOW + 1))
        .await
        .unwrap();
    let err = s.create_company(&company("Dup", Some("acme.it")), &[], actor(NOW)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { code: "domain_taken", .. }));
    let mut c = contact("Marco", "Verdi", Some("marco@acme.it"));
    c.record.set(field(ObjectKind::Contact, "company_id").unwrap(), Some(Scalar::Text(b.id.clone())));
    let marco = s.create_contact(&c, actor(NOW)).await.unwrap();
    let mut d = FieldChanges::default();
    set(&mut d, ObjectKind::Deal, "company_id", &b.id);
    let deal = s.create_deal(&d, &[], actor(NOW)).await.unwrap();
    let m = s.merge_companies(&a.id, &b.id, actor(NOW + 5)).await.unwrap();
    assert_eq!(m.survivor_id, a.id);
    let survivor = s.get(ObjectKind::Company, &b.id).await.unwrap();
    assert_eq!(survivor.text("domain"), Some("acme.it"));
    assert_eq!(s.get(ObjectKind::Contact, &marco.id).await.unwrap().text("company_id"), Some(a.id.as_str()));
    assert_eq!(s.get(ObjectKind::Deal, &deal.id).await.unwrap().text("company_id"), Some(a.id.as_str()));
    assert_eq!(s.company_contacts(&a.id, 10).await.unwrap().len(), 1);
    assert_eq!((contacts_at(s, &a.id).await, contacts_at(s, &b.id).await), (vec![marco.id.clone()], vec![]));
    s.unmerge(&m.id, actor(NOW + 6)).await.unwrap();
    assert_eq!(s.get(ObjectKind::Company, &b.id).await.unwrap().text("domain"), Some("acme.it"));
    assert_eq!(s.get(ObjectKind::Company, &a.id).await.unwrap().text("domain"), None);
    assert_eq!(s.get(ObjectKind::Deal, &deal.id).await.unwrap().text("company_id"), Some(b.id.as_str()));
    assert_eq!(contacts_at(s, &b.id).await, [marco.id.as_str()]);
    s.delete(ObjectKind::Company, &b.id, actor(NOW + 7)).await.unwrap();
    assert_eq!(s.get(ObjectKind::Contact, &marco.id).await.unwrap().text("company_id"), None);
    assert!(contacts_at(s, &b.id).await.is_empty());
}

/// The contacts whose primary company is `company`, found by the company filter alone, with
/// another filter, and among several companies.
async fn contacts_at(s: &dyn Store, company: &str) -> Vec<String> {
    let by = |op, value: Vec<Scalar>| Filter {
        target: FilterTarget::Field(field(ObjectKind::Contact, "company_id").unwrap()),
        op,
        value,
    };
    let stage = Filter {
        target: FilterTarget::Field(field(ObjectKind::Contact, "lifecycle_stage").unwrap()),
        op: FilterOp::Ne,
        value: vec![Scalar::Text("customer".into())],
    };
    let mut found: Vec<Vec<String>> = Vec::new();
    for filters in [
        vec![by(FilterOp::Eq, vec![Scalar::Text(company.into())])],
        vec![by(FilterOp::Eq, vec![Scalar::Text(company.into())]), stage],
        vec![by(FilterOp::In, vec![Scalar::Text("no-such".into()), Scalar::Text(company.into())])],
    ] {
        let mut q = ListQuery::newest(ObjectKind::Contact, 10);
        q.filters = filters;
        found.push(s.list(ObjectKind::Contact, &q).await.unwrap().items.into_iter().map(|r| r.id).collect());
    }
    assert!(found.windows(2).all(|w| w[0] == w[1]), "every form of the filter finds the same contacts: {found:?}");
    found.swap_remove(0)
}

pub async fn activities_are_idempotent_and_ordered(s: &dyn Store) {
    let c = s.create_contact(&contact("Eve", "T", Some("eve@x.pl")), actor(NOW)).await.unwrap();
    let visit = |key: &str, t: i64| NewActivity {
        kind: "page_view".into(),
        occurred_at: t,
        contact_id: Some(c.id.clone()),
        channel: Some("web".into()),
        idempotency_key: Some(key.into()),
        properties: serde_json::json!({"url": "/pricing"}).as_object().cloned().unwrap(),
        ..Default::default()
    };
    let first = s.append_activities(vec![visit("k1", NOW), visit("k2", NOW + 1)], actor(NOW)).await.unwrap();
    assert!(first.iter().all(|r| r.as_ref().unwrap().1));
    let again = s.append_activities(vec![visit("k1", NOW), visit("k3", NOW + 2)], actor(NOW)).await.unwrap();
    assert!(!again[0].as_ref().unwrap().1, "the same key stores one event");
    assert_eq!(again[0].as_ref().unwrap().0.id, first[0].as_ref().unwrap().0.id);
    let dangling = NewActivity { kind: "note".into(), contact_id: Some("missing".into()), ..Default::default() };
    let out = s.append_activities(vec![dangling], actor(NOW)).await.unwrap();
    assert!(matches!(&out[0], Err(StoreError::Invalid(e)) if e.field == "contact_id"));
    let all =
        s.activities(&ActivityQuery { contact_id: Some(c.id.clone()), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
    let resumed =
        s.activities(&ActivityQuery { after_seq: Some(all[2].seq), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(
        resumed.iter().map(|a| a.seq).collect::<Vec<_>>(),
        [all[1].seq, all[0].seq],
        "a consumer resumes in log order"
    );
    assert_eq!(all[0].properties["url"], "/pricing");
}

pub async fn tasks_are_assigned_and_completed(s: &dyn Store) {
    let rep = s.create_user("rep@x.pl", None, Role::Sales, None, NOW).await.unwrap();
    let c = s.create_contact(&contact("T", "Ask", None), actor(NOW)).await.unwrap();
    let t = NewTask {
        title: "Call back".into(),
        due_at: Some(NOW + 86_400_000),
        assignee_id: Some(rep.id.clone()),
        contact_id: Some(c.id.clone()),
        ..Default::default()
    };
    let task = s.create_task(&t, actor(NOW)).await.unwrap();
    assert!(s.create_task(&NewTask { assignee_id: Some("nobody".into()), ..t.clone() }, actor(NOW)).await.is_err());
    let open = s
        .tasks(&TaskQuery { assignee_id: Some(rep.id.clone()), open_only: true, limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(open.items.len(), 1);
    let done =
        s.update_task(&task.id, &TaskChanges { done: Some(true), ..Default::default() }, actor(NOW + 5)).await.unwrap();
    assert_eq!(done.done_at, Some(NOW + 5));
    let open = s
        .tasks(&TaskQuery { assignee_id: Some(rep.id), open_only: true, limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert!(open.items.is_empty());
}

pub async fn users_sessions_tokens(s: &dyn Store) {
    assert_eq!(s.count_users().await.unwrap(), 0);
    let u = s.create_user("admin@x.pl", Some("Admin"), Role::Admin, Some("hash"), NOW).await.unwrap();
    assert!(matches!(
        s.create_user("admin@x.pl", None, Role::Sales, None, NOW).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(s.user_by_email("ADMIN@x.pl").await.unwrap().unwrap().id, u.id);
    s.create_session("sess-hash", &u.id, "csrf", NOW, NOW + 1000).await.unwrap();
    assert!(s.session("sess-hash", NOW + 1).await.unwrap().is_some());
    assert!(s.session("sess-hash", NOW + 1001).await.unwrap().is_none(), "expired");
    let t = s.create_token(&u.id, "ci", TokenScope::Read, "tok-hash", "ll_abc", NOW).await.unwrap();
    let (used, who) = s.use_token("tok-hash", NOW + 120_000).await.unwrap().unwrap();
    assert_eq!((used.id.as_str(), who.id.as_str()), (t.id.as_str(), u.id.as_str()));
    assert_eq!(s.token(&t.id).await.unwrap().last_used_at, Some(NOW + 120_000));
    s.revoke_token(&t.id, NOW + 5).await.unwrap();
    assert!(s.use_token("tok-hash", NOW + 6).await.unwrap().is_none());
    s.update_user(&u.id, UserChanges { disabled: Some(true), ..Default::default() }, NOW).await.unwrap();
    assert!(s.session("sess-hash", NOW + 1).await.unwrap().is_none(), "disabling ends sessions");
}

pub async fn property_schema(s: &dyn Store) {
    let def = PropertyDef {
        object: ObjectKind::Contact,
        name: "budget".into(),
        label: "Budget".into(),
        kind: PropertyType::Number,
        options: vec![],
    };
    s.define_property(&def, NOW).await.unwrap();
    s.define_property(&PropertyDef { label: "Budget (EUR)".into(), ..def.clone() }, NOW).await.unwrap();
    assert!(s.define_property(&PropertyDef { kind: PropertyType::Text, ..def.clone() }, NOW).await.is_err());
    let all = s.properties(Some(ObjectKind::Contact)).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].label, "Budget (EUR)");
    assert!(s.properties(Some(ObjectKind::Deal)).await.unwrap().is_empty());
    s.delete_property(ObjectKind::Contact, "budget").await.unwrap();
    assert!(s.delete_property(ObjectKind::Contact, "budget").await.is_err());
}

pub async fn jobs_progress_and_cancel(s: &dyn Store) {
    let job = s.create_job("import", &serde_json::json!({"object": "contacts"}), None, NOW).await.unwrap();
    assert_eq!(job.status, JobStatus::Queued);
    let counts = JobCounts {
        total: 10,
        processed: 5,
        created: 4,
        updated: 0,
        merged: 0,
        rejected: 1,
        possible_duplicates: 2,
        warnings: 3,
    };
    assert!(!s.job_progress(&job.id, JobStatus::Running, counts, NOW + 1).await.unwrap());
    s.add_rejects(&job.id, &[Reject { line: 3, field: Some("email".into()), reason: "bad".into(), raw: "x,y".into() }])
        .await
        .unwrap();
    s.cancel_job(&job.id).await.unwrap();
    assert!(s.job_progress(&job.id, JobStatus::Running, counts, NOW + 2).await.unwrap(), "cancellation is seen");
    let done = s.finish_job(&job.id, JobStatus::Cancelled, counts, None, NOW + 3).await.unwrap();
    assert_eq!(done.counts, counts);
    assert_eq!(done.started_at, Some(NOW + 1));
    assert!(s.cancel_job(&job.id).await.is_err());
    assert_eq!(s.rejects(&job.id, 0, 10).await.unwrap()[0].line, 3);
    assert_eq!(s.jobs(10).await.unwrap().len(), 1);

    // A job whose owner stopped touching it is failed; one still touched, or finished, is not.
    let gone = s.create_job("import", &serde_json::json!({}), None, NOW).await.unwrap();
    s.job_progress(&gone.id, JobStatus::Running, counts, NOW + 10).await.unwrap();
    let waiting = s.create_job("import", &serde_json::json!({}), None, NOW).await.unwrap();
    assert!(!s.touch_job(&waiting.id, NOW + 100).await.unwrap());
    let working = s.create_job("import", &serde_json::json!({}), None, NOW).await.unwrap();
    s.job_progress(&working.id, JobStatus::Running, counts, NOW + 100).await.unwrap();
    let failed = s.fail_silent_jobs(NOW + 50, "the server stopped", NOW + 200).await.unwrap();
    assert_eq!(failed, 1, "only the silent unfinished job");
    let gone = s.job(&gone.id).await.unwrap();
    assert_eq!(
        (gone.status, gone.error.as_deref(), gone.finished_at),
        (JobStatus::Failed, Some("the server stopped"), Some(NOW + 200))
    );
    assert_eq!(gone.counts, counts, "the progress made is kept");
    assert_eq!(s.job(&waiting.id).await.unwrap().status, JobStatus::Queued);
    assert_eq!(s.job(&working.id).await.unwrap().status, JobStatus::Running);
    assert_eq!(s.job(&job.id).await.unwrap().status, JobStatus::Cancelled);
    s.cancel_job(&waiting.id).await.unwrap();
    assert!(s.touch_job(&waiting.id, NOW + 300).await.unwrap(), "a waiting job hears of its cancellation");
    assert!(s.touch_job("no-such-job", NOW).await.is_err());
}

pub async fn deals_track_stage_and_close(s: &dyn Store) {
    let mut d = FieldChanges::default();
    set(&mut d, ObjectKind::Deal, "name", "Rinnovo 2027");
    d.set(field(ObjectKind::Deal, "amount").unwrap(), Some(Scalar::Int(1_250_000)));
    let deal = s.create_deal(&d, &[], actor(NOW)).await.unwrap();
    assert_eq!(deal.text("status"), Some("open"));
    assert_eq!(deal.text("pipeline"), Some("default"));
    assert_eq!(deal.int("amount"), Some(1_250_000));
    let mut won = FieldChanges::default();
    set(&mut won, ObjectKind::Deal, "status", "won");
    let closed = s.update_deal(&deal.id, &won, None, actor(NOW + 9)).await.unwrap();
    assert_eq!(closed.int("closed_at"), Some(NOW + 9));
    let h = s.history(&deal.id).await.unwrap();
    assert!(h.iter().any(|c| c.field == "status" && c.to.as_deref() == Some("won")));
    let mut q = ListQuery::newest(ObjectKind::Deal, 10);
    q.search = Some("rinnovo".into());
    assert_eq!(s.list(ObjectKind::Deal, &q).await.unwrap().items.len(), 1);
    assert!(s.create_deal(&FieldChanges::default(), &["ghost".into()], actor(NOW)).await.is_err());
}

pub async fn copy_between_stores_is_verified(s: &dyn Store) {
    let u = s.create_user("a@x.pl", None, Role::Admin, None, NOW).await.unwrap();
    s.create_token(&u.id, "t", TokenScope::Write, "h", "p", NOW).await.unwrap();
    let c = s
        .create_contact(&with_phone(contact("Zoë", "Ångström", Some("zoe@x.se")), "+46701234567"), actor(NOW))
        .await
        .unwrap();
    s.append_activities(
        vec![NewActivity { kind: "note".into(), contact_id: Some(c.id.clone()), ..Default::default() }],
        actor(NOW),
    )
    .await
    .unwrap();
    // A company with empty integer columns: PostgreSQL wants its NULLs typed.
    let mut co = FieldChanges::default();
    set(&mut co, ObjectKind::Company, "name", "No Size Yet");
    s.create_company(&co, &[], actor(NOW)).await.unwrap();
    // Into SQLite, and into PostgreSQL when this run has one: both directions get tested.
    let mut targets = vec![leadline_store::testing::sqlite().await.unwrap()];
    if let Some(pg) = leadline_store::testing::postgres().await {
        targets.push(pg.unwrap());
    }
    for target in targets {
        let sums = copy_store(s, target.store.as_ref(), |_, _| {}).await.unwrap();
        assert_eq!(sums.iter().find(|t| t.table == "contacts").unwrap().rows, 1);
        assert_eq!(target.store.get(ObjectKind::Contact, &c.id).await.unwrap(), c);
        let mut q = ListQuery::newest(ObjectKind::Contact, 10);
        q.search = Some("angst".into());
        let found = target.store.list(ObjectKind::Contact, &q).await.unwrap().items;
        assert_eq!(found, std::slice::from_ref(&c), "the target's own search index is built from the copy");
        let more = target
            .store
            .append_activities(vec![NewActivity { kind: "note".into(), ..Default::default() }], actor(NOW))
            .await
            .unwrap();
        assert!(more[0].as_ref().unwrap().0.seq > 1, "sequences continue after the copied rows");
        assert!(copy_store(s, target.store.as_ref(), |_, _| {}).await.is_err(), "a non-empty target is refused");
        target.remove().await;
    }
}

pub async fn search_walks_the_list_when_many_match(s: &dyn Store) {
    // More matches than the planner's threshold, so the search walks the list in order.
    for batch in 0..3 {
        let items: Vec<ContactUpsert> = (0..700)
            .map(|i| ContactUpsert {
                id: None,
                changes: contact("Samantha", &format!("N{batch}x{i}"), Some(&format!("s{batch}x{i}@x.pl"))),
            })
            .collect();
        s.upsert_contacts(items, actor(NOW + batch), false).await.unwrap();
    }
    s.create_contact(&contact("Other", "Person", Some("o@x.pl")), actor(NOW)).await.unwrap();
    assert_eq!(s.count(ObjectKind::Contact, &[], Some("sam")).await.unwrap(), 2100);
    let mut q = ListQuery::newest(ObjectKind::Contact, 500);
    q.search = Some("sam".into());
    let mut seen = std::collections::HashSet::new();
    let mut last_created = i64::MAX;
    loop {
        let page = s.list(ObjectKind::Contact, &q).await.unwrap();
        for r in &page.items {
            assert_eq!(r.text("first_name"), Some("Samantha"));
            assert!(r.created_at() <= last_created, "newest first");
            last_created = r.created_at();
            assert!(seen.insert(r.id.clone()), "each contact once");
        }
        match page.next {
            Some(n) => q.after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), 2100);
}

pub async fn search_follows_every_write(s: &dyn Store) {
    let found = |object: ObjectKind, q: &'static str| async move {
        let mut query = ListQuery::newest(object, 50);
        query.search = Some(q.into());
        let listed: Vec<String> = s.list(object, &query).await.unwrap().items.into_iter().map(|r| r.id).collect();
        assert_eq!(s.count(object, &[], Some(q)).await.unwrap(), listed.len() as i64, "count agrees with list: {q}");
        listed
    };
    let anna = s.create_contact(&contact("Anna", "Nowak", Some("anna@firma.pl")), actor(NOW)).await.unwrap();
    let mut rename = ContactChanges::default();
    set(&mut rename.record, ObjectKind::Contact, "last_name", "Kowalska");
    s.update_contact(&anna.id, &rename, WriteOptions::default(), actor(NOW + 1)).await.unwrap();
    assert!(found(ObjectKind::Contact, "nowak").await.is_empty(), "the old name is gone from the index");
    assert_eq!(found(ObjectKind::Contact, "kowal").await, std::slice::from_ref(&anna.id));

    // Words longer than a term are cut alike on both sides; search syntax is only text.
    let long = "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswessen".repeat(100);
    let odd = s.create_contact(&contact("Zed", &long, None), actor(NOW)).await.unwrap();
    assert_eq!(found(ObjectKind::Contact, "wolfeschlegelsteinhausenbergerdorff").await, std::slice::from_ref(&odd.id));
    for hostile in ["\"", "'", "*", "a\" OR \"b", "NEAR(x y)", "zed AND", "zed:*", "\\'", "-zed", "^zed", "(zed"] {
        let mut q = ListQuery::newest(ObjectKind::Contact, 50);
        q.search = Some(hostile.into());
        s.list(ObjectKind::Contact, &q).await.unwrap_or_else(|e| panic!("search {hostile:?}: {e}"));
    }
    assert_eq!(found(ObjectKind::Contact, "zed\"").await, std::slice::from_ref(&odd.id));

    // Merged records are found through their survivor only; unmerged, each by its own name.
    let ania = s.create_contact(&contact("Ania", "Zielinska", Some("ania@gmail.com")), actor(NOW + 2)).await.unwrap();
    let m = s.merge_contacts(&anna.id, &ania.id, actor(NOW + 3)).await.unwrap();
    assert_eq!(found(ObjectKind::Contact, "ania").await, std::slice::from_ref(&anna.id), "by the e-mail it brought");
    assert!(found(ObjectKind::Contact, "zielin").await.is_empty(), "the survivor kept its own name");
    s.unmerge(&m.id, actor(NOW + 4)).await.unwrap();
    assert_eq!(found(ObjectKind::Contact, "zielin").await, std::slice::from_ref(&ania.id));
    assert_eq!(found(ObjectKind::Contact, "ania").await, std::slice::from_ref(&ania.id));
    s.delete(ObjectKind::Contact, &ania.id, actor(NOW + 5)).await.unwrap();
    assert!(found(ObjectKind::Contact, "zielin").await.is_empty(), "a deleted contact is not found");

    let mut co = FieldChanges::default();
    set(&mut co, ObjectKind::Company, "name", "Acme Polska");
    set(&mut co, ObjectKind::Company, "domain", "acme.pl");
    let acme = s.create_company(&co, &[], actor(NOW)).await.unwrap();
    assert_eq!(found(ObjectKind::Company, "acme.pl").await, std::slice::from_ref(&acme.id));
    let mut co = FieldChanges::default();
    set(&mut co, ObjectKind::Company, "name", "Łódź Logistics");
    s.update_company(&acme.id, &co, &[], actor(NOW + 1)).await.unwrap();
    assert_eq!(found(ObjectKind::Company, "lodz").await, std::slice::from_ref(&acme.id));
    assert!(found(ObjectKind::Company, "polska").await.is_empty());

    let mut d = FieldChanges::default();
    set(&mut d, ObjectKind::Deal, "name", "Rinnovo licenze");
    let deal = s.create_deal(&d, &[], actor(NOW)).await.unwrap();
    assert_eq!(found(ObjectKind::Deal, "rinn lic").await, std::slice::from_ref(&deal.id));
    let mut d = FieldChanges::default();
    set(&mut d, ObjectKind::Deal, "name", "Nowa umowa");
    s.update_deal(&deal.id, &d, None, actor(NOW + 1)).await.unwrap();
    assert!(found(ObjectKind::Deal, "rinn").await.is_empty());
    assert_eq!(found(ObjectKind::Deal, "umo").await, std::slice::from_ref(&deal.id));
}

/// The import that turned Anna into "Bruno": a row with a new e-mail and the office phone Anna
/// holds makes a new contact, so does a row with another name and no e-mail, in any script;
/// only a row without e-mail whose name agrees with Anna's is Anna.
pub async fn a_shared_phone_never_merges_two_people(s: &dyn Store) {
    let anna = s
        .create_contact(&with_phone(contact("Anna", "Nowak", Some("anna@firma.pl")), "221234567"), actor(NOW))
        .await
        .unwrap();
    let kasra =
        s.create_contact(&with_phone(contact("کسری", "یزدان پناه", None), "221234000"), actor(NOW)).await.unwrap();
    let mut title = contact("ANNA", "nowak", None);
    set(&mut title.record, ObjectKind::Contact, "job_title", "CFO");
    let items = vec![
        ContactUpsert {
            id: None,
            changes: with_phone(contact("Bruno", "Rossi", Some("bruno@firma.pl")), "22 123 45 67"),
        },
        ContactUpsert { id: None, changes: with_phone(contact("زهرا", "محمدی", None), "+48221234567") },
        ContactUpsert { id: None, changes: with_phone(title, "221234567") },
        // The same person with the name written without its space.
        ContactUpsert { id: None, changes: with_phone(contact("کسری", "یزدانپناه", None), "221234000") },
    ];
    let out: Vec<UpsertOutcome> =
        s.upsert_contacts(items, actor(NOW + 1), false).await.unwrap().into_iter().map(Result::unwrap).collect();
    let kinds: Vec<UpsertKind> = out.iter().map(|o| o.kind).collect();
    assert_eq!(kinds, [UpsertKind::Created, UpsertKind::Created, UpsertKind::Updated, UpsertKind::Updated]);
    assert_eq!((out[2].id.as_str(), out[3].id.as_str()), (anna.id.as_str(), kasra.id.as_str()));
    let got = s.get(ObjectKind::Contact, &anna.id).await.unwrap();
    assert_eq!((got.text("first_name"), got.text("job_title")), (Some("ANNA"), Some("CFO")));
    assert_eq!(got.emails, ["anna@firma.pl"], "Anna keeps her one address");
    let bruno = s.get(ObjectKind::Contact, &out[0].id).await.unwrap();
    assert_eq!(
        (bruno.text("first_name"), bruno.emails.as_slice()),
        (Some("Bruno"), ["bruno@firma.pl".to_owned()].as_slice())
    );
    assert_eq!(bruno.phones, ["+48221234567"]);
    // Anna, Bruno and Zahra share the phone: three pairs to review, each listed once.
    assert_eq!(out[0].possible_duplicates, [anna.id.as_str()]);
    assert_eq!(out[1].possible_duplicates.len(), 2);
    assert_eq!(s.count_duplicates(DuplicateStatus::Open).await.unwrap(), 3);
    // The phone finds all three.
    assert_eq!(s.count(ObjectKind::Contact, &[], Some("221234567")).await.unwrap(), 3);
    // A dry run plans the same and keeps nothing.
    let again =
        vec![ContactUpsert { id: None, changes: with_phone(contact("Piotr", "Z", Some("p@x.pl")), "221234567") }];
    let dry = s.upsert_contacts(again, actor(NOW + 2), true).await.unwrap();
    assert_eq!(dry[0].as_ref().unwrap().possible_duplicates.len(), 3);
    assert_eq!(s.count_duplicates(DuplicateStatus::Open).await.unwrap(), 3);
}

pub async fn possible_duplicates_are_merged_dismissed_and_found_by_name(s: &dyn Store) {
    let a = s
        .create_contact(&with_phone(contact("Anna", "Nowak", Some("anna@firma.pl")), "221234567"), actor(NOW))
        .await
        .unwrap();
    let b = s
        .create_contact(&with_phone(contact("Anna", "Nowak", Some("anna@gmail.com")), "221234567"), actor(NOW + 1))
        .await
        .unwrap();
    let c = s
        .create_contact(&with_phone(contact("Ola", "K", Some("ola@firma.pl")), "221234567"), actor(NOW + 2))
        .await
        .unwrap();
    let open = s.duplicates(&open_pairs()).await.unwrap();
    assert_eq!(open.items.len(), 3);
    let pair_of = |x: &str, y: &str| {
        open.items.iter().find(|p| [&p.a.id, &p.b.id] == [x, y]).map(|p| p.id.clone()).expect("the pair is listed")
    };
    let (ab, ac) = (pair_of(&a.id, &b.id), pair_of(&a.id, &c.id));
    // Paging walks every pair once.
    let mut q = open_pairs();
    q.limit = 2;
    let first = s.duplicates(&q).await.unwrap();
    q.cursor = first.next.clone();
    let second = s.duplicates(&q).await.unwrap();
    assert_eq!((first.items.len(), second.items.len(), second.next), (2, 1, None));
    // Anna and Ola are two people.
    let dismissed = s.dismiss_duplicate(&ac, actor(NOW + 3)).await.unwrap();
    assert_eq!(dismissed.status, DuplicateStatus::Dismissed);
    assert!(matches!(s.dismiss_duplicate(&ac, actor(NOW + 3)).await, Err(StoreError::Conflict { .. })));
    // The two Annas are one: merged, the pair settled, the other pairs of the merged one gone.
    let m = s.merge_duplicate(&ab, actor(NOW + 4)).await.unwrap();
    assert_eq!((m.survivor_id.as_str(), m.merged_id.as_str()), (a.id.as_str(), b.id.as_str()));
    let merged = s.duplicate(&ab).await.unwrap();
    assert_eq!((merged.status, merged.merge_id.as_deref()), (DuplicateStatus::Merged, Some(m.id.as_str())));
    assert_eq!(s.count_duplicates(DuplicateStatus::Open).await.unwrap(), 0, "b's pair with c went with b");
    let survivor = s.get(ObjectKind::Contact, &a.id).await.unwrap();
    assert_eq!(survivor.phones, ["+48221234567"], "a phone both held is kept once");
    assert_eq!(survivor.emails, ["anna@firma.pl", "anna@gmail.com"]);
    // Undone: both come back with the phone, and the pair is open again.
    s.unmerge(&m.id, actor(NOW + 5)).await.unwrap();
    assert_eq!(s.get(ObjectKind::Contact, &b.id).await.unwrap().phones, ["+48221234567"]);
    assert_eq!(s.get(ObjectKind::Contact, &a.id).await.unwrap().phones, ["+48221234567"]);
    assert_eq!(s.duplicate(&ab).await.unwrap().status, DuplicateStatus::Open);
    assert_eq!(s.count_duplicates(DuplicateStatus::Open).await.unwrap(), 2);
    // A merge asked for by hand settles the pair too.
    let m = s.merge_contacts(&b.id, &a.id, actor(NOW + 6)).await.unwrap();
    assert_eq!(s.duplicate(&ab).await.unwrap().merge_id, Some(m.id));

    // The name scan: the same full name at the same company, or a rare name with other
    // e-mails; a dismissed pair is not raised again, and a second scan finds nothing new.
    let mut f = FieldChanges::default();
    set(&mut f, ObjectKind::Company, "name", "Acme");
    let acme = s.create_company(&f, &[], actor(NOW)).await.unwrap();
    let at_acme = |first: &str, last: &str| {
        let mut c = contact(first, last, None);
        set(&mut c.record, ObjectKind::Contact, "company_id", &acme.id);
        c
    };
    let z1 = s.create_contact(&at_acme("Zofia", "Wiśniewska"), actor(NOW + 7)).await.unwrap();
    let z2 = s.create_contact(&at_acme("ZOFIA", "Wisniewska"), actor(NOW + 8)).await.unwrap();
    let p1 = s.create_contact(&contact("Piotr", "Łęcki", Some("piotr@gmail.com")), actor(NOW + 9)).await.unwrap();
    let p2 = s.create_contact(&contact("Piotr", "Lecki", Some("piotr@b.pl")), actor(NOW + 10)).await.unwrap();
    s.create_contact(&contact("Piotr", "Nowy", Some("piotr@c.pl")), actor(NOW + 11)).await.unwrap();
    // Two work addresses at two companies under one name are two people.
    s.create_contact(&contact("Ewa", "Lis", Some("ewa@a.pl")), actor(NOW + 11)).await.unwrap();
    s.create_contact(&contact("Ewa", "Lis", Some("ewa@b.pl")), actor(NOW + 11)).await.unwrap();
    assert_eq!(s.scan_duplicates(actor(NOW + 12)).await.unwrap(), 2);
    let open = s.duplicates(&open_pairs()).await.unwrap().items;
    let found: Vec<(String, String, Reason, String)> =
        open.iter().map(|p| (p.a.id.clone(), p.b.id.clone(), p.reason, p.source.clone())).collect();
    assert!(found.contains(&(z1.id.clone(), z2.id.clone(), Reason::NameAndCompany, "scan".into())), "{found:?}");
    assert!(found.contains(&(p1.id.clone(), p2.id.clone(), Reason::NameOtherEmail, "scan".into())), "{found:?}");
    assert_eq!(s.scan_duplicates(actor(NOW + 13)).await.unwrap(), 0);
    // A deleted contact takes its pairs with it: the lists of settled pairs still read.
    s.delete(ObjectKind::Contact, &c.id, actor(NOW + 14)).await.unwrap();
    let dismissed = DuplicateQuery { status: DuplicateStatus::Dismissed, ..open_pairs() };
    assert_eq!(s.duplicates(&dismissed).await.unwrap().items.len(), 0);
    assert_eq!(s.count_duplicates(DuplicateStatus::Dismissed).await.unwrap(), 0);
    assert!(matches!(s.duplicate(&ac).await, Err(StoreError::NotFound { .. })));
}

/// Random batches against the store: two rows whose e-mails are not linked through a chain of
/// shared e-mails never end in one contact, whatever phones and names they carry; a row without
/// e-mail that joins a contact has a phone that contact holds.
pub async fn random_batches_never_join_different_emails(s: &dyn Store) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(18);
    let names = [("Anna", "Nowak"), ("Bruno", "Rossi"), ("Anna", ""), ("زهرا", "محمدی")];
    let mut rows: Vec<(Vec<String>, String)> = Vec::new(); // (e-mails, contact id)
    for round in 0..6 {
        let mut items = Vec::new();
        let mut emails_of = Vec::new();
        for _ in 0..rng.gen_range(1..15) {
            let mut emails: Vec<String> =
                (0..rng.gen_range(0..3)).map(|_| format!("e{}@x.pl", rng.gen_range(0..10))).collect();
            emails.dedup();
            let (first, last) = names[rng.gen_range(0..names.len())];
            let mut c = contact(first, last, None);
            c.emails = (!emails.is_empty())
                .then(|| emails.iter().map(|e| leadline_core::email::Email::parse("email", e).unwrap()).collect());
            if rng.gen_bool(0.7) || emails.is_empty() {
                c = with_phone(c, &format!("60000000{}", rng.gen_range(0..4)));
            }
            emails_of.push(emails);
            items.push(ContactUpsert { id: None, changes: c });
        }
        let out = s.upsert_contacts(items, actor(NOW + round), false).await.unwrap();
        for (emails, o) in emails_of.into_iter().zip(out) {
            rows.push((emails, o.unwrap().id));
        }
    }
    // Union-find over rows, joined by shared e-mails.
    let mut parent: Vec<usize> = (0..rows.len()).collect();
    fn find(p: &mut [usize], x: usize) -> usize {
        if p[x] != x {
            p[x] = find(p, p[x]);
        }
        p[x]
    }
    for i in 0..rows.len() {
        for j in 0..i {
            if rows[i].0.iter().any(|e| rows[j].0.contains(e)) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    for i in 0..rows.len() {
        for j in 0..i {
            if !rows[i].0.is_empty() && !rows[j].0.is_empty() && rows[i].1 == rows[j].1 {
                assert_eq!(
                    find(&mut parent, i),
                    find(&mut parent, j),
                    "rows {j} and {i} share no e-mail yet one contact"
                );
            }
        }
    }
    // Every contact holds its e-mails once, and no address is held twice.
    let all = s.list(ObjectKind::Contact, &ListQuery::newest(ObjectKind::Contact, 500)).await.unwrap().items;
    let mut seen = std::collections::HashSet::new();
    for c in &all {
        for e in &c.emails {
            assert!(seen.insert(e.clone()), "{e} is held twice");
        }
    }
}

/// A timeline is in the order things happened: a touch recorded late (imported history, an
/// event that arrived after others) lands in its place, and paging walks every touch once,
/// ties included; the log's seq stays the order a consumer resumes from.
pub async fn timelines_are_in_time_order(s: &dyn Store) {
    let c = s.create_contact(&contact("Tim", "Line", Some("tim@x.pl")), actor(NOW)).await.unwrap();
    let at = |kind: &str, t: i64| NewActivity {
        kind: kind.into(),
        occurred_at: t,
        contact_id: Some(c.id.clone()),
        ..Default::default()
    };
    // Recorded in this order; happened in another, with two at the same moment.
    let times = [NOW + 50, NOW + 10, NOW + 30, NOW + 30, NOW - 1_000, NOW + 40];
    let stored = s.append_activities(times.iter().map(|t| at("note", *t)).collect(), actor(NOW + 60)).await.unwrap();
    let seqs: Vec<i64> = stored.iter().map(|r| r.as_ref().unwrap().0.seq).collect();
    let mut q = ActivityQuery { contact_id: Some(c.id.clone()), limit: 2, ..Default::default() };
    let mut walked = Vec::new();
    loop {
        let page = s.activities(&q).await.unwrap();
        walked.extend(page.iter().map(|a| (a.occurred_at, a.seq)));
        if page.len() < q.limit as usize {
            break;
        }
        q.before = page.last().map(TimelineCursor::of);
    }
    let mut want: Vec<(i64, i64)> = times.iter().copied().zip(seqs.iter().copied()).collect();
    want.sort_by(|a, b| b.cmp(a));
    assert_eq!(walked, want, "newest first by time, then seq, each once");
    // The log keeps recording order for a consumer.
    let log =
        s.activities(&ActivityQuery { after_seq: Some(seqs[0] - 1), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(log.iter().map(|a| a.seq).collect::<Vec<_>>(), seqs);
    assert_eq!(TimelineCursor::decode(&TimelineCursor::of(&log[0]).encode()), Some(TimelineCursor::of(&log[0])));
}

pub async fn an_import_is_undone_whole_or_not_at_all(s: &dyn Store) {
    let found = |q: &'static str| async move {
        let mut query = ListQuery::newest(ObjectKind::Contact, 50);
        query.search = Some(q.into());
        s.list(ObjectKind::Contact, &query).await.unwrap().items.into_iter().map(|r| r.id).collect::<Vec<_>>()
    };
    let mut anna_c = with_phone(contact("Anna", "Nowak", Some("anna@firma.pl")), "601234567");
    set(&mut anna_c.record, ObjectKind::Contact, "lifecycle_stage", "lead");
    anna_c.tags = Some(vec!["webinar".into()]);
    let anna = s.create_contact(&anna_c, actor(NOW)).await.unwrap();
    let acme = s
        .create_company(
            &{
                let mut c = FieldChanges::default();
                set(&mut c, ObjectKind::Company, "name", "Acme");
                c
            },
            &[],
            actor(NOW),
        )
        .await
        .unwrap();
    let job = s.create_job("import", &serde_json::json!({"object": "contacts"}), None, NOW).await.unwrap();
    let by_import = |now| Actor { job_id: Some(job.id.as_str()), ..Actor::new(None, ChangeCause::Import, now) };

    // The import renames Anna, gives her an e-mail, a phone, a tag, a company and a later stage,
    // and creates two contacts, one of them in a second batch that updates the first again.
    let mut anna_row = with_phone(contact("Anne", "Kowalska", Some("ANNA@firma.pl")), "+48 22 111 22 33");
    anna_row.emails.as_mut().unwrap().push(leadline_core::email::Email::parse("email", "anna@gmail.com").unwrap());
    set(&mut anna_row.record, ObjectKind::Contact, "lifecycle_stage", "customer");
    set(&mut anna_row.record, ObjectKind::Contact, "company_id", &acme.id);
    anna_row.tags = Some(vec!["imported".into()]);
    let items = vec![
        ContactUpsert { id: None, changes: anna_row },
        ContactUpsert { id: None, changes: contact("Bruno", "Rossi", Some("bruno@x.it")) },
    ];
    let out = s.upsert_contacts(items, by_import(NOW + 10), false).await.unwrap();
    let bruno = out[1].as_ref().unwrap().id.clone();
    let items = vec![
        ContactUpsert { id: None, changes: contact("Bruno", "Rossi-Bianchi", Some("bruno@x.it")) },
        ContactUpsert { id: None, changes: contact("Zofia", "Wiśniewska", None) },
        ContactUpsert { id: None, changes: contact("Anne", "Nowak", Some("anna@gmail.com")) },
    ];
    let out = s.upsert_contacts(items, by_import(NOW + 20), false).await.unwrap();
    assert!(out.iter().all(Result::is_ok));
    let zofia = out[1].as_ref().unwrap().id.clone();
    let imported = s.get(ObjectKind::Contact, &anna.id).await.unwrap();
    assert_eq!(imported.text("first_name"), Some("Anne"));
    assert_eq!(imported.emails, ["anna@firma.pl", "anna@gmail.com"]);
    assert_eq!(found("anne").await, std::slice::from_ref(&anna.id));

    // A dry run or a job that wrote nothing has nothing to undo.
    let empty = s.create_job("import", &serde_json::json!({}), None, NOW).await.unwrap();
    s.finish_job(&empty.id, JobStatus::Done, JobCounts::default(), None, NOW).await.unwrap();
    let refused = s.undo_import(&job.id, actor(NOW + 25)).await.unwrap_err();
    assert!(matches!(refused, StoreError::Conflict { code: "import_running", .. }), "{refused:?}");
    s.finish_job(&job.id, JobStatus::Done, JobCounts::default(), None, NOW + 21).await.unwrap();
    let refused = s.undo_import(&empty.id, actor(NOW + 25)).await.unwrap_err();
    assert!(matches!(refused, StoreError::Conflict { code: "nothing_to_undo", .. }), "{refused:?}");

    // Touched since: a person edits Zofia. The undo is refused and changes nothing.
    let mut edit = ContactChanges::default();
    set(&mut edit.record, ObjectKind::Contact, "job_title", "CFO");
    s.update_contact(&zofia, &edit, WriteOptions::default(), actor(NOW + 30)).await.unwrap();
    let refused = s.undo_import(&job.id, actor(NOW + 40)).await.unwrap_err();
    match &refused {
        StoreError::Conflict { code, message, .. } => {
            assert_eq!(*code, "touched_since");
            assert!(message.contains("1 contact this import wrote was changed since"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.get(ObjectKind::Contact, &anna.id).await.unwrap().text("first_name"), Some("Anne"));
    assert!(s.get(ObjectKind::Contact, &bruno).await.is_ok());

    // Once the edit is gone (Zofia deleted by hand), the undo goes through whole.
    s.delete(ObjectKind::Contact, &zofia, actor(NOW + 50)).await.unwrap();
    let undone = s.undo_import(&job.id, actor(NOW + 60)).await.unwrap();
    assert_eq!(undone, ImportUndone { deleted: 1, restored: 1 });
    assert!(matches!(s.get(ObjectKind::Contact, &bruno).await, Err(StoreError::NotFound { .. })));
    let back = s.get(ObjectKind::Contact, &anna.id).await.unwrap();
    for name in ["first_name", "last_name", "lifecycle_stage", "company_id", "updated_at"] {
        assert_eq!(back.get(name), anna.get(name), "{name} is as before the import");
    }
    assert_eq!(back.emails, anna.emails);
    assert_eq!(back.phones, anna.phones);
    assert_eq!(back.tags, anna.tags);
    assert!(s.contact_companies(&anna.id).await.unwrap().is_empty(), "the import's company link is gone");
    assert!(found("anne").await.is_empty(), "search forgets the imported name");
    assert_eq!(found("anna").await, std::slice::from_ref(&anna.id));
    assert!(found("rossi").await.is_empty());
    // The identities the import added are free again.
    let again = s.create_contact(&contact("Anna", "Privata", Some("anna@gmail.com")), actor(NOW + 70)).await.unwrap();
    assert_ne!(again.id, anna.id);
    let stages: Vec<_> =
        s.history(&anna.id).await.unwrap().into_iter().filter(|h| h.field == "lifecycle_stage").collect();
    assert_eq!(stages.last().map(|h| (h.to.as_deref(), h.cause.as_str())), Some((Some("lead"), "undo")));
    assert!(s.job(&job.id).await.unwrap().undone_at.is_some());
    let twice = s.undo_import(&job.id, actor(NOW + 80)).await.unwrap_err();
    assert!(matches!(twice, StoreError::Conflict { code: "already_undone", .. }), "{twice:?}");
}

pub async fn compound_names_are_found_however_written(s: &dyn Store) {
    let spellings = ["یزدان پناه", "یزدان\u{200C}پناه", "یزدانپناه"];
    let mut ids = Vec::new();
    for (n, last) in spellings.iter().enumerate() {
        let c =
            s.create_contact(&contact("مریم", last, Some(&format!("maryam{n}@firma.ir"))), actor(NOW + n as i64)).await;
        ids.push(c.unwrap().id);
    }
    ids.reverse();
    for typed in spellings.iter().chain(&["یزدان", "مریم یزدانپ"]) {
        let mut q = ListQuery::newest(ObjectKind::Contact, 50);
        q.search = Some((*typed).into());
        let found: Vec<String> =
            s.list(ObjectKind::Contact, &q).await.unwrap().items.into_iter().map(|r| r.id).collect();
        assert_eq!(found, ids, "typed {typed:?}");
        assert_eq!(s.count(ObjectKind::Contact, &[], Some(typed)).await.unwrap(), 3, "counted {typed:?}");
    }
    // A search of zeros or signs is a search, on every backend, never an error.
    for q in ["0", "00", "0.0", "+0", "-0", "+", "''", "\u{200C}"] {
        let mut query = ListQuery::newest(ObjectKind::Contact, 50);
        query.search = Some(q.into());
        s.list(ObjectKind::Contact, &query).await.unwrap_or_else(|e| panic!("search {q:?}: {e}"));
        s.count(ObjectKind::Contact, &[], Some(q)).await.unwrap_or_else(|e| panic!("count {q:?}: {e}"));
        s.list(ObjectKind::Company, &query).await.unwrap_or_else(|e| panic!("companies {q:?}: {e}"));
        s.list(ObjectKind::Deal, &query).await.unwrap_or_else(|e| panic!("deals {q:?}: {e}"));
    }
}

pub async fn the_engine_applies_each_event_once_under_its_lease(s: &dyn Store) {
    use leadline_core::engine::{Consequence, State};
    let c = s.create_contact(&contact("Ola", "Nowak", Some("ola@firma.pl")), actor(NOW)).await.unwrap();
    let seq_of = |c: Option<Claim>| c.map(|c| c.seq);
    let at = |seq: i64| Some(seq);
    // The new contact is marked for the engine, in the transaction that made it.
    let first = s.engine_claim("contacts", "a", NOW, 1_000).await.unwrap().unwrap();
    assert_eq!(first.seq, 0);
    assert_eq!(first.dirty.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), [c.id.as_str()]);
    assert_eq!(s.engine_claim("contacts", "b", NOW + 500, 1_000).await.unwrap(), None, "a holds it");
    let decided = |stage| Decision {
        contact_id: c.id.clone(),
        state: State {
            scores: vec![("fit".into(), 45.0, Some("B".into()))],
            stage: Some(stage),
            segments: ["hot".to_owned()].into_iter().collect(),
        },
        consequences: vec![Consequence::StageChanged { from: None, to: stage, rule: 0 }],
    };
    let to = |seq| Claim { seq, rescan_after: None, dirty: Vec::new() };
    let cleared = Claim { dirty: first.dirty.clone(), ..to(7) };
    assert!(s.engine_commit("contacts", "a", &cleared, &[decided(LifecycleStage::Lead)], NOW + 600).await.unwrap());
    // a stops renewing; b takes over where a committed, and a's late commit writes nothing.
    let taken = s.engine_claim("contacts", "b", NOW + 1_700, 1_000).await.unwrap().unwrap();
    assert_eq!(taken.seq, 7);
    assert_ne!(taken.dirty, first.dirty, "the stage the engine set marked the contact anew; the old mark is gone");
    let (nine, customer, mql) =
        (to(9), [decided(LifecycleStage::Customer)], [decided(LifecycleStage::MarketingQualified)]);
    assert!(!s.engine_commit("contacts", "a", &nine, &customer, NOW + 1_800).await.unwrap(), "a lost the lease");
    assert!(s.engine_commit("contacts", "b", &nine, &mql, NOW + 1_900).await.unwrap());
    assert_eq!(seq_of(s.engine_claim("contacts", "b", NOW + 2_000, 1_000).await.unwrap()), at(9));
    s.engine_request_rescan("contacts").await.unwrap();
    let rescan = s.engine_claim("contacts", "b", NOW + 2_100, 1_000).await.unwrap().unwrap();
    assert_eq!(rescan.rescan_after.as_deref(), Some(""), "a rescan from the first contact");
    assert_eq!(s.contacts_after("", 10).await.unwrap(), std::slice::from_ref(&c.id));
    let states = s.contact_states(std::slice::from_ref(&c.id)).await.unwrap();
    assert_eq!(states[&c.id].stage, Some(LifecycleStage::MarketingQualified));
    assert_eq!(states[&c.id].scores, [("fit".to_owned(), 45.0, Some("B".to_owned()))]);
    let now = s.get(ObjectKind::Contact, &c.id).await.unwrap();
    assert_eq!(now.text("lifecycle_stage"), Some("mql"));
    let moves: Vec<_> = s
        .history(&c.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|h| h.field == "lifecycle_stage" && h.cause == "rule")
        .collect();
    // A new contact starts as a lead, so a's move to lead changed nothing; b's to MQL did.
    assert_eq!(moves.iter().map(|m| m.to.as_deref()).collect::<Vec<_>>(), [Some("mql")], "{moves:?}");
    let q = ActivityQuery {
        contact_id: Some(c.id.clone()),
        kinds: vec!["stage_changed".into()],
        limit: 10,
        ..Default::default()
    };
    assert_eq!(s.activities(&q).await.unwrap().len(), 2, "one timeline entry per applied move, none for a's stale one");
}

/// The engine's bulk read: many contacts with their companies, windowed activities of the
/// types asked for (loaded through the bulk path) and deals counted by status; a merged id
/// reads as its survivor, once.
pub async fn the_engine_reads_many_contacts_at_once(s: &dyn Store) {
    let mut company = FieldChanges::default();
    set(&mut company, ObjectKind::Company, "name", "Acme");
    let co = s.create_company(&company, &[], actor(NOW)).await.unwrap();
    let mut a = contact("Ada", "One", Some("ada@acme.pl"));
    a.record.set(field(ObjectKind::Contact, "company_id").unwrap(), Some(Scalar::Text(co.id.clone())));
    let a = s.create_contact(&a, actor(NOW)).await.unwrap();
    let b = s.create_contact(&contact("Bo", "Two", Some("bo@acme.pl")), actor(NOW)).await.unwrap();
    let event = |c: &str, kind: &str, at: i64| NewActivity {
        kind: kind.into(),
        occurred_at: at,
        contact_id: Some(c.to_owned()),
        ..Default::default()
    };
    let loaded = s
        .load_activities(
            vec![
                event(&a.id, "page_view", NOW - 10),
                event(&a.id, "page_view", NOW - 5),
                event(&a.id, "email_opened", NOW - 5),
                event(&a.id, "page_view", NOW - 1_000_000),
                event(&b.id, "page_view", NOW - 1),
            ],
            actor(NOW),
        )
        .await
        .unwrap();
    assert_eq!(loaded, 5);
    let mut deal = FieldChanges::default();
    set(&mut deal, ObjectKind::Deal, "name", "Licences");
    set(&mut deal, ObjectKind::Deal, "status", "won");
    s.create_deal(&deal, std::slice::from_ref(&a.id), actor(NOW)).await.unwrap();
    let kinds = ["page_view".to_owned()];
    let page = s.contact_facts(Contacts::Ids(&[a.id.clone(), b.id.clone()]), NOW - 100, Some(&kinds)).await.unwrap();
    assert_eq!(page.contacts.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [a.id.as_str(), b.id.as_str()]);
    assert_eq!(page.companies.keys().collect::<Vec<_>>(), [&co.id]);
    let times: Vec<i64> = page.activities[&a.id].iter().map(|x| x.occurred_at).collect();
    assert_eq!(times, [NOW - 5, NOW - 10], "page views in the window, newest first");
    assert_eq!(page.deals.get(&a.id), Some(&(0, 1)));
    // Merged: the survivor, once.
    s.merge_contacts(&a.id, &b.id, actor(NOW + 1)).await.unwrap();
    let page = s.contact_facts(Contacts::Ids(&[a.id.clone(), b.id.clone()]), NOW - 100, None).await.unwrap();
    assert_eq!(page.contacts.len(), 1);
    let all = s.contact_facts(Contacts::After("", 10), NOW - 100, None).await.unwrap();
    assert_eq!(all.contacts.len(), 1, "live contacts only");
}
