-- Consent (UK GDPR Art. 7), contact preferences and objections (Art. 21).
-- Consent is a log: giving and withdrawing each add a row, so the evidence
-- of what was agreed, when and on which notice is never overwritten.
CREATE TABLE consent_record (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES person(id),
    purpose TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('given', 'withdrawn')),
    decided_on TEXT NOT NULL,
    method TEXT NOT NULL,
    evidence TEXT NOT NULL,
    notice_version TEXT,
    expires_on TEXT,
    recorded_by BIGINT NOT NULL REFERENCES staff_user(id),
    recorded_at TEXT NOT NULL,
    CHECK (decision = 'given' OR expires_on IS NULL)
);
CREATE INDEX consent_record_person ON consent_record(person_id, purpose, decided_on, id);

-- One row per person: the whole set of preferences, replaced as one.
-- declined_channels is a sorted comma-separated list of channel codes.
CREATE TABLE contact_preference (
    person_id BIGINT PRIMARY KEY REFERENCES person(id),
    preferred_channel TEXT,
    declined_channels TEXT NOT NULL DEFAULT '',
    marketing_opt_out INTEGER NOT NULL CHECK (marketing_opt_out IN (0, 1)),
    note TEXT,
    updated_by BIGINT NOT NULL REFERENCES staff_user(id),
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

-- A standing objection binds until the person withdraws it.
CREATE TABLE objection (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES person(id),
    kind TEXT NOT NULL,
    received_on TEXT NOT NULL,
    detail TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES staff_user(id),
    recorded_at TEXT NOT NULL,
    withdrawn_by BIGINT REFERENCES staff_user(id),
    withdrawn_at TEXT,
    withdrawn_reason TEXT,
    CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL)),
    CHECK ((withdrawn_at IS NULL) = (withdrawn_reason IS NULL))
);
CREATE INDEX objection_person ON objection(person_id, id);
