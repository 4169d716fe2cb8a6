//! Hearth's HTTP surfaces: the JSON API under `/api/v1` (with its OpenAPI
//! document), SCIM 2.0 provisioning under `/scim/v2`, and the staff web UI,
//! all served by one axum router.
//!
//! Owns: turning requests into gate calls and gate answers into responses
//! (JSON problem bodies, GOV.UK pages). It must never reach the store for
//! personal data: every handler calls the [`Gate`], which decides and audits.

pub mod api;
pub mod assets;
pub mod export;
pub mod problem;
pub mod scim;
pub mod security;
pub mod shell;
pub mod sso;
pub mod throttle;
pub mod ui;
pub mod upload;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hearth_gate::Gate;

/// Largest request body accepted: generous for forms and JSON records, small
/// enough that a flood of large bodies cannot exhaust memory.
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    /// Shared, not copied: axum clones the state for every request, and the
    /// gate carries the register, calendars and other configuration.
    pub gate: Arc<Gate>,
    pub throttles: Arc<Throttles>,
    /// Single sign-on, when the identity file configures it.
    pub sso: Option<Arc<sso::Sso>>,
}

/// Limits on how hard one client address may push.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failed sign-ins from one address per 15 minutes before it must wait.
    pub failed_sign_ins_per_address: u32,
    /// API requests from one address per minute (0: no limit).
    pub api_requests_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        // Generous: a contact centre behind one NAT address shares the API limit.
        Limits { failed_sign_ins_per_address: 20, api_requests_per_minute: 6000 }
    }
}

#[derive(Debug)]
pub struct Throttles {
    pub failed_sign_ins: throttle::Throttle,
    pub api_requests: throttle::Throttle,
}

/// The whole application with the default limits.
pub fn router(gate: Gate) -> Router {
    router_with(gate, Limits::default())
}

/// The whole application: API, UI, static assets and security headers.
/// Serve it with connection info (`into_make_service_with_connect_info`)
/// so the per-address limits see each client's address.
pub fn router_with(gate: Gate, limits: Limits) -> Router {
    let throttles = Throttles {
        failed_sign_ins: throttle::Throttle::new(limits.failed_sign_ins_per_address, Duration::from_secs(15 * 60)),
        api_requests: throttle::Throttle::new(limits.api_requests_per_minute, Duration::from_secs(60)),
    };
    // Document uploads get their own, larger limit (see `upload`).
    let upload_limit = upload::body_limit(gate.max_document_bytes());
    let sso = gate.identity().oidc.clone().map(|settings| {
        // main checks the file at start-up; here a missing secret only fails sign-ins.
        let secret = std::fs::read_to_string(&settings.client_secret_file).unwrap_or_else(|e| {
            tracing::error!(file = %settings.client_secret_file, error = %e, "single sign-on: the client secret file cannot be read");
            String::new()
        });
        Arc::new(sso::Sso::new(settings, secret))
    });
    let state = AppState { gate: Arc::new(gate), throttles: Arc::new(throttles), sso };
    Router::new()
        .nest(
            "/api/v1",
            api::routes(upload_limit)
                .layer(axum::middleware::from_fn_with_state(state.clone(), api::reads_audited_once))
                .layer(axum::middleware::from_fn_with_state(state.clone(), api::rate_limit)),
        )
        .nest(
            "/scim/v2",
            scim::routes()
                .layer(axum::middleware::from_fn_with_state(state.clone(), api::reads_audited_once))
                .layer(axum::middleware::from_fn_with_state(state.clone(), api::rate_limit)),
        )
        .merge(ui::routes(upload_limit).layer(axum::middleware::from_fn_with_state(state.clone(), shell::respond::reads_audited_once)))
        .merge(assets::routes())
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}

/// Adds `Strict-Transport-Security` to every answer: for a server that
/// speaks HTTPS itself, so browsers never fall back to plain HTTP.
pub fn with_hsts(app: Router) -> Router {
    app.layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
        axum::http::header::STRICT_TRANSPORT_SECURITY,
        axum::http::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
    ))
}
