//! The `/api/v1` routes, the request-body extractor, and the OpenAPI document.

pub(crate) mod admin;
pub(crate) mod analytics;
pub(crate) mod campaigns;
pub(crate) mod conditions;
pub(crate) mod duplicates;
pub(crate) mod forms;
pub mod health;
pub(crate) mod imports;
pub(crate) mod pages;
pub(crate) mod pipelines;
pub(crate) mod records;
pub mod reports;
pub(crate) mod routing;
pub(crate) mod rules;
pub(crate) mod scores;
pub(crate) mod segments;
pub(crate) mod sites;
mod system;
pub(crate) mod timeline;
pub mod track;
pub(crate) mod webhooks;

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
        .merge(conditions::routes())
        .merge(scores::routes())
        .merge(segments::routes())
        .merge(routing::routes())
        .merge(rules::routes())
        .merge(sites::routes())
        .merge(forms::routes())
        .merge(pages::routes())
        .merge(campaigns::routes())
        .merge(analytics::routes())
        .merge(pipelines::routes())
        .merge(reports::routes())
        .merge(health::routes())
        .merge(webhooks::routes())
        .route("/openapi.json", get(system::openapi))
        .layer(DefaultBodyLimit::max(max_json))
        // Uploads have their own, larger limit.
        .merge(imports::routes(state.config.max_upload_bytes));
    let web = crate::web::routes(state.config.max_upload_bytes)
        .layer(DefaultBodyLimit::max(max_json))
        .layer(axum::middleware::from_fn(crate::web::html_errors));
    Router::new()
        .merge(web)
        .merge(track::routes())
        .merge(crate::forms::routes())
        .merge(crate::pages::routes())
        .nest("/api/v1", api)
        .route("/healthz", get(system::healthz))
        .route("/metrics", get(system::metrics))
        .fallback(system::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::guard::refuse_nul))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        .with_state(state)
}

/// A report's period: `days`, 1 to 365 (30 when not given); any other parameter is refused.
pub fn days_param(pairs: &[(String, String)]) -> ApiResult<i64> {
    let mut days = 30;
    for (k, v) in pairs {
        match k.as_str() {
            "days" => {
                days = v
                    .parse()
                    .ok()
                    .filter(|d| (1..=365).contains(d))
                    .ok_or_else(|| ApiError::invalid("days", "invalid_days", "days is 1 to 365"))?
            }
            other => return Err(ApiError::invalid(other, "unknown_parameter", "the report takes days")),
        }
    }
    Ok(days)
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
        match serde_json::from_slice::<Strict>(&bytes) {
            Ok(Strict(v)) => Ok(JsonBody(v)),
            Err(e) => {
                let msg = e.to_string();
                match msg.strip_prefix(DUPLICATE_KEY).and_then(|rest| rest.split('`').nth(1)) {
                    Some(key) => Err(ApiError::invalid(
                        key,
                        "duplicate_key",
                        format!("{key} appears twice in one object; send each field once"),
                    )),
                    None => Err(ApiError::bad_request("invalid_json", format!("the body is not valid JSON: {msg}"))),
                }
            }
        }
    }
}

const DUPLICATE_KEY: &str = "duplicate key ";

