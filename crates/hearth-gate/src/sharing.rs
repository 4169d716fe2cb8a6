//! Gate operations for sharing and disclosure: the group's organisations,
//! data-sharing agreements, the disclosure register (requests, decisions,
//! corrections), minimal extracts for routine recipients, the CORE lettings
//! return and the National Fraud Initiative extract.
//!
//! All of it is kept in the `rights` compartment (record types
//! `organisation`, `sharing_agreement`, `disclosure`, `extract`,
//! `core_return`, `nfi_extract`), which the shipped policies give to the
//! data protection officer. Every extract and return is logged in the
//! disclosure register in the same transaction as its audit event, so
//! nothing leaves without an entry. Extracts leave out anyone who objects
//! to sharing or whose processing is restricted, and honour the consent and
//! marketing choices their recipient type depends on. Equality answers go
//! into the CORE return only (and only when a key is configured and the
//! policies allow the actor to export `edi` for it); into nothing else.

use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    consent::{consent_state, ConsentPurpose, ConsentState},
    edi::EdiRecord,
    error::FieldError,
    property::HouseholdRole,
    sharing::{
        check_disclosure_decision, core_disability, core_ethnicity, core_gender, core_header, core_relationship, AgreementInput,
        DisclosureCorrectionInput, DisclosureDecisionInput, DisclosureEntry, DisclosureEntryKind, DisclosureExemption,
        DisclosureRequestInput, ExtractCondition, ExtractField, ExtractInput, NewDisclosure, Organisation, OrganisationInput,
        RecipientType, SharingAgreement, CORE_MEMBERS, CORE_REFUSED, NFI_FIELDS,
    },
    validate, Id,
};
use hearth_store::sharing as q;
use hearth_store::sharing::ExtractSubject;
use hearth_store::Tx;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;

impl hearth_domain::classes::Project for DisclosureView {
    fn project(&mut self, permitted: hearth_domain::classes::ClassSet) {
        self.entry.project(permitted);
        self.follow_ups.project(permitted);
    }
}

/// A disclosure entry with the entries that decide or correct it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisclosureView {
    pub entry: DisclosureEntry,
    /// Decisions and corrections referring to this entry, oldest first.
    pub follow_ups: Vec<DisclosureEntry>,
}

/// Ending an agreement: it stays on record in the state "ended".
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndAgreement {
    pub version: i64,
    pub reason: String,
}

/// A person left out of an extract, and why.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeftOut {
    pub person_id: Id,
    pub reason: String,
}

/// A generated file and the register entry that records it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedFile {
    /// The disclosure register entry logging this file.
    pub disclosure_id: Id,
    pub file_name: String,
    /// The CSV text.
    pub csv: String,
    pub rows: usize,
    pub left_out: Vec<LeftOut>,
}

// An extract holds only the fields its agreement (or the return's
// specification) names, for the people it lists (see `Gate::extract`).
hearth_domain::assembled_in_the_gate!(SharedFile);

fn agreement_target(id: Id) -> Target {
    Target::of("sharing_agreement", id, None)
}

fn disclosure_target(id: Id, people: &[Id]) -> Target {
    Target::of("disclosure", id, if people.len() == 1 { Some(people[0]) } else { None })
}

fn cell(f: ExtractField, s: &ExtractSubject, tenancy: Option<&q::TenancyRow>) -> String {
    let addr = s.address.as_ref();
    match f {
        ExtractField::Name => format!("{} {}", s.given_name, s.family_name),
        ExtractField::GivenName => s.given_name.clone(),
        ExtractField::FamilyName => s.family_name.clone(),
        ExtractField::DateOfBirth => s.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
        ExtractField::NiNumber => s.ni_number.clone().unwrap_or_default(),
        ExtractField::AddressLine1 => addr.map(|a| a.0.clone()).unwrap_or_default(),
        ExtractField::AddressLine2 => addr.and_then(|a| a.1.clone()).unwrap_or_default(),
        ExtractField::Town => addr.and_then(|a| a.2.clone()).unwrap_or_default(),
        ExtractField::Postcode => addr.map(|a| a.3.clone()).unwrap_or_default(),
        ExtractField::Phone => s.phone.clone().unwrap_or_default(),
        ExtractField::Email => s.email.clone().unwrap_or_default(),
        ExtractField::TenancyReference => tenancy.map(|t| t.reference.clone()).unwrap_or_default(),
        ExtractField::TenancyStart => tenancy.map(|t| t.start_date.to_string()).unwrap_or_default(),
        ExtractField::TenancyEnd => tenancy.and_then(|t| t.end_date).map(|d| d.to_string()).unwrap_or_default(),
    }
}

