//! Contact writes: create, update, the bulk upsert behind imports and batch calls, and
//! reversible merges of contacts and companies.

// A bulk upsert hashes every identity key and id of its batch several times over: foldhash
// (seeded per process) in place of SipHash.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use leadline_core::contact::{Consent, ContactChanges, Identity};
use leadline_core::dedupe::{self, Reason, Who};
use leadline_core::lifecycle::LifecycleStage;
use leadline_core::record::{self, ObjectKind, Scalar};
use leadline_core::FieldError;

use super::records::{self, check_refs, consent_to_json, get, insert, load, set_terms, update, Conn};
use super::{query, query_count, req_text, sql, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::model::{Actor, ContactUpsert, MergeRecord, Record, UpsertKind, UpsertOutcome, WriteOptions};
use crate::sql::{new_id, Arg, Sql};

/// The fewest new contacts an upsert shares among several writers: below it (every API batch
/// call) a second transaction would cost more than it saves.
const SHARED_WRITE_MIN: usize = 2_000;
/// How many new contacts a writer takes at a time when several share a batch: a few
/// statements' worth, so that the writers finish together.
const SHARED_WRITE_SLICE: usize = 2_500;

/// Contacts start as new leads unless the write says otherwise.
fn with_defaults(mut c: ContactChanges) -> ContactChanges {
    let spec = |n| record::field(ObjectKind::Contact, n).expect("contact field");
    if !matches!(c.record.get("lifecycle_stage"), Some(Some(_))) {
        c.record.set(spec("lifecycle_stage"), Some(Scalar::Text(LifecycleStage::Lead.as_str().into())));
    }
    if !matches!(c.record.get("lead_status"), Some(Some(_))) {
        c.record.set(spec("lead_status"), Some(Scalar::Text("new".into())));
    }
    if let Some(Some(source)) = c.record.get("source").cloned() {
        if c.record.get("original_source").is_none() {
            c.record.set(spec("original_source"), Some(source));
        }
    }
    c
}

fn field_of(identity: &Identity) -> &'static str {
    match identity {
        Identity::Email(_) => "emails",
        Identity::Phone(_) => "phones",
        Identity::External(..) => "external_ids",
    }
}

/// Who holds each of these identity keys: the one contact holding each e-mail or external id,
/// and every contact holding each phone (oldest first).
async fn holders(conn: &mut Conn, keys: &[impl AsRef<str>]) -> StoreResult<Holders> {
    let mut out = Holders::default();
    for chunk in keys.chunks(super::chunk_size(1)) {
        let mut sql = sql("SELECT key, contact_id FROM contact_identities WHERE key");
        sql.in_texts(super::MANY, chunk.iter().map(AsRef::as_ref));
        sql.push(" ORDER BY key, contact_id");
        for row in query(&sql).fetch_all(&mut *conn).await? {
            let (key, id) = (req_text(&row, "key")?, req_text(&row, "contact_id")?);
            if is_shared(&key) {
                out.phones.entry(key).or_default().push(id);
            } else {
                out.unique.insert(key, id);
            }
        }
    }
    Ok(out)
}

#[derive(Default)]
struct Holders {
    unique: HashMap<String, String>,
    phones: HashMap<String, Vec<String>>,
}

/// Whether an identity key may belong to several contacts: a phone may (an office line).
fn is_shared(key: &str) -> bool {
    key.starts_with("phone:")
}

/// Refuse e-mails and external ids that already name another contact. Phones may be shared.
async fn check_identities_free(conn: &mut Conn, identities: &[Identity], me: Option<&str>) -> StoreResult<()> {
    let keys: Vec<String> = identities.iter().map(Identity::key).filter(|k| !is_shared(k)).collect();
    let taken = holders(conn, &keys).await?.unique;
    for id in identities {
        if let Some(owner) = taken.get(&id.key()) {
            if Some(owner.as_str()) != me {
                let shown = id.key().split_once(':').map(|(_, v)| v.to_owned()).unwrap_or_default();
                return Err(StoreError::Taken {
                    field: field_of(id).into(),
                    message: format!("{shown} already belongs to contact {owner}"),
                    holder: owner.clone(),
                });
            }
        }
    }
    Ok(())
}

/// List as possible duplicates of `id` the other contacts holding any of its phones. Returns
/// their ids.
async fn flag_shared_phones(
    conn: &mut Conn,
    id: &str,
    phones: &[leadline_core::phone::Phone],
    actor: Actor<'_>,
) -> StoreResult<Vec<String>> {
    let keys: Vec<String> = phones.iter().map(|p| Identity::Phone(p.as_str().into()).key()).collect();
    let mut others: Vec<String> =
        holders(conn, &keys).await?.phones.into_values().flatten().filter(|h| h != id).collect();
    others.sort();
    others.dedup();
    let pairs = others.iter().map(|o| (id.to_owned(), o.clone(), Reason::Phone));
    super::duplicates::add(conn, pairs, actor.cause.as_str(), actor.now).await?;
    Ok(others)
}

/// Insert identity rows: (key, contact id, position).
async fn insert_identities(conn: &mut Conn, rows: Vec<(String, String, i64)>) -> StoreResult<()> {
    super::execute_all(conn, identity_statements(rows.into_iter())).await
}

/// The statements that insert identity rows, built as they are pulled.
fn identity_statements<'a>(rows: impl Iterator<Item = (String, String, i64)> + 'a) -> impl Iterator<Item = Sql> + 'a {
    super::chunked(rows, super::chunk_size(3)).map(|chunk| {
        let rows = chunk.into_iter().map(|(key, id, pos)| vec![key.into(), id.into(), pos.into()]).collect();
        super::sql_rows("INSERT INTO contact_identities (key, contact_id, position) ", rows)
    })
}

fn identity_rows(id: &str, identities: &[Identity], start: i64) -> Vec<(String, String, i64)> {
    identities.iter().enumerate().map(|(i, k)| (k.key(), id.to_owned(), start + i as i64)).collect()
}

/// The search terms of any record as it is stored.
pub(super) fn record_terms(r: &Record) -> Vec<String> {
    match r.object {
        ObjectKind::Contact => terms_of(r),
        _ => leadline_core::contact::search_terms(
            ["name", "domain"].into_iter().filter_map(|n| r.text(n)),
            std::iter::empty(),
        ),
    }
}

/// Search terms of a contact as it will be stored.
fn terms_of(r: &Record) -> Vec<String> {
    leadline_core::contact::contact_terms(
        ["first_name", "last_name", "display_name"].into_iter().filter_map(|n| r.text(n)),
        r.text("company_name"),
        r.emails.iter().map(String::as_str),
        r.phones.iter().map(String::as_str),
    )
}

