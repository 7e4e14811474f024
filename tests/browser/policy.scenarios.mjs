// The allowed-origin policy end to end: the real extension under enterprise policy (storage.managed), the
// real host with its own allow-list, the demo portal's /card-test page served under two origins of the same
// server (http://127.0.0.1:<port> and http://localhost:<port>), the virtual test bed. Each browser's
// policy.*.test.mjs runs these scenarios with its own way of setting the policy (see harness/policy.mjs).
//
// The test bed's host configuration allows both loopback origins, so when the page is refused it is the
// extension that refused it: the host log shows that the host never heard of the page's origin.
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {pressKey, waitForClosed, waitForConsentWindow} from './harness/consent-window.mjs';
import {openCheck, rowOf, screenshot} from './harness/page-model.mjs';
import {errorMessage, explained, prerequisiteProblem, startFixture, uiText} from './harness/suite.mjs';

const FORGED_ORIGIN = 'https://forged.certbridge.example';

/** A catalogue template with its {placeholders} filled in. */
const fill = (template, params) => template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));

/**
 * Sends one request straight to the host from an extension page or the background (what a bypassed
 * extension could do), naming any origin it likes. Runs inside the browser.
 */
function sendStraightToHost([hostName, request]) {
  const api = globalThis.browser ?? globalThis.chrome;
  return new Promise((resolve) => {
    const seen = [];
    const port = api.runtime.connectNative(hostName);
    const timer = setTimeout(() => {
      port.disconnect();
      resolve({seen, timedOut: true});
    }, 15_000);
    port.onMessage.addListener((message) => {
      seen.push(message);
      if (message.id === request.id) {
        clearTimeout(timer);
        port.disconnect();
        // As JSON: WebDriver BiDi hands an object that appears twice in a result back only once.
        resolve(JSON.parse(JSON.stringify({seen, answer: message})));
      }
    });
    port.postMessage(request);
  });
}

/**
 * Registers the policy scenarios for one browser.
 * @param {object} options
 * @param {'chromium'|'firefox'} options.browser
 * @param {(fixture: object) => Promise<object>} options.launch starts the browser with the extension
 * @param {(fixture: object, session: object) => Promise<{set: (data: object) => Promise<void>,
 *   clear: () => Promise<void>, describe: string}>} options.policyControl how the test sets the policy
 * @param {boolean} [options.readAtStartOnly] the browser reads the policy only when the extension starts
 *   (Firefox): each change is followed by a browser restart
 * @param {((session: object) => Promise<object>)|null} [options.backgroundContext] the background as an
 *   evaluate() target, where the driver gives it (default: the consent window of a request, see below)
 */
