//! The page handlers: sign-in, customer search, the person page and the
//! create/edit forms. Each handler calls the gate and renders its answer;
//! refusals and missing records become GOV.UK error pages.

use super::layout::{csrf_field, date_input, error_for, error_summary, long_date, page, row, success_banner, Chrome, Input};
use super::{cookie, set_cookie, tokens_match, Posted, UiSession, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::throttle::ClientIp;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::Form;
use hearth_domain::staff::SessionKind;
use hearth_domain::{
    access::{Action, Compartment},
    error::FieldError,
    people::{ContactPoint, ContactPointInput, ContactPointKind, ContactPointUpdate, Person, PersonInput, PersonKind, PersonUpdate},
    validate,
};
use hearth_gate::auth::random_token;
use hearth_gate::homes::PersonRecord;
use hearth_gate::people::parse_search;
use hearth_gate::{Gate, GateError};
use maud::{html, Markup};
use serde::Deserialize;

pub(super) fn chrome(s: &UiSession) -> Chrome<'_> {
    Chrome { actor: Some(&s.actor), csrf: Some(&s.csrf), reviewer: s.reviewer, registers: s.registers }
}

/// A whole page as a response with a status.
pub(super) fn respond(status: StatusCode, markup: Markup) -> Response {
    (status, markup).into_response()
}

/// Turns a refusal, a missing record or a failure into a page.
pub(super) fn error_page(s: &UiSession, e: GateError) -> Response {
    let (status, title, body) = match &e {
        // The refusal's own words: never the record's compartment or kind,
        // so a hidden record and a missing one give the same page.
        GateError::Denied { .. } => (StatusCode::FORBIDDEN, "You cannot see this", format!("{e}. The attempt has been recorded.")),
        GateError::Restricted { .. } => (
            StatusCode::CONFLICT,
            "Processing restricted",
            format!("{e}. Nothing was saved. Ask the data protection officer if the restriction should be lifted."),
        ),
        GateError::EdiDisabled(_) => (StatusCode::CONFLICT, "Equality monitoring is unavailable", e.to_string()),
        GateError::NotFound => (StatusCode::NOT_FOUND, "Page not found", "There is no such record. Check the link or search again.".into()),
        GateError::Disposed { .. } => (StatusCode::GONE, "Removed by retention", e.to_string()),
        GateError::Unauthenticated => return Redirect::to("/login").into_response(),
        other => {
            tracing::error!(error = %other, "page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Sorry, there is a problem with the service", "Nothing was saved. Try again later.".into())
        }
    };
    respond(status, page(title, &chrome(s), false, html! { h1 class="govuk-heading-l" { (title) } p class="govuk-body" { (body) } }))
}

/// Why a change posted from a record's page came back to it: errors in what
/// was typed (422), or someone else changed the record first (409).
pub(super) struct Refusal {
    status: StatusCode,
    errors: Vec<FieldError>,
}

impl Refusal {
    /// Errors in the form's own fields, found before or by the gate.
    pub fn fields(errors: Vec<FieldError>) -> Self {
        Refusal { status: StatusCode::UNPROCESSABLE_ENTITY, errors }
    }

    /// One error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::fields(vec![FieldError::new(field, message)])
    }

    /// The gate's refusal of a change to a `noun` ("case", "request"): its
    /// field errors mapped onto the page's inputs by `field`, or the conflict
    /// message. Anything else (denied, not found, failure) is not a form
    /// error and is handed back.
    pub fn from_gate(e: GateError, noun: &str, field: impl Fn(&str) -> String) -> Result<Self, GateError> {
        match e {
            GateError::Invalid(v) => Ok(Self::fields(v.0.into_iter().map(|e| FieldError::new(field(&e.field), e.message)).collect())),
            GateError::Conflict => Ok(Refusal {
                status: StatusCode::CONFLICT,
                errors: vec![FieldError::new(
                    "changes",
                    format!("Someone else changed this {noun} while you were working on it. Check the {noun} as it is now, then make your change again."),
                )],
            }),
            other => Err(other),
        }
    }

    /// The record's page again, as it is now (`load`), with the errors.
    pub async fn page<V>(
        self,
        s: &UiSession,
        load: impl std::future::Future<Output = Result<V, GateError>>,
        render: impl FnOnce(V, &[FieldError]) -> Markup,
    ) -> Response {
        match load.await {
            Ok(v) => respond(self.status, render(v, &self.errors)),
            Err(e) => error_page(s, e),
        }
    }
}

