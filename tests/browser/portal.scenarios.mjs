// The demo RA portal's smart-card flows end to end, as a subscriber goes through them: the portal pages
// (tests/demo-portal) call the page library, the real extension opens its window, the test types the PIN
// there (never in the page), the real host works on the test bed's card, the portal's OpenSSL CA issues.
// Each test asserts what the page shows and what is on the card afterwards (pkcs11-tool, openssl).
// The tests run in order and build on each other (apply -> download -> renew -> login ...); one browser
// serves the suite, more are started only where a test needs another computer or a broken setup.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {PORTAL_TEXT} from '../demo-portal/public/portal-text.js';
import {DEMO_SUBSCRIBER} from '../demo-portal/ra-service.mjs';
import {cardObjects, certificateOnCard, changePinWithTool, pinWorks, tokenFlags, writeNamespacedHostLauncher} from './harness/card-contents.mjs';
import {answerWithPins, click, pressKey, readConsent, typePin, waitForClosed, waitForConsentWindow, waitForMessage} from './harness/consent-window.mjs';
import {installHostManifest, makeHome} from './harness/home.mjs';
import {holdHosts} from './harness/host-processes.mjs';
import {screenshot} from './harness/page-model.mjs';
import {flowOutcome, openFlowPage, press, readFlow, waitForStatus} from './harness/portal-page.mjs';
import {errorFix, errorMessage, explained, hostFix, prerequisiteProblem, startFixture, uiText} from './harness/suite.mjs';

const PIN = '123456'; // the test bed's user PIN (both tokens)
const OTHER_PIN = '24681357';
const WRONG_PIN = '0000';
const READER = 'Virtual PCD 00 00';
const SUBJECT_TEXT = DEMO_SUBSCRIBER.subject.map(({type, value}) => `${type}=${value}`).join(', ');
const ISSUER_TEXT = 'C=TW, O=CertBridge Demo, OU=Evaluation Only, CN=CertBridge Demo User CA';

/** The portal's own text (zh-TW unless asked), with {placeholders} filled. */
const portal = (key, params = {}, language = 'zh-TW') =>
  PORTAL_TEXT[language][key].replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
const fill = (template, params = {}) => template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));

/**
 * Registers the portal scenarios for one browser.
 * @param {object} options
 * @param {'chromium'|'firefox'} options.browser
 * @param {(fixture: object, options: {home: string, env?: object, extension?: boolean}) => Promise<object>} options.launch
 *   starts the browser for a HOME (with the extension unless extension is false; env added to the bed's)
 * @param {string} options.windowLanguage the language of the extension's window in that browser
 */
