//! Contacts, companies and deals: list, search, create, read, update, delete, history,
//! timeline, batch upsert and merge. One generic implementation per operation; the `object_routes!`
//! macro gives each object its routes and their OpenAPI descriptions.

use std::borrow::Cow;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use leadline_core::lifecycle::ChangeCause;
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;
use leadline_store::{Actor, CompanyUpsert, ContactUpsert, FieldChange, MergeRecord, UpsertKind, WriteOptions};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

use super::{parse, query_pairs, JsonBody};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::wire::{self, InputContext};
use crate::AppState;

/// The OpenAPI schema of a record comes from the same field tables the parser uses.
macro_rules! record_schema {
    ($ty:ident, $name:literal, $object:expr, $input:expr) => {
        pub struct $ty;
        impl utoipa::PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                wire::record_schema($object, $input)
            }
        }
        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

record_schema!(Contact, "Contact", ObjectKind::Contact, false);
record_schema!(ContactInput, "ContactInput", ObjectKind::Contact, true);
record_schema!(Company, "Company", ObjectKind::Company, false);
record_schema!(CompanyInput, "CompanyInput", ObjectKind::Company, true);
record_schema!(Deal, "Deal", ObjectKind::Deal, false);
record_schema!(DealInput, "DealInput", ObjectKind::Deal, true);

/// One page of a list (documentation of the JSON the list handlers build).
macro_rules! page_schema {
    ($page:ident, $item:ty) => {
        // Documents the JSON `list_impl` builds from records; never constructed.
        #[allow(dead_code)]
        #[derive(ToSchema)]
        pub struct $page {
            pub items: Vec<$item>,
            /// Pass as `cursor` for the next page; absent on the last page.
            pub next_cursor: Option<String>,
            /// How many records match in all; only with `count=true`.
            pub total: Option<i64>,
        }
    };
}

page_schema!(ContactPage, Contact);
page_schema!(CompanyPage, Company);
page_schema!(DealPage, Deal);

