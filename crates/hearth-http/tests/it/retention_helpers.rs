//! Helpers shared by the retention tests: running and planning as the DPO
//! with the clock passed in, the tenant they start from (the kit's
//! fixture, at their own address), and reading what the database still holds.

use hearth_domain::retention::RecordClass;
use hearth_gate::retention::{RetentionMode, RetentionReport, RuleOutcome, RETENTION_PURPOSE};
use hearth_gate::Actor;
use hearth_store::audit::{self, Verification};
use hearth_testkit::fixtures::NewTenant;
use hearth_testkit::TestServer;
use jiff::civil::Date;
use jiff::Span;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::Value;

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

/// `n` years after `d`.
pub(crate) fn years(d: Date, n: i64) -> Date {
    d.checked_add(Span::new().years(n)).unwrap()
}

/// Fails unless the audit chain verifies.
pub(crate) async fn verify_intact(s: &TestServer) {
    match audit::verify(&s.store).await.unwrap() {
        Verification::Intact { .. } => {}
        broken => panic!("audit chain broken after disposal: {broken:?}"),
    }
}

/// The retention tests' tenant: `given` Fictional, tenant of their own home
/// at 3 Notional Walk since 1 April 2015, no phone.
pub(crate) fn since_2015(given: &str, uprn: i64) -> NewTenant<'_> {
    NewTenant::new(given, "Fictional", uprn).line1("3 Notional Walk").since("2015-04-01")
}

/// Uploads a small PDF for `who` with the given form fields; returns the document.
pub(crate) async fn upload(s: &TestServer, t: &str, who: i64, fields: &[(&str, String)], bytes: &[u8]) -> Value {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.clone());
    }
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.extend_from_slice(bytes);
    pdf.extend_from_slice(b"\n%%EOF\n");
    let form = form.part("file", Part::bytes(pdf).file_name("scan.pdf").mime_str("application/pdf").unwrap());
    let r = s.client.post(s.url(&format!("/api/v1/people/{who}/documents"))).bearer_auth(t).multipart(form).send().await.unwrap();
    let (st, v) = hearth_testkit::split(r).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v
}

/// A former tenant whose records are all gone has had their identity
/// reduced: the API says so, and no row of theirs is left in any table a
/// tenancy-ended rule deletes from (counted around Hearth).
pub(crate) async fn reduced_with_nothing_left(s: &TestServer, t: &str, person: i64) {
    let (st, v) = s.call(t, Method::GET, &format!("/api/v1/people/{person}"), None).await;
    assert_eq!(st, StatusCode::GONE, "{v}");
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.database_url).await.unwrap();
    for table in hearth_store::retention::PersonTable::ALL {
        let sql = format!("SELECT COUNT(*) AS n FROM {} WHERE person_id = $1", table.table());
        let n: i64 = sqlx::Row::get(&sqlx::query(&sql).bind(person).fetch_one(&mut conn).await.unwrap(), "n");
        assert_eq!(n, 0, "{}", table.table());
    }
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
