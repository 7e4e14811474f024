// A throw-away HOME per suite, with the native-messaging host manifests the real host installs.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);

export function makeHome(prefix = 'certbridge-home-') {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    home,
    /** Chromium's user data dir under this HOME: it reads host manifests from <dir>/NativeMessagingHosts. */
    chromiumUserDataDir: path.join(home, '.config', 'chromium'),
    firefoxManifestDir: path.join(home, '.mozilla', 'native-messaging-hosts'),
    remove: () => fs.rmSync(home, {recursive: true, force: true}),
  };
}

/**
 * Registers the host for one browser under `home`, exactly as a user install does:
 * `certbridge-host install --user --browser <browser>`.
 * @returns {Promise<string>} what the installer printed
 */
export async function installHostManifest({hostPath, home, browser}) {
  try {
    const {stdout, stderr} = await run(hostPath, ['install', '--user', '--browser', browser, '--host-path', hostPath], {
      env: {...process.env, HOME: home},
      timeout: 30_000,
    });
    return stdout + stderr;
  } catch (error) {
    throw new Error(`certbridge-host install --user --browser ${browser} failed: ${error.stderr || error.message}`);
  }
}

/** The manifest files under a directory (to check the installer put them where the browser looks). */
export function manifestsIn(dir) {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.json')) : [];
}
