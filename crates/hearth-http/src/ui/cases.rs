//! Cases in the web UI: the officer's case list, the open-a-case form, the
//! case page with its parties and timeline, and the small forms that change
//! a case (assign, log a contact, move status, close).
//!
//! Every decision is the gate's: these handlers turn flat GOV.UK forms into
//! gate calls and the gate's field errors back into errors on the inputs.
//! Times are shown in Europe/London.

use super::anonymity::OverrideForm;
use crate::shell::layout::{
    csrf_field, date_input, error_for, error_summary, inline_error, page, radios, row, select, success_banner, textarea, Input,
};
use crate::shell::picker::{self, picker, PickKind, Picked};
use crate::shell::respond::{chrome, error_page, respond, ActionQuery, Done, Refusal};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::{form_date, long_date, uk_time};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::cases::CaseFilter;
use hearth_domain::{
    cases::{Case, CaseInput, CaseKind, CasePriority, PartyInput, PartyRole, Trade},
    error::FieldError,
    Id,
};
use hearth_gate::cases::{CaseChange, CaseView};
use hearth_gate::{Gate, GateError};
use jiff::civil::Date;
use maud::{html, Markup};
use serde::Deserialize;

/// How many parties the open-a-case form offers; more can be added later.
const PARTY_SLOTS: usize = 2;

fn overdue_tag() -> Markup {
    html! { strong class="govuk-tag govuk-tag--red" { "Overdue" } }
}

/// A complaint whose acknowledgement is late says so, not that the response is.
fn acknowledgement_overdue_tag() -> Markup {
    html! { strong class="govuk-tag govuk-tag--red" { "Acknowledgement overdue" } }
}

// ---- the case list ----

/// The date a case is due and whether it is late, by the gate's rule.
fn due_and_overdue(gate: &Gate, c: &Case, today: Date) -> (Option<Date>, (bool, bool)) {
    let due = gate.complaint_deadlines(c).map(|d| d.respond_by).or(c.due_date);
    (due, gate.overdue_parts(c, today))
}

fn case_table(gate: &Gate, caption: &str, cases: &[Case], today: Date) -> Markup {
    html! {
        table class="govuk-table" {
            caption class="govuk-table__caption govuk-table__caption--m" { (caption) }
            thead class="govuk-table__head" {
                tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Reference" }
                    th scope="col" class="govuk-table__header" { "Kind" }
                    th scope="col" class="govuk-table__header" { "Summary" }
                    th scope="col" class="govuk-table__header" { "Priority" }
                    th scope="col" class="govuk-table__header" { "Status" }
                    th scope="col" class="govuk-table__header" { "Due" }
                }
            }
            tbody class="govuk-table__body" {
                @for c in cases {
                    @let (due, late) = due_and_overdue(gate, c, today);
                    tr class="govuk-table__row" {
                        td class="govuk-table__cell" { a class="govuk-link" href={ "/cases/" (c.id) } { (c.reference) } }
                        td class="govuk-table__cell" { (c.kind.label()) }
                        td class="govuk-table__cell" { (c.summary) }
                        td class="govuk-table__cell" { (c.priority.label()) }
                        td class="govuk-table__cell" { (c.status.label()) }
                        td class="govuk-table__cell" {
                            (due.map(long_date).unwrap_or_else(|| "Not set".into()))
                            @if late.1 { " " (overdue_tag()) }
                            @if late.0 { " " (acknowledgement_overdue_tag()) }
                        }
                    }
                }
            }
        }
    }
}

pub async fn list(State(s): State<AppState>, session: UiSession) -> Response {
    let me = session.actor.user_id;
    let mine = CaseFilter { assigned_to: Some(me), open_only: true, ..Default::default() };
    let mine = match s.gate.list_cases(&session.actor, &mine, None, Some(100)).await {
        Ok(p) => p.items,
        Err(e) => return error_page(&session, e),
    };
    let open = CaseFilter { open_only: true, ..Default::default() };
    let others: Vec<Case> = match s.gate.list_cases(&session.actor, &open, None, Some(100)).await {
        Ok(p) => p.items.into_iter().filter(|c| c.assigned_to != Some(me)).collect(),
        Err(e) => return error_page(&session, e),
    };
    let today = Gate::today();
    let title = "Your cases";
    respond(
        StatusCode::OK,
        page(
            title,
            &chrome(&session),
            false,
            html! {
                h1 class="govuk-heading-l" { (title) }
                a href="/cases/new" role="button" draggable="false" class="govuk-button" data-module="govuk-button" { "Open a case" }
                @if mine.is_empty() {
                    p class="govuk-body" { "No open cases are assigned to you." }
                } @else {
                    (case_table(&s.gate, "Open cases assigned to you", &mine, today))
                }
                @if !others.is_empty() {
                    (case_table(&s.gate, "Other cases you can see", &others, today))
                }
            },
        ),
    )
}

