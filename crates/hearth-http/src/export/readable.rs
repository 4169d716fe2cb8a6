//! The released access bundle as a response a person can read: a cover
//! letter with the UK GDPR Art. 15 supplementary information in plain English
//! (purposes, categories, recipients, retention, source, rights, how to
//! complain to the ICO), then one section per kind of record with headings,
//! labels in words, dates in UK form, staff named by role, and no internal
//! ids, configuration references or code values. The same [`Doc`] is
//! rendered as printable HTML (here) and as PDF ([`hearth_comms::pdf`]), so both
//! say the same thing.

use hearth_gate::bundle::{AccessBundle, REDACTED};
use jiff::civil::Date;
use jiff::Timestamp;
use maud::{html, DOCTYPE};
use serde_json::Value;
use std::collections::BTreeSet;

pub use hearth_comms::doc::{Block, Doc};

/// Keys that only place a record inside Hearth: never shown.
const HIDDEN: &[&str] = &[
    "id",
    "version",
    "person_ids",
    "storage_ref",
    "sha256",
    "compartment",
    "purpose_names",
    "acknowledged",
    "uprn",
    "you",
    "source",
    "household_id",
    "assigned_to",
];

/// Labels in words for keys whose name does not read well.
const LABELS: &[(&str, &str)] = &[
    ("given_name", "First name"),
    ("family_name", "Surname"),
    ("preferred_name", "Name you prefer"),
    ("date_of_birth", "Date of birth"),
    ("ni_number", "National Insurance number"),
    ("line1", "Address"),
    ("line2", "Address (second line)"),
    ("town", "Town"),
    ("postcode", "Postcode"),
    ("kind", "Type"),
    ("value", "Details"),
    ("preferred", "Preferred"),
    ("valid_from", "From"),
    ("valid_until", "Until"),
    ("at", "When"),
    ("staff_role", "Member of staff"),
    ("record_type", "Record"),
    ("decision", "Outcome"),
    ("created_at", "Recorded"),
    ("updated_at", "Last changed"),
    ("opened_at", "Opened"),
    ("closed_at", "Closed"),
    ("occurred_at", "When"),
    ("uploaded_at", "Added"),
    ("recorded_at", "Recorded"),
    ("summary", "Summary"),
    ("detail", "Details"),
    ("channel", "How we were in touch"),
    ("role", "Role"),
    ("name", "Name"),
    ("person", "Person"),
    ("mime_type", "File type"),
    ("media_type", "File type"),
    ("byte_size", "Size in bytes"),
    ("size_bytes", "File size (bytes)"),
    ("received_on", "Received"),
    ("due_on", "Due"),
    ("closed_on", "Closed"),
    ("disclosed_on", "Date"),
    ("recipient_type", "Given to"),
];

