/**
 * A real node:http hot-reload service on 127.0.0.1:<ephemeral> for tests, speaking protocol
 * v1 of DESIGN.md — versions (+1 per activated reload), `boot_id`, `pid`, `started_at`,
 * `POST verify`, rollback honouring `from_version` (409 on mismatch or when nothing is
 * kept), token check (`Authorization: Bearer …`, 401) on the hot-reload routes.
 * The seed's old server has its own double, built from its recorded answers: seed-server.ts.
 *
 * Usage:
 * ```ts
 * const svc = await startFakeService({ dialect: 'v1', token: 's3cret' });
 * svc.url;                                   // "http://127.0.0.1:PORT"
 * svc.script('reload', { do: 'fail' });      // next reload fails without activation
 * svc.script('reload', { do: 'activate-broken' });  // activates, then verify + probes fail until rollback
 * svc.script('reload', { do: 'restart' });   // succeeds but the process "restarted" (new boot_id/pid/started_at)
 * svc.script('status', { do: 'delay', ms: 2000 }); // answer after 2 s (then behave normally)
 * svc.script('reload', { do: 'html500' });   // 500 with an HTML body
 * svc.script('status', { do: 'truncated' }); // 200 with truncated JSON
 * svc.script('verify', { do: 'http', status: 401, body: { success: false, message: 'no' } });
 * svc.script('rollback', { do: 'fail' });    // 500 {success:false, message}
 * svc.script('health', { do: 'drop' });      // destroy the socket without an answer
 * svc.script('reload', { do: 'fail' }, { times: Infinity }); // sticky instead of one-shot
 * svc.setProbe('GET', '/api/v1/greeting', { status: 200, body: { data: { greeting: 'hello' } } });
 * svc.calls;                                 // every request: {method, path, query, body, rawBody, headers}
 * svc.callsTo('reload');                     // only those of one endpoint
 * svc.state;                                 // {version, bootId, pid, startedAt, broken, versionsKept}
 * await svc.close();                         // closes the server and every open socket
 * ```
 * Scripts are queued per endpoint and consumed one per call (FIFO); `times` repeats one.
 * Probe answers belong to the active version: a reload copies them to the new version
 * (`activate-broken` makes every probe answer 500), and rollback restores the old ones.
 */
import http from 'node:http';
import { listenLoopback } from './net.js';
import { randomUUID } from 'node:crypto';

/** protocol v1 only; the old server is seed-server.ts */
export type Dialect = 'v1';
export type FakeEndpoint = 'health' | 'status' | 'reload' | 'verify' | 'rollback';

export type FakeAction =
  /** reload: fails without activating; rollback: fails (500); verify: answers success:false */
  | { do: 'fail'; message?: string; httpStatus?: number }
  /** reload: activates a new version whose verify checks and probes fail */
  | { do: 'activate-broken'; message?: string }
  /** reload: succeeds, but boot_id/pid/started_at change (the service restarted) */
  | { do: 'restart' }
  /** answer after `ms` (then as usual; or with `then` when given) */
  | { do: 'delay'; ms: number; then?: FakeAction }
  | { do: 'html500' }
  | { do: 'truncated' }
  | { do: 'http'; status: number; body?: unknown; contentType?: string }
  /** reset the connection without answering */
  | { do: 'drop' };

export interface FakeCall {
  method: string;
  path: string;
  query: string;
  body: unknown; // parsed JSON, or the raw string when not JSON, or undefined when empty
  rawBody: string;
  headers: http.IncomingHttpHeaders;
  endpoint?: FakeEndpoint;
}

export interface ProbeAnswer {
  status: number;
  body?: unknown; // object → JSON; string → text/plain
  headers?: Record<string, string>;
}

export interface FakeServiceOptions {
  dialect?: Dialect;
  token?: string;
  prefix?: string; // default /api/v1/hot-reload
  /** modules the fake reports as reloaded when the request names none */
  modules?: string[];
}

export interface FakeState {
  version: number;
  versionsKept: number[];
  bootId: string;
  pid: number;
  startedAt: string;
  broken: boolean;
  healthStatus: number;
}

export interface FakeService {
  readonly url: string;
  readonly port: number;
  readonly dialect: Dialect;
  readonly calls: FakeCall[];
  readonly state: Readonly<FakeState>;
  callsTo(endpoint: FakeEndpoint): FakeCall[];
  script(endpoint: FakeEndpoint, action: FakeAction, opts?: { times?: number }): void;
  setProbe(method: string, path: string, answer: ProbeAnswer): void;
  setHealth(status: number): void;
  /** simulate an out-of-band process restart (new boot id, pid and start time; version 1) */
  restart(): void;
  clearCalls(): void;
  close(): Promise<void>;
}

