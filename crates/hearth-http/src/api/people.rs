//! API handlers for people, identity evidence and contact points.

use super::{ApiActor, ApiJson, ApiPage, ApiQuery, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::people::PersonFilter;
use hearth_domain::{
    error::{FieldError, ValidationErrors},
    people::{
        ContactPoint, ContactPointInput, ContactPointUpdate, IdentityEvidence, IdentityEvidenceInput, IdentityEvidenceUpdate, Person,
        PersonInput, PersonKind, PersonUpdate,
    },
    validate,
};
use hearth_gate::homes::PersonRecord;
use hearth_gate::people::{parse_search, search_text};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Free-text search as in the UI: a name, phone number, email address, date of birth, postcode, address or tenancy reference.
    q: Option<String>,
    /// Name words; each must start a given, family or preferred name.
    name: Option<String>,
    /// ISO date of birth.
    date_of_birth: Option<String>,
    postcode: Option<String>,
    /// Start of the first line of an address.
    address: Option<String>,
    tenancy_reference: Option<String>,
    /// `adult` or `child`.
    kind: Option<String>,
    /// Only people with at least one phone number.
    has_phone: Option<bool>,
    after: Option<i64>,
    limit: Option<i64>,
}

fn filter_of(q: &PeopleQuery) -> Result<PersonFilter, Problem> {
    let mut errs = ValidationErrors::default();
    let mut f = match q.q.as_deref() {
        Some(text) => parse_search(text)?,
        None => PersonFilter::default(),
    };
    if let Some(n) = q.name.as_deref().and_then(|n| errs.check(search_text("name", n)).flatten()) {
        f.name_tokens.extend(n.split_whitespace().map(str::to_string));
    }
    if let Some(d) = &q.date_of_birth {
        f.date_of_birth = errs.check(validate::iso_date("date_of_birth", d, "Date of birth"));
    }
    if let Some(p) = &q.postcode {
        f.postcode = errs.check(validate::postcode("postcode", p));
    }
    if let Some(a) = q.address.as_deref().and_then(|a| errs.check(search_text("address", a)).flatten()) {
        f.address = Some(a);
    }
    if let Some(r) = q.tenancy_reference.as_deref().and_then(|r| errs.check(search_text("tenancy_reference", r)).flatten()) {
        f.tenancy_reference = Some(r);
    }
    if let Some(k) = &q.kind {
        f.kind = errs.check(PersonKind::parse(k).ok_or_else(|| FieldError::new("kind", "Kind must be adult or child")));
    }
    f.has_phone = q.has_phone.unwrap_or(false);
    if let Some(l) = q.limit {
        if !(1..=100).contains(&l) {
            errs.push(FieldError::new("limit", "Limit must be from 1 to 100"));
        }
    }
    errs.into_result()?;
    Ok(f)
}

