-- The two migration folders had drifted (found by the schema parity test,
-- crates/hearth-store/tests/schema_parity.rs):
-- * warning_flag.renewed_on kept DEFAULT '' on SQLite (PostgreSQL dropped
--   it): an insert that forgot it made a flag due for deletion at once.
-- * person.organisation_id lost its foreign key in the 0027 rebuild and was
--   guarded only on UPDATE by a trigger; PostgreSQL has the foreign key.
-- SQLite changes neither in place, so both tables are rebuilt as 0027 did:
-- foreign keys deferred, rows copied back after the new table takes the
-- name, the sequence kept, every index and trigger recreated.
PRAGMA defer_foreign_keys = ON;

-- person
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
    organisation_id INTEGER NOT NULL DEFAULT 1 REFERENCES organisation(id),
    disposed_at TEXT,
    disposal_run_id INTEGER REFERENCES retention_run(id),
    memorable_word_hash TEXT,
    memorable_word_set_at TEXT,
    UNIQUE (id, kind),
    -- a child's record holds names and date of birth only (none once disposed)
    CONSTRAINT person_child_fields
        CHECK (kind = 'adult' OR (preferred_name IS NULL AND ni_number IS NULL AND (date_of_birth IS NOT NULL OR disposed_at IS NOT NULL)))
);

DROP TABLE person;
ALTER TABLE person_new RENAME TO person;
INSERT INTO person (id, kind, given_name, family_name, preferred_name, date_of_birth, ni_number, given_key, family_key, preferred_key,
                    created_at, updated_at, version, organisation_id, disposed_at, disposal_run_id, memorable_word_hash, memorable_word_set_at)
SELECT id, kind, given_name, family_name, preferred_name, date_of_birth, ni_number, given_key, family_key, preferred_key,
       created_at, updated_at, version, organisation_id, disposed_at, disposal_run_id, memorable_word_hash, memorable_word_set_at
FROM person_copy;
DROP TABLE person_copy;

UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT seq FROM person_seq)) WHERE name = 'person' AND EXISTS (SELECT 1 FROM person_seq);
INSERT INTO sqlite_sequence (name, seq)
SELECT 'person', seq FROM person_seq WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'person');
DROP TABLE person_seq;

CREATE INDEX person_family_key ON person(family_key);
CREATE INDEX person_given_key ON person(given_key);
CREATE INDEX person_preferred_key ON person(preferred_key);
CREATE INDEX person_dob ON person(date_of_birth);
CREATE INDEX person_organisation ON person(organisation_id);
-- The foreign key now refuses an unknown organisation on insert and update
-- alike; the 0018 trigger that covered updates only is not recreated.

-- warning_flag
CREATE TABLE warning_flag_copy AS SELECT * FROM warning_flag;
CREATE TABLE warning_flag_seq AS SELECT seq FROM sqlite_sequence WHERE name = 'warning_flag';

CREATE TABLE warning_flag_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES person(id),
    category TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    incident_date TEXT,
    risk_assessment TEXT NOT NULL,
    person_told INTEGER NOT NULL CHECK (person_told IN (0, 1)),
    person_told_on TEXT,
    not_told_reason TEXT,
    review_date TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    review_officer_id INTEGER NOT NULL REFERENCES staff_user(id),
    recorded_by INTEGER NOT NULL REFERENCES staff_user(id),
    recorded_at TEXT NOT NULL,
    ended_by INTEGER REFERENCES staff_user(id),
    end_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    -- No default: every insert says when the flag was recorded or renewed.
    renewed_on TEXT NOT NULL,
    CHECK ((person_told = 1) = (person_told_on IS NOT NULL)),
    CHECK (person_told = 1 OR not_told_reason IS NOT NULL),
    CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CHECK ((ended_by IS NULL) = (end_reason IS NULL))
);

DROP TABLE warning_flag;
ALTER TABLE warning_flag_new RENAME TO warning_flag;
INSERT INTO warning_flag SELECT * FROM warning_flag_copy;
DROP TABLE warning_flag_copy;

UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT seq FROM warning_flag_seq)) WHERE name = 'warning_flag' AND EXISTS (SELECT 1 FROM warning_flag_seq);
INSERT INTO sqlite_sequence (name, seq)
SELECT 'warning_flag', seq FROM warning_flag_seq WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'warning_flag');
DROP TABLE warning_flag_seq;

CREATE INDEX warning_flag_person ON warning_flag(person_id);
CREATE INDEX warning_flag_review ON warning_flag(review_officer_id, review_date);
CREATE INDEX warning_flag_renewed ON warning_flag(renewed_on, id);
