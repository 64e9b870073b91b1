-- 0061_call_ai_runs: work done on a call by an AI provider after the call
-- (today: the post-call transcript from AssemblyAI), with its usage and
-- cost.  One run per call, kind and provider.
--
-- A run is submitted with a webhook whose auth header carries a secret
-- made for that run; only its SHA-256 (hex) is stored and compared.

CREATE TABLE call_ai_runs (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id           uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    call_id             uuid NOT NULL,
    recording_id        uuid,
    kind                text NOT NULL CHECK (kind IN ('transcript')),
    provider            text NOT NULL,
    -- submitting: the job is sending it; submitted: the provider has it;
    -- completed: result stored; failed: error recorded.
    status              text NOT NULL DEFAULT 'submitting'
                        CHECK (status IN ('submitting', 'submitted', 'completed', 'failed')),
    external_id         text,                 -- the provider's id (transcript id)
    webhook_secret_hash text NOT NULL CHECK (webhook_secret_hash ~ '^[0-9a-f]{64}$'),
    audio_seconds       numeric(12,3),
    cost                numeric(12,6) NOT NULL DEFAULT 0,
    result              jsonb,                -- {"text", "language_code", "confidence", "words"}
    error               text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    completed_at        timestamptz,
    CONSTRAINT call_ai_runs_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT call_ai_runs_once_key UNIQUE (call_id, kind, provider),
    CONSTRAINT call_ai_runs_call_fkey FOREIGN KEY (tenant_id, call_id)
        REFERENCES calls (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX call_ai_runs_tenant_call_idx ON call_ai_runs (tenant_id, call_id);

CREATE TRIGGER call_ai_runs_updated_at BEFORE UPDATE ON call_ai_runs
    FOR EACH ROW EXECUTE FUNCTION voxline_set_updated_at();

ALTER TABLE call_ai_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_ai_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON call_ai_runs FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));
