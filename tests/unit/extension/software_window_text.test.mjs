// What the consent window says and asks for the software-certificate commands, from its pure modules (the
// same words the window shows, in zh-TW and English): the store instead of a card, the details per
// command, the fields with their rules, the messages for a wrong or missing password.

import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';

import {builtExtension, messagesJson, repoRoot} from './helpers/build_output.mjs';

const {describeRequest} = await builtExtension('consent/request_details.js');
const {fileProblem, NEW_PASSWORD_RULE, PKCS12_ACCEPT, softwareFields, softwareRetry, toBase64} =
  await builtExtension('consent/software_fields.js');
const {lengthOk, pinProblem, ruleText} = await builtExtension('consent/pin_rules.js');
const {softwareAsk} = await builtExtension('software_secrets.js');
const {uiMessage} = await builtExtension('localization.js');

const USER_CERTIFICATE = readFileSync(join(repoRoot, 'tests/unit/extension/fixtures/user-certificate.pem'), 'utf8');
const ORIGIN = 'https://ra.certbridge.example';
const en = (key, params) => uiMessage(key, 'en', params);
const zh = (key, params) => uiMessage(key, 'zh-TW', params);
const ui = (key, language = 'en') => messagesJson.ui[key][language];

/** The window's text for a key-store request on Linux: title and "label: line | line" rows. */
function shown(command, params, {t = en, platform = 'Linux x86_64'} = {}) {
  const view = {origin: ORIGIN, command, params, card: null, store: {kind: 'software'}, ask: softwareAsk(command), platform};
  const {title, rows} = describeRequest(view, t);
  return {title, rows: rows.map((row) => `${row.label}: ${row.lines.join(' | ')}`)};
}

describe('the details: this computer\'s store, never a card', () => {
  test('generateSoftwareKey: the store, the subject, the keys', () => {
    const {title, rows} = shown('generateSoftwareKey', {subject: [{type: 'C', value: 'TW'}, {type: 'CN', value: '王小明'}],
      keys: [{usage: 'signing'}, {usage: 'encryption', keySize: 3072}]});
    assert.equal(title, ui('consent.operation.generateSoftwareKey'));
    assert.deepEqual(rows, [
      `Store used: ${ui('consent.value.keyStoreLinux')}`,
      'Subject (applicant): Country (C): TW | Common name (CN): 王小明',
      'Keys: Key 1: for signing, RSA 2048 bits | Key 2: for encryption, RSA 3072 bits',
    ]);
  });

  test('zh-TW, and the store named without NSS off Linux', () => {
    const {title, rows} = shown('installCertificates', {certificates: [USER_CERTIFICATE]}, {t: zh, platform: 'Win32'});
    assert.equal(title, ui('consent.operation.installCertificates', 'zh-TW'));
    assert.equal(rows[0], `${ui('consent.detail.keyStore', 'zh-TW')}: ${ui('consent.value.keyStore', 'zh-TW')}`);
    assert.match(rows[1], /^憑證 1: 主體：.*王小明/);
  });

  test('exportPkcs12: which certificates, and that the files go to the downloads folder', () => {
    assert.deepEqual(shown('exportPkcs12', {}).rows.slice(1), [
      `Certificates to export: ${ui('consent.value.exportAll')}`,
      `Files are saved to: ${ui('consent.value.downloads')}`,
    ]);
    assert.equal(shown('exportPkcs12', {certificates: ['ab'.repeat(32), 'cd'.repeat(32)]}).rows[1],
      'Certificates to export: 2 certificate(s) the site chose, one file each');
  });

  test('importPkcs12 says when the CA certificates come too; changePkcs12Password keeps the original and opens no store', () => {
    assert.deepEqual(shown('importPkcs12', {}).rows, [`Store used: ${ui('consent.value.keyStoreLinux')}`]);
    assert.equal(shown('importPkcs12', {includeCaCertificates: true}).rows[1],
      `Certificate authority certificates: ${ui('consent.value.importCaCertificates')}`);
    assert.deepEqual(shown('changePkcs12Password', {}).rows, [`Files are saved to: ${ui('consent.value.keepOriginal')}`]);
  });

  test('signRenewal from the store: its own title, the certificate and the data size, no card', () => {
    const {title, rows} = shown('signRenewal', {store: 'software', data: 'AAECAwQ='});
    assert.equal(title, ui('consent.operation.signRenewalSoftware'));
    assert.deepEqual(rows.slice(1), [
      `Certificate to sign with: ${ui('consent.value.latestCertificate')}`,
      'Data to sign: 5 bytes',
    ]);
  });
});

