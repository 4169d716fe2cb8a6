//! Documents in the web UI: the "Documents" section of the person page
//! (the documents the viewer may see, each with a download link), the
//! upload form (GOV.UK file upload, errors on the page) and the download.
//!
//! The form is a plain multipart post, so it works without JavaScript; its
//! CSRF token is checked before anything reaches the gate. Downloads go
//! through the gate, which decides and audits each one, and are always
//! attachments: a document is never shown inside Hearth's pages.

use crate::shell::layout::{csrf_field, error_for, error_summary, inline_error, page, select, Input};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::UiSession;
use crate::shell::words::uk_time;
use crate::shell::words::{compartment_label, COMPARTMENTS};
use crate::upload::{self, UploadError};
use crate::AppState;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::{
    documents::{human_size, DocumentFiling},
    error::FieldError,
    Id,
};
use hearth_gate::{Gate, GateError};
use maud::{html, Markup};

/// How many documents the person page lists.
const ON_PERSON_PAGE: i64 = 50;

/// The "Documents" section of the person page. A failure here must not
/// cost the rest of the page.
pub(super) async fn person_section(gate: &Gate, s: &UiSession, person_id: Id) -> Markup {
    let mut refused = None;
    let docs = match gate.person_documents(&s.actor, person_id, None, Some(ON_PERSON_PAGE)).await {
        Ok(p) => Some(p.items),
        Err(GateError::Denied { advice, .. }) => {
            refused = Some(advice.unwrap_or_else(|| "Your role does not give access to documents".into()));
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "documents failed");
            None
        }
    };
    html! {
        h2 class="govuk-heading-m" { "Documents" }
        p class="govuk-body" { a class="govuk-link" href={ "/people/" (person_id) "/documents/new" } { "Upload a document" } }
        @match docs {
            Some(d) if d.is_empty() => p class="govuk-body" { "No documents you can see are filed." },
            Some(d) => {
                table class="govuk-table" id="documents" {
                    caption class="govuk-table__caption govuk-visually-hidden" { "Documents filed for this person, newest first" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Title" }
                        th scope="col" class="govuk-table__header" { "Type" }
                        th scope="col" class="govuk-table__header" { "Compartment" }
                        th scope="col" class="govuk-table__header" { "Uploaded" }
                        th scope="col" class="govuk-table__header" { span class="govuk-visually-hidden" { "Download" } }
                    } }
                    tbody class="govuk-table__body" {
                        @for doc in &d {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" {
                                    (doc.title)
                                    @if doc.legally_privileged { " " strong class="govuk-tag govuk-tag--grey" { "Legally privileged" } }
                                    @if doc.filed_as == DocumentFiling::CarePlan { " " strong class="govuk-tag govuk-tag--blue" { "Care plan" } }
                                }
                                td class="govuk-table__cell" { (doc.kind.label()) ", " (human_size(doc.byte_size as usize)) }
                                td class="govuk-table__cell" { (compartment_label(doc.compartment)) }
                                td class="govuk-table__cell" { time datetime=(doc.uploaded_at) { (uk_time(doc.uploaded_at)) } }
                                td class="govuk-table__cell" {
                                    a class="govuk-link" href={ "/documents/" (doc.id) "/download" } download {
                                        "Download" span class="govuk-visually-hidden" { " " (doc.title) }
                                    }
                                }
                            }
                        }
                    }
                }
            },
            None => @match refused {
                Some(r) => p class="govuk-body" { (r) },
                None => p class="govuk-body" { "The documents cannot be shown just now." },
            },
        }
    }
}

/// What the form keeps between attempts (never the file: browsers do not
/// let a page pre-fill a file input).
#[derive(Default)]
struct DocumentForm {
    compartment: String,
    title: String,
    legally_privileged: bool,
    filed_as: String,
}

/// What a document is filed as, which decides how long it is kept.
const FILINGS: &[(&str, &str)] = &[
    ("", "Its case or contact's, or else the tenancy file (deleted 6 years after the tenancy ends)"),
    ("care_plan", "A care plan (kept; care compartment or a care and support case only)"),
];

