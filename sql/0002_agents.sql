-- 0002_agents: agents, agent_versions, knowledge_bases, phone_numbers.
--
-- Tenant-owned tables carry tenant_id and reference their parents through
-- composite keys (tenant_id, id), so a child can never point at another
-- tenant's row (foreign-key checks bypass row-level security) and the
-- schema fits a database sharded by tenant_id.

-- ---------------------------------------------------------------------
-- agents
-- ---------------------------------------------------------------------

CREATE TABLE agents (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id              uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    name                   text NOT NULL CHECK (btrim(name) <> ''),
    business_name          text,
    industry               text,
    status                 text NOT NULL DEFAULT 'draft'
                           CHECK (status IN ('draft', 'live', 'disabled')),
    greeting               text NOT NULL DEFAULT '',
    platform_prompt        text NOT NULL DEFAULT '',
    tenant_prompt          text NOT NULL DEFAULT '',
    voice                  text,                    -- NULL: the TTS provider's default
    language               text NOT NULL DEFAULT 'en-US',
    time_zone              text,                    -- IANA name; NULL: the tenant's
    -- Weekly opening hours in the agent's time zone:
    --   {"mon": [{"open": "08:00", "close": "17:00"}], ..., "sun": []}
    -- A missing or empty day is closed; several intervals allow split days.
    hours                  jsonb NOT NULL DEFAULT '{}'
                           CHECK (jsonb_typeof(hours) = 'object'),
    -- Provider chains, primary first, then fallbacks.
    stt_chain              jsonb NOT NULL DEFAULT '["pocketsphinx"]'
                           CHECK (jsonb_typeof(stt_chain) = 'array' AND jsonb_array_length(stt_chain) > 0),
    llm_chain              jsonb NOT NULL DEFAULT '["local"]'
                           CHECK (jsonb_typeof(llm_chain) = 'array' AND jsonb_array_length(llm_chain) > 0),
    tts_chain              jsonb NOT NULL DEFAULT '["espeak-ng"]'
                           CHECK (jsonb_typeof(tts_chain) = 'array' AND jsonb_array_length(tts_chain) > 0),
    transfer_number        text CHECK (transfer_number ~ '^\+[1-9][0-9]{6,14}$'),
    voicemail_enabled      boolean NOT NULL DEFAULT false,
    message_taking_enabled boolean NOT NULL DEFAULT true,
    recording_enabled      boolean NOT NULL DEFAULT false,
    recording_channels     text NOT NULL DEFAULT 'mono'
                           CHECK (recording_channels IN ('mono', 'dual')),
    max_duration_seconds   integer NOT NULL DEFAULT 1800
                           CHECK (max_duration_seconds BETWEEN 30 AND 14400),
    modulations            jsonb NOT NULL DEFAULT '{}'
                           CHECK (jsonb_typeof(modulations) = 'object'),
    -- What the dashboard shows and flags:
    --   {"reasons": ["appointment", ...], "outcomes": ["answered", ...],
    --    "pipeline": ["new", ...],
    --    "requires_action": [{"when": {"reason": "emergency"}, "priority": "urgent"}, ...]}
    dashboard_signals      jsonb NOT NULL
                           DEFAULT '{"reasons": [], "outcomes": [], "pipeline": [], "requires_action": []}'
                           CHECK (jsonb_typeof(dashboard_signals) = 'object'),
    version                integer NOT NULL DEFAULT 1 CHECK (version > 0),
    onboarding_step        integer NOT NULL DEFAULT 0 CHECK (onboarding_step >= 0),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agents_tenant_id_key UNIQUE (tenant_id, id)
);

COMMENT ON COLUMN agents.version IS 'Current configuration version; agent_versions holds a snapshot per version.';

CREATE INDEX agents_tenant_status_idx ON agents (tenant_id, status);

CREATE TRIGGER agents_updated_at BEFORE UPDATE ON agents
    FOR EACH ROW EXECUTE FUNCTION voxline_set_updated_at();
CREATE TRIGGER agents_time_zone BEFORE INSERT OR UPDATE OF time_zone ON agents
    FOR EACH ROW EXECUTE FUNCTION voxline_check_time_zone();

-- The configuration snapshot stored in agent_versions.config: every column
-- of the agent except identity, bookkeeping, its live/draft status and the
-- version number itself.
-- Use it everywhere a version is recorded so snapshots have one shape:
--   INSERT INTO agent_versions (tenant_id, agent_id, version, config, created_by, note)
--   SELECT tenant_id, id, version, voxline_agent_config(a), $2, $3 FROM agents a WHERE id = $1
CREATE FUNCTION voxline_agent_config(a agents) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT to_jsonb(a) - ARRAY['id', 'tenant_id', 'status', 'version',
                              'onboarding_step', 'created_at', 'updated_at']
$$;

-- ---------------------------------------------------------------------
-- agent_versions (immutable snapshots of an agent's configuration)
-- ---------------------------------------------------------------------

CREATE TABLE agent_versions (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    agent_id   uuid NOT NULL,
    version    integer NOT NULL CHECK (version > 0),
    config     jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object'),
    created_by uuid REFERENCES users ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    note       text,
    CONSTRAINT agent_versions_agent_version_key UNIQUE (agent_id, version),
    CONSTRAINT agent_versions_agent_fkey FOREIGN KEY (tenant_id, agent_id)
        REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX agent_versions_tenant_agent_idx ON agent_versions (tenant_id, agent_id, version DESC);

-- ---------------------------------------------------------------------
-- knowledge_bases (what the agent may answer from)
-- ---------------------------------------------------------------------

CREATE TABLE knowledge_bases (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    agent_id      uuid NOT NULL,
    name          text NOT NULL CHECK (btrim(name) <> ''),
    content       text NOT NULL DEFAULT '',   -- plain passages separated by blank lines
    filler_phrase text,                       -- said while looking something up
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT knowledge_bases_agent_fkey FOREIGN KEY (tenant_id, agent_id)
        REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX knowledge_bases_tenant_agent_idx ON knowledge_bases (tenant_id, agent_id);

CREATE TRIGGER knowledge_bases_updated_at BEFORE UPDATE ON knowledge_bases
    FOR EACH ROW EXECUTE FUNCTION voxline_set_updated_at();

-- ---------------------------------------------------------------------
-- phone_numbers (inbound routing: the called number picks tenant and agent)
-- ---------------------------------------------------------------------

CREATE TABLE phone_numbers (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    agent_id   uuid,                          -- NULL: not routed
    e164       text NOT NULL UNIQUE CHECK (e164 ~ '^\+[1-9][0-9]{6,14}$'),
    carrier    text NOT NULL CHECK (carrier IN ('twilio', 'signalwire', 'telnyx')),
    label      text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT phone_numbers_tenant_id_key UNIQUE (tenant_id, id),
    -- Deleting the agent un-routes the number (only agent_id is cleared).
    CONSTRAINT phone_numbers_agent_fkey FOREIGN KEY (tenant_id, agent_id)
        REFERENCES agents (tenant_id, id) ON DELETE SET NULL (agent_id)
);

CREATE INDEX phone_numbers_tenant_agent_idx ON phone_numbers (tenant_id, agent_id);

CREATE TRIGGER phone_numbers_updated_at BEFORE UPDATE ON phone_numbers
    FOR EACH ROW EXECUTE FUNCTION voxline_set_updated_at();
