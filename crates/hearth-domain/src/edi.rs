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

use crate::{FieldError, ValidationErrors};
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
    fn default() -> Self {
        DisclosureControl { suppress_up_to: 7, round_to: 5 }
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
        if n >= 1 && n <= self.suppress_up_to {
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

    proptest! {
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