/// A key in words: from [`LABELS`], or its words with the first capitalised.
pub fn label(key: &str) -> String {
    if let Some((_, l)) = LABELS.iter().find(|(k, _)| *k == key) {
        return l.to_string();
    }
    let words = key.trim_end_matches("_on").trim_end_matches("_at").replace('_', " ");
    capitalise(&words)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn uk() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// A moment as people read it in the UK: "7 December 2026 at 13:05".
fn uk_time(t: Timestamp) -> String {
    t.to_zoned_datetime(uk()).strftime("%-d %B %Y at %H:%M").to_string()
}

fn uk_date(d: Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

/// Whether `s` is a code value such as `joint_tenant` or `call_in`.
fn is_code(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') && s.contains('_')
}

/// A string value in words: timestamps and dates in UK form, code values as words.
pub fn text(s: &str) -> String {
    if let Ok(t) = s.parse::<Timestamp>() {
        return uk_time(t);
    }
    if let Ok(d) = s.parse::<Date>() {
        return uk_date(d);
    }
    if is_code(s) {
        return capitalise(&s.replace('_', " "));
    }
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase()) && s.len() < 20 {
        return capitalise(s);
    }
    iso_dates_in_words(s)
}

/// Register text for a reader outside: references to the design documents
/// ("(seed 000 sections 1.5.3)", "Seed 003: ") taken out.
fn plain(s: &str) -> String {
    let mut out = s.trim().to_string();
    while let Some(start) = out.to_ascii_lowercase().find("(seed ") {
        let end = out[start..].find(')').map_or(out.len(), |e| start + e + 1);
        out.replace_range(start..end, "");
    }
    if out.to_ascii_lowercase().starts_with("seed ") {
        if let Some(colon) = out.find(": ") {
            out.replace_range(..colon + 2, "");
        }
    }
    iso_dates_in_words(out.replace(" ,", ",").replace("  ", " ").trim().trim_end_matches(" .").trim())
}

/// ISO dates (and timestamps) written inside free text, in UK form.
fn iso_dates_in_words(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let mut last = 0;
    while i + 10 <= b.len() {
        let shaped = b[i..i + 10].iter().enumerate().all(|(k, c)| if k == 4 || k == 7 { *c == b'-' } else { c.is_ascii_digit() });
        let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if shaped && boundary {
            if let Ok(d) = s[i..i + 10].parse::<Date>() {
                // A following time ("T13:05:00.123Z") goes with it.
                let mut end = i + 10;
                let rest = &s[end..];
                let time_len = rest.find(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == ')').unwrap_or(rest.len());
                let words = match s[i..end + time_len].parse::<Timestamp>() {
                    Ok(t) if rest.starts_with('T') => {
                        end += time_len;
                        uk_time(t)
                    }
                    _ => uk_date(d),
                };
                out.push_str(&s[last..i]);
                out.push_str(&words);
                last = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&s[last..]);
    out
}

fn hidden(key: &str, v: &Value) -> bool {
    HIDDEN.contains(&key)
        || key.ends_with("_id")
        || key.ends_with("_ids")
        || (key.ends_with("_by") && !v.is_string())
        || key.ends_with("_ref")
        || v.is_null()
        || v.as_i64() == Some(0)
        || v.as_str().is_some_and(str::is_empty)
        || v.as_array().is_some_and(Vec::is_empty)
}

/// A scalar in words; arrays and objects in one line each.
fn inline(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "Yes" } else { "No" }.into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => text(s),
        Value::Array(a) => a.iter().map(inline).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("; "),
        Value::Object(m) => {
            let you = m.get("you").and_then(Value::as_bool).unwrap_or(false);
            let mut parts: Vec<String> =
                m.iter().filter(|(k, x)| !hidden(k, x)).map(|(k, x)| format!("{}: {}", label(k), inline(x))).collect();
            if you {
                parts.push("You".into());
            }
            parts.join(", ")
        }
    }
}

/// One record as rows, nested lists as bullets under their label.
fn record_blocks(v: &Value, out: &mut Vec<Block>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter().filter(|(k, x)| !hidden(k, x)) {
                match x {
                    Value::Array(a) if a.iter().any(Value::is_object) => {
                        out.push(Block::Row(label(k), String::new()));
                        out.extend(a.iter().map(|i| Block::Bullet(inline(i))).filter(|b| *b != Block::Bullet(String::new())));
                    }
                    Value::Object(_) => {
                        out.push(Block::Row(label(k), String::new()));
                        out.push(Block::Bullet(inline(x)));
                    }
                    _ => out.push(Block::Row(label(k), inline(x))),
                }
            }
        }
        other => out.push(Block::Para(inline(other))),
    }
}

/// A heading for one record: its reference or title where it has one.
fn record_heading(section_title: &str, v: &Value, n: usize) -> String {
    for key in ["reference", "title", "category", "kind", "channel", "purpose"] {
        if let Some(s) = v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()) {
            return format!("{n}. {}", text(s));
        }
    }
    format!("{n}. {section_title}")
}

const REASONS: &[(&str, &str)] = &[
    ("third_party", "It is about someone else"),
    ("ongoing_investigation", "Telling you now could harm an investigation"),
    ("legal_privilege", "It is legally privileged advice"),
    ("not_available", "We could not open it here; we will send it separately"),
    ("exemption", "An exemption in data protection law applies"),
];

fn reason_words(r: &str) -> String {
    REASONS.iter().find(|(k, _)| *k == r).map_or_else(|| text(r), |(_, w)| w.to_string())
}

/// Whether the person's adjustments ask for large print.
fn wants_large_print(b: &AccessBundle) -> bool {
    b.sections.iter().filter(|s| s.key == "adjustments").flat_map(|s| &s.records).any(|r| r.to_string().contains("large_print"))
}

