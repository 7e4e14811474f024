// The content script (a plain script) run in a VM context with a fake window and extension API, as the
// browser runs it: content_protocol.js first, then content_script.js, in one isolated world.

import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeEach, describe, test} from 'node:test';
import vm from 'node:vm';

import {extensionDir} from './helpers/build_output.mjs';
import {fakeExtensionApi} from './helpers/fake_extension_api.mjs';
import {FakeWindow, settle} from './helpers/fake_window.mjs';

const ORIGIN = 'https://ra.certbridge.example';
const scripts = ['content_protocol.js', 'content_script.js']
  .map((name) => new vm.Script(readFileSync(join(extensionDir, name), 'utf8'), {filename: name}));

let page;
let api;

/** Loads the content script into a page; `browserGlobal` chooses Firefox's `browser` or Chromium's `chrome`. */
function loadContentScript({browserGlobal = 'chrome'} = {}) {
  page = new FakeWindow(ORIGIN);
  api = fakeExtensionApi();
  const context = vm.createContext({window: page, [browserGlobal]: api});
  for (const script of scripts) script.runInContext(context);
}

function pagePosts(message) {
  page.postMessage({ns: 'certbridge', dir: 'to-extension', ...message}, ORIGIN);
}

function toPage() {
  return page.posted.filter(({data}) => data.dir === 'to-page');
}

const request = {type: 'request', id: 'r1', command: 'status', params: {}};

beforeEach(() => loadContentScript());

describe('content script', () => {
  test('a page request opens one port, is relayed unchanged, and is accepted at once with the page origin as target', async () => {
    pagePosts(request);
    await settle();
    assert.equal(api.connectedPorts.length, 1);
    const [port] = api.connectedPorts;
    assert.equal(port.name, 'certbridge-request');
    assert.deepEqual(port.posted, [{ns: 'certbridge', dir: 'to-extension', ...request}]);
    assert.deepEqual(toPage().map(({data, targetOrigin}) => [data, targetOrigin]),
      [[{ns: 'certbridge', dir: 'to-page', type: 'accepted', id: 'r1'}, ORIGIN]]);
  });

  test('works with Firefox\'s `browser` global as well', async () => {
    loadContentScript({browserGlobal: 'browser'});
    pagePosts(request);
    await settle();
    assert.equal(api.connectedPorts.length, 1);
  });

  test('progress and the response reach the page; then the port is closed', async () => {
    pagePosts(request);
    await settle();
    const [port] = api.connectedPorts;
    port.deliver({type: 'progress', id: 'r1', progress: {stage: 'hello'}});
    port.deliver({type: 'response', id: 'r1', ok: true, result: {host: {}}});
    port.deliver({type: 'response', id: 'r1', ok: true, result: 'second answer is dropped'});
    assert.deepEqual(toPage().slice(1).map(({data}) => data), [
      {ns: 'certbridge', dir: 'to-page', type: 'progress', id: 'r1', progress: {stage: 'hello'}},
      {ns: 'certbridge', dir: 'to-page', type: 'response', id: 'r1', ok: true, result: {host: {}}},
    ]);
    assert.equal(port.disconnected, true);
  });

  test('"waiting for the user" reaches the page as a boolean', async () => {
    pagePosts(request);
    await settle();
    const [port] = api.connectedPorts;
    port.deliver({type: 'waiting', id: 'r1', waiting: true});
    port.deliver({type: 'waiting', id: 'r1', waiting: 'yes', extra: 'dropped'});
    assert.deepEqual(toPage().slice(1).map(({data}) => data), [
      {ns: 'certbridge', dir: 'to-page', type: 'waiting', id: 'r1', waiting: true},
      {ns: 'certbridge', dir: 'to-page', type: 'waiting', id: 'r1', waiting: false},
    ]);
  });

  test('a page cancel goes to the request\'s port', async () => {
    pagePosts(request);
    await settle();
    pagePosts({type: 'cancel', id: 'r1'});
    await settle();
    assert.deepEqual(api.connectedPorts[0].posted[1], {type: 'cancel', id: 'r1'});
  });

  test('a port closed without an answer gives the page INTERNAL_ERROR', async () => {
    pagePosts(request);
    await settle();
    api.connectedPorts[0].closeFromPeer();
    const last = toPage().at(-1).data;
    assert.equal(last.type, 'response');
    assert.equal(last.ok, false);
    assert.deepEqual(last.error, {code: 'INTERNAL_ERROR', message: 'i18n:error_INTERNAL_ERROR'});
  });

  test('messages from another window, another origin, another namespace, or its own replies are ignored', async () => {
    const data = {ns: 'certbridge', dir: 'to-extension', ...request};
    page.deliver(data, {source: new FakeWindow(ORIGIN)});
    page.deliver(data, {origin: 'https://evil.example'});
    page.deliver({...data, ns: 'other'});
    page.deliver({...data, dir: 'to-page'});
    await settle();
    assert.equal(api.connectedPorts.length, 0);
  });

  test('a reused id in flight is not relayed twice', async () => {
    pagePosts(request);
    pagePosts(request);
    await settle();
    assert.equal(api.connectedPorts.length, 1);
  });

  test('when the extension context is gone, nothing is accepted (the page library reports EXTENSION_UNAVAILABLE)', async () => {
    api.runtime.connect = () => { throw new Error('Extension context invalidated.'); };
    pagePosts(request);
    await settle();
    assert.equal(toPage().length, 0);
  });
});
