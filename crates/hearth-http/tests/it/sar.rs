//! Subject access redaction both ways, on SQLite and PostgreSQL: a household
//! of two joint tenants sharing a surname and an address, their child, an
//! anonymous reporter and a named neighbour, with every identifier of each
//! written into notes in several formats. The subject's released bundle (JSON
//! and PDF) holds every one of the subject's own identifiers and none of
//! anyone else's; the alleged perpetrator's holds none of the reporter's; a
//! case letter to the subject holds none of the neighbour's.

use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::{household, Home, NewHousehold};
use hearth_testkit::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(the_subject_gets_all_of_their_own_identifiers_and_none_of_anyone_elses, the_alleged_perpetrator_gets_none_of_the_reporter,);

/// One invented person and every way the notes write them.
struct Someone {
    given: &'static str,
    family: &'static str,
    dob: &'static str,
    ni: Option<&'static str>,
    phone: Option<&'static str>,
    email: Option<&'static str>,
    line1: &'static str,
    postcode: &'static str,
}

const SUBJECT: Someone = Someone {
    given: "Petronella",
    family: "Vexworth",
    dob: "1981-04-17",
    ni: Some("JS246810B"),
    phone: Some("07700 900101"),
    email: Some("petronella.vexworth@example.invalid"),
    line1: "14 Fictional Crescent",
    postcode: "ZZ99 4QT",
};
const JOINT: Someone = Someone {
    given: "Barnaby",
    family: "Vexworth",
    dob: "1979-11-23",
    ni: Some("JB135791D"),
    phone: Some("07700 900202"),
    email: Some("barnaby.vexworth@example.invalid"),
    line1: "14 Fictional Crescent",
    postcode: "ZZ99 4QT",
};
const CHILD: Someone = Someone {
    given: "Tilly",
    family: "Vexworth",
    dob: "2015-06-02",
    ni: None,
    phone: None,
    email: None,
    line1: "14 Fictional Crescent",
    postcode: "ZZ99 4QT",
};
const REPORTER: Someone = Someone {
    given: "Griselda",
    family: "Oakhanger",
    dob: "1972-03-08",
    ni: Some("JR975311A"),
    phone: Some("07700 900303"),
    email: Some("griselda.oakhanger@example.invalid"),
    line1: "7 Madeup Lane",
    postcode: "ZZ98 1AA",
};
const NEIGHBOUR: Someone = Someone {
    given: "Cuthbert",
    family: "Mallowby",
    dob: "1965-12-30",
    ni: Some("JN864202C"),
    phone: Some("07700 900404"),
    email: Some("cuthbert.mallowby@example.invalid"),
    line1: "2 Pretend Close",
    postcode: "ZZ97 2BB",
};

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

impl Someone {
    /// Every way a note writes this person's identifiers. `shared` leaves
    /// out what the subject shares (surname alone, address).
    fn written(&self, shared: bool) -> Vec<String> {
        let (y, m, d) = (&self.dob[..4], &self.dob[5..7], &self.dob[8..]);
        let (mi, di): (usize, usize) = (m.parse().unwrap(), d.parse().unwrap());
        let initial = &self.given[..1];
        let mut v = vec![
            format!("{} {}", self.given, self.family),
            format!("{} {}", self.given.to_uppercase(), self.family.to_uppercase()),
            format!("{}, {}", self.family, self.given),
            format!("{initial}. {}", self.family),
            self.given.to_string(),
            self.dob.to_string(),
            format!("{d}/{m}/{y}"),
            format!("{di} {} {y}", MONTHS[mi - 1]),
        ];
        if !shared {
            v.extend([
                format!("Mr {}", self.family),
                self.line1.to_string(),
                self.line1.to_lowercase(),
                self.postcode.to_string(),
                self.postcode.replace(' ', "").to_lowercase(),
            ]);
        }
        if let Some(p) = self.phone {
            v.extend([p.to_string(), p.replace(' ', ""), format!("+44 {}", &p[1..])]);
        }
        if let Some(e) = self.email {
            v.extend([e.to_string(), e.to_uppercase()]);
        }
        if let Some(ni) = self.ni {
            v.extend([ni.to_string(), format!("{} {} {} {} {}", &ni[..2], &ni[2..4], &ni[4..6], &ni[6..8], &ni[8..]), ni.to_lowercase()]);
        }
        v
    }

    /// A note naming this person in every one of those ways.
    fn note(&self, shared: bool) -> String {
        format!("Note about someone: {}.", self.written(shared).join("; "))
    }
}

