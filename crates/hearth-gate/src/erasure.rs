//! Requests for erasure: the review that says, class by class, what Hearth
//! holds about the person and whether it is erased or kept and why (legal
//! holds, the register's retention rules and lawful bases), and carrying it
//! out. Both are the DPO's, on an open erasure request whose requester's
//! identity is confirmed; both are audited, and the erasure happens in the
//! same transaction as its audit event.

use crate::bundle::check_request;
use crate::{Actor, Gate, Result, Target};
use hearth_domain::erasure::decide;
use hearth_domain::{
    access::{Action, Compartment},
    contacts::Channel,
    erasure::{ErasureDecision, ErasureItem, HeldRecords},
    error::FieldError,
    retention::{HoldScope, RecordClass, RetentionRule, RetentionTrigger},
    rights::{RightsRequest, RightsRequestKind},
    Id,
};
use hearth_store::erasure::{self as q, ClassFacts, TenancyFacts};
use hearth_store::retention::{self as disposal, LegalHold};
use hearth_store::{rights, Tx};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

/// What an erasure request would do, or did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureReview {
    pub request_id: Id,
    pub request_reference: String,
    /// The request's version: send it back to carry the erasure out.
    pub request_version: i64,
    pub person_id: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub as_of: Date,
    pub items: Vec<ErasureItem>,
    /// Present once carried out: what was removed, class by class.
    pub carried_out: Option<Vec<ErasedClass>>,
}

/// What carrying out the erasure removed from one class.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasedClass {
    pub class: RecordClass,
    pub erased: i64,
    /// Records of an erasable class that stay, and why (part of someone else's record, say).
    pub kept: i64,
    pub note: String,
}

fn trigger_facts(rule: RetentionRule, f: &ClassFacts, tenancy: &TenancyFacts, last_contact: Option<Date>) -> (bool, Option<Date>) {
    match rule {
        RetentionRule::Keep => (false, None),
        RetentionRule::After { trigger, .. } => match trigger {
            RetentionTrigger::TenancyEnded => (tenancy.open > 0, tenancy.latest_end),
            RetentionTrigger::CaseClosed => (f.open > 0, f.latest_closed),
            RetentionTrigger::Created => (false, f.latest_created),
            // The later of the last contact and the newest renewal, as the retention sweep counts it.
            RetentionTrigger::LastContact => (false, last_contact.max(f.latest_created)),
            // Hearth holds no housing applications yet; an offer not yet accepted keeps the record.
            RetentionTrigger::OfferAccepted => (true, None),
        },
    }
}

/// A hold that keeps this class of this person's records.
fn hold_for<'a>(holds: &'a [LegalHold], person_id: Id, case_ids: &[Id], class: RecordClass) -> Option<&'a LegalHold> {
    holds.iter().find(|h| match h.scope {
        HoldScope::Person => h.person_id == Some(person_id),
        HoldScope::RecordClass => h.record_class.as_deref() == Some(class.as_str()),
        HoldScope::Case => {
            h.case_id.is_some_and(|c| case_ids.contains(&c)) && (class.as_str().starts_with("case_") || class == RecordClass::CaseDocument)
        }
    })
}

impl Gate {
    async fn review_in(&self, tx: &mut Tx, request: &RightsRequest, as_of: Date) -> Result<ErasureReview> {
        let pid = request.person_id;
        let tenancy = q::tenancy_facts(tx, pid).await?;
        let last_contact = q::latest_contact(tx, pid).await?;
        let holds = disposal::active_holds(tx).await?;
        let case_ids = q::case_ids(tx, pid).await?;
        let items = q::class_facts(tx, pid)
            .await?
            .iter()
            .map(|f| {
                let entry = self.register.entry(f.class);
                let (trigger_pending, latest_trigger) = trigger_facts(entry.retention, f, &tenancy, last_contact);
                let held = HeldRecords { class: f.class, count: f.count, trigger_pending, latest_trigger };
                let hold = hold_for(&holds, pid, &case_ids, f.class).map(|h| format!("{} (hold {}, owner {})", h.reason, h.id, h.owner));
                decide(entry, &held, hold.as_deref(), as_of)
            })
            .collect();
        Ok(ErasureReview {
            request_id: request.id,
            request_reference: request.reference.clone(),
            request_version: request.version,
            person_id: pid,
            as_of,
            items,
            carried_out: None,
        })
    }