// ---- opening a case ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewCaseQuery {
    person_id: Option<String>,
    kind: Option<String>,
}

/// The open-a-case form as posted: flat fields, parties numbered from 0.
/// Records are chosen with pickers: `x` carries the chosen one, `x_q` the
/// search typed, and `_pick` which picker's Find or Change was pressed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CaseForm {
    _csrf: String,
    _pick: String,
    kind: String,
    summary: String,
    priority: String,
    assigned_to: String,
    team: String,
    due_date_day: String,
    due_date_month: String,
    due_date_year: String,
    received_on_day: String,
    received_on_month: String,
    received_on_year: String,
    trade: String,
    property_id: String,
    property_id_q: String,
    party0_person_id: String,
    party0_person_id_q: String,
    party0_role: String,
    party0_anonymous: Option<String>,
    party1_person_id: String,
    party1_person_id_q: String,
    party1_role: String,
    party1_anonymous: Option<String>,
}

/// The pickers on the open-a-case form, resolved through the gate.
struct CasePickers {
    property: Picked,
    parties: [Picked; PARTY_SLOTS],
}

impl CasePickers {
    async fn resolve(gate: &Gate, s: &UiSession, f: &CaseForm) -> Result<Self, GateError> {
        Ok(CasePickers {
            property: picker::resolve(gate, &s.actor, PickKind::Property, &f.property_id, &f.property_id_q).await?,
            parties: [
                picker::resolve(gate, &s.actor, PickKind::Person, &f.party0_person_id, &f.party0_person_id_q).await?,
                picker::resolve(gate, &s.actor, PickKind::Person, &f.party1_person_id, &f.party1_person_id_q).await?,
            ],
        })
    }

    fn unchosen(&self) -> Vec<FieldError> {
        picker::unchosen(&[("property_id", &self.property), ("party0_person_id", &self.parties[0]), ("party1_person_id", &self.parties[1])])
    }
}

impl CaseForm {
    fn party(&self, i: usize) -> (&str, &str, bool) {
        match i {
            0 => (&self.party0_person_id, &self.party0_role, self.party0_anonymous.is_some()),
            _ => (&self.party1_person_id, &self.party1_role, self.party1_anonymous.is_some()),
        }
    }

    /// Lets go of the record a picker holds, for its "Change" button.
    fn unpick(&mut self, field: &str) {
        match field {
            "property_id" => self.property_id.clear(),
            "party0_person_id" => self.party0_person_id.clear(),
            "party1_person_id" => self.party1_person_id.clear(),
            _ => {}
        }
    }

    /// The gate's input, errors found while reading the form, and for each
    /// party sent, the form slot it came from. Records come from the
    /// pickers, so only a record the gate showed can be sent.
    fn input(&self, p: &CasePickers) -> (CaseInput, Vec<FieldError>, Vec<usize>) {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let mut errors = vec![];
        let mut parties = vec![];
        let mut slots = vec![];
        for i in 0..PARTY_SLOTS {
            let (_, role, anonymous) = self.party(i);
            let person = &p.parties[i];
            // An untouched slot is no party; a half-filled one is, so the gate names what is missing.
            if person.id().is_none() && person.query.is_empty() && role.trim().is_empty() && !anonymous {
                continue;
            }
            if person.id().is_none() && !person.pending() {
                errors.push(FieldError::new(format!("party{i}_person_id"), "Find and choose the person"));
            }
            parties.push(PartyInput { person_id: person.id(), role: opt(role), anonymous: Some(anonymous) });
            slots.push(i);
        }
        let input = CaseInput {
            kind: opt(&self.kind),
            summary: Some(self.summary.clone()),
            priority: opt(&self.priority),
            due_date: form_date(&self.due_date_day, &self.due_date_month, &self.due_date_year),
            assigned_to: None,
            team: opt(&self.team),
            received_on: form_date(&self.received_on_day, &self.received_on_month, &self.received_on_year),
            trade: opt(&self.trade),
            property_id: p.property.id(),
            parties: Some(parties),
        };
        (input, errors, slots)
    }
}

/// Puts the gate's field names (`parties[0].role`) onto the form's input
/// ids (`party0_role`), so summary links and inline errors find them.
fn form_field(field: &str, slots: &[usize]) -> String {
    if let Some(rest) = field.strip_prefix("parties[") {
        if let Some((n, name)) = rest.split_once("].") {
            if let Some(slot) = n.parse::<usize>().ok().and_then(|n| slots.get(n)) {
                return format!("party{slot}_{name}");
            }
        }
    }
    field.to_string()
}

