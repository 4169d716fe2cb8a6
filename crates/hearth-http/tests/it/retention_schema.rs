//! Every table and column of the database, as each engine reports it, is
//! mapped in the register (`schema` in config/record-classes.json): personal
//! columns to the record classes whose rules dispose of them, the rest
//! declared as holding none. A migration that adds a table or column
//! without a mapping fails here, on SQLite and on PostgreSQL alike.

use hearth_domain::retention::Register;
use hearth_testkit::TestServer;
use std::collections::{BTreeMap, BTreeSet};

both_backends!(every_column_of_the_schema_is_mapped_to_a_record_class_or_declared_as_holding_none,);

async fn every_column_of_the_schema_is_mapped_to_a_record_class_or_declared_as_holding_none(s: TestServer) {
    let register = Register::shipped();
    let mut in_db: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (table, column) in s.store.schema_columns().await.unwrap() {
        in_db.entry(table).or_default().insert(column);
    }
    assert!(in_db.len() > 40 && in_db.contains_key("person"), "the catalogue was read: {:?}", in_db.keys());
    let mapped: BTreeMap<&str, _> = register.tables().iter().map(|t| (t.table.as_str(), t)).collect();
    let mut problems = vec![];
    for (table, columns) in &in_db {
        let Some(map) = mapped.get(table.as_str()) else {
            problems.push(format!("table {table} is not in the register's schema map"));
            continue;
        };
        for c in columns {
            if !map.personal.contains(c) && !map.other.contains(c) {
                problems.push(format!("column {table}.{c} is neither personal (with a record class) nor declared as holding none"));
            }
        }
        for c in map.personal.iter().chain(&map.other) {
            if !columns.contains(c) {
                problems.push(format!("the map lists {table}.{c}, which the database does not have"));
            }
        }
        if !map.personal.is_empty() && map.classes.is_empty() {
            problems.push(format!("{table} has personal columns but no record class"));
        }
    }
    for table in mapped.keys() {
        if !in_db.contains_key(*table) {
            problems.push(format!("the map lists table {table}, which the database does not have"));
        }
    }
    assert!(problems.is_empty(), "{:?}: {problems:#?}", s.backend);
    // The tables that hold people's records name their classes.
    for (table, class) in
        [("person", "person_identity"), ("document", "care_plan"), ("membership", "household_tenancy"), ("breach", "breach_record")]
    {
        assert!(mapped[table].classes.iter().any(|c| c.as_str() == class), "{table} holds {class}");
    }
}
