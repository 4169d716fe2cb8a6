//! Pages as responses: the chrome every page is framed in, error pages for a
//! gate's refusal, a form's refusal shown on the record's page again, the
//! `?done=` banner query, and the middleware that writes a page's read
//! events once the page is built.

use super::session::UiSession;
use crate::shell::layout::{page, Chrome};
use crate::AppState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::error::FieldError;
use hearth_gate::GateError;
use maud::{html, Markup};
use serde::Deserialize;

pub fn chrome(s: &UiSession) -> Chrome<'_> {
    Chrome {
        actor: Some(&s.actor),
        csrf: Some(&s.csrf),
        reviewer: s.reviewer,
        registers: s.registers,
        staff: s.staff,
        search: s.search,
        path: &s.path,
    }
}

/// A whole page as a response with a status.
pub fn respond(status: StatusCode, markup: Markup) -> Response {
    (status, markup).into_response()
}

/// Turns a refusal, a missing record or a failure into a page.
pub fn error_page(s: &UiSession, e: GateError) -> Response {
    let (status, title, body) = match &e {
        // The refusal's own words: never the record's compartment or kind,
        // so a hidden record and a missing one give the same page.
        GateError::Denied { .. } => (StatusCode::FORBIDDEN, "You cannot see this", format!("{e}. The attempt has been recorded.")),
        GateError::Restricted { .. } => (
            StatusCode::CONFLICT,
            "Processing restricted",
            format!("{e}. Nothing was saved. Ask the data protection officer if the restriction should be lifted."),
        ),
        GateError::EdiDisabled(_) => (StatusCode::CONFLICT, "Equality monitoring is unavailable", e.to_string()),
        GateError::SignInRefused(_) => (StatusCode::FORBIDDEN, "You cannot sign in to Hearth", e.to_string()),
        GateError::NotFound => (StatusCode::NOT_FOUND, "Page not found", "There is no such record. Check the link or search again.".into()),
        GateError::Disposed { .. } => (StatusCode::GONE, "Removed by retention", e.to_string()),
        GateError::Unauthenticated => return Redirect::to("/login").into_response(),
        other => {
            tracing::error!(error = %other, "page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Sorry, there is a problem with the service", "Nothing was saved. Try again later.".into())
        }
    };
    let refused = matches!(e, GateError::Denied { .. });
    respond(
        status,
        page(
            title,
            &chrome(s),
            false,
            html! {
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { (body) }
                @if refused {
                    // A refusal is not a dead end: say who can help.
                    h2 class="govuk-heading-m" { "What you can do" }
                    ul class="govuk-list govuk-list--bullet" {
                        li { "If you need it for your work, ask the officer the record is assigned to, or your manager." }
                        li { "If someone may be at risk now, open the person's page: where your job allows it you can break the glass there. It is recorded and reviewed." }
                        li { "If you think you should have this access, ask the data protection officer." }
                    }
                }
                p class="govuk-body" { a class="govuk-link" href="/search" { "Find a customer" } }
            },
        ),
    )
}

/// Why a change posted from a record's page came back to it: errors in what
/// was typed (422), or someone else changed the record first (409).
pub struct Refusal {
    status: StatusCode,
    errors: Vec<FieldError>,
}

impl Refusal {
    /// Errors in the form's own fields, found before or by the gate.
    pub fn fields(errors: Vec<FieldError>) -> Self {
        Refusal { status: StatusCode::UNPROCESSABLE_ENTITY, errors }
    }

    /// No error: the page again as it is, for a step that writes nothing
    /// (a picker's search).
    pub fn none() -> Self {
        Refusal { status: StatusCode::OK, errors: vec![] }
    }

    /// One error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::fields(vec![FieldError::new(field, message)])
    }

    /// The gate's refusal of a change to a `noun` ("case", "request"): its
    /// field errors mapped onto the page's inputs by `field`, or the conflict
    /// message. Anything else (denied, not found, failure) is not a form
    /// error and is handed back.
    pub fn from_gate(e: GateError, noun: &str, field: impl Fn(&str) -> String) -> Result<Self, GateError> {
        match e {
            GateError::Invalid(v) => Ok(Self::fields(v.0.into_iter().map(|e| FieldError::new(field(&e.field), e.message)).collect())),
            GateError::Conflict => Ok(Refusal {
                status: StatusCode::CONFLICT,
                errors: vec![FieldError::new(
                    "changes",
                    format!("Someone else changed this {noun} while you were working on it. Check the {noun} as it is now, then make your change again."),
                )],
            }),
            other => Err(other),
        }
    }

    /// The record's page again, as it is now (`load`), with the errors.
    pub async fn page<V>(
        self,
        s: &UiSession,
        load: impl std::future::Future<Output = Result<V, GateError>>,
        render: impl FnOnce(V, &[FieldError]) -> Markup,
    ) -> Response {
        match load.await {
            Ok(v) => respond(self.status, render(v, &self.errors)),
            Err(e) => error_page(s, e),
        }
    }
}

/// The `?action=` query of a record's page: which one of its actions is
/// shown, each form on a view of its own.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionQuery {
    pub action: String,
}

/// The `?done=` query a page is redirected to after a change, naming its banner.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    pub done: Option<String>,
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
            let chrome = Chrome::signed_out();
            let title = "Sorry, there is a problem with the service";
            let body = maud::html! { h1 class="govuk-heading-l" { (title) } p class="govuk-body" { "Try again later." } };
            (StatusCode::INTERNAL_SERVER_ERROR, page(title, &chrome, false, body)).into_response()
        }
    }
}
