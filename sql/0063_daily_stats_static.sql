-- 0063_daily_stats_static: the per-day statistics trigger on calls
-- (0042) built its INSERT with EXECUTE, so PostgreSQL planned it again on
-- every statement that touched calls, and ran it even when the statement
-- changed no counted column or no row at all: 1.5-5 ms on each UPDATE of
-- a call (status callbacks, the media daemon's start and end of a call,
-- the transcript trigger's check).  Now every statement is static, so the
-- function keeps its plans; the delta (the counted columns of each call
-- added or taken away) is an array, and a statement that changed no
-- counted column returns before the INSERT.  The statistics are the same.

CREATE TYPE voxline_stats_delta AS (
    tenant_id        uuid,
    started_at       timestamptz,
    outcome          text,
    reason           text,
    answered_at      timestamptz,
    duration_seconds integer,
    transfer_to      text,
    sign             integer
);

CREATE OR REPLACE FUNCTION voxline_calls_daily_stats() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    d voxline_stats_delta[];
BEGIN
    -- The counted columns of each call added (+1) or taken away (-1); an
    -- UPDATE takes away the calls whose counted columns changed as they
    -- were and adds them as they are.
    IF TG_OP = 'INSERT' THEN
        d := ARRAY(SELECT ROW(n.tenant_id, n.started_at, n.outcome, n.reason, n.answered_at,
                              n.duration_seconds, n.transfer_to, 1)::voxline_stats_delta
                     FROM new_calls n);
    ELSIF TG_OP = 'DELETE' THEN
        d := ARRAY(SELECT ROW(o.tenant_id, o.started_at, o.outcome, o.reason, o.answered_at,
                              o.duration_seconds, o.transfer_to, -1)::voxline_stats_delta
                     FROM old_calls o);
    ELSE
        d := ARRAY(SELECT x
                     FROM old_calls o JOIN new_calls n ON n.id = o.id,
                          LATERAL (VALUES (ROW(o.tenant_id, o.started_at, o.outcome, o.reason, o.answered_at,
                                               o.duration_seconds, o.transfer_to, -1)::voxline_stats_delta),
                                          (ROW(n.tenant_id, n.started_at, n.outcome, n.reason, n.answered_at,
                                               n.duration_seconds, n.transfer_to, 1)::voxline_stats_delta)) v(x)
                    WHERE (o.started_at, o.outcome, o.reason, o.answered_at, o.duration_seconds, o.transfer_to)
                          IS DISTINCT FROM
                          (n.started_at, n.outcome, n.reason, n.answered_at, n.duration_seconds, n.transfer_to));
    END IF;
    IF cardinality(d) = 0 THEN
        RETURN NULL;
    END IF;
    -- In key order: two writers lock the statistics rows in the same order.
    INSERT INTO call_daily_stats AS s (tenant_id, day, outcome, reason, calls, answered,
                                       duration_sum, duration_n, transfers)
    SELECT x.tenant_id, (x.started_at AT TIME ZONE t.time_zone)::date,
           coalesce(x.outcome, ''), coalesce(x.reason, ''), sum(x.sign),
           coalesce(sum(x.sign) FILTER (WHERE x.answered_at IS NOT NULL), 0),
           coalesce(sum(x.sign * x.duration_seconds), 0),
           coalesce(sum(x.sign) FILTER (WHERE x.duration_seconds IS NOT NULL), 0),
           coalesce(sum(x.sign) FILTER (WHERE x.transfer_to IS NOT NULL), 0)
      FROM unnest(d) AS x JOIN tenants t ON t.id = x.tenant_id
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, day, outcome, reason) DO UPDATE
       SET calls = s.calls + EXCLUDED.calls,
           answered = s.answered + EXCLUDED.answered,
           duration_sum = s.duration_sum + EXCLUDED.duration_sum,
           duration_n = s.duration_n + EXCLUDED.duration_n,
           transfers = s.transfers + EXCLUDED.transfers;
    RETURN NULL;
END
$$;
