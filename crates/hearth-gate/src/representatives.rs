//! Gate operations on authorised representatives and caller checks.
//!
//! Representatives live in the `contact` compartment: who may speak for a
//! person is part of how the landlord communicates with them, and everyone
//! who takes a call must see it before a check, when nothing about the
//! account is open yet (identity and contact are). Capacity details behind
//! an attorney or deputy stay in `needs`; here only the relationship and
//! the evidence reference are kept.
//!
//! Caller checks are identity verification, so they live in `identity`
//! beside identity evidence. A check is the advisor's own and lasts for the
//! call; what it opens is decided by the Cedar policies (context
//! `caller_checked`), never here. Every attempt is audited: a passed check
//! as an allowed create, a failed one as a refusal with its reason.
//! Recording a check changes nothing about the person, so a restriction of
//! processing does not stop it: a restricted person may still ask about
//! their account.

use crate::{event, Actor, Gate, GateError, Result, Target};
use hearth_domain::{
    representative_current, Action, CallerCheckArea, CallerCheckBasis, CallerCheckInput, Compartment, EndRepresentativeInput, FieldError,
    Id, RepresentativeInput, ValidationErrors,
};
use hearth_store::audit;
use hearth_store::representatives::{self as q, CallerCheck, NewCallerCheck, Representative};
use hearth_store::Tx;
use jiff::Timestamp;
use serde_json::json;

