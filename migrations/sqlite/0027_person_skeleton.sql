-- A former tenant's identity is reduced to a skeleton 6 years after their
-- tenancy ended: the id stays (case skeletons, the disclosure register,
-- breach records and the audit trail name it); every personal field goes.
-- disposed_at and disposal_run_id say when and by which run, and a disposed
-- child keeps no date of birth, so the child CHECK is relaxed for them.
--
-- SQLite cannot change a CHECK in place: person is rebuilt. Foreign keys
-- stay on; they are deferred, and the rows are copied back after the new
-- table takes the name, so every reference to a person is satisfied again
-- by commit (an insert into the parent clears the violations the drop
-- counted). Every index and trigger on person (0001, 0018) is recreated.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE person_copy AS SELECT * FROM person;
CREATE TABLE person_seq AS SELECT seq FROM sqlite_sequence WHERE name = 'person';

CREATE TABLE person_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('adult', 'child')),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    preferred_name TEXT,
    date_of_birth TEXT,
    ni_number TEXT,
    -- lower-case search keys; NOCASE lets SQLite use the index for LIKE 'x%'
    given_key TEXT NOT NULL COLLATE NOCASE,
    family_key TEXT NOT NULL COLLATE NOCASE,
    preferred_key TEXT COLLATE NOCASE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    organisation_id INTEGER NOT NULL DEFAULT 1,
    disposed_at TEXT,
    disposal_run_id INTEGER REFERENCES retention_run(id),
    UNIQUE (id, kind),
    -- a child's record holds names and date of birth only (none once disposed)
    CONSTRAINT person_child_fields
        CHECK (kind = 'adult' OR (preferred_name IS NULL AND ni_number IS NULL AND (date_of_birth IS NOT NULL OR disposed_at IS NOT NULL)))
);

DROP TABLE person;
ALTER TABLE person_new RENAME TO person;
INSERT INTO person (id, kind, given_name, family_name, preferred_name, date_of_birth, ni_number, given_key, family_key, preferred_key,
                    created_at, updated_at, version, organisation_id)
SELECT id, kind, given_name, family_name, preferred_name, date_of_birth, ni_number, given_key, family_key, preferred_key,
       created_at, updated_at, version, organisation_id
FROM person_copy;
DROP TABLE person_copy;

-- Ids are never reused: the sequence is where it was, even if the highest
-- ids were deleted.
UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT seq FROM person_seq)) WHERE name = 'person' AND EXISTS (SELECT 1 FROM person_seq);
INSERT INTO sqlite_sequence (name, seq)
SELECT 'person', seq FROM person_seq WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'person');
DROP TABLE person_seq;

CREATE INDEX person_family_key ON person(family_key);
CREATE INDEX person_given_key ON person(given_key);
CREATE INDEX person_preferred_key ON person(preferred_key);
CREATE INDEX person_dob ON person(date_of_birth);
CREATE INDEX person_organisation ON person(organisation_id);
CREATE TRIGGER person_organisation_exists BEFORE UPDATE OF organisation_id ON person
WHEN NOT EXISTS (SELECT 1 FROM organisation WHERE id = NEW.organisation_id)
BEGIN SELECT RAISE(ABORT, 'no such organisation'); END;
