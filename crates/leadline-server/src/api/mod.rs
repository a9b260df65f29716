//! The `/api/v1` routes, the request-body extractor, and the OpenAPI document.

pub(crate) mod admin;
pub(crate) mod duplicates;
pub(crate) mod imports;
pub(crate) mod records;
mod system;
pub(crate) mod timeline;

use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::header;
use axum::routing::get;
use axum::Router;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::OpenApi;

use crate::error::{ApiError, ApiResult, Kind};
use crate::AppState;

pub fn router(state: AppState) -> Router {
    let max_json = state.config.max_json_bytes;
    let api = Router::new()
        .merge(records::routes())
        .merge(timeline::routes())
        .merge(admin::routes())
        .merge(duplicates::routes())
        .route("/openapi.json", get(system::openapi))
        .layer(DefaultBodyLimit::max(max_json))
        // Uploads have their own, larger limit.
        .merge(imports::routes(state.config.max_upload_bytes));
    let web = crate::web::routes(state.config.max_upload_bytes)
        .layer(DefaultBodyLimit::max(max_json))
        .layer(axum::middleware::from_fn(crate::web::html_errors));
    Router::new()
        .merge(web)
        .nest("/api/v1", api)
        .route("/healthz", get(system::healthz))
        .route("/metrics", get(system::metrics))
        .fallback(system::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        .with_state(state)
}

/// A JSON request body, with every way it can be wrong turned into a 4xx that says how.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"));
        if !json {
            return Err(ApiError::bad_request("not_json", "send the body as JSON with Content-Type: application/json"));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    Kind::PayloadTooLarge,
                    "payload_too_large",
                    "the body is larger than this endpoint accepts",
                )
            } else {
                ApiError::bad_request("unreadable_body", e.body_text())
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| ApiError::bad_request("invalid_json", format!("the body is not valid JSON: {e}")))
    }
}

/// Read a typed body out of JSON; a missing or mistyped field is a 422 naming it.
pub fn parse<T: DeserializeOwned>(v: Value) -> ApiResult<T> {
    serde_json::from_value(v).map_err(|e| {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).unwrap_or("body").to_owned();
        ApiError::invalid(&field, "invalid_body", msg)
    })
}

/// The query string as pairs, or a 400 saying why it cannot be read.
pub fn query_pairs(uri: &axum::http::Uri) -> ApiResult<Vec<(String, String)>> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Leadline API", description = "The lead-to-revenue system's REST API. Authenticate with `Authorization: Bearer <token>` (create tokens in Settings or with `leadline token create`) or a session cookie plus the `x-csrf-token` header. Errors are `{code, message, field}`."),
    paths(
        system::healthz, system::metrics,
        records::contacts::list, records::contacts::create, records::contacts::get_one, records::contacts::update, records::contacts::delete,
        records::contacts::history, records::contacts::timeline, records::contact_upserts::batch, records::contact_upserts::merge,
        records::companies::list, records::companies::create, records::companies::get_one, records::companies::update, records::companies::delete,
        records::companies::history, records::companies::timeline, records::company_upserts::batch, records::company_upserts::merge,
        records::deals::list, records::deals::create, records::deals::get_one, records::deals::update, records::deals::delete,
        records::deals::history, records::deals::timeline,
        records::company_contacts, records::link_contact, records::unlink_contact, records::undo_merge, records::merges,
        duplicates::list, duplicates::get_one, duplicates::dismiss, duplicates::merge, duplicates::scan,
        timeline::list_activities, timeline::create_activities, timeline::get_activity, timeline::delete_activity,
        timeline::create_note, timeline::create_call,
        timeline::list_tasks, timeline::create_task, timeline::get_task, timeline::update_task, timeline::delete_task,
        admin::login, admin::logout, admin::me, admin::change_password,
        admin::list_users, admin::create_user, admin::get_user, admin::update_user,
        admin::list_tokens, admin::create_token, admin::revoke_token,
        admin::list_properties, admin::define_property, admin::delete_property,
        imports::preview, imports::start, imports::list, imports::get_one, imports::cancel, imports::undo, imports::rejects, imports::warnings, imports::export,
    ),
    components(schemas(
        crate::error::ErrorBody,
        records::Contact, records::ContactInput, records::Company, records::CompanyInput, records::Deal, records::DealInput,
        records::ContactPage, records::CompanyPage, records::DealPage, records::BatchRequest, records::BatchResponse, records::BatchResult,
        records::MergeRequest, records::MergeDto, records::LinkRequest, records::CompanyContact, records::FieldChangeDto,
        timeline::ActivityDto, timeline::ActivityInput, timeline::ActivityResult, timeline::NoteInput, timeline::CallInput,
        timeline::TaskDto, timeline::TaskInput, timeline::TaskPatch, timeline::TaskPage,
        admin::LoginRequest, admin::SessionDto, admin::PasswordChange, admin::UserDto, admin::UserInput, admin::UserPatch,
        admin::TokenDto, admin::TokenInput, admin::TokenCreated, admin::PropertyDto,
        imports::JobDto, imports::UndoDto, imports::PreviewDto, imports::WarningDto,
        duplicates::DuplicateDto, duplicates::DuplicatePage, duplicates::ScanResult,
    )),
    modifiers(&BearerAuth),
    security(("bearer" = []), ("session" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
    }
}

/// For `Option<Option<T>>` fields: absent is `None`, `null` is `Some(None)` (clear it).
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}
