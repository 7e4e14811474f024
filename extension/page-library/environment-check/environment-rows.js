// Turns what the page library reported into the rows of the environment check. Rows hold message keys
// and values, not finished text, so the language can be switched without asking the card again.
//
// A row: {check, subject, group, status, label, details, error, fix}
//   check    stable id of the kind of row ("extension", "reader", ...), for tests and styling
//   subject  what the row is about when there can be several (reader name, token label), else null
//   group    "software" | "cards" | "certificates" | "problems"
//   status   "ok" | "warning" | "error" | "unknown"
//   label    {key, params}: the row heading
//   details  [{key, params} | {text}]: one entry per line of the result
//   error    {code, message, fix, ...} or null: what is wrong (text and fix come from the catalogue)
//   fix      {key, params} or null: a fix hint of our own when there is no error code to look up
//   action   "downloadHost" or absent: the page offers the host package for the user's OS (options.downloads)

export const STATUS_ORDER = ['ok', 'unknown', 'warning', 'error'];
/** The page's groups, in the order it shows them (the plain-text report keeps it). */
export const GROUPS = ['software', 'cards', 'certificates', 'problems'];
/** The operating systems a fix or a download can be for (messages.json "fixByOs"). */
export const OS_FAMILIES = ['windows', 'macos', 'linux'];

const line = (key, params) => ({key, params});
const literal = (text) => ({text: String(text)});

/** Makes any thrown value look like a CertBridgeError: {code, message, fix?, details?}. */
export function normalizeError(thrown) {
  if (thrown && typeof thrown === 'object' && typeof thrown.code === 'string') {
    const details = thrown.details && typeof thrown.details === 'object' ? thrown.details : {};
    return {...details, ...thrown, code: thrown.code, message: thrown.message, fix: thrown.fix ?? details.fix};
  }
  return {code: 'INTERNAL_ERROR', message: String(thrown?.message ?? thrown)};
}

/** "3b951381..." or "3B 95 13 81 ..." -> "3B 95 13 81 ...". */
export function formatAtr(atr) {
  if (typeof atr !== 'string') return null;
  const hex = atr.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return hex.match(/.{1,2}/g)?.join(' ') ?? null;
}

function versionOf(part) {
  if (!part) return null;
  if (typeof part === 'string') return part;
  return part.version ?? null;
}

function browserRow(browser) {
  if (!browser?.name) {
    return {check: 'browser', group: 'software', status: 'unknown', label: line('envCheck.row.browser'),
      details: [line('envCheck.value.unknownBrowser')]};
  }
  return {check: 'browser', group: 'software', status: 'ok', label: line('envCheck.row.browser'),
    details: [line('envCheck.value.browser', {name: browser.name, version: browser.version ?? ''})]};
}

function pageLibraryRow(pageLibrary) {
  const version = versionOf(pageLibrary);
  return {check: 'pageLibrary', group: 'software', status: version ? 'ok' : 'unknown',
    label: line('envCheck.row.pageLibrary'),
    details: version
      ? [line('envCheck.value.versionProtocol', {version, protocol: pageLibrary?.protocol ?? '?'})]
      : [line('envCheck.value.unknown')]};
}

