//! API tests: a whole server per test, on SQLite and (with LEADLINE_TEST_DATABASE_URL) on
//! PostgreSQL, driven through the router as a client would.

mod analytics;
mod api;
mod hardening;
mod imports;
mod tracking;
mod web;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use leadline_core::role::{Role, TokenScope};
use leadline_server::{api::router, auth, AppState, ServerConfig};
use leadline_store::testing::TestStore;
use serde_json::Value;
use tower::ServiceExt;

/// A server on a fresh store with an admin token.
pub struct App {
    pub router: Router,
    pub state: AppState,
    pub admin: String,
    store: Option<TestStore>,
    pub dir: std::path::PathBuf,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Assert an error reply: status, code and field.
    #[track_caller]
    pub fn error(&self, status: u16, code: &str, field: Option<&str>) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        let j = self.json();
        assert_eq!(j["code"], code, "{}", self.text);
        assert_eq!(j["field"].as_str(), field, "{}", self.text);
        assert!(j["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

/// What a metrics scraper sends.
pub const METRICS_TOKEN: &str = "scraper-secret-0123456789";

impl App {
    /// A server on a fresh store with no users at all (the first run).
    pub async fn bare(t: TestStore) -> App {
        let dir = std::env::temp_dir().join(format!("leadline-api-{}", uuid_like()));
        let config = ServerConfig {
            data_dir: dir.clone(),
            default_region: Some("PL".into()),
            metrics_token: Some(METRICS_TOKEN.into()),
            ..Default::default()
        };
        let state = AppState::new(t.store.clone(), config);
        App { router: router(state.clone()), state, admin: String::new(), store: Some(t), dir }
    }

    pub async fn new(t: TestStore) -> App {
        let mut app = App::bare(t).await;
        let state = app.state.clone();
        let admin = state
            .store
            .create_user("admin@test.pl", None, Role::Admin, Some(&auth::hash_password("admin password 1").unwrap()), 0)
            .await
            .unwrap();
        app.admin = Self::token_for(&state, &admin.id, TokenScope::Write).await;
        app
    }

    pub async fn token_for(state: &AppState, user_id: &str, scope: TokenScope) -> String {
        let (token, prefix) = auth::new_token();
        state.store.create_token(user_id, "test", scope, &auth::hash_secret(&token), &prefix, 0).await.unwrap();
        token
    }

    /// A token for a new user with this role.
    pub async fn user(&self, email: &str, role: Role, scope: TokenScope) -> String {
        let u = self
            .state
            .store
            .create_user(email, None, role, Some(&auth::hash_password("user password 1").unwrap()), 0)
            .await
            .unwrap();
        Self::token_for(&self.state, &u.id, scope).await
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn call(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut b =
            Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(b.body(body).unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(&self.admin, Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(&self.admin, Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(&self.admin, Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(&self.admin, Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.call(&self.admin, Method::DELETE, path, None).await
    }

    pub async fn remove(mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(t) = self.store.take() {
            drop(self.router);
            drop(self.state);
            t.remove().await;
        }
    }
}

fn uuid_like() -> String {
    format!(
        "{}-{:x}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    )
}

/// Run a scenario on every backend.
macro_rules! on_every_backend {
    ($module:ident :: { $($scenario:ident),* $(,)? }) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $scenario() {
            for t in leadline_store::testing::all().await {
                eprintln!("{} on {}", stringify!($scenario), t.store.backend());
                let app = App::new(t).await;
                $module::$scenario(&app).await;
                app.remove().await;
            }
        }
    )*};
}

on_every_backend!(api::{
    errors_are_json_and_name_the_field,
    sessions_need_csrf_and_are_rate_limited,
    roles_and_scopes_are_enforced,
    contacts_crud_search_and_history,
    lists_filter_sort_and_page,
    batch_upsert_reports_each_item,
    merge_and_unmerge,
    companies_and_roles,
    deals_follow_their_stage,
    activities_notes_calls_tasks,
    custom_properties,
    users_and_tokens,
    openapi_matches_the_handlers,
    health_and_metrics,
    conditions_are_read_with_their_problems,
    contact_scores_explain_themselves,
    the_engine_moves_contacts_event_by_event,
    the_engine_waits_at_a_gap_in_the_log,
    segments_are_kept_by_the_engine,
    field_changes_reach_the_engine_and_lists_sort_by_score,
    leads_are_routed_into_work_queues,
    static_lists_are_kept_by_people,
    ad_hoc_counts_agree_with_deciding_everyone,
    an_event_stored_after_the_steps_clock_still_counts,
    rules_are_previewed_applied_and_versioned,
    events_are_published_once_on_nats,
});

on_every_backend!(imports::{
    a_queued_import_cancelled_never_runs,
    import_with_bad_rows_and_rejects,
    dry_run_reports_and_keeps_nothing,
    purchased_lists_and_companies_by_domain,
    batch_boundaries_change_nothing,
    export_streams_filtered_csv,
    an_export_imports_back_onto_the_same_contacts,
    a_shared_phone_is_a_possible_duplicate_not_a_merge,
    peer_exports_import_whole,
    an_import_is_undone,
});

on_every_backend!(hardening::{
    nul_bytes_are_refused_at_the_edge,
    zeros_and_long_lists_are_no_server_error,
    input_is_typed_as_documented,
    redirects_stay_on_this_origin,
    read_tokens_only_read,
    sign_in_limits_cannot_lock_a_user_out,
    exports_neutralise_formulas,
    slow_clients_are_cut_off,
});

on_every_backend!(tracking::{
    sites_are_made_with_a_write_key,
    the_segment_api_keeps_good_messages_and_names_bad_ones,
    a_visit_becomes_a_known_attributed_contact,
    forms_turn_visitors_into_leads,
    campaign_costs_quality_and_attribution_match_the_hand_count,
    webhooks_are_signed_retried_logged_and_redelivered,
    landing_pages_count_each_variant,
});

on_every_backend!(analytics::{
    funnels_count_people_through_their_steps,
    a_funnel_names_what_is_wrong_with_it,
    pipelines_boards_and_the_forecast,
    the_dashboard_counts_the_period_against_the_one_before,
    lifetime_value_per_customer_and_channel,
    a_journey_map_places_touchpoints_in_their_stage,
    lifecycle_conversion_and_cohorts_are_reported,
    ready_made_funnels_are_mapped_and_saved,
    customer_health_flags_risk_and_upsell,
});

on_every_backend!(web::{
    forms_need_csrf_and_show_errors_at_the_field,
    persian_contact_found_with_the_other_letters,
    bulk_stage_change_and_confirmed_delete,
    read_only_users_see_no_write_actions,
    language_switch_makes_pages_rtl,
    import_through_the_pages,
    every_screen_renders,
    duplicates_are_reviewed_on_their_screen,
    owners_offered_can_write,
    lists_show_their_total,
    codes_read_as_words,
    a_taken_email_links_to_its_contact,
    an_unmapped_column_becomes_a_property,
    bulk_actions_take_every_match_and_every_list,
    segments_are_made_and_seen_on_their_pages,
    routing_is_set_on_its_page_and_leads_reach_the_queue,
    scoring_rules_are_previewed_and_applied_on_their_page,
    forms_are_built_on_their_page,
    campaigns_are_made_and_reported_on_their_page,
    landing_pages_are_built_on_their_page,
    funnels_are_drawn_on_their_page,
    deals_move_on_the_board,
    pipelines_rates_and_goals_are_set_on_their_page,
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_creates_the_admin() {
    for t in leadline_store::testing::all().await {
        eprintln!("first_run_creates_the_admin on {}", t.store.backend());
        let app = App::bare(t).await;
        web::first_run_creates_the_admin(&app).await;
        app.remove().await;
    }
}
