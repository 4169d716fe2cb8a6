//! Field rules: each function checks one value and returns it normalised, or a
//! `FieldError` naming the field with a message a person can act on.

use crate::error::FieldError;
use jiff::civil::Date;

/// The earliest date of birth we accept: anything earlier is a typing slip.
const EARLIEST_BIRTH: Date = jiff::civil::date(1900, 1, 1);
const MAX_NAME_CHARS: usize = 100;

/// A required name: trimmed, 1..=100 characters, no control characters.
pub fn name(field: &str, value: &str, what: &str) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, format!("Enter the {what}")));
    }
    optional_text(field, Some(v), MAX_NAME_CHARS, what).map(|o| o.unwrap_or_default())
}

/// Optional free text: blank becomes `None`; over-long or control characters refused.
pub fn optional_text(field: &str, value: Option<&str>, max_chars: usize, what: &str) -> Result<Option<String>, FieldError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > max_chars {
        return Err(FieldError::new(field, format!("The {what} must be {max_chars} characters or fewer")));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(field, format!("The {what} must not contain control characters")));
    }
    Ok(Some(v.to_string()))
}

/// National Insurance number in HMRC's format: two prefix letters, six digits,
/// suffix A–D. Prefix letters D, F, I, Q, U, V are never used; O is never the
/// second letter; BG, GB, KN, NK, NT, TN and ZZ are not allocated.
/// Spaces are ignored and the result is upper-case with no spaces.
pub fn ni_number(field: &str, value: &str) -> Result<String, FieldError> {
    let v: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let bad = || FieldError::new(field, "Enter a National Insurance number in the correct format: 2 letters, 6 numbers, then A, B, C or D");
    let b = v.as_bytes();
    if b.len() != 9 || !b.is_ascii() {
        return Err(bad());
    }
    let (p1, p2) = (b[0], b[1]);
    let never = b"DFIQUV";
    if !p1.is_ascii_uppercase() || !p2.is_ascii_uppercase() || never.contains(&p1) || never.contains(&p2) || p2 == b'O' {
        return Err(bad());
    }
    if ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&&v[0..2]) {
        return Err(bad());
    }
    if !b[2..8].iter().all(u8::is_ascii_digit) || !b"ABCD".contains(&b[8]) {
        return Err(bad());
    }
    Ok(v)
}

/// A date of birth that could be real: not in the future, not before 1900.
pub fn date_of_birth(field: &str, dob: Date, today: Date) -> Result<Date, FieldError> {
    if dob > today {
        return Err(FieldError::new(field, "Date of birth must be in the past"));
    }
    if dob < EARLIEST_BIRTH {
        return Err(FieldError::new(field, "Date of birth must be after 1 January 1900"));
    }
    Ok(dob)
}

/// Parses an ISO date (YYYY-MM-DD), refusing impossible dates like 2023-02-30.
pub fn iso_date(field: &str, value: &str, what: &str) -> Result<Date, FieldError> {
    value.trim().parse::<Date>().map_err(|_| FieldError::new(field, format!("{what} must be a real date, like 2007-03-27")))
}

/// Whole years between `dob` and `on`.
pub fn age_on(dob: Date, on: Date) -> i16 {
    let mut years = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

/// A UK or international phone number: digits with optional spaces, hyphens,
/// brackets and a leading `+`; 10–11 digits for a UK number starting 0, or
/// 8–15 digits after `+`. Returned trimmed, as the person wrote it.
pub fn phone(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    let bad = || FieldError::new(field, "Enter a phone number, like 01632 960 001 or +44 7700 900 982");
    if v.is_empty() {
        return Err(FieldError::new(field, "Enter a phone number"));
    }
    if !v.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || " -()".contains(c) || (c == '+' && i == 0)) {
        return Err(bad());
    }
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    let ok =
        if v.starts_with('+') { (8..=15).contains(&digits.len()) } else { digits.starts_with('0') && (10..=11).contains(&digits.len()) };
    if ok {
        Ok(v.to_string())
    } else {
        Err(bad())
    }
}

/// An email address in a practical form: one `@`, a non-empty local part, a
/// domain with a dot, no spaces, at most 254 characters. Lower-cases nothing:
/// local parts may be case-sensitive.
pub fn email(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    let bad = || FieldError::new(field, "Enter an email address in the correct format, like name@example.com");
    if v.is_empty() {
        return Err(FieldError::new(field, "Enter an email address"));
    }
    if v.len() > 254 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let Some((local, domain)) = v.split_once('@') else { return Err(bad()) };
    if local.is_empty() || domain.contains('@') || !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Err(bad());
    }
    Ok(v.to_string())
}

