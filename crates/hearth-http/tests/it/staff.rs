//! Joiners, movers and leavers over HTTP, on SQLite and PostgreSQL: the
//! administrator lists accounts with their last sign-in, disables a leaver
//! (whose token and web session end at once, whose name stays in history),
//! moves an account to another role, sets a line manager and
//! responsibilities, and resets a password; everyone else is refused, and
//! the administrator cannot lock themselves out.

use hearth_domain::cases::CaseKind;
use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::{self, person};
use hearth_testkit::{browser, field, get, problem_fields, sign_in, TestServer, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    the_administrator_disables_a_leaver_whose_access_ends_at_once,
    movers_get_a_new_role_manager_and_responsibilities,
    only_the_administrator_changes_accounts_and_never_their_own,
    a_reset_password_replaces_the_old_one_and_ends_sessions,
    the_staff_page_lists_accounts_and_disables_from_the_browser,
    the_dpo_and_managers_review_who_can_reach_what,
    a_service_account_reaches_only_its_compartments_until_revoked,
    the_administrator_adds_a_joiner
);

async fn account(s: &TestServer, admin: &str, username: &str) -> Value {
    let (st, all) = s.call(admin, Method::GET, "/api/v1/staff", None).await;
    assert_eq!(st, StatusCode::OK, "{all}");
    all.as_array().unwrap().iter().find(|a| a["username"] == username).unwrap_or_else(|| panic!("no {username} in {all}")).clone()
}

/// Every audit event, oldest first.
async fn audit(s: &TestServer) -> Vec<hearth_domain::audit::NewAuditEvent> {
    let mut tx = s.store.begin().await.unwrap();
    hearth_store::audit::events_after(&mut tx, 0, 100_000).await.unwrap().into_iter().map(|e| e.event).collect()
}

async fn account_of(s: &TestServer, admin: &str, username: &str) -> Value {
    account(s, admin, username).await
}

async fn change(s: &TestServer, admin: &str, id: &Value, body: Value) -> (StatusCode, Value) {
    s.call(admin, Method::POST, &format!("/api/v1/staff/{id}/changes"), Some(body)).await
}