/// The first step: which kind of case, so the form that follows asks only
/// what that kind needs.
fn choose_kind_page(s: &UiSession, person: &str, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let kinds: Vec<(&str, &str)> = CaseKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect();
    let title = "What kind of case is it?";
    respond(
        status,
        page(
            title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                a class="govuk-back-link" href="/cases" { "Back to your cases" }
                div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    h1 class="govuk-heading-l" { (title) }
                    form method="get" action="/cases/new" novalidate {
                        @if !person.is_empty() { input type="hidden" name="person_id" value=(person); }
                        (radios("kind", "Kind of case", Some("The next page asks only what this kind of case needs."), &kinds, "", errors, ""))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Continue" }
                    }
                } }
            },
        ),
    )
}

fn new_case_page(s: &UiSession, kind: CaseKind, f: &CaseForm, p: &CasePickers, colleagues: &Colleagues, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let priorities: Vec<(&str, &str)> = CasePriority::ALL.iter().map(|p| (p.as_str(), p.label())).collect();
    let priority = if f.priority.is_empty() { CasePriority::Routine.as_str() } else { f.priority.as_str() };
    let mut trades = vec![("", "Choose a trade")];
    trades.extend(Trade::ALL.iter().map(|t| (t.as_str(), t.label())));
    let mut roles = vec![("", "Choose a role")];
    roles.extend(PartyRole::ALL.iter().map(|r| (r.as_str(), r.label())));
    let staff: Vec<(String, String)> = colleagues
        .iter()
        .map(|(id, name, role)| {
            (
                id.to_string(),
                if *id == s.actor.user_id { format!("{name} ({}, you)", role.label()) } else { format!("{name} ({})", role.label()) },
            )
        })
        .collect();
    let mut assignees: Vec<(&str, &str)> = vec![("", "Assign it later")];
    assignees.extend(staff.iter().map(|(v, l)| (v.as_str(), l.as_str())));
    let title = with_article(kind);
    // An anonymous reporter belongs to the kinds of case people report.
    let anonymity = matches!(kind, CaseKind::Asb | CaseKind::Safeguarding);
    respond(
        status,
        page(
            &title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                a class="govuk-back-link" href="/cases/new" { "Choose another kind of case" }
                div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    h1 class="govuk-heading-l" { (title) }
                    form method="post" action="/cases" novalidate {
                        (csrf_field(&s.csrf))
                        input type="hidden" name="kind" value=(kind.as_str());
                        (textarea("summary", "summary", "Summary", &f.summary, errors))
                        (radios("priority", "Priority", None, &priorities, priority, errors, " govuk-radios--inline"))
                        @if kind == CaseKind::Repair {
                            (select("trade", "Trade", &trades, &f.trade, errors))
                            (picker("property_id", "The property to be repaired", PickKind::Property, &p.property, errors))
                        }
                        @if kind == CaseKind::Complaint {
                            (date_input("received_on", "Date received", "The day the complaint arrived, by any channel. Leave blank for today. For example, 27 3 2027 or 27/3/2027.", (&f.received_on_day, &f.received_on_month, &f.received_on_year), errors))
                        } @else {
                            (date_input("due_date", "Due by (optional)", "For example, 27 3 2027 or 27/3/2027", (&f.due_date_day, &f.due_date_month, &f.due_date_year), errors))
                        }
                        (select("assigned_to", "Assign to", &assignees, f.assigned_to.trim(), errors))
                        (Input::text("team", "Team (optional)", &f.team).autocomplete("off").width("20").render(errors))

                        @for i in 0..PARTY_SLOTS {
                            @let (_, role, anonymous) = f.party(i);
                            @let anon_id = format!("party{i}_anonymous");
                            @let anon_error = error_for(errors, &anon_id);
                            h2 class="govuk-heading-m" { @if i == 0 { "Who it involves (optional)" } @else { "Someone else involved (optional)" } }
                            (picker(&format!("party{i}_person_id"), "Person", PickKind::Person, &p.parties[i], errors))
                            (select(&format!("party{i}_role"), "Their part in the case", &roles, role, errors))
                            @if anonymity || anonymous {
                                div class={ "govuk-form-group" @if anon_error.is_some() { " govuk-form-group--error" } } {
                                    (inline_error(&anon_id, anon_error))
                                    div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                                        div class="govuk-checkboxes__item" {
                                            input class="govuk-checkboxes__input" id=(anon_id) name=(anon_id) type="checkbox" value="yes" checked[anonymous]
                                                aria-describedby=[anon_error.is_some().then(|| format!("{anon_id}-error"))];
                                            label class="govuk-label govuk-checkboxes__label" for=(anon_id) {
                                                "Keep the reporter anonymous" span class="govuk-visually-hidden" { " (person " (i + 1) ")" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Open the case" }
                    }
                } }
            },
        ),
    )
}

/// Active colleagues as a select offers them, from the gate.
type Colleagues = Vec<(Id, String, hearth_domain::staff::StaffRole)>;

/// "Open an anti-social behaviour case", "Open a complaint": the heading for a kind.
fn with_article(kind: CaseKind) -> String {
    let lower = kind.label().to_lowercase();
    let article = if lower.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    let noun =
        if lower.ends_with("case") || matches!(kind, CaseKind::Complaint | CaseKind::Repair) { lower } else { format!("{lower} case") };
    format!("Open {article} {noun}")
}

/// Only a plain number is carried into the form from a link.
fn plain_number(v: Option<String>) -> String {
    v.filter(|p| !p.is_empty() && p.len() < 20 && p.bytes().all(|b| b.is_ascii_digit())).unwrap_or_default()
}

pub async fn new_case_form(State(s): State<AppState>, session: UiSession, Query(q): Query<NewCaseQuery>) -> Response {
    let person = plain_number(q.person_id);
    let kind = match q.kind.as_deref() {
        None => return choose_kind_page(&session, &person, &[]),
        Some(k) => match CaseKind::parse(k) {
            Some(k) => k,
            None => return choose_kind_page(&session, &person, &[FieldError::new("kind", CaseKind::choose_message())]),
        },
    };
    let f = CaseForm { kind: kind.as_str().into(), party0_person_id: person, ..Default::default() };
    let pickers = match CasePickers::resolve(&s.gate, &session, &f).await {
        Ok(p) => p,
        Err(e) => return error_page(&session, e),
    };
    render_new_case(&s, &session, kind, &f, &pickers, vec![]).await
}

/// The form for a kind, with its pickers as this request looked them up.
async fn render_new_case(
    s: &AppState,
    session: &UiSession,
    kind: CaseKind,
    f: &CaseForm,
    pickers: &CasePickers,
    errors: Vec<FieldError>,
) -> Response {
    let colleagues = match s.gate.colleagues().await {
        Ok(c) => c,
        Err(e) => return error_page(session, e),
    };
    new_case_page(session, kind, f, pickers, &colleagues, &errors)
}

pub async fn open_case(State(s): State<AppState>, Posted(session, mut f): Posted<CaseForm>) -> Response {
    let Some(kind) = CaseKind::parse(f.kind.trim()) else {
        return choose_kind_page(&session, "", &[FieldError::new("kind", CaseKind::choose_message())]);
    };
    // "Find" or "Change" on a picker: show the form again, nothing written.
    let asked = picker::pick_request(&f._pick).map(|(field, change)| (field.to_string(), change));
    if let Some((field, change)) = &asked {
        if *change {
            f.unpick(field);
        }
    }
    let pickers = match CasePickers::resolve(&s.gate, &session, &f).await {
        Ok(p) => p,
        Err(e) => return error_page(&session, e),
    };
    if asked.is_some() {
        return render_new_case(&s, &session, kind, &f, &pickers, vec![]).await;
    }
    let (mut input, mut errors, slots) = f.input(&pickers);
    errors.extend(pickers.unchosen());
    match f.assigned_to.trim() {
        "" => {}
        a => match a.parse::<Id>() {
            Ok(id) => input.assigned_to = Some(id),
            // A username still works, for forms posted by older pages.
            Err(_) => match s.gate.user_id(a).await {
                Ok(id) => input.assigned_to = Some(id),
                Err(GateError::NotFound) => errors.push(FieldError::new("assigned_to", "Choose a colleague from the list")),
                Err(e) => return error_page(&session, e),
            },
        },
    }
    if !errors.is_empty() {
        // Show the domain's complaints too, so the form is fixed in one go.
        if let Err(v) = input.validate(Gate::today()) {
            let seen: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            errors.extend(
                v.0.into_iter().map(|e| FieldError::new(form_field(&e.field, &slots), e.message)).filter(|e| !seen.contains(&e.field)),
            );
        }
        return render_new_case(&s, &session, kind, &f, &pickers, errors).await;
    }
    match s.gate.open_case(&session.actor, &input).await {
        Ok(v) => Redirect::to(&format!("/cases/{}?done=opened", v.case.id)).into_response(),
        Err(GateError::Invalid(v)) => {
            let errors: Vec<_> = v.0.into_iter().map(|e| FieldError::new(form_field(&e.field, &slots), e.message)).collect();
            render_new_case(&s, &session, kind, &f, &pickers, errors).await
        }
        Err(e) => error_page(&session, e),
    }
}

// ---- the case page ----

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "opened" => "Case opened",
        "assigned" => "Case assigned",
        "contact" => "Contact logged",
        "status" => "Status changed",
        "closed" => "Case closed",
        "letter" => "Letter sent",
        "override_requested" => "Asked to reveal the reporter: waiting for a second person to approve",
        "override_approved" => "Reveal of the reporter approved",
        _ => return None,
    })
}

