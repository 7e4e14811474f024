// What the consent window says, from its pure modules (the same words the window shows): the operation
// and its details per command, the PIN rules and states, the certificate reader; and what the background
// asks for, from the host's environment result (card_pins.js).

import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';

import {builtExtension, messagesJson, repoRoot} from './helpers/build_output.mjs';
import {cardEnvironment, READER, TOKEN_LABEL, TOKEN_SERIAL} from './helpers/fake_consent_window.mjs';

const {describeRequest} = await builtExtension('consent/request_details.js');
const {lengthOk, pinProblem, retryText, ruleText, stateText} = await builtExtension('consent/pin_rules.js');
const {formatName, readCertificate} = await builtExtension('consent/certificate_reader.js');
const {cardFromEnvironment, pinAsk, requiresConsent, secretsFromAnswer} = await builtExtension('card_pins.js');
const {uiMessage, errorText} = await builtExtension('localization.js');

const fixture = (name) => readFileSync(join(repoRoot, 'tests/unit/extension/fixtures', name), 'utf8');
// Made with openssl (tests/unit/extension/fixtures): a user certificate with a Chinese subject issued by
// a test root, and the root itself.
const USER_CERTIFICATE = fixture('user-certificate.pem');
const CA_CERTIFICATE = fixture('ca-certificate.pem');
const ORIGIN = 'https://ra.certbridge.example';

const translator = (language) => (key, params) => uiMessage(key, language, params);
const en = translator('en');
const zh = translator('zh-TW');
const ui = (key, language = 'en') => messagesJson.ui[key][language];

const {card} = cardFromEnvironment(cardEnvironment(), {});

/** The window's text for one request: title and "label: line | line" rows. */
function shown(command, params, {t = en, ask = pinAsk(command, params, card), onCard = card} = {}) {
  const {title, rows} = describeRequest({origin: ORIGIN, command, params, card: onCard, ask}, t);
  return {title, rows: rows.map((row) => `${row.label}: ${row.lines.join(' | ')}`)};
}

