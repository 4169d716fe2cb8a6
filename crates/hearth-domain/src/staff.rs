//! Staff roles and accounts. Roles are data the gate's policies refer to; a
//! role grants nothing by itself here. The rules for joiners, movers and
//! leavers are pure: [`StaffAccount::apply`] checks and makes one change.

use crate::access::Compartment;
use crate::error::{FieldError, ValidationErrors};
use crate::Id;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// The job a staff account does; one role per account.
    StaffRole {
        ContactCentreAdvisor => "contact_centre_advisor" / "Contact-centre advisor",
        HousingOfficer => "housing_officer" / "Housing officer",
        AsbOfficer => "asb_officer" / "ASB officer",
        SafeguardingLead => "safeguarding_lead" / "Safeguarding lead",
        IndependentLivingOfficer => "independent_living_officer" / "Independent-living officer",
        IncomeOfficer => "income_officer" / "Income officer",
        Manager => "manager" / "Manager",
        EdiAnalyst => "edi_analyst" / "EDI analyst",
        Dpo => "dpo" / "Data protection officer",
        SystemAdministrator => "system_administrator" / "System administrator",
        Contractor => "contractor" / "Repairs contractor",
        SupplierSupport => "supplier_support" / "Supplier support",
    }
}

/// Whether a session is a browser cookie or an API bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Web,
    Api,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

/// A staff account as the staff page and the access review show it. A
/// leaver's account is disabled, never deleted: history and the audit trail
/// keep naming them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffAccount {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    pub role: StaffRole,
    /// The line manager's account, if any.
    pub manager_id: Option<Id>,
    pub manager_name: Option<String>,
    /// Compartments this person answers for (managers, safeguarding leads).
    pub responsibilities: Vec<String>,
    pub active: bool,
    /// Two-step sign-in is on for the account.
    pub two_step: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_sign_in_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub disabled_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

// A staff account holds no field of the customer data classes; it is its own
// record class (`staff_account`), reached only through the staff compartment.
crate::holds_no_personal_data!(StaffAccount);

/// One change to a staff account.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum StaffChange {
    /// A leaver: every session and API token ends at once; the name stays in history.
    Disable,
    /// A returner.
    Enable,
    /// A mover to another job.
    SetRole { role: String },
    /// The line manager by username; none clears it.
    SetManager { manager: Option<String> },
    /// The compartments the person answers for (replacing those held).
    SetResponsibilities { responsibilities: Vec<String> },
    /// A new password set by an administrator; every session ends.
    ResetPassword { password: String },
}

impl StaffChange {
    /// Whether the change ends every session of the account.
    pub fn ends_sessions(&self) -> bool {
        matches!(self, StaffChange::Disable | StaffChange::ResetPassword { .. } | StaffChange::SetRole { .. })
    }
}

/// What a change needs from other records: who makes it and, for a new line
/// manager, that account (the gate looks it up first).
#[derive(Debug, Clone, Default)]
pub struct StaffChangeContext {
    /// The account making the change.
    pub by: Id,
    /// For `SetManager` with a username: the account found, if any (id, name).
    pub manager: Option<(Id, String)>,
}

impl StaffAccount {
    /// Applies one change at `now`: checks it and changes the account, and
    /// says what happened in words for the audit trail. Pure: the password's
    /// strength and hashing are the gate's.
    pub fn apply(&mut self, change: &StaffChange, cx: &StaffChangeContext, now: Timestamp) -> Result<String, ValidationErrors> {
        let own = cx.by == self.id;
        Ok(match change {
            StaffChange::Disable => {
                if own {
                    return Err(FieldError::new("change", "You cannot disable your own account").into());
                }
                if !self.active {
                    return Err(FieldError::new("change", "The account is already disabled").into());
                }
                self.active = false;
                self.disabled_at = Some(now);
                format!("{} disabled; every session and token ended", self.username)
            }
            StaffChange::Enable => {
                if self.active {
                    return Err(FieldError::new("change", "The account is already active").into());
                }
                self.active = true;
                self.disabled_at = None;
                format!("{} enabled", self.username)
            }
            StaffChange::SetRole { role } => {
                let role = StaffRole::parse(role.trim()).ok_or_else(|| {
                    let all: Vec<_> = StaffRole::ALL.iter().map(|r| r.as_str()).collect();
                    FieldError::new("role", format!("Choose one of: {}", all.join(", ")))
                })?;
                if own {
                    return Err(FieldError::new("role", "You cannot change your own role").into());
                }
                if role == self.role {
                    return Err(FieldError::new("role", format!("The account is already a {}", role.label().to_lowercase())).into());
                }
                let was = self.role;
                self.role = role;
                format!("{} moved from {} to {}", self.username, was.label(), role.label())
            }
            StaffChange::SetManager { manager } => match manager.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
                None => {
                    self.manager_id = None;
                    self.manager_name = None;
                    format!("{} has no line manager", self.username)
                }
                Some(name) => {
                    let (id, display) =
                        cx.manager.clone().ok_or_else(|| FieldError::new("manager", format!("No account is called {name:?}")))?;
                    if id == self.id {
                        return Err(FieldError::new("manager", "Nobody manages themselves").into());
                    }
                    self.manager_id = Some(id);
                    self.manager_name = Some(display.clone());
                    format!("{} is managed by {display}", self.username)
                }
            },
            StaffChange::SetResponsibilities { responsibilities } => {
                let mut held: Vec<String> = vec![];
                for r in responsibilities.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
                    let c =
                        Compartment::parse(r).ok_or_else(|| FieldError::new("responsibilities", format!("{r:?} is not a compartment")))?;
                    if !held.iter().any(|h| h == c.as_str()) {
                        held.push(c.as_str().to_string());
                    }
                }
                self.responsibilities = held;
                let words: Vec<_> = self.responsibilities.iter().filter_map(|r| Compartment::parse(r)).map(|c| c.label()).collect();
                if words.is_empty() {
                    format!("{} answers for no compartment", self.username)
                } else {
                    format!("{} answers for {}", self.username, words.join(", "))
                }
            }
            StaffChange::ResetPassword { .. } => format!("{}'s password reset by an administrator; every session ended", self.username),
        })
    }
}

