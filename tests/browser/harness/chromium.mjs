// Debian Chromium driven by playwright-core, with the unpacked extension loaded from the build.
// With a custom user data dir Chromium reads native-messaging host manifests from
// <user-data-dir>/NativeMessagingHosts, so the suites use $HOME/.config/chromium, where
// `certbridge-host install --user --browser chromium` writes them.
import {CHROMIUM_EXECUTABLE} from './paths.mjs';
import {collectConsole} from './page-model.mjs';

/**
 * @param {{userDataDir: string, extensionDir?: string|null, env: object, language?: string}} options
 * @returns {Promise<{name: string, page: object, console: string[], context: object,
 *   extensionPages: () => Promise<object[]>, close: () => Promise<void>}>}
 */
export async function launchChromium({userDataDir, extensionDir = null, env, language = 'zh-TW'}) {
  const {chromium} = await import('playwright-core');
  const args = [
    '--no-sandbox', // we run as root
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
    '--disable-gpu',
    `--lang=${language}`,
  ];
  if (extensionDir) args.push(`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_EXECUTABLE,
    headless: true, // playwright passes --headless: the new headless mode, which runs extensions
    args,
    // playwright disables extensions by default; keep them when we load ours.
    ignoreDefaultArgs: extensionDir ? ['--disable-extensions'] : [],
    env,
    locale: language,
    viewport: {width: 1280, height: 900},
    timeout: 60_000,
  });
  const page = context.pages()[0] ?? await context.newPage();
  const messages = collectConsole(page);
  return {
    name: 'chromium',
    page,
    console: messages,
    context,
    async newPage() {
      const next = await context.newPage();
      return next;
    },
    /** Open pages of the extension (windows it opened, e.g. the consent window). */
    async extensionPages() {
      return context.pages().filter((candidate) => candidate.url().startsWith('chrome-extension://'));
    },
    close: () => context.close(),
  };
}
