// The extension's policy status with what only the host can see: the browser's managed policy files.
// Chrome, Chromium and Edge drop every value of an extension's policy that breaks its
// storage.managed_schema (managed_schema.json), and every key the schema does not name, without telling
// the extension: it never sees them, so a single wrong value (an origin list written as one
// string) leaves storage.managed `{}`, exactly as if there were no policy. The host lists the policy files
// that name our extension IDs and the keys each sets (environment().host.policy.browserPolicyFiles,
// host/include/certbridge/host/browser_policy_files.hpp); a key of this browser's files that
// storage.managed lacks was dropped, and a file the browser cannot parse is ignored whole. Both become
// entries of the report's `ignored` list (what the environment check shows IT) and of `droppedFiles` /
// `brokenFiles`.

const isPlainObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

// The host's browser names for the brands extension_info.js reports.
const POLICY_BROWSER_OF_BRAND = {'Google Chrome': 'chrome', Chrome: 'chrome', Chromium: 'chromium', 'Microsoft Edge': 'edge'};
const MAX_FILES = 20;
/** The `entry` of a dropped policy's report line (the environment check shows these on a line of their own). */
export const DROPPED_ENTRY = '(policy dropped by the browser)';

/** A short, printable copy of a host-sent text (it names a path IT wrote). */
const shortText = (value, length = 200) => String(value).replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, length);

/**
 * @typedef {object} PolicyFileStatus
 * @property {string} browser "chrome", "chromium" or "edge"
 * @property {string} path
 * @property {string[]} [keys] the keys the file sets for this extension that the browser dropped (droppedFiles)
 * @property {string} [error] why the browser ignores the file (brokenFiles)
 */

/**
 * The policy report with the browser's policy files taken into account.
 * @param {import('./policy.js').PolicyReport} report what the extension itself found (policy.js)
 * @param {unknown} hostPolicy environment().host.policy as the host sent it
 * @param {{extensionId: string, browserName: string|null}} self this extension's ID and browser brand
 * @returns {import('./policy.js').PolicyReport & {droppedFiles: PolicyFileStatus[], brokenFiles: PolicyFileStatus[]}}
 */
export function withBrowserPolicyFiles(report, hostPolicy, {extensionId, browserName}) {
  const files = isPlainObject(hostPolicy) && Array.isArray(hostPolicy.browserPolicyFiles)
    ? hostPolicy.browserPolicyFiles.filter(isPlainObject).slice(0, MAX_FILES) : [];
  // Another browser's files say nothing about this one; an unknown brand keeps every file.
  const ours = POLICY_BROWSER_OF_BRAND[browserName];
  const relevant = files.filter((file) => ours === undefined || file.browser === ours);
  const droppedFiles = [];
  const brokenFiles = [];
  for (const file of relevant) {
    const path = shortText(file.path ?? '?');
    const browser = shortText(file.browser ?? '?', 20);
    if (typeof file.error === 'string' && file.error !== '') {
      brokenFiles.push({browser, path, error: shortText(file.error)});
      continue;
    }
    const keys = isPlainObject(file.extensions) ? file.extensions[extensionId] : undefined;
    const delivered = new Set(report.keys ?? []);
    const dropped = Array.isArray(keys) ? keys.filter((key) => typeof key === 'string' && !delivered.has(key)) : [];
    if (dropped.length > 0) droppedFiles.push({browser, path, keys: dropped.slice(0, 20).map((key) => shortText(key, 64))});
  }
  const ignored = [
    ...droppedFiles.map((file) => ({entry: DROPPED_ENTRY, reason: `${file.path} sets ${file.keys.join(', ')} for this extension, but the browser did not pass them on: it drops a value that does not fit the extension's schema (managed_schema.json), and a key the schema does not name`})),
    ...brokenFiles.map((file) => ({entry: '(policy file)', reason: `${file.path}: ${file.error}`})),
  ];
  return {...report, ignored: [...ignored, ...report.ignored], droppedFiles, brokenFiles};
}
