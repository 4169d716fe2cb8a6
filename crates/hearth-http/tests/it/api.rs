//! The JSON API over real HTTP, for every record type, on SQLite and on
//! PostgreSQL (each test body runs twice). Bad input must come back as a 4xx
//! problem naming the field, with nothing stored.

use hearth_domain::staff::StaffRole;
use hearth_store::Table;
use hearth_testkit::{problem_fields, split, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    people_are_created_read_updated_and_listed,
    stale_versions_are_refused_not_overwritten,
    contact_points_keep_one_preferred_per_kind,
    identity_evidence_is_recorded_edited_and_removed,
    households_tenancies_and_memberships_round_trip,
    search_finds_by_name_dob_postcode_address_and_tenancy,
    bad_input_names_the_field_and_stores_nothing,
    a_child_holds_only_names_and_date_of_birth,
    requests_without_a_valid_token_are_refused,
    refusals_are_audited_and_return_no_data,
    every_read_and_write_leaves_an_intact_audit_chain,
    openapi_document_describes_the_api,
    the_declared_purpose_is_recorded_and_judged,
);

/// Audit events after `after`; the transaction ends before the caller goes
/// on (on SQLite an open transaction holds the single writer).
async fn recent_events(s: &TestServer, after: i64) -> Vec<hearth_store::audit::AuditEvent> {
    let mut tx = s.store.begin().await.unwrap();
    hearth_store::audit::events_after(&mut tx, after, 100).await.unwrap()
}

async fn officer(s: &TestServer) -> String {
    s.token(StaffRole::HousingOfficer).await
}

