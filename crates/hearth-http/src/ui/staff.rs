//! Staff accounts in the web UI: the administrator's list (role, line
//! manager, last sign-in, status) and each account's page with the changes
//! for joiners, movers and leavers — disable or enable, role, line manager,
//! responsibilities, a new password; and the periodic access review (the DPO
//! or a manager sees what each account can reach and when it was last used,
//! and marks the review done). The gate decides and audits; a disabled
//! account keeps its name everywhere it appears.

use crate::shell::layout::{csrf_field, error_summary, page, row, select, success_banner, Input};
use crate::shell::respond::{chrome, error_page, respond, Done, Refusal};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::uk_time;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::access::Compartment;
use hearth_domain::error::FieldError;
use hearth_domain::staff::{AccessReviewSheet, NewStaffAccount, ServiceAccountInput, StaffAccount, StaffChange, StaffRole, SERVICE_ROLES};
use maud::{html, Markup};
use serde::Deserialize;

fn status_tag(a: &StaffAccount) -> Markup {
    html! {
        @if a.active {
            strong class="govuk-tag govuk-tag--green" { "Active" }
        } @else {
            strong class="govuk-tag govuk-tag--grey" { "Disabled" }
        }
    }
}

/// The role, or that the directory has granted none yet.
fn role_words(a: &StaffAccount) -> Markup {
    html! {
        @if a.has_role { (a.role.label()) } @else { strong class="govuk-tag govuk-tag--yellow" { "No role yet" } }
    }
}

/// Where the account comes from: the organisation's directory or Hearth itself.
fn origin(a: &StaffAccount) -> &'static str {
    if a.service {
        "Service account for an integration"
    } else if a.directory {
        "Directory (provisioned by SCIM; signs in with single sign-on)"
    } else {
        "Local (made in Hearth)"
    }
}

fn last_sign_in(a: &StaffAccount) -> String {
    a.last_sign_in_at.map(uk_time).unwrap_or_else(|| "Never".into())
}

pub async fn list(State(s): State<AppState>, session: UiSession, Query(done): Query<Done>) -> Response {
    let accounts = match s.gate.staff_accounts(&session.actor).await {
        Ok(a) => a,
        Err(e) => return error_page(&session, e),
    };
    let banner = done.done.as_deref().and_then(done_message);
    respond(StatusCode::OK, list_page(&session, &accounts, banner, &ServiceForm::default(), &[]))
}

fn list_page(session: &UiSession, accounts: &[StaffAccount], banner: Option<&str>, f: &ServiceForm, errors: &[FieldError]) -> Markup {
    let title = "Staff accounts";
    let roles: Vec<(&str, &str)> = SERVICE_ROLES.iter().map(|r| (r.as_str(), r.label())).collect();
    let days = if f.days.is_empty() { "90" } else { f.days.as_str() };
    let may_make = session.actor.role == StaffRole::SystemAdministrator;
    let all_roles: Vec<(&str, &str)> = StaffRole::ALL.iter().map(|r| (r.as_str(), r.label())).collect();
    page(
        title,
        &chrome(session),
        !errors.is_empty(),
        html! {
            (error_summary(errors))
            @if let Some(b) = banner { (success_banner(b)) }
            h1 class="govuk-heading-l" { (title) }
            p class="govuk-body" { "Everyone who can sign in to Hearth, active accounts first. Times are UK time. A leaver's account is disabled, never deleted: history keeps their name." }
            table class="govuk-table" id="staff" {
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Name" }
                    th scope="col" class="govuk-table__header" { "Role" }
                    th scope="col" class="govuk-table__header" { "Line manager" }
                    th scope="col" class="govuk-table__header" { "Last signed in" }
                    th scope="col" class="govuk-table__header" { "Status" }
                } }
                tbody class="govuk-table__body" {
                    @for a in accounts {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" {
                                a class="govuk-link" href={ "/staff/" (a.id) } { (a.display_name) }
                                br; span class="govuk-hint govuk-!-font-size-16" { (a.username) }
                                @if a.service { br; strong class="govuk-tag govuk-tag--blue" { "Service account" } }
                                @if a.directory { br; strong class="govuk-tag govuk-tag--turquoise" { "Directory" } }
                            }
                            td class="govuk-table__cell" { (role_words(a)) }
                            td class="govuk-table__cell" { (a.manager_name.as_deref().unwrap_or("None")) }
                            td class="govuk-table__cell" { (last_sign_in(a)) }
                            td class="govuk-table__cell" { (status_tag(a)) }
                        }
                    }
                }
            }
            @if may_make {
                h2 class="govuk-heading-m" id="joiner" { "Add a member of staff" }
                form method="post" action="/staff" novalidate {
                    (csrf_field(&session.csrf))
                    (Input::text("username", "Username", "").hint("Lower-case letters, digits, dots, hyphens or underscores").no_spellcheck().render(errors))
                    (Input::text("display_name", "Name as shown in history", "").render(errors))
                    (select("new_role", "Role", &all_roles, "", errors))
                    (Input::text("password", "First password", "").kind("password").autocomplete("new-password").hint("At least 12 characters; tell the person by a separate route").render(errors))
                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Add member of staff" }
                }
                h2 class="govuk-heading-m" id="service-accounts" { "Add a service account" }
                p class="govuk-body" {
                    "For an integration such as a housing management or repairs system: it acts as a front-line role, its token reaches only the compartments you name, and it expires. "
                    "The token is shown once. Disable the account to revoke it."
                }
                form method="post" action="/staff/service-accounts" novalidate {
                    (csrf_field(&session.csrf))
                    (Input::text("name", "Client name", &f.name).hint("For example: Repairs system").render(errors))
                    (select("role", "Acts as", &roles, &f.role, errors))
                    (Input::text("compartments", "Compartments its token may use", &f.compartments).hint("Compartment names separated by commas, for example: identity, repairs").no_spellcheck().render(errors))
                    (Input::text("days", "Days until the token expires", days).width("4").hint("1 to 366").render(errors))
                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Add service account" }
                }
            }
        },
    )
}

