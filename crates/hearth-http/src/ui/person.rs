//! The person page: the record's own details, composed with each feature's
//! section (cases, contacts, documents, needs, representatives, restriction,
//! break-glass offers). Each section is read and refused separately, so one
//! refusal never costs the rest of the page.

use crate::shell::layout::{page, row, success_banner};
use crate::shell::respond::{chrome, error_page, respond, Done};
use crate::shell::session::UiSession;
use crate::shell::words::long_date;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hearth_domain::{
    access::{Action, Compartment},
    people::PersonKind,
    validate,
};
use hearth_gate::homes::PersonRecord;
use hearth_gate::Gate;
use maud::{html, Markup};

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "phone-updated" => "Phone number updated",
        "email-updated" => "Email address updated",
        "address-updated" => "Postal address updated",
        "phone-added" => "Phone number added",
        "email-added" => "Email address added",
        "address-added" => "Postal address added",
        "person-updated" => "Personal details updated",
        "person-created" => "Person added",
        "contact-logged" => "Contact logged",
        "follow-up-done" => "Follow-up marked done",
        "document-uploaded" => "Document uploaded",
        "recording-saved" => "Call recording saved",
        "need-recorded" => "Need recorded",
        "need-ended" => "Need ended",
        "need-reviewed" => "Need reviewed; next review date set",
        "consent-recorded" => "Consent recorded",
        "memorable-word-set" => "Memorable word saved",
        "adjustment-added" => "Adjustment added",
        "flag-added" => "Warning flag added",
        _ => return None,
    })
}

fn row_with_change(key: &str, value: Markup, href: &str, hidden: &str) -> Markup {
    html! {
        div class="govuk-summary-list__row" {
            dt class="govuk-summary-list__key" { (key) }
            dd class="govuk-summary-list__value" { (value) }
            dd class="govuk-summary-list__actions" {
                a class="govuk-link" href=(href) { "Change" span class="govuk-visually-hidden" { " " (hidden) } }
            }
        }
    }
}

pub async fn person_page(
    State(s): State<AppState>,
    session: UiSession,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
    Query(opened): Query<super::grants::Opened>,
) -> Response {
    let rec = match s.gate.person_record(&session.actor, id).await {
        Ok(r) => r,
        Err(e) => return error_page(&session, e),
    };
    let title = rec.person.full_name();
    let banner = opened.banner().or_else(|| done.done.as_deref().and_then(done_message).map(str::to_string));
    let offer = |c: Compartment, key: &str| super::grants::offer(&s.gate, &session, id, c, key);
    let contacts = super::contacts::person_section(&s.gate, &session, id).await;
    let documents = super::documents::person_section(&s.gate, &session, id).await;
    let contacts = html! { (contacts) (documents) };
    let restriction = super::restrictions::person_section(&s.gate, &session, &rec);
    let consent = html! {
        @if s.gate.may(&session.actor, Action::View, Compartment::Contact) {
            h2 class="govuk-heading-m" { "Consent and contact preferences" }
            p class="govuk-body" { a class="govuk-link" href={ "/people/" (id) "/consent" } { "Consent, contact preferences and objections" } }
        }
        @if s.gate.may_when_related(&session.actor, Action::View, Compartment::Needs) {
            p class="govuk-body" { a class="govuk-link" href={ "/people/" (id) "/capacity" } { "Mental capacity and best interests" } }
        }
        // Offered by role alone, the same on every person: it must not hint whether answers exist.
        @if s.gate.may(&session.actor, Action::Create, Compartment::Edi) {
            p class="govuk-body" { a class="govuk-link" href={ "/people/" (id) "/edi/new" } { "Record equality monitoring answers" } }
        }
    };
    let (caller_check, representatives) = super::representatives::person_section(&s.gate, &session, &rec).await;
    let contacts = html! { (representatives) (consent) (contacts) (restriction.form) };
    let cases = super::anonymity::person_section(&s.gate, &session, id).await;
    let contacts = html! { (cases) (contacts) };
    let needs = super::needs::person_sections(&s.gate, &session, id).await;
    let content = html! { (restriction.banner) (caller_check) (person_content(&rec, banner.as_deref(), &offer, needs, contacts)) };
    respond(StatusCode::OK, page(&title, &chrome(&session), false, content))
}