describe('the operation and its details, per command', () => {
  test('generateKeyPair: the subject attribute by attribute, each key with usage and size, the card', () => {
    const {title, rows} = shown('generateKeyPair', {
      subject: [{type: 'C', value: 'TW'}, {type: 'O', value: '示範公司'}, {type: 'CN', value: '王小明'}, {type: '2.5.4.97', value: 'VATTW-1234'}],
      keys: [{usage: 'signing', keySize: 2048}, {usage: 'encryption', keySize: 3072}],
    });
    assert.equal(title, ui('consent.operation.generateKeyPair'));
    assert.deepEqual(rows, [
      `Card: ${TOKEN_LABEL} (serial ${TOKEN_SERIAL}) in reader "${READER}"`,
      'Subject (applicant): Country (C): TW | Organization (O): 示範公司 | Common name (CN): 王小明 | 2.5.4.97: VATTW-1234',
      'Keys: Key 1: for signing, RSA 2048 bits | Key 2: for encryption, RSA 3072 bits',
    ]);
  });

  test('removeKeys: each key as the card describes it (label, size, age), never a bare id', () => {
    const {title, rows} = shown('removeKeys', {keyIds: ['5A0C9E21D4F8B637', 'ffff']});
    assert.equal(title, ui('consent.operation.removeKeys'));
    assert.deepEqual(rows, [
      `Card: ${TOKEN_LABEL} (serial ${TOKEN_SERIAL}) in reader "${READER}"`,
      'Keys to delete: Signing key 2026-11-01 (2048 bits, made 33 days ago, no certificate) | ' +
        'No key without certificate on the card has this id: ffff',
    ]);
  });

  test('generateKeyPair in zh-TW, default key size, and the PIN group named on a two-PIN card', () => {
    const twoPins = cardFromEnvironment(cardEnvironment({pins: [
      {name: '簽章 PIN', minLength: 6, maxLength: 8, state: 'ok', triesLeft: 3},
      {name: '加密 PIN', minLength: 6, maxLength: 8, state: 'ok', triesLeft: 3},
    ]}), {}).card;
    const {title, rows} = shown('generateKeyPair', {subject: [{type: 'CN', value: '王小明'}], keys: [{usage: 'dual', pinGroup: 1}]},
      {t: zh, onCard: twoPins, ask: {kind: 'pins', groups: [1]}});
    assert.equal(title, ui('consent.operation.generateKeyPair', 'zh-TW'));
    assert.equal(rows[1], '憑證主體（申請人）: 姓名（CN）: 王小明');
    assert.equal(rows[2], '金鑰: 金鑰 1：簽章與加密兩用，RSA 2048 位元，存放於 加密 PIN');
  });

  test('writeCertificates: subject, issuer and validity of each certificate, CA certificates flagged, removals counted', () => {
    const {title, rows} = shown('writeCertificates', {
      certificates: [USER_CERTIFICATE, 'not a certificate'],
      caCertificates: [CA_CERTIFICATE],
      removeCertificates: ['a'.repeat(64), 'b'.repeat(64)],
    });
    assert.equal(title, 'Store certificates on your card');
    const parsed = readCertificate(USER_CERTIFICATE);
    const dates = `Valid from ${parsed.notBefore.toISOString().slice(0, 10)} to ${parsed.notAfter.toISOString().slice(0, 10)}`;
    assert.deepEqual(rows.slice(1), [
      `Certificate 1: Subject: CN=王小明, O=示範公司, C=TW | Issuer: CN=CertBridge Test Root, O=CertBridge Test CA, C=TW | ${dates} | ` +
        'for signing and encryption; serial 02',
      'Certificate 2: This certificate could not be read',
      `Certificate authority's certificate 1: A certificate authority's certificate (not your own) | Subject: CN=CertBridge Test Root, O=CertBridge Test CA, C=TW | Issuer: CN=CertBridge Test Root, O=CertBridge Test CA, C=TW | Valid from ${readCertificate(CA_CERTIFICATE).notBefore.toISOString().slice(0, 10)} to ${readCertificate(CA_CERTIFICATE).notAfter.toISOString().slice(0, 10)} | for signing and encryption; serial 01`,
      'Old certificates to remove: 2 old certificate(s) and their keys, once the new ones are stored and checked',
    ]);
  });

  test('signRenewal: the default certificate in words, the one the host will pick from the card, the data size', () => {
    const certificates = [
      {id: '1'.repeat(64), subject: 'CN=王小明,O=Old', notAfter: '2026-01-01T00:00:00Z', valid: true, hasKey: true, usage: ['signing']},
      {id: '2'.repeat(64), subject: 'CN=王小明,O=New', notAfter: '2027-11-21T08:00:00Z', valid: true, hasKey: true, usage: ['encryption']},
      {id: '3'.repeat(64), subject: 'CN=Expired', notAfter: '2030-01-01T00:00:00Z', valid: false, hasKey: true, usage: ['signing']},
    ];
    const onCard = cardFromEnvironment(cardEnvironment({certificates}), {}).card;
    const {title, rows} = shown('signRenewal', {data: 'AAECAwQ='}, {onCard});
    assert.equal(title, ui('consent.operation.signRenewal'));
    assert.deepEqual(rows.slice(1), [
      'Certificate to sign with: The valid certificate with the latest expiry | CN=王小明,O=New, valid until 2027-11-21',
      'Data to sign: 5 bytes',
    ]);
    const chosen = shown('signRenewal', {data: 'AA==', certificate: '1'.repeat(64)}, {onCard});
    assert.deepEqual(chosen.rows.slice(1), [
      'Certificate to sign with: The certificate the site chose (ID 1111111111111111…) | CN=王小明,O=Old, valid until 2026-01-01',
      'Data to sign: 1 bytes',
    ]);
    // authenticate prefers signing certificates.
    assert.match(shown('authenticate', {challenge: 'AAAA'}, {onCard}).rows[2], /O=Old/);
  });

  test('authenticate: "sign in to <origin>"', () => {
    const {title, rows} = shown('authenticate', {challenge: 'AAAA'});
    assert.equal(title, `Sign in to ${ORIGIN} with your card`);
    assert.equal(rows[1], `Signs you in to: ${ORIGIN}`);
    assert.equal(shown('authenticate', {challenge: 'AAAA'}, {t: zh}).title, `使用晶片卡登入 ${ORIGIN}`);
  });

  test('changePin names the PIN group; unblockPin says whose authorization resets it', () => {
    assert.deepEqual(shown('changePin', {}), {title: "Change your card's PIN", rows: [
      `Card: ${TOKEN_LABEL} (serial ${TOKEN_SERIAL}) in reader "${READER}"`, 'PIN: PIN']});
    assert.equal(shown('unblockPin', {authorization: {}}).title, `Reset your PIN with the authorization from ${ORIGIN}`);
  });

  test('registerCertificates: the card\'s certificates by subject, the stores of this platform, no PIN', () => {
    const certificates = [
      {id: '1'.repeat(64), subject: 'CN=王小明,O=Finance', notAfter: '2027-11-21T08:00:00Z', valid: true, hasKey: true,
        usage: ['signing'], serialNumber: '1a2b'},
      {id: '2'.repeat(64), subject: 'CN=王小明,OU=Encryption', notAfter: '2027-11-22T08:00:00Z', valid: true, hasKey: true,
        usage: ['encryption'], serialNumber: '1a2c'},
    ];
    const onCard = cardFromEnvironment(cardEnvironment({certificates}), {}).card;
    const ask = pinAsk('registerCertificates', {}, onCard);
    assert.deepEqual(ask, {kind: 'none'}, 'registration needs no PIN');
    assert.equal(requiresConsent('registerCertificates'), true, 'changes the stores: the user confirms first');
    assert.equal(requiresConsent('unregisterCertificates'), true);
    const view = (command, platform, t = en) => describeRequest({origin: ORIGIN, command, params: {}, card: onCard, ask, platform}, t);
    const linux = view('registerCertificates', 'Linux x86_64');
    assert.equal(linux.title, ui('consent.operation.registerCertificates'));
    assert.deepEqual(linux.rows.slice(1).map((row) => `${row.label}: ${row.lines.join(' | ')}`), [
      'Certificates to register: CN=王小明,O=Finance, for signing, serial 1a2b, valid until 2027-11-21 | ' +
        'CN=王小明,OU=Encryption, for encryption, serial 1a2c, valid until 2027-11-22',
      `Certificate stores: ${ui('consent.value.storesLinux')}`,
    ]);
    assert.deepEqual(view('registerCertificates', 'Win32').rows[2].lines, [ui('consent.value.storesWindows')]);
    assert.deepEqual(view('registerCertificates', 'MacIntel', zh).rows[2].lines, [ui('consent.value.storesMac', 'zh-TW')]);
    const removing = view('unregisterCertificates', 'Linux x86_64', zh);
    assert.equal(removing.title, ui('consent.operation.unregisterCertificates', 'zh-TW'));
    assert.equal(removing.rows[1].label, ui('consent.detail.unregisterCertificates', 'zh-TW'));
    const empty = cardFromEnvironment(cardEnvironment(), {}).card;
    assert.deepEqual(describeRequest({origin: ORIGIN, command: 'registerCertificates', params: {}, card: empty, ask, platform: 'Linux'}, en)
      .rows[1].lines, ['The card holds no certificates']);
  });

  test('page text is shortened, never interpreted', () => {
    const {rows} = shown('generateKeyPair', {subject: [{type: 'CN', value: 'x'.repeat(1000)}], keys: []});
    assert.ok(rows[1].length < 400, rows[1].length);
    assert.ok(rows[1].endsWith('…'));
  });
});

