// web-ext lint (Mozilla's addons-linter, what addons.mozilla.org runs on an upload) on the xpi we would
// upload, unpacked to a scratch folder: passes only with 0 errors, 0 warnings and 0 notices, and prints
// each message otherwise. ctest runs it (label lint) after building the packages:
//   node tests/unit/extension/web_ext_lint.mjs <the .xpi>

import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {readZip} from './helpers/zip_archive.mjs';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const webExt = join(repoRoot, 'node_modules', 'web-ext', 'bin', 'web-ext.js');

const [archive] = process.argv.slice(2);
if (!archive) {
  console.error('usage: node web_ext_lint.mjs <extension .xpi>');
  process.exit(2);
}
if (!existsSync(webExt)) {
  console.error(`web-ext is not installed (${webExt}): run \`npm ci\` in the repository`);
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'certbridge-web-ext-lint-'));
try {
  for (const [name, bytes] of readZip(archive)) {
    const path = join(scratch, name);
    mkdirSync(dirname(path), {recursive: true});
    writeFileSync(path, bytes);
  }
  let output;
  try {
    output = execFileSync(process.execPath,
      [webExt, 'lint', '--source-dir', scratch, '--output', 'json', '--no-config-discovery'],
      {encoding: 'utf8', env: {...process.env, WEB_EXT_NO_INPUT: 'true'}, maxBuffer: 16 * 1024 * 1024});
  } catch (error) {
    // web-ext exits non-zero when the linter finds errors; its JSON report is still on stdout.
    output = error.stdout;
    if (!output) throw error;
  }
  const report = JSON.parse(output);
  const {errors, warnings, notices} = report.summary;
  console.log(`web-ext lint ${archive}: ${errors} errors, ${warnings} warnings, ${notices} notices`);
  for (const kind of ['errors', 'warnings', 'notices']) {
    for (const message of report[kind]) {
      console.log(`  ${kind.slice(0, -1)} ${message.code} ${message.file ?? ''}: ${message.message}` +
        (message.description ? ` (${message.description})` : ''));
    }
  }
  process.exitCode = errors + warnings + notices === 0 ? 0 : 1;
} finally {
  rmSync(scratch, {recursive: true, force: true});
}
