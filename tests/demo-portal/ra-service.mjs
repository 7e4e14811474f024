// The demo RA's server side: one registered subscriber (the legacy profile's subject, with a Chinese name),
// the cards it was issued, its certificates, and the JSON API the portal pages call. Every check a real RA
// makes is here (ra-verification.mjs holds the cryptographic ones); what a real RA adds (portal accounts,
// the registration desk, revocation) is out of scope. State is in memory, for one portal run.
import crypto from 'node:crypto';
import {RaError, sealUnblockAuthorization, subjectText, verifyCertificateRequest, verifyLoginSignature,
  verifyRenewalSignature} from './ra-verification.mjs';
import {startTestCa} from './test-ca.mjs';

const DAY_MS = 24 * 60 * 60 * 1000;
const CHALLENGE_LIFETIME_MS = 2 * 60 * 1000;
const RENEWAL_LIFETIME_MS = 10 * 60 * 1000;
const MAX_BODY_BYTES = 256 * 1024;

/** The subscriber the registration desk registered (legacy subject layout, most significant first). */
export const DEMO_SUBSCRIBER = Object.freeze({
  id: 'A123456789',
  name: '王小明',
  subject: Object.freeze([
    {type: 'C', value: 'TW'},
    {type: 'O', value: 'Finance'},
    {type: 'OU', value: 'CertBridge Demo User CA'},
    {type: 'OU', value: '70759028-RA-ForTest'},
    {type: 'OU', value: '0A-TEST2'},
    {type: 'CN', value: '王小明 A123456789-00-20261121001'},
  ]),
  /** A signing and an encryption certificate with the same validity, RSA 2048 (the 2014 edition's profile). */
  keys: Object.freeze([{usage: 'signing', keySize: 2048}, {usage: 'encryption', keySize: 2048}]),
  validityYears: 2,
});

const certificateId = (certificate) => crypto.createHash('sha256').update(certificate.raw).digest('hex');

/**
 * @param {{cardAdminPin?: string|null, renewalWindowDays?: number, subscriber?: object}} options
 *   cardAdminPin: the SO PIN the CA set on the cards it issues (needed for unblock authorizations; never
 *   logged or sent anywhere but sealed into an authorization). renewalWindowDays: how long before expiry
 *   renewal opens (the legacy portal: 60).
 */
