// The page's environment check and `certbridge doctor` on the same host `environment` answers: the same
// rows (check, subject, status, error code, in display order) and the same words (label and result lines,
// per the plain-text report of extension/page-library/environment-check/README.md), in every language.
//
//   node environment_cross_check.mjs CERTBRIDGE_BINARY ANSWER.json...
// (CERTBRIDGE_BUILD_DIR names the build with the assembled page library; ctest sets it.) Exits 1 on any
// difference, printing it. The integration suite runs it on answers the real host gave on the test bed.
//
// To compare whole reports once the page makes them (its "copy report" button): add the page module's
// path and export to PAGE_REPORT_MODULES; the text is compared from the first line after the time line.

import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';

import {builtPageLibrary, pageLibraryDir} from '../extension/helpers/build_output.mjs';

const {buildRows} = await builtPageLibrary('environment-check/environment-rows.js');
const {createTranslator} = await builtPageLibrary('environment-check/catalogue.js');
const protocol = JSON.parse(readFileSync(new URL('../../../extension/shared/protocol.json', import.meta.url), 'utf8'));
const catalogue = JSON.parse(readFileSync(new URL('../../../extension/shared/messages.json', import.meta.url), 'utf8'));

// The rows only a browser can fill in: doctor has none of them.
const BROWSER_ONLY = new Set(['browser', 'pageLibrary', 'extension']);
const GROUPS = ['software', 'cards', 'certificates', 'problems'];

// Candidate page modules that make the plain-text report: [path in the page library, export name].
const PAGE_REPORT_MODULES = [
  ['environment-check/report-text.js', 'reportText'],
  ['environment-check/environment-report.js', 'reportText'],
];

async function pageReportText() {
  for (const [path, name] of PAGE_REPORT_MODULES) {
    if (!existsSync(join(pageLibraryDir, path))) continue;
    const module = await builtPageLibrary(path);
    if (typeof module[name] === 'function') return module[name];
  }
  return null;
}

/** The rows the page shows for an answer, in display order (grouped as the table renders them). */
function pageRows(environment) {
  const rows = buildRows({
    browser: {name: null, version: null},
    pageLibrary: {version: 'cross-check', protocol: protocol.protocolVersion},
    status: {host: environment.host ?? null},
    statusError: null,
    environment,
    environmentError: null,
  }).filter((row) => !BROWSER_ONLY.has(row.check));
  return GROUPS.flatMap((group) => rows.filter((row) => row.group === group));
}

const oneLine = (text) => String(text).replace(/[\r\n]+/g, ' ').replace(/[ \t]+$/, '');

/** The result lines of a row as the table shows them (environment-check.js renderRow), per the README. */
function pageLines(row, t) {
  const lines = [];
  const textOf = (part) => (part.text !== undefined ? part.text : t.text(part.key, part.params));
  if (row.error) {
    let problem = t.errorMessage(row.error);
    if (row.error.code === 'PIN_INCORRECT' && typeof row.error.triesLeft === 'number') {
      problem += ` ${t.text('envCheck.value.triesLeft', {triesLeft: row.error.triesLeft})}`;
    }
    lines.push(problem);
  }
  for (const part of row.details) lines.push(textOf(part));
  const fix = row.error ? t.errorFix(row.error) : row.fix ? textOf(row.fix) : null;
  if (fix) lines.push(row.status !== 'ok' ? `${t.text('envCheck.fixLabel')} ${fix}` : fix);
  if (row.error?.code) lines.push(t.text('envCheck.errorCode', {code: row.error.code}));
  return lines.map(oneLine).filter((line) => line !== '');
}

function doctorRows(binary, file, language) {
  let output;
  try {
    output = execFileSync(binary, ['doctor', '--json', '--lang', language, '--from-environment', file], {encoding: 'utf8'});
  } catch (error) {
    // Exit codes 1 and 2 are the doctor's verdict; the JSON is on stdout all the same.
    if (typeof error.stdout !== 'string' || error.stdout === '') throw error;
    output = error.stdout;
  }
  return JSON.parse(output).rows.filter((row) => row.group !== 'local');
}

const identity = (row) => ({check: row.check, subject: row.subject ?? null, group: row.group, status: row.status,
  code: row.error?.code ?? row.code ?? null});

async function crossCheck(binary, file) {
  const environment = JSON.parse(readFileSync(file, 'utf8'));
  const page = pageRows(environment);
  const makeReport = await pageReportText();
  for (const language of catalogue.languages) {
    const doctor = doctorRows(binary, file, language);
    assert.deepEqual(doctor.map(identity), page.map(identity), `${file} (${language}): rows differ`);
    const t = createTranslator(language);
    for (const [index, row] of page.entries()) {
      const label = oneLine(row.label.text ?? t.text(row.label.key, row.label.params));
      assert.equal(doctor[index].text.label, label, `${file} (${language}): label of row ${index} (${row.check})`);
      assert.deepEqual(doctor[index].text.lines, pageLines(row, t), `${file} (${language}): lines of row ${index} (${row.check})`);
    }
    if (makeReport) {
      const withoutTime = (text) => text.split('\n').filter((_, index) => index !== 1).join('\n');
      const doctorText = execFileSync(binary, ['doctor', '--lang', language, '--from-environment', file],
        {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).toString();
      assert.equal(withoutTime(makeReport(page, createTranslator(language), new Date())), withoutTime(doctorText),
        `${file} (${language}): report text differs`);
    }
  }
}

const [binary, ...files] = process.argv.slice(2);
if (!binary || files.length === 0) {
  console.error('usage: node environment_cross_check.mjs CERTBRIDGE_BINARY ANSWER.json...');
  process.exit(64);
}
let failed = 0;
for (const file of files) {
  try {
    await crossCheck(binary, file);
    console.log(`ok ${file}`);
  } catch (error) {
    failed += 1;
    console.log(`FAILED ${file}\n${error.message}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
