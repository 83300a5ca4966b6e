// Ordinary apps, written as people write them (they call listen() themselves), run
// unchanged under a real `serve` process: 20 reloads each, same pid, one listening socket.
// Needs the build (`npm test` builds first).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { appDir, call, PREFIX, spawnServe, startServe, type AppDir, type ServeProcess } from './helpers/agent-fixture.js';

const apps: AppDir[] = [];
const procs: ServeProcess[] = [];
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL')));
  for (const a of apps.splice(0)) a.cleanup();
});

/** The TCP ports a process listens on (from /proc: its socket inodes in LISTEN state). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9])) ports.push(parseInt(f[1].split(':').at(-1)!, 16));
    }
  }
  return ports.sort();
}

interface Shape {
  name: string;
  entry: string;
  files: Record<string, string>;
  /** the module the test edits: it must export `word` in the module system of the app */
  word: (w: string) => string;
  args?: string[];
}

const CJS_WORD = (w: string) => `exports.word = ${JSON.stringify(w)};\n`;
const ESM_WORD = (w: string) => `export const word = ${JSON.stringify(w)};\n`;

const SHAPES: Shape[] = [
  {
    name: 'Express 5, CommonJS, app.listen(3000)',
    entry: 'app.js',
    word: CJS_WORD,
    files: {
      'app.js': `const express = require('express');
const { word } = require('./word');
const app = express();
app.get('/', (req, res) => res.send(word));
app.listen(3000, () => console.log('listening on 3000'));
`,
    },
  },
  {
    name: 'Express 4, CommonJS, module.exports = app and if (!module.parent) listen',
    entry: 'app.js',
    word: CJS_WORD,
    files: {
      'app.js': `const express = require('express4');
const { word } = require('./word');
const app = express();
app.get('/', (req, res) => res.send(word));
module.exports = app;
if (!module.parent) app.listen(process.env.PORT || 3000);
`,
    },
  },
  {
    name: 'Express 4 in bin/www style: the entry requires app.js, whose module.parent is set',
    entry: 'server.js',
    word: CJS_WORD,
    files: {
      'server.js': `const http = require('node:http');
const app = require('./app');
const server = http.createServer(app);
server.listen({ port: 3000, host: '127.0.0.1' });
`,
      'app.js': `const express = require('express4');
const { word } = require('./word');
const app = express();
app.get('/', (req, res) => res.send(word));
module.exports = app;
// required by server.js: must not listen a second time
if (!module.parent) app.listen(3001);
`,
    },
  },
  {
    name: 'Koa, ESM ("type": "module"), app.listen(PORT)',
    entry: 'app.js',
    word: ESM_WORD,
    files: {
      'app.js': `import Koa from 'koa';
import { word } from './word.js';
const app = new Koa();
app.use((ctx) => { ctx.body = word; });
app.listen(3000);
`,
      'package.json': `{ "type": "module" }\n`,
    },
  },
  {
    name: 'node:http, ESM, async listen after startup work, import.meta.url is argv[1]',
    entry: 'main.js',
    word: ESM_WORD,
    args: ['--', '--greeting', 'x'],
    files: {
      'main.js': `import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { word } from './word.js';
async function connect() {
  await new Promise((r) => setTimeout(r, 30));
  return { argv: process.argv.slice(2).join(' '), env: process.env.AUTO_HOT_RELOAD };
}
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  connect().then((db) => http.createServer((req, res) => res.end(word + ' ' + db.argv + ' ' + db.env)).listen(3000, '127.0.0.1'));
}
`,
      'package.json': `{ "type": "module" }\n`,
    },
  },
  {
    name: 'node:http, CommonJS, require.main === module, listen(port, cb)',
    entry: 'index.cjs',
    word: CJS_WORD,
    files: {
      'index.cjs': `const http = require('node:http');
const { word } = require('./word.cjs');
const server = http.createServer((req, res) => res.end(word));
if (require.main === module) server.listen(3000, () => console.log('up on', server.address().port));
`,
    },
  },
];

function wordFile(shape: Shape): string {
  const ext = shape.entry.slice(shape.entry.lastIndexOf('.'));
  return `word${ext}`;
}

