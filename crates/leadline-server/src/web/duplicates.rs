//! The possible duplicates screen: pairs of contacts that look like one person, side by side,
//! to merge or to keep apart; and a scan for people of the same name.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::role::Action;
use leadline_store::{DuplicatePair, DuplicateStatus, Record};

use super::view::{query_string, Shell, Tr};
use super::{render, PageResult, Posted, Viewer};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/duplicates", get(page))
        .route("/duplicates/scan", post(scan))
        .route("/duplicates/{id}/merge", post(merge))
        .route("/duplicates/{id}/dismiss", post(dismiss))
}

/// One contact of a pair, as the card shows it.
struct Side {
    href: String,
    name: String,
    lines: Vec<String>,
}

struct PairView {
    id: String,
    reason: String,
    found: String,
    resolved: Option<String>,
    sides: [Side; 2],
}

struct Tab {
    href: String,
    label: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "duplicates.html")]
struct DuplicatesPage {
    p: Shell,
    tabs: Vec<Tab>,
    open: bool,
    pairs: Vec<PairView>,
    next: Option<String>,
    notice: Option<String>,
}

fn side(tr: &Tr, r: &Record) -> Side {
    let mut lines: Vec<String> = r.emails.iter().chain(&r.phones).cloned().collect();
    lines.extend(["job_title", "company_name"].into_iter().filter_map(|f| r.text(f).map(str::to_owned)));
    if let Some(stage) = r.text("lifecycle_stage") {
        lines.push(tr.t(&format!("stage-{stage}")));
    }
    lines.push(tr.t1("dup-created", "when", &tr.date(r.created_at())));
    Side { href: format!("/contacts/{}", r.id), name: super::records::title(r), lines }
}

fn pair_view(tr: &Tr, d: &DuplicatePair) -> PairView {
    PairView {
        id: d.id.clone(),
        reason: tr.t(&format!("dup-reason-{}", d.reason.as_str())),
        found: tr.t1("dup-found-on", "when", &tr.datetime(d.found_at)),
        resolved: d.resolved_at.map(|at| tr.t1(&format!("dup-{}-on", d.status.as_str()), "when", &tr.datetime(at))),
        sides: [side(tr, &d.a), side(tr, &d.b)],
    }
}

async fn page(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let pairs = crate::api::query_pairs(&uri)?;
    // The notice after a form is the page's own; the rest is the API's query.
    let (notice, query): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| k == "notice" || k == "n");
    let (q, _) = crate::api::duplicates::duplicate_query(query)?;
    let mut tabs = Vec::new();
    for status in DuplicateStatus::ALL {
        let count = s.store.count_duplicates(status).await?;
        tabs.push(Tab {
            href: format!("/duplicates?status={}", status.as_str()),
            label: format!("{} ({})", tr.t(&format!("dup-status-{}", status.as_str())), tr.num(count)),
            active: status == q.status,
        });
    }
    let page = s.store.duplicates(&q).await?;
    let notice = notice.iter().find(|(k, _)| k == "notice").map(|(_, kind)| {
        let n = notice.iter().find(|(k, _)| k == "n").and_then(|(_, n)| n.parse().ok()).unwrap_or(0);
        match kind.as_str() {
            "scanned" => tr.tn("dup-scanned", n),
            "merged" => tr.t("dup-merged"),
            _ => tr.t("dup-dismissed"),
        }
    });
    let next =
        page.next.map(|c| format!("/duplicates?{}", query_string([("status", q.status.as_str()), ("cursor", &c)])));
    Ok(render(&DuplicatesPage {
        p: v.shell("/contacts", tr.t("dup-title")),
        tabs,
        open: q.status == DuplicateStatus::Open,
        pairs: page.items.iter().map(|d| pair_view(&tr, d)).collect(),
        next,
        notice,
    }))
}

fn actor(v: &Viewer) -> leadline_store::Actor<'_> {
    leadline_store::Actor::new(Some(v.user().id.as_str()), leadline_core::lifecycle::ChangeCause::Manual, crate::now())
}

async fn merge(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Write)?;
    s.store.merge_duplicate(&id, actor(&form.viewer)).await?;
    Ok(Redirect::to("/duplicates?notice=merged").into_response())
}

async fn dismiss(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Write)?;
    s.store.dismiss_duplicate(&id, actor(&form.viewer)).await?;
    Ok(Redirect::to("/duplicates?notice=dismissed").into_response())
}

async fn scan(State(s): State<AppState>, form: Posted) -> PageResult {
    form.viewer.require(Action::Write)?;
    let found = s.store.scan_duplicates(actor(&form.viewer)).await?;
    Ok(Redirect::to(&format!("/duplicates?notice=scanned&n={found}")).into_response())
}