/// Why a person may not be in an extract for `recipient`, if so.
async fn left_out_because(tx: &mut Tx, s: &ExtractSubject, recipient: RecipientType, today: Date) -> Result<Option<String>> {
    if s.restricted {
        return Ok(Some("processing restricted (Art. 18)".into()));
    }
    if s.objects_to_sharing && recipient != RecipientType::Nfi {
        return Ok(Some("objects to sharing".into()));
    }
    let consents = hearth_store::consent::consents_of(tx, s.person_id).await?;
    Ok(match recipient.needs() {
        ExtractCondition::None => None,
        ExtractCondition::MarketingConsent => {
            if s.marketing_opt_out {
                Some("opted out of marketing".into())
            } else if s.objects_to_marketing {
                Some("objects to direct marketing".into())
            } else if consent_state(&consents, ConsentPurpose::Marketing, today) != ConsentState::Given {
                Some("no current consent to marketing".into())
            } else {
                None
            }
        }
        ExtractCondition::NotWithdrawnFromSurveys => {
            matches!(consent_state(&consents, ConsentPurpose::ResearchSurveys, today), ConsentState::Withdrawn)
                .then(|| "withdrew consent to research and surveys".into())
        }
        ExtractCondition::SupportAgencyConsent => (consent_state(&consents, ConsentPurpose::ShareWithSupportAgencies, today)
            != ConsentState::Given)
            .then(|| "no current consent to sharing with support agencies".into()),
    })
}

impl Gate {
    // ---- organisations ----

    pub async fn organisations(&self, actor: &Actor) -> Result<Vec<Organisation>> {
        let target = Target::collection("organisation");
        self.guarded(actor, Action::List, Compartment::Rights, target, async |tx: &mut Tx| Ok((q::organisations(tx).await?, target, None)))
            .await
    }

    /// Adds another landlord of the group.
    pub async fn add_organisation(&self, actor: &Actor, input: &OrganisationInput) -> Result<Organisation> {
        let name = input.validate()?;
        self.guarded(actor, Action::Create, Compartment::Rights, Target::collection("organisation"), async |tx: &mut Tx| {
            let o = q::insert_organisation(tx, &name, Timestamp::now()).await?;
            Ok((o.clone(), Target::of("organisation", o.id, None), Some(json!({ "new": o }))))
        })
        .await
    }

    // ---- agreements ----

    pub async fn create_agreement(&self, actor: &Actor, input: &AgreementInput) -> Result<SharingAgreement> {
        let fields = input.validate()?;
        self.guarded(actor, Action::Create, Compartment::Rights, Target::collection("sharing_agreement"), async |tx: &mut Tx| {
            if let Some(org) = fields.partner_organisation_id {
                let o = q::organisation(tx, org).await.map_err(|_| FieldError::new("partner_organisation_id", "No such organisation"))?;
                if o.is_default {
                    return Err(FieldError::new("partner_organisation_id", "That is this landlord: name another group member").into());
                }
            }
            let a = q::insert_agreement(tx, &fields, actor.user_id, Timestamp::now()).await?;
            Ok((a.clone(), agreement_target(a.id), Some(json!({ "new": a }))))
        })
        .await
    }

    pub async fn agreements(&self, actor: &Actor) -> Result<Vec<SharingAgreement>> {
        let target = Target::collection("sharing_agreement");
        self.guarded(actor, Action::List, Compartment::Rights, target, async |tx: &mut Tx| Ok((q::agreements(tx).await?, target, None)))
            .await
    }

    pub async fn agreement(&self, actor: &Actor, id: Id) -> Result<SharingAgreement> {
        self.guarded(actor, Action::View, Compartment::Rights, agreement_target(id), async |tx: &mut Tx| {
            Ok((q::agreement(tx, id).await?, agreement_target(id), None))
        })
        .await
    }

