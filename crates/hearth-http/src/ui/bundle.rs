//! Answering a rights request with data in the web UI: the DPO's panel on
//! the rights-request page; the review of a draft access bundle (every
//! automatic redaction and every uncertain place highlighted in its context,
//! each with a button to reverse or redact it, a form to remove more text with
//! a ground and a reason, a printable preview, release); the released
//! bundle's downloads; the portability export; the erasure review and
//! rectifications. The gate decides (DPO only), keeps released bundles
//! unchanged and audits each step; the files are rendered by
//! [`crate::export`].

use crate::export::bundle::{bundle_html, bundle_zip, pdf_download};
use crate::export::{download, json_text};
use crate::shell::layout::{csrf_field, error_summary, page, success_banner};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::{Posted, UiSession};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::error::FieldError;
use hearth_domain::rights::{IdentityStatus, RightsRequest, RightsRequestKind};
use hearth_gate::bundle::PortabilityExport;
use hearth_gate::erasure::{ErasureReview, RecordChange};
use hearth_gate::review::{BundleDraft, ReviewChange};
use hearth_gate::GateError;
use maud::{html, Markup};
use serde::Deserialize;

/// When a draft was generated, in UK time, from its RFC 3339 timestamp.
fn generated_on(at: &str) -> String {
    at.parse::<jiff::Timestamp>().map(crate::shell::words::uk_time).unwrap_or_else(|_| at.to_string())
}

/// "7 December 2026" from YYYY-MM-DD.
fn sent_on(day: &str) -> String {
    day.parse::<jiff::civil::Date>().map(crate::shell::words::long_date).unwrap_or_else(|_| day.to_string())
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
                            li { a class="govuk-link" href={ "/rights/drafts/" (d.id) } { "Bundle generated " (generated_on(&d.created_at)) } " — " (status_words(d))
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

pub async fn bundle_page(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.access_bundle(&session.actor, id).await {
        Ok(b) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], bundle_html(&b)).into_response(),
        Err(e) => refused(&session, id, e),
    }
}

