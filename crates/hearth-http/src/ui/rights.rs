//! Rights requests in the web UI, for the data protection officer: the work
//! list (overdue, due soon, waiting, on track), the log-a-request form, and
//! the request page with its clock and the forms that move it on (identity
//! check, clarification, extension, refusal with its letter, note,
//! completion).
//!
//! Every decision is the gate's: these handlers turn flat GOV.UK forms into
//! gate calls and the gate's field errors back into errors on the inputs.

use crate::shell::layout::{csrf_field, date_input, error_summary, page, radios, row, success_banner, textarea, Input};
use crate::shell::picker::{self, picker, PickKind, Picked};
use crate::shell::respond::{chrome, error_page, respond, ActionQuery, Done, Refusal};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::form_date;
use crate::shell::words::long_date;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::rights::RequestFilter;
use hearth_domain::{
    error::FieldError,
    rights::{
        ExtensionGround, IdentityStatus, RefusalGround, RequesterKind, ResponseClock, RightsRequest, RightsRequestInput, RightsRequestKind,
        WorkState, DUE_SOON_DAYS, MAX_EXTENSION_MONTHS,
    },
    Id,
};
use hearth_gate::review::BundleDraft;
use hearth_gate::rights::{RightsChange, RightsRequestView};
use hearth_gate::{Gate, GateError};
use maud::{html, Markup};
use serde::Deserialize;

fn state_tag(state: WorkState) -> Markup {
    let colour = match state {
        WorkState::Overdue => "govuk-tag--red",
        WorkState::DueSoon => "govuk-tag--orange",
        WorkState::OnTrack => "govuk-tag--green",
        WorkState::WaitingForIdentity | WorkState::WaitingForClarification => "govuk-tag--yellow",
        WorkState::Closed => "govuk-tag--grey",
    };
    html! { strong class={ "govuk-tag " (colour) } { (state.label()) } }
}

fn due_text(v: &RightsRequestView) -> Markup {
    html! {
        @match (v.request.due_on, v.days_left) {
            (Some(d), Some(n)) if n < 0 => { (long_date(d)) " (" (-n) " days overdue)" }
            (Some(d), Some(n)) => { (long_date(d)) " (" (n) " days left)" }
            _ => @match v.clock {
                ResponseClock::WaitingForIdentity { since } => { "Clock not started: proof of identity asked for on " (long_date(since)) }
                ResponseClock::WaitingForClarification { since, days_left } => {
                    "Clock stopped on " (long_date(since)) " with " (days_left) " days left"
                }
                ResponseClock::Running { .. } => "Closed",
            },
        }
    }
}

pub(super) fn request_table(caption: &str, items: &[&RightsRequestView]) -> Markup {
    html! {
        table class="govuk-table" {
            caption class="govuk-table__caption govuk-table__caption--m" { (caption) " (" (items.len()) ")" }
            thead class="govuk-table__head" {
                tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Reference" }
                    th scope="col" class="govuk-table__header" { "Right" }
                    th scope="col" class="govuk-table__header" { "Person" }
                    th scope="col" class="govuk-table__header" { "Received" }
                    th scope="col" class="govuk-table__header" { "Due" }
                    th scope="col" class="govuk-table__header" { "State" }
                }
            }
            tbody class="govuk-table__body" {
                @for v in items {
                    @let r = &v.request;
                    tr class="govuk-table__row" {
                        td class="govuk-table__cell" { a class="govuk-link" href={ "/rights/" (r.id) } { (r.reference) } }
                        td class="govuk-table__cell" { (r.kind.label()) }
                        td class="govuk-table__cell" { (r.person_name) }
                        td class="govuk-table__cell" { (long_date(r.received_on)) }
                        td class="govuk-table__cell" { (due_text(v)) }
                        td class="govuk-table__cell" { (state_tag(v.state)) }
                    }
                }
            }
        }
    }
}

