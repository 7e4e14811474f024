// Software certificates end to end in Firefox ESR (puppeteer-core over WebDriver BiDi): the extension as a
// temporary add-on (its background an event page, which saves files from blob: URLs), the real host and a
// throw-away HOME per browser start (a fresh NSS database at ~/.pki/nssdb); no card, no test bed.
// The downloads folder is ~/Downloads of that HOME, set by the profile's preferences as a user's would be.
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/software.firefox.test.mjs
import path from 'node:path';
import {firefoxDownload} from './harness/downloads.mjs';
import {launchFirefox} from './harness/firefox.mjs';
import {softwareScenarios} from './software.scenarios.mjs';

const downloadsFolder = (home) => path.join(home, 'Downloads');

await softwareScenarios({
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
        'browser.download.panel.shown': true,
      },
    }),
    home,
  }),
  downloaded: (session, file, options) => firefoxDownload(downloadsFolder(session.home), file.fileName, options),
  windowLanguage: 'en',
});
