// The environment check, end to end: the demo portal's page, the page library, the real extension and
// the real certbridge-host on the virtual test bed. Each browser's *.test.mjs runs these scenarios.
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {makeHome} from './harness/home.mjs';
import {copyReportByHand, describeCheck, downloadLinks, openCheck, readCheck, recheck, reportRows, rowOf, rowsOf,
  screenshot} from './harness/page-model.mjs';
import {explained, hostFix, prerequisiteProblem, softhsmTokens, startFixture, uiText} from './harness/suite.mjs';

const READER = 'Virtual PCD 00 00';
const EMPTY_READER = 'Virtual PCD 00 01';
const ATR = '3B 95 13 81 01 80 73 FF 01 00 0B';
const TOKEN = 'CertBridge Card';

/** A row that is red and says how to fix exactly this problem, in the page's language. */
function assertProblemRow(row, code, language = 'zh-TW') {
  assert.equal(row.status, 'error', `${row.item} should be red: ${row.result}`);
  assert.equal(row.statusWord, uiText('envCheck.status.error', language));
  assert.equal(row.code, code, `${row.item}: ${row.result}`);
  // From the real host: the fix for its OS (Linux) where the catalogue has one per OS.
  assert.ok(row.fix.includes(hostFix(code, language)), `${row.item} should show the fix for ${code}; shows: ${row.fix}`);
}

/**
 * Registers the environment-check scenarios for one browser.
 * @param {object} options
 * @param {'chromium'|'firefox'} options.browser
 * @param {(fixture: object, options: {home: string, extension: boolean}) => Promise<object>} options.launch
 *        starts the browser for a HOME, with or without the extension; returns {page, console, close}
 */
