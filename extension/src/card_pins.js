// What the consent window asks for, and what the host gets from its answer. The facts come from the host's
// own `environment` result (readers, tokens, each PIN group's name, rules, state and tries left), read on
// the operation's native port just before the window opens; which secrets a command takes comes from
// protocol.json ("userSecrets"). Pure functions: no browser API, so the unit tests drive them directly.

import protocol from './protocol.js';

// One secret string's bounds (in code points, as the host counts them) and the PIN groups of a card.
const SECRET_MAX_LENGTH = protocol.limits.secretMaxLength;
const MAX_PIN_GROUPS = protocol.limits.maxPinGroups;
// The host's key size when a key names none (commands.md generateKeyPair).
const DEFAULT_KEY_SIZE = 2048;

const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Whether `command` opens the consent window before it reaches the host: it changes the card
 * (protocol.json "changesCard"), changes the computer's certificate stores ("changesStore") or takes
 * secrets only the user may type ("userSecrets").
 * @param {string} command a command of protocol.json
 */
export function requiresConsent(command) {
  const facts = protocol.commands[command];
  return Boolean(facts && (facts.changesCard || facts.changesStore || facts.userSecrets.length > 0));
}

/** A host-style error object ({code, message, ...details}) for a card the environment did not show. */
function cardError(code, details = {}) {
  return {code, message: code, ...details};
}

/**
 * @typedef {object} PinGroup
 * @property {number} group index = PIN group (pins[group])
 * @property {string} name the profile's name for it ("PIN", "Signature PIN")
 * @property {number|null} minLength
 * @property {number|null} maxLength
 * @property {string} state ok | countLow | finalTry | locked | notInitialized
 * @property {number|null} triesLeft only what the token's flags say (null: the card does not tell)
 * @property {number|null} locksAfter the card profile's "locks after N wrong PINs" (null: not known)
 *
 * @typedef {object} CardFacts
 * @property {string} reader
 * @property {string} label token label
 * @property {string} serial token serial number
 * @property {boolean} pinPad the host logs in through the reader's keypad (protected authentication path)
 * @property {PinGroup[]} pins
 * @property {number[]|null} keySizes the RSA sizes this card makes (its profile's that the token says it
 *   makes); null when the host did not say
 * @property {object[]} keysWithoutCertificate the card's key pairs no certificate belongs to (environment's)
 * @property {object[]} certificates the card holder's certificates on this card (environment's objects)
 */

/**
 * The card a command will use, as the host chooses it (card/src/card_locator.cpp CardLocator::find): the
 * named reader, else the first reader with a usable card. The host's words for a missing one are kept so
 * the page gets the error it would have got from the command itself, without a window asking for a PIN
 * that nothing could use.
 * @param {unknown} environment the host's environment result
 * @param {object} params the page's params (`reader` names a reader)
 * @returns {{card: CardFacts}|{error: object}}
 */
export function cardFromEnvironment(environment, params) {
  const report = isPlainObject(environment) ? environment : {};
  const readers = Array.isArray(report.readers) ? report.readers.filter(isPlainObject) : [];
  const tokens = Array.isArray(report.tokens) ? report.tokens.filter(isPlainObject) : [];
  if (isPlainObject(report.pcsc) && report.pcsc.available === false) {
    return {error: isPlainObject(report.pcsc.error) ? report.pcsc.error : cardError('PCSC_UNAVAILABLE')};
  }
  if (readers.length === 0) return {error: cardError('NO_READER')};

  let reader;
  if (typeof params.reader === 'string') {
    reader = readers.find((entry) => entry.name === params.reader);
    if (!reader) return {error: cardError('NO_READER', {reader: params.reader})};
    if (isPlainObject(reader.problem)) return {error: reader.problem};
  } else {
    reader = readers.find((entry) => entry.cardPresent === true && !isPlainObject(entry.problem));
    if (!reader) {
      const withCard = readers.find((entry) => entry.cardPresent === true);
      return {error: withCard && isPlainObject(withCard.problem) ? withCard.problem : cardError('NO_CARD')};
    }
  }
  if (reader.cardPresent !== true) return {error: cardError('NO_CARD', {reader: reader.name})};
  const token = tokens.find((entry) => entry.reader === reader.name);
  if (!token) return {error: cardError('TOKEN_NOT_FOUND', {reader: reader.name})};

  const pins = (Array.isArray(token.pins) ? token.pins : []).slice(0, MAX_PIN_GROUPS).map((pin, group) => ({
    group,
    name: typeof pin?.name === 'string' && pin.name !== '' ? pin.name : 'PIN',
    minLength: Number.isInteger(pin?.minLength) ? pin.minLength : null,
    maxLength: Number.isInteger(pin?.maxLength) ? pin.maxLength : null,
    state: typeof pin?.state === 'string' ? pin.state : 'ok',
    triesLeft: Number.isInteger(pin?.triesLeft) ? pin.triesLeft : null,
    locksAfter: Number.isInteger(pin?.locksAfter) ? pin.locksAfter : null,
  }));
  if (pins.length === 0) {
    pins.push({group: 0, name: 'PIN', minLength: null, maxLength: null, state: 'ok', triesLeft: null, locksAfter: null});
  }
  const certificates = (Array.isArray(report.certificates) ? report.certificates : [])
    .filter((certificate) => isPlainObject(certificate) && certificate.reader === reader.name);
  return {
    card: {
      reader: reader.name,
      label: String(token.label ?? ''),
      serial: String(token.serial ?? ''),
      // The host takes the keypad path by the token's flag (card_operation.cpp login), not by the
      // reader's: a pin-pad reader whose middleware does not say so still needs the typed PIN.
      pinPad: token.protectedAuthPath === true,
      pins,
      keySizes: Array.isArray(token.keySizes) ? token.keySizes.filter(Number.isInteger) : null,
      keysWithoutCertificate: (Array.isArray(report.keysWithoutCertificate) ? report.keysWithoutCertificate : [])
        .filter((key) => isPlainObject(key) && key.reader === reader.name && typeof key.keyId === 'string'),
      certificates,
    },
  };
}

