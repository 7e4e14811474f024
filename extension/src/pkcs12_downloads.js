// Saving the PKCS#12 files of exportPkcs12 and changePkcs12Password through the browser's downloads
// (downloads.download, the same in Chromium and Firefox; manifest permission "downloads"), and the result
// the page gets instead of the host's: file names and download ids, never the file's bytes. The host
// never writes a file itself (commands.md "Software certificates"); once saved, it makes the file readable
// by its owner only (protectSavedFile).
//
// The URL handed to downloads.download: Chromium's MV3 service worker has no URL.createObjectURL, and a
// data: URL works there; Firefox's background page has createObjectURL, and a blob: URL is what its
// downloads API takes from an extension page. Each URL lives only until its download has its bytes.

import {BridgeError} from './bridge_error.js';
import protocol from './protocol.js';

/** The commands whose result carries PKCS#12 files for the downloads folder. */
export const SAVES_FILES = new Set(['exportPkcs12', 'changePkcs12Password']);

const PKCS12_TYPE = 'application/x-pkcs12';
// A blob: URL is revoked after this long: the download has read it by then (files are at most 512 KiB).
const BLOB_URL_LIFETIME_MS = 60_000;
const FALLBACK_NAME = 'certificate.p12';

const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A file name downloads.download accepts, in the downloads folder itself: the host's name (already free of
 * the characters file systems refuse) without path separators, reserved characters or a leading dot.
 * @param {unknown} name
 */
export function safeFileName(name) {
  const cleaned = String(typeof name === 'string' ? name : '')
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  if (cleaned === '') return FALLBACK_NAME;
  return /\.(p12|pfx)$/i.test(cleaned) ? cleaned : `${cleaned}.p12`;
}

/** The files of a host result: [{fileName, pkcs12, ...}] for exportPkcs12, one for changePkcs12Password. */
function filesOf(command, result) {
  const base = isPlainObject(result) ? result : {};
  const files = command === 'exportPkcs12' ? base.files : [base];
  if (!Array.isArray(files) || files.length === 0 ||
      !files.every((file) => isPlainObject(file) && typeof file.pkcs12 === 'string' && file.pkcs12 !== '')) {
    throw new BridgeError('INTERNAL_ERROR', {reason: `the host's ${command} result has no file to save`});
  }
  return files;
}

/** A URL for the file's bytes the downloads API of this background can fetch, and how to let it go. */
function downloadUrl(pkcs12) {
  if (typeof URL.createObjectURL === 'function' && typeof Blob === 'function') {
    const binary = atob(pkcs12);
    const bytes = new Uint8Array(binary.length);
    for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
    const url = URL.createObjectURL(new Blob([bytes], {type: PKCS12_TYPE}));
    return {url, release: () => setTimeout(() => URL.revokeObjectURL(url), BLOB_URL_LIFETIME_MS)};
  }
  return {url: `data:${PKCS12_TYPE};base64,${pkcs12}`, release: () => {}};
}

/** The last part of a path the downloads API reports (absolute, "/" or "\\" separated). */
function baseName(path) {
  return path.split(/[\\/]/).pop();
}

/**
 * Where the browser saved a download, once it has finished: downloads.search gives the full path,
 * downloads.onChanged says when it is complete. A download that fails is INTERNAL_ERROR; one still running
 * after protocol.json's timeouts.fileSavedMs is reported under the name asked for (path null), as is any
 * browser without downloads.search.
 * @param {object} api the WebExtension API
 * @param {number} downloadId
 * @param {string} asked the name given to downloads.download
 * @returns {Promise<{name: string, path: string|null}>}
 */
