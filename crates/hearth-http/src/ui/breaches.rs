//! The breach register in the web UI, for the data protection officer: the
//! register with each open breach's 72-hour clock, the record-a-breach form,
//! and the breach page with its forms (risk assessment, decision to report,
//! people affected and told, actions, committee report, closure).
//!
//! Times are typed and shown in UK time (Europe/London) and sent to the gate
//! as UTC.

use crate::shell::layout::{csrf_field, date_input, error_summary, page, radios, row, success_banner, textarea, Input};
use crate::shell::picker::{self, picker, PickKind, Picked};
use crate::shell::respond::{chrome, error_page, respond, Done, Refusal};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::form_date;
use crate::shell::words::{long_date, uk_time};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::{
    access::Compartment,
    breaches::{BreachChange, BreachDecision, BreachInput, BreachRisk, BreachStatus, ReportingClock},
    error::FieldError,
    Id,
};
use hearth_gate::breaches::BreachView;
use hearth_gate::{Gate, GateError};
use maud::{html, Markup};
use serde::Deserialize;

fn clock_tag(clock: &ReportingClock, time_left: Option<&str>) -> Markup {
    html! {
        @match clock {
            ReportingClock::Running { overdue: true, .. } => strong class="govuk-tag govuk-tag--red" { "Report overdue: " (time_left.unwrap_or("")) },
            ReportingClock::Running { .. } => strong class="govuk-tag govuk-tag--orange" { "Decide within " (time_left.unwrap_or("")) },
            ReportingClock::Reported { late: true } => strong class="govuk-tag govuk-tag--grey" { "Reported late" },
            ReportingClock::Reported { .. } => strong class="govuk-tag govuk-tag--green" { "Reported in time" },
            ReportingClock::NotReported => strong class="govuk-tag govuk-tag--grey" { "Not reportable" },
        }
    }
}

/// A date and a time typed in UK local time, as a UTC RFC 3339 string for
/// the gate; blank boxes are `None`.
fn uk_datetime(d: Option<String>, time: &str) -> Result<Option<String>, String> {
    let Some(d) = d else { return Ok(None) };
    let time = if time.trim().is_empty() { "00:00" } else { time.trim() };
    let date: jiff::civil::Date = d.parse().map_err(|_| "must be a real date".to_string())?;
    let t: jiff::civil::Time = format!("{time}:00").parse().or_else(|_| time.parse()).map_err(|_| "time must be like 14:30".to_string())?;
    let zone = jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC);
    let z = date.to_datetime(t).to_zoned_datetime(zone).map_err(|_| "must be a real time".to_string())?;
    Ok(Some(z.timestamp().to_string()))
}

pub async fn list(State(s): State<AppState>, session: UiSession) -> Response {
    let items = match s.gate.breaches(&session.actor, false).await {
        Ok(b) => b,
        Err(e) => return error_page(&session, e),
    };
    let title = "Breach register";
    respond(
        StatusCode::OK,
        page(
            title,
            &chrome(&session),
            false,
            html! {
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { "Every personal data breach is recorded here, reported or not. A reportable breach must be reported to the ICO within 72 hours of discovery." }
                a href="/breaches/new" role="button" draggable="false" class="govuk-button" data-module="govuk-button" { "Record a breach" }
                @if items.is_empty() {
                    p class="govuk-body" { "No breaches recorded." }
                } @else {
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-table__caption--m" { "Breaches, open first" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Reference" }
                            th scope="col" class="govuk-table__header" { "Incident" }
                            th scope="col" class="govuk-table__header" { "Discovered" }
                            th scope="col" class="govuk-table__header" { "Risk" }
                            th scope="col" class="govuk-table__header" { "ICO report" }
                            th scope="col" class="govuk-table__header" { "Status" }
                        } }
                        tbody class="govuk-table__body" {
                            @for b in &items {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { a class="govuk-link" href={ "/breaches/" (b.breach.id) } { (b.breach.reference) } }
                                    td class="govuk-table__cell" { (b.breach.title) }
                                    td class="govuk-table__cell" { (uk_time(b.breach.discovered_at)) }
                                    td class="govuk-table__cell" { (b.breach.risk.label()) }
                                    td class="govuk-table__cell" { (clock_tag(&b.clock, b.time_left.as_deref())) }
                                    td class="govuk-table__cell" { (b.breach.status.label()) }
                                }
                            }
                        }
                    }
                }
            },
        ),
    )
}

// ---- recording a breach ----

