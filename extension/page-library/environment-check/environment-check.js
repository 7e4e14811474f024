// The environment check: a table that tells a user whether this computer is ready for the card
// (browser, page library, extension, host, PC/SC service, readers, cards, tokens), each row marked
// OK or Problem in words and colour, with a fix for every problem. zh-TW by default, English on request.
//
// Embedding (the page also links environment-check.css):
//   import {certbridge} from '<page library>/certbridge.js';
//   import {renderEnvironmentCheck} from '<page library>/environment-check/environment-check.js';
//   renderEnvironmentCheck(document.querySelector('#check'), {certbridge, language: 'zh-TW'});
//
// It uses only the page library's public API (status(), environment()) and its localization module
// over the generated message catalogue, one directory up (page-library/localization.js, messages.js).

import {createTranslator} from './catalogue.js';
import {describeBrowser, osFamily} from './browser-info.js';
import {GROUPS, buildRows, normalizeError, osText, summarize} from './environment-rows.js';
import {checkDownloads} from './host-downloads.js';
import {copyText} from './copy-text.js';
import {reportText, rowTexts, versionText} from './report-text.js';

// The OS the browser says it runs on, for the report when no host told us more.
const OS_NAMES = {windows: 'Windows', macos: 'macOS', linux: 'Linux'};
const STATUS_ICONS = {ok: '\u2713', warning: '!', error: '\u2715', unknown: '\u2013'};

