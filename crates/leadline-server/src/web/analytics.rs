//! The analytics screen: a funnel built from activity types (each with an optional property
//! filter), a window, a mode, a period and a breakdown, all in the query string so that a
//! funnel can be bookmarked and shared; drawn as bars beside its table, and exported as CSV.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leadline_core::funnel::Mode;
use leadline_core::role::Action;

use super::auth::FormErrors;
use super::chart::{bars, grid, journey, Bar, Cell, JourneyBox};
use super::view::{Shell, Tr};
use super::{PageResult, Viewer};
use crate::api::analytics::{
    checked, run, saved_funnels, FunnelInput, FunnelReport, SavedFunnel, StepInput, StepReport,
};
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/analytics", get(page))
        .route("/analytics/funnel.csv", get(csv))
        .route("/analytics/clv", get(clv_page))
        .route("/analytics/journey", get(journey_page))
        .route("/analytics/presets", axum::routing::post(save_preset))
        .route("/analytics/reports", get(reports_page))
        .route("/analytics/reports/lifecycle.csv", get(lifecycle_csv))
        .route("/analytics/reports/cohorts.csv", get(cohorts_csv))
        .route("/analytics/reports/pipeline.csv", get(pipeline_csv))
        .route("/analytics/clv.csv", get(clv_csv))
        .route("/analytics/journey.csv", get(journey_csv))
}

#[derive(Template)]
#[template(path = "clv.html")]
struct ClvPage {
    p: Shell,
    months: String,
    rate: String,
    segment: String,
    segments: Vec<(String, String)>,
    /// The models' parameters said in a sentence, or why there are none.
    models: String,
    summary: String,
    chart: String,
    /// (channel, customers, average historical, average predicted, CAC, CLV:CAC).
    channels: Vec<Vec<String>>,
    /// (contact id, name, purchases, historical, P(alive), expected purchases, predicted).
    top: Vec<(String, Vec<String>)>,
}

async fn clv_page(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let pairs = crate::api::query_pairs(&uri)?;
    let get = |k: &str| super::query_value(&pairs, k);
    let months: u32 = get("horizon_months").and_then(|m| m.parse().ok()).filter(|m| (1..=60).contains(m)).unwrap_or(12);
    let rate: f64 =
        get("discount_rate").and_then(|r| r.parse().ok()).filter(|r: &f64| (0.0..=0.5).contains(r)).unwrap_or(0.01);
    let segment = get("segment");
    let r = crate::api::reports::clv(&s, months, rate, segment.clone()).await?;
    let money = |x: f64| tr.money(x.round() as i64, &r.currency);
    let opt_money = |x: Option<f64>| x.map(money).unwrap_or_else(|| "–".into());
    let models = match &r.models {
        Some(m) => tr.ta(
            "clv-models",
            &[
                ("r", &format!("{:.3}", m.r)),
                ("alpha", &format!("{:.3}", m.alpha)),
                ("a", &format!("{:.3}", m.a)),
                ("b", &format!("{:.3}", m.b)),
                ("p", &format!("{:.2}", m.p)),
                ("q", &format!("{:.2}", m.q)),
                ("gamma", &format!("{:.2}", m.gamma)),
                ("customers", &tr.num(m.customers as i64)),
                ("repeat", &tr.num(m.repeat_customers as i64)),
            ],
        ),
        None => tr.t("clv-no-models"),
    };
    let label =
        |c: &Option<String>| c.as_ref().map(|c| tr.code("channel", c)).unwrap_or_else(|| tr.t("analytics-no-value"));
    let chart_bars: Vec<Bar> = r
        .channels
        .iter()
        .map(|c| {
            let value = c.average_historical + c.average_predicted.unwrap_or(0.0);
            Bar { label: label(&c.channel), value, shown: money(value) }
        })
        .collect();
    let channels = r
        .channels
        .iter()
        .map(|c| {
            vec![
                label(&c.channel),
                tr.num(c.customers as i64),
                money(c.average_historical),
                opt_money(c.average_predicted),
                opt_money(c.cac),
                c.clv_to_cac.map(|x| format!("{x:.1}")).unwrap_or_else(|| "–".into()),
            ]
        })
        .collect();
    let ids: Vec<String> = r.top.iter().map(|c| c.contact_id.clone()).collect();
    let names: std::collections::HashMap<String, String> = s
        .store
        .get_many(leadline_core::record::ObjectKind::Contact, &ids)
        .await?
        .iter()
        .map(|c| (c.id.clone(), super::records::title(c)))
        .collect();
    let top = r
        .top
        .iter()
        .map(|c| {
            (
                c.contact_id.clone(),
                vec![
                    names.get(&c.contact_id).cloned().unwrap_or_else(|| c.contact_id.clone()),
                    tr.num(c.purchases as i64),
                    money(c.historical as f64),
                    c.p_alive.map(|p| format!("{}%", tr.num((p * 100.0).round() as i64))).unwrap_or_else(|| "–".into()),
                    c.expected_purchases.map(|x| format!("{x:.1}")).unwrap_or_else(|| "–".into()),
                    opt_money(c.predicted),
                ],
            )
        })
        .collect();
    let segments = s.store.segments().await?.into_iter().map(|g| (g.id, g.name)).collect();
    let page = ClvPage {
        p: v.shell("/analytics", tr.t("clv-title")),
        months: months.to_string(),
        rate: format!("{rate}"),
        segment: segment.unwrap_or_default(),
        segments,
        models,
        summary: tr.ta(
            "clv-summary",
            &[
                ("customers", &tr.num(r.customers as i64)),
                ("historical", &money(r.average_historical)),
                ("predicted", &opt_money(r.average_predicted)),
                ("months", &tr.num(i64::from(months))),
            ],
        ),
        chart: bars(&tr.t("clv-chart"), &chart_bars, tr.locale.lang.is_rtl()),
        channels,
        top,
    };
    Ok(super::render(&page))
}

