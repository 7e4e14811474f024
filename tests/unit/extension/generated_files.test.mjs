// What the build generates agrees with the single sources (protocol.json, messages.json, CMake settings).

import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import vm from 'node:vm';

import {builtExtension, builtPageLibrary, extensionDir, messagesJson, pageLibraryDir, protocolJson, readJson, repoRoot}
  from './helpers/build_output.mjs';

// UPPER_SNAKE names in the docs that are not error codes: PKCS#11, PC/SC, NSS and OpenSSL names, variables.
const NOT_ERROR_CODE = /^(CKA|CKR|CKM|CKF|SCARD|SEC|XDG|RSA|CERTBRIDGE|SOFTHSM2|PCSCLITE)_/;

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
      assert.match(origin, /^(https:\/\/[a-z0-9.-]+|http:\/\/(127\.0\.0\.1|localhost))(:(\d+|\*))?$/);
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

/** The codes of the ErrorCode union between the BEGIN/END ErrorCode markers of a certbridge.d.ts. */
function errorCodeUnion(declarations) {
  const block = /\/\/ BEGIN ErrorCode[^\n]*\n([\s\S]*?)\/\/ END ErrorCode/.exec(declarations);
  assert.ok(block, 'certbridge.d.ts has its generated ErrorCode block');
  assert.match(block[1], /^export type ErrorCode =\n/);
  return [...block[1].matchAll(/'([A-Z0-9_]+)'/g)].map((match) => match[1]);
}

describe('ErrorCode of certbridge.d.ts is the catalogue\'s codes', () => {
  // Sorted, as the build writes them (CMake's JSON members come sorted).
  const catalogueCodes = Object.keys(messagesJson.errors).sort();

  test('the shipped declarations: written by the build from messages.json', () => {
    assert.deepEqual(errorCodeUnion(readFileSync(join(pageLibraryDir, 'certbridge.d.ts'), 'utf8')), catalogueCodes);
  });

  test('the source copy (what npm run typecheck reads) has not drifted from messages.json', () => {
    const source = readFileSync(join(repoRoot, 'extension/page-library/certbridge.d.ts'), 'utf8');
    assert.deepEqual(errorCodeUnion(source), catalogueCodes,
      'rebuild (cmake --build ... --target extension) and copy the ErrorCode block of the built certbridge.d.ts');
  });

  test('every error code the declarations and the integration guide name is one of the catalogue', () => {
    for (const file of ['extension/page-library/certbridge.d.ts', 'extension/page-library/INTEGRATION.md',
      'extension/shared/commands.md']) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      const named = new Set([...text.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)].map((match) => match[0]));
      const unknown = [...named].filter((name) => !catalogueCodes.includes(name) && !NOT_ERROR_CODE.test(name));
      assert.deepEqual(unknown, [], `${file} names codes the catalogue does not have`);
    }
  });
});

describe('RSA key sizes: protocol.json limits.rsaKeySizes is the one list', () => {
  test('every keySize type of certbridge.d.ts is that list', () => {
    const declarations = readFileSync(join(repoRoot, 'extension/page-library/certbridge.d.ts'), 'utf8');
    const types = [...declarations.matchAll(/keySize\?: ([0-9 |]+);/g)].map((match) => match[1].split('|').map(Number));
    assert.ok(types.length > 0);
    for (const sizes of types) assert.deepEqual(sizes, protocolJson.limits.rsaKeySizes);
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
