-- A contact entry or document filed on a case is in the case's compartment
-- (the gate derives it), so the contact log and documents accept every
-- compartment a case can be in: complaints (complaint correspondence had
-- nowhere to go), repairs and tenancy. Entries and documents already filed
-- on a case move into the case's compartment: filed in the general log, a
-- safeguarding call was read by anyone who may read the log. A document on
-- a contact entry follows the entry.
ALTER TABLE contact_entry DROP CONSTRAINT contact_entry_compartment_check;
ALTER TABLE contact_entry ADD CONSTRAINT contact_entry_compartment_check
    CHECK (compartment IN ('contact_log', 'asb', 'safeguarding', 'care', 'financial', 'complaints', 'repairs', 'tenancy'));
ALTER TABLE document DROP CONSTRAINT document_compartment_check;
ALTER TABLE document ADD CONSTRAINT document_compartment_check
    CHECK (compartment IN ('contact_log', 'asb', 'safeguarding', 'care', 'financial', 'complaints', 'repairs', 'tenancy'));

UPDATE contact_entry e SET compartment = c.compartment FROM case_record c WHERE c.id = e.case_id AND e.compartment <> c.compartment;
UPDATE document d SET compartment = c.compartment FROM case_record c WHERE c.id = d.case_id AND d.compartment <> c.compartment;
UPDATE document d SET compartment = e.compartment FROM contact_entry e
 WHERE d.case_id IS NULL AND e.id = d.entry_id AND d.compartment <> e.compartment;
