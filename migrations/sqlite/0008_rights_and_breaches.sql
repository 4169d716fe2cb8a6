-- Data subject rights requests and the personal data breach register, both
-- kept by the data protection officer in the `rights` compartment.
-- A request's due_on is the deadline as last worked out by the domain's
-- engine (empty while the clock stands still or once closed), stored so the
-- work list of due and overdue requests is one indexed query. Later work
-- (access bundles, portability exports, erasure reports) refers to
-- rights_request(id).

CREATE TABLE rights_request (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure', 'restriction', 'objection', 'portability', 'automated_decision')),
    person_id INTEGER NOT NULL REFERENCES person(id),
    requester TEXT NOT NULL CHECK (requester IN ('person', 'representative')),
    representative_name TEXT,
    representative_relationship TEXT,
    representative_authority TEXT,
    description TEXT NOT NULL,
    received_on TEXT NOT NULL,
    identity_status TEXT NOT NULL CHECK (identity_status IN ('pending', 'passed')),
    identity_method TEXT,
    identity_requested_on TEXT,
    identity_received_on TEXT,
    clarification_requested_on TEXT,
    clarification_received_on TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'completed', 'refused', 'withdrawn')),
    owner_id INTEGER REFERENCES staff_user(id),
    notes TEXT,
    extension_months INTEGER NOT NULL DEFAULT 0 CHECK (extension_months BETWEEN 0 AND 2),
    extension_ground TEXT CHECK (extension_ground IN ('complex', 'numerous')),
    extension_reason TEXT,
    extension_told_on TEXT,
    refusal_ground TEXT CHECK (refusal_ground IN ('manifestly_unfounded', 'manifestly_excessive', 'exemption')),
    refusal_exemption TEXT,
    refusal_reason TEXT,
    refusal_letter TEXT,
    closed_on TEXT,
    outcome TEXT,
    due_on TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES staff_user(id),
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (requester = 'person' OR (representative_name IS NOT NULL AND representative_relationship IS NOT NULL)),
    CHECK (identity_status = 'pending' OR identity_method IS NOT NULL),
    CHECK (extension_months = 0 OR (extension_ground IS NOT NULL AND extension_reason IS NOT NULL AND extension_told_on IS NOT NULL)),
    CHECK ((status = 'refused') = (refusal_ground IS NOT NULL)),
    CHECK (status = 'open' OR closed_on IS NOT NULL)
);
CREATE INDEX rights_request_work ON rights_request(status, due_on);
CREATE INDEX rights_request_person ON rights_request(person_id);

CREATE TABLE breach (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    occurred_at TEXT,
    discovered_at TEXT NOT NULL,
    report_by TEXT NOT NULL,
    risk TEXT NOT NULL CHECK (risk IN ('not_assessed', 'unlikely', 'risk', 'high_risk')),
    risk_assessment TEXT,
    decision TEXT NOT NULL CHECK (decision IN ('pending', 'report', 'not_report')),
    decision_reason TEXT,
    reported_at TEXT,
    ico_reference TEXT,
    late_reason TEXT,
    -- Compartments affected, comma-separated, checked against the vocabulary by the domain.
    record_classes TEXT NOT NULL DEFAULT '',
    people_affected_estimate INTEGER CHECK (people_affected_estimate >= 0),
    committee_reported_on TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    closed_at TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES staff_user(id),
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (decision = 'pending' OR decision_reason IS NOT NULL),
    CHECK (decision <> 'report' OR reported_at IS NOT NULL),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX breach_open ON breach(status, report_by);

CREATE TABLE breach_person (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    breach_id INTEGER NOT NULL REFERENCES breach(id),
    person_id INTEGER NOT NULL REFERENCES person(id),
    notified_on TEXT,
    notified_how TEXT,
    added_at TEXT NOT NULL,
    UNIQUE (breach_id, person_id),
    CHECK ((notified_on IS NULL) = (notified_how IS NULL))
);
CREATE INDEX breach_person_person ON breach_person(person_id);

CREATE TABLE breach_action (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    breach_id INTEGER NOT NULL REFERENCES breach(id),
    at TEXT NOT NULL,
    by_user INTEGER NOT NULL REFERENCES staff_user(id),
    text TEXT NOT NULL
);
CREATE INDEX breach_action_breach ON breach_action(breach_id, id);
