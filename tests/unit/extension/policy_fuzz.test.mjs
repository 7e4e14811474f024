// Property test of the enterprise-policy parsing (managed_policy.js, policy.js): random and mutated
// storage.managed values, each composed with a built-in list, must never throw, never allow an origin that
// no accepted entry names, and report every allowedOrigins entry they ignore.
//
// Bounded for CI: CERTBRIDGE_POLICY_FUZZ_SECONDS (default 2) of policies. A longer run:
//   CERTBRIDGE_POLICY_FUZZ_SECONDS=300 CERTBRIDGE_BUILD_DIR=build/ci node --test tests/unit/extension/policy_fuzz.test.mjs
// Each run draws a new seed and prints it with its figures; CERTBRIDGE_POLICY_FUZZ_SEED=<seed> repeats a run.
//
// The oracle below is written from the documented pattern rules, not from policy.js: an allowed origin must
// have its scheme, host and port named by some whitespace-separated word of an accepted entry. It leans
// permissive where the rules leave room (it accepts what a stricter parser would refuse), so it only fails
// on an allowed origin that nothing in the policy could stand for.

import assert from 'node:assert/strict';
import {test} from 'node:test';

import {builtExtension} from './helpers/build_output.mjs';

const {composePolicy} = await builtExtension('policy.js');
const {readManagedSettings} = await builtExtension('managed_policy.js');
const {default: builtInDefaults} = await builtExtension('policy_defaults.js');

