// What an RA server must check and build for the CertBridge card operations: the reference implementation
// that extension/page-library/INTEGRATION.md describes step by step. Node's node:crypto for signatures and
// the unblock authorization; the openssl CLI where Node has no parser (PKCS#10, CMS).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {openssl} from './test-ca.mjs';

/** A refusal the RA explains to the user: `code` is a key of the portal's texts (portal-text.js, "ra.error.*"). */
export class RaError extends Error {
  constructor(code, detail = '', status = 400) {
    super(`${code}${detail ? `: ${detail}` : ''}`);
    this.code = code;
    this.detail = detail;
    this.status = status;
  }
}

/** "C=TW, O=..., CN=王小明": a subject as openssl prints it with -nameopt utf8,sep_comma_plus_space. */
export function subjectText(subject) {
  return subject.map(({type, value}) => `${type}=${value}`).join(', ');
}

const NAME_OPTIONS = ['-nameopt', 'utf8,sep_comma_plus_space'];

/**
 * A PKCS#10 request from generateKeyPair, checked before anything is issued:
 * 1. its self-signature verifies (the card holds the private key of the public key it names);
 * 2. its subject is exactly the one the RA registered (the page cannot pick another);
 * 3. its key is RSA of the size the RA's profile demands.
 * @returns {Promise<{subject: string, publicKey: crypto.KeyObject}>}
 */
export async function verifyCertificateRequest({requestPem, expectedSubject, keySize = 2048}) {
  if (typeof requestPem !== 'string' || !/^-----BEGIN CERTIFICATE REQUEST-----\r?\n/.test(requestPem) || requestPem.length > 16_384) {
    throw new RaError('REQUEST_INVALID', 'not a PEM certificate request');
  }
  let subject;
  let publicKeyPem;
  try {
    // OpenSSL 3.0's `req -verify` exits 0 either way: its verdict is the line on stderr.
    const {stderr} = await openssl(['req', '-verify', '-noout'], {input: requestPem, withStderr: true});
    if (!/verify OK/.test(stderr)) throw new Error(stderr.trim() || 'the self-signature does not verify');
    subject = (await openssl(['req', '-noout', '-subject', ...NAME_OPTIONS], {input: requestPem})).toString('utf8')
      .replace(/^subject=\s*/, '').trim();
    publicKeyPem = (await openssl(['req', '-noout', '-pubkey'], {input: requestPem})).toString('utf8');
  } catch (error) {
    throw new RaError('REQUEST_INVALID', error.message);
  }
  if (subject !== subjectText(expectedSubject)) {
    throw new RaError('SUBJECT_MISMATCH', `request names "${subject}", the RA registered "${subjectText(expectedSubject)}"`);
  }
  const publicKey = crypto.createPublicKey(publicKeyPem);
  if (publicKey.asymmetricKeyType !== 'rsa' || publicKey.asymmetricKeyDetails.modulusLength !== keySize) {
    throw new RaError('KEY_SIZE', `${publicKey.asymmetricKeyType} ${publicKey.asymmetricKeyDetails?.modulusLength} bit, RSA ${keySize} required`);
  }
  return {subject, publicKey};
}

/**
 * A renewal signature from signRenewal (CMS SignedData, DER), checked against the renewal data the RA
 * handed out: the CMS verifies (signature, and the signer certificate chains to the RA's CA), its content
 * is exactly `expectedData`, and the signer certificate is returned for the caller to match against the
 * subscriber's current certificates.
 * @returns {Promise<crypto.X509Certificate>} the signer's certificate
 */
export async function verifyRenewalSignature({signature, expectedData, caCertificatePem}) {
  const der = Buffer.from(String(signature ?? ''), 'base64');
  if (der.length === 0) throw new RaError('SIGNATURE_INVALID', 'no signature');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certbridge-demo-cms-'));
  try {
    fs.writeFileSync(path.join(dir, 'ca.pem'), caCertificatePem);
    let content;
    try {
      // -purpose any: the signing certificate's key usage (digitalSignature, nonRepudiation) is what the
      // RA issued; S/MIME's extended key usage checks do not apply to a renewal.
      content = await openssl(['cms', '-verify', '-inform', 'DER', '-binary', '-CAfile', path.join(dir, 'ca.pem'),
        '-purpose', 'any', '-signer', path.join(dir, 'signer.pem')], {input: der});
    } catch (error) {
      throw new RaError('SIGNATURE_INVALID', error.message);
    }
    if (!content.equals(expectedData)) throw new RaError('SIGNATURE_INVALID', 'the signed content is not this renewal\'s data');
    return new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'signer.pem')));
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

