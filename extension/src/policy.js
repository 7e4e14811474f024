// Which origins may use CertBridge beyond status(): the build-time default list (policy_defaults.js,
// generated from CERTBRIDGE_DEFAULT_ORIGINS / CERTBRIDGE_ALLOW_LOOPBACK_HTTP), extended or replaced by
// enterprise policy (managed_policy.js: storage.managed).
//
// Patterns are serialized origins, optionally with ":*" for any port: "https://ra.example",
// "https://ra.example:8443", "http://127.0.0.1:*". A policy entry may hold several, separated by whitespace. Plain http is accepted only for loopback hosts, and only
// while loopback http is allowed (policy allowLoopbackHttp, else the build's setting); other patterns are
// dropped and reported (OriginPolicy.problems).
//
// The policy is read again for every request rather than cached, so a change Chromium delivers
// (chrome://policy reload, a new file under /etc/.../policies/managed) applies at the next request without a
// restart. Firefox reads an add-on's managed storage once when the add-on starts and announces no change,
// so there a change needs a browser restart (tests/browser/policy.*.test.mjs show each). Reading per
// request costs one lookup inside the browser, far less than starting the host. The host checks the origin
// again against its own list (host config allowedOrigins).

import {loadManagedData, readManagedSettings} from './managed_policy.js';
import defaults from './policy_defaults.js';

// Not "[::1]": browsers do not run the extension's content script on http://[::1] pages (the manifest's
// match patterns name no IPv6 host), so such an origin could never be served. It is refused with a reason
// here, by the page library on such a page, and by the host's configuration.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);
/** Why plain http on IPv6 loopback is refused, the same words everywhere (extension/shared/README.md). */
export const IPV6_LOOPBACK_REASON =
  'http://[::1] is not supported (the extension does not run on IPv6 loopback pages): use http://127.0.0.1 or http://localhost';
const PATTERN = /^(https?):\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\*|[0-9]{1,5}))?$/;
const DEFAULT_PORTS = {http: '80', https: '443'};

/** Whether a host (as URL.hostname gives it) is a loopback name or address. */
export function isLoopbackHost(host) {
  return LOOPBACK_HOSTS.has(host);
}

/**
 * A refused entry as a report shows it. Never throws: Firefox checks policies.json against no schema, so an
 * entry can be an object whose own "toString" is not a function, which String() throws on.
 */