// ---- sign in and out ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    _csrf: String,
    username: String,
    password: String,
    /// Only for accounts with two-step sign-in on.
    totp_code: String,
}

fn login_page(csrf: &str, username: &str, errors: &[FieldError]) -> Markup {
    let chrome = Chrome { actor: None, csrf: None, reviewer: false, registers: false };
    page(
        "Sign in",
        &chrome,
        !errors.is_empty(),
        html! {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    h1 class="govuk-heading-l" { "Sign in to Hearth" }
                    form method="post" action="/login" novalidate {
                        (csrf_field(csrf))
                        (Input::text("username", "Username", username).autocomplete("username").width("20").no_spellcheck().render(errors))
                        (Input::text("password", "Password", "").kind("password").autocomplete("current-password").width("20").render(errors))
                        (Input::text("totp_code", "Security code (only if you use two-step sign-in)", "")
                            .hint("The 6-digit code from your authenticator app")
                            .autocomplete("one-time-code").width("5").no_spellcheck().render(errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Sign in" }
                    }
                }
            }
        },
    )
}

/// The sign-in form with a fresh double-submit CSRF token.
pub async fn login_form(headers: HeaderMap) -> Response {
    let csrf = random_token();
    ([set_cookie(&headers, LOGIN_CSRF_COOKIE, &csrf, 3600)], login_page(&csrf, "", &[])).into_response()
}

pub async fn login(State(s): State<AppState>, ClientIp(ip): ClientIp, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !tokens_match(expected, &f._csrf) || !super::same_origin(&headers) {
        return Redirect::to("/login").into_response();
    }
    let mut errors = vec![];
    if f.username.trim().is_empty() {
        errors.push(FieldError::new("username", "Enter your username"));
    }
    if f.password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(wait) = s.throttles.failed_sign_ins.blocked(ip).filter(|_| errors.is_empty()) {
        status = StatusCode::TOO_MANY_REQUESTS;
        let minutes = wait.as_secs().div_ceil(60).max(1);
        errors.push(FieldError::new("username", format!("Too many failed sign-ins from this network; try again in {minutes} minutes")));
    }
    if errors.is_empty() {
        let code = Some(f.totp_code.as_str()).filter(|c| !c.trim().is_empty());
        match s.gate.sign_in_with_code(&f.username, &f.password, code, SessionKind::Web).await {
            Ok(signed) => {
                let max_age = hearth_gate::auth::WEB_SESSION.as_secs();
                return (
                    AppendHeaders([
                        set_cookie(&headers, SESSION_COOKIE, &signed.token, max_age),
                        set_cookie(&headers, LOGIN_CSRF_COOKIE, "", 0),
                    ]),
                    Redirect::to("/search"),
                )
                    .into_response();
            }
            Err(GateError::Unauthenticated) => {
                s.throttles.failed_sign_ins.hit(ip);
                errors.push(FieldError::new("username", "The username or password is not right"))
            }
            Err(GateError::Invalid(v)) => errors.extend(v.0),
            Err(e @ GateError::Throttled { .. }) => {
                // As the API answers: 429, for a real account and a name with no account alike.
                status = StatusCode::TOO_MANY_REQUESTS;
                errors.push(FieldError::new("username", format!("Sign-in is paused for this account: {e}. An administrator can unlock it")))
            }
            Err(e) => {
                tracing::error!(error = %e, "sign-in failed");
                errors.push(FieldError::new("username", "Sign-in is not working at the moment; try again later"));
            }
        }
    }
    let csrf = random_token();
    ([set_cookie(&headers, LOGIN_CSRF_COOKIE, &csrf, 3600)], respond(status, login_page(&csrf, &f.username, &errors))).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    _csrf: String,
}

pub async fn logout(State(s): State<AppState>, headers: HeaderMap, Posted(session, _): Posted<CsrfForm>) -> Response {
    if let Err(e) = s.gate.sign_out(&session.token).await {
        tracing::error!(error = %e, "sign-out failed");
    }
    ([set_cookie(&headers, SESSION_COOKIE, "", 0)], Redirect::to("/login")).into_response()
}

