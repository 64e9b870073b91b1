-- 0003_calls: calls, call_turns, call_events (partitioned by month), recordings.
--
-- Search: calls.search is a stored generated tsvector ('simple'
-- configuration, no stemming) over the caller's number (as written, digits
-- only, and for +1 numbers the 10-digit national form), reason, summary,
-- string values of captured_data and calls.transcript.  calls.transcript is
-- not written by the application: triggers on call_turns keep it equal to
-- the call's turn texts in seq order, so search covers the transcript too.
-- Query with:  search @@ websearch_to_tsquery('simple', $1)

-- ---------------------------------------------------------------------
-- calls
-- ---------------------------------------------------------------------

CREATE TABLE calls (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    agent_id         uuid NOT NULL,
    agent_version    integer,
    phone_number_id  uuid,
    carrier          text NOT NULL CHECK (carrier IN ('twilio', 'signalwire', 'telnyx')),
    carrier_call_sid text,                 -- NULL until the carrier assigns one (outbound)
    direction        text NOT NULL DEFAULT 'inbound'
                     CHECK (direction IN ('inbound', 'outbound')),
    from_number      text,
    to_number        text,
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'ringing', 'in_progress', 'completed',
                                       'busy', 'no_answer', 'failed', 'canceled')),
    -- Carrier's callback sequence number; apply a status callback only when
    -- status_sequence IS NULL OR status_sequence < the callback's number.
    -- bigint so carriers without sequence numbers can use epoch milliseconds.
    status_sequence  bigint,
    started_at       timestamptz NOT NULL DEFAULT now(),
    answered_at      timestamptz,
    ended_at         timestamptz,
    duration_seconds integer,
    outcome          text,                 -- from the agent's dashboard_signals.outcomes
    reason           text,                 -- from the agent's dashboard_signals.reasons
    pipeline_stage   text,                 -- from the agent's dashboard_signals.pipeline
    summary          text,
    captured_data    jsonb NOT NULL DEFAULT '{}'
                     CHECK (jsonb_typeof(captured_data) = 'object'),
    requires_action  boolean NOT NULL DEFAULT false,
    priority         text NOT NULL DEFAULT 'normal'
                     CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    resolved_at      timestamptz,
    resolved_by      uuid REFERENCES users ON DELETE SET NULL,
    resolution_note  text,
    archived_at      timestamptz,
    archived_by      uuid REFERENCES users ON DELETE SET NULL,
    transfer_to      text,
    transfer_status  text,
    end_reason       text,                 -- why the call ended or failed
    cost_stt         numeric(12,6) NOT NULL DEFAULT 0,
    cost_llm         numeric(12,6) NOT NULL DEFAULT 0,
    cost_tts         numeric(12,6) NOT NULL DEFAULT 0,
    cost_telephony   numeric(12,6) NOT NULL DEFAULT 0,
    cost_total       numeric(12,6) GENERATED ALWAYS AS
                     (cost_stt + cost_llm + cost_tts + cost_telephony) STORED,
    -- {"voice_to_voice": {"p50": ms, "p95": ms}, "stt_final": {...}, "llm_first_token": {...}, ...}
    latency          jsonb NOT NULL DEFAULT '{}'
                     CHECK (jsonb_typeof(latency) = 'object'),
    -- Maintained by the call_turns triggers; do not write it.
    transcript       text NOT NULL DEFAULT '',
    search           tsvector GENERATED ALWAYS AS (
                         setweight(to_tsvector('simple'::regconfig,
                             coalesce(from_number, '') || ' ' ||
                             regexp_replace(coalesce(from_number, ''), '[^0-9]', '', 'g') || ' ' ||
                             CASE WHEN from_number ~ '^\+1[0-9]{10}$'
                                  THEN substr(from_number, 3) ELSE '' END), 'A')
                         || setweight(to_tsvector('simple'::regconfig, coalesce(reason, '')), 'A')
                         || setweight(to_tsvector('simple'::regconfig, coalesce(summary, '')), 'B')
                         || setweight(jsonb_to_tsvector('simple'::regconfig, captured_data, '["string"]'), 'B')
                         || setweight(to_tsvector('simple'::regconfig, transcript), 'C')
                     ) STORED,
    campaign_id      uuid,                 -- campaigns arrive later; no FK yet
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calls_tenant_id_key UNIQUE (tenant_id, id),
    -- Idempotent creation from webhooks: ON CONFLICT (carrier, carrier_call_sid).
    CONSTRAINT calls_carrier_sid_key UNIQUE (carrier, carrier_call_sid),
    CONSTRAINT calls_agent_fkey FOREIGN KEY (tenant_id, agent_id)
        REFERENCES agents (tenant_id, id),
    CONSTRAINT calls_phone_number_fkey FOREIGN KEY (tenant_id, phone_number_id)
        REFERENCES phone_numbers (tenant_id, id) ON DELETE SET NULL (phone_number_id)
);

-- Keyset pagination of the call list: ORDER BY started_at DESC, id DESC.
CREATE INDEX calls_tenant_started_idx ON calls (tenant_id, started_at DESC, id DESC);
-- "Requires action" queue.
CREATE INDEX calls_tenant_action_idx ON calls (tenant_id, priority, started_at)
    WHERE requires_action AND resolved_at IS NULL;
