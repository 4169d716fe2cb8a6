//! API handlers for the data protection officer's register of rights
//! requests: log, work list with due-soon and overdue, read, change. The
//! gate decides and audits every call; only the DPO's role is allowed by the
//! shipped policies.

use super::{ApiActor, ApiJson, ApiQuery, RecordId};
use crate::problem::ApiResult;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::rights::RequestFilter;
use hearth_domain::{error::ValidationErrors, rights::RightsRequestInput, validate};
use hearth_gate::rights::{RightsChange, RightsRequestView, RightsWorkList};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkListQuery {
    /// Include closed requests (default: open only).
    all: Option<bool>,
    /// Only requests about this person.
    person_id: Option<i64>,
    /// Only open requests due on or before this day (YYYY-MM-DD).
    due_by: Option<String>,
    /// Work out due-soon and overdue as on this day (YYYY-MM-DD; default today).
    as_of: Option<String>,
}

fn query_date(field: &str, v: Option<&str>, what: &str) -> Result<Option<jiff::civil::Date>, ValidationErrors> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => validate::iso_date(field, s, what).map(Some).map_err(ValidationErrors::from),
    }
}

/// Logs a rights request. The deadline is worked out from the date received.
#[utoipa::path(post, path = "/api/v1/rights-requests", request_body = RightsRequestInput,
    responses((status = 201, body = RightsRequestView), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn log(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<RightsRequestInput>,
) -> ApiResult<(StatusCode, Json<RightsRequestView>)> {
    Ok((StatusCode::CREATED, Json(s.gate.log_rights_request(&a, &input).await?)))
}

/// The work list: open requests by deadline, each marked overdue, due soon
/// (within 7 days), on track, or waiting for identity or clarification.
#[utoipa::path(get, path = "/api/v1/rights-requests", params(WorkListQuery),
    responses((status = 200, body = RightsWorkList), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<WorkListQuery>,
) -> ApiResult<Json<RightsWorkList>> {
    let as_of = query_date("as_of", q.as_of.as_deref(), "The as-of date")?;
    let due_by = query_date("due_by", q.due_by.as_deref(), "The due-by date")?;
    let filter = RequestFilter { open_only: !q.all.unwrap_or(false), person_id: q.person_id, due_by };
    Ok(Json(s.gate.rights_work_list(&a, &filter, as_of).await?))
}

/// One request with where its clock stands today.
#[utoipa::path(get, path = "/api/v1/rights-requests/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = RightsRequestView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn show(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<RightsRequestView>> {
    Ok(Json(s.gate.rights_request(&a, id).await?))
}

/// Applies one change (identity, clarification, extension, refusal, owner,
/// note, completion, withdrawal), based on the version last read.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/changes", params(("id" = i64, Path)), request_body = RightsChange,
    responses((status = 200, body = RightsRequestView), (status = 403, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn change(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(c): ApiJson<RightsChange>,
) -> ApiResult<Json<RightsRequestView>> {
    Ok(Json(s.gate.change_rights_request(&a, id, &c).await?))
}
