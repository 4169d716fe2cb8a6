//! The DPO's review of a draft access bundle in the web UI: every automatic
//! redaction and every uncertain place highlighted in its context, each with
//! a button to reverse or redact it; a form to remove more text with a
//! ground and a reason; a printable preview; and release. The gate decides
//! (DPO only), keeps released bundles unchanged and audits each step.

use super::layout::{csrf_field, error_summary, page, success_banner};
use super::pages::{chrome, error_page, respond};
use super::{Posted, UiSession};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::error::FieldError;
use hearth_gate::review::{BundleDraft, ReviewChange};
use hearth_gate::GateError;
use maud::html;
use serde::Deserialize;

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
        Ok(b) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], super::bundle::bundle_html(&b)).into_response(),
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
super::csrf_forms!(CreateForm, DecideForm, RedactForm, ReleaseForm);

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
