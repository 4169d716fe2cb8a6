//! Joiners, movers and leavers: the staff page's list of accounts and the
//! changes an administrator makes (disable, enable, role, line manager,
//! responsibilities, password reset). Each is decided in the `staff`
//! compartment and audited with the account's name; disabling an account or
//! resetting its password ends every session and API token at once.

use crate::auth::{check_password, hash_password};
use crate::policy::{AccessRequest, Relation};
use crate::{Actor, Gate, Result, Target};
use hearth_domain::access::{Action, Compartment};
use hearth_domain::staff::{
    AccessReview, AccessReviewSheet, AccountReach, NewStaffAccount, ServiceAccountCreated, ServiceAccountInput, SessionKind, StaffAccount,
    StaffChange, StaffChangeContext, StaffRole,
};
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

impl Gate {
    /// Adds a joiner (an administrator): the account with its role and a
    /// first password; audited with the account's name, never the password.
    pub async fn create_staff_account(&self, actor: &Actor, input: &NewStaffAccount) -> Result<StaffAccount> {
        let username = crate::auth::normalise_username(&input.username);
        let mut errors = match crate::auth::validate_new_user(&username, &input.display_name, &input.password) {
            Ok(()) => vec![],
            Err(e) => e.0,
        };
        let role = StaffRole::parse(input.role.trim());
        if role.is_none() {
            errors.push(hearth_domain::error::FieldError::new("role", "Choose the person's role"));
        }
        let Some(role) = role.filter(|_| errors.is_empty()) else {
            return Err(hearth_domain::error::ValidationErrors(errors).into());
        };
        let hash = hash_password(&input.password);
        self.guarded(actor, Action::Create, Compartment::Staff, Target::collection("staff_user"), async |tx: &mut Tx| {
            let id = staff::insert_user(tx, &username, input.display_name.trim(), role, &[], &hash, Timestamp::now()).await?;
            let account = staff::account(tx, id).await?;
            Ok((account.clone(), account_target(id), Some(json!({ "new": account }))))
        })
        .await
    }

    /// Makes a service account for an integration and issues its one API
    /// token, which lasts the days asked and reaches only the compartments
    /// named (on top of what the role allows). The token is returned once
    /// and only its hash is kept; disabling the account revokes it.
    pub async fn create_service_account(&self, actor: &Actor, input: &ServiceAccountInput) -> Result<ServiceAccountCreated> {
        self.make_service_account(actor, input.validate()?).await
    }

    /// Makes the service account `fields` describe and issues its token.
    pub(crate) async fn make_service_account(
        &self,
        actor: &Actor,
        fields: hearth_domain::staff::ServiceAccountFields,
    ) -> Result<ServiceAccountCreated> {
        self.guarded(actor, Action::Create, Compartment::Staff, Target::collection("service_account"), async |tx: &mut Tx| {
            let now = Timestamp::now();
            let expires_at = now + jiff::SignedDuration::from_hours(24 * fields.days);
            let id = staff::insert_service_account(tx, &fields, expires_at, now).await?;
            let token = crate::auth::random_token();
            let csrf = crate::auth::random_token();
            staff::insert_session(tx, &crate::auth::token_hash(&token), id, SessionKind::Api, &csrf, now, expires_at).await?;
            let account = staff::account(tx, id).await?;
            let detail = json!({ "new": account, "token": "issued (not recorded)" });
            Ok((ServiceAccountCreated { account, token }, Target::of("service_account", id, None), Some(detail)))
        })
        .await
    }
}

/// Most reviews the access review page lists.
const REVIEWS_LISTED: i64 = 50;

impl Gate {
    /// What `account` can reach under the policies: read anywhere, read when
    /// related to the record, change anywhere.
    fn reach(&self, account: StaffAccount) -> AccountReach {
        if !account.has_role {
            // No role yet: no session or token is made for it, so it reaches nothing.
            return AccountReach { account, reads: vec![], reads_when_related: vec![], changes: vec![] };
        }
        let actor = Actor {
            user_id: account.id,
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            role: account.role,
            purpose: crate::DEFAULT_PURPOSE.into(),
            responsibilities: account.responsibilities.clone(),
            scope: account.service.then(|| account.scope.clone()),
        };
        let related = Relation {
            assigned: true,
            patch_officer: true,
            on_job: true,
            about_person: true,
            caller_checked_account: true,
            caller_checked_repairs: true,
            ..Relation::default()
        };
        let ask = |action: Action, c: Compartment, relation: Relation| {
            let req = AccessRequest { actor: &actor, action, compartment: c, record_type: "any", record_key: "any/*".into(), relation };
            self.policy().decide(&req).allowed
        };
        let reads: Vec<Compartment> = Compartment::ALL.iter().copied().filter(|c| ask(Action::View, *c, Relation::default())).collect();
        let reads_when_related =
            Compartment::ALL.iter().copied().filter(|c| !reads.contains(c) && ask(Action::View, *c, related)).collect();
        let changes = Compartment::ALL
            .iter()
            .copied()
            .filter(|c| ask(Action::Edit, *c, Relation::default()) || ask(Action::Create, *c, Relation::default()))
            .collect();
        AccountReach { account, reads, reads_when_related, changes }
    }

