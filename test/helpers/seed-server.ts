/**
 * A test double of the seed's real hot-reload server (HiFate-bazi, FastAPI,
 * `server/hot_reload/api.py`), built from its recorded answers in
 * ../shared/seed-server-wire/ — not from our protocol. A real node:http server on
 * 127.0.0.1:<ephemeral>. What it reproduces, each as recorded:
 *
 * - every optional field is sent as `null`, never omitted (`"failed_modules": null`);
 * - `POST reload-all` ignores its body, takes `reloadAllMs` (the real one ~35 s) and blocks
 *   EVERY route meanwhile (`/health` and `status` included); it answers the eight
 *   reloaders; a failed reloader is HTTP 200 `success:false` with reloader names (not
 *   files) in `failed_modules`;
 * - `POST reload/{module}` reloads one reloader in `moduleReloadMs` (~0.2 s); an unknown
 *   name is 400 `{"detail": "未知的模块: NAME"}`; a failed one has both lists `null`;
 * - `POST verify` answers 200 with five named checks; after any reload `worker_sync`
 *   fails ("Worker 同步监控未运行") until the process restarts (a bug of that server);
 * - `POST rollback` (Redis up) only publishes an event: success, nothing changes; it reads
 *   `module_name`/`version` from the query string;
 * - `GET status` has no `version`, `boot_id`, `pid`, `started_at`, `agent`: per-reloader
 *   `versions` and `file_monitor`; every read consumes the "changed" flags;
 * - `GET /health` answers 200 whatever its parts say.
 *
 * The application: edits (`edit()`) are what is on disk; only a reload makes them serve.
 * `GET /api/v1/greeting` answers the serving greeting, or 500 when the serving code is broken.
 *
 * Not recorded, so chosen here: the message of a reload-all with a failed reloader
 * (`重载完成: 7 成功, 1 失败 | …`, the success message's own form).
 */
import http from 'node:http';
import { listenLoopback } from './net.js';
import { randomUUID } from 'node:crypto';

/** The eight reloaders reload-all answers, in the order the server lists them. */
export const RELOADERS = ['config', 'rules', 'inference_rules', 'content', 'source', 'singleton', 'microservice', 'cache'] as const;
/** The reloaders status reports versions of. */
const VERSIONED = ['rules', 'content', 'source'] as const;

export type SeedRoute = 'health' | 'status' | 'versions' | 'reload-all' | 'reload-module' | 'verify' | 'rollback' | 'check' | 'app' | 'unknown';

export interface SeedCall {
  method: string;
  path: string;
  query: string;
  route: SeedRoute;
  rawBody: string;
  /** ms since the server started, when the request arrived and when it was answered */
  at: number;
  answeredAt?: number;
}

export interface SeedServerOptions {
  prefix?: string; // default /api/v1/hot-reload
  /** how long POST reload-all takes, blocking every route (the real one: ~35 s); default 50 */
  reloadAllMs?: number;
  /** how long POST reload/{module} takes (the real one: ~0.2 s); default 200 */
  moduleReloadMs?: number;
}

export interface SeedServer {
  readonly url: string;
  readonly prefix: string;
  readonly calls: SeedCall[];
  callsTo(route: SeedRoute): SeedCall[];
  /** what the next reload-all (or reload/{module}) reports as failed; `times` for more than one */
  failReloaders(names: string[], opts?: { times?: number }): void;
  /** change the application's code on disk: a new greeting, or code that throws */
  edit(change: { greeting?: string; broken?: boolean }): void;
  /** what serves now */
  readonly serving: { greeting: string; broken: boolean };
  /** reloads done (reload-all or one module), rollbacks asked for */
  readonly reloads: number;
  readonly rollbacks: number;
  setReloadAllMs(ms: number): void;
  close(): Promise<void>;
}

