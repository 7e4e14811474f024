// The extension's own row for status() and environment(): its version, the browser it runs in and the
// protocol it speaks. A page shows it even when the host is missing.

import protocol from './protocol.js';

// Chromium brands, most specific first: Edge and Chrome also list "Chromium".
const BRANDS = ['Microsoft Edge', 'Google Chrome', 'Opera', 'Brave', 'Chromium'];

let browserPromise = null;

/**
 * Name and version of the browser: Firefox answers runtime.getBrowserInfo(); Chromium browsers tell
 * through User-Agent Client Hints, or failing those the user-agent string.
 * @returns {Promise<{name: string|null, version: string|null}>}
 */
async function detectBrowser(api, nav) {
  if (typeof api.runtime.getBrowserInfo === 'function') {
    const info = await api.runtime.getBrowserInfo();
    return {name: info.name, version: info.version};
  }
  const hints = nav?.userAgentData;
  if (hints) {
    let list = hints.brands;
    try {
      list = (await hints.getHighEntropyValues(['fullVersionList'])).fullVersionList ?? list;
    } catch {
      // Low-entropy brands (major version only) still name the browser.
    }
    const found = BRANDS.map((name) => list?.find((entry) => entry.brand === name)).find(Boolean);
    if (found) return {name: found.brand, version: found.version};
  }
  // Edge's user agent also says "Chrome/", so it is looked for first.
  for (const [name, pattern] of [['Microsoft Edge', /Edg\/([\d.]+)/], ['Chrome', /Chrome\/([\d.]+)/]]) {
    const match = pattern.exec(nav?.userAgent ?? '');
    if (match) return {name, version: match[1]};
  }
  return {name: null, version: null};
}

/**
 * @param {object} api the WebExtension API
 * @param {object} [nav] navigator
 * @returns {Promise<{version: string, browser: {name: string|null, version: string|null}, protocol: number}>}
 */
export async function describeExtension(api, nav = globalThis.navigator) {
  browserPromise ??= detectBrowser(api, nav).catch(() => ({name: null, version: null}));
  return {
    version: api.runtime.getManifest().version,
    browser: await browserPromise,
    protocol: protocol.protocolVersion,
  };
}
