// The background's side of the consent and PIN window: it opens the extension's own page in a popup
// window (windows.create, the same in Chromium and Firefox), gives it what to show once the page connects,
// and turns what the user does there into calls on the request that opened it. The window is the only
// place PINs are typed: they reach the background in the window's `confirm` message and go no further
// than the host request (request_service.js); nothing here keeps or logs them.
//
// One session per request. Closing the window in any way (its close box, Cancel, Escape) ends the port,
// which is the one signal relied on; windows.onRemoved covers a window that never connected.

import {CONSENT_PAGE, CONSENT_PORT_NAME, SESSION_PARAMETER} from './consent/consent_protocol.js';

export {CONSENT_PORT_NAME};

// Room for the details and the PIN fields at 100 %; the page reflows and scrolls when zoomed.
const WINDOW_SIZE = {width: 520, height: 680};

/**
 * @typedef {object} ConsentHandlers
 * @property {(secrets: unknown) => void} onConfirm the user chose OK (secrets as the window sent them)
 * @property {() => void} onCancel Cancel, Escape or the window closed before the request ended
 * @property {(error: unknown) => void} onFailed the window could not be opened
 */

/** The consent windows of one background. */
export class ConsentWindows {
  /**
   * @param {{api: object, newId?: () => string}} options the WebExtension API; session ids
   */
  constructor({api, newId = () => crypto.randomUUID()}) {
    this.api = api;
    this.newId = newId;
    /** @type {Map<string, ConsentSession>} by session id */
    this.sessions = new Map();
    api.windows?.onRemoved?.addListener((windowId) => {
      for (const session of [...this.sessions.values()]) {
        if (session.windowId === windowId) session.windowGone();
      }
    });
  }

  /**
   * Opens a window for one request.
   * @param {object} view what the window shows: {origin, command, params, card, store?, ask}
   *   (consent_protocol.js)
   * @param {ConsentHandlers} handlers
   * @returns {ConsentSession}
   */
  open(view, handlers) {
    const session = new ConsentSession(this, this.newId(), view, handlers);
    this.sessions.set(session.id, session);
    session.create();
    return session;
  }

  /**
   * runtime.onConnect for the window's port. Only our own consent page may open one: a content script's
   * sender.url is its web page's, which never starts with the extension's URL.
   * @returns {boolean} whether the port was ours to take (taken, or refused and disconnected)
   */
  handleConnect(port) {
    if (port.name !== CONSENT_PORT_NAME) return false;
    const session = this.sessions.get(this.sessionIdOf(port.sender));
    // A window whose request has ended (or a page reloaded) learns it from the closed port.
    if (!session || !session.attach(port)) port.disconnect();
    return true;
  }

  /** The session id in the sender's URL, when the sender is our consent page; else null. */
  sessionIdOf(sender) {
    if (!sender || sender.id !== this.api.runtime.id || typeof sender.url !== 'string') return null;
    // Compared as text: URL.origin is "null" for extension schemes in some engines.
    if (sender.url.split(/[?#]/, 1)[0] !== this.api.runtime.getURL(CONSENT_PAGE)) return null;
    const query = sender.url.slice(sender.url.indexOf('?') + 1).split('#', 1)[0];
    return sender.url.includes('?') ? new URLSearchParams(query).get(SESSION_PARAMETER) : null;
  }

  forget(session) {
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
  }
}

/** One window and what it has been told. */
class ConsentSession {
  constructor(owner, id, view, handlers) {
    this.owner = owner;
    this.id = id;
    this.view = view;
    this.handlers = handlers;
    this.windowId = null;
    this.port = null;
    /** Messages for a window that has not connected yet. */
    this.queue = [];
    // The request has ended (no more handler calls); keepOpen: the window stays to show why (PIN_LOCKED).
    this.ended = false;
    this.keepOpen = false;
    this.gone = false;
  }

  async create() {
    const {api} = this.owner;
    const url = `${api.runtime.getURL(CONSENT_PAGE)}?${SESSION_PARAMETER}=${encodeURIComponent(this.id)}`;
    try {
      const created = await api.windows.create({type: 'popup', url, ...WINDOW_SIZE});
      this.windowId = created?.id ?? null;
    } catch (error) {
      this.owner.forget(this);
      if (!this.ended) {
        this.ended = true;
        this.handlers.onFailed(error);
      }
      return;
    }
    // The request may have ended while the window was being made.
    if (this.ended && !this.keepOpen) this.removeWindow();
  }

  /** Takes the window's port; false when a window already has it or nothing is left to show. */
  attach(port) {
    if (this.port || this.gone || (this.ended && !this.keepOpen)) return false;
    this.port = port;
    port.onMessage.addListener((message) => this.onWindowMessage(message));
    port.onDisconnect.addListener(() => {
      void this.owner.api.runtime.lastError;
      this.windowGone();
    });
    this.post({type: 'show', ...this.view});
    for (const message of this.queue.splice(0)) this.post(message);
    return true;
  }

  onWindowMessage(message) {
    if (this.ended || message === null || typeof message !== 'object') return;
    if (message.type === 'confirm') this.handlers.onConfirm(message.secrets);
    else if (message.type === 'cancel') this.handlers.onCancel();
  }

  /** The window closed (port gone or window removed): before the end, that is a cancel. */
  windowGone() {
    if (this.gone) return;
    this.gone = true;
    this.owner.forget(this);
    if (!this.ended) {
      this.ended = true;
      this.handlers.onCancel();
    }
  }

  post(message) {
    try {
      this.port.postMessage(message);
    } catch {
      // The window closed under us; its onDisconnect (or windows.onRemoved) follows.
    }
  }

  send(message) {
    if (this.gone) return;
    if (this.port) this.post(message);
    else this.queue.push(message);
  }

  /** The host has the request. */
  working() {
    this.send({type: 'working'});
  }

  /** A progress message of the host. */
  progress(progress) {
    this.send({type: 'progress', progress});
  }

  /**
   * A wrong PIN (or one the card's rules refuse), a wrong or missing password: the window asks again,
   * for what `ask` says when the question changed (the key store turned out to have a password).
   */
  retry(error, ask) {
    this.send(ask ? {type: 'retry', error, ask} : {type: 'retry', error});
  }

  /** The request ended with PIN_LOCKED: the window stays open to say so until the user closes it. */
  locked(error) {
    if (this.ended) return;
    this.ended = true;
    this.keepOpen = true;
    this.send({type: 'locked', error});
  }

  /**
   * The request ended for a reason the user must see where they were looking (the card was pulled while
   * the window waited): the window turns into that message with one Close button.
   */
  endWithMessage(error) {
    if (this.ended) return;
    this.ended = true;
    this.keepOpen = true;
    this.send({type: 'ended', error});
  }

  /** The request ended: the window closes. */
  close() {
    if (this.ended) return;
    this.ended = true;
    this.send({type: 'done'});
    this.owner.forget(this);
    this.removeWindow();
  }

  removeWindow() {
    if (this.windowId === null || this.gone) return;
    this.gone = true;
    Promise.resolve()
      .then(() => this.owner.api.windows.remove(this.windowId))
      .catch(() => {
        // Already closed by the user.
      });
  }
}
