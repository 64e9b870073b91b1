-- 0040_dashboard: the customer dashboard's own state and its indexes.

-- Who has dismissed the welcome tour (shown on the overview until then).
CREATE TABLE dashboard_tours (
    tenant_id    uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    dismissed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);

ALTER TABLE dashboard_tours ENABLE ROW LEVEL SECURITY;
ALTER TABLE dashboard_tours FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dashboard_tours FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

-- "Changes since" polling: max(updated_at) per tenant from the index alone.
CREATE INDEX calls_tenant_updated_idx ON calls (tenant_id, updated_at);

-- Keyset pagination of the call log sorted by duration (longest and
-- shortest first); the sort key is coalesce(duration_seconds, 0).
CREATE INDEX calls_tenant_duration_idx
    ON calls (tenant_id, (coalesce(duration_seconds, 0)), id);
