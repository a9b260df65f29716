//! What an attacker tried (issue "Hardening"): every case here failed before its fix, and
//! runs on SQLite and PostgreSQL.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use leadline_core::role::{Role, TokenScope};
use serde_json::json;

use super::App;

fn raw_json(app: &App, method: Method, path: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {}", app.admin))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// A NUL byte anywhere a text reaches the store is a 400 naming where, before any handler.
pub async fn nul_bytes_are_refused_at_the_edge(app: &App) {
    let c = app.post("/api/v1/contacts", json!({"first_name": "Anna", "emails": ["anna@x.pl"]})).await.json();
    let id = c["id"].as_str().unwrap();
    app.get("/api/v1/contacts/ab%00cd").await.error(400, "nul_byte", Some("path"));
    app.get("/api/v1/contacts?tag=a%00b").await.error(400, "nul_byte", Some("tag"));
    app.get("/api/v1/contacts?properties.plan=%00").await.error(400, "nul_byte", Some("properties.plan"));
    app.get("/api/v1/duplicates?record_id=%00").await.error(400, "nul_byte", Some("record_id"));
    for (path, body, field) in [
        ("/api/v1/contacts", r#"{"first_name":"A\u0000B"}"#, "first_name"),
        ("/api/v1/contacts/batch", r#"{"items":[{"id":"x\u0000"}]}"#, "items.id"),
        ("/api/v1/contacts/merge", r#"{"ids":["a\u0000","b"]}"#, "ids"),
        ("/api/v1/activities", r#"{"type":"page_view","contact_id":"\u0000"}"#, "contact_id"),
    ] {
        app.send(raw_json(app, Method::POST, path, body)).await.error(400, "nul_byte", Some(field));
    }
    app.send(raw_json(app, Method::PATCH, &format!("/api/v1/contacts/{id}"), r#"{"tags":["ok","\u0000"]}"#))
        .await
        .error(400, "nul_byte", Some("tags"));
    // Before any authentication: the sign-in e-mail.
    let login = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"email":"admin@test.pl\u0000","password":"x"}"#))
        .unwrap();
    app.send(login).await.error(400, "nul_byte", Some("email"));
    let form = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("email=a%00%40b.pl&password=x"))
        .unwrap();
    app.send(form).await.error(400, "nul_byte", Some("email"));
    assert_eq!(app.get(&format!("/api/v1/contacts/{id}")).await.json()["first_name"], "Anna", "nothing changed");
}

/// A search that folds to nothing but zeros, and a contact with many phones, on PostgreSQL too.
pub async fn zeros_and_long_lists_are_no_server_error(app: &App) {
    app.post("/api/v1/contacts", json!({"first_name": "Zero", "phones": ["+48 601 000 000"]})).await;
    for q in ["0", "00", "0.0", "%2B0", "-0"] {
        for object in ["contacts", "companies", "deals"] {
            let r = app.get(&format!("/api/v1/{object}?q={q}&count=true")).await;
            assert_eq!(r.status, StatusCode::OK, "{object} q={q}: {}", r.text);
        }
        let r = app.get(&format!("/api/v1/exports/contacts?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "export q={q}");
    }
    let phones: Vec<String> = (0..100_000).map(|n| format!("+48 6{n:08}")).collect();
    app.post("/api/v1/contacts", json!({"first_name": "Many", "phones": phones})).await.error(
        422,
        "too_many",
        Some("phones"),
    );
    let tags: Vec<String> = (0..100_000).map(|n| format!("t{n}")).collect();
    app.post("/api/v1/contacts", json!({"first_name": "Many", "tags": tags})).await.error(
        422,
        "too_many",
        Some("tags"),
    );
    let emails: Vec<String> = (0..21).map(|n| format!("a{n}@x.pl")).collect();
    app.post("/api/v1/contacts", json!({"emails": emails})).await.error(422, "too_many", Some("emails"));
    let options: Vec<String> = (0..501).map(|n| format!("o{n}")).collect();
    app.post(
        "/api/v1/properties",
        json!({"object": "contact", "name": "big", "label": "Big", "type": "enum", "options": options}),
    )
    .await
    .error(422, "too_many", Some("options"));
}

/// Types as the schema says them, each refusal naming its field.
pub async fn input_is_typed_as_documented(app: &App) {
    app.post("/api/v1/contacts", json!({"first_name": 123})).await.error(422, "invalid_type", Some("first_name"));
    app.post("/api/v1/contacts", json!({"first_name": {"a": 1}})).await.error(422, "invalid_type", Some("first_name"));
    app.post("/api/v1/deals", json!({"name": "D", "amount": "12"})).await.error(422, "invalid_type", Some("amount"));
    let d = app.post("/api/v1/deals", json!({"name": "D", "amount": 1200})).await.json();
    assert_eq!(d["amount"], 1200, "money is minor units, as documented");
    app.post("/api/v1/properties", json!({"object": "contact", "name": "plan", "label": "Plan", "type": "text"})).await;
    app.post("/api/v1/contacts", json!({"properties": {"plan": 5}})).await.error(
        422,
        "invalid_type",
        Some("properties.plan"),
    );
    app.post("/api/v1/contacts", json!({"properties": {"plan": {"x": 1}}})).await.error(
        422,
        "invalid_type",
        Some("properties.plan"),
    );
    let orphan = app.post("/api/v1/activities", json!({"type": "page_view"})).await.json();
    assert_eq!(orphan[0]["error"]["code"], "required", "an activity belongs to a record: {orphan}");
    assert_eq!(orphan[0]["error"]["field"], "contact_id");
    let c = app.post("/api/v1/contacts", json!({"first_name": "Call"})).await.json();
    app.post("/api/v1/calls", json!({"outcome": "connected", "duration_seconds": -5, "contact_id": c["id"]}))
        .await
        .error(422, "invalid_body", Some("duration_seconds"));
    let twice = raw_json(app, Method::POST, "/api/v1/contacts", r#"{"first_name":"A","first_name":"B"}"#);
    app.send(twice).await.error(422, "duplicate_key", Some("first_name"));
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 1, "nothing refused was stored");
}

/// `next` is followed only when it is a plain path of ours.
pub async fn redirects_stay_on_this_origin(app: &App) {
    for next in [
        "/%09/evil.example/",
        "//evil.example",
        "/%5Cevil.example",
        "https://evil.example/",
        "/%0a/x",
        "/%0d%0aSet-Cookie:x=1",
    ] {
        let r = app.send(Request::builder().uri(format!("/lang?l=en&next={next}")).body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}: {}", r.text);
        assert_eq!(r.headers[header::LOCATION], "/login", "{next}");
    }
    let ok =
        app.send(Request::builder().uri("/lang?l=it&next=/contacts%3Fq%3Danna").body(Body::empty()).unwrap()).await;
    assert_eq!(ok.headers[header::LOCATION], "/contacts?q=anna");
    let page = app.send(Request::builder().uri("/login?next=/%09/evil.example/").body(Body::empty()).unwrap()).await;
    assert!(!page.text.contains("evil.example"), "the sign-in form does not carry it on");
}

/// A read token reads, whatever its user may do; a cookie's logout needs its CSRF token;
/// users are listed to administrators.
pub async fn read_tokens_only_read(app: &App) {
    let read = app.user("rep@test.pl", Role::Admin, TokenScope::Read).await;
    let write = app.user("rep2@test.pl", Role::Sales, TokenScope::Write).await;
    let me =
        app.call(&read, Method::GET, "/api/v1/auth/me", None).await.json()["user"]["id"].as_str().unwrap().to_owned();
    let tokens = app.call(&read, Method::GET, "/api/v1/tokens", None).await.json();
    let token_id = tokens[0]["id"].as_str().unwrap().to_owned();
    for (method, path, body) in [
        (Method::DELETE, format!("/api/v1/tokens/{token_id}"), None),
        (Method::PATCH, format!("/api/v1/users/{me}"), Some(json!({"name": "Renamed"}))),
        (
            Method::POST,
            "/api/v1/auth/password".to_owned(),
            Some(json!({"current": "user password 1", "new": "another password 2"})),
        ),
        (Method::POST, "/api/v1/duplicates/scan".to_owned(), Some(json!({}))),
    ] {
        app.call(&read, method, &path, body).await.error(403, "read_only_token", None);
    }
    assert_eq!(app.call(&read, Method::GET, "/api/v1/contacts", None).await.status, StatusCode::OK);
    // Users: administrators see everyone; others themselves.
    app.call(&write, Method::GET, "/api/v1/users", None).await.error(403, "forbidden", None);
    app.call(&write, Method::GET, &format!("/api/v1/users/{me}"), None).await.error(403, "forbidden", None);
    let own = app.call(&write, Method::GET, "/api/v1/auth/me", None).await.json()["user"]["id"].clone();
    let own = app.call(&write, Method::GET, &format!("/api/v1/users/{}", own.as_str().unwrap()), None).await;
    assert_eq!(own.status, StatusCode::OK);

    // Logout with the session cookie: only with the session's CSRF token.
    let login = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"email": "rep2@test.pl", "password": "user password 1"}).to_string()))
        .unwrap();
    let r = app.send(login).await;
    let cookie = r.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let csrf = r.json()["csrf_token"].as_str().unwrap().to_owned();
    let logout = |csrf: Option<&str>| {
        let mut b = Request::builder().method(Method::POST).uri("/api/v1/auth/logout").header(header::COOKIE, &cookie);
        if let Some(c) = csrf {
            b = b.header("x-csrf-token", c);
        }
        b.body(Body::empty()).unwrap()
    };
    app.send(logout(None)).await.error(403, "csrf", None);
    let me_with_cookie =
        Request::builder().uri("/api/v1/auth/me").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    assert_eq!(app.send(me_with_cookie).await.status, StatusCode::OK, "the session lives on");
    assert_eq!(app.send(logout(Some(&csrf))).await.status, StatusCode::NO_CONTENT);
}

fn login_from(address: &str, email: &str, password: &str) -> Request<Body> {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"email": email, "password": password}).to_string()))
        .unwrap();
    let addr: std::net::SocketAddr = format!("{address}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

/// Guessing from one address never locks a user out of their own; a known address gets in
/// with the right password even while it is over its limit.
pub async fn sign_in_limits_cannot_lock_a_user_out(app: &App) {
    app.user("victim@test.pl", Role::Sales, TokenScope::Read).await;
    let mut limited = false;
    for _ in 0..15 {
        let r = app.send(login_from("10.0.0.1", "victim@test.pl", "wrong password 0")).await;
        limited |= r.status == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(limited, "the guessing address is limited");
    let r = app.send(login_from("10.0.0.2", "victim@test.pl", "user password 1")).await;
    assert_eq!(r.status, StatusCode::OK, "the victim, elsewhere: {}", r.text);
    // The victim's own address, now busy with someone guessing other people's passwords.
    for n in 0..15 {
        app.send(login_from("10.0.0.2", &format!("other{n}@test.pl"), "wrong password 0")).await;
    }
    let r = app.send(login_from("10.0.0.2", "victim@test.pl", "user password 1")).await;
    assert_eq!(r.status, StatusCode::OK, "a known address with the right password: {}", r.text);
    let r = app.send(login_from("10.0.0.2", "victim@test.pl", "wrong password 0")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "but no free guesses from it");
}

/// Spreadsheet formulas in exported cells are neutralised, and read back as they were.
pub async fn exports_neutralise_formulas(app: &App) {
    let name = "=HYPERLINK(\"http://evil.example\",\"x\")";
    app.post(
        "/api/v1/contacts",
        json!({"first_name": name, "last_name": "@SUM(1+1)", "emails": ["f@x.pl"], "phones": ["+48 601 234 567"]}),
    )
    .await;
    let csv = app.get("/api/v1/exports/contacts").await.text;
    assert!(csv.contains("'=HYPERLINK") && csv.contains("'@SUM(1+1)"), "{csv}");
    assert!(csv.contains("+48601234567") && !csv.contains("'+48601234567"), "a phone stays a phone: {csv}");
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
}

/// A connection that sends its headers slowly, or sits idle, is closed; a body that trickles
/// in is refused with 408.
pub async fn slow_clients_are_cut_off(app: &App) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut state = app.state.clone();
    let mut config = (*state.config).clone();
    config.header_timeout = std::time::Duration::from_millis(300);
    config.body_timeout = std::time::Duration::from_millis(300);
    state.config = std::sync::Arc::new(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(leadline_server::serve_on(listener, state, async {
        let _ = stop_rx.await;
    }));
    let read_all = |mut s: tokio::net::TcpStream| async move {
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut buf)).await;
        String::from_utf8_lossy(&buf).into_owned()
    };
    // Half a request line, then nothing: closed.
    let mut half = tokio::net::TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let started = std::time::Instant::now();
    read_all(half).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "the half-sent request was closed");
    // Idle after a request: closed.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let started = std::time::Instant::now();
    let answered = read_all(idle).await;
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "the idle connection was closed");
    // A body that never finishes.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"first";
    slow.write_all(head.as_bytes()).await.unwrap();
    let answered = read_all(slow).await;
    assert!(answered.starts_with("HTTP/1.1 408"), "{answered}");
    let _ = stop_tx.send(());
    server.await.unwrap();
}
