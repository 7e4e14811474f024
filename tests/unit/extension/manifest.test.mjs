// The development build's manifest loads in Chromium browsers and Firefox: MV3, both background keys, the
// add-on and extension IDs of protocol.json, localized name and description, icons, nothing remote. (The
// store builds cut from it: store_packages.test.mjs.)

import assert from 'node:assert/strict';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';

import {chromiumExtensionId, pngSize} from './helpers/extension_facts.mjs';
import {extensionDir, projectVersion, protocolJson, readJson} from './helpers/build_output.mjs';

const manifest = readJson(join(extensionDir, 'manifest.json'));

describe('manifest', () => {
  test('is MV3 with a module background for both engines', () => {
    assert.equal(manifest.manifest_version, 3);
    assert.deepEqual(manifest.background, {service_worker: 'background.js', scripts: ['background.js'], type: 'module'});
  });

  test('has the project version', () => {
    assert.equal(manifest.version, projectVersion);
  });

  test('the fixed key gives the first Chromium extension ID of protocol.json, the Chrome Web Store one', () => {
    assert.equal(chromiumExtensionId(manifest.key), protocolJson.extensionIds.chromium[0]);
    assert.equal(chromiumExtensionId(manifest.key), protocolJson.extensionIds.stores.chromeWebStore.chromiumId);
  });

  test('the Firefox add-on ID is protocol.json\'s, with the minimum that data_collection_permissions needs', () => {
    const {gecko, gecko_android: geckoAndroid} = manifest.browser_specific_settings;
    assert.equal(gecko.id, protocolJson.extensionIds.firefox);
    assert.deepEqual(gecko.data_collection_permissions, {required: ['none']});
    assert.equal(gecko.strict_min_version, '140.0');
    assert.equal(geckoAndroid.strict_min_version, '142.0');
  });

  test('Chromium 121 or newer, the first to load background.scripts beside the service worker', () => {
    assert.equal(manifest.minimum_chrome_version, '121');
  });

  test('has its icons at 16, 32, 48 and 128 pixels', () => {
    assert.deepEqual(Object.keys(manifest.icons).sort(), ['128', '16', '32', '48']);
    for (const [size, file] of Object.entries(manifest.icons)) {
      const png = readFileSync(join(extensionDir, file));
      assert.deepEqual(pngSize(png), {width: Number(size), height: Number(size)}, file);
    }
  });

  test('asks only for nativeMessaging, storage and downloads (PKCS#12 files), and no host permissions', () => {
    assert.deepEqual(manifest.permissions, ['nativeMessaging', 'storage', 'downloads']);
    assert.equal(manifest.host_permissions, undefined);
    assert.equal(manifest.web_accessible_resources, undefined);
  });

  test('the content script is a plain script at document_start in top frames of https and loopback http pages', () => {
    assert.equal(manifest.content_scripts.length, 1);
    const [script] = manifest.content_scripts;
    assert.deepEqual(script.js, ['content_protocol.js', 'content_script.js']);
    assert.equal(script.run_at, 'document_start');
    assert.equal(script.all_frames, false);
    assert.deepEqual(script.matches, ['https://*/*', 'http://127.0.0.1/*', 'http://localhost/*']);
    for (const pattern of script.matches) assert.doesNotMatch(pattern, /:\d|:\*\//, 'match patterns carry no port');
  });

  test('the extension pages CSP allows only the extension\'s own scripts', () => {
    const csp = manifest.content_security_policy.extension_pages;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /object-src 'none'/);
    assert.doesNotMatch(csp, /unsafe|http:|https:|\*/);
  });

  test('the extension pages CSP allows the extension\'s own stylesheets (the consent window\'s)', () => {
    assert.match(manifest.content_security_policy.extension_pages, /style-src 'self'(;|$)/);
  });

  test('the consent window page loads only its own module and stylesheet, with no inline script or style', () => {
    const html = readFileSync(join(extensionDir, 'consent', 'consent.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.deepEqual(scripts.map(([, attributes, body]) => [attributes.trim(), body.trim()]), [['type="module" src="consent.js"', '']]);
    assert.doesNotMatch(html, /<style\b|\sstyle=|\son[a-z]+=/i);
    assert.deepEqual([...html.matchAll(/<link\b[^>]*href="([^"]+)"/g)].map((match) => match[1]), ['consent.css']);
    for (const file of ['consent.js', 'consent.css']) assert.ok(existsSync(join(extensionDir, 'consent', file)), file);
  });

  test('every file it names exists', () => {
    const named = [manifest.background.service_worker, ...manifest.background.scripts, ...manifest.content_scripts.flatMap((script) => script.js)];
    for (const file of named) assert.ok(existsSync(join(extensionDir, file)), file);
  });

  test('name and description are localized, and the default locale exists', () => {
    assert.equal(manifest.name, '__MSG_extension_name__');
    assert.equal(manifest.description, '__MSG_extension_description__');
    assert.equal(manifest.default_locale, 'zh_TW');
    for (const locale of ['zh_TW', 'en']) {
      const messages = readJson(join(extensionDir, '_locales', locale, 'messages.json'));
      assert.ok(messages.extension_name.message.length > 0 && messages.extension_name.message.length <= 75, locale);
      assert.ok(messages.extension_description.message.length <= 132, locale);
    }
  });
});
