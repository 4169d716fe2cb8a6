//! Bulk import from a legacy housing system's CSV export: the files
//! described in `docs/import-format.md` (people, tenancies, contacts, needs,
//! warning flags, equality answers), one row per line. Each row is parsed
//! and then validated by the same rules as the API (`PersonInput`,
//! `TenancyInput`, `PropertyInput`, `ContactInput`, `NeedInput`,
//! `WarningFlagInput`, `EdiAnswers`), so a bad row's error names the column
//! at fault.
//!
//! Rows refer to each other by the legacy system's own references
//! (`person_ref`), never by Hearth ids: the caller resolves them.

use crate::{
    contacts::{Channel, ContactFields, ContactInput},
    edi::{Answer, EdiAnswers, EdiSource},
    error::{FieldError, ValidationErrors},
    needs::{NeedFields, NeedInput, ReviewPeriods, WarningFlagFields, WarningFlagInput},
    people::{PersonFields, PersonInput, PersonKind},
    property::{PropertyFields, PropertyInput, TenancyFields, TenancyInput},
    Id,
};
use jiff::civil::Date;
use jiff::Timestamp;

/// Header of `people.csv`, in order.
pub const PEOPLE_HEADER: &[&str] = &["person_ref", "kind", "given_name", "family_name", "preferred_name", "date_of_birth", "ni_number"];

/// Header of `tenancies.csv`, in order.
pub const TENANCY_HEADER: &[&str] = &[
    "tenancy_ref",
    "tenure",
    "start_date",
    "end_date",
    "end_reason",
    "uprn",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "tenants",
    "members",
];

/// Header of `contacts.csv`, in order.
pub const CONTACT_HEADER: &[&str] = &[
    "person_refs",
    "occurred_at",
    "channel",
    "summary",
    "subjects",
    "voicemail_left",
    "appointment_outcome",
    "place",
    "system_generated",
    "service_request",
];

/// Header of `needs.csv`, in order. The review officer is whoever runs the import.
pub const NEEDS_HEADER: &[&str] = &[
    "person_ref",
    "category",
    "detail",
    "source",
    "disclosed_on",
    "disclosure_channel",
    "duration",
    "review_date",
    "preferred_words",
    "consent_to_tailor",
];

/// Header of `flags.csv` (staff-safety warning flags), in order.
pub const FLAGS_HEADER: &[&str] = &[
    "person_ref",
    "category",
    "severity",
    "incident_date",
    "risk_assessment",
    "person_told",
    "person_told_on",
    "not_told_reason",
    "review_date",
    "starts_on",
    "ends_on",
];

/// Header of `equality.csv` (equality monitoring answers), in order: the
/// source and date, then one column per question in `EdiAnswers`.
pub const EQUALITY_HEADER: &[&str] = &[
    "person_ref",
    "source",
    "recorded_on",
    "sex",
    "gender_identity",
    "ethnicity",
    "religion",
    "sexual_orientation",
    "marital_status",
    "pregnancy_maternity",
    "pregnancy_valid_until",
    "disability",
    "first_language",
    "interpreter_needed",
    "caring",
    "armed_forces",
];

/// How an equality answer that was asked and declined is written.
pub const PREFER_NOT_TO_SAY: &str = "prefer_not_to_say";

/// Longest line accepted; a longer one is reported, not read further.
pub const MAX_LINE: usize = 16 * 1024;

/// Splits one CSV line (RFC 4180 quoting: `"a, b"`, `""` for a quote) into
/// fields. A line break inside a quoted field is not supported: each record
/// is one line, so a bad row is reported against its own line number.
pub fn split_line(line: &str) -> Result<Vec<String>, FieldError> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.len() > MAX_LINE {
        return Err(FieldError::new("line", format!("The line is longer than {MAX_LINE} bytes")));
    }
    let mut fields = vec![];
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    quoted = false;
                    // Only a separator may follow a closing quote.
                    if chars.peek().is_some_and(|n| *n != ',') {
                        return Err(FieldError::new("line", "A closing quote must be followed by a comma or the end of the line"));
                    }
                }
            } else {
                cur.push(c);
            }
        } else if c == ',' {
            fields.push(std::mem::take(&mut cur));
            at_start = true;
            continue;
        } else if c == '"' && at_start {
            quoted = true;
        } else if c == '"' {
            return Err(FieldError::new("line", "A quote inside an unquoted field; quote the whole field and double the quote"));
        } else {
            cur.push(c);
        }
        at_start = false;
    }
    if quoted {
        return Err(FieldError::new("line", "A quoted field is not closed (line breaks inside a field are not supported)"));
    }
    fields.push(cur);
    Ok(fields)
}

