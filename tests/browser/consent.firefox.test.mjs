// The consent and PIN window end to end in Firefox ESR (puppeteer-core over WebDriver BiDi): the extension
// as a temporary add-on, the real host, the virtual test bed. The window is found among the browser's
// pages (harness/firefox.mjs asks pages for their address: BiDi reports an extension window as about:blank).
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/consent.firefox.test.mjs
//
// Language: the suite runs Firefox in English and checks the English window; the window in a zh-TW Firefox
// (language pack firefox-esr-l10n-zh-tw) is checked by locale.firefox.test.mjs.
import {consentScenarios} from './consent.scenarios.mjs';
import {launchFirefox} from './harness/firefox.mjs';

await consentScenarios({
  browser: 'firefox',
  // Firefox finds host manifests in $HOME/.mozilla/native-messaging-hosts; HOME comes from the environment.
  launch: (fixture, {home, language}) => launchFirefox({
    extensionDir: fixture.paths.extensionDir,
    env: fixture.browserEnv(home),
    language: language ?? 'en',
  }),
  windowLanguage: 'en',
  otherLanguage: null,
  // Firefox stops an idle event page after 30 s; the operation's open native port must keep it while the
  // user reads and types. (Chromium's service worker is kept alive by the attached DevTools protocol in
  // these tests, so the check would prove nothing there.)
  idleMs: 35_000,
});
