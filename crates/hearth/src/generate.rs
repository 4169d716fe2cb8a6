//! `hearth generate`: a plainly synthetic landlord's export at any size, as
//! the CSV files `hearth import` reads (docs/import-format.md):
//! households of one to six people with a tenancy each, and a contact log
//! spread over the ten years before 2026 across every channel, oldest entry
//! first as a legacy system keeps it; and for some of the people needs,
//! staff-safety warning flags and equality answers. Names,
//! streets and towns are made-up words, postcodes the ZZ99 pseudo-area, NI
//! numbers the ZX prefix, free text says it is made up. The same seed gives
//! byte-identical files; nothing depends on the clock (children are born
//! from 2012 and every date is before 2026, so every row stays valid until
//! 2030; review dates are left to default when imported).
//!
//! Needs, flags and equality answers come from an RNG stream of their own,
//! so adding them left people.csv, tenancies.csv and contacts.csv exactly
//! as an earlier version wrote them for the same seed.

use crate::demo::{date_between, postcode, FAMILY, GIVEN, STREETS, TOWNS};
use anyhow::{Context, Result};
use hearth_domain::edi::options;
use hearth_domain::import::{
    answer_text, join_line, CONTACT_HEADER, EQUALITY_HEADER, FLAGS_HEADER, NEEDS_HEADER, PEOPLE_HEADER, PREFER_NOT_TO_SAY, TENANCY_HEADER,
};
use hearth_domain::{
    contacts::Channel,
    edi::{Answer, Characteristic, EdiSource},
    needs::{DisclosureChannel, FlagCategory, FlagSeverity, NeedCategory, NeedDuration, NeedSource},
    property::Tenure,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// File names inside the output folder.
pub const PEOPLE_FILE: &str = "people.csv";
pub const TENANCIES_FILE: &str = "tenancies.csv";
pub const CONTACTS_FILE: &str = "contacts.csv";
pub const NEEDS_FILE: &str = "needs.csv";
pub const FLAGS_FILE: &str = "flags.csv";
pub const EQUALITY_FILE: &str = "equality.csv";

/// The people of one household a contact can be about.
struct ContactHousehold {
    adults: Vec<String>,
    /// `A;B` when the tenancy is joint.
    tenants: Option<String>,
}

/// How many of each were written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Generated {
    pub people: u64,
    pub tenancies: u64,
    pub contacts: u64,
    pub needs: u64,
    pub flags: u64,
    pub equality: u64,
}

impl std::fmt::Display for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} people, {} tenancies, {} contacts, {} needs, {} warning flags and {} equality captures",
            self.people, self.tenancies, self.contacts, self.needs, self.flags, self.equality
        )
    }
}

/// The three core files in `dir`.
pub fn files(dir: &Path) -> [PathBuf; 3] {
    [dir.join(PEOPLE_FILE), dir.join(TENANCIES_FILE), dir.join(CONTACTS_FILE)]
}

/// The needs, flags and equality files in `dir`.
pub fn extra_files(dir: &Path) -> [PathBuf; 3] {
    [dir.join(NEEDS_FILE), dir.join(FLAGS_FILE), dir.join(EQUALITY_FILE)]
}

/// Mixed into the seed for the needs, flags and equality stream.
const EXTRA_STREAM: u64 = 0x6e65_6564_735f_6564;

const NEED_DETAILS: &[&str] = &[
    "Made-up detail for a synthetic record",
    "Invented for testing: finds letters hard to read",
    "Invented for testing: needs time to reach the door",
    "Invented for testing: prefers calls in the morning",
];
const RISK_ASSESSMENTS: &[&str] = &[
    "Invented for testing: raised voice at an officer during a visit; visit in pairs",
    "Invented for testing: dog loose in the garden on two visits",
    "Invented for testing: threatening letter received; assessed as medium risk",
];

/// Needs, warning flags and equality answers for some of the people, from
/// their own RNG stream.
struct Extras {
    rng: ChaCha8Rng,
    needs: BufWriter<File>,
    flags: BufWriter<File>,
    equality: BufWriter<File>,
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, all: &[T]) -> T {
    all[rng.gen_range(0..all.len())]
}

