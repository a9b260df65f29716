//! The store conformance suite: every story runs on SQLite and, when
//! LEADLINE_TEST_DATABASE_URL is set, on PostgreSQL, and must behave the same on both.

mod stories;

use leadline_core::contact::ContactChanges;
use leadline_core::email::Email;
use leadline_core::lifecycle::ChangeCause;
use leadline_core::phone::Phone;
use leadline_core::record::{field, ObjectKind, Scalar};
use leadline_store::Actor;

const NOW: i64 = 1_795_000_000_000;

fn actor(now: i64) -> Actor<'static> {
    Actor::new(None, ChangeCause::Manual, now)
}

fn contact(first: &str, last: &str, email: Option<&str>) -> ContactChanges {
    let mut c = ContactChanges::default();
    let f = |n| field(ObjectKind::Contact, n).unwrap();
    c.record.set(f("first_name"), Some(Scalar::Text(first.into())));
    c.record.set(f("last_name"), Some(Scalar::Text(last.into())));
    c.emails = email.map(|e| vec![Email::parse("email", e).unwrap()]);
    c
}

fn with_phone(mut c: ContactChanges, phone: &str) -> ContactChanges {
    c.phones = Some(vec![Phone::parse("phone", phone, Some("PL")).unwrap()]);
    c
}

/// The first page of open possible duplicates.
fn open_pairs() -> leadline_store::DuplicateQuery {
    leadline_store::DuplicateQuery { status: leadline_store::DuplicateStatus::Open, limit: 50, cursor: None }
}

fn set(c: &mut leadline_core::contact::FieldChanges, object: ObjectKind, name: &str, v: &str) {
    c.set(field(object, name).unwrap(), Some(Scalar::Text(v.into())));
}

/// Run a story on every backend.
macro_rules! on_every_backend {
    ($($story:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $story() {
            for t in leadline_store::testing::all().await {
                let backend = t.store.backend();
                eprintln!("{} on {backend}", stringify!($story));
                stories::$story(t.store.as_ref()).await;
                t.remove().await;
            }
        }
    )*};
}

on_every_backend!(
    contacts_are_created_found_and_updated,
    emails_are_unique_and_phones_shared,
    lifecycle_history_and_backward_moves,
    search_folds_scripts_and_prefixes,
    list_pages_cover_everything_once,
    filters_on_fields_properties_tags_and_links,
    batch_upsert_dedupes_and_isolates_failures,
    upserts_name_records_by_id,
    upserts_add_to_existing_contacts,
    a_repeated_new_contact_leaves_others_identities_alone,
    dry_run_changes_nothing,
    a_big_upsert_writes_each_contact_once,
    merge_and_unmerge_contacts,
    a_shared_phone_never_merges_two_people,
    possible_duplicates_are_merged_dismissed_and_found_by_name,
    random_batches_never_join_different_emails,
    merge_companies_moves_contacts_and_deals,
    activities_are_idempotent_and_ordered,
    timelines_are_in_time_order,
    tasks_are_assigned_and_completed,
    users_sessions_tokens,
    property_schema,
    jobs_progress_and_cancel,
    deals_track_stage_and_close,
    copy_between_stores_is_verified,
    search_walks_the_list_when_many_match,
    search_follows_every_write,
    an_import_is_undone_whole_or_not_at_all,
    compound_names_are_found_however_written,
    the_engine_applies_each_event_once_under_its_lease,
    the_engine_reads_many_contacts_at_once,
);

/// SQLite's writer leaves checkpoints to the store's background task until the WAL passes
/// 256 MB, far more than this write. Only a checkpoint grows the main file (every write lands
/// in the WAL first), so its growth shows the task ran.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_checkpoints_off_the_writer() {
    use leadline_store::ContactUpsert;
    let t = leadline_store::testing::sqlite().await.unwrap();
    let path = t.url.strip_prefix("sqlite:").unwrap().to_owned();
    let size = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let before = size();
    let items = (0..2_000)
        .map(|n| ContactUpsert { id: None, changes: contact("Zofia", "Nowak", Some(&format!("zofia{n}@firma.pl"))) })
        .collect();
    let out = t.store.upsert_contacts(items, actor(NOW), false).await.unwrap();
    assert!(out.iter().all(Result::is_ok));
    let mut waited = 0;
    while size() <= before && waited < 200 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    assert!(size() > before, "the database file is still {before} bytes: nothing was checkpointed");
    t.remove().await;
}

