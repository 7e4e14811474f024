// The consent and PIN window, end to end: a portal page (the demo portal's /card-test) calls the page
// library; the real extension opens its window; the test reads it, types the PIN as a user does and
// answers with the keyboard; the real certbridge-host works on the test bed's SoftHSM2 token (PIN 123456).
// Each browser's consent.*.test.mjs runs these scenarios.
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {promisify} from 'node:util';
import {click, horizontalOverflow, pressKey, readConsent, typePin, waitForClosed, waitForConsentWindow, waitForMessage, waitForState}
  from './harness/consent-window.mjs';
import {makeHome} from './harness/home.mjs';
import {screenshot} from './harness/page-model.mjs';
import {errorMessage, explained, prerequisiteProblem, startFixture, uiText} from './harness/suite.mjs';

const run = promisify(execFile);

const PIN = '123456'; // the test bed's user PIN
const OTHER_PIN = '24681357';
const WRONG_PIN = '000000';
const READER = 'Virtual PCD 00 00';
const TOKEN = 'CertBridge Card';
const SUBJECT = [{type: 'C', value: 'TW'}, {type: 'O', value: 'CertBridge 測試'}, {type: 'CN', value: '王小明'}];

/** A catalogue template with its {placeholders} filled in. */
function fill(template, params = {}) {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A pattern for a catalogue template whose {placeholders} may be anything. */
function templatePattern(template) {
  const escaped = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{[A-Za-z0-9_]+\\\}/g, '.+');
  return new RegExp(`^${escaped}$`);
}

/** The subject of a PEM certificate request, as openssl reads it ("C=TW, O=..., CN=..."). */
async function requestSubject(pem) {
  const child = run('openssl', ['req', '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus_space']);
  child.child.stdin.end(pem);
  const {stdout} = await child;
  return stdout.replace(/^subject=\s*/, '').trim();
}

/**
 * Registers the consent-window scenarios for one browser.
 * @param {object} options
 * @param {'chromium'|'firefox'} options.browser
 * @param {(fixture: object, options: {home: string, language?: string}) => Promise<object>} options.launch
 *   starts the browser with the extension for a HOME (and a UI language); returns the harness session
 * @param {string} options.windowLanguage the catalogue language the window must use in that browser
 * @param {string|null} [options.otherLanguage] a second UI language to launch the browser with, where the
 *   window's page must speak it (null: the browser cannot switch, see the suite file)
 * @param {number} [options.idleMs] when set, one window is left open this long before OK: longer than the
 *   background's idle timeout (30 s), so the test fails if the background was stopped meanwhile
 */
