//! Sharing and disclosure: everything that leaves the landlord is justified
//! and recorded (seed 000 §§1.5.3, 2.6, 3.3.5; seed 003 "Sharing your
//! information", "CORE", "Fraud prevention"; seed 004 "Who can we pass your
//! information to", "Partnership arrangements").
//!
//! Owns: data-sharing agreements and when one is in force; the disclosure
//! register's entries (requests, decisions, corrections, extracts, returns),
//! which are only ever added to; the declared field list of each routine
//! recipient; and the codes the CORE lettings return uses. Pure rules only:
//! callers pass `today` in.

use crate::{
    error::{FieldError, ValidationErrors},
    retention::LawfulBasis,
    validate, Id,
};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// Who receives data: requesters of one-off disclosures, routine
    /// recipients of extracts, a group member, and the national returns.
    RecipientType {
        Police => "police" / "Police",
        LegalRepresentative => "legal_representative" / "Legal representative",
        SafeguardingAgency => "safeguarding_agency" / "Safeguarding agency",
        LocalAuthority => "local_authority" / "Local authority",
        Dwp => "dwp" / "Department for Work and Pensions",
        Other => "other" / "Other requester",
        RepairsContractor => "repairs_contractor" / "Repairs and maintenance contractor",
        SurveyCompany => "survey_company" / "Survey company",
        MailingHouse => "mailing_house" / "Mailing house",
        Utility => "utility" / "Utility company or Council Tax office (forwarding address)",
        SupportAgency => "support_agency" / "Support agency",
        GroupMember => "group_member" / "Another landlord in our group",
        CoreReturn => "core_return" / "CORE lettings return (national statistics)",
        Nfi => "nfi" / "National Fraud Initiative",
    }
}

impl RecipientType {
    /// Requesters who ask for a one-off disclosure (the request register).
    pub const REQUESTERS: &'static [RecipientType] = &[
        RecipientType::Police,
        RecipientType::LegalRepresentative,
        RecipientType::SafeguardingAgency,
        RecipientType::LocalAuthority,
        RecipientType::Dwp,
        RecipientType::Other,
    ];

    /// Routine recipients of minimal extracts, each under an agreement.
    pub const ROUTINE: &'static [RecipientType] = &[
        RecipientType::RepairsContractor,
        RecipientType::SurveyCompany,
        RecipientType::MailingHouse,
        RecipientType::Utility,
        RecipientType::SupportAgency,
        RecipientType::GroupMember,
    ];

    /// The declared field list of an extract for this recipient: the file
    /// has exactly these columns, in this order, and nothing else.
    pub fn extract_fields(self) -> &'static [ExtractField] {
        use ExtractField::*;
        match self {
            RecipientType::RepairsContractor => &[Name, AddressLine1, Postcode, Phone],
            RecipientType::SurveyCompany => &[GivenName, Email, Phone],
            RecipientType::MailingHouse => &[Name, AddressLine1, AddressLine2, Town, Postcode],
            RecipientType::Utility => &[Name, AddressLine1, AddressLine2, Town, Postcode],
            RecipientType::SupportAgency => &[Name, Phone, Email, AddressLine1, Postcode],
            RecipientType::GroupMember => &[Name, DateOfBirth, AddressLine1, Postcode, Phone, Email],
            RecipientType::Nfi => &NFI_FIELDS,
            _ => &[],
        }
    }

    /// What a person's choices rule out for this recipient, beyond the
    /// objection to sharing and a restriction of processing, which rule out
    /// every extract.
    pub fn needs(self) -> ExtractCondition {
        match self {
            RecipientType::MailingHouse => ExtractCondition::MarketingConsent,
            RecipientType::SurveyCompany => ExtractCondition::NotWithdrawnFromSurveys,
            RecipientType::SupportAgency => ExtractCondition::SupportAgencyConsent,
            _ => ExtractCondition::None,
        }
    }
}

/// What, beyond no objection and no restriction, a person's record needs to
/// be in an extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtractCondition {
    None,
    /// Marketing consent given and current, no opt-out, no objection to direct marketing.
    MarketingConsent,
    /// Consent to research and surveys not withdrawn.
    NotWithdrawnFromSurveys,
    /// Consent to share with support agencies given and current.
    SupportAgencyConsent,
}

