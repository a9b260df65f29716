//! The JSON API, scenario by scenario.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use leadline_core::role::{Role, TokenScope};
use serde_json::{json, Value};

use super::{uuid_like, App};

pub async fn errors_are_json_and_name_the_field(app: &App) {
    app.post("/api/v1/contacts", json!({"emails": ["anna@firma.pl", "not an email"]})).await.error(
        422,
        "invalid_email",
        Some("emails[1]"),
    );
    app.post("/api/v1/contacts", json!({"first_name": "A", "favourite": 1})).await.error(
        422,
        "unknown_field",
        Some("favourite"),
    );
    app.post("/api/v1/contacts", json!({"first_name": "A", "lifecycle_stage": "king"})).await.error(
        422,
        "invalid_stage",
        Some("lifecycle_stage"),
    );
    app.post("/api/v1/contacts", json!({"first_name": "x".repeat(20_000)})).await.error(
        422,
        "too_long",
        Some("first_name"),
    );
    app.post("/api/v1/contacts", json!({})).await.error(422, "required", Some("emails"));
    // Malformed JSON, wrong content type, a 10 MB body.
    let raw = |ct: &str, body: Vec<u8>| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/contacts")
            .header(header::AUTHORIZATION, format!("Bearer {}", app.admin))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    app.send(raw("application/json", b"{\"first_name\": ".to_vec())).await.error(400, "invalid_json", None);
    app.send(raw("text/plain", b"{}".to_vec())).await.error(400, "not_json", None);
    let huge = format!("{{\"first_name\": \"{}\"}}", "x".repeat(10 * 1024 * 1024));
    app.send(raw("application/json", huge.into_bytes())).await.error(413, "payload_too_large", None);
    app.get("/api/v1/contacts/nope").await.error(404, "not_found", None);
    app.get("/api/v1/nowhere").await.error(404, "not_found", None);
    app.get("/api/v1/contacts?limit=0").await.error(422, "invalid_limit", Some("limit"));
    app.get("/api/v1/contacts?bogus=1").await.error(422, "unknown_field", Some("bogus"));
    app.get("/api/v1/contacts?cursor=forged").await.error(422, "invalid_cursor", Some("cursor"));
    app.get("/api/v1/contacts?country[in]=").await.error(422, "invalid_filter", Some("country"));
    let companies = vec!["c"; leadline_store::MAX_IN_VALUES + 1].join(",");
    app.get(&format!("/api/v1/contacts?company_id[in]={companies}")).await.error(422, "invalid_filter", Some("filter"));
    app.get("/api/v1/contacts?created_at[gte]=2026-11-22T1%C3%A9:00:00Z").await.error(
        422,
        "invalid_time",
        Some("created_at"),
    );
    app.post("/api/v1/tasks", json!({"title": "x", "due_at": "2026-11-22Té"})).await.error(
        422,
        "invalid_time",
        Some("due_at"),
    );
    // Nothing of the above was stored.
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 0);
}

pub async fn sessions_need_csrf_and_are_rate_limited(app: &App) {
    let login = |password: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"email": "ADMIN@test.pl", "password": password}).to_string()))
            .unwrap()
    };
    app.send(Request::builder().uri("/api/v1/contacts").body(Body::empty()).unwrap()).await.error(
        401,
        "unauthenticated",
        None,
    );
    app.send(login("wrong password")).await.error(401, "invalid_credentials", None);
    let ok = app.send(login("admin password 1")).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let cookie = ok.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();
    let csrf = ok.json()["csrf_token"].as_str().unwrap().to_owned();
    let with_cookie = |method: Method, uri: &str, csrf: Option<&str>, body: Option<Value>| {
        let mut b = Request::builder().method(method).uri(uri).header(header::COOKIE, &session);
        if let Some(c) = csrf {
            b = b.header("x-csrf-token", c);
        }
        match body {
            Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())).unwrap(),
            None => b.body(Body::empty()).unwrap(),
        }
    };
    assert_eq!(
        app.send(with_cookie(Method::GET, "/api/v1/auth/me", None, None)).await.json()["user"]["email"],
        "admin@test.pl"
    );
    let c = json!({"first_name": "Cookie"});
    app.send(with_cookie(Method::POST, "/api/v1/contacts", None, Some(c.clone()))).await.error(403, "csrf", None);
    app.send(with_cookie(Method::POST, "/api/v1/contacts", Some("forged"), Some(c.clone())))
        .await
        .error(403, "csrf", None);
    assert_eq!(
        app.send(with_cookie(Method::POST, "/api/v1/contacts", Some(&csrf), Some(c))).await.status,
        StatusCode::CREATED
    );
    let out = app.send(with_cookie(Method::POST, "/api/v1/auth/logout", Some(&csrf), None)).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    app.send(with_cookie(Method::GET, "/api/v1/auth/me", None, None)).await.error(401, "unauthenticated", None);
    // Guessing passwords is throttled.
    let mut limited = false;
    for _ in 0..12 {
        let r = app.send(login("guess guess guess")).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            r.error(429, "rate_limited", None);
            limited = true;
            break;
        }
    }
    assert!(limited, "login attempts are rate limited");
}

pub async fn roles_and_scopes_are_enforced(app: &App) {
    let viewer = app.user("viewer@test.pl", Role::ReadOnly, TokenScope::Write).await;
    let agent = app.user("agent@test.pl", Role::Agent, TokenScope::Write).await;
    let sales_read = app.user("sales@test.pl", Role::Sales, TokenScope::Read).await;
    let body = json!({"first_name": "Nope"});
    app.call(&viewer, Method::POST, "/api/v1/contacts", Some(body.clone())).await.error(403, "forbidden", None);
    app.call(&sales_read, Method::POST, "/api/v1/contacts", Some(body.clone())).await.error(
        403,
        "read_only_token",
        None,
    );
    assert_eq!(app.call(&viewer, Method::GET, "/api/v1/contacts", None).await.status, StatusCode::OK);
    app.call(&agent, Method::GET, "/api/v1/exports/contacts", None).await.error(403, "forbidden", None);
    assert_eq!(app.call(&agent, Method::POST, "/api/v1/contacts", Some(body)).await.status, StatusCode::CREATED);
    app.call(&agent, Method::POST, "/api/v1/users", Some(json!({"email": "x@y.pl", "role": "admin"}))).await.error(
        403,
        "forbidden",
        None,
    );
    app.call(&sales_read, Method::POST, "/api/v1/tokens", Some(json!({"name": "escalate", "scope": "write"})))
        .await
        .error(403, "read_only_token", None);
    app.call(
        &agent,
        Method::POST,
        "/api/v1/properties",
        Some(json!({"object": "contact", "name": "x", "label": "X", "type": "text"})),
    )
    .await
    .error(403, "forbidden", None);
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 1, "only the agent's write went through");
}

