// End-to-end environment check in Firefox ESR (puppeteer-core over WebDriver BiDi) with the extension as
// a temporary add-on and the real host on the virtual test bed.
// Run: CERTBRIDGE_BUILD_DIR=build/dev node --test tests/browser/firefox.test.mjs
import {environmentCheckScenarios} from './environment-check.scenarios.mjs';
import {launchFirefox} from './harness/firefox.mjs';

await environmentCheckScenarios({
  browser: 'firefox',
  // Firefox finds host manifests in $HOME/.mozilla/native-messaging-hosts, where
  // `install --user --browser firefox` writes them; HOME comes from the environment.
  launch: (fixture, {home, extension}) => launchFirefox({
    extensionDir: extension ? fixture.paths.extensionDir : null,
    env: fixture.browserEnv(home),
  }),
});
