//! Who is signed in to the web UI and what a posted form must carry: the
//! session cookie (HttpOnly, SameSite=Strict, Secure except on plain
//! loopback development), the [`UiSession`] extractor, and [`Posted`], which
//! lets a form through only with the session's CSRF token from this site.

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::access::{Action, Compartment};
use hearth_domain::staff::SessionKind;
use hearth_gate::Actor;
use serde::Deserialize;

pub const SESSION_COOKIE: &str = "hearth_session";
pub const LOGIN_CSRF_COOKIE: &str = "hearth_login_csrf";

/// Where a session that must set up two-step sign-in is sent.
pub const TWO_STEP_SETUP: &str = "/account/two-step";

/// What a session that must set up two-step sign-in may still reach: the
/// set-up itself, its account page and signing out.
const BEFORE_TWO_STEP: &[&str] = &[TWO_STEP_SETUP, "/account", "/logout", "/logout-everywhere"];

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Plain-HTTP loopback (a developer's machine) cannot keep Secure cookies in
/// every browser; anywhere else the cookie is Secure.
fn is_loopback_host(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let name = host.rsplit_once(':').map(|(h, p)| if p.chars().all(|c| c.is_ascii_digit()) { h } else { host }).unwrap_or(host);
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

pub(crate) fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age_secs: i64) -> (header::HeaderName, HeaderValue) {
    let secure = if is_loopback_host(headers) { "" } else { "; Secure" };
    let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}");
    (header::SET_COOKIE, HeaderValue::from_str(&v).expect("cookie is ascii"))
}

/// A cookie the browser must bring back from another site's redirect (the
/// identity provider's, to the single sign-on callback): SameSite=Lax, and
/// sent only to `path`.
pub(crate) fn set_lax_cookie(
    headers: &HeaderMap,
    name: &str,
    value: &str,
    max_age_secs: i64,
    path: &str,
) -> (header::HeaderName, HeaderValue) {
    let secure = if is_loopback_host(headers) { "" } else { "; Secure" };
    let v = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    (header::SET_COOKIE, HeaderValue::from_str(&v).expect("cookie is ascii"))
}

/// Refuses a form post from another site: its Origin, when sent, must be ours.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    origin.split_once("://").is_some_and(|(_, rest)| rest == host)
}

/// Constant-time comparison so a token cannot be guessed byte by byte.
pub(crate) fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A signed-in staff member in the web UI.
pub struct UiSession {
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
    /// May read the break-glass review list, so the navigation offers it.
    pub reviewer: bool,
    /// May list rights requests and breaches, so the navigation offers them.
    pub registers: bool,
    /// May list staff accounts, so the navigation offers them.
    pub staff: bool,
    /// May search for customers, so the header offers the search box.
    pub search: bool,
    /// The path of the page asked for, so the menu can mark it.
    pub path: String,
}

impl UiSession {
    /// Checks a posted form's CSRF token and origin.
    pub fn check_form(&self, headers: &HeaderMap, posted: &str) -> Result<(), FormRefused> {
        if same_origin(headers) && tokens_match(posted, &self.csrf) {
            Ok(())
        } else {
            Err(FormRefused)
        }
    }
}

/// A form posted by a signed-in user, let through only when it carries that
/// session's CSRF token and comes from this site. Handlers take this instead
/// of a session and a form, so no handler can forget the check.
pub struct Posted<T>(pub UiSession, pub T);

/// A form that carries the `_csrf` hidden field.
pub trait CsrfToken {
    fn csrf_token(&self) -> &str;
}

/// Implements [`CsrfToken`] for forms with a `_csrf: String` field.
macro_rules! csrf_forms {
    ($($t:ty),+ $(,)?) => {
        $(impl $crate::shell::session::CsrfToken for $t {
            fn csrf_token(&self) -> &str {
                &self._csrf
            }
        })+
    };
}
pub(crate) use csrf_forms;

impl<T: serde::de::DeserializeOwned + CsrfToken + Send> axum::extract::FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let session = UiSession::from_request_parts(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let axum::Form(form) = axum::Form::<T>::from_request(axum::extract::Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        session.check_form(&headers, form.csrf_token()).map_err(IntoResponse::into_response)?;
        Ok(Posted(session, form))
    }
}

/// A form post without this session's CSRF token, or from another site.
pub struct FormRefused;

impl IntoResponse for FormRefused {
    fn into_response(self) -> Response {
        (StatusCode::FORBIDDEN, "This form has expired or came from another site. Go back, reload the page and try again.").into_response()
    }
}

impl FromRequestParts<AppState> for UiSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_string) else {
            return Err(Redirect::to("/login").into_response());
        };
        match state.gate.session(&token, SessionKind::Web).await {
            Ok(s) if s.must_set_up_two_step && !BEFORE_TWO_STEP.contains(&parts.uri.path()) => {
                Err(Redirect::to(TWO_STEP_SETUP).into_response())
            }
            Ok(s) => {
                let reviewer = state.gate.may(&s.actor, Action::List, Compartment::Audit);
                let registers = state.gate.may(&s.actor, Action::List, Compartment::Rights);
                let staff = state.gate.may(&s.actor, Action::List, Compartment::Staff);
                let search = state.gate.may(&s.actor, Action::List, Compartment::Identity)
                    || state.gate.may_when_related(&s.actor, Action::List, Compartment::Identity);
                let path = parts.uri.path().to_string();
                Ok(UiSession { actor: s.actor, csrf: s.csrf_token, token, reviewer, registers, staff, search, path })
            }
            Err(_) => Err(Redirect::to("/login").into_response()),
        }
    }
}

/// A form with only the CSRF token (sign out, approve).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    _csrf: String,
}

csrf_forms!(CsrfForm);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; hearth_session=abc; b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn cookies_are_secure_unless_on_loopback() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(!set_cookie(&h, "x", "y", 1).1.to_str().unwrap().contains("Secure"));
        h.insert(header::HOST, HeaderValue::from_static("hearth.example.org"));
        assert!(set_cookie(&h, "x", "y", 1).1.to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn cross_origin_posts_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("hearth.example.org"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example.com"));
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("https://hearth.example.org"));
        assert!(same_origin(&h));
    }
}
