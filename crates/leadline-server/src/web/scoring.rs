//! `/settings/scoring`: the score models' rules and the lifecycle rules as one form. "Preview"
//! shows what the change would do to a sample of contacts (the API's preview) with the form
//! kept as typed; "Apply" keeps it as the next version and shows the job that follows the
//! engine through every contact. Earlier versions are listed and can be restored.
//!
//! A rule is a row: `m{i}.r{j}.{name, kind, what, where, window, points, cap, half_life,
//! remove}` (`kind` is `when`, with a condition in `what`, or `each`, with an activity type);
//! a lifecycle rule is `l{k}.{stage, condition, remove}`. A row left empty is no rule, so each
//! model and the lifecycle offer one empty row to add one.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::engine::Rules;
use leadline_core::lifecycle::LifecycleStage;
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;

use super::records;
use super::view::{error_text, refuses_input, Shell, Tr};
use super::{render, Fields, PageResult, Posted, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::rules::{LifecycleRuleDto, ModelDto, RulesBody, ScoreRuleDto, ThresholdDto};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/settings/scoring", get(page).post(submit)).route("/settings/scoring/restore", post(restore))
}

/// A rule as a row of the form.
#[derive(Default, Clone)]
struct RuleRow {
    name: String,
    /// `when` or `each`.
    kind: String,
    what: String,
    filter: String,
    window: String,
    points: String,
    cap: String,
    half_life: String,
    /// (column, message) of this row's problem.
    error: Option<(String, String)>,
}

impl RuleRow {
    fn invalid(&self, column: &str) -> bool {
        self.error.as_ref().is_some_and(|(c, _)| c == column)
    }
}

struct ModelForm {
    key: String,
    label: String,
    /// `A 60, B 40, C 20, D`.
    thresholds: String,
    rows: Vec<RuleRow>,
    /// A problem with the model itself (its key, its thresholds, too many rules).
    error: Option<String>,
}

#[derive(Default, Clone)]
struct StageRow {
    stage: String,
    condition: String,
    error: Option<(String, String)>,
}

impl StageRow {
    fn invalid(&self, column: &str) -> bool {
        self.error.as_ref().is_some_and(|(c, _)| c == column)
    }
}

/// A count of contacts moving from one thing to another, as the preview shows it.
struct Move {
    what: String,
    from: String,
    to: String,
    count: String,
}

struct Mover {
    id: String,
    name: String,
    model: String,
    from: String,
    to: String,
}

struct PreviewView {
    summary: String,
    moves: Vec<Move>,
    stages: Vec<Move>,
    segments: Vec<Move>,
    movers: Vec<Mover>,
}

struct VersionRow {
    version: i64,
    when: String,
    by: String,
    note: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "scoring.html")]
