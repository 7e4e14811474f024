// The frame every portal page shares (head, header with the brand, navigation and language switch,
// footer), rendered by the server around what is each page's own: its script, its title, its extra style
// sheets and, for pages that have static content, the <main> fragment in pages/. The texts are the
// portal's own (public/portal-text.js), in the language the URL asks for; the page's script puts them in
// another language in place (portal.js applyLanguage, through the data-text attributes kept here).
import fs from 'node:fs';
import path from 'node:path';
import {DEFAULT_LANGUAGE, LANGUAGES, PORTAL_TEXT} from './public/portal-text.js';

/** The navigation: [path, text key]; the software-certificate edition and the card registration after the card flows. */
export const NAVIGATION = [
  ['/', 'portal.nav.home'],
  ...['apply', 'download', 'renew', 'login', 'change-pin', 'unlock'].map((page) => [`/${page}`, `flow.nav.${page}`]),
  ...['software-apply', 'software-install', 'software-renew', 'software-export', 'software-import', 'software-password']
    .map((page) => [`/${page}`, `flow.nav.${page}`]),
  ['/register', 'flow.nav.register'],
  ['/environment-check', 'portal.nav.environmentCheck'],
];

const ESCAPES = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};
const escape = (text) => String(text).replace(/[&<>"']/g, (character) => ESCAPES[character]);

/** The language a request asks for (?lang=en), else the portal's default (zh-TW). */
export function requestedLanguage(url) {
  const asked = url.searchParams.get('lang');
  return LANGUAGES.some((language) => language.code === asked) ? asked : DEFAULT_LANGUAGE;
}

const text = (language, key) => PORTAL_TEXT[language]?.[key] ?? PORTAL_TEXT[DEFAULT_LANGUAGE][key] ?? key;

/** A link to another portal page that keeps the language (portal.js rewrites these when it changes). */
const internalHref = (href, language) => (language === DEFAULT_LANGUAGE ? href : `${href}?lang=${encodeURIComponent(language)}`);

/**
 * The whole HTML document of a page.
 * @param {{path: string, script: string, titleText: string, main?: string|null, styles?: string[],
 *   languageSwitch?: boolean}} page
 *   path: the page's URL path (marked as the current page in the navigation); main: the file in pagesDir
 *   with the <main> element's content (none: an empty <main> the page's script fills); languageSwitch:
 *   false where the page's component has its own (the environment check).
 * @param {{language: string, pagesDir: string}} options
 */
export function renderPage(page, {language, pagesDir}) {
  const main = page.main ? fs.readFileSync(path.join(pagesDir, page.main), 'utf8').trim() : '';
  const navigation = NAVIGATION.map(([href, key]) => `        <a href="${escape(internalHref(href, language))}" data-internal data-text="${escape(key)}"` +
    `${href === page.path ? ' aria-current="page"' : ''}>${escape(text(language, key))}</a>`).join('\n');
  const styles = ['/portal.css', ...(page.styles ?? [])].map((href) => `  <link rel="stylesheet" href="${escape(href)}">`).join('\n');
  const languageSwitch = page.languageSwitch === false ? ''
    : `\n      <div class="portal-language" aria-label="${escape(text(language, 'portal.languageLabel'))}"></div>`;
  return `<!doctype html>
<html lang="${escape(language)}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escape(text(language, page.titleText))}</title>
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
${styles}
  <script type="module" src="${escape(page.script)}"></script>
</head>
<body data-title-text="${escape(page.titleText)}">
  <header class="portal-header">
    <div class="portal-header__inner">
      <a class="portal-brand" href="${escape(internalHref('/', language))}" data-internal>
        <img class="portal-brand__logo" src="/favicon.svg" alt="">
        <span>
          <span class="portal-brand__name" data-text="portal.name">${escape(text(language, 'portal.name'))}</span>
          <span class="portal-brand__tagline" data-text="portal.tagline">${escape(text(language, 'portal.tagline'))}</span>
        </span>
      </a>
      <nav class="portal-nav" aria-label="CertBridge">
${navigation}
      </nav>${languageSwitch}
    </div>
  </header>
  <main id="main" class="portal-main">${main ? `\n    ${main.split('\n').join('\n    ')}\n  ` : ''}</main>
  <footer class="portal-footer"><p data-text="portal.footer">${escape(text(language, 'portal.footer'))}</p></footer>
</body>
</html>
`;
}