/// Lists or searches people the caller may see.
#[utoipa::path(get, path = "/api/v1/people", params(PeopleQuery),
    responses((status = 200, body = ApiPage<Person>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<PeopleQuery>,
) -> ApiResult<Json<ApiPage<Person>>> {
    let f = filter_of(&q)?;
    Ok(Json(s.gate.list_people(&a, &f, q.after, q.limit).await?.into()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What the search box takes: a name (accents and case aside; close
    /// spellings are found too, after closer matches), a phone number
    /// (spaces and +44 as they come), an email address, a date of birth,
    /// a postcode, the start of an address or a tenancy reference.
    q: String,
    /// How many of the best matches to skip (the previous page's `next_start`).
    start: Option<i64>,
    limit: Option<i64>,
}

/// The customer search: people matching `q`, best match first (every word
/// a name in full, then names starting with the words, then close
/// spellings; then by name), each with what tells them apart — their role
/// in their household, their home's address and postcode, their tenancy
/// reference — as far as the caller may see each person's.
#[utoipa::path(get, path = "/api/v1/people/search", params(SearchQuery),
    responses((status = 200, body = hearth_gate::people::SearchResults), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<hearth_gate::people::SearchResults>> {
    let mut errs = ValidationErrors::default();
    let f = parse_search(&q.q)?;
    if !f.is_search() {
        errs.push(FieldError::new("q", "Enter a name, phone number, email address, date of birth, postcode, address or tenancy reference"));
    }
    if let Some(l) = q.limit {
        if !(1..=100).contains(&l) {
            errs.push(FieldError::new("limit", "Limit must be from 1 to 100"));
        }
    }
    if q.start.is_some_and(|st| !(0..=10_000).contains(&st)) {
        errs.push(FieldError::new("start", "Start must be from 0 to 10000"));
    }
    errs.into_result()?;
    Ok(Json(s.gate.search_people(&a, &f, q.start, q.limit).await?))
}

/// Records a new person (adult or child).
#[utoipa::path(post, path = "/api/v1/people", request_body = PersonInput,
    responses((status = 201, body = Person), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<PersonInput>,
) -> ApiResult<(StatusCode, Json<Person>)> {
    Ok((StatusCode::CREATED, Json(s.gate.create_person(&a, &input).await?)))
}

/// A person. For a contact-centre advisor before their caller check for the
/// person, `date_of_birth` and `ni_number` are empty: only the name is shown.
#[utoipa::path(get, path = "/api/v1/people/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Person), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 410, description = "Reduced to a skeleton by retention: the problem's detail gives the day", body = Problem)))]
pub async fn show(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Person>> {
    Ok(Json(s.gate.person(&a, id).await?))
}

/// Everything on a person's page the caller may see: identity, evidence,
/// contact points, households and tenancies. `details_open` is false when
/// date of birth, NI number and evidence are withheld (an advisor before
/// the caller check; `contacts` and `households` are then null too).
#[utoipa::path(get, path = "/api/v1/people/{id}/record", params(("id" = i64, Path)),
    responses((status = 200, body = PersonRecord), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn record(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<PersonRecord>> {
    Ok(Json(s.gate.person_record(&a, id).await?))
}

/// Replaces a person's details; `version` must be the one last read.
#[utoipa::path(put, path = "/api/v1/people/{id}", params(("id" = i64, Path)), request_body = PersonUpdate,
    responses((status = 200, body = Person), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Edited by someone else since read (`/problems/conflict`), or the person is under a restriction of processing (`/problems/restricted`)"),
        (status = 422, body = Problem)))]
pub async fn update(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(u): ApiJson<PersonUpdate>,
) -> ApiResult<Json<Person>> {
    Ok(Json(s.gate.update_person(&a, id, &u).await?))
}

#[utoipa::path(get, path = "/api/v1/people/{id}/contact-points", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ContactPoint>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn contacts(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Vec<ContactPoint>>> {
    Ok(Json(s.gate.contacts_for(&a, id).await?))
}

/// Adds a phone number, email address or postal address. Refused for a child.
#[utoipa::path(post, path = "/api/v1/people/{id}/contact-points", params(("id" = i64, Path)), request_body = ContactPointInput,
    responses((status = 201, body = ContactPoint), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_contact(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<ContactPointInput>,
) -> ApiResult<(StatusCode, Json<ContactPoint>)> {
    Ok((StatusCode::CREATED, Json(s.gate.add_contact(&a, id, &input).await?)))
}

#[utoipa::path(get, path = "/api/v1/contact-points/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ContactPoint), (status = 404, body = Problem)))]
pub async fn contact(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<ContactPoint>> {
    Ok(Json(s.gate.contact(&a, id).await?))
}

#[utoipa::path(put, path = "/api/v1/contact-points/{id}", params(("id" = i64, Path)), request_body = ContactPointUpdate,
    responses((status = 200, body = ContactPoint), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_contact(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(u): ApiJson<ContactPointUpdate>,
) -> ApiResult<Json<ContactPoint>> {
    Ok(Json(s.gate.update_contact(&a, id, &u).await?))
}

#[utoipa::path(delete, path = "/api/v1/contact-points/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_contact(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<StatusCode> {
    s.gate.delete_contact(&a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/people/{id}/identity-evidence", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<IdentityEvidence>), (status = 404, body = Problem)))]
pub async fn evidence(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Vec<IdentityEvidence>>> {
    Ok(Json(s.gate.evidence_for(&a, id).await?))
}

/// Records that an identity document was seen (a reference, never a scan).
#[utoipa::path(post, path = "/api/v1/people/{id}/identity-evidence", params(("id" = i64, Path)), request_body = IdentityEvidenceInput,
    responses((status = 201, body = IdentityEvidence), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_evidence(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(input): ApiJson<IdentityEvidenceInput>,
) -> ApiResult<(StatusCode, Json<IdentityEvidence>)> {
    Ok((StatusCode::CREATED, Json(s.gate.add_evidence(&a, id, &input).await?)))
}

#[utoipa::path(put, path = "/api/v1/identity-evidence/{id}", params(("id" = i64, Path)), request_body = IdentityEvidenceUpdate,
    responses((status = 200, body = IdentityEvidence), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_evidence(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(u): ApiJson<IdentityEvidenceUpdate>,
) -> ApiResult<Json<IdentityEvidence>> {
    Ok(Json(s.gate.update_evidence(&a, id, &u).await?))
}

#[utoipa::path(delete, path = "/api/v1/identity-evidence/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_evidence(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<StatusCode> {
    s.gate.delete_evidence(&a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
