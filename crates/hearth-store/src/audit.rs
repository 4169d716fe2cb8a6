//! The audit trail: an append-only table of every decision on personal data,
//! hash-chained so that editing or deleting an event is detected.
//!
//! Each event's hash is SHA-256 over the previous event's hash and the event's
//! own fields in a fixed order. A one-row head table holds the last id and hash;
//! updating it first in [`append`] serialises writers on both engines, and lets
//! [`verify`] notice events deleted from the end of the chain.
//!
//! The payload (`detail`: old and new values) is hashed separately: the chain
//! covers its SHA-256 digest, not the text (`chain_v` 2). A retention run that
//! destroys a record can therefore [`redact`] the personal values its events
//! carried — `detail` becomes NULL and `redacted` names the run — and the chain
//! still verifies. Removing a payload any other way, or editing one, is
//! reported as a break. Events written before this design (`chain_v` 1) hash
//! the payload itself and cannot be redacted without breaking the chain.

use crate::time::ts;
use crate::{Result, Store, Tx};
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub use hearth_domain::audit::{AuditEvent, NewAuditEvent, Verification};

/// The exact bytes hashed for `chain_v` 1 events: field order is fixed by this struct.
#[derive(Serialize)]
struct Hashed<'a> {
    id: i64,
    occurred_at: &'a str,
    #[serde(flatten)]
    event: &'a NewAuditEvent,
}

/// The exact bytes hashed for `chain_v` 2 events: the payload only by digest.
#[derive(Serialize)]
struct HashedV2<'a> {
    chain_v: i64,
    id: i64,
    occurred_at: &'a str,
    actor_id: Option<i64>,
    actor_username: &'a str,
    actor_role: &'a str,
    action: &'a str,
    compartment: &'a str,
    record_type: &'a str,
    record_id: Option<i64>,
    person_id: Option<i64>,
    purpose: &'a str,
    decision: &'a str,
    policy_ids: &'a str,
    reason: Option<&'a str>,
    detail_digest: Option<&'a str>,
}

/// SHA-256 (hex) of a payload.
pub fn digest(detail: &str) -> String {
    hex::encode(Sha256::digest(detail.as_bytes()))
}

fn link(prev_hash: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

fn chain_hash_v1(prev_hash: &str, id: i64, occurred_at: &str, event: &NewAuditEvent) -> String {
    link(prev_hash, &serde_json::to_vec(&Hashed { id, occurred_at, event }).expect("audit event serialises"))
}

fn chain_hash_v2(prev_hash: &str, id: i64, occurred_at: &str, event: &NewAuditEvent, detail_digest: Option<&str>) -> String {
    let body = HashedV2 {
        chain_v: 2,
        id,
        occurred_at,
        actor_id: event.actor_id,
        actor_username: &event.actor_username,
        actor_role: &event.actor_role,
        action: &event.action,
        compartment: &event.compartment,
        record_type: &event.record_type,
        record_id: event.record_id,
        person_id: event.person_id,
        purpose: &event.purpose,
        decision: &event.decision,
        policy_ids: &event.policy_ids,
        reason: event.reason.as_deref(),
        detail_digest,
    };
    link(prev_hash, &serde_json::to_vec(&body).expect("audit event serialises"))
}

/// The detail the person page writes with its read of a person's
/// identity, so the people a member of staff opened can be told from every
/// other read of a name (a list, a caption, a search).
pub const OPENED_DETAIL: &str = r#"{"opened":"person_record"}"#;

/// `$1` the staff member, `$2` [`OPENED_DETAIL`], `$3` how many events to
/// read back: their openings of people, newest first (the index on actor
/// and id serves it).
pub(crate) const RECENTLY_OPENED: &str =
    "SELECT person_id FROM audit_event WHERE actor_id = $1 AND detail = $2 AND person_id IS NOT NULL ORDER BY actor_id DESC, id DESC LIMIT $3";

/// The people `actor_id` opened most recently (their person pages), newest
/// first, each once, at most `n`. Only ids: names are for the gate to decide.
pub async fn recently_opened(tx: &mut Tx, actor_id: i64, n: usize) -> Result<Vec<i64>> {
    let rows = sqlx::query(RECENTLY_OPENED).bind(actor_id).bind(OPENED_DETAIL).bind(200i64).fetch_all(tx.conn()).await?;
    let mut out: Vec<i64> = vec![];
    for r in rows {
        let id: i64 = r.try_get("person_id")?;
        if !out.contains(&id) {
            out.push(id);
            if out.len() == n {
                break;
            }
        }
    }
    Ok(out)
}

/// Appends an event inside the caller's transaction; returns its id.
pub async fn append(tx: &mut Tx, event: &NewAuditEvent, now: Timestamp) -> Result<i64> {
    let ids = append_many(tx, std::slice::from_ref(event), now).await?;
    Ok(ids[0])
}

/// Appends events in order inside the caller's transaction, reading and
/// moving the chain's head once for all of them; returns their ids.
pub async fn append_many(tx: &mut Tx, events: &[NewAuditEvent], now: Timestamp) -> Result<Vec<i64>> {
    if events.is_empty() {
        return Ok(vec![]);
    }
    // Touching the head row takes its lock (a row lock on PostgreSQL; SQLite
    // already holds the database write lock), so ids and hashes stay in order.
    let head = sqlx::query("UPDATE audit_head SET last_event_id = last_event_id WHERE id = 1 RETURNING last_event_id, last_hash")
        .fetch_one(tx.conn())
        .await?;
    let mut prev_id: i64 = head.try_get("last_event_id")?;
    let mut prev_hash: String = head.try_get("last_hash")?;
    let occurred_at = ts(now);
    let mut ids = Vec::with_capacity(events.len());
    for event in events {
        let id = prev_id + 1;
        let detail_digest = event.detail.as_deref().map(digest);
        let hash = chain_hash_v2(&prev_hash, id, &occurred_at, event, detail_digest.as_deref());
        sqlx::query(
            "INSERT INTO audit_event (id, occurred_at, actor_id, actor_username, actor_role, action, compartment, record_type, record_id, person_id,
                 purpose, decision, policy_ids, reason, detail, prev_hash, hash, chain_v, detail_digest)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 2, $18)",
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
        .bind(&detail_digest)
        .execute(tx.conn())
        .await?;
        ids.push(id);
        prev_id = id;
        prev_hash = hash;
    }
    sqlx::query("UPDATE audit_head SET last_event_id = $1, last_hash = $2 WHERE id = 1")
        .bind(prev_id)
        .bind(&prev_hash)
        .execute(tx.conn())
        .await?;
    Ok(ids)
}