/// One thing to do to a case: each has its own view of the case page
/// (`?action=`), so the page shows one form at a time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum CaseAction {
    Assign,
    Contact,
    Status,
    Close,
    Reveal,
}

impl CaseAction {
    const ALL: [CaseAction; 5] = [CaseAction::Assign, CaseAction::Contact, CaseAction::Status, CaseAction::Close, CaseAction::Reveal];

    fn slug(self) -> &'static str {
        match self {
            CaseAction::Assign => "assign",
            CaseAction::Contact => "contact",
            CaseAction::Status => "status",
            CaseAction::Close => "close",
            CaseAction::Reveal => "reveal",
        }
    }

    fn label(self) -> &'static str {
        match self {
            CaseAction::Assign => "Assign the case",
            CaseAction::Contact => "Log a contact",
            CaseAction::Status => "Move the case on",
            CaseAction::Close => "Close the case",
            CaseAction::Reveal => "Ask to reveal the reporter",
        }
    }

    /// The action a posted change form belongs to, to show its errors there.
    fn of_change(change: &str) -> Option<CaseAction> {
        match change {
            "assign" => Some(CaseAction::Assign),
            "note" => Some(CaseAction::Contact),
            "status" => Some(CaseAction::Status),
            "close" => Some(CaseAction::Close),
            _ => None,
        }
    }

    /// The actions this case offers now: none that change a closed case, no
    /// "move on" without a next status, and reveal only for an anonymous reporter.
    fn offered(v: &CaseView) -> Vec<CaseAction> {
        let c = &v.case;
        CaseAction::ALL
            .into_iter()
            .filter(|a| match a {
                CaseAction::Reveal => super::anonymity::has_anonymous_reporter(v),
                CaseAction::Status => !c.is_closed() && !c.kind.next_statuses(c.status).is_empty(),
                _ => !c.is_closed(),
            })
            .collect()
    }
}

