//! The "Consent and contact preferences" page of a person: where each
//! consent purpose stands, the consent log as evidence, contact preferences
//! and objections, with the forms to record each. The gate decides who may
//! see and record them and what a withdrawal switches off; this module only
//! renders and posts.

use crate::shell::layout::{csrf_field, date_input, error_summary, page, radios, row, select, success_banner, textarea, Input};
use crate::shell::respond::{chrome, error_page, respond, Refusal};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::form_date;
use crate::shell::words::long_date;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::{
    consent::{
        ConsentDecision, ConsentInput, ConsentMethod, ConsentPurpose, ConsentState, ContactPreferences, ObjectionInput, ObjectionKind,
        PreferenceChannel, PreferencesInput,
    },
    error::FieldError,
    Id,
};
use hearth_gate::consent::{ConsentOverview, WithdrawObjection};
use hearth_gate::GateError;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ConsentForm {
    _csrf: String,
    purpose: String,
    decision: String,
    on_day: String,
    on_month: String,
    on_year: String,
    method: String,
    evidence: String,
    notice_version: String,
    expires_on_day: String,
    expires_on_month: String,
    expires_on_year: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PreferencesForm {
    _csrf: String,
    version: Option<i64>,
    preferred_channel: String,
    declined_phone: String,
    declined_sms: String,
    declined_email: String,
    declined_letter: String,
    declined_visit: String,
    marketing_opt_out: String,
    no_letters_to_shared_address: String,
    note: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ObjectionForm {
    _csrf: String,
    kind: String,
    received_on_day: String,
    received_on_month: String,
    received_on_year: String,
    detail: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct WithdrawForm {
    _csrf: String,
    reason: String,
}

crate::shell::session::csrf_forms!(ConsentForm, PreferencesForm, ObjectionForm, WithdrawForm);

impl PreferencesForm {
    fn declined(&self, c: PreferenceChannel) -> bool {
        let v = match c {
            PreferenceChannel::Phone => &self.declined_phone,
            PreferenceChannel::Sms => &self.declined_sms,
            PreferenceChannel::Email => &self.declined_email,
            PreferenceChannel::Letter => &self.declined_letter,
            PreferenceChannel::Visit => &self.declined_visit,
        };
        !v.is_empty()
    }

    fn input(&self) -> PreferencesInput {
        PreferencesInput {
            version: self.version,
            preferred_channel: Some(self.preferred_channel.clone()),
            declined_channels: PreferenceChannel::ALL.iter().filter(|c| self.declined(**c)).map(|c| c.as_str().to_string()).collect(),
            marketing_opt_out: !self.marketing_opt_out.is_empty(),
            no_letters_to_shared_address: !self.no_letters_to_shared_address.is_empty(),
            note: Some(self.note.clone()),
        }
    }

    fn from_saved(p: Option<&ContactPreferences>) -> Self {
        let Some(p) = p else { return Self::default() };
        let mark = |c: PreferenceChannel| if p.declined_channels.contains(&c) { "yes".to_string() } else { String::new() };
        PreferencesForm {
            _csrf: String::new(),
            version: Some(p.version),
            preferred_channel: p.preferred_channel.map(|c| c.as_str().to_string()).unwrap_or_default(),
            declined_phone: mark(PreferenceChannel::Phone),
            declined_sms: mark(PreferenceChannel::Sms),
            declined_email: mark(PreferenceChannel::Email),
            declined_letter: mark(PreferenceChannel::Letter),
            declined_visit: mark(PreferenceChannel::Visit),
            marketing_opt_out: if p.marketing_opt_out { "yes".into() } else { String::new() },
            no_letters_to_shared_address: if p.no_letters_to_shared_address { "yes".into() } else { String::new() },
            note: p.note.clone().unwrap_or_default(),
        }
    }
}

/// What the page shows in its forms: what was typed into the one that came
/// back, and its errors.
#[derive(Default)]
struct Forms {
    consent: ConsentForm,
    preferences: Option<PreferencesForm>,
    objection: ObjectionForm,
    /// The objection whose withdrawal came back, with what was typed.
    withdraw: Option<(Id, WithdrawForm)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: Option<String>,
}

fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "consent" => "Consent recorded",
        "withdrawn" => "Withdrawal of consent recorded: it applies from now",
        "preferences" => "Contact preferences saved",
        "objection" => "Objection recorded",
        "objection-withdrawn" => "Withdrawal of the objection recorded",
        _ => return None,
    })
}

