// The plain-text report for each state of the environment check, as `certbridge doctor` gives it (no
// browser, extension or page library; the host's OS), compared with the texts beside the states in
// fixtures/environment-report/. The doctor's own tests can read the same states and texts: the page and the
// doctor then agree line by line. UPDATE_GOLDEN=1 rewrites the texts after a deliberate change.

import assert from 'node:assert/strict';
import {readFileSync, writeFileSync} from 'node:fs';
import {describe, test} from 'node:test';

import {builtPageLibrary} from './helpers/build_output.mjs';

const {buildRows, osText} = await builtPageLibrary('environment-check/environment-rows.js');
const {createTranslator} = await builtPageLibrary('environment-check/catalogue.js');
const {reportText, versionText} = await builtPageLibrary('environment-check/report-text.js');

const fixtures = new URL('./fixtures/environment-report/', import.meta.url);
const {states} = JSON.parse(readFileSync(new URL('states.json', fixtures), 'utf8'));
const DATE = '2026-12-05T03:00:00Z';

/** What the doctor sees: the host's environment only; the host's build OS for the fixes. */
function doctorReport(environment, language) {
  const rows = buildRows({browser: {name: null, version: null}, pageLibrary: null, status: null, statusError: null,
    environment, environmentError: null, os: 'linux'});
  return reportText({rows, translator: createTranslator(language), date: DATE,
    facts: {browser: null, os: osText(environment.host.os), extension: null, host: versionText(environment.host), pageLibrary: null}});
}

describe('the report of each environment state (shared with certbridge doctor)', () => {
  for (const [state, environment] of Object.entries(states)) {
    for (const language of ['en', 'zh-TW']) {
      test(`${state} (${language})`, () => {
        const file = new URL(`${state}.${language}.txt`, fixtures);
        const text = doctorReport(environment, language);
        if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
        assert.equal(text, readFileSync(file, 'utf8'));
      });
    }
  }

  test('each failure state reports its code on an ERROR line', () => {
    const expected = {'pcscd-stopped': 'PCSC_UNAVAILABLE', 'no-reader': 'NO_READER', 'no-card': 'NO_CARD',
      'card-not-supported': 'CARD_NOT_SUPPORTED', 'module-missing': 'PKCS11_MODULE_UNAVAILABLE'};
    for (const [state, code] of Object.entries(expected)) {
      const lines = doctorReport(states[state], 'en').split('\n');
      assert.ok(lines.some((line) => line.startsWith('ERROR | ') && line.includes(` | ${code} | `)), `${state}: ${lines.join('\n')}`);
    }
    assert.ok(doctorReport(states.healthy, 'en').includes('\nsummary: error=0 warning=0 '));
  });
});
