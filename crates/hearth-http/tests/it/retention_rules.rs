//! The rules issue 24 added, each at its boundary (kept the day before,
//! gone on the day) on SQLite and PostgreSQL: a person's own documents on
//! their tenancy file; a contact entry's documents going with the entry (so
//! the former tenant's identity is reduced too); the "last contact" rule
//! for people who never held a tenancy; a household member measured from
//! the end of their own membership while the tenancy continues; and care
//! plans kept although the case documents rule deletes the rest of their
//! case's documents.

use crate::retention_helpers::*;
use hearth_domain::{retention::RecordClass, staff::StaffRole};
use hearth_gate::retention::SweepStatus;
use hearth_store::Table;
use hearth_testkit::fixtures::{end_tenancy, tenant, Tenant};
use hearth_testkit::TestServer;
use jiff::civil::Date;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    tenancy_file_documents_and_entry_documents_go_six_years_after_the_tenancy_ended,
    people_who_never_held_a_tenancy_go_six_years_after_their_last_contact,
    a_household_member_who_left_is_measured_from_their_own_membership_end,
    care_plans_are_kept_when_their_cases_other_documents_go,
    certificates_say_what_was_not_disposed_of_and_why,
);

async fn exists(s: &TestServer, table: Table, id: &Value) -> bool {
    s.store.raw_row(table, id.as_i64().unwrap()).await.unwrap().is_some()
}

async fn document_count(s: &TestServer) -> i64 {
    s.count(Table::Document).await
}

async fn exists_id(s: &TestServer, table: Table, id: i64) -> bool {
    s.store.raw_row(table, id).await.unwrap().is_some()
}

async fn reduced(s: &TestServer, person: i64) -> bool {
    s.store.raw_row(Table::Person, person).await.unwrap().unwrap()["disposed_at"].is_some()
}

async fn tenancy_file_documents_and_entry_documents_go_six_years_after_the_tenancy_ended(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let Tenant { person: former, tenancy, .. } = tenant(&s, &t, since_2015("Filomena", 990_000_124_001)).await;
    let scan = upload(&s, &t, former, &[("title", "Passport scan".into())], b"tenancy file scan").await;
    assert_eq!(scan["filed_as"], "tenancy_file");
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let entry =
        s.created(&advisor, "/api/v1/contacts", json!({"channel": "call_in", "person_ids": [former], "summary": "Sent a letter"})).await;
    let entry_id = entry["entries"][0]["id"].clone();
    let letter = upload(&s, &t, former, &[("contact_entry_id", entry_id.to_string())], b"letter on the entry").await;
    assert_eq!(letter["filed_as"], "contact_entry");
    end_tenancy(&s, &t, &tenancy, "2020-06-30").await;
    let due = years("2020-06-30".parse().unwrap(), 6);

    let kept = run(&s, due.yesterday().unwrap()).await;
    assert_eq!(rule(&kept, RecordClass::TenancyFile).disposed, 0);
    assert_eq!(document_count(&s).await, 2, "kept the day before");
    assert!(exists(&s, Table::ContactEntry, &entry_id).await);

    let done = run(&s, due).await;
    let out = rule(&done, RecordClass::TenancyFile);
    assert_eq!((out.disposed, out.status), (1, SweepStatus::Swept));
    let c = out.certificate.as_ref().expect("a certificate");
    assert_eq!((c.rule.as_str(), c.cutoff.as_str()), ("Delete 6 years after the tenancy ended", "2020-06-30"));
    assert_eq!(rule(&done, RecordClass::ContactLogEntry).disposed, 1, "the entry with a document goes, its document with it");
    assert_eq!(document_count(&s).await, 0, "both documents gone on the day");
    assert!(!exists(&s, Table::ContactEntry, &entry_id).await);
    assert!(reduced(&s, former).await, "nothing kept the identity back, so it was reduced on the same run");
}

