//! Batches of imported needs, warning flags and equality answers through
//! the gate (what `hearth import` sends), on SQLite and PostgreSQL: a batch
//! naming a person the database does not have is rolled back whole and
//! names the row; a stored batch is one audit event that never holds an
//! equality answer; the importer reviews imported needs and recorded their
//! consent answers; nobody has acknowledged an imported flag; imported
//! equality answers are sealed and read back with the key; without a key
//! nothing is imported.

use hearth_domain::import::{equality_row, flag_row, need_row, About};
use hearth_domain::{people::PersonKind, staff::StaffRole};
use hearth_gate::import::{BatchInfo, ImportRows};
use hearth_gate::{Actor, Gate, GateError, DEFAULT_PURPOSE};
use hearth_store::Table;
use hearth_testkit::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(keyed:
    a_batch_naming_a_missing_person_is_rolled_back_whole,
    imported_needs_are_reviewed_by_the_importer,
    imported_flags_are_acknowledged_by_nobody,
    imported_equality_answers_are_sealed_and_read_back_with_the_key,
);
both_backends!(without_a_key_no_equality_answer_is_imported);

/// Invented, plainly fake, and distinctive enough to search for.
const MARKER: &str = "Quorvian-Invented-Answer-9Z";

/// Someone no database in these tests has.
const NOBODY: i64 = 987_654_321;

async fn person(s: &TestServer, n: usize) -> i64 {
    let t = s.token(StaffRole::HousingOfficer).await;
    let body = json!({"given_name": "Testy", "family_name": format!("Importee{n}"), "date_of_birth": "1970-06-15"});
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn dpo(s: &TestServer) -> Actor {
    s.gate.actor_for(StaffRole::Dpo.as_str(), DEFAULT_PURPOSE).await.unwrap()
}

/// `P<id>` resolves to person `id`: the rows name people as the CLI resolves them.
fn resolve(r: &str) -> Option<(i64, PersonKind)> {
    r.strip_prefix('P').and_then(|n| n.parse().ok()).map(|id| (id, PersonKind::Adult))
}

fn needs(people: &[i64]) -> Vec<About<hearth_domain::needs::NeedFields>> {
    let periods = hearth_domain::needs::ReviewPeriods::default();
    people
        .iter()
        .map(|p| {
            need_row(&format!("P{p},hearing,{MARKER},staff_contact,2021-03-04,phone,long_term,,,true"), Gate::today(), &periods, resolve)
        })
        .collect::<Result<_, _>>()
        .unwrap()
}

fn flags(people: &[i64]) -> Vec<About<hearth_domain::needs::WarningFlagFields>> {
    let periods = hearth_domain::needs::ReviewPeriods::default();
    let line = |p: &i64| format!("P{p},dangerous_animal,medium,2024-02-01,{MARKER},true,2024-02-03,,,2024-02-01,");
    people.iter().map(|p| flag_row(&line(p), Gate::today(), &periods, resolve)).collect::<Result<_, _>>().unwrap()
}

fn equality(people: &[i64]) -> Vec<About<hearth_domain::import::EqualityFields>> {
    let line = |p: &i64| format!("P{p},survey,2024-05-01,female,,white_roma,other: {MARKER},,,neither,,no,welsh,false,,");
    people.iter().map(|p| equality_row(&line(p), Gate::today(), resolve)).collect::<Result<_, _>>().unwrap()
}

fn info(file: &str, rows: usize) -> BatchInfo<'_> {
    BatchInfo { import: "test-import", file, first_line: 2, last_line: rows + 1 }
}

/// The detail of every import_batch audit event, as stored.
async fn batch_events(s: &TestServer) -> Vec<Value> {
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.database_url).await.unwrap();
    let rows = sqlx::query("SELECT compartment, detail FROM audit_event WHERE record_type = 'import_batch' ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let detail: String = sqlx::Row::get(r, "detail");
            let mut v: Value = serde_json::from_str(&detail).unwrap();
            v["compartment"] = json!(sqlx::Row::get::<String, _>(r, "compartment"));
            v
        })
        .collect()
}

async fn count(s: &TestServer, table: &str) -> i64 {
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.database_url).await.unwrap();
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    sqlx::Row::get(&sqlx::query(&sql).fetch_one(&mut conn).await.unwrap(), "n")
}

async fn a_batch_naming_a_missing_person_is_rolled_back_whole(s: TestServer) {
    let (a, b) = (person(&s, 1).await, person(&s, 2).await);
    let actor = dpo(&s).await;
    let people = [a, NOBODY, b];
    let (n, f, e) = (needs(&people), flags(&people), equality(&people));
    for (rows, table) in
        [(ImportRows::Needs(&n), "need"), (ImportRows::WarningFlags(&f), "warning_flag"), (ImportRows::Equality(&e), "edi_record")]
    {
        let failure = s.gate.import_batch(&actor, info("x.csv", 3), rows).await.unwrap_err();
        assert_eq!(failure.row, Some(1), "the second row names nobody: {failure}");
        assert!(failure.to_string().contains("No such person"), "{failure}");
        assert_eq!(count(&s, table).await, 0, "nothing of the batch is stored in {table}");
    }
    assert!(batch_events(&s).await.is_empty(), "a rolled-back batch leaves no audit event");
    // Another role may not import them at all.
    let officer = s.gate.actor_for(StaffRole::HousingOfficer.as_str(), DEFAULT_PURPOSE).await.unwrap();
    let ok = needs(&[a]);
    let refused = s.gate.import_batch(&officer, info("needs.csv", 1), ImportRows::Needs(&ok)).await.unwrap_err();
    assert!(matches!(refused.error, GateError::Denied { .. }), "{refused}");
}

