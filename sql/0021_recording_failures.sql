-- 0021_recording_failures: why a recording ended failed.  The download job
-- gives up on a recording (the carrier refused it, or every retry failed):
-- the recording ends 'failed' with the reason, which the call detail
-- shows (a recording_failed call event) and system_errors groups.

ALTER TABLE recordings ADD COLUMN failure_reason text
    CHECK (failure_reason IS NULL OR length(failure_reason) <= 1024);

COMMENT ON COLUMN recordings.failure_reason IS 'Why the recording is failed: the carrier''s status or the last download error.';
