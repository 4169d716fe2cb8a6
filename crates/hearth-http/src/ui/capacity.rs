//! Mental capacity pages: a person's assessments, best-interests shares and
//! requests not to hold information, with the forms to record each, and the
//! DPO's list of information to remove. The gate decides who may see and do
//! what, and when a share or a removal is allowed; this module only renders
//! and posts.

use crate::shell::layout::{csrf_field, date_input, error_summary, page, radios, select, success_banner, textarea, Input};
use crate::shell::respond::{chrome, error_page, respond, Refusal};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::{form_date, long_date};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::{
    capacity::{AssessmentInput, BestInterestsRecipient, CapacityOutcome, NotHeldRequest, NotHeldState, ShareInput},
    error::FieldError,
    Id,
};
use hearth_gate::capacity::CapacityRecord;
use hearth_gate::GateError;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AssessmentForm {
    _csrf: String,
    decision: String,
    reason: String,
    assessor_name: String,
    assessor_role: String,
    assessed_on_day: String,
    assessed_on_month: String,
    assessed_on_year: String,
    outcome: String,
    notes: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ShareForm {
    _csrf: String,
    assessment_id: String,
    recipient: String,
    recipient_name: String,
    what: String,
    why: String,
    shared_on_day: String,
    shared_on_month: String,
    shared_on_year: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RemoveForm {
    _csrf: String,
}

crate::shell::session::csrf_forms!(AssessmentForm, ShareForm, RemoveForm);

#[derive(Default)]
struct Forms {
    assessment: AssessmentForm,
    share: ShareForm,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: Option<String>,
}

fn opt(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_string())
}

fn state_label(s: NotHeldState) -> &'static str {
    match s {
        NotHeldState::AwaitingAssessment => "Kept: no assessment since the request",
        NotHeldState::KeptLacksCapacity => "Kept: the latest assessment found the person lacks capacity",
        NotHeldState::DueForRemoval => "Due for removal",
        NotHeldState::Removed => "Removed",
    }
}

