-- Benchmark data for the customer dashboard: one tenant with one million
-- calls over a year (and a neighbour tenant with 50,000, so the tenant
-- filter has something to filter), 5% of them with a transcript of four
-- turns and three timeline events.  Written through SQL like the media
-- daemon writes calls; run in platform scope by tests/bench/dashboard.sh.
-- Deterministic: the same data every run (relative to now()).
-- psql variables: calls (default 1000000).

\if :{?calls}
\else
\set calls 1000000
\endif

SET voxline.tenant_id = '*';
SET synchronous_commit = off;

INSERT INTO tenants (name, slug, plan, time_zone)
VALUES ('Bench Dental', 'bench-dental', 'pro', 'America/New_York'),
       ('Bench Neighbour', 'bench-neighbour', 'pro', 'Europe/London')
ON CONFLICT (slug) DO NOTHING;

INSERT INTO agents (tenant_id, name, status, dashboard_signals)
SELECT t.id, 'Front desk', 'live',
       '{"reasons": ["appointment", "billing", "emergency", "hours", "insurance", "other"],
         "outcomes": ["answered", "appointment_requested", "message_taken", "transferred", "voicemail", "abandoned"],
         "pipeline": ["new", "contacted", "scheduled", "closed"]}'
  FROM tenants t
 WHERE t.slug IN ('bench-dental', 'bench-neighbour')
   AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.tenant_id = t.id);

CREATE TEMP TABLE bench_words (kind text, n int, word text);
INSERT INTO bench_words
SELECT 'reason', ordinality - 1, w FROM unnest(ARRAY['appointment', 'billing', 'emergency', 'hours', 'insurance', 'other']) WITH ORDINALITY w
UNION ALL
SELECT 'outcome', ordinality - 1, w FROM unnest(ARRAY['answered', 'appointment_requested', 'message_taken', 'transferred', 'voicemail', 'abandoned']) WITH ORDINALITY w
UNION ALL
SELECT 'summary', ordinality - 1, w FROM unnest(ARRAY[
    'Caller asked about opening hours on Saturday',
    'Wants to book a cleaning for next week',
    'Question about an invoice from last month',
    'Asked whether Delta Dental insurance is accepted',
    'Severe tooth pain since last night, asked for a call back',
    'New patient asking about a first visit',
    'Wants to reschedule an appointment to Friday',
    'Asked for directions and parking',
    'Cracked crown, wants to be seen this week',
    'Called to confirm tomorrow''s appointment',
    'Billing question about a payment plan',
    'Left a message for the office manager']) WITH ORDINALITY w;

-- One batch per statement so memory stays flat; generated search vectors
-- and indexes are maintained as the rows go in, as in production.
CREATE FUNCTION pg_temp.bench_calls(tenant_slug text, first bigint, last bigint, total bigint, span interval)
RETURNS void LANGUAGE sql AS $$
INSERT INTO calls (tenant_id, agent_id, carrier, carrier_call_sid, direction, from_number,
                   to_number, status, started_at, answered_at, ended_at, duration_seconds,
                   outcome, reason, summary, captured_data, requires_action, priority,
                   resolved_at, archived_at, transfer_to, transfer_status, created_at, updated_at)
SELECT t.id, a.id, 'twilio', tenant_slug || '-' || i,
       CASE WHEN i % 10 = 0 THEN 'outbound' ELSE 'inbound' END,
       '+1203555' || lpad((i * 7 % 10000)::text, 4, '0'), '+15555550123',
       CASE WHEN i % 17 = 0 THEN 'no_answer' WHEN i % 29 = 0 THEN 'busy' ELSE 'completed' END,
       s, s, s + make_interval(secs => (i * 7919 % 600)),
       (i * 7919 % 600)::int,
       o.word, r.word, sm.word,
       CASE WHEN i % 4 = 0 THEN jsonb_build_object('name', 'Patient ' || (i % 5000), 'callback', '+1203555' || lpad((i % 10000)::text, 4, '0'))
            ELSE '{}' END,
       o.word IN ('appointment_requested', 'message_taken', 'voicemail') OR r.word = 'emergency',
       CASE WHEN r.word = 'emergency' THEN 'urgent' WHEN o.word = 'appointment_requested' THEN 'high' ELSE 'normal' END,
       CASE WHEN s < now() - interval '3 days' THEN s + interval '2 hours' END,
       CASE WHEN i % 50 = 0 AND s < now() - interval '30 days' THEN s + interval '1 day' END,
       CASE WHEN o.word = 'transferred' THEN '+15555550100' END,
       CASE WHEN o.word = 'transferred' THEN 'completed' END,
       s, s
  FROM generate_series(first, last) i
  CROSS JOIN LATERAL (SELECT now() - span * (i::double precision / total) AS s) ts
  JOIN tenants t ON t.slug = tenant_slug
  JOIN agents a ON a.tenant_id = t.id
  JOIN bench_words r ON r.kind = 'reason' AND r.n = (i * 31 % 6)
  JOIN bench_words o ON o.kind = 'outcome' AND o.n = (i * 37 % 6)
  JOIN bench_words sm ON sm.kind = 'summary' AND sm.n = (i * 13 % 12)
$$;

SELECT pg_temp.bench_calls('bench-neighbour', 1, 50000, 50000, interval '365 days');
-- One statement (and transaction) per 100,000 calls.
SELECT format('SELECT pg_temp.bench_calls(%L, %s, %s, %s, interval %L)', 'bench-dental', b,
              least(b + 99999, :calls), :calls, '365 days')
  FROM generate_series(1, :calls, 100000) b
\gexec

-- Conversations for every 20th call: four turns (the transcript follows
-- by trigger) and three events.
INSERT INTO call_turns (tenant_id, call_id, seq, speaker, text, offset_ms, interrupted)
SELECT c.tenant_id, c.id, t.seq, t.speaker, t.text, t.seq * 4000, t.seq = 2 AND c.duration_seconds % 3 = 0
  FROM calls c
  JOIN tenants tn ON tn.id = c.tenant_id AND tn.slug = 'bench-dental'
  CROSS JOIN (VALUES (0, 'agent', 'Thank you for calling Harbor Dental, how can I help you today?'),
                     (1, 'caller', 'Hi, I have a question about my appointment and the bill'),
                     (2, 'agent', 'Of course, can I have your name and date of birth please?'),
                     (3, 'caller', 'Sure, thanks a lot, goodbye')) t(seq, speaker, text)
 WHERE split_part(c.carrier_call_sid, '-', 3)::bigint % 20 = 0;

INSERT INTO call_events (tenant_id, call_id, occurred_at, type, data)
SELECT c.tenant_id, c.id, c.started_at + make_interval(secs => e.at), e.type, '{}'
  FROM calls c
  JOIN tenants tn ON tn.id = c.tenant_id AND tn.slug = 'bench-dental'
  CROSS JOIN (VALUES (0, 'call.started'), (1, 'call.answered'), (30, 'call.ended')) e(at, type)
 WHERE split_part(c.carrier_call_sid, '-', 3)::bigint % 20 = 0;

ANALYZE tenants, agents, calls, call_turns, call_events, call_daily_stats;
