//! Static assets compiled into the binary: the vendored govuk-frontend CSS and
//! JavaScript (see `scripts/vendor-assets`) and Hearth's own small files.
//! Nothing is read from disk at run time, so the binary is self-contained.

use crate::AppState;
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/{*path}", get(asset)).route("/favicon.ico", get(favicon))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

async fn asset(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|(p, _)| *p == path) {
        Some((p, bytes)) => {
            ([(header::CONTENT_TYPE, content_type(p)), (header::CACHE_CONTROL, "public, max-age=3600")], *bytes).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn favicon() -> Response {
    asset(Path("favicon.svg".into())).await
}
