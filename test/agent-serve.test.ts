// Real `serve` processes on ephemeral ports, driven over raw HTTP.
// Needs the build (`npm test` builds first; alone: `npx tsc -p tsconfig.json`).
import { spawn } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { Agent as HttpAgent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appDir, call, PREFIX, REPO, spawnServe, startServe, type AppDir, type ServeProcess } from './helpers/agent-fixture.js';

const apps: AppDir[] = [];
const procs: ServeProcess[] = [];
function makeApp(files: Record<string, string>) {
  const a = appDir(files);
  apps.push(a);
  return a;
}
async function serve(args: string[], env: Record<string, string> = {}, via: 'agent' | 'cli' = 'agent') {
  const p = await startServe(args, env, via);
  procs.push(p);
  return p;
}

beforeAll(() => {
  const built = join(REPO, 'dist/src/agent/serve/serve.js');
  if (!existsSync(built)) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` before these tests');
  const builtAt = statSync(built).mtimeMs;
  const src = join(REPO, 'src/agent');
  const stale = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(src, f)).mtimeMs > builtAt);
  if (stale.length) throw new Error(`dist/ is older than src/agent/${stale[0]}: run \`npx tsc -p tsconfig.json\``);
});

afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL')));
  for (const a of apps.splice(0)) a.cleanup();
});

const JS_APP = {
  'app.js': `import { word } from './word.js';\nlet served = 0;\nexport default (req, res) => { served++; res.end(word + ' ' + served); };\n`,
  'word.js': `export const word = 'one';\n`,
};

