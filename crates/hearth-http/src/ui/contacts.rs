//! The contact log in the web UI: the "Contact history" section of the
//! person page, a paged list of a person's contacts with a channel filter,
//! and the log-a-contact form.
//!
//! The gate decides everything: the timeline holds only entries the caller
//! may see, and the form is turned into the same `ContactInput` the API
//! takes, so the domain's rules (an attempted call says whether a voicemail
//! was left, an appointment has an outcome) apply unchanged and its field
//! errors land on this form's inputs. Times are shown in Europe/London.

use crate::shell::layout::{csrf_field, date_input, error_for, error_summary, inline_error, page, radios, select, textarea, Input};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::{form_date, long_date, uk_time};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::contacts::TimelineFilter;
use hearth_domain::{
    contacts::{contact_compartment, AppointmentOutcome, Channel, ContactEntry, ContactInput, FollowUp, FollowUpInput},
    error::FieldError,
    recordings::{is_call, RecordingInput, RecordingPurpose},
    Id,
};
use hearth_gate::{Gate, GateError};
use maud::{html, Markup};
use serde::Deserialize;

/// How many entries the person page shows before "See all".
const ON_PERSON_PAGE: i64 = 20;
/// Page size of the full contact list.
const PER_PAGE: i64 = 25;

use crate::shell::words::COMPARTMENTS;

fn channel_options() -> Vec<(&'static str, &'static str)> {
    Channel::ALL.iter().map(|c| (c.as_str(), c.label())).collect()
}

/// The channel with what the entry adds to it, e.g. "Attempted call (voicemail left)".
fn channel_cell(e: &ContactEntry) -> String {
    let label = e.channel.label();
    match (e.voicemail_left, e.appointment_outcome) {
        (Some(true), _) => format!("{label} (voicemail left)"),
        (Some(false), _) => format!("{label} (no voicemail)"),
        (_, Some(o)) => format!("{label} ({})", o.label().to_lowercase()),
        _ => label.to_string(),
    }
}

/// Who recorded or did something, by name ("You" for the reader).
fn recorder(id: Id, me: Id, names: &Names) -> String {
    let name = names.get(&id).map(String::as_str).unwrap_or("a former member of staff");
    if id == me {
        format!("You ({name})")
    } else {
        name.to_string()
    }
}

/// Colleagues' names by account id ([`Gate::staff_names`]).
type Names = std::collections::BTreeMap<Id, String>;

/// A follow-up under its entry's summary: done (by whom, when), or open
/// with a button to mark it done.
fn follow_up_item(f: &FollowUp, me: Id, names: &Names, csrf: &str, person_id: Id) -> Markup {
    html! {
        li {
            (f.action) " – due " (long_date(f.due_on))
            @if let (Some(at), Some(by)) = (f.done_at, f.done_by) {
                " – " strong class="govuk-tag govuk-tag--green" { "Done" } " " (uk_time(at)) " by " (if by == me { "you".to_string() } else { recorder(by, me, names) })
            } @else {
                form method="post" action={ "/people/" (person_id) "/follow-ups/" (f.id) "/done" } class="govuk-!-display-inline" novalidate {
                    (csrf_field(csrf))
                    button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-left-2" data-module="govuk-button" {
                        "Mark done" span class="govuk-visually-hidden" { ": " (f.action) }
                    }
                }
            }
        }
    }
}

