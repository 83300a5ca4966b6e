// Nothing pending is lost across a client restart (issue 14). A client killed in its
// cooldown lost the change it held; on start, watch mode reloads the files the service
// reports stale, and verifies once a service that reloaded since it booted.
//
// The service here is a real node:http server that does what the agent's stale_files is
// specified to do: it remembers the content of each file it "loaded" (at start and at each
// reload) and reports the files whose content on disk differs, relative to its root.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/client.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { BIN, buildOnce } from './helpers/cli-process.js';
import { makeConfig } from './helpers/config.js';

const PREFIX = '/api/v1/hot-reload';

interface StaleService {
  url: string;
  reloads: { files?: string[] }[];
  verifies: number;
  close(): Promise<void>;
}

/** `root` is the service's root; `dir` the folder it serves from (relative names: `server/x.js`). */
async function startStaleService(root: string, opts: { reloadedSinceBoot?: boolean; staleField?: 'omit' | 'null' } = {}): Promise<StaleService> {
  const hash = (abs: string) => createHash('sha256').update(readFileSync(abs)).digest('hex');
  const files = () => readdirSync(path.join(root, 'server')).map((n) => `server/${n}`);
  const loaded = new Map<string, string>();
  const load = () => {
    loaded.clear();
    for (const f of files()) loaded.set(f, hash(path.join(root, f)));
  };
  load();
  let version = 1;
  let lastReload: unknown = opts.reloadedSinceBoot ? { id: 'r1', ok: true, version: 1, started_at: new Date().toISOString(), duration_ms: 3, modules: ['server/app.js'] } : null;
  const reloads: { files?: string[] }[] = [];
  let verifies = 0;
  const sockets = new Set<Socket>();
  const json = (res: http.ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      if (req.url === '/health') return json(res, { ok: true });
      if (req.url === `${PREFIX}/status`) {
        const stale = files().filter((f) => loaded.get(f) !== hash(path.join(root, f)));
        const field = opts.staleField === 'omit' ? {} : { stale_files: opts.staleField === 'null' ? null : stale };
        return json(res, { success: true, status: { running: true, state: 'idle', version, boot_id: 'b1', pid: 4242, last_reload: lastReload, ...field } });
      }
      if (req.url === `${PREFIX}/reload-all`) {
        reloads.push(raw ? (JSON.parse(raw) as { files?: string[] }) : {});
        load();
        const previous = version++;
        lastReload = { id: `r${version}`, ok: true, version, started_at: new Date().toISOString(), duration_ms: 2, modules: [] };
        return json(res, { success: true, message: 'ok', reloaded_modules: [], failed_modules: [], version, previous_version: previous, activated: true });
      }
      if (req.url === `${PREFIX}/verify`) {
        verifies++;
        return json(res, { success: true, checks: { smoke: { ok: true, detail: 'fine' } } });
      }
      res.writeHead(404).end();
    });
  });
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reloads,
    get verifies() {
      return verifies;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

let root: string;
let svc: StaleService | undefined;
let engine: Engine | undefined;
const children: ChildProcess[] = [];
beforeAll(() => buildOnce(), 180_000);
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-catchup-'));
  await fs.mkdir(path.join(root, 'server'));
  await fs.writeFile(path.join(root, 'server', 'app.js'), 'export default 1;\n');
  await fs.writeFile(path.join(root, 'server', 'b.js'), 'export default "b1";\n');
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await engine?.close();
  engine = undefined;
  await svc?.close();
  svc = undefined;
  await fs.rm(root, { recursive: true, force: true });
});

async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** the real CLI in headless watch mode on server/, with a 30 s cooldown to be killed in */
function startWatchClient(cwd: string, url: string, started: ChildProcess[]) {
  const child = spawn(process.execPath, [BIN, '--watch', '--no-tui', '--api-url', url, '--dir', 'server', '--cooldown', '30', '--log-dir', path.join(cwd, 'logs')], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out };
}

function startEngine(url: string) {
  engine = createEngine(
    makeConfig({ root, dirs: [path.join(root, 'server')], apiUrl: url, debounceMs: 20, cooldownMs: 200, logDir: path.join(root, 'logs') }),
    { pollIntervalMs: 250 },
  );
  return engine.start();
}

describe('status.stale_files', () => {
  it('is parsed; null means absent', async () => {
    svc = await startStaleService(root, { staleField: 'null' });
    const c = createClient({ name: 'a', apiUrl: svc.url }, makeConfig());
    expect((await c.status()).stale_files).toBeUndefined();
    await svc.close();
    svc = await startStaleService(root);
    await fs.writeFile(path.join(root, 'server', 'b.js'), 'export default "b2";\n');
    expect((await createClient({ name: 'a', apiUrl: svc.url }, makeConfig()).status()).stale_files).toEqual(['server/b.js']);
  });
});

