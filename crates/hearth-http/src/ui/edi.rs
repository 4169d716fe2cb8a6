//! Equality monitoring pages (seed 002): the front line's write-only capture
//! form, which confirms "recorded" and never shows answers back, and the
//! equality analyst's dashboards: coverage and service equity, each an SVG
//! chart beside its data table, after disclosure control, with CSV exports.
//! The gate decides who may do either and seals the answers; this module
//! only renders and posts.

use crate::shell::charts::{bar_chart, BarValue};
use crate::shell::layout::{csrf_field, date_input, error_summary, page, select, success_banner, Input};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::form_date;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hearth_domain::edi as v;
use hearth_domain::edi::{DisclosureControl, Measure, OutcomeMeasure};
use hearth_domain::{
    access::{Action, Compartment},
    edi::{Answer, Cell, Characteristic, EdiAnswers, EdiSource},
    error::FieldError,
};
use hearth_gate::edi::{measure_text, EdiCoverage, EdiInput, ServiceEquity, EDI_DISABLED};
use hearth_gate::GateError;
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize, Default)]
pub struct EdiForm {
    #[serde(default)]
    _csrf: String,
    /// Every other field by name: one select per question, "other" texts, source and dates.
    #[serde(flatten)]
    fields: BTreeMap<String, String>,
}

crate::shell::session::csrf_forms!(EdiForm);

const NOT_ASKED: &str = "";
const PREFER_NOT: &str = "prefer_not_to_say";

/// The questions on the form, with their options and whether "other" takes a description.
fn questions() -> Vec<(Characteristic, Vec<(&'static str, &'static str)>)> {
    fn opts<T: Copy>(all: &[T], f: impl Fn(T) -> (&'static str, &'static str)) -> Vec<(&'static str, &'static str)> {
        all.iter().map(|x| f(*x)).collect()
    }
    vec![
        (Characteristic::Sex, opts(v::Sex::ALL, |x| (x.as_str(), x.label()))),
        (Characteristic::GenderIdentity, opts(v::GenderIdentity::ALL, |x| (x.as_str(), x.label()))),
        (Characteristic::Ethnicity, opts(v::Ethnicity::ALL, |x| (x.as_str(), x.label()))),
        (Characteristic::Religion, opts(v::Religion::ALL, |x| (x.as_str(), x.label()))),
        (Characteristic::SexualOrientation, opts(v::SexualOrientation::ALL, |x| (x.as_str(), x.label()))),
        (Characteristic::MaritalStatus, opts(v::MaritalStatus::ALL, |x| (x.as_str(), x.label()))),
        (Characteristic::PregnancyMaternity, opts(v::PregnancyMaternity::ALL, |x| (x.as_str(), x.label()))),
        (Characteristic::Disability, opts(v::Disability::ALL, |x| (x.as_str(), x.label()))),
        (Characteristic::FirstLanguage, opts(v::FirstLanguage::ALL, |x| (x.as_str(), x.label()))),
        (Characteristic::Caring, opts(v::Caring::ALL, |x| (x.as_str(), x.label()))),
        (Characteristic::ArmedForces, opts(v::ArmedForces::ALL, |x| (x.as_str(), x.label()))),
    ]
}

fn has_other(options: &[(&str, &str)]) -> bool {
    options.iter().any(|(v, _)| *v == "other")
}