/// The steps a new funnel starts with: the site's way from a visit to a purchase.
const DEFAULT_STEPS: [&str; 3] = ["page_view", "form_submission", "purchase"];
/// The contact fields offered to break a funnel down by.
const BREAKDOWNS: [&str; 6] =
    ["country", "lifecycle_stage", "original_source", "lead_status", "first_touch_source", "owner_id"];

/// What the query string asks for, as the form shows it again.
struct Asked {
    /// (type, property filter as `name=value`).
    steps: Vec<(String, String)>,
    /// The steps' names, from a ready-made or saved funnel.
    names: Vec<Option<String>>,
    /// The saved funnel these steps came from.
    preset: String,
    window: String,
    unit: String,
    mode: String,
    from: String,
    to: String,
    breakdown: String,
}

/// What the query string asks for; `preset` names a saved funnel whose steps, window and mode
/// stand in for the ones not given.
fn asked(uri: &Uri, presets: &[SavedFunnel]) -> Result<Asked, ApiError> {
    let pairs = crate::api::query_pairs(uri)?;
    let all = |k: &str| pairs.iter().filter(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).collect::<Vec<_>>();
    let one = |k: &str| all(k).into_iter().next().unwrap_or_default();
    let wheres = all("where");
    let mut steps: Vec<(String, String)> = all("step")
        .into_iter()
        .enumerate()
        .map(|(i, s)| (s, wheres.get(i).cloned().unwrap_or_default()))
        .filter(|(s, _)| !s.is_empty())
        .collect();
    let preset = presets.iter().find(|p| p.key == one("preset"));
    // Names come along with the steps they name (the form keeps them beside each step).
    let step_count = all("step").len();
    let mut names: Vec<Option<String>> = all("name")
        .into_iter()
        .take(step_count)
        .zip(all("step"))
        .filter(|(_, st)| !st.is_empty())
        .map(|(n, _)| Some(n).filter(|n| !n.is_empty()))
        .collect();
    let (mut window, mut mode) = ("7".to_owned(), "default".to_owned());
    if let (true, Some(p)) = (steps.is_empty(), preset) {
        steps = p
            .steps
            .iter()
            .map(|s| {
                (
                    s.kind.clone(),
                    s.properties
                        .iter()
                        .next()
                        .map(|(k, v)| format!("{k}={}", v.as_str().map_or(v.to_string(), str::to_owned)))
                        .unwrap_or_default(),
                )
            })
            .collect();
        names = p.steps.iter().map(|s| s.name.clone()).collect();
        window = (p.window_seconds / 86_400).max(1).to_string();
        mode = p.mode.clone();
    } else if steps.is_empty() && !pairs.iter().any(|(k, _)| k == "step") {
        steps = DEFAULT_STEPS.iter().map(|s| ((*s).to_owned(), String::new())).collect();
    }
    let unit = Some(one("unit")).filter(|u| u == "hours").unwrap_or_else(|| "days".into());
    Ok(Asked {
        steps,
        names,
        preset: preset.map(|p| p.key.clone()).unwrap_or_default(),
        window: Some(one("window")).filter(|w| !w.is_empty()).unwrap_or(window),
        unit,
        mode: Some(one("mode")).filter(|m| Mode::parse(m).is_some()).unwrap_or(mode),
        from: one("from"),
        to: one("to"),
        breakdown: one("breakdown"),
    })
}

