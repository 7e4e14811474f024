// A minimal portal for the policy-file suites: one page (/probe) that loads the page library and offers it
// as window.certbridge, served over https (a self-signed certificate made for the run) and over plain
// http, both on 127.0.0.1. The browser maps test host names to 127.0.0.1 (--host-resolver-rules), so one
// server is several https origins (https://portal.certbridge.test:<port>, https://other.certbridge.test:<port>).
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);

const PROBE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CertBridge policy probe</title>
<script type="module">
import certbridge from './page-library/certbridge.js';
window.certbridge = certbridge;
document.body.dataset.ready = 'yes';
</script></head><body><h1>CertBridge policy probe</h1></body></html>
`;

const TYPES = {'.js': 'text/javascript', '.json': 'application/json', '.html': 'text/html', '.css': 'text/css'};

/** The browser's host-resolver rule mapping every name in `names` to 127.0.0.1. */
export const hostResolverRules = (names) => names.map((name) => `MAP ${name} 127.0.0.1`).join(', ');

/**
 * @param {{pageLibraryDir: string, workDir: string, names: string[]}} options names: the https host names
 *   the certificate is for
 * @returns {Promise<{httpsOrigin: (name: string) => string, httpOrigin: string, close: () => Promise<void>}>}
 */
export async function startProbePortal({pageLibraryDir, workDir, names}) {
  const keyPath = path.join(workDir, 'portal-key.pem');
  const certPath = path.join(workDir, 'portal-cert.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=CertBridge policy test portal',
    '-addext', `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`, '-keyout', keyPath, '-out', certPath]);

  const handler = (request, response) => {
    const {pathname} = new URL(request.url, 'http://127.0.0.1');
    if (pathname === '/probe') {
      response.writeHead(200, {'content-type': 'text/html; charset=utf-8'});
      response.end(PROBE_PAGE);
      return;
    }
    const relative = pathname.startsWith('/page-library/') ? pathname.slice('/page-library/'.length) : null;
    const file = relative === null ? null : path.resolve(pageLibraryDir, relative);
    if (!file || !file.startsWith(`${path.resolve(pageLibraryDir)}${path.sep}`) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, {'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream'});
    response.end(fs.readFileSync(file));
  };
  const secure = https.createServer({key: fs.readFileSync(keyPath), cert: fs.readFileSync(certPath)}, handler);
  const plain = http.createServer(handler);
  for (const server of [secure, plain]) {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
  }
  const close = (server) => new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
  return {
    httpsOrigin: (name) => `https://${name}:${secure.address().port}`,
    httpOrigin: `http://127.0.0.1:${plain.address().port}`,
    close: async () => {
      await close(secure);
      await close(plain);
    },
  };
}
