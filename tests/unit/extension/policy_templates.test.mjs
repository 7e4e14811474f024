// The policy templates IT copies (installer/policies/) name our extension IDs, use only the keys of the
// manifest's storage.managed_schema, and hold a policy the extension takes without ignoring anything.

import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';

import {builtExtension, extensionDir, protocolJson, readJson, repoRoot} from './helpers/build_output.mjs';

const {composePolicy} = await builtExtension('policy.js');
const {default: builtIn} = await builtExtension('policy_defaults.js');
const templates = join(repoRoot, 'installer', 'policies');
const [chromiumId] = protocolJson.extensionIds.chromium;
const firefoxId = protocolJson.extensionIds.firefox;
const manifest = readJson(join(extensionDir, 'manifest.json'));
const schema = readJson(join(extensionDir, manifest.storage.managed_schema));
const schemaKeys = Object.keys(schema.properties).sort();

/** The policy as the extension would take it: nothing ignored. */
function assertTakenWhole(data, where) {
  assert.deepEqual(Object.keys(data).sort(), schemaKeys, `${where} shows every policy key`);
  const policy = composePolicy(builtIn, data);
  assert.deepEqual(policy.report.ignored, [], where);
  for (const origin of data.allowedOrigins) assert.equal(policy.allows(origin.replace(/:\*$/, ':1')), true, `${where}: ${origin}`);
}

describe('policy templates', () => {
  test('the manifest declares the schema, and the schema types every key the extension reads', async () => {
    const {POLICY_KEYS} = await builtExtension('managed_policy.js');
    assert.deepEqual(Object.values(POLICY_KEYS).sort(), schemaKeys);
    assert.equal(schema.type, 'object');
    assert.deepEqual(schema.properties.allowedOriginsMode.enum, ['extend', 'replace']);
  });

  test('Chrome / Chromium / Edge JSON: 3rdparty -> extensions -> our extension ID', () => {
    const file = readJson(join(templates, 'chrome-managed-policy.json'));
    assert.deepEqual(Object.keys(file['3rdparty'].extensions), [chromiumId]);
    assertTakenWhole(file['3rdparty'].extensions[chromiumId], 'chrome-managed-policy.json');
  });

  test('Firefox policies.json: policies -> 3rdparty -> Extensions -> our add-on ID', () => {
    const file = readJson(join(templates, 'firefox-policies.json'));
    assert.deepEqual(Object.keys(file.policies['3rdparty'].Extensions), [firefoxId]);
    assertTakenWhole(file.policies['3rdparty'].Extensions[firefoxId], 'firefox-policies.json');
  });

  test('Firefox managed-storage manifest: named after the add-on, type storage', () => {
    const file = readJson(join(templates, 'firefox-managed-storage.json'));
    assert.equal(file.name, firefoxId);
    assert.equal(file.type, 'storage');
    assertTakenWhole(file.data, 'firefox-managed-storage.json');
  });

  test('Windows .reg: the policy key of our extension for Chrome and Edge, every schema key, lists as numbered values', () => {
    const text = readFileSync(join(templates, 'chrome-edge-policy.reg'), 'utf8');
    assert.match(text, /^Windows Registry Editor Version 5\.00\r?\n/);
    for (const vendor of ['Google\\Chrome', 'Microsoft\\Edge']) {
      const key = `[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\${vendor}\\3rdparty\\extensions\\${chromiumId}\\policy]`;
      assert.ok(text.includes(key), key);
      assert.ok(text.includes(`${key.slice(0, -1)}\\allowedOrigins]`), `${vendor}: allowedOrigins is a key of numbered values`);
    }
    assert.match(text, /"allowedOriginsMode"="(extend|replace)"/);
    assert.match(text, /"allowLoopbackHttp"=dword:0000000[01]/);
    assert.match(text, /"1"="https:\/\/[^"]+"/);
  });
});

