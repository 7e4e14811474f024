// The policy templates of installer/policies/ applied the way IT applies them on Linux: as files in
// /etc/chromium/policies/managed/, read by Debian Chromium at start (harness/chromium-policy-files.mjs: a
// private mount namespace, the real /etc untouched). Each scenario starts a browser of its own:
//   - chrome-extension-settings.json: the extension force-installed from a self-hosted update URL (a CRX
//     packed from the development build, served on 127.0.0.1), chrome://policy shows ExtensionSettings
//     without error, the installed extension answers an https portal page and reaches the host, and
//     runtime_blocked_hosts / runtime_allowed_hosts keep its content script off every other https site;
//   - chrome-native-messaging.json: with our host on the allowlist the host answers; with every host
//     blocked the page gets NATIVE_UNAVAILABLE with cause "policy";
//   - an extension policy that breaks the schema: Chromium drops it (storage.managed {}), chrome://policy
//     says so, and environment() reports the dropped file by path and keys.
// Edge cannot run here: its template is checked for content (tests/unit/extension/policy_templates.test.mjs).
// Run: CERTBRIDGE_BUILD_DIR=build/ci node --test tests/browser/policy-files.chromium.test.mjs
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {after, before, describe, test} from 'node:test';
import {chromiumPolicyRoot, eventually, launchChromiumWithPolicyFiles, mountNamespaceProblem, readChromePolicyPage} from './harness/chromium-policy-files.mjs';
import {packCrx, startCrxUpdateServer} from './harness/crx-update-server.mjs';
import {buildPaths, CHROMIUM_EXECUTABLE, REPO_ROOT} from './harness/paths.mjs';
import {hostResolverRules, startProbePortal} from './harness/probe-portal.mjs';
import {prerequisiteProblem} from './harness/suite.mjs';

const run = promisify(execFile);
const TEMPLATES = path.join(REPO_ROOT, 'installer', 'policies');
const template = (name) => JSON.parse(fs.readFileSync(path.join(TEMPLATES, name), 'utf8'));
const protocol = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'extension', 'shared', 'protocol.json'), 'utf8'));
const DEV_ID = protocol.extensionIds.chromium[0];
const PORTAL = 'portal.certbridge.test';
const OTHER = 'other.certbridge.test';