impl EdiForm {
    fn get(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    fn answer(&self, c: Characteristic) -> Answer {
        match self.get(c.as_str()) {
            NOT_ASKED => Answer::NotAsked,
            PREFER_NOT => Answer::PreferNotToSay,
            value => {
                let other = (value == "other").then(|| self.get(&format!("{}_other", c.as_str())).to_string());
                Answer::Recorded { value: value.to_string(), other }
            }
        }
    }

    fn input(&self) -> Result<EdiInput, Vec<FieldError>> {
        let mut errors = vec![];
        let source = EdiSource::parse(self.get("source"));
        if source.is_none() {
            errors.push(FieldError::new("source", "Select how the answers were given"));
        }
        let typed = form_date(
            self.get("pregnancy_valid_until_day"),
            self.get("pregnancy_valid_until_month"),
            self.get("pregnancy_valid_until_year"),
        );
        let valid_until = match typed {
            None => None,
            Some(d) => match d.parse() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new("pregnancy_valid_until", "Enter a real date, for example 31 3 2027"));
                    None
                }
            },
        };
        let interpreter_needed = match self.get("interpreter_needed") {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        let answers = EdiAnswers {
            sex: self.answer(Characteristic::Sex),
            gender_identity: self.answer(Characteristic::GenderIdentity),
            ethnicity: self.answer(Characteristic::Ethnicity),
            religion: self.answer(Characteristic::Religion),
            sexual_orientation: self.answer(Characteristic::SexualOrientation),
            marital_status: self.answer(Characteristic::MaritalStatus),
            pregnancy_maternity: self.answer(Characteristic::PregnancyMaternity),
            pregnancy_valid_until: valid_until,
            disability: self.answer(Characteristic::Disability),
            first_language: self.answer(Characteristic::FirstLanguage),
            interpreter_needed,
            caring: self.answer(Characteristic::Caring),
            armed_forces: self.answer(Characteristic::ArmedForces),
        };
        match source {
            Some(source) if errors.is_empty() => Ok(EdiInput { source, recorded_on: None, answers }),
            _ => Err(errors),
        }
    }
}

fn unavailable(session: &UiSession) -> Response {
    let body = html! {
        h1 class="govuk-heading-l" { "Equality monitoring is unavailable" }
        p class="govuk-body" { (EDI_DISABLED) }
    };
    respond(StatusCode::CONFLICT, page("Equality monitoring is unavailable", &chrome(session), false, body))
}

fn refused(session: &UiSession) -> Response {
    let reason = "only front-line staff record equality answers, and nobody reads them back".to_string();
    error_page(
        session,
        GateError::Denied {
            role: session.actor.role.label().into(),
            action: Action::Create,
            compartment: Compartment::Edi,
            advice: Some(reason.clone()),
            reason,
        },
    )
}

fn form_page(session: &UiSession, id: i64, f: &EdiForm, errors: &[FieldError]) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut with_blank = vec![("", "Not asked"), (PREFER_NOT, "Prefer not to say")];
    let body = html! {
        (error_summary(errors))
        h1 class="govuk-heading-l" { "Record equality monitoring answers" }
        p class="govuk-body" {
            "Every question is optional. Choose \u{201c}Prefer not to say\u{201d} only if the person chose not to answer, and leave \u{201c}Not asked\u{201d} if the question was not put. "
            "Once recorded the answers are sealed and are not shown again, here or anywhere else."
        }
        form method="post" action={ "/people/" (id) "/edi" } novalidate {
            (csrf_field(&session.csrf))
            (select("source", "How the answers were given", &[("", "Choose"), ("webform", EdiSource::Webform.label()), ("phone", EdiSource::Phone.label()), ("survey", EdiSource::Survey.label())], f.get("source"), errors))
            @for (c, options) in questions() {
                @let all = { with_blank.truncate(2); with_blank.extend(options.iter().copied()); with_blank.clone() };
                (select(c.as_str(), c.label(), &all, f.get(c.as_str()), errors))
                @if has_other(&options) {
                    @let name = format!("{}_other", c.as_str());
                    (Input::text(&name, "If other, describe it (optional otherwise)", f.get(&name)).render(errors))
                }
                @if c == Characteristic::PregnancyMaternity {
                    (date_input("pregnancy_valid_until", "If pregnant or on maternity, until when the answer holds", "For example, 31 3 2027 or 31/3/2027", (f.get("pregnancy_valid_until_day"), f.get("pregnancy_valid_until_month"), f.get("pregnancy_valid_until_year")), errors))
                }
                @if c == Characteristic::FirstLanguage {
                    (select("interpreter_needed", "Needs an interpreter", &[("", "Not asked"), ("yes", "Yes"), ("no", "No")], f.get("interpreter_needed"), errors))
                }
            }
            button type="submit" class="govuk-button" data-module="govuk-button" { "Record the answers" }
        }
    };
    respond(status, page("Record equality monitoring answers", &chrome(session), !errors.is_empty(), body))
}

/// The capture form, for roles that may record equality answers.
pub async fn new_form(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>) -> Response {
    if !s.gate.may(&session.actor, Action::Create, Compartment::Edi) {
        return refused(&session);
    }
    if !s.gate.edi_enabled() {
        return unavailable(&session);
    }
    form_page(&session, id, &EdiForm::default(), &[])
}