fn upload_form(s: &UiSession, status: StatusCode, person_id: Id, f: &DocumentForm, errors: &[FieldError], max: usize) -> Response {
    let file_error = error_for(errors, "file");
    let compartment = if f.compartment.is_empty() { "general" } else { f.compartment.as_str() };
    let title = "Upload a document";
    let hint = format!("A PDF, a PNG or JPEG image, or an email saved as .eml or .msg, up to {}.", human_size(max));
    respond(
        status,
        page(
            title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                a class="govuk-back-link" href={ "/people/" (person_id) } { "Back to the person" }
                div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    h1 class="govuk-heading-l" { (title) }
                    form method="post" action={ "/people/" (person_id) "/documents" } enctype="multipart/form-data" novalidate {
                        (csrf_field(&s.csrf))
                        div class={ "govuk-form-group" @if file_error.is_some() { " govuk-form-group--error" } } {
                            label class="govuk-label govuk-label--s" for="file" { "File" }
                            div id="file-hint" class="govuk-hint" { (hint) }
                            (inline_error("file", file_error))
                            input class={ "govuk-file-upload" @if file_error.is_some() { " govuk-file-upload--error" } } id="file" name="file" type="file"
                                accept=".pdf,.png,.jpg,.jpeg,.eml,.msg"
                                aria-describedby={ "file-hint" @if file_error.is_some() { " file-error" } };
                        }
                        (Input::text("title", "Title (optional)", &f.title).hint("Leave blank to use the file's name.").render(errors))
                        (select("compartment", "Compartment", COMPARTMENTS, compartment, errors))
                        (select("filed_as", "Filed as", FILINGS, &f.filed_as, errors))
                        div class="govuk-form-group" {
                            div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                                div class="govuk-checkboxes__item" {
                                    input class="govuk-checkboxes__input" id="legally_privileged" name="legally_privileged" type="checkbox" value="yes"
                                        aria-describedby="legally_privileged-hint" checked[f.legally_privileged];
                                    label class="govuk-label govuk-checkboxes__label" for="legally_privileged" { "Legally privileged" }
                                    div id="legally_privileged-hint" class="govuk-hint govuk-checkboxes__hint" {
                                        "Advice from or to a lawyer about legal rights or proceedings. It is withheld from subject access bundles."
                                    }
                                }
                            }
                        }
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Upload the document" }
                    }
                } }
            },
        ),
    )
}

pub async fn new_document_form(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    upload_form(&session, StatusCode::OK, id, &DocumentForm::default(), &[], s.gate.max_document_bytes())
}

/// The gate's field names onto this form's inputs; anything else lands on the file.
fn form_field(field: &str) -> &str {
    match field {
        "title" | "compartment" | "legally_privileged" | "filed_as" => field,
        // The case decides the compartment: a problem with it is shown there.
        "case_id" => "compartment",
        _ => "file",
    }
}

pub async fn upload(
    State(s): State<AppState>,
    session: UiSession,
    headers: HeaderMap,
    Path(id): Path<i64>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let max = s.gate.max_document_bytes();
    let Ok(mp) = mp else { return (StatusCode::BAD_REQUEST, "Send the upload form.").into_response() };
    let read = match upload::read(mp, max).await {
        Ok(r) => r,
        // Far too large to have read the token: say so on the form, which holds nothing of the upload.
        Err(UploadError::TooLarge(e)) => {
            return upload_form(&session, StatusCode::PAYLOAD_TOO_LARGE, id, &DocumentForm::default(), &[e], max);
        }
        Err(UploadError::Malformed(_)) => {
            return (StatusCode::BAD_REQUEST, "The upload could not be read. Go back and try again.").into_response()
        }
    };
    if let Err(refused) = session.check_form(&headers, &read.csrf) {
        return refused.into_response();
    }
    let f = DocumentForm {
        compartment: read.upload.compartment.clone().unwrap_or_default(),
        title: read.upload.title.clone().unwrap_or_default(),
        legally_privileged: read.upload.legally_privileged.is_some(),
        filed_as: read.upload.filed_as.clone().unwrap_or_default(),
    };
    match s.gate.upload_document(&session.actor, id, &read.upload).await {
        Ok(_) => Redirect::to(&format!("/people/{id}?done=document-uploaded")).into_response(),
        Err(GateError::Invalid(v)) => {
            let errors: Vec<_> = v.0.into_iter().map(|e| FieldError::new(form_field(&e.field), e.message)).collect();
            let status = if read.upload.oversize { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::UNPROCESSABLE_ENTITY };
            upload_form(&session, status, id, &f, &errors, max)
        }
        Err(e) => error_page(&session, e),
    }
}

pub async fn download(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.download_document(&session.actor, id).await {
        Ok((doc, bytes)) => crate::export::attachment(&doc, bytes),
        Err(e) => error_page(&session, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::contacts::{contact_compartment, CONTACT_COMPARTMENTS};

    #[test]
    fn the_forms_offer_every_contact_compartment() {
        let offered: Vec<_> = COMPARTMENTS.iter().map(|(v, _)| contact_compartment(v)).collect();
        assert_eq!(offered, CONTACT_COMPARTMENTS.iter().copied().map(Some).collect::<Vec<_>>());
    }

    #[test]
    fn unknown_gate_fields_land_on_the_file() {
        assert_eq!(form_field("title"), "title");
        assert_eq!(form_field("contact_entry_id"), "file");
    }
}
