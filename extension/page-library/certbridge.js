// CertBridge page library: the portal page's promise API to the CertBridge extension and, through it,
// the host that works with the card. Wire protocol: extension/shared/README.md ("Page <-> content script").
//
//   import {certbridge, CertBridgeError} from './certbridge.js';
//   const status = await certbridge.status();
//
// Every failure rejects with a CertBridgeError {code, message, fix, details}; message and fix come from
// the shared catalogue in the page's language (certbridge.setLanguage).

import protocol from './protocol.js';
import {errorText, isLanguage, languages, pickLanguage} from './localization.js';
import {version} from './version.js';

const NAMESPACE = protocol.namespace;
const PROTOCOL = protocol.protocolVersion;
// The host's cancel command is reached through certbridge.cancel(), not request().
// Host-only commands (protocol.json hostOnly) are the extension's own to send (a page's cancel is certbridge.cancel).
const PAGE_COMMANDS = Object.keys(protocol.commands).filter((command) => protocol.commands[command].hostOnly !== true);

/** A failed CertBridge call: `code` is a key of the shared error catalogue. */
export class CertBridgeError extends Error {
  /**
   * @param {string} code
   * @param {{message?: string, fix?: string|null, details?: object}} [parts]
   */
  constructor(code, {message, fix = null, details = {}} = {}) {
    super(message ?? code);
    this.name = 'CertBridgeError';
    this.code = code;
    this.fix = fix;
    this.details = details;
  }

  /** The protocol's error object shape: {code, message, fix, ...details}. */
  toJSON() {
    return {...this.details, code: this.code, message: this.message, fix: this.fix};
  }
}

let chosenLanguage = null;

function currentLanguage() {
  return chosenLanguage ??
    pickLanguage(globalThis.document?.documentElement?.lang || globalThis.navigator?.language);
}

/** An error with the catalogue's text in the current language; unknown codes keep the text they came with. */
function makeError(code, details = {}, fallbackMessage = undefined) {
  const text = errorText(code, currentLanguage(), details);
  return new CertBridgeError(code, {
    message: text?.message ?? fallbackMessage ?? code,
    fix: text?.fix ?? (typeof details.fix === 'string' ? details.fix : null),
    details,
  });
}

const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function errorFromWire(error) {
  if (!isPlainObject(error) || typeof error.code !== 'string') {
    return makeError('INTERNAL_ERROR', {reason: 'the extension sent a malformed error'});
  }
  const {code, message, ...details} = error;
  return makeError(code, details, typeof message === 'string' ? message : undefined);
}

// Browsers do not run the extension's content script on http://[::1] pages (its match patterns name no IPv6
// host), and the extension's policy and the host's configuration refuse that origin too: a page there is
// told so (the same words as the extension's policy report).
const IPV6_LOOPBACK_REASON =
  'http://[::1] is not supported (the extension does not run on IPv6 loopback pages): use http://127.0.0.1 or http://localhost';
const isIpv6LoopbackHttp = (origin) => typeof origin === 'string' && /^http:\/\/\[::1\](:\d+)?$/.test(origin);

/** @type {Map<string, PendingRequest>} */
const pending = new Map();
let listeningWindow = null;

function pageWindow() {
  const win = globalThis.window;
  if (!win) throw makeError('EXTENSION_UNAVAILABLE', {reason: 'not running in a browser window'});
  if (listeningWindow !== win) {
    win.addEventListener('message', onWindowMessage);
    listeningWindow = win;
  }
  return win;
}

function postToExtension(message) {
  const win = pageWindow();
  // The page's own origin, so nothing leaves this document (the content script lives in it).
  win.postMessage({ns: NAMESPACE, dir: 'to-extension', ...message}, win.location.origin);
}

