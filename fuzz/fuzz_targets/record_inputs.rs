//! Whole request bodies as the API receives them: any JSON that deserialises
//! into a person, contact point, identity evidence or contact-log input is
//! validated without panicking, and every error names a field.
#![no_main]

use hearth_domain::{ContactInput, ContactPointInput, IdentityEvidenceInput, PersonInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let today = jiff::civil::date(2026, 11, 23);
    let now: jiff::Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
    if let Ok(p) = serde_json::from_slice::<PersonInput>(data) {
        if let Err(e) = p.validate(today) {
            assert!(e.0.iter().all(|f| !f.field.is_empty()));
        }
    }
    if let Ok(c) = serde_json::from_slice::<ContactPointInput>(data) {
        if let Err(e) = c.validate() {
            assert!(e.0.iter().all(|f| !f.field.is_empty()));
        }
    }
    if let Ok(i) = serde_json::from_slice::<IdentityEvidenceInput>(data) {
        let _ = i.validate(today);
    }
    if let Ok(c) = serde_json::from_slice::<ContactInput>(data) {
        match c.validate(now) {
            Ok(parts) => assert!(!parts.is_empty()),
            Err(e) => assert!(e.0.iter().all(|f| !f.field.is_empty())),
        }
    }
});
