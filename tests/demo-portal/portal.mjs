// The demo RA portal: a small static web server on loopback with the headers a real portal would send
// (strict Content-Security-Policy, no inline script). No npm dependencies; Node 20.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {createRaService} from './ra-service.mjs';
import {renderPage, requestedLanguage} from './layout.mjs';
import {apiRoutes, PAGES, PAGES_DIR, staticMounts} from './routes.mjs';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ts': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

// No inline script or style anywhere; the page library talks to the extension with postMessage, which
// CSP does not restrict, and the extension's content script is not bound by the page's policy.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cache-control': 'no-store',
};

function send(response, status, body, type = 'text/plain; charset=utf-8') {
  response.writeHead(status, {'content-type': type});
  response.end(body);
}

/** Resolves a URL path inside a mount's directory; null if it would leave it. */
function fileInside(dir, relativeUrlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(relativeUrlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const root = path.resolve(dir);
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

function serveFile(request, response, file) {
  fs.stat(file, (statError, stats) => {
    if (statError || !stats.isFile()) return send(response, 404, 'Not found\n');
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    response.writeHead(200, {'content-type': type, 'content-length': stats.size});
    if (request.method === 'HEAD') return response.end();
    fs.createReadStream(file).pipe(response);
  });
}

function handle(request, response, {mounts, api}, log) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
  const url = new URL(request.url, 'http://portal.invalid');
  const handler = api[`${request.method} ${url.pathname}`];
  if (handler) return handler(request, response);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return send(response, 405, 'Method not allowed\n');
  }
  const page = PAGES[url.pathname];
  if (page && !page.file) {
    const html = renderPage({path: url.pathname, ...page}, {language: requestedLanguage(url), pagesDir: PAGES_DIR});
    response.writeHead(200, {'content-type': CONTENT_TYPES['.html'], 'content-length': Buffer.byteLength(html)});
    return response.end(request.method === 'HEAD' ? undefined : html);
  }
  const pathname = page ? '/' + page.file : url.pathname;
  const mount = mounts.find((candidate) => pathname.startsWith(candidate.prefix));
  if (!mount.dir || !fs.existsSync(mount.dir)) {
    log(`demo portal: ${mount.what} missing: ${mount.dir} (build it first)`);
    return send(response, 503, `The ${mount.what} is not available: ${mount.dir}\n`);
  }
  const file = fileInside(mount.dir, pathname.slice(mount.prefix.length));
  if (!file) return send(response, 404, 'Not found\n');
  serveFile(request, response, file);
}

/**
 * Starts the portal on loopback.
 * The RA (its CA is made on first use) verifies card logins with this portal's own origin.
 * @param {{pageLibraryDir: string, host?: string, port?: number, log?: (line: string) => void,
 *   cardAdminPin?: string|null, renewalWindowDays?: number}} options
 *   host: a loopback address; any 127.x.y.z works (127.0.0.2 gives an origin no allow-list names).
 *   cardAdminPin, renewalWindowDays: see createRaService (ra-service.mjs).
 * @returns {Promise<{url: string, origin: string, port: number, ra: object, close: () => Promise<void>}>}
 */
export async function startDemoPortal({pageLibraryDir, host = '127.0.0.1', port = 0, log = () => {}, cardAdminPin = null, renewalWindowDays}) {
  if (!['::1', 'localhost'].includes(host) && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
    throw new Error(`the demo portal listens on loopback only, not ${host}`);
  }
  const ra = createRaService({cardAdminPin, renewalWindowDays});
  const routing = {mounts: staticMounts({pageLibraryDir}), api: apiRoutes(ra)};
  const server = http.createServer((request, response) => {
    try {
      handle(request, response, routing, log);
    } catch (error) {
      log(`demo portal: ${request.method} ${request.url}: ${error.stack ?? error}`);
      if (!response.headersSent) send(response, 500, 'Internal error\n');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  ra.origin = origin;
  return {
    url: `${origin}/`,
    origin,
    port: actualPort,
    ra,
    close: async () => {
      await new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
      await ra.close();
    },
  };
}
