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

use crate::{ContactPoint, ContactPointKind, DataClass, Person};
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
        }
        if f.chars().count() >= 2 {
            self.names.push(f);
        }
        self.add_given(given);
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

    fn add_phone(&mut self, s: &str) {
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
                found.push((map[s].0..map[e - 1].1, *class));
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
    use crate::PersonKind;

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
    }

    #[test]
    fn a_shared_surname_can_be_left_to_whole_names() {
        let mut ids = vexley();
        ids.except_surname("Vexley");
        assert_eq!(ids.redact("Mr Vexley called", "[X]"), "Mr Vexley called");
        assert_eq!(ids.redact("Ada Vexley called", "[X]"), "[X] called");
    }
}
