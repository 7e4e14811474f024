// The demo RA portal's card flows end to end in Debian Chromium (playwright-core): the unpacked extension,
// the real host, the virtual test bed (SoftHSM2 card, and the openCryptoki card for the PIN lock).
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/portal.chromium.test.mjs
//
// The browser runs in English (see consent.chromium.test.mjs: that keeps the extension's window
// deterministic); the portal pages choose their own language (zh-TW, or ?lang=en).
import path from 'node:path';
import {launchChromium} from './harness/chromium.mjs';
import {portalScenarios} from './portal.scenarios.mjs';

await portalScenarios({
  browser: 'chromium',
  launch: (fixture, {home, env = {}, extension = true}) => launchChromium({
    userDataDir: path.join(home, '.config', 'chromium'),
    extensionDir: extension ? fixture.paths.extensionDir : null,
    env: {...fixture.browserEnv(home), ...env},
    language: 'en',
  }),
  windowLanguage: 'en',
});
