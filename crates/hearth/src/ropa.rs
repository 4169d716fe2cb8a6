//! `hearth ropa`: the record of processing activities (UK GDPR Art. 30),
//! written from the register of record classes — one row per class with its
//! purpose, lawful basis, special-category condition, data categories,
//! recipients and retention rule — as CSV or as a readable HTML page.
//!
//! Reads only the register; never the database.

use hearth_domain::retention::{RecordClassEntry, Register, RetentionRule};
use hearth_gate::retention::csv_line;

pub const COLUMNS: [&str; 13] = [
    "record_class",
    "name",
    "purpose",
    "lawful_basis",
    "lawful_basis_note",
    "special_category_condition",
    "data_categories",
    "recipients",
    "retention_trigger",
    "retention_period",
    "retention_action",
    "retention_rule",
    "source",
];

fn row(e: &RecordClassEntry) -> [String; 13] {
    let (trigger, period) = match e.retention {
        RetentionRule::Keep => (String::new(), String::new()),
        RetentionRule::After { trigger, period, .. } => (trigger.as_str().to_string(), period.to_string()),
    };
    [
        e.class.as_str().into(),
        e.class.label().into(),
        e.purpose.clone(),
        e.lawful_basis.iter().map(|b| b.label()).collect::<Vec<_>>().join("; "),
        e.lawful_basis_note.clone().unwrap_or_default(),
        e.special_category.clone().unwrap_or_default(),
        e.data_categories.join("; "),
        e.recipients.join("; "),
        trigger,
        period,
        e.retention.action().as_str().into(),
        e.retention.describe(),
        e.source.clone().unwrap_or_default(),
    ]
}

pub fn csv(register: &Register) -> String {
    let mut out = csv_line(&COLUMNS);
    for e in register.entries() {
        out.push_str(&csv_line(&row(e)));
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn html(register: &Register, organisation: &str) -> String {
    let mut body = String::new();
    for e in register.entries() {
        let r = row(e);
        body.push_str(&format!(
            "<section id=\"{id}\">\n<h2>{name} <code>{id}</code></h2>\n<dl>\n\
             <dt>Purpose</dt><dd>{purpose}</dd>\n\
             <dt>Lawful basis (UK GDPR Art. 6)</dt><dd>{basis}{note}</dd>\n\
             <dt>Special-category condition</dt><dd>{special}</dd>\n\
             <dt>Categories of data</dt><dd>{cats}</dd>\n\
             <dt>Recipients</dt><dd>{recipients}</dd>\n\
             <dt>Retention</dt><dd>{rule}{source}</dd>\n</dl>\n</section>\n",
            id = esc(&r[0]),
            name = esc(&r[1]),
            purpose = esc(&r[2]),
            basis = esc(&r[3]),
            note = if r[4].is_empty() { String::new() } else { format!(" — {}", esc(&r[4])) },
            special = if r[5].is_empty() { "Not applicable".into() } else { esc(&r[5]) },
            cats = esc(&r[6]),
            recipients = esc(&r[7]),
            rule = esc(&r[11]),
            source = if r[12].is_empty() { String::new() } else { format!(" <small>({})</small>", esc(&r[12])) },
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>Record of processing activities — {org}</title>\n\
         <style>body{{font-family:Arial,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.4}}\
         dt{{font-weight:bold;margin-top:.5em}}section{{border-top:1px solid #b1b4b6;padding-top:.5em}}code{{font-size:.8em;color:#505a5f}}</style>\n\
         </head>\n<body>\n<h1>Record of processing activities</h1>\n<p>{org}. UK GDPR Article 30. One section per record class Hearth holds: \
         {n} classes.</p>\n{body}</body>\n</html>\n",
        org = esc(organisation),
        n = register.entries().count(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::retention::RecordClass;

    #[test]
    fn the_csv_lists_every_record_class_with_its_purpose_and_lawful_basis() {
        let r = Register::shipped();
        let text = csv(&r);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(lines.len(), RecordClass::ALL.len() + 1);
        for class in RecordClass::ALL {
            let e = r.entry(*class);
            let line = lines.iter().find(|l| l.starts_with(&format!("{},", class.as_str()))).unwrap_or_else(|| panic!("{class} missing"));
            assert!(line.contains(csv_line(&[&e.purpose]).trim_end()), "{class} purpose: {line}");
            assert!(line.contains(e.lawful_basis[0].label()), "{class} basis: {line}");
        }
    }

    #[test]
    fn the_rules_for_what_retention_left_behind_are_listed() {
        let text = csv(&Register::shipped());
        let line =
            |class: &str| text.lines().find(|l| l.starts_with(&format!("{class},"))).unwrap_or_else(|| panic!("{class}")).to_string();
        assert!(line("tenancy_file").contains("Delete 6 years after the tenancy ended"), "{}", line("tenancy_file"));
        assert!(line("non_tenant").contains("Reduce to a skeleton record 6 years after the last contact"), "{}", line("non_tenant"));
        assert!(line("care_plan").contains(",keep,Keep,"), "{}", line("care_plan"));
        assert!(line("breach_record").contains(",keep,Keep,"), "{}", line("breach_record"));
        let html = html(&Register::shipped(), "Example Homes");
        assert!(html.contains("People who never held a tenancy") && html.contains("Documents on the tenancy file"));
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_line(&["a,b", "say \"hi\"", "=1+1"]), "\"a,b\",\"say \"\"hi\"\"\",'=1+1\r\n");
    }

    #[test]
    fn the_html_has_a_section_per_class_and_escapes_text() {
        let html = html(&Register::shipped(), "Example <Homes>");
        assert_eq!(html.matches("<section id=").count(), RecordClass::ALL.len());
        assert!(html.contains("Example &lt;Homes&gt;"));
        assert!(html.contains("Public task (Art. 6(1)(e))"));
    }
}