describe('force-install and native-messaging templates', () => {
  const {stores} = protocolJson.extensionIds;
  const settingsOf = (file) => readJson(join(templates, file)).ExtensionSettings;
  // The runtime host patterns Chromium takes: scheme://host, no path, no port (a pattern matches every port).
  const HOST_PATTERN = /^(\*|https?):\/\/(\*|(\*\.)?[a-z0-9.-]+)$/;

  function assertForceInstalled(settings, store, where) {
    assert.deepEqual(Object.keys(settings), [store.chromiumId], `${where} names the store's extension ID only`);
    const entry = settings[store.chromiumId];
    assert.equal(entry.installation_mode, 'force_installed', where);
    assert.equal(entry.update_url, store.updateUrl, where);
    assert.deepEqual(entry.runtime_blocked_hosts, ['*://*'], `${where}: every site blocked but the portal`);
    assert.ok(entry.runtime_allowed_hosts.length > 0, where);
    for (const pattern of entry.runtime_allowed_hosts) assert.match(pattern, HOST_PATTERN, `${where}: ${pattern}`);
    // Each allowed host is one the extension's own policy example allows, so the two lists tell the same story.
    const allowed = readJson(join(templates, 'chrome-managed-policy.json'))['3rdparty'].extensions[chromiumId].allowedOrigins
      .map((origin) => origin.replace(/:\d+$/, ''));
    for (const pattern of entry.runtime_allowed_hosts) assert.ok(allowed.includes(pattern), `${where}: ${pattern} is in chrome-managed-policy.json`);
  }

  test('Chrome / Chromium JSON: ExtensionSettings force-installs the Chrome Web Store ID from its update URL, content script on the portal only', () => {
    assertForceInstalled(settingsOf('chrome-extension-settings.json'), stores.chromeWebStore, 'chrome-extension-settings.json');
  });

  test('Edge JSON (not run here: no Edge on this machine): the Edge Add-ons ID from its update URL', () => {
    assertForceInstalled(settingsOf('edge-extension-settings.json'), stores.edgeAddons, 'edge-extension-settings.json');
  });

  test('native messaging: every host blocked but ours', () => {
    const file = readJson(join(templates, 'chrome-native-messaging.json'));
    assert.deepEqual(file, {NativeMessagingBlocklist: ['*'], NativeMessagingAllowlist: [protocolJson.nativeHostName]});
  });

  test('Windows .reg: the same ExtensionSettings as one JSON string per browser, and the native-messaging lists', () => {
    const text = readFileSync(join(templates, 'chrome-edge-force-install.reg'), 'utf8');
    assert.match(text, /^Windows Registry Editor Version 5\.00\r?\n/);
    for (const [vendor, file] of [['Google\\Chrome', 'chrome-extension-settings.json'], ['Microsoft\\Edge', 'edge-extension-settings.json']]) {
      const key = `[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\${vendor}]`;
      const section = text.slice(text.indexOf(key));
      const value = /^"ExtensionSettings"="((?:[^"\\]|\\.)*)"$/m.exec(section);
      assert.ok(value, `${vendor}: ExtensionSettings value`);
      assert.deepEqual(JSON.parse(value[1].replace(/\\(.)/g, '$1')), settingsOf(file), `${vendor} matches ${file}`);
      assert.ok(text.includes(`${key.slice(0, -1)}\\NativeMessagingAllowlist]\n"1"="${protocolJson.nativeHostName}"`), vendor);
      assert.ok(text.includes(`${key.slice(0, -1)}\\NativeMessagingBlocklist]\n"1"="*"`), vendor);
    }
  });

  test('Firefox policies.json: ExtensionSettings force-installs the add-on from addons.mozilla.org', () => {
    const {ExtensionSettings} = readJson(join(templates, 'firefox-policies.json')).policies;
    assert.deepEqual(ExtensionSettings, {[firefoxId]: {installation_mode: 'force_installed', install_url: stores.firefoxAddons.installUrl}});
  });
});
