-- 0010_identity: API keys, invitations, password resets, the email
-- outbox and login throttling.
--
-- Tokens (API key secrets, invitation and reset tokens) are stored only
-- as SHA-256 hex digests: a copy of the database does not let anyone in.

-- ---------------------------------------------------------------------
-- api_keys (tenant-owned): "Authorization: Bearer vxk_<prefix>_<secret>"
-- ---------------------------------------------------------------------

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    name         text NOT NULL CHECK (btrim(name) <> ''),
    prefix       text NOT NULL UNIQUE CHECK (prefix ~ '^[a-z0-9]{8}$'),  -- shown in lists
    key_hash     text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    scope        text NOT NULL CHECK (scope IN ('read', 'write')),
    created_by   uuid REFERENCES users ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT api_keys_tenant_id_key UNIQUE (tenant_id, id)
);

CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at DESC);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

-- ---------------------------------------------------------------------
-- invitations (tenant-owned): single-use, expiring, token stored hashed
-- ---------------------------------------------------------------------

CREATE TABLE invitations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    email       text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    role        text NOT NULL
                CHECK (role IN ('owner', 'admin', 'operator', 'analyst', 'viewer')),
    token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    invited_by  uuid REFERENCES users ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz NOT NULL DEFAULT now(),     -- last (re)send
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at  timestamptz,
    CONSTRAINT invitations_tenant_id_key UNIQUE (tenant_id, id)
);

-- One open invitation per address and tenant.
CREATE UNIQUE INDEX invitations_open_key ON invitations (tenant_id, lower(email))
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitations FOR ALL
    USING (voxline_tenant_visible(tenant_id))
    WITH CHECK (voxline_tenant_visible(tenant_id));

-- ---------------------------------------------------------------------
-- password_resets (platform-level, like users): single-use, short expiry
-- ---------------------------------------------------------------------

CREATE TABLE password_resets (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    ip         inet
);

CREATE INDEX password_resets_user_idx ON password_resets (user_id);

-- ---------------------------------------------------------------------
-- email_outbox (platform-level): every message the platform sends; the
-- worker's email job delivers it.  Kept after delivery as a record.
-- ---------------------------------------------------------------------

CREATE TABLE email_outbox (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    to_address  text NOT NULL CHECK (to_address ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    subject     text NOT NULL,
    body_text   text NOT NULL,
    kind        text NOT NULL,                -- invitation, password_reset, ...
    status      text NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'held', 'sent', 'failed')),
    transport   text,                         -- smtp, resend; NULL while held
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);

COMMENT ON COLUMN email_outbox.status IS
    'held: no transport configured, readable by a superadmin in the portal.';

CREATE INDEX email_outbox_created_idx ON email_outbox (created_at DESC);

-- ---------------------------------------------------------------------
-- login_throttle: failures per account (lower-cased address, known or
-- not, so a lock never confirms that an account exists) and per source
-- address.  Platform-level.
-- ---------------------------------------------------------------------

CREATE TABLE login_throttle (
    key             text PRIMARY KEY,          -- 'account:<email>' or 'address:<ip>'
    failures        integer NOT NULL DEFAULT 0,
    last_failure_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz
);