fn options<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (code(*v), label(*v))).collect()
}

fn state_tag(state: ConsentState) -> Markup {
    let colour = match state {
        ConsentState::Given => "govuk-tag--green",
        ConsentState::Withdrawn => "govuk-tag--red",
        ConsentState::Expired => "govuk-tag--orange",
        ConsentState::NotAsked => "govuk-tag--grey",
    };
    html! { strong class={ "govuk-tag " (colour) } { (state.label()) } }
}

fn consent_page(s: &UiSession, name: &str, o: &ConsentOverview, banner: Option<&str>, f: &Forms, errors: &[FieldError]) -> Markup {
    let id = o.person_id;
    let title = format!("Consent and contact preferences: {name}");
    let saved_prefs = PreferencesForm::from_saved(o.preferences.as_ref());
    let prefs = f.preferences.as_ref().unwrap_or(&saved_prefs);
    let c = &f.consent;
    let ob = &f.objection;
    let body = html! {
        a href={ "/people/" (id) } class="govuk-back-link" { "Back to " (name) }
        @if let Some(b) = banner { (success_banner(b)) }
        (error_summary(errors))
        h1 class="govuk-heading-l" { (title) }

        h2 class="govuk-heading-m" { "Consent" }
        p class="govuk-body" { "A purpose that rests on consent is used only while consent is given. A withdrawal applies from the moment it is recorded." }
        dl class="govuk-summary-list" {
            @for p in &o.purposes {
                (row(p.purpose.label(), html! {
                    (state_tag(p.state))
                    @if let Some(d) = p.since { " since " (long_date(d)) }
                    @if let Some(x) = p.expires_on { @if p.state == ConsentState::Given { ", until " (long_date(x)) } }
                }))
            }
        }
        details class="govuk-details" {
            summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Consent log (" (o.log.len()) ")" } }
            div class="govuk-details__text" {
                @if o.log.is_empty() { p class="govuk-body" { "Nothing recorded yet." } }
                @else {
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-table__caption--s" { "Every consent given or withdrawn, newest first" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Date" }
                            th scope="col" class="govuk-table__header" { "Purpose" }
                            th scope="col" class="govuk-table__header" { "Decision" }
                            th scope="col" class="govuk-table__header" { "How, and evidence" }
                            th scope="col" class="govuk-table__header" { "Notice" }
                            th scope="col" class="govuk-table__header" { "Recorded by" }
                        } }
                        tbody class="govuk-table__body" {
                            @for r in &o.log {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { (long_date(r.on)) }
                                    td class="govuk-table__cell" { (r.purpose.label()) }
                                    td class="govuk-table__cell" { (r.decision.label()) @if let Some(x) = r.expires_on { " until " (long_date(x)) } }
                                    td class="govuk-table__cell" { (r.method.label()) ": " (r.evidence) }
                                    td class="govuk-table__cell" { (r.notice_version.as_deref().unwrap_or("–")) }
                                    td class="govuk-table__cell" { (r.recorded_by) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h3 class="govuk-heading-s" { "Record consent given or withdrawn" }
        form method="post" action={ "/people/" (id) "/consent" } novalidate {
            (csrf_field(&s.csrf))
            (select("purpose", "What it is for", &[&[("", "Choose")], options(ConsentPurpose::ALL, ConsentPurpose::as_str, ConsentPurpose::label).as_slice()].concat(), &c.purpose, errors))
            (radios("decision", "Decision", None, &options(ConsentDecision::ALL, ConsentDecision::as_str, ConsentDecision::label), &c.decision, errors, " govuk-radios--inline"))
            (date_input("on", "Date", "Leave empty for today. For example, 27 3 2026", (&c.on_day, &c.on_month, &c.on_year), errors))
            (select("method", "How the person told us", &[&[("", "Choose")], options(ConsentMethod::ALL, ConsentMethod::as_str, ConsentMethod::label).as_slice()].concat(), &c.method, errors))
            (Input::text("evidence", "Evidence", &c.evidence).hint("Where it is kept: the form reference, the call's date and time, the portal reference").render(errors))
            (Input::text("notice_version", "Privacy notice version shown", &c.notice_version).hint("Required when consent is given").width("10").render(errors))
            (date_input("expires_on", "Consent lapses on (optional)", "Only if the person gave consent for a limited time", (&c.expires_on_day, &c.expires_on_month, &c.expires_on_year), errors))
            button type="submit" class="govuk-button" data-module="govuk-button" { "Record consent" }
        }

        h2 class="govuk-heading-m" id="preferences" { "Contact preferences" }
        @if let Some(p) = &o.preferences {
            p class="govuk-body-s" { "Last changed by " (p.updated_by) "." }
        }
        form method="post" action={ "/people/" (id) "/contact-preferences" } novalidate {
            (csrf_field(&s.csrf))
            @if let Some(v) = prefs.version { input type="hidden" name="version" value=(v); }
            (select("preferred_channel", "Preferred channel", &[&[("", "No preference")], options(PreferenceChannel::ALL, PreferenceChannel::as_str, PreferenceChannel::label).as_slice()].concat(), &prefs.preferred_channel, errors))
            div class="govuk-form-group" {
                fieldset class="govuk-fieldset" aria-describedby="declined-hint" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Channels the person asked us not to use" }
                    div id="declined-hint" class="govuk-hint" { "Letters the law requires, such as notices, are still sent." }
                    div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                        @for ch in PreferenceChannel::ALL {
                            @let field = format!("declined_{}", ch.as_str());
                            div class="govuk-checkboxes__item" {
                                input class="govuk-checkboxes__input" id=(field) name=(field) type="checkbox" value="yes" checked[prefs.declined(*ch)];
                                label class="govuk-label govuk-checkboxes__label" for=(field) { (ch.label()) }
                            }
                        }
                    }
                }
            }
            div class="govuk-form-group" {
                div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                    div class="govuk-checkboxes__item" {
                        input class="govuk-checkboxes__input" id="marketing_opt_out" name="marketing_opt_out" type="checkbox" value="yes" checked[!prefs.marketing_opt_out.is_empty()];
                        label class="govuk-label govuk-checkboxes__label" for="marketing_opt_out" { "No marketing by any channel" }
                    }
                    div class="govuk-checkboxes__item" {
                        input class="govuk-checkboxes__input" id="no_letters_to_shared_address" name="no_letters_to_shared_address" type="checkbox" value="yes" aria-describedby="no_letters_to_shared_address-hint" checked[!prefs.no_letters_to_shared_address.is_empty()];
                        label class="govuk-label govuk-checkboxes__label" for="no_letters_to_shared_address" { "No letters to an address they share with others" }
                        div class="govuk-hint govuk-checkboxes__hint" id="no_letters_to_shared_address-hint" { "For example, when post at home could put them at risk. Letters then go only to an address of their own, or by email." }
                    }
                }
            }
            (textarea("note", "note", "Note (optional)", &prefs.note, errors))
            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Save contact preferences" }
        }

        h2 class="govuk-heading-m" id="objections" { "Objections" }
        @if o.objections.is_empty() { p class="govuk-body" { "No objections recorded." } }
        @for x in &o.objections {
            div class="govuk-summary-card" {
                div class="govuk-summary-card__title-wrapper" {
                    h3 class="govuk-summary-card__title" { (x.kind.label()) }
                }
                div class="govuk-summary-card__content" {
                    dl class="govuk-summary-list" {
                        (row("Received", html! { (long_date(x.received_on)) }))
                        (row("What they said", html! { (x.detail) }))
                        (row("Recorded by", html! { (x.recorded_by) }))
                        // Withdrawn is told by when, not by the reason, which a reader's classes may withhold.
                        @if x.withdrawn_at.is_some() {
                            (row("Withdrawn", html! { "By " (x.withdrawn_by.as_deref().unwrap_or("")) ": " (x.withdrawn_reason.as_deref().unwrap_or("")) }))
                        }
                    }
                    @if x.withdrawn_at.is_none() {
                        @let field = format!("withdraw_{}", x.id);
                        @let typed = f.withdraw.as_ref().filter(|(w, _)| *w == x.id).map(|(_, w)| w.reason.as_str()).unwrap_or("");
                        form method="post" action={ "/objections/" (x.id) "/withdraw" } novalidate {
                            (csrf_field(&s.csrf))
                            (textarea(&field, "reason", "If the person withdraws this objection, say how and when they told us", typed, errors))
                            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record withdrawal" }
                        }
                    }
                }
            }
        }
        h3 class="govuk-heading-s" { "Record an objection" }
        form method="post" action={ "/people/" (id) "/objections" } novalidate {
            (csrf_field(&s.csrf))
            (radios("kind", "What the person objects to", None, &options(ObjectionKind::ALL, ObjectionKind::as_str, ObjectionKind::label), &ob.kind, errors, ""))
            (date_input("received_on", "Date received", "Leave empty for today", (&ob.received_on_day, &ob.received_on_month, &ob.received_on_year), errors))
            (textarea("detail", "detail", "What they said, in brief", &ob.detail, errors))
            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record objection" }
        }
    };
    page(&title, &chrome(s), !errors.is_empty(), body)
}