crate::vocabulary! {
    /// A column an extract may carry.
    ExtractField {
        Name => "name" / "Name",
        GivenName => "given_name" / "Given name",
        FamilyName => "family_name" / "Family name",
        DateOfBirth => "date_of_birth" / "Date of birth",
        NiNumber => "ni_number" / "National Insurance number",
        AddressLine1 => "address_line1" / "Address line 1",
        AddressLine2 => "address_line2" / "Address line 2",
        Town => "town" / "Town",
        Postcode => "postcode" / "Postcode",
        Phone => "phone" / "Phone",
        Email => "email" / "Email",
        TenancyReference => "tenancy_reference" / "Tenancy reference",
        TenancyStart => "tenancy_start" / "Tenancy start date",
        TenancyEnd => "tenancy_end" / "Tenancy end date",
    }
}

/// The National Fraud Initiative's housing tenants data set (seed 003
/// "Fraud prevention"): the fields the Cabinet Office specification asks for.
pub const NFI_FIELDS: [ExtractField; 12] = [
    ExtractField::TenancyReference,
    ExtractField::GivenName,
    ExtractField::FamilyName,
    ExtractField::DateOfBirth,
    ExtractField::NiNumber,
    ExtractField::AddressLine1,
    ExtractField::AddressLine2,
    ExtractField::Town,
    ExtractField::Postcode,
    ExtractField::TenancyStart,
    ExtractField::TenancyEnd,
    ExtractField::Phone,
];

crate::vocabulary! {
    /// The exemption (DPA 2018 Sch. 2) or ground a disclosure rests on.
    DisclosureExemption {
        CrimePrevention => "crime_prevention" / "Prevention or detection of crime (DPA 2018 Sch. 2 para. 2)",
        LegalClaims => "legal_claims" / "Legal proceedings and claims (DPA 2018 Sch. 2 para. 5)",
        Safeguarding => "safeguarding" / "Safeguarding a child or adult at risk (DPA 2018 Sch. 1 para. 18)",
        RequiredByLaw => "required_by_law" / "Required by law or court order (DPA 2018 Sch. 2 para. 5(1))",
        Taxation => "taxation" / "Assessment or collection of tax or benefits (DPA 2018 Sch. 2 para. 2)",
        VitalInterests => "vital_interests" / "Vital interests: life or serious harm",
        Consent => "consent" / "The person consented",
        Agreement => "agreement" / "Under a data-sharing agreement",
        LegalObligation => "legal_obligation" / "Statutory return or data-matching exercise",
    }
}

crate::vocabulary! {
    /// The kind of entry in the disclosure register.
    DisclosureEntryKind {
        Request => "request" / "Request received",
        Decision => "decision" / "Decision",
        Correction => "correction" / "Correction",
        Extract => "extract" / "Extract sent",
        Return => "return" / "National return",
    }
}

crate::vocabulary! {
    /// The decision on a disclosure request.
    DisclosureDecision {
        Approved => "approved" / "Approved",
        Partly => "partly" / "Partly approved",
        Refused => "refused" / "Refused",
    }
}

crate::vocabulary! {
    AgreementStatus {
        Active => "active" / "Active",
        Ended => "ended" / "Ended",
    }
}

/// A landlord in the group. One is this landlord (the default); the others
/// are group members data goes to only under an agreement naming them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub id: Id,
    pub name: String,
    /// The landlord running this Hearth: people are on its records unless moved.
    pub is_default: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisationInput {
    pub name: String,
}

impl OrganisationInput {
    pub fn validate(&self) -> Result<String, ValidationErrors> {
        Ok(validate::name("name", &self.name, "organisation's name")?)
    }
}

