// Host processes kept between two requests of one page. Some host state lives only in the process that
// made it: unblockRequest's one-time key must still be there when the RA's authorization comes back for
// unblockPin. protocol.json says so per command ("keepsHostFor": the follow-up command); the request
// service parks such a request's native connection after its success instead of closing it, and hands it
// to the follow-up request from the same tab and origin.
//
// What the first step said that the follow-up's consent window needs (unblockRequest's PIN group) is kept
// with it: the follow-up's page sends only the authorization.
//
// A parked connection is closed (which ends the host process, and its key with it) when its lifetime is
// over, when the same tab and origin park a newer one, or it is forgotten when the host goes away. While
// parked, nobody listens to it: the host sends nothing unasked. The open port also keeps the background
// alive (Chromium keeps a service worker with an open native port), so the timer can fire.

/**
 * The key a request parks under: the browser's tab id and the page's origin (both from the browser, never
 * from the page). Null when the sender has no tab id; such a request parks nothing and finds nothing.
 * @param {object|undefined} sender runtime.Port.sender
 * @param {string} origin the sender's origin (sender_origin.js)
 * @returns {string|null}
 */
export function parkingKey(sender, origin) {
  const tabId = sender?.tab?.id;
  if (!Number.isInteger(tabId) || tabId < 0) return null;
  return JSON.stringify([tabId, origin]);
}

/** Parked host connections, at most one per key. */
export class ParkedHosts {
  /** @param {{lifetimeMs: number}} options how long a connection waits for its follow-up */
  constructor({lifetimeMs}) {
    this.lifetimeMs = lifetimeMs;
    /** @type {Map<string, {host: object, followUp: string, details: object, timer: ReturnType<typeof setTimeout>}>} */
    this.entries = new Map();
  }

  /**
   * Keeps `host` for the request of command `followUp` under `key`, closing the connection parked there
   * before (its state is stale: the host replaces it anyway).
   * @param {string} key parkingKey()
   * @param {ReturnType<import('./native_port.js').connectHost>} host a connection after its hello
   * @param {string} followUp the command that may take it
   * @param {object} [details] plain facts for the follow-up (e.g. {pinGroup})
   */
  park(key, host, followUp, details = {}) {
    this.discard(key);
    const entry = {host, followUp, details, timer: null};
    entry.timer = setTimeout(() => {
      if (this.remove(key, entry)) host.close();
    }, this.lifetimeMs);
    host.setHandlers({
      onMessage() {},
      onClose: () => this.remove(key, entry),
    });
    this.entries.set(key, entry);
  }

  /**
   * The connection parked under `key` for `command` and the details parked with it, no longer parked;
   * null when there is none (the request then starts its own host). A parked connection waiting for
   * another command stays parked. The caller owns the host: it must setHandlers() and, in the end, close() it.
   * @param {string|null} key
   * @param {string} command
   * @returns {{host: object, details: object}|null}
   */
  take(key, command) {
    const entry = key === null ? undefined : this.entries.get(key);
    if (!entry || entry.followUp !== command) return null;
    this.remove(key, entry);
    return {host: entry.host, details: entry.details};
  }

  /** Closes the connection parked under `key`, if any. */
  discard(key) {
    const entry = this.entries.get(key);
    if (entry && this.remove(key, entry)) entry.host.close();
  }

  /** Number of parked connections. */
  get size() {
    return this.entries.size;
  }

  /** Forgets `entry` if it is still the one under `key`; whether it was. */
  remove(key, entry) {
    if (this.entries.get(key) !== entry) return false;
    clearTimeout(entry.timer);
    this.entries.delete(key);
    return true;
  }
}
