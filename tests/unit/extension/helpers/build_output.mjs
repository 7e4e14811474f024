// Where the built extension and page library are. ctest sets CERTBRIDGE_BUILD_DIR; run by hand, the most
// recently assembled build/*/ under the repository is used.

import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

function findBuildDir() {
  if (process.env.CERTBRIDGE_BUILD_DIR) return resolve(process.env.CERTBRIDGE_BUILD_DIR);
  const buildRoot = join(repoRoot, 'build');
  const candidates = existsSync(buildRoot)
    ? readdirSync(buildRoot)
      .map((name) => join(buildRoot, name))
      .filter((dir) => existsSync(join(dir, 'dist', 'extension', 'manifest.json')))
    : [];
  if (candidates.length === 0) {
    throw new Error('No built extension: run `cmake --build <build dir> --target extension` first, ' +
      'or set CERTBRIDGE_BUILD_DIR to the build directory');
  }
  const mtime = (dir) => statSync(join(dir, 'dist', 'extension', 'manifest.json')).mtimeMs;
  return candidates.sort((a, b) => mtime(b) - mtime(a))[0];
}

export const buildDir = findBuildDir();
export const extensionDir = join(buildDir, 'dist', 'extension');
export const pageLibraryDir = join(buildDir, 'dist', 'page-library');

/** Imports a module of the built extension, e.g. builtExtension('policy.js'). */
export function builtExtension(relativePath) {
  return import(pathToFileURL(join(extensionDir, relativePath)).href);
}

/** Imports a module of the built page library. */
export function builtPageLibrary(relativePath) {
  return import(pathToFileURL(join(pageLibraryDir, relativePath)).href);
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The single sources. */
export const protocolJson = readJson(join(repoRoot, 'extension/shared/protocol.json'));
export const messagesJson = readJson(join(repoRoot, 'extension/shared/messages.json'));

/** The CMake project's version, which every build's manifest carries. */
export const projectVersion =
  /project\(CertBridge\s+VERSION\s+([0-9.]+)/.exec(readFileSync(join(repoRoot, 'CMakeLists.txt'), 'utf8'))[1];

/** The store packages (target extension-packages) and the unpacked folders they were packed from. */
export const storePackages = {
  chromium: {
    archive: join(buildDir, 'dist', `certbridge-extension-${projectVersion}-chromium.zip`),
    folder: join(buildDir, 'dist', 'extension-chromium-store'),
  },
  firefox: {
    archive: join(buildDir, 'dist', `certbridge-extension-${projectVersion}-firefox.xpi`),
    folder: join(buildDir, 'dist', 'extension-firefox-amo'),
  },
};
