//! The access gate over HTTP on SQLite and PostgreSQL: every role against
//! every cell of docs/access-matrix.md that has a route today, break-glass
//! from grant to expiry and DPO review, and supplier-support grants.

use hearth_domain::{access::Compartment, staff::StaffRole};
use hearth_testkit::{start_with, Backend, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    http_responses_match_the_access_matrix,
    support_grants_open_only_what_they_name,
    supplier_support_is_never_granted_the_registers_the_audit_trail_or_equality_data,
    the_dpo_lists_supplier_support_grants_current_and_past
);

both_backends!(backend: break_glass_is_granted_flagged_expires_and_reviewed);

/// (role, compartment) → codes for view, list, create, edit, delete, export, break_glass.
fn matrix() -> Vec<(StaffRole, Compartment, Vec<char>)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/access-matrix.md")).unwrap();
    text.lines()
        .filter(|l| l.starts_with("| "))
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            Some((
                StaffRole::parse(cells[0])?,
                Compartment::parse(cells[1])?,
                cells[2..].iter().map(|c| c.chars().next().unwrap()).collect(),
            ))
        })
        .collect()
}

/// Records the housing officer sets up for one role to act on.
struct Fixture {
    person: i64,
    evidence: i64,
    contact: i64,
    household: i64,
    tenancy: i64,
}

async fn fixture(s: &TestServer, t: &str, n: usize) -> Fixture {
    let (_, p) =
        s.call(t, Method::POST, "/api/v1/people", Some(json!({"given_name": "Matrix", "family_name": format!("Person{n}")}))).await;
    let person = p["id"].as_i64().unwrap();
    let (_, e) = s
        .call(
            t,
            Method::POST,
            &format!("/api/v1/people/{person}/identity-evidence"),
            Some(json!({"evidence_type": "passport", "reference": "ending 1", "seen_on": "2026-01-01"})),
        )
        .await;
    let (_, c) = s
        .call(t, Method::POST, &format!("/api/v1/people/{person}/contact-points"), Some(json!({"kind": "phone", "value": "01632 960 100"})))
        .await;
    let (_, pr) = s
        .call(
            t,
            Method::POST,
            "/api/v1/properties",
            Some(json!({"uprn": 990000100000i64 + n as i64, "line1": "1 Sample Terrace", "town": "Testbridge", "postcode": "ZZ99 5GH"})),
        )
        .await;
    let (_, h) = s.call(t, Method::POST, "/api/v1/households", Some(json!({"property_id": pr["id"]}))).await;
    let (_, ten) = s
        .call(
            t,
            Method::POST,
            "/api/v1/tenancies",
            Some(json!({"reference": format!("TEN-M{n}"), "household_id": h["id"], "tenure": "assured", "start_date": "2020-01-01"})),
        )
        .await;
    Fixture {
        person,
        evidence: e["id"].as_i64().unwrap(),
        contact: c["id"].as_i64().unwrap(),
        household: h["id"].as_i64().unwrap(),
        tenancy: ten["id"].as_i64().unwrap(),
    }
}

async fn version(s: &TestServer, officer: &str, path: &str) -> Value {
    s.call(officer, Method::GET, path, None).await.1["version"].clone()
}