pub async fn case_page(
    State(s): State<AppState>,
    session: UiSession,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
    Query(q): Query<ActionQuery>,
) -> Response {
    match s.gate.case(&session.actor, id).await {
        Ok(v) => {
            // An action the case does not offer now (closed meanwhile) is the case page itself.
            let action = CaseAction::offered(&v).into_iter().find(|a| a.slug() == q.action);
            let banner = done.done.as_deref().and_then(done_message);
            let first = super::needs::case_banner(&s.gate, &session, &v).await;
            let view = View { banner, action, f: &ChangeForm::default(), o: &OverrideForm::default(), errors: &[] };
            respond(StatusCode::OK, case_view_page(&session, &v, first, view))
        }
        Err(e) => error_page(&session, e),
    }
}

/// Which view of the case page, and what comes back into it: the banner of
/// a change just made, or a form as typed with its errors.
struct View<'a> {
    banner: Option<&'a str>,
    action: Option<CaseAction>,
    f: &'a ChangeForm,
    o: &'a OverrideForm,
    errors: &'a [FieldError],
}

/// Who a case is assigned to, by name.
fn staff(v: &CaseView, me: Id) -> String {
    match (v.case.assigned_to, v.assigned_to_name.as_deref()) {
        (None, _) => "Nobody yet".into(),
        (Some(a), Some(name)) if a == me => format!("You ({name})"),
        (Some(_), Some(name)) => name.to_string(),
        (Some(_), None) => "A former member of staff".into(),
    }
}

fn event_label(kind: &str) -> String {
    match kind {
        "opened" => "Opened".into(),
        "assigned" => "Assigned".into(),
        "status" => "Status".into(),
        "note" => "Note".into(),
        "contact" => "Contact".into(),
        "extended" => "Deadline extended".into(),
        "scheduled" => "Appointment booked".into(),
        "closed" => "Closed".into(),
        other => other.replace('_', " "),
    }
}

/// One action's view: the case named, its form alone, errors on it.
fn action_page(s: &UiSession, v: &CaseView, first: Markup, action: CaseAction, view: &View) -> Markup {
    let c = &v.case;
    let errors = view.errors;
    page(
        &format!("{}: {}", action.label(), c.reference),
        &chrome(s),
        !errors.is_empty(),
        html! {
            a class="govuk-back-link" href={ "/cases/" (c.id) } { "Back to " (c.reference) }
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(errors))
                (first)
                span class="govuk-caption-l" { (c.reference) ": " (c.summary) }
                // The conflict error ("changes") links here.
                h1 class="govuk-heading-l" id="changes" tabindex="-1" { (action.label()) }
                @if action == CaseAction::Reveal {
                    (super::anonymity::override_form(s, v, view.o, errors))
                } @else {
                    (change_form(s, c, action, view.f, errors))
                }
                p class="govuk-body" { a class="govuk-link" href={ "/cases/" (c.id) } { "Cancel and go back to the case" } }
            } }
        },
    )
}

