// The demo RA portal's software-certificate pages and its "register certificates" page end to end in
// Firefox ESR (puppeteer-core over WebDriver BiDi): the extension as a temporary add-on, the real host, a
// throw-away HOME per computer (the host's key store is that HOME's ~/.pki/nssdb), the virtual test bed's
// card for the registration. The downloads folder is ~/Downloads of that HOME, set by the profile's
// preferences as a user's would be (as software.firefox.test.mjs does).
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/portal-software.firefox.test.mjs
import path from 'node:path';
import {firefoxDownload} from './harness/downloads.mjs';
import {launchFirefox} from './harness/firefox.mjs';
import {portalSoftwareScenarios} from './portal-software.scenarios.mjs';

const downloadsFolder = (home) => path.join(home, 'Downloads');

await portalSoftwareScenarios({
  browser: 'firefox',
  launch: async (fixture, {home}) => ({
    ...await launchFirefox({
      extensionDir: fixture.paths.extensionDir,
      env: fixture.browserEnv(home),
      language: 'en',
      prefs: {
        'browser.download.folderList': 2,
        'browser.download.dir': downloadsFolder(home),
        'browser.download.useDownloadDir': true,
        'browser.download.always_ask_before_handling_new_types': false,
      },
    }),
    home,
  }),
  downloaded: (session, file) => firefoxDownload(downloadsFolder(session.home), file.fileName),
  windowLanguage: 'en',
});
