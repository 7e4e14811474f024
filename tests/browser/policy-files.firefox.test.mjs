// installer/policies/firefox-policies.json applied the way IT applies it on Linux: policies.json in Firefox
// ESR's distribution folder, read at start (harness/firefox-policy-files.mjs: a private mount namespace,
// the installation untouched). ExtensionSettings force-installs the add-on (an xpi of the development
// build, from a file URL in place of addons.mozilla.org; unsigned, which Firefox ESR accepts with
// xpinstall.signatures.required false), about:policies shows both policies active and no error, the add-on
// answers the page and reaches the host, and the template's 3rdparty section reaches the add-on (its
// allowLoopbackHttp false refuses the loopback page for everything but status()).
// Firefox has no per-extension runtime_allowed_hosts and no native-messaging policy: those templates are
// Chromium's (policy-files.chromium.test.mjs).
// Run: CERTBRIDGE_BUILD_DIR=build/ci node --test tests/browser/policy-files.firefox.test.mjs
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {after, before, describe, test} from 'node:test';
import {firefoxDistribution, firefoxDistributionProblem, launchFirefoxWithPolicyFiles, readAboutPolicies} from './harness/firefox-policy-files.mjs';
import {buildPaths, REPO_ROOT} from './harness/paths.mjs';
import {startProbePortal} from './harness/probe-portal.mjs';
import {prerequisiteProblem} from './harness/suite.mjs';

const run = promisify(execFile);
const protocol = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'extension', 'shared', 'protocol.json'), 'utf8'));
const ADDON_ID = protocol.extensionIds.firefox;

const problem = await prerequisiteProblem({browser: 'firefox', needs: ['host', 'extension', 'pageLibrary']});
const distributionProblem = firefoxDistributionProblem();
const skip = problem?.reason ?? distributionProblem;
if (skip && !(problem?.fail || (distributionProblem && process.env.CI))) {
  console.log(`SKIPPED: policy files in Firefox: ${skip}`);
  test('policy files in Firefox', {skip}, () => {});
} else {
  describe('policies.json template applied in Firefox ESR', () => {
    const paths = buildPaths();
    let work;
    let portal;
    let session = null;

    before(async () => {
      if (skip) assert.fail(`prerequisites missing (CI must have them): ${skip}`);
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'certbridge-policy-files-firefox-'));
      portal = await startProbePortal({pageLibraryDir: paths.pageLibraryDir, workDir: work, names: ['portal.certbridge.test']});
    });
    after(async () => {
      await session?.close().catch(() => {});
      await portal?.close();
      if (work) fs.rmSync(work, {recursive: true, force: true});
    });

    test('ExtensionSettings force-installs the add-on, 3rdparty reaches it; about:policies shows both active', async () => {
      const xpi = path.join(work, 'certbridge.xpi');
      // An xpi is a zip of the extension folder, manifest.json at its root (python3 is part of the test bed).
      await run('python3', ['-m', 'zipfile', '-c', xpi, '.'], {cwd: paths.extensionDir});
      const home = path.join(work, 'home');
      fs.mkdirSync(home);
      await run(paths.hostPath, ['install', '--user', '--browser', 'firefox', '--host-path', paths.hostPath], {env: {...process.env, HOME: home}});
      const config = path.join(work, 'certbridge-config.json');
      fs.writeFileSync(config, JSON.stringify({allowedOrigins: ['http://127.0.0.1:*']}));

      // The template as IT copies it, with a file URL in place of the addons.mozilla.org one.
      const policies = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'installer', 'policies', 'firefox-policies.json'), 'utf8'));
      const installUrl = `file://${xpi}`;
      policies.policies.ExtensionSettings[ADDON_ID].install_url = installUrl;
      session = await launchFirefoxWithPolicyFiles({
        distribution: firefoxDistribution(work, policies), workDir: work,
        env: {...process.env, HOME: home, CERTBRIDGE_CONFIG: config, CERTBRIDGE_LOG_DIR: work},
        prefs: {'xpinstall.signatures.required': false},
      });

      const shown = await readAboutPolicies(session.page);
      assert.equal(shown.errors, '', 'about:policies lists no error');
      for (const expected of ['ExtensionSettings', ADDON_ID, '"force_installed"', `"${installUrl}"`, '3rdparty', 'allowedOrigins']) {
        assert.ok(shown.active.includes(expected), `about:policies shows ${expected} active:\n${shown.active}`);
      }

      const {page} = session;
      await page.goto(`${portal.httpOrigin}/probe`);
      await page.waitForSelector('body[data-ready=yes]', {timeout: 15_000});
      const call = (command) => page.evaluate((name) => window.certbridge[name]().then(
        (result) => ({ok: true, result}), (error) => ({ok: false, error: {code: error.code}})), command);
      const status = await call('status');
      assert.equal(status.ok, true, JSON.stringify(status));
      assert.equal(status.result.extension.browser.name, 'Firefox');
      assert.equal(status.result.host?.name, 'certbridge-host', 'the force-installed add-on reached the host');
      // The development build allows loopback http itself; the template's allowLoopbackHttp false turns it off.
      assert.equal((await call('listReaders')).error?.code, 'ORIGIN_NOT_ALLOWED', 'the 3rdparty policy reached the add-on');
    });
  });
}
