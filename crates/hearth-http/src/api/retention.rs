//! API handlers for the register of record classes (the record of
//! processing activities) and for retention: upcoming disposals, runs,
//! disposal certificates and legal holds. Runs themselves are started from
//! the command line or the schedule, never by an HTTP request.

use super::{ApiActor, ApiJson, ApiQuery, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::retention::RecordClassEntry;
use hearth_domain::retention::{Certificate, LegalHold, RetentionRun};
use hearth_gate::retention::{HoldInput, Upcoming};
use hearth_gate::Gate;
use serde::Deserialize;
use utoipa::IntoParams;

/// Every record class with its purpose, lawful basis, special-category
/// condition, data categories, recipients and retention rule. Holds no
/// personal data; any signed-in user may read it.
#[utoipa::path(get, path = "/api/v1/record-classes", responses((status = 200, body = Vec<RecordClassEntry>), (status = 401, body = Problem)))]
pub async fn record_classes(State(s): State<AppState>, ApiActor(_): ApiActor) -> Json<Vec<RecordClassEntry>> {
    Json(s.gate.register().entries().cloned().collect())
}

#[derive(Deserialize, IntoParams)]
pub struct UpcomingQuery {
    /// Months ahead, 1 to 60 (default 12).
    months: Option<i8>,
}

/// Records falling due for disposal, by month and record class.
#[utoipa::path(get, path = "/api/v1/retention/upcoming", params(UpcomingQuery),
    responses((status = 200, body = Vec<Upcoming>), (status = 403, body = Problem)))]
pub async fn upcoming(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<UpcomingQuery>,
) -> ApiResult<Json<Vec<Upcoming>>> {
    let months = q.months.unwrap_or(12).clamp(1, 60);
    Ok(Json(s.gate.upcoming_disposals(&a, Gate::today(), months).await?))
}

/// Recent retention runs, newest first.
#[utoipa::path(get, path = "/api/v1/retention/runs", responses((status = 200, body = Vec<RetentionRun>), (status = 403, body = Problem)))]
pub async fn runs(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<Vec<RetentionRun>>> {
    Ok(Json(s.gate.retention_runs(&a, 100).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct CertificateQuery {
    /// Only this run's certificates.
    run_id: Option<i64>,
}

/// Disposal certificates, newest first: rule, class, counts, id range and a
/// hash of the ids; no personal data.
#[utoipa::path(get, path = "/api/v1/retention/certificates", params(CertificateQuery),
    responses((status = 200, body = Vec<Certificate>), (status = 403, body = Problem)))]
pub async fn certificates(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<CertificateQuery>,
) -> ApiResult<Json<Vec<Certificate>>> {
    Ok(Json(s.gate.certificates(&a, q.run_id, false).await?))
}

/// Legal holds in force.
#[utoipa::path(get, path = "/api/v1/retention/holds", responses((status = 200, body = Vec<LegalHold>), (status = 403, body = Problem)))]
pub async fn holds(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<Vec<LegalHold>>> {
    Ok(Json(s.gate.legal_holds(&a).await?))
}

/// Places a legal hold on a person, a case or a record class; retention
/// runs skip what it covers until it is released.
#[utoipa::path(post, path = "/api/v1/retention/holds", request_body = HoldInput,
    responses((status = 201, body = LegalHold), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn place_hold(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<HoldInput>,
) -> ApiResult<(StatusCode, Json<LegalHold>)> {
    Ok((StatusCode::CREATED, Json(s.gate.place_hold(&a, &input).await?)))
}

/// Releases a legal hold; the hold stays on record.
#[utoipa::path(post, path = "/api/v1/retention/holds/{id}/release", params(("id" = i64, Path)),
    responses((status = 200, body = LegalHold), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn release_hold(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<LegalHold>> {
    Ok(Json(s.gate.release_hold(&a, id).await?))
}
