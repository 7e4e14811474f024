// Just enough of X.509 for the consent window to say which certificates a page wants stored: subject,
// issuer and validity, read from PEM or base64 DER with a small DER reader. Nothing here decides anything
// (the host checks every certificate against the card's keys); a certificate it cannot read is shown as
// unreadable, never trusted or refused.

// Attribute types by OID, with the short names commands.md uses for subjects.
const ATTRIBUTE_NAMES = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.6', 'C'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.7', 'L'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.5', 'serialNumber'],
  ['1.2.840.113549.1.9.1', 'emailAddress'],
  ['2.5.4.42', 'GN'],
  ['2.5.4.4', 'SN'],
  ['2.5.4.12', 'title'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
]);

const TAG = {
  INTEGER: 0x02,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
  VERSION: 0xa0,
  EXTENSIONS: 0xa3,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  BOOLEAN: 0x01,
};

// id-ce-keyUsage (2.5.29.15), DER-encoded OID content.
const KEY_USAGE_OID = '551d0f';

const hex = (bytes, tlv) => Array.from(bytes.subarray(tlv.start, tlv.end), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * What the key may do, from the key usage extension, as the host says it (commands.md certificate object):
 * signing for digitalSignature or nonRepudiation, encryption for keyEncipherment or dataEncipherment; both
 * when the certificate has no key usage.
 */
function readUsage(bytes, fields, after) {
  const extensions = fields.slice(after).find((field) => field.tag === TAG.EXTENSIONS);
  if (!extensions) return ['signing', 'encryption'];
  const [list] = childrenOf(bytes, extensions);
  for (const extension of childrenOf(bytes, expect(list, TAG.SEQUENCE))) {
    const parts = childrenOf(bytes, expect(extension, TAG.SEQUENCE));
    if (hex(bytes, expect(parts[0], TAG.OID)) !== KEY_USAGE_OID) continue;
    const value = expect(parts[parts[1]?.tag === TAG.BOOLEAN ? 2 : 1], TAG.OCTET_STRING);
    const bits = expect(readTlv(bytes, value.start, value.end), TAG.BIT_STRING);
    const first = bits.end - bits.start > 1 ? bytes[bits.start + 1] : 0;  // after the unused-bits count
    const usage = [];
    if (first & 0xc0) usage.push('signing');  // digitalSignature, nonRepudiation
    if (first & 0x30) usage.push('encryption');  // keyEncipherment, dataEncipherment
    return usage;
  }
  return ['signing', 'encryption'];
}

class DerError extends Error {}

/** One TLV at `offset`: its tag and where its value starts and ends. Definite lengths only (DER). */
function readTlv(bytes, offset, end = bytes.length) {
  if (offset + 2 > end) throw new DerError('truncated');
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count < 1 || count > 4 || start + count > end) throw new DerError('bad length');
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + bytes[start + i];
    start += count;
  }
  if (start + length > end) throw new DerError('truncated');
  return {tag, start, end: start + length};
}

/** The TLVs inside a constructed one. */
function childrenOf(bytes, parent) {
  const children = [];
  for (let offset = parent.start; offset < parent.end;) {
    const child = readTlv(bytes, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

function expect(tlv, tag) {
  if (tlv?.tag !== tag) throw new DerError(`expected tag ${tag}`);
  return tlv;
}

function readOid(bytes, tlv) {
  const parts = [];
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i += 1) {
    value = value * 128 + (bytes[i] & 0x7f);
    if ((bytes[i] & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    }
  }
  return parts.join('.');
}

function readString(bytes, tlv) {
  const raw = bytes.subarray(tlv.start, tlv.end);
  switch (tlv.tag) {
    case TAG.UTF8_STRING:
      return new TextDecoder('utf-8').decode(raw);
    case TAG.BMP_STRING:
      return new TextDecoder('utf-16be').decode(raw);
    case TAG.UNIVERSAL_STRING: {
      let text = '';
      for (let i = 0; i + 3 < raw.length; i += 4) {
        text += String.fromCodePoint(((raw[i] << 24) | (raw[i + 1] << 16) | (raw[i + 2] << 8) | raw[i + 3]) >>> 0);
      }
      return text;
    }
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.NUMERIC_STRING:
    case TAG.VISIBLE_STRING:
    case TAG.TELETEX_STRING:
      // ASCII in practice; Teletex as Latin-1, as most readers do.
      return String.fromCharCode(...raw);
    default:
      throw new DerError(`not a string (tag ${tlv.tag})`);
  }
}

/** UTCTime (YYMMDDHHMMSSZ, 1950-2049) or GeneralizedTime (YYYYMMDDHHMMSSZ) as a Date. */
function readTime(bytes, tlv) {
  const text = String.fromCharCode(...bytes.subarray(tlv.start, tlv.end));
  const match = tlv.tag === TAG.UTC_TIME
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) throw new DerError('bad time');
  let year = Number(match[1]);
  if (tlv.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])));
}

