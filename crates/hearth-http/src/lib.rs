//! Hearth's HTTP surfaces: the JSON API under `/api/v1` (with its OpenAPI
//! document) and the staff web UI, both served by one axum router.
//!
//! Owns: turning requests into gate calls and gate answers into responses
//! (JSON problem bodies, GOV.UK pages). It must never reach the store for
//! personal data: every handler calls the [`Gate`], which decides and audits.

pub mod api;
pub mod assets;
pub mod problem;
pub mod security;
pub mod ui;

use axum::Router;
use hearth_gate::Gate;

/// Largest request body accepted: generous for forms and JSON records, small
/// enough that a flood of large bodies cannot exhaust memory.
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub gate: Gate,
}

/// The whole application: API, UI, static assets and security headers.
pub fn router(gate: Gate) -> Router {
    let state = AppState { gate };
    Router::new()
        .nest("/api/v1", api::routes())
        .merge(ui::routes())
        .merge(assets::routes())
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}
