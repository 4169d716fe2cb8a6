-- Foundation schema (SQLite). Times are UTC text 'YYYY-MM-DDTHH:MM:SS.ffffffZ',
-- dates 'YYYY-MM-DD', flags 0/1, so one set of queries serves SQLite and PostgreSQL.

CREATE TABLE staff_user (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- Web sessions and API tokens; only a SHA-256 of the secret is kept.
CREATE TABLE staff_session (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES staff_user(id),
    kind TEXT NOT NULL CHECK (kind IN ('web', 'api')),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX staff_session_expiry ON staff_session(expires_at);

CREATE TABLE person (
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
    UNIQUE (id, kind),
    -- a child's record holds names and date of birth only
    CHECK (kind = 'adult' OR (preferred_name IS NULL AND ni_number IS NULL AND date_of_birth IS NOT NULL))
);
CREATE INDEX person_family_key ON person(family_key);
CREATE INDEX person_given_key ON person(given_key);
CREATE INDEX person_preferred_key ON person(preferred_key);
CREATE INDEX person_dob ON person(date_of_birth);

-- person_kind is pinned to 'adult' and tied to person(id, kind): the schema
-- itself cannot hold identity evidence or contact points for a child.
CREATE TABLE identity_evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL,
    person_kind TEXT NOT NULL DEFAULT 'adult' CHECK (person_kind = 'adult'),
    evidence_type TEXT NOT NULL,
    reference TEXT NOT NULL,
    seen_on TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES staff_user(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    FOREIGN KEY (person_id, person_kind) REFERENCES person(id, kind)
);
CREATE INDEX identity_evidence_person ON identity_evidence(person_id);

CREATE TABLE contact_point (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL,
    person_kind TEXT NOT NULL DEFAULT 'adult' CHECK (person_kind = 'adult'),
    kind TEXT NOT NULL CHECK (kind IN ('phone', 'email', 'address')),
    value TEXT,
    line1 TEXT,
    line2 TEXT,
    town TEXT,
    postcode TEXT,
    postcode_key TEXT,
    line1_key TEXT COLLATE NOCASE,
    preferred INTEGER NOT NULL DEFAULT 0 CHECK (preferred IN (0, 1)),
    valid_from TEXT,
    valid_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    FOREIGN KEY (person_id, person_kind) REFERENCES person(id, kind),
    CHECK ((kind = 'address') = (line1 IS NOT NULL AND postcode IS NOT NULL AND value IS NULL))
);
CREATE INDEX contact_point_person ON contact_point(person_id);
CREATE INDEX contact_point_postcode ON contact_point(postcode_key);
CREATE INDEX contact_point_line1 ON contact_point(line1_key);
CREATE UNIQUE INDEX contact_point_one_preferred ON contact_point(person_id, kind) WHERE preferred = 1;

CREATE TABLE property (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uprn INTEGER NOT NULL UNIQUE,
    line1 TEXT NOT NULL,
    line2 TEXT,
    town TEXT NOT NULL,
    postcode TEXT NOT NULL,
    postcode_key TEXT NOT NULL,
    line1_key TEXT NOT NULL COLLATE NOCASE,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX property_postcode ON property(postcode_key);
CREATE INDEX property_line1 ON property(line1_key);

CREATE TABLE household (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    property_id INTEGER NOT NULL REFERENCES property(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX household_property ON household(property_id);

CREATE TABLE membership (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id INTEGER NOT NULL REFERENCES household(id),
    person_id INTEGER NOT NULL REFERENCES person(id),
    role TEXT NOT NULL CHECK (role IN ('tenant', 'joint_tenant', 'leaseholder', 'licensee', 'household_member', 'child', 'associate', 'authorised_representative')),
    start_date TEXT,
    end_date TEXT,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX membership_household ON membership(household_id);
CREATE INDEX membership_person ON membership(person_id);

CREATE TABLE tenancy (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL UNIQUE,
    household_id INTEGER NOT NULL REFERENCES household(id),
    tenure TEXT NOT NULL CHECK (tenure IN ('assured_shorthold', 'assured', 'demoted_assured_shorthold', 'market_rent', 'affordable_rent', 'rent_to_buy', 'shared_ownership', 'licence', 'leasehold')),
    start_date TEXT NOT NULL,
    end_date TEXT,
    end_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (end_date IS NULL OR end_date >= start_date),
    CHECK ((end_date IS NULL) = (end_reason IS NULL))
);
CREATE INDEX tenancy_household ON tenancy(household_id);

-- Append-only, hash-chained record of every decision on personal data.
CREATE TABLE audit_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TEXT NOT NULL,
    actor_id INTEGER,
    actor_username TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    compartment TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id INTEGER,
    person_id INTEGER,
    purpose TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
    policy_ids TEXT NOT NULL,
    reason TEXT,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_event_person ON audit_event(person_id, id);
CREATE INDEX audit_event_record ON audit_event(record_type, record_id, id);

-- The chain's head, one row; updating it serialises appends on both engines.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_event_id, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
