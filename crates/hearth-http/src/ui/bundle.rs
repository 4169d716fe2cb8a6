//! The access bundle and portability export in the web UI: the DPO's panel on
//! the rights-request page, the printable HTML document of a bundle (also
//! served by the API), and the downloads. The gate generates and audits.

use super::layout::{csrf_field, page, success_banner};
use super::pages::{chrome, error_page, respond};
use super::{Posted, UiSession};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hearth_domain::rights::{IdentityStatus, RightsRequest, RightsRequestKind};
use hearth_gate::bundle::{AccessBundle, PortabilityExport};
use hearth_gate::erasure::{ErasureReview, RecordChange};
use hearth_gate::review::BundleDraft;
use hearth_gate::GateError;
use maud::{html, Markup};
use serde::Deserialize;

/// When a draft was generated, in UK time, from its RFC 3339 timestamp.
fn generated_on(at: &str) -> String {
    at.parse::<jiff::Timestamp>().map(super::layout::uk_time).unwrap_or_else(|_| at.to_string())
}

/// "7 December 2026" from YYYY-MM-DD.
fn sent_on(day: &str) -> String {
    day.parse::<jiff::civil::Date>().map(super::layout::long_date).unwrap_or_else(|_| day.to_string())
}

/// The panel on the request page: what can be generated, or why not yet.
pub(super) fn panel(r: &RightsRequest, drafts: &[BundleDraft], csrf: &str) -> Markup {
    let ready = r.identity_status == IdentityStatus::Passed && r.is_open();
    html! {
        @match r.kind {
            RightsRequestKind::Access => {
                h2 class="govuk-heading-m" id="bundle" { "Access bundle" }
                @if ready {
                    p class="govuk-body" { "Everything held on the person, with other people's details redacted and withheld items listed. Generate a draft, review every redaction and uncertain place, then release it. Each step is recorded in the audit trail." }
                    form method="post" action={ "/rights/" (r.id) "/bundle-drafts" } novalidate {
                        (csrf_field(csrf))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Generate a draft for review" }
                    }
                }
                @if r.kind == RightsRequestKind::Access && !drafts.is_empty() {
                    ul class="govuk-list" id="bundle-drafts" {
                        @for d in drafts {
                            li { a class="govuk-link" href={ "/rights/drafts/" (d.id) } { "Bundle generated " (generated_on(&d.created_at)) } " — " (super::review::status_words(d))
                                @if let Some(on) = &d.sent_on { ", sent on " (sent_on(on)) } }
                        }
                    }
                    @if drafts.iter().any(|d| d.status == "released") {
                        p class="govuk-body" { "The latest release, as sent:" }
                        div class="govuk-button-group" {
                            a href={ "/rights/" (r.id) "/bundle" } class="govuk-link" { "Printable copy" }
                            a href={ "/rights/" (r.id) "/bundle.zip" } class="govuk-link" download { "Download (zip of PDF, printable copy and JSON)" }
                            a href={ "/rights/" (r.id) "/bundle.pdf" } class="govuk-link" download { "Download as PDF" }
                            a href={ "/rights/" (r.id) "/bundle.json" } class="govuk-link" download { "Download as JSON" }
                        }
                    }
                } @else if !ready {
                    p class="govuk-body" { "Confirm the requester's identity before generating the bundle." }
                }
            }
            RightsRequestKind::Portability => {
                h2 class="govuk-heading-m" id="portability" { "Portability export" }
                @if ready {
                    p class="govuk-body" { "The information the person gave us, in a machine-readable form. Generating it is recorded in the audit trail." }
                    div class="govuk-button-group" {
                        a href={ "/rights/" (r.id) "/portability.json" } role="button" draggable="false" class="govuk-button" data-module="govuk-button" download { "Download as JSON" }
                        a href={ "/rights/" (r.id) "/portability.csv" } class="govuk-link" download { "Download as CSV" }
                    }
                } @else {
                    p class="govuk-body" { "Confirm the requester's identity before generating the export." }
                }
            }
            RightsRequestKind::Rectification => {
                h2 class="govuk-heading-m" id="rectification" { "Rectification" }
                p class="govuk-body" { "Correct the person's record on their page; every change is kept in the audit trail with the old and new values." }
                p class="govuk-body" {
                    a class="govuk-link" href={ "/rights/" (r.id) "/rectifications" } { "See the changes made since the request arrived" }
                }
            }
            RightsRequestKind::Erasure => {
                h2 class="govuk-heading-m" id="erasure" { "Erasure" }
                @if ready {
                    p class="govuk-body" { "See, class by class, what would be erased and what must be kept and why, before carrying it out." }
                    a href={ "/rights/" (r.id) "/erasure" } role="button" draggable="false" class="govuk-button" data-module="govuk-button" { "Review the erasure" }
                } @else {
                    p class="govuk-body" { "Confirm the requester's identity before reviewing the erasure." }
                }
            }
            _ => {}
        }
    }
}

