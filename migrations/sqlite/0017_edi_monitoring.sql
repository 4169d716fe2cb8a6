-- Equality monitoring answers (seed 002), kept apart from every other record.
-- The answers are sealed with an AEAD under an operator-supplied key before
-- they reach this table: 'sealed' is text (version, nonce and ciphertext in
-- hex) so one SQL text serves both backends, and no answer is ever stored in
-- plain text. Each capture is a new row; the newest per person counts.
CREATE TABLE edi_record (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES person(id),
    sealed TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('webform', 'phone', 'survey')),
    recorded_on TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES staff_user(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX edi_record_person ON edi_record(person_id, id);
