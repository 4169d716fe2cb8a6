//! Field parsers (NI number, phone, email, postcode, dates, names) on any
//! text: they never panic, and what they accept is a fixed point — parsing
//! their own output gives it back unchanged.
#![no_main]

use hearth_domain::validate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(v) = validate::ni_number("ni_number", text) {
        assert_eq!(validate::ni_number("ni_number", &v).as_deref(), Ok(v.as_str()));
        assert_eq!(v.len(), 9);
    }
    if let Ok(v) = validate::phone("phone", text) {
        assert_eq!(validate::phone("phone", &v).as_deref(), Ok(v.as_str()));
    }
    if let Ok(v) = validate::email("email", text) {
        assert_eq!(validate::email("email", &v).as_deref(), Ok(v.as_str()));
        assert!(v.len() <= 254);
    }
    if let Ok(v) = validate::postcode("postcode", text) {
        assert_eq!(validate::postcode("postcode", &v).as_deref(), Ok(v.as_str()));
        assert_eq!(validate::postcode_key(&v), validate::postcode_key(text));
    }
    if let Ok(d) = validate::iso_date("date", text, "Date") {
        assert_eq!(validate::iso_date("date", &d.to_string(), "Date"), Ok(d));
    }
    if let Ok(v) = validate::name("given_name", text, "given name") {
        assert!(!v.is_empty() && v.chars().count() <= 100 && !v.chars().any(char::is_control));
    }
});
