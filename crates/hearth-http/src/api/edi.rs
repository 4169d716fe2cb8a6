//! API handlers for equality monitoring (seed 002). Capture is write-only:
//! the reply confirms "recorded" and repeats nothing, and there is no
//! endpoint that returns one person's answers. The coverage report gives
//! counts after disclosure control, to equality analysts only. Without an
//! encryption key both answer 409 with a problem of type `/problems/edi-disabled`.

use super::{ApiActor, ApiJson, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_gate::edi::{EdiCoverage, EdiInput, EdiReceipt};

/// Records a person's equality answers (front-line roles). Each answer is
/// `not_asked`, `prefer_not_to_say` or `recorded` with a value from its list.
#[utoipa::path(post, path = "/api/v1/people/{id}/edi", params(("id" = i64, Path)), request_body = EdiInput,
    responses((status = 201, body = EdiReceipt), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Equality monitoring is switched off (no key) or processing is restricted"),
        (status = 422, body = Problem, description = "An answer is not in its list, or a required description or date is missing")))]
pub async fn record(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<EdiInput>,
) -> ApiResult<(StatusCode, Json<EdiReceipt>)> {
    Ok((StatusCode::CREATED, Json(s.gate.record_edi(&a, id, &input).await?)))
}

/// How completely each characteristic is recorded, across everyone with a
/// capture (equality analysts): counts 1 to 7 are suppressed, the rest
/// rounded to the nearest 5, and a lone suppressed cell takes another with it.
#[utoipa::path(get, path = "/api/v1/edi/coverage",
    responses((status = 200, body = EdiCoverage), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "Equality monitoring is switched off (no key)")))]
pub async fn coverage(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<EdiCoverage>> {
    Ok(Json(s.gate.edi_coverage(&a).await?))
}
