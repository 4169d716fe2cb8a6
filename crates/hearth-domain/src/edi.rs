//! Equality, diversity and inclusion (EDI) monitoring: the answers a person
//! chooses to give about protected characteristics (seed 002), and the
//! statistical disclosure control applied before anyone sees a count.
//!
//! Every answer says whether it was given, declined ("prefer not to say") or
//! never asked: the three mean different things in a coverage report. The
//! answers are special-category data; storage encrypts them and only
//! aggregates, protected by [`protect_row`], ever leave the system.
//!
//! Pure rules only: no storage, no clock (callers pass `today`).

use crate::error::{FieldError, ValidationErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// Each characteristic monitored, in the order reports show them.
    Characteristic {
        AgeBand => "age_band" / "Age band",
        Sex => "sex" / "Sex",
        GenderIdentity => "gender_identity" / "Gender identity",
        Ethnicity => "ethnicity" / "Ethnic group",
        Religion => "religion" / "Religion or belief",
        SexualOrientation => "sexual_orientation" / "Sexual orientation",
        MaritalStatus => "marital_status" / "Marriage or civil partnership",
        PregnancyMaternity => "pregnancy_maternity" / "Pregnancy or maternity",
        Disability => "disability" / "Disability (Equality Act 2010)",
        FirstLanguage => "first_language" / "First language",
        Caring => "caring" / "Caring responsibilities",
        ArmedForces => "armed_forces" / "Armed forces connection",
    }
}

crate::vocabulary! {
    /// Where the answers came from (seed 002 "How do we collect this data?").
    EdiSource {
        Webform => "webform" / "Webform",
        Phone => "phone" / "Phone",
        Survey => "survey" / "Feedback survey",
    }
}

crate::vocabulary! {
    /// Age bands, derived from the date of birth (never asked separately).
    AgeBand {
        Under18 => "under_18" / "Under 18",
        From18To24 => "18_24" / "18 to 24",
        From25To34 => "25_34" / "25 to 34",
        From35To44 => "35_44" / "35 to 44",
        From45To54 => "45_54" / "45 to 54",
        From55To64 => "55_64" / "55 to 64",
        From65To74 => "65_74" / "65 to 74",
        From75 => "75_plus" / "75 or over",
    }
}

crate::vocabulary! {
    Sex { Female => "female" / "Female", Male => "male" / "Male" }
}

crate::vocabulary! {
    /// ONS 2021: is the gender you identify with the same as your sex registered at birth?
    GenderIdentity {
        Same => "same" / "Same as sex registered at birth",
        Different => "different" / "Different from sex registered at birth",
        Other => "other" / "Other (please describe)",
    }
}

crate::vocabulary! {
    /// ONS 2021 ethnic groups (England and Wales).
    Ethnicity {
        Bangladeshi => "asian_bangladeshi" / "Asian: Bangladeshi",
        Chinese => "asian_chinese" / "Asian: Chinese",
        Indian => "asian_indian" / "Asian: Indian",
        Pakistani => "asian_pakistani" / "Asian: Pakistani",
        OtherAsian => "asian_other" / "Asian: any other Asian background",
        African => "black_african" / "Black: African",
        Caribbean => "black_caribbean" / "Black: Caribbean",
        OtherBlack => "black_other" / "Black: any other Black, Black British or Caribbean background",
        WhiteAsian => "mixed_white_asian" / "Mixed: White and Asian",
        WhiteBlackAfrican => "mixed_white_black_african" / "Mixed: White and Black African",
        WhiteBlackCaribbean => "mixed_white_black_caribbean" / "Mixed: White and Black Caribbean",
        OtherMixed => "mixed_other" / "Mixed: any other Mixed or multiple ethnic background",
        British => "white_british" / "White: English, Welsh, Scottish, Northern Irish or British",
        Irish => "white_irish" / "White: Irish",
        Traveller => "white_gypsy_irish_traveller" / "White: Gypsy or Irish Traveller",
        Roma => "white_roma" / "White: Roma",
        OtherWhite => "white_other" / "White: any other White background",
        Arab => "other_arab" / "Other ethnic group: Arab",
        Other => "other" / "Any other ethnic group (please describe)",
    }
}

crate::vocabulary! {
    /// ONS 2021 religion question.
    Religion {
        NoReligion => "no_religion" / "No religion",
        Christian => "christian" / "Christian",
        Buddhist => "buddhist" / "Buddhist",
        Hindu => "hindu" / "Hindu",
        Jewish => "jewish" / "Jewish",
        Muslim => "muslim" / "Muslim",
        Sikh => "sikh" / "Sikh",
        Other => "other" / "Any other religion or belief (please describe)",
    }
}

