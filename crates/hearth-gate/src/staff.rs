//! Joiners, movers and leavers: the staff page's list of accounts and the
//! changes an administrator makes (disable, enable, role, line manager,
//! responsibilities, password reset). Each is decided in the `staff`
//! compartment and audited with the account's name; disabling an account or
//! resetting its password ends every session and API token at once.

use crate::auth::{check_password, hash_password};
use crate::{Actor, Gate, Result, Target};
use hearth_domain::access::{Action, Compartment};
use hearth_domain::staff::{StaffAccount, StaffChange, StaffChangeContext};
use hearth_domain::Id;
use hearth_store::{staff, Tx};
use jiff::Timestamp;
use serde_json::json;

fn account_target(id: Id) -> Target {
    Target::of("staff_user", id, None)
}

impl Gate {
    /// Every staff account, active first: role, line manager, last sign-in, status.
    pub async fn staff_accounts(&self, actor: &Actor) -> Result<Vec<StaffAccount>> {
        self.guarded(actor, Action::List, Compartment::Staff, Target::collection("staff_user"), async |tx: &mut Tx| {
            let all = staff::accounts(tx).await?;
            let n = all.len();
            Ok((all, Target::collection("staff_user"), Some(json!({ "returned": n }))))
        })
        .await
    }

    pub async fn staff_account(&self, actor: &Actor, id: Id) -> Result<StaffAccount> {
        self.guarded(actor, Action::View, Compartment::Staff, account_target(id), async |tx: &mut Tx| {
            Ok((staff::account(tx, id).await?, account_target(id), None))
        })
        .await
    }

    /// Applies one change to the account `id` as `actor`; the audit event
    /// names the account and says what changed in words (never the password).
    pub async fn change_staff(&self, actor: &Actor, id: Id, change: &StaffChange) -> Result<StaffAccount> {
        if let StaffChange::ResetPassword { password } = change {
            let username = {
                let mut tx = self.store.begin().await?;
                staff::account(&mut tx, id).await.map(|a| a.username).unwrap_or_default()
            };
            check_password(&username, password)?;
        }
        self.guarded(actor, Action::Edit, Compartment::Staff, account_target(id), async |tx: &mut Tx| {
            let old = staff::account(tx, id).await?;
            let manager = match change {
                StaffChange::SetManager { manager: Some(m) } if !m.trim().is_empty() => {
                    staff::user_by_username(tx, m.trim()).await?.map(|u| (u.id, u.display_name))
                }
                _ => None,
            };
            let cx = StaffChangeContext { by: actor.user_id, manager };
            let now = Timestamp::now();
            let mut new = old.clone();
            let line = new.apply(change, &cx, now)?;
            staff::save_account(tx, &new).await?;
            if let StaffChange::ResetPassword { password } = change {
                staff::set_password(tx, id, &hash_password(password)).await?;
                staff::clear_failed_sign_ins(tx, id).await?;
            }
            let ended = if change.ends_sessions() { staff::delete_user_sessions(tx, id).await? } else { 0 };
            let detail = json!({ "change": line, "account": new.username, "old": old, "new": new, "sessions_ended": ended });
            Ok((new, account_target(id), Some(detail)))
        })
        .await
    }
}
