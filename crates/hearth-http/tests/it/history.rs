//! A person's history, over the API and in the web UI, on SQLite and
//! PostgreSQL: it lists who did what to the record in order, never the old
//! and new values, and reading it is itself decided and recorded.

use hearth_domain::staff::StaffRole;
use hearth_testkit::{problem_fields, TestServer, PASSWORD};
use reqwest::redirect::Policy;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    history_lists_create_view_and_edit_in_order_without_old_or_new_values,
    reading_history_is_recorded_and_refusals_show_in_it,
    history_page_shows_a_table_and_the_person_page_links_to_it,
);

/// A person created, viewed and edited by the housing officer; returns the id.
async fn created_viewed_edited(s: &TestServer) -> i64 {
    let t = s.token(StaffRole::HousingOfficer).await;
    let (st, p) = s
        .call(
            &t,
            Method::POST,
            "/api/v1/people",
            Some(json!({"given_name": "Wren", "family_name": "Fakeham", "date_of_birth": "1979-04-12"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let (st, _) = s.call(&t, Method::GET, &format!("/api/v1/people/{id}"), None).await;
    assert_eq!(st, StatusCode::OK);
    let (st, upd) = s
        .call(
            &t,
            Method::PUT,
            &format!("/api/v1/people/{id}"),
            Some(json!({"version": 1, "given_name": "Wren", "family_name": "Fakeham-Notreal"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{upd}");
    id
}

async fn history(s: &TestServer, token: &str, id: i64) -> Vec<Value> {
    let (st, h) = s.call(token, Method::GET, &format!("/api/v1/people/{id}/history"), None).await;
    assert_eq!(st, StatusCode::OK, "{h}");
    h.as_array().unwrap().clone()
}

async fn history_lists_create_view_and_edit_in_order_without_old_or_new_values(s: TestServer) {
    let id = created_viewed_edited(&s).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let newest_first = history(&s, &dpo, id).await;
    let entries: Vec<&Value> = newest_first.iter().rev().collect();
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "view", "edit"], "{newest_first:#?}");
    assert!(entries.windows(2).all(|w| w[0]["id"].as_i64() < w[1]["id"].as_i64()), "ids rise with time");
    let fields = [
        "id",
        "occurred_at",
        "actor_username",
        "actor_role",
        "action",
        "compartment",
        "record_type",
        "record_id",
        "purpose",
        "decision",
        "reason",
    ];
    for e in &entries {
        assert_eq!(e["actor_username"], "housing_officer");
        assert_eq!(e["actor_role"], "housing_officer");
        assert_eq!(e["compartment"], "identity");
        assert_eq!((&e["record_type"], e["record_id"].as_i64()), (&json!("person"), Some(id)));
        assert_eq!(e["decision"], "allow");
        assert!(e.get("detail").is_none(), "no old or new values: {e}");
        let mut keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut expected = fields.to_vec();
        expected.sort_unstable();
        assert_eq!(keys, expected, "exactly the history fields");
    }
    assert!(!serde_json::to_string(&newest_first).unwrap().contains("Notreal"), "the edit's new value is not shown");

    let (st, one) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{id}/history?limit=1"), None).await;
    assert_eq!((st, one.as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
    let (st, p) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{id}/history?limit=0"), None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["limit".to_string()]));
    let (st, _) = s.call(&dpo, Method::GET, "/api/v1/people/999999/history", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

async fn reading_history_is_recorded_and_refusals_show_in_it(s: TestServer) {
    let id = created_viewed_edited(&s).await;
    let dpo = s.token(StaffRole::Dpo).await;
    history(&s, &dpo, id).await;
    // EDI analysts never see an identified record, and so not its history.
    let edi = s.token(StaffRole::EdiAnalyst).await;
    let (st, p) = s.call(&edi, Method::GET, &format!("/api/v1/people/{id}/history"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{p}");
    assert!(p.get("detail").is_some_and(|d| !d.as_str().unwrap().contains("Fakeham")), "a refusal returns no data: {p}");

    let latest = history(&s, &dpo, id).await;
    let (refused, read) = (&latest[0], &latest[1]);
    assert_eq!(
        (&refused["actor_username"], &refused["action"], &refused["compartment"]),
        (&json!("edi_analyst"), &json!("view"), &json!("audit"))
    );
    assert_eq!(refused["decision"], "deny");
    assert!(refused["reason"].as_str().is_some_and(|r| !r.is_empty()), "a refusal says why: {refused}");
    assert_eq!((&read["actor_username"], &read["action"], &read["compartment"]), (&json!("dpo"), &json!("view"), &json!("audit")));
    assert_eq!(read["decision"], "allow");
}

fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

async fn sign_in(s: &TestServer, role: StaffRole) -> Client {
    let c = browser();
    let page = c.get(s.url("/login")).send().await.unwrap().text().await.unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = page.find(marker).expect("a form token") + marker.len();
    let csrf = page[start..].split('"').next().unwrap();
    let r = c.post(s.url("/login")).form(&[("_csrf", csrf), ("username", role.as_str()), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{role} signs in");
    c
}

async fn history_page_shows_a_table_and_the_person_page_links_to_it(s: TestServer) {
    let id = created_viewed_edited(&s).await;
    let c = sign_in(&s, StaffRole::Dpo).await;
    let person = c.get(s.url(&format!("/people/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(person.contains(&format!("href=\"/people/{id}/history\">View history</a>")), "{person}");

    let r = c.get(s.url(&format!("/people/{id}/history"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("<title>History – Hearth</title>"));
    for header in ["When", "Who", "Role", "What", "Record", "Decision"] {
        assert!(page.contains(&format!("<th scope=\"col\" class=\"govuk-table__header\">{header}</th>")), "column {header}");
    }
    for text in ["Create identity", "View identity", "Edit identity", "Housing officer", "Their record", "Allowed"] {
        assert!(page.contains(text), "the page shows {text:?}");
    }
    assert!(page.contains("GMT") || page.contains("BST"), "times are UK time");
    assert!(!page.contains(&format!("Person {id}<")), "the record is named in words, not by a bare number");
    // The caption names the person as they are now; the rows never show an edit's values.
    assert!(page.contains("<span class=\"govuk-caption-l\">Wren Fakeham-Notreal</span>"), "the page names the person, not a number");
    let rows = page.split("<table").nth(1).unwrap_or_default();
    assert!(!rows.contains("Notreal"), "the edit's new value is not shown");

    let edi = sign_in(&s, StaffRole::EdiAnalyst).await;
    let r = edi.get(s.url(&format!("/people/{id}/history"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("You cannot see this"));
}
