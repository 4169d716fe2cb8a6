//! The staff web UI: GOV.UK pages rendered on the server, working without
//! JavaScript. Sign-in uses a session cookie (HttpOnly, SameSite=Strict,
//! Secure except on plain loopback development); every form carries a CSRF
//! token tied to the session, and cross-origin posts are refused.

mod account;
mod anonymity;
mod breaches;
mod break_glass;
pub(crate) mod bundle;
mod capacity;
mod cases;
mod charts;
mod consent;
mod contacts;
mod documents;
mod edi;
mod history;
mod layout;
mod needs;
mod notifications;
mod pages;
mod representatives;
mod restrictions;
mod retention;
mod review;
mod rights;
mod sharing;

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use hearth_domain::access::{Action, Compartment};
use hearth_domain::staff::SessionKind;
use hearth_gate::Actor;

pub const SESSION_COOKIE: &str = "hearth_session";
pub const LOGIN_CSRF_COOKIE: &str = "hearth_login_csrf";

/// The UI's routes; `upload_limit` is the body limit for document uploads.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/search") }))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/logout-everywhere", post(pages::logout_everywhere))
        .route("/account", get(account::show))
        .route("/account/two-step", get(account::setup).post(account::enable))
        .route("/account/two-step/off", post(account::disable))
        .route("/search", get(pages::search))
        .route("/people/new", get(pages::new_person_form))
        .route("/people", post(pages::create_person))
        .route("/people/{id}", get(pages::person_page))
        .route("/people/{id}/history", get(history::person_history_page))
        .route("/people/{id}/capacity", get(capacity::show))
        .route("/people/{id}/capacity-assessments", post(capacity::assess))
        .route("/people/{id}/best-interests-shares", post(capacity::share))
        .route("/removals", get(capacity::removals))
        .route("/removals/{id}", post(capacity::remove))
        .route("/people/{id}/consent", get(consent::show).post(consent::record))
        .route("/people/{id}/contact-preferences", post(consent::preferences))
        .route("/people/{id}/objections", post(consent::object))
        .route("/objections/{id}/withdraw", post(consent::withdraw))
        .route("/people/{id}/caller-check", get(representatives::check_page).post(representatives::record_check))
        .route("/people/{id}/memorable-word", get(representatives::word_form).post(representatives::set_word))
        .route("/people/{id}/representatives", post(representatives::add_rep))
        .route("/people/{id}/representatives/new", get(representatives::new_rep_form))
        .route("/representatives/{id}/end", post(representatives::end))
        .route("/people/{id}/restriction", post(restrictions::place))
        .route("/people/{id}/restriction/lift", post(restrictions::lift))
        .route("/people/{id}/edi/new", get(edi::new_form))
        .route("/people/{id}/edi", post(edi::record))
        .route("/edi/coverage", get(edi::coverage))
        .route("/edi/coverage.csv", get(edi::coverage_csv))
        .route("/edi/equity", get(edi::equity))
        .route("/edi/equity.csv", get(edi::equity_csv))
        .route("/people/{id}/contacts", get(contacts::list).post(contacts::log_contact))
        .route("/people/{id}/contacts/new", get(contacts::new_contact_form))
        .route("/people/{id}/follow-ups/{follow_up}/done", post(contacts::follow_up_done))
        .route("/people/{id}/contacts/{entry}/recording", get(contacts::new_recording_form).post(contacts::record_recording))
        .route("/people/{id}/documents", post(documents::upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)))
        .route("/people/{id}/documents/new", get(documents::new_document_form))
        .route("/documents/{id}/download", get(documents::download))
        .route("/notifications", get(notifications::list))
        .route("/people/{id}/edit", get(pages::edit_person_form).post(pages::edit_person))
        .route("/people/{id}/contact-points/new", get(pages::new_contact_form).post(pages::add_contact))
        .route("/contact-points/{id}/edit", get(pages::edit_contact_form).post(pages::edit_contact))
        .route("/people/{id}/break-glass", post(break_glass::break_glass))
        .route("/break-glass", get(break_glass::review_list))
        .route("/break-glass/{id}/review", post(break_glass::review))
        .route("/support-grants", get(break_glass::support_grants))
        .route("/cases", get(cases::list).post(cases::open_case))
        .route("/cases/new", get(cases::new_case_form))
        .route("/cases/{id}", get(cases::case_page))
        .route("/cases/{id}/changes", post(cases::change_case))
        .route("/cases/{id}/letters/{person_id}", get(anonymity::letter_page))
        .route("/cases/{id}/anonymity-overrides", post(anonymity::request))
        .route("/anonymity-overrides", get(anonymity::register))
        .route("/anonymity-overrides/{id}/approve", post(anonymity::approve))
        .route("/sharing-agreements", get(sharing::agreements).post(sharing::create_agreement))
        .route("/sharing-agreements/new", get(sharing::new_agreement_form))
        .route("/sharing-agreements/{id}/end", post(sharing::end_agreement))
        .route("/disclosures", get(sharing::register).post(sharing::record_request))
        .route("/disclosures/new", get(sharing::new_request_form))
        .route("/disclosures/{id}", get(sharing::disclosure_page))
        .route("/disclosures/{id}/decision", post(sharing::decide))
        .route("/disclosures/{id}/corrections", post(sharing::correct))
        .route("/rights", get(rights::list).post(rights::log_request))
        .route("/rights/new", get(rights::new_request_form))
        .route("/rights/{id}", get(rights::request_page))
        .route("/rights/{id}/changes", post(rights::change_request))
        .route("/rights/{id}/bundle", get(bundle::bundle_page))
        .route("/rights/{id}/bundle-drafts", post(review::create))
        .route("/rights/drafts/{id}", get(review::review))
        .route("/rights/drafts/{id}/preview", get(review::preview))
        .route("/rights/drafts/{id}/decide", post(review::decide))
        .route("/rights/drafts/{id}/redact", post(review::redact))
        .route("/rights/drafts/{id}/release", post(review::release))
        .route("/rights/{id}/bundle.json", get(bundle::bundle_json))
        .route("/rights/{id}/bundle.pdf", get(bundle::bundle_pdf_download))
        .route("/rights/{id}/bundle.zip", get(bundle::bundle_zip_download))
        .route("/rights/{id}/erasure", get(bundle::erasure_review_page).post(bundle::carry_out_erasure))
        .route("/rights/{id}/rectifications", get(bundle::rectifications))
        .route("/rights/{id}/portability.json", get(bundle::portability_json))
        .route("/rights/{id}/portability.csv", get(bundle::portability_csv))
        .route("/breaches", get(breaches::list).post(breaches::record_breach))
        .route("/breaches/new", get(breaches::new_breach_form))
        .route("/report-a-breach", get(breaches::report_form).post(breaches::report_breach))
        .route("/breaches/{id}", get(breaches::breach_page))
        .route("/breaches/{id}/changes", post(breaches::change_breach))
        .route("/retention", get(retention::retention))
        .route("/retention/holds", post(retention::place_hold))
        .route("/retention/holds/{id}/release", post(retention::release_hold))
        .route("/retention/certificates.csv", get(retention::certificates_download))
        .route("/cases/{id}/job-sheet", get(needs::job_sheet))
        .route("/people/{id}/needs/new", get(needs::new_need_form))
        .route("/people/{id}/needs", post(needs::record_need))
        .route("/needs/{id}/consent", post(needs::record_consent))
        .route("/needs/{id}/reviewed", post(needs::mark_reviewed))
        .route("/needs/{id}/end", get(needs::end_need_form).post(needs::end_need))
        .route("/people/{id}/adjustments/new", get(needs::new_adjustment_form))
        .route("/people/{id}/adjustments", post(needs::add_adjustment))
        .route("/people/{id}/warning-flags/new", get(needs::new_flag_form))
        .route("/people/{id}/warning-flags", post(needs::add_flag))
        .route("/warning-flags/{id}/acknowledge", post(needs::acknowledge_flag))
        .route("/reviews", get(needs::reviews))
}

