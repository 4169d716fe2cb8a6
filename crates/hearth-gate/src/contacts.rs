//! Gate operations on the contact log. An entry is created, read and listed
//! under its own compartment's rules: a general contact by anyone who may
//! use the contact log, an ASB, safeguarding, care or complaints contact
//! only by those with need-to-know (for assigned-only roles: the entry's
//! case is theirs). An entry filed on a case is in the case's compartment.
//! The timeline asks the policies per compartment and filters in the query,
//! so an entry the caller may not see is never read or counted.

use crate::people::clamp_limit;
use crate::policy::{AccessRequest, Relation};
use crate::{Actor, Gate, GateError, Permit, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    contacts::{ContactEntry, ContactInput, FollowUp, MyFollowUp, CONTACT_COMPARTMENTS},
    error::FieldError,
    Id,
};
use hearth_store::contacts::{self as q, ContactVisibility, TimelineFilter};
use hearth_store::{cases, people, staff, Page, Tx};
use jiff::Timestamp;
use serde_json::json;

fn entry_target(id: Id, person: Option<Id>) -> Target {
    Target::of("contact_entry", id, person)
}

impl Gate {
    /// The caller's relationship to an entry: assigned when the entry's case
    /// is (the caller's view of a case decides), break-glass when a grant on
    /// one of its people covers the compartment.
    pub(crate) async fn contact_relation(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        entry_id: Id,
        compartment: Compartment,
        now: Timestamp,
    ) -> Result<(bool, Option<String>)> {
        let Some((_, case_id, people)) = q::entry_access(tx, entry_id).await? else { return Ok((false, None)) };
        let assigned = match case_id {
            Some(c) => self.case_relation(tx, actor, c, now).await?.assigned,
            None => false,
        };
        for p in people {
            if let Some(g) = self.active_grant(tx, actor, "person", p, compartment, now).await? {
                return Ok((assigned, Some(g.reason)));
            }
        }
        Ok((assigned, None))
    }

    /// Asks the policies, per contact compartment, what the caller may list
    /// about `target` (a person, or any entry). Returns the filter for the
    /// query and the permit each visible compartment was listed under.
    pub(crate) async fn contact_visibility(&self, tx: &mut Tx, actor: &Actor, target: Target) -> Result<(ContactVisibility, Vec<Permit>)> {
        let mut vis = ContactVisibility::default();
        let mut permits = vec![];
        for &c in CONTACT_COMPARTMENTS {
            let (mut relation, bg_reason) = self.relation(tx, actor, c, target).await?;
            self.caller_relation(tx, actor, Action::List, target, &mut relation).await?;
            let request = |relation: Relation| AccessRequest {
                actor,
                action: Action::List,
                compartment: c,
                record_type: "contact_entry",
                record_key: "contact_entry/*".into(),
                relation,
            };
            let d = self.policy.decide(&request(relation));
            let (d, relation) = if d.allowed {
                vis.all.push(c);
                (d, relation)
            } else {
                let assigned = Relation { assigned: true, ..relation };
                let d = self.policy.decide(&request(assigned));
                if !d.allowed {
                    continue;
                }
                vis.assigned.push(c);
                (d, assigned)
            };
            let break_glass_reason = if d.via_break_glass { bg_reason } else { None };
            let classes = self.policy.classes(&request(relation));
            permits.push(Permit { action: Action::List, compartment: c, policy_ids: d.policy_ids, break_glass_reason, classes });
        }
        Ok((vis, permits))
    }

    /// Fills in the links of each entry: only other parts the caller may see,
    /// and none at all on an entry the caller may not see.
    async fn link(&self, tx: &mut Tx, actor: &Actor, vis: &ContactVisibility, entries: &mut [ContactEntry]) -> Result<()> {
        // One query for the page: the visible entries of its submissions.
        let submissions: Vec<Id> = entries.iter().map(|e| e.submission_id).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let visible = q::visible_in_submissions(tx, &submissions, actor.user_id, vis).await?;
        for e in entries.iter_mut() {
            e.linked_entry_ids = match visible.get(&e.submission_id) {
                Some(ids) if ids.contains(&e.id) => ids.iter().copied().filter(|i| *i != e.id).collect(),
                _ => vec![],
            };
        }
        Ok(())
    }

