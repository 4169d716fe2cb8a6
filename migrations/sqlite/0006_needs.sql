-- Needs, reasonable adjustments and warning flags (seed 001 sections 3-4,
-- seed 000 section 3.5, seed 004 "Markers and flags"). A need's detail is
-- health data in the needs compartment; its adjustments are in the
-- adjustments compartment and are used only while the need is active and
-- the person has given express consent to tailor services with it.

-- The housing officer whose patch a property is on (need-to-know for needs).
ALTER TABLE property ADD COLUMN patch_officer_id INTEGER REFERENCES staff_user(id);

CREATE TABLE need (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES person(id),
    category TEXT NOT NULL CHECK (category IN ('mental_health', 'disability_or_health_condition', 'bereavement', 'financial_hardship',
        'domestic_abuse', 'old_age', 'sight', 'hearing', 'language', 'learning_disability', 'mobility', 'literacy', 'recent_discharge', 'other')),
    detail TEXT,
    source TEXT NOT NULL CHECK (source IN ('application', 'sign_up', 'survey', 'staff_contact', 'contractor_report', 'referral_agency')),
    disclosed_on TEXT NOT NULL,
    disclosure_channel TEXT NOT NULL,
    duration TEXT NOT NULL CHECK (duration IN ('temporary', 'long_term')),
    review_date TEXT NOT NULL,
    preferred_words TEXT,
    consent_to_tailor INTEGER NOT NULL CHECK (consent_to_tailor IN (0, 1)),
    consent_recorded_by INTEGER NOT NULL REFERENCES staff_user(id),
    consent_recorded_at TEXT NOT NULL,
    review_officer_id INTEGER NOT NULL REFERENCES staff_user(id),
    recorded_by INTEGER NOT NULL REFERENCES staff_user(id),
    recorded_at TEXT NOT NULL,
    ended_at TEXT,
    ended_by INTEGER REFERENCES staff_user(id),
    end_reason TEXT,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    -- Ending a need keeps who ended it and why.
    CHECK ((ended_at IS NULL) = (end_reason IS NULL) AND (ended_at IS NULL) = (ended_by IS NULL))
);
CREATE INDEX need_person ON need(person_id);
CREATE INDEX need_review ON need(review_officer_id, review_date);

CREATE TABLE adjustment (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES person(id),
    need_id INTEGER NOT NULL REFERENCES need(id),
    kind TEXT NOT NULL CHECK (kind IN ('preferred_format', 'call_ahead', 'more_time_at_door', 'introduce_yourself', 'tell_if_late',
        'longer_calls', 'operative_gender', 'repair_priority_uplift', 'peep')),
    format TEXT CHECK (format IN ('large_print', 'braille', 'easy_read', 'audio', 'bsl_interpreter', 'spoken_language_interpreter')),
    language TEXT,
    operative_gender TEXT CHECK (operative_gender IN ('female', 'male')),
    note TEXT,
    recorded_by INTEGER NOT NULL REFERENCES staff_user(id),
    recorded_at TEXT NOT NULL,
    ended_at TEXT,
    ended_by INTEGER REFERENCES staff_user(id),
    end_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((kind = 'preferred_format') = (format IS NOT NULL)),
    CHECK ((format = 'spoken_language_interpreter') = (language IS NOT NULL)),
    CHECK (format IS NOT NULL OR language IS NULL),
    CHECK ((kind = 'operative_gender') = (operative_gender IS NOT NULL)),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL) AND (ended_at IS NULL) = (ended_by IS NULL))
);
CREATE INDEX adjustment_person ON adjustment(person_id);
CREATE INDEX adjustment_need ON adjustment(need_id);

CREATE TABLE warning_flag (
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
    CHECK ((person_told = 1) = (person_told_on IS NOT NULL)),
    CHECK (person_told = 1 OR not_told_reason IS NOT NULL),
    CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CHECK ((ended_by IS NULL) = (end_reason IS NULL))
);
CREATE INDEX warning_flag_person ON warning_flag(person_id);
CREATE INDEX warning_flag_review ON warning_flag(review_officer_id, review_date);

-- Each user acknowledges a flag once, before first reading its text.
CREATE TABLE warning_flag_ack (
    flag_id INTEGER NOT NULL REFERENCES warning_flag(id),
    user_id INTEGER NOT NULL REFERENCES staff_user(id),
    acknowledged_at TEXT NOT NULL,
    PRIMARY KEY (flag_id, user_id)
);

-- A recorded needs check: the landlord asked, whatever the answer.
CREATE TABLE needs_check (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES person(id),
    checked_on TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('needs_recorded', 'no_needs', 'declined')),
    checked_by INTEGER NOT NULL REFERENCES staff_user(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX needs_check_person ON needs_check(person_id);
