-- 0050_agent_versions: rolling an agent back to a stored version, and
-- every call recording the agent version it ran with.

-- Writes a configuration snapshot (agent_versions.config, the shape of
-- voxline_agent_config) back onto the agent.  Only keys that are columns of
-- agents today are applied, so snapshots taken before a column existed
-- still restore; identity, status and bookkeeping columns never change.
-- Runs as the caller: row-level security applies.
CREATE FUNCTION voxline_agent_apply_config(p_agent uuid, p_config jsonb) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    v_set text;
BEGIN
    SELECT string_agg(format('%I = r.%I', c.column_name, c.column_name), ', ')
      INTO v_set
      FROM information_schema.columns c
     WHERE c.table_schema = current_schema()
       AND c.table_name = 'agents'
       AND p_config ? c.column_name
       AND c.column_name NOT IN ('id', 'tenant_id', 'status', 'version',
                                 'onboarding_step', 'created_at', 'updated_at');
    IF v_set IS NULL THEN
        RETURN;
    END IF;
    EXECUTE format('UPDATE agents a SET %s FROM jsonb_populate_record(NULL::agents, $1) r'
                   ' WHERE a.id = $2', v_set)
      USING p_config, p_agent;
END
$$;

COMMENT ON FUNCTION voxline_agent_apply_config(uuid, jsonb) IS
    'Applies an agent_versions.config snapshot to the agent (roll back); the caller records the new version.';

-- A call runs with the agent's current version unless its writer says
-- otherwise; filled at insert so no writer can forget it.
CREATE FUNCTION voxline_calls_agent_version() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.agent_version IS NULL THEN
        SELECT a.version INTO NEW.agent_version
          FROM agents a
         WHERE a.tenant_id = NEW.tenant_id AND a.id = NEW.agent_id;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER calls_agent_version BEFORE INSERT ON calls
    FOR EACH ROW EXECUTE FUNCTION voxline_calls_agent_version();

-- Version history pages list an agent's versions newest first; the
-- existing (tenant_id, agent_id, version DESC) index serves them.