/// Quotes a field for writing when it needs it.
pub fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// Joins fields into one CSV line (without the line break).
pub fn join_line(fields: &[&str]) -> String {
    fields.iter().map(|f| quote(f)).collect::<Vec<_>>().join(",")
}

/// Checks a file's first line names exactly the expected columns.
pub fn check_header(line: &str, expected: &[&str]) -> Result<(), FieldError> {
    let got = split_line(line)?;
    let got: Vec<&str> = got.iter().map(|s| s.trim().trim_start_matches('\u{feff}')).collect();
    if got != expected {
        return Err(FieldError::new("header", format!("The first line must be the header: {}", expected.join(","))));
    }
    Ok(())
}

/// The fields of a line, checked against the column count; empty text is `None`.
fn columns(line: &str, header: &[&str]) -> Result<Vec<Option<String>>, ValidationErrors> {
    let fields = split_line(line)?;
    if fields.len() != header.len() {
        return Err(FieldError::new("line", format!("Expected {} columns, found {}", header.len(), fields.len())).into());
    }
    Ok(fields.into_iter().map(|f| Some(f.trim().to_string()).filter(|f| !f.is_empty())).collect())
}

/// A legacy system's reference: 1 to 40 letters, digits, `-`, `_` or `/`.
fn reference(field: &str, value: Option<&str>, what: &str) -> Result<String, FieldError> {
    match value {
        None => Err(FieldError::new(field, format!("Enter the {what}"))),
        Some(v) if v.len() <= 40 && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/')) => Ok(v.to_string()),
        Some(_) => Err(FieldError::new(field, format!("The {what} must be up to 40 letters, digits, hyphens, underscores or slashes"))),
    }
}

/// A list of references separated by `;`.
fn references(field: &str, value: Option<&str>, what: &str) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = vec![];
    for part in value.unwrap_or("").split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let r = reference(field, Some(part), what)?;
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}

/// `true`/`false` (also `yes`/`no`, `1`/`0`), or empty.
fn flag(field: &str, value: Option<&str>) -> Result<Option<bool>, FieldError> {
    match value.map(|v| v.to_ascii_lowercase()).as_deref() {
        None => Ok(None),
        Some("true" | "yes" | "1") => Ok(Some(true)),
        Some("false" | "no" | "0") => Ok(Some(false)),
        Some(_) => Err(FieldError::new(field, "Give true or false")),
    }
}

/// One row of `people.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub person_ref: String,
    pub fields: PersonFields,
}

/// Parses and validates one line of `people.csv`.
pub fn person_row(line: &str, today: Date) -> Result<PersonRow, ValidationErrors> {
    let c = columns(line, PEOPLE_HEADER)?;
    let mut errs = ValidationErrors::default();
    let person_ref = errs.check(reference("person_ref", c[0].as_deref(), "person reference"));
    let input = PersonInput {
        kind: c[1].clone(),
        given_name: c[2].clone(),
        family_name: c[3].clone(),
        preferred_name: c[4].clone(),
        date_of_birth: c[5].clone(),
        ni_number: c[6].clone(),
    };
    let fields = match input.validate(today) {
        Ok(f) => Some(f),
        Err(e) => {
            errs.0.extend(e.0);
            None
        }
    };
    errs.into_result()?;
    Ok(PersonRow { person_ref: person_ref.expect("checked"), fields: fields.expect("checked") })
}

/// One row of `tenancies.csv`: the home, the tenancy (its `household_id` is
/// filled in when the household is made) and the people in it.
#[derive(Debug, Clone, PartialEq)]
pub struct TenancyRow {
    pub property: PropertyFields,
    pub tenancy: TenancyFields,
    /// The tenant first, then any joint tenants.
    pub tenants: Vec<String>,
    /// Other household members (adults and children).
    pub members: Vec<String>,
}