fn capacity_page(s: &UiSession, name: &str, r: &CapacityRecord, banner: Option<&str>, f: &Forms, errors: &[FieldError]) -> Markup {
    let id = r.person_id;
    let title = format!("Mental capacity: {name}");
    let lacking: Vec<(String, String)> = r
        .assessments
        .iter()
        .filter(|a| a.outcome == CapacityOutcome::LacksCapacity)
        .map(|a| (a.id.to_string(), format!("{}: {}", long_date(a.assessed_on), a.decision)))
        .collect();
    let mut assessment_options: Vec<(&str, &str)> = vec![("", "Choose")];
    assessment_options.extend(lacking.iter().map(|(v, l)| (v.as_str(), l.as_str())));
    let recipients: Vec<(&str, &str)> = BestInterestsRecipient::ALL.iter().map(|r| (r.as_str(), r.label())).collect();
    let outcomes: Vec<(&str, &str)> = CapacityOutcome::ALL.iter().map(|o| (o.as_str(), o.label())).collect();
    let (a, sh) = (&f.assessment, &f.share);
    let body = html! {
        a href={ "/people/" (id) } class="govuk-back-link" { "Back to " (name) }
        @if let Some(b) = banner { (success_banner(b)) }
        (error_summary(errors))
        h1 class="govuk-heading-l" { (title) }
        p class="govuk-body" { "Capacity is presumed. An assessment is about one decision at one time, made by a qualified health practitioner." }

        h2 class="govuk-heading-m" { "Assessments" }
        @if r.assessments.is_empty() { p class="govuk-body" { "No assessments: the person is presumed to have capacity." } }
        @else {
            table class="govuk-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Date" }
                    th scope="col" class="govuk-table__header" { "Decision" }
                    th scope="col" class="govuk-table__header" { "Assessor" }
                    th scope="col" class="govuk-table__header" { "Outcome" }
                } }
                tbody class="govuk-table__body" {
                    @for x in &r.assessments {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (long_date(x.assessed_on)) }
                            td class="govuk-table__cell" { (x.decision) }
                            td class="govuk-table__cell" { (x.assessor_name) ", " (x.assessor_role) }
                            td class="govuk-table__cell" { (x.outcome.label()) }
                        }
                    }
                }
            }
        }
        h3 class="govuk-heading-s" { "Record an assessment" }
        form method="post" action={ "/people/" (id) "/capacity-assessments" } novalidate {
            (csrf_field(&s.csrf))
            (Input::text("decision", "The decision in question", &a.decision).render(errors))
            (textarea("reason", "reason", "Why there was reason to believe the person might lack capacity", &a.reason, errors))
            (Input::text("assessor_name", "Assessor's name", &a.assessor_name).render(errors))
            (Input::text("assessor_role", "Assessor's profession", &a.assessor_role).hint("For example, community psychiatric nurse").render(errors))
            (date_input("assessed_on", "Date of the assessment", "Leave blank for today. For example, 27 3 2026 or 27/3/2026", (&a.assessed_on_day, &a.assessed_on_month, &a.assessed_on_year), errors))
            (radios("outcome", "Outcome", None, &outcomes, &a.outcome, errors, ""))
            (textarea("notes", "notes", "Notes (optional)", &a.notes, errors))
            button type="submit" class="govuk-button" data-module="govuk-button" { "Record assessment" }
        }

        h2 class="govuk-heading-m" { "Shared in their best interests" }
        @if r.shares.is_empty() { p class="govuk-body" { "Nothing shared." } }
        @for x in &r.shares {
            p class="govuk-body" {
                (long_date(x.shared_on)) ": to " (x.recipient_name) " (" (x.recipient.label()) "), " (x.what) ". Why: " (x.why)
                " Recorded by " (x.recorded_by) "."
            }
        }
        @if lacking.is_empty() {
            p class="govuk-body" { "Nothing can be shared in the person's best interests without an assessment that found they lack capacity." }
        } @else {
            h3 class="govuk-heading-s" { "Record a best-interests share" }
            form method="post" action={ "/people/" (id) "/best-interests-shares" } novalidate {
                (csrf_field(&s.csrf))
                (select("assessment_id", "Assessment it rests on", &assessment_options, &sh.assessment_id, errors))
                (radios("recipient", "Shared with", None, &recipients, &sh.recipient, errors, ""))
                (Input::text("recipient_name", "Their name, or the agency", &sh.recipient_name).render(errors))
                (textarea("what", "what", "What was shared: only what they need to know", &sh.what, errors))
                (textarea("why", "why", "Why it is in the person's best interests", &sh.why, errors))
                (date_input("shared_on", "Date shared", "Leave blank for today. For example, 27 3 2026 or 27/3/2026", (&sh.shared_on_day, &sh.shared_on_month, &sh.shared_on_year), errors))
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record share" }
            }
        }

        h2 class="govuk-heading-m" { "Information the person asked us not to hold" }
        @if r.not_held.is_empty() { p class="govuk-body" { "None." } }
        @for x in &r.not_held {
            p class="govuk-body" {
                "Asked on " (long_date(x.requested_on)) ": " (x.what) ". "
                strong { (state_label(x.state)) }
            }
        }
    };
    page(&title, &chrome(s), !errors.is_empty(), body)
}

async fn load(s: &AppState, session: &UiSession, id: Id) -> Result<(String, CapacityRecord), GateError> {
    let r = s.gate.capacity_record(&session.actor, id).await?;
    let name = s.gate.person(&session.actor, id).await?.full_name();
    Ok((name, r))
}

pub async fn show(State(s): State<AppState>, session: UiSession, Path(id): Path<Id>, Query(done): Query<Done>) -> Response {
    let banner = match done.done.as_deref() {
        Some("assessment") => Some("Assessment recorded"),
        Some("share") => Some("Best-interests share recorded"),
        _ => None,
    };
    match load(&s, &session, id).await {
        Ok((name, r)) => respond(StatusCode::OK, capacity_page(&session, &name, &r, banner, &Forms::default(), &[])),
        Err(e) => error_page(&session, e),
    }
}

async fn refused(s: &AppState, session: &UiSession, id: Id, e: GateError, forms: Forms) -> Response {
    match Refusal::from_gate(e, "record", str::to_string) {
        Ok(r) => {
            r.page(session, load(s, session, id), |(name, rec), errors| capacity_page(session, &name, &rec, None, &forms, errors)).await
        }
        Err(e) => error_page(session, e),
    }
}