function extensionRow(findings) {
  const {statusError} = findings;
  const label = line('envCheck.row.extension');
  if (statusError?.code === 'EXTENSION_UNAVAILABLE') {
    return {check: 'extension', group: 'software', status: 'error', label,
      details: [line('envCheck.value.notInstalled')], error: statusError};
  }
  const extension = findings.status?.extension ?? findings.environment?.extension ?? statusError?.extension;
  const version = versionOf(extension);
  if (version) {
    // A policy the browser dropped whole (a value breaks the schema): the host saw the file, the extension got
    // nothing. Said on its own, with the file, as the sites it allows are all missing.
    const dropped = findings.environment?.extension?.policy?.droppedFiles;
    if (Array.isArray(dropped) && dropped.length > 0) {
      const others = (findings.environment.extension.policy.ignored ?? []).filter((problem) => problem?.entry !== '(policy dropped by the browser)');
      return {check: 'extension', group: 'software', status: 'warning', label,
        details: [line('envCheck.value.version', {version}),
          ...dropped.map((file) => line('envCheck.value.policyDropped', {path: String(file?.path), keys: (file?.keys ?? []).join(', ')})),
          ...others.map((problem) => line('envCheck.value.policyIgnored', {entry: String(problem?.entry), reason: String(problem?.reason)}))],
        fix: line('envCheck.fix.policyDropped')};
    }
    // Enterprise policy entries the extension ignored (only environment() reports them): a warning for IT.
    const ignored = findings.environment?.extension?.policy?.ignored;
    if (Array.isArray(ignored) && ignored.length > 0) {
      return {check: 'extension', group: 'software', status: 'warning', label,
        details: [line('envCheck.value.version', {version}),
          ...ignored.map((problem) => line('envCheck.value.policyIgnored', {entry: String(problem?.entry), reason: String(problem?.reason)}))],
        fix: line('envCheck.fix.policyIgnored')};
    }
    return {check: 'extension', group: 'software', status: 'ok', label,
      details: [line('envCheck.value.version', {version})]};
  }
  if (statusError) {
    return {check: 'extension', group: 'software', status: 'error', label,
      details: [line('envCheck.value.noAnswer')], error: statusError};
  }
  return {check: 'extension', group: 'software', status: 'unknown', label, details: [line('envCheck.value.unknown')]};
}

function hostRow(findings) {
  const {statusError, pageLibrary} = findings;
  const label = line('envCheck.row.host');
  if (statusError?.code === 'EXTENSION_UNAVAILABLE') {
    return {check: 'host', group: 'software', status: 'unknown', label, details: [line('envCheck.value.needsExtension')]};
  }
  if (statusError?.code === 'NATIVE_UNAVAILABLE') {
    // Installed but refused by the browser is not "not installed": a browser policy blocking native programs
    // ("policy": the browser says so) or a registration without this extension's ID ("forbidden"). Its fix is
    // IT or the registration, and a download link would only send the user round in circles.
    const refusal = {policy: 'envCheck.value.blockedByPolicy', forbidden: 'envCheck.value.notAllowed'}[statusError.cause];
    return {check: 'host', group: 'software', status: 'error', label,
      details: [line(refusal ?? 'envCheck.value.notInstalled')],
      error: statusError, ...(refusal ? {} : {action: 'downloadHost'})};
  }
  const host = findings.environment?.host ?? findings.status?.host ?? statusError?.host;
  const version = versionOf(host);
  // The protocol this page speaks: the page library's, else the extension's (they ship together).
  const extension = findings.status?.extension ?? findings.environment?.extension ?? statusError?.extension;
  const expected = pageLibrary?.protocol ?? extension?.protocol ?? statusError?.expected;
  if (statusError?.code === 'PROTOCOL_MISMATCH' || (version && findings.status?.compatible === false) ||
      (version && host.protocol !== undefined &&
      expected !== undefined && Number(host.protocol) !== Number(expected))) {
    return {check: 'host', group: 'software', status: 'error', label,
      details: [line('envCheck.value.protocolMismatch', {version: version ?? '?', protocol: host?.protocol ?? '?',
        expected: expected ?? '?'})],
      error: statusError ?? {code: 'PROTOCOL_MISMATCH'}, action: 'downloadHost'};
  }
  if (!version) {
    return {check: 'host', group: 'software', status: statusError ? 'error' : 'unknown', label,
      details: [line(statusError ? 'envCheck.value.noAnswer' : 'envCheck.value.unknown')], error: statusError ?? null};
  }
  const details = [line('envCheck.value.version', {version}),
    line('envCheck.value.protocolCompatible', {protocol: host.protocol ?? '?'})];
  if (host.logFile) details.push(line('envCheck.value.logFile', {path: host.logFile}));
  const policy = hostPolicyLines(host.policy);
  details.push(...policy.details);
  if (policy.ignored.length > 0) {
    // Group Policy exists on Windows only: a value ignored in the configuration file is fixed there.
    const fromGroupPolicy = host.policy.problems.some((problem) => /^HK(LM|CU) policy$/.test(String(problem?.source)));
    return {check: 'host', group: 'software', status: 'warning', label, details: [...details, ...policy.ignored],
      fix: fromGroupPolicy ? line('envCheck.fix.hostPolicyIgnored')
        : line('envCheck.fix.hostConfigIgnored', {path: String(host.configFile ?? '-')})};
  }
  return {check: 'host', group: 'software', status: 'ok', label, details};
}

