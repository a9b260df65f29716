//! The campaigns screen: every campaign with its channel, budget and spend, a form to add one
//! and to enter spend (or import an ad platform's export through the API), and the reports:
//! cost per lead, MQL and customer against the previous period, source quality, and
//! attribution by model. A period and a grouping are chosen in the query string.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::role::Action;

use super::auth::FormErrors;
use super::view::{Shell, Tr};
use super::{PageResult, Posted, Viewer};
use crate::api::campaigns::{attribution, costs, quality, CampaignInput, SpendEntry, SpendInput};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/campaigns", get(page).post(create)).route("/campaigns/spend", post(add_spend))
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    p: Shell,
    /// (name, channel, utm or list, budget, spent).
    campaigns: Vec<(String, String, String, String, String, String)>,
    channels: Vec<(String, String)>,
    errors: FormErrors,
    from: String,
    to: String,
    by: String,
    model: String,
    conversion: String,
    /// Cost rows: (name, spend, leads, CPL, MQLs, cost per MQL, customers, CAC, previous CPL).
    costs: Vec<Vec<String>>,
    quality: Vec<Vec<String>>,
    attribution: Vec<Vec<String>>,
    period: String,
}

fn money(tr: &Tr, minor: Option<f64>) -> String {
    match minor {
        Some(m) => tr.money(m.round() as i64, crate::api::campaigns::CURRENCY),
        None => "–".into(),
    }
}

fn share(v: Option<f64>) -> String {
    v.map(|x| format!("{:.0}%", x * 100.0)).unwrap_or_else(|| "–".into())
}

async fn render_page(s: &AppState, v: &Viewer, uri: &Uri, errors: FormErrors) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let pairs = crate::api::query_pairs(uri)?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    let by = get("by").filter(|b| b == "channel").unwrap_or_else(|| "campaign".into());
    let model = get("model").unwrap_or_else(|| "linear".into());
    let conversion = get("conversion").unwrap_or_else(|| "lead".into());
    let period = |extra: &[(&str, &str)]| {
        let mut q: Vec<String> = ["from", "to"]
            .iter()
            .filter_map(|k| get(k).map(|v| format!("{k}={}", super::view::urlencode(&v))))
            .collect();
        q.extend(extra.iter().map(|(k, v)| format!("{k}={}", super::view::urlencode(v))));
        format!("/x?{}", q.join("&")).parse::<Uri>().unwrap_or_default()
    };
    let c = costs(s, &period(&[("by", &by)])).await?;
    let quality_by = if by == "channel" { "source" } else { "campaign" };
    let q = quality(s, &period(&[("by", quality_by)])).await?;
    let a = attribution(
        s,
        &period(&[
            ("by", if by == "channel" { "channel" } else { "campaign" }),
            ("model", &model),
            ("conversion", &conversion),
        ]),
    )
    .await?;
    let label = |g: &str, name: &str| {
        if by == "channel" || quality_by == "source" && name == g {
            tr.code("channel", g)
        } else {
            name.to_owned()
        }
    };
    let costs = c
        .rows
        .iter()
        .map(|r| {
            vec![
                label(&r.group, &r.name),
                money(&tr, Some(r.spend as f64)),
                tr.num(r.leads as i64),
                money(&tr, r.cost_per_lead),
                tr.num(r.mqls as i64),
                money(&tr, r.cost_per_mql),
                tr.num(r.customers as i64),
                money(&tr, r.cost_per_customer),
                money(&tr, r.previous.cost_per_lead),
            ]
        })
        .chain(std::iter::once(vec![
            tr.t("campaigns-total"),
            money(&tr, Some(c.total.spend as f64)),
            tr.num(c.total.leads as i64),
            money(&tr, c.total.cost_per_lead),
            tr.num(c.total.mqls as i64),
            money(&tr, c.total.cost_per_mql),
            tr.num(c.total.customers as i64),
            money(&tr, c.total.cost_per_customer),
            money(&tr, c.previous_total.cost_per_lead),
        ]))
        .collect();
    let quality = q
        .rows
        .iter()
        .map(|r| {
            let name = if quality_by == "source" { tr.code("channel", &r.group) } else { r.name.clone() };
            vec![
                name,
                tr.num(r.leads as i64),
                share(r.mql_share),
                share(r.sql_share),
                share(r.customer_share),
                share(r.disqualified_share),
                money(&tr, Some(r.revenue as f64)),
                money(&tr, r.cost_per_customer),
            ]
        })
        .collect();
    let attribution = a
        .rows
        .iter()
        .map(|r| {
            let name = if by == "channel" { tr.code("channel", &r.group) } else { r.group.clone() };
            let value = if conversion == "won" { money(&tr, Some(r.value)) } else { format!("{:.2}", r.value) };
            vec![name, format!("{:.2}", r.conversions), value]
        })
        .collect();
    let mut campaigns = Vec::new();
    for row in s.store.campaigns().await? {
        let spent: i64 = s.store.spend_of(&row.id).await?.iter().map(|(_, a)| a).sum();
        let key = row
            .utm_campaign
            .clone()
            .map(|u| format!("utm_campaign={u}"))
            .or(row.source_list.clone().map(|l| format!("list: {l}")))
            .unwrap_or_default();
        campaigns.push((
            row.id.clone(),
            row.name.clone(),
            tr.code("channel", &row.channel),
            key,
            row.budget.map(|b| tr.money(b, &row.currency)).unwrap_or_else(|| "–".into()),
            tr.money(spent, &row.currency),
        ));
    }
    let channels = leadline_core::track::CHANNELS.iter().map(|c| ((*c).to_owned(), tr.code("channel", c))).collect();
    let period = tr.ta(
        "campaigns-period",
        &[("from", &c.from), ("to", &c.to), ("pfrom", &c.previous_from), ("pto", &c.previous_to)],
    );
    let page = CampaignsPage {
        p: v.shell("/campaigns", tr.t("campaigns-title")),
        campaigns,
        channels,
        errors,
        from: get("from").unwrap_or_default(),
        to: get("to").unwrap_or_default(),
        by,
        model,
        conversion,
        costs,
        quality,
        attribution,
        period,
    };
    Ok(super::records::page_response(&page, &page.errors))
}

