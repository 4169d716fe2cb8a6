-- Retention sweeps of the remaining record classes.

-- A record that another points at waits while one still does: the disposal
-- checks these by the pointing column, so each check is an index search.
CREATE INDEX best_interests_share_assessment ON best_interests_share(assessment_id);
CREATE INDEX caller_check_representative ON caller_check(representative_id) WHERE representative_id IS NOT NULL;
CREATE INDEX disclosure_agreement ON disclosure(agreement_id) WHERE agreement_id IS NOT NULL;

-- "Created" rules: each finder reads rows made before the cutoff in (time,
-- id) order, so its cost follows the rows due, not the table's size. A
-- break-glass grant is found only once reviewed.
CREATE INDEX caller_check_checked ON caller_check(checked_at, id);
CREATE INDEX break_glass_granted ON break_glass(granted_at, id) WHERE reviewed_at IS NOT NULL;
CREATE INDEX support_grant_granted ON support_grant(granted_at, id);
CREATE INDEX sharing_agreement_created ON sharing_agreement(created_at, id);