    /// Ends an agreement today: nothing more may be shared under it.
    pub async fn end_agreement(&self, actor: &Actor, id: Id, end: &EndAgreement) -> Result<SharingAgreement> {
        let reason = validate::name("reason", &end.reason, "reason the agreement ends")?;
        self.guarded(actor, Action::Edit, Compartment::Rights, agreement_target(id), async |tx: &mut Tx| {
            let old = q::agreement(tx, id).await?;
            let a = q::end_agreement(tx, id, end.version, Gate::today(), &reason).await?;
            Ok((a.clone(), agreement_target(id), crate::change(&old, &a)))
        })
        .await
    }

    // ---- the disclosure register ----

    async fn check_people(&self, tx: &mut Tx, ids: &[Id]) -> Result<()> {
        for (i, p) in ids.iter().enumerate() {
            if hearth_store::people::person(tx, *p).await.is_err() {
                return Err(FieldError::new(format!("person_ids[{i}]"), format!("No person {p} on record")).into());
            }
        }
        Ok(())
    }

    /// Logs a disclosure request received from a third party.
    pub async fn record_disclosure_request(&self, actor: &Actor, input: &DisclosureRequestInput) -> Result<DisclosureView> {
        let new = input.validate()?;
        self.guarded(actor, Action::Create, Compartment::Rights, Target::collection("disclosure"), async |tx: &mut Tx| {
            self.check_people(tx, &new.person_ids).await?;
            let e = q::append_disclosure(tx, &new, actor.user_id, Timestamp::now()).await?;
            let target = disclosure_target(e.id, &e.person_ids);
            Ok((DisclosureView { entry: e.clone(), follow_ups: vec![] }, target, Some(json!({ "new": e }))))
        })
        .await
    }

    /// Decides a request: approved, partly or refused, saying exactly what
    /// left, when and how. The decision is a new entry; a request is decided
    /// once, and later changes are corrections.
    pub async fn decide_disclosure(&self, actor: &Actor, id: Id, input: &DisclosureDecisionInput) -> Result<DisclosureView> {
        let target = Target::of("disclosure_decision", id, None);
        self.guarded(actor, Action::Edit, Compartment::Rights, target, async |tx: &mut Tx| {
            let request = q::disclosure(tx, id).await?;
            if request.kind != DisclosureEntryKind::Request {
                return Err(FieldError::new("decision", "Only a request is decided; this entry is not one").into());
            }
            if q::follow_ups(tx, id).await?.iter().any(|f| f.kind == DisclosureEntryKind::Decision) {
                return Err(FieldError::new("decision", "This request has been decided: record a correction instead").into());
            }
            let new = check_disclosure_decision(&request, input, Gate::today())?;
            let e = q::append_disclosure(tx, &new, actor.user_id, Timestamp::now()).await?;
            let view = DisclosureView { entry: request, follow_ups: q::follow_ups(tx, id).await? };
            Ok((view, disclosure_target(e.id, &e.person_ids), Some(json!({ "new": e }))))
        })
        .await
    }

    /// Corrects an entry by adding one that says what was wrong.
    pub async fn correct_disclosure(&self, actor: &Actor, id: Id, input: &DisclosureCorrectionInput) -> Result<DisclosureView> {
        let text = validate::optional_text("text", Some(&input.text), 4000, "correction")?
            .ok_or_else(|| FieldError::new("text", "Say what the entry got wrong and what is right"))?;
        self.guarded(actor, Action::Create, Compartment::Rights, Target::collection("disclosure"), async |tx: &mut Tx| {
            let original = q::disclosure(tx, id).await?;
            let new = NewDisclosure {
                kind: DisclosureEntryKind::Correction,
                refers_to: Some(id),
                recipient_type: original.recipient_type,
                recipient: original.recipient.clone(),
                verification: None,
                exemption: None,
                agreement_id: None,
                decision: None,
                detail: text,
                person_ids: vec![],
                fields: vec![],
                method: None,
                disclosed_on: None,
            };
            let e = q::append_disclosure(tx, &new, actor.user_id, Timestamp::now()).await?;
            let view = DisclosureView { entry: original, follow_ups: q::follow_ups(tx, id).await? };
            Ok((view, disclosure_target(e.id, &[]), Some(json!({ "new": e }))))
        })
        .await
    }

