//! Finding a person's identifiers in free text, however they were written,
//! and redacting them.
//!
//! Staff write people into notes the way they hear them: "Mrs Vexley on
//! 07700 900 123", "DOB 9/9/1969", "lives at 12 imaginary row, zz99 3ab".
//! [`Identifiers`] holds what identifies one person (names, phones, emails,
//! address lines, postcode, NI number, date of birth) and finds each in any
//! of those spellings: case and spacing ignored, +44 and 0 alike, dates in
//! ISO, numeric UK and long forms. The guard on an anonymous reporter's case
//! refuses text it finds; bundles and letters redact it.

use crate::{
    classes::DataClass,
    people::{ContactPoint, ContactPointKind, Person},
};
use jiff::civil::Date;
use std::ops::Range;

/// What identifies one person in text.
#[derive(Debug, Clone, Default)]
pub struct Identifiers {
    /// Whole names ("ada vexley") and surnames: found as whole words, any case.
    names: Vec<String>,
    /// Given and preferred names: found as whole capitalised words, so "will"
    /// and "may" in ordinary sentences are not taken for Will and May.
    given: Vec<String>,
    /// Lower-case letters and digits only: NI numbers, postcodes, address
    /// lines, phone numbers (as 0… and 44…), emails.
    squeezed: Vec<(String, DataClass)>,
    dates: Vec<Date>,
}

/// Fewer characters than this would match ordinary words or numbers.
const MIN_SQUEEZED: usize = 5;

impl Identifiers {
    /// A person's identifiers from their record and contact points.
    pub fn of(person: &Person, contacts: &[ContactPoint]) -> Self {
        let mut ids = Identifiers::default();
        ids.add_name(&person.given_name, &person.family_name);
        if let Some(p) = &person.preferred_name {
            ids.add_given(p);
        }
        if let Some(ni) = &person.ni_number {
            ids.add_squeezed(ni, DataClass::Identifiers);
        }
        if let Some(d) = person.date_of_birth {
            ids.dates.push(d);
        }
        for c in contacts {
            match c.kind {
                ContactPointKind::Address => {
                    for l in [&c.line1, &c.line2].into_iter().flatten() {
                        ids.add_squeezed(l, DataClass::PostalAddress);
                    }
                    if let Some(p) = &c.postcode {
                        ids.add_squeezed(p, DataClass::PostalAddress);
                    }
                }
                ContactPointKind::Email => {
                    if let Some(v) = &c.value {
                        ids.add_squeezed(v, DataClass::Email);
                    }
                }
                _ => {
                    if let Some(v) = &c.value {
                        ids.add_phone(v);
                    }
                }
            }
        }
        ids
    }

    /// Adds a name: the full name and the surname as words, the given name
    /// as a capitalised word.
    pub fn add_name(&mut self, given: &str, family: &str) {
        let (g, f) = (given.trim().to_lowercase(), family.trim().to_lowercase());
        if !g.is_empty() && !f.is_empty() {
            self.names.push(format!("{g} {f}"));
            // "Vexley, Ada" in lists and forms; "A. Vexley" and "A Vexley" in notes.
            self.names.push(format!("{f} {g}"));
            if let Some(i) = g.chars().next().filter(|c| c.is_alphabetic()) {
                self.names.push(format!("{i} {f}"));
            }
        }
        if f.chars().count() >= 2 {
            self.names.push(f);
        }
        self.add_given(given);
    }

    /// A name written as one string ("Ada Vexley", "Vexley"): the last word
    /// is taken as the surname. For a case party known only by name.
    pub fn add_full_name(&mut self, full: &str) {
        let full = full.trim();
        match full.rsplit_once(char::is_whitespace) {
            Some((given, family)) => self.add_name(given, family),
            None => self.add_name("", full),
        }
    }

    /// Adds an address (lines and postcode) the person lives at.
    pub fn add_address(&mut self, lines: &[&str], postcode: Option<&str>) {
        for l in lines {
            self.add_squeezed(l, DataClass::PostalAddress);
        }
        if let Some(p) = postcode {
            self.add_squeezed(p, DataClass::PostalAddress);
        }
    }

