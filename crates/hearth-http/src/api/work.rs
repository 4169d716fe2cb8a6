//! API handler for the caller's own work list: the same as the home page.

use super::ApiActor;
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use hearth_gate::work::MyWork;

/// The caller's work, due and overdue first: their open follow-ups (the
/// action and person only where they may read the entry), open cases
/// assigned to them, reviews due and rights requests. A part their role has
/// no use of is `null`.
#[utoipa::path(get, path = "/api/v1/me/work", responses((status = 200, body = MyWork), (status = 401, body = Problem)))]
pub async fn my_work(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<MyWork>> {
    Ok(Json(s.gate.my_work(&a).await?))
}
