// The background's messaging service: one runtime port from the content script per page request, one
// native port to the host per operation. Every decision about a request is made here, from what the
// browser says about the sender, never from what the page says about itself:
//   validate the envelope (no user secrets from the page) -> origin from the sender -> policy (unlisted
//   origins: status only) -> size limit -> host hello -> [consent / PIN window] -> relay.
// The one exception to "one native port per operation": a command with "keepsHostFor" (unblockRequest)
// parks its port after success for the follow-up command from the same tab and origin (parked_hosts.js).
//
// Consent (card_pins.js requiresConsent: protocol.json "changesCard" or "userSecrets"): before the command
// goes to the host, the service asks the host for `environment` on the operation's own port (which card,
// its PIN groups, rules, state, tries left), opens the consent window (consent_window.js) and sends the
// command only after OK, with the secrets the user typed added to the params. Asking on the operation's
// port keeps one host process per operation, and the open native port keeps Chromium's service worker
// alive while the user reads and types. A wrong PIN (or one the card's rules refuse) is asked again in the
// window and the command re-sent with the same id; the page hears only the final answer.
//
// Key-store commands (software_secrets.js usesKeyStore: software certificates) need no card: the window
// opens at once, shows the store instead, and asks for passwords and a PKCS#12 file; a missing or wrong
// store password or a wrong file password is asked again the same way. Their PKCS#12 files go from the
// host's answer to the downloads folder (pkcs12_downloads.js): the page gets names and download ids only.

import protocol from './protocol.js';
import {BridgeError, localizeHostError, wireError} from './bridge_error.js';
import {
  cardFromEnvironment, pinAsk, pinGroupDetails, refusalForCard, requiresConsent, secretsFromAnswer,
} from './card_pins.js';
import {ConsentWindows} from './consent_window.js';
import {connectHost} from './native_port.js';
import {ParkedHosts, parkingKey} from './parked_hosts.js';
import {withBrowserPolicyFiles} from './policy_status.js';
import {SAVES_FILES, saveFiles} from './pkcs12_downloads.js';
import {hostRequest, isCancelFor, validatePageRequest} from './request_validation.js';
import {senderOrigin} from './sender_origin.js';
import {softwareAsk, softwareRetryAsk, softwareSecretsFromAnswer, usesKeyStore} from './software_secrets.js';

/** Name of the content script's runtime port for one request. */
export const REQUEST_PORT_NAME = `${protocol.namespace}-request`;

// Answers (and errors) to these carry the extension's own row, so a page can show which extension it
// has even when the host is missing or incompatible.
const REPORTS_EXTENSION = new Set(['status', 'environment']);

// Host errors after which the window asks again instead of ending the request: the card is unchanged and
// the user can put it right (a mistyped PIN; a new PIN the card's rules refuse).
const ASK_AGAIN = new Set(['PIN_INCORRECT', 'PIN_POLICY']);

const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * @param {object} deps
 * @param {object} deps.api the WebExtension API (browser / chrome)
 * @param {() => Promise<{allows(origin: string): boolean, report?: object}>} deps.policy the allowed-origin
 *   policy in force (policy.js currentPolicy), read for each request; its report goes into environment()'s
 *   extension row
 * @param {() => Promise<object>} deps.extensionInfo the extension's row: {version, browser, protocol}
 * @param {() => string} deps.language catalogue language for error text
 * @param {number} [deps.helloTimeoutMs] how long the host may take to say hello
 * @param {number} [deps.cancelTimeoutMs] how long the host may take to answer a cancelled request
 *   before its port is closed (which stops the host)
 * @param {() => string} [deps.newId] ids for the extension's own host requests (environment, cancel)
 * @param {number} [deps.parkedLifetimeMs] how long a "keepsHostFor" request's host waits for its follow-up
 * @param {ConsentWindows} [deps.consentWindows] the consent windows (default: windows of `api`)
 * @param {number} [deps.cardWatchIntervalMs] how often the card is looked for while its window waits
 */
