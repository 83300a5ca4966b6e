// The agent's pure pieces: hint validation and matching, stale sets, change stamps, serve args.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasChanged, hintProblem, matchFileHint, matchModuleHint, readStamped } from '../src/agent/changes.js';
import { staleClosure, type ModuleMap, type ModuleRecord } from '../src/agent/module-graph.js';
import { isLoopback, parseServeArgs } from '../src/agent/serve-args.js';
import { prepareModule, transformModule } from '../src/agent/transform.js';

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

  it('matches files by path suffix in either direction, on whole segments', () => {
    expect(matchFileHint('routes/greeting.js', LOADED, '/srv/app')).toEqual(['/srv/app/routes/greeting.js']);
    expect(matchFileHint('greeting.js', LOADED, '/srv/app')).toEqual(['/srv/app/routes/greeting.js', '/srv/app/lib/greeting.js']);
    expect(matchFileHint('./routes\\greeting.js', LOADED, '/srv/app')).toEqual(['/srv/app/routes/greeting.js']);
    expect(matchFileHint('/home/me/checkout/lib/greeting.js', LOADED, '/srv/app')).toEqual(['/srv/app/lib/greeting.js']);
    expect(matchFileHint('eting.js', LOADED, '/srv/app')).toEqual([]);
    expect(matchFileHint('routes/items.js', LOADED, '/srv/app')).toEqual([]);
  });

  it('matches module names with or without extension, dotted or slashed', () => {
    expect(matchModuleHint('routes.items', LOADED, '/srv/app')).toEqual(['/srv/app/routes/items.ts']);
    expect(matchModuleHint('routes/items', LOADED, '/srv/app')).toEqual(['/srv/app/routes/items.ts']);
    expect(matchModuleHint('items', LOADED, '/srv/app')).toEqual(['/srv/app/routes/items.ts']);
    expect(matchModuleHint('lib.greeting', LOADED, '/srv/app')).toEqual(['/srv/app/lib/greeting.js']);
    expect(matchModuleHint('routes/items.ts', LOADED, '/srv/app')).toEqual(['/srv/app/routes/items.ts']);
    expect(matchModuleHint('nothing', LOADED, '/srv/app')).toEqual([]);
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
      file: 'app.js', port: 8001, portGiven: false, appArgs: [], readyTimeoutMs: 10_000, graceMs: 10_000, host: '127.0.0.1', token: undefined, keep: 5, prefix: undefined,
    });
    // what follows `--` is the app's own argv, untouched
    expect(parseServeArgs(['app.js', '--port', '3000', '--ready-timeout', '2.5', '--grace=1', '--', '--port', 'x'], {})).toMatchObject({
      port: 3000, portGiven: true, readyTimeoutMs: 2500, graceMs: 1000, appArgs: ['--port', 'x'],
    });
    expect(() => parseServeArgs(['app.js', '--grace', '0'], {})).toThrow('--grace: expected a number of seconds above 0, up to 3600, got "0"');
    expect(parseServeArgs(['--port=0', 'app.ts', '--keep', '2', '--token', 't'], {})).toMatchObject({ file: 'app.ts', port: 0, keep: 2, token: 't' });
    expect(parseServeArgs(['app.js', '--host', '0.0.0.0'], { HOT_RELOAD_TOKEN: 'env' })).toMatchObject({ host: '0.0.0.0', token: 'env' });
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
