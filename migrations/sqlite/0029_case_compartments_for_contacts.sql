-- A contact entry or document filed on a case is in the case's compartment
-- (the gate derives it), so the contact log and documents accept every
-- compartment a case can be in: complaints (complaint correspondence had
-- nowhere to go), repairs and tenancy. Entries and documents already filed
-- on a case move into the case's compartment: filed in the general log, a
-- safeguarding call was read by anyone who may read the log. A document on
-- a contact entry follows the entry.
--
-- SQLite cannot change a CHECK in place: contact_entry and document are
-- rebuilt as person was (0027). Foreign keys stay on and are deferred; the
-- rows are copied back after each new table takes the name, so every
-- reference is satisfied again by commit. Every index on either table
-- (0004, 0005, 0007, 0024) is recreated.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE contact_entry_copy AS SELECT * FROM contact_entry;
CREATE TABLE document_copy AS SELECT * FROM document;
CREATE TABLE rebuilt_seq AS SELECT name, seq FROM sqlite_sequence WHERE name IN ('contact_entry', 'document');

UPDATE contact_entry_copy
   SET compartment = (SELECT c.compartment FROM case_record c WHERE c.id = contact_entry_copy.case_id)
 WHERE case_id IS NOT NULL AND EXISTS (SELECT 1 FROM case_record c WHERE c.id = contact_entry_copy.case_id);
UPDATE document_copy
   SET compartment = (SELECT c.compartment FROM case_record c WHERE c.id = document_copy.case_id)
 WHERE case_id IS NOT NULL AND EXISTS (SELECT 1 FROM case_record c WHERE c.id = document_copy.case_id);
UPDATE document_copy
   SET compartment = (SELECT e.compartment FROM contact_entry_copy e WHERE e.id = document_copy.entry_id)
 WHERE case_id IS NULL AND entry_id IS NOT NULL AND EXISTS (SELECT 1 FROM contact_entry_copy e WHERE e.id = document_copy.entry_id);

CREATE TABLE contact_entry_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id INTEGER REFERENCES contact_entry(id),
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES staff_user(id),
    channel TEXT NOT NULL CHECK (channel IN ('call_in', 'call_out', 'call_attempt', 'appointment', 'door_knock', 'walkabout_request',
        'letter_in', 'letter_out', 'email_in', 'email_out', 'sms_in', 'sms_out', 'web_form', 'web_chat', 'chatbot', 'live_agent', 'social_media')),
    compartment TEXT NOT NULL CHECK (compartment IN ('contact_log', 'asb', 'safeguarding', 'care', 'financial', 'complaints', 'repairs', 'tenancy')),
    case_id INTEGER REFERENCES case_record(id),
    subjects TEXT NOT NULL,
    summary TEXT NOT NULL,
    verbatim TEXT,
    verbatim_reason TEXT CHECK (verbatim_reason IN ('complaint', 'appeal', 'legal_matter', 'individual_needs')),
    voicemail_left INTEGER CHECK (voicemail_left IN (0, 1)),
    appointment_outcome TEXT CHECK (appointment_outcome IN ('attended', 'no_access', 'failed_to_attend')),
    place TEXT,
    system_generated INTEGER CHECK (system_generated IN (0, 1)),
    service_request INTEGER CHECK (service_request IN (0, 1)),
    -- The schema repeats the domain's rules so no other path can break them.
    CHECK ((verbatim IS NULL) = (verbatim_reason IS NULL)),
    CHECK (channel <> 'social_media' OR service_request = 1),
    CHECK (channel <> 'call_attempt' OR voicemail_left IS NOT NULL),
    CHECK (channel <> 'appointment' OR appointment_outcome IS NOT NULL)
);

DROP TABLE contact_entry;
ALTER TABLE contact_entry_new RENAME TO contact_entry;
INSERT INTO contact_entry (id, submission_id, occurred_at, recorded_at, recorded_by, channel, compartment, case_id, subjects, summary,
                           verbatim, verbatim_reason, voicemail_left, appointment_outcome, place, system_generated, service_request)
SELECT id, submission_id, occurred_at, recorded_at, recorded_by, channel, compartment, case_id, subjects, summary,
       verbatim, verbatim_reason, voicemail_left, appointment_outcome, place, system_generated, service_request
FROM contact_entry_copy;
DROP TABLE contact_entry_copy;

CREATE TABLE document_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES person(id),
    compartment TEXT NOT NULL CHECK (compartment IN ('contact_log', 'asb', 'safeguarding', 'care', 'financial', 'complaints', 'repairs', 'tenancy')),
    case_id INTEGER REFERENCES case_record(id),
    entry_id INTEGER REFERENCES contact_entry(id),
    kind TEXT NOT NULL CHECK (kind IN ('pdf', 'png', 'jpeg', 'eml', 'msg')),
    title TEXT NOT NULL,
    byte_size INTEGER NOT NULL CHECK (byte_size > 0),
    sha256 TEXT NOT NULL,
    content BLOB,
    stored_name TEXT UNIQUE,
    uploaded_by INTEGER NOT NULL REFERENCES staff_user(id),
    uploaded_at TEXT NOT NULL,
    legally_privileged INTEGER NOT NULL DEFAULT 0,
    -- Exactly one home for the bytes.
    CHECK ((content IS NULL) <> (stored_name IS NULL))
);

DROP TABLE document;
ALTER TABLE document_new RENAME TO document;
INSERT INTO document (id, person_id, compartment, case_id, entry_id, kind, title, byte_size, sha256, content, stored_name,
                      uploaded_by, uploaded_at, legally_privileged)
SELECT id, person_id, compartment, case_id, entry_id, kind, title, byte_size, sha256, content, stored_name,
       uploaded_by, uploaded_at, legally_privileged
FROM document_copy;
DROP TABLE document_copy;

-- Ids are never reused: each sequence is where it was, even if the highest
-- ids were deleted.
UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT r.seq FROM rebuilt_seq r WHERE r.name = sqlite_sequence.name))
 WHERE name IN (SELECT name FROM rebuilt_seq);
INSERT INTO sqlite_sequence (name, seq)
SELECT r.name, r.seq FROM rebuilt_seq r WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence s WHERE s.name = r.name);
DROP TABLE rebuilt_seq;

CREATE INDEX contact_entry_occurred ON contact_entry(occurred_at, id);
CREATE INDEX contact_entry_submission ON contact_entry(submission_id);
CREATE INDEX contact_entry_case ON contact_entry(case_id);
CREATE INDEX contact_entry_due ON contact_entry(channel, recorded_at, id) WHERE case_id IS NULL;
CREATE INDEX document_person ON document(person_id, id);
CREATE INDEX document_case ON document(case_id);
CREATE INDEX document_entry ON document(entry_id) WHERE entry_id IS NOT NULL;
