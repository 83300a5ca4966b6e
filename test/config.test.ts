import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/errors.js';
import { loadConfig } from '../src/config/load.js';
import { defaultLayer, mergeConfig } from '../src/config/merge.js';
import { parseCli } from '../src/cli/args.js';

const errorOf = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

const file = (data: unknown) => ({ source: 'hot-reload.config.json', data });

describe('mergeConfig (pure)', () => {
  it('has the documented defaults', () => {
    const c = mergeConfig({ defaults: defaultLayer(['server', 'services']) }, '/proj');
    expect(c).toEqual({
      root: '/proj',
      targets: [{ name: 'default', apiUrl: 'http://localhost:8001' }],
      dirs: ['/proj/server', '/proj/services'],
      ignore: [],
      modules: [],
      cooldownMs: 5000,
      debounceMs: 4,
      timeouts: { reloadMs: 60000, verifyMs: 15000, rollbackMs: 30000, statusMs: 5000 },
      endpoints: {
        health: '/health',
        status: '/api/v1/hot-reload/status',
        reload: '/api/v1/hot-reload/reload-all',
        verify: '/api/v1/hot-reload/verify',
        rollback: '/api/v1/hot-reload/rollback',
        reloadModule: '/api/v1/hot-reload/reload/{module}',
      },
      probes: [],
      advisoryChecks: [],
      logDir: '/proj/logs/hot_reload_errors',
      verify: true,
      strategy: 'canary',
      parallel: 4,
      allowMissing: false,
      json: false,
      tui: true,
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.targets[0])).toBe(true);
  });

  it('keeps src/ when none of the default dirs exists', () => {
    expect(mergeConfig({ defaults: defaultLayer([]) }, '/proj').dirs).toEqual(['/proj/src']);
  });

  it('applies flags over env over file over defaults', () => {
    const c = mergeConfig(
      {
        defaults: defaultLayer(),
        file: file({ apiUrl: 'http://file:1', token: 'ft', cooldown: 2, dirs: ['lib'], logDir: 'var/log', verify: false }),
        env: { API_BASE_URL: 'http://env:2', HOT_RELOAD_TOKEN: 'et' },
        flags: { apiUrl: ['http://flag:3/'], cooldown: '0.5', dir: ['app'], module: ['users', 'orders'] },
        cwd: '/work',
      },
      '/proj',
    );
    expect(c.targets).toEqual([{ name: 'default', apiUrl: 'http://flag:3', token: 'et' }]);
    expect(c.cooldownMs).toBe(500);
    expect(c.dirs).toEqual(['/work/app']); // flag paths are relative to cwd
    expect(c.logDir).toBe('/proj/var/log'); // file paths are relative to the root
    expect(c.modules).toEqual(['users', 'orders']);
    expect(c.verify).toBe(false);
  });

  it('uses env when no flag is given, and a flag token overrides target tokens from the file', () => {
    const c1 = mergeConfig({ defaults: defaultLayer(), file: file({ apiUrl: 'http://file:1' }), env: { API_BASE_URL: 'http://env:2' } }, '/p');
    expect(c1.targets).toEqual([{ name: 'default', apiUrl: 'http://env:2' }]);
    const c2 = mergeConfig(
      {
        defaults: defaultLayer(),
        file: file({ targets: [{ name: 'a', apiUrl: 'http://a:1', token: 'ta' }, { name: 'b', apiUrl: 'http://b:1' }], token: 'shared' }),
      },
      '/p',
    );
    expect(c2.targets).toEqual([
      { name: 'a', apiUrl: 'http://a:1', token: 'ta' },
      { name: 'b', apiUrl: 'http://b:1', token: 'shared' },
    ]);
    const c3 = mergeConfig({ defaults: defaultLayer(), file: file({ targets: [{ name: 'a', apiUrl: 'http://a:1', token: 'ta' }] }), flags: { token: 'cli' } }, '/p');
    expect(c3.targets[0].token).toBe('cli');
  });

  it('turns several --api-url flags into named targets', () => {
    const c = mergeConfig({ defaults: defaultLayer(), flags: { apiUrl: ['http://h1:8001', 'http://h2:8001', 'http://h1:8001'] } }, '/p');
    expect(c.targets.map((t) => t.name)).toEqual(['h1:8001', 'h2:8001', 'h1:8001#2']);
  });

  it('derives endpoints from prefix; explicit endpoints win; timeouts are seconds', () => {
    const c = mergeConfig(
      { defaults: defaultLayer(), file: file({ prefix: '/ops/', endpoints: { verify: '/check' }, timeouts: { reload: 120, status: 0.5 }, debounceMs: 10 }) },
      '/p',
    );
    expect(c.endpoints).toEqual({ health: '/health', status: '/ops/status', reload: '/ops/reload-all', verify: '/check', rollback: '/ops/rollback', reloadModule: '/ops/reload/{module}' });
    expect(c.timeouts).toEqual({ reloadMs: 120000, verifyMs: 15000, rollbackMs: 30000, statusMs: 500 });
    expect(c.debounceMs).toBe(10);
  });

  it('normalizes probes', () => {
    const c = mergeConfig(
      { defaults: defaultLayer(), file: file({ probes: [{ name: 'greeting', method: 'post', path: '/g', body: { a: 1 }, jsonEquals: { 'data.x': 1 } }] }) },
      '/p',
    );
    expect(c.probes).toEqual([{ name: 'greeting', method: 'POST', path: '/g', body: { a: 1 }, expectStatus: 200, jsonEquals: { 'data.x': 1 } }]);
  });

  it('names the key, the value and the expectation', () => {
    expect(errorOf(() => mergeConfig({ defaults: defaultLayer(), file: file({ cooldown: 'abc' }) }, '/p')).message).toBe(
      'cooldown: "abc" is not a number of seconds (expected a number ≥ 0, e.g. 5) in hot-reload.config.json',
    );
    expect(errorOf(() => mergeConfig({ defaults: defaultLayer(), flags: { cooldown: '-3' } }, '/p')).message).toBe(
      '--cooldown: -3 is negative (expected a number ≥ 0, e.g. 5)',
    );
    expect(errorOf(() => mergeConfig({ defaults: defaultLayer(), env: { API_BASE_URL: 'ftp://x' } }, '/p')).message).toBe(
      'API_BASE_URL: "ftp://x" is not a valid URL (expected an http:// or https:// URL, e.g. http://localhost:8001)',
    );
  });

  it('reports unknown keys with a suggestion, and every problem at once', () => {
    const e = errorOf(() =>
      mergeConfig(
        {
          defaults: defaultLayer(),
          file: file({ cooldwn: 3, timeouts: { relaod: 3 }, probes: [{ name: 'g', method: 'FETCH', path: 'g' }], parallel: 0 }),
        },
        '/p',
      ),
    );
    expect(e.exitCode).toBe(2);
    expect(e.problems).toEqual([
      'unknown key "cooldwn" in hot-reload.config.json (did you mean "cooldown"?)',
      'unknown key "timeouts.relaod" in hot-reload.config.json (did you mean "timeouts.reload"?)',
      'probes[0].method: "FETCH" is not an HTTP method (expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS) in hot-reload.config.json',
      'probes[0].path: "g" does not start with "/" (expected a path such as "/health") in hot-reload.config.json',
      'parallel: 0 is not positive (expected a positive integer, e.g. 4) in hot-reload.config.json',
    ]);
  });

  it('rejects a missing probe field, duplicate probe names and a non-object file', () => {
    expect(errorOf(() => mergeConfig({ defaults: defaultLayer(), file: file({ probes: [{ name: 'g' }] }) }, '/p')).message).toBe(
      'probes[0].path: missing (expected a string starting with "/", e.g. "/health") in hot-reload.config.json',
    );
    expect(
      errorOf(() => mergeConfig({ defaults: defaultLayer(), file: file({ probes: [{ name: 'g', path: '/a' }, { name: 'g', path: '/b' }] }) }, '/p')).message,
    ).toBe('probes[1].name: "g" is used twice (expected unique probe names) in hot-reload.config.json');
    expect(errorOf(() => mergeConfig({ defaults: defaultLayer(), file: file([1]) }, '/p')).message).toBe(
      'hot-reload.config.json: [1] is not an object (expected a JSON object of settings, e.g. {"cooldown": 5})',
    );
  });
});

