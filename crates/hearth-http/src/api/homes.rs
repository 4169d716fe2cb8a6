//! API handlers for properties, households, memberships and tenancies.

use super::{ApiActor, ApiJson, ApiPage, ApiQuery, PageParams, RecordId};
use crate::problem::{ApiResult, Problem};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hearth_domain::property::{
    Household, HouseholdInput, HouseholdUpdate, Membership, MembershipInput, MembershipUpdate, Property, PropertyInput, PropertyUpdate,
    Tenancy, TenancyInput, TenancyUpdate,
};
use hearth_gate::homes::HouseholdView;

#[utoipa::path(get, path = "/api/v1/properties", params(PageParams),
    responses((status = 200, body = ApiPage<Property>), (status = 403, body = Problem)))]
pub async fn list_properties(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<ApiPage<Property>>> {
    Ok(Json(s.gate.list_properties(&a, p.after, p.limit).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/properties", request_body = PropertyInput,
    responses((status = 201, body = Property), (status = 422, body = Problem)))]
pub async fn create_property(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<PropertyInput>,
) -> ApiResult<(StatusCode, Json<Property>)> {
    Ok((StatusCode::CREATED, Json(s.gate.create_property(&a, &i).await?)))
}

#[utoipa::path(get, path = "/api/v1/properties/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Property), (status = 404, body = Problem)))]
pub async fn property(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Property>> {
    Ok(Json(s.gate.property(&a, id).await?))
}

#[utoipa::path(put, path = "/api/v1/properties/{id}", params(("id" = i64, Path)), request_body = PropertyUpdate,
    responses((status = 200, body = Property), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_property(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(u): ApiJson<PropertyUpdate>,
) -> ApiResult<Json<Property>> {
    Ok(Json(s.gate.update_property(&a, id, &u).await?))
}

#[utoipa::path(get, path = "/api/v1/households", params(PageParams),
    responses((status = 200, body = ApiPage<Household>), (status = 403, body = Problem)))]
pub async fn list_households(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<ApiPage<Household>>> {
    Ok(Json(s.gate.list_households(&a, p.after, p.limit).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/households", request_body = HouseholdInput,
    responses((status = 201, body = Household), (status = 422, body = Problem)))]
pub async fn create_household(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<HouseholdInput>,
) -> ApiResult<(StatusCode, Json<Household>)> {
    Ok((StatusCode::CREATED, Json(s.gate.create_household(&a, &i).await?)))
}

/// A household with its property, members and tenancies.
#[utoipa::path(get, path = "/api/v1/households/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = HouseholdView), (status = 404, body = Problem)))]
pub async fn household(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<HouseholdView>> {
    Ok(Json(s.gate.household(&a, id).await?))
}

#[utoipa::path(put, path = "/api/v1/households/{id}", params(("id" = i64, Path)), request_body = HouseholdUpdate,
    responses((status = 200, body = Household), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_household(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(u): ApiJson<HouseholdUpdate>,
) -> ApiResult<Json<Household>> {
    Ok(Json(s.gate.update_household(&a, id, &u).await?))
}

/// Adds a person to a household in a role (tenant, joint tenant, child, …).
#[utoipa::path(post, path = "/api/v1/households/{id}/members", params(("id" = i64, Path)), request_body = MembershipInput,
    responses((status = 201, body = Membership), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_member(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(i): ApiJson<MembershipInput>,
) -> ApiResult<(StatusCode, Json<Membership>)> {
    Ok((StatusCode::CREATED, Json(s.gate.add_member(&a, id, &i).await?)))
}

#[utoipa::path(put, path = "/api/v1/memberships/{id}", params(("id" = i64, Path)), request_body = MembershipUpdate,
    responses((status = 200, body = Membership), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_member(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(u): ApiJson<MembershipUpdate>,
) -> ApiResult<Json<Membership>> {
    Ok(Json(s.gate.update_member(&a, id, &u).await?))
}

#[utoipa::path(get, path = "/api/v1/tenancies", params(PageParams),
    responses((status = 200, body = ApiPage<Tenancy>), (status = 403, body = Problem)))]
pub async fn list_tenancies(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<ApiPage<Tenancy>>> {
    Ok(Json(s.gate.list_tenancies(&a, p.after, p.limit).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/tenancies", request_body = TenancyInput,
    responses((status = 201, body = Tenancy), (status = 422, body = Problem)))]
pub async fn create_tenancy(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<TenancyInput>,
) -> ApiResult<(StatusCode, Json<Tenancy>)> {
    Ok((StatusCode::CREATED, Json(s.gate.create_tenancy(&a, &i).await?)))
}

#[utoipa::path(get, path = "/api/v1/tenancies/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Tenancy), (status = 404, body = Problem)))]
pub async fn tenancy(State(s): State<AppState>, ApiActor(a): ApiActor, RecordId(id): RecordId) -> ApiResult<Json<Tenancy>> {
    Ok(Json(s.gate.tenancy(&a, id).await?))
}

/// Edits a tenancy; an end date with a reason ends it.
#[utoipa::path(put, path = "/api/v1/tenancies/{id}", params(("id" = i64, Path)), request_body = TenancyUpdate,
    responses((status = 200, body = Tenancy), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_tenancy(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    RecordId(id): RecordId,
    ApiJson(u): ApiJson<TenancyUpdate>,
) -> ApiResult<Json<Tenancy>> {
    Ok(Json(s.gate.update_tenancy(&a, id, &u).await?))
}