const SECONDS = Number(process.env.CERTBRIDGE_POLICY_FUZZ_SECONDS ?? 2);
const SEED = Number(process.env.CERTBRIDGE_POLICY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
// Loopback hosts plain http may name; not [::1]: http://[::1] is refused everywhere (the extension does not run
// on IPv6 loopback pages).
const LOOPBACK = new Set(['127.0.0.1', 'localhost']);
const DEFAULT_PORTS = {'http:': '', 'https:': ''};

/** mulberry32: a small seeded generator, so that a failing run can be repeated from its seed. */
function generator(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const below = (n) => Math.floor(next() * n);
  return {next, below, pick: (list) => list[below(list.length)], chance: (p) => next() < p};
}

// Entries as an administrator writes them, right and nearly right.
const GOOD_ENTRIES = [
  'https://ra.example', 'https://ra.example:8443', 'https://RA.Example', 'https://ra.example:*', 'https://ra.example:443',
  'http://127.0.0.1:*', 'http://localhost:3000', 'http://[::1]:*', 'https://[::1]', 'https://10.0.0.7:9443',
  '  https://portal.ca.example  ', 'https://xn--bcher-kva.example',
];
const NEAR_MISSES = [
  'http://ra.example', 'https://*.ra.example', 'https://ra.example/', 'https://ra.example/path', 'ftp://ra.example',
  'https://user@ra.example', 'https://ra.example:70000', 'https://ra.example:-1', 'ra.example', '//ra.example',
  'https://ra.example?x', 'https://ra.example#x', 'https://ra.example:', 'https://', 'https://ra.example https://b.example',
  'https://ra.example\nhttps://b.example', 'https://bücher.example', 'https://\u212Aa.example', 'https://ra.example.',
  'HTTP://LOCALHOST', 'https://[::ffff:127.0.0.1]', 'https://0x7f.0.0.1', '', ' ', '\t',
];
const FRAGMENTS = ['https://', 'http://', '://', ':', '*', '.', '/', '@', '[', ']', '%2e', '\u0000', ' ', '\t', '\n',
  '\u00a0', '\u2028', 'ı', 'İ', '\u212A', 'é', '\ud800', ':443', ':80', ':*', 'localhost', '127.0.0.1', 'ra.example',
  '[::1]', 'xn--', '-', '..', '0', '65535', '65536'];
const ORIGIN_HOSTS = ['ra.example', 'b.example', 'portal.ca.example', 'evil.example', 'ra.example.evil.example',
  'sub.ra.example', '127.0.0.1', 'localhost', '[::1]', '10.0.0.7', 'xn--bcher-kva.example', 'ka.example'];
const ORIGIN_PORTS = ['', ':443', ':80', ':8443', ':3000', ':9443', ':1', ':65535'];
const POLICY_KEYS = ['allowedOrigins', 'allowedOriginsMode', 'allowLoopbackHttp'];

function mutate(random, text) {
  let out = text;
  for (let i = random.below(4); i >= 0; --i) {
    const at = random.below(out.length + 1);
    switch (random.below(6)) {
      case 0: out = out.slice(0, at) + random.pick(FRAGMENTS) + out.slice(at); break;
      case 1: out = out.slice(0, at) + out.slice(at + 1 + random.below(3)); break;
      case 2: out = out.slice(0, at) + String.fromCharCode(random.below(0x250)) + out.slice(at + 1); break;
      case 3: out = random.chance(0.5) ? out.toUpperCase() : out.toLowerCase(); break;
      case 4: out = out + random.pick(FRAGMENTS); break;
      default: out = random.pick(FRAGMENTS) + out;
    }
  }
  return out;
}

function randomValue(random, depth = 0) {
  switch (random.below(depth > 2 ? 5 : 7)) {
    case 0: return null;
    case 1: return random.chance(0.5);
    case 2: return random.pick([0, -1, 1.5, 1e300, 65536, Number.MAX_SAFE_INTEGER]);
    case 3: return mutate(random, random.pick(GOOD_ENTRIES));
    case 4: return random.pick(['extend', 'replace', 'Extend', 'replace ', '', 'true', 'false']);
    case 5: return Array.from({length: random.below(4)}, () => randomValue(random, depth + 1));
    default: {
      const object = {};
      for (let i = random.below(4); i > 0; --i) {
        const key = random.pick([...POLICY_KEYS, '__proto__', 'constructor', 'toString', 'valueOf', 'x']);
        object[key] = randomValue(random, depth + 1);
      }
      return object;
    }
  }
}

function randomEntry(random) {
  const roll = random.below(10);
  if (roll < 3) return random.pick(GOOD_ENTRIES);
  if (roll < 5) return random.pick(NEAR_MISSES);
  if (roll < 9) return mutate(random, random.pick(random.chance(0.7) ? GOOD_ENTRIES : NEAR_MISSES));
  return randomValue(random);
}

/** A storage.managed value: mostly a policy object with mutated entries, sometimes anything at all. */
function randomPolicy(random) {
  if (random.chance(0.05)) return randomValue(random);
  const policy = {};
  if (random.chance(0.9)) {
    policy.allowedOrigins = random.chance(0.9)
      ? Array.from({length: random.below(random.chance(0.02) ? 1100 : 8)}, () => randomEntry(random))
      : randomValue(random);
  }
  if (random.chance(0.5)) policy.allowedOriginsMode = random.chance(0.8) ? random.pick(['extend', 'replace']) : randomValue(random);
  if (random.chance(0.5)) policy.allowLoopbackHttp = random.chance(0.8) ? random.chance(0.5) : randomValue(random);
  if (random.chance(0.1)) policy[random.pick(['unknownKey', 'AllowedOrigins', 'constructor'])] = randomValue(random);
  // storage.managed hands the extension JSON data; a "__proto__" key in it is an own property.
  const text = JSON.stringify(policy);
  if (random.chance(0.05)) return JSON.parse(`{"__proto__": ${JSON.stringify(randomValue(random))}, ${text.slice(1)}`.replace(', }', '}'));
  return JSON.parse(text);
}

function randomBuiltIn(random) {
  if (random.chance(0.5)) return builtInDefaults;
  return {
    allowedOrigins: Array.from({length: random.below(4)}, () => random.pick([...GOOD_ENTRIES, ...NEAR_MISSES])),
    allowLoopbackHttp: random.pick([true, false, undefined]),
  };
}

/** Serialized origins, as the browser gives them, near the entries' hosts. */
function candidateOrigins(random, entries) {
  const origins = new Set();
  for (const entry of entries) {
    for (const word of typeof entry === 'string' ? entry.trim().split(/\s+/) : []) {
      try {
        origins.add(new URL(word.replace(/:\*$/, random.pick(ORIGIN_PORTS) || ':1')).origin);
      } catch {
        // Not URL-like: the random origins below stand in.
      }
    }
  }
  for (let i = 0; i < 8; ++i) {
    origins.add(new URL(`${random.pick(['https', 'http'])}://${random.pick(ORIGIN_HOSTS)}${random.pick(ORIGIN_PORTS)}`).origin);
  }
  return [...origins].filter((origin) => origin !== 'null');
}

/** The effective settings, read from the documented policy keys (managed_schema.json) by the test itself. */
function expectedSettings(data, builtIn) {
  const object = data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {};
  const entries = Array.isArray(object.allowedOrigins) ? object.allowedOrigins.slice(0, 1000) : [];
  const replace = object.allowedOriginsMode === 'replace' && Array.isArray(object.allowedOrigins);
  const allowLoopbackHttp = typeof object.allowLoopbackHttp === 'boolean'
    ? object.allowLoopbackHttp : builtIn.allowLoopbackHttp ?? true;
  const sources = replace ? entries : [...builtIn.allowedOrigins, ...entries];
  return {entries, sources, allowLoopbackHttp};
}

/** Whether one word of an entry names this origin under the documented rules (scheme://host[:port|:*]). */
function wordNames(word, url, allowLoopbackHttp) {
  const text = word.toLowerCase();
  const prefix = `${url.protocol}//`;
  if (!text.startsWith(prefix)) return false;
  if (url.protocol === 'http:' && !(allowLoopbackHttp && LOOPBACK.has(url.hostname))) return false;
  const rest = text.slice(prefix.length);
  const match = /^(.*?)(?::(\*|\d+))?$/.exec(rest);
  if (!match || match[1] !== url.hostname) return false;
  if (match[2] === '*') return true;
  const port = match[2] === undefined ? '' : String(Number(match[2]));
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  return (port === defaultPort ? DEFAULT_PORTS[url.protocol] : port) === url.port;
}

function oracleAllows(origin, sources, allowLoopbackHttp) {
  const url = new URL(origin);
  return sources.some((entry) => typeof entry === 'string' &&
    entry.trim().split(/\s+/).some((word) => wordNames(word, url, allowLoopbackHttp)));
}

/** Whether an entry is one well-formed pattern the rules accept (then it must be used, never reported). */
function plainlyValid(entry, allowLoopbackHttp) {
  if (typeof entry !== 'string') return false;
  const match = /^(https?):\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[::1\])(?::(\*|[1-9][0-9]{0,3}))?$/.exec(entry.trim());
  if (!match) return false;
  // A host the browser would name otherwise ("0x7f.0.0.1" is 127.0.0.1, "1.0.7" is 1.0.0.7) never matches.
  let named;
  try {
    named = new URL(`${match[1]}://${match[2]}`).hostname;
  } catch {
    return false;
  }
  if (named !== match[2]) return false;
  return match[1] === 'https' || (allowLoopbackHttp && LOOPBACK.has(match[2]));
}

