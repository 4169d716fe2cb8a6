//! Shared helpers that put values into the words staff read: dates and
//! times in UK form, a GOV.UK date input read back as a date, and the
//! compartments the contact and document forms offer.

use hearth_domain::access::Compartment;

/// A date as people read it in the UK, e.g. "2 March 1984".
pub fn long_date(d: jiff::civil::Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

/// A moment on the clock in the UK (Europe/London; UTC where the time-zone
/// database is missing).
pub fn london(t: jiff::Timestamp) -> jiff::ZonedDateTime {
    t.to_zoned_datetime(jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC))
}

/// A time as people in the UK read it: "2 March 2026, 14:05 GMT". The zone is
/// shown in case the time-zone database is missing and UTC stands in.
pub fn uk_time(t: jiff::Timestamp) -> String {
    london(t).strftime("%-d %B %Y, %H:%M %Z").to_string()
}

/// A GOV.UK date input's three boxes as an ISO date, or `None` when all are blank.
pub fn form_date(d: &str, m: &str, y: &str) -> Option<String> {
    let (d, m, y) = (d.trim(), m.trim(), y.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        None
    } else {
        Some(format!("{y:0>4}-{m:0>2}-{d:0>2}"))
    }
}

/// The compartments offered on the contact and document forms, as the gate
/// names them: every one of `CONTACT_COMPARTMENTS`.
pub const COMPARTMENTS: &[(&str, &str)] = &[
    ("general", "General"),
    ("asb", "ASB"),
    ("safeguarding", "Safeguarding"),
    ("care", "Care"),
    ("financial", "Financial"),
    ("complaints", "Complaints"),
    ("repairs", "Repairs"),
    ("tenancy", "Tenancy"),
];

/// A compartment as the forms name it.
pub fn compartment_label(c: Compartment) -> &'static str {
    match c {
        Compartment::ContactLog => "General",
        Compartment::Asb => "ASB",
        other => other.label(),
    }
}
