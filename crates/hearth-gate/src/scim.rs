//! SCIM provisioning: the directory's provisioning client (Entra ID) makes,
//! changes, deactivates and deletes people's staff accounts and directory
//! groups. Every request is one decision in the `staff` compartment, on
//! `directory_user` and `directory_group` records, which only a provisioning
//! client reaches (Cedar: `directory-records-are-the-provisioning-client's`),
//! and one transaction with its audit event: nothing is half-written.
//!
//! Roles follow group membership through the identity file: whenever an
//! account's groups or `roles` change, its role and responsibilities are
//! recomputed, and a changed role (or none) ends its sessions, as a mover's
//! does. Deactivation ends every session and API token at once; deletion
//! disables and deprovisions the account but keeps its row, so history and
//! the audit trail still name the leaver.

use crate::policy::{AccessRequest, Relation};
use crate::{auth, Actor, Gate, GateError, Result, Target};
use hearth_domain::access::{Action, Compartment};
use hearth_domain::error::{FieldError, ValidationErrors};
use hearth_domain::scim::{self, DirectoryGroup, DirectoryUser, GroupAttributes, ListQuery, Page, UserAttributes};
use hearth_domain::staff::ServiceAccountCreated;
use hearth_domain::Id;
use hearth_store::{directory, staff, Tx};
use jiff::Timestamp;
use serde_json::{json, Value};

const USER: &str = "directory_user";
const GROUP: &str = "directory_group";

/// A SCIM id as Hearth issues them; anything else names no resource (0).
fn id_of(id: &str) -> Id {
    id.trim().parse::<Id>().ok().filter(|i| *i > 0).unwrap_or(0)
}

/// What the audit trail keeps of a directory user.
fn user_summary(u: &DirectoryUser) -> Value {
    json!({ "id": u.id, "userName": u.user_name, "displayName": u.display_name, "externalId": u.external_id,
            "email": u.email, "active": u.active, "roles": u.roles, "manager": u.manager_id })
}

fn group_summary(g: &DirectoryGroup) -> Value {
    json!({ "id": g.id, "displayName": g.display_name, "externalId": g.external_id,
            "members": g.members.iter().map(|m| m.id).collect::<Vec<_>>() })
}

/// Normalises the userName as every sign-in does, then checks the rest.
fn checked(mut a: UserAttributes) -> Result<UserAttributes, ValidationErrors> {
    a.user_name = auth::normalise_username(&a.user_name);
    a.validate()
}

impl Gate {
    /// Whether `actor` is a directory provisioning client (for the discovery
    /// documents, which hold no records); records nothing.
    pub fn may_provision(&self, actor: &Actor) -> bool {
        let req = AccessRequest {
            actor,
            action: Action::List,
            compartment: Compartment::Staff,
            record_type: USER,
            record_key: format!("{USER}/*"),
            relation: Relation::default(),
        };
        self.policy().decide(&req).allowed
    }

    /// Makes a directory provisioning client (an administrator, from the
    /// command line): the one service account that reaches staff accounts,
    /// and only through SCIM. Its token is returned once.
    pub async fn create_provisioning_account(&self, actor: &Actor, name: &str, days: i64) -> Result<ServiceAccountCreated> {
        self.make_service_account(actor, scim::provisioning_account(name, days)?).await
    }

    /// Recomputes the account's role and responsibilities from its groups and
    /// `roles`; a changed role (or none) ends its sessions. What changed, if anything.
    async fn regrant(&self, tx: &mut Tx, id: Id) -> Result<Option<Value>> {
        let groups = directory::group_names(tx, id).await?;
        let roles = directory::directory_roles(tx, id).await?;
        let mapped = scim::grants(self.identity(), &groups, &roles);
        let (was, held) = directory::granted(tx, id).await?;
        let role = mapped.as_ref().map(|m| m.role);
        let responsibilities = mapped.map(|m| m.responsibilities).unwrap_or_default();
        if role == was && responsibilities == held {
            return Ok(None);
        }
        directory::set_granted(tx, id, role, &responsibilities, Timestamp::now()).await?;
        let ended = if role != was { staff::delete_user_sessions(tx, id).await? } else { 0 };
        let name = |r: Option<hearth_domain::staff::StaffRole>| r.map_or("no role", |r| r.as_str());
        Ok(Some(
            json!({ "account": id, "role": name(role), "was": name(was), "responsibilities": responsibilities, "sessions_ended": ended }),
        ))
    }

