//! A restriction of processing (UK GDPR Art. 18) as placed and lifted.

use crate::Id;
use jiff::Timestamp;
use serde::Serialize;

/// One restriction, active while `lifted_at` is empty.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Restriction {
    pub id: Id,
    pub person_id: Id,
    pub reason: String,
    pub placed_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub placed_at: Timestamp,
    pub lifted_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub lifted_at: Option<Timestamp>,
    pub lift_reason: Option<String>,
}

crate::classify! { Restriction as "restriction" {
    keep: id, person_id, placed_by, placed_at, lifted_by, lifted_at;
    reason: FreeText, lift_reason: FreeText,
} }