const listText = (value) => (Array.isArray(value) && value.length > 0 ? value.map(String).join(', ') : '-');

// The host's names for where a setting came from, in the page's language; any other name as it is.
const SOURCE_KEYS = {
  'HKLM policy': 'envCheck.value.sourceMachinePolicy',
  'HKCU policy': 'envCheck.value.sourceUserPolicy',
  'config file': 'envCheck.value.sourceConfigFile',
  'built-in defaults': 'envCheck.value.sourceBuiltIn',
};
const sourcePart = (name) => (SOURCE_KEYS[name] ? line(SOURCE_KEYS[name]) : literal(name));
/** A list of sources as parts the translator joins; "-" when empty. */
const sourceParts = (names) => (Array.isArray(names) && names.length > 0 ? names.map(sourcePart) : [literal('-')]);

/**
 * The host's policy in force (environment() only): where its settings came from, each setting with its
 * sources (the one that wins first), and every value the host ignored, for IT.
 */
function hostPolicyLines(policy) {
  if (!policy || typeof policy !== 'object') return {details: [], ignored: []};
  const sources = (Array.isArray(policy.sources) ? policy.sources : []).map((source) => (source?.location
    ? line('envCheck.value.sourceAt', {source: [sourcePart(source.name)], location: String(source.location)})
    : sourcePart(source?.name)));
  const details = [line('envCheck.value.hostPolicySources', {sources: sources.length > 0 ? sources : [literal('-')]})];
  for (const [key, setting] of [['envCheck.value.hostPolicyOrigins', policy.allowedOrigins],
    ['envCheck.value.hostPolicyLogLevel', policy.logLevel], ['envCheck.value.hostPolicyCardProfiles', policy.cardProfiles]]) {
    if (!setting) continue;
    const value = Array.isArray(setting.value) ? listText(setting.value) : String(setting.value ?? '-');
    details.push(line(key, {value, from: sourceParts(setting.from)}));
  }
  const ignored = (Array.isArray(policy.problems) ? policy.problems : []).map((problem) =>
    line('envCheck.value.hostPolicyIgnored', {source: [sourcePart(String(problem?.source))], entry: String(problem?.entry),
      reason: String(problem?.reason)}));
  return {details, ignored};
}

/** The host's OS as the OS row and the report show it: "Debian GNU/Linux 12 (x86_64)". */
export function osText(os) {
  if (!os || typeof os !== 'object') return null;
  return [os.name, os.version, os.arch ? `(${os.arch})` : null].filter(Boolean).join(' ') || null;
}

function osRow(host) {
  const text = osText(host?.os);
  if (!text) return null;
  return {check: 'os', group: 'software', status: 'ok', label: line('envCheck.row.os'), details: [literal(text)]};
}

function pcscRow(environment) {
  const label = line('envCheck.row.pcsc');
  if (environment.pcsc?.available) {
    return {check: 'pcsc', group: 'cards', status: 'ok', label, details: [line('envCheck.value.running')]};
  }
  const error = environment.pcsc?.error ?? {code: 'PCSC_UNAVAILABLE'};
  return {check: 'pcsc', group: 'cards', status: 'error', label, details: [line('envCheck.value.notRunning')], error};
}

/** An empty reader is a state, not a fault: a problem row appears only when no reader has a card. */
const isEmptyReaderNotice = (reader) => !reader.cardPresent && reader.problem?.code === 'NO_CARD';

function readerRow(reader) {
  const details = [];
  let status = 'ok';
  const problem = isEmptyReaderNotice(reader) ? null : reader.problem ?? null;
  let error = problem;
  if (reader.cardPresent) {
    details.push(line('envCheck.value.cardPresent'));
    const atr = formatAtr(reader.atr);
    if (atr) details.push(line('envCheck.value.atr', {atr}));
    if (reader.profile) {
      details.push(line('envCheck.value.profile', {name: reader.profile.displayName ?? reader.profile.id}));
    } else if (!error) {
      details.push(line('envCheck.value.profileUnknown'));
      status = 'warning';
      error = {code: 'CARD_NOT_SUPPORTED'};
    }
    if (reader.token) {
      details.push(line('envCheck.value.readerToken', {label: reader.token.label ?? '', serial: reader.token.serial ?? ''}));
    }
  } else {
    details.push(line('envCheck.value.noCard'));
  }
  if (reader.pinPad) details.push(line('envCheck.value.pinPad'));
  if (problem) status = 'error';
  return {check: 'reader', subject: reader.name, group: 'cards', status,
    label: line('envCheck.row.reader', {name: reader.name}), details, error};
}

