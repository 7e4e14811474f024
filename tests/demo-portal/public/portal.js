// Shared behaviour of the demo portal's pages: the language (?lang=en, zh-TW by default), the
// translated texts (elements with data-text="key"), and links that keep the language.
import {DEFAULT_LANGUAGE, LANGUAGES, PORTAL_TEXT} from './portal-text.js';

export function currentLanguage() {
  const asked = new URLSearchParams(location.search).get('lang');
  return LANGUAGES.some((language) => language.code === asked) ? asked : DEFAULT_LANGUAGE;
}

export function portalText(language, key) {
  return PORTAL_TEXT[language]?.[key] ?? PORTAL_TEXT[DEFAULT_LANGUAGE][key] ?? key;
}

/** Puts the page in `language`: texts, <html lang>, title, internal links, and the URL itself. */
export function applyLanguage(language) {
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll('[data-text]')) {
    element.textContent = portalText(language, element.dataset.text);
  }
  const titleKey = document.body.dataset.titleText;
  if (titleKey) document.title = portalText(language, titleKey);
  for (const link of document.querySelectorAll('a[data-internal]')) {
    const target = new URL(link.getAttribute('href'), location.href);
    if (language === DEFAULT_LANGUAGE) target.searchParams.delete('lang');
    else target.searchParams.set('lang', language);
    link.href = target.pathname + target.search;
  }
  const url = new URL(location.href);
  if (language === DEFAULT_LANGUAGE) url.searchParams.delete('lang');
  else url.searchParams.set('lang', language);
  history.replaceState(null, '', url.pathname + url.search + url.hash);
  for (const button of document.querySelectorAll('.portal-language button')) {
    button.setAttribute('aria-pressed', String(button.dataset.language === language));
  }
}

/** Fills a .portal-language element with one button per language. */
export function mountLanguageSwitch(container, onChange) {
  container.setAttribute('role', 'group');
  const buttons = LANGUAGES.map(({code, name}) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.lang = code;
    button.dataset.language = code;
    button.textContent = name;
    button.addEventListener('click', () => onChange(code));
    return button;
  });
  container.replaceChildren(...buttons);
}
