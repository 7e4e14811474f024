// The environment check's plain-text report (environment-check/report-text.js, format 1 of its README):
// what "copy report" puts on the clipboard and `certbridge doctor` prints. Also the portal's download links
// (host-downloads.js) and which OS the page runs on (browser-info.js).

import assert from 'node:assert/strict';
import {describe, test} from 'node:test';

import {builtPageLibrary, messagesJson} from './helpers/build_output.mjs';

const {buildRows} = await builtPageLibrary('environment-check/environment-rows.js');
const {createTranslator} = await builtPageLibrary('environment-check/catalogue.js');
const {cleanField, reportText} = await builtPageLibrary('environment-check/report-text.js');
const {checkDownloads} = await builtPageLibrary('environment-check/host-downloads.js');
const {osFamily} = await builtPageLibrary('environment-check/browser-info.js');

const DATE = new Date('2026-12-05T03:12:45.678Z');
const FACTS = {browser: 'Chromium 131.0.6778.85', os: 'Debian GNU/Linux 12 (x86_64)', extension: '1.0.0 (protocol 1)',
  host: '1.0.0 (protocol 1)', pageLibrary: '1.0.0 (protocol 1)'};
const HOST = {version: '1.0.0', protocol: 1, os: {name: 'Debian GNU/Linux', version: '12', arch: 'x86_64'}, logFile: null};

function environment(overrides = {}) {
  return {host: HOST, pcsc: {available: true, error: null}, readers: [], modules: [], tokens: [], certificates: [],
    problems: [], ...overrides};
}

function rowsFor(env, extra = {}) {
  return buildRows({browser: {name: 'Chromium', version: '131.0.6778.85'}, pageLibrary: {version: '1.0.0', protocol: 1},
    status: null, statusError: null, environment: env, environmentError: null, ...extra});
}

const report = (rows, language = 'en') => reportText({rows, translator: createTranslator(language), date: DATE, facts: FACTS});

describe('plain-text report, format 1', () => {
  const pcscStopped = environment({pcsc: {available: false, error: {code: 'PCSC_UNAVAILABLE', message: 'x', os: 'linux'}}});

  test('header: fixed English names in order, UTC date to the second, the language, the counts', () => {
    const lines = report(rowsFor(pcscStopped)).split('\n');
    assert.deepEqual(lines.slice(0, 10), [
      'CertBridge environment report, format 1',
      'date: 2026-12-05T03:12:45Z',
      'language: en',
      'browser: Chromium 131.0.6778.85',
      'os: Debian GNU/Linux 12 (x86_64)',
      'extension: 1.0.0 (protocol 1)',
      'host: 1.0.0 (protocol 1)',
      'page library: 1.0.0 (protocol 1)',
      'summary: error=1 warning=0 unknown=1 ok=4',
      '',
    ]);
  });

  test('one line per row: state, title, detail, code, fix; the OS\'s own fix only', () => {
    const text = report(rowsFor(pcscStopped));
    const fix = messagesJson.errors.PCSC_UNAVAILABLE.fixByOs.linux.en;
    assert.ok(text.includes(`\nERROR | Smart card service (PC/SC) | The smart card service is not running.; Not running | PCSC_UNAVAILABLE | ${fix}\n`), text);
    assert.ok(text.includes('\nOK | Browser | Chromium 131.0.6778.85 | - | -\n'), text);
    assert.ok(text.includes('\nUNKNOWN | CertBridge extension | Unknown | - | -\n'), text);
    assert.ok(!text.includes('Windows'), 'a Linux report has no Windows steps');
    assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'));
    for (const line of text.split('\n').slice(10, -1)) assert.equal(line.split(' | ').length, 5, line);
  });

  test('in zh-TW: the texts in zh-TW, the state words and header names stay searchable', () => {
    const text = report(rowsFor(pcscStopped), 'zh-TW');
    assert.ok(text.includes('\nlanguage: zh-TW\n'));
    assert.ok(text.includes(`\nERROR | 智慧卡服務（PC/SC） | 智慧卡服務沒有執行。; 沒有執行 | PCSC_UNAVAILABLE | ${messagesJson.errors.PCSC_UNAVAILABLE.fixByOs.linux['zh-TW']}\n`), text);
  });

  test('rows in the page\'s order: software, cards, certificates, problems', () => {
    const rows = rowsFor(environment({problems: [{code: 'INTERNAL_ERROR', message: 'x', subject: null}],
      certificates: [{subject: 'CN=Holder', notAfter: '2027-01-01T00:00:00Z', daysToExpiry: 400, onCard: true}]}));
    const titles = report(rows).split('\n').slice(10, -1).map((line) => line.split(' | ')[1]);
    const index = (title) => titles.findIndex((shown) => shown.startsWith(title));
    assert.ok(index('Operating system') < index('Smart card service'));
    assert.ok(index('Readers') < index('Certificate: CN=Holder'));
    assert.ok(index('Certificate: CN=Holder') < index('Problem'));
  });

  test('a wrong PIN with tries left: the count follows the message, as on the page', () => {
    const rows = rowsFor(environment({problems: [{code: 'PIN_INCORRECT', message: 'x', triesLeft: 1, subject: 'Reader 1'}]}));
    assert.match(report(rows), /\nERROR \| Problem: Reader 1 \| [^|]+ 1 tries left\. \| PIN_INCORRECT \| /);
  });

  test('fields never break the line or the columns', () => {
    assert.equal(cleanField('a|b\r\n\tc  d '), 'a/b c d');
    assert.equal(cleanField(''), '-');
    assert.equal(cleanField(null), '-');
    assert.equal(cleanField('智慧卡\u3000服務'), '智慧卡\u3000服務', 'only ASCII white space is folded');
    const rows = rowsFor(environment({readers: [{name: 'Evil | reader\nERROR | x', cardPresent: false, pinPad: false,
      atr: null, profile: null, token: null, problem: null}]}));
    const text = report(rows);
    assert.ok(text.includes('Reader: Evil / reader ERROR / x'), text);
    for (const line of text.split('\n').slice(10, -1)) assert.equal(line.split(' | ').length, 5, line);
  });

  test('unknown header facts are "-"', () => {
    const text = reportText({rows: [], translator: createTranslator('en'), date: DATE, facts: {}});
    assert.ok(text.includes('\nbrowser: -\nos: -\nextension: -\nhost: -\npage library: -\nsummary: error=0 warning=0 unknown=0 ok=0\n\n'), text);
  });
});

