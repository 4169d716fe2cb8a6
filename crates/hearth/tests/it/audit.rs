//! `hearth audit`, run as an operator would run it: the chain check passes on
//! an untouched trail and names the first event at fault after an edit or a
//! deletion made straight in the database; signed checkpoints round-trip and
//! catch what the chain alone cannot (a chain rebuilt after a change).

use hearth_store::audit::{self, NewAuditEvent};
use hearth_store::Store;
use hearth_testkit::{both_backends, Backend};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .env("HEARTH_DATABASE_URL", db)
        .env("HEARTH_LOG", "warn")
        .env_remove("HEARTH_AUDIT_KEY_FILE")
        .output()
        .expect("run hearth")
}

/// Runs a command that must succeed; returns its standard output.
fn ok(db: &str, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(out.status.success(), "hearth {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must exit 1; returns its standard error.
fn fails(db: &str, args: &[&str]) -> String {
    let out = run(db, args);
    assert_eq!(out.status.code(), Some(1), "hearth {args:?} should exit 1; stdout: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// A SQLite file holding the demo data (and so a few hundred audit events).
fn demo_sqlite(dir: &Path) -> String {
    let url = sqlite_url(&dir.join("demo.db"));
    ok(&url, &["demo", "--seed", "3", "--households", "5"]);
    url
}

/// Changes the database behind Hearth's back, as an intruder with database
/// access would, then closes the connection so SQLite folds its log back in.
async fn tamper(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let done = sqlx::query(sql).execute(&pool).await.unwrap();
    assert_eq!(done.rows_affected(), 1, "{sql} touched one row");
    pool.close().await;
}

async fn last_event_id(url: &str) -> i64 {
    let store = Store::connect(url).await.unwrap();
    let n = store.count(hearth_store::Table::AuditEvent).await.unwrap();
    store.close().await;
    n
}

/// `Audit chain intact: N events; head <hash>` → N.
fn intact_count(stdout: &str) -> i64 {
    let rest = stdout.strip_prefix("Audit chain intact: ").unwrap_or_else(|| panic!("not an intact report: {stdout}"));
    let (n, head) = rest.trim_end().split_once(" events; head ").unwrap();
    assert_eq!(head.len(), 64, "the head is a SHA-256 in hex: {head}");
    n.parse().unwrap()
}

#[tokio::test]
async fn an_untouched_demo_trail_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let url = demo_sqlite(dir.path());
    let n = intact_count(&ok(&url, &["audit", "verify"]));
    assert!(n > 9, "the demo leaves many events: {n}");
    assert_eq!(n, last_event_id(&url).await);
}

#[tokio::test]
async fn an_edited_event_breaks_the_chain_at_that_event() {
    let dir = tempfile::tempdir().unwrap();
    let url = demo_sqlite(dir.path());
    tamper(&url, "UPDATE audit_event SET purpose = 'nothing_to_see' WHERE id = 7").await;
    let err = fails(&url, &["audit", "verify"]);
    assert!(err.contains("Audit chain BROKEN at event 7: "), "{err}");
    assert!(err.contains("edited"), "{err}");
}

#[tokio::test]
async fn a_deleted_middle_event_breaks_the_chain_at_that_event() {
    let dir = tempfile::tempdir().unwrap();
    let url = demo_sqlite(dir.path());
    tamper(&url, "DELETE FROM audit_event WHERE id = 9").await;
    let err = fails(&url, &["audit", "verify"]);
    assert!(err.contains("Audit chain BROKEN at event 9: "), "{err}");
    assert!(err.contains("missing"), "{err}");
}

#[tokio::test]
async fn a_deleted_last_event_breaks_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let url = demo_sqlite(dir.path());
    let last = last_event_id(&url).await;
    tamper(&url, &format!("DELETE FROM audit_event WHERE id = {last}")).await;
    let err = fails(&url, &["audit", "verify"]);
    assert!(err.contains(&format!("Audit chain BROKEN at event {last}: ")), "{err}");
    assert!(err.contains("deleted from the end"), "{err}");
}

/// The id of the first demo event that carries a payload (old/new values).
async fn first_event_with_payload(url: &str) -> i64 {
    let store = Store::connect(url).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let id = audit::events_after(&mut tx, 0, 100_000).await.unwrap().into_iter().find(|e| e.event.detail.is_some()).unwrap().id;
    drop(tx);
    store.close().await;
    id
}

#[tokio::test]
async fn a_payload_redacted_by_a_retention_run_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let url = demo_sqlite(dir.path());
    let id = first_event_with_payload(&url).await;
    tamper(&url, &format!("UPDATE audit_event SET detail = NULL, redacted = 'redacted by retention run 1' WHERE id = {id}")).await;
    intact_count(&ok(&url, &["audit", "verify"]));
}

#[tokio::test]
async fn a_payload_removed_outside_a_retention_run_breaks_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let url = demo_sqlite(dir.path());
    let id = first_event_with_payload(&url).await;
    tamper(&url, &format!("UPDATE audit_event SET detail = NULL WHERE id = {id}")).await;
    let err = fails(&url, &["audit", "verify"]);
    assert!(err.contains(&format!("BROKEN at event {id}: its payload was removed without a retention run")), "{err}");
}

