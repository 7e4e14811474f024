// The consent and PIN window end to end in Debian Chromium (playwright-core): the unpacked extension, the
// real host, the virtual test bed. The window is found as a page of the persistent context
// (chrome-extension://<id>/consent/consent.html).
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/consent.chromium.test.mjs
//
// Language: Debian's chromium ships only the en-US UI catalogue, so --lang alone leaves
// chrome.i18n.getUILanguage() at en-US; playwright's `locale` (the harness's `language`) makes pages report
// another language, but a window the extension opens may start before that emulation reaches it. So the
// suite runs in English (deterministic either way) and checks zh-TW on the window's page opened in a tab
// of a second Chromium started in zh-TW. Every zh-TW text of the window is also checked by the unit tests.
import path from 'node:path';
import {consentScenarios} from './consent.scenarios.mjs';
import {launchChromium} from './harness/chromium.mjs';

await consentScenarios({
  browser: 'chromium',
  launch: (fixture, {home, language = 'en'}) => launchChromium({
    userDataDir: path.join(home, '.config', 'chromium'),
    extensionDir: fixture.paths.extensionDir,
    env: fixture.browserEnv(home),
    language,
  }),
  windowLanguage: 'en',
  otherLanguage: 'zh-TW',
});