impl Extras {
    /// Rows about one person just written: about one in eight has a need
    /// (a few two), one adult in fifty a warning flag, two in five adults
    /// equality answers.
    fn person(&mut self, person_ref: &str, child: bool, n: &mut Generated) -> Result<()> {
        let rng = &mut self.rng;
        let needs = if rng.gen_bool(0.12) { 1 + usize::from(rng.gen_bool(0.25)) } else { 0 };
        for _ in 0..needs {
            let detail = if rng.gen_bool(0.7) { pick(rng, NEED_DETAILS) } else { "" };
            let words = if rng.gen_bool(0.1) { "Prefers plain words" } else { "" };
            let row = join_line(&[
                person_ref,
                pick(rng, NeedCategory::ALL).as_str(),
                detail,
                pick(rng, NeedSource::ALL).as_str(),
                &date_between(rng, 2016, 2025),
                pick(rng, DisclosureChannel::ALL).as_str(),
                pick(rng, NeedDuration::ALL).as_str(),
                "",
                words,
                if rng.gen_bool(0.8) { "true" } else { "false" },
            ]);
            writeln!(self.needs, "{row}")?;
            n.needs += 1;
        }
        if child {
            return Ok(());
        }
        if rng.gen_bool(0.02) {
            let incident = date_between(rng, 2016, 2025);
            let told = rng.gen_bool(0.7);
            let row = join_line(&[
                person_ref,
                pick(rng, FlagCategory::ALL).as_str(),
                pick(rng, FlagSeverity::ALL).as_str(),
                &incident,
                pick(rng, RISK_ASSESSMENTS),
                if told { "true" } else { "false" },
                if told { &incident } else { "" },
                if told { "" } else { "Invented for testing: telling them would raise the risk to staff" },
                "",
                &incident,
                "",
            ]);
            writeln!(self.flags, "{row}")?;
            n.flags += 1;
        }
        if rng.gen_bool(0.4) {
            let (year, month) = (rng.gen_range(2018..=2025), rng.gen_range(1..=12));
            let recorded_on = format!("{year}-{month:02}-{:02}", rng.gen_range(1..=28));
            let mut row = vec![person_ref.to_string(), pick(rng, EdiSource::ALL).as_str().to_string(), recorded_on];
            let answer = |rng: &mut ChaCha8Rng, c: Characteristic| -> Answer {
                if rng.gen_bool(0.15) {
                    return Answer::NotAsked;
                }
                if rng.gen_bool(0.1) {
                    return Answer::PreferNotToSay;
                }
                let value = pick(rng, &options(c)).0.to_string();
                let other = (value == "other").then(|| "Invented answer".to_string());
                Answer::Recorded { value, other }
            };
            for c in [Characteristic::Sex, Characteristic::GenderIdentity, Characteristic::Ethnicity, Characteristic::Religion] {
                row.push(answer_text(&answer(rng, c)));
            }
            for c in [Characteristic::SexualOrientation, Characteristic::MaritalStatus] {
                row.push(answer_text(&answer(rng, c)));
            }
            // Mostly "neither"; a pregnancy answer lapses nine months on.
            let (pregnancy, until) = match rng.gen_range(0..40) {
                0 => ("pregnant", format!("{}-{:02}-28", year + 1, month)),
                1 => ("maternity", format!("{year}-{month:02}-28")),
                2 => (PREFER_NOT_TO_SAY, String::new()),
                3..=6 => ("", String::new()),
                _ => ("neither", String::new()),
            };
            row.push(pregnancy.to_string());
            row.push(until);
            row.push(answer_text(&answer(rng, Characteristic::Disability)));
            let language = answer(rng, Characteristic::FirstLanguage);
            let interpreter = match &language {
                Answer::Recorded { value, .. } if value != "english" => {
                    if rng.gen_bool(0.3) {
                        "true"
                    } else {
                        "false"
                    }
                }
                _ => "",
            };
            row.push(answer_text(&language));
            row.push(interpreter.to_string());
            for c in [Characteristic::Caring, Characteristic::ArmedForces] {
                row.push(answer_text(&answer(rng, c)));
            }
            let fields: Vec<&str> = row.iter().map(String::as_str).collect();
            writeln!(self.equality, "{}", join_line(&fields))?;
            n.equality += 1;
        }
        Ok(())
    }
}