-- Calls from one number (caller history).
CREATE INDEX calls_tenant_from_idx ON calls (tenant_id, from_number);
-- Per-agent lists and statistics.
CREATE INDEX calls_tenant_agent_started_idx ON calls (tenant_id, agent_id, started_at DESC);
-- Full-text search.
CREATE INDEX calls_search_idx ON calls USING gin (search);
-- Live calls, for concurrency caps (count per tenant, or platform-wide).
CREATE INDEX calls_tenant_active_idx ON calls (tenant_id, status)
    WHERE status IN ('queued', 'ringing', 'in_progress');

CREATE TRIGGER calls_updated_at BEFORE UPDATE ON calls
    FOR EACH ROW EXECUTE FUNCTION voxline_set_updated_at();

-- Sort key for priorities: ORDER BY voxline_priority_rank(priority), started_at.
CREATE FUNCTION voxline_priority_rank(p text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE p WHEN 'urgent' THEN 0 WHEN 'high' THEN 1
                  WHEN 'normal' THEN 2 WHEN 'low' THEN 3 END
$$;

-- ---------------------------------------------------------------------
-- call_turns (one row per utterance; idempotent on (call_id, seq))
-- ---------------------------------------------------------------------

CREATE TABLE call_turns (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    call_id      uuid NOT NULL,
    seq          integer NOT NULL CHECK (seq >= 0),
    speaker      text NOT NULL CHECK (speaker IN ('caller', 'agent', 'system')),
    text         text NOT NULL DEFAULT '',
    started_at   timestamptz,
    ended_at     timestamptz,
    offset_ms    integer,                  -- from the start of the call
    interrupted  boolean NOT NULL DEFAULT false,
    provider_stt text,
    provider_llm text,
    provider_tts text,
    -- {"end_of_turn": ms, "stt_final": ms, "llm_first_token": ms,
    --  "tts_first_audio": ms, "voice_to_voice": ms}
    latency_ms   jsonb NOT NULL DEFAULT '{}'
                 CHECK (jsonb_typeof(latency_ms) = 'object'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT call_turns_call_seq_key UNIQUE (call_id, seq),
    CONSTRAINT call_turns_call_fkey FOREIGN KEY (tenant_id, call_id)
        REFERENCES calls (tenant_id, id) ON DELETE CASCADE
);

-- Statement-level: one recomputation per call per statement, however many
-- turns the statement wrote.  Recomputing (rather than appending) keeps the
-- transcript right for out-of-order, updated, deleted and replayed turns.
CREATE FUNCTION voxline_call_turns_transcript() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    ids uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT call_id) INTO ids FROM new_turns;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT call_id) INTO ids
          FROM (SELECT call_id FROM new_turns UNION SELECT call_id FROM old_turns) x;
    ELSE
        SELECT array_agg(DISTINCT call_id) INTO ids FROM old_turns;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    -- Lock the calls first (in a fixed order): the next statement then takes
    -- a fresh snapshot that includes turns committed by anyone we waited for.
    PERFORM 1 FROM calls WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    UPDATE calls c
       SET transcript = x.transcript
      FROM (SELECT i.id,
                   coalesce((SELECT string_agg(t.text, E'\n' ORDER BY t.seq)
                               FROM call_turns t
                              WHERE t.call_id = i.id AND t.text <> ''), '') AS transcript
              FROM unnest(ids) AS i(id)) x
     WHERE c.id = x.id
       AND c.transcript IS DISTINCT FROM x.transcript;
    RETURN NULL;
END
$$;

CREATE TRIGGER call_turns_transcript_ins AFTER INSERT ON call_turns
    REFERENCING NEW TABLE AS new_turns
    FOR EACH STATEMENT EXECUTE FUNCTION voxline_call_turns_transcript();
CREATE TRIGGER call_turns_transcript_upd AFTER UPDATE ON call_turns
    REFERENCING OLD TABLE AS old_turns NEW TABLE AS new_turns
    FOR EACH STATEMENT EXECUTE FUNCTION voxline_call_turns_transcript();
CREATE TRIGGER call_turns_transcript_del AFTER DELETE ON call_turns
    REFERENCING OLD TABLE AS old_turns
    FOR EACH STATEMENT EXECUTE FUNCTION voxline_call_turns_transcript();

-- ---------------------------------------------------------------------
-- call_events (append-only timeline; partitioned by month, UTC)
-- ---------------------------------------------------------------------

CREATE TABLE call_events (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    tenant_id   uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    call_id     uuid NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    type        text NOT NULL,
    data        jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (id, occurred_at),
    CONSTRAINT call_events_call_fkey FOREIGN KEY (tenant_id, call_id)
        REFERENCES calls (tenant_id, id) ON DELETE CASCADE
) PARTITION BY RANGE (occurred_at);

CREATE INDEX call_events_tenant_call_idx ON call_events (tenant_id, call_id, occurred_at);

-- Catches rows whose month has no partition yet, so inserts never fail.
CREATE TABLE call_events_default PARTITION OF call_events DEFAULT;