    /// What erasing the person's data would do, class by class (DPO only; audited).
    pub async fn erasure_review(&self, actor: &Actor, request_id: Id) -> Result<ErasureReview> {
        let target = Target::of("rights_request", request_id, None);
        self.guarded(actor, Action::View, Compartment::Rights, target, async |tx: &mut Tx| {
            let request = rights::request(tx, request_id).await?;
            check_request(&request, RightsRequestKind::Erasure)?;
            let review = self.review_in(tx, &request, Gate::today()).await?;
            let detail = json!({ "reviewed": "erasure", "classes": review.items.len() });
            Ok((review, Target::of("rights_request", request_id, Some(request.person_id)), Some(detail)))
        })
        .await
    }

    /// Erases what the review allows, in one transaction with its audit
    /// event, and notes on the request what was erased and what was kept.
    /// Hearth erases call recordings, contact-log entries about the person
    /// alone, and case documents; any other class the review marks for
    /// erasure is listed as kept with the reason, for the DPO to act on.
    pub async fn carry_out_erasure(&self, actor: &Actor, request_id: Id, version: i64) -> Result<ErasureReview> {
        let target = Target::of("rights_request", request_id, None);
        self.guarded(actor, Action::Delete, Compartment::Rights, target, async |tx: &mut Tx| {
            let mut request = rights::request(tx, request_id).await?;
            check_request(&request, RightsRequestKind::Erasure)?;
            if request.version != version {
                return Err(crate::GateError::Conflict);
            }
            let pid = request.person_id;
            let mut review = self.review_in(tx, &request, Gate::today()).await?;
            let erasable: Vec<RecordClass> =
                review.items.iter().filter(|i| i.decision == ErasureDecision::Erase).map(|i| i.class).collect();
            let mut done = vec![];
            for class in &erasable {
                let (erased, kept, note) = match class {
                    RecordClass::CallRecording => {
                        let ids = q::call_recording_ids(tx, pid).await?;
                        let n = disposal::delete_call_recordings(tx, &ids).await?.len() as i64;
                        (n, ids.len() as i64 - n, "Recording records deleted".to_string())
                    }
                    RecordClass::CaseDocument => {
                        let ids = q::case_document_ids(tx, pid).await?;
                        let n = disposal::delete_documents(tx, &self.documents, &ids).await?.len() as i64;
                        (n, ids.len() as i64 - n, "Documents and their files deleted".to_string())
                    }
                    _ => (0, 0, String::new()),
                };
                if !note.is_empty() {
                    done.push(ErasedClass { class: *class, erased, kept, note });
                }
            }
            // Contact entries after recordings and documents, which hang off them.
            let channels: Vec<Channel> = Channel::ALL.iter().copied().filter(|c| erasable.contains(&RecordClass::of_contact(*c))).collect();
            let is_contact = |class: RecordClass| channels.iter().any(|ch| RecordClass::of_contact(*ch) == class);
            let (ids, shared) = q::sole_contact_entry_ids(tx, pid, &channels).await?;
            let erased_entries = disposal::delete_contact_entries(tx, &ids).await?;
            // One line for the contact log as a whole, on its first erasable class.
            if let Some(class) = erasable.iter().copied().find(|c| is_contact(*c)) {
                done.push(ErasedClass {
                    class,
                    erased: erased_entries.len() as i64,
                    kept: shared,
                    note: "Entries about the person alone deleted; entries also about other people, on a case, or with a recording or document kept stay as part of those records".into(),
                });
            }
            let leftover: Vec<RecordClass> =
                erasable.iter().copied().filter(|c| !is_contact(*c) && !done.iter().any(|d| d.class == *c)).collect();
            for class in leftover {
                let count = review.items.iter().find(|i| i.class == class).map(|i| i.count).unwrap_or(0);
                done.push(ErasedClass {
                    class,
                    erased: 0,
                    kept: count,
                    note: "Hearth cannot erase this class by itself yet: erase it by hand or let the retention schedule dispose of it".into(),
                });
            }
            let summary = done.iter().map(|d| format!("{}: {} erased, {} kept", d.class.label(), d.erased, d.kept)).collect::<Vec<_>>().join("; ");
            let kept = review.items.iter().filter(|i| i.decision == ErasureDecision::Keep).map(|i| format!("{} kept: {}", i.label, i.reason));
            let note = std::iter::once(format!("Erasure carried out on {}: {}", review.as_of, if summary.is_empty() { "nothing erasable".into() } else { summary }))
                .chain(kept)
                .collect::<Vec<_>>()
                .join("\n");
            request.notes = Some(match request.notes.take() {
                Some(n) if !n.is_empty() => format!("{n}\n{note}"),
                _ => note,
            });
            review.request_version = rights::save_request(tx, &request, Timestamp::now()).await?.version;
            review.carried_out = Some(done);
            let detail = json!({ "erasure": review.carried_out, "kept": review.items.iter().filter(|i| i.decision == ErasureDecision::Keep).map(|i| i.class).collect::<Vec<_>>() });
            Ok((review, Target::of("rights_request", request_id, Some(pid)), Some(detail)))
        })
        .await
    }
}