function moduleRow(module) {
  const label = line('envCheck.row.module');
  const path = literal(module.path);
  if (module.loaded) {
    return {check: 'module', subject: module.path, group: 'cards', status: 'ok', label,
      details: [line('envCheck.value.moduleLoaded'), path]};
  }
  return {check: 'module', subject: module.path, group: 'cards', status: 'error', label,
    details: [line('envCheck.value.moduleNotLoaded'), path], error: module.error ?? {code: 'PKCS11_MODULE_UNAVAILABLE'}};
}

const PIN_STATES = {
  ok: {status: 'ok', key: 'envCheck.value.pin.ok'},
  countLow: {status: 'warning', key: 'envCheck.value.pin.countLow', fix: 'envCheck.fix.pinCountLow'},
  finalTry: {status: 'warning', key: 'envCheck.value.pin.finalTry', fix: 'envCheck.fix.pinFinalTry'},
  locked: {status: 'error', key: 'envCheck.value.pin.locked', code: 'PIN_LOCKED'},
  notInitialized: {status: 'error', key: 'envCheck.value.pin.notInitialized', code: 'CARD_NOT_INITIALIZED'},
};

function worse(a, b) {
  return STATUS_ORDER.indexOf(b) > STATUS_ORDER.indexOf(a) ? b : a;
}

function tokenRow(token) {
  const details = [];
  if (token.serial) details.push(line('envCheck.value.serial', {serial: token.serial}));
  const maker = [token.manufacturer, token.model].filter(Boolean).join(' / ');
  if (maker) details.push(line('envCheck.value.manufacturer', {manufacturer: maker}));
  if (token.reader) details.push(line('envCheck.value.inReader', {reader: token.reader}));
  if (token.protectedAuthPath) details.push(line('envCheck.value.pinPad'));
  let status = 'ok';
  let error = null;
  let fix = null;
  if (token.initialized === false) {
    status = 'error';
    error = {code: 'CARD_NOT_INITIALIZED'};
  }
  for (const pin of token.pins ?? []) {
    const state = PIN_STATES[pin.state] ?? PIN_STATES.ok;
    const hasTries = typeof pin.triesLeft === 'number';
    const locksAfter = typeof pin.locksAfter === 'number' ? pin.locksAfter : null;
    // A count the card does not report is never shown: say when it locks instead (the card profile's).
    let key = state.key;
    if (state === PIN_STATES.ok && !hasTries) key = locksAfter === null ? 'envCheck.value.pin.okNoCount' : 'envCheck.value.pin.okLocksAfter';
    if (state === PIN_STATES.countLow && !hasTries) key = 'envCheck.value.pin.countLowNoCount';
    details.push(line(key, {name: pin.name ?? 'PIN', triesLeft: hasTries ? pin.triesLeft : '?', locksAfter,
      minLength: pin.minLength, maxLength: pin.maxLength}));
    status = worse(status, state.status);
    if (state.code && !error) error = {code: state.code};
    if (state.fix && !fix) fix = line(state.fix);
  }
  return {check: 'token', subject: token.label, group: 'cards', status,
    label: line('envCheck.row.token', {label: token.label ?? ''}), details, error, fix: error ? null : fix};
}

