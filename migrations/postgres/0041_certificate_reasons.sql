-- A certificate says what its rule could not dispose of and why (issue 24):
-- held by a legal hold (`held`), or waiting for another record that still
-- points at it or that must go first (`waiting`), in words in `not_disposed`.
ALTER TABLE disposal_certificate ADD COLUMN waiting BIGINT NOT NULL DEFAULT 0;
ALTER TABLE disposal_certificate ADD COLUMN not_disposed TEXT NOT NULL DEFAULT '';
