//! Demo data: plainly synthetic people in households and tenancies across all
//! nine tenures, and one staff account per role. Everything is invented:
//! surnames and streets are made-up words, postcodes use the ZZ99 pseudo-area,
//! phone numbers Ofcom's drama ranges, emails example.org. The same seed gives
//! the same data. Records go through the gate like any other write.

use anyhow::{anyhow, Result};
use hearth_domain::{
    cases::{CaseInput, CaseKind, PartyInput},
    consent::{ConsentInput, ObjectionInput, PreferencesInput},
    edi::{Answer, AnswerStatus, Characteristic, EdiAnswers, EdiSource},
    needs::{AdjustmentInput, NeedInput, WarningFlagInput},
    people::{ContactPointInput, PersonInput},
    property::{HouseholdInput, HouseholdRole, MembershipInput, PropertyInput, TenancyInput, Tenure},
    representatives::MemorableWordInput,
    staff::StaffRole,
    Id,
};
use hearth_gate::{Actor, Gate};
use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Every demo account's password, printed at the end of loading.
pub const DEMO_PASSWORD: &str = "hearth-demo";

/// The memorable word of the first [`DEMO_MEMORABLE_WORDS`] demo adults, so
/// a caller check can be tried on the phone-free demo (printed at the end).
pub const DEMO_MEMORABLE_WORD: &str = "marmalade";
/// How many demo adults get it: hashing each takes a moment (Argon2id).
const DEMO_MEMORABLE_WORDS: usize = 25;

/// (username, display name, role): one account per role.
pub const DEMO_STAFF: &[(&str, &str, StaffRole)] = &[
    ("advisor", "Casey Advisor", StaffRole::ContactCentreAdvisor),
    ("housing.officer", "Hollis Officer", StaffRole::HousingOfficer),
    ("asb.officer", "Ash Beaconsfake", StaffRole::AsbOfficer),
    ("safeguarding.lead", "Sage Guardwell", StaffRole::SafeguardingLead),
    ("independent.living", "Indy Livingstub", StaffRole::IndependentLivingOfficer),
    ("income.officer", "Inca Moneypenny", StaffRole::IncomeOfficer),
    ("manager", "Morgan Managerly", StaffRole::Manager),
    ("edi.analyst", "Eddie Analysand", StaffRole::EdiAnalyst),
    ("dpo", "Dana Protectorson", StaffRole::Dpo),
    ("admin", "Addison Sysadmin", StaffRole::SystemAdministrator),
    ("contractor", "Connie Fixitt", StaffRole::Contractor),
    ("supplier.support", "Sam Supportdesk", StaffRole::SupplierSupport),
];

pub const GIVEN: &[&str] = &[
    "Ada", "Bram", "Cleo", "Dev", "Elin", "Femi", "Gus", "Hana", "Ivo", "Juno", "Kit", "Lena", "Milo", "Nia", "Otto", "Pia", "Quin",
    "Rhea", "Sol", "Tam", "Uma", "Vik", "Wren", "Xan", "Yara", "Zed", "Arlo", "Bea", "Cai", "Dot",
];
pub const FAMILY: &[&str] = &[
    "Fakeham",
    "Notreal",
    "Madeupson",
    "Sampleton",
    "Placeholder",
    "Dummington",
    "Mockford",
    "Fictionby",
    "Pretendwell",
    "Inventley",
    "Testerby",
    "Examplewood",
    "Specimenski",
    "Stubbington",
    "Fauxley",
    "Shamwell",
    "Nonesuch",
    "Imaginary",
];
pub const STREETS: &[&str] = &[
    "Imaginary Row",
    "Fictional Lane",
    "Pretend Close",
    "Makebelieve Street",
    "Nonexistent Avenue",
    "Phantom Court",
    "Invented Road",
    "Sample Terrace",
    "Mock Gardens",
    "Placeholder Way",
];
pub const TOWNS: &[&str] = &["Nowhereton", "Exampleford", "Fakesbury", "Testbridge"];

pub fn postcode(rng: &mut ChaCha8Rng) -> String {
    const L: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    format!("ZZ99 {}{}{}", rng.gen_range(1..10), L[rng.gen_range(0..L.len())] as char, L[rng.gen_range(0..L.len())] as char)
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    if rng.gen_bool(0.5) {
        format!("01632 960 {:03}", rng.gen_range(0..1000))
    } else {
        format!("07700 900 {:03}", rng.gen_range(0..1000))
    }
}

