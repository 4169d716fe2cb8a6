//! Equality monitoring (seed 002) over HTTP, on SQLite and PostgreSQL: the
//! front line records answers write-only, nothing reads one person's answers
//! back or learns whether they exist, the answers are sealed at rest (the raw
//! SQLite files never hold them), analysts see only protected counts, and
//! without a key nothing is captured.

use crate::common;

use common::{browser, get, problem_fields, sign_in, Backend, TestServer};
use hearth_domain::StaffRole;
use hearth_gate::edi::EdiKey;
use hearth_store::Table;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Runs a test body once per backend on a server that has an equality key.
macro_rules! keyed {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(super::keyed(super::Backend::Sqlite).await).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(super::keyed(super::Backend::Postgres).await).await
                }
            }
        )+
    };
}

keyed!(
    front_line_capture_is_write_only_and_sealed_at_rest,
    no_other_role_sees_edi_or_learns_it_exists,
    analysts_see_only_protected_coverage,
    bad_answers_are_refused_naming_the_field,
    the_web_form_is_write_only,
    the_analyst_page_shows_protected_counts,
);
both_backends!(without_a_key_nothing_is_captured);

async fn keyed(backend: Backend) -> TestServer {
    common::start_configured(backend, |g| g.with_edi_key(EdiKey::from_hex(&"5a".repeat(32)).unwrap())).await
}

/// Invented, plainly fake, and distinctive enough to search raw bytes for.
const MARKER: &str = "Zorblaxian-Invented-Faith-7Q";

const FRONT_LINE: [StaffRole; 3] = [StaffRole::ContactCentreAdvisor, StaffRole::HousingOfficer, StaffRole::IncomeOfficer];

async fn person(s: &TestServer, n: usize) -> i64 {
    let t = s.token(StaffRole::HousingOfficer).await;
    let body = json!({"given_name": "Testy", "family_name": format!("Fakeperson{n}")});
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

fn answers() -> Value {
    json!({
        "source": "phone",
        "answers": {
            "sex": {"status": "prefer_not_to_say"},
            "religion": {"status": "recorded", "value": "other", "other": MARKER},
            "ethnicity": {"status": "recorded", "value": "white_roma"},
            "first_language": {"status": "recorded", "value": "welsh"},
            "interpreter_needed": false
        }
    })
}

async fn front_line_capture_is_write_only_and_sealed_at_rest(s: TestServer) {
    let id = person(&s, 1).await;
    for role in FRONT_LINE {
        let t = s.token(role).await;
        let (st, r) = s.call(&t, Method::POST, &format!("/api/v1/people/{id}/edi"), Some(answers())).await;
        assert_eq!((st, &r), (StatusCode::CREATED, &json!({"person_id": id, "status": "recorded"})), "{role}: confirms, echoes nothing");
    }
    assert_eq!(s.count(Table::EdiRecord).await, 3);

    // Not in the audit trail either: the DPO's history of the person says a capture happened, not what it held.
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, h) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{id}/history"), None).await;
    assert_eq!(st, StatusCode::OK);
    let text = h.to_string();
    assert!(text.contains("edi") && !text.contains(MARKER) && !text.contains("white_roma"), "{h}");

    // The raw database files hold no answer in plain text.
    if let Some(dir) = s.sqlite_dir() {
        s.store.close().await;
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            // The -wal and -shm files may vanish as the pool closes.
            let Ok(bytes) = std::fs::read(entry.unwrap().path()) else { continue };
            seen += bytes.len();
            for needle in [MARKER, "Zorblaxian", "white_roma", "prefer_not_to_say", "welsh"] {
                assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "{needle} found in the raw database");
            }
        }
        assert!(seen > 0, "read the database files");
    }
}

