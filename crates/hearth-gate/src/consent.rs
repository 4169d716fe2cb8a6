//! Gate operations on consent, contact preferences and objections, all in the
//! `contact` compartment: everyone who contacts a person must know how they
//! may be contacted and what they agreed to, so these sit with contact
//! details rather than with the needs they may switch off.
//!
//! Rules that live here: withdrawing consent to tailor services stops every
//! active need of the person being used to tailor services, in the same
//! transaction (so adjustments and repair priority uplifts stop at once);
//! recording a withdrawal of consent or an objection is allowed while the
//! person's processing is restricted, since both only reduce processing.

use crate::{Actor, Gate, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    consent::{
        consent_state, ConsentDecision, ConsentInput, ConsentPurpose, ConsentRecord, ConsentState, ContactPreferences, Objection,
        ObjectionInput, PreferencesInput,
    },
    error::FieldError,
    Id,
};
use hearth_store::consent as q;
use hearth_store::Tx;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Record types a restriction of processing does not refuse (see `restrictable`).
pub(crate) const REDUCES_PROCESSING: &[&str] = &["consent_withdrawal", "objection"];

/// Where one consent purpose stands today, from the latest record.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurposeState {
    pub purpose: ConsentPurpose,
    pub state: ConsentState,
    /// The date of the record that decides it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub since: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expires_on: Option<Date>,
}

/// A person's say in how their data is used: consent per purpose (with the
/// full log as evidence), contact preferences and objections.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentOverview {
    pub person_id: Id,
    pub purposes: Vec<PurposeState>,
    pub log: Vec<ConsentRecord>,
    pub preferences: Option<ContactPreferences>,
    pub objections: Vec<Objection>,
}

impl hearth_domain::classes::Project for ConsentOverview {
    fn project(&mut self, permitted: hearth_domain::classes::ClassSet) {
        let ConsentOverview { person_id: _, purposes: _, log, preferences, objections } = self;
        log.project(permitted);
        preferences.project(permitted);
        objections.project(permitted);
    }
}

impl ConsentOverview {
    pub fn state(&self, purpose: ConsentPurpose) -> ConsentState {
        self.purposes.iter().find(|p| p.purpose == purpose).map(|p| p.state).unwrap_or(ConsentState::NotAsked)
    }
}

/// Why an objection is withdrawn.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawObjection {
    pub reason: String,
}

fn purposes(log: &[ConsentRecord], today: Date) -> Vec<PurposeState> {
    ConsentPurpose::ALL
        .iter()
        .map(|&purpose| {
            let latest = log.iter().filter(|r| r.purpose == purpose).max_by_key(|r| (r.on, r.id));
            PurposeState {
                purpose,
                state: consent_state(log, purpose, today),
                since: latest.map(|r| r.on),
                expires_on: latest.and_then(|r| r.expires_on),
            }
        })
        .collect()
}

