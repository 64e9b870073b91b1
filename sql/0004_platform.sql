-- 0004_platform: system_errors, system_error_occurrences, jobs, audit_log.

-- ---------------------------------------------------------------------
-- system_errors: one row per error code seen (lib/errors.c upserts it)
-- ---------------------------------------------------------------------

CREATE TABLE system_errors (
    code        text PRIMARY KEY,
    category    text NOT NULL,
    severity    text NOT NULL,
    message     text NOT NULL,
    first_seen  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    occurrences bigint NOT NULL DEFAULT 1,
    resolved_at timestamptz,
    resolved_by uuid REFERENCES users ON DELETE SET NULL
);

-- ---------------------------------------------------------------------
-- system_error_occurrences: one row per recorded error (id ERR_YYYYMMDD_XXXXXX).
-- call_id and tenant_id have no foreign keys on purpose: an error must be
-- recordable even about rows that failed to come into existence.  No RLS.
-- ---------------------------------------------------------------------

CREATE TABLE system_error_occurrences (
    id             text PRIMARY KEY,
    code           text NOT NULL REFERENCES system_errors ON DELETE CASCADE,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    correlation_id text,
    call_id        uuid,
    tenant_id      uuid,
    detail         text
);

CREATE INDEX system_error_occurrences_code_idx
    ON system_error_occurrences (code, occurred_at DESC);
CREATE INDEX system_error_occurrences_correlation_idx
    ON system_error_occurrences (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX system_error_occurrences_call_idx
    ON system_error_occurrences (call_id) WHERE call_id IS NOT NULL;

-- ---------------------------------------------------------------------
-- jobs: the PostgreSQL work queue.  A worker picks with
--   SELECT ... FROM jobs WHERE status = 'queued' AND queue = $1 AND run_at <= now()
--   ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED
-- and LISTENs on channel voxline_jobs (payload: the queue name) to wake.
-- ---------------------------------------------------------------------

CREATE TABLE jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue        text NOT NULL CHECK (queue <> ''),
    payload      jsonb NOT NULL DEFAULT '{}',
    status       text NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    run_at       timestamptz NOT NULL DEFAULT now(),
    locked_at    timestamptz,
    locked_by    text,                      -- worker identity (host:pid)
    last_error   text,
    -- Optional: enqueue once per key, INSERT ... ON CONFLICT (queue, dedupe_key) DO NOTHING.
    dedupe_key   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    CONSTRAINT jobs_queue_dedupe_key UNIQUE (queue, dedupe_key)
);

CREATE INDEX jobs_pick_idx ON jobs (status, queue, run_at) WHERE status = 'queued';
-- Finding jobs whose worker died (running with an old locked_at).
CREATE INDEX jobs_running_idx ON jobs (locked_at) WHERE status = 'running';

CREATE FUNCTION voxline_jobs_notify() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    -- Delivered at commit; identical notifications in one transaction are
    -- folded into one, so bulk inserts wake workers once per queue.
    PERFORM pg_notify('voxline_jobs', NEW.queue);
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_notify AFTER INSERT ON jobs
    FOR EACH ROW EXECUTE FUNCTION voxline_jobs_notify();

-- ---------------------------------------------------------------------
-- audit_log: who did what; append-only.
-- tenant_id is NULL for platform actions.  actor_user_id has no foreign key
-- so that the trail outlives the user.
-- ---------------------------------------------------------------------

CREATE TABLE audit_log (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id            uuid REFERENCES tenants,
    actor_user_id        uuid,
    actor_api_key_prefix text,
    action               text NOT NULL,      -- e.g. agent.update, call.resolve, user.login
    target_type          text,
    target_id            text,
    source_ip            inet,
    correlation_id       text,
    before               jsonb,
    after                jsonb,
    created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_log_tenant_created_idx ON audit_log (tenant_id, created_at DESC, id DESC);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC, id DESC);
CREATE INDEX audit_log_tenant_target_idx ON audit_log (tenant_id, target_type, target_id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, created_at DESC)
    WHERE actor_user_id IS NOT NULL;

CREATE FUNCTION voxline_audit_log_immutable() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION voxline_audit_log_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION voxline_audit_log_immutable();