async fn add(s: &TestServer, t: &str, p: &Someone, kind: &str) -> i64 {
    let body = json!({"kind": kind, "given_name": p.given, "family_name": p.family, "date_of_birth": p.dob, "ni_number": p.ni});
    let id = s.post_ok(t, "/api/v1/people", body).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/people/{id}/contact-points");
    if let Some(phone) = p.phone {
        s.post_ok(t, &path, json!({"kind": "phone", "value": phone})).await;
    }
    if let Some(email) = p.email {
        s.post_ok(t, &path, json!({"kind": "email", "value": email})).await;
    }
    // A child's record holds only names and date of birth.
    if kind != "child" {
        s.post_ok(t, &path, json!({"kind": "address", "line1": p.line1, "town": "Mockbury", "postcode": p.postcode, "preferred": true}))
            .await;
    }
    id
}

struct Family {
    subject: i64,
    joint: i64,
    neighbour_case: i64,
}

async fn family(s: &TestServer) -> Family {
    let t = s.token(StaffRole::HousingOfficer).await;
    let subject = add(s, &t, &SUBJECT, "adult").await;
    let joint = add(s, &t, &JOINT, "adult").await;
    let child = add(s, &t, &CHILD, "child").await;
    let reporter = add(s, &t, &REPORTER, "adult").await;
    let neighbour = add(s, &t, &NEIGHBOUR, "adult").await;
    let home = Home { uprn: 990000088001, line1: SUBJECT.line1, town: "Mockbury", postcode: SUBJECT.postcode };
    let members = vec![(subject, "joint_tenant"), (joint, "joint_tenant"), (child, "child")];
    let h = NewHousehold::new(home, members).tenancy("TEN-SAR-1", "2020-04-01").patch_officer("housing_officer");
    household(s, &t, h).await;
    // The reporter complains anonymously about the joint tenant; the case is closed so its contents go out.
    let asb_officer = s.gate.user_id("asb_officer").await.unwrap();
    let case = s
        .post_ok(
            &t,
            "/api/v1/cases",
            json!({"kind": "asb", "summary": "Loud music most nights", "assigned_to": asb_officer,
        "parties": [{"person_id": joint, "role": "alleged_perpetrator"}, {"person_id": reporter, "role": "reporter", "anonymous": true}]}),
        )
        .await;
    let asb = s.token(StaffRole::AsbOfficer).await;
    s.post_ok(
        &asb,
        &format!("/api/v1/cases/{}/changes", case["case"]["id"]),
        json!({"change": "close", "version": case["case"]["version"], "outcome": "resolved"}),
    )
    .await;
    // A neighbour is a named witness on a case about the subject, named in its summary.
    let summary = format!("{} {} saw damage to the fence of {}", NEIGHBOUR.given, NEIGHBOUR.family, SUBJECT.line1);
    let nc = s
        .post_ok(
            &t,
            "/api/v1/cases",
            json!({"kind": "tenancy_management", "summary": summary,
        "parties": [{"person_id": subject, "role": "subject"}, {"person_id": neighbour, "role": "witness"}]}),
        )
        .await;
    // Notes on the subject's file: herself, and every other person, in every format.
    let mut notes = vec![SUBJECT.note(false)];
    notes.extend([JOINT.note(true), CHILD.note(true), REPORTER.note(false), NEIGHBOUR.note(false)]);
    for n in notes {
        s.post_ok(&t, "/api/v1/contacts", json!({"channel": "call_in", "person_ids": [subject], "summary": n})).await;
    }
    // A note on the joint tenant's file naming the reporter.
    s.post_ok(&t, "/api/v1/contacts", json!({"channel": "call_out", "person_ids": [joint], "summary": REPORTER.note(false)})).await;
    Family { subject, joint, neighbour_case: nc["case"]["id"].as_i64().unwrap() }
}

/// The released bundle of a new access request for `person`: JSON text and PDF text.
async fn released(s: &TestServer, person: i64) -> (String, String) {
    let dpo = s.token(StaffRole::Dpo).await;
    let rr = s.post_ok(&dpo, "/api/v1/rights-requests", json!({"kind": "access", "person_id": person, "description": "All of it"})).await;
    let rid = rr["request"]["id"].as_i64().unwrap();
    let change = json!({"change": "identity_passed", "version": rr["request"]["version"], "method": "Passport seen"});
    s.post_ok(&dpo, &format!("/api/v1/rights-requests/{rid}/changes"), change).await;
    hearth_testkit::release_bundle(s, &dpo, rid).await;
    let r = s.client.get(s.url(&format!("/api/v1/rights-requests/{rid}/bundle"))).bearer_auth(&dpo).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let json_text = r.text().await.unwrap();
    let r = s.client.get(s.url(&format!("/api/v1/rights-requests/{rid}/bundle?format=pdf"))).bearer_auth(&dpo).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    (json_text, hearth_testkit::pdf_text(&r.bytes().await.unwrap()))
}

