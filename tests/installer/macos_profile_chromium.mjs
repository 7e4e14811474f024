// One Chromium run for macos_profile_chromium_test.sh, with the policy file that script put in
// /etc/chromium/policies/managed (in a private mount namespace):
//   browser    EXPECTED_JSON USER_DATA_DIR               chrome://policy shows each browser policy of the
//                                                         profile with its value and status OK
//   extension  EXPECTED_JSON USER_DATA_DIR EXTENSION_DIR  the unpacked extension's storage.managed holds the
//                                                         profile's managed settings, each OK in chrome://policy
// Exits 1 with the reasons when something differs.
import fs from 'node:fs';
import {chromium} from 'playwright-core';

const [mode, expectedFile, userDataDir, extensionDir] = process.argv.slice(2);
const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
const failures = [];
const args = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-gpu'];
if (extensionDir) args.push(`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`);
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CERTBRIDGE_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args,
  ignoreDefaultArgs: extensionDir ? ['--disable-extensions'] : [],
  timeout: 60_000,
});

/** Sorted-key JSON, so that objects compare by content. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** chrome://policy's rows as {name: text of the row}; the rows live in shadow roots. */
async function policyRows(page) {
  await page.goto('chrome://policy');
  await page.locator('policy-row').first().waitFor({state: 'attached', timeout: 15_000});
  const rows = await page.locator('policy-row').evaluateAll((elements) => elements.map((element) => {
    const text = (node) => (node.nodeType === Node.TEXT_NODE ? node.textContent
      : [...(node.shadowRoot ? node.shadowRoot.childNodes : []), ...node.childNodes].map(text).join(' '));
    return text(element).replace(/\s+/g, ' ').trim();
  }));
  return Object.fromEntries(rows.map((row) => [row.split(' ')[0], row]));
}

function checkRows(rows, names) {
  for (const name of names) {
    const row = rows[name];
    if (!row) failures.push(`chrome://policy has no row for ${name}`);
    else if (!/Status OK Error Warning Info$/.test(row)) failures.push(`chrome://policy: ${name} is not OK: ${row}`);
  }
}

try {
  const page = context.pages()[0] ?? await context.newPage();
  if (mode === 'browser') {
    checkRows(await policyRows(page), Object.keys(expected));
    // The value Chromium read, as JSON on the row's first line (after the name).
    const rows = await policyRows(page);
    for (const [name, value] of Object.entries(expected)) {
      const shown = rows[name]?.slice(name.length + 1).split(' Platform ')[0];
      try {
        if (canonical(JSON.parse(shown)) !== canonical(value)) failures.push(`${name}: Chromium read ${shown}`);
      } catch {
        failures.push(`${name}: cannot read the value chrome://policy shows: ${shown}`);
      }
    }
  } else {
    let [worker] = context.serviceWorkers().filter((candidate) => candidate.url().startsWith('chrome-extension://'));
    worker ??= await context.waitForEvent('serviceworker', {timeout: 15_000});
    let managed = {};
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      managed = await worker.evaluate(() => chrome.storage.managed.get(null));
      if (canonical(managed) === canonical(expected)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (canonical(managed) !== canonical(expected)) {
      failures.push(`storage.managed holds ${JSON.stringify(managed)}, the profile sets ${JSON.stringify(expected)}`);
    }
    checkRows(await policyRows(page), Object.keys(expected));
  }
} finally {
  await context.close();
}
for (const failure of failures) console.error(`FAIL: ${failure}`);
console.log(`${mode}: ${failures.length} failure(s)`);
process.exit(failures.length ? 1 : 0);
