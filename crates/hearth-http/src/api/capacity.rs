//! API handlers for mental capacity and best interests (Mental Capacity Act
//! 2005): assessments, best-interests shares, requests that information not
//! be held, and the DPO's removal list.

use super::{ApiActor, ApiJson, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::capacity::{AssessmentInput, BestInterestsShare, CapacityAssessment, NotHeldInput, NotHeldRequest, ShareInput};
use hearth_gate::capacity::{CapacityRecord, RemovalDone};

/// The person's capacity assessments, best-interests shares and requests not to hold information.
#[utoipa::path(get, path = "/api/v1/people/{id}/capacity", params(("id" = i64, Path)),
    responses((status = 200, body = CapacityRecord), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<CapacityRecord>> {
    Ok(Json(s.gate.capacity_record(&a, id).await?))
}

/// Records a capacity assessment for one decision. Capacity is presumed until one finds otherwise.
#[utoipa::path(post, path = "/api/v1/people/{id}/capacity-assessments", params(("id" = i64, Path)), request_body = AssessmentInput,
    responses((status = 201, body = CapacityAssessment), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Processing restricted"), (status = 422, body = Problem)))]
pub async fn assess(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<AssessmentInput>,
) -> ApiResult<(StatusCode, Json<CapacityAssessment>)> {
    Ok((StatusCode::CREATED, Json(s.gate.record_assessment(&a, id, &input).await?)))
}

/// Logs information shared in the person's best interests: only on an
/// assessment that found they lack capacity, only to a recipient the policy names.
#[utoipa::path(post, path = "/api/v1/people/{id}/best-interests-shares", params(("id" = i64, Path)), request_body = ShareInput,
    responses((status = 201, body = BestInterestsShare), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Processing restricted"),
        (status = 422, body = Problem, description = "Missing fields, a recipient the policy does not name, or no assessment finding the person lacks capacity")))]
pub async fn share(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<ShareInput>,
) -> ApiResult<(StatusCode, Json<BestInterestsShare>)> {
    Ok((StatusCode::CREATED, Json(s.gate.record_share(&a, id, &input).await?)))
}

/// Records the person's request that information they gave (in the named needs records) not be held.
#[utoipa::path(post, path = "/api/v1/people/{id}/not-held-requests", params(("id" = i64, Path)), request_body = NotHeldInput,
    responses((status = 201, body = NotHeldRequest), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Processing restricted"), (status = 422, body = Problem)))]
pub async fn not_held(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<NotHeldInput>,
) -> ApiResult<(StatusCode, Json<NotHeldRequest>)> {
    Ok((StatusCode::CREATED, Json(s.gate.record_not_held(&a, id, &input).await?)))
}

/// Requests not to hold information not yet carried out, those due for removal first (DPO).
#[utoipa::path(get, path = "/api/v1/not-held-requests",
    responses((status = 200, body = Vec<NotHeldRequest>), (status = 403, body = Problem)))]
pub async fn removal_list(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<Vec<NotHeldRequest>>> {
    Ok(Json(s.gate.removal_list(&a).await?))
}

/// Removes the needs a due request names, with their adjustments and the
/// audit payloads that held them (DPO). Refused while not due.
#[utoipa::path(post, path = "/api/v1/not-held-requests/{id}/remove", params(("id" = i64, Path)),
    responses((status = 200, body = RemovalDone), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Processing restricted"),
        (status = 422, body = Problem, description = "Not due, or already removed")))]
pub async fn remove(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<RemovalDone>> {
    Ok(Json(s.gate.confirm_removal(&a, id).await?))
}
