//! Sharing and disclosure in the web UI, for the data protection officer:
//! the data-sharing agreements (list, record, end) and the disclosure
//! register (list, record a request, the entry's page with its decision and
//! corrections). The register offers no edit or delete: a decision or a
//! correction is a new entry.

use crate::shell::layout::{csrf_field, date_input, error_summary, page, radios, row, select, success_banner, textarea, Input};
use crate::shell::picker::{self, many_picker, ManyPicked};
use crate::shell::respond::{chrome, error_page, respond, Done, Refusal};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::{form_date, long_date, uk_time};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::{
    error::FieldError,
    retention::LawfulBasis,
    sharing::{
        AgreementInput, AgreementStatus, DisclosureCorrectionInput, DisclosureDecision, DisclosureDecisionInput, DisclosureEntry,
        DisclosureEntryKind, DisclosureExemption, DisclosureRequestInput, Organisation, RecipientType,
    },
    Id,
};
use hearth_gate::sharing::{DisclosureView, EndAgreement};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::BTreeMap;

fn banner(done: &Done) -> Option<&'static str> {
    Some(match done.done.as_deref()? {
        "agreement-added" => "Agreement recorded",
        "agreement-ended" => "Agreement ended",
        "request-recorded" => "Request recorded",
        "decided" => "Decision recorded",
        "corrected" => "Correction recorded",
        _ => return None,
    })
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_else(|| "–".into())
}

// ---- agreements ----

