-- Restriction of processing (UK GDPR Art. 18): while a row for a person has
-- no lifted_at, their data may only be stored. Lifting keeps the row as the
-- record of who lifted it, when and why.
CREATE TABLE processing_restriction (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES person(id),
    reason TEXT NOT NULL,
    placed_by BIGINT NOT NULL REFERENCES staff_user(id),
    placed_at TEXT NOT NULL,
    lifted_by BIGINT REFERENCES staff_user(id),
    lifted_at TEXT,
    lift_reason TEXT,
    CHECK ((lifted_at IS NULL) = (lifted_by IS NULL)),
    CHECK ((lifted_at IS NULL) = (lift_reason IS NULL))
);
-- At most one active restriction per person; also the gate's lookup.
CREATE UNIQUE INDEX processing_restriction_active ON processing_restriction(person_id) WHERE lifted_at IS NULL;
CREATE INDEX processing_restriction_person ON processing_restriction(person_id, id);
