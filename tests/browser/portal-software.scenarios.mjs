// The demo RA portal's software-certificate edition and its "register certificates" page end to end, as a
// subscriber goes through them: the portal pages (tests/demo-portal) call the page library, the real
// extension opens its window (passwords, the PKCS#12 file, consent: typed and picked there, never in the
// page), the real host works on the NSS key store ~/.pki/nssdb of a throw-away HOME, and the portal's RA
// checks the requests and the renewal signature and issues with its OpenSSL CA. Each test asserts what the
// page shows and what certutil / modutil / openssl find afterwards.
// The story: on the first computer, a card (the test bed's) gets certificates on the card apply page ->
// register them with the browsers (the store is created), then unregister -> software apply (keys in the
// store, certificates issued; the user closes the window that would install them) -> the install page
// installs them -> export (PKCS#12 files to the downloads folder, copied away as a user takes them to
// another computer) -> renew (signed with the store's current certificate). On a second computer (a fresh
// HOME): import the exported file (a wrong password first: the window asks again, the store stays empty)
// -> change the file's password.
// Each browser's portal-software.*.test.mjs runs these scenarios.
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {promisify} from 'node:util';
import {PORTAL_TEXT} from '../demo-portal/public/portal-text.js';
import {DEMO_SUBSCRIBER} from '../demo-portal/ra-service.mjs';
import {answerWithPins, click, pickFile, pressKey, readConsent, typeInto, typePin, waitForClosed, waitForConsentWindow}
  from './harness/consent-window.mjs';
import {installHostManifest, makeHome} from './harness/home.mjs';
import {createStore, listedCertificates, moduleNames, storedCertificates, storedKeys, tokenLabels} from './harness/key-store.mjs';
import {screenshot} from './harness/page-model.mjs';
import {flowOutcome, openFlowPage, press} from './harness/portal-page.mjs';
import {errorMessage, explained, prerequisiteProblem, startFixture, uiText} from './harness/suite.mjs';

const run = promisify(execFile);

const PIN = '123456'; // the test bed's user PIN
const FILE_PASSWORD = 'Backup-密碼-2026';
const WRONG_FILE_PASSWORD = 'not-the-password';
const NEW_FILE_PASSWORD = 'Changed-密碼-2027';
const SUBJECT_TEXT = DEMO_SUBSCRIBER.subject.map(({type, value}) => `${type}=${value}`).join(', ');
const COMMON_NAME = DEMO_SUBSCRIBER.subject.at(-1).value;

/** The portal's own text (zh-TW unless asked), with {placeholders} filled. */
const portal = (key, params = {}, language = 'zh-TW') =>
  PORTAL_TEXT[language][key].replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
const fill = (template, params = {}) => template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));

/** The files the export and password pages list: name, the browser's download id, the certificate's serial. */
const savedFiles = (page) => page.evaluate(() => [...document.querySelectorAll('#exported-files tbody tr')]
  .map((row) => ({fileName: row.dataset.fileName, downloadId: Number(row.dataset.downloadId), serial: row.dataset.serial.toUpperCase()})));

/** The serial numbers of the certificates in a PKCS#12 file opened with `password` (rejects when it does not open). */
async function pkcs12Serials(file, password) {
  const {stdout} = await run('openssl', ['pkcs12', '-in', file, '-passin', `pass:${password}`, '-nokeys', '-clcerts']);
  return (stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [])
    .map((pem) => new crypto.X509Certificate(pem).serialNumber.toUpperCase());
}

/**
 * Registers the scenarios for one browser.
 * @param {object} options
 * @param {'chromium'|'firefox'} options.browser
 * @param {(fixture: object, options: {home: string}) => Promise<object>} options.launch starts the browser
 *   with the extension for a HOME
 * @param {(session: object, file: {fileName: string, downloadId: number}) => Promise<{path: string}>}
 *   options.downloaded where the browser saved a file the extension downloaded
 * @param {string} options.windowLanguage the language of the extension's window in that browser
 */