/// A data-sharing agreement with a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharingAgreement {
    pub id: Id,
    /// DSA-000001.
    pub reference: String,
    pub partner: String,
    /// Set when the partner is a landlord in our group.
    pub partner_organisation_id: Option<Id>,
    pub recipient_type: RecipientType,
    pub purpose: String,
    pub lawful_basis: LawfulBasis,
    pub data_categories: Vec<String>,
    pub transfer_method: String,
    pub security_requirements: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub starts_on: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub expires_on: Date,
    /// Who answers for the agreement on our side.
    pub owner: String,
    pub status: AgreementStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub ended_on: Option<Date>,
    pub ended_reason: Option<String>,
    pub version: i64,
}

impl SharingAgreement {
    /// Why nothing may be shared under this agreement on `today`, if so.
    pub fn not_in_force(&self, today: Date) -> Option<String> {
        if self.status == AgreementStatus::Ended {
            Some(format!("Agreement {} was ended on {}", self.reference, self.ended_on.map(|d| d.to_string()).unwrap_or_default()))
        } else if today < self.starts_on {
            Some(format!("Agreement {} does not start until {}", self.reference, self.starts_on))
        } else if today > self.expires_on {
            Some(format!("Agreement {} expired on {}: renew it before sharing under it", self.reference, self.expires_on))
        } else {
            None
        }
    }
}

/// An agreement as entered.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreementInput {
    pub partner: String,
    pub partner_organisation_id: Option<Id>,
    /// One of the routine recipient types (e.g. repairs_contractor, group_member).
    pub recipient_type: String,
    pub purpose: String,
    /// consent, contract, legal_obligation, vital_interests, public_task or legitimate_interests.
    pub lawful_basis: String,
    pub data_categories: Vec<String>,
    pub transfer_method: String,
    pub security_requirements: String,
    /// YYYY-MM-DD.
    pub starts_on: String,
    /// YYYY-MM-DD.
    pub expires_on: String,
    pub owner: String,
}

/// A validated agreement, ready to store.
#[derive(Debug, Clone)]
pub struct AgreementFields {
    pub partner: String,
    pub partner_organisation_id: Option<Id>,
    pub recipient_type: RecipientType,
    pub purpose: String,
    pub lawful_basis: LawfulBasis,
    pub data_categories: Vec<String>,
    pub transfer_method: String,
    pub security_requirements: String,
    pub starts_on: Date,
    pub expires_on: Date,
    pub owner: String,
}

fn required_text(errors: &mut ValidationErrors, field: &str, value: &str, max: usize, what: &str) -> String {
    match validate::optional_text(field, Some(value), max, what) {
        Ok(Some(v)) => v,
        Ok(None) => {
            errors.push(FieldError::new(field, format!("Enter the {what}")));
            String::new()
        }
        Err(e) => {
            errors.push(e);
            String::new()
        }
    }
}

impl AgreementInput {
    pub fn validate(&self) -> Result<AgreementFields, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let partner = required_text(&mut e, "partner", &self.partner, 200, "partner's name");
        let recipient_type = RecipientType::parse(self.recipient_type.trim()).filter(|r| RecipientType::ROUTINE.contains(r));
        if recipient_type.is_none() {
            let names: Vec<_> = RecipientType::ROUTINE.iter().map(|r| r.as_str()).collect();
            e.push(FieldError::new("recipient_type", format!("Choose the kind of recipient: {}", names.join(", "))));
        }
        if recipient_type == Some(RecipientType::GroupMember) && self.partner_organisation_id.is_none() {
            e.push(FieldError::new("partner_organisation_id", "Name the group member this agreement is with"));
        }
        let purpose = required_text(&mut e, "purpose", &self.purpose, 1000, "purpose of the sharing");
        let lawful_basis = LawfulBasis::parse(self.lawful_basis.trim());
        if lawful_basis.is_none() {
            e.push(FieldError::new("lawful_basis", "Choose the lawful basis (UK GDPR Art. 6)"));
        }
        let mut data_categories = Vec::new();
        for (i, c) in self.data_categories.iter().enumerate() {
            match validate::optional_text(&format!("data_categories[{i}]"), Some(c), 100, "data category") {
                Ok(Some(v)) => data_categories.push(v.replace(',', ";")),
                Ok(None) => {}
                Err(err) => e.push(err),
            }
        }
        if data_categories.is_empty() {
            e.push(FieldError::new("data_categories", "List the categories of data shared"));
        }
        let transfer_method = required_text(&mut e, "transfer_method", &self.transfer_method, 200, "transfer method");
        let security_requirements =
            required_text(&mut e, "security_requirements", &self.security_requirements, 2000, "security requirements");
        let starts_on = validate::iso_date("starts_on", self.starts_on.trim(), "The start date").map_err(|x| e.push(x)).ok();
        let expires_on = validate::iso_date("expires_on", self.expires_on.trim(), "The expiry date").map_err(|x| e.push(x)).ok();
        if let (Some(s), Some(x)) = (starts_on, expires_on) {
            if x < s {
                e.push(FieldError::new("expires_on", "The expiry date must be on or after the start date"));
            }
        }
        let owner = required_text(&mut e, "owner", &self.owner, 200, "agreement owner");
        e.into_result()?;
        Ok(AgreementFields {
            partner,
            partner_organisation_id: self.partner_organisation_id,
            recipient_type: recipient_type.expect("checked"),
            purpose,
            lawful_basis: lawful_basis.expect("checked"),
            data_categories,
            transfer_method,
            security_requirements,
            starts_on: starts_on.expect("checked"),
            expires_on: expires_on.expect("checked"),
            owner,
        })
    }
}