pub fn date_between(rng: &mut ChaCha8Rng, from_year: i16, to_year: i16) -> String {
    format!("{}-{:02}-{:02}", rng.gen_range(from_year..=to_year), rng.gen_range(1..=12), rng.gen_range(1..=28))
}

fn err(e: hearth_gate::GateError) -> anyhow::Error {
    anyhow!("{e}")
}

/// Loads the demo data unless demo accounts already exist, then prints how to sign in.
pub async fn load(gate: &Gate, seed: u64, households: usize) -> Result<()> {
    if !load_data(gate, seed, households).await? {
        println!("Demo data is already loaded; not loading it again.");
    }
    println!("\nDemo staff accounts (password for all: {DEMO_PASSWORD}):");
    for (username, _, role) in DEMO_STAFF {
        println!("  {username:<20} {}", role.label());
    }
    println!("The first {DEMO_MEMORABLE_WORDS} demo adults' memorable word, for caller checks: {DEMO_MEMORABLE_WORD}");
    println!("These accounts are for a demo only: never use them with real data.\n");
    Ok(())
}

/// Loads the demo data unless demo accounts already exist; false if they did.
/// The benchmark uses this: its throwaway database needs no sign-in notice.
pub async fn load_data(gate: &Gate, seed: u64, households: usize) -> Result<bool> {
    let mut loader_id = None;
    for (username, name, role) in DEMO_STAFF {
        // The demo manager looks after the sensitive compartments.
        let responsibilities: Vec<String> = if *role == StaffRole::Manager {
            ["needs", "warning_flags", "asb", "safeguarding", "care", "financial", "recordings"].map(String::from).to_vec()
        } else {
            vec![]
        };
        match gate.add_user(username, name, *role, &responsibilities, DEMO_PASSWORD).await {
            Ok(id) if *role == StaffRole::HousingOfficer => loader_id = Some(id),
            Ok(_) => {}
            Err(hearth_gate::GateError::Invalid(e)) if e.0.iter().any(|f| f.field == "username") => {}
            Err(e) => return Err(err(e)),
        }
    }
    if let Some(user_id) = loader_id {
        // Records are created as the demo housing officer would create them:
        // through the gate, under the same policies, audited.
        let loader = Actor {
            user_id,
            username: "housing.officer".into(),
            display_name: "Demo data loader".into(),
            role: StaffRole::HousingOfficer,
            purpose: "demo_data".into(),
            responsibilities: vec![],
            scope: None,
        };
        // Line managers: they see their staff's cases and are told of calls ended over unconsented recordings.
        for officer in ["advisor", "housing.officer", "asb.officer", "income.officer", "independent.living"] {
            gate.set_manager(officer, "manager").await.map_err(err)?;
        }
        let people = load_people(gate, &loader, seed, households).await?;
        let word = MemorableWordInput { memorable_word: Some(DEMO_MEMORABLE_WORD.into()) };
        for (person, _) in people.iter().take(DEMO_MEMORABLE_WORDS) {
            gate.set_memorable_word(&loader, *person, &word).await.map_err(err)?;
        }
        load_needs(gate, &loader, &people).await?;
        load_consents(gate, &loader, &people).await?;
        load_cases(gate, &loader, seed, &people).await?;
        load_edi(gate, &loader, seed, &people).await?;
    }
    Ok(loader_id.is_some())
}

