// What is in a HOME's NSS key store (~/.pki/nssdb, the one Chromium uses and CertBridge's software
// certificates and card registration change), read with the NSS tools an administrator would use:
// certutil (certificates, keys, tokens) and modutil (PKCS#11 modules). `env` carries what a registered
// module needs to find its tokens (the test bed's SOFTHSM2_CONF).
import {execFile} from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);

export const storeDir = (home) => path.join(home, '.pki', 'nssdb');
const database = (home) => `sql:${storeDir(home)}`;

async function nss(tool, args, env = {}) {
  const {stdout} = await run(tool, args, {env: {...process.env, ...env}, timeout: 30_000});
  return stdout;
}

/** Makes the store as a browser would (empty password), so a test can tell "unchanged" from "missing". */
export async function createStore(home) {
  fs.mkdirSync(storeDir(home), {recursive: true});
  await nss('certutil', ['-N', '-d', database(home), '--empty-password']);
}

/**
 * `certutil -L` (-h all: every token's, as "Token:nickname"): [{nickname, trust}].
 * @param {string} home
 * @param {{allTokens?: boolean, env?: object}} [options]
 */
export async function listedCertificates(home, {allTokens = false, env} = {}) {
  const stdout = await nss('certutil', ['-L', '-d', database(home), ...(allTokens ? ['-h', 'all'] : [])], env);
  return stdout.split('\n').map((line) => /^(.*\S)\s+([A-Za-z]*,[A-Za-z]*,[A-Za-z]*)$/.exec(line))
    .filter(Boolean).map(([, nickname, trust]) => ({nickname, trust}));
}

/** Every certificate of the store's own token, parsed (certutil -L -a per nickname; a nickname may name several). */
export async function storedCertificates(home) {
  const found = new Map();
  for (const {nickname} of await listedCertificates(home)) {
    const pem = await nss('certutil', ['-L', '-d', database(home), '-n', nickname, '-a']);
    for (const block of pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
      const certificate = new crypto.X509Certificate(block);
      found.set(certificate.fingerprint256, {nickname, certificate, serialNumber: certificate.serialNumber.toUpperCase()});
    }
  }
  return [...found.values()];
}

/** `certutil -K`: the store's private keys, "<rsa> <key id> <nickname or (orphan)>" lines (empty store password). */
export async function storedKeys(home) {
  const passwordDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certbridge-store-pw-'));
  const passwordFile = path.join(passwordDir, 'password');
  fs.writeFileSync(passwordFile, '\n');
  try {
    const stdout = await nss('certutil', ['-K', '-d', database(home), '-f', passwordFile]).catch((error) => {
      // certutil -K exits non-zero when the store holds no key at all.
      if (/no keys found/i.test(String(error.stderr) + String(error.stdout))) return '';
      throw error;
    });
    return stdout.split('\n').filter((line) => /^<\s*\d+>\s+rsa\s/.test(line));
  } finally {
    fs.rmSync(passwordDir, {recursive: true, force: true});
  }
}

/** `modutil -list`: the names of the store's PKCS#11 modules. */
export async function moduleNames(home, env) {
  const stdout = await nss('modutil', ['-list', '-dbdir', database(home)], env);
  return [...stdout.matchAll(/^\s*\d+\.\s+(.*\S)\s*$/gm)].map((match) => match[1]);
}

/** `certutil -U`: the token labels of every slot the store's modules offer. */
export async function tokenLabels(home, env) {
  const stdout = await nss('certutil', ['-U', '-d', database(home)], env);
  return [...stdout.matchAll(/^\s*token:\s+(.*\S)\s*$/gm)].map((match) => match[1]);
}
