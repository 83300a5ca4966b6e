// The real CLI process against the seed's old server (its double, built from the recorded
// answers): every mode through success, a failed reloader, advisory checks and a long reload.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildOnce, runCliProcess } from './helpers/cli-process.js';
import { startSeedServer, type SeedServer } from './helpers/seed-server.js';
import { readWire } from './helpers/seed-wire.js';
import http from 'node:http';
import { listenLoopback } from './helpers/net.js';

let tmp: string;
let seed: SeedServer;

beforeAll(() => buildOnce(), 120_000);
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ahr-seed-cli-'));
  await mkdir(path.join(tmp, 'src'));
  seed = await startSeedServer({ reloadAllMs: 50, moduleReloadMs: 20 });
});
afterEach(async () => {
  await seed.close();
  await rm(tmp, { recursive: true, force: true });
});

const GREETING = { name: 'greeting', path: '/api/v1/greeting', expectStatus: 200 };
const configure = (extra: Record<string, unknown> = {}) =>
  writeFile(path.join(tmp, 'hot-reload.config.json'), JSON.stringify({ apiUrl: seed.url, probes: [GREETING], ...extra }));
const cli = (args: string[], timeoutMs?: number) => runCliProcess(args, { cwd: tmp, ...(timeoutMs ? { timeoutMs } : {}) });
const routes = () => seed.calls.map((c) => (c.route === 'reload-module' ? c.path.slice(seed.prefix.length + 1) : c.route));
const reloadAll = () => fetch(`${seed.url}${seed.prefix}/reload-all`, { method: 'POST' }).then((r) => r.json());