const SUMMARIES: &[&str] = &[
    "Asked about the rent balance",
    "Reported a dripping tap in the kitchen",
    "Chased a repair appointment",
    "Asked for a copy of the tenancy agreement",
    "Reported noise from a neighbouring flat",
    "Gave new contact details",
    "Asked about a parking permit",
    "Reported a broken communal light",
    "Discussed a payment plan",
    "Asked about a transfer to a larger home",
    "Confirmed an appointment time",
    "Reported damp in the bathroom",
];
const SUBJECTS: &[&str] = &["rent", "repairs", "tenancy", "neighbourhood", "payments", "contact_details"];
/// Weights per channel, in Channel::ALL order: calls and letters dominate.
const CHANNEL_WEIGHTS: &[u32] = &[30, 12, 8, 5, 3, 1, 6, 12, 8, 6, 3, 6, 4, 3, 2, 2, 1];

/// Seconds in the ten years before 2026-01-01 (2016-01-01 onwards).
const WINDOW_START: i64 = 1_451_606_400;
const WINDOW_SECS: i64 = 1_767_225_600 - WINDOW_START;

/// Writes about `people` people (whole households, so up to five more) with
/// `contacts_per_person` contact-log entries each on average.
pub fn generate(dir: &Path, people: u64, contacts_per_person: u64, seed: u64) -> Result<Generated> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let open = |name: &str| -> Result<BufWriter<File>> {
        let p = dir.join(name);
        Ok(BufWriter::with_capacity(1 << 20, File::create(&p).with_context(|| format!("creating {}", p.display()))?))
    };
    let (mut pf, mut tf, mut cf) = (open(PEOPLE_FILE)?, open(TENANCIES_FILE)?, open(CONTACTS_FILE)?);
    writeln!(pf, "{}", PEOPLE_HEADER.join(","))?;
    writeln!(tf, "{}", TENANCY_HEADER.join(","))?;
    writeln!(cf, "{}", CONTACT_HEADER.join(","))?;
    let mut extras = Extras {
        rng: ChaCha8Rng::seed_from_u64(seed ^ EXTRA_STREAM),
        needs: open(NEEDS_FILE)?,
        flags: open(FLAGS_FILE)?,
        equality: open(EQUALITY_FILE)?,
    };
    writeln!(extras.needs, "{}", NEEDS_HEADER.join(","))?;
    writeln!(extras.flags, "{}", FLAGS_HEADER.join(","))?;
    writeln!(extras.equality, "{}", EQUALITY_HEADER.join(","))?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let total_weight: u32 = CHANNEL_WEIGHTS.iter().sum();
    assert_eq!(CHANNEL_WEIGHTS.len(), Channel::ALL.len());
    let mut n = Generated::default();
    let mut household = 0u64;
    // Who contacts may be about: each household's adults, and its joint
    // tenants where there are two; and the household of each person.
    let mut households: Vec<ContactHousehold> = vec![];
    let mut people_household: Vec<usize> = vec![];
    while n.people < people {
        household += 1;
        let family = FAMILY[rng.gen_range(0..FAMILY.len())];
        let adults = if rng.gen_bool(0.35) { 2 } else { 1 } + usize::from(rng.gen_bool(0.1));
        let children = [0, 0, 0, 1, 1, 2, 3][rng.gen_range(0..7)];
        let mut refs = vec![];
        let mut adult_refs = vec![];
        for i in 0..adults + children {
            n.people += 1;
            let person_ref = format!("P{:07}", n.people);
            let given = GIVEN[rng.gen_range(0..GIVEN.len())];
            let child = i >= adults;
            let row = if child {
                let dob = date_between(&mut rng, 2012, 2024);
                join_line(&[&person_ref, "child", given, family, "", &dob, ""])
            } else {
                let preferred = if rng.gen_bool(0.1) { GIVEN[rng.gen_range(0..GIVEN.len())] } else { "" };
                let dob = date_between(&mut rng, 1940, 2004);
                let ni = if rng.gen_bool(0.8) {
                    format!("ZX{:06}{}", rng.gen_range(0..1_000_000), ['A', 'B', 'C', 'D'][rng.gen_range(0..4)])
                } else {
                    String::new()
                };
                adult_refs.push(person_ref.clone());
                join_line(&[&person_ref, "adult", given, family, preferred, &dob, &ni])
            };
            writeln!(pf, "{row}")?;
            extras.person(&person_ref, child, &mut n)?;
            refs.push(person_ref);
        }
        // The tenancy: the first adult is the tenant, a second may be joint tenant.
        let joint = adults >= 2 && rng.gen_bool(0.6);
        let tenants = if joint { adult_refs[..2].join(";") } else { adult_refs[0].clone() };
        let members: Vec<&str> = refs.iter().filter(|r| !tenants.split(';').any(|t| t == r.as_str())).map(String::as_str).collect();
        let tenure = Tenure::ALL[if rng.gen_bool(0.7) { 1 } else { rng.gen_range(0..Tenure::ALL.len()) }];
        let start = date_between(&mut rng, 1995, 2024);
        let (end, reason) = if rng.gen_bool(0.05) { ("2025-06-30".to_string(), "tenant_notice") } else { (String::new(), "") };
        let line1 = format!("{} {}", rng.gen_range(1..400), STREETS[rng.gen_range(0..STREETS.len())]);
        let line2 = if rng.gen_bool(0.2) { format!("Flat {}", rng.gen_range(1..40)) } else { String::new() };
        let row = join_line(&[
            &format!("GEN{seed}-{household:07}"),
            tenure.as_str(),
            &start,
            &end,
            reason,
            &(800_000_000_000 + household).to_string(),
            &line1,
            &line2,
            TOWNS[rng.gen_range(0..TOWNS.len())],
            &postcode(&mut rng),
            &tenants,
            &members.join(";"),
        ]);
        writeln!(tf, "{row}")?;
        n.tenancies += 1;
        people_household.extend(std::iter::repeat_n(households.len(), refs.len()));
        households.push(ContactHousehold { adults: adult_refs, tenants: joint.then_some(tenants) });
    }
    // The contact log in the order it was kept, oldest first, as a legacy
    // system exports it: each entry about someone picked at random, so every
    // person has about `contacts_per_person` entries over the ten years.
    let total = contacts_per_person * n.people;
    for i in 0..total {
        // Entry i falls in the i-th of `total` equal slices of the window.
        let from = WINDOW_START + (i as i128 * WINDOW_SECS as i128 / total as i128) as i64;
        let to = WINDOW_START + ((i + 1) as i128 * WINDOW_SECS as i128 / total as i128) as i64;
        let at = jiff::Timestamp::from_second(if to > from { rng.gen_range(from..to) } else { from }).expect("in range");
        let h = &households[people_household[rng.gen_range(0..people_household.len())]];
        let who = &h.adults[rng.gen_range(0..h.adults.len())];
        let people = match &h.tenants {
            Some(joint) if rng.gen_bool(0.1) => joint.clone(),
            _ => who.clone(),
        };
        let mut pick = rng.gen_range(0..total_weight);
        let mut channel = Channel::CallIn;
        for (c, w) in Channel::ALL.iter().zip(CHANNEL_WEIGHTS) {
            if pick < *w {
                channel = *c;
                break;
            }
            pick -= w;
        }
        let summary = SUMMARIES[rng.gen_range(0..SUMMARIES.len())];
        let subject = SUBJECTS[rng.gen_range(0..SUBJECTS.len())];
        let (mut voicemail, mut outcome, mut place, mut system, mut service) = ("", "", "", "", "");
        match channel {
            Channel::CallAttempt => voicemail = if rng.gen_bool(0.5) { "true" } else { "false" },
            Channel::Appointment => {
                outcome = ["attended", "no_access", "failed_to_attend"][rng.gen_range(0..3)];
                place = "Home visit";
            }
            Channel::LetterOut => system = if rng.gen_bool(0.5) { "true" } else { "false" },
            Channel::SocialMedia => service = "true",
            _ => {}
        }
        let row = join_line(&[&people, &at.to_string(), channel.as_str(), summary, subject, voicemail, outcome, place, system, service]);
        writeln!(cf, "{row}")?;
        n.contacts += 1;
    }
    for mut f in [pf, tf, cf, extras.needs, extras.flags, extras.equality] {
        f.flush()?;
    }
    Ok(n)
}