async fn people_who_never_held_a_tenancy_go_six_years_after_their_last_contact(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let neighbour =
        s.created(&officer, "/api/v1/people", json!({"given_name": "Nerys", "family_name": "Nextdoor"})).await["id"].as_i64().unwrap();
    s.created(&officer, &format!("/api/v1/people/{neighbour}/contact-points"), json!({"kind": "email", "value": "nerys@example.invalid"}))
        .await;
    let call = s
        .created(&advisor, "/api/v1/contacts", json!({"channel": "call_in", "person_ids": [neighbour], "summary": "Reported noise"}))
        .await;
    let call_id = call["entries"][0]["id"].clone();
    let scan = upload(&s, &officer, neighbour, &[], b"neighbour's statement").await;
    assert_eq!(scan["filed_as"], "tenancy_file");
    // A member of a household that never had a tenancy (an applicant's) never held one either.
    let prop = s
        .created(
            &officer,
            "/api/v1/properties",
            json!({"uprn": 990_000_124_077_i64, "line1": "77 Notional Walk", "town": "Testbury", "postcode": "ZZ99 7NW"}),
        )
        .await;
    let hid = s.created(&officer, "/api/v1/households", json!({"property_id": prop["id"]})).await["id"].as_i64().unwrap();
    let member = s
        .created(
            &officer,
            &format!("/api/v1/households/{hid}/members"),
            json!({"person_id": neighbour, "role": "household_member", "start_date": "2024-01-01"}),
        )
        .await;
    // Their last contact is today (added, called, wrote): 6 years on, they go.
    let today: Date = hearth_gate::Gate::today();
    let due = years(today, 6);

    let kept = run(&s, due.yesterday().unwrap()).await;
    assert_eq!(rule(&kept, RecordClass::NonTenant).disposed, 0, "kept the day before");
    assert!(!reduced(&s, neighbour).await);
    assert!(exists(&s, Table::ContactEntry, &call_id).await);
    assert_eq!(document_count(&s).await, 1);

    let planned = plan(&s, due).await;
    assert!(rule(&planned, RecordClass::NonTenant).disposed >= 5, "contact point, document, call, identity and membership are due");
    let done = run(&s, due).await;
    let out = rule(&done, RecordClass::NonTenant);
    assert_eq!(out.disposed, 5, "contact point, document, call, identity and membership");
    assert!(!exists(&s, Table::Membership, &member["id"]).await);
    let c = out.certificate.as_ref().expect("a certificate");
    assert_eq!((c.rule.as_str(), c.action.as_str()), ("Reduce to a skeleton record 6 years after the last contact", "skeleton"));
    assert!(reduced(&s, neighbour).await);
    assert!(!exists(&s, Table::ContactEntry, &call_id).await);
    assert_eq!(document_count(&s).await, 0);
    let row = s.store.raw_row(Table::Person, neighbour).await.unwrap().unwrap();
    assert!(!row.values().flatten().any(|v| v.contains("Nerys") || v.contains("Nextdoor")), "{row:?}");
    assert_eq!(run(&s, due).await.disposed(), 0, "nothing left for a second run");
}