/// One entry of the disclosure register. Entries are never changed: a
/// decision or a correction is a new entry that refers to an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisclosureEntry {
    pub id: Id,
    /// DIS-000001.
    pub reference: String,
    pub kind: DisclosureEntryKind,
    /// The entry this decides or corrects.
    pub refers_to: Option<Id>,
    pub recipient_type: RecipientType,
    /// The requester or recipient, by name.
    pub recipient: String,
    /// How the requester's identity and authority were checked.
    pub verification: Option<String>,
    pub exemption: Option<DisclosureExemption>,
    pub agreement_id: Option<Id>,
    pub decision: Option<DisclosureDecision>,
    /// What was asked for, why it was decided so, or what the correction says.
    pub detail: String,
    /// The people whose data this concerns (left, for a decision or extract).
    pub person_ids: Vec<Id>,
    /// Exactly which records and fields left.
    pub fields: Vec<String>,
    /// How it left (secure email, portal, by hand…).
    pub method: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub disclosed_on: Option<Date>,
    pub recorded_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
}

/// An entry as the store writes it.
#[derive(Debug, Clone)]
pub struct NewDisclosure {
    pub kind: DisclosureEntryKind,
    pub refers_to: Option<Id>,
    pub recipient_type: RecipientType,
    pub recipient: String,
    pub verification: Option<String>,
    pub exemption: Option<DisclosureExemption>,
    pub agreement_id: Option<Id>,
    pub decision: Option<DisclosureDecision>,
    pub detail: String,
    pub person_ids: Vec<Id>,
    pub fields: Vec<String>,
    pub method: Option<String>,
    pub disclosed_on: Option<Date>,
}

/// A disclosure request received from a third party.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisclosureRequestInput {
    /// police, legal_representative, safeguarding_agency, local_authority, dwp or other.
    pub requester_type: String,
    pub requester: String,
    /// How the requester's identity and authority were checked.
    pub verification: String,
    /// The exemption claimed, e.g. crime_prevention, legal_claims, safeguarding.
    pub exemption: String,
    /// What is asked for, and why.
    pub detail: String,
    /// The people the request is about.
    pub person_ids: Vec<Id>,
}

impl DisclosureRequestInput {
    pub fn validate(&self) -> Result<NewDisclosure, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let rt = RecipientType::parse(self.requester_type.trim()).filter(|r| RecipientType::REQUESTERS.contains(r));
        if rt.is_none() {
            let names: Vec<_> = RecipientType::REQUESTERS.iter().map(|r| r.as_str()).collect();
            e.push(FieldError::new("requester_type", format!("Choose who is asking: {}", names.join(", "))));
        }
        let recipient = required_text(&mut e, "requester", &self.requester, 200, "requester's name and organisation");
        let verification = required_text(&mut e, "verification", &self.verification, 1000, "check of the requester's identity");
        let exemption = DisclosureExemption::parse(self.exemption.trim());
        if exemption.is_none() {
            e.push(FieldError::new("exemption", "Choose the exemption claimed"));
        }
        let detail = required_text(&mut e, "detail", &self.detail, 4000, "what is asked for");
        if self.person_ids.is_empty() {
            e.push(FieldError::new("person_ids", "Name at least one person the request is about"));
        }
        e.into_result()?;
        Ok(NewDisclosure {
            kind: DisclosureEntryKind::Request,
            refers_to: None,
            recipient_type: rt.expect("checked"),
            recipient,
            verification: Some(verification),
            exemption,
            agreement_id: None,
            decision: None,
            detail,
            person_ids: dedup(&self.person_ids),
            fields: vec![],
            method: None,
            disclosed_on: None,
        })
    }
}