describe('the fields and their rules', () => {
  test('per command, in the order the user fills them', () => {
    const labels = (command) => softwareFields(softwareAsk(command), en).map((field) => `${field.role}: ${field.label}`);
    assert.deepEqual(labels('generateSoftwareKey'), []);
    assert.deepEqual(labels('exportPkcs12'), ['new: New certificate file password', 'confirm: New certificate file password again']);
    assert.deepEqual(labels('importPkcs12'), ['file: Certificate file (.p12 / .pfx)', 'password: Certificate file password']);
    assert.deepEqual(labels('changePkcs12Password').map((line) => line.split(':')[0]), ['file', 'password', 'new', 'confirm']);
    assert.deepEqual(softwareFields({...softwareAsk('importPkcs12'), storePassword: true}, zh).map((field) => field.label),
      [ui('consent.field.file', 'zh-TW'), ui('consent.field.filePassword', 'zh-TW'), ui('consent.field.storePassword', 'zh-TW')]);
    assert.equal(PKCS12_ACCEPT, '.p12,.pfx');
  });

  test('a new password: 6 to 64 characters (the host\'s rule), counted as characters, shown as the rule', () => {
    assert.equal(ruleText(NEW_PASSWORD_RULE, en), '6 to 64 characters');
    assert.equal(ruleText(NEW_PASSWORD_RULE, zh), '長度 6 到 64 個字元');
    assert.equal(lengthOk('12345', NEW_PASSWORD_RULE), false);
    assert.equal(lengthOk('123456', NEW_PASSWORD_RULE), true);
    assert.equal(lengthOk('王小明王小明', NEW_PASSWORD_RULE), true);
    assert.equal(lengthOk('x'.repeat(65), NEW_PASSWORD_RULE), false);
    const [field] = softwareFields({newPassword: true}, en);
    assert.equal(pinProblem('abc', field.rule, en, field.label), '"New certificate file password" must be 6 to 64 characters long.');
  });

  test('the file: required, at most 512 KiB', () => {
    assert.equal(fileProblem(undefined, en), ui('consent.error.fileRequired'));
    assert.equal(fileProblem({size: 512 * 1024 + 1}, en), 'The chosen file is larger than 512 KB: it is not a usable certificate file.');
    assert.equal(fileProblem({size: 4000}, en), null);
  });

  test('asked again: the store password needed, the store password wrong, the file password wrong', () => {
    assert.deepEqual(softwareRetry({code: 'STORE_PASSWORD_INCORRECT', passwordGiven: false}, en),
      {role: 'storePassword', text: ui('consent.error.storePasswordNeeded')});
    assert.deepEqual(softwareRetry({code: 'STORE_PASSWORD_INCORRECT', passwordGiven: true}, zh),
      {role: 'storePassword', text: ui('consent.error.wrongStorePassword', 'zh-TW')});
    assert.deepEqual(softwareRetry({code: 'PKCS12_PASSWORD_INCORRECT'}, en),
      {role: 'password', text: ui('consent.error.wrongFilePassword')});
    assert.equal(softwareRetry({code: 'STORE_ERROR'}, en), null);
  });

  test('the file\'s bytes as base64, also past one chunk', () => {
    const bytes = Uint8Array.from({length: 70_000}, (_, index) => (index * 7) % 256);
    assert.equal(toBase64(bytes), Buffer.from(bytes).toString('base64'));
  });
});
