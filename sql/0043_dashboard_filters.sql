-- 0043_dashboard_filters: the call log filtered by reason or outcome.
--
-- Both are the tenant's own small vocabularies, so one value is a fraction
-- of the calls, and the list wants them newest (or oldest) first.  With
-- only (tenant_id, started_at) the planner walks every call of the period
-- and drops the others row by row (a month of a busy line is tens of
-- thousands of rows); with the filter column between the tenant and the
-- date, the same keyset walk reads only that value's calls, in order, and
-- stops after a page.  Measured in docs/benchmarks.md.
CREATE INDEX calls_tenant_reason_started_idx ON calls (tenant_id, reason, started_at DESC, id DESC);
CREATE INDEX calls_tenant_outcome_started_idx ON calls (tenant_id, outcome, started_at DESC, id DESC);