impl Gate {
    /// The person's consents, preferences and objections.
    pub async fn consent_overview(&self, actor: &Actor, person_id: Id) -> Result<ConsentOverview> {
        let today = Gate::today();
        self.guarded(actor, Action::View, Compartment::Contact, Target::of("consent", person_id, Some(person_id)), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let log = q::consents_of(tx, person_id).await?;
            let overview = ConsentOverview {
                person_id,
                purposes: purposes(&log, today),
                preferences: q::preferences_of(tx, person_id).await?,
                objections: q::objections_of(tx, person_id).await?,
                log,
            };
            Ok((overview, Target::of("consent", person_id, Some(person_id)), None))
        })
        .await
    }

    /// Records consent given or withdrawn. A withdrawal of consent to tailor
    /// services switches off every need used to tailor services at once.
    pub async fn record_consent(&self, actor: &Actor, person_id: Id, input: &ConsentInput) -> Result<ConsentRecord> {
        let fields = input.validate(Gate::today())?;
        let record_type = if fields.decision == ConsentDecision::Withdrawn { "consent_withdrawal" } else { "consent_record" };
        let target = Target::of(record_type, person_id, Some(person_id));
        self.guarded(actor, Action::Create, Compartment::Contact, target, async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let now = Timestamp::now();
            let record = q::insert_consent(tx, person_id, &fields, actor.user_id, now).await?;
            let stopped = if fields.decision == ConsentDecision::Withdrawn && fields.purpose == ConsentPurpose::TailorServices {
                q::stop_tailoring(tx, person_id, actor.user_id, now).await?
            } else {
                Vec::new()
            };
            let detail = json!({ "new": record, "needs_no_longer_used_to_tailor": stopped });
            Ok((record.clone(), Target::of(record_type, record.id, Some(person_id)), Some(detail)))
        })
        .await
    }

    /// Replaces the person's contact preferences (send the version read).
    pub async fn save_preferences(&self, actor: &Actor, person_id: Id, input: &PreferencesInput) -> Result<ContactPreferences> {
        let fields = input.validate()?;
        let target = Target::of("contact_preference", person_id, Some(person_id));
        self.guarded(actor, Action::Edit, Compartment::Contact, target, async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let old = q::preferences_of(tx, person_id).await?;
            let new = q::save_preferences(tx, person_id, &fields, actor.user_id, Timestamp::now()).await?;
            Ok((new.clone(), target, Some(json!({ "old": old, "new": new }))))
        })
        .await
    }

    /// Records a standing objection (to sharing, profiling or direct marketing).
    pub async fn record_objection(&self, actor: &Actor, person_id: Id, input: &ObjectionInput) -> Result<Objection> {
        let fields = input.validate(Gate::today())?;
        self.guarded(
            actor,
            Action::Create,
            Compartment::Contact,
            Target::of("objection", person_id, Some(person_id)),
            async |tx: &mut Tx| {
                crate::person_of(tx, person_id).await?;
                let o = q::insert_objection(tx, person_id, &fields, actor.user_id, Timestamp::now()).await?;
                Ok((o.clone(), Target::of("objection", o.id, Some(person_id)), Some(json!({ "new": o }))))
            },
        )
        .await
    }

    /// Records that the person withdrew an objection.
    pub async fn withdraw_objection(&self, actor: &Actor, id: Id, input: &WithdrawObjection) -> Result<Objection> {
        let reason = input.reason.trim().to_string();
        match reason.chars().count() {
            0..10 => return Err(FieldError::new("reason", "Give the reason in at least 10 characters").into()),
            2001.. => return Err(FieldError::new("reason", "The reason must be 2000 characters or fewer").into()),
            _ => {}
        }
        let person = self.owner(async |tx: &mut Tx| Ok(Some(q::objection(tx, id).await?.person_id))).await?;
        let target = Target::of("objection_withdrawal", id, person);
        self.guarded(actor, Action::Edit, Compartment::Contact, target, async |tx: &mut Tx| {
            let o = q::withdraw_objection(tx, id, &reason, actor.user_id, Timestamp::now()).await?;
            Ok((o.clone(), target, Some(json!({ "new": o }))))
        })
        .await
    }

    /// The person an objection belongs to, for whoever may see their contact records.
    pub async fn objection_person(&self, actor: &Actor, id: Id) -> Result<Id> {
        let person = self.owner(async |tx: &mut Tx| Ok(Some(q::objection(tx, id).await?.person_id))).await?;
        let target = Target::of("objection", id, person);
        let person =
            self.guarded(actor, Action::View, Compartment::Contact, target, async |_tx: &mut Tx| Ok((person, target, None))).await?;
        person.ok_or(crate::GateError::NotFound)
    }
}

impl Gate {
    /// Who marketing may reach on `channel` today. Asked under the
    /// `marketing` purpose whatever the caller declared, so the policies
    /// that keep sensitive compartments out of marketing apply.
    pub async fn marketing_audience(&self, actor: &Actor, channel: &str) -> Result<Vec<q::AudienceMember>> {
        let channel = hearth_domain::consent::PreferenceChannel::parse(channel.trim())
            .filter(|c| !matches!(c, hearth_domain::consent::PreferenceChannel::Phone | hearth_domain::consent::PreferenceChannel::Visit))
            .ok_or_else(|| FieldError::new("channel", "Choose email, sms or letter: marketing is not made by phone call or visit"))?;
        let mut actor = actor.clone();
        actor.purpose = "marketing".into();
        let today = Gate::today();
        self.guarded(&actor, Action::List, Compartment::Contact, Target::collection("marketing_audience"), async |tx: &mut Tx| {
            let list = q::marketing_audience(tx, channel, today).await?;
            let ids: Vec<Id> = list.iter().map(|m| m.person_id).collect();
            Ok((list, Target::collection("marketing_audience"), Some(json!({ "channel": channel, "returned": ids }))))
        })
        .await
    }
}
