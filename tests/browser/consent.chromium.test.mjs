// The consent and PIN window end to end in Debian Chromium (playwright-core): the unpacked extension, the
// real host, the virtual test bed. The window is found as a page of the persistent context
// (chrome-extension://<id>/consent/consent.html).
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/consent.chromium.test.mjs
//
// Language: the suite runs in English and checks zh-TW on the window's page opened in a tab of a second
// Chromium started in zh-TW. A real consent window in a zh-TW Chromium (on Linux the UI language comes from
// LANGUAGE, not --lang, and zh-TW needs the chromium-l10n package) is checked by locale.chromium.test.mjs.
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
