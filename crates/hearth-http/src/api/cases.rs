//! API handlers for cases: open, list (filtered by need-to-know), read, and
//! change (assign, move status, extend, schedule, log a contact, close).

use super::{ApiActor, ApiJson, ApiPage, ApiQuery, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::cases::CaseFilter;
use hearth_domain::{
    cases::{Case, CaseInput, CaseKind},
    error::{FieldError, ValidationErrors},
};
use hearth_gate::cases::{CaseChange, CaseView};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only cases assigned to the caller.
    mine: Option<bool>,
    /// Only open cases.
    open: Option<bool>,
    /// One kind: asb, safeguarding, complaint, care_support, repair, tenancy_management.
    kind: Option<String>,
    /// Only cases this person is a party to.
    person_id: Option<i64>,
    after: Option<i64>,
    limit: Option<i64>,
}

/// Opens a case. The kind fixes its compartment.
#[utoipa::path(post, path = "/api/v1/cases", request_body = CaseInput,
    responses((status = 201, body = CaseView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn open(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<CaseInput>,
) -> ApiResult<(StatusCode, Json<CaseView>)> {
    Ok((StatusCode::CREATED, Json(s.gate.open_case(&a, &input).await?)))
}

/// Cases the caller may see: a case outside the caller's need-to-know is
/// neither listed nor counted.
#[utoipa::path(get, path = "/api/v1/cases", params(CaseQuery), responses((status = 200, body = ApiPage<Case>), (status = 422, body = Problem)))]
pub async fn list(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<CaseQuery>) -> ApiResult<Json<ApiPage<Case>>> {
    let kind = match q.kind.as_deref() {
        None => None,
        Some(k) => {
            Some(CaseKind::parse(k).ok_or_else(|| Problem::from(ValidationErrors::from(FieldError::new("kind", "Unknown case kind"))))?)
        }
    };
    if q.limit.is_some_and(|l| !(1..=100).contains(&l)) {
        return Err(ValidationErrors::from(FieldError::new("limit", "Limit must be from 1 to 100")).into());
    }
    let filter = CaseFilter {
        assigned_to: q.mine.unwrap_or(false).then_some(a.user_id),
        open_only: q.open.unwrap_or(false),
        kind,
        person_id: q.person_id,
        with_anonymous_reports: false,
        references: vec![],
    };
    Ok(Json(s.gate.list_cases(&a, &filter, q.after, q.limit).await?.into()))
}

/// A case with its parties (anonymous reporters unnamed), timeline and deadlines.
#[utoipa::path(get, path = "/api/v1/cases/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<CaseView>> {
    Ok(Json(s.gate.case(&a, id).await?))
}

/// Applies one change, based on the version last read.
#[utoipa::path(post, path = "/api/v1/cases/{id}/changes", params(("id" = i64, Path)), request_body = CaseChange,
    responses((status = 200, body = CaseView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(c): ApiJson<CaseChange>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(s.gate.change_case(&a, id, &c).await?))
}