/// Reads the overview and the person's name for the title.
async fn load(s: &AppState, session: &UiSession, id: Id) -> Result<(String, ConsentOverview), GateError> {
    let o = s.gate.consent_overview(&session.actor, id).await?;
    let name = s.gate.person(&session.actor, id).await?.full_name();
    Ok((name, o))
}

pub async fn show(State(s): State<AppState>, session: UiSession, Path(id): Path<Id>, Query(done): Query<Done>) -> Response {
    match load(&s, &session, id).await {
        Ok((name, o)) => {
            let banner = done.done.as_deref().and_then(done_message);
            respond(StatusCode::OK, consent_page(&session, &name, &o, banner, &Forms::default(), &[]))
        }
        Err(e) => error_page(&session, e),
    }
}

async fn refused(s: &AppState, session: &UiSession, id: Id, e: GateError, forms: Forms, field: impl Fn(&str) -> String) -> Response {
    match Refusal::from_gate(e, "record", field) {
        Ok(r) => r.page(session, load(s, session, id), |(name, o), errors| consent_page(session, &name, &o, None, &forms, errors)).await,
        Err(e) => error_page(session, e),
    }
}

pub async fn record(State(s): State<AppState>, Path(id): Path<Id>, Posted(session, f): Posted<ConsentForm>) -> Response {
    let input = ConsentInput {
        purpose: Some(f.purpose.clone()),
        decision: Some(f.decision.clone()),
        on: form_date(&f.on_day, &f.on_month, &f.on_year),
        method: Some(f.method.clone()),
        evidence: Some(f.evidence.clone()),
        notice_version: Some(f.notice_version.clone()),
        expires_on: form_date(&f.expires_on_day, &f.expires_on_month, &f.expires_on_year),
    };
    match s.gate.record_consent(&session.actor, id, &input).await {
        Ok(r) => {
            let done = if r.decision == ConsentDecision::Withdrawn { "withdrawn" } else { "consent" };
            Redirect::to(&format!("/people/{id}/consent?done={done}")).into_response()
        }
        Err(e) => refused(&s, &session, id, e, Forms { consent: f, ..Forms::default() }, str::to_string).await,
    }
}

