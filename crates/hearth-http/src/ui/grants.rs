//! Break-glass in the web UI: the "Need access in an emergency?" form offered
//! where a role is refused a compartment of a person's record, the handler
//! that opens it, and the data protection officer's review page.
//!
//! Every decision is the gate's; this module only chooses what to offer.

use crate::shell::layout::{csrf_field, error_for, error_summary, page, success_banner};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::{london, uk_time};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::grants::BreakGlass;
use hearth_domain::{
    access::{Action, Compartment},
    error::FieldError,
};
use hearth_gate::policy::{AccessRequest, Relation};
use hearth_gate::{Actor, Gate, GateError};
use jiff::Timestamp;
use maud::{html, Markup};
use serde::Deserialize;

/// The page that shows `compartment` of a person's record.
fn page_for(person_id: i64, compartment: Compartment) -> String {
    match compartment {
        Compartment::Audit => format!("/people/{person_id}/history"),
        _ => format!("/people/{person_id}"),
    }
}

fn warning() -> Markup {
    html! {
        div class="govuk-warning-text" {
            span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
            strong class="govuk-warning-text__text" {
                span class="govuk-visually-hidden" { "Warning" }
                "Breaking the glass is recorded and reviewed by the data protection officer."
            }
        }
    }
}

/// The form itself; `field_id` keeps ids unique where a page offers it more
/// than once (the person page can refuse several sections).
fn form(s: &UiSession, person_id: i64, compartment: Compartment, field_id: &str, reason: &str, errors: &[FieldError]) -> Markup {
    let error = error_for(errors, "reason");
    html! {
        form method="post" action={ "/people/" (person_id) "/break-glass" } novalidate {
            (csrf_field(&s.csrf))
            input type="hidden" name="compartment" value=(compartment.as_str());
            div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
                label class="govuk-label govuk-label--s" for=(field_id) {
                    "Why do you need access now?"
                    span class="govuk-visually-hidden" { " (" (compartment.label().to_lowercase()) ")" }
                }
                div id={ (field_id) "-hint" } class="govuk-hint" { "At least 10 characters. The data protection officer will read this." }
                @if let Some(e) = error {
                    p id={ (field_id) "-error" } class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (e) }
                }
                textarea class={ "govuk-textarea" @if error.is_some() { " govuk-textarea--error" } } id=(field_id) name="reason" rows="3"
                    aria-describedby={ (field_id) "-hint" @if error.is_some() { " " (field_id) "-error" } } { (reason) }
            }
            button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { "Break the glass" }
        }
    }
}

/// The break-glass offer for a refused compartment, or nothing when the
/// role may not break the glass there.
pub(super) fn offer(gate: &Gate, s: &UiSession, person_id: i64, compartment: Compartment, key: &str) -> Markup {
    if !gate.may(&s.actor, Action::BreakGlass, compartment) {
        return html! {};
    }
    html! {
        details class="govuk-details" {
            summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Need access in an emergency?" } }
            div class="govuk-details__text" {
                (warning())
                (form(s, person_id, compartment, &format!("reason-{key}"), "", &[]))
            }
        }
    }
}

/// A refusal as a page that also offers break-glass when the role may;
/// anything else is the usual error page.
pub(super) fn refused(gate: &Gate, s: &UiSession, e: GateError, person_id: i64, compartment: Compartment) -> Response {
    if !matches!(e, GateError::Denied { .. }) {
        return error_page(s, e);
    }
    if !gate.may(&s.actor, Action::BreakGlass, compartment) {
        return error_page(s, e);
    }
    let title = "You cannot see this";
    respond(
        StatusCode::FORBIDDEN,
        page(
            title,
            &chrome(s),
            false,
            html! {
                a class="govuk-back-link" href={ "/people/" (person_id) } { "Back to the record" }
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { (e.to_string()) ". The attempt has been recorded." }
                (offer(gate, s, person_id, compartment, compartment.as_str()))
            },
        ),
    )
}

/// The banner after breaking the glass, from the redirect's query.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Opened {
    done: Option<String>,
    until: Option<String>,
}

