//! Every cell of docs/access-matrix.md against the shipped Cedar policies:
//! the table is the documentation, and this test keeps it true.

use hearth_domain::{
    access::{Action, Compartment},
    classes::DataClass,
    staff::StaffRole,
};
use hearth_gate::policy::{AccessRequest, Relation};
use hearth_gate::{Actor, Policy};

const ACTIONS: [Action; 8] =
    [Action::View, Action::List, Action::Create, Action::Edit, Action::Delete, Action::Export, Action::BreakGlass, Action::Import];

/// (role, compartment, one code per action) for every row of the table.
pub fn matrix() -> Vec<(StaffRole, Compartment, Vec<char>)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/access-matrix.md")).unwrap();
    let mut rows = vec![];
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let (Some(role), Some(compartment)) = (StaffRole::parse(cells[0]), Compartment::parse(cells[1])) else { continue };
        let codes: Vec<char> = cells[2..].iter().map(|c| c.chars().next().unwrap()).collect();
        assert_eq!(codes.len(), ACTIONS.len(), "{line}");
        rows.push((role, compartment, codes));
    }
    rows
}

fn actor(role: StaffRole, responsibilities: Vec<String>) -> Actor {
    Actor {
        user_id: 1,
        username: "matrix".into(),
        display_name: "Matrix".into(),
        role,
        purpose: "housing_management".into(),
        responsibilities,
        scope: None,
    }
}

fn allowed(p: &Policy, a: &Actor, action: Action, compartment: Compartment, relation: Relation) -> bool {
    p.decide(&AccessRequest { actor: a, action, compartment, record_type: "person", record_key: "person/1".into(), relation }).allowed
}

#[test]
fn the_table_covers_every_role_and_compartment() {
    let rows = matrix();
    assert_eq!(rows.len(), StaffRole::ALL.len() * Compartment::ALL.len());
    for r in StaffRole::ALL {
        for c in Compartment::ALL {
            assert!(rows.iter().any(|(rr, cc, _)| rr == r && cc == c), "missing row {r} {c}");
        }
    }
}