function onWindowMessage(event) {
  const win = listeningWindow;
  if (event.source !== win || event.origin !== win.location.origin) return;
  const data = event.data;
  if (!isPlainObject(data) || data.ns !== NAMESPACE || data.dir !== 'to-page' || typeof data.id !== 'string') return;
  const request = pending.get(data.id);
  if (!request) return;
  if (data.type === 'accepted') request.accepted();
  else if (data.type === 'progress') request.progress(data.progress);
  else if (data.type === 'waiting') request.waitingForUser(data.waiting === true);
  else if (data.type === 'response') {
    if (data.ok === true) request.resolve(data.result);
    else request.reject(errorFromWire(data.error));
  }
}

/** One request from send to its one settlement. */
class PendingRequest {
  constructor(id, {resolve, reject, timeoutMs, onProgress, onWaiting, signal}) {
    this.id = id;
    this.settled = false;
    this.isAccepted = false;
    this.isCancelled = false;
    this.resolveOuter = resolve;
    this.rejectOuter = reject;
    this.onProgress = onProgress;
    this.onWaiting = onWaiting;
    this.signal = signal;
    this.onAbort = () => this.cancel();
    signal?.addEventListener('abort', this.onAbort, {once: true});
    const detectMs = protocol.timeouts.extensionDetectMs;
    // The content script answers "accepted" at once; silence means there is no extension on this page.
    this.detectTimer = setTimeout(
      () => this.reject(makeError('EXTENSION_UNAVAILABLE', {timeoutMs: detectMs})), detectMs);
    this.timeoutMs = timeoutMs;
    /** Time left on the timeout while the extension's window waits for the user; else null. */
    this.pausedMs = null;
    this.startDeadline(timeoutMs);
    pending.set(id, this);
  }

  startDeadline(ms) {
    this.deadlineAt = Date.now() + ms;
    this.deadline = setTimeout(() => {
      this.sendCancel();
      this.reject(makeError('TIMEOUT', {timeoutMs: this.timeoutMs}));
    }, ms);
  }

  /**
   * The extension's consent and PIN window waits for the user (true) or has the answer (false): the
   * timeout stands still meanwhile, so the time the user takes to read and type does not count against
   * the operation. Cancel (or closing the window) still ends the request.
   */
  waitingForUser(waiting) {
    if (this.settled || this.isCancelled) return;
    if (waiting && this.pausedMs === null) {
      clearTimeout(this.deadline);
      this.pausedMs = Math.max(0, this.deadlineAt - Date.now());
    } else if (!waiting && this.pausedMs !== null) {
      const remaining = this.pausedMs;
      this.pausedMs = null;
      this.startDeadline(remaining);
    } else {
      return;  // no change: the page hears each change once
    }
    // The page can say "answer in the CertBridge window" meanwhile.
    if (!this.onWaiting) return;
    try {
      this.onWaiting(waiting);
    } catch {
      // A failing callback must not break the request.
    }
  }

  accepted() {
    this.isAccepted = true;
    clearTimeout(this.detectTimer);
  }

  progress(progress) {
    if (this.settled || !this.onProgress) return;
    try {
      this.onProgress(progress);
    } catch {
      // A failing progress callback must not break the request.
    }
  }

  sendCancel() {
    try {
      postToExtension({type: 'cancel', id: this.id});
    } catch {
      // Nothing to tell: the request fails either way.
    }
  }

  /**
   * Asks the extension to stop. The request then settles with the extension's answer (usually
   * USER_CANCELLED, or the result if the work had already finished), or with USER_CANCELLED after the
   * cancel command's timeout if no answer comes.
   */
  cancel() {
    if (this.settled || this.isCancelled) return;
    this.isCancelled = true;
    this.sendCancel();
    if (!this.isAccepted) {
      this.reject(makeError('USER_CANCELLED'));
      return;
    }
    clearTimeout(this.deadline);
    this.pausedMs = null;
    this.deadline = setTimeout(() => this.reject(makeError('USER_CANCELLED')), protocol.commands.cancel.timeoutMs);
  }

