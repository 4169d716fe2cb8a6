-- Service accounts for integrations (a housing management or repairs
-- system): a staff_user row of kind 'service', named after the client, with
-- a role, the compartments its token may use (comma-separated) and an
-- expiry. It never signs in with a password; its one API token is issued
-- when it is made, lasts until the expiry, and ends when it is disabled.
ALTER TABLE staff_user ADD COLUMN kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'service'));
ALTER TABLE staff_user ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE staff_user ADD COLUMN expires_at TEXT;
