//! API handlers for staff accounts: the list an administrator works from
//! (role, line manager, last sign-in, status) and the changes for joiners,
//! movers and leavers. The gate decides in the `staff` compartment (the
//! system administrator; the DPO reads) and audits every change.

use super::{ApiActor, ApiJson, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::staff::{
    AccessReview, AccessReviewSheet, NewStaffAccount, ServiceAccountCreated, ServiceAccountInput, StaffAccount, StaffChange,
};
use serde::Deserialize;
use utoipa::ToSchema;

/// Every staff account, active first.
#[utoipa::path(get, path = "/api/v1/staff",
    responses((status = 200, body = Vec<StaffAccount>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<Vec<StaffAccount>>> {
    Ok(Json(s.gate.staff_accounts(&a).await?))
}

/// One staff account.
#[utoipa::path(get, path = "/api/v1/staff/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = StaffAccount), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<StaffAccount>> {
    Ok(Json(s.gate.staff_account(&a, id).await?))
}

/// Applies one change to a staff account: disable (a leaver: every session
/// and API token ends at once), enable, set_role, set_manager,
/// set_responsibilities or reset_password.
#[utoipa::path(post, path = "/api/v1/staff/{id}/changes", params(("id" = i64, Path)), request_body = StaffChange,
    responses((status = 200, body = StaffAccount), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn change(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(c): ApiJson<StaffChange>,
) -> ApiResult<Json<StaffAccount>> {
    Ok(Json(s.gate.change_staff(&a, id, &c).await?))
}

/// The periodic access review: every account (the DPO) or a manager's own
/// reports, each with the compartments it can reach and its last sign-in,
/// and the reviews done.
#[utoipa::path(get, path = "/api/v1/access-review",
    responses((status = 200, body = AccessReviewSheet), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn access_review(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<AccessReviewSheet>> {
    Ok(Json(s.gate.access_review(&a).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewDone {
    /// What was found or changed (optional).
    #[serde(default)]
    note: String,
}

/// Marks the access review done (audited with what each account could reach).
#[utoipa::path(post, path = "/api/v1/access-review", request_body = ReviewDone,
    responses((status = 201, body = AccessReview), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn complete_access_review(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(r): ApiJson<ReviewDone>,
) -> ApiResult<(StatusCode, Json<AccessReview>)> {
    Ok((StatusCode::CREATED, Json(s.gate.complete_access_review(&a, &r.note).await?)))
}

/// Makes a service account for an integration (a housing management or
/// repairs system): a named client acting as a front-line role, whose one
/// API token reaches only the compartments named and expires after the days
/// asked. The token is in this answer only; disabling the account
/// (`/staff/{id}/changes`) revokes it.
#[utoipa::path(post, path = "/api/v1/service-accounts", request_body = ServiceAccountInput,
    responses((status = 201, body = ServiceAccountCreated), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_service_account(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<ServiceAccountInput>,
) -> ApiResult<(StatusCode, Json<ServiceAccountCreated>)> {
    Ok((StatusCode::CREATED, Json(s.gate.create_service_account(&a, &input).await?)))
}

/// Adds a joiner (the administrator): username, name, role and a first
/// password, which is never returned or recorded.
#[utoipa::path(post, path = "/api/v1/staff", request_body = NewStaffAccount,
    responses((status = 201, body = StaffAccount), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<NewStaffAccount>,
) -> ApiResult<(StatusCode, Json<StaffAccount>)> {
    Ok((StatusCode::CREATED, Json(s.gate.create_staff_account(&a, &input).await?)))
}
