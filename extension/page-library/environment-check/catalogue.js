// Text for the environment check. Every string comes from extension/shared/messages.json through the
// page library's localization module: "envCheck.*" keys of its "ui" object for the page's own words,
// its "errors" object for what went wrong and how to fix it.

import {defaultLanguage, errorText, languages, pickLanguage, uiText} from '../localization.js';

/** Replaces each `{name}` in a template with params[name]; unknown names stay as they are. */
export function fillIn(template, params) {
  if (!params) return template;
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name) =>
    Object.hasOwn(params, name) && params[name] !== undefined && params[name] !== null ? String(params[name]) : whole);
}

/**
 * A translator for one language (any BCP 47 tag; mapped to a catalogue language, zh-TW by default).
 * @param {string} [language]
 */
export function createTranslator(language) {
  const chosen = language ? pickLanguage(language) : defaultLanguage;
  // A parameter may itself be a list of parts ({key, params} or {text}), shown translated and joined the
  // language's way (the host's source names in the environment check).
  function text(key, params) {
    const template = uiText(key, chosen) ?? uiText(key, 'en');
    if (template === undefined) return key;
    if (!params) return template;
    const separator = uiText('envCheck.listSeparator', chosen) ?? ', ';
    const shown = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, Array.isArray(value)
      ? value.map((part) => (part?.text !== undefined ? String(part.text) : text(part?.key, part?.params))).join(separator)
      : value]));
    return fillIn(template, shown);
  }
  return {
    language: chosen,
    languages,
    /** UI text for an "envCheck." key, with {placeholders} filled in (see text above). */
    text,
    /** What a language calls itself, for the language switch. */
    languageName(language) {
      return uiText('envCheck.languageName', language) ?? language;
    },
    /** The user text of an error: the catalogue's for known codes, else what the error carried. */
    errorMessage(error) {
      return errorText(error.code, chosen, error)?.message ?? error.message ?? error.code;
    },
    /** How to fix an error: the catalogue's for known codes, else the error's own hint (if any). */
    errorFix(error) {
      return errorText(error.code, chosen, error)?.fix ?? error.fix ?? null;
    },
  };
}