crate::vocabulary! {
    /// ONS 2021 sexual orientation question.
    SexualOrientation {
        Straight => "straight" / "Straight or heterosexual",
        GayLesbian => "gay_lesbian" / "Gay or lesbian",
        Bisexual => "bisexual" / "Bisexual",
        Other => "other" / "Other sexual orientation (please describe)",
    }
}

crate::vocabulary! {
    MaritalStatus {
        NeverMarried => "never_married" / "Never married and never registered a civil partnership",
        Married => "married" / "Married",
        CivilPartnership => "civil_partnership" / "In a registered civil partnership",
        Separated => "separated" / "Separated, but still legally married or in a civil partnership",
        Divorced => "divorced" / "Divorced or civil partnership dissolved",
        Widowed => "widowed" / "Widowed or surviving civil partner",
    }
}

crate::vocabulary! {
    /// Pregnancy or maternity: time-limited, so a "yes" carries a valid-until date.
    PregnancyMaternity {
        Pregnant => "pregnant" / "Pregnant",
        Maternity => "maternity" / "Given birth in the last 26 weeks",
        Neither => "neither" / "Neither",
    }
}

crate::vocabulary! {
    /// Equality Act 2010 definition of disability, in the ONS wording.
    Disability {
        YesLimitedALot => "yes_limited_a_lot" / "Yes, day-to-day activities limited a lot",
        YesLimitedALittle => "yes_limited_a_little" / "Yes, day-to-day activities limited a little",
        No => "no" / "No",
    }
}

crate::vocabulary! {
    FirstLanguage {
        English => "english" / "English",
        Welsh => "welsh" / "Welsh",
        Other => "other" / "Another language (please name it)",
    }
}

crate::vocabulary! {
    /// ONS 2021 unpaid care question.
    Caring {
        No => "no" / "No",
        Up19 => "up_to_19_hours" / "Yes, 19 hours a week or less",
        From20To49 => "20_to_49_hours" / "Yes, 20 to 49 hours a week",
        From50 => "50_hours_or_more" / "Yes, 50 or more hours a week",
    }
}

crate::vocabulary! {
    ArmedForces {
        None => "none" / "No connection",
        Serving => "serving" / "Currently serving (regular or reserve)",
        Veteran => "veteran" / "Previously served",
        Family => "family" / "Family member of someone serving or who served",
    }
}

/// One answer. "Prefer not to say" is a choice the person made; "not asked"
/// means we never put the question, and reports must keep the two apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Answer {
    #[default]
    NotAsked,
    PreferNotToSay,
    Recorded {
        /// The characteristic's own vocabulary spelling.
        value: String,
        /// Free text, only (and always) with the value `other`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        other: Option<String>,
    },
}

/// How an answer counts in the coverage report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AnswerStatus {
    Recorded,
    PreferNotToSay,
    NotAsked,
}

impl Answer {
    pub fn status(&self) -> AnswerStatus {
        match self {
            Answer::NotAsked => AnswerStatus::NotAsked,
            Answer::PreferNotToSay => AnswerStatus::PreferNotToSay,
            Answer::Recorded { .. } => AnswerStatus::Recorded,
        }
    }
}

/// The questions a person may answer (age band is derived, not asked).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct EdiAnswers {
    pub sex: Answer,
    pub gender_identity: Answer,
    pub ethnicity: Answer,
    pub religion: Answer,
    pub sexual_orientation: Answer,
    pub marital_status: Answer,
    pub pregnancy_maternity: Answer,
    /// Required when pregnant or maternity is recorded: the answer lapses after it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub pregnancy_valid_until: Option<Date>,
    pub disability: Answer,
    pub first_language: Answer,
    /// Only meaningful with a recorded first language.
    pub interpreter_needed: Option<bool>,
    pub caring: Answer,
    pub armed_forces: Answer,
}

/// What is stored (encrypted) for one person: the answers plus the age band
/// worked out on the day they were recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdiRecord {
    pub age_band: Answer,
    pub answers: EdiAnswers,
}

const OTHER_MAX: usize = 200;

impl EdiAnswers {
    fn fields(&self) -> [(Characteristic, &Answer); 11] {
        [
            (Characteristic::Sex, &self.sex),
            (Characteristic::GenderIdentity, &self.gender_identity),
            (Characteristic::Ethnicity, &self.ethnicity),
            (Characteristic::Religion, &self.religion),
            (Characteristic::SexualOrientation, &self.sexual_orientation),
            (Characteristic::MaritalStatus, &self.marital_status),
            (Characteristic::PregnancyMaternity, &self.pregnancy_maternity),
            (Characteristic::Disability, &self.disability),
            (Characteristic::FirstLanguage, &self.first_language),
            (Characteristic::Caring, &self.caring),
            (Characteristic::ArmedForces, &self.armed_forces),
        ]
    }