/// A joiner added from the staff page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct JoinerForm {
    _csrf: String,
    username: String,
    display_name: String,
    new_role: String,
    password: String,
}

crate::shell::session::csrf_forms!(JoinerForm);

pub async fn create(State(s): State<AppState>, Posted(session, f): Posted<JoinerForm>) -> Response {
    let input = NewStaffAccount { username: f.username, display_name: f.display_name, role: f.new_role, password: f.password };
    match s.gate.create_staff_account(&session.actor, &input).await {
        Ok(a) => Redirect::to(&format!("/staff/{}?done=added", a.id)).into_response(),
        Err(e) => match Refusal::from_gate(e, "account", |field| if field == "role" { "new_role".into() } else { field.to_string() }) {
            Ok(r) => {
                r.page(&session, s.gate.staff_accounts(&session.actor), |accounts, errors| {
                    list_page(&session, &accounts, None, &ServiceForm::default(), errors)
                })
                .await
            }
            Err(e) => error_page(&session, e),
        },
    }
}

/// A service account asked for from the staff page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ServiceForm {
    _csrf: String,
    name: String,
    role: String,
    compartments: String,
    days: String,
}

crate::shell::session::csrf_forms!(ServiceForm);

pub async fn create_service_account(State(s): State<AppState>, Posted(session, f): Posted<ServiceForm>) -> Response {
    let Ok(days) = f.days.trim().parse::<i64>() else {
        let accounts = s.gate.staff_accounts(&session.actor).await.unwrap_or_default();
        let errors = [FieldError::new("days", "Enter the number of days, from 1 to 366")];
        return respond(StatusCode::UNPROCESSABLE_ENTITY, list_page(&session, &accounts, None, &f, &errors));
    };
    let input = ServiceAccountInput {
        name: f.name.clone(),
        role: f.role.clone(),
        compartments: f.compartments.split(',').map(str::to_string).collect(),
        days,
    };
    match s.gate.create_service_account(&session.actor, &input).await {
        Ok(made) => {
            let title = "Service account added";
            let a = &made.account;
            respond(
                StatusCode::CREATED,
                page(
                    title,
                    &chrome(&session),
                    false,
                    html! {
                        (success_banner(title))
                        h1 class="govuk-heading-l" { (a.display_name) }
                        p class="govuk-body" { "Copy the token into the client's secret store now: it is not shown again and Hearth keeps only its hash." }
                        div class="govuk-inset-text" { code id="service-token" { (made.token) } }
                        dl class="govuk-summary-list" {
                            (row("Username", html! { (a.username) }))
                            (row("Acts as", html! { (a.role.label()) }))
                            (row("Compartments", html! { (a.scope.iter().filter_map(|c| Compartment::parse(c)).map(|c| c.label()).collect::<Vec<_>>().join(", ")) }))
                            (row("Expires", html! { (a.expires_at.map(uk_time).unwrap_or_default()) }))
                        }
                        p class="govuk-body" { a class="govuk-link" href={ "/staff/" (a.id) } { "The account's page" } " · " a class="govuk-link" href="/staff" { "All staff accounts" } }
                    },
                ),
            )
        }
        Err(e) => match Refusal::from_gate(e, "account", |field| field.to_string()) {
            Ok(r) => {
                r.page(&session, s.gate.staff_accounts(&session.actor), |accounts, errors| list_page(&session, &accounts, None, &f, errors))
                    .await
            }
            Err(e) => error_page(&session, e),
        },
    }
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "disabled" => "Account disabled; every session and API token has ended",
        "enabled" => "Account enabled",
        "added" => "Member of staff added",
        "role" => "Role changed; the account's sessions have ended",
        "manager" => "Line manager changed",
        "responsibilities" => "Responsibilities changed",
        "password" => "Password reset; the account's sessions have ended",
        _ => return None,
    })
}

