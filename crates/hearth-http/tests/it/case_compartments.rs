//! Issue #22 (5), on SQLite and PostgreSQL: a contact entry or document
//! filed on a case takes the case's compartment, which the gate derives
//! from the case. A compartment the caller gives that differs is refused
//! naming `compartment` (API and form); one left out is filled from the
//! case. So a second advisor is refused a safeguarding call's text and its
//! letter just as they are refused the case, and complaint correspondence
//! is filed in the complaints compartment, seen by the complaint's officer.

use hearth_domain::staff::StaffRole;
use hearth_store::Table;
use hearth_testkit::{browser, get, problem_fields, sign_in, TestServer, PASSWORD};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    a_contact_and_document_filed_on_a_safeguarding_case_take_the_case_compartment,
    complaint_correspondence_is_filed_in_the_complaints_compartment,
    the_contact_form_on_a_case_derives_the_compartment_and_names_a_mismatch,
);

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
/// Words that must never reach a refused reader.
const SECRET: &str = "Worried the child is left alone overnight";

async fn person(s: &TestServer, t: &str, given: &str) -> i64 {
    let (st, p) = s.call(t, Method::POST, "/api/v1/people", Some(json!({"given_name": given, "family_name": "Casefiled"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn open_case(s: &TestServer, t: &str, body: Value) -> i64 {
    let (st, c) = s.call(t, Method::POST, "/api/v1/cases", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    c["case"]["id"].as_i64().unwrap()
}

fn pdf() -> Form {
    Form::new().part("file", Part::bytes(PDF.to_vec()).file_name("letter.pdf").mime_str("application/pdf").unwrap())
}

async fn upload(s: &TestServer, t: &str, person: i64, form: Form) -> (StatusCode, Value) {
    let r = s.client.post(s.url(&format!("/api/v1/people/{person}/documents"))).bearer_auth(t).multipart(form).send().await.unwrap();
    hearth_testkit::split(r).await
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

async fn a_contact_and_document_filed_on_a_safeguarding_case_take_the_case_compartment(s: TestServer) {
    s.gate.add_user("second.advisor", "Second Advisor", StaffRole::ContactCentreAdvisor, &[], PASSWORD).await.unwrap();
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let second = s.token_for("second.advisor").await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let assigned = s.gate.user_id("housing_officer").await.unwrap();
    let who = person(&s, &advisor, "Wren").await;
    let case = open_case(
        &s,
        &advisor,
        json!({"kind": "safeguarding", "summary": "Neighbour worried about welfare", "assigned_to": assigned,
               "parties": [{"person_id": who, "role": "subject"}]}),
    )
    .await;

    // A compartment the caller chose that is not the case's is refused naming the field; nothing is stored.
    let entries = s.count(Table::ContactEntry).await;
    for given in ["contact_log", "general", "asb"] {
        let body = json!({"channel": "call_in", "person_ids": [who], "case_id": case, "compartment": given, "summary": SECRET});
        let (st, p) = s.call(&advisor, Method::POST, "/api/v1/contacts", Some(body)).await;
        assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["compartment".to_string()]), "{given}: {p}");
        assert!(!p.to_string().contains("safeguarding"), "the case's compartment is not named: {p}");
    }
    let split = json!({"channel": "call_in", "person_ids": [who], "parts": [
        {"summary": "Asked about the rent"},
        {"summary": SECRET, "case_id": case, "compartment": "contact_log"},
    ]});
    let (st, p) = s.call(&advisor, Method::POST, "/api/v1/contacts", Some(split)).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["parts[1].compartment".to_string()]), "{p}");
    assert_eq!(s.count(Table::ContactEntry).await, entries, "nothing stored");

    // Left out, it is filled from the case; the case's own compartment is accepted.
    let body = json!({"channel": "call_in", "person_ids": [who], "case_id": case, "summary": SECRET});
    let (st, v) = s.call(&advisor, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["entries"][0]["compartment"], "safeguarding", "{v}");
    let entry = v["entries"][0]["id"].as_i64().unwrap();
    let body =
        json!({"channel": "call_out", "person_ids": [who], "case_id": case, "compartment": "safeguarding", "summary": "Called back"});
    let (st, v) = s.call(&advisor, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!((st, &v["entries"][0]["compartment"]), (StatusCode::CREATED, &json!("safeguarding")), "{v}");

    // The same for a document.
    let documents = s.count(Table::Document).await;
    let (st, p) = upload(&s, &advisor, who, pdf().text("case_id", case.to_string()).text("compartment", "contact_log")).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["compartment".to_string()]), "{p}");
    assert_eq!(s.count(Table::Document).await, documents, "nothing stored");
    let (st, doc) = upload(&s, &advisor, who, pdf().text("case_id", case.to_string())).await;
    assert_eq!((st, &doc["compartment"]), (StatusCode::CREATED, &json!("safeguarding")), "{doc}");
    let doc = doc["id"].as_i64().unwrap();
    // Attached to the entry as well as the case: still the case's.
    let (st, on_entry) =
        upload(&s, &advisor, who, pdf().text("case_id", case.to_string()).text("contact_entry_id", entry.to_string())).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "the advisor cannot see the entry to attach to it: {on_entry}");

    // A second advisor, with the caller checked, is refused the case, the entry's text and the download.
    hearth_testkit::check_caller(&s, &second, who).await;
    let (st, _) = s.call(&second, Method::GET, &format!("/api/v1/cases/{case}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    for path in [format!("/api/v1/contacts/{entry}"), format!("/api/v1/documents/{doc}"), format!("/api/v1/documents/{doc}/content")] {
        let r = s.client.get(s.url(&path)).bearer_auth(&second).send().await.unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert!(!body.contains(SECRET) && !body.contains("%PDF"), "{path}: {body}");
    }
    let (st, page) = s.call(&second, Method::GET, &format!("/api/v1/people/{who}/timeline"), None).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(!ids(&page).contains(&entry) && !page.to_string().contains(SECRET), "not listed: {page}");
    let (st, page) = s.call(&second, Method::GET, &format!("/api/v1/people/{who}/documents"), None).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(!ids(&page).contains(&doc), "not listed: {page}");

    // The officer assigned to the case reads both.
    let (st, e) = s.call(&officer, Method::GET, &format!("/api/v1/contacts/{entry}"), None).await;
    assert_eq!((st, e["summary"].as_str()), (StatusCode::OK, Some(SECRET)), "{e}");
    let r = s.client.get(s.url(&format!("/api/v1/documents/{doc}/content"))).bearer_auth(&officer).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // And can attach a document to the entry on the case, in the case's compartment.
    let (st, d) = upload(&s, &officer, who, pdf().text("case_id", case.to_string()).text("contact_entry_id", entry.to_string())).await;
    assert_eq!((st, &d["compartment"]), (StatusCode::CREATED, &json!("safeguarding")), "{d}");
}

async fn complaint_correspondence_is_filed_in_the_complaints_compartment(s: TestServer) {
    s.gate.add_user("complaints.manager", "Complaints Manager", StaffRole::Manager, &["complaints".into()], PASSWORD).await.unwrap();
    let officer = s.token(StaffRole::HousingOfficer).await;
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let manager = s.token_for("complaints.manager").await;
    let dpo = s.token(StaffRole::Dpo).await;
    let me = s.gate.user_id("housing_officer").await.unwrap();
    let who = person(&s, &officer, "Ceri").await;
    let case = open_case(
        &s,
        &officer,
        json!({"kind": "complaint", "summary": "Repair not done", "assigned_to": me,
               "parties": [{"person_id": who, "role": "complainant"}]}),
    )
    .await;

    // Named or left out, the complaint's correspondence is in complaints.
    let mut entries = vec![];
    for compartment in [Some("complaints"), None] {
        let mut body = json!({"channel": "letter_in", "person_ids": [who], "case_id": case, "summary": "Stage 1 complaint letter",
            "verbatim": "I have waited six weeks", "verbatim_reason": "complaint"});
        if let Some(c) = compartment {
            body["compartment"] = json!(c);
        }
        let (st, v) = s.call(&advisor, Method::POST, "/api/v1/contacts", Some(body)).await;
        assert_eq!((st, &v["entries"][0]["compartment"]), (StatusCode::CREATED, &json!("complaints")), "{v}");
        entries.push(v["entries"][0]["id"].as_i64().unwrap());
    }
    let (st, doc) = upload(&s, &officer, who, pdf().text("case_id", case.to_string()).text("compartment", "complaints")).await;
    assert_eq!((st, &doc["compartment"]), (StatusCode::CREATED, &json!("complaints")), "{doc}");
    let doc = doc["id"].as_i64().unwrap();
    let (st, p) = upload(&s, &officer, who, pdf().text("case_id", case.to_string()).text("compartment", "general")).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["compartment".to_string()]), "{p}");

    // The complaint's officer, the responsible manager and the DPO read it; the advisor does not.
    for (t, who_reads) in [(&officer, "assigned officer"), (&manager, "responsible manager"), (&dpo, "DPO")] {
        let (st, e) = s.call(t, Method::GET, &format!("/api/v1/contacts/{}", entries[0]), None).await;
        assert_eq!((st, &e["compartment"]), (StatusCode::OK, &json!("complaints")), "{who_reads}: {e}");
        let r = s.client.get(s.url(&format!("/api/v1/documents/{doc}/content"))).bearer_auth(t).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{who_reads}");
    }
    hearth_testkit::check_caller(&s, &advisor, who).await;
    let (st, _) = s.call(&advisor, Method::GET, &format!("/api/v1/contacts/{}", entries[0]), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, page) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{who}/timeline"), None).await;
    assert!(st == StatusCode::OK && ids(&page).is_empty(), "{page}");

    // The timeline filters on it, and the officer's lists them.
    let (st, page) = s.call(&officer, Method::GET, &format!("/api/v1/people/{who}/timeline?compartment=complaints"), None).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    let mut listed = ids(&page);
    listed.sort();
    assert_eq!(listed, entries);
    // Complaint correspondence without a case can be filed there too.
    let body = json!({"channel": "email_in", "person_ids": [who], "compartment": "complaints", "summary": "Wants to complain"});
    let (st, v) = s.call(&advisor, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!((st, &v["entries"][0]["compartment"]), (StatusCode::CREATED, &json!("complaints")), "{v}");
}

async fn the_contact_form_on_a_case_derives_the_compartment_and_names_a_mismatch(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let assigned = s.gate.user_id("housing_officer").await.unwrap();
    let who = person(&s, &officer, "Fen").await;
    let case = open_case(
        &s,
        &officer,
        json!({"kind": "safeguarding", "summary": "Concern raised", "assigned_to": assigned, "parties": [{"person_id": who, "role": "subject"}]}),
    )
    .await;
    let c = browser();
    let csrf = sign_in(&s, &c, "contact_centre_advisor").await;
    let (status, form) = get(&s, &c, &format!("/people/{who}/contacts/new?case_id={case}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(&format!("name=\"case_id\" value=\"{case}\"")), "the case rides along:\n{form}");
    assert!(
        form.contains("<option value=\"\" selected>The case&#39;s compartment</option>")
            || form.contains("<option value=\"\" selected>The case's compartment</option>"),
        "{form}"
    );
    assert!(form.contains("<option value=\"complaints\">Complaints</option>"), "complaints offered:\n{form}");

    let entries = s.count(Table::ContactEntry).await;
    let case_id = case.to_string();
    let post = |compartment: &'static str| {
        c.post(s.url(&format!("/people/{who}/contacts")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("channel", "call_in"),
                ("summary", SECRET),
                ("compartment", compartment),
                ("case_id", case_id.as_str()),
            ])
            .send()
    };
    let r = post("general").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"compartment-error\"") && page.contains("href=\"#compartment\""), "the error is on the field:\n{page}");
    assert_eq!(s.count(Table::ContactEntry).await, entries, "nothing stored");

    let r = post("").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (st, e) = s.call(&officer, Method::GET, &format!("/api/v1/people/{who}/timeline"), None).await;
    assert_eq!(st, StatusCode::OK, "{e}");
    assert_eq!((&e["items"][0]["compartment"], &e["items"][0]["case_id"]), (&json!("safeguarding"), &json!(case)), "{e}");
}