async fn page(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    render_page(&s, &v, &uri, FormErrors::default()).await
}

async fn create(State(s): State<AppState>, uri: Uri, form: Posted) -> PageResult {
    let v = &form.viewer;
    let text = |k: &str| form.fields.text(k).map(str::to_owned);
    let budget = match text("budget").map(|b| leadline_core::campaign::parse_amount(&b)) {
        Some(None) => {
            let mut e = FormErrors::default();
            e.add("budget", Tr { locale: v.locale }.t("campaigns-bad-amount"));
            return render_page(&s, v, &uri, e).await;
        }
        Some(b) => b,
        None => None,
    };
    let input = CampaignInput {
        name: text("name"),
        channel: text("channel"),
        utm_campaign: text("utm_campaign"),
        source_list: text("source_list"),
        starts_on: text("starts_on"),
        ends_on: text("ends_on"),
        budget,
        currency: None,
    };
    match crate::api::campaigns::create_campaign(&s, &v.caller, input).await {
        Ok(_) => Ok(Redirect::to("/campaigns").into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let errors = FormErrors::from_api(&Tr { locale: v.locale }, &e);
            let mut resp = render_page(&s, v, &uri, errors).await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_spend(State(s): State<AppState>, uri: Uri, form: Posted) -> PageResult {
    let v = &form.viewer;
    let tr = Tr { locale: v.locale };
    let id = form.fields.text("campaign_id").unwrap_or_default().to_owned();
    let when = form.fields.text("when").unwrap_or_default().to_owned();
    let Some(amount) = form.fields.text("amount").and_then(leadline_core::campaign::parse_amount) else {
        let mut e = FormErrors::default();
        e.add("amount", tr.t("campaigns-bad-amount"));
        return render_page(&s, v, &uri, e).await;
    };
    let entry = if when.len() == 7 {
        SpendEntry { date: None, month: Some(when), amount }
    } else {
        SpendEntry { date: Some(when), month: None, amount }
    };
    match crate::api::campaigns::record_spend(&s, &v.caller, &id, SpendInput { entries: vec![entry] }).await {
        Ok(_) => Ok(Redirect::to("/campaigns").into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let mut errors = FormErrors::default();
            errors.add("when", super::view::error_text(&tr, &e));
            let mut resp = render_page(&s, v, &uri, errors).await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}
