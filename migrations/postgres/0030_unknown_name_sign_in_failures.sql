-- Failed sign-ins under usernames that have no account count and lock
-- exactly as a real account's do: a different answer would tell a guesser
-- which usernames exist. A row holds only a SHA-256 of the normalised name
-- (never the name, which may be a password typed in the wrong box) and
-- times; it is deleted a day after its last failure. Not personal data of
-- customers: it belongs with staff sign-in, not with any compartment.
CREATE TABLE failed_sign_in (
    name_hash TEXT PRIMARY KEY,
    failures BIGINT NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until TEXT,
    last_failed_at TEXT NOT NULL
);
CREATE INDEX failed_sign_in_last ON failed_sign_in(last_failed_at);

-- A real account's failures are forgotten after the same day, so both kinds
-- of name count alike.
ALTER TABLE staff_user ADD COLUMN last_failed_sign_in_at TEXT;
