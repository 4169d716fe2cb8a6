-- A request may need clarification more than once. Each finished round's
-- paused days are folded into earlier_paused_days, so the clock keeps every
-- pause while the current round's dates stay in the request's columns.
ALTER TABLE rights_request ADD COLUMN earlier_paused_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rights_request ADD COLUMN clarification_rounds INTEGER NOT NULL DEFAULT 0;
UPDATE rights_request SET clarification_rounds = 1 WHERE clarification_requested_on IS NOT NULL;