/// What one account can reach, for the periodic access review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountReach {
    pub account: StaffAccount,
    /// Compartments the account reads on any record.
    pub reads: Vec<Compartment>,
    /// Compartments it reads only on records it is related to: assigned,
    /// its patch, a job, a caller check, a compartment it answers for.
    pub reads_when_related: Vec<Compartment>,
    /// Compartments it may change or add to on any record.
    pub changes: Vec<Compartment>,
}

/// A periodic access review marked done.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessReview {
    pub id: Id,
    pub reviewed_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub reviewed_at: Timestamp,
    /// `all` (the DPO) or `reports` (a manager's own reports).
    pub scope: String,
    /// How many accounts the review covered.
    pub accounts: i64,
    pub note: String,
}

/// The access review as its reviewer sees it: each account in scope with
/// what it can reach and when it last signed in, and the reviews done.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessReviewSheet {
    /// `all` or `reports`.
    pub scope: String,
    pub accounts: Vec<AccountReach>,
    /// Reviews done, newest first.
    pub reviews: Vec<AccessReview>,
}

// Staff accounts and their reach, never a customer's fields.
crate::holds_no_personal_data!(AccessReview, AccessReviewSheet);

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> StaffAccount {
        StaffAccount {
            id: 2,
            username: "hoskins".into(),
            display_name: "Pat Hoskins".into(),
            role: StaffRole::HousingOfficer,
            manager_id: None,
            manager_name: None,
            responsibilities: vec![],
            active: true,
            two_step: false,
            last_sign_in_at: None,
            disabled_at: None,
            created_at: "2026-01-05T09:00:00Z".parse().unwrap(),
        }
    }

    fn now() -> Timestamp {
        "2026-12-07T10:00:00Z".parse().unwrap()
    }

    fn by(id: Id) -> StaffChangeContext {
        StaffChangeContext { by: id, manager: None }
    }

    #[test]
    fn a_leaver_is_disabled_once_and_never_by_themselves() {
        let mut a = account();
        assert_eq!(a.apply(&StaffChange::Disable, &by(2), now()).unwrap_err().0[0].message, "You cannot disable your own account");
        assert_eq!(a.apply(&StaffChange::Disable, &by(1), now()).unwrap(), "hoskins disabled; every session and token ended");
        assert_eq!((a.active, a.disabled_at), (false, Some(now())));
        assert_eq!(a.apply(&StaffChange::Disable, &by(1), now()).unwrap_err().0[0].field, "change");
        a.apply(&StaffChange::Enable, &by(1), now()).unwrap();
        assert_eq!((a.active, a.disabled_at), (true, None));
        assert!(StaffChange::Disable.ends_sessions() && !StaffChange::Enable.ends_sessions());
    }

    #[test]
    fn a_mover_changes_role_but_not_their_own() {
        let mut a = account();
        let to = |r: &str| StaffChange::SetRole { role: r.into() };
        assert_eq!(a.apply(&to("asb_officer"), &by(2), now()).unwrap_err().0[0].field, "role");
        assert_eq!(a.apply(&to("wizard"), &by(1), now()).unwrap_err().0[0].field, "role");
        assert_eq!(a.apply(&to("housing_officer"), &by(1), now()).unwrap_err().0[0].field, "role");
        assert_eq!(a.apply(&to("asb_officer"), &by(1), now()).unwrap(), "hoskins moved from Housing officer to ASB officer");
        assert_eq!(a.role, StaffRole::AsbOfficer);
    }

    #[test]
    fn managers_and_responsibilities_are_checked() {
        let mut a = account();
        let set = |m: Option<&str>| StaffChange::SetManager { manager: m.map(str::to_string) };
        assert_eq!(a.apply(&set(Some("nobody")), &by(1), now()).unwrap_err().0[0].field, "manager");
        let me = StaffChangeContext { by: 1, manager: Some((2, "Pat Hoskins".into())) };
        assert_eq!(a.apply(&set(Some("hoskins")), &me, now()).unwrap_err().0[0].message, "Nobody manages themselves");
        let boss = StaffChangeContext { by: 1, manager: Some((5, "Sam Okafor".into())) };
        assert_eq!(a.apply(&set(Some("okafor")), &boss, now()).unwrap(), "hoskins is managed by Sam Okafor");
        assert_eq!((a.manager_id, a.manager_name.as_deref()), (Some(5), Some("Sam Okafor")));
        a.apply(&set(None), &by(1), now()).unwrap();
        assert_eq!(a.manager_id, None);
        let resp = |r: &[&str]| StaffChange::SetResponsibilities { responsibilities: r.iter().map(|s| s.to_string()).collect() };
        assert_eq!(a.apply(&resp(&["asb", "dragons"]), &by(1), now()).unwrap_err().0[0].field, "responsibilities");
        assert_eq!(
            a.apply(&resp(&["asb", " safeguarding ", "asb"]), &by(1), now()).unwrap(),
            "hoskins answers for Anti-social behaviour, Safeguarding"
        );
        assert_eq!(a.responsibilities, ["asb", "safeguarding"]);
    }
}
