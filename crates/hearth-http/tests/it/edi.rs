//! Equality monitoring (seed 002) over HTTP, on SQLite and PostgreSQL: the
//! front line records answers write-only, nothing reads one person's answers
//! back or learns whether they exist, the answers are sealed at rest (the raw
//! SQLite files never hold them), analysts see only protected counts, and
//! without a key nothing is captured.

use hearth_domain::staff::StaffRole;
use hearth_gate::edi::EdiKey;
use hearth_gate::{Gate, GateError, Policy};
use hearth_store::Table;
use hearth_testkit::{browser, get, problem_fields, sign_in, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(keyed:
    front_line_capture_is_write_only_and_sealed_at_rest,
    no_other_role_sees_edi_or_learns_it_exists,
    analysts_see_only_protected_coverage,
    bad_answers_are_refused_naming_the_field,
    the_web_form_is_write_only,
    the_analyst_page_shows_protected_counts,
    analysts_see_protected_service_equity,
    reports_download_as_csv_without_small_counts,
    rotating_the_key_reseals_every_record,
    the_persons_access_bundle_gives_them_their_own_answers,
);
both_backends!(without_a_key_nothing_is_captured);

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
    } else {
        // PostgreSQL: a plain-text dump of the whole database holds no answer either.
        let out = std::process::Command::new("pg_dump")
            .args(["--no-owner", "--data-only", &s.database_url])
            .output()
            .expect("pg_dump must be installed to check the PostgreSQL dump");
        assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
        let dump = String::from_utf8_lossy(&out.stdout);
        assert!(dump.contains("edi_record") && dump.contains("v1:"), "the dump holds the sealed rows");
        for needle in [MARKER, "Zorblaxian", "white_roma", "prefer_not_to_say", "welsh"] {
            assert!(!dump.contains(needle), "{needle} found in the pg_dump output");
        }
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
        for path in ["/api/v1/edi/coverage", "/api/v1/edi/equity", "/api/v1/edi/coverage?format=csv", "/api/v1/edi/equity?format=csv"] {
            let r = s.client.get(s.url(path)).bearer_auth(&t).send().await.unwrap();
            let st = r.status();
            let body = r.text().await.unwrap();
            if role == StaffRole::EdiAnalyst {
                assert_eq!(st, StatusCode::OK, "{path}: {body}");
            } else {
                assert_eq!(st, StatusCode::FORBIDDEN, "{role} sees no aggregate at {path}: {body}");
                assert!(!body.contains("[c]") && !body.contains("Religion"), "{role} {path}: no figures at all: {body}");
            }
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
    assert_eq!(c["rows"].as_array().unwrap().len(), hearth_domain::edi::Characteristic::ALL.len());
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
    let (_, person_page) = get(&s, &officer, &format!("/people/{id}?section=consent")).await;
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
    let (_, person_page) = get(&s, &asb, &format!("/people/{id}?section=consent")).await;
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
    assert!(page.contains(r#"<svg class="hearth-chart" id="coverage-chart""#) && page.contains(r#"role="img""#), "a chart: {page}");
    assert!(page.contains("<title id=\"coverage-chart-title\">Equality monitoring coverage by characteristic</title>"));
    assert!(page.contains("href=\"/edi/coverage.csv\""), "a CSV download");
    let (st, page) = get(&s, &analyst, "/edi/equity").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("Service equity") && page.contains("equity-chart-ethnicity") && page.contains("href=\"/edi/equity.csv\""),
        "{page}"
    );
    assert!(!page.contains(MARKER) && !page.contains("Testy"), "no answers, no names");
    // One person: every group holding them is suppressed, so no bar anywhere.
    assert!(!page.contains("hearth-chart__bar"), "no bar drawn for a suppressed group");
    let r = analyst.get(s.url("/edi/equity.csv")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("service-equity.csv"));
    let officer = browser();
    sign_in(&s, &officer, "housing_officer").await;
    for path in ["/edi/coverage", "/edi/equity", "/edi/coverage.csv", "/edi/equity.csv"] {
        let (st, body) = get(&s, &officer, path).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path}");
        assert!(!body.contains("[c]"), "{path}");
    }
}

/// Records answers for `n` new people with the given sex answer; returns their ids.
async fn people_with_sex(s: &TestServer, from: usize, n: usize, sex: Value) -> Vec<i64> {
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    let mut ids = Vec::new();
    for k in from..from + n {
        let id = person(s, k).await;
        let body = json!({"source": "survey", "answers": {"sex": sex}});
        let (st, r) = s.call(&t, Method::POST, &format!("/api/v1/people/{id}/edi"), Some(body)).await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        ids.push(id);
    }
    ids
}

fn group<'a>(report: &'a Value, characteristic: &str, value: &str) -> &'a Value {
    let table = report["tables"].as_array().unwrap().iter().find(|t| t["characteristic"] == characteristic).unwrap();
    table["groups"].as_array().unwrap().iter().find(|g| g["value"] == value).unwrap()
}