    /// Leaves out everything `subject` is identified by too (a surname or an
    /// address shared in a household), returning the names left out so they
    /// can be offered to a reviewer as uncertain.
    pub fn except(&mut self, subject: &Identifiers) -> Vec<String> {
        let shared: Vec<String> = self.names.iter().filter(|n| subject.names.contains(n)).cloned().collect();
        self.names.retain(|n| !subject.names.contains(n));
        self.given.retain(|g| !subject.given.contains(g));
        self.squeezed.retain(|(q, _)| !subject.squeezed.iter().any(|(s, _)| s == q));
        self.dates.retain(|d| !subject.dates.contains(d));
        shared
    }

    /// Given names, lower-case (a reviewer is offered them where they are
    /// written in lower case, which [`Identifiers::find`] does not take).
    pub fn given_names(&self) -> &[String] {
        &self.given
    }

    fn add_given(&mut self, given: &str) {
        let g = given.trim().to_lowercase();
        if g.chars().count() >= 2 {
            self.given.push(g);
        }
    }

    /// Leaves a surname out of the words searched for (another party, who
    /// may be named, shares it); whole names still match.
    pub fn except_surname(&mut self, family: &str) {
        let f = family.trim().to_lowercase();
        self.names.retain(|n| *n != f);
    }

    fn add_squeezed(&mut self, s: &str, class: DataClass) {
        let q = squeeze(s);
        if q.len() >= MIN_SQUEEZED {
            self.squeezed.push((q, class));
        }
    }

    pub fn add_phone(&mut self, s: &str) {
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        let national = if let Some(rest) = digits.strip_prefix("44") { format!("0{rest}") } else { digits };
        if let Some(rest) = national.strip_prefix('0') {
            self.add_squeezed(&format!("44{rest}"), DataClass::Phone);
        }
        self.add_squeezed(&national, DataClass::Phone);
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.given.is_empty() && self.squeezed.is_empty() && self.dates.is_empty()
    }

    /// Where this person is identified in `text`, and by what.
    pub fn find(&self, text: &str) -> Vec<(Range<usize>, DataClass)> {
        let mut found = vec![];
        let words = words(text);
        for (i, (start, _)) in words.iter().enumerate() {
            for n in &self.names {
                let parts: Vec<&str> = n.split(' ').collect();
                if i + parts.len() <= words.len()
                    && parts.iter().enumerate().all(|(k, p)| text[words[i + k].0..words[i + k].1].to_lowercase() == *p)
                {
                    found.push((*start..words[i + parts.len() - 1].1, DataClass::Name));
                }
            }
            let w = &text[words[i].0..words[i].1];
            if w.starts_with(char::is_uppercase) && self.given.iter().any(|g| w.to_lowercase() == *g) {
                found.push((words[i].0..words[i].1, DataClass::Name));
            }
        }
        let (sq, map) = squeeze_with_map(text);
        for (needle, class) in &self.squeezed {
            let mut from = 0;
            while let Some(at) = sq[from..].find(needle.as_str()) {
                let s = from + at;
                let e = s + needle.len();
                let mut start = map[s].0;
                // "+44 7700…": the plus goes with the number.
                if *class == DataClass::Phone && text[..start].trim_end().ends_with('+') {
                    start = text[..start].trim_end().len() - 1;
                }
                found.push((start..map[e - 1].1, *class));
                from = e;
            }
        }
        let lower = text.to_lowercase();
        // Lower-casing can change byte lengths outside ASCII; dates are ASCII
        // and month names too, so search only when the offsets agree.
        if lower.len() == text.len() {
            for d in &self.dates {
                for form in date_forms(*d) {
                    let mut from = 0;
                    while let Some(at) = lower[from..].find(&form) {
                        let s = from + at;
                        let e = s + form.len();
                        let before_ok = !lower[..s].ends_with(|c: char| c.is_ascii_digit());
                        let after_ok = !lower[e..].starts_with(|c: char| c.is_ascii_digit());
                        if before_ok && after_ok {
                            found.push((s..e, DataClass::Identifiers));
                        }
                        from = e;
                    }
                }
            }
        }
        found.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
        found
    }

