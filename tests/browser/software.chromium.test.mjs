// Software certificates end to end in Debian Chromium (playwright-core): the unpacked extension, the real
// host and a throw-away HOME per browser start (a fresh NSS database at ~/.pki/nssdb); no card, no test bed.
// Downloaded files are found through the extension's own downloads.search (harness/downloads.mjs).
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/software.chromium.test.mjs
import path from 'node:path';
import {launchChromium} from './harness/chromium.mjs';
import {chromiumDownload, saveDownloadsAsAUserWould} from './harness/downloads.mjs';
import {softwareScenarios} from './software.scenarios.mjs';

await softwareScenarios({
  browser: 'chromium',
  launch: async (fixture, {home}) => {
    const session = await launchChromium({
      userDataDir: path.join(home, '.config', 'chromium'),
      extensionDir: fixture.paths.extensionDir,
      env: fixture.browserEnv(home),
      language: 'en',
    });
    await saveDownloadsAsAUserWould(session);
    return session;
  },
  downloaded: (session, file) => chromiumDownload(session.context, file.downloadId),
  windowLanguage: 'en',
});