describe('download links for the host package', () => {
  const page = 'https://ra.example/check';

  test('https anywhere, or a path on the page\'s own site, made absolute', () => {
    assert.deepEqual({...checkDownloads({windows: 'https://cdn.example/CertBridge.msi', linux: '/downloads/certbridge_amd64.deb',
      macos: 'CertBridge.pkg'}, page)}, {windows: 'https://cdn.example/CertBridge.msi',
      linux: 'https://ra.example/downloads/certbridge_amd64.deb', macos: 'https://ra.example/CertBridge.pkg'});
    assert.deepEqual({...checkDownloads({linux: '/d.deb'}, 'http://127.0.0.1:8080/check')}, {linux: 'http://127.0.0.1:8080/d.deb'},
      'plain http on the page\'s own origin (the demo portal)');
    assert.deepEqual({...checkDownloads(undefined, page)}, {});
  });

  test('refused, with the option named: other http sites, scripts, data, unknown OS, not a string', () => {
    const refuses = (downloads, pattern) => assert.throws(() => checkDownloads(downloads, page), (error) =>
      error instanceof TypeError && pattern.test(error.message), JSON.stringify(downloads));
    refuses({windows: 'http://evil.example/CertBridge.msi'}, /options\.downloads\.windows: .*neither https nor on this page's origin/);
    refuses({windows: 'javascript:alert(1)'}, /options\.downloads\.windows/);
    refuses({linux: 'data:text/plain,x'}, /options\.downloads\.linux/);
    refuses({linux: 'https://user:pw@ra.example/x.deb'}, /user name or password/);
    refuses({android: 'https://ra.example/x.apk'}, /options\.downloads\.android: not one of windows, macos, linux/);
    refuses({windows: 42}, /must be a URL string/);
    refuses(['https://ra.example/x'], /must be an object/);
  });
});

describe('the OS the page runs on', () => {
  test('from client hints or the user agent; nothing for phones', () => {
    assert.equal(osFamily({userAgentData: {platform: 'Windows'}, userAgent: ''}), 'windows');
    assert.equal(osFamily({userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0'}), 'windows');
    assert.equal(osFamily({userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15'}), 'macos');
    assert.equal(osFamily({userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0'}), 'linux');
    assert.equal(osFamily({userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/131.0.0.0 Mobile'}), null);
    assert.equal(osFamily({userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)'}), null);
    assert.equal(osFamily({}), null);
  });
});
