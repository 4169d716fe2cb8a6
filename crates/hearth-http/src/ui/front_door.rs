//! The front door in the web UI: any member of staff records a request that
//! reached them (a request about someone's information, a complaint, a
//! report of antisocial behaviour) on one form, from the menu or a person's
//! page, and gets a receipt. The record itself is the DPO's or the owning
//! team's to read, so the receipt is all the page shows afterwards.

use crate::shell::layout::{
    conditional_radios, csrf_field, date_input, error_for, error_summary, inline_error, page, radios, textarea, Input,
};
use crate::shell::picker::{self, picker, PickKind, Picked};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::{form_date, long_date};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hearth_domain::{
    error::FieldError,
    front_door::{plain_words, FrontDoorInput, FrontDoorKind, ReceivedVia},
    rights::RightsRequestKind,
};
use hearth_gate::front_door::FrontDoorReceipt;
use hearth_gate::{Gate, GateError};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct FrontDoorForm {
    _csrf: String,
    _pick: String,
    kind: String,
    person_id: String,
    person_id_q: String,
    requester: String,
    representative_name: String,
    representative_relationship: String,
    channel: String,
    received_on_day: String,
    received_on_month: String,
    received_on_year: String,
    right: String,
    summary: String,
    message: String,
    anonymous: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FrontDoorQuery {
    person_id: Option<String>,
}

/// The rights in plain words, each with a hint, for someone who does not
/// know the legal names.
fn right_radios(f: &FrontDoorForm, errors: &[FieldError]) -> Markup {
    let error = error_for(errors, "right");
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            fieldset class="govuk-fieldset" aria-describedby=[error.is_some().then_some("right-error")] {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "What do they want us to do with their information?" }
                (inline_error("right", error))
                div class="govuk-radios" data-module="govuk-radios" {
                    @for (i, k) in RightsRequestKind::ALL.iter().enumerate() {
                        @let id = if i == 0 { "right".to_string() } else { format!("right-{}", k.as_str()) };
                        @let (label, hint) = plain_words(*k);
                        div class="govuk-radios__item" {
                            input class="govuk-radios__input" id=(id) name="right" type="radio" value=(k.as_str())
                                checked[f.right == k.as_str()] aria-describedby={ (id) "-hint" };
                            label class="govuk-label govuk-radios__label" for=(id) { (label) }
                            div id={ (id) "-hint" } class="govuk-hint govuk-radios__hint" { (hint) }
                        }
                    }
                }
            }
        }
    }
}

fn form_page(s: &UiSession, f: &FrontDoorForm, person: &Picked, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let title = "Record a request";
    let anonymous = html! {
        div class="govuk-form-group" {
            div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                div class="govuk-checkboxes__item" {
                    input class="govuk-checkboxes__input" id="anonymous" name="anonymous" type="checkbox" value="yes" checked[f.anonymous == "yes"];
                    label class="govuk-label govuk-checkboxes__label" for="anonymous" { "They do not want to be named to anyone working the case" }
                }
            }
            (inline_error("anonymous", error_for(errors, "anonymous")))
        }
    };
    let kinds = [
        (FrontDoorKind::RightsRequest.as_str(), FrontDoorKind::RightsRequest.label(), Some(right_radios(f, errors))),
        (FrontDoorKind::Complaint.as_str(), "A complaint about our service", None),
        (FrontDoorKind::AsbReport.as_str(), "A report of antisocial behaviour", Some(anonymous)),
    ];
    let representative = html! {
        (Input::text("representative_name", "Their name", &f.representative_name).autocomplete("off").render(errors))
        (Input::text("representative_relationship", "How they are related to the person", &f.representative_relationship)
            .hint("For example, daughter, solicitor, support worker.").autocomplete("off").render(errors))
    };
    let requesters = [("person", "The person themselves", None), ("representative", "Someone on their behalf", Some(representative))];
    let requester = if f.requester.is_empty() { "person" } else { f.requester.as_str() };
    let channels: Vec<(&str, &str)> = ReceivedVia::ALL.iter().map(|c| (c.as_str(), c.label())).collect();
    respond(
        status,
        page(
            title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    h1 class="govuk-heading-l" { (title) }
                    p class="govuk-body" {
                        "Record it today, whoever it reached: the time we have to answer runs from the day anyone here received it. "
                        "The people who answer it are told; you get a reference to give the person."
                    }
                    form method="post" action="/front-door" novalidate {
                        (csrf_field(&s.csrf))
                        (picker("person_id", "Who is it from?", PickKind::Person, person, errors))
                        (conditional_radios("requester", "Who asked?", &requesters, requester, errors))
                        (conditional_radios("kind", "What are they asking for?", &kinds, &f.kind, errors))
                        (Input::text("summary", "For a complaint or a report: what is it about, in a sentence?", &f.summary)
                            .hint("For example, repair to the boiler not done after three visits.").render(errors))
                        (radios("channel", "How did it arrive?", None, &channels, &f.channel, errors, ""))
                        (date_input("received_on", "When did it arrive?", "The day anyone here received it. For example, 27 3 2027",
                            (&f.received_on_day, &f.received_on_month, &f.received_on_year), errors))
                        (textarea("message", "message", "A copy of what they sent, or what they said", &f.message, errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Record the request" }
                    }
                } }
            },
        ),
    )
}