describe('advisoryChecks and endpoints.reloadModule', () => {
  it('come from the file, and --advisory-check (repeatable) wins over it', () => {
    const file = { source: 'hot-reload.config.json', data: { advisoryChecks: ['worker_sync'], endpoints: { reloadModule: '/ops/reload/{module}' } } };
    const fromFile = mergeConfig({ defaults: defaultLayer(), file }, '/p');
    expect(fromFile.advisoryChecks).toEqual(['worker_sync']);
    expect(fromFile.endpoints.reloadModule).toBe('/ops/reload/{module}');
    const { flags } = parseCli(['--advisory-check', 'mysql', '--advisory-check', 'server:redis']);
    expect(flags.advisoryCheck).toEqual(['mysql', 'server:redis']);
    expect(mergeConfig({ defaults: defaultLayer(), file, flags }, '/p').advisoryChecks).toEqual(['mysql', 'server:redis']);
  });

  it('a bad value names the key, the value and what was expected', () => {
    const bad = (data: unknown) => () => mergeConfig({ defaults: defaultLayer(), file: { source: 'c.json', data } }, '/p');
    expect(bad({ advisoryChecks: 'worker_sync' })).toThrow('advisoryChecks: "worker_sync" is not a list (expected a list of check names, e.g. ["worker_sync"]) in c.json');
    expect(bad({ endpoints: { reloadModule: '/ops/reload' } })).toThrow(
      'endpoints.reloadModule: "/ops/reload" has no {module} in it (expected a path such as "/api/v1/hot-reload/reload/{module}") in c.json',
    );
    expect(() => mergeConfig({ defaults: defaultLayer(), flags: { advisoryCheck: [''] } }, '/p')).toThrow('--advisory-check');
  });
});

