// Language choice and catalogue lookups, shared by the extension's background and the page library.
// The build copies this file beside each side's generated messages.js (from extension/shared/messages.json).

import catalogue from './messages.js';

/** The catalogue's languages, e.g. ["zh-TW", "en"]. */
export const languages = Object.freeze([...catalogue.languages]);

/** Used when nothing says which language the user reads. */
export const defaultLanguage = catalogue.defaultLanguage;

const primarySubtag = (tag) => tag.toLowerCase().split(/[-_]/)[0];

/**
 * Maps a BCP 47 tag (browser UI language, `<html lang>`, navigator.language) to a catalogue language:
 * an exact match, else the same primary language (zh-CN, zh-HK -> zh-TW), else English; no tag at all
 * gives the default language.
 * @param {string|null|undefined} tag
 * @returns {string}
 */
export function pickLanguage(tag) {
  if (typeof tag !== 'string' || tag.trim() === '') return defaultLanguage;
  const wanted = tag.trim().replace('_', '-').toLowerCase();
  return languages.find((language) => language.toLowerCase() === wanted)
    ?? languages.find((language) => primarySubtag(language) === primarySubtag(wanted))
    ?? (languages.includes('en') ? 'en' : defaultLanguage);
}

/** Whether `language` is one the catalogue has text for. */
export function isLanguage(language) {
  return languages.includes(language);
}

function inLanguage(localized, language) {
  return localized?.[language] ?? localized?.[defaultLanguage];
}

const own = (object, key) => typeof key === 'string' && object !== null && typeof object === 'object' &&
  Object.hasOwn(object, key) ? object[key] : undefined;

/**
 * The user text and fix for an error code, or null for a code the catalogue does not know. The error's
 * details may narrow them: `cause` picks the catalogue's text for that cause ("causes", e.g.
 * NATIVE_UNAVAILABLE "forbidden"), `os` ("windows", "linux", "macos": the host's or the browser's OS) the
 * fix for that OS only ("fixByOs"); without them the general text.
 * @param {string} code
 * @param {string} language
 * @param {{cause?: unknown, os?: unknown}} [details] the error's details
 * @returns {{message: string, fix: string}|null}
 */
export function errorText(code, language, details = {}) {
  const entry = own(catalogue.errors, code);
  if (!entry) return null;
  const cause = own(entry.causes, details?.cause);
  const osFix = own(entry.fixByOs, details?.os);
  return {
    message: inLanguage(cause?.message ?? entry.message, language),
    fix: inLanguage(cause?.fix ?? osFix ?? entry.fix, language),
  };
}

/**
 * A UI string of the catalogue ("ui" object), or undefined when the key is unknown.
 * @param {string} key
 * @param {string} language
 */
export function uiText(key, language) {
  return Object.hasOwn(catalogue.ui, key) ? inLanguage(catalogue.ui[key], language) : undefined;
}

/**
 * A UI string with each `{name}` replaced by `params[name]` (names it does not get stay as they are),
 * falling back to the default language's text; the key itself when the catalogue does not have it, so a
 * missing string shows up instead of an empty label.
 * @param {string} key
 * @param {string} language
 * @param {Record<string, string|number>} [params]
 */
export function uiMessage(key, language, params = {}) {
  const template = uiText(key, language);
  if (template === undefined) return key;
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name) =>
    Object.hasOwn(params, name) && params[name] !== undefined && params[name] !== null ? String(params[name]) : whole);
}
