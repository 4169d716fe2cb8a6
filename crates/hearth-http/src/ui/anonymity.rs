//! Reporter anonymity in the web UI: the override section of a case page
//! (ask with a ground, approve as a second person), letters from a case to
//! one party, the cases section of a person's own page (marked "reported
//! anonymously"), and the DPO's register of overrides.
//!
//! The gate decides everything; an anonymous reporter is never linked from a
//! case page, so their letters are reached from their own record.

use crate::shell::layout::{csrf_field, page, radios, textarea};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::uk_time;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::{
    anonymity::{AnonymityOverride, CaseLetter, OverrideGround, OverrideInput},
    cases::CaseParty,
    error::FieldError,
    Id,
};
use hearth_gate::anonymity::PersonCase;
use hearth_gate::cases::CaseView;
use hearth_gate::Gate;
use maud::{html, Markup};
use serde::Deserialize;

/// The ask-to-reveal form as posted.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct OverrideForm {
    _csrf: String,
    party_id: String,
    ground: String,
    detail: String,
}

/// A form with only the CSRF token (approve).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    _csrf: String,
}

crate::shell::session::csrf_forms!(OverrideForm, TokenForm);

impl OverrideForm {
    /// The request as the gate takes it.
    pub(super) fn input(&self) -> OverrideInput {
        OverrideInput {
            party_id: self.party_id.trim().parse().ok(),
            ground: Some(self.ground.clone()).filter(|g| !g.is_empty()),
            detail: Some(self.detail.clone()),
        }
    }
}

pub(super) fn override_field(field: &str) -> String {
    match field {
        "ground" => "ground",
        "detail" => "override_detail",
        _ => "override_party",
    }
    .to_string()
}

fn status_tag(o: &AnonymityOverride) -> Markup {
    html! {
        @if let Some(by) = &o.approved_by_username {
            strong class="govuk-tag govuk-tag--green" { "Approved" } " by " (by)
        } @else {
            strong class="govuk-tag govuk-tag--yellow" { "Waiting for approval" }
        }
    }
}

/// Whether the case has an anonymous reporter, so the ask-to-reveal action applies.
pub fn has_anonymous_reporter(v: &CaseView) -> bool {
    v.parties.iter().any(|p| p.anonymous)
}

