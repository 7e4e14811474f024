// Background entry (Chromium: module service worker; Firefox: module event page). It owns every native
// port; content scripts only relay. Runtime ports come from the content scripts (one per page request) and
// from the extension's consent window (consent_window.js). Listeners are registered synchronously at start
// so that a background woken by a connection sees it.

import {describeExtension} from './extension_info.js';
import {pickLanguage} from './localization.js';
import {currentPolicy} from './policy.js';
import {createRequestService} from './request_service.js';

// Firefox has the promise-based `browser`; Chromium's MV3 `chrome` returns promises as well.
const api = globalThis.browser ?? globalThis.chrome;

const service = createRequestService({
  api,
  // Read for every request, so that a change of enterprise policy applies from the next one (policy.js).
  policy: () => currentPolicy(api),
  extensionInfo: () => describeExtension(api),
  // Error text follows the browser's language: zh* -> zh-TW, anything else -> en.
  language: () => pickLanguage(api.i18n.getUILanguage()),
});

api.runtime.onConnect.addListener((port) => {
  if (!service.handleConnect(port)) port.disconnect();
});
