// One native-messaging connection to the host for one operation: connectNative, wait for the host's
// hello, then relay. The browser starts a host process per connection and ends it on disconnect, so an
// operation's port is also its lifetime (and, in Chromium, keeps the service worker alive). A connection
// kept for a follow-up request (parked_hosts.js) changes owner through setHandlers().

import protocol from './protocol.js';
import {BridgeError} from './bridge_error.js';

// What the browsers say when there is no usable host for us: not installed (Chromium "Specified native
// messaging host not found.", Firefox "No such native application <name>"), installed without our ID
// ("Access to the specified native messaging host is forbidden."), or its executable is missing
// ("Failed to start native messaging host."). Anything else after a start is a host failure.
// Chromium's words when the host is installed but may not be started for this extension: its manifest's
// allowed_origins lacks our ID. Reinstalling the host fixes that, so the page is told apart ("cause":
// "forbidden"). A host that
// browser policy blocks by name (NativeMessagingBlocklist without our host on NativeMessagingAllowlist) has
// words of its own, "Access to the native messaging host was disabled by the system administrator.": cause
// "policy", so that the page can send the user to IT. Firefox reports all of these as "No such native
// application" (it has no native-messaging policy).
const HOST_FORBIDDEN = /native messaging host is forbidden/i;
const HOST_BLOCKED_BY_POLICY = /native messaging host was disabled by the system administrator/i;
const HOST_UNAVAILABLE = [
  /native messaging host not found/i,
  /no such native application/i,
  /native messaging host is forbidden/i,
  /failed to start native messaging host/i,
  HOST_BLOCKED_BY_POLICY,
];

/**
 * The browser's reason for a closed native port: Firefox sets `port.error`; Chromium sets
 * `runtime.lastError` during onDisconnect (reading it also keeps Chromium from logging it as unchecked).
 */
export function disconnectReason(api, port) {
  const chromiumError = api.runtime.lastError;
  return port.error?.message ?? chromiumError?.message ?? '';
}

/**
 * The protocol error for a native port that closed before the operation ended.
 * @param {string} reason the browser's message
 * @param {boolean} helloReceived whether the host had started talking
 */
export function disconnectError(reason, helloReceived) {
  if (HOST_BLOCKED_BY_POLICY.test(reason)) return new BridgeError('NATIVE_UNAVAILABLE', {cause: 'policy', reason});
  if (HOST_FORBIDDEN.test(reason)) return new BridgeError('NATIVE_UNAVAILABLE', {cause: 'forbidden', reason});
  if (HOST_UNAVAILABLE.some((pattern) => pattern.test(reason))) {
    return new BridgeError('NATIVE_UNAVAILABLE', {reason});
  }
  const fallback = helloReceived ? 'the host closed the connection' : 'the host closed the connection before its hello';
  return new BridgeError('INTERNAL_ERROR', {reason: reason || fallback});
}

/**
 * The host's hello `{"hello": {"name", "version", "protocol"}}`, or null when `message` is not one.
 * @returns {{name: string, version: string, protocol: number}|null}
 */
export function parseHello(message) {
  const hello = message?.hello;
  if (!hello || typeof hello !== 'object' || typeof hello.name !== 'string' ||
      typeof hello.version !== 'string' || !Number.isInteger(hello.protocol)) {
    return null;
  }
  return {name: hello.name.slice(0, 64), version: hello.version.slice(0, 64), protocol: hello.protocol};
}

/**
 * Opens a connection to the host.
 * @param {object} api the WebExtension API (browser / chrome)
 * @param {object} handlers
 * @param {(message: object) => void} handlers.onMessage every host message after the hello
 * @param {(error: BridgeError) => void} handlers.onClose the host went away after its hello
 * @param {number} [handlers.helloTimeoutMs]
 * @returns {{hello: Promise<{name: string, version: string, protocol: number}>,
 *            post: (message: object) => void, close: (error?: BridgeError) => void,
 *            setHandlers: (handlers: {onMessage: Function, onClose: Function}) => void}}
 *   `hello` rejects with NATIVE_UNAVAILABLE, INTERNAL_ERROR, PROTOCOL_MISMATCH (no hello first), or the
 *   error given to close() before the hello came.
 */
export function connectHost(api, {onMessage, onClose, helloTimeoutMs = protocol.timeouts.hostHelloMs}) {
  let resolveHello;
  let rejectHello;
  const hello = new Promise((resolve, reject) => {
    resolveHello = resolve;
    rejectHello = reject;
  });
  // Replaced by setHandlers() when the connection changes owner.
  let handlers = {onMessage, onClose};
  let helloReceived = false;
  let closed = false;
  let helloTimer = null;
  let port = null;

  function end(error) {
    if (closed) return;
    closed = true;
    clearTimeout(helloTimer);
    if (!helloReceived) rejectHello(error);
    else handlers.onClose(error);
  }

  try {
    port = api.runtime.connectNative(protocol.nativeHostName);
  } catch (error) {
    end(new BridgeError('NATIVE_UNAVAILABLE', {reason: String(error?.message ?? error)}));
    return {hello, post() {}, close() {}, setHandlers() {}};
  }

  helloTimer = setTimeout(() => {
    port.disconnect();
    end(new BridgeError('INTERNAL_ERROR', {reason: `no hello from the host within ${helloTimeoutMs} ms`}));
  }, helloTimeoutMs);

  port.onMessage.addListener((message) => {
    if (closed) return;
    if (helloReceived) {
      handlers.onMessage(message);
      return;
    }
    const info = parseHello(message);
    if (!info) {
      port.disconnect();
      end(new BridgeError('PROTOCOL_MISMATCH', {reason: 'the host did not start with a hello'}));
      return;
    }
    helloReceived = true;
    clearTimeout(helloTimer);
    resolveHello(info);
  });

  port.onDisconnect.addListener(() => {
    const reason = disconnectReason(api, port);
    end(disconnectError(reason, helloReceived));
  });

  return {
    hello,
    post(message) {
      if (!closed) port.postMessage(message);
    },
    /** Disconnects (the browser then stops the host). Before the hello, `hello` rejects with `error`. */
    close(error = new BridgeError('USER_CANCELLED')) {
      if (closed) return;
      port.disconnect();
      closed = true;
      clearTimeout(helloTimer);
      if (!helloReceived) rejectHello(error);
    },
    /** From now on, later host messages and the host going away are reported to `next`. */
    setHandlers(next) {
      handlers = next;
    },
  };
}