async fn analysts_see_protected_service_equity(s: TestServer) {
    let women = people_with_sex(&s, 0, 12, json!({"status": "recorded", "value": "female"})).await;
    people_with_sex(&s, 12, 3, json!({"status": "recorded", "value": "male"})).await;
    people_with_sex(&s, 15, 2, json!({"status": "not_asked"})).await;
    // Two contacts with each of the twelve women.
    let officer = s.token(StaffRole::HousingOfficer).await;
    for summary in ["Rent query", "Repair chase"] {
        let body = json!({"channel": "call_in", "person_ids": women, "parts": [{"summary": summary}]});
        let (st, r) = s.call(&officer, Method::POST, "/api/v1/contacts", Some(body)).await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
    }
    let analyst = s.token(StaffRole::EdiAnalyst).await;
    let (st, report) = s.call(&analyst, Method::GET, "/api/v1/edi/equity", None).await;
    assert_eq!(st, StatusCode::OK, "{report}");
    assert_eq!(report["tables"].as_array().unwrap().len(), hearth_domain::edi::Characteristic::ALL.len());
    let shown = |x: f64| json!({"kind": "shown", "value": x});
    let suppressed = json!({"kind": "suppressed"});
    let female = group(&report, "sex", "female");
    assert_eq!(female["people"], json!({"kind": "shown", "value": 10}), "12 rounds to 10");
    assert_eq!(female["measures"]["contacts_per_person"], shown(2.0));
    assert_eq!(female["measures"]["cases_per_person"], shown(0.0));
    assert_eq!(female["measures"]["mean_days_to_complete_repair"], json!({"kind": "no_data"}));
    let male = group(&report, "sex", "male");
    assert_eq!(male["people"], suppressed);
    for (name, m) in male["measures"].as_object().unwrap() {
        assert_eq!(m, &suppressed, "{name}: nothing about a suppressed group");
    }
    assert_eq!(group(&report, "sex", "not_asked")["people"], suppressed);
    assert_eq!(group(&report, "ethnicity", "not_asked")["people"], json!({"kind": "shown", "value": 15}), "17 rounds to 15");
    let text = report.to_string();
    assert!(!text.contains("person_id") && !text.contains("Fakeperson"), "no identifiers: {report}");
}

/// Every count field in a CSV column is "[c]" or a rounded count that is not small.
fn assert_no_small_counts(csv: &str, columns: &[&str]) -> usize {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let idx: Vec<usize> =
        columns.iter().map(|c| header.iter().position(|h| h == c).unwrap_or_else(|| panic!("{c} in {header:?}"))).collect();
    let mut suppressed = 0;
    for line in lines {
        // Labels never hold a comma in these tests' rows that matter: count from the right.
        let fields: Vec<&str> = line.rsplitn(header.len(), ',').collect::<Vec<_>>().into_iter().rev().collect();
        for i in &idx {
            match fields[*i] {
                "[c]" => suppressed += 1,
                v => {
                    let n: u64 = v.parse().unwrap_or_else(|_| panic!("a count in {line}"));
                    assert!(n == 0 || (n > 7 && n.is_multiple_of(5)), "small or unrounded count {n} in {line}");
                }
            }
        }
    }
    suppressed
}