    /// The line manager named must be another directory user.
    async fn check_manager(&self, tx: &mut Tx, a: &UserAttributes, own: Option<Id>) -> Result<()> {
        let Some(m) = a.manager_id() else { return Ok(()) };
        if Some(m) == own {
            return Err(FieldError::new("manager", "Nobody manages themselves").into());
        }
        if directory::user(tx, m).await?.is_none() {
            return Err(FieldError::new("manager", format!("No user has the id {m:?}")).into());
        }
        Ok(())
    }

    pub async fn scim_users(&self, actor: &Actor, q: &ListQuery) -> Result<Page<DirectoryUser>> {
        let target = Target::collection(USER);
        self.guarded(actor, Action::List, Compartment::Staff, target, async |tx: &mut Tx| {
            let page = q.page(directory::users(tx).await?, |f, u| f.matches_user(u));
            let detail = json!({ "filter": q.filter_text, "total": page.total, "returned": page.items.len() });
            Ok((page, target, Some(detail)))
        })
        .await
    }

    pub async fn scim_user(&self, actor: &Actor, id: &str) -> Result<DirectoryUser> {
        let target = Target::of(USER, id_of(id), None);
        self.guarded(actor, Action::View, Compartment::Staff, target, async |tx: &mut Tx| {
            Ok((directory::user(tx, id_of(id)).await?.ok_or(GateError::NotFound)?, target, None))
        })
        .await
    }

    /// A joiner from the directory: an account with no password (it signs in
    /// by single sign-on) and no role until its groups or roles grant one.
    pub async fn scim_create_user(&self, actor: &Actor, body: &Value) -> Result<DirectoryUser> {
        let a = checked(UserAttributes::from_resource(body)?)?;
        self.guarded(actor, Action::Create, Compartment::Staff, Target::collection(USER), async |tx: &mut Tx| {
            if directory::username_taken(tx, &a.user_name, None).await? {
                return Err(FieldError::new("userName", scim::USERNAME_TAKEN).into());
            }
            self.check_manager(tx, &a, None).await?;
            let id = directory::insert_user(tx, &a, Timestamp::now()).await?;
            let grant = self.regrant(tx, id).await?;
            let u = directory::user(tx, id).await?.ok_or(GateError::NotFound)?;
            let detail =
                json!({ "change": format!("{} provisioned by the directory", u.user_name), "new": user_summary(&u), "grant": grant });
            Ok((u, Target::of(USER, id, None), Some(detail)))
        })
        .await
    }

    /// PUT: the whole resource replaces what the directory set.
    pub async fn scim_replace_user(&self, actor: &Actor, id: &str, body: &Value) -> Result<DirectoryUser> {
        let a = UserAttributes::from_resource(body)?;
        self.change_user(actor, id, move |_| Ok(a)).await
    }

    /// PATCH: the operations apply in order to what the account has now.
    pub async fn scim_patch_user(&self, actor: &Actor, id: &str, body: &Value) -> Result<DirectoryUser> {
        self.change_user(actor, id, |old| {
            let mut a = UserAttributes::of(old);
            a.patch(body)?;
            Ok(a)
        })
        .await
    }

