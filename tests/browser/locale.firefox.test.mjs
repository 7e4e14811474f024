// The consent window's language in Firefox ESR (puppeteer-core over WebDriver BiDi): one browser run per UI
// language (intl.locale.requested; the zh-TW UI needs the firefox-esr-l10n-zh-tw language pack, which
// tests/install-dependencies.sh installs).
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/locale.firefox.test.mjs
import {launchFirefox} from './harness/firefox.mjs';
import {localeScenarios} from './locale.scenarios.mjs';

await localeScenarios({
  browser: 'firefox',
  launch: (fixture, {home, language}) => launchFirefox({
    extensionDir: fixture.paths.extensionDir,
    env: fixture.browserEnv(home),
    language,
  }),
  runs: [
    {uiLanguage: 'zh-TW', windowLanguage: 'zh-TW'},
    {uiLanguage: 'en', windowLanguage: 'en'},
  ],
});
