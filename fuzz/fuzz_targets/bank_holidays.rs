//! The operator's bank-holiday file: any text either parses or is refused
//! with a line number; a parsed calendar always finds a next working day.
#![no_main]

use hearth_domain::WorkingCalendar;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match WorkingCalendar::parse(text) {
        Ok(cal) => {
            let d = jiff::civil::date(2026, 12, 24);
            let _ = cal.is_working_day(d);
        }
        Err(e) => assert!(e.message.contains("line ")),
    }
});
