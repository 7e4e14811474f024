// Errors the extension produces itself, and the one place that turns any error into the wire form
// {code, message, ...details} with the catalogue's text.

import {errorText} from './localization.js';

const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** An error with a protocol error code (a key of messages.json "errors") and code-specific details. */
export class BridgeError extends Error {
  /**
   * @param {string} code
   * @param {object} [details] plain data for the page, e.g. {reason} (English, for developers), {limit}
   */
  constructor(code, details = {}) {
    super(code);
    this.name = 'BridgeError';
    this.code = code;
    this.details = details;
  }
}

const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The wire form of an error the extension raised or caught. Anything that is not a BridgeError is a bug
 * or an API failure: it becomes INTERNAL_ERROR without its text, which may carry internals.
 * @param {unknown} error
 * @param {string} language catalogue language for `message`
 * @param {object} [extraDetails] added to the details (e.g. the extension's own row)
 */
export function wireError(error, language, extraDetails = {}) {
  const code = error instanceof BridgeError ? error.code : 'INTERNAL_ERROR';
  const details = error instanceof BridgeError ? error.details : {};
  return withText({...details, ...extraDetails}, code, language, undefined);
}

/**
 * The wire form of an error object the host sent: its details stay, a known code gets the catalogue's
 * text in `language`, a malformed one becomes INTERNAL_ERROR.
 * @param {unknown} error
 * @param {string} language
 * @param {object} [extraDetails]
 */
export function localizeHostError(error, language, extraDetails = {}) {
  if (!isPlainObject(error) || typeof error.code !== 'string' || !ERROR_CODE.test(error.code)) {
    return withText({...extraDetails, reason: 'the host sent a malformed error'}, 'INTERNAL_ERROR', language, undefined);
  }
  const {code, message, ...details} = error;
  return withText({...details, ...extraDetails}, code, language, typeof message === 'string' ? message : undefined);
}

function withText(details, code, language, fallbackMessage) {
  const text = errorText(code, language, details);
  return {...details, code, message: text?.message ?? fallbackMessage ?? code};
}
