// Module lifecycle on real apps under in-process agents: each module's side effects exist
// exactly once (the active version's) through reloads and rollbacks, state carried with
// import.meta.hot, and loading that cannot take the service down.
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { appDir, call, PREFIX, serveInProcess, type AppDir, type Served } from './helpers/agent-fixture.js';

let app: AppDir;
let served: Served;

async function start(files: Record<string, string>, extra: { loadTimeoutMs?: number; keep?: number } = {}) {
  app = appDir(files);
  served = await serveInProcess({ entry: app.path('app.js'), root: app.dir, prewarm: false, ...extra });
  return served;
}
const reload = () => call(`${served.base}${PREFIX}/reload-all`, { method: 'POST', body: {} });
const rollback = () => call(`${served.base}${PREFIX}/rollback`, { method: 'POST', body: {} });
const get = (path = '/') => call(`${served.base}${path}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type TestGlobals = { __ahrTicks?: string[]; __ahrKeep?: unknown[] };
const g = globalThis as TestGlobals;

afterEach(async () => {
  await served?.close();
  app?.cleanup();
  delete g.__ahrTicks;
  delete g.__ahrKeep;
});

// A module with every kind of side effect the agent releases: an interval, a timer chain,
// a process listener and a listener on an emitter of a module that is not reloaded.
const bus = `import { EventEmitter } from 'node:events';\nexport const bus = new EventEmitter();\n`;
const worker = (tag: string) => `import { bus } from './bus.js';
const ticks = (globalThis.__ahrTicks ??= []);
setInterval(() => ticks.push('interval:${tag}'), 5);
const chain = () => { ticks.push('chain:${tag}'); setTimeout(chain, 5); };
setTimeout(chain, 5);
process.on('SIGUSR2', () => ticks.push('signal:${tag}'));
bus.on('ping', (reply) => reply('${tag}'));
export const tag = '${tag}';
`;
const entry = `import { bus } from './bus.js';
import { tag } from './worker.js';
export default (req, res) => {
  const replies = [];
  bus.emit('ping', (t) => replies.push(t));
  res.end(JSON.stringify({ tag, replies, sigusr2: process.listenerCount('SIGUSR2') }));
};
`;

async function tickers(): Promise<string[]> {
  g.__ahrTicks!.length = 0;
  await sleep(40);
  return [...new Set(g.__ahrTicks)].sort();
}

describe('side effects exist exactly once, the active version\'s', () => {
  it('keeps intervals, timer chains, process and shared-emitter listeners constant through 50 reloads and rollbacks', async () => {
    const baseSignals = process.listenerCount('SIGUSR2');
    await start({ 'app.js': entry, 'bus.js': bus, 'worker.js': worker('v1') });
    let expected = 'v1';
    const history = ['v1'];
    for (let i = 2; i <= 51; i++) {
      if (i % 5 === 0 && history.length > 1) {
        const r = await rollback();
        expect(r.body.success).toBe(true);
        history.pop();
        expected = history[history.length - 1];
      } else {
        app.write('worker.js', worker(`v${i}`));
        const r = await reload();
        expect(r.body).toMatchObject({ success: true, activated: true });
        expect(r.body.not_released).toBeUndefined();
        expected = `v${i}`;
        history.push(expected);
      }
      const body = (await get()).body;
      expect(body).toEqual({ tag: expected, replies: [expected], sigusr2: baseSignals + 1 });
      expect(process.listenerCount('SIGUSR2')).toBe(baseSignals + 1);
    }
    // only the active version's timers still run, and each of them once
    expect(await tickers()).toEqual([`chain:${expected}`, `interval:${expected}`]);
    process.emit('SIGUSR2' as never);
    expect(g.__ahrTicks!.filter((t) => t.startsWith('signal:'))).toEqual([`signal:${expected}`]);
  });

  it('re-establishes released side effects on rollback, from the kept code, not from disk', async () => {
    await start({ 'app.js': entry, 'bus.js': bus, 'worker.js': worker('v1') });
    app.write('worker.js', worker('v2'));
    expect((await reload()).body.version).toBe(2);
    expect(await tickers()).toEqual(['chain:v2', 'interval:v2']);
    app.write('worker.js', `throw new Error('this file must not be read by a rollback');\n`);
    const r = await rollback();
    expect(r.body).toMatchObject({ success: true, version: 1, rolled_back_from: 2 });
    expect(await tickers()).toEqual(['chain:v1', 'interval:v1']);
    expect((await get()).body).toMatchObject({ tag: 'v1', replies: ['v1'] });
  });

  it('releases what a failed load created and leaves the old version whole', async () => {
    const baseSignals = process.listenerCount('SIGUSR2');
    await start({ 'app.js': entry, 'bus.js': bus, 'worker.js': worker('v1') });
    app.write('worker.js', `${worker('bad')}\nthrow new Error('boom after side effects');\n`);
    const r = await reload();
    expect(r.body).toMatchObject({ success: false, activated: false, version: 1 });
    expect(r.body.error).toMatchObject({ message: 'boom after side effects', file: app.path('worker.js'), line: 10 });
    expect(await tickers()).toEqual(['chain:v1', 'interval:v1']);
    expect((await get()).body).toEqual({ tag: 'v1', replies: ['v1'], sigusr2: baseSignals + 1 });
  });

  it('lets a request in flight finish on a timer of the version it started with', async () => {
    await start({
      'app.js': `import { word } from './word.js';\nexport default (req, res) => { setTimeout(() => res.end(word), 100); };\n`,
      'word.js': `export const word = 'old';\n`,
    });
    const slow = get();
    await sleep(30);
    app.write('word.js', `export const word = 'new';\n`);
    app.write('app.js', `import { word } from './word.js';\nexport default (req, res) => { setTimeout(() => res.end(word + '!'), 1); };\n`);
    expect((await reload()).body.activated).toBe(true);
    expect((await get()).body).toBe('new!');
    expect((await slow).body).toBe('old');
  });
});

describe('import.meta.hot', () => {
  // a knex/Sequelize-style pool: real TCP connections to a local server, acquired and released
  const pool = `import { connect } from 'node:net';
export function createPool(port, size) {
  const idle = [];
  for (let i = 0; i < size; i++) idle.push(connect(port, '127.0.0.1').on('error', () => {}));
  return {
    async query(text) {
      const socket = idle.shift();
      if (!socket) throw new Error('pool exhausted');
      try {
        return await new Promise((ok, fail) => {
          socket.once('error', fail);
          socket.once('data', (d) => { socket.off('error', fail); ok(String(d)); });
          socket.write(text + '\\n');
        });
      } finally {
        idle.push(socket);
      }
    },
    end: () => idle.forEach((s) => s.destroy()),
    errorListeners: () => idle.map((s) => s.listenerCount('error')),
  };
}
`;
  const db = (port: number, n: number, keep: boolean) => `import { createPool } from './pool.js';
// revision ${n}
${keep ? `export const pool = (import.meta.hot.data.pool ??= createPool(${port}, 3));
import.meta.hot.dispose((data) => { data.pool = pool; });` : `export const pool = createPool(${port}, 3);`}
`;
  const appCode = `import { pool } from './db.js';
export default async (req, res) => res.end(req.url === '/listeners' ? JSON.stringify(pool.errorListeners()) : await pool.query('SELECT 1'));
`;

  async function tcpServer(): Promise<{ server: TcpServer; port: number; open: () => number; close: () => Promise<void> }> {
    const sockets = new Set<Socket>();
    const server = createTcpServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('data', (d) => s.write(`row for ${String(d).trim()}`));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    return {
      server,
      port,
      open: () => sockets.size,
      close: () => new Promise<void>((ok) => { for (const s of sockets) s.destroy(); server.close(() => ok()); }),
    };
  }

  async function until(what: () => boolean, ms = 2000): Promise<void> {
    for (const end = Date.now() + ms; !what() && Date.now() < end; ) await sleep(5);
  }

  it('keeps a pool of real TCP connections through 100 reloads with hot.data, at a constant connection count', async () => {
    const db$ = await tcpServer();
    try {
      await start({ 'app.js': appCode, 'pool.js': pool, 'db.js': db(db$.port, 0, true) });
      await until(() => db$.open() === 3);
      expect((await get()).body).toBe('row for SELECT 1');
      for (let n = 1; n <= 100; n++) {
        app.write('db.js', db(db$.port, n, true));
        const r = await reload();
        expect(r.body).toMatchObject({ success: true, activated: true, reloaded_modules: expect.arrayContaining(['db.js']) });
        expect(r.body.not_released).toBeUndefined();
        expect(db$.open()).toBe(3);
      }
      expect((await get()).body).toBe('row for SELECT 1');
      expect(db$.open()).toBe(3);
      // the pool was built while version 1 of db.js loaded: it keeps the listeners it was built with
      expect((await get('/listeners')).body).toEqual([1, 1, 1]);
    } finally {
      await db$.close();
    }
  });

  it('reports a pool created anew on every reload as not released (the leak report)', async () => {
    const db$ = await tcpServer();
    try {
      await start({ 'app.js': appCode, 'pool.js': pool, 'db.js': db(db$.port, 0, false) });
      app.write('db.js', db(db$.port, 1, false));
      const r = await reload();
      expect(r.body).toMatchObject({ success: true, version: 2, not_released: { TCPSocketWrap: 3 } });
      expect(r.body.message).toBe('version 2 active (2 modules reloaded); version 1 left 3 TCPSocketWrap not released');
      await until(() => db$.open() === 6);
      expect(db$.open()).toBe(6);
    } finally {
      await db$.close();
    }
  });

  it('gives dispose callbacks the shared data, {} on first load, and runs them only once the new version is proven', async () => {
    const mod = (n: number, extra = '') => `const hot = import.meta.hot;
export const first = JSON.stringify(hot.data);
hot.data.loads = (hot.data.loads ?? 0) + 1;
hot.dispose((data) => { data.disposed = [...(data.disposed ?? []), ${n}]; });
${extra}
export const n = ${n};
`;
    await start({
      'app.js': `import { first, n } from './state.js';\nimport.meta.hot.accept();\nexport default (q, s) => s.end(JSON.stringify({ first, n }));\n`,
      'state.js': mod(1),
    });
    expect((await get()).body).toEqual({ first: '{}', n: 1 });
    app.write('state.js', mod(2, `throw new Error('not this one');`));
    expect((await reload()).body.success).toBe(false);
    app.write('state.js', mod(3));
    expect((await reload()).body.success).toBe(true);
    // the failed instance (2) was disposed when its load failed; 1 when 3 was proven
    expect(JSON.parse((await get()).body.first)).toEqual({ loads: 2, disposed: [2] });
    app.write('state.js', mod(4));
    await reload();
    expect(JSON.parse((await get()).body.first)).toEqual({ loads: 3, disposed: [2, 1] });
  });

  it('refuses a change to a module that declined, with a clear message; module.hot in CommonJS', async () => {
    await start({
      'app.js': `const { limit } = require('./config.cjs');\nmodule.exports = (q, s) => s.end(String(limit));\n`,
      'config.cjs': `module.hot.decline();\nexports.limit = 1;\n`,
    });
    app.write('config.cjs', `module.hot.decline();\nexports.limit = 2;\n`);
    const r = await reload();
    expect(r.body).toMatchObject({ success: false, activated: false, version: 1, failed_modules: ['config.cjs'] });
    expect(r.body.error.message).toBe('config.cjs declined hot reload (import.meta.hot.decline()): restart the service to load this change');
    expect((await get()).body).toBe(1);
  });

  it('reloads an invalidated module on the next reload although its file did not change', async () => {
    await start({
      'app.js': `import { loadedAt, refresh } from './remote.js';\nexport default (q, s) => { if (q.url === '/refresh') refresh(); s.end(String(loadedAt)); };\n`,
      'remote.js': `export const loadedAt = (globalThis.__ahrKeep ??= []).push(1);\nexport const refresh = () => import.meta.hot.invalidate();\n`,
    });
    expect((await reload()).body.reloaded_modules).toEqual([]);
    await get('/refresh');
    const r = await reload();
    expect([...r.body.reloaded_modules].sort()).toEqual(['app.js', 'remote.js']);
    expect((await get()).body).toBe(2);
  });
});

describe('loading cannot take the service down', () => {
  const appCode = `import { word } from './word.js';\nexport default (q, s) => s.end(word);\n`;

  it('refuses process.exit() in top-level code, even caught, and names the line', async () => {
    await start({ 'app.js': appCode, 'word.js': `export const word = 'one';\n` });
    app.write('word.js', `export const word = 'two';\nif (word) process.exit(3);\n`);
    let r = await reload();
    expect(r.body).toMatchObject({ success: false, activated: false, version: 1 });
    expect(r.body.error).toMatchObject({ file: app.path('word.js'), line: 2 });
    expect(r.body.error.message).toBe('ExitRefused: process.exit(3) called while a new version loaded; refused, the service keeps running');
    app.write('word.js', `export const word = 'three';\ntry { process.exit(); } catch {}\n`);
    r = await reload();
    expect(r.body).toMatchObject({ success: false, error: { file: app.path('word.js'), line: 2 } });
    expect((await get()).body).toBe('one');
  });

  it('refuses process.exit() in a check', async () => {
    await start({ 'app.js': appCode, 'word.js': `export const word = 'one';\n` });
    app.write('app.js', `${appCode}export const checks = {\n  db: () => process.exit(1),\n};\n`);
    const r = await reload();
    expect(r.body).toMatchObject({ success: false, activated: false, version: 1, error: { file: app.path('app.js'), line: 4 } });
    expect((await get()).body).toBe('one');
  });

  it('interrupts endless top-level code after the bound and keeps the old version serving', async () => {
    await start({ 'app.js': appCode, 'word.js': `export const word = 'one';\n` }, { loadTimeoutMs: 300 });
    app.write('word.js', `setInterval(() => {}, 1000);\nwhile (true) {}\nexport const word = 'two';\n`);
    const started = Date.now();
    const r = await reload();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(r.body).toMatchObject({ success: false, activated: false, version: 1 });
    expect(r.body.error).toMatchObject({
      message: 'LoadTimeout: top-level code ran longer than 300 ms (an endless loop?) and was interrupted',
      file: app.path('word.js'),
    });
    expect((await get()).body).toBe('one');
    app.write('word.js', `export const word = 'two';\n`);
    expect((await reload()).body).toMatchObject({ success: true, version: 2 });
    expect((await get()).body).toBe('two');
  });
});