function certificateRow(certificate) {
  const details = [];
  if (certificate.notAfter) details.push(line('envCheck.value.notAfter', {date: String(certificate.notAfter).slice(0, 10)}));
  let status = 'ok';
  let fix = null;
  const days = certificate.daysToExpiry;
  if (typeof days === 'number') {
    if (days < 0) {
      status = 'error';
      details.push(line('envCheck.value.expired'));
      fix = line('envCheck.fix.expired');
    } else {
      details.push(line('envCheck.value.daysToExpiry', {days}));
      if (days <= 30) {
        status = 'warning';
        fix = line('envCheck.fix.renew');
      }
    }
  }
  if (certificate.onCard === true) details.push(line('envCheck.value.onCard'));
  if (certificate.inStore === true) details.push(line('envCheck.value.inStore'));
  const subject = certificate.subject ?? certificate.serial ?? '';
  return {check: 'certificate', subject, group: 'certificates', status,
    label: line('envCheck.row.certificate', {subject}), details, fix};
}

/**
 * Whether each card's certificates are registered in this computer's certificate stores (the host's
 * environment "registration", from the registry's inspect()): registered everywhere, in some stores, not
 * at all, or not supported on this OS. Registration is only needed outside the portal (other programs,
 * OS login), so "not registered" is a fact with a hint, not a problem; a partial one is a warning.
 */
function registrationRows(registration) {
  if (!registration || typeof registration !== 'object') return [];
  if (registration.supported === false) {
    return [{check: 'registration', subject: null, group: 'certificates', status: 'unknown',
      label: line('envCheck.row.registrationHere'), details: [line('envCheck.value.registrationNotSupported')]}];
  }
  const rows = [];
  for (const card of Array.isArray(registration.cards) ? registration.cards : []) {
    const subject = card.token ?? card.reader ?? '';
    const base = {check: 'registration', subject, group: 'certificates', label: line('envCheck.row.registration', {label: subject})};
    if (card.error) {
      rows.push({...base, status: 'warning', details: [], error: card.error});
      continue;
    }
    const stores = Array.isArray(card.stores) ? card.stores : [];
    const registered = stores.filter((store) => store.registered === true);
    const missing = stores.filter((store) => store.registered !== true);
    const storeLine = (key) => (store) => line(key, {store: String(store.name ?? store.kind ?? ''),
      location: String(store.location ?? '')});
    if (registered.length === 0) {
      rows.push({...base, status: 'ok', details: [line('envCheck.value.notRegistered'), ...missing.map(storeLine('envCheck.value.storeNotRegistered'))],
        fix: line('envCheck.fix.registerOptional')});
    } else if (missing.length === 0) {
      rows.push({...base, status: 'ok', details: registered.map(storeLine('envCheck.value.storeRegistered'))});
    } else {
      rows.push({...base, status: 'warning', details: [...registered.map(storeLine('envCheck.value.storeRegistered')),
        ...missing.map(storeLine('envCheck.value.storeNotRegistered'))], fix: line('envCheck.fix.registerAgain')});
    }
  }
  return rows;
}

// Host problems about the whole machine that have a row of their own when the host reports them.
const PROBLEM_ROWS = {
  NO_CARD: {check: 'card', label: 'envCheck.row.card'},
  NO_READER: {check: 'readers', label: 'envCheck.row.readers'},
  PCSC_UNAVAILABLE: {check: 'pcsc', label: 'envCheck.row.pcsc'},
};

function problemRows(problems, shown) {
  const rows = [];
  for (const problem of problems ?? []) {
    const already = [...shown, ...rows].some((row) => row.error?.code === problem.code &&
      (row.subject === undefined || row.subject === null || !problem.subject || row.subject === problem.subject));
    if (already) continue;
    const known = !problem.subject && PROBLEM_ROWS[problem.code];
    if (known) {
      rows.push({check: known.check, group: 'cards', status: 'error', label: line(known.label), details: [], error: problem});
      continue;
    }
    rows.push({check: 'problem', subject: problem.subject ?? null, group: 'problems', status: 'error',
      label: problem.subject ? line('envCheck.row.problemAbout', {subject: problem.subject}) : line('envCheck.row.problem'),
      details: [], error: problem});
  }
  return rows;
}

// Which allow-list refused this page: the extension's (browser enterprise policy) or the host's own.
const REFUSED_BY = {extension: 'envCheck.value.refusedByExtension', host: 'envCheck.value.refusedByHost'};
function refusalLines(error) {
  const key = error.code === 'ORIGIN_NOT_ALLOWED' ? REFUSED_BY[error.refusedBy] : undefined;
  return key ? [line(key, {origin: String(error.origin ?? '-')})] : [];
}