/// Parses and validates one line of `tenancies.csv`.
pub fn tenancy_row(line: &str) -> Result<TenancyRow, ValidationErrors> {
    let c = columns(line, TENANCY_HEADER)?;
    let mut errs = ValidationErrors::default();
    // The household does not exist yet; 0 stands in until it is made.
    let tenancy = TenancyInput {
        reference: c[0].clone(),
        household_id: Some(0),
        tenure: c[1].clone(),
        start_date: c[2].clone(),
        end_date: c[3].clone(),
        end_reason: c[4].clone(),
    }
    .validate()
    .map_err(|e| errs.0.extend(rename(e, &[("reference", "tenancy_ref")]).0))
    .ok();
    let uprn = match c[5].as_deref() {
        None => None,
        Some(u) => match u.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.push(FieldError::new("uprn", "The UPRN must be a whole number"));
                Some(-1)
            }
        },
    };
    let property = if uprn == Some(-1) {
        None
    } else {
        PropertyInput { uprn, line1: c[6].clone(), line2: c[7].clone(), town: c[8].clone(), postcode: c[9].clone() }
            .validate()
            .map_err(|e| errs.0.extend(rename(e, &[("line1", "address_line1"), ("line2", "address_line2")]).0))
            .ok()
    };
    let tenants = errs.check(references("tenants", c[10].as_deref(), "tenant's person reference"));
    if tenants.as_ref().is_some_and(|t| t.is_empty()) {
        errs.push(FieldError::new("tenants", "Name at least one tenant by person reference"));
    }
    let members = errs.check(references("members", c[11].as_deref(), "member's person reference"));
    if let (Some(t), Some(m)) = (&tenants, &members) {
        if m.iter().any(|r| t.contains(r)) {
            errs.push(FieldError::new("members", "A tenant is listed under tenants only"));
        }
    }
    errs.into_result()?;
    Ok(TenancyRow {
        property: property.expect("checked"),
        tenancy: tenancy.expect("checked"),
        tenants: tenants.expect("checked"),
        members: members.expect("checked"),
    })
}

fn rename(e: ValidationErrors, names: &[(&str, &str)]) -> ValidationErrors {
    ValidationErrors(
        e.0.into_iter()
            .map(|mut f| {
                if let Some((_, to)) = names.iter().find(|(from, _)| *from == f.field) {
                    f.field = (*to).to_string();
                }
                f
            })
            .collect(),
    )
}

/// Parses and validates one line of `contacts.csv`. `person` resolves a
/// person reference to the Hearth person it was imported as (and their
/// kind); `now` bounds `occurred_at`. Every imported entry is filed in the
/// general contact log.
pub fn contact_row(
    line: &str,
    now: Timestamp,
    person: impl Fn(&str) -> Option<(Id, PersonKind)>,
) -> Result<ContactFields, ValidationErrors> {
    let c = columns(line, CONTACT_HEADER)?;
    let mut errs = ValidationErrors::default();
    let mut person_ids = vec![];
    match references("person_refs", c[0].as_deref(), "person reference") {
        Err(e) => errs.push(e),
        Ok(refs) if refs.is_empty() => errs.push(FieldError::new("person_refs", "Name at least one person by person reference")),
        Ok(refs) => {
            for r in refs {
                match person(&r) {
                    Some((id, _)) => person_ids.push(id),
                    None => errs.push(FieldError::new("person_refs", format!("No person with reference {r} has been imported"))),
                }
            }
        }
    }
    if c[1].is_none() {
        // The API defaults to now; an export must say when.
        errs.push(FieldError::new("occurred_at", "Enter when the contact happened, like 2026-11-23T09:30:00Z"));
    }
    let subjects: Option<Vec<String>> =
        c[4].as_deref().map(|s| s.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect());
    let voicemail_left = errs.check(flag("voicemail_left", c[5].as_deref()));
    let system_generated = errs.check(flag("system_generated", c[8].as_deref()));
    let service_request = errs.check(flag("service_request", c[9].as_deref()));
    let input = ContactInput {
        occurred_at: c[1].clone(),
        channel: c[2].clone(),
        compartment: None,
        // Unresolved references are already reported; keep validation of the rest going.
        person_ids: Some(if person_ids.is_empty() { vec![0] } else { person_ids.clone() }),
        summary: c[3].clone(),
        subjects,
        voicemail_left: voicemail_left.flatten(),
        appointment_outcome: c[6].clone(),
        place: c[7].clone(),
        system_generated: system_generated.flatten(),
        service_request: service_request.flatten(),
        ..Default::default()
    };
    let fields = match input.validate(now) {
        Ok(mut v) if errs.is_empty() => v.pop(),
        Ok(_) => None,
        Err(e) => {
            errs.0.extend(e.0.into_iter().filter(|f| f.field != "person_ids"));
            None
        }
    };
    errs.into_result()?;
    Ok(fields.expect("checked"))
}