/// The form, the person filled in when it was opened from their page and
/// the date received set to today.
pub async fn form(State(s): State<AppState>, session: UiSession, Query(q): Query<FrontDoorQuery>) -> Response {
    let person = q.person_id.filter(|p| !p.is_empty() && p.len() < 20 && p.bytes().all(|b| b.is_ascii_digit()));
    let today = Gate::today();
    let f = FrontDoorForm {
        person_id: person.unwrap_or_default(),
        received_on_day: today.day().to_string(),
        received_on_month: today.month().to_string(),
        received_on_year: today.year().to_string(),
        ..Default::default()
    };
    render(&s, &session, &f, vec![]).await
}

/// The form again, its picker looked up through the gate.
async fn render(s: &AppState, session: &UiSession, f: &FrontDoorForm, errors: Vec<FieldError>) -> Response {
    match picker::resolve(&s.gate, &session.actor, PickKind::Person, &f.person_id, &f.person_id_q).await {
        Ok(p) => form_page(session, f, &p, &errors),
        Err(e) => error_page(session, e),
    }
}

pub async fn receive(State(s): State<AppState>, Posted(session, mut f): Posted<FrontDoorForm>) -> Response {
    // "Find" or "Change" on the picker: the form again, nothing written.
    if let Some((_, change)) = picker::pick_request(&f._pick) {
        if change {
            f.person_id.clear();
        }
        return render(&s, &session, &f, vec![]).await;
    }
    let person = match picker::resolve(&s.gate, &session.actor, PickKind::Person, &f.person_id, &f.person_id_q).await {
        Ok(p) => p,
        Err(e) => return error_page(&session, e),
    };
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let input = FrontDoorInput {
        kind: opt(&f.kind),
        person_id: person.id(),
        requester: opt(&f.requester),
        representative_name: opt(&f.representative_name),
        representative_relationship: opt(&f.representative_relationship),
        channel: opt(&f.channel),
        received_on: form_date(&f.received_on_day, &f.received_on_month, &f.received_on_year),
        right: opt(&f.right),
        summary: opt(&f.summary),
        message: Some(f.message.clone()),
        anonymous: Some(f.anonymous == "yes"),
    };
    let unchosen = picker::unchosen(&[("person_id", &person)]);
    if !unchosen.is_empty() {
        let mut errors = unchosen;
        if let Err(v) = input.validate(Gate::today()) {
            errors.extend(v.0.into_iter().filter(|e| e.field != "person_id"));
        }
        return form_page(&session, &f, &person, &errors);
    }
    match s.gate.receive_request(&session.actor, &input).await {
        Ok(r) => respond(StatusCode::OK, receipt_page(&session, &r)),
        Err(GateError::Invalid(v)) => form_page(&session, &f, &person, &v.0),
        Err(e) => error_page(&session, e),
    }
}

fn receipt_page(s: &UiSession, r: &FrontDoorReceipt) -> Markup {
    let title = match r.kind {
        FrontDoorKind::RightsRequest => "Request recorded",
        FrontDoorKind::Complaint => "Complaint recorded",
        FrontDoorKind::AsbReport => "Report recorded",
    };
    page(
        title,
        &chrome(s),
        false,
        html! {
            div class="govuk-panel govuk-panel--confirmation" {
                h1 class="govuk-panel__title" { (title) }
                div class="govuk-panel__body" { "Reference " strong id="reference" { (r.reference) } }
            }
            @if r.told_count > 0 {
                p class="govuk-body" id="told" { "We have told " (r.told) ". Received on " (long_date(r.received_on)) "." }
            } @else {
                p class="govuk-body" id="told" { "Nobody answers for it in Hearth yet: tell your manager today. Received on " (long_date(r.received_on)) "." }
            }
            @if let Some(a) = &r.acknowledgement { p class="govuk-body" id="acknowledgement" { (a) } }
            @match r.kind {
                FrontDoorKind::RightsRequest => {
                    @if let Some(d) = r.due_on {
                        p class="govuk-body" id="due" { "The answer is due by " strong { (long_date(d)) } "." }
                    }
                    p class="govuk-body" { "The data protection officer handles it from here, so you will not see it in Hearth. Give the person the reference if they ask." }
                }
                FrontDoorKind::Complaint => {
                    @if let (Some(a), Some(d)) = (r.acknowledge_by, r.due_on) {
                        p class="govuk-body" id="due" { "It must be acknowledged by " strong { (long_date(a)) } " and answered by " strong { (long_date(d)) } "." }
                    }
                }
                FrontDoorKind::AsbReport => {
                    p class="govuk-body" { "The team responsible for antisocial behaviour takes it from here." }
                }
            }
            p class="govuk-body" { a class="govuk-link" href="/front-door" { "Record another request" } }
        },
    )
}

crate::shell::session::csrf_forms!(FrontDoorForm);
