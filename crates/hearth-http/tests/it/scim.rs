//! SCIM 2.0 provisioning over HTTP, on SQLite and PostgreSQL, as Entra ID's
//! provisioning service calls it: users and groups made, found, changed and
//! deleted; group membership (and app roles) give the role the identity
//! file maps, and taking it away takes the role; a user deactivated over
//! SCIM is refused at their very next request; a deleted user stays named in
//! history; only the provisioning client's token is accepted, and it reaches
//! nothing else; bad input gets a SCIM error naming the attribute.

use hearth_domain::identity::IdentityConfig;
use hearth_domain::scim::{ENTERPRISE_USER, ERROR, GROUP_SCHEMA, LIST_RESPONSE, PATCH_OP, USER_SCHEMA};
use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::person;
use hearth_testkit::{browser, sign_in, start_configured, Backend, TestServer, PASSWORD};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    backend: users_are_made_found_changed_and_deleted,
    groups_give_the_mapped_role_and_removal_takes_it_away,
    a_user_deactivated_over_scim_is_refused_at_their_next_request,
    a_deleted_user_is_still_named_in_history,
    only_the_provisioning_client_uses_scim_and_it_reaches_nothing_else,
    bad_input_gets_a_scim_error_naming_the_attribute,
    groups_are_made_found_changed_and_deleted,
    single_sign_on_grants_the_role_a_provisioned_user_lacked
);

const IDENTITY: &str = r#"{ "groups": [
    { "group": "Hearth Housing Officers", "role": "housing_officer" },
    { "group": "b1f0c3a2-asb-team", "role": "asb_officer", "responsibilities": ["asb"] },
    { "group": "Hearth.Manager", "role": "manager" }
] }"#;

/// A server whose identity file maps the groups above.
async fn server(backend: Backend) -> TestServer {
    start_configured(backend, |g| g.with_identity(IdentityConfig::parse(IDENTITY).unwrap())).await
}

/// A provisioning client's token, made by the administrator.
async fn provisioning_token(s: &TestServer) -> String {
    let admin = s.gate.actor_for("system_administrator", "system_security").await.unwrap();
    s.gate.create_provisioning_account(&admin, "Entra provisioning", 30).await.unwrap().token
}

/// A SCIM request as Entra ID sends it: status, headers and JSON body.
async fn scim(s: &TestServer, token: &str, method: Method, path: &str, body: Option<Value>) -> (StatusCode, HeaderMap, Value) {
    let mut req = s.client.request(method, s.url(&format!("/scim/v2{path}"))).bearer_auth(token);
    if let Some(b) = body {
        req = req.header("content-type", "application/scim+json").body(b.to_string());
    }
    let r = req.send().await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    let text = r.text().await.unwrap();
    (status, headers, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
}

fn new_user(user_name: &str, display: &str) -> Value {
    json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_USER],
        "userName": user_name,
        "displayName": display,
        "externalId": format!("ext-{user_name}"),
        "active": true,
        "emails": [{ "value": user_name, "type": "work", "primary": true }],
    })
}

async fn create_user(s: &TestServer, t: &str, user_name: &str, display: &str) -> Value {
    let (st, _, u) = scim(s, t, Method::POST, "/Users", Some(new_user(user_name, display))).await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    u
}

fn patch(ops: Value) -> Value {
    json!({ "schemas": [PATCH_OP], "Operations": ops })
}

/// The account as the staff API shows it to the administrator.
async fn staff_account(s: &TestServer, username: &str) -> Value {
    let admin = s.token(StaffRole::SystemAdministrator).await;
    let (st, all) = s.call(&admin, Method::GET, "/api/v1/staff", None).await;
    assert_eq!(st, StatusCode::OK, "{all}");
    all.as_array().unwrap().iter().find(|a| a["username"] == username).unwrap_or_else(|| panic!("no {username} in {all}")).clone()
}