#[derive(Deserialize, ToSchema)]
pub struct BatchRequest {
    /// Up to 1000 records, each matched by e-mail or external id (contacts) or domain and
    /// external id (companies); a record that matches nothing is created. A phone matches a
    /// contact only for an item without e-mail whose name does not contradict the contact's,
    /// and only when one contact has it; other contacts met through a phone are listed as
    /// possible duplicates. An item with an `id` updates that record (or the one it was merged
    /// into) instead.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
    /// Report what would happen without keeping anything.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Serialize, ToSchema)]
pub struct BatchResult {
    pub index: usize,
    /// created, updated, merged (a duplicate of an earlier item in the same batch) or error.
    pub status: String,
    pub id: Option<String>,
    /// Other contacts this one looks like (a shared phone), listed at /api/v1/duplicates.
    pub possible_duplicates: Vec<String>,
    pub error: Option<crate::error::ErrorBody>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchResponse {
    pub results: Vec<BatchResult>,
    pub created: usize,
    pub updated: usize,
    pub merged: usize,
    pub failed: usize,
    pub dry_run: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct MergeRequest {
    /// The two records to merge. The older one survives and keeps its id.
    pub ids: [String; 2],
}

#[derive(Serialize, ToSchema)]
pub struct MergeDto {
    pub id: String,
    pub object: String,
    pub survivor_id: String,
    pub merged_id: String,
    pub at: String,
    pub actor_id: Option<String>,
    pub undone_at: Option<String>,
}

impl From<MergeRecord> for MergeDto {
    fn from(m: MergeRecord) -> Self {
        Self {
            id: m.id,
            object: m.object.as_str().into(),
            survivor_id: m.survivor_id,
            merged_id: m.merged_id,
            at: leadline_core::date::rfc3339(m.at),
            actor_id: m.actor_id,
            undone_at: m.undone_at.map(leadline_core::date::rfc3339),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FieldChangeDto {
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub at: String,
    /// manual, import, merge or rule.
    pub cause: String,
    pub actor_id: Option<String>,
}

impl From<FieldChange> for FieldChangeDto {
    fn from(c: FieldChange) -> Self {
        Self {
            field: c.field,
            from: c.from,
            to: c.to,
            at: leadline_core::date::rfc3339(c.at),
            cause: c.cause,
            actor_id: c.actor_id,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct LinkRequest {
    /// decision_maker, influencer, user, champion or other.
    pub role: String,
}

/// Documents the JSON `company_contacts` builds; never constructed.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct CompanyContact {
    pub role: String,
    pub contact: Contact,
}

pub const ROLES: &[&str] = &["decision_maker", "influencer", "user", "champion", "other"];
pub const MAX_BATCH: usize = 1000;

pub(crate) fn manual(caller: &Caller) -> Actor<'_> {
    Actor::new(Some(caller.user_id()), ChangeCause::Manual, crate::now())
}

/// A page of records as the list endpoints answer it.
#[derive(Serialize)]
struct PageBody<'a> {
    items: Vec<wire::RecordJson<'a>>,
    next_cursor: Option<String>,
    total: Option<i64>,
}

async fn list_impl(state: &AppState, caller: &Caller, object: ObjectKind, uri: &Uri) -> ApiResult<Response> {
    caller.require(Action::Read)?;
    let pairs = query_pairs(uri)?;
    let defs = property_defs_for_filters(state, object, &pairs).await?;
    let q = wire::list_query(object, &pairs, &defs)?;
    let page = state.store.list(object, &q).await?;
    let total = match pairs.iter().any(|(k, v)| k == "count" && v == "true") {
        true => Some(state.store.count(object, &q.filters, q.search.as_deref()).await?),
        false => None,
    };
    let items = page.items.iter().map(wire::RecordJson).collect();
    Ok(Json(PageBody { items, next_cursor: page.next.clone(), total }).into_response())
}

/// The property schema, read only when a filter names a custom property (lists are hot).
pub(crate) async fn property_defs_for_filters(
    state: &AppState,
    object: ObjectKind,
    pairs: &[(String, String)],
) -> ApiResult<Vec<leadline_core::property::PropertyDef>> {
    if pairs.iter().any(|(k, _)| k.starts_with("properties.")) {
        Ok(state.store.properties(Some(object)).await?)
    } else {
        Ok(Vec::new())
    }
}

async fn get_impl(state: &AppState, caller: &Caller, object: ObjectKind, id: &str) -> ApiResult<Response> {
    caller.require(Action::Read)?;
    Ok(Json(wire::RecordJson(&state.store.get(object, id).await?)).into_response())
}

fn input_context<'a>(
    state: &'a AppState,
    object: ObjectKind,
    defs: &'a [leadline_core::property::PropertyDef],
) -> InputContext<'a> {
    InputContext {
        object,
        properties: defs,
        default_region: state.config.default_region.as_deref(),
        now: crate::now(),
        origin: "api",
    }
}

pub(crate) async fn create_impl(
    state: &AppState,
    caller: &Caller,
    object: ObjectKind,
    body: Value,
) -> ApiResult<(StatusCode, Json<Value>)> {
    caller.require(Action::Write)?;
    let defs = state.store.properties(Some(object)).await?;
    let ctx = input_context(state, object, &defs);
    let actor = manual(caller);
    let record = match object {
        ObjectKind::Contact => {
            let changes = wire::contact_changes(&body, &ctx)?;
            if !changes.identifies_someone() {
                return Err(ApiError::invalid(
                    "emails",
                    "required",
                    "a contact needs an e-mail, a phone, an external id or a name",
                ));
            }
            state.store.create_contact(&changes, actor).await?
        }
        ObjectKind::Company => {
            let changes = wire::field_changes(&body, &ctx)?;
            if !matches!(changes.get("name"), Some(Some(_))) && !matches!(changes.get("domain"), Some(Some(_))) {
                return Err(ApiError::invalid("name", "required", "a company needs a name or a domain"));
            }
            let ids = wire::external_ids(body.as_object().expect("checked by field_changes"))?;
            state.store.create_company(&changes, &ids, actor).await?
        }
        ObjectKind::Deal => {
            let mut changes = wire::field_changes(&body, &ctx)?;
            let contacts = wire::contact_ids(&body)?.unwrap_or_default();
            crate::pipelines::check_deal(state.store.as_ref(), None, Some(&contacts), &mut changes, &today()).await?;
            state.store.create_deal(&changes, &contacts, actor).await?
        }
    };
    Ok((StatusCode::CREATED, Json(wire::to_json(&record))))
}

pub(crate) async fn update_impl(
    state: &AppState,
    caller: &Caller,
    object: ObjectKind,
    id: &str,
    options: WriteOptions,
    body: Value,
) -> ApiResult<Json<Value>> {
    caller.require(Action::Write)?;
    let defs = state.store.properties(Some(object)).await?;
    let ctx = input_context(state, object, &defs);
    let actor = manual(caller);
    let record = match object {
        ObjectKind::Contact => {
            let changes = wire::contact_changes(&body, &ctx)?;
            state.store.update_contact(id, &changes, options, actor).await?
        }
        ObjectKind::Company => {
            let changes = wire::field_changes(&body, &ctx)?;
            let ids = wire::external_ids(body.as_object().expect("checked by field_changes"))?;
            state.store.update_company(id, &changes, &ids, actor).await?
        }
        ObjectKind::Deal => {
            let mut changes = wire::field_changes(&body, &ctx)?;
            let contacts = wire::contact_ids(&body)?;
            let current = state.store.get(ObjectKind::Deal, id).await?;
            crate::pipelines::check_deal(
                state.store.as_ref(),
                Some(&current),
                contacts.as_deref(),
                &mut changes,
                &today(),
            )
            .await?;
            state.store.update_deal(id, &changes, contacts.as_deref(), actor).await?
        }
    };
    Ok(Json(wire::to_json(&record)))
}

/// Today in UTC, `YYYY-MM-DD`.
fn today() -> String {
    leadline_core::date::date_of_millis(crate::now())
}

async fn delete_impl(state: &AppState, caller: &Caller, object: ObjectKind, id: &str) -> ApiResult<StatusCode> {
    caller.require(Action::Write)?;
    state.store.delete(object, id, manual(caller)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn history_impl(
    state: &AppState,
    caller: &Caller,
    object: ObjectKind,
    id: &str,
) -> ApiResult<Json<Vec<FieldChangeDto>>> {
    caller.require(Action::Read)?;
    let live = state.store.get(object, id).await?;
    Ok(Json(state.store.history(&live.id).await?.into_iter().map(Into::into).collect()))
}

async fn timeline_impl(
    state: &AppState,
    caller: &Caller,
    object: ObjectKind,
    id: &str,
    uri: &Uri,
) -> ApiResult<Json<super::timeline::ActivityPage>> {
    caller.require(Action::Read)?;
    let mut q = super::timeline::activity_query(&query_pairs(uri)?)?;
    let live = state.store.get(object, id).await?.id;
    match object {
        ObjectKind::Contact => q.contact_id = Some(live),
        ObjectKind::Company => q.company_id = Some(live),
        ObjectKind::Deal => q.deal_id = Some(live),
    }
    super::timeline::activity_page(state, q).await
}

/// The `id` a batch item names its record by, if any.
fn named_id(item: &Value) -> ApiResult<Option<String>> {
    match item.get("id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(id)) => Ok(Some(id.clone())),
        Some(_) => Err(ApiError::invalid("id", "invalid_type", "id is the text of a record's id")),
    }
}

async fn batch_impl(
    state: &AppState,
    caller: &Caller,
    object: ObjectKind,
    body: Value,
) -> ApiResult<Json<BatchResponse>> {
    caller.require(Action::Write)?;
    let req: BatchRequest = parse(body)?;
    if req.items.len() > MAX_BATCH {
        return Err(ApiError::new(
            crate::error::Kind::PayloadTooLarge,
            "batch_too_large",
            format!("a batch holds at most {MAX_BATCH} items; this one has {}", req.items.len()),
        )
        .field("items"));
    }
    let defs = state.store.properties(Some(object)).await?;
    let ctx = input_context(state, object, &defs);
    let mut results: Vec<Option<BatchResult>> = (0..req.items.len()).map(|_| None).collect();
    let mut valid_index = Vec::new();
    let mut contacts = Vec::new();
    let mut companies = Vec::new();
    for (i, item) in req.items.iter().enumerate() {
        let parsed: ApiResult<()> = match object {
            ObjectKind::Contact => named_id(item).and_then(|id| {
                let c = wire::contact_changes(item, &ctx)?;
                if id.is_none() && c.identities().is_empty() {
                    return Err(ApiError::invalid(
                        "emails",
                        "required",
                        "a batch item needs an id, an e-mail, a phone or an external id to be matched by",
                    ));
                }
                contacts.push(ContactUpsert { id, changes: c });
                Ok(())
            }),
            ObjectKind::Company => named_id(item).and_then(|id| {
                let c = wire::field_changes(item, &ctx)?;
                let ids = wire::external_ids(item.as_object().expect("checked"))?;
                if id.is_none() && !matches!(c.get("domain"), Some(Some(_))) && ids.is_empty() {
                    return Err(ApiError::invalid(
                        "domain",
                        "required",
                        "a batch item needs an id, a domain or an external id to be matched by",
                    ));
                }
                companies.push(CompanyUpsert { id, changes: c, external_ids: ids });
                Ok(())
            }),
            ObjectKind::Deal => unreachable!("deals have no batch route"),
        };
        match parsed {
            Ok(()) => valid_index.push(i),
            Err(e) => results[i] = Some(error_result(i, e)),
        }
    }
    let actor = Actor::new(Some(caller.user_id()), ChangeCause::Manual, crate::now());
    let outcomes = match object {
        ObjectKind::Contact => state.store.upsert_contacts(contacts, actor, req.dry_run).await?,
        _ => state.store.upsert_companies(companies, actor, req.dry_run).await?,
    };
    for (i, outcome) in valid_index.into_iter().zip(outcomes) {
        results[i] = Some(match outcome {
            Ok(o) => BatchResult {
                index: i,
                status: match o.kind {
                    UpsertKind::Created => "created",
                    UpsertKind::Updated => "updated",
                    UpsertKind::Merged => "merged",
                }
                .into(),
                id: Some(o.id),
                possible_duplicates: o.possible_duplicates,
                error: None,
            },
            Err(e) => error_result(i, e.into()),
        });
    }
    let results: Vec<BatchResult> = results.into_iter().flatten().collect();
    let count = |s: &str| results.iter().filter(|r| r.status == s).count();
    Ok(Json(BatchResponse {
        created: count("created"),
        updated: count("updated"),
        merged: count("merged"),
        failed: count("error"),
        dry_run: req.dry_run,
        results,
    }))
}

fn error_result(index: usize, e: ApiError) -> BatchResult {
    BatchResult { index, status: "error".into(), id: None, possible_duplicates: Vec::new(), error: Some(e.into()) }
}

async fn merge_impl(state: &AppState, caller: &Caller, object: ObjectKind, body: Value) -> ApiResult<Json<MergeDto>> {
    caller.require(Action::Write)?;
    let req: MergeRequest = parse(body)?;
    let [a, b] = &req.ids;
    let m = match object {
        ObjectKind::Contact => state.store.merge_contacts(a, b, manual(caller)).await?,
        _ => state.store.merge_companies(a, b, manual(caller)).await?,
    };
    Ok(Json(m.into()))
}

/// Routes and OpenAPI operations of one kind of record.
macro_rules! object_routes {
    ($module:ident, $object:expr, $path:literal, $tag:literal, $Out:ty, $In:ty, $PageTy:ty) => {
        pub mod $module {
            use super::*;

            #[utoipa::path(get, path = concat!("/api/v1/", $path), tag = $tag,
                params(
                    ("q" = Option<String>, Query, description = "search names, e-mails, phones: folded, prefix, any script"),
                    ("sort" = Option<String>, Query, description = "a field, `-field` for descending (contacts also `score.<model>`, e.g. `-score.fit`); default -created_at"),
                    ("limit" = Option<u32>, Query, description = "1-500, default 50"),
                    ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
                    ("count" = Option<bool>, Query, description = "also count all matches"),
                ),
                description = "Filter on any field with `field=value` or `field[op]=value` (ops: eq, ne, lt, lte, gt, gte, prefix, in, empty, not_empty); custom properties as `properties.name=value`; contacts by score as `score.<model>[gte]=40`.",
                responses((status = 200, body = $PageTy), (status = 422, body = crate::error::ErrorBody)))]
            pub async fn list(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Response> {
                list_impl(&s, &caller, $object, &uri).await
            }

            #[utoipa::path(post, path = concat!("/api/v1/", $path), tag = $tag, request_body = $In,
                responses((status = 201, body = $Out), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
            pub async fn create(State(s): State<AppState>, caller: Caller, JsonBody(body): JsonBody) -> ApiResult<(StatusCode, Json<Value>)> {
                create_impl(&s, &caller, $object, body).await
            }

            #[utoipa::path(get, path = concat!("/api/v1/", $path, "/{id}"), tag = $tag,
                description = "A merged record's id answers with its survivor.",
                responses((status = 200, body = $Out), (status = 404, body = crate::error::ErrorBody)))]
            pub async fn get_one(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Response> {
                get_impl(&s, &caller, $object, &id).await
            }

            #[utoipa::path(patch, path = concat!("/api/v1/", $path, "/{id}"), tag = $tag, request_body = $In,
                params(("allow_backward" = Option<bool>, Query, description = "contacts: allow moving the lifecycle stage back")),
                responses((status = 200, body = $Out), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
            pub async fn update(State(s): State<AppState>, caller: Caller, Path(id): Path<String>, uri: Uri, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
                let backward = query_pairs(&uri)?.iter().any(|(k, v)| k == "allow_backward" && v == "true");
                update_impl(&s, &caller, $object, &id, WriteOptions { allow_backward_stage: backward }, body).await
            }

            #[utoipa::path(delete, path = concat!("/api/v1/", $path, "/{id}"), tag = $tag,
                responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
            pub async fn delete(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
                delete_impl(&s, &caller, $object, &id).await
            }

            #[utoipa::path(get, path = concat!("/api/v1/", $path, "/{id}/history"), tag = $tag,
                description = "Every stage, status, owner and consent change: from, to, when, why, who.",
                responses((status = 200, body = Vec<FieldChangeDto>)))]
            pub async fn history(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<Vec<FieldChangeDto>>> {
                history_impl(&s, &caller, $object, &id).await
            }

            #[utoipa::path(get, path = concat!("/api/v1/", $path, "/{id}/timeline"), tag = $tag,
                params(("type" = Option<String>, Query, description = "comma-separated activity types"), ("before" = Option<String>, Query, description = "the previous page's next_before: newest first by when each touch happened, then seq"), ("limit" = Option<u32>, Query)),
                responses((status = 200, body = super::super::timeline::ActivityPage)))]
            pub async fn timeline(State(s): State<AppState>, caller: Caller, Path(id): Path<String>, uri: Uri) -> ApiResult<Json<super::super::timeline::ActivityPage>> {
                timeline_impl(&s, &caller, $object, &id, &uri).await
            }
        }
    };
}

/// Batch upsert and merge, for the records that have identities to match on.
macro_rules! upsert_routes {
    ($module:ident, $object:expr, $path:literal, $tag:literal) => {
        pub mod $module {
            use super::*;

            #[utoipa::path(post, path = concat!("/api/v1/", $path, "/batch"), tag = $tag, request_body = BatchRequest,
                responses((status = 200, body = BatchResponse), (status = 413, body = crate::error::ErrorBody)))]
            pub async fn batch(State(s): State<AppState>, caller: Caller, JsonBody(body): JsonBody) -> ApiResult<Json<BatchResponse>> {
                batch_impl(&s, &caller, $object, body).await
            }

            #[utoipa::path(post, path = concat!("/api/v1/", $path, "/merge"), tag = $tag, request_body = MergeRequest,
                description = "Merge two records; the older survives. Undo with POST /api/v1/merges/{id}/undo.",
                responses((status = 200, body = MergeDto), (status = 409, body = crate::error::ErrorBody)))]
            pub async fn merge(State(s): State<AppState>, caller: Caller, JsonBody(body): JsonBody) -> ApiResult<Json<MergeDto>> {
                merge_impl(&s, &caller, $object, body).await
            }
        }
    };
}

