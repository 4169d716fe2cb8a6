//! The person page: a short summary first (adjustments and warning flags,
//! household, open cases, next actions), then each part of the record on its
//! own view behind the record's sub-navigation (`?section=details`, contacts,
//! needs, cases, documents, consent, restriction), composed from each
//! feature's section. Each section is read and refused separately, so one
//! refusal never costs the rest of the page, and a view reads only what it shows.

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
    validate, Id,
};
use hearth_gate::homes::PersonRecord;
use hearth_gate::Gate;
use maud::{html, Markup};
use serde::Deserialize;

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

/// The views of the person page: a short summary first, each section of the
/// record on its own view (`?section=`), so no view is a wall of everything.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    Summary,
    Details,
    Contacts,
    Needs,
    Cases,
    Documents,
    Consent,
    Restriction,
}

impl Section {
    const ALL: [Section; 8] = [
        Section::Summary,
        Section::Details,
        Section::Contacts,
        Section::Needs,
        Section::Cases,
        Section::Documents,
        Section::Consent,
        Section::Restriction,
    ];

    fn slug(self) -> &'static str {
        match self {
            Section::Summary => "",
            Section::Details => "details",
            Section::Contacts => "contacts",
            Section::Needs => "needs",
            Section::Cases => "cases",
            Section::Documents => "documents",
            Section::Consent => "consent",
            Section::Restriction => "restriction",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Section::Summary => "Summary",
            Section::Details => "Personal details",
            Section::Contacts => "Contact history",
            Section::Needs => "Needs and adjustments",
            Section::Cases => "Cases",
            Section::Documents => "Documents",
            Section::Consent => "Consent and representatives",
            Section::Restriction => "Restriction",
        }
    }

    /// An unknown name is the summary, as a bare address is.
    fn parse(s: &str) -> Section {
        Section::ALL.into_iter().find(|x| !s.is_empty() && x.slug() == s).unwrap_or(Section::Summary)
    }

    fn href(self, id: Id) -> String {
        match self {
            Section::Summary => format!("/people/{id}"),
            other => format!("/people/{id}?section={}", other.slug()),
        }
    }

    /// Where a change's banner belongs when the redirect named no view: the
    /// view that shows what was changed.
    fn of_done(done: &str) -> Section {
        match done {
            "phone-updated" | "email-updated" | "address-updated" | "phone-added" | "email-added" | "address-added" | "person-updated" => {
                Section::Details
            }
            "contact-logged" | "recording-saved" | "follow-up-done" => Section::Contacts,
            "document-uploaded" => Section::Documents,
            "need-recorded" | "need-ended" | "need-reviewed" | "adjustment-added" | "flag-added" => Section::Needs,
            "consent-recorded" | "memorable-word-set" => Section::Consent,
            _ => Section::Summary,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SectionQuery {
    section: String,
}

/// The record's sub-navigation, the current view marked for assistive
/// technology (`aria-current`) and by the Design System's active style.
/// The restriction view is offered only to whoever may place one.
fn section_nav(id: Id, current: Section, dpo: bool) -> Markup {
    html! {
        nav class="govuk-service-navigation govuk-!-margin-bottom-6" aria-label="Sections of this record" {
            div class="govuk-service-navigation__container" {
                ul class="govuk-service-navigation__list" {
                    @for sec in Section::ALL.into_iter().filter(|s| dpo || *s != Section::Restriction) {
                        @let here = sec == current;
                        li class={ "govuk-service-navigation__item" @if here { " govuk-service-navigation__item--active" } } {
                            a class="govuk-service-navigation__link" href=(sec.href(id)) aria-current=[here.then_some("page")] {
                                @if here { strong class="govuk-service-navigation__active-fallback" { (sec.label()) } } @else { (sec.label()) }
                            }
                        }
                    }
                }
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
    Query(q): Query<SectionQuery>,
) -> Response {
    let rec = match s.gate.person_record(&session.actor, id).await {
        Ok(r) => r,
        Err(e) => return error_page(&session, e),
    };
    let section = match (q.section.as_str(), done.done.as_deref()) {
        ("", Some(d)) => Section::of_done(d),
        (name, _) => Section::parse(name),
    };
    let title = match section {
        Section::Summary => rec.person.full_name(),
        other => format!("{}: {}", other.label(), rec.person.full_name()),
    };
    let banner = opened.banner().or_else(|| done.done.as_deref().and_then(done_message).map(str::to_string));
    let offer = |c: Compartment, key: &str| super::grants::offer(&s.gate, &session, id, c, key);
    let restriction = super::restrictions::person_section(&s.gate, &session, &rec);
    let dpo = s.gate.may(&session.actor, Action::Create, Compartment::Rights);
    // Read (and audit) only what this view shows; adjustments and warning flags come first on every view.
    let needs = super::needs::person_sections(&s.gate, &session, id, section == Section::Needs).await;
    let body = match section {
        Section::Summary => {
            let (caller_check, _) = super::representatives::person_section(&s.gate, &session, &rec).await;
            let cases = super::anonymity::person_section(&s.gate, &session, id, true).await;
            let next = super::contacts::next_actions(&s.gate, &session, id).await;
            html! { (caller_check) (summary(&rec, &offer, cases, next)) }
        }
        Section::Details => details(&rec, &offer),
        Section::Contacts => super::contacts::person_section(&s.gate, &session, id).await,
        Section::Needs => needs.section,
        Section::Cases => html! {
            (super::anonymity::person_section(&s.gate, &session, id, false).await)
            p class="govuk-body" { a class="govuk-link" href={ "/cases/new?person_id=" (id) } { "Open a case for this person" } }
        },
        Section::Documents => super::documents::person_section(&s.gate, &session, id).await,
        Section::Consent => {
            let (_, representatives) = super::representatives::person_section(&s.gate, &session, &rec).await;
            html! { (consent_links(&s.gate, &session, id)) (representatives) }
        }
        Section::Restriction if dpo => restriction.form,
        Section::Restriction => html! { p class="govuk-body" { "Only the data protection officer restricts processing." } },
    };
    let p = &rec.person;
    let content = html! {
        (restriction.banner)
        @if let Some(b) = banner.as_deref() { (success_banner(b)) }
        (needs.first)
        span class="govuk-caption-l" { (if p.kind == PersonKind::Child { "Child" } else { "Customer" }) }
        h1 class="govuk-heading-l" { (p.full_name()) }
        (section_nav(id, section, dpo))
        (body)
    };
    respond(StatusCode::OK, page(&title, &chrome(&session), false, content))
}

/// Consent, capacity and equality monitoring: each on its own page, linked here.
fn consent_links(gate: &Gate, session: &UiSession, id: Id) -> Markup {
    html! {
        @if gate.may(&session.actor, Action::View, Compartment::Contact) {
            h2 class="govuk-heading-m" { "Consent and contact preferences" }
            p class="govuk-body" { a class="govuk-link" href={ "/people/" (id) "/consent" } { "Consent, contact preferences and objections" } }
        }
        @if gate.may_when_related(&session.actor, Action::View, Compartment::Needs) {
            p class="govuk-body" { a class="govuk-link" href={ "/people/" (id) "/capacity" } { "Mental capacity and best interests" } }
        }
        // Offered by role alone, the same on every person: it must not hint whether answers exist.
        @if gate.may(&session.actor, Action::Create, Compartment::Edi) {
            p class="govuk-body" { a class="govuk-link" href={ "/people/" (id) "/edi/new" } { "Record equality monitoring answers" } }
        }
    }
}

/// The summary view: where they live and with whom, open cases and what
/// is due next, with the links a call most often needs.
fn summary(rec: &PersonRecord, offer: &dyn Fn(Compartment, &str) -> Markup, cases: Markup, next: Markup) -> Markup {
    let p = &rec.person;
    let id = p.id;
    html! {
        ul class="govuk-list" {
            li { a class="govuk-link" href={ "/people/" (id) "/contacts/new" } { "Log a contact" } }
            li { a class="govuk-link" href={ "/cases/new?person_id=" (id) } { "Open a case for this person" } }
            li { a class="govuk-link" href={ "/front-door?person_id=" (id) } { "Record a request from this person" } }
            li { a class="govuk-link" href={ "/people/" (id) "/history" } { "View history" } }
        }
        (household(rec, offer))
        (cases)
        (next)
    }
}

/// The details view: identity, contact details, household and tenancy.
/// `offer` renders the break-glass form for a refused compartment (or nothing).
fn details(rec: &PersonRecord, offer: &dyn Fn(Compartment, &str) -> Markup) -> Markup {
    let p = &rec.person;
    let id = p.id;
    let today = Gate::today();
    html! {
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
            None if !rec.details_open => p class="govuk-body" { "Shown once the caller has been checked. " a class="govuk-link" href={ "/people/" (id) } { "Check the caller on the summary" } },
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

        (household(rec, offer))

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
    }
}

/// Where the person lives and with whom (each member linked), or why not shown.
fn household(rec: &PersonRecord, offer: &dyn Fn(Compartment, &str) -> Markup) -> Markup {
    let id = rec.person.id;
    html! {
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
    }
}