fn terms_of_changes(c: &ContactChanges) -> Vec<String> {
    let text = |n| c.record.get(n).and_then(|v| v.as_ref()).and_then(Scalar::as_text);
    leadline_core::contact::contact_terms(
        ["first_name", "last_name", "display_name"].into_iter().filter_map(text),
        text("company_name"),
        c.emails.iter().flatten().map(|e| e.as_str()),
        c.phones.iter().flatten().map(|p| p.as_str()),
    )
}

/// Consent keeps the latest statement per channel.
fn merge_consent(current: &[Consent], new: &[Consent]) -> Vec<Consent> {
    let mut out: Vec<Consent> = current.to_vec();
    for c in new {
        match out.iter_mut().find(|o| o.channel == c.channel) {
            Some(o) if o.at <= c.at => *o = c.clone(),
            Some(_) => {}
            None => out.push(c.clone()),
        }
    }
    out
}

fn tags_json(tags: &[String]) -> Arg {
    Arg::from(serde_json::to_string(tags).unwrap_or_else(|_| "[]".into()))
}

/// Keep the contact's primary company linked when `company_id` is set.
async fn link_primary_company(
    conn: &mut Conn,
    contact_id: &str,
    changes: &ContactChanges,
    now: i64,
) -> StoreResult<()> {
    let Some(Some(Scalar::Text(company))) = changes.record.get("company_id") else { return Ok(()) };
    super::execute_all(conn, link_statements(std::iter::once((contact_id.to_owned(), company.clone())), now)).await
}

/// What consent statements change: the contact's new consent column and the history entries
/// that say so (`None` when the write states no consent). Pure, so a batch can write the
/// history of all its contacts at once.
fn consent_change(current: &Record, statements: &[Consent]) -> Option<(Arg, Vec<records::HistoryRow>)> {
    if statements.is_empty() {
        return None;
    }
    let history = statements
        .iter()
        .map(|c| {
            let before = current.consent.iter().find(|o| o.channel == c.channel).map(|o| o.granted.to_string());
            let after = Some(format!("{} ({})", c.granted, c.origin));
            (current.id.clone(), format!("consent.{}", c.channel.as_str()), before, after)
        })
        .collect();
    Some((Arg::from(consent_to_json(&merge_consent(&current.consent, statements))), history))
}

/// Apply a write to an existing contact inside a transaction: the fields it names, and the
/// lists (e-mails, phones, tags) it carries replace the contact's. Upserts, which add to the
/// lists instead, go through [`update_many`].
async fn apply_update(
    conn: &mut Conn,
    current: &Record,
    changes: &ContactChanges,
    options: WriteOptions,
    actor: Actor<'_>,
) -> StoreResult<()> {
    let to = changes.record.get("lifecycle_stage").and_then(Option::as_ref);
    if !options.allow_backward_stage && moves_back(current.text("lifecycle_stage"), to) {
        return Err(StoreError::Conflict {
            code: "backward_stage",
            field: Some("lifecycle_stage".into()),
            message: format!(
                "moving from {} back to {} must be asked for with allow_backward",
                current.text("lifecycle_stage").unwrap_or_default(),
                to.and_then(Scalar::as_text).unwrap_or_default()
            ),
        });
    }
    check_refs(conn, &changes.record).await?;
    check_identities_free(conn, &changes.identities(), Some(&current.id)).await?;
    // Every check is above this line, every write below: a refused update wrote nothing.
    let mut new_rows = Vec::new();
    let replace = |kind: &str, list: Option<Vec<Identity>>, conn_rows: &mut Vec<(String, String, i64)>| {
        if let Some(list) = list {
            conn_rows.extend(
                identity_rows(&current.id, &list, 0).into_iter().map(|(k, id, p)| (k, id, p + kind_base(kind))),
            );
        }
    };
    let emails: Option<Vec<Identity>> =
        changes.emails.as_ref().map(|v| v.iter().map(|e| Identity::Email(e.as_str().into())).collect());
    let phones: Option<Vec<Identity>> =
        changes.phones.as_ref().map(|v| v.iter().map(|p| Identity::Phone(p.as_str().into())).collect());
    for (kind, list) in [("email", &emails), ("phone", &phones)] {
        if list.is_some() {
            sqlx::query("DELETE FROM contact_identities WHERE contact_id = $1 AND substr(key, 1, 6) = $2")
                .bind(&current.id)
                .bind(format!("{kind}:"))
                .execute(&mut *conn)
                .await?;
        }
    }
    replace("email", emails, &mut new_rows);
    replace("phone", phones, &mut new_rows);
    if let Some(list) = &changes.phones {
        let added: Vec<_> = list.iter().filter(|p| !current.phones.iter().any(|c| c == p.as_str())).cloned().collect();
        flag_shared_phones(conn, &current.id, &added, actor).await?;
    }
    let held_ext: HashSet<(String, String)> = current.external_ids.iter().cloned().collect();
    let ext: Vec<Identity> = changes
        .external_ids
        .iter()
        .filter(|i| matches!(i, Identity::External(s, v) if !held_ext.contains(&(s.clone(), v.clone()))))
        .cloned()
        .collect();
    new_rows.extend(identity_rows(&current.id, &ext, 200 + current.external_ids.len() as i64));
    insert_identities(conn, new_rows).await?;
    let mut extra = Vec::new();
    if let Some(tags) = &changes.tags {
        if *tags != current.tags {
            extra.push(("tags", tags_json(tags)));
        }
    }
    if let Some((consent, history)) = consent_change(current, &changes.consent) {
        records::write_history(conn, ObjectKind::Contact, history, actor).await?;
        extra.push(("consent", consent));
    }
    update(conn, current, &changes.record, extra, actor).await?;
    link_primary_company(conn, &current.id, changes, actor.now).await?;
    let searchable = ["first_name", "last_name", "display_name", "company_name"];
    if changes.emails.is_some()
        || changes.phones.is_some()
        || searchable.iter().any(|n| changes.record.get(n).is_some())
    {
        let after = get(conn, ObjectKind::Contact, &current.id).await?;
        set_terms(conn, ObjectKind::Contact, &after.id, &terms_of(&after)).await?;
    }
    Ok(())
}

/// Positions order identities: e-mails first, then phones, then external ids.
fn kind_base(kind: &str) -> i64 {
    match kind {
        "email" => 0,
        "phone" => 100,
        _ => 200,
    }
}

