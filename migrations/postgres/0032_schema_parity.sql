-- The two migration folders had drifted (found by the schema parity test,
-- crates/hearth-store/tests/schema_parity.rs). PostgreSQL already had what
-- SQLite now has too (no default for warning_flag.renewed_on; a foreign
-- key for person.organisation_id); nothing changes here but the number, so
-- both folders hold the same migrations.
SELECT 1;
