//! The web pages, driven as a browser would: cookies, forms with their CSRF tokens, redirects.
//! (The real-browser scenarios live in e2e/; these pin the server's side of each.)

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use leadline_core::role::{Role, TokenScope};
use serde_json::{json, Value};

use super::{App, Reply};

/// A cookie jar and the last page's CSRF token.
pub(crate) struct Browser<'a> {
    app: &'a App,
    cookies: HashMap<String, String>,
}

impl<'a> Browser<'a> {
    fn new(app: &'a App) -> Self {
        Browser { app, cookies: HashMap::new() }
    }

    fn keep_cookies(&mut self, r: &Reply) {
        for c in r.headers.get_all(header::SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (kv, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn send(&mut self, req: axum::http::request::Builder, body: Body) -> Reply {
        let req = req.header(header::COOKIE, self.cookie_header()).body(body).unwrap();
        let r = self.app.send(req).await;
        self.keep_cookies(&r);
        r
    }

    pub(crate) async fn get(&mut self, path: &str) -> Reply {
        self.send(Request::builder().uri(path), Body::empty()).await
    }

    pub(crate) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(req, Body::from(body)).await
    }

    async fn sign_in(&mut self, email: &str, password: &str) {
        let page = self.get("/login").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let csrf = csrf_of(&page);
        let r = self.post("/login", &[("csrf", &csrf), ("email", email), ("password", password), ("next", "/")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert!(self.cookies.contains_key("leadline_session"));
    }

    /// The CSRF token the pages of this session carry.
    pub(crate) async fn csrf(&mut self) -> String {
        csrf_of(&self.get("/settings").await)
    }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn csrf_of(page: &Reply) -> String {
    let at = page.text.find("name=\"csrf\" value=\"").unwrap_or_else(|| panic!("no csrf field in {}", page.text));
    let rest = &page.text[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

pub(crate) fn location(r: &Reply) -> String {
    r.headers.get(header::LOCATION).map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default()
}

pub(crate) async fn admin<'a>(app: &'a App) -> Browser<'a> {
    let mut b = Browser::new(app);
    b.sign_in("admin@test.pl", "admin password 1").await;
    b
}

pub async fn first_run_creates_the_admin(app: &App) {
    let mut b = Browser::new(app);
    let r = b.get("/contacts?q=x").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?next=%2Fcontacts%3Fq%3Dx");
    let r = b.get("/login").await;
    assert_eq!(location(&r), "/setup", "with no users, sign-in leads to the first-run page");
    let page = b.get("/setup").await;
    assert!(page.text.contains("Welcome to Leadline"), "{}", page.text);
    let csrf = csrf_of(&page);

    // Without the form's token nothing happens.
    let r = b
        .post(
            "/setup",
            &[
                ("csrf", "forged"),
                ("email", "boss@firma.pl"),
                ("password", "long enough 1"),
                ("password2", "long enough 1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.state.store.count_users().await.unwrap(), 0);

    // Mistakes come back next to their fields.
    let r =
        b.post("/setup", &[("csrf", &csrf), ("email", "boss@"), ("password", "short"), ("password2", "other")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("id=\"email-error\""), "{}", r.text);
    assert!(r.text.contains("at least 10 characters"), "{}", r.text);
    assert_eq!(app.state.store.count_users().await.unwrap(), 0);

    let r = b
        .post(
            "/setup",
            &[
                ("csrf", &csrf),
                ("name", "Ola"),
                ("email", "Boss@Firma.pl"),
                ("password", "long enough 1"),
                ("password2", "long enough 1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text.contains("No contacts yet"), "an empty store says what to do next");
    let user = app.state.store.user_by_email("boss@firma.pl").await.unwrap().unwrap();
    assert_eq!(user.role, Role::Admin);

    // The first-run page is gone once someone exists.
    assert_eq!(location(&Browser::new(app).get("/setup").await), "/login");

    // Sign out ends the session.
    let csrf = b.csrf().await;
    let r = b.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(location(&r), "/login");
    assert_eq!(b.get("/").await.status, StatusCode::SEE_OTHER);

    // A wrong password is said in words, and the session cookie is HttpOnly.
    let page = b.get("/login").await;
    let csrf = csrf_of(&page);
    let r = b.post("/login", &[("csrf", &csrf), ("email", "boss@firma.pl"), ("password", "wrong password")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text.contains("The e-mail or the password is wrong."), "{}", r.text);
    let r = b.post("/login", &[("csrf", &csrf), ("email", "boss@firma.pl"), ("password", "long enough 1")]).await;
    let cookie = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .find(|c| c.to_str().unwrap().starts_with("leadline_session="))
        .unwrap();
    let cookie = cookie.to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
}

pub async fn forms_need_csrf_and_show_errors_at_the_field(app: &App) {
    let mut b = admin(app).await;
    let r = b.post("/contacts/new", &[("first_name", "Anna"), ("emails", "anna@firma.pl")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("This form has expired"), "{}", r.text);
    assert!(r.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("text/html"));

    let csrf = b.csrf().await;
    let r = b.post("/contacts/new", &[("csrf", &csrf), ("first_name", "Anna"), ("emails", "anna@@firma")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("id=\"f-emails-error\""), "the message sits at the e-mail field: {}", r.text);
    assert!(r.text.contains("This is not a valid e-mail address."), "{}", r.text);
    assert!(r.text.contains(">Anna<") || r.text.contains("value=\"Anna\""), "what was typed is kept");
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 0, "nothing was stored");

    let r = b
        .post("/contacts/new", &[("csrf", &csrf), ("first_name", "Anna"), ("emails", "anna@firma.pl\nanna.k@firma.pl")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = location(&r).trim_start_matches("/contacts/").to_owned();
    let page = b.get(&format!("/contacts/{id}")).await;
    assert!(page.text.contains("anna.k@firma.pl"));

    // Editing in place: a bad country is refused at its field and nothing changes.
    let r = b.post(&format!("/contacts/{id}"), &[("csrf", &csrf), ("first_name", "Anna"), ("country", "Narnia")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("id=\"f-country-error\""), "{}", r.text);
    // The same form sent in the background (inline editing) answers in JSON.
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/contacts/{id}"))
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    let body = format!("csrf={}&first_name=Anna&country=Narnia", enc(&csrf));
    let r = b.send(req, Body::from(body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0][0], "country", "{}", r.text);
    let r = b
        .post(
            &format!("/contacts/{id}"),
            &[("csrf", &csrf), ("first_name", "Anna"), ("country", "pl"), ("lifecycle_stage", "lead")],
        )
        .await;
    assert_eq!(location(&r), format!("/contacts/{id}?saved=1"));
    let stored = app.get(&format!("/api/v1/contacts/{id}")).await.json();
    assert_eq!(stored["country"], "PL");
    assert_eq!(stored["lifecycle_stage"], "lead");
    let page = b.get(&format!("/contacts/{id}")).await;
    assert!(page.text.contains("Stage and owner history") && page.text.contains("Lead"), "{}", page.text);
    // Moving back down the funnel is refused until the user says so.
    let back = |allow: bool| {
        let mut f =
            vec![("csrf", csrf.as_str()), ("first_name", "Anna"), ("country", "PL"), ("lifecycle_stage", "subscriber")];
        if allow {
            f.push(("allow_backward", "true"));
        }
        f
    };
    let r = b.post(&format!("/contacts/{id}"), &back(false)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text.contains("id=\"f-lifecycle_stage-error\"") && r.text.contains("name=\"allow_backward\""),
        "{}",
        r.text
    );
    assert_eq!(app.get(&format!("/api/v1/contacts/{id}")).await.json()["lifecycle_stage"], "lead");
    let r = b.post(&format!("/contacts/{id}"), &back(true)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(app.get(&format!("/api/v1/contacts/{id}")).await.json()["lifecycle_stage"], "subscriber");

    // Notes, calls and tasks logged from the page land on the timeline.
    assert_eq!(
        b.post(&format!("/contacts/{id}/notes"), &[("csrf", &csrf), ("body", "Asked for <b>pricing</b>")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        b.post(&format!("/contacts/{id}/calls"), &[("csrf", &csrf), ("outcome", "connected"), ("minutes", "4")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let r = b.post(&format!("/contacts/{id}/calls"), &[("csrf", &csrf), ("outcome", "shouting")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a refused call redisplays the page");
    assert!(r.text.contains("class=\"field-error\""), "{}", r.text);
    assert_eq!(
        b.post(
            &format!("/contacts/{id}/tasks"),
            &[("csrf", &csrf), ("title", "Send the offer"), ("due", "2030-01-02T10:00")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let page = b.get(&format!("/contacts/{id}")).await;
    assert!(
        page.text.contains("Asked for &#60;b&#62;pricing&#60;/b&#62;")
            || page.text.contains("Asked for &lt;b&gt;pricing&lt;/b&gt;"),
        "HTML is escaped: {}",
        page.text
    );
    assert!(page.text.contains("Send the offer") && page.text.contains("4 minutes"));
    let only_calls = b.get(&format!("/contacts/{id}?type=call")).await;
    assert!(!only_calls.text.contains("pricing") && only_calls.text.contains("4 minutes"));
    // The task is on its assignee's dashboard, its link named after the person.
    let c = app.get(&format!("/api/v1/contacts/{id}")).await.json();
    let name = format!("{} {}", c["first_name"].as_str().unwrap_or(""), c["last_name"].as_str().unwrap_or(""))
        .trim()
        .to_owned();
    let dashboard = b.get("/").await;
    assert!(dashboard.text.contains("Send the offer"), "{}", dashboard.text);
    assert!(dashboard.text.contains(&format!("<a href=\"/contacts/{id}\">{name}</a>")), "{}", dashboard.text);
}

pub async fn persian_contact_found_with_the_other_letters(app: &App) {
    let mut b = admin(app).await;
    let csrf = b.csrf().await;
    // Written with Persian ی and ک...
    let r = b
        .post(
            "/contacts/new",
            &[("csrf", &csrf), ("first_name", "یاسمن"), ("last_name", "کریمی"), ("phones", "+98 912 345 6789")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // ...found when typed with Arabic ي and ك.
    let found = b.get(&format!("/search?format=json&q={}", enc("كريمي"))).await;
    assert_eq!(found.status, StatusCode::OK);
    let groups: Value = found.json();
    assert_eq!(groups[0]["hits"][0]["title"], "یاسمن کریمی", "{groups}");
    let page = b.get(&format!("/search?q={}", enc("ياسمن"))).await;
    assert!(page.text.contains("یاسمن کریمی"));
    let list = b.get(&format!("/contacts?q={}", enc("كريم"))).await;
    assert!(list.text.contains("یاسمن کریمی"));
}

pub async fn bulk_stage_change_and_confirmed_delete(app: &App) {
    let mut ids = Vec::new();
    for name in ["Ala", "Ola", "Ela"] {
        let r = app.post("/api/v1/contacts", json!({"first_name": name, "lifecycle_stage": "customer"})).await;
        ids.push(r.json()["id"].as_str().unwrap().to_owned());
    }
    let mut b = admin(app).await;
    let csrf = b.csrf().await;
    // Customers moved back to MQL: asked to confirm first, and nothing changes until then.
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("id", ids[0].as_str()),
        ("id", ids[1].as_str()),
        ("action", "stage"),
        ("stage_value", "mql"),
        ("back", "/contacts?sort=first_name"),
    ];
    let refused = b.post("/contacts/bulk", &form).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert!(refused.text.contains("2 of the chosen contacts would move back"), "{}", refused.text);
    assert_eq!(app.get(&format!("/api/v1/contacts/{}", ids[0])).await.json()["lifecycle_stage"], "customer");
    form.push(("allow_backward", "true"));
    let r = b.post("/contacts/bulk", &form).await;
    assert_eq!(location(&r), "/contacts?sort=first_name&notice=updated&n=2");
    let notice = b.get(&location(&r)).await;
    assert!(notice.text.contains("2 contacts updated"));
    for (id, stage) in [(&ids[0], "mql"), (&ids[1], "mql"), (&ids[2], "customer")] {
        assert_eq!(app.get(&format!("/api/v1/contacts/{id}")).await.json()["lifecycle_stage"], stage);
    }
    // The move back is recorded like any other.
    let history = app.get(&format!("/api/v1/contacts/{}/history", ids[0])).await.json();
    assert!(history.as_array().unwrap().iter().any(|h| h["to"] == "mql" && h["from"] == "customer"), "{history}");

    // A bad value changes nothing.
    let r = b
        .post("/contacts/bulk", &[("csrf", &csrf), ("id", &ids[2]), ("action", "owner"), ("owner_value", "nobody")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let tag = b
        .post("/contacts/bulk", &[("csrf", &csrf), ("id", &ids[2]), ("action", "tag"), ("tag_value", "webinar")])
        .await;
    assert_eq!(tag.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&format!("/api/v1/contacts/{}", ids[2])).await.json()["tags"], json!(["webinar"]));

    let export =
        b.post("/contacts/bulk", &[("csrf", &csrf), ("id", &ids[0]), ("id", &ids[2]), ("action", "export")]).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.text.lines().count(), 3, "{}", export.text);

    let ask =
        b.post("/contacts/bulk", &[("csrf", &csrf), ("id", &ids[0]), ("id", &ids[1]), ("action", "delete")]).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.text.contains("Delete 2 contacts?"), "{}", ask.text);
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 3, "asking deletes nothing");
    let r = b
        .post(
            "/contacts/bulk",
            &[
                ("csrf", &csrf),
                ("id", &ids[0]),
                ("id", &ids[1]),
                ("action", "delete"),
                ("confirm", "yes"),
                ("back", "/contacts"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/contacts?notice=deleted&n=2");
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 1);
}

pub async fn read_only_users_see_no_write_actions(app: &App) {
    app.user("viewer@test.pl", Role::ReadOnly, TokenScope::Read).await;
    let id =
        app.post("/api/v1/contacts", json!({"first_name": "Zofia"})).await.json()["id"].as_str().unwrap().to_owned();
    let mut b = Browser::new(app);
    b.sign_in("viewer@test.pl", "user password 1").await;
    let list = b.get("/contacts").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.text.contains("/contacts/new") && !list.text.contains("id=\"bulk\""), "no write actions shown");
    assert!(!list.text.contains("Export CSV") && !list.text.contains("href=\"/import\""));
    let page = b.get(&format!("/contacts/{id}")).await;
    assert!(page.text.contains("<fieldset disabled>"), "the profile is read-only");
    assert!(!page.text.contains("Add note"));
    let csrf = csrf_of(&page);
    for (path, fields) in [
        ("/contacts/new".to_owned(), vec![("first_name", "X")]),
        (format!("/contacts/{id}"), vec![("first_name", "Changed")]),
        ("/contacts/bulk".to_owned(), vec![("id", id.as_str()), ("action", "stage"), ("stage_value", "lead")]),
        (format!("/contacts/{id}/notes"), vec![("body", "hi")]),
        ("/settings/users".to_owned(), vec![("email", "x@y.pl"), ("role", "admin")]),
    ] {
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend(fields);
        let r = b.post(&path, &all).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.text);
        assert!(r.text.contains("Your role does not allow this."), "{}", r.text);
    }
    assert_eq!(b.get("/import").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/v1/contacts/{id}")).await.json()["first_name"], "Zofia");
}

pub async fn language_switch_makes_pages_rtl(app: &App) {
    let mut b = admin(app).await;
    let page = b.get("/contacts").await;
    assert!(page.text.contains("<html lang=\"en\" dir=\"ltr\">"));
    let csrf = csrf_of(&page);
    let r = b.post("/language", &[("csrf", &csrf), ("locale", "fa"), ("next", "/contacts")]).await;
    assert_eq!(location(&r), "/contacts");
    let page = b.get("/contacts").await;
    assert!(page.text.contains("<html lang=\"fa\" dir=\"rtl\">"), "{}", &page.text[..200]);
    assert!(page.text.contains(">مخاطبان<") && page.text.contains(">شرکت‌ها<"), "navigation is translated");
    // Persian digits in figures, and the choice is kept with the user.
    app.post("/api/v1/contacts", json!({"first_name": "Sara"})).await;
    let home = b.get("/").await;
    assert!(home.text.contains("۱ مخاطب"), "{}", home.text);
    let user = app.state.store.user_by_email("admin@test.pl").await.unwrap().unwrap();
    assert_eq!(user.locale.as_deref(), Some("fa"));
    // Error pages speak the language too.
    let missing = b.get("/contacts/no-such-id").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text.contains("dir=\"rtl\"") && missing.text.contains("پیدا نشد"));
    let r = b.post("/language", &[("csrf", &csrf), ("locale", "klingon")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

pub async fn import_through_the_pages(app: &App) {
    let mut b = admin(app).await;
    let csrf = b.csrf().await;
    let csv = "E-mail;Nome;Cognome;Telefono\nmario@rossi.it;Mario;Rossi;+39 02 1234 5678\nnot-an-email;Bad;Row;\nlucia@bianchi.it;Lucia;Bianchi;\n";
    let (ct, body) = super::imports::multipart(
        &[("csrf", &csrf), ("object", "contacts"), ("source_list", "fiera-2026")],
        csv.as_bytes(),
    );
    let req = Request::builder().method(Method::POST).uri("/import").header(header::CONTENT_TYPE, ct);
    let map = b.send(req, Body::from(body)).await;
    assert_eq!(map.status, StatusCode::OK, "{}", map.text);
    assert!(map.text.contains("mario@rossi.it"), "samples are shown");
    let upload_at = map.text.find("name=\"upload\" value=\"").unwrap() + "name=\"upload\" value=\"".len();
    let upload = map.text[upload_at..][..36].to_owned();
    // Detected mapping: E-mail → email, Nome → first_name.
    assert!(map.text.contains("<option value=\"email\" selected>"), "{}", map.text);
    assert!(map.text.contains("<option value=\"first_name\" selected>"));

    // Dry run first: nothing is stored.
    let fields = |mode: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("upload", upload.clone()),
            ("file_name", "people.csv".to_owned()),
            ("object", "contacts".to_owned()),
            ("source_list", "fiera-2026".to_owned()),
            ("map.0", "email".to_owned()),
            ("map.1", "first_name".to_owned()),
            ("map.2", "last_name".to_owned()),
            ("map.3", "phone".to_owned()),
            ("mode", mode.to_owned()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let dry = as_refs(&fields("dry_run"));
    let dry: Vec<(&str, &str)> = dry.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = b.post("/import/start", &dry).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let job = location(&r).trim_start_matches("/import/").to_owned();
    wait(app, &job).await;
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 0);
    let page = b.get(&format!("/import/{job}")).await;
    assert!(page.text.contains("Import this file now"), "{}", page.text);

    // Then for real, from the same upload.
    let r = b.post(&format!("/import/{job}/run"), &[("csrf", &csrf)]).await;
    let real = location(&r).trim_start_matches("/import/").to_owned();
    let done = wait(app, &real).await;
    assert_eq!((done["created"].as_i64(), done["rejected"].as_i64()), (Some(2), Some(1)), "{done}");
    let rejects = b.get(&format!("/api/v1/imports/{real}/rejects")).await;
    assert!(rejects.text.contains("not-an-email"), "{}", rejects.text);
    let tagged = app.get("/api/v1/contacts?source_list=fiera-2026&count=true").await.json();
    assert_eq!(tagged["total"], 2);
    let page = b.get(&format!("/import/{real}")).await;
    assert!(page.text.contains("Download rejected rows") && page.text.contains("Done"));

    // Undo it: an edit since refuses it at the page, in words; without the edit it goes.
    assert!(page.text.contains("Undo this import"), "{}", page.text);
    let mario = app.get("/api/v1/contacts?q=mario").await.json()["items"][0]["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/contacts/{mario}"), json!({"job_title": "CEO"})).await;
    let r = b.post(&format!("/import/{real}/undo"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("data-undo-error") && r.text.contains("changed since"), "{}", r.text);
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 2);
    app.delete(&format!("/api/v1/contacts/{mario}")).await;
    let r = b.post(&format!("/import/{real}/undo"), &[("csrf", &csrf)]).await;
    // Lucia, and the companies of the two work domains the import made.
    assert!(r.text.contains("data-undo-result") && r.text.contains("3 records deleted"), "{}", r.text);
    assert!(r.text.contains("Undone") && !r.text.contains("Undo this import"), "{}", r.text);
    assert_eq!(app.get("/api/v1/contacts?count=true").await.json()["total"], 0);

    // A file that is not CSV is refused in words.
    let (ct, body) = super::imports::multipart(&[("csrf", &csrf), ("object", "contacts")], b"\x00\x01\x02binary");
    let req = Request::builder().method(Method::POST).uri("/import").header(header::CONTENT_TYPE, ct);
    let r = b.send(req, Body::from(body)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("not text"), "{}", r.text);
}

async fn wait(app: &App, job: &str) -> Value {
    for _ in 0..500 {
        let j = app.get(&format!("/api/v1/imports/{job}")).await.json();
        if ["done", "failed", "cancelled"].contains(&j["status"].as_str().unwrap()) {
            return j;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("job {job} did not finish");
}

pub async fn every_screen_renders(app: &App) {
    let company = app.post("/api/v1/companies", json!({"name": "Firma", "domain": "firma.pl"})).await.json();
    let cid = company["id"].as_str().unwrap();
    let contact = app
        .post("/api/v1/contacts", json!({"first_name": "Piotr", "emails": ["piotr@firma.pl"], "company_id": cid}))
        .await
        .json();
    let pid = contact["id"].as_str().unwrap();
    let deal = app
        .post(
            "/api/v1/deals",
            json!({"name": "Licenze", "amount": 120050, "currency": "EUR", "company_id": cid, "contact_ids": [pid]}),
        )
        .await
        .json();
    let did = deal["id"].as_str().unwrap();
    app.post("/api/v1/properties", json!({"object": "contact", "name": "budget", "label": "Budget", "type": "enum", "options": ["small", "large"]})).await;
    let mut b = admin(app).await;
    for path in [
        "/".to_owned(),
        "/contacts".into(),
        "/contacts?sort=-first_name&col=name&col=email&col=country".into(),
        "/contacts?f=country&op=eq&v=PL".into(),
        format!("/contacts/{pid}"),
        "/contacts/new".into(),
        "/companies".into(),
        format!("/companies/{cid}"),
        "/companies/new".into(),
        "/deals".into(),
        format!("/deals/{did}"),
        format!("/deals/new?company_id={cid}"),
        "/import".into(),
        "/settings".into(),
        "/search?q=piotr".into(),
        "/duplicates".into(),
        "/duplicates?status=dismissed".into(),
        "/analytics".into(),
        "/analytics/clv".into(),
        "/analytics/health".into(),
        "/analytics/journey".into(),
        "/analytics/reports".into(),
        "/analytics/reports?from=2026-01-01&to=2026-06-30".into(),
        format!("/analytics/journey?contact_id={pid}"),
        format!("/analytics/journey?company_id={cid}"),
        "/analytics/clv?horizon_months=24&discount_rate=0.02".into(),
        "/deals/board".into(),
        "/settings/pipelines".into(),
        "/deals/board?pipeline=renewal&close_month=2026-12".into(),
        "/forecast".into(),
        "/forecast?by=owner".into(),
        "/analytics?step=page_view&step=purchase&breakdown=country&mode=strict_order&window=12&unit=hours".into(),
        "/segments".into(),
        "/queue".into(),
        "/settings/routing".into(),
        "/settings/scoring".into(),
        "/settings/sites".into(),
        "/forms".into(),
        "/forms/new".into(),
        "/campaigns".into(),
        "/pages".into(),
        "/pages/new".into(),
        "/settings/webhooks".into(),
    ] {
        let r = b.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        assert!(r.text.starts_with("<!doctype html>"), "{path}");
        assert!(r.headers.get(header::CONTENT_SECURITY_POLICY).is_some(), "{path}");
    }
    // The contact's page shows its scores now, each with what made it.
    let contact_page = b.get(&format!("/contacts/{pid}")).await;
    assert!(contact_page.text.contains("<h2 id=\"scores-h\">Scores</h2>"), "{}", contact_page.text);
    assert_eq!(contact_page.text.matches("data-score>").count(), 3, "fit, engagement and product");
    assert!(contact_page.text.contains("Work address"), "the fit rule a firma.pl address meets");
    // The company's page shows the account's own fit and its people's engagement.
    let company_page = b.get(&format!("/companies/{cid}")).await;
    assert!(company_page.text.contains("<h2 id=\"account-h\">Account score"), "{}", company_page.text);
    assert!(company_page.text.contains("<strong>Account fit</strong>"), "{}", company_page.text);
    // A refusal about a value the form carries hidden (the company of a new deal) is said above it.
    let csrf = b.csrf().await;
    let r = b.post("/deals/new", &[("csrf", &csrf), ("name", "Ghost deal"), ("company_id", "no-such-company")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("class=\"error\" role=\"alert\">there is no company no-such-company"), "{}", r.text);
    let deal_page = b.get(&format!("/deals/{did}")).await;
    assert!(deal_page.text.contains("€1,200.50"), "money in the reader's format");
    // Link the contact to its company with a role, from the contact's page.

    let r = b
        .post(
            &format!("/contacts/{pid}/companies"),
            &[("csrf", &csrf), ("domain", "nowhere.example"), ("role", "champion")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("No company has the domain nowhere.example"), "{}", r.text);
    let r = b
        .post(
            &format!("/contacts/{pid}/companies"),
            &[("csrf", &csrf), ("domain", "https://www.Firma.pl/"), ("role", "champion")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let company_page = b.get(&format!("/companies/{cid}")).await;
    assert!(company_page.text.contains("Champion"), "{}", company_page.text);
    let r = b.post(&format!("/contacts/{pid}/companies/{cid}/unlink"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!b.get(&format!("/companies/{cid}")).await.text.contains("Champion"));
    let company_page = b.get(&format!("/companies/{cid}")).await;
    assert!(company_page.text.contains("Licenze"), "the company's deals");
    // A bad filter is said above the list, not a crash.
    let r = b.get("/contacts?f=country&op=eq&v=Atlantis").await;
    assert!(r.text.contains("class=\"error\""), "{}", r.text);
    // Chosen columns are remembered.
    b.get("/contacts?col=name&col=country").await;
    let again = b.get("/contacts").await;
    assert!(again.text.contains(">Country<") && !again.text.contains(">Lead status</a>"), "{}", again.text);
    // Assets are served with a content hash in the URL.
    let css_at = again.text.find("/assets/app.css?v=").unwrap();
    let css = b.get(&again.text[css_at..][..again.text[css_at..].find('"').unwrap()]).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.text.contains("inset-inline-start"), "logical properties");
    assert_eq!(b.get("/assets/nope.js").await.status, StatusCode::NOT_FOUND);
    // A browser that wanders off gets a page; an API client gets JSON.
    let req = Request::builder().uri("/no/such/page").header(header::ACCEPT, "text/html,*/*");
    let r = b.send(req, Body::empty()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text.contains("<h1>Not found</h1>"), "{}", r.text);
    app.get("/api/v1/nothing").await.error(404, "not_found", None);
}

/// The possible duplicates screen shows a shared-phone pair side by side, and its forms merge
/// or keep apart (with the CSRF token; without it nothing changes).
pub async fn duplicates_are_reviewed_on_their_screen(app: &App) {
    let mut ids = Vec::new();
    for (name, email) in [("Anna", "anna@firma.pl"), ("Bruno", "bruno@firma.pl"), ("<b>Zofia</b>", "zofia@firma.pl")] {
        let c = app
            .post("/api/v1/contacts", json!({"first_name": name, "emails": [email], "phones": ["+48 22 123 45 67"]}))
            .await;
        ids.push(c.json()["id"].as_str().unwrap().to_owned());
    }
    let mut b = admin(app).await;
    let page = b.get("/duplicates").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("Same phone number") && page.text.contains("bruno@firma.pl"), "{}", page.text);
    assert!(page.text.contains("Zofia") && !page.text.contains("<b>Zofia"), "names are escaped");
    assert!(page.text.contains("To review (3)"));
    let pairs = app.get("/api/v1/duplicates").await.json();
    let pair = pairs["items"][0]["id"].as_str().unwrap().to_owned();
    let refused = b.post(&format!("/duplicates/{pair}/dismiss"), &[("csrf", "wrong")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let csrf = b.csrf().await;
    let r = b.post(&format!("/duplicates/{pair}/dismiss"), &[("csrf", &csrf)]).await;
    assert_eq!(location(&r), "/duplicates?notice=dismissed");
    assert!(b.get(&location(&r)).await.text.contains("Kept apart (1)"));
    let other = app.get("/api/v1/duplicates").await.json()["items"][0]["id"].as_str().unwrap().to_owned();
    let r = b.post(&format!("/duplicates/{other}/merge"), &[("csrf", &csrf)]).await;
    assert_eq!(location(&r), "/duplicates?notice=merged");
    assert_eq!(app.get(&format!("/api/v1/duplicates/{other}")).await.json()["status"], "merged");
    let r = b.post("/duplicates/scan", &[("csrf", &csrf)]).await;
    assert_eq!(location(&r), "/duplicates?notice=scanned&n=0");
    let fa = b.get("/duplicates?status=merged").await;
    assert_eq!(fa.status, StatusCode::OK);
}

/// Owner and assignee choices list people who can work on records: not read-only users (a
/// contact already owned by one still shows its owner).
/// A list says how many records match.
pub async fn lists_show_their_total(app: &App) {
    for (name, country) in [("Ala", "PL"), ("Ola", "PL"), ("Eva", "IT")] {
        app.post("/api/v1/contacts", json!({"first_name": name, "country": country})).await;
    }
    let mut b = admin(app).await;
    assert!(b.get("/contacts").await.text.contains(">3 matches<"));
    assert!(b.get("/contacts?country=IT").await.text.contains(">1 match<"));
}

pub async fn owners_offered_can_write(app: &App) {
    app.user("viewer@test.pl", leadline_core::role::Role::ReadOnly, leadline_core::role::TokenScope::Read).await;
    app.user("rep@test.pl", leadline_core::role::Role::Sales, leadline_core::role::TokenScope::Write).await;
    let c = app.post("/api/v1/contacts", json!({"first_name": "Olga", "emails": ["olga@x.pl"]})).await.json();
    let mut b = admin(app).await;
    let page = b.get(&format!("/contacts/{}", c["id"].as_str().unwrap())).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("rep@test.pl"), "a sales rep is offered");
    assert!(!page.text.contains("viewer@test.pl"), "a read-only user is not offered");
    let list = b.get("/contacts").await;
    assert!(!list.text.contains("viewer@test.pl"), "nor in the bulk owner choice");
}

/// Codes people type or import are shown as words: a deal stage, an industry, a timeline's
/// channel, in the reader's language, and a code no catalog knows reads as a phrase.
pub async fn codes_read_as_words(app: &App) {
    let co = app.post("/api/v1/companies", json!({"name": "Kodowo", "industry": "financial_services"})).await.json();
    let deal = app
        .post(
            "/api/v1/deals",
            json!({"name": "Umowa", "stage": "contract_sent", "company_id": co["id"], "amount": 100, "close_date": "2026-12-01"}),
        )
        .await
        .json();
    // A pipeline of one's own, whose stage no catalog knows.
    let mut pipelines = app.get("/api/v1/pipelines").await.json();
    pipelines.as_array_mut().unwrap().push(json!({"key": "partners", "label": "Partners", "kind": "new_business",
        "stages": [{"key": "waiting_for_budget", "label": "Waiting for budget", "probability": 10}]}));
    let r = app.put("/api/v1/pipelines", pipelines).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let other = app
        .post("/api/v1/deals", json!({"name": "Inna", "pipeline": "partners", "stage": "waiting_for_budget"}))
        .await
        .json();
    let c = app.post("/api/v1/contacts", json!({"first_name": "Kanał", "emails": ["kanal@x.pl"]})).await.json();
    let cid = c["id"].as_str().unwrap();
    app.post("/api/v1/activities", json!({"type": "page_view", "contact_id": cid, "channel": "web"})).await;
    let mut b = admin(app).await;
    let page = b.get(&format!("/deals/{}", deal["id"].as_str().unwrap())).await;
    assert!(page.text.contains("Contract sent") && !page.text.contains(">contract_sent<"), "{}", page.text);
    assert!(b.get(&format!("/deals/{}", other["id"].as_str().unwrap())).await.text.contains("Waiting for budget"));
    assert!(b.get("/companies").await.text.contains("Financial services"));
    assert!(b.get("/deals").await.text.contains("Contract sent"));
    let csrf = b.csrf().await;
    b.post("/language", &[("csrf", &csrf), ("locale", "it"), ("next", "/")]).await;
    let it = b.get(&format!("/deals/{}", deal["id"].as_str().unwrap())).await;
    assert!(it.text.contains("Contratto inviato"), "{}", it.text);
    let timeline = b.get(&format!("/contacts/{cid}")).await;
    assert!(timeline.text.contains("Web"), "{}", timeline.text);
}

/// A new contact with an e-mail another contact has is refused at the field, with a link to
/// the contact that has it.
pub async fn a_taken_email_links_to_its_contact(app: &App) {
    let holder = app.post("/api/v1/contacts", json!({"first_name": "Ola", "emails": ["ola@firma.pl"]})).await.json();
    let mut b = admin(app).await;
    let csrf = b.csrf().await;
    let r = b.post("/contacts/new", &[("csrf", &csrf), ("first_name", "Ola2"), ("emails", "OLA@firma.pl")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let link = format!("<a href=\"/contacts/{}\">Open that contact</a>", holder["id"].as_str().unwrap());
    assert!(r.text.contains(&link), "{}", r.text);
}

/// A column no field takes is kept as a new custom property, named after its header and typed
/// from its values, chosen on the mapping screen.
pub async fn an_unmapped_column_becomes_a_property(app: &App) {
    let mut b = admin(app).await;
    let csrf = b.csrf().await;
    let csv = "Email,Mautic points,Last Activity Date,Marketing contact status\n\
        a@x.pl,12,2026-03-15 10:22,Marketing contact\n\
        b@x.pl,3,15.03.2026,Non-marketing contact\n";
    let (ct, body) = super::imports::multipart(&[("csrf", &csrf), ("object", "contacts")], csv.as_bytes());
    let req = Request::builder().method(Method::POST).uri("/import").header(header::CONTENT_TYPE, ct);
    let map = b.send(req, Body::from(body)).await;
    assert!(map.text.contains("<option value=\"new_property\">Keep as a new property</option>"), "{}", map.text);
    let upload_at = map.text.find("name=\"upload\" value=\"").unwrap() + "name=\"upload\" value=\"".len();
    let upload = map.text[upload_at..][..36].to_owned();
    let form = [
        ("csrf", csrf.as_str()),
        ("upload", upload.as_str()),
        ("file_name", "mautic.csv"),
        ("object", "contacts"),
        ("map.0", "email"),
        ("map.1", "new_property"),
        ("map.2", "new_property"),
        ("map.3", "new_property"),
        ("mode", "import"),
    ];
    let r = b.post("/import/start", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    wait(app, location(&r).trim_start_matches("/import/")).await;
    let props = app.get("/api/v1/properties").await.json();
    let kind = |name: &str| {
        props
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["type"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(kind("mautic_points").as_deref(), Some("number"), "{props}");
    assert_eq!(kind("last_activity_date").as_deref(), Some("date"), "{props}");
    assert_eq!(kind("marketing_contact_status").as_deref(), Some("text"), "{props}");
    let a = app.get("/api/v1/contacts?email=a@x.pl").await.json()["items"][0].clone();
    assert_eq!(a["properties"]["mautic_points"], 12.0, "{a}");
    assert_eq!(a["properties"]["last_activity_date"], "2026-03-15");
    let b2 = app.get("/api/v1/contacts?email=b@x.pl").await.json()["items"][0].clone();
    assert_eq!(b2["properties"]["last_activity_date"], "2026-03-15", "day-first dates read too");
}

/// "All that match" takes the list's filter, not the ticked rows: a few records are changed in
/// the request, many by a job with a page of its own. Companies and deals have bulk actions too.
pub async fn bulk_actions_take_every_match_and_every_list(app: &App) {
    let items: Vec<Value> = (0..520)
        .map(|n| json!({"first_name": format!("Osoba{n}"), "emails": [format!("osoba{n}@firma.pl")], "lifecycle_stage": if n < 3 { "lead" } else { "subscriber" }}))
        .collect();
    for chunk in items.chunks(260) {
        let r = app.post("/api/v1/contacts/batch", json!({ "items": chunk })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let mut b = admin(app).await;
    let csrf = b.csrf().await;
    let list = b.get("/contacts?lifecycle_stage=lead").await;
    assert!(list.text.contains("data-all-matching"), "{}", list.text);

    // Three leads, none ticked: "all that match" tags exactly them, within the request.
    let form = [
        ("csrf", csrf.as_str()),
        ("all", "matching"),
        ("action", "tag"),
        ("tag_value", "fiera; vip"),
        ("back", "/contacts?lifecycle_stage=lead"),
    ];
    let r = b.post("/contacts/bulk", &form).await;
    assert_eq!(location(&r), "/contacts?lifecycle_stage=lead&notice=updated&n=3");
    assert_eq!(app.get("/api/v1/contacts?tag=vip&count=true").await.json()["total"], 3);

    // Every contact (520, past what a request does): a job, with its page.
    let form = [
        ("csrf", csrf.as_str()),
        ("all", "matching"),
        ("action", "stage"),
        ("stage_value", "mql"),
        ("back", "/contacts"),
    ];
    let r = b.post("/contacts/bulk", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let job_page = location(&r);
    assert!(job_page.starts_with("/jobs/"), "{job_page}");
    let job = job_page.trim_start_matches("/jobs/").to_owned();
    wait(app, &job).await;
    assert_eq!(app.get("/api/v1/contacts?lifecycle_stage=mql&count=true").await.json()["total"], 520);
    let page = b.get(&job_page).await;
    assert!(page.text.contains("Done") && page.text.contains("520"), "{}", page.text);

    // Moving every match back asks first, and changes nothing until it is ticked.
    let form = [
        ("csrf", csrf.as_str()),
        ("all", "matching"),
        ("action", "stage"),
        ("stage_value", "subscriber"),
        ("back", "/contacts?q=osoba1"),
    ];
    let refused = b.post("/contacts/bulk", &form).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert_eq!(app.get("/api/v1/contacts?lifecycle_stage=subscriber&count=true").await.json()["total"], 0);

    // Companies and deals: owner, tier and stage on the ticked rows, and a confirmed delete.
    let me = app.get("/api/v1/auth/me").await.json()["user"]["id"].as_str().unwrap().to_owned();
    let co = app.post("/api/v1/companies", json!({"name": "Wisła"})).await.json()["id"].as_str().unwrap().to_owned();
    let r = b.post("/companies/bulk", &[("csrf", &csrf), ("id", &co), ("action", "owner"), ("owner_value", &me)]).await;
    assert_eq!(location(&r), "/companies?notice=updated&n=1");
    assert!(b.get(&location(&r)).await.text.contains("1 company updated"));
    assert_eq!(app.get(&format!("/api/v1/companies/{co}")).await.json()["owner_id"], me.as_str());
    let licenze = json!({"name": "Licenze", "company_id": co, "amount": 90_000, "close_date": "2027-03-31"});
    let deal = app.post("/api/v1/deals", licenze).await.json()["id"].as_str().unwrap().to_owned();
    // In bulk as one at a time: a contract is sent to a company for an amount by a date, so the
    // deal without them stays where it was.
    let bare = app.post("/api/v1/deals", json!({"name": "Nessuno"})).await.json()["id"].as_str().unwrap().to_owned();
    let form =
        [("csrf", csrf.as_str()), ("id", &deal), ("id", &bare), ("action", "stage"), ("stage_value", "contract_sent")];
    let r = b.post("/deals/bulk", &form).await;
    assert_eq!(location(&r), "/deals?notice=updated&n=1", "{}", r.text);
    assert_eq!(app.get(&format!("/api/v1/deals/{deal}")).await.json()["stage"], "contract_sent");
    assert_eq!(app.get(&format!("/api/v1/deals/{bare}")).await.json()["stage"], "appointment_scheduled");
    let r =
        b.post("/deals/bulk", &[("csrf", &csrf), ("id", &deal), ("action", "status"), ("status_value", "won")]).await;
    assert_eq!(location(&r), "/deals?notice=updated&n=0", "won needs a reason: {}", r.text);
    assert_eq!(app.get(&format!("/api/v1/deals/{deal}")).await.json()["status"], "open");
    app.delete(&format!("/api/v1/deals/{bare}")).await;
    let list = b.get("/deals").await;
    assert!(list.text.contains("id=\"bulk\"") && list.text.contains("name=\"id\""), "deals have bulk actions");
    let ask = b.post("/deals/bulk", &[("csrf", &csrf), ("id", &deal), ("action", "delete")]).await;
    assert!(ask.text.contains("Delete 1 deal?"), "{}", ask.text);
    let r = b
        .post(
            "/deals/bulk",
            &[("csrf", &csrf), ("id", &deal), ("action", "delete"), ("confirm", "yes"), ("back", "/deals")],
        )
        .await;
    assert_eq!(location(&r), "/deals?notice=deleted&n=1");
    assert_eq!(app.get("/api/v1/deals?count=true").await.json()["total"], 0);
}

/// A segment made on its page, refused in words where its condition fails, then filled by the
/// engine and shown with its members.
pub async fn segments_are_made_and_seen_on_their_pages(app: &App) {
    let c = app.post("/api/v1/contacts", json!({"first_name": "Wanda", "country": "PL"})).await.json();
    let mut b = admin(app).await;
    let csrf = b.csrf().await;
    let empty = b.get("/segments").await;
    assert!(empty.text.contains("No segments yet.") && empty.text.contains("href=\"/segments\""), "{}", empty.text);
    let bad = b.post("/segments", &[("csrf", &csrf), ("name", "Busy"), ("condition", "count(page_view) > 2")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(bad.text.contains("id=\"seg-condition-error\"") && bad.text.contains("needs a window"), "{}", bad.text);
    assert!(bad.text.contains(">count(page_view) &#62; 2</textarea>"), "what was typed is kept: {}", bad.text);
    let counted = b
        .post("/segments", &[("csrf", &csrf), ("name", "Poland"), ("condition", "country = \"PL\""), ("preview", "1")])
        .await;
    assert_eq!(counted.status, StatusCode::OK, "{}", counted.text);
    assert!(counted.text.contains("1 contact meets it now."), "a preview counts: {}", counted.text);
    assert!(b.get("/segments").await.text.contains("No segments yet."), "and makes nothing");
    let r = b.post("/segments", &[("csrf", &csrf), ("name", "Poland"), ("condition", "country = \"PL\"")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = location(&r);
    let engine = leadline_server::engine::Engine::new("web-test");
    let now = leadline_server::now();
    for n in 0..5 {
        engine.step(app.state.store.as_ref(), now + n).await.unwrap();
    }
    let seg = b.get(&page).await;
    assert!(
        seg.text.contains("1 contact") && seg.text.contains(&format!("/contacts/{}", c["id"].as_str().unwrap())),
        "{}",
        seg.text
    );
    assert!(seg.text.contains("1 entered · 0 left"), "the segment's history: {}", seg.text);
    assert!(b.get("/segments").await.text.contains("1 contact"));
    // A static list: made with no condition, filled from the contacts list's bulk form.
    let r =
        b.post("/segments", &[("csrf", &csrf), ("name", "Trade fair"), ("kind", "static"), ("condition", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let list_page = location(&r);
    let lid = list_page.trim_start_matches("/segments/").to_owned();
    let contacts = b.get("/contacts").await;
    assert!(
        contacts.text.contains("value=\"list\"") && contacts.text.contains(">Trade fair</option>"),
        "{}",
        contacts.text
    );
    let cid = c["id"].as_str().unwrap();
    let r = b
        .post(
            "/contacts/bulk",
            &[("csrf", &csrf), ("id", cid), ("action", "list"), ("list_value", &lid), ("back", "/contacts")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = b.get(&list_page).await;
    assert!(page.text.contains("1 contact") && page.text.contains(&format!("value=\"{cid}\"")), "{}", page.text);
    assert!(page.text.contains(&format!("/api/v1/exports/contacts.csv?segment={lid}")), "{}", page.text);
    let r = b.post(&format!("{list_page}/remove"), &[("csrf", &csrf), ("contact_id", cid)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(b.get(&list_page).await.text.contains("0 contacts"));
}

/// Routing from its settings page (rules one to a line, refused at the line that does not
/// read; a member added), and the lead it routes in the work queue, with its reason.
pub async fn routing_is_set_on_its_page_and_leads_reach_the_queue(app: &App) {
    let mut b = admin(app).await;
    let csrf = b.csrf().await;
    let me = app.get("/api/v1/auth/me").await.json()["user"]["id"].as_str().unwrap().to_owned();
    let bad = b
        .post(
            "/settings/routing",
            &[("csrf", &csrf), ("rules", "account owner\nterritory PL cee"), ("sla_minutes", "60")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(bad.text.contains("id=\"routing-rules-error\"") && bad.text.contains("Line 2"), "{}", bad.text);
    assert!(bad.text.contains("territory PL cee</textarea>"), "what was typed is kept");
    let r = b
        .post(
            "/settings/routing",
            &[("csrf", &csrf), ("rules", "account owner\nterritory PL -> cee"), ("sla_minutes", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("id=\"routing-sla-error\""), "{}", r.text);
    let r = b
        .post(
            "/settings/routing",
            &[("csrf", &csrf), ("rules", "territory PL -> cee\nround robin sales"), ("sla_minutes", "90")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let bad = b
        .post("/settings/routing/members", &[("csrf", &csrf), ("user_id", &me), ("team", "cee"), ("weight", "two")])
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a weight that is not a number is refused, not taken as 1"
    );
    assert!(bad.text.contains("This must be a whole number."), "said at the field: {}", bad.text);
    let r = b
        .post("/settings/routing/members", &[("csrf", &csrf), ("user_id", &me), ("team", "cee"), ("weight", "2")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = b.get("/settings/routing?saved=1").await;
    assert!(
        page.text.contains("Routing saved.") && page.text.contains("round robin sales</textarea>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("<td><bdi>cee</bdi></td><td>2</td>"), "{}", page.text);
    // A Polish lead becomes an MQL: routing gives it to the one member of cee.
    let c = app
        .post("/api/v1/contacts", json!({"first_name": "Zofia", "job_title": "CEO", "emails": ["zofia@stal.pl"], "country": "PL", "lifecycle_stage": "lead"}))
        .await
        .json();
    let id = c["id"].as_str().unwrap();
    let co = app.post("/api/v1/companies", json!({"name": "Stal", "employee_count": 500})).await.json();
    app.patch(&format!("/api/v1/contacts/{id}"), json!({"company_id": co["id"]})).await;
    let visit = json!({"type": "page_view", "contact_id": id, "properties": {"url": "https://stal.example/pricing"}});
    app.post("/api/v1/activities", json!([visit.clone(), visit, {"type": "form_submission", "contact_id": id}])).await;
    let engine = leadline_server::engine::Engine::new("web-test");
    for _ in 0..10 {
        engine.step(app.state.store.as_ref(), leadline_server::now()).await.unwrap();
    }
    let queue = b.get("/queue").await;
    assert!(queue.text.contains(&format!("/contacts/{id}")), "{}", queue.text);
    assert!(queue.text.contains("Territory PL, team cee"), "{}", queue.text);
    assert!(queue.text.contains("1 open lead"), "{}", queue.text);
    let team = b.get("/queue?team=cee&sla=breached").await;
    assert!(team.text.contains("No open leads here."), "nothing is late yet: {}", team.text);
}

/// The fields a page's form would send as it stands: its inputs' values (checkboxes only when
/// checked) and its selects' chosen options.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let unescape = |v: &str| {
        v.replace("&quot;", "\"")
            .replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#60;", "<")
            .replace("&#62;", ">")
            .replace("&amp;", "&")
            .replace("&#38;", "&")
    };
    let attr = |tag: &str, name: &str| {
        let key = format!(" {name}=\"");
        tag.find(&key).map(|i| {
            let rest = &tag[i + key.len()..];
            unescape(&rest[..rest.find('"').unwrap()])
        })
    };
    let mut out = Vec::new();
    for (i, _) in html.match_indices("<input") {
        let tag = &html[i..i + html[i..].find('>').unwrap()];
        let Some(name) = attr(tag, "name") else { continue };
        if tag.contains("type=\"checkbox\"") && !tag.contains(" checked") {
            continue;
        }
        out.push((name, attr(tag, "value").unwrap_or_default()));
    }
    for (i, _) in html.match_indices("<select") {
        let body = &html[i..i + html[i..].find("</select>").unwrap()];
        let name = attr(&body[..body.find('>').unwrap()], "name").unwrap();
        let chosen = body.split("<option").skip(1).find(|o| o.contains(" selected")).or(body.split("<option").nth(1));
        out.push((name, chosen.and_then(|o| attr(o, "value")).unwrap_or_default()));
    }
    out
}

/// Score rules are edited on their page: a preview says what would change and changes nothing,
/// a bad rule is refused at its row with the form kept, and an apply sends to the job that
/// follows the engine, after which the lead is an MQL.
pub async fn scoring_rules_are_previewed_and_applied_on_their_page(app: &App) {
    let mut b = admin(app).await;
    let page = b.get("/settings/scoring").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("The rules a fresh install ships apply now."), "{}", page.text);
    let c = app
        .post("/api/v1/contacts", json!({"first_name": "Ola", "last_name": "Nowak", "job_title": "Engineer", "emails": ["ola@fabryka.pl"], "country": "PL"}))
        .await
        .json();
    let id = c["id"].as_str().unwrap().to_owned();
    let form = json!({"type": "form_submission", "contact_id": id});
    app.post("/api/v1/activities", json!([form, form])).await;
    let engine = leadline_server::engine::Engine::new("web-test");
    let settle = async || {
        for n in 0..20 {
            engine.step(app.state.store.as_ref(), leadline_server::now() + n).await.unwrap();
        }
    };
    settle().await;
    let mut fields = form_fields(&page.text);
    let row = fields.iter().find(|(_, v)| v == "Target country").unwrap().0.replace(".name", "");
    let points = fields.iter_mut().find(|(k, _)| *k == format!("{row}.points")).unwrap();
    points.1 = "30".into();
    let with = |fields: &[(String, String)], extra: &[(&str, &str)]| {
        let mut all: Vec<(String, String)> = fields.to_vec();
        all.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        all
    };
    let send = async |b: &mut Browser<'_>, all: Vec<(String, String)>| {
        let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        b.post("/settings/scoring", &refs).await
    };
    let preview = send(&mut b, with(&fields, &[("action", "preview")])).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert!(preview.text.contains("data-preview"), "{}", preview.text);
    assert!(preview.text.contains("<td><bdi>C</bdi></td><td><bdi>B</bdi></td><td>1</td>"), "{}", preview.text);
    assert!(preview.text.contains("<td>Lead</td><td>Marketing qualified lead</td><td>1</td>"), "{}", preview.text);
    assert!(preview.text.contains(&format!("<a href=\"/contacts/{id}\"><bdi>Ola Nowak</bdi></a>")), "{}", preview.text);
    assert!(preview.text.contains("value=\"30\""), "the form as typed is kept");
    assert_eq!(app.get(&format!("/api/v1/contacts/{id}")).await.json()["lifecycle_stage"], "lead");

    // A behaviour rule without a window is refused at its row.
    let mut bad = fields.clone();
    bad.iter_mut().find(|(k, _)| k == "m1.r0.window").unwrap().1 = String::new();
    let r = send(&mut b, with(&bad, &[("action", "apply")])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("name=\"m1.r0.window\" value=\"\" inputmode=\"numeric\" size=\"4\" aria-label=\"Window (days)\" aria-invalid=\"true\""), "{}", r.text);
    assert_eq!(app.get("/api/v1/rules").await.json()["version"], Value::Null, "nothing applied");

    fields.iter_mut().find(|(k, _)| k == "note").unwrap().1 = "Poland first".into();
    let r = send(&mut b, with(&fields, &[("action", "apply")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let job = location(&r);
    assert!(job.starts_with("/jobs/"), "{job}");
    settle().await;
    let page = b.get(&job).await;
    assert!(page.text.contains("Deciding every contact again under the new rules"), "{}", page.text);
    assert!(!page.text.contains("/cancel"), "an apply is not stopped halfway");
    assert_eq!(app.get(&format!("/api/v1/contacts/{id}")).await.json()["lifecycle_stage"], "mql");
    let page = b.get("/settings/scoring").await;
    assert!(page.text.contains("Version 1 applies now.") && page.text.contains("Poland first"), "{}", page.text);
}

pub async fn forms_are_built_on_their_page(app: &App) {
    let site = app.post("/api/v1/sites", json!({"name": "Acme", "allowed_origins": ["https://acme.io"]})).await.json();
    let site_id = site["id"].as_str().unwrap();
    let mut b = admin(app).await;
    let csrf = b.csrf().await;
    assert!(b.get("/forms").await.text.contains("No form yet."));
    let new = b.get("/forms/new").await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(
        new.text.contains(r#"name="f0.target""#) && new.text.contains(r#"name="f3.target""#),
        "the e-mail row and blank ones"
    );
    let row = |i: usize, k: &str| format!("f{i}.{k}");
    let (t0, l0, k0, r0) = (row(0, "target"), row(0, "label"), row(0, "kind"), row(0, "required"));
    let (t1, l1, k1) = (row(1, "target"), row(1, "label"), row(1, "kind"));
    let fields = |slug: &'static str, second_kind: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", "Newsletter".to_owned()),
            ("slug", slug.to_owned()),
            ("site_id", site_id.to_owned()),
            (t0.as_str(), "email".to_owned()),
            (l0.as_str(), "E-mail".to_owned()),
            (k0.as_str(), "email".to_owned()),
            (r0.as_str(), "1".to_owned()),
            (t1.as_str(), "first_name".to_owned()),
            (l1.as_str(), "Name".to_owned()),
            (k1.as_str(), second_kind.to_owned()),
            ("c0.channel", "email".to_owned()),
            ("c0.wording", "Yes, send me news".to_owned()),
        ]
    };
    let bad = fields("news", "email");
    let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = b.post("/forms/new", &refs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(
        r.text.contains("field-error") && r.text.contains("value=\"Yes, send me news\""),
        "shown at its row, kept: {}",
        r.text
    );
    let good = fields("news", "text");
    let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = b.post("/forms/new", &refs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = b.get(&location(&r)).await;
    assert!(page.text.contains("/f/news") && page.text.contains("data-leadline-form"), "{}", page.text);
    let public = b.get("/f/news").await;
    assert!(public.text.contains("Yes, send me news") && public.text.contains(r#"name="first_name""#));
    assert!(b.get("/forms").await.text.contains("Newsletter"));
}

pub async fn campaigns_are_made_and_reported_on_their_page(app: &App) {
    let mut b = admin(app).await;
    let csrf = b.csrf().await;
    assert!(b.get("/campaigns").await.text.contains("No campaign yet."));
    let r = b
        .post(
            "/campaigns",
            &[
                ("csrf", &csrf),
                ("name", "Brand search"),
                ("channel", "paid_search"),
                ("utm_campaign", "brand"),
                ("budget", "1.500,00"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let bad = b
        .post("/campaigns", &[("csrf", &csrf), ("name", "Again"), ("channel", "email"), ("utm_campaign", "BRAND")])
        .await;
    assert_eq!(bad.status, StatusCode::CONFLICT, "{}", bad.text);
    assert!(bad.text.contains("field-error"));
    let id = app.get("/api/v1/campaigns").await.json()[0]["id"].as_str().unwrap().to_owned();
    let today = leadline_core::date::date_of_millis(leadline_server::now());
    let r = b
        .post("/campaigns/spend", &[("csrf", &csrf), ("campaign_id", &id), ("when", &today), ("amount", "120.50")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = b.get("/campaigns").await;
    assert!(page.text.contains("Brand search") && page.text.contains("utm_campaign=brand"), "{}", page.text);
    assert!(
        page.text.contains("data-costs")
            && page.text.contains("data-quality")
            && page.text.contains("data-attribution")
    );
    assert!(page.text.contains("120.50") && page.text.contains("1,500.00"), "spend and budget shown: {}", page.text);
    let by_channel = b.get("/campaigns?by=channel&model=time_decay&conversion=won").await;
    assert_eq!(by_channel.status, StatusCode::OK);
    assert!(by_channel.text.contains("Paid search"));
}

pub async fn landing_pages_are_built_on_their_page(app: &App) {
    let site = app.post("/api/v1/sites", json!({"name": "Acme"})).await.json();
    let site_id = site["id"].as_str().unwrap();
    let mut b = admin(app).await;
    let csrf = b.csrf().await;
    assert!(b.get("/pages").await.text.contains("No landing page yet."));
    let base = [
        ("csrf", csrf.as_str()),
        ("name", "Spring launch"),
        ("slug", "spring"),
        ("site_id", site_id),
        ("a0.kind", "headline"),
        ("a0.text", "Spring is here"),
        ("a1.kind", "cta"),
        ("a1.text", "See plans"),
    ];
    let mut bad = base.to_vec();
    bad.push(("a1.url", "javascript:alert(1)"));
    let r = b.post("/pages/new", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("data-block-error") && r.text.contains("value=\"Spring is here\""), "{}", r.text);
    let mut good = base.to_vec();
    good.extend([
        ("a1.url", "https://acme.io/plans"),
        ("b0.kind", "headline"),
        ("b0.text", "Plans for spring"),
        ("split_b", "30"),
    ]);
    let r = b.post("/pages/new", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = b.get(&location(&r)).await;
    assert!(page.text.contains("/p/spring") && page.text.contains("value=\"30\""), "{}", page.text);
    assert!(page.text.contains("A: 0 views") && page.text.contains("B: 0 views"), "{}", page.text);
    assert!(b.get("/p/spring").await.text.contains("Spring"));
}

pub async fn funnels_are_drawn_on_their_page(app: &App) {
    let ann = app.post("/api/v1/contacts", json!({"first_name": "Ann", "country": "DE"})).await.json();
    let bob = app.post("/api/v1/contacts", json!({"first_name": "Bob", "country": "PL"})).await.json();
    let did = |who: &Value, kind: &str, at: &str, props: Value| json!({"type": kind, "contact_id": who["id"], "occurred_at": at, "properties": props});
    app.post(
        "/api/v1/activities",
        json!([
            did(&ann, "page_view", "2026-05-04T10:00:00Z", json!({"url": "/pricing"})),
            did(&ann, "purchase", "2026-05-04T12:30:00Z", json!({})),
            did(&bob, "page_view", "2026-05-05T10:00:00Z", json!({"url": "/"})),
        ]),
    )
    .await;
    let mut b = admin(app).await;
    let q = "step=page_view&where=&step=purchase&where=&window=7&unit=days&from=2026-05-01&to=2026-05-31";
    let page = b.get(&format!("/analytics?{q}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("<svg") && page.text.contains("class=\"chart-bar\""), "{}", page.text);
    // The table beside the chart: 2 viewed, 1 bought (50% of the first), 2 h 30 min later.
    assert!(page.text.contains("<td>50%</td>") && page.text.contains("2 h 30 min"), "{}", page.text);
    assert!(page.text.contains("From 2026-05-01 to 2026-06-01"), "the last day is included");
    // A filter, and a breakdown by country.
    let page = b.get("/analytics?step=page_view&where=url%3D/pricing&step=purchase&from=2026-05-01&to=2026-05-31&breakdown=country").await;
    assert!(
        page.text.contains("data-breakdown") && page.text.contains(">DE<") && !page.text.contains(">PL<"),
        "{}",
        page.text
    );
    // The CSV has the same figures.
    let csv = b.get(&format!("/analytics/funnel.csv?{q}&breakdown=country")).await;
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines[0],
        "group,step,type,count,dropped,conversion_from_previous,conversion_from_first,median_seconds,average_seconds"
    );
    assert_eq!(lines[1], ",1,page_view,2,0,1.0000,1.0000,,");
    assert_eq!(lines[2], ",2,purchase,1,1,0.5000,0.5000,9000.0000,9000.0000");
    assert!(lines.contains(&"PL,2,purchase,0,1,0.0000,0.0000,,"), "{lines:?}");
    // What is wrong is said at its field, the form kept.
    let bad = b.get("/analytics?step=bought&step=purchase").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("field-error") && bad.text.contains("value=\"bought\""), "{}", bad.text);
    let bad = b.get("/analytics?step=page_view&window=soon").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // An administrator keeps the funnel on the page under a key; it is offered from then on.
    let csrf = b.csrf().await;
    let r = b
        .post(
            "/analytics/presets",
            &[
                ("csrf", &csrf),
                ("step", "page_view"),
                ("where", ""),
                ("step", "purchase"),
                ("where", ""),
                ("window", "7"),
                ("unit", "days"),
                ("mode", "default"),
                ("key", "view_to_buy"),
                ("label", "View to buy"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(location(&r), "/analytics?preset=view_to_buy");
    assert!(b.get("/analytics").await.text.contains("View to buy"));
    // In Persian the chart runs right to left, with Persian digits.
    b.post("/language", &[("csrf", &csrf), ("locale", "fa"), ("next", "/analytics")]).await;
    let page = b.get(&format!("/analytics?{q}")).await;
    assert!(
        page.text.contains("dir=\"rtl\"")
            && page.text.contains("text-anchor=\"start\" dominant-baseline=\"middle\" class=\"chart-label\"")
    );
    assert!(page.text.contains("۲ (۱۰۰%)"), "{}", page.text);
}

pub async fn deals_move_on_the_board(app: &App) {
    let deal = app
        .post("/api/v1/deals", json!({"name": "Licenza", "stage": "appointment_scheduled", "amount": 50_000, "currency": "EUR", "close_date": "2026-09-10"}))
        .await
        .json();
    let id = deal["id"].as_str().unwrap();
    let mut b = admin(app).await;
    let board = b.get("/deals/board").await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.text);
    assert!(
        board.text.contains("data-deal=\"")
            && board.text.contains("Licenza")
            && board.text.contains("Appointment scheduled")
    );
    assert!(board.text.contains("data-stage=\"contract_sent\""), "every stage is a column");
    let csrf = b.csrf().await;
    let back = "/deals/board?pipeline=default";
    // A stage that asks for what the deal lacks is refused on the board, the deal where it was.
    let r = b.post(&format!("/deals/{id}/move"), &[("csrf", &csrf), ("back", back), ("stage", "contract_sent")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("data-board-error") && r.text.contains("company_id"), "{}", r.text);
    let r = b
        .post(&format!("/deals/{id}/move"), &[("csrf", &csrf), ("back", back), ("stage", "presentation_scheduled")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(location(&r), back);
    assert_eq!(app.get(&format!("/api/v1/deals/{id}")).await.json()["stage"], "presentation_scheduled");
    // Won needs a reason; then it leaves the board and counts as won in the forecast.
    let r = b.post(&format!("/deals/{id}/move"), &[("csrf", &csrf), ("back", back), ("outcome", "won")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = b
        .post(&format!("/deals/{id}/move"), &[("csrf", &csrf), ("back", back), ("outcome", "won"), ("reason", "price")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(!b.get(back).await.text.contains("Licenza"));
    // Won today: in this month's column, whatever close date it was expected on.
    let this_month = leadline_core::date::date_of_millis(leadline_server::now())[..7].to_owned();
    let f = b.get(&format!("/forecast?from={this_month}&to={this_month}")).await;
    assert_eq!(f.status, StatusCode::OK, "{}", f.text);
    assert!(f.text.contains("<svg") && f.text.contains("data-forecast") && f.text.contains(&this_month), "{}", f.text);
    assert!(f.text.contains("€500.00") || f.text.contains("500,00"), "{}", f.text);
}

pub async fn pipelines_rates_and_goals_are_set_on_their_page(app: &App) {
    let mut b = admin(app).await;
    let page = b.get("/settings/pipelines").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("appointment_scheduled | Appointment scheduled | 20 | pipeline | 14 |"),
        "{}",
        page.text
    );
    let csrf = b.csrf().await;
    let pipelines = app.get("/api/v1/pipelines").await.json();
    let mut fields: Vec<(String, String)> = vec![("csrf".into(), csrf.clone())];
    for p in pipelines.as_array().unwrap() {
        let stages = leadline_core::pipeline::format_stages(
            &p["stages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| leadline_core::pipeline::Stage {
                    key: s["key"].as_str().unwrap().into(),
                    label: s["label"].as_str().unwrap().into(),
                    probability: s["probability"].as_u64().unwrap() as u8,
                    category: s["category"].as_str().unwrap().into(),
                    required: s["required"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r.as_str().unwrap().to_owned())
                        .collect(),
                    rot_days: s["rot_days"].as_u64().map(|d| d as u32),
                })
                .collect::<Vec<_>>(),
        );
        for (k, v) in [
            ("key", p["key"].as_str().unwrap()),
            ("label", p["label"].as_str().unwrap()),
            ("kind", p["kind"].as_str().unwrap()),
            ("stages", &stages),
        ] {
            fields.push((k.into(), v.into()));
        }
    }
    let mut with_new = fields.clone();
    for (k, v) in [
        ("key", "partners"),
        ("label", "Partners"),
        ("kind", "new_business"),
        ("stages", "intro | Introduced | 10 | pipeline | 30 |\nsigned | Signed | 90 | commit | 7 | amount"),
    ] {
        with_new.push((k.into(), v.into()));
    }
    fn as_refs(f: &[(String, String)]) -> Vec<(&str, &str)> {
        f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
    let r = b.post("/settings/pipelines", &as_refs(&with_new)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let keys: Vec<String> = app
        .get("/api/v1/pipelines")
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, ["default", "upsell", "renewal", "partners"]);
    // A line that does not read is named, and what was typed stays.
    let mut broken = fields.clone();
    for (k, v) in [("key", "broken"), ("label", "Broken"), ("kind", "upsell"), ("stages", "a | A | 10\nb | B | lots")] {
        broken.push((k.into(), v.into()));
    }
    let r = b.post("/settings/pipelines", &as_refs(&broken)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("line 2") && r.text.contains("b | B | lots"), "{}", r.text);
    // Rates and goals, one a line.
    let r = b
        .post("/settings/pipelines/rates", &[("csrf", &csrf), ("rates", "USD 2026-01-01 0.9\nPLN 2026-01-01 0,23")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(app.get("/api/v1/currency-rates").await.json().as_array().unwrap().len(), 2);
    let r = b.post("/settings/pipelines/rates", &[("csrf", &csrf), ("rates", "USD yesterday")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = b.post("/settings/pipelines/goals", &[("csrf", &csrf), ("goals", "2030-07 40000.00")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        app.state.store.goals("2030-07", "2030-07").await.unwrap(),
        [("2030-07".to_owned(), String::new(), 4_000_000)]
    );
    assert!(b.get("/settings/pipelines").await.text.contains("2030-07 40000.00"));
}