/**
 * All rows of the check, in display order.
 * @param {{browser: {name: string|null, version: string|null}, pageLibrary: object|null,
 *          status: object|null, statusError: object|null,
 *          environment: object|null, environmentError: object|null,
 *          os?: "windows"|"macos"|"linux"|null}} findings (os: where the page runs, for the fixes)
 */
export function buildRows(findings) {
  return withOs(rowsOf(findings), OS_FAMILIES.includes(findings.os) ? findings.os : null);
}

/**
 * Errors the host did not mark with its OS (the extension's, an older host's) get the OS the page runs on,
 * so a fix with steps per OS names that OS only, with that OS's own names for things.
 */
function withOs(rows, os) {
  if (!os) return rows;
  return rows.map((row) => (row.error && row.error.os === undefined ? {...row, error: {...row.error, os}} : row));
}

function rowsOf(findings) {
  const rows = [browserRow(findings.browser), pageLibraryRow(findings.pageLibrary), extensionRow(findings), hostRow(findings)];
  const {environment, environmentError} = findings;
  const osFromHost = osRow(environment?.host);
  if (osFromHost) rows.push(osFromHost);

  if (!environment) {
    if (environmentError) {
      rows.push({check: 'environment', group: 'cards', status: 'error', label: line('envCheck.row.environment'),
        details: refusalLines(environmentError), error: environmentError});
    } else {
      const reason = rows.find((row) => row.check === 'extension').status === 'error'
        ? 'envCheck.value.needsExtension' : 'envCheck.value.needsHost';
      rows.push({check: 'pcsc', group: 'cards', status: 'unknown', label: line('envCheck.row.pcsc'), details: [line(reason)]});
    }
    return rows;
  }

  rows.push(pcscRow(environment));
  const readers = environment.readers ?? [];
  if (environment.pcsc?.available && readers.length === 0) {
    rows.push({check: 'readers', group: 'cards', status: 'error', label: line('envCheck.row.readers'),
      details: [line('envCheck.value.noReaders')], error: {code: 'NO_READER'}});
  }
  for (const reader of readers) rows.push(readerRow(reader));
  const hostReportsNoCard = (environment.problems ?? []).some((problem) => problem.code === 'NO_CARD');
  if (readers.length > 0 && !readers.some((reader) => reader.cardPresent) && !hostReportsNoCard) {
    rows.push({check: 'card', group: 'cards', status: 'error', label: line('envCheck.row.card'),
      details: [line('envCheck.value.noCardAnywhere')], error: {code: 'NO_CARD'}});
  }
  for (const module of environment.modules ?? []) rows.push(moduleRow(module));
  // Cards in readers first, then other tokens, each by label.
  const tokens = [...(environment.tokens ?? [])].sort((a, b) =>
    Number(!a.reader) - Number(!b.reader) || String(a.label ?? '').localeCompare(String(b.label ?? '')));
  for (const token of tokens) {
    // A module's spare slot (SoftHSM keeps one uninitialized token for the next one) is not a card;
    // an uninitialized token in a reader is, and gets a red row.
    if (token.initialized === false && !token.reader && !token.label) continue;
    rows.push(tokenRow(token));
  }
  for (const certificate of environment.certificates ?? []) rows.push(certificateRow(certificate));
  rows.push(...registrationRows(environment.registration));
  rows.push(...problemRows(environment.problems, rows));
  // Rows made from host problems join their kind (a stable sort keeps everything else in place).
  const rank = (row) => CARD_ROW_ORDER.indexOf(row.check) + 1 || CARD_ROW_ORDER.length + 1;
  return rows.map((row, index) => ({row, index}))
    .sort((a, b) => (a.row.group === 'cards' && b.row.group === 'cards' ? rank(a.row) - rank(b.row) : 0) || a.index - b.index)
    .map(({row}) => row);
}

const CARD_ROW_ORDER = ['environment', 'pcsc', 'readers', 'reader', 'card', 'module', 'token'];

/** Counts rows by status. */
export function summarize(rows) {
  const counts = {ok: 0, warning: 0, error: 0, unknown: 0};
  for (const row of rows) counts[row.status] += 1;
  return counts;
}
