//! The data protection officer's retention page: what is coming up for
//! disposal by month, legal holds in force (and the form to place one),
//! recent retention runs, their disposal certificates (downloadable as CSV)
//! and the schedule itself, rule by rule.
//!
//! Every read and change is the gate's; this module only lays them out.

use crate::shell::layout::{conditional_radios, csrf_field, error_summary, page, select, success_banner, textarea, Input};
use crate::shell::picker::{self, picker, PickKind, Picked};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::uk_time;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::{
    access::{Action, Compartment},
    error::FieldError,
    retention::{HoldScope, RecordClass},
};
use hearth_gate::retention::{certificates_csv, HoldInput, Sweep};
use hearth_gate::{Gate, GateError};
use maud::{html, Markup};
use serde::Deserialize;

/// Months of upcoming disposals shown.
const MONTHS_AHEAD: i8 = 12;

fn class_label(c: &str) -> &str {
    RecordClass::parse(c).map(RecordClass::label).unwrap_or(c)
}

fn covers(h: &hearth_domain::retention::LegalHold) -> Markup {
    html! {
        @match h.scope {
            HoldScope::Person => { a class="govuk-link" href={ "/people/" (h.person_id.unwrap_or_default()) } { "Their record" } }
            HoldScope::Case => { a class="govuk-link" href={ "/cases/" (h.case_id.unwrap_or_default()) } { "The case" } }
            HoldScope::RecordClass => { "All " (class_label(h.record_class.as_deref().unwrap_or("")).to_lowercase()) }
        }
    }
}

fn th(text: &str) -> Markup {
    html! { th scope="col" class="govuk-table__header" { (text) } }
}

fn hold_form(s: &UiSession, f: &HoldForm, errors: &[FieldError]) -> Markup {
    let classes: Vec<(&str, &str)> =
        std::iter::once(("", "Choose a record class")).chain(RecordClass::ALL.iter().map(|c| (c.as_str(), c.label()))).collect();
    let scopes = [
        ("person", "A person's records", Some(picker("person_id", "Whose records", PickKind::Person, &f.person, errors))),
        ("case", "A case", Some(picker("case_id", "Which case", PickKind::Case, &f.case, errors))),
        ("record_class", "A whole record class", Some(select("record_class", "Record class", &classes, &f.record_class, errors))),
    ];
    html! {
        form method="post" action="/retention/holds" novalidate {
            (csrf_field(&s.csrf))
            (conditional_radios("scope", "What does the hold cover?", &scopes, &f.scope, errors))
            (textarea("reason", "reason", "Why must disposal wait?", &f.reason, errors))
            (Input::text("owner", "Owner's username", &f.owner).hint("Who releases it. Leave blank for yourself.").width("20").no_spellcheck().render(errors))
            button type="submit" class="govuk-button" data-module="govuk-button" { "Place the hold" }
        }
    }
}