    /// Checks every value against its vocabulary, free text with "other"
    /// only, and the pregnancy valid-until date against the recording date.
    pub fn validate(&self, recorded_on: Date) -> Result<(), ValidationErrors> {
        let mut errors = Vec::new();
        for (c, answer) in self.fields() {
            if let Answer::Recorded { value, other } = answer {
                if !value_allowed(c, value) {
                    errors.push(FieldError::new(c.as_str(), format!("Choose a listed answer for {}", c.label().to_lowercase())));
                    continue;
                }
                let other_text = other.as_deref().map(str::trim).unwrap_or("");
                if value == "other" && other_text.is_empty() {
                    errors.push(FieldError::new(c.as_str(), format!("Describe the answer for {}", c.label().to_lowercase())));
                } else if value != "other" && other.is_some() {
                    errors.push(FieldError::new(c.as_str(), "Only add a description when the answer is other"));
                } else if other_text.chars().count() > OTHER_MAX {
                    errors.push(FieldError::new(c.as_str(), format!("The description must be {OTHER_MAX} characters or fewer")));
                }
            }
        }
        let pregnant = matches!(&self.pregnancy_maternity, Answer::Recorded { value, .. } if value != "neither");
        match (pregnant, self.pregnancy_valid_until) {
            (true, None) => {
                errors.push(FieldError::new("pregnancy_valid_until", "Enter the date the pregnancy or maternity answer lapses"))
            }
            (true, Some(d)) if d < recorded_on => {
                errors.push(FieldError::new("pregnancy_valid_until", "The date the answer lapses must not be before it was recorded"))
            }
            (false, Some(_)) => errors.push(FieldError::new("pregnancy_valid_until", "Only give a lapse date for pregnancy or maternity")),
            _ => {}
        }
        if self.interpreter_needed.is_some() && self.first_language.status() != AnswerStatus::Recorded {
            errors.push(FieldError::new("interpreter_needed", "Only say whether an interpreter is needed with a first language"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(errors))
        }
    }
}

/// Whether `value` is in the characteristic's vocabulary.
pub fn value_allowed(c: Characteristic, value: &str) -> bool {
    match c {
        Characteristic::AgeBand => AgeBand::parse(value).is_some(),
        Characteristic::Sex => Sex::parse(value).is_some(),
        Characteristic::GenderIdentity => GenderIdentity::parse(value).is_some(),
        Characteristic::Ethnicity => Ethnicity::parse(value).is_some(),
        Characteristic::Religion => Religion::parse(value).is_some(),
        Characteristic::SexualOrientation => SexualOrientation::parse(value).is_some(),
        Characteristic::MaritalStatus => MaritalStatus::parse(value).is_some(),
        Characteristic::PregnancyMaternity => PregnancyMaternity::parse(value).is_some(),
        Characteristic::Disability => Disability::parse(value).is_some(),
        Characteristic::FirstLanguage => FirstLanguage::parse(value).is_some(),
        Characteristic::Caring => Caring::parse(value).is_some(),
        Characteristic::ArmedForces => ArmedForces::parse(value).is_some(),
    }
}

/// The age band on `today` for someone born on `dob`.
pub fn age_band(dob: Date, today: Date) -> AgeBand {
    let mut years = today.year() - dob.year();
    if (today.month(), today.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    match years {
        i16::MIN..=17 => AgeBand::Under18,
        18..=24 => AgeBand::From18To24,
        25..=34 => AgeBand::From25To34,
        35..=44 => AgeBand::From35To44,
        45..=54 => AgeBand::From45To54,
        55..=64 => AgeBand::From55To64,
        65..=74 => AgeBand::From65To74,
        _ => AgeBand::From75,
    }
}

impl EdiRecord {
    /// Builds the stored record, deriving the age band (not asked when the
    /// date of birth is unknown).
    pub fn new(answers: EdiAnswers, dob: Option<Date>, recorded_on: Date) -> EdiRecord {
        let age_band = match dob {
            Some(d) => Answer::Recorded { value: age_band(d, recorded_on).as_str().to_owned(), other: None },
            None => Answer::NotAsked,
        };
        EdiRecord { age_band, answers }
    }

    /// The status of each characteristic, in [`Characteristic::ALL`] order.
    pub fn statuses(&self) -> Vec<(Characteristic, AnswerStatus)> {
        let mut out = vec![(Characteristic::AgeBand, self.age_band.status())];
        out.extend(self.answers.fields().into_iter().map(|(c, a)| (c, a.status())));
        out
    }
}

/// The answers a characteristic can take, with their labels, in report order.
pub fn options(c: Characteristic) -> Vec<(&'static str, &'static str)> {
    fn opts<T: Copy>(all: &[T], f: impl Fn(T) -> (&'static str, &'static str)) -> Vec<(&'static str, &'static str)> {
        all.iter().map(|x| f(*x)).collect()
    }
    match c {
        Characteristic::AgeBand => opts(AgeBand::ALL, |x| (x.as_str(), x.label())),
        Characteristic::Sex => opts(Sex::ALL, |x| (x.as_str(), x.label())),
        Characteristic::GenderIdentity => opts(GenderIdentity::ALL, |x| (x.as_str(), x.label())),
        Characteristic::Ethnicity => opts(Ethnicity::ALL, |x| (x.as_str(), x.label())),
        Characteristic::Religion => opts(Religion::ALL, |x| (x.as_str(), x.label())),
        Characteristic::SexualOrientation => opts(SexualOrientation::ALL, |x| (x.as_str(), x.label())),
        Characteristic::MaritalStatus => opts(MaritalStatus::ALL, |x| (x.as_str(), x.label())),
        Characteristic::PregnancyMaternity => opts(PregnancyMaternity::ALL, |x| (x.as_str(), x.label())),
        Characteristic::Disability => opts(Disability::ALL, |x| (x.as_str(), x.label())),
        Characteristic::FirstLanguage => opts(FirstLanguage::ALL, |x| (x.as_str(), x.label())),
        Characteristic::Caring => opts(Caring::ALL, |x| (x.as_str(), x.label())),
        Characteristic::ArmedForces => opts(ArmedForces::ALL, |x| (x.as_str(), x.label())),
    }
}

impl EdiRecord {
    /// The answer held for one characteristic.
    pub fn answer(&self, c: Characteristic) -> &Answer {
        let a = &self.answers;
        match c {
            Characteristic::AgeBand => &self.age_band,
            Characteristic::Sex => &a.sex,
            Characteristic::GenderIdentity => &a.gender_identity,
            Characteristic::Ethnicity => &a.ethnicity,
            Characteristic::Religion => &a.religion,
            Characteristic::SexualOrientation => &a.sexual_orientation,
            Characteristic::MaritalStatus => &a.marital_status,
            Characteristic::PregnancyMaternity => &a.pregnancy_maternity,
            Characteristic::Disability => &a.disability,
            Characteristic::FirstLanguage => &a.first_language,
            Characteristic::Caring => &a.caring,
            Characteristic::ArmedForces => &a.armed_forces,
        }
    }
}

/// The shipped disclosure-control rules (`config/disclosure-control.json`).
pub const SHIPPED_DISCLOSURE_CONTROL: &str = include_str!("../../../config/disclosure-control.json");

/// The file form of the rules: the two thresholds plus an optional note.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisclosureControlFile {
    #[serde(default, rename = "about")]
    _about: Option<serde_json::Value>,
    suppress_up_to: u64,
    round_to: u64,
}

/// Thresholds for statistical disclosure control of published counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisclosureControl {
    /// Counts from 1 up to this are suppressed (0 is shown: it identifies nobody).
    pub suppress_up_to: u64,
    /// Every count shown is rounded to the nearest multiple of this.
    pub round_to: u64,
}

