-- Authorised representatives (seed 004 "When you contact us"): someone the
-- person lets speak for them, either on file (rep_person_id) or named with a
-- phone number. Ending keeps the row as the record of who ended it and why.
CREATE TABLE representative (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES person(id),
    rep_person_id BIGINT REFERENCES person(id),
    rep_name TEXT,
    rep_phone TEXT,
    relationship TEXT NOT NULL,
    scope TEXT NOT NULL,
    evidence TEXT NOT NULL,
    evidence_reference TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    expires_on TEXT,
    created_by BIGINT NOT NULL REFERENCES staff_user(id),
    created_at TEXT NOT NULL,
    ended_by BIGINT REFERENCES staff_user(id),
    ended_at TEXT,
    end_reason TEXT,
    CHECK ((rep_person_id IS NULL) <> (rep_name IS NULL)),
    CHECK ((rep_name IS NULL) = (rep_phone IS NULL)),
    CHECK ((ended_at IS NULL) = (ended_by IS NULL)),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE INDEX representative_person ON representative(person_id, id);

-- Caller checks: an advisor's record that the caller on this call answered
-- enough security questions, or is a current representative. A check opens
-- the listed areas of the person's records to that advisor until expires_at.
-- Failed attempts are in the audit trail, not here.
CREATE TABLE caller_check (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES person(id),
    staff_id BIGINT NOT NULL REFERENCES staff_user(id),
    checks_passed TEXT,
    representative_id BIGINT REFERENCES representative(id),
    areas TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    CHECK ((checks_passed IS NULL) <> (representative_id IS NULL))
);
-- The gate's lookup on every read by an advisor about a person.
CREATE INDEX caller_check_current ON caller_check(staff_id, person_id, expires_at);
CREATE INDEX caller_check_person ON caller_check(person_id, id);
