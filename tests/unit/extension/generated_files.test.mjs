// What the build generates agrees with the single sources (protocol.json, messages.json, CMake settings).

import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import vm from 'node:vm';

import {builtExtension, builtPageLibrary, extensionDir, messagesJson, pageLibraryDir, protocolJson, readJson}
  from './helpers/build_output.mjs';

describe('generated modules', () => {
  for (const [side, load] of [['extension', builtExtension], ['page library', builtPageLibrary]]) {
    test(`${side}: protocol.js and messages.js are the JSON sources`, async () => {
      assert.deepEqual((await load('protocol.js')).default, protocolJson);
      assert.deepEqual((await load('messages.js')).default, messagesJson);
    });
  }

  test('content_protocol.js gives content scripts the same protocol facts, frozen', () => {
    const context = vm.createContext({});
    vm.runInContext(readFileSync(join(extensionDir, 'content_protocol.js'), 'utf8'), context);
    assert.equal(JSON.stringify(context.certbridgeProtocol), JSON.stringify(protocolJson));
    assert.ok(Object.isFrozen(context.certbridgeProtocol));
  });

  test('policy defaults are https origins or loopback http patterns', async () => {
    const {default: defaults} = await builtExtension('policy_defaults.js');
    assert.ok(defaults.allowedOrigins.length > 0);
    for (const origin of defaults.allowedOrigins) {
      assert.match(origin, /^(https:\/\/[a-z0-9.-]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\]))(:(\d+|\*))?$/);
    }
  });

  test('the page library version is the manifest version', async () => {
    const {version} = await builtPageLibrary('version.js');
    assert.equal(version, readJson(join(extensionDir, 'manifest.json')).version);
  });

  test('_locales hold every "extension." UI string and every error message in both languages', () => {
    for (const language of messagesJson.languages) {
      const locale = readJson(join(extensionDir, '_locales', language.replace('-', '_'), 'messages.json'));
      for (const [key, text] of Object.entries(messagesJson.ui).filter(([key]) => key.startsWith('extension.'))) {
        assert.equal(locale[key.replaceAll('.', '_')].message, text[language].replaceAll('$', '$$$$'));
      }
      for (const [code, entry] of Object.entries(messagesJson.errors)) {
        assert.equal(locale[`error_${code}`].message, entry.message[language].replaceAll('$', '$$$$'));
      }
      assert.ok(Object.keys(locale).every((name) => /^[A-Za-z0-9_@]+$/.test(name)));
    }
  });

  test('the page library ships its declarations but not its type-check inputs', () => {
    assert.match(readFileSync(join(pageLibraryDir, 'certbridge.d.ts'), 'utf8'), /export declare const certbridge/);
    assert.throws(() => readFileSync(join(pageLibraryDir, 'tsconfig.json')));
    assert.throws(() => readFileSync(join(pageLibraryDir, 'certbridge.typecheck.ts')));
  });
});

describe('localization', () => {
  test('zh* tags -> zh-TW, other tags -> en, no tag -> the default (zh-TW)', async () => {
    const {pickLanguage, errorText} = await builtExtension('localization.js');
    assert.equal(pickLanguage('zh-TW'), 'zh-TW');
    assert.equal(pickLanguage('zh_CN'), 'zh-TW');
    assert.equal(pickLanguage('zh'), 'zh-TW');
    assert.equal(pickLanguage('en-US'), 'en');
    assert.equal(pickLanguage('de'), 'en');
    assert.equal(pickLanguage(''), messagesJson.defaultLanguage);
    assert.equal(pickLanguage(undefined), messagesJson.defaultLanguage);
    assert.deepEqual(errorText('TIMEOUT', 'en'), {message: messagesJson.errors.TIMEOUT.message.en, fix: messagesJson.errors.TIMEOUT.fix.en});
    assert.equal(errorText('toString', 'en'), null);
  });
});