impl Default for DisclosureControl {
    /// The shipped rules: counts 1 to 7 suppressed, the rest rounded to the nearest 5.
    fn default() -> Self {
        DisclosureControl::parse(SHIPPED_DISCLOSURE_CONTROL).expect("the shipped disclosure-control rules are valid")
    }
}

impl DisclosureControl {
    /// Reads and checks a rules file. Suppression must hide at least a
    /// single person, and rounding must be to a base of 1 (none) to 100.
    pub fn parse(text: &str) -> Result<DisclosureControl, ValidationErrors> {
        let file: DisclosureControlFile =
            serde_json::from_str(text).map_err(|e| ValidationErrors(vec![FieldError::new("disclosure_control", e.to_string())]))?;
        let mut errors = Vec::new();
        if !(1..=1000).contains(&file.suppress_up_to) {
            errors.push(FieldError::new("suppress_up_to", "Suppress counts up to a number from 1 to 1000"));
        }
        if !(1..=100).contains(&file.round_to) {
            errors.push(FieldError::new("round_to", "Round to a base from 1 to 100"));
        }
        if errors.is_empty() {
            Ok(DisclosureControl { suppress_up_to: file.suppress_up_to, round_to: file.round_to })
        } else {
            Err(ValidationErrors(errors))
        }
    }

    /// Whether a count is small enough to be hidden.
    pub fn is_small(&self, n: u64) -> bool {
        n >= 1 && n <= self.suppress_up_to
    }
}

/// One published count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Cell {
    Suppressed,
    Shown(u64),
}

/// A row of published counts with its published total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectedRow {
    pub cells: Vec<Cell>,
    pub total: Cell,
}

impl DisclosureControl {
    fn round(&self, n: u64) -> u64 {
        let base = self.round_to.max(1);
        (n + base / 2) / base * base
    }

    fn cell(&self, n: u64) -> Cell {
        if self.is_small(n) {
            Cell::Suppressed
        } else {
            Cell::Shown(self.round(n))
        }
    }
}