pub async fn contacts_crud_search_and_history(app: &App) {
    let r = app.post("/api/v1/contacts", json!({"first_name": "علي", "last_name": "كريمي", "emails": ["Ali@Example.ir"], "phones": ["0912 345 6789"], "country": "ir"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let c = r.json();
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(c["emails"], json!(["ali@example.ir"]));
    assert_eq!(c["phones"], json!(["+989123456789"]), "the contact's own country is the phone's region");
    assert_eq!(c["lifecycle_stage"], "lead");
    // Found by the Persian spelling of the Arabic letters, by prefix, by phone.
    for q in ["علی", "کریم", "ali@exa", "0912 345"] {
        let found = app.get(&format!("/api/v1/contacts?q={}", urlencode(q))).await.json();
        assert_eq!(found["items"].as_array().unwrap().len(), 1, "search {q}");
    }
    let taken = app.post("/api/v1/contacts", json!({"emails": ["ali@example.ir"]})).await;
    taken.error(409, "identity_taken", Some("emails"));
    assert_eq!(taken.json()["record_id"], id.as_str(), "the error names the contact that has the address");
    let r =
        app.patch(&format!("/api/v1/contacts/{id}"), json!({"lifecycle_stage": "customer", "job_title": "مدیر"})).await;
    assert_eq!(r.json()["job_title"], "مدیر");
    app.patch(&format!("/api/v1/contacts/{id}"), json!({"lifecycle_stage": "lead"})).await.error(
        409,
        "backward_stage",
        Some("lifecycle_stage"),
    );
    assert_eq!(
        app.patch(&format!("/api/v1/contacts/{id}?allow_backward=true"), json!({"lifecycle_stage": "lead"}))
            .await
            .status,
        StatusCode::OK
    );
    let h = app.get(&format!("/api/v1/contacts/{id}/history")).await.json();
    let stages: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["field"] == "lifecycle_stage")
        .map(|c| c["to"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["lead", "customer", "lead"]);
    assert_eq!(app.delete(&format!("/api/v1/contacts/{id}")).await.status, StatusCode::NO_CONTENT);
    app.get(&format!("/api/v1/contacts/{id}")).await.error(404, "not_found", None);
}

pub fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

pub async fn lists_filter_sort_and_page(app: &App) {
    for (i, country) in ["IT", "PL", "IT", "GB", "IT", "PL", "IT"].iter().enumerate() {
        let r = app
            .post(
                "/api/v1/contacts",
                json!({"first_name": format!("N{i}"), "country": country, "emails": [format!("n{i}@x.pl")]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let mut seen = Vec::new();
    let mut url = "/api/v1/contacts?country=it&sort=first_name&limit=3".to_owned();
    loop {
        let page = app.get(&url).await.json();
        seen.extend(page["items"].as_array().unwrap().iter().map(|c| c["first_name"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/contacts?country=it&sort=first_name&limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["N0", "N2", "N4", "N6"]);
    let r = app.get("/api/v1/contacts?country[in]=PL,GB&sort=-first_name&count=true").await.json();
    assert_eq!(r["total"], 3);
    assert_eq!(r["items"][0]["first_name"], "N5");
    assert_eq!(app.get("/api/v1/contacts?email=N3@X.pl").await.json()["items"][0]["first_name"], "N3");
    app.get("/api/v1/contacts?country=Italy").await.error(422, "invalid_country", Some("country"));
}

pub async fn batch_upsert_reports_each_item(app: &App) {
    app.post("/api/v1/contacts", json!({"first_name": "Old", "emails": ["old@x.pl"]})).await;
    let r = app
        .post(
            "/api/v1/contacts/batch",
            json!({"items": [
                {"first_name": "New", "emails": ["new@x.pl"]},
                {"first_name": "Older", "emails": ["OLD@x.pl"]},
                {"first_name": "Bad", "emails": ["bad"]},
                {"first_name": "Again", "emails": ["new@x.pl"]},
                {"first_name": "Nobody"},
            ]}),
        )
        .await;
    let j = r.json();
    let statuses: Vec<&str> = j["results"].as_array().unwrap().iter().map(|x| x["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["created", "updated", "error", "merged", "error"]);
    assert_eq!(j["results"][2]["error"]["field"], "emails[0]");
    assert_eq!((j["created"].as_u64(), j["failed"].as_u64()), (Some(1), Some(2)));
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 2);
    // By id: an update whatever the item's e-mail, through a merge to its survivor; an id that
    // names no contact fails alone.
    let old = app.get("/api/v1/contacts?email=old@x.pl").await.json()["items"][0]["id"].as_str().unwrap().to_owned();
    let gone = app.post("/api/v1/contacts", json!({"first_name": "Gone", "emails": ["gone@x.pl"]})).await.json();
    let gone = gone["id"].as_str().unwrap().to_owned();
    let merged = app.post("/api/v1/contacts/merge", json!({"ids": [old, gone]})).await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.text);
    let r = app
        .post(
            "/api/v1/contacts/batch",
            json!({"items": [
                {"id": old, "job_title": "CEO", "emails": ["other@x.pl"]},
                {"id": gone, "country": "PL"},
                {"id": "no-such-contact", "first_name": "X"},
                {"id": 7, "first_name": "X"},
            ]}),
        )
        .await
        .json();
    let statuses: Vec<&str> = r["results"].as_array().unwrap().iter().map(|x| x["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["updated", "updated", "error", "error"], "{r}");
    assert_eq!(r["results"][1]["id"], old.as_str(), "the merged id reached its survivor");
    assert_eq!(r["results"][2]["error"]["code"], "not_found");
    assert_eq!(r["results"][3]["error"]["field"], "id");
    let got = app.get(&format!("/api/v1/contacts/{old}")).await.json();
    assert_eq!((got["job_title"].as_str(), got["country"].as_str()), (Some("CEO"), Some("PL")));
    assert!(got["emails"].as_array().unwrap().contains(&json!("other@x.pl")), "{got}");
    let too_many: Vec<Value> = (0..1001).map(|i| json!({"emails": [format!("m{i}@x.pl")]})).collect();
    app.post("/api/v1/contacts/batch", json!({"items": too_many})).await.error(413, "batch_too_large", Some("items"));
}

pub async fn merge_and_unmerge(app: &App) {
    let a = app.post("/api/v1/contacts", json!({"first_name": "Anna", "emails": ["anna@firma.pl"]})).await.json();
    let b = app
        .post("/api/v1/contacts", json!({"first_name": "Ania", "job_title": "CFO", "emails": ["ania@gmail.com"]}))
        .await
        .json();
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    app.post("/api/v1/notes", json!({"contact_id": b, "body": "met at the fair"})).await;
    let m = app.post("/api/v1/contacts/merge", json!({"ids": [b, a]})).await.json();
    assert_eq!(m["survivor_id"], a);
    let merged = app.get(&format!("/api/v1/contacts/{b}")).await.json();
    assert_eq!(merged["id"], a, "a merged id answers with the survivor");
    assert_eq!(merged["emails"], json!(["anna@firma.pl", "ania@gmail.com"]));
    assert_eq!(merged["job_title"], "CFO");
    assert_eq!(app.get(&format!("/api/v1/contacts/{a}/timeline")).await.json()["items"].as_array().unwrap().len(), 1);
    let undone = app.post(&format!("/api/v1/merges/{}/undo", m["id"].as_str().unwrap()), json!({})).await.json();
    assert!(undone["undone_at"].is_string());
    assert_eq!(app.get(&format!("/api/v1/contacts/{b}")).await.json()["id"], b);
    assert_eq!(app.get(&format!("/api/v1/contacts/{b}/timeline")).await.json()["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get(&format!("/api/v1/merges?record_id={a}")).await.json().as_array().unwrap().len(), 1);
    app.post("/api/v1/contacts/merge", json!({"ids": [a]})).await.error(422, "invalid_body", Some("ids"));
}

pub async fn companies_and_roles(app: &App) {
    let co = app.post("/api/v1/companies", json!({"name": "Vetro Design", "domain": "https://www.VetroDesign.it/chi-siamo", "employee_count": 40, "tier": "tier_1"})).await;
    assert_eq!(co.status, StatusCode::CREATED, "{}", co.text);
    let co = co.json();
    assert_eq!(co["domain"], "vetrodesign.it");
    let id = co["id"].as_str().unwrap();
    app.post("/api/v1/companies", json!({"name": "Copy", "domain": "vetrodesign.it"})).await.error(
        409,
        "domain_taken",
        Some("domain"),
    );
    app.post("/api/v1/companies", json!({"name": "Neg", "employee_count": -1})).await.error(
        422,
        "invalid_number",
        Some("employee_count"),
    );
    let c =
        app.post("/api/v1/contacts", json!({"first_name": "Marco", "emails": ["marco@vetrodesign.it"]})).await.json();
    let cid = c["id"].as_str().unwrap();
    let r = app
        .call(
            &app.admin,
            Method::PUT,
            &format!("/api/v1/companies/{id}/contacts/{cid}"),
            Some(json!({"role": "decision_maker"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.call(&app.admin, Method::PUT, &format!("/api/v1/companies/{id}/contacts/{cid}"), Some(json!({"role": "boss"})))
        .await
        .error(422, "invalid_role", Some("role"));
    let people = app.get(&format!("/api/v1/companies/{id}/contacts")).await.json();
    assert_eq!(people[0]["role"], "decision_maker");
    assert_eq!(
        app.get(&format!("/api/v1/contacts?linked_company_id={id}")).await.json()["items"].as_array().unwrap().len(),
        1
    );
    let r = app.post("/api/v1/companies/batch", json!({"items": [{"domain": "vetrodesign.it", "industry": "design"}, {"name": "Nord", "domain": "nord.pl"}]})).await.json();
    assert_eq!(r["updated"], 1);
    assert_eq!(r["created"], 1);
    assert_eq!(app.get("/api/v1/companies?q=vetro").await.json()["items"][0]["industry"], "design");
}

pub async fn deals_follow_their_stage(app: &App) {
    let c = app.post("/api/v1/contacts", json!({"first_name": "Buyer", "emails": ["buyer@x.pl"]})).await.json();
    let d = app.post("/api/v1/deals", json!({"name": "Rinnovo", "amount": 1_250_000, "currency": "eur", "close_date": "2026-12-31", "contact_ids": [c["id"]]})).await;
    assert_eq!(d.status, StatusCode::CREATED, "{}", d.text);
    let d = d.json();
    assert_eq!(
        (d["amount"].as_i64(), d["currency"].as_str(), d["status"].as_str()),
        (Some(1_250_000), Some("EUR"), Some("open"))
    );
    app.post("/api/v1/deals", json!({"name": "X", "close_date": "2026-02-30"})).await.error(
        422,
        "invalid_date",
        Some("close_date"),
    );
    app.post("/api/v1/deals", json!({"name": "X", "amount": 10.5})).await.error(422, "invalid_number", Some("amount"));
    app.post("/api/v1/deals", json!({"name": "X", "contact_ids": ["ghost"]})).await.error(
        422,
        "unknown_reference",
        Some("contact_ids"),
    );
    let id = d["id"].as_str().unwrap();
    // A deal is won or lost for a reason; a stage asks for what it needs.
    app.patch(&format!("/api/v1/deals/{id}"), json!({"status": "won"})).await.error(
        422,
        "reason_required",
        Some("won_reason"),
    );
    app.patch(&format!("/api/v1/deals/{id}"), json!({"stage": "contract_sent"})).await.error(
        422,
        "stage_requirements",
        Some("company_id"),
    );
    app.patch(&format!("/api/v1/deals/{id}"), json!({"stage": "closedwon"})).await.error(
        422,
        "invalid_stage",
        Some("stage"),
    );
    let moved = app.patch(&format!("/api/v1/deals/{id}"), json!({"stage": "presentation_scheduled"})).await.json();
    assert_eq!(moved["stage"], "presentation_scheduled");
    assert!(moved["stage_entered_at"].is_string(), "{moved}");
    let won =
        app.patch(&format!("/api/v1/deals/{id}"), json!({"status": "won", "won_reason": "product_fit"})).await.json();
    assert!(won["closed_at"].is_string());
    assert_eq!(won["close_date"], "2026-12-31", "a close date given stays");
    assert_eq!(
        app.get(&format!("/api/v1/deals?contact_id={}", c["id"].as_str().unwrap())).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get("/api/v1/deals?status=won&amount[gte]=1000000").await.json()["items"].as_array().unwrap().len(),
        1
    );
}

pub async fn activities_notes_calls_tasks(app: &App) {
    let c = app.post("/api/v1/contacts", json!({"first_name": "Eve", "emails": ["eve@x.pl"]})).await.json();
    let cid = c["id"].as_str().unwrap();
    let visit = json!({"type": "page_view", "contact_id": cid, "occurred_at": "2026-11-01T10:00:00Z", "properties": {"url": "/pricing"}, "idempotency_key": "v-1"});
    let r = app
        .post(
            "/api/v1/activities",
            json!([visit, {"type": "webinar", "contact_id": cid}, {"type": "note", "contact_id": "ghost"}]),
        )
        .await
        .json();
    let statuses: Vec<&str> = r.as_array().unwrap().iter().map(|x| x["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["created", "error", "error"]);
    assert_eq!(r[1]["error"]["field"], "type");
    assert_eq!(r[2]["error"]["field"], "contact_id");
    assert_eq!(app.post("/api/v1/activities", visit).await.json()[0]["status"], "duplicate");
    let call = app
        .post("/api/v1/calls", json!({"contact_id": cid, "outcome": "Left voicemail", "duration_seconds": 42}))
        .await;
    assert_eq!(call.status, StatusCode::CREATED, "{}", call.text);
    assert_eq!(call.json()["properties"]["outcome"], "left_voicemail");
    app.post("/api/v1/calls", json!({"contact_id": cid, "outcome": "great"})).await.error(
        422,
        "invalid_outcome",
        Some("outcome"),
    );
    app.post("/api/v1/notes", json!({"contact_id": cid, "body": "  "})).await.error(422, "required", Some("body"));
    app.post("/api/v1/notes", json!({"contact_id": cid, "body": "<script>alert(1)</script>"})).await;
    let timeline = app.get(&format!("/api/v1/contacts/{cid}/timeline?type=note,call")).await.json();
    assert_eq!(timeline["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        timeline["items"][0]["properties"]["body"], "<script>alert(1)</script>",
        "stored as typed; escaping is the renderer's job"
    );
    let t =
        app.post("/api/v1/tasks", json!({"title": "Call Eve back", "due_at": "2026-11-30", "contact_id": cid})).await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.text);
    let tid = t.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/tasks?assignee_id=me&open=true").await.json()["items"].as_array().unwrap().len(), 1);
    let done = app.patch(&format!("/api/v1/tasks/{tid}"), json!({"done": true, "body": null})).await.json();
    assert_eq!(done["done"], true);
    assert!(app.get("/api/v1/tasks?assignee_id=me&open=true").await.json()["items"].as_array().unwrap().is_empty());
    app.post("/api/v1/tasks", json!({"title": "x", "due_at": "soon"})).await.error(422, "invalid_time", Some("due_at"));
    app.patch(&format!("/api/v1/tasks/{tid}"), json!({"assignee_id": "nobody"})).await.error(
        422,
        "unknown_reference",
        Some("assignee_id"),
    );
}

pub async fn custom_properties(app: &App) {
    let r = app.post("/api/v1/properties", json!({"object": "contact", "name": "plan", "label": "Plan", "type": "enum", "options": ["Gold", "Silver"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    app.post("/api/v1/properties", json!({"object": "contact", "name": "Bad Name", "label": "x", "type": "text"}))
        .await
        .error(422, "invalid_name", Some("name"));
    app.post("/api/v1/properties", json!({"object": "contact", "name": "first_name", "label": "x", "type": "text"}))
        .await
        .error(422, "reserved_name", Some("name"));
    let c = app.post("/api/v1/contacts", json!({"first_name": "P", "properties": {"plan": "gold"}})).await.json();
    assert_eq!(c["properties"]["plan"], "Gold");
    app.post("/api/v1/contacts", json!({"first_name": "P", "properties": {"plan": "bronze"}})).await.error(
        422,
        "invalid_option",
        Some("properties.plan"),
    );
    app.post("/api/v1/contacts", json!({"first_name": "P", "properties": {"nope": 1}})).await.error(
        422,
        "unknown_property",
        Some("properties.nope"),
    );
    assert_eq!(app.get("/api/v1/contacts?properties.plan=Gold").await.json()["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get("/api/v1/properties?object=contact").await.json().as_array().unwrap().len(), 1);
    assert_eq!(app.delete("/api/v1/properties/contact/plan").await.status, StatusCode::NO_CONTENT);
}

pub async fn users_and_tokens(app: &App) {
    let u =
        app.post("/api/v1/users", json!({"email": "Rep@Test.pl", "role": "sales", "password": "long enough 1"})).await;
    assert_eq!(u.status, StatusCode::CREATED, "{}", u.text);
    assert_eq!(u.json()["email"], "rep@test.pl");
    app.post("/api/v1/users", json!({"email": "rep@test.pl", "role": "sales"})).await.error(
        409,
        "email_taken",
        Some("email"),
    );
    app.post("/api/v1/users", json!({"email": "x@test.pl", "role": "king"})).await.error(
        422,
        "invalid_role",
        Some("role"),
    );
    app.post("/api/v1/users", json!({"email": "y@test.pl", "role": "sales", "password": "short"})).await.error(
        422,
        "weak_password",
        Some("password"),
    );
    let t = app.post("/api/v1/tokens", json!({"name": "zapier", "scope": "read"})).await.json();
    let token = t["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with(t["details"]["prefix"].as_str().unwrap()));
    assert_eq!(app.call(&token, Method::GET, "/api/v1/contacts", None).await.status, StatusCode::OK);
    let listed = app.get("/api/v1/tokens").await.json();
    assert!(listed.as_array().unwrap().iter().all(|t| t.get("token").is_none()), "tokens are shown only once");
    app.delete(&format!("/api/v1/tokens/{}", t["details"]["id"].as_str().unwrap())).await;
    app.call(&token, Method::GET, "/api/v1/contacts", None).await.error(401, "unauthenticated", None);
}

pub async fn openapi_matches_the_handlers(app: &App) {
    let doc = app.get("/api/v1/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/contacts",
        "/api/v1/contacts/{id}",
        "/api/v1/contacts/batch",
        "/api/v1/imports",
        "/api/v1/exports/{object}",
        "/api/v1/merges/{id}/undo",
        "/healthz",
    ] {
        assert!(paths.contains_key(p), "{p} is documented");
    }
    // The documented Contact is exactly what the API returns.
    let c = app.post("/api/v1/contacts", json!({"first_name": "Doc", "emails": ["doc@x.pl"]})).await.json();
    let mut returned: Vec<&String> = c.as_object().unwrap().keys().collect();
    let schema = doc["components"]["schemas"]["Contact"]["properties"].as_object().unwrap();
    let mut documented: Vec<&String> = schema.keys().collect();
    returned.sort();
    documented.sort();
    assert_eq!(returned, documented);
    // And everything ContactInput documents is accepted.
    let input = doc["components"]["schemas"]["ContactInput"]["properties"].as_object().unwrap();
    for key in input.keys() {
        let body = match key.as_str() {
            "emails" | "phones" | "tags" | "external_ids" | "consent" => json!({"first_name": "K", key.clone(): []}),
            "properties" => json!({"first_name": "K", "properties": {}}),
            _ => json!({"emails": [format!("{key}@x.pl")], key.clone(): null}),
        };
        let r = app.post("/api/v1/contacts", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{key}: {}", r.text);
    }
}

pub async fn health_and_metrics(app: &App) {
    let h = app.send(Request::builder().uri("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(h.json()["status"], "ok");
    app.post("/api/v1/contacts", json!({"first_name": "M"})).await;
    // Not for anyone: a scraper's token, or an administrator.
    app.send(Request::builder().uri("/metrics").body(Body::empty()).unwrap()).await.error(401, "unauthenticated", None);
    let scraper = Request::builder()
        .uri("/metrics")
        .header(header::AUTHORIZATION, format!("Bearer {}", super::METRICS_TOKEN))
        .body(Body::empty())
        .unwrap();
    let m = app.send(scraper).await;
    assert!(m.text.contains("leadline_contacts 1"), "{}", m.text);
    assert!(app.get("/metrics").await.text.contains("leadline_contacts 1"), "an administrator's token");
    let sales = app.user("sales@test.pl", Role::Sales, TokenScope::Write).await;
    app.call(&sales, Method::GET, "/metrics", None).await.error(403, "forbidden", None);
    assert!(m.text.contains("leadline_http_responses_total{class=\"2xx\"}"));
}

pub async fn conditions_are_read_with_their_problems(app: &App) {
    let read = |c: &str| app.post("/api/v1/conditions/parse", json!({ "condition": c }));
    let ok = read("lifecycle_stage = 'lead' and fit >= 40 and company.employee_count >= 50").await.json();
    assert_eq!(ok["valid"], true, "{ok}");
    assert_eq!(ok["text"], "lifecycle_stage = \"lead\" and fit >= 40 and company.employee_count >= 50");
    assert_eq!(ok["ast"]["op"], "and");
    assert_eq!(ok["ast"]["items"][1]["left"]["field"], "fit");
    let b = read("count(page_view where url contains \"/pricing\", last 14 days) >= 2").await.json();
    assert_eq!(b["ast"]["left"]["behaviour"], "count", "{b}");
    assert_eq!(b["ast"]["left"]["window_minutes"], 14 * 24 * 60);
    let syntax = read("fit >= and tag = 'x'").await.json();
    assert_eq!((syntax["valid"].as_bool(), syntax["errors"][0]["start"].as_u64()), (Some(false), Some(7)), "{syntax}");
    assert!(syntax["errors"][0]["message"].as_str().unwrap().contains("expected a field or a value"));
    let unknown = read("fitness > 3 or count(page_view) > 1").await.json();
    let messages: Vec<&str> =
        unknown["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert_eq!(messages.len(), 2, "{unknown}");
    assert!(messages[0].starts_with("fitness is not") && messages[1].contains("needs a window"), "{messages:?}");
    app.post("/api/v1/properties", json!({"object": "contact", "name": "plan", "label": "Plan", "type": "text"})).await;
    assert_eq!(read("properties.plan = 'gold'").await.json()["valid"], true);
    let huge = "x".repeat(1_000_000);
    app.post("/api/v1/conditions/parse", json!({ "condition": huge })).await.error(422, "too_long", Some("condition"));
}

pub async fn contact_scores_explain_themselves(app: &App) {
    let co = app.post("/api/v1/companies", json!({"name": "Wisła Logistics", "domain": "wisla-logistics.pl", "industry": "logistics", "employee_count": 800})).await.json();
    let c = app
        .post(
            "/api/v1/contacts",
            json!({"first_name": "Anna", "job_title": "Head of Sales", "emails": ["anna@wisla-logistics.pl"], "country": "PL", "company_id": co["id"]}),
        )
        .await
        .json();
    let id = c["id"].as_str().unwrap();
    let visit = |url: &str| json!({"type": "page_view", "contact_id": id, "properties": {"url": url}});
    let r = app
        .post("/api/v1/activities", json!([visit("https://wisla.example/pricing"), visit("https://wisla.example/pricing"), {"type": "form_submission", "contact_id": id}]))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let s = app.get(&format!("/api/v1/contacts/{id}/scores")).await.json();
    let model = |key: &str| s["models"].as_array().unwrap().iter().find(|m| m["model"] == key).unwrap().clone();
    let fit = model("fit");
    assert_eq!((fit["score"].as_f64(), fit["category"].as_str()), (Some(80.0), Some("A")), "{s}");
    let engagement = model("engagement");
    assert_eq!(engagement["category"], "2", "{engagement}");
    let pricing = engagement["rules"].as_array().unwrap().iter().find(|r| r["rule"] == "Pricing page").unwrap();
    assert_eq!((pricing["occurrences"].as_u64(), pricing["events"].as_array().unwrap().len()), (Some(2), 2));
    assert_eq!(s["priority"], "A2");
    app.get("/api/v1/contacts/no-such-id/scores").await.error(404, "not_found", None);

    // The account: its own fit (800 people in logistics: 55, B) and Anna's engagement, as the
    // engine decided it, rolled up.
    let engine = leadline_server::engine::Engine::new("only");
    let now = leadline_server::now();
    for n in 0..5 {
        engine.step(app.state.store.as_ref(), now + n).await.unwrap();
    }
    let a = app.get(&format!("/api/v1/companies/{}/scores", co["id"].as_str().unwrap())).await.json();
    assert_eq!((a["fit"]["score"].as_f64(), a["fit"]["category"].as_str()), (Some(55.0), Some("B")), "{a}");
    assert_eq!(a["fit"]["rules"].as_array().unwrap().len(), 3, "{a}");
    let anna = app.get(&format!("/api/v1/contacts/{id}")).await.json()["scores"]["engagement"].as_f64().unwrap();
    assert_eq!(a["engagement"]["score"].as_f64(), Some(anna), "{a}");
    assert_eq!(a["engagement"]["people"][0]["contact_id"], id, "{a}");
    assert_eq!((a["engagement"]["engaged"].as_u64(), a["priority"].as_str()), (Some(1), Some("B2")), "{a}");
    app.get("/api/v1/companies/no-such-id/scores").await.error(404, "not_found", None);
}

/// Two engines on one store (as two servers on one database): a form makes a subscriber a lead,
/// pricing visits make a good fit an MQL, each move applied once, with its cause and its entry
/// on the timeline.
pub async fn the_engine_moves_contacts_event_by_event(app: &App) {
    use leadline_server::engine::{Engine, LEASE};
    let c = app
        .post(
            "/api/v1/contacts",
            json!({"first_name": "Ola", "job_title": "Head of Operations", "emails": ["ola@firma.pl"], "country": "PL", "lifecycle_stage": "subscriber"}),
        )
        .await
        .json();
    let id = c["id"].as_str().unwrap().to_owned();
    let (a, b) = (Engine::new("server-a"), Engine::new("server-b"));
    let store = app.state.store.as_ref();
    let now = leadline_server::now();
    a.step(store, now).await.unwrap();
    app.post("/api/v1/activities", json!({"type": "form_submission", "contact_id": id})).await;
    // The engine's clock from here on is after the events (a rule does not see the future).
    let now = leadline_server::now();
    assert_eq!(b.step(store, now + 1).await.unwrap(), 0, "a holds the lease");
    assert!(a.step(store, now + 2).await.unwrap() > 0);
    assert_eq!(app.get(&format!("/api/v1/contacts/{id}")).await.json()["lifecycle_stage"], "lead");
    let visit = json!({"type": "page_view", "contact_id": id, "properties": {"url": "https://firma.example/pricing"}});
    app.post("/api/v1/activities", json!([visit.clone(), visit])).await;
    // a stopped: b takes over once the lease runs out, from where a committed.
    let later = now + LEASE + 10;
    assert!(b.step(store, later).await.unwrap() > 0);
    assert_eq!(a.step(store, later + 1).await.unwrap(), 0, "b holds it now");
    let contact = app.get(&format!("/api/v1/contacts/{id}")).await.json();
    assert_eq!(contact["lifecycle_stage"], "mql", "{contact}");
    let history = app.get(&format!("/api/v1/contacts/{id}/history")).await.json();
    let moves: Vec<&Value> = history.as_array().unwrap().iter().filter(|h| h["cause"] == "rule").collect();
    assert_eq!(moves.len(), 2, "{history}");
    let timeline = app.get(&format!("/api/v1/contacts/{id}/timeline?type=stage_changed")).await.json();
    assert_eq!(timeline["items"].as_array().unwrap().len(), 2, "once each: {timeline}");
    // Nothing new: nothing more is decided.
    let own = app.get(&format!("/api/v1/contacts/{id}/timeline?type=score_changed")).await.json();
    assert_eq!(own["items"][0]["properties"]["to"], "2", "engagement's new category is an event: {own}");
    assert_eq!(
        b.step(store, later + 2).await.unwrap(),
        3,
        "b reads back its own timeline entries (the stage and the engagement category) and the mark its stage change left, and decides nothing"
    );
    assert_eq!(b.step(store, later + 3).await.unwrap(), 0);
}

/// A gap in the log (an activity whose transaction has not committed yet, or one deleted) holds
/// the engine back until the event after it has settled, then is passed over.
pub async fn the_engine_waits_at_a_gap_in_the_log(app: &App) {
    use leadline_server::engine::{Engine, SETTLE};
    let c = app.post("/api/v1/contacts", json!({"first_name": "Gap"})).await.json();
    let id = c["id"].as_str().unwrap();
    let engine = Engine::new("only");
    let store = app.state.store.as_ref();
    assert_eq!(engine.step(store, leadline_server::now()).await.unwrap(), 1, "the new contact's mark");
    let note = |n: u32| json!({"type": "page_view", "contact_id": id, "properties": {"n": n}});
    let stored = app.post("/api/v1/activities", json!([note(1), note(2), note(3)])).await.json();
    let second = stored[1]["activity"]["id"].as_str().unwrap();
    app.delete(&format!("/api/v1/activities/{second}")).await;
    let now = leadline_server::now();
    let log = app.get("/api/v1/activities?after=0").await.json();
    assert_eq!(engine.step(store, now).await.unwrap(), 1, "up to the gap (a first scoring writes no entry): {log}");
    assert_eq!(engine.step(store, now + 1).await.unwrap(), 0, "waiting at it");
    assert_eq!(engine.step(store, now + SETTLE + 1_000).await.unwrap(), 1, "passed over once settled");
}

/// A segment is filled by a rescan of every contact, then kept as events come; its members,
/// count and the timeline say so, and a condition that does not read is refused where it fails.
pub async fn segments_are_kept_by_the_engine(app: &App) {
    use leadline_server::engine::Engine;
    let engine = Engine::new("only");
    let store = app.state.store.as_ref();
    let visit =
        |id: &str| json!({"type": "page_view", "contact_id": id, "properties": {"url": "https://x.example/pricing"}});
    let mut ids = Vec::new();
    for n in 0..3 {
        let c = app
            .post(
                "/api/v1/contacts",
                json!({"first_name": format!("P{n}"), "country": if n < 2 { "PL" } else { "IT" }}),
            )
            .await
            .json();
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    app.post("/api/v1/activities", json!([visit(&ids[0]), visit(&ids[0])])).await;
    let settle = async |at: i64| {
        let mut n = 0;
        while engine.step(store, at + n).await.unwrap() > 0 && n < 50 {
            n += 1;
        }
    };
    let now = leadline_server::now();
    settle(now).await;
    let r = app
        .post("/api/v1/segments", json!({"name": "Pricing, Poland", "condition": "country = 'PL' and count(page_view where url contains '/pricing', last 14 days) >= 2"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let seg = r.json();
    let sid = seg["id"].as_str().unwrap().to_owned();
    assert_eq!(
        seg["condition"],
        "country = \"PL\" and count(page_view where url contains \"/pricing\", last 14 days) >= 2"
    );
    settle(now + 100).await;
    assert_eq!(
        app.get(&format!("/api/v1/segments/{sid}")).await.json()["count"],
        1,
        "the rescan found the one who qualifies"
    );
    // An event: the second Polish contact qualifies at once; the Italian one never does.
    app.post("/api/v1/activities", json!([visit(&ids[1]), visit(&ids[1]), visit(&ids[2]), visit(&ids[2])])).await;
    settle(now + 200).await;
    let members = app.get(&format!("/api/v1/segments/{sid}/members?limit=1")).await.json();
    assert_eq!(members["items"].as_array().unwrap().len(), 1);
    let rest = app
        .get(&format!("/api/v1/segments/{sid}/members?cursor={}", members["next_cursor"].as_str().unwrap()))
        .await
        .json();
    let mut found: Vec<String> = [&members, &rest]
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()))
        .collect();
    found.sort();
    let mut expected = vec![ids[0].clone(), ids[1].clone()];
    expected.sort();
    assert_eq!(found, expected);
    // The same condition counted ad hoc, as a preview does, agrees with the kept membership;
    // so does one that reads the engine's scores.
    let preview = app
        .post("/api/v1/conditions/count", json!({"condition": "country = 'PL' and count(page_view where url contains '/pricing', last 14 days) >= 2"}))
        .await
        .json();
    // Only the two Polish contacts are read: the store picks them by their country.
    assert_eq!((preview["count"].as_u64(), preview["scanned"].as_u64()), (Some(2), Some(2)), "{preview}");
    let mut sample: Vec<String> =
        preview["sample"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    sample.sort();
    assert_eq!(sample, expected);
    let engaged = app.post("/api/v1/conditions/count", json!({"condition": "engagement > 0"})).await.json();
    assert_eq!(engaged["count"], 3, "each visited: {engaged}");
    app.post("/api/v1/conditions/count", json!({"condition": "count(page_view) > 1"})).await.error(
        422,
        "invalid_condition",
        Some("condition"),
    );
    let entered = app.get(&format!("/api/v1/contacts/{}/timeline?type=segment_entered", ids[1])).await.json();
    assert_eq!(entered["items"][0]["properties"]["segment"], sid.as_str(), "{entered}");
    // One moves to Italy and leaves: the segment's history counts both ways, by day.
    app.patch(&format!("/api/v1/contacts/{}", ids[1]), json!({"country": "IT"})).await;
    settle(now + 300).await;
    let h = app.get(&format!("/api/v1/segments/{sid}/history?days=7")).await.json();
    assert_eq!((h["entered"].as_i64(), h["left"].as_i64(), h["count"].as_i64()), (Some(2), Some(1), Some(1)), "{h}");
    assert_eq!(h["days"].as_array().unwrap().len(), 1, "all today: {h}");
    app.get(&format!("/api/v1/segments/{sid}/history?days=0")).await.error(422, "invalid_days", Some("days"));
    assert_eq!(app.get("/api/v1/segments").await.json().as_array().unwrap().len(), 1);
    // Refused where it fails, with nothing stored.
    let bad = app.post("/api/v1/segments", json!({"name": "x", "condition": "count(page_view) > 1"})).await;
    bad.error(422, "invalid_condition", Some("condition"));
    assert!(bad.json()["message"].as_str().unwrap().contains("needs a window"));
    app.post("/api/v1/segments", json!({"name": "x", "condition": "country = "})).await.error(
        422,
        "invalid_condition",
        Some("condition"),
    );
    assert_eq!(app.get("/api/v1/segments").await.json().as_array().unwrap().len(), 1);
    assert_eq!(app.delete(&format!("/api/v1/segments/{sid}")).await.status, StatusCode::NO_CONTENT);
    app.get(&format!("/api/v1/segments/{sid}")).await.error(404, "not_found", None);
}

/// A change to a contact's fields, its company or its deals reaches the engine without any
/// activity (the store marks the contact in the same transaction); the engine's scores are in
/// the contact's JSON, and lists filter and sort on them.
pub async fn field_changes_reach_the_engine_and_lists_sort_by_score(app: &App) {
    use leadline_server::engine::Engine;
    let engine = Engine::new("only");
    let store = app.state.store.as_ref();
    let settle = async |at: i64| {
        let mut n = 0;
        while engine.step(store, at + n).await.unwrap() > 0 && n < 50 {
            n += 1;
        }
    };
    let co = app.post("/api/v1/companies", json!({"name": "Kraków Robotics", "employee_count": 20})).await.json();
    let strong = app
        .post(
            "/api/v1/contacts",
            json!({"first_name": "Ewa", "job_title": "VP Sales", "emails": ["ewa@krakow-robotics.pl"], "country": "PL", "company_id": co["id"], "lifecycle_stage": "lead"}),
        )
        .await
        .json();
    let weak = app.post("/api/v1/contacts", json!({"first_name": "Jan", "emails": ["jan@gmail.com"]})).await.json();
    let (sid, wid) = (strong["id"].as_str().unwrap(), weak["id"].as_str().unwrap());
    let now = leadline_server::now();
    settle(now).await;
    let fit = |c: &Value| c["scores"]["fit"].as_f64().unwrap_or(f64::NAN);
    let before = app.get(&format!("/api/v1/contacts/{sid}")).await.json();
    assert!(fit(&before) > fit(&app.get(&format!("/api/v1/contacts/{wid}")).await.json()), "{before}");
    assert!(before["score_categories"]["fit"].is_string(), "{before}");
    // The company grows: its contacts' fit follows, with no activity in between.
    app.patch(&format!("/api/v1/companies/{}", co["id"].as_str().unwrap()), json!({"employee_count": 900})).await;
    settle(now + 100).await;
    let after = app.get(&format!("/api/v1/contacts/{sid}")).await.json();
    assert!(fit(&after) > fit(&before), "{before} -> {after}");
    // A sales user accepts the lead: the lifecycle rule makes it an SQL.
    app.patch(&format!("/api/v1/contacts/{sid}"), json!({"lead_status": "qualified"})).await;
    settle(now + 200).await;
    assert_eq!(app.get(&format!("/api/v1/contacts/{sid}")).await.json()["lifecycle_stage"], "sql");
    // Lists: by score, both ways, and filtered.
    let ids = |v: Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(ids(app.get("/api/v1/contacts?sort=-score.fit").await.json()), [sid, wid]);
    assert_eq!(ids(app.get("/api/v1/contacts?sort=score.fit&limit=1").await.json()), [wid]);
    let rounded = fit(&after).round() as i64;
    assert_eq!(ids(app.get(&format!("/api/v1/contacts?score.fit[gte]={rounded}")).await.json()), [sid]);
    let paged = app.get("/api/v1/contacts?sort=-score.fit&limit=1").await.json();
    let next = paged["next_cursor"].as_str().unwrap();
    assert_eq!(ids(app.get(&format!("/api/v1/contacts?sort=-score.fit&limit=1&cursor={next}")).await.json()), [wid]);
    app.get("/api/v1/contacts?score.fit[gte]=high").await.error(422, "invalid_number", Some("score.fit"));
    app.get("/api/v1/contacts?sort=score.Fit;drop").await.error(422, "invalid_score_model", Some("score"));
    app.get("/api/v1/contacts?score.fit[prefix]=1").await.error(422, "invalid_filter", Some("score.fit"));
}

/// Routing end to end: the rules tried in order (account owner, territory, round robin), each
/// lead given once when the engine makes it an MQL, its reason and SLA in the rep's queue, the
/// first touch counted, and bad settings refused where they are wrong.
pub async fn leads_are_routed_into_work_queues(app: &App) {
    use leadline_server::engine::Engine;
    let engine = Engine::new("only");
    let store = app.state.store.as_ref();
    let settle = async || {
        let mut n = 0;
        while engine.step(store, leadline_server::now()).await.unwrap() > 0 && n < 50 {
            n += 1;
        }
    };
    let mut reps = Vec::new();
    for name in ["ala", "bartek", "celina"] {
        let token = app.user(&format!("{name}@firma.pl"), Role::Sales, TokenScope::Write).await;
        let me = app.call(&token, Method::GET, "/api/v1/auth/me", None).await.json();
        reps.push((me["user"]["id"].as_str().unwrap().to_owned(), token));
    }
    let id = |i: usize| reps[i].0.clone();
    for (i, team) in [(0, "sales"), (1, "sales"), (2, "cee")] {
        let r = app
            .call(&app.admin, Method::PUT, &format!("/api/v1/routing/members/{}", id(i)), Some(json!({"team": team})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let rules = json!({"rules": [{"kind": "account_owner"}, {"kind": "territory", "countries": ["pl", "CZ"], "team": "cee"}, {"kind": "round_robin", "team": "sales"}], "sla_minutes": 120});
    let set = app.call(&app.admin, Method::PUT, "/api/v1/routing", Some(rules)).await;
    assert_eq!(set.json()["rules"][1]["countries"], json!(["PL", "CZ"]), "{}", set.text);
    // Bad settings: refused where they are wrong, and the rules stay as they were.
    let bad = json!({"rules": [{"kind": "territory", "countries": ["XX"], "team": "cee"}], "sla_minutes": 60});
    app.call(&app.admin, Method::PUT, "/api/v1/routing", Some(bad)).await.error(
        422,
        "invalid_routing",
        Some("rules[0].countries"),
    );
    let unknown = json!({"rules": [{"kind": "lottery"}], "sla_minutes": 60});
    assert_eq!(
        app.call(&app.admin, Method::PUT, "/api/v1/routing", Some(unknown)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    app.call(&reps[0].1, Method::PUT, "/api/v1/routing", Some(json!({"rules": [], "sla_minutes": 5}))).await.error(
        403,
        "forbidden",
        None,
    );
    app.call(&app.admin, Method::PUT, "/api/v1/routing/members/nobody", Some(json!({"team": "sales"}))).await.error(
        404,
        "not_found",
        None,
    );
    assert_eq!(app.get("/api/v1/routing").await.json()["sla_minutes"], 120);

    let account = app
        .post("/api/v1/companies", json!({"name": "Nord Freight", "employee_count": 400, "owner_id": id(1)}))
        .await
        .json();
    let lead = |name: &str, country: &str, company: Option<&Value>| {
        let mut body = json!({"first_name": name, "job_title": "Head of Logistics", "emails": [format!("{name}@nord-freight.example")], "country": country, "lifecycle_stage": "subscriber"});
        if let Some(co) = company {
            body["company_id"] = co["id"].clone();
        }
        body
    };
    let mut contacts = Vec::new();
    for body in [
        lead("piotr", "PL", None),
        lead("giulia", "IT", None),
        lead("marco", "IT", None),
        lead("sven", "SE", Some(&account)),
    ] {
        contacts.push(app.post("/api/v1/contacts", body).await.json()["id"].as_str().unwrap().to_owned());
    }
    // No company size for the unaffiliated: give them one through a company each.
    for c in &contacts[..3] {
        let co = app.post("/api/v1/companies", json!({"name": format!("Co {c}"), "employee_count": 400})).await.json();
        app.patch(&format!("/api/v1/contacts/{c}"), json!({"company_id": co["id"]})).await;
    }
    for c in &contacts {
        let visit = json!({"type": "page_view", "contact_id": c, "properties": {"url": "https://x.example/pricing"}});
        app.post("/api/v1/activities", json!([{"type": "form_submission", "contact_id": c}, visit.clone(), visit]))
            .await;
    }
    settle().await;
    let owner = async |c: &str| app.get(&format!("/api/v1/contacts/{c}")).await.json()["owner_id"].clone();
    for c in &contacts {
        let got = app.get(&format!("/api/v1/contacts/{c}")).await.json();
        assert_eq!(got["lifecycle_stage"], "mql", "{got}");
    }
    assert_eq!(owner(&contacts[0]).await, id(2), "territory PL goes to cee");
    assert_eq!(owner(&contacts[3]).await, id(1), "the account's owner");
    let (a, b) = (owner(&contacts[1]).await, owner(&contacts[2]).await);
    assert_ne!(a, b, "the round robin takes turns");
    assert!(
        [id(0), id(1)].contains(&a.as_str().unwrap().to_owned())
            && [id(0), id(1)].contains(&b.as_str().unwrap().to_owned())
    );
    let assigned = app.get(&format!("/api/v1/contacts/{}/timeline?type=lead_assigned", contacts[0])).await.json();
    assert_eq!(assigned["items"].as_array().unwrap().len(), 1, "{assigned}");
    assert_eq!(assigned["items"][0]["properties"]["reason"], "territory:PL:cee");

    // Celina's queue: her lead, why it is there, and when the first touch is due.
    let queue = app.call(&reps[2].1, Method::GET, "/api/v1/queue", None).await.json();
    assert_eq!((queue["total"].as_u64(), queue["breached"].as_u64()), (Some(1), Some(0)), "{queue}");
    let item = &queue["items"][0];
    assert_eq!(
        (item["contact"]["id"].as_str(), item["reason"].as_str()),
        (Some(contacts[0].as_str()), Some("territory:PL:cee"))
    );
    assert!(item["priority"].as_str().is_some_and(|p| p.len() == 2), "{item}");
    assert!(item["sla_due_at"].is_string() && item["first_touch_at"].is_null(), "{item}");
    // A call is the first touch.
    app.call(&reps[2].1, Method::POST, "/api/v1/activities", Some(json!({"type": "call", "contact_id": contacts[0]})))
        .await;
    let queue = app.call(&reps[2].1, Method::GET, "/api/v1/queue", None).await.json();
    assert!(queue["items"][0]["first_touch_at"].is_string(), "{queue}");
    let sla = app.get("/api/v1/routing/sla").await.json();
    let celina = sla.as_array().unwrap().iter().find(|r| r["owner_id"] == id(2).as_str()).unwrap();
    assert_eq!(
        (celina["assigned"].as_u64(), celina["touched_in_time"].as_u64(), celina["breached"].as_u64()),
        (Some(1), Some(1), Some(0))
    );
    // The sales team's queue holds both round-robin leads; disqualified leads leave it.
    let team = app.get("/api/v1/queue?team=sales").await.json();
    assert_eq!(team["total"], 3, "two by turn and the account's: {team}");
    app.patch(
        &format!("/api/v1/contacts/{}", contacts[3]),
        json!({"lead_status": "disqualified", "disqualification_reason": "no_budget"}),
    )
    .await;
    assert_eq!(app.get("/api/v1/queue?team=sales").await.json()["total"], 2);
    let members = app.get("/api/v1/routing/members").await.json();
    let open: u64 = members.as_array().unwrap().iter().map(|m| m["open"].as_u64().unwrap()).sum();
    assert_eq!(open, 3, "{members}");
    app.get("/api/v1/queue?team=nobody").await.error(422, "unknown_team", Some("team"));
    app.get("/api/v1/queue?sla=late").await.error(422, "invalid_filter", Some("sla"));
}

/// Static lists: people add and remove contacts (each on the timeline), the engine leaves them
/// alone, a dynamic segment refuses members, and either kind filters the contact list and its
/// CSV export.
pub async fn static_lists_are_kept_by_people(app: &App) {
    let list = app.post("/api/v1/segments", json!({"name": "Webinar guests", "kind": "static"})).await;
    assert_eq!(list.status, StatusCode::CREATED, "{}", list.text);
    let list = list.json();
    assert_eq!(
        (list["kind"].as_str(), list["condition"].is_null(), list["count"].as_i64()),
        (Some("static"), true, Some(0))
    );
    let lid = list["id"].as_str().unwrap();
    let mut ids = Vec::new();
    for name in ["Maryam", "Tomasz", "Chiara"] {
        ids.push(
            app.post("/api/v1/contacts", json!({"first_name": name})).await.json()["id"].as_str().unwrap().to_owned(),
        );
    }
    let added = app
        .post(&format!("/api/v1/segments/{lid}/members"), json!({"contact_ids": [ids[0], ids[1], ids[0]]}))
        .await
        .json();
    assert_eq!((added["added"].as_u64(), added["count"].as_i64()), (Some(2), Some(2)), "{added}");
    let again = app.post(&format!("/api/v1/segments/{lid}/members"), json!({"contact_ids": [ids[1]]})).await.json();
    assert_eq!(again["added"], 0, "already on it");
    // The engine rescans and decides everyone: the list stays as people made it.
    let engine = leadline_server::engine::Engine::new("only");
    for n in 0..5 {
        engine.step(app.state.store.as_ref(), leadline_server::now() + n).await.unwrap();
    }
    assert_eq!(app.get(&format!("/api/v1/segments/{lid}")).await.json()["count"], 2);
    let listed = app.get(&format!("/api/v1/contacts?segment={lid}&count=true")).await.json();
    assert_eq!(listed["total"], 2, "{listed}");
    let csv = app.get(&format!("/api/v1/exports/contacts.csv?segment={lid}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.text.contains("Maryam") && csv.text.contains("Tomasz") && !csv.text.contains("Chiara"), "{}", csv.text);
    assert_eq!(app.delete(&format!("/api/v1/segments/{lid}/members/{}", ids[0])).await.status, StatusCode::NO_CONTENT);
    let left = app.get(&format!("/api/v1/contacts/{}/timeline?type=segment_left", ids[0])).await.json();
    assert_eq!(left["items"][0]["properties"]["segment"], lid, "{left}");
    app.delete(&format!("/api/v1/segments/{lid}/members/{}", ids[0])).await.error(404, "not_found", None);
    // Refusals, with nothing changed.
    app.post(&format!("/api/v1/segments/{lid}/members"), json!({"contact_ids": ["no-such-contact"]})).await.error(
        422,
        "unknown_reference",
        Some("contact_ids"),
    );
    let dynamic =
        app.post("/api/v1/segments", json!({"name": "Italians", "condition": "country = \"IT\""})).await.json();
    app.post(
        &format!("/api/v1/segments/{}/members", dynamic["id"].as_str().unwrap()),
        json!({"contact_ids": [ids[2]]}),
    )
    .await
    .error(409, "dynamic_segment", None);
    app.post("/api/v1/segments", json!({"name": "x", "kind": "static", "condition": "country = \"IT\""})).await.error(
        422,
        "invalid_condition",
        Some("condition"),
    );
    app.post("/api/v1/segments", json!({"name": "x"})).await.error(422, "required", Some("condition"));
    app.post("/api/v1/segments", json!({"name": "x", "kind": "smart"})).await.error(422, "invalid_kind", Some("kind"));
    assert_eq!(app.get(&format!("/api/v1/segments/{lid}")).await.json()["count"], 1);
}

/// An ad-hoc count picks candidates in the store (codes and score ranges) and decides the rest
/// exactly: for each condition it agrees with deciding every contact, one by one.
pub async fn ad_hoc_counts_agree_with_deciding_everyone(app: &App) {
    use leadline_core::condition::eval::eval;
    use leadline_server::scores::{count_matching, ContactFacts};
    let store = app.state.store.as_ref();
    const SCORES: &[&str] = &["fit", "engagement", "product"];
    let titles = ["CEO", "Intern", "Head of Sales", "VP Marketing"];
    for (i, country) in ["PL", "IT", "PL", "GB", "IR", "PL"].iter().enumerate() {
        let c = app
            .post(
                "/api/v1/contacts",
                json!({"first_name": format!("C{i}"), "country": country, "job_title": titles[i % 4], "lifecycle_stage": if i % 2 == 0 { "lead" } else { "mql" }}),
            )
            .await
            .json();
        let visit =
            json!({"type": "page_view", "contact_id": c["id"], "properties": {"url": "https://x.example/pricing"}});
        app.post("/api/v1/activities", json!(vec![visit; i])).await;
    }
    let engine = leadline_server::engine::Engine::new("only");
    for _ in 0..10 {
        engine.step(store, leadline_server::now()).await.unwrap();
    }
    let now = leadline_server::now();
    let everyone = ContactFacts::load_many(store, leadline_store::Contacts::After("", 1_000), now, None).await.unwrap();
    let mut partial = 0;
    for text in [
        "country = \"pl\"",
        "country = \"Poland\" or fit > 10",
        "fit >= 20.5 and country = \"PL\"",
        "fit < 30 and lifecycle_stage = \"MQL\"",
        "engagement > 5 and count(page_view where url contains \"/pricing\", last 30 days) >= 2",
        "lead_status = \"new\" and fit <= 0",
        "not country = \"PL\" and engagement >= 0",
    ] {
        let expr = leadline_core::condition::parse(text).unwrap();
        let brute = everyone.iter().filter(|f| eval(&expr, *f, now)).count() as u64;
        let counted = count_matching(store, &expr, SCORES, now, 0).await.unwrap();
        assert_eq!(counted.count, brute, "{text}: prefilters {:?}", leadline_server::scores::prefilters(&expr, SCORES));
        partial += usize::from(brute > 0 && brute < everyone.len() as u64);
    }
    assert!(partial >= 4, "the conditions tell contacts apart: {partial}");
}

/// An event stored after the engine's step read its clock (by another server, or while the
/// step started) still counts: the step decides as of the latest event it reads.
pub async fn an_event_stored_after_the_steps_clock_still_counts(app: &App) {
    let c = app.post("/api/v1/contacts", json!({"first_name": "Late", "lifecycle_stage": "subscriber"})).await.json();
    let id = c["id"].as_str().unwrap();
    let engine = leadline_server::engine::Engine::new("only");
    let store = app.state.store.as_ref();
    let before = leadline_server::now() - 60_000;
    engine.step(store, before).await.unwrap();
    app.post("/api/v1/activities", json!({"type": "form_submission", "contact_id": id})).await;
    // A clock a minute behind the event's.
    assert!(engine.step(store, before + 1).await.unwrap() > 0);
    assert_eq!(app.get(&format!("/api/v1/contacts/{id}")).await.json()["lifecycle_stage"], "lead");
}

/// Score models and lifecycle rules are changed through the API: a preview counts what a change
/// would do before anything changes, bad rules are refused where they are wrong with nothing
/// applied, and an apply keeps a version and has the engine decide every contact again, which
/// its job follows to the end.
pub async fn rules_are_previewed_applied_and_versioned(app: &App) {
    use leadline_server::engine::Engine;
    let engine = Engine::new("only");
    let store = app.state.store.as_ref();
    let settle = async || {
        let now = leadline_server::now();
        let mut n = 0;
        while engine.step(store, now + n).await.unwrap() > 0 && n < 50 {
            n += 1;
        }
    };
    let shipped = app.get("/api/v1/rules").await.json();
    assert_eq!(shipped["version"], Value::Null, "{shipped}");
    assert_eq!(shipped["models"].as_array().unwrap().len(), 4, "fit, engagement, product and health");
    assert_eq!(shipped["lifecycle"].as_array().unwrap().len(), 6);
    // Fit 25 (a work address and a target country: C), engagement 30 (two forms: 2): a lead.
    let c = app
        .post(
            "/api/v1/contacts",
            json!({"first_name": "Ola", "job_title": "Engineer", "emails": ["ola@fabryka.pl"], "country": "PL"}),
        )
        .await
        .json();
    let id = c["id"].as_str().unwrap().to_owned();
    let form = json!({"type": "form_submission", "contact_id": id});
    app.post("/api/v1/activities", json!([form, form])).await;
    settle().await;
    let stage = |c: &Value| c["lifecycle_stage"].as_str().map(str::to_owned);
    assert_eq!(stage(&app.get(&format!("/api/v1/contacts/{id}")).await.json()).as_deref(), Some("lead"));

    // The target country worth 30 instead of 10: fit 45, B, and the lead an MQL.
    let mut proposed = shipped.clone();
    let body = proposed.as_object_mut().unwrap();
    body.remove("version");
    let country =
        body["models"][0]["rules"].as_array_mut().unwrap().iter_mut().find(|r| r["name"] == "Target country").unwrap();
    country["points"] = json!(30);
    let r = app.post("/api/v1/rules/preview", proposed.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let p = r.json();
    assert_eq!(p["sample"], 1, "{p}");
    let fit = &p["models"][0];
    assert_eq!((fit["model"].as_str(), fit["scores_changed"].as_u64()), (Some("fit"), Some(1)), "{p}");
    assert_eq!(fit["categories"], json!([{"from": "C", "to": "B", "count": 1}]), "{p}");
    assert_eq!(p["stages"], json!([{"from": "lead", "to": "mql", "count": 1}]), "{p}");
    assert_eq!(p["movers"][0], json!({"contact_id": id, "model": "fit", "from": 25.0, "to": 45.0}), "{p}");
    assert_eq!(
        stage(&app.get(&format!("/api/v1/contacts/{id}")).await.json()).as_deref(),
        Some("lead"),
        "a preview changes nothing"
    );

    // Bad rules: each refused where it is wrong, and nothing applied.
    let refused = |f: &dyn Fn(&mut Value), field: &str| {
        let mut bad = proposed.clone();
        f(&mut bad);
        (bad, field.to_owned())
    };
    let cases = [
        refused(
            &|b| b["models"][1]["rules"][0].as_object_mut().unwrap().remove("window_days").map(drop).unwrap(),
            "models[1].rules[0].window_days",
        ),
        refused(&|b| b["models"][0]["rules"][0]["when"] = json!("shoe_size > 40"), "models[0].rules[0].when"),
        refused(&|b| b["models"][0]["rules"][0]["when"] = json!("job_title contains"), "models[0].rules[0].when"),
        refused(&|b| b["models"][0]["rules"] = json!(vec![b["models"][0]["rules"][0].clone(); 201]), "models[0].rules"),
        refused(&|b| b["models"].as_array_mut().unwrap().remove(0).as_null().unwrap_or(()), "models"),
        refused(&|b| b["lifecycle"][0]["stage"] = json!("other"), "lifecycle[0].stage"),
        refused(&|b| b["models"][0]["thresholds"][0]["min"] = json!(10), "models[0].thresholds[1].min"),
        refused(&|b| b["lifecycle"][1]["condition"] = json!("x".repeat(20_000)), "lifecycle[1].condition"),
    ];
    for (bad, field) in cases {
        let r = app.post("/api/v1/rules/preview", bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", r.text);
        assert_eq!(r.json()["field"], field.as_str(), "{}", r.text);
        let r = app.call(&app.admin, Method::PUT, "/api/v1/rules", Some(bad)).await;
        assert_eq!(r.json()["field"], field.as_str(), "{}", r.text);
    }
    let mut huge = proposed.clone();
    huge["models"][0]["rules"] = json!(vec![huge["models"][0]["rules"][0].clone(); 10_000]);
    let r = app.call(&app.admin, Method::PUT, "/api/v1/rules", Some(huge)).await;
    assert!(r.status == StatusCode::PAYLOAD_TOO_LARGE || r.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(app.get("/api/v1/rules").await.json()["version"], Value::Null, "nothing applied");
    let sales = app.user("sales@rules.example", Role::Sales, TokenScope::Write).await;
    assert_eq!(
        app.call(&sales, Method::PUT, "/api/v1/rules", Some(proposed.clone())).await.status,
        StatusCode::FORBIDDEN
    );

    // Applied: version 1, and a job that ends once every contact is decided again.
    proposed["note"] = json!("Poland matters more");
    let r = app.call(&app.admin, Method::PUT, "/api/v1/rules", Some(proposed)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let applied = r.json();
    assert_eq!(
        (applied["version"]["version"].as_i64(), applied["version"]["note"].as_str()),
        (Some(1), Some("Poland matters more"))
    );
    let job = applied["job_id"].as_str().unwrap().to_owned();
    settle().await;
    let mut done = Value::Null;
    for _ in 0..100 {
        done = app.get(&format!("/api/v1/jobs/{job}")).await.json();
        if done["status"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        (done["kind"].as_str(), done["status"].as_str(), done["processed"].as_i64()),
        (Some("apply_rules"), Some("done"), Some(1)),
        "{done}"
    );
    let c = app.get(&format!("/api/v1/contacts/{id}")).await.json();
    assert_eq!((stage(&c).as_deref(), c["scores"]["fit"].as_f64()), (Some("mql"), Some(45.0)), "{c}");
    assert_eq!(app.get(&format!("/api/v1/contacts/{id}/scores")).await.json()["models"][0]["score"], 45.0);

    // Versions kept; the shipped rules' version restored as the next one, the MQL kept (forward only).
    let versions = app.get("/api/v1/rules/versions").await.json();
    assert_eq!(versions.as_array().unwrap().len(), 1, "{versions}");
    let mut shipped_again = shipped.clone();
    shipped_again.as_object_mut().unwrap().remove("version");
    app.call(&app.admin, Method::PUT, "/api/v1/rules", Some(shipped_again)).await;
    let r = app.post("/api/v1/rules/versions/1/restore", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (r.json()["version"]["version"].as_i64(), r.json()["version"]["note"].as_str()),
        (Some(3), Some("restored version 1"))
    );
    let v2 = app.get("/api/v1/rules/versions/2").await.json();
    assert_eq!(v2["models"], shipped["models"], "a version reads back as it was kept");
    app.get("/api/v1/rules/versions/99").await.error(404, "not_found", None);
    settle().await;
    assert_eq!(stage(&app.get(&format!("/api/v1/contacts/{id}")).await.json()).as_deref(), Some("mql"));
}

/// What the engine records is published on NATS (the CI machine's JetStream) through the
/// activity log: every event once, in order, on its subject; sent again after a crash (sent,
/// not yet recorded as sent) it is dropped as a duplicate; a second server takes over when the
/// first stops. Skipped where LEADLINE_TEST_NATS_URL is not set.
pub async fn events_are_published_once_on_nats(app: &App) {
    use leadline_server::events::{stream_name, Bus, Publisher, NAME};
    let Ok(url) = std::env::var("LEADLINE_TEST_NATS_URL") else {
        eprintln!("skipped: LEADLINE_TEST_NATS_URL is not set");
        return;
    };
    let prefix = format!("lltest_{}", uuid_like().replace('-', "_"));
    let bus = Bus { url: url.clone(), prefix: prefix.clone() };
    let store = app.state.store.as_ref();
    let engine = leadline_server::engine::Engine::new("only");
    let c = app
        .post(
            "/api/v1/contacts",
            json!({"first_name": "Nina", "job_title": "CEO", "emails": ["nina@stal.pl"], "country": "PL"}),
        )
        .await
        .json();
    let id = c["id"].as_str().unwrap().to_owned();
    // Two forms: engagement 30 and fit 45 make the lead an MQL.
    let form = json!({"type": "form_submission", "contact_id": id});
    app.post("/api/v1/activities", json!([form, form])).await;
    let now = leadline_server::now();
    for n in 0..10 {
        engine.step(store, now + n).await.unwrap();
    }
    let a = Publisher::connect(&bus, "server-a").await.unwrap();
    let b = Publisher::connect(&bus, "server-b").await.unwrap();
    let mut sent = 0;
    while let n @ 1.. = a.step(store, now).await.unwrap() {
        sent += n;
    }
    let log = app.get(&format!("/api/v1/contacts/{id}/timeline")).await.json();
    let log = log["items"].as_array().or(log.as_array()).cloned().unwrap_or_default();
    assert!(sent >= 2 && sent >= log.len(), "sent {sent}, the contact's timeline {log:?}");

    let js = async_nats::jetstream::new(async_nats::connect(&url).await.unwrap());
    let read = async || {
        let mut stream = js.get_stream(stream_name(&prefix)).await.unwrap();
        let count = stream.info().await.unwrap().state.messages;
        let mut out = Vec::new();
        for seq in 1..=count {
            let m = stream.get_raw_message(seq).await.unwrap();
            let body: Value = serde_json::from_slice(&m.payload).unwrap();
            out.push((m.subject.to_string(), body));
        }
        out
    };
    let first = read().await;
    assert_eq!(first.len(), sent, "each event once");
    let subjects: Vec<&str> = first.iter().map(|(s, _)| s.as_str()).collect();
    let form = format!("{prefix}.activity.form_submission");
    let stage = format!("{prefix}.stage.changed");
    assert!(subjects.contains(&form.as_str()) && subjects.contains(&stage.as_str()), "{subjects:?}");
    let moved = first.iter().find(|(s, _)| *s == stage).unwrap();
    assert_eq!(
        (moved.1["contact_id"].as_str(), moved.1["properties"]["to"].as_str()),
        (Some(id.as_str()), Some("mql"))
    );
    let seqs: Vec<i64> = first.iter().map(|(_, b)| b["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in the log's order: {seqs:?}");

    // As if server a had sent everything and died before recording it: sent again, dropped.
    assert!(store.cursor_advance(NAME, "server-a", 0, now).await.unwrap());
    while a.step(store, now).await.unwrap() > 0 {}
    assert_eq!(read().await.len(), sent, "duplicates dropped by the stream");

    // Server b waits while a holds the lease, then takes over with what comes next.
    app.post("/api/v1/activities", json!([{"type": "page_view", "contact_id": id, "properties": {"url": "/pricing"}}]))
        .await;
    assert_eq!(b.step(store, now + 1).await.unwrap(), 0, "a holds the lease");
    let later = now + leadline_server::engine::LEASE + 1_000;
    assert_eq!(b.step(store, later).await.unwrap(), 1);
    let all = read().await;
    assert_eq!(all.len(), sent + 1);
    assert_eq!(all.last().unwrap().0, format!("{prefix}.activity.page_view"));
    js.delete_stream(stream_name(&prefix)).await.unwrap();
}