/// (person id, property id) of each adult loaded, for the demo cases.
async fn load_people(gate: &Gate, actor: &Actor, seed: u64, households: usize) -> Result<Vec<(Id, Id)>> {
    let mut adult_ids = vec![];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let bar = ProgressBar::new(households as u64).with_message("demo households");
    bar.set_style(ProgressStyle::with_template("{msg} {bar:30} {pos}/{len}").expect("static template"));
    let mut people = 0usize;
    for i in 0..households {
        // Cycle tenures so every one of the nine appears.
        let tenure = Tenure::ALL[i % Tenure::ALL.len()];
        let family = FAMILY[rng.gen_range(0..FAMILY.len())];
        let property = gate
            .create_property(
                actor,
                &PropertyInput {
                    uprn: Some(990_000_000_000 + seed as i64 % 1000 * 1_000_000 + i as i64 + 1),
                    line1: Some(format!("{} {}", rng.gen_range(1..200), STREETS[rng.gen_range(0..STREETS.len())])),
                    line2: None,
                    town: Some(TOWNS[rng.gen_range(0..TOWNS.len())].into()),
                    postcode: Some(postcode(&mut rng)),
                },
            )
            .await
            .map_err(err)?;
        let household = gate.create_household(actor, &HouseholdInput { property_id: Some(property.id) }).await.map_err(err)?;
        // About one in ten tenancies has ended (a former tenancy, kept for its retention period).
        let ended = rng.gen_bool(0.1);
        let start = if ended { date_between(&mut rng, 2004, 2018) } else { date_between(&mut rng, 2004, 2025) };
        let joint = rng.gen_bool(0.35);
        let lead_role = match tenure {
            Tenure::Leasehold | Tenure::SharedOwnership => HouseholdRole::Leaseholder,
            Tenure::Licence => HouseholdRole::Licensee,
            _ if joint => HouseholdRole::JointTenant,
            _ => HouseholdRole::Tenant,
        };
        let adults = if joint { 2 } else { 1 } + usize::from(rng.gen_bool(0.2));
        for a in 0..adults {
            let role = if a < if joint { 2 } else { 1 } { lead_role } else { HouseholdRole::HouseholdMember };
            let person = gate
                .create_person(
                    actor,
                    &PersonInput {
                        kind: Some("adult".into()),
                        given_name: Some(GIVEN[rng.gen_range(0..GIVEN.len())].into()),
                        family_name: Some(family.into()),
                        preferred_name: rng.gen_bool(0.15).then(|| GIVEN[rng.gen_range(0..GIVEN.len())].into()),
                        date_of_birth: Some(date_between(&mut rng, 1940, 2004)),
                        ni_number: rng
                            .gen_bool(0.8)
                            .then(|| format!("ZX{:06}{}", rng.gen_range(0..1_000_000), ['A', 'B', 'C', 'D'][rng.gen_range(0..4)])),
                    },
                )
                .await
                .map_err(err)?;
            people += 1;
            adult_ids.push((person.id, property.id));
            let phone_in =
                ContactPointInput { kind: Some("phone".into()), value: Some(phone(&mut rng)), preferred: Some(true), ..Default::default() };
            gate.add_contact(actor, person.id, &phone_in).await.map_err(err)?;
            if rng.gen_bool(0.6) {
                let email = format!("{}.{}{}@example.org", person.given_name.to_lowercase(), family.to_lowercase(), rng.gen_range(1..100));
                let email_in =
                    ContactPointInput { kind: Some("email".into()), value: Some(email), preferred: Some(true), ..Default::default() };
                gate.add_contact(actor, person.id, &email_in).await.map_err(err)?;
            }
            if lead_role == HouseholdRole::Leaseholder && rng.gen_bool(0.3) {
                // Some leaseholders live elsewhere and want post there.
                let addr = ContactPointInput {
                    kind: Some("address".into()),
                    line1: Some(format!("{} {}", rng.gen_range(1..200), STREETS[rng.gen_range(0..STREETS.len())])),
                    town: Some(TOWNS[rng.gen_range(0..TOWNS.len())].into()),
                    postcode: Some(postcode(&mut rng)),
                    preferred: Some(true),
                    ..Default::default()
                };
                gate.add_contact(actor, person.id, &addr).await.map_err(err)?;
            }
            let member = MembershipInput {
                person_id: Some(person.id),
                role: Some(role.as_str().into()),
                start_date: Some(start.clone()),
                end_date: None,
            };
            gate.add_member(actor, household.id, &member).await.map_err(err)?;
        }
        let children = if matches!(tenure, Tenure::Licence) { 0 } else { [0, 0, 1, 2, 3].choose(&mut rng).copied().unwrap_or(0) };
        for _ in 0..children {
            let child = gate
                .create_person(
                    actor,
                    &PersonInput {
                        kind: Some("child".into()),
                        given_name: Some(GIVEN[rng.gen_range(0..GIVEN.len())].into()),
                        family_name: Some(family.into()),
                        date_of_birth: Some(date_between(&mut rng, 2010, 2024)),
                        ..Default::default()
                    },
                )
                .await
                .map_err(err)?;
            people += 1;
            let member = MembershipInput { person_id: Some(child.id), role: Some("child".into()), start_date: None, end_date: None };
            gate.add_member(actor, household.id, &member).await.map_err(err)?;
        }
        let tenancy = TenancyInput {
            reference: Some(format!("TEN-{:06}", i + 1)),
            household_id: Some(household.id),
            tenure: Some(tenure.as_str().into()),
            start_date: Some(start),
            end_date: ended.then(|| "2024-09-30".into()),
            end_reason: ended.then(|| "tenant_notice".into()),
        };
        gate.create_tenancy(actor, &tenancy).await.map_err(err)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!("Loaded {people} synthetic people in {households} households (seed {}).", seed);
    Ok(adult_ids)
}

/// A few cases of every kind, assigned to the demo officers; two repair jobs
/// are booked for the demo contractor in a window around now.
async fn load_cases(gate: &Gate, actor: &Actor, seed: u64, adults: &[(Id, Id)]) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xCA5E);
    let id_of = async |name: &str| gate.user_id(name).await.map_err(err);
    let (housing, asb, living, contractor) =
        (id_of("housing.officer").await?, id_of("asb.officer").await?, id_of("independent.living").await?, id_of("contractor").await?);
    let pick = |rng: &mut ChaCha8Rng| adults[rng.gen_range(0..adults.len())];
    let party = |person: Id, role: &str, anonymous: bool| PartyInput {
        person_id: Some(person),
        role: Some(role.into()),
        anonymous: Some(anonymous),
    };
    let mut opened = 0;
    for i in 0..24 {
        let (a, _) = pick(&mut rng);
        let (b, property) = pick(&mut rng);
        let input = match i % 6 {
            0 => CaseInput {
                kind: Some("asb".into()),
                summary: Some("Loud music late at night reported by a neighbour".into()),
                assigned_to: Some(asb),
                parties: Some(vec![party(a, "reporter", true), party(b, "alleged_perpetrator", false)]),
                ..Default::default()
            },
            1 => CaseInput {
                kind: Some("safeguarding".into()),
                summary: Some("Concern raised about a tenant's welfare after a missed visit".into()),
                assigned_to: Some(housing),
                parties: Some(vec![party(a, "subject", false)]),
                ..Default::default()
            },
            2 => CaseInput {
                kind: Some("complaint".into()),
                summary: Some("Complaint about the time taken to fix a boiler".into()),
                assigned_to: Some(housing),
                received_on: Some(format!("2026-{:02}-{:02}", rng.gen_range(9..=11), rng.gen_range(1..=20))),
                parties: Some(vec![party(a, "complainant", false)]),
                ..Default::default()
            },
            3 => CaseInput {
                kind: Some("care_support".into()),
                summary: Some("Support plan review for independent living".into()),
                assigned_to: Some(living),
                parties: Some(vec![party(a, "subject", false)]),
                ..Default::default()
            },
            4 => CaseInput {
                kind: Some("repair".into()),
                summary: Some("Kitchen tap dripping constantly".into()),
                trade: Some(["plumbing", "electrical", "heating", "carpentry"][rng.gen_range(0..4)].into()),
                property_id: Some(property),
                priority: Some(["routine", "urgent", "emergency"][rng.gen_range(0..3)].into()),
                parties: Some(vec![party(b, "subject", false)]),
                ..Default::default()
            },
            _ => CaseInput {
                kind: Some("tenancy_management".into()),
                summary: Some("Request to add a household member to the tenancy".into()),
                assigned_to: Some(housing),
                parties: Some(vec![party(a, "subject", false)]),
                ..Default::default()
            },
        };
        let view = gate.open_case(actor, &input).await.map_err(err)?;
        opened += 1;
        if view.case.kind == CaseKind::Repair && i < 12 {
            // Booked in a window around now, so the demo contractor sees the job.
            let now = jiff::Timestamp::now();
            let change = hearth_gate::cases::CaseChange::Schedule {
                version: view.case.version,
                contractor_id: contractor,
                window_start: (now - jiff::SignedDuration::from_hours(1)).to_string(),
                window_end: (now + jiff::SignedDuration::from_hours(8)).to_string(),
            };
            gate.change_case(actor, view.case.id, &change).await.map_err(err)?;
        }
    }
    println!("Opened {opened} demo cases (ASB, safeguarding, complaints, care, repairs, tenancy).");
    Ok(())
}