impl SqlStore {
    pub(super) async fn create_contact_impl(&self, changes: &ContactChanges, actor: Actor<'_>) -> StoreResult<Record> {
        let changes = with_defaults(changes.clone());
        let mut tx = self.begin().await?;
        check_refs(&mut tx, &changes.record).await?;
        check_identities_free(&mut tx, &changes.identities(), None).await?;
        let id = new_id();
        let consent = merge_consent(&[], &changes.consent);
        let extra = vec![
            ("tags", tags_json(changes.tags.as_deref().unwrap_or_default())),
            ("consent", Arg::from(consent_to_json(&consent))),
            ("search_text", records::search_column(&terms_of_changes(&changes))),
        ];
        insert(&mut tx, ObjectKind::Contact, &id, &changes.record, extra, actor).await?;
        insert_identities(&mut tx, ordered_identity_rows(&id, &changes)).await?;
        flag_shared_phones(&mut tx, &id, changes.phones.as_deref().unwrap_or_default(), actor).await?;
        link_primary_company(&mut tx, &id, &changes, actor.now).await?;
        let r = get(&mut tx, ObjectKind::Contact, &id).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub(super) async fn update_contact_impl(
        &self,
        id: &str,
        changes: &ContactChanges,
        options: WriteOptions,
        actor: Actor<'_>,
    ) -> StoreResult<Record> {
        let mut tx = self.begin().await?;
        let current = get(&mut tx, ObjectKind::Contact, id).await?;
        apply_update(&mut tx, &current, changes, options, actor).await?;
        let r = get(&mut tx, ObjectKind::Contact, &current.id).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub(super) async fn upsert_contacts_impl(
        &self,
        mut items: Vec<ContactUpsert>,
        actor: Actor<'_>,
        dry_run: bool,
    ) -> StoreResult<Vec<StoreResult<UpsertOutcome>>> {
        let mut tx = self.begin().await?;
        let plan = plan_upsert(&mut tx, &items).await?;
        let mut results: Vec<Option<StoreResult<UpsertOutcome>>> = plan.rejected.into_iter().collect();
        // New contacts, with later duplicates in the batch folded into them, in bulk. Their
        // items are taken, not copied: only the updates read `items` from here on.
        let mut creates: Vec<(usize, String, ContactChanges)> = Vec::new();
        let mut create_index: HashMap<String, usize> = HashMap::new();
        let mut updates: Vec<(usize, String)> = Vec::new();
        for (i, target) in plan.targets.iter().enumerate() {
            match target {
                Target::Rejected => {}
                Target::New(id) => {
                    create_index.insert(id.clone(), creates.len());
                    creates.push((i, id.clone(), with_defaults(std::mem::take(&mut items[i].changes))));
                    results[i] = Some(Ok(UpsertOutcome::new(UpsertKind::Created, id.clone())));
                }
                Target::SameAs(id) => {
                    match create_index.get(id) {
                        Some(&c) => {
                            // An e-mail or external id the plan gives another contact stays
                            // with it; phones are shared.
                            let mut later = std::mem::take(&mut items[i].changes);
                            later.retain_identities(|k| {
                                matches!(k, Identity::Phone(_)) || plan.owner.get(&k.key()) == Some(id)
                            });
                            fold_into(&mut creates[c].2, &later)
                        }
                        None => updates.push((i, id.clone())),
                    }
                    results[i] = Some(Ok(UpsertOutcome::new(UpsertKind::Merged, id.clone())));
                }
                Target::Existing(id) => {
                    updates.push((i, id.clone()));
                    results[i] = Some(Ok(UpsertOutcome::new(UpsertKind::Updated, id.clone())));
                }
            }
        }
        // A big batch of new contacts is shared among the backend's writers (`WRITERS`), each
        // in a transaction of its own that takes the next slice of contacts whenever it is free
        // (the first also applies the updates, so a fixed split would leave the others idle
        // at the end). The plan gave every new contact e-mails and external ids no other
        // holds (phones, which may be shared, have no unique index), so the writers never
        // wait on each other. They commit only once all have written: a failed
        // write commits nothing (only a commit that fails after another succeeded, a lost
        // connection, would keep part of the batch). Only connections idle at this moment
        // join: waiting on the pool while holding a connection could leave every upsert
        // holding one and waiting for another.
        let writers = if creates.len() >= SHARED_WRITE_MIN { super::WRITERS } else { 1 };
        let mut others = Vec::with_capacity(writers - 1);
        for _ in 1..writers {
            match self.try_begin().await? {
                Some(t) => others.push(t),
                None => break,
            }
        }
        let slice = if others.is_empty() { creates.len().max(1) } else { SHARED_WRITE_SLICE };
        let queue = std::sync::Mutex::new(creates.chunks(slice));
        let (mine, theirs) = futures_util::future::join(
            async {
                update_many(&mut tx, &items, &updates, actor).await?;
                insert_from(&mut tx, &queue, actor).await
            },
            futures_util::future::join_all(others.iter_mut().map(|t| insert_from(t, &queue, actor))),
        )
        .await;
        mine?;
        theirs.into_iter().collect::<StoreResult<()>>()?;
        let pairs = plan.possible.iter().map(|(_, mine, other, reason)| (mine.clone(), other.clone(), *reason));
        super::duplicates::add(&mut tx, pairs, actor.cause.as_str(), actor.now).await?;
        for (i, _, other, _) in plan.possible {
            if let Some(Some(Ok(outcome))) = results.get_mut(i) {
                outcome.possible_duplicates.push(other);
            }
        }
        for t in others.into_iter().chain([tx]) {
            if dry_run {
                t.rollback().await?;
            } else {
                t.commit().await?;
            }
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(StoreError::Corrupt("item without outcome".into()))))
            .collect())
    }
}

type Creates<'a> = std::sync::Mutex<std::slice::Chunks<'a, (usize, String, ContactChanges)>>;

/// Insert slices of new contacts taken from `queue` until it is empty.
async fn insert_from(conn: &mut Conn, queue: &Creates<'_>, actor: Actor<'_>) -> StoreResult<()> {
    loop {
        // The lock is let go before the insert: the other writers take theirs meanwhile.
        let slice = queue.lock().expect("nothing panics holding the queue").next();
        let Some(slice) = slice else { return Ok(()) };
        bulk_insert(conn, slice, actor).await?;
    }
}

fn ordered_identity_rows(id: &str, changes: &ContactChanges) -> Vec<(String, String, i64)> {
    changes
        .identities()
        .iter()
        .enumerate()
        .map(|(i, k)| (k.key(), id.to_owned(), kind_base(&k.key()[..5]) + i as i64))
        .collect()
}

