// The card's PIN rules as the window checks them while the user types, and the words for a PIN group's
// state and for the host's PIN errors. Pure: `t(key, params)` gives the catalogue's text.
// Lengths count characters (code points), as the host's rules do.

import protocol from '../protocol.js';

// The protocol's own bounds for a secret (protocol.json), used when the card profile says nothing.
const PROTOCOL_MIN = 1;
const PROTOCOL_MAX = protocol.limits.secretMaxLength;

/**
 * @typedef {(key: string, params?: object) => string} Translate
 * @typedef {{group: number, name: string, minLength: number|null, maxLength: number|null,
 *            state: string, triesLeft: number|null, locksAfter?: number|null}} PinGroup
 */

/** The length a PIN of this group must have: the card's rules within the protocol's bounds. */
export function lengthRule(pin) {
  const min = Math.max(PROTOCOL_MIN, pin?.minLength ?? PROTOCOL_MIN);
  const max = Math.min(PROTOCOL_MAX, pin?.maxLength ?? PROTOCOL_MAX);
  return {min, max: Math.max(min, max), stated: pin?.minLength != null || pin?.maxLength != null};
}

/** Characters in a string, as the card counts them. */
export function pinLength(value) {
  return [...value].length;
}

/** Whether `value` has a length the group's rules accept. */
export function lengthOk(value, pin) {
  const {min, max} = lengthRule(pin);
  const length = pinLength(value);
  return length >= min && length <= max;
}

/**
 * The rule line shown under a PIN field ("6 to 16 characters"), or null when the card states none.
 * @param {PinGroup} pin
 * @param {Translate} t
 */
export function ruleText(pin, t) {
  const {min, max, stated} = lengthRule(pin);
  return stated ? t('consent.rule.length', {min, max}) : null;
}

/**
 * The group's state in words ("2 tries left", "this PIN is locked ..."), or null when there is nothing to
 * say (state ok and the card does not count).
 * @param {PinGroup} pin
 * @param {Translate} t
 */
export function stateText(pin, t) {
  switch (pin?.state) {
    case 'locked':
      return t('consent.state.locked');
    case 'finalTry':
      return t('consent.state.finalTry');
    case 'countLow':
      if (Number.isInteger(pin.triesLeft)) return t('consent.state.countLow', {triesLeft: pin.triesLeft});
      return Number.isInteger(pin.locksAfter) ? t('consent.state.locksAfter', {locksAfter: pin.locksAfter}) : null;
    case 'notInitialized':
      return t('consent.state.notInitialized');
    default:
      if (Number.isInteger(pin?.triesLeft)) return t('consent.state.triesLeft', {triesLeft: pin.triesLeft});
      // The card does not count aloud (its flags say nothing): say when it locks, never a guessed count.
      return Number.isInteger(pin?.locksAfter) ? t('consent.state.locksAfter', {locksAfter: pin.locksAfter}) : null;
  }
}

/**
 * What is wrong with what the user typed for one PIN, or null when it may be sent.
 * @param {string} value
 * @param {PinGroup} pin
 * @param {Translate} t
 * @param {string} [label] the field's name in the message (default: the group's name)
 */
export function pinProblem(value, pin, t, label = pin.name) {
  if (value === '') return t('consent.error.required', {pinName: label});
  if (!lengthOk(value, pin)) {
    const {min, max} = lengthRule(pin);
    return t('consent.error.length', {pinName: label, min, max});
  }
  return null;
}

/**
 * The message for a host error the window asks again after (PIN_INCORRECT, PIN_POLICY).
 * @param {{code: string, message?: string, triesLeft?: number|null, pinName?: string}} error
 * @param {PinGroup|undefined} pin the group the error names
 * @param {Translate} t
 * @param {(code: string) => string|undefined} errorMessage the catalogue's text for an error code
 */
export function retryText(error, pin, t, errorMessage) {
  const pinName = error.pinName ?? pin?.name ?? 'PIN';
  if (error.code === 'PIN_INCORRECT') {
    if (error.triesLeft === 1) return t('consent.error.finalTry', {pinName});
    if (Number.isInteger(error.triesLeft)) return t('consent.error.wrongPinTries', {pinName, triesLeft: error.triesLeft});
    return t('consent.error.wrongPin', {pinName});
  }
  const rule = pin ? ruleText(pin, t) : null;
  const text = errorMessage(error.code) ?? error.message ?? error.code;
  return rule ? `${text} ${rule}` : text;
}
