// The software-certificate commands as the background runs them (request_service.js, software_secrets.js,
// pkcs12_downloads.js) with a fake WebExtension API and a fake host: no card is looked for, the window asks
// the passwords and the PKCS#12 file, a missing or wrong store password and a wrong file password are
// asked again in the window, the PKCS#12 files the host makes go to the downloads folder, and the page
// receives no password and no file bytes, ever.

import assert from 'node:assert/strict';
import {afterEach, beforeEach, describe, mock, test} from 'node:test';

import {builtExtension, protocolJson} from './helpers/build_output.mjs';
import {answerFor, consentWindows, FILE_PASSWORD, NEW_FILE_PASSWORD, PICKED_FILE, STORE_PASSWORD}
  from './helpers/fake_consent_window.mjs';
import {fakeExtensionApi, FakePort, pageSender} from './helpers/fake_extension_api.mjs';

const {createRequestService, REQUEST_PORT_NAME} = await builtExtension('request_service.js');
const {currentPolicy} = await builtExtension('policy.js');
const {softwareSecretsFromAnswer, usesKeyStore} = await builtExtension('software_secrets.js');
const {safeFileName} = await builtExtension('pkcs12_downloads.js');

const ORIGIN = 'https://ra.certbridge.example';
const HELLO = {name: 'certbridge-host', version: '0.1.0', protocol: protocolJson.protocolVersion};
const WRONG_PASSWORD = 'wrong-pass-9';
const CERTIFICATE_ID = 'ab'.repeat(32);
const CERTIFICATE = {id: CERTIFICATE_ID, subject: 'CN=王小明,O=Finance,C=TW', issuer: 'CN=Test CA', serialNumber: '0A',
  notAfter: '2027-11-21T00:00:00Z', valid: true, hasKey: true, label: '王小明', store: 'software'};
// What the host sends back: base64 of PKCS#12 files (any bytes do for the fake host).
const SIGNING_FILE = Buffer.from('signing pkcs12 bytes \u0001\u0002\u0003').toString('base64');
const ENCRYPTION_FILE = Buffer.from('encryption pkcs12 bytes \u0004\u0005').toString('base64');
const CHANGED_FILE = Buffer.from('re-encrypted pkcs12 bytes \u0006').toString('base64');
const EXPORTED = {store: 'software', files: [
  {certificate: CERTIFICATE, fileName: '王小明-signing-0A.p12', pkcs12: SIGNING_FILE},
  {certificate: {...CERTIFICATE, id: 'cd'.repeat(32)}, fileName: '王小明-encryption-0B.p12', pkcs12: ENCRYPTION_FILE},
]};
const CHANGED = {certificate: {id: CERTIFICATE_ID, subject: 'CN=王小明', issuer: 'CN=Test CA', serialNumber: '0A',
  notAfter: '2027-11-21T00:00:00Z', valid: true}, fileName: '王小明-signing-0A.p12', pkcs12: CHANGED_FILE};

const PAGE_PARAMS = {
  generateSoftwareKey: {subject: [{type: 'CN', value: '王小明'}], keys: [{usage: 'signing'}, {usage: 'encryption'}]},
  installCertificates: {certificates: ['MIIB']},
  exportPkcs12: {},
  importPkcs12: {includeCaCertificates: true},
  changePkcs12Password: {},
  signRenewal: {store: 'software', data: 'AAECAwQ='},
};
/** Every secret a test types or picks: none of them may reach the page. */
const SECRETS = [FILE_PASSWORD, NEW_FILE_PASSWORD, STORE_PASSWORD, WRONG_PASSWORD, PICKED_FILE, SIGNING_FILE,
  ENCRYPTION_FILE, CHANGED_FILE];

let api;
let service;
let windows;
/** What the fake host does with each command: (request, port) => void. */
let answers;

beforeEach(() => {
  api = fakeExtensionApi();
  service = createRequestService({
    api,
    policy: currentPolicy,
    extensionInfo: async () => ({version: '0.1.0', browser: {name: 'Chromium', version: '156.0'}, protocol: 1}),
    language: () => 'en',
    helloTimeoutMs: 200,
    cancelTimeoutMs: 50,
  });
  windows = consentWindows(api, service);
  answers = {
    exportPkcs12: reply({ok: true, result: EXPORTED}),
    changePkcs12Password: reply({ok: true, result: CHANGED}),
    protectSavedFile: reply({ok: true, result: {previousMode: '0644', mode: '0600'}}),
  };
  api.onConnectNative = (port) => {
    setImmediate(() => port.deliver({hello: HELLO}));
    port.onPost = (request) => (answers[request.command] ?? reply({ok: true, result: {done: request.command}}))(request, port);
  };
});