interface VersionRecord {
  version: number;
  broken: boolean;
  probes: Map<string, ProbeAnswer>;
}

export async function startFakeService(opts: FakeServiceOptions = {}): Promise<FakeService> {
  const dialect: Dialect = opts.dialect ?? 'v1';
  const prefix = opts.prefix ?? '/api/v1/hot-reload';
  const defaultModules = opts.modules ?? ['server/app.js'];
  const calls: FakeCall[] = [];
  const queues = new Map<FakeEndpoint, { action: FakeAction; left: number }[]>();
  const timers = new Set<NodeJS.Timeout>();

  let pidCounter = 40_000;
  const state: FakeState = {
    version: 1,
    versionsKept: [1],
    bootId: randomUUID(),
    pid: pidCounter++,
    startedAt: new Date().toISOString(),
    broken: false,
    healthStatus: 200,
  };
  let nextVersion = 2;
  // history of activated versions, newest last; the last one is active
  let versions: VersionRecord[] = [{ version: 1, broken: false, probes: new Map() }];
  const active = () => versions[versions.length - 1];
  const probeKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

  const endpointOf = (method: string, path: string): FakeEndpoint | undefined => {
    if (method === 'GET' && path === '/health') return 'health';
    if (method === 'GET' && path === `${prefix}/status`) return 'status';
    if (method === 'POST' && path === `${prefix}/reload-all`) return 'reload';
    if (method === 'POST' && path === `${prefix}/verify`) return 'verify';
    if (method === 'POST' && path === `${prefix}/rollback`) return 'rollback';
    return undefined;
  };

  const takeAction = (endpoint: FakeEndpoint): FakeAction | undefined => {
    const q = queues.get(endpoint);
    if (!q || q.length === 0) return undefined;
    const head = q[0];
    head.left -= 1;
    if (head.left <= 0) q.shift();
    return head.action;
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    if (typeof body === 'string') {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(body);
    } else if (body === undefined) {
      res.writeHead(status, headers);
      res.end();
    } else {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    }
  };

  const statusBody = () => {
    return {
      success: true,
      status: {
        running: true,
        state: 'idle',
        version: state.version,
        versions_kept: [...state.versionsKept],
        boot_id: state.bootId,
        pid: state.pid,
        started_at: state.startedAt,
        uptime_ms: Date.now() - Date.parse(state.startedAt),
        last_reload: null,
        agent: { name: 'fake-service', version: '1.0.0' },
      },
    };
  };

  const syncState = () => {
    const a = active();
    state.version = a.version;
    state.broken = a.broken;
    state.versionsKept = versions.map((v) => v.version);
  };

  const activate = (broken: boolean) => {
    const prev = active();
    const probes = new Map(prev.probes);
    if (broken) for (const [k] of probes) probes.set(k, { status: 500, body: { error: 'broken version' } });
    versions.push({ version: nextVersion++, broken, probes });
    if (versions.length > 5) versions = versions.slice(-5);
    syncState();
    return prev.version;
  };

  const doRestart = () => {
    state.bootId = randomUUID();
    state.pid = pidCounter++;
    // a distinct start time even within the same millisecond
    state.startedAt = new Date(Date.now() + 1).toISOString();
    const probes = new Map(active().probes);
    versions = [{ version: 1, broken: false, probes }];
    nextVersion = 2;
    syncState();
  };

  const requestedModules = (body: unknown): string[] => {
    const b = (body ?? {}) as { modules?: unknown; files?: unknown };
    const names = [
      ...(Array.isArray(b.modules) ? b.modules : []),
      ...(Array.isArray(b.files) ? b.files : []),
    ].filter((x): x is string => typeof x === 'string');
    return names.length > 0 ? names : defaultModules;
  };

  const handleEndpoint = (endpoint: FakeEndpoint, action: FakeAction | undefined, call: FakeCall, res: http.ServerResponse) => {
    if (action) {
      switch (action.do) {
        case 'delay': {
          const t = setTimeout(() => {
            timers.delete(t);
            handleEndpoint(endpoint, action.then, call, res);
          }, action.ms);
          timers.add(t);
          return;
        }
        case 'html500':
          res.writeHead(500, { 'content-type': 'text/html' });
          res.end('<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>');
          return;
        case 'truncated':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"success": true, "status": {"running": tr');
          return;
        case 'http':
          if (action.contentType) {
            res.writeHead(action.status, { 'content-type': action.contentType });
            res.end(typeof action.body === 'string' ? action.body : JSON.stringify(action.body ?? ''));
          } else send(res, action.status, action.body);
          return;
        case 'drop':
          res.socket?.destroy();
          return;
        default:
          break; // behavioural actions below
      }
    }

    switch (endpoint) {
      case 'health':
        return send(res, state.healthStatus, { ok: state.healthStatus < 300 });
      case 'status':
        return send(res, 200, statusBody());
      case 'reload': {
        const modules = requestedModules(call.body);
        if (action?.do === 'fail') {
          const message = action.message ?? `SyntaxError: Unexpected token in ${modules[0]}`;
          return send(res, action.httpStatus ?? 200, {
            success: false,
            message,
            reloaded_modules: [],
            failed_modules: modules,
            version: state.version,
            previous_version: state.version,
            activated: false,
            duration_ms: 1.5,
            error: { message, file: modules[0], line: 3, column: 7 },
          });
        }
        if (action?.do === 'restart') doRestart();
        const broken = action?.do === 'activate-broken';
        const prevVersion = activate(broken);
        return send(res, 200, {
          success: true,
          message: action?.do === 'activate-broken' ? action.message ?? `Reloaded ${modules.length} modules` : `Reloaded ${modules.length} modules`,
          reloaded_modules: modules,
          failed_modules: [],
          version: state.version,
          previous_version: prevVersion,
          activated: true,
          duration_ms: 2.1,
        });
      }
      case 'verify': {
        const failing = action?.do === 'fail' || state.broken;
        return send(res, 200, {
          success: !failing,
          checks: {
            modules_loaded: { ok: true, detail: 'all modules loaded' },
            smoke: failing
              ? { ok: false, detail: action?.do === 'fail' && action.message ? action.message : 'handler threw: TypeError: x is undefined' }
              : { ok: true, detail: 'handler answered 200' },
          },
        });
      }
      case 'rollback': {
        if (action?.do === 'fail') {
          return send(res, action.httpStatus ?? 500, { success: false, message: action.message ?? 'rollback failed: previous version could not be restored' });
        }
        const from = (call.body as { from_version?: unknown } | undefined)?.from_version;
        if (from !== undefined && from !== state.version) {
          return send(res, 409, { success: false, message: `version is ${state.version}, not ${String(from)}` });
        }
        if (versions.length < 2) return send(res, 409, { success: false, message: 'nothing to roll back' });
        const rolledFrom = state.version;
        versions.pop();
        syncState();
        return send(res, 200, {
          success: true,
          message: `rolled back to version ${state.version}`,
          version: state.version,
          rolled_back_from: rolledFrom,
        });
      }
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      if (rawBody.length > 0) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = rawBody;
        }
      }
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = (req.method ?? 'GET').toUpperCase();
      const endpoint = endpointOf(method, u.pathname);
      const call: FakeCall = { method, path: u.pathname, query: u.search, body, rawBody, headers: req.headers, endpoint };
      calls.push(call);

      if (endpoint) {
        const action = takeAction(endpoint);
        const needsToken = endpoint !== 'health' && opts.token !== undefined;
        if (needsToken && req.headers.authorization !== `Bearer ${opts.token}` && action?.do !== 'delay') {
          return send(res, 401, { success: false, message: 'missing or wrong token' });
        }
        return handleEndpoint(endpoint, action, call, res);
      }
      const probe = active().probes.get(probeKey(method, u.pathname));
      if (probe) return send(res, probe.status, probe.body, probe.headers);
      return send(res, 404, { success: false, message: `no route ${method} ${u.pathname}` });
    });
  });
  const { port, close } = await listenLoopback(server, () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dialect,
    calls,
    get state() {
      return state;
    },
    callsTo: (endpoint) => calls.filter((c) => c.endpoint === endpoint),
    script(endpoint, action, o) {
      const q = queues.get(endpoint) ?? [];
      q.push({ action, left: o?.times ?? 1 });
      queues.set(endpoint, q);
    },
    setProbe(method, path, answer) {
      active().probes.set(probeKey(method, path), answer);
    },
    setHealth(status) {
      state.healthStatus = status;
    },
    restart: doRestart,
    clearCalls() {
      calls.length = 0;
    },
    close,
  };
}