/// JSON read strictly: an object that names a key twice is refused (`serde_json::Value` would
/// keep the last one silently, so two tools could read one body two ways).
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        serde::Deserialize::deserialize(d).map(|Strict(v)| v)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Strict(v) = map.next_value()?;
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("{DUPLICATE_KEY}`{key}`")));
            }
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Read a typed body out of JSON; a missing, unknown or mistyped field is a 422 naming it.
pub fn parse<T: DeserializeOwned>(v: Value) -> ApiResult<T> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let msg = e.inner().to_string();
        let path = e.path().to_string();
        // A missing or unknown field is named in the message; a mistyped one by its path.
        let field = match (path.as_str(), msg.split('`').nth(1)) {
            ("." | "", Some(named)) if msg.starts_with("missing field") || msg.starts_with("unknown field") => {
                named.to_owned()
            }
            ("." | "", _) => "body".to_owned(),
            (path, _) => path.to_owned(),
        };
        ApiError::invalid(&field, "invalid_body", format!("{field}: {msg}"))
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
        conditions::parse_condition, conditions::count_condition, scores::contact_scores, scores::company_scores,
        segments::create, segments::list, segments::get_one, segments::delete, segments::members,
        segments::add_members, segments::remove_member, segments::history,
        campaigns::create, campaigns::list, campaigns::get_one, campaigns::update, campaigns::remove,
        campaigns::add_spend, campaigns::spend, campaigns::import_spend, campaigns::cost_report,
        campaigns::quality_report, campaigns::attribution_report,
        analytics::funnel, analytics::saved, analytics::save,
        pipelines::list, pipelines::replace, pipelines::board_of, pipelines::forecast_report, pipelines::set_goals,
        pipelines::rates, pipelines::set_rates, reports::dashboard_report, reports::clv_report, reports::journey_report, reports::lifecycle_report, reports::cohort_report, reports::pipeline_report,
        health::health_report,
        webhooks::create, webhooks::list, webhooks::get_one, webhooks::update, webhooks::remove,
        webhooks::deliveries, webhooks::redeliver,
        pages::create, pages::list, pages::get_one, pages::replace, pages::remove,
        forms::create, forms::list, forms::get_one, forms::replace, forms::remove,
        sites::create, sites::list, sites::get_one, sites::update, sites::remove, sites::events, sites::visitors, sites::unlink,
        routing::get_routing, routing::set_routing, routing::list_members, routing::set_member, routing::remove_member,
        routing::work_queue, routing::sla_report,
        rules::get_rules, rules::set_rules, rules::preview, rules::versions, rules::version, rules::restore,
        duplicates::list, duplicates::get_one, duplicates::dismiss, duplicates::merge, duplicates::scan,
        timeline::list_activities, timeline::create_activities, timeline::get_activity, timeline::delete_activity,
        timeline::create_note, timeline::create_call,
        timeline::list_tasks, timeline::create_task, timeline::get_task, timeline::update_task, timeline::delete_task,
        admin::login, admin::logout, admin::me, admin::change_password,
        admin::list_users, admin::create_user, admin::get_user, admin::update_user,
        admin::list_tokens, admin::create_token, admin::revoke_token,
        admin::list_properties, admin::define_property, admin::delete_property,
        imports::preview, imports::start, imports::list, imports::get_one, imports::job, imports::cancel, imports::undo, imports::rejects, imports::warnings, imports::export,
    ),
    components(schemas(
        crate::error::ErrorBody,
        records::Contact, records::ContactInput, records::Company, records::CompanyInput, records::Deal, records::DealInput,
        records::ContactPage, records::CompanyPage, records::DealPage, records::BatchRequest, records::BatchResponse, records::BatchResult,
        records::MergeRequest, records::MergeDto, records::LinkRequest, records::CompanyContact, records::FieldChangeDto,
        timeline::ActivityDto, timeline::ActivityPage, timeline::ActivityInput, timeline::ActivityResult, timeline::NoteInput, timeline::CallInput,
        timeline::TaskDto, timeline::TaskInput, timeline::TaskPatch, timeline::TaskPage,
        admin::LoginRequest, admin::SessionDto, admin::PasswordChange, admin::UserDto, admin::UserInput, admin::UserPatch,
        admin::TokenDto, admin::TokenInput, admin::TokenCreated, admin::PropertyDto,
        imports::JobDto, imports::UndoDto, imports::PreviewDto, imports::WarningDto,
        conditions::ConditionInput, conditions::ConditionDto, conditions::ConditionError, conditions::CountInput,
        conditions::CountDto,
        scores::ScoresDto, scores::ModelScoreDto, scores::RuleScoreDto, scores::AccountScoresDto,
        scores::AccountEngagementDto, scores::PersonScoreDto,
        segments::SegmentInput, segments::SegmentDto, segments::SegmentMembers, segments::ListMembersInput,
        segments::ListMembersAdded, segments::SegmentHistory, segments::SegmentDayDto,
        campaigns::CampaignInput, campaigns::CampaignDto, campaigns::SpendEntry, campaigns::SpendInput,
        campaigns::SpendDto, campaigns::SpendImport, campaigns::CostRow, campaigns::CostNumbers,
        campaigns::CostReport, campaigns::QualityRow, campaigns::QualityReport, campaigns::AttributionRow,
        campaigns::AttributionReport,
        crate::pipelines::PipelineDto, crate::pipelines::StageDto, pipelines::Card, pipelines::Column, pipelines::Board,
        pipelines::ForecastLine, pipelines::Forecast, pipelines::Goal, pipelines::RateDto, reports::Metric, reports::Dashboard, reports::Models, reports::CustomerValue, reports::ChannelValue, reports::ClvReport, reports::Count, reports::JourneyStage, reports::JourneyReport, reports::StepDto, reports::LifecycleReport, reports::CohortDto, reports::CohortReport, reports::StageFlowDto, reports::PipelineFlow,
        health::HealthBand, health::HealthCustomer, health::HealthReport,
        analytics::FunnelInput, analytics::StepInput, analytics::FunnelReport, analytics::StepReport, analytics::GroupReport, analytics::SavedFunnel,
        webhooks::WebhookInput, webhooks::WebhookDto, webhooks::DeliveryDto,
        pages::PageDto, pages::VariantStats, crate::pages::PageBody, crate::pages::Block,
        forms::FormDto, crate::forms::FormBody, crate::forms::FieldDto, crate::forms::ConsentDto,
        sites::SiteInput, sites::SitePatch, sites::SiteDto, sites::SiteEvents, sites::VisitorDto, sites::TouchDto,
        routing::RoutingDto, crate::routing::RuleDto, routing::MemberDto, routing::MemberInput, routing::QueueItemDto,
        routing::QueueDto, routing::SlaRow,
        rules::RulesDto, rules::VersionDto, rules::PreviewDto, rules::ModelPreviewDto, rules::CategoryMoveDto,
        rules::SegmentPreviewDto, rules::MoverDto, crate::rules::RulesBody, crate::rules::ModelDto,
        crate::rules::ScoreRuleDto, crate::rules::ThresholdDto, crate::rules::LifecycleRuleDto,
        duplicates::DuplicateDto, duplicates::DuplicatePage, duplicates::ScanResult,
    )),
    modifiers(&BearerAuth, &Exact),
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

