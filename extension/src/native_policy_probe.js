// Tells "the browser's policy blocks native messaging" apart from "the host's manifest does not name this
// extension". Chromium answers both with the same words ("Access to the specified native messaging host is
// forbidden."), but it checks its policy (NativeMessagingBlocklist / NativeMessagingAllowlist) on the host
// name before it looks for any manifest. So a second connection to a name that no manifest registers says
// which it is: "forbidden" again means a policy blocks hosts by name (the usual "*" blocklist without our
// host on the allowlist); "not found" means the policy let the name through, so it is the manifest (or a
// blocklist that names our host alone, which this cannot see). Connecting to a name without a manifest
// starts no program.

import protocol from './protocol.js';

/** A name no installer registers (valid for Chromium: lower case letters, digits, "_" and "."). */
export const PROBE_HOST_NAME = `${protocol.nativeHostName}.policy_probe`;
const FORBIDDEN = /native messaging host is forbidden/i;
// Chromium answers a connection to a missing host within milliseconds; waiting longer only delays the error.
const PROBE_TIMEOUT_MS = 2000;

/**
 * Whether browser policy blocks native messaging hosts by name, as far as a probe can tell.
 * @param {object} api the WebExtension API
 * @returns {Promise<boolean>} true only when the probe name was refused as forbidden
 */
export function nativeMessagingBlockedByPolicy(api) {
  return new Promise((resolve) => {
    let port;
    try {
      port = api.runtime.connectNative(PROBE_HOST_NAME);
    } catch {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => {
      port.disconnect();
      resolve(false);
    }, PROBE_TIMEOUT_MS);
    port.onDisconnect.addListener(() => {
      clearTimeout(timer);
      // Chromium's reason is runtime.lastError during onDisconnect (reading it also marks it checked).
      resolve(FORBIDDEN.test(api.runtime.lastError?.message ?? port.error?.message ?? ''));
    });
  });
}