async fn a_household_member_who_left_is_measured_from_their_own_membership_end(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let Tenant { person: tenant_id, tenancy, .. } = tenant(&s, &t, since_2015("Tobias", 990_000_124_002)).await;
    let lodger =
        s.created(&t, "/api/v1/people", json!({"given_name": "Leofric", "family_name": "Leftearly"})).await["id"].as_i64().unwrap();
    let hid = tenancy["household_id"].as_i64().unwrap();
    let member = s
        .created(
            &t,
            &format!("/api/v1/households/{hid}/members"),
            json!({"person_id": lodger, "role": "household_member", "start_date": "2015-04-01"}),
        )
        .await;
    let need = s
        .created(
            &t,
            &format!("/api/v1/people/{lodger}/needs"),
            json!({"category": "sight", "detail": "Leofric reads large print", "source": "staff_contact",
               "disclosure_channel": "phone", "duration": "long_term", "consent_to_tailor": true}),
        )
        .await;
    let tenants_need = s
        .created(
            &t,
            &format!("/api/v1/people/{tenant_id}/needs"),
            json!({"category": "sight", "detail": "Tobias reads large print", "source": "staff_contact",
               "disclosure_channel": "phone", "duration": "long_term", "consent_to_tailor": true}),
        )
        .await;
    // They moved out; the tenancy continues.
    let (st, v) = s
        .call(
            &t,
            Method::PUT,
            &format!("/api/v1/memberships/{}", member["id"]),
            Some(json!({"version": member["version"], "person_id": lodger, "role": "household_member", "start_date": "2015-04-01", "end_date": "2019-03-31"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let due = years("2019-03-31".parse().unwrap(), 6);

    let kept = run(&s, due.yesterday().unwrap()).await;
    assert_eq!(rule(&kept, RecordClass::Need).disposed, 0, "kept the day before");
    assert!(exists_id(&s, Table::Need, need["id"].as_i64().unwrap()).await);

    let done = run(&s, due).await;
    assert_eq!(rule(&done, RecordClass::Need).disposed, 1, "the member's need goes on the day");
    assert!(!exists_id(&s, Table::Need, need["id"].as_i64().unwrap()).await);
    assert!(reduced(&s, lodger).await, "and their identity");
    assert!(!exists(&s, Table::Membership, &member["id"]).await, "and their ended membership");
    assert!(exists_id(&s, Table::Need, tenants_need["id"].as_i64().unwrap()).await, "the tenancy continues: the tenant's records stay");
    assert!(!reduced(&s, tenant_id).await);
    assert!(exists(&s, Table::Tenancy, &tenancy["id"]).await);
}

async fn care_plans_are_kept_when_their_cases_other_documents_go(s: TestServer) {
    let ilo = s.token(StaffRole::IndependentLivingOfficer).await;
    let who = s.created(&ilo, "/api/v1/people", json!({"given_name": "Cordelia", "family_name": "Careful"})).await["id"].as_i64().unwrap();
    let me = s.gate.user_id("independent_living_officer").await.unwrap();
    let (st, opened) = s
        .call(
            &ilo,
            Method::POST,
            "/api/v1/cases",
            Some(json!({"kind": "care_support", "summary": "Support plan review", "assigned_to": me, "parties": [{"person_id": who, "role": "subject"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{opened}");
    let case_id = opened["case"]["id"].as_i64().unwrap();
    let plan_doc = upload(&s, &ilo, who, &[("case_id", case_id.to_string()), ("filed_as", "care_plan".into())], b"care plan").await;
    assert_eq!(plan_doc["filed_as"], "care_plan");
    let letter = upload(&s, &ilo, who, &[("case_id", case_id.to_string())], b"letter").await;
    assert_eq!(letter["filed_as"], "case_document");
    // A care plan belongs to the care team's compartment.
    let officer = s.token(StaffRole::HousingOfficer).await;
    let form = Form::new()
        .text("filed_as", "care_plan")
        .part("file", Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("x.pdf").mime_str("application/pdf").unwrap());
    let r = s.client.post(s.url(&format!("/api/v1/people/{who}/documents"))).bearer_auth(&officer).multipart(form).send().await.unwrap();
    let (st, v) = hearth_testkit::split(r).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(hearth_testkit::problem_fields(&v), ["filed_as"]);

    let (st, closed) = s
        .call(
            &ilo,
            Method::POST,
            &format!("/api/v1/cases/{case_id}/changes"),
            Some(json!({"change": "close", "version": opened["case"]["version"], "outcome": "resolved"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{closed}");
    let closed_on: Date = closed["case"]["retention_from"].as_str().unwrap().parse().unwrap();
    let due = years(closed_on, 3);
    assert_eq!(rule(&run(&s, due.yesterday().unwrap()).await, RecordClass::CaseDocument).disposed, 0, "kept the day before");
    assert_eq!(document_count(&s).await, 2);
    let done = run(&s, due).await;
    assert_eq!(rule(&done, RecordClass::CaseDocument).disposed, 1, "the letter goes on the day");
    assert_eq!(rule(&done, RecordClass::CarePlan).status, SweepStatus::Kept);
    assert!(!exists(&s, Table::Document, &letter["id"]).await);
    assert!(exists(&s, Table::Document, &plan_doc["id"]).await, "the care plan is kept");
    // The person's page shows it as a care plan, and the upload form offers the filing.
    let browser = hearth_testkit::browser();
    hearth_testkit::sign_in(&s, &browser, "independent_living_officer").await;
    let form = browser.get(s.url(&format!("/people/{who}/documents/new"))).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("name=\"filed_as\"") && form.contains("value=\"care_plan\""), "the form offers the filing");
    // Decades on, past the case's skeleton and the person's last contact, the care plan is still there.
    run(&s, years(closed_on, 40)).await;
    assert!(exists(&s, Table::Document, &plan_doc["id"]).await, "kept for ever");
}

both_backends!(backend: disposal_erases_what_it_deleted);

/// A run leaves nothing it deleted readable: not in SQLite's file or
/// write-ahead log (secure_delete, then a truncating checkpoint), not in a
/// dump of PostgreSQL (whose touched tables the run vacuums), and not in
/// the documents folder.
async fn disposal_erases_what_it_deleted(backend: hearth_testkit::Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("documents");
    let storage = hearth_store::documents::DocumentStorage::folder(dir.clone()).unwrap();
    let s =
        hearth_testkit::start_configured(backend, move |g| g.with_documents(storage, hearth_domain::documents::DEFAULT_MAX_DOCUMENT_BYTES))
            .await;
    let t = s.token(StaffRole::HousingOfficer).await;
    let Tenant { person: former, tenancy, .. } = tenant(&s, &t, since_2015("Ermintrude", 990_000_124_009)).await;
    let canaries: Vec<String> = ["Wyvernquill", "Snarkleberry", "Gromphadine"].iter().map(|c| c.to_string()).collect();
    s.created(
        &t,
        &format!("/api/v1/people/{former}/needs"),
        json!({"category": "sight", "detail": format!("{} reads large print", canaries[0]), "source": "staff_contact",
               "disclosure_channel": "phone", "duration": "long_term", "consent_to_tailor": true}),
    )
    .await;
    s.created(
        &t,
        &format!("/api/v1/people/{former}/contact-points"),
        json!({"kind": "email", "value": format!("{}@example.invalid", canaries[1])}),
    )
    .await;
    upload(&s, &t, former, &[("title", "Scan".into())], canaries[2].as_bytes()).await;
    assert_eq!(folder_holds(&dir, &canaries), [canaries[2].clone()], "the scan is in the folder");
    end_tenancy(&s, &t, &tenancy, "2020-06-30").await;

    let done = run(&s, years("2020-06-30".parse().unwrap(), 6)).await;
    assert!(done.erased, "the run's end erased what it deleted");
    for table in ["need", "contact_point", "document", "person", "audit_event"] {
        assert!(done.tables_touched.contains(&table), "{table}: {:?}", done.tables_touched);
    }
    assert_eq!(database_holds(&s, &canaries), Vec::<String>::new(), "{:?}", s.backend);
    assert_eq!(folder_holds(&dir, &canaries), Vec::<String>::new());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "the file itself is gone");
    match s.backend {
        hearth_testkit::Backend::Sqlite => assert_eq!(wal_size(&s), Some(0), "the log was checkpointed and truncated"),
        hearth_testkit::Backend::Postgres => {
            // The run vacuumed what it touched (statistics reach other sessions within a second or so).
            let mut vacuumed = false;
            for _ in 0..50 {
                let out = std::process::Command::new("psql")
                    .args([&s.database_url, "-Atc", "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'need'"])
                    .output()
                    .unwrap();
                if String::from_utf8_lossy(&out.stdout).trim() == "t" {
                    vacuumed = true;
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            assert!(vacuumed, "the need table was vacuumed after the run");
        }
    }
}

/// A record still pointed at waits, and its certificate (and the retention
/// page) says so, with the hold that kept another back.
async fn certificates_say_what_was_not_disposed_of_and_why(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let Tenant { person: former, tenancy, .. } = tenant(&s, &t, since_2015("Wilhelmina", 990_000_124_011)).await;
    let Tenant { person: held, tenancy: held_tenancy, .. } = tenant(&s, &t, since_2015("Horatio", 990_000_124_012)).await;
    let rep = s
        .created(
            &t,
            &format!("/api/v1/people/{former}/representatives"),
            json!({"name": "Rowena Repname", "phone": "01632 960 333", "relationship": "relative", "scope": "everything",
               "evidence": "signed_authority_form", "evidence_reference": "AUTH-W1"}),
        )
        .await;
    // A caller check relied on the representative today: it keeps them for its own 2 years.
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let (st, c) = s
        .call(
            &advisor,
            Method::POST,
            &format!("/api/v1/people/{former}/caller-checks"),
            Some(json!({"representative_id": rep["id"], "area": "account"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    s.created(&t, &format!("/api/v1/people/{held}/contact-points"), json!({"kind": "email", "value": "horatio@example.invalid"})).await;
    end_tenancy(&s, &t, &tenancy, "2019-06-30").await;
    end_tenancy(&s, &t, &held_tenancy, "2019-06-30").await;
    let dpo_token = s.token(StaffRole::Dpo).await;
    let (st, hold) = s
        .call(
            &dpo_token,
            Method::POST,
            "/api/v1/retention/holds",
            Some(json!({"scope": "person", "person_id": held, "reason": "Disrepair claim pending"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{hold}");

    let done = run(&s, years("2019-06-30".parse().unwrap(), 6)).await;
    let out = rule(&done, RecordClass::Representative);
    assert_eq!((out.disposed, out.held, out.waiting), (0, 0, 1), "the representative waits for the caller check");
    let c = out.certificate.as_ref().expect("a certificate for a rule that only waited");
    assert_eq!(c.waiting, 1);
    assert!(c.not_disposed.contains("1 waiting for another record"), "{}", c.not_disposed);
    let identity = rule(&done, RecordClass::PersonIdentity);
    assert_eq!((identity.held, identity.waiting), (1, 1), "one identity held, one waiting for the representative");
    let ic = identity.certificate.as_ref().unwrap();
    assert!(ic.not_disposed.contains(&format!("1 held by legal hold #{}", hold["id"])), "{}", ic.not_disposed);
    assert!(!ic.not_disposed.contains("Wilhelmina") && !ic.not_disposed.contains("Horatio"));

    // The retention page shows it.
    let browser = hearth_testkit::browser();
    hearth_testkit::sign_in(&s, &browser, "dpo").await;
    let page = browser.get(s.url("/retention")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("What the runs could not dispose of"), "the section is there");
    assert!(page.contains("1 waiting for another record"));
    assert!(page.contains(&format!("held by legal hold #{}", hold["id"])));
    assert!(page.contains("No rule applied by this version"), "classes without a disposal are listed too");
}