/// The API's input for what was asked: dates are whole days (`to` included).
fn input(a: &Asked) -> Result<FunnelInput, ApiError> {
    let mut steps = Vec::new();
    for (i, (kind, filter)) in a.steps.iter().enumerate() {
        let mut properties = std::collections::BTreeMap::new();
        if !filter.is_empty() {
            let (name, value) = filter.split_once('=').ok_or_else(|| {
                ApiError::invalid(&format!("steps[{i}].properties"), "invalid_filter", "a filter is name=value")
            })?;
            properties.insert(name.trim().to_owned(), serde_json::Value::String(value.trim().to_owned()));
        }
        steps.push(StepInput { name: a.names.get(i).cloned().flatten(), kind: kind.clone(), properties });
    }
    let amount: i64 =
        a.window.parse().map_err(|_| ApiError::invalid("window_seconds", "invalid_window", "a whole number"))?;
    let unit = if a.unit == "hours" { 3_600 } else { 86_400 };
    let day = |d: &str, field: &str, plus: i64| -> Result<Option<String>, ApiError> {
        if d.is_empty() {
            return Ok(None);
        }
        let ms = leadline_core::date::parse_time(field, &format!("{d}T00:00:00Z")).map_err(ApiError::from)?;
        Ok(Some(leadline_core::date::rfc3339(ms + plus)))
    };
    Ok(FunnelInput {
        steps,
        window_seconds: Some(amount.saturating_mul(unit)),
        mode: Some(a.mode.clone()),
        from: day(&a.from, "from", 0)?,
        to: day(&a.to, "to", 86_400_000)?,
        breakdown: Some(a.breakdown.clone()).filter(|b| !b.is_empty()),
    })
}

#[derive(Template)]
#[template(path = "analytics.html")]
struct AnalyticsPage {
    p: Shell,
    /// What was asked, shown again in the form.
    a: Asked,
    /// The saved funnels: (key, label).
    presets: Vec<(String, String)>,
    /// The form's step rows: (type, filter, name).
    step_rows: Vec<(String, String, String)>,
    breakdowns: Vec<(String, String)>,
    kinds: Vec<String>,
    errors: FormErrors,
    /// The answer: the chart, the rows of its table, the CSV link, the period said.
    chart: String,
    rows: Vec<Vec<String>>,
    csv: String,
    period: String,
    /// Breakdown: the header (value, then each step) and the rows.
    group_head: Vec<String>,
    groups: Vec<Vec<String>>,
}

/// A bar of a conversion: its share, and how many went on of how many entered.
fn conversion_bar(tr: &Tr, label: String, conversion: Option<f64>, went_on: u64, entered: u64) -> Bar {
    Bar {
        label,
        value: conversion.unwrap_or(0.0),
        shown: format!("{} ({}/{})", share(tr, conversion), tr.num(went_on as i64), tr.num(entered as i64)),
    }
}

fn share(tr: &Tr, v: Option<f64>) -> String {
    v.map(|x| format!("{}%", tr.num((x * 100.0).round() as i64))).unwrap_or_else(|| "–".into())
}