async fn http_responses_match_the_access_matrix(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let table = matrix();
    let code = |role: StaffRole, c: Compartment, action: usize| table.iter().find(|(r, cc, _)| *r == role && *cc == c).unwrap().2[action];
    let mut wrong = vec![];
    for (n, role) in StaffRole::ALL.iter().enumerate() {
        let f = fixture(&s, &officer, n).await;
        let t = s.token(*role).await;
        let (p, e, c, tn) = (f.person, f.evidence, f.contact, f.tenancy);
        let person_v = version(&s, &officer, &format!("/api/v1/people/{p}")).await;
        let contact_v = version(&s, &officer, &format!("/api/v1/contact-points/{c}")).await;
        let tenancy_v = version(&s, &officer, &format!("/api/v1/tenancies/{tn}")).await;
        // (compartment, action index, method, path, body)
        let cases: Vec<(Compartment, usize, Method, String, Option<Value>)> = vec![
            (Compartment::Identity, 0, Method::GET, format!("/api/v1/people/{p}"), None),
            (Compartment::Identity, 1, Method::GET, "/api/v1/people?limit=5".into(), None),
            (Compartment::Identity, 2, Method::POST, "/api/v1/people".into(), Some(json!({"given_name": "New", "family_name": "Entry"}))),
            (
                Compartment::Identity,
                3,
                Method::PUT,
                format!("/api/v1/people/{p}"),
                Some(json!({"version": person_v, "given_name": "Matrix", "family_name": "Edited"})),
            ),
            (Compartment::Identity, 4, Method::DELETE, format!("/api/v1/identity-evidence/{e}"), None),
            (Compartment::Contact, 0, Method::GET, format!("/api/v1/people/{p}/contact-points"), None),
            (
                Compartment::Contact,
                2,
                Method::POST,
                format!("/api/v1/people/{p}/contact-points"),
                Some(json!({"kind": "email", "value": "matrix@example.org"})),
            ),
            (
                Compartment::Contact,
                3,
                Method::PUT,
                format!("/api/v1/contact-points/{c}"),
                Some(json!({"version": contact_v, "value": "01632 960 101"})),
            ),
            (Compartment::Contact, 4, Method::DELETE, format!("/api/v1/contact-points/{c}"), None),
            (Compartment::Tenancy, 0, Method::GET, format!("/api/v1/tenancies/{tn}"), None),
            (Compartment::Tenancy, 1, Method::GET, "/api/v1/tenancies".into(), None),
            (Compartment::Tenancy, 2, Method::POST, "/api/v1/households".into(), Some(json!({"property_id": 1}))),
            (
                Compartment::Tenancy,
                3,
                Method::PUT,
                format!("/api/v1/tenancies/{tn}"),
                Some(
                    json!({"version": tenancy_v, "reference": format!("TEN-M{n}"), "household_id": f.household, "tenure": "assured", "start_date": "2020-02-01"}),
                ),
            ),
            (Compartment::Audit, 0, Method::GET, format!("/api/v1/people/{p}/history"), None),
            (Compartment::Audit, 1, Method::GET, "/api/v1/break-glass".into(), None),
        ];
        for (compartment, action, method, path, body) in cases {
            // `C` cells need a caller check only on records about someone: the
            // person's own routes are refused (no check is made here); lists, a
            // new person and a tenancy whose household has no members yet are
            // not about anyone, so they act as `Y`. representatives.rs tests the rest.
            let about_person = path.contains(&format!("/people/{p}")) || path.contains(&format!("/contact-points/{c}"));
            let expect_allowed = match code(*role, compartment, action) {
                'Y' => true,
                'C' => !about_person,
                _ => false,
            };
            let (status, resp) = s.call(&t, method.clone(), &path, body).await;
            let ok =
                if expect_allowed { status.is_success() } else { status == StatusCode::FORBIDDEN && !resp.to_string().contains("Matrix") };
            if !ok {
                wrong.push(format!("{role} {method} {path}: got {status}, table says {}", code(*role, compartment, action)));
            }
        }
    }
    assert!(wrong.is_empty(), "{} responses disagree with docs/access-matrix.md:\n{}", wrong.len(), wrong.join("\n"));
}

