//! Widening access for a while, on the record: break-glass (a user opens one
//! person's compartment outside policy by stating a reason, briefly, and the
//! DPO reviews it) and supplier-support grants (approved by the DPO or an
//! administrator, for named compartments, until they expire).

use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    error::FieldError,
    staff::StaffRole,
    Id,
};
use hearth_store::grants::{self as q, BreakGlass, NewBreakGlass, SupportGrant};
use hearth_store::{staff, Tx};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

const MIN_REASON_CHARS: usize = 10;
/// Compartments no supplier-support grant may open: the DPO's own registers,
/// the audit trail (which would show support what they and others did) and
/// equality data. The policy `supplier-support-never-registers-audit-or-edi`
/// refuses them too, whatever a grant says.
pub const NEVER_GRANTED_TO_SUPPORT: [Compartment; 4] = [Compartment::Rights, Compartment::Audit, Compartment::Edi, Compartment::Staff];
/// Most grants the DPO's list shows.
const SUPPORT_GRANT_LIST: i64 = 500;
/// Longest a supplier-support grant may run.
pub const MAX_SUPPORT_GRANT: SignedDuration = SignedDuration::from_hours(72);

fn reason_of(reason: &str) -> Result<String> {
    let r = reason.trim();
    if r.chars().count() < MIN_REASON_CHARS {
        return Err(FieldError::new("reason", format!("Say why you need access, in at least {MIN_REASON_CHARS} characters")).into());
    }
    Ok(r.chars().take(500).collect())
}

impl Gate {
    /// Opens `compartment` of one person's record to `actor` for the
    /// configured time, if the policies let this role break the glass.
    pub async fn break_glass(&self, actor: &Actor, person_id: Id, compartment: Compartment, reason: &str) -> Result<BreakGlass> {
        let reason = reason_of(reason)?;
        let for_ = self.break_glass_for;
        self.guarded(actor, Action::BreakGlass, compartment, Target::person(person_id), async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let now = Timestamp::now();
            let g = q::insert_break_glass(
                tx,
                &NewBreakGlass {
                    user_id: actor.user_id,
                    record_type: "person",
                    record_id: person_id,
                    person_id: Some(person_id),
                    compartment: compartment.as_str(),
                    reason: &reason,
                    granted_at: now,
                    expires_at: now + for_,
                },
            )
            .await?;
            let detail = json!({ "break_glass_id": g.id, "reason": reason, "expires_at": g.expires_at.to_string() });
            Ok((g, Target::person(person_id), Some(detail)))
        })
        .await
    }

    /// The DPO's review list: unreviewed grants (or all, newest first).
    pub async fn break_glass_reviews(&self, actor: &Actor, unreviewed_only: bool) -> Result<Vec<BreakGlass>> {
        self.guarded(actor, Action::List, Compartment::Audit, Target::collection("break_glass"), async |tx: &mut Tx| {
            Ok((q::list_break_glass(tx, unreviewed_only, 200).await?, Target::collection("break_glass"), None))
        })
        .await
    }

    /// Records the DPO's review of one grant; a review is never overwritten.
    pub async fn review_break_glass(&self, actor: &Actor, id: Id, note: &str) -> Result<BreakGlass> {
        let note = note.trim().to_string();
        if note.is_empty() {
            return Err(FieldError::new("note", "Say what the review found").into());
        }
        self.guarded(actor, Action::Edit, Compartment::Audit, Target::of("break_glass", id, None), async |tx: &mut Tx| {
            let g = q::review_break_glass(tx, id, actor.user_id, &note, Timestamp::now()).await?;
            let person = g.person_id;
            Ok((g, Target::of("break_glass", id, person), Some(json!({ "review_note": note }))))
        })
        .await
    }

    /// Grants a supplier-support account access to `compartments` for `hours`.
    /// Only roles the policies allow to approve (the DPO, administrators) may.
    pub async fn grant_support(
        &self,
        approver: &Actor,
        username: &str,
        compartments: &[Compartment],
        hours: i64,
        reason: &str,
    ) -> Result<Id> {
        if !matches!(approver.role, StaffRole::Dpo | StaffRole::SystemAdministrator) {
            return Err(GateError::refused(
                approver,
                Action::Create,
                Compartment::Audit,
                "only the DPO or an administrator approves supplier access",
            ));
        }
        let reason = reason_of(reason)?;
        let duration = SignedDuration::from_hours(hours);
        if hours < 1 || duration > MAX_SUPPORT_GRANT {
            return Err(FieldError::new("hours", "A grant lasts from 1 to 72 hours").into());
        }
        if compartments.is_empty() {
            return Err(FieldError::new("compartments", "Name the compartments needed").into());
        }
        if let Some(c) = compartments.iter().find(|c| NEVER_GRANTED_TO_SUPPORT.contains(c)) {
            return Err(FieldError::new(
                "compartments",
                format!("{c} is never granted to supplier support: the DPO's registers (rights), the audit trail (audit), equality data (edi) and staff accounts (staff) stay closed"),
            )
            .into());
        }
        let mut tx = self.store.begin().await?;
        let user = staff::user_by_username(&mut tx, username).await?.ok_or_else(|| FieldError::new("username", "No such account"))?;
        if user.role != StaffRole::SupplierSupport {
            return Err(FieldError::new("username", "Grants are for supplier-support accounts").into());
        }
        let now = Timestamp::now();
        let names: Vec<String> = compartments.iter().map(|c| c.as_str().to_string()).collect();
        let id = q::insert_support_grant(&mut tx, user.id, &names, &reason, approver.user_id, now, now + duration).await?;
        let detail = json!({ "grantee": username, "compartments": names, "hours": hours, "reason": reason });
        let e = crate::event(
            approver,
            Action::Create,
            Compartment::Audit,
            Target::of("support_grant", id, None),
            "allow",
            "support-grant-approval",
            None,
            Some(detail.to_string()),
        );
        hearth_store::audit::append(&mut tx, &e, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Supplier-support grants, current and past, newest first: the DPO
    /// oversees who the supplier could see, and when (record type
    /// `support_grant` in `audit`).
    pub async fn support_grants(&self, actor: &Actor) -> Result<Vec<SupportGrant>> {
        let target = Target::collection("support_grant");
        self.guarded(actor, Action::List, Compartment::Audit, target, async |tx: &mut Tx| {
            let list = q::list_support_grants(tx, SUPPORT_GRANT_LIST).await?;
            let ids: Vec<Id> = list.iter().map(|g| g.id).collect();
            Ok((list, target, Some(json!({ "returned": ids }))))
        })
        .await
    }
}
