//! A browser-like client for the web UI.

use crate::gate::PASSWORD;
use crate::server::TestServer;
use reqwest::{Client, StatusCode};

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
    assert_eq!(r.headers()["location"], "/", "staff land on their home page");
    let home = c.get(s.url("/")).send().await.unwrap().text().await.unwrap();
    field(&home, "_csrf")
}

/// GET a page: its status and body.
pub async fn get(s: &TestServer, c: &Client, path: &str) -> (StatusCode, String) {
    let r = c.get(s.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}
