//! API handler for a person's history: who did what to their record, when,
//! in which role and why, and whether it was allowed.
//!
//! Entries leave out the audit event's `detail` (old and new values of
//! edits): reading the audit compartment does not give access to the
//! compartments those values came from.

use super::{ApiActor, ApiQuery, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use hearth_domain::audit::AuditEvent;
use hearth_domain::error::{FieldError, ValidationErrors};
use hearth_gate::history::MAX_HISTORY;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One audit event about a person, without its old and new values.
#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    pub id: i64,
    /// UTC, RFC 3339.
    pub occurred_at: String,
    pub actor_username: String,
    pub actor_role: String,
    /// `view`, `list`, `create`, `edit`, `delete` or `export`.
    pub action: String,
    pub compartment: String,
    pub record_type: String,
    pub record_id: Option<i64>,
    /// The processing purpose the actor declared.
    pub purpose: String,
    /// `allow` or `deny`.
    pub decision: String,
    /// Why a refusal was made.
    pub reason: Option<String>,
}

impl From<AuditEvent> for HistoryEntry {
    // Field by field, so a field added to audit events is not exposed here
    // by accident.
    fn from(e: AuditEvent) -> Self {
        let ev = e.event;
        HistoryEntry {
            id: e.id,
            occurred_at: e.occurred_at,
            actor_username: ev.actor_username,
            actor_role: ev.actor_role,
            action: ev.action,
            compartment: ev.compartment,
            record_type: ev.record_type,
            record_id: ev.record_id,
            purpose: ev.purpose,
            decision: ev.decision,
            reason: ev.reason,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// How many of the newest events to return, 1 to 500 (default 100).
    limit: Option<i64>,
}

/// The audit events about a person, newest first. Reading them is itself
/// recorded.
#[utoipa::path(get, path = "/api/v1/people/{id}/history", params(("id" = i64, Path), HistoryQuery),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn person_history(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    if q.limit.is_some_and(|l| !(1..=MAX_HISTORY).contains(&l)) {
        return Err(ValidationErrors::from(FieldError::new("limit", format!("Limit must be from 1 to {MAX_HISTORY}"))).into());
    }
    let events = s.gate.person_history(&a, id, q.limit).await?;
    Ok(Json(events.into_iter().map(HistoryEntry::from).collect()))
}