/// The decision on a request: what left, when and how.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisclosureDecisionInput {
    /// approved, partly or refused.
    pub decision: String,
    pub reason: String,
    /// Exactly which records and fields left, e.g. "person 12: name, address".
    #[serde(default)]
    pub fields: Vec<String>,
    /// The people whose data left (a subset of those the request is about).
    #[serde(default)]
    pub person_ids: Vec<Id>,
    /// How it left; required unless refused.
    pub method: Option<String>,
    /// YYYY-MM-DD; required unless refused.
    pub disclosed_on: Option<String>,
}

/// Checks a decision against the request it answers.
pub fn check_disclosure_decision(
    request: &DisclosureEntry,
    input: &DisclosureDecisionInput,
    today: Date,
) -> Result<NewDisclosure, ValidationErrors> {
    let mut e = ValidationErrors::default();
    let decision = DisclosureDecision::parse(input.decision.trim());
    if decision.is_none() {
        e.push(FieldError::new("decision", "Choose approved, partly or refused"));
    }
    let reason = required_text(&mut e, "reason", &input.reason, 4000, "reason for the decision");
    let refused = decision == Some(DisclosureDecision::Refused);
    let mut fields = Vec::new();
    for (i, f) in input.fields.iter().enumerate() {
        match validate::optional_text(&format!("fields[{i}]"), Some(f), 300, "record and field") {
            Ok(Some(v)) => fields.push(v),
            Ok(None) => {}
            Err(err) => e.push(err),
        }
    }
    let person_ids = dedup(&input.person_ids);
    let method =
        validate::optional_text("method", input.method.as_deref(), 200, "method of disclosure").map_err(|x| e.push(x)).ok().flatten();
    let disclosed_on = match input.disclosed_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => validate::iso_date("disclosed_on", s, "The date of disclosure").map_err(|x| e.push(x)).ok(),
    };
    if refused {
        if !fields.is_empty() || !person_ids.is_empty() {
            e.push(FieldError::new("fields", "A refusal discloses nothing: leave the records and fields empty"));
        }
    } else if decision.is_some() {
        if fields.is_empty() {
            e.push(FieldError::new("fields", "Say exactly which records and fields left"));
        }
        if person_ids.is_empty() {
            e.push(FieldError::new("person_ids", "Say whose data left"));
        }
        if let Some(p) = person_ids.iter().find(|p| !request.person_ids.contains(p)) {
            e.push(FieldError::new("person_ids", format!("Person {p} is not one the request is about")));
        }
        if method.is_none() {
            e.push(FieldError::new("method", "Say how the data left"));
        }
        if disclosed_on.is_none() && input.disclosed_on.as_deref().map(str::trim).unwrap_or("").is_empty() {
            e.push(FieldError::new("disclosed_on", "Enter the date the data left"));
        }
    }
    if disclosed_on.is_some_and(|d| d > today) {
        e.push(FieldError::new("disclosed_on", "The date of disclosure must be today or in the past"));
    }
    e.into_result()?;
    Ok(NewDisclosure {
        kind: DisclosureEntryKind::Decision,
        refers_to: Some(request.id),
        recipient_type: request.recipient_type,
        recipient: request.recipient.clone(),
        verification: None,
        exemption: request.exemption,
        agreement_id: None,
        decision,
        detail: reason,
        person_ids,
        fields,
        method,
        disclosed_on,
    })
}

