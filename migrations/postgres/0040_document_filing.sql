-- Which retention rule a document follows (issue 24). A document on a case
-- follows the case documents rule, unless it is a care plan, which the
-- register keeps; one attached to a contact entry goes with the entry; any
-- other is on the person's tenancy file, deleted 6 years after their
-- tenancy ends (or, for someone who never held one, 6 years after their
-- last contact).
ALTER TABLE document ADD COLUMN filed_as TEXT NOT NULL DEFAULT 'tenancy_file'
    CHECK (filed_as IN ('tenancy_file', 'case_document', 'care_plan', 'contact_entry'));
UPDATE document SET filed_as = 'case_document' WHERE case_id IS NOT NULL;
UPDATE document SET filed_as = 'contact_entry' WHERE case_id IS NULL AND entry_id IS NOT NULL;
CREATE INDEX document_filed ON document(filed_as, person_id);

