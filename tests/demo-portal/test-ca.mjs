// The demo portal's certificate authority: an OpenSSL CA made fresh for each portal run (its key lives in a
// private temporary directory that close() deletes). It issues subscriber certificates shaped like the
// legacy portal's: the subject the RA registered (with its OU chain and a UTF-8 Chinese name, taken from
// the request exactly as the card encoded it), one- or two-year validity, a random 128-bit serial, and the
// key usage of a signing or an encryption certificate.
import {execFile} from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);

export const CA_SUBJECT = '/C=TW/O=CertBridge Demo/OU=Evaluation Only/CN=CertBridge Demo User CA';

/** The X.509 extensions of each certificate kind (an openssl -extfile). */
const EXTENSIONS = `
[signing]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[encryption]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment, dataEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[dual]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/**
 * Runs openssl with `input` on stdin; rejects with openssl's own words. Resolves to stdout, or to
 * {stdout, stderr} with `withStderr` (some verdicts, e.g. `req -verify`'s, are only on stderr).
 */
export async function openssl(args, {input, cwd, withStderr = false} = {}) {
  const child = run('openssl', args, {cwd, encoding: 'buffer', maxBuffer: 16 * 1024 * 1024});
  child.child.stdin.on('error', () => {}); // openssl may exit before reading everything
  child.child.stdin.end(input ?? '');
  try {
    const {stdout, stderr} = await child;
    return withStderr ? {stdout, stderr: stderr.toString('utf8')} : stdout;
  } catch (error) {
    const said = error.stderr?.toString().trim().split('\n').slice(0, 3).join(' / ');
    throw new Error(`openssl ${args[0]} failed: ${said || error.message}`);
  }
}

/**
 * Starts a CA in a new private directory.
 * @returns {Promise<{certificatePem: string, certificate: crypto.X509Certificate, dir: string,
 *   issue: (options: {requestPem: string, usage: 'signing'|'encryption'|'dual', validityDays: number}) => Promise<string>,
 *   close: () => void}>}
 */
export async function startTestCa() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certbridge-demo-ca-'));
  fs.chmodSync(dir, 0o700);
  const file = (name) => path.join(dir, name);
  fs.writeFileSync(file('extensions.cnf'), EXTENSIONS);
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'),
    '-days', '3650', '-sha256', '-utf8', '-subj', CA_SUBJECT,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash']);
  const certificatePem = fs.readFileSync(file('ca.pem'), 'utf8');
  let issued = 0;
  return {
    dir,
    certificatePem,
    certificate: new crypto.X509Certificate(certificatePem),
    /** Signs a (checked) PKCS#10 request; the subject and public key come from the request. */
    async issue({requestPem, usage, validityDays}) {
      if (!['signing', 'encryption', 'dual'].includes(usage)) throw new Error(`unknown certificate usage ${usage}`);
      // A positive 128-bit serial, like the legacy CA's (400132DF7D68C75E2D632ACA246CAB70).
      const serial = crypto.randomBytes(16);
      serial[0] = (serial[0] & 0x7f) | 0x10;
      const requestFile = file(`request-${++issued}.pem`);
      fs.writeFileSync(requestFile, requestPem);
      try {
        const pem = await openssl(['x509', '-req', '-in', requestFile, '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
          '-set_serial', `0x${serial.toString('hex')}`, '-days', String(validityDays), '-sha256',
          '-extfile', file('extensions.cnf'), '-extensions', usage]);
        return pem.toString('utf8');
      } finally {
        fs.rmSync(requestFile, {force: true});
      }
    },
    close: () => fs.rmSync(dir, {recursive: true, force: true}),
  };
}