/** A signer the page names (`certificate`) that is not on this card with its key: KEY_NOT_FOUND, as the host says. */
function unknownSignerRefusal(params, card) {
  if (typeof params.certificate !== 'string') return null;  // the host chooses (or refuses a malformed id)
  const id = params.certificate.toLowerCase();
  const certificate = card.certificates.find((entry) => entry.id === id);
  if (certificate && certificate.hasKey === true) return null;
  return {code: 'KEY_NOT_FOUND', field: 'params.certificate',
    reason: certificate ? 'the card does not hold this certificate\'s key' : 'no certificate with this id is on the card'};
}

/** removeKeys naming a key that is not a key without certificate on this card: KEY_NOT_FOUND, as the host says. */
function unknownKeyRefusal(params, card) {
  if (!Array.isArray(params.keyIds)) return null;  // malformed: the host's BAD_REQUEST
  for (const [index, keyId] of params.keyIds.entries()) {
    if (typeof keyId !== 'string') return null;
    if (card.keysWithoutCertificate.some((key) => key.keyId === keyId.toLowerCase())) continue;
    return {code: 'KEY_NOT_FOUND', keyId, field: `params.keyIds[${index}]`,
      reason: 'no key without certificate has this id on the card (keys with a certificate are never removed here)'};
  }
  return null;
}

/**
 * What the host would refuse in the page's params against this card, found before the window opens: no
 * window asks for a PIN that cannot be used: a generateKeyPair key size this card does not make (the host
 * refuses it the same way, BAD_REQUEST naming the key, with the sizes it makes), a removeKeys key that is
 * not a key without certificate on this card (KEY_NOT_FOUND), a signRenewal / authenticate `certificate` that is
 * not on this card with its key (KEY_NOT_FOUND). The parameters themselves the host checks first (checkParams).
 * @param {string} command
 * @param {object} params the page's params
 * @param {CardFacts} card
 * @returns {{code: string, field: string, reason: string}|null} an error (with its details) to answer with
 */
export function refusalForCard(command, params, card) {
  if (command === 'removeKeys') return unknownKeyRefusal(params, card);
  if (command === 'signRenewal' || command === 'authenticate') return unknownSignerRefusal(params, card);
  if (command !== 'generateKeyPair' || !Array.isArray(params.keys) || card.keySizes === null) return null;
  for (const [index, key] of params.keys.entries()) {
    const keySize = Number.isInteger(key?.keySize) ? key.keySize : DEFAULT_KEY_SIZE;
    if (card.keySizes.includes(keySize)) continue;
    return {
      code: 'BAD_REQUEST',
      field: `params.keys[${index}].keySize`,
      reason: card.keySizes.length === 0
        ? 'this card makes no RSA keys'
        : `this card makes RSA keys of ${card.keySizes.join(', ')} bits`,
      keySizes: [...card.keySizes],
    };
  }
  return null;
}

/**
 * @typedef {{kind: 'pins', groups: number[]}
 *   | {kind: 'changePin', group: number}
 *   | {kind: 'newPin', group: number}
 *   | {kind: 'pinPad', group?: number}
 *   | {kind: 'none'}
 *   | {kind: 'locked', group: number}} PinAsk
 * What the window asks for: `pins` one PIN per listed group; `changePin` the current and a new PIN of a
 * group; `newPin` a new PIN (unblockPin); `pinPad` nothing (the reader asks); `none` only OK;
 * `locked` nothing can be asked (a needed PIN is locked).
 */