describe('PIN rules and states', () => {
  const pin = {group: 0, name: 'PIN', minLength: 6, maxLength: 16, state: 'ok', triesLeft: 3};

  test('tries left and the locked state in words', () => {
    assert.equal(stateText(pin, en), '3 tries left');
    assert.equal(stateText({...pin, triesLeft: 2}, en), '2 tries left');
    assert.equal(stateText({...pin, state: 'countLow', triesLeft: 2}, en), 'A wrong PIN was entered before: 2 tries left');
    assert.equal(stateText({...pin, state: 'finalTry', triesLeft: 1}, en), ui('consent.state.finalTry'));
    assert.equal(stateText({...pin, state: 'locked', triesLeft: 0}, en), "This PIN is locked: reset it via the portal's unlock page.");
    assert.equal(stateText({...pin, state: 'locked'}, zh), ui('consent.state.locked', 'zh-TW'));
    assert.equal(stateText({...pin, triesLeft: null}, en), null, 'no count and no profile limit: nothing to say');
  });

  test('a card that does not report its tries: when it locks, never a count', () => {
    const silent = {...pin, triesLeft: null, locksAfter: 3};
    assert.equal(stateText(silent, en), 'This card does not report its tries left; it locks after 3 wrong PINs');
    assert.equal(stateText({...silent, state: 'countLow'}, en), 'This card does not report its tries left; it locks after 3 wrong PINs');
    assert.equal(stateText(silent, zh), ui('consent.state.locksAfter', 'zh-TW').replace('{locksAfter}', '3'));
    assert.ok(!/tries left\b(?!;)/.test(stateText(silent, en).replace('its tries left', '')), 'no number of tries left');
  });

  test('length rules, counted in characters', () => {
    assert.equal(ruleText(pin, en), '6 to 16 characters');
    assert.equal(ruleText({...pin, minLength: null, maxLength: null}, en), null);
    assert.equal(lengthOk('12345', pin), false);
    assert.equal(lengthOk('123456', pin), true);
    assert.equal(lengthOk('1'.repeat(17), pin), false);
    assert.equal(lengthOk('密碼密碼密碼', pin), true, 'six characters, eighteen UTF-8 bytes');
    assert.equal(pinProblem('', pin, en), 'Fill in "PIN".');
    assert.equal(pinProblem('123', pin, en, 'New PIN'), '"New PIN" must be 6 to 16 characters long.');
    assert.equal(pinProblem('123456', pin, en), null);
  });

  test('the host\'s wrong-PIN answers in words', () => {
    const message = (code) => errorText(code, 'en')?.message;
    assert.equal(retryText({code: 'PIN_INCORRECT', triesLeft: 2, pinName: 'PIN'}, pin, en, message), 'The PIN is incorrect: 2 tries left. Type it again.');
    assert.equal(retryText({code: 'PIN_INCORRECT', triesLeft: 1}, pin, en, message), ui('consent.error.finalTry').replace('{pinName}', 'PIN'));
    assert.equal(retryText({code: 'PIN_INCORRECT', triesLeft: null}, pin, en, message), 'The PIN is incorrect. Type it again.');
    assert.equal(retryText({code: 'PIN_POLICY'}, pin, en, message), `${messagesJson.errors.PIN_POLICY.message.en} 6 to 16 characters`);
  });
});

