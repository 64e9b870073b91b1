-- 0001_core: helpers, tenants, users, memberships, sessions.
--
-- Applied by the migration runner inside one transaction, as the
-- (non-superuser) role that owns the database.  Forward-only: never edit
-- this file once released; add a new numbered migration instead.
--
-- Tenant isolation contract (row-level security is enabled in 0005_rls):
-- each transaction sets
--     SELECT set_config('voxline.tenant_id', '<tenant uuid>', true)
-- or '*' for platform-wide work (superadmin, worker, media daemon, login).
-- Unset or empty means nothing tenant-owned is visible (deny by default).

-- ---------------------------------------------------------------------
-- Helpers
-- ---------------------------------------------------------------------

-- True when rows of tenant t are visible in this transaction.  Plain SQL,
-- STABLE, not STRICT, no SET clause and not SECURITY DEFINER, so the
-- planner inlines it into every policy.  The tenant id must be set in its
-- canonical text form (lower-case, as uuid::text prints it).
CREATE FUNCTION voxline_tenant_visible(t uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT coalesce(current_setting('voxline.tenant_id', true), '') = '*'
        OR coalesce(current_setting('voxline.tenant_id', true), '') = t::text
$$;

COMMENT ON FUNCTION voxline_tenant_visible(uuid) IS
    'Row-level security predicate: true when voxline.tenant_id is ''*'' or equals the tenant id; unset/empty denies.';

-- BEFORE UPDATE trigger: keeps updated_at current.
CREATE FUNCTION voxline_set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

-- BEFORE INSERT OR UPDATE trigger for tables with a time_zone column:
-- rejects names PostgreSQL cannot use (pages convert with AT TIME ZONE,
-- so a bad name would break every query that shows times).  NULL passes.
CREATE FUNCTION voxline_check_time_zone() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.time_zone IS NOT NULL THEN
        BEGIN
            PERFORM now() AT TIME ZONE NEW.time_zone;
        EXCEPTION WHEN invalid_parameter_value THEN
            RAISE EXCEPTION 'unknown time zone: %', NEW.time_zone
                USING ERRCODE = 'check_violation', COLUMN = 'time_zone',
                      TABLE = TG_TABLE_NAME;
        END;
    END IF;
    RETURN NEW;
END
$$;

-- ---------------------------------------------------------------------
-- tenants
-- ---------------------------------------------------------------------

CREATE TABLE tenants (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                 text NOT NULL CHECK (btrim(name) <> ''),
    slug                 text NOT NULL UNIQUE
                         CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'),
    plan                 text NOT NULL DEFAULT 'base'
                         CHECK (plan IN ('base', 'pro', 'insights', 'global')),
    status               text NOT NULL DEFAULT 'active'
                         CHECK (status IN ('active', 'suspended')),
    time_zone            text NOT NULL DEFAULT 'UTC',      -- IANA name
    retention_days       integer NOT NULL DEFAULT 90 CHECK (retention_days > 0),
    max_concurrent_calls integer NOT NULL DEFAULT 5 CHECK (max_concurrent_calls >= 0),
    monthly_minutes      integer NOT NULL DEFAULT 1000 CHECK (monthly_minutes >= 0),
    settings             jsonb NOT NULL DEFAULT '{}'
                         CHECK (jsonb_typeof(settings) = 'object'),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tenants IS 'A business using the platform; every tenant-owned row references it.';
COMMENT ON COLUMN tenants.retention_days IS 'Calls, transcripts and recordings older than this are purged by the retention job.';
COMMENT ON COLUMN tenants.monthly_minutes IS 'Included call minutes per calendar month (in the tenant''s time zone).';

CREATE TRIGGER tenants_updated_at BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION voxline_set_updated_at();
CREATE TRIGGER tenants_time_zone BEFORE INSERT OR UPDATE OF time_zone ON tenants
    FOR EACH ROW EXECUTE FUNCTION voxline_check_time_zone();

-- ---------------------------------------------------------------------
-- users (platform-level: a user may belong to several tenants; no RLS)
-- ---------------------------------------------------------------------

CREATE TABLE users (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email               text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    name                text NOT NULL DEFAULT '',
    password_hash       text,              -- PHC string ($argon2id$...); NULL while invited
    is_superadmin       boolean NOT NULL DEFAULT false,
    status              text NOT NULL DEFAULT 'invited'
                        CHECK (status IN ('invited', 'active', 'disabled')),
    failed_logins       integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until        timestamptz,
    last_login_at       timestamptz,
    password_changed_at timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_active_has_password
        CHECK (status <> 'active' OR password_hash IS NOT NULL)
);

-- Case-insensitive uniqueness; look users up with WHERE lower(email) = lower($1).
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION voxline_set_updated_at();

-- ---------------------------------------------------------------------
-- memberships (a user's role in a tenant)
-- ---------------------------------------------------------------------

CREATE TABLE memberships (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    role       text NOT NULL
               CHECK (role IN ('owner', 'admin', 'operator', 'analyst', 'viewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT memberships_tenant_user_key UNIQUE (tenant_id, user_id)
);

-- "Which tenants does this user belong to" (login, tenant switcher).
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TRIGGER memberships_updated_at BEFORE UPDATE ON memberships
    FOR EACH ROW EXECUTE FUNCTION voxline_set_updated_at();

-- ---------------------------------------------------------------------
-- sessions (browser sessions; platform-level, no RLS)
-- ---------------------------------------------------------------------

CREATE TABLE sessions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash        text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),  -- SHA-256 hex of the cookie token
    user_id           uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    current_tenant_id uuid REFERENCES tenants ON DELETE SET NULL,
    csrf_token        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_seen_at      timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL,  -- absolute expiry
    ip                inet,
    user_agent        text,
    revoked_at        timestamptz
);

CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
