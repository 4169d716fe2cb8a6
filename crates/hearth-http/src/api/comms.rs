//! API handlers for customer communications: send one of a rights request's
//! letters or a case's letters, and list what was sent about a request. The
//! gate decides, picks the channel and format for each recipient, records
//! the contact-log entry and the rendered file, and sends after the commit.

use super::{ApiActor, ApiJson, RecordId};
use crate::problem::ApiResult;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use hearth_domain::comms::Communication;
use hearth_gate::comms::{BounceInput, BreachNoticeInput, SendInput};

/// Sends one of the request's letters to the person, with a copy to a
/// representative whose scope is everything. Each goes by the person's
/// preferred channel and in the format their adjustments ask for.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/letters", params(("id" = i64, Path)), request_body = SendInput,
    responses((status = 201, body = Vec<Communication>), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn send_rights(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<SendInput>,
) -> ApiResult<(StatusCode, Json<Vec<Communication>>)> {
    Ok((StatusCode::CREATED, Json(s.gate.send_rights_letter(&a, id, &input).await?)))
}

/// The letters, emails and texts sent about a rights request, with how each went.
#[utoipa::path(get, path = "/api/v1/rights-requests/{id}/letters", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Communication>), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn rights_list(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Vec<Communication>>> {
    Ok(Json(s.gate.rights_communications(&a, id).await?))
}

/// Sends a letter about a case to one of its parties: the case letter, or a
/// complaint's acknowledgement or response. An anonymous reporter is never
/// named or located in a letter to anyone else.
#[utoipa::path(post, path = "/api/v1/cases/{id}/letters", params(("id" = i64, Path)), request_body = SendInput,
    responses((status = 201, body = Vec<Communication>), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn send_case(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<SendInput>,
) -> ApiResult<(StatusCode, Json<Vec<Communication>>)> {
    Ok((StatusCode::CREATED, Json(s.gate.send_case_letter(&a, id, &input).await?)))
}

/// The rendered file of a communication: the PDF letter, or the email as
/// sent. The DPO reads rights letters; a case's letters, those who may see
/// the case.
#[utoipa::path(get, path = "/api/v1/communications/{id}/file", params(("id" = i64, Path)),
    responses((status = 200, description = "The letter (PDF) or the email as sent", content(("application/pdf"), ("message/rfc822"))),
        (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn file(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Response> {
    let (kind, bytes) = s.gate.communication_file(&a, id).await?;
    Ok(crate::export::file(kind, &format!("communication-{id}"), bytes))
}

/// Tells one person affected by a breach: the notice goes by their channel
/// and in their format, and the register records them as told.
#[utoipa::path(post, path = "/api/v1/breaches/{id}/notices", params(("id" = i64, Path)), request_body = BreachNoticeInput,
    responses((status = 201, body = Vec<Communication>), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn breach_notice(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<BreachNoticeInput>,
) -> ApiResult<(StatusCode, Json<Vec<Communication>>)> {
    Ok((StatusCode::CREATED, Json(s.gate.send_breach_notice(&a, id, &input).await?)))
}

/// Records that a sent email came back undelivered (for the mailbox that
/// receives bounces, or whoever reads it): the sender sees it on their home page.
#[utoipa::path(post, path = "/api/v1/communications/{id}/bounce", params(("id" = i64, Path)), request_body = BounceInput,
    responses((status = 200, body = Communication), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn bounce(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<BounceInput>,
) -> ApiResult<Json<Communication>> {
    Ok(Json(s.gate.record_bounce(&a, id, &input).await?))
}

/// Records that a letter ready to print was printed and posted.
#[utoipa::path(post, path = "/api/v1/communications/{id}/posted", params(("id" = i64, Path)),
    responses((status = 200, body = Communication), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn posted(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Communication>> {
    Ok(Json(s.gate.mark_posted(&a, id).await?))
}
