-- Customer communications (issue 28): every letter, email and text Hearth
-- sends, with the rendered file (the PDF letter, the email as sent). The
-- row goes when its contact-log entry goes (ON DELETE CASCADE), so each
-- follows its entry's retention rule.
CREATE TABLE communication (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    about_type TEXT NOT NULL CHECK (about_type IN ('rights_request', 'case', 'breach')),
    about_id INTEGER NOT NULL,
    template TEXT NOT NULL,
    recipient TEXT NOT NULL CHECK (recipient IN ('person', 'representative')),
    representative_id INTEGER REFERENCES representative(id) ON DELETE SET NULL,
    recipient_name TEXT,
    channel TEXT CHECK (channel IN ('email', 'letter', 'sms')),
    format TEXT NOT NULL CHECK (format IN ('standard', 'large_print', 'easy_read')),
    to_address TEXT,
    subject TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'ready_to_print', 'failed')),
    failure TEXT,
    entry_id INTEGER REFERENCES contact_entry(id) ON DELETE CASCADE,
    file_kind TEXT CHECK (file_kind IN ('pdf', 'eml')),
    file BLOB,
    provider_ref TEXT,
    sent_by INTEGER NOT NULL REFERENCES staff_user(id),
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX communication_about ON communication(about_type, about_id);
CREATE INDEX communication_sender ON communication(sent_by, status);
CREATE INDEX communication_entry ON communication(entry_id);
CREATE INDEX communication_person ON communication(person_id);

-- "No letters to an address they share": set when post to a shared home
-- could put the person at risk (domestic abuse, a confidential matter).
ALTER TABLE contact_preference ADD COLUMN no_letters_to_shared_address INTEGER NOT NULL DEFAULT 0
    CHECK (no_letters_to_shared_address IN (0, 1));
