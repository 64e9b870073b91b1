// Identity in a real browser: sign in, switch tenant, see and revoke a
// session, sign out; read an invitation in the outbox as a superadmin,
// accept it and arrive signed in as the new person.
// usage: node identity.js BASE_URL OWNER_EMAIL SUPER_EMAIL PASSWORD
'use strict';
const { launch, reporter, shot } = require('./browser');

const [base, ownerEmail, superEmail, password] = process.argv.slice(2);
const t = reporter();

async function signIn(page, email, pw = password) {
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', pw);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

async function signOut(page) {
  await Promise.all([page.waitForNavigation(), page.click('.user-menu form[action="/logout"] button')]);
}

(async () => {
  const { context } = await launch();
  const page = await context.newPage();
  try {
    await page.goto(`${base}/login`);
    await shot(page, 'login');
    await signIn(page, ownerEmail);
    t.check(new URL(page.url()).pathname === '/account', 'signing in lands on the account page', page.url());
    t.check(await page.isVisible('h1:has-text("Your account")'), 'account page shows');
    await shot(page, 'account');

    // Tenant switch from the header.
    const options = await page.$$eval('#tenant-switch option', (o) => o.map((x) => x.textContent.trim()));
    t.check(options.includes('Acme') && options.includes('Bolt'), 'the switcher lists both tenants', options.join(','));
    await page.selectOption('#tenant-switch', { label: 'Bolt' });
    await Promise.all([page.waitForNavigation(), page.click('.tenant-switcher button')]);
    const selected = await page.$eval('#tenant-switch', (s) => s.options[s.selectedIndex].textContent.trim());
    t.check(selected === 'Bolt', 'after switching, Bolt is the current tenant', selected);
    t.check(!(await page.isVisible('.site-nav a[href="/team"]')), 'as a viewer of Bolt there is no Team page');
    await page.selectOption('#tenant-switch', { label: 'Acme' });
    await Promise.all([page.waitForNavigation(), page.click('.tenant-switcher button')]);
    t.check(await page.isVisible('.site-nav a[href="/team"]'), 'back on Acme as owner, Team is in the menu');

    // Sessions: this one marked, revoke the other.
    const rows = await page.$$('#sessions tbody tr');
    t.check(rows.length === 2, 'two sessions are listed', rows.length);
    t.check(await page.isVisible('#sessions .badge:has-text("This session")'), 'the current session is marked');
    const other = await page.$('#sessions tbody tr:not(:has(.badge))');
    await Promise.all([page.waitForNavigation(), other.$eval('button', (b) => b.click())]);
    t.check((await page.$$('#sessions tbody tr')).length === 1, 'after revoking, one session remains');
    t.check(await page.isVisible('.alert:has-text("The session was signed out")'), 'a notice confirms it');
    await shot(page, 'account-revoked');

    // Invite someone from the Team page.
    await page.goto(`${base}/team`);
    await page.fill('#email', 'nina@new.test');
    await page.selectOption('#role', 'operator');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/team/invitations"] button')]);
    t.check(await page.isVisible('#invitations td:has-text("nina@new.test")'), 'the invitation is listed');
    await shot(page, 'team');

    await signOut(page);
    t.check(new URL(page.url()).pathname === '/login', 'signing out returns to the sign-in page');
    await page.goto(`${base}/account`);
    t.check(new URL(page.url()).pathname === '/login', 'after signing out the account page asks to sign in');

    // The superadmin reads the invitation in the outbox.
    await signIn(page, superEmail);
    await page.goto(`${base}/platform/outbox`);
    await shot(page, 'outbox');
    const body = await page.$eval('.outbox-message[data-kind="invitation"] .email-body', (e) => e.textContent);
    const link = (body.match(/https?:\/\/\S+\/invitations\/accept\?token=[A-Za-z0-9_-]+/) || [])[0];
    t.check(!!link, 'the outbox shows the invitation with its link');
    await signOut(page);

    // Accept it and arrive signed in.
    await page.goto(link.replace(/^https?:\/\/[^/]+/, base));
    t.check(await page.isVisible('h1:has-text("Join Acme")'), 'the invitation page names the tenant');
    await shot(page, 'invitation');
    await page.fill('#name', 'Nina Operator');
    await page.fill('#password', 'a good long password');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    t.check(new URL(page.url()).pathname === '/account', 'accepting signs the new person in', page.url());
    t.check(await page.isVisible('.user-name:has-text("Nina Operator")'), 'as Nina');
    t.check(await page.isVisible('.facts dd:has-text("operator")'), 'with the operator role');
    await shot(page, 'accepted');
    await signOut(page);
    await signIn(page, 'nina@new.test', 'a good long password');
    t.check(new URL(page.url()).pathname === '/account', 'Nina signs in again with her password');
  } catch (e) {
    t.check(false, 'browser run', e.stack || e);
    await shot(page, 'failure').catch(() => {});
  }
  await context.close();
  process.exit(t.failed ? 1 : 0);
})();