describe('certificate reader', () => {
  test('serial number and usage, as the write window shows them (key usage extension, critical or not)', () => {
    const signing = readCertificate(fixture('signing-certificate.pem'));
    assert.equal(signing.serialNumber, '1234');
    assert.deepEqual(signing.usage, ['signing']);
    const encryption = readCertificate(fixture('encryption-certificate.pem'));
    assert.equal(encryption.serialNumber, '0abc');
    assert.deepEqual(encryption.usage, ['encryption']);
    assert.deepEqual(readCertificate(USER_CERTIFICATE).usage, ['signing', 'encryption'], 'no key usage: both');
    assert.match(shown('writeCertificates', {certificates: [fixture('signing-certificate.pem')]}).rows[1],
      /for signing; serial 1234$/);
  });

  test('PEM and base64 DER give the same subject, issuer and validity', () => {
    const pem = readCertificate(USER_CERTIFICATE);
    assert.deepEqual(pem.subject, [{type: 'C', value: 'TW'}, {type: 'O', value: '示範公司'}, {type: 'CN', value: '王小明'}]);
    assert.equal(formatName(pem.issuer), 'CN=CertBridge Test Root, O=CertBridge Test CA, C=TW');
    assert.ok(pem.notAfter > pem.notBefore);
    const base64 = USER_CERTIFICATE.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    assert.deepEqual(readCertificate(base64), pem);
  });

  test('anything else is unreadable, not an exception', () => {
    const der = Buffer.from(USER_CERTIFICATE.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    for (const input of [null, '', 'not base64 !', 'AAAA', der.subarray(0, 100).toString('base64'), Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).toString('base64')]) {
      assert.equal(readCertificate(input), null, String(input).slice(0, 20));
    }
  });

  test('names with special characters are escaped as RFC 4514 writes them', () => {
    assert.equal(formatName([{type: 'O', value: 'A, B+C'}, {type: 'CN', value: 'x'}]), 'CN=x, O=A\\, B\\+C');
  });
});

