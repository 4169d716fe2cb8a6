//! API handlers for break-glass (open one person's compartment outside
//! policy by stating a reason; the DPO reviews every use) and for approving
//! time-limited supplier-support access.

use super::{ApiActor, ApiJson, ApiQuery, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::grants::{BreakGlass, SupportGrant};
use hearth_domain::{access::Compartment, error::FieldError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct BreakGlassRequest {
    /// The compartment to open, e.g. `asb`.
    compartment: String,
    /// Why access is needed now; at least 10 characters. Recorded and reviewed.
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct BreakGlassGrant {
    id: i64,
    username: String,
    person_id: Option<i64>,
    compartment: String,
    reason: String,
    granted_at: String,
    expires_at: String,
    reviewed_at: Option<String>,
    review_note: Option<String>,
}

impl From<BreakGlass> for BreakGlassGrant {
    fn from(g: BreakGlass) -> Self {
        BreakGlassGrant {
            id: g.id,
            username: g.username,
            person_id: g.person_id,
            compartment: g.compartment,
            reason: g.reason,
            granted_at: g.granted_at.to_string(),
            expires_at: g.expires_at.to_string(),
            reviewed_at: g.reviewed_at,
            review_note: g.review_note,
        }
    }
}

fn compartment(field: &str, s: &str) -> Result<Compartment, Problem> {
    Compartment::parse(s.trim())
        .ok_or_else(|| FieldError::new(field, format!("{s:?} is not a compartment")).into())
        .map_err(|e: hearth_domain::error::ValidationErrors| e.into())
}

/// Breaks the glass on one compartment of a person's record.
#[utoipa::path(post, path = "/api/v1/people/{id}/break-glass", params(("id" = i64, Path)), request_body = BreakGlassRequest,
    responses((status = 201, body = BreakGlassGrant), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn break_glass(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(req): ApiJson<BreakGlassRequest>,
) -> ApiResult<(StatusCode, Json<BreakGlassGrant>)> {
    let c = compartment("compartment", &req.compartment)?;
    Ok((StatusCode::CREATED, Json(s.gate.break_glass(&a, id, c, &req.reason).await?.into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewListQuery {
    /// Include reviewed grants too (newest first).
    all: Option<bool>,
}

/// The DPO's review list of break-glass grants (unreviewed, oldest first).
#[utoipa::path(get, path = "/api/v1/break-glass", params(ReviewListQuery),
    responses((status = 200, body = Vec<BreakGlassGrant>), (status = 403, body = Problem)))]
pub async fn review_list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ReviewListQuery>,
) -> ApiResult<Json<Vec<BreakGlassGrant>>> {
    let list = s.gate.break_glass_reviews(&a, !q.all.unwrap_or(false)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewRequest {
    /// What the review found.
    note: String,
}

/// Records the DPO's review of a break-glass grant.
#[utoipa::path(post, path = "/api/v1/break-glass/{id}/review", params(("id" = i64, Path)), request_body = ReviewRequest,
    responses((status = 200, body = BreakGlassGrant), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn review(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> ApiResult<Json<BreakGlassGrant>> {
    Ok(Json(s.gate.review_break_glass(&a, id, &req.note).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct SupportGrantRequest {
    /// The supplier-support account to grant.
    username: String,
    /// Compartments the support work needs; never `rights`, `audit` or `edi`.
    compartments: Vec<String>,
    /// 1 to 72.
    hours: i64,
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct SupportGrantCreated {
    id: i64,
}

/// Approves time-limited access for a supplier-support account (DPO or administrator).
#[utoipa::path(post, path = "/api/v1/support-grants", request_body = SupportGrantRequest,
    responses((status = 201, body = SupportGrantCreated), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn grant_support(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(req): ApiJson<SupportGrantRequest>,
) -> ApiResult<(StatusCode, Json<SupportGrantCreated>)> {
    let compartments = req.compartments.iter().map(|c| compartment("compartments", c)).collect::<Result<Vec<_>, _>>()?;
    let id = s.gate.grant_support(&a, &req.username, &compartments, req.hours, &req.reason).await?;
    Ok((StatusCode::CREATED, Json(SupportGrantCreated { id })))
}

#[derive(Serialize, ToSchema)]
pub struct SupportGrantView {
    id: i64,
    /// The supplier-support account granted.
    username: String,
    compartments: Vec<String>,
    reason: String,
    /// Who approved it (the DPO or an administrator).
    approved_by: String,
    granted_at: String,
    expires_at: String,
    revoked_at: Option<String>,
    /// Unexpired and not revoked now.
    current: bool,
}

impl From<SupportGrant> for SupportGrantView {
    fn from(g: SupportGrant) -> Self {
        let current = g.revoked_at.is_none() && g.expires_at > jiff::Timestamp::now();
        SupportGrantView {
            id: g.id,
            username: g.username,
            compartments: g.compartments,
            reason: g.reason,
            approved_by: g.approved_by,
            granted_at: g.granted_at.to_string(),
            expires_at: g.expires_at.to_string(),
            revoked_at: g.revoked_at,
            current,
        }
    }
}

/// Supplier-support grants, current and past, newest first (the DPO).
#[utoipa::path(get, path = "/api/v1/support-grants",
    responses((status = 200, body = Vec<SupportGrantView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn support_grants(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<Vec<SupportGrantView>>> {
    let list = s.gate.support_grants(&a).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}
