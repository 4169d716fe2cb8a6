//! Documents over HTTP on SQLite and PostgreSQL: the type is read from the
//! bytes, so a wrong or unknown type is refused naming `file`; an oversize
//! file is refused naming `file` (just over the limit, and far over it);
//! a download is an attachment with the sniffed type and leaves an audit
//! event; an ASB document is never listed or downloadable for a
//! contact-centre advisor; a folder store names files by random ids.

use hearth_domain::staff::StaffRole;
use hearth_store::documents::DocumentStorage;
use hearth_store::Table;
use hearth_testkit::{start_configured, Backend, TestServer};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    a_wrong_or_unknown_type_is_refused_naming_the_file,
    an_oversize_file_is_refused_naming_the_file,
    a_download_is_an_attachment_and_leaves_an_audit_event,
    an_asb_document_never_reaches_an_advisor,
    a_document_attached_to_a_contact_takes_its_compartment,
);

both_backends!(backend: a_small_limit_refuses_far_larger_files_clearly, a_folder_store_names_files_by_random_ids);

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn person(s: &TestServer, t: &str) -> i64 {
    let (st, p) = s.call(t, Method::POST, "/api/v1/people", Some(json!({"given_name": "Dot", "family_name": "Filedale"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

fn file(name: &str, mime: &str, bytes: &[u8]) -> Form {
    Form::new().part("file", Part::bytes(bytes.to_vec()).file_name(name.to_string()).mime_str(mime).unwrap())
}

async fn upload(s: &TestServer, t: &str, person: i64, form: Form) -> (StatusCode, Value) {
    let r = s.client.post(s.url(&format!("/api/v1/people/{person}/documents"))).bearer_auth(t).multipart(form).send().await.unwrap();
    hearth_testkit::split(r).await
}

fn only_field(v: &Value) -> (String, String) {
    let e = &v["errors"].as_array().unwrap_or_else(|| panic!("no errors in {v}"));
    assert_eq!(e.len(), 1, "{v}");
    (e[0]["field"].as_str().unwrap().into(), e[0]["message"].as_str().unwrap().into())
}

async fn a_wrong_or_unknown_type_is_refused_naming_the_file(s: TestServer) {
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &t).await;
    // PNG bytes under a PDF name and type: the bytes win, and the mismatch is refused.
    let (st, v) = upload(&s, &t, who, file("letter.pdf", "application/pdf", PNG)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (field, message) = only_field(&v);
    assert_eq!(field, "file");
    assert!(message.contains("PNG image") && message.contains(".pdf"), "{message}");
    // A page of HTML dressed as a PDF is no accepted type at all.
    let (st, v) = upload(&s, &t, who, file("invoice.pdf", "application/pdf", b"<html><script>alert(1)</script></html>")).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (field, message) = only_field(&v);
    assert_eq!(field, "file");
    assert!(message.contains("PDF, a PNG or JPEG image, or an email"), "{message}");
    // No file at all.
    let (st, v) = upload(&s, &t, who, Form::new().text("title", "Nothing")).await;
    assert_eq!((st, only_field(&v).0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "file"));
    // Not a multipart body.
    let (st, v) = s.call(&t, Method::POST, &format!("/api/v1/people/{who}/documents"), Some(json!({"file": "x"}))).await;
    assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    assert_eq!(s.count(Table::Document).await, 0, "nothing was stored");
    // The same PNG under its own name is accepted, whatever type the client claimed generically.
    let (st, v) = upload(&s, &t, who, file("photo.png", "application/octet-stream", PNG)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!((v["kind"].as_str(), v["media_type"].as_str(), v["title"].as_str()), (Some("png"), Some("image/png"), Some("photo.png")));
}

async fn an_oversize_file_is_refused_naming_the_file(s: TestServer) {
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &t).await;
    let mut big = PDF.to_vec();
    big.resize(hearth_domain::documents::DEFAULT_MAX_DOCUMENT_BYTES + 1, b' ');
    let (st, v) = upload(&s, &t, who, file("scan.pdf", "application/pdf", &big)).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(only_field(&v), ("file".into(), "The file must be 10 MiB or smaller".into()));
    assert_eq!(s.count(Table::Document).await, 0);
    // Exactly at the limit is fine.
    big.truncate(hearth_domain::documents::DEFAULT_MAX_DOCUMENT_BYTES);
    let (st, v) = upload(&s, &t, who, file("scan.pdf", "application/pdf", &big)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["byte_size"].as_i64(), Some(hearth_domain::documents::DEFAULT_MAX_DOCUMENT_BYTES as i64));
}

async fn a_small_limit_refuses_far_larger_files_clearly(backend: Backend) {
    let s = start_configured(backend, |g| g.with_documents(DocumentStorage::Database, 1024)).await;
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &t).await;
    // Thousands of times the limit: the rest is read and dropped, so the answer is a problem naming the file, not a cut connection.
    let mut huge = PDF.to_vec();
    huge.resize(3 * 1024 * 1024, b' ');
    let (st, v) = upload(&s, &t, who, file("huge.pdf", "application/pdf", &huge)).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(only_field(&v), ("file".into(), "The file must be 1 KiB or smaller".into()));
    let (st, v) = upload(&s, &t, who, file("small.pdf", "application/pdf", PDF)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
}

async fn a_download_is_an_attachment_and_leaves_an_audit_event(s: TestServer) {
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &t).await;
    // An advisor sees the person's documents only after checking the caller.
    hearth_testkit::check_caller(&s, &t, who).await;
    let (st, doc) = upload(&s, &t, who, file("tenancy letter.pdf", "application/pdf", PDF).text("title", "Signed tenancy letter")).await;
    assert_eq!(st, StatusCode::CREATED, "{doc}");
    let id = doc["id"].as_i64().unwrap();
    assert_eq!((doc["compartment"].as_str(), doc["title"].as_str()), (Some("contact_log"), Some("Signed tenancy letter")));

    let before = s.count(Table::AuditEvent).await;
    let r = s.client.get(s.url(&format!("/api/v1/documents/{id}/content"))).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["content-disposition"], format!("attachment; filename=\"document-{id}.pdf\""));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(s.count(Table::AuditEvent).await, before + 1, "one event for the download");

    let mut tx = s.store.begin().await.unwrap();
    let events = hearth_store::audit::events_for_person(&mut tx, who, 10).await.unwrap();
    drop(tx);
    let e = &events[0].event;
    assert_eq!((e.actor_username.as_str(), e.action.as_str(), e.record_type.as_str()), ("contact_centre_advisor", "view", "document"));
    assert_eq!((e.record_id, e.decision.as_str()), (Some(id), "allow"));
    let detail: Value = serde_json::from_str(e.detail.as_deref().unwrap()).unwrap();
    assert_eq!((detail["download"].as_bool(), detail["sha256"].as_str()), (Some(true), doc["sha256"].as_str()));

    let (st, list) = s.call(&t, Method::GET, &format!("/api/v1/people/{who}/documents"), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list["items"][0]["id"].as_i64(), Some(id));
    let (st, _) = s.call(&t, Method::GET, "/api/v1/documents/999999/content", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "an unknown id is refused like a hidden one");
}

async fn an_asb_document_never_reaches_an_advisor(s: TestServer) {
    let asb = s.token(StaffRole::AsbOfficer).await;
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &advisor).await;
    // An advisor sees the person's documents only after checking the caller.
    hearth_testkit::check_caller(&s, &advisor, who).await;
    let (st, general) = upload(&s, &advisor, who, file("rent.pdf", "application/pdf", PDF)).await;
    assert_eq!(st, StatusCode::CREATED, "{general}");
    let (st, doc) = upload(&s, &asb, who, file("noise diary.png", "image/png", PNG).text("compartment", "asb")).await;
    assert_eq!(st, StatusCode::CREATED, "{doc}");
    assert_eq!(doc["compartment"], "asb");
    let id = doc["id"].as_i64().unwrap();

    let (_, list) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{who}/documents"), None).await;
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [general["id"].as_i64().unwrap()], "the ASB document is neither listed nor counted");
    let (st, _) = s.call(&advisor, Method::GET, &format!("/api/v1/documents/{id}/content"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.call(&advisor, Method::GET, &format!("/api/v1/documents/{id}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // The DPO oversees everything.
    let dpo = s.token(StaffRole::Dpo).await;
    let (_, list) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{who}/documents"), None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let (st, _) = s.call(&dpo, Method::GET, &format!("/api/v1/documents/{id}/content"), None).await;
    assert_eq!(st, StatusCode::OK);
}

async fn a_document_attached_to_a_contact_takes_its_compartment(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &advisor).await;
    let other = person(&s, &advisor).await;
    let (st, v) = s
        .call(
            &advisor,
            Method::POST,
            "/api/v1/contacts",
            Some(json!({"channel": "email_in", "person_ids": [who], "summary": "Sent a letter"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let entry = v["entries"][0]["id"].as_i64().unwrap();
    let (st, doc) = upload(&s, &advisor, who, file("mail.pdf", "application/pdf", PDF).text("contact_entry_id", entry.to_string())).await;
    assert_eq!(st, StatusCode::CREATED, "{doc}");
    assert_eq!((doc["contact_entry_id"].as_i64(), doc["compartment"].as_str()), (Some(entry), Some("contact_log")));
    let (st, v) = upload(
        &s,
        &advisor,
        who,
        file("mail.pdf", "application/pdf", PDF).text("contact_entry_id", entry.to_string()).text("compartment", "asb"),
    )
    .await;
    assert_eq!((st, only_field(&v).0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "compartment"));
    let (st, v) = upload(&s, &advisor, other, file("mail.pdf", "application/pdf", PDF).text("contact_entry_id", entry.to_string())).await;
    assert_eq!((st, only_field(&v).0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "contact_entry_id"));
    let (st, v) = upload(&s, &advisor, who, file("mail.pdf", "application/pdf", PDF).text("case_id", "999999")).await;
    assert_eq!((st, only_field(&v).0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "case_id"));
}

async fn a_folder_store_names_files_by_random_ids(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("documents");
    let storage = DocumentStorage::folder(dir.clone()).unwrap();
    let s = start_configured(backend, move |g| g.with_documents(storage, hearth_domain::documents::DEFAULT_MAX_DOCUMENT_BYTES)).await;
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &t).await;
    // An advisor sees the person's documents only after checking the caller.
    hearth_testkit::check_caller(&s, &t, who).await;
    let (st, doc) = upload(&s, &t, who, file("../../etc/passwd.pdf", "application/pdf", PDF)).await;
    assert_eq!(st, StatusCode::CREATED, "{doc}");
    assert_eq!(doc["title"], "passwd.pdf", "only the last segment of a client's path is kept, and only as a title");
    let names: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(names.iter().any(|n| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit())), "{names:?}");
    assert!(names.iter().all(|n| !n.contains("passwd")));
    let r = s.client.get(s.url(&format!("/api/v1/documents/{}/content", doc["id"]))).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
}