describe('what the background asks for (card_pins.js)', () => {
  test('requiresConsent follows protocol.json', () => {
    assert.equal(requiresConsent('changePin'), true);
    assert.equal(requiresConsent('authenticate'), true, 'no card change, but a PIN');
    assert.equal(requiresConsent('listCertificates'), false);
    assert.equal(requiresConsent('unknown'), false);
  });

  test('the card is the named reader\'s, else the first with a usable card', () => {
    const report = cardEnvironment();
    report.readers.unshift({name: 'Broken', cardPresent: true, problem: {code: 'CARD_NOT_SUPPORTED', message: 'x'}});
    assert.equal(cardFromEnvironment(report, {}).card.reader, READER);
    assert.equal(cardFromEnvironment(report, {reader: 'Broken'}).error.code, 'CARD_NOT_SUPPORTED');
    assert.equal(cardFromEnvironment(report, {reader: 'Virtual PCD 00 01'}).error.code, 'NO_CARD');
    assert.deepEqual(cardFromEnvironment(report, {reader: 'Missing'}).error, {code: 'NO_READER', message: 'NO_READER', reader: 'Missing'});
    assert.equal(cardFromEnvironment(null, {}).error.code, 'NO_READER');
  });

  test('the pin pad follows the token\'s protected authentication path, as the host does', () => {
    const report = cardEnvironment();
    report.readers[0].pinPad = true;
    assert.equal(cardFromEnvironment(report, {}).card.pinPad, false, 'a pin-pad reader the middleware does not use');
    assert.equal(cardFromEnvironment(cardEnvironment({protectedAuthPath: true}), {}).card.pinPad, true);
  });

  test('answers must fit the question', () => {
    assert.deepEqual(secretsFromAnswer({kind: 'pins', groups: [1]}, {pins: [null, '1234']}), {pins: [null, '1234']});
    assert.throws(() => secretsFromAnswer({kind: 'pins', groups: [1]}, {pins: ['1234', '1234']}));
    assert.throws(() => secretsFromAnswer({kind: 'pins', groups: [0]}, {pins: ['1234'], origin: 'x'}));
    assert.throws(() => secretsFromAnswer({kind: 'changePin', group: 0}, {pin: '1234'}));
    assert.throws(() => secretsFromAnswer({kind: 'locked', group: 0}, {}));
    assert.deepEqual(secretsFromAnswer({kind: 'pinPad'}, {}), {});
    assert.throws(() => secretsFromAnswer({kind: 'pinPad'}, {pins: ['1']}));
  });
});
