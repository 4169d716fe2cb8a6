-- The contact log: one row per entry, filed in one compartment; the people
-- it was with and its follow-up actions in their own tables. Entries from
-- one split submission share submission_id.

CREATE TABLE contact_entry (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id INTEGER REFERENCES contact_entry(id),
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES staff_user(id),
    channel TEXT NOT NULL CHECK (channel IN ('call_in', 'call_out', 'call_attempt', 'appointment', 'door_knock', 'walkabout_request',
        'letter_in', 'letter_out', 'email_in', 'email_out', 'sms_in', 'sms_out', 'web_form', 'web_chat', 'chatbot', 'live_agent', 'social_media')),
    compartment TEXT NOT NULL CHECK (compartment IN ('contact_log', 'asb', 'safeguarding', 'care', 'financial')),
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
CREATE INDEX contact_entry_occurred ON contact_entry(occurred_at, id);
CREATE INDEX contact_entry_submission ON contact_entry(submission_id);
CREATE INDEX contact_entry_case ON contact_entry(case_id);

CREATE TABLE contact_entry_person (
    entry_id INTEGER NOT NULL REFERENCES contact_entry(id),
    person_id INTEGER NOT NULL REFERENCES person(id),
    PRIMARY KEY (entry_id, person_id)
);
CREATE INDEX contact_entry_person_person ON contact_entry_person(person_id, entry_id);

CREATE TABLE contact_follow_up (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id INTEGER NOT NULL REFERENCES contact_entry(id),
    action TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES staff_user(id),
    due_on TEXT NOT NULL
);
CREATE INDEX contact_follow_up_entry ON contact_follow_up(entry_id);
CREATE INDEX contact_follow_up_owner ON contact_follow_up(owner_id, due_on);
