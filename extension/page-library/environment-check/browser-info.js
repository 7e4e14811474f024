// Which browser the page runs in, by name and version, as a user would call it.

// Brand names a Chromium-based browser reports; the first one found wins, so a specific brand
// (Edge, Chrome) beats the engine name (Chromium).
const PREFERRED_BRANDS = ['Microsoft Edge', 'Google Chrome', 'Opera', 'Brave', 'Chromium', 'HeadlessChrome'];

function fromBrands(brands) {
  if (!Array.isArray(brands)) return null;
  for (const name of PREFERRED_BRANDS) {
    const found = brands.find((entry) => entry.brand === name);
    if (found) return {name: found.brand, version: found.version};
  }
  return null;
}

/** Parses a user-agent string; order matters because Edge and Opera also say "Chrome/". */
export function browserFromUserAgent(userAgent) {
  const patterns = [
    ['Microsoft Edge', /Edg(?:e|A|iOS)?\/([\d.]+)/],
    ['Opera', /OPR\/([\d.]+)/],
    ['Firefox', /Firefox\/([\d.]+)/],
    ['HeadlessChrome', /HeadlessChrome\/([\d.]+)/],
    ['Chrome', /Chrome\/([\d.]+)/],
    ['Safari', /Version\/([\d.]+).*Safari\//],
  ];
  for (const [name, pattern] of patterns) {
    const match = pattern.exec(userAgent ?? '');
    if (match) return {name, version: match[1]};
  }
  return {name: null, version: null};
}

/**
 * The browser's name and full version. Prefers what the extension reported (it may ask the browser
 * directly), then User-Agent Client Hints (full version list), then the user-agent string.
 * @param {{name?: string, version?: string}|string|undefined} reportedByExtension
 * @param {Navigator} [nav]
 * @returns {Promise<{name: string|null, version: string|null}>}
 */
export async function describeBrowser(reportedByExtension, nav = globalThis.navigator) {
  if (reportedByExtension && typeof reportedByExtension === 'object' && reportedByExtension.name) {
    return {name: reportedByExtension.name, version: reportedByExtension.version ?? null};
  }
  const hints = nav?.userAgentData;
  if (hints?.getHighEntropyValues) {
    try {
      const values = await hints.getHighEntropyValues(['fullVersionList']);
      const found = fromBrands(values.fullVersionList) ?? fromBrands(hints.brands);
      if (found) return found;
    } catch {
      // Client hints may be refused; the user-agent string still tells.
    }
  }
  return browserFromUserAgent(nav?.userAgent);
}

/**
 * The operating system the page runs on, as the catalogue names OS families ("windows", "macos", "linux"),
 * or null when the browser does not say (or runs on another, e.g. Android, where there is nothing to install).
 * @param {Navigator} [nav]
 * @returns {"windows"|"macos"|"linux"|null}
 */
export function osFamily(nav = globalThis.navigator) {
  const platform = String(nav?.userAgentData?.platform ?? '');
  const userAgent = String(nav?.userAgent ?? '');
  if (/android|cros|chrome os|iphone|ipad/i.test(`${platform} ${userAgent}`)) return null;
  if (/windows/i.test(platform) || /Windows NT/.test(userAgent)) return 'windows';
  if (/mac/i.test(platform) || /Macintosh|Mac OS X/.test(userAgent)) return 'macos';
  if (/linux/i.test(platform) || /Linux|X11/.test(userAgent)) return 'linux';
  return null;
}
