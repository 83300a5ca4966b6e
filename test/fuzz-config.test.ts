// Config fuzz: seeded random config files, each a valid base with 1–3 faults injected at
// known keys. Every faulty file is a ConfigError (exit 2 through the real CLI) whose
// message names every faulty key and nothing else; every fault-free file loads.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/errors.js';
import { loadConfig } from '../src/config/load.js';
import { defaultLayer, mergeConfig } from '../src/config/merge.js';
import { buildOnce, runCliProcess } from './helpers/cli-process.js';
import { createRng, type Rng } from './helpers/prng.js';

type Obj = Record<string, unknown>;

/** A fault: where it goes, the key the message must name, and the broken config. */
interface Fault {
  key: string;
  apply(cfg: Obj): void;
}

const probe = (extra: Obj = {}): Obj => ({ name: 'p', path: '/x', ...extra });

/** Wrong values per key; `direct` ones (NaN, ±Infinity) cannot be written to a JSON file. */
const BAD: Record<string, { values: unknown[]; direct?: unknown[] }> = {
  apiUrl: { values: [5, '', 'ftp://host/x', 'not a url', 'http://', true, ['http://a'], null, {}] },
  token: { values: ['', 5, false, {}, null] },
  dirs: { values: [[], 'src', [1], [''], {}, null, [null]] },
  ignore: { values: ['node_modules', [2], [''], true] },
  modules: { values: [7, [null], [''], 'routes.a'] },
  cooldown: { values: [-1, '5', true, [], null, {}, -0.001], direct: [NaN, Infinity, -Infinity] },
  debounceMs: { values: [-5, '50', null, false], direct: [NaN, Infinity] },
  prefix: { values: ['api', 5, '', null] },
  logDir: { values: ['', 5, [], null] },
  verify: { values: ['yes', 1, 0, null, 'true'] },
  strategy: { values: ['fast', 1, '', null, 'CANARY'] },
  parallel: { values: [0, 1.5, '4', -1, null, true], direct: [NaN, Infinity] },
  allowMissing: { values: ['no', 1, null] },
  timeouts: { values: [5, 'x', [], null, true] },
  endpoints: { values: ['x', 5, [], null] },
  targets: { values: [[], 'x', 5, {}, null, [5]] },
  probes: { values: [{}, 'x', 5, null, [5], [null]] },
};

// faults below the top level: [key the message must name, how to break it]
const NESTED: [string, (rng: Rng) => (cfg: Obj) => void][] = [
  ...(['reload', 'verify', 'rollback', 'status'] as const).map((k): [string, (rng: Rng) => (cfg: Obj) => void] => [
    `timeouts.${k}`,
    (rng) => (cfg) => void (cfg.timeouts = { ...(cfg.timeouts as Obj), [k]: rng.pick([0, -1, '30', null, true, [], {}]) }),
  ]),
  ...(['health', 'status', 'reload', 'verify', 'rollback'] as const).map((k): [string, (rng: Rng) => (cfg: Obj) => void] => [
    `endpoints.${k}`,
    (rng) => (cfg) => void (cfg.endpoints = { ...(cfg.endpoints as Obj), [k]: rng.pick(['health', 5, '', null, ['/x']]) }),
  ]),
  ['targets[0].apiUrl', (rng) => (cfg) => void (cfg.targets = [{ name: 'a', apiUrl: rng.pick(['nope', 5, '', 'file:///x', null]) }])],
  ['targets[0].name', (rng) => (cfg) => void (cfg.targets = [{ name: rng.pick(['', 5, null, []]), apiUrl: 'http://127.0.0.1:1' }])],
  ['targets[1].token', (rng) => (cfg) => void (cfg.targets = [{ name: 'a', apiUrl: 'http://a:1' }, { name: 'b', apiUrl: 'http://b:1', token: rng.pick(['', 5, false]) }])],
  ['probes[0].path', (rng) => (cfg) => void (cfg.probes = [probe({ path: rng.pick(['x', 5, '', null, 'http://x/']) })])],
  ['probes[0].name', (rng) => (cfg) => void (cfg.probes = [probe({ name: rng.pick(['', 5, null, {}]) })])],
  ['probes[0].method', (rng) => (cfg) => void (cfg.probes = [probe({ method: rng.pick(['FETCH', 5, '', null, 'G ET']) })])],
  ['probes[0].expectStatus', (rng) => (cfg) => void (cfg.probes = [probe({ expectStatus: rng.pick([99, 600, 200.5, '200', -1, null, true]) })])],
  ['probes[0].bodyContains', (rng) => (cfg) => void (cfg.probes = [probe({ bodyContains: rng.pick([5, null, [], {}]) })])],
  ['probes[0].headers', (rng) => (cfg) => void (cfg.probes = [probe({ headers: rng.pick([5, 'x', [], null, { 'x-a': 1 }, { 'x-b': null }]) })])],
  ['probes[0].jsonEquals', (rng) => (cfg) => void (cfg.probes = [probe({ jsonEquals: rng.pick([5, 'x', null, true]) })])],
  ['probes[1].name', () => (cfg) => void (cfg.probes = [probe(), probe({ path: '/y' })])], // the same name twice
];

