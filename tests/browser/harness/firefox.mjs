// Firefox ESR driven by puppeteer-core over WebDriver BiDi; the extension from the build is installed
// as a temporary add-on. Firefox finds native-messaging host manifests in $HOME/.mozilla/native-messaging-hosts,
// so HOME in `env` decides which host (if any) it sees.
import {FIREFOX_EXECUTABLE} from './paths.mjs';
import {collectConsole} from './page-model.mjs';

/**
 * @param {{extensionDir?: string|null, env: object, language?: string, prefs?: object}} options (prefs:
 *   more Firefox preferences, e.g. the downloads folder)
 * @returns {Promise<{name: string, page: object, console: string[], browser: object,
 *   extensionPages: () => Promise<object[]>, close: () => Promise<void>}>}
 */
export async function launchFirefox({extensionDir = null, env, language = 'zh-TW', prefs = {}}) {
  const {default: puppeteer} = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX_EXECUTABLE,
    headless: true,
    env,
    defaultViewport: {width: 1280, height: 900},
    timeout: 90_000,
    extraPrefsFirefox: {
      'intl.accept_languages': language === 'en' ? 'en-US, en' : 'zh-TW, zh, en',
      'intl.locale.requested': language === 'en' ? 'en-US' : 'zh-TW',
      // No traffic beyond loopback.
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
    if (extensionDir) await browser.installExtension(extensionDir);
    // The tab Firefox starts with never gets focus under headless WebDriver BiDi (document.hasFocus()
    // stays false, so Enter/Space on a focused button does nothing); a tab opened now does.
    const page = await browser.newPage();
    const messages = collectConsole(page);
    return {
      name: 'firefox',
      page,
      console: messages,
      browser,
      newPage: () => browser.newPage(),
      /**
       * Open pages of the extension (windows it opened, e.g. the consent window). Firefox's WebDriver
       * BiDi does not report the navigation of a window the extension opens (puppeteer's page.url() stays
       * "about:blank"), so such pages are asked for their address.
       */
      async extensionPages() {
        const found = [];
        for (const candidate of await browser.pages()) {
          let url = candidate.url();
          if (url === 'about:blank') {
            url = await Promise.race([
              candidate.evaluate(() => location.href).catch(() => ''),
              new Promise((resolve) => setTimeout(() => resolve(''), 2_000)),
            ]);
          }
          if (url.startsWith('moz-extension://')) found.push(candidate);
        }
        return found;
      },
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close().catch(() => {});
    throw error;
  }
}