#[test]
fn every_cell_matches_the_policies() {
    let p = Policy::shipped().unwrap();
    let all: Vec<String> = Compartment::ALL.iter().map(|c| c.as_str().to_string()).collect();
    let everything = Relation {
        assigned: true,
        patch_officer: true,
        on_job: true,
        support_grant: true,
        break_glass: false,
        about_person: true,
        caller_checked_account: true,
        caller_checked_repairs: true,
    };
    let unchecked = Relation { about_person: true, ..Default::default() };
    let checked = Relation { about_person: true, caller_checked_account: true, caller_checked_repairs: true, ..Default::default() };
    let mut wrong = vec![];
    for (role, compartment, codes) in matrix() {
        for (action, code) in ACTIONS.iter().zip(codes) {
            let plain = allowed(&p, &actor(role, vec![]), *action, compartment, Relation::default());
            let ok = match code {
                'Y' => plain,
                '-' => !plain && !allowed(&p, &actor(role, all.clone()), *action, compartment, everything),
                'A' => !plain && allowed(&p, &actor(role, vec![]), *action, compartment, Relation { assigned: true, ..Default::default() }),
                'P' => {
                    !plain
                        && allowed(&p, &actor(role, vec![]), *action, compartment, Relation { patch_officer: true, ..Default::default() })
                        && allowed(&p, &actor(role, vec![]), *action, compartment, Relation { assigned: true, ..Default::default() })
                }
                'R' => {
                    !plain
                        && allowed(&p, &actor(role, vec![compartment.as_str().into()]), *action, compartment, Relation::default())
                        && allowed(&p, &actor(role, vec![]), *action, compartment, Relation { assigned: true, ..Default::default() })
                }
                'J' => !plain && allowed(&p, &actor(role, vec![]), *action, compartment, Relation { on_job: true, ..Default::default() }),
                'G' => {
                    !plain
                        && allowed(&p, &actor(role, vec![]), *action, compartment, Relation { support_grant: true, ..Default::default() })
                }
                'C' => {
                    plain
                        && !allowed(&p, &actor(role, vec![]), *action, compartment, unchecked)
                        && allowed(&p, &actor(role, vec![]), *action, compartment, checked)
                }
                other => panic!("unknown code {other}"),
            };
            if !ok {
                wrong.push(format!("{role} {action} {compartment}: table says {code}, policies disagree"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} cells wrong:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn break_glass_opens_viewing_only_for_roles_that_may_break_glass() {
    let p = Policy::shipped().unwrap();
    let glass = Relation { break_glass: true, ..Default::default() };
    for (role, compartment, codes) in matrix() {
        let may_break = codes[6] == 'Y';
        let view = allowed(&p, &actor(role, vec![]), Action::View, compartment, glass);
        let view_plain = matches!(codes[0], 'Y' | 'C');
        assert_eq!(view, may_break || view_plain, "{role} viewing {compartment} under break-glass");
        assert!(
            !allowed(&p, &actor(role, vec![]), Action::Edit, compartment, glass) || matches!(codes[3], 'Y' | 'C'),
            "break-glass never grants edits: {role} {compartment}"
        );
    }
}

/// (role, class, code) for every row of the field-class table.
fn class_matrix() -> Vec<(StaffRole, DataClass, char)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/access-matrix.md")).unwrap();
    let mut rows = vec![];
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let (Some(role), Some(class)) = (StaffRole::parse(cells[0]), DataClass::parse(cells[1])) else { continue };
        rows.push((role, class, cells[2].chars().next().unwrap()));
    }
    rows
}

#[test]
fn every_class_cell_matches_the_policies() {
    let p = Policy::shipped().unwrap();
    let rows = class_matrix();
    assert_eq!(rows.len(), StaffRole::ALL.len() * DataClass::ALL.len(), "one row per role and class");
    let all: Vec<String> = Compartment::ALL.iter().map(|c| c.as_str().to_string()).collect();
    let everything = Relation {
        assigned: true,
        patch_officer: true,
        on_job: true,
        support_grant: true,
        break_glass: false,
        about_person: true,
        caller_checked_account: true,
        caller_checked_repairs: true,
    };
    let mut wrong = vec![];
    for (role, class, code) in rows {
        let a = actor(role, all.clone());
        // Where the role may read the record at all, may it read this class?
        let readable: Vec<(Compartment, bool)> = Compartment::ALL
            .iter()
            .filter(|c| allowed(&p, &a, Action::View, **c, everything))
            .map(|c| {
                let req = AccessRequest {
                    actor: &a,
                    action: Action::View,
                    compartment: *c,
                    record_type: "person",
                    record_key: "person/1".into(),
                    relation: everything,
                };
                (*c, p.decide_class(&req, class).allowed)
            })
            .collect();
        let ok = match code {
            'Y' => readable.iter().all(|(_, ok)| *ok),
            '-' => readable.iter().all(|(_, ok)| !*ok),
            'J' => readable.iter().all(|(c, ok)| *ok == (*c == Compartment::Repairs)),
            other => panic!("unknown code {other}"),
        };
        if !ok {
            wrong.push(format!("{role} {class}: table says {code}, policies give {readable:?}"));
        }
    }
    assert!(wrong.is_empty(), "{} cells wrong:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn every_declared_field_is_in_the_table_with_its_class() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/access-matrix.md")).unwrap();
    let mut table = std::collections::BTreeSet::new();
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() == 3 && cells[0].starts_with('`') {
            table.insert((cells[0].trim_matches('`').to_string(), cells[1].trim_matches('`').to_string(), cells[2].to_string()));
        }
    }
    let mut declared = std::collections::BTreeSet::new();
    for (record, fields) in hearth_domain::classes::declarations() {
        for (field, class) in fields.iter().filter(|f| f.1.is_some()) {
            declared.insert((record.to_string(), field.to_string(), class.map(|c| c.as_str().to_string()).unwrap()));
        }
    }
    let lines: Vec<String> = declared.iter().map(|(r, f, c)| format!("| `{r}` | `{f}` | {c} |")).collect();
    assert_eq!(table, declared, "docs/access-matrix.md's field table should read:\n{}", lines.join("\n"));
}