async fn the_administrator_disables_a_leaver_whose_access_ends_at_once(s: TestServer) {
    let admin = s.token(StaffRole::SystemAdministrator).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let web = browser();
    sign_in(&s, &web, "housing_officer").await;
    let pid = person(&s, &officer, "Olwen", "Leaverton").await;
    s.created(&officer, "/api/v1/contacts", json!({"channel": "call_in", "person_ids": [pid], "summary": "Asked about the rent"})).await;
    let asb = s.token(StaffRole::AsbOfficer).await;
    let case =
        fixtures::case(&s, &asb, fixtures::NewCase::new(CaseKind::Asb, pid).assigned_to("housing_officer").summary("Noise from next door"))
            .await;

    let before = account(&s, &admin, "housing_officer").await;
    assert_eq!(before["active"], true);
    assert!(before["last_sign_in_at"].is_string(), "signing in is recorded: {before}");
    assert_eq!(before["display_name"], "Test Housing officer");

    let (st, after) = change(&s, &admin, &before["id"], json!({"change": "disable"})).await;
    assert_eq!(st, StatusCode::OK, "{after}");
    assert_eq!((after["active"].clone(), after["disabled_at"].is_string()), (json!(false), true));

    // Every session and token ended with the change, not at their expiry.
    let (st, _) = s.call(&officer, Method::GET, &format!("/api/v1/people/{pid}"), None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the leaver's API token no longer works");
    let r = web.get(s.url("/search")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the leaver's web session has ended");
    let r = s
        .client
        .post(s.url("/api/v1/auth/token"))
        .json(&json!({"username": "housing_officer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a disabled account cannot sign in");

    // History keeps the leaver's name; the change itself is audited with the account's name.
    let manager = s.token(StaffRole::Manager).await;
    let (st, history) = s.call(&manager, Method::GET, &format!("/api/v1/people/{pid}/history"), None).await;
    assert_eq!(st, StatusCode::OK, "{history}");
    assert!(history.to_string().contains("\"housing_officer\""), "the leaver is still named in history: {history}");
    assert!(!history.to_string().contains("staff account"), "{history}");
    let ev = audit(&s).await.into_iter().find(|e| e.record_type == "staff_user" && e.action == "edit").expect("the change is audited");
    assert_eq!((ev.actor_username.as_str(), ev.decision.as_str()), ("system_administrator", "allow"));
    assert!(ev.detail.as_deref().is_some_and(|d| d.contains("housing_officer disabled")), "{:?}", ev.detail);

    // Pages name the leaver, never a number: the contact they logged, the case assigned to them.
    let web = browser();
    sign_in(&s, &web, "dpo").await;
    let (_, contacts) = get(&s, &web, &format!("/people/{pid}/contacts")).await;
    assert!(contacts.contains("Asked about the rent") && contacts.contains("Test Housing officer"), "{contacts}");
    let (_, page) = get(&s, &web, &format!("/cases/{}", case.id)).await;
    assert!(page.contains("Assigned to") && page.contains("Test Housing officer"), "{page}");
    let numbered = |text: &str| (0..10).any(|d| text.to_lowercase().contains(&format!("staff account {d}")));
    assert!(!numbered(&page) && !numbered(&contacts), "staff are named, never numbered");
    assert!(page.contains("Assigned to Test Housing officer"), "the case's timeline names the assignee too");

    // A returner.
    let (st, back) = change(&s, &admin, &before["id"], json!({"change": "enable"})).await;
    assert_eq!((st, back["active"].clone(), back["disabled_at"].clone()), (StatusCode::OK, json!(true), Value::Null));
    s.token(StaffRole::HousingOfficer).await;
}

async fn movers_get_a_new_role_manager_and_responsibilities(s: TestServer) {
    let admin = s.token(StaffRole::SystemAdministrator).await;
    let officer = s.token(StaffRole::IncomeOfficer).await;
    let a = account(&s, &admin, "income_officer").await;
    let id = &a["id"];

    let (st, moved) = change(&s, &admin, id, json!({"change": "set_role", "role": "asb_officer"})).await;
    assert_eq!((st, moved["role"].clone()), (StatusCode::OK, json!("asb_officer")), "{moved}");
    let (st, _) = s.call(&officer, Method::GET, "/api/v1/cases", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "a mover signs in again under the new role");

    let (st, managed) = change(&s, &admin, id, json!({"change": "set_manager", "manager": "manager"})).await;
    assert_eq!(st, StatusCode::OK, "{managed}");
    assert_eq!(managed["manager_name"], "Test Manager");
    let (st, e) = change(&s, &admin, id, json!({"change": "set_manager", "manager": "nobody_here"})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["manager".to_string()]));

    let (st, r) = change(&s, &admin, id, json!({"change": "set_responsibilities", "responsibilities": ["asb", "safeguarding"]})).await;
    assert_eq!((st, r["responsibilities"].clone()), (StatusCode::OK, json!(["asb", "safeguarding"])));
    let (st, e) = change(&s, &admin, id, json!({"change": "set_responsibilities", "responsibilities": ["dragons"]})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["responsibilities".to_string()]));
    let (st, e) = change(&s, &admin, id, json!({"change": "set_role", "role": "wizard"})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["role".to_string()]));
    let now = account(&s, &admin, "income_officer").await;
    assert_eq!((now["role"].clone(), now["responsibilities"].clone()), (json!("asb_officer"), json!(["asb", "safeguarding"])));
}

async fn only_the_administrator_changes_accounts_and_never_their_own(s: TestServer) {
    let admin = s.token(StaffRole::SystemAdministrator).await;
    let me = account(&s, &admin, "system_administrator").await;
    let (st, e) = change(&s, &admin, &me["id"], json!({"change": "disable"})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["change".to_string()]));
    let (st, e) = change(&s, &admin, &me["id"], json!({"change": "set_role", "role": "dpo"})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["role".to_string()]));

    let target = account(&s, &admin, "contractor").await;
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, list) = s.call(&dpo, Method::GET, "/api/v1/staff", None).await;
    assert_eq!(st, StatusCode::OK, "the DPO sees the accounts: {list}");
    let (st, _) = change(&s, &dpo, &target["id"], json!({"change": "disable"})).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the DPO reads but does not change accounts");
    for role in [StaffRole::HousingOfficer, StaffRole::Manager, StaffRole::SupplierSupport, StaffRole::Contractor] {
        let t = s.token(role).await;
        let (st, _) = s.call(&t, Method::GET, "/api/v1/staff", None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role} may not list staff");
        let (st, _) = change(&s, &t, &target["id"], json!({"change": "disable"})).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role} may not disable an account");
    }
    assert_eq!(account(&s, &admin, "contractor").await["active"], true, "nothing was changed by a refusal");
}

