// Issue #14, the agent's side: no web page can act, no reload loses state it need not, hints
// are bounded and name one module, stale files are reported, the agent's own output shows
// escape sequences instead of obeying them. Real agents on real loopback ports.
import { cpSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/index.js';
import { appDir, call, PREFIX, REPO, serveInProcess, spawnServe, startServe, type AppDir, type Served, type ServeProcess } from './helpers/agent-fixture.js';

let app: AppDir | undefined;
let served: Served | undefined;
let proc: ServeProcess | undefined;

afterEach(async () => {
  await served?.close();
  await proc?.stop();
  app?.cleanup();
  served = proc = app = undefined;
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** A request with exactly these headers (fetch refuses to set Host and Origin). */
function raw(base: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: opts.method ?? 'GET', headers: opts.headers, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(opts.body);
  });
}

// answers 404 but on / (so the agent answers /health)
const APP = `import { hit } from './counter.js';\nexport default (req, res) => { res.statusCode = req.url === '/' ? 200 : 404; res.end('hits ' + hit()); };\n`;
const COUNTER = `let hits = 0;\nexport const hit = () => ++hits;\n`;

async function start(options: { token?: string; allowOrigins?: string[]; allowHosts?: string[] } = {}) {
  app = appDir({ 'app.js': APP, 'counter.js': COUNTER });
  served = await serveInProcess({ entry: app.path('app.js'), root: app.dir, ...options });
  return served;
}

describe('browser-originated requests', () => {
  it('refuses any Origin that is not allowed, file:// pages (Origin: null) included, with 403', async () => {
    const { base } = await start();
    for (const origin of ['null', 'http://evil.example', 'http://127.0.0.1:9999']) {
      const reload = await raw(base, `${PREFIX}/reload-all`, { method: 'POST', headers: { origin } });
      expect(reload.status).toBe(403);
      expect(reload.body).toEqual({ success: false, message: `refused: requests from web pages (Origin ${JSON.stringify(origin)}) are not allowed; allow an origin with --allow-origin` });
      expect((await raw(base, `${PREFIX}/rollback`, { method: 'POST', headers: { origin, 'content-type': 'text/plain' }, body: '{}' })).status).toBe(403);
      expect((await raw(base, `${PREFIX}/status`, { headers: { origin } })).status).toBe(403);
    }
    // nothing was reloaded or rolled back
    expect(served!.agent.status().last_reload).toBeNull();
  });

  it('refuses a Host that is not loopback (DNS rebinding) with 403, and gives /health no details', async () => {
    const { base } = await start();
    const port = new URL(base).port;
    const rebound = await raw(base, `${PREFIX}/status`, { headers: { host: `evil.example:${port}` } });
    expect(rebound).toMatchObject({ status: 403, body: { success: false, message: `refused: Host "evil.example:${port}" is not this agent (expected localhost or a loopback address; allow a name with --allow-host)` } });
    expect((await raw(base, `${PREFIX}/reload-all`, { method: 'POST', headers: { host: 'evil.example' } })).status).toBe(403);
    expect((await raw(base, `${PREFIX}/status`, { headers: { host: '127.0.0.1.evil.example' } })).status).toBe(403);
    for (const host of [`localhost:${port}`, `LOCALHOST.:${port}`, `127.0.0.1:${port}`, `127.8.9.10:${port}`, `[::1]:${port}`]) {
      expect((await raw(base, `${PREFIX}/status`, { headers: { host } })).status).toBe(200);
    }
    // the app answers /health here with 404, so the agent does: details only to a Host that names it
    const health = await raw(base, '/health', { headers: { host: `evil.example:${port}` } });
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(Object.keys(health.body)).toEqual(['status']);
    expect((await raw(base, '/health', { headers: { host: `localhost:${port}` } })).body).toMatchObject({ status: 'ok', version: 1, pid: process.pid });
  });

  it('accepts an allowed host name, and any Host when a token is the proof', async () => {
    const { base } = await start({ allowHosts: ['myapp.test'] });
    expect((await raw(base, `${PREFIX}/status`, { headers: { host: 'myapp.test:80' } })).status).toBe(200);
    expect((await raw(base, `${PREFIX}/status`, { headers: { host: 'other.test' } })).status).toBe(403);
    await served!.close();
    served = await serveInProcess({ entry: app!.path('app.js'), root: app!.dir, token: 't0ken' });
    const b = served.base;
    expect((await raw(b, `${PREFIX}/status`, { headers: { host: 'app-3.internal:8001' } })).status).toBe(401);
    expect((await raw(b, `${PREFIX}/status`, { headers: { host: 'app-3.internal:8001', authorization: 'Bearer t0ken' } })).status).toBe(200);
    // the Origin check stands with a token too
    expect((await raw(b, `${PREFIX}/status`, { headers: { origin: 'http://evil.example', authorization: 'Bearer t0ken' } })).status).toBe(403);
  });

  it('refuses a POST body that is not declared JSON with 415; a POST with no body still works', async () => {
    const { base } = await start();
    for (const [type, body] of [['text/plain', '{}'], ['application/x-www-form-urlencoded', 'a=1'], ['multipart/form-data; boundary=x', '--x--'], [undefined, '{}']] as const) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      const r = await raw(base, `${PREFIX}/reload-all`, { method: 'POST', headers, body });
      expect(r.status).toBe(415);
      expect(r.body).toEqual({ success: false, message: `request body must be JSON (content-type: application/json), got ${JSON.stringify(type ?? 'no content-type')}` });
    }
    // what the seed's Python client sends: no body, no content type, no Origin
    for (const path of ['/reload-all', '/verify', '/rollback']) {
      const r = await raw(base, `${PREFIX}${path}`, { method: 'POST', headers: { 'content-length': '0' } });
      expect(r.status).not.toBe(415);
      expect(r.status).not.toBe(403);
    }
    expect((await raw(base, `${PREFIX}/reload-all`, { method: 'POST' })).body).toMatchObject({ success: true, message: 'nothing changed' });
    expect((await raw(base, `${PREFIX}/reload-all`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{}' })).status).toBe(200);
    expect((await raw(base, `${PREFIX}/reload-all`, { method: 'POST', headers: { 'content-type': 'application/merge-patch+json' }, body: '{}' })).status).toBe(200);
  });

  it('lets an explicitly allowed origin call the API, with CORS headers and a preflight', async () => {
    const { base } = await start({ allowOrigins: ['http://localhost:5173'] });
    const origin = 'http://localhost:5173';
    const pre = await raw(base, `${PREFIX}/reload-all`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers).toMatchObject({ 'access-control-allow-origin': origin, 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'authorization, content-type' });
    const r = await raw(base, `${PREFIX}/reload-all`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe(origin);
    expect((await raw(base, `${PREFIX}/status`, { headers: { origin: 'http://localhost:5174' } })).status).toBe(403);
  });

  it('validates allowed origins and hosts, naming what was wrong', async () => {
    app = appDir({ 'app.js': APP, 'counter.js': COUNTER });
    const make = (o: object) => serveInProcess({ entry: app!.path('app.js'), root: app!.dir, ...o });
    await expect(make({ allowOrigins: ['null'] })).rejects.toThrow(/allowOrigins: "null" is the origin of every file:\/\/ page/);
    await expect(make({ allowOrigins: ['*'] })).rejects.toThrow(/allowOrigins: "\*" would let every web page reload the service/);
    await expect(make({ allowOrigins: ['http://localhost:5173/app'] })).rejects.toThrow('allowOrigins: expected an origin such as http://localhost:5173 (scheme, host and port only), got "http://localhost:5173/app"');
    await expect(make({ allowHosts: ['myapp.test:80'] })).rejects.toThrow('allowHosts: expected a host name or address without port, got "myapp.test:80"');
  });

  it('serve takes --allow-origin and refuses a bad one with exit 2', async () => {
    const { done } = spawnServe([join(REPO, 'examples/demo/server/app.js'), '--allow-origin', 'null']);
    const { code, output } = await done;
    expect(code).toBe(2);
    expect(output).toContain('auto-hot-reload serve: --allow-origin: "null" is the origin of every file:// page');
    proc = await startServe([join(REPO, 'examples/demo/server/app.js'), '--allow-origin', 'http://localhost:5173']);
    expect((await raw(proc.base, `${PREFIX}/status`, { headers: { origin: 'http://localhost:5173' } })).status).toBe(200);
    expect((await raw(proc.base, `${PREFIX}/status`, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
  });
});

describe('reloads keep state unless content changed', () => {
  function demoCopy(): AppDir {
    const dir = appDir({});
    cpSync(join(REPO, 'examples/demo/server'), dir.path('server'), { recursive: true });
    return dir;
  }

  it('a touch, an identical rewrite or a hint naming an unchanged module re-evaluates nothing: items and counter survive', async () => {
    app = demoCopy();
    served = await serveInProcess({ entry: app.path('server/app.js'), root: app.dir });
    const { base } = served;
    await call(`${base}/api/v1/counter`, { method: 'POST' });
    await call(`${base}/api/v1/counter`, { method: 'POST' });
    expect((await call(`${base}/api/v1/items`, { method: 'POST', body: { name: 'plum' } })).status).toBe(201);
    const reload = (body: object) => call(`${base}${PREFIX}/reload-all`, { method: 'POST', body });
    const counter = app.path('server/state/counter.js');
    const items = app.path('server/state/items.js');
    const later = new Date(Date.now() + 5000);
    utimesSync(counter, later, later); // touch
    writeFileSync(items, readFileSync(items)); // identical rewrite
    for (const body of [{}, { files: ['server/state/counter.js', 'server/state/items.js'] }, { modules: ['state.counter', 'state/items'] }, { files: ['/elsewhere/server/app.js'] }]) {
      expect((await reload(body)).body).toMatchObject({ success: true, activated: false, reloaded_modules: [], version: 1 });
    }
    expect((await call(`${base}/api/v1/counter`)).body).toMatchObject({ count: 2 });
    expect(((await call(`${base}/api/v1/items`)).body as { items: { name: string }[] }).items.map((i) => i.name)).toContain('plum');
    // a real edit of a route still reloads it and its importers, and the state lives on
    const route = app.path('server/routes/counter.js');
    writeFileSync(route, readFileSync(route, 'utf8') + '\n// edited\n');
    const r = await reload({ files: ['server/routes/counter.js'] });
    expect(r.body).toMatchObject({ activated: true, version: 2 });
    expect(r.body.reloaded_modules).not.toContain('server/state/counter.js');
    expect((await call(`${base}/api/v1/counter`)).body).toMatchObject({ count: 2 });
  });
});

describe('hints', () => {
  it('a hint names one module: `index.js` reloads the root index.js, not every */index.js', async () => {
    app = appDir({
      'index.js': `import { a } from './lib/index.js';\nimport { b } from './routes/index.js';\nexport default (q, s) => s.end(a() + ' ' + b());\n`,
      'lib/index.js': `let n = 0;\nexport const a = () => 'lib ' + ++n;\n`,
      'routes/index.js': `let n = 0;\nexport const b = () => 'routes ' + ++n;\n`,
    });
    served = await serveInProcess({ entry: app.path('index.js'), root: app.dir });
    expect((await call(served.base)).body).toBe('lib 1 routes 1');
    app.write('index.js', `import { a } from './lib/index.js';\nimport { b } from './routes/index.js';\nexport default (q, s) => s.end(a() + ' / ' + b());\n`);
    const r = await call(`${served.base}${PREFIX}/reload-all`, { method: 'POST', body: { files: ['index.js'] } });
    expect(r.body).toMatchObject({ activated: true, reloaded_modules: ['index.js'] });
    // lib/index.js and routes/index.js kept their instances
    expect((await call(served.base)).body).toBe('lib 2 / routes 2');
  });

  it('refuses more hints than the documented limit with 400, at once', async () => {
    const { base } = await start();
    const hints = Array.from({ length: 200_000 }, (_, i) => 'abcdefghij'[i % 10]); // ≈ 800 KB of JSON
    const r = await call(`${base}${PREFIX}/reload-all`, { method: 'POST', body: { files: hints.slice(0, 150_000), modules: hints.slice(150_000, 200_000) } });
    expect(r).toEqual({
      status: 400,
      body: { success: false, message: 'files and modules: at most 50000 entries together, got 200000; send none and the agent compares every loaded file' },
    });
  });

  it('matches a request at the limit in slices, letting the event loop run between them', async () => {
    await start();
    const hints = Array.from({ length: 50_000 }, (_, i) => `nope/${i}/counter.js`);
    let turns = 0;
    let done = false;
    const spin = () => {
      turns++;
      if (!done) setImmediate(spin);
    };
    setImmediate(spin);
    const r = await served!.agent.reload({ files: hints });
    done = true;
    // 50,000 hints in slices of 1,000: the loop turned between every two slices
    expect(turns).toBeGreaterThanOrEqual(49);
    // each names counter.js (by its path under the root), which is unchanged: nothing reloads
    expect(r).toMatchObject({ success: true, activated: false });
  });
});

describe('stale files in status', () => {
  it('lists loaded modules whose content on disk differs from what runs, relative to the root; not touched ones', async () => {
    const { base } = await start();
    const status = async () => (await call(`${base}${PREFIX}/status`)).body.status;
    expect((await status()).stale_files).toEqual([]);
    const later = new Date(Date.now() + 5000);
    utimesSync(app!.path('counter.js'), later, later);
    expect((await status()).stale_files).toEqual([]);
    app!.write('counter.js', COUNTER.replace('++hits', 'hits += 2'));
    expect((await status()).stale_files).toEqual(['counter.js']);
    expect((await status()).stale_files).toEqual(['counter.js']); // asked again: still stale
    await call(`${base}${PREFIX}/reload-all`, { method: 'POST', body: {} });
    expect((await status()).stale_files).toEqual([]);
  });
});

describe('serve', () => {
  it('binds --host [::1] and prints a URL that works', async () => {
    const { proc: child, done } = spawnServe([join(REPO, 'examples/demo/server/app.js'), '--host', '[::1]', '--port', '0']);
    const deadline = Date.now() + 10_000;
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    let m: RegExpExecArray | null = null;
    while (!(m = /serving .+ on (http:\/\/\[::1\]:(\d+)) \(pid/.exec(output)) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    try {
      expect(m, output).not.toBeNull();
      const r = await raw(m![1], `${PREFIX}/status`);
      expect(r.status).toBe(200);
      expect(r.body.status.version).toBe(1);
    } finally {
      child.kill('SIGTERM');
      await done;
    }
  });

  it("shows the escape sequences of an app's error messages, stacks and file names instead of obeying them", async () => {
    app = appDir({
      'app.js': `import { word } from './word.js';\nexport default (req, res) => { if (req.url === '/boom') throw new Error('\\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b[2J boom'); res.end(word); };\n`,
      'word.js': `export const word = 'w';\n`,
    });
    proc = await startServe([app.path('app.js')]);
    expect((await call(`${proc.base}/boom`)).status).toBe(500);
    app.write('\x1b[31mred.js', `export const red = 1;\n`);
    app.write('word.js', `import './\\x1b[31mred.js';\nexport const word = 'x';\n`);
    const ok = await call(`${proc.base}${PREFIX}/reload-all`, { method: 'POST', body: {} });
    expect(ok.body).toMatchObject({ activated: true });
    app.write('word.js', `throw new Error('\\x1b[2J\\x1b[Hall checks passed');\n`);
    expect((await call(`${proc.base}${PREFIX}/reload-all`, { method: 'POST', body: {} })).body).toMatchObject({ success: false });
    await new Promise((r) => setTimeout(r, 100));
    const out = proc.output();
    expect(out).not.toMatch(/\x1b/);
    expect(out).toContain('request handler threw: Error: ␛]52;c;cm0gLXJmIH4=␇␛[2J boom');
    expect(out).toContain('␛[31mred.js');
    expect(out).toContain('␛[2J␛[Hall checks passed');
  });
});

describe('client messages', () => {
  it('count every reloaded module, not the clipped list', async () => {
    const files: Record<string, string> = {};
    const names = Array.from({ length: 60 }, (_, i) => `m${i}.js`);
    for (const n of names) files[n] = `export const v = 1;\n`;
    files['app.js'] = `${names.map((n, i) => `import { v as v${i} } from './${n}';`).join('\n')}\nexport default (q, s) => s.end(String(${names.map((_, i) => `v${i}`).join(' + ')}));\n`;
    app = appDir(files);
    served = await serveInProcess({ entry: app.path('app.js'), root: app.dir });
    for (const n of names) app.write(n, `export const v = 2;\n`);
    const engine = createEngine({ apiUrl: served.base, logDir: app.path('logs') });
    try {
      const result = await engine.trigger({ reason: 'manual' });
      expect(result.ok).toBe(true);
      expect(result.message).toMatch(/^reloaded 61 modules → version 2/);
    } finally {
      await engine.close();
    }
  });
});
