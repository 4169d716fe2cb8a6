//! Pickers: how a form chooses a person, a property or a case without
//! asking for its internal number.
//!
//! Without JavaScript a picker is a search box with a "Find" button that
//! posts the whole form back; the page comes back with what was typed kept
//! and the matches as radios. Once chosen, the record is shown by name with
//! a "Change" button and travels as a hidden field. With JavaScript the box
//! also offers matches as you type (`/pick/{kind}`, read through the gate
//! like any search). Every lookup is the gate's, so a picker shows only
//! what the person using it may see.

use crate::shell::layout::error_for;
use crate::shell::words::long_date;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hearth_domain::error::FieldError;
use hearth_domain::Id;
use hearth_gate::{Actor, Gate, GateError};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};

/// How many matches a picker offers; more means the search should be narrower.
const MATCHES: i64 = 10;

/// What a picker chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickKind {
    Person,
    Property,
    Case,
}

impl PickKind {
    fn noun(self) -> &'static str {
        match self {
            PickKind::Person => "person",
            PickKind::Property => "property",
            PickKind::Case => "case",
        }
    }

    fn path(self) -> &'static str {
        match self {
            PickKind::Person => "people",
            PickKind::Property => "properties",
            PickKind::Case => "cases",
        }
    }

    fn from_path(p: &str) -> Option<Self> {
        [PickKind::Person, PickKind::Property, PickKind::Case].into_iter().find(|k| k.path() == p)
    }

    /// What the search box says it searches by.
    pub fn search_hint(self) -> &'static str {
        match self {
            PickKind::Person => "Search by name, date of birth, postcode or tenancy reference, then choose from the list.",
            PickKind::Property => "Search by postcode, first line of the address or UPRN, then choose from the list.",
            PickKind::Case => "Search by case reference, then choose from the list.",
        }
    }
}

/// One record a picker can offer: its number (only ever a form value), the
/// words that name it and a line that tells look-alikes apart.
#[derive(Clone, Debug, Serialize)]
pub struct Choice {
    pub id: Id,
    pub label: String,
    pub detail: String,
}

/// A picker's state on a page: the record chosen, or what was typed and
/// what it found.
#[derive(Clone, Debug, Default)]
pub struct Picked {
    pub chosen: Option<Choice>,
    pub query: String,
    /// `Some` once a search has run, even if it found nothing.
    pub matches: Option<Vec<Choice>>,
}

impl Picked {
    pub fn id(&self) -> Option<Id> {
        self.chosen.as_ref().map(|c| c.id)
    }

    /// Something was typed but nothing chosen yet.
    pub fn pending(&self) -> bool {
        self.chosen.is_none() && !self.query.trim().is_empty()
    }
}

/// What a form's "Find" or "Change" button asked for: `_pick=field` searches,
/// `_pick=field:change` lets go of the chosen record.
pub fn pick_request(pick: &str) -> Option<(&str, bool)> {
    let pick = pick.trim();
    if pick.is_empty() {
        return None;
    }
    Some(match pick.strip_suffix(":change") {
        Some(field) => (field, true),
        None => (pick, false),
    })
}

