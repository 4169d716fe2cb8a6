//! API handlers for authorised representatives, caller checks and the
//! memorable word. A contact-centre advisor records a caller check before
//! anything of the person on the call but their name is shown to them;
//! until then those reads answer 403 with a detail starting "Check the
//! caller first" (and a person's date of birth and NI number come back
//! empty). The advisor sends the caller's answers and Hearth compares them
//! with what is held. A failed check (answers that do not match, too few,
//! or a representative who is not current or whose scope does not cover
//! what is asked) answers 422 naming the field and is still audited, never
//! with the answers; too many failed checks answer 429.

use super::{ApiActor, ApiJson, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::representatives::{CallerCheck, Representative};
use hearth_domain::representatives::{CallerCheckInput, EndRepresentativeInput, MemorableWordInput, RepresentativeInput};

/// The person's representatives, current and past, newest first.
#[utoipa::path(get, path = "/api/v1/people/{id}/representatives", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Representative>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Vec<Representative>>> {
    Ok(Json(s.gate.representatives(&a, id).await?))
}

/// Records someone the person lets speak for them: an existing person
/// record (`person_id`) or a name and phone number, with the relationship,
/// scope (discuss_account, act_on_repairs, everything), evidence and dates.
#[utoipa::path(post, path = "/api/v1/people/{id}/representatives", params(("id" = i64, Path)), request_body = RepresentativeInput,
    responses((status = 201, body = Representative), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The person's processing is restricted"),
        (status = 422, body = Problem, description = "A field is missing or invalid")))]
pub async fn add(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<RepresentativeInput>,
) -> ApiResult<(StatusCode, Json<Representative>)> {
    Ok((StatusCode::CREATED, Json(s.gate.add_representative(&a, id, &input).await?)))
}

/// Ends a representative's authority, recording who ended it, when and why.
#[utoipa::path(post, path = "/api/v1/representatives/{id}/end", params(("id" = i64, Path)), request_body = EndRepresentativeInput,
    responses((status = 200, body = Representative), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The person's processing is restricted"),
        (status = 422, body = Problem, description = "No reason, or already ended")))]
pub async fn end(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<EndRepresentativeInput>,
) -> ApiResult<Json<Representative>> {
    Ok(Json(s.gate.end_representative(&a, id, &input).await?))
}

/// Records the check of the caller on this call: the caller's `answers`,
/// which Hearth compares with what it holds (at least two must match, one of
/// them the memorable word, a phone number or email address on file, or the
/// year the tenancy started; none may be wrong), or the representative they
/// are (current, and with a scope covering `area`). The check is the
/// advisor's own and lasts for the call (30 minutes). Three failed
/// comparisons for one person in 30 minutes stop further tries for a while.
#[utoipa::path(post, path = "/api/v1/people/{id}/caller-checks", params(("id" = i64, Path)), request_body = CallerCheckInput,
    responses((status = 201, body = CallerCheck), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "The check failed: answers that do not match, too few, or a representative who may not be relied on"),
        (status = 429, body = Problem, description = "Too many failed checks for this person")))]
pub async fn check(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<CallerCheckInput>,
) -> ApiResult<(StatusCode, Json<CallerCheck>)> {
    Ok((StatusCode::CREATED, Json(s.gate.record_caller_check(&a, id, &input).await?)))
}

/// Sets or replaces the memorable word the person chose, for caller checks.
/// Only its hash is kept; it is never shown or returned, and the audit
/// trail records that it was set, not what it is. For staff who maintain
/// contact details (an advisor only for a checked caller).
#[utoipa::path(put, path = "/api/v1/people/{id}/memorable-word", params(("id" = i64, Path)), request_body = MemorableWordInput,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The person's processing is restricted"),
        (status = 422, body = Problem, description = "Too short or too long")))]
pub async fn set_memorable_word(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<MemorableWordInput>,
) -> ApiResult<StatusCode> {
    s.gate.set_memorable_word(&a, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