fn first_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The response: cover letter, then the sections.
pub fn document(b: &AccessBundle) -> Doc {
    let mut out = vec![];
    let identity = b.sections.iter().find(|s| s.key == "identity").and_then(|s| s.records.first());
    let name = identity
        .map(|p| [first_str(p, "given_name"), first_str(p, "family_name")].into_iter().flatten().collect::<Vec<_>>().join(" "))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Sir or Madam".into());
    let address: Vec<String> = b
        .sections
        .iter()
        .find(|s| s.key == "contact_points")
        .and_then(|s| {
            s.records
                .iter()
                .find(|c| first_str(c, "kind") == Some("address") && c.get("preferred") == Some(&Value::Bool(true)))
                .or_else(|| s.records.iter().find(|c| first_str(c, "kind") == Some("address")))
        })
        .map(|c| ["line1", "line2", "town", "postcode"].iter().filter_map(|k| first_str(c, k).map(str::to_string)).collect())
        .unwrap_or_default();
    let today = b
        .generated_at
        .parse::<Timestamp>()
        .map(|t| t.to_zoned_datetime(uk()).date())
        .unwrap_or_else(|_| Timestamp::now().to_zoned_datetime(uk()).date());

    out.push(Block::Title("Your personal information".into()));
    out.push(Block::Para(name.clone()));
    for l in &address {
        out.push(Block::Para(l.clone()));
    }
    out.push(Block::Para(uk_date(today)));
    out.push(Block::Para(format!("Our reference: {}", b.request_reference)));
    out.push(Block::Para(format!("Dear {name},")));
    out.push(Block::Para(
        "You asked us for a copy of the personal information we hold about you. This letter is our answer under Article 15 of the \
         UK General Data Protection Regulation. It explains how we use your information and what your rights are. The pages after \
         it set out the information itself, one kind of record at a time."
            .into(),
    ));
    out.push(Block::Para(format!(
        "Where our records mention other people, their details are replaced with “{REDACTED}”, because they have rights over their \
         information too. Anything we have not given you is listed under “Information we have not included”, with the reason."
    )));

    let held: Vec<_> = b.sections.iter().filter(|s| !s.records.is_empty()).collect();
    let classes: Vec<_> = held.iter().flat_map(|s| &s.classes).collect();
    out.push(Block::Heading("Why we use your information".into()));
    let purposes: BTreeSet<String> = classes.iter().map(|c| plain(&c.purpose)).filter(|p| !p.is_empty()).collect();
    for p in purposes {
        out.push(Block::Bullet(p));
    }
    out.push(Block::Heading("What information we hold".into()));
    for s in &held {
        let n = s.records.len();
        out.push(Block::Bullet(format!("{} ({n} {})", s.title, if n == 1 { "record" } else { "records" })));
    }
    let empty: Vec<&str> = b.sections.iter().filter(|s| s.records.is_empty()).map(|s| s.title.as_str()).collect();
    if !empty.is_empty() {
        out.push(Block::Para(format!("We hold nothing about you of these kinds: {}.", empty.join("; "))));
    }
    out.push(Block::Heading("Who we share it with".into()));
    let recipients: BTreeSet<String> = classes
        .iter()
        .flat_map(|c| c.recipients.iter().map(|r| capitalise(&plain(r))))
        .filter(|r| !r.is_empty() && !r.to_lowercase().starts_with("none") && !r.to_lowercase().starts_with("as for"))
        .collect();
    if recipients.is_empty() {
        out.push(Block::Para("We do not share this information outside our organisation.".into()));
    } else {
        out.push(Block::Para("We may share some of it, where the law allows, with:".into()));
        out.extend(recipients.into_iter().map(Block::Bullet));
    }
    out.push(Block::Para(
        "The section “Who we gave your information to” lists each time we did, unless telling you would harm the prevention or \
         detection of crime."
            .into(),
    ));
    out.push(Block::Heading("How long we keep it".into()));
    let mut seen = BTreeSet::new();
    for c in &classes {
        if seen.insert(c.class) {
            out.push(Block::Bullet(format!("{}: {}", c.class.label(), c.retention.describe().to_lowercase())));
        }
    }
    out.push(Block::Heading("Where your information comes from".into()));
    out.push(Block::Para(
        "Most of it comes from you, when you applied for housing, signed your tenancy and contacted us since. Some is written by \
         our staff and contractors when they work with you, and some comes from other people who contact us about your home or \
         from other organisations, such as your local council, when the law allows them to share it with us."
            .into(),
    ));
    out.push(Block::Heading("Decisions made by computer".into()));
    out.push(Block::Para("We do not make decisions about you by automated means alone.".into()));
    out.push(Block::Heading("Information we have not included".into()));
    if b.withheld.is_empty() {
        out.push(Block::Para("We have included everything we hold about you.".into()));
    } else {
        for w in &b.withheld {
            out.push(Block::Bullet(format!("{}. {}. {}", w.what, reason_words(&w.reason), iso_dates_in_words(&w.explanation))));
        }
    }
    out.push(Block::Heading("Your rights".into()));
    for r in [
        "to have information that is wrong corrected;",
        "to ask us to delete information, or to stop or limit using it, in some circumstances;",
        "to object to how we use it;",
        "to receive the information you gave us in a form a computer can read, to give to someone else.",
    ] {
        out.push(Block::Bullet(format!("You have the right {r}")));
    }
    out.push(Block::Para("To use any of these rights, write to our Data Protection Officer at the address on this letter.".into()));
    out.push(Block::Heading("If you are unhappy".into()));
    out.push(Block::Para(
        "Please tell us first, and we will try to put things right. You can also complain to the Information Commissioner's \
         Office: www.ico.org.uk/make-a-complaint, telephone 0303 123 1113, or write to the Information Commissioner's Office, \
         Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF."
            .into(),
    ));
    out.push(Block::Para("Yours sincerely,".into()));
    out.push(Block::Para("Data Protection Officer".into()));

    for s in b.sections.iter().filter(|s| !s.records.is_empty()) {
        out.push(Block::PageBreak);
        out.push(Block::Heading(s.title.clone()));
        for c in &s.classes {
            out.push(Block::Para(format!("{}: {}", c.class.label(), plain(&c.purpose))));
        }
        for (i, r) in s.records.iter().enumerate() {
            let heading = if s.key == "identity" && i == 0 { "Your details".to_string() } else { record_heading(&s.title, r, i + 1) };
            out.push(Block::Subheading(heading));
            record_blocks(r, &mut out);
        }
    }
    Doc { title: format!("Your personal information ({})", b.request_reference), large_print: wants_large_print(b), blocks: out }
}