export function createRaService({cardAdminPin = null, renewalWindowDays = 60, subscriber = DEMO_SUBSCRIBER} = {}) {
  let caPromise = null;
  /** The CA is made on first use, so pages that issue nothing (the environment check) never wait for it. */
  const ca = () => (caPromise ??= startTestCa());
  const cards = new Map(); // token serial -> {label, registeredAt}
  const certificates = new Map(); // id -> record
  const renewals = new Map(); // renewalId -> {data, requests, expiresAt}
  const challenges = new Map(); // challengeId -> {challenge, expiresAt}
  const service = {origin: null, subscriber};

  function view(record) {
    return {
      id: record.id,
      edition: record.edition,
      usage: record.usage,
      subject: record.subject,
      serialNumber: record.serialNumber,
      notBefore: record.notBefore,
      notAfter: record.notAfter,
      status: record.status,
      certificate: record.pem,
    };
  }

  /**
   * The subscriber's certificates of one edition that still count (issued, on a card or in a key store,
   * not replaced by a renewal). The smart-card and the software-certificate editions renew separately:
   * a card renewal is signed by a card certificate and replaces card certificates only.
   */
  const currentCertificates = (edition) => [...certificates.values()]
    .filter((record) => record.status !== 'renewed' && record.edition === edition);

  /** The certificates a renewal would replace; refuses when there are none or renewal is not open yet. */
  function renewable(edition, now = Date.now()) {
    const current = currentCertificates(edition).filter((record) => Date.parse(record.notAfter) > now);
    if (current.length === 0) throw new RaError('NOTHING_TO_RENEW');
    const opensAt = Math.min(...current.map((record) => Date.parse(record.notAfter))) - renewalWindowDays * DAY_MS;
    if (now < opensAt) throw new RaError('RENEWAL_NOT_OPEN', new Date(opensAt).toISOString());
    return current;
  }

  async function checkRequests(requests) {
    if (!Array.isArray(requests) || requests.length !== subscriber.keys.length) {
      throw new RaError('REQUEST_INVALID', `expected ${subscriber.keys.length} requests`);
    }
    const usages = requests.map((request) => request?.usage);
    const expected = subscriber.keys.map((key) => key.usage);
    if ([...usages].sort().join() !== [...expected].sort().join()) {
      throw new RaError('REQUEST_INVALID', `requests for ${usages.join(', ')}; the registration is for ${expected.join(', ')}`);
    }
    for (const request of requests) {
      const keySize = subscriber.keys.find((key) => key.usage === request.usage).keySize;
      await verifyCertificateRequest({requestPem: request.request, expectedSubject: subscriber.subject, keySize});
    }
  }

  async function issueAll(requests, issuedFor, edition) {
    const authority = await ca();
    const issued = [];
    for (const {usage, request} of requests) {
      const pem = await authority.issue({requestPem: request, usage, validityDays: 365 * subscriber.validityYears});
      const certificate = new crypto.X509Certificate(pem);
      const record = {
        id: certificateId(certificate),
        usage,
        pem,
        subject: subjectText(subscriber.subject),
        serialNumber: certificate.serialNumber.toUpperCase(),
        notBefore: new Date(certificate.validFrom).toISOString(),
        notAfter: new Date(certificate.validTo).toISOString(),
        status: 'issued',
        issuedFor,
        edition,
      };
      certificates.set(record.id, record);
      issued.push(record);
    }
    return issued;
  }

  function registerCard(token) {
    const serial = token?.serialNumber;
    if (typeof serial !== 'string' || !/^[\x20-\x7e]{1,32}$/.test(serial)) throw new RaError('REQUEST_INVALID', 'token serial number missing');
    if (!cards.has(serial)) cards.set(serial, {label: String(token.label ?? ''), registeredAt: new Date().toISOString()});
  }

  const handlers = {
    /** The registration data the apply and renew pages show and the keys they ask the card to make. */
    'GET /api/registration': async () => ({
      subscriber: {id: subscriber.id, name: subscriber.name},
      subject: subscriber.subject,
      subjectText: subjectText(subscriber.subject),
      keys: subscriber.keys,
      validityYears: subscriber.validityYears,
      renewalWindowDays,
    }),

    /** Apply: the card's requests -> checked -> a certificate each (the page then writes them to the card). */
    'POST /api/apply': async ({requests, token}) => {
      registerCard(token);
      await checkRequests(requests);
      const issued = await issueAll(requests, 'apply', 'card');
      return {certificates: issued.map(view), caCertificate: (await ca()).certificatePem};
    },

    /**
     * Apply, software-certificate edition: the key store's requests (generateSoftwareKey) -> the same checks
     * (self-signature, the registered subject, RSA 2048) -> a certificate each, which the page installs.
     */
    'POST /api/software/apply': async ({requests}) => {
      await checkRequests(requests);
      const issued = await issueAll(requests, 'apply', 'software');
      return {certificates: issued.map(view), caCertificate: (await ca()).certificatePem};
    },

    /** Download: what the RA issued to the subscriber, for writing onto the card on any computer. */
    'GET /api/certificates': async () => ({
      certificates: [...certificates.values()].filter((record) => record.edition === 'card').map(view),
      caCertificate: (await ca()).certificatePem,
    }),

    /** Install (software edition): what the RA issued for a key store, for installing it next to its keys. */
    'GET /api/software/certificates': async () => ({
      certificates: [...certificates.values()].filter((record) => record.edition === 'software').map(view),
      caCertificate: (await ca()).certificatePem,
    }),

    /** The page reports what installCertificates stored, so the RA's table shows "in the key store". */
    'POST /api/software/certificates/installed': async ({ids}) => {
      if (!Array.isArray(ids)) throw new RaError('REQUEST_INVALID', 'ids must be a list');
      for (const id of ids) {
        const record = certificates.get(id);
        if (record?.edition === 'software' && record.status === 'issued') record.status = 'installed';
      }
      return {certificates: [...certificates.values()].filter((record) => record.edition === 'software').map(view)};
    },

    /** The page reports what writeCertificates stored, so the RA's table shows "on the card". */
    'POST /api/certificates/written': async ({ids}) => {
      if (!Array.isArray(ids)) throw new RaError('REQUEST_INVALID', 'ids must be a list');
      for (const id of ids) {
        const record = certificates.get(id);
        if (record?.edition === 'card' && record.status === 'issued') record.status = 'onCard';
      }
      return {certificates: [...certificates.values()].filter((record) => record.edition === 'card').map(view)};
    },

    /**
     * Renew, step 0: whether renewal is open, asked before any key is made on the card (or in the key store:
     * ?edition=software, as every renewal route takes `edition`, "card" by default).
     */
    'GET /api/renewal/eligibility': async (input, url) => ({renews: renewable(editionOf(url.searchParams.get('edition'))).map(view)}),

    /**
     * Renew, step 1: the new keys' requests are checked and bound into the renewal data, which the card
     * then signs with the key of the current certificate (signRenewal).
     */
    'POST /api/renewal/prepare': async ({requests, edition: asked}) => {
      const now = Date.now();
      const edition = editionOf(asked);
      const current = renewable(edition, now);
      await checkRequests(requests);
      const renewalId = crypto.randomBytes(16).toString('hex');
      const data = Buffer.from(JSON.stringify({
        type: 'CertBridge demo RA renewal',
        renewalId,
        edition,
        subscriber: subscriber.id,
        renews: current.map((record) => record.serialNumber),
        requests: requests.map(({usage, request}) => ({usage, sha256: crypto.createHash('sha256').update(request).digest('hex')})),
        preparedAt: new Date(now).toISOString(),
      }), 'utf8');
      renewals.set(renewalId, {data, requests, edition, expiresAt: now + RENEWAL_LIFETIME_MS});
      return {renewalId, data: data.toString('base64'), renews: current.map(view)};
    },

    /**
     * Renew, step 2: the CMS signature must verify against a current certificate of the renewal's edition
     * (a card renewal signed with a key-store certificate, or the other way round, is refused); then the new
     * ones are issued.
     */
    'POST /api/renewal/complete': async ({renewalId, signature}) => {
      const renewal = renewals.get(renewalId);
      renewals.delete(renewalId); // one attempt per prepared renewal
      if (!renewal || renewal.expiresAt < Date.now()) throw new RaError('RENEWAL_UNKNOWN');
      const signer = await verifyRenewalSignature({signature, expectedData: renewal.data, caCertificatePem: (await ca()).certificatePem});
      const signerRecord = certificates.get(certificateId(signer));
      if (!signerRecord || signerRecord.status === 'renewed' || signerRecord.edition !== renewal.edition) {
        throw new RaError('CERTIFICATE_UNKNOWN', `the signer is not a current ${renewal.edition} certificate`);
      }
      if (Date.parse(signerRecord.notAfter) < Date.now()) throw new RaError('CERTIFICATE_EXPIRED', signerRecord.notAfter);
      const replaced = currentCertificates(renewal.edition);
      const issued = await issueAll(renewal.requests, 'renewal', renewal.edition);
      for (const record of replaced) record.status = 'renewed';
      return {
        certificates: issued.map(view),
        caCertificate: (await ca()).certificatePem,
        signedWith: view(signerRecord),
        replaces: replaced.map(view),
      };
    },

    /** Card login, step 1: a fresh random challenge, usable once within two minutes. */
    'POST /api/login/challenge': async () => {
      const challengeId = crypto.randomBytes(16).toString('hex');
      const challenge = crypto.randomBytes(32);
      challenges.set(challengeId, {challenge, expiresAt: Date.now() + CHALLENGE_LIFETIME_MS});
      return {challengeId, challenge: challenge.toString('base64')};
    },

    /** Card login, step 2: the origin-bound signature (verified with this portal's own origin). */
    'POST /api/login': async ({challengeId, signature, certificate}) => {
      const entry = challenges.get(challengeId);
      challenges.delete(challengeId);
      if (!entry || entry.expiresAt < Date.now()) throw new RaError('CHALLENGE_UNKNOWN');
      const verified = verifyLoginSignature({origin: service.origin, challenge: entry.challenge, signature,
        certificatePem: certificate, caCertificate: (await ca()).certificate});
      const record = certificates.get(certificateId(verified));
      if (!record || record.status === 'renewed') throw new RaError('CERTIFICATE_UNKNOWN', 'not a current certificate of a subscriber');
      return {subscriber: {id: subscriber.id, name: subscriber.name}, certificate: view(record)};
    },

    /**
     * Unlock, step 1 on the server: the card named by the unblockRequest ticket must be one the RA issued;
     * the answer is the SO PIN sealed to that host's one-time key (sealUnblockAuthorization).
     */
    'POST /api/unblock/authorize': async ({ticket}) => {
      const serial = ticket?.token?.serialNumber;
      if (!cards.has(serial)) throw new RaError('CARD_NOT_REGISTERED', String(serial ?? ''));
      if (typeof ticket.expiresAt !== 'string' || Date.parse(ticket.expiresAt) < Date.now()) throw new RaError('UNBLOCK_REQUEST_INVALID', 'expired');
      if (!Number.isInteger(ticket.pinGroup) || ticket.pinGroup < 0 || ticket.pinGroup > 3) throw new RaError('UNBLOCK_REQUEST_INVALID', 'pinGroup');
      if (!cardAdminPin) throw new RaError('UNBLOCK_NOT_CONFIGURED', '', 503);
      const authorization = sealUnblockAuthorization({requestId: String(ticket.requestId ?? ''), hostPublicKey: String(ticket.hostPublicKey ?? ''),
        serialNumber: serial, pinGroup: ticket.pinGroup, soPin: cardAdminPin});
      return {authorization};
    },
  };

  /** The API as the portal's routes: "METHOD path" -> (request, response). */
  service.routes = () => Object.fromEntries(Object.entries(handlers).map(([route, handler]) => [route, async (request, response) => {
    let status = 200;
    let body;
    try {
      const input = route.startsWith('POST ') ? await readJson(request) : {};
      body = await handler(input, new URL(request.url, 'http://portal.invalid'));
    } catch (error) {
      if (error instanceof RaError) {
        status = error.status;
        body = {error: {code: error.code, detail: error.detail}};
      } else {
        status = 500;
        body = {error: {code: 'RA_INTERNAL', detail: String(error?.message ?? error)}};
      }
    }
    response.writeHead(status, {'content-type': 'application/json; charset=utf-8'});
    response.end(JSON.stringify(body));
  }]));

  /** What the RA holds now (for tests and the demo's printout). */
  service.snapshot = () => ({cards: [...cards.keys()], certificates: [...certificates.values()].map(view)});
  service.caCertificatePem = async () => (await ca()).certificatePem;
  service.close = async () => {
    if (caPromise) (await caPromise.catch(() => null))?.close();
  };
  return service;
}

const EDITIONS = ['card', 'software'];

/** The edition a renewal is for: "card" (the default) or "software"; anything else is refused. */
function editionOf(asked) {
  if (asked === undefined || asked === null) return 'card';
  if (!EDITIONS.includes(asked)) throw new RaError('REQUEST_INVALID', `edition must be one of ${EDITIONS.join(', ')}`);
  return asked;
}

function readJson(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new RaError('REQUEST_INVALID', 'request too large', 413));
        request.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    request.on('end', () => {
      try {
        const value = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
        resolve(value);
      } catch {
        reject(new RaError('REQUEST_INVALID', 'the body is not a JSON object'));
      }
    });
    request.on('error', reject);
  });
}
