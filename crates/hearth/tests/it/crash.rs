//! Crash safety: `hearth serve` is killed with SIGKILL in the middle of
//! concurrent writes (contact-log entries with follow-ups, and edits of a
//! person's record), then restarted on the same database. Every write the
//! server acknowledged must be there, every write that landed must be whole
//! (no entry without its person link or follow-up, no edit without its
//! version bump), and `hearth audit verify` must pass. On SQLite and
//! PostgreSQL.

use hearth_testkit::{both_backends, Backend};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const WRITERS: usize = 6;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(db: &str) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["serve", "--listen", "127.0.0.1:0", "--api-requests-per-minute", "0"])
        .env("HEARTH_DATABASE_URL", db)
        .env("HEARTH_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap_or_else(|| panic!("no URL in {line:?}"));
    (Server(child), base.trim_end_matches('/').to_string())
}

fn hearth(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hearth")).args(args).env("HEARTH_DATABASE_URL", db).env("HEARTH_LOG", "warn").output().unwrap()
}

async fn token(c: &Client, base: &str) -> String {
    let r = c
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "housing.officer", "password": "hearth-demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
}

async fn get(c: &Client, base: &str, t: &str, path: &str) -> (StatusCode, Value) {
    let r = c.get(format!("{base}{path}")).bearer_auth(t).send().await.unwrap();
    let st = r.status();
    (st, r.json().await.unwrap_or(Value::Null))
}

async fn crash_and_recover(db: &str) {
    let out = hearth(db, &["demo", "--households", "4"]);
    assert!(out.status.success(), "demo: {}", String::from_utf8_lossy(&out.stderr));
    let (mut server, base) = start(db);
    let c = Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let t = token(&c, &base).await;
    let (_, people) = get(&c, &base, &t, "/api/v1/people?kind=adult&limit=1").await;
    let who = people["items"][0]["id"].as_i64().expect("a demo adult");
    let owner = 1; // the first staff account the demo loader makes owns the follow-ups

    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = vec![];
    for w in 0..WRITERS {
        let (c, base, t, stop) = (c.clone(), base.clone(), t.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut acknowledged = vec![];
            for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let body = json!({"channel": "call_in", "person_ids": [who], "summary": format!("crash-test {w}-{n}"),
                    "follow_ups": [{"action": format!("call back {w}-{n}"), "owner": owner, "due_on": "2030-01-01"}]});
                match c.post(format!("{base}/api/v1/contacts")).bearer_auth(&t).json(&body).send().await {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        if let Some(id) = v["entries"][0]["id"].as_i64() {
                            acknowledged.push((id, format!("crash-test {w}-{n}")));
                        }
                    }
                    Ok(r) => panic!("writer {w}: unexpected {}", r.status()),
                    Err(_) => break, // the server is gone
                }
            }
            acknowledged
        }));
    }
    // One editor bumps the person's record: each acknowledged version must survive.
    let editor = {
        let (c, base, t, stop) = (c.clone(), base.clone(), t.clone(), stop.clone());
        tokio::spawn(async move {
            let mut last = 0i64;
            for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(r) = c.get(format!("{base}/api/v1/people/{who}")).bearer_auth(&t).send().await else { break };
                let Ok(p) = r.json::<Value>().await else { break };
                let body = json!({"version": p["version"], "given_name": format!("Crashtest{n}"), "family_name": p["family_name"],
                    "kind": p["kind"], "date_of_birth": p["date_of_birth"], "ni_number": p["ni_number"], "preferred_name": p["preferred_name"]});
                match c.put(format!("{base}/api/v1/people/{who}")).bearer_auth(&t).json(&body).send().await {
                    Ok(r) if r.status() == StatusCode::OK => {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        last = v["version"].as_i64().unwrap_or(last);
                    }
                    Ok(r) => panic!("editor: unexpected {} {:?}", r.status(), r.text().await),
                    Err(_) => break,
                }
            }
            last
        })
    };

    tokio::time::sleep(Duration::from_millis(2500)).await;
    server.0.kill().unwrap(); // SIGKILL: no shutdown, no flush
    server.0.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let mut acked = vec![];
    for w in writers {
        acked.extend(w.await.unwrap());
    }
    let last_version = editor.await.unwrap();
    assert!(acked.len() >= WRITERS, "load ran before the kill: {} writes acknowledged", acked.len());

    let (_server, base) = start(db);
    let t = token(&c, &base).await;
    for (id, summary) in &acked {
        let (st, e) = get(&c, &base, &t, &format!("/api/v1/contacts/{id}")).await;
        assert_eq!(st, StatusCode::OK, "acknowledged entry {id} survived the crash");
        assert_eq!(e["summary"], summary.as_str());
    }
    // Whatever landed, acknowledged or not, is whole.
    let max = acked.iter().map(|(id, _)| *id).max().unwrap();
    for id in 1..=max + 2 * WRITERS as i64 {
        let (st, e) = get(&c, &base, &t, &format!("/api/v1/contacts/{id}")).await;
        if st == StatusCode::OK && e["summary"].as_str().is_some_and(|s| s.starts_with("crash-test")) {
            assert_eq!(e["person_ids"], json!([who]), "entry {id} has its person link");
            assert_eq!(e["follow_ups"].as_array().map(Vec::len), Some(1), "entry {id} has its follow-up");
        }
    }
    let (_, p) = get(&c, &base, &t, &format!("/api/v1/people/{who}")).await;
    let version = p["version"].as_i64().unwrap();
    assert!(version >= last_version, "acknowledged edit (version {last_version}) survived: now {version}");
    if last_version > 0 {
        let name = p["given_name"].as_str().unwrap();
        assert!(
            name.starts_with("Crashtest") && name["Crashtest".len()..].parse::<u32>().is_ok(),
            "name and version moved together: {name}"
        );
    }
    let out = hearth(db, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "audit chain after the crash: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

both_backends!(blocking: loses_no_acknowledged_write_when_killed_mid_load);

/// On a runtime of four workers, so the writers and the kill run side by side.
fn loses_no_acknowledged_write_when_killed_mid_load(backend: Backend) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    rt.block_on(async {
        let db = hearth_testkit::database(backend).await;
        crash_and_recover(&db.url).await;
        db.remove().await;
    });
}