async fn a_reset_password_replaces_the_old_one_and_ends_sessions(s: TestServer) {
    let admin = s.token(StaffRole::SystemAdministrator).await;
    let old = s.token(StaffRole::EdiAnalyst).await;
    let a = account(&s, &admin, "edi_analyst").await;
    let (st, e) = change(&s, &admin, &a["id"], json!({"change": "reset_password", "password": "short"})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["password".to_string()]));
    let (st, r) = change(&s, &admin, &a["id"], json!({"change": "reset_password", "password": "a new plainly fake passphrase"})).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert!(!r.to_string().contains("passphrase"), "the password is never echoed");
    let (st, _) = s.call(&old, Method::GET, "/api/v1/edi/coverage", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let sign_in =
        |password: &str| s.client.post(s.url("/api/v1/auth/token")).json(&json!({"username": "edi_analyst", "password": password})).send();
    assert_eq!(sign_in(PASSWORD).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in("a new plainly fake passphrase").await.unwrap().status(), StatusCode::OK);
    let events = audit(&s).await;
    assert!(events.iter().any(|e| e.detail.as_deref().is_some_and(|d| d.contains("password reset"))), "the reset is audited");
    assert!(events.iter().all(|e| !e.detail.as_deref().is_some_and(|d| d.contains("passphrase"))), "the audit trail holds no password");
}

