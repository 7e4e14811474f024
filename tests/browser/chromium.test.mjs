// End-to-end environment check in Debian Chromium (playwright-core) with the unpacked extension and
// the real host on the virtual test bed. Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/chromium.test.mjs
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {environmentCheckScenarios} from './environment-check.scenarios.mjs';
import {launchChromium} from './harness/chromium.mjs';
import {describeCheck, openCheck, rowOf, screenshot} from './harness/page-model.mjs';
import {errorFix, explained, prerequisiteProblem, startFixture, uiText} from './harness/suite.mjs';

function launch(fixture, {home, extension}) {
  return launchChromium({
    // Chromium reads host manifests from <user-data-dir>/NativeMessagingHosts; `install --user
    // --browser chromium` writes them to $HOME/.config/chromium/NativeMessagingHosts.
    userDataDir: path.join(home, '.config', 'chromium'),
    extensionDir: extension ? fixture.paths.extensionDir : null,
    env: fixture.browserEnv(home),
  });
}

await environmentCheckScenarios({browser: 'chromium', launch});

const problem = await prerequisiteProblem({browser: 'chromium', needs: ['pageLibrary']});
describe('environment check in chromium without the extension', {skip: problem && !problem.fail ? problem.reason : false}, () => {
  let fixture = null;
  let session = null;
  before(async () => {
    if (problem) throw new Error(problem.reason);
    fixture = await startFixture({browser: 'chromium', testbed: false});
    session = await launch(fixture, {home: fixture.home.home, extension: false});
  });
  after(async () => {
    try {
      await session?.close();
    } finally {
      await fixture?.stop();
    }
  });

  test('says the extension is missing and how to install it', async () => {
    await explained({session, outputDir: fixture.outputDir, name: 'no-extension'}, async () => {
      const check = await openCheck(session.page, fixture.checkUrl());
      console.log(describeCheck(check));
      await screenshot(session.page, path.join(fixture.outputDir, '07-extension-not-installed.png'));
      const extension = rowOf(check, 'extension');
      assert.equal(extension.status, 'error');
      assert.equal(extension.code, 'EXTENSION_UNAVAILABLE');
      assert.ok(extension.result.includes(uiText('envCheck.value.notInstalled')), extension.result);
      assert.ok(extension.fix.includes(errorFix('EXTENSION_UNAVAILABLE')), extension.fix);
      assert.equal(rowOf(check, 'host').status, 'unknown', 'the host cannot be checked without the extension');
      assert.ok(rowOf(check, 'host').result.includes(uiText('envCheck.value.needsExtension')));
    });
  });
});