/// A correction: a new entry saying what an earlier one got wrong.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisclosureCorrectionInput {
    /// What the earlier entry got wrong and what is right.
    pub text: String,
}

/// A request to generate an extract for a routine recipient.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtractInput {
    /// The agreement the extract is made under; it sets the recipient.
    pub agreement_id: Id,
    /// The people to include; those who object, are restricted or whose
    /// choices rule out this recipient are left out.
    pub person_ids: Vec<Id>,
    /// How the file is sent (defaults to the agreement's transfer method).
    pub method: Option<String>,
}

fn dedup(ids: &[Id]) -> Vec<Id> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// One CSV cell, quoted when needed; a leading formula character is
/// neutralised so a spreadsheet never runs a cell.
pub fn csv_cell(value: &str) -> String {
    let v = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_string() };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// A CSV file from a header and rows (CRLF line ends, RFC 4180).
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = header.iter().map(|h| csv_cell(h)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

// ---- CORE lettings return ----

/// The columns of the CORE lettings file, per letting: up to eight
/// household members (age, gender identity, relationship to the lead
/// tenant, working situation), the lead tenant's ethnicity and nationality,
/// disability and access needs, previous tenure, income and benefits.
pub const CORE_MEMBERS: usize = 8;

/// CORE's code for an answer refused or not known.
pub const CORE_REFUSED: &str = "R";

/// The CORE file's header.
pub fn core_header() -> Vec<String> {
    let mut h = vec!["letting".to_string(), "tenancy_start".into(), "tenure".into(), "household_size".into()];
    for i in 1..=CORE_MEMBERS {
        for f in ["age", "gender_identity", "relationship", "working_situation"] {
            h.push(format!("{f}{i}"));
        }
    }
    for f in ["lead_ethnicity", "lead_nationality", "disability", "access_needs", "previous_tenure", "income", "benefits"] {
        h.push(f.to_string());
    }
    h
}

/// CORE's gender identity code from the equality answers: F, M, X (other
/// or different from sex at birth is reported as X only when the person
/// answered both), or R.
pub fn core_gender(sex: &crate::edi::Answer, gender: &crate::edi::Answer) -> &'static str {
    use crate::edi::Answer::Recorded;
    match (sex, gender) {
        (_, Recorded { value, .. }) if value == "different" || value == "other" => "X",
        (Recorded { value, .. }, _) if value == "female" => "F",
        (Recorded { value, .. }, _) if value == "male" => "M",
        _ => CORE_REFUSED,
    }
}

/// CORE's ethnic group code (the 2021 groups, numbered as in the return).
pub fn core_ethnicity(a: &crate::edi::Answer) -> &'static str {
    let crate::edi::Answer::Recorded { value, .. } = a else { return CORE_REFUSED };
    match value.as_str() {
        "white_british" => "1",
        "white_irish" => "2",
        "white_gypsy_irish_traveller" => "3",
        "white_other" | "white_roma" => "4",
        "mixed_white_black_caribbean" => "5",
        "mixed_white_black_african" => "6",
        "mixed_white_asian" => "7",
        "mixed_other" => "8",
        "asian_indian" => "9",
        "asian_pakistani" => "10",
        "asian_bangladeshi" => "11",
        "asian_chinese" => "12",
        "asian_other" => "13",
        "black_caribbean" => "14",
        "black_african" => "15",
        "black_other" => "16",
        "other_arab" => "17",
        "other" => "18",
        _ => CORE_REFUSED,
    }
}

/// CORE's disability answer: 1 yes, 2 no, R refused or not known.
pub fn core_disability(a: &crate::edi::Answer) -> &'static str {
    match a {
        crate::edi::Answer::Recorded { value, .. } if value.starts_with("yes") => "1",
        crate::edi::Answer::Recorded { value, .. } if value == "no" => "2",
        _ => CORE_REFUSED,
    }
}

/// CORE's relationship to the lead tenant: P partner (joint tenant), C
/// child, X other, R not known.
pub fn core_relationship(role: crate::property::HouseholdRole) -> &'static str {
    use crate::property::HouseholdRole::*;
    match role {
        JointTenant => "P",
        Child => "C",
        HouseholdMember | Licensee | Associate => "X",
        _ => CORE_REFUSED,
    }
}