test('enterprise policy parsing: random and mutated policies', (t) => {
  const random = generator(SEED);
  const figures = {policies: 0, origins: 0, allowed: 0, ignored: 0};
  const deadline = Date.now() + SECONDS * 1000;
  const context = (data, builtIn) => `seed ${SEED}, policy ${JSON.stringify(data)?.slice(0, 2000)}, built-in ${JSON.stringify(builtIn)}`;
  // The failure text (the whole policy) is made only on failure: making it per check would be most of the run.
  const check = (condition, message) => {
    if (!condition) assert.fail(message());
  };
  while (Date.now() < deadline || figures.policies < 200) {
    const data = randomPolicy(random);
    const builtIn = randomBuiltIn(random);
    figures.policies += 1;

    let policy;
    try {
      readManagedSettings(data);
      policy = composePolicy(builtIn, data);
    } catch (error) {
      assert.fail(`threw ${error?.stack ?? error}: ${context(data, builtIn)}`);
    }
    const {entries, sources, allowLoopbackHttp} = expectedSettings(data, builtIn);
    const {report} = policy;
    check(report.allowLoopbackHttp === allowLoopbackHttp, () => `allowLoopbackHttp ${report.allowLoopbackHttp}: ${context(data, builtIn)}`);
    check(['extend', 'replace'].includes(report.mode), () => `mode ${report.mode}: ${context(data, builtIn)}`);

    for (const origin of candidateOrigins(random, [...sources, ...entries])) {
      figures.origins += 1;
      let allowed;
      try {
        allowed = policy.allows(origin);
      } catch (error) {
        assert.fail(`allows(${origin}) threw ${error?.stack ?? error}: ${context(data, builtIn)}`);
      }
      if (!allowed) continue;
      figures.allowed += 1;
      check(oracleAllows(origin, sources, allowLoopbackHttp), () => `allowed ${origin}, which no entry names: ${context(data, builtIn)}`);
    }

    // Every ignored entry is reported, under its own index, with a reason short enough for the page.
    for (const problem of report.ignored) {
      check(typeof problem.entry === 'string' && typeof problem.reason === 'string' && problem.reason.length > 0 &&
        problem.reason.length <= 1000, () => `problem ${JSON.stringify(problem).slice(0, 300)}: ${context(data, builtIn)}`);
    }
    figures.ignored += report.ignored.length;
    const reportedIndexes = new Set(report.ignored.map((problem) => /^allowedOrigins\[(\d+)\]/.exec(problem.entry)?.[1]));
    entries.forEach((entry, index) => {
      const reported = reportedIndexes.has(String(index));
      const usable = typeof entry === 'string' && entry.trim().split(/\s+/).some((word) => {
        try {
          const url = new URL(word.replace(/:\*$/, ''));
          return oracleAllows(url.origin, [word], allowLoopbackHttp);
        } catch {
          return false;
        }
      });
      if (!usable) check(reported, () => `allowedOrigins[${index}] ${JSON.stringify(entry)} is ignored unreported: ${context(data, builtIn)}`);
      if (plainlyValid(entry, allowLoopbackHttp)) {
        check(!reported, () => `allowedOrigins[${index}] ${JSON.stringify(entry)} is valid but reported: ${context(data, builtIn)}`);
        const url = new URL(entry.trim().replace(/:\*$/, ':1'));
        check(policy.allows(url.origin), () => `allowedOrigins[${index}] ${JSON.stringify(entry)} does not allow ${url.origin}: ${context(data, builtIn)}`);
      }
    });
    if (Array.isArray(data?.allowedOrigins) && data.allowedOrigins.length > 1000) {
      check(report.ignored.some((problem) => problem.entry === 'allowedOrigins'), () => `over 1000 entries unreported: seed ${SEED}`);
    }
  }
  t.diagnostic(`policy fuzz: seed ${SEED}, ${figures.policies} policies in ${SECONDS} s, ${figures.origins} origins checked ` +
    `(${figures.allowed} allowed, each named by an entry), ${figures.ignored} ignored entries reported`);
});
