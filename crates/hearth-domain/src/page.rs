//! A page of records in id order, as every list the gate hands out comes.

/// A page of records in id order, with the cursor for the next page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<i64>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in id order.
    pub fn from_rows(mut items: Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Self {
        let next_cursor = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(&id)
        } else {
            None
        };
        Page { items, next_cursor }
    }
}

impl<T: crate::classes::Project> crate::classes::Project for Page<T> {
    fn project(&mut self, permitted: crate::classes::ClassSet) {
        self.items.project(permitted);
    }
}