/// A page is assembled from several gate calls, each of which audits its
/// reads. For a GET the gate gathers those events and writes them in one
/// transaction once the page is built (`Gate::reading`): one durable commit
/// per page instead of one per section. If they cannot be written, the page
/// is not sent.
pub(crate) async fn reads_audited_once(
    axum::extract::State(s): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if !matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD) {
        return next.run(req).await;
    }
    match s.gate.reading(next.run(req)).await {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %e, "the page's audit events could not be written; the page was not sent");
            let chrome = layout::Chrome { actor: None, csrf: None, reviewer: false, registers: false };
            let title = "Sorry, there is a problem with the service";
            let body = maud::html! { h1 class="govuk-heading-l" { (title) } p class="govuk-body" { "Try again later." } };
            (StatusCode::INTERNAL_SERVER_ERROR, layout::page(title, &chrome, false, body)).into_response()
        }
    }
}

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
        $(impl $crate::ui::CsrfToken for $t {
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
            Ok(s) => {
                let reviewer = state.gate.may(&s.actor, Action::List, Compartment::Audit);
                let registers = state.gate.may(&s.actor, Action::List, Compartment::Rights);
                Ok(UiSession { actor: s.actor, csrf: s.csrf_token, token, reviewer, registers })
            }
            Err(_) => Err(Redirect::to("/login").into_response()),
        }
    }
}

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
