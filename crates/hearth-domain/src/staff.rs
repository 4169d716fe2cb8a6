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
    /// A service account for an integration, not a person.
    pub service: bool,
    /// A service account's compartments: its token reaches nothing else.
    pub scope: Vec<String>,
    /// When a service account's token stops working.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expires_at: Option<Timestamp>,
    /// False while a directory account's groups grant no role ("No role
    /// yet"): it may not sign in or use a token, and `role` means nothing.
    #[serde(default = "granted")]
    pub has_role: bool,
    /// Made by the organisation's directory (SCIM provisioning), not in Hearth.
    #[serde(default)]
    pub directory: bool,
}

fn granted() -> bool {
    true
}

// A staff account holds no field of the customer data classes; it is its own
// record class (`staff_account`), reached only through the staff compartment.
crate::holds_no_personal_data!(StaffAccount);

/// A joiner, as an administrator adds them: username, name, role and a
/// first password (told to them by a separate route).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewStaffAccount {
    pub username: String,
    pub display_name: String,
    pub role: String,
    #[serde(default)]
    pub password: String,
}

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
        if self.service {
            // An integration has no password, and a new job is a new account with its own scope.
            match change {
                StaffChange::ResetPassword { .. } => return Err(FieldError::new("password", "A service account has no password").into()),
                StaffChange::SetRole { .. } => {
                    return Err(FieldError::new("role", "Make a new service account for another role, then disable this one").into())
                }
                _ => {}
            }
        }
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
                    let all: Vec<_> = StaffRole::ALL.iter().map(|r| r.label().to_lowercase()).collect();
                    FieldError::new("role", format!("Choose the person's role: {}", all.join(", ")))
                })?;
                if own {
                    return Err(FieldError::new("role", "You cannot change your own role").into());
                }
                if role == self.role && self.has_role {
                    return Err(FieldError::new("role", format!("The account is already a {}", role.label().to_lowercase())).into());
                }
                let was = if self.has_role { self.role.label() } else { "no role" };
                self.role = role;
                self.has_role = true;
                format!("{} moved from {was} to {}", self.username, role.label())
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

/// Why a directory account whose groups grant no role is refused sign-in.
pub const NO_ROLE_YET: &str = "Your account has no Hearth role yet; ask your administrator";

/// Roles a service account may act as: an integration does a front-line
/// system's work, never the DPO's, an administrator's or supplier support's.
pub const SERVICE_ROLES: &[StaffRole] = &[
    StaffRole::HousingOfficer,
    StaffRole::IncomeOfficer,
    StaffRole::ContactCentreAdvisor,
    StaffRole::Contractor,
    StaffRole::AsbOfficer,
    StaffRole::IndependentLivingOfficer,
];

/// The longest a service account's token lasts before it is made again.
pub const SERVICE_TOKEN_MAX_DAYS: i64 = 366;

/// A service account asked for: a named client, the role it acts as, the
/// compartments its token may use and how many days it lasts.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceAccountInput {
    /// The client, e.g. "Repairs system"; its username is made from it.
    pub name: String,
    pub role: String,
    pub compartments: Vec<String>,
    pub days: i64,
}

/// A checked [`ServiceAccountInput`].
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceAccountFields {
    pub username: String,
    pub display_name: String,
    pub role: StaffRole,
    pub scope: Vec<String>,
    pub days: i64,
}

impl ServiceAccountInput {
    pub fn validate(&self) -> Result<ServiceAccountFields, ValidationErrors> {
        let mut errors = vec![];
        let name = self.name.trim();
        if name.chars().count() < 3 || name.chars().count() > 60 || name.chars().any(char::is_control) {
            errors.push(FieldError::new("name", "Name the client in 3 to 60 characters"));
        }
        let slug: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        if slug.is_empty() && errors.is_empty() {
            errors.push(FieldError::new("name", "Name the client with some letters or digits"));
        }
        let role = StaffRole::parse(self.role.trim()).filter(|r| SERVICE_ROLES.contains(r));
        if role.is_none() {
            let allowed: Vec<_> = SERVICE_ROLES.iter().map(|r| r.as_str()).collect();
            errors.push(FieldError::new("role", format!("A service account acts as one of: {}", allowed.join(", "))));
        }
        let mut scope: Vec<String> = vec![];
        for c in self.compartments.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            match Compartment::parse(c) {
                Some(Compartment::Staff | Compartment::Audit | Compartment::Rights | Compartment::Edi) => {
                    errors.push(FieldError::new("compartments", format!("A service account never reaches {c}")));
                }
                Some(k) if !scope.iter().any(|s| s == k.as_str()) => scope.push(k.as_str().to_string()),
                Some(_) => {}
                None => errors.push(FieldError::new("compartments", format!("{c:?} is not a compartment"))),
            }
        }
        if scope.is_empty() && !errors.iter().any(|e| e.field == "compartments") {
            errors.push(FieldError::new("compartments", "Name the compartments the client needs"));
        }
        if !(1..=SERVICE_TOKEN_MAX_DAYS).contains(&self.days) {
            errors.push(FieldError::new("days", format!("A token lasts from 1 to {SERVICE_TOKEN_MAX_DAYS} days")));
        }
        match (errors.is_empty(), role) {
            (true, Some(role)) => {
                Ok(ServiceAccountFields { username: format!("svc-{slug}"), display_name: name.to_string(), role, scope, days: self.days })
            }
            _ => Err(ValidationErrors(errors)),
        }
    }
}

/// A service account just made, with its token: shown once, never stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceAccountCreated {
    pub account: StaffAccount,
    /// The bearer token; keep it in the client's secret store.
    pub token: String,
}

crate::holds_no_personal_data!(ServiceAccountCreated);

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
            service: false,
            scope: vec![],
            expires_at: None,
            has_role: true,
            directory: false,
        }
    }

    fn now() -> Timestamp {
        "2026-12-07T10:00:00Z".parse().unwrap()
    }

    fn by(id: Id) -> StaffChangeContext {
        StaffChangeContext { by: id, manager: None }
    }

    #[test]
    fn a_service_account_acts_as_a_front_line_role_within_named_compartments() {
        let input = |name: &str, role: &str, c: &[&str], days: i64| ServiceAccountInput {
            name: name.into(),
            role: role.into(),
            compartments: c.iter().map(|s| s.to_string()).collect(),
            days,
        };
        let ok = input(" Repairs system (Acme) ", "contractor", &["repairs", "identity", "repairs"], 90).validate().unwrap();
        assert_eq!((ok.username.as_str(), ok.display_name.as_str()), ("svc-repairs-system-acme", "Repairs system (Acme)"));
        assert_eq!((ok.role, ok.scope.clone(), ok.days), (StaffRole::Contractor, vec!["repairs".to_string(), "identity".into()], 90));
        let fields = |i: ServiceAccountInput| i.validate().unwrap_err().0.into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(input("HMS", "dpo", &["identity"], 30)), ["role"]);
        assert_eq!(fields(input("HMS", "housing_officer", &["audit"], 30)), ["compartments"]);
        assert_eq!(fields(input("HMS", "housing_officer", &[], 30)), ["compartments"]);
        assert_eq!(fields(input("x", "housing_officer", &["identity"], 0)), ["name", "days"]);
        assert_eq!(fields(input("HMS", "housing_officer", &["dragons"], 400)), ["compartments", "days"]);
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
