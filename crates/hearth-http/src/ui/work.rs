//! The home page, "Your work": the signed-in person's open follow-ups,
//! cases, reviews and rights requests, due and overdue first, from one gate
//! call ([`hearth_gate::Gate::my_work`]). A part the role has no use of is
//! left out, and a role with none (the equality analyst) is pointed to
//! what it can use, so nobody lands on a refusal. Above them, the people
//! the staff member opened most recently, named as the gate decides.

use crate::shell::layout::page;
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::UiSession;
use crate::shell::words::long_date;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hearth_domain::access::{Action, Compartment};
use hearth_domain::contacts::MyFollowUp;
use hearth_domain::rights::WorkState;
use hearth_gate::work::{MyWork, RecentPerson, WorkCase};
use maud::{html, Markup};

fn overdue_tag(late: bool) -> Markup {
    html! { @if late { " " strong class="govuk-tag govuk-tag--red" { "Overdue" } } }
}

fn follow_ups_table(items: &[MyFollowUp]) -> Markup {
    html! {
        table class="govuk-table" id="follow-ups" {
            caption class="govuk-table__caption govuk-table__caption--m" { "Your follow-ups" }
            thead class="govuk-table__head" { tr class="govuk-table__row" {
                th scope="col" class="govuk-table__header" { "Person" }
                th scope="col" class="govuk-table__header" { "Action" }
                th scope="col" class="govuk-table__header" { "Due" }
            } }
            tbody class="govuk-table__body" {
                @for f in items {
                    tr class="govuk-table__row" {
                        td class="govuk-table__cell" {
                            @match (f.person_id, &f.person_name) {
                                (Some(id), Some(name)) => a class="govuk-link" href={ "/people/" (id) "#contact-history" } { (name) },
                                _ => "Not shown",
                            }
                        }
                        td class="govuk-table__cell" {
                            @match &f.action {
                                Some(a) => (a),
                                // The owner may not read the entry: they learn only that work is due.
                                None => "On a contact you cannot see. Ask the colleague who logged it.",
                            }
                        }
                        td class="govuk-table__cell" { (long_date(f.due_on)) (overdue_tag(f.overdue)) }
                    }
                }
            }
        }
    }
}

fn cases_table(cases: &[WorkCase]) -> Markup {
    html! {
        table class="govuk-table" id="cases" {
            caption class="govuk-table__caption govuk-table__caption--m" { "Your open cases" }
            thead class="govuk-table__head" { tr class="govuk-table__row" {
                th scope="col" class="govuk-table__header" { "Reference" }
                th scope="col" class="govuk-table__header" { "Kind" }
                th scope="col" class="govuk-table__header" { "Summary" }
                th scope="col" class="govuk-table__header" { "Due" }
            } }
            tbody class="govuk-table__body" {
                @for w in cases {
                    tr class="govuk-table__row" {
                        td class="govuk-table__cell" { a class="govuk-link" href={ "/cases/" (w.case.id) } { (w.case.reference) } }
                        td class="govuk-table__cell" { (w.case.kind.label()) }
                        td class="govuk-table__cell" { (w.case.summary) }
                        td class="govuk-table__cell" { (w.due_on.map(long_date).unwrap_or_else(|| "Not set".into())) (overdue_tag(w.overdue)) }
                    }
                }
            }
        }
    }
}

fn reviews_table(items: &[hearth_domain::needs::ReviewItem]) -> Markup {
    html! {
        table class="govuk-table" id="reviews" {
            caption class="govuk-table__caption govuk-table__caption--m" { "Reviews due" }
            thead class="govuk-table__head" { tr class="govuk-table__row" {
                th scope="col" class="govuk-table__header" { "Person" }
                th scope="col" class="govuk-table__header" { "Record" }
                th scope="col" class="govuk-table__header" { "Review by" }
            } }
            tbody class="govuk-table__body" {
                @for i in items {
                    tr class="govuk-table__row" {
                        td class="govuk-table__cell" {
                            @let anchor = if i.record_type == "need" { format!("need-{}", i.id) } else { format!("flag-{}", i.id) };
                            a class="govuk-link" href={ "/people/" (i.person_id) "#" (anchor) } { (i.person_name) }
                        }
                        td class="govuk-table__cell" { (if i.record_type == "need" { "Need: " } else { "Warning flag: " }) (i.what) }
                        td class="govuk-table__cell" { (long_date(i.review_date)) (overdue_tag(i.overdue)) }
                    }
                }
            }
        }
    }
}

fn recent_list(recent: &[RecentPerson]) -> Markup {
    html! {
        h2 class="govuk-heading-m" { "Recently viewed people" }
        @if recent.is_empty() {
            p class="govuk-body" { "People whose records you open will be listed here." }
        } @else {
            ul class="govuk-list" {
                @for p in recent {
                    li { a class="govuk-link" href={ "/people/" (p.id) } { (p.name) } }
                }
            }
        }
    }
}

