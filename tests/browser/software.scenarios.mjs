// Software certificates end to end: a portal page (the demo portal's /card-test) calls the page library;
// the real extension opens its window, which shows this computer's certificate store (no card, no test
// bed) and asks the passwords and the PKCS#12 file; the real certbridge-host works on the NSS database
// ~/.pki/nssdb of a throw-away HOME. The story of legacy portal rows S1-S7:
//   generateSoftwareKey -> the request issued by a test CA (openssl) -> installCertificates ->
//   exportPkcs12 (new password typed twice in the window; the file saved to the downloads folder, opened
//   with `openssl pkcs12 -info`) -> importPkcs12 in a second, fresh HOME whose store has a password: the
//   file picked in the window, a wrong file password asked again, the store's password asked when the host
//   says the store has one -> imported (certutil lists it). The page never sees a password or the file.
// Each browser's software.*.test.mjs runs these scenarios.
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {promisify} from 'node:util';
import {FILE_FIELD, pickFile, pressKey, readConsent, typeInto, waitForClosed, waitForConsentWindow, waitForMessage}
  from './harness/consent-window.mjs';
import {installHostManifest, makeHome} from './harness/home.mjs';
import {screenshot} from './harness/page-model.mjs';
import {explained, prerequisiteProblem, startFixture, uiText} from './harness/suite.mjs';

const run = promisify(execFile);

const SUBJECT = [{type: 'C', value: 'TW'}, {type: 'O', value: 'CertBridge 測試'}, {type: 'CN', value: '王小明'}];
const FILE_PASSWORD = 'Export-密碼-2026';
const WRONG_FILE_PASSWORD = 'not-the-password';
const STORE_PASSWORD = 'store-primary-pw';

