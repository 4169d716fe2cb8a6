-- The front door (issue 28): any member of staff records a request as it
-- arrives. A rights request keeps how it came in and who took it, so the
-- DPO sees both beside the clock that runs from that day.
ALTER TABLE rights_request ADD COLUMN channel TEXT CHECK (channel IN ('phone', 'letter', 'email', 'in_person', 'online_form',
    'social_media', 'web_chat', 'text_message'));
ALTER TABLE rights_request ADD COLUMN received_by BIGINT REFERENCES staff_user(id);

-- Whoever answers a request or works a case is told one came through the
-- front door.
ALTER TABLE staff_notification DROP CONSTRAINT staff_notification_kind_check;
ALTER TABLE staff_notification ADD CONSTRAINT staff_notification_kind_check
    CHECK (kind IN ('call_ended_unconsented_recording', 'rights_request_received', 'complaint_received', 'asb_report_received'));
