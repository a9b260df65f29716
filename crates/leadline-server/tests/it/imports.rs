//! CSV imports through the API and CSV exports.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use leadline_core::record::ObjectKind;
use leadline_store::JobCounts;
use serde_json::{json, Value};

use super::App;

/// A multipart/form-data body with text fields and one file.
pub fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----leadline-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &App, path: &str, fields: &[(&str, &str)], file: &[u8]) -> super::Reply {
    let (ct, body) = multipart(fields, file);
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {}", app.admin))
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

/// Start an import and wait for its job to finish.
async fn import(app: &App, fields: &[(&str, &str)], file: &[u8]) -> Value {
    let r = upload(app, "/api/v1/imports", fields, file).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    for _ in 0..600 {
        let job = app.get(&format!("/api/v1/imports/{id}")).await.json();
        if ["done", "failed", "cancelled"].contains(&job["status"].as_str().unwrap()) {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("import {id} did not finish");
}

const PEOPLE: &str = "\u{feff}Imię;Nazwisko;Adres e-mail;Telefon;Firma;Kraj\n\
Łukasz;Wiśniewski;lukasz@wisla-logistics.pl;601 234 567;Wisła Logistics;PL\n\
Zofia;Dąbrowska;zofia@gmail.com;;;PL\n\
Broken;Row;not-an-email;601 000 111;;PL\n\
Łukasz;W.;LUKASZ@wisla-logistics.pl;;;PL\n\
Too;Few\n\
\"Nowak; Anna\";Nowak;anna@wisla-logistics.pl;+48 22 123 45 67;Wisła Logistics;PL\n";

/// An import waits for the one before it; cancelled while it waits, it ends without writing.
pub async fn a_queued_import_cancelled_never_runs(app: &App) {
    let busy = app.state.jobs.permits.acquire().await.unwrap();
    let r = upload(app, "/api/v1/imports", &[("object", "contacts")], PEOPLE.as_bytes()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&format!("/api/v1/imports/{id}")).await.json()["status"], "queued");
    let cancel = app.post(&format!("/api/v1/imports/{id}/cancel"), json!({})).await;
    assert_eq!(cancel.status, StatusCode::OK, "{}", cancel.text);
    drop(busy);
    let mut job = Value::Null;
    for _ in 0..500 {
        job = app.get(&format!("/api/v1/imports/{id}")).await.json();
        if job["status"] != "queued" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(job["status"], "cancelled", "{job}");
    assert_eq!(job["processed"], 0, "{job}");
    let contacts = app.get("/api/v1/contacts?q=lukasz").await.json();
    assert_eq!(contacts["items"].as_array().unwrap().len(), 0, "nothing was imported: {contacts}");
}

pub async fn import_with_bad_rows_and_rejects(app: &App) {
    let preview = upload(app, "/api/v1/imports/preview", &[("object", "contacts")], PEOPLE.as_bytes()).await.json();
    assert_eq!(preview["delimiter"], ";");
    assert_eq!(preview["mapping"], json!(["first_name", "last_name", "email", "phone", "company_name", "country"]));
    let job = import(app, &[("object", "contacts")], PEOPLE.as_bytes()).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!((job["total"].as_i64(), job["processed"].as_i64()), (Some(6), Some(6)));
    assert_eq!(
        (job["created"].as_i64(), job["merged"].as_i64(), job["rejected"].as_i64()),
        (Some(3), Some(1), Some(2))
    );
    assert_eq!(job["progress"], 1.0);
    let lukasz = app.get("/api/v1/contacts?q=lukasz").await.json();
    assert_eq!(lukasz["items"].as_array().unwrap().len(), 1);
    assert_eq!(lukasz["items"][0]["last_name"], "W.", "the later row of the same person wins");
    assert_eq!(lukasz["items"][0]["phones"], json!(["+48601234567"]));
    let rejects = app.get(&format!("/api/v1/imports/{}/rejects", job["id"].as_str().unwrap())).await;
    assert_eq!(rejects.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let lines: Vec<&str> = rejects.text.lines().collect();
    assert_eq!(lines[0], "Imię;Nazwisko;Adres e-mail;Telefon;Firma;Kraj;line;reason");
    assert!(
        lines[1].starts_with("Broken;Row;not-an-email;601 000 111;;PL;4;") && lines[1].contains("email: "),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(";6;") && lines[2].contains("fields"), "{}", lines[2]);
    assert_eq!(app.get("/api/v1/imports").await.json().as_array().unwrap().len(), 1);
    // Re-importing the same file creates nothing new.
    let again = import(app, &[("object", "contacts")], PEOPLE.as_bytes()).await;
    assert_eq!((again["created"].as_i64(), again["updated"].as_i64()), (Some(0), Some(3)));
    let bad = upload(
        app,
        "/api/v1/imports",
        &[("object", "contacts"), ("mapping", "{\"Telefon\": \"fax\"}")],
        PEOPLE.as_bytes(),
    )
    .await;
    bad.error(422, "invalid_target", Some("mapping"));
    upload(app, "/api/v1/imports", &[("object", "planets")], PEOPLE.as_bytes()).await.error(
        422,
        "invalid_object",
        Some("object"),
    );
}

pub async fn dry_run_reports_and_keeps_nothing(app: &App) {
    let job = import(app, &[("object", "contacts"), ("dry_run", "true")], PEOPLE.as_bytes()).await;
    assert_eq!(job["dry_run"], true);
    assert_eq!(
        (job["created"].as_i64(), job["merged"].as_i64(), job["rejected"].as_i64()),
        (Some(3), Some(1), Some(2))
    );
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 0);
    assert_eq!(app.get("/api/v1/companies?count=true").await.json()["total"], 0);
}

pub async fn purchased_lists_and_companies_by_domain(app: &App) {
    let job = import(app, &[("object", "contacts"), ("source_list", "expo-2026")], PEOPLE.as_bytes()).await;
    assert_eq!(job["status"], "done");
    let companies = app.get("/api/v1/companies").await.json();
    let domains: Vec<&str> =
        companies["items"].as_array().unwrap().iter().map(|c| c["domain"].as_str().unwrap()).collect();
    assert_eq!(domains, ["wisla-logistics.pl"], "gmail.com never makes a company");
    assert_eq!(companies["items"][0]["name"], "Wisła Logistics");
    let listed = app.get("/api/v1/contacts?source_list=expo-2026&count=true").await.json();
    assert_eq!(listed["total"], 3);
    assert_eq!(listed["items"][0]["source"], "purchased_list");
    let at_company = app
        .get(&format!("/api/v1/contacts?company_id={}&count=true", companies["items"][0]["id"].as_str().unwrap()))
        .await
        .json();
    assert_eq!(at_company["total"], 2);
}

pub async fn export_streams_filtered_csv(app: &App) {
    import(app, &[("object", "contacts")], PEOPLE.as_bytes()).await;
    let all = app.get("/api/v1/exports/contacts").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    assert!(all.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    let mut reader = csv::Reader::from_reader(all.text.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "id");
    assert!(header.iter().any(|h| h == "emails"));
    assert_eq!(reader.records().count(), 3);
    let filtered = app.get("/api/v1/exports/contacts?q=zofia").await;
    assert_eq!(csv::Reader::from_reader(filtered.text.as_bytes()).records().count(), 1);
    assert!(filtered.text.contains("Dąbrowska"));
    app.get("/api/v1/exports/contacts?country=Poland").await.error(422, "invalid_country", Some("country"));
    app.get("/api/v1/exports/widgets").await.error(404, "not_found", None);
}

/// An export imports back as the same contacts, by their ids (one with no e-mail or phone
/// too), and edits made to the file land on them; an id Leadline does not know is another
/// system's, kept so that the same file imported again finds its contact.
pub async fn an_export_imports_back_onto_the_same_contacts(app: &App) {
    import(app, &[("object", "contacts")], PEOPLE.as_bytes()).await;
    let nameless = app.post("/api/v1/contacts", json!({"first_name": "Bez", "last_name": "Adresu"})).await.json();
    let exported = app.get("/api/v1/exports/contacts").await.text;
    let mut reader = csv::Reader::from_reader(exported.as_bytes());
    let header = reader.headers().unwrap().clone();
    let stage = header.iter().position(|h| h == "lifecycle_stage").unwrap();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).unwrap();
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
        if row[0] == nameless["id"].as_str().unwrap() {
            row[stage] = "customer".into();
        }
        out.write_record(&row).unwrap();
    }
    let edited = out.into_inner().unwrap();
    let job = import(app, &[("object", "contacts")], &edited).await;
    assert_eq!(
        (job["created"].as_i64(), job["updated"].as_i64(), job["rejected"].as_i64()),
        (Some(0), Some(4), Some(0)),
        "{job}"
    );
    let got = app.get(&format!("/api/v1/contacts/{}", nameless["id"].as_str().unwrap())).await.json();
    assert_eq!(got["lifecycle_stage"], "customer");
    assert_eq!(got["external_ids"], json!([]), "its own id is not kept as another system's");

    // Companies too: one with no domain is found again by its id alone.
    let plain = app.post("/api/v1/companies", json!({"name": "Bez Domeny"})).await.json();
    let companies = app.get("/api/v1/exports/companies").await.text;
    let job = import(app, &[("object", "companies")], companies.as_bytes()).await;
    assert_eq!(
        (job["created"].as_i64(), job["updated"].as_i64(), job["rejected"].as_i64()),
        (Some(0), Some(2), Some(0)),
        "{job}"
    );
    let got = app.get(&format!("/api/v1/companies/{}", plain["id"].as_str().unwrap())).await.json();
    assert_eq!(got["external_ids"], json!([]), "{got}");

    let foreign = "id,first name,last name\ncrm-42,Ewa,Nowa\n";
    let job = import(app, &[("object", "contacts")], foreign.as_bytes()).await;
    assert_eq!(job["created"], 1, "{job}");
    let job = import(app, &[("object", "contacts")], foreign.as_bytes()).await;
    assert_eq!((job["created"].as_i64(), job["updated"].as_i64()), (Some(0), Some(1)), "{job}");
    let ewa = app.get("/api/v1/contacts?q=ewa").await.json();
    assert_eq!(ewa["items"][0]["external_ids"], json!([{"system": "import", "id": "crm-42"}]), "{ewa}");
}

/// Where the file is cut into batches changes nothing the import reports or keeps: a row that
/// repeats a person from an earlier batch is a duplicate within the file, in a dry run and in
/// a real one, as it is when both rows share a batch.
pub async fn batch_boundaries_change_nothing(app: &App) {
    use leadline_server::import::{self, ImportParams};
    let path = app.dir.join("people-in-pairs.csv");
    std::fs::create_dir_all(&app.dir).unwrap();
    std::fs::write(&path, PEOPLE).unwrap();
    let sniffed = import::sniff(PEOPLE.as_bytes()).unwrap();
    let columns = import::mapping(ObjectKind::Contact, &sniffed.headers, &Default::default(), &[]).unwrap();
    let run = |dry_run: bool| {
        let params = ImportParams {
            object: "contacts".into(),
            path: path.clone(),
            file_name: "people.csv".into(),
            headers: sniffed.headers.clone(),
            mapping: columns.iter().map(|c| c.name()).collect(),
            delimiter: sniffed.delimiter,
            dry_run,
            source_list: None,
            default_stage: None,
            default_region: Some("PL".into()),
            default_currency: "EUR".into(),
            spooled: false,
            // Lines 2-3, 4-5 and 6-7: the second Łukasz (line 5) follows the first in
            // another batch.
            batch: 2,
        };
        let store = app.state.store.clone();
        async move {
            let job = store.create_job("import", &serde_json::to_value(&params).unwrap(), None, 1).await.unwrap();
            import::run(store, &job.id, params, None, |_| {}).await.unwrap()
        }
    };
    let counts = |c: JobCounts| (c.processed, c.created, c.updated, c.merged, c.rejected);
    assert_eq!(counts(run(true).await), (6, 3, 0, 1, 2), "dry run");
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 0);
    assert_eq!(counts(run(false).await), (6, 3, 0, 1, 2), "the same file, imported");
    let lukasz = app.get("/api/v1/contacts?q=lukasz").await.json();
    assert_eq!(lukasz["items"].as_array().unwrap().len(), 1);
    assert_eq!(lukasz["items"][0]["last_name"], "W.", "the later row of the same person wins");
    assert_eq!(counts(run(false).await), (6, 0, 3, 1, 2), "again: every person is in the store, one twice");
}

/// A shared office phone keeps people apart through an import: the rows become contacts of
/// their own, the job counts them, and the pairs are reviewed through the API: merged (and the
/// merge undone), dismissed, found again by a name scan.
pub async fn a_shared_phone_is_a_possible_duplicate_not_a_merge(app: &App) {
    let anna = app
        .post("/api/v1/contacts", json!({"first_name": "Anna", "last_name": "Nowak", "emails": ["anna@firma.pl"], "phones": ["+48 22 123 45 67"]}))
        .await
        .json();
    let anna_id = anna["id"].as_str().unwrap().to_owned();
    let file = "Email,First Name,Last Name,Phone Number\n\
        bruno@firma.pl,Bruno,Rossi,22 123 45 67\n\
        ,زهرا,محمدی,+48221234567\n\
        ,Anna,Nowak,221234567\n";
    let job = import(app, &[("object", "contacts")], file.as_bytes()).await;
    assert_eq!((job["created"].as_i64(), job["updated"].as_i64()), (Some(2), Some(1)), "{job}");
    assert_eq!(job["possible_duplicates"], 2, "{job}");
    let got = app.get(&format!("/api/v1/contacts/{anna_id}")).await.json();
    assert_eq!((got["first_name"].as_str(), got["emails"].clone()), (Some("Anna"), json!(["anna@firma.pl"])));

    let list = app.get("/api/v1/duplicates?count=true&limit=2").await.json();
    assert_eq!(list["total"], 3, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let rest = app.get(&format!("/api/v1/duplicates?cursor={}", list["next_cursor"].as_str().unwrap())).await.json();
    let pairs: Vec<Value> =
        list["items"].as_array().unwrap().iter().chain(rest["items"].as_array().unwrap()).cloned().collect();
    assert_eq!(pairs.len(), 3);
    assert!(pairs.iter().all(|p| p["reason"] == "same_phone" && p["status"] == "open" && p["source"] == "import"));
    let with_anna: Vec<&Value> = pairs
        .iter()
        .filter(|p| p["contacts"][0]["id"] == anna_id.as_str() || p["contacts"][1]["id"] == anna_id.as_str())
        .collect();
    assert_eq!(with_anna.len(), 2);
    // Merge one, undo it, dismiss it.
    let pid = with_anna[0]["id"].as_str().unwrap();
    let m = app.post(&format!("/api/v1/duplicates/{pid}/merge"), json!({})).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.text);
    assert_eq!(app.get(&format!("/api/v1/duplicates/{pid}")).await.json()["status"], "merged");
    app.post(&format!("/api/v1/duplicates/{pid}/merge"), json!({})).await.error(409, "not_open", None);
    let undo = app.post(&format!("/api/v1/merges/{}/undo", m.json()["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(undo.status, StatusCode::OK, "{}", undo.text);
    assert_eq!(app.get(&format!("/api/v1/duplicates/{pid}")).await.json()["status"], "open");
    let d = app.post(&format!("/api/v1/duplicates/{pid}/dismiss"), json!({})).await;
    assert_eq!(d.json()["status"], "dismissed", "{}", d.text);
    assert_eq!(app.get("/api/v1/duplicates?status=dismissed&count=true").await.json()["total"], 1);
    assert_eq!(app.get("/api/v1/duplicates?count=true").await.json()["total"], 2);
    // Bad input and roles.
    app.get("/api/v1/duplicates?status=maybe").await.error(422, "invalid_status", Some("status"));
    app.get("/api/v1/duplicates?limit=0").await.error(422, "invalid_limit", Some("limit"));
    app.get("/api/v1/duplicates/nope").await.error(404, "not_found", None);
    let reader =
        app.user("reader@test.pl", leadline_core::role::Role::ReadOnly, leadline_core::role::TokenScope::Read).await;
    assert_eq!(app.call(&reader, Method::GET, "/api/v1/duplicates", None).await.status, StatusCode::OK);
    let refused = app.call(&reader, Method::POST, "/api/v1/duplicates/scan", Some(json!({}))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    // The scan pairs the same name with another address.
    app.post("/api/v1/contacts", json!({"first_name": "Bruno", "last_name": "ROSSI", "emails": ["bruno@gmail.com"]}))
        .await;
    let scan = app.post("/api/v1/duplicates/scan", json!({})).await;
    assert_eq!(scan.json()["found"], 1, "{}", scan.text);
}

/// Exports as HubSpot, Mautic and a Polish Excel write them import with no row lost: their
/// countries, statuses, stages, tags and owners are understood, and a value that is not is
/// left out of its row with a warning naming line, column, value and reason.
pub async fn peer_exports_import_whole(app: &App) {
    let sales = app
        .state
        .store
        .create_user("lukasz@firma.pl", Some("Łukasz Wiśniewski"), leadline_core::role::Role::Sales, None, 0)
        .await
        .unwrap();
    let hubspot = "\"Record ID\",\"First Name\",\"Last Name\",\"Email\",\"Phone Number\",\"Lifecycle Stage\",\"Lead Status\",\"Contact owner\",\"Country/Region\",\"Marketing contact status\"\n\
        \"101\",\"Giulia\",\"Conti\",\"giulia@studio.example\",\"06 6982 1234\",\"marketingqualifiedlead\",\"IN_PROGRESS\",\"lukasz wisniewski\",\"Italy\",\"Marketing\ncontact\"\n\
        \"102\",\"Anna\",\"Nowak\",\"anna@firma.example\",\"+48 22 123 45 67\",\"salesqualifiedlead\",\"OPEN_DEAL\",\"Nobody Known\",\"Poland\",\"Non-marketing contact\"\n\
        \"103\",\"Ali\",\"Karimi\",\"ali@shirkat.example\",\"not a phone\",\"lead\",\"BAD_TIMING\",\"\",\"Atlantis\",\"\"\n";
    let job = import(app, &[("object", "contacts")], hubspot.as_bytes()).await;
    assert_eq!((job["created"].as_i64(), job["rejected"].as_i64()), (Some(3), Some(0)), "{job}");
    assert_eq!(job["warnings"], 3, "an unknown owner, a bad phone, an unknown country: {job}");
    assert_eq!(
        (job["total"].as_i64(), job["processed"].as_i64(), job["progress"].as_f64()),
        (Some(3), Some(3), Some(1.0)),
        "a quoted cell spans two lines: {job}"
    );
    let giulia = app.get("/api/v1/contacts?email=giulia@studio.example").await.json()["items"][0].clone();
    assert_eq!(giulia["country"], "IT");
    assert_eq!(giulia["lead_status"], "attempting_contact");
    assert_eq!(giulia["lifecycle_stage"], "mql");
    assert_eq!(giulia["owner_id"], sales.id.as_str(), "the owner found by name");
    assert_eq!(giulia["phones"], json!(["+390669821234"]), "the row's country gives the phone its region");
    assert_eq!(giulia["external_ids"], json!([{"system": "hubspot", "id": "101"}]), "{giulia}");
    let ali = app.get("/api/v1/contacts?email=ali@shirkat.example").await.json()["items"][0].clone();
    assert_eq!((ali["lead_status"].as_str(), ali["country"].as_str()), (Some("recycled"), None));
    let id = job["id"].as_str().unwrap();
    let warnings = app.get(&format!("/api/v1/imports/{id}/warnings")).await.json();
    let lines: Vec<(i64, &str, &str)> = warnings
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["line"].as_i64().unwrap(), w["field"].as_str().unwrap(), w["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        [(4, "owner_email", "nobody known"), (5, "country", "Atlantis"), (5, "phone", "not a phone")],
        "lines are the file's own (the header is line 1, Giulia's row spans lines 2-3)"
    );

    let mautic = "id,firstname,lastname,email,company,position,mobile,country,tags,stage\n\
        7,Zofia,Dąbrowska,zofia@gmail.com,Wisła Logistics,CEO,601 234 567,Polska,\"webinar-2026,vip\",Lead\n\
        8,Marco,Rossi,marco@firm.example,,,,Italia,expo|vip,\n";
    let job = import(app, &[("object", "contacts"), ("default_stage", "subscriber")], mautic.as_bytes()).await;
    assert_eq!(
        (job["created"].as_i64(), job["rejected"].as_i64(), job["warnings"].as_i64()),
        (Some(2), Some(0), Some(0)),
        "{job}"
    );
    let marco = app.get("/api/v1/contacts?email=marco@firm.example").await.json()["items"][0].clone();
    assert_eq!(marco["tags"], json!(["expo", "vip"]));
    assert_eq!((marco["country"].as_str(), marco["lifecycle_stage"].as_str()), (Some("IT"), Some("subscriber")));
    let zofia = app.get("/api/v1/contacts?email=zofia@gmail.com").await.json()["items"][0].clone();
    assert_eq!(
        (zofia["tags"].clone(), zofia["lifecycle_stage"].as_str()),
        (json!(["webinar-2026", "vip"]), Some("lead"))
    );

    // Excel in Polish: BOM, semicolons, day-first dates.
    let excel = "\u{feff}Imię;Nazwisko;Adres e-mail;Telefon;Kraj;Status leada;Miasto;Kod pocztowy\r\n\
        Łukasz;Żółć;lukasz.zolc@firma.pl;601 000 222;Polska;NEW;Kraków;30-001\r\n\
        Małgorzata;Wójcik;m.wojcik@firma.pl;;Włochy;CONNECTED;Roma;00184\r\n";
    let job = import(app, &[("object", "contacts")], excel.as_bytes()).await;
    assert_eq!(
        (job["created"].as_i64(), job["rejected"].as_i64(), job["warnings"].as_i64()),
        (Some(2), Some(0), Some(0)),
        "{job}"
    );
    let m = app.get("/api/v1/contacts?email=m.wojcik@firma.pl").await.json()["items"][0].clone();
    assert_eq!((m["country"].as_str(), m["lead_status"].as_str()), (Some("IT"), Some("connected")));
    assert_eq!((m["city"].as_str(), m["postal_code"].as_str()), (Some("Roma"), Some("00184")), "{m}");
    // A mapping to a target that does not exist says which ones do.
    let bad = upload(
        app,
        "/api/v1/imports",
        &[("object", "contacts"), ("mapping", "{\"Imię\": \"given\"}")],
        excel.as_bytes(),
    )
    .await;
    bad.error(422, "invalid_target", Some("mapping"));
    assert!(bad.json()["message"].as_str().unwrap().contains("first_name"), "{}", bad.text);
}

/// An import is taken back through the API: what it created goes, what it updated gets its
/// values back, and a second undo is refused.
pub async fn an_import_is_undone(app: &App) {
    let anna = app
        .post("/api/v1/contacts", json!({"first_name": "Anna", "last_name": "Nowak", "emails": ["anna@firma.pl"], "lifecycle_stage": "lead", "tags": ["vip"]}))
        .await
        .json();
    let csv = "email,first_name,last_name,lifecycle_stage,tags\n\
        anna@firma.pl,Anna,Kowalska,customer,fiera\n\
        lucia@bianchi.it,Lucia,Bianchi,,\n\
        mario@rossi.it,Mario,Rossi,,\n";
    let job = import(app, &[("object", "contacts")], csv.as_bytes()).await;
    assert_eq!((job["created"].as_i64(), job["updated"].as_i64()), (Some(2), Some(1)), "{job}");
    let id = job["id"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/contacts?q=kowalska&count=true").await.json()["total"], 1);

    let r = app.post(&format!("/api/v1/imports/{id}/undo"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let undone = r.json();
    // Two contacts, and the companies of the three work domains the import made.
    assert_eq!((undone["deleted"].as_i64(), undone["restored"].as_i64()), (Some(5), Some(1)), "{undone}");
    assert_eq!(app.get("/api/v1/companies?count=true").await.json()["total"], 0);
    assert!(undone["job"]["undone_at"].is_string(), "{undone}");
    let back = app.get(&format!("/api/v1/contacts/{}", anna["id"].as_str().unwrap())).await.json();
    for field in ["last_name", "lifecycle_stage", "tags", "emails", "updated_at"] {
        assert_eq!(back[field], anna[field], "{field}");
    }
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 1);
    assert_eq!(app.get("/api/v1/contacts?q=kowalska&count=true").await.json()["total"], 0);

    let again = app.post(&format!("/api/v1/imports/{id}/undo"), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert_eq!(again.json()["code"], "already_undone");
    let missing = app.post("/api/v1/imports/no-such-job/undo", json!({})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
