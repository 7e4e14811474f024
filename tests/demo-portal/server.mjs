#!/usr/bin/env node
// Starts the demo RA portal and prints its URL.
//   node tests/demo-portal/server.mjs [--build-dir DIR] [--page-library DIR] [--port N] [--url-file FILE]
// --build-dir defaults to $CERTBRIDGE_BUILD_DIR, then build/dev; the page library is served from
// <build-dir>/dist/page-library unless --page-library says otherwise. Port 0 (the default) picks a free one.
// --renewal-window-days: how long before expiry renewal opens (default 60, as the legacy portal).
// The SO PIN the CA set on its cards (for unblock authorizations) comes from $CERTBRIDGE_DEMO_CARD_ADMIN_PIN,
// never from the command line (where every user could read it); without it the unlock page says so.
import fs from 'node:fs';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {startDemoPortal} from './portal.mjs';
import {REPO_ROOT} from './routes.mjs';

const {values} = parseArgs({
  options: {
    'build-dir': {type: 'string'},
    'page-library': {type: 'string'},
    host: {type: 'string', default: '127.0.0.1'},
    port: {type: 'string', default: '0'},
    'url-file': {type: 'string'},
    'renewal-window-days': {type: 'string', default: '60'},
    help: {type: 'boolean', short: 'h'},
  },
});
if (values.help) {
  console.log('usage: server.mjs [--build-dir DIR] [--page-library DIR] [--host 127.0.0.1] [--port N] [--url-file FILE] [--renewal-window-days N]');
  process.exit(0);
}

const buildDir = path.resolve(values['build-dir'] ?? process.env.CERTBRIDGE_BUILD_DIR ?? path.join(REPO_ROOT, 'build', 'dev'));
const pageLibraryDir = path.resolve(values['page-library'] ?? path.join(buildDir, 'dist', 'page-library'));
if (!fs.existsSync(path.join(pageLibraryDir, 'certbridge.js'))) {
  console.error(`demo portal: warning: no certbridge.js in ${pageLibraryDir} (build the "extension" target first)`);
}

const portal = await startDemoPortal({
  pageLibraryDir,
  host: values.host,
  port: Number(values.port),
  log: (line) => console.error(line),
  cardAdminPin: process.env.CERTBRIDGE_DEMO_CARD_ADMIN_PIN || null,
  renewalWindowDays: Number(values['renewal-window-days']),
});
if (values['url-file']) fs.writeFileSync(values['url-file'], portal.url + '\n');
console.log(`CertBridge demo portal: ${portal.url}`);
console.log(`  environment check: ${portal.url}environment-check`);
console.log(`  card flows: ${['apply', 'download', 'renew', 'login', 'change-pin', 'unlock'].map((page) => portal.url + page).join(' ')}`);
console.log(`  software certificates: ${['apply', 'install', 'renew', 'export', 'import', 'password']
  .map((page) => `${portal.url}software-${page}`).join(' ')}`);
console.log(`  register the card's certificates: ${portal.url}register`);
console.log(`  page library from: ${pageLibraryDir}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await portal.close();
    process.exit(0);
  });
}
