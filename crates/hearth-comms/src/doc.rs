//! The document model every printable thing Hearth makes shares: a title,
//! blocks in reading order, and whether it is set in large print. The
//! access response and letters are built as a [`Doc`] and rendered to PDF
//! ([`crate::pdf`]) or HTML by their owners.

/// One block, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Heading(String),
    Subheading(String),
    Para(String),
    /// A label and its value.
    Row(String, String),
    Bullet(String),
    /// Starts a new page in print.
    PageBreak,
}

/// The whole document.
#[derive(Debug, Clone)]
pub struct Doc {
    pub title: String,
    /// The reader asked for large print (an adjustment on their record).
    pub large_print: bool,
    pub blocks: Vec<Block>,
}
