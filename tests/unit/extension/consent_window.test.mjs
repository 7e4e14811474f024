// The consent and PIN window, as the background runs it (request_service.js + consent_window.js), with a
// fake WebExtension API: which commands open it (from protocol.json), what it is told, that the host gets
// the command only after OK and with the window's PINs, that the page never sees a PIN, Cancel / Escape /
// closing the window, a wrong PIN asked again, a locked PIN, pin-pad readers.

import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, mock, test} from 'node:test';

import {builtExtension, messagesJson, protocolJson, repoRoot} from './helpers/build_output.mjs';
import {answerFor, cardEnvironment, consentWindows, CONSENT_PORT_NAME, NEW_PIN, ORPHAN_KEY_ID, READER, TEST_PIN,
  TOKEN_LABEL} from './helpers/fake_consent_window.mjs';
import {EXTENSION_ID, fakeExtensionApi, FakePort, pageSender} from './helpers/fake_extension_api.mjs';

const {createRequestService, REQUEST_PORT_NAME} = await builtExtension('request_service.js');
const {currentPolicy} = await builtExtension('policy.js');

const ORIGIN = 'https://ra.certbridge.example';
const HELLO = {name: 'certbridge-host', version: '0.1.0', protocol: protocolJson.protocolVersion};
const USER_CERTIFICATE = readFileSync(join(repoRoot, 'tests/unit/extension/fixtures/user-certificate.pem'), 'utf8');
const WRONG_PIN = '000000';

/** Params a portal would send for each command (the fake host does not check them). */
const PAGE_PARAMS = {
  status: {},
  environment: {},
  listReaders: {},
  listCertificates: {},
  generateKeyPair: {subject: [{type: 'C', value: 'TW'}, {type: 'CN', value: '王小明'}], keys: [{usage: 'signing', keySize: 2048}]},
  writeCertificates: {certificates: [USER_CERTIFICATE]},
  signRenewal: {data: 'AAECAwQ='},
  authenticate: {challenge: 'AAECAwQFBgcICQoLDA0ODw=='},
  changePin: {},
  unblockRequest: {},
  unblockPin: {authorization: {version: 1, requestId: '0'.repeat(32), raPublicKey: 'MFkw', iv: 'AAAA', ciphertext: 'AQID', tag: 'BAUG'}},
  removeKeys: {keyIds: [ORPHAN_KEY_ID]},
  registerCertificates: {},
  unregisterCertificates: {},
  generateSoftwareKey: {subject: [{type: 'CN', value: '王小明'}], keys: [{usage: 'signing'}]},
  installCertificates: {certificates: [USER_CERTIFICATE]},
  exportPkcs12: {},
  importPkcs12: {},
  changePkcs12Password: {},
};
const PAGE_COMMANDS = Object.keys(protocolJson.commands).filter((command) => protocolJson.commands[command].hostOnly !== true);
const CONSENT_COMMANDS = PAGE_COMMANDS.filter((command) => protocolJson.commands[command].changesCard ||
  protocolJson.commands[command].changesStore || protocolJson.commands[command].userSecrets.length > 0);
// The software-certificate commands work on this computer's key store: no card is read before their window
// (software_consent.test.mjs has the rest of their story: passwords, the file, downloads).
const STORE_COMMANDS = ['generateSoftwareKey', 'installCertificates', 'exportPkcs12', 'importPkcs12', 'changePkcs12Password'];
// Their results carry PKCS#12 files, saved through the downloads API (software_consent.test.mjs).
const SAVES_FILES = ['exportPkcs12', 'changePkcs12Password'];

let api;
let service;
let windows;
/** What the fake host does with each command: (request, port) => void; environment answers by default. */
let answers;
let environment;

/** A request service over the fake API with short timeouts (options: what a test changes), and its windows. */
function startService(options = {parkedLifetimeMs: 200}) {
  service = createRequestService({
    api,
    policy: currentPolicy,
    extensionInfo: async () => ({version: '0.1.0', browser: {name: 'Chromium', version: '156.0'}, protocol: 1}),
    language: () => 'en',
    helloTimeoutMs: 200,
    cancelTimeoutMs: 50,
    ...options,
  });
  windows = consentWindows(api, service);
}

beforeEach(() => {
  api = fakeExtensionApi();
  startService();
  environment = cardEnvironment();
  answers = {};
  api.onConnectNative = (port) => {
    setImmediate(() => port.deliver({hello: HELLO}));
    port.onPost = (request) => {
      const answer = answers[request.command] ??
        (request.command === 'environment' ? reply({ok: true, result: environment}) : reply({ok: true, result: {done: request.command}}));
      answer(request, port);
    };
  };
});

afterEach(() => {
  mock.restoreAll();
});

/** A host answer: the given body for the request, after the event loop turns. */
function reply(body) {
  return (request, port) => setImmediate(() => port.deliver({id: request.id, ...body}));
}