export function createRequestService(deps) {
  const settings = {
    helloTimeoutMs: protocol.timeouts.hostHelloMs,
    cancelTimeoutMs: protocol.commands.cancel.timeoutMs,
    newId: () => crypto.randomUUID(),
    // The host keeps an unblock request's key for this long; a process kept longer would be of no use.
    parkedLifetimeMs: protocol.timeouts.unblockAuthorizationLifetimeMs,
    cardWatchIntervalMs: protocol.timeouts.cardWatchIntervalMs,
    ...deps,
  };
  settings.parkedHosts = new ParkedHosts({lifetimeMs: settings.parkedLifetimeMs});
  /** Per tab and origin, the request whose consent window is open or about to open (one at a time). */
  settings.consentHolders = new Map();
  settings.consentWindows ??= new ConsentWindows({api: settings.api});
  return {
    /**
     * runtime.onConnect listener: the content script's request ports and the consent window's port.
     * Ports with another name are not ours to serve.
     * @returns {boolean} whether the port was taken
     */
    handleConnect(port) {
      if (port.name === REQUEST_PORT_NAME) {
        new RequestSession(settings, port);
        return true;
      }
      return settings.consentWindows.handleConnect(port);
    },
  };
}

/** One page request, from the content script's first message to its one response. */
class RequestSession {
  constructor(settings, pagePort) {
    this.settings = settings;
    this.pagePort = pagePort;
    // waiting -> preparing -> [consenting <-> running] -> running [-> cancelling] -> done
    this.state = 'waiting';
    this.id = null;
    this.command = null;
    this.origin = null;
    this.params = null;
    // Tab and origin of the sender: where a parked host is looked for and parked (parked_hosts.js).
    this.parkingKey = null;
    // What the parked first step left for this follow-up (unblockRequest's PIN group).
    this.followUp = {};
    this.extension = null;
    this.hello = null;
    this.host = null;
    this.cancelTimer = null;
    this.pageGone = false;
    /** The extension's own requests on this host (environment), by id: their resolvers. */
    this.ownRequests = new Map();
    /** The consent window's session and what it asks for, for commands that need consent. */
    this.consent = null;
    this.ask = null;
    /** Progress the page has had, so that a retry after a wrong PIN repeats none of it. */
    this.relayed = new Set();
    /** The next look for the card while its window waits (watchCard). */
    this.cardWatchTimer = null;
    /** Set when the request ends for a reason the window explains itself (the card was pulled). */
    this.windowExplains = false;
    pagePort.onMessage.addListener((message) => this.onPageMessage(message));
    pagePort.onDisconnect.addListener(() => this.onPageDisconnect());
  }

  onPageMessage(message) {
    if (this.state === 'waiting') {
      this.state = 'preparing';
      this.start(message).catch((error) => this.fail(error));
    } else if (this.id !== null && isCancelFor(message, this.id)) {
      this.pageStopped();
    }
  }

  onPageDisconnect() {
    // The page went away (navigation, closed tab) or the content script gave up: stop the work.
    const {api} = this.settings;
    void api.runtime.lastError;
    this.pageGone = true;
    this.pageStopped();
  }

  /**
   * The page cancelled (its own cancel, or its timeout: the page library then has its answer already) or
   * went away: the window has nothing left to ask and closes now, not once the host has stopped; the host
   * is still told to stop. Files being saved are the user's: that window stays until they are.
   */
  pageStopped() {
    if (this.state !== 'done' && this.state !== 'saving') this.consent?.close();
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
    if (!protocol.commands[request.command].anyOrigin) {
      const inForce = await policy();
      // "refusedBy": the host refuses with the same code; IT must know which allow-list to change.
      if (!inForce.allows(origin)) throw new BridgeError('ORIGIN_NOT_ALLOWED', {origin, refusedBy: 'extension'});
      // The environment check shows IT what the policy ignored; only an allowed page learns about it.
      if (request.command === 'environment' && this.extension && inForce.report) {
        this.extension = {...this.extension, policy: inForce.report};
      }
    }
    this.parkingKey = parkingKey(this.pagePort.sender, origin);
    if (requiresConsent(this.command)) this.holdConsent();
    // validatePageRequest has refused any user secret the page sent: only the consent window adds them.
    this.params = request.params;
    // Too large already without the secrets: refused before any host starts.
    hostRequest({id: request.id, command: request.command, origin, params: this.params});
    if (!(await this.connect())) return;
    if (!requiresConsent(this.command)) this.send(this.params);
    else if (usesKeyStore(this.command, this.params)) this.askUserForStore();
    else await this.askUser();
  }

