//! API handlers for restrictions of processing (UK GDPR Art. 18). While a
//! person is restricted, every change to their data through any endpoint is
//! refused with 409 and a problem of type `/problems/restricted` naming the
//! field `restriction`; reads stay allowed.

use super::{ApiActor, ApiJson, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::restrictions::Restriction;
use hearth_gate::restrictions::{RestrictionInput, RestrictionStatus};

/// Whether the person's processing is restricted now, and every restriction
/// they have had; for anyone who may see the person.
#[utoipa::path(get, path = "/api/v1/people/{id}/restriction", params(("id" = i64, Path)),
    responses((status = 200, body = RestrictionStatus), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<RestrictionStatus>> {
    Ok(Json(s.gate.restriction_status(&a, id).await?))
}

/// Restricts processing of the person's data to storage (data protection
/// officer only). Until lifted, edits, new records and deletions about the
/// person are refused with 409 `/problems/restricted`.
#[utoipa::path(post, path = "/api/v1/people/{id}/restriction", params(("id" = i64, Path)), request_body = RestrictionInput,
    responses((status = 201, body = Restriction), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "No reason, or the person is already restricted")))]
pub async fn place(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<RestrictionInput>,
) -> ApiResult<(StatusCode, Json<Restriction>)> {
    Ok((StatusCode::CREATED, Json(s.gate.place_restriction(&a, id, &input).await?)))
}

/// Lifts the person's restriction, recording who lifted it, when and why
/// (data protection officer only).
#[utoipa::path(post, path = "/api/v1/people/{id}/restriction/lift", params(("id" = i64, Path)), request_body = RestrictionInput,
    responses((status = 200, body = Restriction), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "No reason, or the person is not restricted")))]
pub async fn lift(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<RestrictionInput>,
) -> ApiResult<Json<Restriction>> {
    Ok(Json(s.gate.lift_restriction(&a, id, &input).await?))
}