/** The PIN groups a `pins` command logs in to: generateKeyPair names them per key, the rest may need any. */
function groupsFor(command, params, card) {
  const all = card.pins.map((pin) => pin.group);
  if (command !== 'generateKeyPair' || !Array.isArray(params.keys)) return all;
  const named = new Set(params.keys.map((key) => (Number.isInteger(key?.pinGroup) ? key.pinGroup : 0)));
  const groups = all.filter((group) => named.has(group));
  // A group the card does not have is the host's to refuse (BAD_REQUEST naming the key).
  return groups.length > 0 ? groups : [0];
}

/**
 * What the window asks for.
 * @param {string} command
 * @param {object} params the page's params
 * @param {CardFacts} card
 * @param {{pinGroup?: number}} [followUp] what the step before said (unblockRequest's PIN group)
 * @returns {PinAsk}
 */
export function pinAsk(command, params, card, followUp = {}) {
  const secrets = protocol.commands[command]?.userSecrets ?? [];
  const locked = (group) => card.pins[group]?.state === 'locked';
  if (secrets.includes('pins')) {
    const groups = groupsFor(command, params, card);
    const lockedGroup = groups.find(locked);
    if (lockedGroup !== undefined) return {kind: 'locked', group: lockedGroup};
    return card.pinPad ? {kind: 'pinPad'} : {kind: 'pins', groups};
  }
  if (secrets.includes('pin')) {
    const group = Number.isInteger(params.pinGroup) && params.pinGroup < card.pins.length ? params.pinGroup : 0;
    if (locked(group)) return {kind: 'locked', group};
    return card.pinPad ? {kind: 'pinPad', group} : {kind: 'changePin', group};
  }
  if (secrets.includes('newPin')) {
    // The reset's new PIN is always typed here (the host needs it); a locked PIN is what it is for.
    const group = Number.isInteger(followUp.pinGroup) && followUp.pinGroup < card.pins.length ? followUp.pinGroup : 0;
    return {kind: 'newPin', group};
  }
  return {kind: 'none'};
}

// Code points, not UTF-16 units: "𠀀" is one character to the host, two units to String.length.
const isSecret = (value) => typeof value === 'string' && value.length >= 1 && [...value].length <= SECRET_MAX_LENGTH;

/**
 * The params the window's answer adds to the page's, checked against what was asked: exactly the asked
 * secrets, each a string of 1-64 characters. The window checks the card's rules as the user types; the
 * host checks them again (PIN_POLICY).
 * @param {PinAsk} ask
 * @param {unknown} answer the window's `secrets`
 * @returns {object} {pins} | {pin, newPin} | {newPin} | {}
 * @throws {TypeError} when the answer does not fit the question (a bug, never the user's doing)
 */
export function secretsFromAnswer(ask, answer) {
  const secrets = isPlainObject(answer) ? answer : {};
  const keys = Object.keys(secrets);
  const only = (...allowed) => {
    if (keys.length !== allowed.length || !allowed.every((key) => keys.includes(key))) {
      throw new TypeError(`the window answered ${keys.join(', ') || 'nothing'}; expected ${allowed.join(', ') || 'nothing'}`);
    }
  };
  switch (ask.kind) {
    case 'pins': {
      only('pins');
      const pins = secrets.pins;
      const length = Math.max(...ask.groups) + 1;
      if (!Array.isArray(pins) || pins.length !== length) throw new TypeError(`pins must have ${length} items`);
      pins.forEach((pin, group) => {
        const needed = ask.groups.includes(group);
        if (needed ? !isSecret(pin) : pin !== null) throw new TypeError(`pins[${group}] is not what was asked`);
      });
      return {pins: [...pins]};
    }
    case 'changePin':
      only('pin', 'newPin');
      if (!isSecret(secrets.pin) || !isSecret(secrets.newPin)) throw new TypeError('pin and newPin must be 1-64 characters');
      return {pin: secrets.pin, newPin: secrets.newPin};
    case 'newPin':
      only('newPin');
      if (!isSecret(secrets.newPin)) throw new TypeError('newPin must be 1-64 characters');
      return {newPin: secrets.newPin};
    case 'pinPad':
    case 'none':
      only();
      return {};
    default:
      throw new TypeError(`nothing can be answered to ${ask.kind}`);
  }
}

/**
 * The PIN group and name a `locked` ask is about, as the host would put them in PIN_LOCKED.
 * @param {CardFacts} card
 * @param {number} group
 */
export function pinGroupDetails(card, group) {
  return {pinGroup: group, pinName: card.pins[group]?.name ?? 'PIN'};
}
