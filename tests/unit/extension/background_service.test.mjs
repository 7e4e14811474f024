// The background's messaging service with a fake WebExtension API: policy, origin from the sender, host
// missing / crashing / incompatible, size limit, progress, cancel, user secrets refused, host processes
// parked for a follow-up command. (The consent window itself: consent_window.test.mjs; here a user who
// always answers OK stands in for it.)

import assert from 'node:assert/strict';
import {afterEach, beforeEach, describe, mock, test} from 'node:test';

import {builtExtension, messagesJson, protocolJson} from './helpers/build_output.mjs';
import {autoConsent, cardEnvironment, NEW_PIN, TEST_PIN} from './helpers/fake_consent_window.mjs';
import {fakeExtensionApi, FakePort, pageSender} from './helpers/fake_extension_api.mjs';

const {createRequestService, REQUEST_PORT_NAME} = await builtExtension('request_service.js');
const {currentPolicy} = await builtExtension('policy.js');
const {pickLanguage} = await builtExtension('localization.js');

const ALLOWED = 'https://ra.certbridge.example';
const UNLISTED = 'https://evil.example';
const EXTENSION_ROW = {version: '0.1.0', browser: {name: 'Chromium', version: '156.0'}, protocol: protocolJson.protocolVersion};
const HELLO = {name: 'certbridge-host', version: '0.1.0', protocol: protocolJson.protocolVersion};

let api;
let service;

function makeService(overrides = {}) {
  return createRequestService({
    api,
    policy: currentPolicy,
    extensionInfo: async () => EXTENSION_ROW,
    language: () => pickLanguage(api.i18n.getUILanguage()),
    // Long enough that a test host's hello (sent on the next turn) always wins on a loaded 2-core machine,
    // where 50 ms lost the race about once in three runs; only the "never says hello" test waits it out.
    helloTimeoutMs: 1000,
    cancelTimeoutMs: 50,
    // Short, so that a host left parked by a test does not keep the test process waiting.
    parkedLifetimeMs: 200,
    ...overrides,
  });
}

beforeEach(() => {
  api = fakeExtensionApi();
  service = makeService();
  // Whichever service the test made answers the consent window's port.
  autoConsent(api, {handleConnect: (port) => service.handleConnect(port)});
});

afterEach(() => {
  mock.restoreAll();
  mock.timers.reset();
});

/** A host that says hello, then answers each request with `answer(request, port)` (if given). */
function host({hello = HELLO, answer} = {}) {
  return (port) => {
    setImmediate(() => port.deliver({hello}));
    port.onPost = (message) => answer?.(message, port);
  };
}

const ok = (result) => (request, port) => setImmediate(() => port.deliver({id: request.id, ok: true, result}));

function pageRequest(command, params = {}, extra = {}) {
  return {ns: 'certbridge', dir: 'to-extension', type: 'request', id: 'req-1', command, params, ...extra};
}

/** Opens a request port as the content script of `origin` would and sends `message`; returns the port. */
function send(message, {origin = ALLOWED, sender = pageSender(origin)} = {}) {
  const port = new FakePort(api, REQUEST_PORT_NAME, sender);
  assert.equal(service.handleConnect(port), true);
  port.deliver(message);
  return port;
}

async function responseOn(port) {
  for (;;) {
    const message = await port.nextPosted();
    if (message.type === 'response') return message;
  }
}

