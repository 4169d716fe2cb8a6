//! The seeded world of the canary sweep: one record of every kind, every
//! field holding a canary of its own (a value found nowhere else), and the
//! ids to put in paths. Shared by the sweep (sweep.rs), which looks for each
//! canary wherever a role may look, and the retention time machine
//! (retention_time_machine.rs), which runs retention decades ahead over it.

use hearth_domain::{access::Compartment, classes::DataClass, staff::StaffRole};
use hearth_testkit::{TestServer, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One seeded value and what it is.
#[derive(Debug, Clone)]
pub(crate) struct Canary {
    /// Every way the value is written out (a date as ISO and as a UK page shows it).
    pub(crate) forms: Vec<String>,
    pub(crate) compartment: Compartment,
    pub(crate) class: DataClass,
    pub(crate) record_type: &'static str,
    pub(crate) record_id: i64,
    pub(crate) person_id: Option<i64>,
    /// Identifies the anonymous reporter.
    pub(crate) reporter: bool,
}

#[derive(Default)]
pub(crate) struct World {
    pub(crate) canaries: Vec<Canary>,
    /// Ids to put in a path, by the path's first segment.
    pub(crate) ids: BTreeMap<&'static str, Vec<i64>>,
    /// (case, person) pairs for letters.
    pub(crate) letters: Vec<(i64, i64)>,
    pub(crate) asb_case: i64,
    pub(crate) perpetrator: i64,
    pub(crate) reporter: i64,
    /// A sharing agreement for extracts.
    pub(crate) agreement: i64,
    /// The tenant, whose data an extract carries.
    pub(crate) tenant: i64,
}

impl World {
    pub(crate) fn add(
        &mut self,
        form: impl Into<String>,
        compartment: Compartment,
        class: DataClass,
        record: (&'static str, i64, Option<i64>),
    ) {
        let form = form.into();
        assert!(!self.canaries.iter().any(|c| c.forms.contains(&form)), "canary {form} used twice");
        self.canaries.push(Canary {
            forms: vec![form],
            compartment,
            class,
            record_type: record.0,
            record_id: record.1,
            person_id: record.2,
            reporter: false,
        });
    }

    fn id(&mut self, kind: &'static str, id: i64) {
        self.ids.entry(kind).or_default().push(id);
    }
}

/// A person whose every identity and contact field is a canary. `tag`
/// keeps the canaries of different people apart.
async fn person(s: &TestServer, t: &str, w: &mut World, tag: &str, n: u32) -> i64 {
    let dob = format!("19{:02}-0{}-1{}", 50 + n, 1 + n % 9, n % 10);
    let ni = format!("JT{:06}A", 480_000 + n);
    let p = s
        .post_ok(
            t,
            "/api/v1/people",
            json!({"given_name": format!("Givq{tag}"), "family_name": format!("Famq{tag}"), "preferred_name": format!("Prefq{tag}"),
               "date_of_birth": dob, "ni_number": ni}),
        )
        .await;
    let id = p["id"].as_i64().unwrap();
    let me = ("person", id, Some(id));
    w.add(format!("Givq{tag}"), Compartment::Identity, DataClass::Name, me);
    w.add(format!("Famq{tag}"), Compartment::Identity, DataClass::Name, me);
    w.add(format!("Prefq{tag}"), Compartment::Identity, DataClass::Name, me);
    w.add(p["ni_number"].as_str().unwrap(), Compartment::Identity, DataClass::Identifiers, me);
    w.add(dob.clone(), Compartment::Identity, DataClass::Identifiers, me);
    let d: jiff::civil::Date = dob.parse().unwrap();
    w.canaries.last_mut().unwrap().forms.extend([d.strftime("%-d %B %Y").to_string(), d.strftime("%d/%m/%Y").to_string()]);
    let path = format!("/api/v1/people/{id}/contact-points");
    let phone = format!("07700 900{:03}", 100 + n);
    let c = s.post_ok(t, &path, json!({"kind": "phone", "value": phone, "preferred": true})).await;
    w.add(c["value"].as_str().unwrap(), Compartment::Contact, DataClass::Phone, ("contact_point", c["id"].as_i64().unwrap(), Some(id)));
    w.id("contact-points", c["id"].as_i64().unwrap());
    let c = s.post_ok(t, &path, json!({"kind": "email", "value": format!("mailq{tag}@example.org")})).await;
    w.add(c["value"].as_str().unwrap(), Compartment::Contact, DataClass::Email, ("contact_point", c["id"].as_i64().unwrap(), Some(id)));
    w.id("contact-points", c["id"].as_i64().unwrap());
    let c = s
        .post_ok(
            t,
            &path,
            json!({"kind": "address", "line1": format!("{n} Streetq{tag} Row"), "town": "Testbury", "postcode": format!("ZZ99 {n}QT")}),
        )
        .await;
    let cp = ("contact_point", c["id"].as_i64().unwrap(), Some(id));
    w.add(format!("Streetq{tag}"), Compartment::Contact, DataClass::PostalAddress, cp);
    w.add(c["postcode"].as_str().unwrap(), Compartment::Contact, DataClass::PostalAddress, cp);
    w.id("contact-points", c["id"].as_i64().unwrap());
    let e = s
        .post_ok(
            t,
            &format!("/api/v1/people/{id}/identity-evidence"),
            json!({"evidence_type": "passport", "reference": format!("Refq{tag}"), "seen_on": "2026-01-15"}),
        )
        .await;
    w.add(format!("Refq{tag}"), Compartment::Identity, DataClass::Identifiers, ("identity_evidence", e["id"].as_i64().unwrap(), Some(id)));
    w.id("people", id);
    id
}

/// Seeds the world (also the retention time machine's: one of every kind of record).
pub(crate) async fn seed(s: &TestServer) -> World {
    let mut w = World::default();
    let officer = s.token(StaffRole::HousingOfficer).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let officer_id = s.gate.user_id("housing_officer").await.unwrap();
    let asb_officer_id = s.gate.user_id("asb_officer").await.unwrap();
    let contractor_id = s.gate.user_id("contractor").await.unwrap();
    for (name, role) in [("contractor_nojob", StaffRole::Contractor), ("supplier_nogrant", StaffRole::SupplierSupport)] {
        s.gate.add_user(name, &format!("Test {name}"), role, &[], PASSWORD).await.unwrap();
    }

    // A tenant with a home, and everything a record can hold.
    let tenant = person(s, &officer, &mut w, "ten", 1).await;
    let prop = s
        .post_ok(
            &officer,
            "/api/v1/properties",
            json!({"uprn": 990_000_000_901_i64, "line1": "1 Sweep Row", "town": "Testbury", "postcode": "ZZ99 1SW"}),
        )
        .await;
    let prop_id = prop["id"].as_i64().unwrap();
    w.id("properties", prop_id);
    let hh = s.post_ok(&officer, "/api/v1/households", json!({"property_id": prop_id})).await;
    let hid = hh["id"].as_i64().unwrap();
    w.id("households", hid);
    s.post_ok(
        &officer,
        &format!("/api/v1/households/{hid}/members"),
        json!({"person_id": tenant, "role": "tenant", "start_date": "2020-04-01"}),
    )
    .await;
    let ten = s
        .post_ok(
            &officer,
            "/api/v1/tenancies",
            json!({"reference": "TEN-SWEEP-1", "household_id": hid, "tenure": "assured", "start_date": "2020-04-01"}),
        )
        .await;
    w.id("tenancies", ten["id"].as_i64().unwrap());
    s.gate.set_patch_officer(prop_id, "housing_officer").await.unwrap();

    let need = s
        .post_ok(
            &officer,
            &format!("/api/v1/people/{tenant}/needs"),
            json!({"category": "hearing", "detail": "Detq hearing loss", "source": "staff_contact", "disclosure_channel": "phone",
               "duration": "long_term", "consent_to_tailor": true, "preferred_words": "Wordq"}),
        )
        .await;
    let nr = ("need", need["id"].as_i64().unwrap(), Some(tenant));
    w.add("Detq", Compartment::Needs, DataClass::SpecialCategory, nr);
    w.add("Wordq", Compartment::Needs, DataClass::SpecialCategory, nr);
    let adj = s
        .post_ok(
            &officer,
            &format!("/api/v1/people/{tenant}/adjustments"),
            json!({"need_id": need["id"], "kind": "operative_gender", "operative_gender": "female", "note": "Adjq note"}),
        )
        .await;
    w.add("Adjq", Compartment::Adjustments, DataClass::FreeText, ("adjustment", adj["id"].as_i64().unwrap(), Some(tenant)));
    let flag = s
        .post_ok(
            &officer,
            &format!("/api/v1/people/{tenant}/warning-flags"),
            json!({"category": "dangerous_animal", "severity": "high", "risk_assessment": "Riskq dog in hall", "person_told": true,
               "person_told_on": "2026-01-05"}),
        )
        .await;
    w.add("Riskq", Compartment::WarningFlags, DataClass::FreeText, ("warning_flag", flag["id"].as_i64().unwrap(), Some(tenant)));

    // Mental capacity: an assessment that the tenant lacks capacity for one
    // decision, a best-interests share resting on it, and a request that
    // something not be held.
    let cap = ("capacity", tenant, Some(tenant));
    let assessed = s.post_ok(&officer,
        &format!("/api/v1/people/{tenant}/capacity-assessments"),
        json!({"decision": "Capdecq whether to move", "reason": "Capreasq confused about keys", "assessor_name": "Nurse Ima Ginary",
               "assessor_role": "Community psychiatric nurse", "assessed_on": "2026-03-05", "outcome": "lacks_capacity", "notes": "Capnoteq"}),
    )
    .await;
    for word in ["Capdecq", "Capreasq", "Capnoteq"] {
        w.add(word, Compartment::Needs, DataClass::SpecialCategory, cap);
    }
    s.post_ok(
        &officer,
        &format!("/api/v1/people/{tenant}/best-interests-shares"),
        json!({"assessment_id": assessed["id"], "recipient": "carer", "recipient_name": "Wendy Madeup", "what": "Shwhatq the viewing date",
               "why": "Shwhyq she attends appointments"}),
    )
    .await;
    w.add("Shwhatq", Compartment::Needs, DataClass::SpecialCategory, cap);
    w.add("Shwhyq", Compartment::Needs, DataClass::SpecialCategory, cap);
    s.post_ok(
        &officer,
        &format!("/api/v1/people/{tenant}/not-held-requests"),
        json!({"what": "Nhq what she said", "need_ids": [need["id"]], "requested_on": "2026-04-01"}),
    )
    .await;
    w.add("Nhq", Compartment::Needs, DataClass::SpecialCategory, cap);

    // Consent, preferences, an objection and a representative.
    let consent = ("consent", tenant, Some(tenant));
    s.post_ok(&officer,
        &format!("/api/v1/people/{tenant}/consent"),
        json!({"purpose": "marketing", "decision": "given", "method": "written_form", "evidence": "Consevq form on file", "notice_version": "PN-2026-1"}),
    )
    .await;
    w.add("Consevq", Compartment::Contact, DataClass::FreeText, consent);
    let (st, v) = s
        .call(
            &officer,
            Method::PUT,
            &format!("/api/v1/people/{tenant}/contact-preferences"),
            Some(json!({"preferred_channel": "email", "declined_channels": [], "note": "Prefnoteq mornings"})),
        )
        .await;
    assert!(st.is_success(), "{v}");
    w.add("Prefnoteq", Compartment::Contact, DataClass::FreeText, consent);
    s.post_ok(&officer, &format!("/api/v1/people/{tenant}/objections"), json!({"kind": "profiling", "detail": "Objq no profiling"})).await;
    w.add("Objq", Compartment::Contact, DataClass::FreeText, consent);
    s.post_ok(
        &officer,
        &format!("/api/v1/people/{tenant}/representatives"),
        json!({"name": "Repnameq Notreal", "phone": "01632 960 777", "relationship": "relative", "scope": "discuss_account",
               "evidence": "signed_authority_form", "evidence_reference": "Repevq1"}),
    )
    .await;
    let rep = ("representative", tenant, Some(tenant));
    w.add("Repnameq", Compartment::Contact, DataClass::Name, rep);
    w.add("01632 960 777", Compartment::Contact, DataClass::Phone, rep);
    w.add("Repevq1", Compartment::Contact, DataClass::Identifiers, rep);

    // Contact log entries: a general one and one in the ASB compartment.
    for (compartment, word) in [(Compartment::ContactLog, "Logq"), (Compartment::Asb, "Asblogq")] {
        let e = s.post_ok(&officer,
            "/api/v1/contacts",
            json!({"channel": "call_in", "person_ids": [tenant], "compartment": if compartment == Compartment::Asb { "asb" } else { "general" },
                   "summary": format!("{word} rang about the rent"),
                   "follow_ups": [{"action": format!("Fu{word} call back"), "owner": officer_id, "due_on": "2030-01-10"}]}),
        )
        .await;
        let e = &e["entries"][0];
        let id = e["id"].as_i64().unwrap();
        w.add(word, compartment, DataClass::FreeText, ("contact_entry", id, Some(tenant)));
        w.add(format!("Fu{word}"), compartment, DataClass::FreeText, ("contact_entry", id, Some(tenant)));
        w.id("contacts", id);
        if compartment == Compartment::ContactLog {
            // The call was recorded for training.
            let r = s
                .post_ok(
                    &officer,
                    "/api/v1/call-recordings",
                    json!({"contact_entry_id": id, "purpose": "training_quality", "storage_ref": "TEL-SWEEP-1", "note": "Recnoteq"}),
                )
                .await;
            let rid = r["id"].as_i64().unwrap();
            w.add("Recnoteq", Compartment::Recordings, DataClass::FreeText, ("call_recording", rid, Some(tenant)));
            w.id("call-recordings", rid);
        }
    }

    // A document on the person's own file.
    let form = reqwest::multipart::Form::new().text("title", "Docq tenancy scan").text("compartment", "general").part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec())
            .file_name("scan.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    );
    let r = s.client.post(s.url(&format!("/api/v1/people/{tenant}/documents"))).bearer_auth(&officer).multipart(form).send().await.unwrap();
    let (st, doc) = hearth_testkit::split(r).await;
    assert_eq!(st, StatusCode::CREATED, "{doc}");
    let doc_id = doc["id"].as_i64().unwrap();
    w.add("Docq", Compartment::ContactLog, DataClass::FreeText, ("document", doc_id, Some(tenant)));
    w.id("documents", doc_id);

    // An ASB case: the reporter asked to stay anonymous.
    let reporter = person(s, &officer, &mut w, "rep", 2).await;
    for c in w.canaries.iter_mut().filter(|c| c.person_id == Some(reporter)) {
        c.reporter = true;
    }
    let perpetrator = person(s, &officer, &mut w, "perp", 3).await;
    let asb = s
        .post_ok(
            &officer,
            "/api/v1/cases",
            json!({"kind": "asb", "summary": "Asbq loud music at night", "assigned_to": asb_officer_id,
               "parties": [{"person_id": perpetrator, "role": "alleged_perpetrator"},
                           {"person_id": reporter, "role": "reporter", "anonymous": true}]}),
        )
        .await;
    let asb_id = asb["case"]["id"].as_i64().unwrap();
    w.add("Asbq", Compartment::Asb, DataClass::FreeText, ("case", asb_id, None));
    let asb_officer = s.token(StaffRole::AsbOfficer).await;
    let noted = s
        .post_ok(
            &asb_officer,
            &format!("/api/v1/cases/{asb_id}/changes"),
            json!({"change": "note", "version": asb["case"]["version"], "text": "Noteq diary sheets sent"}),
        )
        .await;
    assert!(noted["timeline"].to_string().contains("Noteq"), "{noted}");
    w.add("Noteq", Compartment::Asb, DataClass::FreeText, ("case", asb_id, None));

    // A safeguarding case about the tenant, and a repair job on their home.
    let sg = s
        .post_ok(
            &officer,
            "/api/v1/cases",
            json!({"kind": "safeguarding", "summary": "Safeq welfare concern", "parties": [{"person_id": tenant, "role": "subject"}]}),
        )
        .await;
    let sg_id = sg["case"]["id"].as_i64().unwrap();
    w.add("Safeq", Compartment::Safeguarding, DataClass::FreeText, ("case", sg_id, None));
    let job = s
        .post_ok(
            &officer,
            "/api/v1/cases",
            json!({"kind": "repair", "summary": "Repq door lock sticks", "trade": "carpentry", "property_id": prop_id,
               "priority": "routine", "assigned_to": officer_id, "parties": [{"person_id": tenant, "role": "subject"}]}),
        )
        .await;
    let job_id = job["case"]["id"].as_i64().unwrap();
    w.add("Repq", Compartment::Repairs, DataClass::FreeText, ("case", job_id, None));
    let now = jiff::Timestamp::now();
    let (start, end) = ((now - jiff::SignedDuration::from_hours(1)).to_string(), (now + jiff::SignedDuration::from_hours(6)).to_string());
    s.post_ok(&officer,
        &format!("/api/v1/cases/{job_id}/changes"),
        json!({"change": "schedule", "version": job["case"]["version"], "contractor_id": contractor_id, "window_start": start, "window_end": end}),
    )
    .await;
    for c in [asb_id, sg_id, job_id] {
        w.id("cases", c);
    }
    w.letters = vec![(asb_id, perpetrator), (asb_id, reporter), (job_id, tenant), (sg_id, tenant)];
    // Letters sent and logged: to the alleged perpetrator (by post or email,
    // as they prefer) and to the tenant about the repair.
    for (t, case, person) in [(&asb_officer, asb_id, perpetrator), (&officer, job_id, tenant)] {
        let sent = s.post_ok(t, &format!("/api/v1/cases/{case}/letters"), json!({"template": "case_letter", "person_id": person})).await;
        for c in sent.as_array().unwrap() {
            w.id("communications", c["id"].as_i64().unwrap());
        }
    }

    // A subject access request, so its bundle is swept too.
    let rr = s
        .post_ok(&dpo, "/api/v1/rights-requests", json!({"kind": "access", "person_id": perpetrator, "description": "Rrq wants a copy"}))
        .await;
    let rr_id = rr["request"]["id"].as_i64().unwrap();
    w.add("Rrq", Compartment::Rights, DataClass::FreeText, ("rights_request", rr_id, Some(perpetrator)));
    let change = json!({"change": "identity_passed", "version": rr["request"]["version"], "method": "Passport seen"});
    s.post_ok(&dpo, &format!("/api/v1/rights-requests/{rr_id}/changes"), change).await;
    w.id("rights-requests", rr_id);
    // One taken at the front door by an advisor: what they sent is the DPO's alone.
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let fd = s
        .post_ok(
            &advisor,
            "/api/v1/front-door",
            json!({"kind": "rights_request", "right": "erasure", "person_id": perpetrator, "channel": "letter", "message": "Frd delete my file"}),
        )
        .await;
    let fd_id = fd["id"].as_i64().unwrap();
    w.add("Frd", Compartment::Rights, DataClass::FreeText, ("rights_request", fd_id, Some(perpetrator)));
    // The DPO confirms who asked, as for the SAR, so the time machine can close it.
    let (_, fd) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{fd_id}"), None).await;
    let change = json!({"change": "identity_passed", "version": fd["request"]["version"], "method": "Letter signed and matched"});
    s.post_ok(&dpo, &format!("/api/v1/rights-requests/{fd_id}/changes"), change).await;
    w.id("rights-requests", fd_id);
    // Its acknowledgement went at once: the letter or email is swept too.
    let (_, sent) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{fd_id}/letters"), None).await;
    assert_eq!(sent.as_array().map(Vec::len), Some(1), "{sent}");
    w.id("communications", sent[0]["id"].as_i64().unwrap());
    // Its bundle under review, with a redaction the DPO gave a reason for.
    let draft = s.post_ok(&dpo, &format!("/api/v1/rights-requests/{rr_id}/bundle-drafts"), json!({})).await;
    let draft_id = draft["id"].as_i64().unwrap();
    let (st, preview) = s.call(&dpo, Method::GET, &format!("/api/v1/bundle-drafts/{draft_id}/preview"), None).await;
    assert_eq!(st, StatusCode::OK, "{preview}");
    let text = preview.to_string();
    let own = w
        .canaries
        .iter()
        .filter(|c| c.person_id == Some(perpetrator) && c.record_type == "person")
        .flat_map(|c| c.forms.iter())
        .find(|f| text.contains(f.as_str()))
        .expect("the perpetrator's own details are in their bundle")
        .clone();
    let redact = json!({"change": "redact", "version": draft["version"], "text": own, "ground": "exemption",
                        "reason": "Sarreasonq crime prevention exemption"});
    s.post_ok(&dpo, &format!("/api/v1/bundle-drafts/{draft_id}/changes"), redact).await;
    w.add("Sarreasonq", Compartment::Rights, DataClass::FreeText, ("bundle_draft", draft_id, Some(perpetrator)));
    w.id("bundle-drafts", draft_id);

    // The DPO's registers: a breach, a disclosure request, and a request to
    // reveal the anonymous reporter.
    let b = s.post_ok(&dpo,
        "/api/v1/breaches",
        json!({"title": "Brtitq letter to the wrong flat", "description": "Brdescq arrears letter went next door", "discovered_at": "2026-11-20T10:00:00Z"}),
    )
    .await;
    let bid = b["breach"]["id"].as_i64().or_else(|| b["id"].as_i64()).unwrap();
    w.add("Brtitq", Compartment::Rights, DataClass::FreeText, ("breach", bid, None));
    w.add("Brdescq", Compartment::Rights, DataClass::FreeText, ("breach", bid, None));
    w.id("breaches", bid);
    let d = s.post_ok(&dpo,
        "/api/v1/disclosures",
        json!({"requester_type": "police", "requester": "DC Example, Testshire Police (fictional)", "verification": "Disverq signed form",
               "exemption": "crime_prevention", "detail": "Disdetq current address", "person_ids": [perpetrator]}),
    )
    .await;
    let did = d["entry"]["id"].as_i64().or_else(|| d["id"].as_i64()).unwrap();
    w.add("Disverq", Compartment::Rights, DataClass::FreeText, ("disclosure", did, Some(perpetrator)));
    w.add("Disdetq", Compartment::Rights, DataClass::FreeText, ("disclosure", did, Some(perpetrator)));
    w.id("disclosures", did);
    let (_, view) = s.call(&asb_officer, Method::GET, &format!("/api/v1/cases/{asb_id}"), None).await;
    let anonymous_party = view["parties"].as_array().unwrap().iter().find(|p| p["anonymous"] == true).unwrap()["id"].clone();
    let o = s
        .post_ok(
            &asb_officer,
            &format!("/api/v1/cases/{asb_id}/anonymity-overrides"),
            json!({"party_id": anonymous_party, "ground": "court_order", "detail": "Ovdetq order of the Testville County Court"}),
        )
        .await;
    // A request to reveal is case material (shown on the case to those who
    // work it); the register of all of them is the DPO's alone.
    assert!(o["id"].as_i64().is_some(), "{o}");
    w.add("Ovdetq", Compartment::Asb, DataClass::FreeText, ("case", asb_id, None));

    // Supplier support may look at the contact log and identity for a while.
    s.post_ok(&dpo,
        "/api/v1/support-grants",
        json!({"username": "supplier_support", "compartments": ["identity", "contact_log"], "hours": 4, "reason": "Ticket 42: timeline order"}),
    )
    .await;

    later_fields(s, &mut w, tenant, perpetrator).await;

    w.asb_case = asb_id;
    w.tenant = tenant;
    w.perpetrator = perpetrator;
    w.reporter = reporter;
    w
}

/// The fields a record gains later in its life (an end, a withdrawal, a
/// close, an extension, a refusal), equality answers, and the things the
/// DPO writes about a breach: each a canary too.
async fn later_fields(s: &TestServer, w: &mut World, tenant: i64, perpetrator: i64) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let me = s.gate.user_id("housing_officer").await.unwrap();
    let version = |v: &Value| v["version"].clone();

    // A need, an adjustment and a flag that ended, and a flag the person was not told of.
    let need = s
        .post_ok(
            &officer,
            &format!("/api/v1/people/{tenant}/needs"),
            json!({"category": "mobility", "detail": "Det2q stairs are hard", "source": "staff_contact", "disclosure_channel": "phone",
               "duration": "long_term", "consent_to_tailor": true}),
        )
        .await;
    let nid = need["id"].as_i64().unwrap();
    let nr = ("need", nid, Some(tenant));
    w.add("Det2q", Compartment::Needs, DataClass::SpecialCategory, nr);
    let adj = s
        .post_ok(
            &officer,
            &format!("/api/v1/people/{tenant}/adjustments"),
            json!({"need_id": nid, "kind": "operative_gender", "operative_gender": "male", "note": "Adj2q note"}),
        )
        .await;
    let aid = adj["id"].as_i64().unwrap();
    let ar = ("adjustment", aid, Some(tenant));
    w.add("Adj2q", Compartment::Adjustments, DataClass::FreeText, ar);
    s.post_ok(&officer, &format!("/api/v1/adjustments/{aid}/end"), json!({"version": version(&adj), "reason": "Adjendq no longer wanted"}))
        .await;
    w.add("Adjendq", Compartment::Adjustments, DataClass::FreeText, ar);
    s.post_ok(
        &officer,
        &format!("/api/v1/needs/{nid}/changes"),
        json!({"change": "end", "version": version(&need), "reason": "Needendq moved downstairs"}),
    )
    .await;
    w.add("Needendq", Compartment::Needs, DataClass::FreeText, nr);
    let untold = s
        .post_ok(
            &officer,
            &format!("/api/v1/people/{tenant}/warning-flags"),
            json!({"category": "verbal_abuse", "severity": "medium", "risk_assessment": "Risk2q shouts at staff", "person_told": false,
               "not_told_reason": "Nottoldq telling would raise the risk"}),
        )
        .await;
    let fr = ("warning_flag", untold["id"].as_i64().unwrap(), Some(tenant));
    w.add("Risk2q", Compartment::WarningFlags, DataClass::FreeText, fr);
    w.add("Nottoldq", Compartment::WarningFlags, DataClass::FreeText, fr);
    let ended = s.post_ok(&officer,
        &format!("/api/v1/people/{tenant}/warning-flags"),
        json!({"category": "violence_or_aggression", "severity": "low", "risk_assessment": "Risk3q pushed an officer", "person_told": true,
               "person_told_on": "2026-02-05"}),
    )
    .await;
    let eid = ended["id"].as_i64().unwrap();
    let er = ("warning_flag", eid, Some(tenant));
    w.add("Risk3q", Compartment::WarningFlags, DataClass::FreeText, er);
    s.post_ok(
        &officer,
        &format!("/api/v1/warning-flags/{eid}/changes"),
        json!({"change": "end", "version": version(&ended), "reason": "Flagendq apologised in writing"}),
    )
    .await;
    w.add("Flagendq", Compartment::WarningFlags, DataClass::FreeText, er);

    // An objection withdrawn, and a representative who no longer acts.
    let consent = ("consent", tenant, Some(tenant));
    let o = s
        .post_ok(
            &officer,
            &format!("/api/v1/people/{tenant}/objections"),
            json!({"kind": "direct_marketing", "detail": "Obj2q no leaflets"}),
        )
        .await;
    w.add("Obj2q", Compartment::Contact, DataClass::FreeText, consent);
    s.post_ok(&officer, &format!("/api/v1/objections/{}/withdraw", o["id"]), json!({"reason": "Objwdq changed her mind on the phone"}))
        .await;
    w.add("Objwdq", Compartment::Contact, DataClass::FreeText, consent);
    let rep = s
        .post_ok(
            &officer,
            &format!("/api/v1/people/{tenant}/representatives"),
            json!({"name": "Rep2nameq Notreal", "phone": "01632 960 778", "relationship": "relative", "scope": "discuss_account",
               "evidence": "signed_authority_form", "evidence_reference": "Repevq2"}),
        )
        .await;
    let rr = ("representative", tenant, Some(tenant));
    w.add("Rep2nameq", Compartment::Contact, DataClass::Name, rr);
    w.add("01632 960 778", Compartment::Contact, DataClass::Phone, rr);
    w.add("Repevq2", Compartment::Contact, DataClass::Identifiers, rr);
    s.post_ok(&officer, &format!("/api/v1/representatives/{}/end", rep["id"]), json!({"reason": "Rependq customer withdrew consent"}))
        .await;
    w.add("Rependq", Compartment::Contact, DataClass::FreeText, rr);

    // A contact in the tenant's own words, and an appointment at a place.
    for (body, words) in [
        (json!({"channel": "call_in", "verbatim": "Verbq I want it fixed now", "verbatim_reason": "complaint"}), ["Vsumq", "Verbq"]),
        (json!({"channel": "appointment", "appointment_outcome": "no_access", "place": "Placeq community hall"}), ["Psumq", "Placeq"]),
    ] {
        let mut body = body;
        body["person_ids"] = json!([tenant]);
        body["compartment"] = json!("general");
        body["summary"] = json!(format!("{} spoke about the repair", words[0]));
        let e = s.post_ok(&officer, "/api/v1/contacts", body).await;
        let id = e["entries"][0]["id"].as_i64().unwrap();
        for word in words {
            w.add(word, Compartment::ContactLog, DataClass::FreeText, ("contact_entry", id, Some(tenant)));
        }
        w.id("contacts", id);
    }

    // A complaint extended, then closed with an outcome and a remedy.
    let c = s.post_ok(&officer,
        "/api/v1/cases",
        json!({"kind": "complaint", "summary": "Complq repair not done", "assigned_to": me, "parties": [{"person_id": tenant, "role": "complainant"}]}),
    )
    .await;
    let cid = c["case"]["id"].as_i64().unwrap();
    let cr = ("case", cid, None);
    w.add("Complq", Compartment::Complaints, DataClass::FreeText, cr);
    let path = format!("/api/v1/cases/{cid}/changes");
    let v = s.post_ok(&officer, &path, json!({"change": "status", "version": c["case"]["version"], "status": "stage1_acknowledged"})).await;
    let v = s
        .post_ok(
            &officer,
            &path,
            json!({"change": "extend", "version": v["case"]["version"], "days": 5, "reason": "Compextq waiting for a report"}),
        )
        .await;
    w.add("Compextq", Compartment::Complaints, DataClass::FreeText, cr);
    s.post_ok(
        &officer,
        &path,
        json!({"change": "close", "version": v["case"]["version"], "outcome": "partly_upheld", "note": "Compoutq repair was late",
               "remedy": "Compremq goodwill payment"}),
    )
    .await;
    w.add("Compoutq", Compartment::Complaints, DataClass::FreeText, cr);
    w.add("Compremq", Compartment::Complaints, DataClass::FreeText, cr);
    w.id("cases", cid);

    // Rights requests: one by a representative, refused; one extended,
    // noted and completed.
    let r = s
        .post_ok(
            &dpo,
            "/api/v1/rights-requests",
            json!({"kind": "access", "person_id": tenant, "requester": "representative", "representative_name": "Rrrepq Advocate",
               "representative_relationship": "solicitor", "representative_authority": "Rrauthq letter of authority",
               "description": "Rr2q everything again"}),
        )
        .await;
    let rid = r["request"]["id"].as_i64().unwrap();
    let rq = ("rights_request", rid, Some(tenant));
    for word in ["Rrrepq", "Rrauthq", "Rr2q"] {
        w.add(word, Compartment::Rights, DataClass::FreeText, rq);
    }
    s.post_ok(&dpo,
        &format!("/api/v1/rights-requests/{rid}/changes"),
        json!({"change": "refuse", "version": r["request"]["version"], "ground": "manifestly_excessive", "reason": "Rrrefq the fourth this month"}),
    )
    .await;
    w.add("Rrrefq", Compartment::Rights, DataClass::FreeText, rq);
    w.id("rights-requests", rid);
    let r = s
        .post_ok(
            &dpo,
            "/api/v1/rights-requests",
            json!({"kind": "rectification", "person_id": tenant, "description": "Rr3q my date of birth is wrong"}),
        )
        .await;
    let rid = r["request"]["id"].as_i64().unwrap();
    let rq = ("rights_request", rid, Some(tenant));
    w.add("Rr3q", Compartment::Rights, DataClass::FreeText, rq);
    let path = format!("/api/v1/rights-requests/{rid}/changes");
    let v = s
        .post_ok(&dpo, &path, json!({"change": "identity_passed", "version": r["request"]["version"], "method": "Idmethq passport seen"}))
        .await;
    w.add("Idmethq", Compartment::Rights, DataClass::FreeText, rq);
    let v = s.post_ok(&dpo, &path, json!({"change": "note", "version": v["request"]["version"], "text": "Rrnoteq she phoned"})).await;
    w.add("Rrnoteq", Compartment::Rights, DataClass::FreeText, rq);
    let today = hearth_gate::Gate::today().to_string();
    let v = s.post_ok(&dpo,
        &path,
        json!({"change": "extend", "version": v["request"]["version"], "months": 2, "ground": "complex", "reason": "Rrextq three archives",
               "told_on": today}),
    )
    .await;
    w.add("Rrextq", Compartment::Rights, DataClass::FreeText, rq);
    s.post_ok(&dpo, &path, json!({"change": "complete", "version": v["request"]["version"], "outcome": "Rroutq corrected and told"})).await;
    w.add("Rroutq", Compartment::Rights, DataClass::FreeText, rq);
    w.id("rights-requests", rid);

    // A breach assessed, decided late, with a person told and an action.
    let b = s.post_ok(&dpo,
        "/api/v1/breaches",
        json!({"title": "Br2titq a list left on a bus", "description": "Br2descq paper list of repairs", "discovered_at": "2026-11-21T10:00:00Z"}),
    )
    .await;
    let bid = b["breach"]["id"].as_i64().unwrap();
    let br = ("breach", bid, None);
    w.add("Br2titq", Compartment::Rights, DataClass::FreeText, br);
    w.add("Br2descq", Compartment::Rights, DataClass::FreeText, br);
    let path = format!("/api/v1/breaches/{bid}/changes");
    let ver = |v: &Value| v["breach"]["version"].clone();
    let v = s
        .post_ok(
            &dpo,
            &path,
            json!({"change": "assess", "version": ver(&b), "risk": "high_risk", "assessment": "Brriskq names and addresses"}),
        )
        .await;
    w.add("Brriskq", Compartment::Rights, DataClass::FreeText, br);
    let reported = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1)).to_string();
    let v = s
        .post_ok(
            &dpo,
            &path,
            json!({"change": "decide", "version": ver(&v), "decision": "report", "reason": "Brdecq high risk", "reported_at": reported,
               "ico_reference": "IC-000999-FAKE", "late_reason": "Brlateq found over a weekend"}),
        )
        .await;
    w.add("Brdecq", Compartment::Rights, DataClass::FreeText, br);
    w.add("Brlateq", Compartment::Rights, DataClass::FreeText, br);
    let v = s.post_ok(&dpo, &path, json!({"change": "add_person", "version": ver(&v), "person_id": perpetrator})).await;
    let v = s
        .post_ok(
            &dpo,
            &path,
            json!({"change": "notify_person", "version": ver(&v), "person_id": perpetrator, "how": "Brhowq letter by hand"}),
        )
        .await;
    w.add("Brhowq", Compartment::Rights, DataClass::FreeText, br);
    s.post_ok(&dpo, &path, json!({"change": "action", "version": ver(&v), "text": "Bractq paper lists stopped"})).await;
    w.add("Bractq", Compartment::Rights, DataClass::FreeText, br);
    w.id("breaches", bid);

    // Equality answers: sealed, and read back by nobody (aggregates only).
    s.post_ok(
        &officer,
        &format!("/api/v1/people/{tenant}/edi"),
        json!({"source": "phone", "answers": {"religion": {"status": "recorded", "value": "other", "other": "Ediq invented faith"}}}),
    )
    .await;
    w.add("Ediq", Compartment::Edi, DataClass::Equality, ("edi_record", tenant, Some(tenant)));

    // A sharing agreement, so extracts are swept.
    let a = s
        .post_ok(
            &dpo,
            "/api/v1/sharing-agreements",
            json!({"partner": "Fixit Repairs Ltd (fictional)", "recipient_type": "repairs_contractor", "purpose": "Carrying out repairs",
               "lawful_basis": "contract", "data_categories": ["name", "address", "phone"], "transfer_method": "Contractor portal",
               "security_requirements": "Encrypted in transit and at rest", "starts_on": "2020-01-01", "expires_on": "2099-12-31",
               "owner": "Head of Repairs"}),
        )
        .await;
    w.agreement = a["id"].as_i64().unwrap();
    w.id("sharing-agreements", w.agreement);
}
