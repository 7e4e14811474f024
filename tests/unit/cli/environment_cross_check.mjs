// The page's environment check and `certbridge doctor` on the same host `environment` answers: the same
// rows (check, subject, status, error code, in display order) and the same words (label and result lines,
// per the plain-text report of extension/page-library/environment-check/README.md), in every language.
//
//   node environment_cross_check.mjs CERTBRIDGE_BINARY ANSWER.json...
// (CERTBRIDGE_BUILD_DIR names the build with the assembled page library; ctest sets it.) Exits 1 on any
// difference, printing it. The integration suite runs it on answers the real host gave on the test bed.
//
// Once the page makes the plain-text report itself (report-text.js, its "copy report" button), whole reports
// are compared too (date line apart), and the page's reference reports (../extension/fixtures/
// environment-report/) are checked against the doctor.

import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {builtPageLibrary, pageLibraryDir} from '../extension/helpers/build_output.mjs';

const {buildRows} = await builtPageLibrary('environment-check/environment-rows.js');
const {createTranslator} = await builtPageLibrary('environment-check/catalogue.js');
const protocol = JSON.parse(readFileSync(new URL('../../../extension/shared/protocol.json', import.meta.url), 'utf8'));
const catalogue = JSON.parse(readFileSync(new URL('../../../extension/shared/messages.json', import.meta.url), 'utf8'));

const GROUPS = ['software', 'cards', 'certificates', 'problems'];
// The OS the doctor runs on (its fixes name this OS's steps), as the page's findings.os names it.
const DOCTOR_OS = {win32: 'windows', darwin: 'macos'}[process.platform] ?? 'linux';

/** The page's rows for an answer as the doctor sees it: no browser, page library or extension. */
function pageRowsUnordered(environment) {
  return buildRows({browser: {name: null, version: null}, pageLibrary: null, status: null, statusError: null,
    environment, environmentError: null, os: DOCTOR_OS});
}

/** The same rows in display order (grouped as the table renders them). */
function pageRows(environment) {
  const rows = pageRowsUnordered(environment);
  return GROUPS.flatMap((group) => rows.filter((row) => row.group === group));
}

// The page's report module ("copy report"), once it is there: [path in the page library, export name].
const PAGE_REPORT_MODULE = ['environment-check/report-text.js', 'reportText'];

async function pageReport() {
  if (!existsSync(join(pageLibraryDir, PAGE_REPORT_MODULE[0]))) return null;
  const module = await builtPageLibrary(PAGE_REPORT_MODULE[0]);
  const rowsModule = await builtPageLibrary('environment-check/environment-rows.js');
  if (typeof module[PAGE_REPORT_MODULE[1]] !== 'function' || typeof module.versionText !== 'function') return null;
  // As the page's own doctor view makes it (environment_report_golden.test.mjs).
  return (environment, language) => module[PAGE_REPORT_MODULE[1]]({rows: pageRowsUnordered(environment),
    translator: createTranslator(language), date: '2026-12-05T03:00:00Z',
    facts: {browser: null, os: rowsModule.osText?.(environment.host?.os) ?? null, extension: null,
      host: module.versionText(environment.host), pageLibrary: null}});
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

const withoutDate = (text) => text.split('\n').filter((line) => !line.startsWith('date: ')).join('\n');

function doctorText(binary, file, language) {
  try {
    return execFileSync(binary, ['doctor', '--lang', language, '--from-environment', file], {encoding: 'utf8'});
  } catch (error) {
    if (typeof error.stdout !== 'string' || error.stdout === '') throw error;
    return error.stdout;
  }
}

async function crossCheck(binary, file) {
  const environment = JSON.parse(readFileSync(file, 'utf8'));
  const page = pageRows(environment);
  const makeReport = await pageReport();
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
      assert.equal(withoutDate(doctorText(binary, file, language)), withoutDate(makeReport(environment, language)),
        `${file} (${language}): report text differs`);
    }
  }
}

// The page's reference reports (page README "Plain-text report"), when they are there: each state's answer
// through the doctor gives the text beside it, date apart.
const GOLDEN = new URL('../extension/fixtures/environment-report/', import.meta.url);

async function goldenCheck(binary) {
  const statesFile = new URL('states.json', GOLDEN);
  if (!existsSync(statesFile)) return [];
  const {states} = JSON.parse(readFileSync(statesFile, 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'certbridge-golden-'));
  const failures = [];
  try {
    for (const [state, environment] of Object.entries(states)) {
      const file = join(dir, `${state}.json`);
      writeFileSync(file, JSON.stringify(environment));
      for (const language of catalogue.languages) {
        const golden = readFileSync(new URL(`${state}.${language}.txt`, GOLDEN), 'utf8');
        try {
          assert.equal(withoutDate(doctorText(binary, file, language)), withoutDate(golden), `golden ${state} (${language})`);
          console.log(`ok golden ${state} (${language})`);
        } catch (error) {
          failures.push(`golden ${state} (${language})\n${error.message}`);
        }
      }
    }
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
  return failures;
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
for (const failure of await goldenCheck(binary)) {
  failed += 1;
  console.log(`FAILED ${failure}`);
}
process.exit(failed === 0 ? 0 : 1);