pub async fn assess(State(s): State<AppState>, Path(id): Path<Id>, Posted(session, f): Posted<AssessmentForm>) -> Response {
    let input = AssessmentInput {
        decision: opt(&f.decision),
        reason: opt(&f.reason),
        assessor_name: opt(&f.assessor_name),
        assessor_role: opt(&f.assessor_role),
        assessed_on: form_date(&f.assessed_on_day, &f.assessed_on_month, &f.assessed_on_year),
        outcome: opt(&f.outcome),
        notes: opt(&f.notes),
    };
    match s.gate.record_assessment(&session.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/people/{id}/capacity?done=assessment")).into_response(),
        Err(e) => refused(&s, &session, id, e, Forms { assessment: f, ..Forms::default() }).await,
    }
}

pub async fn share(State(s): State<AppState>, Path(id): Path<Id>, Posted(session, f): Posted<ShareForm>) -> Response {
    let input = ShareInput {
        assessment_id: f.assessment_id.trim().parse().ok(),
        recipient: opt(&f.recipient),
        recipient_name: opt(&f.recipient_name),
        what: opt(&f.what),
        why: opt(&f.why),
        shared_on: form_date(&f.shared_on_day, &f.shared_on_month, &f.shared_on_year),
    };
    match s.gate.record_share(&session.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/people/{id}/capacity?done=share")).into_response(),
        Err(e) => refused(&s, &session, id, e, Forms { share: f, ..Forms::default() }).await,
    }
}

fn removals_page(s: &UiSession, list: &[NotHeldRequest], banner: Option<&str>, errors: &[FieldError]) -> Markup {
    let title = "Information to remove";
    let body = html! {
        @if let Some(b) = banner { (success_banner(b)) }
        (error_summary(errors))
        h1 class="govuk-heading-l" { (title) }
        p class="govuk-body" {
            "People who asked that information they gave not be held. Once an assessment since the request finds the person has capacity, "
            "the information is due for removal: confirming deletes the needs records named, their adjustments and the audit payloads that held them."
        }
        @if list.is_empty() { p class="govuk-body" { "Nothing waiting." } }
        @else {
            table class="govuk-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Person" }
                    th scope="col" class="govuk-table__header" { "Asked on" }
                    th scope="col" class="govuk-table__header" { "What" }
                    th scope="col" class="govuk-table__header" { "Where it stands" }
                    th scope="col" class="govuk-table__header" { span class="govuk-visually-hidden" { "Action" } }
                } }
                tbody class="govuk-table__body" {
                    @for r in list {
                        tr class="govuk-table__row" id={ "request-" (r.id) } {
                            td class="govuk-table__cell" { a class="govuk-link" href={ "/people/" (r.person_id) } { "Their record" } }
                            td class="govuk-table__cell" { (long_date(r.requested_on)) }
                            td class="govuk-table__cell" { (r.what) " (" (r.need_ids.len()) " needs records)" }
                            td class="govuk-table__cell" { (state_label(r.state)) }
                            td class="govuk-table__cell" {
                                @if r.state == NotHeldState::DueForRemoval {
                                    form method="post" action={ "/removals/" (r.id) } novalidate {
                                        (csrf_field(&s.csrf))
                                        button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0" data-module="govuk-button" {
                                            "Remove" span class="govuk-visually-hidden" { " request " (r.id) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(title, &chrome(s), !errors.is_empty(), body)
}

pub async fn removals(State(s): State<AppState>, session: UiSession, Query(done): Query<Done>) -> Response {
    let banner = done.done.as_deref().filter(|d| *d == "removed").map(|_| "Removed: the information is gone and the removal is recorded");
    match s.gate.removal_list(&session.actor).await {
        Ok(list) => respond(StatusCode::OK, removals_page(&session, &list, banner, &[])),
        Err(e) => error_page(&session, e),
    }
}

pub async fn remove(State(s): State<AppState>, Path(id): Path<Id>, Posted(session, _f): Posted<RemoveForm>) -> Response {
    match s.gate.confirm_removal(&session.actor, id).await {
        Ok(_) => Redirect::to("/removals?done=removed").into_response(),
        Err(e) => match Refusal::from_gate(e, "request", |_| "request".to_string()) {
            Ok(r) => {
                r.page(&session, s.gate.removal_list(&session.actor), |list, errors| removals_page(&session, &list, None, errors)).await
            }
            Err(e) => error_page(&session, e),
        },
    }
}