fn entries_table(caption: &str, entries: &[ContactEntry], me: Id, names: &Names, csrf: &str, person_id: Id) -> Markup {
    html! {
        table class="govuk-table" id="contact-history" {
            caption class="govuk-table__caption govuk-visually-hidden" { (caption) }
            thead class="govuk-table__head" { tr class="govuk-table__row" {
                th scope="col" class="govuk-table__header" { "When" }
                th scope="col" class="govuk-table__header" { "Channel" }
                th scope="col" class="govuk-table__header" { "Summary" }
                th scope="col" class="govuk-table__header" { "Compartment" }
                th scope="col" class="govuk-table__header" { "Staff" }
            } }
            tbody class="govuk-table__body" {
                @for e in entries {
                    tr class="govuk-table__row" {
                        td class="govuk-table__cell" { time datetime=(e.occurred_at) { (uk_time(e.occurred_at)) } }
                        td class="govuk-table__cell" { (channel_cell(e)) }
                        td class="govuk-table__cell" {
                            @if !e.subjects.is_empty() {
                                strong class="govuk-tag govuk-tag--grey govuk-!-margin-bottom-1" { (e.subjects.join(", ")) } br;
                            }
                            (e.summary)
                            @if !e.follow_ups.is_empty() {
                                ul class="govuk-list govuk-body-s govuk-!-margin-top-2" {
                                    @for f in &e.follow_ups { (follow_up_item(f, me, names, csrf, person_id)) }
                                }
                            }
                            @if is_call(e.channel) {
                                p class="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-0" {
                                    a class="govuk-link" href={ "/people/" (person_id) "/contacts/" (e.id) "/recording" } {
                                        "Add call recording details" span class="govuk-visually-hidden" { " for this call" }
                                    }
                                }
                            }
                        }
                        td class="govuk-table__cell" { (crate::shell::words::compartment_label(e.compartment)) }
                        td class="govuk-table__cell" { (recorder(e.recorded_by, me, names)) }
                    }
                }
            }
        }
    }
}

// ---- the person page section ----

/// The "Contact history" section of the person page: the newest entries the
/// caller may see. A failure here must not cost the rest of the page.
pub(super) async fn person_section(gate: &Gate, s: &UiSession, person_id: Id) -> Markup {
    let mut refused = None;
    let timeline = match gate.person_timeline(&s.actor, person_id, &TimelineFilter::default(), None, Some(ON_PERSON_PAGE)).await {
        Ok(p) => Some(p),
        Err(GateError::Denied { advice, .. }) => {
            refused = Some(advice.unwrap_or_else(|| "Your role does not give access to the contact history".into()));
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "contact history failed");
            None
        }
    };
    let names = gate.staff_names().await.unwrap_or_default();
    html! {
        h2 class="govuk-heading-m" { "Contact history" }
        p class="govuk-body" { a class="govuk-link" href={ "/people/" (person_id) "/contacts/new" } { "Log a contact" } }
        @match timeline {
            Some(p) if p.items.is_empty() => p class="govuk-body" { "No contacts you can see are recorded." },
            Some(p) => {
                (entries_table("Contacts with this person, newest first", &p.items, s.actor.user_id, &names, &s.csrf, person_id))
                @if p.next_cursor.is_some() {
                    p class="govuk-body" { a class="govuk-link" href={ "/people/" (person_id) "/contacts" } { "See all" span class="govuk-visually-hidden" { " contacts" } } }
                }
            },
            None => @match refused {
                Some(r) => p class="govuk-body" { (r) },
                None => p class="govuk-body" { "The contact history cannot be shown just now." },
            },
        }
    }
}

/// "Next actions" on the person page's summary: the open follow-ups of the
/// newest entries the caller may see (the same read as the contact history),
/// soonest due first, each with its "Mark done" button.
pub(super) async fn next_actions(gate: &Gate, s: &UiSession, person_id: Id) -> Markup {
    let Ok(p) = gate.person_timeline(&s.actor, person_id, &TimelineFilter::default(), None, Some(ON_PERSON_PAGE)).await else {
        return html! {};
    };
    let mut open: Vec<&FollowUp> = p.items.iter().flat_map(|e| e.follow_ups.iter()).filter(|f| f.done_at.is_none()).collect();
    open.sort_by_key(|f| f.due_on);
    let names = Names::new();
    let today = Gate::today();
    html! {
        h2 class="govuk-heading-m" id="next-actions" { "Next actions" }
        @if open.is_empty() {
            p class="govuk-body" { "No open follow-ups in the recent contact history." }
        } @else {
            ul class="govuk-list" {
                @for f in &open {
                    @if f.due_on < today { (overdue_item(f, s, person_id)) } @else { (follow_up_item(f, s.actor.user_id, &names, &s.csrf, person_id)) }
                }
            }
        }
    }
}

