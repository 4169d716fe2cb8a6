//! A person's history: the audit events about their record, for the people
//! whose role lets them read the audit compartment.
//!
//! Reading the history is itself a decision on personal data, so it goes
//! through `guarded` like any other read and leaves its own audit event.

use crate::{Actor, Gate, Result, Target};
use hearth_domain::{Action, Compartment, Id};
use hearth_store::audit::{self, AuditEvent};
use hearth_store::Tx;

/// Most events one request returns; a long history is read in pieces.
pub const MAX_HISTORY: i64 = 500;

/// Default number of events when the caller asks for none in particular.
pub const DEFAULT_HISTORY: i64 = 100;

impl Gate {
    /// The events about one person, newest first. Events carry `detail`
    /// (old and new values of edits); surfaces must not show it to roles that
    /// may not see those compartments.
    pub async fn person_history(&self, actor: &Actor, person_id: Id, limit: Option<i64>) -> Result<Vec<AuditEvent>> {
        let limit = limit.unwrap_or(DEFAULT_HISTORY).clamp(1, MAX_HISTORY);
        self.guarded(actor, Action::View, Compartment::Audit, Target::person(person_id), async |tx: &mut Tx| {
            // A missing person is "not found", not an empty history.
            crate::person_of(tx, person_id).await?;
            Ok((audit::events_for_person(tx, person_id, limit).await?, Target::person(person_id), None))
        })
        .await
    }
}
