//! The HTTP integration tests, one module per capability. They form a single
//! test binary on purpose: each binary links the whole stack (~70 MB), so one
//! binary instead of twenty keeps linking time and disk use small.

#[macro_use]
extern crate hearth_testkit;

mod access;
mod anonymity;
mod api;
mod bundle;
mod capacity;
mod case_compartments;
mod cases;
mod communications;
mod consent;
mod contacts;
mod documents;
mod edi;
mod erasure;
mod front_door;
mod history;
mod home;
mod import;
mod needs;
mod purposes;
mod recordings;
mod refusals;
mod representatives;
mod restriction;
mod retention;
mod retention_helpers;
mod retention_more;
mod retention_rules;
mod retention_schema;
mod retention_tenancy;
mod retention_time_machine;
mod rights;
mod sar;
mod scim;
mod seams;
mod search;
mod security;
mod sharing;
mod staff;
mod sweep;
mod ui;
mod ui_anonymity;
mod ui_break_glass;
mod ui_cases;
mod ui_contacts;
mod ui_documents;
mod ui_person;
mod ui_representatives;
mod ui_restriction;
mod ui_retention;
mod ui_rights;
/// The canary sweep's seeded world, shared with the retention time machine.
mod world;