/// `first` is the adjustments banner of the people on the case, shown before anything else.
fn case_view_page(s: &UiSession, v: &CaseView, first: Markup, view: View) -> Markup {
    if let Some(a) = view.action {
        return action_page(s, v, first, a, &view);
    }
    let c = &v.case;
    let me = s.actor.user_id;
    let actions = CaseAction::offered(v);
    page(
        &c.reference,
        &chrome(s),
        false,
        html! {
            a class="govuk-back-link" href="/cases" { "Back to your cases" }
            @if let Some(b) = view.banner { (success_banner(b)) }
            (first)
            span class="govuk-caption-l" { (c.kind.label()) }
            h1 class="govuk-heading-l" { (c.reference) }
            p class="govuk-body-l" { (c.summary) }
            @if c.kind == CaseKind::Repair {
                p class="govuk-body" { a class="govuk-link" href={ "/cases/" (c.id) "/job-sheet" } { "Job sheet for the contractor" } }
            }
            dl class="govuk-summary-list" {
                (row("Status", html! { (c.status.label()) }))
                (row("Priority", html! { (c.priority.label()) }))
                (row("Assigned to", html! { (staff(v, me)) }))
                (row("Team", html! { (c.team.as_deref().unwrap_or("Not set")) }))
                (row("Opened", html! { time datetime=(c.opened_at) { (uk_time(c.opened_at)) } }))
                @if let Some(d) = &v.deadlines {
                    (row("Acknowledge by", html! { (long_date(d.acknowledge_by)) @if v.acknowledgement_overdue { " " (overdue_tag()) } }))
                    (row("Respond by", html! { (long_date(d.respond_by)) @if v.response_overdue { " " (overdue_tag()) } }))
                } @else {
                    (row("Due", html! {
                        (c.due_date.map(long_date).unwrap_or_else(|| "Not set".into()))
                        @if v.overdue { " " (overdue_tag()) }
                    }))
                }
                @if let Some(t) = c.trade { (row("Trade", html! { (t.label()) })) }
                @if let Some(a) = &v.property_address { (row("Property", html! { (a) })) }
                @if let Some(o) = c.outcome {
                    (row("Outcome", html! { (o.label()) }))
                    @if let Some(n) = &c.outcome_note { (row("Outcome note", html! { (n) })) }
                    @if let Some(r) = &c.remedy { (row("Remedy", html! { (r) })) }
                }
                @if let Some(at) = c.closed_at { (row("Closed", html! { time datetime=(at) { (uk_time(at)) } })) }
                @if let Some(d) = c.retention_from { (row("Retention from", html! { (long_date(d)) })) }
            }

            h2 class="govuk-heading-m" { "Parties" }
            @if v.parties.is_empty() {
                p class="govuk-body" { "No parties recorded." }
            } @else {
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-visually-hidden" { "Parties to this case" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Name" }
                        th scope="col" class="govuk-table__header" { "Role" }
                        th scope="col" class="govuk-table__header" { span class="govuk-visually-hidden" { "Letter" } }
                    } }
                    tbody class="govuk-table__body" {
                        @for p in &v.parties {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" {
                                    // An anonymous reporter is never named or linked, whoever reads the case.
                                    // Only an approved override's reader sees one, marked as such.
                                    @match (p.anonymous, p.person_id, p.revealed_under) {
                                        (true, Some(pid), Some(o)) => {
                                            a class="govuk-link" href={ "/people/" (pid) } { (p.name) }
                                            " " strong class="govuk-tag govuk-tag--red" { "Anonymous: revealed to you under override " (o) }
                                        }
                                        (true, _, _) | (_, None, _) => "Anonymous reporter",
                                        (false, Some(pid), _) => a class="govuk-link" href={ "/people/" (pid) } { (p.name) },
                                    }
                                }
                                td class="govuk-table__cell" { (p.role.label()) }
                                td class="govuk-table__cell" {
                                    // Letters to an anonymous reporter are reached from their own record.
                                    @if let (false, Some(pid)) = (p.anonymous, p.person_id) {
                                        a class="govuk-link" href={ "/cases/" (c.id) "/letters/" (pid) } {
                                            "Letter" span class="govuk-visually-hidden" { " to " (p.name) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }

            (super::anonymity::case_section(s, v))

            @if !actions.is_empty() {
                h2 class="govuk-heading-m" id="changes" { "Work on this case" }
                ul class="govuk-list" id="case-actions" {
                    @for a in &actions {
                        li { a class="govuk-link" href={ "/cases/" (c.id) "?action=" (a.slug()) } { (a.label()) } }
                    }
                }
            }

            h2 class="govuk-heading-m" { "Timeline" }
            table class="govuk-table" id="timeline" {
                caption class="govuk-table__caption govuk-visually-hidden" { "Timeline of this case, newest first" }
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "When" }
                    th scope="col" class="govuk-table__header" { "Who" }
                    th scope="col" class="govuk-table__header" { "What" }
                    th scope="col" class="govuk-table__header" { "Detail" }
                } }
                tbody class="govuk-table__body" {
                    // Newest first, as the contact history is.
                    @for e in v.timeline.iter().rev() {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { time datetime=(e.at) { (uk_time(e.at)) } }
                            td class="govuk-table__cell" { (e.by_username) }
                            td class="govuk-table__cell" { (event_label(&e.kind)) }
                            td class="govuk-table__cell" { (e.detail) }
                        }
                    }
                }
            }

            h2 class="govuk-heading-m" { "Documents" }
            p class="govuk-body" { "No documents yet." }
        },
    )
}

