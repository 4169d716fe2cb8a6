-- Documents, call recordings, staff notifications and done follow-ups.
--
-- A document is filed in one compartment against one person, optionally a
-- case and a contact entry. Its bytes live in `content` (the default) or in
-- a file in the configured documents folder named `stored_name`, a random id:
-- never a name a user chose. The type is what the bytes are, not what the
-- client said.

CREATE TABLE document (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES person(id),
    compartment TEXT NOT NULL CHECK (compartment IN ('contact_log', 'asb', 'safeguarding', 'care', 'financial')),
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
    -- Exactly one home for the bytes.
    CHECK ((content IS NULL) <> (stored_name IS NULL))
);
CREATE INDEX document_person ON document(person_id, id);
CREATE INDEX document_case ON document(case_id);

-- Call recordings on a call in the contact log. The landlord's own
-- recordings carry a purpose and where the telephony system keeps them; a
-- customer's recording carries whether the staff member consented, and a
-- call ended over an unconsented recording carries a note.
CREATE TABLE call_recording (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id INTEGER NOT NULL REFERENCES contact_entry(id),
    made_by TEXT NOT NULL CHECK (made_by IN ('landlord', 'customer')),
    purpose TEXT CHECK (purpose IN ('training_quality', 'fact_verification', 'transaction_evidence', 'tenancy_breach_evidence')),
    storage_ref TEXT,
    retention_class TEXT NOT NULL CHECK (retention_class = 'call_recording'),
    staff_consent INTEGER CHECK (staff_consent IN (0, 1)),
    call_ended INTEGER CHECK (call_ended IN (0, 1)),
    note TEXT,
    recorded_by INTEGER NOT NULL REFERENCES staff_user(id),
    recorded_at TEXT NOT NULL,
    CHECK (made_by <> 'landlord' OR (purpose IS NOT NULL AND storage_ref IS NOT NULL AND staff_consent IS NULL AND call_ended IS NULL)),
    CHECK (made_by <> 'customer' OR (purpose IS NULL AND staff_consent IS NOT NULL AND call_ended IS NOT NULL)),
    CHECK (call_ended IS NULL OR call_ended = 0 OR (staff_consent = 0 AND note IS NOT NULL))
);
CREATE INDEX call_recording_entry ON call_recording(entry_id);

-- Messages to one staff member, e.g. a line manager told that a call was
-- ended over an unconsented recording. They name records by id only.
CREATE TABLE staff_notification (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_id INTEGER NOT NULL REFERENCES staff_user(id),
    kind TEXT NOT NULL CHECK (kind IN ('call_ended_unconsented_recording')),
    about_staff_id INTEGER REFERENCES staff_user(id),
    recording_id INTEGER REFERENCES call_recording(id),
    message TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX staff_notification_recipient ON staff_notification(recipient_id, id);

ALTER TABLE contact_follow_up ADD COLUMN done_at TEXT;
ALTER TABLE contact_follow_up ADD COLUMN done_by INTEGER REFERENCES staff_user(id);