// Landlords and the agreements between them name organisations, not people.
crate::holds_no_personal_data!(Organisation, SharingAgreement);

#[cfg(test)]
mod tests {
    use super::*;

    fn agreement(expires_on: Date, status: AgreementStatus) -> SharingAgreement {
        SharingAgreement {
            id: 1,
            reference: "DSA-000001".into(),
            partner: "Fixit Ltd".into(),
            partner_organisation_id: None,
            recipient_type: RecipientType::RepairsContractor,
            purpose: "Repairs".into(),
            lawful_basis: LawfulBasis::Contract,
            data_categories: vec!["name".into()],
            transfer_method: "portal".into(),
            security_requirements: "encrypted".into(),
            starts_on: jiff::civil::date(2025, 1, 1),
            expires_on,
            owner: "Head of repairs".into(),
            status,
            ended_on: None,
            ended_reason: None,
            version: 1,
        }
    }

    #[test]
    fn an_agreement_is_in_force_only_between_its_dates_and_until_ended() {
        let a = agreement(jiff::civil::date(2026, 1, 31), AgreementStatus::Active);
        assert!(a.not_in_force(jiff::civil::date(2026, 1, 31)).is_none());
        assert!(a.not_in_force(jiff::civil::date(2026, 2, 1)).unwrap().contains("expired"));
        assert!(a.not_in_force(jiff::civil::date(2024, 12, 31)).unwrap().contains("does not start"));
        let ended = agreement(jiff::civil::date(2030, 1, 1), AgreementStatus::Ended);
        assert!(ended.not_in_force(jiff::civil::date(2026, 1, 1)).unwrap().contains("ended"));
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv(&["x", "y"], &[vec!["1".into(), "say \"hi\"".into()]]), "x,y\r\n1,\"say \"\"hi\"\"\"\r\n");
    }

    #[test]
    fn no_routine_extract_carries_the_ni_number() {
        for r in RecipientType::ROUTINE {
            assert!(!r.extract_fields().contains(&ExtractField::NiNumber), "{r}");
            assert!(!r.extract_fields().is_empty(), "{r}");
        }
    }

    #[test]
    fn a_refusal_discloses_nothing_and_an_approval_says_what_left() {
        let req = DisclosureEntry {
            id: 5,
            reference: "DIS-000005".into(),
            kind: DisclosureEntryKind::Request,
            refers_to: None,
            recipient_type: RecipientType::Police,
            recipient: "PC 1".into(),
            verification: Some("warrant card".into()),
            exemption: Some(DisclosureExemption::CrimePrevention),
            agreement_id: None,
            decision: None,
            detail: "address".into(),
            person_ids: vec![7],
            fields: vec![],
            method: None,
            disclosed_on: None,
            recorded_by: "dpo".into(),
            recorded_at: Timestamp::UNIX_EPOCH,
        };
        let today = jiff::civil::date(2026, 1, 1);
        let refuse = DisclosureDecisionInput { decision: "refused".into(), reason: "no basis".into(), ..Default::default() };
        assert!(check_disclosure_decision(&req, &refuse, today).is_ok());
        let bare = DisclosureDecisionInput { decision: "approved".into(), reason: "ok".into(), ..Default::default() };
        let err = check_disclosure_decision(&req, &bare, today).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"fields") && fields.contains(&"method") && fields.contains(&"person_ids"), "{fields:?}");
        let other = DisclosureDecisionInput {
            decision: "approved".into(),
            reason: "ok".into(),
            fields: vec!["person 8: address".into()],
            person_ids: vec![8],
            method: Some("secure email".into()),
            disclosed_on: Some("2026-01-01".into()),
        };
        assert!(check_disclosure_decision(&req, &other, today).is_err());
    }
}

crate::classify! { DisclosureEntry as "disclosure" {
    keep: id, reference, kind, refers_to, recipient_type, recipient, exemption, agreement_id, decision, person_ids, fields, method,
        disclosed_on, recorded_by, recorded_at;
    verification: FreeText, detail: FreeText,
} }
