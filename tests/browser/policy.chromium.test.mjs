// The allowed-origin policy end to end in Debian Chromium (playwright-core): enterprise policy for the
// extension set through chrome://policy/test (harness/policy.mjs: no system-wide policy file is written),
// the real host, the virtual test bed. A forged origin is sent to the host from the extension's own
// service worker.
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/policy.chromium.test.mjs
import path from 'node:path';
import {launchChromium} from './harness/chromium.mjs';
import {chromiumTestPolicy} from './harness/policy.mjs';
import {policyScenarios} from './policy.scenarios.mjs';

await policyScenarios({
  browser: 'chromium',
  launch: (fixture) => launchChromium({
    userDataDir: path.join(fixture.home.home, '.config', 'chromium'),
    extensionDir: fixture.paths.extensionDir,
    env: fixture.browserEnv(),
    language: 'zh-TW',
  }),
  policyControl: (fixture, session) => chromiumTestPolicy(session),
  backgroundContext: async (session) => {
    const [worker] = session.context.serviceWorkers().filter((candidate) => candidate.url().startsWith('chrome-extension://'));
    return worker ?? session.context.waitForEvent('serviceworker', {timeout: 15_000});
  },
});
