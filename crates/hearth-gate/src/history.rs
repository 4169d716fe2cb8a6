//! A person's history: the audit events about their record, for the people
//! whose role lets them read the audit compartment.
//!
//! Reading the history is itself a decision on personal data, so it goes
//! through `guarded` like any other read and leaves its own audit event.

use crate::{Actor, Gate, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    classes::ClassSet,
    Id,
};
use hearth_store::audit::{self, AuditEvent};
use hearth_store::Tx;
use std::collections::HashMap;

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
            let events = audit::events_for_person(tx, person_id, limit).await?;
            Ok((self.readable_events(tx, actor, person_id, events).await?, Target::person(person_id), None))
        })
        .await
    }
}

/// Record types seen in the trail, as the `'static` names targets carry: a
/// fixed vocabulary written by the code, so the set stays small.
fn interned(record_type: &str) -> &'static str {
    static SEEN: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(s) = seen.iter().find(|s| **s == record_type) {
        return s;
    }
    let s: &'static str = Box::leak(record_type.to_string().into_boxed_str());
    seen.push(s);
    s
}

impl Gate {
    /// The events a viewer may see: only those about compartments (and, for
    /// edits, classes of fields) the viewer may read for the record the
    /// event is about. That a record exists in a compartment is itself data
    /// of that compartment: an equality capture's event would tell a manager
    /// who answered.
    async fn readable_events(&self, tx: &mut Tx, actor: &Actor, person_id: Id, events: Vec<AuditEvent>) -> Result<Vec<AuditEvent>> {
        let mut decided: HashMap<(String, String, Option<Id>), Option<ClassSet>> = HashMap::new();
        let mut out = Vec::with_capacity(events.len());
        for mut e in events {
            let Some(compartment) = Compartment::parse(&e.event.compartment) else { continue };
            let key = (e.event.compartment.clone(), e.event.record_type.clone(), e.event.record_id);
            let classes = match decided.get(&key) {
                Some(c) => *c,
                None => {
                    let target =
                        Target { record_type: interned(&e.event.record_type), record_id: e.event.record_id, person_id: Some(person_id) };
                    let c = self.would_permit(tx, actor, Action::View, compartment, target).await?;
                    decided.insert(key, c);
                    c
                }
            };
            let Some(classes) = classes else { continue };
            // The old and new values hold fields of every class: only a
            // reader of them all keeps them.
            if !classes.is_all() {
                e.event.detail = None;
            }
            out.push(e);
        }
        Ok(out)
    }
}