/// The form of one change, carrying the version the case was read at.
fn change_form(s: &UiSession, c: &Case, action: CaseAction, f: &ChangeForm, errors: &[FieldError]) -> Markup {
    let hidden = |change: &str| {
        html! {
            (csrf_field(&s.csrf))
            input type="hidden" name="version" value=(c.version);
            input type="hidden" name="change" value=(change);
        }
    };
    let next: Vec<(&str, &str)> = c.kind.next_statuses(c.status).iter().map(|st| (st.as_str(), st.label())).collect();
    let outcomes: Vec<(&str, &str)> = c.kind.outcomes().iter().map(|o| (o.as_str(), o.label())).collect();
    html! {
        form method="post" action={ "/cases/" (c.id) "/changes" } novalidate {
            @match action {
                CaseAction::Assign => {
                    (hidden("assign"))
                    (Input::text("assign_username", "Staff username", &f.assigned_to).autocomplete("off").width("20").no_spellcheck().render(errors))
                    (Input::text("assign_team", "Team (optional)", &f.team).autocomplete("off").width("20").render(errors))
                    button type="submit" class="govuk-button" data-module="govuk-button" { "Assign" }
                }
                CaseAction::Contact => {
                    (hidden("note"))
                    input type="hidden" name="kind" value="contact";
                    (textarea("contact_text", "text", "What happened", &f.text, errors))
                    button type="submit" class="govuk-button" data-module="govuk-button" { "Log the contact" }
                }
                CaseAction::Status => {
                    (hidden("status"))
                    (radios("status", "Move to", None, &next, &f.status, errors, ""))
                    button type="submit" class="govuk-button" data-module="govuk-button" { "Move the case on" }
                }
                // Revealing is the anonymity module's own form (`override_form`).
                CaseAction::Reveal => {}
                CaseAction::Close => {
                    (hidden("close"))
                    (radios("outcome", "Outcome", None, &outcomes, &f.outcome, errors, ""))
                    (textarea("close_note", "note", "Outcome note (optional)", &f.note, errors))
                    (textarea("close_remedy", "remedy", "Remedy offered (optional)", &f.remedy, errors))
                    button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { "Close the case" }
                }
            }
        }
    }
}

// ---- changing a case ----

/// Every change form posts here; `change` says which one.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChangeForm {
    _csrf: String,
    version: i64,
    change: String,
    /// Assign: a staff username, resolved here to the account id.
    #[serde(rename = "assign_username")]
    assigned_to: String,
    #[serde(rename = "assign_team")]
    team: String,
    kind: String,
    text: String,
    status: String,
    outcome: String,
    note: String,
    remedy: String,
}

/// The gate's field names onto this page's input ids.
fn change_field(field: &str) -> String {
    match field {
        "assigned_to" => "assign_username",
        "team" => "assign_team",
        "text" => "contact_text",
        "note" => "close_note",
        "remedy" => "close_remedy",
        "status" | "outcome" => field,
        _ => "changes",
    }
    .to_string()
}

