//! Who may do what, by role and compartment.
//!
//! This is the foundation's interim rule table: it already refuses the roles
//! that must never see identified records (EDI analysts, supplier support
//! without a grant, contractors outside a job) so refusals and their audit
//! events work end to end. The Cedar policy files of the access-gate issue
//! replace the table behind the same `decide` call.

use hearth_domain::{Action, Compartment, StaffRole};

#[derive(Debug, Clone)]
pub struct Decision {
    pub allowed: bool,
    /// Identifiers of the rules that decided, for the audit event.
    pub policy_ids: String,
    /// Why a refusal was made, in words for the user.
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct Policy;

impl Policy {
    pub fn decide(&self, role: StaffRole, action: Action, compartment: Compartment) -> Decision {
        use Compartment::*;
        use StaffRole::*;
        let deny = |id: &str, reason: &str| Decision { allowed: false, policy_ids: id.into(), reason: reason.into() };
        let allow = |id: &str| Decision { allowed: true, policy_ids: id.into(), reason: String::new() };
        match role {
            EdiAnalyst => return deny("edi-analyst-no-identified-records", "EDI analysts see aggregates only, never an identified record"),
            SupplierSupport => return deny("supplier-support-needs-grant", "supplier support sees nothing without a time-limited grant"),
            Contractor => return deny("contractor-job-minimum-only", "contractors see only the job they are assigned to"),
            _ => {}
        }
        if !matches!(compartment, Identity | Contact | Tenancy) {
            return deny("foundation-core-compartments-only", "this compartment is not available yet");
        }
        if action == Action::Delete && !matches!(role, Dpo | SystemAdministrator | Manager | HousingOfficer) {
            return deny("delete-needs-responsibility", "only housing officers, managers and the DPO may delete records");
        }
        allow("staff-core-records")
    }
}
