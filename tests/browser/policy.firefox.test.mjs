// The allowed-origin policy end to end in Firefox ESR (puppeteer-core over WebDriver BiDi): enterprise
// policy for the add-on from the per-user managed-storage manifest under the suite's throw-away HOME
// (harness/policy.mjs), the real host, the virtual test bed. A forged origin is sent to the host from the
// extension's consent window (WebDriver BiDi reaches no other extension page).
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/policy.firefox.test.mjs
import {launchFirefox} from './harness/firefox.mjs';
import {firefoxManagedStorage} from './harness/policy.mjs';
import {policyScenarios} from './policy.scenarios.mjs';

await policyScenarios({
  browser: 'firefox',
  launch: (fixture) => launchFirefox({
    extensionDir: fixture.paths.extensionDir,
    env: fixture.browserEnv(),
    language: 'zh-TW',
  }),
  policyControl: (fixture) => firefoxManagedStorage(fixture.home.home),
  // Firefox caches managed storage from the add-on's start: each policy change restarts the browser.
  readAtStartOnly: true,
});
