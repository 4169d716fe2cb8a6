//! Staff roles. Roles are data the gate's policies refer to; a role grants
//! nothing by itself here.

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
