//! API handlers for the contact log: log a contact (or a split submission),
//! read one entry, and a person's timeline filtered by need-to-know.

use super::{ApiActor, ApiJson, ApiPage, ApiQuery, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::contacts::TimelineFilter;
use hearth_domain::{
    contacts::{contact_compartment, not_a_contact_compartment, Channel, ContactEntry, ContactInput},
    error::{FieldError, ValidationErrors},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The entries a submission made: one, or one per part of a split.
#[derive(Serialize, ToSchema)]
pub struct ContactsLogged {
    pub entries: Vec<ContactEntry>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// One channel, e.g. `call_in`, `appointment`, `social_media`.
    channel: Option<String>,
    /// One compartment: general, asb, safeguarding, care, financial, complaints, repairs or tenancy.
    compartment: Option<String>,
    /// Entries older than this one (the previous page's `next_cursor`).
    after: Option<i64>,
    /// Page size, 1 to 100 (default 25).
    limit: Option<i64>,
}

fn invalid(field: &str, message: &str) -> Problem {
    ValidationErrors::from(FieldError::new(field, message)).into()
}

/// Logs a contact. A submission with `parts` makes one linked entry per
/// part, each in its own compartment. An entry filed on a case (`case_id`)
/// takes the case's compartment: leave `compartment` out, as one that
/// differs is refused (422 naming it). Social media is logged only as a
/// service request; verbatim text only with a reason; mailings never.
#[utoipa::path(post, path = "/api/v1/contacts", request_body = ContactInput,
    responses((status = 201, body = ContactsLogged), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "A person named is under a restriction of processing (`/problems/restricted`)"),
        (status = 422, body = Problem)))]
pub async fn log(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<(StatusCode, Json<ContactsLogged>)> {
    Ok((StatusCode::CREATED, Json(ContactsLogged { entries: s.gate.log_contact(&a, &input).await? })))
}

/// One contact entry, if its compartment's rules let the caller see it. A
/// refusal (403) reads the same for a hidden entry and an unknown id.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ContactEntry), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<ContactEntry>> {
    Ok(Json(s.gate.contact_entry(&a, id).await?))
}

/// A person's contact log, newest first. Entries in compartments the caller
/// may not see are neither listed nor counted.
#[utoipa::path(get, path = "/api/v1/people/{id}/timeline", params(("id" = i64, Path), TimelineQuery),
    responses((status = 200, body = ApiPage<ContactEntry>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn timeline(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiQuery(q): ApiQuery<TimelineQuery>,
) -> ApiResult<Json<ApiPage<ContactEntry>>> {
    let channel = match q.channel.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(Channel::parse(c).ok_or_else(|| invalid("channel", "Unknown channel"))?),
    };
    let compartment = match q.compartment.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(contact_compartment(c).ok_or_else(|| invalid("compartment", &not_a_contact_compartment()))?),
    };
    if q.limit.is_some_and(|l| !(1..=100).contains(&l)) {
        return Err(invalid("limit", "Limit must be from 1 to 100"));
    }
    let filter = TimelineFilter { channel, compartment };
    Ok(Json(s.gate.person_timeline(&a, id, &filter, q.after, q.limit).await?.into()))
}