/// Later rows of the same new contact: their values win, their lists add up.
fn fold_into(base: &mut ContactChanges, later: &ContactChanges) {
    for (spec, v) in &later.record.fields {
        if v.is_some() {
            base.record.set(spec, v.clone());
        }
    }
    base.record.properties.extend(later.record.properties.iter().cloned());
    base.created_at = match (base.created_at, later.created_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    add(&mut base.emails, &later.emails);
    add(&mut base.phones, &later.phones);
    add(&mut base.tags, &later.tags);
    base.external_ids
        .extend(later.external_ids.iter().filter(|e| !base.external_ids.contains(e)).cloned().collect::<Vec<_>>());
    base.consent = merge_consent(&base.consent, &later.consent);
}

/// Add the items of `theirs` that `mine` lacks, keeping order.
fn add<T: PartialEq + Clone>(mine: &mut Option<Vec<T>>, theirs: &Option<Vec<T>>) {
    if let Some(t) = theirs {
        let m = mine.get_or_insert_with(Vec::new);
        for x in t {
            if !m.contains(x) {
                m.push(x.clone());
            }
        }
    }
}

enum Target {
    Rejected,
    New(String),
    /// Another item of this batch already names this contact.
    SameAs(String),
    Existing(String),
}

struct Plan {
    targets: Vec<Target>,
    /// Who each of the batch's e-mails and external ids belongs to once it is written: the
    /// contact that holds it already, or else the first item's contact that names it. Phones
    /// are shared and go with every item that carries them.
    owner: HashMap<String, String>,
    rejected: Vec<Option<StoreResult<UpsertOutcome>>>,
    /// (item, its contact, the contact it looks like, why).
    possible: Vec<(usize, String, String, Reason)>,
}

/// Decide, for every item, whether it creates a contact or which contact it updates: read what
/// the store holds of the batch's identities, and let the core's dedupe decide
/// ([`leadline_core::dedupe::plan`]).
async fn plan_upsert(conn: &mut Conn, items: &[ContactUpsert]) -> StoreResult<Plan> {
    let known_refs = known_references(conn, items).await?;
    let named =
        records::live_ids(conn, ObjectKind::Contact, &items.iter().filter_map(|i| i.id.as_deref()).collect::<Vec<_>>())
            .await?;
    let mut rows = Vec::with_capacity(items.len());
    // The item of each planned row: refused items take no part in the plan.
    let mut item_of = Vec::with_capacity(items.len());
    let mut rejected = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let refusal = match (&item.id, unknown_reference(&item.changes, &known_refs)) {
            (_, Some(e)) => Some(StoreError::Invalid(e)),
            (Some(id), None) if !named.contains_key(id) => Some(StoreError::not_found("contact", id)),
            _ => None,
        };
        if let Some(e) = refusal {
            rejected.push(Some(Err(e)));
            continue;
        }
        rejected.push(None);
        item_of.push(i);
        rows.push(dedupe::Row::of_changes(item.id.as_ref().map(|id| named[id].clone()), &item.changes));
    }
    let keys: Vec<&str> = rows
        .iter()
        .flat_map(|r| r.unique.iter().chain(&r.phones))
        .map(String::as_str)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let held = holders(conn, &keys).await?;
    // The names of the contacts holding a phone that a row without e-mail carries: only those
    // rows may be named by a phone, and only when the names agree.
    let asked: Vec<String> = rows
        .iter()
        .filter(|r| !r.has_email)
        .flat_map(|r| r.phones.iter().filter_map(|k| held.phones.get(k)).flatten().cloned())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut names = HashMap::with_capacity(asked.len());
    for chunk in asked.chunks(super::chunk_size(1)) {
        for r in load(conn, ObjectKind::Contact, chunk).await? {
            names.insert(r.id.clone(), person_name(&r));
        }
    }
    let known = dedupe::Known { unique: held.unique, phones: held.phones, names };
    let decided = dedupe::plan(&rows, &known);
    // New contacts get their ids here (the core names them by the row that creates them), in
    // row order: ids are time-ordered, and ids made in order go in at the end of every index
    // that holds them rather than all over it (made in a hash set's order, they cost the
    // import a quarter of its speed).
    let new_ids: HashMap<usize, String> = decided
        .rows
        .iter()
        .filter_map(|(who, outcome)| match (who, outcome) {
            (Who::New(r), dedupe::Outcome::Created) => Some((*r, new_id())),
            _ => None,
        })
        .collect();
    let id_of = |who: &Who| match who {
        Who::Existing(id) => id.clone(),
        Who::New(r) => new_ids[r].clone(),
    };
    let mut targets: Vec<Target> = items.iter().map(|_| Target::Rejected).collect();
    for ((who, outcome), &i) in decided.rows.iter().zip(&item_of) {
        let id = id_of(who);
        targets[i] = match outcome {
            dedupe::Outcome::Created => Target::New(id),
            dedupe::Outcome::Merged => Target::SameAs(id),
            dedupe::Outcome::Updated => Target::Existing(id),
        };
    }
    let owner = decided.owner.iter().map(|(k, who)| (k.clone(), id_of(who))).collect();
    let possible = decided
        .possible
        .iter()
        .map(|p| {
            let (a, b) = (id_of(&p.a), id_of(&p.b));
            let mine = id_of(&decided.rows[p.row].0);
            let other = if a == mine { b } else { a };
            (item_of[p.row], mine, other, p.reason)
        })
        .collect();
    Ok(Plan { targets, owner, rejected, possible })
}

pub(super) fn person_name(r: &Record) -> dedupe::PersonName {
    dedupe::PersonName::new(r.text("first_name"), r.text("last_name"), r.text("display_name"))
}

/// Users and companies that exist, among those the items point at. Each table is asked first
/// for a count: in an import every reference usually exists, and one number is cheaper to
/// send back than thousands of ids; only when some are missing are the known ones listed.
async fn known_references(conn: &mut Conn, items: &[ContactUpsert]) -> StoreResult<HashSet<String>> {
    let mut wanted: HashMap<&'static str, HashSet<&str>> = HashMap::new();
    for item in items {
        for (spec, v) in &item.changes.record.fields {
            if let (Some(Scalar::Text(id)), "owner_id" | "company_id") = (v, spec.name) {
                wanted
                    .entry(if spec.name == "owner_id" { "users" } else { "companies" })
                    .or_default()
                    .insert(id.as_str());
            }
        }
    }
    let mut known = HashSet::new();
    for (table, ids) in wanted {
        let ids: Vec<&str> = ids.into_iter().collect();
        for chunk in ids.chunks(super::chunk_size(1)) {
            let mut q = sql(&format!("SELECT count(*) FROM {table} WHERE id"));
            q.in_texts(super::MANY, chunk.iter().copied());
            if query_count(&q).fetch_one(&mut *conn).await? == chunk.len() as i64 {
                known.extend(chunk.iter().map(|id| (*id).to_owned()));
                continue;
            }
            let mut q = sql(&format!("SELECT id FROM {table} WHERE id"));
            q.in_texts(super::MANY, chunk.iter().copied());
            for row in query(&q).fetch_all(&mut *conn).await? {
                known.insert(req_text(&row, "id")?);
            }
        }
    }
    Ok(known)
}