/// The demo housing officer's patch is every demo home; a few tenants have
/// needs, adjustments and a warning flag. Fixed choices, so the same seed
/// gives the same data; one need has no consent (kept, not used) and one is
/// overdue for review. The first adult has none, for the browser tests.
async fn load_needs(gate: &Gate, actor: &Actor, adults: &[(Id, Id)]) -> Result<()> {
    let mut properties: Vec<Id> = adults.iter().map(|(_, p)| *p).collect();
    properties.dedup();
    for p in properties {
        gate.set_patch_officer(p, "housing.officer").await.map_err(err)?;
    }
    let today = Gate::today();
    let long_ago = today.saturating_sub(jiff::ToSpan::years(2)).to_string();
    // (adult index, category, consent, disclosed on, detail, adjustments as (kind, format, language))
    type Plan<'a> = (usize, &'a str, bool, Option<&'a str>, &'a str, &'a [(&'a str, Option<&'a str>, Option<&'a str>)]);
    let plans: &[Plan] = &[
        (
            3,
            "hearing",
            true,
            None,
            "Demo: hard of hearing; uses a text relay service",
            &[("call_ahead", None, None), ("introduce_yourself", None, None)],
        ),
        (
            7,
            "sight",
            true,
            None,
            "Demo: partially sighted",
            &[("preferred_format", Some("large_print"), None), ("repair_priority_uplift", None, None)],
        ),
        (
            11,
            "language",
            true,
            None,
            "Demo: prefers to speak Polish",
            &[("preferred_format", Some("spoken_language_interpreter"), Some("Polish"))],
        ),
        (15, "mental_health", false, None, "Demo: anxiety; did not want it used", &[("longer_calls", None, None)]),
        (
            19,
            "mobility",
            true,
            Some(long_ago.as_str()),
            "Demo: uses a wheelchair",
            &[("more_time_at_door", None, None), ("peep", None, None)],
        ),
    ];
    let mut recorded = 0;
    for (i, category, consent, disclosed, detail, adjustments) in plans {
        let Some((person, _)) = adults.get(*i) else { continue };
        let need = NeedInput {
            category: Some((*category).into()),
            detail: Some((*detail).into()),
            source: Some("staff_contact".into()),
            disclosed_on: disclosed.map(str::to_string),
            disclosure_channel: Some("phone".into()),
            duration: Some("long_term".into()),
            consent_to_tailor: Some(*consent),
            ..Default::default()
        };
        let n = gate.record_need(actor, *person, &need).await.map_err(err)?;
        for (kind, format, language) in *adjustments {
            let a = AdjustmentInput {
                need_id: Some(n.id),
                kind: Some((*kind).into()),
                format: format.map(str::to_string),
                language: language.map(str::to_string),
                ..Default::default()
            };
            gate.add_adjustment(actor, *person, &a).await.map_err(err)?;
        }
        recorded += 1;
    }
    if let Some((person, _)) = adults.get(5) {
        let flag = WarningFlagInput {
            category: Some("dangerous_animal".into()),
            severity: Some("medium".into()),
            risk_assessment: Some("Demo: a large dog is kept at the property; ask for it to be shut away before entering".into()),
            person_told: Some(true),
            person_told_on: Some(today.to_string()),
            ..Default::default()
        };
        gate.add_warning_flag(actor, *person, &flag).await.map_err(err)?;
    }
    println!("Recorded {recorded} demo needs with their adjustments, and a warning flag.");
    Ok(())
}

