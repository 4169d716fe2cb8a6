-- The periodic access review: the DPO (every account) or a manager (the
-- accounts they manage) looks at what each account can reach and when it
-- was last used, and marks the review done. The accounts seen are counted;
-- what they could reach is in the audit event of the review.
CREATE TABLE access_review (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reviewed_by INTEGER NOT NULL REFERENCES staff_user(id),
    reviewed_at TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('all', 'reports')),
    accounts INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_review_reviewed_at ON access_review (reviewed_at);