/// What was typed into the record-a-breach form, to show it again with errors.
#[derive(Default, Clone)]
pub struct BreachForm {
    title: String,
    description: String,
    discovered_on_day: String,
    discovered_on_month: String,
    discovered_on_year: String,
    discovered_time: String,
    people_affected_estimate: String,
}

fn classes_checkboxes(name: &str, chosen: &[Compartment], errors: &[FieldError]) -> Markup {
    let error = crate::shell::layout::error_for(errors, name);
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            fieldset class="govuk-fieldset" aria-describedby=[error.is_some().then(|| format!("{name}-error"))] {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Classes of record affected" }
                (crate::shell::layout::inline_error(name, error))
                div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                    @for (i, c) in Compartment::ALL.iter().enumerate() {
                        @let id = if i == 0 { name.to_string() } else { format!("{name}-{}", c.as_str()) };
                        div class="govuk-checkboxes__item" {
                            input class="govuk-checkboxes__input" id=(id) name={ (name) "_" (c.as_str()) } type="checkbox" value="yes" checked[chosen.contains(c)];
                            label class="govuk-label govuk-checkboxes__label" for=(id) { (c.label()) }
                        }
                    }
                }
            }
        }
    }
}

/// The ticked compartments of a posted form (`record_classes_<name>=yes`).
fn ticked(pairs: &[(String, String)], prefix: &str) -> Vec<String> {
    pairs.iter().filter_map(|(k, v)| k.strip_prefix(prefix).filter(|_| v == "yes").map(str::to_string)).collect()
}

/// The same form records a breach in the register (the DPO) or reports a
/// suspected one (any member of staff).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Record,
    Report,
}

fn new_breach_page(s: &UiSession, mode: Mode, f: &BreachForm, classes: &[Compartment], errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let (title, action, button) = match mode {
        Mode::Record => ("Record a breach", "/breaches", "Record the breach"),
        Mode::Report => ("Report a data breach", "/report-a-breach", "Report the breach"),
    };
    respond(
        status,
        page(
            title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                @if mode == Mode::Record { a class="govuk-back-link" href="/breaches" { "Back to the breach register" } }
                div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    h1 class="govuk-heading-l" { (title) }
                    @if mode == Mode::Report {
                        p class="govuk-body" {
                            "Report it now, even if you are not sure: personal data lost, sent to the wrong person, seen by someone "
                            "who should not see it, or changed or destroyed by mistake. The data protection officer decides within 72 hours "
                            "of discovery whether the Information Commissioner's Office must be told."
                        }
                    }
                    form method="post" action=(action) novalidate {
                        (csrf_field(&s.csrf))
                        (Input::text("title", "Incident", &f.title).hint("A short name, for example: rent statement sent to the wrong address.").render(errors))
                        (textarea("description", "description", "What happened", &f.description, errors))
                        (date_input("discovered_at", "When was it discovered?", "For example, 27 3 2027. The 72-hour clock runs from discovery.", (&f.discovered_on_day, &f.discovered_on_month, &f.discovered_on_year), errors))
                        (Input::text("discovered_time", "Time discovered (UK time)", &f.discovered_time).hint("For example, 14:30").width("5").no_spellcheck().render(errors))
                        (classes_checkboxes("record_classes", classes, errors))
                        (Input::text("people_affected_estimate", "How many people are affected, as far as you know (optional)", &f.people_affected_estimate).width("5").no_spellcheck().render(errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { (button) }
                    }
                } }
            },
        ),
    )
}

pub async fn new_breach_form(session: UiSession) -> Response {
    new_breach_page(&session, Mode::Record, &BreachForm::default(), &[], &[])
}

pub async fn report_form(session: UiSession) -> Response {
    new_breach_page(&session, Mode::Report, &BreachForm::default(), &[], &[])
}

pub async fn record_breach(State(s): State<AppState>, Posted(session, raw): Posted<RawForm>) -> Response {
    posted(s, session, raw, Mode::Record).await
}

pub async fn report_breach(State(s): State<AppState>, Posted(session, raw): Posted<RawForm>) -> Response {
    posted(s, session, raw, Mode::Report).await
}