struct ScoringPage {
    p: Shell,
    /// Which rules apply now.
    applied: String,
    models: Vec<ModelForm>,
    lifecycle: Vec<StageRow>,
    /// (code, label) of the stages a rule can move to.
    stages: Vec<(String, String)>,
    note: String,
    form_error: Option<String>,
    preview: Option<PreviewView>,
    versions: Vec<VersionRow>,
    notice: Option<String>,
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The rules as the form shows them, with one empty row to add a rule to each model and to the
/// lifecycle.
fn form_of(tr: &Tr, body: &RulesBody) -> (Vec<ModelForm>, Vec<StageRow>) {
    let models = body
        .models
        .iter()
        .map(|m| {
            let mut rows: Vec<RuleRow> = m
                .rules
                .iter()
                .map(|r| RuleRow {
                    name: r.name.clone(),
                    kind: if r.each.is_some() { "each" } else { "when" }.into(),
                    what: r.each.clone().or_else(|| r.when.clone()).unwrap_or_default(),
                    filter: r.filter.clone().unwrap_or_default(),
                    window: opt(r.window_days),
                    points: number(r.points),
                    cap: opt(r.cap.map(number)),
                    half_life: opt(r.half_life_days),
                    error: None,
                })
                .collect();
            rows.push(RuleRow { kind: "when".into(), ..RuleRow::default() });
            let thresholds = m
                .thresholds
                .iter()
                .map(|t| match t.min {
                    Some(min) => format!("{} {}", t.category, number(min)),
                    None => t.category.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ");
            ModelForm { key: m.key.clone(), label: tr.code("score", &m.key), thresholds, rows, error: None }
        })
        .collect();
    let mut lifecycle: Vec<StageRow> = body
        .lifecycle
        .iter()
        .map(|r| StageRow { stage: r.stage.clone(), condition: r.condition.clone(), error: None })
        .collect();
    lifecycle.push(StageRow::default());
    (models, lifecycle)
}

/// Where each rule of the body came from in the form: (model, row) per model's rule, row per
/// lifecycle rule.
#[derive(Default)]
struct Origin {
    rules: Vec<Vec<usize>>,
    lifecycle: Vec<usize>,
}

/// A number typed in any of the interface's languages (Persian and Arabic digits, a decimal
/// comma).
fn parse_number(text: &str) -> Option<f64> {
    let ascii: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
            '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
            ',' | '٫' => '.',
            '−' => '-',
            c => c,
        })
        .collect();
    ascii.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn whole(text: &str, field: &str) -> ApiResult<Option<u32>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match parse_number(text) {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => Ok(Some(n as u32)),
        _ => Err(ApiError::invalid(field, "invalid_number", format!("{text:?} is not a whole number"))),
    }
}

fn points(text: &str, field: &str, required: bool) -> ApiResult<Option<f64>> {
    if text.trim().is_empty() && !required {
        return Ok(None);
    }
    parse_number(text)
        .map(Some)
        .ok_or_else(|| ApiError::invalid(field, "invalid_points", format!("{text:?} is not a number")))
}

/// `A 60, B 40, C 20, D`: categories from the highest, each with its lowest score (the last may
/// have none: every score below; core refuses one without a score anywhere else).
fn thresholds(text: &str) -> Vec<ThresholdDto> {
    text.split([',', '،', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match t.rsplit_once(char::is_whitespace) {
            Some((category, min)) if parse_number(min).is_some() => {
                ThresholdDto { category: category.trim().to_owned(), min: parse_number(min) }
            }
            _ => ThresholdDto { category: t.to_owned(), min: None },
        })
        .collect()
}

/// The form's models and lifecycle rows, as typed.
fn rows_of(fields: &Fields, keys: &[String]) -> (Vec<ModelForm>, Vec<StageRow>, Vec<Vec<bool>>, Vec<bool>) {
    let get = |k: String| fields.get(&k).unwrap_or_default().to_owned();
    let mut removed = Vec::new();
    let models = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let mut rows = Vec::new();
            let mut gone = Vec::new();
            for j in 0.. {
                let at = |c: &str| format!("m{i}.r{j}.{c}");
                if fields.get(&at("kind")).is_none() {
                    break;
                }
                rows.push(RuleRow {
                    name: get(at("name")),
                    kind: get(at("kind")),
                    what: get(at("what")),
                    filter: get(at("where")),
                    window: get(at("window")),
                    points: get(at("points")),
                    cap: get(at("cap")),
                    half_life: get(at("half_life")),
                    error: None,
                });
                gone.push(fields.get(&at("remove")).is_some());
            }
            removed.push(gone);
            ModelForm {
                key: key.clone(),
                label: String::new(),
                thresholds: get(format!("m{i}.thresholds")),
                rows,
                error: None,
            }
        })
        .collect();
    let mut lifecycle = Vec::new();
    let mut gone = Vec::new();
    for k in 0.. {
        let Some(stage) = fields.get(&format!("l{k}.stage")) else { break };
        lifecycle.push(StageRow { stage: stage.to_owned(), condition: get(format!("l{k}.condition")), error: None });
        gone.push(fields.get(&format!("l{k}.remove")).is_some());
    }
    (models, lifecycle, removed, gone)
}