const UNKNOWN_ROOT = ['cooldwn', 'apiURL', 'api_url', 'foo', 'dir', 'probe', 'timeout', 'Verify', 'x'.repeat(40)];
const UNKNOWN_NESTED: [string, (cfg: Obj, name: string) => void][] = [
  ['timeouts', (cfg, n) => void (cfg.timeouts = { ...(cfg.timeouts as Obj), [n]: 5 })],
  ['endpoints', (cfg, n) => void (cfg.endpoints = { ...(cfg.endpoints as Obj), [n]: '/x' })],
  ['probes[0]', (cfg, n) => void (cfg.probes = [probe({ [n]: 1 })])],
  ['targets[0]', (cfg, n) => void (cfg.targets = [{ name: 'a', apiUrl: 'http://a:1', [n]: 'x' }])],
];

/** A valid config: a random subset of keys with good values. */
function validBase(rng: Rng): Obj {
  const cfg: Obj = {};
  if (rng.chance(0.5)) cfg.apiUrl = rng.pick(['http://127.0.0.1:8001', 'https://svc.example:9443/base/', 'http://[::1]:1']);
  if (rng.chance(0.3)) cfg.token = rng.string(rng.int(1, 30));
  if (rng.chance(0.5)) cfg.dirs = rng.pick([['src'], ['server', 'lib'], ['./a/b']]);
  if (rng.chance(0.3)) cfg.ignore = ['**/*.tmp'];
  if (rng.chance(0.3)) cfg.modules = ['routes.greeting'];
  if (rng.chance(0.6)) cfg.cooldown = rng.pick([0, 0.2, 1, 5, 30]);
  if (rng.chance(0.3)) cfg.debounceMs = rng.pick([0, 20, 50]);
  if (rng.chance(0.3)) cfg.timeouts = { reload: 60, status: rng.pick([1, 2.5, 5]) };
  if (rng.chance(0.3)) cfg.prefix = '/hot';
  if (rng.chance(0.2)) cfg.endpoints = { health: '/healthz' };
  if (rng.chance(0.4)) cfg.probes = [{ name: 'greeting', method: rng.pick(['GET', 'get', 'POST']), path: '/api/v1/greeting', expectStatus: 200, bodyContains: 'hi', jsonEquals: { 'data.x': 1 }, headers: { 'x-a': 'b' } }];
  if (rng.chance(0.2)) cfg.logDir = 'logs/x';
  if (rng.chance(0.2)) cfg.verify = rng.chance(0.5);
  if (rng.chance(0.2)) cfg.strategy = rng.pick(['canary', 'all-at-once']);
  if (rng.chance(0.2)) cfg.parallel = rng.int(1, 8);
  if (rng.chance(0.1)) cfg.allowMissing = true;
  if (rng.chance(0.1)) cfg.$schema = './schema.json';
  return cfg;
}