    pub async fn disclosures(&self, actor: &Actor) -> Result<Vec<DisclosureEntry>> {
        let target = Target::collection("disclosure");
        self.guarded(actor, Action::List, Compartment::Rights, target, async |tx: &mut Tx| {
            let list = q::disclosures(tx, 500).await?;
            let ids: Vec<Id> = list.iter().map(|d| d.id).collect();
            Ok((list, target, Some(json!({ "returned": ids }))))
        })
        .await
    }

    pub async fn disclosure(&self, actor: &Actor, id: Id) -> Result<DisclosureView> {
        self.guarded(actor, Action::View, Compartment::Rights, Target::of("disclosure", id, None), async |tx: &mut Tx| {
            let entry = q::disclosure(tx, id).await?;
            let follow_ups = q::follow_ups(tx, id).await?;
            let target = disclosure_target(id, &entry.person_ids);
            Ok((DisclosureView { entry, follow_ups }, target, None))
        })
        .await
    }

    // ---- extracts ----

    /// Generates a minimal extract for the recipient of an agreement in
    /// force: only the recipient type's declared fields, only people whose
    /// choices allow it, logged in the register.
    pub async fn extract(&self, actor: &Actor, input: &ExtractInput) -> Result<SharedFile> {
        let method = validate::optional_text("method", input.method.as_deref(), 200, "method of transfer")?;
        if input.person_ids.is_empty() {
            return Err(FieldError::new("person_ids", "Name the people to include").into());
        }
        if input.person_ids.len() > 10_000 {
            return Err(FieldError::new("person_ids", "At most 10,000 people in one extract").into());
        }
        let target = Target::collection("extract");
        self.guarded(actor, Action::Export, Compartment::Rights, target, async |tx: &mut Tx| {
            let today = Gate::today();
            let agreement = q::agreement(tx, input.agreement_id).await.map_err(|e| match e {
                hearth_store::StoreError::NotFound => GateError::from(FieldError::new("agreement_id", "No such agreement")),
                other => other.into(),
            })?;
            if let Some(why) = agreement.not_in_force(today) {
                return Err(FieldError::new("agreement_id", why).into());
            }
            let recipient = agreement.recipient_type;
            let fields = recipient.extract_fields();
            let mut ids = input.person_ids.clone();
            ids.sort_unstable();
            ids.dedup();
            self.check_people(tx, &ids).await?;
            let mut rows = Vec::new();
            let mut included = Vec::new();
            let mut left_out = Vec::new();
            for id in ids {
                let s = q::extract_subject(tx, id, today).await?;
                let mut why = left_out_because(tx, &s, recipient, today).await?;
                // Between group members, only people on our own records go, and only to the member the agreement names.
                if why.is_none() && recipient == RecipientType::GroupMember && Some(s.organisation_id) == agreement.partner_organisation_id
                {
                    why = Some("already on the group member's records".into());
                }
                match why {
                    Some(reason) => left_out.push(LeftOut { person_id: id, reason }),
                    None => {
                        rows.push(fields.iter().map(|f| cell(*f, &s, None)).collect::<Vec<_>>());
                        included.push(id);
                    }
                }
            }
            let header: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
            let csv = hearth_domain::sharing::csv(&header, &rows);
            let new = NewDisclosure {
                kind: DisclosureEntryKind::Extract,
                refers_to: None,
                recipient_type: recipient,
                recipient: agreement.partner.clone(),
                verification: None,
                exemption: Some(DisclosureExemption::Agreement),
                agreement_id: Some(agreement.id),
                decision: None,
                detail: format!(
                    "Extract under {} for {}: {} people, {} left out",
                    agreement.reference,
                    agreement.purpose,
                    included.len(),
                    left_out.len()
                ),
                person_ids: included.clone(),
                fields: header.iter().map(|h| h.to_string()).collect(),
                method: method.clone().or_else(|| Some(agreement.transfer_method.clone())),
                disclosed_on: Some(today),
            };
            let e = q::append_disclosure(tx, &new, actor.user_id, Timestamp::now()).await?;
            let file = SharedFile {
                disclosure_id: e.id,
                file_name: format!("{}-{}-{today}.csv", recipient.as_str(), agreement.reference),
                csv,
                rows: included.len(),
                left_out,
            };
            let detail = json!({ "disclosure": e.id, "agreement": agreement.id, "fields": header, "people": included });
            Ok((file, Target::of("extract", e.id, None), Some(detail)))
        })
        .await
    }

    // ---- the National Fraud Initiative ----

