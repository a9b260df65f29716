//! The webhooks screen (`/settings/webhooks`, administrators): each subscription with its
//! events, secret and latest deliveries (status, attempts, the receiver's last answer, a
//! button to send one again), and a form to add one.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::role::Action;
use leadline_store::{Delivery, WebhookRow};

use super::auth::FormErrors;
use super::view::{Shell, Tr};
use super::{PageResult, Posted, Viewer};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/webhooks", get(page).post(create))
        .route("/settings/webhooks/{id}/delete", post(delete))
        .route("/settings/webhooks/deliveries/{id}/redeliver", post(redeliver))
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage {
    p: Shell,
    hooks: Vec<(WebhookRow, Vec<(Delivery, String)>)>,
    events: Vec<&'static str>,
    errors: FormErrors,
    url: String,
}

async fn render_page(s: &AppState, v: &Viewer, url: String, errors: FormErrors) -> PageResult {
    v.require(Action::Administer)?;
    let tr = Tr { locale: v.locale };
    let mut hooks = Vec::new();
    for h in s.store.webhooks().await? {
        let deliveries = s
            .store
            .deliveries(&h.id, 20)
            .await?
            .into_iter()
            .map(|d| {
                let when = tr.datetime(d.delivered_at.unwrap_or(d.created_at));
                (d, when)
            })
            .collect();
        hooks.push((h, deliveries));
    }
    let page = WebhooksPage {
        p: v.shell("/settings", tr.t("webhooks-title")),
        hooks,
        events: leadline_core::webhook::EVENT_TYPES.to_vec(),
        errors,
        url,
    };
    Ok(super::records::page_response(&page, &page.errors))
}

async fn page(State(s): State<AppState>, v: Viewer) -> PageResult {
    render_page(&s, &v, String::new(), FormErrors::default()).await
}

async fn create(State(s): State<AppState>, form: Posted) -> PageResult {
    let v = &form.viewer;
    let url = form.fields.text("url").unwrap_or_default().to_owned();
    let events: Vec<String> = form.fields.all("events").into_iter().map(str::to_owned).collect();
    let body = serde_json::json!({"url": url, "events": events});
    match crate::api::webhooks::create(State(s.clone()), v.caller.clone(), crate::api::JsonBody(body)).await {
        Ok(_) => Ok(Redirect::to("/settings/webhooks").into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let errors = FormErrors::from_api(&Tr { locale: v.locale }, &e);
            let mut resp = render_page(&s, v, url, errors).await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Administer)?;
    s.store.delete_webhook(&id).await?;
    Ok(Redirect::to("/settings/webhooks").into_response())
}

async fn redeliver(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Administer)?;
    s.store.redeliver(&id, crate::now()).await?;
    Ok(Redirect::to("/settings/webhooks").into_response())
}