    /// Logs a contact: one entry, or one per part of a split submission,
    /// each created under its own compartment's rules and audited with the
    /// new entry for every person it was with. An entry filed on a case is
    /// in the case's compartment, whatever the caller would choose: a
    /// safeguarding call filed in the general log would be read by anyone
    /// who may read the log.
    pub async fn log_contact(&self, actor: &Actor, input: &ContactInput) -> Result<Vec<ContactEntry>> {
        let now = Timestamp::now();
        let mut fields = input.validate(now)?;
        let split = input.parts.is_some();
        let mut tx = self.store.begin().await?;
        // Per part: the case is unknown, or the compartment given is not the case's.
        let mut faults = vec![(false, false); fields.len()];
        for (f, fault) in fields.iter_mut().zip(&mut faults) {
            let Some(c) = f.case_id else { continue };
            match cases::case(&mut tx, c).await {
                Ok(case) => {
                    fault.1 = f.compartment_given && f.compartment != case.compartment;
                    f.compartment = case.compartment;
                }
                Err(hearth_store::StoreError::NotFound) => fault.0 = true,
                Err(e) => return Err(e.into()),
            }
        }
        let mut permits = vec![];
        for f in &fields {
            match self.check(&mut tx, actor, Action::Create, f.compartment, Target::collection("contact_entry")).await? {
                Ok(p) => permits.push(p),
                Err(d) => {
                    tx.commit().await?;
                    return Err(GateError::denied(actor, Action::Create, f.compartment, d));
                }
            }
        }
        // Named only once the caller may file here, so a refused caller learns nothing of the case.
        for (k, (no_case, other_compartment)) in faults.iter().enumerate() {
            let at = if split { format!("parts[{k}].") } else { String::new() };
            if *no_case {
                return Err(FieldError::new(format!("{at}case_id"), "No such case").into());
            }
            if *other_compartment {
                return Err(FieldError::new(
                    format!("{at}compartment"),
                    "A contact filed on a case is in the case's compartment; leave the compartment out",
                )
                .into());
            }
        }
        // Name the field at fault rather than failing on a foreign key.
        for (i, p) in fields[0].person_ids.iter().enumerate() {
            if people::person(&mut tx, *p).await.is_err() {
                return Err(FieldError::new(format!("person_ids[{i}]"), "No such person").into());
            }
        }
        // A contact with a restricted person would be new processing of their data.
        for p in &fields[0].person_ids {
            if let Some(refused) =
                self.restriction_refusal(&mut tx, actor, Action::Create, fields[0].compartment, Target::person(*p)).await?
            {
                tx.commit().await?;
                return Err(refused);
            }
        }
        for (k, f) in fields.iter().enumerate() {
            let at = if split { format!("parts[{k}].") } else { String::new() };
            if let Some(c) = f.case_id {
                // Words filed on a case must not identify its anonymous reporter.
                let (summary, verbatim) = (format!("{at}summary"), format!("{at}verbatim"));
                let texts = [(summary.as_str(), Some(f.summary.as_str())), (verbatim.as_str(), f.verbatim.as_ref().map(|v| v.0.as_str()))];
                crate::anonymity::check_case_text(&mut tx, c, &texts).await?;
            }
            for (j, fu) in f.follow_ups.iter().enumerate() {
                if staff::user_by_id(&mut tx, fu.owner).await.is_err() {
                    return Err(FieldError::new(format!("{at}follow_ups[{j}].owner"), "No such staff account").into());
                }
            }
        }
        let mut submission = None;
        let mut entries = vec![];
        for f in &fields {
            let id = q::insert_entry(&mut tx, f, submission, actor.user_id, now).await?;
            submission.get_or_insert(id);
            entries.push(q::entry(&mut tx, id).await?);
        }
        // Only the parts of a split submission link to each other: a single
        // new entry has no others, so its links need no visibility decisions.
        if entries.len() > 1 {
            let (vis, _) = self.contact_visibility(&mut tx, actor, Target::collection("contact_entry")).await?;
            self.link(&mut tx, actor, &vis, &mut entries).await?;
        }
        for (e, permit) in entries.iter().zip(&permits) {
            for p in &e.person_ids {
                self.record(&mut tx, actor, permit, entry_target(e.id, Some(*p)), Some(json!({ "new": e }))).await?;
            }
        }
        tx.commit().await?;
        Ok(entries)
    }

    /// One entry, under its compartment's rules. An unknown id is refused
    /// like a safeguarding entry, so probing ids reveals nothing.
    pub async fn contact_entry(&self, actor: &Actor, id: Id) -> Result<ContactEntry> {
        // Decided about the entry's first person, so a caller check applies.
        let (compartment, about) = {
            let mut tx = self.store.begin_read().await?;
            let access = q::entry_access(&mut tx, id).await?;
            drop(tx);
            access.map(|a| (a.0, a.2.first().copied())).unwrap_or((Compartment::Safeguarding, None))
        };
        self.guarded(actor, Action::View, compartment, entry_target(id, about), async |tx: &mut Tx| {
            let mut e = q::entry(tx, id).await?;
            let (vis, _) = self.contact_visibility(tx, actor, Target::collection("contact_entry")).await?;
            e.linked_entry_ids = q::linked_ids(tx, e.id, e.submission_id, actor.user_id, &vis).await?;
            let person = e.person_ids.first().copied();
            Ok((e, entry_target(id, person), None))
        })
        .await
    }

