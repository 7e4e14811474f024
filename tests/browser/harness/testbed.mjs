// The virtual test bed (tests/testbed/testbed.sh) as a test fixture: private pcscd, virtual reader
// with a card, SoftHSM2 tokens. It is bound to this process (--owner), so it goes away even if the
// test process dies; stop() tears it down at once.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {TESTBED_SCRIPT} from './paths.mjs';

const run = promisify(execFile);

async function testbed(...args) {
  try {
    return await run('bash', [TESTBED_SCRIPT, ...args], {timeout: 60_000});
  } catch (error) {
    throw new Error(`testbed.sh ${args.join(' ')} failed: ${error.stderr || error.message}`);
  }
}

/** Parses the `export NAME='value'` lines of DIR/env. */
function readEnvFile(file) {
  const env = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line.trim());
    if (match) env[match[1]] = match[2];
  }
  return env;
}

/** The variables the host needs to find the test bed; the browser passes them on to the host. */
export const HOST_ENV_NAMES = ['PCSCLITE_CSOCK_NAME', 'SOFTHSM2_CONF', 'CERTBRIDGE_CONFIG', 'CERTBRIDGE_LOG_DIR'];

/**
 * Starts a test bed in a new temporary directory.
 * @param {{card?: boolean, opencryptoki?: boolean}} [options] opencryptoki: add the openCryptoki token
 *   (it counts wrong PINs and locks; see testbed.sh), usable by processes run through exec()
 */
export async function startTestbed({card = true, opencryptoki = false} = {}) {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'certbridge-testbed-'));
  const dir = path.join(parent, 'bed');
  const args = ['start', dir, '--owner', String(process.pid)];
  if (!card) args.push('--no-card');
  if (opencryptoki) args.push('--opencryptoki');
  try {
    await testbed(...args);
  } catch (error) {
    await testbed('stop', dir).catch(() => {});
    fs.rmSync(parent, {recursive: true, force: true});
    throw error;
  }
  const env = readEnvFile(path.join(dir, 'env'));
  return {
    dir,
    /** Everything DIR/env exports (PCSCLITE_CSOCK_NAME, SOFTHSM2_CONF, CERTBRIDGE_TESTBED_READER, ...). */
    env,
    /** Only what the host process needs. */
    hostEnv: Object.fromEntries(HOST_ENV_NAMES.map((name) => [name, env[name]])),
    insertCard: () => testbed('insert', dir),
    removeCard: () => testbed('remove', dir),
    /** Blank SoftHSM2 tokens again, with the test bed's labels and PINs (after a test changed them). */
    resetTokens: () => testbed('reset-tokens', dir),
    stopPcscd: () => testbed('stop-pcscd', dir),
    startPcscd: () => testbed('start-pcscd', dir),
    unplugReader: () => testbed('unplug-reader', dir),
    plugReader: () => testbed('plug-reader', dir),
    /** Runs a command with the bed's environment, inside the openCryptoki namespace when there is one. */
    exec: (command, ...args) => testbed('exec', dir, '--', command, ...args),
    hostLog() {
      const logDir = env.CERTBRIDGE_LOG_DIR;
      if (!logDir || !fs.existsSync(logDir)) return '';
      return fs.readdirSync(logDir).map((name) => fs.readFileSync(path.join(logDir, name), 'utf8')).join('\n');
    },
    async stop() {
      await testbed('stop', dir);
      fs.rmSync(parent, {recursive: true, force: true});
    },
  };
}
