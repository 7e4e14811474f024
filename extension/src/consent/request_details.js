// The request in words, as the consent window shows it: what the operation is, and its details from the
// page's params (the subject of new keys, the certificates to store, the certificate to sign with ...).
// Pure: `t(key, params)` gives the catalogue's text, so the unit tests read the same words a user does.
// Everything page-supplied is shown as text (the window uses textContent), shortened where a page could
// make it long.

import {formatName, readCertificate} from './certificate_reader.js';

// Longest text taken from the page for one line: enough for any real subject, short of a wall of text.
const MAX_TEXT = 300;
const DEFAULT_KEY_SIZE = 2048;

const clip = (value) => {
  const text = String(value);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
};
const isoDate = (date) => (date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString().slice(0, 10) : '?');

/**
 * @typedef {(key: string, params?: object) => string} Translate
 * @typedef {{label: string, lines: string[]}} DetailRow
 */

/** The name of a subject attribute type: the catalogue's for known types, else the type (a dotted OID). */
function attributeName(type, t) {
  const key = `consent.dn.${type}`;
  const name = t(key);
  return name === key ? String(type) : name;
}

/** generateKeyPair's subject, one attribute per line, in the order the page gave (most significant first). */
function subjectLines(subject, t) {
  if (!Array.isArray(subject)) return [];
  return subject.map((attribute) => `${attributeName(attribute?.type, t)}: ${clip(attribute?.value ?? '')}`);
}

function keyLines(keys, card, t) {
  if (!Array.isArray(keys)) return [];
  const manyGroups = card.pins.length > 1;
  return keys.map((key, index) => {
    const usage = ['signing', 'encryption', 'dual'].includes(key?.usage) ? t(`consent.usage.${key.usage}`) : clip(key?.usage ?? '?');
    const params = {index: index + 1, usage, keySize: Number.isInteger(key?.keySize) ? key.keySize : DEFAULT_KEY_SIZE};
    if (!manyGroups) return t('consent.value.key', params);
    const group = Number.isInteger(key?.pinGroup) ? key.pinGroup : 0;
    return t('consent.value.keyWithPin', {...params, pinName: card.pins[group]?.name ?? `PIN ${group + 1}`});
  });
}

/** removeKeys: each key the page names, as the card describes it (label, size, age); never just an id. */
function removedKeyLines(keyIds, card, t) {
  if (!Array.isArray(keyIds)) return [];
  const known = Array.isArray(card.keysWithoutCertificate) ? card.keysWithoutCertificate : [];
  return keyIds.map((keyId) => {
    const key = known.find((entry) => typeof keyId === 'string' && entry.keyId === keyId.toLowerCase());
    if (!key) return t('consent.value.unknownKey', {keyId: clip(keyId)});
    const created = Number.isInteger(key.ageDays) ? t('consent.value.keyAge', {ageDays: key.ageDays}) : t('consent.value.keyAgeUnknown');
    return t('consent.value.keyWithoutCertificate', {label: clip(key.label || key.keyId), keySize: key.keySize, created});
  });
}

/** "for signing", from a certificate's usage list (commands.md: a subset of signing, encryption). */
function usageText(usage, t) {
  const list = Array.isArray(usage) ? usage : [];
  const signing = list.includes('signing');
  const encryption = list.includes('encryption');
  if (signing && encryption) return t('consent.usage.dual');
  if (signing) return t('consent.usage.signing');
  return encryption ? t('consent.usage.encryption') : t('consent.usage.none');
}

/** Subject, issuer and validity of a certificate the page wants stored. */
function certificateLines(text, t) {
  const certificate = readCertificate(text);
  if (!certificate) return [t('consent.value.unreadable')];
  return [
    t('consent.value.subject', {subject: clip(formatName(certificate.subject))}),
    t('consent.value.issuer', {issuer: clip(formatName(certificate.issuer))}),
    t('consent.value.validity', {from: isoDate(certificate.notBefore), to: isoDate(certificate.notAfter)}),
    t('consent.value.usageAndSerial', {usage: usageText(certificate.usage, t), serial: clip(certificate.serialNumber)}),
  ];
}

/**
 * The card's certificate a signature will use, as the host picks it (commands.md signRenewal /
 * authenticate): the one the page named, else the valid one with a key and the latest expiry
 * (authenticate prefers signing certificates). From the environment's list of the card's certificates.
 */
