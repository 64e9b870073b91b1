-- 0021_recording_storage: where a recording is stored, and why one ended
-- failed.  storage: 'local' (storage_dir, served from nginx's /_files/) or
-- 's3' (the S3 bucket, fetched by nginx with a presigned URL); recordings
-- stored before S3 was configured stay playable from where they are.
ALTER TABLE recordings ADD COLUMN storage text NOT NULL DEFAULT 'local'
    CHECK (storage IN ('local', 's3'));
COMMENT ON COLUMN recordings.storage IS 'Where the file is: local (storage_dir) or s3 (storage_s3_bucket).';

-- Why a recording ended failed.  The download job
-- gives up on a recording (the carrier refused it, or every retry failed):
-- the recording ends 'failed' with the reason, which the call detail
-- shows (a recording_failed call event) and system_errors groups.

ALTER TABLE recordings ADD COLUMN failure_reason text
    CHECK (failure_reason IS NULL OR length(failure_reason) <= 1024);

COMMENT ON COLUMN recordings.failure_reason IS 'Why the recording is failed: the carrier''s status or the last download error.';
