#!/usr/bin/env node
// The demo RA portal's card flows in headless Chromium with the real extension and host, on the test bed's
// virtual card: apply (keys made on the card, certificates issued; the PIN window that would write them is
// closed, as when a browser is closed too early) -> download on another computer (a fresh browser profile
// and a fresh host configuration) -> renew. The PIN is typed into the extension's own window, as a user
// does. Prints each step and the resulting certificates (from the page, and read off the card with
// pkcs11-tool and openssl) and saves screenshots. Used by tests/run-demo.sh, which starts the test bed
// (its variables in the environment) and the portal and registers the host under --home first.
//   node tests/browser/show-card-flows.mjs --url URL --home DIR --extension DIR --host PATH --bed DIR --screenshots DIR
// Exit status: 0 when every flow completed and the card holds the renewed certificates, 1 otherwise.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {parseArgs, promisify} from 'node:util';
import {cardObjects, certificateOnCard} from './harness/card-contents.mjs';
import {answerWithPins, click, waitForClosed, waitForConsentWindow} from './harness/consent-window.mjs';
import {launchChromium} from './harness/chromium.mjs';
import {installHostManifest, makeHome} from './harness/home.mjs';
import {screenshot} from './harness/page-model.mjs';
import {TESTBED_SCRIPT} from './harness/paths.mjs';
import {flowOutcome, openFlowPage, press} from './harness/portal-page.mjs';

const run = promisify(execFile);
const {values} = parseArgs({
  options: {
    url: {type: 'string'}, home: {type: 'string'}, extension: {type: 'string'}, host: {type: 'string'},
    bed: {type: 'string'}, screenshots: {type: 'string'},
  },
});
for (const name of ['url', 'home', 'extension', 'host', 'bed', 'screenshots']) {
  if (!values[name]) {
    console.error(`show-card-flows: --${name} is required`);
    process.exit(2);
  }
}
const PIN = process.env.CERTBRIDGE_TESTBED_USER_PIN;
if (!PIN) {
  console.error('show-card-flows: the test bed\'s variables are not set (source <bed>/env first)');
  process.exit(2);
}
// The test bed as card-contents.mjs reads it: its variables, and its tools run with `testbed.sh exec`.
const bed = {
  env: process.env,
  exec: (command, ...args) => run('bash', [TESTBED_SCRIPT, 'exec', values.bed, '--', command, ...args]),
};

fs.mkdirSync(values.screenshots, {recursive: true});
const shots = [];
const shot = async (page, name) => shots.push(await screenshot(page, path.join(values.screenshots, `${name}.png`)));
const known = new Set();
const say = (text) => console.log(`\n--> ${text}`);
const printFlow = (view) => {
  for (const step of view.steps) console.log(`    [${{done: ' OK ', failed: 'FAIL', active: ' .. ', pending: '    '}[step.status]}] ${step.text}`);
  console.log(`    ${view.status}`);
  if (view.error) console.log(`    ${view.error.code}: ${view.error.message} ${view.error.fix}`);
};
const printTable = (title, rows) => {
  console.log(`    ${title}:`);
  for (const row of rows ?? []) console.log(`      ${row.cells.filter(Boolean).join(' | ')}`);
};
async function printCard() {
  const objects = await cardObjects(bed, {pin: PIN});
  const keys = objects.filter((object) => object.kind === 'privateKey').length;
  console.log(`    on the card (pkcs11-tool): ${keys} private keys; certificates:`);
  for (const certificate of objects.filter((object) => object.kind === 'certificate')) {
    const read = await certificateOnCard(bed, certificate.id);
    console.log(`      serial ${read.serial}  ${read.subject}\n        issuer ${read.issuer}  (label "${certificate.label}")`);
  }
  return objects;
}

let exitCode = 1;
const launch = (home, env = {}) => launchChromium({userDataDir: path.join(home, '.config', 'chromium'),
  extensionDir: values.extension, env: {...process.env, HOME: home, ...env}, language: 'en'});
const computerA = await launch(values.home);
const homeB = makeHome('certbridge-demo-computer-b-');
let computerB = null;
try {
  const page = computerA.page;
  say(`Apply on computer A: ${new URL('apply', values.url)}`);
  await openFlowPage(page, new URL('apply', values.url).href);
  await shot(page, 'apply-1-registration');
  await page.click('#terms');
  await press(page, 'start');
  const keygen = await answerWithPins(computerA, {known, pins: [PIN]});
  console.log(`    CertBridge window: "${keygen.title}" from ${keygen.origin}; PIN typed there`);
  const write = await waitForConsentWindow(computerA, {known});
  console.log('    the certificates are issued; the window that would write them is closed (as if the browser were closed)');
  await shot(page, 'apply-2-writing');
  await click(write, '#cancel');
  await waitForClosed(write);
  let view = await flowOutcome(page);
  printFlow(view);
  await shot(page, 'apply-3-not-written');
  await printCard();

  say('Download on computer B (a fresh browser profile and a fresh host configuration)');
  const config = path.join(homeB.home, 'certbridge-config.json');
  fs.copyFileSync(process.env.CERTBRIDGE_CONFIG, config);
  await installHostManifest({hostPath: values.host, home: homeB.home, browser: 'chromium'});
  computerB = await launch(homeB.home, {CERTBRIDGE_CONFIG: config});
  view = await openFlowPage(computerB.page, new URL('download', values.url).href);
  printTable('issued by the RA', view.raCertificates);
  await press(computerB.page, 'start');
  await answerWithPins(computerB, {known, pins: [PIN]});
  view = await flowOutcome(computerB.page);
  printFlow(view);
  await shot(computerB.page, 'download-computer-b');
  const downloaded = await printCard();
  await computerB.close();
  computerB = null;

  say('Renew on computer A');
  view = await openFlowPage(page, new URL('renew', values.url).href);
  printTable('on the card', view.onCard);
  const oldSerials = view.onCard.map((row) => row.serial);
  await press(page, 'start');
  for (const what of ['new keys', 'renewal signature', 'write']) {
    const shown = await answerWithPins(computerA, {known, pins: [PIN]});
    console.log(`    CertBridge window (${what}): "${shown.title}"; PIN typed there`);
  }
  view = await flowOutcome(page);
  printFlow(view);
  printTable('renewed certificates', view.issued);
  await shot(page, 'renew-done');
  const renewed = await printCard();

  const serialsOnCard = renewed.filter((object) => object.kind === 'certificate').map((object) => object.serial);
  const ok = downloaded.filter((object) => object.kind === 'certificate').length === 3 && view.state === 'done' &&
    view.issued?.length === 2 && view.issued.every((row) => serialsOnCard.includes(row.serial)) &&
    oldSerials.every((serial) => !serialsOnCard.includes(serial));
  console.log(`\n${ok ? 'Apply, download on another computer and renew completed' : 'A flow did not complete as expected'}.`);
  console.log(`Screenshots:\n  ${shots.join('\n  ')}`);
  exitCode = ok ? 0 : 1;
} catch (error) {
  console.error(`show-card-flows: ${error.stack ?? error}`);
  if (computerA.console.length) console.error(`page console:\n  ${computerA.console.join('\n  ')}`);
} finally {
  await computerB?.close().catch(() => {});
  await computerA.close();
  homeB.remove();
}
process.exit(exitCode);
