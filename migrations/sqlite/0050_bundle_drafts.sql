-- A subject access bundle is reviewed before it is sent. Generating makes a
-- draft: the bundle as collected (other people not yet redacted), the places
-- the redaction rules found (automatic and uncertain) with the DPO's decision
-- on each, and the DPO's own redactions with their reasons. Releasing fixes
-- the result: the released contents and their SHA-256 are written once and
-- never changed (every update is guarded by status = 'draft'). Completing
-- the request records which release was sent. The draft goes with its
-- request when retention disposes of the request.
CREATE TABLE bundle_draft (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES rights_request(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('draft', 'released', 'superseded')),
    content TEXT NOT NULL,
    marks TEXT NOT NULL,
    manual TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES staff_user(id),
    released_at TEXT,
    released_by INTEGER REFERENCES staff_user(id),
    released_content TEXT,
    released_sha256 TEXT,
    sent_on TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((status = 'released') = (released_content IS NOT NULL AND released_sha256 IS NOT NULL AND released_at IS NOT NULL))
);
CREATE INDEX bundle_draft_request ON bundle_draft (request_id, id);
