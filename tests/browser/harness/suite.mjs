// What every browser suite shares: prerequisites (fail in CI, skip with the reason elsewhere), the
// test bed, the demo portal, a throw-away HOME with the host registered, screenshots, and failure
// reports that carry the page's console and the host's log.
import fs from 'node:fs';
import path from 'node:path';
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {startDemoPortal} from '../../demo-portal/portal.mjs';
import {installHostManifest, makeHome} from './home.mjs';
import {buildPaths, missingPrerequisites, REPO_ROOT} from './paths.mjs';
import {startTestbed} from './testbed.mjs';

const run = promisify(execFile);

/** The single message catalogue, to compare what the page shows with what it must show. */
export const catalogue = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'extension', 'shared', 'messages.json'), 'utf8'));
export const errorFix = (code, language = 'zh-TW') => catalogue.errors[code].fix[language];
/** The fix a page shows for an error of the test bed's host: its OS's own steps where the catalogue has them (Linux). */
export const hostFix = (code, language = 'zh-TW') =>
  catalogue.errors[code].fixByOs?.linux?.[language] ?? catalogue.errors[code].fix[language];
export const errorMessage = (code, language = 'zh-TW') => catalogue.errors[code].message[language];
export const uiText = (key, language = 'zh-TW') => catalogue.ui[key][language];

/**
 * Why the suite cannot run, or null. In CI (CI set) a missing piece is a failure, not a skip: CI
 * installs everything, so a skip there would hide a broken setup.
 * @returns {Promise<{reason: string, fail: boolean}|null>}
 */
export async function prerequisiteProblem(options) {
  const missing = await missingPrerequisites(options);
  if (missing.length === 0) return null;
  return {reason: `prerequisites missing: ${missing.join('; ')}`, fail: Boolean(process.env.CI)};
}

const clearedOutputDirs = new Set();

/**
 * Starts what the browser suites need and returns it with a stop() that always tears all of it down.
 * Screenshots go to <output dir>/<outputName> (default: the browser's name).
 */
export async function startFixture({browser, testbed = true, outputName = browser, opencryptoki = false, portalOptions = {}}) {
  const paths = buildPaths();
  const started = {paths, bed: null, portal: null, home: null};
  started.stop = async () => {
    const errors = [];
    for (const stop of [() => started.portal?.close(), () => started.bed?.stop(), () => started.home?.remove()]) {
      try {
        await stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length) throw errors[0];
  };
  try {
    if (testbed) started.bed = await startTestbed({opencryptoki});
    // portalOptions may depend on the bed (e.g. the SO PIN its cards were given, for unblock authorizations).
    const extra = typeof portalOptions === 'function' ? portalOptions(started.bed) : portalOptions;
    started.portal = await startDemoPortal({pageLibraryDir: paths.pageLibraryDir, log: (line) => console.error(line), ...extra});
    started.home = makeHome();
    started.installOutput = await installHostManifest({hostPath: paths.hostPath, home: started.home.home, browser});
    started.outputDir = path.join(paths.outputDir, outputName);
    // Fresh screenshots only: a FAILED-*.png from an earlier run must not linger (cleared once per
    // test process, since a file's suites share the directory).
    if (!clearedOutputDirs.has(started.outputDir)) {
      fs.rmSync(started.outputDir, {recursive: true, force: true});
      clearedOutputDirs.add(started.outputDir);
    }
    fs.mkdirSync(started.outputDir, {recursive: true});
    started.checkUrl = (query = '') => `${started.portal.url}environment-check${query}`;
    /** The environment the browser (and so the host it starts) runs with. */
    started.browserEnv = (home = started.home.home) => ({
      ...process.env,
      HOME: home,
      ...(started.bed ? started.bed.hostEnv : {}),
    });
    return started;
  } catch (error) {
    await started.stop().catch(() => {});
    throw error;
  }
}

/** Label and serial number of each SoftHSM2 token of the test bed, as softhsm2-util reports them. */
export async function softhsmTokens(bed) {
  const {stdout} = await run('softhsm2-util', ['--show-slots'], {env: {...process.env, SOFTHSM2_CONF: bed.env.SOFTHSM2_CONF}});
  const tokens = [];
  for (const block of stdout.split(/\n(?=Slot )/)) {
    const label = /Label:\s+(.*\S)/.exec(block)?.[1];
    const serial = /Serial number:\s+(\S+)/.exec(block)?.[1];
    if (label && serial && /Initialized:\s+yes/.test(block)) tokens.push({label, serial});
  }
  return tokens;
}

/**
 * Runs a test body; on failure, adds what explains it (the page's console, the host's log, a screenshot).
 */
export async function explained({session, bed, outputDir, name}, body) {
  try {
    return await body();
  } catch (error) {
    const notes = [];
    if (session?.page && outputDir) {
      const file = path.join(outputDir, `FAILED-${name}.png`);
      await session.page.screenshot({path: file, fullPage: true}).then(() => notes.push(`screenshot: ${file}`), () => {});
    }
    if (session?.console?.length) notes.push(`page console:\n  ${session.console.slice(-20).join('\n  ')}`);
    const hostLog = bed?.hostLog?.();
    if (hostLog) notes.push(`host log (last lines):\n  ${hostLog.trim().split('\n').slice(-25).join('\n  ')}`);
    if (notes.length) error.message += `\n${notes.join('\n')}`;
    throw error;
  }
}
