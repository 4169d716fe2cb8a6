//! Sharing and disclosure over HTTP, on SQLite and PostgreSQL: nothing is
//! shared under an agreement that has expired or ended; an extract holds
//! only its recipient's declared fields and leaves out people who object,
//! are restricted or opted out; the CORE return carries no name, NI number,
//! phone or email; the disclosure register can only be added to, through
//! the API and in the database itself.

use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::{household, Home, NewHousehold};
use hearth_testkit::{problem_fields, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    a_share_under_an_expired_or_ended_agreement_is_refused,
    a_contractor_extract_holds_only_its_declared_fields,
    a_mailing_house_extract_honours_marketing_choices,
    group_members_share_only_under_an_agreement_naming_them,
    the_core_return_names_nobody,
    the_nfi_extract_has_the_declared_fields_and_is_logged,
    requests_are_decided_and_corrected_by_new_entries,
    the_register_cannot_be_edited_or_deleted_through_any_surface,
    only_the_dpo_shares,
);

async fn post(s: &TestServer, t: &str, path: &str, body: Value) -> (StatusCode, Value) {
    s.call(t, Method::POST, path, Some(body)).await
}

/// A person with a phone, an email and an address; returns their id.
async fn person(s: &TestServer, given: &str, family: &str, ni: &str, phone: &str, email: &str) -> i64 {
    let t = s.token(StaffRole::HousingOfficer).await;
    let body = json!({"given_name": given, "family_name": family, "date_of_birth": "1980-02-03", "ni_number": ni});
    let (st, p) = post(s, &t, "/api/v1/people", body).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let path = format!("/api/v1/people/{id}/contact-points");
    for body in [
        json!({"kind": "phone", "value": phone}),
        json!({"kind": "email", "value": email}),
        json!({"kind": "address", "line1": format!("{id} Sample Terrace"), "town": "Testbridge", "postcode": "ZZ99 5GH"}),
    ] {
        let (st, c) = post(s, &t, &path, body).await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
    }
    id
}

fn agreement_body(recipient_type: &str, starts_on: &str, expires_on: &str) -> Value {
    json!({
        "partner": "Fixit Repairs Ltd (fictional)",
        "recipient_type": recipient_type,
        "purpose": "Carrying out repairs",
        "lawful_basis": "contract",
        "data_categories": ["name", "address", "phone"],
        "transfer_method": "Contractor portal",
        "security_requirements": "Encrypted in transit and at rest; deleted 30 days after the job",
        "starts_on": starts_on,
        "expires_on": expires_on,
        "owner": "Head of Repairs"
    })
}

async fn agreement(s: &TestServer, dpo: &str, body: Value) -> Value {
    let (st, a) = post(s, dpo, "/api/v1/sharing-agreements", body).await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    a
}

async fn extract(s: &TestServer, dpo: &str, agreement_id: &Value, people: &[i64]) -> (StatusCode, String, Option<String>) {
    let r = s
        .client
        .post(s.url("/api/v1/extracts"))
        .bearer_auth(dpo)
        .json(&json!({"agreement_id": agreement_id, "person_ids": people}))
        .send()
        .await
        .unwrap();
    let st = r.status();
    let entry = r.headers().get("x-hearth-disclosure").map(|v| v.to_str().unwrap().to_string());
    (st, r.text().await.unwrap(), entry)
}

