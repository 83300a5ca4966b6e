// The agent's pure pieces: hint validation and matching, stale sets, change stamps, serve args.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasChanged, hintProblem, readStamped } from '../src/agent/versions/changes.js';
import { HintIndex } from '../src/agent/versions/hints.js';
import { staleClosure, type ModuleMap, type ModuleRecord } from '../src/agent/loading/module-graph.js';
import { isLoopback, parseServeArgs } from '../src/agent/serve/serve-args.js';
import { prepareModule, transformModule } from '../src/agent/loading/transform.js';

const LOADED = ['/srv/app/app.js', '/srv/app/routes/greeting.js', '/srv/app/routes/items.ts', '/srv/app/lib/greeting.js'];

describe('hints', () => {
  it('refuses escapes, NUL, oversize and non-strings, naming the problem', () => {
    expect(hintProblem('routes/a.js')).toBeNull();
    expect(hintProblem('..a/b..js')).toBeNull();
    expect(hintProblem('a/../b.js')).toBe("contains a '..' segment");
    expect(hintProblem('..')).toBe("contains a '..' segment");
    expect(hintProblem('a\\..\\b')).toBe("contains a '..' segment");
    expect(hintProblem('a\0')).toBe('contains a NUL byte');
    expect(hintProblem('é'.repeat(2049))).toBe('longer than 4096 bytes'); // bytes, not characters
    expect(hintProblem('x'.repeat(4096))).toBeNull();
    expect(hintProblem('')).toBe('expected a non-empty path');
    expect(hintProblem(null)).toBe('expected a string, got null');
  });

  const index = new HintIndex(LOADED, '/srv/app');
  it('matches files by path suffix in either direction, on whole segments', () => {
    expect(index.file('routes/greeting.js')).toBe('/srv/app/routes/greeting.js');
    expect(index.file('./routes\\greeting.js')).toBe('/srv/app/routes/greeting.js');
    expect(index.file('/home/me/checkout/lib/greeting.js')).toBe('/srv/app/lib/greeting.js');
    expect(index.file('/srv/app/lib/greeting.js')).toBe('/srv/app/lib/greeting.js');
    expect(index.file('app/lib/greeting.js')).toBe('/srv/app/lib/greeting.js');
    expect(index.file('eting.js')).toBeNull();
    expect(index.file('routes/items.js')).toBeNull();
  });

  it('matches module names with or without extension, dotted or slashed', () => {
    expect(index.module('routes.items')).toBe('/srv/app/routes/items.ts');
    expect(index.module('routes/items')).toBe('/srv/app/routes/items.ts');
    expect(index.module('items')).toBe('/srv/app/routes/items.ts');
    expect(index.module('lib.greeting')).toBe('/srv/app/lib/greeting.js');
    expect(index.module('routes/items.ts')).toBe('/srv/app/routes/items.ts');
    expect(index.module('nothing')).toBeNull();
  });

  it('names one module: a bare basename shared by several is ambiguous, the path under the root wins', () => {
    // the old matcher returned both greeting.js files, and every */index.js for `index.js`
    expect(index.file('greeting.js')).toBe('ambiguous');
    expect(index.module('greeting')).toBe('ambiguous');
    const withIndexes = new HintIndex(['/srv/app/index.js', '/srv/app/routes/index.js', '/srv/app/lib/db/index.js', '/srv/app/vendor/lib/db/index.js'], '/srv/app');
    expect(withIndexes.file('index.js')).toBe('/srv/app/index.js');
    expect(withIndexes.file('routes/index.js')).toBe('/srv/app/routes/index.js');
    expect(withIndexes.file('db/index.js')).toBe('ambiguous');
    expect(withIndexes.file('lib/db/index.js')).toBe('/srv/app/lib/db/index.js');
    // another checkout of the same project: the longest tail that is a path under the root
    expect(withIndexes.file('/home/me/app/routes/index.js')).toBe('/srv/app/routes/index.js');
    expect(withIndexes.file('/home/me/app/index.js')).toBe('/srv/app/index.js');
    const noRootIndex = new HintIndex(['/srv/app/a/index.js', '/srv/app/b/index.js'], '/srv/app');
    expect(noRootIndex.file('index.js')).toBe('ambiguous');
    expect(noRootIndex.module('index')).toBe('ambiguous');
  });

  it('matches 200,000 hints against 5,000 modules by lookup', () => {
    const files = Array.from({ length: 5000 }, (_, i) => `/srv/app/pkg${i % 50}/mod${i}/index.js`);
    const big = new HintIndex(files, '/srv/app');
    const hints = Array.from({ length: 200_000 }, (_, i) => (i % 2 ? `pkg${i % 50}/mod${i % 5000}/index.js` : `x/${i}.js`));
    const matched = hints.map((h) => big.file(h)).filter((f) => f !== null && f !== 'ambiguous');
    expect(matched.length).toBe(100_000);
  });
});

