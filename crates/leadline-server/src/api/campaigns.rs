//! `/api/v1/campaigns`: campaigns (a channel, dates, a budget, and the utm_campaign or source
//! list that maps contacts to them), their spend per day or month (JSON, or an ad platform's
//! CSV export), and the reports: cost per lead, MQL and customer against the previous period,
//! source quality, and attribution by model.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};
use axum::{Json, Router};
use leadline_core::attribution::{self, Model};
use leadline_core::campaign::{self, Journey, Period, CHANNELS};
use leadline_core::lifecycle::LifecycleStage;
use leadline_core::role::Action;
use leadline_store::{CampaignRow, JourneyRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{parse, query_pairs, JsonBody};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list).post(create))
        .route("/campaigns/spend.csv", post(import_spend))
        .route("/campaigns/{id}", get(get_one).patch(update).delete(remove))
        .route("/campaigns/{id}/spend", get(spend).post(add_spend))
        .route("/reports/campaigns", get(cost_report))
        .route("/reports/source-quality", get(quality_report))
        .route("/reports/attribution", get(attribution_report))
}

/// The currency spend and budgets are in when a campaign names none.
pub const CURRENCY: &str = "EUR";

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    pub name: Option<String>,
    /// paid_search, paid_social, organic_search, organic_social, email, content, display,
    /// events, referral, partner, purchased_list, chat or direct.
    pub channel: Option<String>,
    /// Touches with this utm_campaign (any case) are this campaign's.
    pub utm_campaign: Option<String>,
    /// Contacts imported with this source list are this campaign's (a purchased list).
    pub source_list: Option<String>,
    /// YYYY-MM-DD.
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// Minor units (cents).
    pub budget: Option<i64>,
    pub currency: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDto {
    pub id: String,
    pub name: String,
    pub channel: String,
    pub utm_campaign: Option<String>,
    pub source_list: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub budget: Option<i64>,
    pub currency: String,
    /// Spend kept so far, minor units.
    pub spent: i64,
    pub created_at: String,
    pub updated_at: String,
}

async fn dto(s: &AppState, c: CampaignRow) -> ApiResult<CampaignDto> {
    let spent = s.store.spend_of(&c.id).await?.iter().map(|(_, a)| a).sum();
    Ok(CampaignDto {
        id: c.id,
        name: c.name,
        channel: c.channel,
        utm_campaign: c.utm_campaign,
        source_list: c.source_list,
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        budget: c.budget,
        currency: c.currency,
        spent,
        created_at: leadline_core::date::rfc3339(c.created_at),
        updated_at: leadline_core::date::rfc3339(c.updated_at),
    })
}

/// A campaign as `input` changes `base` (empty for a new one), checked.
fn checked(base: CampaignRow, input: CampaignInput) -> ApiResult<CampaignRow> {
    let mut c = base;
    let text = |field: &str, v: Option<String>| -> ApiResult<Option<String>> {
        Ok(match v {
            Some(v) => leadline_core::error::clean_text(field, &v)?,
            None => None,
        })
    };
    if let Some(n) = input.name {
        c.name = text("name", Some(n))?.unwrap_or_default();
    }
    if c.name.is_empty() || c.name.chars().count() > 200 {
        return Err(ApiError::invalid("name", "required", "a campaign has a name of 1-200 characters"));
    }
    if let Some(ch) = input.channel {
        c.channel = ch;
    }
    if !CHANNELS.contains(&c.channel.as_str()) {
        return Err(ApiError::invalid(
            "channel",
            "invalid_channel",
            format!("channel is one of {}", CHANNELS.join(", ")),
        ));
    }
    if input.utm_campaign.is_some() {
        c.utm_campaign = text("utm_campaign", input.utm_campaign)?.map(|u| u.to_lowercase());
    }
    if input.source_list.is_some() {
        c.source_list = text("source_list", input.source_list)?;
    }
    for (field, given, slot) in
        [("starts_on", input.starts_on, &mut c.starts_on), ("ends_on", input.ends_on, &mut c.ends_on)]
    {
        if let Some(d) = given {
            *slot =
                Some(d).filter(|d| !d.is_empty()).map(|d| leadline_core::date::parse_date(field, &d)).transpose()?;
        }
    }
    if let (Some(a), Some(b)) = (&c.starts_on, &c.ends_on) {
        if b < a {
            return Err(ApiError::invalid("ends_on", "invalid_dates", "a campaign ends on or after it starts"));
        }
    }
    if let Some(b) = input.budget {
        if b < 0 {
            return Err(ApiError::invalid("budget", "invalid_number", "a budget is not negative"));
        }
        c.budget = Some(b);
    }
    if let Some(cur) = input.currency {
        c.currency = leadline_core::money::parse_currency("currency", &cur)?.to_owned();
    }
    if c.currency.is_empty() {
        c.currency = CURRENCY.into();
    }
    Ok(c)
}

