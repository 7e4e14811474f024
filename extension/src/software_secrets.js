// What the consent window asks for the software-certificate commands (commands.md "Software certificates":
// keys in this computer's key store, PKCS#12 files), and what the host gets from its answer. No card is
// involved: the window shows the store instead, and nothing is read from the host before it opens.
// Which secrets a command takes comes from protocol.json ("userSecrets"). Pure functions: no browser API,
// so the unit tests drive them directly.

import protocol from './protocol.js';

// The protocol's limits (protocol.json, which the host's are generated from): one secret string, in code points;
// a new PKCS#12 password's minimum; a PKCS#12 file's size.
export const SECRET_MAX_LENGTH = protocol.limits.secretMaxLength;
export const NEW_PASSWORD_MIN_LENGTH = protocol.limits.newPasswordMinLength;
export const PKCS12_MAX_BYTES = protocol.limits.pkcs12MaxBytes;

// The user secrets that belong to the key store rather than to a card.
const STORE_SECRETS = ['storePassword', 'password', 'newPassword', 'file'];

const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Whether `command` works on this computer's key store instead of a card: its secrets are the store's or a
 * PKCS#12 file's. signRenewal takes both kinds and uses the store only when the page says `store: "software"`.
 * @param {string} command a command of protocol.json
 * @param {object} params the page's params
 */
export function usesKeyStore(command, params) {
  const secrets = protocol.commands[command]?.userSecrets ?? [];
  if (secrets.includes('pins')) return secrets.includes('storePassword') && params?.store === 'software';
  return STORE_SECRETS.some((secret) => secrets.includes(secret));
}

/**
 * @typedef {{kind: 'software', storePassword: boolean, file: boolean, password: boolean,
 *            newPassword: boolean}} SoftwareAsk
 * What the window asks for a key-store command: `file` a PKCS#12 file picked in the window, `password` its
 * password, `newPassword` a new PKCS#12 password typed twice, `storePassword` the key store's password.
 * The store's password is asked only once the host has said the store has one (STORE_PASSWORD_INCORRECT):
 * most stores have none, and a field for nothing would only confuse.
 */

/**
 * What the window asks first for a key-store command.
 * @param {string} command
 * @returns {SoftwareAsk}
 */
export function softwareAsk(command) {
  const secrets = protocol.commands[command]?.userSecrets ?? [];
  return {
    kind: 'software',
    storePassword: false,
    file: secrets.includes('file'),
    password: secrets.includes('password'),
    newPassword: secrets.includes('newPassword'),
  };
}

/**
 * The ask after the host refused the store's password (or its absence): the same plus the store's
 * password, when the command takes one.
 * @param {SoftwareAsk} ask
 * @param {string} command
 * @returns {SoftwareAsk}
 */
export function withStorePassword(ask, command) {
  const takesIt = (protocol.commands[command]?.userSecrets ?? []).includes('storePassword');
  return takesIt ? {...ask, storePassword: true} : ask;
}

/** Characters in a string, as the host counts them (code points). */
const characters = (value) => [...value].length;
const isSecret = (value) => typeof value === 'string' && value.length >= 1 && characters(value) <= SECRET_MAX_LENGTH;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Whether `text` is base64 of at most PKCS12_MAX_BYTES bytes. */
function isPkcs12File(text) {
  if (typeof text !== 'string' || text.length < 4 || text.length % 4 !== 0 || !BASE64.test(text)) return false;
  return (text.length / 4) * 3 <= PKCS12_MAX_BYTES + 2;
}

/**
 * The params the window's answer adds to the page's, checked against what was asked: exactly the asked
 * secrets. The window checks the rules as the user types; the host checks them again.
 * @param {SoftwareAsk} ask
 * @param {unknown} answer the window's `secrets`
 * @returns {{storePassword?: string, file?: string, password?: string, newPassword?: string}}
 * @throws {TypeError} when the answer does not fit the question (a bug, never the user's doing)
 */
export function softwareSecretsFromAnswer(ask, answer) {
  const secrets = isPlainObject(answer) ? answer : {};
  const expected = STORE_SECRETS.filter((key) => ask[key] === true);
  const keys = Object.keys(secrets);
  if (keys.length !== expected.length || !expected.every((key) => keys.includes(key))) {
    throw new TypeError(`the window answered ${keys.join(', ') || 'nothing'}; expected ${expected.join(', ') || 'nothing'}`);
  }
  for (const key of ['storePassword', 'password']) {
    if (ask[key] && !isSecret(secrets[key])) throw new TypeError(`${key} must be 1-${SECRET_MAX_LENGTH} characters`);
  }
  if (ask.newPassword && !(isSecret(secrets.newPassword) && characters(secrets.newPassword) >= NEW_PASSWORD_MIN_LENGTH)) {
    throw new TypeError(`newPassword must be ${NEW_PASSWORD_MIN_LENGTH}-${SECRET_MAX_LENGTH} characters`);
  }
  if (ask.file && !isPkcs12File(secrets.file)) throw new TypeError(`file must be base64 of at most ${PKCS12_MAX_BYTES} bytes`);
  return Object.fromEntries(expected.map((key) => [key, secrets[key]]));
}

/**
 * How the window asks again after a host error, or null when the error ends the request: a wrong or
 * missing store password (the field appears, or is emptied), a wrong PKCS#12 password. Nothing was changed
 * in either case (commands.md: the file is opened before the store is touched).
 * @param {SoftwareAsk} ask
 * @param {string} command
 * @param {{code: string}} error the host's error
 * @returns {SoftwareAsk|null} the ask for the retry
 */
export function softwareRetryAsk(ask, command, error) {
  if (error?.code === 'STORE_PASSWORD_INCORRECT') {
    const next = withStorePassword(ask, command);
    return next.storePassword ? next : null;
  }
  if (error?.code === 'PKCS12_PASSWORD_INCORRECT' && ask.password) return ask;
  return null;
}
