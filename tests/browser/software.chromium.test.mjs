// Software certificates end to end in Debian Chromium (playwright-core): the unpacked extension, the real
// host and a throw-away HOME per browser start (a fresh NSS database at ~/.pki/nssdb); no card, no test bed.
// Downloaded files are found through the extension's own downloads.search (harness/downloads.mjs).
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/software.chromium.test.mjs
import {chromiumDownload, launchChromiumSavingDownloads} from './harness/downloads.mjs';
import {softwareScenarios} from './software.scenarios.mjs';

await softwareScenarios({
  browser: 'chromium',
  launch: (fixture, {home}) => launchChromiumSavingDownloads(fixture, home),
  downloaded: (session, file) => chromiumDownload(session.context, file.downloadId),
  windowLanguage: 'en',
});