export async function startSeedServer(opts: SeedServerOptions = {}): Promise<SeedServer> {
  const prefix = opts.prefix ?? '/api/v1/hot-reload';
  let reloadAllMs = opts.reloadAllMs ?? 50;
  const moduleReloadMs = opts.moduleReloadMs ?? 200;
  const t0 = Date.now();
  const calls: SeedCall[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const onDisk = { greeting: 'hello v1', broken: false };
  const serving = { greeting: 'hello v1', broken: false };
  const versions: Record<string, { current: number; cached: number; changed: boolean }> = {
    rules: { current: 1, cached: 1, changed: false },
    content: { current: 1, cached: 1, changed: false },
    source: { current: Math.floor(t0 / 1000), cached: Math.floor(t0 / 1000), changed: false },
  };
  let workerSyncRunning = true;
  let changedFiles = 0;
  let reloads = 0;
  let rollbacks = 0;
  let broadcast = 0;
  const failing: { names: string[]; left: number }[] = [];
  // the one worker: while reload-all runs, every other request waits for it
  let blocked: Promise<void> | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const takeFailing = (): string[] => {
    const head = failing[0];
    if (!head) return [];
    if (--head.left <= 0) failing.shift();
    return head.names;
  };

  /** what a reload of `names` does: the code on disk serves, the worker sync monitor stops */
  const reloadCode = (names: readonly string[]) => {
    reloads++;
    workerSyncRunning = false; // the recorded server's bug: it never comes back until a restart
    if (names.includes('source')) {
      Object.assign(serving, onDisk);
      const v = versions.source;
      v.current = v.cached = Math.max(v.current + 1, Math.floor(Date.now() / 1000));
    }
    for (const n of names) if (n in versions && n !== 'source') versions[n].current = versions[n].cached += 1;
    changedFiles = 0;
    for (const v of Object.values(versions)) v.changed = false;
  };

  const route = (method: string, path: string): SeedRoute => {
    if (method === 'GET' && (path === '/health' || path === '/api/v1/health')) return 'health';
    if (method === 'GET' && path === '/api/v1/greeting') return 'app';
    if (!path.startsWith(`${prefix}/`)) return 'unknown';
    const rest = path.slice(prefix.length + 1);
    if (method === 'GET' && rest === 'status') return 'status';
    if (method === 'GET' && rest === 'versions') return 'versions';
    if (method === 'POST' && rest === 'reload-all') return 'reload-all';
    if (method === 'POST' && rest.startsWith('reload/') && rest.length > 'reload/'.length) return 'reload-module';
    if (method === 'POST' && rest === 'verify') return 'verify';
    if (method === 'POST' && rest === 'rollback') return 'rollback';
    if (method === 'POST' && rest === 'check') return 'check';
    return 'unknown';
  };

  const healthBody = () => ({
    status: 'healthy',
    timestamp: Date.now() / 1000,
    system: { platform: 'Linux', python_version: '3.11.2', cpu_percent: 14.3, memory: { total: 25276194816, available: 24219156480, percent: 4.2, used: 726679552 } },
    cache: { status: 'enabled', size: 0, max_size: 10000, ttl: 3600 },
    mysql_pool: { status: 'active', current_connections: 1, max_connections: 20 },
  });

  const statusBody = () => {
    const body = {
      success: true,
      status: {
        running: workerSyncRunning,
        interval: 60,
        versions: Object.fromEntries(VERSIONED.map((n) => [n, { ...versions[n] }])),
        file_monitor: { monitored_files: 46, changed_files: changedFiles },
      },
    };
    // the side effect: a status read consumes the "changed" flags
    for (const v of Object.values(versions)) v.changed = false;
    changedFiles = 0;
    return body;
  };

  const verifyBody = () => {
    const checks = {
      payment_clients: { ok: true, detail: "已注册且可用: ['stripe', 'payermax']" },
      grpc_endpoints: { ok: true, detail: '端点数量: 5，关键端点均在线' },
      mysql: { ok: true, detail: '连接池正常 (当前连接: 1/20)' },
      redis: { ok: true, detail: 'Redis 连接正常' },
      worker_sync: workerSyncRunning ? { ok: true, detail: `Worker-17335 同步监控运行中 (版本: ${broadcast})` } : { ok: false, detail: 'Worker 同步监控未运行' },
    };
    const failed = Object.entries(checks).filter(([, c]) => !c.ok).map(([n]) => `'${n}'`);
    return { success: failed.length === 0, message: failed.length ? `部分检查失败: [${failed.join(', ')}]` : '所有检查通过', checks };
  };

  async function answer(call: SeedCall, res: http.ServerResponse): Promise<void> {
    const json = (status: number, body: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      call.answeredAt = Date.now() - t0;
    };
    switch (call.route) {
      case 'health':
        return json(200, healthBody());
      case 'app':
        return serving.broken
          ? json(500, { detail: 'Internal Server Error' })
          : json(200, { success: true, data: { greeting: serving.greeting } });
      case 'status':
        return json(200, statusBody());
      case 'versions':
        return json(200, { success: true, versions });
      case 'check':
        return json(200, { success: true, message: '热更新检查完成', reloaded_modules: null, failed_modules: null });
      case 'verify':
        return json(200, verifyBody());
      case 'rollback':
        rollbacks++;
        return json(200, { success: true, message: `回滚事件已发送 (事件ID: ${randomUUID()})`, reloaded_modules: null, failed_modules: null });
      case 'reload-module': {
        const name = decodeURIComponent(call.path.slice(`${prefix}/reload/`.length));
        if (!(RELOADERS as readonly string[]).includes(name)) return json(400, { detail: `未知的模块: ${name}` });
        await sleep(moduleReloadMs);
        if (takeFailing().includes(name)) {
          return json(200, { success: false, message: `模块 ${name} 重载失败`, reloaded_modules: null, failed_modules: null });
        }
        reloadCode([name]);
        return json(200, { success: true, message: `模块 ${name} 重载成功`, reloaded_modules: [name], failed_modules: null });
      }
      case 'reload-all': {
        const failed = takeFailing();
        const ok = RELOADERS.filter((n) => !failed.includes(n));
        reloadCode(ok);
        broadcast++;
        return json(200, {
          success: failed.length === 0,
          message: `重载完成: ${ok.length} 成功, ${failed.length} 失败 | 已通知所有 Worker (version: ${broadcast})`,
          reloaded_modules: ok.length ? ok : null,
          failed_modules: failed.length ? failed : null,
        });
      }
      default:
        return json(404, { detail: 'Not Found' });
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = (req.method ?? 'GET').toUpperCase();
      const call: SeedCall = { method, path: u.pathname, query: u.search, route: route(method, u.pathname), rawBody: Buffer.concat(chunks).toString('utf8'), at: Date.now() - t0 };
      calls.push(call);
      void (async () => {
        while (blocked) await blocked;
        if (call.route === 'reload-all') {
          let release!: () => void;
          blocked = new Promise<void>((r) => (release = r));
          try {
            await sleep(reloadAllMs);
            await answer(call, res);
          } finally {
            blocked = null;
            release();
          }
          return;
        }
        await answer(call, res);
      })();
    });
  });
  const { port, close } = await listenLoopback(server, () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
  });
  return {
    url: `http://127.0.0.1:${port}`,
    prefix,
    calls,
    callsTo: (r) => calls.filter((c) => c.route === r),
    failReloaders(names, o) {
      failing.push({ names: [...names], left: o?.times ?? 1 });
    },
    edit(change) {
      Object.assign(onDisk, change);
      changedFiles++;
      versions.source.changed = true;
    },
    get serving() {
      return { ...serving };
    },
    get reloads() {
      return reloads;
    },
    get rollbacks() {
      return rollbacks;
    },
    setReloadAllMs(ms) {
      reloadAllMs = ms;
    },
    close,
  };
}
