//! The signed-in staff member's notifications, e.g. a line manager told
//! that one of their staff ended a call over an unconsented recording.
//! Only the recipient ever sees a notification; they name records by id.

use crate::shell::layout::page;
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::UiSession;
use crate::shell::words::uk_time;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

pub async fn list(State(s): State<AppState>, session: UiSession) -> Response {
    let items = match s.gate.notifications(&session.actor).await {
        Ok(n) => n,
        Err(e) => return error_page(&session, e),
    };
    let title = "Notifications";
    respond(
        StatusCode::OK,
        page(
            title,
            &chrome(&session),
            false,
            html! {
                h1 class="govuk-heading-l" { (title) }
                @if items.is_empty() {
                    p class="govuk-body" { "You have no notifications." }
                } @else {
                    ul class="govuk-list govuk-list--spaced" id="notifications" {
                        @for n in &items {
                            li {
                                strong { (n.kind.label()) }
                                br;
                                (n.message)
                                br;
                                span class="govuk-body-s" { time datetime=(n.created_at) { (uk_time(n.created_at)) } }
                            }
                        }
                    }
                }
            },
        ),
    )
}
