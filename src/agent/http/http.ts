// The agent's HTTP face: the hot-reload API under the prefix (token-protected), and
// everything else handed to the active version of the app; /health falls back to the agent.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { MAX_BODY_BYTES } from '../../protocol/wire.js';
import type { HotReloadAgent } from '../agent.js';
import { readJsonBody } from './body.js';
import { guardApiRequest, hostTrusted, type GuardPolicy } from './guard.js';
import { answerUnlessAppDoes, isHealthCheck } from './health.js';
import { mappedByHook, mapStack } from '../errors.js';
import { parseReloadRequest, parseRollbackRequest } from './requests.js';
import type { Version } from '../versions/versions.js';
import { visible } from '../../protocol/visible.js';

type Route = (req: IncomingMessage, res: ServerResponse, receivedAt: number) => Promise<void>;

/** `pick`: the handler of a version that serves this server (adopted servers: its own). */
export function createHttpHandler(agent: HotReloadAgent, pick: (v: Version) => RequestListener = (v) => v.listener): RequestListener {
  const { prefix, token } = agent.options;
  const tokenDigest = token === undefined ? undefined : digest(token);
  const policy: GuardPolicy = { allowOrigins: agent.options.allowOrigins, allowHosts: agent.options.allowHosts, tokenSet: token !== undefined };

  const routes: Record<string, { method: 'GET' | 'POST'; run: Route }> = {
    [`${prefix}/status`]: {
      method: 'GET',
      run: async (_req, res) => send(res, 200, { success: true, status: agent.status() }),
    },
    // the local module files the service has loaded: what `dev` watches
    [`${prefix}/loaded`]: {
      method: 'GET',
      run: async (_req, res) => send(res, 200, { success: true, root: agent.options.root, files: agent.loadedFiles() }),
    },
    [`${prefix}/reload-all`]: {
      method: 'POST',
      run: async (req, res, receivedAt) => {
        const body = await readJsonBody(req, MAX_BODY_BYTES);
        if (!body.ok) return send(res, body.status, { success: false, message: body.message });
        const parsed = parseReloadRequest(body.value);
        if (!parsed.ok) return send(res, 400, { success: false, message: parsed.message });
        // a failed reload is an answer, not an HTTP error: 200 with success:false
        send(res, 200, await agent.reload(parsed.value, receivedAt));
      },
    },
    [`${prefix}/verify`]: {
      method: 'POST',
      run: async (req, res) => {
        const body = await readJsonBody(req, MAX_BODY_BYTES);
        if (!body.ok) return send(res, body.status, { success: false, message: body.message });
        send(res, 200, await agent.verify());
      },
    },
    [`${prefix}/rollback`]: {
      method: 'POST',
      run: async (req, res) => {
        const body = await readJsonBody(req, MAX_BODY_BYTES);
        if (!body.ok) return send(res, body.status, { success: false, message: body.message });
        const parsed = parseRollbackRequest(body.value);
        if (!parsed.ok) return send(res, 400, { success: false, message: parsed.message });
        const outcome = await agent.rollback(parsed.value.fromVersion);
        send(res, outcome.status, outcome.body);
      },
    },
  };

  const api = (req: IncomingMessage, res: ServerResponse, path: string, receivedAt: number) => {
    // browser safety before anything else (src/agent/http/guard.ts)
    const guard = guardApiRequest(req, policy);
    if (guard.kind === 'refuse') return send(res, guard.status, { success: false, message: guard.message });
    for (const [name, value] of Object.entries(guard.headers)) res.setHeader(name, value);
    if (guard.kind === 'preflight') {
      res.writeHead(204, { 'cache-control': 'no-store' });
      return void res.end();
    }
    // the token first: without it a caller learns nothing, not even which endpoints exist
    if (tokenDigest && !authorized(req, tokenDigest)) {
      res.setHeader('www-authenticate', 'Bearer');
      return send(res, 401, { success: false, message: 'missing or wrong token: send Authorization: Bearer <token>' });
    }
    const route = routes[path];
    if (!route) return send(res, 404, { success: false, message: `no such hot-reload endpoint: ${clip(path)}` });
    if (req.method !== route.method) {
      res.setHeader('allow', route.method);
      return send(res, 405, { success: false, message: `${path} expects ${route.method}, got ${req.method}` });
    }
    route.run(req, res, receivedAt).catch((err: unknown) => {
      // an agent bug must not take the service down; the caller gets no stack trace
      process.stderr.write(`auto-hot-reload agent: ${visible(`${path} failed: ${(err as Error)?.stack ?? String(err)}`)}\n`);
      if (!res.headersSent) send(res, 500, { success: false, message: 'internal agent error' });
      else res.end();
    });
  };

  // the agent's details only to a Host that names it: a DNS-rebinding page reads no more than "ok"
  const health = (req: IncomingMessage, res: ServerResponse, version: Version) =>
    send(res, 200, hostTrusted(req, policy) ? { status: 'ok', version: version.id, boot_id: agent.bootId, pid: process.pid } : { status: 'ok' });

  const app = (req: IncomingMessage, res: ServerResponse) => {
    const version = agent.active; // the request stays on this version to its end
    if (isHealthCheck(req) && version.health !== 'app') {
      if (version.health === 'agent') return health(req, res, version);
      answerUnlessAppDoes(
        res,
        (r, why) =>
          why === 'timeout'
            ? send(r, 503, { success: false, status: 'unhealthy', message: `the app began no answer to GET /health within ${agent.options.healthTimeoutMs} ms` })
            : health(req, r, version),
        agent.options.healthTimeoutMs,
      );
    }
    try {
      const r = pick(version)(req, res) as unknown;
      if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(undefined, (err) => appFailed(err, res, version.modules));
    } catch (err) {
      appFailed(err, res, version.modules);
    }
  };

  return (req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith(prefix)) {
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      if (path.length === prefix.length || path[prefix.length] === '/') return api(req, res, path.replace(/\/+$/, ''), performance.now());
    }
    app(req, res);
  };
}

// An unknown path is echoed in the 404, bounded: a request line may be 16 KiB long.
const ECHO_MAX = 200;
function clip(path: string): string {
  return path.length > ECHO_MAX ? `${path.slice(0, ECHO_MAX - 1)}…` : path;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

// Digests have equal length whatever was sent, so timingSafeEqual never throws and the
// comparison time says nothing about the token.
function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header);
  return !!m && timingSafeEqual(digest(m[1].trim()), expected);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...(status === 413 ? { connection: 'close' } : {}),
  });
  res.end(text);
}

function appFailed(err: unknown, res: ServerResponse, modules: Map<string, { map?: string }>): void {
  const raw = err instanceof Error ? (err.stack ?? err.message) : String(err);
  const stack = err instanceof Error ? mapStack(raw, (f) => modules.get(f)?.map, mappedByHook.has(err)).stack : raw;
  // the app's stack: its messages and file names may carry escape sequences
  process.stderr.write(`auto-hot-reload agent: request handler threw: ${visible(stack)}\n`);
  if (!res.headersSent) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Internal Server Error\n');
  } else if (!res.writableEnded) res.end();
}
