// Enterprise policy for the extension (storage.managed) in the browser tests, set the way each browser
// takes it without touching anything outside the test's own browser and HOME.
//
// Chromium: its policy test page (chrome://policy/test, the "local test policy provider", present in
//   builds of the default channel such as Debian's). Policies set there go through the same policy service,
//   schema check (the manifest's storage.managed_schema) and managed storage as a file in
//   /etc/chromium/policies/managed would, live and for this browser process only; revert ends them. The
//   system-wide directory is never written.
// Firefox: the per-user managed-storage manifest, $HOME/.mozilla/managed-storage/<add-on id>.json, under
//   the suite's throw-away HOME. Firefox reads managed storage once per add-on start and keeps it
//   (toolkit/components/extensions/parent/ext-storage.js: "managed storage is currently initialized once";
//   storage.managed.onChanged is never fired), so a change takes effect when the add-on, or the browser,
//   starts again: policy.firefox.test.mjs restarts the browser after each change.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {REPO_ROOT} from './paths.mjs';

const protocol = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'extension', 'shared', 'protocol.json'), 'utf8'));

const CHROMIUM_EXTENSION_ID = protocol.extensionIds.chromium[0];
const FIREFOX_ADDON_ID = protocol.extensionIds.firefox;

// Values of the policy test page's JSON (components/policy/core/common/policy_types.h).
const LEVEL_MANDATORY = 1;
const SCOPE_MACHINE = 1;
const SOURCE_PLATFORM = 4;

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Policy control through chrome://policy/test in a tab of its own.
 * @param {{context: object}} session the harness's Chromium session (playwright persistent context)
 */
export async function chromiumTestPolicy(session) {
  const tab = await session.context.newPage();
  await tab.goto('chrome://policy/test');
  await tab.waitForSelector('#apply-policies', {timeout: 15_000});

  /** What the extension's storage.managed holds now (from its service worker). */
  async function managedNow() {
    let [worker] = session.context.serviceWorkers().filter((candidate) => candidate.url().includes(CHROMIUM_EXTENSION_ID));
    worker ??= await session.context.waitForEvent('serviceworker', {timeout: 15_000});
    return worker.evaluate(() => chrome.storage.managed.get(null));
  }

  /** Waits until the extension sees `expected` in storage.managed (the policy service works asynchronously). */
  async function settle(expected) {
    const deadline = Date.now() + 15_000;
    let seen;
    while (Date.now() < deadline) {
      seen = await managedNow();
      if (JSON.stringify(sorted(seen)) === JSON.stringify(sorted(expected))) return;
      await pause(100);
    }
    assert.fail(`the extension's managed storage did not become ${JSON.stringify(expected)} (it holds ${JSON.stringify(seen)})`);
  }

  return {
    describe: 'chrome://policy/test',
    async set(data) {
      const entries = Object.entries(data).map(([name, value]) => ({
        level: LEVEL_MANDATORY, scope: SCOPE_MACHINE, source: SOURCE_PLATFORM, namespace: CHROMIUM_EXTENSION_ID, name, value,
      }));
      await tab.evaluate((json) => chrome.send('setLocalTestPolicies', [`certbridge-${Date.now()}`, json, '']), JSON.stringify(entries));
      await settle(data);
    },
    async clear() {
      if (tab.isClosed()) return;
      await tab.evaluate(() => chrome.send('revertLocalTestPolicies', [`certbridge-${Date.now()}`]));
      await settle({});
    },
  };
}

/**
 * Policy control through the per-user managed-storage manifest under `home`.
 * @param {string} home the HOME the browser runs with
 */
export function firefoxManagedStorage(home) {
  const directory = path.join(home, '.mozilla', 'managed-storage');
  const file = path.join(directory, `${FIREFOX_ADDON_ID}.json`);
  return {
    describe: file,
    async set(data) {
      fs.mkdirSync(directory, {recursive: true});
      // Written whole and renamed, so that Firefox never reads half a file.
      fs.writeFileSync(`${file}.new`, JSON.stringify({name: FIREFOX_ADDON_ID, description: 'CertBridge test policy', type: 'storage', data}));
      fs.renameSync(`${file}.new`, file);
    },
    async clear() {
      fs.rmSync(file, {force: true});
    },
  };
}

function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted(value[key])]));
  return value;
}