object_routes!(contacts, ObjectKind::Contact, "contacts", "contacts", Contact, ContactInput, ContactPage);
object_routes!(companies, ObjectKind::Company, "companies", "companies", Company, CompanyInput, CompanyPage);
object_routes!(deals, ObjectKind::Deal, "deals", "deals", Deal, DealInput, DealPage);
upsert_routes!(contact_upserts, ObjectKind::Contact, "contacts", "contacts");
upsert_routes!(company_upserts, ObjectKind::Company, "companies", "companies");

#[utoipa::path(get, path = "/api/v1/companies/{id}/contacts", tag = "companies", responses((status = 200, body = Vec<CompanyContact>)))]
pub async fn company_contacts(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    caller.require(Action::Read)?;
    let company = s.store.get(ObjectKind::Company, &id).await?;
    let people = s.store.company_contacts(&company.id, 1000).await?;
    Ok(Json(people.iter().map(|(r, role)| json!({"role": role, "contact": wire::to_json(r)})).collect()))
}

#[utoipa::path(put, path = "/api/v1/companies/{id}/contacts/{contact_id}", tag = "companies", request_body = LinkRequest,
    responses((status = 204), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn link_contact(
    State(s): State<AppState>,
    caller: Caller,
    Path((id, contact)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    caller.require(Action::Write)?;
    let req: LinkRequest = parse(body)?;
    if !ROLES.contains(&req.role.as_str()) {
        return Err(ApiError::invalid("role", "invalid_role", format!("role is one of {}", ROLES.join(", "))));
    }
    s.store.link_contact_company(&contact, &id, &req.role, crate::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/companies/{id}/contacts/{contact_id}", tag = "companies", responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn unlink_contact(
    State(s): State<AppState>,
    caller: Caller,
    Path((id, contact)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    caller.require(Action::Write)?;
    s.store.unlink_contact_company(&contact, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/merges", tag = "merges", params(("record_id" = String, Query, description = "a survivor's or merged record's id")),
    responses((status = 200, body = Vec<MergeDto>)))]
pub async fn merges(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<Vec<MergeDto>>> {
    caller.require(Action::Read)?;
    let pairs = query_pairs(&uri)?;
    let id = pairs
        .iter()
        .find(|(k, _)| k == "record_id")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| ApiError::invalid("record_id", "required", "record_id is required"))?;
    Ok(Json(s.store.merges(&id).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/merges/{id}/undo", tag = "merges", description = "Unmerge: the merged record comes back with its e-mails, phones, activities, deals and links.",
    responses((status = 200, body = MergeDto), (status = 409, body = crate::error::ErrorBody)))]
pub async fn undo_merge(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<MergeDto>> {
    caller.require(Action::Write)?;
    Ok(Json(s.store.unmerge(&id, manual(&caller)).await?.into()))
}

pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    macro_rules! mount {
        ($m:ident, $object:expr) => {{
            let base = format!("/{}", $object.plural());
            r = r
                .route(&base, get($m::list).post($m::create))
                .route(&format!("{base}/{{id}}"), get($m::get_one).patch($m::update).delete($m::delete))
                .route(&format!("{base}/{{id}}/history"), get($m::history))
                .route(&format!("{base}/{{id}}/timeline"), get($m::timeline));
        }};
    }
    mount!(contacts, ObjectKind::Contact);
    mount!(companies, ObjectKind::Company);
    mount!(deals, ObjectKind::Deal);
    r.route("/contacts/batch", post(contact_upserts::batch))
        .route("/contacts/merge", post(contact_upserts::merge))
        .route("/companies/batch", post(company_upserts::batch))
        .route("/companies/merge", post(company_upserts::merge))
        .route("/companies/{id}/contacts", get(company_contacts))
        .route("/companies/{id}/contacts/{contact_id}", put(link_contact).delete(unlink_contact))
        .route("/merges", get(merges))
        .route("/merges/{id}/undo", post(undo_merge))
}
