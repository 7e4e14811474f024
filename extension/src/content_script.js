// Content script: relays between the page (window.postMessage) and the background (one runtime port per
// request). It decides nothing about a request: the background takes the page's origin from the browser
// (sender.origin / sender.url) and applies the policy.
//
// Why it is declared for every https page (and loopback http) rather than only for the allowed origins:
// unlisted origins must still get status() (DESIGN: "Unlisted origins get status() and nothing else"), so
// the page library can tell "extension present, site not allowed" from "extension missing"; and the
// allow-list is not known when the manifest is written (enterprise policy will change it at run time),
// while dynamically registered scripts would still leave unlisted sites without status(). The script is
// small and passive: it only answers namespaced messages from its own window, and every decision is the
// background's. Match patterns carry no port ("http://127.0.0.1/*" covers every port).
//
// A plain script (not an ES module), run at document_start in top-level documents only.
// content_protocol.js, generated from protocol.json, runs first and sets globalThis.certbridgeProtocol.

(() => {
  'use strict';

  const api = globalThis.browser ?? globalThis.chrome;
  const namespace = globalThis.certbridgeProtocol.namespace;
  const portName = `${namespace}-request`;
  // The page's own origin: replies go to this document only, never to "*".
  const pageOrigin = window.location.origin;
  /** @type {Map<string, {port: object, answered: boolean}>} */
  const inFlight = new Map();

  function toPage(message) {
    window.postMessage({ns: namespace, dir: 'to-page', ...message}, pageOrigin);
  }

  function localizedError(code) {
    let message = '';
    try {
      message = api.i18n.getMessage(`error_${code}`);
    } catch {
      // The extension was reloaded under this page; the page library has the text too.
    }
    return {code, message: message || code};
  }

  function startRequest(message) {
    const id = message.id;
    // The page library never reuses an id; a page that does gets no second answer.
    if (typeof id !== 'string' || inFlight.has(id)) return;
    let port;
    try {
      port = api.runtime.connect({name: portName});
      port.postMessage(message);
    } catch {
      // Extension reloaded or disabled under this page: no "accepted", so the page library reports
      // EXTENSION_UNAVAILABLE.
      return;
    }
    const entry = {port, answered: false};
    inFlight.set(id, entry);
    port.onMessage.addListener((reply) => {
      if (entry.answered || !reply || typeof reply !== 'object') return;
      if (reply.type === 'progress') {
        toPage({type: 'progress', id, progress: reply.progress});
      } else if (reply.type === 'waiting') {
        toPage({type: 'waiting', id, waiting: reply.waiting === true});
      } else if (reply.type === 'response') {
        entry.answered = true;
        inFlight.delete(id);
        toPage(reply.ok === true ? {type: 'response', id, ok: true, result: reply.result}
          : {type: 'response', id, ok: false, error: reply.error});
        port.disconnect();
      }
    });
    port.onDisconnect.addListener(() => {
      void api.runtime.lastError;
      inFlight.delete(id);
      if (!entry.answered) {
        entry.answered = true;
        toPage({type: 'response', id, ok: false, error: localizedError('INTERNAL_ERROR')});
      }
    });
    toPage({type: 'accepted', id});
  }

  function cancelRequest(id) {
    const entry = inFlight.get(id);
    if (!entry) return;
    try {
      entry.port.postMessage({type: 'cancel', id});
    } catch {
      // The port is already gone; its onDisconnect answers the page.
    }
  }

  window.addEventListener('message', (event) => {
    if (event.source !== window || event.origin !== pageOrigin) return;
    const data = event.data;
    if (!data || typeof data !== 'object' || data.ns !== namespace || data.dir !== 'to-extension') return;
    let message;
    try {
      // A plain copy: drops anything that is not JSON and, in Firefox, leaves the page's wrappers behind.
      message = JSON.parse(JSON.stringify(data));
    } catch {
      return;
    }
    if (message.type === 'request') startRequest(message);
    else if (message.type === 'cancel') cancelRequest(message.id);
  });
})();
