// The background's messaging service: one runtime port from the content script per page request, one
// native port to the host per operation. Every decision about a request is made here, from what the
// browser says about the sender, never from what the page says about itself:
//   validate the envelope (no user secrets from the page) -> origin from the sender -> policy (unlisted
//   origins: status only) -> [consent / PIN window: later] -> size limit -> host hello -> relay.
// The one exception to "one native port per operation": a command with "keepsHostFor" (unblockRequest)
// parks its port after success for the follow-up command from the same tab and origin (parked_hosts.js).

import protocol from './protocol.js';
import {BridgeError, localizeHostError, wireError} from './bridge_error.js';
import {connectHost} from './native_port.js';
import {ParkedHosts, parkingKey} from './parked_hosts.js';
import {hostRequest, isCancelFor, validatePageRequest} from './request_validation.js';
import {senderOrigin} from './sender_origin.js';

/** Name of the content script's runtime port for one request. */
export const REQUEST_PORT_NAME = `${protocol.namespace}-request`;

// Answers (and errors) to these carry the extension's own row, so a page can show which extension it
// has even when the host is missing or incompatible.
const REPORTS_EXTENSION = new Set(['status', 'environment']);

const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * @param {object} deps
 * @param {object} deps.api the WebExtension API (browser / chrome)
 * @param {() => Promise<{allows(origin: string): boolean}>} deps.policy the allowed-origin policy in force
 * @param {() => Promise<object>} deps.extensionInfo the extension's row: {version, browser, protocol}
 * @param {() => string} deps.language catalogue language for error text
 * @param {number} [deps.helloTimeoutMs] how long the host may take to say hello
 * @param {number} [deps.cancelTimeoutMs] how long the host may take to answer a cancelled request
 *   before its port is closed (which stops the host)
 * @param {() => string} [deps.newId] ids for the extension's own host requests (cancel)
 * @param {number} [deps.parkedLifetimeMs] how long a "keepsHostFor" request's host waits for its follow-up
 */
export function createRequestService(deps) {
  const settings = {
    helloTimeoutMs: protocol.timeouts.hostHelloMs,
    cancelTimeoutMs: protocol.commands.cancel.timeoutMs,
    newId: () => crypto.randomUUID(),
    // The host keeps an unblock request's key for this long; a process kept longer would be of no use.
    parkedLifetimeMs: protocol.timeouts.unblockAuthorizationLifetimeMs,
    ...deps,
  };
  settings.parkedHosts = new ParkedHosts({lifetimeMs: settings.parkedLifetimeMs});
  return {
    /**
     * runtime.onConnect listener. Ports with another name are not ours to serve.
     * @returns {boolean} whether the port was taken
     */
    handleConnect(port) {
      if (port.name !== REQUEST_PORT_NAME) return false;
      new RequestSession(settings, port);
      return true;
    },
  };
}

/** One page request, from the content script's first message to its one response. */
class RequestSession {
  constructor(settings, pagePort) {
    this.settings = settings;
    this.pagePort = pagePort;
    // waiting -> preparing -> running [-> cancelling] -> done
    this.state = 'waiting';
    this.id = null;
    this.command = null;
    this.origin = null;
    // Tab and origin of the sender: where a parked host is looked for and parked (parked_hosts.js).
    this.parkingKey = null;
    this.extension = null;
    this.hello = null;
    this.host = null;
    this.cancelTimer = null;
    this.pageGone = false;
    pagePort.onMessage.addListener((message) => this.onPageMessage(message));
    pagePort.onDisconnect.addListener(() => this.onPageDisconnect());
  }

  onPageMessage(message) {
    if (this.state === 'waiting') {
      this.state = 'preparing';
      this.start(message).catch((error) => this.fail(error));
    } else if (this.id !== null && isCancelFor(message, this.id)) {
      this.cancel();
    }
  }

  onPageDisconnect() {
    // The page went away (navigation, closed tab) or the content script gave up: stop the work.
    const {api} = this.settings;
    void api.runtime.lastError;
    this.pageGone = true;
    this.cancel();
  }

