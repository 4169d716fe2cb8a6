-- Legal professional privilege is a property of a document, set when it is
-- filed: an access bundle withholds privileged documents (DPA 2018 Sch. 2
-- para 19). Documents filed before the flag existed were marked by their
-- title, so those titles carry over.
ALTER TABLE document ADD COLUMN legally_privileged INTEGER NOT NULL DEFAULT 0;
UPDATE document SET legally_privileged = 1
 WHERE lower(title) LIKE '%[privileged]%' OR lower(title) LIKE '%legal privilege%' OR lower(title) LIKE '%legally privileged%';