describe('loadConfig (files)', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ahr-config-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads hot-reload.config.json and detects existing default dirs', async () => {
    await mkdir(path.join(tmp, 'server'));
    await mkdir(path.join(tmp, 'services'));
    await writeFile(path.join(tmp, 'hot-reload.config.json'), JSON.stringify({ cooldown: 1, modules: ['m'] }));
    const c = await loadConfig({ flags: {}, env: {}, cwd: tmp });
    expect(c.root).toBe(tmp);
    expect(c.cooldownMs).toBe(1000);
    expect(c.modules).toEqual(['m']);
    expect(c.dirs).toEqual([path.join(tmp, 'server'), path.join(tmp, 'services')]);
  });

  it('falls back to the hotReload key of package.json', async () => {
    await writeFile(path.join(tmp, 'package.json'), JSON.stringify({ name: 'x', hotReload: { apiUrl: 'http://127.0.0.1:9' } }));
    const c = await loadConfig({ flags: {}, env: {}, cwd: tmp });
    expect(c.targets[0].apiUrl).toBe('http://127.0.0.1:9');
    await writeFile(path.join(tmp, 'package.json'), JSON.stringify({ name: 'x', hotReload: { cooldown: 'x' } }));
    await expect(loadConfig({ flags: {}, env: {}, cwd: tmp })).rejects.toThrow(
      'cooldown: "x" is not a number of seconds (expected a number ≥ 0, e.g. 5) in the "hotReload" key of package.json',
    );
  });

  it('uses --config FILE with its directory as root', async () => {
    await mkdir(path.join(tmp, 'cfg'));
    await writeFile(path.join(tmp, 'cfg', 'custom.json'), JSON.stringify({ dirs: ['code'] }));
    const c = await loadConfig({ flags: { config: 'cfg/custom.json' }, env: {}, cwd: tmp });
    expect(c.root).toBe(path.join(tmp, 'cfg'));
    expect(c.dirs).toEqual([path.join(tmp, 'cfg', 'code')]);
  });

  it('reports a missing --config file and invalid JSON as ConfigError', async () => {
    await expect(loadConfig({ flags: { config: 'nope.json' }, env: {}, cwd: tmp })).rejects.toThrow(
      `--config: ${JSON.stringify(path.join(tmp, 'nope.json'))} does not exist (expected a readable JSON config file)`,
    );
    await writeFile(path.join(tmp, 'hot-reload.config.json'), '{"cooldown": ');
    const err = await loadConfig({ flags: {}, env: {}, cwd: tmp }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message.startsWith('hot-reload.config.json: not valid JSON (')).toBe(true);
  });
});
