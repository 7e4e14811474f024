// Where the portal offers the host package for each OS (the component's `downloads` option), checked once
// when the check is rendered: a link the user is told to follow must lead to the portal or another https
// site, never to a script, a data: blob or plain http elsewhere.

import {OS_FAMILIES} from './environment-rows.js';

/**
 * The download links as absolute URLs by OS, or an empty object when the portal gave none.
 * @param {unknown} downloads `{windows?: string, macos?: string, linux?: string}`; relative URLs resolve
 *   against the page
 * @param {string} pageUrl the page's own URL (location.href)
 * @returns {Readonly<Partial<Record<"windows"|"macos"|"linux", string>>>}
 * @throws {TypeError} naming the option and what is wrong with it
 */
export function checkDownloads(downloads, pageUrl) {
  if (downloads === undefined || downloads === null) return Object.freeze({});
  if (typeof downloads !== 'object' || Array.isArray(downloads)) {
    throw new TypeError('environment check: options.downloads must be an object {windows, macos, linux} of URLs');
  }
  const page = new URL(pageUrl);
  const links = {};
  for (const [os, value] of Object.entries(downloads)) {
    const name = `options.downloads.${os}`;
    if (!OS_FAMILIES.includes(os)) {
      throw new TypeError(`environment check: ${name}: not one of ${OS_FAMILIES.join(', ')}`);
    }
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value.trim() === '') {
      throw new TypeError(`environment check: ${name} must be a URL string`);
    }
    let url;
    try {
      url = new URL(value, page);
    } catch {
      throw new TypeError(`environment check: ${name}: "${value}" is not a URL`);
    }
    if (url.protocol !== 'https:' && url.origin !== page.origin) {
      throw new TypeError(`environment check: ${name}: "${value}" is neither https nor on this page's origin (${page.origin})`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TypeError(`environment check: ${name}: "${value}" is not a web address`);
    }
    if (url.username || url.password) {
      throw new TypeError(`environment check: ${name}: a download link must not carry a user name or password`);
    }
    links[os] = url.href;
  }
  return Object.freeze(links);
}
