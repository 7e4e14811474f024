// A self-hosted extension update service on loopback, as IT runs one for a force-installed extension that
// is not taken from a store: the development build packed into a CRX (Chromium's own --pack-extension)
// and the update manifest (gupdate XML) that the ExtensionSettings / ExtensionInstallForcelist policy's
// update_url names.
//
// The CRX is signed with a key made for the run: the development key's private half is not in the
// repository, so the packed extension gets that key's ID (Chromium takes a CRX's ID from the key that
// signed it and replaces the manifest's `key`). The suites register the host for that ID as well.
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);

/** The Chromium extension ID of a public key (SubjectPublicKeyInfo DER): SHA-256, 32 hex digits as a-p. */
export function extensionIdOf(publicKeyDer) {
  const hex = createHash('sha256').update(publicKeyDer).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

/**
 * Packs `extensionDir` into `<workDir>/certbridge.crx` with a fresh RSA key.
 * @returns {Promise<{crxPath: string, extensionId: string, version: string}>}
 */
export async function packCrx({chromiumBinary, extensionDir, workDir}) {
  const source = path.join(workDir, 'extension');
  fs.cpSync(extensionDir, source, {recursive: true});
  const keyPath = path.join(workDir, 'certbridge-test-key.pem');
  await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyPath]);
  const {stdout: der} = await run('openssl', ['pkey', '-in', keyPath, '-pubout', '-outform', 'DER'], {encoding: 'buffer'});
  try {
    await run(chromiumBinary, ['--no-sandbox', '--headless=new', `--pack-extension=${source}`, `--pack-extension-key=${keyPath}`],
      {timeout: 60_000});
  } catch (error) {
    throw new Error(`${chromiumBinary} --pack-extension failed: ${error.stderr || error.message}`);
  }
  const crxPath = `${source}.crx`;
  if (!fs.existsSync(crxPath)) throw new Error(`${chromiumBinary} --pack-extension made no ${crxPath}`);
  const {version} = JSON.parse(fs.readFileSync(path.join(source, 'manifest.json'), 'utf8'));
  return {crxPath, extensionId: extensionIdOf(der), version};
}

/**
 * Serves `/updates.xml` (the update manifest for `extensionId`) and `/certbridge.crx` on 127.0.0.1.
 * @returns {Promise<{updateUrl: string, requests: string[], close: () => Promise<void>}>} requests: the paths
 *   the browser asked for, in order
 */
export async function startCrxUpdateServer({crxPath, extensionId, version}) {
  const requests = [];
  const crx = fs.readFileSync(crxPath);
  let origin = '';
  const server = http.createServer((request, response) => {
    const {pathname} = new URL(request.url, 'http://127.0.0.1');
    requests.push(pathname);
    if (pathname === '/updates.xml') {
      response.writeHead(200, {'content-type': 'text/xml'});
      response.end(`<?xml version="1.0" encoding="UTF-8"?>
<gupdate xmlns="http://www.google.com/update2/response" protocol="2.0">
  <app appid="${extensionId}">
    <updatecheck codebase="${origin}/certbridge.crx" version="${version}"/>
  </app>
</gupdate>
`);
    } else if (pathname === '/certbridge.crx') {
      response.writeHead(200, {'content-type': 'application/x-chrome-extension', 'content-length': crx.length});
      response.end(crx);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  origin = `http://127.0.0.1:${server.address().port}`;
  return {
    updateUrl: `${origin}/updates.xml`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