/// An open follow-up whose day has passed, marked as such.
fn overdue_item(f: &FollowUp, s: &UiSession, person_id: Id) -> Markup {
    html! {
        li {
            strong class="govuk-tag govuk-tag--red" { "Overdue" } " " (f.action) " – due " (long_date(f.due_on))
            form method="post" action={ "/people/" (person_id) "/follow-ups/" (f.id) "/done" } class="govuk-!-display-inline" novalidate {
                (csrf_field(&s.csrf))
                button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-left-2" data-module="govuk-button" {
                    "Mark done" span class="govuk-visually-hidden" { ": " (f.action) }
                }
            }
        }
    }
}

// ---- the paged list ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    channel: String,
    compartment: String,
    after: Option<i64>,
}

pub async fn list(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>, Query(q): Query<ListQuery>) -> Response {
    // An unknown channel in the address is simply no filter.
    let channel = Channel::parse(q.channel.trim());
    let chosen = channel.map(|c| c.as_str()).unwrap_or("");
    let compartment = contact_compartment(q.compartment.trim());
    let chosen_compartment = if compartment.is_some() { q.compartment.trim() } else { "" };
    let filter = TimelineFilter { channel, compartment };
    let p = match s.gate.person_timeline(&session.actor, id, &filter, q.after, Some(PER_PAGE)).await {
        Ok(p) => p,
        // Refused for want of a caller check: offer the check, not a dead end.
        Err(GateError::Denied { .. }) if s.gate.caller_check_needed(&session.actor) => {
            return super::representatives::refused_page(&s, &session, id).await
        }
        Err(e) => return error_page(&session, e),
    };
    let names = match s.gate.staff_names().await {
        Ok(n) => n,
        Err(e) => return error_page(&session, e),
    };
    let mut channels = vec![("", "All channels")];
    channels.extend(channel_options());
    let mut compartments = vec![("", "All you can see")];
    compartments.extend(COMPARTMENTS.iter().copied());
    let title = "Contact history";
    respond(
        StatusCode::OK,
        page(
            title,
            &chrome(&session),
            false,
            html! {
                a class="govuk-back-link" href={ "/people/" (id) } { "Back to the person" }
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { a class="govuk-link" href={ "/people/" (id) "/contacts/new" } { "Log a contact" } }
                form method="get" action={ "/people/" (id) "/contacts" } novalidate {
                    (select("channel", "Channel", &channels, chosen, &[]))
                    (select("compartment", "Compartment", &compartments, chosen_compartment, &[]))
                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Filter" }
                }
                @if p.items.is_empty() {
                    p class="govuk-body" { "No contacts you can see match." }
                } @else {
                    (entries_table("Contacts with this person, newest first", &p.items, session.actor.user_id, &names, &session.csrf, id))
                }
                @if let Some(next) = p.next_cursor {
                    nav class="govuk-pagination govuk-pagination--block" aria-label="Pagination" {
                        div class="govuk-pagination__next" {
                            a class="govuk-link govuk-pagination__link" href={ "/people/" (id) "/contacts?channel=" (chosen) "&compartment=" (chosen_compartment) "&after=" (next) } rel="next" {
                                span class="govuk-pagination__link-title" { "Older contacts" }
                            }
                        }
                    }
                }
            },
        ),
    )
}

// ---- logging a contact ----

/// The log-a-contact form as posted. The questions of one channel (voicemail,
/// appointment outcome and place, a system letter, a service request) are
/// revealed under it; without JavaScript every one is shown, so an answer
/// that contradicts the channel is sent as given and the domain refuses it
/// on its field, as the API does.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ContactForm {
    _csrf: String,
    channel: String,
    /// Why the customer got in touch (or we did), one of [`REASONS`]; kept
    /// as the entry's subject, so reports can count contacts by reason.
    reason: String,
    summary: String,
    voicemail_left: String,
    appointment_outcome: String,
    place: String,
    /// "yes" when ticked (a letter sent made by a system).
    system_generated: String,
    /// "yes" when ticked (a social media post needing a response).
    service_request: String,
    compartment: String,
    /// The case the contact is filed on, when the form was opened for one:
    /// the entry then takes the case's compartment.
    case_id: String,
    /// An optional follow-up: what to do, the colleague who owns it (an
    /// account chosen from a list of names, never typed) and when it is due.
    follow_up_action: String,
    follow_up_owner: String,
    follow_up_due_day: String,
    follow_up_due_month: String,
    follow_up_due_year: String,
}

