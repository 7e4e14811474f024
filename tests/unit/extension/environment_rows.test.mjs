// The environment check's token rows (page library, environment-check/environment-rows.js): what it says
// about a PIN, from the host's environment facts. Never a count the card did not report.

import assert from 'node:assert/strict';
import {describe, test} from 'node:test';

import {builtPageLibrary} from './helpers/build_output.mjs';

const {buildRows} = await builtPageLibrary('environment-check/environment-rows.js');

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
