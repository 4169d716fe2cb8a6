//! People in the web UI: customer search, and the forms that create and edit
//! a person and their contact points. Each handler calls the gate and renders
//! its answer; refusals and missing records become GOV.UK error pages.

use crate::shell::layout::{csrf_field, date_input, error_for, error_summary, page, Input};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::long_date;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::{
    error::FieldError,
    people::{ContactPoint, ContactPointInput, ContactPointKind, ContactPointUpdate, Person, PersonInput, PersonKind, PersonUpdate},
};
use hearth_gate::people::{parse_search, Match};
use hearth_gate::GateError;
use maud::html;
use serde::Deserialize;

// ---- search ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
    start: Option<i64>,
}

/// What the search box takes, in words (its label and the API's).
const SEARCH_LABEL: &str = "Name, phone number, email address, date of birth, postcode or tenancy reference";

pub async fn search(State(s): State<AppState>, session: UiSession, Query(q): Query<SearchQuery>) -> Response {
    // Text that cannot be searched for is a form error on the box, not a failed page.
    let (filter, errors) = match parse_search(&q.q) {
        Ok(f) => (f, vec![]),
        Err(GateError::Invalid(errs)) => (Default::default(), errs.0),
        Err(e) => return error_page(&session, e),
    };
    let error = error_for(&errors, "q");
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let start = q.start.unwrap_or(0).clamp(0, 10_000);
    let results = if filter.is_search() {
        match s.gate.search_people(&session.actor, &filter, Some(start), Some(25)).await {
            Ok(p) => Some(p),
            Err(e) => return error_page(&session, e),
        }
    } else {
        None
    };
    respond(
        status,
        page(
            "Find a customer",
            &chrome(&session),
            error.is_some(),
            html! {
                (error_summary(&errors))
                h1 class="govuk-heading-l" { "Find a customer" }
                form method="get" action="/search" novalidate {
                    div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
                        label class="govuk-label govuk-label--s" for="q" { (SEARCH_LABEL) }
                        div id="q-hint" class="govuk-hint" { "For example, Ada Fakeham, 07700 900 123, 02/03/1984, ZZ99 3AB or TEN-000123" }
                        @if let Some(e) = error {
                            p id="q-error" class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (e) }
                        }
                        input class={ "govuk-input govuk-!-width-two-thirds" @if error.is_some() { " govuk-input--error" } } id="q" name="q" type="search"
                            value=(q.q) aria-describedby={ "q-hint" @if error.is_some() { " q-error" } } spellcheck="false" autofocus;
                    }
                    button type="submit" class="govuk-button" data-module="govuk-button" { "Search" }
                }
                @if let Some(found) = results {
                    @if found.items.is_empty() {
                        p class="govuk-body" { "No customers match " strong { (q.q) } "." }
                    } @else {
                        table class="govuk-table" {
                            caption class="govuk-table__caption govuk-table__caption--m" { "Customers matching “" (q.q) "”, closest first" }
                            thead class="govuk-table__head" {
                                tr class="govuk-table__row" {
                                    th scope="col" class="govuk-table__header" { "Name" }
                                    th scope="col" class="govuk-table__header" { "Date of birth" }
                                    th scope="col" class="govuk-table__header" { "Address" }
                                    th scope="col" class="govuk-table__header" { "Tenancy" }
                                    th scope="col" class="govuk-table__header" { "Role" }
                                }
                            }
                            tbody class="govuk-table__body" {
                                @for m in &found.items {
                                    @let p = &m.person;
                                    tr class="govuk-table__row" {
                                        td class="govuk-table__cell" {
                                            a class="govuk-link" href={ "/people/" (p.id) } { (p.full_name()) }
                                            @if m.matched == Match::Close {
                                                br; span class="govuk-body-s govuk-!-margin-bottom-0" { "Similar spelling" }
                                            }
                                        }
                                        td class="govuk-table__cell" { (p.date_of_birth.map(long_date).unwrap_or_default()) }
                                        td class="govuk-table__cell" {
                                            @if let Some(a) = &m.address { (a) }
                                            @if let Some(pc) = &m.postcode { @if m.address.is_some() { br; } (pc) }
                                        }
                                        td class="govuk-table__cell" { (m.tenancy_reference.as_deref().unwrap_or("")) }
                                        td class="govuk-table__cell" {
                                            @if let Some(r) = m.role {
                                                (r.label())
                                                @if m.current_home == Some(false) { " (former)" }
                                            } @else if p.kind == PersonKind::Child {
                                                (p.kind.label())
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        @if found.items.iter().any(|m| m.address.is_none() && m.role.is_none()) {
                            p class="govuk-body-s" { "Where an address is blank, you cannot see it for that person (a contact-centre advisor sees it once the caller is checked) or none is held." }
                        }
                        @if let Some(next) = found.next_start {
                            nav class="govuk-pagination govuk-pagination--block" aria-label="Results pages" {
                                div class="govuk-pagination__next" {
                                    a class="govuk-link govuk-pagination__link" href={ "/search?q=" (urlencode(&q.q)) "&start=" (next) } rel="next" {
                                        span class="govuk-pagination__link-title" { "Next page" }
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

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---- person forms ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PersonForm {
    _csrf: String,
    version: Option<i64>,
    kind: String,
    given_name: String,
    family_name: String,
    preferred_name: String,
    date_of_birth_day: String,
    date_of_birth_month: String,
    date_of_birth_year: String,
    ni_number: String,
}

impl PersonForm {
    fn of(p: &Person) -> Self {
        let (d, m, y) = p.date_of_birth.map(|d| (d.day().to_string(), d.month().to_string(), d.year().to_string())).unwrap_or_default();
        PersonForm {
            _csrf: String::new(),
            version: Some(p.version),
            kind: p.kind.as_str().into(),
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            preferred_name: p.preferred_name.clone().unwrap_or_default(),
            date_of_birth_day: d,
            date_of_birth_month: m,
            date_of_birth_year: y,
            ni_number: p.ni_number.clone().unwrap_or_default(),
        }
    }

    fn input(&self) -> PersonInput {
        let (d, m, y) = (self.date_of_birth_day.trim(), self.date_of_birth_month.trim(), self.date_of_birth_year.trim());
        let dob = if d.is_empty() && m.is_empty() && y.is_empty() { None } else { Some(format!("{y:0>4}-{m:0>2}-{d:0>2}")) };
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
        PersonInput {
            kind: opt(&self.kind),
            given_name: Some(self.given_name.clone()),
            family_name: Some(self.family_name.clone()),
            preferred_name: opt(&self.preferred_name),
            date_of_birth: dob,
            ni_number: opt(&self.ni_number),
        }
    }
}

fn person_form(s: &UiSession, title: &str, action: &str, f: &PersonForm, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let kind_error = crate::shell::layout::error_for(errors, "kind");
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
                    form method="post" action=(action) novalidate {
                        (csrf_field(&s.csrf))
                        @if let Some(v) = f.version { input type="hidden" name="version" value=(v); }
                        div class={ "govuk-form-group" @if kind_error.is_some() { " govuk-form-group--error" } } {
                            fieldset class="govuk-fieldset" aria-describedby="kind-hint" {
                                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Adult or child" }
                                div id="kind-hint" class="govuk-hint" { "A child's record holds only names and date of birth." }
                                @if let Some(e) = kind_error { p id="kind-error" class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (e) } }
                                div class="govuk-radios govuk-radios--inline" data-module="govuk-radios" {
                                    @for (i, (value, label)) in [("adult", "Adult"), ("child", "Child")].into_iter().enumerate() {
                                        div class="govuk-radios__item" {
                                            input class="govuk-radios__input" id=(if i == 0 { "kind".to_string() } else { format!("kind-{value}") }) name="kind" type="radio" value=(value)
                                                checked[f.kind == value || (f.kind.is_empty() && value == "adult")];
                                            label class="govuk-label govuk-radios__label" for=(if i == 0 { "kind".to_string() } else { format!("kind-{value}") }) { (label) }
                                        }
                                    }
                                }
                            }
                        }
                        (Input::text("given_name", "Given name", &f.given_name).autocomplete("off").width("20").no_spellcheck().render(errors))
                        (Input::text("family_name", "Family name", &f.family_name).autocomplete("off").width("20").no_spellcheck().render(errors))
                        (Input::text("preferred_name", "Preferred name (optional)", &f.preferred_name).hint("What they like to be called. Leave blank for a child.").autocomplete("off").width("20").no_spellcheck().render(errors))
                        (date_input("date_of_birth", "Date of birth", "For example, 27 3 1984", (&f.date_of_birth_day, &f.date_of_birth_month, &f.date_of_birth_year), errors))
                        (Input::text("ni_number", "National Insurance number (optional)", &f.ni_number).hint("2 letters, 6 numbers, then A, B, C or D. Leave blank for a child.").width("10").no_spellcheck().render(errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Save" }
                    }
                } }
            },
        ),
    )
}

pub async fn new_person_form(session: UiSession) -> Response {
    person_form(&session, "Add a person", "/people", &PersonForm::default(), &[])
}

pub async fn create_person(State(s): State<AppState>, Posted(session, f): Posted<PersonForm>) -> Response {
    match s.gate.create_person(&session.actor, &f.input()).await {
        Ok(p) => Redirect::to(&format!("/people/{}?done=person-created", p.id)).into_response(),
        Err(GateError::Invalid(v)) => person_form(&session, "Add a person", "/people", &f, &v.0),
        Err(e) => error_page(&session, e),
    }
}

pub async fn edit_person_form(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.person(&session.actor, id).await {
        Ok(p) => person_form(&session, "Change personal details", &format!("/people/{id}/edit"), &PersonForm::of(&p), &[]),
        Err(e) => error_page(&session, e),
    }
}

pub async fn edit_person(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<PersonForm>) -> Response {
    let update = PersonUpdate { version: f.version.unwrap_or(0), fields: f.input() };
    let action = format!("/people/{id}/edit");
    match s.gate.update_person(&session.actor, id, &update).await {
        Ok(_) => Redirect::to(&format!("/people/{id}?done=person-updated")).into_response(),
        Err(GateError::Invalid(v)) => person_form(&session, "Change personal details", &action, &f, &v.0),
        Err(GateError::Conflict) => person_form(&session, "Change personal details", &action, &f, &[conflict()]),
        Err(e) => error_page(&session, e),
    }
}

fn conflict() -> FieldError {
    FieldError::new(
        "version",
        "Someone else changed this record while you were editing. Open it again to see their change, then make yours.",
    )
}

// ---- contact point forms ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ContactForm {
    _csrf: String,
    version: Option<i64>,
    kind: String,
    value: String,
    line1: String,
    line2: String,
    town: String,
    postcode: String,
    preferred: Option<String>,
}

impl ContactForm {
    fn of(c: &ContactPoint) -> Self {
        ContactForm {
            _csrf: String::new(),
            version: Some(c.version),
            kind: c.kind.as_str().into(),
            value: c.value.clone().unwrap_or_default(),
            line1: c.line1.clone().unwrap_or_default(),
            line2: c.line2.clone().unwrap_or_default(),
            town: c.town.clone().unwrap_or_default(),
            postcode: c.postcode.clone().unwrap_or_default(),
            preferred: c.preferred.then(|| "yes".into()),
        }
    }

    fn input(&self) -> ContactPointInput {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
        ContactPointInput {
            kind: opt(&self.kind),
            value: opt(&self.value),
            line1: opt(&self.line1),
            line2: opt(&self.line2),
            town: opt(&self.town),
            postcode: opt(&self.postcode),
            preferred: Some(self.preferred.is_some()),
            valid_from: None,
            valid_until: None,
        }
    }
}

fn contact_form(s: &UiSession, kind: ContactPointKind, title: &str, action: &str, f: &ContactForm, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
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
                    form method="post" action=(action) novalidate {
                        (csrf_field(&s.csrf))
                        input type="hidden" name="kind" value=(kind.as_str());
                        @if let Some(v) = f.version { input type="hidden" name="version" value=(v); }
                        @match kind {
                            ContactPointKind::Phone => (Input::text("value", "Phone number", &f.value).kind("tel").autocomplete("off").width("20").hint("For example, 01632 960 001 or +44 7700 900 982").render(errors)),
                            ContactPointKind::Email => (Input::text("value", "Email address", &f.value).kind("email").autocomplete("off").no_spellcheck().render(errors)),
                            ContactPointKind::Address => {
                                (Input::text("line1", "Address line 1", &f.line1).autocomplete("off").render(errors))
                                (Input::text("line2", "Address line 2 (optional)", &f.line2).autocomplete("off").render(errors))
                                (Input::text("town", "Town or city", &f.town).autocomplete("off").width("20").render(errors))
                                (Input::text("postcode", "Postcode", &f.postcode).autocomplete("off").width("10").render(errors))
                            }
                        }
                        div class="govuk-form-group" {
                            div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                                div class="govuk-checkboxes__item" {
                                    input class="govuk-checkboxes__input" id="preferred" name="preferred" type="checkbox" value="yes" checked[f.preferred.is_some()];
                                    label class="govuk-label govuk-checkboxes__label" for="preferred" { "Use this one first" }
                                }
                            }
                        }
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Save changes" }
                    }
                } }
            },
        ),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KindQuery {
    kind: String,
}

fn add_title(kind: ContactPointKind) -> &'static str {
    match kind {
        ContactPointKind::Phone => "Add a phone number",
        ContactPointKind::Email => "Add an email address",
        ContactPointKind::Address => "Add a postal address",
    }
}

pub async fn new_contact_form(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>, Query(q): Query<KindQuery>) -> Response {
    let kind = ContactPointKind::parse(&q.kind).unwrap_or(ContactPointKind::Phone);
    // Check the person exists and may be seen before offering the form.
    if let Err(e) = s.gate.person(&session.actor, id).await {
        return error_page(&session, e);
    }
    contact_form(&session, kind, add_title(kind), &format!("/people/{id}/contact-points/new"), &ContactForm::default(), &[])
}

pub async fn add_contact(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<ContactForm>) -> Response {
    let kind = ContactPointKind::parse(&f.kind).unwrap_or(ContactPointKind::Phone);
    match s.gate.add_contact(&session.actor, id, &f.input()).await {
        Ok(c) => Redirect::to(&format!("/people/{id}?done={}-added", c.kind.as_str())).into_response(),
        Err(GateError::Invalid(v)) => contact_form(&session, kind, add_title(kind), &format!("/people/{id}/contact-points/new"), &f, &v.0),
        Err(e) => error_page(&session, e),
    }
}

fn change_title(kind: ContactPointKind) -> &'static str {
    match kind {
        ContactPointKind::Phone => "Change phone number",
        ContactPointKind::Email => "Change email address",
        ContactPointKind::Address => "Change postal address",
    }
}

pub async fn edit_contact_form(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.contact(&session.actor, id).await {
        Ok(c) => contact_form(&session, c.kind, change_title(c.kind), &format!("/contact-points/{id}/edit"), &ContactForm::of(&c), &[]),
        Err(e) => error_page(&session, e),
    }
}

pub async fn edit_contact(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<ContactForm>) -> Response {
    let kind = ContactPointKind::parse(&f.kind).unwrap_or(ContactPointKind::Phone);
    let update = ContactPointUpdate { version: f.version.unwrap_or(0), fields: f.input() };
    let action = format!("/contact-points/{id}/edit");
    match s.gate.update_contact(&session.actor, id, &update).await {
        Ok(c) => Redirect::to(&format!("/people/{}?done={}-updated", c.person_id, c.kind.as_str())).into_response(),
        Err(GateError::Invalid(v)) => contact_form(&session, kind, change_title(kind), &action, &f, &v.0),
        Err(GateError::Conflict) => contact_form(&session, kind, change_title(kind), &action, &f, &[conflict()]),
        Err(e) => error_page(&session, e),
    }
}

crate::shell::session::csrf_forms!(PersonForm, ContactForm);
