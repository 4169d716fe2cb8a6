-- Access gate: managers' responsibilities, break-glass grants, supplier-support grants.

ALTER TABLE staff_user ADD COLUMN responsibilities TEXT NOT NULL DEFAULT '';

-- A user's stated-reason access to one record's compartment outside policy.
-- Kept after expiry: the DPO reviews every one.
CREATE TABLE break_glass (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES staff_user(id),
    record_type TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    person_id INTEGER,
    compartment TEXT NOT NULL,
    reason TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    reviewed_by INTEGER REFERENCES staff_user(id),
    reviewed_at TEXT,
    review_note TEXT
);
CREATE INDEX break_glass_active ON break_glass(user_id, record_type, record_id, compartment, expires_at);
CREATE INDEX break_glass_unreviewed ON break_glass(reviewed_at, id);

-- Time-limited access for the software supplier's support staff.
CREATE TABLE support_grant (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES staff_user(id),
    compartments TEXT NOT NULL,
    reason TEXT NOT NULL,
    approved_by INTEGER NOT NULL REFERENCES staff_user(id),
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX support_grant_user ON support_grant(user_id, expires_at);
