// Builds a page-library directory around the scripted fake certbridge.js, with the real message
// catalogue and localization module, so the environment check can be tested without extension or host.
import fs from 'node:fs';
import path from 'node:path';
import {REPO_ROOT} from './paths.mjs';

export function writeFakePageLibrary(dir) {
  fs.mkdirSync(dir, {recursive: true});
  const catalogue = fs.readFileSync(path.join(REPO_ROOT, 'extension', 'shared', 'messages.json'), 'utf8');
  fs.writeFileSync(path.join(dir, 'messages.js'), `export default ${catalogue.trim()};\n`);
  fs.copyFileSync(path.join(REPO_ROOT, 'extension', 'common', 'localization.js'), path.join(dir, 'localization.js'));
  fs.copyFileSync(path.join(REPO_ROOT, 'tests', 'browser', 'fixtures', 'fake-certbridge.js'), path.join(dir, 'certbridge.js'));
  return dir;
}