async fn posted(s: AppState, session: UiSession, raw: RawForm, mode: Mode) -> Response {
    let f = raw.breach_form();
    let classes = ticked(&raw.pairs, "record_classes_");
    let chosen: Vec<Compartment> = classes.iter().filter_map(|c| Compartment::parse(c)).collect();
    let mut errors = vec![];
    let discovered = match uk_datetime(form_date(&f.discovered_on_day, &f.discovered_on_month, &f.discovered_on_year), &f.discovered_time) {
        Ok(d) => d,
        Err(e) => {
            let field = if e.starts_with("time") { "discovered_time" } else { "discovered_at" };
            errors.push(FieldError::new(field, format!("The discovery {e}")));
            None
        }
    };
    let estimate = match f.people_affected_estimate.trim() {
        "" => None,
        n => n.parse().map_err(|_| errors.push(FieldError::new("people_affected_estimate", "Enter a whole number, like 12"))).ok(),
    };
    let input = BreachInput {
        title: Some(f.title.clone()),
        description: Some(f.description.clone()),
        discovered_at: discovered,
        occurred_at: None,
        record_classes: Some(classes),
        people_affected_estimate: estimate,
    };
    if !errors.is_empty() {
        if let Err(v) = input.validate(jiff::Timestamp::now()) {
            errors.extend(v.0.into_iter().filter(|e| !errors.iter().any(|x| x.field == e.field)).collect::<Vec<_>>());
        }
        return new_breach_page(&session, mode, &f, &chosen, &errors);
    }
    if mode == Mode::Report {
        return match s.gate.report_breach(&session.actor, &input).await {
            Ok(r) => respond(StatusCode::OK, reported_page(&session, &r)),
            Err(GateError::Invalid(v)) => new_breach_page(&session, mode, &f, &chosen, &v.0),
            Err(e) => error_page(&session, e),
        };
    }
    match s.gate.record_breach(&session.actor, &input).await {
        Ok(v) => Redirect::to(&format!("/breaches/{}?done=recorded", v.breach.id)).into_response(),
        Err(GateError::Invalid(v)) => new_breach_page(&session, mode, &f, &chosen, &v.0),
        Err(e) => error_page(&session, e),
    }
}

fn reported_page(s: &UiSession, r: &hearth_gate::breaches::BreachReceipt) -> maud::Markup {
    let due = r.report_by.parse::<jiff::Timestamp>().map(uk_time).unwrap_or_else(|_| r.report_by.clone());
    page(
        "Breach reported",
        &chrome(s),
        false,
        html! {
            div class="govuk-panel govuk-panel--confirmation" {
                h1 class="govuk-panel__title" { "Breach reported" }
                div class="govuk-panel__body" { "Reference " strong { "BR-" (format!("{:06}", r.id)) } }
            }
            p class="govuk-body" { "The data protection officer has it in the breach register: " (r.title) "." }
            p class="govuk-body" { "If it must be reported to the Information Commissioner's Office, that is due by " (due) ". "
                "Tell the data protection officer at once if you learn more." }
        },
    )
}

// ---- the breach page ----

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "recorded" => "Breach recorded",
        "assessed" => "Risk assessment recorded",
        "decided" => "Decision recorded",
        "person" => "Person recorded",
        "notified" => "Notification recorded",
        "notice" => "Notice sent",
        "action" => "Action recorded",
        "committee" => "Committee report recorded",
        "closed" => "Breach closed",
        _ => return None,
    })
}