pub async fn list(State(s): State<AppState>, session: UiSession) -> Response {
    let work = match s.gate.rights_work_list(&session.actor, &RequestFilter { open_only: true, ..Default::default() }, None).await {
        Ok(w) => w,
        Err(e) => return error_page(&session, e),
    };
    let group = |states: &[WorkState]| -> Vec<&RightsRequestView> { work.items.iter().filter(|v| states.contains(&v.state)).collect() };
    let overdue = group(&[WorkState::Overdue]);
    let due_soon = group(&[WorkState::DueSoon]);
    let waiting = group(&[WorkState::WaitingForIdentity, WorkState::WaitingForClarification]);
    let on_track = group(&[WorkState::OnTrack]);
    let title = "Rights requests";
    respond(
        StatusCode::OK,
        page(
            title,
            &chrome(&session),
            false,
            html! {
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" {
                    "Open requests as on " (long_date(work.as_of)) ": " (work.overdue) " overdue, " (work.due_soon) " due within "
                    (DUE_SOON_DAYS) " days. A response is due one calendar month after the request, or after proof of identity arrives when it had to be asked for."
                }
                a href="/rights/new" role="button" draggable="false" class="govuk-button" data-module="govuk-button" { "Log a request" }
                @if work.items.is_empty() {
                    p class="govuk-body" id="no-requests" { "There are no open requests." }
                }
                @for (caption, items) in [("Overdue", &overdue), ("Due soon", &due_soon), ("Clock stopped", &waiting), ("On track", &on_track)] {
                    @if !items.is_empty() { (request_table(caption, items)) }
                }
            },
        ),
    )
}

// ---- logging a request ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RequestForm {
    _csrf: String,
    _pick: String,
    kind: String,
    person_id: String,
    person_id_q: String,
    requester: String,
    representative_name: String,
    representative_relationship: String,
    representative_authority: String,
    description: String,
    received_on_day: String,
    received_on_month: String,
    received_on_year: String,
    notes: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewRequestQuery {
    person_id: Option<String>,
}

fn new_request_page(s: &UiSession, f: &RequestForm, person: &Picked, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let kinds: Vec<(&str, &str)> = RightsRequestKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect();
    let requesters: Vec<(&str, &str)> = RequesterKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect();
    let requester = if f.requester.is_empty() { "person" } else { f.requester.as_str() };
    let title = "Log a rights request";
    respond(
        status,
        page(
            title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                a class="govuk-back-link" href="/rights" { "Back to rights requests" }
                div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    h1 class="govuk-heading-l" { (title) }
                    form method="post" action="/rights" novalidate {
                        (csrf_field(&s.csrf))
                        (radios("kind", "Which right is the person exercising?", None, &kinds, &f.kind, errors, ""))
                        (picker("person_id", "The customer the request is about", PickKind::Person, person, errors))
                        (radios("requester", "Who made the request?", None, &requesters, requester, errors, ""))
                        (Input::text("representative_name", "Representative's name (if a representative)", &f.representative_name).autocomplete("off").render(errors))
                        (Input::text("representative_relationship", "Their relationship to the person", &f.representative_relationship).hint("For example, daughter, solicitor, attorney under a lasting power.").autocomplete("off").render(errors))
                        (Input::text("representative_authority", "How they showed authority (optional)", &f.representative_authority).hint("For example, signed letter of authority seen.").autocomplete("off").render(errors))
                        (textarea("description", "description", "What the request asks for", &f.description, errors))
                        (date_input("received_on", "Date received", "The day the request arrived, by any channel. Leave blank for today. For example, 27 3 2027", (&f.received_on_day, &f.received_on_month, &f.received_on_year), errors))
                        (textarea("notes", "notes", "Notes (optional)", &f.notes, errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Log the request" }
                    }
                } }
            },
        ),
    )
}

pub async fn new_request_form(State(s): State<AppState>, session: UiSession, Query(q): Query<NewRequestQuery>) -> Response {
    let person = q.person_id.filter(|p| !p.is_empty() && p.len() < 20 && p.bytes().all(|b| b.is_ascii_digit()));
    let f = RequestForm { person_id: person.unwrap_or_default(), ..Default::default() };
    render_new_request(&s, &session, &f, vec![]).await
}

/// The form again, its picker looked up through the gate.
async fn render_new_request(s: &AppState, session: &UiSession, f: &RequestForm, errors: Vec<FieldError>) -> Response {
    match picker::resolve(&s.gate, &session.actor, PickKind::Person, &f.person_id, &f.person_id_q).await {
        Ok(p) => new_request_page(session, f, &p, &errors),
        Err(e) => error_page(session, e),
    }
}