/// A time between steps, in its largest two units.
fn duration(tr: &Tr, seconds: Option<f64>) -> String {
    let Some(s) = seconds else { return "–".into() };
    let s = s.round() as i64;
    let (d, h, m) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    let part = |key: &str, n: i64| tr.t1(key, "n", &tr.num(n));
    match (d, h, m) {
        (0, 0, 0) => part("analytics-seconds", s),
        (0, 0, m) => part("analytics-minutes", m),
        (0, h, m) => format!("{} {}", part("analytics-hours", h), part("analytics-minutes", m)),
        (d, h, _) => format!("{} {}", part("analytics-days", d), part("analytics-hours", h)),
    }
}

fn step_label(tr: &Tr, i: usize, s: &StepReport) -> String {
    match &s.name {
        Some(name) => {
            format!("{}. {} ({})", tr.num(i as i64 + 1), tr.code("funnel-stage", name), tr.code("activity", &s.kind))
        }
        None => format!("{}. {}", tr.num(i as i64 + 1), tr.code("activity", &s.kind)),
    }
}

async fn page(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let presets = saved_funnels(&s).await?;
    let a = asked(&uri, &presets)?;
    let mut errors = FormErrors::default();
    let mut status = None;
    let report = match input(&a).and_then(|i| checked(i, crate::now())) {
        Ok(q) => Some(run(&s, q).await?),
        Err(e) if super::view::refuses_input(&e) => {
            errors = FormErrors::from_api(&tr, &e);
            status = Some(e.status());
            None
        }
        Err(e) => return Err(e.into()),
    };
    let mut kinds: Vec<String> = leadline_core::activity::KNOWN_TYPES.iter().map(|k| (*k).to_owned()).collect();
    kinds.extend(s.analytics.kinds());
    kinds.sort();
    kinds.dedup();
    let mut page = AnalyticsPage {
        p: v.shell("/analytics", tr.t("analytics-title")),
        presets: presets.iter().map(|p| (p.key.clone(), p.label.clone())).collect(),
        step_rows: a
            .steps
            .iter()
            .enumerate()
            .map(|(i, (k, f))| (k.clone(), f.clone(), a.names.get(i).cloned().flatten().unwrap_or_default()))
            .collect(),
        a,
        breakdowns: BREAKDOWNS.iter().map(|f| ((*f).to_owned(), tr.t(&format!("field-{f}")))).collect(),
        kinds,
        errors,
        chart: String::new(),
        rows: Vec::new(),
        csv: format!("/analytics/funnel.csv{}", uri.query().map(|q| format!("?{q}")).unwrap_or_default()),
        period: String::new(),
        group_head: Vec::new(),
        groups: Vec::new(),
    };
    if let Some(r) = &report {
        fill(&tr, &mut page, r);
    }
    let mut resp = super::records::page_response(&page, &page.errors);
    if let Some(st) = status {
        *resp.status_mut() = st;
    }
    Ok(resp)
}

fn fill(tr: &Tr, page: &mut AnalyticsPage, r: &FunnelReport) {
    let chart_bars: Vec<Bar> = r
        .steps
        .iter()
        .enumerate()
        .map(|(i, st)| Bar {
            label: step_label(tr, i, st),
            value: st.count as f64,
            shown: format!("{} ({})", tr.num(st.count as i64), share(tr, st.conversion_from_first)),
        })
        .collect();
    page.chart = bars(&tr.t("analytics-chart"), &chart_bars, tr.locale.lang.is_rtl());
    page.rows = r
        .steps
        .iter()
        .enumerate()
        .map(|(i, st)| {
            vec![
                step_label(tr, i, st),
                tr.num(st.count as i64),
                if i == 0 { "–".into() } else { share(tr, st.conversion_from_previous) },
                share(tr, st.conversion_from_first),
                if i == 0 { "–".into() } else { tr.num(st.dropped as i64) },
                duration(tr, st.median_seconds),
                duration(tr, st.average_seconds),
            ]
        })
        .collect();
    page.period = tr.ta(
        "analytics-period",
        &[("from", &r.from[..10]), ("to", &r.to[..10]), ("mode", &tr.t(&format!("mode-{}", r.mode)))],
    );
    if r.breakdown.is_some() {
        page.group_head = r.steps.iter().enumerate().map(|(i, st)| step_label(tr, i, st)).collect();
        page.groups = r
            .groups
            .iter()
            .map(|g| {
                let name = match (&g.value, g.other) {
                    (_, true) => tr.t("analytics-other"),
                    (Some(v), _) => v.clone(),
                    (None, _) => tr.t("analytics-no-value"),
                };
                let last = g.steps.last().and_then(|s| s.conversion_from_first);
                std::iter::once(name)
                    .chain(g.steps.iter().map(|s| tr.num(s.count as i64)))
                    .chain(std::iter::once(share(tr, last)))
                    .collect()
            })
            .collect();
    }
}

