//! API handlers that answer a rights request with data: the subject access
//! bundle's drafts, their review and release, the released bundle (JSON,
//! printable HTML or both zipped), the portability export (JSON
//! or CSV), and the erasure review and its carrying out.
//! The gate decides (DPO only), checks the request is of the right type with
//! identity confirmed, and audits the generation.

use super::{ApiActor, ApiJson, ApiQuery, RecordId};
use crate::export::with_type;
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use hearth_domain::error::{FieldError, ValidationErrors};
use hearth_gate::bundle::{AccessBundle, PortabilityExport};
use hearth_gate::erasure::{ErasureReview, RecordChange};
use hearth_gate::review::{BundleDraft, ReviewChange};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `json` (default), `html`, `pdf` or `zip` (all three in one archive) for the bundle; `json` (default) or `csv` for portability and the equality reports.
    pub(super) format: Option<String>,
}

pub(super) fn format(q: &FormatQuery, allowed: &[&str]) -> Result<String, ValidationErrors> {
    let f = q.format.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("json").to_ascii_lowercase();
    if allowed.contains(&f.as_str()) {
        Ok(f)
    } else {
        Err(FieldError::new("format", format!("The format must be one of: {}", allowed.join(", "))).into())
    }
}

/// The latest released access bundle of an access request, exactly as
/// released: everything held on the person, other people's details redacted
/// as reviewed, withheld items with reasons, and the register's purpose,
/// lawful basis, recipients, retention and source per record class. 422
/// (`bundle`) until a draft has been reviewed and released.
#[utoipa::path(get, path = "/api/v1/rights-requests/{id}/bundle", params(("id" = i64, Path), FormatQuery),
    responses((status = 200, body = AccessBundle, content(
            (AccessBundle = "application/json"),
            ("text/html"),
            ("application/pdf"),
            ("application/zip") )),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn bundle(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let f = format(&q, &["json", "html", "pdf", "zip"])?;
    let b = s.gate.access_bundle(&a, id).await?;
    Ok(match f.as_str() {
        "html" => with_type(crate::export::bundle::bundle_html(&b), "text/html; charset=utf-8"),
        "pdf" => crate::export::bundle::pdf_download(&b),
        "zip" => crate::export::bundle::bundle_zip(&b),
        _ => with_type(serde_json::to_string(&b).unwrap_or_default(), "application/json"),
    })
}

/// The data the person provided, for a portability request whose requester's
/// identity is confirmed. Format `hearth-portability/1` (see docs/rights-bundle.md).
#[utoipa::path(get, path = "/api/v1/rights-requests/{id}/portability", params(("id" = i64, Path), FormatQuery),
    responses((status = 200, content(
            (PortabilityExport = "application/json"),
            ("text/csv") )),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn portability(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let f = format(&q, &["json", "csv"])?;
    let x: PortabilityExport = s.gate.portability_export(&a, id).await?;
    Ok(match f.as_str() {
        "csv" => with_type(x.to_csv(), "text/csv; charset=utf-8"),
        _ => with_type(serde_json::to_string(&x).unwrap_or_default(), "application/json"),
    })
}

/// What erasing the person's data would do, class by class: erased, or kept
/// and why (a legal hold, a retention rule still running, a permanent
/// record). For an open erasure request whose requester's identity is confirmed.
#[utoipa::path(get, path = "/api/v1/rights-requests/{id}/erasure", params(("id" = i64, Path)),
    responses((status = 200, body = ErasureReview), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn erasure_review(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<ErasureReview>> {
    Ok(Json(s.gate.erasure_review(&a, id).await?))
}

/// The request's version, so an erasure is carried out on the request as last read.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ErasureOrder {
    pub version: i64,
}

/// Carries out the erasure the review allows, in one transaction with its
/// audit event, and notes on the request what was erased and what was kept.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/erasure", params(("id" = i64, Path)), request_body = ErasureOrder,
    responses((status = 200, body = ErasureReview), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn carry_out_erasure(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(o): ApiJson<ErasureOrder>,
) -> ApiResult<Json<ErasureReview>> {
    Ok(Json(s.gate.carry_out_erasure(&a, id, o.version).await?))
}

/// For a rectification request: every change made to the person's records
/// since it arrived, field by field with old and new values, from the audit trail.
#[utoipa::path(get, path = "/api/v1/rights-requests/{id}/rectifications", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RecordChange>), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn rectifications(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
) -> ApiResult<Json<Vec<RecordChange>>> {
    Ok(Json(s.gate.rectification_history(&a, id).await?))
}

/// Generates a draft access bundle for review: the bundle as collected and
/// every place the redaction rules found (automatic and uncertain), each with
/// its context. An earlier draft not yet released is superseded.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/bundle-drafts", params(("id" = i64, Path)),
    responses((status = 201, body = BundleDraft), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_draft(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
) -> ApiResult<(StatusCode, Json<BundleDraft>)> {
    Ok((StatusCode::CREATED, Json(s.gate.draft_bundle(&a, id).await?)))
}

/// The request's drafts and releases, newest first (without their marks).
#[utoipa::path(get, path = "/api/v1/rights-requests/{id}/bundle-drafts", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<BundleDraft>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_drafts(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Vec<BundleDraft>>> {
    Ok(Json(s.gate.bundle_drafts(&a, id).await?))
}

/// A draft with every mark and manual redaction, or a release.
#[utoipa::path(get, path = "/api/v1/bundle-drafts/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = BundleDraft), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn draft(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<BundleDraft>> {
    Ok(Json(s.gate.bundle_draft(&a, id).await?))
}

/// The draft as it would be released now (or the release itself): `json` (default) or `html`.
#[utoipa::path(get, path = "/api/v1/bundle-drafts/{id}/preview", params(("id" = i64, Path), FormatQuery),
    responses((status = 200, body = AccessBundle, content((AccessBundle = "application/json"), ("text/html"))),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn preview(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let f = format(&q, &["json", "html"])?;
    let b = s.gate.preview_bundle(&a, id).await?;
    Ok(match f.as_str() {
        "html" => with_type(crate::export::bundle::bundle_html(&b), "text/html; charset=utf-8"),
        _ => with_type(serde_json::to_string(&b).unwrap_or_default(), "application/json"),
    })
}

/// One review change: `decide` a mark (`redact` true or false), `redact`
/// more text with a `ground` and a `reason` (listed as withheld), or
/// `restore` a manual redaction. 409 once the draft is released or superseded.
#[utoipa::path(post, path = "/api/v1/bundle-drafts/{id}/changes", params(("id" = i64, Path)), request_body = ReviewChange,
    responses((status = 200, body = BundleDraft), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change_draft(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(c): ApiJson<ReviewChange>,
) -> ApiResult<Json<BundleDraft>> {
    Ok(Json(s.gate.review_bundle(&a, id, &c).await?))
}

/// The draft's version, so what is released is what was last reviewed.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReleaseOrder {
    pub version: i64,
}

/// Releases the reviewed draft: its contents are fixed, stored with their
/// SHA-256 and audited; every format of the bundle is made from the latest release.
#[utoipa::path(post, path = "/api/v1/bundle-drafts/{id}/release", params(("id" = i64, Path)), request_body = ReleaseOrder,
    responses((status = 200, body = BundleDraft), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn release(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(o): ApiJson<ReleaseOrder>,
) -> ApiResult<Json<BundleDraft>> {
    Ok(Json(s.gate.release_bundle(&a, id, o.version).await?))
}
