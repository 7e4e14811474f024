#!/usr/bin/env node
// Opens the demo portal's environment check in headless Chromium with the real extension, prints each
// row (OK / PROBLEM, item, value), saves screenshots (zh-TW and English) and the plain-text report its "copy
// report" button puts on the clipboard (environment-report-en.txt, also printed). Used by tests/run-demo.sh,
// which starts the test bed and the portal and registers the host under --home first.
//   node tests/browser/show-environment-check.mjs --url URL --home DIR --extension DIR --screenshots DIR
// Exit status: 0 when every row is OK, 1 when a row needs attention, 2 when the check could not run.
import fs from 'node:fs';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {launchChromium} from './harness/chromium.mjs';
import {copyReportByHand, openCheck, screenshot, switchLanguage} from './harness/page-model.mjs';

const {values} = parseArgs({
  options: {
    url: {type: 'string'},
    home: {type: 'string'},
    extension: {type: 'string'},
    screenshots: {type: 'string'},
  },
});
for (const name of ['url', 'home', 'extension', 'screenshots']) {
  if (!values[name]) {
    console.error(`show-environment-check: --${name} is required`);
    process.exit(2);
  }
}

const MARKS = {ok: '[ OK ]', error: '[FAIL]', warning: '[WARN]', unknown: '[ -- ]'};
const COLOURS = {ok: '\x1b[32m', error: '\x1b[31m', warning: '\x1b[33m', unknown: '\x1b[90m'};
const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (status, text) => (colour ? `${COLOURS[status] ?? ''}${text}\x1b[0m` : text);

// Terminal columns a string takes: CJK and full-width characters take two.
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u;
const columns = (text) => [...text].reduce((sum, char) => sum + (WIDE.test(char) ? 2 : 1), 0);
const pad = (text, width) => text + ' '.repeat(Math.max(0, width - columns(text)));

function printCheck(check) {
  console.log(`\n${check.title} (${check.language})`);
  console.log(check.summary);
  const width = Math.min(40, Math.max(...check.rows.map((row) => columns(row.item))));
  for (const row of check.rows) {
    const [first, ...rest] = row.result.split(' | ');
    console.log(`${paint(row.status, MARKS[row.status] ?? row.status)} ${pad(row.item, width)}  ${first ?? ''}`);
    for (const more of rest) console.log(`${' '.repeat(7 + width + 2)}${more}`);
  }
}

/** Presses "copy report" and reads the clipboard; by hand (the page's text area) where it is refused. */
async function copiedReport({page, context}) {
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: new URL(values.url).origin});
    await page.click('.cb-envcheck__copy');
    await page.waitForFunction(() => document.querySelector('.cb-envcheck__copy-message')?.textContent !== '');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    if (copied.startsWith('CertBridge environment report')) return copied;
  } catch {
    // No clipboard in this browser: the fallback below is what a user would copy.
  }
  return copyReportByHand(page);
}

fs.mkdirSync(values.screenshots, {recursive: true});
const session = await launchChromium({
  userDataDir: path.join(values.home, '.config', 'chromium'),
  extensionDir: values.extension,
  env: {...process.env, HOME: values.home},
});
let exitCode = 2;
try {
  const started = Date.now();
  const check = await openCheck(session.page, new URL('environment-check', values.url).href);
  const elapsed = ((Date.now() - started) / 1000).toFixed(1);
  printCheck(check);
  const zh = await screenshot(session.page, path.join(values.screenshots, 'environment-check-zh-TW.png'));
  const english = await switchLanguage(session.page, 'en');
  printCheck(english);
  const en = await screenshot(session.page, path.join(values.screenshots, 'environment-check-en.png'));
  const report = await copiedReport(session);
  const reportFile = path.join(values.screenshots, 'environment-report-en.txt');
  fs.writeFileSync(reportFile, report);
  console.log(`\nThe report "copy report" gives the help desk:\n\n${report}`);
  const needAttention = check.rows.filter((row) => row.status === 'error' || row.status === 'warning');
  console.log(`\nChecked in ${elapsed} s: ${check.rows.length} rows, ${needAttention.length} need attention.`);
  console.log(`Screenshots:\n  ${zh}\n  ${en}\nReport: ${reportFile}`);
  exitCode = needAttention.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`show-environment-check: ${error.message}`);
  if (session.console.length) console.error(`page console:\n  ${session.console.join('\n  ')}`);
} finally {
  await session.close();
}
process.exit(exitCode);
