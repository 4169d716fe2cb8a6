-- Retention sweeps of the remaining record classes.

-- A record that another points at waits while one still does: the disposal
-- checks these by the pointing column, so each check is an index search.
CREATE INDEX best_interests_share_assessment ON best_interests_share(assessment_id);
CREATE INDEX caller_check_representative ON caller_check(representative_id) WHERE representative_id IS NOT NULL;