/// The response as one self-contained printable HTML page (no scripts;
/// a print stylesheet: A4 margins, sections on new pages, no link colours).
pub fn html(doc: &Doc) -> String {
    let base = if doc.large_print { "18pt" } else { "12pt" };
    let style = format!(
        "body{{font-family:Arial,Helvetica,sans-serif;font-size:{base};max-width:42em;margin:2em auto;padding:0 1em;line-height:1.45;color:#0b0c0c}}\
         h1{{font-size:1.9em}}h2{{font-size:1.45em;margin-top:1.6em}}h3{{font-size:1.15em;margin:1.2em 0 .3em}}\
         dl{{margin:0 0 .6em}}dt{{font-weight:bold;margin-top:.3em}}dd{{margin:0 0 0 1.2em}}ul{{margin:.2em 0 .6em}}\
         .pagebreak{{break-before:page}}\
         @media print{{@page{{size:A4;margin:20mm}}body{{margin:0;max-width:none}}a{{color:#000;text-decoration:none}}h2,h3{{break-after:avoid}}}}"
    );
    // Consecutive rows form one definition list, consecutive bullets one list.
    let mut groups: Vec<Vec<&Block>> = vec![];
    for b in &doc.blocks {
        let same = groups.last().and_then(|g| g.last()).is_some_and(|l| {
            matches!((l, b), (Block::Row(..), Block::Row(..)) | (Block::Bullet(_), Block::Bullet(_)) | (Block::Row(..), Block::Bullet(_)))
        });
        if same {
            groups.last_mut().unwrap().push(b);
        } else {
            groups.push(vec![b]);
        }
    }
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (doc.title) }
                style { (maud::PreEscaped(style)) }
            }
            body {
                main {
                    @for g in &groups {
                        @match g[0] {
                            Block::Title(t) => h1 { (t) },
                            Block::Heading(t) => h2 { (t) },
                            Block::Subheading(t) => h3 { (t) },
                            Block::Para(t) => p { (t) },
                            Block::PageBreak => div class="pagebreak" {},
                            Block::Bullet(_) => ul { @for b in g { @if let Block::Bullet(t) = b { li { (t) } } } },
                            Block::Row(..) => dl {
                                @for b in g {
                                    @match b {
                                        Block::Row(l, v) => { dt { (l) } @if !v.is_empty() { dd { (v) } } },
                                        Block::Bullet(t) => dd { "• " (t) },
                                        _ => {}
                                    }
                                }
                            },
                        }
                    }
                }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_words() {
        assert_eq!(text("joint_tenant"), "Joint tenant");
        assert_eq!(text("open"), "Open");
        assert_eq!(text("1969-09-09"), "9 September 1969");
        assert_eq!(text("2026-07-01T12:30:00.123456789Z"), "1 July 2026 at 13:30");
        assert_eq!(text("2026-12-01 dpo: asked for ID"), "1 December 2026 dpo: asked for ID");
        assert_eq!(text("Rang on 2026-12-01T09:00:00Z, no answer"), "Rang on 1 December 2026 at 09:00, no answer");
        assert_eq!(label("ni_number"), "National Insurance number");
        assert_eq!(label("disclosed_on"), "Date");
        assert_eq!(label("review_date"), "Review date");
        assert_eq!(plain("National returns (seed 000 sections 1.5.3, 2.6)"), "National returns");
        assert_eq!(plain("Seed 003: tenancy file, 6 years"), "tenancy file, 6 years");
    }

    #[test]
    fn internal_ids_and_versions_are_not_shown() {
        let mut out = vec![];
        let v = serde_json::json!({"id": 7, "person_id": 3, "version": 2, "recorded_by": 5, "role": "joint_tenant", "storage_ref": "x"});
        record_blocks(&v, &mut out);
        assert_eq!(out, vec![Block::Row("Role".into(), "Joint tenant".into())]);
    }
}