const problem = await prerequisiteProblem({browser: 'chromium', needs: ['host', 'extension', 'pageLibrary']});
const namespaceProblem = mountNamespaceProblem();
const skip = problem?.reason ?? namespaceProblem;
if (skip && !(problem?.fail || (namespaceProblem && process.env.CI))) {
  console.log(`SKIPPED: policy files in Chromium: ${skip}`);
  test('policy files in Chromium', {skip}, () => {});
} else {
  describe('policy templates applied as files in Chromium', () => {
    const paths = buildPaths();
    let work;
    let portal;
    let session = null;

    before(async () => {
      if (skip) assert.fail(`prerequisites missing (CI must have them): ${skip}`);
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'certbridge-policy-files-'));
      portal = await startProbePortal({pageLibraryDir: paths.pageLibraryDir, workDir: work, names: [PORTAL, OTHER]});
    });
    after(async () => {
      await session?.close().catch(() => {});
      await portal?.close();
      if (work) fs.rmSync(work, {recursive: true, force: true});
    });

    /** A throw-away HOME with the host registered for `extensionIds`, a host configuration, and a browser in it. */
    async function startBrowser(name, {policyFiles, extensionIds, loadUnpacked = false}) {
      await session?.close().catch(() => {});
      const dir = path.join(work, name);
      const home = path.join(dir, 'home');
      fs.mkdirSync(home, {recursive: true});
      await run(paths.hostPath, ['install', '--user', '--browser', 'chromium', '--host-path', paths.hostPath,
        ...extensionIds.flatMap((id) => ['--chrome-extension-id', id])], {env: {...process.env, HOME: home}});
      const config = path.join(dir, 'certbridge-config.json');
      fs.writeFileSync(config, JSON.stringify({allowedOrigins: [`https://${PORTAL}:*`, 'http://127.0.0.1:*']}));
      const root = chromiumPolicyRoot(dir);
      const written = Object.fromEntries(Object.entries(policyFiles).map(([file, policy]) => [file, root.write(file, policy)]));
      session = await launchChromiumWithPolicyFiles({
        policyRoot: root.root, workDir: dir, userDataDir: path.join(home, '.config', 'chromium'),
        env: {...process.env, HOME: home, CERTBRIDGE_CONFIG: config, CERTBRIDGE_LOG_DIR: dir},
        extensionDir: loadUnpacked ? paths.extensionDir : null,
        args: [`--host-resolver-rules=${hostResolverRules([PORTAL, OTHER])}`],
      });
      return written;
    }

    /** Calls the page library on `origin`'s probe page: {ok, result} or {ok: false, error}. */
    async function callFrom(origin, command) {
      const {page} = session;
      await page.goto(`${origin}/probe`);
      await page.waitForSelector('body[data-ready=yes]', {timeout: 15_000});
      return page.evaluate((name) => window.certbridge[name]().then(
        (result) => ({ok: true, result}),
        (error) => ({ok: false, error: {code: error.code, cause: error.details?.cause ?? error.cause, message: error.message, reason: error.details?.reason}})), command);
    }

    test('force-installed from the update URL, on the portal only (chrome-extension-settings.json)', async () => {
      const crx = await packCrx({chromiumBinary: CHROMIUM_EXECUTABLE, extensionDir: paths.extensionDir, workDir: fs.mkdtempSync(path.join(work, 'crx-'))});
      const updates = await startCrxUpdateServer(crx);
      try {
        // The template as IT copies it, with the IDs and addresses of this test in place of the store's and the RA's.
        const [[storeId, entry]] = Object.entries(template('chrome-extension-settings.json').ExtensionSettings);
        assert.equal(storeId, DEV_ID);
        const settings = {...entry, update_url: updates.updateUrl, runtime_allowed_hosts: [`https://${PORTAL}`]};
        await startBrowser('force-install', {policyFiles: {'certbridge.json': {ExtensionSettings: {[crx.extensionId]: settings}}},
          extensionIds: [crx.extensionId]});

        // The page fills its tables as the policy service reports; read again until the policy is there.
        const policies = await eventually(() => readChromePolicyPage(session.context), (tables) => tables.chrome?.ExtensionSettings,
          'chrome://policy lists ExtensionSettings');
        const shown = policies.chrome.ExtensionSettings;
        assert.equal(shown.status, 'OK', `chrome://policy status of ExtensionSettings: ${JSON.stringify(shown)}`);
        assert.equal(shown.errors + shown.warnings, '');
        assert.deepEqual(JSON.parse(shown.value), {[crx.extensionId]: settings});

        // Installed and running: the portal page reaches it, and through it the host.
        const status = await eventually(() => callFrom(portal.httpsOrigin(PORTAL), 'status'), (outcome) => outcome.ok,
          'the force-installed extension answers status() on the portal', 30_000);
        assert.equal(status.result.extension.version, crx.version);
        assert.match(String(status.result.host?.version), /^\d+\.\d+\.\d+/, 'the host answered');
        assert.deepEqual(updates.requests.filter((request) => request === '/certbridge.crx'), ['/certbridge.crx'], 'fetched from the update URL');

        // runtime_blocked_hosts "*://*": on any other https site the content script does not run at all.
        const other = await callFrom(portal.httpsOrigin(OTHER), 'status');
        assert.equal(other.error?.code, 'EXTENSION_UNAVAILABLE', JSON.stringify(other));
      } finally {
        await updates.close();
      }
    });

    test('native messaging: our host on the allowlist works, every host blocked is NATIVE_UNAVAILABLE with cause "policy" (chrome-native-messaging.json)', async () => {
      const allowlisted = template('chrome-native-messaging.json');
      assert.deepEqual(allowlisted.NativeMessagingAllowlist, [protocol.nativeHostName]);
      await startBrowser('native-allowed', {policyFiles: {'certbridge-native.json': allowlisted}, extensionIds: [DEV_ID], loadUnpacked: true});
      const policies = await eventually(() => readChromePolicyPage(session.context),
        (tables) => tables.chrome?.NativeMessagingBlocklist && tables.chrome?.NativeMessagingAllowlist, 'chrome://policy lists both lists');
      for (const name of ['NativeMessagingBlocklist', 'NativeMessagingAllowlist']) assert.equal(policies.chrome?.[name]?.status, 'OK', name);
      const allowed = await callFrom(portal.httpOrigin, 'status');
      assert.equal(allowed.ok, true, JSON.stringify(allowed));

      // The same blocklist without our host on the allowlist.
      await startBrowser('native-blocked', {policyFiles: {'certbridge-native.json': {NativeMessagingBlocklist: ['*']}},
        extensionIds: [DEV_ID], loadUnpacked: true});
      const blocked = await callFrom(portal.httpOrigin, 'listReaders');
      assert.equal(blocked.error?.code, 'NATIVE_UNAVAILABLE', JSON.stringify(blocked));
      assert.equal(blocked.error.cause, 'policy', 'told apart from a host manifest without our ID');
      assert.match(blocked.error.message, /policy/i);
    });

    test('extension policy values that break the schema: dropped by Chromium, reported by environment()', async () => {
      const policy = structuredClone(template('chrome-managed-policy.json'));
      const section = policy['3rdparty'].extensions[DEV_ID];
      // Two usual mistakes: one origin written as a string instead of a list, and a mode the schema does not have.
      section.allowedOrigins = section.allowedOrigins[0];
      section.allowedOriginsMode = 'extend-all';
      // The page runs on loopback http (the build's own list allows it), which the template turns off.
      section.allowLoopbackHttp = true;
      const {'certbridge.json': file} = await startBrowser('invalid', {policyFiles: {'certbridge.json': policy},
        extensionIds: [DEV_ID], loadUnpacked: true});

      let [worker] = session.context.serviceWorkers().filter((candidate) => candidate.url().includes(DEV_ID));
      worker ??= await session.context.waitForEvent('serviceworker', {timeout: 15_000});
      assert.deepEqual(await worker.evaluate(() => chrome.storage.managed.get(null)), {allowLoopbackHttp: true},
        'storage.managed holds only the valid value');

      const environment = await callFrom(portal.httpOrigin, 'environment');
      assert.equal(environment.ok, true, JSON.stringify(environment));
      const hostFiles = environment.result.host.policy.browserPolicyFiles;
      assert.deepEqual(hostFiles, [{browser: 'chromium', path: file, extensions: {[DEV_ID]: ['allowLoopbackHttp', 'allowedOrigins', 'allowedOriginsMode']}, error: null}]);
      const reported = environment.result.extension.policy;
      assert.deepEqual(reported.keys, ['allowLoopbackHttp']);
      assert.deepEqual(reported.droppedFiles, [{browser: 'chromium', path: file, keys: ['allowedOrigins', 'allowedOriginsMode']}]);
      assert.match(reported.ignored[0].reason, /sets allowedOrigins, allowedOriginsMode for this extension, but the browser did not pass them on/);
    });

    test('a policy file that is not JSON: ignored whole by Chromium, reported by environment()', async () => {
      const {'certbridge.json': file} = await startBrowser('broken', {policyFiles: {'certbridge.json': '{"3rdparty": {"extensions": '},
        extensionIds: [DEV_ID], loadUnpacked: true});
      const environment = await callFrom(portal.httpOrigin, 'environment');
      assert.equal(environment.ok, true, JSON.stringify(environment));
      assert.deepEqual(environment.result.extension.policy.brokenFiles,
        [{browser: 'chromium', path: file, error: 'not valid JSON: the browser ignores the whole file'}]);
    });
  });
}