/** A Name as [{type, value}] in DER order (most significant first, as generateKeyPair's subject). */
function readName(bytes, tlv) {
  const attributes = [];
  for (const set of childrenOf(bytes, expect(tlv, TAG.SEQUENCE))) {
    for (const pair of childrenOf(bytes, expect(set, TAG.SET))) {
      const [oid, value] = childrenOf(bytes, expect(pair, TAG.SEQUENCE));
      const dotted = readOid(bytes, expect(oid, TAG.OID));
      attributes.push({type: ATTRIBUTE_NAMES.get(dotted) ?? dotted, value: readString(bytes, value)});
    }
  }
  return attributes;
}

/**
 * The DER bytes of a PEM certificate or of base64 DER (what writeCertificates takes); null when it is
 * neither.
 * @param {unknown} text
 * @returns {Uint8Array|null}
 */
export function certificateBytes(text) {
  if (typeof text !== 'string') return null;
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  const base64 = (pem ? pem[1] : text).replace(/\s+/g, '');
  if (base64 === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  try {
    return Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * Subject, issuer and validity of a certificate, or null when it cannot be read.
 * @param {unknown} text PEM or base64 DER
 * @returns {{subject: {type: string, value: string}[], issuer: {type: string, value: string}[],
 *            notBefore: Date, notAfter: Date, serialNumber: string, usage: string[]}|null} serialNumber in hex
 *   as the host gives it; usage from the key usage extension ("signing", "encryption")
 */
export function readCertificate(text) {
  const bytes = certificateBytes(text);
  if (!bytes) return null;
  try {
    const certificate = expect(readTlv(bytes, 0), TAG.SEQUENCE);
    const [tbs] = childrenOf(bytes, certificate);
    const fields = childrenOf(bytes, expect(tbs, TAG.SEQUENCE));
    // version [0] is optional (v1 certificates leave it out).
    const at = fields[0]?.tag === TAG.VERSION ? 1 : 0;
    const serialNumber = hex(bytes, expect(fields[at], TAG.INTEGER));
    const issuer = readName(bytes, fields[at + 2]);
    const [notBefore, notAfter] = childrenOf(bytes, expect(fields[at + 3], TAG.SEQUENCE));
    const subject = readName(bytes, fields[at + 4]);
    const usage = readUsage(bytes, fields, at + 6);
    return {subject, issuer, notBefore: readTime(bytes, notBefore), notAfter: readTime(bytes, notAfter), serialNumber, usage};
  } catch (error) {
    if (error instanceof DerError || error instanceof RangeError || error instanceof TypeError) return null;
    throw error;
  }
}

/**
 * A Name as one line, most specific first as RFC 4514 writes it ("CN=王小明, O=Example, C=TW").
 * @param {{type: string, value: string}[]} attributes in DER order
 */
export function formatName(attributes) {
  return [...attributes].reverse()
    .map(({type, value}) => `${type}=${String(value).replace(/([,+"\\<>;])/g, '\\$1')}`)
    .join(', ');
}
