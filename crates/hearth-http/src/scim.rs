//! SCIM 2.0 endpoints at `/scim/v2` for a directory's provisioning service
//! (Entra ID): discovery, `/Users` and `/Groups`. Owns only the protocol's
//! surface: the bearer token, the query and JSON body, `application/scim+json`
//! answers with `Location` and `ETag`, and SCIM Error bodies. Every operation
//! is the gate's (`hearth_gate::scim`), which decides and audits.

use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hearth_domain::scim::{self, Collection, ListQuery};
use hearth_domain::staff::SessionKind;
use hearth_gate::{Actor, GateError};
use serde_json::Value;

const SCIM_JSON: &str = "application/scim+json";

/// The purpose recorded on provisioning, as on other staff administration.
const PURPOSE: &str = "system_security";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(schema))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{name}", get(resource_type))
        .route("/Users", get(list_users).post(create_user))
        .route("/Users/{id}", get(get_user).put(replace_user).patch(patch_user).delete(delete_user))
        .route("/Groups", get(list_groups).post(create_group))
        .route("/Groups/{id}", get(get_group).put(replace_group).patch(patch_group).delete(delete_group))
        .fallback(|| async { ScimError::new(StatusCode::NOT_FOUND, None, "No such SCIM endpoint") })
}

/// A SCIM Error answer (RFC 7644 §3.12).
#[derive(Debug)]
pub struct ScimError {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
}

impl ScimError {
    fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        ScimError { status, scim_type, detail: detail.into() }
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let body = scim::error_body(self.status.as_u16(), self.scim_type, &self.detail);
        let mut r = scim_json(self.status, &body);
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

impl From<GateError> for ScimError {
    fn from(e: GateError) -> Self {
        match e {
            GateError::Invalid(v) => {
                let (status, scim_type) = scim::error_kind(&v);
                ScimError::new(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), scim_type, v.to_string())
            }
            GateError::Unauthenticated => ScimError::new(
                StatusCode::UNAUTHORIZED,
                None,
                "Send the provisioning client's token as Authorization: Bearer; this one is missing, wrong, expired or disabled",
            ),
            GateError::Denied { .. } => ScimError::new(StatusCode::FORBIDDEN, None, e.to_string()),
            GateError::NotFound => ScimError::new(StatusCode::NOT_FOUND, None, "No such resource"),
            GateError::Throttled { .. } => ScimError::new(StatusCode::TOO_MANY_REQUESTS, Some("tooMany"), e.to_string()),
            GateError::Conflict => ScimError::new(StatusCode::CONFLICT, None, e.to_string()),
            GateError::Store(err) => {
                tracing::error!(error = %err, "storage failure");
                ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, None, "The request was not completed; nothing was saved")
            }
            other => ScimError::new(StatusCode::BAD_REQUEST, None, other.to_string()),
        }
    }
}

impl From<hearth_domain::error::ValidationErrors> for ScimError {
    fn from(v: hearth_domain::error::ValidationErrors) -> Self {
        GateError::Invalid(v).into()
    }
}

type ScimResult = Result<Response, ScimError>;

fn scim_json(status: StatusCode, body: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, SCIM_JSON)], body.to_string()).into_response()
}

/// One resource, with its `ETag` (and `Location` when just made).
fn resource(status: StatusCode, body: Value) -> Response {
    let mut r = scim_json(status, &body);
    let h = r.headers_mut();
    if let Some(v) = body["meta"]["version"].as_str().and_then(|v| HeaderValue::from_str(v).ok()) {
        h.insert(header::ETAG, v);
    }
    if status == StatusCode::CREATED {
        if let Some(l) = body["meta"]["location"].as_str().and_then(|l| HeaderValue::from_str(l).ok()) {
            h.insert(header::LOCATION, l);
        }
    }
    r
}

