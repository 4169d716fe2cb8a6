-- The front door (issue 28): any member of staff records a request as it
-- arrives. A rights request keeps how it came in and who took it, so the
-- DPO sees both beside the clock that runs from that day.
ALTER TABLE rights_request ADD COLUMN channel TEXT CHECK (channel IN ('phone', 'letter', 'email', 'in_person', 'online_form',
    'social_media', 'web_chat', 'text_message'));
ALTER TABLE rights_request ADD COLUMN received_by INTEGER REFERENCES staff_user(id);

-- Whoever answers a request or works a case is told one came through the
-- front door. SQLite cannot change a CHECK in place, so the notifications
-- are rebuilt (nothing references them) with the new kinds.
CREATE TABLE staff_notification_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_id INTEGER NOT NULL REFERENCES staff_user(id),
    kind TEXT NOT NULL CHECK (kind IN ('call_ended_unconsented_recording', 'rights_request_received', 'complaint_received',
        'asb_report_received')),
    about_staff_id INTEGER REFERENCES staff_user(id),
    recording_id INTEGER REFERENCES call_recording(id),
    message TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO staff_notification_new (id, recipient_id, kind, about_staff_id, recording_id, message, created_at)
SELECT id, recipient_id, kind, about_staff_id, recording_id, message, created_at FROM staff_notification;
DROP TABLE staff_notification;
ALTER TABLE staff_notification_new RENAME TO staff_notification;
CREATE INDEX staff_notification_recipient ON staff_notification(recipient_id, id);
