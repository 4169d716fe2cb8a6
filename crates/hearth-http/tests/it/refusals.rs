//! Issue #22 (7), on SQLite and PostgreSQL: a refusal names neither the
//! record's compartment nor its kind, so for a contact-centre advisor an
//! ASB case, a safeguarding case and an id that does not exist are refused
//! with the same status and the same body, on the API and on the pages;
//! likewise their contact entries and documents. The audit trail keeps
//! the compartment, the deciding policies and the reason.

use hearth_domain::staff::StaffRole;
use hearth_testkit::{browser, get, sign_in, TestServer};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(a_hidden_record_and_a_missing_one_are_refused_alike);

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
const MISSING: i64 = 999_999;

/// The words a refusal must not contain: they would say what was hidden.
fn assert_names_nothing(what: &str, body: &str) {
    let lower = body.to_lowercase();
    for word in ["asb", "anti-social", "safeguarding", "compartment"] {
        assert!(!lower.contains(word), "{what} says {word:?}: {body}");
    }
}

/// Status and whole body of a GET.
async fn raw(s: &TestServer, t: &str, path: &str) -> (StatusCode, String) {
    let r = s.client.get(s.url(path)).bearer_auth(t).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn a_hidden_record_and_a_missing_one_are_refused_alike(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let asb_officer = s.gate.user_id("asb_officer").await.unwrap();
    let me = s.gate.user_id("housing_officer").await.unwrap();
    let (st, p) = s.call(&officer, Method::POST, "/api/v1/people", Some(json!({"given_name": "Hal", "family_name": "Hiddenly"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let who = p["id"].as_i64().unwrap();
    let mut cases = vec![];
    let mut entries = vec![];
    let mut documents = vec![];
    for (kind, assigned) in [("asb", asb_officer), ("safeguarding", me)] {
        let body = json!({"kind": kind, "summary": "Reported by a neighbour", "assigned_to": assigned, "parties": [{"person_id": who, "role": "subject"}]});
        let (st, c) = s.call(&officer, Method::POST, "/api/v1/cases", Some(body)).await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
        let case = c["case"]["id"].as_i64().unwrap();
        let body = json!({"channel": "call_in", "person_ids": [who], "case_id": case, "summary": "Called about the report"});
        let (st, v) = s.call(&officer, Method::POST, "/api/v1/contacts", Some(body)).await;
        assert_eq!((st, &v["entries"][0]["compartment"]), (StatusCode::CREATED, &json!(kind)), "{v}");
        let form = Form::new()
            .part("file", Part::bytes(PDF.to_vec()).file_name("report.pdf").mime_str("application/pdf").unwrap())
            .text("case_id", case.to_string());
        let r =
            s.client.post(s.url(&format!("/api/v1/people/{who}/documents"))).bearer_auth(&officer).multipart(form).send().await.unwrap();
        let (st, d) = hearth_testkit::split(r).await;
        assert_eq!((st, &d["compartment"]), (StatusCode::CREATED, &json!(kind)), "{d}");
        cases.push(case);
        entries.push(v["entries"][0]["id"].as_i64().unwrap());
        documents.push(d["id"].as_i64().unwrap());
    }
    cases.push(MISSING);
    entries.push(MISSING);
    documents.push(MISSING);

    // The API: one status and one body for the ASB record, the safeguarding one and the missing id.
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let families: [(&str, &[i64], &str); 4] = [
        ("/api/v1/cases/", &cases, ""),
        ("/api/v1/contacts/", &entries, ""),
        ("/api/v1/documents/", &documents, ""),
        ("/api/v1/documents/", &documents, "/content"),
    ];
    for (prefix, ids, suffix) in families {
        let mut answers = vec![];
        for id in ids {
            answers.push(raw(&s, &advisor, &format!("{prefix}{id}{suffix}")).await);
        }
        let (status, body) = &answers[0];
        assert_eq!(*status, StatusCode::FORBIDDEN, "{prefix}…{suffix}: {body}");
        assert!(answers.iter().all(|a| a == &answers[0]), "{prefix}…{suffix} tells the records apart: {answers:?}");
        let problem: Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["detail"], "You may not view this record", "{problem}");
        assert_names_nothing(prefix, body);
    }

    // The pages: the same.
    let c = browser();
    sign_in(&s, &c, "contact_centre_advisor").await;
    for (prefix, ids, suffix) in [("/cases/", &cases, ""), ("/documents/", &documents, "/download")] {
        let mut pages = vec![];
        for id in ids.iter() {
            pages.push(get(&s, &c, &format!("{prefix}{id}{suffix}")).await);
        }
        let (status, page) = &pages[0];
        assert_eq!(*status, StatusCode::FORBIDDEN, "{prefix}…{suffix}: {page}");
        assert!(pages.iter().all(|p| p == &pages[0]), "{prefix}…{suffix} pages tell the records apart");
        assert!(page.contains("You may not view this record"), "{page}");
        assert_names_nothing(prefix, page);
    }

    // The audit trail keeps what the refusal leaves out.
    let events = {
        let mut tx = s.store.begin().await.unwrap();
        hearth_store::audit::events_after(&mut tx, 0, 100_000).await.unwrap()
    };
    let refusal = |record_type: &str, id: i64| {
        events
            .iter()
            .find(|e| {
                e.event.actor_username == "contact_centre_advisor"
                    && e.event.decision == "deny"
                    && e.event.record_type == record_type
                    && e.event.record_id == Some(id)
            })
            .unwrap_or_else(|| panic!("no refusal of {record_type} {id} audited"))
            .event
            .clone()
    };
    for (i, kind) in ["asb", "safeguarding"].iter().enumerate() {
        for (record_type, id) in [("case", cases[i]), ("contact_entry", entries[i]), ("document", documents[i])] {
            let e = refusal(record_type, id);
            assert_eq!((e.compartment.as_str(), e.policy_ids.as_str()), (*kind, "default-deny"), "{e:?}");
            assert!(e.reason.as_deref().is_some_and(|r| r.contains("records")), "the reason is kept: {e:?}");
        }
    }
    assert_eq!(refusal("case", MISSING).compartment, "safeguarding", "an unknown id is decided as the most restricted");
}