/// The changes posted from an account's page; `change` names which.
/// Every change form on an account's page posts here; `change` says which.
/// Read as pairs, so each ticked responsibility checkbox counts.
#[derive(Default)]
pub struct ChangeForm {
    _csrf: String,
    change: String,
    role: String,
    manager: String,
    /// Compartment names, comma-separated.
    responsibilities: String,
    password: String,
}

impl<'de> Deserialize<'de> for ChangeForm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pairs: Vec<(String, String)> = Deserialize::deserialize(d)?;
        let one = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let ticked: Vec<&str> = pairs.iter().filter(|(k, _)| k == "responsibilities").map(|(_, v)| v.as_str()).collect();
        Ok(ChangeForm {
            _csrf: one("_csrf"),
            change: one("change"),
            role: one("role"),
            manager: one("manager"),
            responsibilities: ticked.join(","),
            password: one("password"),
        })
    }
}

crate::shell::session::csrf_forms!(ChangeForm);

impl ChangeForm {
    fn change(&self) -> Result<(StaffChange, &'static str), FieldError> {
        Ok(match self.change.as_str() {
            "disable" => (StaffChange::Disable, "disabled"),
            "enable" => (StaffChange::Enable, "enabled"),
            "role" => (StaffChange::SetRole { role: self.role.clone() }, "role"),
            "manager" => (StaffChange::SetManager { manager: Some(self.manager.clone()) }, "manager"),
            "responsibilities" => (
                StaffChange::SetResponsibilities {
                    responsibilities: self
                        .responsibilities
                        .split(',')
                        .map(str::trim)
                        .filter(|r| !r.is_empty())
                        .map(str::to_string)
                        .collect(),
                },
                "responsibilities",
            ),
            "password" => (StaffChange::ResetPassword { password: self.password.clone() }, "password"),
            _ => return Err(FieldError::new("change", "Choose a change")),
        })
    }
}

/// One checkbox per compartment, ticked for those the person answers for.
fn responsibility_boxes(chosen: &[String], errors: &[FieldError]) -> Markup {
    let error = crate::shell::layout::error_for(errors, "responsibilities");
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            fieldset class="govuk-fieldset" aria-describedby="responsibilities-hint" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Compartments this person answers for" }
                div id="responsibilities-hint" class="govuk-hint" { "They see these compartments' records as the one responsible for them." }
                (crate::shell::layout::inline_error("responsibilities", error))
                div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                    @for (i, c) in Compartment::ALL.iter().enumerate() {
                        @let id = if i == 0 { "responsibilities".to_string() } else { format!("responsibilities-{}", c.as_str()) };
                        div class="govuk-checkboxes__item" {
                            input class="govuk-checkboxes__input" id=(id) name="responsibilities" type="checkbox" value=(c.as_str())
                                checked[chosen.iter().any(|r| r == c.as_str())];
                            label class="govuk-label govuk-checkboxes__label" for=(id) { (c.label()) }
                        }
                    }
                }
            }
        }
    }
}

