//! API handlers for documents: upload (multipart), list a person's, read
//! one's details, and download through the gate. A download is always an
//! attachment with the sniffed type and `nosniff`, never rendered inline.

use super::{ApiActor, ApiPage, ApiQuery, PageParams, RecordId};
use crate::export::attachment;
use crate::problem::{ApiResult, Problem};
use crate::upload::{self, UploadError};
use crate::AppState;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use hearth_domain::{
    documents::Document,
    error::{FieldError, ValidationErrors},
};

fn invalid(field: &str, message: &str) -> Problem {
    ValidationErrors::from(FieldError::new(field, message)).into()
}

/// The multipart form an upload sends (for the OpenAPI document).
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct DocumentForm {
    /// The file: a PDF, PNG or JPEG image, or an email (.eml, .msg). Its
    /// type is read from its bytes; a name or declared type that disagrees is refused.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// general (the default without a case or contact), asb, safeguarding,
    /// care, financial, complaints, repairs or tenancy. Leave it out on a
    /// case or contact: one that differs from theirs is refused (422).
    compartment: Option<String>,
    /// The case it is filed on; the document takes the case's compartment.
    case_id: Option<i64>,
    /// The contact entry it came with; the document takes the entry's compartment.
    contact_entry_id: Option<i64>,
    /// Defaults to the file's name.
    title: Option<String>,
    /// `yes` when the document is covered by legal professional privilege; an access bundle withholds it.
    legally_privileged: Option<String>,
    /// `care_plan` for a care plan (kept for ever; care compartment only), or
    /// `tenancy_file` (the default without a case or contact): the retention rule it follows.
    filed_as: Option<String>,
}

/// Uploads a document for a person. Oversize files are refused with 413
/// naming `file`; a wrong or unknown type with 422 naming `file`.
#[utoipa::path(post, path = "/api/v1/people/{id}/documents", params(("id" = i64, Path)),
    request_body(content = DocumentForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Document), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The person is under a restriction of processing (`/problems/restricted`)"),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn upload(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Document>)> {
    let mp =
        mp.map_err(|e| Problem::field(StatusCode::UNSUPPORTED_MEDIA_TYPE, "media-type", "Send a multipart form", "body", e.body_text()))?;
    let max = s.gate.max_document_bytes();
    let read = match upload::read(mp, max).await {
        Ok(r) => r,
        Err(UploadError::TooLarge(e)) => return Err(too_large(e)),
        Err(UploadError::Malformed(m)) => {
            return Err(Problem::field(StatusCode::BAD_REQUEST, "malformed-form", "Form unreadable", "body", m))
        }
    };
    if read.upload.oversize {
        return Err(too_large(FieldError::new(
            "file",
            format!("The file must be {} or smaller", hearth_domain::documents::human_size(max)),
        )));
    }
    Ok((StatusCode::CREATED, Json(s.gate.upload_document(&a, id, &read.upload).await?)))
}

fn too_large(e: FieldError) -> Problem {
    Problem::field(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "File too large", &e.field, e.message)
}

/// A person's documents the caller may see, newest first. Documents in
/// compartments the caller may not see are neither listed nor counted.
#[utoipa::path(get, path = "/api/v1/people/{id}/documents", params(("id" = i64, Path), PageParams),
    responses((status = 200, body = ApiPage<Document>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<ApiPage<Document>>> {
    if q.limit.is_some_and(|l| !(1..=100).contains(&l)) {
        return Err(invalid("limit", "Limit must be from 1 to 100"));
    }
    Ok(Json(s.gate.person_documents(&a, id, q.after, q.limit).await?.into()))
}

/// One document's details (not its bytes).
#[utoipa::path(get, path = "/api/v1/documents/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Document), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Document>> {
    Ok(Json(s.gate.document(&a, id).await?))
}

/// Downloads a document. Decided under its compartment's rules and
/// recorded in the audit trail with the hash of what was sent.
#[utoipa::path(get, path = "/api/v1/documents/{id}/content", params(("id" = i64, Path)),
    responses((status = 200, description = "The document's bytes, as an attachment, with the type sniffed at upload",
            content(("application/pdf"), ("image/png"), ("image/jpeg"), ("message/rfc822"), ("application/vnd.ms-outlook"))),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn download(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Response> {
    let (doc, bytes) = s.gate.download_document(&a, id).await?;
    Ok(attachment(&doc, bytes))
}