fn body(s: &AppState, session: &UiSession, w: &MyWork, recent: Option<&[RecentPerson]>) -> Markup {
    let actor = &session.actor;
    // Follow-ups are shown to whoever logs contacts, or has some anyway.
    let show_follow_ups = !w.follow_ups.is_empty() || s.gate.may(actor, Action::Create, Compartment::ContactLog);
    let anything =
        recent.is_some_and(|r| !r.is_empty()) || show_follow_ups || w.cases.is_some() || w.reviews.is_some() || w.rights_requests.is_some();
    let overdue = w.follow_ups.iter().filter(|f| f.overdue).count()
        + w.cases.iter().flatten().filter(|c| c.overdue).count()
        + w.reviews.iter().flatten().filter(|r| r.overdue).count()
        + w.rights_requests.iter().flatten().filter(|r| r.state == WorkState::Overdue).count();
    html! {
        h1 class="govuk-heading-l" { "Your work" }
        @if overdue > 0 {
            div class="govuk-warning-text" {
                span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                strong class="govuk-warning-text__text" { span class="govuk-visually-hidden" { "Warning" } (overdue) " overdue" }
            }
        }
        @if let Some(recent) = recent {
            (recent_list(recent))
        }
        @if show_follow_ups {
            @if w.follow_ups.is_empty() {
                h2 class="govuk-heading-m" { "Your follow-ups" }
                p class="govuk-body" { "You have no open follow-ups." }
            } @else {
                (follow_ups_table(&w.follow_ups))
            }
        }
        @if let Some(cases) = &w.cases {
            @if cases.is_empty() {
                h2 class="govuk-heading-m" { "Your open cases" }
                p class="govuk-body" { "No open cases are assigned to you. " a class="govuk-link" href="/cases" { "See all cases you can see" } }
            } @else {
                (cases_table(cases))
            }
        }
        @if let Some(reviews) = &w.reviews {
            @if reviews.is_empty() {
                h2 class="govuk-heading-m" { "Reviews due" }
                p class="govuk-body" { "Nothing is due for review." }
            } @else {
                (reviews_table(reviews))
                p class="govuk-body" { a class="govuk-link" href="/reviews" { "See all reviews due" } }
            }
        }
        @if let Some(requests) = &w.rights_requests {
            @let due: Vec<_> = requests.iter().filter(|v| matches!(v.state, WorkState::Overdue | WorkState::DueSoon)).collect();
            @if due.is_empty() {
                h2 class="govuk-heading-m" { "Rights requests due" }
                p class="govuk-body" { "No rights requests are overdue or due soon. " a class="govuk-link" href="/rights" { "See all rights requests" } }
            } @else {
                (super::rights::request_table("Rights requests due", &due))
                p class="govuk-body" { a class="govuk-link" href="/rights" { "See all rights requests" } }
            }
        }
        @if !anything {
            p class="govuk-body" { "Your role has no work list of follow-ups, cases or reviews." }
            @if s.gate.may(actor, Action::List, Compartment::Edi) {
                p class="govuk-body" { "You can use:" }
                ul class="govuk-list govuk-list--bullet" {
                    li { a class="govuk-link" href="/edi/coverage" { "Equality coverage" } }
                    li { a class="govuk-link" href="/edi/equity" { "Service equity" } }
                }
            } @else {
                p class="govuk-body" { "Use the menu to find what your role can use." }
            }
        }
    }
}

pub async fn home(State(s): State<AppState>, session: UiSession) -> Response {
    let work = match s.gate.my_work(&session.actor).await {
        Ok(w) => w,
        Err(e) => return error_page(&session, e),
    };
    // Only roles that may read people have any to list.
    let recent = if s.gate.may(&session.actor, Action::View, Compartment::Identity) {
        match s.gate.recently_viewed(&session.actor).await {
            Ok(r) => Some(r),
            Err(e) => return error_page(&session, e),
        }
    } else {
        None
    };
    // Letters and emails the caller sent that did not go: theirs to put right.
    let failed = s.gate.my_failed_communications(&session.actor).await.unwrap_or_default();
    let to_print = s.gate.my_letters_to_print(&session.actor).await.unwrap_or_default();
    let content = html! {
        (super::comms::failures_panel(&failed, s.gate.may(&session.actor, Action::Edit, Compartment::Rights)))
        (body(&s, &session, &work, recent.as_deref()))
        (super::comms::to_print_panel(&session.csrf, &to_print))
    };
    respond(StatusCode::OK, page("Your work", &chrome(&session), false, content))
}
