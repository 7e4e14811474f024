// The demo RA's server checks without a browser or a card: requests and signatures made here with OpenSSL
// and node:crypto stand in for the card's, so each refusal can be provoked (wrong subject, wrong key size,
// a login signature made for another origin, a renewal signed over other data, a tampered authorization).
// Run: node --test tests/demo-portal/ra-service.test.mjs
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {startDemoPortal} from './portal.mjs';
import {loginSignedMessage, subjectText, UNBLOCK_INFO} from './ra-verification.mjs';
import {DEMO_SUBSCRIBER} from './ra-service.mjs';
import {openssl} from './test-ca.mjs';

const SO_PIN = '87654321';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'certbridge-ra-test-'));
let portal;

const call = async (method, route, body) => {
  const response = await fetch(new URL(route, portal.url), {method, headers: {'content-type': 'application/json'},
    body: body ? JSON.stringify(body) : undefined});
  return {status: response.status, body: await response.json()};
};

/** A key and a PKCS#10 request as the card would make them (UTF-8 subject, SHA-256). */
async function cardRequest(usage, {subject = DEMO_SUBSCRIBER.subject, bits = 2048} = {}) {
  const keyFile = path.join(tmp, `${usage}-${crypto.randomUUID()}.key`);
  const subj = '/' + subject.map(({type, value}) => `${type}=${value}`).join('/');
  const request = (await openssl(['req', '-new', '-newkey', `rsa:${bits}`, '-nodes', '-keyout', keyFile, '-subj', subj, '-utf8', '-sha256'])).toString();
  return {usage, request, key: crypto.createPrivateKey(fs.readFileSync(keyFile))};
}

async function applyFor(token = {label: 'CertBridge Card', serialNumber: 'ab12cd34ef560001'}) {
  const requests = [await cardRequest('signing'), await cardRequest('encryption')];
  const answer = await call('POST', '/api/apply', {token, requests: requests.map(({usage, request}) => ({usage, request}))});
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return {requests, ...answer.body};
}

before(async () => {
  portal = await startDemoPortal({pageLibraryDir: tmp, cardAdminPin: SO_PIN, renewalWindowDays: 730});
});
after(async () => {
  await portal?.close();
  fs.rmSync(tmp, {recursive: true, force: true});
});

describe('apply', () => {
  test('issues a signing and an encryption certificate with the registered UTF-8 subject, 2 years, 128-bit serial', async () => {
    const {certificates, caCertificate} = await applyFor();
    assert.deepEqual(certificates.map((c) => c.usage), ['signing', 'encryption']);
    for (const issued of certificates) {
      const text = (await openssl(['x509', '-noout', '-subject', '-issuer', '-serial', '-ext', 'keyUsage', '-nameopt', 'utf8,sep_comma_plus_space'],
        {input: issued.certificate})).toString();
      assert.match(text, /subject=C=TW, O=Finance, OU=CertBridge Demo User CA, OU=70759028-RA-ForTest, OU=0A-TEST2, CN=王小明 A123456789-00-20261121001/);
      assert.match(text, /issuer=C=TW, O=CertBridge Demo, OU=Evaluation Only, CN=CertBridge Demo User CA/);
      assert.match(text, /serial=[0-9A-F]{32}\n/);
      assert.match(text, issued.usage === 'signing' ? /Digital Signature, Non Repudiation/ : /Key Encipherment, Data Encipherment/);
      const days = (Date.parse(issued.notAfter) - Date.parse(issued.notBefore)) / 86_400_000;
      assert.ok(Math.abs(days - 730) < 1, `validity ${days} days`);
      assert.ok(new crypto.X509Certificate(issued.certificate).checkIssued(new crypto.X509Certificate(caCertificate)));
    }
  });

  test('refuses a request for another subject, a 1024-bit key and a tampered request', async () => {
    const other = await cardRequest('signing', {subject: [{type: 'C', value: 'TW'}, {type: 'CN', value: '陳大文'}]});
    const encryption = await cardRequest('encryption');
    let answer = await call('POST', '/api/apply', {token: {serialNumber: '1'}, requests: [other, encryption].map(({usage, request}) => ({usage, request}))});
    assert.equal(answer.body.error.code, 'SUBJECT_MISMATCH');
    const small = await cardRequest('signing', {bits: 1024});
    answer = await call('POST', '/api/apply', {token: {serialNumber: '1'}, requests: [small, encryption].map(({usage, request}) => ({usage, request}))});
    assert.equal(answer.body.error.code, 'KEY_SIZE');
    const good = await cardRequest('signing');
    const der = Buffer.from(good.request.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 5] ^= 0xff; // the self-signature no longer verifies
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    answer = await call('POST', '/api/apply', {token: {serialNumber: '1'}, requests: [{usage: 'signing', request: tampered}, {usage: 'encryption', request: encryption.request}]});
    assert.equal(answer.body.error.code, 'REQUEST_INVALID');
  });
});

