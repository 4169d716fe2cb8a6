//! Authorised representatives and caller checks on the person page: the
//! caller-check panel an advisor must complete before the account is shown
//! (also the page a refused read offers), the list of representatives with
//! a form to end one, and the form to add one. The gate decides; this
//! module only renders and posts.

use super::layout::{csrf_field, error_summary, inline_error, long_date, page, radios, select, textarea, uk_time, Input};
use super::pages::{chrome, error_page, respond};
use super::{Posted, UiSession};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::{
    Action, AuthorityEvidence, CallerCheckInput, CallerCheckItem, Compartment, EndRepresentativeInput, FieldError, Id, RepresentativeInput,
    RepresentativeRelationship, RepresentativeScope,
};
use hearth_gate::homes::PersonRecord;
use hearth_gate::{Gate, GateError};
use hearth_store::representatives::Representative;
use maud::{html, Markup};
use serde::Deserialize;

/// The caller-check panel (first on the page) for staff who must check
/// callers, and the representatives section.
pub(super) async fn person_section(gate: &Gate, session: &UiSession, rec: &PersonRecord) -> (Markup, Markup) {
    let id = rec.person.id;
    let reps = gate.representatives(&session.actor, id).await.ok();
    // An advisor changes representatives only for a checked caller (the gate refuses otherwise).
    let checked = rec.caller_check.as_ref().is_some_and(|c| c.areas.contains(&hearth_domain::CallerCheckArea::Account))
        || !gate.caller_check_needed(&session.actor);
    let panel = if gate.caller_check_needed(&session.actor) {
        match &rec.caller_check {
            Some(c) => html! {
                div class="govuk-inset-text" id="caller-check" {
                    "Caller checked at " (uk_time(c.checked_at)) ": "
                    @if c.representative_id.is_some() { "a representative" } @else { (c.checks_passed.iter().map(|i| i.label().to_lowercase()).collect::<Vec<_>>().join(", ")) }
                    ". This opens " (c.areas.iter().map(|a| a.label()).collect::<Vec<_>>().join(" and ")) " to you until " (uk_time(c.expires_at)) "."
                }
            },
            None => check_form(session, id, reps.as_deref().unwrap_or(&[]), &[], &CheckForm::default()),
        }
    } else {
        html! {}
    };
    let section = match reps {
        None => html! {},
        Some(reps) => html! {
            h2 class="govuk-heading-m" id="representatives" { "Representatives" }
            @if reps.is_empty() { p class="govuk-body" { "Nobody is recorded as able to speak for this person." } }
            @for r in &reps {
                dl class="govuk-summary-list" {
                    (super::layout::row("Name", html! { (r.name) @if let Some(p) = &r.phone { ", " (p) } }))
                    (super::layout::row("Relationship", html! { (r.relationship.label()) }))
                    (super::layout::row("May deal with", html! { (r.scope.label()) }))
                    (super::layout::row("Evidence", html! { (r.evidence.label()) ", ref " (r.evidence_reference) }))
                    (super::layout::row("In force", html! {
                        "From " (long_date(r.valid_from))
                        @if let Some(e) = r.expires_on { " until " (long_date(e)) }
                        @if let Some(at) = r.ended_at { ". Ended " (uk_time(at)) " by " (r.ended_by.as_deref().unwrap_or("")) ": " (r.end_reason.as_deref().unwrap_or("")) }
                    }))
                }
                @if r.ended_at.is_none() && checked && gate.may(&session.actor, Action::Edit, Compartment::Contact) {
                    (end_form(session, r, &[], ""))
                }
            }
            @if checked && gate.may(&session.actor, Action::Create, Compartment::Contact) {
                p class="govuk-body" { a class="govuk-link" href={ "/people/" (id) "/representatives/new" } { "Add a representative" } }
            }
        },
    };
    (panel, section)
}

