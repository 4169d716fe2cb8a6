//! Letters, emails and texts in the web UI: what was sent about a rights
//! request (each with its channel, format and whether it went), the page to
//! send one of the request's letters, sending a case letter to a party, and
//! downloading what was sent. The gate decides, picks each recipient's
//! channel and format, and records everything; a failure reaches the
//! sender's home page ([`failures_panel`]).

use crate::shell::layout::{csrf_field, error_summary, page, radios, select, success_banner, textarea};
use crate::shell::respond::{chrome, error_page, respond, Done};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::long_date;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::comms::{CommChannel, CommStatus, Communication, RecipientRole, Template};
use hearth_domain::error::FieldError;
use hearth_gate::breaches::BreachView;
use hearth_gate::comms::{BreachNoticeInput, SendInput};
use hearth_gate::rights::RightsRequestView;
use hearth_gate::GateError;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LetterForm {
    _csrf: String,
    template: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NoticeForm {
    _csrf: String,
    person_id: String,
    what_happened: String,
    likely_consequences: String,
    measures: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PostedForm {
    _csrf: String,
}

crate::shell::session::csrf_forms!(LetterForm, NoticeForm, PostedForm);

fn sent_on(c: &Communication) -> String {
    c.created_at.parse::<jiff::Timestamp>().map(|t| long_date(crate::shell::words::london(t).date())).unwrap_or_default()
}

fn status_tag(c: &Communication) -> Markup {
    let colour = match c.status {
        CommStatus::Sent => "govuk-tag--green",
        CommStatus::ReadyToPrint => "govuk-tag--blue",
        CommStatus::Queued => "govuk-tag--grey",
        CommStatus::Failed => "govuk-tag--red",
    };
    html! { strong class={ "govuk-tag " (colour) } { (c.status.label()) } }
}

/// The table of what was sent: what, to whom, how, when, and the file.
pub fn sent_table(list: &[Communication]) -> Markup {
    html! {
        @if list.is_empty() {
            p class="govuk-body" { "Nothing sent yet." }
        } @else {
            table class="govuk-table" {
                caption class="govuk-table__caption govuk-visually-hidden" { "Letters, emails and texts sent" }
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Letter" }
                    th scope="col" class="govuk-table__header" { "To" }
                    th scope="col" class="govuk-table__header" { "How" }
                    th scope="col" class="govuk-table__header" { "Status" }
                } }
                tbody class="govuk-table__body" {
                    @for c in list {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" {
                                (c.template.label()) br;
                                span class="govuk-hint" { (sent_on(c)) }
                                @if c.file_kind.is_some() {
                                    br; a class="govuk-link" href={ "/communications/" (c.id) "/file" } { "Download" span class="govuk-visually-hidden" { " " (c.template.label().to_lowercase()) } }
                                }
                            }
                            td class="govuk-table__cell" {
                                @match (c.recipient, &c.recipient_name) {
                                    (RecipientRole::Representative, Some(n)) => { (n) " (representative)" }
                                    _ => { (c.person_name) }
                                }
                                @if let Some(a) = &c.to_address { br; span class="govuk-hint" { (a.replace('\n', ", ")) } }
                            }
                            td class="govuk-table__cell" {
                                (c.channel.map(CommChannel::label).unwrap_or("Not sent"))
                                br; span class="govuk-hint" { (c.format.label()) }
                            }
                            td class="govuk-table__cell" {
                                (status_tag(c))
                                @if let Some(f) = &c.failure { br; (f) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// For the request page: what was sent, and the way to send a letter.
pub fn rights_panel(request_id: i64, list: &[Communication]) -> Markup {
    html! {
        h2 class="govuk-heading-m" id="letters" { "Letters and emails" }
        (sent_table(list))
        p class="govuk-body" { a class="govuk-link" href={ "/rights/" (request_id) "/letters" } { "Send a letter" } }
    }
}

fn rights_letters_page(
    s: &UiSession,
    v: &RightsRequestView,
    list: &[Communication],
    f: &LetterForm,
    errors: &[FieldError],
    done: bool,
) -> Markup {
    let r = &v.request;
    let options: Vec<(&str, &str)> = Template::RIGHTS.iter().map(|t| (t.as_str(), t.label())).collect();
    page(
        &format!("Letters: {}", r.reference),
        &chrome(s),
        !errors.is_empty(),
        html! {
            a class="govuk-back-link" href={ "/rights/" (r.id) } { "Back to " (r.reference) }
            @if done { (success_banner("Letter sent")) }
            (error_summary(errors))
            span class="govuk-caption-l" { (r.reference) ": " (r.kind.label()) " for " (r.person_name) }
            h1 class="govuk-heading-l" { "Letters and emails" }
            (sent_table(list))
            h2 class="govuk-heading-m" { "Send a letter" }
            p class="govuk-body" {
                "It goes the way " (r.person_name) " prefers (email, letter or text) and in the format their adjustments ask for, "
                "with a copy to a representative who may act for them in everything. It is logged on their record."
            }
            form method="post" action={ "/rights/" (r.id) "/letters" } novalidate {
                (csrf_field(&s.csrf))
                (select("template", "Which letter", &options, &f.template, errors))
                button type="submit" class="govuk-button" data-module="govuk-button" { "Send letter" }
            }
        },
    )
}

pub async fn rights_letters(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>, Query(done): Query<Done>) -> Response {
    let v = match s.gate.rights_request(&session.actor, id).await {
        Ok(v) => v,
        Err(e) => return error_page(&session, e),
    };
    let list = match s.gate.rights_communications(&session.actor, id).await {
        Ok(l) => l,
        Err(e) => return error_page(&session, e),
    };
    let done = done.done.as_deref() == Some("letter");
    respond(StatusCode::OK, rights_letters_page(&session, &v, &list, &LetterForm::default(), &[], done))
}

pub async fn send_rights_letter(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<LetterForm>) -> Response {
    let input = SendInput { template: Some(f.template.clone()), person_id: None, response: None };
    match s.gate.send_rights_letter(&session.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/rights/{id}/letters?done=letter")).into_response(),
        Err(GateError::Invalid(v)) => {
            let (view, list) =
                match (s.gate.rights_request(&session.actor, id).await, s.gate.rights_communications(&session.actor, id).await) {
                    (Ok(view), Ok(list)) => (view, list),
                    (Err(e), _) | (_, Err(e)) => return error_page(&session, e),
                };
            respond(StatusCode::UNPROCESSABLE_ENTITY, rights_letters_page(&session, &view, &list, &f, &v.0, false))
        }
        Err(e) => error_page(&session, e),
    }
}

/// The send button for a case letter, under the letter's preview.
pub fn send_case_letter_form(csrf: &str, case_id: i64, person_id: i64) -> Markup {
    html! {
        form method="post" action={ "/cases/" (case_id) "/letters" } novalidate {
            (csrf_field(csrf))
            input type="hidden" name="template" value="case_letter";
            input type="hidden" name="person_id" value=(person_id);
            button type="submit" class="govuk-button" data-module="govuk-button" { "Send this letter" }
            p class="govuk-hint" { "It goes the way they prefer (email, letter or text), in the format they need, and is logged on their record." }
        }
    }
}

/// For a complaint's complainant: send the acknowledgement, or a stage response.
pub fn complaint_letter_forms(csrf: &str, case_id: i64, person_id: i64, response: &str, errors: &[FieldError]) -> Markup {
    html! {
        h2 class="govuk-heading-m" { "Complaint letters" }
        form method="post" action={ "/cases/" (case_id) "/letters" } novalidate {
            (csrf_field(csrf))
            input type="hidden" name="template" value="complaint_acknowledgement";
            input type="hidden" name="person_id" value=(person_id);
            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Send the complaint acknowledgement" }
        }
        form method="post" action={ "/cases/" (case_id) "/letters" } novalidate {
            (csrf_field(csrf))
            input type="hidden" name="template" value="complaint_response";
            input type="hidden" name="person_id" value=(person_id);
            (textarea("response", "response", "Our response at this stage", response, errors))
            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Send the stage response" }
        }
    }
}

/// Downloads what was sent: the PDF letter, or the email as sent.
pub async fn file(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.communication_file(&session.actor, id).await {
        Ok((kind, bytes)) => crate::export::file(kind, &format!("communication-{id}"), bytes),
        Err(e) => error_page(&session, e),
    }
}

/// Where a communication belongs: its case, or (for one who answers for
/// them, `may_rights`) its breach or its request's letters.
fn about_link(c: &Communication, may_rights: bool) -> Option<String> {
    match (c.about_type.as_str(), may_rights) {
        ("case", _) => Some(format!("/cases/{}", c.about_id)),
        ("breach", true) => Some(format!("/breaches/{}", c.about_id)),
        (_, true) => Some(format!("/rights/{}/letters", c.about_id)),
        _ => None,
    }
}

/// For the sender's home page: their letters waiting to be printed and posted.
pub fn to_print_panel(csrf: &str, list: &[Communication]) -> Markup {
    html! {
        @if !list.is_empty() {
            h2 class="govuk-heading-m" id="to-print" { "Letters to print and post" }
            ul class="govuk-list" {
                @for c in list {
                    li {
                        // Only the DPO is shown rights letters and breach notices here.
                        a class="govuk-link" href=[about_link(c, true)] { (c.template.label()) } " (" (c.format.label().to_lowercase()) "), " (sent_on(c)) ". "
                        a class="govuk-link" href={ "/communications/" (c.id) "/file" } { "Print it" span class="govuk-visually-hidden" { ": " (c.template.label().to_lowercase()) } }
                        form method="post" action={ "/communications/" (c.id) "/posted" } class="govuk-!-display-inline" {
                            (csrf_field(csrf))
                            " "
                            button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" {
                                "Mark as posted" span class="govuk-visually-hidden" { ": " (c.template.label().to_lowercase()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Records a letter as posted, then back home.
pub async fn posted(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, _f): Posted<PostedForm>) -> Response {
    match s.gate.mark_posted(&session.actor, id).await {
        Ok(_) => Redirect::to("/#to-print").into_response(),
        Err(e) => error_page(&session, e),
    }
}

/// For the sender's home page: what they sent that could not be sent.
/// `may_rights`: the reader answers for rights letters (links to them).
pub fn failures_panel(list: &[Communication], may_rights: bool) -> Markup {
    html! {
        @if !list.is_empty() {
            div class="govuk-notification-banner" role="region" aria-labelledby="failed-letters-title" data-module="govuk-notification-banner" {
                div class="govuk-notification-banner__header" {
                    h2 class="govuk-notification-banner__title" id="failed-letters-title" { "Could not be sent" }
                }
                div class="govuk-notification-banner__content" {
                    ul class="govuk-list" id="failed-letters" {
                        @for c in list {
                            li {
                                @match about_link(c, may_rights) {
                                    Some(href) => { a class="govuk-link" href=(href) { (c.template.label()) } }
                                    // Someone who took a request at the front door: the DPO sees it too.
                                    None => { (c.template.label()) " (the data protection officer has been told)" }
                                }
                                ", " (sent_on(c)) ": " (c.failure.as_deref().unwrap_or("not sent"))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn notice_page(s: &UiSession, v: &BreachView, f: &NoticeForm, errors: &[FieldError]) -> Markup {
    let b = &v.breach;
    let people: Vec<(String, String)> = v.people.iter().map(|p| (p.person_id.to_string(), p.name.clone())).collect();
    let options: Vec<(&str, &str)> = people.iter().map(|(v, l)| (v.as_str(), l.as_str())).collect();
    page(
        &format!("Tell a person affected: {}", b.reference),
        &chrome(s),
        !errors.is_empty(),
        html! {
            a class="govuk-back-link" href={ "/breaches/" (b.id) } { "Back to " (b.reference) }
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(errors))
                span class="govuk-caption-l" { (b.reference) ": " (b.title) }
                h1 class="govuk-heading-l" { "Tell a person affected" }
                p class="govuk-body" {
                    "Write for them, in plain words: what happened, what it may mean for them, and what has been done. "
                    "The notice adds how to contact the data protection officer and their right to complain to the ICO. "
                    "It goes the way they prefer, in the format they need, and the register records them as told."
                }
                @if options.is_empty() {
                    p class="govuk-body" { "Record the people affected on the breach first." }
                } @else {
                    form method="post" action={ "/breaches/" (b.id) "/notices" } novalidate {
                        (csrf_field(&s.csrf))
                        (radios("person_id", "Who to tell", None, &options, &f.person_id, errors, ""))
                        (textarea("what_happened", "what_happened", "What happened", &f.what_happened, errors))
                        (textarea("likely_consequences", "likely_consequences", "What it may mean for them", &f.likely_consequences, errors))
                        (textarea("measures", "measures", "What has been done", &f.measures, errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Send the notice" }
                    }
                }
            } }
        },
    )
}

pub async fn breach_notice_form(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.breach(&session.actor, id).await {
        Ok(v) => respond(StatusCode::OK, notice_page(&session, &v, &NoticeForm::default(), &[])),
        Err(e) => error_page(&session, e),
    }
}

pub async fn send_breach_notice(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<NoticeForm>) -> Response {
    let given = |v: &str| Some(v.to_string()).filter(|v| !v.trim().is_empty());
    let input = BreachNoticeInput {
        person_id: f.person_id.trim().parse().ok(),
        what_happened: given(&f.what_happened),
        likely_consequences: given(&f.likely_consequences),
        measures: given(&f.measures),
    };
    match s.gate.send_breach_notice(&session.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/breaches/{id}?done=notice")).into_response(),
        Err(GateError::Invalid(errors)) => match s.gate.breach(&session.actor, id).await {
            Ok(v) => respond(StatusCode::UNPROCESSABLE_ENTITY, notice_page(&session, &v, &f, &errors.0)),
            Err(e) => error_page(&session, e),
        },
        Err(e) => error_page(&session, e),
    }
}