export async function environmentCheckScenarios({browser, launch}) {
  const problem = await prerequisiteProblem({browser});
  if (problem && !problem.fail) {
    console.log(`SKIPPED: ${browser} environment check: ${problem.reason}`);
    test(`environment check in ${browser}`, {skip: problem.reason}, () => {});
    return;
  }

  describe(`environment check in ${browser}`, () => {
    let fixture = null;
    let session = null;
    const context = (name) => ({session, bed: fixture?.bed, outputDir: fixture?.outputDir, name});
    const shot = (name) => screenshot(session.page, path.join(fixture.outputDir, `${name}.png`));

    before(async () => {
      if (problem) throw new Error(problem.reason);
      fixture = await startFixture({browser});
      session = await launch(fixture, {home: fixture.home.home, extension: true});
    });

    after(async () => {
      try {
        await session?.close();
      } finally {
        await fixture?.stop();
      }
    });

    test('shows the readers, the card and the token the host found, all green', async () => {
      await explained(context('healthy'), async () => {
        const check = await openCheck(session.page, fixture.checkUrl());
        console.log(describeCheck(check));
        await shot('01-healthy-zh-TW');

        assert.equal(check.language, 'zh-TW', 'zh-TW is the default language');
        assert.equal(check.title, uiText('envCheck.title'));
        const notGreen = check.rows.filter((row) => row.status !== 'ok');
        assert.deepEqual(notGreen.map((row) => `${row.item}: ${row.result}`), [], 'every row is green');
        assert.ok(check.summary.includes(uiText('envCheck.summary.ok')), check.summary);

        assert.match(rowOf(check, 'extension').result, /\d+\.\d+\.\d+/, 'extension version shown');
        assert.match(rowOf(check, 'host').result, /\d+\.\d+\.\d+/, 'host version shown');
        assert.ok(rowOf(check, 'host').result.includes(uiText('envCheck.value.protocolCompatible').replace('{protocol}', '1')));
        assert.equal(rowOf(check, 'pcsc').status, 'ok');

        const reader = rowOf(check, 'reader', READER);
        assert.ok(reader.result.includes(uiText('envCheck.value.cardPresent')), reader.result);
        assert.ok(reader.result.includes(ATR), `ATR from the card: ${reader.result}`);
        const emptyReader = rowOf(check, 'reader', EMPTY_READER);
        assert.ok(emptyReader.result.includes(uiText('envCheck.value.noCard')), emptyReader.result);

        // The token row carries the serial number SoftHSM2 gave the test bed's token: it came from the host.
        const {serial} = (await softhsmTokens(fixture.bed)).find((token) => token.label === TOKEN);
        const token = rowOf(check, 'token', TOKEN);
        assert.ok(token.result.includes(serial), `token serial ${serial} in: ${token.result}`);

        // The card's registration in this computer's stores, from the host's inspect(): the suite's fresh
        // HOME has never registered it (Chrome's NSS database named), which is a fact, not a problem.
        const registration = rowOf(check, 'registration', TOKEN);
        assert.equal(registration.status, 'ok');
        assert.ok(registration.result.includes(uiText('envCheck.value.notRegistered')), registration.result);
        assert.ok(registration.result.includes('Chrome / Chromium'), registration.result);
      });
    });

    test('the language switch (keyboard) turns the page into English and back', async () => {
      await explained(context('language'), async () => {
        const {page} = session;
        await page.focus('.cb-envcheck__language[data-language="en"]');
        await page.keyboard.press('Enter');
        await page.waitForSelector('.cb-envcheck[lang="en"]', {timeout: 5_000});
        const english = await readCheck(page);
        await shot('02-healthy-en');
        assert.equal(english.documentLanguage, 'en', '<html lang> follows');
        assert.equal(english.title, uiText('envCheck.title', 'en'));
        assert.deepEqual(english.columns, ['item', 'status', 'result'].map((c) => uiText(`envCheck.column.${c}`, 'en')));
        const reader = rowOf(english, 'reader', READER);
        assert.equal(reader.statusWord, 'OK');
        assert.ok(reader.result.includes(uiText('envCheck.value.cardPresent', 'en')), reader.result);
        assert.ok(page.url().includes('lang=en'), `the address keeps the language: ${page.url()}`);

        await page.focus('.cb-envcheck__language[data-language="zh-TW"]');
        await page.keyboard.press(' ');
        await page.waitForSelector('.cb-envcheck[lang="zh-TW"]', {timeout: 5_000});
        assert.equal((await readCheck(page)).title, uiText('envCheck.title'));
      });
    });

    test('a removed card: the reader row says there is no card, and how to fix it', async () => {
      await fixture.bed.removeCard();
      try {
        await explained(context('card-removed'), async () => {
          const check = await openCheck(session.page, fixture.checkUrl());
          console.log(describeCheck(check));
          await shot('03-card-removed');
          const reader = rowOf(check, 'reader', READER);
          assert.ok(reader.result.includes(uiText('envCheck.value.noCard')), reader.result);
          assert.ok(!reader.result.includes(ATR), 'no ATR without a card');
          const noCard = check.rows.find((row) => row.code === 'NO_CARD');
          assert.ok(noCard, 'a row says no card is inserted');
          assertProblemRow(noCard, 'NO_CARD');
        });
      } finally {
        await fixture.bed.insertCard();
      }
    });

    test('PC/SC service stopped: the PC/SC row is red with its fix ("check again" button)', async () => {
      await explained(context('pcscd-running'), () => openCheck(session.page, fixture.checkUrl()));
      await fixture.bed.stopPcscd();
      try {
        await explained(context('pcscd-stopped'), async () => {
          const check = await recheck(session.page);
          console.log(describeCheck(check));
          await shot('04-pcscd-stopped');
          assertProblemRow(rowOf(check, 'pcsc'), 'PCSC_UNAVAILABLE');
          assert.deepEqual(rowsOf(check, 'reader'), [], 'no reader rows without the service');
          // The help desk's copy: the same row, code and Linux-only fix, in the page's language.
          const report = await copyReportByHand(session.page);
          const pcsc = reportRows(report).find((row) => row.code === 'PCSC_UNAVAILABLE');
          assert.ok(pcsc, report);
          assert.equal(pcsc.state, 'ERROR');
          assert.equal(pcsc.title, rowOf(check, 'pcsc').item);
          assert.equal(pcsc.fix, hostFix('PCSC_UNAVAILABLE'));
          assert.equal(reportRows(report).length, check.rows.length, report);
          assert.match(report, /\nhost: \d+\.\d+\.\d+ \(protocol 1\)\n/);
        });
      } finally {
        await fixture.bed.startPcscd();
      }
      // And back: the card is seen again once the service runs.
      await explained(context('pcscd-restarted'), async () => {
        const check = await recheck(session.page);
        assert.equal(rowOf(check, 'pcsc').status, 'ok');
        assert.ok(rowOf(check, 'reader', READER).result.includes(ATR));
      });
    });

    test('host not registered with the browser: the host row is red with the install fix', async () => {
      const bareHome = makeHome('certbridge-home-bare-');
      let bare = null;
      try {
        bare = await launch(fixture, {home: bareHome.home, extension: true});
        await explained({...context('host-missing'), session: bare}, async () => {
          const check = await openCheck(bare.page, fixture.checkUrl());
          console.log(describeCheck(check));
          await screenshot(bare.page, path.join(fixture.outputDir, '05-host-not-installed.png'));
          assert.equal(rowOf(check, 'extension').status, 'ok', 'the extension is there');
          assert.match(rowOf(check, 'extension').result, /\d+\.\d+\.\d+/);
          const host = rowOf(check, 'host');
          assertProblemRow(host, 'NATIVE_UNAVAILABLE');
          assert.ok(host.result.includes(uiText('envCheck.value.notInstalled')), host.result);
          // "Download and install" is a link to the demo portal's package for this OS (Linux) only.
          assert.deepEqual(await downloadLinks(bare.page), [{href: new URL('/downloads/certbridge_amd64.deb', fixture.checkUrl()).href,
            os: 'linux'}]);
        });
      } finally {
        await bare?.close();
        bareHome.remove();
      }
    });

    test('the page stays usable at 200% zoom', async () => {
      await explained(context('zoom'), async () => {
        const {page} = session;
        await openCheck(page, fixture.checkUrl());
        // 200% zoom of a 1280 px window lays the page out in 640 CSS px.
        await page.setViewport?.({width: 640, height: 900});
        await page.setViewportSize?.({width: 640, height: 900});
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        await shot('06-narrow-640px');
        assert.ok(overflow <= 1, `no horizontal scrolling at 640 px (overflow ${overflow} px)`);
        await page.setViewport?.({width: 1280, height: 900});
        await page.setViewportSize?.({width: 1280, height: 900});
      });
    });
  });
}