/** 1–3 faults at distinct keys (`direct`: values JSON cannot carry, for mergeConfig only). */
function randomFaults(rng: Rng, direct: boolean): Fault[] {
  const faults: Fault[] = [];
  const used = new Set<string>();
  const n = rng.int(1, 3);
  for (let tries = 0; faults.length < n && tries < 20; tries++) {
    const kind = rng.int(0, 9);
    let f: Fault;
    if (kind <= 4) {
      const key = rng.pick(Object.keys(BAD));
      const pool = direct && BAD[key].direct ? [...BAD[key].values, ...BAD[key].direct!] : BAD[key].values;
      const value = rng.pick(pool);
      f = { key, apply: (cfg) => void (cfg[key] = value) };
    } else if (kind <= 7) {
      const [key, make] = rng.pick(NESTED);
      f = { key, apply: make(rng) };
    } else if (kind === 8) {
      const name = rng.pick(UNKNOWN_ROOT);
      f = { key: `unknown key "${name}"`, apply: (cfg) => void (cfg[name] = rng.int(0, 9)) };
    } else {
      const [where, put] = rng.pick(UNKNOWN_NESTED);
      const name = rng.pick(['extra', 'timeout', 'nam', 'url']);
      f = { key: `unknown key "${where}.${name}"`, apply: (cfg) => put(cfg, name) };
    }
    // one fault per top-level key, so two faults never overwrite each other
    const top = f.key.replace(/^unknown key "/, '').split(/[.[]/)[0];
    if (used.has(top)) continue;
    used.add(top);
    faults.push(f);
  }
  return faults;
}

const SOURCE = 'hot-reload.config.json';

function configErrorOf(run: () => unknown): ConfigError | string {
  try {
    run();
    return 'no error';
  } catch (e) {
    return e instanceof ConfigError ? e : `not a ConfigError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
}

/** Problems with a ConfigError for these faults (empty when it names exactly them). */
function judgeError(err: ConfigError | string, faults: Fault[]): string[] {
  if (typeof err === 'string') return [err];
  const out: string[] = [];
  for (const f of faults) if (!err.message.includes(f.key)) out.push(`message does not name ${f.key}: ${err.message}`);
  for (const line of err.problems) {
    if (!faults.some((f) => line.includes(f.key))) out.push(`a problem about a key that is fine: ${line}`);
    if (!line.includes(SOURCE)) out.push(`a problem without its source: ${line}`);
    if (!/expected|known keys|did you mean/.test(line)) out.push(`a problem without what was expected: ${line}`);
  }
  if (/\n\s+at /.test(err.message)) out.push('a stack trace in the message');
  return out;
}

describe('config fuzz through mergeConfig (pure)', () => {
  it('400 random configs: faulty ones name exactly their faulty keys, fault-free ones load', () => {
    const rng = createRng(0xc0f1a);
    const failures: string[] = [];
    let faulty = 0;
    for (let i = 0; i < 400; i++) {
      const cfg = validBase(rng);
      const faults = rng.chance(0.85) ? randomFaults(rng, true) : [];
      for (const f of faults) f.apply(cfg);
      const run = () => mergeConfig({ defaults: defaultLayer(['src']), file: { source: SOURCE, data: cfg } }, '/proj');
      if (faults.length === 0) {
        try {
          const c = run();
          // the file's values reached the config
          if (cfg.cooldown !== undefined && c.cooldownMs !== Math.round((cfg.cooldown as number) * 1000)) failures.push(`case ${i}: cooldown ${String(cfg.cooldown)} → ${c.cooldownMs} ms`);
          if (cfg.apiUrl !== undefined && c.targets[0].apiUrl !== (cfg.apiUrl as string).replace(/\/+$/, '')) failures.push(`case ${i}: apiUrl → ${c.targets[0].apiUrl}`);
          if (cfg.probes && c.probes[0].method !== ((cfg.probes as Obj[])[0].method as string).toUpperCase()) failures.push(`case ${i}: probe method → ${c.probes[0].method}`);
        } catch (e) {
          failures.push(`seed=${rng.seed} case=${i}: a valid config was refused: ${(e as Error).message} ${JSON.stringify(cfg)}`);
        }
        continue;
      }
      faulty++;
      for (const p of judgeError(configErrorOf(run), faults)) failures.push(`seed=${rng.seed} case=${i} faults=[${faults.map((f) => f.key).join(', ')}]: ${p}`);
    }
    expect(failures).toEqual([]);
    expect(faulty).toBeGreaterThan(300);
  });

  it('a config that is not an object names the file', () => {
    for (const data of [[], 'x', 5, null, true, [{ cooldown: 1 }]]) {
      const err = configErrorOf(() => mergeConfig({ defaults: defaultLayer(), file: { source: SOURCE, data } }, '/proj'));
      expect(err, JSON.stringify(data)).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toMatch(new RegExp(`^${SOURCE}: .* is not an object \\(expected a JSON object of settings`));
    }
  });

  it('bad flags and environment values name the flag or the variable', () => {
    const rng = createRng(0xc0f1b);
    const failures: string[] = [];
    for (let i = 0; i < 100; i++) {
      const which = rng.int(0, 4);
      let key: string;
      let layers: Parameters<typeof mergeConfig>[0];
      const defaults = defaultLayer();
      if (which === 0) {
        key = '--cooldown';
        layers = { defaults, flags: { cooldown: rng.pick(['abc', '-1', '', 'NaN', 'Infinity', '1e999', '5s', ' ']) } };
      } else if (which === 1) {
        key = '--api-url';
        layers = { defaults, flags: { apiUrl: [rng.pick(['nope', 'ftp://x', 'localhost:8001', '://', 'http//x'])] } };
      } else if (which === 2) {
        key = '--dir';
        layers = { defaults, flags: { dir: [''] } };
      } else if (which === 3) {
        key = 'API_BASE_URL';
        layers = { defaults, env: { API_BASE_URL: rng.pick(['nope', 'ftp://x', '127.0.0.1:8001']) } };
      } else {
        key = '--log-dir';
        layers = { defaults, flags: { logDir: '' } };
      }
      const err = configErrorOf(() => mergeConfig(layers, '/proj'));
      if (typeof err === 'string') failures.push(`seed=${rng.seed} case=${i} ${key}: ${err}`);
      else if (!err.message.startsWith(`${key}: `)) failures.push(`seed=${rng.seed} case=${i}: message does not start with ${key}: ${err.message}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('config fuzz through files on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ahr-fuzz-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loadConfig: 60 random files (JSON, torn JSON, package.json#hotReload) fail with the key or the file named', async () => {
    const rng = createRng(0xc0f1c);
    const failures: string[] = [];
    for (let i = 0; i < 60; i++) {
      const cwd = await mkdtemp(path.join(dir, `case${i}-`));
      const cfg = validBase(rng);
      const faults = randomFaults(rng, false);
      for (const f of faults) f.apply(cfg);
      const form = rng.int(0, 2);
      const text = JSON.stringify(cfg, null, rng.pick([0, 2]));
      let expectText: string[];
      if (form === 0) {
        await writeFile(path.join(cwd, SOURCE), text);
        expectText = faults.map((f) => f.key);
      } else if (form === 1) {
        // torn mid-file, as an editor's half-written save
        await writeFile(path.join(cwd, SOURCE), text.slice(0, rng.int(1, Math.max(1, text.length - 1))));
        expectText = [`${SOURCE}: not valid JSON`];
      } else {
        await writeFile(path.join(cwd, 'package.json'), JSON.stringify({ name: 'x', hotReload: cfg }));
        expectText = [...faults.map((f) => f.key), 'the "hotReload" key of package.json'];
      }
      try {
        await loadConfig({ flags: {}, env: {}, cwd });
        failures.push(`seed=${rng.seed} case=${i} form=${form}: loaded without an error`);
      } catch (e) {
        if (!(e instanceof ConfigError)) failures.push(`seed=${rng.seed} case=${i}: not a ConfigError: ${String(e)}`);
        else for (const t of expectText) if (!e.message.includes(t)) failures.push(`seed=${rng.seed} case=${i} form=${form}: message does not name ${t}: ${e.message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('package.json whose hotReload is not an object names that key', async () => {
    for (const hotReload of [5, 'x', [], null, true]) {
      const cwd = await mkdtemp(path.join(dir, 'pkg-'));
      await writeFile(path.join(cwd, 'package.json'), JSON.stringify({ name: 'x', hotReload }));
      const err = await loadConfig({ flags: {}, env: {}, cwd }).then(() => 'no error', (e: unknown) => e);
      expect(err, JSON.stringify(hotReload)).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toMatch(/^the "hotReload" key of package\.json: .* is not an object \(expected/);
    }
  });
});

describe('config fuzz through the real CLI process', () => {
  let dir: string;
  beforeAll(async () => {
    await buildOnce();
    dir = await mkdtemp(path.join(os.tmpdir(), 'ahr-fuzz-config-cli-'));
  }, 180_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('8 random bad configs, a torn file, a bad flag and a bad env value: exit 2, one message naming the key, no stack trace', async () => {
    const rng = createRng(0xc0f1d);
    const runs: { args: string[]; env?: Record<string, string>; files: Record<string, string>; expect: string[] }[] = [];
    for (let i = 0; i < 8; i++) {
      const cfg = validBase(rng);
      const faults = randomFaults(rng, false);
      for (const f of faults) f.apply(cfg);
      const viaPkg = i % 4 === 3;
      runs.push({
        args: [rng.pick(['--verify', '--trigger', '--rollback', '--trigger --json', '--watch --no-tui'])].flatMap((a) => a.split(' ')),
        files: viaPkg ? { 'package.json': JSON.stringify({ name: 'x', hotReload: cfg }) } : { [SOURCE]: JSON.stringify(cfg) },
        expect: faults.map((f) => f.key),
      });
    }
    runs.push({ args: ['--verify', '--config', 'conf/my.json'], files: { 'conf/my.json': '{"cooldown": 1,' }, expect: ['my.json: not valid JSON'] });
    runs.push({ args: ['--trigger', '--cooldown', 'soon'], files: {}, expect: ['--cooldown: "soon"'] });
    runs.push({ args: ['--verify'], env: { API_BASE_URL: 'localhost:8001' }, files: {}, expect: ['API_BASE_URL: "localhost:8001"'] });
    runs.push({ args: ['--verify', '--config', 'missing.json'], files: {}, expect: ['--config: ', 'missing.json" does not exist'] });

    const results = await Promise.all(
      runs.map(async (r, i) => {
        const cwd = await mkdtemp(path.join(dir, `run${i}-`));
        for (const [rel, text] of Object.entries(r.files)) {
          await mkdir(path.dirname(path.join(cwd, rel)), { recursive: true });
          await writeFile(path.join(cwd, rel), text);
        }
        const res = await runCliProcess(r.args, { cwd, env: r.env, timeoutMs: 30_000 });
        return { r, res, i };
      }),
    );
    const failures: string[] = [];
    for (const { r, res, i } of results) {
      const tag = `seed=${rng.seed} run=${i} ${r.args.join(' ')}`;
      if (res.code !== 2) failures.push(`${tag}: exit ${res.code}, expected 2; stderr: ${res.stderr}`);
      for (const t of r.expect) if (!res.stderr.includes(t)) failures.push(`${tag}: stderr does not name ${t}: ${res.stderr}`);
      if (!res.stderr.startsWith('auto-hot-reload: ')) failures.push(`${tag}: stderr does not start with the tool's name: ${res.stderr}`);
      if (/\n\s+at /.test(res.stdout + res.stderr)) failures.push(`${tag}: a stack trace: ${res.stderr}`);
      if (res.stdout !== '') failures.push(`${tag}: stdout is not empty: ${res.stdout}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

describe('what the fuzz found, pinned', () => {
  it("a duplicate probe name is reported beside the file's other problems", () => {
    const err = configErrorOf(() =>
      mergeConfig({ defaults: defaultLayer(), file: { source: SOURCE, data: { cooldown: 'soon', probes: [probe(), probe({ path: '/y' })] } } }, '/proj'),
    );
    expect((err as ConfigError).problems).toEqual([
      `cooldown: "soon" is not a number of seconds (expected a number ≥ 0, e.g. 5) in ${SOURCE}`,
      `probes[1].name: "p" is used twice (expected unique probe names) in ${SOURCE}`,
    ]);
  });
});