    /// `text` with every place this person is identified replaced by `with`.
    pub fn redact(&self, text: &str, with: &str) -> String {
        let mut out = String::new();
        let mut last = 0;
        for (r, _) in self.find(text) {
            if r.start < last {
                // Overlaps a span already replaced: extend it.
                last = last.max(r.end);
                continue;
            }
            out.push_str(&text[last..r.start]);
            out.push_str(with);
            last = r.end;
        }
        out.push_str(&text[last..]);
        out
    }
}

/// Whether a place in a text is redacted for sure or offered to a reviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// Another person's identifier: redacted unless the reviewer reverses it.
    Automatic,
    /// Perhaps someone else's: left unless the reviewer redacts it.
    Uncertain,
}

/// A place in a text the redaction rules found, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub range: Range<usize>,
    pub kind: MarkKind,
    /// In words, for the reviewer: "another person's phone number".
    pub why: String,
}

/// Redacts other people out of the text a subject receives, never the
/// subject: what identifies the subject (even a surname or an address a
/// household member shares) is left, what identifies anyone else is found in
/// every spelling [`Identifiers`] knows, and what might identify someone
/// (a capitalised word beside a redaction, a shared surname or a lower-case
/// given name of another party, a number shaped like an identifier) is
/// marked as uncertain for a reviewer.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    subject: Identifiers,
    others: Vec<Identifiers>,
    /// Names left to the reviewer: surnames the subject shares with another
    /// person, other people's given names (found in lower case too).
    uncertain_names: Vec<String>,
}

const SHARED_NAME: &str = "a name another person on the record has too";

/// Capitalised words that are not names, so not offered beside a redaction.
const NOT_NAMES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "the",
    "and",
    "or",
    "but",
    "to",
    "at",
    "on",
    "in",
    "of",
    "for",
    "with",
    "from",
    "by",
    "a",
    "an",
    "i",
    "he",
    "she",
    "they",
    "we",
    "you",
    "it",
    "his",
    "her",
    "their",
    "is",
    "was",
    "said",
    "says",
    "rang",
    "called",
    "told",
    "also",
    "tenant",
    "dob",
    "ni",
    "tel",
    "phone",
    "email",
    "mobile",
    "postcode",
    "address",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl Redactor {
    /// A redactor for text sent to the person `subject` identifies.
    pub fn new(subject: Identifiers) -> Self {
        Redactor { subject, others: vec![], uncertain_names: vec![] }
    }

    /// Another person whose identifiers must not reach the subject (those
    /// the subject shares are left, and offered as uncertain).
    pub fn add_other(&mut self, mut other: Identifiers) {
        let shared = other.except(&self.subject);
        self.uncertain_names.extend(shared.into_iter().filter(|n| !n.contains(' ')));
        self.uncertain_names.extend(other.given.iter().cloned());
        if !other.is_empty() {
            self.others.push(other);
        }
    }

    pub fn has_others(&self) -> bool {
        !self.others.is_empty()
    }

    /// Every automatic and uncertain place in `text`, in order, not
    /// overlapping (an automatic mark wins over an uncertain one).
    pub fn marks(&self, text: &str) -> Vec<Mark> {
        let own: Vec<Range<usize>> = self.subject.find(text).into_iter().map(|(r, _)| r).collect();
        let is_own = |r: &Range<usize>| own.iter().any(|o| o.start <= r.start && r.end <= o.end);
        let mut auto: Vec<(Range<usize>, DataClass)> = self.others.iter().flat_map(|o| o.find(text)).filter(|(r, _)| !is_own(r)).collect();
        auto.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
        let mut marks: Vec<Mark> = vec![];
        for (r, class) in auto {
            match marks.last_mut() {
                Some(m) if r.start < m.range.end => m.range.end = m.range.end.max(r.end),
                _ => marks.push(Mark { range: r, kind: MarkKind::Automatic, why: why(class) }),
            }
        }
        let mut unsure: Vec<Mark> = vec![];
        let ws = words(text);
        for (i, &(s, e)) in ws.iter().enumerate() {
            let w = &text[s..e];
            let lw = w.to_lowercase();
            let r = s..e;
            if self.uncertain_names.contains(&lw) {
                unsure.push(Mark { range: r, kind: MarkKind::Uncertain, why: SHARED_NAME.into() });
                continue;
            }
            let capital = w.starts_with(char::is_uppercase) && !NOT_NAMES.contains(&lw.as_str()) && w.chars().count() > 1;
            let beside = |other: Option<&(usize, usize)>| {
                other.is_some_and(|&(os, oe)| {
                    marks.iter().any(|m| m.kind == MarkKind::Automatic && m.range.start <= os && oe <= m.range.end)
                        && (if oe <= s { &text[oe..s] } else { &text[e..os] }).trim().len() <= 2
                })
            };
            if capital && (beside(i.checked_sub(1).and_then(|j| ws.get(j))) || beside(ws.get(i + 1))) {
                unsure.push(Mark { range: r, kind: MarkKind::Uncertain, why: "a capitalised word next to a redaction".into() });
            }
        }
        unsure.extend(identifier_shapes(text));
        for m in unsure {
            // A name shared with someone else is offered even where it is the subject's too.
            let shared = m.why == SHARED_NAME;
            if (is_own(&m.range) && !shared) || marks.iter().any(|a| a.range.start < m.range.end && m.range.start < a.range.end) {
                continue;
            }
            marks.push(m);
        }
        marks.sort_by_key(|m| m.range.start);
        marks
    }

    /// `text` with every automatic mark replaced by `with`.
    pub fn redact(&self, text: &str, with: &str) -> String {
        let spans: Vec<Range<usize>> = self.marks(text).into_iter().filter(|m| m.kind == MarkKind::Automatic).map(|m| m.range).collect();
        replace_spans(text, &spans, with)
    }
}

