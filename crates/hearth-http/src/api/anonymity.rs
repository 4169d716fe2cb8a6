//! API handlers for reporter anonymity: the cases on a person's own record
//! (marked where they reported anonymously), letters from a case to one
//! party, and the override of a reporter's anonymity (ask with a ground,
//! approve by a second person, the DPO's register).

use super::{ApiActor, ApiJson, ApiPage, ApiQuery, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::{request::Parts, StatusCode};
use axum::Json;
use hearth_domain::{
    anonymity::{AnonymityOverride, CaseLetter, OverrideInput},
    error::{FieldError, ValidationErrors},
};
use hearth_gate::anonymity::PersonCase;
use serde::Deserialize;

/// The case id and the recipient's person id from a letter's path.
pub struct LetterPath(i64, i64);

impl<S: Send + Sync> FromRequestParts<S> for LetterPath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        Path::<(i64, i64)>::from_request_parts(parts, state).await.map(|p| LetterPath(p.0 .0, p.0 .1)).map_err(|_| {
            Problem::field(StatusCode::BAD_REQUEST, "bad-id", "Bad record id", "id", "The ids in the path must be whole numbers")
        })
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverrideQuery {
    /// Return overrides older than this id (the previous page's `next_cursor`).
    before: Option<i64>,
    /// Page size, 1 to 100 (default 100).
    limit: Option<i64>,
}

/// The cases on this person's own record that the caller may see, with the
/// person's role; a case they reported anonymously is marked
/// `reported_anonymously` (and is left out of every other case list).
#[utoipa::path(get, path = "/api/v1/people/{id}/cases", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PersonCase>), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn person_cases(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Vec<PersonCase>>> {
    Ok(Json(s.gate.person_cases(&a, id).await?))
}

/// A letter about the case to one of its parties, with the landlord's and
/// the recipient's addresses, the reference and the summary. It never names
/// an anonymous reporter unless addressed to them, and it has no copies.
/// Each one generated is audited.
#[utoipa::path(get, path = "/api/v1/cases/{id}/letters/{person_id}", params(("id" = i64, Path), ("person_id" = i64, Path)),
    responses((status = 200, body = CaseLetter), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "No such case, or the person is not a party to it")))]
pub async fn letter(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    LetterPath(id, person_id): LetterPath,
) -> ApiResult<Json<CaseLetter>> {
    Ok(Json(s.gate.case_letter(&a, id, person_id).await?))
}

/// Asks to reveal an anonymous reporter on the case. Needs a ground
/// (court_order, police_request, best_interests_prevent_harm) and detail;
/// the identity stays hidden until a second person of a permitted role approves.
#[utoipa::path(post, path = "/api/v1/cases/{id}/anonymity-overrides", params(("id" = i64, Path)), request_body = OverrideInput,
    responses((status = 201, body = AnonymityOverride), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem, description = "No ground, no detail, or the party is not an anonymous reporter")))]
pub async fn request(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<OverrideInput>,
) -> ApiResult<(StatusCode, Json<AnonymityOverride>)> {
    Ok((StatusCode::CREATED, Json(s.gate.request_override(&a, id, &input).await?)))
}

/// Approves an override: the DPO, or a safeguarding lead or manager
/// responsible for the case's compartment; never the person who asked (403).
#[utoipa::path(post, path = "/api/v1/anonymity-overrides/{id}/approve", params(("id" = i64, Path)),
    responses((status = 200, body = AnonymityOverride), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "Already approved")))]
pub async fn approve(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<AnonymityOverride>> {
    Ok(Json(s.gate.approve_override(&a, id).await?))
}

/// The register of anonymity overrides, newest first (data protection officer).
#[utoipa::path(get, path = "/api/v1/anonymity-overrides", params(OverrideQuery),
    responses((status = 200, body = ApiPage<AnonymityOverride>), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<OverrideQuery>,
) -> ApiResult<Json<ApiPage<AnonymityOverride>>> {
    if q.limit.is_some_and(|l| !(1..=100).contains(&l)) {
        return Err(ValidationErrors::from(FieldError::new("limit", "Limit must be from 1 to 100")).into());
    }
    Ok(Json(s.gate.list_overrides(&a, q.before, q.limit).await?.into()))
}
