// The admin portal in a real browser, in phases driven by admin.t:
//   setup   a superadmin creates a tenant, switches to it, runs the
//           onboarding wizard to a live agent with a knowledge base and a
//           number, changes the agent (version 2, diff), rolls back, tries
//           the knowledge base and the numbers page;
//   providers  the superadmin gives the tenant its own OpenAI key, whose
//           base URL (ADMIN_DEAD_URL) nothing listens on, sees the connection
//           test fail, and makes OpenAI the agent's only language model;
//   owner   the tenant's owner sees only their tenant;
//   review  the superadmin finds the calls in Intelligence (count, cost and
//           latency as admin.t read them from the database), and in Quality
//           the failed language-model stage of the call admin.t placed
//           (ADMIN_FAILED_CALL), OpenAI's open breaker, and resolves it.
// usage: node admin.js PHASE BASE_URL EMAIL PASSWORD
'use strict';
const { launch, reporter, shot } = require('./browser');

const [phase, base, email, password] = process.argv.slice(2);
const t = reporter();
const path = (page) => new URL(page.url()).pathname;

async function signIn(page) {
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

async function submit(page, selector = 'form.form button[type=submit]') {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

// Nothing wider than the window: no sideways scrolling of the whole page
// (clientWidth leaves out a vertical scrollbar, which innerWidth counts).
async function fits(page, name) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  return t.check(wide <= 0, name, `${wide} px too wide`);
}

async function workIn(page, tenant) {
  await page.selectOption('#tenant-switch', { label: tenant });
  await submit(page, '.tenant-switcher button');
}

async function setup(page) {
  await page.goto(`${base}/admin/tenants`);
  await shot(page, 'admin-tenants');
  await page.click('a:has-text("New tenant")');
  await page.fill('#slug', 'Acme Dental!');
  await page.fill('#name', 'Acme Dental');
  await page.selectOption('#plan', 'pro');
  await page.fill('#time_zone', 'America/Chicago');
  await submit(page);
  t.check(await page.isVisible('#slug-error:has-text("lower-case letters")'), 'a bad short name is explained next to the field');
  t.check(await page.inputValue('#name') === 'Acme Dental', 'and the rest of the input is kept');
  await shot(page, 'admin-tenant-new-invalid');
  await page.fill('#slug', 'acme-dental');
  await submit(page);
  t.check(/^\/admin\/tenants\/[0-9a-f-]{36}$/.test(path(page)), 'the tenant is created', page.url());
  await shot(page, 'admin-tenant');

  // Work inside the new tenant.
  await workIn(page, 'Acme Dental');
  await page.goto(`${base}/admin/agents`);
  await page.fill('#name', 'Front desk');
  await submit(page);
  t.check(/\/setup\/1$/.test(path(page)), 'a new agent starts at step 1', page.url());
  await page.fill('#business_name', 'Acme Dental');
  await page.fill('#industry', 'Dental');
  await page.fill('#hours', 'mon 08:00-17:00\ntue 17:00-08:00');
  await submit(page);
  t.check(await page.isVisible('#hours-error:has-text("opening time must be before closing time")'), 'bad hours explained next to the field');
  await shot(page, 'admin-wizard-1-invalid');
  // Open around the clock (the simulated call in admin.t may run at any
  // hour), with one day in two intervals.
  await page.fill('#hours', ['mon', 'tue', 'thu', 'fri', 'sat', 'sun'].map((d) => `${d} 00:00-24:00`)
    .concat('wed 00:00-12:00, 12:00-24:00').join('\n'));
  await submit(page);
  t.check(/\/setup\/2$/.test(path(page)), 'step 1 saved, on to step 2');
  await page.fill('#greeting', 'Thank you for calling Acme Dental. How can I help you today?');
  await page.fill('#tenant_prompt', 'Be brief and friendly.');
  await shot(page, 'admin-wizard-2');
  await submit(page);
  await page.fill('#reasons', 'appointment\nemergency\nbilling');
  await page.fill('#outcomes', 'booked\nmessage taken\ntransferred');
  await page.fill('#pipeline', 'new\nbooked');
  await page.fill('#requires_action', 'emergency: urgent');
  await shot(page, 'admin-wizard-3');
  await submit(page);
  await page.fill('#transfer_number', '+15550001111');
  await page.fill('#kb_name', 'Clinic');
  await page.setInputFiles('#kb-file', { name: 'clinic.md', mimeType: 'text/markdown',
    buffer: Buffer.from('We are open Monday to Wednesday from 8am to 5pm.\n\nParking is free in our parking lot behind the building.\n') });
  await page.waitForFunction(() => document.querySelector('#kb_content').value.includes('parking lot'));
  t.check(true, 'choosing a .md file fills the knowledge-base text');
  await page.fill('#kb_filler', 'Let me check that for you.');
  await shot(page, 'admin-wizard-4');
  await submit(page);
  await page.fill('#e164', '+1 555 777 0100');
  await page.selectOption('#carrier', 'twilio');
  await submit(page);
  t.check(await page.isVisible('#e164-error:has-text("international format")'), 'a badly written number is explained');
  await page.fill('#e164', '+15557770100');
  await page.fill('#number_label', 'Main line');
  await shot(page, 'admin-wizard-5');
  await submit(page);
  t.check(/\/review$/.test(path(page)), 'after step 5 the review page');
  t.check(await page.isVisible('dd:has-text("Thank you for calling Acme Dental")'), 'the review shows the greeting');
  await shot(page, 'admin-wizard-review');
  await submit(page, 'form[action$="/live"] button');
  t.check(await page.isVisible('.alert:has-text("Saved as version 1")'), 'the agent is live at version 1');
  await shot(page, 'admin-agent');

  // A change is a new version, with a readable diff, and rolls back.
  const agentUrl = page.url().replace(/\?.*$/, '');
  await page.fill('#greeting', 'Hello, Acme Dental here. What can I do for you?');
  await submit(page, 'form.form > .form-actions button');
  t.check(await page.isVisible('.alert:has-text("Saved as version 2")'), 'a change is saved as version 2');
  await page.goto(`${agentUrl}/versions`);
  await shot(page, 'admin-versions');
  await page.click('a[href$="/versions/2"]');
  t.check(await page.isVisible('.diff-del:has-text("Thank you for calling Acme Dental")') &&
    await page.isVisible('.diff-add:has-text("Hello, Acme Dental here.")'), 'the diff shows the old and the new greeting');
  await shot(page, 'admin-version-diff');
  await page.goto(`${agentUrl}/versions`);
  await submit(page, 'form[action$="/versions/1/rollback"] button');
  t.check(await page.isVisible('td:has-text("Rolled back to version 1")'), 'rolling back records version 3');
  await page.goto(agentUrl);
  t.check((await page.inputValue('#greeting')).startsWith('Thank you for calling Acme Dental'), 'with the first greeting again');
  t.check(await page.isDisabled('#mod_survey'), 'survey is locked on the pro plan');

  // Knowledge base: try it.
  await page.goto(`${agentUrl}/knowledge`);
  await shot(page, 'admin-knowledge');
  await page.click('td a:has-text("Clinic")');
  await page.fill('#q', 'Where can I find parking?');
  await submit(page, '.try-it button');
  t.check(await page.isVisible('.hits li:has-text("Parking is free in our parking lot")'), 'try it retrieves the parking passage');
  await shot(page, 'admin-kb-try-it');

  // Numbers.
  await page.goto(`${base}/admin/numbers`);
  await page.fill('#e164', '+15557770100');
  await page.selectOption('#carrier', 'twilio');
  await submit(page);
  t.check(await page.isVisible('#e164-error:has-text("already registered")'), 'a number cannot be added twice');
  await shot(page, 'admin-numbers');
  await page.click('td a:has-text("+15557770100")');
  await shot(page, 'admin-number');
}

async function providers(page) {
  await workIn(page, 'Acme Dental');
  await page.goto(`${base}/admin/provider-keys`);
  t.check(await page.isVisible('td:has-text("No credentials stored")'), 'the tenant has no provider keys yet');
  await page.selectOption('#provider', 'openai');
  await page.fill('#base_url', 'ftp://127.0.0.1/v1');
  await submit(page);
  t.check(await page.isVisible('#base_url-error:has-text("must start with https://")') &&
    await page.isVisible('#secret-error'), 'a bad address and a missing key are explained next to their fields');
  t.check(await page.inputValue('#base_url') === 'ftp://127.0.0.1/v1' && await page.inputValue('#provider') === 'openai',
    'and the input is kept');
  await shot(page, 'admin-provider-keys-invalid');
  await page.fill('#base_url', `${process.env.ADMIN_DEAD_URL}/v1`);
  await page.fill('#secret', 'sk-test-unreachable-0001');
  await submit(page);
  t.check(/^\/admin\/provider-keys\/[0-9a-f-]{36}$/.test(path(page)), 'the key is stored', page.url());
  t.check(await page.isVisible('dd code:has-text("••••0001")') && !(await page.content()).includes('sk-test-unreachable'),
    'and only its last 4 characters are shown');
  await submit(page, 'form[action$="/test"] button');
  t.check(await page.isVisible('.badge-error:has-text("failed")') &&
    await page.isVisible('.test-message:has-text("The provider could not be reached.")') &&
    await page.isVisible('.test-detail:has-text("provider_unreachable")'), 'testing the connection says the provider cannot be reached, and why',
  await page.textContent('.facts'));
  await shot(page, 'admin-provider-key');
  const keyUrl = page.url();
  await page.goto(`${base}/admin/provider-keys`);
  t.check(await page.isVisible(`td:has-text("${process.env.ADMIN_DEAD_URL}/v1")`), 'the list shows the address in use');
  t.check(await page.isVisible('td:has-text("The provider could not be reached.")'), 'and what the last test found');
  await shot(page, 'admin-provider-keys');
  // Phone and tablet widths: nothing wider than the screen.
  for (const width of [375, 768]) {
    await page.setViewportSize({ width, height: 800 });
    for (const [url, name] of [[`${base}/admin/provider-keys`, 'admin-provider-keys'], [keyUrl, 'admin-provider-key']]) {
      await page.goto(url);
      await fits(page, `${name} fits ${width} px`);
      await shot(page, `${name}-${width}`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 860 });

  // OpenAI alone answers for the agent: no fallback after it.
  await page.goto(`${base}/admin/agents`);
  await page.click('td a:has-text("Front desk")');
  await page.fill('#llm_chain', 'openai, gpt');
  await submit(page, 'form.form > .form-actions button');
  t.check(await page.isVisible('#llm_chain-error:has-text("Unknown provider")'), 'an unknown provider in a chain is explained');
  await page.fill('#llm_chain', 'openai');
  await submit(page, 'form.form > .form-actions button');
  t.check(await page.isVisible('.alert:has-text("Saved as version 4")'), 'the chain change is saved as version 4');
  t.check(await page.inputValue('#llm_chain') === 'openai', 'with OpenAI as the only language model');
}

async function owner(page) {
  await page.goto(`${base}/admin/agents`);
  t.check(await page.isVisible('td a:has-text("Front desk")'), "the owner sees the tenant's agent");
  t.check(!(await page.isVisible('#tenant-switch')), 'with no tenant to switch to');
  const nav = await page.$$eval('.site-nav a', (a) => a.map((x) => x.textContent.trim()));
  t.check(!nav.includes('Tenants') && !nav.includes('Quality') && !nav.includes('Intelligence'),
    'the platform pages are not in the menu', nav.join(','));
  const r = await page.goto(`${base}/admin/tenants`);
  t.check(r.status() === 403, 'and the tenants list is refused', r.status());
  await page.goto(`${base}/admin/agents`);
  await shot(page, 'admin-owner-agents');
}

async function review(page) {
  // admin.t passes the tenant and the figures of its calls from the database.
  const query = `period=7d&tenant=${process.env.ADMIN_TENANT}`;
  await page.goto(`${base}/admin/intelligence?${query}`);
  const calls = (await page.textContent('.stat:has-text("Calls") .stat-value')).trim();
  t.check(calls === process.env.ADMIN_CALLS, "the tenant's calls show in Intelligence", calls);
  const cost = (await page.textContent('.stat:has-text("Cost") .stat-value')).trim();
  t.check(cost === process.env.ADMIN_COST && Number(cost) > 0, 'with their cost', cost);
  const latency = await page.textContent('#latency_stage svg');
  t.check(/voice_to_voice p50/.test(latency) && /voice_to_voice p95/.test(latency),
    'and their voice-to-voice latency p50 and p95', latency);
  t.check(await page.isVisible('#outcomes svg'), 'charts are drawn as SVG');
  await shot(page, 'admin-intelligence');
  const csv = await page.evaluate(async (u) => (await fetch(u)).text(), `${base}/admin/intelligence.csv?${query}`);
  t.check(csv.startsWith('section,label,value,unit') && csv.includes(`totals,calls,${calls},`), 'the CSV has the same figures');
  await page.goto(`${base}/admin/quality`);
  const failure = '#open-errors td a:has-text("provider_stage_failed")';
  t.check(await page.isVisible(failure), 'the failed language-model stage is an open error in Quality');
  const group = '#open-errors tbody tr:has(td a:text-is("provider_stage_failed"))';
  const affected = (await page.locator(`${group} td.num`).nth(1).textContent()).trim();
  t.check(await page.isVisible(`${group} td:has-text("Every provider of a stage failed during the call")`) && affected === '1',
    'grouped under its code, with what it means and the one call affected', await page.textContent(group));
  t.check(await page.isVisible('#provider-errors td a:has-text("provider_stage_failed")'), 'and among the provider errors');
  const openai = '#provider-health tbody tr:has(td:text-is("openai"))';
  t.check(await page.isVisible(`${openai} td.breaker-state:text-is("open")`) &&
    await page.isVisible(`${openai} td:has-text("connect")`),
    "Provider health shows OpenAI's breaker open and why", await page.textContent('#provider-health'));
  t.check(await page.isVisible('#breaker-transitions tr:has(td:text-is("openai")):has(td:text-is("open")):has(td:has-text("connect"))'),
    'with its transition to open and the reason', await page.textContent('#breaker-transitions'));
  t.check(await page.isVisible('tr.row-failed'), 'refused carrier webhooks are listed first');
  await fits(page, 'the Quality page fits the window');
  await shot(page, 'admin-quality');
  await page.click(failure);
  const errorUrl = page.url();
  const occurrence = `tr:has(button.link-button:text-is("${process.env.ADMIN_FAILED_CALL}"))`;
  t.check(await page.isVisible(`${occurrence} td:text-is("Acme Dental")`) && await page.isVisible(`${occurrence} td:text-is("llm")`),
    'its detail shows the affected call, its tenant and the stage', await page.textContent('tbody'));
  await shot(page, 'admin-quality-error');
  // The call opens in its tenant's dashboard.
  await submit(page, `${occurrence} button.link-button`);
  t.check(path(page) === `/calls/${process.env.ADMIN_FAILED_CALL}`, 'the call link opens the call', page.url());
  t.check(await page.isVisible('dd:has-text("Failed"):has-text("language model providers unavailable")') &&
    await page.isVisible('dd:has-text("+15550001111")'), 'which shows it failed for want of a language model, and its transfer',
    await page.textContent('.dash-facts'));
  await shot(page, 'admin-quality-call');
  await page.goto(errorUrl);
  await submit(page, 'form[action$="/resolve"] button');
  t.check(await page.isVisible('.alert:has-text("Resolved"):has-text("by Platform Operator")') &&
    !(await page.isVisible('form[action$="/resolve"] button')), 'and can be marked resolved, by whom it says');
  await page.goto(`${base}/admin/quality`);
  t.check(!(await page.isVisible(failure)) && await page.isVisible('#resolved-errors td a:has-text("provider_stage_failed")'),
    'it leaves the open errors for the resolved ones');
}

(async () => {
  const { context } = await launch();
  const page = await context.newPage();
  try {
    await signIn(page);
    await ({ setup, providers, owner, review }[phase])(page);
  } catch (e) {
    t.check(false, `browser run (${phase})`, e.stack || e);
    await shot(page, `admin-failure-${phase}`).catch(() => {});
  }
  await context.close();
  process.exit(t.failed ? 1 : 0);
})();