fn unknown_reference(changes: &ContactChanges, known: &HashSet<String>) -> Option<FieldError> {
    changes.record.fields.iter().find_map(|(spec, v)| match (v, spec.name) {
        (Some(Scalar::Text(id)), "owner_id" | "company_id") if !known.contains(id) => Some(FieldError::new(
            spec.name,
            "unknown_reference",
            format!("there is no {} {id}", if spec.name == "owner_id" { "user" } else { "company" }),
        )),
        _ => None,
    })
}

/// Insert many new contacts with a handful of multi-row statements, each built while the
/// database writes the one before.
async fn bulk_insert(
    conn: &mut Conn,
    creates: &[(usize, String, ContactChanges)],
    actor: Actor<'_>,
) -> StoreResult<()> {
    let rows = creates.iter().map(|(_, id, c)| records::NewRow {
        id: id.clone(),
        changes: &c.record,
        created_at: c.created_at,
        extra: vec![
            tags_json(c.tags.as_deref().unwrap_or_default()),
            Arg::from(consent_to_json(&merge_consent(&[], &c.consent))),
            records::search_column(&terms_of_changes(c)),
        ],
    });
    let history = creates.iter().flat_map(|(_, id, c)| records::created_history(ObjectKind::Contact, id, &c.record));
    let identities = creates.iter().flat_map(|(_, id, c)| ordered_identity_rows(id, c));
    let created = super::undo::created(actor, creates.iter().map(|(_, id, _)| id));
    let links = creates.iter().filter_map(|(_, id, c)| match c.record.get("company_id") {
        Some(Some(Scalar::Text(company))) => Some((id.clone(), company.clone())),
        _ => None,
    });
    super::execute_all(
        conn,
        records::insert_statements(ObjectKind::Contact, &["tags", "consent", "search_text"], rows, actor.now)
            .chain(records::history_statements(ObjectKind::Contact, history, actor))
            .chain(identity_statements(identities))
            .chain(link_statements(links, actor.now))
            .chain(super::undo::journal(actor, ObjectKind::Contact, created))
            .chain(super::state::mark(creates.iter().map(|(_, id, _)| id.clone()))),
    )
    .await
}

/// The statements that link contacts to their primary companies (as "other"), keeping links
/// that exist.
fn link_statements<'a>(links: impl Iterator<Item = (String, String)> + 'a, now: i64) -> impl Iterator<Item = Sql> + 'a {
    super::chunked(links, super::chunk_size(4)).map(move |chunk| {
        let rows = chunk
            .into_iter()
            .map(|(contact, company)| vec![contact.into(), company.into(), "other".into(), now.into()])
            .collect();
        let mut q = super::sql_rows("INSERT INTO contact_companies (contact_id, company_id, role, created_at) ", rows);
        q.push(" ON CONFLICT DO NOTHING");
        q
    })
}

/// Apply the batch items that update existing contacts. An upsert sets the fields it names,
/// adds e-mails, phones, external ids and tags the contact lacks (an e-mail or external id
/// another contact holds stays with it; phones may be shared), and never moves a contact back
/// down the funnel: it keeps the stage and takes the rest of the row, as HubSpot's import does.
///
/// The contacts and the owners of their identities are read once for the batch, each
/// contact's items are folded into one change, and the rows, history, identities, company
/// links and search texts are written for the whole batch at once: per-item statements made
/// these updates cost as much as all the batch's inserts (and on SQLite each statement that
/// changes a search text makes FTS5 write a segment).
async fn update_many(
    conn: &mut Conn,
    items: &[ContactUpsert],
    updates: &[(usize, String)],
    actor: Actor<'_>,
) -> StoreResult<()> {
    if updates.is_empty() {
        return Ok(());
    }
    let mut items_of: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut ids: Vec<String> = Vec::new();
    for (i, id) in updates {
        let entry = items_of.entry(id.as_str()).or_default();
        if entry.is_empty() {
            ids.push(id.clone());
        }
        entry.push(*i);
    }
    let currents = load(conn, ObjectKind::Contact, &ids).await?;
    let keys: Vec<String> = updates
        .iter()
        .flat_map(|(i, _)| items[*i].changes.identities())
        .map(|k| k.key())
        .filter(|k| !is_shared(k))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // Who holds each e-mail and external id, kept current as this batch hands out free ones.
    let mut holder = holders(conn, &keys).await?.unique;
    let mut identity_rows = Vec::new();
    let mut links: Vec<(String, String)> = Vec::new();
    let mut history = Vec::new();
    let mut searches = Vec::new();
    let mut rows = Vec::new();
    let mut journal = Vec::new();
    for current in &currents {
        let mut after = current.clone();
        let mut fields = leadline_core::contact::FieldChanges::default();
        let mut consent = Vec::new();
        let mut tags = current.tags.clone();
        let mut added: Vec<Identity> = Vec::new();
        for &i in &items_of[current.id.as_str()] {
            let changes = &items[i].changes;
            for (spec, v) in &changes.record.fields {
                if spec.name == "lifecycle_stage" && moves_back(after.text("lifecycle_stage"), v.as_ref()) {
                    continue;
                }
                fields.set(spec, v.clone());
                match after.fields.iter_mut().find(|(f, _)| f.name == spec.name) {
                    Some(slot) => slot.1 = v.clone(),
                    None => after.fields.push((spec, v.clone())),
                }
            }
            fields.properties.extend(changes.record.properties.iter().cloned());
            consent.extend(changes.consent.iter().cloned());
            if let Some(t) = &changes.tags {
                tags.extend(t.iter().filter(|t| !tags.contains(t)).cloned().collect::<Vec<_>>());
            }
            for identity in changes.identities() {
                let key = identity.key();
                let free = is_shared(&key) || holder.get(&key).is_none_or(|h| *h == current.id);
                if free && !held(&after, &identity) {
                    if !is_shared(&key) {
                        holder.insert(key, current.id.clone());
                    }
                    match &identity {
                        Identity::Email(e) => after.emails.push(e.clone()),
                        Identity::Phone(p) => after.phones.push(p.clone()),
                        Identity::External(s, v) => after.external_ids.push((s.clone(), v.clone())),
                    }
                    added.push(identity);
                }
            }
        }
        let mut next =
            [current.emails.len() as i64, 100 + current.phones.len() as i64, 200 + current.external_ids.len() as i64];
        for identity in &added {
            let slot = match identity {
                Identity::Email(_) => 0,
                Identity::Phone(_) => 1,
                Identity::External(..) => 2,
            };
            identity_rows.push((identity.key(), current.id.clone(), next[slot]));
            next[slot] += 1;
        }
        let mut extra = Vec::new();
        if tags != current.tags {
            extra.push(("tags", tags_json(&tags)));
        }
        if let Some((consent, consent_history)) = consent_change(current, &consent) {
            history.extend(consent_history);
            extra.push(("consent", consent));
        }
        let terms = terms_of(&after);
        if terms != terms_of(current) {
            searches.push((current.id.clone(), terms));
        }
        let linked = match fields.get("company_id") {
            Some(Some(Scalar::Text(company))) => Some(company.clone()),
            _ => None,
        };
        let update = records::row_update(current, &fields, extra, actor.now);
        if actor.job_id.is_some() && (update.is_some() || !added.is_empty()) {
            let set = update.as_ref().map(|u| u.set.as_slice()).unwrap_or_default();
            let mut before = super::undo::Before::of(current, set);
            before.identities = added.iter().map(Identity::key).collect();
            before.linked_company = linked.clone().filter(|c| current.text("company_id") != Some(c.as_str()));
            journal.push((current.id.clone(), Some(before)));
        }
        if let Some(update) = update {
            history.extend(update.history);
            rows.push((current.id.clone(), update.set));
        }
        if let Some(company) = linked {
            links.push((current.id.clone(), company));
        }
    }
    let changed: Vec<String> =
        rows.iter().map(|(id, _)| id.clone()).chain(links.iter().map(|(id, _)| id.clone())).collect();
    super::execute_all(
        conn,
        records::updates_statements(ObjectKind::Contact, rows, actor.now)
            .chain(records::history_statements(ObjectKind::Contact, history.into_iter(), actor))
            .chain(identity_statements(identity_rows.into_iter()))
            .chain(link_statements(links.into_iter(), actor.now))
            .chain(records::terms_statements(ObjectKind::Contact, &searches))
            .chain(super::undo::journal(actor, ObjectKind::Contact, journal))
            .chain(super::state::mark(changed)),
    )
    .await
}