/// The funnel's table as CSV: one row a step, then one a step of each group.
async fn csv(State(s): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, super::PageError> {
    v.require(Action::Read)?;
    let presets = saved_funnels(&s).await?;
    let q = checked(input(&asked(&uri, &presets)?)?, crate::now())?;
    let r = run(&s, q).await?;
    let row = |group: &str, i: usize, st: &StepReport| {
        let num = |x: Option<f64>| super::csv_number(x, 4);
        vec![
            group.to_owned(),
            (i + 1).to_string(),
            st.kind.clone(),
            st.count.to_string(),
            st.dropped.to_string(),
            num(st.conversion_from_previous),
            num(st.conversion_from_first),
            num(st.median_seconds),
            num(st.average_seconds),
        ]
    };
    let mut rows: Vec<Vec<String>> = r.steps.iter().enumerate().map(|(i, st)| row("", i, st)).collect();
    for g in &r.groups {
        let name = if g.other { "(other)".to_owned() } else { g.value.clone().unwrap_or_else(|| "(none)".into()) };
        rows.extend(g.steps.iter().enumerate().map(|(i, st)| row(&name, i, st)));
    }
    super::csv_response(
        "funnel.csv",
        &[
            "group",
            "step",
            "type",
            "count",
            "dropped",
            "conversion_from_previous",
            "conversion_from_first",
            "median_seconds",
            "average_seconds",
        ],
        rows,
    )
}

#[derive(Template)]
#[template(path = "journey.html")]
struct JourneyPage {
    p: Shell,
    segments: Vec<(String, String)>,
    segment: String,
    /// Whose journey: a sentence, empty before one is chosen.
    whose: String,
    chart: String,
    /// (stage, reached, went on, dropped, touchpoints, barriers).
    rows: Vec<Vec<String>>,
    csv: String,
}

async fn journey_page(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let pairs = crate::api::query_pairs(&uri)?;
    let get = |k: &str| super::query_value(&pairs, k);
    let subject = [("contact_id", get("contact_id")), ("company_id", get("company_id")), ("segment", get("segment"))]
        .into_iter()
        .find_map(|(k, v)| v.map(|v| (k, v)));
    let mut page = JourneyPage {
        p: v.shell("/analytics", tr.t("journey-title")),
        segments: s.store.segments().await?.into_iter().map(|g| (g.id, g.name)).collect(),
        segment: get("segment").unwrap_or_default(),
        whose: String::new(),
        chart: String::new(),
        rows: Vec::new(),
        csv: String::new(),
    };
    if let Some((kind, id)) = subject {
        page.csv = format!("/analytics/journey.csv?{kind}={}", super::view::urlencode(&id));
        let r = crate::api::reports::journey(&s, kind, &id).await?;
        let name = match kind {
            "contact_id" => super::records::title(&s.store.get(leadline_core::record::ObjectKind::Contact, &id).await?),
            "company_id" => super::records::title(&s.store.get(leadline_core::record::ObjectKind::Company, &id).await?),
            _ => page.segments.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()).unwrap_or_default(),
        };
        page.whose = tr.ta("journey-whose", &[("name", &name), ("people", &tr.num(r.people as i64))]);
        let share = |a: u64, b: u64| {
            if b == 0 {
                "–".to_owned()
            } else {
                format!("{}%", tr.num((a as f64 * 100.0 / b as f64).round() as i64))
            }
        };
        let kinds = |v: &[crate::api::reports::Count]| {
            v.iter().map(|c| format!("{} {}", tr.code("activity", &c.kind), tr.num(c.count as i64))).collect::<Vec<_>>()
        };
        let boxes: Vec<JourneyBox> = r
            .stages
            .iter()
            .map(|st| JourneyBox {
                title: tr.t(&format!("journey-{}", st.stage)),
                reached: tr.t1("journey-reached", "n", &tr.num(st.reached as i64)),
                lines: kinds(&st.touchpoints),
                went_on: share(st.went_on, st.reached),
                stopped: if st.stage == "loyalty" {
                    String::new()
                } else {
                    tr.t1("journey-stopped", "n", &tr.num(st.dropped as i64))
                },
            })
            .collect();
        page.chart = journey(&tr.t("journey-title"), &boxes, tr.locale.lang.is_rtl());
        page.rows = r
            .stages
            .iter()
            .map(|st| {
                vec![
                    tr.t(&format!("journey-{}", st.stage)),
                    tr.num(st.reached as i64),
                    share(st.went_on, st.reached),
                    tr.num(st.dropped as i64),
                    kinds(&st.touchpoints).join(", "),
                    kinds(&st.barriers).join(", "),
                ]
            })
            .collect();
    }
    Ok(super::render(&page))
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    p: Shell,
    from: String,
    to: String,
    period: String,
    lifecycle_chart: String,
    /// (from, to, entered, went on, conversion, median days, average days).
    lifecycle: Vec<Vec<String>>,
    cohort_chart: String,
    cohort_head: Vec<String>,
    cohorts: Vec<Vec<String>>,
    query: String,
    /// (key, label) of every pipeline, and the one shown.
    pipelines: Vec<(String, String)>,
    pipeline: String,
    flow_chart: String,
    /// (stage, entered, went on, conversion, won, average days).
    flow: Vec<Vec<String>>,
}

