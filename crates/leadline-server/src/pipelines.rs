//! Pipelines as the server uses them: read from the store (core's defaults until some are
//! saved), and the rules a deal's write must keep: a stage of its pipeline, the stage's required
//! fields, and a reason to win or lose.

use leadline_core::contact::FieldChanges;
use leadline_core::health;
use leadline_core::pipeline::{self, Pipeline, Stage};
use leadline_core::record::{self, ObjectKind, Scalar};
use leadline_store::{Filter, FilterOp, FilterTarget, Record, Store};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};

/// A pipeline on the wire and as the store keeps it (JSON).
#[derive(Serialize, Deserialize, ToSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PipelineDto {
    /// Lowercase letters, digits and `_`; deals name it in their `pipeline` field.
    pub key: String,
    pub label: String,
    /// new_business, upsell or renewal.
    pub kind: String,
    pub stages: Vec<StageDto>,
}

#[derive(Serialize, Deserialize, ToSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StageDto {
    pub key: String,
    pub label: String,
    /// The chance a deal here is won, 0 to 100.
    pub probability: u8,
    /// omitted, pipeline, best_case or commit.
    #[serde(default = "default_category")]
    pub category: String,
    /// Deal fields or properties a deal must have to enter the stage.
    #[serde(default)]
    pub required: Vec<String>,
    /// Days after which a deal in this stage is stuck.
    #[serde(default)]
    pub rot_days: Option<u32>,
}

fn default_category() -> String {
    "pipeline".into()
}

impl From<&Pipeline> for PipelineDto {
    fn from(p: &Pipeline) -> Self {
        PipelineDto {
            key: p.key.clone(),
            label: p.label.clone(),
            kind: p.kind.clone(),
            stages: p
                .stages
                .iter()
                .map(|s| StageDto {
                    key: s.key.clone(),
                    label: s.label.clone(),
                    probability: s.probability,
                    category: s.category.clone(),
                    required: s.required.clone(),
                    rot_days: s.rot_days,
                })
                .collect(),
        }
    }
}

impl From<PipelineDto> for Pipeline {
    fn from(p: PipelineDto) -> Self {
        Pipeline {
            key: p.key,
            label: p.label,
            kind: p.kind,
            stages: p
                .stages
                .into_iter()
                .map(|s| Stage {
                    key: s.key,
                    label: s.label,
                    probability: s.probability,
                    category: s.category,
                    required: s.required,
                    rot_days: s.rot_days,
                })
                .collect(),
        }
    }
}

/// The pipelines in force.
pub async fn load(store: &dyn Store) -> ApiResult<Vec<Pipeline>> {
    let saved = store.pipelines().await?;
    if saved.is_empty() {
        return Ok(pipeline::defaults());
    }
    saved
        .into_iter()
        .map(|(key, json)| {
            serde_json::from_str::<PipelineDto>(&json).map(Pipeline::from).map_err(|e| {
                ApiError::new(crate::error::Kind::Internal, "internal", format!("pipeline {key} does not read: {e}"))
            })
        })
        .collect()
}

/// The pipeline a deal is in (`default` when it names none), if it exists.
pub fn of<'a>(pipelines: &'a [Pipeline], key: Option<&str>) -> Option<&'a Pipeline> {
    let key = key.unwrap_or("default");
    pipelines.iter().find(|p| p.key == key)
}