pub async fn change_case(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<ChangeForm>) -> Response {
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    let version = f.version;
    let change = match f.change.as_str() {
        "assign" => {
            let username = f.assigned_to.trim();
            let found = if username.is_empty() { Err(GateError::NotFound) } else { s.gate.user_id(username).await };
            match found {
                Ok(assigned_to) => CaseChange::Assign { version, assigned_to, team: opt(&f.team) },
                Err(GateError::NotFound) => {
                    let msg = if username.is_empty() { "Enter a staff username" } else { "There is no staff account with that username" };
                    return changes_refused(&s.gate, &session, id, &f, Refusal::field("assign_username", msg)).await;
                }
                Err(e) => return error_page(&session, e),
            }
        }
        "note" => CaseChange::Note { version, kind: opt(&f.kind), text: f.text.clone() },
        "status" if f.status.is_empty() => {
            return changes_refused(&s.gate, &session, id, &f, Refusal::field("status", "Choose where to move the case")).await
        }
        "status" => CaseChange::Status { version, status: f.status.clone(), on: None },
        "close" if f.outcome.is_empty() => {
            return changes_refused(&s.gate, &session, id, &f, Refusal::field("outcome", "Choose the outcome")).await
        }
        "close" => CaseChange::Close { version, outcome: f.outcome.clone(), note: opt(&f.note), remedy: opt(&f.remedy) },
        // Our forms only post the changes above.
        _ => return error_page(&session, GateError::NotFound),
    };
    let done = match &change {
        CaseChange::Assign { .. } => "assigned",
        CaseChange::Note { .. } => "contact",
        CaseChange::Status { .. } => "status",
        _ => "closed",
    };
    match s.gate.change_case(&session.actor, id, &change).await {
        Ok(_) => Redirect::to(&format!("/cases/{id}?done={done}")).into_response(),
        Err(e) => match Refusal::from_gate(e, "case", change_field) {
            Ok(r) => changes_refused(&s.gate, &session, id, &f, r).await,
            Err(e) => error_page(&session, e),
        },
    }
}

/// The case page again, as it is now, with the errors and what was typed.
async fn changes_refused(gate: &Gate, s: &UiSession, id: Id, f: &ChangeForm, r: Refusal) -> Response {
    let load = async {
        let v = gate.case(&s.actor, id).await?;
        let first = super::needs::case_banner(gate, s, &v).await;
        Ok((v, first))
    };
    let action = CaseAction::of_change(&f.change);
    let o = OverrideForm::default();
    r.page(s, load, |(v, first), errors| case_view_page(s, &v, first, View { banner: None, action, f, o: &o, errors })).await
}

/// The case page again with the ask-to-reveal form's errors and what was typed.
async fn override_refused(gate: &Gate, s: &UiSession, id: Id, o: &OverrideForm, r: Refusal) -> Response {
    let load = async {
        let v = gate.case(&s.actor, id).await?;
        let first = super::needs::case_banner(gate, s, &v).await;
        Ok((v, first))
    };
    let f = ChangeForm::default();
    let action = Some(CaseAction::Reveal);
    r.page(s, load, |(v, first), errors| case_view_page(s, &v, first, View { banner: None, action, f: &f, o, errors })).await
}

/// Asks to reveal an anonymous reporter (the form on the case page).
pub async fn request_override(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<OverrideForm>) -> Response {
    let input = f.input();
    match s.gate.request_override(&session.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/cases/{id}?done=override_requested#anonymity")).into_response(),
        Err(e) => match Refusal::from_gate(e, "case", super::anonymity::override_field) {
            Ok(r) => override_refused(&s.gate, &session, id, &f, r).await,
            Err(e) => error_page(&session, e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn party_errors_land_on_the_form_slot_they_came_from() {
        assert_eq!(form_field("parties[0].anonymous", &[1]), "party1_anonymous");
        assert_eq!(form_field("parties[1].role", &[0, 1]), "party1_role");
        assert_eq!(form_field("summary", &[]), "summary");
    }

    #[test]
    fn untouched_party_slots_are_not_sent() {
        let chosen =
            |id| Picked { chosen: Some(picker::Choice { id, label: "A. Person".into(), detail: String::new() }), ..Default::default() };
        let p = CasePickers { property: Picked::default(), parties: [Picked::default(), chosen(7)] };
        let f = CaseForm { kind: "asb".into(), party1_person_id: "7".into(), party1_role: "witness".into(), ..Default::default() };
        let (input, errors, slots) = f.input(&p);
        assert!(errors.is_empty());
        assert_eq!(slots, vec![1]);
        assert_eq!(input.parties.unwrap()[0].person_id, Some(7));
        // A role with nobody found is a party the form asks to be chosen.
        let bad = CaseForm { party0_role: "witness".into(), ..Default::default() };
        let none = CasePickers { property: Picked::default(), parties: [Picked::default(), Picked::default()] };
        assert_eq!(bad.input(&none).1[0].field, "party0_person_id");
    }

    #[test]
    fn headings_name_the_kind_in_words() {
        assert_eq!(with_article(CaseKind::Asb), "Open an anti-social behaviour case");
        assert_eq!(with_article(CaseKind::CareSupport), "Open a care and support case");
        assert_eq!(with_article(CaseKind::Complaint), "Open a complaint");
        assert_eq!(with_article(CaseKind::Repair), "Open a repair job");
    }
}

crate::shell::session::csrf_forms!(CaseForm, ChangeForm);
