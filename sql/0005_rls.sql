-- 0005_rls: row-level security on every tenant-owned table.
--
-- The application role owns the tables, so FORCE is needed for the policies
-- to apply to it.  Visibility is decided by voxline_tenant_visible() (0001):
-- the transaction-local setting voxline.tenant_id is the tenant's uuid, or
-- '*' for platform-wide work; unset or empty sees nothing.  Foreign-key
-- checks bypass row-level security; composite (tenant_id, id) foreign keys
-- keep children on their parent's tenant.
--
-- No RLS (platform-level): users, sessions, jobs, system_errors,
-- system_error_occurrences, schema_migrations.

-- tenants: a tenant sees its own row.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants FOR ALL
    USING (voxline_tenant_visible(id))
    WITH CHECK (voxline_tenant_visible(id));

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON memberships FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

ALTER TABLE agents ENABLE ROW LEVEL SECURITY;
ALTER TABLE agents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON agents FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

ALTER TABLE agent_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON agent_versions FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

ALTER TABLE knowledge_bases ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_bases FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_bases FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

ALTER TABLE phone_numbers ENABLE ROW LEVEL SECURITY;
ALTER TABLE phone_numbers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON phone_numbers FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

ALTER TABLE calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE calls FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON calls FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

ALTER TABLE call_turns ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_turns FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON call_turns FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

-- Partitioned: queries through the parent are checked against the parent's
-- policy.  Each partition also carries the same policy (0003,
-- voxline_secure_event_partition) in case one is queried directly.
ALTER TABLE call_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON call_events FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

ALTER TABLE recordings ENABLE ROW LEVEL SECURITY;
ALTER TABLE recordings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON recordings FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

-- audit_log: platform entries (tenant_id NULL) only in platform scope.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log FOR ALL
    USING (voxline_tenant_visible(tenant_id)
           OR (tenant_id IS NULL AND current_setting('voxline.tenant_id', true) = '*'))
    WITH CHECK (voxline_tenant_visible(tenant_id)
                OR (tenant_id IS NULL AND current_setting('voxline.tenant_id', true) = '*'));

-- Self-check: every table or partition with a tenant_id column (other than
-- the deliberately unprotected error log) has forced row-level security and
-- at least one policy.  Fails the migration if one was missed.
DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(c.relname, ', ' ORDER BY c.relname) INTO missing
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
     WHERE n.nspname = current_schema()
       AND c.relkind IN ('r', 'p')
       AND c.relname <> 'system_error_occurrences'
       AND NOT (c.relrowsecurity AND c.relforcerowsecurity
                AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid));
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'tables with tenant_id but no forced row-level security: %', missing;
    END IF;
END
$$;