function fill(template, params = {}) {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Runs a command with text on stdin; resolves {stdout, stderr}. */
async function runWithInput(file, args, input, options = {}) {
  const child = run(file, args, options);
  child.child.stdin.end(input);
  return child;
}

/**
 * Waits until the window's message line says `text` (polled: playwright's and puppeteer's waitForFunction
 * take their arguments differently).
 */
async function messageSays(page, text, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = await page.evaluate(() => document.getElementById('message').textContent);
    if (last === text) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the window's message was "${last}", not "${text}", after ${timeout} ms`);
}

/**
 * A test CA made with openssl, issuing certificates for PKCS#10 requests as an RA's CA would (signing
 * usage, client authentication).
 */
function makeTestCa(dir) {
  const key = path.join(dir, 'ca.key');
  const certificate = path.join(dir, 'ca.pem');
  const extensions = path.join(dir, 'user.ext');
  fs.writeFileSync(extensions, [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, nonRepudiation',
    'extendedKeyUsage = clientAuth, emailProtection',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n'));
  let serial = 0x5a10;
  return {
    async create() {
      await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certificate, '-days', '30',
        '-subj', '/C=TW/O=CertBridge Test/CN=CertBridge Software Test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
        '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
      return fs.readFileSync(certificate, 'utf8');
    },
    async issue(requestPem) {
      const request = path.join(dir, `request-${serial}.pem`);
      const issued = path.join(dir, `issued-${serial}.pem`);
      fs.writeFileSync(request, requestPem);
      await run('openssl', ['x509', '-req', '-in', request, '-CA', certificate, '-CAkey', key, '-set_serial', String(serial++),
        '-days', '20', '-sha256', '-extfile', extensions, '-out', issued]);
      return fs.readFileSync(issued, 'utf8');
    },
  };
}

/**
 * Registers the software-certificate scenarios for one browser.
 * @param {object} options
 * @param {'chromium'|'firefox'} options.browser
 * @param {(fixture: object, options: {home: string}) => Promise<object>} options.launch starts the browser
 *   with the extension for a HOME; returns the harness session
 * @param {(session: object, file: {fileName: string, downloadId: number}, options?: {besides?: string})
 *   => Promise<{path: string}>} options.downloaded where the browser saved a file the extension downloaded
 *   (`besides`: a file already there under the same name, which the new one must not be taken for)
 * @param {string} options.windowLanguage the catalogue language the window uses in that browser
 */
export async function softwareScenarios({browser, launch, downloaded, windowLanguage}) {
  const problem = await prerequisiteProblem({browser, needs: ['host', 'extension', 'pageLibrary']});
  if (problem && !problem.fail) {
    console.log(`SKIPPED: ${browser} software certificates: ${problem.reason}`);
    test(`software certificates in ${browser}`, {skip: problem.reason}, () => {});
    return;
  }

  describe(`software certificates in ${browser}`, () => {
    let fixture = null;
    let work = null;
    let ca = null;
    /** The browser of the first HOME (keys made, certificates installed, files exported) and of the second. */
    let session = null;
    let importing = null;
    let importHome = null;
    const known = new Set();
    let consent = null;
    const t = (key, params) => fill(uiText(key, windowLanguage), params);
    const context = (name, current = session) => ({session: consent ? {...current, page: consent} : current,
      outputDir: fixture?.outputDir, name});
    const shot = (target, name) => screenshot(target, path.join(fixture.outputDir, `${name}.png`));

    const start = (target, name, command, params) => target.page.evaluate(([n, c, p]) => window.cardTest.start(n, c, p), [name, command, params]);
    const outcome = (target, name) => target.page.evaluate((n) => window.cardTest.outcome(n), name);
    const seenByPage = (target) => target.page.evaluate(() => window.cardTest.seen.join('\n'));
    const nextWindow = async (target) => {
      consent = await waitForConsentWindow(target, {known});
      return consent;
    };

    async function openCardPage(target) {
      await target.page.goto(`${fixture.portal.url}card-test`);
      await target.page.waitForSelector('#state[data-state="ready"]', {timeout: 15_000});
    }

    /** The key store's row: this computer's store, never a card. */
    function assertStoreShown(view) {
      assert.ok(!view.details.some((row) => row.label === t('consent.detail.card')), 'no card is shown');
      const store = view.details.find((row) => row.label === t('consent.detail.keyStore'));
      assert.deepEqual(store?.lines, [t('consent.value.keyStoreLinux')], JSON.stringify(view.details));
    }

    /** What certutil lists in a HOME's NSS database: "nickname  trust" lines. */
    async function storeCertificates(home, password = null) {
      const args = ['-L', '-d', `sql:${path.join(home, '.pki', 'nssdb')}`];
      const {stdout} = await run('certutil', args);
      const keys = password === null ? null : await (async () => {
        const passwordFile = path.join(work, 'store-password.txt');
        fs.writeFileSync(passwordFile, `${password}\n`);
        return (await run('certutil', ['-K', '-d', `sql:${path.join(home, '.pki', 'nssdb')}`, '-f', passwordFile])).stdout;
      })();
      return {certificates: stdout, keys};
    }

    let requestPem = null;
    let installedId = null;
    /** The exported files as the page learnt them, and where the browser saved the first. */
    let exported = null;
    let exportedPath = null;

    before(async () => {
      if (problem) throw new Error(problem.reason);
      fixture = await startFixture({browser, testbed: false, outputName: `software-${browser}`});
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'certbridge-software-'));
      ca = makeTestCa(work);
      session = await launch(fixture, {home: fixture.home.home});
      await openCardPage(session);
    });

    after(async () => {
      try {
        await importing?.close();
        await session?.close();
      } finally {
        importHome?.remove();
        if (work) fs.rmSync(work, {recursive: true, force: true});
        await fixture?.stop();
      }
    });

    test('generateSoftwareKey: the window shows this computer\'s store (no card); OK makes the key and its request', async () => {
      await explained(context('generate'), async () => {
        await start(session, 'generate', 'generateSoftwareKey', {subject: SUBJECT, keys: [{usage: 'signing'}]});
        await nextWindow(session);
        const view = await readConsent(consent);
        assert.equal(view.title, t('consent.operation.generateSoftwareKey'));
        assert.equal(view.documentTitle, `${t('consent.windowTitleStore')} - ${fixture.portal.origin}`);
        assert.equal(view.origin, fixture.portal.origin);
        assertStoreShown(view);
        assert.deepEqual(view.details.find((row) => row.label === t('consent.detail.keys'))?.lines,
          [t('consent.value.key', {index: 1, usage: t('consent.usage.signing'), keySize: 2048})]);
        assert.deepEqual(view.fields, [], 'a store without a password: nothing to type');
        assert.equal(view.focused, 'ok', 'focus on OK: Enter confirms');
        await shot(consent, 'generate-window');
        await pressKey(consent, 'Enter');
        await waitForClosed(consent);
        const result = await outcome(session, 'generate');
        assert.equal(result.ok, true, JSON.stringify(result.error));
        assert.equal(result.result.store, 'software');
        assert.equal(result.result.requests.length, 1);
        requestPem = result.result.requests[0].request;
        const {stdout} = await runWithInput('openssl', ['req', '-noout', '-verify', '-subject', '-nameopt', 'utf8,sep_comma_plus_space'], requestPem);
        assert.match(stdout, /C=TW, O=CertBridge 測試, CN=王小明/);
        const store = await storeCertificates(fixture.home.home, '');
        assert.match(store.keys, /rsa/, 'the key is in the NSS database of this HOME');
      });
    });

    test('installCertificates: the certificate the test CA issued goes next to its key', async () => {
      assert.ok(requestPem, 'needs the request of the test before');
      await explained(context('install'), async () => {
        const caPem = await ca.create();
        const issued = await ca.issue(requestPem);
        await start(session, 'install', 'installCertificates', {certificates: [issued], caCertificates: [caPem]});
        await nextWindow(session);
        const view = await readConsent(consent);
        assert.equal(view.title, t('consent.operation.installCertificates'));
        assertStoreShown(view);
        const certificateRow = view.details.find((row) => row.label === t('consent.detail.certificate', {index: 1}));
        assert.ok(certificateRow?.lines[0].includes('王小明'), JSON.stringify(view.details));
        await pressKey(consent, 'Enter');
        await waitForClosed(consent);
        const result = await outcome(session, 'install');
        assert.equal(result.ok, true, JSON.stringify(result.error));
        assert.equal(result.result.certificates[0].installed, true);
        assert.equal(result.result.certificates[0].hasKey, true);
        installedId = result.result.certificates[0].id;
        const store = await storeCertificates(fixture.home.home);
        assert.match(store.certificates, /王小明/);
      });
    });

    test('exportPkcs12: the new password twice with its rules, checked in the window; the file goes to the downloads folder', async () => {
      assert.ok(installedId, 'needs the certificate of the test before');
      await explained(context('export'), async () => {
        await start(session, 'export', 'exportPkcs12', {});
        await nextWindow(session);
        let view = await readConsent(consent);
        assert.equal(view.title, t('consent.operation.exportPkcs12'));
        assertStoreShown(view);
        assert.deepEqual(view.details.find((row) => row.label === t('consent.detail.saveTo'))?.lines, [t('consent.value.downloads')]);
        assert.deepEqual(view.fields.map((field) => [field.label, field.type]), [
          [t('consent.field.newFilePassword'), 'password'],
          [t('consent.field.confirmFilePassword'), 'password'],
        ]);
        assert.equal(view.focusedLabel, t('consent.field.newFilePassword'), 'focus starts in the first field');
        const rule = t('consent.rule.length', {min: 6, max: 64});
        assert.ok(view.checks[0].text.startsWith(rule), view.checks[0].text);
        assert.ok(view.checks[1].text.startsWith(t('consent.rule.passwordMatch')), view.checks[1].text);

        // Too short, then two different passwords: the window says why and sends nothing.
        await typeInto(consent, t('consent.field.newFilePassword'), '12345');
        await typeInto(consent, t('consent.field.confirmFilePassword'), '12345');
        await pressKey(consent, 'Enter');
        view = await waitForMessage(consent);
        assert.equal(view.message, t('consent.error.length', {pinName: t('consent.field.newFilePassword'), min: 6, max: 64}));
        assert.equal(view.state, 'asking');
        await consent.evaluate(() => {
          for (const input of document.querySelectorAll('#fields input')) input.value = '';
        });
        await typeInto(consent, t('consent.field.newFilePassword'), FILE_PASSWORD);
        await typeInto(consent, t('consent.field.confirmFilePassword'), `${FILE_PASSWORD}x`);
        await pressKey(consent, 'Enter');
        await messageSays(consent, t('consent.error.passwordMismatch'));
        // The mismatching field has the focus: the user takes back the extra character.
        await consent.keyboard.press('End');
        await consent.keyboard.press('Backspace');
        view = await readConsent(consent);
        assert.deepEqual(view.checks.map((check) => check.met), [true, true], 'both rules met');
        await shot(consent, 'export-window');
        await pressKey(consent, 'Enter');
        await waitForClosed(consent);

        const result = await outcome(session, 'export');
        assert.equal(result.ok, true, JSON.stringify(result.error));
        exported = result.result.files;
        assert.equal(exported.length, 1);
        assert.match(exported[0].fileName, /^王小明-signing-[0-9A-F]+\.p12$/);
        assert.equal(typeof exported[0].downloadId, 'number');
        assert.equal(exported[0].certificate.id, installedId);
        assert.ok(!('pkcs12' in exported[0]), 'the page gets no file bytes');
        const seen = await seenByPage(session);
        assert.ok(!seen.includes(FILE_PASSWORD), 'no message the page could see carries the password');
        assert.ok(!/"pkcs12"/.test(seen), 'nor the file');

        const saved = await downloaded(session, exported[0]);
        exportedPath = saved.path;
        assert.equal(exportedPath, path.join(fixture.home.home, 'Downloads', exported[0].fileName),
          'saved in the downloads folder under the name the page was told');
        // The browser saves 0644; the host made it readable by the user only, and the page was told so.
        assert.equal(fs.statSync(exportedPath).mode & 0o777, 0o600, 'the exported file is readable by its owner only');
        assert.equal(exported[0].fileMode, '0600');
        const info = await run('openssl', ['pkcs12', '-info', '-in', exportedPath, '-passin', `pass:${FILE_PASSWORD}`, '-nokeys']);
        const text = info.stdout + info.stderr;
        assert.match(text, /PBES2, PBKDF2, AES-256-CBC/);
        assert.match(text, /MAC: sha256/);
        assert.match(text, /subject=/, 'the certificate is in the file');
        await assert.rejects(run('openssl', ['pkcs12', '-info', '-in', exportedPath, '-passin', `pass:${WRONG_FILE_PASSWORD}`, '-nokeys']),
          'the file opens with its password only');
      });
    });

    test('importPkcs12 in a fresh HOME whose store has a password: file picked in the window, wrong password asked again, store password asked', async () => {
      assert.ok(exportedPath, 'needs the file of the test before');
      await explained(context('import', importing ?? session), async () => {
        importHome = makeHome('certbridge-import-home-');
        // The second computer's store has a password (Firefox's "primary password"): made before the browser starts.
        const storeDir = path.join(importHome.home, '.pki', 'nssdb');
        fs.mkdirSync(storeDir, {recursive: true});
        const passwordFile = path.join(work, 'new-store-password.txt');
        fs.writeFileSync(passwordFile, `${STORE_PASSWORD}\n`);
        await run('certutil', ['-N', '-d', `sql:${storeDir}`, '-f', passwordFile]);
        await installHostManifest({hostPath: fixture.paths.hostPath, home: importHome.home, browser});
        // One browser at a time: the first one's work is done.
        await session.close();
        session = null;
        importing = await launch(fixture, {home: importHome.home});
        await openCardPage(importing);

        await start(importing, 'import', 'importPkcs12', {});
        await nextWindow(importing);
        let view = await readConsent(consent);
        assert.equal(view.title, t('consent.operation.importPkcs12'));
        assertStoreShown(view);
        assert.deepEqual(view.fields.map((field) => [field.label, field.type]), [
          [t('consent.field.file'), 'file'],
          [t('consent.field.filePassword'), 'password'],
        ]);
        assert.equal(view.focusedLabel, t('consent.field.file'), 'focus starts on the file picker');
        assert.equal(await consent.$eval(FILE_FIELD, (input) => input.accept), '.p12,.pfx');

        // OK with no file (Enter on the picker opens it, so OK by Tab and Enter): the window says what is missing.
        await consent.keyboard.press('Tab');
        await consent.keyboard.press('Tab');
        assert.equal((await readConsent(consent)).focused, 'ok');
        await pressKey(consent, 'Enter');
        view = await waitForMessage(consent);
        assert.equal(view.message, t('consent.error.fileRequired'));

        await pickFile(consent, exportedPath);
        await typeInto(consent, t('consent.field.filePassword'), WRONG_FILE_PASSWORD);
        await pressKey(consent, 'Enter');
        await messageSays(consent, t('consent.error.wrongFilePassword'));
        view = await readConsent(consent);
        assert.equal(view.state, 'asking');
        assert.equal(view.focusedLabel, t('consent.field.filePassword'), 'the wrong password\'s field, emptied, has the focus');
        assert.equal(view.fields[1].filled, false);
        assert.equal(view.fields[1].invalid, true);
        await shot(consent, 'import-wrong-password');

        await consent.keyboard.type(FILE_PASSWORD);
        await pressKey(consent, 'Enter');
        // The file opens; now the host needs the store's password: the window asks for it, keeping the rest.
        await messageSays(consent, t('consent.error.storePasswordNeeded'));
        view = await readConsent(consent);
        assert.deepEqual(view.fields.map((field) => field.label),
          [t('consent.field.file'), t('consent.field.filePassword'), t('consent.field.storePassword')]);
        assert.equal(view.focusedLabel, t('consent.field.storePassword'));
        assert.equal(view.fields[1].filled, true, 'the file password the user typed stays');
        await shot(consent, 'import-store-password');
        await consent.keyboard.type(STORE_PASSWORD);
        await pressKey(consent, 'Enter');
        await waitForClosed(consent);

        const result = await outcome(importing, 'import');
        assert.equal(result.ok, true, JSON.stringify(result.error));
        assert.equal(result.result.keyImported, true);
        assert.equal(result.result.certificate.installed, true);
        assert.equal(result.result.certificate.id, installedId, 'the same certificate, now on the second computer');
        const seen = await seenByPage(importing);
        for (const secret of [FILE_PASSWORD, WRONG_FILE_PASSWORD, STORE_PASSWORD]) {
          assert.ok(!seen.includes(secret), 'no message the page could see carries a password');
        }
        const fileBase64 = fs.readFileSync(exportedPath).toString('base64');
        assert.ok(!seen.includes(fileBase64.slice(0, 64)), 'nor the file');
        const store = await storeCertificates(importHome.home, STORE_PASSWORD);
        assert.match(store.certificates, /王小明/);
        assert.match(store.keys, /rsa/);
      });
    });

    test('changePkcs12Password: file, its password and the new one twice in the window; a new file, the original kept', async () => {
      assert.ok(importing, 'needs the browser of the test before');
      await explained(context('change-password', importing), async () => {
        // The file sits in this computer's downloads folder, under the name the new file will get too.
        const picked = path.join(importHome.home, 'Downloads', path.basename(exportedPath));
        fs.mkdirSync(path.dirname(picked), {recursive: true});
        fs.copyFileSync(exportedPath, picked);
        const original = fs.readFileSync(picked);
        const newPassword = 'Changed-密碼-2027';
        await start(importing, 'change', 'changePkcs12Password', {});
        await nextWindow(importing);
        let view = await readConsent(consent);
        assert.equal(view.title, t('consent.operation.changePkcs12Password'));
        assert.ok(!view.details.some((row) => row.label === t('consent.detail.card')), 'no card is shown');
        assert.deepEqual(view.details.find((row) => row.label === t('consent.detail.saveTo'))?.lines, [t('consent.value.keepOriginal')]);
        assert.deepEqual(view.fields.map((field) => [field.label, field.type]), [
          [t('consent.field.file'), 'file'],
          [t('consent.field.filePassword'), 'password'],
          [t('consent.field.newFilePassword'), 'password'],
          [t('consent.field.confirmFilePassword'), 'password'],
        ]);
        await pickFile(consent, picked);
        await typeInto(consent, t('consent.field.filePassword'), FILE_PASSWORD);
        await typeInto(consent, t('consent.field.newFilePassword'), newPassword);
        await typeInto(consent, t('consent.field.confirmFilePassword'), newPassword);
        view = await readConsent(consent);
        assert.deepEqual(view.checks.map((check) => check.met), [true, true]);
        await pressKey(consent, 'Enter');
        await waitForClosed(consent);

        const result = await outcome(importing, 'change');
        assert.equal(result.ok, true, JSON.stringify(result.error));
        assert.equal(result.result.certificate.id, installedId);
        assert.ok(!('pkcs12' in result.result), 'the page gets no file bytes');
        const seen = await seenByPage(importing);
        for (const secret of [FILE_PASSWORD, newPassword]) assert.ok(!seen.includes(secret), 'no password reaches the page');
        const saved = await downloaded(importing, result.result, {besides: picked});
        assert.equal(path.dirname(saved.path), path.dirname(picked), 'in the downloads folder');
        assert.notEqual(saved.path, picked, 'under a new name: the name was taken by the original');
        assert.equal(result.result.fileName, path.basename(saved.path),
          'the page is told the name the browser saved the file under, not the one the host proposed');
        assert.deepEqual(fs.readFileSync(picked), original, 'the original file is kept as it was');
        assert.equal(fs.statSync(saved.path).mode & 0o777, 0o600, 'the new file is readable by its owner only');
        assert.equal(result.result.fileMode, '0600');
        await run('openssl', ['pkcs12', '-info', '-in', saved.path, '-passin', `pass:${newPassword}`, '-nokeys']);
        await assert.rejects(run('openssl', ['pkcs12', '-info', '-in', saved.path, '-passin', `pass:${FILE_PASSWORD}`, '-nokeys']),
          'the new file opens with the new password only');
      });
    });
  });
}