/// Protects one row of counts: small counts are suppressed, the rest rounded;
/// if only one cell would be suppressed, the next smallest non-zero cell is
/// suppressed too so the first cannot be worked out from the total. When
/// there is no such cell the total itself is suppressed instead.
pub fn protect_row(config: &DisclosureControl, counts: &[u64]) -> ProtectedRow {
    let mut cells: Vec<Cell> = counts.iter().map(|&n| config.cell(n)).collect();
    let total_count: u64 = counts.iter().sum();
    let mut total = config.cell(total_count);
    let suppressed = cells.iter().filter(|c| **c == Cell::Suppressed).count();
    if suppressed == 1 {
        let partner = counts
            .iter()
            .enumerate()
            .filter(|(i, n)| **n > 0 && cells[*i] != Cell::Suppressed)
            .min_by_key(|(i, n)| (**n, *i))
            .map(|(i, _)| i);
        match partner {
            Some(i) => cells[i] = Cell::Suppressed,
            None => total = Cell::Suppressed,
        }
    }
    ProtectedRow { cells, total }
}

crate::vocabulary! {
    /// The service outcomes compared across groups in the service-equity report.
    OutcomeMeasure {
        ContactsPerPerson => "contacts_per_person" / "Contacts per person",
        CasesPerPerson => "cases_per_person" / "Cases per person",
        RepairDays => "mean_days_to_complete_repair" / "Mean days to complete a repair",
        ComplaintsUpheld => "complaints_upheld_percent" / "Complaints upheld or partly upheld (%)",
        WithNeed => "with_need_percent" / "People with a recorded need (%)",
    }
}

/// What one person's records show, gathered inside the gate for the
/// service-equity report and never published person by person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonOutcomes {
    /// Contact log entries about the person.
    pub contacts: u64,
    /// Cases the person is a party to.
    pub cases: u64,
    /// Days to complete each completed repair the person is a party to.
    pub repair_days: Vec<i64>,
    /// Complaints by or about the person with a decision (upheld or not).
    pub complaints_decided: u64,
    /// Of those, upheld or partly upheld.
    pub complaints_upheld: u64,
    /// Whether the person has a current recorded need.
    pub has_need: bool,
}

/// One published outcome measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Measure {
    /// Hidden: the group, or what the measure rests on, is too small to show.
    Suppressed,
    /// Nothing to measure (no people, repairs or complaints in the group).
    NoData,
    /// Rounded to one decimal place.
    Shown(f64),
}

/// The outcome measures of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupMeasures {
    pub contacts_per_person: Measure,
    pub cases_per_person: Measure,
    pub mean_days_to_complete_repair: Measure,
    pub complaints_upheld_percent: Measure,
    pub with_need_percent: Measure,
}

impl GroupMeasures {
    fn all(m: Measure) -> GroupMeasures {
        GroupMeasures {
            contacts_per_person: m,
            cases_per_person: m,
            mean_days_to_complete_repair: m,
            complaints_upheld_percent: m,
            with_need_percent: m,
        }
    }

    /// Each measure with its name, in [`OutcomeMeasure::ALL`] order.
    pub fn list(&self) -> [(OutcomeMeasure, Measure); 5] {
        [
            (OutcomeMeasure::ContactsPerPerson, self.contacts_per_person),
            (OutcomeMeasure::CasesPerPerson, self.cases_per_person),
            (OutcomeMeasure::RepairDays, self.mean_days_to_complete_repair),
            (OutcomeMeasure::ComplaintsUpheld, self.complaints_upheld_percent),
            (OutcomeMeasure::WithNeed, self.with_need_percent),
        ]
    }
}

/// One group (an answer, "prefer not to say" or "not asked") of one characteristic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EquityGroup {
    /// The answer's vocabulary spelling, or `prefer_not_to_say` / `not_asked`.
    pub value: String,
    pub label: String,
    pub people: Cell,
    pub measures: GroupMeasures,
}

/// The service-equity table of one characteristic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EquityTable {
    pub characteristic: Characteristic,
    pub label: String,
    pub groups: Vec<EquityGroup>,
    /// People with a capture, after disclosure control.
    pub total: Cell,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn mean(sum: u64, n: u64) -> Measure {
    if n == 0 {
        Measure::NoData
    } else {
        Measure::Shown(round1(sum as f64 / n as f64))
    }
}

/// A share that hides itself when either part (those with, those without)
/// is a small count, so the share cannot point at a few people.
fn share(sdc: &DisclosureControl, part: u64, whole: u64) -> Measure {
    if whole == 0 {
        Measure::NoData
    } else if sdc.is_small(whole) || sdc.is_small(part) || sdc.is_small(whole - part) {
        Measure::Suppressed
    } else {
        Measure::Shown(round1(100.0 * part as f64 / whole as f64))
    }
}

