//! Extra access granted for a time: break-glass to one record, and supplier
//! support to compartments, as the DPO reviews them.

use crate::Id;
use jiff::Timestamp;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct BreakGlass {
    pub id: Id,
    pub user_id: Id,
    pub username: String,
    pub record_type: String,
    pub record_id: Id,
    pub person_id: Option<Id>,
    pub compartment: String,
    pub reason: String,
    pub granted_at: Timestamp,
    pub expires_at: Timestamp,
    pub reviewed_by: Option<Id>,
    pub reviewed_at: Option<String>,
    pub review_note: Option<String>,
}

crate::classify! { BreakGlass as "break_glass" {
    keep: id, user_id, username, record_type, record_id, person_id, compartment, granted_at, expires_at, reviewed_by, reviewed_at;
    reason: FreeText, review_note: FreeText,
} }

/// A supplier-support grant as the DPO's list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SupportGrant {
    pub id: Id,
    pub username: String,
    pub compartments: Vec<String>,
    pub reason: String,
    pub approved_by: String,
    pub granted_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<String>,
}

crate::classify! { SupportGrant as "support_grant" {
    keep: id, username, compartments, approved_by, granted_at, expires_at, revoked_at;
    reason: FreeText,
} }
