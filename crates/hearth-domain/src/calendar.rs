//! Working days: the calendar deadlines are counted in. Weekends and the
//! configured bank holidays are not working days. Pure: the holiday list is
//! passed in (shipped for England and Wales in `config/`).

use crate::error::FieldError;
use jiff::civil::{Date, Weekday};
use std::collections::BTreeSet;

/// Bank holidays for England and Wales, as shipped.
pub const ENGLAND_AND_WALES: &str = include_str!("../../../config/bank-holidays-england-and-wales.txt");

#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    holidays: BTreeSet<Date>,
}

impl WorkingCalendar {
    /// Parses one ISO date per line; `#` starts a comment.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let mut holidays = BTreeSet::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let d = line
                .parse()
                .map_err(|_| FieldError::new("bank_holidays", format!("line {}: {line:?} is not a date like 2026-12-25", n + 1)))?;
            holidays.insert(d);
        }
        Ok(WorkingCalendar { holidays })
    }

    pub fn england_and_wales() -> Self {
        Self::parse(ENGLAND_AND_WALES).expect("shipped bank holidays parse")
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.holidays.contains(&d)
    }

    /// The date `n` working days after `from` (the day itself not counted).
    pub fn add_working_days(&self, from: Date, n: u32) -> Date {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = d.tomorrow().expect("dates stay in range");
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 if `to` is not later).
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut d = from;
        let mut n = 0;
        while d < to {
            d = d.tomorrow().expect("dates stay in range");
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn working_days_skip_weekends_and_bank_holidays() {
        let cal = WorkingCalendar::england_and_wales();
        // (from, n, expected): table-driven, across Easter and Christmas 2026.
        let cases = [
            (date(2026, 11, 23), 5, date(2026, 11, 30)), // Monday + 5 = next Monday
            (date(2026, 11, 27), 1, date(2026, 11, 30)), // Friday + 1 = Monday
            (date(2026, 4, 2), 1, date(2026, 4, 7)),     // Thursday before Good Friday: skips Fri 3, weekend, Mon 6
            (date(2026, 12, 23), 3, date(2026, 12, 30)), // skips Christmas Day and the Monday substitute for Boxing Day
            (date(2026, 12, 24), 10, date(2027, 1, 12)), // over Christmas and New Year
            (date(2026, 11, 28), 0, date(2026, 11, 28)), // no days: same day, even a Saturday
        ];
        for (from, n, want) in cases {
            assert_eq!(cal.add_working_days(from, n), want, "{from} + {n}");
        }
    }

    #[test]
    fn counting_between_dates_matches_adding() {
        let cal = WorkingCalendar::england_and_wales();
        let from = date(2026, 12, 21);
        for n in 0..15 {
            assert_eq!(cal.working_days_between(from, cal.add_working_days(from, n)), n);
        }
    }

    #[test]
    fn a_bad_holiday_line_is_named() {
        let e = WorkingCalendar::parse("2026-01-01\nnot a date\n").unwrap_err();
        assert!(e.message.contains("line 2"));
    }
}
