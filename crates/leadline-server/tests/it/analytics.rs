//! The analytics engine through the API: funnels over activities, their modes, filters,
//! breakdowns, and the table following merges, on every backend.

use serde_json::{json, Value};

use crate::App;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// 2026-05-04T00:00:00Z.
const T0: i64 = 1_777_852_800_000;

fn at(ms: i64) -> String {
    leadline_core::date::rfc3339(T0 + ms)
}

async fn contact(app: &App, name: &str, country: &str) -> String {
    let r = app.post("/api/v1/contacts", json!({"first_name": name, "country": country})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn did(app: &App, who: &str, kind: &str, when: i64, properties: Value) {
    let r = app
        .post(
            "/api/v1/activities",
            json!({"type": kind, "contact_id": who, "occurred_at": at(when), "properties": properties}),
        )
        .await;
    assert_eq!(r.json()[0]["status"], "created", "{}", r.text);
}

fn funnel(steps: Value, extra: Value) -> Value {
    let mut q = json!({"steps": steps, "window_seconds": 7 * 86_400, "from": at(-DAY), "to": at(60 * DAY)});
    for (k, v) in extra.as_object().unwrap() {
        q[k] = v.clone();
    }
    q
}

async fn counts(app: &App, q: Value) -> Vec<u64> {
    let r = app.post("/api/v1/analytics/funnel", q).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["steps"].as_array().unwrap().iter().map(|s| s["count"].as_u64().unwrap()).collect()
}

pub async fn funnels_count_people_through_their_steps(app: &App) {
    let ann = contact(app, "Ann", "DE").await;
    let bob = contact(app, "Bob", "PL").await;
    let cyd = contact(app, "Cyd", "PL").await;
    // Ann views, then buys an hour later; Bob views and buys ten days later (past the window);
    // Cyd buys without a view; Ann views again after buying.
    did(app, &ann, "page_view", 0, json!({"url": "/pricing"})).await;
    did(app, &ann, "purchase", HOUR, json!({"plan": "pro", "seats": 5})).await;
    did(app, &ann, "page_view", 2 * HOUR, json!({"url": "/docs"})).await;
    did(app, &bob, "page_view", 0, json!({"url": "/"})).await;
    did(app, &bob, "purchase", 10 * DAY, json!({"plan": "basic"})).await;
    did(app, &cyd, "purchase", DAY, json!({"plan": "pro"})).await;
    let steps = json!([{"type": "page_view"}, {"type": "purchase"}]);

    let r = app.post("/api/v1/analytics/funnel", funnel(steps.clone(), json!({}))).await.json();
    assert_eq!(r["mode"], "default");
    assert_eq!(
        r["steps"][0],
        json!({"type": "page_view", "count": 2, "dropped": 0, "conversion_from_previous": 1.0,
        "conversion_from_first": 1.0, "median_seconds": null, "average_seconds": null})
    );
    assert_eq!(r["steps"][1]["count"], 1);
    assert_eq!(r["steps"][1]["dropped"], 1);
    assert_eq!(r["steps"][1]["conversion_from_previous"], 0.5);
    assert_eq!(r["steps"][1]["median_seconds"], 3600.0);
    assert_eq!(r["steps"][1]["average_seconds"], 3600.0);
    // A longer window takes Bob in; a period that leaves out the purchases takes nobody on.
    assert_eq!(counts(app, funnel(steps.clone(), json!({"window_seconds": 30 * 86_400}))).await, [2, 2]);
    assert_eq!(counts(app, funnel(steps.clone(), json!({"to": at(HOUR)}))).await, [2, 0]);
    // Property filters: a text, a number.
    let pro = json!([{"type": "page_view", "properties": {"url": "/pricing"}}, {"type": "purchase", "properties": {"plan": "pro"}}]);
    assert_eq!(counts(app, funnel(pro, json!({}))).await, [1, 1]);
    let seats = json!([{"type": "page_view"}, {"type": "purchase", "properties": {"seats": 5}}]);
    assert_eq!(counts(app, funnel(seats, json!({}))).await, [2, 1]);
    let basic = json!([{"type": "page_view"}, {"type": "purchase", "properties": {"plan": "basic"}}]);
    assert_eq!(counts(app, funnel(basic, json!({"window_seconds": 30 * 86_400}))).await, [2, 1]);
    // The modes: Ann's view after the purchase is a repeat of step 1 only; a funnel of
    // view -> purchase -> view needs two views.
    let back = json!([{"type": "page_view"}, {"type": "purchase"}, {"type": "page_view"}]);
    for mode in ["default", "strict_order", "strict_deduplication", "strict_increase"] {
        assert_eq!(counts(app, funnel(back.clone(), json!({"mode": mode}))).await, [2, 1, 1], "{mode}");
    }
    // Breakdown by a contact field.
    let r = app.post("/api/v1/analytics/funnel", funnel(steps.clone(), json!({"breakdown": "country"}))).await.json();
    let groups: Vec<(Value, u64, u64)> = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (g["value"].clone(), g["steps"][0]["count"].as_u64().unwrap(), g["steps"][1]["count"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(groups, [(json!("DE"), 1, 1), (json!("PL"), 1, 0)]);
    assert_eq!(r["steps"][0]["count"], 2, "the whole beside its groups");

    // A merge gives the survivor the other's events: Bob merged into a contact who bought
    // within the window of Bob's view.
    let dan = contact(app, "Dan", "PL").await;
    did(app, &dan, "purchase", 2 * HOUR, json!({})).await;
    assert_eq!(counts(app, funnel(steps.clone(), json!({}))).await, [2, 1]);
    let m = app.post("/api/v1/contacts/merge", json!({"ids": [dan, bob]})).await.json();
    assert_eq!(counts(app, funnel(steps.clone(), json!({}))).await, [2, 2]);
    app.post(&format!("/api/v1/merges/{}/undo", m["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(counts(app, funnel(steps.clone(), json!({}))).await, [2, 1]);
}

pub async fn a_funnel_names_what_is_wrong_with_it(app: &App) {
    let url = "/api/v1/analytics/funnel";
    app.post(url, json!({"steps": []})).await.error(422, "invalid_steps", Some("steps"));
    let many: Vec<Value> = (0..17).map(|_| json!({"type": "page_view"})).collect();
    app.post(url, json!({"steps": many})).await.error(422, "invalid_steps", Some("steps"));
    app.post(url, json!({"steps": [{"type": "bought"}]})).await.error(
        422,
        "invalid_activity_type",
        Some("steps[0].type"),
    );
    app.post(url, json!({"steps": [{"type": "page_view"}], "mode": "strict"})).await.error(
        422,
        "invalid_mode",
        Some("mode"),
    );
    app.post(url, json!({"steps": [{"type": "page_view"}], "window_seconds": 0})).await.error(
        422,
        "invalid_window",
        Some("window_seconds"),
    );
    app.post(url, json!({"steps": [{"type": "page_view"}], "from": at(DAY), "to": at(0)})).await.error(
        422,
        "invalid_period",
        Some("from"),
    );
    app.post(url, json!({"steps": [{"type": "page_view"}], "to": "soon"})).await.error(422, "invalid_time", Some("to"));
    app.post(url, json!({"steps": [{"type": "page_view", "properties": {"a b": 1}}]})).await.error(
        422,
        "invalid_name",
        Some("steps[0].properties.a b"),
    );
    app.post(url, json!({"steps": [{"type": "page_view", "properties": {"url": [1]}}]})).await.error(
        422,
        "invalid_value",
        Some("steps[0].properties.url"),
    );
    app.post(url, json!({"steps": [{"type": "page_view"}], "breakdown": "country'; --"})).await.error(
        422,
        "invalid_name",
        Some("breakdown"),
    );
    app.post(url, json!({"steps": [{"kind": "page_view"}]})).await.error(422, "invalid_body", Some("steps[0].kind"));
    // An empty store answers zeros.
    assert_eq!(counts(app, json!({"steps": [{"type": "page_view"}, {"type": "purchase"}]})).await, [0, 0]);
}

pub async fn pipelines_boards_and_the_forecast(app: &App) {
    let pipelines = app.get("/api/v1/pipelines").await.json();
    let keys: Vec<&str> = pipelines.as_array().unwrap().iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["default", "upsell", "renewal"]);
    let mut bad = pipelines.clone();
    bad[0]["stages"][1]["key"] = bad[0]["stages"][0]["key"].clone();
    app.put("/api/v1/pipelines", bad).await.error(422, "duplicate_stage", Some("[0].stages[1].key"));
    let me = app.get("/api/v1/auth/me").await.json();
    let owner = me["user"]["id"].as_str().unwrap();
    let r = app.put("/api/v1/currency-rates", json!([{"currency": "usd", "day": "2026-01-01", "rate": 0.9}])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.put("/api/v1/currency-rates", json!([{"currency": "USD", "day": "2026-13-01", "rate": 0.9}])).await.error(
        422,
        "invalid_date",
        Some("[0].day"),
    );
    let deal = |name: &str, stage: &str, amount: i64, currency: &str, close: &str| json!({"name": name, "stage": stage, "amount": amount, "currency": currency, "close_date": close, "owner_id": owner});
    for d in [
        deal("A", "appointment_scheduled", 10_000, "EUR", "2026-07-15"),
        deal("B", "presentation_scheduled", 20_000, "USD", "2026-07-20"),
        deal("D", "appointment_scheduled", 7_000, "GBP", "2026-07-01"),
    ] {
        let r = app.post("/api/v1/deals", d).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let c = app.post("/api/v1/deals", deal("C", "appointment_scheduled", 5_000, "EUR", "2026-07-10")).await.json();
    let won = app
        .patch(&format!("/api/v1/deals/{}", c["id"].as_str().unwrap()), json!({"status": "won", "won_reason": "price"}))
        .await;
    assert_eq!(won.status, 200, "{}", won.text);

    let board = app.get("/api/v1/pipelines/default/board").await.json();
    let columns: Vec<(Value, u64, i64, i64)> = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["stage"].clone(),
                c["count"].as_u64().unwrap(),
                c["total"].as_i64().unwrap(),
                c["weighted"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        columns[0],
        (json!("appointment_scheduled"), 2, 10_000, 2_000),
        "the won deal is off the board; GBP counted, not summed"
    );
    assert_eq!(columns[2], (json!("presentation_scheduled"), 1, 18_000, 10_800), "USD at 0.9, weighted at 60%");
    assert_eq!(board["unconverted"], 1);
    let card = &board["columns"][0]["deals"][0];
    assert_eq!((card["days_in_stage"].as_i64(), card["rotting"].as_bool()), (Some(0), Some(false)));
    let empty = app.get("/api/v1/pipelines/default/board?close_month=2026-08").await.json();
    assert!(empty["columns"].as_array().unwrap().iter().all(|c| c["count"] == 0));
    app.get("/api/v1/pipelines/default/board?close_month=July").await.error(422, "invalid_month", Some("close_month"));
    app.get("/api/v1/pipelines/nope/board").await.error(404, "not_found", None);

    // C was expected in July and won today: the forecast counts it in the month it was won.
    let this_month = leadline_core::date::date_of_millis(leadline_server::now())[..7].to_owned();
    let goals = json!([{"month": "2026-07", "amount": 10_000}, {"month": this_month, "amount": 10_000}]);
    let goal = app.put("/api/v1/forecast/goals", goals).await;
    assert_eq!(goal.status, 200, "{}", goal.text);
    let f = app.get(&format!("/api/v1/forecast?from=2026-07&to={this_month}")).await.json();
    let month = |m: &str| f["rows"].as_array().unwrap().iter().find(|r| r["month"] == m).unwrap().clone();
    let july = month("2026-07");
    assert_eq!((july["open"].as_i64(), july["weighted"].as_i64()), (Some(28_000), Some(12_800)));
    assert_eq!(
        (july["pipeline"].as_i64(), july["best_case"].as_i64(), july["commit"].as_i64()),
        (Some(28_000), Some(18_000), Some(0))
    );
    assert_eq!((july["closed_won"].as_i64(), july["goal"].as_i64()), (Some(0), Some(10_000)));
    let now = month(&this_month);
    assert_eq!(
        (now["closed_won"].as_i64(), now["goal"].as_i64(), now["attainment"].as_f64()),
        (Some(5_000), Some(10_000), Some(0.5)),
        "{f}"
    );
    assert_eq!(f["unconverted"], 1);
    let by_owner = app.get("/api/v1/forecast?from=2026-07&to=2026-07&by=owner").await.json();
    assert_eq!(by_owner["rows"][0]["owner_id"], owner);
    app.get("/api/v1/forecast?from=2026-07&to=2026-01").await.error(422, "invalid_period", Some("to"));
    let csv = app.get(&format!("/forecast.csv?from=2026-07&to={this_month}")).await;
    assert!(csv.text.contains("\n2026-07,,2,28000,12800,28000,18000,0,0,10000,0.0000\n"), "{}", csv.text);
    assert!(csv.text.contains(&format!("\n{this_month},,0,0,0,0,0,0,5000,10000,0.5000\n")), "{}", csv.text);

    // Stage to stage: three entered the first stage, one went on (won); one the third.
    let flow = app.get("/api/v1/reports/pipeline?pipeline=default").await.json();
    let stage = |k: &str| flow["stages"].as_array().unwrap().iter().find(|s| s["stage"] == k).unwrap().clone();
    let first = stage("appointment_scheduled");
    assert_eq!(
        (first["entered"].as_u64(), first["went_on"].as_u64(), first["won"].as_u64()),
        (Some(3), Some(1), Some(1)),
        "{flow}"
    );
    assert_eq!(
        (stage("presentation_scheduled")["entered"].as_u64(), stage("presentation_scheduled")["went_on"].as_u64()),
        (Some(1), Some(0))
    );
    app.get("/api/v1/reports/pipeline?pipeline=nope").await.error(404, "not_found", None);
    let csv = app.get("/analytics/reports/pipeline.csv?pipeline=default").await;
    assert!(csv.text.contains("\ndefault,appointment_scheduled,3,1,0.3333,1,"), "{}", csv.text);
    assert!(app.get("/analytics/reports?pipeline=default").await.text.contains("data-pipeline-flow"));
    // A pipeline with deals in it stays.
    let only_upsell: Vec<Value> =
        pipelines.as_array().unwrap().iter().filter(|p| p["key"] != "default").cloned().collect();
    app.put("/api/v1/pipelines", json!(only_upsell)).await.error(409, "pipeline_in_use", None);
}

pub async fn the_dashboard_counts_the_period_against_the_one_before(app: &App) {
    for (name, stage) in [("Ada", "lead"), ("Bea", "lead"), ("Cem", "mql")] {
        let r = app.post("/api/v1/contacts", json!({"first_name": name, "lifecycle_stage": stage})).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let deal = |name: &str, stage: &str, amount: i64| json!({"name": name, "stage": stage, "amount": amount, "currency": "EUR", "close_date": "2030-01-01"});
    let won = app.post("/api/v1/deals", deal("Won", "qualified_to_buy", 10_000)).await.json();
    app.patch(
        &format!("/api/v1/deals/{}", won["id"].as_str().unwrap()),
        json!({"status": "won", "won_reason": "price"}),
    )
    .await;
    let lost = app.post("/api/v1/deals", deal("Lost", "qualified_to_buy", 4_000)).await.json();
    app.patch(
        &format!("/api/v1/deals/{}", lost["id"].as_str().unwrap()),
        json!({"status": "lost", "lost_reason": "price"}),
    )
    .await;
    app.post("/api/v1/deals", deal("Open", "presentation_scheduled", 5_000)).await;
    let campaign = app
        .post("/api/v1/campaigns", json!({"name": "Search", "channel": "paid_search", "utm_campaign": "s"}))
        .await
        .json();
    let today = leadline_core::date::date_of_millis(leadline_server::now());
    let r = app
        .post(
            &format!("/api/v1/campaigns/{}/spend", campaign["id"].as_str().unwrap()),
            json!({"entries": [{"date": today, "amount": 3_000}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let d = app.get("/api/v1/reports/dashboard").await.json();
    let m = |key: &str| d["metrics"].as_array().unwrap().iter().find(|m| m["key"] == key).unwrap().clone();
    let v = |key: &str| m(key)["value"].as_f64();
    assert_eq!((v("new_leads"), v("mqls"), v("customers")), (Some(2.0), Some(1.0), Some(0.0)), "{d}");
    assert_eq!((v("won_revenue"), v("won_deals"), v("win_rate")), (Some(10_000.0), Some(1.0), Some(0.5)));
    assert_eq!((v("open_pipeline"), v("weighted_pipeline")), (Some(5_000.0), Some(3_000.0)));
    assert_eq!((v("spend"), v("cost_per_lead"), v("cac")), (Some(3_000.0), Some(1_500.0), None));
    assert_eq!(v("average_deal"), Some(10_000.0));
    assert_eq!(m("new_leads")["previous"].as_f64(), Some(0.0), "nothing the month before");
    assert!(m("new_leads")["change"].is_null(), "no change from nothing");
    assert!(m("open_pipeline")["previous"].is_null(), "the pipeline is only known now");
    // A period long ago has none of it.
    let old = app.get("/api/v1/reports/dashboard?from=2020-01-01&to=2020-01-31").await.json();
    assert!(
        old["metrics"].as_array().unwrap().iter().filter(|m| m["unit"] == "count").all(|m| m["value"] == 0.0),
        "{old}"
    );
    app.get("/api/v1/reports/dashboard?from=2020-02-01&to=2020-01-01").await.error(422, "invalid_period", Some("from"));
    app.get("/api/v1/reports/dashboard?since=2020-01-01").await.error(422, "unknown_parameter", Some("since"));
    let csv = app.get("/dashboard.csv").await;
    assert!(
        csv.text.starts_with("metric,unit,value,previous,change\nnew_leads,count,2.0000,0.0000,\n"),
        "{}",
        csv.text
    );
    // The dashboard page shows the same figures, with the chart.
    let page = app.get("/").await;
    assert!(page.text.contains("data-metric=\"new_leads\"") && page.text.contains("<svg"), "{}", page.text);
}

pub async fn lifetime_value_per_customer_and_channel(app: &App) {
    use leadline_core::lifecycle::ChangeCause;
    use leadline_core::record::{field, ObjectKind, Scalar};
    let store = app.state.store.as_ref();
    let now = leadline_server::now();
    let deal_field = |n| field(ObjectKind::Deal, n).unwrap();
    // 30 customers: buyer i buys every (i % 5 + 1) weeks for half a year, the first ten of
    // them stop three months ago; the even ones came from paid search.
    let mut ids = Vec::new();
    for i in 0..30 {
        let source = if i % 2 == 0 { "paid_search" } else { "organic_search" };
        let c =
            app.post("/api/v1/contacts", json!({"first_name": format!("Buyer {i}"), "original_source": source})).await;
        assert_eq!(c.status, 201, "{}", c.text);
        let id = c.json()["id"].as_str().unwrap().to_owned();
        let every = (i % 5 + 1) as i64 * 7 * DAY;
        let stop = if i < 10 { now - 90 * DAY } else { now };
        let mut t = now - 180 * DAY + i as i64 * DAY;
        while t < stop {
            let mut d = leadline_core::contact::FieldChanges::default();
            d.set(deal_field("name"), Some(Scalar::Text("Order".into())));
            d.set(deal_field("amount"), Some(Scalar::Int(1_000 + 100 * i as i64)));
            let deal = store
                .create_deal(&d, std::slice::from_ref(&id), leadline_store::Actor::new(None, ChangeCause::Rule, t))
                .await
                .unwrap();
            let mut w = leadline_core::contact::FieldChanges::default();
            w.set(deal_field("status"), Some(Scalar::Text("won".into())));
            store
                .update_deal(&deal.id, &w, None, leadline_store::Actor::new(None, ChangeCause::Rule, t))
                .await
                .unwrap();
            t += every;
        }
        ids.push(id);
    }
    let campaign = app
        .post("/api/v1/campaigns", json!({"name": "Search ads", "channel": "paid_search", "utm_campaign": "ads"}))
        .await
        .json();
    let today = leadline_core::date::date_of_millis(now);
    app.post(
        &format!("/api/v1/campaigns/{}/spend", campaign["id"].as_str().unwrap()),
        json!({"entries": [{"date": today, "amount": 30_000}]}),
    )
    .await;

    // A shop's orders are purchase touches: Segment's revenue in major units, Leadline's own
    // amount in minor units; an order that names a deal is that deal, counted once.
    let shopper = contact(app, "Shopper", "IT").await;
    let order = |props: Value, deal: Option<&str>| json!({"type": "purchase", "contact_id": shopper, "deal_id": deal, "occurred_at": leadline_core::date::rfc3339(now - 3 * DAY), "properties": props});
    let won_deal = app.post("/api/v1/deals", json!({"name": "Shop order", "contact_ids": [shopper]})).await.json();
    let r = app
        .post(
            "/api/v1/activities",
            json!([
                order(json!({"revenue": 25.5, "currency": "EUR"}), None),
                order(json!({"amount": 1_000}), None),
                order(json!({"revenue": 99.0}), won_deal["id"].as_str()),
                order(json!({"note": "no amount"}), None),
            ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let r = app.get("/api/v1/reports/clv?horizon_months=12&discount_rate=0.01").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = r.json();
    assert_eq!(r["customers"], 31);
    let shop = r["top"].as_array().unwrap().iter().find(|v| v["contact_id"] == shopper).unwrap().clone();
    assert_eq!((shop["purchases"].as_u64(), shop["historical"].as_i64()), (Some(2), Some(3_550)), "{shop}");
    let models = &r["models"];
    assert!(models["r"].as_f64().unwrap() > 0.0 && models["q"].as_f64().unwrap() > 1.0, "{models}");
    assert_eq!(models["repeat_customers"], 30);
    let top = r["top"].as_array().unwrap();
    let value = |v: &Value| v["predicted"].as_f64().unwrap();
    assert!(top.windows(2).all(|w| value(&w[0]) >= value(&w[1])), "most valuable first");
    let find = |id: &str| top.iter().find(|v| v["contact_id"] == id).unwrap().clone();
    // Buyer 10 buys weekly to this day; buyer 0 bought weekly and stopped three months ago.
    let (active, gone) = (find(&ids[10]), find(&ids[0]));
    assert!(active["p_alive"].as_f64().unwrap() > 0.9 && gone["p_alive"].as_f64().unwrap() < 0.2, "{active} {gone}");
    assert!(value(&active) > 5.0 * value(&gone));
    assert_eq!(active["historical"].as_i64(), Some(active["purchases"].as_i64().unwrap() * 2_000));
    // Paid search: 15 customers for 300.00 of spend, 20.00 each.
    let paid = r["channels"].as_array().unwrap().iter().find(|c| c["channel"] == "paid_search").unwrap().clone();
    assert_eq!((paid["customers"].as_u64(), paid["cac"].as_f64()), (Some(15), Some(2_000.0)), "{paid}");
    let ratio = (paid["average_historical"].as_f64().unwrap() + paid["average_predicted"].as_f64().unwrap()) / 2_000.0;
    assert!((paid["clv_to_cac"].as_f64().unwrap() - ratio).abs() < 1e-9);
    let organic = r["channels"].as_array().unwrap().iter().find(|c| c["channel"] == "organic_search").unwrap().clone();
    assert!(organic["cac"].is_null(), "no spend, no CAC");
    app.get("/api/v1/reports/clv?horizon_months=0").await.error(422, "invalid_parameter", Some("horizon_months"));
    let csv = app.get("/analytics/clv.csv").await;
    assert!(csv.text.contains("\nchannel,paid_search,15,"), "{}", csv.text);
    let page = app.get("/analytics/clv").await;
    assert!(
        page.text.contains("data-models") && page.text.contains("<svg") && page.text.contains("Buyer 10"),
        "{}",
        page.text
    );
    app.get("/api/v1/reports/clv?segment=nope").await.error(404, "not_found", None);
}

pub async fn a_journey_map_places_touchpoints_in_their_stage(app: &App) {
    let company = app.post("/api/v1/companies", json!({"name": "Nordwind"})).await.json();
    let cid = company["id"].as_str().unwrap();
    let mut ids = Vec::new();
    for (name, stage) in [("Ula", "lead"), ("Vic", "lead"), ("Wen", "lead")] {
        let c = app
            .post("/api/v1/contacts", json!({"first_name": name, "lifecycle_stage": stage, "company_id": cid}))
            .await
            .json();
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    let at = |ms: i64| leadline_core::date::rfc3339(leadline_server::now() + ms);
    // Touches before the leads moved on count in awareness; Wen goes on to MQL, then a call.
    for id in &ids {
        app.post("/api/v1/activities", json!({"type": "page_view", "contact_id": id, "occurred_at": at(-HOUR)})).await;
    }
    app.post("/api/v1/activities", json!({"type": "email_opened", "contact_id": ids[0], "occurred_at": at(-HOUR / 2)}))
        .await;
    app.patch(&format!("/api/v1/contacts/{}", ids[2]), json!({"lifecycle_stage": "mql"})).await;
    app.post("/api/v1/activities", json!({"type": "call", "contact_id": ids[2], "occurred_at": at(HOUR)})).await;

    let r = app.get(&format!("/api/v1/reports/journey?company_id={cid}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = r.json();
    assert_eq!((r["of"].as_str(), r["people"].as_u64()), (Some("company"), Some(3)));
    let stage = |i: usize| r["stages"][i].clone();
    assert_eq!(
        (stage(0)["reached"].as_u64(), stage(0)["went_on"].as_u64(), stage(0)["dropped"].as_u64()),
        (Some(3), Some(1), Some(2))
    );
    assert_eq!(stage(0)["touchpoints"][0], json!({"type": "page_view", "count": 3}));
    assert_eq!(stage(0)["barriers"], json!([{"type": "email_opened", "count": 1}, {"type": "page_view", "count": 1}]));
    assert_eq!(stage(1)["touchpoints"], json!([{"type": "call", "count": 1}]));
    assert_eq!(stage(1)["barriers"], json!([{"type": "call", "count": 1}]));
    let one = app.get(&format!("/api/v1/reports/journey?contact_id={}", ids[2])).await.json();
    assert_eq!(one["people"], 1);
    app.get("/api/v1/reports/journey").await.error(422, "one_subject", Some("segment"));
    app.get(&format!("/api/v1/reports/journey?contact_id={}&company_id={cid}", ids[0])).await.error(
        422,
        "one_subject",
        Some("company_id"),
    );
    app.get("/api/v1/reports/journey?segment=nope").await.error(404, "not_found", None);
    let csv = app.get(&format!("/analytics/journey.csv?company_id={cid}")).await;
    assert!(
        csv.text.contains("\nawareness,3,1,2,page_view:3 email_opened:1,email_opened:1 page_view:1\n"),
        "{}",
        csv.text
    );
    let page = app.get(&format!("/analytics/journey?company_id={cid}")).await;
    assert!(
        page.text.contains("data-journey") && page.text.contains("journey-arrow") && page.text.contains("Nordwind"),
        "{}",
        page.text
    );
}

pub async fn lifecycle_conversion_and_cohorts_are_reported(app: &App) {
    use leadline_core::lifecycle::ChangeCause;
    use leadline_core::record::{field, ObjectKind, Scalar};
    // Three leads today; one of them an MQL since.
    let mut ids = Vec::new();
    for name in ["Lia", "Max", "Noa"] {
        let c = app.post("/api/v1/contacts", json!({"first_name": name, "lifecycle_stage": "lead"})).await.json();
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    app.patch(&format!("/api/v1/contacts/{}", ids[0]), json!({"lifecycle_stage": "mql"})).await;
    let r = app.get("/api/v1/reports/lifecycle").await.json();
    let step = |from: &str| r["steps"].as_array().unwrap().iter().find(|s| s["from"] == from).unwrap().clone();
    assert_eq!((step("lead")["entered"].as_u64(), step("lead")["went_on"].as_u64()), (Some(3), Some(1)), "{r}");
    assert!((step("lead")["conversion"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(step("mql")["entered"], 1);
    assert!(step("mql")["conversion"].as_f64() == Some(0.0));
    app.get("/api/v1/reports/lifecycle?since=x").await.error(422, "unknown_parameter", Some("since"));

    // Cohorts: two customers first buying in January, one of them again in March.
    let store = app.state.store.as_ref();
    let d = |y, m, day| leadline_core::date::days_from_civil(y, m, day) * DAY;
    for (who, when) in [(0, d(2026, 1, 10)), (0, d(2026, 3, 2)), (1, d(2026, 1, 20))] {
        let mut c = leadline_core::contact::FieldChanges::default();
        c.set(field(ObjectKind::Deal, "name").unwrap(), Some(Scalar::Text("Order".into())));
        let deal = store
            .create_deal(&c, &[ids[who].clone()], leadline_store::Actor::new(None, ChangeCause::Rule, when))
            .await
            .unwrap();
        let mut w = leadline_core::contact::FieldChanges::default();
        w.set(field(ObjectKind::Deal, "status").unwrap(), Some(Scalar::Text("won".into())));
        store.update_deal(&deal.id, &w, None, leadline_store::Actor::new(None, ChangeCause::Rule, when)).await.unwrap();
    }
    let c = app.get("/api/v1/reports/cohorts?months=36").await.json();
    let january = c["cohorts"].as_array().unwrap().iter().find(|c| c["month"] == "2026-01").unwrap().clone();
    assert_eq!(january["customers"], 2);
    assert_eq!(&january["active"].as_array().unwrap()[..3], &[json!(2), json!(0), json!(1)]);
    assert_eq!(january["retention"][2], 0.5);
    app.get("/api/v1/reports/cohorts?months=0").await.error(422, "invalid_parameter", Some("months"));
    let page = app.get("/analytics/reports").await;
    assert!(
        page.text.contains("data-lifecycle") && page.text.contains("data-cohorts") && page.text.contains("2026-01"),
        "{}",
        page.text
    );
    let csv = app.get("/analytics/reports/cohorts.csv").await;
    assert!(
        csv.text.starts_with(
            "cohort,customers,month,active,retention\n2026-01,2,0,2,1.0000\n2026-01,2,1,0,0.0000\n2026-01,2,2,1,0.5000"
        ),
        "{}",
        csv.text
    );
    let csv = app.get("/analytics/reports/lifecycle.csv").await;
    assert!(csv.text.contains("\nlead,mql,3,1,0.3333,"), "{}", csv.text);
}

pub async fn ready_made_funnels_are_mapped_and_saved(app: &App) {
    let presets = app.get("/api/v1/analytics/funnels").await.json();
    let keys: Vec<&str> = presets.as_array().unwrap().iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["marketing", "sales"]);
    let names: Vec<&str> =
        presets[0]["steps"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["awareness", "interest", "consideration", "intent", "evaluation", "purchase"]);
    let mut sales = presets[1].clone();
    sales["steps"][2]["type"] = json!("x_demo_booked");
    let r = app.put("/api/v1/analytics/funnels/sales", sales.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.get("/api/v1/analytics/funnels").await.json()[1]["steps"][2]["type"], "x_demo_booked");
    let mut bad = sales.clone();
    bad["steps"][0]["type"] = json!("visit");
    app.put("/api/v1/analytics/funnels/sales", bad).await.error(422, "invalid_activity_type", Some("steps[0].type"));
    app.put("/api/v1/analytics/funnels/Not%20a%20key", sales.clone()).await.error(422, "invalid_key", Some("key"));
    // The sales funnel's steps carry their names into the answer and onto the page.
    let who = app.post("/api/v1/contacts", json!({"first_name": "Ola"})).await.json();
    for kind in ["page_view", "form_submission", "x_demo_booked"] {
        app.post("/api/v1/activities", json!({"type": kind, "contact_id": who["id"]})).await;
    }
    let page = app.get("/analytics?preset=sales").await;
    assert!(
        page.text.contains("3. Decision (X demo booked)") && page.text.contains("aria-current=\"page\""),
        "{}",
        page.text
    );
    assert!(page.text.contains("<td>100%</td>"), "{}", page.text);
}

/// Customer health: the health model scores customers from their use of the product,
/// purchases and support tickets; the report counts each category and lists those at risk,
/// the upsell candidates and those already on an upsell deal. Upsell and renewal deals belong
/// to customers, and the page opens one for a candidate.
pub async fn customer_health_flags_risk_and_upsell(app: &App) {
    let now = leadline_server::now();
    let ago = |days: i64| leadline_core::date::rfc3339(now - days * DAY);
    let person = |name: &str, stage: &str| json!({"first_name": name, "lifecycle_stage": stage});
    let mut ids = std::collections::HashMap::new();
    for (name, stage) in [
        ("Thriving", "customer"),
        ("Growing", "evangelist"),
        ("Slipping", "customer"),
        ("Steady", "customer"),
        ("Prospect", "lead"),
    ] {
        let r = app.post("/api/v1/contacts", person(name, stage)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        ids.insert(name, r.json()["id"].as_str().unwrap().to_owned());
    }
    let mut activities = Vec::new();
    let mut add = |who: &str, kind: &str, days: i64, properties: Value| {
        activities
            .push(json!({"type": kind, "contact_id": ids[who], "occurred_at": ago(days), "properties": properties}));
    };
    // Active every other day for a month, two key features, a purchase last week.
    for who in ["Thriving", "Growing", "Prospect"] {
        for d in 0..15 {
            add(who, "product_event", d * 2, json!({"name": "active_day"}));
        }
        add(who, "product_event", 1, json!({"name": "feature_used"}));
        add(who, "product_event", 2, json!({"name": "feature_used"}));
        add(who, "purchase", 6, json!({"amount": 10_000}));
    }
    // Bought long ago, silent for two months, three tickets (one urgent).
    add("Slipping", "purchase", 300, json!({}));
    add("Slipping", "product_event", 60, json!({"name": "active_day"}));
    add("Slipping", "support_ticket", 2, json!({"priority": "urgent"}));
    add("Slipping", "support_ticket", 10, json!({}));
    add("Slipping", "support_ticket", 20, json!({}));
    // Active on the last ten days, nothing more.
    for d in 0..10 {
        add("Steady", "product_event", d, json!({"name": "active_day"}));
    }
    let r = app.post("/api/v1/activities", json!(activities)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json().as_array().unwrap().iter().all(|a| a["status"] == "created"), "{}", r.text);

    // Upsell and renewal deals belong to customers: not the prospect's, not nobody's.
    let upsell = |who: Option<&str>| {
        let mut d = json!({"name": "More seats", "pipeline": "upsell", "stage": "opportunity_found", "amount": 50_000});
        if let Some(w) = who {
            d["contact_ids"] = json!([ids[w]]);
        }
        d
    };
    app.post("/api/v1/deals", upsell(Some("Prospect"))).await.error(422, "customer_required", Some("contact_ids"));
    app.post("/api/v1/deals", upsell(None)).await.error(422, "customer_required", Some("contact_ids"));
    let r = app.post("/api/v1/deals", upsell(Some("Growing"))).await;
    assert_eq!(r.status, 201, "an evangelist is a customer: {}", r.text);
    // A company whose contact is a customer can be sold more; a new business deal of the
    // prospect cannot be moved into the upsell pipeline.
    let co = app.post("/api/v1/companies", json!({"name": "Wisła Logistics"})).await.json();
    let co = co["id"].as_str().unwrap();
    let mut company_deal = upsell(None);
    company_deal["company_id"] = json!(co);
    app.post("/api/v1/deals", company_deal.clone()).await.error(422, "customer_required", Some("contact_ids"));
    let r = app.put(&format!("/api/v1/companies/{co}/contacts/{}", ids["Slipping"]), json!({"role": "user"})).await;
    assert!(r.status.is_success(), "{}", r.text);
    let r = app.post("/api/v1/deals", company_deal).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let company_deal = r.json()["id"].as_str().unwrap().to_owned();
    let r = app.post("/api/v1/deals", json!({"name": "First order", "contact_ids": [ids["Prospect"]]})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let first = r.json()["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/deals/{first}"), json!({"pipeline": "upsell", "stage": "proposal"})).await.error(
        422,
        "customer_required",
        Some("contact_ids"),
    );
    // Moving an upsell deal along its stages asks nothing more.
    let r = app.patch(&format!("/api/v1/deals/{company_deal}"), json!({"stage": "proposal"})).await;
    assert_eq!(r.status, 200, "{}", r.text);

    let engine = leadline_server::engine::Engine::new("only");
    for n in 0..5 {
        engine.step(app.state.store.as_ref(), now + n).await.unwrap();
    }
    let mut health = std::collections::HashMap::new();
    for (name, id) in &ids {
        let c = app.get(&format!("/api/v1/contacts/{id}")).await.json();
        health.insert(*name, c["scores"]["health"].as_f64().unwrap());
    }
    assert!(health["Thriving"] >= 50.0, "{health:?}");
    assert!(health["Slipping"] < 0.0, "{health:?}");
    let steady = health["Steady"];
    assert!((20.0..50.0).contains(&steady), "{steady}");

    let r = app.get("/api/v1/reports/health").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = r.json();
    assert_eq!(
        (r["model"].as_str(), r["at_risk_below"].as_f64(), r["healthy_from"].as_f64()),
        (Some("health"), Some(20.0), Some(50.0))
    );
    let bands: Vec<(Value, i64, i64)> = r["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["category"].clone(), b["customers"].as_i64().unwrap(), b["expanding"].as_i64().unwrap()))
        .collect();
    // Slipping is on the company's upsell deal only through the company: not on the deal.
    assert_eq!(bands, [(json!("healthy"), 2, 1), (json!("steady"), 1, 0), (json!("at risk"), 1, 0)], "{r}");
    assert_eq!((r["customers"].as_i64(), r["at_risk"].as_i64()), (Some(4), Some(1)), "the prospect is no customer");
    assert_eq!((r["upsell_candidates"].as_i64(), r["expanding"].as_i64()), (Some(1), Some(1)));
    let listed = |r: &Value| -> Vec<String> {
        r["items"].as_array().unwrap().iter().map(|c| c["contact_id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(listed(&r), [ids["Slipping"].clone()]);
    assert_eq!(r["items"][0]["flag"], "at_risk");
    let candidates = app.get("/api/v1/reports/health?flag=upsell_candidate").await.json();
    assert_eq!(listed(&candidates), [ids["Thriving"].clone()]);
    let expanding = app.get("/api/v1/reports/health?flag=expanding&limit=10").await.json();
    assert_eq!(listed(&expanding), [ids["Growing"].clone()]);
    app.get("/api/v1/reports/health?flag=churned").await.error(422, "invalid_parameter", Some("flag"));
    app.get("/api/v1/reports/health?limit=0").await.error(422, "invalid_parameter", Some("limit"));
    app.get("/api/v1/reports/health?from=2026-01-01").await.error(422, "unknown_parameter", Some("from"));

    // Time alone changes health: the daily review marks every customer for the engine, once
    // a day whichever server does it.
    let wake = tokio::sync::Notify::new();
    let review = |holder: &'static str, at: i64| {
        leadline_server::engine::review_once(app.state.store.as_ref(), holder, &wake, at)
    };
    let morning = now.div_euclid(DAY) * DAY + 1_000;
    assert_eq!(review("a", morning).await.unwrap(), 4);
    assert_eq!(review("a", morning + HOUR).await.unwrap(), 0, "done today");
    assert_eq!(review("b", morning + DAY).await.unwrap(), 4, "the next day, after a's lease");

    // The page lists both and opens an upsell deal for the candidate.
    let mut b = crate::web::admin(app).await;
    let page = b.get("/analytics/health").await;
    assert_eq!(page.status, 200, "{}", page.text);
    let risk = &page.text[page.text.find("data-at-risk").unwrap()..page.text.find("data-upsell").unwrap()];
    assert!(risk.contains("Slipping") && !risk.contains("Thriving"), "{risk}");
    let offer = &page.text[page.text.find("data-upsell").unwrap()..];
    assert!(offer.contains("Thriving") && !offer.contains("Growing"), "{offer}");
    assert!(page.text.contains("<svg"), "the categories are drawn");
    let csrf = b.csrf().await;
    let r = b.post("/analytics/health/upsell", &[("csrf", &csrf), ("contact_id", &ids["Thriving"])]).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let deal = crate::web::location(&r).trim_start_matches("/deals/").to_owned();
    let d = app.get(&format!("/api/v1/deals/{deal}")).await.json();
    assert_eq!((d["pipeline"].as_str(), d["stage"].as_str()), (Some("upsell"), Some("opportunity_found")), "{d}");
    assert_eq!(d["contact_ids"], json!([ids["Thriving"]]));
    let after = app.get("/api/v1/reports/health").await.json();
    assert_eq!((after["upsell_candidates"].as_i64(), after["expanding"].as_i64()), (Some(0), Some(2)), "{after}");
    // Not for a prospect: the refusal names why.
    let r = b.post("/analytics/health/upsell", &[("csrf", &csrf), ("contact_id", &ids["Prospect"])]).await;
    assert_eq!(r.status, 422, "{}", r.text);

    let csv = app.get("/analytics/health.csv").await;
    assert!(csv.text.contains("\ncategory,,,,,healthy,2,2\n"), "{}", csv.text);
    assert!(csv.text.contains(&format!("\nat_risk,{},Slipping,", ids["Slipping"])), "{}", csv.text);
    assert!(csv.text.contains(&format!("\nexpanding,{},Thriving,", ids["Thriving"])), "{}", csv.text);
}