/// What opens the form: the case to file the contact on, if any.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewContactQuery {
    case_id: String,
}

impl ContactForm {
    fn input(&self, person_id: Id) -> ContactInput {
        let voicemail_left = match self.voicemail_left.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        let given = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let ticked = |v: &str| (v == "yes").then_some(true);
        let follow_ups = self.wants_follow_up().then(|| {
            vec![FollowUpInput {
                action: Some(self.follow_up_action.clone()),
                owner: self.follow_up_owner.trim().parse().ok(),
                due_on: self.follow_up_due(),
            }]
        });
        ContactInput {
            follow_ups,
            occurred_at: None, // now
            channel: Some(self.channel.trim().to_string()),
            compartment: Some(self.compartment.trim().to_string()).filter(|c| !c.is_empty()),
            person_ids: Some(vec![person_id]),
            case_id: self.case_id.trim().parse().ok(),
            summary: Some(self.summary.clone()),
            subjects: Some(REASONS.iter().find(|r| **r == self.reason.trim()).map(|r| vec![r.to_string()]).unwrap_or_default()),
            voicemail_left,
            appointment_outcome: given(&self.appointment_outcome),
            place: given(&self.place),
            system_generated: ticked(&self.system_generated),
            service_request: ticked(&self.service_request),
            ..Default::default()
        }
    }
}

impl ContactForm {
    /// A reason not among those offered (a form made elsewhere) is refused, not dropped.
    fn reason_error(&self) -> Option<FieldError> {
        let r = self.reason.trim();
        (!r.is_empty() && !REASONS.contains(&r)).then(|| FieldError::new("reason", "Choose a reason for contact from the list"))
    }

    /// A follow-up is asked for when any of its fields is filled in.
    fn wants_follow_up(&self) -> bool {
        [&self.follow_up_action, &self.follow_up_owner, &self.follow_up_due_day, &self.follow_up_due_month, &self.follow_up_due_year]
            .iter()
            .any(|v| !v.trim().is_empty())
    }

    fn follow_up_due(&self) -> Option<String> {
        form_date(&self.follow_up_due_day, &self.follow_up_due_month, &self.follow_up_due_year)
    }

    /// The follow-up's due date in the words of the GOV.UK date pattern
    /// (the domain's message speaks of ISO dates, which this form never shows).
    fn due_date_error(&self, today: jiff::civil::Date) -> Option<FieldError> {
        if !self.wants_follow_up() {
            return None;
        }
        let message = match self.follow_up_due().map(|d| d.parse::<jiff::civil::Date>()) {
            None => "Enter the date the follow-up is due",
            Some(Err(_)) => "The due date must be a real date, for example 14 12 2026",
            Some(Ok(d)) if d < today => "The due date must be today or in the future",
            Some(Ok(_)) => return None,
        };
        Some(FieldError::new("follow_up_due", message))
    }
}

/// The gate's field names onto this form's input ids; anything the form
/// has no input for is shown against the channel, the first field.
/// The reasons for contact the form offers, in the words kept.
pub const REASONS: &[&str] = &[
    "Rent and payments",
    "A repair",
    "Anti-social behaviour",
    "A complaint",
    "The tenancy",
    "Support and wellbeing",
    "A change of details",
    "A general enquiry",
];

fn form_field(field: &str) -> &str {
    match field {
        f if f.starts_with("subjects") => "reason",
        "channel"
        | "summary"
        | "compartment"
        | "voicemail_left"
        | "appointment_outcome"
        | "place"
        | "system_generated"
        | "service_request" => field,
        "follow_ups[0].action" => "follow_up_action",
        "follow_ups[0].owner" => "follow_up_owner",
        "follow_ups[0].due_on" => "follow_up_due",
        // The case decides the compartment: a problem with it is shown there.
        "case_id" => "compartment",
        _ => "channel",
    }
}

/// Active colleagues as the owner select offers them: "Name (Role)".
type Colleagues = Vec<(Id, String, hearth_domain::staff::StaffRole)>;