describe('staleClosure', () => {
  const rec = (file: string, deps: string[]) => ({ file, deps: new Set(deps) }) as unknown as ModuleRecord;
  const graph: ModuleMap = new Map(
    [rec('app', ['a', 'b']), rec('a', ['leaf']), rec('b', ['c']), rec('c', []), rec('leaf', []), rec('x', ['x2']), rec('x2', ['x'])].map((r) => [r.file, r]),
  );
  it('adds every transitive importer and nothing else', () => {
    expect([...staleClosure(graph, ['leaf'])].sort()).toEqual(['a', 'app', 'leaf']);
    expect([...staleClosure(graph, ['c'])].sort()).toEqual(['app', 'b', 'c']);
    expect([...staleClosure(graph, [])]).toEqual([]);
    expect([...staleClosure(graph, ['x'])].sort()).toEqual(['x', 'x2']); // cycles terminate
  });
});

describe('change stamps', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sees a same-size edit within the timestamp granularity, and ignores a touch', () => {
    dir = mkdtempSync(join(tmpdir(), 'ahr-stamp-'));
    const f = join(dir, 'a.js');
    writeFileSync(f, 'export const a = 1;\n');
    const fixed = new Date('2020-01-01T00:00:00Z');
    utimesSync(f, fixed, fixed);
    const { stamp } = readStamped(f);
    expect(hasChanged(f, stamp)).toBe(false);
    // same size, same mtime (a coarse file system): only the content tells
    writeFileSync(f, 'export const a = 2;\n');
    utimesSync(f, fixed, fixed);
    expect(hasChanged(f, stamp)).toBe(false); // modified long before it was read: stat is trusted
    // modified just before it was read ("racy"): the content is compared
    const now = new Date();
    utimesSync(f, now, now);
    const racy = readStamped(f).stamp;
    writeFileSync(f, 'export const a = 3;\n');
    utimesSync(f, now, now);
    expect(hasChanged(f, racy)).toBe(true);
    // a touch without an edit is not a change
    const touched = readStamped(f).stamp;
    const later = new Date(now.getTime() + 60_000);
    utimesSync(f, later, later);
    expect(hasChanged(f, touched)).toBe(false);
    rmSync(f);
    expect(hasChanged(f, touched)).toBe(true);
  });
});