/// One field changed on one of the person's records.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    /// The value before, as text (numbers and lists as JSON); empty when it was blank.
    pub old: Option<String>,
    pub new: Option<String>,
}

fn as_text(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A change made to one of the person's records, from the audit trail.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordChange {
    pub at: String,
    pub by: String,
    pub role: String,
    pub record_type: String,
    pub record_id: Option<Id>,
    pub changes: Vec<FieldChange>,
}

// The review lists record kinds and counts; the rectification history is
// the DPO's own view of the changes the request asked for.
hearth_domain::assembled_in_the_gate!(ErasureReview, RecordChange);

/// The fields whose values differ between an edit's old and new values.
fn field_changes(detail: Option<&str>) -> Vec<FieldChange> {
    let Some(v) = detail.and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok()) else { return vec![] };
    let (Some(old), Some(new)) = (v.get("old").and_then(|o| o.as_object()), v.get("new").and_then(|n| n.as_object())) else {
        return vec![];
    };
    // Bookkeeping fields change on every edit and say nothing about the data.
    const SKIP: [&str; 4] = ["version", "updated_at", "created_at", "id"];
    new.iter()
        .filter(|(k, _)| !SKIP.contains(&k.as_str()))
        .filter(|(k, n)| old.get(*k) != Some(*n))
        .map(|(k, n)| FieldChange { field: k.clone(), old: as_text(old.get(k)), new: as_text(Some(n)) })
        .collect()
}

impl Gate {
    /// For a rectification request: every change made to the person's
    /// records since the request arrived, field by field with the old and new
    /// values, from the audit trail, which keeps the history (DPO only; audited).
    pub async fn rectification_history(&self, actor: &Actor, request_id: Id) -> Result<Vec<RecordChange>> {
        let target = Target::of("rights_request", request_id, None);
        self.guarded(actor, Action::View, Compartment::Rights, target, async |tx: &mut Tx| {
            let request = rights::request(tx, request_id).await?;
            if request.kind != RightsRequestKind::Rectification {
                return Err(
                    FieldError::new("kind", format!("This is {}, not a rectification request", request.kind.request_words())).into()
                );
            }
            let since = request.received_on.to_string();
            let events = hearth_store::audit::events_for_person(tx, request.person_id, crate::history::MAX_HISTORY).await?;
            let changes = events
                .into_iter()
                .filter(|e| e.event.action == "edit" && e.event.decision == "allow" && e.occurred_at.as_str() >= since.as_str())
                .filter(|e| e.event.record_type != "rights_request")
                .map(|e| RecordChange {
                    changes: field_changes(e.event.detail.as_deref()),
                    at: e.occurred_at,
                    by: e.event.actor_username,
                    role: e.event.actor_role,
                    record_type: e.event.record_type,
                    record_id: e.event.record_id,
                })
                .collect();
            Ok((
                changes,
                Target::of("rights_request", request_id, Some(request.person_id)),
                Some(json!({ "viewed": "rectification_history" })),
            ))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_data_fields_are_listed() {
        let d = r#"{"old":{"given_name":"Wendy","family_name":"Sparrow","version":1},"new":{"given_name":"Wendeline","family_name":"Sparrow","version":2}}"#;
        let c = field_changes(Some(d));
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].field.as_str(), c[0].old.as_deref(), c[0].new.as_deref()), ("given_name", Some("Wendy"), Some("Wendeline")));
        assert!(field_changes(Some("not json")).is_empty() && field_changes(None).is_empty());
    }
}