pub async fn breach_page(
    State(s): State<AppState>,
    session: UiSession,
    Path(id): Path<i64>,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Response {
    match s.gate.breach(&session.actor, id).await {
        Ok(v) => {
            let banner = done.done.as_deref().and_then(done_message);
            respond(StatusCode::OK, breach_view_page(&session, &v, banner, &ChangeForm::default(), &[]))
        }
        Err(e) => error_page(&session, e),
    }
}

fn breach_view_page(s: &UiSession, v: &BreachView, banner: Option<&str>, f: &ChangeForm, errors: &[FieldError]) -> Markup {
    let b = &v.breach;
    let classes: Vec<&str> = b.record_classes.iter().map(|c| c.label()).collect();
    page(
        &b.reference,
        &chrome(s),
        !errors.is_empty(),
        html! {
            a class="govuk-back-link" href="/breaches" { "Back to the breach register" }
            @if let Some(m) = banner { (success_banner(m)) }
            (error_summary(errors))
            span class="govuk-caption-l" { "Personal data breach" }
            h1 class="govuk-heading-l" { (b.reference) ": " (b.title) }
            p class="govuk-body" id="reporting-clock" { (clock_tag(&v.clock, v.time_left.as_deref())) }
            dl class="govuk-summary-list" {
                (row("What happened", html! { (b.description) }))
                (row("Discovered", html! { (uk_time(b.discovered_at)) }))
                (row("Report to the ICO by", html! { (uk_time(b.report_by)) }))
                (row("Risk", html! { (b.risk.label()) @if let Some(a) = &b.risk_assessment { br; (a) } }))
                (row("Decision", html! {
                    (b.decision.label())
                    @if let Some(r) = &b.decision_reason { br; (r) }
                    @if let Some(t) = b.reported_at { br; "Reported " (uk_time(t)) }
                    @if let Some(r) = &b.ico_reference { br; "ICO reference " (r) }
                    @if let Some(r) = &b.late_reason { br; "Why late: " (r) }
                }))
                (row("Classes of record", html! { @if classes.is_empty() { "Not recorded" } @else { (classes.join(", ")) } }))
                (row("People affected (estimate)", html! { (b.people_affected_estimate.map(|n| n.to_string()).unwrap_or_else(|| "Not known".into())) }))
                (row("Risk and Audit Committee", html! { (b.committee_reported_on.map(long_date).unwrap_or_else(|| "Not reported yet".into())) }))
                (row("Status", html! { (b.status.label()) }))
            }

            h2 class="govuk-heading-m" { "People on record affected" }
            @if v.people.is_empty() {
                p class="govuk-body" { "No people recorded." }
            } @else {
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-visually-hidden" { "People affected" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Name" }
                        th scope="col" class="govuk-table__header" { "Told" }
                    } }
                    tbody class="govuk-table__body" {
                        @for p in &v.people {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { a class="govuk-link" href={ "/people/" (p.person_id) } { (p.name) } }
                                td class="govuk-table__cell" {
                                    @match (p.notified_on, &p.notified_how) {
                                        (Some(d), Some(h)) => { (long_date(d)) " by " (h) }
                                        _ => "Not yet",
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !v.people.is_empty() {
                p class="govuk-body" { a class="govuk-link" href={ "/breaches/" (b.id) "/notices" } { "Tell a person affected" } }
            }
            @if b.risk == BreachRisk::HighRisk && v.people.iter().any(|p| p.notified_on.is_none()) {
                div class="govuk-warning-text" {
                    span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                    strong class="govuk-warning-text__text" { span class="govuk-visually-hidden" { "Warning" } "High risk: tell the people affected without undue delay." }
                }
            }

            h2 class="govuk-heading-m" { "Actions" }
            table class="govuk-table" id="actions" {
                caption class="govuk-table__caption govuk-visually-hidden" { "Actions taken, oldest first" }
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "When" }
                    th scope="col" class="govuk-table__header" { "Who" }
                    th scope="col" class="govuk-table__header" { "What" }
                } }
                tbody class="govuk-table__body" {
                    @for a in &v.actions {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (uk_time(a.at)) }
                            td class="govuk-table__cell" { (a.by_username) }
                            td class="govuk-table__cell" { (a.text) }
                        }
                    }
                }
            }
            @if b.status == BreachStatus::Open { (change_forms(s, v, f, errors)) }
        },
    )
}