fn days(tr: &Tr, x: Option<f64>) -> String {
    x.map(|d| tr.t1("analytics-days", "n", &format!("{d:.1}"))).unwrap_or_else(|| "–".into())
}

async fn reports_page(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let pairs = crate::api::query_pairs(&uri)?;
    let get = |k: &str| super::query_value(&pairs, k);
    let l = crate::api::reports::lifecycle(&s, get("from").as_deref(), get("to").as_deref()).await?;
    let stage = |k: &str| tr.t(&format!("stage-{k}"));
    let lifecycle_bars: Vec<Bar> = l
        .steps
        .iter()
        .map(|st| {
            let label = format!("{} → {}", stage(&st.from), stage(&st.to));
            conversion_bar(&tr, label, st.conversion, st.went_on, st.entered)
        })
        .collect();
    let lifecycle = l
        .steps
        .iter()
        .map(|st| {
            vec![
                format!("{} → {}", stage(&st.from), stage(&st.to)),
                tr.num(st.entered as i64),
                tr.num(st.went_on as i64),
                share(&tr, st.conversion),
                days(&tr, st.median_days),
                days(&tr, st.average_days),
            ]
        })
        .collect();
    let c = crate::api::reports::cohort_table(&s, 12).await?;
    let span = c.cohorts.iter().map(|c| c.active.len()).max().unwrap_or(0);
    let cohort_head: Vec<String> = (0..span).map(|k| tr.num(k as i64)).collect();
    let rows: Vec<(String, Vec<Cell>)> = c
        .cohorts
        .iter()
        .map(|c| {
            let cells = (0..span).map(|k| c.retention.get(k).map(|r| (*r, share(&tr, Some(*r))))).collect();
            (format!("{} ({})", c.month, tr.num(c.customers as i64)), cells)
        })
        .collect();
    let cohorts = c
        .cohorts
        .iter()
        .map(|c| {
            std::iter::once(c.month.clone())
                .chain(std::iter::once(tr.num(c.customers as i64)))
                .chain((0..span).map(|k| c.retention.get(k).map(|r| share(&tr, Some(*r))).unwrap_or_default()))
                .collect()
        })
        .collect();
    let flow =
        crate::api::reports::pipeline_flow(&s, get("pipeline"), get("from").as_deref(), get("to").as_deref()).await?;
    let flow_bars: Vec<Bar> = flow
        .stages
        .iter()
        .map(|st| conversion_bar(&tr, st.label.clone(), st.conversion, st.went_on, st.entered))
        .collect();
    let flow_rows = flow
        .stages
        .iter()
        .map(|st| {
            vec![
                st.label.clone(),
                tr.num(st.entered as i64),
                tr.num(st.went_on as i64),
                share(&tr, st.conversion),
                tr.num(st.won as i64),
                days(&tr, st.average_days),
            ]
        })
        .collect();
    let pipelines = crate::pipelines::load(s.store.as_ref()).await?.into_iter().map(|p| (p.key, p.label)).collect();
    let page = ReportsPage {
        p: v.shell("/analytics", tr.t("reports-title")),
        pipelines,
        pipeline: flow.pipeline.clone(),
        flow_chart: bars(&tr.t("reports-pipeline"), &flow_bars, tr.locale.lang.is_rtl()),
        flow: flow_rows,
        period: tr.ta("reports-period", &[("from", &l.from), ("to", &l.to)]),
        from: get("from").unwrap_or_default(),
        to: get("to").unwrap_or_default(),
        lifecycle_chart: bars(&tr.t("reports-lifecycle"), &lifecycle_bars, tr.locale.lang.is_rtl()),
        lifecycle,
        cohort_chart: grid(&tr.t("reports-cohorts"), &cohort_head, &rows, tr.locale.lang.is_rtl()),
        cohort_head,
        cohorts,
        query: uri.query().map(|q| format!("?{q}")).unwrap_or_default(),
    };
    Ok(super::render(&page))
}

