// The customer dashboard in a real browser, at desktop and phone width.
// usage: node dashboard.js BASE_URL VIEWER_EMAIL OPERATOR_EMAIL PASSWORD
'use strict';
const fs = require('fs');
const { launch, reporter, shot } = require('./browser');

const [base, viewerEmail, operatorEmail, password] = process.argv.slice(2);
const t = reporter();
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };

async function signIn(page, email) {
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

async function signOut(page) {
  await Promise.all([page.waitForNavigation(), page.click('.user-menu form[action="/logout"] button')]);
}

// Screenshot at both widths.
async function both(page, name) {
  await page.setViewportSize(DESKTOP);
  await shot(page, `dashboard-${name}-desktop`);
  await page.setViewportSize(PHONE);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  t.check(!overflow, `${name}: nothing wider than a phone screen`);
  await shot(page, `dashboard-${name}-phone`);
  await page.setViewportSize(DESKTOP);
}

(async () => {
  const { context } = await launch();
  const page = await context.newPage();
  try {
    // ---- Viewer
    await signIn(page, viewerEmail);
    await page.goto(`${base}/dashboard`);
    t.check(await page.isVisible('h1:has-text("Overview")'), 'the overview shows');
    t.check(await page.isVisible('#tour'), 'the welcome tour is shown on the first visit');
    await Promise.all([page.waitForNavigation(), page.click('#tour button')]);
    t.check(!(await page.isVisible('#tour')), 'the tour is dismissed');
    await page.reload();
    t.check(!(await page.isVisible('#tour')), 'and stays dismissed');
    t.check(await page.isVisible('svg.chart-columns[role="img"]'), 'calls-over-time chart');
    t.check(await page.isVisible('svg.chart-rows'), 'outcomes chart');
    const outcomes = await page.textContent('svg.chart-rows');
    for (const o of ['Answered', 'Message taken', 'Appointment requested', 'Transferred'])
      t.check(outcomes.includes(o), `the outcomes chart names "${o}"`, outcomes);
    const card = async (label) => (await page.textContent(`.dash-card:has(.dash-card-label:text-is("${label}")) .dash-card-value`)).trim();
    t.check(await card('Calls') === '6', 'six calls in the period', await card('Calls'));
    const reasons = await page.$$eval('[aria-labelledby="reasons-title"] tbody tr',
      (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent.trim()).join(' ')));
    t.check(reasons.length === 4 && reasons[0].startsWith('Other 3'), 'top reasons, most frequent first', reasons.join(' | '));
    t.check(reasons.some((r) => r.startsWith('Emergency 1')), 'the emergency is among the reasons', reasons.join(' | '));
    t.check(await page.isVisible('text=Updated'), 'the page says when it was updated');
    await both(page, 'overview');

    await page.goto(`${base}/calls`);
    t.check((await page.$$('.dash-calls tbody tr')).length === 6, 'the log lists the six calls');
    // Full-text search over the transcript: the caller's words.
    await page.fill('#q', 'broken');
    await Promise.all([page.waitForNavigation(), page.click('.dash-filters button[type=submit]')]);
    let rows = await page.$$eval('.dash-calls tbody tr', (r) => r.map((x) => x.textContent));
    t.check(rows.length === 1 && rows[0].includes('+12035550103'), 'searching the transcript finds the emergency call', rows.join(' | '));
    t.check(page.url().includes('q=broken'), 'the search is in the address', page.url());
    await page.fill('#q', '+12035550105');
    await Promise.all([page.waitForNavigation(), page.click('.dash-filters button[type=submit]')]);
    rows = await page.$$eval('.dash-calls tbody tr', (r) => r.map((x) => x.textContent));
    t.check(rows.length === 1 && rows[0].includes('+12035550105'), 'searching a caller number', rows.join(' | '));
    await page.fill('#q', '');
    await page.selectOption('#reason', 'other');
    await Promise.all([page.waitForNavigation(), page.click('.dash-filters button[type=submit]')]);
    rows = await page.$$('.dash-calls tbody tr');
    t.check(rows.length === 3, 'filtering by reason', rows.length);
    await page.selectOption('#outcome', 'transferred');
    await Promise.all([page.waitForNavigation(), page.click('.dash-filters button[type=submit]')]);
    rows = await page.$$eval('.dash-calls tbody tr', (r) => r.map((x) => x.textContent));
    t.check(rows.length === 1 && rows[0].includes('+12035550106'), 'and by outcome', rows.join(' | '));
    await page.selectOption('#outcome', '');
    await Promise.all([page.waitForNavigation(), page.click('.dash-filters button[type=submit]')]);
    const bookmark = page.url();
    t.check(/[?&]reason=other(&|$)/.test(bookmark) && /[?&]outcome=(&|$)/.test(bookmark), 'the address holds the filter', bookmark);
    const other = await context.newPage();
    await other.goto(bookmark);
    t.check((await other.$$('.dash-calls tbody tr')).length === 3, 'the address reproduces the view');
    await other.close();
    await both(page, 'calls');

    // Export the filtered view.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Export CSV")')]);
    const csv = fs.readFileSync(await download.path(), 'utf8').split('\r\n').filter((l) => l);
    t.check(/^started_at \(America\/New_York\),/.test(csv[0]), 'CSV header names the time zone', csv[0]);
    t.check(csv.length === 4, 'one CSV row per call in view', csv.length);
    const numbers = csv.slice(1).map((l) => (l.match(/\+1203555010\d/) || [''])[0]).sort().join(',');
    t.check(numbers === '+12035550101,+12035550104,+12035550106', 'the rows are the calls in view', numbers);
    t.check(csv.slice(1).every((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d/.test(l)), 'times are local', csv[1]);

    // Keyboard: the search box is reachable and labelled.
    const label = await page.$eval('#q', (el) => el.labels[0].textContent.trim());
    t.check(label === 'Search', 'the search field has a label', label);

    // A call and its transcript: the transfer, cut short by the caller.
    await page.goto(`${base}/calls?outcome=transferred`);
    await Promise.all([page.waitForNavigation(), page.click('.dash-calls tbody tr a')]);
    t.check(await page.isVisible('.dash-transcript >> text=Thank you for calling Harbor Dental'), 'transcript shown with the greeting');
    t.check(await page.isVisible('.dash-transcript >> text=Let me transfer you to a member of our team now.'),
      'and the agent\'s transfer');
    const callerTurns = await page.$$eval('.dash-transcript .turn-caller .turn-text', (e) => e.map((x) => x.textContent));
    t.check(callerTurns.length === 2 && /human/.test(callerTurns[1]), 'the caller\'s words as recognised', callerTurns.join(' | '));
    t.check(await page.isVisible('.turn-agent .badge:has-text("Interrupted")'), 'interruption marked');
    t.check(await page.isVisible('.dash-timeline >> text=Transfer initiated'), 'timeline shown');
    t.check(await page.isVisible('dd:has-text("To +15555550100")'), 'transfer result shown');
    t.check(!(await page.isVisible('form[action="/calls/archive"]')), 'a viewer has no archive button');
    t.check(!(await page.isVisible('form[action="/calls/resolve"]')), 'nor a resolve form');
    await both(page, 'call');

    await page.goto(`${base}/action-required`);
    t.check((await page.$$('.dash-calls tbody tr')).length === 3, 'three open action items');
    t.check(!(await page.isVisible('button:has-text("Resolve selected")')), 'a viewer cannot resolve');
    t.check(!(await page.isVisible('.dash-calls input[type=checkbox]')), 'nor select items');
    // The API, with the viewer's valid session and CSRF token and real ids.
    const refused = await page.evaluate(async () => {
      const csrf = document.querySelector('input[name=csrf_token]').value;
      const ids = [...document.querySelectorAll('.dash-calls tbody a[href^="/calls/"]')].map((a) => a.getAttribute('href').slice(7));
      const out = [];
      for (const act of ['resolve', 'archive']) {
        const r = await fetch(`/api/v1/calls/${act}`, { method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf, Accept: 'application/json' },
          body: JSON.stringify({ ids, note: 'viewer' }) });
        out.push(`${act} ${r.status} ${(await r.json()).error.code} ${ids.length}`);
      }
      return out;
    });
    t.check(refused[0] === 'resolve 403 forbidden 3', 'the API refuses the viewer a resolve', refused[0]);
    t.check(refused[1] === 'archive 403 forbidden 3', 'and an archive', refused[1]);
    await page.reload();
    t.check((await page.$$('.dash-calls tbody tr')).length === 3, 'the items are still open');
    await signOut(page);

    // ---- Operator
    await signIn(page, operatorEmail);
    await page.goto(`${base}/action-required`);
    t.check(await page.isVisible('button:has-text("Resolve selected")'), 'an operator can resolve');
    const first = await page.$$eval('.dash-calls tbody tr td:nth-child(2)', (c) => c.map((x) => x.textContent.trim()));
    t.check(first.join(',') === 'Urgent,High,Normal', 'most urgent first', first.join(','));
    await both(page, 'action');
    const boxes = await page.$$('.dash-calls input[type=checkbox]');
    await boxes[0].check();
    await boxes[1].check();
    await page.fill('#note', 'Called back');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Resolve selected")')]);
    t.check(await page.isVisible('.alert:has-text("2 calls resolved.")'), 'two resolved in one go');
    const left = await page.$$eval('.dash-calls tbody tr', (r) => r.map((x) => x.textContent));
    t.check(left.length === 1 && left[0].includes('+12035550104'), 'they leave the list', left.join(' | '));
    await page.goto(`${base}/calls?action=resolved`);
    t.check((await page.$$('.dash-calls tbody tr')).length === 2, 'and are listed as resolved');

    // Archive the knowledge-base call.
    await page.goto(`${base}/calls?q=%2B12035550101`);
    await Promise.all([page.waitForNavigation(), page.click('.dash-calls tbody tr a')]);
    t.check(await page.isVisible('.dash-transcript >> text=Free parking is available'), 'the knowledge-base answer is in its transcript');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/calls/archive"] button')]);
    t.check(await page.isVisible('.alert:has-text("1 call archived.")'), 'a call is archived');
    await page.goto(`${base}/calls`);
    t.check((await page.$$('.dash-calls tbody tr')).length === 5, 'it leaves the log');
    await page.goto(`${base}/calls?archived=only`);
    rows = await page.$$eval('.dash-calls tbody tr', (r) => r.map((x) => x.textContent));
    t.check(rows.length === 1 && rows[0].includes('+12035550101'), 'and is in the archive', rows.join(' | '));
    await page.goto(`${base}/calls?archived=include&q=parking`);
    t.check((await page.$$('.dash-calls tbody tr')).length === 2, 'archived calls stay searchable with the toggle');
    await page.goto(`${base}/calls?archived=only`);
    await both(page, 'archive');
  } catch (e) {
    t.check(false, 'the browser run finished', e.stack);
  } finally {
    await context.close();
  }
  process.exit(t.failed ? 1 : 0);
})();
