-- 0020_telephony: the carrier edge.  Webhook attempt log, how each call was
-- answered, prompt variables of outbound calls, campaigns and their targets,
-- and the index that keeps concurrency caps cheap to count.

-- ---------------------------------------------------------------------
-- calls: what the platform answered, and variables for outbound prompts
-- ---------------------------------------------------------------------

-- stream: connected to voxline-media; message: a spoken message then
-- hang-up; voicemail: a message then a recording.  NULL until answered.
ALTER TABLE calls ADD COLUMN answer text
    CHECK (answer IN ('stream', 'message', 'voicemail'));
ALTER TABLE calls ADD COLUMN prompt_variables jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(prompt_variables) = 'object');

COMMENT ON COLUMN calls.answer IS 'How the call was answered: stream (agent), message (spoken refusal), voicemail.';
COMMENT ON COLUMN calls.prompt_variables IS 'Variables given when the call was placed (POST /api/v1/calls), for the agent''s prompt.';

-- ---------------------------------------------------------------------
-- campaigns: outbound dialing of a target list within a window
-- ---------------------------------------------------------------------

CREATE TABLE campaigns (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id         uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    agent_id          uuid NOT NULL,
    name              text NOT NULL CHECK (btrim(name) <> ''),
    status            text NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft', 'running', 'paused', 'cancelled', 'completed')),
    -- Daily window in the tenant's time zone; calls start only inside it.
    window_start      time NOT NULL DEFAULT '09:00',
    window_end        time NOT NULL DEFAULT '17:00',
    -- ISO days of the week (1 = Monday) on which the window opens.
    window_days       integer[] NOT NULL DEFAULT '{1,2,3,4,5}'
                      CHECK (window_days <@ '{1,2,3,4,5,6,7}' AND cardinality(window_days) > 0),
    max_concurrency   integer NOT NULL DEFAULT 1 CHECK (max_concurrency BETWEEN 1 AND 1000),
    -- Retry policy: which end states are retried, how often, how long apart.
    retry_on          text[] NOT NULL DEFAULT '{busy,no_answer,failed}'
                      CHECK (retry_on <@ '{busy,no_answer,failed}'),
    max_attempts      integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 10),
    retry_delay_seconds integer NOT NULL DEFAULT 1800 CHECK (retry_delay_seconds BETWEEN 60 AND 604800),
    created_by        uuid REFERENCES users ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT campaigns_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT campaigns_agent_fkey FOREIGN KEY (tenant_id, agent_id)
        REFERENCES agents (tenant_id, id)
);

CREATE INDEX campaigns_running_idx ON campaigns (status) WHERE status = 'running';

CREATE TRIGGER campaigns_updated_at BEFORE UPDATE ON campaigns
    FOR EACH ROW EXECUTE FUNCTION voxline_set_updated_at();

CREATE TABLE campaign_targets (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    campaign_id     uuid NOT NULL,
    phone           text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    variables       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(variables) = 'object'),
    -- pending: waiting to be dialled (again); calling: a call is live;
    -- done: reached; failed: gave up after the retry policy; cancelled.
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'calling', 'done', 'failed', 'cancelled')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_call_id    uuid,
    last_result     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT campaign_targets_phone_key UNIQUE (campaign_id, phone),
    CONSTRAINT campaign_targets_campaign_fkey FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT campaign_targets_call_fkey FOREIGN KEY (tenant_id, last_call_id)
        REFERENCES calls (tenant_id, id) ON DELETE SET NULL (last_call_id)
);

CREATE INDEX campaign_targets_due_idx ON campaign_targets (campaign_id, next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX campaign_targets_calling_idx ON campaign_targets (campaign_id)
    WHERE status = 'calling';

CREATE TRIGGER campaign_targets_updated_at BEFORE UPDATE ON campaign_targets
    FOR EACH ROW EXECUTE FUNCTION voxline_set_updated_at();

ALTER TABLE calls ADD CONSTRAINT calls_campaign_fkey FOREIGN KEY (tenant_id, campaign_id)
    REFERENCES campaigns (tenant_id, id) ON DELETE SET NULL (campaign_id);

-- Live calls of a campaign (its concurrency cap).
CREATE INDEX calls_campaign_active_idx ON calls (campaign_id)
    WHERE status IN ('queued', 'ringing', 'in_progress') AND campaign_id IS NOT NULL;

ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaigns FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaigns FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

ALTER TABLE campaign_targets ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_targets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaign_targets FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

-- ---------------------------------------------------------------------
-- webhook_attempts: every request that reached a carrier webhook, for the
-- platform operator (platform-level: a forged request has no tenant; no RLS).
-- ---------------------------------------------------------------------

CREATE TABLE webhook_attempts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    carrier          text NOT NULL,
    endpoint         text NOT NULL,            -- voice, status, recording
    source_addr      inet,
    signature_valid  boolean NOT NULL,
    -- answered, rejected:<reason>, duplicate, updated, stale, ignored,
    -- forbidden_source, bad_signature, malformed, error
    result           text NOT NULL,
    http_status      integer NOT NULL,
    duration_ms      numeric(10,3) NOT NULL,
    carrier_call_sid text,
    correlation_id   text,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX webhook_attempts_created_idx ON webhook_attempts (created_at DESC, id DESC);
CREATE INDEX webhook_attempts_call_idx ON webhook_attempts (carrier, carrier_call_sid)
    WHERE carrier_call_sid IS NOT NULL;
