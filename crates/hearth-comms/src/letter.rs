//! A rendered template laid out as a letter: the landlord's letterhead, the
//! recipient's name and address, the date, the subject in bold, then the
//! body. Large print sets the whole letter at 16 pt (RNIB's clear print
//! guidance asks for 16 pt or more).

use crate::doc::{Block, Doc};
use crate::templates::Rendered;

/// What goes around the body of a letter.
#[derive(Debug, Clone)]
pub struct Letterhead<'a> {
    /// The landlord's letterhead: its name, then its address.
    pub from_lines: &'a [String],
    /// The recipient's name, then their postal address lines (none on an email's copy).
    pub to_lines: Vec<String>,
    /// In UK form, "7 December 2026".
    pub date: &'a str,
    pub large_print: bool,
}

/// The operator's letterhead lines, checked: one to eight lines once blank
/// ones are dropped, the name first, each at most 100 characters.
pub fn letterhead(lines: Vec<String>) -> Result<Vec<String>, String> {
    let lines: Vec<String> = lines.into_iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
    if lines.is_empty() || lines.len() > 8 {
        return Err(format!("the letterhead has {} lines: give the landlord's name and address in 1 to 8 lines", lines.len()));
    }
    if let Some((i, _)) = lines.iter().enumerate().find(|(_, l)| l.chars().count() > 100 || l.chars().any(char::is_control)) {
        return Err(format!("line {} of the letterhead is over 100 characters or holds a control character", i + 1));
    }
    Ok(lines)
}

pub fn letter(head: &Letterhead<'_>, body: &Rendered) -> Doc {
    let mut blocks = vec![Block::Para(head.from_lines.join("\n"))];
    if !head.to_lines.is_empty() {
        blocks.push(Block::Para(head.to_lines.join("\n")));
    }
    blocks.push(Block::Para(head.date.to_string()));
    blocks.push(Block::Subheading(body.subject.clone()));
    blocks.extend(body.blocks.iter().cloned());
    Doc { title: body.subject.clone(), large_print: head.large_print, blocks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::{sample, Templates};
    use hearth_domain::comms::{CommFormat, Template};

    #[test]
    fn a_letterhead_has_one_to_eight_short_lines() {
        assert_eq!(letterhead(vec!["Fictional Homes".into(), " ".into(), " 1 Row ".into()]).unwrap(), vec!["Fictional Homes", "1 Row"]);
        assert!(letterhead(vec![" ".into()]).unwrap_err().contains("1 to 8 lines"));
        assert!(letterhead(vec!["x".repeat(101)]).unwrap_err().contains("line 1"));
        assert!(letterhead(vec!["x".into(); 9]).is_err());
    }

    #[test]
    fn a_letter_reads_in_order_and_renders_to_pdf() {
        let t = Templates::default();
        let r = t.render(Template::Refusal, CommFormat::Standard, &sample(Template::Refusal)).unwrap();
        let from = ["Example Homes (Test Data) Ltd".to_string(), "1 Sample Street".to_string()];
        let head = Letterhead {
            from_lines: &from,
            to_lines: vec!["Ada Sample".into(), "2 Test Row".into(), "ZZ1 1ZZ".into()],
            date: "7 December 2026",
            large_print: true,
        };
        let d = letter(&head, &r);
        assert_eq!(d.blocks[1], Block::Para("Ada Sample\n2 Test Row\nZZ1 1ZZ".into()));
        assert_eq!(d.blocks[2], Block::Para("7 December 2026".into()));
        assert!(d.large_print);
        let pdf = crate::pdf::render(&d).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }
}