#[tokio::test]
async fn an_edited_payload_or_digest_breaks_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let url = demo_sqlite(dir.path());
    let id = first_event_with_payload(&url).await;
    tamper(&url, &format!("UPDATE audit_event SET detail = '{{\"new\":\"something else\"}}' WHERE id = {id}")).await;
    let err = fails(&url, &["audit", "verify"]);
    assert!(err.contains(&format!("BROKEN at event {id}: its payload does not match its digest")), "{err}");
    // Replacing the digest to match does not help: the chain covers the digest.
    let dir = tempfile::tempdir().unwrap();
    let url = demo_sqlite(dir.path());
    let id = first_event_with_payload(&url).await;
    let other = audit::digest("{\"new\":\"something else\"}");
    tamper(&url, &format!("UPDATE audit_event SET detail = '{{\"new\":\"something else\"}}', detail_digest = '{other}' WHERE id = {id}"))
        .await;
    let err = fails(&url, &["audit", "verify"]);
    assert!(err.contains(&format!("BROKEN at event {id}: its contents do not match its hash")), "{err}");
}

both_backends!(backend: verify_names_an_edited_event);

/// The check on either engine (the SQLite-only tests above look closer).
async fn verify_names_an_edited_event(backend: Backend) {
    let db = hearth_testkit::database(backend).await;
    let url = db.url.clone();
    ok(&url, &["demo", "--seed", "3", "--households", "5"]);
    let n = intact_count(&ok(&url, &["audit", "verify"]));
    assert_eq!(n, last_event_id(&url).await);
    tamper(&url, "UPDATE audit_event SET purpose = 'nothing_to_see' WHERE id = 7").await;
    let err = fails(&url, &["audit", "verify"]);
    assert!(err.contains("Audit chain BROKEN at event 7: "), "{err}");
}

// ---- signed checkpoints ----

struct Signed {
    url: String,
    public_key: String,
    checkpoint: PathBuf,
    event_id: i64,
    _dir: tempfile::TempDir,
}

/// Demo data, a fresh key and a checkpoint of the trail's head.
fn signed_demo() -> Signed {
    let dir = tempfile::tempdir().unwrap();
    let url = demo_sqlite(dir.path());
    let key = dir.path().join("audit.key");
    let public_key = ok(&url, &["audit", "keygen", "--out", key.to_str().unwrap()]).trim().to_string();
    let line = ok(&url, &["audit", "checkpoint", "--key", key.to_str().unwrap()]);
    assert_eq!(line.lines().count(), 1, "one JSON line: {line}");
    let cp: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(cp["public_key"], public_key.as_str());
    let checkpoint = dir.path().join("checkpoint.json");
    std::fs::write(&checkpoint, &line).unwrap();
    Signed { url, public_key, checkpoint, event_id: cp["event_id"].as_i64().unwrap(), _dir: dir }
}

impl Signed {
    fn check(&self, checkpoint: &Path, public_key: &str) -> Output {
        run(&self.url, &["audit", "check-checkpoint", checkpoint.to_str().unwrap(), "--public-key", public_key])
    }
}

#[test]
fn keygen_writes_a_private_hex_seed_and_prints_the_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("audit.key");
    // No database is needed, and none is created.
    let db = dir.path().join("untouched.db");
    let public = ok(&sqlite_url(&db), &["audit", "keygen", "--out", key.to_str().unwrap()]);
    assert!(!db.exists(), "keygen opened a database");
    let public = public.trim();
    assert!(public.len() == 64 && public.chars().all(|c| c.is_ascii_hexdigit()), "{public}");
    let seed = std::fs::read_to_string(&key).unwrap();
    assert!(seed.trim().len() == 64 && seed.trim().chars().all(|c| c.is_ascii_hexdigit()), "{seed}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    let again = run(&sqlite_url(&db), &["audit", "keygen", "--out", key.to_str().unwrap()]);
    assert!(!again.status.success(), "an existing key is never overwritten");
    assert_eq!(std::fs::read_to_string(&key).unwrap(), seed);
}