    /// The NFI housing tenants extract: the declared field set for the
    /// tenants of current tenancies. Objections to sharing do not apply to
    /// the data-matching exercise (a legal gateway); a restriction does.
    pub async fn nfi_extract(&self, actor: &Actor) -> Result<SharedFile> {
        let target = Target::collection("nfi_extract");
        self.guarded(actor, Action::Export, Compartment::Rights, target, async |tx: &mut Tx| {
            let today = Gate::today();
            let mut rows = Vec::new();
            let mut included = Vec::new();
            let mut left_out = Vec::new();
            for t in q::current_tenancies(tx, today).await? {
                for m in q::members_on(tx, t.household_id, today).await? {
                    if !matches!(m.role, HouseholdRole::Tenant | HouseholdRole::JointTenant) {
                        continue;
                    }
                    let s = q::extract_subject(tx, m.person_id, today).await?;
                    if let Some(reason) = left_out_because(tx, &s, RecipientType::Nfi, today).await? {
                        left_out.push(LeftOut { person_id: m.person_id, reason });
                        continue;
                    }
                    rows.push(NFI_FIELDS.iter().map(|f| cell(*f, &s, Some(&t))).collect::<Vec<_>>());
                    included.push(m.person_id);
                }
            }
            let header: Vec<&str> = NFI_FIELDS.iter().map(|f| f.as_str()).collect();
            let csv = hearth_domain::sharing::csv(&header, &rows);
            let new = NewDisclosure {
                kind: DisclosureEntryKind::Return,
                refers_to: None,
                recipient_type: RecipientType::Nfi,
                recipient: "Cabinet Office (National Fraud Initiative)".into(),
                verification: None,
                exemption: Some(DisclosureExemption::LegalObligation),
                agreement_id: None,
                decision: None,
                detail: format!("NFI housing tenants extract as on {today}: {} tenants, {} left out", included.len(), left_out.len()),
                person_ids: included.clone(),
                fields: header.iter().map(|h| h.to_string()).collect(),
                method: Some("NFI secure data file upload".into()),
                disclosed_on: Some(today),
            };
            let e = q::append_disclosure(tx, &new, actor.user_id, Timestamp::now()).await?;
            let file =
                SharedFile { disclosure_id: e.id, file_name: format!("nfi-housing-{today}.csv"), csv, rows: included.len(), left_out };
            Ok((file, Target::of("nfi_extract", e.id, None), Some(json!({ "disclosure": e.id, "fields": header, "people": included }))))
        })
        .await
    }

    // ---- the CORE lettings return ----