impl Gate {
    /// A person's representatives, current and past, newest first.
    pub async fn representatives(&self, actor: &Actor, person_id: Id) -> Result<Vec<Representative>> {
        let target = Target::of("representative", person_id, Some(person_id));
        self.guarded_view(actor, Action::List, Compartment::Contact, target, async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let reps = q::for_person(tx, person_id).await?;
            let ids: Vec<Id> = reps.iter().map(|r| r.id).collect();
            Ok((reps, target, Some(json!({ "returned": ids }))))
        })
        .await
    }

    /// Records a representative for a person, on the evidence given.
    pub async fn add_representative(&self, actor: &Actor, person_id: Id, input: &RepresentativeInput) -> Result<Representative> {
        let fields = input.validate(Gate::today())?;
        let target = Target::of("representative", person_id, Some(person_id));
        self.guarded(actor, Action::Create, Compartment::Contact, target, async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            if let Some(rep) = fields.person_id {
                if rep == person_id {
                    return Err(FieldError::new("person_id", "A person cannot be their own representative").into());
                }
                match hearth_store::people::person(tx, rep).await {
                    Ok(_) => {}
                    Err(hearth_store::StoreError::NotFound) => {
                        return Err(FieldError::new("person_id", "There is no person with that record number").into())
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            let r = q::insert(tx, person_id, &fields, actor.user_id, Timestamp::now()).await?;
            Ok((r.clone(), Target::of("representative", r.id, Some(person_id)), Some(json!({ "new": r }))))
        })
        .await
    }

    /// Ends a representative's authority, recording who, when and why.
    pub async fn end_representative(&self, actor: &Actor, id: Id, input: &EndRepresentativeInput) -> Result<Representative> {
        let reason = input.validate()?;
        let person = {
            let mut tx = self.store.begin().await?;
            let r = q::representative(&mut tx, id).await;
            drop(tx);
            match r {
                Ok(r) => Some(r.person_id),
                Err(hearth_store::StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            }
        };
        let target = Target::of("representative", id, person);
        self.guarded(actor, Action::Edit, Compartment::Contact, target, async |tx: &mut Tx| {
            let before = q::representative(tx, id).await?;
            let after = q::end(tx, id, &reason, actor.user_id, Timestamp::now()).await?;
            Ok((after.clone(), Target::of("representative", id, Some(after.person_id)), crate::change(&before, &after)))
        })
        .await
    }

    /// Records a caller check by the actor for the person on this call. Too
    /// few questions, or a representative who is not current or whose scope
    /// does not cover what is asked, is a failed check: audited, nothing
    /// stored, and refused with the field at fault.
    pub async fn record_caller_check(&self, actor: &Actor, person_id: Id, input: &CallerCheckInput) -> Result<CallerCheck> {
        let target = Target::of("caller_check", person_id, Some(person_id));
        let tx = self.store.begin().await?;
        let (mut tx, permit) = self.authorize(tx, actor, Action::Create, Compartment::Identity, target).await?;
        crate::person_of(&mut tx, person_id).await?;
        let checked = match input.validate() {
            Ok(f) => self.caller_check_basis(&mut tx, person_id, &f.basis, f.area).await?.map(|areas| (f.basis, areas)),
            Err(e) => Err(e),
        };
        let (basis, areas) = match checked {
            Ok(c) => c,
            Err(errors) => {
                let why = format!("Caller check failed: {errors}");
                let detail = json!({ "checks_passed": input.checks_passed, "representative_id": input.representative_id });
                let e = event(
                    actor,
                    Action::Create,
                    Compartment::Identity,
                    target,
                    "deny",
                    "caller-check",
                    Some(why),
                    Some(detail.to_string()),
                );
                audit::append(&mut tx, &e, Timestamp::now()).await?;
                tx.commit().await?;
                return Err(GateError::Invalid(errors));
            }
        };
        let now = Timestamp::now();
        let expires_at = now.saturating_add(self.caller_check_for).map_err(|_| GateError::Conflict)?;
        let items = match &basis {
            CallerCheckBasis::Questions(items) => Some(items.as_slice()),
            CallerCheckBasis::Representative(_) => None,
        };
        let representative_id = match basis {
            CallerCheckBasis::Representative(r) => Some(r),
            CallerCheckBasis::Questions(_) => None,
        };
        let new = NewCallerCheck {
            person_id,
            staff_id: actor.user_id,
            checks_passed: items,
            representative_id,
            areas: &areas,
            checked_at: now,
            expires_at,
        };
        let check = q::insert_check(&mut tx, &new).await?;
        let recorded = Target::of("caller_check", check.id, Some(person_id));
        self.record(&mut tx, actor, &permit, recorded, Some(json!({ "passed": check }))).await?;
        tx.commit().await?;
        Ok(check)
    }

    /// The areas a passed check opens, or the field errors of a failed one.
    async fn caller_check_basis(
        &self,
        tx: &mut Tx,
        person_id: Id,
        basis: &CallerCheckBasis,
        area: CallerCheckArea,
    ) -> Result<Result<Vec<CallerCheckArea>, ValidationErrors>> {
        let rep_id = match basis {
            // The customer themselves: everything that needs a check.
            CallerCheckBasis::Questions(_) => return Ok(Ok(CallerCheckArea::ALL.to_vec())),
            CallerCheckBasis::Representative(r) => *r,
        };
        let refuse = |m: String| Ok(Err(FieldError::new("representative_id", m).into()));
        let rep = match q::representative(tx, rep_id).await {
            Ok(r) if r.person_id == person_id => r,
            Ok(_) | Err(hearth_store::StoreError::NotFound) => return refuse("Choose one of this person's representatives".into()),
            Err(e) => return Err(e.into()),
        };
        if let Err(why) = representative_current(rep.valid_from, rep.expires_on, rep.ended_at.is_some(), Gate::today()) {
            return refuse(format!("{} cannot be treated as a representative: {why}", rep.name));
        }
        if !rep.scope.covers(area) {
            return refuse(format!(
                "{}'s authority is limited to “{}” (scope {}), which does not cover {}",
                rep.name,
                rep.scope.label().to_lowercase(),
                rep.scope.as_str(),
                area.label()
            ));
        }
        Ok(Ok(CallerCheckArea::ALL.iter().copied().filter(|a| rep.scope.covers(*a)).collect()))
    }

    /// The actor's caller check for the person in force now, if any. A check
    /// that relied on a representative lapses with the representative.
    pub(crate) async fn current_caller_check(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        person_id: Id,
    ) -> Result<Option<(CallerCheck, Option<Representative>)>> {
        let Some(check) = q::current_check(tx, actor.user_id, person_id, Timestamp::now()).await? else { return Ok(None) };
        let Some(rep_id) = check.representative_id else { return Ok(Some((check, None))) };
        let rep = q::representative(tx, rep_id).await?;
        if representative_current(rep.valid_from, rep.expires_on, rep.ended_at.is_some(), Gate::today()).is_err() {
            return Ok(None);
        }
        Ok(Some((check, Some(rep))))
    }

    /// What the actor's current caller check for the person opens.
    pub(crate) async fn caller_check_areas(&self, tx: &mut Tx, actor: &Actor, person_id: Id) -> Result<Option<Vec<CallerCheckArea>>> {
        Ok(self.current_caller_check(tx, actor, person_id).await?.map(|(c, _)| c.areas))
    }

    /// Why a check in force does not open a read: the representative's scope.
    pub(crate) async fn caller_check_note(&self, tx: &mut Tx, actor: &Actor, person_id: Id) -> Result<Option<String>> {
        Ok(self.current_caller_check(tx, actor, person_id).await?.and_then(|(_, rep)| rep).map(|rep| {
            format!(
                "The caller, {}, is a representative whose authority is limited to “{}” (scope {})",
                rep.name,
                rep.scope.label().to_lowercase(),
                rep.scope.as_str()
            )
        }))
    }
}

impl Gate {
    /// Whether the policies make this actor check the caller before a
    /// person's account is shown to them; for surfaces deciding whether to
    /// offer the caller-check form. Not a substitute for the check each read makes.
    pub fn caller_check_needed(&self, actor: &Actor) -> bool {
        use crate::policy::{AccessRequest, Relation};
        let ask = |relation: Relation| {
            let req = AccessRequest {
                actor,
                action: Action::View,
                compartment: Compartment::Tenancy,
                record_type: "person",
                record_key: "person/*".into(),
                relation,
            };
            self.policy.decide(&req).allowed
        };
        let unchecked = Relation { about_person: true, ..Default::default() };
        !ask(unchecked) && ask(Relation { caller_checked_account: true, caller_checked_repairs: true, ..unchecked })
    }
}