fn end_form(session: &UiSession, r: &Representative, errors: &[FieldError], reason: &str) -> Markup {
    let field = format!("end-{}", r.id);
    html! {
        form method="post" action={ "/representatives/" (r.id) "/end" } novalidate {
            (csrf_field(&session.csrf))
            (textarea(&field, "reason", &format!("Why {}'s authority ends", r.name), reason, errors))
            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "End this authority" }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckForm {
    _csrf: String,
    check_full_name: String,
    check_date_of_birth: String,
    check_address: String,
    check_tenancy_reference: String,
    check_security_answer: String,
    representative_id: String,
    area: String,
}

impl CheckForm {
    fn chosen(&self) -> Vec<CallerCheckItem> {
        use CallerCheckItem::*;
        [
            (FullName, &self.check_full_name),
            (DateOfBirth, &self.check_date_of_birth),
            (Address, &self.check_address),
            (TenancyReference, &self.check_tenancy_reference),
            (SecurityAnswer, &self.check_security_answer),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(i, _)| i)
        .collect()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndForm {
    _csrf: String,
    reason: String,
}

super::csrf_forms!(CheckForm, EndForm, RepForm);

fn check_form(session: &UiSession, id: Id, reps: &[Representative], errors: &[FieldError], f: &CheckForm) -> Markup {
    let chosen = f.chosen();
    let error = super::layout::error_for(errors, "checks_passed");
    let mut rep_options = vec![("".to_string(), "The caller is the customer".to_string())];
    for r in reps.iter().filter(|r| r.ended_at.is_none()) {
        rep_options.push((r.id.to_string(), format!("{} ({}, {})", r.name, r.relationship.label(), r.scope.label().to_lowercase())));
    }
    let rep_options: Vec<(&str, &str)> = rep_options.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    html! {
        div class="govuk-warning-text" {
            span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
            strong class="govuk-warning-text__text" {
                span class="govuk-visually-hidden" { "Warning" }
                "Check the caller first: the account is not shown until the caller answers at least "
                (hearth_domain::REQUIRED_CALLER_CHECKS) " security questions or is a current representative."
            }
        }
        h2 class="govuk-heading-m" id="caller-check" { "Check the caller" }
        form method="post" action={ "/people/" (id) "/caller-check" } novalidate {
            (csrf_field(&session.csrf))
            div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
                fieldset class="govuk-fieldset" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Questions the caller answered correctly" }
                    (inline_error("checks_passed", error))
                    div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                        @for (i, item) in CallerCheckItem::ALL.iter().enumerate() {
                            @let fid = if i == 0 { "checks_passed".to_string() } else { format!("check_{}", item.as_str()) };
                            div class="govuk-checkboxes__item" {
                                input class="govuk-checkboxes__input" id=(fid) name={ "check_" (item.as_str()) } type="checkbox" value="yes" checked[chosen.contains(item)];
                                label class="govuk-label govuk-checkboxes__label" for=(fid) { (item.label()) }
                            }
                        }
                    }
                }
            }
            (select("representative_id", "Or the caller is a representative", &rep_options, &f.representative_id, errors))
            (radios("area", "What the caller asks about", None, &[("account", "The account"), ("repairs", "Repairs")], if f.area.is_empty() { "account" } else { &f.area }, errors, " govuk-radios--inline"))
            button type="submit" class="govuk-button" data-module="govuk-button" { "Record the check" }
        }
    }
}

/// The caller-check page, also where a refused read sends the advisor.
pub async fn check_page(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    render_check(&s, &session, id, StatusCode::OK, &[], &CheckForm::default()).await
}

/// A read refused for want of a caller check: 403, with the form.
pub(super) async fn refused_page(s: &AppState, session: &UiSession, id: Id) -> Response {
    render_check(s, session, id, StatusCode::FORBIDDEN, &[], &CheckForm::default()).await
}

async fn render_check(s: &AppState, session: &UiSession, id: Id, status: StatusCode, errors: &[FieldError], f: &CheckForm) -> Response {
    let reps = match s.gate.representatives(&session.actor, id).await {
        Ok(r) => r,
        Err(e) => return error_page(session, e),
    };
    let body = html! {
        a class="govuk-back-link" href={ "/people/" (id) } { "Back to the person" }
        (error_summary(errors))
        (check_form(session, id, &reps, errors, f))
    };
    respond(status, page("Check the caller", &chrome(session), !errors.is_empty(), body))
}

pub async fn record_check(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<CheckForm>) -> Response {
    let input = CallerCheckInput {
        checks_passed: f.chosen().iter().map(|i| i.as_str().to_string()).collect(),
        representative_id: f.representative_id.trim().parse().ok(),
        area: Some(f.area.clone()),
    };
    match s.gate.record_caller_check(&session.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/people/{id}")).into_response(),
        Err(GateError::Invalid(v)) => render_check(&s, &session, id, StatusCode::UNPROCESSABLE_ENTITY, &v.0, &f).await,
        Err(e) => error_page(&session, e),
    }
}

pub async fn end(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<EndForm>) -> Response {
    match s.gate.end_representative(&session.actor, id, &EndRepresentativeInput { reason: Some(f.reason.clone()) }).await {
        Ok(r) => Redirect::to(&format!("/people/{}", r.person_id)).into_response(),
        Err(GateError::Invalid(v)) => {
            let errors: Vec<FieldError> =
                v.0.into_iter()
                    .map(|e| FieldError::new(if e.field == "reason" { format!("end-{id}") } else { e.field }, e.message))
                    .collect();
            let body = html! {
                (error_summary(&errors))
                h1 class="govuk-heading-l" { "End a representative's authority" }
                form method="post" action={ "/representatives/" (id) "/end" } novalidate {
                    (csrf_field(&session.csrf))
                    (textarea(&format!("end-{id}"), "reason", "Why the authority ends", &f.reason, &errors))
                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "End this authority" }
                }
            };
            respond(StatusCode::UNPROCESSABLE_ENTITY, page("End a representative's authority", &chrome(&session), true, body))
        }
        Err(e) => error_page(&session, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RepForm {
    _csrf: String,
    person_id: String,
    name: String,
    phone: String,
    relationship: String,
    scope: String,
    evidence: String,
    evidence_reference: String,
    valid_from: String,
    expires_on: String,
}

fn rep_form(session: &UiSession, id: Id, errors: &[FieldError], f: &RepForm) -> Markup {
    let rel: Vec<(&str, &str)> =
        std::iter::once(("", "Choose")).chain(RepresentativeRelationship::ALL.iter().map(|r| (r.as_str(), r.label()))).collect();
    let scopes: Vec<(&str, &str)> = RepresentativeScope::ALL.iter().map(|r| (r.as_str(), r.label())).collect();
    let ev: Vec<(&str, &str)> =
        std::iter::once(("", "Choose")).chain(AuthorityEvidence::ALL.iter().map(|r| (r.as_str(), r.label()))).collect();
    html! {
        a class="govuk-back-link" href={ "/people/" (id) } { "Back to the person" }
        (error_summary(errors))
        h1 class="govuk-heading-l" { "Add a representative" }
        form method="post" action={ "/people/" (id) "/representatives" } novalidate {
            (csrf_field(&session.csrf))
            (Input::text("person_id", "Their person record number, if they are on file", &f.person_id).width("10").render(errors))
            (Input::text("name", "Or their name", &f.name).render(errors))
            (Input::text("phone", "And a phone number for them", &f.phone).kind("tel").width("20").render(errors))
            (select("relationship", "Who they are to the person", &rel, &f.relationship, errors))
            (radios("scope", "What they may deal with", None, &scopes, &f.scope, errors, ""))
            (select("evidence", "Evidence of their authority", &ev, &f.evidence, errors))
            (Input::text("evidence_reference", "Evidence reference", &f.evidence_reference).hint("The form, recorded call, LPA or order reference").render(errors))
            (Input::text("valid_from", "In force from (YYYY-MM-DD)", &f.valid_from).hint("Leave blank for today").width("10").render(errors))
            (Input::text("expires_on", "Expires on (YYYY-MM-DD)", &f.expires_on).hint("Leave blank if it does not expire").width("10").render(errors))
            button type="submit" class="govuk-button" data-module="govuk-button" { "Add the representative" }
        }
    }
}

pub async fn new_rep_form(session: UiSession, Path(id): Path<i64>) -> Response {
    respond(StatusCode::OK, page("Add a representative", &chrome(&session), false, rep_form(&session, id, &[], &RepForm::default())))
}

pub async fn add_rep(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<RepForm>) -> Response {
    let person_id = match f.person_id.trim() {
        "" => None,
        v => match v.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                let errors = [FieldError::new("person_id", "Enter a record number, like 42")];
                return respond(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    page("Add a representative", &chrome(&session), true, rep_form(&session, id, &errors, &f)),
                );
            }
        },
    };
    let opt = |v: &str| Some(v.to_string());
    let input = RepresentativeInput {
        person_id,
        name: opt(&f.name),
        phone: opt(&f.phone),
        relationship: opt(&f.relationship),
        scope: opt(&f.scope),
        evidence: opt(&f.evidence),
        evidence_reference: opt(&f.evidence_reference),
        valid_from: opt(&f.valid_from),
        expires_on: opt(&f.expires_on),
    };
    match s.gate.add_representative(&session.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/people/{id}#representatives")).into_response(),
        Err(GateError::Invalid(v)) => respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            page("Add a representative", &chrome(&session), true, rep_form(&session, id, &v.0, &f)),
        ),
        Err(e) => error_page(&session, e),
    }
}