fn follow_up_fields(f: &ContactForm, colleagues: &Colleagues, me: Id, errors: &[FieldError]) -> Markup {
    let labels: Vec<(String, String)> = colleagues
        .iter()
        .map(|(id, name, role)| {
            (id.to_string(), if *id == me { format!("{name} ({}, you)", role.label()) } else { format!("{name} ({})", role.label()) })
        })
        .collect();
    let mut owners: Vec<(&str, &str)> = vec![("", "Choose a colleague")];
    owners.extend(labels.iter().map(|(v, l)| (v.as_str(), l.as_str())));
    let action_error = error_for(errors, "follow_up_action");
    html! {
        fieldset class="govuk-fieldset" aria-describedby="follow-up-hint" {
            legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { h2 class="govuk-fieldset__heading" { "Follow-up (optional)" } }
            div id="follow-up-hint" class="govuk-hint" { "Leave these blank if nothing needs doing. The follow-up shows on its owner's home page." }
            div class={ "govuk-form-group" @if action_error.is_some() { " govuk-form-group--error" } } {
                label class="govuk-label govuk-label--s" for="follow_up_action" { "What needs doing" }
                (inline_error("follow_up_action", action_error))
                input class={ "govuk-input" @if action_error.is_some() { " govuk-input--error" } } id="follow_up_action" name="follow_up_action" type="text"
                    value=(f.follow_up_action) aria-describedby=[action_error.is_some().then_some("follow_up_action-error")];
            }
            (select("follow_up_owner", "Who will do it", &owners, f.follow_up_owner.trim(), errors))
            (date_input("follow_up_due", "Due date", "For example, 14 12 2026", (&f.follow_up_due_day, &f.follow_up_due_month, &f.follow_up_due_year), errors))
        }
    }
}

/// A single "yes" checkbox inside a revealed panel, with its inline error.
fn tick_box(name: &str, label: &str, checked: bool, errors: &[FieldError]) -> Markup {
    let error = error_for(errors, name);
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            (inline_error(name, error))
            div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                div class="govuk-checkboxes__item" {
                    input class="govuk-checkboxes__input" id=(name) name=(name) type="checkbox" value="yes" checked[checked]
                        aria-describedby=[error.is_some().then(|| format!("{name}-error"))];
                    label class="govuk-label govuk-checkboxes__label" for=(name) { (label) }
                }
            }
        }
    }
}

/// The questions that apply only to one channel, revealed under its radio.
fn channel_questions(f: &ContactForm, channel: Channel, errors: &[FieldError]) -> Option<Markup> {
    let outcomes: Vec<(&str, &str)> = AppointmentOutcome::ALL.iter().map(|o| (o.as_str(), o.label())).collect();
    Some(match channel {
        Channel::CallAttempt => html! {
            (radios("voicemail_left", "Was a voicemail left?", None, &[("yes", "Yes"), ("no", "No")], &f.voicemail_left, errors, " govuk-radios--inline govuk-radios--small"))
        },
        Channel::Appointment => html! {
            (radios("appointment_outcome", "What happened at the appointment?", None, &outcomes, &f.appointment_outcome, errors, " govuk-radios--small"))
            (Input::text("place", "Where was it? (optional)", &f.place).hint("The agreed place, for example the customer's home or the local office.").render(errors))
        },
        Channel::LetterOut => {
            tick_box("system_generated", "Made by a system, for example a rent letter", f.system_generated == "yes", errors)
        }
        Channel::SocialMedia => html! {
            p class="govuk-body" { "Social media posts are logged only when they are a service request that needs a response." }
            (tick_box("service_request", "This post is a service request that needs a response", f.service_request == "yes", errors))
        },
        _ => return None,
    })
}