/// A few consent records, contact preferences and an objection, so the
/// consent pages and the marketing audience have something to show.
async fn load_consents(gate: &Gate, actor: &Actor, adults: &[(Id, Id)]) -> Result<()> {
    let consent = |purpose: &str, decision: &str| ConsentInput {
        purpose: Some(purpose.into()),
        decision: Some(decision.into()),
        method: Some("written_form".into()),
        evidence: Some("Demo: sign-up form on file".into()),
        notice_version: (decision == "given").then(|| "demo-notice-v1".to_string()),
        ..Default::default()
    };
    for (i, (person, _)) in adults.iter().enumerate().take(12) {
        if i % 3 != 2 {
            gate.record_consent(actor, *person, &consent("marketing", "given")).await.map_err(err)?;
        }
        if i % 4 == 0 {
            let prefs =
                PreferencesInput { preferred_channel: Some("email".into()), declined_channels: vec!["phone".into()], ..Default::default() };
            gate.save_preferences(actor, *person, &prefs).await.map_err(err)?;
        }
    }
    if let Some((person, _)) = adults.get(1) {
        gate.record_consent(actor, *person, &consent("marketing", "withdrawn")).await.map_err(err)?;
    }
    if let Some((person, _)) = adults.get(4) {
        let o = ObjectionInput {
            kind: Some("sharing".into()),
            detail: Some("Demo: does not want details passed to other agencies".into()),
            ..Default::default()
        };
        gate.record_objection(actor, *person, &o).await.map_err(err)?;
    }
    println!("Recorded demo consents, contact preferences and an objection.");
    Ok(())
}

