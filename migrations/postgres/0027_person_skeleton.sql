-- A former tenant's identity is reduced to a skeleton 6 years after their
-- tenancy ended: the id stays (case skeletons, the disclosure register,
-- breach records and the audit trail name it); every personal field goes.
-- disposed_at and disposal_run_id say when and by which run, and a disposed
-- child keeps no date of birth, so the child CHECK is relaxed for them.
ALTER TABLE person ADD COLUMN disposed_at TEXT;
ALTER TABLE person ADD COLUMN disposal_run_id BIGINT REFERENCES retention_run(id);
ALTER TABLE person DROP CONSTRAINT person_check;
ALTER TABLE person ADD CONSTRAINT person_child_fields
    CHECK (kind = 'adult' OR (preferred_name IS NULL AND ni_number IS NULL AND (date_of_birth IS NOT NULL OR disposed_at IS NOT NULL)));