describe('--trigger', () => {
  it('with worker_sync advisory (config key): verified, ⚠ not ✖, exit 0', async () => {
    await configure({ advisoryChecks: ['worker_sync'] });
    seed.edit({ greeting: 'hello v2' });
    const r = await cli(['--trigger']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(routes()).toEqual(['status', 'reload-all', 'verify', 'health', 'app']);
    expect(r.stdout).toContain('⚠ server:worker_sync — advisory: Worker 同步监控未运行');
    expect(r.stdout).not.toContain('✖');
    expect(r.stdout).toMatch(/✔ trigger: reloaded 8 modules, verified \(1 advisory failing\) in \d+ ms/);
    expect(seed.serving.greeting).toBe('hello v2');
  });

  it('--advisory-check NAME (repeatable) does the same from the command line', async () => {
    await configure();
    const r = await cli(['--trigger', '--advisory-check', 'worker_sync', '--advisory-check', 'mysql']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('⚠ server:worker_sync — advisory:');
    expect(r.stdout).toMatch(/✔ server:mysql — 连接池正常/);
  });

  it('without it, worker_sync fails; the rollback changes nothing on that server: exit 4', async () => {
    await configure();
    const r = await cli(['--trigger']);
    expect(r.code).toBe(4);
    expect(routes()).toEqual(['status', 'reload-all', 'verify', 'health', 'app', 'rollback', 'verify', 'health', 'app']);
    expect(r.stdout).toContain('✖ server:worker_sync — Worker 同步监控未运行');
    expect(r.stdout).toMatch(/↩ 回滚事件已发送 \(事件ID: [0-9a-f-]{36}\)/);
    expect(r.stdout).toContain('after the rollback:');
    expect(r.stdout).toContain('✖ trigger: verification failed: server:worker_sync (Worker 同步监控未运行); rolled back, but verification still fails');
  });

  it('a failed reloader (HTTP 200, success:false): rolled back, the reloader named in the lines', async () => {
    await configure({ advisoryChecks: ['worker_sync'] });
    seed.failReloaders(['rules']);
    const r = await cli(['--trigger']);
    expect(r.code).toBe(1);
    expect(routes()).toEqual(['status', 'reload-all', 'rollback', 'verify', 'health', 'app']);
    expect(r.stdout).toContain('✖ trigger: reload failed: 重载完成: 7 成功, 1 失败 | 已通知所有 Worker (version: 1) (failed reloaders: rules); rolled back');
  });

  it('--json: one object naming the failed reloaders', async () => {
    await configure({ advisoryChecks: ['worker_sync'] });
    seed.failReloaders(['rules', 'content']);
    const r = await cli(['--trigger', '--json']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(j).toMatchObject({ type: 'result', kind: 'trigger', ok: false, exitCode: 1, outcome: 'rolled-back', failedModules: ['rules', 'content'] });
    expect(j.message).toContain('(failed reloaders: rules, content)');
  });

  it('--no-verify: reload-all only (no verify, no rollback), exit 0', async () => {
    await configure();
    const r = await cli(['--trigger', '--no-verify']);
    expect(r.code).toBe(0);
    expect(routes()).toEqual(['status', 'reload-all']);
    expect(r.stdout).toMatch(/✔ trigger: reloaded 8 modules/);
  });

  it('--no-verify with a failed reloader: exit 1, nothing rolled back', async () => {
    await configure();
    seed.failReloaders(['rules']);
    const r = await cli(['--trigger', '--no-verify', '--json']);
    expect(r.code).toBe(1);
    expect(routes()).toEqual(['status', 'reload-all']);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'failed', failedModules: ['rules'] });
  });
});

describe('--module against the seed server', () => {
  it('reloads exactly those reloaders through POST {prefix}/reload/{module}, one call each, in order', async () => {
    await configure({ advisoryChecks: ['worker_sync'] });
    const r = await cli(['--trigger', '--module', 'source', '--module', 'config']);
    expect(r.code).toBe(0);
    expect(routes()).toEqual(['status', 'reload/source', 'reload/config', 'verify', 'health', 'app']);
    expect(r.stdout).toContain('✔ reload — 模块 source 重载成功; 模块 config 重载成功 (source, config)');
  });

  it('an unknown module: exit 1, the server\'s detail quoted', async () => {
    await configure();
    const r = await cli(['--trigger', '--module', 'nosuch']);
    expect(r.code).toBe(1);
    expect(routes()).toEqual(['status', 'reload/nosuch']);
    expect(r.stdout).toContain('HTTP 400 — 未知的模块: nosuch');
    expect(r.stderr).toBe('');
  });

  it('a reloader that fails (both lists null): exit 1, named', async () => {
    await configure();
    seed.failReloaders(['rules']);
    const r = await cli(['--trigger', '--module', 'rules', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'failed', failedModules: ['rules'], message: 'reload failed: 模块 rules 重载失败 (failed reloaders: rules)' });
  });
});

describe('--verify and --rollback against the seed server', () => {
  it('--verify on a fresh server: every named check passes (exit 0); after a reload worker_sync fails (exit 1)', async () => {
    await configure();
    const fresh = await cli(['--verify']);
    expect(fresh.code).toBe(0);
    expect(routes()).toEqual(['verify', 'status', 'health', 'app']);
    for (const name of ['payment_clients', 'grpc_endpoints', 'mysql', 'redis', 'worker_sync']) expect(fresh.stdout).toContain(`✔ server:${name}`);
    await reloadAll();
    const after = await cli(['--verify']);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain('✖ server:worker_sync — Worker 同步监控未运行');
    const advisory = await cli(['--verify', '--advisory-check', 'worker_sync']);
    expect(advisory.code).toBe(0);
  });

  it('--rollback: verified afterwards is exit 0; not back in a verified state is exit 4', async () => {
    await configure();
    const ok = await cli(['--rollback']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('✔ rollback: rolled back, verified');
    await reloadAll();
    const stuck = await cli(['--rollback']);
    expect(stuck.code).toBe(4);
    expect(stuck.stdout).toContain('✖ rollback: rolled back, but verification still fails: server:worker_sync');
  });
});

describe('a long reload', () => {
  it('watch mode (lines): a long reload reads "reloading for Ns", never "connection lost"; advisory ⚠; then a failed reloader, named and rolled back', async () => {
    await configure({ advisoryChecks: ['worker_sync'], dirs: ['src'], cooldown: 0, timeouts: { status: 1 } });
    seed.setReloadAllMs(3500);
    let out = '';
    let child: { kill(signal: NodeJS.Signals): void } | undefined;
    const run = runCliProcess(['--no-tui'], {
      cwd: tmp,
      timeoutMs: 30_000,
      onSpawn: (c) => {
        child = c;
        c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      },
    });
    const waitOut = async (re: RegExp) => {
      for (let i = 0; i < 2000 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 10));
      expect(out).toMatch(re);
    };
    await waitOut(/watching \d+ files? in src/);
    await waitOut(/✔ connected: default/);
    await writeFile(path.join(tmp, 'src', 'greeting.py'), 'GREETING = "hello v2"\n');
    await waitOut(/✔ trigger: /);
    // then a save whose reload fails in one reloader: named, rolled back, watching goes on
    seed.setReloadAllMs(50);
    seed.failReloaders(['rules']);
    await writeFile(path.join(tmp, 'src', 'greeting.py'), 'GREETING = "hello v3"\n');
    await waitOut(/✖ trigger: reload failed: .*\(failed reloaders: rules\); rolled back/);
    child?.kill('SIGINT');
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/⟳ default: reloading for \ds — the service answers nothing until the reload ends/);
    expect(r.stdout).not.toContain('connection lost');
    expect(r.stdout).toMatch(/✔ trigger: reloaded 8 modules, verified \(1 advisory failing\)/);
    expect(r.stdout).toContain('⚠ server:worker_sync — advisory: Worker 同步监控未运行');
    expect(r.stdout).toContain('✖ reload — 重载完成: 7 成功, 1 失败 | 已通知所有 Worker (version: 2); failed: rules');
    // status read once to learn the dialect and once in each reload's verification; the rest is /health
    expect(seed.callsTo('status')).toHaveLength(3);
    expect(seed.callsTo('health').length).toBeGreaterThan(2);
  }, 40_000);

  it('--trigger through a 35 s reload-all (as the real server takes): completes within the 60 s reload timeout', async () => {
    await configure({ advisoryChecks: ['worker_sync'] });
    seed.setReloadAllMs(35_000);
    const r = await cli(['--trigger', '--json'], 60_000);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { durationMs: number; outcome: string };
    expect(j.outcome).toBe('ok');
    expect(j.durationMs).toBeGreaterThanOrEqual(35_000);
  }, 70_000);
});