async fn reports_download_as_csv_without_small_counts(s: TestServer) {
    people_with_sex(&s, 0, 12, json!({"status": "recorded", "value": "female"})).await;
    people_with_sex(&s, 12, 3, json!({"status": "prefer_not_to_say"})).await;
    let analyst = s.token(StaffRole::EdiAnalyst).await;
    let csv = |path: &'static str| {
        let req = s.client.get(s.url(path)).bearer_auth(&analyst);
        async move {
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"), "{path}");
            r.text().await.unwrap()
        }
    };
    let coverage = csv("/api/v1/edi/coverage?format=csv").await;
    assert!(coverage.starts_with("characteristic,recorded,prefer_not_to_say,not_asked,total\r\n"), "{coverage}");
    // Sex: 12 recorded, 3 declined: the 3 is hidden and the 12 with it.
    assert!(coverage.contains("\r\nSex,[c],[c],0,15\r\n"), "{coverage}");
    assert!(assert_no_small_counts(&coverage, &["recorded", "prefer_not_to_say", "not_asked", "total"]) >= 2);
    let equity = csv("/api/v1/edi/equity?format=csv").await;
    assert!(equity.starts_with("characteristic,group,people,contacts_per_person,cases_per_person,"), "{equity}");
    assert!(equity.contains("\r\nSex,Female,[c],[c],[c],[c],[c],[c]\r\n"), "{equity}");
    assert!(equity.contains("\r\nSex,Prefer not to say,[c],[c],[c],[c],[c],[c]\r\n"), "{equity}");
    assert!(assert_no_small_counts(&equity, &["people"]) >= 2);
    // A bad format is refused naming the field.
    let (st, p) = s.call(&analyst, Method::GET, "/api/v1/edi/equity?format=xlsx", None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["format".to_string()]), "{p}");
}

