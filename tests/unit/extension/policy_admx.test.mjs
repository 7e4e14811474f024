// The Group Policy template for IT (installer/policies/windows/certbridge.admx with en-US and zh-TW .adml):
// well-formed XML, every string and presentation it names present in both languages, and the extension's
// policies written where Chrome and Edge deliver our extension's managed storage, with exactly the keys of
// managed_schema.json. (The host's registry values: tests/unit/host/policy_template_test.cpp.)

import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';

import {extensionDir, protocolJson, readJson, repoRoot} from './helpers/build_output.mjs';

const folder = join(repoRoot, 'installer', 'policies', 'windows');
const admxFile = join(folder, 'certbridge.admx');
const languages = ['en-US', 'zh-TW'];
const admlFile = (language) => join(folder, language, 'certbridge.adml');
const admx = readFileSync(admxFile, 'utf8');
const manifest = readJson(join(extensionDir, 'manifest.json'));
const schemaKeys = Object.keys(readJson(join(extensionDir, manifest.storage.managed_schema)).properties).sort();

// Every extension ID protocol.json names (store, development key, per browser), however it groups them.
const attribute = (tag, name) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
const all = (text, pattern) => [...text.matchAll(pattern)].map((match) => match[1]);

/** The ADMX's policies: name, key, the presentation it names, and its body (elements, values). */
const policies = [...admx.matchAll(/(<policy\s[^>]*>)([\s\S]*?)<\/policy>/g)].map(([, tag, body]) => ({
  name: attribute(tag, 'name'), key: attribute(tag, 'key'), valueName: attribute(tag, 'valueName'),
  presentation: /\$\(presentation\.([^)]+)\)/.exec(tag)?.[1], body,
}));

function adml(language) {
  const text = readFileSync(admlFile(language), 'utf8');
  const presentations = Object.fromEntries([...text.matchAll(/<presentation id="([^"]+)">([\s\S]*?)<\/presentation>/g)]
    .map(([, id, body]) => [id, all(body, /refId="([^"]+)"/g)]));
  return {strings: all(text, /<string id="([^"]+)">/g), presentations};
}

describe('Group Policy template (ADMX/ADML)', () => {
  test('every file is well-formed XML (xmllint)', () => {
    for (const file of [admxFile, ...languages.map(admlFile)]) {
      // Throws with xmllint's message on the first error.
      execFileSync('xmllint', ['--noout', file], {stdio: ['ignore', 'pipe', 'pipe']});
    }
  });

  test('every string and presentation the ADMX names exists in both languages, and nothing else', () => {
    const strings = new Set(all(admx, /\$\(string\.([^)]+)\)/g));
    const presentations = new Set(all(admx, /\$\(presentation\.([^)]+)\)/g));
    assert.ok(strings.size > 10 && presentations.size >= 4);
    for (const language of languages) {
      const resources = adml(language);
      assert.deepEqual([...new Set(resources.strings)].sort(), [...strings].sort(), `${language} string ids`);
      assert.equal(resources.strings.length, new Set(resources.strings).size, `${language}: a string id twice`);
      assert.deepEqual(Object.keys(resources.presentations).sort(), [...presentations].sort(), `${language} presentations`);
      for (const policy of policies.filter((p) => p.presentation)) {
        const elementIds = all(policy.body, /<(?:text|enum|list|decimal|boolean)\s[^>]*\bid="([^"]+)"/g).sort();
        assert.deepEqual([...resources.presentations[policy.presentation]].sort(), elementIds,
          `${language}: presentation ${policy.presentation} of ${policy.name} shows each of its elements`);
      }
    }
    assert.deepEqual(adml('zh-TW').strings, adml('en-US').strings, 'the same strings, in the same order');
  });

  test('the extension\'s policies: the managed storage of the ID each browser installs, exactly the schema\'s keys', () => {
    // Each browser's policy goes to the ID its store gives the extension (the one the MSI's FORCEINSTALL
    // installs): the Chrome Web Store's in Chrome, Edge Add-ons' in Edge.
    const {stores} = protocolJson.extensionIds;
    const browsers = {
      Chrome: {base: 'Software\\Policies\\Google\\Chrome', id: stores.chromeWebStore.chromiumId},
      Edge: {base: 'Software\\Policies\\Microsoft\\Edge', id: stores.edgeAddons.chromiumId},
    };
    for (const [browser, {base, id}] of Object.entries(browsers)) {
      const own = policies.filter((policy) => policy.key?.startsWith(`${base}\\3rdparty\\extensions\\`));
      assert.ok(own.length > 0, browser);
      const keys = new Set();
      for (const policy of own) {
        const match = /\\3rdparty\\extensions\\([a-p]{32})\\policy$/.exec(policy.key);
        assert.ok(match, `${policy.name}: ${policy.key}`);
        assert.equal(match[1], id, `${policy.name}: the ID ${browser} installs the extension with (protocol.json stores)`);
        if (policy.valueName) keys.add(policy.valueName);
        for (const name of all(policy.body, /\bvalueName="([^"]+)"/g)) keys.add(name);
        // A list is a key of its own, named after the policy key, with values 1, 2, 3 ...
        for (const tag of policy.body.match(/<list\s[^>]*>/g) ?? []) {
          assert.equal(attribute(tag, 'valuePrefix'), '', `${policy.name}: list values are numbered`);
          const listKey = attribute(tag, 'key');
          assert.ok(listKey.startsWith(`${policy.key}\\`), listKey);
          keys.add(listKey.slice(policy.key.length + 1));
        }
      }
      assert.deepEqual([...keys].sort(), schemaKeys, `${browser}: the keys of managed_schema.json`);
    }
  });

  test('allowedOriginsMode offers exactly the modes the extension takes; allowLoopbackHttp is 1 or 0', () => {
    for (const policy of policies.filter((p) => p.body.includes('valueName="allowedOriginsMode"'))) {
      assert.deepEqual(all(policy.body, /<string>([^<]*)<\/string>/g), ['extend', 'replace'], policy.name);
    }
    for (const policy of policies.filter((p) => p.valueName === 'allowLoopbackHttp')) {
      assert.match(policy.body, /<enabledValue><decimal value="1"\/><\/enabledValue>/);
      assert.match(policy.body, /<disabledValue><decimal value="0"\/><\/disabledValue>/);
    }
  });
});
