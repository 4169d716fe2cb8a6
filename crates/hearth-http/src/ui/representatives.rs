//! Authorised representatives and caller checks on the person page: the
//! caller-check panel an advisor must complete before the account is shown
//! (also the page a refused read offers), the list of representatives with
//! a form to end one, and the form to add one. The gate decides; this
//! module only renders and posts.

use crate::shell::layout::{csrf_field, date_input, error_summary, inline_error, page, radios, select, textarea, Input};
use crate::shell::picker::{self, picker, PickKind, Picked};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::{form_date, long_date, uk_time};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::representatives::Representative;
use hearth_domain::{
    access::{Action, Compartment},
    error::FieldError,
    representatives::{
        AuthorityEvidence, CallerAnswers, CallerCheckInput, CallerCheckItem, EndRepresentativeInput, MemorableWordInput,
        RepresentativeInput, RepresentativeRelationship, RepresentativeScope,
    },
    Id,
};
use hearth_gate::homes::PersonRecord;
use hearth_gate::{Gate, GateError};
use maud::{html, Markup};
use serde::Deserialize;

/// The caller-check panel (first on the page) for staff who must check
/// callers, and the representatives section.
pub(super) async fn person_section(gate: &Gate, session: &UiSession, rec: &PersonRecord) -> (Markup, Markup) {
    let id = rec.person.id;
    let reps = gate.representatives(&session.actor, id).await.ok();
    // An advisor changes representatives only for a checked caller (the gate refuses otherwise).
    let checked = rec.caller_check.as_ref().is_some_and(|c| c.areas.contains(&hearth_domain::representatives::CallerCheckArea::Account))
        || !gate.caller_check_needed(&session.actor);
    let panel = if gate.caller_check_needed(&session.actor) {
        match &rec.caller_check {
            Some(c) => html! {
                div class="govuk-inset-text" id="caller-check" {
                    "Caller checked at " (uk_time(c.checked_at)) ": "
                    @if c.representative_id.is_some() { "a representative" } @else { "answers matched for " (c.checks_passed.iter().map(|i| i.label().to_lowercase()).collect::<Vec<_>>().join(", ")) }
                    ". This opens " (c.areas.iter().map(|a| a.label()).collect::<Vec<_>>().join(" and ")) " to you until " (uk_time(c.expires_at)) "."
                }
            },
            None => {
                let questions = gate.caller_check_questions(&session.actor, id).await.unwrap_or_default();
                check_form(session, id, reps.as_deref().unwrap_or(&[]), &questions, &[], &CheckForm::default())
            }
        }
    } else {
        html! {}
    };
    let word = memorable_word_section(gate, session, rec).await;
    let section = match reps {
        None => word,
        Some(reps) => html! {
            h2 class="govuk-heading-m" id="representatives" { "Representatives" }
            @if reps.is_empty() { p class="govuk-body" { "Nobody is recorded as able to speak for this person." } }
            @for r in &reps {
                dl class="govuk-summary-list" {
                    (crate::shell::layout::row("Name", html! { (r.name) @if let Some(p) = &r.phone { ", " (p) } }))
                    (crate::shell::layout::row("Relationship", html! { (r.relationship.label()) }))
                    (crate::shell::layout::row("May deal with", html! { (r.scope.label()) }))
                    (crate::shell::layout::row("Evidence", html! { (r.evidence.label()) ", ref " (r.evidence_reference) }))
                    (crate::shell::layout::row("In force", html! {
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
            (word)
        },
    };
    (panel, section)
}

/// Whether the customer has a memorable word, and when it was set (never
/// the word), with a link to set one; nothing when the reader may not see
/// contact details (an advisor before the caller check).
async fn memorable_word_section(gate: &Gate, session: &UiSession, rec: &PersonRecord) -> Markup {
    if rec.person.kind == hearth_domain::people::PersonKind::Child {
        return html! {};
    }
    let id = rec.person.id;
    let Ok(set_at) = gate.memorable_word_set_at(&session.actor, id).await else { return html! {} };
    html! {
        h2 class="govuk-heading-m" id="memorable-word" { "Memorable word" }
        p class="govuk-body" {
            @match set_at {
                Some(t) => { "Set " (uk_time(t)) ". It is never shown: Hearth compares what a caller says with it." }
                None => "Not set. Ask the customer to choose one: it makes checking them on the phone safer.",
            }
        }
        @if gate.may(&session.actor, Action::Edit, Compartment::Contact) {
            p class="govuk-body" {
                a class="govuk-link" href={ "/people/" (id) "/memorable-word" } {
                    @if set_at.is_some() { "Change the memorable word" } @else { "Set a memorable word" }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WordForm {
    _csrf: String,
    memorable_word: String,
}

fn word_page(session: &UiSession, id: Id, status: StatusCode, errors: &[FieldError]) -> Response {
    let title = "Set a memorable word";
    let body = html! {
        a class="govuk-back-link" href={ "/people/" (id) } { "Back to the person" }
        div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
            (error_summary(errors))
            h1 class="govuk-heading-l" { (title) }
            p class="govuk-body" {
                "The customer chooses the word and tells it to you. Hearth keeps only a one-way hash of it: nobody can read it back, "
                "and a caller check compares what a caller says with it. A new word replaces the old one."
            }
            form method="post" action={ "/people/" (id) "/memorable-word" } novalidate {
                (csrf_field(&session.csrf))
                (Input::text("memorable_word", "Memorable word", "").hint("4 to 64 letters or digits; capitals, spaces and punctuation do not matter")
                    .autocomplete("off").no_spellcheck().width("20").render(errors))
                button type="submit" class="govuk-button" data-module="govuk-button" { "Save the memorable word" }
            }
        } }
    };
    respond(status, page(title, &chrome(session), !errors.is_empty(), body))
}

/// The form to set a memorable word; refused (as the gate would refuse the
/// change) to a reader who may not see the person's contact details.
pub async fn word_form(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.memorable_word_set_at(&session.actor, id).await {
        Ok(_) => word_page(&session, id, StatusCode::OK, &[]),
        Err(e) => error_page(&session, e),
    }
}

pub async fn set_word(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<WordForm>) -> Response {
    let input = MemorableWordInput { memorable_word: Some(f.memorable_word.clone()) };
    match s.gate.set_memorable_word(&session.actor, id, &input).await {
        Ok(()) => Redirect::to(&format!("/people/{id}?done=memorable-word-set")).into_response(),
        Err(GateError::Invalid(v)) => word_page(&session, id, StatusCode::UNPROCESSABLE_ENTITY, &v.0),
        Err(e) => error_page(&session, e),
    }
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
    memorable_word: String,
    phone: String,
    email: String,
    tenancy_start_year: String,
    full_name: String,
    date_of_birth: String,
    address: String,
    representative_id: String,
    area: String,
}

impl CheckForm {
    fn answers(&self) -> CallerAnswers {
        let some = |v: &String| Some(v.clone()).filter(|v| !v.trim().is_empty());
        CallerAnswers {
            memorable_word: some(&self.memorable_word),
            phone: some(&self.phone),
            email: some(&self.email),
            tenancy_start_year: some(&self.tenancy_start_year),
            full_name: some(&self.full_name),
            date_of_birth: some(&self.date_of_birth),
            address: some(&self.address),
        }
    }

    /// What the advisor typed for a question, to show again after an error
    /// (never the memorable word: it is not kept on screen).
    fn value(&self, item: CallerCheckItem) -> &str {
        use CallerCheckItem::*;
        match item {
            Phone => self.phone.as_str(),
            Email => self.email.as_str(),
            TenancyStartYear => self.tenancy_start_year.as_str(),
            FullName => self.full_name.as_str(),
            DateOfBirth => self.date_of_birth.as_str(),
            Address => self.address.as_str(),
            _ => "",
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndForm {
    _csrf: String,
    reason: String,
}

crate::shell::session::csrf_forms!(CheckForm, EndForm, RepForm, WordForm);

/// The label and hint of each question on the form.
fn question(item: CallerCheckItem) -> (&'static str, &'static str) {
    use CallerCheckItem::*;
    match item {
        MemorableWord => ("Memorable word", "The word the customer chose; Hearth never shows it"),
        Phone => ("A phone number we hold for them", "As the caller says it, like 01632 960 001"),
        Email => ("An email address we hold for them", ""),
        TenancyStartYear => ("The year their tenancy started", "For example, 2019"),
        FullName => ("Their full name", "Shown on screen, so never enough alone"),
        DateOfBirth => ("Their date of birth", "For example, 31/01/1970. Found by searching, so never enough alone"),
        Address => ("The postcode of their address", "Found by searching, so never enough alone"),
        _ => ("", ""),
    }
}

fn check_form(
    session: &UiSession,
    id: Id,
    reps: &[Representative],
    questions: &[CallerCheckItem],
    errors: &[FieldError],
    f: &CheckForm,
) -> Markup {
    let error = crate::shell::layout::error_for(errors, "answers");
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
                "Check the caller first: only the customer's name is shown until Hearth has checked the caller's answers, or the caller is a current representative."
            }
        }
        h2 class="govuk-heading-m" id="caller-check" { "Check the caller" }
        form method="post" action={ "/people/" (id) "/caller-check" } novalidate {
            (csrf_field(&session.csrf))
            div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
                fieldset class="govuk-fieldset" id="answers" aria-describedby="answers-hint" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "The caller's answers" }
                    div id="answers-hint" class="govuk-hint" {
                        "Type what the caller says; do not help them. Hearth compares the answers with what it holds: at least "
                        (hearth_domain::representatives::REQUIRED_CALLER_CHECKS) " must match, one of them from the first questions, and none may be wrong. "
                        "Only the questions Hearth can check for this person are shown."
                    }
                    (inline_error("answers", error))
                    @for item in questions {
                        @let (label, hint) = question(*item);
                        @let base = Input::text(item.as_str(), label, f.value(*item)).autocomplete("off").no_spellcheck();
                        @let input = if hint.is_empty() { base } else { base.hint(hint) };
                        (input.render(errors))
                    }
                }
            }
            (select("representative_id", "Or the caller is a representative", &rep_options, &f.representative_id, errors))
            (radios("area", "What the caller asks about", None, &[("account", "The account"), ("repairs", "Repairs")], if f.area.is_empty() { "account" } else { &f.area }, errors, " govuk-radios--inline"))
            button type="submit" class="govuk-button" data-module="govuk-button" { "Check the answers" }
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
    let questions = match s.gate.caller_check_questions(&session.actor, id).await {
        Ok(q) => q,
        Err(e) => return error_page(session, e),
    };
    let body = html! {
        a class="govuk-back-link" href={ "/people/" (id) } { "Back to the person" }
        (error_summary(errors))
        (check_form(session, id, &reps, &questions, errors, f))
    };
    respond(status, page("Check the caller", &chrome(session), !errors.is_empty(), body))
}

pub async fn record_check(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<CheckForm>) -> Response {
    let input = CallerCheckInput {
        answers: f.answers(),
        checks_passed: None,
        representative_id: f.representative_id.trim().parse().ok(),
        area: Some(f.area.clone()),
    };
    match s.gate.record_caller_check(&session.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/people/{id}")).into_response(),
        Err(GateError::Invalid(v)) => {
            // A field of the answers is shown against its own box.
            let errors: Vec<FieldError> =
                v.0.into_iter()
                    .map(|e| FieldError::new(e.field.strip_prefix("answers.").unwrap_or(&e.field).to_string(), e.message))
                    .collect();
            render_check(&s, &session, id, StatusCode::UNPROCESSABLE_ENTITY, &errors, &f).await
        }
        Err(e @ GateError::Throttled { .. }) => {
            let errors = [FieldError::new("answers", format!("Too many failed checks for this person: {e}. Do not discuss the account"))];
            render_check(&s, &session, id, StatusCode::TOO_MANY_REQUESTS, &errors, &f).await
        }
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
    _pick: String,
    person_id: String,
    person_id_q: String,
    /// The picker as looked up for this page; never posted.
    #[serde(skip)]
    person: Picked,
    name: String,
    phone: String,
    relationship: String,
    scope: String,
    evidence: String,
    evidence_reference: String,
    valid_from_day: String,
    valid_from_month: String,
    valid_from_year: String,
    expires_on_day: String,
    expires_on_month: String,
    expires_on_year: String,
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
            (picker("person_id", "If they are on file: find them", PickKind::Person, &f.person, errors))
            (Input::text("name", "If not: their name", &f.name).render(errors))
            (Input::text("phone", "And a phone number for them", &f.phone).kind("tel").width("20").render(errors))
            (select("relationship", "Who they are to the person", &rel, &f.relationship, errors))
            (radios("scope", "What they may deal with", None, &scopes, &f.scope, errors, ""))
            (select("evidence", "Evidence of their authority", &ev, &f.evidence, errors))
            (Input::text("evidence_reference", "Evidence reference", &f.evidence_reference).hint("The form, recorded call, LPA or order reference").render(errors))
            (date_input("valid_from", "In force from", "Leave blank for today. For example, 27 3 2026 or 27/3/2026", (&f.valid_from_day, &f.valid_from_month, &f.valid_from_year), errors))
            (date_input("expires_on", "Expires on", "Leave blank if it does not expire", (&f.expires_on_day, &f.expires_on_month, &f.expires_on_year), errors))
            button type="submit" class="govuk-button" data-module="govuk-button" { "Add the representative" }
        }
    }
}

pub async fn new_rep_form(session: UiSession, Path(id): Path<i64>) -> Response {
    respond(StatusCode::OK, page("Add a representative", &chrome(&session), false, rep_form(&session, id, &[], &RepForm::default())))
}

pub async fn add_rep(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, mut f): Posted<RepForm>) -> Response {
    // "Find" or "Change" on the picker: the form again, nothing written.
    let asked = picker::pick_request(&f._pick).map(|(_, change)| change);
    if asked == Some(true) {
        f.person_id.clear();
    }
    f.person = match picker::resolve(&s.gate, &session.actor, PickKind::Person, &f.person_id, &f.person_id_q).await {
        Ok(p) => p,
        Err(e) => return error_page(&session, e),
    };
    let errors = picker::unchosen(&[("person_id", &f.person)]);
    if asked.is_some() || !errors.is_empty() {
        let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        return respond(status, page("Add a representative", &chrome(&session), !errors.is_empty(), rep_form(&session, id, &errors, &f)));
    }
    let person_id = f.person.id();
    let opt = |v: &str| Some(v.to_string());
    let input = RepresentativeInput {
        person_id,
        name: opt(&f.name),
        phone: opt(&f.phone),
        relationship: opt(&f.relationship),
        scope: opt(&f.scope),
        evidence: opt(&f.evidence),
        evidence_reference: opt(&f.evidence_reference),
        valid_from: form_date(&f.valid_from_day, &f.valid_from_month, &f.valid_from_year),
        expires_on: form_date(&f.expires_on_day, &f.expires_on_month, &f.expires_on_year),
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
