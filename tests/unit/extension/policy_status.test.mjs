// Policy values the browser dropped as invalid: the host sees the policy file's keys, the extension got
// fewer (or none). The extension's policy report names the file and the missing keys; broken files are
// named too; other browsers' files and keys the browser did deliver are not reported.

import assert from 'node:assert/strict';
import {describe, test} from 'node:test';

import {builtExtension} from './helpers/build_output.mjs';

const {withBrowserPolicyFiles} = await builtExtension('policy_status.js');

const OUR_ID = 'jchbopihgjendkbmjddpblohdhfkllcn';
const NO_POLICY = {managed: false, keys: [], mode: 'extend', allowLoopbackHttp: false, ignored: []};
const chromiumFile = {browser: 'chromium', path: '/etc/chromium/policies/managed/certbridge.json',
  extensions: {[OUR_ID]: ['allowedOrigins', 'allowedOriginsMode']}, error: null};
const self = {extensionId: OUR_ID, browserName: 'Chromium'};

describe('policy status with the browser policy files', () => {
  test('a file that sets keys for us while storage.managed is empty: dropped, reported with its path and keys', () => {
    const report = withBrowserPolicyFiles(NO_POLICY, {browserPolicyFiles: [chromiumFile]}, self);
    assert.deepEqual(report.droppedFiles, [{browser: 'chromium', path: chromiumFile.path, keys: ['allowedOrigins', 'allowedOriginsMode']}]);
    assert.equal(report.ignored.length, 1);
    assert.equal(report.ignored[0].entry, '(policy dropped by the browser)');
    assert.match(report.ignored[0].reason, /certbridge\.json sets allowedOrigins, allowedOriginsMode .*did not pass them on.*schema/);
  });

  test('only the keys the browser did not deliver are dropped; a policy delivered whole is not reported', () => {
    const partly = withBrowserPolicyFiles({...NO_POLICY, managed: true, keys: ['allowedOrigins']}, {browserPolicyFiles: [chromiumFile]}, self);
    assert.deepEqual(partly.droppedFiles, [{browser: 'chromium', path: chromiumFile.path, keys: ['allowedOriginsMode']}]);
    const whole = withBrowserPolicyFiles({...NO_POLICY, managed: true, keys: ['allowedOrigins', 'allowedOriginsMode']}, {browserPolicyFiles: [chromiumFile]}, self);
    assert.deepEqual(whole.droppedFiles, []);
    assert.deepEqual(whole.ignored, []);
  });

  test("another browser's file, or another extension ID's section, says nothing here", () => {
    const chrome = {...chromiumFile, browser: 'chrome', path: '/etc/opt/chrome/policies/managed/certbridge.json'};
    const edgeId = {...chromiumFile, extensions: {almbmfegcfnfjblfbebeegmijgbdljjo: ['allowedOrigins']}};
    const report = withBrowserPolicyFiles(NO_POLICY, {browserPolicyFiles: [chrome, edgeId]}, self);
    assert.deepEqual(report.droppedFiles, []);
    assert.equal(withBrowserPolicyFiles(NO_POLICY, {browserPolicyFiles: [chrome]}, {...self, browserName: 'Google Chrome'}).droppedFiles.length, 1);
  });

  test('a file the browser cannot parse is reported, before the entries the extension ignored itself', () => {
    const broken = {browser: 'chromium', path: '/etc/chromium/policies/managed/x.json', extensions: {}, error: 'not valid JSON: the browser ignores the whole file'};
    const own = {entry: 'allowedOrigins[0]', reason: 'not a string'};
    const report = withBrowserPolicyFiles({...NO_POLICY, ignored: [own]}, {browserPolicyFiles: [broken]}, self);
    assert.deepEqual(report.brokenFiles, [{browser: 'chromium', path: broken.path, error: broken.error}]);
    assert.deepEqual(report.ignored, [{entry: '(policy file)', reason: `${broken.path}: ${broken.error}`}, own]);
  });

  test('a host without the list (older, or Windows) changes nothing; malformed entries are skipped', () => {
    assert.deepEqual(withBrowserPolicyFiles(NO_POLICY, {sources: []}, self), {...NO_POLICY, droppedFiles: [], brokenFiles: []});
    assert.deepEqual(withBrowserPolicyFiles(NO_POLICY, {browserPolicyFiles: [null, 'x', {browser: 'chromium', extensions: {[OUR_ID]: 'all'}}]}, self).ignored, []);
  });
});
