-- 0042_dashboard_daily: per-day call statistics for the overview.
--
-- One row per tenant, local day (in the tenant's time zone), outcome and
-- reason, kept exact by statement-level triggers on calls: the overview of
-- 90 days reads a few thousand rows instead of aggregating every call.
-- A change of the tenant's time zone rebuilds that tenant's rows.

CREATE TABLE call_daily_stats (
    tenant_id    uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    day          date NOT NULL,
    outcome      text NOT NULL DEFAULT '',     -- '' when not recorded
    reason       text NOT NULL DEFAULT '',
    calls        integer NOT NULL DEFAULT 0,
    answered     integer NOT NULL DEFAULT 0,
    duration_sum bigint NOT NULL DEFAULT 0,    -- seconds, over calls with a duration
    duration_n   integer NOT NULL DEFAULT 0,
    transfers    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, outcome, reason)
);

ALTER TABLE call_daily_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_daily_stats FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON call_daily_stats FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

-- The calls a statement added (+1) or took away (-1), by key, added to
-- the statistics in key order (two writers lock rows in the same order).
-- Transition tables are visible to EXECUTE, so one INSERT serves all three
-- operations; an UPDATE counts only rows whose counted columns changed.
CREATE FUNCTION voxline_calls_daily_stats() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    cols constant text := 'tenant_id, started_at, outcome, reason, answered_at, duration_seconds, transfer_to';
    changed constant text := '(n.started_at, n.outcome, n.reason, n.answered_at, n.duration_seconds, n.transfer_to)'
        ' IS DISTINCT FROM (o.started_at, o.outcome, o.reason, o.answered_at, o.duration_seconds, o.transfer_to)';
    delta text;
BEGIN
    delta := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %s, 1 AS sign FROM new_calls', cols)
        WHEN 'DELETE' THEN format('SELECT %s, -1 AS sign FROM old_calls', cols)
        ELSE format('SELECT o.%s, -1 AS sign FROM old_calls o JOIN new_calls n ON n.id = o.id WHERE %s'
                    ' UNION ALL SELECT n.%s, 1 FROM new_calls n JOIN old_calls o ON o.id = n.id WHERE %s',
                    replace(cols, ', ', ', o.'), changed, replace(cols, ', ', ', n.'), changed)
    END;
    EXECUTE format($q$
        INSERT INTO call_daily_stats AS s (tenant_id, day, outcome, reason, calls, answered,
                                           duration_sum, duration_n, transfers)
        SELECT d.tenant_id, (d.started_at AT TIME ZONE t.time_zone)::date,
               coalesce(d.outcome, ''), coalesce(d.reason, ''), sum(d.sign),
               coalesce(sum(d.sign) FILTER (WHERE d.answered_at IS NOT NULL), 0),
               coalesce(sum(d.sign * d.duration_seconds), 0),
               coalesce(sum(d.sign) FILTER (WHERE d.duration_seconds IS NOT NULL), 0),
               coalesce(sum(d.sign) FILTER (WHERE d.transfer_to IS NOT NULL), 0)
          FROM (%s) d JOIN tenants t ON t.id = d.tenant_id
         GROUP BY 1, 2, 3, 4
         ORDER BY 1, 2, 3, 4
        ON CONFLICT (tenant_id, day, outcome, reason) DO UPDATE
           SET calls = s.calls + EXCLUDED.calls,
               answered = s.answered + EXCLUDED.answered,
               duration_sum = s.duration_sum + EXCLUDED.duration_sum,
               duration_n = s.duration_n + EXCLUDED.duration_n,
               transfers = s.transfers + EXCLUDED.transfers$q$, delta);
    RETURN NULL;
END
$$;

CREATE TRIGGER calls_daily_stats_ins AFTER INSERT ON calls
    REFERENCING NEW TABLE AS new_calls
    FOR EACH STATEMENT EXECUTE FUNCTION voxline_calls_daily_stats();
CREATE TRIGGER calls_daily_stats_upd AFTER UPDATE ON calls
    REFERENCING OLD TABLE AS old_calls NEW TABLE AS new_calls
    FOR EACH STATEMENT EXECUTE FUNCTION voxline_calls_daily_stats();
CREATE TRIGGER calls_daily_stats_del AFTER DELETE ON calls
    REFERENCING OLD TABLE AS old_calls
    FOR EACH STATEMENT EXECUTE FUNCTION voxline_calls_daily_stats();

-- Rebuilds one tenant's statistics from its calls (time zone changes).
CREATE FUNCTION voxline_daily_stats_rebuild(tenant uuid) RETURNS void
LANGUAGE sql
AS $$
    DELETE FROM call_daily_stats WHERE tenant_id = tenant;
    INSERT INTO call_daily_stats (tenant_id, day, outcome, reason, calls, answered,
                                  duration_sum, duration_n, transfers)
    SELECT c.tenant_id, (c.started_at AT TIME ZONE t.time_zone)::date,
           coalesce(c.outcome, ''), coalesce(c.reason, ''), count(*), count(c.answered_at),
           coalesce(sum(c.duration_seconds), 0), count(c.duration_seconds), count(c.transfer_to)
      FROM calls c JOIN tenants t ON t.id = c.tenant_id
     WHERE c.tenant_id = tenant
     GROUP BY 1, 2, 3, 4;
$$;

CREATE FUNCTION voxline_tenant_zone_stats() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.time_zone IS DISTINCT FROM OLD.time_zone THEN
        PERFORM voxline_daily_stats_rebuild(NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER tenants_zone_stats AFTER UPDATE OF time_zone ON tenants
    FOR EACH ROW EXECUTE FUNCTION voxline_tenant_zone_stats();

-- The calls already there (platform scope, for this transaction only).
SELECT set_config('voxline.tenant_id', '*', true);
SELECT voxline_daily_stats_rebuild(id) FROM tenants;
SELECT set_config('voxline.tenant_id', '', true);