/// A record about one person, already resolved from the export's
/// `person_ref` to the Hearth person it was imported as.
#[derive(Debug, Clone, PartialEq)]
pub struct About<T> {
    pub person_id: Id,
    pub fields: T,
}

/// The person a row is about, or `None` after recording why not.
fn about(errs: &mut ValidationErrors, value: Option<&str>, person: impl Fn(&str) -> Option<(Id, PersonKind)>) -> Option<Id> {
    let r = errs.check(reference("person_ref", value, "person reference"))?;
    let found = person(&r).map(|(id, _)| id);
    if found.is_none() {
        errs.push(FieldError::new("person_ref", format!("No person with reference {r} has been imported")));
    }
    found
}

/// Adds the API validation's errors, leaving out a field this parser has
/// already reported (a `true`/`false` column it could not read, say).
fn merge(errs: &mut ValidationErrors, more: ValidationErrors) {
    for e in more.0 {
        if !errs.0.iter().any(|f| f.field == e.field) {
            errs.push(e);
        }
    }
}

/// Parses and validates one line of `needs.csv` as `NeedInput` is validated
/// (`today` bounds the dates and is the default disclosure date).
pub fn need_row(
    line: &str,
    today: Date,
    periods: &ReviewPeriods,
    person: impl Fn(&str) -> Option<(Id, PersonKind)>,
) -> Result<About<NeedFields>, ValidationErrors> {
    let c = columns(line, NEEDS_HEADER)?;
    let mut errs = ValidationErrors::default();
    let person_id = about(&mut errs, c[0].as_deref(), person);
    let consent = errs.check(flag("consent_to_tailor", c[9].as_deref())).flatten();
    let input = NeedInput {
        category: c[1].clone(),
        detail: c[2].clone(),
        source: c[3].clone(),
        disclosed_on: c[4].clone(),
        disclosure_channel: c[5].clone(),
        duration: c[6].clone(),
        review_date: c[7].clone(),
        preferred_words: c[8].clone(),
        consent_to_tailor: consent,
        review_officer: None,
    };
    let fields = input.validate(today, periods).map_err(|e| merge(&mut errs, e)).ok();
    errs.into_result()?;
    Ok(About { person_id: person_id.expect("checked"), fields: fields.expect("checked") })
}

/// Parses and validates one line of `flags.csv` as `WarningFlagInput` is validated.
pub fn flag_row(
    line: &str,
    today: Date,
    periods: &ReviewPeriods,
    person: impl Fn(&str) -> Option<(Id, PersonKind)>,
) -> Result<About<WarningFlagFields>, ValidationErrors> {
    let c = columns(line, FLAGS_HEADER)?;
    let mut errs = ValidationErrors::default();
    let person_id = about(&mut errs, c[0].as_deref(), person);
    let told = errs.check(flag("person_told", c[5].as_deref())).flatten();
    let input = WarningFlagInput {
        category: c[1].clone(),
        severity: c[2].clone(),
        incident_date: c[3].clone(),
        risk_assessment: c[4].clone(),
        person_told: told,
        person_told_on: c[6].clone(),
        not_told_reason: c[7].clone(),
        review_date: c[8].clone(),
        starts_on: c[9].clone(),
        ends_on: c[10].clone(),
    };
    let fields = input.validate(today, periods).map_err(|e| merge(&mut errs, e)).ok();
    errs.into_result()?;
    Ok(About { person_id: person_id.expect("checked"), fields: fields.expect("checked") })
}

/// One capture of equality answers, as `equality.csv` gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct EqualityFields {
    pub source: EdiSource,
    pub recorded_on: Date,
    pub answers: EdiAnswers,
}

/// One answer cell: empty is "not asked", `prefer_not_to_say` a declined
/// answer, `other: text` the value `other` with its description, anything
/// else the characteristic's own value (checked by `EdiAnswers::validate`).
fn answer(value: Option<&str>) -> Answer {
    match value {
        None => Answer::NotAsked,
        Some(PREFER_NOT_TO_SAY) => Answer::PreferNotToSay,
        Some(v) => match v.split_once(':') {
            Some((value, other)) => Answer::Recorded { value: value.trim().to_string(), other: Some(other.trim().to_string()) },
            None => Answer::Recorded { value: v.to_string(), other: None },
        },
    }
}