describe('policy: origin from the browser, not the page', () => {
  test('an allowed origin reaches the host with the sender origin', async () => {
    api.onConnectNative = host({answer: ok({readers: []})});
    const response = await responseOn(send(pageRequest('listReaders')));
    assert.deepEqual(response, {type: 'response', id: 'req-1', ok: true, result: {readers: []}});
    const [native] = api.nativePorts;
    assert.equal(native.name, protocolJson.nativeHostName);
    assert.deepEqual(native.posted[0], {id: 'req-1', command: 'listReaders', origin: ALLOWED, params: {}});
  });

  test('an unlisted origin gets status()', async () => {
    api.onConnectNative = host({answer: ok({host: {logFile: '/tmp/host.log'}})});
    const response = await responseOn(send(pageRequest('status'), {origin: UNLISTED}));
    assert.equal(response.ok, true);
    assert.deepEqual(response.result.extension, EXTENSION_ROW);
    assert.deepEqual(response.result.host, {...HELLO, logFile: '/tmp/host.log'});
    assert.equal(api.nativePorts[0].posted[0].origin, UNLISTED);
  });

  for (const command of ['environment', 'listReaders']) {
    test(`an unlisted origin gets ORIGIN_NOT_ALLOWED for ${command}, and the host is never started`, async () => {
      const response = await responseOn(send(pageRequest(command), {origin: UNLISTED}));
      assert.equal(response.ok, false);
      assert.equal(response.error.code, 'ORIGIN_NOT_ALLOWED');
      assert.equal(response.error.message, messagesJson.errors.ORIGIN_NOT_ALLOWED.message.en);
      assert.equal(response.error.refusedBy, 'extension', 'the extension\'s allow-list, not the host\'s');
      assert.equal(api.nativePorts.length, 0);
    });
  }

  describe('enterprise policy (storage.managed)', () => {
    let managed;
    beforeEach(() => {
      managed = {};
      api.storage = {managed: {get: async () => structuredClone(managed)}};
      service = makeService({policy: () => currentPolicy(api)});
    });

    test('an origin the policy adds is allowed from the next request, and refused again once it is removed', async () => {
      api.onConnectNative = host({answer: ok({readers: []})});
      assert.equal((await responseOn(send(pageRequest('listReaders'), {origin: UNLISTED}))).error.code, 'ORIGIN_NOT_ALLOWED');
      managed = {allowedOrigins: [UNLISTED]};
      assert.equal((await responseOn(send(pageRequest('listReaders'), {origin: UNLISTED}))).ok, true);
      assert.equal((await responseOn(send(pageRequest('listReaders')))).ok, true, 'extends the built-in list');
      managed = {allowedOrigins: [UNLISTED], allowedOriginsMode: 'replace'};
      assert.equal((await responseOn(send(pageRequest('listReaders')))).error.code, 'ORIGIN_NOT_ALLOWED', 'replaced');
      managed = {};
      assert.equal((await responseOn(send(pageRequest('listReaders'), {origin: UNLISTED}))).error.code, 'ORIGIN_NOT_ALLOWED');
      assert.deepEqual(api.nativePorts.map((port) => port.posted[0].origin), [UNLISTED, ALLOWED]);
    });

    test('allowLoopbackHttp false refuses loopback http', async () => {
      managed = {allowLoopbackHttp: false};
      const response = await responseOn(send(pageRequest('listReaders'), {origin: 'http://127.0.0.1:8123'}));
      assert.equal(response.error.code, 'ORIGIN_NOT_ALLOWED');
      assert.equal(api.nativePorts.length, 0);
    });

    test('environment() of an allowed page reports what the policy ignored; a refused page learns nothing of it', async () => {
      managed = {allowedOrigins: ['http://ra.example', 'https://ra2.example'], allowedOriginsMode: 'everything'};
      api.onConnectNative = host({answer: ok({readers: []})});
      const allowed = await responseOn(send(pageRequest('environment')));
      assert.equal(allowed.ok, true);
      assert.equal(allowed.result.extension.policy.managed, true);
      assert.deepEqual(allowed.result.extension.policy.ignored.map((problem) => problem.entry), ['allowedOriginsMode', 'allowedOrigins[0]']);
      const refused = await responseOn(send(pageRequest('environment'), {origin: UNLISTED}));
      assert.equal(refused.error.code, 'ORIGIN_NOT_ALLOWED');
      assert.deepEqual(refused.error.extension, EXTENSION_ROW);
      const status = await responseOn(send(pageRequest('status'), {origin: UNLISTED}));
      assert.deepEqual(status.result.extension, EXTENSION_ROW);
    });
  });

  test('a page that names an allowed origin itself is refused', async () => {
    const response = await responseOn(send(pageRequest('listReaders', {}, {origin: ALLOWED}), {origin: UNLISTED}));
    assert.equal(response.error.code, 'BAD_REQUEST');
    assert.match(response.error.reason, /origin/);
    assert.equal(api.nativePorts.length, 0);
  });

  test('Firefox without sender.origin: the origin comes from sender.url', async () => {
    api.onConnectNative = host({answer: ok({readers: []})});
    const response = await responseOn(send(pageRequest('listReaders'), {sender: pageSender(ALLOWED, {withOrigin: false})}));
    assert.equal(response.ok, true);
    assert.equal(api.nativePorts[0].posted[0].origin, ALLOWED);
  });

  test('loopback http on any port is allowed by the default build; other http is not', async () => {
    api.onConnectNative = host({answer: ok({readers: []})});
    assert.equal((await responseOn(send(pageRequest('listReaders'), {origin: 'http://127.0.0.1:8123'}))).ok, true);
    const plain = await responseOn(send(pageRequest('listReaders'), {origin: 'http://ra.certbridge.example'}));
    assert.equal(plain.error.code, 'ORIGIN_NOT_ALLOWED');
  });

  test('a sender that is not a top-level page of ours gets nothing but ORIGIN_NOT_ALLOWED', async () => {
    for (const sender of [
      {...pageSender(ALLOWED), frameId: 3},
      {...pageSender(ALLOWED), id: 'someone-else'},
      {...pageSender(ALLOWED), tab: undefined},
      {...pageSender(ALLOWED), origin: 'null'},
    ]) {
      const response = await responseOn(send(pageRequest('status'), {sender}));
      assert.equal(response.error.code, 'ORIGIN_NOT_ALLOWED');
    }
    assert.equal(api.nativePorts.length, 0);
  });

  test('ports with another name are not taken', () => {
    assert.equal(service.handleConnect(new FakePort(api, 'other', pageSender(ALLOWED))), false);
  });
});