const createObjectURL = URL.createObjectURL;

afterEach(() => {
  mock.restoreAll();
  mock.timers.reset();
  URL.createObjectURL = createObjectURL;
});

/** A background without URL.createObjectURL, as Chromium's MV3 service worker is. */
function asServiceWorker() {
  URL.createObjectURL = undefined;
}

function reply(body) {
  return (request, port) => setImmediate(() => port.deliver({id: request.id, ...body}));
}

/** The host's answers to one command in turn (one per attempt), the last repeated. */
function inTurn(...bodies) {
  let attempt = 0;
  return (request, port) => reply(bodies[Math.min(attempt++, bodies.length - 1)])(request, port);
}

const hostRequests = (command) => api.nativePorts.flatMap((port) => port.posted.filter((message) => message.command === command));
const hostCommands = () => api.nativePorts.flatMap((port) => port.posted.map((message) => message.command));

function send(command, params = PAGE_PARAMS[command], {id = 'req-1'} = {}) {
  const port = new FakePort(api, REQUEST_PORT_NAME, pageSender(ORIGIN));
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

async function nextWindow() {
  const window = await windows.next();
  return {window, show: await window.next('show')};
}

/** Fails when anything the page was sent carries a password or file bytes. */
function assertPageSawNoSecret(page) {
  const toPage = JSON.stringify(page.posted);
  for (const secret of SECRETS) assert.ok(!toPage.includes(secret), `the page got ${secret.slice(0, 24)}`);
  assert.ok(!/"(pkcs12|password|newPassword|storePassword|file)":/.test(toPage), `the page got a secret's key: ${toPage.slice(0, 400)}`);
}

const STORE_ERROR_MISSING = {code: 'STORE_PASSWORD_INCORRECT', message: 'x', passwordGiven: false};
const STORE_ERROR_WRONG = {code: 'STORE_PASSWORD_INCORRECT', message: 'x', passwordGiven: true};
const FILE_PASSWORD_WRONG = {code: 'PKCS12_PASSWORD_INCORRECT', message: 'x'};

describe('which commands use the key store', () => {
  test('the software commands, and signRenewal only with store "software"', () => {
    for (const command of ['generateSoftwareKey', 'installCertificates', 'exportPkcs12', 'importPkcs12', 'changePkcs12Password']) {
      assert.equal(usesKeyStore(command, {}), true, command);
    }
    assert.equal(usesKeyStore('signRenewal', {store: 'software'}), true);
    assert.equal(usesKeyStore('signRenewal', {store: 'card'}), false);
    assert.equal(usesKeyStore('signRenewal', {}), false);
    for (const command of ['generateKeyPair', 'writeCertificates', 'changePin', 'registerCertificates', 'environment']) {
      assert.equal(usesKeyStore(command, {}), false, command);
    }
  });

  test('signRenewal with store "software": the window asks nothing at first, shows the store, reads no card', async () => {
    const page = send('signRenewal');
    const {window, show} = await nextWindow();
    assert.deepEqual(show.ask, {kind: 'software', storePassword: false, file: false, password: false, newPassword: false});
    assert.equal(show.card, null);
    window.confirm({});
    assert.equal((await responseOn(page)).ok, true);
    assert.deepEqual(hostCommands(), ['signRenewal']);
    assert.deepEqual(hostRequests('signRenewal')[0].params, PAGE_PARAMS.signRenewal);
  });
});

describe('the window\'s answer goes to the host, with the page\'s params', () => {
  for (const [command, expected] of [
    ['generateSoftwareKey', {}],
    ['installCertificates', {}],
    ['exportPkcs12', {newPassword: NEW_FILE_PASSWORD}],
    ['importPkcs12', {file: PICKED_FILE, password: FILE_PASSWORD}],
    ['changePkcs12Password', {file: PICKED_FILE, password: FILE_PASSWORD, newPassword: NEW_FILE_PASSWORD}],
  ]) {
    test(`${command}: the host gets ${Object.keys(expected).join(', ') || 'no secret'}; the page none of it`, async () => {
      const page = send(command);
      const {window, show} = await nextWindow();
      const secrets = answerFor(show);
      assert.deepEqual(secrets, expected);
      window.confirm(secrets);
      const response = await responseOn(page);
      assert.equal(response.ok, true, JSON.stringify(response));
      // No environment request (no card is involved); saved files go to protectSavedFile only after the command.
      assert.deepEqual(hostCommands().filter((sent) => sent !== 'protectSavedFile'), [command]);
      assert.equal(hostCommands()[0], command);
      // The secrets never travel again: protectSavedFile carries the saved path only.
      for (const request of hostRequests('protectSavedFile')) assert.deepEqual(Object.keys(request.params), ['path']);
      assert.deepEqual(hostRequests(command)[0].params, {...PAGE_PARAMS[command], ...expected});
      assert.ok(window.removedByBackground);
      assertPageSawNoSecret(page);
    });
  }

  for (const [what, command, answer] of [
    ['a new password shorter than 6 characters', 'exportPkcs12', {newPassword: '12345'}],
    ['a new password over 64 characters', 'exportPkcs12', {newPassword: 'x'.repeat(65)}],
    ['no file', 'importPkcs12', {password: FILE_PASSWORD}],
    ['a file that is not base64', 'importPkcs12', {file: 'not base64!', password: FILE_PASSWORD}],
    ['a file over 512 KiB', 'importPkcs12', {file: 'A'.repeat(Math.ceil((512 * 1024) / 3 + 1) * 4), password: FILE_PASSWORD}],
    ['an empty file password', 'changePkcs12Password', {file: PICKED_FILE, password: '', newPassword: NEW_FILE_PASSWORD}],
    ['a store password nobody asked for', 'generateSoftwareKey', {storePassword: STORE_PASSWORD}],
    ['a PIN', 'installCertificates', {pins: ['123456']}],
  ]) {
    test(`${command}: a window answer with ${what} is refused (INTERNAL_ERROR), nothing reaches the host`, async () => {
      const page = send(command);
      const {window} = await nextWindow();
      window.confirm(answer);
      const response = await responseOn(page);
      assert.equal(response.error.code, 'INTERNAL_ERROR');
      assert.deepEqual(hostCommands(), []);
      assertPageSawNoSecret(page);
    });
  }

  test('the page cannot send a password or a file itself (BAD_REQUEST naming the field, no window)', async () => {
    for (const [command, params, field] of [
      ['importPkcs12', {file: PICKED_FILE}, 'params.file'],
      ['importPkcs12', {password: FILE_PASSWORD}, 'params.password'],
      ['exportPkcs12', {newPassword: NEW_FILE_PASSWORD}, 'params.newPassword'],
      ['generateSoftwareKey', {...PAGE_PARAMS.generateSoftwareKey, storePassword: STORE_PASSWORD}, 'params.storePassword'],
    ]) {
      const response = await responseOn(send(command, params, {id: `req-${field.slice(7)}`}));
      assert.equal(response.error.code, 'BAD_REQUEST');
      assert.equal(response.error.field, field);
    }
    assert.equal(api.createdWindows.length, 0);
    assert.deepEqual(hostCommands(), []);
  });
});

describe('asked again in the window: the store password, a wrong file password', () => {
  test('a store with a password: STORE_PASSWORD_INCORRECT (none given) -> the window asks it, the retry carries it', async () => {
    answers.generateSoftwareKey = inTurn({ok: false, error: STORE_ERROR_MISSING}, {ok: true, result: {store: 'software', requests: []}});
    const page = send('generateSoftwareKey');
    const {window} = await nextWindow();
    window.confirm({});
    const retry = await window.next('retry');
    assert.equal(retry.error.code, 'STORE_PASSWORD_INCORRECT');
    assert.equal(retry.error.passwordGiven, false);
    assert.deepEqual(retry.ask, {kind: 'software', storePassword: true, file: false, password: false, newPassword: false});
    window.confirm({storePassword: STORE_PASSWORD});
    const response = await responseOn(page);
    assert.equal(response.ok, true);
    const attempts = hostRequests('generateSoftwareKey');
    assert.equal(attempts.length, 2);
    assert.deepEqual(attempts.map((request) => request.id), ['req-1', 'req-1'], 'the same request, sent again');
    assert.deepEqual(attempts[1].params, {...PAGE_PARAMS.generateSoftwareKey, storePassword: STORE_PASSWORD});
    assert.deepEqual(page.posted.filter((message) => message.type === 'waiting').map((message) => message.waiting),
      [true, false, true, false], 'the page\'s timeout stands still while the user types');
    assertPageSawNoSecret(page);
  });

  test('a wrong store password is asked again; after the window is closed it ends the request', async () => {
    answers.exportPkcs12 = inTurn({ok: false, error: STORE_ERROR_MISSING}, {ok: false, error: STORE_ERROR_WRONG});
    const page = send('exportPkcs12');
    const {window} = await nextWindow();
    window.confirm({newPassword: NEW_FILE_PASSWORD});
    await window.next('retry');
    window.confirm({newPassword: NEW_FILE_PASSWORD, storePassword: WRONG_PASSWORD});
    const second = await window.next('retry');
    assert.equal(second.error.passwordGiven, true);
    window.cancel();
    const response = await responseOn(page);
    assert.equal(response.error.code, 'USER_CANCELLED');
    assert.equal(api.downloadCalls.length, 0);
    assertPageSawNoSecret(page);
  });

  test('importPkcs12: PKCS12_PASSWORD_INCORRECT -> the window asks again; the right password imports', async () => {
    answers.importPkcs12 = inTurn({ok: false, error: FILE_PASSWORD_WRONG},
      {ok: true, result: {store: 'software', keyImported: true, certificate: {...CERTIFICATE, installed: true}, caCertificates: []}});
    const page = send('importPkcs12');
    const {window} = await nextWindow();
    window.confirm({file: PICKED_FILE, password: WRONG_PASSWORD});
    const retry = await window.next('retry');
    assert.equal(retry.error.code, 'PKCS12_PASSWORD_INCORRECT');
    assert.equal(retry.ask.password, true);
    assert.equal(retry.ask.storePassword, false);
    window.confirm({file: PICKED_FILE, password: FILE_PASSWORD});
    const response = await responseOn(page);
    assert.equal(response.ok, true);
    assert.equal(response.result.keyImported, true);
    assert.deepEqual(hostRequests('importPkcs12').map((request) => request.params.password), [WRONG_PASSWORD, FILE_PASSWORD]);
    assertPageSawNoSecret(page);
    assert.ok(!JSON.stringify(window.messages()).includes(FILE_PASSWORD), 'nor does the background echo it to the window');
  });

  test('changePkcs12Password never asks a store password (the store is not opened): the error ends the request', async () => {
    answers.changePkcs12Password = reply({ok: false, error: STORE_ERROR_MISSING});
    const page = send('changePkcs12Password');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    const response = await responseOn(page);
    assert.equal(response.error.code, 'STORE_PASSWORD_INCORRECT');
    assert.equal(window.messages('retry').length, 0);
  });

  test('PKCS12_FILE_INVALID ends the request with the host\'s reason; the page learns no file bytes', async () => {
    answers.importPkcs12 = reply({ok: false, error: {code: 'PKCS12_FILE_INVALID', message: 'x', reason: 'not a PKCS#12 file'}});
    const page = send('importPkcs12');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    const response = await responseOn(page);
    assert.equal(response.error.code, 'PKCS12_FILE_INVALID');
    assert.equal(response.error.reason, 'not a PKCS#12 file');
    assertPageSawNoSecret(page);
  });
});

describe('PKCS#12 files go to the downloads folder, not to the page', () => {
  test('exportPkcs12: one download per file with the host\'s name, data: URLs where no createObjectURL (Chromium worker)', async () => {
    asServiceWorker();
    const page = send('exportPkcs12');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    const response = await responseOn(page);
    assert.equal(response.ok, true, JSON.stringify(response));
    assert.deepEqual(api.downloadCalls.map(({filename, conflictAction, saveAs}) => ({filename, conflictAction, saveAs})), [
      {filename: '王小明-signing-0A.p12', conflictAction: 'uniquify', saveAs: false},
      {filename: '王小明-encryption-0B.p12', conflictAction: 'uniquify', saveAs: false},
    ]);
    assert.deepEqual(api.downloadCalls.map(({url}) => url), [
      `data:application/x-pkcs12;base64,${SIGNING_FILE}`, `data:application/x-pkcs12;base64,${ENCRYPTION_FILE}`]);
    assert.deepEqual(response.result, {store: 'software', files: [
      {certificate: CERTIFICATE, fileName: '王小明-signing-0A.p12', downloadId: 500, fileMode: '0600'},
      {certificate: {...CERTIFICATE, id: 'cd'.repeat(32)}, fileName: '王小明-encryption-0B.p12', downloadId: 501, fileMode: '0600'},
    ]});
    assert.deepEqual(window.messages('progress').map((message) => message.progress.stage), ['saving']);
    assertPageSawNoSecret(page);
  });

  test('a blob: URL where createObjectURL exists (Firefox\'s background page), holding the file\'s bytes', async () => {
    const blobs = [];
    mock.method(URL, 'createObjectURL', (blob) => {
      blobs.push(blob);
      return `blob:moz-extension://test/${blobs.length}`;
    });
    mock.method(URL, 'revokeObjectURL', () => {});
    mock.timers.enable({apis: ['setTimeout']});
    const page = send('changePkcs12Password');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    const response = await responseOn(page);
    assert.deepEqual(api.downloadCalls.map(({url, filename}) => ({url, filename})),
      [{url: 'blob:moz-extension://test/1', filename: '王小明-signing-0A.p12'}]);
    assert.equal(blobs[0].type, 'application/x-pkcs12');
    assert.equal(Buffer.from(await blobs[0].arrayBuffer()).toString('base64'), CHANGED_FILE);
    assert.equal(URL.revokeObjectURL.mock.callCount(), 0, 'the download still reads it');
    mock.timers.tick(60_000);
    assert.equal(URL.revokeObjectURL.mock.callCount(), 1);
    assert.deepEqual(response.result, {certificate: CHANGED.certificate, fileName: '王小明-signing-0A.p12', downloadId: 500, fileMode: '0600'});
    assertPageSawNoSecret(page);
  });

  test('changePkcs12Password: the page gets the name the browser saved the file under, not the one asked for', async () => {
    // The original file (same name) is already in the downloads folder: the browser saves beside it.
    api.downloadsFolder.add('王小明-signing-0A.p12');
    const page = send('changePkcs12Password');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    const response = await responseOn(page);
    assert.equal(response.ok, true, JSON.stringify(response));
    assert.equal(api.downloadCalls[0].filename, '王小明-signing-0A.p12');
    assert.equal(response.result.fileName, '王小明-signing-0A (1).p12');
    assert.equal(response.result.downloadId, 500);
    assertPageSawNoSecret(page);
  });

  test('exportPkcs12: each file under its saved name; a download the browser interrupts is INTERNAL_ERROR', async () => {
    api.downloadsFolder.add('王小明-encryption-0B.p12');
    const page = send('exportPkcs12');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    const response = await responseOn(page);
    assert.deepEqual(response.result.files.map((file) => file.fileName),
      ['王小明-signing-0A.p12', '王小明-encryption-0B (1).p12']);

    api.interruptDownloads = 'FILE_NO_SPACE';
    const second = send('exportPkcs12', undefined, {id: 'req-2'});
    const next = await nextWindow();
    next.window.confirm(answerFor(next.show));
    const failed = await responseOn(second);
    assert.equal(failed.error.code, 'INTERNAL_ERROR');
    assert.match(failed.error.reason, /did not save 王小明-signing-0A \(1\)\.p12|did not save 王小明-signing-0A\.p12/);
    assert.match(failed.error.reason, /FILE_NO_SPACE/);
  });

  test('each saved file goes to the host\'s protectSavedFile by the path the browser saved it under', async () => {
    api.downloadsFolder.add('王小明-encryption-0B.p12');
    const page = send('exportPkcs12');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    const response = await responseOn(page);
    assert.equal(response.ok, true, JSON.stringify(response));
    assert.deepEqual(hostRequests('protectSavedFile').map((request) => request.params), [
      {path: '/home/user/Downloads/王小明-signing-0A.p12'},
      {path: '/home/user/Downloads/王小明-encryption-0B (1).p12'},
    ]);
    assert.deepEqual(hostCommands(), ['exportPkcs12', 'protectSavedFile', 'protectSavedFile']);
    assert.deepEqual(response.result.files.map((file) => file.fileMode), ['0600', '0600']);
  });

  test('a host that cannot change the mode (or Windows, which has none): the file stays saved, fileMode null', async () => {
    answers.protectSavedFile = inTurn(
      {ok: false, error: {code: 'BAD_REQUEST', message: 'x', reason: 'the saved file belongs to another user'}},
      {ok: true, result: {previousMode: null, mode: null}});
    const page = send('exportPkcs12');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    const response = await responseOn(page);
    assert.equal(response.ok, true, JSON.stringify(response));
    assert.deepEqual(response.result.files.map(({fileName, fileMode}) => ({fileName, fileMode})), [
      {fileName: '王小明-signing-0A.p12', fileMode: null},
      {fileName: '王小明-encryption-0B.p12', fileMode: null},
    ]);
    assert.equal(api.downloadCalls.length, 2);
  });

  test('a browser that does not say where it saved: no path to protect, fileMode null', async () => {
    api.downloads.search = undefined;
    const page = send('changePkcs12Password');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    const response = await responseOn(page);
    assert.equal(response.result.fileMode, null);
    assert.deepEqual(hostRequests('protectSavedFile'), []);
  });

  test('a download the browser refuses: INTERNAL_ERROR naming the file, still no bytes to the page', async () => {
    asServiceWorker();
    api.failDownloads = true;
    const page = send('exportPkcs12');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    const response = await responseOn(page);
    assert.equal(response.error.code, 'INTERNAL_ERROR');
    assert.match(response.error.reason, /王小明-signing-0A\.p12: Download failed/);
    assertPageSawNoSecret(page);
  });

  test('files the host finished after the user cancelled: not saved, and not given to the page', async () => {
    let finish;
    answers.exportPkcs12 = (request, port) => {
      finish = () => port.deliver({id: request.id, ok: true, result: EXPORTED});
    };
    answers.cancel = () => setImmediate(() => finish());
    const page = send('exportPkcs12');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    await window.next('working');
    window.cancel();
    const response = await responseOn(page);
    assert.equal(response.error.code, 'USER_CANCELLED');
    assert.deepEqual(hostCommands(), ['exportPkcs12', 'cancel']);
    assert.equal(api.downloadCalls.length, 0);
    assertPageSawNoSecret(page);
  });

  test('a host result without files: INTERNAL_ERROR, nothing downloaded', async () => {
    answers.exportPkcs12 = reply({ok: true, result: {store: 'software', files: []}});
    const page = send('exportPkcs12');
    const {window, show} = await nextWindow();
    window.confirm(answerFor(show));
    assert.equal((await responseOn(page)).error.code, 'INTERNAL_ERROR');
    assert.equal(api.downloadCalls.length, 0);
  });

  test('file names stay inside the downloads folder', () => {
    assert.equal(safeFileName('王小明-signing-0A.p12'), '王小明-signing-0A.p12');
    assert.equal(safeFileName('../../.bashrc'), '_.._.bashrc.p12');
    assert.equal(safeFileName('a/b\\c:d*e?.pfx'), 'a_b_c_d_e_.pfx');
    assert.equal(safeFileName(''), 'certificate.p12');
    assert.equal(safeFileName(undefined), 'certificate.p12');
  });
});

describe('what the window may answer (softwareSecretsFromAnswer)', () => {
  const ask = {kind: 'software', storePassword: true, file: true, password: true, newPassword: true};
  test('exactly the asked secrets pass, in the host\'s shape', () => {
    const answer = {file: PICKED_FILE, password: FILE_PASSWORD, newPassword: NEW_FILE_PASSWORD, storePassword: STORE_PASSWORD};
    assert.deepEqual(softwareSecretsFromAnswer(ask, answer), answer);
    assert.deepEqual(softwareSecretsFromAnswer({...ask, file: false, password: false, newPassword: false, storePassword: false}, {}), {});
  });
  test('a new password counts characters, not bytes: six Chinese characters are enough', () => {
    assert.deepEqual(softwareSecretsFromAnswer({...ask, file: false, password: false, storePassword: false}, {newPassword: '王小明王小明'}),
      {newPassword: '王小明王小明'});
  });
  test('a missing secret is refused', () => {
    assert.throws(() => softwareSecretsFromAnswer(ask, {file: PICKED_FILE, password: FILE_PASSWORD, newPassword: NEW_FILE_PASSWORD}), TypeError);
  });
});