fn account_page(s: &UiSession, a: &StaffAccount, banner: Option<&str>, f: &ChangeForm, errors: &[FieldError]) -> Markup {
    let roles: Vec<(&str, &str)> = StaffRole::ALL.iter().map(|r| (r.as_str(), r.label())).collect();
    let role = if f.role.is_empty() { a.role.as_str() } else { f.role.as_str() };
    let responsibilities: Vec<String> = if f.change == "responsibilities" {
        f.responsibilities.split(',').map(|r| r.trim().to_string()).collect()
    } else {
        a.responsibilities.clone()
    };
    let manager = if f.change == "manager" { f.manager.clone() } else { String::new() };
    let own = s.actor.user_id == a.id;
    page(
        &a.display_name,
        &chrome(s),
        !errors.is_empty(),
        html! {
            @if let Some(b) = banner { (success_banner(b)) }
            (error_summary(errors))
            span class="govuk-caption-l" { "Staff account" }
            h1 class="govuk-heading-l" { (a.display_name) }
            dl class="govuk-summary-list" {
                (row("Username", html! { (a.username) }))
                (row("Comes from", html! { (origin(a)) }))
                (row("Role", role_words(a)))
                (row("Line manager", html! { (a.manager_name.as_deref().unwrap_or("None")) }))
                (row("Answers for", html! {
                    @if a.responsibilities.is_empty() { "No compartment" }
                    @else { (a.responsibilities.iter().filter_map(|r| Compartment::parse(r)).map(|c| c.label()).collect::<Vec<_>>().join(", ")) }
                }))
                (row("Two-step sign-in", html! { @if a.two_step { "On" } @else { "Off" } }))
                (row("Last signed in", html! { (last_sign_in(a)) }))
                (row("Status", html! {
                    (status_tag(a))
                    @if let Some(d) = a.disabled_at { " since " (uk_time(d)) }
                }))
                (row("Account made", html! { (uk_time(a.created_at)) }))
                @if a.service {
                    (row("Kind", html! { "Service account for an integration" }))
                    (row("Compartments its token may use", html! { (a.scope.iter().filter_map(|c| Compartment::parse(c)).map(|c| c.label()).collect::<Vec<_>>().join(", ")) }))
                    (row("Token expires", html! { (a.expires_at.map(uk_time).unwrap_or_default()) }))
                }
            }
            @if own {
                p class="govuk-inset-text" { "This is your own account: another administrator changes its role or disables it." }
            }
            h2 class="govuk-heading-m" { "Leaver or returner" }
            form method="post" action={ "/staff/" (a.id) "/changes" } novalidate {
                (csrf_field(&s.csrf))
                @if a.active {
                    input type="hidden" name="change" value="disable";
                    p class="govuk-body" { "Disabling ends every session and API token of the account at once. Its name stays in history and the audit trail." }
                    button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { "Disable account" }
                } @else {
                    input type="hidden" name="change" value="enable";
                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Enable account" }
                }
            }
            @if !a.service {
            h2 class="govuk-heading-m" { "Mover" }
            form method="post" action={ "/staff/" (a.id) "/changes" } novalidate {
                (csrf_field(&s.csrf))
                input type="hidden" name="change" value="role";
                (select("role", "Role", &roles, role, errors))
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Change role" }
            }
            }
            form method="post" action={ "/staff/" (a.id) "/changes" } novalidate {
                (csrf_field(&s.csrf))
                input type="hidden" name="change" value="manager";
                (Input::text("manager", "Line manager's username", &manager).hint("Leave blank for none").no_spellcheck().render(errors))
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Set line manager" }
            }
            form method="post" action={ "/staff/" (a.id) "/changes" } novalidate {
                (csrf_field(&s.csrf))
                input type="hidden" name="change" value="responsibilities";
                (responsibility_boxes(&responsibilities, errors))
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Set responsibilities" }
            }
            @if !a.service {
            h2 class="govuk-heading-m" { "Password" }
            form method="post" action={ "/staff/" (a.id) "/changes" } novalidate {
                (csrf_field(&s.csrf))
                input type="hidden" name="change" value="password";
                (Input::text("password", "New password", "").kind("password").autocomplete("new-password").hint("At least 12 characters; tell the person by a separate route. Every session of the account ends.").render(errors))
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Reset password" }
            }
            }
            p class="govuk-body" { a class="govuk-link" href="/staff" { "All staff accounts" } }
        },
    )
}

pub async fn show(State(s): State<AppState>, session: UiSession, Path(id): Path<i64>, Query(done): Query<Done>) -> Response {
    match s.gate.staff_account(&session.actor, id).await {
        Ok(a) => {
            let banner = done.done.as_deref().and_then(done_message);
            respond(StatusCode::OK, account_page(&session, &a, banner, &ChangeForm::default(), &[]))
        }
        Err(e) => error_page(&session, e),
    }
}

pub async fn change(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<ChangeForm>) -> Response {
    let refused = match f.change() {
        Ok((change, done)) => match s.gate.change_staff(&session.actor, id, &change).await {
            Ok(_) => return Redirect::to(&format!("/staff/{id}?done={done}")).into_response(),
            Err(e) => match Refusal::from_gate(e, "account", |field| field.to_string()) {
                Ok(r) => r,
                Err(e) => return error_page(&session, e),
            },
        },
        Err(e) => Refusal::fields(vec![e]),
    };
    // The password is never sent back into the page.
    let f = ChangeForm { password: String::new(), ..f };
    refused.page(&session, s.gate.staff_account(&session.actor, id), |a, errors| account_page(&session, &a, None, &f, errors)).await
}