async fn lifecycle_csv(State(s): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, super::PageError> {
    v.require(Action::Read)?;
    let pairs = crate::api::query_pairs(&uri)?;
    let get = |k: &str| super::query_value(&pairs, k);
    let l = crate::api::reports::lifecycle(&s, get("from").as_deref(), get("to").as_deref()).await?;
    let num = |x: Option<f64>| super::csv_number(x, 4);
    let rows = l
        .steps
        .iter()
        .map(|st| {
            vec![
                st.from.clone(),
                st.to.clone(),
                st.entered.to_string(),
                st.went_on.to_string(),
                num(st.conversion),
                num(st.median_days),
                num(st.average_days),
            ]
        })
        .collect();
    super::csv_response(
        "lifecycle.csv",
        &["from", "to", "entered", "went_on", "conversion", "median_days", "average_days"],
        rows,
    )
}

async fn cohorts_csv(State(s): State<AppState>, v: Viewer) -> Result<Response, super::PageError> {
    v.require(Action::Read)?;
    let c = crate::api::reports::cohort_table(&s, 36).await?;
    let rows = c
        .cohorts
        .iter()
        .flat_map(|c| {
            c.active.iter().enumerate().map(move |(k, a)| {
                vec![
                    c.month.clone(),
                    c.customers.to_string(),
                    k.to_string(),
                    a.to_string(),
                    format!("{:.4}", c.retention[k]),
                ]
            })
        })
        .collect();
    super::csv_response("cohorts.csv", &["cohort", "customers", "month", "active", "retention"], rows)
}

/// Keep the funnel on the page under a key (an administrator's; the ready-made ones mapped to
/// other activity types this way).
async fn save_preset(State(s): State<AppState>, form: super::Posted) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Administer)?;
    let f = &form.fields;
    let text = |k: &str| f.text(k).unwrap_or_default().to_owned();
    let wheres = f.all("where");
    let names = f.all("name");
    let a = Asked {
        steps: f
            .all("step")
            .iter()
            .enumerate()
            .map(|(i, st)| (st.trim().to_owned(), wheres.get(i).map(|w| w.trim().to_owned()).unwrap_or_default()))
            .filter(|(st, _)| !st.is_empty())
            .collect(),
        names: names.iter().map(|n| Some(n.trim().to_owned()).filter(|n| !n.is_empty())).collect(),
        preset: text("key"),
        window: text("window"),
        unit: text("unit"),
        mode: text("mode"),
        from: String::new(),
        to: String::new(),
        breakdown: String::new(),
    };
    let key = text("key");
    let result = match input(&a) {
        Ok(i) => {
            let saved = SavedFunnel {
                key: key.clone(),
                label: text("label"),
                steps: i.steps,
                window_seconds: i.window_seconds.unwrap_or(crate::api::analytics::DEFAULT_WINDOW_SECONDS),
                mode: i.mode.unwrap_or_else(|| "default".into()),
            };
            crate::api::analytics::keep(&s, &key, saved).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(axum::response::Redirect::to(&format!("/analytics?preset={key}")).into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let tr = Tr { locale: v.locale };
            Err(super::PageError(ApiError::invalid(
                e.field.as_deref().unwrap_or("key"),
                "invalid_preset",
                super::view::error_text(&tr, &e),
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// Lifetime value by channel (the chart's figures) and the most valuable customers, as CSV.
async fn clv_csv(State(s): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, super::PageError> {
    v.require(Action::Read)?;
    let pairs = crate::api::query_pairs(&uri)?;
    let get = |k: &str| super::query_value(&pairs, k);
    let months: u32 = get("horizon_months").and_then(|m| m.parse().ok()).filter(|m| (1..=60).contains(m)).unwrap_or(12);
    let rate: f64 =
        get("discount_rate").and_then(|r| r.parse().ok()).filter(|r: &f64| (0.0..=0.5).contains(r)).unwrap_or(0.01);
    let r = crate::api::reports::clv(&s, months, rate, get("segment")).await?;
    let num = |x: Option<f64>| super::csv_number(x, 2);
    let rows = r
        .channels
        .iter()
        .map(|c| {
            vec![
                "channel".to_owned(),
                c.channel.clone().unwrap_or_default(),
                c.customers.to_string(),
                num(Some(c.average_historical)),
                num(c.average_predicted),
                num(c.cac),
                num(c.clv_to_cac),
            ]
        })
        .chain(r.top.iter().map(|c| {
            vec![
                "customer".to_owned(),
                c.contact_id.clone(),
                c.purchases.to_string(),
                c.historical.to_string(),
                num(c.predicted),
                num(c.p_alive),
                num(c.expected_purchases),
            ]
        }))
        .collect();
    super::csv_response(
        "lifetime-value.csv",
        &[
            "row",
            "channel_or_contact",
            "customers_or_purchases",
            "historical",
            "predicted",
            "cac_or_p_alive",
            "ratio_or_expected_purchases",
        ],
        rows,
    )
}

/// A journey map's figures as CSV: a row a stage.
async fn journey_csv(State(s): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, super::PageError> {
    v.require(Action::Read)?;
    let pairs = crate::api::query_pairs(&uri)?;
    let subject = pairs
        .iter()
        .find(|(k, v)| ["contact_id", "company_id", "segment"].contains(&k.as_str()) && !v.trim().is_empty())
        .cloned()
        .ok_or_else(|| ApiError::invalid("segment", "one_subject", "one of contact_id, company_id and segment"))?;
    let r = crate::api::reports::journey(&s, &subject.0, subject.1.trim()).await?;
    let list = |v: &[crate::api::reports::Count]| {
        v.iter().map(|c| format!("{}:{}", c.kind, c.count)).collect::<Vec<_>>().join(" ")
    };
    let rows = r
        .stages
        .iter()
        .map(|st| {
            vec![
                st.stage.clone(),
                st.reached.to_string(),
                st.went_on.to_string(),
                st.dropped.to_string(),
                list(&st.touchpoints),
                list(&st.barriers),
            ]
        })
        .collect();
    super::csv_response("journey.csv", &["stage", "reached", "went_on", "stopped", "touchpoints", "barriers"], rows)
}

async fn pipeline_csv(State(s): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, super::PageError> {
    v.require(Action::Read)?;
    let pairs = crate::api::query_pairs(&uri)?;
    let get = |k: &str| super::query_value(&pairs, k);
    let f =
        crate::api::reports::pipeline_flow(&s, get("pipeline"), get("from").as_deref(), get("to").as_deref()).await?;
    let num = |x: Option<f64>| super::csv_number(x, 4);
    let rows = f
        .stages
        .iter()
        .map(|st| {
            vec![
                f.pipeline.clone(),
                st.stage.clone(),
                st.entered.to_string(),
                st.went_on.to_string(),
                num(st.conversion),
                st.won.to_string(),
                num(st.average_days),
            ]
        })
        .collect();
    super::csv_response(
        "pipeline.csv",
        &["pipeline", "stage", "entered", "went_on", "conversion", "won", "average_days"],
        rows,
    )
}
