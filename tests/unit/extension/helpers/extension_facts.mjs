// Facts the browsers derive from an extension's files, computed the way they do.

import {createHash} from 'node:crypto';

/** Chromium's extension ID: the first 128 bits of SHA-256 over the DER public key, hex digits 0-f as a-p. */
export function chromiumExtensionId(base64Key) {
  const hex = createHash('sha256').update(Buffer.from(base64Key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode('a'.charCodeAt(0) + parseInt(digit, 16))).join('');
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height of a PNG image (its IHDR chunk); throws for anything that is not a PNG. */
export function pngSize(bytes) {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG image');
  }
  return {width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20)};
}