export function savedFileName(api, downloadId, asked) {
  const {search, onChanged} = api.downloads;
  const unknown = {name: asked, path: null};
  if (typeof search !== 'function') return Promise.resolve(unknown);
  return new Promise((resolve, reject) => {
    let timer = null;
    const listener = (delta) => {
      if (delta?.id === downloadId && (delta.state || delta.filename)) void check();
    };
    const finish = (settle, value) => {
      clearTimeout(timer);
      onChanged?.removeListener(listener);
      settle(value);
    };
    const check = async () => {
      let item;
      try {
        [item] = await search({id: downloadId});
      } catch {
        item = null;
      }
      if (!item) {
        finish(resolve, unknown);
      } else if (item.state === 'complete') {
        finish(resolve, item.filename ? {name: baseName(item.filename), path: item.filename} : unknown);
      } else if (item.state === 'interrupted') {
        finish(reject, new BridgeError('INTERNAL_ERROR', {
          reason: `the browser did not save ${asked}: ${String(item.error ?? 'interrupted').slice(0, 200)}`,
        }));
      }
    };
    onChanged?.addListener(listener);
    timer = setTimeout(() => finish(resolve, unknown), protocol.timeouts.fileSavedMs);
    void check();
  });
}

/**
 * Asks the host to make a saved file readable by its owner only (its protectSavedFile command): the
 * downloads API sets no mode, and Chromium and Firefox save 0644. The file stays saved whatever the
 * answer; the page learns the mode it has.
 * @param {(path: string) => Promise<object|null>} protect sends protectSavedFile and gives the host's response
 * @param {string|null} path the saved file's full path, null when the browser did not say
 * @returns {Promise<string|null>} the file's permission bits now ("0600"), null when unknown or not POSIX
 */
async function protectSavedFile(protect, path) {
  if (path === null || typeof protect !== 'function') return null;
  let answer = null;
  try {
    answer = await protect(path);
  } catch {
    answer = null;
  }
  return answer?.ok === true && typeof answer.result?.mode === 'string' ? answer.result.mode : null;
}

/**
 * Saves each file of the host's result to the downloads folder, without asking where (a name already
 * taken gets a new one: an existing file, such as the original of changePkcs12Password, is never replaced),
 * then has the host make it readable by its owner only.
 * @param {object} api the WebExtension API
 * @param {string} command exportPkcs12 | changePkcs12Password
 * @param {unknown} result the host's result
 * @param {(path: string) => Promise<object|null>} [protect] sends the host's protectSavedFile
 * @returns {Promise<object>} the result for the page: the host's with each file's `pkcs12` replaced by
 *   the `downloadId` the browser gave it, `fileName` the name the browser saved it under and `fileMode` its
 *   permission bits ("0600"; null on Windows, where the profile's ACL guards the Downloads folder, or when
 *   the host could not change them)
 * @throws {BridgeError} INTERNAL_ERROR when the result has no file or the browser refuses a download
 */
export async function saveFiles(api, command, result, protect) {
  const files = filesOf(command, result);
  const saved = [];
  for (const file of files) {
    const fileName = safeFileName(file.fileName);
    const {url, release} = downloadUrl(file.pkcs12);
    let downloadId;
    try {
      downloadId = await api.downloads.download({url, filename: fileName, conflictAction: 'uniquify', saveAs: false});
    } catch (error) {
      throw new BridgeError('INTERNAL_ERROR', {
        reason: `the browser did not save ${fileName}: ${String(error?.message ?? error).slice(0, 200)}`,
        savedFiles: saved.map((entry) => entry.fileName),
      });
    } finally {
      release();
    }
    // The browser may have saved it under another name ("name (1).p12" beside an existing file).
    let savedAs;
    try {
      savedAs = await savedFileName(api, downloadId, fileName);
    } catch (error) {
      error.details.savedFiles = saved.map((entry) => entry.fileName);
      throw error;
    }
    const fileMode = await protectSavedFile(protect, savedAs.path);
    const {pkcs12: _bytes, ...known} = file;
    saved.push({...known, fileName: savedAs.name, downloadId, fileMode});
  }
  return command === 'exportPkcs12' ? {...result, files: saved} : saved[0];
}
