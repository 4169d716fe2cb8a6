//! What an audit event says, as the gate writes it and as a history or a
//! verification reads it back. The chain itself is kept by the store.

use serde::Serialize;

/// What the gate records about one decision.
#[derive(Debug, Clone, Serialize)]
pub struct NewAuditEvent {
    pub actor_id: Option<i64>,
    pub actor_username: String,
    pub actor_role: String,
    pub action: String,
    pub compartment: String,
    pub record_type: String,
    pub record_id: Option<i64>,
    pub person_id: Option<i64>,
    pub purpose: String,
    /// `allow` or `deny`.
    pub decision: String,
    /// The policies that decided, comma-separated.
    pub policy_ids: String,
    pub reason: Option<String>,
    /// JSON: old and new values for edits, filters for lists.
    pub detail: Option<String>,
}

/// A stored event.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent {
    pub id: i64,
    pub occurred_at: String,
    #[serde(flatten)]
    pub event: NewAuditEvent,
    /// 1: the hash covers `detail` itself; 2: it covers `detail_digest`.
    pub chain_v: i64,
    /// SHA-256 (hex) of `detail` as written (`chain_v` 2 with a payload).
    pub detail_digest: Option<String>,
    /// Set when a retention run removed the payload, e.g. "redacted by retention run 4".
    pub redacted: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

// A person's history is filtered event by event for its viewer in `Gate::person_history`.
crate::assembled_in_the_gate!(AuditEvent);

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact {
        events: u64,
        head_hash: String,
    },
    /// The first event whose stored hash or link does not match, and why.
    Broken {
        event_id: i64,
        problem: String,
    },
}