fn change_forms(s: &UiSession, v: &BreachView, f: &ChangeForm, errors: &[FieldError]) -> Markup {
    let b = &v.breach;
    let action = format!("/breaches/{}/changes", b.id);
    let hidden = |change: &str| {
        html! {
            (csrf_field(&s.csrf))
            input type="hidden" name="version" value=(b.version);
            input type="hidden" name="change" value=(change);
        }
    };
    let risks: Vec<(&str, &str)> =
        BreachRisk::ALL.iter().filter(|r| **r != BreachRisk::NotAssessed).map(|r| (r.as_str(), r.label())).collect();
    let decisions = [("report", "Reported to the ICO"), ("not_report", "Not reportable")];
    html! {
        h2 class="govuk-heading-m" id="changes" tabindex="-1" { "Work on this breach" }

        h3 class="govuk-heading-s" { "Assess the risk" }
        form method="post" action=(action) novalidate {
            (hidden("assess"))
            (radios("risk", "Risk to people's rights and freedoms", None, &risks, &f.risk, errors, ""))
            (textarea("assessment", "assessment", "Assessment", &f.assessment, errors))
            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record the assessment" }
        }

        @if b.decision == BreachDecision::Pending {
            h3 class="govuk-heading-s" { "Decide whether to report to the ICO" }
            form method="post" action=(action) novalidate {
                (hidden("decide"))
                (radios("decision", "Decision", None, &decisions, &f.decision, errors, ""))
                (textarea("decision_reason", "reason", "Reason", &f.reason, errors))
                (date_input("reported_at", "When it was reported (if reported)", "For example, 27 3 2027", (&f.reported_on_day, &f.reported_on_month, &f.reported_on_year), errors))
                (Input::text("reported_time", "Time reported (UK time)", &f.reported_time).hint("For example, 14:30").width("5").no_spellcheck().render(errors))
                (Input::text("ico_reference", "ICO reference (optional)", &f.ico_reference).width("20").render(errors))
                (textarea("late_reason", "late_reason", "If reported after 72 hours: why it was late", &f.late_reason, errors))
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record the decision" }
            }
        }

        h3 class="govuk-heading-s" { "Record a person affected" }
        form method="post" action=(action) novalidate {
            (hidden("add_person"))
            (picker("add_person_id", "Person affected", PickKind::Person, &f.picked, errors))
            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record the person" }
        }

        @let untold: Vec<_> = v.people.iter().filter(|p| p.notified_on.is_none()).collect();
        @if !untold.is_empty() {
            h3 class="govuk-heading-s" { "Record that a person was told" }
            form method="post" action=(action) novalidate {
                (hidden("notify_person"))
                @let options: Vec<(String, String)> = untold.iter().map(|p| (p.person_id.to_string(), p.name.clone())).collect();
                @let opts: Vec<(&str, &str)> = options.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                (radios("notify_person_id", "Who was told", None, &opts, &f.notify_person_id, errors, ""))
                (Input::text("how", "How they were told", &f.how).hint("For example, letter, phone call.").width("20").render(errors))
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record that they were told today" }
            }
        }

        h3 class="govuk-heading-s" { "Record an action" }
        form method="post" action=(action) novalidate {
            (hidden("action"))
            (textarea("action_text", "text", "What was done", &f.text, errors))
            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record the action" }
        }

        @if b.committee_reported_on.is_none() {
            h3 class="govuk-heading-s" { "Risk and Audit Committee" }
            form method="post" action=(action) novalidate {
                (hidden("committee"))
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record that it was reported to the committee today" }
            }
        }

        h3 class="govuk-heading-s" { "Close the breach" }
        form method="post" action=(action) novalidate {
            (hidden("close"))
            button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { "Close the breach" }
        }
    }
}

/// Every change form posts here; `change` says which one.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChangeForm {
    _csrf: String,
    version: i64,
    change: String,
    risk: String,
    assessment: String,
    decision: String,
    reason: String,
    reported_on_day: String,
    reported_on_month: String,
    reported_on_year: String,
    reported_time: String,
    ico_reference: String,
    late_reason: String,
    _pick: String,
    #[serde(rename = "add_person_id")]
    person_id: String,
    #[serde(rename = "add_person_id_q")]
    person_q: String,
    /// The person picker as looked up for this page; never posted.
    #[serde(skip)]
    picked: Picked,
    notify_person_id: String,
    how: String,
    text: String,
}

/// The gate's field names onto this page's input ids, per change.
fn change_field(change: &str, field: &str) -> String {
    match (change, field) {
        ("decide", "reason") => "decision_reason",
        ("decide", "risk") => "risk",
        ("add_person", "person_id") => "add_person_id",
        ("notify_person", "person_id") => "notify_person_id",
        ("action", "text") => "action_text",
        (_, "risk" | "assessment" | "decision" | "reported_at" | "ico_reference" | "late_reason" | "how") => field,
        _ => "changes",
    }
    .to_string()
}

