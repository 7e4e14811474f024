// The page's origin, as the browser reports it for the content script that opened a port. The page
// never gets a say: whatever origin a page puts in its own message is rejected by request validation.

import protocol from './protocol.js';

/**
 * The serialized origin of the top-level document behind a runtime port, or null when the sender is not
 * our own content script in a top-level http(s) document.
 * Chromium and current Firefox fill `sender.origin`; older Firefox only has `sender.url`, which for a
 * top-level document (our content script runs in no other frame) has the same origin.
 * @param {object|undefined} sender runtime.Port.sender
 * @param {string} extensionId runtime.id
 * @returns {string|null}
 */
export function senderOrigin(sender, extensionId) {
  if (!sender || sender.id !== extensionId || !sender.tab || sender.frameId !== 0) return null;
  const claimed = typeof sender.origin === 'string' ? sender.origin : originOfUrl(sender.url);
  if (!claimed || claimed.length > protocol.limits.originMaxLength) return null;
  let url;
  try {
    url = new URL(claimed);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== claimed) return null;
  return claimed;
}

function originOfUrl(text) {
  if (typeof text !== 'string') return null;
  try {
    return new URL(text).origin;
  } catch {
    return null;
  }
}
