//! API handlers for sharing and disclosure: the group's organisations,
//! data-sharing agreements (create, list, read, end), the disclosure
//! register (log a request, decide it, correct an entry, list, read),
//! extracts for routine recipients, the CORE lettings return and the NFI
//! extract. The register has no PUT, PATCH or DELETE: entries are only
//! added. The gate decides and audits every call; the shipped policies give
//! all of it to the data protection officer.

use super::{ApiActor, ApiJson, ApiQuery, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hearth_domain::{
    error::{FieldError, ValidationErrors},
    sharing::{
        AgreementInput, DisclosureCorrectionInput, DisclosureDecisionInput, DisclosureEntry, DisclosureRequestInput, ExtractInput,
        Organisation, OrganisationInput, SharingAgreement,
    },
    validate,
};
use hearth_gate::sharing::{DisclosureView, EndAgreement, SharedFile};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileFormat {
    /// `csv` (default): the file itself; `json`: the file with who was left out and the register entry.
    format: Option<String>,
}

/// Sends a generated file as CSV (with its register entry in a header) or as JSON.
fn file_response(f: SharedFile, q: &FileFormat) -> ApiResult<Response> {
    let format = q.format.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("csv").to_ascii_lowercase();
    match format.as_str() {
        "csv" => {
            let mut r = f.csv.into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", f.file_name)) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert("x-hearth-disclosure", HeaderValue::from(f.disclosure_id));
            Ok((StatusCode::CREATED, r).into_response())
        }
        "json" => Ok((StatusCode::CREATED, Json(f)).into_response()),
        _ => Err(ValidationErrors::from(FieldError::new("format", "The format must be csv or json")).into()),
    }
}

/// The landlords of the group; the default one is this landlord.
#[utoipa::path(get, path = "/api/v1/organisations",
    responses((status = 200, body = Vec<Organisation>), (status = 403, body = Problem)))]
