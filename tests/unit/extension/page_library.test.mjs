// The page library against a fake window whose "extension" is scripted per test: the promise API,
// request ids, extension detection, timeouts, cancel, message filtering, localized typed errors.

import assert from 'node:assert/strict';
import {afterEach, beforeEach, describe, mock, test} from 'node:test';

import {builtPageLibrary, messagesJson, protocolJson} from './helpers/build_output.mjs';
import {FakeWindow, settle} from './helpers/fake_window.mjs';

const ORIGIN = 'https://ra.certbridge.example';
const fakeWindow = new FakeWindow(ORIGIN);
globalThis.window = fakeWindow;
globalThis.document = {documentElement: {lang: ''}};

const {certbridge, CertBridgeError} = await builtPageLibrary('certbridge.js');
const {version: builtVersion} = await builtPageLibrary('version.js');

const EXTENSION_ROW = {version: '0.1.0', browser: {name: 'Firefox', version: '153.7.0'}, protocol: protocolJson.protocolVersion};
const HOST_ROW = {name: 'certbridge-host', version: '0.1.0', protocol: protocolJson.protocolVersion};

let stopExtension = () => {};

/**
 * Installs a fake extension: `handle(message, reply)` gets every page -> extension message;
 * reply(fields) answers as the content script would.
 */
function extension(handle) {
  stopExtension();
  stopExtension = fakeWindow.onPosted('to-extension', (message) => {
    const reply = (fields) => fakeWindow.postMessage({ns: 'certbridge', dir: 'to-page', id: message.id, ...fields}, ORIGIN);
    handle(message, reply);
  });
}

/** A fake extension that accepts every request and answers with `respond(request, reply)`. */
function acceptingExtension(respond = () => {}) {
  extension((message, reply) => {
    if (message.type === 'request') reply({type: 'accepted'});
    respond(message, reply);
  });
}

function sentRequests() {
  return fakeWindow.posted.filter(({data}) => data.dir === 'to-extension' && data.type === 'request');
}

beforeEach(() => {
  fakeWindow.posted.length = 0;
  certbridge.setLanguage(null);
  globalThis.document.documentElement.lang = '';
});

afterEach(() => {
  stopExtension();
  stopExtension = () => {};
  mock.timers.reset();
});