  settle() {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.detectTimer);
    clearTimeout(this.deadline);
    this.signal?.removeEventListener('abort', this.onAbort);
    pending.delete(this.id);
    return true;
  }

  resolve(result) {
    if (this.settle()) this.resolveOuter(result);
  }

  reject(error) {
    if (this.settle()) this.rejectOuter(error);
  }
}

/**
 * Sends one command. The returned promise has the request's `id` (for cancel()).
 * @param {string} command a command of protocol.json
 * @param {object} [params]
 * @param {{timeoutMs?: number, onProgress?: (progress: object) => void, onWaiting?: (waiting: boolean) => void,
 *   signal?: AbortSignal}} [options] onWaiting(true) when the CertBridge window waits for the user, (false) once
 *   the user has answered
 */
function request(command, params = {}, options = {}) {
  const id = crypto.randomUUID();
  const promise = new Promise((resolve, reject) => {
    if (!PAGE_COMMANDS.includes(command)) {
      reject(makeError('UNKNOWN_COMMAND', {command: String(command)}));
      return;
    }
    const {timeoutMs = protocol.commands[command].timeoutMs, onProgress, onWaiting, signal} = options ?? {};
    if (!isPlainObject(params) || !(Number.isFinite(timeoutMs) && timeoutMs > 0) ||
        (onProgress !== undefined && typeof onProgress !== 'function') ||
        (onWaiting !== undefined && typeof onWaiting !== 'function')) {
      reject(makeError('BAD_REQUEST',
        {reason: 'params must be an object, timeoutMs a positive number, onProgress and onWaiting functions'}));
      return;
    }
    if (signal?.aborted) {
      reject(makeError('USER_CANCELLED'));
      return;
    }
    if (isIpv6LoopbackHttp(globalThis.window?.location?.origin)) {
      // No extension runs here: say why at once instead of EXTENSION_UNAVAILABLE after the detection time.
      reject(makeError('ORIGIN_NOT_ALLOWED', {reason: IPV6_LOOPBACK_REASON}));
      return;
    }
    const entry = new PendingRequest(id, {resolve, reject, timeoutMs, onProgress, onWaiting, signal});
    try {
      postToExtension({type: 'request', id, command, params});
    } catch (error) {
      entry.reject(error instanceof CertBridgeError ? error
        : error?.name === 'DataCloneError' ? makeError('BAD_REQUEST', {reason: 'params cannot be sent (not plain data)'})
          : makeError('EXTENSION_UNAVAILABLE', {reason: String(error?.message ?? error)}));
    }
  });
  Object.defineProperty(promise, 'id', {value: id, enumerable: true});
  return promise;
}

/**
 * Stops a pending request (see PendingRequest.cancel).
 * @param {string} id
 * @returns {boolean} whether such a request was pending
 */
function cancel(id) {
  const entry = pending.get(id);
  if (!entry) return false;
  entry.cancel();
  return true;
}

const pageLibraryRow = () => ({version, protocol: PROTOCOL});

/** Versions of the page library, extension and host, and whether all speak this protocol. */
async function status(options) {
  const result = await request('status', {}, options);
  const extension = result?.extension ?? null;
  const host = result?.host ?? null;
  return {
    pageLibrary: pageLibraryRow(),
    extension,
    host,
    compatible: extension?.protocol === PROTOCOL && host?.protocol === PROTOCOL,
  };
}

/** Everything the card work depends on, each problem with a fix (the host's report plus the extension's row). */
async function environment(options) {
  const result = await request('environment', {}, options);
  return {...result, pageLibrary: pageLibraryRow()};
}

/** Readers with their card state. */
function listReaders(options) {
  return request('listReaders', {}, options);
}

// The card commands (extension/shared/commands.md). None takes a PIN: the extension's own window asks the
// user for it, and the extension refuses a request whose params carry one (BAD_REQUEST, field
// "params.pins"). The params go out as given; the host checks every key.

/**
 * The certificates on the card (every PIN group's token); no PIN needed.
 * @param {{reader?: string}} [params]
 * @param {{timeoutMs?: number, onProgress?: (progress: object) => void, onWaiting?: (waiting: boolean) => void,
 *   signal?: AbortSignal}} [options] onWaiting(true) when the CertBridge window waits for the user, (false) once
 *   the user has answered
 */
