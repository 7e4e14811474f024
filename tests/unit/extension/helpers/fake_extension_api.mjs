// The parts of the WebExtension API (chrome / browser) that the background and the content script use,
// with ports the test drives from the other end.

export const EXTENSION_ID = 'jchbopihgjendkbmjddpblohdhfkllcn';

export class FakeEvent {
  constructor() {
    this.listeners = [];
  }

  addListener(listener) {
    this.listeners.push(listener);
  }

  removeListener(listener) {
    this.listeners = this.listeners.filter((entry) => entry !== listener);
  }

  emit(...args) {
    for (const listener of [...this.listeners]) listener(...args);
  }
}

/**
 * One end of a runtime port as the code under test sees it. The test plays the other end: `deliver()`
 * sends to the code, `posted` / `nextPosted()` show what the code sent, `closeFromPeer()` disconnects.
 */
export class FakePort {
  constructor(api, name, sender = undefined) {
    this.api = api;
    this.name = name;
    this.sender = sender;
    this.onMessage = new FakeEvent();
    this.onDisconnect = new FakeEvent();
    this.posted = [];
    this.disconnected = false;
    this.error = null;
    this.waiters = [];
    /** Optional hook: called with each message the code posts (a scripted peer). */
    this.onPost = null;
  }

  postMessage(message) {
    if (this.disconnected) throw new Error('Attempting to use a disconnected port object');
    const copy = structuredClone(message);
    this.posted.push(copy);
    this.onPost?.(copy);
    const waiter = this.waiters.shift();
    if (waiter) waiter(copy);
  }

  disconnect() {
    this.disconnected = true;
  }

  /** The next message the code posts (or the oldest not yet taken). */
  nextPosted() {
    if (this.taken === undefined) this.taken = 0;
    if (this.taken < this.posted.length) return Promise.resolve(this.posted[this.taken++]);
    return new Promise((resolve) => this.waiters.push((message) => {
      this.taken += 1;
      resolve(message);
    }));
  }

  deliver(message) {
    this.onMessage.emit(structuredClone(message), this);
  }

  /**
   * The other end closes. `chromiumError` is set as runtime.lastError during the event (Chromium);
   * `firefoxError` as port.error (Firefox).
   */
  closeFromPeer({chromiumError, firefoxError} = {}) {
    this.disconnected = true;
    if (firefoxError) this.error = {message: firefoxError};
    this.api.runtime.lastError = chromiumError ? {message: chromiumError} : undefined;
    this.onDisconnect.emit(this);
    this.api.runtime.lastError = undefined;
  }
}

/**
 * @param {object} [options]
 * @param {string} [options.uiLanguage]
 * @param {(port: FakePort) => void} [options.onConnectNative] called with each new native port
 * @param {(window: {id: number, type: string, url: string}) => void} [options.onWindowCreated] called
 *   with each window the code opens (helpers/fake_consent_window.mjs plays the consent window)
 */
export function fakeExtensionApi({uiLanguage = 'en', onConnectNative = () => {}, onWindowCreated = () => {}} = {}) {
  let nextWindowId = 100;
  const api = {
    nativePorts: [],
    onConnectNative,
    onWindowCreated,
    /** Every windows.create call's options, with the id it got. */
    createdWindows: [],
    /** Ids of the windows the code removed. */
    removedWindows: [],
    windows: {
      onRemoved: new FakeEvent(),
      async create(options) {
        const window = {...structuredClone(options), id: nextWindowId += 1};
        api.createdWindows.push(window);
        api.onWindowCreated(window);
        return {id: window.id, type: options.type};
      },
      async remove(id) {
        if (api.removedWindows.includes(id)) throw new Error(`No window with id: ${id}.`);
        api.removedWindows.push(id);
        // The browser reports it removed after the call returns.
        setImmediate(() => api.windows.onRemoved.emit(id));
      },
    },
    runtime: {
      id: EXTENSION_ID,
      lastError: undefined,
      getManifest: () => ({version: '0.1.0'}),
      getURL: (path) => `chrome-extension://${EXTENSION_ID}/${String(path).replace(/^\//, '')}`,
      onConnect: new FakeEvent(),
      connectNative(name) {
        const port = new FakePort(api, name);
        api.nativePorts.push(port);
        api.onConnectNative(port);
        return port;
      },
      connect({name}) {
        const port = new FakePort(api, name);
        api.connectedPorts.push(port);
        return port;
      },
    },
    connectedPorts: [],
    /** Every downloads.download call's options, with the id it got; `failDownloads` makes them throw. */
    downloadCalls: [],
    failDownloads: false,
    /** Names already in the downloads folder: "uniquify" saves beside them as "name (1).p12", as browsers do. */
    downloadsFolder: new Set(),
    /** Set to a message to make every download end "interrupted" with it. */
    interruptDownloads: null,
    /** What downloads.search reports, by id: {id, filename (absolute), state}. Completed a turn after download(). */
    downloadItems: new Map(),
    downloads: {
      async download(options) {
        if (api.failDownloads) throw new Error('Download failed: the disk is full.');
        const id = 500 + api.downloadCalls.length;
        api.downloadCalls.push({...structuredClone(options), id});
        let name = options.filename;
        for (let copy = 1; options.conflictAction === 'uniquify' && api.downloadsFolder.has(name); copy += 1) {
          name = options.filename.replace(/(\.[^.]*)?$/, (extension) => ` (${copy})${extension}`);
        }
        api.downloadsFolder.add(name);
        const item = {id, filename: `/home/user/Downloads/${name}`, state: 'in_progress'};
        api.downloadItems.set(id, item);
        setImmediate(() => {
          item.state = api.interruptDownloads ? 'interrupted' : 'complete';
          if (api.interruptDownloads) item.error = api.interruptDownloads;
          api.downloads.onChanged.emit({id, state: {previous: 'in_progress', current: item.state}});
        });
        return id;
      },
      async search({id}) {
        const item = api.downloadItems.get(id);
        return item ? [structuredClone(item)] : [];
      },
      onChanged: new FakeEvent(),
    },
    i18n: {
      getUILanguage: () => uiLanguage,
      getMessage: (name) => `i18n:${name}`,
    },
    setUiLanguage(language) {
      uiLanguage = language;
    },
  };
  return api;
}

/** A sender as the browser describes our content script in a top-level page of `origin`. */
export function pageSender(origin, {withOrigin = true} = {}) {
  const sender = {id: EXTENSION_ID, tab: {id: 7}, frameId: 0, url: `${origin}/portal/index.html`};
  if (withOrigin) sender.origin = origin;
  return sender;
}