describe('request validation', () => {
  test('unknown commands, and the host-only cancel command, are UNKNOWN_COMMAND', async () => {
    for (const command of ['formatCard', 'cancel', 'checkParams', 'protectSavedFile', 'toString']) {
      const response = await responseOn(send(pageRequest(command)));
      assert.equal(response.error.code, 'UNKNOWN_COMMAND', command);
    }
  });

  test('malformed envelopes are BAD_REQUEST', async () => {
    for (const message of [
      pageRequest('status', {}, {id: 'x'.repeat(65)}),
      pageRequest('status', {}, {id: 'has space'}),
      pageRequest('status', []),
      {...pageRequest('status'), ns: 'other'},
      'status',
    ]) {
      const response = await responseOn(send(message));
      assert.equal(response.error.code, 'BAD_REQUEST', JSON.stringify(message).slice(0, 80));
    }
    assert.equal(api.nativePorts.length, 0);
  });

  test('a request whose JSON exceeds browserToHostMaxBytes is MESSAGE_TOO_LARGE before the host starts', async () => {
    const limit = protocolJson.limits.browserToHostMaxBytes;
    const response = await responseOn(send(pageRequest('listReaders', {data: 'x'.repeat(limit)})));
    assert.equal(response.error.code, 'MESSAGE_TOO_LARGE');
    assert.equal(response.error.limit, limit);
    assert.equal(api.nativePorts.length, 0);
  });

  test('signRenewal data over the limit its signature kind can answer is refused before any host or window', async () => {
    const attached = protocolJson.limits.signRenewalAttachedDataMaxBytes;
    // base64 of attached + 1 bytes (3 bytes per 4 characters, padded).
    const overAttached = 'A'.repeat(Math.ceil((attached + 1) / 3) * 4);
    const response = await responseOn(send(pageRequest('signRenewal', {data: overAttached})));
    assert.equal(response.error.code, 'BAD_REQUEST');
    assert.equal(response.error.field, 'params.data');
    assert.equal(response.error.limit, attached);
    const detached = protocolJson.limits.signRenewalDetachedDataMaxBytes;
    const overDetached = 'A'.repeat(Math.ceil((detached + 1) / 3) * 4);
    const refused = await responseOn(send(pageRequest('signRenewal', {data: overDetached, detached: true})));
    assert.equal(refused.error.limit, detached);
    assert.equal(api.nativePorts.length, 0, 'no host started, so no window either');
  });

  test('an RSA key size protocol.json does not allow is BAD_REQUEST before any host or window', async () => {
    assert.deepEqual(protocolJson.limits.rsaKeySizes, [2048, 3072, 4096]);
    for (const command of ['generateKeyPair', 'generateSoftwareKey']) {
      for (const keySize of [1024, 2047, '2048', 8192]) {
        const keys = [{usage: 'signing'}, {usage: 'encryption', keySize}];
        const response = await responseOn(send(pageRequest(command, {subject: [{type: 'CN', value: 'A'}], keys})));
        assert.equal(response.error.code, 'BAD_REQUEST', `${command} ${keySize}`);
        assert.equal(response.error.field, 'params.keys[1].keySize');
        assert.deepEqual(response.error.keySizes, protocolJson.limits.rsaKeySizes);
      }
    }
    assert.equal(api.nativePorts.length, 0, 'no host started, so no window either');
  });

  test('signRenewal data within the limit goes on to the host', async () => {
    const attached = protocolJson.limits.signRenewalAttachedDataMaxBytes;
    send(pageRequest('signRenewal', {data: 'A'.repeat(attached / 3 * 4)}));
    for (let i = 0; i < 200 && api.nativePorts.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(api.nativePorts.length, 1);
  });

  test('multi-byte text counts in UTF-8 bytes', async () => {
    const limit = protocolJson.limits.browserToHostMaxBytes;
    const response = await responseOn(send(pageRequest('listReaders', {data: '憑'.repeat(Math.ceil(limit / 3))})));
    assert.equal(response.error.code, 'MESSAGE_TOO_LARGE');
  });
});

describe('host missing, failing or incompatible', () => {
  const missing = {
    Chromium: {chromiumError: 'Specified native messaging host not found.'},
    Firefox: {firefoxError: `No such native application ${protocolJson.nativeHostName}`},
  };
  for (const [browser, closing] of Object.entries(missing)) {
    test(`${browser}: status() is NATIVE_UNAVAILABLE with the extension's row`, async () => {
      api.onConnectNative = (port) => setImmediate(() => port.closeFromPeer(closing));
      const response = await responseOn(send(pageRequest('status')));
      assert.equal(response.ok, false);
      assert.equal(response.error.code, 'NATIVE_UNAVAILABLE');
      assert.equal(response.error.message, messagesJson.errors.NATIVE_UNAVAILABLE.message.en);
      assert.deepEqual(response.error.extension, EXTENSION_ROW);
    });
  }

  test('Chromium, host installed but not for our ID (or blocked by policy): its own cause, message and fix', async () => {
    api.onConnectNative = (port) => setImmediate(() =>
      port.closeFromPeer({chromiumError: 'Access to the specified native messaging host is forbidden.'}));
    const response = await responseOn(send(pageRequest('status')));
    assert.equal(response.error.code, 'NATIVE_UNAVAILABLE');
    assert.equal(response.error.cause, 'forbidden');
    const forbidden = messagesJson.errors.NATIVE_UNAVAILABLE.causes.forbidden;
    assert.equal(response.error.message, forbidden.message.en);
    assert.notEqual(forbidden.message.en, messagesJson.errors.NATIVE_UNAVAILABLE.message.en, 'not "not found"');
    assert.deepEqual(response.error.extension, EXTENSION_ROW);
    for (const [browser, closing] of Object.entries(missing)) {
      api.onConnectNative = (port) => setImmediate(() => port.closeFromPeer(closing));
      const notInstalled = await responseOn(send(pageRequest('status')));
      assert.equal(notInstalled.error.cause, undefined, browser);
    }
  });

  test('Chromium, our host blocked by policy (NativeMessagingBlocklist): cause "policy", its own message and fix', async () => {
    api.onConnectNative = (port) => setImmediate(() =>
      port.closeFromPeer({chromiumError: 'Access to the native messaging host was disabled by the system administrator.'}));
    const response = await responseOn(send(pageRequest('listReaders')));
    assert.equal(response.error.code, 'NATIVE_UNAVAILABLE');
    assert.equal(response.error.cause, 'policy');
    const {policy, forbidden} = messagesJson.errors.NATIVE_UNAVAILABLE.causes;
    assert.equal(response.error.message, policy.message.en);
    assert.match(policy.fix.en, /NativeMessagingAllowlist/);
    assert.notEqual(policy.message.en, forbidden.message.en);
  });

  test('environment() also carries the extension row when the host is missing', async () => {
    api.onConnectNative = (port) => setImmediate(() => port.closeFromPeer(missing.Chromium));
    const response = await responseOn(send(pageRequest('environment')));
    assert.equal(response.error.code, 'NATIVE_UNAVAILABLE');
    const {policy, ...row} = response.error.extension;
    assert.deepEqual(row, EXTENSION_ROW);
    assert.deepEqual(policy, {managed: false, keys: [], mode: 'extend', allowLoopbackHttp: true, ignored: []});
  });

  test('a host that crashes after its hello is INTERNAL_ERROR', async () => {
    api.onConnectNative = host({answer: (request, port) => setImmediate(() => port.closeFromPeer({chromiumError: 'Native host has exited.'}))});
    const response = await responseOn(send(pageRequest('listReaders')));
    assert.equal(response.error.code, 'INTERNAL_ERROR');
    assert.equal(response.error.reason, 'Native host has exited.');
  });

  test('a host with another protocol version is PROTOCOL_MISMATCH and gets no request', async () => {
    const oldHello = {...HELLO, protocol: protocolJson.protocolVersion + 1};
    api.onConnectNative = host({hello: oldHello});
    const response = await responseOn(send(pageRequest('listReaders')));
    assert.equal(response.error.code, 'PROTOCOL_MISMATCH');
    assert.deepEqual(response.error.host, oldHello);
    assert.equal(api.nativePorts[0].posted.length, 0);
    assert.equal(api.nativePorts[0].disconnected, true);
  });

  test('status() with another protocol version answers both versions instead of failing', async () => {
    const oldHello = {...HELLO, protocol: protocolJson.protocolVersion + 1};
    api.onConnectNative = host({hello: oldHello});
    const response = await responseOn(send(pageRequest('status')));
    assert.equal(response.ok, true);
    assert.deepEqual(response.result, {host: oldHello, extension: EXTENSION_ROW});
  });

  test('a host that does not start with a hello is PROTOCOL_MISMATCH', async () => {
    api.onConnectNative = (port) => setImmediate(() => port.deliver({id: 'x', ok: true, result: {}}));
    const response = await responseOn(send(pageRequest('listReaders')));
    assert.equal(response.error.code, 'PROTOCOL_MISMATCH');
  });

  test('a host that never says hello is INTERNAL_ERROR after the hello timeout, and its port is closed', async () => {
    api.onConnectNative = () => {};
    const response = await responseOn(send(pageRequest('listReaders')));
    assert.equal(response.error.code, 'INTERNAL_ERROR');
    assert.match(response.error.reason, /hello/);
    assert.equal(api.nativePorts[0].disconnected, true);
  });

  test('host errors keep their details and get the catalogue text in the browser language', async () => {
    api.setUiLanguage('zh-TW');
    api.onConnectNative = host({answer: (request, port) => setImmediate(() => port.deliver(
      {id: request.id, ok: false, error: {code: 'PIN_INCORRECT', message: 'The PIN is incorrect.', triesLeft: 2}}))});
    const response = await responseOn(send(pageRequest('listReaders')));
    assert.deepEqual(response.error, {code: 'PIN_INCORRECT', message: messagesJson.errors.PIN_INCORRECT.message['zh-TW'], triesLeft: 2});
  });

  test('a non-Chinese browser language gets English text', async () => {
    api.setUiLanguage('de-DE');
    const response = await responseOn(send(pageRequest('nope')));
    assert.equal(response.error.message, messagesJson.errors.UNKNOWN_COMMAND.message.en);
  });

  test('the host\'s answer to a request it could not parse (id null) reaches the page', async () => {
    api.onConnectNative = host({answer: (request, port) => setImmediate(() => port.deliver(
      {id: null, ok: false, error: {code: 'BAD_REQUEST', message: 'bad'}}))});
    const response = await responseOn(send(pageRequest('listReaders')));
    assert.equal(response.error.code, 'BAD_REQUEST');
  });
});

describe('relay, progress and cancel', () => {
  test('progress messages reach the page before the response; the host port is closed afterwards', async () => {
    api.onConnectNative = host({answer: (request, port) => setImmediate(() => {
      port.deliver({id: request.id, progress: {stage: 'reading'}});
      port.deliver({id: 'someone-else', progress: {stage: 'ignored'}});
      port.deliver({id: request.id, ok: true, result: {readers: [{name: 'Virtual PCD 00 00'}]}});
    })});
    const port = send(pageRequest('listReaders'));
    assert.deepEqual(await port.nextPosted(), {type: 'progress', id: 'req-1', progress: {stage: 'reading'}});
    const response = await port.nextPosted();
    assert.equal(response.type, 'response');
    assert.deepEqual(response.result.readers, [{name: 'Virtual PCD 00 00'}]);
    assert.equal(api.nativePorts[0].disconnected, true);
  });

  test('cancel from the page sends cancel to the host and relays its USER_CANCELLED', async () => {
    let requestSeen;
    const seen = new Promise((resolve) => { requestSeen = resolve; });
    api.onConnectNative = host({answer: (message, port) => {
      if (message.command !== 'cancel') {
        requestSeen();
        return;
      }
      setImmediate(() => {
        port.deliver({id: message.id, ok: true, result: {}});
        port.deliver({id: message.params.target, ok: false, error: {code: 'USER_CANCELLED', message: 'cancelled'}});
      });
    }});
    const port = send(pageRequest('environment'));
    await seen;
    port.deliver({type: 'cancel', id: 'req-1'});
    const response = await responseOn(port);
    assert.equal(response.error.code, 'USER_CANCELLED');
    const cancel = api.nativePorts[0].posted[1];
    assert.equal(cancel.command, 'cancel');
    assert.deepEqual(cancel.params, {target: 'req-1'});
    assert.equal(cancel.origin, ALLOWED);
    assert.match(cancel.id, /^[A-Za-z0-9_-]{1,64}$/);
    assert.equal(port.posted.filter((message) => message.type === 'response').length, 1, 'one response only');
  });

  test('a closed page port sends cancel to the host; a silent host is disconnected after the cancel timeout', async () => {
    let requestSeen;
    const seen = new Promise((resolve) => { requestSeen = resolve; });
    api.onConnectNative = host({answer: (message) => { if (message.command === 'environment') requestSeen(); }});
    const port = send(pageRequest('environment'));
    await seen;
    port.closeFromPeer();
    const native = api.nativePorts[0];
    assert.equal(native.posted[1].command, 'cancel');
    assert.deepEqual(native.posted[1].params, {target: 'req-1'});
    assert.equal(native.disconnected, false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(native.disconnected, true);
    assert.equal(port.posted.length, 0, 'nothing is posted to a closed port');
  });

  test('cancel before the host has said hello closes the host port and answers USER_CANCELLED', async () => {
    api.onConnectNative = () => {};
    const port = send(pageRequest('listReaders'));
    await new Promise((resolve) => setImmediate(resolve));
    port.deliver({type: 'cancel', id: 'req-1'});
    const response = await responseOn(port);
    assert.equal(response.error.code, 'USER_CANCELLED');
    assert.equal(api.nativePorts[0].disconnected, true);
  });

  test('request params are never logged', async () => {
    const logged = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug']) {
      mock.method(console, method, (...args) => logged.push(args));
    }
    api.onConnectNative = host({answer: (request, port) => setImmediate(() => port.closeFromPeer({chromiumError: 'Native host has exited.'}))});
    await responseOn(send(pageRequest('listReaders', {secret: 'PIN-123456'})));
    assert.ok(!JSON.stringify(logged).includes('PIN-123456'));
  });
});

describe('user secrets never come from the page', () => {
  const withSecrets = Object.entries(protocolJson.commands).filter(([, facts]) => facts.userSecrets.length > 0);

  test('protocol.json names user secrets (so the tests below test something)', () => {
    assert.ok(withSecrets.length > 0);
  });

  for (const [command, {userSecrets}] of withSecrets) {
    for (const key of userSecrets) {
      test(`${command} with params.${key} is BAD_REQUEST naming the field, and the host is never started`, async () => {
        api.onConnectNative = host({answer: ok({})});
        for (const value of [['123456'], '123456', null, '']) {
          const response = await responseOn(send(pageRequest(command, {reader: 'R', [key]: value})));
          assert.equal(response.ok, false);
          assert.equal(response.error.code, 'BAD_REQUEST');
          assert.equal(response.error.message, messagesJson.errors.BAD_REQUEST.message.en);
          assert.equal(response.error.reason, 'PINs are typed into the CertBridge window, never sent by the page');
          assert.equal(response.error.field, `params.${key}`);
        }
        assert.equal(api.nativePorts.length, 0);
      });
    }
  }

  test('the same command without the secret reaches the host, with the PINs typed in the window', async () => {
    api.onConnectNative = host({answer: (request, port) => ok(request.command === 'environment' ? cardEnvironment()
      : {pinGroup: 0, pinName: 'PIN 1', pinState: {state: 'ok', triesLeft: 3}})(request, port)});
    const port = send(pageRequest('changePin', {pinGroup: 0}));
    const response = await responseOn(port);
    assert.equal(response.ok, true);
    const [checked, environment, changePin] = api.nativePorts[0].posted;
    assert.deepEqual(checked.params, {command: 'changePin', params: {pinGroup: 0}}, 'the page params, no secret');
    assert.equal(environment.command, 'environment');
    assert.deepEqual(changePin.params, {pinGroup: 0, pin: TEST_PIN, newPin: NEW_PIN});
    assert.ok(!JSON.stringify(port.posted).includes(TEST_PIN), 'the page never sees a PIN');
  });
});

describe('keepsHostFor: unblockRequest keeps its host process for unblockPin', () => {
  const AUTHORIZATION = {version: 1, requestId: '0'.repeat(32), raPublicKey: 'MFkw', iv: 'AAAA', ciphertext: 'AQID', tag: 'BAUG'};
  const PIN_RESULT = {pinGroup: 0, pinName: 'PIN 1', pinState: {state: 'ok', triesLeft: 3}};

  test('protocol.json: unblockRequest keeps its host for unblockPin', () => {
    assert.equal(protocolJson.commands.unblockRequest.keepsHostFor, 'unblockPin');
  });

  /**
   * A host process like the real one: unblockRequest makes a key that lives in this process only (its
   * requestId names the port), unblockPin succeeds only in the process that made it, once.
   */
  function unblockingHost() {
    return host({answer: (request, port) => setImmediate(() => {
      if (request.command === 'environment') {
        port.deliver({id: request.id, ok: true, result: cardEnvironment()});
      } else if (request.command === 'unblockRequest') {
        port.requestId = `request-${api.nativePorts.indexOf(port)}`;
        port.deliver({id: request.id, ok: true, result: {requestId: port.requestId, pinGroup: 0}});
      } else if (request.command === 'unblockPin') {
        if (!port.requestId) {
          port.deliver({id: request.id, ok: false, error: {code: 'UNBLOCK_AUTHORIZATION_INVALID', message: 'invalid', reason: 'noRequest'}});
          return;
        }
        port.requestId = null;
        port.deliver({id: request.id, progress: {stage: 'login'}});
        port.deliver({id: request.id, ok: true, result: PIN_RESULT});
      } else if (request.command !== 'cancel') {
        port.deliver({id: request.id, ok: true, result: {certificates: []}});
      }
    })});
  }

  const tab = (id, origin = ALLOWED) => ({...pageSender(origin), tab: {id}});
  const unblockRequest = (id, sender = tab(7)) => responseOn(send(pageRequest('unblockRequest', {}, {id}), {sender}));
  const unblockPin = (id, sender = tab(7)) => {
    const port = send(pageRequest('unblockPin', {authorization: AUTHORIZATION}, {id}), {sender});
    return {port, response: responseOn(port)};
  };

  test('unblockPin from the same tab and origin goes to the same host process; its port closes after the answer', async () => {
    api.onConnectNative = unblockingHost();
    const first = await unblockRequest('req-1');
    assert.equal(first.result.requestId, 'request-0');
    const [native] = api.nativePorts;
    assert.equal(native.disconnected, false, 'parked, not closed');

    const {port, response} = unblockPin('req-2');
    await response;
    assert.deepEqual(port.posted, [
      {type: 'waiting', id: 'req-2', waiting: true},
      {type: 'waiting', id: 'req-2', waiting: false},
      {type: 'progress', id: 'req-2', progress: {stage: 'login'}},
      {type: 'response', id: 'req-2', ok: true, result: PIN_RESULT},
    ]);
    assert.equal(api.nativePorts.length, 1, 'connectNative once');
    assert.deepEqual(native.posted.map((message) => [message.command, message.origin]),
      [['unblockRequest', ALLOWED], ['checkParams', ALLOWED], ['environment', ALLOWED], ['unblockPin', ALLOWED]]);
    assert.deepEqual(native.posted.map((message) => message.id).filter((id) => id.startsWith('req-')), ['req-1', 'req-2']);
    assert.deepEqual(native.posted[3].params, {authorization: AUTHORIZATION, newPin: NEW_PIN}, 'the new PIN from the window');
    assert.equal(native.disconnected, true);
  });

  test('a second unblockPin after that gets a fresh host (the parked one was used once)', async () => {
    api.onConnectNative = unblockingHost();
    await unblockRequest('req-1');
    assert.equal((await unblockPin('req-2').response).ok, true);
    const again = await unblockPin('req-3').response;
    assert.equal(again.error.code, 'UNBLOCK_AUTHORIZATION_INVALID');
    assert.equal(api.nativePorts.length, 2);
  });

  for (const [what, sender] of [['another tab', tab(8)], ['another origin in the same tab', tab(7, 'https://other.certbridge.example')]]) {
    test(`unblockPin from ${what} gets a fresh host (which has no request) and leaves the parked one alone`, async () => {
      service = makeService({policy: async () => ({allows: () => true})});
      api.onConnectNative = unblockingHost();
      await unblockRequest('req-1');
      const response = await unblockPin('req-2', sender).response;
      assert.equal(response.error.code, 'UNBLOCK_AUTHORIZATION_INVALID');
      assert.equal(response.error.reason, 'noRequest');
      assert.equal(api.nativePorts.length, 2);
      assert.equal(api.nativePorts[0].posted.length, 1, 'nothing sent to the parked host');
      assert.equal(api.nativePorts[0].disconnected, false);
      assert.equal(api.nativePorts[1].disconnected, true);
      assert.equal((await unblockPin('req-3').response).ok, true, 'the right page still finds it');
    });
  }

  test('other commands from the same tab do not take the parked host', async () => {
    api.onConnectNative = unblockingHost();
    await unblockRequest('req-1');
    assert.equal((await responseOn(send(pageRequest('listCertificates', {}, {id: 'req-2'}), {sender: tab(7)}))).ok, true);
    assert.equal(api.nativePorts.length, 2);
    assert.equal(api.nativePorts[0].disconnected, false);
    assert.equal((await unblockPin('req-3').response).ok, true);
    assert.equal(api.nativePorts[0].posted.at(-1).command, 'unblockPin');
  });

  test('the parked host is closed after its lifetime; unblockPin then gets a fresh one', async () => {
    service = makeService({parkedLifetimeMs: 30});
    api.onConnectNative = unblockingHost();
    await unblockRequest('req-1');
    const [parked] = api.nativePorts;
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(parked.disconnected, false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(parked.disconnected, true);
    const response = await unblockPin('req-2').response;
    assert.equal(response.error.reason, 'noRequest');
    assert.equal(parked.posted.length, 1);
  });

  test('the default lifetime is the host\'s unblockAuthorizationLifetimeMs', async () => {
    // Only setTimeout is faked: the fake host still answers through setImmediate.
    mock.timers.enable({apis: ['setTimeout']});
    service = createRequestService({api, policy: currentPolicy, extensionInfo: async () => EXTENSION_ROW,
      language: () => 'en'});
    api.onConnectNative = unblockingHost();
    assert.equal((await unblockRequest('req-1')).ok, true);
    const [parked] = api.nativePorts;
    mock.timers.tick(protocolJson.timeouts.unblockAuthorizationLifetimeMs - 1);
    assert.equal(parked.disconnected, false);
    mock.timers.tick(1);
    assert.equal(parked.disconnected, true);
  });

  test('a new unblockRequest from the same tab and origin closes and replaces the parked host', async () => {
    api.onConnectNative = unblockingHost();
    await unblockRequest('req-1');
    const second = await unblockRequest('req-2');
    assert.equal(second.result.requestId, 'request-1');
    const [old, current] = api.nativePorts;
    assert.equal(old.disconnected, true);
    assert.equal(current.disconnected, false);
    assert.equal((await unblockPin('req-3').response).ok, true);
    assert.equal(current.posted.at(-1).command, 'unblockPin');
    assert.equal(api.nativePorts.length, 2);
  });

  test('a parked host that goes away is forgotten: unblockPin gets a fresh host, and the page hears nothing else', async () => {
    api.onConnectNative = unblockingHost();
    const port = send(pageRequest('unblockRequest'), {sender: tab(7)});
    await responseOn(port);
    api.nativePorts[0].closeFromPeer({chromiumError: 'Native host has exited.'});
    const response = await unblockPin('req-2').response;
    assert.equal(response.error.reason, 'noRequest');
    assert.equal(api.nativePorts.length, 2);
    assert.equal(port.posted.length, 1, 'one response only');
  });

  test('a failed unblockRequest closes its host', async () => {
    api.onConnectNative = host({answer: (request, port) => setImmediate(() => port.deliver(
      {id: request.id, ok: false, error: {code: 'NO_CARD', message: 'no card'}}))});
    assert.equal((await unblockRequest('req-1')).error.code, 'NO_CARD');
    assert.equal(api.nativePorts[0].disconnected, true);
  });

  test('cancel works for unblockPin on the parked host', async () => {
    let pinSeen;
    const seen = new Promise((resolve) => { pinSeen = resolve; });
    api.onConnectNative = host({answer: (message, port) => {
      if (message.command === 'unblockRequest') ok({requestId: 'r'})(message, port);
      else if (message.command === 'environment') ok(cardEnvironment())(message, port);
      else if (message.command === 'checkParams') ok({valid: true})(message, port);
      else if (message.command === 'unblockPin') pinSeen();
      else if (message.command === 'cancel') {
        setImmediate(() => port.deliver({id: message.params.target, ok: false, error: {code: 'USER_CANCELLED', message: 'cancelled'}}));
      }
    }});
    await unblockRequest('req-1');
    const {port, response} = unblockPin('req-2');
    await seen;
    port.deliver({type: 'cancel', id: 'req-2'});
    assert.equal((await response).error.code, 'USER_CANCELLED');
    const [native] = api.nativePorts;
    assert.equal(api.nativePorts.length, 1);
    assert.deepEqual(native.posted.map((message) => message.command), ['unblockRequest', 'checkParams', 'environment', 'unblockPin', 'cancel']);
    assert.deepEqual(native.posted[4].params, {target: 'req-2'});
    assert.equal(native.disconnected, true);
  });
});