    /// The CORE lettings return for tenancies starting between `from` and
    /// `to`: pseudonymised (letting numbers, ages, codes; no name, date of
    /// birth, NI number, address, phone or email). Equality answers are used
    /// only when a key is configured and the policies let the actor export
    /// `edi` for the return; otherwise CORE's "refused / not known" code.
    pub async fn core_return(&self, actor: &Actor, from: Date, to: Date) -> Result<SharedFile> {
        if to < from {
            return Err(FieldError::new("to", "The end of the period must be on or after its start").into());
        }
        if from.until(to).map(|s| s.get_days()).unwrap_or(0) > 366 {
            return Err(FieldError::new("to", "A return covers at most a year").into());
        }
        let target = Target::collection("core_return");
        self.guarded(actor, Action::Export, Compartment::Rights, target, async |tx: &mut Tx| {
            let today = Gate::today();
            // May this actor's return carry equality answers? Asked (and audited) separately.
            let edi_key = match &self.edi_key {
                Some(key) => {
                    let edi_target = Target::collection("core_return");
                    match self.check(tx, actor, Action::Export, Compartment::Edi, edi_target).await? {
                        Ok(permit) => {
                            self.record(
                                tx,
                                actor,
                                &permit,
                                edi_target,
                                Some(json!({ "use": "CORE lettings return", "from": from, "to": to })),
                            )
                            .await?;
                            Some(key.clone())
                        }
                        Err(_) => None,
                    }
                }
                None => None,
            };
            let mut rows = Vec::new();
            let mut people = Vec::new();
            let mut left_out = Vec::new();
            let lettings = q::lettings(tx, from, to).await?;
            for t in &lettings {
                let members = q::members_on(tx, t.household_id, t.start_date).await?;
                let mut restricted = None;
                for m in &members {
                    if hearth_store::restrictions::active(tx, m.person_id).await?.is_some() {
                        restricted = Some(m.person_id);
                    }
                }
                if let Some(person_id) = restricted {
                    left_out.push(LeftOut { person_id, reason: "processing restricted (Art. 18): letting left out".into() });
                    continue;
                }
                let mut edi = Vec::new();
                for m in &members {
                    let record = match (&edi_key, q::latest_edi(tx, m.person_id).await?) {
                        (Some(key), Some(sealed)) => {
                            let plain = key.open(m.person_id, &sealed)?;
                            Some(serde_json::from_slice::<EdiRecord>(&plain).map_err(|e| GateError::EdiDisabled(e.to_string()))?)
                        }
                        _ => None,
                    };
                    edi.push(record);
                    people.push(m.person_id);
                }
                let mut row =
                    vec![format!("L{:05}", rows.len() + 1), t.start_date.to_string(), t.tenure.clone(), members.len().to_string()];
                for (i, slot) in edi.iter().map(Some).chain(std::iter::repeat(None)).take(CORE_MEMBERS).enumerate() {
                    match members.get(i).zip(slot) {
                        Some((m, record)) => {
                            row.push(
                                m.date_of_birth
                                    .map(|d| validate::age_on(d, t.start_date).to_string())
                                    .unwrap_or_else(|| CORE_REFUSED.into()),
                            );
                            row.push(
                                record
                                    .as_ref()
                                    .map(|r| core_gender(&r.answers.sex, &r.answers.gender_identity))
                                    .unwrap_or(CORE_REFUSED)
                                    .into(),
                            );
                            row.push(if i == 0 { "L".into() } else { core_relationship(m.role).into() });
                            row.push(CORE_REFUSED.into()); // working situation: not held
                        }
                        None => row.extend(std::iter::repeat_n(String::new(), 4)),
                    }
                }
                let lead = edi.first().and_then(|r| r.as_ref());
                row.push(lead.map(|r| core_ethnicity(&r.answers.ethnicity)).unwrap_or(CORE_REFUSED).into());
                row.push(CORE_REFUSED.into()); // nationality: not held
                let answers: Vec<&str> =
                    edi.iter().map(|r| r.as_ref().map(|r| core_disability(&r.answers.disability)).unwrap_or(CORE_REFUSED)).collect();
                row.push(
                    if answers.contains(&"1") {
                        "1"
                    } else if !answers.is_empty() && answers.iter().all(|a| *a == "2") {
                        "2"
                    } else {
                        CORE_REFUSED
                    }
                    .into(),
                );
                row.push(CORE_REFUSED.into()); // access needs: not held as equality data
                row.push(CORE_REFUSED.into()); // previous tenure: not held
                row.push(CORE_REFUSED.into()); // income: not held
                row.push(CORE_REFUSED.into()); // benefits: not held
                rows.push(row);
            }
            let header = core_header();
            let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
            let csv = hearth_domain::sharing::csv(&header_refs, &rows);
            people.sort_unstable();
            people.dedup();
            let new = NewDisclosure {
                kind: DisclosureEntryKind::Return,
                refers_to: None,
                recipient_type: RecipientType::CoreReturn,
                recipient: "CORE (Ministry of Housing, Communities and Local Government)".into(),
                verification: None,
                exemption: Some(DisclosureExemption::LegalObligation),
                agreement_id: None,
                decision: None,
                detail: format!(
                    "CORE lettings return {from} to {to}: {} lettings, {} left out, pseudonymised{}",
                    rows.len(),
                    left_out.len(),
                    if edi_key.is_some() { "; equality answers included" } else { "; equality answers not used" }
                ),
                person_ids: people.clone(),
                fields: header.clone(),
                method: Some("CORE online upload".into()),
                disclosed_on: Some(today),
            };
            let e = q::append_disclosure(tx, &new, actor.user_id, Timestamp::now()).await?;
            let file =
                SharedFile { disclosure_id: e.id, file_name: format!("core-lettings-{from}-{to}.csv"), csv, rows: rows.len(), left_out };
            let detail = json!({ "disclosure": e.id, "lettings": file.rows, "edi": edi_key.is_some() });
            Ok((file, Target::of("core_return", e.id, None), Some(detail)))
        })
        .await
    }
}