/// Writes an answer as [`equality_row`] reads it.
pub fn answer_text(a: &Answer) -> String {
    match a {
        Answer::NotAsked => String::new(),
        Answer::PreferNotToSay => PREFER_NOT_TO_SAY.to_string(),
        Answer::Recorded { value, other: Some(o) } => format!("{value}: {o}"),
        Answer::Recorded { value, other: None } => value.clone(),
    }
}

/// Parses and validates one line of `equality.csv` as a capture through the
/// API is validated: the date recorded (default `today`) not in the future,
/// every answer from its characteristic's list, pregnancy's lapse date.
pub fn equality_row(
    line: &str,
    today: Date,
    person: impl Fn(&str) -> Option<(Id, PersonKind)>,
) -> Result<About<EqualityFields>, ValidationErrors> {
    let c = columns(line, EQUALITY_HEADER)?;
    let mut errs = ValidationErrors::default();
    let person_id = about(&mut errs, c[0].as_deref(), person);
    let source = errs.check(
        EdiSource::parse(c[1].as_deref().unwrap_or(""))
            .ok_or_else(|| FieldError::new("source", "Choose where the answers came from: webform, phone or survey")),
    );
    let recorded_on = match c[2].as_deref() {
        None => Some(today),
        Some(v) => errs.check(crate::validate::iso_date("recorded_on", v, "The date recorded")),
    };
    if recorded_on.is_some_and(|d| d > today) {
        errs.push(FieldError::new("recorded_on", "The date recorded must not be in the future"));
    }
    let valid_until = match c[10].as_deref() {
        None => None,
        Some(v) => errs.check(crate::validate::iso_date("pregnancy_valid_until", v, "The date the answer lapses")),
    };
    let interpreter = errs.check(flag("interpreter_needed", c[13].as_deref())).flatten();
    let answers = EdiAnswers {
        sex: answer(c[3].as_deref()),
        gender_identity: answer(c[4].as_deref()),
        ethnicity: answer(c[5].as_deref()),
        religion: answer(c[6].as_deref()),
        sexual_orientation: answer(c[7].as_deref()),
        marital_status: answer(c[8].as_deref()),
        pregnancy_maternity: answer(c[9].as_deref()),
        pregnancy_valid_until: valid_until,
        disability: answer(c[11].as_deref()),
        first_language: answer(c[12].as_deref()),
        interpreter_needed: interpreter,
        caring: answer(c[14].as_deref()),
        armed_forces: answer(c[15].as_deref()),
    };
    if let Err(e) = answers.validate(recorded_on.unwrap_or(today)) {
        merge(&mut errs, e);
    }
    errs.into_result()?;
    let fields = EqualityFields { source: source.expect("checked"), recorded_on: recorded_on.expect("checked"), answers };
    Ok(About { person_id: person_id.expect("checked"), fields })
}

/// Whether a channel's rows need a column beyond the common ones, for the
/// generator and the format document.
pub fn channel_columns(channel: Channel) -> &'static [&'static str] {
    match channel {
        Channel::CallAttempt => &["voicemail_left"],
        Channel::Appointment => &["appointment_outcome", "place"],
        Channel::LetterOut => &["system_generated"],
        Channel::SocialMedia => &["service_request"],
        _ => &[],
    }
}

