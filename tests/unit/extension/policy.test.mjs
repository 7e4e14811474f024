// Allowed-origin patterns, enterprise policy (storage.managed) over the built-in list, and the sender's
// origin.

import assert from 'node:assert/strict';
import {describe, test} from 'node:test';

import {builtExtension} from './helpers/build_output.mjs';
import {EXTENSION_ID, pageSender} from './helpers/fake_extension_api.mjs';

const {OriginPolicy, composePolicy, currentPolicy, parseOriginPattern} = await builtExtension('policy.js');
const {default: builtInDefaults} = await builtExtension('policy_defaults.js');
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
    assert.deepEqual(policy.rejected, ['http://ra.example', 'http://[::1]:*', 'https://*.example', 'ftp://x', 'https://ra.example/path']);
    assert.equal(policy.allows('http://localhost:3000'), true);
    // The extension does not run on IPv6 loopback pages: refused with the reason IT sees in environment().
    assert.equal(policy.allows('http://[::1]:3000'), false);
    assert.match(policy.problems.find((problem) => problem.reason.startsWith('"http://[::1]:*"')).reason,
      /use http:\/\/127\.0\.0\.1 or http:\/\/localhost/);
    assert.equal(parseOriginPattern('https://ra.example:70000'), null);
  });

  test('a host written otherwise than the browser names it is reported, not kept as a pattern that never matches', () => {
    const policy = new OriginPolicy(['https://0x7f.0.0.1', 'https://[0:0::1]:*', 'https://1.0.7', 'https://xn--bcher-k.example']);
    assert.equal(policy.patterns.length, 0);
    assert.match(policy.problems[0].reason, /the browser names this host 127\.0\.0\.1/);
    assert.match(policy.problems[1].reason, /the browser names this host \[::1\]/);
    assert.match(policy.problems[3].reason, /not a valid host/);
    assert.equal(new OriginPolicy(['https://127.0.0.1', 'https://xn--bcher-kva.example']).patterns.length, 2);
  });

  test('an entry String() cannot convert (policies.json has no schema in Firefox) is reported, not thrown', () => {
    const policy = composePolicy(builtInDefaults, JSON.parse('{"allowedOrigins": [{"toString": 1}, "https://ra.example"]}'));
    assert.equal(policy.allows('https://ra.example'), true);
    const problem = policy.report.ignored.find((entry) => entry.entry === 'allowedOrigins[0]');
    assert.match(problem.reason, /\[object Object\].*not a string/);
  });
});

const BUILT_IN = {allowedOrigins: ['https://ra.example', 'http://127.0.0.1:*', 'http://localhost:*'], allowLoopbackHttp: true};

/** A WebExtension API whose storage.managed.get() gives `data` (or fails with `error`). */
function managedApi({data, error}) {
  return {storage: {managed: {get: async () => {
    if (error) throw new Error(error);
    return structuredClone(data);
  }}}};
}

