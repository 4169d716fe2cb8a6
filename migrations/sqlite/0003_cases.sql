-- Cases: ASB, safeguarding, complaints, care and support, repair jobs,
-- tenancy management. One table with per-kind columns left empty where
-- they do not apply; the kind fixes the compartment.

ALTER TABLE staff_user ADD COLUMN manager_id INTEGER REFERENCES staff_user(id);

CREATE TABLE case_record (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('asb', 'safeguarding', 'complaint', 'care_support', 'repair', 'tenancy_management')),
    compartment TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL CHECK (priority IN ('emergency', 'urgent', 'routine')),
    summary TEXT NOT NULL,
    assigned_to INTEGER REFERENCES staff_user(id),
    team TEXT,
    opened_at TEXT NOT NULL,
    opened_by INTEGER NOT NULL REFERENCES staff_user(id),
    due_date TEXT,
    closed_at TEXT,
    outcome TEXT,
    outcome_note TEXT,
    remedy TEXT,
    retention_from TEXT,
    days_to_complete INTEGER,
    upheld INTEGER CHECK (upheld IN (0, 1)),
    stage INTEGER,
    stage_received_on TEXT,
    acknowledged_on TEXT,
    extension_days INTEGER NOT NULL DEFAULT 0,
    extension_reason TEXT,
    ombudsman_escalated_on TEXT,
    trade TEXT,
    property_id INTEGER REFERENCES property(id),
    contractor_id INTEGER REFERENCES staff_user(id),
    window_start TEXT,
    window_end TEXT,
    no_access_visits INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((closed_at IS NULL) = (outcome IS NULL)),
    CHECK ((closed_at IS NULL) = (retention_from IS NULL))
);
CREATE INDEX case_record_assigned ON case_record(assigned_to, closed_at);
CREATE INDEX case_record_compartment ON case_record(compartment, id);
CREATE INDEX case_record_contractor ON case_record(contractor_id, window_end);
CREATE INDEX case_record_retention ON case_record(retention_from);

CREATE TABLE case_party (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES case_record(id),
    person_id INTEGER NOT NULL REFERENCES person(id),
    role TEXT NOT NULL,
    anonymous INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    created_at TEXT NOT NULL,
    CHECK (anonymous = 0 OR role = 'reporter')
);
CREATE INDEX case_party_case ON case_party(case_id);
CREATE INDEX case_party_person ON case_party(person_id);

-- The timeline: opened, assigned, status changes, notes, contacts, closure.
CREATE TABLE case_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES case_record(id),
    at TEXT NOT NULL,
    by_user INTEGER NOT NULL REFERENCES staff_user(id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX case_event_case ON case_event(case_id, id);