/// Records the answers; the confirmation repeats none of them.
pub async fn record(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<EdiForm>) -> Response {
    let input = match f.input() {
        Ok(i) => i,
        Err(errors) => return form_page(&session, id, &f, &errors),
    };
    match s.gate.record_edi(&session.actor, id, &input).await {
        Ok(_) => {
            let body = html! {
                (success_banner("Equality monitoring answers recorded"))
                p class="govuk-body" { "The answers are sealed and will not be shown again." }
                p class="govuk-body" { a class="govuk-link" href={ "/people/" (id) } { "Back to the person" } }
            };
            respond(StatusCode::OK, page("Equality monitoring answers recorded", &chrome(&session), false, body))
        }
        Err(GateError::Invalid(v)) => form_page(&session, id, &f, &v.0),
        Err(GateError::EdiDisabled(_)) => unavailable(&session),
        Err(e) => error_page(&session, e),
    }
}

fn cell(c: Cell) -> Markup {
    match c {
        Cell::Shown(n) => html! { (n) },
        Cell::Suppressed => html! { abbr title="Suppressed: too few to show safely" { "[c]" } },
    }
}

fn measure(m: Measure) -> Markup {
    match m {
        Measure::Shown(_) => html! { (measure_text(m)) },
        Measure::Suppressed => html! { abbr title="Suppressed: too few to show safely" { "[c]" } },
        Measure::NoData => html! { abbr title="Nothing to measure" { "–" } },
    }
}

fn bar(c: Cell) -> BarValue {
    match c {
        Cell::Shown(n) => BarValue::Value(n as f64),
        Cell::Suppressed => BarValue::Suppressed,
    }
}

/// What the rules are and what "[c]" means, above every table.
fn legend(sdc: &DisclosureControl) -> Markup {
    html! {
        div class="govuk-inset-text" {
            p class="govuk-body" {
                strong { "[c]" } " means suppressed: counts from 1 to " (sdc.suppress_up_to) " are not shown, and neither is anything worked out from them. "
                "Other counts are rounded to the nearest " (sdc.round_to) ", and where one count alone would be hidden a second is hidden too, so it cannot be worked out from the total. "
                "Suppressed values have no bar in the charts."
            }
        }
    }
}

fn report_error(session: &UiSession, e: GateError) -> Response {
    match e {
        GateError::EdiDisabled(_) => unavailable(session),
        e => error_page(session, e),
    }
}

/// The coverage report for equality analysts.
pub async fn coverage(State(s): State<AppState>, session: UiSession) -> Response {
    let report: EdiCoverage = match s.gate.edi_coverage(&session.actor).await {
        Ok(r) => r,
        Err(e) => return report_error(&session, e),
    };
    let sdc = report.disclosure_control;
    let rows: Vec<(String, Vec<BarValue>)> =
        report.rows.iter().map(|r| (r.label.to_string(), vec![bar(r.recorded), bar(r.prefer_not_to_say), bar(r.not_asked)])).collect();
    let body = html! {
        h1 class="govuk-heading-l" { "Equality monitoring coverage" }
        p class="govuk-body" {
            "For each characteristic, how many people's latest answers record it, say they prefer not to say, or were not asked."
        }
        (legend(&sdc))
        p class="govuk-body" {
            a class="govuk-link" href="/edi/coverage.csv" download { "Download this table as CSV" }
            " · "
            a class="govuk-link" href="/edi/equity" { "Service equity" }
        }
        figure class="hearth-figure" {
            (bar_chart("coverage-chart", "Equality monitoring coverage by characteristic",
                "Horizontal bars per characteristic for recorded, prefer not to say and not asked, after disclosure control; [c] marks a suppressed count. The same figures are in the table below.",
                &["Recorded", "Prefer not to say", "Not asked"], &rows))
        }
        table class="govuk-table" {
            caption class="govuk-table__caption govuk-table__caption--m" { "Coverage by characteristic" }
            thead class="govuk-table__head" {
                tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Characteristic" }
                    th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Recorded" }
                    th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Prefer not to say" }
                    th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Not asked" }
                    th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Total" }
                }
            }
            tbody class="govuk-table__body" {
                @for r in &report.rows {
                    tr class="govuk-table__row" id={ "row-" (r.characteristic.as_str()) } {
                        th scope="row" class="govuk-table__header" { (r.label) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (cell(r.recorded)) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (cell(r.prefer_not_to_say)) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (cell(r.not_asked)) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (cell(r.total)) }
                    }
                }
            }
        }
    };
    respond(StatusCode::OK, page("Equality monitoring coverage", &chrome(&session), false, body))
}