/// The channel as GOV.UK radios, each channel's own questions conditionally
/// revealed under it (the Design System's markup). Without JavaScript every
/// panel is shown; with it, `assets/init.js` reveals the chosen channel's
/// panel and leaves answers in hidden ones out of what is sent. Not GOV.UK
/// Frontend's own radios script: it puts `aria-expanded` on the radios,
/// which ARIA does not allow there and axe refuses.
fn channel_radios(f: &ContactForm, chosen: &str, errors: &[FieldError]) -> Markup {
    let error = error_for(errors, "channel");
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            fieldset class="govuk-fieldset" aria-describedby=[error.is_some().then_some("channel-error")] {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "How was the contact made?" }
                (inline_error("channel", error))
                div class="govuk-radios govuk-radios--small" data-hearth-reveal {
                    @for (i, c) in Channel::ALL.iter().enumerate() {
                        // The first input's id is the field's name, so the error summary lands on it.
                        @let id = if i == 0 { "channel".to_string() } else { format!("channel-{}", c.as_str()) };
                        @let panel = channel_questions(f, *c, errors);
                        @let panel_id = format!("conditional-channel-{}", c.as_str());
                        @let checked = chosen == c.as_str();
                        div class="govuk-radios__item" {
                            input class="govuk-radios__input" id=(id) name="channel" type="radio" value=(c.as_str()) checked[checked]
                                aria-controls=[panel.is_some().then_some(panel_id.as_str())];
                            label class="govuk-label govuk-radios__label" for=(id) { (c.label()) }
                        }
                        @if let Some(p) = panel {
                            div class={ "govuk-radios__conditional" @if !checked { " govuk-radios__conditional--hidden" } } id=(panel_id) { (p) }
                        }
                    }
                }
            }
        }
    }
}

fn contact_form(s: &UiSession, person_id: Id, f: &ContactForm, colleagues: &Colleagues, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let channel = if f.channel.is_empty() { Channel::CallIn.as_str() } else { f.channel.as_str() };
    // On a case the compartment is the case's unless one is chosen (and
    // one that differs is refused on the field).
    let on_case = f.case_id.trim().parse::<Id>().ok();
    let compartment = if f.compartment.is_empty() && on_case.is_none() { "general" } else { f.compartment.as_str() };
    let mut compartments = vec![];
    if on_case.is_some() {
        compartments.push(("", "The case's compartment"));
    }
    compartments.extend(COMPARTMENTS.iter().copied());
    let summary_error = error_for(errors, "summary");
    let mut reasons: Vec<(&str, &str)> = vec![("", "Choose a reason")];
    reasons.extend(REASONS.iter().map(|r| (*r, *r)));
    let title = "Log a contact";
    respond(
        status,
        page(
            title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                a class="govuk-back-link" href={ "/people/" (person_id) } { "Back to the person" }
                div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    h1 class="govuk-heading-l" { (title) }
                    form method="post" action={ "/people/" (person_id) "/contacts" } novalidate {
                        (csrf_field(&s.csrf))
                        @if let Some(case) = on_case { input type="hidden" name="case_id" value=(case); }
                        (channel_radios(f, channel, errors))
                        (select("reason", "Reason for contact", &reasons, f.reason.trim(), errors))
                        div class={ "govuk-form-group" @if summary_error.is_some() { " govuk-form-group--error" } } {
                            label class="govuk-label govuk-label--s" for="summary" { "Summary" }
                            div id="summary-hint" class="govuk-hint" { "What the contact was about and what was agreed. Summarise rather than quote." }
                            (inline_error("summary", summary_error))
                            textarea class={ "govuk-textarea" @if summary_error.is_some() { " govuk-textarea--error" } } id="summary" name="summary" rows="4"
                                aria-describedby={ "summary-hint" @if summary_error.is_some() { " summary-error" } } { (f.summary) }
                        }
                        (select("compartment", "Compartment", &compartments, compartment, errors))
                        (follow_up_fields(f, colleagues, s.actor.user_id, errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Log the contact" }
                    }
                } }
            },
        ),
    )
}

pub async fn new_contact_form(
    State(s): State<AppState>,
    session: UiSession,
    Path(id): Path<i64>,
    Query(q): Query<NewContactQuery>,
) -> Response {
    let colleagues = match s.gate.colleagues().await {
        Ok(c) => c,
        Err(e) => return error_page(&session, e),
    };
    let case_id = q.case_id.trim().parse::<Id>().map(|c| c.to_string()).unwrap_or_default();
    contact_form(&session, id, &ContactForm { case_id, ..Default::default() }, &colleagues, &[])
}

