// Every URL the demo portal answers, in one place: a static page in public/ per RA flow, and the RA's
// JSON API (ra-service.mjs, with the OpenSSL test CA) for the flows that need the server.
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

/** Where the pages' own <main> content is (not served as files: the server renders it in the layout). */
export const PAGES_DIR = path.join(here, 'pages');

/** A page of a flow: its script builds <main> (card-flow.js); its title is flow.<flow>.pageTitle. */
const flowPage = (flow) => ({script: `/${flow}-page.js`, titleText: `flow.${flow}.pageTitle`});

/**
 * Page paths without a file extension -> what is each page's own; layout.mjs renders the frame around it.
 * `file` instead: a page served as it is from public/ (outside the portal's frame).
 */
export const PAGES = {
  '/': {script: '/index-page.js', titleText: 'portal.page.home', main: 'index.html'},
  '/environment-check': {script: '/environment-check-page.js', titleText: 'portal.page.environmentCheck', main: 'environment-check.html',
    styles: ['/lib/environment-check/environment-check.css'], languageSwitch: false},
  // Not linked from the portal: the browser tests of the consent window call the page library here.
  '/card-test': {file: 'card-test.html'},
  // The smart-card RA flows (issue 6): each page calls the page library and the RA API below.
  '/apply': flowPage('apply'),
  '/renew': flowPage('renew'),
  '/download': flowPage('download'),
  '/login': flowPage('login'),
  '/change-pin': flowPage('change-pin'),
  '/unlock': flowPage('unlock'),
  // The software-certificate edition: keys in this computer's key store, PKCS#12 files.
  '/software-apply': flowPage('software-apply'),
  '/software-install': flowPage('software-install'),
  '/software-renew': flowPage('software-renew'),
  '/software-export': flowPage('software-export'),
  '/software-import': flowPage('software-import'),
  '/software-password': flowPage('software-password'),
  // The card's certificates for the browsers and the OS (registerCertificates / unregisterCertificates).
  '/register': flowPage('register'),
};

/**
 * API handlers by "METHOD path"; each gets (request, response) and answers JSON.
 * @param {{routes: () => object}} ra the RA service of this portal (ra-service.mjs)
 */
export function apiRoutes(ra) {
  return {
    'GET /api/health': (request, response) => {
      response.writeHead(200, {'content-type': 'application/json; charset=utf-8'});
      response.end(JSON.stringify({ok: true}));
    },
    ...ra.routes(),
  };
}