/// The SCIM root as clients reach it: the public address from the identity
/// file when single sign-on sets one, else the Host the request came to.
fn base(s: &AppState, headers: &HeaderMap) -> String {
    if let Some(o) = &s.gate.identity().oidc {
        return format!("{}/scim/v2", o.public_url.trim_end_matches('/'));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("localhost");
    let https = headers.get("x-forwarded-proto").and_then(|p| p.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!("{}://{host}/scim/v2", if https { "https" } else { "http" })
}

/// The provisioning client a bearer token belongs to (any live token gets
/// this far; the gate's decision refuses every other account with 403).
pub struct Provisioner(Actor);

impl FromRequestParts<AppState> for Provisioner {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ScimError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ScimError::from(GateError::Unauthenticated))?;
        let mut actor = state.gate.session(token, SessionKind::Api).await?.actor;
        actor.purpose = PURPOSE.into();
        Ok(Provisioner(actor))
    }
}

/// A SCIM JSON body (`application/scim+json`, or `application/json`).
pub struct ScimJson(Value);

impl<S: Send + Sync> FromRequest<S> for ScimJson {
    type Rejection = ScimError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ScimError> {
        let media = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).map(str::trim);
        if !media.is_some_and(|m| m.eq_ignore_ascii_case(SCIM_JSON) || m.eq_ignore_ascii_case("application/json")) {
            return Err(ScimError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Some("invalidSyntax"),
                "body: set Content-Type: application/scim+json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ScimError::new(StatusCode::PAYLOAD_TOO_LARGE, None, format!("body: at most {} KiB", crate::BODY_LIMIT / 1024))
            } else {
                ScimError::new(StatusCode::BAD_REQUEST, Some("invalidSyntax"), format!("body: {}", e.body_text()))
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(ScimJson)
            .map_err(|e| ScimError::new(StatusCode::BAD_REQUEST, Some("invalidSyntax"), format!("body: not valid JSON: {e}")))
    }
}

type Params = Result<Query<Vec<(String, String)>>, QueryRejection>;

fn list_query(q: Params, collection: Collection) -> Result<ListQuery, ScimError> {
    let Query(pairs) = q.map_err(|e| ScimError::new(StatusCode::BAD_REQUEST, Some("invalidSyntax"), e.body_text()))?;
    let get = |name: &str| pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    Ok(ListQuery::parse(get("filter"), get("startIndex"), get("count"), get("excludedAttributes"), collection)?)
}

fn excluded(q: &Params) -> Vec<String> {
    let Ok(Query(pairs)) = q else { return vec![] };
    pairs
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("excludedAttributes"))
        .flat_map(|(_, v)| v.split(','))
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty())
        .collect()
}

/// The discovery documents hold no records, but only a provisioning client reads them.
fn discovery(s: &AppState, actor: &Actor, headers: &HeaderMap, doc: impl FnOnce(&str) -> Option<Value>) -> ScimResult {
    if !s.gate.may_provision(actor) {
        return Err(ScimError::new(StatusCode::FORBIDDEN, None, "Only the directory's provisioning client uses SCIM"));
    }
    let body = doc(&base(s, headers)).ok_or_else(|| ScimError::new(StatusCode::NOT_FOUND, None, "No such resource"))?;
    Ok(scim_json(StatusCode::OK, &body))
}

async fn service_provider_config(State(s): State<AppState>, Provisioner(a): Provisioner, headers: HeaderMap) -> ScimResult {
    discovery(&s, &a, &headers, |b| Some(scim::service_provider_config(b)))
}

async fn schemas(State(s): State<AppState>, Provisioner(a): Provisioner, headers: HeaderMap) -> ScimResult {
    discovery(&s, &a, &headers, |b| Some(scim::schemas(b)))
}

async fn schema(State(s): State<AppState>, Provisioner(a): Provisioner, headers: HeaderMap, Path(id): Path<String>) -> ScimResult {
    discovery(&s, &a, &headers, |b| scim::schema(&id, b))
}

async fn resource_types(State(s): State<AppState>, Provisioner(a): Provisioner, headers: HeaderMap) -> ScimResult {
    discovery(&s, &a, &headers, |b| Some(scim::resource_types(b)))
}

async fn resource_type(State(s): State<AppState>, Provisioner(a): Provisioner, headers: HeaderMap, Path(n): Path<String>) -> ScimResult {
    discovery(&s, &a, &headers, |b| scim::resource_type(&n, b))
}

