//! The front door in the API: any member of staff records a rights request,
//! a complaint or an ASB report as it arrives. The answer is a receipt (the
//! reference and the due date), not the record: reading it stays with the
//! DPO or the owning team. The gate decides and audits the call.

use super::{ApiActor, ApiJson};
use crate::problem::ApiResult;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::front_door::FrontDoorInput;
use hearth_gate::front_door::FrontDoorReceipt;

/// Records a request that came in by any channel: `kind` rights_request
/// (with `right`), complaint or asb_report (with `summary`). Its clock runs
/// from `received_on`; whoever answers it is told.
#[utoipa::path(post, path = "/api/v1/front-door", request_body = FrontDoorInput,
    responses((status = 201, body = FrontDoorReceipt), (status = 403, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn receive(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<FrontDoorInput>,
) -> ApiResult<(StatusCode, Json<FrontDoorReceipt>)> {
    Ok((StatusCode::CREATED, Json(s.gate.receive_request(&a, &input).await?)))
}
