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

/// A GOV.UK date input's three boxes as an ISO date, or `None` when all are
/// blank. A whole date typed or pasted into the day box ("7/12/2026",
/// "7.12.2026", "7 12 2026") is taken as day, month and year, and a month
/// may be written as a name ("Dec", "December"); anything else is passed on
/// as typed so the domain names the field that is wrong.
pub fn form_date(d: &str, m: &str, y: &str) -> Option<String> {
    let (mut d, mut m, mut y) = (d.trim().to_string(), m.trim().to_string(), y.trim().to_string());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return None;
    }
    if m.is_empty() && y.is_empty() {
        let parts: Vec<&str> = d.split(['/', '.', '-', ' ']).filter(|p| !p.is_empty()).collect();
        if let [dd, mm, yy] = parts[..] {
            (d, m, y) = (dd.to_string(), mm.to_string(), yy.to_string());
        }
    }
    if let Some(n) = month_number(&m) {
        m = n.to_string();
    }
    Some(format!("{y:0>4}-{m:0>2}-{d:0>2}"))
}

/// "Dec", "december" or "Sept" as the month's number.
fn month_number(m: &str) -> Option<u8> {
    const MONTHS: [&str; 12] =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
    let m = m.trim().to_lowercase();
    if m.len() < 3 || !m.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    MONTHS.iter().position(|name| name.starts_with(&m)).map(|i| i as u8 + 1)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_read_however_people_type_it() {
        assert_eq!(form_date("7", "12", "2026").as_deref(), Some("2026-12-07"));
        assert_eq!(form_date("7/12/2026", "", "").as_deref(), Some("2026-12-07"));
        assert_eq!(form_date(" 07.12.2026 ", "", "").as_deref(), Some("2026-12-07"));
        assert_eq!(form_date("7 12 2026", "", "").as_deref(), Some("2026-12-07"));
        assert_eq!(form_date("7", "Dec", "2026").as_deref(), Some("2026-12-07"));
        assert_eq!(form_date("7", "september", "2026").as_deref(), Some("2026-09-07"));
        assert_eq!(form_date("", "", ""), None);
        // Not a date: passed on as typed, for the domain to name the field.
        assert_eq!(form_date("7/12", "", "").as_deref(), Some("0000-00-7/12"));
    }
}