/// A UK postcode, returned upper-case with a single space before the inward
/// code (e.g. `ZZ99 3AB`). Accepts the outward shapes A9, A99, AA9, AA99, A9A, AA9A.
pub fn postcode(field: &str, value: &str) -> Result<String, FieldError> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let bad = || FieldError::new(field, "Enter a real postcode, like ZZ99 3AB");
    if compact.is_empty() {
        return Err(FieldError::new(field, "Enter a postcode"));
    }
    if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
        return Err(bad());
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let shape: String = outward
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                '9'
            } else if c.is_ascii_uppercase() {
                'A'
            } else {
                '?'
            }
        })
        .collect();
    let inward_ok = {
        let b = inward.as_bytes();
        b[0].is_ascii_digit() && b[1].is_ascii_uppercase() && b[2].is_ascii_uppercase()
    };
    if !["A9", "A99", "AA9", "AA99", "A9A", "AA9A"].contains(&shape.as_str()) || !inward_ok {
        return Err(bad());
    }
    Ok(format!("{outward} {inward}"))
}

/// Postcode as used for searching: upper-case, no spaces.
pub fn postcode_key(value: &str) -> String {
    value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase()
}

/// Unique Property Reference Number: 1 to 12 digits, not zero.
pub fn uprn(field: &str, value: i64) -> Result<i64, FieldError> {
    if (1..=999_999_999_999).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(field, "UPRN must be a number of up to 12 digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn ni_number_accepts_hmrc_format_and_normalises_spacing() {
        assert_eq!(ni_number("ni", "ab 12 34 56 c").unwrap(), "AB123456C");
        assert_eq!(ni_number("ni", "AB123456D").unwrap(), "AB123456D");
    }

    #[test]
    fn ni_number_refuses_unallocated_prefixes_and_bad_suffixes() {
        // QQ is HMRC's specimen prefix: Q is never used, so it is refused too.
        for bad in ["QQ123456C", "GB123456A", "ZZ123456A", "DA123456A", "AO123456A", "AB123456E", "AB12345A", "AB1234567A", "", "A1123456A"]
        {
            let err = ni_number("ni_number", bad).unwrap_err();
            assert_eq!(err.field, "ni_number", "{bad}");
        }
    }

    #[test]
    fn date_of_birth_must_be_past_and_after_1900() {
        let today = date(2026, 11, 23);
        assert!(date_of_birth("dob", date(1980, 2, 29), today).is_ok());
        assert!(date_of_birth("dob", date(2026, 11, 24), today).is_err());
        assert!(date_of_birth("dob", date(1899, 12, 31), today).is_err());
    }

    #[test]
    fn impossible_calendar_dates_are_refused() {
        assert!(iso_date("dob", "2023-02-30", "Date of birth").is_err());
        assert!(iso_date("dob", "2024-02-29", "Date of birth").is_ok());
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(date(2008, 11, 24), date(2026, 11, 23)), 17);
        assert_eq!(age_on(date(2008, 11, 23), date(2026, 11, 23)), 18);
    }

    #[test]
    fn phone_numbers_uk_and_international() {
        assert!(phone("p", "01632 960 001").is_ok());
        assert!(phone("p", "+44 7700 900982").is_ok());
        assert!(phone("p", "(01632) 960-001").is_ok());
        assert!(phone("p", "not a phone").is_err());
        assert!(phone("p", "12345").is_err());
        assert!(phone("p", "").is_err());
    }

    #[test]
    fn emails_need_local_part_and_dotted_domain() {
        assert!(email("e", "ann.example@example.org").is_ok());
        assert!(email("e", "ann@localhost").is_err());
        assert!(email("e", "@example.org").is_err());
        assert!(email("e", "a b@example.org").is_err());
    }

    #[test]
    fn postcodes_are_normalised() {
        assert_eq!(postcode("pc", "zz993ab").unwrap(), "ZZ99 3AB");
        assert_eq!(postcode("pc", "EC1A 1BB").unwrap(), "EC1A 1BB");
        assert_eq!(postcode("pc", "M1 1AE").unwrap(), "M1 1AE");
        assert!(postcode("pc", "12345").is_err());
        assert!(postcode("pc", "ZZ99 ABB").is_err());
    }

    #[test]
    fn uprn_is_up_to_twelve_digits() {
        assert!(uprn("uprn", 100_023_336_956).is_ok());
        assert!(uprn("uprn", 0).is_err());
        assert!(uprn("uprn", 1_000_000_000_000).is_err());
    }
}