async fn retention_page(
    gate: &Gate,
    s: &UiSession,
    status: StatusCode,
    banner: Option<&str>,
    form: &HoldForm,
    errors: &[FieldError],
) -> Response {
    let today = Gate::today();
    let loaded = async {
        Ok::<_, GateError>((
            gate.upcoming_disposals(&s.actor, today, MONTHS_AHEAD).await?,
            gate.legal_holds(&s.actor).await?,
            gate.retention_runs(&s.actor, 20).await?,
            gate.certificates(&s.actor, None, false).await?,
        ))
    }
    .await;
    let (upcoming, holds, runs, certificates) = match loaded {
        Ok(v) => v,
        Err(e) => return error_page(s, e),
    };
    let may_hold = gate.may(&s.actor, Action::Create, Compartment::Rights);
    let title = "Retention and disposal";
    respond(
        status,
        page(
            title,
            &chrome(s),
            !errors.is_empty(),
            html! {
                @if let Some(b) = banner { (success_banner(b)) }
                (error_summary(errors))
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" {
                    "Records are disposed of by the retention schedule when their period has run, unless a legal hold keeps them. "
                    "Every run leaves a disposal certificate that holds no personal data."
                }

                h2 class="govuk-heading-m" id="upcoming" { "Upcoming disposals" }
                @if upcoming.is_empty() {
                    p class="govuk-body" { "Nothing falls due in the next " (MONTHS_AHEAD) " months." }
                } @else {
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-visually-hidden" { "Records falling due, by month" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" { (th("Month")) (th("Record class")) (th("Records")) } }
                        tbody class="govuk-table__body" {
                            @for u in &upcoming {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { (u.month) }
                                    td class="govuk-table__cell" { (u.class.label()) }
                                    td class="govuk-table__cell govuk-table__cell--numeric" { (u.count) }
                                }
                            }
                        }
                    }
                    p class="govuk-hint" { "Records already due count in this month. Held records are included until the hold is released." }
                }

                h2 class="govuk-heading-m" id="holds" { "Legal holds" }
                @if holds.is_empty() {
                    p class="govuk-body" { "No legal holds are in force." }
                } @else {
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-visually-hidden" { "Legal holds in force" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            (th("Hold")) (th("Covers")) (th("Reason")) (th("Owner")) (th("Placed")) @if may_hold { (th("Release")) }
                        } }
                        tbody class="govuk-table__body" {
                            @for h in &holds {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { (h.id) }
                                    td class="govuk-table__cell" { (covers(h)) }
                                    td class="govuk-table__cell" { (h.reason) }
                                    td class="govuk-table__cell" { (h.owner) }
                                    td class="govuk-table__cell" { time datetime=(h.placed_at) { (uk_time(h.placed_at)) } }
                                    @if may_hold {
                                        td class="govuk-table__cell" {
                                            form method="post" action={ "/retention/holds/" (h.id) "/release" } {
                                                (csrf_field(&s.csrf))
                                                button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" {
                                                    "Release" span class="govuk-visually-hidden" { " hold " (h.id) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if may_hold {
                    details class="govuk-details" open[!errors.is_empty()] {
                        summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Place a legal hold" } }
                        div class="govuk-details__text" { (hold_form(s, form, errors)) }
                    }
                }

                h2 class="govuk-heading-m" id="runs" { "Last runs" }
                @if runs.is_empty() {
                    p class="govuk-body" { "The retention schedule has not been run yet." }
                } @else {
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-visually-hidden" { "Recent retention runs" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            (th("Run")) (th("As of")) (th("Started")) (th("Started by")) (th("Operator")) (th("Status")) (th("Disposed")) (th("Held"))
                        } }
                        tbody class="govuk-table__body" {
                            @for r in &runs {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { (r.id) }
                                    td class="govuk-table__cell" { (r.as_of) }
                                    td class="govuk-table__cell" {
                                        @match r.started_at.parse::<jiff::Timestamp>() { Ok(t) => (uk_time(t)), Err(_) => (r.started_at) }
                                    }
                                    td class="govuk-table__cell" { @if r.started_by == "schedule" { "Schedule" } @else { "Command" } }
                                    td class="govuk-table__cell" { (r.operator) }
                                    td class="govuk-table__cell" { (r.status) @if let Some(f) = &r.failure { ": " (f) } }
                                    td class="govuk-table__cell govuk-table__cell--numeric" { (r.disposed) }
                                    td class="govuk-table__cell govuk-table__cell--numeric" { (r.held) }
                                }
                            }
                        }
                    }
                }

                h2 class="govuk-heading-m" id="not-disposed" { "What the runs could not dispose of" }
                @let left: Vec<_> = certificates.iter().filter(|c| !c.not_disposed.is_empty()).collect();
                @let unswept: Vec<_> = gate.register().entries().filter(|e| e.retention.cutoff(today).is_some() && Sweep::of(e.class).is_none()).collect();
                @if left.is_empty() && unswept.is_empty() {
                    p class="govuk-body" { "Every run disposed of everything due." }
                } @else {
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-visually-hidden" { "Records due but not disposed of, and why" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" { (th("Run")) (th("Record class")) (th("Why not")) } }
                        tbody class="govuk-table__body" {
                            @for c in &left {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { (c.run_id) }
                                    td class="govuk-table__cell" { (class_label(&c.record_class)) }
                                    td class="govuk-table__cell" { (c.not_disposed) }
                                }
                            }
                            @for e in &unswept {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { "Every run" }
                                    td class="govuk-table__cell" { (e.class.label()) }
                                    td class="govuk-table__cell" { "No rule applied by this version: Hearth holds no such records, or cannot dispose of them yet" }
                                }
                            }
                        }
                    }
                }

                h2 class="govuk-heading-m" id="certificates" { "Disposal certificates" }
                p class="govuk-body" { a class="govuk-link" href="/retention/certificates.csv" download { "Download all certificates (CSV)" } }
                @if certificates.is_empty() {
                    p class="govuk-body" { "No certificates yet." }
                } @else {
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-visually-hidden" { "Disposal certificates, newest first" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            (th("Certificate")) (th("Run")) (th("Record class")) (th("Rule")) (th("Disposed")) (th("Held")) (th("Waiting")) (th("Ids")) (th("SHA-256 of ids"))
                        } }
                        tbody class="govuk-table__body" {
                            @for c in &certificates {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { (c.id) }
                                    td class="govuk-table__cell" { (c.run_id) }
                                    td class="govuk-table__cell" { (class_label(&c.record_class)) }
                                    td class="govuk-table__cell" { (c.rule) " (due on or before " (c.cutoff) ")" }
                                    td class="govuk-table__cell govuk-table__cell--numeric" { (c.disposed) }
                                    td class="govuk-table__cell govuk-table__cell--numeric" { (c.held) }
                                    td class="govuk-table__cell govuk-table__cell--numeric" { (c.waiting) }
                                    td class="govuk-table__cell" {
                                        @match (c.first_id, c.last_id) { (Some(a), Some(b)) => { (a) "–" (b) }, _ => "none" }
                                    }
                                    td class="govuk-table__cell" { code { (c.ids_sha256.get(..16).unwrap_or(&c.ids_sha256)) "…" } }
                                }
                            }
                        }
                    }
                }

                h2 class="govuk-heading-m" id="schedule" { "The schedule" }
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-visually-hidden" { "Retention rule for each record class" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" { (th("Record class")) (th("Rule")) (th("Applied")) } }
                    tbody class="govuk-table__body" {
                        @for e in gate.register().entries() {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { (e.class.label()) }
                                td class="govuk-table__cell" { (e.retention.describe()) }
                                td class="govuk-table__cell" {
                                    @if e.retention.cutoff(today).is_none() { "Kept" }
                                    @else if Sweep::of(e.class).is_some() { "By each run" }
                                    @else { "Not yet: no disposal for this class in this version" }
                                }
                            }
                        }
                    }
                }
            },
        ),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RetentionDone {
    done: Option<String>,
}