describe('serve arguments', () => {
  it('defaults to loopback port 8001 and keeps 5 versions', () => {
    expect(parseServeArgs(['app.js'], {})).toEqual({
      file: 'app.js',
      port: 8001,
      portGiven: false,
      appArgs: [],
      readyTimeoutMs: 10_000,
      graceMs: 10_000,
      host: '127.0.0.1',
      token: undefined,
      keep: 5,
      prefix: undefined,
      allowOrigins: [],
      allowHosts: ['127.0.0.1'],
      loadTimeoutMs: 5000,
    });
    // what follows `--` is the app's own argv, untouched
    expect(parseServeArgs(['app.js', '--port', '3000', '--ready-timeout', '2.5', '--grace=1', '--', '--port', 'x'], {})).toMatchObject({
      port: 3000, portGiven: true, readyTimeoutMs: 2500, graceMs: 1000, appArgs: ['--port', 'x'],
    });
    expect(() => parseServeArgs(['app.js', '--grace', '0'], {})).toThrow('--grace: expected a number of seconds above 0, up to 3600, got "0"');
    expect(parseServeArgs(['--port=0', 'app.ts', '--keep', '2', '--token', 't'], {})).toMatchObject({ file: 'app.ts', port: 0, keep: 2, token: 't' });
    expect(parseServeArgs(['app.js', '--load-timeout', '250'], {})).toMatchObject({ loadTimeoutMs: 250 });
    expect(parseServeArgs(['app.js', '--load-timeout', '0'], {})).toMatchObject({ loadTimeoutMs: 0 });
    expect(() => parseServeArgs(['app.js', '--load-timeout', '-1'], {})).toThrow('--load-timeout: expected an integer from 0 to 3600000, got "-1"');
    expect(parseServeArgs(['app.js', '--host', '0.0.0.0'], { HOT_RELOAD_TOKEN: 'env' })).toMatchObject({ host: '0.0.0.0', token: 'env' });
    // an IPv6 literal with brackets, as in a URL; the bound host is an accepted Host, a wildcard is not
    expect(parseServeArgs(['app.js', '--host', '[::1]'], {})).toMatchObject({ host: '::1', allowHosts: ['::1'] });
    expect(parseServeArgs(['app.js', '--host', '0.0.0.0', '--token', 't', '--allow-host', 'app.test', '--allow-origin=http://localhost:5173', '--allow-origin', 'https://x.test'], {})).toMatchObject({
      allowHosts: ['app.test'],
      allowOrigins: ['http://localhost:5173', 'https://x.test'],
    });
    expect(() => parseServeArgs(['app.js', '--allow-origin', '*'], {})).toThrow('--allow-origin: "*" would let every web page reload the service; name each origin (http://host:port)');
    expect(() => parseServeArgs(['app.js', '--allow-host', 'x.test:80'], {})).toThrow('--allow-host: expected a host name or address without port, got "x.test:80"');
  });

  it('names the bad value and what was expected', () => {
    expect(() => parseServeArgs(['app.js', '--port', '70000'], {})).toThrow('--port: expected an integer from 0 to 65535, got "70000"');
    expect(() => parseServeArgs(['app.js', '--keep', '0'], {})).toThrow('--keep: expected an integer from 1 to 1000, got "0"');
    expect(() => parseServeArgs(['app.js', '--port'], {})).toThrow('--port expects a value');
    expect(() => parseServeArgs(['a.js', 'b.js'], {})).toThrow('expected one FILE, got 2: a.js b.js');
    expect(() => parseServeArgs(['app.js', '--host', '192.168.1.5'], {})).toThrow(/non-loopback host 192\.168\.1\.5 without a token/);
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1'].map(isLoopback)).toEqual([false, false, false, false, false]);
  });
});

describe('transform cache', () => {
  it('shares one background transform per content and reports a prepared syntax error as the direct path does', async () => {
    const file = '/virtual/units/broken.ts';
    const good = 'export const n: number = 1;\n';
    await Promise.all([prepareModule(file, good, 'h1'), prepareModule(file, good, 'h1')]);
    const first = transformModule(file, 'not what was prepared', 'h1'); // served from the cache by hash
    expect(first.code).toContain('n = 1');
    const bad = 'export const n = ;\n';
    let direct: unknown;
    try {
      transformModule(`${file}.direct.ts`, bad, 'h2');
    } catch (err) {
      direct = err;
    }
    await prepareModule(file, bad, 'h2');
    let prepared: unknown;
    try {
      transformModule(file, good, 'h2'); // by hash: the prepared (broken) content is what counts
    } catch (err) {
      prepared = err;
    }
    expect(prepared).toBeInstanceOf(Error);
    const where = prepared as { message: string; file: string; line: number; column: number };
    expect({ message: where.message, file: where.file, line: where.line, column: where.column }).toEqual({
      message: (direct as Error).message,
      file,
      line: 1,
      column: 18,
    });
  });
});
