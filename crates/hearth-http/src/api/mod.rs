//! The JSON API under `/api/v1`: extractors that turn bad input into problem
//! bodies naming the field, bearer-token authentication, and the routes.

mod anonymity;
mod breaches;
mod bundle;
mod capacity;
mod cases;
mod comms;
mod consent;
mod contacts;
mod documents;
mod edi;
mod front_door;
mod grants;
mod history;
mod homes;
mod needs;
mod people;
mod recordings;
mod rights;
mod sharing;
mod staff;
mod work;

mod representatives;
mod restrictions;
mod retention;

use crate::problem::{ApiResult, Problem};
use crate::throttle::ClientIp;
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use hearth_domain::staff::SessionKind;
use hearth_gate::Actor;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// The API's routes; `upload_limit` is the body limit for document uploads.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .route("/me/work", get(work::my_work))
        .route("/auth/token", post(issue_token).delete(revoke_token))
        .route("/auth/sign-out-everywhere", post(sign_out_everywhere))
        .route("/people", get(people::list).post(people::create))
        .route("/people/search", get(people::search))
        .route("/people/{id}", get(people::show).put(people::update))
        .route("/people/{id}/record", get(people::record))
        .route("/people/{id}/history", get(history::person_history))
        .route("/people/{id}/break-glass", post(grants::break_glass))
        .route("/people/{id}/restriction", get(restrictions::show).post(restrictions::place))
        .route("/people/{id}/restriction/lift", post(restrictions::lift))
        .route("/people/{id}/edi", post(edi::record))
        .route("/edi/coverage", get(edi::coverage))
        .route("/edi/equity", get(edi::equity))
        .route("/people/{id}/consent", get(consent::show).post(consent::record))
        .route("/people/{id}/contact-preferences", put(consent::preferences))
        .route("/people/{id}/objections", post(consent::object))
        .route("/objections/{id}/withdraw", post(consent::withdraw_objection))
        .route("/marketing/audience", get(consent::audience))
        .route("/people/{id}/capacity", get(capacity::show))
        .route("/people/{id}/capacity-assessments", post(capacity::assess))
        .route("/people/{id}/best-interests-shares", post(capacity::share))
        .route("/people/{id}/not-held-requests", post(capacity::not_held))
        .route("/not-held-requests", get(capacity::removal_list))
        .route("/not-held-requests/{id}/remove", post(capacity::remove))
        .route("/people/{id}/representatives", get(representatives::list).post(representatives::add))
        .route("/representatives/{id}/end", post(representatives::end))
        .route("/people/{id}/caller-checks", post(representatives::check))
        .route("/people/{id}/memorable-word", put(representatives::set_memorable_word))
        .route("/break-glass", get(grants::review_list))
        .route("/break-glass/{id}/review", post(grants::review))
        .route("/support-grants", get(grants::support_grants).post(grants::grant_support))
        .route("/cases", get(cases::list).post(cases::open))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/changes", post(cases::change))
        .route("/cases/{id}/letters/{person_id}", get(anonymity::letter))
        .route("/cases/{id}/anonymity-overrides", post(anonymity::request))
        .route("/anonymity-overrides", get(anonymity::list))
        .route("/anonymity-overrides/{id}/approve", post(anonymity::approve))
        .route("/people/{id}/cases", get(anonymity::person_cases))
        .route("/rights-requests", get(rights::list).post(rights::log))
        .route("/rights-requests/{id}", get(rights::show))
        .route("/rights-requests/{id}/changes", post(rights::change))
        .route("/rights-requests/{id}/letters", get(comms::rights_list).post(comms::send_rights))
        .route("/cases/{id}/letters", post(comms::send_case))
        .route("/communications/{id}/file", get(comms::file))
        .route("/communications/{id}/bounce", post(comms::bounce))
        .route("/communications/{id}/posted", post(comms::posted))
        .route("/rights-requests/{id}/bundle", get(bundle::bundle))
        .route("/rights-requests/{id}/bundle-drafts", get(bundle::list_drafts).post(bundle::create_draft))
        .route("/bundle-drafts/{id}", get(bundle::draft))
        .route("/bundle-drafts/{id}/preview", get(bundle::preview))
        .route("/bundle-drafts/{id}/changes", post(bundle::change_draft))
        .route("/bundle-drafts/{id}/release", post(bundle::release))
        .route("/rights-requests/{id}/portability", get(bundle::portability))
        .route("/rights-requests/{id}/erasure", get(bundle::erasure_review).post(bundle::carry_out_erasure))
        .route("/rights-requests/{id}/rectifications", get(bundle::rectifications))
        .route("/breaches", get(breaches::breaches).post(breaches::record_breach))
        .route("/breach-reports", post(breaches::report_breach))
        .route("/front-door", post(front_door::receive))
        .route("/breaches/{id}", get(breaches::breach))
        .route("/breaches/{id}/changes", post(breaches::change_breach))
        .route("/breaches/{id}/notices", post(comms::breach_notice))
        .route("/organisations", get(sharing::organisations).post(sharing::add_organisation))
        .route("/sharing-agreements", get(sharing::agreements).post(sharing::create_agreement))
        .route("/sharing-agreements/{id}", get(sharing::agreement))
        .route("/sharing-agreements/{id}/end", post(sharing::end_agreement))
        .route("/disclosures", get(sharing::disclosures).post(sharing::record_request))
        .route("/disclosures/{id}", get(sharing::disclosure))
        .route("/disclosures/{id}/decision", post(sharing::decide))
        .route("/disclosures/{id}/corrections", post(sharing::correct))
        .route("/extracts", post(sharing::extract))
        .route("/returns/core", post(sharing::core_return))
        .route("/returns/nfi", post(sharing::nfi))
        .route("/cases/{id}/job-sheet", get(needs::job_sheet))
        .route("/people/{id}/needs", get(needs::list).post(needs::record))
        .route("/needs/{id}/changes", post(needs::change))
        .route("/people/{id}/needs-checks", post(needs::check))
        .route("/needs/coverage", get(needs::coverage))
        .route("/reviews", get(needs::reviews))
        .route("/people/{id}/adjustments", get(needs::adjustments).post(needs::add_adjustment))
        .route("/adjustments/{id}/end", post(needs::end_adjustment))
        .route("/people/{id}/warning-flags", get(needs::flags).post(needs::add_flag))
        .route("/warning-flags/{id}/acknowledge", post(needs::acknowledge))
        .route("/warning-flags/{id}/changes", post(needs::change_flag))
        .route("/contacts", post(contacts::log))
        .route("/contacts/{id}", get(contacts::show))
        .route("/people/{id}/timeline", get(contacts::timeline))
        .route(
            "/people/{id}/documents",
            get(documents::list).post(documents::upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/documents/{id}", get(documents::show))
        .route("/documents/{id}/content", get(documents::download))
        .route("/call-recordings", post(recordings::create))
        .route("/call-recordings/{id}", get(recordings::show))
        .route("/notifications", get(recordings::notifications))
        .route("/follow-ups/{id}/done", post(recordings::follow_up_done))
        .route("/people/{id}/contact-points", get(people::contacts).post(people::add_contact))
        .route("/contact-points/{id}", get(people::contact).put(people::update_contact).delete(people::delete_contact))
        .route("/people/{id}/identity-evidence", get(people::evidence).post(people::add_evidence))
        .route("/identity-evidence/{id}", put(people::update_evidence).delete(people::delete_evidence))
        .route("/properties", get(homes::list_properties).post(homes::create_property))
        .route("/properties/{id}", get(homes::property).put(homes::update_property))
        .route("/households", get(homes::list_households).post(homes::create_household))
        .route("/households/{id}", get(homes::household).put(homes::update_household))
        .route("/households/{id}/members", post(homes::add_member))
        .route("/memberships/{id}", put(homes::update_member))
        .route("/tenancies", get(homes::list_tenancies).post(homes::create_tenancy))
        .route("/tenancies/{id}", get(homes::tenancy).put(homes::update_tenancy))
        .route("/record-classes", get(retention::record_classes))
        .route("/retention/upcoming", get(retention::upcoming))
        .route("/retention/runs", get(retention::runs))
        .route("/retention/certificates", get(retention::certificates))
        .route("/retention/holds", get(retention::holds).post(retention::place_hold))
        .route("/retention/holds/{id}/release", post(retention::release_hold))
        .route("/staff", get(staff::list).post(staff::create))
        .route("/staff/{id}", get(staff::show))
        .route("/staff/{id}/changes", post(staff::change))
        .route("/access-review", get(staff::access_review).post(staff::complete_access_review))
        .route("/service-accounts", post(staff::create_service_account))
        .fallback(|| async { Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", "No such API route") })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Hearth API", description = "Customer records for social housing landlords. Every call is access-checked and audited. \
        Declare why you are processing with the `X-Hearth-Purpose` header (default `housing_management`): one of the purposes the \
        register of record classes declares (`purposes` in config/record-classes.json), e.g. `rent_collection`. Any other value is \
        refused with 400, a problem naming `X-Hearth-Purpose` and listing the declared purposes, and nothing is done or audited under it."),
    paths(
        health, issue_token, revoke_token, sign_out_everywhere,
        people::list, people::search, people::create, people::show, people::update, people::record, history::person_history,
        grants::break_glass, grants::review_list, grants::review, grants::grant_support, grants::support_grants,
        cases::open, cases::list, cases::show, cases::change,
        anonymity::person_cases, anonymity::letter, anonymity::request, anonymity::approve, anonymity::list,
        contacts::log, contacts::show, contacts::timeline,
        capacity::show, capacity::assess, capacity::share, capacity::not_held, capacity::removal_list, capacity::remove,
        consent::show, consent::record, consent::preferences, consent::object, consent::withdraw_objection, consent::audience,
        rights::log, rights::list, rights::show, rights::change, comms::send_rights, comms::rights_list, comms::send_case, comms::file, comms::breach_notice, comms::bounce, comms::posted, bundle::bundle, bundle::create_draft, bundle::list_drafts, bundle::draft, bundle::preview, bundle::change_draft, bundle::release,
        bundle::portability, bundle::erasure_review, bundle::carry_out_erasure, bundle::rectifications,
        breaches::record_breach, breaches::report_breach, breaches::breaches, breaches::breach, breaches::change_breach,
        front_door::receive,
        sharing::organisations, sharing::add_organisation,
        sharing::create_agreement, sharing::agreements, sharing::agreement, sharing::end_agreement,
        sharing::record_request, sharing::disclosures, sharing::disclosure, sharing::decide, sharing::correct,
        sharing::extract, sharing::core_return, sharing::nfi,
        documents::upload, documents::list, documents::show, documents::download,
        recordings::create, recordings::show, recordings::notifications, recordings::follow_up_done,
        needs::record, needs::list, needs::change, needs::check, needs::coverage, needs::reviews,
        needs::add_adjustment, needs::adjustments, needs::end_adjustment,
        needs::add_flag, needs::flags, needs::acknowledge, needs::change_flag, needs::job_sheet,
        people::contacts, people::add_contact, people::contact, people::update_contact, people::delete_contact,
        people::evidence, people::add_evidence, people::update_evidence, people::delete_evidence,
        homes::list_properties, homes::create_property, homes::property, homes::update_property,
        homes::list_households, homes::create_household, homes::household, homes::update_household,
        homes::add_member, homes::update_member,
        homes::list_tenancies, homes::create_tenancy, homes::tenancy, homes::update_tenancy,
        retention::record_classes, retention::upcoming, retention::runs, retention::certificates,
        retention::holds, retention::place_hold, retention::release_hold,
        restrictions::show, restrictions::place, restrictions::lift,
        edi::record, edi::coverage, edi::equity,
        representatives::list, representatives::add, representatives::end, representatives::check, representatives::set_memorable_word,
        staff::list, staff::create, staff::show, staff::change, staff::access_review, staff::complete_access_review, staff::create_service_account,
        work::my_work,
    ),
    components(schemas(Problem, hearth_domain::error::FieldError)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// The OpenAPI 3.1 document for this API, generated from the code.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serialises");
    problems_as_problem_json(&mut doc);
    serde_json::from_value(doc).expect("the adjusted document is still OpenAPI")
}

/// Error answers are sent as `application/problem+json` (RFC 9457); utoipa
/// documents every body as `application/json`, so say what is really sent.
fn problems_as_problem_json(doc: &mut serde_json::Value) {
    const PROBLEM: &str = "#/components/schemas/Problem";
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for op in paths.values_mut().filter_map(|p| p.as_object_mut()).flat_map(|p| p.values_mut()) {
        let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
        for content in responses.values_mut().filter_map(|r| r.get_mut("content")).filter_map(|c| c.as_object_mut()) {
            let is_problem =
                content.get("application/json").and_then(|m| m.pointer("/schema/$ref")).and_then(|r| r.as_str()) == Some(PROBLEM);
            if is_problem {
                let media = content.remove("application/json").expect("checked");
                content.insert("application/problem+json".into(), media);
            }
        }
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
}

/// Liveness check; needs no token.
#[utoipa::path(get, path = "/api/v1/health", security(()), responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    username: String,
    password: String,
    /// The 6-digit code from an authenticator app, for accounts with two-step sign-in on.
    #[serde(default)]
    totp_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    expires_at: String,
    role: String,
}

/// Exchanges a staff username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", security(()), request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn issue_token(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    if let Some(wait) = s.throttles.failed_sign_ins.blocked(ip) {
        return Err(throttled(wait));
    }
    let signed =
        s.gate.sign_in_with_code(&req.username, &req.password, req.totp_code.as_deref(), SessionKind::Api).await.map_err(|e| match e {
            hearth_gate::GateError::Unauthenticated => {
                s.throttles.failed_sign_ins.hit(ip);
                Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Sign in failed", "The username or password is not right")
            }
            other => other.into(),
        })?;
    Ok(Json(TokenResponse { token: signed.token, expires_at: signed.expires_at.to_string(), role: signed.actor.role.as_str().into() }))
}

/// Revokes the bearer token sent with the request.
#[utoipa::path(delete, path = "/api/v1/auth/token", responses((status = 204), (status = 401, body = Problem)))]
async fn revoke_token(State(s): State<AppState>, parts: axum::http::HeaderMap) -> ApiResult<StatusCode> {
    let token = bearer(&parts).ok_or_else(|| Problem::from(hearth_gate::GateError::Unauthenticated))?;
    s.gate.session(token, SessionKind::Api).await?;
    s.gate.sign_out(token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session and API token of the caller's account (for a lost
/// device or a suspected leak).
#[utoipa::path(post, path = "/api/v1/auth/sign-out-everywhere", responses((status = 204), (status = 401, body = Problem)))]
async fn sign_out_everywhere(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<StatusCode> {
    s.gate.sign_out_everywhere(&actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn throttled(wait: std::time::Duration) -> Problem {
    Problem::from(hearth_gate::GateError::Throttled {
        retry_after: jiff::SignedDuration::try_from(wait).unwrap_or(jiff::SignedDuration::ZERO),
    })
}

/// Refuses an address's API requests above its per-minute limit.
pub async fn rate_limit(State(s): State<AppState>, req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let ip = crate::throttle::request_ip(&req);
    if let Some(wait) = s.throttles.api_requests.blocked(ip) {
        return throttled(wait).into_response();
    }
    s.throttles.api_requests.hit(ip);
    next.run(req).await
}

/// As for pages (`ui::reads_audited_once`): a GET's read events are written
/// together when its answer is ready, and the answer is not sent if they
/// cannot be.
pub async fn reads_audited_once(
    State(s): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if !matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD) {
        return next.run(req).await;
    }
    match s.gate.reading(next.run(req)).await {
        Ok(answer) => answer,
        Err(e) => Problem::from(e).into_response(),
    }
}

fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty())
}

/// Request header naming the processing purpose (default `housing_management`).
pub const PURPOSE_HEADER: &str = "x-hearth-purpose";

/// The header as problems name it.
pub const PURPOSE_FIELD: &str = "X-Hearth-Purpose";

/// The staff member a bearer token belongs to, with the purpose they declared.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let token = bearer(&parts.headers).ok_or_else(|| Problem::from(hearth_gate::GateError::Unauthenticated))?;
        let mut actor = state.gate.session(token, SessionKind::Api).await?.actor;
        // The caller declares why it is processing; the policies and the audit trail see it.
        // Only a purpose the register declares: any other (`direct_marketing`) would be
        // audited as if it were one and slip past the policies written for the real name.
        if let Some(p) = parts.headers.get(PURPOSE_HEADER) {
            let register = state.gate.register();
            let Some(purpose) = p.to_str().ok().and_then(|p| register.purpose(p.trim())) else {
                let names: Vec<&str> = register.purposes().iter().map(|p| p.name.as_str()).collect();
                return Err(Problem::field(
                    StatusCode::BAD_REQUEST,
                    "unknown-purpose",
                    "Unknown purpose",
                    PURPOSE_FIELD,
                    format!("The purpose must be one the register declares: {}", names.join(", ")),
                ));
            };
            actor.purpose = purpose.name.clone();
        }
        Ok(ApiActor(actor))
    }
}

/// A JSON body whose errors name the field: malformed JSON is a 400 on
/// `body`, a wrong type a 422 on the field's path, an oversize body a 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
        if !is_json {
            return Err(Problem::field(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "media-type",
                "Send JSON",
                "body",
                "Set Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::field(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                    "Body too large",
                    "body",
                    format!("The body must be at most {} KiB", crate::BODY_LIMIT / 1024),
                )
            } else {
                Problem::field(StatusCode::BAD_REQUEST, "unreadable", "Body unreadable", "body", e.body_text())
            }
        })?;
        if let Some(field) = nul_field(&bytes) {
            return Err(Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "Some fields are not valid",
                &field,
                "The text must not contain a NUL character",
            ));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map(ApiJson).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                Problem::field(
                    StatusCode::BAD_REQUEST,
                    "malformed-json",
                    "Malformed JSON",
                    "body",
                    format!("The body is not valid JSON: {inner}"),
                )
            } else {
                let field = if path == "." { "body".to_string() } else { path };
                Problem::field(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Some fields are not valid", &field, inner.to_string())
            }
        })
    }
}

