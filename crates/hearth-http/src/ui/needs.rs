//! Needs, adjustments and warning flags in the web UI: the adjustments
//! banner and warning flags that come first on the person page and on case
//! pages, the "Needs and adjustments" section, the forms to record a need,
//! add an adjustment, record consent, end a need and add a flag, the
//! acknowledge step before a flag's text, the "due for review" work list and
//! the printable contractor job sheet.
//!
//! The gate decides everything; these handlers never show a need's detail
//! to a role the gate refused it to, and say plainly when a need is kept but
//! not used because the person has not given consent.

use crate::shell::layout::{csrf_field, date_input, error_summary, page, radios, row, select, textarea, Input};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::{long_date, uk_time};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::needs::WarningFlag;
use hearth_domain::{
    access::{Action, Compartment},
    error::FieldError,
    needs::{
        Adjustment, AdjustmentInput, AdjustmentKind, DisclosureChannel, FlagCategory, FlagSeverity, Need, NeedCategory, NeedChange,
        NeedDuration, NeedInput, NeedSource, OperativeGender, PreferredFormat, WarningFlagInput, NO_CONSENT,
    },
    Id,
};
use hearth_gate::cases::CaseView;
use hearth_gate::{Gate, GateError};
use maud::{html, Markup};
use serde::Deserialize;

fn options<T: Copy>(all: &[T], f: impl Fn(T) -> (&'static str, &'static str)) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|t| f(*t)).collect()
}

fn date_of(d: &str, m: &str, y: &str) -> Option<String> {
    let (d, m, y) = (d.trim(), m.trim(), y.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        None
    } else {
        Some(format!("{y:0>4}-{m:0>2}-{d:0>2}"))
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_string())
}