/// The rules the form holds, and where each came from; or the first problem, named as the API
/// names it in the body.
fn body_of(
    models: &[ModelForm],
    lifecycle: &[StageRow],
    removed: &[Vec<bool>],
    gone: &[bool],
    origin: &mut Origin,
) -> ApiResult<RulesBody> {
    let mut body = RulesBody { models: Vec::new(), lifecycle: Vec::new(), note: None };
    for (i, m) in models.iter().enumerate() {
        let mut rules = Vec::new();
        origin.rules.push(Vec::new());
        for (j, r) in m.rows.iter().enumerate() {
            let empty = r.name.trim().is_empty() && r.what.trim().is_empty();
            if empty || removed[i].get(j).copied().unwrap_or(false) {
                continue;
            }
            let at = format!("models[{i}].rules[{}]", rules.len());
            origin.rules[i].push(j);
            let each = r.kind == "each";
            let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
            rules.push(ScoreRuleDto {
                name: r.name.clone(),
                when: (!each).then(|| r.what.clone()),
                each: each.then(|| r.what.clone()),
                filter: if each { text(&r.filter) } else { None },
                window_days: if each { whole(&r.window, &format!("{at}.window_days"))? } else { None },
                points: points(&r.points, &format!("{at}.points"), true)?.unwrap_or_default(),
                cap: points(&r.cap, &format!("{at}.cap"), false)?,
                half_life_days: whole(&r.half_life, &format!("{at}.half_life_days"))?,
            });
        }
        let thresholds = thresholds(&m.thresholds);
        body.models.push(ModelDto { key: m.key.clone(), rules, thresholds });
    }
    for (k, r) in lifecycle.iter().enumerate() {
        if r.condition.trim().is_empty() || gone.get(k).copied().unwrap_or(false) {
            continue;
        }
        origin.lifecycle.push(k);
        body.lifecycle.push(LifecycleRuleDto { stage: r.stage.clone(), condition: r.condition.clone() });
    }
    Ok(body)
}

/// `models[1].rules[2].when` -> (1, 2, "when").
fn rule_at(field: &str) -> Option<(usize, usize, &str)> {
    let rest = field.strip_prefix("models[")?;
    let (i, rest) = rest.split_once("].rules[")?;
    let (j, column) = rest.split_once("].")?;
    Some((i.parse().ok()?, j.parse().ok()?, column))
}

/// Put an error where it belongs in the form: at its rule's row and column, at its model, at
/// its lifecycle row, or above the form.
fn place(
    tr: &Tr,
    e: &ApiError,
    models: &mut [ModelForm],
    lifecycle: &mut [StageRow],
    origin: &Origin,
) -> Option<String> {
    let message = match e.code.as_str() {
        // The position and what was expected say more than any translation could.
        "invalid_condition" => e.message.clone(),
        _ => error_text(tr, e),
    };
    let field = e.field.as_deref().unwrap_or("");
    if let Some((i, j, column)) = rule_at(field) {
        let column = match column {
            "when" | "each" => "what",
            "where" => "where",
            "window_days" => "window",
            "half_life_days" => "half_life",
            other => other,
        };
        let row = origin.rules.get(i).and_then(|rows| rows.get(j)).copied();
        if let Some(r) = row.and_then(|j| models.get_mut(i)?.rows.get_mut(j)) {
            r.error = Some((column.to_owned(), message));
            return None;
        }
    }
    if let Some(rest) = field.strip_prefix("models[") {
        if let Some(m) = rest.split(']').next().and_then(|i| i.parse::<usize>().ok()).and_then(|i| models.get_mut(i)) {
            m.error = Some(message);
            return None;
        }
    }
    if let Some(rest) = field.strip_prefix("lifecycle[") {
        let mut parts = rest.splitn(2, "].");
        let k = parts.next().and_then(|k| k.parse::<usize>().ok());
        let column = parts.next().unwrap_or("condition");
        if let Some(row) = k.and_then(|k| origin.lifecycle.get(k)).and_then(|k| lifecycle.get_mut(*k)) {
            row.error = Some((column.to_owned(), message));
            return None;
        }
    }
    Some(message)
}