/// Whether setting the stage to `to` would move a contact at `from` back down the funnel.
fn moves_back(from: Option<&str>, to: Option<&Scalar>) -> bool {
    match (from.and_then(LifecycleStage::parse), to.and_then(Scalar::as_text).and_then(LifecycleStage::parse)) {
        (Some(from), Some(to)) => from.is_backward(to),
        _ => false,
    }
}

/// Whether a contact already has this identity.
fn held(r: &Record, identity: &Identity) -> bool {
    match identity {
        Identity::Email(e) => r.emails.contains(e),
        Identity::Phone(p) => r.phones.contains(p),
        Identity::External(s, v) => r.external_ids.iter().any(|(a, b)| a == s && b == v),
    }
}

// ---- merges

fn merge_of(row: &super::DbRow) -> StoreResult<MergeRecord> {
    let object = req_text(row, "object")?;
    Ok(MergeRecord {
        id: req_text(row, "id")?,
        object: ObjectKind::parse(&object).ok_or_else(|| StoreError::Corrupt(object.clone()))?,
        survivor_id: req_text(row, "survivor_id")?,
        merged_id: req_text(row, "merged_id")?,
        at: super::req_int(row, "at")?,
        actor_id: super::text(row, "actor_id")?,
        undone_at: super::int(row, "undone_at")?,
    })
}

const MERGE_COLUMNS: &str = "id, object, survivor_id, merged_id, at, actor_id, undone_at";

/// Ids in `table.col` that point at `from`, moved to `to`; returns the moved rows' keys.
async fn repoint(conn: &mut Conn, table: &str, key: &str, col: &str, from: &str, to: &str) -> StoreResult<Vec<String>> {
    repoint_where(conn, table, key, col, from, to, "").await
}

/// `repoint` for the rows that also meet `within`, a condition on the old id, `$2`.
async fn repoint_where(
    conn: &mut Conn,
    table: &str,
    key: &str,
    col: &str,
    from: &str,
    to: &str,
    within: &str,
) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(&format!("UPDATE {table} SET {col} = $1 WHERE {col} = $2{within} RETURNING {key}"))
        .bind(to)
        .bind(from)
        .fetch_all(&mut *conn)
        .await?)
}

/// Move link rows (`left`, `right`) from one record to another, skipping links the target
/// already has. Returns the other ends that were moved.
async fn move_links(
    conn: &mut Conn,
    table: &str,
    mine: &str,
    other: &str,
    from: &str,
    to: &str,
) -> StoreResult<Vec<String>> {
    let theirs: Vec<String> = sqlx::query_scalar(&format!("SELECT {other} FROM {table} WHERE {mine} = $1"))
        .bind(from)
        .fetch_all(&mut *conn)
        .await?;
    let held: Vec<String> = sqlx::query_scalar(&format!("SELECT {other} FROM {table} WHERE {mine} = $1"))
        .bind(to)
        .fetch_all(&mut *conn)
        .await?;
    let moved: Vec<String> = theirs.into_iter().filter(|o| !held.contains(o)).collect();
    for o in &moved {
        sqlx::query(&format!("UPDATE {table} SET {mine} = $1 WHERE {mine} = $2 AND {other} = $3"))
            .bind(to)
            .bind(from)
            .bind(o)
            .execute(&mut *conn)
            .await?;
    }
    Ok(moved)
}