  /**
   * The host connection for this request (a parked one for a follow-up command), after its hello.
   * @returns {Promise<boolean>} whether the request goes on (false: answered or ended meanwhile)
   */
  async connect() {
    const {api} = this.settings;
    const handlers = {
      onMessage: (hostMessage) => this.onHostMessage(hostMessage),
      onClose: (error) => this.onHostClosed(error),
    };
    // A follow-up command goes to the host process its first step was parked with (it said hello then).
    const parked = this.settings.parkedHosts.take(this.parkingKey, this.command);
    if (parked) {
      parked.host.setHandlers(handlers);
      this.followUp = parked.details;
    }
    this.host = parked?.host ?? connectHost(api, {...handlers, helloTimeoutMs: this.settings.helloTimeoutMs});
    const hello = await this.host.hello;
    if (this.state !== 'preparing') return false;
    this.hello = hello;
    if (hello.protocol !== protocol.protocolVersion) {
      // status() exists to report compatibility, so it answers with both versions instead of failing.
      if (this.command === 'status') {
        this.respond({ok: true, result: {host: hello, extension: this.extension}});
        return false;
      }
      throw new BridgeError('PROTOCOL_MISMATCH', {host: hello, expected: protocol.protocolVersion});
    }
    return true;
  }

  /** Sends the page's command (with the window's secrets, if any) to the host. */
  send(params) {
    const outgoing = hostRequest({id: this.id, command: this.command, origin: this.origin, params});
    this.state = 'running';
    this.host.post(outgoing);
  }

  /**
   * One consent request per tab and origin at a time: a second one (a double click) while the first's
   * window is open or opening is BUSY at once (`reason: "windowOpen"`), with no second window and no host.
   */
  holdConsent() {
    if (this.parkingKey === null) return;
    const holder = this.settings.consentHolders.get(this.parkingKey);
    if (holder && holder.state !== 'done') {
      throw new BridgeError('BUSY', {reason: 'windowOpen', waitingFor: holder.id});
    }
    this.settings.consentHolders.set(this.parkingKey, this);
  }

  /**
   * Reads the card on this request's host, then opens the consent window. The command waits for the
   * window's OK (onConfirm); nothing of it reaches the host before.
   */
  async askUser() {
    this.state = 'consenting';
    // Every parameter first, by the command's own rules on the host: a request the host would refuse gets
    // its BAD_REQUEST now, without a window asking for a PIN that could not be used.
    const checked = await this.hostCall('checkParams', {command: this.command, params: this.params});
    if (this.state !== 'consenting' || checked === null) return;
    // A host older than checkParams says UNKNOWN_COMMAND: it still checks everything once the command comes.
    if (checked.ok !== true && checked.error?.code !== 'UNKNOWN_COMMAND') {
      this.respond({ok: false, error: this.hostError(checked.error)});
      return;
    }
    const answer = await this.hostCall('environment');
    if (this.state !== 'consenting' || answer === null) return;
    if (answer.ok !== true) {
      this.respond({ok: false, error: this.hostError(answer.error)});
      return;
    }
    const found = cardFromEnvironment(answer.result, this.params);
    if (found.error) {
      // No card to ask about (no reader, no card, unknown card ...): the page gets the host's reason.
      this.respond({ok: false, error: this.hostError(found.error)});
      return;
    }
    const {card} = found;
    const refused = refusalForCard(this.command, this.params, card);
    if (refused) {
      // A request this card cannot carry out: no window, no PIN asked for nothing.
      const {code, ...details} = refused;
      this.fail(new BridgeError(code, details));
      return;
    }
    this.ask = pinAsk(this.command, this.params, card, this.followUp);
    this.openWindow({origin: this.origin, command: this.command, params: this.params, card, ask: this.ask});
    if (this.ask.kind === 'locked') {
      // Nothing the user could type would help: the page learns why at once, the window tells the user.
      this.fail(new BridgeError('PIN_LOCKED', pinGroupDetails(card, this.ask.group)));
      return;
    }
    this.waitingForUser(true);
    this.watchCard(card);
  }

  /**
   * While the window waits for the user, asks the host every cardWatchIntervalMs whether the card is still
   * in its reader (listReaders: the PC/SC service's view, no card access). A card pulled meanwhile ends the
   * request at once with CARD_REMOVED, which the window shows, instead of after the user typed a PIN.
   * While the host works on the command, the host itself notices a pulled card.
   */
  watchCard(card) {
    const look = async () => {
      this.cardWatchTimer = null;
      if (this.state === 'done') return;
      if (this.state === 'consenting') {
        const answer = await this.hostCall('listReaders');
        if (answer === null || this.state === 'done') return;
        const readers = answer.ok === true && Array.isArray(answer.result?.readers) ? answer.result.readers : null;
        // A host that cannot list the readers now (PC/SC stopped) leaves the question to the command itself.
        if (readers === null) return;
        const reader = readers.find((entry) => isPlainObject(entry) && entry.name === card.reader);
        if (this.state === 'consenting' && reader?.cardPresent !== true) {
          this.windowExplains = true;
          this.fail(new BridgeError('CARD_REMOVED', {
            reader: card.reader,
            reason: reader ? 'the card was taken out while the CertBridge window was open'
              : 'the reader was unplugged while the CertBridge window was open',
          }));
          return;
        }
      }
      this.cardWatchTimer = setTimeout(look, this.settings.cardWatchIntervalMs);
    };
    this.cardWatchTimer = setTimeout(look, this.settings.cardWatchIntervalMs);
  }

