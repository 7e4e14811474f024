// The demo RA portal's software-certificate pages and its "register certificates" page end to end in
// Debian Chromium (playwright-core): the unpacked extension, the real host, a throw-away HOME per computer
// (its NSS key store ~/.pki/nssdb), the virtual test bed's card for the registration. Files the extension
// saves are found through its own downloads.search (harness/downloads.mjs).
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/portal-software.chromium.test.mjs
import {chromiumDownload, launchChromiumSavingDownloads} from './harness/downloads.mjs';
import {portalSoftwareScenarios} from './portal-software.scenarios.mjs';

await portalSoftwareScenarios({
  browser: 'chromium',
  launch: (fixture, {home}) => launchChromiumSavingDownloads(fixture, home),
  downloaded: (session, file) => chromiumDownload(session.context, file.downloadId),
  windowLanguage: 'en',
});