async fn break_glass_is_granted_flagged_expires_and_reviewed(backend: Backend) {
    let s = start_with(backend, jiff::SignedDuration::from_secs(2)).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let (_, p) = s.call(&officer, Method::POST, "/api/v1/people", Some(json!({"given_name": "Glass", "family_name": "Breakwell"}))).await;
    let id = p["id"].as_i64().unwrap();
    let history = format!("/api/v1/people/{id}/history");

    let (st, _) = s.call(&advisor, Method::GET, &history, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "outside policy before breaking the glass");
    let (st, p) = s
        .call(&advisor, Method::POST, &format!("/api/v1/people/{id}/break-glass"), Some(json!({"compartment": "audit", "reason": "short"})))
        .await;
    assert_eq!(
        (st, hearth_testkit::problem_fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()]),
        "a reason is required"
    );
    let contractor = s.token(StaffRole::Contractor).await;
    let (st, _) = s
        .call(
            &contractor,
            Method::POST,
            &format!("/api/v1/people/{id}/break-glass"),
            Some(json!({"compartment": "identity", "reason": "I would like to look please"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "contractors cannot break the glass");

    let reason = "Caller reports the tenant collapsed; checking recent contact";
    let (st, grant) = s
        .call(&advisor, Method::POST, &format!("/api/v1/people/{id}/break-glass"), Some(json!({"compartment": "audit", "reason": reason})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{grant}");
    let (st, _) = s.call(&advisor, Method::GET, &history, None).await;
    assert_eq!(st, StatusCode::OK, "the grant opens that compartment of that record");
    let flagged = {
        let mut tx = s.store.begin().await.unwrap();
        hearth_store::audit::events_for_person(&mut tx, id, 20).await.unwrap()
    };
    let use_event = flagged
        .iter()
        .find(|e| e.event.actor_username == "contact_centre_advisor" && e.event.action == "view" && e.event.decision == "allow")
        .unwrap();
    assert_eq!(use_event.event.policy_ids, "break-glass-view");
    assert_eq!(use_event.event.reason.as_deref(), Some(format!("break-glass: {reason}").as_str()));
    let (st, _) = s.call(&advisor, Method::GET, "/api/v1/people/999/history", None).await;
    assert_ne!(st, StatusCode::OK, "only the record named");

    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let (st, _) = s.call(&advisor, Method::GET, &history, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the grant has expired");

    let (st, _) = s.call(&advisor, Method::GET, "/api/v1/break-glass", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "only reviewers see the review list");
    let (st, list) = s.call(&dpo, Method::GET, "/api/v1/break-glass", None).await;
    assert_eq!(st, StatusCode::OK);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!((items[0]["username"].as_str(), items[0]["reason"].as_str()), (Some("contact_centre_advisor"), Some(reason)));
    let gid = items[0]["id"].as_i64().unwrap();
    let (st, reviewed) = s
        .call(&dpo, Method::POST, &format!("/api/v1/break-glass/{gid}/review"), Some(json!({"note": "Justified: welfare emergency"})))
        .await;
    assert_eq!(st, StatusCode::OK, "{reviewed}");
    let (st, _) = s.call(&dpo, Method::POST, &format!("/api/v1/break-glass/{gid}/review"), Some(json!({"note": "again"}))).await;
    assert_eq!(st, StatusCode::CONFLICT, "a review is never overwritten");
    let (_, after) = s.call(&dpo, Method::GET, "/api/v1/break-glass", None).await;
    assert_eq!(after, json!([]), "reviewed grants leave the list");
}

async fn support_grants_open_only_what_they_name(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let (_, p) = s.call(&officer, Method::POST, "/api/v1/people", Some(json!({"given_name": "Sup", "family_name": "Portcase"}))).await;
    let id = p["id"].as_i64().unwrap();
    let supplier = s.token(StaffRole::SupplierSupport).await;
    let (st, _) = s.call(&supplier, Method::GET, &format!("/api/v1/people/{id}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "nothing without a grant");
    let body =
        json!({"username": "supplier_support", "compartments": ["identity"], "hours": 4, "reason": "Investigating ticket 123 about names"});
    let (st, _) = s.call(&officer, Method::POST, "/api/v1/support-grants", Some(body.clone())).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "only the DPO or an administrator approves");
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, p) = s
        .call(
            &dpo,
            Method::POST,
            "/api/v1/support-grants",
            Some(json!({"username": "supplier_support", "compartments": ["edi"], "hours": 4, "reason": "Investigating ticket 123"})),
        )
        .await;
    assert_eq!((st, hearth_testkit::problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["compartments".to_string()]));
    let (st, _) = s.call(&dpo, Method::POST, "/api/v1/support-grants", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, got) = s.call(&supplier, Method::GET, &format!("/api/v1/people/{id}"), None).await;
    assert_eq!((st, got["family_name"].as_str()), (StatusCode::OK, Some("Portcase")));
    let (st, _) = s.call(&supplier, Method::GET, &format!("/api/v1/people/{id}/contact-points"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "contact details were not granted");
    let (st, _) = s
        .call(&supplier, Method::PUT, &format!("/api/v1/people/{id}"), Some(json!({"version": 1, "given_name": "X", "family_name": "Y"})))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "a grant is read-only");
}

/// Regression (issue #22, item 10): an administrator could grant supplier
/// support the `audit` compartment and the DPO the `rights` compartment.
/// The gate refuses such a grant naming the field, and a grant that names
/// them anyway (written around the gate) opens nothing there.
async fn supplier_support_is_never_granted_the_registers_the_audit_trail_or_equality_data(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let admin = s.token(StaffRole::SystemAdministrator).await;
    for (who, token) in [("dpo", &dpo), ("administrator", &admin)] {
        for compartments in [json!(["rights"]), json!(["audit"]), json!(["edi"]), json!(["identity", "audit"])] {
            let body =
                json!({"username": "supplier_support", "compartments": compartments, "hours": 4, "reason": "Investigating ticket 321"});
            let (st, p) = s.call(token, Method::POST, "/api/v1/support-grants", Some(body)).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{who} granting {compartments}: {p}");
            assert_eq!(hearth_testkit::problem_fields(&p), ["compartments"], "{p}");
        }
    }
    assert_eq!(s.count(hearth_store::Table::SupportGrant).await, 0, "nothing was granted");

    // A grant naming them anyway: the policy refuses whatever it says.
    let officer = s.token(StaffRole::HousingOfficer).await;
    let (_, p) = s.call(&officer, Method::POST, "/api/v1/people", Some(json!({"given_name": "Reg", "family_name": "Istercase"}))).await;
    let id = p["id"].as_i64().unwrap();
    let supplier_id = s.gate.user_id("supplier_support").await.unwrap();
    let dpo_id = s.gate.user_id("dpo").await.unwrap();
    let now = jiff::Timestamp::now();
    let mut tx = s.store.begin().await.unwrap();
    let names = ["identity", "rights", "audit", "edi"].map(String::from);
    hearth_store::grants::insert_support_grant(
        &mut tx,
        supplier_id,
        &names,
        "written around the gate",
        dpo_id,
        now,
        now + jiff::SignedDuration::from_hours(2),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let supplier = s.token(StaffRole::SupplierSupport).await;
    assert_eq!(s.call(&supplier, Method::GET, &format!("/api/v1/people/{id}"), None).await.0, StatusCode::OK, "identity was granted");
    for path in [
        format!("/api/v1/people/{id}/history"),
        "/api/v1/rights-requests".into(),
        "/api/v1/breaches".into(),
        "/api/v1/support-grants".into(),
    ] {
        let (st, body) = s.call(&supplier, Method::GET, &path, None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path}: {body}");
    }
}

/// Regression (issue #22, item 10): the DPO had no way to see which
/// supplier-support grants exist. Now the API and a page list them, current
/// and past; nobody else on the front line reads the list.
async fn the_dpo_lists_supplier_support_grants_current_and_past(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, list) = s.call(&dpo, Method::GET, "/api/v1/support-grants", None).await;
    assert_eq!((st, list), (StatusCode::OK, json!([])));
    // A past grant, and a current one.
    let supplier_id = s.gate.user_id("supplier_support").await.unwrap();
    let admin_id = s.gate.user_id("system_administrator").await.unwrap();
    let then = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(48);
    let mut tx = s.store.begin().await.unwrap();
    let old = hearth_store::grants::insert_support_grant(
        &mut tx,
        supplier_id,
        &["tenancy".to_string()],
        "Ticket 100: rent screen",
        admin_id,
        then,
        then + jiff::SignedDuration::from_hours(2),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let body = json!({"username": "supplier_support", "compartments": ["identity", "contact"], "hours": 4, "reason": "Ticket 200: names look wrong"});
    let (st, created) = s.call(&dpo, Method::POST, "/api/v1/support-grants", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let (st, list) = s.call(&dpo, Method::GET, "/api/v1/support-grants", None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0]["id"], created["id"], "newest first");
    assert_eq!(list[0]["compartments"], json!(["identity", "contact"]));
    assert_eq!(
        (list[0]["username"].as_str(), list[0]["approved_by"].as_str(), list[0]["current"].as_bool()),
        (Some("supplier_support"), Some("dpo"), Some(true))
    );
    assert_eq!(
        (list[1]["id"].as_i64(), list[1]["approved_by"].as_str(), list[1]["current"].as_bool()),
        (Some(old), Some("system_administrator"), Some(false))
    );
    for role in [StaffRole::HousingOfficer, StaffRole::ContactCentreAdvisor, StaffRole::SupplierSupport, StaffRole::SystemAdministrator] {
        let t = s.token(role).await;
        assert_eq!(s.call(&t, Method::GET, "/api/v1/support-grants", None).await.0, StatusCode::FORBIDDEN, "{role}");
    }
    // The OpenAPI document describes the route.
    let doc: Value = s.client.get(s.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["paths"]["/api/v1/support-grants"]["get"].is_object(), "documented");

    // The page, linked from the DPO's menu, works without scripts.
    let c = hearth_testkit::browser();
    hearth_testkit::sign_in(&s, &c, "dpo").await;
    let (st, search) = hearth_testkit::get(&s, &c, "/search").await;
    assert_eq!(st, StatusCode::OK);
    assert!(search.contains("href=\"/support-grants\""), "the DPO's menu links the list");
    let (st, page) = hearth_testkit::get(&s, &c, "/support-grants").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Supplier access") && page.contains("Ticket 200: names look wrong") && page.contains("Ticket 100: rent screen"));
    assert!(page.contains("Current") && page.contains("Expired"));
    let officer = hearth_testkit::browser();
    hearth_testkit::sign_in(&s, &officer, "housing_officer").await;
    let (_, search) = hearth_testkit::get(&s, &officer, "/search").await;
    assert!(!search.contains("href=\"/support-grants\""), "not offered to others");
    assert_eq!(hearth_testkit::get(&s, &officer, "/support-grants").await.0, StatusCode::FORBIDDEN);
}