impl Opened {
    /// `until` comes back from our own redirect; only a plain HH:MM is shown,
    /// so a crafted link cannot put other words in the banner.
    pub(super) fn banner(&self) -> Option<String> {
        if self.done.as_deref() != Some("break-glass") {
            return None;
        }
        let until = self.until.as_deref().filter(|t| {
            let b = t.as_bytes();
            b.len() == 5 && b[2] == b':' && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit())
        });
        Some(match until {
            Some(t) => format!("Access opened until {t} (Europe/London). This is recorded."),
            None => "Access opened for a short time. This is recorded.".into(),
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BreakGlassForm {
    _csrf: String,
    compartment: String,
    reason: String,
}

/// The form again with the gate's complaint about the reason.
fn reason_page(s: &UiSession, person_id: i64, compartment: Compartment, reason: &str, errors: &[FieldError]) -> Response {
    let title = format!("Open {}", compartment.label().to_lowercase());
    respond(
        StatusCode::UNPROCESSABLE_ENTITY,
        page(
            &title,
            &chrome(s),
            true,
            html! {
                a class="govuk-back-link" href=(page_for(person_id, compartment)) { "Back" }
                div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    span class="govuk-caption-l" { "Emergency access" }
                    h1 class="govuk-heading-l" { (title) }
                    (warning())
                    (form(s, person_id, compartment, "reason", reason, errors))
                } }
            },
        ),
    )
}

pub async fn break_glass(State(st): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<BreakGlassForm>) -> Response {
    // The form only ever posts a known compartment; anything else is not ours.
    let Some(c) = Compartment::parse(f.compartment.trim()) else { return error_page(&session, GateError::NotFound) };
    match st.gate.break_glass(&session.actor, id, c, &f.reason).await {
        Ok(g) => {
            let until = london(g.expires_at).strftime("%H:%M").to_string();
            Redirect::to(&format!("{}?done=break-glass&until={until}", page_for(id, c))).into_response()
        }
        Err(GateError::Invalid(v)) => reason_page(&session, id, c, &f.reason, &v.0),
        Err(e) => error_page(&session, e),
    }
}

// ---- the DPO's review ----

/// Whether the role may record reviews (the DPO), so others who may read the
/// list (managers) are not shown forms the gate would refuse.
fn may_review(gate: &Gate, actor: &Actor) -> bool {
    let req = AccessRequest {
        actor,
        action: Action::Edit,
        compartment: Compartment::Audit,
        record_type: "break_glass",
        record_key: "break_glass/*".into(),
        relation: Relation::default(),
    };
    gate.policy().decide(&req).allowed
}

/// A compartment as stored, in words.
fn compartment_words(c: &str) -> &str {
    Compartment::parse(c).map(Compartment::label).unwrap_or(c)
}

fn review_form(s: &UiSession, g: &BreakGlass, errors: &[FieldError]) -> Markup {
    let id = format!("note-{}", g.id);
    let error = error_for(errors, &id);
    html! {
        form method="post" action={ "/break-glass/" (g.id) "/review" } novalidate {
            (csrf_field(&s.csrf))
            div class={ "govuk-form-group govuk-!-margin-bottom-2" @if error.is_some() { " govuk-form-group--error" } } {
                label class="govuk-label govuk-label--s" for=(id) {
                    "Review note" span class="govuk-visually-hidden" { " for grant " (g.id) " to " (g.username) }
                }
                @if let Some(e) = error {
                    p id={ (id) "-error" } class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (e) }
                }
                textarea class={ "govuk-textarea" @if error.is_some() { " govuk-textarea--error" } } id=(id) name="note" rows="2"
                    aria-describedby=[error.is_some().then(|| format!("{id}-error"))] {}
            }
            button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" {
                "Record review" span class="govuk-visually-hidden" { " for grant " (g.id) }
            }
        }
    }
}

async fn reviews_page(gate: &Gate, s: &UiSession, status: StatusCode, banner: Option<&str>, errors: &[FieldError]) -> Response {
    let grants = match gate.break_glass_reviews(&s.actor, true).await {
        Ok(g) => g,
        Err(e) => return error_page(s, e),
    };
    let reviewer = may_review(gate, &s.actor);
    let people: Vec<_> = grants.iter().filter_map(|g| g.person_id).collect();
    let names = gate.person_names(&s.actor, &people).await.unwrap_or_default();
    let title = "Break-glass reviews";
    respond(
        status,
        page(
            title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                @if let Some(b) = banner { (success_banner(b)) }
                (error_summary(errors))
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { "Each time someone opened a record outside their role's access, oldest first. Times are UK time." }
                @if !reviewer { p class="govuk-body" { "Only the data protection officer records reviews." } }
                @if grants.is_empty() {
                    p class="govuk-body" id="grants" { "No break-glass use is waiting for review." }
                } @else {
                    table class="govuk-table" id="grants" {
                        caption class="govuk-table__caption govuk-table__caption--m" { "Waiting for review" }
                        thead class="govuk-table__head" {
                            tr class="govuk-table__row" {
                                th scope="col" class="govuk-table__header" { "Who" }
                                th scope="col" class="govuk-table__header" { "Person" }
                                th scope="col" class="govuk-table__header" { "Compartment" }
                                th scope="col" class="govuk-table__header" { "Reason" }
                                th scope="col" class="govuk-table__header" { "Granted" }
                                th scope="col" class="govuk-table__header" { "Expires" }
                                @if reviewer { th scope="col" class="govuk-table__header" { "Review" } }
                            }
                        }
                        tbody class="govuk-table__body" {
                            @for g in &grants {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { (g.username) }
                                    td class="govuk-table__cell" {
                                        @match g.person_id {
                                            Some(p) => a class="govuk-link" href={ "/people/" (p) } { (names.get(&p).map(String::as_str).unwrap_or("Their record")) },
                                            None => { (g.record_type.replace('_', " ")) },
                                        }
                                    }
                                    td class="govuk-table__cell" { (compartment_words(&g.compartment)) }
                                    td class="govuk-table__cell" { (g.reason) }
                                    td class="govuk-table__cell" { time datetime=(g.granted_at) { (uk_time(g.granted_at)) } }
                                    td class="govuk-table__cell" { time datetime=(g.expires_at) { (uk_time(g.expires_at)) } }
                                    @if reviewer { td class="govuk-table__cell" { (review_form(s, g, errors)) } }
                                }
                            }
                        }
                    }
                }
            },
        ),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewDone {
    done: Option<String>,
}

