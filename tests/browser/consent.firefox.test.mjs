// The consent and PIN window end to end in Firefox ESR (puppeteer-core over WebDriver BiDi): the extension
// as a temporary add-on, the real host, the virtual test bed. The window is found among the browser's
// pages (harness/firefox.mjs asks pages for their address: BiDi reports an extension window as about:blank).
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/consent.firefox.test.mjs
//
// Language: Debian's firefox-esr has no zh-TW language pack, so its UI language (and so the window's) is
// English whatever the preferences ask; the suite checks the English window. zh-TW rendering is checked in
// Chromium and by the unit tests.
import {consentScenarios} from './consent.scenarios.mjs';
import {launchFirefox} from './harness/firefox.mjs';

await consentScenarios({
  browser: 'firefox',
  // Firefox finds host manifests in $HOME/.mozilla/native-messaging-hosts; HOME comes from the environment.
  launch: (fixture, {home, language}) => launchFirefox({
    extensionDir: fixture.paths.extensionDir,
    env: fixture.browserEnv(home),
    language,
  }),
  windowLanguage: 'en',
  otherLanguage: null,
  // Firefox stops an idle event page after 30 s; the operation's open native port must keep it while the
  // user reads and types. (Chromium's service worker is kept alive by the attached DevTools protocol in
  // these tests, so the check would prove nothing there.)
  idleMs: 35_000,
});