describe('watch mode catches up when it starts', () => {
  it('reloads the files the service reports stale, once', async () => {
    svc = await startStaleService(root);
    await fs.writeFile(path.join(root, 'server', 'b.js'), 'export default "b2";\n'); // changed while no client ran
    await startEngine(svc.url);
    await until(() => svc!.reloads.length === 1, 'the catch-up reload');
    expect(svc.reloads[0]).toEqual({ files: ['server/b.js'], reason: 'watch' });
    await pause(800); // several polls: nothing is stale any more, nothing more happens
    expect(svc.reloads).toHaveLength(1);
    expect(svc.verifies).toBe(1); // the catch-up reload was verified
  });

  it('verifies once a service that reloaded since it booted and has nothing stale', async () => {
    svc = await startStaleService(root, { reloadedSinceBoot: true });
    await startEngine(svc.url);
    await until(() => svc!.verifies === 1, 'the start-up verification');
    await pause(800);
    expect(svc.verifies).toBe(1);
    expect(svc.reloads).toHaveLength(0);
    expect(engine!.store.getState().history[0]).toMatchObject({ kind: 'verify', outcome: 'ok' });
  });

  it('a service without stale_files and without reloads since boot: nothing at start', async () => {
    svc = await startStaleService(root, { staleField: 'omit' });
    await startEngine(svc.url);
    await until(() => engine!.store.getState().targets[0]?.connection.state === 'connected', 'connected');
    await pause(800);
    expect([svc.reloads.length, svc.verifies]).toEqual([0, 0]);
  });
});

describe('a client killed in its cooldown, started again', () => {
  it('the change it held is reloaded by the next client', async () => {
    svc = await startStaleService(root);
    const start = () => startWatchClient(root, svc!.url, children);
    const first = start();
    await until(() => first.out().includes('watching 2 files'), 'the first client watching', 15_000);
    await fs.writeFile(path.join(root, 'server', 'app.js'), 'export default 2;\n');
    await until(() => svc!.reloads.length === 1, 'the first reload', 15_000);
    await fs.writeFile(path.join(root, 'server', 'b.js'), 'export default "b2";\n'); // in the 30 s cooldown
    await until(() => first.out().includes('changed: server/b.js'), 'the change held', 15_000);
    first.child.kill('SIGKILL'); // no quit path: the pending change dies with it
    await new Promise((r) => first.child.once('close', r));
    expect(svc.reloads).toHaveLength(1);

    start();
    await until(() => svc!.reloads.length === 2, 'the held change reloaded by the next client', 15_000);
    expect(svc.reloads[1].files).toEqual(['server/b.js']);
  }, 60_000);
});

describe('with the real agent (serve)', () => {
  it('a client killed in its cooldown: the next client reloads the held change, and the service answers it', async () => {
    const { appDir, startServe } = await import('./helpers/agent-fixture.js');
    const app = appDir({
      'server/app.js': "import { greet } from './greet.js';\nexport default (req, res) => res.end(greet());\n",
      'server/greet.js': "export const greet = () => 'one';\n",
    });
    const serve = await startServe([app.path('server/app.js')]);
    const clients: ChildProcess[] = [];
    try {
      const start = () => startWatchClient(app.dir, serve.base, clients);
      const answer = async () => (await fetch(serve.base, { signal: AbortSignal.timeout(5000) })).text();
      const first = start();
      await until(() => first.out().includes('watching 2 files'), 'the first client watching', 15_000);
      app.write('server/greet.js', "export const greet = () => 'two';\n");
      await until(() => /✔ trigger:/.test(first.out()), 'the first reload', 15_000);
      expect(await answer()).toBe('two');
      app.write('server/greet.js', "export const greet = () => 'three';\n"); // in the 30 s cooldown
      await until(() => first.out().includes('changed: server/greet.js') && first.out().split('changed: server/greet.js').length > 2, 'the change held', 15_000);
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('close', r));
      expect(await answer()).toBe('two'); // the held change is not serving

      const second = start();
      await until(() => /✔ trigger:/.test(second.out()), 'the catch-up reload', 20_000);
      expect(await answer()).toBe('three');
    } finally {
      for (const c of clients) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await serve.stop();
      app.cleanup();
    }
  }, 90_000);
});

describe('staleToReload (pure)', () => {
  it('names files as the watcher does and leaves out those it has seen change', async () => {
    const { staleToReload } = await import('../src/engine/catch-up.js');
    expect(staleToReload(['/p/server/a.js', 'server/b.js', 'server/b.js', '', 7], '/p', new Set())).toEqual(['server/a.js', 'server/b.js']);
    // the service's root may be above or below ours: whole trailing segments match
    expect(staleToReload(['/elsewhere/answer.js', 'app/server/c.js', 'd.js', 'xd.js'], '/p', new Set(['answer.js', 'server/c.js', 'lib/d.js']))).toEqual(['xd.js']);
  });
});