/// Ends every session of the account, this one included.
pub async fn logout_everywhere(State(s): State<AppState>, headers: HeaderMap, Posted(session, _): Posted<CsrfForm>) -> Response {
    if let Err(e) = s.gate.sign_out_everywhere(&session.actor).await {
        tracing::error!(error = %e, "sign-out everywhere failed");
    }
    ([set_cookie(&headers, SESSION_COOKIE, "", 0)], Redirect::to("/login")).into_response()
}

// ---- search ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
    after: Option<i64>,
}

pub async fn search(State(s): State<AppState>, session: UiSession, Query(q): Query<SearchQuery>) -> Response {
    // Text that cannot be searched for is a form error on the box, not a failed page.
    let (filter, errors) = match parse_search(&q.q) {
        Ok(f) => (f, vec![]),
        Err(GateError::Invalid(errs)) => (Default::default(), errs.0),
        Err(e) => return error_page(&session, e),
    };
    let error = error_for(&errors, "q");
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let results = if filter.is_search() {
        match s.gate.list_people(&session.actor, &filter, q.after, Some(25)).await {
            Ok(p) => Some(p),
            Err(e) => return error_page(&session, e),
        }
    } else {
        None
    };
    let label = "Name, date of birth, postcode or tenancy reference";
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
                        label class="govuk-label govuk-label--s" for="q" { (label) }
                        div id="q-hint" class="govuk-hint" { "For example, Ada Fakeham, 02/03/1984, ZZ99 3AB or TEN-000123" }
                        @if let Some(e) = error {
                            p id="q-error" class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (e) }
                        }
                        input class={ "govuk-input govuk-!-width-two-thirds" @if error.is_some() { " govuk-input--error" } } id="q" name="q" type="search"
                            value=(q.q) aria-describedby={ "q-hint" @if error.is_some() { " q-error" } } spellcheck="false";
                    }
                    button type="submit" class="govuk-button" data-module="govuk-button" { "Search" }
                }
                @if let Some(page_) = results {
                    @if page_.items.is_empty() {
                        p class="govuk-body" { "No customers match " strong { (q.q) } "." }
                    } @else {
                        table class="govuk-table" {
                            caption class="govuk-table__caption govuk-table__caption--m" { "Customers matching “" (q.q) "”" }
                            thead class="govuk-table__head" {
                                tr class="govuk-table__row" {
                                    th scope="col" class="govuk-table__header" { "Name" }
                                    th scope="col" class="govuk-table__header" { "Date of birth" }
                                    th scope="col" class="govuk-table__header" { "Record" }
                                }
                            }
                            tbody class="govuk-table__body" {
                                @for p in &page_.items {
                                    tr class="govuk-table__row" {
                                        td class="govuk-table__cell" { a class="govuk-link" href={ "/people/" (p.id) } { (p.full_name()) } }
                                        td class="govuk-table__cell" { (p.date_of_birth.map(long_date).unwrap_or_default()) }
                                        td class="govuk-table__cell" { (p.kind.label()) }
                                    }
                                }
                            }
                        }
                        @if let Some(next) = page_.next_cursor {
                            nav class="govuk-pagination govuk-pagination--block" aria-label="Results pages" {
                                div class="govuk-pagination__next" {
                                    a class="govuk-link govuk-pagination__link" href={ "/search?q=" (urlencode(&q.q)) "&after=" (next) } rel="next" {
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

// ---- the person page ----

/// The `?done=` query a page is redirected to after a change, naming its banner.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    pub(super) done: Option<String>,
}

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
    Query(opened): Query<super::break_glass::Opened>,
) -> Response {
    let rec = match s.gate.person_record(&session.actor, id).await {
        Ok(r) => r,
        Err(e) => return error_page(&session, e),
    };
    let title = rec.person.full_name();
    let banner = opened.banner().or_else(|| done.done.as_deref().and_then(done_message).map(str::to_string));
    let offer = |c: Compartment, key: &str| super::break_glass::offer(&s.gate, &session, id, c, key);
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
    let kind_error = super::layout::error_for(errors, "kind");
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

super::csrf_forms!(CsrfForm, PersonForm, ContactForm);