async fn list_users(State(s): State<AppState>, Provisioner(a): Provisioner, headers: HeaderMap, q: Params) -> ScimResult {
    let q = list_query(q, Collection::Users)?;
    let page = s.gate.scim_users(&a, &q).await?;
    let base = base(&s, &headers);
    let items = page.items.iter().map(|u| scim::exclude(scim::user_json(u, &base), &q.excluded)).collect();
    Ok(scim_json(StatusCode::OK, &scim::list_json(page.total, page.start, items)))
}

async fn get_user(
    State(s): State<AppState>,
    Provisioner(a): Provisioner,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Params,
) -> ScimResult {
    let u = s.gate.scim_user(&a, &id).await?;
    Ok(resource(StatusCode::OK, scim::exclude(scim::user_json(&u, &base(&s, &headers)), &excluded(&q))))
}

async fn create_user(State(s): State<AppState>, Provisioner(a): Provisioner, headers: HeaderMap, ScimJson(body): ScimJson) -> ScimResult {
    let u = s.gate.scim_create_user(&a, &body).await?;
    Ok(resource(StatusCode::CREATED, scim::user_json(&u, &base(&s, &headers))))
}

async fn replace_user(
    State(s): State<AppState>,
    Provisioner(a): Provisioner,
    headers: HeaderMap,
    Path(id): Path<String>,
    ScimJson(body): ScimJson,
) -> ScimResult {
    let u = s.gate.scim_replace_user(&a, &id, &body).await?;
    Ok(resource(StatusCode::OK, scim::user_json(&u, &base(&s, &headers))))
}

async fn patch_user(
    State(s): State<AppState>,
    Provisioner(a): Provisioner,
    headers: HeaderMap,
    Path(id): Path<String>,
    ScimJson(body): ScimJson,
) -> ScimResult {
    let u = s.gate.scim_patch_user(&a, &id, &body).await?;
    Ok(resource(StatusCode::OK, scim::user_json(&u, &base(&s, &headers))))
}

async fn delete_user(State(s): State<AppState>, Provisioner(a): Provisioner, Path(id): Path<String>) -> ScimResult {
    s.gate.scim_delete_user(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_groups(State(s): State<AppState>, Provisioner(a): Provisioner, headers: HeaderMap, q: Params) -> ScimResult {
    let q = list_query(q, Collection::Groups)?;
    let page = s.gate.scim_groups(&a, &q).await?;
    let base = base(&s, &headers);
    let items = page.items.iter().map(|g| scim::exclude(scim::group_json(g, &base), &q.excluded)).collect();
    Ok(scim_json(StatusCode::OK, &scim::list_json(page.total, page.start, items)))
}

async fn get_group(
    State(s): State<AppState>,
    Provisioner(a): Provisioner,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Params,
) -> ScimResult {
    let g = s.gate.scim_group(&a, &id).await?;
    Ok(resource(StatusCode::OK, scim::exclude(scim::group_json(&g, &base(&s, &headers)), &excluded(&q))))
}

async fn create_group(State(s): State<AppState>, Provisioner(a): Provisioner, headers: HeaderMap, ScimJson(body): ScimJson) -> ScimResult {
    let g = s.gate.scim_create_group(&a, &body).await?;
    Ok(resource(StatusCode::CREATED, scim::group_json(&g, &base(&s, &headers))))
}

async fn replace_group(
    State(s): State<AppState>,
    Provisioner(a): Provisioner,
    headers: HeaderMap,
    Path(id): Path<String>,
    ScimJson(body): ScimJson,
) -> ScimResult {
    let g = s.gate.scim_replace_group(&a, &id, &body).await?;
    Ok(resource(StatusCode::OK, scim::group_json(&g, &base(&s, &headers))))
}

async fn patch_group(
    State(s): State<AppState>,
    Provisioner(a): Provisioner,
    headers: HeaderMap,
    Path(id): Path<String>,
    ScimJson(body): ScimJson,
) -> ScimResult {
    let g = s.gate.scim_patch_group(&a, &id, &body).await?;
    Ok(resource(StatusCode::OK, scim::group_json(&g, &base(&s, &headers))))
}

async fn delete_group(State(s): State<AppState>, Provisioner(a): Provisioner, Path(id): Path<String>) -> ScimResult {
    s.gate.scim_delete_group(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