fn yes_no(s: &str) -> Option<bool> {
    match s {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

// ---- the banner and flags that come first ----

/// The adjustments banner for one person: adjustments in use, and a plain
/// reason when some are kept but not used.
fn adjustments_banner(id: &str, heading: &str, adjustments: &[Adjustment]) -> Markup {
    let in_use: Vec<&Adjustment> = adjustments.iter().filter(|a| a.in_use).collect();
    let no_consent = adjustments.iter().filter(|a| a.ended_at.is_none() && a.not_in_use_reason.as_deref() == Some(NO_CONSENT)).count();
    html! {
        // Without consent there is no banner: only a plain note of why.
        @if in_use.is_empty() && no_consent > 0 {
            div class="govuk-inset-text" id={ (id) "-not-used" } {
                (heading) ": " (no_consent) @if no_consent == 1 { " adjustment is" } @else { " adjustments are" }
                " recorded but not used to tailor services, because the person has not given consent to use their needs to tailor services."
            }
        }
        @if !in_use.is_empty() {
            div class="govuk-notification-banner" role="region" aria-labelledby={ (id) "-title" } data-module="govuk-notification-banner" id=(id) {
                div class="govuk-notification-banner__header" {
                    h2 class="govuk-notification-banner__title" id={ (id) "-title" } { (heading) }
                }
                div class="govuk-notification-banner__content" {
                    @if !in_use.is_empty() {
                        ul class="govuk-list govuk-list--bullet" {
                            @for a in &in_use {
                                li { strong { (a.describe()) } @if let Some(n) = &a.note { ": " (n) } }
                            }
                        }
                    }
                    @if no_consent > 0 {
                        p class="govuk-body" id={ (id) "-not-used" } {
                            (no_consent) @if no_consent == 1 { " adjustment is" } @else { " adjustments are" }
                            " recorded but not used to tailor services: the person has not given consent to use their needs to tailor services."
                        }
                    }
                }
            }
        }
    }
}

/// Current warning flags, each behind an acknowledge step until this user has acknowledged it.
fn flags_first(s: &UiSession, flags: &[WarningFlag]) -> Markup {
    let today = Gate::today();
    html! {
        @for f in flags.iter().filter(|f| f.ended_by.is_none() && f.is_current(today)) {
            div class="govuk-warning-text" id={ "flag-" (f.id) } {
                span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                div class="govuk-warning-text__text" {
                    span class="govuk-visually-hidden" { "Warning" }
                    "Staff safety warning: " (f.category.label()) " (" (f.severity.label().to_lowercase()) " risk)"
                    @if f.acknowledged {
                        p class="govuk-body govuk-!-margin-top-2 govuk-!-margin-bottom-1" { "Risk assessment: " (f.risk_assessment.as_deref().unwrap_or("")) }
                        p class="govuk-body-s govuk-!-margin-bottom-0" {
                            @if f.person_told { "Person told on " (f.person_told_on.map(long_date).unwrap_or_default()) "." }
                            @else { "Person not told: " (f.not_told_reason.as_deref().unwrap_or("")) }
                            " Review by " (long_date(f.review_date)) "."
                        }
                    } @else {
                        form method="post" action={ "/warning-flags/" (f.id) "/acknowledge" } novalidate class="govuk-!-margin-top-2" {
                            (csrf_field(&s.csrf))
                            button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0" data-module="govuk-button" {
                                "Acknowledge and show the risk assessment"
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What comes first on the person page and the page's "Needs and adjustments" section.
pub(super) struct PersonNeeds {
    pub first: Markup,
    pub section: Markup,
}

/// Reads what the caller may see; a refused part is simply left out (the
/// refusal is audited by the gate), and a failure never costs the page.
/// `with_needs`: whether the needs themselves are read (the "Needs" view of
/// the person page); other views show only the adjustments and flags first.
pub(super) async fn person_sections(gate: &Gate, s: &UiSession, person_id: Id, with_needs: bool) -> PersonNeeds {
    let a = &s.actor;
    let adjustments = if gate.may(a, Action::List, Compartment::Adjustments) { gate.adjustments_of(a, person_id).await.ok() } else { None };
    let flags = if gate.may(a, Action::List, Compartment::WarningFlags) { gate.warning_flags_of(a, person_id).await.ok() } else { None };
    // Needs are need-to-know per person: read (and audit) them only for those it allows.
    let may_see = if with_needs { gate.may_see_needs(a, person_id).await } else { Ok(false) };
    let needs = match may_see {
        Ok(true) => match gate.needs_of(a, person_id).await {
            Ok(n) => Some(n),
            Err(e) => {
                tracing::warn!(error = %e, "needs failed");
                None
            }
        },
        _ => None,
    };
    let may_flag = gate.may(a, Action::Create, Compartment::WarningFlags);
    let names = if needs.is_some() { gate.staff_names().await.unwrap_or_default() } else { Default::default() };
    let today = Gate::today();
    let first = html! {
        @if let Some(adj) = &adjustments { (adjustments_banner("adjustments-banner", "Reasonable adjustments", adj)) }
        @if let Some(f) = &flags { (flags_first(s, f)) }
    };
    let section = html! {
        h2 class="govuk-heading-m" id="needs" { "Needs and adjustments" }
        @match &needs {
            None => p class="govuk-body" { "Your role does not give access to this person's needs. Their adjustments are shown at the top of the page." },
            Some(needs) => {
                @if needs.is_empty() { p class="govuk-body" { "No needs recorded." } }
                @for n in needs {
                    div class="govuk-summary-card" id={ "need-" (n.id) } {
                        div class="govuk-summary-card__title-wrapper" {
                            h3 class="govuk-summary-card__title" {
                                (n.category.label())
                                @if !n.is_active() { " (ended)" }
                            }
                        }
                        div class="govuk-summary-card__content" {
                            dl class="govuk-summary-list" {
                                (row("Detail", html! { (n.detail.as_deref().unwrap_or("None recorded")) }))
                                (row("Words the person prefers", html! { (n.preferred_words.as_deref().unwrap_or("Not given")) }))
                                (row("Source", html! { (n.source.label()) }))
                                (row("Disclosed", html! { (long_date(n.disclosed_on)) " by " (n.disclosure_channel.label().to_lowercase()) }))
                                (row("Temporary or long-term", html! { (n.duration.label()) }))
                                (row("Consent to tailor services", html! {
                                    @if n.consent_to_tailor { "Given" } @else { strong class="govuk-tag govuk-tag--yellow" { "Not given" } }
                                    " (recorded by " (names.get(&n.consent_recorded_by).map(String::as_str).unwrap_or("a former member of staff")) ", " (uk_time(n.consent_recorded_at)) ")"
                                    @if n.is_active() && !n.consent_to_tailor {
                                        p class="govuk-body govuk-!-margin-top-2 govuk-!-margin-bottom-0" id={ "need-" (n.id) "-not-used" } {
                                            "Not used to tailor services: the person has not given consent. It is kept, but it does not change how we work with them (no adjustments banner, no repair priority uplift)."
                                        }
                                    }
                                }))
                                (row("Review by", html! {
                                    (long_date(n.review_date))
                                    @if n.review_overdue(today) { " " strong class="govuk-tag govuk-tag--red" { "Overdue" } }
                                }))
                                @if let Some(at) = n.ended_at {
                                    (row("Ended", html! { (uk_time(at)) " by " (n.ended_by.and_then(|b| names.get(&b)).map(String::as_str).unwrap_or("a former member of staff")) ": " (n.end_reason.as_deref().unwrap_or("")) }))
                                }
                            }
                            @if n.is_active() {
                                ul class="govuk-list" {
                                    li { a class="govuk-link" href={ "/people/" (person_id) "/adjustments/new?need_id=" (n.id) } { "Add an adjustment" span class="govuk-visually-hidden" { " for " (n.category.label().to_lowercase()) } } }
                                    li { a class="govuk-link" href={ "/needs/" (n.id) "/end" } { "End this need" span class="govuk-visually-hidden" { " (" (n.category.label().to_lowercase()) ")" } } }
                                }
                                form method="post" action={ "/needs/" (n.id) "/reviewed" } novalidate class="govuk-!-margin-bottom-3" {
                                    (csrf_field(&s.csrf))
                                    input type="hidden" name="version" value=(n.version);
                                    button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" {
                                        "Reviewed: still relevant"
                                        span class="govuk-visually-hidden" { " (" (n.category.label().to_lowercase()) ")" }
                                    }
                                }
                                form method="post" action={ "/needs/" (n.id) "/consent" } novalidate {
                                    (csrf_field(&s.csrf))
                                    input type="hidden" name="version" value=(n.version);
                                    input type="hidden" name="consent" value=(if n.consent_to_tailor { "no" } else { "yes" });
                                    button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" {
                                        @if n.consent_to_tailor { "Record that consent was withdrawn" } @else { "Record that consent was given" }
                                        span class="govuk-visually-hidden" { " for " (n.category.label().to_lowercase()) }
                                    }
                                }
                            }
                        }
                    }
                }
                p class="govuk-body" { a class="govuk-link" href={ "/people/" (person_id) "/needs/new" } { "Record a need" } }
            }
        }
        @if let Some(adj) = &adjustments {
            @if !adj.is_empty() {
                table class="govuk-table" id="adjustments" {
                    caption class="govuk-table__caption govuk-table__caption--s" { "Reasonable adjustments" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Adjustment" }
                        th scope="col" class="govuk-table__header" { "In use" }
                    } }
                    tbody class="govuk-table__body" {
                        @for x in adj {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { (x.describe()) @if let Some(n) = &x.note { ": " (n) } }
                                td class="govuk-table__cell" {
                                    @if x.in_use { "Yes" } @else { "No. " (x.not_in_use_reason.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if may_flag {
            p class="govuk-body" { a class="govuk-link" href={ "/people/" (person_id) "/warning-flags/new" } { "Add a warning flag" } }
        }
    };
    PersonNeeds { first, section }
}

/// The adjustments banner for each named person on a case, first on the case page.
pub(super) async fn case_banner(gate: &Gate, s: &UiSession, v: &CaseView) -> Markup {
    let adjustments = gate.may(&s.actor, Action::List, Compartment::Adjustments);
    // Staff safety first: whoever works the case must see a party's warning flags.
    let flags = gate.may(&s.actor, Action::List, Compartment::WarningFlags);
    let today = Gate::today();
    let mut out = vec![];
    // An anonymous reporter's flags would point to who they are: never shown here.
    for p in v.parties.iter().filter(|p| !p.anonymous) {
        let Some(pid) = p.person_id else { continue };
        if flags {
            if let Ok(fs) = gate.warning_flags_of(&s.actor, pid).await {
                for f in fs.iter().filter(|f| f.ended_by.is_none() && f.is_current(today)) {
                    out.push(html! {
                        div class="govuk-warning-text" id={ "case-flag-" (f.id) } {
                            span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                            div class="govuk-warning-text__text" {
                                span class="govuk-visually-hidden" { "Warning" }
                                "Staff safety warning for " (p.name) ": " (f.category.label()) " (" (f.severity.label().to_lowercase()) " risk). "
                                a class="govuk-link" href={ "/people/" (pid) } { "Read the risk assessment on their record" }
                            }
                        }
                    });
                }
            }
        }
        if adjustments {
            if let Ok(adj) = gate.adjustments_of(&s.actor, pid).await {
                out.push(adjustments_banner(&format!("adjustments-{pid}"), &format!("Reasonable adjustments: {}", p.name), &adj));
            }
        }
    }
    html! { @for m in out { (m) } }
}

// ---- recording a need ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NeedForm {
    _csrf: String,
    category: String,
    detail: String,
    source: String,
    disclosed_on_day: String,
    disclosed_on_month: String,
    disclosed_on_year: String,
    disclosure_channel: String,
    duration: String,
    review_date_day: String,
    review_date_month: String,
    review_date_year: String,
    preferred_words: String,
    consent_to_tailor: String,
}

impl NeedForm {
    fn input(&self) -> NeedInput {
        NeedInput {
            category: opt(&self.category),
            detail: opt(&self.detail),
            source: opt(&self.source),
            disclosed_on: date_of(&self.disclosed_on_day, &self.disclosed_on_month, &self.disclosed_on_year),
            disclosure_channel: opt(&self.disclosure_channel),
            duration: opt(&self.duration),
            review_date: date_of(&self.review_date_day, &self.review_date_month, &self.review_date_year),
            preferred_words: opt(&self.preferred_words),
            consent_to_tailor: yes_no(&self.consent_to_tailor),
            review_officer: None,
        }
    }
}

fn need_form(s: &UiSession, person_id: Id, f: &NeedForm, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut categories = vec![("", "Choose the kind of need")];
    categories.extend(options(NeedCategory::ALL, |c| (c.as_str(), c.label())));
    let mut sources = vec![("", "Choose a source")];
    sources.extend(options(NeedSource::ALL, |c| (c.as_str(), c.label())));
    let mut channels = vec![("", "Choose how")];
    channels.extend(options(DisclosureChannel::ALL, |c| (c.as_str(), c.label())));
    let durations = options(NeedDuration::ALL, |c| (c.as_str(), c.label()));
    let title = "Record a need";
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
                    form method="post" action={ "/people/" (person_id) "/needs" } novalidate {
                        (csrf_field(&s.csrf))
                        (select("category", "Kind of need", &categories, &f.category, errors))
                        (textarea("detail", "detail", "Detail (optional)", &f.detail, errors))
                        (Input::text("preferred_words", "Words the person prefers for their circumstances (optional)", &f.preferred_words)
                            .hint("Not everyone accepts \u{201c}vulnerable\u{201d}. Use their words.").render(errors))
                        (select("source", "Where we learned of it", &sources, &f.source, errors))
                        (date_input("disclosed_on", "Date disclosed (optional)", "Leave blank for today. For example, 27 3 2026",
                            (&f.disclosed_on_day, &f.disclosed_on_month, &f.disclosed_on_year), errors))
                        (select("disclosure_channel", "How the person told us", &channels, &f.disclosure_channel, errors))
                        (radios("duration", "Temporary or long-term?", None, &durations, &f.duration, errors, " govuk-radios--inline"))
                        (date_input("review_date", "Review by (optional)", "Leave blank for the usual review period for this kind of need.",
                            (&f.review_date_day, &f.review_date_month, &f.review_date_year), errors))
                        (radios("consent_to_tailor", "Does the person give consent to use this need to tailor services?",
                            Some("Ask them expressly. Without consent the need is recorded but not used: no adjustments banner and no repair priority uplift."),
                            &[("yes", "Yes, they give consent"), ("no", "No, they do not")], &f.consent_to_tailor, errors, ""))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Record the need" }
                    }
                } }
            },
        ),
    )
}

pub async fn new_need_form(session: UiSession, Path(id): Path<i64>) -> Response {
    need_form(&session, id, &NeedForm::default(), &[])
}

/// The gate's field names onto this form's inputs.
fn need_field(field: &str) -> String {
    match field {
        "review_officer" => "category".into(),
        f => f.to_string(),
    }
}

pub async fn record_need(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<NeedForm>) -> Response {
    match s.gate.record_need(&session.actor, id, &f.input()).await {
        Ok(n) => Redirect::to(&format!("/people/{id}?done=need-recorded#need-{}", n.id)).into_response(),
        Err(GateError::Invalid(v)) => {
            let errors: Vec<_> = v.0.into_iter().map(|e| FieldError::new(need_field(&e.field), e.message)).collect();
            need_form(&session, id, &f, &errors)
        }
        Err(e) => error_page(&session, e),
    }
}

// ---- consent and ending ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConsentForm {
    _csrf: String,
    version: i64,
    consent: String,
}

pub async fn record_consent(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<ConsentForm>) -> Response {
    let change = NeedChange::Consent { version: f.version, consent_to_tailor: f.consent == "yes" };
    match s.gate.change_need(&session.actor, id, &change).await {
        Ok(n) => Redirect::to(&format!("/people/{}?done=consent-recorded#need-{id}", n.person_id)).into_response(),
        Err(e) => error_page(&session, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewedForm {
    _csrf: String,
    version: i64,
}

/// The need is still relevant: the next review is set by its category's period.
pub async fn mark_reviewed(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<ReviewedForm>) -> Response {
    let change = NeedChange::Reviewed { version: f.version, next_review: None };
    match s.gate.change_need(&session.actor, id, &change).await {
        Ok(n) => Redirect::to(&format!("/people/{}?done=need-reviewed#need-{id}", n.person_id)).into_response(),
        Err(e) => error_page(&session, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndNeedForm {
    _csrf: String,
    version: i64,
    reason: String,
}

fn end_need_page(s: &UiSession, n: &Need, reason: &str, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let title = "End a need";
    respond(
        status,
        page(
            title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                a class="govuk-back-link" href={ "/people/" (n.person_id) } { "Back to the person" }
                div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    span class="govuk-caption-l" { (n.category.label()) }
                    h1 class="govuk-heading-l" { (title) }
                    p class="govuk-body" { "The need and its adjustments stop being used. The record is kept, with who ended it and why." }
                    form method="post" action={ "/needs/" (n.id) "/end" } novalidate {
                        (csrf_field(&s.csrf))
                        input type="hidden" name="version" value=(n.version);
                        (textarea("reason", "reason", "Why is it no longer relevant?", reason, errors))
                        button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { "End the need" }
                    }
                } }
            },
        ),
    )
}

pub async fn end_need_form(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    match s.gate.need(&session.actor, id).await {
        Ok(n) => end_need_page(&session, &n, "", &[]),
        Err(e) => error_page(&session, e),
    }
}

pub async fn end_need(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<EndNeedForm>) -> Response {
    let change = NeedChange::End { version: f.version, reason: f.reason.clone() };
    match s.gate.change_need(&session.actor, id, &change).await {
        Ok(n) => Redirect::to(&format!("/people/{}?done=need-ended#need-{id}", n.person_id)).into_response(),
        Err(GateError::Invalid(v)) => match s.gate.need(&session.actor, id).await {
            Ok(n) => end_need_page(&session, &n, &f.reason, &v.0),
            Err(e) => error_page(&session, e),
        },
        Err(e) => error_page(&session, e),
    }
}

// ---- adding an adjustment ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AdjustmentForm {
    _csrf: String,
    need_id: String,
    kind: String,
    format: String,
    language: String,
    operative_gender: String,
    note: String,
}

impl AdjustmentForm {
    fn input(&self) -> AdjustmentInput {
        AdjustmentInput {
            need_id: self.need_id.trim().parse().ok(),
            kind: opt(&self.kind),
            format: opt(&self.format),
            language: opt(&self.language),
            operative_gender: opt(&self.operative_gender),
            note: opt(&self.note),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NeedQuery {
    need_id: String,
}

async fn adjustment_form(gate: &Gate, s: &UiSession, person_id: Id, f: &AdjustmentForm, errors: &[FieldError]) -> Response {
    let needs = match gate.needs_of(&s.actor, person_id).await {
        Ok(n) => n,
        Err(e) => return error_page(s, e),
    };
    let labels: Vec<(String, String)> = needs
        .iter()
        .filter(|n| n.is_active())
        .map(|n| (n.id.to_string(), format!("{} (disclosed {})", n.category.label(), long_date(n.disclosed_on))))
        .collect();
    let mut need_options = vec![("", "Choose the need")];
    need_options.extend(labels.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    let kinds = options(AdjustmentKind::ALL, |k| (k.as_str(), k.label()));
    let mut formats = vec![("", "Not a format adjustment")];
    formats.extend(options(PreferredFormat::ALL, |k| (k.as_str(), k.label())));
    let genders = options(OperativeGender::ALL, |k| (k.as_str(), k.label()));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let title = "Add a reasonable adjustment";
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
                    p class="govuk-body" { "Every role that deals with the person sees adjustments; the need behind it stays private." }
                    form method="post" action={ "/people/" (person_id) "/adjustments" } novalidate {
                        (csrf_field(&s.csrf))
                        (select("need_id", "The need it meets", &need_options, &f.need_id, errors))
                        (radios("kind", "Adjustment", None, &kinds, &f.kind, errors, ""))
                        (select("format", "Preferred format", &formats, &f.format, errors))
                        (Input::text("language", "Interpreter's language", &f.language).hint("Only for a spoken-language interpreter.").width("20").render(errors))
                        (radios("operative_gender", "Operative gender preference", Some("Only for an operative gender preference."), &genders, &f.operative_gender, errors, " govuk-radios--inline govuk-radios--small"))
                        (Input::text("note", "How to apply it (optional)", &f.note).hint("What staff and contractors should do. Do not describe the need.").render(errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Add the adjustment" }
                    }
                } }
            },
        ),
    )
}

pub async fn new_adjustment_form(
    State(s): State<AppState>,
    session: UiSession,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<NeedQuery>,
) -> Response {
    let need_id = if q.need_id.bytes().all(|b| b.is_ascii_digit()) && q.need_id.len() < 20 { q.need_id } else { String::new() };
    adjustment_form(&s.gate, &session, id, &AdjustmentForm { need_id, ..Default::default() }, &[]).await
}

pub async fn add_adjustment(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<AdjustmentForm>) -> Response {
    match s.gate.add_adjustment(&session.actor, id, &f.input()).await {
        Ok(_) => Redirect::to(&format!("/people/{id}?done=adjustment-added")).into_response(),
        Err(GateError::Invalid(v)) => adjustment_form(&s.gate, &session, id, &f, &v.0).await,
        Err(e) => error_page(&session, e),
    }
}

// ---- warning flags ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FlagForm {
    _csrf: String,
    category: String,
    severity: String,
    incident_date_day: String,
    incident_date_month: String,
    incident_date_year: String,
    risk_assessment: String,
    person_told: String,
    person_told_on_day: String,
    person_told_on_month: String,
    person_told_on_year: String,
    not_told_reason: String,
}

impl FlagForm {
    fn input(&self) -> WarningFlagInput {
        WarningFlagInput {
            category: opt(&self.category),
            severity: opt(&self.severity),
            incident_date: date_of(&self.incident_date_day, &self.incident_date_month, &self.incident_date_year),
            risk_assessment: opt(&self.risk_assessment),
            person_told: yes_no(&self.person_told),
            person_told_on: date_of(&self.person_told_on_day, &self.person_told_on_month, &self.person_told_on_year),
            not_told_reason: opt(&self.not_told_reason),
            ..Default::default()
        }
    }
}

fn flag_form(s: &UiSession, person_id: Id, f: &FlagForm, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut categories = vec![("", "Choose a reason")];
    categories.extend(options(FlagCategory::ALL, |c| (c.as_str(), c.label())));
    let severities = options(FlagSeverity::ALL, |c| (c.as_str(), c.label()));
    let title = "Add a warning flag";
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
                    p class="govuk-body" { "A flag is for staff safety. It needs a risk assessment, a record of whether the person was told, and a review date (set automatically)." }
                    form method="post" action={ "/people/" (person_id) "/warning-flags" } novalidate {
                        (csrf_field(&s.csrf))
                        (select("category", "Reason", &categories, &f.category, errors))
                        (radios("severity", "Risk", None, &severities, &f.severity, errors, " govuk-radios--inline"))
                        (date_input("incident_date", "Incident date (optional)", "For example, 27 3 2026",
                            (&f.incident_date_day, &f.incident_date_month, &f.incident_date_year), errors))
                        (textarea("risk_assessment", "risk_assessment", "Risk assessment", &f.risk_assessment, errors))
                        (radios("person_told", "Has the person been told about the flag?", None, &[("yes", "Yes"), ("no", "No")], &f.person_told, errors, " govuk-radios--inline"))
                        (date_input("person_told_on", "Date told", "If they were told. For example, 27 3 2026",
                            (&f.person_told_on_day, &f.person_told_on_month, &f.person_told_on_year), errors))
                        (Input::text("not_told_reason", "Why they have not been told", &f.not_told_reason).hint("If they were not told.").render(errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Add the flag" }
                    }
                } }
            },
        ),
    )
}

pub async fn new_flag_form(session: UiSession, Path(id): Path<i64>) -> Response {
    flag_form(&session, id, &FlagForm::default(), &[])
}

pub async fn add_flag(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<FlagForm>) -> Response {
    match s.gate.add_warning_flag(&session.actor, id, &f.input()).await {
        Ok(flag) => Redirect::to(&format!("/people/{id}?done=flag-added#flag-{}", flag.id)).into_response(),
        Err(GateError::Invalid(v)) => flag_form(&session, id, &f, &v.0),
        Err(e) => error_page(&session, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AcknowledgeForm {
    _csrf: String,
}

pub async fn acknowledge_flag(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, _): Posted<AcknowledgeForm>) -> Response {
    match s.gate.acknowledge_warning_flag(&session.actor, id).await {
        Ok(f) => Redirect::to(&format!("/people/{}#flag-{id}", f.person_id)).into_response(),
        Err(e) => error_page(&session, e),
    }
}

// ---- the review work list ----

pub async fn reviews(State(s): State<AppState>, session: UiSession) -> Response {
    let items = match s.gate.reviews_due(&session.actor).await {
        Ok(i) => i,
        Err(e) => return error_page(&session, e),
    };
    let overdue = items.iter().filter(|i| i.overdue).count();
    let title = "Due for review";
    respond(
        StatusCode::OK,
        page(
            title,
            &chrome(&session),
            false,
            html! {
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { "Needs and warning flags you review that are due in the next " (hearth_gate::needs::REVIEW_HORIZON_DAYS) " days or overdue. Vulnerability changes: check each is still right, and end what is no longer relevant." }
                @if items.is_empty() {
                    p class="govuk-body" { "Nothing is due for review." }
                } @else {
                    @if overdue > 0 {
                        div class="govuk-warning-text" {
                            span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                            strong class="govuk-warning-text__text" { span class="govuk-visually-hidden" { "Warning" } (overdue) " overdue" }
                        }
                    }
                    table class="govuk-table" id="reviews" {
                        caption class="govuk-table__caption govuk-visually-hidden" { "Reviews due, soonest first" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Person" }
                            th scope="col" class="govuk-table__header" { "Record" }
                            th scope="col" class="govuk-table__header" { "Review by" }
                        } }
                        tbody class="govuk-table__body" {
                            @for i in &items {
                                tr class={ "govuk-table__row" @if i.overdue { " hearth-overdue" } } {
                                    td class="govuk-table__cell" {
                                        @let anchor = if i.record_type == "need" { format!("need-{}", i.id) } else { format!("flag-{}", i.id) };
                                        a class="govuk-link" href={ "/people/" (i.person_id) "#" (anchor) } { (i.person_name) }
                                    }
                                    td class="govuk-table__cell" { (if i.record_type == "need" { "Need: " } else { "Warning flag: " }) (i.what) }
                                    td class="govuk-table__cell" {
                                        (long_date(i.review_date))
                                        @if i.overdue { " " strong class="govuk-tag govuk-tag--red" { "Overdue" } }
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

// ---- the printable job sheet ----

pub async fn job_sheet(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    let j = match s.gate.job_sheet(&session.actor, id).await {
        Ok(j) => j,
        Err(e) => return error_page(&session, e),
    };
    let title = format!("Job sheet {}", j.reference);
    respond(
        StatusCode::OK,
        page(
            &title,
            &chrome(&session),
            false,
            html! {
                a class="govuk-back-link" href={ "/cases/" (id) } { "Back to the job" }
                span class="govuk-caption-l" { "Repair job sheet" }
                h1 class="govuk-heading-l" { (j.reference) }
                p class="govuk-body" { "Print this page with your browser. It holds only what the visit needs." }
                dl class="govuk-summary-list" {
                    (row("Job", html! { (j.summary) }))
                    (row("Trade", html! { (j.trade.map(|t| t.label()).unwrap_or("Not set")) }))
                    (row("Priority", html! { (j.priority.label()) }))
                    (row("Address", html! { (j.address.as_deref().unwrap_or("Not recorded")) }))
                    (row("Appointment", html! {
                        @match (j.window_start, j.window_end) {
                            (Some(a), Some(b)) => { (uk_time(a)) " to " (uk_time(b)) },
                            _ => "Not booked",
                        }
                    }))
                }
                @for p in &j.people {
                    h2 class="govuk-heading-m" { (p.name) }
                    @for f in &p.warning_flags {
                        div class="govuk-warning-text" {
                            span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                            strong class="govuk-warning-text__text" { span class="govuk-visually-hidden" { "Warning" } (f.text) }
                        }
                    }
                    dl class="govuk-summary-list" {
                        (row("Phone", html! { (p.phone.as_deref().unwrap_or("Not recorded")) }))
                        (row("Adjustments", html! {
                            @if p.adjustments.is_empty() { "None" }
                            @else { ul class="govuk-list" { @for a in &p.adjustments { li { (a.text) } } } }
                        }))
                    }
                }
            },
        ),
    )
}

crate::shell::session::csrf_forms!(NeedForm, ConsentForm, ReviewedForm, EndNeedForm, AdjustmentForm, FlagForm, AcknowledgeForm);
