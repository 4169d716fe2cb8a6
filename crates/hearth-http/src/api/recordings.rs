//! API handlers for call recordings, the caller's notifications, and
//! marking a contact's follow-up done.

use super::{ApiActor, ApiJson, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::{
    contacts::FollowUp,
    recordings::{CallRecording, Notification, RecordingInput},
};
use serde::Serialize;
use utoipa::ToSchema;

/// Files a call recording's metadata against a call. The landlord's own
/// recordings need a purpose and a storage reference; a customer's
/// recording needs whether you consented, and ending the call over it
/// needs a note and tells your line manager.
#[utoipa::path(post, path = "/api/v1/call-recordings", request_body = RecordingInput,
    responses((status = 201, body = CallRecording), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<RecordingInput>,
) -> ApiResult<(StatusCode, Json<CallRecording>)> {
    Ok((StatusCode::CREATED, Json(s.gate.record_call_recording(&a, &input).await?)))
}

/// One call recording's metadata, for those who may read recordings.
#[utoipa::path(get, path = "/api/v1/call-recordings/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = CallRecording), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<CallRecording>> {
    Ok(Json(s.gate.call_recording(&a, id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Notifications {
    pub items: Vec<Notification>,
}

/// Your notifications, newest first (e.g. a call one of your staff ended
/// over an unconsented recording).
#[utoipa::path(get, path = "/api/v1/notifications", responses((status = 200, body = Notifications), (status = 401, body = Problem)))]
pub async fn notifications(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<Notifications>> {
    Ok(Json(Notifications { items: s.gate.notifications(&a).await? }))
}

/// Marks a contact's follow-up done, recording who and when. A follow-up
/// already done is refused naming `follow_up`.
#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/done", params(("id" = i64, Path)),
    responses((status = 200, body = FollowUp), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn follow_up_done(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<FollowUp>> {
    Ok(Json(s.gate.mark_follow_up_done(&a, id).await?))
}
