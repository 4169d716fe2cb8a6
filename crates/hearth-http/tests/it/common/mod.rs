//! Test harness: starts Hearth's real router on a loopback port over a fresh
//! database — a temporary SQLite file, or a new PostgreSQL database on the
//! server named by HEARTH_TEST_POSTGRES_URL — with one staff account per role.
//! `both_backends!` runs one test body against each engine.

#![allow(dead_code)]

use hearth_domain::staff::StaffRole;
use hearth_gate::{Gate, Policy};
use hearth_store::Store;
use rand::Rng;
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};

pub const PASSWORD: &str = "test-password-123";

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestServer {
    pub base: String,
    pub client: Client,
    pub store: Store,
    pub gate: Gate,
    pub backend: Backend,
    /// The database URL the store opened, for tests that reach the database around Hearth
    /// (dumping the raw database, proving a trigger refuses a raw UPDATE).
    pub database_url: String,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh, empty PostgreSQL database on the test server; the suite must
/// never skip PostgreSQL silently, so a missing URL fails the test.
async fn fresh_postgres() -> String {
    let admin_url = std::env::var("HEARTH_TEST_POSTGRES_URL")
        .expect("HEARTH_TEST_POSTGRES_URL must name a PostgreSQL server for the tests (e.g. postgres://postgres@127.0.0.1:5432/postgres)");
    let name = format!("hearth_t_{:016x}", rand::thread_rng().gen::<u64>());
    Store::create_postgres_database(&admin_url, &name).await.expect("create a test database on HEARTH_TEST_POSTGRES_URL")
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

async fn start_full(backend: Backend, configure: impl FnOnce(Gate) -> Gate, limits: hearth_http::Limits) -> TestServer {
    let (url, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            (format!("sqlite://{}", dir.path().join("hearth.db").display()), Some(dir))
        }
        Backend::Postgres => (fresh_postgres().await, None),
    };
    let store = Store::open(&url).await.expect("open store");
    let gate = configure(Gate::new(store.clone(), Policy::shipped().expect("shipped policies are valid")));
    for role in StaffRole::ALL {
        gate.add_user(role.as_str(), &format!("Test {}", role.label()), *role, &[], PASSWORD).await.unwrap();
    }
    let app = hearth_http::router_with(gate.clone(), limits).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    TestServer { base: format!("http://{addr}"), client: Client::new(), store, gate, backend, database_url: url, _dir: dir }
}

/// Runs an async test body `fn(TestServer)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::start($crate::common::Backend::Sqlite).await).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::start($crate::common::Backend::Postgres).await).await
                }
            }
        )+
    };
}

/// A server whose gate has an equality-monitoring key, so captures can be recorded.
pub async fn start_keyed(backend: Backend) -> TestServer {
    start_configured(backend, |g| g.with_edi_key(hearth_gate::edi::EdiKey::from_hex(&"5a".repeat(32)).unwrap())).await
}

/// [`both_backends!`] on servers with an equality key ([`start_keyed`]).
#[macro_export]
macro_rules! keyed_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::start_keyed($crate::common::Backend::Sqlite).await).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::start_keyed($crate::common::Backend::Postgres).await).await
                }
            }
        )+
    };
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A bearer token for the account named after `role`.
    pub async fn token(&self, role: StaffRole) -> String {
        let r = self
            .client
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"username": role.as_str(), "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "token for {role}");
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

    /// The directory holding the SQLite database files (None on PostgreSQL), for tests that read the raw bytes.
    pub fn sqlite_dir(&self) -> Option<&std::path::Path> {
        self._dir.as_ref().map(|d| d.path())
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

// ---- a browser-like client for the web UI ----

/// A client that keeps cookies and does not follow redirects, so tests see them.
pub fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The value of a hidden or text input named `name` in a page.
pub fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} in page")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Signs `username` in through the login form; returns the session's CSRF token.
pub async fn sign_in(s: &TestServer, c: &Client, username: &str) -> String {
    let page = c.get(s.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = field(&page, "_csrf");
    let r = c.post(s.url("/login")).form(&[("_csrf", csrf.as_str()), ("username", username), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username} signs in");
    assert_eq!(r.headers()["location"], "/search");
    let search = c.get(s.url("/search")).send().await.unwrap().text().await.unwrap();
    field(&search, "_csrf")
}

/// GET a page: its status and body.
pub async fn get(s: &TestServer, c: &Client, path: &str) -> (StatusCode, String) {
    let r = c.get(s.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
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

/// The text of a PDF, as `pdftotext` (poppler-utils) extracts it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed for the PDF tests");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Fails if `text` (a response meant for a person) holds an ISO date or
/// timestamp, a snake_case code value, or an internal id or configuration
/// reference.
pub fn assert_readable(text: &str) {
    let b = text.as_bytes();
    for i in 0..b.len().saturating_sub(9) {
        let iso = b[i..i + 10].iter().enumerate().all(|(k, c)| if k == 4 || k == 7 { *c == b'-' } else { c.is_ascii_digit() });
        assert!(!iso, "an ISO date at {:?}", &text[i.saturating_sub(40)..(i + 40).min(text.len())]);
    }
    for word in text.split(|c: char| c.is_whitespace() || ",;:()“”\"'".contains(c)) {
        let snake = word.contains('_') && word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        assert!(!snake, "a code value {word:?} in {text}");
    }
    for line in text.lines().map(str::trim) {
        let l = line.to_lowercase();
        assert!(l != "id" && !l.ends_with(" id") && l != "version" && !l.starts_with("version "), "an internal field {line:?}");
        assert!(!l.contains("seed 0") && !l.contains("config/") && !l.contains(".json"), "a configuration reference {line:?}");
    }
}
