-- 0062_caller_history: the media daemon reads a caller's history when a
-- call starts (how many earlier calls from the same number, and the
-- reason of the last one).  With (tenant_id, from_number) alone that
-- read visited every earlier call of the number and sorted them, on
-- every call: a number that calls often made every one of its calls
-- start slower.  With started_at in the index the last call is one index
-- entry and the count (capped by the query) a short range.
--
-- The new index serves every lookup the old one did (same leading
-- columns).  Built inside the migration's transaction, so it holds a
-- write lock on calls while it builds.

DROP INDEX calls_tenant_from_idx;
CREATE INDEX calls_tenant_from_started_idx ON calls (tenant_id, from_number, started_at DESC);
