//! API handlers for the personal data breach register: any member of staff
//! reports a suspected breach; the DPO records, lists, reads and changes
//! breaches. The gate decides and audits every call.

use super::{ApiActor, ApiJson, ApiQuery, RecordId};
use crate::problem::ApiResult;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::breaches::{BreachChange, BreachInput};
use hearth_gate::breaches::{BreachSummary, BreachView};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreachQuery {
    /// Include closed breaches (default: open only).
    all: Option<bool>,
}

/// Records a breach; the 72-hour reporting clock runs from its discovery.
#[utoipa::path(post, path = "/api/v1/breaches", request_body = BreachInput,
    responses((status = 201, body = BreachView), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn record_breach(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<BreachInput>,
) -> ApiResult<(StatusCode, Json<BreachView>)> {
    Ok((StatusCode::CREATED, Json(s.gate.record_breach(&a, &input).await?)))
}

/// Reports a suspected personal data breach (any member of staff). It goes
/// into the DPO's register; the answer is a receipt, not the register.
#[utoipa::path(post, path = "/api/v1/breach-reports", request_body = BreachInput,
    responses((status = 201, body = hearth_gate::breaches::BreachReceipt), (status = 403, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn report_breach(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<BreachInput>,
) -> ApiResult<(StatusCode, Json<hearth_gate::breaches::BreachReceipt>)> {
    Ok((StatusCode::CREATED, Json(s.gate.report_breach(&a, &input).await?)))
}

/// The breach register, most urgent reporting deadline first.
#[utoipa::path(get, path = "/api/v1/breaches", params(BreachQuery),
    responses((status = 200, body = Vec<BreachSummary>), (status = 403, body = crate::problem::Problem)))]
pub async fn breaches(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<BreachQuery>,
) -> ApiResult<Json<Vec<BreachSummary>>> {
    Ok(Json(s.gate.breaches(&a, !q.all.unwrap_or(false)).await?))
}

/// One breach with its people, actions and reporting clock.
#[utoipa::path(get, path = "/api/v1/breaches/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = BreachView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn breach(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<BreachView>> {
    Ok(Json(s.gate.breach(&a, id).await?))
}

/// Applies one change (assess, decide, people, notifications, actions,
/// scope, committee, close), based on the version last read.
#[utoipa::path(post, path = "/api/v1/breaches/{id}/changes", params(("id" = i64, Path)), request_body = BreachChange,
    responses((status = 200, body = BreachView), (status = 403, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn change_breach(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(c): ApiJson<BreachChange>,
) -> ApiResult<Json<BreachView>> {
    Ok(Json(s.gate.change_breach(&a, id, &c).await?))
}
