// Firefox ESR reading enterprise policy the way a managed Linux computer gives it: policies.json in the
// installation's distribution folder (Debian: /usr/lib/firefox-esr/distribution, a link to
// /usr/share/firefox-esr/distribution). As for Chromium (chromium-policy-files.mjs), the suite never
// writes there: the browser starts inside a private mount namespace (root only) in which a directory of the
// test's own is bind-mounted over the distribution folder. Firefox reads policies.json once, at start.
import fs from 'node:fs';
import path from 'node:path';
import {FIREFOX_EXECUTABLE} from './paths.mjs';
import {collectConsole} from './page-model.mjs';

const DISTRIBUTION_DIR = '/usr/share/firefox-esr/distribution';

/**
 * A stand-in for the distribution folder (its other files copied) holding `policies`.
 * @returns {string} the directory
 */
export function firefoxDistribution(workDir, policies) {
  const root = path.join(workDir, 'distribution');
  if (fs.existsSync(DISTRIBUTION_DIR)) fs.cpSync(DISTRIBUTION_DIR, root, {recursive: true});
  fs.mkdirSync(root, {recursive: true});
  fs.writeFileSync(path.join(root, 'policies.json'), JSON.stringify(policies, null, 2));
  return root;
}

/** What is missing to run Firefox over a distribution folder of the test's own, or null. */
export function firefoxDistributionProblem() {
  if (process.getuid?.() !== 0) return 'root (the suite bind-mounts its own policies.json folder in a private mount namespace)';
  if (!fs.existsSync(DISTRIBUTION_DIR)) return `${DISTRIBUTION_DIR} (Debian's firefox-esr distribution folder)`;
  return null;
}

/**
 * Starts Firefox ESR with `distribution` over the installation's distribution folder. Add-ons come from the
 * policy only (no temporary add-on).
 * @param {{distribution: string, workDir: string, env: object, prefs?: object}} options
 */
export async function launchFirefoxWithPolicyFiles({distribution, workDir, env, prefs = {}}) {
  const {default: puppeteer} = await import('puppeteer-core');
  const launcher = path.join(workDir, 'firefox-with-policy-files.sh');
  fs.writeFileSync(launcher, `#!/bin/sh
exec unshare --mount -- sh -c 'mount --make-rprivate / && mount --bind "$0" ${DISTRIBUTION_DIR} && exec "$@"' \\
  '${distribution}' '${FIREFOX_EXECUTABLE}' "$@"
`, {mode: 0o755});
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: launcher,
    headless: true,
    // WebDriver BiDi navigates to privileged pages (about:policies) only with system access.
    args: ['--remote-allow-system-access'],
    env,
    defaultViewport: {width: 1280, height: 900},
    timeout: 90_000,
    extraPrefsFirefox: {
      'intl.accept_languages': 'en-US, en',
      'app.update.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'extensions.update.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      ...prefs,
    },
  });
  try {
    const page = await browser.newPage();
    return {name: 'firefox', page, console: collectConsole(page), browser, close: () => browser.close()};
  } catch (error) {
    await browser.close().catch(() => {});
    throw error;
  }
}

/**
 * about:policies as Firefox shows it: the text of its "Active" table, and of its "Errors" section (empty
 * when Firefox found no error in policies.json).
 * @returns {Promise<{active: string, errors: string}>}
 */
export async function readAboutPolicies(page) {
  // about:policies loads in the parent process, whose load event WebDriver BiDi does not report: the
  // navigation is started, then the page is read once its table is filled.
  page.goto('about:policies', {timeout: 10_000}).catch(() => {});
  const deadline = Date.now() + 15_000;
  let last = null;
  while (Date.now() < deadline) {
    last = await page.evaluate(() => (location.href !== 'about:policies' ? null : {
      active: document.querySelector('#activeContent')?.innerText.trim() ?? '',
      errors: document.querySelector('#errorsContent')?.innerText.trim() ?? '',
    })).catch((error) => ({failed: String(error.message ?? error)}));
    if (last && !last.failed && last.active !== '') return last;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`about:policies could not be read: ${JSON.stringify(last)}`);
}