/// The path of the first JSON string (or key) holding NUL, if any. No field
/// means one, and PostgreSQL text cannot store it: each field's own rules
/// should refuse it first, this is the net under them. The byte scan keeps the
/// common case to one pass; only a body with the escape is parsed twice.
fn nul_field(body: &[u8]) -> Option<String> {
    if !body.windows(6).any(|w| w == b"\\u0000") {
        return None;
    }
    fn walk(v: &serde_json::Value, path: &str) -> Option<String> {
        let here = |p: &str| if p.is_empty() { "body".to_string() } else { p.to_string() };
        match v {
            serde_json::Value::String(t) if t.contains('\0') => Some(here(path)),
            serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| walk(x, &format!("{path}[{i}]"))),
            serde_json::Value::Object(m) => m.iter().find_map(|(k, x)| {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                if k.contains('\0') {
                    Some(here(path))
                } else {
                    walk(x, &p)
                }
            }),
            _ => None,
        }
    }
    // Malformed JSON is left for the deserializer to report.
    walk(&serde_json::from_slice(body).ok()?, "")
}

/// Query parameters whose errors come back as problem bodies.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        // No parameter is free text that may hold control characters (search
        // terms are one line), and NUL cannot reach PostgreSQL: refuse them
        // naming the parameter, whatever the handler's own rules. A URI holds
        // no raw control character, so only a percent-escaped query is decoded twice.
        let escaped = parts.uri.query().is_some_and(|q| q.contains('%'));
        if let Some(Query(pairs)) = if escaped { Query::<Vec<(String, String)>>::from_request_parts(parts, state).await.ok() } else { None }
        {
            if let Some((name, _)) = pairs.iter().find(|(k, v)| k.chars().chain(v.chars()).any(char::is_control)) {
                return Err(Problem::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation",
                    "Bad query parameter",
                    name,
                    "Query parameters must not contain control characters",
                ));
            }
        }
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| Problem::field(StatusCode::BAD_REQUEST, "bad-query", "Bad query parameter", "query", e.body_text()))
    }
}

