-- Sharing and disclosure (seed 000 sections 1.5.3, 2.6, 3.3.5): the landlords
-- of a group, the data-sharing agreements data leaves under, and the
-- disclosure register of everything that left.

-- The landlords in a group. The first row is this landlord: every person is
-- on its records unless moved to another member.
CREATE TABLE organisation (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX organisation_one_default ON organisation(is_default) WHERE is_default = 1;
INSERT INTO organisation (name, is_default, created_at) VALUES ('This landlord', 1, '2026-01-01T00:00:00Z');

-- SQLite cannot add a column with both REFERENCES and a non-null default;
-- the trigger below keeps the reference honest instead.
ALTER TABLE person ADD COLUMN organisation_id INTEGER NOT NULL DEFAULT 1;
CREATE INDEX person_organisation ON person(organisation_id);
CREATE TRIGGER person_organisation_exists BEFORE UPDATE OF organisation_id ON person
WHEN NOT EXISTS (SELECT 1 FROM organisation WHERE id = NEW.organisation_id)
BEGIN SELECT RAISE(ABORT, 'no such organisation'); END;

CREATE TABLE sharing_agreement (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partner TEXT NOT NULL,
    partner_organisation_id INTEGER REFERENCES organisation(id),
    recipient_type TEXT NOT NULL,
    purpose TEXT NOT NULL,
    lawful_basis TEXT NOT NULL,
    data_categories TEXT NOT NULL,
    transfer_method TEXT NOT NULL,
    security_requirements TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    owner TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'ended')),
    ended_on TEXT,
    ended_reason TEXT,
    created_by INTEGER NOT NULL REFERENCES staff_user(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (expires_on >= starts_on),
    CHECK ((status = 'ended') = (ended_on IS NOT NULL))
);

-- The disclosure register: append-only. A decision or correction is a new
-- row referring to an earlier one; the triggers refuse any UPDATE or DELETE,
-- whoever asks. person ids are kept without a foreign key so erasing a
-- person never has to touch the register (it holds ids, not their data).
CREATE TABLE disclosure (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('request', 'decision', 'correction', 'extract', 'return')),
    refers_to INTEGER REFERENCES disclosure(id),
    recipient_type TEXT NOT NULL,
    recipient TEXT NOT NULL,
    verification TEXT,
    exemption TEXT,
    agreement_id INTEGER REFERENCES sharing_agreement(id),
    decision TEXT CHECK (decision IN ('approved', 'partly', 'refused')),
    detail TEXT NOT NULL,
    fields TEXT NOT NULL,
    method TEXT,
    disclosed_on TEXT,
    recorded_by INTEGER NOT NULL REFERENCES staff_user(id),
    recorded_at TEXT NOT NULL,
    CHECK ((kind IN ('decision', 'correction')) = (refers_to IS NOT NULL))
);
CREATE INDEX disclosure_refers_to ON disclosure(refers_to);

CREATE TABLE disclosure_person (
    disclosure_id INTEGER NOT NULL REFERENCES disclosure(id),
    person_id INTEGER NOT NULL,
    PRIMARY KEY (disclosure_id, person_id)
);
CREATE INDEX disclosure_person_person ON disclosure_person(person_id);

CREATE TRIGGER disclosure_no_update BEFORE UPDATE ON disclosure
BEGIN SELECT RAISE(ABORT, 'the disclosure register is append-only: record a correction instead'); END;
CREATE TRIGGER disclosure_no_delete BEFORE DELETE ON disclosure
BEGIN SELECT RAISE(ABORT, 'the disclosure register is append-only: record a correction instead'); END;
CREATE TRIGGER disclosure_person_no_update BEFORE UPDATE ON disclosure_person
BEGIN SELECT RAISE(ABORT, 'the disclosure register is append-only: record a correction instead'); END;
CREATE TRIGGER disclosure_person_no_delete BEFORE DELETE ON disclosure_person
BEGIN SELECT RAISE(ABORT, 'the disclosure register is append-only: record a correction instead'); END;
