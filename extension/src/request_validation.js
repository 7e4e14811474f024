// Shape checks for what a page sends through the content script, and the size limit on what goes to
// the host. The host validates each command's params itself (exact keys, bounds); the extension checks
// the envelope, and of params only which keys are there: a page may not send user secrets (PINs).

import protocol from './protocol.js';
import {BridgeError} from './bridge_error.js';

const REQUEST_KEYS = new Set(['ns', 'dir', 'type', 'id', 'command', 'params']);
const REQUEST_ID = new RegExp(`^[A-Za-z0-9_-]{1,${protocol.limits.requestIdMaxLength}}$`);
// Commands only the extension itself sends (protocol.json hostOnly): cancel for the page's {type:"cancel"}
// message, checkParams before its consent window, protectSavedFile after saving a PKCS#12 file.
const HOST_ONLY_COMMANDS = new Set(Object.keys(protocol.commands).filter((command) => protocol.commands[command].hostOnly === true));

const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Whether `id` is a valid request id (1-64 characters of [A-Za-z0-9_-]). */
export function isRequestId(id) {
  return typeof id === 'string' && REQUEST_ID.test(id);
}

/** Whether a page may request `command`. */
export function isPageCommand(command) {
  return typeof command === 'string' && Object.hasOwn(protocol.commands, command) &&
    !HOST_ONLY_COMMANDS.has(command);
}

/**
 * Checks a page request `{ns, dir:"to-extension", type:"request", id, command, params}` with exactly
 * these keys. A page-supplied `origin` (or any other extra key) is refused, so nobody can believe the
 * page chose it.
 * @param {unknown} message
 * @returns {{id: string, command: string, params: object}}
 * @throws {BridgeError} BAD_REQUEST, UNKNOWN_COMMAND
 */
export function validatePageRequest(message) {
  if (!isPlainObject(message)) throw new BridgeError('BAD_REQUEST', {reason: 'the request is not an object'});
  const extra = Object.keys(message).filter((key) => !REQUEST_KEYS.has(key));
  if (extra.length > 0) {
    throw new BridgeError('BAD_REQUEST', {reason: `unexpected keys: ${extra.slice(0, 8).join(', ')}`});
  }
  if (message.ns !== protocol.namespace || message.dir !== 'to-extension' || message.type !== 'request') {
    throw new BridgeError('BAD_REQUEST', {reason: 'not a CertBridge request'});
  }
  if (!isRequestId(message.id)) {
    throw new BridgeError('BAD_REQUEST', {reason: `id must be 1-${protocol.limits.requestIdMaxLength} characters of [A-Za-z0-9_-]`});
  }
  if (!isPageCommand(message.command)) {
    throw new BridgeError('UNKNOWN_COMMAND', {command: typeof message.command === 'string' ? message.command.slice(0, 64) : null});
  }
  if (!isPlainObject(message.params)) throw new BridgeError('BAD_REQUEST', {reason: 'params must be an object'});
  refuseUserSecrets(message.command, message.params);
  refuseOversizeData(message.command, message.params);
  refuseUnknownKeySizes(message.command, message.params);
  return {id: message.id, command: message.command, params: message.params};
}

/** Bytes that a base64 text decodes to (its length in whole quanta less the padding). */
function base64DecodedLength(text) {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor(text.length / 4) * 3 - padding;
}

/**
 * Refuses signRenewal data over protocol.json's limit for the signature kind before any window opens: an
 * attached signature returns the data inside one host message, so more could never be answered. The host
 * checks the same limits (and everything else about the data).
 * @param {string} command a page command
 * @param {object} params
 * @throws {BridgeError} BAD_REQUEST with `field` "params.data" and `limit` in bytes
 */
export function refuseOversizeData(command, params) {
  if (command !== 'signRenewal' || typeof params.data !== 'string') return;
  const detached = params.detached === true;
  const limit = detached ? protocol.limits.signRenewalDetachedDataMaxBytes : protocol.limits.signRenewalAttachedDataMaxBytes;
  if (base64DecodedLength(params.data) > limit) {
    throw new BridgeError('BAD_REQUEST', {
      reason: `the data is over ${limit} bytes, the most ${detached ? 'a detached' : 'an attached'} signature can take`,
      field: 'params.data',
      limit,
    });
  }
}

// Commands whose params.keys[].keySize is an RSA size; the protocol allows protocol.json's limits.rsaKeySizes.
const MAKES_RSA_KEYS = new Set(['generateKeyPair', 'generateSoftwareKey']);

/**
 * Refuses an RSA key size the protocol does not allow (protocol.json limits.rsaKeySizes) before any host
 * starts or window opens. Which of them a card makes is the host's to say (checkParams, from the card).
 * @param {string} command a page command
 * @param {object} params
 * @throws {BridgeError} BAD_REQUEST with `field` "params.keys[i].keySize" and `keySizes`
 */
export function refuseUnknownKeySizes(command, params) {
  if (!MAKES_RSA_KEYS.has(command) || !Array.isArray(params.keys)) return;
  const allowed = protocol.limits.rsaKeySizes;
  params.keys.forEach((key, index) => {
    if (!isPlainObject(key) || key.keySize === undefined || allowed.includes(key.keySize)) return;
    throw new BridgeError('BAD_REQUEST', {
      reason: `keySize must be one of ${allowed.join(', ')}`,
      field: `params.keys[${index}].keySize`,
      keySizes: [...allowed],
    });
  });
}

/**
 * Refuses params a page must never send: the command's "userSecrets" of protocol.json (PINs). Only the
 * extension's own window may supply them, so a page that sends one (even null or empty) is refused
 * rather than having it dropped: a portal written that way would otherwise seem to work.
 * @param {string} command a page command
 * @param {object} params
 * @throws {BridgeError} BAD_REQUEST with `field` "params.<key>" (the first such key, in protocol order)
 */
export function refuseUserSecrets(command, params) {
  const secret = protocol.commands[command].userSecrets.find((key) => Object.hasOwn(params, key));
  if (secret !== undefined) {
    throw new BridgeError('BAD_REQUEST', {
      reason: 'PINs are typed into the CertBridge window, never sent by the page',
      field: `params.${secret}`,
    });
  }
}

/** Whether a later page message on the same port cancels request `id`. */
export function isCancelFor(message, id) {
  return isPlainObject(message) && message.type === 'cancel' && message.id === id;
}

/** UTF-8 length of a string. */
export function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

function exceeds(text, limit) {
  // A UTF-16 code unit takes 1 to 3 UTF-8 bytes: most requests are decided without encoding.
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return utf8Length(text) > limit;
}

/**
 * The host request `{id, command, origin, params}`, refused when its JSON is longer than the host reads.
 * @param {{id: string, command: string, origin: string, params: object}} request
 * @returns {object}
 * @throws {BridgeError} MESSAGE_TOO_LARGE
 */
export function hostRequest({id, command, origin, params}) {
  const message = {id, command, origin, params};
  const limit = protocol.limits.browserToHostMaxBytes;
  if (exceeds(JSON.stringify(message), limit)) throw new BridgeError('MESSAGE_TOO_LARGE', {limit});
  return message;
}