function shownEntry(value) {
  let text;
  try {
    text = String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return JSON.stringify(text).slice(0, 80);
}

/** The host as URL.hostname (so the browser's origin) names it; null when it is not a valid host. */
function browserHostName(scheme, host) {
  try {
    return new URL(`${scheme}://${host}`).hostname;
  } catch {
    return null;
  }
}

/**
 * Parses one allowed-origin pattern.
 * @param {string} text
 * @param {{allowLoopbackHttp?: boolean}} [options] whether http patterns for loopback hosts are accepted
 * @returns {{scheme: string, host: string, port: string}|null} port: "*", "" (scheme default) or digits
 */
export function parseOriginPattern(text, {allowLoopbackHttp = true} = {}) {
  return checkOriginPattern(text, {allowLoopbackHttp}).pattern;
}

/**
 * Parses one allowed-origin pattern and says why it is refused.
 * @returns {{pattern: {scheme: string, host: string, port: string}|null, reason: string|null}}
 */
function checkOriginPattern(text, {allowLoopbackHttp}) {
  if (typeof text !== 'string') return {pattern: null, reason: 'not a string'};
  const match = PATTERN.exec(text.trim().toLowerCase());
  if (!match) return {pattern: null, reason: 'not an origin pattern (scheme://host[:port|:*], no path, no wildcard host)'};
  const [, scheme, host] = match;
  let port = match[3] ?? '';
  if (port === DEFAULT_PORTS[scheme]) port = '';
  if (port !== '' && port !== '*' && Number(port) > 65535) return {pattern: null, reason: 'port out of range'};
  // The browser names each host one way only (URL.hostname): a pattern that writes it another way
  // ("0x7f.0.0.1", "[0:0::1]") would never match any origin, so it is reported instead of kept.
  const named = browserHostName(scheme, host);
  if (named !== host) return {pattern: null, reason: named ? `the browser names this host ${named}` : 'not a valid host'};
  if (scheme === 'http' && host === '[::1]') return {pattern: null, reason: IPV6_LOOPBACK_REASON};
  if (scheme === 'http' && !isLoopbackHost(host)) return {pattern: null, reason: 'plain http is allowed only for loopback hosts'};
  if (scheme === 'http' && !allowLoopbackHttp) return {pattern: null, reason: 'plain http on loopback is not allowed (allowLoopbackHttp)'};
  return {pattern: {scheme, host, port}, reason: null};
}

/** An allow-list of origin patterns. */
export class OriginPolicy {
  /**
   * @param {string[]} patterns
   * @param {{allowLoopbackHttp?: boolean, source?: string, entryName?: (index: number) => string}} [options]
   *   source: where the patterns came from, for reports; entryName: how a pattern is named in reports
   */
  constructor(patterns, {allowLoopbackHttp = true, entryName = (index) => `allowedOrigins[${index}]`} = {}) {
    this.allowLoopbackHttp = allowLoopbackHttp;
    this.patterns = [];
    /** The pattern texts that were dropped. */
    this.rejected = [];
    /** @type {import('./managed_policy.js').PolicyProblem[]} why each was dropped */
    this.problems = [];
    patterns.forEach((text, index) => this.add(text, entryName(index)));
  }

  /** Adds one pattern (or reports it). */
  add(text, entry) {
    const {pattern, reason} = checkOriginPattern(text, {allowLoopbackHttp: this.allowLoopbackHttp});
    if (pattern) {
      this.patterns.push(pattern);
    } else {
      this.rejected.push(text);
      this.problems.push({entry, reason: `${shownEntry(text)}: ${reason}`});
    }
  }

  /**
   * Whether a serialized origin (from the browser, see sender_origin.js) is allowed.
   * @param {string} origin
   */
  allows(origin) {
    let url;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    const scheme = url.protocol.slice(0, -1);
    return this.patterns.some((pattern) =>
      pattern.scheme === scheme && pattern.host === url.hostname &&
      (pattern.port === '*' || pattern.port === url.port));
  }
}

/**
 * @typedef {object} PolicyReport what the environment check shows about the policy in force
 * @property {boolean} managed whether enterprise policy set anything
 * @property {string[]} keys the keys the browser's managed storage holds (sorted), to compare with the policy
 *   files the host sees (policy_status.js)
 * @property {'extend'|'replace'} mode how the policy's origins combine with the built-in list
 * @property {boolean} allowLoopbackHttp whether http on loopback is allowed
 * @property {import('./managed_policy.js').PolicyProblem[]} ignored entries that were ignored, and why
 */

/**
 * The policy from the build's defaults and what storage.managed says.
 * @param {{allowedOrigins: string[], allowLoopbackHttp?: boolean}} builtIn policy_defaults.js
 * @param {unknown} managedData what storage.managed.get() gave (undefined: nothing)
 * @returns {OriginPolicy & {report: PolicyReport}}
 */
export function composePolicy(builtIn, managedData) {
  const {settings, problems, present} = readManagedSettings(managedData);
  const allowLoopbackHttp = settings.allowLoopbackHttp ?? builtIn.allowLoopbackHttp ?? true;
  const policy = new OriginPolicy([], {allowLoopbackHttp});
  if (settings.allowedOriginsMode !== 'replace') {
    // A built-in loopback pattern under allowLoopbackHttp false is the policy working, not a mistake.
    builtIn.allowedOrigins
      .filter((text) => allowLoopbackHttp || !/^http:/i.test(text))
      .forEach((text, index) => policy.add(text, `built-in allowedOrigins[${index}]`));
  }
  (settings.allowedOrigins ?? []).forEach((entry, index) => {
    // One entry may hold several origins separated by whitespace: the MSI writes its ALLOWEDORIGINS property
    // (the same text the host's AllowedOrigins policy takes) as one entry. Each is checked on its own.
    const pieces = typeof entry === 'string' ? entry.split(/\s+/).filter(Boolean) : [];
    if (pieces.length === 0) policy.add(entry, `allowedOrigins[${index}]`);
    else pieces.forEach((piece) => policy.add(piece, `allowedOrigins[${index}]`));
  });
  policy.report = {
    managed: present,
    keys: managedData !== null && typeof managedData === 'object' && !Array.isArray(managedData) ? Object.keys(managedData).sort() : [],
    mode: settings.allowedOriginsMode,
    allowLoopbackHttp,
    ignored: [...problems, ...policy.problems],
  };
  return policy;
}

/**
 * The policy in force now: the build-time list with the enterprise policy of `api` (none without it).
 * @param {object} [api] the WebExtension API
 * @returns {Promise<OriginPolicy & {report: PolicyReport}>}
 */
export async function currentPolicy(api = undefined) {
  const {data, problems} = await loadManagedData(api);
  const policy = composePolicy(defaults, data);
  policy.report.ignored.unshift(...problems);
  return policy;
}
