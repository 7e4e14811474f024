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

  test('a value ignored in the configuration file (no Group Policy outside Windows): the fix names that file', () => {
    const environment = {
      host: {version: '1.0.0', protocol: 1, logFile: null, configFile: '/etc/certbridge/config.json',
        policy: {...policy, problems: [{source: 'config file', entry: 'logLevel', reason: '"loud" is not a log level'}]}},
      pcsc: {available: true, error: null}, readers: [], modules: [], tokens: [], certificates: [], problems: [],
    };
    const row = buildRows({browser: {name: null, version: null}, pageLibrary: {version: '1', protocol: 1}, status: null,
      statusError: null, environment, environmentError: null}).find((candidate) => candidate.check === 'host');
    assert.equal(row.status, 'warning');
    const fix = createTranslator('en').text(row.fix.key, row.fix.params);
    assert.equal(fix, 'Ask IT to correct the CertBridge host\'s configuration file (/etc/certbridge/config.json); the other settings still apply.');
    assert.doesNotMatch(fix, /Group Policy|SOFTWARE/);
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
    const blocked = hostRow({code: 'NATIVE_UNAVAILABLE', message: 'x', cause: 'policy'});
    assert.equal(blocked.details[0].key, 'envCheck.value.blockedByPolicy', 'a browser policy block: its own words');
    assert.equal(blocked.action, undefined, 'no download link: reinstalling does not lift a policy');
  });
});

describe('the host row: what the page offers to download', () => {
  const hostRowFor = (statusError) => buildRows({browser: {name: null, version: null}, pageLibrary: null, status: null,
    statusError, environment: null, environmentError: null}).find((row) => row.check === 'host');

  test('not installed: the download link; refused by the browser: none (reinstalling the same package is not the fix for a policy)', () => {
    assert.equal(hostRowFor({code: 'NATIVE_UNAVAILABLE', message: 'x'}).action, 'downloadHost');
    assert.equal(hostRowFor({code: 'NATIVE_UNAVAILABLE', message: 'x', cause: 'forbidden'}).action, undefined);
    assert.equal(hostRowFor({code: 'PROTOCOL_MISMATCH', message: 'x'}).action, 'downloadHost', 'an old host: the new package');
  });

  test('refused by the browser: its own words in both languages, naming the extension ID and policy, not "download"', () => {
    const row = hostRowFor({code: 'NATIVE_UNAVAILABLE', message: 'x', cause: 'forbidden'});
    for (const language of ['en', 'zh-TW']) {
      const t = createTranslator(language);
      assert.notEqual(t.errorMessage(row.error), t.errorMessage({code: 'NATIVE_UNAVAILABLE'}), language);
      assert.match(t.errorFix(row.error), /com\.certbridge\.host/, language);
    }
  });
});

describe('a site that is not allowed: which allow-list refused it', () => {
  const environmentRow = (environmentError) => buildRows({browser: {name: null, version: null}, pageLibrary: null,
    status: {extension: {version: '1'}, host: {version: '1', protocol: 1}}, statusError: null, environment: null,
    environmentError}).find((row) => row.check === 'environment');
  const shown = (row) => row.details.map((detail) => createTranslator('en').text(detail.key, detail.params));

  test('the extension\'s list (browser policy) or the host\'s (its policy or configuration file), with the origin', () => {
    assert.deepEqual(shown(environmentRow({code: 'ORIGIN_NOT_ALLOWED', origin: 'https://ra.example', refusedBy: 'extension'})),
      ['Not among the CertBridge extension\'s allowed sites (the browser\'s enterprise policy or the extension\'s built-in list): https://ra.example']);
    assert.deepEqual(shown(environmentRow({code: 'ORIGIN_NOT_ALLOWED', origin: 'https://ra.example', refusedBy: 'host'})),
      ['Not among the CertBridge host program\'s allowed origins (its policy or configuration file): https://ra.example']);
    assert.deepEqual(shown(environmentRow({code: 'ORIGIN_NOT_ALLOWED', origin: 'https://ra.example'})), [], 'an older extension or host: the code alone');
  });
});