pub async fn log_request(State(s): State<AppState>, Posted(session, mut f): Posted<RequestForm>) -> Response {
    // "Find" or "Change" on the picker: the form again, nothing written.
    if let Some((_, change)) = picker::pick_request(&f._pick) {
        if change {
            f.person_id.clear();
        }
        return render_new_request(&s, &session, &f, vec![]).await;
    }
    let person = match picker::resolve(&s.gate, &session.actor, PickKind::Person, &f.person_id, &f.person_id_q).await {
        Ok(p) => p,
        Err(e) => return error_page(&session, e),
    };
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let errors = picker::unchosen(&[("person_id", &person)]);
    let input = RightsRequestInput {
        kind: opt(&f.kind),
        person_id: person.id(),
        requester: opt(&f.requester),
        representative_name: opt(&f.representative_name),
        representative_relationship: opt(&f.representative_relationship),
        representative_authority: opt(&f.representative_authority),
        description: Some(f.description.clone()),
        received_on: form_date(&f.received_on_day, &f.received_on_month, &f.received_on_year),
        owner_id: Some(session.actor.user_id),
        notes: opt(&f.notes),
    };
    if !errors.is_empty() {
        let mut errors = errors;
        if let Err(v) = input.validate(Gate::today()) {
            errors.extend(v.0.into_iter().filter(|e| e.field != "person_id"));
        }
        return new_request_page(&session, &f, &person, &errors);
    }
    match s.gate.log_rights_request(&session.actor, &input).await {
        Ok(v) => Redirect::to(&format!("/rights/{}?done=logged", v.request.id)).into_response(),
        Err(GateError::Invalid(v)) => new_request_page(&session, &f, &person, &v.0),
        Err(e) => error_page(&session, e),
    }
}

// ---- the request page ----

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "logged" => "Request logged",
        "identity" => "Identity check recorded",
        "clarification" => "Clarification recorded",
        "extended" => "Deadline extended",
        "refused" => "Request refused",
        "note" => "Note added",
        "completed" => "Request completed",
        _ => return None,
    })
}

/// One piece of work on an open request, each on its own view of the
/// request page (`?action=`), so the page shows one form at a time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RequestAction {
    Identity,
    Clarification,
    Extend,
    Note,
    Complete,
    Refuse,
}

impl RequestAction {
    const ALL: [RequestAction; 6] = [
        RequestAction::Identity,
        RequestAction::Clarification,
        RequestAction::Extend,
        RequestAction::Note,
        RequestAction::Complete,
        RequestAction::Refuse,
    ];

    fn slug(self) -> &'static str {
        match self {
            RequestAction::Identity => "identity",
            RequestAction::Clarification => "clarification",
            RequestAction::Extend => "extend",
            RequestAction::Note => "note",
            RequestAction::Complete => "complete",
            RequestAction::Refuse => "refuse",
        }
    }

    fn label(self) -> &'static str {
        match self {
            RequestAction::Identity => "Identity check",
            RequestAction::Clarification => "Clarification",
            RequestAction::Extend => "Extend the deadline",
            RequestAction::Note => "Add a note",
            RequestAction::Complete => "Complete the request",
            RequestAction::Refuse => "Refuse the request",
        }
    }

    /// The view a posted change came from, to show its errors there.
    fn of_change(change: &str) -> Option<RequestAction> {
        Some(match change {
            "request_identity" | "identity_passed" => RequestAction::Identity,
            "request_clarification" | "clarification_received" => RequestAction::Clarification,
            "extend" => RequestAction::Extend,
            "note" => RequestAction::Note,
            "complete" => RequestAction::Complete,
            "refuse" => RequestAction::Refuse,
            _ => return None,
        })
    }

    /// What an open request offers now; a closed one takes notes only, on its page.
    fn offered(r: &RightsRequest) -> Vec<RequestAction> {
        if !r.is_open() {
            return vec![];
        }
        RequestAction::ALL
            .into_iter()
            .filter(|a| match a {
                RequestAction::Identity => r.identity_status == IdentityStatus::Pending,
                RequestAction::Extend => r.extension_months < MAX_EXTENSION_MONTHS as i64,
                _ => true,
            })
            .collect()
    }
}

