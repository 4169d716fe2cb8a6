//! The records many tests start from, made through the API as staff would
//! make them (plus the patch officer, which the gate sets directly). Each
//! fixture asserts every request succeeded, so a broken fixture fails where
//! it broke.
//!
//! - [`person`]: an adult with just a name;
//! - [`household`]: a home with members, and optionally a tenancy and a patch officer;
//! - [`tenant`]: a person who is the tenant of their own home ([`NewTenant`]);
//!   [`former_tenant`] and [`end_tenancy`] end it;
//! - [`case`] / [`closed_case`]: a case of any [`CaseKind`] about a subject,
//!   with [`case_worker`] and [`closing_outcome`] for each kind;
//! - [`anonymous_asb_case`]: an ASB case reported anonymously, with
//!   [`assert_no_reporter`] to check a text never identifies the reporter.

use crate::gate::PASSWORD;
use crate::server::TestServer;
use hearth_domain::cases::CaseKind;
use hearth_domain::staff::StaffRole;
use jiff::civil::Date;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// An adult with a given and a family name, created by `t`; returns their id.
pub async fn person(s: &TestServer, t: &str, given: &str, family: &str) -> i64 {
    let (st, p) = s.call(t, Method::POST, "/api/v1/people", Some(json!({"given_name": given, "family_name": family}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

// ---- households and tenancies ----

/// A property: its UPRN and address.
#[derive(Debug, Clone, Copy)]
pub struct Home<'a> {
    pub uprn: i64,
    pub line1: &'a str,
    pub town: &'a str,
    pub postcode: &'a str,
}

/// What [`household`] makes.
pub struct NewHousehold<'a> {
    pub home: Home<'a>,
    /// (person, role) in the order they join: `tenant`, `joint_tenant`, `child`, `household_member`…
    pub members: Vec<(i64, &'a str)>,
    /// Every member's start date (none sent when `None`).
    pub since: Option<&'a str>,
    /// An assured tenancy of the household: (reference, start date).
    pub tenancy: Option<(String, &'a str)>,
    /// The account whose patch the property is on.
    pub patch_officer: Option<&'a str>,
}

impl<'a> NewHousehold<'a> {
    /// `members` at `home`, with no start dates, no tenancy and no patch officer.
    pub fn new(home: Home<'a>, members: Vec<(i64, &'a str)>) -> Self {
        NewHousehold { home, members, since: None, tenancy: None, patch_officer: None }
    }
    pub fn since(mut self, date: &'a str) -> Self {
        self.since = Some(date);
        self
    }
    pub fn tenancy(mut self, reference: impl Into<String>, start: &'a str) -> Self {
        self.tenancy = Some((reference.into(), start));
        self
    }
    pub fn patch_officer(mut self, username: &'a str) -> Self {
        self.patch_officer = Some(username);
        self
    }
}

/// What [`household`] made.
pub struct Household {
    pub property: i64,
    pub household: i64,
    pub memberships: Vec<Value>,
    /// The tenancy as created, when one was asked for.
    pub tenancy: Option<Value>,
}

/// The property, the household at it, its members, then (if asked) its
/// tenancy and its patch officer, in that order.
pub async fn household(s: &TestServer, t: &str, h: NewHousehold<'_>) -> Household {
    let Home { uprn, line1, town, postcode } = h.home;
    let prop = s.created(t, "/api/v1/properties", json!({"uprn": uprn, "line1": line1, "town": town, "postcode": postcode})).await;
    let property = prop["id"].as_i64().unwrap();
    let household = s.created(t, "/api/v1/households", json!({"property_id": property})).await["id"].as_i64().unwrap();
    let mut memberships = vec![];
    for (person, role) in h.members {
        let mut body = json!({"person_id": person, "role": role});
        if let Some(since) = h.since {
            body["start_date"] = json!(since);
        }
        memberships.push(s.created(t, &format!("/api/v1/households/{household}/members"), body).await);
    }
    let mut tenancy = None;
    if let Some((reference, start)) = h.tenancy {
        let body = json!({"reference": reference, "household_id": household, "tenure": "assured", "start_date": start});
        tenancy = Some(s.created(t, "/api/v1/tenancies", body).await);
    }
    if let Some(officer) = h.patch_officer {
        s.gate.set_patch_officer(property, officer).await.unwrap();
    }
    Household { property, household, memberships, tenancy }
}

/// What [`tenant`] makes: an adult, the sole tenant of their own home at
/// `line1`, Testbury ZZ99 3AB, tenancy `TEN-<uprn>` (assured) from `since`,
/// on the housing officer's patch, with a preferred phone if asked.
#[derive(Debug, Clone, Copy)]
pub struct NewTenant<'a> {
    pub given: &'a str,
    pub family: &'a str,
    pub uprn: i64,
    pub line1: &'a str,
    pub since: &'a str,
    pub phone: Option<&'a str>,
}

impl<'a> NewTenant<'a> {
    /// At 7 Imaginary Row since 1 April 2020, with no phone.
    pub fn new(given: &'a str, family: &'a str, uprn: i64) -> Self {
        NewTenant { given, family, uprn, line1: "7 Imaginary Row", since: "2020-04-01", phone: None }
    }
    pub fn line1(mut self, line1: &'a str) -> Self {
        self.line1 = line1;
        self
    }
    /// The day they joined the household and their tenancy started.
    pub fn since(mut self, date: &'a str) -> Self {
        self.since = date;
        self
    }
    pub fn phone(mut self, phone: &'a str) -> Self {
        self.phone = Some(phone);
        self
    }
}

/// What [`tenant`] made.
pub struct Tenant {
    pub person: i64,
    pub property: i64,
    pub household: i64,
    /// The tenancy as created (its `id`, `version`, `household_id`…), for [`end_tenancy`].
    pub tenancy: Value,
}

/// A tenant of their own new home (see [`NewTenant`]), created by `t`.
pub async fn tenant(s: &TestServer, t: &str, n: NewTenant<'_>) -> Tenant {
    let person = person(s, t, n.given, n.family).await;
    let home = Home { uprn: n.uprn, line1: n.line1, town: "Testbury", postcode: "ZZ99 3AB" };
    let h = NewHousehold::new(home, vec![(person, "tenant")])
        .since(n.since)
        .tenancy(format!("TEN-{}", n.uprn), n.since)
        .patch_officer("housing_officer");
    let made = household(s, t, h).await;
    if let Some(phone) = n.phone {
        let body = json!({"kind": "phone", "value": phone, "preferred": true});
        s.created(t, &format!("/api/v1/people/{person}/contact-points"), body).await;
    }
    Tenant { person, property: made.property, household: made.household, tenancy: made.tenancy.unwrap() }
}

/// Ends `tenancy` (as created or last read) on `on`, on the tenant's notice.
pub async fn end_tenancy(s: &TestServer, t: &str, tenancy: &Value, on: &str) {
    let mut body = tenancy.clone();
    body["end_date"] = json!(on);
    body["end_reason"] = json!("tenant_notice");
    let (st, v) = s.call(t, Method::PUT, &format!("/api/v1/tenancies/{}", tenancy["id"]), Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

/// A tenant (see [`tenant`]) whose tenancy ended on `ended_on`.
pub async fn former_tenant(s: &TestServer, t: &str, n: NewTenant<'_>, ended_on: &str) -> Tenant {
    let made = tenant(s, t, n).await;
    end_tenancy(s, t, &made.tenancy, ended_on).await;
    made
}

// ---- cases ----

/// The role that works each kind of case in the tests: it may open one,
/// be assigned it and close it.
pub fn case_worker(kind: CaseKind) -> StaffRole {
    match kind {
        CaseKind::Asb => StaffRole::AsbOfficer,
        CaseKind::Safeguarding => StaffRole::SafeguardingLead,
        CaseKind::CareSupport => StaffRole::IndependentLivingOfficer,
        CaseKind::Repair | CaseKind::Complaint | CaseKind::TenancyManagement => StaffRole::HousingOfficer,
    }
}

/// An outcome that closes a case of `kind` from its first status.
pub fn closing_outcome(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Repair => "completed",
        CaseKind::Complaint => "withdrawn",
        _ => "resolved",
    }
}

/// What [`case`] opens: a case of `kind` about `subject`, assigned to an
/// account, with any fields the kind needs (a repair's `trade` and
/// `property_id`) in `extra`.
pub struct NewCase<'a> {
    pub kind: CaseKind,
    pub subject: i64,
    pub summary: &'a str,
    /// The username it is assigned to (none sent when `None`).
    pub assignee: Option<&'a str>,
    pub extra: Value,
}

impl<'a> NewCase<'a> {
    /// A case of `kind` with `subject` as its one party, summary "Synthetic case", unassigned.
    pub fn new(kind: CaseKind, subject: i64) -> Self {
        NewCase { kind, subject, summary: "Synthetic case", assignee: None, extra: json!({}) }
    }
    pub fn summary(mut self, summary: &'a str) -> Self {
        self.summary = summary;
        self
    }
    pub fn assigned_to(mut self, username: &'a str) -> Self {
        self.assignee = Some(username);
        self
    }
    /// More fields of the request body (each replaces one of the same name).
    pub fn extra(mut self, extra: Value) -> Self {
        self.extra = extra;
        self
    }
}

/// The case [`case`] opened, as the API returned it (`case` and its view).
pub struct Case {
    pub id: i64,
    pub reference: String,
    pub opened: Value,
}

impl Case {
    pub fn version(&self) -> &Value {
        &self.opened["case"]["version"]
    }
}

/// Opens the case `n` describes as `t`.
pub async fn case(s: &TestServer, t: &str, n: NewCase<'_>) -> Case {
    let mut body = json!({"kind": n.kind.as_str(), "summary": n.summary, "parties": [{"person_id": n.subject, "role": "subject"}]});
    if let Some(assignee) = n.assignee {
        body["assigned_to"] = json!(s.gate.user_id(assignee).await.unwrap());
    }
    for (k, v) in n.extra.as_object().expect("extra is a JSON object") {
        body[k] = v.clone();
    }
    let opened = s.created(t, "/api/v1/cases", body).await;
    Case { id: opened["case"]["id"].as_i64().unwrap(), reference: opened["case"]["reference"].as_str().unwrap().to_string(), opened }
}

/// Closes `case` as `t` with `outcome`; returns the case as closed.
pub async fn close_case(s: &TestServer, t: &str, case: &Case, outcome: &str) -> Value {
    let body = json!({"change": "close", "version": case.version(), "outcome": outcome});
    let (st, closed) = s.call(t, Method::POST, &format!("/api/v1/cases/{}/changes", case.id), Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{closed}");
    closed
}

/// Opens the case `n` describes and closes it with `outcome`, both as `t`;
/// returns the case and the day its retention clock starts.
pub async fn closed_case(s: &TestServer, t: &str, n: NewCase<'_>, outcome: &str) -> (Case, Date) {
    let c = case(s, t, n).await;
    let closed = close_case(s, t, &c, outcome).await;
    let from = closed["case"]["retention_from"].as_str().unwrap().parse().unwrap();
    (c, from)
}

// ---- an anonymously reported ASB case ----

/// Everything that identifies [`anonymous_asb_case`]'s reporter: none of it
/// may appear outside their own record and letters addressed to them.
pub const REPORTER_SECRETS: &[&str] = &["Quillon", "Hushworth", "4 Secret Mews", "Quietford", "ZZ99 4QH", "01632 960444", "01632960444"];

/// What [`anonymous_asb_case`] made.
pub struct AsbCase {
    pub case_id: i64,
    pub reference: String,
    pub reporter: i64,
    pub accused: i64,
    /// The ASB officer's token (the officer assigned the case).
    pub officer: String,
}

/// A person with a postal address `[line1, town, postcode]` and a phone number.
async fn person_at(s: &TestServer, t: &str, given: &str, family: &str, [line1, town, postcode]: [&str; 3], phone: &str) -> i64 {
    let id = person(s, t, given, family).await;
    let path = format!("/api/v1/people/{id}/contact-points");
    s.created(t, &path, json!({"kind": "address", "line1": line1, "town": town, "postcode": postcode})).await;
    s.created(t, &path, json!({"kind": "phone", "value": phone})).await;
    id
}

/// An ASB case assigned to the ASB officer, reported anonymously by Quillon
/// Hushworth about Rhea Noisington; plus `asb.manager`, a manager
/// responsible for ASB.
pub async fn anonymous_asb_case(s: &TestServer) -> AsbCase {
    s.gate.add_user("asb.manager", "ASB Manager", StaffRole::Manager, &["asb".to_string()], PASSWORD).await.unwrap();
    let officer = s.token(StaffRole::AsbOfficer).await;
    let me = s.gate.user_id("asb_officer").await.unwrap();
    let reporter = person_at(s, &officer, "Quillon", "Hushworth", ["4 Secret Mews", "Quietford", "ZZ99 4QH"], "01632 960444").await;
    let accused = person_at(s, &officer, "Rhea", "Noisington", ["9 Loud Lane", "Bangton", "ZZ99 9LL"], "01632 960999").await;
    let body = json!({"kind": "asb", "summary": "Loud music after midnight", "assigned_to": me,
        "parties": [{"person_id": reporter, "role": "reporter", "anonymous": true}, {"person_id": accused, "role": "alleged_perpetrator"}]});
    let opened = s.created(&officer, "/api/v1/cases", body).await;
    AsbCase {
        case_id: opened["case"]["id"].as_i64().unwrap(),
        reference: opened["case"]["reference"].as_str().unwrap().to_string(),
        reporter,
        accused,
        officer,
    }
}

/// Fails naming the leak if `text` holds anything that identifies the
/// anonymous reporter (person `reporter`) of [`anonymous_asb_case`].
pub fn assert_no_reporter(text: &str, reporter: i64, what: &str) {
    for secret in REPORTER_SECRETS {
        assert!(!text.contains(secret), "{what} reveals the anonymous reporter ({secret}): {text}");
    }
    for id in [format!("\"person_id\":{reporter}"), format!("/people/{reporter}\""), format!("/letters/{reporter}\"")] {
        assert!(!text.contains(&id), "{what} points at the anonymous reporter ({id}): {text}");
    }
}