/** What the host was sent, every native port together. */
const hostCommands = () => api.nativePorts.flatMap((port) => port.posted.map((message) => message.command));
const hostRequests = (command) => api.nativePorts.flatMap((port) => port.posted.filter((message) => message.command === command));

function send(command, params = PAGE_PARAMS[command], {id = 'req-1', origin = ORIGIN, tab = 7} = {}) {
  const port = new FakePort(api, REQUEST_PORT_NAME, {...pageSender(origin), tab: {id: tab}});
  assert.equal(service.handleConnect(port), true);
  port.deliver({ns: 'certbridge', dir: 'to-extension', type: 'request', id, command, params});
  return port;
}

async function responseOn(port) {
  for (;;) {
    const message = await port.nextPosted();
    if (message.type === 'response') return message;
  }
}

/** The next consent window and its `show`. */
async function nextWindow() {
  const window = await windows.next();
  return {window, show: await window.next('show')};
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('which commands open the window (protocol.json changesCard / userSecrets)', () => {
  test('protocol.json has such commands, and the test knows params for every command', () => {
    assert.ok(CONSENT_COMMANDS.length >= 6, CONSENT_COMMANDS.join(', '));
    for (const command of PAGE_COMMANDS) assert.ok(PAGE_PARAMS[command], command);
  });

  for (const command of CONSENT_COMMANDS.filter((name) => !STORE_COMMANDS.includes(name))) {
    test(`${command}: the window opens before anything of the command reaches the host`, async () => {
      const page = send(command);
      const {window, show} = await nextWindow();
      const [created] = api.createdWindows;
      assert.equal(created.type, 'popup');
      assert.match(created.url, new RegExp(`^chrome-extension://${EXTENSION_ID}/consent/consent\\.html\\?session=[0-9a-f-]{36}$`));
      assert.equal(window.taken, true);
      assert.equal(show.origin, ORIGIN, 'the origin the browser reported');
      assert.equal(show.command, command);
      assert.deepEqual(show.params, PAGE_PARAMS[command]);
      assert.equal(show.card.reader, READER);
      assert.equal(show.card.label, TOKEN_LABEL);
      assert.deepEqual(show.card.pins.map((pin) => [pin.name, pin.minLength, pin.maxLength, pin.triesLeft]), [['PIN', 6, 16, 3]]);
      await tick();
      assert.deepEqual(hostCommands(), ['checkParams', 'environment'], 'only the card facts were read');
      assert.deepEqual(page.posted.map(({type, waiting}) => ({type, waiting})), [{type: 'waiting', waiting: true}],
        'the page is still waiting, and knows it waits for the user (its timeout stands still)');
      window.cancel();
      await responseOn(page);
    });
  }

  for (const command of STORE_COMMANDS) {
    test(`${command}: the window opens at once, showing the key store and no card; nothing reaches the host`, async () => {
      const page = send(command);
      const {window, show} = await nextWindow();
      assert.equal(window.taken, true);
      assert.equal(show.origin, ORIGIN);
      assert.equal(show.command, command);
      assert.deepEqual(show.params, PAGE_PARAMS[command]);
      assert.equal(show.card, null, 'no card is looked for');
      assert.deepEqual(show.store, {kind: 'software'});
      await tick();
      assert.deepEqual(hostCommands(), [], 'not even the environment: no card is needed');
      assert.deepEqual(page.posted.map(({type, waiting}) => ({type, waiting})), [{type: 'waiting', waiting: true}]);
      window.cancel();
      assert.equal((await responseOn(page)).error.code, 'USER_CANCELLED');
      assert.deepEqual(hostCommands(), []);
    });
  }

  test('the store commands are exactly the consent commands that take a store secret', () => {
    const storeSecrets = ['storePassword', 'password', 'newPassword', 'file'];
    assert.deepEqual(CONSENT_COMMANDS.filter((command) => !protocolJson.commands[command].userSecrets.includes('pins') &&
      protocolJson.commands[command].userSecrets.some((secret) => storeSecrets.includes(secret))), STORE_COMMANDS);
  });

  for (const command of PAGE_COMMANDS.filter((name) => !CONSENT_COMMANDS.includes(name))) {
    test(`${command}: no window, straight to the host`, async () => {
      const response = await responseOn(send(command));
      assert.equal(response.ok, true, JSON.stringify(response));
      assert.equal(api.createdWindows.length, 0);
      assert.deepEqual(hostCommands(), [command]);
    });
  }

  test('what is asked: pins for card commands, current and new PIN for changePin, a new PIN for unblockPin', async () => {
    const asked = {};
    for (const command of CONSENT_COMMANDS) {
      const page = send(command, PAGE_PARAMS[command], {id: `req-${command}`});
      const {window, show} = await nextWindow();
      asked[command] = show.ask;
      window.cancel();
      await responseOn(page);
    }
    assert.deepEqual(asked, {
      generateKeyPair: {kind: 'pins', groups: [0]},
      writeCertificates: {kind: 'pins', groups: [0]},
      signRenewal: {kind: 'pins', groups: [0]},
      authenticate: {kind: 'pins', groups: [0]},
      changePin: {kind: 'changePin', group: 0},
      unblockPin: {kind: 'newPin', group: 0},
      removeKeys: {kind: 'pins', groups: [0]},
      // Consent only: registration reads public objects and changes the stores, never the card.
      registerCertificates: {kind: 'none'},
      unregisterCertificates: {kind: 'none'},
      // Software certificates: the store's password only once the host says the store has one; a new
      // PKCS#12 password for the files made; the file and its password for the files read.
      generateSoftwareKey: {kind: 'software', storePassword: false, file: false, password: false, newPassword: false},
      installCertificates: {kind: 'software', storePassword: false, file: false, password: false, newPassword: false},
      exportPkcs12: {kind: 'software', storePassword: false, file: false, password: false, newPassword: true},
      importPkcs12: {kind: 'software', storePassword: false, file: true, password: true, newPassword: false},
      changePkcs12Password: {kind: 'software', storePassword: false, file: true, password: true, newPassword: true},
    });
  });
});

describe('OK: the secrets come from the window only', () => {
  for (const command of CONSENT_COMMANDS.filter((name) => !SAVES_FILES.includes(name))) {
    test(`${command}: the host gets the page's params plus exactly what the window typed`, async () => {
      const page = send(command);
      const {window, show} = await nextWindow();
      const secrets = answerFor(show);
      window.confirm(secrets);
      const response = await responseOn(page);
      assert.deepEqual(response, {type: 'response', id: 'req-1', ok: true, result: {done: command}});
      const [request] = hostRequests(command);
      assert.equal(request.id, 'req-1');
      assert.equal(request.origin, ORIGIN);
      assert.deepEqual(request.params, {...PAGE_PARAMS[command], ...secrets});
      assert.ok(window.removedByBackground, 'the window closes with the answer');
      assert.deepEqual(window.messages().map((message) => message.type), ['show', 'working', 'done']);
    });
  }

  test('two-PIN card: generateKeyPair asks only the PIN groups of its keys; writeCertificates asks every group', async () => {
    environment = cardEnvironment({pins: [
      {name: 'Signature PIN', minLength: 6, maxLength: 8, state: 'ok', triesLeft: 3},
      {name: 'Encryption PIN', minLength: 4, maxLength: 8, state: 'ok', triesLeft: 3},
    ]});
    const keygen = send('generateKeyPair', {subject: [{type: 'CN', value: 'A'}], keys: [{usage: 'encryption', pinGroup: 1}]});
    const first = await nextWindow();
    assert.deepEqual(first.show.ask, {kind: 'pins', groups: [1]});
    first.window.confirm({pins: [null, '4321']});
    await responseOn(keygen);
    assert.deepEqual(hostRequests('generateKeyPair')[0].params.pins, [null, '4321']);

    const write = send('writeCertificates', undefined, {id: 'req-2'});
    const second = await nextWindow();
    assert.deepEqual(second.show.ask, {kind: 'pins', groups: [0, 1]});
    second.window.cancel();
    await responseOn(write);
  });

  test('unblockPin asks for the new PIN of the group its unblockRequest named, on the same host process', async () => {
    environment = cardEnvironment({pins: [
      {name: 'Signature PIN', minLength: 6, maxLength: 8, state: 'ok', triesLeft: 3},
      {name: 'Encryption PIN', minLength: 4, maxLength: 8, state: 'locked', triesLeft: 0},
    ]});
    answers.unblockRequest = reply({ok: true, result: {requestId: 'a'.repeat(32), pinGroup: 1, pinName: 'Encryption PIN'}});
    assert.equal((await responseOn(send('unblockRequest', {pinGroup: 1}, {id: 'req-1'}))).ok, true);
    const page = send('unblockPin', PAGE_PARAMS.unblockPin, {id: 'req-2'});
    const {window, show} = await nextWindow();
    assert.deepEqual(show.ask, {kind: 'newPin', group: 1});
    window.confirm({newPin: '2468'});
    assert.equal((await responseOn(page)).ok, true);
    assert.equal(api.nativePorts.length, 1);
    assert.deepEqual(hostCommands(), ['unblockRequest', 'checkParams', 'environment', 'unblockPin']);
  });

  test('a pin-pad card: nothing is typed, the host gets no PIN and asks the reader', async () => {
    environment = cardEnvironment({protectedAuthPath: true});
    const page = send('generateKeyPair');
    const {window, show} = await nextWindow();
    assert.deepEqual(show.ask, {kind: 'pinPad'});
    window.confirm({});
    assert.equal((await responseOn(page)).ok, true);
    assert.deepEqual(hostRequests('generateKeyPair')[0].params, PAGE_PARAMS.generateKeyPair);
  });

  test('changePin on a pin-pad card sends neither PIN', async () => {
    environment = cardEnvironment({protectedAuthPath: true});
    const page = send('changePin', {pinGroup: 0});
    const {window, show} = await nextWindow();
    assert.deepEqual(show.ask, {kind: 'pinPad', group: 0});
    window.confirm({});
    await responseOn(page);
    assert.deepEqual(hostRequests('changePin')[0].params, {pinGroup: 0});
  });

  for (const [what, command, secrets] of [
    ['a PIN for a command that takes pin and newPin', 'changePin', {pins: [TEST_PIN]}],
    ['an extra key', 'generateKeyPair', {pins: [TEST_PIN], newPin: NEW_PIN}],
    ['an empty PIN', 'signRenewal', {pins: ['']}],
    ['a PIN over 64 characters', 'authenticate', {pins: ['1'.repeat(65)]}],
    ['a number for a PIN', 'unblockPin', {newPin: 123456}],
  ]) {
    test(`a window answer with ${what} is refused (INTERNAL_ERROR) and nothing reaches the host`, async () => {
      const page = send(command);
      const {window} = await nextWindow();
      window.confirm(secrets);
      const response = await responseOn(page);
      assert.equal(response.error.code, 'INTERNAL_ERROR');
      assert.deepEqual(hostCommands(), ['checkParams', 'environment']);
      assert.ok(!JSON.stringify(response).includes(TEST_PIN));
    });
  }

  test('a second OK while the host works is ignored (one host request)', async () => {
    let release;
    answers.signRenewal = (request, port) => { release = () => reply({ok: true, result: {signature: 'MA=='}})(request, port); };
    const page = send('signRenewal');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    window.confirm(answerFor(show));
    await tick();
    release();
    await responseOn(page);
    assert.equal(hostRequests('signRenewal').length, 1);
  });
});

describe('the page never sees a PIN', () => {
  test('progress reaches the page and the window; no message to the page carries a PIN, even after a wrong one', async () => {
    let attempt = 0;
    answers.changePin = (request, port) => setImmediate(() => {
      attempt += 1;
      port.deliver({id: request.id, progress: {stage: 'changingPin', pinGroup: 0, pinName: 'PIN', pinPad: false}});
      port.deliver(attempt === 1
        ? {id: request.id, ok: false, error: {code: 'PIN_INCORRECT', message: 'The PIN is incorrect.', triesLeft: 2, pinGroup: 0, pinName: 'PIN'}}
        : {id: request.id, ok: true, result: {pinGroup: 0, pinName: 'PIN', pinState: {state: 'ok', triesLeft: 3}}});
    });
    const page = send('changePin');
    const {window} = await nextWindow();
    window.confirm({pin: WRONG_PIN, newPin: NEW_PIN});
    await window.next('retry');
    window.confirm({pin: TEST_PIN, newPin: NEW_PIN});
    const response = await responseOn(page);
    assert.equal(response.ok, true);
    const toPage = JSON.stringify(page.posted);
    for (const secret of [TEST_PIN, NEW_PIN, WRONG_PIN]) {
      assert.ok(!toPage.includes(secret), `the page got ${secret}`);
      assert.ok(!JSON.stringify(window.messages()).includes(secret), 'the background never echoes a PIN to the window either');
    }
    assert.deepEqual(page.posted.map((message) => message.type), ['waiting', 'waiting', 'progress', 'waiting', 'waiting', 'response'],
      'the retry repeats no progress; the page hears when the window waits for the user');
    assert.deepEqual(page.posted.filter((message) => message.type === 'waiting').map((message) => message.waiting), [true, false, true, false]);
    assert.deepEqual(window.messages('progress').map((message) => message.progress.stage), ['changingPin', 'changingPin']);
  });

  test('no PIN is logged', async () => {
    const logged = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug']) mock.method(console, method, (...args) => logged.push(args));
    answers.authenticate = reply({ok: false, error: {code: 'PIN_INCORRECT', message: 'x', triesLeft: null, pinGroup: 0}});
    const page = send('authenticate');
    const {window} = await nextWindow();
    window.confirm({pins: [WRONG_PIN]});
    await window.next('retry');
    window.cancel();
    await responseOn(page);
    assert.ok(!JSON.stringify(logged).includes(WRONG_PIN));
  });
});

describe('one window per page at a time', () => {
  test('a second request while the window is open (a double click) is BUSY at once: no second window, no host', async () => {
    const first = send('generateKeyPair', PAGE_PARAMS.generateKeyPair, {id: 'req-1'});
    const {window} = await nextWindow();
    const ports = api.nativePorts.length;
    const second = await responseOn(send('generateKeyPair', PAGE_PARAMS.generateKeyPair, {id: 'req-2'}));
    assert.equal(second.error.code, 'BUSY');
    assert.equal(second.error.reason, 'windowOpen');
    assert.equal(api.createdWindows.length, 1);
    assert.equal(api.nativePorts.length, ports, 'no host started for it');
    window.cancel();
    assert.equal((await responseOn(first)).error.code, 'USER_CANCELLED');
    // Once the first has its answer, the page may ask again.
    send('changePin', PAGE_PARAMS.changePin, {id: 'req-3'});
    await nextWindow();
    assert.equal(api.createdWindows.length, 2);
  });
});

describe('Cancel, Escape and closing the window', () => {
  test('Cancel (or Escape, which sends the same) before OK: USER_CANCELLED, the command never reaches the host', async () => {
    const page = send('generateKeyPair');
    const {window} = await nextWindow();
    window.cancel();
    const response = await responseOn(page);
    assert.equal(response.error.code, 'USER_CANCELLED');
    assert.equal(response.error.message, messagesJson.errors.USER_CANCELLED.message.en);
    assert.deepEqual(hostCommands(), ['checkParams', 'environment']);
    assert.equal(api.nativePorts[0].disconnected, true, 'the host process is stopped');
    assert.ok(window.removedByBackground);
  });

  test('closing the window before OK: USER_CANCELLED, the command never reaches the host', async () => {
    const page = send('changePin');
    const {window} = await nextWindow();
    window.closeByUser();
    const response = await responseOn(page);
    assert.equal(response.error.code, 'USER_CANCELLED');
    assert.deepEqual(hostCommands(), ['checkParams', 'environment']);
    assert.equal(api.nativePorts[0].disconnected, true);
  });

  test('a window removed before its page connected counts as closed', async () => {
    api.onWindowCreated = (created) => setImmediate(() => api.windows.onRemoved.emit(created.id));
    const response = await responseOn(send('signRenewal'));
    assert.equal(response.error.code, 'USER_CANCELLED');
    assert.deepEqual(hostCommands(), ['checkParams', 'environment']);
  });

  for (const how of ['cancel', 'closeByUser']) {
    test(`${how === 'cancel' ? 'Cancel' : 'closing the window'} while the host works: the host is asked to cancel`, async () => {
      let seen;
      const working = new Promise((resolve) => { seen = resolve; });
      answers.generateKeyPair = (request, port) => {
        port.deliver({id: request.id, progress: {stage: 'generatingKey', key: 1, keys: 1}});
        seen();
      };
      answers.cancel = (request, port) => setImmediate(() => {
        port.deliver({id: request.id, ok: true, result: {cancelled: true}});
        port.deliver({id: request.params.target, ok: false, error: {code: 'USER_CANCELLED', message: 'cancelled'}});
      });
      const page = send('generateKeyPair');
      const {window, show} = await nextWindow();
      window.confirm(answerFor(show));
      await working;
      window[how]();
      const response = await responseOn(page);
      assert.equal(response.error.code, 'USER_CANCELLED');
      const [cancel] = hostRequests('cancel');
      assert.deepEqual(cancel.params, {target: 'req-1'});
      assert.deepEqual(page.posted.map((message) => message.type), ['waiting', 'waiting', 'progress', 'response']);
    });
  }

  test('the page cancelling (or going away) closes the window', async () => {
    const page = send('writeCertificates');
    const {window} = await nextWindow();
    page.deliver({type: 'cancel', id: 'req-1'});
    assert.equal((await responseOn(page)).error.code, 'USER_CANCELLED');
    await tick();
    assert.ok(window.removedByBackground);
    assert.equal(window.closed, true);
  });

  test('the page timing out while the host works: the window closes at once, not when the host has stopped', async () => {
    let seen;
    const working = new Promise((resolve) => { seen = resolve; });
    answers.generateKeyPair = (request, port) => {
      port.deliver({id: request.id, progress: {stage: 'generatingKey', key: 1, keys: 1}});
      seen();
    };
    // The host is slow to stop (a key being generated cannot be interrupted): no answer to cancel.
    answers.cancel = () => {};
    const page = send('generateKeyPair');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    await working;
    // What the page library sends when its timeout fires (it rejects with TIMEOUT at the same moment).
    page.deliver({type: 'cancel', id: 'req-1'});
    await tick();
    assert.ok(window.removedByBackground, 'the window is gone while the host is still stopping');
    assert.deepEqual(window.messages('done').length, 1);
    assert.deepEqual(hostRequests('cancel').map((request) => request.params), [{target: 'req-1'}]);
    assert.equal((await responseOn(page)).error.code, 'USER_CANCELLED');
  });

  test('a window that could not be opened: INTERNAL_ERROR, nothing sent', async () => {
    api.windows.create = async () => { throw new Error('windows are not supported'); };
    const response = await responseOn(send('authenticate'));
    assert.equal(response.error.code, 'INTERNAL_ERROR');
    assert.match(response.error.reason, /window/);
    assert.deepEqual(hostCommands(), ['checkParams', 'environment']);
  });
});

describe('wrong PIN, locked PIN', () => {
  test('PIN_INCORRECT: the window says so with the tries left and the request is re-sent with the retyped PIN', async () => {
    const seenPins = [];
    answers.signRenewal = (request, port) => {
      seenPins.push(request.params.pins[0]);
      const body = request.params.pins[0] === TEST_PIN
        ? {ok: true, result: {signature: 'MA=='}}
        : {ok: false, error: {code: 'PIN_INCORRECT', message: 'The PIN is incorrect.', triesLeft: 2, pinGroup: 0, pinName: 'PIN'}};
      reply(body)(request, port);
    };
    const page = send('signRenewal');
    const {window} = await nextWindow();
    window.confirm({pins: [WRONG_PIN]});
    const {error} = await window.next('retry');
    assert.equal(error.code, 'PIN_INCORRECT');
    assert.equal(error.triesLeft, 2);
    assert.equal(error.pinName, 'PIN');
    assert.deepEqual(page.posted.map(({type, waiting}) => [type, waiting]), [['waiting', true], ['waiting', false], ['waiting', true]],
      'the page hears nothing of the wrong PIN, only that the window waits for the user again');
    assert.equal(window.removedByBackground, false, 'the window stays open');

    window.confirm({pins: [TEST_PIN]});
    const response = await responseOn(page);
    assert.deepEqual(response.result, {signature: 'MA=='});
    assert.deepEqual(seenPins, [WRONG_PIN, TEST_PIN]);
    assert.deepEqual(hostRequests('signRenewal').map((request) => request.id), ['req-1', 'req-1'], 'same request, same host process');
    assert.equal(api.nativePorts.length, 1);
    assert.ok(window.removedByBackground);
  });

  test('PIN_POLICY (a new PIN the card refuses) is asked again too', async () => {
    answers.unblockPin = (request, port) => reply(request.params.newPin.length < 6
      ? {ok: false, error: {code: 'PIN_POLICY', message: 'policy', pinGroup: 0, pinName: 'PIN'}}
      : {ok: true, result: {pinGroup: 0}})(request, port);
    const page = send('unblockPin');
    const {window} = await nextWindow();
    window.confirm({newPin: '12'});
    assert.equal((await window.next('retry')).error.code, 'PIN_POLICY');
    window.confirm({newPin: NEW_PIN});
    assert.equal((await responseOn(page)).ok, true);
  });

  test('a wrong PIN after the user closed the window ends the request (nobody to ask)', async () => {
    let deliver;
    answers.authenticate = (request, port) => { deliver = () => reply({ok: false, error: {code: 'PIN_INCORRECT', message: 'x', triesLeft: 1}})(request, port); };
    answers.cancel = () => {};
    const page = send('authenticate');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    await tick();
    window.closeByUser();
    deliver();
    const response = await responseOn(page);
    assert.equal(response.error.code, 'PIN_INCORRECT');
  });

  test('PIN_LOCKED from the host: the page gets it, the window stays open to say so', async () => {
    answers.generateKeyPair = reply({ok: false, error: {code: 'PIN_LOCKED', message: 'The PIN is locked.', pinGroup: 0, pinName: 'PIN'}});
    const page = send('generateKeyPair');
    const {window} = await nextWindow();
    window.confirm({pins: [WRONG_PIN]});
    const response = await responseOn(page);
    assert.equal(response.error.code, 'PIN_LOCKED');
    assert.equal(response.error.message, messagesJson.errors.PIN_LOCKED.message.en);
    const locked = await window.next('locked');
    assert.equal(locked.error.code, 'PIN_LOCKED');
    await tick();
    assert.equal(window.removedByBackground, false);
    window.closeByUser();
    await tick();
    assert.equal(page.posted.filter((message) => message.type === 'response').length, 1);
  });

  test('a PIN already locked: the window shows it, the page gets PIN_LOCKED at once, nothing is sent', async () => {
    environment = cardEnvironment({pins: [{name: 'PIN', minLength: 6, maxLength: 16, state: 'locked', triesLeft: 0}]});
    const page = send('authenticate');
    const response = await responseOn(page);
    assert.equal(response.error.code, 'PIN_LOCKED');
    assert.equal(response.error.pinName, 'PIN');
    const {window, show} = await nextWindow();
    assert.deepEqual(show.ask, {kind: 'locked', group: 0});
    assert.equal((await window.next('locked')).error.code, 'PIN_LOCKED');
    assert.deepEqual(hostCommands(), ['checkParams', 'environment']);
  });

  test('unblockPin is for a locked PIN: the window asks for the new one', async () => {
    environment = cardEnvironment({pins: [{name: 'PIN', minLength: 6, maxLength: 16, state: 'locked', triesLeft: 0}]});
    const page = send('unblockPin');
    const {window, show} = await nextWindow();
    assert.deepEqual(show.ask, {kind: 'newPin', group: 0});
    window.confirm({newPin: NEW_PIN});
    assert.equal((await responseOn(page)).ok, true);
  });
});

describe('the card pulled while the window waits', () => {
  /** The service again, looking for the card every 10 ms. */
  function watchingService() {
    startService({cardWatchIntervalMs: 10});
  }

  /** listReaders answers from the current `readers` (the environment's, until the test changes them). */
  function readersFromHost() {
    const readers = structuredClone(environment.readers);
    answers.listReaders = (request, port) => reply({ok: true, result: {readers}})(request, port);
    return readers;
  }

  for (const [what, pull, reason] of [
    ['the card taken out', (readers) => { readers[0].cardPresent = false; }, /card was taken out/],
    ['the reader unplugged', (readers) => { readers.splice(0, 1); }, /reader was unplugged/],
  ]) {
    test(`${what}: the page gets CARD_REMOVED and the window says so at once, before any PIN`, async () => {
      watchingService();
      const readers = readersFromHost();
      const page = send('authenticate');
      const {window} = await nextWindow();
      // While the card is there the window just waits (the host is asked, nothing happens).
      await new Promise((resolve) => setTimeout(resolve, 40));
      assert.ok(hostRequests('listReaders').length >= 2, 'the host is asked while the window waits');
      assert.equal(window.messages('ended').length, 0);
      pull(readers);
      const response = await responseOn(page);
      assert.equal(response.error.code, 'CARD_REMOVED');
      assert.equal(response.error.reader, READER);
      assert.match(response.error.reason, reason);
      const ended = await window.next('ended');
      assert.equal(ended.error.code, 'CARD_REMOVED');
      assert.equal(ended.error.message, messagesJson.errors.CARD_REMOVED.message.en);
      await tick();
      assert.equal(window.removedByBackground, false, 'the window stays to say so, with one Close button');
      assert.equal(hostRequests('authenticate').length, 0, 'no command, no PIN asked for nothing');
      const asked = hostRequests('listReaders').length;
      await new Promise((resolve) => setTimeout(resolve, 40));
      assert.equal(hostRequests('listReaders').length, asked, 'the watch stops with the request');
    });
  }

  test('once the user has answered, the host has the card: no more looking', async () => {
    watchingService();
    readersFromHost();
    let finish;
    answers.authenticate = (request, port) => { finish = () => reply({ok: true, result: {signature: 'MA=='}})(request, port); };
    const page = send('authenticate');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    await window.next('working');
    await tick();
    const asked = hostRequests('listReaders').length;
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(hostRequests('listReaders').length, asked);
    finish();
    assert.equal((await responseOn(page)).ok, true);
  });
});

describe('no card to ask about', () => {
  for (const [what, change, code] of [
    ['no card in any reader', (report) => { report.readers[0].cardPresent = false; report.tokens = []; }, 'NO_CARD'],
    ['no reader', (report) => { report.readers = []; report.tokens = []; }, 'NO_READER'],
    ['a card the host does not know', (report) => {
      report.readers[0].problem = {code: 'CARD_NOT_SUPPORTED', message: 'This card is not supported.'};
      report.tokens = [];
    }, 'CARD_NOT_SUPPORTED'],
    ['the PC/SC service stopped', (report) => {
      report.pcsc = {available: false, error: {code: 'PCSC_UNAVAILABLE', message: 'x'}};
      report.readers = [];
    }, 'PCSC_UNAVAILABLE'],
  ]) {
    test(`${what}: ${code} to the page without a window`, async () => {
      change(environment);
      const response = await responseOn(send('generateKeyPair'));
      assert.equal(response.error.code, code);
      assert.equal(response.error.message, messagesJson.errors[code].message.en);
      assert.equal(api.createdWindows.length, 0);
      assert.deepEqual(hostCommands(), ['checkParams', 'environment']);
    });
  }

  test('a key size the card does not make: BAD_REQUEST with the sizes it makes, no window, no PIN asked', async () => {
    environment.tokens[0].keySizes = [2048, 3072];
    const response = await responseOn(send('generateKeyPair', {
      subject: PAGE_PARAMS.generateKeyPair.subject,
      keys: [{usage: 'signing', keySize: 2048}, {usage: 'encryption', keySize: 4096}],
    }));
    assert.equal(response.error.code, 'BAD_REQUEST');
    assert.equal(response.error.field, 'params.keys[1].keySize');
    assert.deepEqual(response.error.keySizes, [2048, 3072]);
    assert.match(response.error.reason, /2048, 3072 bits/);
    assert.equal(api.createdWindows.length, 0);
    assert.deepEqual(hostCommands(), ['checkParams', 'environment']);
  });

  test('a parameter the host refuses (checkParams): its BAD_REQUEST at once, no window, no card read', async () => {
    answers.checkParams = reply({ok: false, error: {code: 'BAD_REQUEST', message: 'x', field: 'params.challenge',
      reason: 'must be 16-1024 bytes'}});
    const response = await responseOn(send('authenticate', {challenge: 'AAECAwQ='}));
    assert.equal(response.error.code, 'BAD_REQUEST');
    assert.equal(response.error.field, 'params.challenge');
    assert.equal(api.createdWindows.length, 0);
    assert.deepEqual(hostCommands(), ['checkParams']);
    assert.deepEqual(hostRequests('checkParams')[0].params, {command: 'authenticate', params: {challenge: 'AAECAwQ='}});
  });

  test('a signer the card does not hold: KEY_NOT_FOUND at once, no window', async () => {
    const response = await responseOn(send('signRenewal', {data: 'AAECAwQ=', certificate: 'ab'.repeat(32)}));
    assert.equal(response.error.code, 'KEY_NOT_FOUND');
    assert.equal(response.error.field, 'params.certificate');
    assert.equal(api.createdWindows.length, 0);
  });

  test('removeKeys naming a key that is not a key without certificate: KEY_NOT_FOUND, no window', async () => {
    const response = await responseOn(send('removeKeys', {keyIds: [ORPHAN_KEY_ID, 'ffff']}));
    assert.equal(response.error.code, 'KEY_NOT_FOUND');
    assert.equal(response.error.field, 'params.keyIds[1]');
    assert.equal(api.createdWindows.length, 0);
    assert.deepEqual(hostCommands(), ['checkParams', 'environment']);
  });

  test('the host failing the environment request: its error to the page', async () => {
    answers.environment = reply({ok: false, error: {code: 'BUSY', message: 'busy'}});
    const response = await responseOn(send('changePin'));
    assert.equal(response.error.code, 'BUSY');
    assert.equal(api.createdWindows.length, 0);
  });
});

describe('the window\'s port', () => {
  test('a content script (or any page but the consent page) cannot take a window\'s session', async () => {
    const page = send('changePin');
    const {window} = await nextWindow();
    const sessionUrl = window.url;
    const session = new URL(sessionUrl).searchParams.get('session');
    for (const sender of [
      {id: EXTENSION_ID, url: `https://evil.example/consent/consent.html?session=${session}`, tab: {id: 7}, frameId: 0},
      {id: 'other-extension', url: sessionUrl},
      {id: EXTENSION_ID, url: sessionUrl},
    ]) {
      const intruder = new FakePort(api, CONSENT_PORT_NAME, sender);
      assert.equal(service.handleConnect(intruder), true, 'the port name is ours');
      assert.equal(intruder.disconnected, true, `refused: ${JSON.stringify(sender)}`);
      assert.equal(intruder.posted.length, 0);
      intruder.deliver({type: 'confirm', secrets: {pin: TEST_PIN, newPin: NEW_PIN}});
    }
    await tick();
    assert.deepEqual(hostCommands(), ['checkParams', 'environment'], 'the second port (same URL) is refused too');
    window.cancel();
    await responseOn(page);
  });

  test('a consent page whose request has ended is disconnected', () => {
    const stale = new FakePort(api, CONSENT_PORT_NAME, {id: EXTENSION_ID, url: `chrome-extension://${EXTENSION_ID}/consent/consent.html?session=gone`});
    assert.equal(service.handleConnect(stale), true);
    assert.equal(stale.disconnected, true);
  });

  test('the session id in the window\'s URL is random and carries nothing of the request', async () => {
    const first = send('generateKeyPair', PAGE_PARAMS.generateKeyPair, {id: 'req-a'});
    // Another tab: one page has one window at a time.
    const second = send('generateKeyPair', PAGE_PARAMS.generateKeyPair, {id: 'req-b', tab: 8});
    const one = await nextWindow();
    const two = await nextWindow();
    assert.notEqual(one.window.url, two.window.url);
    for (const {window} of [one, two]) {
      assert.doesNotMatch(window.url, /req-|王|ra\.certbridge/);
    }
    one.window.cancel();
    two.window.cancel();
    await Promise.all([responseOn(first), responseOn(second)]);
  });
});

describe('the window\'s texts are in the catalogue', () => {
  test('every consent.* key the window and its modules name exists in zh-TW and en', () => {
    const sources = ['consent.js', 'request_details.js', 'pin_rules.js', 'software_fields.js']
      .map((file) => readFileSync(join(repoRoot, 'extension/src/consent', file), 'utf8')).join('\n');
    const named = new Set([...sources.matchAll(/'(consent\.[A-Za-z.]+[A-Za-z])'/g)].map((match) => match[1]));
    // Keys made from a command, a stage or a usage.
    for (const command of CONSENT_COMMANDS) named.add(`consent.operation.${command}`);
    for (const stage of ['login', 'generatingKey', 'creatingRequest', 'writing', 'removing', 'signing', 'changingPin', 'unblocking', 'cancelling',
      'exporting', 'readingFile', 'importing', 'saving']) {
      named.add(`consent.stage.${stage}`);
    }
    for (const usage of ['signing', 'encryption', 'dual']) named.add(`consent.usage.${usage}`);
    assert.ok(named.size > 40, `found ${named.size} keys`);
    for (const key of named) {
      for (const language of messagesJson.languages) {
        assert.ok(messagesJson.ui[key]?.[language], `${key} [${language}]`);
      }
    }
  });
});
