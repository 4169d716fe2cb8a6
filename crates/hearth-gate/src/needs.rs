//! Gate operations on needs, reasonable adjustments, warning flags, needs
//! checks, the review work list, the coverage report and contractor job
//! sheets, and the operational effect on new repair jobs (priority uplift).
//!
//! Need-to-know: a need's detail is in `needs` (the patch's housing officer,
//! the need's review officer, the safeguarding lead, a responsible manager);
//! adjustments in `adjustments` (every role that deals with the person);
//! flags in `warning_flags`. A flag's text is withheld from each reader until
//! they have acknowledged it, and the acknowledgement is audited. A job sheet
//! is read under the contractor's own permits, one per compartment it draws
//! on, and holds only what `JobSheet` allows. This module never decides who
//! may see what itself: it asks the policies.

use crate::policy::{AccessRequest, Relation};
use crate::{change, Actor, Gate, GateError, Permit, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    cases::{Case, CaseKind, CasePriority},
    error::FieldError,
    needs::{
        end_reason, uplift, Adjustment, AdjustmentInput, JobSheet, JobSheetAdjustment, JobSheetFlag, JobSheetPerson, Need, NeedChange,
        NeedInput, NeedsCheck, NeedsCheckInput, NeedsCoverage, ReviewItem, ReviewPeriods, WarningFlag, WarningFlagChange, WarningFlagInput,
    },
    people::ContactPointKind,
    staff::StaffRole,
    validate, Id,
};
use hearth_store::needs as q;
use hearth_store::{cases, homes, people, Tx};
use jiff::Timestamp;
use serde_json::json;

fn need_target(id: Id, person: Option<Id>) -> Target {
    Target::of("need", id, person)
}

/// How far ahead the review work list looks.
pub const REVIEW_HORIZON_DAYS: i64 = 30;

impl Gate {
    /// The caller's relationship to a person's needs: patch officer of a home
    /// they live in (housing officers), or review officer of one of their needs.
    pub(crate) async fn needs_relation(&self, tx: &mut Tx, actor: &Actor, person_id: Id) -> Result<(bool, bool)> {
        let patch = actor.role == StaffRole::HousingOfficer && q::is_patch_officer(tx, actor.user_id, person_id).await?;
        let reviewer = q::is_review_officer(tx, actor.user_id, person_id).await?;
        Ok((patch, reviewer))
    }

    /// Whether the caller may list this person's needs, for surfaces deciding
    /// what to show; not audited, and no substitute for the check `needs_of` makes.
    pub async fn may_see_needs(&self, actor: &Actor, person_id: Id) -> Result<bool> {
        let mut tx = self.store.begin().await?;
        let (relation, _) = self.relation(&mut tx, actor, Compartment::Needs, Target::person(person_id)).await?;
        drop(tx);
        let req = AccessRequest {
            actor,
            action: Action::List,
            compartment: Compartment::Needs,
            record_type: "person",
            record_key: format!("person/{person_id}"),
            relation,
        };
        Ok(self.policy.decide(&req).allowed)
    }

    /// The review periods in force (configuration).
    pub fn review_periods(&self) -> &ReviewPeriods {
        &self.review_periods
    }

    /// Puts a property on a housing officer's patch (administration, demo and tests).
    pub async fn set_patch_officer(&self, property_id: Id, officer: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let o = hearth_store::staff::user_by_username(&mut tx, officer)
            .await?
            .ok_or_else(|| FieldError::new("officer", "No such staff account"))?;
        if o.role != StaffRole::HousingOfficer {
            return Err(FieldError::new("officer", "Only a housing officer has a patch").into());
        }
        q::set_patch_officer(&mut tx, property_id, Some(o.id)).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- needs ----

    pub async fn record_need(&self, actor: &Actor, person_id: Id, input: &NeedInput) -> Result<Need> {
        let fields = input.validate(Gate::today(), &self.review_periods)?;
        self.guarded(actor, Action::Create, Compartment::Needs, Target::person(person_id), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let officer = match fields.review_officer {
                Some(o) => {
                    hearth_store::staff::user_by_id(tx, o).await.map_err(|_| FieldError::new("review_officer", "No such staff account"))?;
                    o
                }
                None => actor.user_id,
            };
            let n = q::insert_need(tx, person_id, &fields, officer, actor.user_id, Timestamp::now()).await?;
            Ok((n.clone(), need_target(n.id, Some(person_id)), Some(json!({ "new": n }))))
        })
        .await
    }

