-- A closed rights request is deleted 6 years after its closing date: the
-- finder reads closed requests in (closed_on, id) order.
CREATE INDEX rights_request_closed ON rights_request(closed_on, id) WHERE closed_on IS NOT NULL AND status <> 'open';

-- A warning flag is deleted 2 years after the later of the day it was
-- recorded or last reviewed (renewed_on) and its person's last contact. A
-- flag changed before this column existed may have been reviewed on a day
-- not recorded here, so it counts as renewed on the day of this migration:
-- kept longer, never disposed of early.
ALTER TABLE warning_flag ADD COLUMN renewed_on TEXT NOT NULL DEFAULT '';
UPDATE warning_flag SET renewed_on = CASE WHEN version > 1 THEN date('now') ELSE substr(recorded_at, 1, 10) END;
CREATE INDEX warning_flag_renewed ON warning_flag(renewed_on, id);
