// Allowed-origin patterns and the sender's origin.

import assert from 'node:assert/strict';
import {describe, test} from 'node:test';

import {builtExtension} from './helpers/build_output.mjs';
import {EXTENSION_ID, pageSender} from './helpers/fake_extension_api.mjs';

const {OriginPolicy, parseOriginPattern} = await builtExtension('policy.js');
const {senderOrigin} = await builtExtension('sender_origin.js');

describe('origin patterns', () => {
  test('exact origins, explicit ports and any port', () => {
    const policy = new OriginPolicy(['https://ra.example', 'https://ra2.example:8443', 'http://127.0.0.1:*', 'https://RA3.example:443']);
    assert.deepEqual(policy.rejected, []);
    assert.equal(policy.allows('https://ra.example'), true);
    assert.equal(policy.allows('https://ra.example:8443'), false);
    assert.equal(policy.allows('https://ra2.example:8443'), true);
    assert.equal(policy.allows('https://ra2.example'), false);
    assert.equal(policy.allows('http://127.0.0.1:8080'), true);
    assert.equal(policy.allows('http://127.0.0.1'), true);
    assert.equal(policy.allows('https://127.0.0.1:8080'), false);
    assert.equal(policy.allows('https://ra3.example'), true);
    assert.equal(policy.allows('http://ra.example'), false);
    assert.equal(policy.allows('https://sub.ra.example'), false);
    assert.equal(policy.allows('https://ra.example.evil.example'), false);
    assert.equal(policy.allows('not an origin'), false);
  });

  test('plain http only for loopback hosts; malformed patterns are rejected', () => {
    const policy = new OriginPolicy(['http://ra.example', 'http://localhost:*', 'http://[::1]:*', 'https://*.example', 'ftp://x', 'https://ra.example/path']);
    assert.deepEqual(policy.rejected, ['http://ra.example', 'https://*.example', 'ftp://x', 'https://ra.example/path']);
    assert.equal(policy.allows('http://localhost:3000'), true);
    assert.equal(policy.allows('http://[::1]:3000'), true);
    assert.equal(parseOriginPattern('https://ra.example:70000'), null);
  });
});

describe('sender origin', () => {
  test('sender.origin, else the origin of sender.url', () => {
    assert.equal(senderOrigin(pageSender('https://ra.example'), EXTENSION_ID), 'https://ra.example');
    assert.equal(senderOrigin(pageSender('https://ra.example:8443', {withOrigin: false}), EXTENSION_ID), 'https://ra.example:8443');
  });

  test('no origin for other extensions, frames, tabless senders, opaque or non-http origins', () => {
    assert.equal(senderOrigin(pageSender('https://ra.example'), 'another-extension'), null);
    assert.equal(senderOrigin({...pageSender('https://ra.example'), frameId: 1}, EXTENSION_ID), null);
    assert.equal(senderOrigin({...pageSender('https://ra.example'), tab: undefined}, EXTENSION_ID), null);
    assert.equal(senderOrigin({...pageSender('https://ra.example'), origin: 'null'}, EXTENSION_ID), null);
    assert.equal(senderOrigin({...pageSender('https://ra.example'), origin: 'file://'}, EXTENSION_ID), null);
    assert.equal(senderOrigin({...pageSender('https://ra.example'), origin: `https://${'a'.repeat(300)}.example`}, EXTENSION_ID), null);
    assert.equal(senderOrigin(undefined, EXTENSION_ID), null);
  });
});