/// Check a deal's write against its pipeline, and fill in what follows from it: a deal won or
/// lost without a close date closes today. `current` is None for a new deal; `contacts` are
/// the deal's contacts when the write sets them.
pub async fn check_deal(
    store: &dyn Store,
    current: Option<&Record>,
    contacts: Option<&[String]>,
    changes: &mut FieldChanges,
    today: &str,
) -> ApiResult<()> {
    let after = |name: &str| -> Option<Scalar> {
        match changes.get(name) {
            Some(v) => v.clone(),
            None => current.and_then(|r| r.get(name).cloned()),
        }
    };
    let text_after = |name: &str| after(name).and_then(|s| s.as_text().map(str::to_owned));
    let stage_changes = changes.get("stage").is_some() || changes.get("pipeline").is_some();
    // Who the deal is for matters to a pipeline selling to customers: checked when the deal is
    // made, moves pipeline, or changes its people.
    let owners_change = current.is_none()
        || changes.get("pipeline").is_some()
        || contacts.is_some()
        || changes.get("company_id").is_some();
    let pipelines = if stage_changes || owners_change { load(store).await? } else { Vec::new() };
    let pipeline_key = text_after("pipeline");
    if owners_change && of(&pipelines, pipeline_key.as_deref()).is_some_and(Pipeline::is_expansion) {
        let people = contacts.map(<[String]>::to_vec).or_else(|| current.map(|r| r.contact_ids.clone()));
        if !has_customer(store, &people.unwrap_or_default(), text_after("company_id").as_deref()).await? {
            return Err(ApiError::invalid(
                "contact_ids",
                "customer_required",
                "an upsell or renewal deal belongs to an existing customer: link a contact who is a customer, \
                 or a company one of whose contacts is",
            ));
        }
    }
    if let (true, Some(stage)) = (stage_changes, text_after("stage")) {
        let Some(p) = of(&pipelines, pipeline_key.as_deref()) else {
            let keys: Vec<&str> = pipelines.iter().map(|p| p.key.as_str()).collect();
            return Err(ApiError::invalid("pipeline", "invalid_pipeline", format!("one of {}", keys.join(", "))));
        };
        let Some(st) = p.stage(&stage) else {
            let keys: Vec<&str> = p.stages.iter().map(|s| s.key.as_str()).collect();
            return Err(ApiError::invalid(
                "stage",
                "invalid_stage",
                format!("a stage of {}: {}", p.label, keys.join(", ")),
            ));
        };
        let has = |field: &str| -> bool {
            if record::field(ObjectKind::Deal, field).is_some() {
                return after(field).is_some();
            }
            match changes.properties.iter().find(|(k, _)| k == field) {
                Some((_, v)) => v.is_some(),
                None => current.is_some_and(|r| r.properties.get(field).is_some_and(|v| !v.is_null())),
            }
        };
        let missing = pipeline::missing(st, has);
        if let Some(first) = missing.first() {
            return Err(ApiError::invalid(
                first,
                "stage_requirements",
                format!("{} needs {} first", st.label, missing.join(", ")),
            ));
        }
    }
    if changes.get("status").is_some() {
        let status = text_after("status").unwrap_or_else(|| "open".into());
        let reason = match status.as_str() {
            "won" => Some("won_reason"),
            "lost" => Some("lost_reason"),
            _ => None,
        };
        if let Some(field) = reason {
            if text_after(field).is_none_or(|r| r.trim().is_empty()) {
                return Err(ApiError::invalid(field, "reason_required", format!("a deal {status} needs a reason")));
            }
            if after("close_date").is_none() {
                let spec = record::field(ObjectKind::Deal, "close_date").expect("deals have a close date");
                changes.set(spec, Some(Scalar::Text(today.to_owned())));
            }
        }
    }
    Ok(())
}

/// Whether one of `contacts`, or a contact of `company`, is a customer.
async fn has_customer(store: &dyn Store, contacts: &[String], company: Option<&str>) -> ApiResult<bool> {
    if !contacts.is_empty() {
        let people = store.get_many(ObjectKind::Contact, contacts).await?;
        if people.iter().any(|c| health::is_customer(c.text("lifecycle_stage"))) {
            return Ok(true);
        }
    }
    let Some(company) = company else { return Ok(false) };
    let filters = [
        Filter {
            target: FilterTarget::LinkedTo(ObjectKind::Company),
            op: FilterOp::Eq,
            value: vec![Scalar::Text(company.to_owned())],
        },
        crate::api::health::customers(),
    ];
    Ok(store.count_upto(ObjectKind::Contact, &filters, None, 1).await? > 0)
}

/// Check pipelines to save: each valid, keys unique, and none that deals are in removed.
pub async fn check_all(store: &dyn Store, before: &[Pipeline], pipelines: &[Pipeline]) -> ApiResult<()> {
    if pipelines.is_empty() || pipelines.len() > 20 {
        return Err(ApiError::invalid("pipelines", "invalid_pipelines", "1 to 20 pipelines"));
    }
    for (i, p) in pipelines.iter().enumerate() {
        pipeline::check(p).map_err(|e| {
            let field = format!("[{i}].{}", e.field);
            ApiError::from(e).field(field)
        })?;
        if pipelines[..i].iter().any(|o| o.key == p.key) {
            return Err(ApiError::invalid(&format!("[{i}].key"), "duplicate_pipeline", "each pipeline once"));
        }
    }
    for (key, deals) in store.deals_per_pipeline().await? {
        let removed = before.iter().any(|p| p.key == key) && !pipelines.iter().any(|p| p.key == key);
        if deals > 0 && removed {
            return Err(ApiError::new(
                crate::error::Kind::Conflict,
                "pipeline_in_use",
                format!("{deals} deals are in pipeline {key}: move them before removing it"),
            ));
        }
    }
    Ok(())
}