describe('fixes for the OS the page runs on', () => {
  function pcscRowOn(os, error = {code: 'PCSC_UNAVAILABLE', message: 'x'}) {
    const environment = {host: null, pcsc: {available: false, error}, readers: [], modules: [], tokens: [], certificates: [], problems: []};
    return buildRows({browser: {name: null, version: null}, pageLibrary: null, status: null, statusError: null, environment,
      environmentError: null, os}).find((row) => row.check === 'pcsc');
  }

  test('Windows in zh-TW: the service as zh-TW Windows names it (智慧卡), no pcscd; in English "Smart Card"', () => {
    const row = pcscRowOn('windows');
    const zh = createTranslator('zh-TW').errorFix(row.error);
    assert.match(zh, /「智慧卡」服務/);
    assert.doesNotMatch(zh, /Smart Card|pcscd|macOS|Linux/);
    const en = createTranslator('en').errorFix(row.error);
    assert.match(en, /"Smart Card" service/);
    assert.doesNotMatch(en, /pcscd|macOS|Linux/);
  });

  test('Linux: pcscd only; macOS: the reader and System Information, no service names', () => {
    const linux = createTranslator('zh-TW').errorFix(pcscRowOn('linux').error);
    assert.match(linux, /pcscd/);
    assert.doesNotMatch(linux, /智慧卡|Windows|macOS/);
    const mac = createTranslator('zh-TW').errorFix(pcscRowOn('macos').error);
    assert.match(mac, /系統資訊/);
    assert.doesNotMatch(mac, /pcscd|智慧卡/);
  });

  test('host not installed: the install step for this OS only, in its own words; "forbidden" keeps its own fix', () => {
    const hostRowOn = (os, cause) => buildRows({browser: {name: null, version: null}, pageLibrary: null, status: null,
      statusError: {code: 'NATIVE_UNAVAILABLE', message: 'x', ...(cause ? {cause} : {})}, environment: null,
      environmentError: null, os}).find((row) => row.check === 'host');
    const fix = (os, language, cause) => createTranslator(language).errorFix(hostRowOn(os, cause).error);
    assert.match(fix('windows', 'zh-TW'), /\.msi/);
    assert.doesNotMatch(fix('windows', 'zh-TW'), /\.deb|\.pkg|apt/);
    assert.match(fix('macos', 'zh-TW'), /「系統設定」>「隱私權與安全性」/);
    assert.match(fix('macos', 'en'), /System Settings > Privacy & Security/);
    assert.match(fix('linux', 'en'), /sudo apt install \.\/certbridge_\*\.deb/);
    assert.doesNotMatch(fix('linux', 'en'), /\.msi|\.pkg/);
    assert.match(fix('linux', 'en', 'forbidden'), /com\.certbridge\.host/, 'refused by the browser: not an install step');
  });

  test('the host\'s own OS wins over the page\'s guess; an unknown OS keeps the general fix', () => {
    const row = pcscRowOn('windows', {code: 'PCSC_UNAVAILABLE', message: 'x', os: 'linux'});
    assert.match(createTranslator('en').errorFix(row.error), /pcscd/);
    const unknown = pcscRowOn(null);
    assert.equal(unknown.error.os, undefined);
    assert.match(createTranslator('en').errorFix(unknown.error), /Windows.*Linux.*macOS/);
  });
});

describe('the registration row: the card\'s certificates in this computer\'s stores', () => {
  function registrationRows(registration) {
    const environment = {host: null, pcsc: {available: true, error: null}, readers: [], modules: [], tokens: [],
      certificates: [], problems: [], registration};
    return buildRows({browser: {name: null, version: null}, pageLibrary: null, status: null, statusError: null, environment,
      environmentError: null}).filter((row) => row.check === 'registration');
  }
  const chrome = {kind: 'nss-shared', name: 'Chrome / Chromium', location: '/home/u/.pki/nssdb'};
  const firefox = {kind: 'firefox', name: 'Firefox profile default-esr', location: '/home/u/.mozilla/firefox/x.default-esr'};
  const card = (stores, error = null) => ({reader: 'Virtual PCD 00 00', token: 'CertBridge Card', profile: 'certbridge-virtual', stores, error});
  const en = (row) => row.details.map((detail) => createTranslator('en').text(detail.key, detail.params));

  test('registered in every store: OK, each store named', () => {
    const [row] = registrationRows({supported: true, cards: [card([{...chrome, registered: true}, {...firefox, registered: true}])]});
    assert.equal(row.status, 'ok');
    assert.equal(row.group, 'certificates');
    assert.equal(row.subject, 'CertBridge Card');
    assert.deepEqual(en(row), ['Registered: Chrome / Chromium (/home/u/.pki/nssdb)',
      'Registered: Firefox profile default-esr (/home/u/.mozilla/firefox/x.default-esr)']);
    assert.equal(row.fix, undefined);
  });

  test('not registered: a fact with a hint (only other programs need it), not a problem', () => {
    const [row] = registrationRows({supported: true, cards: [card([{...chrome, registered: false}])]});
    assert.equal(row.status, 'ok');
    assert.equal(en(row)[0], 'The card\'s certificates are not registered in this computer\'s certificate store');
    assert.equal(row.fix.key, 'envCheck.fix.registerOptional');
  });

  test('registered in some stores only: a warning naming the missing one, with "register again"', () => {
    const [row] = registrationRows({supported: true, cards: [card([{...chrome, registered: true}, {...firefox, registered: false}])]});
    assert.equal(row.status, 'warning');
    assert.ok(en(row).includes('Not registered: Firefox profile default-esr (/home/u/.mozilla/firefox/x.default-esr)'));
    assert.equal(row.fix.key, 'envCheck.fix.registerAgain');
  });

  test('a store that cannot be read: a warning with STORE_ERROR', () => {
    const [row] = registrationRows({supported: true, cards: [card([], {code: 'STORE_ERROR', message: 'x', store: 'Chrome / Chromium'})]});
    assert.equal(row.status, 'warning');
    assert.equal(row.error.code, 'STORE_ERROR');
  });

  test('not supported on this OS: one row that says so; no card in a reader: no row; an older host: no row', () => {
    const [row, ...others] = registrationRows({supported: false, cards: []});
    assert.equal(others.length, 0);
    assert.equal(row.status, 'unknown');
    assert.equal(en(row)[0], 'Registering the card\'s certificates in this computer\'s certificate store is not supported on this operating system');
    assert.equal(registrationRows({supported: true, cards: []}).length, 0);
    assert.equal(registrationRows(undefined).length, 0);
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