/** The 64 bytes the card signs for a card login: SHA-256(origin) || SHA-256(challenge). */
export function loginSignedMessage(origin, challenge) {
  const sha256 = (data) => crypto.createHash('sha256').update(data).digest();
  return Buffer.concat([sha256(Buffer.from(origin, 'utf8')), sha256(challenge)]);
}

/**
 * A card-login answer from authenticate: the certificate was issued by the RA's CA and is valid now, and
 * its key signed SHA-256(origin) || SHA-256(challenge) for THIS portal's origin (never the origin the
 * answer names) with RSA PKCS#1 v1.5 / SHA-256.
 * @returns {crypto.X509Certificate} the verified certificate
 */
export function verifyLoginSignature({origin, challenge, signature, certificatePem, caCertificate, now = new Date()}) {
  let certificate;
  try {
    certificate = new crypto.X509Certificate(certificatePem);
  } catch {
    throw new RaError('CERTIFICATE_UNKNOWN', 'not a certificate');
  }
  if (!certificate.checkIssued(caCertificate) || !certificate.verify(caCertificate.publicKey)) {
    throw new RaError('CERTIFICATE_UNKNOWN', 'not issued by this RA\'s CA');
  }
  if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) {
    throw new RaError('CERTIFICATE_EXPIRED', certificate.validTo);
  }
  const signed = loginSignedMessage(origin, challenge);
  const ok = crypto.verify('sha256', signed, {key: certificate.publicKey, padding: crypto.constants.RSA_PKCS1_PADDING},
    Buffer.from(String(signature ?? ''), 'base64'));
  if (!ok) throw new RaError('SIGNATURE_INVALID', 'the login signature does not verify for this origin and challenge');
  return certificate;
}

export const UNBLOCK_INFO = 'CertBridge unblock v1';

/**
 * The unblock authorization for an unblockRequest ticket (the Node twin of the host's
 * sealUnblockAuthorization): the card's SO PIN, sealed to the host's one-time P-256 key so that only that
 * host process, for that request, card and PIN group, can open it.
 * @param {{requestId: string, hostPublicKey: string, serialNumber: string, pinGroup: number, soPin: string}} ticket
 */
export function sealUnblockAuthorization({requestId, hostPublicKey, serialNumber, pinGroup, soPin}) {
  if (!/^[0-9a-f]{32}$/.test(requestId)) throw new RaError('UNBLOCK_REQUEST_INVALID', 'requestId must be 32 hex digits');
  let hostKey;
  try {
    hostKey = crypto.createPublicKey({key: Buffer.from(hostPublicKey, 'base64'), format: 'der', type: 'spki'});
  } catch {
    throw new RaError('UNBLOCK_REQUEST_INVALID', 'hostPublicKey is not a SubjectPublicKeyInfo');
  }
  if (hostKey.asymmetricKeyType !== 'ec' || hostKey.asymmetricKeyDetails.namedCurve !== 'prime256v1') {
    throw new RaError('UNBLOCK_REQUEST_INVALID', 'hostPublicKey is not a P-256 key');
  }
  // 1. An ephemeral P-256 key pair of our own; 2. the shared secret.
  const ephemeral = crypto.generateKeyPairSync('ec', {namedCurve: 'prime256v1'});
  const secret = crypto.diffieHellman({privateKey: ephemeral.privateKey, publicKey: hostKey});
  // 3. HKDF-SHA256, salt = the request id's 16 bytes, info = "CertBridge unblock v1".
  const key = Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.from(requestId, 'hex'), UNBLOCK_INFO, 32));
  // 4. AES-256-GCM over the SO PIN, bound to request, card and PIN group by the additional data.
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${UNBLOCK_INFO}|${requestId}|${serialNumber}|${pinGroup}`, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(soPin, 'utf8'), cipher.final()]);
  return {
    version: 1,
    requestId,
    raPublicKey: ephemeral.publicKey.export({format: 'der', type: 'spki'}).toString('base64'),
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}
