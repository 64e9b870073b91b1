-- Demo seed: the Harbor Dental tenant, its front-desk agent, a phone number
-- and a knowledge base.  Idempotent: safe to run on every start; rows that
-- already exist (by slug, agent name, number, knowledge base name) are left
-- as they are, so edits made in the portal survive.  Creates no users and no
-- calls.  Must run with voxline.tenant_id = '*' (platform scope).

DO $$
BEGIN
    IF coalesce(current_setting('voxline.tenant_id', true), '') <> '*' THEN
        RAISE EXCEPTION 'demo seed must run with voxline.tenant_id set to ''*''';
    END IF;
END
$$;

-- Two processes starting at once must not both create the agent.
SELECT pg_advisory_xact_lock(hashtext('voxline_seed_demo'));

INSERT INTO tenants (name, slug, plan, status, time_zone, retention_days,
                     max_concurrent_calls, monthly_minutes, settings)
VALUES ('Harbor Dental', 'harbor-dental', 'pro', 'active', 'America/New_York', 90,
        5, 2000, '{"locale": "en-US"}')
ON CONFLICT (slug) DO NOTHING;

INSERT INTO agents (tenant_id, name, business_name, industry, status, greeting,
                    platform_prompt, tenant_prompt, voice, language, time_zone, hours,
                    transfer_number, voicemail_enabled, message_taking_enabled,
                    recording_enabled, recording_channels, max_duration_seconds,
                    dashboard_signals, version, onboarding_step)
SELECT t.id, 'Front desk', 'Harbor Dental', 'dental', 'live',
       'Thank you for calling Harbor Dental, this is the virtual assistant. How can I help you today?',
       $prompt$You are the virtual receptionist answering the phone for a small business. You speak with callers in real time over the telephone, so keep every reply short: one or two plain sentences, no lists, no markdown, no emoji, and no web addresses read out character by character. Say numbers, times and dates the way a person would say them aloud.

Answer only from the business information you are given. If you do not know something, say so honestly and offer to take a message or transfer the caller to a member of staff; never invent prices, availability, policies or medical advice. Do not diagnose, and do not promise appointment times you cannot book.

Work out why the person is calling early in the conversation. When you take a message, collect the caller's name, a callback number, and a short description of what they need, then read the details back to confirm them. If the caller describes an emergency that is life-threatening, tell them to hang up and dial 911. If the caller asks for a person, is upset, or the request is outside what you can handle, offer to transfer them during opening hours or to take a message outside them. Be warm, patient and professional, and end the call politely once the caller has what they need.$prompt$,
       $prompt$You answer the phone for Harbor Dental, a family dental practice. Callers are mostly existing patients asking about appointments, billing, insurance and opening hours, and new patients asking whether we are accepting them.

You cannot see the appointment book. For booking, rescheduling or cancelling, take the caller's name, date of birth, callback number and preferred days and times, and tell them the front desk will call back within one business day to confirm. Billing questions about a specific account go to the office manager: take a message. For dental emergencies such as severe pain, swelling, a knocked-out tooth or bleeding that will not stop, treat the call as urgent: during opening hours offer to transfer the caller straight away; after hours, give the emergency instructions from the practice information and take a message marked urgent. Never quote treatment prices; say that the cost depends on the exam and the patient's insurance.$prompt$,
       NULL, 'en-US', 'America/New_York',
       '{"mon": [{"open": "08:00", "close": "17:00"}],
         "tue": [{"open": "08:00", "close": "17:00"}],
         "wed": [{"open": "08:00", "close": "17:00"}],
         "thu": [{"open": "08:00", "close": "17:00"}],
         "fri": [{"open": "08:00", "close": "17:00"}],
         "sat": [{"open": "09:00", "close": "13:00"}],
         "sun": []}',
       '+15555550100', true, true,
       false, 'mono', 1200,
       '{"reasons": ["appointment", "billing", "emergency", "hours", "insurance", "other"],
         "outcomes": ["answered", "appointment_requested", "message_taken", "transferred", "voicemail", "abandoned"],
         "pipeline": ["new", "contacted", "scheduled", "closed"],
         "requires_action": [
           {"when": {"reason": "emergency"}, "priority": "urgent"},
           {"when": {"outcome": "appointment_requested"}, "priority": "high"},
           {"when": {"outcome": "message_taken"}, "priority": "normal"},
           {"when": {"outcome": "voicemail"}, "priority": "normal"}
         ]}',
       1, 0
  FROM tenants t
 WHERE t.slug = 'harbor-dental'
   AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.tenant_id = t.id AND a.name = 'Front desk');