function create(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/** Asks the page library what it can see. Never throws: failures become part of the findings. */
async function collectFindings(certbridge) {
  const findings = {status: null, statusError: null, environment: null, environmentError: null};
  if (!certbridge || typeof certbridge.status !== 'function') {
    findings.statusError = {code: 'EXTENSION_UNAVAILABLE'};
  } else {
    try {
      findings.status = await certbridge.status();
    } catch (thrown) {
      findings.statusError = normalizeError(thrown);
    }
  }
  if (findings.status) {
    try {
      findings.environment = await certbridge.environment();
    } catch (thrown) {
      findings.environmentError = normalizeError(thrown);
    }
  }
  const extensionSays = findings.environment?.extension ?? findings.status?.extension ?? findings.statusError?.extension;
  findings.browser = await describeBrowser(extensionSays?.browser);
  findings.pageLibrary = findings.environment?.pageLibrary ?? findings.status?.pageLibrary ??
    findings.statusError?.pageLibrary ?? (certbridge?.version ? {version: certbridge.version, protocol: certbridge.protocol} : null);
  findings.os = osFamily();
  return findings;
}

/** The report's header values from what the check found (README: plain-text report). */
function reportFacts(findings) {
  const extension = findings.environment?.extension ?? findings.status?.extension ?? findings.statusError?.extension;
  const host = findings.environment?.host ?? findings.status?.host ?? findings.statusError?.host;
  const browser = findings.browser?.name ? [findings.browser.name, findings.browser.version].filter(Boolean).join(' ') : null;
  return {browser, os: osText(findings.environment?.host?.os) ?? OS_NAMES[findings.os] ?? null, extension: versionText(extension),
    host: versionText(host), pageLibrary: versionText(findings.pageLibrary)};
}

/**
 * Renders the environment check into `element` and starts checking.
 * @param {HTMLElement} element where the check goes (its content is replaced)
 * @param {object} options
 * @param {object} options.certbridge the page library's `certbridge` object
 * @param {string} [options.language] "zh-TW" (default) or "en"
 * @param {(language: string) => void} [options.onLanguageChange] called when the user switches language
 * @param {number} [options.headingLevel] level of the check's heading (default 2)
 * @param {{windows?: string, macos?: string, linux?: string}} [options.downloads] the host package for each
 *   OS (https, or a path on the page's own site): "download and install" becomes a link for the user's OS
 * @returns {{ready: Promise<object[]>, refresh: () => Promise<object[]>, setLanguage: (language: string) => void,
 *            readonly language: string, readonly rows: object[]|null, report: () => string|null}}
 */
export function renderEnvironmentCheck(element, options = {}) {
  const downloads = checkDownloads(options.downloads, globalThis.location?.href ?? 'https://invalid.example/');
  const pageOs = osFamily();
  let t = createTranslator(options.language);
  let rows = null;
  let facts = null;
  let checkedAt = null;
  let running = null;
  let copyState = null;

  const root = create('section', 'cb-envcheck');
  const header = create('header', 'cb-envcheck__header');
  const heading = create(`h${Math.min(Math.max(options.headingLevel ?? 2, 1), 6)}`, 'cb-envcheck__title');
  heading.id = `cb-envcheck-title-${Math.random().toString(36).slice(2, 10)}`;
  root.setAttribute('aria-labelledby', heading.id);
  const intro = create('p', 'cb-envcheck__intro');
  const titles = create('div', 'cb-envcheck__titles');
  titles.append(heading, intro);

  const tools = create('div', 'cb-envcheck__tools');
  const languageGroup = create('div', 'cb-envcheck__languages');
  languageGroup.setAttribute('role', 'group');
  const languageButtons = t.languages.map((language) => {
    const button = create('button', 'cb-envcheck__language', t.languageName(language));
    button.type = 'button';
    button.lang = language;
    button.dataset.language = language;
    button.addEventListener('click', () => setLanguage(language, true));
    return button;
  });
  languageGroup.append(...languageButtons);
  const recheck = create('button', 'cb-envcheck__recheck');
  recheck.type = 'button';
  recheck.addEventListener('click', () => { refresh(); });
  const copyButton = create('button', 'cb-envcheck__copy');
  copyButton.type = 'button';
  copyButton.addEventListener('click', () => { copyReport(); });
  tools.append(languageGroup, recheck, copyButton);
  header.append(titles, tools);

  const summary = create('p', 'cb-envcheck__summary');
  summary.setAttribute('role', 'status');
  summary.setAttribute('aria-live', 'polite');

  const tableWrap = create('div', 'cb-envcheck__table-wrap');
  const table = create('table', 'cb-envcheck__table');
  const caption = create('caption', 'cb-envcheck__caption');
  const thead = create('thead');
  const headRow = create('tr');
  const columnHeads = ['item', 'status', 'result'].map((column) => {
    const th = create('th', `cb-envcheck__col-${column}`);
    th.scope = 'col';
    headRow.append(th);
    return [column, th];
  });
  thead.append(headRow);
  table.append(caption, thead);
  tableWrap.append(table);
  const footer = create('p', 'cb-envcheck__footer');
  // What "copy report" did: copied, or (no clipboard) the report selected in a text area to copy by hand.
  const copyPanel = create('div', 'cb-envcheck__copy-panel');
  const copyMessage = create('p', 'cb-envcheck__copy-message');
  copyMessage.setAttribute('role', 'status');
  copyMessage.setAttribute('aria-live', 'polite');
  const reportArea = create('textarea', 'cb-envcheck__report');
  reportArea.readOnly = true;
  reportArea.rows = 12;
  reportArea.spellcheck = false;
  reportArea.hidden = true;
  copyPanel.append(copyMessage, reportArea);

  root.append(header, summary, copyPanel, tableWrap, footer);
  element.replaceChildren(root);

  /** The host package for the user's OS; every OS the portal offers when the page cannot tell which. */
  function downloadLinks() {
    const offered = pageOs ? [pageOs].filter((os) => downloads[os]) : Object.keys(downloads);
    return offered.map((os) => {
      const paragraph = create('p', 'cb-envcheck__download');
      const link = create('a', 'cb-envcheck__download-link', t.text('envCheck.downloadHost', {os: t.text(`envCheck.os.${os}`)}));
      link.href = downloads[os];
      link.dataset.os = os;
      paragraph.append(link);
      return paragraph;
    });
  }

  function currentReport() {
    return rows ? reportText({rows, translator: t, date: checkedAt, facts: facts ?? {}}) : null;
  }

  async function copyReport() {
    const text = currentReport();
    if (text === null) return;
    const copied = await copyText(text, globalThis.navigator);
    copyState = copied ? 'copied' : 'manual';
    reportArea.value = text;
    reportArea.hidden = copied;
    renderCopyState();
    if (!copied) {
      reportArea.focus();
      reportArea.select();
    }
  }

  function renderCopyState() {
    copyButton.textContent = t.text('envCheck.copyReport');
    copyButton.disabled = !rows;
    reportArea.setAttribute('aria-label', t.text('envCheck.reportLabel'));
    copyMessage.textContent = copyState ? t.text(copyState === 'copied' ? 'envCheck.copied' : 'envCheck.copyManually') : '';
    copyPanel.hidden = !copyState;
    // The text area follows the language and the latest check, so what is selected is what is shown.
    if (copyState === 'manual' && rows) reportArea.value = currentReport();
  }

  function renderRow(row) {
    const tr = create('tr', `cb-envcheck__row cb-envcheck__row--${row.status}`);
    tr.dataset.check = row.check;
    tr.dataset.status = row.status;
    if (row.subject !== undefined && row.subject !== null) tr.dataset.subject = row.subject;
    if (row.error?.code) tr.dataset.code = row.error.code;

    // The same words the plain-text report gives (report-text.js), so the help desk reads what the user sees.
    const texts = rowTexts(row, t);
    const th = create('th', 'cb-envcheck__item', texts.title);
    th.scope = 'row';

    const statusCell = create('td', 'cb-envcheck__status');
    const badge = create('span', `cb-envcheck__badge cb-envcheck__badge--${row.status}`);
    const icon = create('span', 'cb-envcheck__icon', STATUS_ICONS[row.status]);
    icon.setAttribute('aria-hidden', 'true');
    badge.append(icon, create('span', 'cb-envcheck__status-word', t.text(`envCheck.status.${row.status}`)));
    statusCell.append(badge);

    const result = create('td', 'cb-envcheck__result');
    if (texts.problem !== null) result.append(create('p', 'cb-envcheck__problem', texts.problem));
    if (texts.details.length > 0) {
      const list = create('ul', 'cb-envcheck__details');
      for (const detail of texts.details) list.append(create('li', null, detail));
      result.append(list);
    }
    const fixText = texts.fix;
    if (fixText && row.status !== 'ok') {
      const fix = create('p', 'cb-envcheck__fix');
      fix.append(create('strong', 'cb-envcheck__fix-label', t.text('envCheck.fixLabel')), ' ', create('span', null, fixText));
      result.append(fix);
    } else if (fixText) {
      result.append(create('p', 'cb-envcheck__hint', fixText));
    }
    if (row.action === 'downloadHost') result.append(...downloadLinks());
    if (row.error?.code) {
      const code = create('p', 'cb-envcheck__code', t.text('envCheck.errorCode', {code: row.error.code}));
      result.append(code);
    }
    tr.append(th, statusCell, result);
    return tr;
  }

  function renderTexts() {
    root.lang = t.language;
    heading.textContent = t.text('envCheck.title');
    intro.textContent = t.text('envCheck.intro');
    languageGroup.setAttribute('aria-label', t.text('envCheck.languageLabel'));
    for (const button of languageButtons) {
      button.setAttribute('aria-pressed', String(button.dataset.language === t.language));
    }
    recheck.textContent = t.text(running ? 'envCheck.checking' : 'envCheck.recheck');
    recheck.disabled = Boolean(running);
    caption.textContent = t.text('envCheck.caption');
    for (const [column, th] of columnHeads) th.textContent = t.text(`envCheck.column.${column}`);
    footer.textContent = t.text('envCheck.footer');
    renderCopyState();

    for (const body of table.querySelectorAll('tbody')) body.remove();
    if (!rows) {
      root.dataset.state = 'checking';
      table.setAttribute('aria-busy', 'true');
      summary.className = 'cb-envcheck__summary cb-envcheck__summary--checking';
      summary.textContent = t.text('envCheck.checkingLong');
      return;
    }
    root.dataset.state = 'done';
    table.removeAttribute('aria-busy');
    for (const group of GROUPS) {
      const groupRows = rows.filter((row) => row.group === group);
      if (groupRows.length === 0) continue;
      const body = create('tbody', `cb-envcheck__group cb-envcheck__group--${group}`);
      const groupRow = create('tr', 'cb-envcheck__group-row');
      const groupHead = create('th', null, t.text(`envCheck.group.${group}`));
      groupHead.colSpan = 3;
      groupHead.scope = 'rowgroup';
      groupRow.append(groupHead);
      body.append(groupRow, ...groupRows.map(renderRow));
      table.append(body);
    }
    const counts = summarize(rows);
    const problems = counts.error + counts.warning;
    summary.className = `cb-envcheck__summary cb-envcheck__summary--${counts.error ? 'error' : counts.warning ? 'warning' : 'ok'}`;
    summary.replaceChildren(
      create('span', 'cb-envcheck__summary-text', problems === 0
        ? t.text('envCheck.summary.ok')
        : t.text('envCheck.summary.problems', {count: problems})),
      ' ',
      create('span', 'cb-envcheck__checked-at', t.text('envCheck.checkedAt', {
        time: checkedAt.toLocaleString(t.language, {dateStyle: 'medium', timeStyle: 'medium'}),
      })));
  }

  function setLanguage(language, fromUser = false) {
    const next = createTranslator(language);
    if (next.language === t.language) return;
    t = next;
    renderTexts();
    if (fromUser) options.onLanguageChange?.(t.language);
  }

  function refresh() {
    if (running) return running;
    rows = null;
    copyState = null;
    running = collectFindings(options.certbridge).then((findings) => {
      facts = reportFacts(findings);
      return buildRows(findings);
    }, (thrown) => {
      facts = null;
      return [{check: 'internal', group: 'problems', status: 'error', label: {key: 'envCheck.row.problem'}, details: [],
        error: normalizeError(thrown)}];
    }).then((built) => {
      rows = built;
      checkedAt = new Date();
      running = null;
      renderTexts();
      root.dispatchEvent(new CustomEvent('certbridge-environment-check', {bubbles: true, detail: {rows}}));
      return rows;
    });
    renderTexts();
    return running;
  }

  const ready = refresh();
  return {
    ready,
    refresh,
    setLanguage: (language) => setLanguage(language),
    get language() { return t.language; },
    get rows() { return rows; },
    /** The plain-text report of the last check in the current language (what "copy report" copies). */
    report: () => currentReport(),
  };
}
