-- Call recordings are disposed of 6 months after they were made: the sweep
-- finds due rows by this index alone, so its cost follows the due count.
CREATE INDEX call_recording_recorded ON call_recording(recorded_at, id);
