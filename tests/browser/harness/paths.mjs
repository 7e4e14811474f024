// Where the browser tests find the build (extension, host, page library) and put their output.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const TESTBED_SCRIPT = path.join(REPO_ROOT, 'tests', 'testbed', 'testbed.sh');
export const CHROMIUM_EXECUTABLE = process.env.CERTBRIDGE_CHROMIUM ?? '/usr/bin/chromium';
export const FIREFOX_EXECUTABLE = process.env.CERTBRIDGE_FIREFOX ?? '/usr/bin/firefox-esr';

/**
 * Paths inside a build directory: $CERTBRIDGE_BUILD_DIR, else build/dev.
 * Screenshots go to $CERTBRIDGE_TEST_OUTPUT_DIR, else <build>/test-output/browser.
 */
export function buildPaths(buildDir = process.env.CERTBRIDGE_BUILD_DIR ?? path.join(REPO_ROOT, 'build', 'dev')) {
  const root = path.resolve(buildDir);
  return {
    buildDir: root,
    extensionDir: path.join(root, 'dist', 'extension'),
    hostPath: path.join(root, 'host', 'certbridge-host'),
    pageLibraryDir: path.join(root, 'dist', 'page-library'),
    outputDir: path.resolve(process.env.CERTBRIDGE_TEST_OUTPUT_DIR ?? path.join(root, 'test-output', 'browser')),
  };
}

/**
 * What a suite needs and does not have, as readable reasons ([] when everything is there).
 * @param {{browser?: 'chromium'|'firefox', needs?: string[]}} options
 */
export async function missingPrerequisites({browser, needs = ['host', 'extension', 'pageLibrary', 'testbed']} = {}) {
  const paths = buildPaths();
  const missing = [];
  const exists = (file) => fs.existsSync(file);
  if (needs.includes('host') && !exists(paths.hostPath)) {
    missing.push(`host binary ${paths.hostPath} (build target certbridge-host)`);
  }
  if (needs.includes('extension') && !exists(path.join(paths.extensionDir, 'manifest.json'))) {
    missing.push(`unpacked extension ${paths.extensionDir}/manifest.json (build target extension)`);
  }
  if (needs.includes('pageLibrary') && !exists(path.join(paths.pageLibraryDir, 'certbridge.js'))) {
    missing.push(`page library ${paths.pageLibraryDir}/certbridge.js (build target extension)`);
  }
  if (needs.includes('testbed') && process.getuid?.() !== 0) {
    missing.push('root (the test bed runs pcscd in a private mount namespace)');
  }
  if (browser === 'chromium' && !exists(CHROMIUM_EXECUTABLE)) missing.push(`${CHROMIUM_EXECUTABLE} (Debian package chromium)`);
  if (browser === 'firefox' && !exists(FIREFOX_EXECUTABLE)) missing.push(`${FIREFOX_EXECUTABLE} (Debian package firefox-esr)`);
  const driver = browser === 'firefox' ? 'puppeteer-core' : browser === 'chromium' ? 'playwright-core' : null;
  if (driver) {
    try {
      await import(driver);
    } catch {
      missing.push(`npm package ${driver} (run npm ci)`);
    }
  }
  return missing;
}