    /// A person's needs, with their detail.
    pub async fn needs_of(&self, actor: &Actor, person_id: Id) -> Result<Vec<Need>> {
        self.guarded(actor, Action::List, Compartment::Needs, Target::person(person_id), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let needs = q::needs_of(tx, person_id).await?;
            let ids: Vec<Id> = needs.iter().map(|n| n.id).collect();
            Ok((needs, Target::person(person_id), Some(json!({ "returned": ids }))))
        })
        .await
    }

    /// One need, with its detail.
    pub async fn need(&self, actor: &Actor, id: Id) -> Result<Need> {
        let person = self.owner(async |tx: &mut Tx| q::need_person(tx, id).await).await?;
        self.guarded(actor, Action::View, Compartment::Needs, need_target(id, person), async |tx: &mut Tx| {
            Ok((q::need(tx, id).await?, need_target(id, person), None))
        })
        .await
    }

    pub async fn change_need(&self, actor: &Actor, id: Id, change_to: &NeedChange) -> Result<Need> {
        let person = self.owner(async |tx: &mut Tx| q::need_person(tx, id).await).await?;
        self.guarded(actor, Action::Edit, Compartment::Needs, need_target(id, person), async |tx: &mut Tx| {
            let old = q::need(tx, id).await?;
            if old.version != change_to.version() {
                return Err(GateError::Conflict);
            }
            if !old.is_active() {
                return Err(FieldError::new("change", "This need has ended").into());
            }
            let now = Timestamp::now();
            let today = Gate::today();
            let mut n = old.clone();
            match change_to {
                NeedChange::Consent { consent_to_tailor, .. } => {
                    n.consent_to_tailor = *consent_to_tailor;
                    n.consent_recorded_by = actor.user_id;
                    n.consent_recorded_at = now;
                }
                NeedChange::Reviewed { next_review, .. } => {
                    n.review_date = match next_review.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                        Some(s) => validate::iso_date("next_review", s, "Next review date")?,
                        None => self.review_periods.need_review(n.category, today),
                    };
                    if n.review_date < today {
                        return Err(FieldError::new("next_review", "Next review date must be today or in the future").into());
                    }
                }
                NeedChange::End { reason, .. } => {
                    n.end_reason = Some(end_reason(reason)?);
                    n.ended_at = Some(now);
                    n.ended_by = Some(actor.user_id);
                }
            }
            let new = q::save_need(tx, &n, now).await?;
            Ok((new.clone(), need_target(id, Some(new.person_id)), change(&old, &new)))
        })
        .await
    }

    /// Records that the landlord asked about needs (for the coverage report).
    pub async fn record_needs_check(&self, actor: &Actor, person_id: Id, input: &NeedsCheckInput) -> Result<NeedsCheck> {
        let (outcome, on) = input.validate(Gate::today())?;
        self.guarded(actor, Action::Create, Compartment::Needs, Target::person(person_id), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let c = q::insert_check(tx, person_id, outcome, on, actor.user_id, Timestamp::now()).await?;
            Ok((c.clone(), Target::of("needs_check", c.id, Some(person_id)), Some(json!({ "new": c }))))
        })
        .await
    }

    /// The latest needs check of a person, under the needs rules.
    pub async fn last_needs_check(&self, actor: &Actor, person_id: Id) -> Result<Option<NeedsCheck>> {
        self.guarded(actor, Action::View, Compartment::Needs, Target::person(person_id), async |tx: &mut Tx| {
            Ok((q::last_check(tx, person_id).await?, Target::person(person_id), None))
        })
        .await
    }

    // ---- adjustments ----

    pub async fn add_adjustment(&self, actor: &Actor, person_id: Id, input: &AdjustmentInput) -> Result<Adjustment> {
        let fields = input.validate()?;
        self.guarded(actor, Action::Create, Compartment::Adjustments, Target::person(person_id), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            // Checked without showing the need: only that it is this person's and active.
            match q::need(tx, fields.need_id).await {
                Ok(n) if n.person_id == person_id && n.is_active() => {}
                Ok(n) if n.person_id == person_id => return Err(FieldError::new("need_id", "That need has ended").into()),
                Ok(_) | Err(hearth_store::StoreError::NotFound) => {
                    return Err(FieldError::new("need_id", "No such need for this person").into())
                }
                Err(e) => return Err(e.into()),
            }
            let a = q::insert_adjustment(tx, person_id, &fields, actor.user_id, Timestamp::now()).await?;
            Ok((a.clone(), Target::of("adjustment", a.id, Some(person_id)), Some(json!({ "new": a }))))
        })
        .await
    }

    /// A person's adjustments, each saying whether it is in use and why not.
    pub async fn adjustments_of(&self, actor: &Actor, person_id: Id) -> Result<Vec<Adjustment>> {
        self.guarded(actor, Action::List, Compartment::Adjustments, Target::person(person_id), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let all = q::adjustments_of(tx, person_id).await?;
            let ids: Vec<Id> = all.iter().map(|a| a.id).collect();
            Ok((all, Target::person(person_id), Some(json!({ "returned": ids }))))
        })
        .await
    }

    pub async fn end_adjustment(&self, actor: &Actor, id: Id, version: i64, reason: &str) -> Result<Adjustment> {
        let reason = end_reason(reason)?;
        let person = self.owner(async |tx: &mut Tx| q::adjustment_person(tx, id).await).await?;
        self.guarded(actor, Action::Edit, Compartment::Adjustments, Target::of("adjustment", id, person), async |tx: &mut Tx| {
            let old = q::adjustment(tx, id).await?;
            if old.ended_at.is_some() {
                return Err(FieldError::new("change", "This adjustment has ended").into());
            }
            let new = q::end_adjustment(tx, id, version, actor.user_id, &reason, Timestamp::now()).await?;
            Ok((new.clone(), Target::of("adjustment", id, Some(new.person_id)), change(&old, &new)))
        })
        .await
    }

    /// Raises a new repair job's priority one step when a person on it has a
    /// repair priority uplift in use (need active, consent given).
    pub(crate) async fn priority_uplift(&self, tx: &mut Tx, actor: &Actor, c: Case, people: &[Id], now: Timestamp) -> Result<Case> {
        if c.kind != CaseKind::Repair || c.priority == CasePriority::Emergency || !q::uplift_applies(tx, people).await? {
            return Ok(c);
        }
        let mut raised = c.clone();
        raised.priority = uplift(c.priority);
        let saved = cases::save_case(tx, &raised, now).await?;
        let text = format!(
            "Priority raised from {} to {}: a reasonable adjustment (repair priority uplift) applies",
            c.priority.label().to_lowercase(),
            saved.priority.label().to_lowercase()
        );
        cases::insert_event(tx, c.id, actor.user_id, "priority", &text, now).await?;
        Ok(saved)
    }

    // ---- warning flags ----

    pub async fn add_warning_flag(&self, actor: &Actor, person_id: Id, input: &WarningFlagInput) -> Result<WarningFlag> {
        let fields = input.validate(Gate::today(), &self.review_periods)?;
        self.guarded(actor, Action::Create, Compartment::WarningFlags, Target::person(person_id), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let now = Timestamp::now();
            let id = q::insert_flag(tx, person_id, &fields, actor.user_id, now).await?;
            // Whoever wrote the risk assessment has read it.
            q::acknowledge_flag(tx, id, actor.user_id, now).await?;
            let f = q::flag_for(tx, id, actor.user_id).await?;
            Ok((f.clone(), Target::of("warning_flag", id, Some(person_id)), Some(json!({ "new": f }))))
        })
        .await
    }

    /// A person's flags; the text of each only if the caller acknowledged it.
    pub async fn warning_flags_of(&self, actor: &Actor, person_id: Id) -> Result<Vec<WarningFlag>> {
        self.guarded(actor, Action::List, Compartment::WarningFlags, Target::person(person_id), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let flags = q::flags_of(tx, person_id, actor.user_id).await?;
            let shown: Vec<Id> = flags.iter().filter(|f| f.acknowledged).map(|f| f.id).collect();
            let withheld: Vec<Id> = flags.iter().filter(|f| !f.acknowledged).map(|f| f.id).collect();
            Ok((flags, Target::person(person_id), Some(json!({ "text_shown": shown, "text_withheld": withheld }))))
        })
        .await
    }

    /// Records the caller's acknowledgement (once) and returns the flag with its text.
    pub async fn acknowledge_warning_flag(&self, actor: &Actor, id: Id) -> Result<WarningFlag> {
        let person = self.owner(async |tx: &mut Tx| q::flag_person(tx, id).await).await?;
        let target = Target::of("warning_flag", id, person);
        self.guarded(actor, Action::View, Compartment::WarningFlags, target, async |tx: &mut Tx| {
            // A missing flag is "not found", not a failed insert.
            q::flag_for(tx, id, actor.user_id).await?;
            let first = q::acknowledge_flag(tx, id, actor.user_id, Timestamp::now()).await?;
            let f = q::flag_for(tx, id, actor.user_id).await?;
            Ok((f, target, Some(json!({ "acknowledged": true, "first_acknowledgement": first }))))
        })
        .await
    }

    pub async fn change_warning_flag(&self, actor: &Actor, id: Id, change_to: &WarningFlagChange) -> Result<WarningFlag> {
        let person = self.owner(async |tx: &mut Tx| q::flag_person(tx, id).await).await?;
        let target = Target::of("warning_flag", id, person);
        self.guarded(actor, Action::Edit, Compartment::WarningFlags, target, async |tx: &mut Tx| {
            let old = q::flag_for(tx, id, actor.user_id).await?;
            if old.end_reason.is_some() {
                return Err(FieldError::new("change", "This flag has ended").into());
            }
            let today = Gate::today();
            match change_to {
                WarningFlagChange::Reviewed { version, next_review } => {
                    let next = match next_review.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                        Some(s) => validate::iso_date("next_review", s, "Next review date")?,
                        None => self.review_periods.flag_review(today),
                    };
                    if next < today {
                        return Err(FieldError::new("next_review", "Next review date must be today or in the future").into());
                    }
                    q::save_flag_review(tx, id, *version, next, today).await?;
                }
                WarningFlagChange::End { version, reason } => {
                    let reason = end_reason(reason)?;
                    q::end_flag(tx, id, *version, today.max(old.starts_on), actor.user_id, &reason).await?;
                }
            }
            let new = q::flag_for(tx, id, actor.user_id).await?;
            Ok((new.clone(), target, change(&old, &new)))
        })
        .await
    }

    // ---- reviews and coverage ----

    /// The caller's "due for review" work list: active needs and current
    /// flags they review, due within the horizon, overdue ones marked.
    pub async fn reviews_due(&self, actor: &Actor) -> Result<Vec<ReviewItem>> {
        let today = Gate::today();
        let mut tx = self.store.begin().await?;
        // The list holds only records the caller reviews: ask as their reviewer.
        let ask = |compartment: Compartment| {
            self.policy.decide(&AccessRequest {
                actor,
                action: Action::List,
                compartment,
                record_type: "review",
                record_key: "review/*".into(),
                relation: Relation { assigned: true, ..Default::default() },
            })
        };
        let (needs, flags) = (ask(Compartment::Needs), ask(Compartment::WarningFlags));
        if !needs.allowed && !flags.allowed {
            let (tx, _) = self.authorize(tx, actor, Action::List, Compartment::Needs, Target::collection("review")).await?;
            drop(tx);
            return Ok(vec![]);
        }
        let until = today.saturating_add(jiff::ToSpan::days(REVIEW_HORIZON_DAYS));
        let items: Vec<ReviewItem> = q::reviews_for(&mut tx, actor.user_id, until, today)
            .await?
            .into_iter()
            .filter(|i| if i.record_type == "need" { needs.allowed } else { flags.allowed })
            .collect();
        for (c, d, kind) in [(Compartment::Needs, needs, "need"), (Compartment::WarningFlags, flags, "warning_flag")] {
            if d.allowed {
                let ids: Vec<Id> = items.iter().filter(|i| i.record_type == kind).map(|i| i.id).collect();
                let permit = Permit {
                    action: Action::List,
                    compartment: c,
                    policy_ids: d.policy_ids,
                    break_glass_reason: None,
                    classes: hearth_domain::classes::ClassSet::all(),
                };
                self.record(&mut tx, actor, &permit, Target::collection("review"), Some(json!({ "returned": ids }))).await?;
            }
        }
        tx.commit().await?;
        Ok(items)
    }

    /// Share of current tenants with a recorded needs check (or need).
    pub async fn needs_coverage(&self, actor: &Actor) -> Result<NeedsCoverage> {
        self.guarded(actor, Action::List, Compartment::Needs, Target::collection("needs_coverage"), async |tx: &mut Tx| {
            let c = q::coverage(tx).await?;
            Ok((c.clone(), Target::collection("needs_coverage"), Some(json!({ "coverage": c }))))
        })
        .await
    }

    // ---- the contractor's job sheet ----

    /// A repair job's sheet: each compartment it draws on is decided and
    /// audited separately; a refusal of any refuses the sheet.
    pub async fn job_sheet(&self, actor: &Actor, case_id: Id) -> Result<JobSheet> {
        let tx = self.store.begin().await?;
        let case_target = Target::of("case", case_id, None);
        let (mut tx, case_permit) = self.authorize(tx, actor, Action::View, Compartment::Repairs, case_target).await?;
        let c = match cases::case(&mut tx, case_id).await {
            Ok(c) if c.kind == CaseKind::Repair => c,
            Ok(_) | Err(hearth_store::StoreError::NotFound) => return Err(GateError::NotFound),
            Err(e) => return Err(e.into()),
        };
        let people_on: Vec<Id> =
            cases::parties(&mut tx, case_id).await?.into_iter().filter(|p| !p.anonymous).filter_map(|p| p.person_id).collect();
        let mut permits = vec![];
        for &pid in &people_on {
            for compartment in [Compartment::Identity, Compartment::Contact, Compartment::Adjustments, Compartment::WarningFlags] {
                match self.check(&mut tx, actor, Action::View, compartment, Target::person(pid)).await? {
                    Ok(p) => permits.push((pid, p)),
                    Err(d) => {
                        tx.commit().await?;
                        return Err(GateError::denied(actor, Action::View, compartment, d));
                    }
                }
            }
        }
        let today = Gate::today();
        let mut sheet_people = vec![];
        // Each part of the sheet is projected by the permit of its own
        // compartment: identity (name), contact (phone), adjustments, flags.
        for (&pid, ps) in people_on.iter().zip(permits.chunks(4)) {
            let permit = |c: Compartment| &ps.iter().find(|(_, p)| p.compartment == c).expect("checked above").1;
            let mut p = people::person(&mut tx, pid).await?;
            permit(Compartment::Identity).project(&mut p);
            let mut contacts = people::contacts_for(&mut tx, pid).await?;
            permit(Compartment::Contact).project(&mut contacts);
            let phone =
                contacts.into_iter().filter(|cp| cp.kind == ContactPointKind::Phone).max_by_key(|cp| cp.preferred).and_then(|cp| cp.value);
            let mut adjustments = q::adjustments_of(&mut tx, pid).await?;
            permit(Compartment::Adjustments).project(&mut adjustments);
            let adjustments = JobSheetAdjustment::from_adjustments(&adjustments);
            // Current flags are chosen before projection (which may withhold the end reason) by who ended them.
            let mut flags: Vec<_> = q::flags_of(&mut tx, pid, actor.user_id)
                .await?
                .into_iter()
                .filter(|f| f.ended_by.is_none() && f.is_current(today))
                .collect();
            permit(Compartment::WarningFlags).project(&mut flags);
            let warning_flags = flags.iter().map(JobSheetFlag::of).collect();
            let name = match &p.preferred_name {
                Some(pref) => format!("{} (prefers {pref})", p.full_name()),
                None => p.full_name(),
            };
            sheet_people.push(JobSheetPerson { name, phone, adjustments, warning_flags });
        }
        let address = match c.property_id {
            Some(id) => Some(homes::property(&mut tx, id).await?.address()),
            None => None,
        };
        self.record(&mut tx, actor, &case_permit, case_target, Some(json!({ "job_sheet": true }))).await?;
        for (pid, permit) in &permits {
            self.record(&mut tx, actor, permit, Target::person(*pid), Some(json!({ "job_sheet": case_id }))).await?;
        }
        tx.commit().await?;
        Ok(JobSheet {
            case_id,
            reference: c.reference,
            trade: c.trade,
            priority: c.priority,
            summary: c.summary,
            window_start: c.window_start,
            window_end: c.window_end,
            address,
            people: sheet_people,
        })
    }
}
