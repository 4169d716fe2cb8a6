//! Hearth's real router on a loopback port over a fresh gate.

use crate::db::{Backend, Database};
use crate::gate::{fresh_gate_with, PASSWORD};
use hearth_domain::staff::StaffRole;
use hearth_gate::Gate;
use hearth_store::Store;
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};

/// The equality-monitoring key [`start_keyed`] gives the gate (a test key, protecting nothing).
pub const TEST_EDI_KEY: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

/// A running server: its address, a plain client, and the gate and store
/// it serves, with one staff account per role (password [`PASSWORD`]).
pub struct TestServer {
    pub base: String,
    pub client: Client,
    pub store: Store,
    pub gate: Gate,
    pub backend: Backend,
    /// The database URL the store opened, for tests that reach the database around Hearth
    /// (dumping the raw database, proving a trigger refuses a raw UPDATE).
    pub database_url: String,
    db: Database,
}

pub async fn start(backend: Backend) -> TestServer {
    start_with(backend, hearth_gate::BREAK_GLASS_DEFAULT).await
}

/// Starts a server whose break-glass grants last `break_glass`.
pub async fn start_with(backend: Backend, break_glass: jiff::SignedDuration) -> TestServer {
    start_configured(backend, |g| g.with_break_glass_for(break_glass)).await
}

/// Starts a server with the given per-address limits.
pub async fn start_limited(backend: Backend, limits: hearth_http::Limits) -> TestServer {
    start_full(backend, |g| g, limits).await
}

/// Starts a server whose gate `configure` sets up (document storage, limits…).
pub async fn start_configured(backend: Backend, configure: impl FnOnce(Gate) -> Gate) -> TestServer {
    start_full(backend, configure, hearth_http::Limits::default()).await
}

/// A server whose gate has an equality-monitoring key ([`TEST_EDI_KEY`]), so captures can be recorded.
pub async fn start_keyed(backend: Backend) -> TestServer {
    start_configured(backend, |g| g.with_edi_key(hearth_gate::edi::EdiKey::from_hex(TEST_EDI_KEY).unwrap())).await
}

async fn start_full(backend: Backend, configure: impl FnOnce(Gate) -> Gate, limits: hearth_http::Limits) -> TestServer {
    let t = fresh_gate_with(backend, configure).await;
    let app = hearth_http::router_with(t.gate.clone(), limits).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    TestServer {
        base: format!("http://{addr}"),
        client: Client::new(),
        store: t.store,
        gate: t.gate,
        backend,
        database_url: t.db.url.clone(),
        db: t.db,
    }
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A bearer token for the account named after `role`.
    pub async fn token(&self, role: StaffRole) -> String {
        self.token_for(role.as_str()).await
    }

    /// A bearer token for the account `username` (password [`PASSWORD`]).
    pub async fn token_for(&self, username: &str) -> String {
        let r = self
            .client
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "token for {username}");
        r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
    }

    pub async fn call(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        split(r).await
    }

    /// POSTs `body` and fails unless the answer is 201 Created; returns the body.
    pub async fn created(&self, token: &str, path: &str, body: Value) -> Value {
        let (st, v) = self.call(token, Method::POST, path, Some(body)).await;
        assert_eq!(st, StatusCode::CREATED, "POST {path}: {v}");
        v
    }

    /// POSTs `body` and fails unless the answer is 201 Created or 200 OK (a
    /// change to a record answers 200); returns the body.
    pub async fn post_ok(&self, token: &str, path: &str, body: Value) -> Value {
        let (st, v) = self.call(token, Method::POST, path, Some(body)).await;
        assert!(st == StatusCode::CREATED || st == StatusCode::OK, "POST {path}: {st} {v}");
        v
    }

    /// The directory holding the SQLite database files (None on PostgreSQL), for tests that read the raw bytes.
    pub fn sqlite_dir(&self) -> Option<&std::path::Path> {
        self.db.sqlite_dir()
    }

    pub async fn count(&self, table: hearth_store::Table) -> i64 {
        self.store.count(table).await.unwrap()
    }
}

pub async fn split(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().await.unwrap();
    let v = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, v)
}

/// The fields a problem body names.
pub fn problem_fields(v: &Value) -> Vec<String> {
    v["errors"].as_array().map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect()).unwrap_or_default()
}

/// The memorable word [`give_memorable_word`] sets.
pub const MEMORABLE_WORD: &str = "plainly fake teapot";

/// Gives the person a memorable word (straight into the database: test
/// set-up, not the behaviour under test) and returns their full name, the
/// two answers [`check_caller`] gives.
pub async fn give_memorable_word(s: &TestServer, person_id: i64) -> String {
    let hash = hearth_gate::auth::hash_password(&hearth_domain::representatives::normalise_words(MEMORABLE_WORD));
    let mut tx = s.store.begin().await.unwrap();
    hearth_store::representatives::set_memorable_word(&mut tx, person_id, &hash, jiff::Timestamp::now()).await.unwrap();
    let p = hearth_store::people::person(&mut tx, person_id).await.unwrap();
    tx.commit().await.unwrap();
    p.full_name()
}

/// Records a caller check by the token's user for the person, as a
/// contact-centre advisor must before reading anything of theirs but the
/// name: the caller gives their memorable word and full name, which Hearth
/// compares with what it holds.
pub async fn check_caller(s: &TestServer, token: &str, person_id: i64) {
    let name = give_memorable_word(s, person_id).await;
    let body = serde_json::json!({"answers": {"memorable_word": MEMORABLE_WORD, "full_name": name}});
    let (st, c) = s.call(token, Method::POST, &format!("/api/v1/people/{person_id}/caller-checks"), Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "caller check: {c}");
}

/// The same from a signed-in browser.
pub async fn check_caller_ui(s: &TestServer, c: &Client, csrf: &str, person_id: i64) {
    let name = give_memorable_word(s, person_id).await;
    let r = c
        .post(s.url(&format!("/people/{person_id}/caller-check")))
        .form(&[("_csrf", csrf), ("memorable_word", MEMORABLE_WORD), ("full_name", &name), ("area", "account")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "caller check");
}

/// Generates a draft access bundle for the request and releases it as it
/// stands (the review is tested in bundle.rs); returns the release.
pub async fn release_bundle(s: &TestServer, dpo: &str, request_id: i64) -> Value {
    let (st, d) = s.call(dpo, Method::POST, &format!("/api/v1/rights-requests/{request_id}/bundle-drafts"), None).await;
    assert_eq!(st, StatusCode::CREATED, "draft: {d}");
    let body = serde_json::json!({"version": d["version"]});
    let (st, r) = s.call(dpo, Method::POST, &format!("/api/v1/bundle-drafts/{}/release", d["id"]), Some(body)).await;
    assert_eq!(st, StatusCode::OK, "release: {r}");
    r
}