  /**
   * Opens the consent window for a key-store command: no card to read first, the window shows the store.
   * The command waits for the window's OK (onConfirm); nothing of it reaches the host before.
   */
  askUserForStore() {
    this.state = 'consenting';
    this.ask = softwareAsk(this.command);
    this.openWindow({origin: this.origin, command: this.command, params: this.params, card: null,
      store: {kind: 'software'}, ask: this.ask});
    this.waitingForUser(true);
  }

  openWindow(view) {
    this.consent = this.settings.consentWindows.open(view, {
      onConfirm: (secrets) => this.onConfirm(secrets),
      onCancel: () => this.cancel(),
      onFailed: (error) => this.fail(new BridgeError('INTERNAL_ERROR', {
        reason: `the CertBridge window could not be opened: ${String(error?.message ?? error).slice(0, 200)}`,
      })),
    });
  }

  /**
   * Tells the page whether the request now waits for the user in the window, so that the page library
   * stops its timeout meanwhile: reading and typing is the user's time, not the card's.
   */
  waitingForUser(waiting) {
    if (this.pageGone || this.state === 'done') return;
    this.pagePort.postMessage({type: 'waiting', id: this.id, waiting});
  }

  /**
   * One request of the extension's own on this request's host.
   * @returns {Promise<object|null>} the host's response, or null when this request ended first
   */
  hostCall(command, params = {}) {
    const id = this.settings.newId();
    return new Promise((resolve) => {
      this.ownRequests.set(id, resolve);
      this.host.post({id, command, origin: this.origin, params});
    });
  }

  /** The window's OK: the command goes to the host with the typed secrets. */
  onConfirm(answer) {
    if (this.state !== 'consenting' || this.ask === null) return;
    let secrets;
    try {
      secrets = this.ask.kind === 'software' ? softwareSecretsFromAnswer(this.ask, answer) : secretsFromAnswer(this.ask, answer);
    } catch {
      // The reason names keys only, never values; still, nothing of the answer goes to the page.
      this.fail(new BridgeError('INTERNAL_ERROR', {reason: 'the CertBridge window answered something that was not asked'}));
      return;
    }
    // The user has answered: the page's timeout runs again (before the host can report progress).
    this.waitingForUser(false);
    try {
      this.send({...this.params, ...secrets});
    } catch (error) {
      this.fail(error);
      return;
    }
    this.consent.working();
  }

  onHostMessage(message) {
    if (!isPlainObject(message)) return;
    const own = this.ownRequests.get(message.id);
    if (own && (message.ok === true || message.ok === false)) {
      this.ownRequests.delete(message.id);
      own(message);
    } else if (message.id === this.id) {
      if (message.ok === true && SAVES_FILES.has(this.command)) {
        // PKCS#12 files never go to the page. Finished though the user had cancelled: nothing is saved.
        if (this.state === 'running') this.saveAndRespond(message.result);
        else this.fail(new BridgeError('USER_CANCELLED'));
      } else if (message.ok === true) {
        this.respond({ok: true, result: this.decorate(message.result)}, {hostSucceeded: true});
      } else if (message.ok === false) {
        this.onHostError(message.error);
      } else if (isPlainObject(message.progress)) {
        this.relayProgress(message.progress);
      }
    } else if (message.id === null && message.ok === false) {
      // The host could not even read our request's id; the only request on this port is ours.
      this.respond({ok: false, error: this.hostError(message.error)});
    }
    // Anything else (the answer to our own cancel request) is not the page's business.
  }

  /**
   * The host made PKCS#12 files: they go to the downloads folder, and the page learns their names only.
   * The user asked for them in the window, so a page gone meanwhile does not stop the saving.
   */
  async saveAndRespond(result) {
    this.state = 'saving';
    this.consent?.progress({stage: 'saving'});
    let body;
    try {
      const protect = (path) => this.hostCall('protectSavedFile', {path});
      body = {ok: true, result: await saveFiles(this.settings.api, this.command, result, protect)};
    } catch (error) {
      body = {ok: false, error: wireError(error, this.settings.language(), this.extensionDetails())};
    }
    if (this.state !== 'saving') return;
    this.state = 'running';
    this.respond(body, {hostSucceeded: body.ok});
  }

