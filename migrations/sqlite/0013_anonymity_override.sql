-- Overrides of a reporter's anonymity (seed 000, 3.1.5): one staff member
-- asks with a recorded ground and detail, a second of a permitted role
-- approves; until then the reporter stays hidden. Once approved, only the
-- requester (the approved reader) is shown the identity, each time audited.
CREATE TABLE anonymity_override (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES case_record(id),
    party_id BIGINT NOT NULL REFERENCES case_party(id),
    ground TEXT NOT NULL CHECK (ground IN ('court_order', 'police_request', 'best_interests_prevent_harm')),
    detail TEXT NOT NULL,
    requested_by BIGINT NOT NULL REFERENCES staff_user(id),
    requested_at TEXT NOT NULL,
    approved_by BIGINT REFERENCES staff_user(id),
    approved_at TEXT,
    CHECK ((approved_at IS NULL) = (approved_by IS NULL)),
    CHECK (approved_by IS NULL OR approved_by <> requested_by)
);
CREATE INDEX anonymity_override_case ON anonymity_override(case_id, id);