fn stage_choices(tr: &Tr) -> Vec<(String, String)> {
    LifecycleStage::ALL
        .into_iter()
        .filter(|s| s.rank().is_some())
        .map(|s| (s.as_str().to_owned(), tr.t(&format!("stage-{}", s.as_str()))))
        .collect()
}

async fn versions(s: &AppState, tr: &Tr, current: Option<i64>) -> ApiResult<Vec<VersionRow>> {
    let users = s.store.users().await?;
    Ok(s.store
        .rule_versions(50)
        .await?
        .into_iter()
        .map(|v| VersionRow {
            version: v.version,
            when: tr.datetime(v.created_at),
            by: v.created_by.as_deref().map(|id| records::user_name(&users, id)).unwrap_or_default(),
            note: v.note.unwrap_or_default(),
            current: Some(v.version) == current,
        })
        .collect())
}

/// The page around a form: the current rules' version, the stages, the versions kept.
#[allow(clippy::too_many_arguments)]
async fn render_page(
    s: &AppState,
    v: &Viewer,
    mut models: Vec<ModelForm>,
    lifecycle: Vec<StageRow>,
    note: String,
    form_error: Option<String>,
    preview: Option<PreviewView>,
    notice: Option<String>,
) -> PageResult {
    let tr = Tr { locale: v.locale };
    let current = s.rules.get(s.store.as_ref()).await?;
    for m in &mut models {
        m.label = tr.code("score", &m.key);
    }
    let applied = match current.version {
        Some(n) => tr.t1("scoring-version", "version", &n.to_string()),
        None => tr.t("scoring-shipped"),
    };
    let page = ScoringPage {
        p: v.shell("/settings", tr.t("scoring-title")),
        applied,
        models,
        lifecycle,
        stages: stage_choices(&tr),
        note,
        form_error,
        preview,
        versions: versions(s, &tr, current.version).await?,
        notice,
    };
    Ok(render(&page))
}

async fn page(State(s): State<AppState>, v: Viewer, uri: axum::http::Uri) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let current = s.rules.get(s.store.as_ref()).await?;
    let (models, lifecycle) = form_of(&tr, &RulesBody::of(&current.rules));
    let restored = crate::api::query_pairs(&uri)?.into_iter().find(|(k, _)| k == "restored").map(|(_, v)| v);
    let notice = restored.map(|n| tr.t1("scoring-restored", "version", &n));
    render_page(&s, &v, models, lifecycle, String::new(), None, None, notice).await
}