    async fn change_user(
        &self,
        actor: &Actor,
        id: &str,
        change: impl FnOnce(&DirectoryUser) -> Result<UserAttributes, ValidationErrors>,
    ) -> Result<DirectoryUser> {
        let id = id_of(id);
        let target = Target::of(USER, id, None);
        self.guarded(actor, Action::Edit, Compartment::Staff, target, async move |tx: &mut Tx| {
            let old = directory::user(tx, id).await?.ok_or(GateError::NotFound)?;
            let a = checked(change(&old)?)?;
            if a.user_name != old.user_name && directory::username_taken(tx, &a.user_name, Some(id)).await? {
                return Err(FieldError::new("userName", scim::USERNAME_TAKEN).into());
            }
            self.check_manager(tx, &a, Some(id)).await?;
            directory::update_user(tx, id, &a, Timestamp::now()).await?;
            let mut lines = vec![];
            let mut ended = 0;
            if old.active && !a.active {
                // A leaver: every session and API token ends in this transaction.
                ended = staff::delete_user_sessions(tx, id).await?;
                lines.push(format!("{} deactivated by the directory; every session and token ended", a.user_name));
            } else if !old.active && a.active {
                lines.push(format!("{} reactivated by the directory", a.user_name));
            }
            let grant = if a.roles != old.roles { self.regrant(tx, id).await? } else { None };
            let new = directory::user(tx, id).await?.ok_or(GateError::NotFound)?;
            if lines.is_empty() {
                lines.push(format!("{} updated by the directory", new.user_name));
            }
            let detail = json!({ "change": lines.join("; "), "account": new.user_name, "old": user_summary(&old),
                                 "new": user_summary(&new), "grant": grant, "sessions_ended": ended });
            Ok((new, target, Some(detail)))
        })
        .await
    }

    /// DELETE: the account is disabled and deprovisioned, never removed;
    /// SCIM no longer sees it and the staff page lists it as a leaver.
    pub async fn scim_delete_user(&self, actor: &Actor, id: &str) -> Result<()> {
        let id = id_of(id);
        let target = Target::of(USER, id, None);
        self.guarded(actor, Action::Edit, Compartment::Staff, target, async |tx: &mut Tx| {
            let old = directory::user(tx, id).await?.ok_or(GateError::NotFound)?;
            directory::deprovision(tx, id, Timestamp::now()).await?;
            let ended = staff::delete_user_sessions(tx, id).await?;
            let detail = json!({ "change": format!("{} deleted by the directory: disabled and deprovisioned; every session and token ended", old.user_name),
                                 "account": old.user_name, "old": user_summary(&old),
                                 "groups_left": old.groups.iter().map(|g| &g.display).collect::<Vec<_>>(), "sessions_ended": ended });
            Ok(((), target, Some(detail)))
        })
        .await
    }
}

impl Gate {
    pub async fn scim_groups(&self, actor: &Actor, q: &ListQuery) -> Result<Page<DirectoryGroup>> {
        let target = Target::collection(GROUP);
        self.guarded(actor, Action::List, Compartment::Staff, target, async |tx: &mut Tx| {
            let page = q.page(directory::groups(tx).await?, |f, g| f.matches_group(g));
            let detail = json!({ "filter": q.filter_text, "total": page.total, "returned": page.items.len() });
            Ok((page, target, Some(detail)))
        })
        .await
    }

    pub async fn scim_group(&self, actor: &Actor, id: &str) -> Result<DirectoryGroup> {
        let target = Target::of(GROUP, id_of(id), None);
        self.guarded(actor, Action::View, Compartment::Staff, target, async |tx: &mut Tx| {
            Ok((directory::group(tx, id_of(id)).await?.ok_or(GateError::NotFound)?, target, None))
        })
        .await
    }

    pub async fn scim_create_group(&self, actor: &Actor, body: &Value) -> Result<DirectoryGroup> {
        let a = GroupAttributes::from_resource(body)?.validate()?;
        self.guarded(actor, Action::Create, Compartment::Staff, Target::collection(GROUP), async |tx: &mut Tx| {
            let id = directory::insert_group(tx, &a.display_name, a.external_id.as_deref(), Timestamp::now()).await?;
            let members = self.set_members(tx, id, &[], &a, false).await?;
            let g = directory::group(tx, id).await?.ok_or(GateError::NotFound)?;
            let detail = json!({ "change": format!("group {:?} provisioned by the directory", g.display_name), "new": group_summary(&g), "members": members });
            Ok((g, Target::of(GROUP, id, None), Some(detail)))
        })
        .await
    }

