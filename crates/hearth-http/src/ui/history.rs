//! The History page of a person's record: every decision about their data,
//! newest first, as the gate recorded it. Times are shown in Europe/London.
//!
//! Like the API, it leaves out the old and new values of edits, which may
//! hold data from compartments the viewer's role may not see.

use super::grants::{self, Opened};
use crate::shell::layout::{page, success_banner};
use crate::shell::respond::{chrome, respond};
use crate::shell::session::UiSession;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hearth_domain::audit::AuditEvent;
use hearth_domain::{
    access::{Action, Compartment},
    staff::StaffRole,
};
use hearth_gate::history::MAX_HISTORY;
use maud::{html, Markup};

pub async fn person_history_page(
    State(s): State<AppState>,
    session: UiSession,
    Path(id): Path<i64>,
    Query(opened): Query<Opened>,
) -> Response {
    match s.gate.person_history(&session.actor, id, Some(MAX_HISTORY)).await {
        Ok(events) => {
            let names = s.gate.person_names(&session.actor, &[id]).await.unwrap_or_default();
            let name = names.get(&id).map(String::as_str).unwrap_or("This person");
            respond(
                StatusCode::OK,
                page("History", &chrome(&session), false, history_content(id, name, &events, opened.banner().as_deref())),
            )
        }
        Err(e) => grants::refused(&s.gate, &session, e, id, Compartment::Audit),
    }
}

fn history_content(id: i64, name: &str, events: &[AuditEvent], banner: Option<&str>) -> Markup {
    html! {
        a class="govuk-back-link" href={ "/people/" (id) } { "Back to the record" }
        @if let Some(b) = banner { (success_banner(b)) }
        span class="govuk-caption-l" { (name) }
        h1 class="govuk-heading-l" { "History" }
        p class="govuk-body" {
            "Every view and change of this record, and every refusal, newest first"
            @if events.len() as i64 == MAX_HISTORY { " (the latest " (MAX_HISTORY) " only)" }
            ". Old and new values of changes are not shown here."
        }
        @if events.is_empty() {
            p class="govuk-body" { "Nothing has been recorded about this person yet." }
        } @else {
            table class="govuk-table" {
                caption class="govuk-table__caption govuk-table__caption--m govuk-visually-hidden" { "History of this record" }
                thead class="govuk-table__head" {
                    tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "When" }
                        th scope="col" class="govuk-table__header" { "Who" }
                        th scope="col" class="govuk-table__header" { "Role" }
                        th scope="col" class="govuk-table__header" { "What" }
                        th scope="col" class="govuk-table__header" { "Record" }
                        th scope="col" class="govuk-table__header" { "Decision" }
                    }
                }
                tbody class="govuk-table__body" {
                    @for e in events {
                        @let ev = &e.event;
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { time datetime=(e.occurred_at) { (uk_time_to_the_second(&e.occurred_at)) } }
                            td class="govuk-table__cell" { (ev.actor_username) }
                            td class="govuk-table__cell" { (StaffRole::parse(&ev.actor_role).map(StaffRole::label).unwrap_or(&ev.actor_role)) }
                            td class="govuk-table__cell" { (what(&ev.action, &ev.compartment)) }
                            td class="govuk-table__cell" { (record(&ev.record_type, ev.record_id, id)) }
                            td class="govuk-table__cell" {
                                @if ev.decision == "allow" {
                                    strong class="govuk-tag govuk-tag--green" { "Allowed" }
                                } @else {
                                    strong class="govuk-tag govuk-tag--red" { "Refused" }
                                    @if let Some(r) = &ev.reason { p class="govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0" { (r) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// "2 March 2026, 14:05:07 GMT". Stored times are UTC; staff read UK time.
/// The zone's abbreviation is shown so the time stays right even where the
/// time-zone database is missing and UTC is used instead.
fn uk_time_to_the_second(stored: &str) -> String {
    let Ok(t) = stored.parse::<jiff::Timestamp>() else { return stored.to_string() };
    crate::shell::words::london(t).strftime("%-d %B %Y, %H:%M:%S %Z").to_string()
}

/// "View identity", "Edit contact details".
fn what(action: &str, compartment: &str) -> String {
    let action = Action::parse(action).map(Action::label).unwrap_or(action);
    let compartment = Compartment::parse(compartment).map(Compartment::label).unwrap_or(compartment);
    format!("{action} {}", compartment.to_lowercase())
}

/// The record an event was about, in words: "Their record" for the person
/// themselves, "A need" or "An adjustment" for one of their records (a bare
/// number read like a name: "Person 4", "Need 1"), "A list of case records"
/// for a list, which has no id.
fn record(record_type: &str, id: Option<i64>, person_id: i64) -> String {
    let words = record_type.replace('_', " ");
    match id {
        Some(id) if record_type == "person" && id == person_id => "Their record".into(),
        Some(_) if record_type == "person" => "Another person's record".into(),
        Some(_) => {
            let article = if words.starts_with(['a', 'e', 'i', 'o', 'u']) { "An" } else { "A" };
            format!("{article} {words}")
        }
        None => format!("A list of {words} records"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_uk_time_with_the_zone() {
        assert_eq!(uk_time_to_the_second("2026-07-01T13:05:07.000000Z"), "1 July 2026, 14:05:07 BST");
        assert_eq!(uk_time_to_the_second("2026-01-15T09:00:00.000000Z"), "15 January 2026, 09:00:00 GMT");
    }

    #[test]
    fn actions_and_records_read_as_words() {
        assert_eq!(what("edit", "contact"), "Edit contact details");
        assert_eq!(record("contact_point", Some(12), 4), "A contact point");
        assert_eq!(record("adjustment", Some(1), 4), "An adjustment");
        assert_eq!(record("person", Some(4), 4), "Their record");
        assert_eq!(record("person", Some(5), 4), "Another person's record");
        assert_eq!(record("person", None, 4), "A list of person records");
    }
}
