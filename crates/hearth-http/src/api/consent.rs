//! API handlers for consent records, contact preferences and objections
//! (UK GDPR Arts. 7 and 21). Withdrawing consent to tailor services stops
//! the person's needs being used to tailor services in the same request.

use super::{ApiActor, ApiJson, ApiQuery, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::consent::{ConsentInput, ConsentRecord, ContactPreferences, Objection, ObjectionInput, PreferencesInput};
use hearth_gate::consent::{ConsentOverview, WithdrawObjection};

/// Where each consent purpose stands today, the full consent log, contact
/// preferences and objections.
#[utoipa::path(get, path = "/api/v1/people/{id}/consent", params(("id" = i64, Path)),
    responses((status = 200, body = ConsentOverview), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<ConsentOverview>> {
    Ok(Json(s.gate.consent_overview(&a, id).await?))
}

/// Records consent given or withdrawn, with its evidence. A withdrawal takes
/// effect at once; withdrawing `tailor_services` stops every active need of
/// the person being used to tailor services.
#[utoipa::path(post, path = "/api/v1/people/{id}/consent", params(("id" = i64, Path)), request_body = ConsentInput,
    responses((status = 201, body = ConsentRecord), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Processing restricted (only withdrawals are accepted then)"),
        (status = 422, body = Problem)))]
pub async fn record(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<ConsentInput>,
) -> ApiResult<(StatusCode, Json<ConsentRecord>)> {
    Ok((StatusCode::CREATED, Json(s.gate.record_consent(&a, id, &input).await?)))
}

/// Replaces the person's contact preferences: preferred channel, channels
/// they decline, marketing opt-out. Send the version read (none the first time).
#[utoipa::path(put, path = "/api/v1/people/{id}/contact-preferences", params(("id" = i64, Path)), request_body = PreferencesInput,
    responses((status = 200, body = ContactPreferences), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Changed by someone else since read, or processing restricted"),
        (status = 422, body = Problem)))]
pub async fn preferences(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<PreferencesInput>,
) -> ApiResult<Json<ContactPreferences>> {
    Ok(Json(s.gate.save_preferences(&a, id, &input).await?))
}

/// Records a standing objection to sharing, profiling or direct marketing.
#[utoipa::path(post, path = "/api/v1/people/{id}/objections", params(("id" = i64, Path)), request_body = ObjectionInput,
    responses((status = 201, body = Objection), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn object(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<ObjectionInput>,
) -> ApiResult<(StatusCode, Json<Objection>)> {
    Ok((StatusCode::CREATED, Json(s.gate.record_objection(&a, id, &input).await?)))
}

/// Records that the person withdrew an objection.
#[utoipa::path(post, path = "/api/v1/objections/{id}/withdraw", params(("id" = i64, Path)), request_body = WithdrawObjection,
    responses((status = 200, body = Objection), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Processing restricted"),
        (status = 422, body = Problem, description = "No reason, or already withdrawn")))]
pub async fn withdraw_objection(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<WithdrawObjection>,
) -> ApiResult<Json<Objection>> {
    Ok(Json(s.gate.withdraw_objection(&a, id, &input).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct AudienceQuery {
    /// email, sms or letter.
    pub channel: Option<String>,
}

/// Who marketing may reach on a channel today: latest marketing consent
/// given and not lapsed, no opt-out, channel not declined, no objection to
/// direct marketing, not restricted. Read under the `marketing` purpose.
#[utoipa::path(get, path = "/api/v1/marketing/audience", params(AudienceQuery),
    responses((status = 200, body = Vec<hearth_domain::consent::AudienceMember>), (status = 403, body = Problem),
        (status = 422, body = Problem, description = "No channel, or one marketing does not use")))]
pub async fn audience(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<AudienceQuery>,
) -> ApiResult<Json<Vec<hearth_domain::consent::AudienceMember>>> {
    Ok(Json(s.gate.marketing_audience(&a, q.channel.as_deref().unwrap_or("")).await?))
}