pub async fn organisations(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<Vec<Organisation>>> {
    Ok(Json(s.gate.organisations(&a).await?))
}

/// Adds another landlord of the group.
#[utoipa::path(post, path = "/api/v1/organisations", request_body = OrganisationInput,
    responses((status = 201, body = Organisation), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_organisation(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<OrganisationInput>,
) -> ApiResult<(StatusCode, Json<Organisation>)> {
    Ok((StatusCode::CREATED, Json(s.gate.add_organisation(&a, &input).await?)))
}

/// Records a data-sharing agreement.
#[utoipa::path(post, path = "/api/v1/sharing-agreements", request_body = AgreementInput,
    responses((status = 201, body = SharingAgreement), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_agreement(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<AgreementInput>,
) -> ApiResult<(StatusCode, Json<SharingAgreement>)> {
    Ok((StatusCode::CREATED, Json(s.gate.create_agreement(&a, &input).await?)))
}

/// Every agreement: active ones by expiry, then ended ones.
#[utoipa::path(get, path = "/api/v1/sharing-agreements",
    responses((status = 200, body = Vec<SharingAgreement>), (status = 403, body = Problem)))]
pub async fn agreements(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<Vec<SharingAgreement>>> {
    Ok(Json(s.gate.agreements(&a).await?))
}

/// One agreement.
#[utoipa::path(get, path = "/api/v1/sharing-agreements/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = SharingAgreement), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn agreement(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<SharingAgreement>> {
    Ok(Json(s.gate.agreement(&a, id).await?))
}

/// Ends an agreement today; it stays on record, and nothing more may be shared under it.
#[utoipa::path(post, path = "/api/v1/sharing-agreements/{id}/end", params(("id" = i64, Path)), request_body = EndAgreement,
    responses((status = 200, body = SharingAgreement), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn end_agreement(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(end): ApiJson<EndAgreement>,
) -> ApiResult<Json<SharingAgreement>> {
    Ok(Json(s.gate.end_agreement(&a, id, &end).await?))
}

/// Logs a disclosure request from a third party (police, legal representative,
/// safeguarding agency, local authority, DWP, other).
#[utoipa::path(post, path = "/api/v1/disclosures", request_body = DisclosureRequestInput,
    responses((status = 201, body = DisclosureView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn record_request(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<DisclosureRequestInput>,
) -> ApiResult<(StatusCode, Json<DisclosureView>)> {
    Ok((StatusCode::CREATED, Json(s.gate.record_disclosure_request(&a, &input).await?)))
}

/// The disclosure register, newest entry first.
#[utoipa::path(get, path = "/api/v1/disclosures",
    responses((status = 200, body = Vec<DisclosureEntry>), (status = 403, body = Problem)))]
pub async fn disclosures(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<Vec<DisclosureEntry>>> {
    Ok(Json(s.gate.disclosures(&a).await?))
}

/// One entry with its decision and corrections.
#[utoipa::path(get, path = "/api/v1/disclosures/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = DisclosureView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn disclosure(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<DisclosureView>> {
    Ok(Json(s.gate.disclosure(&a, id).await?))
}

/// Decides a request (approved, partly, refused): exactly which records and
/// fields left, when and how. Recorded as a new entry; decided once.
#[utoipa::path(post, path = "/api/v1/disclosures/{id}/decision", params(("id" = i64, Path)), request_body = DisclosureDecisionInput,
    responses((status = 201, body = DisclosureView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<DisclosureDecisionInput>,
) -> ApiResult<(StatusCode, Json<DisclosureView>)> {
    Ok((StatusCode::CREATED, Json(s.gate.decide_disclosure(&a, id, &input).await?)))
}

/// Corrects an entry: a new entry referring to it, never a change to it.
#[utoipa::path(post, path = "/api/v1/disclosures/{id}/corrections", params(("id" = i64, Path)), request_body = DisclosureCorrectionInput,
    responses((status = 201, body = DisclosureView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn correct(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<DisclosureCorrectionInput>,
) -> ApiResult<(StatusCode, Json<DisclosureView>)> {
    Ok((StatusCode::CREATED, Json(s.gate.correct_disclosure(&a, id, &input).await?)))
}

/// Generates a minimal extract under an agreement in force: only the
/// recipient type's declared fields, leaving out people who object, are
/// restricted or whose choices rule the recipient out. Logged as a disclosure.
#[utoipa::path(post, path = "/api/v1/extracts", params(FileFormat), request_body = ExtractInput,
    responses((status = 201, content((SharedFile = "application/json"), ("text/csv"))),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn extract(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<FileFormat>,
    ApiJson(input): ApiJson<ExtractInput>,
) -> ApiResult<Response> {
    file_response(s.gate.extract(&a, &input).await?, &q)
}

/// The period a CORE lettings return covers.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CorePeriod {
    /// First day, YYYY-MM-DD.
    from: String,
    /// Last day, YYYY-MM-DD.
    to: String,
}

/// Generates the CORE lettings return for tenancies starting in the period,
/// pseudonymised, as CSV. Logged as a disclosure.
#[utoipa::path(post, path = "/api/v1/returns/core", params(FileFormat), request_body = CorePeriod,
    responses((status = 201, content((SharedFile = "application/json"), ("text/csv"))),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn core_return(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<FileFormat>,
    ApiJson(p): ApiJson<CorePeriod>,
) -> ApiResult<Response> {
    let mut e = ValidationErrors::default();
    let from = e.check(validate::iso_date("from", p.from.trim(), "The first day"));
    let to = e.check(validate::iso_date("to", p.to.trim(), "The last day"));
    e.into_result()?;
    file_response(s.gate.core_return(&a, from.expect("checked"), to.expect("checked")).await?, &q)
}

/// Generates the National Fraud Initiative housing tenants extract (the
/// declared field set, current tenants), as CSV. Logged as a disclosure.
#[utoipa::path(post, path = "/api/v1/returns/nfi", params(FileFormat),
    responses((status = 201, content((SharedFile = "application/json"), ("text/csv"))),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn nfi(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<FileFormat>) -> ApiResult<Response> {
    file_response(s.gate.nfi_extract(&a).await?, &q)
}
