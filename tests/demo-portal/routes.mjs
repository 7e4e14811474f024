// Every URL the demo portal answers, in one place. Later issues add the RA flows (apply, renew, ...)
// here: a static page in public/ and, when a flow needs the server (the test CA), an API handler.
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');
export const PUBLIC_DIR = path.join(here, 'public');
export const ENVIRONMENT_CHECK_DIR = path.join(REPO_ROOT, 'extension', 'page-library', 'environment-check');

/**
 * Static mounts, most specific first. The environment check is served under /lib/ because that is
 * where the page-library build output will carry it (page-library/environment-check/), and because it
 * imports the generated catalogue as ../messages.js; until the build copies it, it comes straight
 * from the source tree.
 * @param {{pageLibraryDir: string}} dirs
 * @returns {{prefix: string, dir: string, what: string}[]}
 */
export function staticMounts({pageLibraryDir}) {
  return [
    {prefix: '/lib/environment-check/', dir: ENVIRONMENT_CHECK_DIR, what: 'environment check component'},
    {prefix: '/lib/', dir: pageLibraryDir, what: 'page library (build output)'},
    {prefix: '/', dir: PUBLIC_DIR, what: 'portal pages'},
  ];
}

/** Page paths without a file extension, mapped to their file in public/. */
export const PAGES = {
  '/': 'index.html',
  '/environment-check': 'environment-check.html',
  // Not linked from the portal: the browser tests of the consent window call the page library here.
  '/card-test': 'card-test.html',
};

/** API handlers by "METHOD path"; each gets (request, response) and answers JSON. */
export const API = {
  'GET /api/health': (request, response) => {
    response.writeHead(200, {'content-type': 'application/json; charset=utf-8'});
    response.end(JSON.stringify({ok: true}));
  },
};
