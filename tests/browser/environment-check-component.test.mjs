// The environment check component against a scripted page library (fixtures/fake-certbridge.js), in
// Chromium: the states the virtual test bed cannot produce (locked PIN, protocol mismatch, unknown
// card, no reader, a site that is not allowed), and the accessibility basics. No extension, no host.
// Run: node --test tests/browser/environment-check-component.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {startDemoPortal} from '../demo-portal/portal.mjs';
import {launchChromium} from './harness/chromium.mjs';
import {writeFakePageLibrary} from './harness/fake-page-library.mjs';
import {openCheck, rowOf, rowsOf, screenshot} from './harness/page-model.mjs';
import {buildPaths} from './harness/paths.mjs';
import {errorFix, explained, hostFix, prerequisiteProblem, uiText} from './harness/suite.mjs';

/** Status of a GET for a raw, unnormalized path (fetch would resolve the dot segments itself). */
function rawStatus(port, rawPath) {
  return new Promise((resolve, reject) => {
    http.get({host: '127.0.0.1', port, path: rawPath}, (response) => {
      response.resume();
      resolve(response.statusCode);
    }).on('error', reject);
  });
}

const problem = await prerequisiteProblem({browser: 'chromium', needs: []});
if (problem && !problem.fail) console.log(`SKIPPED: environment check component: ${problem.reason}`);