export async function consentScenarios({browser, launch, windowLanguage, otherLanguage = null, idleMs = 0}) {
  const problem = await prerequisiteProblem({browser});
  if (problem && !problem.fail) {
    console.log(`SKIPPED: ${browser} consent window: ${problem.reason}`);
    test(`consent window in ${browser}`, {skip: problem.reason}, () => {});
    return;
  }

  describe(`consent window in ${browser}`, () => {
    let fixture = null;
    let session = null;
    let page = null;
    /** Consent windows already handled (a window of an earlier test is never taken for a new one). */
    const known = new Set();
    let consent = null;
    const t = (key, params) => fill(uiText(key, windowLanguage), params);
    const context = (name) => ({session: consent ? {...session, page: consent} : session, bed: fixture?.bed, outputDir: fixture?.outputDir, name});
    const shot = (target, name) => screenshot(target, path.join(fixture.outputDir, `${name}.png`));

    const start = (name, command, params) => page.evaluate(([n, c, p]) => window.cardTest.start(n, c, p), [name, command, params]);
    const outcome = (name) => page.evaluate((n) => window.cardTest.outcome(n), name);
    const settled = (name) => page.evaluate((n) => Promise.race([
      window.cardTest.outcome(n).then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), 500)),
    ]), name);
    /** The consent page's address without its session (from the first window found). */
    let consentPageUrl = null;
    const nextWindow = async () => {
      consent = await waitForConsentWindow(session, {known});
      consentPageUrl ??= (await consent.evaluate(() => location.href)).split('?')[0];
      return consent;
    };

    async function openCardPage(target) {
      await target.goto(`${fixture.portal.url}card-test`);
      await target.waitForSelector('#state[data-state="ready"]', {timeout: 15_000});
    }

    before(async () => {
      if (problem) throw new Error(problem.reason);
      // Its own screenshot directory: the environment-check suite of the same browser clears <out>/<browser>.
      fixture = await startFixture({browser, outputName: `consent-${browser}`});
      session = await launch(fixture, {home: fixture.home.home});
      page = session.page;
      await openCardPage(page);
    });

    after(async () => {
      try {
        await session?.close();
      } finally {
        await fixture?.stop();
      }
    });

    test('changePin: the window shows the origin and the PIN rules, checks them as you type; Enter changes the PIN', async () => {
      let changed = false;
      try {
        await explained(context('change-pin'), async () => {
          await start('change', 'changePin', {});
          await nextWindow();
          let view = await readConsent(consent);
          assert.equal(view.language, windowLanguage, 'the window follows the browser\'s UI language');
          assert.equal(view.originLabel, t('consent.requestFrom'));
          assert.equal(view.origin, fixture.portal.origin, 'the requesting origin, from the browser');
          assert.equal(view.title, t('consent.operation.changePin'));
          const card = view.details.find((row) => row.label === t('consent.detail.card'));
          assert.ok(card?.lines[0].includes(TOKEN) && card.lines[0].includes(READER), JSON.stringify(view.details));
          assert.deepEqual(view.fields.map((field) => [field.label, field.type]), [
            [t('consent.field.currentPin', {pinName: 'PIN'}), 'password'],
            [t('consent.field.newPin', {pinName: 'PIN'}), 'password'],
            [t('consent.field.confirmPin', {pinName: 'PIN'}), 'password'],
          ]);
          assert.equal(view.focusedLabel, view.fields[0].label, 'focus starts in the first field');
          // SoftHSM2 reports no count before a wrong PIN: the window says when the card locks, never "3 tries left".
          assert.ok(view.fields[0].hints.includes(t('consent.state.locksAfter', {locksAfter: 3})), view.fields[0].hints.join(' | '));
          const rule = t('consent.rule.length', {min: 6, max: 16});
          assert.ok(view.checks[0].text.startsWith(rule), view.checks[0].text);

          await typePin(consent, 0, PIN);
          await typePin(consent, 1, OTHER_PIN.slice(0, 4));
          view = await readConsent(consent);
          assert.deepEqual(view.checks.map((check) => check.met), [false, false], 'four characters: too short, no match yet');
          assert.ok(view.checks[0].text.endsWith(t('consent.check.notMet')), view.checks[0].text);
          await consent.keyboard.type(OTHER_PIN.slice(4));
          await typePin(consent, 2, OTHER_PIN);
          view = await readConsent(consent);
          assert.deepEqual(view.checks.map((check) => check.met), [true, true]);
          assert.ok(view.checks[1].text.endsWith(t('consent.check.met')), view.checks[1].text);
          await shot(consent, '01-change-pin');

          await pressKey(consent, 'Enter');
          const result = await outcome('change');
          assert.equal(result.ok, true, JSON.stringify(result.error));
          assert.equal(result.result.pinGroup, 0);
          assert.equal(result.result.pinName, 'PIN');
          changed = true;
          await waitForClosed(consent);

          // Back again: this only works if the card took the new PIN.
          await start('change-back', 'changePin', {});
          await nextWindow();
          await typePin(consent, 0, OTHER_PIN);
          await typePin(consent, 1, PIN);
          await typePin(consent, 2, PIN);
          await pressKey(consent, 'Enter');
          const back = await outcome('change-back');
          assert.equal(back.ok, true, JSON.stringify(back.error));
          changed = false;
          await waitForClosed(consent);
        });
      } finally {
        // The later tests need the test bed's PIN.
        if (changed) await fixture.bed.resetTokens();
      }
    });

    test('generateKeyPair: the subject and keys are shown; the PIN typed in the window gives a PKCS#10 request', async () => {
      await explained(context('generate-key-pair'), async () => {
        await start('keygen', 'generateKeyPair', {subject: SUBJECT, keys: [{usage: 'signing', keySize: 2048}]});
        await nextWindow();
        const view = await readConsent(consent);
        assert.equal(view.origin, fixture.portal.origin);
        assert.equal(view.title, t('consent.operation.generateKeyPair'));
        const rows = Object.fromEntries(view.details.map((row) => [row.label, row.lines]));
        assert.deepEqual(rows[t('consent.detail.subject')], [
          `${t('consent.dn.C')}: TW`, `${t('consent.dn.O')}: CertBridge 測試`, `${t('consent.dn.CN')}: 王小明`]);
        assert.deepEqual(rows[t('consent.detail.keys')], [t('consent.value.key', {index: 1, usage: t('consent.usage.signing'), keySize: 2048})]);
        assert.deepEqual(view.fields.map((field) => field.label), [t('consent.field.pin', {pinName: 'PIN'})]);
        assert.deepEqual(view.fields[0].hints, [t('consent.rule.length', {min: 6, max: 16}), t('consent.state.locksAfter', {locksAfter: 3})]);
        assert.equal(view.focusedLabel, view.fields[0].label);
        await shot(consent, '02-generate-key-pair');

        await typePin(consent, 0, PIN);
        await pressKey(consent, 'Enter');
        const result = await outcome('keygen');
        assert.equal(result.ok, true, JSON.stringify(result.error));
        const [request] = result.result.requests;
        assert.match(request.request, /^-----BEGIN CERTIFICATE REQUEST-----/);
        assert.equal(await requestSubject(request.request), 'C=TW, O=CertBridge 測試, CN=王小明');
        assert.deepEqual(result.progress.map((step) => step.stage), ['login', 'generatingKey', 'creatingRequest'],
          'the host\'s progress still reaches the page');
        await waitForClosed(consent);
      });
    });

    test('a wrong PIN: the window says so, keeps the request and the retyped PIN succeeds', async () => {
      await explained(context('wrong-pin'), async () => {
        await start('wrong', 'changePin', {});
        await nextWindow();
        await typePin(consent, 0, WRONG_PIN);
        await typePin(consent, 1, PIN);
        await typePin(consent, 2, PIN);
        await pressKey(consent, 'Enter');
        const view = await waitForMessage(consent);
        await shot(consent, '03-wrong-pin');
        // SoftHSM2 does not count wrong PINs; a card that does also says how many tries are left.
        const patterns = ['consent.error.wrongPin', 'consent.error.wrongPinTries', 'consent.error.finalTry']
          .map((key) => templatePattern(uiText(key, windowLanguage)));
        assert.ok(patterns.some((pattern) => pattern.test(view.message)), view.message);
        const triesLeft = /\d+/.exec(view.message)?.[0];
        if (triesLeft && triesLeft !== '1') {
          assert.ok(view.fields[0].hints.includes(t('consent.state.countLow', {triesLeft})), `the field's state follows: ${view.fields[0].hints}`);
        }
        assert.equal(view.state, 'asking');
        assert.equal(view.fields[0].filled, false, 'the wrong PIN is gone');
        assert.equal(view.fields[0].invalid, true);
        assert.equal(view.focusedLabel, view.fields[0].label, 'focus is back in the PIN field');
        assert.equal(await settled('wrong'), false, 'the page is still waiting: it hears nothing of the wrong PIN');

        await typePin(consent, 0, PIN);
        await pressKey(consent, 'Enter');
        const result = await outcome('wrong');
        assert.equal(result.ok, true, JSON.stringify(result.error));
        await waitForClosed(consent);
      });
    });

    test('Cancel: the page gets USER_CANCELLED', async () => {
      await explained(context('cancel'), async () => {
        await start('cancel', 'generateKeyPair', {subject: SUBJECT, keys: [{usage: 'signing'}]});
        await nextWindow();
        assert.equal((await readConsent(consent)).cancelText, t('consent.button.cancel'));
        await click(consent, '#cancel');
        const result = await outcome('cancel');
        assert.equal(result.error?.code, 'USER_CANCELLED');
        assert.equal(result.error.message, errorMessage('USER_CANCELLED', 'en'), 'the page library\'s text, in the page\'s language (en)');
        await waitForClosed(consent);
      });
    });

    test('Escape: the page gets USER_CANCELLED', async () => {
      await explained(context('escape'), async () => {
        await start('escape', 'authenticate', {challenge: 'AAECAwQFBgcICQoLDA0ODw=='});
        await nextWindow();
        const view = await readConsent(consent);
        assert.equal(view.title, t('consent.operation.authenticate', {origin: fixture.portal.origin}));
        await typePin(consent, 0, '12');
        await pressKey(consent, 'Escape');
        assert.equal((await outcome('escape')).error?.code, 'USER_CANCELLED');
        await waitForClosed(consent);
      });
    });

    test('closing the window: the page gets USER_CANCELLED', async () => {
      await explained(context('close-window'), async () => {
        await start('close', 'changePin', {});
        await nextWindow();
        await consent.close();
        assert.equal((await outcome('close')).error?.code, 'USER_CANCELLED');
      });
    });

    test('the card pulled while the window waits: the window says so at once, before any PIN; the page gets CARD_REMOVED', async () => {
      await explained(context('card-pulled'), async () => {
        await start('pulled', 'authenticate', {challenge: 'AAECAwQFBgcICQoLDA0ODw=='});
        await nextWindow();
        await readConsent(consent);
        try {
          const pulledAt = Date.now();
          await fixture.bed.removeCard();
          const result = await outcome('pulled');
          assert.equal(result.error?.code, 'CARD_REMOVED', JSON.stringify(result));
          // The extension looks every second while the window waits: no PIN typed, no minutes of waiting.
          assert.ok(Date.now() - pulledAt < 10_000, `${Date.now() - pulledAt} ms`);
          const view = await waitForMessage(consent);
          await shot(consent, '05-card-pulled');
          assert.ok(view.message.includes(errorMessage('CARD_REMOVED', windowLanguage)), view.message);
          assert.equal(view.state, 'finished');
          assert.deepEqual(view.fields, [], 'no PIN field is left to type into');
          assert.equal(view.okVisible, false, 'one button: Close');
          assert.equal(view.cancelText, t('consent.button.close'));
          await click(consent, '#cancel');
          await waitForClosed(consent);
        } finally {
          await fixture.bed.insertCard();
        }
      });
    });

    test('readable at 200 % zoom, with the focus visible', async () => {
      await explained(context('zoom'), async () => {
        await start('zoom', 'generateKeyPair', {subject: SUBJECT, keys: [{usage: 'dual', keySize: 3072}]});
        await nextWindow();
        // The window is 520 px wide: at 200 % zoom its content is laid out in 260 CSS px.
        await consent.setViewportSize?.({width: 260, height: 680});
        await consent.setViewport?.({width: 260, height: 680});
        assert.equal(await consent.evaluate(() => window.innerWidth), 260);
        const overflow = await horizontalOverflow(consent);
        await shot(consent, '04-zoom-260px');
        assert.ok(overflow <= 1, `no horizontal scrolling at 260 px (overflow ${overflow} px)`);
        const outline = await consent.evaluate(() => {
          const style = getComputedStyle(document.activeElement);
          return {tag: document.activeElement.tagName, style: style.outlineStyle, width: parseFloat(style.outlineWidth)};
        });
        assert.equal(outline.tag, 'INPUT');
        assert.ok(outline.style !== 'none' && outline.width >= 2, `visible focus: ${JSON.stringify(outline)}`);
        await pressKey(consent, 'Escape');
        assert.equal((await outcome('zoom')).error?.code, 'USER_CANCELLED');
        await waitForClosed(consent);
      });
    });

    test('the page\'s timeout stands still while the window waits for the user', async () => {
      await explained(context('timeout-paused'), async () => {
        // An 8 s timeout and a user who takes 10 s to type: the time in the window does not count.
        await page.evaluate(([subject]) => {
          window.timeoutTest = import('/lib/certbridge.js').then(({certbridge}) =>
            certbridge.request('generateKeyPair', {subject, keys: [{usage: 'signing'}]}, {timeoutMs: 8_000})
              .then((result) => ({ok: true, requests: result.requests.length}), (error) => ({ok: false, code: error.code})));
        }, [SUBJECT]);
        await nextWindow();
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        await typePin(consent, 0, PIN);
        await pressKey(consent, 'Enter');
        const outcome = await page.evaluate(() => window.timeoutTest);
        assert.deepEqual(outcome, {ok: true, requests: 1});
        await waitForClosed(consent);
      });
    });

    if (idleMs > 0) {
      test(`a window left open for ${idleMs / 1000} s still works (the background stays alive)`, {timeout: idleMs + 60_000}, async () => {
        await explained(context('idle'), async () => {
          await start('idle', 'generateKeyPair', {subject: SUBJECT, keys: [{usage: 'signing'}]});
          await nextWindow();
          await new Promise((resolve) => setTimeout(resolve, idleMs));
          await typePin(consent, 0, PIN);
          await pressKey(consent, 'Enter');
          const result = await outcome('idle');
          assert.equal(result.ok, true, JSON.stringify(result.error));
          await waitForClosed(consent);
        });
      });
    }

    test('the page\'s scripts never saw a PIN', async () => {
      await explained(context('no-pin-on-page'), async () => {
        const seen = await page.evaluate(() => window.cardTest.seen);
        const responses = seen.filter((message) => message.includes('"type":"response"'));
        assert.ok(responses.length > 0, "the recorder works: the page saw its responses");
        for (const secret of [PIN, OTHER_PIN, WRONG_PIN]) {
          assert.deepEqual(seen.filter((message) => message.includes(secret)), [], `a message the page saw holds ${secret}`);
        }
      });
    });

    if (otherLanguage) {
      // A window the extension opens can start before the test driver's language emulation reaches it
      // (seen in Chromium under load), so the second language is checked on the window's page opened in a
      // tab the driver made: with no request behind it, it says so, in the browser's language.
      test(`the window's page speaks the browser's UI language (${otherLanguage})`, async () => {
        const home = makeHome('certbridge-home-language-');
        let other = null;
        try {
          other = await launch(fixture, {home: home.home, language: otherLanguage});
          const tab = await other.newPage();
          await explained({...context('language'), session: {...other, page: tab}}, async () => {
            assert.ok(consentPageUrl, 'an earlier test found the consent window');
            await tab.goto(consentPageUrl);
            await waitForState(tab, 'finished');
            const view = await readConsent(tab);
            await screenshot(tab, path.join(fixture.outputDir, `05-language-${otherLanguage}.png`));
            assert.equal(view.language, otherLanguage);
            assert.equal(view.documentTitle, uiText('consent.windowTitle', otherLanguage));
            assert.equal(view.originLabel, uiText('consent.requestFrom', otherLanguage));
            assert.equal(view.message, uiText('consent.noRequest', otherLanguage), 'a window without a request says so');
            assert.equal(view.cancelText, uiText('consent.button.close', otherLanguage));
            assert.equal(view.okVisible, false);
          });
        } finally {
          await other?.close();
          home.remove();
        }
      });
    }
  });
}