  async start(message) {
    const {api, policy, extensionInfo} = this.settings;
    if (isPlainObject(message) && typeof message.command === 'string' && REPORTS_EXTENSION.has(message.command)) {
      this.extension = await extensionInfo();
    }
    const request = validatePageRequest(message);
    this.id = request.id;
    this.command = request.command;

    const origin = senderOrigin(this.pagePort.sender, api.runtime.id);
    if (origin === null) throw new BridgeError('ORIGIN_NOT_ALLOWED', {reason: 'the page has no http(s) origin'});
    this.origin = origin;
    if (!protocol.commands[request.command].anyOrigin && !(await policy()).allows(origin)) {
      throw new BridgeError('ORIGIN_NOT_ALLOWED', {origin});
    }
    this.parkingKey = parkingKey(this.pagePort.sender, origin);

    // ---- Consent / PIN window slot (a later change) ----------------------------------------------------
    // Commands with protocol.json "changesCard" will ask the user for consent here, and commands with
    // "userSecrets" (pins, pin, newPin) will get those from the extension's own PIN window here, added to
    // `params` by the extension: validatePageRequest has already refused any the page sent. Nothing has
    // reached the host yet, so the user can still decline without any card work. Until then these
    // commands reach the host without PINs and fail there (except changePin on a pin-pad reader, which
    // asks for both PINs itself).
    const params = request.params;
    // -------------------------------------------------------------------------------------------------

    const outgoing = hostRequest({id: request.id, command: request.command, origin, params});
    if (this.state !== 'preparing') return;

    const handlers = {
      onMessage: (hostMessage) => this.onHostMessage(hostMessage),
      onClose: (error) => this.onHostClosed(error),
    };
    // A follow-up command goes to the host process its first step was parked with (it said hello then).
    const parked = this.settings.parkedHosts.take(this.parkingKey, this.command);
    if (parked) parked.setHandlers(handlers);
    this.host = parked ?? connectHost(api, {...handlers, helloTimeoutMs: this.settings.helloTimeoutMs});
    const hello = await this.host.hello;
    if (this.state !== 'preparing') return;
    this.hello = hello;
    if (hello.protocol !== protocol.protocolVersion) {
      // status() exists to report compatibility, so it answers with both versions instead of failing.
      if (this.command === 'status') {
        this.respond({ok: true, result: {host: hello, extension: this.extension}});
        return;
      }
      throw new BridgeError('PROTOCOL_MISMATCH', {host: hello, expected: protocol.protocolVersion});
    }
    this.state = 'running';
    this.host.post(outgoing);
  }

  onHostMessage(message) {
    if (!isPlainObject(message)) return;
    if (message.id === this.id) {
      if (message.ok === true) {
        this.respond({ok: true, result: this.decorate(message.result)}, {hostSucceeded: true});
      } else if (message.ok === false) {
        this.respond({ok: false, error: localizeHostError(message.error, this.settings.language(), this.extensionDetails())});
      } else if (isPlainObject(message.progress) && !this.pageGone) {
        this.pagePort.postMessage({type: 'progress', id: this.id, progress: message.progress});
      }
    } else if (message.id === null && message.ok === false) {
      // The host could not even read our request's id; the only request on this port is ours.
      this.respond({ok: false, error: localizeHostError(message.error, this.settings.language(), this.extensionDetails())});
    }
    // Anything else (the answer to our own cancel request) is not the page's business.
  }

  onHostClosed(error) {
    this.fail(this.state === 'cancelling' ? new BridgeError('USER_CANCELLED') : error);
  }

  /** Stops the request: before the host has it, at once; after, by asking the host, then by force. */
  cancel() {
    if (this.state === 'done' || this.state === 'cancelling') return;
    if (this.state !== 'running') {
      this.fail(new BridgeError('USER_CANCELLED'));
      return;
    }
    this.state = 'cancelling';
    const {newId, cancelTimeoutMs} = this.settings;
    this.host.post({id: newId(), command: 'cancel', origin: this.origin, params: {target: this.id}});
    this.cancelTimer = setTimeout(() => this.fail(new BridgeError('USER_CANCELLED')), cancelTimeoutMs);
  }

  /** The result as the page gets it; status and environment gain the extension's row. */
  decorate(result) {
    if (!REPORTS_EXTENSION.has(this.command)) return result;
    const base = isPlainObject(result) ? result : {};
    if (this.command === 'status') {
      const host = {...this.hello, ...(isPlainObject(base.host) ? base.host : {})};
      return {...base, host, extension: this.extension};
    }
    return {...base, extension: this.extension};
  }

  extensionDetails() {
    return this.extension ? {extension: this.extension} : {};
  }

  fail(error) {
    this.respond({ok: false, error: wireError(error, this.settings.language(), this.extensionDetails())});
  }

  /**
   * Sends the one response (unless the page is gone) and ends the host connection, or parks it when the
   * host carried out a "keepsHostFor" command: its process holds what the follow-up needs.
   * @param {object} body {ok, result} or {ok, error}
   * @param {{hostSucceeded?: boolean}} [how] whether `body` is the host's success answer to the request
   */
  respond(body, {hostSucceeded = false} = {}) {
    if (this.state === 'done') return;
    this.state = 'done';
    clearTimeout(this.cancelTimer);
    const followUp = hostSucceeded ? protocol.commands[this.command].keepsHostFor : undefined;
    // A page that is gone cannot send the follow-up; its host process has nothing left to do.
    if (followUp && !this.pageGone && this.parkingKey !== null) {
      this.settings.parkedHosts.park(this.parkingKey, this.host, followUp);
    } else {
      this.host?.close();
    }
    // The content script closes the port once it has the response.
    if (!this.pageGone) this.pagePort.postMessage({type: 'response', id: this.id, ...body});
  }
}