  onHostError(error) {
    const localized = this.hostError(error);
    // Only while the user is there to answer: a cancelled request (window closed) ends as it ends.
    if (this.state === 'running' && this.consent !== null && this.ask?.kind === 'software') {
      const next = softwareRetryAsk(this.ask, this.command, localized);
      if (next !== null) {
        this.ask = next;
        this.state = 'consenting';
        this.consent.retry(localized, next);
        this.waitingForUser(true);
        return;
      }
    } else if (this.state === 'running' && this.consent !== null && ASK_AGAIN.has(localized.code)) {
      this.state = 'consenting';
      this.consent.retry(localized);
      this.waitingForUser(true);
      return;
    }
    this.respond({ok: false, error: localized});
  }

  relayProgress(progress) {
    this.consent?.progress(progress);
    if (this.pageGone) return;
    if (this.consent !== null) {
      const seen = JSON.stringify(progress);
      if (this.relayed.has(seen)) return;
      this.relayed.add(seen);
    }
    this.pagePort.postMessage({type: 'progress', id: this.id, progress});
  }

  onHostClosed(error) {
    // The host's answer is in: a host gone while its files are saved changes nothing.
    if (this.state === 'saving') return;
    this.fail(this.state === 'cancelling' ? new BridgeError('USER_CANCELLED') : error);
  }

  /**
   * Stops the request: before the host has the command (also while the window is open), at once; after,
   * by asking the host, then by force.
   */
  cancel() {
    // While its files are being saved the host's work is done: nothing is left to stop.
    if (this.state === 'done' || this.state === 'cancelling' || this.state === 'saving') return;
    if (this.state !== 'running') {
      this.fail(new BridgeError('USER_CANCELLED'));
      return;
    }
    this.state = 'cancelling';
    this.consent?.progress({stage: 'cancelling'});
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
    // The host sees the browser's policy files, the extension what the browser made of them: together they
    // tell a policy the browser dropped from no policy (policy_status.js).
    if (this.extension?.policy && isPlainObject(base.host)) {
      const policy = withBrowserPolicyFiles(this.extension.policy, base.host.policy,
        {extensionId: this.settings.api.runtime.id, browserName: this.extension.browser?.name ?? null});
      return {...base, extension: {...this.extension, policy}};
    }
    return {...base, extension: this.extension};
  }

  extensionDetails() {
    return this.extension ? {extension: this.extension} : {};
  }

  hostError(error) {
    return localizeHostError(error, this.settings.language(), this.extensionDetails());
  }

  fail(error) {
    this.respond({ok: false, error: wireError(error, this.settings.language(), this.extensionDetails())});
  }

  /**
   * Sends the one response (unless the page is gone) and ends the host connection, or parks it when the
   * host carried out a "keepsHostFor" command: its process holds what the follow-up needs. The consent
   * window closes, except after PIN_LOCKED or a card pulled while it waited: it then turns into that
   * message with one Close button.
   * @param {object} body {ok, result} or {ok, error}
   * @param {{hostSucceeded?: boolean}} [how] whether `body` is the host's success answer to the request
   */
  respond(body, {hostSucceeded = false} = {}) {
    if (this.state === 'done') return;
    this.state = 'done';
    if (this.parkingKey !== null && this.settings.consentHolders.get(this.parkingKey) === this) {
      this.settings.consentHolders.delete(this.parkingKey);
    }
    clearTimeout(this.cancelTimer);
    clearTimeout(this.cardWatchTimer);
    for (const resolve of this.ownRequests.values()) resolve(null);
    this.ownRequests.clear();
    const followUp = hostSucceeded ? protocol.commands[this.command].keepsHostFor : undefined;
    // A page that is gone cannot send the follow-up; its host process has nothing left to do.
    if (followUp && !this.pageGone && this.parkingKey !== null) {
      const result = isPlainObject(body.result) ? body.result : {};
      const details = Number.isInteger(result.pinGroup) ? {pinGroup: result.pinGroup} : {};
      this.settings.parkedHosts.park(this.parkingKey, this.host, followUp, details);
    } else {
      this.host?.close();
    }
    if (this.consent !== null) {
      if (body.ok === false && body.error?.code === 'PIN_LOCKED') this.consent.locked(body.error);
      else if (body.ok === false && this.windowExplains) this.consent.endWithMessage(body.error);
      else this.consent.close();
    }
    // The content script closes the port once it has the response.
    if (!this.pageGone) this.pagePort.postMessage({type: 'response', id: this.id, ...body});
  }
}
