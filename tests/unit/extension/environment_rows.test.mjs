// The environment check's token rows (page library, environment-check/environment-rows.js): what it says
// about a PIN, from the host's environment facts. Never a count the card did not report.

import assert from 'node:assert/strict';
import {describe, test} from 'node:test';

import {builtPageLibrary} from './helpers/build_output.mjs';

const {buildRows} = await builtPageLibrary('environment-check/environment-rows.js');
const {createTranslator} = await builtPageLibrary('environment-check/catalogue.js');

function tokenRow(pin) {
  const environment = {
    host: null, pcsc: {available: true, error: null},
    readers: [{name: 'R', cardPresent: true, pinPad: false, atr: null, profile: null, token: null, problem: null}],
    modules: [], certificates: [], problems: [],
    tokens: [{reader: 'R', label: 'Card', serial: '1', serialUnique: true, initialized: true, protectedAuthPath: false,
      pins: [{name: 'PIN', minLength: 6, maxLength: 16, ...pin}]}],
  };
  const rows = buildRows({browser: {name: null, version: null}, pageLibrary: null, status: null, statusError: null,
    environment, environmentError: null});
  return rows.find((row) => row.check === 'token');
}

describe('PIN lines of the environment check', () => {
  test('a card that does not report its tries: when it locks, not a count', () => {
    const row = tokenRow({state: 'ok', triesLeft: null, locksAfter: 3});
    assert.deepEqual(row.details.at(-1), {key: 'envCheck.value.pin.okLocksAfter',
      params: {name: 'PIN', triesLeft: '?', locksAfter: 3, minLength: 6, maxLength: 16}});
    assert.equal(row.status, 'ok');
  });

  test('a count the card reports is shown', () => {
    assert.equal(tokenRow({state: 'countLow', triesLeft: 2, locksAfter: 3}).details.at(-1).key, 'envCheck.value.pin.countLow');
    assert.equal(tokenRow({state: 'countLow', triesLeft: null, locksAfter: 5}).details.at(-1).key,
      'envCheck.value.pin.countLowNoCount', 'count low on a 5-try card: no number to show');
  });

  test('no count and no profile limit: just OK', () => {
    assert.equal(tokenRow({state: 'ok', triesLeft: null, locksAfter: null}).details.at(-1).key, 'envCheck.value.pin.okNoCount');
  });
});

