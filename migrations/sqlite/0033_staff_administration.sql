-- Joiners, movers and leavers: when an account last signed in (for the
-- staff page and the access review) and when it was disabled (a leaver
-- keeps their name in history and audit; the row is never deleted).
ALTER TABLE staff_user ADD COLUMN last_sign_in_at TEXT;
ALTER TABLE staff_user ADD COLUMN disabled_at TEXT;