describe('enterprise policy over the built-in list', () => {
  test('no policy: the built-in list, reported as not managed', () => {
    const policy = composePolicy(BUILT_IN, {});
    assert.equal(policy.allows('https://ra.example'), true);
    assert.equal(policy.allows('http://127.0.0.1:8080'), true);
    assert.equal(policy.allows('https://other.example'), false);
    assert.deepEqual(policy.report, {managed: false, keys: [], mode: 'extend', allowLoopbackHttp: true, ignored: []});
  });

  test('allowedOrigins extends the list by default', () => {
    const policy = composePolicy(BUILT_IN, {allowedOrigins: ['https://ra2.example:*']});
    assert.equal(policy.allows('https://ra.example'), true);
    assert.equal(policy.allows('https://ra2.example:8443'), true);
    assert.equal(policy.report.managed, true);
  });

  test('allowedOriginsMode "replace" drops the built-in list', () => {
    const policy = composePolicy(BUILT_IN, {allowedOrigins: ['https://ra2.example'], allowedOriginsMode: 'replace'});
    assert.equal(policy.allows('https://ra2.example'), true);
    assert.equal(policy.allows('https://ra.example'), false);
    assert.equal(policy.allows('http://127.0.0.1:8080'), false);
    assert.equal(policy.report.mode, 'replace');
  });

  test('"replace" without allowedOrigins keeps the built-in list and says why', () => {
    const policy = composePolicy(BUILT_IN, {allowedOriginsMode: 'replace'});
    assert.equal(policy.allows('https://ra.example'), true);
    assert.equal(policy.report.mode, 'extend');
    assert.deepEqual(policy.report.ignored.map((problem) => problem.entry), ['allowedOriginsMode']);
  });

  test('allowLoopbackHttp false refuses loopback http from the built-in list and from the policy', () => {
    const policy = composePolicy(BUILT_IN, {allowLoopbackHttp: false, allowedOrigins: ['http://localhost:3000', 'https://ra2.example']});
    assert.equal(policy.allows('http://127.0.0.1:8080'), false);
    assert.equal(policy.allows('http://localhost:3000'), false);
    assert.equal(policy.allows('https://ra.example'), true);
    assert.equal(policy.allows('https://ra2.example'), true);
    assert.equal(policy.report.allowLoopbackHttp, false);
    // The built-in loopback patterns are the policy at work; the policy's own one is a mistake to report.
    assert.deepEqual(policy.report.ignored.map((problem) => problem.entry), ['allowedOrigins[0]']);
    assert.match(policy.report.ignored[0].reason, /allowLoopbackHttp/);
  });

  test('allowLoopbackHttp true allows loopback http in a build that has it off, never http elsewhere', () => {
    const strictBuild = {allowedOrigins: ['https://ra.example'], allowLoopbackHttp: false};
    assert.equal(composePolicy(strictBuild, {allowedOrigins: ['http://127.0.0.1:*']}).allows('http://127.0.0.1:8080'), false);
    const policy = composePolicy(strictBuild, {allowLoopbackHttp: true, allowedOrigins: ['http://127.0.0.1:*', 'http://ra.example']});
    assert.equal(policy.allows('http://127.0.0.1:8080'), true);
    assert.equal(policy.allows('http://ra.example'), false);
    assert.deepEqual(policy.report.ignored.map((problem) => problem.entry), ['allowedOrigins[1]']);
  });

  test('wrong values are ignored and reported, the valid rest applies', () => {
    const policy = composePolicy(BUILT_IN, {
      allowedOrigins: ['https://ra2.example', 42, 'https://*.example', null],
      allowedOriginsMode: 'merge',
      allowLoopbackHttp: 'no',
      allowedOrigin: ['https://typo.example'],
    });
    assert.equal(policy.allows('https://ra2.example'), true);
    assert.equal(policy.allows('https://ra.example'), true, 'an unknown mode does not replace the list');
    assert.equal(policy.allows('http://127.0.0.1:1'), true, 'a non-boolean allowLoopbackHttp keeps the build\'s setting');
    assert.deepEqual(policy.report.ignored.map((problem) => problem.entry).sort(), [
      'allowLoopbackHttp', 'allowedOrigin', 'allowedOriginsMode', 'allowedOrigins[1]', 'allowedOrigins[2]', 'allowedOrigins[3]']);
    for (const problem of policy.report.ignored) assert.ok(problem.reason.length > 0 && problem.reason.length < 300, problem.reason);
  });

  test('an entry with several origins separated by whitespace (the MSI\'s ALLOWEDORIGINS) allows each; a bad piece alone is reported', () => {
    const policy = composePolicy(BUILT_IN, {
      allowedOrigins: ['  https://ra2.example https://ra3.example:8443\thttps://ra4.example:*  ra5.example/path ', 'https://ra6.example', '   '],
    });
    for (const origin of ['https://ra2.example', 'https://ra3.example:8443', 'https://ra4.example:9000', 'https://ra6.example']) {
      assert.equal(policy.allows(origin), true, origin);
    }
    assert.equal(policy.allows('https://ra5.example'), false);
    assert.equal(policy.allows('https://ra3.example'), false, 'the port stays part of its piece');
    assert.deepEqual(policy.report.ignored.map((problem) => problem.entry), ['allowedOrigins[0]', 'allowedOrigins[2]']);
    assert.match(policy.report.ignored[0].reason, /^"ra5\.example\/path": not an origin pattern/);
    assert.match(policy.report.ignored[1].reason, /not an origin pattern/);
  });

  test('a policy that is not an object, or a list that is not a list, is ignored', () => {
    assert.deepEqual(composePolicy(BUILT_IN, 'https://ra2.example').report.ignored.map((problem) => problem.entry), ['(policy)']);
    const policy = composePolicy(BUILT_IN, {allowedOrigins: 'https://ra2.example'});
    assert.equal(policy.allows('https://ra2.example'), false);
    assert.equal(policy.allows('https://ra.example'), true);
    assert.deepEqual(policy.report.ignored.map((problem) => problem.entry), ['allowedOrigins']);
  });

  test('currentPolicy reads storage.managed for every call, so a change applies at once', async () => {
    const api = managedApi({data: {allowedOrigins: ['https://ra2.example']}});
    assert.equal((await currentPolicy(api)).allows('https://ra2.example'), true);
    api.storage.managed.get = async () => ({});
    assert.equal((await currentPolicy(api)).allows('https://ra2.example'), false);
  });

  test('currentPolicy without managed storage, or with none for us (Firefox), is the built-in list', async () => {
    for (const api of [undefined, {}, managedApi({error: 'Managed storage manifest not found'})]) {
      const policy = await currentPolicy(api);
      assert.deepEqual(policy.report.ignored, []);
      for (const origin of builtInDefaults.allowedOrigins.filter((text) => !text.includes('*'))) assert.equal(policy.allows(origin), true, origin);
    }
  });

  test('currentPolicy reports a managed storage it cannot read and falls back to the built-in list', async () => {
    const policy = await currentPolicy(managedApi({error: 'JSON.parse: unexpected character'}));
    assert.deepEqual(policy.report.ignored.map((problem) => problem.entry), ['(policy)']);
    assert.match(policy.report.ignored[0].reason, /unexpected character/);
    assert.equal(policy.report.managed, false);
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
