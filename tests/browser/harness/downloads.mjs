// Where a file the extension saved through the downloads API ended up, as the browser itself reports it
// (downloads.search in the extension's own background), so that a test opens exactly the file a user
// would find in the downloads folder.
import fs from 'node:fs';
import path from 'node:path';
import {launchChromium} from './chromium.mjs';

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Chromium (playwright-core): lets Chromium's own download manager save downloads, as a user's Chromium does
 * (under the extension's file name in ~/Downloads). playwright makes DevTools take every download instead
 * ("allowAndName": a random name in a folder of its own, the extension's name ignored), so the name the
 * extension reports to the page would be that random one.
 * @param {{context: object, page: object}} session a launchChromium session
 */
export async function saveDownloadsAsAUserWould(session) {
  const cdp = await session.context.newCDPSession(session.page);
  await cdp.send('Browser.setDownloadBehavior', {behavior: 'default'});
}

/**
 * Chromium with the unpacked extension under a throw-away HOME (English), saving downloads as a user's would.
 * @param {object} fixture the suite's fixture (paths, browserEnv)
 * @param {string} home the throw-away HOME
 */
export async function launchChromiumSavingDownloads(fixture, home) {
  const session = await launchChromium({
    userDataDir: path.join(home, '.config', 'chromium'),
    extensionDir: fixture.paths.extensionDir,
    env: fixture.browserEnv(home),
    language: 'en',
  });
  await saveDownloadsAsAUserWould(session);
  return session;
}

/**
 * Chromium (playwright-core): asks the extension's service worker for a finished download.
 * @param {object} context the persistent browser context
 * @param {number} downloadId the id the extension got from downloads.download (and gave the page)
 * @returns {Promise<{path: string, state: string, mime: string}>}
 */
export async function chromiumDownload(context, downloadId, {timeout = 30_000} = {}) {
  const deadline = Date.now() + timeout;
  let last = null;
  while (Date.now() < deadline) {
    const worker = context.serviceWorkers().find((candidate) => candidate.url().startsWith('chrome-extension://'));
    if (worker) {
      last = await worker.evaluate(async (id) => {
        const [item] = await chrome.downloads.search({id});
        return item ? {path: item.filename, state: item.state, mime: item.mime, error: item.error ?? null} : null;
      }, downloadId).catch((error) => ({state: 'unknown', error: String(error)}));
      if (last?.state === 'complete' && last.path && fs.existsSync(last.path)) return last;
      if (last?.state === 'interrupted') throw new Error(`download ${downloadId} was interrupted: ${last.error}`);
    }
    await pause(200);
  }
  throw new Error(`download ${downloadId} did not complete within ${timeout} ms: ${JSON.stringify(last)}`);
}

/**
 * Firefox: the downloads folder is set by the profile's preferences (software.firefox.test.mjs), so a
 * finished download is the file of that name there (its .part file gone), or, when the name was taken,
 * the one Firefox made unique ("name(1).p12").
 * @param {string} dir the profile's download folder
 * @param {string} fileName the name the extension gave the page
 * @param {{besides?: string, timeout?: number}} [options] besides: a file already there under that name
 */
export async function firefoxDownload(dir, fileName, {besides = null, timeout = 30_000} = {}) {
  const deadline = Date.now() + timeout;
  const dot = fileName.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [fileName.slice(0, dot), fileName.slice(dot)] : [fileName, ''];
  while (Date.now() < deadline) {
    const names = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    const found = names
      .filter((name) => name === fileName || (name.startsWith(stem) && name.endsWith(extension) && /\(\d+\)/.test(name.slice(stem.length))))
      .map((name) => path.join(dir, name))
      .find((file) => file !== besides && !fs.existsSync(`${file}.part`) && fs.statSync(file).size > 0);
    if (found) return {path: found};
    await pause(200);
  }
  throw new Error(`${fileName} did not appear in ${dir} within ${timeout} ms (folder: ${fs.existsSync(dir) ? fs.readdirSync(dir).join(', ') : 'missing'})`);
}