async fn no_other_role_sees_edi_or_learns_it_exists(s: TestServer) {
    let with = person(&s, 1).await;
    let without = person(&s, 2).await;
    let t = s.token(StaffRole::HousingOfficer).await;
    let (st, _) = s.call(&t, Method::POST, &format!("/api/v1/people/{with}/edi"), Some(answers())).await;
    assert_eq!(st, StatusCode::CREATED);

    for role in StaffRole::ALL.iter().copied().filter(|r| *r != StaffRole::Dpo) {
        let t = s.token(role).await;
        let mut seen = Vec::new();
        let mut answers_by_body = Vec::new();
        for id in [with, without] {
            let mut answers_for = Vec::new();
            for path in [format!("/api/v1/people/{id}"), format!("/api/v1/people/{id}/record"), format!("/api/v1/people/{id}/edi")] {
                let (st, body) = s.call(&t, Method::GET, &path, None).await;
                let text = body.to_string();
                assert!(!text.contains(MARKER) && !text.contains("white_roma") && !text.contains("edi_record"), "{role} {path}: {text}");
                answers_for.push(st);
            }
            // A capture reply is the same whether or not a record exists.
            let (st, body) = s.call(&t, Method::POST, &format!("/api/v1/people/{id}/edi"), Some(answers())).await;
            let mut same = body.clone();
            same.as_object_mut().map(|o| o.remove("person_id"));
            answers_for.push(st);
            answers_by_body.push(same);
            if FRONT_LINE.contains(&role) {
                assert_eq!((st, &body["person_id"], &body["status"]), (StatusCode::CREATED, &json!(id), &json!("recorded")), "{role}");
            } else {
                assert_eq!(st, StatusCode::FORBIDDEN, "{role} may not capture: {body}");
            }
            seen.push(answers_for);
        }
        assert_eq!(seen[0], seen[1], "{role}: same answers whether or not a record exists");
        assert_eq!(answers_by_body[0], answers_by_body[1], "{role}: same capture reply whether or not a record exists");
        let (st, body) = s.call(&t, Method::GET, "/api/v1/edi/coverage", None).await;
        if role == StaffRole::EdiAnalyst {
            assert_eq!(st, StatusCode::OK, "{body}");
        } else {
            assert_eq!(st, StatusCode::FORBIDDEN, "{role} sees no aggregate: {body}");
        }
    }
}

fn row<'a>(c: &'a Value, characteristic: &str) -> &'a Value {
    c["rows"].as_array().unwrap().iter().find(|r| r["characteristic"] == characteristic).unwrap()
}

fn cells(r: &Value) -> Value {
    json!([r["recorded"], r["prefer_not_to_say"], r["not_asked"], r["total"]])
}

async fn analysts_see_only_protected_coverage(s: TestServer) {
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    for n in 0..12 {
        let id = person(&s, n).await;
        let religion = if n < 9 { json!({"status": "recorded", "value": "no_religion"}) } else { json!({"status": "prefer_not_to_say"}) };
        let body = json!({"source": "webform", "answers": {"sex": {"status": "recorded", "value": "female"}, "religion": religion}});
        let (st, r) = s.call(&t, Method::POST, &format!("/api/v1/people/{id}/edi"), Some(body)).await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
    }
    let analyst = s.token(StaffRole::EdiAnalyst).await;
    let (st, c) = s.call(&analyst, Method::GET, "/api/v1/edi/coverage", None).await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let shown = |n: u64| json!({"kind": "shown", "value": n});
    let suppressed = json!({"kind": "suppressed"});
    assert_eq!(cells(row(&c, "sex")), json!([shown(10), shown(0), shown(0), shown(10)]), "12 rounds to 10");
    // 3 is suppressed, and 9 with it so the 3 cannot be worked out from the total.
    assert_eq!(cells(row(&c, "religion")), json!([suppressed, suppressed, shown(0), shown(10)]));
    assert_eq!(cells(row(&c, "ethnicity")), json!([shown(0), shown(0), shown(10), shown(10)]), "not asked is kept apart");
    assert_eq!(c["rows"].as_array().unwrap().len(), hearth_domain::Characteristic::ALL.len());
    assert!(!c.to_string().contains("person_id"), "no identifiers: {c}");
}