#[tokio::test]
async fn a_checkpoint_is_signed_over_the_head_and_checks_ok() {
    let s = signed_demo();
    let cp: Value = serde_json::from_str(&std::fs::read_to_string(&s.checkpoint).unwrap()).unwrap();
    assert_eq!(s.event_id, last_event_id(&s.url).await, "the checkpoint names the head");
    let signed_at = cp["signed_at"].as_str().unwrap();
    assert!(signed_at.ends_with('Z') && signed_at.parse::<jiff::Timestamp>().is_ok(), "RFC 3339 UTC: {signed_at}");
    assert_eq!(cp["signature"].as_str().unwrap().len(), 128);
    let out = s.check(&s.checkpoint, &s.public_key);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("OK"));

    // The trail grows after the checkpoint; the checkpoint stays valid.
    let store = Store::connect(&s.url).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let later = NewAuditEvent {
        actor_id: None,
        actor_username: "advisor".into(),
        actor_role: "contact_centre_advisor".into(),
        action: "view".into(),
        compartment: "identity".into(),
        record_type: "person".into(),
        record_id: Some(1),
        person_id: Some(1),
        purpose: "test".into(),
        decision: "allow".into(),
        policy_ids: "test".into(),
        reason: None,
        detail: None,
    };
    audit::append(&mut tx, &later, jiff::Timestamp::now()).await.unwrap();
    tx.commit().await.unwrap();
    store.close().await;
    assert!(last_event_id(&s.url).await > s.event_id);
    assert!(s.check(&s.checkpoint, &s.public_key).status.success());
}

#[tokio::test]
async fn a_checkpoint_fails_once_its_event_is_edited() {
    let s = signed_demo();
    tamper(&s.url, &format!("UPDATE audit_event SET purpose = 'nothing_to_see' WHERE id = {}", s.event_id)).await;
    let out = s.check(&s.checkpoint, &s.public_key);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("BROKEN at event {}", s.event_id)));
}

/// Someone with database access and this code rewrites an event and then
/// recomputes every hash after it: the chain verifies, the checkpoint does not.
#[tokio::test]
async fn a_checkpoint_catches_a_chain_rebuilt_after_an_edit() {
    let s = signed_demo();
    let from = 5;
    let store = Store::connect(&s.url).await.unwrap();
    let (prev_hash, mut events) = {
        let mut tx = store.begin().await.unwrap();
        let prev = audit::events_after(&mut tx, from - 2, 1).await.unwrap().remove(0).hash;
        (prev, audit::events_after(&mut tx, from - 1, 100_000).await.unwrap())
    };
    store.close().await;
    tamper(&s.url, &format!("UPDATE audit_head SET last_event_id = {}, last_hash = '{prev_hash}' WHERE id = 1", from - 1)).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&s.url).await.unwrap();
    sqlx::query(&format!("DELETE FROM audit_event WHERE id >= {from}")).execute(&pool).await.unwrap();
    pool.close().await;
    events[0].event.purpose = "nothing_to_see".into();
    let store = Store::connect(&s.url).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    for e in &events {
        audit::append(&mut tx, &e.event, e.occurred_at.parse().unwrap()).await.unwrap();
    }
    tx.commit().await.unwrap();
    store.close().await;

    intact_count(&ok(&s.url, &["audit", "verify"]));
    let out = s.check(&s.checkpoint, &s.public_key);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("event {} now has hash", s.event_id)) && err.contains("rewritten"), "{err}");
}

#[tokio::test]
async fn a_checkpoint_with_a_flipped_signature_byte_fails() {
    let s = signed_demo();
    let mut cp: Value = serde_json::from_str(&std::fs::read_to_string(&s.checkpoint).unwrap()).unwrap();
    let mut sig = hex_bytes(cp["signature"].as_str().unwrap());
    sig[10] ^= 0x01;
    cp["signature"] = Value::String(sig.iter().map(|b| format!("{b:02x}")).collect());
    let forged = s.checkpoint.with_file_name("forged.json");
    std::fs::write(&forged, cp.to_string()).unwrap();
    let out = s.check(&forged, &s.public_key);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("signature does not match"));
}

#[tokio::test]
async fn a_checkpoint_names_a_different_key_than_expected_and_fails() {
    let s = signed_demo();
    let other = s.checkpoint.with_file_name("other.key");
    let other_public = ok(&s.url, &["audit", "keygen", "--out", other.to_str().unwrap()]);
    let out = s.check(&s.checkpoint, other_public.trim());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("was expected"));
}

#[tokio::test]
async fn checkpoint_refuses_to_sign_a_broken_chain() {
    let dir = tempfile::tempdir().unwrap();
    let url = demo_sqlite(dir.path());
    let key = dir.path().join("audit.key");
    ok(&url, &["audit", "keygen", "--out", key.to_str().unwrap()]);
    tamper(&url, "DELETE FROM audit_event WHERE id = 9").await;
    let out = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["audit", "checkpoint"])
        .env("HEARTH_DATABASE_URL", &url)
        .env("HEARTH_AUDIT_KEY_FILE", &key)
        .env("HEARTH_LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no checkpoint printed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("BROKEN at event 9"));
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}
