//! How times and dates are written in the database: fixed-width UTC text that
//! sorts correctly as text on both engines.

use crate::{Result, StoreError};
use jiff::civil::Date;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

pub fn ts(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string()
}

pub fn date(d: Date) -> String {
    d.to_string()
}

pub fn opt_date(d: Option<Date>) -> Option<String> {
    d.map(date)
}

pub(crate) fn get_ts(row: &AnyRow, column: &'static str) -> Result<Timestamp> {
    let s: String = row.try_get(column)?;
    s.parse().map_err(|_| StoreError::Corrupt { column, value: s })
}

pub(crate) fn get_opt_ts(row: &AnyRow, column: &'static str) -> Result<Option<Timestamp>> {
    let s: Option<String> = row.try_get(column)?;
    s.map(|s| s.parse().map_err(|_| StoreError::Corrupt { column, value: s })).transpose()
}

pub(crate) fn get_date(row: &AnyRow, column: &'static str) -> Result<Date> {
    let s: String = row.try_get(column)?;
    s.parse().map_err(|_| StoreError::Corrupt { column, value: s })
}

pub(crate) fn get_opt_date(row: &AnyRow, column: &'static str) -> Result<Option<Date>> {
    let s: Option<String> = row.try_get(column)?;
    s.map(|s| s.parse().map_err(|_| StoreError::Corrupt { column, value: s })).transpose()
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_fixed_width_so_they_sort_as_text() {
        let a: jiff::Timestamp = "2026-11-23T09:05:00Z".parse().unwrap();
        let b: jiff::Timestamp = "2026-11-23T09:05:00.5Z".parse().unwrap();
        assert_eq!(super::ts(a), "2026-11-23T09:05:00.000000Z");
        assert!(super::ts(a) < super::ts(b));
    }
}
