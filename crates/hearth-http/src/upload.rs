//! Reading a document upload from a `multipart/form-data` body, for the API
//! and the web form alike.
//!
//! The file is read in chunks and kept only up to the configured limit;
//! past it the rest is read and dropped, so an oversize file gets a clear
//! answer naming the `file` field rather than a cut connection. Upload
//! routes accept bodies up to [`body_limit`]; only beyond that does the
//! body limit stop reading (still answered as an oversize `file`). Nothing
//! here decides what the file is: the domain sniffs the bytes.

use axum::extract::multipart::{Field, Multipart, MultipartError};
use hearth_domain::{
    documents::{human_size, DocumentUpload},
    error::FieldError,
};

/// Text fields are short; anything longer is not a real form.
const MAX_TEXT_FIELD: usize = 4 * 1024;

/// The body limit for upload routes: room for a file at the limit and the
/// form around it, and for reading (and dropping) a much larger file to
/// its end, so its sender is told why it was refused. Only past this is the
/// connection cut: a server that stops reading mid-body cannot be heard.
pub fn body_limit(max_document_bytes: usize) -> usize {
    max_document_bytes.saturating_mul(4).saturating_add(16 * 1024 * 1024)
}

/// An upload and the CSRF token posted with it (web form only).
#[derive(Debug, Default)]
pub struct ReadUpload {
    pub upload: DocumentUpload,
    pub csrf: String,
}

/// Why a multipart body could not be read.
pub enum UploadError {
    /// The body went past the upload routes' limit: the file is far too large.
    TooLarge(FieldError),
    /// The body is not well-formed multipart.
    Malformed(String),
}

fn read_error(e: MultipartError, max: usize) -> UploadError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        UploadError::TooLarge(FieldError::new("file", format!("The file must be {} or smaller", human_size(max))))
    } else {
        UploadError::Malformed(e.body_text())
    }
}

/// Reads a field's bytes, keeping at most `cap`; says whether more came.
async fn read_capped(field: &mut Field<'_>, cap: usize, max: usize) -> Result<(Vec<u8>, bool), UploadError> {
    let mut buf = Vec::new();
    let mut over = false;
    while let Some(chunk) = field.chunk().await.map_err(|e| read_error(e, max))? {
        if over {
            continue;
        }
        if buf.len() + chunk.len() > cap {
            over = true;
            buf = Vec::new();
        } else {
            buf.extend_from_slice(&chunk);
        }
    }
    Ok((buf, over))
}

/// Reads every part of the form. Unknown parts are read and ignored.
pub async fn read(mut mp: Multipart, max: usize) -> Result<ReadUpload, UploadError> {
    let mut out = ReadUpload::default();
    let mut seen_file = false;
    while let Some(mut field) = mp.next_field().await.map_err(|e| read_error(e, max))? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" && !seen_file {
            seen_file = true;
            let file_name = field.file_name().map(str::to_string);
            let declared = field.content_type().map(str::to_string);
            let (bytes, over) = read_capped(&mut field, max, max).await?;
            // A browser sends an empty part with no name when no file was chosen.
            out.upload.file_name = file_name.filter(|n| !n.is_empty());
            out.upload.declared_type = declared;
            out.upload.bytes = bytes;
            out.upload.oversize = over;
            continue;
        }
        let (bytes, over) = read_capped(&mut field, MAX_TEXT_FIELD, max).await?;
        if over {
            return Err(UploadError::Malformed(format!("The {name} field is too long")));
        }
        let text = String::from_utf8(bytes).map_err(|_| UploadError::Malformed(format!("The {name} field is not UTF-8 text")))?;
        let slot = match name.as_str() {
            "_csrf" => {
                out.csrf = text;
                continue;
            }
            "compartment" => &mut out.upload.compartment,
            "case_id" => &mut out.upload.case_id,
            "contact_entry_id" => &mut out.upload.contact_entry_id,
            "title" => &mut out.upload.title,
            "legally_privileged" => &mut out.upload.legally_privileged,
            "filed_as" => &mut out.upload.filed_as,
            _ => continue,
        };
        *slot = Some(text);
    }
    Ok(out)
}
