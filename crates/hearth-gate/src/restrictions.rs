//! Gate operations on restrictions of processing (UK GDPR Art. 18): the DPO
//! places one on a person with a reason and lifts it with a reason, both in
//! the `rights` compartment and audited; anyone who may see the person may
//! see whether they are restricted, so every screen can warn.
//!
//! What a restriction refuses is decided in `Gate::guarded` (and the contact
//! log), never here: this module must not be the only place the rule lives.

use crate::{Actor, Gate, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    error::FieldError,
    Id,
};
use hearth_store::restrictions::{self as q, Restriction};
use hearth_store::Tx;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Why a restriction is placed or lifted.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestrictionInput {
    pub reason: String,
}

/// Whether the person is restricted now, and every restriction they have had.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestrictionStatus {
    pub person_id: Id,
    pub active: Option<Restriction>,
    pub history: Vec<Restriction>,
}

impl hearth_domain::classes::Project for RestrictionStatus {
    fn project(&mut self, permitted: hearth_domain::classes::ClassSet) {
        hearth_domain::classes::Project::project(&mut self.active, permitted);
        hearth_domain::classes::Project::project(&mut self.history, permitted);
    }
}

fn reason(input: &RestrictionInput) -> Result<String> {
    let r = input.reason.trim().to_string();
    match r.chars().count() {
        0..10 => Err(FieldError::new("reason", "Give the reason in at least 10 characters").into()),
        2001.. => Err(FieldError::new("reason", "The reason must be 2000 characters or fewer").into()),
        _ => Ok(r),
    }
}

impl Gate {
    /// Places a restriction of processing on a person (DPO, rights compartment).
    pub async fn place_restriction(&self, actor: &Actor, person_id: Id, input: &RestrictionInput) -> Result<Restriction> {
        let reason = reason(input)?;
        let target = Target::of("processing_restriction", person_id, Some(person_id));
        self.guarded(actor, Action::Create, Compartment::Rights, target, async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let r = q::place(tx, person_id, &reason, actor.user_id, Timestamp::now()).await?;
            Ok((r.clone(), Target::of("processing_restriction", r.id, Some(person_id)), Some(json!({ "placed": r }))))
        })
        .await
    }

    /// Lifts the person's active restriction, recording who, when and why.
    pub async fn lift_restriction(&self, actor: &Actor, person_id: Id, input: &RestrictionInput) -> Result<Restriction> {
        let reason = reason(input)?;
        let target = Target::of("processing_restriction", person_id, Some(person_id));
        self.guarded(actor, Action::Edit, Compartment::Rights, target, async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let r = q::lift(tx, person_id, &reason, actor.user_id, Timestamp::now()).await?;
            Ok((r.clone(), Target::of("processing_restriction", r.id, Some(person_id)), Some(json!({ "lifted": r }))))
        })
        .await
    }

    /// The person's restriction status, for whoever may see the person.
    pub async fn restriction_status(&self, actor: &Actor, person_id: Id) -> Result<RestrictionStatus> {
        self.guarded(actor, Action::View, Compartment::Identity, Target::person(person_id), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let history = q::for_person(tx, person_id).await?;
            let active = history.iter().find(|r| r.lifted_at.is_none()).cloned();
            Ok((RestrictionStatus { person_id, active, history }, Target::of("processing_restriction", person_id, Some(person_id)), None))
        })
        .await
    }
}