describe('the host row: the host\'s policy in force', () => {
  function hostRow(policy) {
    const environment = {
      host: {version: '1.0.0', protocol: 1, logFile: null, policy},
      pcsc: {available: true, error: null}, readers: [], modules: [], tokens: [], certificates: [], problems: [],
    };
    const rows = buildRows({browser: {name: null, version: null}, pageLibrary: {version: '1', protocol: 1}, status: null,
      statusError: null, environment, environmentError: null});
    return rows.find((row) => row.check === 'host');
  }
  const policy = {
    sources: [{name: 'HKLM policy', location: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\CertBridge'},
      {name: 'built-in defaults', location: null}],
    allowedOrigins: {value: ['https://ra.example', 'https://ra2.example'], from: ['HKLM policy', 'built-in defaults']},
    logLevel: {value: 'debug', from: ['HKLM policy']},
    cardProfiles: {value: [], from: ['built-in defaults']},
    problems: [],
  };

  test('says where each setting comes from, in the page\'s language', () => {
    const row = hostRow(policy);
    assert.equal(row.status, 'ok');
    const shown = (language) => row.details.map((detail) => createTranslator(language).text(detail.key, detail.params));
    assert.deepEqual(shown('en').slice(2), [
      'Settings from (first wins): machine policy (HKLM): HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\CertBridge, built-in defaults',
      'Allowed origins: https://ra.example, https://ra2.example (from machine policy (HKLM), built-in defaults)',
      'Log level: debug (from machine policy (HKLM))',
      'Card profiles: - (from built-in defaults)',
    ]);
    assert.deepEqual(shown('zh-TW').slice(2), [
      '設定來源（優先者在前）：電腦原則（HKLM）：HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\CertBridge、內建預設值',
      '允許的來源：https://ra.example, https://ra2.example（來自 電腦原則（HKLM）、內建預設值）',
      '記錄層級：debug（來自 電腦原則（HKLM））',
      '卡片設定檔：-（來自 內建預設值）',
    ]);
  });

  test('a source the page does not know is shown as the host named it', () => {
    const row = hostRow({...policy, logLevel: {value: 'info', from: ['group policy v2']}});
    const text = row.details.map((detail) => createTranslator('en').text(detail.key, detail.params));
    assert.ok(text.includes('Log level: info (from group policy v2)'), text.join('\n'));
  });

  test('an ignored policy value makes the row a warning that names it, with a fix for IT', () => {
    const row = hostRow({...policy, problems: [{source: 'HKCU policy', entry: 'LogLevel', reason: '"verbose" is not a log level'}]});
    assert.equal(row.status, 'warning');
    assert.equal(createTranslator('en').text(row.details.at(-1).key, row.details.at(-1).params),
      'Host policy value ignored: user policy (HKCU) LogLevel ("verbose" is not a log level)');
    assert.deepEqual(row.fix, {key: 'envCheck.fix.hostPolicyIgnored', params: undefined});
  });

  test('an older host without a policy report: the row as before', () => {
    const row = hostRow(undefined);
    assert.equal(row.status, 'ok');
    assert.equal(row.details.some((detail) => detail.key.startsWith('envCheck.value.hostPolicy')), false);
  });
});

describe('the host row when the host cannot be started', () => {
  function hostRow(statusError) {
    const rows = buildRows({browser: {name: null, version: null}, pageLibrary: null, status: null, statusError,
      environment: null, environmentError: null});
    return rows.find((row) => row.check === 'host');
  }

  test('not installed, and installed but refused by the browser (another extension ID, a policy): different words', () => {
    const missing = hostRow({code: 'NATIVE_UNAVAILABLE', message: 'x'});
    assert.equal(missing.details[0].key, 'envCheck.value.notInstalled');
    const forbidden = hostRow({code: 'NATIVE_UNAVAILABLE', message: 'x', cause: 'forbidden'});
    assert.equal(forbidden.details[0].key, 'envCheck.value.notAllowed');
    assert.equal(forbidden.error.cause, 'forbidden', 'the fix comes from the error: the catalogue\'s "forbidden" text');
  });
});

describe('the extension row: policy values the browser dropped', () => {
  test('names the file and its keys on a line of its own, with the fix for IT, and keeps the other ignored entries', () => {
    const path = '/etc/chromium/policies/managed/certbridge.json';
    const policy = {managed: false, mode: 'extend', allowLoopbackHttp: false, brokenFiles: [],
      droppedFiles: [{browser: 'chromium', path, keys: ['allowedOrigins', 'allowedOriginsMode']}],
      ignored: [{entry: '(policy dropped by the browser)', reason: 'dropped'}, {entry: '(policy file)', reason: 'x.json: not valid JSON'}]};
    const extension = {version: '0.1.0', browser: {name: 'Chromium', version: '156'}, protocol: 1, policy};
    const rows = buildRows({browser: {name: 'Chromium', version: '156'}, pageLibrary: {version: '1', protocol: 1}, status: null,
      statusError: null, environment: {host: null, pcsc: {available: true, error: null}, readers: [], modules: [], tokens: [],
        certificates: [], problems: [], extension}, environmentError: null});
    const row = rows.find((candidate) => candidate.check === 'extension');
    assert.equal(row.status, 'warning');
    const en = createTranslator('en');
    const shown = row.details.map((detail) => en.text(detail.key, detail.params));
    assert.equal(shown[1], `The browser dropped these settings of this extension's enterprise policy in ${path}: allowedOrigins, allowedOriginsMode (a value that does not fit the extension's schema, or a setting the schema does not have); they do not apply`);
    assert.deepEqual(shown.slice(2), ['Enterprise policy entry ignored: (policy file) (x.json: not valid JSON)']);
    assert.match(en.text(row.fix.key, row.fix.params), /allowedOrigins a list of strings/);
    assert.match(createTranslator('zh-TW').text(row.details[1].key, row.details[1].params), /certbridge\.json/);
  });
});
