// Enterprise policy for the extension, as the browser delivers it in storage.managed:
//   Chrome / Edge: the "3rdparty" -> "extensions" -> <extension id> -> "policy" block of the browser's
//     policy (Linux: /etc/opt/chrome/policies/managed/*.json, /etc/chromium/policies/managed/*.json;
//     Windows: HKLM\Software\Policies\<vendor>\<browser>\3rdparty\extensions\<id>\policy), checked by
//     Chromium against the manifest's storage.managed_schema (managed_schema.json);
//   Firefox: policies.json "3rdparty" -> "Extensions" -> <add-on id>, else a managed-storage manifest
//     (Linux per user: ~/.mozilla/managed-storage/<add-on id>.json). Firefox checks nothing against the
//     schema, so every value is checked here.
// installer/policies/ has an example for each. A value that is wrong is ignored and reported (never
// thrown): the rest of the policy still applies.

/** The policy keys (managed_schema.json describes the same). */
export const POLICY_KEYS = Object.freeze({
  // Origin patterns (see policy.js) allowed besides, or instead of, the built-in list.
  allowedOrigins: 'allowedOrigins',
  // "extend" (default): the built-in list plus allowedOrigins; "replace": allowedOrigins only.
  allowedOriginsMode: 'allowedOriginsMode',
  // Whether plain http is allowed for loopback origins (http://127.0.0.1, localhost; never [::1]); unset: the
  // build's setting (CERTBRIDGE_ALLOW_LOOPBACK_HTTP). Never allows plain http to any other host.
  allowLoopbackHttp: 'allowLoopbackHttp',
});

const MODES = ['extend', 'replace'];
// More would be a mistake, not a policy; the limit keeps a broken policy from slowing every request.
const MAX_ORIGINS = 1000;

/**
 * @typedef {object} ManagedSettings what the managed policy says, only the valid parts
 * @property {unknown[]|undefined} allowedOrigins the entries as given (each checked by policy.js)
 * @property {'extend'|'replace'} allowedOriginsMode
 * @property {boolean|undefined} allowLoopbackHttp
 */

/**
 * @typedef {object} PolicyProblem a policy entry that is ignored, and why (shown in the environment check)
 * @property {string} entry which entry: "allowedOrigins[2]", "allowedOriginsMode", ...
 * @property {string} reason in English, for IT (the page shows it as it is)
 */

const isPlainObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A value for a problem report: short, and a string whatever it was. */
function shown(value) {
  let text;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Checks what storage.managed gave.
 * @param {unknown} data the object storage.managed.get() resolved with
 * @returns {{settings: ManagedSettings, problems: PolicyProblem[], present: boolean}} present: whether
 *   any policy key was set at all
 */
export function readManagedSettings(data) {
  /** @type {ManagedSettings} */
  const settings = {allowedOrigins: undefined, allowedOriginsMode: 'extend', allowLoopbackHttp: undefined};
  const problems = [];
  if (!isPlainObject(data)) {
    if (data !== undefined && data !== null) problems.push({entry: '(policy)', reason: `not an object: ${shown(data)}`});
    return {settings, problems, present: false};
  }
  const known = new Set(Object.values(POLICY_KEYS));
  for (const key of Object.keys(data)) {
    if (!known.has(key)) problems.push({entry: key, reason: 'unknown policy key'});
  }

  const origins = data[POLICY_KEYS.allowedOrigins];
  if (origins !== undefined) {
    if (!Array.isArray(origins)) {
      problems.push({entry: POLICY_KEYS.allowedOrigins, reason: `not a list of origins: ${shown(origins)}`});
    } else {
      // Entries that are not strings stay, so that policy.js reports each under its own index.
      settings.allowedOrigins = origins.slice(0, MAX_ORIGINS);
      if (origins.length > MAX_ORIGINS) {
        problems.push({entry: POLICY_KEYS.allowedOrigins, reason: `more than ${MAX_ORIGINS} entries: the rest are ignored`});
      }
    }
  }

  const mode = data[POLICY_KEYS.allowedOriginsMode];
  if (mode !== undefined) {
    if (MODES.includes(mode)) settings.allowedOriginsMode = mode;
    else problems.push({entry: POLICY_KEYS.allowedOriginsMode, reason: `must be "extend" or "replace", not ${shown(mode)}`});
  }
  if (settings.allowedOriginsMode === 'replace' && settings.allowedOrigins === undefined) {
    // Replacing the list with nothing would lock every portal out by accident: refused.
    problems.push({entry: POLICY_KEYS.allowedOriginsMode, reason: '"replace" without allowedOrigins: the built-in list stays'});
    settings.allowedOriginsMode = 'extend';
  }

  const loopback = data[POLICY_KEYS.allowLoopbackHttp];
  if (loopback !== undefined) {
    if (typeof loopback === 'boolean') settings.allowLoopbackHttp = loopback;
    else problems.push({entry: POLICY_KEYS.allowLoopbackHttp, reason: `must be true or false, not ${shown(loopback)}`});
  }

  const present = Object.values(POLICY_KEYS).some((key) => data[key] !== undefined);
  return {settings, problems, present};
}

/**
 * Reads storage.managed of `api`. Never throws: a browser without managed storage, or with none for this
 * extension, gives no data; a read that fails otherwise is reported.
 * @param {object|undefined} api the WebExtension API
 * @returns {Promise<{data: unknown, problems: PolicyProblem[]}>}
 */
export async function loadManagedData(api) {
  const managed = api?.storage?.managed;
  if (typeof managed?.get !== 'function') return {data: undefined, problems: []};
  try {
    return {data: await managed.get(null), problems: []};
  } catch (error) {
    const message = String(error?.message ?? error);
    // Firefox without a policies.json entry or managed-storage manifest for this add-on.
    if (/manifest not found/i.test(message)) return {data: undefined, problems: []};
    return {data: undefined, problems: [{entry: '(policy)', reason: `could not be read: ${message.slice(0, 200)}`}]};
  }
}
