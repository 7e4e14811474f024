// The consent window's language in Debian Chromium (playwright-core): one browser run per UI language. On
// Linux, Chromium takes its UI language from the environment (LANGUAGE, then LC_ALL, LC_MESSAGES, LANG) and
// ignores --lang, so each run sets LANGUAGE as a user's session would; playwright's page-language emulation
// (the harness's `language`) can reach the extension's window too late to count. The zh-TW UI needs the
// chromium-l10n package (tests/install-dependencies.sh installs it). German stands for a language the
// catalogue does not have: the window falls back to English.
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/locale.chromium.test.mjs
import path from 'node:path';
import {launchChromium} from './harness/chromium.mjs';
import {localeScenarios} from './locale.scenarios.mjs';

await localeScenarios({
  browser: 'chromium',
  launch: (fixture, {home, language}) => launchChromium({
    userDataDir: path.join(home, '.config', 'chromium'),
    extensionDir: fixture.paths.extensionDir,
    env: {...fixture.browserEnv(home), LANGUAGE: language.replace('-', '_')},
    language,
  }),
  runs: [
    {uiLanguage: 'zh-TW', windowLanguage: 'zh-TW'},
    {uiLanguage: 'en-US', windowLanguage: 'en'},
    {uiLanguage: 'de', windowLanguage: 'en'},
  ],
});