/// What makes the document exact for tools that test an API from it (schemathesis): every
/// path parameter declared, the errors every operation can answer with documented (a NUL byte
/// or a bad query is a 400 anywhere, a missing sign-in a 401, a role or read token a 403, an
/// unknown id a 404, a body that trickles a 408, a write that contradicts what is stored a
/// 409, a body too large a 413, invalid input a 422, sign-in attempts past the limit a 429),
/// and `limit` bounded as the handlers bound it.
struct Exact;

/// The largest `limit` each list takes.
fn max_limit(path: &str) -> u64 {
    match path {
        "/api/v1/activities" | "/api/v1/imports/{id}/warnings" => 1000,
        "/api/v1/duplicates" => 200,
        p if p.ends_with("/timeline") => 1000,
        _ => u64::from(crate::wire::MAX_LIMIT),
    }
}

impl utoipa::Modify for Exact {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{HttpMethod, ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::{Ref, Required, ResponseBuilder};
        let error = || {
            ResponseBuilder::new()
                .description("an error: {code, message, field}")
                .content(
                    "application/json",
                    utoipa::openapi::ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let names: Vec<String> = path
                .split('/')
                .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .map(str::to_owned)
                .collect();
            let methods = [
                (HttpMethod::Get, item.get.as_mut()),
                (HttpMethod::Post, item.post.as_mut()),
                (HttpMethod::Put, item.put.as_mut()),
                (HttpMethod::Patch, item.patch.as_mut()),
                (HttpMethod::Delete, item.delete.as_mut()),
            ];
            for (method, op) in methods {
                let Some(op) = op else { continue };
                let params = op.parameters.get_or_insert_with(Vec::new);
                for name in &names {
                    if !params.iter().any(|p| &p.name == name && p.parameter_in == ParameterIn::Path) {
                        params.push(
                            ParameterBuilder::new()
                                .name(name)
                                .parameter_in(ParameterIn::Path)
                                .required(Required::True)
                                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                                .build(),
                        );
                    }
                }
                for p in params.iter_mut().filter(|p| p.name == "limit" && p.parameter_in == ParameterIn::Query) {
                    p.schema = Some(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(1))
                            .maximum(Some(max_limit(path)))
                            .into(),
                    );
                }
                if params.is_empty() {
                    op.parameters = None;
                }
                let public = path == "/healthz";
                let mut codes = vec!["400", "404", "422"];
                if !public {
                    codes.extend(["401", "403", "429"]);
                }
                if method != HttpMethod::Get {
                    codes.extend(["408", "409", "413"]);
                }
                for code in codes {
                    if !op.responses.responses.contains_key(code) {
                        op.responses.responses.insert(code.to_owned(), error().into());
                    }
                }
            }
        }
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