/// The coverage table as CSV, as published.
pub async fn coverage_csv(State(s): State<AppState>, session: UiSession) -> Response {
    match s.gate.edi_coverage(&session.actor).await {
        Ok(r) => crate::export::csv_download(r.to_csv(), "equality-coverage.csv"),
        Err(e) => report_error(&session, e),
    }
}

/// The service-equity dashboard for equality analysts.
pub async fn equity(State(s): State<AppState>, session: UiSession) -> Response {
    let report: ServiceEquity = match s.gate.edi_equity(&session.actor).await {
        Ok(r) => r,
        Err(e) => return report_error(&session, e),
    };
    let sdc = report.disclosure_control;
    let body = html! {
        h1 class="govuk-heading-l" { "Service equity" }
        p class="govuk-body" {
            "For each characteristic, how many people are in each group and how the service has worked for them: "
            "contacts and cases per person, the mean days to complete a repair, the share of decided complaints upheld or partly upheld, "
            "and the share with a recorded need. Each person counts once, by their latest answers."
        }
        (legend(&sdc))
        p class="govuk-body" {
            "A group whose count is suppressed has all its measures suppressed, and a measure resting on " (sdc.suppress_up_to)
            " or fewer people, repairs or complaints (or a share whose either part is that small) is suppressed too. There is no drill-down below the groups shown."
        }
        p class="govuk-body" {
            a class="govuk-link" href="/edi/equity.csv" download { "Download every table as CSV" }
            " · "
            a class="govuk-link" href="/edi/coverage" { "Coverage" }
        }
        nav aria-label="Characteristics" {
            ul class="govuk-list" {
                @for t in &report.tables {
                    li { a class="govuk-link" href={ "#equity-" (t.characteristic.as_str()) } { (t.label) } }
                }
            }
        }
        @for t in &report.tables {
            @let key = t.characteristic.as_str();
            section id={ "equity-" (key) } {
                h2 class="govuk-heading-m" { (t.label) }
                @let rows: Vec<(String, Vec<BarValue>)> = t.groups.iter().map(|g| (g.label.clone(), vec![bar(g.people)])).collect();
                figure class="hearth-figure" {
                    (bar_chart(&format!("equity-chart-{key}"), &format!("People in each group: {}", t.label.to_lowercase()),
                        &format!("One bar per group of {}, after disclosure control; [c] marks a suppressed count. The same figures and the outcome measures are in the table below.", t.label.to_lowercase()),
                        &["People"], &rows))
                }
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-table__caption--s" { "Groups and outcome measures: " (t.label.to_lowercase()) }
                    thead class="govuk-table__head" {
                        tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Group" }
                            th scope="col" class="govuk-table__header govuk-table__header--numeric" { "People" }
                            @for m in OutcomeMeasure::ALL {
                                th scope="col" class="govuk-table__header govuk-table__header--numeric" { (m.label()) }
                            }
                        }
                    }
                    tbody class="govuk-table__body" {
                        @for g in &t.groups {
                            tr class="govuk-table__row" id={ "equity-" (key) "-" (g.value) } {
                                th scope="row" class="govuk-table__header" { (g.label) }
                                td class="govuk-table__cell govuk-table__cell--numeric" { (cell(g.people)) }
                                @for (_, m) in g.measures.list() {
                                    td class="govuk-table__cell govuk-table__cell--numeric" { (measure(m)) }
                                }
                            }
                        }
                        tr class="govuk-table__row" {
                            th scope="row" class="govuk-table__header" { "All people" }
                            td class="govuk-table__cell govuk-table__cell--numeric" { (cell(t.total)) }
                            @for _ in OutcomeMeasure::ALL {
                                td class="govuk-table__cell govuk-table__cell--numeric" {}
                            }
                        }
                    }
                }
            }
        }
    };
    respond(StatusCode::OK, page("Service equity", &chrome(&session), false, body))
}

/// Every service-equity table as one CSV, as published.
pub async fn equity_csv(State(s): State<AppState>, session: UiSession) -> Response {
    match s.gate.edi_equity(&session.actor).await {
        Ok(r) => crate::export::csv_download(r.to_csv(), "service-equity.csv"),
        Err(e) => report_error(&session, e),
    }
}
