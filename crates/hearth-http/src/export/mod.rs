//! What Hearth hands out as files, used alike by the API and the web UI:
//! the access bundle rendered for its requester ([`bundle`]: the readable
//! document model, HTML, PDF and zip), attachments, CSV and JSON downloads.
//! It knows nothing of either surface's routes or pages.

pub mod bundle;
pub mod readable;
pub mod zip;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hearth_domain::documents::Document;

/// A file download with its type and name.
pub fn download(content_type: &'static str, name: String, body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))],
        body,
    )
        .into_response()
}

/// Pretty JSON for a file people may open and read.
pub fn json_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// A CSV file download, never cached.
pub fn csv_download(body: String, name: &str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// A body with its content type, never cached.
pub fn with_type(body: String, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The bytes as a download: the sniffed type, never rendered in the
/// browser, named by id (never by the uploader's file name).
pub fn attachment(doc: &Document, bytes: Vec<u8>) -> Response {
    file(doc.kind, &format!("document-{}", doc.id), bytes)
}

/// A file of `kind` downloaded as `stem.ext`, never cached or sniffed.
pub fn file(kind: hearth_domain::documents::DocumentKind, stem: &str, bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.media_type()));
    let disposition = format!("attachment; filename=\"{stem}.{}\"", kind.extension());
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("ascii file name"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