    /// A person's contact log, newest first, holding only the compartments
    /// the caller may list. One audit event per compartment drawn on.
    pub async fn person_timeline(
        &self,
        actor: &Actor,
        person_id: Id,
        filter: &TimelineFilter,
        after: Option<Id>,
        limit: Option<i64>,
    ) -> Result<Page<ContactEntry>> {
        let mut tx = self.store.begin().await?;
        let target = Target::person(person_id);
        let (vis, permits) = self.contact_visibility(&mut tx, actor, target).await?;
        let Some(fallback) = permits.first().cloned() else {
            // Nothing listable at all: a refusal, recorded like any other.
            let (tx, _) = self.authorize(tx, actor, Action::List, Compartment::ContactLog, target).await?;
            drop(tx);
            return Ok(Page { items: vec![], next_cursor: None });
        };
        crate::person_of(&mut tx, person_id).await?;
        let mut page = q::timeline(&mut tx, actor.user_id, &vis, person_id, filter, after, clamp_limit(limit)).await?;
        self.link(&mut tx, actor, &vis, &mut page.items).await?;
        for e in page.items.iter_mut() {
            if let Some(p) = permits.iter().find(|p| p.compartment == e.compartment) {
                p.project(e);
            }
        }
        let mut drawn: Vec<&Permit> = permits.iter().filter(|p| page.items.iter().any(|e| e.compartment == p.compartment)).collect();
        if drawn.is_empty() {
            drawn.push(&fallback);
        }
        for permit in drawn {
            let ids: Vec<Id> = page.items.iter().filter(|e| e.compartment == permit.compartment).map(|e| e.id).collect();
            let detail = json!({
                "returned": ids, "channel": filter.channel, "compartment": filter.compartment, "after": after,
            });
            self.record(&mut tx, actor, permit, target, Some(detail)).await?;
        }
        tx.commit().await?;
        Ok(page)
    }

    /// Marks a follow-up done, recording who and when. Closing it is an
    /// edit of its entry, decided under the entry's compartment.
    pub async fn mark_follow_up_done(&self, actor: &Actor, follow_up_id: Id) -> Result<FollowUp> {
        let (entry_id, compartment, person) = {
            let mut tx = self.store.begin().await?;
            let found = match q::follow_up(&mut tx, follow_up_id).await? {
                Some((entry_id, _)) => q::entry_access(&mut tx, entry_id).await?.map(|a| (entry_id, a.0, a.2.first().copied())),
                None => None,
            };
            drop(tx);
            // An unknown id is decided like a safeguarding entry, so probing ids reveals nothing.
            found.unwrap_or((0, Compartment::Safeguarding, None))
        };
        let target = if entry_id == 0 { Target::collection("contact_entry") } else { entry_target(entry_id, person) };
        self.guarded(actor, Action::Edit, compartment, target, async |tx: &mut Tx| {
            let Some((_, before)) = q::follow_up(tx, follow_up_id).await? else { return Err(GateError::NotFound) };
            q::mark_follow_up_done(tx, follow_up_id, actor.user_id, Timestamp::now()).await?;
            let (_, after) = q::follow_up(tx, follow_up_id).await?.ok_or(GateError::NotFound)?;
            let detail = json!({ "follow_up": follow_up_id, "old": before, "new": after });
            Ok((after, target, Some(detail)))
        })
        .await
    }

    /// The caller's open follow-ups, soonest due first ("Your work"). The
    /// policies are asked per contact compartment, as for a timeline, and
    /// the answer filters in the query: a follow-up on an entry the caller
    /// may list comes with its action and person, projected to the classes
    /// that compartment opens; one on an entry they may not list comes as
    /// work due on a day, without its words or person. One audit event per
    /// compartment drawn on.
    pub async fn my_follow_ups(&self, actor: &Actor) -> Result<Vec<MyFollowUp>> {
        let today = Gate::today();
        let mut tx = self.store.begin().await?;
        let target = Target::collection("contact_entry");
        let (vis, permits) = self.contact_visibility(&mut tx, actor, target).await?;
        let rows = q::owned_follow_ups(&mut tx, actor.user_id, &vis).await?;
        let mut items = vec![];
        for r in &rows {
            let mut item = MyFollowUp {
                id: r.id,
                entry_id: r.entry_id,
                action: r.action.clone(),
                person_id: r.person_id,
                person_name: r.person_name.clone(),
                due_on: r.due_on,
                overdue: r.due_on < today,
            };
            match permits.iter().find(|p| p.compartment == r.compartment).filter(|_| r.visible) {
                Some(p) => p.project(&mut item),
                // Not listable: nothing of the entry goes out, whatever the query returned.
                None => (item.action, item.person_id, item.person_name) = (None, None, None),
            }
            items.push(item);
        }
        for permit in &permits {
            let ids: Vec<Id> = rows.iter().filter(|r| r.visible && r.compartment == permit.compartment).map(|r| r.id).collect();
            if !ids.is_empty() {
                self.record(&mut tx, actor, permit, target, Some(json!({ "follow_ups": ids }))).await?;
            }
        }
        tx.commit().await?;
        Ok(items)
    }
}