describe('requests and responses', () => {
  test('request() sends a namespaced request with a fresh UUID to the page origin, and resolves with the result', async () => {
    acceptingExtension((message, reply) => {
      if (message.type === 'request') reply({type: 'response', ok: true, result: {readers: [{name: 'R1'}]}});
    });
    const pending = certbridge.request('listReaders', {});
    assert.match(pending.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(await pending, {readers: [{name: 'R1'}]});
    const [sent] = sentRequests();
    assert.equal(sent.targetOrigin, ORIGIN);
    assert.deepEqual(sent.data, {ns: 'certbridge', dir: 'to-extension', type: 'request', id: pending.id, command: 'listReaders', params: {}});
    assert.notEqual(certbridge.request('listReaders').id, pending.id);
  });

  test('status() combines the page library, extension and host rows and judges compatibility', async () => {
    acceptingExtension((message, reply) => {
      if (message.type === 'request') reply({type: 'response', ok: true, result: {extension: EXTENSION_ROW, host: HOST_ROW}});
    });
    assert.deepEqual(await certbridge.status(), {
      pageLibrary: {version: builtVersion, protocol: protocolJson.protocolVersion},
      extension: EXTENSION_ROW,
      host: HOST_ROW,
      compatible: true,
    });
    assert.equal(certbridge.version, builtVersion);
  });

  test('status() reports an incompatible host', async () => {
    acceptingExtension((message, reply) => {
      if (message.type === 'request') {
        reply({type: 'response', ok: true, result: {extension: EXTENSION_ROW, host: {...HOST_ROW, protocol: 99}}});
      }
    });
    assert.equal((await certbridge.status()).compatible, false);
  });

  test('environment() adds the page library row to the report', async () => {
    acceptingExtension((message, reply) => {
      if (message.type === 'request') reply({type: 'response', ok: true, result: {extension: EXTENSION_ROW, readers: []}});
    });
    const report = await certbridge.environment();
    assert.deepEqual(report.pageLibrary, {version: builtVersion, protocol: protocolJson.protocolVersion});
    assert.deepEqual(report.readers, []);
  });

  test('progress messages reach onProgress in order before the result', async () => {
    acceptingExtension((message, reply) => {
      if (message.type !== 'request') return;
      reply({type: 'progress', progress: {stage: 'connecting'}});
      reply({type: 'progress', progress: {stage: 'reading'}});
      reply({type: 'response', ok: true, result: {done: true}});
    });
    const stages = [];
    const result = await certbridge.request('environment', {}, {onProgress: (progress) => stages.push(progress.stage)});
    assert.deepEqual(stages, ['connecting', 'reading']);
    assert.deepEqual(result, {done: true});
  });

  test('a throwing onProgress does not break the request', async () => {
    acceptingExtension((message, reply) => {
      if (message.type !== 'request') return;
      reply({type: 'progress', progress: {stage: 'x'}});
      reply({type: 'response', ok: true, result: 1});
    });
    assert.equal(await certbridge.request('environment', {}, {onProgress: () => { throw new Error('page bug'); }}), 1);
  });

  test('messages from another origin, another window, another namespace or for another id are ignored', async () => {
    const other = new FakeWindow(ORIGIN);
    acceptingExtension((message, reply) => {
      if (message.type !== 'request') return;
      const forged = {ns: 'certbridge', dir: 'to-page', type: 'response', id: message.id, ok: true, result: 'forged'};
      setImmediate(() => {
        fakeWindow.deliver(forged, {origin: 'https://evil.example'});
        fakeWindow.deliver(forged, {source: other});
        fakeWindow.deliver({...forged, ns: 'other'});
        fakeWindow.deliver({...forged, id: 'another-id'});
        reply({type: 'response', ok: true, result: 'genuine'});
      });
    });
    assert.equal(await certbridge.request('listReaders'), 'genuine');
  });
});

describe('errors', () => {
  test('no extension: EXTENSION_UNAVAILABLE after extensionDetectMs', async () => {
    mock.timers.enable({apis: ['setTimeout']});
    const pending = certbridge.status();
    await settle();
    mock.timers.tick(protocolJson.timeouts.extensionDetectMs - 1);
    let settled = false;
    pending.catch(() => {}).finally(() => { settled = true; });
    await settle();
    assert.equal(settled, false);
    mock.timers.tick(1);
    await assert.rejects(pending, (error) => {
      assert.ok(error instanceof CertBridgeError);
      assert.equal(error.code, 'EXTENSION_UNAVAILABLE');
      assert.equal(error.message, messagesJson.errors.EXTENSION_UNAVAILABLE.message['zh-TW']);
      assert.equal(error.fix, messagesJson.errors.EXTENSION_UNAVAILABLE.fix['zh-TW']);
      return true;
    });
  });

  test('a fix with steps per OS: the page shows the steps for the OS the error names, in the page\'s language', async () => {
    const pcsc = messagesJson.errors.PCSC_UNAVAILABLE;
    for (const os of ['windows', 'linux', 'macos']) {
      acceptingExtension((message, reply) => {
        if (message.type === 'request') reply({type: 'response', ok: false, error: {code: 'PCSC_UNAVAILABLE', message: 'x', os}});
      });
      const error = await certbridge.listReaders().then(() => null, (failure) => failure);
      assert.equal(error.fix, pcsc.fixByOs[os]['zh-TW'], os);
      for (const other of ['windows', 'linux', 'macos'].filter((name) => name !== os)) {
        assert.ok(!error.fix.includes(pcsc.fixByOs[other]['zh-TW']), `${os} fix holds ${other}'s steps`);
      }
    }
    assert.match(pcsc.fixByOs.linux.en, /pcscd/);
    assert.doesNotMatch(pcsc.fixByOs.linux.en, /Windows|macOS/);
    assert.doesNotMatch(pcsc.fixByOs.windows.en, /pcscd|macOS/);
    // No OS named (an older host): the general fix.
    acceptingExtension((message, reply) => {
      if (message.type === 'request') reply({type: 'response', ok: false, error: {code: 'PCSC_UNAVAILABLE', message: 'x'}});
    });
    assert.equal((await certbridge.listReaders().catch((failure) => failure)).fix, pcsc.fix['zh-TW']);
  });

  test('NATIVE_UNAVAILABLE cause "forbidden": its own message and fix, not "not installed"', async () => {
    acceptingExtension((message, reply) => {
      if (message.type === 'request') {
        reply({type: 'response', ok: false, error: {code: 'NATIVE_UNAVAILABLE', message: 'x', cause: 'forbidden', extension: EXTENSION_ROW}});
      }
    });
    const error = await certbridge.status().then(() => null, (failure) => failure);
    const {forbidden} = messagesJson.errors.NATIVE_UNAVAILABLE.causes;
    assert.equal(error.message, forbidden.message['zh-TW']);
    assert.equal(error.fix, forbidden.fix['zh-TW']);
    assert.notEqual(error.fix, messagesJson.errors.NATIVE_UNAVAILABLE.fix['zh-TW']);
  });

  test('an accepted request with no answer is TIMEOUT after its timeout, and the extension is told to cancel', async () => {
    acceptingExtension();
    const pending = certbridge.request('listReaders', {}, {timeoutMs: 30});
    await assert.rejects(pending, (error) => error.code === 'TIMEOUT' && error.details.timeoutMs === 30);
    await settle();
    const cancel = fakeWindow.posted.find(({data}) => data.type === 'cancel');
    assert.deepEqual(cancel?.data, {ns: 'certbridge', dir: 'to-extension', type: 'cancel', id: pending.id});
  });

  test('the timeout stands still while the extension\'s window waits for the user, and runs on after', async () => {
    mock.timers.enable({apis: ['setTimeout', 'Date']});
    let reply = null;
    acceptingExtension((message, answer) => {
      if (message.type === 'request') reply = answer;
    });
    const pending = certbridge.request('changePin', {}, {timeoutMs: 1_000, onProgress: (progress) => assert.fail(`progress ${JSON.stringify(progress)}`)});
    let settled = false;
    pending.catch(() => {}).finally(() => { settled = true; });
    await settle();
    mock.timers.tick(400);
    reply({type: 'waiting', waiting: true});
    await settle();
    mock.timers.tick(60_000); // the user reads the window and types the PIN
    await settle();
    assert.equal(settled, false, 'no TIMEOUT while the window waits for the user');
    reply({type: 'waiting', waiting: false});
    await settle();
    mock.timers.tick(599);
    await settle();
    assert.equal(settled, false, 'the 600 ms that were left still count');
    mock.timers.tick(1);
    await assert.rejects(pending, (error) => error.code === 'TIMEOUT' && error.details.timeoutMs === 1_000);
  });

  test('onWaiting tells the page when to say "answer in the CertBridge window", once per change', async () => {
    let reply = null;
    acceptingExtension((message, answer) => {
      if (message.type === 'request') reply = answer;
    });
    const seen = [];
    const pending = certbridge.request('changePin', {}, {onWaiting: (waiting) => seen.push(waiting)});
    await settle();
    reply({type: 'waiting', waiting: true});
    reply({type: 'waiting', waiting: true});
    await settle();
    assert.deepEqual(seen, [true]);
    reply({type: 'waiting', waiting: false});
    reply({type: 'response', ok: true, result: {pinGroup: 0}});
    await pending;
    assert.deepEqual(seen, [true, false]);
    await assert.rejects(certbridge.request('changePin', {}, {onWaiting: 'yes'}), {code: 'BAD_REQUEST'});
  });

  test('a cancel while the window waits ends the request', async () => {
    mock.timers.enable({apis: ['setTimeout', 'Date']});
    acceptingExtension((message, reply) => {
      if (message.type === 'request') reply({type: 'waiting', waiting: true});
    });
    const pending = certbridge.request('changePin', {}, {timeoutMs: 1_000});
    await settle();
    certbridge.cancel(pending.id);
    await settle();
    mock.timers.tick(protocolJson.commands.cancel.timeoutMs);
    await assert.rejects(pending, {code: 'USER_CANCELLED'});
  });

  test('per-command timeouts come from protocol.json', async () => {
    mock.timers.enable({apis: ['setTimeout']});
    acceptingExtension();
    const pending = certbridge.listReaders();
    await settle();
    mock.timers.tick(protocolJson.commands.listReaders.timeoutMs - 1);
    await settle();
    mock.timers.tick(1);
    await assert.rejects(pending, {code: 'TIMEOUT'});
  });

  test('an error response becomes a CertBridgeError with catalogue text, fix and details', async () => {
    acceptingExtension((message, reply) => {
      if (message.type === 'request') {
        reply({type: 'response', ok: false, error: {code: 'NATIVE_UNAVAILABLE', message: 'host missing', extension: EXTENSION_ROW}});
      }
    });
    certbridge.setLanguage('en');
    const error = await certbridge.status().catch((thrown) => thrown);
    assert.ok(error instanceof CertBridgeError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'CertBridgeError');
    assert.equal(error.code, 'NATIVE_UNAVAILABLE');
    assert.equal(error.message, messagesJson.errors.NATIVE_UNAVAILABLE.message.en);
    assert.equal(error.fix, messagesJson.errors.NATIVE_UNAVAILABLE.fix.en);
    assert.deepEqual(error.details, {extension: EXTENSION_ROW});
    assert.deepEqual(error.toJSON(), {extension: EXTENSION_ROW, code: 'NATIVE_UNAVAILABLE',
      message: messagesJson.errors.NATIVE_UNAVAILABLE.message.en, fix: messagesJson.errors.NATIVE_UNAVAILABLE.fix.en});
  });

  test('an unknown error code keeps the text it came with', async () => {
    acceptingExtension((message, reply) => {
      if (message.type === 'request') reply({type: 'response', ok: false, error: {code: 'FUTURE_CODE', message: 'Something new.'}});
    });
    const error = await certbridge.listReaders().catch((thrown) => thrown);
    assert.equal(error.code, 'FUTURE_CODE');
    assert.equal(error.message, 'Something new.');
    assert.equal(error.fix, null);
  });

  test('unknown commands and bad arguments reject at once, without a message to the extension', async () => {
    await assert.rejects(certbridge.request('formatCard'), {code: 'UNKNOWN_COMMAND'});
    await assert.rejects(certbridge.request('cancel', {target: 'x'}), {code: 'UNKNOWN_COMMAND'});
    await assert.rejects(certbridge.request('listReaders', 'params'), {code: 'BAD_REQUEST'});
    await assert.rejects(certbridge.request('listReaders', {}, {timeoutMs: -1}), {code: 'BAD_REQUEST'});
    await assert.rejects(certbridge.request('listReaders', {}, {onProgress: 'no'}), {code: 'BAD_REQUEST'});
    assert.equal(sentRequests().length, 0);
  });

  test('params that cannot be cloned are BAD_REQUEST', async () => {
    await assert.rejects(certbridge.request('listReaders', {callback: () => {}}), {code: 'BAD_REQUEST'});
  });
});

describe('http://[::1]: refused the same way everywhere', () => {
  test('status() on an IPv6 loopback page is ORIGIN_NOT_ALLOWED at once, naming the loopback origins that work', async () => {
    let posted = 0;
    extension(() => { posted += 1; });
    const saved = fakeWindow.location.origin;
    fakeWindow.location.origin = 'http://[::1]:8080';
    const started = Date.now();
    try {
      const error = await certbridge.status().then(() => null, (failure) => failure);
      assert.ok(error instanceof CertBridgeError);
      assert.equal(error.code, 'ORIGIN_NOT_ALLOWED');
      assert.match(error.details.reason, /http:\/\/127\.0\.0\.1 or http:\/\/localhost/);
      assert.ok(Date.now() - started < protocolJson.timeouts.extensionDetectMs / 2, 'not after the extension detection time');
      assert.equal(posted, 0, 'nothing was sent');
    } finally {
      fakeWindow.location.origin = saved;
    }
  });
});

describe('language', () => {
  const code = 'PIN_INCORRECT';
  const failWith = () => acceptingExtension((message, reply) => {
    if (message.type === 'request') reply({type: 'response', ok: false, error: {code, message: 'The PIN is incorrect.', triesLeft: 2}});
  });

  test('setLanguage chooses the text of messages and fixes', async () => {
    failWith();
    for (const language of ['en', 'zh-TW']) {
      certbridge.setLanguage(language);
      assert.equal(certbridge.getLanguage(), language);
      const error = await certbridge.listReaders().catch((thrown) => thrown);
      assert.equal(error.message, messagesJson.errors[code].message[language]);
      assert.equal(error.fix, messagesJson.errors[code].fix[language]);
      assert.equal(error.details.triesLeft, 2);
    }
  });

  test('without setLanguage: the page\'s <html lang>, zh-TW when it says nothing', async () => {
    assert.equal(certbridge.getLanguage(), 'zh-TW');
    globalThis.document.documentElement.lang = 'en-GB';
    assert.equal(certbridge.getLanguage(), 'en');
    globalThis.document.documentElement.lang = 'zh-Hant-TW';
    assert.equal(certbridge.getLanguage(), 'zh-TW');
  });

  test('setLanguage refuses languages the catalogue lacks', () => {
    assert.throws(() => certbridge.setLanguage('fr'), TypeError);
    assert.deepEqual([...certbridge.languages], messagesJson.languages);
  });
});

describe('cancel', () => {
  test('cancel(id) tells the extension and the request rejects with its USER_CANCELLED', async () => {
    acceptingExtension((message, reply) => {
      if (message.type === 'cancel') reply({type: 'response', ok: false, error: {code: 'USER_CANCELLED', message: 'cancelled'}});
    });
    const pending = certbridge.request('environment');
    await settle();
    assert.equal(certbridge.cancel(pending.id), true);
    await assert.rejects(pending, {code: 'USER_CANCELLED'});
    assert.equal(certbridge.cancel(pending.id), false, 'no longer pending');
  });

  test('an AbortSignal cancels too', async () => {
    const cancelled = [];
    acceptingExtension((message, reply) => {
      if (message.type === 'cancel') {
        cancelled.push(message.id);
        reply({type: 'response', ok: false, error: {code: 'USER_CANCELLED', message: 'cancelled'}});
      }
    });
    const controller = new AbortController();
    const pending = certbridge.request('environment', {}, {signal: controller.signal});
    await settle();
    controller.abort();
    await assert.rejects(pending, {code: 'USER_CANCELLED'});
    assert.deepEqual(cancelled, [pending.id]);
    await assert.rejects(certbridge.request('environment', {}, {signal: controller.signal}), {code: 'USER_CANCELLED'});
  });

  test('if the extension does not answer a cancel, the request still ends with USER_CANCELLED', async () => {
    mock.timers.enable({apis: ['setTimeout']});
    acceptingExtension();
    const pending = certbridge.request('environment');
    await settle();
    certbridge.cancel(pending.id);
    mock.timers.tick(protocolJson.commands.cancel.timeoutMs);
    await assert.rejects(pending, {code: 'USER_CANCELLED'});
  });
});

describe('card commands', () => {
  const CERTIFICATE = {
    id: 'ab'.repeat(32), subject: 'CN=王小明,C=TW', issuer: 'CN=Test CA,C=TW', serialNumber: '01ff',
    notBefore: '2025-11-21T08:00:00Z', notAfter: '2027-11-21T08:00:00Z', daysToExpiry: 700, valid: true,
    usage: ['signing'], isCa: false, hasKey: true, keyId: '0a0b', label: '王小明 signing 2027-11-21', pinGroup: 0,
    certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  };
  const TOKEN = {label: 'CertBridge Test', serialNumber: '0123456789'};
  const PIN_RESULT = {pinGroup: 0, pinName: 'PIN 1', pinState: {state: 'ok', triesLeft: 3}};
  const AUTHORIZATION = {version: 1, requestId: 'c'.repeat(32), raPublicKey: 'MFkw', iv: 'AAAAAAAAAAAAAAAA', ciphertext: 'AQID', tag: 'BAUG'};

  /** Per function: the params a portal passes (undefined: none), what the host answers, and one error it may give. */
  const CALLS = {
    listCertificates: {params: {reader: 'Virtual PCD 00 00'}, optional: true,
      result: {reader: 'Virtual PCD 00 00', token: TOKEN, certificates: [CERTIFICATE]},
      error: {code: 'NO_CARD', message: 'No card.'}},
    generateKeyPair: {
      params: {subject: [{type: 'C', value: 'TW'}, {type: 'CN', value: '王小明'}], keys: [{usage: 'signing'}, {usage: 'encryption', keySize: 3072}]},
      result: {reader: 'R', token: TOKEN, requests: [{usage: 'signing', keySize: 2048, pinGroup: 0, keyId: '0a0b', publicKey: 'MIIB', request: '-----BEGIN CERTIFICATE REQUEST-----'}]},
      error: {code: 'PIN_INCORRECT', message: 'Wrong PIN.', triesLeft: 2, pinGroup: 0, pinName: 'PIN 1'}},
    writeCertificates: {
      params: {certificates: ['MIIB'], caCertificates: ['MIIC'], removeCertificates: ['cd'.repeat(32)]},
      result: {certificates: [{id: 'ef'.repeat(32), subject: 'CN=x', keyId: '0a0b', label: 'x signing 2027-11-21', pinGroup: 0, alreadyOnCard: false}],
        caCertificates: [{id: '01'.repeat(32), subject: 'CN=Test CA', alreadyOnCard: true}], removed: [{id: 'cd'.repeat(32), subject: 'CN=old'}]},
      error: {code: 'CERTIFICATE_KEY_MISMATCH', message: 'No key.', index: 0}},
    signRenewal: {params: {data: 'aGVsbG8=', certificate: 'ab'.repeat(32), detached: true},
      result: {signature: 'MIAG', certificate: CERTIFICATE},
      error: {code: 'KEY_NOT_FOUND', message: 'No key.'}},
    authenticate: {params: {challenge: 'MDEyMzQ1Njc4OWFiY2RlZg=='},
      result: {algorithm: 'sha256WithRSAEncryption', origin: ORIGIN, signature: 'AAEC', certificate: CERTIFICATE},
      error: {code: 'PIN_LOCKED', message: 'Locked.', pinGroup: 0, pinName: 'PIN 1'}},
    changePin: {params: {pinGroup: 1}, optional: true, result: {...PIN_RESULT, pinGroup: 1},
      error: {code: 'PIN_POLICY', message: 'Too short.'}},
    unblockRequest: {params: {pinGroup: 0, reader: 'R'}, optional: true,
      result: {reader: 'R', token: {...TOKEN, manufacturer: 'IBM', model: 'SoftTok'}, pinGroup: 0, pinName: 'PIN 1',
        pinState: {state: 'locked', triesLeft: 0}, requestId: 'c'.repeat(32), hostPublicKey: 'MFkw', expiresAt: '2025-11-21T08:10:00Z'},
      error: {code: 'NO_READER', message: 'No reader.'}},
    unblockPin: {params: {authorization: AUTHORIZATION}, result: PIN_RESULT,
      error: {code: 'UNBLOCK_AUTHORIZATION_INVALID', message: 'Invalid.', reason: 'expired'}},
    removeKeys: {params: {keyIds: ['0a0b']},
      result: {reader: 'R', token: TOKEN, removed: [{keyId: '0a0b', label: 'Signing key 2026-11-01', keySize: 2048,
        usage: 'signing', createdOn: '2026-11-01', ageDays: 3, pinGroup: 0, objects: 2}]},
      error: {code: 'KEY_NOT_FOUND', message: 'No key.', keyId: '0a0b', field: 'params.keyIds[0]'}},
    registerCertificates: {params: {reader: 'R'}, optional: true,
      result: {reader: 'R', token: TOKEN, provider: {profile: 'ra-card', name: 'RA card', module: '/usr/lib/ra-pkcs11.so'},
        certificates: [{id: 'ef'.repeat(32), subject: 'CN=王小明', isCa: false, hasKey: true}],
        stores: [{kind: 'nss-shared', name: 'Chrome / Chromium', location: '/home/u/.pki/nssdb', outcome: 'added',
          registeredAs: 'CertBridge: RA card', created: false}]},
      error: {code: 'NO_CERTIFICATES_ON_CARD', message: 'No certificates.', reader: 'R'}},
    unregisterCertificates: {params: {reader: 'R'}, optional: true,
      result: {reader: 'R', token: TOKEN, provider: {profile: 'ra-card', name: 'RA card', module: '/usr/lib/ra-pkcs11.so'},
        certificates: [], stores: [{kind: 'firefox', name: 'Firefox profile default-esr', location: '/home/u/.mozilla/firefox/x.default-esr',
          outcome: 'leftAlone', registeredAs: 'OpenSC', created: false}]},
      error: {code: 'STORE_ERROR', message: 'Store error.', store: 'Chrome / Chromium', location: '/home/u/.pki/nssdb', reason: 'modutil -delete failed'}},
    generateSoftwareKey: {
      params: {subject: [{type: 'C', value: 'TW'}, {type: 'CN', value: '王小明'}], keys: [{usage: 'signing'}, {usage: 'encryption'}]},
      result: {store: 'software', requests: [{usage: 'signing', keySize: 2048, keyId: '0a0b', publicKey: 'MIIB', request: '-----BEGIN CERTIFICATE REQUEST-----'}]},
      error: {code: 'STORE_PASSWORD_INCORRECT', message: 'Store password.', passwordGiven: false}},
    installCertificates: {params: {certificates: ['MIIB'], caCertificates: ['MIIC']},
      result: {store: 'software', certificates: [{...CERTIFICATE, store: 'software', installed: true}], caCertificates: []},
      error: {code: 'CERTIFICATE_KEY_MISMATCH', message: 'No key.', field: 'params.certificates[0]'}},
    exportPkcs12: {params: {certificates: ['ab'.repeat(32)]}, optional: true,
      // The extension saved the file to the downloads folder: the page gets its name and download id only.
      result: {store: 'software', files: [{certificate: CERTIFICATE, fileName: '王小明-signing-0A.p12', downloadId: 7}]},
      error: {code: 'KEY_NOT_FOUND', message: 'No key.'}},
    importPkcs12: {params: {includeCaCertificates: true}, optional: true,
      result: {store: 'software', keyImported: true, certificate: {...CERTIFICATE, installed: true}, caCertificates: []},
      error: {code: 'PKCS12_PASSWORD_INCORRECT', message: 'Wrong password.'}},
    changePkcs12Password: {params: {}, optional: true,
      result: {certificate: {id: 'ab'.repeat(32), subject: 'CN=王小明'}, fileName: '王小明-signing-0A.p12', downloadId: 8},
      error: {code: 'PKCS12_FILE_INVALID', message: 'Not a file.', reason: 'not a PKCS#12 file'}},
  };

  /** A fake extension answering every request with `answer(request)`: {ok: true, result} or {ok: false, error}. */
  function answering(answer) {
    acceptingExtension((message, reply) => {
      if (message.type === 'request') reply({type: 'response', ...answer(message)});
    });
  }

  test('every card command of protocol.json has its function on the frozen certbridge object', () => {
    const cardCommands = Object.keys(protocolJson.commands)
      .filter((command) => !['status', 'environment', 'listReaders'].includes(command) && protocolJson.commands[command].hostOnly !== true);
    assert.deepEqual(Object.keys(CALLS).sort(), cardCommands.sort());
    for (const command of cardCommands) assert.equal(typeof certbridge[command], 'function', command);
    assert.ok(Object.isFrozen(certbridge));
  });

  for (const [command, call] of Object.entries(CALLS)) {
    test(`${command}(params) sends ${command} with the params as given and resolves with the result; errors reject`, async () => {
      answering(() => ({ok: true, result: call.result}));
      const pending = certbridge[command](call.params);
      assert.deepEqual(await pending, call.result);
      const [sent] = sentRequests();
      assert.deepEqual(sent.data, {ns: 'certbridge', dir: 'to-extension', type: 'request', id: pending.id, command, params: call.params});

      certbridge.setLanguage('en');
      answering(() => ({ok: false, error: call.error}));
      const {code, message, ...details} = call.error;
      await assert.rejects(certbridge[command](call.params), (error) => {
        assert.ok(error instanceof CertBridgeError);
        assert.equal(error.code, code);
        assert.equal(error.message, messagesJson.errors[code].message.en);
        assert.deepEqual(error.details, details);
        return true;
      });
    });
  }

  for (const command of Object.keys(CALLS).filter((name) => CALLS[name].optional)) {
    test(`${command}() without params sends empty params`, async () => {
      answering(() => ({ok: true, result: CALLS[command].result}));
      await certbridge[command]();
      assert.deepEqual(sentRequests()[0].data.params, {});
    });
  }

  test('each card command times out after its own protocol.json timeoutMs, unless options say otherwise', async () => {
    mock.timers.enable({apis: ['setTimeout']});
    acceptingExtension();
    for (const [command, call] of Object.entries(CALLS)) {
      const timeoutMs = protocolJson.commands[command].timeoutMs;
      const pending = certbridge[command](call.params);
      const outcome = pending.then(() => 'resolved', (error) => error.code);
      await settle();
      mock.timers.tick(timeoutMs - 1);
      const early = await Promise.race([outcome, settle().then(() => 'pending')]);
      assert.equal(early, 'pending', command);
      mock.timers.tick(1);
      assert.equal(await outcome, 'TIMEOUT', command);
    }
    const short = certbridge.generateKeyPair(CALLS.generateKeyPair.params, {timeoutMs: 10});
    await settle();
    mock.timers.tick(10);
    await assert.rejects(short, {code: 'TIMEOUT'});
  });

  test('generateKeyPair reports its stages through onProgress', async () => {
    const progress = [{stage: 'login'}, {stage: 'generatingKey', key: 1, keys: 2}, {stage: 'creatingRequest', key: 1, keys: 2},
      {stage: 'generatingKey', key: 2, keys: 2}, {stage: 'creatingRequest', key: 2, keys: 2}];
    acceptingExtension((message, reply) => {
      if (message.type !== 'request') return;
      for (const entry of progress) reply({type: 'progress', progress: entry});
      reply({type: 'response', ok: true, result: CALLS.generateKeyPair.result});
    });
    const seen = [];
    await certbridge.generateKeyPair(CALLS.generateKeyPair.params, {onProgress: (entry) => seen.push(entry)});
    assert.deepEqual(seen, progress);
  });

  test('an AbortSignal cancels unblockPin like any request', async () => {
    const cancelled = [];
    acceptingExtension((message, reply) => {
      if (message.type !== 'cancel') return;
      cancelled.push(message.id);
      reply({type: 'response', ok: false, error: {code: 'USER_CANCELLED', message: 'cancelled'}});
    });
    const controller = new AbortController();
    const pending = certbridge.unblockPin(CALLS.unblockPin.params, {signal: controller.signal});
    await settle();
    controller.abort();
    await assert.rejects(pending, {code: 'USER_CANCELLED'});
    assert.deepEqual(cancelled, [pending.id]);
  });

  test('the page library neither adds nor removes PINs: a page\'s own pins go out as given (the extension refuses them)', async () => {
    answering(() => ({ok: false, error: {code: 'BAD_REQUEST', message: 'bad', field: 'params.pins'}}));
    const params = {...CALLS.generateKeyPair.params, pins: ['123456']};
    await assert.rejects(certbridge.generateKeyPair(params), {code: 'BAD_REQUEST'});
    assert.deepEqual(sentRequests()[0].data.params, params);
  });
});