fn label(key: &str) -> String {
    let s = key.replace('_', " ");
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// The bundle as one self-contained, printable HTML document: the cover
/// letter and the sections, in words ([`crate::readable`]).
pub fn bundle_html(b: &AccessBundle) -> String {
    crate::readable::html(&crate::readable::document(b))
}

/// The bundle as a PDF, the same words as the HTML ([`crate::pdf`]).
pub fn bundle_pdf(b: &AccessBundle) -> Result<Vec<u8>, String> {
    crate::pdf::render(&crate::readable::document(b))
}

/// A request not ready (422: wrong kind, identity not confirmed) or closed
/// (409) gets a page saying why; anything else is the usual error page.
pub(super) fn refused(s: &UiSession, id: i64, e: GateError) -> Response {
    let (status, reasons) = match e {
        GateError::Invalid(v) => (StatusCode::UNPROCESSABLE_ENTITY, v.0.into_iter().map(|f| f.message).collect::<Vec<_>>()),
        GateError::Conflict => (StatusCode::CONFLICT, vec!["The request is closed; nothing more can be generated for it".to_string()]),
        other => return error_page(s, other),
    };
    let title = "This cannot be generated yet";
    respond(
        status,
        page(
            title,
            &chrome(s),
            false,
            html! {
                h1 class="govuk-heading-l" { (title) }
                @for r in &reasons { p class="govuk-body" { (r) } }
                p class="govuk-body" { a class="govuk-link" href={ "/rights/" (id) } { "Back to the request" } }
            },
        ),
    )
}

fn download(content_type: &'static str, name: String, body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))],
        body,
    )
        .into_response()
}

fn json_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

pub async fn bundle_page(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.access_bundle(&session.actor, id).await {
        Ok(b) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], bundle_html(&b)).into_response(),
        Err(e) => refused(&session, id, e),
    }
}

/// The bundle as the requester receives it: the PDF, the printable HTML and the JSON in one zip.
pub(crate) fn bundle_zip(b: &AccessBundle) -> Response {
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
        crate::zip::stored(&entries, modified),
    )
        .into_response()
}

pub async fn bundle_zip_download(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.access_bundle(&session.actor, id).await {
        Ok(b) => bundle_zip(&b),
        Err(e) => refused(&session, id, e),
    }
}

/// A PDF that could not be made: logged, and a plain 500.
pub(crate) fn pdf_failed(e: &str) -> Response {
    tracing::error!(error = %e, "making the access bundle PDF failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "The PDF could not be made").into_response()
}

/// The bundle as a PDF download.
pub(crate) fn pdf_download(b: &AccessBundle) -> Response {
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

pub async fn bundle_pdf_download(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.access_bundle(&session.actor, id).await {
        Ok(b) => pdf_download(&b),
        Err(e) => refused(&session, id, e),
    }
}

pub async fn bundle_json(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.access_bundle(&session.actor, id).await {
        Ok(b) => download("application/json", format!("access-bundle-{}.json", b.request_reference), json_text(&b)),
        Err(e) => refused(&session, id, e),
    }
}

async fn export(s: &AppState, session: &UiSession, id: i64) -> Result<PortabilityExport, Response> {
    s.gate.portability_export(&session.actor, id).await.map_err(|e| refused(session, id, e))
}

pub async fn portability_json(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match export(&s, &session, id).await {
        Ok(x) => download("application/json", format!("portability-{id}.json"), json_text(&x)),
        Err(r) => r,
    }
}

pub async fn portability_csv(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match export(&s, &session, id).await {
        Ok(x) => download("text/csv; charset=utf-8", format!("portability-{id}.csv"), x.to_csv()),
        Err(r) => r,
    }
}

fn erasure_page(s: &UiSession, review: &ErasureReview) -> Response {
    let title = "Erasure review";
    let erasable = review.items.iter().any(|i| i.decision == hearth_domain::erasure::ErasureDecision::Erase);
    respond(
        StatusCode::OK,
        page(
            title,
            &chrome(s),
            false,
            html! {
                a class="govuk-back-link" href={ "/rights/" (review.request_id) } { "Back to the request" }
                @if let Some(done) = &review.carried_out {
                    (success_banner("Erasure carried out: what was erased and what was kept is noted on the request"))
                    h2 class="govuk-heading-m" { "What was erased" }
                    @if done.is_empty() { p class="govuk-body" { "Nothing could be erased." } } @else {
                        table class="govuk-table" id="erased" {
                            caption class="govuk-table__caption govuk-visually-hidden" { "Records erased, by class" }
                            thead class="govuk-table__head" { tr class="govuk-table__row" {
                                th scope="col" class="govuk-table__header" { "Record class" }
                                th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Erased" }
                                th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Kept" }
                                th scope="col" class="govuk-table__header" { "Note" }
                            } }
                            tbody class="govuk-table__body" { @for d in done { tr class="govuk-table__row" {
                                td class="govuk-table__cell" { (d.class.label()) }
                                td class="govuk-table__cell govuk-table__cell--numeric" { (d.erased) }
                                td class="govuk-table__cell govuk-table__cell--numeric" { (d.kept) }
                                td class="govuk-table__cell" { (d.note) }
                            } } }
                        }
                    }
                }
                h1 class="govuk-heading-l" { (title) ": " (review.request_reference) }
                p class="govuk-body" { "What Hearth holds about the person, as of " (review.as_of) ", and whether each class is erased or kept." }
                table class="govuk-table" id="erasure-review" {
                    caption class="govuk-table__caption govuk-visually-hidden" { "Each record class: how many records, and whether they are erased or kept, and why" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Record class" }
                        th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Records" }
                        th scope="col" class="govuk-table__header" { "Decision" }
                        th scope="col" class="govuk-table__header" { "Why" }
                    } }
                    tbody class="govuk-table__body" { @for i in &review.items { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { (i.label) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (i.count) }
                        td class="govuk-table__cell" {
                            strong class={ "govuk-tag " @if i.decision == hearth_domain::erasure::ErasureDecision::Erase { "govuk-tag--red" } @else { "govuk-tag--grey" } } { (i.decision.label()) }
                        }
                        td class="govuk-table__cell" { (i.reason) }
                    } } }
                }
                @if review.carried_out.is_none() && erasable {
                    form method="post" action={ "/rights/" (review.request_id) "/erasure" } novalidate {
                        (csrf_field(&s.csrf))
                        input type="hidden" name="version" value=(review.request_version);
                        div class="govuk-warning-text" {
                            span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                            strong class="govuk-warning-text__text" { span class="govuk-visually-hidden" { "Warning" } "Erased records cannot be recovered." }
                        }
                        button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { "Carry out the erasure" }
                    }
                }
            },
        ),
    )
}