async fn imported_needs_are_reviewed_by_the_importer(s: TestServer) {
    let (a, b) = (person(&s, 1).await, person(&s, 2).await);
    let actor = dpo(&s).await;
    let rows = needs(&[a, b, a]);
    let ids = s.gate.import_batch(&actor, info("needs.csv", 3), ImportRows::Needs(&rows)).await.unwrap();
    assert_eq!(ids.len(), 3);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids in row order: {ids:?}");
    let t = s.token(StaffRole::Dpo).await;
    let (st, v) = s.call(&t, Method::GET, &format!("/api/v1/people/{a}/needs"), None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 2, "{v}");
    for n in list {
        assert_eq!((n["review_officer"].as_i64(), n["consent_recorded_by"].as_i64()), (Some(actor.user_id), Some(actor.user_id)), "{n}");
        assert_eq!((n["detail"].as_str(), n["review_date"].as_str()), (Some(MARKER), Some("2022-03-04")), "{n}");
    }
    let events = batch_events(&s).await;
    assert_eq!(events.len(), 1, "one event for the batch: {events:?}");
    assert_eq!(events[0]["kind"], "needs");
    assert_eq!(events[0]["compartment"], "needs");
    assert_eq!((events[0]["rows"].as_i64(), events[0]["import"].as_str()), (Some(3), Some("test-import")));
}

async fn imported_flags_are_acknowledged_by_nobody(s: TestServer) {
    let a = person(&s, 1).await;
    let actor = dpo(&s).await;
    let rows = flags(&[a]);
    s.gate.import_batch(&actor, info("flags.csv", 1), ImportRows::WarningFlags(&rows)).await.unwrap();
    assert_eq!(s.count(Table::WarningFlag).await, 1);
    assert_eq!(count(&s, "warning_flag_ack").await, 0, "not even the importer has acknowledged it");
    // The importer too sees the text only after acknowledging it.
    let listed = s.gate.warning_flags_of(&actor, a).await.unwrap();
    assert_eq!((listed[0].acknowledged, listed[0].risk_assessment.as_deref()), (false, None));
    assert_eq!((listed[0].review_officer, listed[0].recorded_by), (actor.user_id, actor.user_id));
    let seen = s.gate.acknowledge_warning_flag(&actor, listed[0].id).await.unwrap();
    assert_eq!(seen.risk_assessment.as_deref(), Some(MARKER));
    assert_eq!(batch_events(&s).await[0]["compartment"], "warning_flags");
}

async fn imported_equality_answers_are_sealed_and_read_back_with_the_key(s: TestServer) {
    let (a, b) = (person(&s, 1).await, person(&s, 2).await);
    let actor = dpo(&s).await;
    let rows = equality(&[a, b]);
    let ids = s.gate.import_batch(&actor, info("equality.csv", 2), ImportRows::Equality(&rows)).await.unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(s.count(Table::EdiRecord).await, 2);
    // Sealed at rest, and the batch's audit event holds no answer.
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.database_url).await.unwrap();
    let sealed: Vec<String> = sqlx::query("SELECT sealed FROM edi_record ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| sqlx::Row::get(r, "sealed"))
        .collect();
    assert!(sealed.iter().all(|x| x.starts_with("v1:") && !x.contains(MARKER) && !x.contains("white_roma")), "{sealed:?}");
    let events = batch_events(&s).await;
    assert_eq!(events.len(), 1);
    let text = events[0].to_string();
    assert_eq!((events[0]["kind"].as_str(), events[0]["compartment"].as_str()), (Some("equality"), Some("edi")));
    for answer in [MARKER, "white_roma", "welsh", "female", "survey"] {
        assert!(!text.contains(answer), "the audit event holds {answer}: {text}");
    }
    // Read back with the key: the person's own subject access bundle.
    let dpo = s.token(StaffRole::Dpo).await;
    let body = json!({"kind": "access", "person_id": a, "description": "Everything, including my equality answers"});
    let (_, v) = s.call(&dpo, Method::POST, "/api/v1/rights-requests", Some(body)).await;
    let rid = v["request"]["id"].as_i64().unwrap();
    let change = json!({"change": "identity_passed", "version": v["request"]["version"], "method": "Passport seen"});
    let (st, _) = s.call(&dpo, Method::POST, &format!("/api/v1/rights-requests/{rid}/changes"), Some(change)).await;
    assert_eq!(st, StatusCode::OK);
    hearth_testkit::release_bundle(&s, &dpo, rid).await;
    let (st, bundle) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{rid}/bundle"), None).await;
    assert_eq!(st, StatusCode::OK, "{bundle}");
    let section = bundle["sections"].as_array().unwrap().iter().find(|x| x["key"] == "equality").cloned().unwrap();
    let records = section["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "only the person's own capture: {section}");
    assert_eq!((records[0]["source"].as_str(), records[0]["recorded_on"].as_str()), (Some("survey"), Some("2024-05-01")));
    let answers = &records[0]["answers"];
    assert_eq!(answers["answers"]["religion"], json!({"status": "recorded", "value": "other", "other": MARKER}), "{answers}");
    assert_eq!(answers["answers"]["ethnicity"]["value"], "white_roma");
    assert_eq!(answers["age_band"]["value"], "45_54", "worked out from the date of birth on the day recorded: {answers}");
}

async fn without_a_key_no_equality_answer_is_imported(s: TestServer) {
    let a = person(&s, 1).await;
    let actor = dpo(&s).await;
    let rows = equality(&[a]);
    let refused = s.gate.import_batch(&actor, info("equality.csv", 1), ImportRows::Equality(&rows)).await.unwrap_err();
    assert!(matches!(refused.error, GateError::EdiDisabled(_)), "{refused}");
    assert_eq!(s.count(Table::EdiRecord).await, 0);
    assert!(batch_events(&s).await.is_empty());
}
