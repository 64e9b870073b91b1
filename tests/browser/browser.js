// Shared by the browser tests: Debian's Chromium through playwright-core,
// TAP-like result lines on stdout ("ok - name" / "not ok - name # detail"),
// and screenshots in tests/out/screenshots/.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const shots = path.resolve(__dirname, '../out/screenshots');

async function launch() {
  fs.mkdirSync(shots, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxline-chromium-'));
  const context = await chromium.launchPersistentContext(dataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 860 },
  });
  context.setDefaultTimeout(15000);
  return { context, dataDir };
}

function reporter() {
  let failed = 0;
  return {
    check(cond, name, detail) {
      if (cond) console.log(`ok - ${name}`);
      else { failed++; console.log(`not ok - ${name}${detail ? ' # ' + String(detail).replace(/\n/g, ' ') : ''}`); }
      return cond;
    },
    get failed() { return failed; },
  };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

module.exports = { launch, reporter, shot };