/// Test set-up standing in for single sign-on: a password for a directory
/// account (it is made with none that can match), then an API token.
async fn token_of_directory_user(s: &TestServer, username: &str) -> Result<String, (StatusCode, Value)> {
    s.gate.set_password(username, PASSWORD).await.unwrap();
    let r = s.client.post(s.url("/api/v1/auth/token")).json(&json!({"username": username, "password": PASSWORD})).send().await.unwrap();
    let st = r.status();
    let v: Value = r.json().await.unwrap();
    if st == StatusCode::OK {
        Ok(v["token"].as_str().unwrap().to_string())
    } else {
        Err((st, v))
    }
}

fn error_of(v: &Value) -> (String, Option<String>, String) {
    assert_eq!(v["schemas"][0], ERROR, "a SCIM Error: {v}");
    (v["status"].as_str().unwrap().to_string(), v["scimType"].as_str().map(str::to_string), v["detail"].as_str().unwrap().to_string())
}

async fn users_are_made_found_changed_and_deleted(backend: Backend) {
    let s = server(backend).await;
    let t = provisioning_token(&s).await;

    let (st, h, u) = scim(&s, &t, Method::POST, "/Users", Some(new_user(" Pat.Hoskins@Riverside.example ", "Pat Hoskins"))).await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    assert_eq!(h["content-type"], "application/scim+json");
    assert_eq!(h["location"].to_str().unwrap(), u["meta"]["location"].as_str().unwrap());
    assert_eq!(h["etag"].to_str().unwrap(), u["meta"]["version"].as_str().unwrap());
    assert_eq!(u["userName"], "pat.hoskins@riverside.example", "normalised as every sign-in name is");
    assert_eq!((u["meta"]["resourceType"].as_str(), u["active"].as_bool()), (Some("User"), Some(true)));
    assert!(u.get("password").is_none());
    let id = u["id"].as_str().unwrap().to_string();
    let account = staff_account(&s, "pat.hoskins@riverside.example").await;
    assert_eq!(account["id"].to_string(), id, "the SCIM id is the staff account's id");
    assert_eq!((account["directory"].as_bool(), account["has_role"].as_bool()), (Some(true), Some(false)), "{account}");

    // The same name in another case is the same account.
    let (st, _, e) = scim(&s, &t, Method::POST, "/Users", Some(new_user("PAT.HOSKINS@riverside.example", "Pat Again"))).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (status, kind, detail) = error_of(&e);
    assert_eq!((status.as_str(), kind.as_deref()), ("409", Some("uniqueness")));
    assert!(detail.contains("userName"), "{detail}");

    let (st, _, got) = scim(&s, &t, Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!((st, got["displayName"].as_str()), (StatusCode::OK, Some("Pat Hoskins")));

    create_user(&s, &t, "sam.okafor@riverside.example", "Sam Okafor").await;
    let find = |f: &str| format!("/Users?filter={}", urlencoding(f));
    let (st, h, list) = scim(&s, &t, Method::GET, &find("userName eq \"PAT.hoskins@riverside.example\""), None).await;
    assert_eq!((st, h["content-type"].to_str().unwrap()), (StatusCode::OK, "application/scim+json"));
    assert_eq!((list["schemas"][0].as_str(), list["totalResults"].as_u64()), (Some(LIST_RESPONSE), Some(1)), "{list}");
    assert_eq!(list["Resources"][0]["id"], json!(id));
    let (_, _, list) = scim(&s, &t, Method::GET, &find("externalId eq \"ext-sam.okafor@riverside.example\""), None).await;
    assert_eq!((list["totalResults"].as_u64(), list["Resources"][0]["displayName"].as_str()), (Some(1), Some("Sam Okafor")));
    let (_, _, list) = scim(&s, &t, Method::GET, &find("userName eq \"nobody@riverside.example\""), None).await;
    assert_eq!((list["totalResults"].as_u64(), list["Resources"].as_array().map(Vec::len)), (Some(0), Some(0)));
    // Paging: the fresh server's own accounts are users too; two per page.
    let (_, _, all) = scim(&s, &t, Method::GET, "/Users", None).await;
    let total = all["totalResults"].as_u64().unwrap();
    assert!(total >= 2 + StaffRole::ALL.len() as u64, "people's accounts, never service accounts: {all}");
    assert!(!all.to_string().contains("svc-entra-provisioning"));
    let (_, _, page) = scim(&s, &t, Method::GET, "/Users?startIndex=2&count=2", None).await;
    assert_eq!(
        (page["startIndex"].as_u64(), page["itemsPerPage"].as_u64(), page["totalResults"].as_u64()),
        (Some(2), Some(2), Some(total))
    );
    assert_eq!(page["Resources"][0]["id"], all["Resources"][1]["id"]);

    // PUT replaces what the directory set.
    let mut put = got.clone();
    put["displayName"] = json!("Pat Hoskins-Lee");
    put["emails"] = json!([{ "value": "pat.lee@riverside.example", "type": "work", "primary": true }]);
    let (st, _, u) = scim(&s, &t, Method::PUT, &format!("/Users/{id}"), Some(put)).await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!((u["displayName"].as_str(), u["emails"][0]["value"].as_str()), (Some("Pat Hoskins-Lee"), Some("pat.lee@riverside.example")));
    assert_eq!(staff_account(&s, "pat.hoskins@riverside.example").await["display_name"], "Pat Hoskins-Lee");

    // PATCH in Entra ID's forms, the manager by the enterprise extension.
    let sam = staff_account(&s, "sam.okafor@riverside.example").await["id"].to_string();
    let ops = patch(json!([
        { "op": "Replace", "path": "displayName", "value": "Pat Lee" },
        { "op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": sam },
        { "op": "Replace", "value": { "externalId": "0b6f-4e2a" } },
    ]));
    let (st, _, u) = scim(&s, &t, Method::PATCH, &format!("/Users/{id}"), Some(ops)).await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!((u["displayName"].as_str(), u["externalId"].as_str()), (Some("Pat Lee"), Some("0b6f-4e2a")));
    assert_eq!(u[ENTERPRISE_USER]["manager"]["value"], json!(sam));
    assert_eq!(staff_account(&s, "pat.hoskins@riverside.example").await["manager_name"], "Sam Okafor", "the line manager is set");

    let (st, _, body) = scim(&s, &t, Method::DELETE, &format!("/Users/{id}"), None).await;
    assert_eq!((st, body), (StatusCode::NO_CONTENT, Value::Null));
    let (st, _, e) = scim(&s, &t, Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!((st, error_of(&e).0.as_str()), (StatusCode::NOT_FOUND, "404"));
    let (st, _, _) =
        scim(&s, &t, Method::PATCH, &format!("/Users/{id}"), Some(patch(json!([{ "op": "replace", "path": "active", "value": true }]))))
            .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "a deleted user cannot be brought back over SCIM");
    let (_, _, list) = scim(&s, &t, Method::GET, &find("userName eq \"pat.hoskins@riverside.example\""), None).await;
    assert_eq!(list["totalResults"], 0);
    // The row stays: the staff page lists the leaver, disabled, by name.
    let leaver = staff_account(&s, "pat.hoskins@riverside.example").await;
    assert_eq!((leaver["display_name"].as_str(), leaver["active"].as_bool()), (Some("Pat Lee"), Some(false)));
    let admin = s.token(StaffRole::SystemAdministrator).await;
    let web = browser();
    sign_in(&s, &web, "system_administrator").await;
    let page = web.get(s.url("/staff")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Pat Lee") && page.contains("No role yet") && page.contains("Directory"), "{page}");
    let (st, review) = s.call(&s.token(StaffRole::Dpo).await, Method::GET, "/api/v1/access-review", None).await;
    assert_eq!(st, StatusCode::OK);
    let row = review["accounts"].as_array().unwrap().iter().find(|r| r["account"]["username"] == "sam.okafor@riverside.example").unwrap();
    assert_eq!(row["reads"], json!([]), "an account with no role yet reaches nothing: {row}");
    drop(admin);
}

/// Percent-encodes a filter for the query string.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

async fn groups_give_the_mapped_role_and_removal_takes_it_away(backend: Backend) {
    let s = server(backend).await;
    let t = provisioning_token(&s).await;
    let u = create_user(&s, &t, "ola.brennan@riverside.example", "Ola Brennan").await;
    let uid = u["id"].as_str().unwrap().to_string();

    // No group yet: no role, and a clear refusal at sign-in.
    let (st, refusal) = token_of_directory_user(&s, "ola.brennan@riverside.example").await.unwrap_err();
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refusal.to_string().contains("Your account has no Hearth role yet; ask your administrator"), "{refusal}");

    let group = json!({ "schemas": [GROUP_SCHEMA], "displayName": "Hearth Housing Officers", "members": [{ "value": uid }] });
    let (st, _, g) = scim(&s, &t, Method::POST, "/Groups", Some(group)).await;
    assert_eq!(st, StatusCode::CREATED, "{g}");
    let gid = g["id"].as_str().unwrap().to_string();
    let account = staff_account(&s, "ola.brennan@riverside.example").await;
    assert_eq!((account["role"].as_str(), account["has_role"].as_bool()), (Some("housing_officer"), Some(true)), "{account}");
    let token = token_of_directory_user(&s, "ola.brennan@riverside.example").await.unwrap();
    let (st, _) = s.call(&token, Method::GET, "/api/v1/people?q=Smith", None).await;
    assert_eq!(st, StatusCode::OK, "the mapped role works");
    let (_, _, u) = scim(&s, &t, Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(u["groups"][0]["display"], "Hearth Housing Officers");

    // Removed from the group: no role, and the token ends with it.
    let remove = patch(json!([{ "op": "Remove", "path": format!("members[value eq \"{uid}\"]") }]));
    let (st, _, g) = scim(&s, &t, Method::PATCH, &format!("/Groups/{gid}"), Some(remove)).await;
    assert_eq!((st, g["members"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{g}");
    assert_eq!(staff_account(&s, "ola.brennan@riverside.example").await["has_role"], false);
    let (st, _) = s.call(&token, Method::GET, "/api/v1/people?q=Smith", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "a role taken away ends the session");
    assert!(token_of_directory_user(&s, "ola.brennan@riverside.example").await.is_err());

    // A group matched by its externalId, with responsibilities; then an app role too.
    let asb = json!({ "schemas": [GROUP_SCHEMA], "displayName": "ASB team", "externalId": "b1f0c3a2-asb-team" });
    let (_, _, asb) = scim(&s, &t, Method::POST, "/Groups", Some(asb)).await;
    let add = patch(json!([{ "op": "Add", "path": "members", "value": [{ "value": uid }] }]));
    let (st, _, _) = scim(&s, &t, Method::PATCH, &format!("/Groups/{}", asb["id"].as_str().unwrap()), Some(add)).await;
    assert_eq!(st, StatusCode::OK);
    let account = staff_account(&s, "ola.brennan@riverside.example").await;
    assert_eq!((account["role"].as_str(), account["responsibilities"].clone()), (Some("asb_officer"), json!(["asb"])));
    let roles = patch(json!([{ "op": "Add", "path": "roles", "value": [{ "value": "Hearth.Manager" }] }]));
    let (st, _, _) = scim(&s, &t, Method::PATCH, &format!("/Users/{uid}"), Some(roles)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(staff_account(&s, "ola.brennan@riverside.example").await["role"], "asb_officer", "the file's order decides");
    // Deleting the group leaves the app role's.
    let (st, _, _) = scim(&s, &t, Method::DELETE, &format!("/Groups/{}", asb["id"].as_str().unwrap()), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let account = staff_account(&s, "ola.brennan@riverside.example").await;
    assert_eq!((account["role"].as_str(), account["responsibilities"].clone()), (Some("manager"), json!([])));
}

async fn a_user_deactivated_over_scim_is_refused_at_their_next_request(backend: Backend) {
    let s = server(backend).await;
    let t = provisioning_token(&s).await;

    // A local account the directory matches by userName, signed in twice.
    let officer = s.token(StaffRole::HousingOfficer).await;
    let web = browser();
    sign_in(&s, &web, "housing_officer").await;
    let (_, _, found) = scim(&s, &t, Method::GET, "/Users?filter=userName%20eq%20%22Housing_Officer%22", None).await;
    assert_eq!(found["totalResults"], 1, "{found}");
    let id = found["Resources"][0]["id"].as_str().unwrap().to_string();
    let off = patch(json!([{ "op": "Replace", "path": "active", "value": "False" }]));
    let (st, _, u) = scim(&s, &t, Method::PATCH, &format!("/Users/{id}"), Some(off)).await;
    assert_eq!((st, u["active"].as_bool()), (StatusCode::OK, Some(false)), "{u}");
    let (st, _) = s.call(&officer, Method::GET, "/api/v1/people?q=Smith", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the API token is refused at the next request");
    let r = web.get(s.url("/search")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the web session has ended");
    let r = s
        .client
        .post(s.url("/api/v1/auth/token"))
        .json(&json!({"username": "housing_officer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "and it cannot sign in again");

    // A provisioned user with a role, deactivated the path-less way.
    let u = create_user(&s, &t, "kit.marlow@riverside.example", "Kit Marlow").await;
    let uid = u["id"].as_str().unwrap();
    let group = json!({ "schemas": [GROUP_SCHEMA], "displayName": "hearth housing officers", "members": [{ "value": uid }] });
    let (st, _, _) = scim(&s, &t, Method::POST, "/Groups", Some(group)).await;
    assert_eq!(st, StatusCode::CREATED);
    let token = token_of_directory_user(&s, "kit.marlow@riverside.example").await.unwrap();
    let (st, _) = s.call(&token, Method::GET, "/api/v1/people?q=Smith", None).await;
    assert_eq!(st, StatusCode::OK);
    let off = patch(json!([{ "op": "replace", "value": { "active": false } }]));
    let (st, _, _) = scim(&s, &t, Method::PATCH, &format!("/Users/{uid}"), Some(off)).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s.call(&token, Method::GET, "/api/v1/people?q=Smith", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "refused within one request");
    let account = staff_account(&s, "kit.marlow@riverside.example").await;
    assert_eq!((account["active"].as_bool(), account["disabled_at"].is_string()), (Some(false), true));
    // Reactivated by the directory, the account may sign in again.
    let on = patch(json!([{ "op": "replace", "path": "active", "value": true }]));
    let (st, _, u) = scim(&s, &t, Method::PATCH, &format!("/Users/{uid}"), Some(on)).await;
    assert_eq!((st, u["active"].as_bool()), (StatusCode::OK, Some(true)));
    assert!(token_of_directory_user(&s, "kit.marlow@riverside.example").await.is_ok());
}

async fn a_deleted_user_is_still_named_in_history(backend: Backend) {
    let s = server(backend).await;
    let t = provisioning_token(&s).await;
    let u = create_user(&s, &t, "rowan.vale@riverside.example", "Rowan Vale").await;
    let uid = u["id"].as_str().unwrap();
    let group = json!({ "schemas": [GROUP_SCHEMA], "displayName": "Hearth Housing Officers", "members": [{ "value": uid }] });
    scim(&s, &t, Method::POST, "/Groups", Some(group)).await;
    let token = token_of_directory_user(&s, "rowan.vale@riverside.example").await.unwrap();
    let pid = person(&s, &token, "Imogen", "Quayle").await;

    let (st, _, _) = scim(&s, &t, Method::DELETE, &format!("/Users/{uid}"), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s.call(&token, Method::GET, &format!("/api/v1/people/{pid}"), None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "deletion ends the token too");

    let manager = s.token(StaffRole::Manager).await;
    let (st, history) = s.call(&manager, Method::GET, &format!("/api/v1/people/{pid}/history"), None).await;
    assert_eq!(st, StatusCode::OK, "{history}");
    assert!(history.to_string().contains("rowan.vale@riverside.example"), "the leaver is still named in history: {history}");
    let names = s.gate.staff_names().await.unwrap();
    assert_eq!(names.get(&uid.parse::<i64>().unwrap()).map(String::as_str), Some("Rowan Vale"));
    // The audit trail holds the deletion, naming the account.
    let mut tx = s.store.begin().await.unwrap();
    let events = hearth_store::audit::events_after(&mut tx, 0, 100_000).await.unwrap();
    drop(tx);
    let deleted = events
        .iter()
        .find(|e| {
            e.event.record_type == "directory_user" && e.event.detail.as_deref().is_some_and(|d| d.contains("deleted by the directory"))
        })
        .expect("the deletion is audited");
    assert_eq!(deleted.event.actor_username, "svc-entra-provisioning");
    assert!(deleted.event.detail.as_deref().unwrap().contains("rowan.vale@riverside.example"));
}

async fn only_the_provisioning_client_uses_scim_and_it_reaches_nothing_else(backend: Backend) {
    let s = server(backend).await;
    let t = provisioning_token(&s).await;
    let r = s.client.get(s.url("/scim/v2/Users")).send().await.unwrap();
    assert_eq!((r.status(), r.headers()["www-authenticate"].to_str().unwrap()), (StatusCode::UNAUTHORIZED, "Bearer"));
    let (status, _, _) = error_of(&r.json().await.unwrap());
    assert_eq!(status, "401");
    let (st, _, _) = scim(&s, "not-a-token", Method::GET, "/Users", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // The administrator's own token, and another service account's, are refused.
    let admin = s.token(StaffRole::SystemAdministrator).await;
    for path in ["/Users", "/Groups", "/ServiceProviderConfig", "/Schemas"] {
        let (st, _, e) = scim(&s, &admin, Method::GET, path, None).await;
        assert_eq!((st, error_of(&e).0.as_str()), (StatusCode::FORBIDDEN, "403"), "{path}");
    }
    let svc = json!({"name": "Repairs system", "role": "contractor", "compartments": ["repairs"], "days": 30});
    let made = s.created(&admin, "/api/v1/service-accounts", svc).await;
    let repairs = made["token"].as_str().unwrap();
    let (st, _, _) = scim(&s, repairs, Method::POST, "/Users", Some(new_user("x.y@riverside.example", "X Y"))).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let staff = json!({"name": "Sneaky", "role": "housing_officer", "compartments": ["staff"], "days": 30});
    let (st, _) = s.call(&admin, Method::POST, "/api/v1/service-accounts", Some(staff)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "no other service account may reach staff");

    // The provisioning token reaches nothing but SCIM: not the staff API, not service accounts.
    let (st, _) = s.call(&t, Method::GET, "/api/v1/staff", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let svc = json!({"name": "Another", "role": "housing_officer", "compartments": ["identity"], "days": 30});
    let (st, _) = s.call(&t, Method::POST, "/api/v1/service-accounts", Some(svc)).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.call(&t, Method::GET, "/api/v1/people?q=Smith", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, h, spc) = scim(&s, &t, Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!((st, h["content-type"].to_str().unwrap()), (StatusCode::OK, "application/scim+json"));
    assert_eq!((spc["patch"]["supported"].as_bool(), spc["bulk"]["supported"].as_bool()), (Some(true), Some(false)));
    let (_, _, types) = scim(&s, &t, Method::GET, "/ResourceTypes", None).await;
    let names: Vec<&str> = types["Resources"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["User", "Group"]);
    let (_, _, schemas) = scim(&s, &t, Method::GET, "/Schemas", None).await;
    assert_eq!(schemas["totalResults"], 3);

    // Disabled by the administrator, the provisioning client's token ends.
    let id = staff_account(&s, "svc-entra-provisioning").await["id"].clone();
    let (st, _) = s.call(&admin, Method::POST, &format!("/api/v1/staff/{id}/changes"), Some(json!({"change": "disable"}))).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, _) = scim(&s, &t, Method::GET, "/Users", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

async fn bad_input_gets_a_scim_error_naming_the_attribute(backend: Backend) {
    let s = server(backend).await;
    let t = provisioning_token(&s).await;
    let expect = |v: &Value, status: &str, kind: &str, names: &str| {
        let (st, k, detail) = error_of(v);
        assert_eq!((st.as_str(), k.as_deref()), (status, Some(kind)), "{v}");
        assert!(detail.contains(names), "{detail} should name {names}");
    };
    let (st, _, e) = scim(&s, &t, Method::POST, "/Users", Some(json!({"not": "a scim resource"}))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    expect(&e, "400", "invalidSyntax", "schemas");
    let (_, _, e) = scim(&s, &t, Method::POST, "/Users", Some(json!({"schemas": [USER_SCHEMA]}))).await;
    expect(&e, "400", "invalidValue", "userName");
    let mut bad = new_user("jo.bloggs@riverside.example", "Jo Bloggs");
    bad["emails"] = json!([{ "value": "not an address" }]);
    let (_, _, e) = scim(&s, &t, Method::POST, "/Users", Some(bad)).await;
    expect(&e, "400", "invalidValue", "emails");
    let mut bad = new_user("jo.bloggs@riverside.example", "Jo Bloggs");
    bad[ENTERPRISE_USER] = json!({ "manager": { "value": "999999" } });
    let (_, _, e) = scim(&s, &t, Method::POST, "/Users", Some(bad)).await;
    expect(&e, "400", "invalidValue", "manager");

    let u = create_user(&s, &t, "jo.bloggs@riverside.example", "Jo Bloggs").await;
    let at = format!("/Users/{}", u["id"].as_str().unwrap());
    let (_, _, e) = scim(&s, &t, Method::PATCH, &at, Some(patch(json!([{ "op": "replace", "path": "shoeSize", "value": 9 }])))).await;
    expect(&e, "400", "invalidPath", "shoeSize");
    let (_, _, e) = scim(&s, &t, Method::PATCH, &at, Some(patch(json!([{ "op": "replace", "path": "active", "value": "perhaps" }])))).await;
    expect(&e, "400", "invalidValue", "active");
    let (_, _, e) = scim(&s, &t, Method::PATCH, &at, Some(patch(json!([{ "op": "replace", "path": "id", "value": "1" }])))).await;
    expect(&e, "400", "mutability", "id");
    let (_, _, e) = scim(&s, &t, Method::GET, "/Users?filter=userName%20sw%20%22jo%22", None).await;
    expect(&e, "400", "invalidFilter", "eq");
    let (_, _, e) = scim(&s, &t, Method::GET, "/Users?count=lots", None).await;
    expect(&e, "400", "invalidValue", "count");
    // Nothing half-written: a PATCH refused part-way changes nothing.
    let ops =
        patch(json!([{ "op": "replace", "path": "displayName", "value": "Half Done" }, { "op": "replace", "path": "active", "value": 3 }]));
    let (st, _, _) = scim(&s, &t, Method::PATCH, &at, Some(ops)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (_, _, now) = scim(&s, &t, Method::GET, &at, None).await;
    assert_eq!(now["displayName"], "Jo Bloggs");

    let r = s.client.post(s.url("/scim/v2/Users")).bearer_auth(&t).header("content-type", "text/plain").body("hello").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = s
        .client
        .post(s.url("/scim/v2/Users"))
        .bearer_auth(&t)
        .header("content-type", "application/scim+json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    expect(&r.json().await.unwrap(), "400", "invalidSyntax", "body");
    for path in ["/Users/nonexistent-id-000000", "/Users/0", "/Groups/123456789"] {
        let (st, _, e) = scim(&s, &t, Method::GET, path, None).await;
        assert_eq!((st, error_of(&e).0.as_str()), (StatusCode::NOT_FOUND, "404"), "{path}");
    }
}

async fn groups_are_made_found_changed_and_deleted(backend: Backend) {
    let s = server(backend).await;
    let t = provisioning_token(&s).await;
    let a = create_user(&s, &t, "ann.ash@riverside.example", "Ann Ash").await;
    let b = create_user(&s, &t, "ben.birch@riverside.example", "Ben Birch").await;
    let (aid, bid) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let (st, h, g) =
        scim(&s, &t, Method::POST, "/Groups", Some(json!({ "schemas": [GROUP_SCHEMA], "displayName": "Finance", "externalId": "g-fin" })))
            .await;
    assert_eq!(st, StatusCode::CREATED, "{g}");
    assert_eq!(h["location"].to_str().unwrap(), g["meta"]["location"].as_str().unwrap());
    let gid = g["id"].as_str().unwrap().to_string();

    let add =
        patch(json!([{ "op": "Add", "path": "members", "value": [{ "value": aid }, { "value": bid }, { "value": "fake-member-id" }] }]));
    let (st, _, g) = scim(&s, &t, Method::PATCH, &format!("/Groups/{gid}"), Some(add)).await;
    assert_eq!(st, StatusCode::OK, "{g}");
    let members: Vec<&str> = g["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    assert_eq!(members, [aid, bid], "an id that names no user is left out");
    assert_eq!(staff_account(&s, "ann.ash@riverside.example").await["has_role"], false, "Finance maps to no role");

    let q = |f: &str| format!("/Groups?excludedAttributes=members&filter={}", urlencoding(f));
    let (_, _, found) = scim(&s, &t, Method::GET, &q("displayName eq \"finance\""), None).await;
    assert_eq!(found["totalResults"], 1);
    assert!(found["Resources"][0].get("members").is_none(), "members left out as asked: {found}");
    let (_, _, found) = scim(&s, &t, Method::GET, &q(&format!("id eq \"{gid}\" and members[value eq \"{bid}\"]")), None).await;
    assert_eq!(found["totalResults"], 1);

    // Renamed to a mapped name: every member gets the role.
    let (st, _, g) = scim(
        &s,
        &t,
        Method::PATCH,
        &format!("/Groups/{gid}"),
        Some(patch(json!([{ "op": "Replace", "path": "displayName", "value": "Hearth Housing Officers" }]))),
    )
    .await;
    assert_eq!((st, g["displayName"].as_str()), (StatusCode::OK, Some("Hearth Housing Officers")));
    assert_eq!(staff_account(&s, "ben.birch@riverside.example").await["role"], "housing_officer");

    // PUT replaces the members.
    let put = json!({ "schemas": [GROUP_SCHEMA], "id": gid, "displayName": "Hearth Housing Officers", "members": [{ "value": aid }] });
    let (st, _, g) = scim(&s, &t, Method::PUT, &format!("/Groups/{gid}"), Some(put)).await;
    assert_eq!((st, g["members"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
    assert_eq!(staff_account(&s, "ben.birch@riverside.example").await["has_role"], false);
    let (st, _, g) =
        scim(&s, &t, Method::PATCH, &format!("/Groups/{gid}"), Some(patch(json!([{ "op": "remove", "path": "members" }])))).await;
    assert_eq!((st, g["members"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));

    let (st, _, _) = scim(&s, &t, Method::DELETE, &format!("/Groups/{gid}"), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _, _) = scim(&s, &t, Method::GET, &format!("/Groups/{gid}"), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

async fn single_sign_on_grants_the_role_a_provisioned_user_lacked(backend: Backend) {
    let s = server(backend).await;
    let t = provisioning_token(&s).await;
    create_user(&s, &t, "nia.fenwick@riverside.example", "Nia Fenwick").await;
    assert_eq!(staff_account(&s, "nia.fenwick@riverside.example").await["has_role"], false);
    // Their token's groups map to a role before the directory has pushed the group.
    let who = hearth_gate::auth::DirectoryIdentity {
        subject: "https://id.example|nia-1".into(),
        username: "Nia.Fenwick@riverside.example".into(),
        display_name: "Nia Fenwick".into(),
        groups: vec!["Hearth Housing Officers".into()],
        manager: None,
    };
    let signed = s.gate.sign_in_from_directory(&who).await.unwrap();
    let live = s.gate.session(&signed.token, hearth_domain::staff::SessionKind::Web).await.unwrap();
    assert_eq!(live.actor.role, StaffRole::HousingOfficer, "the session is live with the mapped role");
    let account = staff_account(&s, "nia.fenwick@riverside.example").await;
    assert_eq!((account["has_role"].as_bool(), account["role"].as_str()), (Some(true), Some("housing_officer")));
}