function listCertificates(params = {}, options = {}) {
  return request('listCertificates', params, options);
}

/**
 * Generates key pairs on the card (the private keys never leave it) and returns one PKCS#10 request per
 * key, signed by that key. The user confirms and types the PIN in the CertBridge window.
 * Progress: {stage: "login"}, {stage: "generatingKey", key, keys}, {stage: "creatingRequest", key, keys}.
 * @param {{subject: {type: string, value: string}[], keys: {usage: string, keySize?: number, pinGroup?: number}[], reader?: string}} params
 * @param {object} [options] as for listCertificates
 */
function generateKeyPair(params, options = {}) {
  return request('generateKeyPair', params, options);
}

/**
 * Stores issued certificates beside their keys on the card (and CA certificates without a key),
 * optionally removing renewed ones with their keys once every new certificate is in place.
 * Progress: {stage: "login"}, {stage: "writing"}, {stage: "removing"}.
 * @param {{certificates: string[], caCertificates?: string[], removeCertificates?: string[], reader?: string}} params
 * @param {object} [options] as for listCertificates
 */
function writeCertificates(params, options = {}) {
  return request('writeCertificates', params, options);
}

/**
 * Signs `data` (base64) as CMS SignedData with a certificate's key on the card, e.g. a renewal request.
 * @param {{data: string, certificate?: string, detached?: boolean, reader?: string}} params
 * @param {object} [options] as for listCertificates
 */
function signRenewal(params, options = {}) {
  return request('signRenewal', params, options);
}

/**
 * Card login: signs SHA-256(page origin) || SHA-256(challenge) with a certificate's key on the card.
 * The RA verifies with its own origin, never the `origin` of the result.
 * @param {{challenge: string, certificate?: string, reader?: string}} params
 * @param {object} [options] as for listCertificates
 */
function authenticate(params, options = {}) {
  return request('authenticate', params, options);
}

/**
 * Changes the PIN of a PIN group; the old and new PIN are typed in the CertBridge window (or on a pin-pad
 * reader).
 * @param {{pinGroup?: number, reader?: string}} [params]
 * @param {object} [options] as for listCertificates
 */
function changePin(params = {}, options = {}) {
  return request('changePin', params, options);
}

/**
 * Step 1 of a PIN reset: identifies the card and PIN group to the RA, with a one-time key for the RA's
 * authorization. The extension keeps this host process for unblockPin from the same page (tab and
 * origin) until `expiresAt`; a new unblockRequest replaces it.
 * @param {{pinGroup?: number, reader?: string}} [params]
 * @param {object} [options] as for listCertificates
 */
function unblockRequest(params = {}, options = {}) {
  return request('unblockRequest', params, options);
}

/**
 * Step 2 of a PIN reset: applies the RA's authorization (made for the unblockRequest result) and sets the
 * new PIN, typed in the CertBridge window. Call it from the same page as unblockRequest.
 * @param {{authorization: {version: 1, requestId: string, raPublicKey: string, iv: string, ciphertext: string, tag: string}}} params
 * @param {object} [options] as for listCertificates
 */
function unblockPin(params, options = {}) {
  return request('unblockPin', params, options);
}

/**
 * Deletes key pairs that no certificate on the card belongs to (listCertificates' keysWithoutCertificate),
 * named by keyId, after the user confirms in the CertBridge window, which shows each key's label and age.
 * A key with a certificate is never removed; one unknown id refuses the whole request (KEY_NOT_FOUND).
 * @param {{keyIds: string[], reader?: string}} params
 * @param {object} [options] as for listCertificates
 */
function removeKeys(params, options = {}) {
  return request('removeKeys', params, options);
}

