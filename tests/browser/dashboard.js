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
    const calls = await page.textContent('.dash-card:has-text("Calls") .dash-card-value');
    t.check(calls.trim() === '9', 'nine calls in the last 7 days', calls);
    t.check(await page.isVisible('text=Updated'), 'the page says when it was updated');
    await both(page, 'overview');

    await page.goto(`${base}/calls`);
    t.check((await page.$$('.dash-calls tbody tr')).length === 9, 'the log lists nine calls');
    await page.fill('#q', 'throbbing');
    await Promise.all([page.waitForNavigation(), page.click('.dash-filters button[type=submit]')]);
    let rows = await page.$$('.dash-calls tbody tr');
    t.check(rows.length === 1, 'searching the transcript finds the one call', rows.length);
    t.check(page.url().includes('q=throbbing'), 'the search is in the address', page.url());
    await page.fill('#q', '');
    await page.selectOption('#reason', 'billing');
    await Promise.all([page.waitForNavigation(), page.click('.dash-filters button[type=submit]')]);
    rows = await page.$$('.dash-calls tbody tr');
    t.check(rows.length === 7, 'filtering by reason', rows.length);
    const bookmark = page.url();
    const other = await context.newPage();
    await other.goto(bookmark);
    t.check((await other.$$('.dash-calls tbody tr')).length === 7, 'the address reproduces the view');
    await other.close();
    await both(page, 'calls');

    // Export the filtered view.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Export CSV")')]);
    const csv = fs.readFileSync(await download.path(), 'utf8').split('\r\n').filter((l) => l);
    t.check(/^started_at \(America\/New_York\),/.test(csv[0]), 'CSV header names the time zone', csv[0]);
    t.check(csv.length === 8, 'one CSV row per call in view', csv.length);
    t.check(csv.some((l) => l.includes('"\'=SUM(A1:A9) please call back"')), 'formula cell defused');

    // Keyboard: the search box is reachable and labelled.
    const label = await page.$eval('#q', (el) => el.labels[0].textContent.trim());
    t.check(label === 'Search', 'the search field has a label', label);

    // A call and its transcript.
    await page.goto(`${base}/calls?q=throbbing`);
    await Promise.all([page.waitForNavigation(), page.click('.dash-calls tbody tr a')]);
    t.check(await page.isVisible('.dash-transcript >> text=My molar is throbbing since last night'), 'transcript shown');
    t.check(await page.isVisible('.turn-agent .badge:has-text("Interrupted")'), 'interruption marked');
    t.check(await page.isVisible('.dash-timeline >> text=Message taken'), 'timeline shown');
    t.check(!(await page.isVisible('form[action="/calls/archive"]')), 'a viewer has no archive button');
    t.check(!(await page.isVisible('form[action="/calls/resolve"]')), 'nor a resolve form');
    await both(page, 'call');

    await page.goto(`${base}/action-required`);
    t.check((await page.$$('.dash-calls tbody tr')).length === 3, 'three open action items');
    t.check(!(await page.isVisible('button:has-text("Resolve selected")')), 'a viewer cannot resolve');
    const status = await page.evaluate(async () => {
      const r = await fetch('/api/v1/calls/resolve', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ids: ['00000000-0000-4000-8000-000000000000'] }) });
      return r.status;
    });
    t.check(status === 403, 'the API refuses a viewer', status);
    await signOut(page);

    // ---- Operator
    await signIn(page, operatorEmail);
    await page.goto(`${base}/action-required`);
    t.check(await page.isVisible('button:has-text("Resolve selected")'), 'an operator can resolve');
    const first = await page.$$eval('.dash-calls tbody tr td:nth-child(2)', (c) => c.map((x) => x.textContent.trim()));
    t.check(first[0] === 'Urgent', 'most urgent first', first.join(','));
    await both(page, 'action');
    const boxes = await page.$$('.dash-calls input[type=checkbox]');
    await boxes[0].check();
    await boxes[1].check();
    await page.fill('#note', 'Called back');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Resolve selected")')]);
    t.check(await page.isVisible('.alert:has-text("2 calls resolved.")'), 'two resolved in one go');
    t.check((await page.$$('.dash-calls tbody tr')).length === 1, 'they leave the list');

    await page.goto(`${base}/calls?q=invoice+1`);
    await Promise.all([page.waitForNavigation(), page.click('.dash-calls tbody tr a')]);
    await Promise.all([page.waitForNavigation(), page.click('form[action="/calls/archive"] button')]);
    t.check(await page.isVisible('.alert:has-text("1 call archived.")'), 'a call is archived');
    await page.goto(`${base}/calls`);
    t.check((await page.$$('.dash-calls tbody tr')).length === 8, 'it leaves the log');
    await page.goto(`${base}/calls?archived=only`);
    t.check((await page.$$('.dash-calls tbody tr')).length === 1, 'and is in the archive');
    await both(page, 'archive');
  } catch (e) {
    t.check(false, 'the browser run finished', e.stack);
  } finally {
    await context.close();
  }
  process.exit(t.failed ? 1 : 0);
})();