pub async fn request_page(
    State(s): State<AppState>,
    session: UiSession,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
    Query(q): Query<ActionQuery>,
) -> Response {
    match s.gate.rights_request(&session.actor, id).await {
        Ok(v) => {
            let banner = done.done.as_deref().and_then(done_message);
            // An action the request no longer offers (closed meanwhile) is the request page itself.
            let action = RequestAction::offered(&v.request).into_iter().find(|a| a.slug() == q.action);
            if let Some(a) = action {
                return respond(StatusCode::OK, action_page(&session, &v, a, &ChangeForm::default(), &[]));
            }
            let drafts = drafts_of(&s.gate, &session, &v).await;
            let letters = s.gate.rights_communications(&session.actor, id).await.unwrap_or_default();
            respond(StatusCode::OK, request_view_page(&session, &v, &drafts, &letters, banner, &ChangeForm::default(), &[]))
        }
        Err(e) => error_page(&session, e),
    }
}

/// One action's view: the request named, its form alone, errors on it.
fn action_page(s: &UiSession, v: &RightsRequestView, action: RequestAction, f: &ChangeForm, errors: &[FieldError]) -> Markup {
    let r = &v.request;
    page(
        &format!("{}: {}", action.label(), r.reference),
        &chrome(s),
        !errors.is_empty(),
        html! {
            a class="govuk-back-link" href={ "/rights/" (r.id) } { "Back to " (r.reference) }
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(errors))
                span class="govuk-caption-l" { (r.reference) ": " (r.kind.label()) " for " (r.person_name) }
                // The conflict error ("changes") links here.
                h1 class="govuk-heading-l" id="changes" tabindex="-1" { (action.label()) }
                p class="govuk-body" { "Due: " (due_text(v)) }
                (action_form(s, v, action, f, errors))
                p class="govuk-body" { a class="govuk-link" href={ "/rights/" (r.id) } { "Cancel and go back to the request" } }
            } }
        },
    )
}

fn opt_date(d: Option<jiff::civil::Date>) -> String {
    d.map(long_date).unwrap_or_else(|| "Not recorded".into())
}

/// An access request's bundle drafts and releases, for the panel (none for other kinds).
async fn drafts_of(gate: &Gate, s: &UiSession, v: &RightsRequestView) -> Vec<BundleDraft> {
    if v.request.kind != hearth_domain::rights::RightsRequestKind::Access {
        return vec![];
    }
    gate.bundle_drafts(&s.actor, v.request.id).await.unwrap_or_default()
}

