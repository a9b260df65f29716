//! Tracking: sites, the Segment tracking API, the tracker's reading of what was kept
//! (visitors, stitching, touches), on every backend.

use axum::body::Body;
use axum::http::{header, Method, Request};
use base64::Engine as _;
use leadline_server::tracking::Tracker;
use serde_json::{json, Value};

use crate::{App, Reply};

async fn site(app: &App, origins: Value) -> Value {
    let r = app.post("/api/v1/sites", json!({"name": "Acme website", "allowed_origins": origins})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()
}

/// A tracking API call as a Segment SDK sends it.
async fn send(app: &App, key: &str, path: &str, body: Value, origin: Option<&str>) -> Reply {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Basic {auth}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    app.send(b.body(Body::from(body.to_string())).unwrap()).await
}

/// Let the tracker read everything kept, then the engine decide.
async fn settle(app: &App) {
    let store = app.state.store.as_ref();
    let tracker = Tracker::new("test");
    let later = leadline_server::now() + 60_000;
    while tracker.step(store, later).await.unwrap() > 0 {}
    let engine = leadline_server::engine::Engine::new("test");
    while engine.step(store, later).await.unwrap() > 0 {}
}

pub async fn sites_are_made_with_a_write_key(app: &App) {
    let s = site(app, json!(["https://acme.io/", "http://localhost:8080", "https://acme.io"])).await;
    let key = s["write_key"].as_str().unwrap();
    assert!(key.starts_with("wk_") && key.len() > 30, "{s}");
    assert_eq!(s["allowed_origins"], json!(["https://acme.io", "http://localhost:8080"]));
    assert_eq!(s["honor_dnt"], true);
    let snippet = s["snippet"].as_str().unwrap();
    assert!(snippet.contains("/t.js") && snippet.contains(key), "{snippet}");
    app.post("/api/v1/sites", json!({"name": "x", "allowed_origins": ["acme.io"]})).await.error(
        422,
        "invalid_origin",
        Some("allowed_origins[0]"),
    );
    app.post("/api/v1/sites", json!({"name": "  "})).await.error(422, "required", Some("name"));
    let id = s["id"].as_str().unwrap();
    let r = app.patch(&format!("/api/v1/sites/{id}"), json!({"require_consent": true})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json()["snippet"].as_str().unwrap().contains(r#"data-consent="required""#));
    let list = app.get("/api/v1/sites").await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let marketing =
        app.user("m@test.pl", leadline_core::role::Role::Marketing, leadline_core::role::TokenScope::Write).await;
    let r = app.call(&marketing, Method::POST, "/api/v1/sites", Some(json!({"name": "Mine"}))).await;
    assert_eq!(r.status, 403, "only administrators make write keys: {}", r.text);
    // The script is served, small and plain.
    let r = app.send(Request::get("/t.js").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, 200);
    assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
    assert!(r.text.contains("/v1/batch") && r.text.contains("data-write-key"));
    assert_eq!(app.delete(&format!("/api/v1/sites/{id}")).await.status, 204);
    let r = send(app, key, "/v1/track", json!({"userId": "u1", "event": "Signed Up"}), None).await;
    assert_eq!(r.status, 401, "a deleted site's key is refused: {}", r.text);
}

pub async fn the_segment_api_keeps_good_messages_and_names_bad_ones(app: &App) {
    let s = site(app, json!(["https://acme.io"])).await;
    let key = s["write_key"].as_str().unwrap();
    let r = send(app, key, "/v1/track", json!({"userId": "u1", "event": "Signed Up", "messageId": "m-1"}), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["success"], true);
    // The same message id again is acknowledged and kept once.
    let r = send(app, key, "/v1/track", json!({"userId": "u1", "event": "Signed Up", "messageId": "m-1"}), None).await;
    assert_eq!(r.status, 200);
    // The write key in the body works too (the browser script sends it so).
    let r = app
        .send(
            Request::post("/v1/page")
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from(json!({"writeKey": key, "anonymousId": "a1", "messageId": "m-2"}).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.state.store.inbox_size().await.unwrap().0, 2);

    // Each problem named.
    send(app, "wk_nobody", "/v1/track", json!({"userId": "u", "event": "e"}), None).await.error(
        401,
        "unknown_write_key",
        None,
    );
    let r = app.send(Request::post("/v1/track").body(Body::from(r#"{"userId":"u","event":"e"}"#)).unwrap()).await;
    r.error(401, "missing_write_key", None);
    send(app, key, "/v1/track", json!({"userId": "u"}), None).await.error(422, "missing_event", Some("event"));
    send(app, key, "/v1/page", json!({"properties": {}}), None).await.error(422, "missing_id", Some("userId"));
    send(app, key, "/v1/alias", json!({"userId": "u"}), None).await.error(422, "missing_id", Some("previousId"));
    send(app, key, "/v1/identify", json!({"userId": "u", "timestamp": "yesterday"}), None).await.error(
        422,
        "invalid_time",
        Some("timestamp"),
    );
    send(app, key, "/v1/track", json!({"userId": {"a": 1}, "event": "e"}), None).await.error(
        422,
        "invalid_id",
        Some("userId"),
    );
    let big = "x".repeat(40_000);
    send(app, key, "/v1/track", json!({"userId": "u", "event": "e", "properties": {"big": big}}), None).await.error(
        422,
        "message_too_large",
        Some("message"),
    );
    let huge = "x".repeat(600_000);
    send(app, key, "/v1/track", json!({"userId": "u", "event": huge}), None).await.error(
        413,
        "request_too_large",
        None,
    );
    let r = app
        .send(
            Request::post("/v1/batch")
                .header(
                    header::AUTHORIZATION,
                    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(key)),
                )
                .body(Body::from("{\"batch\": ["))
                .unwrap(),
        )
        .await;
    r.error(400, "malformed_json", None);
    // A browser from another origin is refused; from the site's own it is let in, and told so.
    send(app, key, "/v1/page", json!({"anonymousId": "a"}), Some("https://evil.example")).await.error(
        403,
        "origin_not_allowed",
        None,
    );
    let r = send(app, key, "/v1/page", json!({"anonymousId": "a", "messageId": "m-3"}), Some("https://acme.io")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://acme.io");
    // Leadline's own pages (a hosted landing page with the site's tracker) are let in.
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
    let own = Request::post("/v1/page")
        .header(header::HOST, "leadline.example:8080")
        .header(header::ORIGIN, "https://leadline.example:8080")
        .header(header::AUTHORIZATION, format!("Basic {auth}"))
        .body(Body::from(json!({"anonymousId": "a", "messageId": "m-own"}).to_string()))
        .unwrap();
    assert_eq!(app.send(own).await.status, 200);

    // A batch keeps its good messages and reports the bad ones with their places.
    let r = send(
        app,
        key,
        "/v1/batch",
        json!({"batch": [
            {"type": "track", "userId": "u2", "event": "Trial Started", "messageId": "b-1"},
            {"type": "track", "userId": "u2", "messageId": "b-2"},
            {"type": "launch", "userId": "u2", "messageId": "b-3"},
            {"type": "page", "anonymousId": "a9", "messageId": "b-4"},
        ], "sentAt": "2026-01-01T00:00:00Z"}),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j = r.json();
    assert_eq!(j["accepted"], 2);
    let refused: Vec<(i64, &str)> = j["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["index"].as_i64().unwrap(), x["code"].as_str().unwrap()))
        .collect();
    assert_eq!(refused, vec![(1, "missing_event"), (2, "invalid_type")]);
    let r = send(app, key, "/v1/batch", json!({"batch": [{"type": "track", "userId": "u"}]}), None).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(app.state.store.inbox_size().await.unwrap().0, 6);
    // The site's events as received, for a developer checking their instrumentation.
    let id = s["id"].as_str().unwrap();
    let seen = app.get(&format!("/api/v1/sites/{id}/events?limit=2")).await.json();
    assert_eq!(seen["items"].as_array().unwrap().len(), 2);
    assert_eq!(seen["items"][0]["messageId"], "m-1");
    let rest = app.get(&format!("/api/v1/sites/{id}/events?after={}", seen["next_after"])).await.json();
    assert_eq!(rest["items"].as_array().unwrap().len(), 4, "{rest}");
    assert_eq!(rest["next_after"], Value::Null);

    // A device clock an hour behind: the event is placed by the time between its timestamp
    // and sentAt, 10 s before it was received.
    let now = leadline_server::now();
    let device = |ms: i64| leadline_core::date::rfc3339(ms - 3_600_000);
    let r = send(
        app,
        key,
        "/v1/track",
        json!({"userId": "u3", "event": "Clock", "messageId": "c-1",
               "timestamp": device(now - 10_000), "sentAt": device(now)}),
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    let kept = app.state.store.inbox_after(None, 0, 100).await.unwrap();
    let clock = kept.iter().find(|k| k.row.message_id == "c-1").unwrap();
    let body: Value = serde_json::from_str(&clock.row.body).unwrap();
    let at = leadline_core::date::parse_time("t", body["timestamp"].as_str().unwrap()).unwrap();
    assert!((at - (clock.row.received_at - 10_000)).abs() <= 1, "{body}");
}

pub async fn a_visit_becomes_a_known_attributed_contact(app: &App) {
    let s = site(app, json!(["https://acme.io"])).await;
    let key = s["write_key"].as_str().unwrap();
    let t0 = leadline_server::now() - 3_600_000;
    let at = |min: i64| leadline_core::date::rfc3339(t0 + min * 60_000);
    let page = |id: &str, min: i64, url: &str, referrer: &str| {
        json!({"type": "page", "anonymousId": "anon-1", "messageId": id, "timestamp": at(min),
               "context": {"page": {"url": url, "referrer": referrer, "title": "Acme"}}})
    };
    // An anonymous visitor from a LinkedIn ad, then the pricing page, then a Google search
    // days later, then the form: identified by e-mail.
    let r = send(
        app,
        key,
        "/v1/batch",
        json!({"batch": [
            page("p-1", 0, "https://acme.io/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=spring", "https://www.linkedin.com/"),
            page("p-2", 1, "https://acme.io/pricing", "https://acme.io/"),
        ]}),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    settle(app).await;
    let anonymous =
        app.state.store.activities(&leadline_store::ActivityQuery { limit: 50, ..Default::default() }).await.unwrap();
    let views: Vec<_> = anonymous.iter().filter(|a| a.kind == "page_view").collect();
    assert_eq!(views.len(), 2);
    assert!(views.iter().all(|a| a.contact_id.is_none()), "not known yet");
    let ad = views.iter().find(|a| a.properties["message_id"] == "p-1").unwrap();
    assert_eq!((ad.channel.as_deref(), ad.campaign.as_deref()), (Some("paid_social"), Some("spring")));
    // The analytics engine holds the anonymous visitor as a person of their own for now.
    let views_then_form = json!({"steps": [{"type": "page_view"}, {"type": "form_submission"}],
        "window_seconds": 366 * 86_400, "from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"});
    let funnel = app.post("/api/v1/analytics/funnel", views_then_form.clone()).await.json();
    assert_eq!(
        (funnel["steps"][0]["count"].as_u64(), funnel["steps"][1]["count"].as_u64()),
        (Some(1), Some(0)),
        "{funnel}"
    );

    let r = send(
        app,
        key,
        "/v1/batch",
        json!({"batch": [
            page("p-3", 30, "https://acme.io/blog", "https://www.google.com/"),
            {"type": "track", "anonymousId": "anon-1", "event": "Form Submitted", "messageId": "f-1", "timestamp": at(31),
             "properties": {"form": "demo"}},
            {"type": "identify", "anonymousId": "anon-1", "messageId": "i-1", "timestamp": at(31),
             "traits": {"email": "Ola.Nowak@Example.PL", "firstName": "Ola", "lastName": "Nowak", "title": "CTO", "phone": "not a phone"}},
            page("p-4", 32, "https://acme.io/thanks", "https://acme.io/blog"),
        ]}),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    settle(app).await;
    let found = app.get("/api/v1/contacts?q=ola.nowak@example.pl").await.json();
    let contact = &found["items"][0];
    let id = contact["id"].as_str().unwrap();
    assert_eq!(contact["first_name"], "Ola");
    assert_eq!(contact["job_title"], "CTO", "a bad trait (the phone) does not sink the good ones");
    // Where they came from, set from the touches.
    assert_eq!(contact["original_source"], "paid_social");
    assert_eq!(contact["first_touch_source"], "linkedin");
    assert_eq!(contact["first_touch_campaign"], "spring");
    assert_eq!(contact["latest_source"], "organic_search");
    assert_eq!(contact["latest_touch_source"], "google.com");
    assert_eq!(contact["first_touch_at"].as_str().unwrap(), at(0));
    // Every touch is the contact's now, the anonymous ones too, and the form made them a lead.
    let timeline = app.get(&format!("/api/v1/activities?contact_id={id}&limit=100")).await.json();
    let kinds: Vec<&str> = timeline["items"].as_array().unwrap().iter().map(|a| a["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "page_view").count(), 4, "{kinds:?}");
    assert!(kinds.contains(&"form_submission") && kinds.contains(&"identified"), "{kinds:?}");
    let contact = app.get(&format!("/api/v1/contacts/{id}")).await.json();
    assert_eq!(contact["lifecycle_stage"], "lead", "{contact}");
    let visitors = app.get(&format!("/api/v1/contacts/{id}/visitors")).await.json();
    assert_eq!(visitors.as_array().unwrap().len(), 1);
    // Identified, the visitor's events are the contact's: one person went from views to the form.
    let funnel = app.post("/api/v1/analytics/funnel", views_then_form).await.json();
    assert_eq!(
        (funnel["steps"][0]["count"].as_u64(), funnel["steps"][1]["count"].as_u64()),
        (Some(1), Some(1)),
        "{funnel}"
    );
    assert_eq!(funnel["people_in_memory"], 2, "the visitor and the contact, the visitor with nothing left");
    let page = app.get(&format!("/contacts/{id}")).await;
    assert!(
        page.text.contains("data-source") && page.text.contains("linkedin / paid_social / spring"),
        "{}",
        page.text
    );
    assert_eq!(visitors[0]["first_touch"]["channel"], "paid_social");

    // A second device: a user id and the same e-mail find the same contact.
    let r = send(
        app,
        key,
        "/v1/batch",
        json!({"batch": [
            {"type": "page", "anonymousId": "phone-7", "messageId": "d-1", "timestamp": at(40),
             "context": {"page": {"url": "https://acme.io/", "referrer": ""}}},
            {"type": "identify", "anonymousId": "phone-7", "userId": "user-42", "messageId": "d-2", "timestamp": at(41),
             "traits": {"email": "ola.nowak@example.pl"}},
            {"type": "track", "userId": "user-42", "event": "Order Completed", "messageId": "d-3", "timestamp": at(42),
             "properties": {"revenue": 99.5}},
        ]}),
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    settle(app).await;
    let visitors = app.get(&format!("/api/v1/contacts/{id}/visitors")).await.json();
    assert_eq!(visitors.as_array().unwrap().len(), 2, "{visitors}");
    let contact = app.get(&format!("/api/v1/contacts/{id}")).await.json();
    assert!(contact["external_ids"].to_string().contains("user-42"), "{contact}");
    assert_eq!(contact["original_source"], "paid_social", "the first touch stays first");
    let timeline = app.get(&format!("/api/v1/activities?contact_id={id}&limit=100")).await.json();
    assert!(timeline["items"].as_array().unwrap().iter().any(|a| a["type"] == "purchase"));

    // A stitch taken back: the phone's visit leaves the contact.
    let phone = visitors.as_array().unwrap().iter().find(|v| v["anonymous_id"] == "phone-7").unwrap();
    let r = app.delete(&format!("/api/v1/visitors/{}/contact", phone["id"].as_str().unwrap())).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["contact_id"], Value::Null);
    let timeline = app.get(&format!("/api/v1/activities?contact_id={id}&limit=100")).await.json();
    let views = timeline["items"].as_array().unwrap().iter().filter(|a| a["type"] == "page_view").count();
    assert_eq!(views, 4, "the phone's page view is anonymous again");

    // An alias of an anonymous id links it, an alias of two known user ids merges them.
    let r =
        send(app, key, "/v1/alias", json!({"previousId": "anon-77", "userId": "user-42", "messageId": "al-1"}), None)
            .await;
    assert_eq!(r.status, 200);
    let r = send(
        app,
        key,
        "/v1/identify",
        json!({"userId": "user-99", "traits": {"email": "other@example.pl"}, "messageId": "i-9"}),
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    settle(app).await;
    let r =
        send(app, key, "/v1/alias", json!({"previousId": "user-99", "userId": "user-42", "messageId": "al-2"}), None)
            .await;
    assert_eq!(r.status, 200);
    settle(app).await;
    let merges = app.get(&format!("/api/v1/merges?record_id={id}")).await.json();
    assert_eq!(merges.as_array().map(Vec::len), Some(1), "a reversible merge: {merges}");
    let n = app.get("/api/v1/contacts?q=other@example.pl").await.json();
    assert_eq!(n["items"][0]["id"], id, "user-99 is the same person: {n}");
}

/// A form-encoded POST as a browser sends it.
async fn post_form(app: &App, path: &str, pairs: &[(&str, &str)]) -> Reply {
    let body: String = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", k, leadline_server::web::view::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let req =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(body));
    app.send(req.unwrap()).await
}

pub async fn forms_turn_visitors_into_leads(app: &App) {
    let s = site(app, json!(["https://acme.io"])).await;
    let site_id = s["id"].as_str().unwrap();
    let r = app
        .post("/api/v1/properties", json!({"object": "contact", "name": "budget", "label": "Budget", "type": "enum", "options": ["<10k", "10k+"]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let form = |slug: &str| {
        json!({
            "name": "Book a demo", "slug": slug, "site_id": site_id,
            "fields": [
                {"target": "email", "label": "Work e-mail", "kind": "email", "required": true},
                {"target": "first_name", "label": "First name", "required": true},
                {"target": "company_name", "label": "Company"},
                {"target": "job_title", "label": "Role", "progressive": true},
                {"target": "properties.budget", "label": "Budget", "kind": "select", "options": ["<10k", "10k+"], "progressive": true},
            ],
            "consent": [{"channel": "email", "wording": "Send me the monthly newsletter", "required": false}],
            "thank_you": "Thanks, talk soon!",
        })
    };
    let r = app.post("/api/v1/forms", form("demo")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let created = r.json();
    let id = created["id"].as_str().unwrap();
    assert!(created["embed"].as_str().unwrap().contains("/f/demo"));
    app.post("/api/v1/forms", form("demo")).await.error(409, "slug_taken", Some("slug"));
    app.post("/api/v1/forms", form("Demo Page")).await.error(422, "invalid_slug", Some("slug"));
    let mut no_email = form("x");
    no_email["fields"].as_array_mut().unwrap().remove(0);
    app.post("/api/v1/forms", no_email).await.error(422, "email_required", Some("fields"));
    let mut unknown = form("y");
    unknown["fields"][1]["target"] = json!("password");
    app.post("/api/v1/forms", unknown).await.error(422, "unknown_field", Some("fields[1].target"));

    // The hosted form: only on the site's pages, with the campaign carried along.
    let page = app
        .send(Request::get("/f/demo?aid=anon-5&utm_source=google&utm_medium=cpc&utm_campaign=brand&page=https%3A%2F%2Facme.io%2Fdemo").body(Body::empty()).unwrap())
        .await;
    assert_eq!(page.status, 200);
    let csp = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("frame-ancestors https://acme.io"), "{csp}");
    assert!(page.text.contains(r#"name="first_name""#) && !page.text.contains(r#"name="job_title""#));
    assert!(page.text.contains(r#"value="brand""#));
    let kept = app.state.store.inbox_size().await.unwrap().0;
    let good = [
        ("aid", "anon-5"),
        ("page", "https://acme.io/demo"),
        ("utm_source", "google"),
        ("utm_medium", "cpc"),
        ("utm_campaign", "brand"),
        ("email", "Piotr@Nord.PL"),
        ("first_name", "Piotr"),
        ("company_name", "Nord <Freight>"),
        ("consent_0", "1"),
        ("website_url", ""),
    ];
    let mut bad = good.to_vec();
    bad[5] = ("email", "piotr at nord");
    let r = post_form(app, "/f/demo", &bad).await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("aria-invalid") && r.text.contains("Nord &#60;Freight&#62;"), "kept as typed, escaped");
    let mut bot = good.to_vec();
    bot[9] = ("website_url", "http://spam.example");
    let r = post_form(app, "/f/demo", &bot).await;
    assert!(r.status == 200 && r.text.contains("Thanks, talk soon!"));
    assert_eq!(app.state.store.inbox_size().await.unwrap().0, kept, "a bot is thanked and nothing is kept");
    let r = post_form(app, "/f/demo", &good).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("Thanks, talk soon!"));
    settle(app).await;

    let found = app.get("/api/v1/contacts?q=piotr@nord.pl").await.json();
    let contact = &found["items"][0];
    assert_eq!(contact["first_name"], "Piotr");
    assert_eq!(contact["company_name"], "Nord <Freight>");
    assert_eq!(contact["lifecycle_stage"], "lead", "subscriber -> lead by the form rule: {contact}");
    assert_eq!(contact["original_source"], "paid_search");
    assert_eq!(contact["first_touch_campaign"], "brand");
    let consent = &contact["consent"][0];
    assert_eq!((consent["channel"].as_str(), consent["granted"].as_bool()), (Some("email"), Some(true)));
    assert!(consent["origin"].as_str().unwrap().contains("Send me the monthly newsletter"), "{consent}");
    let cid = contact["id"].as_str().unwrap();
    let timeline = app.get(&format!("/api/v1/activities?contact_id={cid}&type=form_submission")).await.json();
    let sub = &timeline["items"][0];
    assert_eq!(sub["properties"]["form_id"], id, "{timeline}");
    assert_eq!(sub["properties"]["url"], "https://acme.io/demo");

    // Known now: asked what is not known yet, in place of what is.
    let again = app.send(Request::get("/f/demo?aid=anon-5").body(Body::empty()).unwrap()).await;
    assert!(again.text.contains(r#"name="job_title""#) && again.text.contains(r#"name="properties.budget""#));
    assert!(!again.text.contains(r#"name="first_name""#) && again.text.contains(r#"name="email""#));
    let stats = app.get(&format!("/api/v1/forms/{id}")).await.json();
    assert_eq!((stats["views"].as_i64(), stats["submissions"].as_i64()), (Some(2), Some(1)), "{stats}");
    assert_eq!(stats["conversion_rate"], 0.5);
    assert_eq!(app.send(Request::get("/f/nothing").body(Body::empty()).unwrap()).await.status, 404);
}

/// A small fixed history, and the campaign, source-quality and attribution reports counted
/// by hand (see each assertion).
pub async fn campaign_costs_quality_and_attribution_match_the_hand_count(app: &App) {
    const DAY: i64 = 86_400_000;
    let now = leadline_server::now();
    let ago = |days: i64| leadline_core::date::rfc3339(now - days * DAY);
    let today = leadline_core::date::date_of_millis(now);
    let day = |days: i64| leadline_core::date::date_of_millis(now - days * DAY);
    let s = site(app, json!([])).await;
    let key = s["write_key"].as_str().unwrap();
    let spring = app
        .post(
            "/api/v1/campaigns",
            json!({"name": "Spring search", "channel": "paid_search", "utm_campaign": "Spring", "budget": 100000}),
        )
        .await;
    assert_eq!(spring.status, 201, "{}", spring.text);
    let spring = spring.json();
    assert_eq!(spring["utm_campaign"], "spring");
    let fair = app
        .post("/api/v1/campaigns", json!({"name": "Fair 2026", "channel": "events", "source_list": "fair-2026"}))
        .await
        .json();
    app.post("/api/v1/campaigns", json!({"name": "Again", "channel": "email", "utm_campaign": "SPRING"})).await.error(
        409,
        "campaign_taken",
        Some("utm_campaign"),
    );
    app.post("/api/v1/campaigns", json!({"name": "x", "channel": "tv"})).await.error(
        422,
        "invalid_channel",
        Some("channel"),
    );
    let (sid, fid) = (spring["id"].as_str().unwrap(), fair["id"].as_str().unwrap());
    // Spend in the period: spring 400.00 + 200.00, the fair 300.00 (from its CSV export).
    let r = app
        .post(
            &format!("/api/v1/campaigns/{sid}/spend"),
            json!({"entries": [{"date": day(5), "amount": 40000}, {"date": day(2), "amount": 20000}]}),
        )
        .await;
    assert_eq!(r.json()["total"], 60000, "{}", r.text);
    app.post(&format!("/api/v1/campaigns/{sid}/spend"), json!({"entries": [{"date": "2026-02-30", "amount": 1}]}))
        .await
        .error(422, "invalid_date", Some("entries[0].date"));
    let csv = format!("Campaign report\n\"All time\"\nDay,Campaign,Impr.,Cost\n{},Fair 2026,10,\"300.00\"\n{},Unknown one,1,5.00\nTotal,--,11,305.00\n", day(1), day(1));
    let r = app
        .send(
            Request::post("/api/v1/campaigns/spend.csv")
                .header(header::AUTHORIZATION, format!("Bearer {}", app.admin))
                .header(header::CONTENT_TYPE, "text/csv")
                .body(Body::from(csv))
                .unwrap(),
        )
        .await;
    let imported = r.json();
    assert_eq!(imported["rows"], 1, "{}", r.text);
    assert_eq!(imported["rejected"][0][0], 5, "the unknown campaign's line: {imported}");

    // A: a Spring ad 10 days ago, organic search 3 days ago, then known. B: a Spring ad 5
    // days ago. D: LinkedIn 2 days ago. C: from the fair's list, no touch.
    let page = |anon: &str, id: &str, days: i64, url: &str, referrer: &str| {
        json!({"type": "page", "anonymousId": anon, "messageId": id, "timestamp": ago(days),
               "context": {"page": {"url": url, "referrer": referrer}}})
    };
    let who = |anon: &str, id: &str, email: &str| json!({"type": "identify", "anonymousId": anon, "messageId": id, "timestamp": ago(0), "traits": {"email": email}});
    let r = send(
        app,
        key,
        "/v1/batch",
        json!({"batch": [
            page("a", "a1", 10, "https://acme.io/?utm_source=google&utm_medium=cpc&utm_campaign=spring", ""),
            page("a", "a2", 3, "https://acme.io/blog", "https://www.google.com/"),
            who("a", "a3", "a@acme.test"),
            page("b", "b1", 5, "https://acme.io/?utm_source=google&utm_medium=cpc&utm_campaign=Spring", ""),
            who("b", "b2", "b@acme.test"),
            page("d", "d1", 2, "https://acme.io/", "https://www.linkedin.com/"),
            who("d", "d2", "d@acme.test"),
        ]}),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let tracker = Tracker::new("test");
    while tracker.step(app.state.store.as_ref(), now + 60_000).await.unwrap() > 0 {}
    let c = app
        .post(
            "/api/v1/contacts",
            json!({"emails": ["c@fair.test"], "source_list": "fair-2026", "lead_status": "disqualified"}),
        )
        .await;
    assert_eq!(c.status, 201, "{}", c.text);
    let id_of = |email: &'static str| async move {
        let found = app.get(&format!("/api/v1/contacts?q={email}")).await.json();
        let hit = found["items"].as_array().unwrap().iter().find(|c| c["emails"][0] == email).cloned();
        hit.unwrap_or_else(|| panic!("{email} in {found}"))["id"].as_str().unwrap().to_owned()
    };
    let (a, b) = (id_of("a@acme.test").await, id_of("b@acme.test").await);
    assert_eq!(app.patch(&format!("/api/v1/contacts/{a}"), json!({"lifecycle_stage": "customer"})).await.status, 200);
    assert_eq!(app.patch(&format!("/api/v1/contacts/{b}"), json!({"lifecycle_stage": "mql"})).await.status, 200);
    let deal = app
        .post(
            "/api/v1/deals",
            json!({"name": "Acme", "amount": 100000, "currency": "EUR", "status": "won", "won_reason": "price", "contact_ids": [a]}),
        )
        .await;
    assert_eq!(deal.status, 201, "{}", deal.text);

    // Costs by campaign: Spring 600.00 for leads A and B, MQLs A and B, customer A; the fair
    // 300.00 for lead C; D under (none).
    let r = app.get("/api/v1/reports/campaigns").await.json();
    let row = |g: &str| {
        r["rows"].as_array().unwrap().iter().find(|x| x["group"] == g).cloned().unwrap_or_else(|| panic!("{g} in {r}"))
    };
    let sp = row(sid);
    assert_eq!(
        (
            sp["name"].as_str(),
            sp["spend"].as_i64(),
            sp["leads"].as_u64(),
            sp["mqls"].as_u64(),
            sp["customers"].as_u64()
        ),
        (Some("Spring search"), Some(60000), Some(2), Some(2), Some(1)),
        "{sp}"
    );
    assert_eq!(
        (sp["cost_per_lead"].as_f64(), sp["cost_per_mql"].as_f64(), sp["cost_per_customer"].as_f64()),
        (Some(30000.0), Some(30000.0), Some(60000.0))
    );
    assert_eq!(sp["previous"]["leads"], 0);
    let fa = row(fid);
    assert_eq!(
        (fa["spend"].as_i64(), fa["leads"].as_u64(), fa["cost_per_lead"].as_f64()),
        (Some(30000), Some(1), Some(30000.0))
    );
    assert_eq!(row("(none)")["leads"], 1);
    assert_eq!(
        (r["total"]["spend"].as_i64(), r["total"]["leads"].as_u64(), r["total"]["cost_per_lead"].as_f64()),
        (Some(90000), Some(4), Some(22500.0))
    );
    assert_eq!(r["to"], today);
    let by_channel = app.get("/api/v1/reports/campaigns?by=channel").await.json();
    let paid = by_channel["rows"].as_array().unwrap().iter().find(|x| x["group"] == "paid_search").unwrap();
    assert_eq!((paid["spend"].as_i64(), paid["leads"].as_u64()), (Some(60000), Some(2)));

    // Source quality: paid search brought A and B (both MQL, A an SQL and a customer worth
    // 1,000.00; a customer cost 600.00); the fair's list brought C, disqualified.
    let q = app.get("/api/v1/reports/source-quality").await.json();
    let paid = q["rows"].as_array().unwrap().iter().find(|x| x["group"] == "paid_search").unwrap();
    assert_eq!(
        (
            paid["leads"].as_u64(),
            paid["mql_share"].as_f64(),
            paid["sql_share"].as_f64(),
            paid["customer_share"].as_f64(),
            paid["revenue"].as_i64(),
            paid["cost_per_customer"].as_f64()
        ),
        (Some(2), Some(1.0), Some(0.5), Some(0.5), Some(100000), Some(60000.0)),
        "{q}"
    );
    let lists = app.get("/api/v1/reports/source-quality?by=list").await.json();
    let fair_row = lists["rows"].as_array().unwrap().iter().find(|x| x["group"] == "fair-2026").unwrap();
    assert_eq!(
        (fair_row["leads"].as_u64(), fair_row["disqualified_share"].as_f64(), fair_row["spend"].as_i64()),
        (Some(1), Some(1.0), Some(30000))
    );

    // Attribution of the four leads (C has no touch): A's two touches are 7 days apart, so time
    // decay gives the older a third.
    let credit = |model: &'static str, conversion: &'static str| async move {
        let r = app.get(&format!("/api/v1/reports/attribution?model={model}&conversion={conversion}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let j = r.json();
        let mut m: Vec<(String, f64, f64)> = j["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["group"].as_str().unwrap().to_owned(),
                    x["conversions"].as_f64().unwrap(),
                    x["value"].as_f64().unwrap(),
                )
            })
            .collect();
        m.sort_by(|a, b| a.0.cmp(&b.0));
        (m, j["without_touch"].as_u64().unwrap(), j["conversions"].as_u64().unwrap())
    };
    let near = |got: &[(String, f64, f64)], want: &[(&str, f64)]| {
        assert_eq!(got.len(), want.len(), "{got:?}");
        for ((g, c, _), (wg, wc)) in got.iter().zip(want) {
            assert_eq!(g, wg);
            assert!((c - wc).abs() < 1e-6, "{g}: {c} != {wc}");
        }
    };
    let (m, without, n) = credit("first_touch", "lead").await;
    assert_eq!((without, n), (1, 4));
    near(&m, &[("organic_social", 1.0), ("paid_search", 2.0)]);
    near(
        &credit("last_touch", "lead").await.0,
        &[("organic_search", 1.0), ("organic_social", 1.0), ("paid_search", 1.0)],
    );
    near(&credit("linear", "lead").await.0, &[("organic_search", 0.5), ("organic_social", 1.0), ("paid_search", 1.5)]);
    near(
        &credit("u_shaped", "lead").await.0,
        &[("organic_search", 0.5), ("organic_social", 1.0), ("paid_search", 1.5)],
    );
    near(
        &credit("time_decay", "lead").await.0,
        &[("organic_search", 2.0 / 3.0), ("organic_social", 1.0), ("paid_search", 4.0 / 3.0)],
    );
    // The won deal (1,000.00, A's): linear halves it between A's two channels.
    let (m, _, n) = credit("linear", "won").await;
    assert_eq!(n, 1);
    assert_eq!(
        m.iter().map(|(g, _, v)| (g.as_str(), *v)).collect::<Vec<_>>(),
        vec![("organic_search", 50000.0), ("paid_search", 50000.0)]
    );
    let (m, _, _) = credit("first_touch", "mql").await;
    near(&m, &[("paid_search", 2.0)]);
    app.get("/api/v1/reports/attribution?model=w_shaped").await.error(422, "invalid_parameter", Some("model"));
    app.get("/api/v1/reports/campaigns?from=2026-05-10&to=2026-05-01").await.error(422, "invalid_period", Some("to"));
}

/// What a test receiver was sent: (webhook-id, webhook-timestamp, webhook-signature, body).
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, String, String, String)>>>;

/// A real HTTP receiver on 127.0.0.1 that answers 500 to its first `failures` requests.
async fn receiver(failures: usize) -> (String, Received) {
    let got: Received = Default::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/leadline", listener.local_addr().unwrap());
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/hooks/leadline",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let mut all = seen.lock().unwrap();
                all.push((h("webhook-id"), h("webhook-timestamp"), h("webhook-signature"), body));
                if all.len() <= failures {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::NO_CONTENT
                }
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

pub async fn webhooks_are_signed_retried_logged_and_redelivered(app: &App) {
    use leadline_server::webhooks::{sign, Dispatcher, Sender};
    let store = app.state.store.as_ref();
    let (url, got) = receiver(1).await;
    app.post("/api/v1/webhooks", json!({"url": "ftp://x", "events": ["*"]})).await.error(
        422,
        "invalid_url",
        Some("url"),
    );
    app.post("/api/v1/webhooks", json!({"url": url, "events": ["contact.*", "form.sent"]})).await.error(
        422,
        "unknown_event",
        Some("events[1]"),
    );
    let marketing =
        app.user("m2@test.pl", leadline_core::role::Role::Marketing, leadline_core::role::TokenScope::Write).await;
    assert_eq!(app.call(&marketing, Method::GET, "/api/v1/webhooks", None).await.status, 403);
    let hook = app
        .post("/api/v1/webhooks", json!({"url": url, "events": ["contact.created", "stage.changed", "deal.won"]}))
        .await;
    assert_eq!(hook.status, 201, "{}", hook.text);
    let hook = hook.json();
    let (hid, secret) = (hook["id"].as_str().unwrap(), hook["secret"].as_str().unwrap());
    assert!(secret.starts_with("whsec_"));

    let contact =
        app.post("/api/v1/contacts", json!({"first_name": "Hook", "emails": ["hook@acme.test"]})).await.json();
    let cid = contact["id"].as_str().unwrap();
    let deal = app
        .post("/api/v1/deals", json!({"name": "Hooked", "amount": 5000, "currency": "EUR", "contact_ids": [cid]}))
        .await
        .json();
    assert_eq!(
        app.patch(
            &format!("/api/v1/deals/{}", deal["id"].as_str().unwrap()),
            json!({"status": "won", "won_reason": "relationship"})
        )
        .await
        .status,
        200
    );
    let now = leadline_server::now() + 10_000;
    let dispatcher = Dispatcher::new("test");
    while dispatcher.step(store, now).await.unwrap() > 0 {}
    // The first attempt of the first delivery is refused; the others arrive.
    Sender::step(store, now).await.unwrap();
    let log = app.get(&format!("/api/v1/webhooks/{hid}/deliveries")).await.json();
    let kinds: Vec<&str> = log.as_array().unwrap().iter().map(|d| d["event_type"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"contact.created") && kinds.contains(&"deal.won"), "{log}");
    assert!(!kinds.contains(&"deal.created"), "not subscribed: {kinds:?}");
    let pending: Vec<&Value> = log.as_array().unwrap().iter().filter(|d| d["status"] == "pending").collect();
    assert_eq!(pending.len(), 1, "one refused, tried again later: {log}");
    assert_eq!((pending[0]["attempts"].as_i64(), pending[0]["last_status"].as_i64()), (Some(1), Some(500)));
    // Not yet due; then, 5 s later, delivered.
    assert_eq!(Sender::step(store, now + 1_000).await.unwrap(), 0);
    assert_eq!(Sender::step(store, now + 6_000).await.unwrap(), 1);
    let log = app.get(&format!("/api/v1/webhooks/{hid}/deliveries")).await.json();
    assert!(log.as_array().unwrap().iter().all(|d| d["status"] == "delivered"), "{log}");
    let received = got.lock().unwrap().clone();
    assert_eq!(received.len(), log.as_array().unwrap().len() + 1);
    // Every request is signed as the specification says, and the retry kept its id.
    for (id, ts, signature, body) in &received {
        assert_eq!(&sign(secret, id, ts.parse().unwrap(), body).unwrap(), signature);
        let b: Value = serde_json::from_str(body).unwrap();
        assert!(b["type"].is_string() && b["timestamp"].is_string() && b["data"].is_object(), "{body}");
    }
    let ids: Vec<&String> = received.iter().map(|r| &r.0).collect();
    assert!(ids.iter().filter(|i| **i == ids[0]).count() == 2, "the retry carries the same webhook-id");
    let won = received.iter().find(|r| r.3.contains("deal.won")).unwrap();
    assert!(won.3.contains("\"status\":{\"from\":\"open\",\"to\":\"won\"}"), "{}", won.3);
    // Redelivery by hand sends the same message again.
    let first = &log[0];
    let r =
        app.post(&format!("/api/v1/webhooks/deliveries/{}/redeliver", first["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(r.json()["status"], "pending", "{}", r.text);
    assert_eq!(Sender::step(store, leadline_server::now() + 1).await.unwrap(), 1);
    assert_eq!(got.lock().unwrap().last().unwrap().0, first["message_id"].as_str().unwrap());
    // The screen shows the log.
    let screen = app.get("/settings/webhooks").await;
    assert!(
        screen.text.contains(secret) && screen.text.contains("deal.won") && screen.text.contains("Delivered"),
        "{}",
        screen.text
    );
    // A paused subscription gets nothing new.
    assert_eq!(app.patch(&format!("/api/v1/webhooks/{hid}"), json!({"active": false})).await.status, 200);
    app.post("/api/v1/contacts", json!({"first_name": "Quiet"})).await;
    while dispatcher.step(store, leadline_server::now() + 20_000).await.unwrap() > 0 {}
    assert_eq!(Sender::step(store, leadline_server::now() + 20_000).await.unwrap(), 0);
}

pub async fn landing_pages_count_each_variant(app: &App) {
    let s = site(app, json!(["https://acme.io"])).await;
    let site_id = s["id"].as_str().unwrap();
    let r = app
        .post("/api/v1/forms", json!({"name": "Demo", "slug": "demo", "site_id": site_id, "fields": [{"target": "email", "label": "E-mail", "kind": "email", "required": true}]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let blocks = |headline: &str| {
        json!([
            {"kind": "headline", "text": headline},
            {"kind": "cta", "text": "Book a demo", "url": "https://acme.io/book"},
            {"kind": "image", "text": "A truck", "url": "https://acme.io/truck.png"},
            {"kind": "form", "form": "demo"},
        ])
    };
    let page = json!({"name": "Launch", "slug": "launch", "site_id": site_id, "blocks": blocks("Ship <faster>"), "variant_b": blocks("Freight, tracked"), "split_b": 0});
    let mut bad = page.clone();
    bad["blocks"][3]["form"] = json!("nothing");
    app.post("/api/v1/pages", bad).await.error(422, "unknown_reference", Some("blocks[3].form"));
    let mut bad = page.clone();
    bad["variant_b"][1]["url"] = json!("javascript:alert(1)");
    app.post("/api/v1/pages", bad).await.error(422, "invalid_url", Some("variant_b[1].url"));
    let r = app.post("/api/v1/pages", page).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();

    let a = app.send(Request::get("/p/launch").body(Body::empty()).unwrap()).await;
    assert_eq!(a.status, 200);
    assert!(a.text.contains("Ship &#60;faster&#62;"), "escaped: {}", a.text);
    assert!(
        a.text.contains(s["write_key"].as_str().unwrap()) && a.text.contains(&format!("/f/demo?lp={id}&#38;v=a")),
        "{}",
        a.text
    );
    assert!(a.headers[header::SET_COOKIE].to_str().unwrap().starts_with(&format!("ll_v_{id}=a")));
    let b = app
        .send(Request::get("/p/launch").header(header::COOKIE, format!("ll_v_{id}=b")).body(Body::empty()).unwrap())
        .await;
    assert!(
        b.text.contains("Freight, tracked") && b.headers.get(header::SET_COOKIE).is_none(),
        "the shown variant is kept"
    );
    let go = app.send(Request::get("/p/launch/go/1?v=a").body(Body::empty()).unwrap()).await;
    assert_eq!((go.status.as_u16(), go.headers[header::LOCATION].to_str().unwrap()), (302, "https://acme.io/book"));
    assert_eq!(
        app.send(Request::get("/p/launch/go/0").body(Body::empty()).unwrap()).await.status,
        404,
        "only calls to action lead anywhere"
    );
    let r = post_form(app, "/f/demo", &[("lp", &id), ("v", "b"), ("email", "lp@acme.io"), ("website_url", "")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let stats = app.get(&format!("/api/v1/pages/{id}")).await.json();
    let v = |name: &str| stats["variants"].as_array().unwrap().iter().find(|x| x["variant"] == name).cloned().unwrap();
    assert_eq!(
        (v("a")["views"].as_i64(), v("a")["clicks"].as_i64(), v("a")["submissions"].as_i64()),
        (Some(1), Some(1), Some(0)),
        "{stats}"
    );
    assert_eq!(
        (v("b")["views"].as_i64(), v("b")["submissions"].as_i64(), v("b")["conversion_rate"].as_f64()),
        (Some(1), Some(1), Some(1.0))
    );
    assert_eq!(v("a")["click_rate"], 1.0);
}