async fn create_adult(s: &TestServer, t: &str, given: &str, family: &str) -> Value {
    let (st, p) = s
        .call(
            t,
            Method::POST,
            "/api/v1/people",
            Some(json!({"given_name": given, "family_name": family, "date_of_birth": "1984-06-02", "ni_number": "ab 12 34 56 c"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p
}

async fn people_are_created_read_updated_and_listed(s: TestServer) {
    let t = officer(&s).await;
    let p = create_adult(&s, &t, "Ada", "Fakeham").await;
    assert_eq!(p["ni_number"], "AB123456C", "NI number is normalised");
    assert_eq!(p["version"], 1);
    let id = p["id"].as_i64().unwrap();

    let (st, got) = s.call(&t, Method::GET, &format!("/api/v1/people/{id}"), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got["family_name"], "Fakeham");

    let (st, upd) = s
        .call(&t, Method::PUT, &format!("/api/v1/people/{id}"), Some(json!({"version": 1, "given_name": "Ada", "family_name": "Fakeham-Notreal", "preferred_name": "Addie", "date_of_birth": "1984-06-02"})))
        .await;
    assert_eq!(st, StatusCode::OK, "{upd}");
    assert_eq!(upd["version"], 2);
    assert_eq!(upd["preferred_name"], "Addie");
    assert_eq!(upd["ni_number"], Value::Null, "a full replacement clears omitted fields");

    for i in 0..4 {
        create_adult(&s, &t, &format!("Bea{i}"), "Listington").await;
    }
    let (_, page1) = s.call(&t, Method::GET, "/api/v1/people?limit=3", None).await;
    assert_eq!(page1["items"].as_array().unwrap().len(), 3);
    let cursor = page1["next_cursor"].as_i64().expect("more pages");
    let (_, page2) = s.call(&t, Method::GET, &format!("/api/v1/people?limit=3&after={cursor}"), None).await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 2);
    assert_eq!(page2["next_cursor"], Value::Null);
    let (st, _) = s.call(&t, Method::GET, "/api/v1/people/999999", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

async fn stale_versions_are_refused_not_overwritten(s: TestServer) {
    let t = officer(&s).await;
    let id = create_adult(&s, &t, "Cleo", "Madeupson").await["id"].as_i64().unwrap();
    let body = |v: i64, name: &str| json!({"version": v, "given_name": name, "family_name": "Madeupson"});
    let (st, _) = s.call(&t, Method::PUT, &format!("/api/v1/people/{id}"), Some(body(1, "Cleo-first"))).await;
    assert_eq!(st, StatusCode::OK);
    let (st, problem) = s.call(&t, Method::PUT, &format!("/api/v1/people/{id}"), Some(body(1, "Cleo-stale"))).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(problem_fields(&problem), ["version"]);
    let (_, now) = s.call(&t, Method::GET, &format!("/api/v1/people/{id}"), None).await;
    assert_eq!(now["given_name"], "Cleo-first", "the colleague's change survives");
}

async fn contact_points_keep_one_preferred_per_kind(s: TestServer) {
    let t = officer(&s).await;
    let id = create_adult(&s, &t, "Dev", "Mockford").await["id"].as_i64().unwrap();
    let path = format!("/api/v1/people/{id}/contact-points");
    let (st, first) = s.call(&t, Method::POST, &path, Some(json!({"kind": "phone", "value": "01632 960 001", "preferred": true}))).await;
    assert_eq!(st, StatusCode::CREATED, "{first}");
    let (_, second) = s.call(&t, Method::POST, &path, Some(json!({"kind": "phone", "value": "07700 900 982", "preferred": true}))).await;
    let (st, addr) = s
        .call(&t, Method::POST, &path, Some(json!({"kind": "address", "line1": "12 Imaginary Row", "town": "Nowhereton", "postcode": "zz99 3ab", "valid_from": "2024-01-01"})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{addr}");
    assert_eq!(addr["postcode"], "ZZ99 3AB");
    let (_, all) = s.call(&t, Method::GET, &path, None).await;
    let phones: Vec<&Value> = all.as_array().unwrap().iter().filter(|c| c["kind"] == "phone").collect();
    assert_eq!(phones.len(), 2);
    let preferred: Vec<&Value> = phones.iter().copied().filter(|c| c["preferred"] == true).collect();
    assert_eq!(preferred.len(), 1, "only one preferred phone");
    assert_eq!(preferred[0]["id"], second["id"]);

    let cid = first["id"].as_i64().unwrap();
    let (_, fresh) = s.call(&t, Method::GET, &format!("/api/v1/contact-points/{cid}"), None).await;
    let (st, upd) = s
        .call(
            &t,
            Method::PUT,
            &format!("/api/v1/contact-points/{cid}"),
            Some(json!({"version": fresh["version"], "value": "01632 960 555"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{upd}");
    assert_eq!(upd["value"], "01632 960 555");
    let (st, p) = s
        .call(
            &t,
            Method::PUT,
            &format!("/api/v1/contact-points/{cid}"),
            Some(json!({"version": upd["version"], "kind": "email", "value": "x@example.org"})),
        )
        .await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind".to_string()]), "kind cannot change");
    let (st, _) = s.call(&t, Method::DELETE, &format!("/api/v1/contact-points/{cid}"), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s.call(&t, Method::GET, &format!("/api/v1/contact-points/{cid}"), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

async fn identity_evidence_is_recorded_edited_and_removed(s: TestServer) {
    let t = officer(&s).await;
    let id = create_adult(&s, &t, "Elin", "Fictionby").await["id"].as_i64().unwrap();
    let path = format!("/api/v1/people/{id}/identity-evidence");
    let (st, e) = s
        .call(&t, Method::POST, &path, Some(json!({"evidence_type": "passport", "reference": "ending 4321", "seen_on": "2026-01-15"})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
    let eid = e["id"].as_i64().unwrap();
    let (st, e2) = s
        .call(
            &t,
            Method::PUT,
            &format!("/api/v1/identity-evidence/{eid}"),
            Some(json!({"version": 1, "evidence_type": "driving_licence", "reference": "ending 9", "seen_on": "2026-01-16"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{e2}");
    assert_eq!(e2["evidence_type"], "driving_licence");
    let (st, p) =
        s.call(&t, Method::POST, &path, Some(json!({"evidence_type": "crystal_ball", "reference": "x", "seen_on": "2026-01-15"}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["evidence_type".to_string()]));
    let (st, _) = s.call(&t, Method::DELETE, &format!("/api/v1/identity-evidence/{eid}"), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, list) = s.call(&t, Method::GET, &path, None).await;
    assert_eq!(list, json!([]));
}

async fn households_tenancies_and_memberships_round_trip(s: TestServer) {
    let t = officer(&s).await;
    let (st, prop) = s
        .call(
            &t,
            Method::POST,
            "/api/v1/properties",
            Some(json!({"uprn": 990000000123i64, "line1": "7 Fictional Lane", "town": "Exampleford", "postcode": "ZZ99 1AA"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{prop}");
    let (st, dup) = s
        .call(
            &t,
            Method::POST,
            "/api/v1/properties",
            Some(json!({"uprn": 990000000123i64, "line1": "8 Fictional Lane", "town": "Exampleford", "postcode": "ZZ99 1AA"})),
        )
        .await;
    assert_eq!((st, problem_fields(&dup)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["uprn".to_string()]));
    let pid = prop["id"].as_i64().unwrap();
    let (st, prop2) = s
        .call(
            &t,
            Method::PUT,
            &format!("/api/v1/properties/{pid}"),
            Some(
                json!({"version": 1, "uprn": 990000000123i64, "line1": "7A Fictional Lane", "town": "Exampleford", "postcode": "ZZ99 1AA"}),
            ),
        )
        .await;
    assert_eq!((st, prop2["line1"].clone()), (StatusCode::OK, json!("7A Fictional Lane")));

    let (st, hh) = s.call(&t, Method::POST, "/api/v1/households", Some(json!({"property_id": pid}))).await;
    assert_eq!(st, StatusCode::CREATED);
    let hid = hh["id"].as_i64().unwrap();
    let a = create_adult(&s, &t, "Femi", "Sampleton").await["id"].as_i64().unwrap();
    let b = create_adult(&s, &t, "Gus", "Sampleton").await["id"].as_i64().unwrap();
    let (_, kid) = s
        .call(
            &t,
            Method::POST,
            "/api/v1/people",
            Some(json!({"kind": "child", "given_name": "Hana", "family_name": "Sampleton", "date_of_birth": "2018-05-05"})),
        )
        .await;
    let members = format!("/api/v1/households/{hid}/members");
    for (person, role) in [(a, "joint_tenant"), (b, "joint_tenant"), (kid["id"].as_i64().unwrap(), "child")] {
        let (st, m) =
            s.call(&t, Method::POST, &members, Some(json!({"person_id": person, "role": role, "start_date": "2020-04-01"}))).await;
        assert_eq!(st, StatusCode::CREATED, "{m}");
    }
    let (st, p) = s.call(&t, Method::POST, &members, Some(json!({"person_id": kid["id"], "role": "tenant"}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["role".to_string()]), "a child cannot be a tenant");

    let (st, ten) = s
        .call(
            &t,
            Method::POST,
            "/api/v1/tenancies",
            Some(json!({"reference": "ten-7001", "household_id": hid, "tenure": "shared_ownership", "start_date": "2020-04-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{ten}");
    assert_eq!(ten["reference"], "TEN-7001");
    let tid = ten["id"].as_i64().unwrap();
    let (st, ended) = s
        .call(&t, Method::PUT, &format!("/api/v1/tenancies/{tid}"), Some(json!({"version": 1, "reference": "TEN-7001", "household_id": hid, "tenure": "shared_ownership", "start_date": "2020-04-01", "end_date": "2026-03-31", "end_reason": "purchase"})))
        .await;
    assert_eq!(st, StatusCode::OK, "{ended}");
    assert_eq!(ended["end_reason"], "purchase");

    let (st, view) = s.call(&t, Method::GET, &format!("/api/v1/households/{hid}"), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(view["members"].as_array().unwrap().len(), 3);
    assert_eq!(view["tenancies"][0]["end_date"], "2026-03-31");
    let (_, rec) = s.call(&t, Method::GET, &format!("/api/v1/people/{a}/record"), None).await;
    assert_eq!(rec["households"][0]["property"]["uprn"], 990000000123i64);
    for list in ["/api/v1/properties", "/api/v1/households", "/api/v1/tenancies"] {
        let (st, page) = s.call(&t, Method::GET, list, None).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "{list}");
    }
}

async fn search_finds_by_name_dob_postcode_address_and_tenancy(s: TestServer) {
    let t = officer(&s).await;
    let ada = create_adult(&s, &t, "Ada", "Searchwell").await["id"].as_i64().unwrap();
    let (_, other) = s
        .call(
            &t,
            Method::POST,
            "/api/v1/people",
            Some(json!({"given_name": "Otto", "family_name": "Elsewhere", "date_of_birth": "1990-01-01"})),
        )
        .await;
    s.call(
        &t,
        Method::POST,
        &format!("/api/v1/people/{ada}/contact-points"),
        Some(json!({"kind": "address", "line1": "3 Phantom Court", "town": "Fakesbury", "postcode": "ZZ99 4CD"})),
    )
    .await;
    let (_, prop) = s
        .call(
            &t,
            Method::POST,
            "/api/v1/properties",
            Some(json!({"uprn": 990000000777i64, "line1": "9 Invented Road", "town": "Testbridge", "postcode": "ZZ99 7EF"})),
        )
        .await;
    let (_, hh) = s.call(&t, Method::POST, "/api/v1/households", Some(json!({"property_id": prop["id"]}))).await;
    s.call(
        &t,
        Method::POST,
        &format!("/api/v1/households/{}/members", hh["id"]),
        Some(json!({"person_id": other["id"], "role": "tenant"})),
    )
    .await;
    s.call(
        &t,
        Method::POST,
        "/api/v1/tenancies",
        Some(json!({"reference": "TEN-4242", "household_id": hh["id"], "tenure": "assured", "start_date": "2021-01-01"})),
    )
    .await;

    let ids = |v: &Value| v["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let other_id = other["id"].as_i64().unwrap();
    for (query, expected) in [
        ("name=ada%20search", ada),
        ("q=SEARCHW", ada),
        ("date_of_birth=1990-01-01", other_id),
        ("q=01/01/1990", other_id),
        ("postcode=zz994cd", ada),
        ("q=ZZ99%207EF", other_id),
        ("address=3%20phantom", ada),
        ("q=9%20Invented", other_id),
        ("tenancy_reference=ten-4242", other_id),
    ] {
        let (st, page) = s.call(&t, Method::GET, &format!("/api/v1/people?{query}"), None).await;
        assert_eq!(st, StatusCode::OK, "{query}: {page}");
        assert_eq!(ids(&page), vec![expected], "{query}");
    }
    let (_, none) = s.call(&t, Method::GET, "/api/v1/people?name=zzzz", None).await;
    assert!(ids(&none).is_empty());
    let (st, p) = s.call(&t, Method::GET, "/api/v1/people?postcode=nonsense", None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["postcode".to_string()]));
    // A NUL byte reached PostgreSQL and failed the request (found by the API fuzzer).
    for field in ["q", "name", "address", "tenancy_reference"] {
        for bad in ["9%00Invented", "ada%01", &"a".repeat(201)] {
            let (st, p) = s.call(&t, Method::GET, &format!("/api/v1/people?{field}={bad}"), None).await;
            assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_string()]), "{field}={bad}: {p}");
        }
    }
}

async fn bad_input_names_the_field_and_stores_nothing(s: TestServer) {
    let t = officer(&s).await;
    let before = s.count(Table::Person).await;
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (json!({"given_name": "Ivo", "family_name": "Notreal", "ni_number": "GB123456A"}), StatusCode::UNPROCESSABLE_ENTITY, "ni_number"),
        (
            json!({"given_name": "Ivo", "family_name": "Notreal", "date_of_birth": "2023-02-30"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "date_of_birth",
        ),
        (
            json!({"given_name": "Ivo", "family_name": "Notreal", "date_of_birth": "2099-01-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "date_of_birth",
        ),
        (json!({"given_name": 42, "family_name": "Notreal"}), StatusCode::UNPROCESSABLE_ENTITY, "given_name"),
        (json!({"family_name": "Notreal"}), StatusCode::UNPROCESSABLE_ENTITY, "given_name"),
        (json!({"given_name": "Ivo", "family_name": "Not\u{0}real"}), StatusCode::UNPROCESSABLE_ENTITY, "family_name"),
    ];
    for (body, status, field) in cases {
        let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(body.clone())).await;
        assert_eq!(st, status, "{body}: {p}");
        assert_eq!(problem_fields(&p), [field], "{body}");
    }
    // Malformed JSON.
    let r = s
        .client
        .post(s.url("/api/v1/people"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{\"given_name\": ")
        .send()
        .await
        .unwrap();
    let (st, p) = split(r).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::BAD_REQUEST, vec!["body".to_string()]));
    // Oversize body.
    let huge = json!({"given_name": "x".repeat(100 * 1024), "family_name": "Big"});
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(huge)).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::PAYLOAD_TOO_LARGE, vec!["body".to_string()]));
    // Not JSON at all.
    let r = s.client.post(s.url("/api/v1/people")).bearer_auth(&t).body("given_name=x").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Unknown tenure.
    let (_, prop) = s
        .call(
            &t,
            Method::POST,
            "/api/v1/properties",
            Some(json!({"uprn": 990000000999i64, "line1": "1 Nonexistent Avenue", "town": "Nowhereton", "postcode": "ZZ99 2BB"})),
        )
        .await;
    let (_, hh) = s.call(&t, Method::POST, "/api/v1/households", Some(json!({"property_id": prop["id"]}))).await;
    let tenancies = s.count(Table::Tenancy).await;
    let (st, p) = s
        .call(
            &t,
            Method::POST,
            "/api/v1/tenancies",
            Some(json!({"reference": "TEN-1", "household_id": hh["id"], "tenure": "freehold_castle", "start_date": "2020-01-01"})),
        )
        .await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["tenure".to_string()]));
    assert_eq!(s.count(Table::Tenancy).await, tenancies, "no tenancy stored");
    // Bad path id and query.
    let (st, p) = s.call(&t, Method::GET, "/api/v1/people/abc", None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::BAD_REQUEST, vec!["id".to_string()]));
    let (st, _) = s.call(&t, Method::GET, "/api/v1/people?limit=1000", None).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.count(Table::Person).await, before, "nothing half-written");
}

async fn a_child_holds_only_names_and_date_of_birth(s: TestServer) {
    let t = officer(&s).await;
    let before = s.count(Table::Person).await;
    let (st, p) = s
        .call(&t, Method::POST, "/api/v1/people", Some(json!({"kind": "child", "given_name": "Juno", "family_name": "Shamwell", "date_of_birth": "2019-02-02", "ni_number": "AB123456C"})))
        .await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["ni_number".to_string()]));
    assert_eq!(s.count(Table::Person).await, before);
    let (st, child) = s
        .call(
            &t,
            Method::POST,
            "/api/v1/people",
            Some(json!({"kind": "child", "given_name": "Juno", "family_name": "Shamwell", "date_of_birth": "2019-02-02"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let cid = child["id"].as_i64().unwrap();
    let (st, p) = s
        .call(&t, Method::POST, &format!("/api/v1/people/{cid}/contact-points"), Some(json!({"kind": "phone", "value": "07700 900 123"})))
        .await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["person_id".to_string()]));
    let (_, contacts) = s.call(&t, Method::GET, &format!("/api/v1/people/{cid}/contact-points"), None).await;
    assert_eq!(contacts, json!([]), "no phone stored for the child");
    let (st, _) = s
        .call(
            &t,
            Method::POST,
            &format!("/api/v1/people/{cid}/identity-evidence"),
            Some(json!({"evidence_type": "birth_certificate", "reference": "x", "seen_on": "2026-01-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // An adult with a phone cannot be turned into a child: the schema refuses it.
    let adult = create_adult(&s, &t, "Kit", "Shamwell").await["id"].as_i64().unwrap();
    s.call(&t, Method::POST, &format!("/api/v1/people/{adult}/contact-points"), Some(json!({"kind": "phone", "value": "07700 900 124"})))
        .await;
    let (st, p) = s
        .call(
            &t,
            Method::PUT,
            &format!("/api/v1/people/{adult}"),
            Some(json!({"version": 1, "kind": "child", "given_name": "Kit", "family_name": "Shamwell", "date_of_birth": "2015-01-01"})),
        )
        .await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind".to_string()]));
}

async fn requests_without_a_valid_token_are_refused(s: TestServer) {
    let r = s.client.get(s.url("/api/v1/people")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let (st, _) = s.call("not-a-token", Method::GET, "/api/v1/people", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let r = s
        .client
        .post(s.url("/api/v1/auth/token"))
        .json(&json!({"username": "housing_officer", "password": "wrong password!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let t = officer(&s).await;
    let r = s.client.delete(s.url("/api/v1/auth/token")).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (st, _) = s.call(&t, Method::GET, "/api/v1/people", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "a revoked token no longer works");
}

async fn refusals_are_audited_and_return_no_data(s: TestServer) {
    let t = officer(&s).await;
    let id = create_adult(&s, &t, "Lena", "Secretson").await["id"].as_i64().unwrap();
    let edi = s.token(StaffRole::EdiAnalyst).await;
    let events_before = s.count(Table::AuditEvent).await;
    let (st, body) = s.call(&edi, Method::GET, &format!("/api/v1/people/{id}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let text = body.to_string();
    assert!(!text.contains("Secretson") && !text.contains("1984"), "no personal data in a refusal: {text}");
    let events = recent_events(&s, events_before).await;
    assert_eq!(events.len(), 1);
    let e = &events[0].event;
    assert_eq!((e.decision.as_str(), e.actor_role.as_str(), e.action.as_str(), e.person_id), ("deny", "edi_analyst", "view", Some(id)));
    let (st, list) = s.call(&edi, Method::GET, "/api/v1/people", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(list.get("items").is_none(), "a refused list leaks no items or counts");
}

async fn every_read_and_write_leaves_an_intact_audit_chain(s: TestServer) {
    let t = officer(&s).await;
    let id = create_adult(&s, &t, "Milo", "Chainley").await["id"].as_i64().unwrap();
    s.call(&t, Method::GET, &format!("/api/v1/people/{id}"), None).await;
    s.call(&t, Method::PUT, &format!("/api/v1/people/{id}"), Some(json!({"version": 1, "given_name": "Miles", "family_name": "Chainley"})))
        .await;
    let events = {
        let mut tx = s.store.begin().await.unwrap();
        hearth_store::audit::events_for_person(&mut tx, id, 10).await.unwrap()
    };
    let actions: Vec<&str> = events.iter().rev().map(|e| e.event.action.as_str()).collect();
    assert_eq!(actions, ["create", "view", "edit"]);
    let edit = &events[0];
    let detail: Value = serde_json::from_str(edit.event.detail.as_deref().unwrap()).unwrap();
    assert_eq!((detail["old"]["given_name"].as_str(), detail["new"]["given_name"].as_str()), (Some("Milo"), Some("Miles")));
    assert_eq!(edit.event.actor_username, "housing_officer");
    match hearth_store::audit::verify(&s.store).await.unwrap() {
        hearth_store::audit::Verification::Intact { events, .. } => assert!(events >= 3),
        broken => panic!("chain broken: {broken:?}"),
    }
}

async fn openapi_document_describes_the_api(s: TestServer) {
    let r = s.client.get(s.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in
        ["/api/v1/people", "/api/v1/people/{id}", "/api/v1/contact-points/{id}", "/api/v1/tenancies", "/api/v1/households/{id}/members"]
    {
        assert!(doc["paths"].get(path).is_some(), "missing {path}");
    }
    assert!(doc["components"]["schemas"].get("Person").is_some());
    assert!(doc["components"]["securitySchemes"].get("bearer").is_some());
}

async fn the_declared_purpose_is_recorded_and_judged(s: TestServer) {
    let t = officer(&s).await;
    let id = create_adult(&s, &t, "Pia", "Purposeful").await["id"].as_i64().unwrap();
    let r = s
        .client
        .get(s.url(&format!("/api/v1/people/{id}")))
        .bearer_auth(&t)
        .header("x-hearth-purpose", "rent_collection")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let events = {
        let mut tx = s.store.begin().await.unwrap();
        hearth_store::audit::events_for_person(&mut tx, id, 1).await.unwrap()
    };
    assert_eq!(events[0].event.purpose, "rent_collection");
    let r = s
        .client
        .get(s.url(&format!("/api/v1/people/{id}")))
        .bearer_auth(&t)
        .header("x-hearth-purpose", "Bad Purpose!")
        .send()
        .await
        .unwrap();
    let (st, p) = split(r).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::BAD_REQUEST, vec!["X-Hearth-Purpose".to_string()]));
    // Sensitive data is never processed for marketing, whatever the role.
    let income = s.token(StaffRole::IncomeOfficer).await;
    let r = s
        .client
        .get(s.url(&format!("/api/v1/people/{id}")))
        .bearer_auth(&income)
        .header("x-hearth-purpose", "marketing")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "identity is not sensitive");
}
