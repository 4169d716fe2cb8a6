-- Sign-in hardening (OWASP ASVS level 2): consecutive failed sign-ins per
-- account and the time a lock lifts; each session's last use, so an idle
-- browser session ends before its absolute expiry.

ALTER TABLE staff_user ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff_user ADD COLUMN locked_until TEXT;
ALTER TABLE staff_session ADD COLUMN last_seen_at TEXT;
CREATE INDEX staff_session_user ON staff_session(user_id);

-- Optional second factor: the TOTP secret (base32) once confirmed, and the
-- last time step used, so a code is never accepted twice.
ALTER TABLE staff_user ADD COLUMN totp_secret TEXT;
ALTER TABLE staff_user ADD COLUMN totp_last_step INTEGER;