/// The gate's field errors on this form's inputs, the due date's in the
/// form's own words, in the order the fields appear.
fn form_errors(f: &ContactForm, gate_errors: Vec<FieldError>, today: jiff::civil::Date) -> Vec<FieldError> {
    let due = f.due_date_error(today);
    let mut errors: Vec<FieldError> = gate_errors
        .into_iter()
        .map(|e| FieldError::new(form_field(&e.field), e.message))
        .filter(|e| e.field != "follow_up_due" && e.field != "reason")
        .collect();
    errors.extend(due);
    errors.extend(f.reason_error());
    let order = [
        "channel",
        "reason",
        "summary",
        "voicemail_left",
        "appointment_outcome",
        "place",
        "system_generated",
        "service_request",
        "compartment",
        "follow_up_action",
        "follow_up_owner",
        "follow_up_due",
    ];
    errors.sort_by_key(|e| order.iter().position(|o| *o == e.field).unwrap_or(0));
    errors
}

pub async fn log_contact(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<ContactForm>) -> Response {
    let today = hearth_gate::Gate::today();
    let input = f.input(id);
    // Every mistake at once: the domain's checks and the form's own date check, before the gate is asked.
    let early = match input.validate(jiff::Timestamp::now()) {
        Ok(_) => vec![],
        Err(v) => v.0,
    };
    let result = if early.is_empty() && f.due_date_error(today).is_none() && f.reason_error().is_none() {
        s.gate.log_contact(&session.actor, &input).await
    } else {
        Err(GateError::Invalid(hearth_domain::error::ValidationErrors(early)))
    };
    match result {
        Ok(_) => Redirect::to(&format!("/people/{id}?done=contact-logged")).into_response(),
        // The person in the address does not exist: the form has nothing to fix.
        Err(GateError::Invalid(v)) if v.0.iter().any(|e| e.field.starts_with("person_ids")) => error_page(&session, GateError::NotFound),
        Err(GateError::Invalid(v)) => {
            let colleagues = match s.gate.colleagues().await {
                Ok(c) => c,
                Err(e) => return error_page(&session, e),
            };
            contact_form(&session, id, &f, &colleagues, &form_errors(&f, v.0, today))
        }
        Err(e) => error_page(&session, e),
    }
}

// ---- recording a call recording ----

/// The call-recording form as posted: either the landlord's own recording
/// (purpose, storage reference) or the customer's (consent, call ended, note).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecordingForm {
    _csrf: String,
    made_by: String,
    purpose: String,
    storage_ref: String,
    staff_consent: String,
    call_ended: String,
    note: String,
}

