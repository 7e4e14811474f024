// Reads the environment check the way a user sees it: each row's heading, status word and text.
// Works with a playwright page and a puppeteer page alike (goto, waitForSelector, evaluate, click).

export const CHECK_DONE = '.cb-envcheck[data-state="done"]';

/** Keeps the page's console errors and failed loads, to explain a failure. */
export function collectConsole(page) {
  const messages = [];
  page.on('console', (message) => {
    const type = typeof message.type === 'function' ? message.type() : message.type;
    if (type === 'error' || type === 'warning' || type === 'warn') messages.push(`${type}: ${message.text()}`);
  });
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message ?? error}`));
  return messages;
}

/** Everything the check shows, as plain data. */
export function readCheck(page) {
  return page.evaluate(() => {
    const root = document.querySelector('.cb-envcheck');
    if (!root) return null;
    const text = (node) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
    return {
      state: root.dataset.state,
      language: root.lang,
      documentLanguage: document.documentElement.lang,
      title: text(root.querySelector('.cb-envcheck__title')),
      summary: text(root.querySelector('.cb-envcheck__summary')),
      columns: [...root.querySelectorAll('thead th')].map(text),
      rows: [...root.querySelectorAll('tr.cb-envcheck__row')].map((row) => ({
        check: row.dataset.check,
        subject: row.dataset.subject ?? null,
        status: row.dataset.status,
        code: row.dataset.code ?? null,
        item: text(row.querySelector('th')),
        statusWord: text(row.querySelector('.cb-envcheck__status-word')),
        result: [...row.querySelector('.cb-envcheck__result').children]
          .flatMap((part) => (part.tagName === 'UL' ? [...part.children] : [part]))
          .map(text).filter(Boolean).join(' | '),
        problem: text(row.querySelector('.cb-envcheck__problem')),
        fix: text(row.querySelector('.cb-envcheck__fix')),
      })),
    };
  });
}

/** Opens a page with the check and waits until it has finished checking. */
export async function openCheck(page, url, {timeout = 60_000} = {}) {
  await page.goto(url);
  await page.waitForSelector(CHECK_DONE, {timeout});
  return readCheck(page);
}

/** Presses "check again" and waits for the new result. */
export async function recheck(page, {timeout = 60_000} = {}) {
  await page.click('.cb-envcheck__recheck');
  await page.waitForSelector(CHECK_DONE, {timeout});
  return readCheck(page);
}

/** Switches the check's language with its own button. */
export async function switchLanguage(page, language) {
  await page.click(`.cb-envcheck__language[data-language="${language}"]`);
  await page.waitForSelector(`.cb-envcheck[lang="${language}"]`, {timeout: 5_000});
  return readCheck(page);
}

export async function screenshot(page, file) {
  await page.screenshot({path: file, fullPage: true});
  return file;
}

/** The rows of one kind (and subject), e.g. rowsOf(check, 'reader', 'Virtual PCD 00 00'). */
export function rowsOf(check, kind, subject) {
  return check.rows.filter((row) => row.check === kind && (subject === undefined || row.subject === subject));
}

/** Exactly one row, or an assertion-friendly error listing what is there. */
export function rowOf(check, kind, subject) {
  const found = rowsOf(check, kind, subject);
  if (found.length !== 1) {
    const present = check.rows.map((row) => `${row.check}${row.subject ? `(${row.subject})` : ''}:${row.status}`).join(', ');
    throw new Error(`expected one ${kind} row${subject ? ` for ${subject}` : ''}, found ${found.length}; rows: ${present}`);
  }
  return found[0];
}

/** A one-line-per-row text of the check, for logs and the demo. */
export function describeCheck(check) {
  const lines = [`${check.title} [${check.language}] ${check.summary}`];
  for (const row of check.rows) {
    const mark = {ok: 'OK     ', error: 'PROBLEM', warning: 'WARNING', unknown: 'NOT CHECKED'}[row.status] ?? row.status;
    lines.push(`  ${mark.padEnd(11)} ${row.item}: ${row.result}`);
  }
  return lines.join('\n');
}

/**
 * Presses "copy report" in a browser whose Clipboard API is taken away, and returns the report the page
 * then shows selected in its text area (what a user copies by hand; the same text the clipboard gets).
 */
export async function copyReportByHand(page, {timeout = 5_000} = {}) {
  await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true}));
  await page.click('.cb-envcheck__copy');
  await page.waitForSelector('.cb-envcheck__report:not([hidden])', {timeout});
  return page.evaluate(() => document.querySelector('.cb-envcheck__report').value);
}

/** The report's row lines as {state, title, detail, code, fix}. */
export function reportRows(report) {
  const lines = report.split('\n');
  return lines.slice(lines.indexOf('') + 1).filter(Boolean).map((line) => {
    const [state, title, detail, code, fix] = line.split(' | ');
    return {state, title, detail, code, fix};
  });
}

/** The check's download links (href, OS) for the host package. */
export function downloadLinks(page) {
  return page.evaluate(() => [...document.querySelectorAll('a.cb-envcheck__download-link')]
    .map((anchor) => ({href: anchor.href, os: anchor.dataset.os})));
}