fn request_view_page(
    s: &UiSession,
    v: &RightsRequestView,
    drafts: &[BundleDraft],
    letters: &[hearth_domain::comms::Communication],
    banner: Option<&str>,
    f: &ChangeForm,
    errors: &[FieldError],
) -> Markup {
    let r = &v.request;
    page(
        &r.reference,
        &chrome(s),
        !errors.is_empty(),
        html! {
            a class="govuk-back-link" href="/rights" { "Back to rights requests" }
            @if let Some(b) = banner { (success_banner(b)) }
            (error_summary(errors))
            span class="govuk-caption-l" { (r.kind.label()) }
            h1 class="govuk-heading-l" { (r.reference) " " (state_tag(v.state)) }
            dl class="govuk-summary-list" {
                (row("Person", html! { a class="govuk-link" href={ "/people/" (r.person_id) } { (r.person_name) } }))
                (row("Requester", html! {
                    @match (&r.requester, &r.representative_name) {
                        (RequesterKind::Representative, Some(n)) => {
                            (n) " (" (r.representative_relationship.as_deref().unwrap_or("")) ")"
                            @if let Some(a) = &r.representative_authority { br; "Authority: " (a) }
                        }
                        _ => "The person themselves",
                    }
                }))
                (row("What they asked for", html! { (r.description) }))
                (row("Received", html! {
                    (long_date(r.received_on))
                    @if let Some(c) = r.channel { " (" (c.label().to_lowercase()) ")" }
                    @if let Some(n) = &r.received_by_name { br; "Taken by " (n) " at the front door" }
                }))
                (row("Due", due_text(v)))
                (row("Status", html! { (r.status.label()) }))
                (row("Identity", html! {
                    (r.identity_status.label())
                    @if let Some(m) = &r.identity_method { ": " (m) }
                    @if let Some(d) = r.identity_requested_on { br; "Proof asked for on " (long_date(d)) }
                    @if let Some(d) = r.identity_received_on { br; "Confirmed on " (long_date(d)) }
                }))
                @if r.clarification_requested_on.is_some() {
                    (row("Clarification", html! {
                        @if r.clarification_rounds > 1 { "Round " (r.clarification_rounds) ": " }
                        "Asked for on " (opt_date(r.clarification_requested_on)) "; received: " (opt_date(r.clarification_received_on))
                        @if r.earlier_paused_days > 0 { br; "Earlier rounds stopped the clock for " (r.earlier_paused_days) " day(s)." }
                    }))
                }
                @if r.extension_months > 0 {
                    (row("Extension", html! {
                        (r.extension_months) " further month(s): " (r.extension_ground.map(|g| g.label()).unwrap_or(""))
                        br; (r.extension_reason.as_deref().unwrap_or(""))
                        br; "Requester told on " (opt_date(r.extension_told_on))
                    }))
                }
                (row("Owner", html! { (r.owner_name.as_deref().unwrap_or("Nobody yet")) }))
                @if let Some(o) = &r.outcome { (row("Outcome", html! { (o) })) }
                @if let Some(d) = r.closed_on { (row("Closed", html! { (long_date(d)) })) }
                (row("Notes", html! {
                    @if let Some(n) = &r.notes { @for line in n.lines() { (line) br; } } @else { "None" }
                }))
            }
            @if let (Some(g), Some(letter)) = (r.refusal_ground, &r.refusal_letter) {
                h2 class="govuk-heading-m" { "Refusal: " (g.label()) }
                div class="govuk-inset-text" id="refusal-letter" {
                    @for para in letter.split("\n\n") { p class="govuk-body" { (para) } }
                }
            }
            (super::bundle::panel(r, drafts, &s.csrf))
            (super::comms::rights_panel(r.id, letters))
            @if r.is_open() {
                h2 class="govuk-heading-m" id="changes" { "Work on this request" }
                ul class="govuk-list" id="request-actions" {
                    @for a in RequestAction::offered(r) {
                        li { a class="govuk-link" href={ "/rights/" (r.id) "?action=" (a.slug()) } { (a.label()) } }
                    }
                }
            } @else {
                // A closed request takes notes only: one form, so it stays on the page.
                h2 class="govuk-heading-m" { "Add a note" }
                (note_form(s, r, f, errors))
            }
        },
    )
}

fn hidden(s: &UiSession, r: &RightsRequest, change: &str) -> Markup {
    html! {
        (csrf_field(&s.csrf))
        input type="hidden" name="version" value=(r.version);
        input type="hidden" name="change" value=(change);
    }
}

fn note_form(s: &UiSession, r: &RightsRequest, f: &ChangeForm, errors: &[FieldError]) -> Markup {
    html! {
        form method="post" action={ "/rights/" (r.id) "/changes" } novalidate {
            (hidden(s, r, "note"))
            (textarea("note_text", "text", "Note", &f.text, errors))
            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Add the note" }
        }
    }
}

