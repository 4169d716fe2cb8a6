-- A caller check compares the caller's answers with facts the advisor
-- cannot see first. The memorable word is one the customer sets: only its
-- Argon2id hash is kept (never shown, never in the audit trail), with when
-- it was set. Retention's skeleton and erasure clear both with the rest of
-- the person's identity.
ALTER TABLE person ADD COLUMN memorable_word_hash TEXT;
ALTER TABLE person ADD COLUMN memorable_word_set_at TEXT;