/**
 * Registers the card's certificates in this computer's certificate stores so the OS and the browsers can
 * use them (Linux: the card's module in Chrome's and each Firefox profile's NSS database); the private keys
 * stay on the card and no PIN is needed. The user confirms in the CertBridge window first. Idempotent, all
 * or nothing; the result says per store what was added or already there.
 * @param {{reader?: string}} [params]
 * @param {object} [options] as for listCertificates
 */
function registerCertificates(params = {}, options = {}) {
  return request('registerCertificates', params, options);
}

/**
 * Removes exactly what registerCertificates added (what the user or another tool registered stays).
 * @param {{reader?: string}} [params]
 * @param {object} [options] as for listCertificates
 */
function unregisterCertificates(params = {}, options = {}) {
  return request('unregisterCertificates', params, options);
}

// Software certificates (keys in this computer's key store, PKCS#12 files). Every password (the store's,
// the file's, a new one) is typed in the CertBridge window; the page never sends or sees one.

/**
 * Generates key pairs in this computer's key store (Linux: the user's NSS database) and returns one PKCS#10
 * request per key, signed by that key. The user confirms in the CertBridge window first.
 * Progress: {stage: "generatingKey", key, keys}, {stage: "creatingRequest", key, keys}.
 * @param {{subject: {type: string, value: string}[], keys: {usage: string, keySize?: number}[]}} params
 * @param {object} [options] as for listCertificates
 */
function generateSoftwareKey(params, options = {}) {
  return request('generateSoftwareKey', params, options);
}

/**
 * Installs issued certificates next to their keys in the key store (found by public key), and CA
 * certificates only when given. Idempotent; all or nothing.
 * @param {{certificates: string[], caCertificates?: string[]}} params
 * @param {object} [options] as for listCertificates
 */
function installCertificates(params, options = {}) {
  return request('installCertificates', params, options);
}

/**
 * Exports certificates with their keys as PKCS#12 files, one per certificate, under a new password typed
 * (twice) in the CertBridge window; the extension saves the files to the browser's downloads folder and
 * the result names them ({files: [{certificate, fileName, downloadId}]}): no file bytes, no password.
 * @param {{certificates?: string[]}} [params] certificate ids; default every valid one with its key
 * @param {object} [options] as for listCertificates
 */
function exportPkcs12(params = {}, options = {}) {
  return request('exportPkcs12', params, options);
}

/**
 * Imports a PKCS#12 file the user picks, with its password, in the CertBridge window into the key store.
 * @param {{includeCaCertificates?: boolean}} [params]
 * @param {object} [options] as for listCertificates
 */
function importPkcs12(params = {}, options = {}) {
  return request('importPkcs12', params, options);
}

/**
 * Re-encrypts a PKCS#12 file the user picks under a new password (all typed in the CertBridge window); the
 * new file is saved to the browser's downloads folder ({certificate, fileName, downloadId}) and the
 * original stays as it is.
 * @param {object} [params] none
 * @param {object} [options] as for listCertificates
 */
function changePkcs12Password(params = {}, options = {}) {
  return request('changePkcs12Password', params, options);
}

/**
 * Chooses the language of error messages and fixes; null goes back to the page's own
 * (`<html lang>`, then navigator.language, zh-TW when neither says).
 * @param {string|null} language
 */
function setLanguage(language) {
  if (language !== null && language !== undefined && !isLanguage(language)) {
    throw new TypeError(`certbridge.setLanguage: expected one of ${languages.join(', ')}`);
  }
  chosenLanguage = language ?? null;
}

export const certbridge = Object.freeze({
  version,
  protocol: PROTOCOL,
  languages,
  setLanguage,
  getLanguage: currentLanguage,
  status,
  environment,
  listReaders,
  listCertificates,
  generateKeyPair,
  writeCertificates,
  signRenewal,
  authenticate,
  changePin,
  unblockRequest,
  unblockPin,
  removeKeys,
  registerCertificates,
  unregisterCertificates,
  generateSoftwareKey,
  installCertificates,
  exportPkcs12,
  importPkcs12,
  changePkcs12Password,
  request,
  cancel,
});

export default certbridge;