pub async fn review_list(State(st): State<AppState>, session: UiSession, Query(q): Query<ReviewDone>) -> Response {
    let banner = (q.done.as_deref() == Some("reviewed")).then_some("Review recorded");
    reviews_page(&st.gate, &session, StatusCode::OK, banner, &[]).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    _csrf: String,
    note: String,
}

pub async fn review(State(st): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<ReviewForm>) -> Response {
    match st.gate.review_break_glass(&session.actor, id, &f.note).await {
        Ok(_) => Redirect::to("/break-glass?done=reviewed").into_response(),
        // Point the error at this grant's own textarea.
        Err(GateError::Invalid(v)) => {
            let errors: Vec<_> = v.0.into_iter().map(|e| FieldError::new(format!("note-{id}"), e.message)).collect();
            reviews_page(&st.gate, &session, StatusCode::UNPROCESSABLE_ENTITY, None, &errors).await
        }
        Err(GateError::Conflict) => {
            let errors = [FieldError::new("grants", "Someone has already reviewed that grant; a review is never overwritten")];
            reviews_page(&st.gate, &session, StatusCode::CONFLICT, None, &errors).await
        }
        Err(e) => error_page(&session, e),
    }
}

// ---- the DPO's list of supplier-support grants ----

/// Supplier-support grants, current and past: who at the supplier could see
/// which compartments, when, why and on whose approval.
pub async fn support_grants(State(st): State<AppState>, session: UiSession) -> Response {
    let grants = match st.gate.support_grants(&session.actor).await {
        Ok(g) => g,
        Err(e) => return error_page(&session, e),
    };
    let now = Timestamp::now();
    let title = "Supplier access";
    page(
        title,
        &chrome(&session),
        false,
        html! {
            h1 class="govuk-heading-l" { (title) }
            p class="govuk-body" {
                "Time-limited grants that let the software supplier's support staff read named compartments, newest first. "
                "Times are UK time. The registers, the audit trail and equality data are never granted."
            }
            @if grants.is_empty() {
                p class="govuk-body" id="support-grants" { "No supplier access has been granted." }
            } @else {
                table class="govuk-table" id="support-grants" {
                    caption class="govuk-table__caption govuk-table__caption--m" { "Grants" }
                    thead class="govuk-table__head" {
                        tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Account" }
                            th scope="col" class="govuk-table__header" { "Compartments" }
                            th scope="col" class="govuk-table__header" { "Reason" }
                            th scope="col" class="govuk-table__header" { "Approved by" }
                            th scope="col" class="govuk-table__header" { "Granted" }
                            th scope="col" class="govuk-table__header" { "Expires" }
                            th scope="col" class="govuk-table__header" { "Status" }
                        }
                    }
                    tbody class="govuk-table__body" {
                        @for g in &grants {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { (g.username) }
                                td class="govuk-table__cell" {
                                    (g.compartments.iter().map(|c| compartment_words(c)).collect::<Vec<_>>().join(", "))
                                }
                                td class="govuk-table__cell" { (g.reason) }
                                td class="govuk-table__cell" { (g.approved_by) }
                                td class="govuk-table__cell" { time datetime=(g.granted_at) { (uk_time(g.granted_at)) } }
                                td class="govuk-table__cell" { time datetime=(g.expires_at) { (uk_time(g.expires_at)) } }
                                td class="govuk-table__cell" {
                                    @if g.revoked_at.is_some() {
                                        strong class="govuk-tag govuk-tag--grey" { "Revoked" }
                                    } @else if g.expires_at > now {
                                        strong class="govuk-tag govuk-tag--green" { "Current" }
                                    } @else {
                                        strong class="govuk-tag govuk-tag--grey" { "Expired" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response()
}

crate::shell::session::csrf_forms!(BreakGlassForm, ReviewForm);