/// The form (or, for identity and clarification, the forms) of one action,
/// each carrying the version the request was read at.
fn action_form(s: &UiSession, v: &RightsRequestView, action: RequestAction, f: &ChangeForm, errors: &[FieldError]) -> Markup {
    let r = &v.request;
    let action_url = format!("/rights/{}/changes", r.id);
    let action_url = action_url.as_str();
    let grounds: Vec<(&str, &str)> = ExtensionGround::ALL.iter().map(|g| (g.as_str(), g.label())).collect();
    let refusals: Vec<(&str, &str)> = RefusalGround::ALL.iter().map(|g| (g.as_str(), g.label())).collect();
    let months = [("1", "One further month"), ("2", "Two further months")];
    let awaiting_clarification = r.clarification_requested_on.is_some() && r.clarification_received_on.is_none();
    html! {
        @match action {
            RequestAction::Identity => {
                form method="post" action=(action_url) novalidate {
                    (hidden(s, r, "identity_passed"))
                    (Input::text("method", "How was identity confirmed?", &f.method).hint("For example, photo ID and proof of address seen; known to staff and security questions answered.").render(errors))
                    (date_input("identity_on", "Date confirmed", "Leave blank for today.", (&f.identity_on_day, &f.identity_on_month, &f.identity_on_year), errors))
                    button type="submit" class="govuk-button" data-module="govuk-button" { "Record identity as confirmed" }
                }
                @if r.identity_requested_on.is_none() {
                    h2 class="govuk-heading-m" { "Or ask for proof of identity" }
                    form method="post" action=(action_url) novalidate {
                        (hidden(s, r, "request_identity"))
                        p class="govuk-body" { "If you must ask the requester for proof of identity, the clock does not start until it arrives." }
                        button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record that proof of identity was asked for today" }
                    }
                }
            }
            RequestAction::Clarification => {
                @if awaiting_clarification {
                    form method="post" action=(action_url) novalidate {
                        (hidden(s, r, "clarification_received"))
                        (date_input("clarification_on", "Date clarification arrived", "Leave blank for today.", (&f.clarification_on_day, &f.clarification_on_month, &f.clarification_on_year), errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Record clarification received" }
                    }
                } @else {
                    form method="post" action=(action_url) novalidate {
                        (hidden(s, r, "request_clarification"))
                        p class="govuk-body" { "The clock stands still while you wait for clarification you reasonably need." }
                        button type="submit" class="govuk-button" data-module="govuk-button" {
                            @if r.clarification_rounds > 0 { "Record that further clarification was asked for today" }
                            @else { "Record that clarification was asked for today" }
                        }
                    }
                }
            }
            RequestAction::Extend => {
                form method="post" action=(action_url) novalidate {
                    (hidden(s, r, "extend"))
                    (radios("months", "Extension in total", None, &months, &f.months, errors, " govuk-radios--inline"))
                    (radios("ground", "Why more time is needed", None, &grounds, &f.ground, errors, ""))
                    (textarea("extend_reason", "reason", "Reason", &f.reason, errors))
                    (date_input("told_on", "Date the requester was told", "It must be within the first month. Leave blank for today.", (&f.told_on_day, &f.told_on_month, &f.told_on_year), errors))
                    button type="submit" class="govuk-button" data-module="govuk-button" { "Extend the deadline" }
                }
            }
            RequestAction::Note => (note_form(s, r, f, errors)),
            RequestAction::Complete => {
                form method="post" action=(action_url) novalidate {
                    (hidden(s, r, "complete"))
                    (textarea("outcome", "outcome", "What was done", &f.outcome, errors))
                    button type="submit" class="govuk-button" data-module="govuk-button" { "Complete the request" }
                }
            }
            RequestAction::Refuse => {
                p class="govuk-body" { "A request may be refused only if it is manifestly unfounded or manifestly excessive, or an exemption applies. The letter tells the requester they can complain to the Information Commissioner's Office." }
                form method="post" action=(action_url) novalidate {
                    (hidden(s, r, "refuse"))
                    (radios("refuse_ground", "Ground", None, &refusals, &f.refuse_ground, errors, ""))
                    (Input::text("exemption", "Exemption (only when refusing under one)", &f.exemption).hint("For example, Data Protection Act 2018 Schedule 2 paragraph 2 (crime and taxation).").render(errors))
                    (textarea("refuse_reason", "refuse_reason", "Reason", &f.refuse_reason, errors))
                    button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { "Refuse the request" }
                }
            }
        }
    }
}

// ---- changing a request ----

/// Every change form posts here; `change` says which one.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChangeForm {
    _csrf: String,
    version: i64,
    change: String,
    method: String,
    identity_on_day: String,
    identity_on_month: String,
    identity_on_year: String,
    clarification_on_day: String,
    clarification_on_month: String,
    clarification_on_year: String,
    months: String,
    ground: String,
    reason: String,
    told_on_day: String,
    told_on_month: String,
    told_on_year: String,
    text: String,
    outcome: String,
    refuse_ground: String,
    refuse_reason: String,
    exemption: String,
}

/// The gate's field names onto this page's input ids, per change.
fn change_field(change: &str, field: &str) -> String {
    match (change, field) {
        ("identity_passed", "on") => "identity_on",
        ("clarification_received", "on") => "clarification_on",
        ("extend", "reason") => "extend_reason",
        ("refuse", "ground") => "refuse_ground",
        ("refuse", "reason") => "refuse_reason",
        ("note", "text") => "note_text",
        (_, "method" | "months" | "ground" | "told_on" | "outcome" | "exemption") => field,
        _ => "changes",
    }
    .to_string()
}

pub async fn change_request(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<ChangeForm>) -> Response {
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    let version = f.version;
    let change = match f.change.as_str() {
        "request_identity" => RightsChange::RequestIdentity { version, on: None },
        "identity_passed" => RightsChange::IdentityPassed {
            version,
            method: f.method.clone(),
            on: form_date(&f.identity_on_day, &f.identity_on_month, &f.identity_on_year),
        },
        "request_clarification" => RightsChange::RequestClarification { version, on: None },
        "clarification_received" => RightsChange::ClarificationReceived {
            version,
            on: form_date(&f.clarification_on_day, &f.clarification_on_month, &f.clarification_on_year),
        },
        "extend" => {
            let Ok(months) = f.months.parse() else {
                return changes_refused(&s.gate, &session, id, &f, Refusal::field("months", "Choose one or two further months")).await;
            };
            RightsChange::Extend {
                version,
                months,
                ground: f.ground.clone(),
                reason: f.reason.clone(),
                told_on: form_date(&f.told_on_day, &f.told_on_month, &f.told_on_year),
            }
        }
        "refuse" => {
            RightsChange::Refuse { version, ground: f.refuse_ground.clone(), reason: f.refuse_reason.clone(), exemption: opt(&f.exemption) }
        }
        "note" => RightsChange::Note { version, text: f.text.clone() },
        "complete" => RightsChange::Complete { version, outcome: f.outcome.clone(), on: None },
        // Our forms only post the changes above.
        _ => return error_page(&session, GateError::NotFound),
    };
    let done = match &change {
        RightsChange::RequestIdentity { .. } | RightsChange::IdentityPassed { .. } => "identity",
        RightsChange::RequestClarification { .. } | RightsChange::ClarificationReceived { .. } => "clarification",
        RightsChange::Extend { .. } => "extended",
        RightsChange::Refuse { .. } => "refused",
        RightsChange::Note { .. } => "note",
        _ => "completed",
    };
    match s.gate.change_rights_request(&session.actor, id, &change).await {
        Ok(_) => Redirect::to(&format!("/rights/{id}?done={done}")).into_response(),
        Err(e) => match Refusal::from_gate(e, "request", |field| change_field(&f.change, field)) {
            Ok(r) => changes_refused(&s.gate, &session, id, &f, r).await,
            Err(e) => error_page(&session, e),
        },
    }
}

/// The request page again, as it is now, with the errors and what was typed.
async fn changes_refused(gate: &Gate, s: &UiSession, id: Id, f: &ChangeForm, r: Refusal) -> Response {
    // Errors come back on the view of the action that sent them, as the request is now.
    let v = match gate.rights_request(&s.actor, id).await {
        Ok(v) => v,
        Err(e) => return error_page(s, e),
    };
    let offered = RequestAction::offered(&v.request);
    if let Some(a) = RequestAction::of_change(&f.change).filter(|a| offered.contains(a)) {
        return r.page(s, async { Ok(v) }, |v, errors| action_page(s, &v, a, f, errors)).await;
    }
    let drafts = drafts_of(gate, s, &v).await;
    let letters = gate.rights_communications(&s.actor, id).await.unwrap_or_default();
    r.page(s, async { Ok(v) }, |v, errors| request_view_page(s, &v, &drafts, &letters, None, f, errors)).await
}

crate::shell::session::csrf_forms!(RequestForm, ChangeForm);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_fields_land_on_the_form_that_sent_them() {
        assert_eq!(change_field("identity_passed", "on"), "identity_on");
        assert_eq!(change_field("refuse", "reason"), "refuse_reason");
        assert_eq!(change_field("extend", "told_on"), "told_on");
        assert_eq!(change_field("complete", "change"), "changes");
        assert_eq!(form_date("", " ", ""), None);
        assert_eq!(form_date("3", "9", "2026").as_deref(), Some("2026-09-03"));
    }
}