export async function policyScenarios({browser, launch, policyControl, readAtStartOnly = false, backgroundContext = null}) {
  const problem = await prerequisiteProblem({browser});
  if (problem && !problem.fail) {
    console.log(`SKIPPED: ${browser} origin policy: ${problem.reason}`);
    test(`origin policy in ${browser}`, {skip: problem.reason}, () => {});
    return;
  }

  describe(`origin policy in ${browser}`, () => {
    const takesEffect = readAtStartOnly ? 'after the browser restarts' : 'from the next request, without a restart';
    let fixture = null;
    let session = null;
    let policy = null;
    let page = null;
    let calls = 0;
    const context = (name) => ({session, bed: fixture?.bed, outputDir: fixture?.outputDir, name});
    const loopback = () => fixture.portal.origin; // http://127.0.0.1:<port>
    const localhost = () => loopback().replace('127.0.0.1', 'localhost');

    /** Calls `command` from the /card-test page of `origin`; the page library's outcome. */
    async function callFrom(origin, command, params = {}) {
      const url = `${origin}/card-test`;
      if (await page.evaluate(() => location.href).catch(() => '') !== url) {
        await page.goto(url);
        await page.waitForSelector('#state[data-state="ready"]', {timeout: 15_000});
      }
      const name = `call-${calls += 1}`;
      await page.evaluate(([n, c, p]) => window.cardTest.start(n, c, p), [name, command, params]);
      return page.evaluate((n) => window.cardTest.outcome(n), name);
    }

    /** How many requests from `origin` the host has logged (it logs the origin of every request it gets). */
    const hostRequestsFrom = (origin) => fixture.bed.hostLog().split('\n').filter((line) => line.includes(` origin=${origin} `)).length;

    /** The policy now in force, as JSON (null: none), to skip restarts that would change nothing. */
    let inForce = 'null';

    /**
     * Sets the policy (null: none) and makes the browser take it: at once where the browser announces
     * policy changes (Chromium), by restarting the browser where it reads the policy only when the
     * extension starts (Firefox).
     */
    async function applyPolicy(data) {
      const wanted = JSON.stringify(data);
      if (data === null) await policy.clear();
      else await policy.set(data);
      if (readAtStartOnly && wanted !== inForce) {
        await session.close();
        session = null;
        session = await launch(fixture);
        page = session.page;
      }
      inForce = wanted;
    }

    before(async () => {
      if (problem) throw new Error(problem.reason);
      fixture = await startFixture({browser, outputName: `policy-${browser}`});
      session = await launch(fixture);
      page = session.page;
      policy = await policyControl(fixture, session);
    });

    after(async () => {
      try {
        await policy?.clear();
      } finally {
        try {
          await session?.close();
        } finally {
          await fixture?.stop();
        }
      }
    });

    test('without policy the built-in list applies: this build allows both loopback origins', async () => {
      await explained(context('no-policy'), async () => {
        await applyPolicy(null);
        for (const origin of [loopback(), localhost()]) {
          const result = await callFrom(origin, 'listReaders');
          assert.equal(result.ok, true, `${origin}: ${JSON.stringify(result.error)}`);
          assert.ok(result.result.readers.length > 0, 'the test bed\'s readers');
        }
      });
    });

    test('a policy that replaces the list refuses an origin it does not name, in the extension', async () => {
      await explained(context('replace'), async () => {
        await applyPolicy({allowedOrigins: [loopback()], allowedOriginsMode: 'replace'});
        const heardBefore = hostRequestsFrom(localhost());
        const refused = await callFrom(localhost(), 'listReaders');
        assert.equal(refused.ok, false);
        assert.equal(refused.error.code, 'ORIGIN_NOT_ALLOWED');
        assert.equal(refused.error.message, errorMessage('ORIGIN_NOT_ALLOWED', 'en'), 'the user is told why, in the page\'s language');
        assert.equal(hostRequestsFrom(localhost()), heardBefore, 'the extension refused it: the host never heard of the request');
        assert.equal(refused.error.refusedBy, 'extension', 'and it says so, for the environment check and IT');
        await screenshot(page, path.join(fixture.outputDir, '01-refused.png'));
        const status = await callFrom(localhost(), 'status');
        assert.equal(status.ok, true, 'status() works for any origin');
        const named = await callFrom(loopback(), 'listReaders');
        assert.equal(named.ok, true, `the origin the policy names: ${JSON.stringify(named.error)}`);
      });
    });

    test(`adding the origin to the policy allows it ${takesEffect}; replacing the list again refuses it again`, async () => {
      await explained(context('change'), async () => {
        await applyPolicy({allowedOrigins: [loopback()], allowedOriginsMode: 'replace'});
        assert.equal((await callFrom(localhost(), 'listReaders')).error?.code, 'ORIGIN_NOT_ALLOWED');
        const heardBefore = hostRequestsFrom(localhost());
        await applyPolicy({allowedOrigins: [loopback(), 'http://localhost:*'], allowedOriginsMode: 'replace'});
        const allowed = await callFrom(localhost(), 'listReaders');
        assert.equal(allowed.ok, true, JSON.stringify(allowed.error));
        assert.ok(hostRequestsFrom(localhost()) > heardBefore, 'now the host gets the request');
        await applyPolicy({allowedOrigins: [loopback()], allowedOriginsMode: 'replace'});
        assert.equal((await callFrom(localhost(), 'listReaders')).error?.code, 'ORIGIN_NOT_ALLOWED', 'refused again');
        await applyPolicy(null);
        assert.equal((await callFrom(localhost(), 'listReaders')).ok, true, 'policy removed: the built-in list again');
      });
    });

    test('allowLoopbackHttp false refuses plain http on loopback, even from the built-in list', async () => {
      await explained(context('loopback-http'), async () => {
        await applyPolicy({allowLoopbackHttp: false});
        for (const origin of [loopback(), localhost()]) {
          const result = await callFrom(origin, 'listReaders');
          assert.equal(result.error?.code, 'ORIGIN_NOT_ALLOWED', origin);
        }
        await applyPolicy({allowLoopbackHttp: true, allowedOrigins: [loopback()], allowedOriginsMode: 'replace'});
        assert.equal((await callFrom(loopback(), 'listReaders')).ok, true);
        await applyPolicy(null);
      });
    });

    test('environment() of an allowed page reports the policy entries that were ignored, and the environment check shows them', async () => {
      await explained(context('ignored-entries'), async () => {
        await applyPolicy({allowedOrigins: [loopback(), 'http://ra.example', 'https://*.example'], allowedOriginsMode: 'replace'});
        const result = await callFrom(loopback(), 'environment');
        assert.equal(result.ok, true, JSON.stringify(result.error));
        const report = result.result.extension.policy;
        assert.equal(report.managed, true);
        assert.equal(report.mode, 'replace');
        assert.deepEqual(report.ignored.map((entry) => entry.entry), ['allowedOrigins[1]', 'allowedOrigins[2]']);
        assert.match(report.ignored[0].reason, /http/);

        // What IT sees: the environment check's extension row warns, names each entry, says what to do.
        const check = await openCheck(page, fixture.checkUrl());
        await screenshot(page, path.join(fixture.outputDir, '02-environment-check-policy.png'));
        const row = rowOf(check, 'extension');
        assert.equal(row.status, 'warning');
        assert.equal(row.statusWord, uiText('envCheck.status.warning'));
        for (const entry of report.ignored) {
          assert.ok(row.result.includes(fill(uiText('envCheck.value.policyIgnored'), entry)), `${row.result} names ${entry.entry}`);
        }
        assert.ok(row.fix.includes(uiText('envCheck.fix.policyIgnored')), row.fix);
        await applyPolicy(null);
        assert.equal(rowOf(await openCheck(page, fixture.checkUrl()), 'extension').status, 'ok', 'a correct policy: no warning');
      });
    });

    test('a request sent straight to the host with a forged origin is refused by the host (ORIGIN_NOT_ALLOWED)', async () => {
      await explained(context('forged-origin'), async () => {
        await applyPolicy(null);
        const inside = await extensionContext();
        try {
          const hostName = 'com.certbridge.host';
          const forged = await inside.target.evaluate(sendStraightToHost,
            [hostName, {id: 'forged-1', command: 'listReaders', origin: FORGED_ORIGIN, params: {}}]);
          assert.ok(forged.answer, `the host answered: ${JSON.stringify(forged)}`);
          assert.equal(forged.answer.ok, false);
          assert.equal(forged.answer.error.code, 'ORIGIN_NOT_ALLOWED');
          assert.equal(hostRequestsFrom(FORGED_ORIGIN), 1, 'the host itself saw and refused the forged origin');
          // The same channel with an origin the host allows works: the refusal is about the origin.
          const genuine = await inside.target.evaluate(sendStraightToHost,
            [hostName, {id: 'genuine-1', command: 'listReaders', origin: loopback(), params: {}}]);
          assert.equal(genuine.answer?.ok, true, JSON.stringify(genuine));
        } finally {
          await inside.done();
        }
      });
    });

    /**
     * Somewhere inside the extension to run code: the background when the browser gives it to the test,
     * else the consent window of a changePin request from the allowed page (closed with Escape after).
     */
    async function extensionContext() {
      if (backgroundContext) return {target: await backgroundContext(session), done: async () => {}};
      const name = `window-${calls += 1}`;
      await callFrom(loopback(), 'status');
      await page.evaluate((n) => window.cardTest.start(n, 'changePin', {}), name);
      const consent = await waitForConsentWindow(session);
      return {
        target: consent,
        done: async () => {
          await pressKey(consent, 'Escape');
          assert.equal((await page.evaluate((n) => window.cardTest.outcome(n), name)).error?.code, 'USER_CANCELLED');
          await waitForClosed(consent);
        },
      };
    }
  });
}