/// `text` with each of `spans` (in order, not overlapping) replaced by `with`.
pub fn replace_spans(text: &str, spans: &[Range<usize>], with: &str) -> String {
    let mut out = String::new();
    let mut last = 0;
    for r in spans {
        if r.start < last || r.end > text.len() || !text.is_char_boundary(r.start) || !text.is_char_boundary(r.end) {
            continue;
        }
        out.push_str(&text[last..r.start]);
        out.push_str(with);
        last = r.end;
    }
    out.push_str(&text[last..]);
    out
}

fn why(class: DataClass) -> String {
    match class {
        DataClass::Name => "another person's name",
        DataClass::Phone => "another person's phone number",
        DataClass::Email => "another person's email address",
        DataClass::PostalAddress => "another person's address",
        _ => "another person's identifier (date of birth or NI number)",
    }
    .into()
}

/// Numbers shaped like identifiers, whoever's they are: phone numbers (ten
/// or more digits, spaces allowed), NI numbers, numeric dates, emails and
/// postcodes.
fn identifier_shapes(text: &str) -> Vec<Mark> {
    let mut out = vec![];
    let b = text.as_bytes();
    let unsure = |r: Range<usize>, why: &str| Mark { range: r, kind: MarkKind::Uncertain, why: why.into() };
    // Digit runs with single spaces or hyphens inside, optionally after "+".
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() || (b[i] == b'+' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let start = i;
            let mut end = i + 1;
            let mut digits = usize::from(b[i].is_ascii_digit());
            let mut j = i + 1;
            while j < b.len() {
                if b[j].is_ascii_digit() {
                    digits += 1;
                    end = j + 1;
                } else if !(matches!(b[j], b' ' | b'-' | b'/' | b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit)) {
                    break;
                }
                j += 1;
            }
            let slice = &text[start..end];
            if digits >= 10 {
                out.push(unsure(start..end, "a number shaped like a phone number"));
            } else if (6..=8).contains(&digits) && ['/', '-', '.'].iter().any(|sep| slice.matches(*sep).count() == 2) {
                out.push(unsure(start..end, "a date that may be someone's date of birth"));
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    let ws = words(text);
    for (k, &(s, e)) in ws.iter().enumerate() {
        let w = &text[s..e];
        // NI number written as one word, or as "QQ 12 34 56 C".
        let mut joined = String::new();
        let mut last = k;
        for (n, &(_, we)) in ws[k..].iter().enumerate().take(5) {
            joined = squeeze(&text[s..we]);
            last = k + n;
            if joined.len() >= 9 {
                break;
            }
        }
        if w.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && is_ni_shape(&joined) {
            out.push(unsure(s..ws[last].1, "a number shaped like a National Insurance number"));
        }
        if let Some(&(_, e2)) = ws.get(k + 1) {
            let pair = &text[s..e2];
            if pair.len() <= 9 && is_postcode_shape(&squeeze(pair)) && text[e..ws[k + 1].0].trim().is_empty() {
                out.push(unsure(s..e2, "something shaped like a postcode"));
            }
        }
    }
    // Emails: words() splits on '@' and '.', so look for them directly.
    for (at, _) in text.match_indices('@') {
        let start =
            text[..at].char_indices().rev().find(|(_, c)| c.is_whitespace() || *c == '(' || *c == '<').map_or(0, |(p, c)| p + c.len_utf8());
        let end = text[at..].find(|c: char| c.is_whitespace() || c == ')' || c == '>' || c == ',').map_or(text.len(), |p| at + p);
        let end = if text[..end].ends_with('.') { end - 1 } else { end };
        if start < at && at + 1 < end {
            out.push(unsure(start..end, "an email address"));
        }
    }
    out.sort_by_key(|m| m.range.start);
    out.dedup_by(|b, a| b.range.start < a.range.end);
    out
}

fn is_ni_shape(q: &str) -> bool {
    let c: Vec<char> = q.chars().collect();
    c.len() == 9 && c[..2].iter().all(char::is_ascii_alphabetic) && c[2..8].iter().all(char::is_ascii_digit) && c[8].is_ascii_alphabetic()
}

fn is_postcode_shape(q: &str) -> bool {
    // Outward code (letters then digits, maybe a letter) and inward code (digit, two letters).
    let c: Vec<char> = q.chars().collect();
    let n = c.len();
    if !(5..=7).contains(&n) {
        return false;
    }
    let inward = c[n - 3].is_ascii_digit() && c[n - 2].is_ascii_alphabetic() && c[n - 1].is_ascii_alphabetic();
    let out = &c[..n - 3];
    inward && out[0].is_ascii_alphabetic() && out.iter().any(char::is_ascii_digit) && out.iter().all(char::is_ascii_alphanumeric)
}

/// Word spans: runs of letters, digits, apostrophes and hyphens.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = vec![];
    let mut start = None;
    for (i, c) in text.char_indices() {
        let inside = c.is_alphanumeric() || c == '\'' || c == '’' || c == '-';
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// Lower-case ASCII letters and digits of `s`, nothing else.
fn squeeze(s: &str) -> String {
    squeeze_with_map(s).0
}

/// [`squeeze`], with each kept byte's span in the original.
fn squeeze_with_map(s: &str) -> (String, Vec<(usize, usize)>) {
    let mut out = String::new();
    let mut map = vec![];
    for (i, c) in s.char_indices() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            map.push((i, i + c.len_utf8()));
        }
    }
    (out, map)
}

const MONTHS: [&str; 12] =
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/// The ways a date of birth is written, lower-case.
fn date_forms(d: Date) -> Vec<String> {
    let (y, m, day) = (d.year(), d.month() as usize, d.day());
    let month = MONTHS[m - 1];
    let short = &month[..3];
    let mut v = vec![format!("{y:04}-{m:02}-{day:02}")];
    for sep in ['/', '.', '-'] {
        v.push(format!("{day:02}{sep}{m:02}{sep}{y:04}"));
        v.push(format!("{day}{sep}{m}{sep}{y:04}"));
        v.push(format!("{day:02}{sep}{m:02}{sep}{:02}", y % 100));
    }
    for suffix in ["", "st", "nd", "rd", "th"] {
        v.push(format!("{day}{suffix} {month} {y}"));
        v.push(format!("{day}{suffix} {short} {y}"));
        v.push(format!("{day}{suffix} {short}t {y}"));
        v.push(format!("{month} {day}{suffix}, {y}"));
        v.push(format!("{month} {day}{suffix} {y}"));
    }
    v.sort_by_key(|s| std::cmp::Reverse(s.len()));
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{people::PersonKind, Id};

    fn vexley() -> Identifiers {
        let person = Person {
            id: 1,
            kind: PersonKind::Adult,
            given_name: "Ada".into(),
            family_name: "Vexley".into(),
            preferred_name: Some("Addy".into()),
            date_of_birth: Some(Date::constant(1969, 9, 9)),
            ni_number: Some("QQ123456C".into()),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
            version: 1,
        };
        let point = |kind, value: Option<&str>, line1: Option<&str>, postcode: Option<&str>| ContactPoint {
            id: 1,
            person_id: 1,
            kind,
            value: value.map(str::to_string),
            line1: line1.map(str::to_string),
            line2: None,
            town: None,
            postcode: postcode.map(str::to_string),
            preferred: true,
            valid_from: None,
            valid_until: None,
            version: 1,
        };
        Identifiers::of(
            &person,
            &[
                point(ContactPointKind::Phone, Some("07700 900123"), None, None),
                point(ContactPointKind::Email, Some("ada.vexley@example.org"), None, None),
                point(ContactPointKind::Address, None, Some("12 Imaginary Row"), Some("ZZ99 3AB")),
            ],
        )
    }

    #[test]
    fn every_identifier_is_found_however_it_is_written() {
        let ids = vexley();
        for text in [
            "spoke to ada vexley",
            "Mrs VEXLEY called",
            "A. Vexley again",
            "Ada says the noise goes on",
            "Addy rang",
            "call 07700900123",
            "call +44 7700 900 123",
            "call (07700) 900-123",
            "email ADA.VEXLEY@example.org",
            "NI qq 12 34 56 c",
            "DOB 1969-09-09",
            "born 09/09/1969",
            "born 9/9/1969",
            "born 9 September 1969",
            "born 9th Sept 1969",
            "born September 9, 1969",
            "lives at 12 imaginary row",
            "lives at 12, Imaginary  Row",
            "postcode zz993ab",
        ] {
            let r = ids.redact(text, "[X]");
            assert!(r.contains("[X]"), "not found in {text:?}: {r:?}");
            assert!(!ids.find(text).is_empty());
        }
    }

    #[test]
    fn ordinary_words_and_other_numbers_are_left_alone() {
        let ids = vexley();
        for text in [
            "they will ada-pt the rota", // not a capitalised word on its own
            "noise at 1969 hours",
            "born 19/09/1969",
            "call 07700 900124",
            "number 12 on the row",
        ] {
            assert_eq!(ids.redact(text, "[X]"), text, "{text:?}");
        }
    }

    #[test]
    fn redaction_keeps_the_rest_of_the_text() {
        let ids = vexley();
        assert_eq!(ids.redact("Ada Vexley (07700 900123) at 12 Imaginary Row", "[X]"), "[X] ([X]) at [X]");
        assert_eq!(ids.redact("on +44 7700 900123.", "[X]"), "on [X].");
    }

    fn person(id: Id, given: &str, family: &str, dob: Option<Date>, ni: Option<&str>) -> Person {
        Person {
            id,
            kind: PersonKind::Adult,
            given_name: given.into(),
            family_name: family.into(),
            preferred_name: None,
            date_of_birth: dob,
            ni_number: ni.map(str::to_string),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    /// Ada Vexley's household: Bram Vexley (joint tenant, same surname and
    /// address, his own phone, DOB and NI number) and a neighbour.
    fn household() -> Redactor {
        let mut r = Redactor::new(vexley());
        let mut bram = Identifiers::of(&person(2, "Bram", "Vexley", Some(Date::constant(1971, 3, 4)), Some("QQ654321A")), &[]);
        bram.add_phone("07700 900456");
        bram.add_address(&["12 Imaginary Row"], Some("ZZ99 3AB"));
        r.add_other(bram);
        let mut n = Identifiers::default();
        n.add_full_name("Cressida Pennyfeather");
        r.add_other(n);
        r
    }

    #[test]
    fn the_subject_keeps_a_shared_surname_and_address_and_loses_the_others() {
        let r = household();
        let text = "Ada Vexley of 12 Imaginary Row, ZZ99 3AB rang; Mrs Vexley (07700 900123, DOB 09/09/1969) \
                    said Bram Vexley (B. Vexley, VEXLEY BRAM, 07700900456, +44 7700 900 456, NI QQ 65 43 21 A, born 4 March 1971, \
                    1971-03-04, 04/03/1971) argued with cressida pennyfeather and C Pennyfeather.";
        let out = r.redact(text, "[X]");
        for own in ["Ada Vexley", "12 Imaginary Row", "ZZ99 3AB", "Mrs Vexley", "07700 900123", "09/09/1969"] {
            assert!(out.contains(own), "the subject's own {own:?} was redacted: {out}");
        }
        for other in
            ["Bram", "B. Vexley", "VEXLEY BRAM", "900456", "900 456", "65 43", "March 1971", "1971-03-04", "04/03/1971", "ennyfeather"]
        {
            assert!(!out.contains(other), "{other:?} is left: {out}");
        }
    }

    #[test]
    fn uncertain_places_are_marked_for_the_reviewer() {
        let r = household();
        let text = "Bram Vexley Junior rang; Mr Vexley called; bram again; call 07700 900999 or QQ 11 22 33 D, DOB 01/02/2003";
        let marks = r.marks(text);
        let unsure: Vec<&str> = marks.iter().filter(|m| m.kind == MarkKind::Uncertain).map(|m| &text[m.range.clone()]).collect();
        assert!(unsure.contains(&"Junior"), "beside a redaction: {unsure:?}");
        assert!(unsure.contains(&"Vexley"), "a shared surname: {unsure:?}");
        assert!(unsure.contains(&"bram"), "a lower-case given name: {unsure:?}");
        assert!(unsure.contains(&"07700 900999"), "{unsure:?}");
        assert!(unsure.contains(&"QQ 11 22 33 D"), "{unsure:?}");
        assert!(unsure.contains(&"01/02/2003"), "{unsure:?}");
        let auto: Vec<&str> = marks.iter().filter(|m| m.kind == MarkKind::Automatic).map(|m| &text[m.range.clone()]).collect();
        assert_eq!(auto, vec!["Bram Vexley"]);
        // The subject's own identifiers are never offered.
        assert!(r.marks("Ada rang from 07700 900123 at ZZ99 3AB").is_empty());
    }

    #[test]
    fn a_shared_surname_can_be_left_to_whole_names() {
        let mut ids = vexley();
        ids.except_surname("Vexley");
        assert_eq!(ids.redact("Mr Vexley called", "[X]"), "Mr Vexley called");
        assert_eq!(ids.redact("Ada Vexley called", "[X]"), "[X] called");
    }

    proptest::proptest! {
        /// Any text, however odd its characters: marks lie on character
        /// boundaries in order without overlapping, and the subject's own
        /// words written into it survive redaction.
        #[test]
        fn marks_are_well_formed_and_the_subject_survives(noise in "\\PC{0,80}", pick in 0usize..4) {
            let r = household();
            let own = ["Ada Vexley", "07700 900123", "12 Imaginary Row", "ZZ99 3AB"][pick];
            let text = format!("{noise} {own} {noise}");
            let marks = r.marks(&text);
            let mut last = 0;
            for m in &marks {
                proptest::prop_assert!(m.range.start >= last && m.range.start < m.range.end && m.range.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(m.range.start) && text.is_char_boundary(m.range.end));
                last = m.range.end;
            }
            proptest::prop_assert!(r.redact(&text, "[X]").contains(own));
        }
    }
}
