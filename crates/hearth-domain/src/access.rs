//! The vocabulary of access decisions: compartments (classes of personal data)
//! and actions. The gate decides on these; every record belongs to exactly one
//! compartment, and new capabilities add compartments here rather than
//! bypassing the list.

crate::vocabulary! {
    /// A class of personal data with its own need-to-know rule.
    Compartment {
        Identity => "identity" / "Identity",
        Contact => "contact" / "Contact details",
        Tenancy => "tenancy" / "Tenancy and household",
        ContactLog => "contact_log" / "Contact log",
        Needs => "needs" / "Needs",
        Adjustments => "adjustments" / "Reasonable adjustments",
        WarningFlags => "warning_flags" / "Warning flags",
        Edi => "edi" / "Equality monitoring",
        Asb => "asb" / "Anti-social behaviour",
        Safeguarding => "safeguarding" / "Safeguarding",
        Care => "care" / "Care and support",
        Financial => "financial" / "Income and money",
        Recordings => "recordings" / "Call recordings",
        Rights => "rights" / "Rights requests",
        Complaints => "complaints" / "Complaints",
        Repairs => "repairs" / "Repairs",
        Audit => "audit" / "Audit history",
        /// Staff accounts: joiners, movers and leavers, and the access review.
        Staff => "staff" / "Staff accounts",
    }
}

crate::vocabulary! {
    /// What a user asks to do with a record.
    Action {
        View => "view" / "View",
        List => "list" / "List",
        Create => "create" / "Create",
        Edit => "edit" / "Edit",
        Delete => "delete" / "Delete",
        Export => "export" / "Export",
        BreakGlass => "break_glass" / "Break the glass",
        /// Load records in bulk from another system's export, decided once per batch.
        Import => "import" / "Bulk import",
    }
}
