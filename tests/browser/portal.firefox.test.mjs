// The demo RA portal's card flows end to end in Firefox ESR (puppeteer-core over WebDriver BiDi): the
// extension as a temporary add-on, the real host, the virtual test bed (SoftHSM2 card, and the openCryptoki
// card for the PIN lock). The browser runs in English, so the extension's window is English; the portal pages
// choose their own language (zh-TW, or ?lang=en).
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/portal.firefox.test.mjs
import {launchFirefox} from './harness/firefox.mjs';
import {portalScenarios} from './portal.scenarios.mjs';

await portalScenarios({
  browser: 'firefox',
  // Firefox finds host manifests in $HOME/.mozilla/native-messaging-hosts; HOME comes from the environment.
  launch: (fixture, {home, env = {}, extension = true}) => launchFirefox({
    extensionDir: extension ? fixture.paths.extensionDir : null,
    env: {...fixture.browserEnv(home), ...env},
    language: 'en',
  }),
  windowLanguage: 'en',
});