async fn bad_answers_are_refused_naming_the_field(s: TestServer) {
    let id = person(&s, 1).await;
    let t = s.token(StaffRole::HousingOfficer).await;
    let path = format!("/api/v1/people/{id}/edi");
    let cases = [
        (json!({"source": "phone", "answers": {"ethnicity": {"status": "recorded", "value": "martian"}}}), "ethnicity"),
        (json!({"source": "phone", "answers": {"religion": {"status": "recorded", "value": "other"}}}), "religion"),
        (
            json!({"source": "phone", "answers": {"pregnancy_maternity": {"status": "recorded", "value": "pregnant"}}}),
            "pregnancy_valid_until",
        ),
    ];
    for (body, field) in cases {
        let (st, p) = s.call(&t, Method::POST, &path, Some(body)).await;
        assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_string()]), "{p}");
    }
    let (st, p) = s.call(&t, Method::POST, &path, Some(json!({"source": "carrier_pigeon"}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people/999999/edi", Some(answers())).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{p}");
    assert_eq!(s.count(Table::EdiRecord).await, 0, "nothing half-written");
}

async fn without_a_key_nothing_is_captured(s: TestServer) {
    let id = person(&s, 1).await;
    let t = s.token(StaffRole::HousingOfficer).await;
    let (st, p) = s.call(&t, Method::POST, &format!("/api/v1/people/{id}/edi"), Some(answers())).await;
    assert_eq!((st, &p["type"]), (StatusCode::CONFLICT, &json!("/problems/edi-disabled")), "{p}");
    assert!(p["detail"].as_str().unwrap().contains("no encryption key"), "{p}");
    assert_eq!(s.count(Table::EdiRecord).await, 0);
    let analyst = s.token(StaffRole::EdiAnalyst).await;
    let (st, p) = s.call(&analyst, Method::GET, "/api/v1/edi/coverage", None).await;
    assert_eq!(st, StatusCode::CONFLICT, "{p}");
    let officer = browser();
    sign_in(&s, &officer, "housing_officer").await;
    let (st, page) = get(&s, &officer, &format!("/people/{id}/edi/new")).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(page.contains("Equality monitoring is unavailable") && page.contains("no encryption key"), "{page}");
    // Roles that may not capture are still refused first: the refusal says nothing about configuration.
    let asb = s.token(StaffRole::AsbOfficer).await;
    let (st, _) = s.call(&asb, Method::POST, &format!("/api/v1/people/{id}/edi"), Some(answers())).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn the_web_form_is_write_only(s: TestServer) {
    let id = person(&s, 1).await;
    let officer = browser();
    let csrf = sign_in(&s, &officer, "housing_officer").await;
    let (_, person_page) = get(&s, &officer, &format!("/people/{id}")).await;
    assert!(person_page.contains(&format!("/people/{id}/edi/new")), "the front line is offered the form");
    let (st, page) = get(&s, &officer, &format!("/people/{id}/edi/new")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Record equality monitoring answers") && page.contains("Prefer not to say") && page.contains("Not asked"));

    let post = |fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("_csrf", csrf.clone())];
        form.extend(fields.into_iter().map(|(k, v)| (k, v.to_string())));
        officer.post(s.url(&format!("/people/{id}/edi"))).form(&form).send()
    };
    let r = post(vec![("source", "phone"), ("religion", "other")]).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("There is a problem") && body.contains("Describe the answer for religion or belief"), "{body}");
    assert_eq!(s.count(Table::EdiRecord).await, 0, "nothing half-written");

    let r = post(vec![
        ("source", "phone"),
        ("religion", "other"),
        ("religion_other", MARKER),
        ("ethnicity", "white_roma"),
        ("sex", "prefer_not_to_say"),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(body.contains("Equality monitoring answers recorded"), "{body}");
    assert!(!body.contains(MARKER) && !body.contains("Roma") && !body.contains("Prefer not to say"), "nothing echoed: {body}");
    assert_eq!(s.count(Table::EdiRecord).await, 1);

    // A role that may not capture gets neither the form nor the post.
    let asb = browser();
    let asb_csrf = sign_in(&s, &asb, "asb_officer").await;
    let (_, person_page) = get(&s, &asb, &format!("/people/{id}")).await;
    assert!(!person_page.contains("/edi/new"), "nor the link");
    let (st, _) = get(&s, &asb, &format!("/people/{id}/edi/new")).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let r = asb.post(s.url(&format!("/people/{id}/edi"))).form(&[("_csrf", asb_csrf.as_str()), ("source", "phone")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.count(Table::EdiRecord).await, 1);
}

async fn the_analyst_page_shows_protected_counts(s: TestServer) {
    let id = person(&s, 1).await;
    let t = s.token(StaffRole::IncomeOfficer).await;
    let (st, _) = s.call(&t, Method::POST, &format!("/api/v1/people/{id}/edi"), Some(answers())).await;
    assert_eq!(st, StatusCode::CREATED);
    let analyst = browser();
    sign_in(&s, &analyst, "edi_analyst").await;
    let (st, page) = get(&s, &analyst, "/edi/coverage").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Equality monitoring coverage") && page.contains("Religion or belief"), "{page}");
    assert!(page.contains("[c]"), "one person is suppressed: {page}");
    assert!(!page.contains(MARKER) && !page.contains("Testy"), "no answers, no names");
    let officer = browser();
    sign_in(&s, &officer, "housing_officer").await;
    let (st, _) = get(&s, &officer, "/edi/coverage").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}