    pub async fn scim_replace_group(&self, actor: &Actor, id: &str, body: &Value) -> Result<DirectoryGroup> {
        let a = GroupAttributes::from_resource(body)?;
        self.change_group(actor, id, move |_| Ok(a)).await
    }

    pub async fn scim_patch_group(&self, actor: &Actor, id: &str, body: &Value) -> Result<DirectoryGroup> {
        self.change_group(actor, id, |old| {
            let mut a = GroupAttributes::of(old);
            a.patch(body)?;
            Ok(a)
        })
        .await
    }

    async fn change_group(
        &self,
        actor: &Actor,
        id: &str,
        change: impl FnOnce(&DirectoryGroup) -> Result<GroupAttributes, ValidationErrors>,
    ) -> Result<DirectoryGroup> {
        let id = id_of(id);
        let target = Target::of(GROUP, id, None);
        self.guarded(actor, Action::Edit, Compartment::Staff, target, async move |tx: &mut Tx| {
            let old = directory::group(tx, id).await?.ok_or(GateError::NotFound)?;
            let a = change(&old)?.validate()?;
            // A new name or externalId may map to another role: every member is recomputed.
            let renamed = !a.display_name.eq_ignore_ascii_case(&old.display_name) || a.external_id != old.external_id;
            directory::update_group(tx, id, &a.display_name, a.external_id.as_deref(), Timestamp::now()).await?;
            let had: Vec<Id> = old.members.iter().map(|m| m.id).collect();
            let members = self.set_members(tx, id, &had, &a, renamed).await?;
            let new = directory::group(tx, id).await?.ok_or(GateError::NotFound)?;
            let detail = json!({ "change": format!("group {:?} updated by the directory", new.display_name), "old": group_summary(&old),
                                 "new": group_summary(&new), "members": members });
            Ok((new, target, Some(detail)))
        })
        .await
    }

    /// Makes the group's members those `a` names that are directory users
    /// (others are ignored and reported), and recomputes the roles of those
    /// who joined or left, or of everyone when the group was renamed.
    async fn set_members(&self, tx: &mut Tx, group: Id, had: &[Id], a: &GroupAttributes, renamed: bool) -> Result<Value> {
        let (ids, mut ignored) = a.member_ids();
        let known = directory::user_ids(tx).await?;
        let mut wanted = vec![];
        for id in ids {
            if known.contains(&id) {
                wanted.push(id);
            } else {
                ignored.push(id.to_string());
            }
        }
        let now = Timestamp::now();
        let added: Vec<Id> = wanted.iter().filter(|i| !had.contains(i)).copied().collect();
        let removed: Vec<Id> = had.iter().filter(|i| !wanted.contains(i)).copied().collect();
        for u in &added {
            directory::add_member(tx, group, *u, now).await?;
        }
        for u in &removed {
            directory::remove_member(tx, group, *u).await?;
        }
        let affected: Vec<Id> =
            if renamed { had.iter().chain(&added).copied().collect() } else { added.iter().chain(&removed).copied().collect() };
        let mut grants = vec![];
        for u in affected {
            grants.extend(self.regrant(tx, u).await?);
        }
        Ok(json!({ "added": added, "removed": removed, "ignored": ignored, "grants": grants }))
    }

    /// DELETE: the group goes, and its former members' roles are recomputed.
    pub async fn scim_delete_group(&self, actor: &Actor, id: &str) -> Result<()> {
        let id = id_of(id);
        let target = Target::of(GROUP, id, None);
        self.guarded(actor, Action::Edit, Compartment::Staff, target, async |tx: &mut Tx| {
            let old = directory::group(tx, id).await?.ok_or(GateError::NotFound)?;
            directory::delete_group(tx, id).await?;
            let mut grants = vec![];
            for m in &old.members {
                grants.extend(self.regrant(tx, m.id).await?);
            }
            let detail = json!({ "change": format!("group {:?} deleted by the directory", old.display_name), "old": group_summary(&old), "grants": grants });
            Ok(((), target, Some(detail)))
        })
        .await
    }
}