/// Looks up what a picker's two form values stand for. A chosen number the
/// gate will not show (or that does not exist) is dropped, not named.
pub async fn resolve(gate: &Gate, actor: &Actor, kind: PickKind, chosen: &str, query: &str) -> Result<Picked, GateError> {
    let query = query.trim().to_string();
    if let Ok(id) = chosen.trim().parse::<Id>() {
        match describe(gate, actor, kind, id).await {
            Ok(c) => return Ok(Picked { chosen: Some(c), query, matches: None }),
            Err(GateError::NotFound | GateError::Denied { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let matches = if query.is_empty() { None } else { Some(find(gate, actor, kind, &query).await?) };
    Ok(Picked { chosen: None, query, matches })
}

/// Errors for pickers where something was typed and nothing chosen, when the
/// form was sent rather than a search asked for.
pub fn unchosen(pickers: &[(&str, &Picked)]) -> Vec<FieldError> {
    pickers
        .iter()
        .filter(|(_, p)| p.pending())
        .map(|(field, p)| {
            let what = if p.matches.as_ref().is_some_and(|m| !m.is_empty()) {
                "Choose one of the matches"
            } else {
                "Nothing matched: search again"
            };
            FieldError::new(*field, what)
        })
        .collect()
}

async fn describe(gate: &Gate, actor: &Actor, kind: PickKind, id: Id) -> Result<Choice, GateError> {
    Ok(match kind {
        PickKind::Person => person_choice(&gate.person(actor, id).await?),
        PickKind::Property => property_choice(&gate.property(actor, id).await?),
        PickKind::Case => case_choice(&gate.case(actor, id).await?.case),
    })
}

async fn find(gate: &Gate, actor: &Actor, kind: PickKind, query: &str) -> Result<Vec<Choice>, GateError> {
    Ok(match kind {
        PickKind::Person => {
            let filter = match hearth_gate::people::parse_search(query) {
                Ok(f) => f,
                Err(GateError::Invalid(_)) => return Ok(vec![]),
                Err(e) => return Err(e),
            };
            if !filter.is_search() {
                return Ok(vec![]);
            }
            gate.search_people(actor, &filter, None, Some(MATCHES)).await?.items.iter().map(match_choice).collect()
        }
        PickKind::Property => gate.find_properties(actor, query, MATCHES).await?.iter().map(property_choice).collect(),
        PickKind::Case => gate.find_cases(actor, query, MATCHES).await?.iter().map(case_choice).collect(),
    })
}

fn person_choice(p: &hearth_domain::people::Person) -> Choice {
    let mut detail = vec![p.kind.label().to_string()];
    if let Some(d) = p.date_of_birth {
        detail.push(format!("born {}", long_date(d)));
    }
    if let Some(pn) = p.preferred_name.as_deref().filter(|n| !n.is_empty()) {
        detail.push(format!("known as {pn}"));
    }
    Choice { id: p.id, label: p.full_name(), detail: detail.join(", ") }
}

/// A search match: the person, and their home as far as the gate showed it,
/// so look-alikes can be told apart.
fn match_choice(m: &hearth_gate::people::PersonMatch) -> Choice {
    let mut c = person_choice(&m.person);
    let mut detail = vec![c.detail];
    if let Some(r) = m.role {
        detail.push(r.label().to_lowercase());
    }
    let home = [m.address.as_deref(), m.postcode.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ");
    if !home.is_empty() {
        detail.push(if m.current_home == Some(false) { format!("formerly {home}") } else { home });
    }
    c.detail = detail.join(", ");
    c
}

fn property_choice(p: &hearth_domain::property::Property) -> Choice {
    Choice { id: p.id, label: p.address(), detail: format!("UPRN {}", p.uprn) }
}

fn case_choice(c: &hearth_domain::cases::Case) -> Choice {
    Choice {
        id: c.id,
        label: format!("{}: {}", c.reference, c.summary),
        detail: format!("{}, {}", c.kind.label(), c.status.label().to_lowercase()),
    }
}

/// The picker on a form. `field` carries the chosen record; `{field}_q` the
/// search text. The element with id `field` is what an error links to.
pub fn picker(field: &str, label: &str, kind: PickKind, p: &Picked, errors: &[FieldError]) -> Markup {
    let error = error_for(errors, field);
    let query_name = format!("{field}_q");
    let noun = kind.noun();
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            @if let Some(c) = &p.chosen {
                fieldset class="govuk-fieldset" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (label) }
                    @if let Some(e) = error {
                        p id={ (field) "-error" } class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (e) }
                    }
                    p class="govuk-body govuk-!-margin-bottom-1" { strong { (c.label) } }
                    p class="govuk-hint" { (c.detail) }
                    input type="hidden" name=(field) value=(c.id);
                    input type="hidden" name=(query_name) value=(p.query);
                    button type="submit" id=(field) name="_pick" value={ (field) ":change" } formnovalidate
                        class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" {
                        "Change" span class="govuk-visually-hidden" { " " (noun) }
                    }
                }
            } @else {
                label class="govuk-label govuk-label--s" for=(field) { (label) }
                div id={ (field) "-hint" } class="govuk-hint" { (kind.search_hint()) }
                @if let Some(e) = error {
                    p id={ (field) "-error" } class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (e) }
                }
                div class="hearth-picker" data-pick=(kind.path()) data-field=(field) {
                    input class={ "govuk-input govuk-input--width-20" @if error.is_some() { " govuk-input--error" } }
                        id=(field) name=(query_name) type="search" value=(p.query) autocomplete="off" spellcheck="false"
                        aria-describedby={ (field) "-hint" @if error.is_some() { " " (field) "-error" } };
                    " "
                    button type="submit" name="_pick" value=(field) formnovalidate
                        class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" {
                        "Find" span class="govuk-visually-hidden" { " the " (noun) }
                    }
                }
                @if let Some(matches) = &p.matches {
                    @if matches.is_empty() {
                        p class="govuk-body govuk-!-margin-top-2" { "Nothing matched “" (p.query) "”. Check the spelling or search another way." }
                    } @else {
                        fieldset class="govuk-fieldset govuk-!-margin-top-4" {
                            legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Matches: choose one" }
                            div class="govuk-radios govuk-radios--small" data-module="govuk-radios" {
                                @for (i, c) in matches.iter().enumerate() {
                                    @let id = format!("{field}-match-{i}");
                                    div class="govuk-radios__item" {
                                        input class="govuk-radios__input" id=(id) name=(field) type="radio" value=(c.id)
                                            aria-describedby={ (id) "-hint" };
                                        label class="govuk-label govuk-radios__label" for=(id) { (c.label) }
                                        div id={ (id) "-hint" } class="govuk-hint govuk-radios__hint" { (c.detail) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A picker for several people (those a disclosure is about): the chosen
/// ones listed by name, each with "Remove", and a picker to add one more.
#[derive(Clone, Debug, Default)]
pub struct ManyPicked {
    pub chosen: Vec<Choice>,
    pub adding: Picked,
}

impl ManyPicked {
    pub fn ids(&self) -> Vec<Id> {
        self.chosen.iter().map(|c| c.id).collect()
    }
}

/// Looks up a many-picker's form values: `chosen` the comma-separated
/// numbers already chosen, `add` a match just chosen and `add_q` the search
/// typed; `pick` is the button pressed (`{field}:remove:{n}` lets one go).
/// Numbers the gate will not show are dropped, not named.
pub async fn resolve_many(
    gate: &Gate,
    actor: &Actor,
    field: &str,
    chosen: &str,
    add: &str,
    add_q: &str,
    pick: &str,
) -> Result<ManyPicked, GateError> {
    let removed: Option<Id> = pick.strip_prefix(field).and_then(|r| r.strip_prefix(":remove:")).and_then(|n| n.parse().ok());
    let mut ids: Vec<Id> = chosen.split(',').filter_map(|n| n.trim().parse().ok()).collect();
    let added: Option<Id> = add.trim().parse().ok();
    ids.extend(added);
    let mut out = ManyPicked::default();
    for id in ids {
        if Some(id) == removed || out.chosen.iter().any(|c| c.id == id) {
            continue;
        }
        match describe(gate, actor, PickKind::Person, id).await {
            Ok(c) => out.chosen.push(c),
            Err(GateError::NotFound | GateError::Denied { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    // A match just added clears the search; otherwise the search stands.
    out.adding = if added.is_some() { Picked::default() } else { resolve(gate, actor, PickKind::Person, "", add_q).await? };
    Ok(out)
}

/// The many-picker on a form: `field` carries the chosen numbers (hidden,
/// comma-separated), `{field}_add` and `{field}_add_q` the one being added.
pub fn many_picker(field: &str, legend: &str, p: &ManyPicked, errors: &[FieldError]) -> Markup {
    let error = error_for(errors, field);
    let csv = p.ids().iter().map(Id::to_string).collect::<Vec<_>>().join(",");
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            fieldset class="govuk-fieldset" id=(field) tabindex="-1" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (legend) }
                @if let Some(e) = error {
                    p id={ (field) "-error" } class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (e) }
                }
                input type="hidden" name=(field) value=(csv);
                @if p.chosen.is_empty() {
                    p class="govuk-body" { "Nobody chosen yet." }
                } @else {
                    ul class="govuk-list" {
                        @for c in &p.chosen {
                            li {
                                strong { (c.label) } " " span class="govuk-hint govuk-!-display-inline" { (c.detail) } " "
                                button type="submit" name="_pick" value={ (field) ":remove:" (c.id) } formnovalidate
                                    class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" {
                                    "Remove" span class="govuk-visually-hidden" { " " (c.label) }
                                }
                            }
                        }
                    }
                }
                (picker(&format!("{field}_add"), "Add a person", PickKind::Person, &p.adding, errors))
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PickQuery {
    q: String,
}

/// `GET /pick/{kind}?q=`: the matches a picker offers as you type, as JSON,
/// for the signed-in member of staff and through the gate like any search.
pub async fn matches(
    State(s): State<AppState>,
    session: crate::shell::session::UiSession,
    Path(kind): Path<String>,
    Query(q): Query<PickQuery>,
) -> Response {
    let Some(kind) = PickKind::from_path(&kind) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let q = q.q.trim();
    if q.chars().count() < 2 {
        return Json(Vec::<Choice>::new()).into_response();
    }
    match find(&s.gate, &session.actor, kind, q).await {
        Ok(found) => Json(found).into_response(),
        Err(GateError::Denied { .. }) => StatusCode::FORBIDDEN.into_response(),
        Err(GateError::Invalid(_)) => Json(Vec::<Choice>::new()).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_and_change_buttons_name_their_field() {
        assert_eq!(pick_request("party0_person_id"), Some(("party0_person_id", false)));
        assert_eq!(pick_request("party0_person_id:change"), Some(("party0_person_id", true)));
        assert_eq!(pick_request(""), None);
    }

    #[test]
    fn typed_but_unchosen_is_an_error_on_the_picker() {
        let typed = Picked { query: "Mossfield".into(), matches: Some(vec![]), ..Default::default() };
        let chosen = Picked { chosen: Some(Choice { id: 3, label: "x".into(), detail: "y".into() }), query: "x".into(), matches: None };
        let errors = unchosen(&[("a", &typed), ("b", &chosen), ("c", &Picked::default())]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "a");
        assert!(errors[0].message.contains("search again"));
    }

    #[test]
    fn a_chosen_record_travels_hidden_and_is_shown_by_name() {
        let p = Picked { chosen: Some(Choice { id: 17, label: "Ada Quill".into(), detail: "Adult".into() }), ..Default::default() };
        let html = picker("person_id", "Who it is about", PickKind::Person, &p, &[]).into_string();
        assert!(html.contains(r#"type="hidden" name="person_id" value="17""#), "{html}");
        assert!(html.contains("Ada Quill"));
        assert!(!html.contains(r#"type="text" name="person_id""#));
    }
}
