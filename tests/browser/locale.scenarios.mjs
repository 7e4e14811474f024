// The consent window speaks the browser's UI language: one browser run per language, each opening a real
// consent window (changePin from the demo portal's /card-test page, real host, virtual test bed) and reading
// the text a user sees. Language rule (extension/common/localization.js pickLanguage): Chinese (zh-*)
// -> zh-TW, any other language -> English; zh-TW when the browser names none.
// Each browser's locale.*.test.mjs runs these scenarios.
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {pressKey, readConsent, waitForClosed, waitForConsentWindow} from './harness/consent-window.mjs';
import {installHostManifest, makeHome} from './harness/home.mjs';
import {screenshot} from './harness/page-model.mjs';
import {explained, prerequisiteProblem, startFixture, uiText} from './harness/suite.mjs';

const HAN = /\p{Script=Han}/u;

const fill = (template, params = {}) =>
  template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));

/**
 * Registers one test per browser UI language.
 * @param {object} options
 * @param {'chromium'|'firefox'} options.browser
 * @param {(fixture: object, options: {home: string, language: string}) => Promise<object>} options.launch
 *   starts the browser with the extension, HOME and UI language
 * @param {Array<{uiLanguage: string, windowLanguage: string}>} options.runs the browser's UI language and
 *   the catalogue language the window must then use
 */
export async function localeScenarios({browser, launch, runs}) {
  const problem = await prerequisiteProblem({browser});
  if (problem && !problem.fail) {
    console.log(`SKIPPED: ${browser} consent window languages: ${problem.reason}`);
    test(`consent window languages in ${browser}`, {skip: problem.reason}, () => {});
    return;
  }

  describe(`consent window languages in ${browser}`, () => {
    let fixture = null;

    before(async () => {
      if (problem) throw new Error(problem.reason);
      fixture = await startFixture({browser, outputName: `locale-${browser}`});
    });

    after(async () => {
      await fixture?.stop();
    });

    for (const {uiLanguage, windowLanguage} of runs) {
      test(`a browser in ${uiLanguage}: the window speaks ${windowLanguage}`, async () => {
        const t = (key, params) => fill(uiText(key, windowLanguage), params);
        // Each run its own HOME (and so browser profile), with the host registered as a user does.
        const home = makeHome(`certbridge-home-${uiLanguage}-`);
        let session = null;
        let consent = null;
        try {
          await installHostManifest({hostPath: fixture.paths.hostPath, home: home.home, browser});
          session = await launch(fixture, {home: home.home, language: uiLanguage});
          const {page} = session;
          await explained({session, bed: fixture.bed, outputDir: fixture.outputDir, name: `language-${uiLanguage}`}, async () => {
            await page.goto(`${fixture.portal.url}card-test`);
            await page.waitForSelector('#state[data-state="ready"]', {timeout: 15_000});
            await page.evaluate(() => window.cardTest.start('language', 'changePin', {}));
            consent = await waitForConsentWindow(session);
            const view = await readConsent(consent);
            await screenshot(consent, path.join(fixture.outputDir, `consent-${uiLanguage}.png`));

            assert.equal(view.language, windowLanguage, 'the window\'s <html lang>');
            assert.equal(view.documentTitle, `${t('consent.windowTitle')} - ${fixture.portal.origin}`);
            assert.equal(view.originLabel, t('consent.requestFrom'));
            assert.equal(view.title, t('consent.operation.changePin'));
            assert.deepEqual(view.fields.map((field) => field.label), [
              t('consent.field.currentPin', {pinName: 'PIN'}),
              t('consent.field.newPin', {pinName: 'PIN'}),
              t('consent.field.confirmPin', {pinName: 'PIN'}),
            ]);
            assert.ok(view.fields[0].hints.includes(t('consent.state.locksAfter', {locksAfter: 3})), view.fields[0].hints.join(' | '));
            assert.equal(view.okText, t('consent.button.ok'));
            assert.equal(view.cancelText, t('consent.button.cancel'));
            // Not merely the right keys: what is on screen is in the language's script.
            const visible = [view.originLabel, view.title, view.okText, view.cancelText, ...view.fields.map((field) => field.label)].join(' ');
            assert.equal(HAN.test(visible), windowLanguage === 'zh-TW', visible);

            await pressKey(consent, 'Escape');
            const outcome = await page.evaluate(() => window.cardTest.outcome('language'));
            assert.equal(outcome.error?.code, 'USER_CANCELLED');
            await waitForClosed(consent);
          });
        } finally {
          await session?.close();
          home.remove();
        }
      });
    }
  });
}