    /// The access review: every account for the DPO, a manager's own reports
    /// for a manager, each with what it can reach and its last sign-in; and
    /// the reviews done.
    pub async fn access_review(&self, actor: &Actor) -> Result<AccessReviewSheet> {
        let target = Target::collection("access_review");
        let everyone = self.may(actor, Action::List, Compartment::Staff);
        self.guarded(actor, Action::List, Compartment::Staff, target, async |tx: &mut Tx| {
            let all = staff::accounts(tx).await?;
            let (scope, accounts): (&str, Vec<StaffAccount>) = if everyone {
                ("all", all)
            } else {
                ("reports", all.into_iter().filter(|a| a.manager_id == Some(actor.user_id)).collect())
            };
            let reviews = staff::access_reviews(tx, (!everyone).then_some(actor.user_id), REVIEWS_LISTED).await?;
            let n = accounts.len();
            let accounts = accounts.into_iter().map(|a| self.reach(a)).collect();
            Ok((AccessReviewSheet { scope: scope.into(), accounts, reviews }, target, Some(json!({ "scope": scope, "accounts": n }))))
        })
        .await
    }

    /// Marks the access review done, with a note of what was found or
    /// changed; the audit event keeps what each account could reach.
    pub async fn complete_access_review(&self, actor: &Actor, note: &str) -> Result<AccessReview> {
        let note = hearth_domain::validate::optional_text("note", Some(note), 4000, "The note")?.unwrap_or_default();
        let sheet = self.access_review(actor).await?;
        let target = Target::collection("access_review");
        self.guarded(actor, Action::Create, Compartment::Staff, target, async |tx: &mut Tx| {
            let now = Timestamp::now();
            let n = sheet.accounts.len() as i64;
            let id = staff::insert_access_review(tx, actor.user_id, &sheet.scope, n, &note, now).await?;
            let seen: Vec<_> = sheet
                .accounts
                .iter()
                .map(|r| {
                    json!({ "username": r.account.username, "role": r.account.role, "active": r.account.active,
                    "reads": r.reads, "reads_when_related": r.reads_when_related, "changes": r.changes,
                    "last_sign_in_at": r.account.last_sign_in_at })
                })
                .collect();
            let review = AccessReview {
                id,
                reviewed_by: actor.display_name.clone(),
                reviewed_at: now,
                scope: sheet.scope.clone(),
                accounts: n,
                note: note.clone(),
            };
            Ok((review, Target::of("access_review", id, None), Some(json!({ "scope": sheet.scope, "note": note, "accounts": seen }))))
        })
        .await
    }
}

impl Gate {
    /// Colleagues' names by account id, for the records a caller has just
    /// been shown (who recorded an entry, who a case is assigned to, who
    /// marked a follow-up done). Staff are shown by name, never as a number,
    /// and a leaver's name stays. Reading a colleague's name is part of
    /// reading the record the gate already decided and audited, so this is
    /// not decided again.
    pub async fn staff_names(&self) -> Result<std::collections::BTreeMap<Id, String>> {
        let mut tx = self.store.begin_read().await?;
        let names = staff::names(&mut tx).await?;
        tx.commit().await?;
        Ok(names)
    }

    /// Active colleagues by name and role, for choosing who owns a piece
    /// of work (a follow-up). Names and roles of staff are not personal
    /// data of the landlord's customers, and any signed-in member of staff
    /// may give a colleague work, so like [`Gate::staff_names`] this is not
    /// decided.
    pub async fn colleagues(&self) -> Result<Vec<(Id, String, StaffRole)>> {
        let mut tx = self.store.begin_read().await?;
        let all = staff::colleagues(&mut tx).await?;
        tx.commit().await?;
        Ok(all)
    }
}