fn yes_no(v: &str) -> Option<bool> {
    match v {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

impl RecordingForm {
    fn input(&self, entry_id: Id) -> RecordingInput {
        let customer = self.made_by == "customer";
        RecordingInput {
            contact_entry_id: Some(entry_id),
            made_by: Some(self.made_by.clone()).filter(|m| !m.is_empty()),
            purpose: Some(self.purpose.clone()).filter(|p| !customer && !p.is_empty()),
            storage_ref: Some(self.storage_ref.clone()).filter(|r| !customer && !r.trim().is_empty()),
            staff_consent: yes_no(&self.staff_consent).filter(|_| customer),
            call_ended: yes_no(&self.call_ended).filter(|_| customer),
            note: Some(self.note.clone()).filter(|n| !n.trim().is_empty()),
        }
    }
}

fn recording_form(s: &UiSession, person_id: Id, entry_id: Id, f: &RecordingForm, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let made_by: Vec<(&str, &str)> = vec![("landlord", "We recorded the call"), ("customer", "The customer recorded the call")];
    let purposes: Vec<(&str, &str)> = RecordingPurpose::ALL.iter().map(|p| (p.as_str(), p.label())).collect();
    let chosen = if f.made_by.is_empty() { "landlord" } else { f.made_by.as_str() };
    let title = "Record a call recording";
    respond(
        status,
        page(
            title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                a class="govuk-back-link" href={ "/people/" (person_id) } { "Back to the person" }
                div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    h1 class="govuk-heading-l" { (title) }
                    form method="post" action={ "/people/" (person_id) "/contacts/" (entry_id) "/recording" } novalidate {
                        (csrf_field(&s.csrf))
                        (radios("made_by", "Who recorded the call?", None, &made_by, chosen, errors, ""))
                        (radios("purpose", "Why did we record it?", Some("Only when we recorded the call."), &purposes, &f.purpose, errors, ""))
                        (Input::text("storage_ref", "Telephony system reference", &f.storage_ref).hint("Only when we recorded the call.").width("20").render(errors))
                        (radios("staff_consent", "Did you consent to the customer recording?", Some("Only when the customer recorded the call."), &[("yes", "Yes"), ("no", "No")], &f.staff_consent, errors, " govuk-radios--inline"))
                        (radios("call_ended", "Did you end the call because you did not consent?", Some("Your line manager will be told."), &[("yes", "Yes"), ("no", "No")], &f.call_ended, errors, " govuk-radios--inline"))
                        (textarea("note", "note", "Note", &f.note, errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Save the recording" }
                    }
                } }
            },
        ),
    )
}

pub async fn new_recording_form(session: UiSession, Path((person_id, entry_id)): Path<(i64, i64)>) -> Response {
    recording_form(&session, person_id, entry_id, &RecordingForm::default(), &[])
}

pub async fn record_recording(
    State(s): State<AppState>,
    Path((person_id, entry_id)): Path<(i64, i64)>,
    Posted(session, f): Posted<RecordingForm>,
) -> Response {
    match s.gate.record_call_recording(&session.actor, &f.input(entry_id)).await {
        Ok(_) => Redirect::to(&format!("/people/{person_id}?done=recording-saved")).into_response(),
        Err(GateError::Invalid(v)) => {
            let errors: Vec<_> =
                v.0.into_iter()
                    .map(|e| {
                        let field = match e.field.as_str() {
                            "purpose" | "storage_ref" | "staff_consent" | "call_ended" | "note" => e.field,
                            _ => "made_by".into(),
                        };
                        FieldError::new(field, e.message)
                    })
                    .collect();
            recording_form(&session, person_id, entry_id, &f, &errors)
        }
        Err(e) => error_page(&session, e),
    }
}

/// Marks a follow-up done from the contact history, then back to the person.
pub async fn follow_up_done(
    State(s): State<AppState>,
    Path((person_id, follow_up)): Path<(i64, i64)>,
    Posted(session, _): Posted<crate::shell::session::CsrfForm>,
) -> Response {
    match s.gate.mark_follow_up_done(&session.actor, follow_up).await {
        Ok(_) => Redirect::to(&format!("/people/{person_id}?done=follow-up-done")).into_response(),
        // Already done (perhaps by a colleague a moment ago): the page shows by whom.
        Err(GateError::Invalid(_)) => Redirect::to(&format!("/people/{person_id}")).into_response(),
        Err(e) => error_page(&session, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_sent_as_given_so_the_domain_judges_them() {
        // A contradiction (an inbound call with an outcome) is sent, to be refused on its field.
        let f = ContactForm {
            channel: "call_in".into(),
            summary: "Rang in".into(),
            voicemail_left: "yes".into(),
            appointment_outcome: "attended".into(),
            ..Default::default()
        };
        let i = f.input(7);
        assert_eq!(
            (i.voicemail_left, i.appointment_outcome.as_deref(), i.person_ids.clone()),
            (Some(true), Some("attended"), Some(vec![7]))
        );
        let fields: Vec<String> = i.validate(jiff::Timestamp::now()).unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["voicemail_left", "appointment_outcome"]);
        let f = ContactForm { channel: "call_attempt".into(), voicemail_left: "no".into(), ..Default::default() };
        assert_eq!(f.input(7).voicemail_left, Some(false));
        let f =
            ContactForm { channel: "appointment".into(), appointment_outcome: "no_access".into(), place: " ".into(), ..Default::default() };
        assert_eq!((f.input(7).appointment_outcome.as_deref(), f.input(7).place), (Some("no_access"), None));
        let f = ContactForm { channel: "social_media".into(), service_request: "yes".into(), ..Default::default() };
        assert_eq!((f.input(7).service_request, f.input(7).system_generated), (Some(true), None));
    }

    #[test]
    fn unknown_gate_fields_land_on_the_channel() {
        assert_eq!(form_field("voicemail_left"), "voicemail_left");
        assert_eq!(form_field("mailing"), "channel");
        assert_eq!(form_field("case_id"), "compartment", "the case decides the compartment");
    }
}

crate::shell::session::csrf_forms!(ContactForm, RecordingForm);