describe('card login', () => {
  test('verifies only a signature over this portal\'s origin and the challenge it issued, once', async () => {
    const {requests, certificates} = await applyFor();
    const key = requests[0].key;
    const sign = async (origin) => {
      const {body} = await call('POST', '/api/login/challenge');
      const message = loginSignedMessage(origin, Buffer.from(body.challenge, 'base64'));
      return {challengeId: body.challengeId, signature: crypto.sign('sha256', message, key).toString('base64'), certificate: certificates[0].certificate};
    };
    const good = await sign(portal.origin);
    let answer = await call('POST', '/api/login', good);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.subscriber.name, '王小明');
    answer = await call('POST', '/api/login', good);
    assert.equal(answer.body.error.code, 'CHALLENGE_UNKNOWN', 'a challenge works once');
    answer = await call('POST', '/api/login', await sign('https://evil.example'));
    assert.equal(answer.body.error.code, 'SIGNATURE_INVALID', 'a signature made for another origin does not verify');
  });
});

describe('renewal', () => {
  test('verifies the CMS signature over exactly the renewal data, by a current certificate, then issues', async () => {
    const {requests, certificates} = await applyFor();
    const fresh = [await cardRequest('signing'), await cardRequest('encryption')];
    const prepare = async () => (await call('POST', '/api/renewal/prepare', {requests: fresh.map(({usage, request}) => ({usage, request}))})).body;
    const cms = async (data, key, certificate) => {
      fs.writeFileSync(path.join(tmp, 'signer.key'), key.export({format: 'pem', type: 'pkcs8'}));
      fs.writeFileSync(path.join(tmp, 'signer.pem'), certificate);
      return (await openssl(['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-md', 'sha256',
        '-signer', path.join(tmp, 'signer.pem'), '-inkey', path.join(tmp, 'signer.key')], {input: data})).toString('base64');
    };
    let prepared = await prepare();
    assert.ok(prepared.renewalId, JSON.stringify(prepared));
    let answer = await call('POST', '/api/renewal/complete', {renewalId: prepared.renewalId,
      signature: await cms(Buffer.from('other data'), requests[0].key, certificates[0].certificate)});
    assert.equal(answer.body.error.code, 'SIGNATURE_INVALID');
    prepared = await prepare();
    const stranger = await cardRequest('signing');
    fs.writeFileSync(path.join(tmp, 'stranger.key'), stranger.key.export({format: 'pem', type: 'pkcs8'}));
    const selfSigned = (await openssl(['req', '-x509', '-new', '-key', path.join(tmp, 'stranger.key'), '-subj', '/CN=stranger', '-days', '30'])).toString();
    answer = await call('POST', '/api/renewal/complete', {renewalId: prepared.renewalId,
      signature: await cms(Buffer.from(prepared.data, 'base64'), stranger.key, selfSigned)});
    assert.equal(answer.body.error.code, 'SIGNATURE_INVALID', 'a signer outside the RA\'s CA');
    prepared = await prepare();
    answer = await call('POST', '/api/renewal/complete', {renewalId: prepared.renewalId,
      signature: await cms(Buffer.from(prepared.data, 'base64'), requests[0].key, certificates[0].certificate)});
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.signedWith.id, certificates[0].id);
    assert.equal(answer.body.certificates.length, 2);
    assert.ok(answer.body.replaces.some((record) => record.id === certificates[0].id));
    assert.equal(subjectText(DEMO_SUBSCRIBER.subject), answer.body.certificates[0].subject);
  });
});

