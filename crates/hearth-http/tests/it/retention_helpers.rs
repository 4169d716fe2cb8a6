//! Helpers shared by the retention tests: running and planning as the DPO
//! with the clock passed in, and making tenants whose tenancy can be ended.

use crate::common::TestServer;
use hearth_domain::retention::RecordClass;
use hearth_gate::retention::{RetentionMode, RetentionReport, RuleOutcome, RETENTION_PURPOSE};
use hearth_gate::Actor;
use jiff::civil::Date;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub(crate) async fn dpo(s: &TestServer) -> Actor {
    s.gate.actor_for("dpo", RETENTION_PURPOSE).await.unwrap()
}

/// A run in batches of 2, so batching is exercised.
pub(crate) async fn run(s: &TestServer, as_of: Date) -> RetentionReport {
    s.gate.retention(&dpo(s).await, as_of, RetentionMode::Run { started_by: "command" }, 2, &|_, _| {}).await.unwrap()
}

pub(crate) async fn plan(s: &TestServer, as_of: Date) -> RetentionReport {
    s.gate.retention(&dpo(s).await, as_of, RetentionMode::Plan, 2, &|_, _| {}).await.unwrap()
}

pub(crate) fn rule(r: &RetentionReport, class: RecordClass) -> &RuleOutcome {
    r.rules.iter().find(|o| o.class == class).unwrap()
}

pub(crate) async fn post(s: &TestServer, t: &str, path: &str, body: Value) -> Value {
    let (st, v) = s.call(t, Method::POST, path, Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{path}: {v}");
    v
}

/// A tenant of their own new home on the housing officer's patch, with an
/// open tenancy; returns (person, tenancy).
pub(crate) async fn tenant(s: &TestServer, t: &str, given: &str, uprn: i64) -> (i64, Value) {
    let id = post(s, t, "/api/v1/people", json!({"given_name": given, "family_name": "Fictional"})).await["id"].as_i64().unwrap();
    let prop =
        post(s, t, "/api/v1/properties", json!({"uprn": uprn, "line1": "3 Notional Walk", "town": "Testbury", "postcode": "ZZ99 3AB"}))
            .await;
    let pid = prop["id"].as_i64().unwrap();
    let hid = post(s, t, "/api/v1/households", json!({"property_id": pid})).await["id"].as_i64().unwrap();
    post(s, t, &format!("/api/v1/households/{hid}/members"), json!({"person_id": id, "role": "tenant", "start_date": "2015-04-01"})).await;
    let tenancy = post(
        s,
        t,
        "/api/v1/tenancies",
        json!({"reference": format!("TEN-{uprn}"), "household_id": hid, "tenure": "assured", "start_date": "2015-04-01"}),
    )
    .await;
    s.gate.set_patch_officer(pid, "housing_officer").await.unwrap();
    (id, tenancy)
}

pub(crate) async fn end_tenancy(s: &TestServer, t: &str, tenancy: &Value, on: &str) {
    let mut body = tenancy.clone();
    body["end_date"] = json!(on);
    body["end_reason"] = json!("tenant_notice");
    let (st, v) = s.call(t, Method::PUT, &format!("/api/v1/tenancies/{}", tenancy["id"]), Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

/// Which of `needles` can still be read from the database: on SQLite the
/// raw bytes of the database file and its write-ahead log, read while the
/// server keeps them open (closing the pool would checkpoint them and hide
/// what a run left); on PostgreSQL a plain-text dump of the whole database.
pub(crate) fn database_holds(s: &TestServer, needles: &[String]) -> Vec<String> {
    let text: Vec<u8> = match s.sqlite_dir() {
        Some(dir) => {
            let mut all = vec![];
            for name in ["hearth.db", "hearth.db-wal"] {
                if let Ok(bytes) = std::fs::read(dir.join(name)) {
                    all.extend_from_slice(&bytes);
                }
            }
            assert!(!all.is_empty(), "read the database files");
            all
        }
        None => {
            let out = std::process::Command::new("pg_dump")
                .args(["--no-owner", &s.database_url])
                .output()
                .expect("pg_dump must be installed to check the PostgreSQL dump");
            assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
            out.stdout
        }
    };
    needles.iter().filter(|n| text.windows(n.len()).any(|w| w == n.as_bytes())).cloned().collect()
}

/// Which of `needles` some file under `dir` holds.
pub(crate) fn folder_holds(dir: &std::path::Path, needles: &[String]) -> Vec<String> {
    let mut found = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for n in needles {
            if !found.contains(n) && bytes.windows(n.len()).any(|w| w == n.as_bytes()) {
                found.push(n.clone());
            }
        }
    }
    found
}

/// The size of the SQLite write-ahead log (None on PostgreSQL or with no log file).
pub(crate) fn wal_size(s: &TestServer) -> Option<u64> {
    s.sqlite_dir().and_then(|d| std::fs::metadata(d.join("hearth.db-wal")).ok()).map(|m| m.len())
}