pub async fn retention(State(st): State<AppState>, session: UiSession, Query(q): Query<RetentionDone>) -> Response {
    let banner = match q.done.as_deref() {
        Some("held") => Some("Legal hold placed"),
        Some("released") => Some("Legal hold released"),
        _ => None,
    };
    retention_page(&st.gate, &session, StatusCode::OK, banner, &HoldForm::default(), &[]).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HoldForm {
    _csrf: String,
    _pick: String,
    scope: String,
    person_id: String,
    person_id_q: String,
    case_id: String,
    case_id_q: String,
    /// The pickers as looked up for this page; never posted.
    #[serde(skip)]
    person: Picked,
    #[serde(skip)]
    case: Picked,
    record_class: String,
    reason: String,
    owner: String,
}

pub async fn place_hold(State(st): State<AppState>, Posted(session, mut f): Posted<HoldForm>) -> Response {
    // "Find" or "Change" on a picker: the page again, nothing written.
    let asked = picker::pick_request(&f._pick).map(|(field, change)| (field.to_string(), change));
    match &asked {
        Some((field, true)) if field == "person_id" => f.person_id.clear(),
        Some((field, true)) if field == "case_id" => f.case_id.clear(),
        _ => {}
    }
    let looked_up = async {
        Ok::<_, GateError>((
            picker::resolve(&st.gate, &session.actor, PickKind::Person, &f.person_id, &f.person_id_q).await?,
            picker::resolve(&st.gate, &session.actor, PickKind::Case, &f.case_id, &f.case_id_q).await?,
        ))
    };
    (f.person, f.case) = match looked_up.await {
        Ok(p) => p,
        Err(e) => return error_page(&session, e),
    };
    if asked.is_some() {
        return retention_page(&st.gate, &session, StatusCode::OK, None, &f, &[]).await;
    }
    let errors = match f.scope.as_str() {
        "person" => picker::unchosen(&[("person_id", &f.person)]),
        "case" => picker::unchosen(&[("case_id", &f.case)]),
        _ => vec![],
    };
    let input = HoldInput {
        scope: f.scope.clone(),
        person_id: if f.scope == "person" { f.person.id() } else { None },
        case_id: if f.scope == "case" { f.case.id() } else { None },
        record_class: (f.scope == "record_class" && !f.record_class.is_empty()).then(|| f.record_class.clone()),
        reason: f.reason.clone(),
        owner: Some(f.owner.clone()),
    };
    let result = if errors.is_empty() {
        st.gate.place_hold(&session.actor, &input).await
    } else {
        Err(GateError::Invalid(hearth_domain::error::ValidationErrors(errors)))
    };
    match result {
        Ok(_) => Redirect::to("/retention?done=held#holds").into_response(),
        Err(GateError::Invalid(v)) => retention_page(&st.gate, &session, StatusCode::UNPROCESSABLE_ENTITY, None, &f, &v.0).await,
        Err(e) => error_page(&session, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReleaseForm {
    _csrf: String,
}

pub async fn release_hold(State(st): State<AppState>, Path(id): Path<i64>, Posted(session, _f): Posted<ReleaseForm>) -> Response {
    match st.gate.release_hold(&session.actor, id).await {
        Ok(_) => Redirect::to("/retention?done=released#holds").into_response(),
        Err(GateError::Invalid(v)) => retention_page(&st.gate, &session, StatusCode::CONFLICT, None, &HoldForm::default(), &v.0).await,
        Err(e) => error_page(&session, e),
    }
}

/// Every certificate as CSV (an export, audited as one).
pub async fn certificates_download(State(st): State<AppState>, session: UiSession) -> Response {
    match st.gate.certificates(&session.actor, None, true).await {
        Ok(list) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"disposal-certificates.csv\""),
            ],
            certificates_csv(&list),
        )
            .into_response(),
        Err(e) => error_page(&session, e),
    }
}

crate::shell::session::csrf_forms!(HoldForm, ReleaseForm);
