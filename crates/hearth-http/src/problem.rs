//! JSON problem bodies (RFC 9457) for API errors, always naming the field at
//! fault when there is one, and never echoing data the caller may not see.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hearth_domain::error::FieldError;
use hearth_gate::GateError;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The fields at fault, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds until a throttled request may be retried (sent as `Retry-After`).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: vec![],
            retry_after: None,
        }
    }

    pub fn field(status: StatusCode, kind: &str, title: &str, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Problem { errors: vec![FieldError::new(field, message.clone())], ..Problem::new(status, kind, title, message) }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = (status, axum::Json(&self)).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, "application/problem+json".parse().expect("static header"));
        if let Some(secs) = self.retry_after {
            r.headers_mut().insert(header::RETRY_AFTER, secs.into());
        }
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("static header"));
        }
        r
    }
}

impl From<GateError> for Problem {
    fn from(e: GateError) -> Self {
        match e {
            GateError::Invalid(v) => Problem {
                errors: v.0.clone(),
                ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Some fields are not valid", v.to_string())
            },
            GateError::Denied { .. } => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", e.to_string()),
            GateError::Unauthenticated => {
                Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Sign in required", "Send a valid bearer token")
            }
            GateError::Throttled { retry_after } => Problem {
                retry_after: Some(retry_after.as_secs().max(1) as u64),
                ..Problem::new(StatusCode::TOO_MANY_REQUESTS, "throttled", "Too many attempts", e.to_string())
            },
            GateError::NotFound => Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", "No such record"),
            GateError::Disposed { .. } => Problem::new(StatusCode::GONE, "disposed", "Removed by retention", e.to_string()),
            GateError::Restricted { .. } => {
                Problem::field(StatusCode::CONFLICT, "restricted", "Processing restricted", "restriction", e.to_string())
            }
            GateError::EdiDisabled(_) => {
                Problem::new(StatusCode::CONFLICT, "edi-disabled", "Equality monitoring unavailable", e.to_string())
            }
            GateError::SignInRefused(_) => Problem::new(StatusCode::FORBIDDEN, "sign-in-refused", "Sign-in refused", e.to_string()),
            GateError::Conflict => Problem::field(StatusCode::CONFLICT, "conflict", "Edit conflict", "version", e.to_string()),
            GateError::Comms(err) => {
                // A template the operator changed; start-up checks them, so this is rare.
                tracing::error!(error = %err, "letter rendering failed");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "letter-failed",
                    "The letter could not be made",
                    "Nothing was sent or saved",
                )
            }
            GateError::Store(err) => {
                tracing::error!(error = %err, "storage failure");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong",
                    "The request was not completed; nothing was saved",
                )
            }
        }
    }
}

impl From<hearth_domain::error::ValidationErrors> for Problem {
    fn from(e: hearth_domain::error::ValidationErrors) -> Self {
        GateError::Invalid(e).into()
    }
}

pub type ApiResult<T> = Result<T, Problem>;