/// A numeric record id from the path.
pub struct RecordId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for RecordId {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        Path::<i64>::from_request_parts(parts, state).await.map(|p| RecordId(p.0)).map_err(|_| {
            Problem::field(StatusCode::BAD_REQUEST, "bad-id", "Bad record id", "id", "The id in the path must be a whole number")
        })
    }
}

/// One page of a list; pass `next_cursor` as `after` for the next page.
#[derive(Serialize, ToSchema)]
pub struct ApiPage<T: ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<i64>,
}

impl<T: ToSchema> From<hearth_domain::page::Page<T>> for ApiPage<T> {
    fn from(p: hearth_domain::page::Page<T>) -> Self {
        ApiPage { items: p.items, next_cursor: p.next_cursor }
    }
}

/// Cursor pagination parameters shared by every list.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Return records after this id (the previous page's `next_cursor`).
    pub after: Option<i64>,
    /// Page size, 1 to 100 (default 25).
    pub limit: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::nul_field;

    #[test]
    fn a_nul_anywhere_in_a_body_is_named_by_its_path() {
        assert_eq!(nul_field(br#"{"note": "a\u0000b"}"#).as_deref(), Some("note"));
        assert_eq!(nul_field(br#"{"a": {"b": ["ok", "x\u0000"]}}"#).as_deref(), Some("a.b[1]"));
        assert_eq!(nul_field(br#""\u0000""#).as_deref(), Some("body"));
        assert_eq!(nul_field(br#"{"k\u0000": 1}"#).as_deref(), Some("body"), "a key holding NUL names where it sits");
        // An escaped backslash followed by the letters is text, not NUL.
        assert_eq!(nul_field(br#"{"note": "C:\\u0000"}"#), None);
        assert_eq!(nul_field(br#"{"note": "plain"}"#), None);
        assert_eq!(nul_field(br#"{"note": "\u0000"#), None, "malformed JSON is the deserializer's to report");
    }
}
