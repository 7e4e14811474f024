// Debian Chromium reading enterprise policy the way a managed Linux computer gives it: JSON files in
// /etc/chromium/policies/managed/. The suite never writes the real /etc: the browser starts inside a private
// mount namespace (unshare -m, root only) in which a directory of the test's own is bind-mounted over
// /etc/chromium, so that Chromium, and the host it starts, see the test's policy files and nothing else
// does. Chromium reads the files at start and watches the directory.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {CHROMIUM_EXECUTABLE} from './paths.mjs';
import {collectConsole} from './page-model.mjs';

const SYSTEM_POLICY_PARENT = '/etc/chromium';

/**
 * A stand-in for /etc/chromium (its other files copied) with an empty policies/managed/.
 * @returns {{root: string, write: (name: string, policy: object|string) => string, remove: (name: string) => void}}
 *   write: a policy file (an object as JSON, a string as it is); returns its path as the browser sees it
 */
export function chromiumPolicyRoot(workDir) {
  const root = path.join(workDir, 'etc-chromium');
  if (fs.existsSync(SYSTEM_POLICY_PARENT)) fs.cpSync(SYSTEM_POLICY_PARENT, root, {recursive: true});
  const managed = path.join(root, 'policies', 'managed');
  fs.rmSync(managed, {recursive: true, force: true});
  fs.mkdirSync(managed, {recursive: true});
  return {
    root,
    write(name, policy) {
      const text = typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2);
      // Written whole and renamed: Chromium watches the directory and must never read half a file.
      fs.writeFileSync(path.join(managed, `${name}.new`), text);
      fs.renameSync(path.join(managed, `${name}.new`), path.join(managed, name));
      return path.join(SYSTEM_POLICY_PARENT, 'policies', 'managed', name);
    },
    remove(name) {
      fs.rmSync(path.join(managed, name), {force: true});
    },
  };
}

/** Whether this process may make a private mount namespace (root, and unshare works here). */
export function mountNamespaceProblem() {
  if (process.getuid?.() !== 0) return 'root (Chromium reads policy files from /etc only; the suite bind-mounts its own over /etc/chromium in a private mount namespace)';
  return null;
}

/**
 * Starts Chromium with `policyRoot` over /etc/chromium.
 * @param {object} options
 * @param {string} options.policyRoot chromiumPolicyRoot().root
 * @param {string} options.workDir where the launcher script goes
 * @param {string} options.userDataDir
 * @param {object} options.env the browser's (and the host's) environment
 * @param {string|null} [options.extensionDir] an unpacked extension to load besides the policy's
 * @param {string[]} [options.args] more command-line switches
 */
export async function launchChromiumWithPolicyFiles({policyRoot, workDir, userDataDir, env, extensionDir = null, args = []}) {
  const {chromium} = await import('playwright-core');
  // Playwright starts one executable with its switches: this script enters the namespace and runs the
  // browser there. --enable-remote-extensions keeps Debian's launcher from adding
  // --disable-extensions-except (which would disable every extension the policy installs).
  const launcher = path.join(workDir, 'chromium-with-policy-files.sh');
  fs.writeFileSync(launcher, `#!/bin/sh
exec unshare --mount -- sh -c 'mount --make-rprivate / && mount --bind "$0" ${SYSTEM_POLICY_PARENT} && exec "$@"' \\
  '${policyRoot}' '${CHROMIUM_EXECUTABLE}' --enable-remote-extensions "$@"
`, {mode: 0o755});
  const switches = ['--no-sandbox', '--no-first-run', '--disable-sync', '--disable-gpu', '--lang=en-US', ...args];
  if (extensionDir) switches.push(`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: launcher,
    headless: true,
    args: switches,
    // Playwright's defaults disable extensions and background networking; the extension updater that
    // force-installs from the policy's update_url needs both.
    ignoreDefaultArgs: ['--disable-extensions', '--disable-background-networking', '--disable-component-extensions-with-background-pages'],
    ignoreHTTPSErrors: true,
    env,
    locale: 'en-US',
    viewport: {width: 1280, height: 900},
    timeout: 60_000,
  });
  const page = context.pages()[0] ?? await context.newPage();
  return {name: 'chromium', page, console: collectConsole(page), context, close: () => context.close()};
}

/**
 * What chrome://policy shows, per table (the browser's own policies under "chrome", each extension's under
 * its ID): the policies that are set, `{name: {value, status, errors, warnings}}` with the texts as shown.
 */
export async function readChromePolicyPage(context) {
  const tab = await context.newPage();
  try {
    await tab.goto('chrome://policy');
    return await eventually(() => tab.evaluate(() => {
      const text = (root, selector) => root?.querySelector(selector)?.textContent.trim() ?? '';
      const app = document.querySelector('policy-app')?.shadowRoot;
      const tables = {};
      for (const table of app?.querySelectorAll('policy-table') ?? []) {
        const root = table.shadowRoot;
        const rows = {};
        for (const row of root?.querySelectorAll('policy-row') ?? []) {
          const cells = row.shadowRoot;
          const name = text(cells, '.policy.row .name');
          const status = text(cells, '.policy.row .messages');
          if (!name || status === 'Not set.') continue;
          rows[name] = {value: text(cells, '.value.row .value'), status,
            errors: text(cells, '.errors.row .value'), warnings: text(cells, '.warnings.row .value')};
        }
        tables[text(root, 'p.id') || text(root, 'h2')] = rows;
      }
      return tables;
    }), (tables) => Object.keys(tables).length > 0, 'chrome://policy shows its tables', 15_000);
  } finally {
    await tab.close();
  }
}

/** Waits for `predicate(value)` on what `read()` gives, polling. */
export async function eventually(read, predicate, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await read();
    if (predicate(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`${what} (last seen: ${JSON.stringify(last)?.slice(0, 2000)})`);
}