pub async fn change_breach(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, mut f): Posted<ChangeForm>) -> Response {
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    let version = f.version;
    let person = |v: &str| -> Result<Id, ()> { v.trim().parse().map_err(|_| ()) };
    let change = match f.change.as_str() {
        "assess" => BreachChange::Assess { version, risk: f.risk.clone(), assessment: f.assessment.clone() },
        "decide" => {
            let reported_at = match uk_datetime(form_date(&f.reported_on_day, &f.reported_on_month, &f.reported_on_year), &f.reported_time)
            {
                Ok(t) => t,
                Err(e) => {
                    return changes_refused(&s.gate, &session, id, &f, Refusal::field("reported_at", format!("The report {e}"))).await
                }
            };
            BreachChange::Decide {
                version,
                decision: f.decision.clone(),
                reason: f.reason.clone(),
                reported_at,
                ico_reference: opt(&f.ico_reference),
                late_reason: opt(&f.late_reason),
            }
        }
        "add_person" => {
            // "Find" or "Change" on the picker: the page again, nothing written.
            let asked = picker::pick_request(&f._pick).map(|(_, change)| change);
            if asked == Some(true) {
                f.person_id.clear();
            }
            f.picked = match picker::resolve(&s.gate, &session.actor, PickKind::Person, &f.person_id, &f.person_q).await {
                Ok(p) => p,
                Err(e) => return error_page(&session, e),
            };
            if asked.is_some() {
                return changes_refused(&s.gate, &session, id, &f, Refusal::none()).await;
            }
            match f.picked.id() {
                Some(person_id) => BreachChange::AddPerson { version, person_id },
                None => {
                    let mut errors = picker::unchosen(&[("add_person_id", &f.picked)]);
                    if errors.is_empty() {
                        errors.push(FieldError::new("add_person_id", "Find and choose the person affected"));
                    }
                    return changes_refused(&s.gate, &session, id, &f, Refusal::fields(errors)).await;
                }
            }
        }
        "notify_person" => match person(&f.notify_person_id) {
            Ok(person_id) => BreachChange::NotifyPerson { version, person_id, on: None, how: f.how.clone() },
            Err(_) => return changes_refused(&s.gate, &session, id, &f, Refusal::field("notify_person_id", "Choose who was told")).await,
        },
        "action" => BreachChange::Action { version, text: f.text.clone() },
        "committee" => BreachChange::Committee { version, on: None },
        "close" => BreachChange::Close { version },
        _ => return error_page(&session, GateError::NotFound),
    };
    let done = match &change {
        BreachChange::Assess { .. } => "assessed",
        BreachChange::Decide { .. } => "decided",
        BreachChange::AddPerson { .. } => "person",
        BreachChange::NotifyPerson { .. } => "notified",
        BreachChange::Action { .. } | BreachChange::Scope { .. } => "action",
        BreachChange::Committee { .. } => "committee",
        BreachChange::Close { .. } => "closed",
    };
    match s.gate.change_breach(&session.actor, id, &change).await {
        Ok(_) => Redirect::to(&format!("/breaches/{id}?done={done}")).into_response(),
        Err(e) => match Refusal::from_gate(e, "breach", |field| change_field(&f.change, field)) {
            Ok(r) => changes_refused(&s.gate, &session, id, &f, r).await,
            Err(e) => error_page(&session, e),
        },
    }
}

async fn changes_refused(gate: &Gate, s: &UiSession, id: Id, f: &ChangeForm, r: Refusal) -> Response {
    r.page(s, gate.breach(&s.actor, id), |v, errors| breach_view_page(s, &v, None, f, errors)).await
}

/// The record-a-breach form as posted, kept as pairs so each ticked class of
/// record (one checkbox per compartment) is read.
pub struct RawForm {
    pairs: Vec<(String, String)>,
    _csrf: String,
}

impl<'de> Deserialize<'de> for RawForm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pairs: Vec<(String, String)> = Deserialize::deserialize(d)?;
        let _csrf = pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.clone()).unwrap_or_default();
        Ok(RawForm { pairs, _csrf })
    }
}

impl RawForm {
    fn get(&self, k: &str) -> String {
        self.pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    fn breach_form(&self) -> BreachForm {
        BreachForm {
            title: self.get("title"),
            description: self.get("description"),
            discovered_on_day: self.get("discovered_at_day"),
            discovered_on_month: self.get("discovered_at_month"),
            discovered_on_year: self.get("discovered_at_year"),
            discovered_time: self.get("discovered_time"),
            people_affected_estimate: self.get("people_affected_estimate"),
        }
    }
}

crate::shell::session::csrf_forms!(RawForm, ChangeForm);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_times_are_sent_as_utc() {
        // 1 July is in British Summer Time: 14:30 BST is 13:30 UTC.
        assert_eq!(uk_datetime(Some("2026-07-01".into()), "14:30").unwrap().as_deref(), Some("2026-07-01T13:30:00Z"));
        assert_eq!(uk_datetime(Some("2026-12-01".into()), "09:05").unwrap().as_deref(), Some("2026-12-01T09:05:00Z"));
        assert!(uk_datetime(Some("2026-12-01".into()), "25:99").is_err());
        assert_eq!(uk_datetime(None, "").unwrap(), None);
    }

    #[test]
    fn ticked_boxes_become_classes() {
        let pairs = vec![("record_classes_contact".to_string(), "yes".to_string()), ("title".to_string(), "x".to_string())];
        assert_eq!(ticked(&pairs, "record_classes_"), vec!["contact".to_string()]);
    }
}