/// One tenancy with its home and household, as `hearth import` makes them.
#[derive(Debug, Clone)]
pub struct TenancyImport {
    pub property: PropertyFields,
    /// `household_id` is ignored: a new household is made for the tenancy.
    pub tenancy: TenancyFields,
    pub members: Vec<crate::property::MembershipFields>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        jiff::civil::date(2026, 12, 1)
    }

    #[test]
    fn splits_quoted_fields() {
        assert_eq!(split_line("a,\"b, c\",\"d \"\"e\"\"\",\r\n").unwrap(), vec!["a", "b, c", "d \"e\"", ""]);
        assert!(split_line("a,\"b").is_err());
        assert!(split_line("a,b\"c").is_err());
        assert!(split_line("\"a\"b").is_err());
        let fields = ["x", "a,b", "q\"q", ""];
        assert_eq!(split_line(&join_line(&fields)).unwrap(), fields);
    }

    #[test]
    fn a_person_row_names_the_bad_columns() {
        let ok = person_row("P1,adult,Testy,Example-Person,,1980-02-03,ZX123456C", today()).unwrap();
        assert_eq!(ok.person_ref, "P1");
        assert_eq!(ok.fields.given_name, "Testy");
        let e = person_row("P 1,adult,,Example,,1980-13-03,", today()).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["person_ref", "given_name", "date_of_birth"]);
        let e = person_row("P1,adult,Testy", today()).unwrap_err();
        assert_eq!(e.0[0].field, "line");
    }

    #[test]
    fn a_tenancy_row_needs_a_tenant_and_a_home() {
        let line = "TEN-1,assured,2020-01-01,,,100000001,1 Fictional Road,,Exampleton,ZZ1 1AA,P1;P2,P3";
        let t = tenancy_row(line).unwrap();
        assert_eq!(t.tenants, ["P1", "P2"]);
        assert_eq!(t.members, ["P3"]);
        let e = tenancy_row("TEN-1,lease,2020-01-01,,,x,,,Exampleton,ZZ1 1AA,,").unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["tenure", "uprn", "tenants"]);
    }

    #[test]
    fn a_contact_row_resolves_people_and_checks_the_channel() {
        let now: Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
        let resolve = |r: &str| (r == "P1").then_some((7, PersonKind::Adult));
        let c = contact_row("P1,2020-05-01T10:00:00Z,call_attempt,Rang about rent,rent,false,,,,", now, resolve).unwrap();
        assert_eq!(c.person_ids, [7]);
        assert_eq!(c.voicemail_left, Some(false));
        let e = contact_row("P9,2020-05-01T10:00:00Z,call_attempt,Rang,,,,,,", now, resolve).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["person_refs", "voicemail_left"]);
        let e = contact_row("P1,,carrier_pigeon,Hi,,,,,,", now, resolve).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert!(fields.contains(&"occurred_at") && fields.contains(&"channel"), "{fields:?}");
    }

    fn p1(r: &str) -> Option<(Id, PersonKind)> {
        (r == "P1").then_some((7, PersonKind::Adult))
    }

    #[test]
    fn a_need_row_is_validated_like_the_api() {
        let periods = ReviewPeriods::default();
        let n = need_row("P1,hearing,,staff_contact,2020-03-01,phone,long_term,,,true", today(), &periods, p1).unwrap();
        assert_eq!(n.person_id, 7);
        assert_eq!(n.fields.review_date, jiff::civil::date(2021, 3, 1), "defaults from the category's period");
        assert!(n.fields.consent_to_tailor);
        let e = need_row("P9,earache,,staff_contact,2099-01-01,phone,long_term,,,perhaps", today(), &periods, p1).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["person_ref", "consent_to_tailor", "category", "disclosed_on"]);
        let e = need_row("P1,hearing,,staff_contact,,phone,long_term,,,", today(), &periods, p1).unwrap_err();
        assert_eq!(e.0[0].field, "consent_to_tailor");
    }

    #[test]
    fn a_flag_row_needs_a_risk_assessment_and_whether_the_person_was_told() {
        let periods = ReviewPeriods::default();
        let f = flag_row("P1,verbal_abuse,medium,2024-02-01,Shouted at an officer,true,2024-02-03,,,2024-02-02,", today(), &periods, p1)
            .unwrap();
        assert_eq!(f.fields.starts_on, jiff::civil::date(2024, 2, 2));
        let e = flag_row("P1,verbal_abuse,extreme,,,false,,,,,", today(), &periods, p1).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["severity", "risk_assessment", "not_told_reason"]);
    }

    #[test]
    fn an_equality_row_reads_declined_not_asked_and_other() {
        let line = "P1,survey,2024-05-01,female,,other: Invented group,prefer_not_to_say,,,pregnant,2024-12-01,no,welsh,false,,";
        let e = equality_row(line, today(), p1).unwrap();
        assert_eq!(e.fields.answers.gender_identity, Answer::NotAsked);
        assert_eq!(e.fields.answers.religion, Answer::PreferNotToSay);
        assert_eq!(e.fields.answers.ethnicity, Answer::Recorded { value: "other".into(), other: Some("Invented group".into()) });
        assert_eq!(answer_text(&e.fields.answers.ethnicity), "other: Invented group");
        let bad = "P1,carrier,2099-01-01,robot,,,,,,pregnant,,,,true,,";
        let e = equality_row(bad, today(), p1).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["source", "recorded_on", "sex", "pregnancy_valid_until", "interpreter_needed"]);
    }
}