/// JSON escapes nothing in these strings, but the PDF wraps lines: compare
/// with runs of whitespace made single spaces.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn assert_none_of(text: &str, p: &Someone, shared: bool, what: &str) {
    let t = flat(text);
    for w in p.written(shared) {
        assert!(!t.contains(&flat(&w)), "{what} holds {}'s {w:?}", p.given);
    }
}

async fn the_subject_gets_all_of_their_own_identifiers_and_none_of_anyone_elses(s: TestServer) {
    let h = family(&s).await;
    let (json_text, pdf) = released(&s, h.subject).await;
    let bundle: Value = serde_json::from_str(&json_text).unwrap();
    let notes = bundle["sections"].as_array().unwrap().iter().find(|x| x["key"] == "contact_log").unwrap()["records"].to_string();
    let t = flat(&notes);
    for own in SUBJECT.written(false) {
        assert!(t.contains(&flat(&own)), "the subject's own {own:?} was redacted: {notes}");
    }
    for (p, shared) in [(&JOINT, true), (&CHILD, true), (&REPORTER, false), (&NEIGHBOUR, false)] {
        assert_none_of(&json_text, p, shared, "the subject's JSON bundle");
        assert_none_of(&pdf, p, shared, "the subject's PDF");
    }
    // The shared surname and address are hers, and stay.
    assert!(t.contains("mrs vexworth") || t.contains("mr vexworth"), "{notes}");
    assert!(pdf.contains("Vexworth") && pdf.contains("14 Fictional Crescent"), "{pdf}");
    hearth_testkit::assert_readable(&pdf);
    assert!(pdf.contains("Dear Petronella Vexworth"), "{pdf}");

    // A letter to the subject about the neighbour's case names no neighbour.
    let t = s.token(StaffRole::HousingOfficer).await;
    let (st, letter) = s.call(&t, Method::GET, &format!("/api/v1/cases/{}/letters/{}", h.neighbour_case, h.subject), None).await;
    assert_eq!(st, StatusCode::OK, "{letter}");
    assert_none_of(&letter.to_string(), &NEIGHBOUR, false, "the letter to the subject");
    assert!(letter.to_string().contains("Fictional Crescent"), "her own address stays in the letter: {letter}");
}

async fn the_alleged_perpetrator_gets_none_of_the_reporter(s: TestServer) {
    let h = family(&s).await;
    // He asked for large print: his response comes in large print.
    let t = s.token(StaffRole::HousingOfficer).await;
    let need = s.post_ok(&t, &format!("/api/v1/people/{}/needs", h.joint), json!({"category": "disability_or_health_condition",
        "detail": "Sight loss", "source": "staff_contact", "disclosure_channel": "phone", "duration": "long_term", "consent_to_tailor": true})).await;
    s.post_ok(
        &t,
        &format!("/api/v1/people/{}/adjustments", h.joint),
        json!({"need_id": need["id"], "kind": "preferred_format", "format": "large_print"}),
    )
    .await;
    let (json_text, pdf) = released(&s, h.joint).await;
    assert!(json_text.contains("Loud music most nights"), "the closed case is given: {json_text}");
    assert!(json_text.contains("Note about someone"), "the note itself is there");
    assert_none_of(&json_text, &REPORTER, false, "the perpetrator's JSON bundle");
    assert_none_of(&pdf, &REPORTER, false, "the perpetrator's PDF");
    // The joint tenant's own name is his.
    assert!(json_text.contains("Barnaby") && pdf.contains("Barnaby"), "{pdf}");
    let dpo = s.token(StaffRole::Dpo).await;
    let (_, list) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests?all=true&person_id={}", h.joint), None).await;
    let rid = list["items"][0]["request"]["id"].as_i64().unwrap_or_else(|| panic!("{list}"));
    let r = s.client.get(s.url(&format!("/api/v1/rights-requests/{rid}/bundle?format=html"))).bearer_auth(&dpo).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("font-size:18pt"), "large print");
}