describe('serve adopts the servers an ordinary app listen()s', () => {
  for (const shape of SHAPES) {
    it(`${shape.name}: 20 reloads, same pid, one socket, new code each time`, async () => {
      const app = appDir({ ...shape.files, [wordFile(shape)]: shape.word('v0') }, { nodeModules: true });
      apps.push(app);
      const p = await startServe([app.path(shape.entry), ...(shape.args ?? [])]);
      procs.push(p);
      const expected = (w: string) => (shape.args ? `${w} --greeting x 1` : w);
      expect((await call(`${p.base}/`)).body).toBe(expected('v0'));
      expect(listeningPorts(p.pid)).toEqual([p.port]);
      const boot = (await call(`${p.base}${PREFIX}/status`)).body.status;
      // requests keep coming while it reloads: none may fail
      let stop = false;
      const failures: string[] = [];
      let answered = 0;
      const traffic = (async () => {
        while (!stop) {
          try {
            const r = await fetch(`${p.base}/`, { signal: AbortSignal.timeout(5000) });
            await r.text();
            if (r.status === 200) answered++;
            else failures.push(`HTTP ${r.status}`);
          } catch (e) {
            failures.push((e as Error).message);
          }
        }
      })();
      for (let i = 1; i <= 20; i++) {
        app.write(wordFile(shape), shape.word(`v${i}`));
        const r = await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: { files: [wordFile(shape)] } });
        expect(r.body).toMatchObject({ success: true, activated: true, version: i + 1 });
        // an adopted server's re-listen binds nothing: no leak to report
        expect(r.body.not_released).toBeUndefined();
        expect((await call(`${p.base}/`)).body).toBe(expected(`v${i}`));
      }
      stop = true;
      await traffic;
      expect(failures).toEqual([]);
      expect(answered).toBeGreaterThan(0);
      expect(listeningPorts(p.pid)).toEqual([p.port]);
      const after = (await call(`${p.base}${PREFIX}/status`)).body.status;
      expect([after.pid, after.boot_id]).toEqual([boot.pid, boot.boot_id]);
      expect(p.output()).not.toMatch(/EADDRINUSE|MaxListeners|not released/);
      expect(await p.stop('SIGTERM')).toBe(0);
    });
  }
});