async fn register(s: &TestServer, dpo: &str) -> Vec<Value> {
    let (st, list) = s.call(dpo, Method::GET, "/api/v1/disclosures", None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

async fn a_share_under_an_expired_or_ended_agreement_is_refused(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let p = person(&s, "Ada", "Fakeperson", "AB123456C", "01632 960 101", "ada@example.com").await;
    let expired = agreement(&s, &dpo, agreement_body("repairs_contractor", "2020-01-01", "2021-01-01")).await;
    let (st, body, entry) = extract(&s, &dpo, &expired["id"], &[p]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem_fields(&problem), ["agreement_id"]);
    assert!(problem["detail"].as_str().unwrap().contains("expired"), "{problem}");
    assert!(entry.is_none());
    assert!(register(&s, &dpo).await.is_empty(), "a refused share leaves no entry: nothing left");

    let live = agreement(&s, &dpo, agreement_body("repairs_contractor", "2020-01-01", "2099-12-31")).await;
    let (st, _, _) = extract(&s, &dpo, &live["id"], &[p]).await;
    assert_eq!(st, StatusCode::CREATED);
    let id = live["id"].as_i64().unwrap();
    let (st, ended) = post(
        &s,
        &dpo,
        &format!("/api/v1/sharing-agreements/{id}/end"),
        json!({"version": live["version"], "reason": "Contract let to another firm"}),
    )
    .await;
    assert_eq!((st, ended["status"].as_str()), (StatusCode::OK, Some("ended")), "{ended}");
    let (st, body, _) = extract(&s, &dpo, &live["id"], &[p]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("ended"), "{body}");
    // Ending keeps the agreement on record.
    let (st, a) = s.call(&dpo, Method::GET, &format!("/api/v1/sharing-agreements/{id}"), None).await;
    assert_eq!((st, a["ended_reason"].as_str()), (StatusCode::OK, Some("Contract let to another firm")));
    assert_eq!(register(&s, &dpo).await.len(), 1, "only the extract made while in force is logged");
}

async fn a_contractor_extract_holds_only_its_declared_fields(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let ada = person(&s, "Ada", "Fakeperson", "AB123456C", "01632 960 101", "ada@example.com").await;
    let bob = person(&s, "Bob", "Objector", "AB123457C", "01632 960 102", "bob@example.com").await;
    let cy = person(&s, "Cy", "Restricted", "AB123458C", "01632 960 103", "cy@example.com").await;
    let (st, o) =
        post(&s, &officer, &format!("/api/v1/people/{bob}/objections"), json!({"kind": "sharing", "detail": "Does not want data shared"}))
            .await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    let (st, r) = post(&s, &dpo, &format!("/api/v1/people/{cy}/restriction"), json!({"reason": "Accuracy contested"})).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");

    let a = agreement(&s, &dpo, agreement_body("repairs_contractor", "2020-01-01", "2099-12-31")).await;
    let (st, csv, entry) = extract(&s, &dpo, &a["id"], &[ada, bob, cy]).await;
    assert_eq!(st, StatusCode::CREATED, "{csv}");
    assert_eq!(csv, format!("name,address_line1,postcode,phone\r\nAda Fakeperson,{ada} Sample Terrace,ZZ99 5GH,01632 960 101\r\n"));

    let entry: i64 = entry.expect("the file names its register entry").parse().unwrap();
    let (st, d) = s.call(&dpo, Method::GET, &format!("/api/v1/disclosures/{entry}"), None).await;
    assert_eq!(st, StatusCode::OK, "{d}");
    let e = &d["entry"];
    assert_eq!(e["kind"], "extract");
    assert_eq!(e["recipient_type"], "repairs_contractor");
    assert_eq!(e["agreement_id"], a["id"]);
    assert_eq!(e["person_ids"], json!([ada]));
    assert_eq!(e["fields"], json!(["name", "address_line1", "postcode", "phone"]));
    assert!(e["disclosed_on"].is_string() && e["method"] == "Contractor portal", "{e}");

    // JSON gives who was left out and why.
    let (st, f) = s
        .call(&dpo, Method::POST, "/api/v1/extracts?format=json", Some(json!({"agreement_id": a["id"], "person_ids": [ada, bob, cy]})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    let reasons: Vec<_> = f["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["person_id"].as_i64().unwrap(), l["reason"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(reasons.len(), 2, "{f}");
    assert!(reasons.contains(&(bob, "objects to sharing".into())), "{reasons:?}");
    assert!(reasons.iter().any(|(p, r)| *p == cy && r.contains("restricted")), "{reasons:?}");
}

async fn a_mailing_house_extract_honours_marketing_choices(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let keen = person(&s, "Keen", "Reader", "AB223456C", "01632 960 111", "keen@example.com").await;
    let opted_out = person(&s, "Opted", "Out", "AB223457C", "01632 960 112", "out@example.com").await;
    let never_asked = person(&s, "Never", "Asked", "AB223458C", "01632 960 113", "never@example.com").await;
    for p in [keen, opted_out] {
        let (st, c) = post(
            &s,
            &officer,
            &format!("/api/v1/people/{p}/consent"),
            json!({"purpose": "marketing", "decision": "given", "method": "portal", "evidence": "Portal form 1", "notice_version": "v3"}),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
    }
    let (st, pr) = s
        .call(&officer, Method::PUT, &format!("/api/v1/people/{opted_out}/contact-preferences"), Some(json!({"marketing_opt_out": true})))
        .await;
    assert_eq!(st, StatusCode::OK, "{pr}");
    let mut body = agreement_body("mailing_house", "2020-01-01", "2099-12-31");
    body["partner"] = json!("Postmark Mailing (fictional)");
    body["lawful_basis"] = json!("consent");
    let a = agreement(&s, &dpo, body).await;
    let (st, csv, _) = extract(&s, &dpo, &a["id"], &[keen, opted_out, never_asked]).await;
    assert_eq!(st, StatusCode::CREATED, "{csv}");
    assert_eq!(
        csv,
        format!("name,address_line1,address_line2,town,postcode\r\nKeen Reader,{keen} Sample Terrace,,Testbridge,ZZ99 5GH\r\n")
    );
}

async fn group_members_share_only_under_an_agreement_naming_them(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, orgs) = s.call(&dpo, Method::GET, "/api/v1/organisations", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(orgs.as_array().unwrap().len(), 1, "one landlord to begin with: {orgs}");
    assert_eq!(orgs[0]["is_default"], true);
    let (st, member) = post(&s, &dpo, "/api/v1/organisations", json!({"name": "Sister Homes (fictional)"})).await;
    assert_eq!(st, StatusCode::CREATED, "{member}");

    let mut body = agreement_body("group_member", "2020-01-01", "2099-12-31");
    let (st, p) = post(&s, &dpo, "/api/v1/sharing-agreements", body.clone()).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["partner_organisation_id".to_string()]), "{p}");
    body["partner_organisation_id"] = orgs[0]["id"].clone();
    let (st, p) = post(&s, &dpo, "/api/v1/sharing-agreements", body.clone()).await;
    assert_eq!(
        (st, problem_fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["partner_organisation_id".to_string()]),
        "not with ourselves: {p}"
    );
    body["partner_organisation_id"] = member["id"].clone();
    let a = agreement(&s, &dpo, body).await;
    let ada = person(&s, "Ada", "Fakeperson", "AB323456C", "01632 960 121", "ada@example.com").await;
    let (st, csv, _) = extract(&s, &dpo, &a["id"], &[ada]).await;
    assert_eq!(st, StatusCode::CREATED, "{csv}");
    assert_eq!(
        csv,
        format!("name,date_of_birth,address_line1,postcode,phone,email\r\nAda Fakeperson,1980-02-03,{ada} Sample Terrace,ZZ99 5GH,01632 960 121,ada@example.com\r\n")
    );
}

/// Sets up a letting: a property, a household of a tenant, a joint tenant
/// and a child, and a tenancy starting on 2026-01-05.
async fn letting(s: &TestServer) -> Vec<i64> {
    let t = s.token(StaffRole::HousingOfficer).await;
    let lead = person(s, "Lena", "Leadtenant", "AB423456C", "01632 960 131", "lena@example.com").await;
    let partner = person(s, "Paul", "Partnerperson", "AB423457C", "07700 900 132", "paul@example.com").await;
    let (st, child) = post(
        s,
        &t,
        "/api/v1/people",
        json!({"kind": "child", "given_name": "Kit", "family_name": "Childperson", "date_of_birth": "2015-06-01"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{child}");
    let child = child["id"].as_i64().unwrap();
    let home = Home { uprn: 990000200001, line1: "9 Letting Row", town: "Testbridge", postcode: "ZZ99 7AB" };
    let members = vec![(lead, "tenant"), (partner, "joint_tenant"), (child, "child")];
    household(s, &t, NewHousehold::new(home, members).since("2026-01-05").tenancy("TEN-CORE1", "2026-01-05")).await;
    vec![lead, partner, child]
}

async fn the_core_return_names_nobody(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    letting(&s).await;
    let r = s
        .client
        .post(s.url("/api/v1/returns/core"))
        .bearer_auth(&dpo)
        .json(&json!({"from": "2026-01-01", "to": "2026-03-31"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "a header and one letting: {csv}");
    let header: Vec<&str> = lines[0].split(',').collect();
    let row: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(header.len(), row.len());
    let forbidden = [
        "Lena",
        "Leadtenant",
        "Paul",
        "Partnerperson",
        "Kit",
        "Childperson",
        "AB423456C",
        "AB423457C",
        "01632 960 131",
        "07700 900 132",
        "lena@example.com",
        "paul@example.com",
        "TEN-CORE1",
        "Letting Row",
        "ZZ99",
        "1980-02-03",
        "2015-06-01",
        "@",
    ];
    for (h, cell) in header.iter().zip(&row) {
        for f in forbidden {
            assert!(!cell.to_lowercase().contains(&f.to_lowercase()), "{h} holds {f:?}: {cell}");
        }
        assert!(cell.chars().filter(char::is_ascii_digit).count() < 9, "{h} looks like a phone number: {cell}");
    }
    let get = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(get("letting"), "L00001");
    assert_eq!(get("household_size"), "3");
    assert_eq!((get("age1"), get("age2"), get("age3")), ("45", "45", "10"));
    assert_eq!((get("relationship2"), get("relationship3")), ("P", "C"));
    // No equality key: every equality answer is CORE's refused / not known code.
    for f in ["gender_identity1", "lead_ethnicity", "lead_nationality", "disability", "working_situation1", "income", "benefits"] {
        assert_eq!(get(f), "R", "{f}");
    }
    let entries = register(&s, &dpo).await;
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0]["kind"].as_str(), entries[0]["recipient_type"].as_str()), (Some("return"), Some("core_return")));
    assert_eq!(entries[0]["person_ids"].as_array().unwrap().len(), 3);
}

async fn the_nfi_extract_has_the_declared_fields_and_is_logged(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let people = letting(&s).await;
    let (st, f) = s.call(&dpo, Method::POST, "/api/v1/returns/nfi?format=json", None).await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    let csv = f["csv"].as_str().unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "tenancy_reference,given_name,family_name,date_of_birth,ni_number,address_line1,address_line2,town,postcode,tenancy_start,tenancy_end,phone"
    );
    assert_eq!(lines.len(), 3, "the two tenants, not the child: {csv}");
    assert!(lines[1].starts_with("TEN-CORE1,Lena,Leadtenant,1980-02-03,AB423456C,"), "{csv}");
    let entries = register(&s, &dpo).await;
    assert_eq!(entries[0]["recipient_type"], "nfi");
    assert_eq!(entries[0]["person_ids"], json!([people[0], people[1]]));
    assert_eq!(entries[0]["id"], f["disclosure_id"]);
}

async fn requests_are_decided_and_corrected_by_new_entries(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let p = person(&s, "Ada", "Fakeperson", "AB523456C", "01632 960 141", "ada@example.com").await;
    let request = json!({
        "requester_type": "police",
        "requester": "DC Example, Testshire Police (fictional)",
        "verification": "Signed DP form on force letterhead; called the force switchboard back",
        "exemption": "crime_prevention",
        "detail": "Current address and phone number, investigation ref TP/1",
        "person_ids": [p]
    });
    let (st, r) = post(&s, &dpo, "/api/v1/disclosures", request).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let id = r["entry"]["id"].as_i64().unwrap();
    assert_eq!(r["entry"]["kind"], "request");

    let (st, bad) =
        post(&s, &dpo, &format!("/api/v1/disclosures/{id}/decision"), json!({"decision": "approved", "reason": "Exemption applies"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = problem_fields(&bad);
    assert!(fields.contains(&"fields".to_string()) && fields.contains(&"method".to_string()), "{bad}");

    let decision = json!({
        "decision": "partly",
        "reason": "Address is necessary for the investigation; phone number is not",
        "fields": [format!("person {p}: address")],
        "person_ids": [p],
        "method": "Secure email",
        "disclosed_on": "2026-01-10"
    });
    let (st, d) = post(&s, &dpo, &format!("/api/v1/disclosures/{id}/decision"), decision.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    assert_eq!(d["follow_ups"][0]["decision"], "partly");
    assert_eq!(d["follow_ups"][0]["fields"], json!([format!("person {p}: address")]));
    let (st, again) = post(&s, &dpo, &format!("/api/v1/disclosures/{id}/decision"), decision).await;
    assert_eq!((st, problem_fields(&again)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["decision".to_string()]), "decided once");

    let (st, c) =
        post(&s, &dpo, &format!("/api/v1/disclosures/{id}/corrections"), json!({"text": "The investigation ref is TP/2, not TP/1"})).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let (_, view) = s.call(&dpo, Method::GET, &format!("/api/v1/disclosures/{id}"), None).await;
    assert_eq!(view["entry"]["detail"], "Current address and phone number, investigation ref TP/1", "the original is unchanged");
    let kinds: Vec<_> = view["follow_ups"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap().to_string()).collect();
    assert_eq!(kinds, ["decision", "correction"]);
    assert_eq!(register(&s, &dpo).await.len(), 3);
}

async fn the_register_cannot_be_edited_or_deleted_through_any_surface(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let p = person(&s, "Ada", "Fakeperson", "AB623456C", "01632 960 151", "ada@example.com").await;
    let request = json!({"requester_type": "dwp", "requester": "DWP (fictional)", "verification": "DWP secure channel",
        "exemption": "taxation", "detail": "Tenancy start date", "person_ids": [p]});
    let (st, r) = post(&s, &dpo, "/api/v1/disclosures", request).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let id = r["entry"]["id"].as_i64().unwrap();

    // The API: no method changes an entry.
    for method in [Method::PUT, Method::PATCH, Method::DELETE] {
        for path in [format!("/api/v1/disclosures/{id}"), "/api/v1/disclosures".to_string(), format!("/api/v1/disclosures/{id}/decision")] {
            let (st, _) = s.call(&dpo, method.clone(), &path, Some(json!({"detail": "changed"}))).await;
            assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        }
        let (st, _) = s.call(&dpo, method.clone(), &format!("/api/v1/disclosures/{id}/edit"), Some(json!({}))).await;
        assert!(matches!(st, StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED), "{method}: {st}");
    }
    // The web UI offers no edit or delete either.
    let (st, _) = s.call(&dpo, Method::POST, &format!("/disclosures/{id}/delete"), None).await;
    assert!(!st.is_success(), "{st}");

    // The database itself refuses, whoever asks.
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.database_url).await.expect("connect around Hearth");
    let update = sqlx::query("UPDATE disclosure SET detail = 'rewritten'").execute(&mut conn).await;
    assert!(update.is_err(), "a raw UPDATE must fail");
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM disclosure").execute(&mut conn).await;
    assert!(delete.is_err(), "a raw DELETE must fail");
    let unlink = sqlx::query("DELETE FROM disclosure_person").execute(&mut conn).await;
    assert!(unlink.is_err(), "a raw DELETE of the people an entry names must fail");
    drop(conn);
    let (_, view) = s.call(&dpo, Method::GET, &format!("/api/v1/disclosures/{id}"), None).await;
    assert_eq!((view["entry"]["detail"].as_str(), view["entry"]["person_ids"].clone()), (Some("Tenancy start date"), json!([p])));
}

async fn only_the_dpo_shares(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let a = agreement(&s, &dpo, agreement_body("repairs_contractor", "2020-01-01", "2099-12-31")).await;
    let p = person(&s, "Ada", "Fakeperson", "AB723456C", "01632 960 161", "ada@example.com").await;
    for role in
        [StaffRole::HousingOfficer, StaffRole::Manager, StaffRole::ContactCentreAdvisor, StaffRole::Contractor, StaffRole::EdiAnalyst]
    {
        let t = s.token(role).await;
        let (st, _, _) = extract(&s, &t, &a["id"], &[p]).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role} extract");
        let (st, _) = post(&s, &t, "/api/v1/returns/core", json!({"from": "2026-01-01", "to": "2026-01-31"})).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role} CORE");
        let (st, _) = s.call(&t, Method::GET, "/api/v1/disclosures", None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role} register");
        let (st, _) = post(&s, &t, "/api/v1/sharing-agreements", agreement_body("repairs_contractor", "2020-01-01", "2099-12-31")).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role} agreement");
    }
    assert!(register(&s, &dpo).await.is_empty());
}