describe('software-certificate edition', () => {
  test('issues for key-store requests; its renewal takes a key-store certificate\'s signature only, and replaces only key-store certificates', async () => {
    const cms = async (data, key, certificate) => {
      fs.writeFileSync(path.join(tmp, 'soft-signer.key'), key.export({format: 'pem', type: 'pkcs8'}));
      fs.writeFileSync(path.join(tmp, 'soft-signer.pem'), certificate);
      return (await openssl(['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-md', 'sha256',
        '-signer', path.join(tmp, 'soft-signer.pem'), '-inkey', path.join(tmp, 'soft-signer.key')], {input: data})).toString('base64');
    };
    const card = await applyFor();
    const storeRequests = [await cardRequest('signing'), await cardRequest('encryption')];
    let answer = await call('POST', '/api/software/apply', {requests: storeRequests.map(({usage, request}) => ({usage, request}))});
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const software = answer.body.certificates;
    assert.deepEqual(software.map((c) => [c.usage, c.edition, c.status]), [['signing', 'software', 'issued'], ['encryption', 'software', 'issued']]);
    const listed = (await call('GET', '/api/software/certificates')).body.certificates;
    assert.deepEqual(listed.map((c) => c.id).sort(), software.map((c) => c.id).sort(), 'the install page lists key-store certificates only');
    assert.ok(!(await call('GET', '/api/certificates')).body.certificates.some((c) => c.edition === 'software'), 'the card download page none of them');
    answer = await call('POST', '/api/software/certificates/installed', {ids: software.map((c) => c.id)});
    assert.ok(answer.body.certificates.filter((c) => software.some((s) => s.id === c.id)).every((c) => c.status === 'installed'));

    const fresh = [await cardRequest('signing'), await cardRequest('encryption')].map(({usage, request}) => ({usage, request}));
    answer = await call('POST', '/api/renewal/prepare', {requests: fresh, edition: 'paper'});
    assert.equal(answer.body.error.code, 'REQUEST_INVALID');
    let prepared = (await call('POST', '/api/renewal/prepare', {requests: fresh, edition: 'software'})).body;
    assert.ok(prepared.renews.every((record) => record.edition === 'software'), JSON.stringify(prepared.renews));
    answer = await call('POST', '/api/renewal/complete', {renewalId: prepared.renewalId,
      signature: await cms(Buffer.from(prepared.data, 'base64'), card.requests[0].key, card.certificates[0].certificate)});
    assert.equal(answer.body.error.code, 'CERTIFICATE_UNKNOWN', 'a card certificate cannot sign a key-store renewal');
    prepared = (await call('POST', '/api/renewal/prepare', {requests: fresh, edition: 'software'})).body;
    answer = await call('POST', '/api/renewal/complete', {renewalId: prepared.renewalId,
      signature: await cms(Buffer.from(prepared.data, 'base64'), storeRequests[0].key, software[0].certificate)});
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.ok(answer.body.certificates.every((c) => c.edition === 'software'));
    assert.deepEqual(answer.body.replaces.map((c) => c.id).sort(), software.map((c) => c.id).sort(), 'the card certificates stay');
  });
});

describe('renewal window', () => {
  test('renewal opens 60 days before expiry by default: fresh certificates are refused before any key is made', async () => {
    const legacy = await startDemoPortal({pageLibraryDir: tmp});
    try {
      const ask = async () => (await fetch(new URL('/api/renewal/eligibility', legacy.url))).json();
      assert.equal((await ask()).error.code, 'NOTHING_TO_RENEW');
      const requests = [await cardRequest('signing'), await cardRequest('encryption')];
      const applied = await fetch(new URL('/api/apply', legacy.url), {method: 'POST', headers: {'content-type': 'application/json'},
        body: JSON.stringify({token: {serialNumber: '42'}, requests: requests.map(({usage, request}) => ({usage, request}))})});
      assert.equal(applied.status, 200);
      const refused = await ask();
      assert.equal(refused.error.code, 'RENEWAL_NOT_OPEN');
      const opensAt = Date.parse(refused.error.detail);
      assert.ok(Math.abs(opensAt - (Date.now() + (730 - 60) * 86_400_000)) < 2 * 86_400_000, refused.error.detail);
    } finally {
      await legacy.close();
    }
  });
});

describe('unblock authorization', () => {
  test('only the host key of the request opens it, and only with the request, card and PIN group it names', async () => {
    const serialNumber = 'ab12cd34ef569999';
    await applyFor({label: 'CertBridge Card', serialNumber});
    const host = crypto.generateKeyPairSync('ec', {namedCurve: 'prime256v1'});
    const requestId = crypto.randomBytes(16).toString('hex');
    const ticket = {token: {serialNumber}, pinGroup: 0, requestId, expiresAt: new Date(Date.now() + 600_000).toISOString(),
      hostPublicKey: host.publicKey.export({format: 'der', type: 'spki'}).toString('base64')};
    const {body} = await call('POST', '/api/unblock/authorize', {ticket});
    const {authorization} = body;
    assert.equal(authorization.version, 1);
    const open = (aad) => {
      const raKey = crypto.createPublicKey({key: Buffer.from(authorization.raPublicKey, 'base64'), format: 'der', type: 'spki'});
      const secret = crypto.diffieHellman({privateKey: host.privateKey, publicKey: raKey});
      const key = Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.from(requestId, 'hex'), UNBLOCK_INFO, 32));
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(authorization.iv, 'base64'));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(Buffer.from(authorization.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(authorization.ciphertext, 'base64')), decipher.final()]).toString();
    };
    assert.equal(open(`${UNBLOCK_INFO}|${requestId}|${serialNumber}|0`), SO_PIN);
    assert.throws(() => open(`${UNBLOCK_INFO}|${requestId}|${serialNumber}|1`), /unable to authenticate/);
    assert.throws(() => open(`${UNBLOCK_INFO}|${requestId}|othercard|0`), /unable to authenticate/);
    const unknown = await call('POST', '/api/unblock/authorize', {ticket: {...ticket, token: {serialNumber: 'not-issued-by-us'}}});
    assert.equal(unknown.body.error.code, 'CARD_NOT_REGISTERED');
  });
});