fn measures(sdc: &DisclosureControl, group: &[&PersonOutcomes]) -> GroupMeasures {
    let n = group.len() as u64;
    let repair_days: Vec<i64> = group.iter().flat_map(|o| o.repair_days.iter().copied()).collect();
    let repairs = repair_days.len() as u64;
    let decided: u64 = group.iter().map(|o| o.complaints_decided).sum();
    let upheld: u64 = group.iter().map(|o| o.complaints_upheld).sum();
    GroupMeasures {
        contacts_per_person: mean(group.iter().map(|o| o.contacts).sum(), n),
        cases_per_person: mean(group.iter().map(|o| o.cases).sum(), n),
        mean_days_to_complete_repair: if sdc.is_small(repairs) {
            Measure::Suppressed
        } else {
            mean(repair_days.iter().map(|d| (*d).max(0) as u64).sum(), repairs)
        },
        complaints_upheld_percent: share(sdc, upheld, decided),
        with_need_percent: share(sdc, group.iter().filter(|o| o.has_need).count() as u64, n),
    }
}

/// The groups of a characteristic, in report order: its answers, then
/// "prefer not to say" and "not asked".
pub fn groups(c: Characteristic) -> Vec<(&'static str, &'static str)> {
    let mut g = options(c);
    g.push(("prefer_not_to_say", "Prefer not to say"));
    g.push(("not_asked", "Not asked"));
    g
}