const EVENT_COLUMNS: &str = "id, occurred_at, actor_id, actor_username, actor_role, action, compartment, record_type, record_id, person_id,
    purpose, decision, policy_ids, reason, detail, prev_hash, hash, chain_v, detail_digest, redacted";

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
        chain_v: row.try_get("chain_v")?,
        detail_digest: row.try_get("detail_digest")?,
        redacted: row.try_get("redacted")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// What [`redact`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Redaction {
    /// Payloads removed.
    pub redacted: u64,
    /// Payloads left because their events predate separate payload hashing
    /// (`chain_v` 1): removing them would break the chain.
    pub legacy_kept: u64,
}

/// Removes the payloads of every event about the given records (old and new
/// values, which may hold personal data the retention rule requires
/// destroying); the rest of each event, and the chain, stay intact. Uses the
/// (record_type, record_id) index, so cost follows the records disposed of.
pub async fn redact(tx: &mut Tx, record_type: &str, record_ids: &[i64], note: &str) -> Result<Redaction> {
    let mut out = Redaction::default();
    for chunk in record_ids.chunks(500) {
        let list = crate::placeholders(3, chunk.len());
        let sql = format!(
            "UPDATE audit_event SET detail = NULL, redacted = $1
             WHERE record_type = $2 AND record_id IN ({list}) AND detail IS NOT NULL AND chain_v = 2"
        );
        let mut q = sqlx::query(&sql).bind(note).bind(record_type);
        for id in chunk {
            q = q.bind(*id);
        }
        out.redacted += q.execute(tx.conn()).await?.rows_affected();
        let sql = format!(
            "SELECT COUNT(*) FROM audit_event WHERE record_type = $1 AND record_id IN ({}) AND detail IS NOT NULL AND chain_v = 1",
            crate::placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(record_type);
        for id in chunk {
            q = q.bind(*id);
        }
        out.legacy_kept += q.fetch_one(tx.conn()).await?.try_get::<i64, _>(0)? as u64;
    }
    Ok(out)
}

/// Checks one stored event against its hash; `Err` says what is wrong.
fn check_event(e: &AuditEvent) -> std::result::Result<(), &'static str> {
    match e.chain_v {
        1 => {
            if chain_hash_v1(&e.prev_hash, e.id, &e.occurred_at, &e.event) != e.hash {
                return Err("its contents do not match its hash (edited)");
            }
        }
        2 => {
            match (&e.event.detail, &e.detail_digest, &e.redacted) {
                (Some(d), Some(dg), _) if digest(d) != *dg => return Err("its payload does not match its digest (edited)"),
                (Some(_), None, _) => return Err("it has a payload its hash never covered (added)"),
                (None, Some(_), None) => return Err("its payload was removed without a retention run (deleted)"),
                _ => {}
            }
            if chain_hash_v2(&e.prev_hash, e.id, &e.occurred_at, &e.event, e.detail_digest.as_deref()) != e.hash {
                return Err("its contents do not match its hash (edited)");
            }
        }
        _ => return Err("its chain version is unknown"),
    }
    Ok(())
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

/// Recomputes the chain from the first event, in batches so memory stays flat.
pub async fn verify(store: &Store) -> Result<Verification> {
    // `verify` never migrates: a database from before separate payload
    // hashing has no chain_v column, and every event in it is chain_v 1.
    let columns = if sqlx::query("SELECT chain_v FROM audit_event LIMIT 1").fetch_optional(&store.pool).await.is_ok() {
        EVENT_COLUMNS.to_string()
    } else {
        EVENT_COLUMNS.replace("chain_v, detail_digest, redacted", "CAST(1 AS BIGINT) AS chain_v, NULL AS detail_digest, NULL AS redacted")
    };
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut prev_id = 0i64;
    let mut count = 0u64;
    loop {
        let sql = format!("SELECT {columns} FROM audit_event WHERE id > $1 ORDER BY id LIMIT 5000");
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
            if let Err(problem) = check_event(&e) {
                return Ok(Verification::Broken { event_id: e.id, problem: problem.into() });
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

#[cfg(test)]
mod tests {
    use super::*;

    fn event(detail: Option<&str>) -> NewAuditEvent {
        NewAuditEvent {
            actor_id: None,
            actor_username: "dpo".into(),
            actor_role: "dpo".into(),
            action: "edit".into(),
            compartment: "identity".into(),
            record_type: "person".into(),
            record_id: Some(7),
            person_id: Some(7),
            purpose: "test".into(),
            decision: "allow".into(),
            policy_ids: "test".into(),
            reason: None,
            detail: detail.map(str::to_string),
        }
    }

    /// An event as written before payloads were hashed separately.
    async fn append_v1(tx: &mut Tx, e: &NewAuditEvent, now: Timestamp) {
        let head = sqlx::query("SELECT last_event_id, last_hash FROM audit_head WHERE id = 1").fetch_one(tx.conn()).await.unwrap();
        let (prev_id, prev_hash): (i64, String) = (head.try_get(0).unwrap(), head.try_get(1).unwrap());
        let (id, at) = (prev_id + 1, ts(now));
        let hash = chain_hash_v1(&prev_hash, id, &at, e);
        sqlx::query(
            "INSERT INTO audit_event (id, occurred_at, actor_username, actor_role, action, compartment, record_type, record_id, person_id,
                 purpose, decision, policy_ids, detail, prev_hash, hash, chain_v)
             VALUES ($1, $2, 'dpo', 'dpo', 'edit', 'identity', 'person', 7, 7, 'test', 'allow', 'test', $3, $4, $5, 1)",
        )
        .bind(id)
        .bind(&at)
        .bind(&e.detail)
        .bind(&prev_hash)
        .bind(&hash)
        .execute(tx.conn())
        .await
        .unwrap();
        sqlx::query("UPDATE audit_head SET last_event_id = $1, last_hash = $2 WHERE id = 1")
            .bind(id)
            .bind(&hash)
            .execute(tx.conn())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_chain_of_old_and_new_events_verifies_and_only_new_payloads_are_redacted() {
        let dir =
            std::env::temp_dir().join(format!("hearth_audit_v1_{}_{}", std::process::id(), ts(Timestamp::now()).replace([':', '.'], "")));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.join("a.db").display())).await.unwrap();
        let now = Timestamp::now();
        let mut tx = store.begin().await.unwrap();
        append_v1(&mut tx, &event(Some(r#"{"old":"Ann Oldform"}"#)), now).await;
        append(&mut tx, &event(Some(r#"{"new":"Ann Newform"}"#)), now).await.unwrap();
        append(&mut tx, &event(None), now).await.unwrap();
        tx.commit().await.unwrap();
        assert!(matches!(verify(&store).await.unwrap(), Verification::Intact { events: 3, .. }));

        let mut tx = store.begin().await.unwrap();
        let r = redact(&mut tx, "person", &[7], "redacted by retention run 1").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(r, Redaction { redacted: 1, legacy_kept: 1 });
        assert!(matches!(verify(&store).await.unwrap(), Verification::Intact { events: 3, .. }));
        let mut tx = store.begin().await.unwrap();
        let events = events_after(&mut tx, 0, 10).await.unwrap();
        drop(tx);
        assert_eq!(events[0].event.detail.as_deref(), Some(r#"{"old":"Ann Oldform"}"#), "an old event keeps its payload");
        assert_eq!((events[1].event.detail.as_deref(), events[1].redacted.as_deref()), (None, Some("redacted by retention run 1")));

        // Removing the old event's payload breaks the chain: its hash covers the text.
        sqlx::query("UPDATE audit_event SET detail = NULL, redacted = 'redacted by retention run 1' WHERE id = 1")
            .execute(&store.pool)
            .await
            .unwrap();
        assert!(matches!(verify(&store).await.unwrap(), Verification::Broken { event_id: 1, .. }));
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
