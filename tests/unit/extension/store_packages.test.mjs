// The store packages, read back from the archives a store receives: the Chrome Web Store / Edge Add-ons zip
// and the addons.mozilla.org xpi. Each is the development build's files with the channel's manifest and
// default policy: no `key`, no loopback http, the icons, the IDs and minimum versions the store needs.

import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import {join, relative} from 'node:path';
import {describe, test} from 'node:test';

import {pngSize} from './helpers/extension_facts.mjs';
import {builtExtension, extensionDir, projectVersion, protocolJson, readJson, storePackages} from './helpers/build_output.mjs';
import {readZip} from './helpers/zip_archive.mjs';

const developmentManifest = readJson(join(extensionDir, 'manifest.json'));
const {default: developmentPolicy} = await builtExtension('policy_defaults.js');

function filesUnder(folder) {
  return readdirSync(folder, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

/** The default policy module of a package, evaluated as the extension would import it. */
async function packagedPolicy(entries) {
  const source = entries.get('policy_defaults.js').toString('utf8');
  return (await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`)).default;
}

const channels = [
  {name: 'Chrome Web Store / Edge Add-ons zip', ...storePackages.chromium, suffix: '-chromium.zip'},
  {name: 'addons.mozilla.org xpi', ...storePackages.firefox, suffix: '-firefox.xpi'},
];

for (const channel of channels) {
  describe(channel.name, () => {
    const entries = readZip(channel.archive);
    const manifest = JSON.parse(entries.get('manifest.json').toString('utf8'));

    test('is named after the project version and has manifest.json at its top', () => {
      assert.ok(channel.archive.endsWith(`certbridge-extension-${projectVersion}${channel.suffix}`), channel.archive);
      assert.ok(entries.has('manifest.json'));
      assert.equal(manifest.version, projectVersion);
      for (const name of entries.keys()) assert.doesNotMatch(name, /^\/|(^|\/)\.\.?\//, name);
    });

    test('holds exactly the development build\'s files, the same bytes but for the manifest and the default policy', () => {
      assert.deepEqual([...entries.keys()].sort(), filesUnder(extensionDir));
      assert.deepEqual([...entries.keys()].sort(), filesUnder(channel.folder));
      for (const [name, bytes] of entries) {
        if (name === 'manifest.json' || name === 'policy_defaults.js') continue;
        assert.ok(bytes.equals(readFileSync(join(extensionDir, name))), `${name} differs from the development build's`);
      }
    });

    test('has no key: the store signs it and gives the ID', () => {
      assert.equal(manifest.key, undefined);
      assert.ok(developmentManifest.key, 'the development build keeps its key');
    });

    test('its content script runs on https pages only, and its default policy allows no loopback http', async () => {
      for (const script of manifest.content_scripts) assert.deepEqual(script.matches, ['https://*/*']);
      const text = entries.get('manifest.json').toString('utf8');
      assert.doesNotMatch(text, /http:|127\.0\.0\.1|localhost/);
      const policy = await packagedPolicy(entries);
      assert.equal(policy.allowLoopbackHttp, false);
      assert.ok(policy.allowedOrigins.length > 0);
      for (const origin of policy.allowedOrigins) assert.match(origin, /^https:\/\//);
      assert.deepEqual(policy.allowedOrigins, developmentPolicy.allowedOrigins.filter((origin) => origin.startsWith('https://')));
    });

    test('keeps what the extension needs: permissions, content script, CSP, managed storage, locales', () => {
      for (const key of ['manifest_version', 'name', 'short_name', 'description', 'default_locale', 'permissions',
        'storage', 'content_security_policy']) {
        assert.deepEqual(manifest[key], developmentManifest[key], key);
      }
      const [script] = manifest.content_scripts;
      const [developmentScript] = developmentManifest.content_scripts;
      assert.deepEqual({...script, matches: undefined}, {...developmentScript, matches: undefined});
    });

    test('has its icons at 16, 32, 48 and 128 pixels', () => {
      assert.deepEqual(manifest.icons, developmentManifest.icons);
      assert.deepEqual(Object.keys(manifest.icons).sort(), ['128', '16', '32', '48']);
      for (const [size, file] of Object.entries(manifest.icons)) {
        assert.ok(entries.has(file), `${file} is not in the package`);
        assert.deepEqual(pngSize(entries.get(file)), {width: Number(size), height: Number(size)}, file);
      }
    });
  });
}

describe('Chrome Web Store / Edge Add-ons zip manifest', () => {
  const manifest = JSON.parse(readZip(storePackages.chromium.archive).get('manifest.json').toString('utf8'));

  test('has the service worker only, and no Firefox settings', () => {
    assert.deepEqual(manifest.background, {service_worker: 'background.js', type: 'module'});
    assert.equal(manifest.browser_specific_settings, undefined);
  });

  test('needs Chromium 105 (a native-messaging port keeps the service worker alive)', () => {
    assert.equal(manifest.minimum_chrome_version, '105');
  });

  test('both Chromium stores install it under an ID the host manifests allow', () => {
    const {chromium, stores} = protocolJson.extensionIds;
    assert.ok(chromium.includes(stores.chromeWebStore.chromiumId));
    assert.ok(chromium.includes(stores.edgeAddons.chromiumId));
  });
});

describe('addons.mozilla.org xpi manifest', () => {
  const manifest = JSON.parse(readZip(storePackages.firefox.archive).get('manifest.json').toString('utf8'));
  const {gecko, gecko_android: geckoAndroid} = manifest.browser_specific_settings;

  test('has the background scripts only (Firefox ignores a service worker), and no Chromium minimum', () => {
    assert.deepEqual(manifest.background, {scripts: ['background.js'], type: 'module'});
    assert.equal(manifest.minimum_chrome_version, undefined);
  });

  test('its add-on ID is protocol.json\'s, a GUID of ours rather than an example domain', () => {
    assert.equal(gecko.id, protocolJson.extensionIds.firefox);
    assert.match(gecko.id, /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/);
  });

  test('declares that it collects no data, with the Firefox versions that read the declaration', () => {
    assert.deepEqual(gecko.data_collection_permissions, {required: ['none']});
    assert.equal(gecko.strict_min_version, '140.0');
    assert.equal(geckoAndroid.strict_min_version, '142.0');
  });
});
