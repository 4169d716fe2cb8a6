//! Deciding a request for erasure (UK GDPR Art. 17), class by class.
//!
//! Owns the pure rule that says, for each class of record held about the
//! person, whether it is erased or must be kept, and why: a legal hold keeps
//! it; a class the register keeps permanently is kept; a class held only on
//! consent or legitimate interests is erased on request (Art. 17(1)(b) and
//! (c): nothing overrides the person's wish); any other class is kept while
//! its retention rule runs (Art. 17(3)(b) legal obligation, (e) legal
//! claims) and erased once the period is over. The facts (counts, trigger
//! dates, holds) come from the store; the clock is passed in.

use crate::retention::{LawfulBasis, RecordClass, RecordClassEntry, RetentionRule};
use jiff::civil::Date;
use serde::Serialize;

/// What is held about the person in one record class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRecords {
    pub class: RecordClass,
    pub count: i64,
    /// The event the class's retention period runs from has not happened
    /// for at least one record (the tenancy continues, a case is open).
    pub trigger_pending: bool,
    /// The latest trigger date among the records (when none is pending).
    pub latest_trigger: Option<Date>,
}

crate::vocabulary! {
    /// What an erasure request does to one class of the person's records.
    ErasureDecision {
        Erase => "erase" / "Erased",
        Keep => "keep" / "Kept",
    }
}

/// One line of the erasure review: a class, how many records, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureItem {
    pub class: RecordClass,
    pub label: String,
    pub count: i64,
    pub decision: ErasureDecision,
    pub reason: String,
    /// The day a kept class may be erased, when the rule gives one.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub kept_until: Option<Date>,
}

/// Bases that give way to a request for erasure: consent can be withdrawn,
/// and legitimate interests yield unless the landlord has an overriding
/// reason, which would be recorded as a legal hold.
fn yields_to_erasure(basis: LawfulBasis) -> bool {
    matches!(basis, LawfulBasis::Consent | LawfulBasis::LegitimateInterests)
}

fn bases(entry: &RecordClassEntry) -> String {
    entry.lawful_basis.iter().map(|b| b.label()).collect::<Vec<_>>().join(" and ")
}

/// Decides one class. `hold` is the reason of a legal hold covering the
/// person or the class, if any.
pub fn decide(entry: &RecordClassEntry, held: &HeldRecords, hold: Option<&str>, today: Date) -> ErasureItem {
    let item = |decision, reason: String, kept_until| ErasureItem {
        class: held.class,
        label: held.class.label().to_string(),
        count: held.count,
        decision,
        reason,
        kept_until,
    };
    let source = entry.source.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
    if let Some(reason) = hold {
        return item(ErasureDecision::Keep, format!("Under a legal hold: {reason}"), None);
    }
    let rule = entry.retention;
    if rule == RetentionRule::Keep {
        return item(ErasureDecision::Keep, format!("The register keeps this permanently{source}"), None);
    }
    if !entry.lawful_basis.is_empty() && entry.lawful_basis.iter().all(|b| yields_to_erasure(*b)) {
        return item(ErasureDecision::Erase, format!("Held on {}: nothing overrides the person's request", bases(entry)), None);
    }
    let needed = format!("Held on {} and the rule is: {}{source}", bases(entry), rule.describe().to_lowercase());
    if held.trigger_pending {
        return item(ErasureDecision::Keep, format!("{needed}; its period has not started yet"), None);
    }
    match held.latest_trigger.and_then(|d| rule.due_on(d)) {
        Some(until) if until > today => item(ErasureDecision::Keep, format!("{needed}; kept until {until}"), Some(until)),
        Some(_) => item(ErasureDecision::Erase, "Its retention period has run".into(), None),
        // No trigger date and none pending: nothing says it must be kept.
        None => item(ErasureDecision::Erase, "No retention period applies to these records now".into(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retention::Register;
    use jiff::civil::date;

    fn held(class: RecordClass, pending: bool, trigger: Option<Date>) -> HeldRecords {
        HeldRecords { class, count: 3, trigger_pending: pending, latest_trigger: trigger }
    }

    #[test]
    fn legitimate_interests_alone_gives_way_but_a_hold_does_not() {
        let reg = Register::shipped();
        let today = date(2026, 12, 2);
        let recordings = held(RecordClass::CallRecording, false, Some(date(2026, 11, 30)));
        let d = decide(reg.entry(RecordClass::CallRecording), &recordings, None, today);
        assert_eq!(d.decision, ErasureDecision::Erase, "{d:?}");
        let d = decide(reg.entry(RecordClass::CallRecording), &recordings, Some("Disrepair claim 2026/44"), today);
        assert_eq!(d.decision, ErasureDecision::Keep);
        assert!(d.reason.contains("Disrepair claim 2026/44"), "{}", d.reason);
    }

    #[test]
    fn a_class_under_a_retention_rule_is_kept_until_its_boundary() {
        let reg = Register::shipped();
        let entry = reg.entry(RecordClass::HouseholdTenancy); // 6 years after the tenancy ended
        let d = decide(entry, &held(RecordClass::HouseholdTenancy, true, None), None, date(2026, 12, 2));
        assert_eq!(d.decision, ErasureDecision::Keep);
        assert!(d.reason.contains("not started"), "{}", d.reason);

        let ended = held(RecordClass::HouseholdTenancy, false, Some(date(2020, 12, 2)));
        let d = decide(entry, &ended, None, date(2026, 12, 1));
        assert_eq!((d.decision, d.kept_until), (ErasureDecision::Keep, Some(date(2026, 12, 2))), "a day before");
        assert!(d.reason.contains("6 years after the tenancy ended"), "{}", d.reason);
        let d = decide(entry, &ended, None, date(2026, 12, 2));
        assert_eq!(d.decision, ErasureDecision::Erase, "on the day");
    }

    #[test]
    fn permanent_classes_are_kept() {
        let reg = Register::shipped();
        let d = decide(reg.entry(RecordClass::AuditEvent), &held(RecordClass::AuditEvent, false, None), None, date(2026, 12, 2));
        assert_eq!(d.decision, ErasureDecision::Keep);
    }
}
