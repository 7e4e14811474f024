// What is on the test bed's token after a flow, read with the tools an administrator would use:
// pkcs11-tool lists the objects (and the token's PIN flags), openssl reads a certificate read off the card.
// Runs through `testbed.sh exec`, so the openCryptoki token (in its own namespace) is read the same way.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);
const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

/** The module and token of the bed's SoftHSM2 card, or (ock) of its openCryptoki token. */
export function tokenOf(bed, {ock = false} = {}) {
  return ock
    ? {module: bed.env.CERTBRIDGE_TESTBED_OCK_MODULE, label: bed.env.CERTBRIDGE_TESTBED_OCK_TOKEN}
    : {module: SOFTHSM_MODULE, label: bed.env.CERTBRIDGE_TESTBED_TOKEN};
}

/** The slots of a module as pkcs11-tool lists them: [{slot: '0x...', block: text}]. */
async function slots(bed, module) {
  const {stdout} = await bed.exec('pkcs11-tool', '--module', module, '--list-token-slots');
  return stdout.split(/\n(?=Slot )/).map((block) => ({slot: /^Slot \d+ \((0x[0-9a-f]+)\)/.exec(block)?.[1], block}))
    .filter((entry) => entry.slot);
}

/** The slot of the token with exactly this label (pkcs11-tool's --token-label also takes a prefix: "CertBridge Card 2"). */
async function slotOf(bed, token) {
  const found = (await slots(bed, token.module)).filter(({block}) => new RegExp(`token label\\s*:\\s*(.*\\S)`).exec(block)?.[1] === token.label);
  if (found.length !== 1) throw new Error(`expected one token labelled "${token.label}", found ${found.length}`);
  return found[0];
}

async function pkcs11Tool(bed, token, args) {
  const {slot} = await slotOf(bed, token);
  const {stdout} = await bed.exec('pkcs11-tool', '--module', token.module, '--slot', slot, ...args);
  return stdout;
}

/**
 * The token's objects: [{kind: 'certificate'|'publicKey'|'privateKey'|..., label, id, serial}]. With a PIN
 * the private keys are listed too.
 */
export async function cardObjects(bed, {pin = null, ock = false} = {}) {
  const token = tokenOf(bed, {ock});
  const output = await pkcs11Tool(bed, token, [...(pin ? ['--login', '--pin', pin] : []), '--list-objects']);
  const objects = [];
  for (const block of output.split(/\n(?=\S)/)) {
    const kind = /^(Certificate|Public Key|Private Key|Data|Secret Key) Object/.exec(block)?.[1];
    if (!kind) continue;
    const field = (name) => new RegExp(`^\\s+${name}:\\s*(.*)$`, 'm').exec(block)?.[1].trim() ?? null;
    objects.push({
      kind: {Certificate: 'certificate', 'Public Key': 'publicKey', 'Private Key': 'privateKey'}[kind] ?? kind,
      label: field('label'),
      id: field('ID')?.toLowerCase() ?? null,
      serial: field('serial')?.toUpperCase() ?? null,
    });
  }
  return objects;
}

/** A certificate read off the card (by CKA_ID), as openssl prints its subject, issuer and serial. */
export async function certificateOnCard(bed, id, {ock = false} = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certbridge-card-read-'));
  try {
    const file = path.join(dir, 'certificate.der');
    await pkcs11Tool(bed, tokenOf(bed, {ock}), ['--read-object', '--type', 'cert', '--id', id, '--output-file', file]);
    const {stdout} = await run('openssl', ['x509', '-inform', 'DER', '-in', file, '-noout', '-subject', '-issuer', '-serial',
      '-nameopt', 'utf8,sep_comma_plus_space']);
    const line = (name) => new RegExp(`^${name}=\\s*(.*)$`, 'm').exec(stdout)?.[1].trim();
    return {subject: line('subject'), issuer: line('issuer'), serial: line('serial')};
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

/** The token's flags as pkcs11-tool prints them ("user PIN count low", "user PIN locked", ...). */
export async function tokenFlags(bed, {ock = false} = {}) {
  const {block} = await slotOf(bed, tokenOf(bed, {ock}));
  return /token flags\s*:\s*(.*)/.exec(block)?.[1].split(/,\s*/) ?? [];
}

/** Changes the user PIN with pkcs11-tool (to restore the bed's PIN after a test changed it). */
export async function changePinWithTool(bed, pin, newPin, {ock = false} = {}) {
  await pkcs11Tool(bed, tokenOf(bed, {ock}), ['--login', '--pin', pin, '--change-pin', '--new-pin', newPin]);
}

/** Whether the token accepts `pin` (a login with pkcs11-tool). */
export async function pinWorks(bed, pin, {ock = false} = {}) {
  try {
    await pkcs11Tool(bed, tokenOf(bed, {ock}), ['--login', '--pin', pin, '--list-objects']);
    return true;
  } catch {
    return false;
  }
}

/**
 * A host launcher that runs the real host inside the bed's openCryptoki namespace (where the token is),
 * for the browser to start through its native-messaging manifest; the host inherits the browser's
 * environment, so CERTBRIDGE_CONFIG there picks the openCryptoki card profile.
 */
export function writeNamespacedHostLauncher(bed, hostPath, dir) {
  const launcher = path.join(dir, 'certbridge-host-opencryptoki');
  fs.writeFileSync(launcher, `#!/bin/sh\nexec /usr/bin/nsenter --target ${Number(bed.env.CERTBRIDGE_TESTBED_OCK_PID)} --mount --ipc -- '${hostPath}' "$@"\n`,
    {mode: 0o755});
  return launcher;
}