impl SqlStore {
    pub(super) async fn merge_impl(
        &self,
        object: ObjectKind,
        a: &str,
        b: &str,
        actor: Actor<'_>,
    ) -> StoreResult<MergeRecord> {
        let mut tx = self.begin().await?;
        let (ra, rb) = (get(&mut tx, object, a).await?, get(&mut tx, object, b).await?);
        if ra.id == rb.id {
            return Err(StoreError::Conflict {
                code: "same_record",
                field: None,
                message: format!("{a} and {b} are already one {}", object.as_str()),
            });
        }
        let (sid, mid) = leadline_core::merge::survivor((&ra.id, ra.created_at()), (&rb.id, rb.created_at()));
        let (survivor, merged) = if sid == ra.id { (ra.clone(), rb.clone()) } else { (rb.clone(), ra.clone()) };
        let (sid, mid) = (sid.to_owned(), mid.to_owned());
        let inherited = leadline_core::merge::inherited(&survivor.fields, &merged.fields);
        let mut detail = serde_json::json!({ "inherited": inherited.iter().map(|(f, v)| (f.name, v.to_string())).collect::<HashMap<_, _>>() });
        let mut fill = leadline_core::contact::FieldChanges::default();
        for (spec, v) in &inherited {
            if spec.name != "domain" {
                fill.set(spec, Some(v.clone()));
            }
        }
        let new_props: Vec<(String, serde_json::Value)> = merged
            .properties
            .iter()
            .filter(|(k, _)| !survivor.properties.contains_key(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        detail["properties"] = serde_json::Value::Object(new_props.iter().cloned().collect());
        let mut extra = Vec::new();
        let mut survivor_props = survivor.properties.clone();
        survivor_props.extend(new_props);
        if survivor_props != survivor.properties {
            extra.push(("properties", Arg::from(serde_json::Value::Object(survivor_props).to_string())));
        }
        let merge_actor = Actor { cause: leadline_core::lifecycle::ChangeCause::Merge, ..actor };
        match object {
            ObjectKind::Contact => {
                // A phone both hold stays with the survivor once; the merged contact's row is
                // kept in the merge's detail, for an undo to give back.
                let both = "FROM contact_identities WHERE contact_id = $1 \
                    AND key IN (SELECT key FROM contact_identities WHERE contact_id = $2)";
                let shared: Vec<(String, i64)> = sqlx::query_as(&format!("SELECT key, position {both}"))
                    .bind(&mid)
                    .bind(&sid)
                    .fetch_all(&mut *tx)
                    .await?;
                sqlx::query(&format!("DELETE {both}")).bind(&mid).bind(&sid).execute(&mut *tx).await?;
                detail["shared_identities"] = shared.iter().map(|(k, p)| serde_json::json!([k, p])).collect();
                let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM contact_identities WHERE contact_id = $1")
                    .bind(&mid)
                    .fetch_all(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE contact_identities SET contact_id = $1, position = position + 1000 WHERE contact_id = $2",
                )
                .bind(&sid)
                .bind(&mid)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE activities SET contact_id = $1, merged_from = $2 WHERE contact_id = $2")
                    .bind(&sid)
                    .bind(&mid)
                    .execute(&mut *tx)
                    .await?;
                super::activities_rewritten(&mut tx).await?;
                detail["identities"] = keys.into();
                detail["tasks"] = repoint(&mut tx, "tasks", "id", "contact_id", &mid, &sid).await?.into();
                detail["deals"] =
                    move_links(&mut tx, "deal_contacts", "contact_id", "deal_id", &mid, &sid).await?.into();
                detail["companies"] =
                    move_links(&mut tx, "contact_companies", "contact_id", "company_id", &mid, &sid).await?.into();
                let new_tags: Vec<String> =
                    merged.tags.iter().filter(|t| !survivor.tags.contains(t)).cloned().collect();
                if !new_tags.is_empty() {
                    let all: Vec<String> = survivor.tags.iter().chain(&new_tags).cloned().collect();
                    extra.push(("tags", tags_json(&all)));
                }
                detail["tags"] = new_tags.into();
            }
            ObjectKind::Company => {
                // The contacts whose primary company moves are among its links (moved below).
                let linked = " AND id IN (SELECT contact_id FROM contact_companies WHERE company_id = $2)";
                detail["contacts"] =
                    repoint_where(&mut tx, "contacts", "id", "company_id", &mid, &sid, linked).await?.into();
                detail["deals"] = repoint(&mut tx, "deals", "id", "company_id", &mid, &sid).await?.into();
                detail["links"] =
                    move_links(&mut tx, "contact_companies", "company_id", "contact_id", &mid, &sid).await?.into();
                sqlx::query("UPDATE activities SET company_id = $1, merged_from = $2 WHERE company_id = $2")
                    .bind(&sid)
                    .bind(&mid)
                    .execute(&mut *tx)
                    .await?;
                // The domain is unique: it stays with the survivor if it had none, else it is parked.
                detail["domain"] = merged.text("domain").into();
                sqlx::query("UPDATE companies SET domain = NULL WHERE id = $1").bind(&mid).execute(&mut *tx).await?;
                if survivor.text("domain").is_none() {
                    if let Some(d) = merged.text("domain") {
                        fill.set(
                            record::field(ObjectKind::Company, "domain").expect("domain"),
                            Some(Scalar::Text(d.into())),
                        );
                    }
                }
            }
            ObjectKind::Deal => {
                return Err(StoreError::Conflict {
                    code: "not_mergeable",
                    field: None,
                    message: "deals are not merged".into(),
                })
            }
        }
        update(&mut tx, &survivor, &fill, extra, merge_actor).await?;
        sqlx::query(&format!("UPDATE {} SET merged_into = $1, updated_at = $2 WHERE id = $3", records::table(object)))
            .bind(&sid)
            .bind(actor.now)
            .bind(&mid)
            .execute(&mut *tx)
            .await?;
        if object == ObjectKind::Contact {
            // The merged contact is the survivor now: the engine decides it afresh (its
            // `updated_at` moved), and the merged one is in no segment of its own.
            super::state::forget(&mut tx, &mid).await?;
            super::execute_all(&mut tx, super::state::mark([sid.clone()])).await?;
        }
        // Earlier merges into the merged record now point at the survivor too.
        sqlx::query(&format!("UPDATE {} SET merged_into = $1 WHERE merged_into = $2", records::table(object)))
            .bind(&sid)
            .bind(&mid)
            .execute(&mut *tx)
            .await?;
        self.refresh_terms(&mut tx, object, &sid).await?;
        // A merged record is found through its survivor only.
        set_terms(&mut tx, object, &mid, &[]).await?;
        let id = new_id();
        sqlx::query(&format!("INSERT INTO merges ({MERGE_COLUMNS}, detail) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)"))
            .bind(&id)
            .bind(object.as_str())
            .bind(&sid)
            .bind(&mid)
            .bind(actor.now)
            .bind(actor.user_id)
            .bind(detail.to_string())
            .execute(&mut *tx)
            .await?;
        if object == ObjectKind::Contact {
            super::duplicates::resolve_merged(&mut tx, [a, b], [&sid, &mid], &id, actor).await?;
        }
        let row = sqlx::query(&format!("SELECT {MERGE_COLUMNS} FROM merges WHERE id = $1"))
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        merge_of(&row)
    }

    pub(super) async fn refresh_terms(&self, conn: &mut Conn, object: ObjectKind, id: &str) -> StoreResult<()> {
        let r = load(conn, object, &[id.to_owned()])
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(object.as_str(), id))?;
        set_terms(conn, object, id, &record_terms(&r)).await
    }

    pub(super) async fn unmerge_impl(&self, merge_id: &str, actor: Actor<'_>) -> StoreResult<MergeRecord> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!("SELECT {MERGE_COLUMNS}, detail FROM merges WHERE id = $1"))
            .bind(merge_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("merge", merge_id))?;
        let m = merge_of(&row)?;
        if m.undone_at.is_some() {
            return Err(StoreError::Conflict {
                code: "already_unmerged",
                field: None,
                message: format!("merge {merge_id} was already undone"),
            });
        }
        let later: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM merges WHERE merged_id = $1 AND undone_at IS NULL AND at >= $2 AND id <> $3",
        )
        .bind(&m.survivor_id)
        .bind(m.at)
        .bind(&m.id)
        .fetch_one(&mut *tx)
        .await?;
        if later > 0 {
            return Err(StoreError::Conflict {
                code: "merged_again",
                field: None,
                message: "the survivor was merged into another record since; undo that merge first".into(),
            });
        }
        let detail: serde_json::Value = serde_json::from_str(&req_text(&row, "detail")?)?;
        let strings = |k: &str| -> Vec<String> {
            detail[k]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        let (sid, mid) = (m.survivor_id.clone(), m.merged_id.clone());
        let survivor = load(&mut tx, m.object, std::slice::from_ref(&sid))
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(m.object.as_str(), &sid))?;
        let table = records::table(m.object);
        match m.object {
            ObjectKind::Contact => {
                for key in strings("identities") {
                    sqlx::query("UPDATE contact_identities SET contact_id = $1, position = position - 1000 WHERE key = $2 AND contact_id = $3")
                        .bind(&mid)
                        .bind(&key)
                        .bind(&sid)
                        .execute(&mut *tx)
                        .await?;
                }
                for shared in detail["shared_identities"].as_array().into_iter().flatten() {
                    if let (Some(key), Some(position)) = (shared[0].as_str(), shared[1].as_i64()) {
                        insert_identities(&mut tx, vec![(key.to_owned(), mid.clone(), position)]).await?;
                    }
                }
                super::duplicates::reopen_unmerged(&mut tx, &m.id).await?;
                sqlx::query("UPDATE activities SET contact_id = $1, merged_from = NULL WHERE merged_from = $1 AND contact_id = $2").bind(&mid).bind(&sid).execute(&mut *tx).await?;
                super::activities_rewritten(&mut tx).await?;
                for t in strings("tasks") {
                    sqlx::query("UPDATE tasks SET contact_id = $1 WHERE id = $2")
                        .bind(&mid)
                        .bind(&t)
                        .execute(&mut *tx)
                        .await?;
                }
                for d in strings("deals") {
                    sqlx::query("UPDATE deal_contacts SET contact_id = $1 WHERE deal_id = $2 AND contact_id = $3")
                        .bind(&mid)
                        .bind(&d)
                        .bind(&sid)
                        .execute(&mut *tx)
                        .await?;
                }
                for c in strings("companies") {
                    sqlx::query(
                        "UPDATE contact_companies SET contact_id = $1 WHERE company_id = $2 AND contact_id = $3",
                    )
                    .bind(&mid)
                    .bind(&c)
                    .bind(&sid)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            ObjectKind::Company => {
                for c in strings("contacts") {
                    sqlx::query("UPDATE contacts SET company_id = $1 WHERE id = $2 AND company_id = $3")
                        .bind(&mid)
                        .bind(&c)
                        .bind(&sid)
                        .execute(&mut *tx)
                        .await?;
                }
                for d in strings("deals") {
                    sqlx::query("UPDATE deals SET company_id = $1 WHERE id = $2 AND company_id = $3")
                        .bind(&mid)
                        .bind(&d)
                        .bind(&sid)
                        .execute(&mut *tx)
                        .await?;
                }
                for c in strings("links") {
                    sqlx::query(
                        "UPDATE contact_companies SET company_id = $1 WHERE contact_id = $2 AND company_id = $3",
                    )
                    .bind(&mid)
                    .bind(&c)
                    .bind(&sid)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query("UPDATE activities SET company_id = $1, merged_from = NULL WHERE merged_from = $1 AND company_id = $2").bind(&mid).bind(&sid).execute(&mut *tx).await?;
            }
            ObjectKind::Deal => {}
        }
        // Take back what the survivor inherited, where it was not changed since.
        let mut undo = leadline_core::contact::FieldChanges::default();
        let inherited = detail["inherited"].as_object().cloned().unwrap_or_default();
        for (name, value) in &inherited {
            if let Some(spec) = record::field(m.object, name) {
                if survivor.get(name).map(ToString::to_string).as_deref() == value.as_str() {
                    undo.set(spec, None);
                }
            }
        }
        let mut extra = Vec::new();
        let mut props = survivor.properties.clone();
        for (k, v) in detail["properties"].as_object().cloned().unwrap_or_default() {
            if props.get(&k) == Some(&v) {
                props.remove(&k);
            }
        }
        if props != survivor.properties {
            extra.push(("properties", Arg::from(serde_json::Value::Object(props).to_string())));
        }
        let gained = strings("tags");
        if !gained.is_empty() {
            let tags: Vec<String> = survivor.tags.iter().filter(|t| !gained.contains(t)).cloned().collect();
            extra.push(("tags", tags_json(&tags)));
        }
        let unmerge_actor = Actor { cause: leadline_core::lifecycle::ChangeCause::Merge, ..actor };
        update(&mut tx, &survivor, &undo, extra, unmerge_actor).await?;
        sqlx::query(&format!("UPDATE {table} SET merged_into = NULL, updated_at = $1 WHERE id = $2"))
            .bind(actor.now)
            .bind(&mid)
            .execute(&mut *tx)
            .await?;
        if m.object == ObjectKind::Contact {
            super::execute_all(&mut tx, super::state::mark([sid.clone(), mid.clone()])).await?;
        }
        if let Some(domain) = detail["domain"].as_str() {
            sqlx::query("UPDATE companies SET domain = NULL WHERE id = $1 AND domain = $2")
                .bind(&sid)
                .bind(domain)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE companies SET domain = $1 WHERE id = $2")
                .bind(domain)
                .bind(&mid)
                .execute(&mut *tx)
                .await?;
        }
        self.refresh_terms(&mut tx, m.object, &sid).await?;
        self.refresh_terms(&mut tx, m.object, &mid).await?;
        sqlx::query("UPDATE merges SET undone_at = $1 WHERE id = $2")
            .bind(actor.now)
            .bind(merge_id)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(&format!("SELECT {MERGE_COLUMNS} FROM merges WHERE id = $1"))
            .bind(merge_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        merge_of(&row)
    }

    pub(super) async fn merges_impl(&self, object_id: &str) -> StoreResult<Vec<MergeRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {MERGE_COLUMNS} FROM merges WHERE survivor_id = $1 OR merged_id = $1 ORDER BY at"
        ))
        .bind(object_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(merge_of).collect()
    }
}
