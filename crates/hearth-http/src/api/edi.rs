//! API handlers for equality monitoring (seed 002). Capture is write-only:
//! the reply confirms "recorded" and repeats nothing, and there is no
//! endpoint that returns one person's answers. The coverage and
//! service-equity reports give counts and measures after disclosure control,
//! as JSON or CSV, to equality analysts only. Without an
//! encryption key both answer 409 with a problem of type `/problems/edi-disabled`.

use super::bundle::{format, FormatQuery};
use super::{ApiActor, ApiJson, ApiQuery, RecordId};
use crate::export::with_type;
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use hearth_gate::edi::{EdiCoverage, EdiInput, EdiReceipt, ServiceEquity};

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
/// rounded to the nearest 5, and a lone suppressed cell takes another with it
/// (the thresholds are configuration). `format=csv` gives the same table as
/// CSV, suppressed counts written `[c]`.
#[utoipa::path(get, path = "/api/v1/edi/coverage", params(FormatQuery),
    responses((status = 200, content((EdiCoverage = "application/json"), ("text/csv"))), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "Equality monitoring is switched off (no key)"),
        (status = 422, body = Problem, description = "The format is not json or csv")))]
pub async fn coverage(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<FormatQuery>) -> ApiResult<Response> {
    let f = format(&q, &["json", "csv"])?;
    let report = s.gate.edi_coverage(&a).await?;
    Ok(match f.as_str() {
        "csv" => with_type(report.to_csv(), "text/csv; charset=utf-8"),
        _ => with_type(serde_json::to_string(&report).unwrap_or_default(), "application/json"),
    })
}

/// Service equity (equality analysts): for each characteristic, the size of
/// each group (after the same disclosure control) and outcome measures —
/// contacts and cases per person, mean days to complete a repair, the share
/// of complaints upheld, the share with a recorded need. A group whose size
/// is suppressed has every measure suppressed, and so does a measure resting
/// on a small number of people or events. `format=csv` gives one CSV.
#[utoipa::path(get, path = "/api/v1/edi/equity", params(FormatQuery),
    responses((status = 200, content((ServiceEquity = "application/json"), ("text/csv"))), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "Equality monitoring is switched off (no key)"),
        (status = 422, body = Problem, description = "The format is not json or csv")))]
pub async fn equity(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<FormatQuery>) -> ApiResult<Response> {
    let f = format(&q, &["json", "csv"])?;
    let report: ServiceEquity = s.gate.edi_equity(&a).await?;
    Ok(match f.as_str() {
        "csv" => with_type(report.to_csv(), "text/csv; charset=utf-8"),
        _ => with_type(serde_json::to_string(&report).unwrap_or_default(), "application/json"),
    })
}