describe('serve', () => {
  it('serves new code after a reload in the same process, and stops cleanly on SIGTERM', async () => {
    const app = makeApp(JS_APP);
    const p = await serve([app.path('app.js')]);
    expect(p.output()).toBe(`auto-hot-reload agent: serving ${app.path('app.js')} on http://127.0.0.1:${p.port} (pid ${p.pid})\n`);
    expect((await call(`${p.base}/`)).body).toBe('one 1');
    const before = (await call(`${p.base}${PREFIX}/status`)).body.status;
    expect(before.pid).toBe(p.pid);
    app.write('word.js', `export const word = 'two';\n`);
    const r = await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: { files: ['word.js'], reason: 'manual' } });
    expect(r.body).toMatchObject({ success: true, activated: true, version: 2 });
    // app.js was re-evaluated too (it imports word.js), so its counter restarted
    expect((await call(`${p.base}/`)).body).toBe('two 1');
    const after = (await call(`${p.base}${PREFIX}/status`)).body.status;
    expect([after.pid, after.boot_id, after.started_at]).toEqual([before.pid, before.boot_id, before.started_at]);
    expect(await p.stop('SIGTERM')).toBe(0);
    expect(p.output()).toContain('auto-hot-reload agent: SIGTERM, stopping');
  });

  it('is what the real CLI runs for `auto-hot-reload serve`', async () => {
    const app = makeApp(JS_APP);
    const p = await serve([app.path('app.js')], {}, 'cli');
    expect(p.output()).toBe(`auto-hot-reload agent: serving ${app.path('app.js')} on http://127.0.0.1:${p.port} (pid ${p.pid})\n`);
    app.write('word.js', `export const word = 'cli';\n`);
    expect((await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: {} })).body.activated).toBe(true);
    expect((await call(`${p.base}/`)).body).toBe('cli 1');
    expect(await p.stop('SIGINT')).toBe(0);
    const refused = await spawnServe([app.path('app.js'), '--host', '10.1.2.3'], {}, 'cli').done;
    expect(refused.code).toBe(2);
  });

  it('reloads exactly the changed files on a hint-less `--trigger` of the real CLI, and nothing when nothing changed', async () => {
    const app = makeApp({
      'app.js': `import { w } from './w.js';\nimport { z } from './z.js';\nexport default (q, s) => s.end(w + z);\n`,
      'w.js': `export const w = 'a';\n`,
      'z.js': `export const z = 'z';\n`,
    });
    const p = await serve([app.path('app.js')]);
    const trigger = async () => {
      const proc = spawn(process.execPath, [join(REPO, 'bin/auto-hot-reload.js'), '--trigger', '--no-verify', '--json', '--api-url', p.base], {
        cwd: app.dir,
        env: { ...process.env, HOT_RELOAD_TOKEN: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 15_000,
      });
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      const code = await new Promise((ok) => proc.on('close', ok));
      return { code, out };
    };
    app.write('w.js', `export const w = 'b';\n`);
    expect((await trigger()).code).toBe(0);
    const first = (await call(`${p.base}${PREFIX}/status`)).body.status;
    expect(first.version).toBe(2);
    expect([...first.last_reload.modules].sort()).toEqual([app.path('app.js'), app.path('w.js')]);
    expect((await call(`${p.base}/`)).body).toBe('bz');
    expect((await trigger()).code).toBe(0);
    const second = (await call(`${p.base}${PREFIX}/status`)).body.status;
    expect(second).toMatchObject({ version: 2, versions_kept: [1, 2], last_reload: { ok: true, modules: [], version: 2 } });
  });

  it('runs a TypeScript entry and keeps it serving through a syntax error', async () => {
    const app = makeApp({
      'app.ts': `import type { IncomingMessage, ServerResponse } from 'node:http';\nimport { word } from './word.js';\nexport default (_q: IncomingMessage, s: ServerResponse): void => { s.end(word); };\n`,
      'word.ts': `export const word: string = 'typed';\n`,
    });
    const p = await serve([app.path('app.ts')]);
    expect((await call(`${p.base}/`)).body).toBe('typed');
    // a route that throws at run time: 500, and the log names the TypeScript line
    app.write('app.ts', `import type { IncomingMessage, ServerResponse } from 'node:http';\nimport { word } from './word.js';\ntype Unused = string;\n\nexport default (q: IncomingMessage, s: ServerResponse): void => {\n  if (q.url === '/boom') throw new TypeError('boom');\n  s.end(word);\n};\n`);
    expect((await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: {} })).body.activated).toBe(true);
    expect(await call(`${p.base}/boom`)).toEqual({ status: 500, body: 'Internal Server Error\n' });
    expect(p.output()).toContain(`TypeError: boom\n    at `);
    expect(p.output()).toContain(`${app.path('app.ts')}:6:32)`);
    app.write('word.ts', `export const word: string = 'x';\nexport const oops = {;\n`);
    const r = await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: {} });
    expect(r.body).toMatchObject({ success: false, activated: false, version: 2, error: { file: app.path('word.ts'), line: 2 } });
    expect((await call(`${p.base}/`)).body).toBe('typed');
  });

  it('runs a CommonJS entry', async () => {
    const app = makeApp({ 'app.cjs': `const os = require('node:os');\nmodule.exports = (req, res) => res.end(typeof os.cpus);\n` });
    const p = await serve([app.path('app.cjs')]);
    expect((await call(`${p.base}/`)).body).toBe('function');
  });

  it('guards the API with --token or HOT_RELOAD_TOKEN', async () => {
    const app = makeApp(JS_APP);
    const p = await serve([app.path('app.js')], { HOT_RELOAD_TOKEN: 'env-token' });
    expect((await call(`${p.base}${PREFIX}/status`)).status).toBe(401);
    expect((await call(`${p.base}${PREFIX}/status`, { token: 'env-token' })).status).toBe(200);
    const q = await serve([app.path('app.js'), '--token', 'flag-token'], { HOT_RELOAD_TOKEN: 'env-token' });
    expect((await call(`${q.base}${PREFIX}/status`, { token: 'env-token' })).status).toBe(401);
    expect((await call(`${q.base}${PREFIX}/status`, { token: 'flag-token' })).status).toBe(200);
  });

  it('refuses a non-loopback host without a token (exit 2)', async () => {
    const app = makeApp(JS_APP);
    const { done } = spawnServe([app.path('app.js'), '--host', '0.0.0.0', '--port', '0']);
    const { code, output } = await done;
    expect(code).toBe(2);
    expect(output).toContain('refusing to serve the hot-reload API on non-loopback host 0.0.0.0 without a token');
  });

  it('reports usage errors, a port in use and a broken entry with clear messages', async () => {
    const app = makeApp({ ...JS_APP, 'broken.js': `export default (req, res) => res.end('x');\nthrow new Error('cannot start');\n` });
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const cases: [string[], number, string][] = [
        [[], 2, 'missing FILE'],
        [[app.path('app.js'), '--port', 'eighty'], 2, '--port: expected an integer from 0 to 65535, got "eighty"'],
        [[app.path('app.js'), '--verbose'], 2, 'unknown option --verbose'],
        [[app.path('nope.js')], 2, `entry: no such file: ${app.path('nope.js')}`],
        [[app.path('app.js'), '--port', String(busy)], 2, `port ${busy} on 127.0.0.1 is already in use`],
        [[app.path('broken.js'), '--port', '0'], 1, `cannot load ${app.path('broken.js')}: cannot start (${app.path('broken.js')}:2:7)`],
      ];
      for (const [args, code, message] of cases) {
        const run = await spawnServe(args).done;
        expect({ code: run.code, has: run.output.includes(message) }, run.output).toEqual({ code, has: true });
        expect(run.output).not.toContain('src/agent'); // the agent's own frames are not the user's business
      }
    } finally {
      await new Promise((ok) => blocker.close(ok));
    }
  });

  it('fails no request while keep-alive clients run through 100 reloads', async () => {
    const app = makeApp(JS_APP);
    const p = await serve([app.path('app.js')]);
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 8 });
    let running = true;
    let ok = 0;
    const failures: string[] = [];
    const seen = new Set<string>();
    const get = () =>
      new Promise<void>((resolve) => {
        const req = request(`${p.base}/`, { agent, timeout: 5000 }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => {
            if (res.statusCode === 200) {
              ok++;
              seen.add(body.split(' ')[0]);
            } else failures.push(`HTTP ${res.statusCode}`);
            resolve();
          });
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (e) => {
          failures.push(e.message);
          resolve();
        });
        req.end();
      });
    const worker = async () => {
      // bounded: stops with the reloads, or after 20,000 requests at most
      for (let i = 0; running && i < 20_000; i++) await get();
    };
    const workers = Array.from({ length: 8 }, worker);
    let activated = 0;
    try {
      for (let i = 1; i <= 100; i++) {
        app.write('word.js', `export const word = 'v${i}';\n`);
        const r = await call(`${p.base}${PREFIX}/reload-all`, { method: 'POST', body: { files: ['word.js'] } });
        if (r.body.activated) activated++;
        await new Promise((res) => setTimeout(res, 5));
      }
    } finally {
      running = false;
      await Promise.all(workers);
      agent.destroy();
    }
    process.stdout.write(`load through 100 reloads: ${ok} ok, ${failures.length} failed, ${seen.size} versions seen\n`);
    expect(activated).toBe(100);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(100);
    expect(seen.size).toBeGreaterThan(10); // the clients really saw the versions change
    expect((await call(`${p.base}/`)).body).toMatch(/^v100 /);
  });
});
