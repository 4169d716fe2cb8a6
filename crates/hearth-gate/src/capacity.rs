//! Gate operations for mental capacity and best interests, in the `needs`
//! compartment (health information, need to know): recording assessments,
//! logging best-interests shares (only on an assessment that found the person
//! lacks capacity, only to the recipients the policy names), recording a
//! request that information not be held, and the DPO's confirmed removal once
//! an assessment since the request finds the person has capacity.

use crate::{Actor, Gate, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    capacity::{
        share_allowed, AssessmentInput, BestInterestsShare, CapacityAssessment, NotHeldInput, NotHeldRequest, NotHeldState, ShareInput,
    },
    error::FieldError,
    Id,
};
use hearth_store::capacity::{self as q, Removal};
use hearth_store::Tx;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

/// A person's capacity record: assessments, shares and requests not to hold.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapacityRecord {
    pub person_id: Id,
    pub assessments: Vec<CapacityAssessment>,
    pub shares: Vec<BestInterestsShare>,
    pub not_held: Vec<NotHeldRequest>,
}

impl hearth_domain::classes::Project for CapacityRecord {
    fn project(&mut self, permitted: hearth_domain::classes::ClassSet) {
        let CapacityRecord { person_id: _, assessments, shares, not_held } = self;
        assessments.project(permitted);
        shares.project(permitted);
        not_held.project(permitted);
    }
}

/// What a confirmed removal destroyed, by id only.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemovalDone {
    pub request: NotHeldRequest,
    pub needs_removed: Vec<Id>,
    pub adjustments_removed: Vec<Id>,
    pub audit_payloads_redacted: u64,
}

impl hearth_domain::classes::Project for RemovalDone {
    fn project(&mut self, permitted: hearth_domain::classes::ClassSet) {
        hearth_domain::classes::Project::project(&mut self.request, permitted);
    }
}

impl Gate {
    pub async fn capacity_record(&self, actor: &Actor, person_id: Id) -> Result<CapacityRecord> {
        let target = Target::of("capacity", person_id, Some(person_id));
        self.guarded(actor, Action::View, Compartment::Needs, target, async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let record = CapacityRecord {
                person_id,
                assessments: q::assessments_of(tx, person_id).await?,
                shares: q::shares_of(tx, person_id).await?,
                not_held: q::not_held_of(tx, person_id).await?,
            };
            Ok((record, target, None))
        })
        .await
    }

    pub async fn record_assessment(&self, actor: &Actor, person_id: Id, input: &AssessmentInput) -> Result<CapacityAssessment> {
        let fields = input.validate(Gate::today())?;
        self.guarded(actor, Action::Create, Compartment::Needs, Target::person(person_id), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let a = q::insert_assessment(tx, person_id, &fields, actor.user_id, Timestamp::now()).await?;
            Ok((a.clone(), Target::of("capacity_assessment", a.id, Some(person_id)), Some(json!({ "new": a }))))
        })
        .await
    }

    /// Logs a share made in the person's best interests; refused unless it
    /// rests on an assessment of this person that found they lack capacity.
    pub async fn record_share(&self, actor: &Actor, person_id: Id, input: &ShareInput) -> Result<BestInterestsShare> {
        let fields = input.validate(Gate::today())?;
        self.guarded(actor, Action::Create, Compartment::Needs, Target::person(person_id), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let a = match q::assessment(tx, fields.assessment_id).await {
                Ok(a) => a,
                Err(hearth_store::StoreError::NotFound) => {
                    return Err(FieldError::new("assessment_id", "There is no such assessment").into())
                }
                Err(e) => return Err(e.into()),
            };
            share_allowed(&a, person_id, fields.shared_on)?;
            let share = q::insert_share(tx, person_id, &fields, actor.user_id, Timestamp::now()).await?;
            Ok((share.clone(), Target::of("best_interests_share", share.id, Some(person_id)), Some(json!({ "new": share }))))
        })
        .await
    }

    pub async fn record_not_held(&self, actor: &Actor, person_id: Id, input: &NotHeldInput) -> Result<NotHeldRequest> {
        let fields = input.validate(Gate::today())?;
        self.guarded(actor, Action::Create, Compartment::Needs, Target::person(person_id), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let r = q::insert_not_held(tx, person_id, &fields, actor.user_id, Timestamp::now()).await?;
            Ok((r.clone(), Target::of("not_held_request", r.id, Some(person_id)), Some(json!({ "new": r }))))
        })
        .await
    }

    /// Requests not yet carried out, due ones first: the DPO's removal list.
    pub async fn removal_list(&self, actor: &Actor) -> Result<Vec<NotHeldRequest>> {
        self.guarded(actor, Action::Delete, Compartment::Needs, Target::collection("not_held_request"), async |tx: &mut Tx| {
            let mut list = q::pending_not_held(tx).await?;
            list.sort_by_key(|r| (r.state != NotHeldState::DueForRemoval, r.requested_on, r.id));
            let ids: Vec<Id> = list.iter().map(|r| r.id).collect();
            Ok((list, Target::collection("not_held_request"), Some(json!({ "returned": ids }))))
        })
        .await
    }

    /// Removes what a due request names, on the DPO's confirmation. Refused
    /// while no assessment since the request has found the person has capacity.
    pub async fn confirm_removal(&self, actor: &Actor, id: Id) -> Result<RemovalDone> {
        let person = self.owner(async |tx: &mut Tx| Ok(Some(q::not_held(tx, id).await?.person_id))).await?;
        let target = Target::of("not_held_request", id, person);
        self.guarded(actor, Action::Delete, Compartment::Needs, target, async |tx: &mut Tx| {
            let request = q::not_held(tx, id).await?;
            match request.state {
                NotHeldState::DueForRemoval => {}
                NotHeldState::Removed => return Err(FieldError::new("request", "This information has already been removed").into()),
                NotHeldState::AwaitingAssessment | NotHeldState::KeptLacksCapacity => {
                    return Err(FieldError::new(
                        "request",
                        "Not due: no assessment since the request has found the person has capacity, so the information is kept for now",
                    )
                    .into())
                }
            }
            let Removal { needs, adjustments, audit_payloads_redacted } =
                q::remove_not_held(tx, &request, actor.user_id, Timestamp::now()).await?;
            let request = q::not_held(tx, id).await?;
            let detail =
                json!({ "needs_removed": needs, "adjustments_removed": adjustments, "audit_payloads_redacted": audit_payloads_redacted });
            let done = RemovalDone { request, needs_removed: needs, adjustments_removed: adjustments, audit_payloads_redacted };
            Ok((done, target, Some(detail)))
        })
        .await
    }
}