pub async fn preferences(State(s): State<AppState>, Path(id): Path<Id>, Posted(session, f): Posted<PreferencesForm>) -> Response {
    match s.gate.save_preferences(&session.actor, id, &f.input()).await {
        Ok(_) => Redirect::to(&format!("/people/{id}/consent?done=preferences")).into_response(),
        Err(e) => {
            // The checkboxes share one error, shown on the first of them.
            let field = |f: &str| if f.starts_with("declined_channels") { "declined_phone".to_string() } else { f.to_string() };
            refused(&s, &session, id, e, Forms { preferences: Some(f), ..Forms::default() }, field).await
        }
    }
}

pub async fn object(State(s): State<AppState>, Path(id): Path<Id>, Posted(session, f): Posted<ObjectionForm>) -> Response {
    let input = ObjectionInput {
        kind: Some(f.kind.clone()),
        received_on: form_date(&f.received_on_day, &f.received_on_month, &f.received_on_year),
        detail: Some(f.detail.clone()),
    };
    match s.gate.record_objection(&session.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/people/{id}/consent?done=objection")).into_response(),
        Err(e) => refused(&s, &session, id, e, Forms { objection: f, ..Forms::default() }, str::to_string).await,
    }
}

pub async fn withdraw(State(s): State<AppState>, Path(id): Path<Id>, Posted(session, f): Posted<WithdrawForm>) -> Response {
    match s.gate.withdraw_objection(&session.actor, id, &WithdrawObjection { reason: f.reason.clone() }).await {
        Ok(o) => Redirect::to(&format!("/people/{}/consent?done=objection-withdrawn", o.person_id)).into_response(),
        Err(e) => {
            let person = match s.gate.objection_person(&session.actor, id).await {
                Ok(p) => p,
                Err(e) => return error_page(&session, e),
            };
            let field = move |f: &str| if f == "reason" || f == "objection" { format!("withdraw_{id}") } else { f.to_string() };
            refused(&s, &session, person, e, Forms { withdraw: Some((id, f)), ..Forms::default() }, field).await
        }
    }
}
