-- 0060_providers: credentials for cloud providers, and the health of each
-- provider's circuit breaker as the media daemons see it.
--
-- Provider names are those of lib/providers.def.

-- ---------------------------------------------------------------------
-- provider_credentials: one per provider platform-wide (tenant_id NULL)
-- and at most one per provider per tenant.  The secret is sealed by the
-- application (AES-256-GCM, "v1:" base64(nonce|ciphertext|tag)) with the
-- tenant id ('*' for platform rows) and the provider as associated data,
-- so a value copied to another row does not open.  secret_hint holds the
-- last 4 characters, the only part of the secret ever shown again.
-- ---------------------------------------------------------------------

CREATE TABLE provider_credentials (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid REFERENCES tenants ON DELETE CASCADE,   -- NULL: platform-wide
    provider         text NOT NULL CHECK (provider ~ '^[a-z0-9_-]{1,32}$'),
    base_url         text NOT NULL DEFAULT '' CHECK (length(base_url) <= 511),
    secret_sealed    text NOT NULL CHECK (secret_sealed LIKE 'v1:%'),
    secret_hint      text NOT NULL CHECK (length(secret_hint) <= 4),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    created_by       uuid REFERENCES users ON DELETE SET NULL,
    last_test_at     timestamptz,
    last_test_ok     boolean,
    last_test_detail text,
    CONSTRAINT provider_credentials_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT provider_credentials_owner_key UNIQUE NULLS NOT DISTINCT (tenant_id, provider)
);

CREATE TRIGGER provider_credentials_updated_at BEFORE UPDATE ON provider_credentials
    FOR EACH ROW EXECUTE FUNCTION voxline_set_updated_at();

-- A tenant sees only its own rows; platform rows (tenant_id NULL) are
-- visible only in platform scope ('*'), where voxline_tenant_visible is
-- true for every row.
ALTER TABLE provider_credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE provider_credentials FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON provider_credentials FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

-- ---------------------------------------------------------------------
-- provider_health (platform-level): the breaker of one provider in one
-- media daemon worker (instance "host:pid:worker").  Written by
-- voxline-media on every transition and refreshed while calls run.
-- ---------------------------------------------------------------------

CREATE TABLE provider_health (
    provider             text NOT NULL,
    instance             text NOT NULL,
    state                text NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
    consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    last_error           text,
    last_transition_at   timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, instance)
);

-- ---------------------------------------------------------------------
-- provider_transitions (platform-level, append-only): every change of a
-- breaker's state.  Filled by a trigger on provider_health, so writers
-- only upsert provider_health and history cannot be forgotten.
-- ---------------------------------------------------------------------

CREATE TABLE provider_transitions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider   text NOT NULL,
    instance   text NOT NULL,
    from_state text,                 -- NULL: first report of this breaker
    to_state   text NOT NULL,
    reason     text,
    at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX provider_transitions_at_idx ON provider_transitions (at DESC, id DESC);

CREATE FUNCTION voxline_provider_transition() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.state IS DISTINCT FROM NEW.state THEN
        INSERT INTO provider_transitions (provider, instance, from_state, to_state, reason, at)
        VALUES (NEW.provider, NEW.instance,
                CASE WHEN TG_OP = 'UPDATE' THEN OLD.state END,
                NEW.state, NEW.last_error,
                -- a writer that forgot to move last_transition_at still
                -- gets the time of the change
                CASE WHEN TG_OP = 'UPDATE' AND NEW.last_transition_at = OLD.last_transition_at
                     THEN now() ELSE NEW.last_transition_at END);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER provider_health_transition AFTER INSERT OR UPDATE OF state ON provider_health
    FOR EACH ROW EXECUTE FUNCTION voxline_provider_transition();