describe('bad answers in that dialect', () => {
  it('an HTML page or a truncated body for reload-all: exit 1, one clear line, no stack trace', async () => {
    const status = readWire().find((a) => a.title === 'GET /api/v1/hot-reload/status')!.text;
    const reloadAll = readWire().find((a) => a.title === 'POST /api/v1/hot-reload/reload-all')!.text;
    for (const [ct, body, problem] of [
      ['text/html', '<html><body><h1>502 Bad Gateway</h1></body></html>', 'not JSON'],
      ['application/json', reloadAll.slice(0, 80), 'not JSON'],
    ] as const) {
      const server = http.createServer((req, res) => {
        req.resume();
        const isStatus = req.url?.endsWith('/status');
        res.writeHead(200, { 'content-type': isStatus ? 'application/json' : ct });
        res.end(isStatus ? status : body);
      });
      const { port, close } = await listenLoopback(server);
      try {
        await writeFile(path.join(tmp, 'hot-reload.config.json'), JSON.stringify({ apiUrl: `http://127.0.0.1:${port}` }));
        const r = await cli(['--trigger']);
        expect(r.code).toBe(1);
        expect(r.stdout).toContain(`✖ trigger: reload failed: POST http://127.0.0.1:${port}/api/v1/hot-reload/reload-all: invalid response (${problem}`);
        expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
      } finally {
        await close();
      }
    }
  });
});