/// What the preview counted, in the viewer's words, with the movers' names.
async fn preview_view(s: &AppState, tr: &Tr, rules: &Rules) -> ApiResult<PreviewView> {
    let p = crate::api::rules::preview_dto(s, rules, 2_000).await?;
    let summary = tr.ta(
        "scoring-preview-summary",
        &[
            ("sample", &tr.num(p.sample as i64)),
            ("contacts", &tr.num(p.contacts)),
            ("ms", &tr.num(p.elapsed_ms as i64)),
        ],
    );
    let moves = p
        .models
        .iter()
        .flat_map(|m| {
            m.categories.iter().map(|c| Move {
                what: tr.code("score", &m.model),
                from: c.from.clone(),
                to: c.to.clone(),
                count: tr.num(c.count as i64),
            })
        })
        .collect();
    let stage = |code: &str| if code == "-" { "-".to_owned() } else { tr.t(&format!("stage-{code}")) };
    let stages = p
        .stages
        .iter()
        .map(|c| Move { what: String::new(), from: stage(&c.from), to: stage(&c.to), count: tr.num(c.count as i64) })
        .collect();
    let segments = p
        .segments
        .iter()
        .map(|g| Move {
            what: g.name.clone(),
            from: tr.num(g.leaving as i64),
            to: tr.num(g.entering as i64),
            count: String::new(),
        })
        .collect();
    let ids: Vec<String> = p.movers.iter().map(|m| m.contact_id.clone()).collect();
    let names: HashMap<String, String> =
        s.store.get_many(ObjectKind::Contact, &ids).await?.iter().map(|r| (r.id.clone(), records::title(r))).collect();
    let movers = p
        .movers
        .iter()
        .map(|m| Mover {
            name: names.get(&m.contact_id).cloned().unwrap_or_else(|| m.contact_id.clone()),
            id: m.contact_id.clone(),
            model: tr.code("score", &m.model),
            from: number((m.from * 10.0).round() / 10.0),
            to: number((m.to * 10.0).round() / 10.0),
        })
        .collect();
    Ok(PreviewView { summary, moves, stages, segments, movers })
}

async fn submit(State(s): State<AppState>, form: Posted) -> PageResult {
    let v = &form.viewer;
    let apply = form.fields.get("action") == Some("apply");
    v.require(if apply { Action::Administer } else { Action::Read })?;
    let tr = Tr { locale: v.locale };
    let keys: Vec<String> =
        (0..).map_while(|i| form.fields.get(&format!("m{i}.key")).map(str::to_owned)).take(50).collect();
    let (mut models, mut lifecycle, removed, gone) = rows_of(&form.fields, &keys);
    let note = form.fields.get("note").unwrap_or_default().to_owned();
    let mut origin = Origin::default();
    let read = match body_of(&models, &lifecycle, &removed, &gone, &mut origin) {
        Ok(body) => crate::rules::read_checked(s.store.as_ref(), &body).await,
        Err(e) => Err(e),
    };
    let outcome = match read {
        Ok(rules) if apply => match crate::rules::apply(&s, &rules, Some(&note), v.caller.user_id()).await {
            Ok((_, job)) => return Ok(Redirect::to(&format!("/jobs/{}", job.id)).into_response()),
            Err(e) => Err(e),
        },
        Ok(rules) => preview_view(&s, &tr, &rules).await.map(Some),
        Err(e) => Err(e),
    };
    let (preview, form_error) = match outcome {
        Ok(preview) => (preview, None),
        Err(e) if refuses_input(&e) => (None, Some(e)),
        Err(e) => return Err(e.into()),
    };
    let status = form_error.as_ref().map(ApiError::status);
    let form_error = form_error.and_then(|e| place(&tr, &e, &mut models, &mut lifecycle, &origin));
    // The empty rows to add with stay offered.
    for m in &mut models {
        if m.rows.last().is_none_or(|r| !r.name.is_empty() || !r.what.is_empty()) {
            m.rows.push(RuleRow { kind: "when".into(), ..RuleRow::default() });
        }
    }
    if lifecycle.last().is_none_or(|r| !r.condition.is_empty()) {
        lifecycle.push(StageRow::default());
    }
    let mut resp = render_page(&s, v, models, lifecycle, note, form_error, preview, None).await?;
    if let Some(status) = status {
        *resp.status_mut() = status;
    }
    Ok(resp)
}

async fn restore(State(s): State<AppState>, form: Posted) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Administer)?;
    let raw = form.fields.get("version").unwrap_or_default();
    let note = Tr { locale: v.locale }.t1("scoring-restored", "version", raw);
    let (_, job, _) = crate::rules::restore(&s, raw, &note, v.caller.user_id()).await?;
    Ok(Redirect::to(&format!("/jobs/{}", job.id)).into_response())
}
