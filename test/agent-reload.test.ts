// In-process agents over real HTTP: what a reload loads, keeps, refuses and rolls back.
import { statSync, utimesSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { latestSourceMap } from '../src/agent/loading/transform.js';
import { appDir, call, PREFIX, serveInProcess, type AppDir, type Served } from './helpers/agent-fixture.js';

const APP = `
import { greet } from './routes/greeting.js';
import { hit } from './counter.js';
export const checks = { greeting: async () => greet().length > 0 };
export default function (req, res) {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ greeting: greet(), hits: hit() }));
}
`;
const COUNTER = `let hits = 0;\nexport const hit = () => ++hits;\n`;
const greeting = (word: string) => `export const greet = () => '${word}';\n`;

let app: AppDir;
let served: Served;

async function start(files: Record<string, string>, entry = 'app.js', extra: { keep?: number; nodeModules?: boolean } = {}) {
  app = appDir(files, { nodeModules: extra.nodeModules });
  served = await serveInProcess({ entry: app.path(entry), root: app.dir, keep: extra.keep });
  return served;
}
const reload = (body: unknown = {}) => call(`${served.base}${PREFIX}/reload-all`, { method: 'POST', body });
const get = (path = '/') => call(`${served.base}${path}`);

afterEach(async () => {
  await served?.close();
  app?.cleanup();
});

describe('reload', () => {
  it('serves the new code of a changed module and keeps the state of unchanged ones', async () => {
    await start({ 'app.js': APP, 'counter.js': COUNTER, 'routes/greeting.js': greeting('hello') });
    expect((await get()).body).toEqual({ greeting: 'hello', hits: 1 });
    expect((await get()).body).toEqual({ greeting: 'hello', hits: 2 });
    app.write('routes/greeting.js', greeting('bonjour'));
    const r = await reload();
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, activated: true, version: 2, previous_version: 1, failed_modules: [] });
    // exactly the changed file and its importer; counter.js is reused as it is
    expect([...r.body.reloaded_modules].sort()).toEqual(['app.js', 'routes/greeting.js']);
    expect(typeof r.body.duration_ms).toBe('number');
    expect((await get()).body).toEqual({ greeting: 'bonjour', hits: 3 });
  });

  it('answers nothing changed, activating no version, when no file changed', async () => {
    await start({ 'app.js': APP, 'counter.js': COUNTER, 'routes/greeting.js': greeting('hello') });
    const r = await reload();
    expect(r.body).toEqual({
      success: true,
      message: 'nothing changed',
      reloaded_modules: [],
      failed_modules: [],
      version: 1,
      previous_version: 1,
      activated: false,
      duration_ms: r.body.duration_ms,
    });
    expect(served.agent.status().versions_kept).toEqual([1]);
  });

  it('reloads only the importers of a leaf that changed, not its siblings', async () => {
    await start({
      'app.js': `import { a } from './a.js';\nimport { b } from './b.js';\nexport default (q, s) => s.end(a() + b());\n`,
      'a.js': `import { leaf } from './leaf.js';\nexport const a = () => 'a' + leaf;\n`,
      'b.js': `export const b = () => 'b';\n`,
      'leaf.js': `export const leaf = 1;\n`,
    });
    app.write('leaf.js', `export const leaf = 2;\n`);
    const r = await reload();
    expect([...r.body.reloaded_modules].sort()).toEqual(['a.js', 'app.js', 'leaf.js']);
    expect((await get()).body).toBe('a2b');
  });

  it('matches files and modules hints by path suffix, whatever the client root, and reloads only changed content', async () => {
    await start({ 'app.js': APP, 'counter.js': COUNTER, 'routes/greeting.js': greeting('hello') });
    expect((await get()).body).toEqual({ greeting: 'hello', hits: 1 });
    // named but unchanged on disk: nothing is re-evaluated, the counter keeps counting
    for (const hint of [{ files: ['/home/someone/project/routes/greeting.js'] }, { files: ['./greeting.js'] }, { modules: ['routes.greeting'] }, { modules: ['counter'] }]) {
      expect((await reload(hint)).body).toMatchObject({ success: true, activated: false, version: 1, reloaded_modules: [] });
    }
    expect((await get()).body).toEqual({ greeting: 'hello', hits: 2 });
    // a same-size edit whose mtime was put back: the stat says unchanged, the named file is
    // compared by content
    const { mtime } = statSync(app.path('routes/greeting.js'));
    app.write('routes/greeting.js', greeting('HELLO'));
    utimesSync(app.path('routes/greeting.js'), mtime, mtime);
    const foreign = await reload({ files: ['/home/someone/project/routes/greeting.js'] });
    expect(foreign.body).toMatchObject({ activated: true, version: 2 });
    expect([...foreign.body.reloaded_modules].sort()).toEqual(['app.js', 'routes/greeting.js']);
    expect((await get()).body).toEqual({ greeting: 'HELLO', hits: 3 });
    const unrelated = await reload({ files: ['routes/other.js', 'eeting.js'] });
    expect(unrelated.body).toMatchObject({ activated: false, version: 2, reloaded_modules: [] });
  });

  it('loads a new file that a changed module starts importing', async () => {
    await start({ 'app.js': APP, 'counter.js': COUNTER, 'routes/greeting.js': greeting('hello') });
    app.write('routes/word.ts', `export const word: string = 'typed';\n`);
    app.write('routes/greeting.js', `import { word } from './word.js';\nexport const greet = () => word;\n`);
    const r = await reload({ files: ['routes/greeting.js'] });
    expect([...r.body.reloaded_modules].sort()).toEqual(['app.js', 'routes/greeting.js', 'routes/word.ts']);
    expect((await get()).body.greeting).toBe('typed');
  });

  it('keeps the old version serving on a syntax error and names the file and line', async () => {
    await start({ 'app.js': APP, 'counter.js': COUNTER, 'routes/greeting.js': greeting('hello') });
    app.write('routes/greeting.js', `export const greet = () => 'x';\n\nconst broken = ;\n`);
    const r = await reload();
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      success: false,
      activated: false,
      version: 1,
      reloaded_modules: [],
      failed_modules: ['routes/greeting.js'],
      error: { file: app.path('routes/greeting.js'), line: 3, column: 16 },
    });
    expect(r.body.error.message).toContain('Unexpected');
    expect((await get()).body.greeting).toBe('hello');
    expect(served.agent.status().last_reload).toMatchObject({ ok: false, version: 1 });
  });

  it('points a throwing top-level statement at the user line, in TypeScript too', async () => {
    await start({ 'app.js': APP, 'counter.js': COUNTER, 'routes/greeting.js': greeting('hello') });
    app.write('routes/word.ts', `type T = { a: number };\nimport { x } from './none-needed.js';\n\nconst t: T = { a: 1 };\nthrow new RangeError('bad word ' + t.a);\nexport const word = 'w';\n`);
    app.write('routes/greeting.js', `import { word } from './word.js';\nexport const greet = () => word;\n`);
    const r = await reload();
    expect(r.body.success).toBe(false);
    // the unused import is elided by TypeScript semantics, so the throw is what fails
    expect(r.body.error).toMatchObject({ message: 'RangeError: bad word 1', file: app.path('routes/word.ts'), line: 5, column: 7 });
    expect(r.body.error.stack).toContain(`${app.path('routes/word.ts')}:5:7`);
    expect(r.body.error.stack).not.toContain('src/agent');
    expect((await get()).body.greeting).toBe('hello');
  });

  it('does not activate a version whose check fails or throws', async () => {
    await start({ 'app.js': APP, 'counter.js': COUNTER, 'routes/greeting.js': greeting('hello') });
    app.write('routes/greeting.js', greeting(''));
    const failed = await reload();
    expect(failed.body).toMatchObject({ success: false, activated: false, version: 1, error: { message: 'check "greeting" failed: returned false' } });
    app.write('app.js', APP.replace('greet().length > 0', "(() => { throw new Error('db down'); })()"));
    const threw = await reload();
    expect(threw.body).toMatchObject({ success: false, activated: false, version: 1, error: { message: 'check "greeting" failed: db down', file: app.path('app.js'), line: 4 } });
    expect((await get()).body.greeting).toBe('hello');
    const verify = await call(`${served.base}${PREFIX}/verify`, { method: 'POST' });
    expect(verify.body).toEqual({ success: true, checks: { greeting: { ok: true, detail: 'ok' } } });
  });

  it('rolls back instantly to the previous version, honouring from_version', async () => {
    await start({ 'app.js': APP, 'counter.js': COUNTER, 'routes/greeting.js': greeting('one') });
    app.write('routes/greeting.js', greeting('two'));
    expect((await reload()).body.version).toBe(2);
    app.write('routes/greeting.js', greeting('three'));
    expect((await reload()).body.version).toBe(3);
    const rollback = (body?: unknown) => call(`${served.base}${PREFIX}/rollback`, { method: 'POST', body });
    const wrong = await rollback({ from_version: 2 });
    expect(wrong).toEqual({ status: 409, body: { success: false, message: 'from_version 2 is not the active version 3; nothing rolled back' } });
    expect(await rollback({ from_version: 3 })).toEqual({
      status: 200,
      body: { success: true, message: 'rolled back from version 3 to 2', version: 2, rolled_back_from: 3 },
    });
    expect((await get()).body.greeting).toBe('two');
    expect((await rollback()).body).toMatchObject({ success: true, version: 1, rolled_back_from: 2 });
    expect((await get()).body.greeting).toBe('one');
    const none = await rollback();
    expect(none).toEqual({ status: 409, body: { success: false, message: 'nothing to roll back: version 1 is the oldest version kept' } });
    // rollback never touched the file: the disk still holds "three", and the next reload serves it as version 4
    const again = await reload();
    expect(again.body).toMatchObject({ activated: true, version: 4, previous_version: 1 });
    expect((await get()).body.greeting).toBe('three');
  });

  it('keeps only `keep` versions', async () => {
    await start({ 'app.js': APP, 'counter.js': COUNTER, 'routes/greeting.js': greeting('w0') }, 'app.js', { keep: 3 });
    for (let i = 1; i <= 5; i++) {
      app.write('routes/greeting.js', greeting(`w${i}`));
      expect((await reload()).body.version).toBe(i + 1);
    }
    expect(served.agent.status().versions_kept).toEqual([4, 5, 6]);
  });

  it('lets requests that started on a version finish on it', async () => {
    await start({
      'app.js': `import { word } from './word.js';\nexport default (req, res) => { const w = word; setTimeout(() => res.end(w + ':' + word), 150); };\n`,
      'word.js': `export const word = 'old';\n`,
    });
    const slow = get();
    await new Promise((r) => setTimeout(r, 30));
    app.write('word.js', `export const word = 'new';\n`);
    expect((await reload()).body.activated).toBe(true);
    expect((await get()).body).toBe('new:new');
    expect((await slow).body).toBe('old:old');
  });

  it('serializes concurrent reloads', async () => {
    await start({ 'app.js': APP, 'counter.js': COUNTER, 'routes/greeting.js': greeting('a') });
    app.write('routes/greeting.js', greeting('b'));
    const results = await Promise.all(Array.from({ length: 6 }, () => reload({ modules: ['greeting'] })));
    // the first activated version 2; each later one ran after it had finished and found nothing to do
    expect(results.filter((r) => r.body.activated).length).toBe(1);
    expect(results.map((r) => r.body.version)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(results.map((r) => r.body.previous_version).sort((a, b) => a - b)).toEqual([1, 2, 2, 2, 2, 2]);
    expect(served.agent.status().state).toBe('idle');
  });

  it('runs CommonJS entries and dynamic import() of local files', async () => {
    await start({
      'app.cjs': `const { word } = require('./word.cjs');\nmodule.exports = async (req, res) => { const m = await import('./late.mjs'); res.end(word + m.default); };\nmodule.exports.checks = { word: () => word === 'cjs' };\n`,
      'word.cjs': `exports.word = 'cjs';\n`,
      'late.mjs': `export default '+esm';\n`,
    }, 'app.cjs');
    expect((await get()).body).toBe('cjs+esm');
    expect((await call(`${served.base}${PREFIX}/verify`, { method: 'POST' })).body).toEqual({ success: true, checks: { word: { ok: true, detail: 'ok' } } });
    app.write('late.mjs', `export default '+esm2';\n`);
    const r = await reload();
    // the importer is re-evaluated; the lazily imported file loads fresh on its next import()
    expect(r.body.reloaded_modules).toEqual(['app.cjs']);
    expect((await get()).body).toBe('cjs+esm2');
  });

  it('runs .mts entries with .cts and JSON imports, and reloads the JSON', async () => {
    await start({
      'app.mts': `import data from './data.json';\nimport helper = require('./helper.cjs');\nexport default (_q: unknown, s: { end(x: string): void }) => s.end(helper.tag + data.name);\n`,
      'helper.cts': `export const tag: string = '#';\n`,
      'data.json': `{ "name": "first" }\n`,
    }, 'app.mts');
    expect((await get()).body).toBe('#first');
    app.write('data.json', `{ "name": "second" }\n`);
    const r = await reload();
    expect([...r.body.reloaded_modules].sort()).toEqual(['app.mts', 'data.json']); // helper.cts (found for ./helper.cjs) is kept
    expect((await get()).body).toBe('#second');
    app.write('data.json', `{ "name": `);
    const bad = await reload();
    expect(bad.body).toMatchObject({ success: false, failed_modules: ['data.json'], error: { file: app.path('data.json') } });
    expect(bad.body.error.message).toMatch(/^SyntaxError: /);
  });

  it('accepts a Koa-style app object and refuses a default export that is no listener', async () => {
    await start({ 'app.js': `export default { callback: () => (req, res) => res.end('koa-ish') };\n` });
    expect((await get()).body).toBe('koa-ish');
    app.write('app.js', `export default 42;\n`);
    const r = await reload();
    expect(r.body).toMatchObject({
      success: false,
      activated: false,
      error: { message: 'the default export of app.js must be a request listener ((req, res) => …), got number', file: app.path('app.js') },
    });
    expect((await get()).body).toBe('koa-ish');
  });

  it('serves an Express app and reloads its routes', async () => {
    await start({
      'app.ts': `import express from 'express';\nimport { route } from './route.js';\nconst app = express();\napp.get('/hi', (_req, res) => { res.json({ hi: route() }); });\nexport default app;\n`,
      'route.ts': `export function route(): string { return 'v1'; }\n`,
    }, 'app.ts', { nodeModules: true });
    expect((await get('/hi')).body).toEqual({ hi: 'v1' });
    app.write('route.ts', `export function route(): string { return 'v2'; }\n`);
    expect((await reload()).body.activated).toBe(true);
    expect((await get('/hi')).body).toEqual({ hi: 'v2' });
  });

  it('answers /health itself unless the app exports handlesHealth', async () => {
    await start({ 'app.js': `export const handlesHealth = false;\nexport default (req, res) => res.end('app:' + req.url);\n` });
    expect(await get('/health')).toEqual({ status: 200, body: { status: 'ok', version: 1, boot_id: served.agent.bootId, pid: process.pid } });
    app.write('app.js', `export const handlesHealth = true;\nexport default (req, res) => res.end('app:' + req.url);\n`);
    await reload();
    expect(await get('/health')).toEqual({ status: 200, body: 'app:/health' });
  });

  it('does not keep a half-initialized module that threw, and fails loudly on a deleted import', async () => {
    await start({
      'app.js': `import { word } from './word.js';\nexport default (req, res) => {\n  try { res.end(word + require('./flaky.cjs').v); } catch (e) { res.end('caught ' + e.message); }\n};\n`,
      'word.js': `export const word = 'w';\n`,
      'flaky.cjs': `if (!globalThis.__flakyOk) throw new Error('not yet');\nexports.v = 1;\n`,
    });
    expect((await get()).body).toBe('caught not yet');
    (globalThis as { __flakyOk?: boolean }).__flakyOk = true;
    try {
      expect((await get()).body).toBe('w1');
    } finally {
      delete (globalThis as { __flakyOk?: boolean }).__flakyOk;
    }
    app.cleanup(); // the whole app disappears from disk
    const r = await reload();
    expect(r.body).toMatchObject({ success: false, activated: false, version: 1, error: { file: app.path('app.js') } });
    expect(r.body.error.message).toContain('ENOENT');
    expect((await get()).body).toBe('w1');
  });

  it('serves the API under a custom prefix and refuses a bad one', async () => {
    app = appDir({ 'app.js': `export default (req, res) => res.end('app');\n` });
    served = await serveInProcess({ entry: app.path('app.js'), prefix: '/ops/reload/' });
    expect((await call(`${served.base}/ops/reload/status`)).body.status.version).toBe(1);
    expect((await call(`${served.base}${PREFIX}/status`)).body).toBe('app');
    await expect(serveInProcess({ entry: app.path('app.js'), prefix: '/' })).rejects.toThrow(
      'prefix: expected a path of at least one segment starting with "/", got "/"',
    );
    await expect(serveInProcess({ entry: app.path('nope.js') })).rejects.toThrow(`entry: no such file: ${app.path('nope.js')}`);
    await expect(serveInProcess({ entry: app.path('app.js'), keep: 0 })).rejects.toThrow('keep: expected an integer from 1 to 1000, got 0');
  });

  it('transforms a saved module in the background, before the reload asks for it', async () => {
    await start({ 'app.js': APP, 'counter.js': COUNTER, 'routes/greeting.js': greeting('hello') });
    const file = app.path('routes/greeting.js');
    app.write('routes/greeting.js', greeting('prewarmed'));
    // bounded wait for the file-system event and esbuild's answer
    for (let i = 0; i < 250 && !latestSourceMap(file)?.includes('prewarmed'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(latestSourceMap(file)).toContain('prewarmed');
    expect((await get()).body.greeting).toBe('hello'); // prepared, not activated
    expect((await reload()).body.activated).toBe(true);
    expect((await get()).body.greeting).toBe('prewarmed');
  });

  it('keeps pid and boot id across 1,000 reloads', async () => {
    await start({ 'app.js': APP, 'counter.js': COUNTER, 'routes/greeting.js': greeting('w') });
    const before = served.agent.status();
    for (let i = 1; i <= 1000; i++) {
      app.write('routes/greeting.js', greeting(`w${i}`));
      const r = await served.agent.reload({ files: ['routes/greeting.js'] });
      if (!r.activated) throw new Error(`reload ${i} failed: ${r.message}`);
    }
    const after = (await call(`${served.base}${PREFIX}/status`)).body.status;
    expect(after).toMatchObject({ version: 1001, pid: before.pid, boot_id: before.boot_id, started_at: before.started_at });
    expect((await get()).body).toEqual({ greeting: 'w1000', hits: 1 });
    // 1,000 loads, each bounded by a watchdog thread: on a loaded 2-core machine this runs
    // past the default 20 s; what it asserts is pid and boot id, not speed
  }, 60_000);
});

describe('.mjs and .mts modules import as under node', () => {
  it('a default import is the default export (local ESM, a CommonJS package), named imports too, before and after a reload', async () => {
    await start(
      {
        'app.mjs': `import word, { n } from './word.mjs';
import size from './size.mts';
import express from 'express';
export default function (req, res) {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ word, n, size, express: typeof express, router: typeof express.Router }));
}
`,
        'word.mjs': `export default 'one';\nexport const n = 1;\n`,
        'size.mts': `const size: number = 10;\nexport default size;\n`,
      },
      'app.mjs',
      { nodeModules: true },
    );
    expect((await get()).body).toEqual({ word: 'one', n: 1, size: 10, express: 'function', router: 'function' });
    app.write('word.mjs', `export default 'two';\nexport const n = 2;\n`);
    expect((await reload()).body.activated).toBe(true);
    expect((await get()).body).toEqual({ word: 'two', n: 2, size: 10, express: 'function', router: 'function' });
  });
});