// ---- the periodic access review ----

fn compartments(list: &[Compartment]) -> String {
    if list.is_empty() {
        "None".into()
    } else {
        list.iter().map(|c| c.label()).collect::<Vec<_>>().join(", ")
    }
}

fn review_page(s: &UiSession, sheet: &AccessReviewSheet, banner: Option<&str>, note: &str, errors: &[FieldError]) -> Markup {
    let title = "Access review";
    page(
        title,
        &chrome(s),
        !errors.is_empty(),
        html! {
            @if let Some(b) = banner { (success_banner(b)) }
            (error_summary(errors))
            h1 class="govuk-heading-l" { (title) }
            p class="govuk-body" {
                @if sheet.scope == "all" { "Every staff account, " } @else { "The accounts you manage, " }
                "with what each can reach under the access policies and when it was last used. "
                "Disable accounts nobody uses and ask an administrator to change roles that reach too much, then mark the review done."
            }
            @if sheet.accounts.is_empty() {
                p class="govuk-body" id="reach" { "There are no accounts to review." }
            } @else {
                table class="govuk-table" id="reach" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Account" }
                        th scope="col" class="govuk-table__header" { "Reads any record" }
                        th scope="col" class="govuk-table__header" { "Reads when related" }
                        th scope="col" class="govuk-table__header" { "Changes" }
                        th scope="col" class="govuk-table__header" { "Last signed in" }
                    } }
                    tbody class="govuk-table__body" {
                        @for r in &sheet.accounts {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" {
                                    (r.account.display_name) br;
                                    span class="govuk-hint govuk-!-font-size-16" { (role_words(&r.account)) }
                                    @if !r.account.active { " " (status_tag(&r.account)) }
                                }
                                td class="govuk-table__cell" { (compartments(&r.reads)) }
                                td class="govuk-table__cell" { (compartments(&r.reads_when_related)) }
                                td class="govuk-table__cell" { (compartments(&r.changes)) }
                                td class="govuk-table__cell" { (last_sign_in(&r.account)) }
                            }
                        }
                    }
                }
            }
            h2 class="govuk-heading-m" { "Mark the review done" }
            form method="post" action="/access-review" novalidate {
                (csrf_field(&s.csrf))
                (crate::shell::layout::textarea("note", "note", "What you found or changed (optional)", note, errors))
                button type="submit" class="govuk-button" data-module="govuk-button" { "Mark review done" }
            }
            h2 class="govuk-heading-m" { "Reviews done" }
            @if sheet.reviews.is_empty() {
                p class="govuk-body" id="reviews" { "No review has been marked done yet." }
            } @else {
                table class="govuk-table" id="reviews" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "When" }
                        th scope="col" class="govuk-table__header" { "By" }
                        th scope="col" class="govuk-table__header" { "Accounts" }
                        th scope="col" class="govuk-table__header" { "Note" }
                    } }
                    tbody class="govuk-table__body" {
                        @for r in &sheet.reviews {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { (uk_time(r.reviewed_at)) }
                                td class="govuk-table__cell" { (r.reviewed_by) }
                                td class="govuk-table__cell" { (r.accounts) }
                                td class="govuk-table__cell" { (r.note) }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub async fn access_review(State(s): State<AppState>, session: UiSession, Query(done): Query<Done>) -> Response {
    match s.gate.access_review(&session.actor).await {
        Ok(sheet) => {
            let banner = done.done.as_deref().filter(|d| *d == "reviewed").map(|_| "Access review marked done");
            respond(StatusCode::OK, review_page(&session, &sheet, banner, "", &[]))
        }
        Err(e) => error_page(&session, e),
    }
}

/// The review's form as posted.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    _csrf: String,
    note: String,
}

crate::shell::session::csrf_forms!(ReviewForm);

pub async fn complete_access_review(State(s): State<AppState>, Posted(session, f): Posted<ReviewForm>) -> Response {
    match s.gate.complete_access_review(&session.actor, &f.note).await {
        Ok(_) => Redirect::to("/access-review?done=reviewed").into_response(),
        Err(e) => match Refusal::from_gate(e, "review", |field| field.to_string()) {
            Ok(r) => {
                r.page(&session, s.gate.access_review(&session.actor), |sheet, errors| review_page(&session, &sheet, None, &f.note, errors))
                    .await
            }
            Err(e) => error_page(&session, e),
        },
    }
}