export async function portalScenarios({browser, launch, windowLanguage}) {
  const problem = await prerequisiteProblem({browser});
  if (problem && !problem.fail) {
    console.log(`SKIPPED: ${browser} portal flows: ${problem.reason}`);
    test(`portal flows in ${browser}`, {skip: problem.reason}, () => {});
    return;
  }

  describe(`demo RA portal flows in ${browser}`, () => {
    let fixture = null;
    let session = null;
    let page = null;
    let consent = null;
    const known = new Set();
    const others = []; // browsers and homes started by single tests, closed at the end whatever happens
    const windowText = (key, params) => fill(uiText(key, windowLanguage), params);
    const context = (name, target = session) => ({session: consent ? {...target, page: consent} : target, bed: fixture?.bed,
      outputDir: fixture?.outputDir, name});
    const shot = (target, name) => screenshot(target, path.join(fixture.outputDir, `${name}.png`));
    const url = (flow, query = '') => `${fixture.portal.url}${flow}${query}`;
    const issuedSerials = {apply: [], renew: []};

    /** The next window of the extension, of the expected operation. */
    async function nextWindow(target, operationKey, params) {
      consent = await waitForConsentWindow(target, {known});
      if (operationKey) assert.equal((await readConsent(consent)).title, windowText(operationKey, params));
      return consent;
    }
    /** Types the PIN(s) in the window, one per field, and confirms with Enter. */
    async function confirm(target, operationKey, pins = [PIN], params) {
      const shown = await answerWithPins(target, {known, pins});
      assert.equal(shown.title, windowText(operationKey, params));
    }
    /** Another browser (computer), registered like a user install; closed at the end of the suite. */
    async function anotherBrowser({manifest = true, hostPath = fixture.paths.hostPath, env = {}, extension = true} = {}) {
      const home = makeHome(`certbridge-home-${browser}-`);
      others.push({close: async () => home.remove()});
      if (manifest) await installHostManifest({hostPath, home: home.home, browser});
      const other = await launch(fixture, {home: home.home, env, extension});
      others.unshift(other); // browsers close before their homes are deleted
      return other;
    }
    /** A fresh host configuration (a copy of the bed's), optionally with other allowed origins. */
    function freshConfig(name, change = (config) => config) {
      const config = change(JSON.parse(fs.readFileSync(fixture.bed.env.CERTBRIDGE_CONFIG, 'utf8')));
      const file = path.join(fixture.bed.dir, `${name}.json`);
      fs.writeFileSync(file, JSON.stringify(config, null, 2));
      return file;
    }

    before(async () => {
      if (problem) throw new Error(problem.reason);
      fixture = await startFixture({browser, outputName: `portal-${browser}`, opencryptoki: true,
        // The SO PIN the test bed's cards were given: what the CA's card registry would hold.
        portalOptions: (bed) => ({cardAdminPin: bed.env.CERTBRIDGE_TESTBED_SO_PIN, renewalWindowDays: 730})});
      session = await launch(fixture, {home: fixture.home.home});
      page = session.page;
    });

    after(async () => {
      try {
        for (const other of others) await other.close().catch(() => {});
        await session?.close();
      } finally {
        await fixture?.stop();
      }
    });

    test('apply: the registration data, keys made on the card, certificates issued; closing the window before writing leaves them with the RA', async () => {
      await explained(context('apply'), async () => {
        let view = await openFlowPage(page, url('apply'));
        assert.equal(view.title, portal('flow.apply.title'));
        assert.ok(view.readers.some((reader) => reader.startsWith(READER)), view.readers.join());
        assert.ok(view.details.includes(SUBJECT_TEXT), view.details);
        await press(page, 'start');
        view = await flowOutcome(page);
        assert.equal(view.error?.message, portal('ra.error.TERMS_NOT_ACCEPTED'), 'the terms come first');

        await page.click('#terms');
        await press(page, 'start');
        const keygen = await nextWindow(session, 'consent.operation.generateKeyPair');
        const rows = Object.fromEntries((await readConsent(keygen)).details.map((row) => [row.label, row.lines]));
        assert.ok(rows[windowText('consent.detail.subject')].includes(`${windowText('consent.dn.CN')}: ${DEMO_SUBSCRIBER.subject.at(-1).value}`),
          'the window shows the Chinese name the keys are made for');
        await typePin(keygen, 0, PIN);
        await pressKey(keygen, 'Enter');
        await waitForClosed(keygen);
        // The certificates are issued; the user closes the window that would write them.
        const write = await nextWindow(session, 'consent.operation.writeCertificates');
        await shot(page, '01-apply-writing');
        await click(write, '#cancel');
        view = await flowOutcome(page);
        await shot(page, '02-apply-not-written');
        assert.equal(view.state, 'error');
        assert.equal(view.error.code, 'USER_CANCELLED');
        assert.equal(view.error.message, errorMessage('USER_CANCELLED'), 'CertBridge\'s text, in the page\'s language (zh-TW)');
        assert.deepEqual(view.steps.map((step) => step.status), ['done', 'done', 'failed']);

        const issued = fixture.portal.ra.snapshot().certificates;
        assert.deepEqual(issued.map((record) => [record.usage, record.status]), [['signing', 'issued'], ['encryption', 'issued']]);
        issuedSerials.apply = issued.map((record) => record.serialNumber);
        const objects = await cardObjects(fixture.bed, {pin: PIN});
        assert.equal(objects.filter((object) => object.kind === 'privateKey').length, 2, 'two key pairs made on the card');
        assert.equal(objects.filter((object) => object.kind === 'certificate').length, 0, 'nothing written: the user cancelled');
      });
    });

    test('download on another computer (fresh profile, fresh host configuration): the issued certificates go onto the card beside their keys', async () => {
      await explained(context('download'), async () => {
        const other = await anotherBrowser({env: {CERTBRIDGE_CONFIG: freshConfig('another-computer')}});
        let view = await openFlowPage(other.page, url('download'));
        assert.deepEqual(view.raCertificates.map((row) => row.serial), issuedSerials.apply);
        await press(other.page, 'start');
        await confirm(other, 'consent.operation.writeCertificates');
        view = await flowOutcome(other.page);
        await shot(other.page, '03-download-other-computer');
        assert.equal(view.status, portal('flow.download.done', {count: 2}), JSON.stringify(view.error));

        const objects = await cardObjects(fixture.bed, {pin: PIN});
        const certificates = objects.filter((object) => object.kind === 'certificate');
        const keys = objects.filter((object) => object.kind === 'privateKey');
        assert.equal(certificates.length, 3, 'signing, encryption and the CA certificate');
        for (const serial of issuedSerials.apply) {
          const onCard = certificates.find((object) => object.serial === serial);
          assert.ok(onCard, `certificate ${serial} on the card`);
          assert.ok(keys.some((key) => key.id === onCard.id), 'stored beside its key (same CKA_ID)');
          const read = await certificateOnCard(fixture.bed, onCard.id);
          assert.equal(read.subject, SUBJECT_TEXT);
          assert.equal(read.issuer, ISSUER_TEXT);
        }

        // Again (the user ticks both): nothing is written twice.
        await other.page.evaluate(() => {
          for (const box of document.querySelectorAll('#ra-certificates input[type="checkbox"]')) if (!box.checked) box.click();
        });
        await press(other.page, 'start');
        await confirm(other, 'consent.operation.writeCertificates');
        view = await flowOutcome(other.page);
        assert.equal(view.status, portal('flow.download.alreadyDone'));
        assert.equal((await cardObjects(fixture.bed)).filter((object) => object.kind === 'certificate').length, 3);
      });
    });

    test('renew: new keys, the renewal signed with the current certificate (verified by the RA), new certificates written, old ones removed', async () => {
      await explained(context('renew'), async () => {
        let view = await openFlowPage(page, url('renew'));
        assert.deepEqual(view.onCard.map((row) => row.serial).sort(), [...issuedSerials.apply].sort());
        await press(page, 'start');
        await confirm(session, 'consent.operation.generateKeyPair');
        const sign = await nextWindow(session, 'consent.operation.signRenewal');
        const signer = (await readConsent(sign)).details.find((row) => row.label === windowText('consent.detail.signWith'));
        assert.ok(signer?.lines.some((line) => line.includes(SUBJECT_TEXT.split(', ').at(-1).slice(3))),
          `the window names the certificate that will sign: ${JSON.stringify(signer)}`);
        await typePin(sign, 0, PIN);
        await pressKey(sign, 'Enter');
        await waitForClosed(sign);
        await confirm(session, 'consent.operation.writeCertificates');
        view = await flowOutcome(page);
        await shot(page, '04-renew-done');
        assert.equal(view.state, 'done', JSON.stringify(view.error));
        const snapshot = fixture.portal.ra.snapshot().certificates;
        issuedSerials.renew = snapshot.filter((record) => record.status === 'onCard').map((record) => record.serialNumber);
        assert.equal(issuedSerials.renew.length, 2);
        const signedWith = /\b([0-9A-F]{32})\b/.exec(view.status)?.[1];
        assert.ok(issuedSerials.apply.includes(signedWith), `signed with a current certificate: ${view.status}`);
        assert.equal(view.status, portal('flow.renew.done', {serial: signedWith, removed: 2}));
        assert.deepEqual(view.onCard.map((row) => row.serial).sort(), [...issuedSerials.renew].sort(), 'the page lists the new certificates');

        const objects = await cardObjects(fixture.bed, {pin: PIN});
        const serials = objects.filter((object) => object.kind === 'certificate').map((object) => object.serial);
        for (const serial of issuedSerials.renew) assert.ok(serials.includes(serial), `new certificate ${serial} on the card`);
        for (const serial of issuedSerials.apply) assert.ok(!serials.includes(serial), `old certificate ${serial} removed`);
        assert.equal(objects.filter((object) => object.kind === 'privateKey').length, 2, 'the old keys went with their certificates');
      });
    });

    test('card login (English page): the origin-bound signature is verified by the RA', async () => {
      await explained(context('login'), async () => {
        await openFlowPage(page, url('login', '?lang=en'));
        await press(page, 'start');
        await confirm(session, 'consent.operation.authenticate', [PIN], {origin: fixture.portal.origin});
        const view = await flowOutcome(page);
        await shot(page, '05-login-en');
        assert.equal(view.language, 'en');
        assert.equal(view.status, portal('flow.login.done', {name: DEMO_SUBSCRIBER.name, id: DEMO_SUBSCRIBER.id}, 'en'), JSON.stringify(view.error));
        assert.ok(issuedSerials.renew.some((serial) => view.loginCertificate.endsWith(serial)), view.loginCertificate);
      });
    });

    test('change PIN: old and new PIN typed in the window; the card takes the new PIN', async () => {
      await explained(context('change-pin'), async () => {
        await openFlowPage(page, url('change-pin'));
        await press(page, 'start');
        await confirm(session, 'consent.operation.changePin', [PIN, OTHER_PIN, OTHER_PIN]);
        const view = await flowOutcome(page);
        assert.equal(view.status, portal('flow.change-pin.done', {pinName: 'PIN'}), JSON.stringify(view.error));
        assert.equal(await pinWorks(fixture.bed, OTHER_PIN), true, 'pkcs11-tool logs in with the new PIN');
        assert.equal(await pinWorks(fixture.bed, PIN), false, 'the old PIN is refused');
        // Back to the bed's PIN for the tests that follow (with the card's own tool).
        await changePinWithTool(fixture.bed, OTHER_PIN, PIN);
      });
    });

    test('card pulled during key generation: the page says so and no half-made key is left on the card', async () => {
      await explained(context('card-pulled'), async () => {
        const before = await cardObjects(fixture.bed, {pin: PIN});
        const issuedBefore = fixture.portal.ra.snapshot().certificates.length;
        await openFlowPage(page, url('apply'));
        await page.click('#terms');
        await press(page, 'start');
        const keygen = await nextWindow(session, 'consent.operation.generateKeyPair');
        await typePin(keygen, 0, PIN);
        await pressKey(keygen, 'Enter');
        // The moment the host reports the login (the step before the first key) or the first key, the card
        // leaves the reader. Pulling the virtual card takes longer than a fast machine takes to make both keys,
        // so the host is held meanwhile: let go, it finds the card gone at its next step, as if pulled right then.
        await waitForStatus(page, [portal('flow.progress.login'), portal('flow.progress.generatingKey').split('{')[0]]);
        const letGo = await holdHosts(fixture.paths.hostPath);
        try {
          await fixture.bed.removeCard();
        } finally {
          letGo();
        }
        const view = await flowOutcome(page);
        await shot(page, '06-card-pulled');
        try {
          assert.equal(view.error?.code, 'CARD_REMOVED', JSON.stringify(view));
          assert.equal(view.error.message, errorMessage('CARD_REMOVED'));
          assert.equal(view.error.fix, errorFix('CARD_REMOVED'));
          assert.deepEqual(view.steps.map((step) => step.status), ['failed', 'pending', 'pending']);
        } finally {
          await fixture.bed.insertCard();
        }
        const afterwards = await cardObjects(fixture.bed, {pin: PIN});
        assert.deepEqual(afterwards.map((object) => `${object.kind}:${object.id}`).sort(), before.map((object) => `${object.kind}:${object.id}`).sort(),
          'the card is as it was');
        assert.equal(fixture.portal.ra.snapshot().certificates.length, issuedBefore, 'nothing was issued');
      });
    });

    test('no card, no reader, then no smart card service: the page says what is missing and how to fix it', async () => {
      await explained(context('no-card'), async () => {
        await fixture.bed.removeCard();
        try {
          let view = await openFlowPage(page, url('change-pin'));
          assert.equal(view.readerNote, portal('flow.reader.insertCard'));
          await press(page, 'start');
          view = await flowOutcome(page);
          await shot(page, '07-no-card');
          assert.equal(view.error?.code, 'NO_CARD', JSON.stringify(view));
          assert.equal(view.error.message, errorMessage('NO_CARD'));
          assert.equal(view.error.fix, errorFix('NO_CARD'));
        } finally {
          await fixture.bed.insertCard();
        }
        await fixture.bed.unplugReader();
        try {
          await openFlowPage(page, url('change-pin'));
          await press(page, 'start');
          const view = await flowOutcome(page);
          await shot(page, '07-no-reader');
          assert.equal(view.error?.code, 'NO_READER', JSON.stringify(view));
          assert.equal(view.error.message, errorMessage('NO_READER'));
          assert.equal(view.error.fix, errorFix('NO_READER'));
        } finally {
          await fixture.bed.plugReader();
        }
        await fixture.bed.stopPcscd();
        try {
          const view = await openFlowPage(page, url('login'));
          await page.waitForSelector('#flow[data-state="error"]', {timeout: 30_000});
          const shown = await readFlow(page);
          assert.equal(shown.error?.code, 'PCSC_UNAVAILABLE', JSON.stringify(view));
          assert.equal(shown.error.message, errorMessage('PCSC_UNAVAILABLE'));
          // The host's OS only (the test bed is Linux): no Windows or macOS steps beside them.
          assert.equal(shown.error.fix, hostFix('PCSC_UNAVAILABLE'));
          assert.doesNotMatch(shown.error.fix, /Windows|macOS/);
        } finally {
          await fixture.bed.startPcscd();
        }
      });
    });

    test('extension missing, host missing, site not allowed: each page says which, with the fix', async () => {
      await explained(context('broken-setups'), async () => {
        const cases = [
          ['EXTENSION_UNAVAILABLE', {extension: false}],
          ['NATIVE_UNAVAILABLE', {manifest: false}],
          // IT allows only the official address on this computer (host configuration).
          ['ORIGIN_NOT_ALLOWED', {env: {CERTBRIDGE_CONFIG: freshConfig('official-address-only',
            (config) => ({...config, allowedOrigins: ['https://ra.example.com']}))}}],
        ];
        for (const [code, setup] of cases) {
          const other = await anotherBrowser(setup);
          await openFlowPage(other.page, url('apply'));
          await other.page.waitForSelector('#flow[data-state="error"]', {timeout: 30_000});
          const view = await readFlow(other.page);
          await shot(other.page, `08-${code.toLowerCase()}`);
          assert.equal(view.error?.code, code, JSON.stringify(view));
          assert.equal(view.error.message, errorMessage(code));
          assert.equal(view.error.fix, errorFix(code));
          await other.close();
          others.splice(others.indexOf(other), 1);
        }
      });
    });

    test('a card that counts wrong PINs (openCryptoki): tries left in the window, locked, then unlocked with the RA\'s authorization', async () => {
      const ockPin = fixture.bed.env.CERTBRIDGE_TESTBED_OCK_USER_PIN;
      const newPin = '13572468';
      const launcher = writeNamespacedHostLauncher(fixture.bed, fixture.paths.hostPath, fixture.bed.dir);
      const other = await anotherBrowser({hostPath: launcher, env: {CERTBRIDGE_CONFIG: fixture.bed.env.CERTBRIDGE_CONFIG_OCK}});
      await explained(context('opencryptoki', other), async () => {
        const ock = {ock: true};
        // Apply on this card (so the RA knows it), with one wrong PIN first: the window says how many tries are left.
        await openFlowPage(other.page, url('apply'));
        await other.page.click('#terms');
        await press(other.page, 'start');
        const keygen = await nextWindow(other, 'consent.operation.generateKeyPair');
        await typePin(keygen, 0, WRONG_PIN);
        await pressKey(keygen, 'Enter');
        let window = await waitForMessage(keygen);
        await shot(keygen, '09-wrong-pin-tries-left');
        // openCryptoki flags "count low" without a count; a token that tells says "2 tries left".
        assert.ok([windowText('consent.error.wrongPin', {pinName: 'PIN'}), windowText('consent.error.wrongPinTries', {pinName: 'PIN', triesLeft: 2})]
          .includes(window.message), window.message);
        assert.equal((await readFlow(other.page)).state, 'working', 'the page waits; it hears nothing of the wrong PIN');
        assert.ok((await tokenFlags(fixture.bed, ock)).includes('user PIN count low'), 'the card counted it');
        await typePin(keygen, 0, ockPin);
        await pressKey(keygen, 'Enter');
        await waitForClosed(keygen);
        await confirm(other, 'consent.operation.writeCertificates', [ockPin]);
        let view = await flowOutcome(other.page);
        assert.equal(view.status, portal('flow.apply.done'), JSON.stringify(view.error));
        assert.equal((await cardObjects(fixture.bed, ock)).filter((object) => object.kind === 'certificate').length, 3);

        // Three wrong PINs in the card-login window lock the card.
        await openFlowPage(other.page, url('login'));
        await press(other.page, 'start');
        const change = await nextWindow(other, 'consent.operation.authenticate', {origin: fixture.portal.origin});
        // What the card says after each wrong PIN (pkcs11-tool), and what the window may say: openCryptoki
        // flags "count low" and "final try" without a count.
        const expected = [
          ['user PIN count low', [windowText('consent.error.wrongPin', {pinName: 'PIN'}), windowText('consent.error.wrongPinTries', {pinName: 'PIN', triesLeft: 2})]],
          ['final user PIN try', [windowText('consent.error.wrongPin', {pinName: 'PIN'}), windowText('consent.error.finalTry', {pinName: 'PIN'})]]];
        for (const [flag, messages] of expected) {
          await typePin(change, 0, WRONG_PIN);
          await pressKey(change, 'Enter');
          window = await waitForMessage(change);
          assert.ok(messages.includes(window.message), window.message);
          const flags = await tokenFlags(fixture.bed, ock);
          assert.ok(flags.includes(flag), `${flag}: ${flags.join(', ')}`);
          await change.evaluate(() => {
            document.getElementById('message').textContent = ''; // so the next message is waited for
          });
        }
        await typePin(change, 0, WRONG_PIN);
        await pressKey(change, 'Enter');
        view = await flowOutcome(other.page);
        await shot(other.page, '10-locked');
        // The window says "locked" and nothing of the "last try" it said a moment before.
        const lockedWindow = await readConsent(change);
        assert.ok(!lockedWindow.fields.some((field) => field.hints.includes(windowText('consent.state.finalTry'))),
          JSON.stringify(lockedWindow.fields));
        assert.equal(view.error?.code, 'PIN_LOCKED', JSON.stringify(view));
        assert.equal(view.error.message, errorMessage('PIN_LOCKED'));
        assert.equal(view.error.unlockLink, '/unlock', 'the page points to the unlock page');
        assert.ok((await tokenFlags(fixture.bed, ock)).includes('user PIN locked'), (await tokenFlags(fixture.bed, ock)).join());
        await click(change, '#cancel').catch(() => {});

        // Unlock: the card identifies itself, the RA authorizes, the new PIN is typed twice in the window.
        await openFlowPage(other.page, url('unlock'));
        await press(other.page, 'start');
        view = await flowOutcome(other.page);
        assert.equal(view.state, 'authorized', JSON.stringify(view.error));
        assert.equal(view.status, portal('flow.unlock.authorized'));
        assert.ok(view.cardFacts.includes(portal('flow.pinState.locked')), view.cardFacts);
        await press(other.page, 'reset');
        await confirm(other, 'consent.operation.unblockPin', [newPin, newPin], {origin: fixture.portal.origin});
        view = await flowOutcome(other.page);
        await shot(other.page, '11-unlocked');
        assert.equal(view.status, portal('flow.unlock.done', {pinName: 'PIN'}), JSON.stringify(view.error));
        const flags = await tokenFlags(fixture.bed, ock);
        assert.ok(!flags.includes('user PIN locked') && !flags.includes('user PIN count low'), flags.join());
        assert.equal(await pinWorks(fixture.bed, newPin, ock), true, 'the new PIN opens the card');

        // And the card works again: card login with the new PIN.
        await openFlowPage(other.page, url('login'));
        await press(other.page, 'start');
        await confirm(other, 'consent.operation.authenticate', [newPin], {origin: fixture.portal.origin});
        view = await flowOutcome(other.page);
        assert.equal(view.status, portal('flow.login.done', {name: DEMO_SUBSCRIBER.name, id: DEMO_SUBSCRIBER.id}), JSON.stringify(view.error));
      });
    });
  });
}
