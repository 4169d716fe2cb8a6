//! The access bundle as the requester receives it, rendered the same way for
//! the API and the web UI: the printable HTML document, the PDF with the same
//! words, and both with the JSON in one zip.

use super::{json_text, readable};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hearth_gate::bundle::AccessBundle;

/// The bundle as one self-contained, printable HTML document: the cover
/// letter and the sections, in words ([`readable`]).
pub fn bundle_html(b: &AccessBundle) -> String {
    readable::html(&readable::document(b))
}

/// The bundle as a PDF, the same words as the HTML ([`super::pdf`]).
pub fn bundle_pdf(b: &AccessBundle) -> Result<Vec<u8>, String> {
    hearth_comms::pdf::render(&readable::document(b))
}

/// The bundle as the requester receives it: the PDF, the printable HTML and the JSON in one zip.
pub fn bundle_zip(b: &AccessBundle) -> Response {
    let stem = format!("access-bundle-{}", b.request_reference);
    let html = bundle_html(b);
    let json = json_text(b);
    let pdf = match bundle_pdf(b) {
        Ok(p) => p,
        Err(e) => return pdf_failed(&e),
    };
    let modified = b.generated_at.parse().unwrap_or_else(|_| jiff::Timestamp::now());
    let files = [
        (format!("{stem}/{stem}.pdf"), pdf.as_slice()),
        (format!("{stem}/{stem}.html"), html.as_bytes()),
        (format!("{stem}/{stem}.json"), json.as_bytes()),
    ];
    let entries: Vec<(&str, &[u8])> = files.iter().map(|(n, d)| (n.as_str(), *d)).collect();
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.zip\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        super::zip::stored(&entries, modified),
    )
        .into_response()
}

/// A PDF that could not be made: logged, and a plain 500.
pub fn pdf_failed(e: &str) -> Response {
    tracing::error!(error = %e, "making the access bundle PDF failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "The PDF could not be made").into_response()
}

/// The bundle as a PDF download.
pub fn pdf_download(b: &AccessBundle) -> Response {
    match bundle_pdf(b) {
        Ok(p) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"access-bundle-{}.pdf\"", b.request_reference)),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            p,
        )
            .into_response(),
        Err(e) => pdf_failed(&e),
    }
}
