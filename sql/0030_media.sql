-- 0030_media: which media daemon holds a call, and whether it has stored
-- the call's result.
--
-- media_owner is "<node>/<run>": on start, a daemon closes as failed the
-- calls an earlier run of its node left in progress (a crash or kill),
-- without touching calls held by other nodes.  media_finished_at makes the
-- daemon's final write idempotent: a replayed spool record finds it set
-- and changes nothing.

ALTER TABLE calls ADD COLUMN media_owner text;
ALTER TABLE calls ADD COLUMN media_finished_at timestamptz;

CREATE INDEX calls_media_owner_live_idx ON calls (media_owner)
    WHERE status = 'in_progress' AND media_finished_at IS NULL;