/** GET over https, trusting the test's self-signed certificate. */
function httpsGet(url: string, init: { method?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: init.method ?? 'GET', rejectUnauthorized: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve adopts https servers and rolls back on them', () => {
  it('https.createServer(options, app).listen(): reloads and a rollback on the same TLS socket', async () => {
    const app = appDir({
      'app.js': `const https = require('node:https');
const fs = require('node:fs');
const { word } = require('./word');
const options = { key: fs.readFileSync(__dirname + '/key.pem'), cert: fs.readFileSync(__dirname + '/cert.pem') };
https.createServer(options, (q, s) => s.end(word)).listen(8443);
`,
      'word.js': CJS_WORD('v0'),
    });
    apps.push(app);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', app.path('key.pem'), '-out', app.path('cert.pem')], { stdio: 'ignore' });
    const { proc, done } = spawnServe([app.path('app.js'), '--port', '0']);
    const deadline = Date.now() + 15_000;
    let m: RegExpExecArray | null = null;
    const out = () => (proc as unknown as { output(): string }).output();
    while (!(m = /serving .+ on https:\/\/127\.0\.0\.1:(\d+) \(pid (\d+)\)/.exec(out())) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    try {
      expect(m, out()).not.toBeNull();
      const base = `https://127.0.0.1:${m![1]}`;
      expect((await httpsGet(`${base}/`)).body).toBe('v0');
      for (const w of ['v1', 'v2']) {
        app.write('word.js', CJS_WORD(w));
        expect(JSON.parse((await httpsGet(`${base}${PREFIX}/reload-all`, { method: 'POST' })).body)).toMatchObject({ activated: true });
        expect((await httpsGet(`${base}/`)).body).toBe(w);
      }
      expect(JSON.parse((await httpsGet(`${base}${PREFIX}/rollback`, { method: 'POST' })).body)).toMatchObject({ success: true, version: 2, rolled_back_from: 3 });
      expect((await httpsGet(`${base}/`)).body).toBe('v1');
      expect(listeningPorts(Number(m![2]))).toEqual([Number(m![1])]);
    } finally {
      proc.kill('SIGTERM');
      expect((await done).code).toBe(0);
    }
  });
});

/** An HTTP upgrade; resolves the X-Word header of the 101 answer. */
function upgrade(base: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/ws`, { headers: { connection: 'Upgrade', upgrade: 'x' }, timeout: 5000 });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(String(res.headers['x-word']));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve routes WebSocket upgrades to the active version', () => {
  it("a reload's upgrade listener answers on the adopted socket", async () => {
    const app = appDir({
      'app.js': `const http = require('node:http');
const { word } = require('./word');
const server = http.createServer((q, s) => s.end(word));
server.on('upgrade', (req, socket) => socket.end('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: x\\r\\nConnection: Upgrade\\r\\nX-Word: ' + word + '\\r\\n\\r\\n'));
server.listen(3000);
`,
      'word.js': CJS_WORD('v0'),
    });
    apps.push(app);
    const p = await startServe([app.path('app.js')]);
    procs.push(p);
    expect(await upgrade(p.base)).toBe('v0');
    app.write('word.js', CJS_WORD('v1'));
    expect((await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: {} })).body.activated).toBe(true);
    expect(await upgrade(p.base)).toBe('v1');
  });
});

// In an .mjs entry esbuild used Node's CommonJS interop (default = the whole module), but
// koa 3's `import` condition gives the agent an ES module namespace (require(esm)), so
// `Koa` was the namespace and `new Koa()` threw. Plain node is right; so must we be.
describe('Koa in an .mjs entry', () => {
  it('app.mjs: import Koa from "koa" runs under serve as under node', async () => {
    const app = appDir(
      { 'app.mjs': `import Koa from 'koa';\nconst app = new Koa();\napp.use((ctx) => { ctx.body = 'koa'; });\napp.listen(3000);\n` },
      { nodeModules: true },
    );
    apps.push(app);
    const p = await startServe([app.path('app.mjs')]);
    procs.push(p);
    expect((await call(`${p.base}/`)).body).toBe('koa');
  });
});

describe('serve: start, readiness and stop like the app', () => {
  it("runs only the active version's signal handlers, once, then exits", async () => {
    const app = appDir(
      {
        'app.js': `const http = require('node:http');
const { word } = require('./word');
const server = http.createServer((q, s) => s.end(word)).listen(3000);
setInterval(() => {}, 1000); // a handle that stays open
process.on('SIGTERM', () => {
  console.log('app: graceful ' + word);
  server.close(() => { console.log('app: closed ' + word); process.exit(0); });
});
`,
        'word.js': CJS_WORD('v0'),
      },
      { nodeModules: true },
    );
    apps.push(app);
    const p = await startServe([app.path('app.js')]);
    procs.push(p);
    for (let i = 1; i <= 3; i++) {
      app.write('word.js', CJS_WORD(`v${i}`));
      expect((await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: {} })).body.activated).toBe(true);
    }
    const t0 = Date.now();
    expect(await p.stop('SIGTERM')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(4000);
    const out = p.output();
    expect(out.match(/app: graceful/g)).toEqual(['app: graceful']);
    expect(out).toContain('app: graceful v3\n');
    expect(out).toContain('app: closed v3\n');
  });

  // #13's release (after activation) under #12's adoption: a rollback to a version whose
  // instances were released evaluates them again from the kept code; the entry's listen()
  // is matched to the adopted socket again, its interval and SIGTERM handler exist once
  it('a rollback re-establishes the kept version on the adopted socket: its handlers once, nothing reported', async () => {
    const app = appDir({
      'app.js': `const http = require('node:http');
const { word } = require('./word');
let ticks = 0;
const timer = setInterval(() => ticks++, 5);
const server = http.createServer((q, s) => s.end(word)).listen(3000);
// the loop drains (and serve exits before --grace) only if no other version's interval is left
process.on('SIGTERM', () => { console.log('app: graceful ' + word); clearInterval(timer); server.close(); });
`,
      'word.js': CJS_WORD('v0'),
    });
    apps.push(app);
    const p = await startServe([app.path('app.js')]);
    procs.push(p);
    for (let i = 1; i <= 2; i++) {
      app.write('word.js', CJS_WORD(`v${i}`));
      const r = await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: {} });
      expect(r.body).toMatchObject({ activated: true, version: i + 1 });
      expect(r.body.not_released).toBeUndefined();
    }
    const rb = await call(`${p.base}${PREFIX}/rollback`, { method: 'POST', body: {} });
    expect(rb.body).toMatchObject({ success: true, version: 2, rolled_back_from: 3 });
    expect(rb.body.not_released).toBeUndefined();
    expect((await call(`${p.base}/`)).body).toBe('v1');
    expect(listeningPorts(p.pid)).toEqual([p.port]);
    const t0 = Date.now();
    expect(await p.stop('SIGTERM')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000); // --grace is 10 s
    const out = p.output();
    expect(out.match(/app: graceful \S+/g)).toEqual(['app: graceful v1']);
    expect(out).not.toMatch(/EADDRINUSE|not released/);
  });

  it('keeps the signal handlers of modules a reload did not re-run (a db module), once', async () => {
    const app = appDir({
      'app.js': `const http = require('node:http');\nrequire('./db');\nconst { word } = require('./word');\nhttp.createServer((q, s) => s.end(word)).listen(3000);\nprocess.on('SIGTERM', () => console.log('app: graceful ' + word));\n`,
      'db.js': `process.on('SIGTERM', () => console.log('db: pool closed'));\nexports.pool = {};\n`,
      'word.js': CJS_WORD('v0'),
    });
    apps.push(app);
    const p = await startServe([app.path('app.js')]);
    procs.push(p);
    for (let i = 1; i <= 2; i++) {
      app.write('word.js', CJS_WORD(`v${i}`));
      expect((await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: {} })).body.activated).toBe(true);
    }
    // db.js changes too: its new handler replaces its old one
    app.write('db.js', `process.on('SIGTERM', () => console.log('db2: pool closed'));\nexports.pool = {};\n`);
    expect((await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: {} })).body.activated).toBe(true);
    expect(await p.stop('SIGTERM')).toBe(0);
    const out = p.output();
    expect(out.match(/\S+: pool closed|app: graceful \S+/g)).toEqual(['db2: pool closed', 'app: graceful v2']);
  });

  it('exits within the grace period when the app keeps handles open and never exits', async () => {
    const app = appDir({
      'app.js': `require('node:http').createServer((q, s) => s.end('x')).listen(3000);
setInterval(() => {}, 1000);
process.on('SIGINT', () => console.log('app: ignoring SIGINT'));
`,
    });
    apps.push(app);
    const p = await startServe([app.path('app.js'), '--grace', '0.5']);
    procs.push(p);
    const t0 = Date.now();
    expect(await p.stop('SIGINT')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(p.output()).toContain('app: ignoring SIGINT');
    expect(p.output()).toContain('still running 0.5 s after SIGINT; exiting');
  });

  it('a version that never calls listen() is not activated; the old one keeps serving', async () => {
    const app = appDir({
      'app.js': `const { word } = require('./word');\nconst s = require('node:http').createServer((q, r) => r.end(word));\nif (word !== 'quiet') s.listen(3000);\n`,
      'word.js': CJS_WORD('v0'),
    });
    apps.push(app);
    const p = await startServe([app.path('app.js'), '--ready-timeout', '0.3']);
    procs.push(p);
    app.write('word.js', CJS_WORD('quiet'));
    const r = await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: {} });
    expect(r.body).toMatchObject({ success: false, activated: false, version: 1 });
    expect(r.body.message).toContain('the new version called listen() 0 of 1 time within 0.3 s (the running version listens on 3000); it was not activated');
    expect((await call(`${p.base}/`)).body).toBe('v0');
    app.write('word.js', CJS_WORD('v2'));
    expect((await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: {} })).body).toMatchObject({ activated: true, version: 2 });
    expect((await call(`${p.base}/`)).body).toBe('v2');
  });

  it('a first load that throws exits 1 at once, naming file:line:column, even though it had listened', async () => {
    const app = appDir({ 'app.js': `require('node:http').createServer(() => {}).listen(0);\nsetInterval(() => {}, 1000);\nnull.boom;\n` });
    apps.push(app);
    const t0 = Date.now();
    const { code, output } = await spawnServe([app.path('app.js')]).done;
    expect(code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(output).toContain(`cannot load ${app.path('app.js')}: TypeError: Cannot read properties of null (reading 'boom') (${app.path('app.js')}:3:6)`);
    // the stack shows the app's frames only: none of the agent's, the CLI's, the load bound's or Node's
    const frames = output.split('\n').filter((l) => /^\s+at /.test(l));
    expect(frames).toEqual([`    at Object.<anonymous> (${app.path('app.js')}:3:6)`]);
  });

  it('a first load interrupted by the bound exits 1 naming the file, with no stack of ours', async () => {
    const app = appDir({ 'app.js': `const n = 1;\nwhile (n) {}\nmodule.exports = (req, res) => res.end();\n` });
    apps.push(app);
    const { code, output } = await spawnServe([app.path('app.js'), '--load-timeout', '300']).done;
    expect(code).toBe(1);
    expect(output).toContain(`cannot load ${app.path('app.js')}: LoadTimeout: top-level code ran longer than 300 ms (an endless loop?) and was interrupted (${app.path('app.js')})`);
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('nothing to serve: exits 1 at once, naming both fixes in one line', async () => {
    const app = appDir({ 'app.js': `module.exports = { notAListener: true };\n` });
    apps.push(app);
    const t0 = Date.now();
    const { code, output } = await spawnServe([app.path('app.js')]).done;
    expect(code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(output).toMatch(/nothing to serve: \S*app\.js called no listen\(\) and its default export is no request listener — call app\.listen\(PORT\) \(or server\.listen\) in it, or export the request listener \(module\.exports = app \/ export default app\)/);
  });

  it('--port moves the first server of an app that listens itself', async () => {
    const app = appDir({ 'app.js': `require('node:http').createServer((q, s) => s.end('moved')).listen(1);\n` });
    apps.push(app);
    const p = await startServe([app.path('app.js')]); // startServe passes --port 0
    procs.push(p);
    expect(p.port).not.toBe(1);
    expect((await call(`${p.base}/`)).body).toBe('moved');
  });
});
