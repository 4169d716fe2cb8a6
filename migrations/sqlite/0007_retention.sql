-- Retention and disposal: runs, their disposal certificates, legal holds;
-- skeleton markers on cases; audit payloads hashed separately so a retention
-- run can redact them while the chain still verifies.

-- chain_v 1: the hash covers the payload itself (events before this
-- migration). chain_v 2: the hash covers detail_digest (SHA-256 of detail),
-- so detail can later be set NULL with `redacted` saying which run did it.
ALTER TABLE audit_event ADD COLUMN chain_v INTEGER NOT NULL DEFAULT 1 CHECK (chain_v IN (1, 2));
ALTER TABLE audit_event ADD COLUMN detail_digest TEXT;
ALTER TABLE audit_event ADD COLUMN redacted TEXT;

CREATE TABLE retention_run (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    as_of TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    operator_id INTEGER NOT NULL REFERENCES staff_user(id),
    operator TEXT NOT NULL,
    started_by TEXT NOT NULL CHECK (started_by IN ('command', 'schedule')),
    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
    disposed INTEGER NOT NULL DEFAULT 0,
    held INTEGER NOT NULL DEFAULT 0,
    audit_redacted INTEGER NOT NULL DEFAULT 0,
    failure TEXT
);

-- What one run destroyed under one rule, without the data: counts, the id
-- range and a SHA-256 over the ids in disposal order.
CREATE TABLE disposal_certificate (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES retention_run(id),
    record_class TEXT NOT NULL,
    rule TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('delete', 'skeleton', 'anonymise')),
    as_of TEXT NOT NULL,
    cutoff TEXT NOT NULL,
    disposed INTEGER NOT NULL,
    held INTEGER NOT NULL,
    first_id INTEGER,
    last_id INTEGER,
    ids_sha256 TEXT NOT NULL,
    audit_redacted INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    operator TEXT NOT NULL
);
CREATE INDEX disposal_certificate_run ON disposal_certificate(run_id, id);

CREATE TABLE legal_hold (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL CHECK (scope IN ('person', 'case', 'record_class')),
    person_id INTEGER REFERENCES person(id),
    case_id INTEGER REFERENCES case_record(id),
    record_class TEXT,
    reason TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES staff_user(id),
    placed_by INTEGER NOT NULL REFERENCES staff_user(id),
    placed_at TEXT NOT NULL,
    released_at TEXT,
    released_by INTEGER REFERENCES staff_user(id),
    CHECK ((scope = 'person') = (person_id IS NOT NULL)),
    CHECK ((scope = 'case') = (case_id IS NOT NULL)),
    CHECK ((scope = 'record_class') = (record_class IS NOT NULL))
);
CREATE INDEX legal_hold_active ON legal_hold(released_at, id);

-- A skeleton case keeps kind, status, dates and reference; these say when
-- and by which run the rest went.
ALTER TABLE case_record ADD COLUMN disposed_at TEXT;
ALTER TABLE case_record ADD COLUMN disposal_run_id INTEGER REFERENCES retention_run(id);

-- The sweeps read only due rows: closed cases not yet reduced, by closure
-- date; contact entries not on a case, by channel and creation time.
CREATE INDEX case_record_due ON case_record(kind, retention_from, id) WHERE disposed_at IS NULL AND retention_from IS NOT NULL;
CREATE INDEX contact_entry_due ON contact_entry(channel, recorded_at, id) WHERE case_id IS NULL;