async fn the_staff_page_lists_accounts_and_disables_from_the_browser(s: TestServer) {
    let officer = browser();
    sign_in(&s, &officer, "housing_officer").await;
    let (st, page) = get(&s, &officer, "/staff").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{page}");
    let (_, search) = get(&s, &officer, "/search").await;
    assert!(!search.contains("Staff accounts"), "the officer's navigation has no staff page");

    let admin = browser();
    let csrf = sign_in(&s, &admin, "system_administrator").await;
    let (st, list) = get(&s, &admin, "/staff").await;
    assert_eq!(st, StatusCode::OK);
    assert!(list.contains("Staff accounts") && list.contains("Test Housing officer") && list.contains("Housing officer"));
    assert!(list.contains("Active") && list.contains("Never"), "status and last sign-in are shown");
    let id = s.gate.user_id("housing_officer").await.unwrap();
    let (st, page) = get(&s, &admin, &format!("/staff/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Disable account") && page.contains(&csrf));

    let r = admin
        .post(s.url(&format!("/staff/{id}/changes")))
        .form(&[("_csrf", csrf.as_str()), ("change", "role"), ("role", "wizard")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("govuk-error-summary") && page.contains("#role"), "the error names the field");

    let r =
        admin.post(s.url(&format!("/staff/{id}/changes"))).form(&[("_csrf", csrf.as_str()), ("change", "disable")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &admin, r.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("Account disabled") && page.contains("Disabled") && page.contains("Enable account"));
    let r = officer.get(s.url("/search")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the leaver's session ended");
    assert_eq!(field(&page, "_csrf"), csrf);
}

async fn the_dpo_and_managers_review_who_can_reach_what(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, sheet) = s.call(&dpo, Method::GET, "/api/v1/access-review", None).await;
    assert_eq!(st, StatusCode::OK, "{sheet}");
    assert_eq!(sheet["scope"], "all");
    let rows = sheet["accounts"].as_array().unwrap();
    assert_eq!(rows.len(), StaffRole::ALL.len(), "every account is reviewed");
    let reach = |username: &str, key: &str| -> Vec<String> {
        let row = rows.iter().find(|r| r["account"]["username"] == username).unwrap();
        row[key].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
    };
    for r in rows {
        let reads: Vec<&Value> = r["reads"].as_array().unwrap().iter().collect();
        assert!(r["reads_when_related"].as_array().unwrap().iter().all(|c| !reads.contains(&c)), "{r}");
    }
    assert_eq!(reach("system_administrator", "reads"), ["staff"], "the administrator reads staff accounts only");
    assert!(reach("contractor", "reads").is_empty() && reach("contractor", "reads_when_related").contains(&"repairs".to_string()));
    assert!(reach("housing_officer", "reads").contains(&"identity".to_string()));
    assert!(
        !reach("housing_officer", "reads").contains(&"edi".to_string()) && !reach("edi_analyst", "reads").contains(&"identity".to_string())
    );
    assert!(rows.iter().find(|r| r["account"]["username"] == "dpo").unwrap()["account"]["last_sign_in_at"].is_string());

    // A manager reviews their own reports only.
    let manager = s.token(StaffRole::Manager).await;
    let (_, mine) = s.call(&manager, Method::GET, "/api/v1/access-review", None).await;
    assert_eq!((mine["scope"].clone(), mine["accounts"].as_array().unwrap().len()), (json!("reports"), 0), "{mine}");
    let admin = s.token(StaffRole::SystemAdministrator).await;
    let officer = account(&s, &admin, "housing_officer").await;
    change(&s, &admin, &officer["id"], json!({"change": "set_manager", "manager": "manager"})).await;
    let (_, mine) = s.call(&manager, Method::GET, "/api/v1/access-review", None).await;
    let names: Vec<&Value> = mine["accounts"].as_array().unwrap().iter().map(|r| &r["account"]["username"]).collect();
    assert_eq!(names, [&json!("housing_officer")]);
    let done = s.created(&manager, "/api/v1/access-review", json!({"note": "Officer still needs tenancy access"})).await;
    assert_eq!(
        (done["scope"].clone(), done["accounts"].clone(), done["reviewed_by"].clone()),
        (json!("reports"), json!(1), json!("Test Manager"))
    );
    let (_, mine) = s.call(&manager, Method::GET, "/api/v1/access-review", None).await;
    assert_eq!(mine["reviews"].as_array().unwrap().len(), 1);
    let ev = audit(&s).await.into_iter().rev().find(|e| e.record_type == "access_review" && e.action == "create").unwrap();
    let detail = ev.detail.unwrap();
    assert!(detail.contains("housing_officer") && detail.contains("reads") && detail.contains("Officer still needs"), "{detail}");
    let done = s.created(&dpo, "/api/v1/access-review", json!({})).await;
    assert_eq!(done["accounts"], json!(StaffRole::ALL.len()));
    let (_, all) = s.call(&dpo, Method::GET, "/api/v1/access-review", None).await;
    assert_eq!(all["reviews"].as_array().unwrap().len(), 2, "the DPO sees every review");
    let (_, mine) = s.call(&manager, Method::GET, "/api/v1/access-review", None).await;
    assert_eq!(mine["reviews"].as_array().unwrap().len(), 1, "a manager sees their own");

    // Nobody else reviews; the administrator reads accounts but does not mark their own work reviewed.
    for role in [StaffRole::HousingOfficer, StaffRole::Contractor, StaffRole::SupplierSupport] {
        let t = s.token(role).await;
        assert_eq!(s.call(&t, Method::GET, "/api/v1/access-review", None).await.0, StatusCode::FORBIDDEN, "{role}");
    }
    assert_eq!(s.call(&admin, Method::POST, "/api/v1/access-review", Some(json!({}))).await.0, StatusCode::FORBIDDEN);
    let long = "x".repeat(5000);
    let (st, e) = s.call(&manager, Method::POST, "/api/v1/access-review", Some(json!({"note": long}))).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["note".to_string()]));

    // The page, from the manager's menu.
    let web = browser();
    let csrf = sign_in(&s, &web, "manager").await;
    let (_, search) = get(&s, &web, "/search").await;
    assert!(search.contains("href=\"/access-review\""));
    let (st, page) = get(&s, &web, "/access-review").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Test Housing officer") && page.contains("Officer still needs tenancy access"));
    let r = web.post(s.url("/access-review")).form(&[("_csrf", csrf.as_str()), ("note", "Checked again")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &web, r.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("Access review marked done") && page.contains("Checked again"));
}

async fn a_service_account_reaches_only_its_compartments_until_revoked(s: TestServer) {
    let admin = s.token(StaffRole::SystemAdministrator).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let pid = person(&s, &officer, "Ivy", "Integration").await;
    s.created(&officer, "/api/v1/contacts", json!({"channel": "call_in", "person_ids": [pid], "summary": "Rang about a leak"})).await;

    let ask = json!({"name": "Housing system (Acme)", "role": "housing_officer", "compartments": ["identity"], "days": 30});
    let made = s.created(&admin, "/api/v1/service-accounts", ask.clone()).await;
    let token = made["token"].as_str().unwrap().to_string();
    let account = &made["account"];
    assert_eq!((account["username"].clone(), account["service"].clone()), (json!("svc-housing-system-acme"), json!(true)));
    assert_eq!(account["scope"], json!(["identity"]));
    assert!(account["expires_at"].is_string());

    // In scope: the person; out of scope, though the role alone would allow it: their contact history.
    let (st, p) = s.call(&token, Method::GET, &format!("/api/v1/people/{pid}"), None).await;
    assert_eq!((st, p["family_name"].clone()), (StatusCode::OK, json!("Integration")));
    let (st, _) = s.call(&officer, Method::GET, &format!("/api/v1/people/{pid}/timeline"), None).await;
    assert_eq!(st, StatusCode::OK, "the role reads the contact log");
    let (st, e) = s.call(&token, Method::GET, &format!("/api/v1/people/{pid}/timeline"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert!(e.to_string().contains("does not cover"), "the refusal says why: {e}");
    let ev = audit(&s).await.into_iter().rev().find(|e| e.decision == "deny").unwrap();
    assert_eq!((ev.actor_username.as_str(), ev.policy_ids.as_str()), ("svc-housing-system-acme", "service-accounts-stay-in-scope"));
    let (st, _) = s
        .call(
            &token,
            Method::POST,
            &format!("/api/v1/people/{pid}/break-glass"),
            Some(json!({"compartment": "contact_log", "reason": "The client needs the history for a sync job"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "a service account never breaks the glass");

    // It never signs in with a password, has no password to reset, and keeps its role.
    for password in ["!", "", PASSWORD] {
        let r = s
            .client
            .post(s.url("/api/v1/auth/token"))
            .json(&json!({"username": "svc-housing-system-acme", "password": password}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{password:?}");
    }
    let (st, e) =
        change(&s, &admin, &account["id"], json!({"change": "reset_password", "password": "a new plainly fake passphrase"})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["password".to_string()]));
    let (st, e) = change(&s, &admin, &account["id"], json!({"change": "set_role", "role": "dpo"})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["role".to_string()]));

    // Listed with the staff, and revoked by disabling it.
    let listed = account_of(&s, &admin, "svc-housing-system-acme").await;
    assert_eq!(listed["service"], true);
    let (st, _) = change(&s, &admin, &account["id"], json!({"change": "disable"})).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(s.call(&token, Method::GET, &format!("/api/v1/people/{pid}"), None).await.0, StatusCode::UNAUTHORIZED, "revoked at once");

    // Bad asks name their fields; only the administrator makes one; a name is used once.
    let (st, e) = s
        .call(
            &admin,
            Method::POST,
            "/api/v1/service-accounts",
            Some(json!({"name": "X", "role": "dpo", "compartments": ["audit"], "days": 0})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_fields(&e), ["name", "role", "compartments", "days"]);
    let (st, e) = s.call(&admin, Method::POST, "/api/v1/service-accounts", Some(ask.clone())).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_string()]));
    let dpo = s.token(StaffRole::Dpo).await;
    assert_eq!(s.call(&dpo, Method::POST, "/api/v1/service-accounts", Some(ask)).await.0, StatusCode::FORBIDDEN);

    // From the staff page: the token is shown once.
    let web = browser();
    let csrf = sign_in(&s, &web, "system_administrator").await;
    let (_, list) = get(&s, &web, "/staff").await;
    assert!(list.contains("Add a service account") && list.contains("Service account"));
    let form = [("_csrf", csrf.as_str()), ("name", "Repairs system"), ("role", "contractor"), ("compartments", "repairs"), ("days", "7")];
    let r = web.post(s.url("/staff/service-accounts")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let page = r.text().await.unwrap();
    let shown = page.split("id=\"service-token\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(shown.len(), 64, "{page}");
    let (_, again) = get(&s, &web, "/staff").await;
    assert!(!again.contains(&shown), "the token is not shown again");
    let form = [("_csrf", csrf.as_str()), ("name", "Other"), ("role", "contractor"), ("compartments", "repairs"), ("days", "many")];
    let r = web.post(s.url("/staff/service-accounts")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("href=\"#days\""));
}

async fn the_administrator_adds_a_joiner(s: TestServer) {
    let admin = s.token(StaffRole::SystemAdministrator).await;
    let joiner = json!({"username": "jo.newstart", "display_name": "Jo Newstart", "role": "housing_officer", "password": "a plainly fake first password"});
    let made = s.created(&admin, "/api/v1/staff", joiner.clone()).await;
    assert_eq!(
        (made["username"].clone(), made["role"].clone(), made["active"].clone()),
        (json!("jo.newstart"), json!("housing_officer"), json!(true))
    );
    assert!(!made.to_string().contains("first password"));
    let r = s
        .client
        .post(s.url("/api/v1/auth/token"))
        .json(&json!({"username": "jo.newstart", "password": "a plainly fake first password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the joiner signs in");
    let ev = audit(&s).await.into_iter().rev().find(|e| e.record_type == "staff_user" && e.action == "create").expect("audited");
    assert!(ev.detail.as_deref().is_some_and(|d| d.contains("jo.newstart") && !d.contains("first password")), "{:?}", ev.detail);

    let (st, e) = s.call(&admin, Method::POST, "/api/v1/staff", Some(joiner.clone())).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["username".to_string()]), "a username is used once");
    let bad = json!({"username": "X", "display_name": " ", "role": "wizard", "password": "short"});
    let (st, e) = s.call(&admin, Method::POST, "/api/v1/staff", Some(bad)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_fields(&e), ["username", "display_name", "password", "role"]);
    for role in [StaffRole::Dpo, StaffRole::Manager, StaffRole::HousingOfficer] {
        let t = s.token(role).await;
        let other = json!({"username": "not.made", "display_name": "Not Made", "role": "dpo", "password": "a plainly fake first password"});
        assert_eq!(s.call(&t, Method::POST, "/api/v1/staff", Some(other)).await.0, StatusCode::FORBIDDEN, "{role}");
    }

    let web = browser();
    let csrf = sign_in(&s, &web, "system_administrator").await;
    let form = [
        ("_csrf", csrf.as_str()),
        ("username", "sam.web"),
        ("display_name", "Sam Web"),
        ("new_role", "manager"),
        ("password", "another plainly fake password"),
    ];
    let r = web.post(s.url("/staff")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &web, r.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("Member of staff added") && page.contains("Sam Web") && page.contains("Manager"));
    let form = [
        ("_csrf", csrf.as_str()),
        ("username", "sam.web2"),
        ("display_name", "Sam Two"),
        ("new_role", ""),
        ("password", "another plainly fake password"),
    ];
    let r = web.post(s.url("/staff")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("href=\"#new_role\""), "the error names the field");
}