/// Compares service outcomes across the groups of every characteristic.
/// Group sizes go through [`protect_row`] (with its secondary suppression);
/// a group whose size is hidden has every measure hidden, and a measure
/// resting on a small number of people or events is hidden too. Free-text
/// "other" descriptions are never used: "other" is one group.
pub fn service_equity(people: &[(EdiRecord, PersonOutcomes)], sdc: &DisclosureControl) -> Vec<EquityTable> {
    Characteristic::ALL
        .iter()
        .map(|&c| {
            let keys = groups(c);
            let mut buckets: Vec<Vec<&PersonOutcomes>> = vec![Vec::new(); keys.len()];
            for (record, outcomes) in people {
                let key = match record.answer(c) {
                    Answer::Recorded { value, .. } => value.as_str(),
                    Answer::PreferNotToSay => "prefer_not_to_say",
                    Answer::NotAsked => "not_asked",
                };
                if let Some(i) = keys.iter().position(|(k, _)| *k == key) {
                    buckets[i].push(outcomes);
                }
            }
            let counts: Vec<u64> = buckets.iter().map(|b| b.len() as u64).collect();
            let row = protect_row(sdc, &counts);
            let groups = keys
                .iter()
                .zip(&buckets)
                .zip(&row.cells)
                .map(|(((value, label), bucket), cell)| EquityGroup {
                    value: (*value).to_string(),
                    label: (*label).to_string(),
                    people: *cell,
                    measures: match cell {
                        Cell::Suppressed => GroupMeasures::all(Measure::Suppressed),
                        Cell::Shown(_) if bucket.is_empty() => GroupMeasures::all(Measure::NoData),
                        Cell::Shown(_) => measures(sdc, bucket),
                    },
                })
                .collect();
            EquityTable { characteristic: c, label: c.label().to_string(), groups, total: row.total }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn shown(n: u64) -> Cell {
        Cell::Shown(n)
    }

    #[test]
    fn small_counts_are_suppressed_and_others_rounded() {
        let c = DisclosureControl::default();
        let row = protect_row(&c, &[0, 8, 12, 13, 100]);
        assert_eq!(row.cells, vec![shown(0), shown(10), shown(10), shown(15), shown(100)]);
        assert_eq!(row.total, shown(135));
    }

    #[test]
    fn a_lone_suppressed_cell_takes_the_next_smallest_with_it() {
        let c = DisclosureControl::default();
        let row = protect_row(&c, &[3, 40, 9, 0]);
        assert_eq!(row.cells, vec![Cell::Suppressed, shown(40), Cell::Suppressed, shown(0)]);
        assert_eq!(row.total, shown(50));
    }

    #[test]
    fn two_suppressed_cells_need_no_more() {
        let row = protect_row(&DisclosureControl::default(), &[3, 7, 20]);
        assert_eq!(row.cells, vec![Cell::Suppressed, Cell::Suppressed, shown(20)]);
    }

    #[test]
    fn a_lone_non_zero_cell_suppresses_the_total() {
        let row = protect_row(&DisclosureControl::default(), &[0, 5, 0]);
        assert_eq!(row.cells, vec![shown(0), Cell::Suppressed, shown(0)]);
        assert_eq!(row.total, Cell::Suppressed);
    }

    #[test]
    fn thresholds_come_from_the_config() {
        let c = DisclosureControl { suppress_up_to: 2, round_to: 10 };
        let row = protect_row(&c, &[3, 14, 26]);
        assert_eq!(row.cells, vec![shown(0), shown(10), shown(30)]);
    }

    #[test]
    fn age_band_turns_on_the_birthday() {
        assert_eq!(age_band(date(2000, 6, 15), date(2018, 6, 14)), AgeBand::Under18);
        assert_eq!(age_band(date(2000, 6, 15), date(2018, 6, 15)), AgeBand::From18To24);
        assert_eq!(age_band(date(1940, 1, 1), date(2026, 1, 1)), AgeBand::From75);
    }

    #[test]
    fn prefer_not_to_say_and_not_asked_are_distinct() {
        let a: EdiAnswers = serde_json::from_str(r#"{"sex":{"status":"prefer_not_to_say"}}"#).unwrap();
        assert_eq!(a.sex.status(), AnswerStatus::PreferNotToSay);
        assert_eq!(a.religion.status(), AnswerStatus::NotAsked);
        let r = EdiRecord::new(a, None, date(2026, 1, 1));
        assert_eq!(r.statuses().len(), Characteristic::ALL.len());
        assert_eq!(r.statuses()[0], (Characteristic::AgeBand, AnswerStatus::NotAsked));
    }

    #[test]
    fn validation_names_the_field() {
        let today = date(2026, 1, 1);
        let mut a = EdiAnswers { ethnicity: Answer::Recorded { value: "martian".into(), other: None }, ..Default::default() };
        assert_eq!(a.validate(today).unwrap_err().0[0].field, "ethnicity");
        a.ethnicity = Answer::Recorded { value: "other".into(), other: None };
        assert_eq!(a.validate(today).unwrap_err().0[0].field, "ethnicity");
        a.ethnicity = Answer::Recorded { value: "other".into(), other: Some("Invented group".into()) };
        assert!(a.validate(today).is_ok());
        a.pregnancy_maternity = Answer::Recorded { value: "pregnant".into(), other: None };
        assert_eq!(a.validate(today).unwrap_err().0[0].field, "pregnancy_valid_until");
        a.pregnancy_valid_until = Some(date(2026, 9, 1));
        assert!(a.validate(today).is_ok());
        a.interpreter_needed = Some(true);
        assert_eq!(a.validate(today).unwrap_err().0[0].field, "interpreter_needed");
    }

    fn outcomes(contacts: u64, need: bool) -> PersonOutcomes {
        PersonOutcomes { contacts, cases: 1, repair_days: vec![10], complaints_decided: 1, complaints_upheld: 0, has_need: need }
    }

    fn with_sex(value: &str) -> EdiRecord {
        let a = EdiAnswers { sex: Answer::Recorded { value: value.into(), other: None }, ..Default::default() };
        EdiRecord::new(a, None, date(2026, 1, 1))
    }

    #[test]
    fn equity_hides_small_groups_and_their_measures() {
        let mut people = Vec::new();
        for i in 0..20 {
            people.push((with_sex("female"), outcomes(2, i < 10)));
        }
        for _ in 0..3 {
            people.push((with_sex("male"), outcomes(50, true)));
        }
        people.push((EdiRecord::new(EdiAnswers::default(), None, date(2026, 1, 1)), outcomes(1, false)));
        let tables = service_equity(&people, &DisclosureControl::default());
        let sex = tables.iter().find(|t| t.characteristic == Characteristic::Sex).unwrap();
        let g = |v: &str| sex.groups.iter().find(|g| g.value == v).unwrap().clone();
        assert_eq!(g("female").people, Cell::Shown(20));
        assert_eq!(g("female").measures.contacts_per_person, Measure::Shown(2.0));
        assert_eq!(g("female").measures.with_need_percent, Measure::Shown(50.0));
        // 20 complaints decided, none upheld: the zero part is not small, so it shows.
        assert_eq!(g("female").measures.complaints_upheld_percent, Measure::Shown(0.0));
        assert_eq!(g("male").people, Cell::Suppressed);
        assert_eq!(g("male").measures, GroupMeasures::all(Measure::Suppressed), "nothing about a hidden group");
        // The lone "not asked" person is hidden, and with only two small groups the total stands.
        assert_eq!(g("not_asked").people, Cell::Suppressed);
        assert_eq!(g("prefer_not_to_say").measures.contacts_per_person, Measure::NoData);
        assert_eq!(sex.total, Cell::Shown(25));
    }

    #[test]
    fn a_share_resting_on_a_few_people_is_hidden() {
        let people: Vec<_> = (0..12).map(|i| (with_sex("female"), outcomes(1, i < 2))).collect();
        let tables = service_equity(&people, &DisclosureControl::default());
        let female = &tables[1].groups[0];
        assert_eq!(female.people, Cell::Shown(10));
        assert_eq!(female.measures.with_need_percent, Measure::Suppressed, "2 of 12 would point at two people");
        assert_eq!(female.measures.contacts_per_person, Measure::Shown(1.0));
    }

    #[test]
    fn disclosure_rules_are_read_and_checked() {
        assert_eq!(DisclosureControl::default(), DisclosureControl { suppress_up_to: 7, round_to: 5 });
        assert_eq!(
            DisclosureControl::parse(r#"{"suppress_up_to": 10, "round_to": 10}"#).unwrap(),
            DisclosureControl { suppress_up_to: 10, round_to: 10 }
        );
        let e = DisclosureControl::parse(r#"{"suppress_up_to": 0, "round_to": 0}"#).unwrap_err();
        assert_eq!(e.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["suppress_up_to", "round_to"]);
        assert!(DisclosureControl::parse(r#"{"suppress_up_to": 7, "round_to": 5, "threshold": 3}"#).is_err(), "unknown keys");
        assert!(DisclosureControl::parse("{}").is_err());
    }

    proptest! {
        #[test]
        fn equity_never_shows_a_small_group_or_a_measure_of_one(
            people in proptest::collection::vec((0usize..4, 0u64..5, any::<bool>(), 0u64..3, 0u64..3), 0..60)
        ) {
            let sdc = DisclosureControl::default();
            let values = ["female", "male", "prefer", "none"];
            let input: Vec<_> = people.iter().map(|(v, contacts, need, decided, upheld)| {
                let sex = match values[*v] {
                    "prefer" => Answer::PreferNotToSay,
                    "none" => Answer::NotAsked,
                    x => Answer::Recorded { value: x.into(), other: None },
                };
                let rec = EdiRecord::new(EdiAnswers { sex, ..Default::default() }, None, date(2026, 1, 1));
                let o = PersonOutcomes { contacts: *contacts, cases: 0, repair_days: vec![], complaints_decided: *decided,
                    complaints_upheld: (*upheld).min(*decided), has_need: *need };
                (rec, o)
            }).collect();
            let tables = service_equity(&input, &sdc);
            let sex = &tables[1];
            let mut suppressed = 0;
            for g in &sex.groups {
                let members: Vec<_> = input.iter().filter(|(r, _)| match r.answer(Characteristic::Sex) {
                    Answer::Recorded { value, .. } => *value == g.value,
                    Answer::PreferNotToSay => g.value == "prefer_not_to_say",
                    Answer::NotAsked => g.value == "not_asked",
                }).collect();
                let n = members.len() as u64;
                prop_assert!(!sdc.is_small(n) || g.people == Cell::Suppressed, "small group shown");
                if g.people == Cell::Suppressed {
                    suppressed += 1;
                    for (_, m) in g.measures.list() { prop_assert_eq!(m, Measure::Suppressed); }
                }
                let with_need = members.iter().filter(|(_, o)| o.has_need).count() as u64;
                if let Measure::Shown(_) = g.measures.with_need_percent {
                    prop_assert!(!sdc.is_small(with_need) && !sdc.is_small(n - with_need));
                }
                let decided: u64 = members.iter().map(|(_, o)| o.complaints_decided).sum();
                let upheld: u64 = members.iter().map(|(_, o)| o.complaints_upheld).sum();
                if let Measure::Shown(_) = g.measures.complaints_upheld_percent {
                    prop_assert!(!sdc.is_small(decided) && !sdc.is_small(upheld) && !sdc.is_small(decided - upheld));
                }
            }
            // One hidden group could be worked out from a shown total.
            prop_assert!(suppressed != 1 || sex.total == Cell::Suppressed);
        }

        #[test]
        fn protected_rows_never_reveal_a_small_count(counts in proptest::collection::vec(0u64..60, 1..8)) {
            let c = DisclosureControl::default();
            let row = protect_row(&c, &counts);
            prop_assert_eq!(row.cells.len(), counts.len());
            for (n, cell) in counts.iter().zip(&row.cells) {
                if let Cell::Shown(v) = cell {
                    // Nothing shown is a small count, and everything shown is rounded.
                    prop_assert!(*n == 0 || *n > c.suppress_up_to);
                    prop_assert_eq!(v % c.round_to, 0);
                    prop_assert!(v.abs_diff(*n) <= c.round_to / 2);
                } else {
                    prop_assert!(*n > 0);
                }
            }
            // A single suppressed cell could be derived from a shown total.
            let suppressed = row.cells.iter().filter(|c| **c == Cell::Suppressed).count();
            prop_assert!(suppressed != 1 || row.total == Cell::Suppressed);
            // Every small count is suppressed.
            for (n, cell) in counts.iter().zip(&row.cells) {
                if *n >= 1 && *n <= c.suppress_up_to {
                    prop_assert_eq!(*cell, Cell::Suppressed);
                }
            }
        }
    }
}