/// The WAL keeps its size while writes come, and is cut to nothing once they stop: a bulk
/// import's few hundred MB are not left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_wal_is_cut_back_when_idle() {
    use leadline_store::ContactUpsert;
    let t = leadline_store::testing::sqlite().await.unwrap();
    let wal = format!("{}-wal", t.url.strip_prefix("sqlite:").unwrap());
    let size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let items = (0..2_000)
        .map(|n| ContactUpsert { id: None, changes: contact("Zofia", "Nowak", Some(&format!("zofia{n}@firma.pl"))) })
        .collect();
    let out = t.store.upsert_contacts(items, actor(NOW), false).await.unwrap();
    assert!(out.iter().all(Result::is_ok));
    assert!(size() > 0, "the write went to the WAL");
    let mut waited = 0;
    while size() > 0 && waited < 200 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    assert_eq!(size(), 0, "the idle store's WAL was not cut back");
    let mut q = leadline_store::ListQuery::newest(ObjectKind::Contact, 10);
    q.search = Some("zofia1999".into());
    assert_eq!(t.store.list(ObjectKind::Contact, &q).await.unwrap().items.len(), 1, "nothing was lost with it");
    t.remove().await;
}

/// SQLite's search index holds exactly what the records' `search_text` says, whatever wrote
/// them: each term finds the records whose text has it, and no others (no leftovers of old
/// names, merged or deleted records). The triggers remove a row's terms with the text they
/// indexed, so a wrong one would leave postings behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_search_index_matches_the_search_text() {
    use leadline_store::{ContactUpsert, WriteOptions};
    use sqlx::Connection;
    let t = leadline_store::testing::sqlite().await.unwrap();
    let s = t.store.as_ref();
    let anna = s.create_contact(&contact("Anna", "Nowak", Some("anna@firma.pl")), actor(NOW)).await.unwrap();
    let ania = s.create_contact(&contact("Ania", "Zielinska", Some("ania@gmail.com")), actor(NOW)).await.unwrap();
    let gone = s.create_contact(&contact("Piotr", "Wrona", None), actor(NOW)).await.unwrap();
    let mut rename = ContactChanges::default();
    set(&mut rename.record, ObjectKind::Contact, "last_name", "Kowalska");
    s.update_contact(&anna.id, &rename, WriteOptions::default(), actor(NOW + 1)).await.unwrap();
    // A batch that updates stored contacts in bulk and creates new ones beside them.
    let items = (0..50)
        .map(|n| {
            let email = if n % 2 == 0 { "anna@firma.pl".to_owned() } else { format!("nowy{n}@firma.pl") };
            ContactUpsert {
                id: None,
                changes: with_phone(contact("Zofia", &format!("Lis{n}"), Some(&email)), "601000200"),
            }
        })
        .collect();
    assert!(s.upsert_contacts(items, actor(NOW + 2), false).await.unwrap().iter().all(Result::is_ok));
    let m = s.merge_contacts(&anna.id, &ania.id, actor(NOW + 3)).await.unwrap();
    s.unmerge(&m.id, actor(NOW + 4)).await.unwrap();
    s.merge_contacts(&anna.id, &ania.id, actor(NOW + 5)).await.unwrap();
    s.delete(ObjectKind::Contact, &gone.id, actor(NOW + 6)).await.unwrap();

    let mut db = sqlx::SqliteConnection::connect(&t.url).await.unwrap();
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT search_key, search_text FROM contacts").fetch_all(&mut db).await.unwrap();
    // The `ascii` tokenizer: ASCII letters and digits and every non-ASCII character make terms.
    let terms_of = |text: &str| -> std::collections::BTreeSet<String> {
        text.split(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let mut expected: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
    for (key, text) in &rows {
        for term in terms_of(text) {
            expected.entry(term).or_default().push(*key);
        }
    }
    for gone_term in ["wrona", "piotr", "nowak"] {
        assert!(!expected.contains_key(gone_term), "{gone_term} is in no record's text");
        expected.insert(gone_term.into(), Vec::new());
    }
    assert!(expected.len() > 20, "the records have terms to check");
    for (term, mut keys) in expected {
        let mut found: Vec<i64> = sqlx::query_scalar("SELECT rowid FROM contacts_search WHERE contacts_search MATCH ?")
            .bind(format!("\"{term}\""))
            .fetch_all(&mut db)
            .await
            .unwrap();
        found.sort_unstable();
        keys.sort_unstable();
        assert_eq!(found, keys, "the index's records for {term:?}");
    }
    db.close().await.unwrap();
    t.remove().await;
}

/// A store dropped without `close()` lets go of its database: its checkpoint task ends with
/// it, and the last connection to close checkpoints and removes the WAL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_dropped_unclosed_lets_go() {
    let dir = std::env::temp_dir().join(format!("leadline-drop-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("leadline.db");
    let wal = dir.join("leadline.db-wal");
    let store = leadline_store::open(&format!("sqlite:{}", db.display())).await.unwrap();
    store.create_contact(&contact("Zofia", "Nowak", Some("zofia@firma.pl")), actor(NOW)).await.unwrap();
    assert!(wal.exists(), "a write in WAL mode leaves a WAL file while the store is open");
    drop(store);
    let mut waited = 0;
    while wal.exists() && waited < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    assert!(!wal.exists(), "the dropped store still holds the database open");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A store from before `contacts_company` was dropped may hold a contact whose primary company
/// has no link row (the company filter found it through that index). The migration that drops
/// the index links it first, so the filter, which now goes through the links, still finds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_company_index_keeps_every_contact_findable() {
    use leadline_store::{Filter, FilterOp, FilterTarget, ListQuery};
    use sqlx::Connection;
    for t in leadline_store::testing::all().await {
        let backend = t.store.backend();
        let mut firma = leadline_core::contact::FieldChanges::default();
        set(&mut firma, ObjectKind::Company, "name", "Firma");
        let company = t.store.create_company(&firma, &[], actor(NOW)).await.unwrap().id;
        let mut c = contact("Zofia", "Nowak", Some("zofia@firma.pl"));
        set(&mut c.record, ObjectKind::Contact, "company_id", &company);
        let zofia = t.store.create_contact(&c, actor(NOW)).await.unwrap().id;
        // The old schema, and a contact linked only by its column.
        let version = if backend == "sqlite" { 6 } else { 5 };
        let old = format!(
            "DELETE FROM contact_companies;
             CREATE INDEX contacts_company ON contacts (company_id, created_at, id) WHERE company_id IS NOT NULL;
             DELETE FROM schema_migrations WHERE version = {version}"
        );
        if backend == "sqlite" {
            sqlx::raw_sql(&old).execute(&mut sqlx::SqliteConnection::connect(&t.url).await.unwrap()).await.unwrap();
        } else {
            sqlx::raw_sql(&old).execute(&mut sqlx::PgConnection::connect(&t.url).await.unwrap()).await.unwrap();
        }
        let reopened = leadline_store::open(&t.url).await.unwrap();
        let mut q = ListQuery::newest(ObjectKind::Contact, 10);
        q.filters = vec![Filter {
            target: FilterTarget::Field(field(ObjectKind::Contact, "company_id").unwrap()),
            op: FilterOp::Eq,
            value: vec![Scalar::Text(company.clone())],
        }];
        let found: Vec<String> =
            reopened.list(ObjectKind::Contact, &q).await.unwrap().items.into_iter().map(|r| r.id).collect();
        assert_eq!(found, [zofia.as_str()], "on {backend}");
        assert_eq!(reopened.contact_companies(&zofia).await.unwrap(), [(company, "other".to_owned())], "on {backend}");
        drop(reopened);
        t.remove().await;
    }
}

/// After a large write PostgreSQL's planner gets statistics at once (`refresh_statistics`),
/// not whenever autovacuum comes by: `reltuples` stays -1 until a table is analyzed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_statistics_follow_a_large_write() {
    use leadline_store::ContactUpsert;
    for t in leadline_store::testing::all().await {
        if t.store.backend() == "postgres" {
            let items = (0..500)
                .map(|n| ContactUpsert {
                    id: None,
                    changes: contact("Ola", "Nowak", Some(&format!("ola{n}@firma.pl"))),
                })
                .collect();
            t.store.upsert_contacts(items, actor(NOW), false).await.unwrap();
            let pool = sqlx::PgPool::connect(&t.url).await.unwrap();
            let tuples = || sqlx::query_scalar::<_, f32>("SELECT reltuples FROM pg_class WHERE relname = 'contacts'");
            assert!(tuples().fetch_one(&pool).await.unwrap() < 0.0, "not analyzed yet");
            t.store.refresh_statistics().await.unwrap();
            assert_eq!(tuples().fetch_one(&pool).await.unwrap(), 500.0);
            pool.close().await;
        }
        t.store.refresh_statistics().await.unwrap();
        t.remove().await;
    }
}