pub async fn bundle_zip_download(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.access_bundle(&session.actor, id).await {
        Ok(b) => bundle_zip(&b),
        Err(e) => refused(&session, id, e),
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
crate::shell::session::csrf_forms!(ErasureForm);

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

// ---- the review of a draft ----

const GROUNDS: [(&str, &str); 4] = [
    ("third_party", "Another person's information"),
    ("ongoing_investigation", "Would prejudice an ongoing investigation"),
    ("legal_privilege", "Legally privileged"),
    ("exemption", "Another exemption (name it in the reason)"),
];

pub(super) fn status_words(d: &BundleDraft) -> &'static str {
    match d.status.as_str() {
        "released" => "Released",
        "superseded" => "Superseded by a later draft",
        _ => "Draft under review",
    }
}

fn review_page(s: &UiSession, d: &BundleDraft, errors: &[FieldError], done: Option<&str>) -> Response {
    let title = format!("Review the access bundle for {}", d.request_reference);
    let editable = d.status == "draft";
    let automatic = d.marks.iter().filter(|m| m.automatic).count();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    respond(
        status,
        page(
            &title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                a class="govuk-back-link" href={ "/rights/" (d.request_id) } { "Back to the request" }
                (error_summary(errors))
                @if let Some(done) = done { (success_banner(done)) }
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { strong class="govuk-tag" { (status_words(d)) } }
                @if let Some(sha) = &d.sha256 {
                    p class="govuk-body" { "Released contents are fixed. SHA-256: " code { (sha) } }
                    @if let Some(on) = &d.sent_on { p class="govuk-body" { "Sent on " (on) " (the request was completed)." } }
                }
                p class="govuk-body" {
                    (automatic) " automatic redactions of other people's details (redacted unless you reverse them) and "
                    (d.marks.len() - automatic) " places the rules are unsure of (left unless you redact them)."
                }
                p class="govuk-body" { a class="govuk-link" href={ "/rights/drafts/" (d.id) "/preview" } { "Preview the bundle as it would be released" } }
                table class="govuk-table" id="marks" {
                    caption class="govuk-table__caption govuk-table__caption--m" { "Redactions and uncertain places" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Section" }
                        th scope="col" class="govuk-table__header" { "In context" }
                        th scope="col" class="govuk-table__header" { "Why" }
                        th scope="col" class="govuk-table__header" { "Decision" }
                    } }
                    tbody class="govuk-table__body" { @for m in &d.marks { tr class="govuk-table__row" id={ "mark-" (m.id) } {
                        td class="govuk-table__cell" { (m.section_title) }
                        td class="govuk-table__cell" { "…" (m.before) mark { (m.text) } (m.after) "…" }
                        td class="govuk-table__cell" {
                            strong class={ "govuk-tag " @if m.automatic { "govuk-tag--red" } @else { "govuk-tag--yellow" } } {
                                @if m.automatic { "Automatic" } @else { "Uncertain" }
                            }
                            " " (m.why)
                        }
                        td class="govuk-table__cell" {
                            @if m.redact { "Will be redacted" } @else { "Will be left" }
                            @if m.decided { " (decided)" }
                            @if editable {
                                div class="govuk-button-group govuk-!-margin-bottom-0" {
                                    @for (redact, words) in [(true, if m.automatic { "Keep redacted" } else { "Redact it" }), (false, if m.automatic { "Reverse: leave it" } else { "Leave it" })] {
                                        form method="post" action={ "/rights/drafts/" (d.id) "/decide" } novalidate {
                                            (csrf_field(&s.csrf))
                                            input type="hidden" name="version" value=(d.version);
                                            input type="hidden" name="mark" value=(m.id);
                                            input type="hidden" name="redact" value=(if redact { "yes" } else { "no" });
                                            button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" {
                                                (words) span class="govuk-visually-hidden" { " (" (m.text) ")" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    } } }
                }
                h2 class="govuk-heading-m" { "Removed on review" }
                @if d.manual.is_empty() { p class="govuk-body" { "Nothing has been removed by hand." } } @else {
                    ul class="govuk-list govuk-list--bullet" id="manual" { @for m in &d.manual {
                        li { "“" (m.text) "” — " (GROUNDS.iter().find(|g| g.0 == m.ground).map_or("", |g| g.1)) ": " (m.reason) }
                    } }
                }
                @if editable {
                    form method="post" action={ "/rights/drafts/" (d.id) "/redact" } novalidate {
                        (csrf_field(&s.csrf))
                        input type="hidden" name="version" value=(d.version);
                        h2 class="govuk-heading-m" { "Remove more text" }
                        div class="govuk-form-group" {
                            label class="govuk-label" for="text" { "Text to remove, as it is written" }
                            input class="govuk-input" id="text" name="text" type="text" autocomplete="off";
                        }
                        div class="govuk-form-group" {
                            label class="govuk-label" for="ground" { "Ground" }
                            select class="govuk-select" id="ground" name="ground" {
                                @for (v, l) in GROUNDS { option value=(v) { (l) } }
                            }
                        }
                        div class="govuk-form-group" {
                            label class="govuk-label" for="reason" { "Reason (name the exemption)" }
                            input class="govuk-input" id="reason" name="reason" type="text" autocomplete="off";
                        }
                        button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Remove this text" }
                    }
                    form method="post" action={ "/rights/drafts/" (d.id) "/release" } novalidate {
                        (csrf_field(&s.csrf))
                        input type="hidden" name="version" value=(d.version);
                        h2 class="govuk-heading-m" { "Release" }
                        div class="govuk-warning-text" {
                            span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                            strong class="govuk-warning-text__text" { span class="govuk-visually-hidden" { "Warning" } "A released bundle cannot be changed. To change anything afterwards, generate a new draft." }
                        }
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Release the bundle" }
                    }
                }
            },
        ),
    )
}

fn invalid(e: GateError) -> Result<Vec<FieldError>, GateError> {
    match e {
        GateError::Invalid(v) => Ok(v.0),
        other => Err(other),
    }
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn review(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> Response {
    let done = match q.done.as_deref() {
        Some("decided") => Some("Decision saved"),
        Some("redacted") => Some("The text will be withheld"),
        Some("created") => Some("Draft generated: review each place, then release"),
        Some("released") => Some("Released: the bundle's contents are now fixed"),
        _ => None,
    };
    match s.gate.bundle_draft(&session.actor, id).await {
        Ok(d) => review_page(&session, &d, &[], done),
        Err(e) => error_page(&session, e),
    }
}

pub async fn preview(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.preview_bundle(&session.actor, id).await {
        Ok(b) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], bundle_html(&b)).into_response(),
        Err(e) => error_page(&session, e),
    }
}

#[derive(Deserialize)]
pub struct CreateForm {
    _csrf: String,
}

#[derive(Deserialize)]
pub struct DecideForm {
    _csrf: String,
    version: i64,
    mark: u32,
    redact: String,
}

#[derive(Deserialize)]
pub struct RedactForm {
    _csrf: String,
    version: i64,
    #[serde(default)]
    text: String,
    #[serde(default)]
    ground: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
pub struct ReleaseForm {
    _csrf: String,
    version: i64,
}
crate::shell::session::csrf_forms!(CreateForm, DecideForm, RedactForm, ReleaseForm);

pub async fn create(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, _f): Posted<CreateForm>) -> Response {
    match s.gate.draft_bundle(&session.actor, id).await {
        Ok(d) => Redirect::to(&format!("/rights/drafts/{}?done=created", d.id)).into_response(),
        Err(e) => super::bundle::refused(&session, id, e),
    }
}

async fn change(s: &AppState, session: &UiSession, id: i64, c: ReviewChange, done: &str) -> Response {
    match s.gate.review_bundle(&session.actor, id, &c).await {
        Ok(_) => Redirect::to(&format!("/rights/drafts/{id}?done={done}")).into_response(),
        Err(e) => match invalid(e) {
            Ok(errors) => match s.gate.bundle_draft(&session.actor, id).await {
                Ok(d) => review_page(session, &d, &errors, None),
                Err(e) => error_page(session, e),
            },
            Err(e) => error_page(session, e),
        },
    }
}

pub async fn decide(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<DecideForm>) -> Response {
    let c = ReviewChange::Decide { version: f.version, mark: f.mark, redact: f.redact == "yes" };
    change(&s, &session, id, c, "decided").await
}

pub async fn redact(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<RedactForm>) -> Response {
    let c = ReviewChange::Redact { version: f.version, text: f.text, ground: f.ground, reason: f.reason };
    change(&s, &session, id, c, "redacted").await
}

pub async fn release(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<ReleaseForm>) -> Response {
    match s.gate.release_bundle(&session.actor, id, f.version).await {
        Ok(d) => Redirect::to(&format!("/rights/drafts/{}?done=released", d.id)).into_response(),
        Err(e) => error_page(&session, e),
    }
}