#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CampaignInput,
    responses((status = 201, body = CampaignDto), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<CampaignDto>)> {
    let saved = create_campaign(&s, &caller, parse(body)?).await?;
    Ok((StatusCode::CREATED, Json(dto(&s, saved).await?)))
}

/// Make a campaign (for the API and the page alike).
pub(crate) async fn create_campaign(s: &AppState, caller: &Caller, input: CampaignInput) -> ApiResult<CampaignRow> {
    caller.require(Action::Write)?;
    let c = checked(CampaignRow::default(), input)?;
    Ok(s.store.save_campaign(None, &c, crate::now()).await?)
}

#[utoipa::path(patch, path = "/api/v1/campaigns/{id}", tag = "campaigns", request_body = CampaignInput,
    responses((status = 200, body = CampaignDto), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<CampaignDto>> {
    caller.require(Action::Write)?;
    let input: CampaignInput = parse(body)?;
    let c = checked(s.store.campaign(&id).await?, input)?;
    let saved = s.store.save_campaign(Some(&id), &c, crate::now()).await?;
    Ok(Json(dto(&s, saved).await?))
}

#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", responses((status = 200, body = Vec<CampaignDto>)))]
pub async fn list(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<CampaignDto>>> {
    caller.require(Action::Read)?;
    let mut out = Vec::new();
    for c in s.store.campaigns().await? {
        out.push(dto(&s, c).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", responses((status = 200, body = CampaignDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CampaignDto>> {
    caller.require(Action::Read)?;
    Ok(Json(dto(&s, s.store.campaign(&id).await?).await?))
}

#[utoipa::path(delete, path = "/api/v1/campaigns/{id}", tag = "campaigns", responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn remove(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    caller.require(Action::Write)?;
    s.store.delete_campaign(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpendEntry {
    /// A day, YYYY-MM-DD; or give `month`.
    pub date: Option<String>,
    /// A month, YYYY-MM: the amount is spread over its days.
    pub month: Option<String>,
    /// Minor units (cents).
    pub amount: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpendInput {
    pub entries: Vec<SpendEntry>,
}

#[derive(Serialize, ToSchema)]
pub struct SpendDto {
    /// (YYYY-MM-DD, minor units), oldest first.
    pub days: Vec<(String, i64)>,
    pub total: i64,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/spend", tag = "campaigns", request_body = SpendInput,
    description = "What the campaign cost, per day or per month (spread over its days). A day given again replaces its amount.",
    responses((status = 200, body = SpendDto), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_spend(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<SpendDto>> {
    record_spend(&s, &caller, &id, parse(body)?).await?;
    spend_dto(&s, &id).await.map(Json)
}

/// Keep what a campaign cost (for the API and the page alike).
pub(crate) async fn record_spend(s: &AppState, caller: &Caller, id: &str, input: SpendInput) -> ApiResult<()> {
    caller.require(Action::Write)?;
    let id = s.store.campaign(id).await?.id;
    if input.entries.len() > 3_660 {
        return Err(ApiError::invalid("entries", "too_many", "at most 3,660 entries at once"));
    }
    let mut rows = Vec::new();
    for (i, e) in input.entries.iter().enumerate() {
        if !(0..=100_000_000_000).contains(&e.amount) {
            return Err(ApiError::invalid(
                &format!("entries[{i}].amount"),
                "invalid_number",
                "an amount is 0 to 1,000,000,000.00",
            ));
        }
        match (&e.date, &e.month) {
            (Some(d), None) => {
                rows.push((id.clone(), leadline_core::date::parse_date(&format!("entries[{i}].date"), d)?, e.amount))
            }
            (None, Some(m)) => {
                let days = campaign::spread_month(m, e.amount).ok_or_else(|| {
                    ApiError::invalid(&format!("entries[{i}].month"), "invalid_month", "a month is YYYY-MM")
                })?;
                rows.extend(days.into_iter().map(|(d, a)| (id.clone(), d, a)));
            }
            _ => {
                return Err(ApiError::invalid(
                    &format!("entries[{i}]"),
                    "invalid_entry",
                    "an entry has a date or a month",
                ))
            }
        }
    }
    s.store.set_spend(&rows).await?;
    Ok(())
}

async fn spend_dto(s: &AppState, id: &str) -> ApiResult<SpendDto> {
    let days = s.store.spend_of(id).await?;
    Ok(SpendDto { total: days.iter().map(|(_, a)| a).sum(), days })
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/spend", tag = "campaigns", responses((status = 200, body = SpendDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn spend(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<SpendDto>> {
    caller.require(Action::Read)?;
    s.store.campaign(&id).await?;
    spend_dto(&s, &id).await.map(Json)
}

#[derive(Serialize, ToSchema)]
pub struct SpendImport {
    pub rows: u64,
    /// Rows not taken: (line, why).
    pub rejected: Vec<(u64, String)>,
}

#[utoipa::path(post, path = "/api/v1/campaigns/spend.csv", tag = "campaigns",
    request_body(content = String, content_type = "text/csv", description = "A Google Ads or Meta Ads export (day, campaign, cost), or date,campaign,amount"),
    description = "Spend from an ad platform's export: each row's campaign found by name (or utm_campaign), its day's amount replaced. Rows that do not read are reported by line; the rest are kept.",
    responses((status = 200, body = SpendImport), (status = 400, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn import_spend(State(s): State<AppState>, caller: Caller, body: Bytes) -> ApiResult<Json<SpendImport>> {
    caller.require(Action::Import)?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::bad_request("invalid_csv", "the file is not UTF-8"))?;
    let text = text.trim_start_matches('\u{feff}');
    let by_name: HashMap<String, String> = s
        .store
        .campaigns()
        .await?
        .into_iter()
        .flat_map(|c| {
            let mut keys = vec![(c.name.to_lowercase(), c.id.clone())];
            keys.extend(c.utm_campaign.map(|u| (u, c.id.clone())));
            keys
        })
        .collect();
    // Google Ads puts a title and a date range above the header: the header is the first line
    // that names the three columns.
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut columns = None;
    let (mut rows, mut rejected) = (Vec::new(), Vec::new());
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 1;
        let Ok(record) = record else {
            rejected.push((line, "the line does not read as CSV".to_owned()));
            continue;
        };
        let cells: Vec<&str> = record.iter().collect();
        let Some((d, c, a)) = columns else {
            columns = campaign::spend_columns(&cells);
            continue;
        };
        let cell = |i: usize| cells.get(i).copied().unwrap_or("").trim();
        if cell(c).is_empty()
            || cell(c).eq_ignore_ascii_case("total")
            || cell(d).to_ascii_lowercase().starts_with("total")
        {
            continue;
        }
        let Some(day) = leadline_core::date::parse_loose_date(cell(d)) else {
            rejected.push((line, format!("{:?} is not a date", cell(d))));
            continue;
        };
        let Some(amount) = campaign::parse_amount(cell(a)) else {
            rejected.push((line, format!("{:?} is not an amount", cell(a))));
            continue;
        };
        match by_name.get(&cell(c).to_lowercase()) {
            Some(id) => rows.push((id.clone(), day, amount)),
            None => rejected.push((line, format!("no campaign is named {:?}", cell(c)))),
        }
    }
    if columns.is_none() {
        return Err(ApiError::invalid("file", "unknown_layout", "no line names a day, a campaign and a cost column"));
    }
    let n = if rows.is_empty() { 0 } else { s.store.set_spend(&rows).await? };
    Ok(Json(SpendImport { rows: n, rejected }))
}

/// A report's period from `from` and `to` (YYYY-MM-DD, both days included; the last 30 days
/// when not given) and what else it reads.
struct ReportQuery {
    period: Period,
    from: String,
    to: String,
    by: String,
    model: Option<Model>,
    conversion: String,
}

fn report_query(uri: &Uri, bys: &[&str], with_model: bool) -> ApiResult<ReportQuery> {
    let today = crate::now().div_euclid(86_400_000);
    let mut q = ReportQuery {
        period: Period { from: (today - 29) * 86_400_000, to: (today + 1) * 86_400_000 },
        from: String::new(),
        to: String::new(),
        by: bys[0].to_owned(),
        model: with_model.then_some(Model::Linear),
        conversion: "lead".into(),
    };
    let mut from = None;
    let mut to = None;
    for (k, v) in query_pairs(uri)? {
        match k.as_str() {
            "from" => from = Some(leadline_core::date::parse_date("from", &v)?),
            "to" => to = Some(leadline_core::date::parse_date("to", &v)?),
            "by" if bys.contains(&v.as_str()) => q.by = v,
            "by" => return Err(ApiError::invalid("by", "invalid_parameter", format!("by is {}", bys.join(" or ")))),
            "model" if with_model => {
                q.model = Some(Model::parse(&v).ok_or_else(|| {
                    ApiError::invalid("model", "invalid_parameter", format!("model is {}", Model::NAMES.join(", ")))
                })?)
            }
            "conversion" if with_model && matches!(v.as_str(), "lead" | "mql" | "won") => q.conversion = v,
            "conversion" if with_model => {
                return Err(ApiError::invalid("conversion", "invalid_parameter", "conversion is lead, mql or won"))
            }
            _ => return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter here"))),
        }
    }
    let day = |d: &str| {
        let (y, m, dd) = (d[0..4].parse().unwrap_or(1970), d[5..7].parse().unwrap_or(1), d[8..10].parse().unwrap_or(1));
        leadline_core::date::days_from_civil(y, m, dd) * 86_400_000
    };
    if let Some(f) = &from {
        q.period.from = day(f);
    }
    if let Some(t) = &to {
        q.period.to = day(t) + 86_400_000;
    }
    if q.period.to <= q.period.from || q.period.to - q.period.from > 3_660 * 86_400_000 {
        return Err(ApiError::invalid("to", "invalid_period", "to is on or after from, at most ten years later"));
    }
    q.from = leadline_core::date::date_of_millis(q.period.from);
    q.to = leadline_core::date::date_of_millis(q.period.to - 1);
    Ok(q)
}

/// What maps contacts and spend to campaigns.
struct Campaigns {
    all: Vec<CampaignRow>,
    by_utm: HashMap<String, usize>,
    by_list: HashMap<String, usize>,
}

impl Campaigns {
    async fn load(s: &AppState) -> ApiResult<Self> {
        let all = s.store.campaigns().await?;
        let by_utm = all.iter().enumerate().filter_map(|(i, c)| Some((c.utm_campaign.clone()?, i))).collect();
        let by_list = all.iter().enumerate().filter_map(|(i, c)| Some((c.source_list.clone()?, i))).collect();
        Ok(Self { all, by_utm, by_list })
    }

    /// The campaign a contact's first touch or source list names.
    fn of(&self, j: &JourneyRow) -> Option<&CampaignRow> {
        j.first_touch_campaign
            .as_ref()
            .and_then(|c| self.by_utm.get(&c.to_lowercase()))
            .or_else(|| j.source_list.as_ref().and_then(|l| self.by_list.get(l)))
            .map(|i| &self.all[*i])
    }

    /// A report's group of a contact: its campaign (id, else the raw utm_campaign), its channel
    /// (its campaign's, else its original source's), its source list, or its original source.
    fn group(&self, j: &JourneyRow, by: &str) -> String {
        let campaign = self.of(j);
        match by {
            "campaign" => campaign
                .map(|c| c.id.clone())
                .or_else(|| j.first_touch_campaign.as_ref().map(|c| format!("utm:{}", c.to_lowercase())))
                .unwrap_or_else(|| NONE.into()),
            "channel" => {
                campaign.map(|c| c.channel.clone()).or_else(|| j.original_source.clone()).unwrap_or_else(|| NONE.into())
            }
            "list" => j.source_list.clone().unwrap_or_else(|| NONE.into()),
            _ => j.original_source.clone().unwrap_or_else(|| NONE.into()),
        }
    }

    fn name(&self, group: &str) -> String {
        match self.all.iter().find(|c| c.id == group) {
            Some(c) => c.name.clone(),
            None => group.strip_prefix("utm:").unwrap_or(group).to_owned(),
        }
    }

    /// Spend in the period by group (campaign id or channel).
    async fn spend(&self, s: &AppState, from: &str, to: &str, by: &str) -> ApiResult<BTreeMap<String, i64>> {
        let mut out = BTreeMap::new();
        for (id, amount) in s.store.spend_between(from, to).await? {
            let key = match (by, self.all.iter().find(|c| c.id == id)) {
                ("channel", Some(c)) => c.channel.clone(),
                ("list", Some(c)) => c.source_list.clone().unwrap_or_else(|| NONE.into()),
                ("source", Some(c)) => c.channel.clone(),
                _ => id,
            };
            *out.entry(key).or_default() += amount;
        }
        Ok(out)
    }
}

/// The group of contacts no campaign, channel or list names.
const NONE: &str = "(none)";

/// When a contact first reached MQL, SQL and customer, from the stages the store read.
fn milestones(r: &JourneyRow) -> [Option<i64>; 3] {
    let stages: Vec<(LifecycleStage, i64)> =
        r.stages.iter().filter_map(|(st, at)| Some((LifecycleStage::parse(st)?, *at))).collect();
    campaign::reached(&stages)
}

fn journeys(rows: &[JourneyRow], campaigns: &Campaigns, by: &str) -> Vec<Journey> {
    rows.iter()
        .map(|r| Journey {
            created_at: r.created_at,
            group: campaigns.group(r, by),
            reached: milestones(r),
            disqualified: r.disqualified,
            revenue: r.revenue,
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct CostRow {
    /// A campaign's id (`utm:<value>` for a utm_campaign no campaign has), a channel, or
    /// `(none)`.
    pub group: String,
    pub name: String,
    /// Minor units.
    pub spend: i64,
    pub leads: u64,
    pub mqls: u64,
    pub customers: u64,
    pub cost_per_lead: Option<f64>,
    pub cost_per_mql: Option<f64>,
    /// Customer acquisition cost.
    pub cost_per_customer: Option<f64>,
    /// The same numbers for the period just before, as long.
    pub previous: CostNumbers,
}

#[derive(Serialize, ToSchema)]
pub struct CostNumbers {
    pub spend: i64,
    pub leads: u64,
    pub mqls: u64,
    pub customers: u64,
    pub cost_per_lead: Option<f64>,
    pub cost_per_mql: Option<f64>,
    pub cost_per_customer: Option<f64>,
}

impl From<&campaign::Costs> for CostNumbers {
    fn from(c: &campaign::Costs) -> Self {
        CostNumbers {
            spend: c.spend,
            leads: c.leads,
            mqls: c.mqls,
            customers: c.customers,
            cost_per_lead: c.per_lead(),
            cost_per_mql: c.per_mql(),
            cost_per_customer: c.per_customer(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CostReport {
    pub from: String,
    pub to: String,
    pub previous_from: String,
    pub previous_to: String,
    pub by: String,
    pub rows: Vec<CostRow>,
    pub total: CostNumbers,
    pub previous_total: CostNumbers,
}

/// Cost per lead, per MQL and per customer of each campaign or channel (see the OpenAPI
/// description), for the API and the page.
pub async fn costs(s: &AppState, uri: &Uri) -> ApiResult<CostReport> {
    let q = report_query(uri, &["campaign", "channel"], false)?;
    let prev = q.period.previous();
    let campaigns = Campaigns::load(s).await?;
    let rows = s.store.journeys(prev.from).await?;
    let js = journeys(&rows, &campaigns, &q.by);
    let (prev_from, prev_to) =
        (leadline_core::date::date_of_millis(prev.from), leadline_core::date::date_of_millis(prev.to - 1));
    let now = campaign::costs(&js, &campaigns.spend(s, &q.from, &q.to, &q.by).await?, q.period);
    let before = campaign::costs(&js, &campaigns.spend(s, &prev_from, &prev_to, &q.by).await?, prev);
    let sum = |m: &BTreeMap<String, campaign::Costs>| {
        m.values().fold(campaign::Costs::default(), |mut t, c| {
            t.spend += c.spend;
            t.leads += c.leads;
            t.mqls += c.mqls;
            t.customers += c.customers;
            t
        })
    };
    let (total, previous_total) = (CostNumbers::from(&sum(&now)), CostNumbers::from(&sum(&before)));
    let mut groups: Vec<&String> = now.keys().chain(before.keys()).collect();
    groups.sort();
    groups.dedup();
    let out = groups
        .into_iter()
        .map(|g| {
            let c = now.get(g).cloned().unwrap_or_default();
            let p = before.get(g).cloned().unwrap_or_default();
            CostRow {
                group: g.clone(),
                name: campaigns.name(g),
                spend: c.spend,
                leads: c.leads,
                mqls: c.mqls,
                customers: c.customers,
                cost_per_lead: c.per_lead(),
                cost_per_mql: c.per_mql(),
                cost_per_customer: c.per_customer(),
                previous: CostNumbers::from(&p),
            }
        })
        .collect();
    Ok(CostReport {
        from: q.from,
        to: q.to,
        previous_from: prev_from,
        previous_to: prev_to,
        by: q.by,
        rows: out,
        total,
        previous_total,
    })
}

#[utoipa::path(get, path = "/api/v1/reports/campaigns", tag = "campaigns",
    params(("from" = Option<String>, Query, description = "YYYY-MM-DD, first day (default: 30 days ago)"), ("to" = Option<String>, Query, description = "YYYY-MM-DD, last day (default: today)"), ("by" = Option<String>, Query, description = "campaign (default) or channel")),
    description = "For the period and the one before it, as long: spend, leads (contacts made), MQLs and customers (contacts reaching those stages), and the cost of each, by campaign or channel. A contact is its first touch's campaign, else its source list's.",
    responses((status = 200, body = CostReport), (status = 422, body = crate::error::ErrorBody)))]
pub async fn cost_report(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<CostReport>> {
    caller.require(Action::Read)?;
    Ok(Json(costs(&s, &uri).await?))
}

#[derive(Serialize, ToSchema)]
pub struct QualityRow {
    pub group: String,
    pub name: String,
    pub leads: u64,
    pub mql_share: Option<f64>,
    pub sql_share: Option<f64>,
    pub customer_share: Option<f64>,
    pub disqualified_share: Option<f64>,
    /// Won deals of these leads, minor units.
    pub revenue: i64,
    pub spend: i64,
    pub cost_per_customer: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct QualityReport {
    pub from: String,
    pub to: String,
    pub by: String,
    pub rows: Vec<QualityRow>,
}

pub async fn quality(s: &AppState, uri: &Uri) -> ApiResult<QualityReport> {
    let q = report_query(uri, &["source", "campaign", "list"], false)?;
    let campaigns = Campaigns::load(s).await?;
    let rows = s.store.journeys(q.period.from).await?;
    let js = journeys(&rows, &campaigns, &q.by);
    let spend = campaigns.spend(s, &q.from, &q.to, &q.by).await?;
    let out = campaign::quality(&js, &spend, q.period)
        .into_iter()
        .map(|(g, x)| QualityRow {
            name: campaigns.name(&g),
            group: g,
            leads: x.leads,
            mql_share: x.share(x.reached[0]),
            sql_share: x.share(x.reached[1]),
            customer_share: x.share(x.reached[2]),
            disqualified_share: x.share(x.disqualified),
            revenue: x.revenue,
            spend: x.spend,
            cost_per_customer: x.cost_per_customer(),
        })
        .collect();
    Ok(QualityReport { from: q.from, to: q.to, by: q.by, rows: out })
}

#[utoipa::path(get, path = "/api/v1/reports/source-quality", tag = "campaigns",
    params(("from" = Option<String>, Query, description = "YYYY-MM-DD"), ("to" = Option<String>, Query, description = "YYYY-MM-DD"), ("by" = Option<String>, Query, description = "source (default), campaign or list")),
    description = "Of the leads each source, campaign or purchased list brought in the period: the share that reached MQL, SQL and customer, the share disqualified, their won revenue, spend and cost per customer.",
    responses((status = 200, body = QualityReport), (status = 422, body = crate::error::ErrorBody)))]
pub async fn quality_report(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<QualityReport>> {
    caller.require(Action::Read)?;
    Ok(Json(quality(&s, &uri).await?))
}

#[derive(Serialize, ToSchema)]
pub struct AttributionRow {
    pub group: String,
    /// Conversions credited to this channel or campaign (fractions under shared models).
    pub conversions: f64,
    /// Their value credited: won amounts (minor units) for `won`, else the conversions.
    pub value: f64,
}

#[derive(Serialize, ToSchema)]
pub struct AttributionReport {
    pub from: String,
    pub to: String,
    pub model: String,
    pub conversion: String,
    pub by: String,
    pub rows: Vec<AttributionRow>,
    /// Conversions in the period.
    pub conversions: u64,
    /// Of them, those with no touch before (credited to no one).
    pub without_touch: u64,
}

pub async fn attribution(s: &AppState, uri: &Uri) -> ApiResult<AttributionReport> {
    let q = report_query(uri, &["channel", "campaign"], true)?;
    let model = q.model.unwrap_or(Model::Linear);
    // Conversions: (contacts, when, value).
    let mut conversions: Vec<(Vec<String>, i64, f64)> = Vec::new();
    if q.conversion == "won" {
        for d in s.store.won_deals(q.period.from, q.period.to).await? {
            conversions.push((d.contact_ids, d.closed_at, d.amount as f64));
        }
    } else {
        for j in s.store.journeys(q.period.from).await? {
            let at = if q.conversion == "lead" { Some(j.created_at) } else { milestones(&j)[0] };
            if let Some(at) = at.filter(|t| q.period.holds(*t)) {
                conversions.push((vec![j.contact_id], at, 1.0));
            }
        }
    }
    let ids: Vec<String> = {
        let mut v: Vec<String> = conversions.iter().flat_map(|(c, _, _)| c.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    let mut touches_of: HashMap<String, Vec<leadline_store::TouchRow>> = HashMap::new();
    for t in s.store.touches(&ids).await? {
        touches_of.entry(t.contact_id.clone()).or_default().push(t);
    }
    let mut credit: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut without = 0;
    for (contacts, at, value) in &conversions {
        let mut touches: Vec<&leadline_store::TouchRow> =
            contacts.iter().flat_map(|c| touches_of.get(c).into_iter().flatten()).collect();
        touches.sort_by_key(|t| t.at);
        let times: Vec<i64> = touches.iter().map(|t| t.at).collect();
        let shares = attribution::credits(&times, *at, model);
        if shares.iter().all(|c| *c == 0.0) {
            without += 1;
            continue;
        }
        for (t, share) in touches.iter().zip(shares).filter(|(_, c)| *c > 0.0) {
            let key = match q.by.as_str() {
                "campaign" => t.campaign.clone().map(|c| c.to_lowercase()).unwrap_or_else(|| NONE.into()),
                _ => t.channel.clone(),
            };
            let e = credit.entry(key).or_default();
            e.0 += share;
            e.1 += share * value;
        }
    }
    let model_name =
        Model::NAMES.iter().find(|n| Model::parse(n) == Some(model)).copied().unwrap_or("linear").to_owned();
    Ok(AttributionReport {
        from: q.from,
        to: q.to,
        model: model_name,
        conversion: q.conversion,
        by: q.by,
        rows: credit
            .into_iter()
            .map(|(group, (conversions, value))| AttributionRow { group, conversions, value })
            .collect(),
        conversions: conversions.len() as u64,
        without_touch: without,
    })
}

#[utoipa::path(get, path = "/api/v1/reports/attribution", tag = "campaigns",
    params(("model" = Option<String>, Query, description = "first_touch, last_touch, linear (default), u_shaped or time_decay (7-day half-life)"),
           ("conversion" = Option<String>, Query, description = "lead (default: contacts made), mql, or won (deals won, by amount)"),
           ("by" = Option<String>, Query, description = "channel (default) or campaign"),
           ("from" = Option<String>, Query, description = "YYYY-MM-DD"), ("to" = Option<String>, Query, description = "YYYY-MM-DD")),
    description = "Each conversion in the period shared among the touches before it, by the model; summed by channel or campaign.",
    responses((status = 200, body = AttributionReport), (status = 422, body = crate::error::ErrorBody)))]
pub async fn attribution_report(
    State(s): State<AppState>,
    caller: Caller,
    uri: Uri,
) -> ApiResult<Json<AttributionReport>> {
    caller.require(Action::Read)?;
    Ok(Json(attribution(&s, &uri).await?))
}
