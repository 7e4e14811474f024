// Which origins may use CertBridge beyond status(). Today the list is the build-time default
// (policy_defaults.js, generated from CERTBRIDGE_DEFAULT_ORIGINS / CERTBRIDGE_ALLOW_LOOPBACK_HTTP);
// enterprise policy (storage.managed) will extend or replace it inside currentPolicy() without callers
// changing.
//
// Patterns are serialized origins, optionally with ":*" for any port: "https://ra.example",
// "https://ra.example:8443", "http://127.0.0.1:*". Plain http is accepted only for loopback hosts;
// other patterns are dropped (and reported in OriginPolicy.rejected).

import defaults from './policy_defaults.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const PATTERN = /^(https?):\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\*|[0-9]{1,5}))?$/;
const DEFAULT_PORTS = {http: '80', https: '443'};

/** Whether a host (as URL.hostname gives it) is a loopback name or address. */
export function isLoopbackHost(host) {
  return LOOPBACK_HOSTS.has(host);
}

/**
 * Parses one allowed-origin pattern.
 * @param {string} text
 * @returns {{scheme: string, host: string, port: string}|null} port: "*", "" (scheme default) or digits
 */
export function parseOriginPattern(text) {
  if (typeof text !== 'string') return null;
  const match = PATTERN.exec(text.trim().toLowerCase());
  if (!match) return null;
  const [, scheme, host] = match;
  let port = match[3] ?? '';
  if (port === DEFAULT_PORTS[scheme]) port = '';
  if (port !== '' && port !== '*' && Number(port) > 65535) return null;
  if (scheme === 'http' && !isLoopbackHost(host)) return null;
  return {scheme, host, port};
}

/** An allow-list of origin patterns. */
export class OriginPolicy {
  /** @param {string[]} patterns */
  constructor(patterns) {
    this.patterns = [];
    this.rejected = [];
    for (const text of patterns) {
      const parsed = parseOriginPattern(text);
      if (parsed) this.patterns.push(parsed);
      else this.rejected.push(text);
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

const buildTimePolicy = new OriginPolicy(defaults.allowedOrigins);

/**
 * The policy in force now. Asynchronous because managed storage, which will feed it, is.
 * @returns {Promise<OriginPolicy>}
 */
export async function currentPolicy() {
  return buildTimePolicy;
}