/// The override section of a case page: only shown when the case has an
/// anonymous reporter. The ask-to-reveal form is an action of its own
/// ([`override_form`]), linked from the case's list of actions.
pub fn case_section(s: &UiSession, v: &CaseView) -> Markup {
    if !has_anonymous_reporter(v) {
        return html! {};
    }
    let me = s.actor.user_id;
    html! {
        h2 class="govuk-heading-m" id="anonymity" { "Anonymous reporter" }
        p class="govuk-body" {
            "The reporter asked not to be named. Their name is left out of this case, its letters and its lists. "
            "It can be revealed only on a court order, a police request or in someone's best interests to prevent harm, "
            "asked for by one person and approved by a second (the data protection officer, or a safeguarding lead or manager responsible for these cases)."
        }
        @if !v.overrides.is_empty() {
            table class="govuk-table" {
                caption class="govuk-table__caption govuk-table__caption--s" { "Requests to reveal the reporter" }
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Asked" }
                    th scope="col" class="govuk-table__header" { "Ground" }
                    th scope="col" class="govuk-table__header" { "Detail" }
                    th scope="col" class="govuk-table__header" { "Status" }
                } }
                tbody class="govuk-table__body" {
                    @for o in &v.overrides {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (o.requested_by_username) ", " time datetime=(o.requested_at) { (uk_time(o.requested_at)) } }
                            td class="govuk-table__cell" { (o.ground.label()) }
                            td class="govuk-table__cell" { (o.detail) }
                            td class="govuk-table__cell" {
                                (status_tag(o))
                                @if !o.is_approved() && o.requested_by != me {
                                    form method="post" action={ "/anonymity-overrides/" (o.id) "/approve" } novalidate {
                                        (csrf_field(&s.csrf))
                                        button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0 govuk-!-margin-top-2" data-module="govuk-button" {
                                            "Approve" span class="govuk-visually-hidden" { " request " (o.id) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The ask-to-reveal form, on its own action view of the case page.
pub fn override_form(s: &UiSession, v: &CaseView, f: &OverrideForm, errors: &[FieldError]) -> Markup {
    let anonymous: Vec<&CaseParty> = v.parties.iter().filter(|p| p.anonymous).collect();
    let grounds: Vec<(&str, &str)> = OverrideGround::ALL.iter().map(|g| (g.as_str(), g.label())).collect();
    html! {
        form method="post" action={ "/cases/" (v.case.id) "/anonymity-overrides" } novalidate {
            (csrf_field(&s.csrf))
            @if anonymous.len() == 1 {
                input type="hidden" name="party_id" value=(anonymous[0].id);
            } @else {
                @let options: Vec<(String, String)> = anonymous.iter().enumerate().map(|(i, p)| (p.id.to_string(), format!("Anonymous reporter {}", i + 1))).collect();
                @let options: Vec<(&str, &str)> = options.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                (radios("override_party", "Which reporter", None, &options, &f.party_id, errors, ""))
            }
            (radios("ground", "Ground", None, &grounds, &f.ground, errors, ""))
            (textarea("override_detail", "detail", "Detail: the order or request reference, or the harm to prevent", &f.detail, errors))
            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Ask for approval" }
        }
    }
}

pub async fn approve(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, _f): Posted<TokenForm>) -> Response {
    match s.gate.approve_override(&session.actor, id).await {
        Ok(o) => Redirect::to(&format!("/cases/{}?done=override_approved#anonymity", o.case_id)).into_response(),
        Err(e) => error_page(&session, e),
    }
}

// ---- letters ----

pub async fn letter_page(State(s): State<AppState>, session: UiSession, Path((id, person_id)): Path<(i64, i64)>) -> Response {
    letter_view(&s, &session, id, person_id, StatusCode::OK, "", &[]).await
}

/// The letter page, with what was typed into the complaint response and its
/// errors when a send came back refused.
pub(super) async fn letter_view(
    s: &AppState,
    session: &UiSession,
    id: i64,
    person_id: i64,
    status: StatusCode,
    response: &str,
    errors: &[hearth_domain::error::FieldError],
) -> Response {
    match s.gate.case_letter(&session.actor, id, person_id).await {
        Ok(l) => {
            let send = (!l.to_anonymous_reporter).then(|| super::comms::send_case_letter_form(&session.csrf, id, person_id));
            // A complainant also gets the complaint code's letters.
            let complaint =
                l.kind == "acknowledgement" && l.case_reference.starts_with(hearth_domain::cases::CaseKind::Complaint.reference_prefix());
            let body = html! {
                (crate::shell::layout::error_summary(errors))
                (letter_content(&l))
                @if let Some(f) = send { (f) }
                @if complaint { (super::comms::complaint_letter_forms(&session.csrf, id, person_id, response, errors)) }
            };
            respond(status, page(&format!("Letter: {}", l.case_reference), &chrome(session), !errors.is_empty(), body))
        }
        Err(e) => error_page(session, e),
    }
}

/// A case letter, or a complaint letter, as posted from the letter page.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct CaseLetterForm {
    _csrf: String,
    template: String,
    person_id: String,
    response: String,
}

crate::shell::session::csrf_forms!(CaseLetterForm);

/// Sends a case letter to one party (the button on the case letter page),
/// then shows the case.
pub async fn send_case_letter(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<CaseLetterForm>) -> Response {
    let input = hearth_gate::comms::SendInput {
        template: Some(f.template.clone()),
        person_id: f.person_id.trim().parse().ok(),
        response: Some(f.response.clone()).filter(|r| !r.trim().is_empty()),
    };
    match (s.gate.send_case_letter(&session.actor, id, &input).await, input.person_id) {
        (Ok(_), _) => Redirect::to(&format!("/cases/{id}?done=letter")).into_response(),
        // Back to the letter page, the error on the field that caused it.
        (Err(hearth_gate::GateError::Invalid(v)), Some(person_id)) => {
            letter_view(&s, &session, id, person_id, StatusCode::UNPROCESSABLE_ENTITY, &f.response, &v.0).await
        }
        (Err(e), _) => error_page(&session, e),
    }
}

fn letter_content(l: &CaseLetter) -> Markup {
    html! {
        a class="govuk-back-link" href={ "/cases/" (l.case_id) } { "Back to the case" }
        span class="govuk-caption-l" { (l.case_reference) }
        h1 class="govuk-heading-l" { "Letter" }
        p class="govuk-body" { "Print this letter or copy it into the letter template. It goes to the addressee only." }
        div class="govuk-inset-text" id="letter" {
            p class="govuk-body" { @for (i, line) in l.from_lines.iter().enumerate() { @if i > 0 { br; } (line) } }
            p class="govuk-body" { @for (i, line) in l.to_lines.iter().enumerate() { @if i > 0 { br; } (line) } }
            p class="govuk-body" { (crate::shell::words::long_date(l.date)) }
            p class="govuk-body" { "Our reference: " (l.case_reference) }
            p class="govuk-body" { (l.salutation) }
            p class="govuk-body govuk-!-font-weight-bold" { (l.subject) }
            @for para in &l.paragraphs { p class="govuk-body" { (para) } }
            p class="govuk-body" { @for (i, line) in l.sign_off.iter().enumerate() { @if i > 0 { br; } (line) } }
        }
    }
}

// ---- the cases on a person's own record ----

/// The cases section of a person's page; nothing if the actor may see none.
/// `open_only` is the person page's summary: only the cases still open.
pub async fn person_section(gate: &Gate, s: &UiSession, person_id: Id, open_only: bool) -> Markup {
    let mut cases: Vec<PersonCase> = gate.person_cases(&s.actor, person_id).await.unwrap_or_default();
    if open_only {
        cases.retain(|pc| !pc.case.is_closed());
    }
    html! {
        h2 class="govuk-heading-m" { (if open_only { "Open cases" } else { "Cases" }) }
        @if cases.is_empty() {
            p class="govuk-body" { (if open_only { "No open cases you can see." } else { "No cases you can see." }) }
        } @else {
            table class="govuk-table" {
                caption class="govuk-table__caption govuk-visually-hidden" { "Cases this person is party to" }
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Reference" }
                    th scope="col" class="govuk-table__header" { "Kind" }
                    th scope="col" class="govuk-table__header" { "Role" }
                    th scope="col" class="govuk-table__header" { "Status" }
                    th scope="col" class="govuk-table__header" { span class="govuk-visually-hidden" { "Letter" } }
                } }
                tbody class="govuk-table__body" {
                    @for pc in &cases {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { a class="govuk-link" href={ "/cases/" (pc.case.id) } { (pc.case.reference) } }
                            td class="govuk-table__cell" { (pc.case.kind.label()) }
                            td class="govuk-table__cell" {
                                (pc.role.label())
                                @if pc.reported_anonymously { " " strong class="govuk-tag govuk-tag--grey" { "Reported anonymously" } }
                            }
                            td class="govuk-table__cell" { (pc.case.status.label()) }
                            td class="govuk-table__cell" {
                                a class="govuk-link" href={ "/cases/" (pc.case.id) "/letters/" (person_id) } {
                                    "Letter" span class="govuk-visually-hidden" { " about " (pc.case.reference) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

// ---- the DPO's register ----

pub async fn register(State(s): State<AppState>, session: UiSession) -> Response {
    let list = match s.gate.list_overrides(&session.actor, None, Some(100)).await {
        Ok(p) => p.items,
        Err(e) => return error_page(&session, e),
    };
    let title = "Anonymity overrides";
    respond(
        StatusCode::OK,
        page(
            title,
            &chrome(&session),
            false,
            html! {
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { "Every request to reveal an anonymous reporter, newest first (the latest 100), with its ground and approval." }
                @if list.is_empty() {
                    p class="govuk-body" { "No overrides have been asked for." }
                } @else {
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-visually-hidden" { "Anonymity overrides" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Case" }
                            th scope="col" class="govuk-table__header" { "Ground" }
                            th scope="col" class="govuk-table__header" { "Detail" }
                            th scope="col" class="govuk-table__header" { "Asked by" }
                            th scope="col" class="govuk-table__header" { "Status" }
                        } }
                        tbody class="govuk-table__body" {
                            @for o in &list {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { a class="govuk-link" href={ "/cases/" (o.case_id) "#anonymity" } { (o.case_reference) } }
                                    td class="govuk-table__cell" { (o.ground.label()) }
                                    td class="govuk-table__cell" { (o.detail) }
                                    td class="govuk-table__cell" { (o.requested_by_username) ", " (uk_time(o.requested_at)) }
                                    td class="govuk-table__cell" {
                                        (status_tag(o))
                                        @if let Some(at) = o.approved_at { ", " (uk_time(at)) }
                                    }
                                }
                            }
                        }
                    }
                }
            },
        ),
    )
}
