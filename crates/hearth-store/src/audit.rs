//! The audit trail: an append-only table of every decision on personal data,
//! hash-chained so that editing or deleting an event is detected.
//!
//! Each event's hash is SHA-256 over the previous event's hash and the event's
//! own fields in a fixed order. A one-row head table holds the last id and hash;
//! updating it first in [`append`] serialises writers on both engines, and lets
//! [`verify`] notice events deleted from the end of the chain.

use crate::time::ts;
use crate::{Result, Store, Tx};
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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
    pub prev_hash: String,
    pub hash: String,
}

/// The exact bytes hashed: field order is fixed by this struct.
#[derive(Serialize)]
struct Hashed<'a> {
    id: i64,
    occurred_at: &'a str,
    #[serde(flatten)]
    event: &'a NewAuditEvent,
}

fn chain_hash(prev_hash: &str, id: i64, occurred_at: &str, event: &NewAuditEvent) -> String {
    let body = serde_json::to_vec(&Hashed { id, occurred_at, event }).expect("audit event serialises");
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(&body);
    hex::encode(h.finalize())
}

/// Appends an event inside the caller's transaction; returns its id.
pub async fn append(tx: &mut Tx, event: &NewAuditEvent, now: Timestamp) -> Result<i64> {
    // Touching the head row takes its lock (a row lock on PostgreSQL; SQLite
    // already holds the database write lock), so ids and hashes stay in order.
    let head = sqlx::query("UPDATE audit_head SET last_event_id = last_event_id WHERE id = 1 RETURNING last_event_id, last_hash")
        .fetch_one(tx.conn())
        .await?;
    let prev_id: i64 = head.try_get("last_event_id")?;
    let prev_hash: String = head.try_get("last_hash")?;
    let id = prev_id + 1;
    let occurred_at = ts(now);
    let hash = chain_hash(&prev_hash, id, &occurred_at, event);
    sqlx::query(
        "INSERT INTO audit_event (id, occurred_at, actor_id, actor_username, actor_role, action, compartment, record_type, record_id, person_id,
             purpose, decision, policy_ids, reason, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(id)
    .bind(&occurred_at)
    .bind(event.actor_id)
    .bind(&event.actor_username)
    .bind(&event.actor_role)
    .bind(&event.action)
    .bind(&event.compartment)
    .bind(&event.record_type)
    .bind(event.record_id)
    .bind(event.person_id)
    .bind(&event.purpose)
    .bind(&event.decision)
    .bind(&event.policy_ids)
    .bind(&event.reason)
    .bind(&event.detail)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(tx.conn())
    .await?;
    sqlx::query("UPDATE audit_head SET last_event_id = $1, last_hash = $2 WHERE id = 1").bind(id).bind(&hash).execute(tx.conn()).await?;
    Ok(id)
}

const EVENT_COLUMNS: &str = "id, occurred_at, actor_id, actor_username, actor_role, action, compartment, record_type, record_id, person_id,
    purpose, decision, policy_ids, reason, detail, prev_hash, hash";

fn event_from(row: &AnyRow) -> Result<AuditEvent> {
    Ok(AuditEvent {
        id: row.try_get("id")?,
        occurred_at: row.try_get("occurred_at")?,
        event: NewAuditEvent {
            actor_id: row.try_get("actor_id")?,
            actor_username: row.try_get("actor_username")?,
            actor_role: row.try_get("actor_role")?,
            action: row.try_get("action")?,
            compartment: row.try_get("compartment")?,
            record_type: row.try_get("record_type")?,
            record_id: row.try_get("record_id")?,
            person_id: row.try_get("person_id")?,
            purpose: row.try_get("purpose")?,
            decision: row.try_get("decision")?,
            policy_ids: row.try_get("policy_ids")?,
            reason: row.try_get("reason")?,
            detail: row.try_get("detail")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Events about one person, newest first.
pub async fn events_for_person(tx: &mut Tx, person_id: i64, limit: i64) -> Result<Vec<AuditEvent>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM audit_event WHERE person_id = $1 ORDER BY id DESC LIMIT $2");
    sqlx::query(&sql).bind(person_id).bind(limit).fetch_all(tx.conn()).await?.iter().map(event_from).collect()
}

/// Events in id order after `after`, for export and tests.
pub async fn events_after(tx: &mut Tx, after: i64, limit: i64) -> Result<Vec<AuditEvent>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM audit_event WHERE id > $1 ORDER BY id LIMIT $2");
    sqlx::query(&sql).bind(after).bind(limit).fetch_all(tx.conn()).await?.iter().map(event_from).collect()
}

/// The stored hash of one event, or `None` if no event has that id; lets a
/// signed checkpoint be compared with what the database holds now.
pub async fn event_hash(store: &Store, id: i64) -> Result<Option<String>> {
    let row = sqlx::query("SELECT hash FROM audit_event WHERE id = $1").bind(id).fetch_optional(&store.pool).await?;
    Ok(row.map(|r| r.try_get("hash")).transpose()?)
}

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

/// Recomputes the chain from the first event, in batches so memory stays flat.
pub async fn verify(store: &Store) -> Result<Verification> {
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut prev_id = 0i64;
    let mut count = 0u64;
    loop {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM audit_event WHERE id > $1 ORDER BY id LIMIT 5000");
        let rows = sqlx::query(&sql).bind(prev_id).fetch_all(&store.pool).await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let e = event_from(row)?;
            if e.id != prev_id + 1 {
                return Ok(Verification::Broken {
                    event_id: prev_id + 1,
                    problem: format!("event {} is missing (next present is {})", prev_id + 1, e.id),
                });
            }
            if e.prev_hash != prev_hash {
                return Ok(Verification::Broken { event_id: e.id, problem: "its link to the previous event does not match".into() });
            }
            if chain_hash(&e.prev_hash, e.id, &e.occurred_at, &e.event) != e.hash {
                return Ok(Verification::Broken { event_id: e.id, problem: "its contents do not match its hash (edited)".into() });
            }
            prev_hash = e.hash;
            prev_id = e.id;
            count += 1;
        }
    }
    let head = sqlx::query("SELECT last_event_id, last_hash FROM audit_head WHERE id = 1").fetch_one(&store.pool).await?;
    let (head_id, head_hash): (i64, String) = (head.try_get("last_event_id")?, head.try_get("last_hash")?);
    if head_id != prev_id || head_hash != prev_hash {
        return Ok(Verification::Broken {
            event_id: prev_id + 1,
            problem: format!("the chain head names event {head_id} but the last event present is {prev_id} (events deleted from the end)"),
        });
    }
    Ok(Verification::Intact { events: count, head_hash: prev_hash })
}