export async function portalSoftwareScenarios({browser, launch, downloaded, windowLanguage}) {
  const problem = await prerequisiteProblem({browser});
  if (problem && !problem.fail) {
    console.log(`SKIPPED: ${browser} portal software certificates: ${problem.reason}`);
    test(`portal software certificates in ${browser}`, {skip: problem.reason}, () => {});
    return;
  }

  describe(`demo RA portal, software certificates and registration, in ${browser}`, () => {
    let fixture = null;
    let session = null; // the first computer
    let second = null; // the second computer
    let secondHome = null;
    let consent = null;
    const known = new Set();
    const windowText = (key, params) => fill(uiText(key, windowLanguage), params);
    const context = (name, target = session) => ({session: consent ? {...target, page: consent} : target, bed: fixture?.bed,
      outputDir: fixture?.outputDir, name});
    const shot = (target, name) => screenshot(target, path.join(fixture.outputDir, `${name}.png`));
    const url = (flow) => `${fixture.portal.url}${flow}`;
    const home = () => fixture.home.home;
    const softwareRecords = () => fixture.portal.ra.snapshot().certificates.filter((record) => record.edition === 'software');
    let applied = [];
    let exportedFile = null;
    let carried = null; // files taken from the first computer to the second

    /** The next window of the extension, of the expected operation. */
    async function nextWindow(target, operationKey) {
      consent = await waitForConsentWindow(target, {known});
      const view = await readConsent(consent);
      assert.equal(view.title, windowText(operationKey));
      return view;
    }
    /** A window that asks nothing (a store without a password): the user confirms with Enter. */
    async function confirmWindow(target, operationKey) {
      const view = await nextWindow(target, operationKey);
      assert.deepEqual(view.fields, [], `${operationKey}: nothing to type`);
      await pressKey(consent, 'Enter');
      await waitForClosed(consent);
      return view;
    }

    before(async () => {
      if (problem) throw new Error(problem.reason);
      // The test bed's card is needed by the registration only; renewal opens at once (730 days).
      fixture = await startFixture({browser, outputName: `portal-software-${browser}`, portalOptions: {renewalWindowDays: 730}});
      carried = fs.mkdtempSync(path.join(os.tmpdir(), 'certbridge-carried-'));
      session = await launch(fixture, {home: home()});
    });

    after(async () => {
      try {
        await second?.close().catch(() => {});
        await session?.close();
      } finally {
        secondHome?.remove();
        if (carried) fs.rmSync(carried, {recursive: true, force: true});
        await fixture?.stop();
      }
    });

    test('register certificates: the card\'s module in ~/.pki/nssdb (certutil lists its token and certificates), then unregistered: gone', async () => {
      await explained(context('register'), async () => {
        const page = session.page;
        const env = fixture.bed.hostEnv;
        const token = fixture.bed.env.CERTBRIDGE_TESTBED_TOKEN;
        // The card gets its certificates on the card apply page (PIN typed in the window).
        await openFlowPage(page, url('apply'));
        await page.click('#terms');
        await press(page, 'start');
        consent = await waitForConsentWindow(session, {known});
        await typePin(consent, 0, PIN);
        await pressKey(consent, 'Enter');
        await waitForClosed(consent);
        await answerWithPins(session, {known, pins: [PIN]});
        assert.equal((await flowOutcome(page)).state, 'done');
        const onCard = fixture.portal.ra.snapshot().certificates.filter((record) => record.edition === 'card');
        assert.equal(onCard.length, 2);

        let view = await openFlowPage(page, url('register'));
        assert.equal(view.title, portal('flow.register.title'));
        assert.deepEqual(view.onCard.map((row) => row.serial).sort(), onCard.map((record) => record.serialNumber).sort());
        if (fs.existsSync(path.join(home(), '.pki', 'nssdb', 'cert9.db'))) {
          assert.ok(!(await tokenLabels(home(), env)).includes(token), 'not registered before');
        }
        await press(page, 'register');
        const shown = await nextWindow(session, 'consent.operation.registerCertificates');
        assert.deepEqual(shown.fields, [], 'no PIN');
        await pressKey(consent, 'Enter');
        await waitForClosed(consent);
        view = await flowOutcome(page);
        await shot(page, '00-registered');
        assert.equal(view.state, 'done', JSON.stringify(view.error));
        assert.equal(view.status, portal('flow.register.done', {count: 2}));
        const stores = await page.evaluate(() => [...document.querySelectorAll('#stores tbody tr')]
          .map((row) => ({kind: row.dataset.kind, outcome: row.dataset.outcome, cells: [...row.children].map((cell) => cell.textContent)})));
        const shared = stores.find((store) => store.kind === 'nss-shared');
        assert.equal(shared?.outcome, 'added', JSON.stringify(stores));
        assert.equal(shared.cells[2], portal('flow.outcome.added'));
        assert.equal(shared.cells[1], path.join(home(), '.pki', 'nssdb'));

        const modules = await moduleNames(home(), env);
        assert.ok(modules.some((name) => name.startsWith('CertBridge: ')), modules.join(', '));
        assert.ok((await tokenLabels(home(), env)).includes(token), 'certutil -U lists the card\'s token');
        const tokenCertificates = (await listedCertificates(home(), {allTokens: true, env}))
          .filter((entry) => entry.nickname.startsWith(`${token}:`));
        assert.equal(tokenCertificates.length, 2, `certutil -L -h all lists the card's two certificates: ${JSON.stringify(tokenCertificates)}`);

        await press(page, 'unregister');
        await nextWindow(session, 'consent.operation.unregisterCertificates');
        await pressKey(consent, 'Enter');
        await waitForClosed(consent);
        view = await flowOutcome(page);
        await shot(page, '00-unregistered');
        assert.equal(view.state, 'done', JSON.stringify(view.error));
        assert.equal(view.status, portal('flow.register.undone'));
        assert.ok(!(await moduleNames(home(), env)).some((name) => name.startsWith('CertBridge: ')), 'the module is gone');
        assert.ok(!(await tokenLabels(home(), env)).includes(token), 'and with it the token');
        assert.ok(!(await listedCertificates(home(), {allTokens: true, env})).some((entry) => entry.nickname.startsWith(`${token}:`)),
          'and the card\'s certificates');
        assert.deepEqual(await listedCertificates(home()), [], 'the store\'s own token holds nothing of the card');
      });
    });

    test('software apply: keys in the key store, the RA checks the requests and issues; the user closes the install window: the certificates stay with the RA', async () => {
      await explained(context('software-apply'), async () => {
        const page = session.page;
        let view = await openFlowPage(page, url('software-apply'));
        assert.equal(view.title, portal('flow.software-apply.title'));
        assert.ok(view.details.includes(SUBJECT_TEXT), view.details);
        assert.ok(view.details.includes(portal('flow.storeNote')), 'the page says where the keys go and that passwords are typed elsewhere');
        await page.click('#terms');
        await press(page, 'start');
        const keygen = await confirmWindow(session, 'consent.operation.generateSoftwareKey');
        assert.deepEqual(keygen.details.find((row) => row.label === windowText('consent.detail.keyStore'))?.lines,
          [windowText('consent.value.keyStoreLinux')], 'the window names this computer\'s key store, no card');
        await nextWindow(session, 'consent.operation.installCertificates');
        await click(consent, '#cancel');
        await waitForClosed(consent);
        view = await flowOutcome(page);
        await shot(page, '01-software-not-installed');
        assert.equal(view.state, 'error');
        assert.equal(view.error.code, 'USER_CANCELLED');
        assert.equal(view.error.message, errorMessage('USER_CANCELLED'), 'CertBridge\'s text, in the page\'s language (zh-TW)');
        assert.deepEqual(view.steps.map((step) => step.status), ['done', 'done', 'failed']);

        applied = softwareRecords();
        assert.deepEqual(applied.map((record) => [record.usage, record.status]), [['signing', 'issued'], ['encryption', 'issued']]);
        assert.equal((await storedKeys(home())).length, 2, 'the keys are in the store');
        assert.deepEqual(await listedCertificates(home()), [], 'no certificate was installed');
      });
    });

    test('software install: the issued certificates installed next to their keys', async () => {
      assert.equal(applied.length, 2, 'needs the certificates of the test before');
      await explained(context('software-install'), async () => {
        const page = session.page;
        let view = await openFlowPage(page, url('software-install'));
        assert.deepEqual(view.raCertificates.map((row) => row.serial).sort(), applied.map((record) => record.serialNumber).sort());
        assert.ok(view.raCertificates.every((row) => row.cells.includes(portal('flow.status.issued'))), JSON.stringify(view.raCertificates));
        await press(page, 'start');
        await confirmWindow(session, 'consent.operation.installCertificates');
        view = await flowOutcome(page);
        await shot(page, '02-software-installed');
        assert.equal(view.state, 'done', JSON.stringify(view.error));
        assert.equal(view.status, portal('flow.software-install.done', {count: 2}));
        assert.ok(view.raCertificates.every((row) => row.cells.includes(portal('flow.status.installed'))), JSON.stringify(view.raCertificates));

        applied = softwareRecords();
        assert.deepEqual(applied.map((record) => [record.usage, record.status]), [['signing', 'installed'], ['encryption', 'installed']]);
        const stored = await storedCertificates(home());
        assert.deepEqual(stored.map((entry) => entry.serialNumber).sort(), applied.map((record) => record.serialNumber).sort(),
          'certutil finds exactly the issued certificates in ~/.pki/nssdb');
        for (const entry of stored) {
          assert.match(entry.certificate.subject, new RegExp(`CN=${COMMON_NAME}`));
          assert.match(entry.certificate.issuer, /CN=CertBridge Demo User CA/);
        }
        assert.equal((await storedKeys(home())).length, 2, 'no other key was made');
        assert.ok((await listedCertificates(home())).some((entry) => entry.trust === 'u,u,u'), 'certutil shows a certificate with its key (u,u,u)');
      });
    });

    test('export PKCS#12: the file password twice in the window; one file per certificate in the downloads folder; the page sees names only', async () => {
      assert.equal(applied.length, 2, 'needs the certificates of the test before');
      await explained(context('software-export'), async () => {
        const page = session.page;
        await openFlowPage(page, url('software-export'));
        await press(page, 'start');
        const shown = await nextWindow(session, 'consent.operation.exportPkcs12');
        assert.deepEqual(shown.fields.map((field) => field.type), ['password', 'password']);
        await typeInto(consent, windowText('consent.field.newFilePassword'), FILE_PASSWORD);
        await typeInto(consent, windowText('consent.field.confirmFilePassword'), FILE_PASSWORD);
        await pressKey(consent, 'Enter');
        await waitForClosed(consent);
        const view = await flowOutcome(page);
        await shot(page, '03-software-exported');
        assert.equal(view.state, 'done', JSON.stringify(view.error));
        assert.equal(view.status, portal('flow.software-export.done', {count: 2}));
        const files = await savedFiles(page);
        assert.deepEqual(files.map((file) => file.serial).sort(), applied.map((record) => record.serialNumber).sort());
        for (const file of files) assert.match(file.fileName, new RegExp(`^${COMMON_NAME}-(signing|encryption)-[0-9A-F]+\\.p12$`));
        const pageHtml = await page.content();
        assert.ok(!pageHtml.includes(FILE_PASSWORD), 'the password is nowhere in the page');

        const signing = files.find((file) => file.fileName.includes('-signing-'));
        // The user takes the file to the other computer (the browser's own copy goes with its profile).
        exportedFile = path.join(carried, signing.fileName);
        fs.copyFileSync((await downloaded(session, signing)).path, exportedFile);
        assert.deepEqual(await pkcs12Serials(exportedFile, FILE_PASSWORD), [signing.serial], 'the file opens with the password typed in the window');
        await assert.rejects(pkcs12Serials(exportedFile, WRONG_FILE_PASSWORD), 'and with no other');
      });
    });

    test('software renew: new keys, the renewal signed with the store\'s current certificate and verified by the RA, the new certificates installed', async () => {
      assert.equal(applied.length, 2, 'needs the certificates of the first test');
      await explained(context('software-renew'), async () => {
        const page = session.page;
        let view = await openFlowPage(page, url('software-renew'));
        assert.deepEqual(view.raCertificates.map((row) => row.serial).sort(), applied.map((record) => record.serialNumber).sort());
        await press(page, 'start');
        await confirmWindow(session, 'consent.operation.generateSoftwareKey');
        await confirmWindow(session, 'consent.operation.signRenewalSoftware');
        await confirmWindow(session, 'consent.operation.installCertificates');
        view = await flowOutcome(page);
        await shot(page, '04-software-renewed');
        assert.equal(view.state, 'done', JSON.stringify(view.error));
        const signing = applied.find((record) => record.usage === 'signing');
        assert.equal(view.status, portal('flow.software-renew.done', {serial: signing.serialNumber}),
          'signed with the store\'s valid signing certificate (the RA verified the CMS against it)');

        const records = softwareRecords();
        const renewed = records.filter((record) => !applied.some((old) => old.id === record.id));
        assert.deepEqual(records.filter((record) => applied.some((old) => old.id === record.id)).map((record) => record.status), ['renewed', 'renewed']);
        assert.deepEqual(renewed.map((record) => [record.usage, record.status]), [['signing', 'installed'], ['encryption', 'installed']]);
        assert.deepEqual(view.issued.map((row) => row.serial).sort(), renewed.map((record) => record.serialNumber).sort());
        const stored = (await storedCertificates(home())).map((entry) => entry.serialNumber);
        for (const record of renewed) assert.ok(stored.includes(record.serialNumber), `${record.serialNumber} is in the store`);
        assert.equal((await storedKeys(home())).length, 4, 'the new keys beside the old ones');
      });
    });

    test('import PKCS#12 on a second computer (English page): the file picked in the window, a wrong password asked again with the store unchanged, then imported', async () => {
      assert.ok(exportedFile, 'needs the file of the export test');
      secondHome = makeHome(`certbridge-home-${browser}-second-`);
      // The second computer's browser has made its store already (empty password), so "unchanged" is visible.
      await createStore(secondHome.home);
      await installHostManifest({hostPath: fixture.paths.hostPath, home: secondHome.home, browser});
      await session.close(); // one browser at a time: the first computer's work is done
      session = null;
      consent = null;
      second = await launch(fixture, {home: secondHome.home});
      await explained(context('software-import', second), async () => {
        const page = second.page;
        const shownFirst = await openFlowPage(page, url('software-import?lang=en'));
        assert.equal(shownFirst.language, 'en');
        assert.equal(shownFirst.title, portal('flow.software-import.title', {}, 'en'));
        await press(page, 'start');
        const shown = await nextWindow(second, 'consent.operation.importPkcs12');
        assert.deepEqual(shown.fields.map((field) => [field.label, field.type]),
          [[windowText('consent.field.file'), 'file'], [windowText('consent.field.filePassword'), 'password']]);
        await pickFile(consent, exportedFile);
        await typeInto(consent, windowText('consent.field.filePassword'), WRONG_FILE_PASSWORD);
        await pressKey(consent, 'Enter');
        const answered = await Promise.race([
          consent.waitForSelector('#message:not(:empty)', {timeout: 30_000}).then(() => 'asked', () => 'timeout'),
          waitForClosed(consent).then(() => 'closed', () => 'timeout'),
        ]);
        if (answered === 'closed') assert.fail(`the window closed instead of asking again: ${JSON.stringify((await flowOutcome(page)).error)}`);
        const asked = await readConsent(consent);
        assert.equal(asked.message, windowText('consent.error.wrongFilePassword'), JSON.stringify(asked));
        assert.equal(asked.state, 'asking', 'the window asks again');
        assert.equal(asked.focusedLabel, windowText('consent.field.filePassword'));
        await shot(consent, '06-import-wrong-password');
        assert.equal((await readFlowState(page)), 'working', 'the page still waits: it is not told about the wrong password');
        assert.deepEqual(await listedCertificates(secondHome.home), [], 'nothing stored');
        assert.deepEqual(await storedKeys(secondHome.home), [], 'no key either');

        await consent.keyboard.type(FILE_PASSWORD);
        await pressKey(consent, 'Enter');
        await waitForClosed(consent);
        const view = await flowOutcome(page);
        await shot(page, '07-imported');
        assert.equal(view.state, 'done', JSON.stringify(view.error));
        assert.equal(view.status, portal('flow.software-import.done', {}, 'en'));
        const signing = applied.find((record) => record.usage === 'signing');
        assert.deepEqual(view.issued.map((row) => row.serial), [signing.serialNumber]);
        const stored = await storedCertificates(secondHome.home);
        assert.ok(stored.some((entry) => entry.serialNumber === signing.serialNumber), 'certutil finds the certificate');
        assert.equal((await storedKeys(secondHome.home)).length, 1, 'with its key');
        const pageHtml = await page.content();
        for (const secret of [FILE_PASSWORD, WRONG_FILE_PASSWORD]) assert.ok(!pageHtml.includes(secret));
      });
    });

    test('change a file\'s password: file, old and new password in the window; the new file opens with the new password only, the original is kept', async () => {
      assert.ok(second, 'needs the second computer of the test before');
      await explained(context('software-password', second), async () => {
        const page = second.page;
        await openFlowPage(page, url('software-password'));
        await press(page, 'start');
        await nextWindow(second, 'consent.operation.changePkcs12Password');
        await pickFile(consent, exportedFile);
        await typeInto(consent, windowText('consent.field.filePassword'), FILE_PASSWORD);
        await typeInto(consent, windowText('consent.field.newFilePassword'), NEW_FILE_PASSWORD);
        await typeInto(consent, windowText('consent.field.confirmFilePassword'), NEW_FILE_PASSWORD);
        await pressKey(consent, 'Enter');
        await waitForClosed(consent);
        const view = await flowOutcome(page);
        await shot(page, '08-password-changed');
        assert.equal(view.state, 'done', JSON.stringify(view.error));
        const [file] = await savedFiles(page);
        assert.equal(view.status, portal('flow.software-password.done', {fileName: file.fileName}));
        const saved = (await downloaded(second, file)).path;
        const signing = applied.find((record) => record.usage === 'signing');
        assert.equal(file.serial, signing.serialNumber, 'the page is told which certificate the file holds');
        assert.deepEqual(await pkcs12Serials(saved, NEW_FILE_PASSWORD), [signing.serialNumber], 'the new file opens with the new password');
        await assert.rejects(pkcs12Serials(saved, FILE_PASSWORD), 'not with the old one');
        assert.deepEqual(await pkcs12Serials(exportedFile, FILE_PASSWORD), [signing.serialNumber], 'the original is unchanged');
        assert.ok(!(await page.content()).includes(NEW_FILE_PASSWORD));
      });
    });
  });
}

/** The flow area's state (idle, working, done, error). */
function readFlowState(page) {
  return page.evaluate(() => document.getElementById('flow').dataset.state);
}

