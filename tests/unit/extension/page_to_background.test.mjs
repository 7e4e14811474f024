// The page library, the content script and the background together, as a portal page sees them: the
// page's window, the content script in its own VM context, runtime ports linked to the request service,
// and a scripted host behind connectNative.

import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeEach, describe, test} from 'node:test';
import vm from 'node:vm';

import {builtExtension, builtPageLibrary, extensionDir, messagesJson, protocolJson} from './helpers/build_output.mjs';
import {autoConsent, cardEnvironment, NEW_PIN} from './helpers/fake_consent_window.mjs';
import {fakeExtensionApi, FakePort, pageSender} from './helpers/fake_extension_api.mjs';
import {FakeWindow} from './helpers/fake_window.mjs';

const ORIGIN = 'https://ra.certbridge.example';
const HELLO = {name: 'certbridge-host', version: '0.1.0', protocol: protocolJson.protocolVersion};
globalThis.document = {documentElement: {lang: 'en'}};

const {certbridge, CertBridgeError} = await builtPageLibrary('certbridge.js');
const {createRequestService} = await builtExtension('request_service.js');
const {currentPolicy} = await builtExtension('policy.js');

/** The page's window: a new one per test, so that each test has one content script (the page library follows `window`). */
let page;
let api;
let service;
/** Every runtime port the content script opened, as the background sees it. */
let backgroundPorts;

/** Links two fake ports: what one end posts reaches the other asynchronously, and so does disconnect. */
function link(one, other) {
  one.onPost = (message) => setImmediate(() => {
    if (!other.disconnected) other.deliver(message);
  });
  one.disconnect = () => {
    if (one.disconnected) return;
    one.disconnected = true;
    setImmediate(() => {
      if (!other.disconnected) other.closeFromPeer();
    });
  };
}

beforeEach(() => {
  page = new FakeWindow(ORIGIN);
  globalThis.window = page;
  api = fakeExtensionApi();
  backgroundPorts = [];
  service = createRequestService({
    api,
    policy: currentPolicy,
    extensionInfo: async () => ({version: '0.1.0', browser: {name: 'Chromium', version: '156.0'}, protocol: protocolJson.protocolVersion}),
    language: () => 'en',
    parkedLifetimeMs: 200,
  });
  // The content script's runtime.connect reaches the background's onConnect with the page as sender.
  api.runtime.connect = ({name}) => {
    const scriptEnd = new FakePort(api, name);
    const backgroundEnd = new FakePort(api, name, pageSender(ORIGIN));
    link(scriptEnd, backgroundEnd);
    link(backgroundEnd, scriptEnd);
    backgroundPorts.push(backgroundEnd);
    service.handleConnect(backgroundEnd);
    return scriptEnd;
  };
  autoConsent(api, service);
  const context = vm.createContext({window: page, chrome: api});
  for (const name of ['content_protocol.js', 'content_script.js']) {
    vm.runInContext(readFileSync(join(extensionDir, name), 'utf8'), context, {filename: name});
  }
});

/** A host that says hello and answers each request with `answer(request)` ({ok, result} or {ok, error}). */
function host(answer) {
  api.onConnectNative = (port) => {
    setImmediate(() => port.deliver({hello: HELLO}));
    port.onPost = (request) => setImmediate(() => port.deliver({id: request.id, ...answer(request)}));
  };
}

describe('page library -> content script -> background', () => {
  test('a page that passes pins to the page library gets BAD_REQUEST naming the field; no host is started', async () => {
    host(() => ({ok: true, result: {}}));
    const params = {subject: [{type: 'CN', value: '王小明'}], keys: [{usage: 'signing'}], pins: ['123456']};
    const error = await certbridge.generateKeyPair(params).catch((thrown) => thrown);
    assert.ok(error instanceof CertBridgeError);
    assert.equal(error.code, 'BAD_REQUEST');
    assert.equal(error.message, messagesJson.errors.BAD_REQUEST.message.en);
    assert.equal(error.details.field, 'params.pins');
    assert.equal(error.details.reason, 'PINs are typed into the CertBridge window, never sent by the page');
    assert.equal(api.nativePorts.length, 0);
    // The page library sent them as given: the refusal is the extension's.
    assert.deepEqual(page.posted.find(({data}) => data.type === 'request').data.params, params);
  });

  test('changePin with pin and newPin, and unblockPin with newPin, are refused the same way', async () => {
    host(() => ({ok: true, result: {}}));
    await assert.rejects(certbridge.changePin({pin: '1234', newPin: '5678'}), (error) => error.details.field === 'params.pin');
    await assert.rejects(certbridge.unblockPin({authorization: {}, newPin: '5678'}), (error) => error.details.field === 'params.newPin');
    assert.equal(api.nativePorts.length, 0);
  });

  test('unblockRequest then unblockPin from the page use one host process', async () => {
    const PIN_RESULT = {pinGroup: 0, pinName: 'PIN 1', pinState: {state: 'ok', triesLeft: 3}};
    host((request) => ({
      unblockRequest: {ok: true, result: {requestId: 'a'.repeat(32), pinGroup: 0}},
      environment: {ok: true, result: cardEnvironment()},
    })[request.command] ?? {ok: true, result: PIN_RESULT});
    const step1 = await certbridge.unblockRequest();
    const authorization = {version: 1, requestId: step1.requestId, raPublicKey: 'MFkw', iv: 'AAAA', ciphertext: 'AQID', tag: 'BAUG'};
    assert.deepEqual(await certbridge.unblockPin({authorization}), PIN_RESULT);
    assert.equal(api.nativePorts.length, 1);
    assert.deepEqual(api.nativePorts[0].posted.map((message) => message.command), ['unblockRequest', 'checkParams', 'environment', 'unblockPin']);
    assert.equal(api.nativePorts[0].posted[3].params.newPin, NEW_PIN, 'typed in the window');
    assert.ok(!JSON.stringify(page.posted).includes(NEW_PIN), 'the page never sees it');
    assert.equal(api.nativePorts[0].disconnected, true);
    assert.equal(backgroundPorts.length, 2, 'each request had its own runtime port');
  });
});