-- Row-level security for one partition.  Policies apply through the parent
-- (0005_rls); these make direct access to a partition just as strict.
CREATE FUNCTION voxline_secure_event_partition(part regclass) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', part);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', part);
    EXECUTE format('CREATE POLICY tenant_isolation ON %s FOR ALL'
                   ' USING (voxline_tenant_visible(tenant_id))'
                   ' WITH CHECK (voxline_tenant_visible(tenant_id))', part);
END
$$;

SELECT voxline_secure_event_partition('call_events_default');

-- Creates the missing monthly partitions call_events_YYYYMM (UTC months)
-- for `months` months starting with the month containing from_month, and
-- returns how many it created.  Existing partitions are left alone; rows
-- already sitting in call_events_default for a new month are moved into
-- its partition.  Safe to call concurrently and repeatedly; the worker
-- calls it daily, e.g.
--     SELECT voxline_ensure_event_partitions(current_date, 3)
CREATE FUNCTION voxline_ensure_event_partitions(from_month date, months integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_schema  text;
    v_first   date;
    v_month   date;
    v_name    text;
    v_lo      text;
    v_hi      text;
    v_scope   text;
    v_moving  boolean;
    v_created integer := 0;
BEGIN
    IF from_month IS NULL OR months IS NULL OR months < 0 OR months > 1200 THEN
        RAISE EXCEPTION 'voxline_ensure_event_partitions: bad range (%, %)', from_month, months
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT n.nspname INTO v_schema
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = 'call_events'::regclass;
    -- Serialise callers: two workers must not race to create one partition.
    PERFORM pg_advisory_xact_lock(hashtext('voxline_ensure_event_partitions'));
    v_first := date_trunc('month', from_month)::date;
    FOR i IN 0 .. months - 1 LOOP
        v_month := (v_first + make_interval(months => i))::date;
        v_name  := 'call_events_' || to_char(v_month, 'YYYYMM');
        CONTINUE WHEN to_regclass(format('%I.%I', v_schema, v_name)) IS NOT NULL;
        -- Explicit UTC bounds: independent of the session's TimeZone.
        v_lo := to_char(v_month, 'YYYY-MM-DD') || ' 00:00:00+00';
        v_hi := to_char((v_month + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00';

        -- Rows of that month in the default partition (of any tenant: look
        -- in platform scope, then restore the caller's scope).
        v_scope := current_setting('voxline.tenant_id', true);
        PERFORM set_config('voxline.tenant_id', '*', true);
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.call_events_default'
                       ' WHERE occurred_at >= %L AND occurred_at < %L)', v_schema, v_lo, v_hi)
           INTO v_moving;
        IF v_moving THEN
            EXECUTE format('CREATE TABLE %I.%I (LIKE %I.call_events INCLUDING DEFAULTS'
                           ' INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)',
                           v_schema, v_name, v_schema);
            EXECUTE format('WITH moved AS (DELETE FROM %I.call_events_default'
                           ' WHERE occurred_at >= %L AND occurred_at < %L RETURNING *)'
                           ' INSERT INTO %I.%I SELECT * FROM moved',
                           v_schema, v_lo, v_hi, v_schema, v_name);
            EXECUTE format('ALTER TABLE %I.call_events ATTACH PARTITION %I.%I'
                           ' FOR VALUES FROM (%L) TO (%L)',
                           v_schema, v_schema, v_name, v_lo, v_hi);
        ELSE
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.call_events'
                           ' FOR VALUES FROM (%L) TO (%L)',
                           v_schema, v_name, v_schema, v_lo, v_hi);
        END IF;
        PERFORM set_config('voxline.tenant_id', coalesce(v_scope, ''), true);

        PERFORM voxline_secure_event_partition(format('%I.%I', v_schema, v_name)::regclass);
        v_created := v_created + 1;
    END LOOP;
    RETURN v_created;
END
$$;

-- Three months back, the current month and twelve ahead.
SELECT voxline_ensure_event_partitions(
    (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '3 months')::date, 16);

-- ---------------------------------------------------------------------
-- recordings
-- ---------------------------------------------------------------------

CREATE TABLE recordings (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id             uuid NOT NULL REFERENCES tenants ON DELETE CASCADE,
    call_id               uuid NOT NULL,
    carrier_recording_sid text UNIQUE,
    -- pending: announced by the carrier; downloading: a job is fetching it;
    -- stored: file at storage_path; failed: gave up; deleted: purged.
    status                text NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'downloading', 'stored', 'failed', 'deleted')),
    channels              integer NOT NULL DEFAULT 1 CHECK (channels IN (1, 2)),
    duration_seconds      integer,
    size_bytes            bigint,
    sha256                text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    storage_path          text,            -- relative to the recordings directory
    content_type          text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT recordings_call_fkey FOREIGN KEY (tenant_id, call_id)
        REFERENCES calls (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX recordings_tenant_call_idx ON recordings (tenant_id, call_id);

CREATE TRIGGER recordings_updated_at BEFORE UPDATE ON recordings
    FOR EACH ROW EXECUTE FUNCTION voxline_set_updated_at();
