//! API handlers for needs, reasonable adjustments, warning flags, needs
//! checks, the review work list, the coverage report and contractor job
//! sheets. Every decision is the gate's; these only translate HTTP.

use super::{ApiActor, ApiJson, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::needs::{
    Adjustment, AdjustmentInput, JobSheet, Need, NeedChange, NeedInput, NeedsCheck, NeedsCheckInput, NeedsCoverage, ReviewItem,
    WarningFlag, WarningFlagChange, WarningFlagInput,
};
use serde::Deserialize;
use utoipa::ToSchema;

/// Ends an adjustment that is no longer needed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EndInput {
    pub version: i64,
    /// Why it is no longer relevant.
    pub reason: String,
}

/// Records a need. Consent to tailor services must be answered expressly;
/// without it the need is kept but not used. The review date defaults by category.
#[utoipa::path(post, path = "/api/v1/people/{id}/needs", params(("id" = i64, Path)), request_body = NeedInput,
    responses((status = 201, body = Need), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<NeedInput>,
) -> ApiResult<(StatusCode, Json<Need>)> {
    Ok((StatusCode::CREATED, Json(s.gate.record_need(&a, id, &input).await?)))
}

/// A person's needs with their detail: need-to-know only.
#[utoipa::path(get, path = "/api/v1/people/{id}/needs", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Need>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Vec<Need>>> {
    Ok(Json(s.gate.needs_of(&a, id).await?))
}

/// Records consent, a review, or the end of a need (keeping who and why).
#[utoipa::path(post, path = "/api/v1/needs/{id}/changes", params(("id" = i64, Path)), request_body = NeedChange,
    responses((status = 200, body = Need), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(c): ApiJson<NeedChange>,
) -> ApiResult<Json<Need>> {
    Ok(Json(s.gate.change_need(&a, id, &c).await?))
}

/// Records a needs check (asked, whatever the answer), for the coverage report.
#[utoipa::path(post, path = "/api/v1/people/{id}/needs-checks", params(("id" = i64, Path)), request_body = NeedsCheckInput,
    responses((status = 201, body = NeedsCheck), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn check(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<NeedsCheckInput>,
) -> ApiResult<(StatusCode, Json<NeedsCheck>)> {
    Ok((StatusCode::CREATED, Json(s.gate.record_needs_check(&a, id, &input).await?)))
}

/// Share of current tenants with a recorded needs check.
#[utoipa::path(get, path = "/api/v1/needs/coverage", responses((status = 200, body = NeedsCoverage), (status = 403, body = Problem)))]
pub async fn coverage(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<NeedsCoverage>> {
    Ok(Json(s.gate.needs_coverage(&a).await?))
}

/// The caller's "due for review" work list (needs and warning flags due
/// within 30 days), soonest first; overdue ones have `overdue: true`.
#[utoipa::path(get, path = "/api/v1/reviews", responses((status = 200, body = Vec<ReviewItem>), (status = 403, body = Problem)))]
pub async fn reviews(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<Vec<ReviewItem>>> {
    Ok(Json(s.gate.reviews_due(&a).await?))
}

/// Adds a reasonable adjustment meeting one of the person's needs.
#[utoipa::path(post, path = "/api/v1/people/{id}/adjustments", params(("id" = i64, Path)), request_body = AdjustmentInput,
    responses((status = 201, body = Adjustment), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_adjustment(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<AdjustmentInput>,
) -> ApiResult<(StatusCode, Json<Adjustment>)> {
    Ok((StatusCode::CREATED, Json(s.gate.add_adjustment(&a, id, &input).await?)))
}

/// A person's adjustments, each saying whether it is in use and, if not, why.
/// Never the need's category or detail.
#[utoipa::path(get, path = "/api/v1/people/{id}/adjustments", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Adjustment>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn adjustments(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Vec<Adjustment>>> {
    Ok(Json(s.gate.adjustments_of(&a, id).await?))
}

/// Ends an adjustment, keeping who and why.
#[utoipa::path(post, path = "/api/v1/adjustments/{id}/end", params(("id" = i64, Path)), request_body = EndInput,
    responses((status = 200, body = Adjustment), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn end_adjustment(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(e): ApiJson<EndInput>,
) -> ApiResult<Json<Adjustment>> {
    Ok(Json(s.gate.end_adjustment(&a, id, e.version, &e.reason).await?))
}

/// Adds a staff-safety warning flag with its risk assessment.
#[utoipa::path(post, path = "/api/v1/people/{id}/warning-flags", params(("id" = i64, Path)), request_body = WarningFlagInput,
    responses((status = 201, body = WarningFlag), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_flag(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<WarningFlagInput>,
) -> ApiResult<(StatusCode, Json<WarningFlag>)> {
    Ok((StatusCode::CREATED, Json(s.gate.add_warning_flag(&a, id, &input).await?)))
}

/// A person's warning flags. A flag's `risk_assessment` and `not_told_reason`
/// are null until the caller acknowledges it.
#[utoipa::path(get, path = "/api/v1/people/{id}/warning-flags", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<WarningFlag>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn flags(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Vec<WarningFlag>>> {
    Ok(Json(s.gate.warning_flags_of(&a, id).await?))
}

/// Acknowledges a flag (recorded once per user) and returns it with its text.
#[utoipa::path(post, path = "/api/v1/warning-flags/{id}/acknowledge", params(("id" = i64, Path)),
    responses((status = 200, body = WarningFlag), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn acknowledge(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<WarningFlag>> {
    Ok(Json(s.gate.acknowledge_warning_flag(&a, id).await?))
}

/// Records a review of a flag, or ends it (keeping who and why).
#[utoipa::path(post, path = "/api/v1/warning-flags/{id}/changes", params(("id" = i64, Path)), request_body = WarningFlagChange,
    responses((status = 200, body = WarningFlag), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change_flag(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(c): ApiJson<WarningFlagChange>,
) -> ApiResult<Json<WarningFlag>> {
    Ok(Json(s.gate.change_warning_flag(&a, id, &c).await?))
}

/// A repair job's sheet for the contractor: the job, the address, and for
/// each person only name, phone, access and communication adjustments in use,
/// and a warning-flag summary. Never a need's detail or a flag's text.
#[utoipa::path(get, path = "/api/v1/cases/{id}/job-sheet", params(("id" = i64, Path)),
    responses((status = 200, body = JobSheet), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn job_sheet(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<JobSheet>> {
    Ok(Json(s.gate.job_sheet(&a, id).await?))
}
