// The consent window's fields for key-store commands (software certificates): which fields, with which
// rules, in which order, and the words for a wrong password. The rules are the host's (commands.md
// "Software certificates"; host/src/commands/software_params.hpp): a new PKCS#12 password 6-64 characters,
// any other password 1-64, a PKCS#12 file at most 512 KiB. Pure: `t(key, params)` gives the catalogue's
// text, and the fields are described as data the window turns into inputs.

import protocol from '../protocol.js';

// The field rules in the shape pin_rules.js checks (lengthRule, pinProblem, ruleText): `name` is the field's
// label, `minLength`/`maxLength` its bounds (null: the protocol's 1-64).
export const NEW_PASSWORD_RULE = {group: 0, minLength: protocol.limits.newPasswordMinLength,
  maxLength: protocol.limits.secretMaxLength, state: 'ok', triesLeft: null};
export const PASSWORD_RULE = {group: 0, minLength: null, maxLength: null, state: 'ok', triesLeft: null};
export const PKCS12_MAX_BYTES = protocol.limits.pkcs12MaxBytes;
/** The file picker's filter: what the legacy portal and Windows call certificate files. */
export const PKCS12_ACCEPT = '.p12,.pfx';

/**
 * @typedef {{role: 'file'|'password'|'new'|'confirm'|'storePassword', label: string, rule: object}} FieldSpec
 */

/**
 * The fields of a key-store ask (software_secrets.js SoftwareAsk), in the order the user fills them: the
 * file, its password, the new password twice, the store's password.
 * @param {{file?: boolean, password?: boolean, newPassword?: boolean, storePassword?: boolean}} ask
 * @param {(key: string, params?: object) => string} t
 * @returns {FieldSpec[]}
 */
export function softwareFields(ask, t) {
  const fields = [];
  const add = (role, key, rule) => {
    const label = t(key);
    fields.push({role, label, rule: {...rule, name: label}});
  };
  if (ask.file) add('file', 'consent.field.file', PASSWORD_RULE);
  if (ask.password) add('password', 'consent.field.filePassword', PASSWORD_RULE);
  if (ask.newPassword) {
    add('new', 'consent.field.newFilePassword', NEW_PASSWORD_RULE);
    add('confirm', 'consent.field.confirmFilePassword', NEW_PASSWORD_RULE);
  }
  if (ask.storePassword) add('storePassword', 'consent.field.storePassword', PASSWORD_RULE);
  return fields;
}

/**
 * What is wrong with the picked file, or null: none picked, or too large to be a certificate file (the
 * host would refuse it; saying so here spares the user a round trip).
 * @param {{size: number}|null|undefined} file
 * @param {(key: string, params?: object) => string} t
 */
export function fileProblem(file, t) {
  if (!file) return t('consent.error.fileRequired');
  if (file.size > PKCS12_MAX_BYTES) return t('consent.error.fileTooLarge', {max: PKCS12_MAX_BYTES / 1024});
  return null;
}

/**
 * The message the window shows when it asks again, and which field it empties and focuses.
 * @param {{code: string, passwordGiven?: boolean}} error the host's error (localized by the background)
 * @param {(key: string, params?: object) => string} t
 * @returns {{role: 'storePassword'|'password', text: string}|null}
 */
export function softwareRetry(error, t) {
  if (error.code === 'STORE_PASSWORD_INCORRECT') {
    return {role: 'storePassword',
      text: error.passwordGiven === true ? t('consent.error.wrongStorePassword') : t('consent.error.storePasswordNeeded')};
  }
  if (error.code === 'PKCS12_PASSWORD_INCORRECT') return {role: 'password', text: t('consent.error.wrongFilePassword')};
  return null;
}

/** Base64 of bytes, in chunks (String.fromCharCode takes a bounded number of arguments). */
export function toBase64(bytes) {
  let binary = '';
  const CHUNK = 0x8000;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK));
  }
  return btoa(binary);
}