/// The most common answer per characteristic in the demo answers (about
/// half of those who answer give it; the rest spread over the others).
fn usual(c: Characteristic) -> &'static str {
    match c {
        Characteristic::Ethnicity => "white_british",
        Characteristic::Religion => "no_religion",
        Characteristic::SexualOrientation => "straight",
        Characteristic::MaritalStatus => "never_married",
        Characteristic::PregnancyMaternity => "neither",
        Characteristic::Disability | Characteristic::Caring => "no",
        Characteristic::FirstLanguage => "english",
        Characteristic::ArmedForces => "none",
        Characteristic::GenderIdentity => "same",
        _ => "",
    }
}

fn demo_answer(rng: &mut ChaCha8Rng, c: Characteristic) -> Answer {
    let roll = rng.gen_range(0..100);
    if roll < 8 {
        return Answer::NotAsked;
    }
    if roll < 15 {
        return Answer::PreferNotToSay;
    }
    let options = hearth_domain::edi::options(c);
    let value = if !usual(c).is_empty() && rng.gen_bool(0.5) { usual(c) } else { options[rng.gen_range(0..options.len())].0 };
    let other = (value == "other").then(|| "Demo: an invented answer".to_string());
    Answer::Recorded { value: value.into(), other }
}

/// Equality answers for the demo adults, when a key is configured: the
/// front line records them write-only, so the analyst's dashboards have
/// something to show. Without a key nothing is recorded (and nothing could be).
async fn load_edi(gate: &Gate, actor: &Actor, seed: u64, adults: &[(Id, Id)]) -> Result<()> {
    if !gate.edi_enabled() {
        println!("No equality-monitoring key configured: no demo equality answers recorded.");
        return Ok(());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(2002));
    let sources = [EdiSource::Webform, EdiSource::Phone, EdiSource::Survey];
    let today = Gate::today();
    let mut n = 0;
    for (person, _) in adults {
        // Some people were never sent the form at all.
        if rng.gen_bool(0.1) {
            continue;
        }
        let mut answers = EdiAnswers {
            sex: demo_answer(&mut rng, Characteristic::Sex),
            gender_identity: demo_answer(&mut rng, Characteristic::GenderIdentity),
            ethnicity: demo_answer(&mut rng, Characteristic::Ethnicity),
            religion: demo_answer(&mut rng, Characteristic::Religion),
            sexual_orientation: demo_answer(&mut rng, Characteristic::SexualOrientation),
            marital_status: demo_answer(&mut rng, Characteristic::MaritalStatus),
            pregnancy_maternity: demo_answer(&mut rng, Characteristic::PregnancyMaternity),
            pregnancy_valid_until: None,
            disability: demo_answer(&mut rng, Characteristic::Disability),
            first_language: demo_answer(&mut rng, Characteristic::FirstLanguage),
            interpreter_needed: None,
            caring: demo_answer(&mut rng, Characteristic::Caring),
            armed_forces: demo_answer(&mut rng, Characteristic::ArmedForces),
        };
        if matches!(&answers.pregnancy_maternity, Answer::Recorded { value, .. } if value != "neither") {
            answers.pregnancy_valid_until = today.checked_add(jiff::Span::new().months(6)).ok();
        }
        if answers.first_language.status() == AnswerStatus::Recorded {
            answers.interpreter_needed = Some(rng.gen_bool(0.1));
        }
        let input = hearth_gate::edi::EdiInput { source: sources[n % sources.len()], recorded_on: None, answers };
        gate.record_edi(actor, *person, &input).await.map_err(err)?;
        n += 1;
    }
    println!("Recorded demo equality answers for {n} people (sealed; only aggregates can be seen).");
    Ok(())
}