describe('environment check component (scripted page library)', {skip: problem && !problem.fail ? problem.reason : false}, () => {
  let tmp = null;
  let portal = null;
  let session = null;
  const outputDir = path.join(buildPaths().outputDir, 'component');
  const open = (scenario, language) =>
    openCheck(session.page, `${portal.url}environment-check?fake=${scenario}${language ? `&lang=${language}` : ''}`);
  const shot = (name) => screenshot(session.page, path.join(outputDir, `${name}.png`));
  const ctx = (name) => ({session, outputDir, name});

  before(async () => {
    if (problem) throw new Error(problem.reason);
    fs.rmSync(outputDir, {recursive: true, force: true});
    fs.mkdirSync(outputDir, {recursive: true});
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'certbridge-component-'));
    portal = await startDemoPortal({pageLibraryDir: writeFakePageLibrary(path.join(tmp, 'page-library'))});
    session = await launchChromium({userDataDir: path.join(tmp, 'profile'), env: process.env});
  });
  after(async () => {
    try {
      await session?.close();
      await portal?.close();
    } finally {
      if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
    }
  });

  test('extension missing: red extension row with the install fix, host not checked', async () => {
    await explained(ctx('no-extension'), async () => {
      const check = await open('no-extension');
      assert.equal(rowOf(check, 'extension').code, 'EXTENSION_UNAVAILABLE');
      assert.ok(rowOf(check, 'extension').fix.includes(errorFix('EXTENSION_UNAVAILABLE')));
      assert.equal(rowOf(check, 'host').status, 'unknown');
      assert.equal(rowOf(check, 'pcsc').status, 'unknown');
    });
  });

  test('host missing: the extension version still shows, the host row is red with its fix', async () => {
    await explained(ctx('no-host'), async () => {
      const check = await open('no-host', 'en');
      assert.equal(rowOf(check, 'extension').status, 'ok');
      assert.ok(rowOf(check, 'extension').result.includes('0.1.0'));
      assert.equal(rowOf(check, 'host').code, 'NATIVE_UNAVAILABLE');
      assert.ok(rowOf(check, 'host').fix.includes(hostFix('NATIVE_UNAVAILABLE', 'en')), 'the install step for this OS (Linux)');
      assert.ok(rowOf(check, 'pcsc').result.includes(uiText('envCheck.value.needsHost', 'en')));
    });
  });

  test('an incompatible host: the host row names both protocol versions', async () => {
    await explained(ctx('protocol-mismatch'), async () => {
      const check = await open('protocol-mismatch', 'en');
      const host = rowOf(check, 'host');
      assert.equal(host.code, 'PROTOCOL_MISMATCH');
      assert.ok(host.result.includes('protocol 9') && host.result.includes('needs protocol 1'), host.result);
      assert.ok(host.fix.includes(errorFix('PROTOCOL_MISMATCH', 'en')));
    });
  });

  test('PIN states, expiring certificates and host problems each get their own row', async () => {
    await explained(ctx('pin-states'), async () => {
      const check = await open('pin-states');
      await shot('pin-states-zh-TW');
      const [finalTry, locked] = rowsOf(check, 'token');
      assert.equal(finalTry.status, 'warning');
      assert.ok(finalTry.fix.includes(uiText('envCheck.fix.pinFinalTry')), finalTry.fix);
      assert.equal(locked.status, 'error');
      assert.equal(locked.code, 'PIN_LOCKED');
      assert.ok(locked.fix.includes(errorFix('PIN_LOCKED')));
      assert.equal(rowOf(check, 'certificate').status, 'warning');
      const hostProblem = rowOf(check, 'problem', 'Virtual PCD 00 01');
      assert.equal(hostProblem.code, 'PKCS11_ERROR');
      assert.ok(check.summary.includes('4'), `summary counts the rows that need attention: ${check.summary}`);
    });
  });

  test('service down, no reader, no card, unknown card, site not allowed', async () => {
    await explained(ctx('failures'), async () => {
      let check = await open('no-pcsc');
      assert.equal(rowOf(check, 'pcsc').code, 'PCSC_UNAVAILABLE');
      // The scripted error names no OS: the page's own (Linux) steps, not every OS's.
      assert.ok(rowOf(check, 'pcsc').fix.includes(hostFix('PCSC_UNAVAILABLE')), rowOf(check, 'pcsc').fix);
      assert.ok(!rowOf(check, 'pcsc').fix.includes('Windows'), rowOf(check, 'pcsc').fix);
      check = await open('no-reader');
      assert.equal(rowOf(check, 'readers').code, 'NO_READER');
      check = await open('no-card');
      assert.equal(rowOf(check, 'card').code, 'NO_CARD');
      assert.equal(rowOf(check, 'reader', 'Virtual PCD 00 00').status, 'ok');
      check = await open('unknown-card');
      assert.equal(rowOf(check, 'reader', 'Virtual PCD 00 00').status, 'warning');
      assert.equal(rowOf(check, 'reader', 'Virtual PCD 00 00').code, 'CARD_NOT_SUPPORTED');
      check = await open('origin-not-allowed');
      assert.equal(rowOf(check, 'environment').code, 'ORIGIN_NOT_ALLOWED');
      // Which allow-list to change: here the host's, naming the page's origin.
      assert.ok(rowOf(check, 'environment').result.includes(
        uiText('envCheck.value.refusedByHost').replace('{origin}', new URL(portal.url).origin)), rowOf(check, 'environment').result);
      assert.equal(rowOf(check, 'host').status, 'ok');
    });
  });

  test('host missing: "download and install" links the package for this OS only (the portal\'s option)', async () => {
    await explained(ctx('download-link'), async () => {
      await open('no-host', 'en');
      await shot('no-host-download-en');
      const links = await session.page.$$eval('tr[data-check="host"] a.cb-envcheck__download-link',
        (anchors) => anchors.map((anchor) => ({href: anchor.href, os: anchor.dataset.os, text: anchor.textContent})));
      // The suite's Chromium runs on Linux: the .deb, not the Windows or macOS package.
      assert.deepEqual(links, [{href: `${portal.url}downloads/certbridge_amd64.deb`, os: 'linux',
        text: uiText('envCheck.downloadHost', 'en').replace('{os}', 'Linux')}]);
      assert.equal(await session.page.$$eval('a.cb-envcheck__download-link', (anchors) => anchors.length), 1,
        'no other row offers a download');
    });
  });

  test('host refused by the browser (extension ID, policy): its own words and fix, no download link', async () => {
    await explained(ctx('host-forbidden'), async () => {
      const check = await open('host-forbidden', 'en');
      const host = rowOf(check, 'host');
      assert.equal(host.code, 'NATIVE_UNAVAILABLE');
      assert.ok(host.result.includes(uiText('envCheck.value.notAllowed', 'en')), host.result);
      assert.ok(!host.result.includes(uiText('envCheck.value.notInstalled', 'en')), host.result);
      assert.ok(host.fix.includes('com.certbridge.host'), host.fix);
      assert.equal(await session.page.$$eval('a.cb-envcheck__download-link', (anchors) => anchors.length), 0);
    });
  });

  test('copy report: the clipboard holds the plain-text report of what the page shows', async () => {
    await explained(ctx('copy-report'), async () => {
      const {page} = session;
      await session.context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: portal.url.replace(/\/$/, '')});
      const check = await open('no-pcsc', 'en');
      await page.evaluate(() => navigator.clipboard.writeText('old clipboard'));
      await page.click('.cb-envcheck__copy');
      await page.waitForFunction(() => document.querySelector('.cb-envcheck__copy-message')?.textContent !== '');
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      const lines = copied.split('\n');
      assert.equal(lines[0], 'CertBridge environment report, format 1');
      assert.match(lines[1], /^date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(lines[2], 'language: en');
      assert.match(lines[3], /^browser: \S+/);
      assert.equal(lines[4], 'os: Debian GNU/Linux 12 (x86_64)');
      assert.equal(lines[6], 'host: 0.1.0 (protocol 1)');
      const rowLines = lines.slice(10, -1);
      assert.equal(rowLines.length, check.rows.length, copied);
      const pcsc = rowOf(check, 'pcsc');
      assert.ok(rowLines.includes(`ERROR | ${pcsc.item} | ${pcsc.problem}; ${uiText('envCheck.value.notRunning', 'en')} | ` +
        `PCSC_UNAVAILABLE | ${hostFix('PCSC_UNAVAILABLE', 'en')}`), copied);
      assert.equal(await page.$eval('.cb-envcheck__copy-message', (node) => node.textContent), uiText('envCheck.copied', 'en'));
      assert.equal(await page.$eval('.cb-envcheck__report', (node) => node.hidden), true, 'copied: no text area');
    });
  });

  test('copy report without a clipboard: the report selected in a text area, in the page\'s language', async () => {
    await explained(ctx('copy-fallback'), async () => {
      const {page} = session;
      await open('ok');
      // A browser that refuses the Clipboard API (insecure context, policy): the same report to copy by hand.
      await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true}));
      await page.click('.cb-envcheck__copy');
      await page.waitForSelector('.cb-envcheck__report:not([hidden])');
      await shot('copy-fallback-zh-TW');
      const shown = await page.evaluate(() => {
        const area = document.querySelector('.cb-envcheck__report');
        return {value: area.value, focused: document.activeElement === area, start: area.selectionStart, end: area.selectionEnd,
          message: document.querySelector('.cb-envcheck__copy-message').textContent};
      });
      assert.equal(shown.message, uiText('envCheck.copyManually'));
      assert.ok(shown.focused);
      assert.deepEqual([shown.start, shown.end], [0, shown.value.length], 'all of it selected');
      assert.ok(shown.value.startsWith('CertBridge environment report, format 1\n'));
      assert.ok(shown.value.includes('\nlanguage: zh-TW\n'));
      assert.ok(shown.value.includes(`\nOK | ${uiText('envCheck.row.registration').replace('{label}', 'CertBridge Card')} | `), shown.value);
      // Switching the language switches the report too.
      await page.click('.cb-envcheck__language[data-language="en"]');
      assert.ok((await page.$eval('.cb-envcheck__report', (area) => area.value)).includes('\nlanguage: en\n'));
    });
  });

  test('accessible: a real table, row headers, status in words, labelled language switch', async () => {
    await explained(ctx('a11y'), async () => {
      await open('no-host');
      const facts = await session.page.evaluate(() => {
        const table = document.querySelector('.cb-envcheck table');
        const root = document.querySelector('.cb-envcheck');
        return {
          caption: table.caption?.textContent,
          columnHeaders: [...table.querySelectorAll('thead th[scope="col"]')].length,
          rowHeaders: [...table.querySelectorAll('tbody tr.cb-envcheck__row > th[scope="row"]')].length,
          rows: [...table.querySelectorAll('tbody tr.cb-envcheck__row')].length,
          statusWords: [...table.querySelectorAll('.cb-envcheck__status-word')].every((node) => node.textContent.trim()),
          iconsHidden: [...table.querySelectorAll('.cb-envcheck__icon')].every((node) => node.getAttribute('aria-hidden') === 'true'),
          languageGroup: document.querySelector('.cb-envcheck__languages').getAttribute('aria-label'),
          pressed: [...document.querySelectorAll('.cb-envcheck__language')].map((b) => `${b.lang}:${b.getAttribute('aria-pressed')}`),
          labelledBy: document.getElementById(root.getAttribute('aria-labelledby'))?.textContent,
          live: document.querySelector('.cb-envcheck__summary').getAttribute('aria-live'),
        };
      });
      assert.equal(facts.caption, uiText('envCheck.caption'));
      assert.equal(facts.columnHeaders, 3);
      assert.equal(facts.rowHeaders, facts.rows);
      assert.ok(facts.statusWords && facts.iconsHidden);
      assert.equal(facts.languageGroup, uiText('envCheck.languageLabel'));
      assert.deepEqual(facts.pressed, ['zh-TW:true', 'en:false']);
      assert.equal(facts.labelledBy, uiText('envCheck.title'));
      assert.equal(facts.live, 'polite');
    });
  });

  test('the portal home page links to the check and keeps the chosen language', async () => {
    await explained(ctx('home'), async () => {
      const {page} = session;
      await page.goto(portal.url);
      await page.click('.portal-language button[data-language="en"]');
      await page.click('#environment-check-link');
      await page.waitForSelector('.cb-envcheck[data-state="done"]');
      assert.equal(await page.evaluate(() => document.querySelector('.cb-envcheck').lang), 'en');
      assert.ok(page.url().includes('lang=en'), page.url());
    });
  });

  test('the demo portal sends a strict Content-Security-Policy and runs no inline script', async () => {
    const response = await fetch(`${portal.url}environment-check`);
    const csp = response.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await response.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline <script>');
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
    for (const escape of ['/lib/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/lib/..%2f..%2f..%2fetc%2fpasswd', '/..%5c..%5cetc/passwd']) {
      assert.equal(await rawStatus(portal.port, escape), 404, `${escape} must not leave the served directories`);
    }
    assert.equal((await fetch(`${portal.url}lib/environment-check/environment-check.js`)).status, 200);
    assert.deepEqual(session.console.filter((line) => /Content.Security.Policy|Refused/i.test(line)), [], 'no CSP violations');
  });
});
