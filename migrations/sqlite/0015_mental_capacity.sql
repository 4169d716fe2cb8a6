-- Mental capacity (Mental Capacity Act 2005; seed 000 sections 3.1.6-3.1.9).
-- Capacity is presumed: an assessment is about one decision at one time.
CREATE TABLE capacity_assessment (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES person(id),
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    assessor_name TEXT NOT NULL,
    assessor_role TEXT NOT NULL,
    assessed_on TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('has_capacity', 'lacks_capacity')),
    notes TEXT,
    recorded_by BIGINT NOT NULL REFERENCES staff_user(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX capacity_assessment_person ON capacity_assessment(person_id, assessed_on);

-- Every disclosure made in a person's best interests, each resting on an
-- assessment that found they lack capacity.
CREATE TABLE best_interests_share (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES person(id),
    assessment_id BIGINT NOT NULL REFERENCES capacity_assessment(id),
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    what TEXT NOT NULL,
    why TEXT NOT NULL,
    shared_on TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES staff_user(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX best_interests_share_person ON best_interests_share(person_id, id);

-- A person's request that information they gave not be held. need_ids is a
-- comma-separated list; the needs are deleted on confirmed removal, so it
-- holds no reference the database could enforce.
CREATE TABLE not_held_request (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES person(id),
    requested_on TEXT NOT NULL,
    what TEXT NOT NULL,
    need_ids TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES staff_user(id),
    recorded_at TEXT NOT NULL,
    removed_by BIGINT REFERENCES staff_user(id),
    removed_at TEXT,
    CHECK ((removed_at IS NULL) = (removed_by IS NULL))
);
CREATE INDEX not_held_request_person ON not_held_request(person_id, id);