pub async fn agreements(State(s): State<AppState>, session: UiSession, Query(done): Query<Done>) -> Response {
    let items = match s.gate.agreements(&session.actor).await {
        Ok(a) => a,
        Err(e) => return error_page(&session, e),
    };
    let today = hearth_gate::Gate::today();
    let title = "Data-sharing agreements";
    respond(
        StatusCode::OK,
        page(
            title,
            &chrome(&session),
            false,
            html! {
                @if let Some(b) = banner(&done) { (success_banner(b)) }
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { "Personal data goes to a partner only under an agreement in force. An expired or ended agreement stops every share made under it." }
                a href="/sharing-agreements/new" role="button" draggable="false" class="govuk-button" data-module="govuk-button" { "Record an agreement" }
                @if items.is_empty() {
                    p class="govuk-body" { "No agreements recorded." }
                } @else {
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-table__caption--m" { "Agreements, active first" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Reference" }
                            th scope="col" class="govuk-table__header" { "Partner" }
                            th scope="col" class="govuk-table__header" { "Recipient" }
                            th scope="col" class="govuk-table__header" { "Purpose" }
                            th scope="col" class="govuk-table__header" { "In force" }
                            th scope="col" class="govuk-table__header" { "Status" }
                            th scope="col" class="govuk-table__header" { span class="govuk-visually-hidden" { "Action" } }
                        } }
                        tbody class="govuk-table__body" {
                            @for a in &items {
                                @let why = a.not_in_force(today);
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { (a.reference) }
                                    td class="govuk-table__cell" { (a.partner) br; span class="govuk-hint" { "Owner: " (a.owner) } }
                                    td class="govuk-table__cell" { (a.recipient_type.label()) }
                                    td class="govuk-table__cell" { (a.purpose) br; span class="govuk-hint" { (a.lawful_basis.label()) "; " (a.data_categories.join(", ")) } }
                                    td class="govuk-table__cell" { (long_date(a.starts_on)) " to " (long_date(a.expires_on)) }
                                    td class="govuk-table__cell" {
                                        @match &why {
                                            None => strong class="govuk-tag govuk-tag--green" { "In force" },
                                            Some(w) => { strong class="govuk-tag govuk-tag--grey" { (a.status.label()) } br; span class="govuk-hint" { (w) } },
                                        }
                                    }
                                    td class="govuk-table__cell" {
                                        @if a.status == AgreementStatus::Active {
                                            form method="post" action={ "/sharing-agreements/" (a.id) "/end" } novalidate {
                                                (csrf_field(&session.csrf))
                                                input type="hidden" name="version" value=(a.version);
                                                div class="govuk-form-group" {
                                                    label class="govuk-label" for={ "reason-" (a.id) } { "Why it ends" }
                                                    input class="govuk-input" id={ "reason-" (a.id) } name="reason" type="text";
                                                }
                                                button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0" data-module="govuk-button" { "End " span class="govuk-visually-hidden" { (a.reference) } }
                                            }
                                        }
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

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AgreementForm {
    _csrf: String,
    partner: String,
    partner_organisation_id: String,
    recipient_type: String,
    purpose: String,
    lawful_basis: String,
    data_categories: String,
    transfer_method: String,
    security_requirements: String,
    starts_on_day: String,
    starts_on_month: String,
    starts_on_year: String,
    expires_on_day: String,
    expires_on_month: String,
    expires_on_year: String,
    owner: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndForm {
    _csrf: String,
    version: i64,
    reason: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RequestForm {
    _csrf: String,
    requester_type: String,
    requester: String,
    verification: String,
    exemption: String,
    detail: String,
    _pick: String,
    person_ids: String,
    person_ids_add: String,
    person_ids_add_q: String,
    /// The people picker as looked up for this page; never posted.
    #[serde(skip)]
    people: ManyPicked,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DecisionForm {
    _csrf: String,
    decision: String,
    reason: String,
    fields: String,
    _pick: String,
    person_ids: String,
    person_ids_add: String,
    person_ids_add_q: String,
    /// The people picker as looked up for this page; never posted.
    #[serde(skip)]
    people: ManyPicked,
    method: String,
    disclosed_on_day: String,
    disclosed_on_month: String,
    disclosed_on_year: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CorrectionForm {
    _csrf: String,
    text: String,
}

crate::shell::session::csrf_forms!(AgreementForm, EndForm, RequestForm, DecisionForm, CorrectionForm);

fn agreement_page(s: &UiSession, orgs: &[Organisation], f: &AgreementForm, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let recipients: Vec<(&str, &str)> = RecipientType::ROUTINE.iter().map(|r| (r.as_str(), r.label())).collect();
    let bases: Vec<(&str, &str)> = LawfulBasis::ALL.iter().map(|b| (b.as_str(), b.label())).collect();
    let mut members: Vec<(String, String)> = vec![(String::new(), "Not a group member".into())];
    members.extend(orgs.iter().filter(|o| !o.is_default).map(|o| (o.id.to_string(), o.name.clone())));
    let members: Vec<(&str, &str)> = members.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let title = "Record a data-sharing agreement";
    respond(
        status,
        page(
            title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                a class="govuk-back-link" href="/sharing-agreements" { "Back to the agreements" }
                div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    h1 class="govuk-heading-l" { (title) }
                    form method="post" action="/sharing-agreements" novalidate {
                        (csrf_field(&s.csrf))
                        (Input::text("partner", "Partner", &f.partner).render(errors))
                        (radios("recipient_type", "Kind of recipient", Some("This sets the fields an extract under the agreement carries."), &recipients, &f.recipient_type, errors, ""))
                        (select("partner_organisation_id", "Group member (for sharing within the group)", &members, &f.partner_organisation_id, errors))
                        (textarea("purpose", "purpose", "Purpose of the sharing", &f.purpose, errors))
                        (select("lawful_basis", "Lawful basis", &bases, &f.lawful_basis, errors))
                        (textarea("data_categories", "data_categories", "Categories of data shared (one a line)", &f.data_categories, errors))
                        (Input::text("transfer_method", "How data is sent", &f.transfer_method).render(errors))
                        (textarea("security_requirements", "security_requirements", "Security requirements", &f.security_requirements, errors))
                        (date_input("starts_on", "Starts on", "For example, 1 4 2027 or 1/4/2027", (&f.starts_on_day, &f.starts_on_month, &f.starts_on_year), errors))
                        (date_input("expires_on", "Expires on", "For example, 31 3 2030 or 31/3/2030", (&f.expires_on_day, &f.expires_on_month, &f.expires_on_year), errors))
                        (Input::text("owner", "Owner (who answers for it here)", &f.owner).render(errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Record the agreement" }
                    }
                } }
            },
        ),
    )
}

pub async fn new_agreement_form(State(s): State<AppState>, session: UiSession) -> Response {
    match s.gate.organisations(&session.actor).await {
        Ok(orgs) => agreement_page(&session, &orgs, &AgreementForm::default(), &[]),
        Err(e) => error_page(&session, e),
    }
}

pub async fn create_agreement(State(s): State<AppState>, Posted(session, f): Posted<AgreementForm>) -> Response {
    let mut errors = vec![];
    let partner_organisation_id = match f.partner_organisation_id.trim() {
        "" => None,
        v => v.parse().map_err(|_| errors.push(FieldError::new("partner_organisation_id", "Choose a group member"))).ok(),
    };
    let input = AgreementInput {
        partner: f.partner.clone(),
        partner_organisation_id,
        recipient_type: f.recipient_type.clone(),
        purpose: f.purpose.clone(),
        lawful_basis: f.lawful_basis.clone(),
        data_categories: f.data_categories.lines().map(str::to_string).collect(),
        transfer_method: f.transfer_method.clone(),
        security_requirements: f.security_requirements.clone(),
        starts_on: form_date(&f.starts_on_day, &f.starts_on_month, &f.starts_on_year).unwrap_or_default(),
        expires_on: form_date(&f.expires_on_day, &f.expires_on_month, &f.expires_on_year).unwrap_or_default(),
        owner: f.owner.clone(),
    };
    if errors.is_empty() {
        match s.gate.create_agreement(&session.actor, &input).await {
            Ok(_) => return Redirect::to("/sharing-agreements?done=agreement-added").into_response(),
            Err(hearth_gate::GateError::Invalid(v)) => {
                errors = v.0.into_iter().map(|e| FieldError::new(e.field.split('[').next().unwrap_or("").to_string(), e.message)).collect()
            }
            Err(e) => return error_page(&session, e),
        }
    }
    match s.gate.organisations(&session.actor).await {
        Ok(orgs) => agreement_page(&session, &orgs, &f, &errors),
        Err(e) => error_page(&session, e),
    }
}

pub async fn end_agreement(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<EndForm>) -> Response {
    match s.gate.end_agreement(&session.actor, id, &EndAgreement { version: f.version, reason: f.reason }).await {
        Ok(_) => Redirect::to("/sharing-agreements?done=agreement-ended").into_response(),
        Err(e) => match Refusal::from_gate(e, "agreement", |f| f.to_string()) {
            Ok(r) => {
                r.page(&session, s.gate.agreements(&session.actor), |_, errors| refusal_markup(&session, "/sharing-agreements", errors))
                    .await
            }
            Err(e) => error_page(&session, e),
        },
    }
}

fn refusal_markup(s: &UiSession, back: &str, errors: &[FieldError]) -> Markup {
    page(
        "There is a problem",
        &chrome(s),
        true,
        html! {
            a class="govuk-back-link" href=(back) { "Back" }
            (error_summary(errors))
            h1 class="govuk-heading-l" { "That could not be done" }
            ul class="govuk-list" { @for e in errors { li { (e.message) } } }
        },
    )
}

// ---- the disclosure register ----

fn entry_summary(e: &DisclosureEntry) -> String {
    match e.kind {
        DisclosureEntryKind::Decision => format!("{}: {}", e.decision.map(|d| d.label()).unwrap_or(""), e.detail),
        _ => e.detail.clone(),
    }
}

pub async fn register(State(s): State<AppState>, session: UiSession, Query(done): Query<Done>) -> Response {
    let items = match s.gate.disclosures(&session.actor).await {
        Ok(d) => d,
        Err(e) => return error_page(&session, e),
    };
    let title = "Disclosure register";
    respond(
        StatusCode::OK,
        page(
            title,
            &chrome(&session),
            false,
            html! {
                @if let Some(b) = banner(&done) { (success_banner(b)) }
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { "Everything that leaves us: requests and their decisions, extracts to routine recipients and national returns. Entries are never changed; a correction is a new entry." }
                a href="/disclosures/new" role="button" draggable="false" class="govuk-button" data-module="govuk-button" { "Record a disclosure request" }
                @if items.is_empty() {
                    p class="govuk-body" { "Nothing recorded yet." }
                } @else {
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-table__caption--m" { "Entries, newest first" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Reference" }
                            th scope="col" class="govuk-table__header" { "Entry" }
                            th scope="col" class="govuk-table__header" { "Recipient" }
                            th scope="col" class="govuk-table__header" { "Summary" }
                            th scope="col" class="govuk-table__header" { "Recorded" }
                        } }
                        tbody class="govuk-table__body" {
                            @for e in &items {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { a class="govuk-link" href={ "/disclosures/" (e.refers_to.unwrap_or(e.id)) } { (e.reference) } }
                                    td class="govuk-table__cell" { (e.kind.label()) }
                                    td class="govuk-table__cell" { (e.recipient) br; span class="govuk-hint" { (e.recipient_type.label()) } }
                                    td class="govuk-table__cell" { (entry_summary(e)) }
                                    td class="govuk-table__cell" { (uk_time(e.recorded_at)) " by " (e.recorded_by) }
                                }
                            }
                        }
                    }
                }
            },
        ),
    )
}

fn request_page(s: &UiSession, f: &RequestForm, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let requesters: Vec<(&str, &str)> = RecipientType::REQUESTERS.iter().map(|r| (r.as_str(), r.label())).collect();
    let exemptions: Vec<(&str, &str)> = DisclosureExemption::ALL.iter().map(|r| (r.as_str(), r.label())).collect();
    let title = "Record a disclosure request";
    respond(
        status,
        page(
            title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                a class="govuk-back-link" href="/disclosures" { "Back to the register" }
                div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    h1 class="govuk-heading-l" { (title) }
                    form method="post" action="/disclosures" novalidate {
                        (csrf_field(&s.csrf))
                        (radios("requester_type", "Who is asking", None, &requesters, &f.requester_type, errors, ""))
                        (Input::text("requester", "Requester's name and organisation", &f.requester).render(errors))
                        (textarea("verification", "verification", "How their identity and authority were checked", &f.verification, errors))
                        (radios("exemption", "Exemption claimed", None, &exemptions, &f.exemption, errors, ""))
                        (textarea("detail", "detail", "What is asked for, and why", &f.detail, errors))
                        (many_picker("person_ids", "People the request is about", &f.people, errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Record the request" }
                    }
                } }
            },
        ),
    )
}

pub async fn new_request_form(session: UiSession) -> Response {
    request_page(&session, &RequestForm::default(), &[])
}

fn flat(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors.into_iter().map(|e| FieldError::new(e.field.split('[').next().unwrap_or("").to_string(), e.message)).collect()
}

pub async fn record_request(State(s): State<AppState>, Posted(session, mut f): Posted<RequestForm>) -> Response {
    f.people =
        match picker::resolve_many(&s.gate, &session.actor, "person_ids", &f.person_ids, &f.person_ids_add, &f.person_ids_add_q, &f._pick)
            .await
        {
            Ok(p) => p,
            Err(e) => return error_page(&session, e),
        };
    // "Find", "Remove" or "Change" on the picker: the form again, nothing written.
    if !f._pick.is_empty() {
        return request_page(&session, &f, &[]);
    }
    let unchosen = picker::unchosen(&[("person_ids_add", &f.people.adding)]);
    if !unchosen.is_empty() {
        return request_page(&session, &f, &unchosen);
    }
    let input = DisclosureRequestInput {
        requester_type: f.requester_type.clone(),
        requester: f.requester.clone(),
        verification: f.verification.clone(),
        exemption: f.exemption.clone(),
        detail: f.detail.clone(),
        person_ids: f.people.ids(),
    };
    match s.gate.record_disclosure_request(&session.actor, &input).await {
        Ok(v) => Redirect::to(&format!("/disclosures/{}?done=request-recorded", v.entry.id)).into_response(),
        Err(hearth_gate::GateError::Invalid(v)) => request_page(&session, &f, &flat(v.0)),
        Err(e) => error_page(&session, e),
    }
}

/// A register entry with the names of the people it is about, each decided
/// by the gate for this reader.
async fn load(
    gate: &hearth_gate::Gate,
    actor: &hearth_gate::Actor,
    id: Id,
) -> Result<(DisclosureView, BTreeMap<Id, String>), hearth_gate::GateError> {
    let v = gate.disclosure(actor, id).await?;
    let mut ids: Vec<Id> = v.entry.person_ids.clone();
    ids.extend(v.follow_ups.iter().flat_map(|f| f.person_ids.iter().copied()));
    ids.sort();
    ids.dedup();
    let names = gate.person_names(actor, &ids).await?;
    Ok((v, names))
}

fn entry_rows(e: &DisclosureEntry, names: &BTreeMap<Id, String>) -> Markup {
    html! {
        dl class="govuk-summary-list" {
            (row("Entry", html! { (e.kind.label()) }))
            (row("Recipient", html! { (e.recipient) " (" (e.recipient_type.label()) ")" }))
            @if let Some(v) = &e.verification { (row("Verification", html! { (v) })) }
            @if let Some(x) = e.exemption { (row("Exemption", html! { (x.label()) })) }
            @if let Some(a) = e.agreement_id { (row("Agreement", html! { "DSA-" (format!("{a:06}")) })) }
            @if let Some(d) = e.decision { (row("Decision", html! { (d.label()) })) }
            (row(if e.kind == DisclosureEntryKind::Decision { "Reason" } else { "Detail" }, html! { (e.detail) }))
            @if !e.person_ids.is_empty() {
                (row("People", html! { @for (i, p) in e.person_ids.iter().enumerate() { @if i > 0 { ", " } a class="govuk-link" href={ "/people/" (p) } { (names.get(p).map(String::as_str).unwrap_or("A person whose name you may not see")) } } }))
            }
            @if !e.fields.is_empty() { (row("Records and fields", html! { ul class="govuk-list" { @for f in &e.fields { li { (f) } } } })) }
            @if e.method.is_some() { (row("How", html! { (opt(&e.method)) })) }
            @if let Some(d) = e.disclosed_on { (row("When", html! { (long_date(d)) })) }
            (row("Recorded", html! { (uk_time(e.recorded_at)) " by " (e.recorded_by) }))
        }
    }
}

fn disclosure_markup(
    s: &UiSession,
    (v, names): &(DisclosureView, BTreeMap<Id, String>),
    done: &Done,
    decision: &DecisionForm,
    correction: &CorrectionForm,
    errors: &[FieldError],
) -> Markup {
    let decided = v.follow_ups.iter().any(|f| f.kind == DisclosureEntryKind::Decision);
    let decisions: Vec<(&str, &str)> = DisclosureDecision::ALL.iter().map(|d| (d.as_str(), d.label())).collect();
    let id = v.entry.id;
    let title = format!("{}: {}", v.entry.reference, v.entry.kind.label());
    page(
        &title,
        &chrome(s),
        !errors.is_empty(),
        html! {
            a class="govuk-back-link" href="/disclosures" { "Back to the register" }
            @if let Some(b) = banner(done) { (success_banner(b)) }
            (error_summary(errors))
            h1 class="govuk-heading-l" { (title) }
            (entry_rows(&v.entry, names))
            @for f in &v.follow_ups {
                h2 class="govuk-heading-m" { (f.reference) ": " (f.kind.label()) }
                (entry_rows(f, names))
            }
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                @if v.entry.kind == DisclosureEntryKind::Request && !decided {
                    h2 class="govuk-heading-m" { "Decide the request" }
                    form method="post" action={ "/disclosures/" (id) "/decision" } novalidate {
                        (csrf_field(&s.csrf))
                        (radios("decision", "Decision", None, &decisions, &decision.decision, errors, " govuk-radios--inline"))
                        (textarea("reason", "reason", "Reason", &decision.reason, errors))
                        (textarea("fields", "fields", "Exactly which records and fields left (one a line)", &decision.fields, errors))
                        (many_picker("person_ids", "Whose data left", &decision.people, errors))
                        (Input::text("method", "How it left", &decision.method).hint("For example, secure email").render(errors))
                        (date_input("disclosed_on", "When it left", "For example, 31 3 2027 or 31/3/2027", (&decision.disclosed_on_day, &decision.disclosed_on_month, &decision.disclosed_on_year), errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Record the decision" }
                    }
                }
                h2 class="govuk-heading-m" { "Record a correction" }
                p class="govuk-body" { "Entries are never changed. Say what this entry got wrong and what is right; the correction is kept with it." }
                form method="post" action={ "/disclosures/" (id) "/corrections" } novalidate {
                    (csrf_field(&s.csrf))
                    (textarea("text", "text", "Correction", &correction.text, errors))
                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record the correction" }
                }
            } }
        },
    )
}

pub async fn disclosure_page(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>, Query(done): Query<Done>) -> Response {
    match load(&s.gate, &session.actor, id).await {
        Ok(v) => respond(StatusCode::OK, disclosure_markup(&session, &v, &done, &DecisionForm::default(), &CorrectionForm::default(), &[])),
        Err(e) => error_page(&session, e),
    }
}

pub async fn decide(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, mut f): Posted<DecisionForm>) -> Response {
    f.people =
        match picker::resolve_many(&s.gate, &session.actor, "person_ids", &f.person_ids, &f.person_ids_add, &f.person_ids_add_q, &f._pick)
            .await
        {
            Ok(p) => p,
            Err(e) => return error_page(&session, e),
        };
    // "Find", "Remove" or "Change" on the picker: the page again, nothing written.
    let early = if !f._pick.is_empty() {
        Some(Refusal::none())
    } else {
        let unchosen = picker::unchosen(&[("person_ids_add", &f.people.adding)]);
        (!unchosen.is_empty()).then(|| Refusal::fields(unchosen))
    };
    if let Some(r) = early {
        return r
            .page(&session, load(&s.gate, &session.actor, id), |v, errors| {
                disclosure_markup(&session, &v, &Done::default(), &f, &CorrectionForm::default(), errors)
            })
            .await;
    }
    let input = DisclosureDecisionInput {
        decision: f.decision.clone(),
        reason: f.reason.clone(),
        fields: f.fields.lines().map(str::to_string).filter(|l| !l.trim().is_empty()).collect(),
        person_ids: f.people.ids(),
        method: Some(f.method.clone()),
        disclosed_on: form_date(&f.disclosed_on_day, &f.disclosed_on_month, &f.disclosed_on_year),
    };
    match s.gate.decide_disclosure(&session.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/disclosures/{id}?done=decided")).into_response(),
        Err(e) => match Refusal::from_gate(e, "entry", |x| x.split('[').next().unwrap_or("").to_string()) {
            Ok(r) => {
                r.page(&session, load(&s.gate, &session.actor, id), |v, errors| {
                    disclosure_markup(&session, &v, &Done::default(), &f, &CorrectionForm::default(), errors)
                })
                .await
            }
            Err(e) => error_page(&session, e),
        },
    }
}

pub async fn correct(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<CorrectionForm>) -> Response {
    match s.gate.correct_disclosure(&session.actor, id, &DisclosureCorrectionInput { text: f.text.clone() }).await {
        Ok(_) => Redirect::to(&format!("/disclosures/{id}?done=corrected")).into_response(),
        Err(e) => match Refusal::from_gate(e, "entry", |x| x.to_string()) {
            Ok(r) => {
                r.page(&session, load(&s.gate, &session.actor, id), |v, errors| {
                    disclosure_markup(&session, &v, &Done::default(), &DecisionForm::default(), &f, errors)
                })
                .await
            }
            Err(e) => error_page(&session, e),
        },
    }
}
