// The consent window as the background sees it: a runtime port from the extension's consent page, opened
// after windows.create, that the test drives as the user would (OK with PINs, Cancel, closing the
// window). Also the card the fake host describes in its `environment` answer.

import {EXTENSION_ID, FakePort} from './fake_extension_api.mjs';

export const CONSENT_PORT_NAME = 'certbridge-consent';
export const READER = 'Virtual PCD 00 00';
export const TOKEN_LABEL = 'CertBridge Card';
export const TOKEN_SERIAL = '5f1ad4c28d3e0b11';
export const TEST_PIN = '123456';
export const NEW_PIN = '654321';
export const ORPHAN_KEY_ID = '5a0c9e21d4f8b637';
// What a user types and picks for the software-certificate commands (the fake host checks nothing).
export const FILE_PASSWORD = 'file-pass-1';
export const NEW_FILE_PASSWORD = 'new-file-pass-2';
export const STORE_PASSWORD = 'store-pass-3';
/** Base64 of a PKCS#12 file the user picked in the window (its first bytes: a DER SEQUENCE). */
export const PICKED_FILE = Buffer.from([0x30, 0x82, 0x0a, 0x1f, ...Array.from({length: 60}, (_, index) => index)]).toString('base64');

/**
 * An environment result (host/src/commands/environment.cpp) with one reader holding one card.
 * @param {object} [options]
 * @param {object[]} [options.pins] the token's PIN groups
 * @param {boolean} [options.protectedAuthPath] the card logs in on the reader's keypad
 * @param {object[]} [options.certificates] the card holder's certificates (without reader/token)
 */
export function cardEnvironment({
  pins = [{name: 'PIN', minLength: 6, maxLength: 16, state: 'ok', triesLeft: 3}],
  protectedAuthPath = false,
  certificates = [],
} = {}) {
  return {
    host: {version: '0.1.0', protocol: 1},
    pcsc: {available: true, error: null},
    readers: [
      {name: READER, cardPresent: true, pinPad: protectedAuthPath, atr: '3B 95 13 81 01 80 73 FF 01 00 0B',
        profile: {id: 'test', displayName: 'Test card'}, token: {label: TOKEN_LABEL, serial: TOKEN_SERIAL}, problem: null},
      {name: 'Virtual PCD 00 01', cardPresent: false, pinPad: false, atr: null, profile: null, token: null, problem: null},
    ],
    modules: [],
    tokens: [{reader: READER, label: TOKEN_LABEL, serial: TOKEN_SERIAL, manufacturer: 'SoftHSM project', model: 'SoftHSM v2',
      initialized: true, protectedAuthPath, pins}],
    certificates: certificates.map((certificate) => ({...certificate, reader: READER, token: TOKEN_LABEL, onCard: true})),
    // A key pair whose certificate never came (removeKeys' subject).
    keysWithoutCertificate: [{reader: READER, token: TOKEN_LABEL, keyId: ORPHAN_KEY_ID, label: 'Signing key 2026-11-01',
      keySize: 2048, usage: 'signing', createdOn: '2026-11-01', ageDays: 33, pinGroup: 0}],
    problems: [],
  };
}

/** One consent window: its page's port to the background. */
export class FakeConsentWindow {
  constructor(api, service, created) {
    this.api = api;
    this.id = created.id;
    this.url = created.url;
    this.created = created;
    this.closed = false;
    this.port = new FakePort(api, CONSENT_PORT_NAME, {id: EXTENSION_ID, url: created.url, tab: {id: 1000 + created.id}, frameId: 0});
    // The browser ends the page's port when its window goes, whoever closed it.
    api.windows.onRemoved.addListener((id) => {
      if (id === this.id) this.gone();
    });
    this.taken = service.handleConnect(this.port);
  }

  /** The next message of `type` from the background (messages of other types are passed over). */
  async next(type) {
    for (;;) {
      const message = await this.port.nextPosted();
      if (message.type === type) return message;
    }
  }

  /** Every message the background sent, or those of one type. */
  messages(type) {
    return this.port.posted.filter((message) => type === undefined || message.type === type);
  }

  confirm(secrets) {
    this.port.deliver({type: 'confirm', secrets});
  }

  cancel() {
    this.port.deliver({type: 'cancel'});
  }

  /** The user closes the window with its close box: the port ends, the browser reports it removed. */
  closeByUser() {
    this.gone();
    this.api.windows.onRemoved.emit(this.id);
  }

  gone() {
    if (this.closed) return;
    this.closed = true;
    if (!this.port.disconnected) this.port.closeFromPeer();
  }

  /** Whether the background closed this window (windows.remove). */
  get removedByBackground() {
    return this.api.removedWindows.includes(this.id);
  }
}

/**
 * Plays a consent window for each window the background creates; its page connects after
 * windows.create has answered, as a real page loads after its window exists.
 * @returns {{opened: FakeConsentWindow[], next: () => Promise<FakeConsentWindow>}}
 */
export function consentWindows(api, service) {
  const opened = [];
  const waiters = [];
  let taken = 0;
  api.onWindowCreated = (created) => setImmediate(() => {
    const window = new FakeConsentWindow(api, service, created);
    opened.push(window);
    const waiter = waiters.shift();
    if (waiter) {
      taken += 1;
      waiter(window);
    }
  });
  return {
    opened,
    next() {
      if (taken < opened.length) return Promise.resolve(opened[taken++]);
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

/** What a user who knows the PINs answers to a window's `show`. */
export function answerFor(show, {pin = TEST_PIN, newPin = NEW_PIN} = {}) {
  switch (show.ask.kind) {
    case 'pins': {
      const pins = new Array(Math.max(...show.ask.groups) + 1).fill(null);
      for (const group of show.ask.groups) pins[group] = pin;
      return {pins};
    }
    case 'changePin':
      return {pin, newPin};
    case 'newPin':
      return {newPin};
    case 'software': {
      // A key-store command: exactly what the window asked for (software_secrets.js SoftwareAsk).
      const answer = {};
      if (show.ask.file) answer.file = PICKED_FILE;
      if (show.ask.password) answer.password = FILE_PASSWORD;
      if (show.ask.newPassword) answer.newPassword = NEW_FILE_PASSWORD;
      if (show.ask.storePassword) answer.storePassword = STORE_PASSWORD;
      return answer;
    }
    default:
      return {};
  }
}

/** A user who confirms every consent window with the test PINs. */
export function autoConsent(api, service, options) {
  const windows = consentWindows(api, service);
  (async () => {
    for (;;) {
      const window = await windows.next();
      window.confirm(answerFor(await window.next('show'), options));
    }
  })();
  return windows;
}