function signingCertificate(command, params, card) {
  const certificates = card.certificates ?? [];
  if (typeof params.certificate === 'string') return certificates.find((entry) => entry.id === params.certificate) ?? null;
  const candidates = certificates.filter((entry) => entry.valid === true && entry.hasKey === true);
  const preferred = command === 'authenticate'
    ? candidates.filter((entry) => Array.isArray(entry.usage) && entry.usage.includes('signing'))
    : [];
  const pool = preferred.length > 0 ? preferred : candidates;
  return pool.reduce((latest, entry) => (!latest || String(entry.notAfter) > String(latest.notAfter) ? entry : latest), null);
}

function signWithRow(command, params, card, t) {
  const lines = [typeof params.certificate === 'string'
    ? t('consent.value.chosenCertificate', {id: clip(params.certificate).slice(0, 16)})
    : t('consent.value.latestCertificate')];
  const certificate = signingCertificate(command, params, card);
  if (certificate) {
    lines.push(t('consent.value.certificateOnCard', {
      subject: clip(certificate.subject ?? ''),
      date: String(certificate.notAfter ?? '?').slice(0, 10),
    }));
  }
  return {label: t('consent.detail.signWith'), lines};
}

/** Bytes in base64 text (what the host will sign), without decoding it. */
function base64Size(text) {
  if (typeof text !== 'string') return 0;
  const clean = text.replace(/\s+/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

/**
 * The certificate stores registerCertificates changes on this computer, in words (the host's adapter per
 * platform: os_store/certificate_registry.hpp). `platform` is navigator.platform's value ("Linux x86_64",
 * "Win32", "MacIntel").
 */
function storesLine(platform, t) {
  const name = String(platform ?? '');
  if (name.startsWith('Win')) return t('consent.value.storesWindows');
  if (name.startsWith('Mac')) return t('consent.value.storesMac');
  if (name.startsWith('Linux')) return t('consent.value.storesLinux');
  return t('consent.value.storesOther');
}

/** The card's certificates (the environment's list) by subject and expiry, as the stores will list them. */
function cardCertificateLines(card, t) {
  const certificates = Array.isArray(card.certificates) ? card.certificates : [];
  if (certificates.length === 0) return [t('consent.value.noCertificates')];
  return certificates.map((entry) => t('consent.value.certificateOnCardWithUsage', {
    subject: clip(entry?.subject ?? ''),
    date: String(entry?.notAfter ?? '?').slice(0, 10),
    usage: usageText(entry?.usage, t),
    serial: clip(entry?.serialNumber ?? '?'),
  }));
}

/** Where a key-store command works, in words: Linux's NSS database, or the platform's store. */
function keyStoreLine(platform, t) {
  return String(platform ?? '').startsWith('Linux') ? t('consent.value.keyStoreLinux') : t('consent.value.keyStore');
}

/** One row per certificate to be stored (params.certificates), then per CA certificate (params.caCertificates). */
function certificateRows(params, t) {
  const certificates = Array.isArray(params.certificates) ? params.certificates : [];
  const caCertificates = Array.isArray(params.caCertificates) ? params.caCertificates : [];
  return [
    ...certificates.map((text, index) => ({
      label: t('consent.detail.certificate', {index: index + 1}), lines: certificateLines(text, t)})),
    ...caCertificates.map((text, index) => ({
      label: t('consent.detail.caCertificate', {index: index + 1}),
      lines: [t('consent.value.caCertificate'), ...certificateLines(text, t)]})),
  ];
}

/**
 * The details of a key-store command (software certificates): the store instead of a card, and where
 * PKCS#12 files go. What the window asks (passwords, the file) is in its fields, not here.
 */
function keyStoreRows(view, params, t) {
  const {command} = view;
  const rows = [{label: t('consent.detail.keyStore'), lines: [keyStoreLine(view.platform ?? globalThis.navigator?.platform, t)]}];
  switch (command) {
    case 'generateSoftwareKey':
      rows.push({label: t('consent.detail.subject'), lines: subjectLines(params.subject, t)});
      rows.push({label: t('consent.detail.keys'), lines: keyLines(params.keys, {pins: []}, t)});
      break;
    case 'installCertificates':
      rows.push(...certificateRows(params, t));
      break;
    case 'exportPkcs12': {
      const chosen = Array.isArray(params.certificates) ? params.certificates.length : 0;
      rows.push({label: t('consent.detail.exportCertificates'),
        lines: [chosen > 0 ? t('consent.value.exportChosen', {count: chosen}) : t('consent.value.exportAll')]});
      rows.push({label: t('consent.detail.saveTo'), lines: [t('consent.value.downloads')]});
      break;
    }
    case 'importPkcs12':
      if (params.includeCaCertificates === true) {
        rows.push({label: t('consent.detail.importCaCertificates'), lines: [t('consent.value.importCaCertificates')]});
      }
      break;
    case 'changePkcs12Password':
      // The store is not opened: only the file changes, and that as a new copy.
      rows.splice(0, 1);
      rows.push({label: t('consent.detail.saveTo'), lines: [t('consent.value.keepOriginal')]});
      break;
    case 'signRenewal':
      rows.push({label: t('consent.detail.signWith'), lines: [typeof params.certificate === 'string'
        ? t('consent.value.chosenCertificate', {id: clip(params.certificate).slice(0, 16)})
        : t('consent.value.latestCertificate')]});
      rows.push({label: t('consent.detail.data'), lines: [t('consent.value.dataSize', {size: base64Size(params.data)})]});
      break;
    default:
      break;
  }
  return rows;
}

/**
 * The operation in words and its details.
 * @param {{origin: string, command: string, params: object, card: object|null, store?: object, ask: object}}
 *   view the window's `show` message (a key-store command has `store` and no card)
 * @param {Translate} t
 * @returns {{title: string, rows: DetailRow[]}}
 */
export function describeRequest(view, t) {
  const {origin, command, card} = view;
  const params = view.params ?? {};
  const operationKey = `consent.operation.${command}`;
  let title = t(operationKey, {origin, command});
  if (title === operationKey) title = t('consent.operation.other', {origin, command});
  // A key-store command has no card (background: software_secrets.js usesKeyStore).
  if (view.store) {
    if (command === 'signRenewal') title = t('consent.operation.signRenewalSoftware', {origin, command});
    return {title, rows: keyStoreRows(view, params, t)};
  }

  const rows = [{label: t('consent.detail.card'), lines: [t('consent.value.card', {label: card.label, serial: card.serial, reader: card.reader})]}];
  const pinRow = (group) => ({label: t('consent.detail.pin'), lines: [card.pins[group]?.name ?? 'PIN']});

  switch (command) {
    case 'generateKeyPair':
      rows.push({label: t('consent.detail.subject'), lines: subjectLines(params.subject, t)});
      rows.push({label: t('consent.detail.keys'), lines: keyLines(params.keys, card, t)});
      break;
    case 'writeCertificates': {
      rows.push(...certificateRows(params, t));
      const removing = Array.isArray(params.removeCertificates) ? params.removeCertificates.length : 0;
      if (removing > 0) rows.push({label: t('consent.detail.remove'), lines: [t('consent.value.removeCount', {count: removing})]});
      break;
    }
    case 'signRenewal':
      rows.push(signWithRow(command, params, card, t));
      rows.push({label: t('consent.detail.data'), lines: [t('consent.value.dataSize', {size: base64Size(params.data)})]});
      break;
    case 'authenticate':
      rows.push({label: t('consent.detail.signIn'), lines: [origin]});
      rows.push(signWithRow(command, params, card, t));
      break;
    case 'changePin':
    case 'unblockPin':
      if (Number.isInteger(view.ask?.group)) rows.push(pinRow(view.ask.group));
      break;
    case 'removeKeys':
      rows.push({label: t('consent.detail.removeKeys'), lines: removedKeyLines(params.keyIds, card, t)});
      break;
    case 'registerCertificates':
    case 'unregisterCertificates':
      // No PIN: only the certificates (public) are read; the stores get the card's module, not its keys.
      rows.push({label: t(`consent.detail.${command}`), lines: cardCertificateLines(card, t)});
      rows.push({label: t('consent.detail.stores'), lines: [storesLine(view.platform ?? globalThis.navigator?.platform, t)]});
      break;
    default:
      break;
  }
  return {title, rows};
}