async fn rotating_the_key_reseals_every_record(s: TestServer) {
    let id = person(&s, 1).await;
    for role in FRONT_LINE {
        let t = s.token(role).await;
        let (st, _) = s.call(&t, Method::POST, &format!("/api/v1/people/{id}/edi"), Some(answers())).await;
        assert_eq!(st, StatusCode::CREATED);
    }
    people_with_sex(&s, 2, 9, json!({"status": "recorded", "value": "male"})).await;
    let rows = s.count(Table::EdiRecord).await;
    let analyst = s.gate.actor_for("edi_analyst", "equality_monitoring").await.unwrap();
    let before = serde_json::to_value(s.gate.edi_coverage(&analyst).await.unwrap()).unwrap();
    let old = EdiKey::from_hex(&"5a".repeat(32)).unwrap();
    let new = EdiKey::from_hex(&"a7".repeat(32)).unwrap();
    let sealed = |row: &std::collections::BTreeMap<String, Option<String>>| {
        (row["person_id"].clone().unwrap().parse::<i64>().unwrap(), row["sealed"].clone().unwrap())
    };
    let mut was = Vec::new();
    for i in 1..=rows {
        was.push(s.store.raw_row(Table::EdiRecord, i).await.unwrap().expect("ids run from 1"));
    }

    // Only the DPO may rotate, and a wrong old key changes nothing.
    for role in [StaffRole::SystemAdministrator, StaffRole::EdiAnalyst, StaffRole::HousingOfficer] {
        let actor = s.gate.actor_for(role.as_str(), "key_rotation").await.unwrap();
        let r = s.gate.rotate_edi_key(&actor, &old, &new).await;
        assert!(matches!(r, Err(GateError::Denied { .. })), "{role}: {r:?}");
    }
    let dpo = s.gate.actor_for("dpo", "key_rotation").await.unwrap();
    let wrong = EdiKey::from_hex(&"11".repeat(32)).unwrap();
    assert!(matches!(s.gate.rotate_edi_key(&dpo, &wrong, &new).await, Err(GateError::EdiDisabled(_))));
    for (i, row) in was.iter().enumerate() {
        assert_eq!(&s.store.raw_row(Table::EdiRecord, i as i64 + 1).await.unwrap().unwrap(), row, "unchanged after a failed rotation");
    }

    assert_eq!(s.gate.rotate_edi_key(&dpo, &old, &new).await.unwrap(), rows as u64);
    for (i, row) in was.iter().enumerate() {
        let now = s.store.raw_row(Table::EdiRecord, i as i64 + 1).await.unwrap().unwrap();
        let (person_id, text) = sealed(&now);
        assert_ne!(text, sealed(row).1, "re-sealed");
        assert!(old.open(person_id, &text).is_err(), "the old key opens nothing");
        assert!(new.open(person_id, &text).is_ok(), "the new key opens it");
        assert!(!text.contains(MARKER));
    }
    // The server still holding the old key can no longer open the records…
    assert!(matches!(s.gate.edi_coverage(&analyst).await, Err(GateError::EdiDisabled(_))));
    // …and one started with the new key gives the analyst the same report.
    let restarted = Gate::new(s.store.clone(), Policy::shipped().unwrap()).with_edi_key(new);
    let after = serde_json::to_value(restarted.edi_coverage(&analyst).await.unwrap()).unwrap();
    assert_eq!(after, before, "the analyst report is unchanged");
    // The rotation is in the audit trail as the DPO's edit of the key, with a count and nothing else.
    let events = s.count(Table::AuditEvent).await;
    let mut found = false;
    for i in (1..=events).rev().take(10) {
        if let Some(e) = s.store.raw_row(Table::AuditEvent, i).await.unwrap() {
            if e.values().any(|v| v.as_deref() == Some("edi_key")) {
                let text = format!("{e:?}");
                assert!(text.contains("resealed") && !text.contains(MARKER), "{text}");
                found = true;
                break;
            }
        }
    }
    assert!(found, "the rotation was audited");
}

async fn the_persons_access_bundle_gives_them_their_own_answers(s: TestServer) {
    let id = person(&s, 1).await;
    let other = person(&s, 2).await;
    let t = s.token(StaffRole::HousingOfficer).await;
    for who in [id, other] {
        let (st, r) = s.call(&t, Method::POST, &format!("/api/v1/people/{who}/edi"), Some(answers())).await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
    }
    let dpo = s.token(StaffRole::Dpo).await;
    let body = json!({"kind": "access", "person_id": id, "description": "Everything, including my equality answers"});
    let (_, v) = s.call(&dpo, Method::POST, "/api/v1/rights-requests", Some(body)).await;
    let rid = v["request"]["id"].as_i64().unwrap();
    let change = json!({"change": "identity_passed", "version": v["request"]["version"], "method": "Passport seen"});
    let (st, _) = s.call(&dpo, Method::POST, &format!("/api/v1/rights-requests/{rid}/changes"), Some(change)).await;
    assert_eq!(st, StatusCode::OK);
    hearth_testkit::release_bundle(&s, &dpo, rid).await;
    let (st, b) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{rid}/bundle"), None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let section = b["sections"].as_array().unwrap().iter().find(|x| x["key"] == "equality").cloned().unwrap();
    let records = section["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "only the person's own capture: {section}");
    assert_eq!(records[0]["source"], "phone");
    assert!(records[0]["answers"].to_string().contains(MARKER), "{section}");
    assert!(b["withheld"].as_array().unwrap().iter().all(|w| w["reason"] != "not_available"), "{b}");
}