/// `offer` renders the break-glass form for a refused compartment (or nothing);
/// `needs` is the adjustments banner and flags (shown first) and the needs
/// section; `contacts` is the contact history section, read separately from the record.
fn person_content(
    rec: &PersonRecord,
    banner: Option<&str>,
    offer: &dyn Fn(Compartment, &str) -> Markup,
    needs: super::needs::PersonNeeds,
    contacts: Markup,
) -> Markup {
    let p = &rec.person;
    let id = p.id;
    let today = Gate::today();
    html! {
        @if let Some(b) = banner { (success_banner(b)) }
        (needs.first)
        span class="govuk-caption-l" { (if p.kind == PersonKind::Child { "Child" } else { "Customer" }) }
        h1 class="govuk-heading-l" { (p.full_name()) }
        p class="govuk-body" { a class="govuk-link" href={ "/people/" (id) "/history" } { "View history" } }
        p class="govuk-body" { a class="govuk-link" href={ "/cases/new?person_id=" (id) } { "Open a case for this person" } }

        h2 class="govuk-heading-m" { "Identity" }
        dl class="govuk-summary-list" {
            // Identity is changed only for a checked caller (the gate refuses otherwise), so no link before.
            @if rec.details_open {
                (row_with_change("Name", html! { (p.full_name()) }, &format!("/people/{id}/edit"), "name and identity details"))
            } @else {
                (row("Name", html! { (p.full_name()) }))
            }
            @if p.kind == PersonKind::Adult {
                (row("Preferred name", html! { (p.preferred_name.as_deref().unwrap_or("Not given")) }))
            }
            @if !rec.details_open {
                (row("Date of birth and identity details", html! { "Shown once the caller has been checked" }))
            } @else {
            (row("Date of birth", html! {
                @if let Some(d) = p.date_of_birth { (long_date(d)) " (age " (validate::age_on(d, today)) ")" } @else { "Not known" }
            }))
            }
            @if p.kind == PersonKind::Adult && rec.details_open {
                (row("National Insurance number", html! { (p.ni_number.as_deref().unwrap_or("Not known")) }))
                (row("Identity evidence seen", html! {
                    @if rec.evidence.is_empty() { "None recorded" }
                    @else { ul class="govuk-list" { @for e in &rec.evidence { li { (e.evidence_type.label()) ", ref " (e.reference) ", seen " (long_date(e.seen_on)) } } } }
                }))
            }
        }

        h2 class="govuk-heading-m" { "Contact details" }
        @match &rec.contacts {
            None if !rec.details_open => p class="govuk-body" { "Shown once the caller has been checked." },
            None => { p class="govuk-body" { "Your role does not give access to contact details." } (offer(Compartment::Contact, "contact")) },
            Some(_) if p.kind == PersonKind::Child => p class="govuk-body" { "A child's record holds only names and date of birth. Contact the household's adults." },
            Some(contacts) => {
                @if contacts.is_empty() { p class="govuk-body" { "No contact details recorded." } }
                @else {
                    dl class="govuk-summary-list" {
                        @for c in contacts {
                            (row_with_change(
                                &format!("{}{}", c.kind.label(), if c.preferred { " (preferred)" } else { "" }),
                                html! { (c.display()) },
                                &format!("/contact-points/{}/edit", c.id),
                                &c.kind.label().to_lowercase(),
                            ))
                        }
                    }
                }
                ul class="govuk-list" {
                    li { a class="govuk-link" href={ "/people/" (id) "/contact-points/new?kind=phone" } { "Add a phone number" } }
                    li { a class="govuk-link" href={ "/people/" (id) "/contact-points/new?kind=email" } { "Add an email address" } }
                    li { a class="govuk-link" href={ "/people/" (id) "/contact-points/new?kind=address" } { "Add a postal address" } }
                }
            }
        }

        h2 class="govuk-heading-m" { "Household" }
        @match &rec.households {
            None => { p class="govuk-body" { "Your role does not give access to household details." } (offer(Compartment::Tenancy, "household")) },
            Some(hs) if hs.is_empty() => p class="govuk-body" { "Not recorded as part of a household." },
            Some(hs) => {
                @for h in hs {
                    p class="govuk-body" { strong { "Home: " } (h.property.address()) " (UPRN " (h.property.uprn) ")" }
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-table__caption--s" { "People in this household" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Name" }
                            th scope="col" class="govuk-table__header" { "Role" }
                            th scope="col" class="govuk-table__header" { "Since" }
                        } }
                        tbody class="govuk-table__body" {
                            @for m in &h.members {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" {
                                        @if m.membership.person_id == id { (m.given_name) " " (m.family_name) }
                                        @else { a class="govuk-link" href={ "/people/" (m.membership.person_id) } { (m.given_name) " " (m.family_name) } }
                                    }
                                    td class="govuk-table__cell" { (m.membership.role.label()) }
                                    td class="govuk-table__cell" { (m.membership.start_date.map(long_date).unwrap_or_default()) }
                                }
                            }
                        }
                    }
                }
            }
        }

        h2 class="govuk-heading-m" { "Tenancy" }
        @match &rec.households {
            None => { p class="govuk-body" { "Your role does not give access to tenancy details." } (offer(Compartment::Tenancy, "tenancy")) },
            Some(hs) => {
                @let tenancies: Vec<_> = hs.iter().flat_map(|h| h.tenancies.iter()).collect();
                @if tenancies.is_empty() { p class="govuk-body" { "No tenancy recorded." } }
                @for t in tenancies {
                    dl class="govuk-summary-list" {
                        (row("Reference", html! { (t.reference) }))
                        (row("Tenure", html! { (t.tenure.label()) }))
                        (row("Started", html! { (long_date(t.start_date)) }))
                        (row("Ended", html! {
                            @if let Some(e) = t.end_date { (long_date(e)) " – " (t.end_reason.map(|r| r.label()).unwrap_or("")) } @else { "Current tenancy" }
                        }))
                    }
                }
            }
        }

        (needs.section)

        (contacts)
    }
}