pub async fn erasure_review_page(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.erasure_review(&session.actor, id).await {
        Ok(r) => erasure_page(&session, &r),
        Err(e) => refused(&session, id, e),
    }
}

#[derive(Deserialize)]
pub struct ErasureForm {
    _csrf: String,
    version: i64,
}
super::csrf_forms!(ErasureForm);

pub async fn carry_out_erasure(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<ErasureForm>) -> Response {
    match s.gate.carry_out_erasure(&session.actor, id, f.version).await {
        Ok(review) => erasure_page(&session, &review),
        Err(e) => refused(&session, id, e),
    }
}

fn text_cell(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("(blank)")
}

fn rectifications_page(s: &UiSession, id: i64, changes: &[RecordChange]) -> Response {
    let title = "Changes since the request arrived";
    respond(
        StatusCode::OK,
        page(
            title,
            &chrome(s),
            false,
            html! {
                a class="govuk-back-link" href={ "/rights/" (id) } { "Back to the request" }
                h1 class="govuk-heading-l" { (title) }
                @if changes.is_empty() {
                    p class="govuk-body" { "Nothing has been changed on the person's records since the request arrived." }
                } @else {
                    table class="govuk-table" id="rectifications" {
                        caption class="govuk-table__caption govuk-visually-hidden" { "Each change: when, by whom, the record, and each field's old and new value" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "When" }
                            th scope="col" class="govuk-table__header" { "By" }
                            th scope="col" class="govuk-table__header" { "Record" }
                            th scope="col" class="govuk-table__header" { "Field" }
                            th scope="col" class="govuk-table__header" { "Was" }
                            th scope="col" class="govuk-table__header" { "Now" }
                        } }
                        tbody class="govuk-table__body" {
                            @for c in changes { @for f in &c.changes { tr class="govuk-table__row" {
                                td class="govuk-table__cell" { (c.at) }
                                td class="govuk-table__cell" { (c.by) " (" (c.role) ")" }
                                td class="govuk-table__cell" { (label(&c.record_type)) @if let Some(r) = c.record_id { " " (r) } }
                                td class="govuk-table__cell" { (label(&f.field)) }
                                td class="govuk-table__cell" { (text_cell(&f.old)) }
                                td class="govuk-table__cell" { (text_cell(&f.new)) }
                            } } }
                        }
                    }
                }
            },
        ),
    )
}

pub async fn rectifications(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.rectification_history(&session.actor, id).await {
        Ok(c) => rectifications_page(&session, id, &c),
        Err(e) => refused(&session, id, e),
    }
}