INSERT INTO agent_versions (tenant_id, agent_id, version, config, created_by, note)
SELECT a.tenant_id, a.id, 1, voxline_agent_config(a), NULL, 'Demo seed'
  FROM agents a JOIN tenants t ON t.id = a.tenant_id
 WHERE t.slug = 'harbor-dental' AND a.name = 'Front desk'
ON CONFLICT (agent_id, version) DO NOTHING;

INSERT INTO phone_numbers (tenant_id, agent_id, e164, carrier, label)
SELECT a.tenant_id, a.id, '+15555550123', 'twilio', 'Main line'
  FROM agents a JOIN tenants t ON t.id = a.tenant_id
 WHERE t.slug = 'harbor-dental' AND a.name = 'Front desk'
ON CONFLICT (e164) DO NOTHING;

INSERT INTO knowledge_bases (tenant_id, agent_id, name, content, filler_phrase)
SELECT a.tenant_id, a.id, 'Practice information',
       $kb$Harbor Dental is open Monday to Friday from 8 in the morning to 5 in the afternoon, and on Saturday from 9 in the morning to 1 in the afternoon. We are closed on Sundays and on public holidays. The phones are answered by the virtual assistant at all times, and the front desk returns messages during opening hours.

Harbor Dental is at 214 Harbor Avenue, Suite 300, Mystic, Connecticut 06355, on the third floor of the Harborview medical building, across the street from the town marina. The building has an elevator and step-free access from the parking lot.

We accept most major dental insurance plans, including Delta Dental, Cigna, Aetna, MetLife, Guardian and United Concordia, and we are in network for most of them. We do not accept Medicaid. Please bring your insurance card to every visit. We file claims for you; any amount your plan does not cover is due on the day of the visit, and we take cash, checks and all major credit cards. Payment plans are available for larger treatments.

For a dental emergency during opening hours, such as severe tooth pain, swelling of the face or gums, a broken or knocked-out tooth, or bleeding that will not stop, call us and we will see you the same day whenever possible. After hours, leave a message marked urgent and the dentist on call will call you back within one hour. If a tooth has been knocked out, keep it moist in milk and come in as soon as you can. For difficulty breathing or swallowing, or swelling that spreads to the eye or neck, go to the nearest emergency room or call 911.

Harbor Dental is accepting new patients of all ages, from children to seniors. A first visit includes a full exam, x-rays and a cleaning and takes about ninety minutes. Please arrive fifteen minutes early to fill in the health history form, and bring a photo ID, your insurance card and a list of the medicines you take.

Free parking is available in the lot behind the Harborview building, and spaces by the entrance are reserved for patients with disabilities. Street parking on Harbor Avenue is metered for two hours. The number 3 bus stops in front of the building.

We ask for at least 24 hours' notice if you need to cancel or reschedule an appointment. Appointments cancelled with less notice, or missed without notice, may be charged a 50 dollar fee. Patients who miss three appointments may be asked to pay a deposit when booking. If you are running more than fifteen minutes late, please call so we can decide with you whether to keep or move the appointment.$kb$,
       'Let me check that for you.'
  FROM agents a JOIN tenants t ON t.id = a.tenant_id
 WHERE t.slug = 'harbor-dental' AND a.name = 'Front desk'
   AND NOT EXISTS (SELECT 1 FROM knowledge_bases k
                    WHERE k.agent_id = a.id AND k.name = 'Practice information');
