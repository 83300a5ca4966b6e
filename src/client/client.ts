// The API client: speaks protocol v1 (and the old server's dialect) to one target.
// Every failure leaves here as a typed ClientError; probe() never throws.
import type { z } from 'zod';
import { reloadResultSchema, rollbackResponseSchema, statusResponseSchema, verifyResponseSchema } from '../protocol/schemas.js';
import {
  isLegacyStatus,
  type ReloadRequest,
  type ReloadResult,
  type RollbackRequest,
  type RollbackResponse,
  type Status,
  type VerifyResponse,
} from '../protocol/wire.js';
import type { CheckResult, Config, Probe, Target } from '../types.js';
import { InvalidResponseError, isClientError } from './errors.js';
import { excerpt, httpError, requireJson, send, serverMessage, type RawResponse, type RequestOptions } from './http.js';
import { failedProbe, probeProblems } from './probe-check.js';

/**
 * Which API the target speaks, known from its first status: `v1` (our agent, or a server
 * reporting `version`/`agent`) or `legacy` (the old HiFate-bazi server: no versions, a
 * status read with a side effect, `POST {prefix}/reload/{module}`).
 */
export type Dialect = 'unknown' | 'v1' | 'legacy';

export interface ApiClient {
  readonly target: Target;
  /** detected once, from the first status read (src/protocol/wire.ts isLegacyStatus) */
  readonly dialect: Dialect;
  /** GET status; accepts {success,status:{...}} or the fields at the top level */
  status(): Promise<Status>;
  /** GET health; non-2xx → ok:false; network faults throw ClientError */
  health(): Promise<{ ok: boolean; httpStatus: number }>;
  /**
   * POST reload-all; on the legacy server with modules named: one
   * `POST {reloadModule}` per module, in order (see reloadModules)
   */
  reload(req: ReloadRequest): Promise<ReloadResult>;
  /** POST verify; null when the server has no verify endpoint (404) */
  verify(): Promise<VerifyResponse | null>;
  rollback(req: RollbackRequest): Promise<RollbackResponse>;
  /** never throws: failures → {name:`probe:${p.name}`, ok:false, detail} */
  probe(p: Probe): Promise<CheckResult>;
}

export interface ClientOptions {
  /** aborts every request in flight (e.g. when the engine closes) */
  signal?: AbortSignal;
}

const durationMs = (start: number) => Math.round((performance.now() - start) * 10) / 10;

export function createClient(target: Target, cfg: Pick<Config, 'endpoints' | 'timeouts'>, opts: ClientOptions = {}): ApiClient {
  const base = target.apiUrl.replace(/\/+$/, '');
  let dialect: Dialect = 'unknown';
  const auth: Record<string, string> = target.token ? { authorization: `Bearer ${target.token}` } : {};
  const { endpoints, timeouts } = cfg;

  // The token goes to the hot-reload API only (status, reload, verify, rollback): never to
  // /health or a probe (the app's own routes; a probe that needs one names it in `headers`),
  // and never across a redirect to another origin (transport.ts).
  const call = (method: RequestOptions['method'], path: string, timeoutMs: number, json?: unknown, withToken = true) =>
    send({ method, url: base + path, timeoutMs, headers: withToken ? auth : {}, json, signal: opts.signal });

  function parse<S extends z.ZodType>(schema: S, r: RawResponse): z.output<S> {
    const body = requireJson(r);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'the body';
      const what = issue.message.replace(/^Invalid input: /, '');
      throw new InvalidResponseError(r.method, r.url, `wrong shape: ${where}: ${what}`, excerpt(r.text), r.status);
    }
    return parsed.data;
  }

  /**
   * Choice: a 5xx answer whose JSON body still has the result's shape with `success:false`
   * is returned as a failed result, not thrown: its message is what the user needs. (The
   * old server answers a failed reload with 200 `success:false`; a 5xx is a foreign one.)
   * 4xx answers (400, 401, 409 precondition, 413) are always HttpError.
   */
  function failedResult<S extends z.ZodType>(schema: S, r: RawResponse, markerKeys: string[]): z.output<S> | undefined {
    if (r.status < 500 || r.json === null || typeof r.json !== 'object') return undefined;
    const body = r.json as Record<string, unknown>;
    if (body.success !== false || !markerKeys.some((k) => k in body)) return undefined;
    const parsed = schema.safeParse(body);
    return parsed.success ? parsed.data : undefined;
  }

  async function reloadAll(req: ReloadRequest): Promise<ReloadResult> {
    const body: ReloadRequest = {};
    if (req.modules && req.modules.length > 0) body.modules = req.modules;
    if (req.files && req.files.length > 0) body.files = req.files;
    if (req.reason) body.reason = req.reason;
    const r = await call('POST', endpoints.reload, timeouts.reloadMs, body);
    if (!r.ok) {
      const failed = failedResult(reloadResultSchema, r, ['failed_modules', 'reloaded_modules', 'activated', 'error']);
      if (failed) return failed;
      throw httpError(r);
    }
    return parse(reloadResultSchema, r);
  }

  /**
   * The legacy server's `--module`: one `POST {reloadModule}` per name, in order, stopping
   * at the first that fails. The answers fold into one result; a module that failed names
   * itself in failed_modules (the server sends both lists `null` then). An HTTP error
   * (400 `{"detail": "未知的模块: x"}`) before anything reloaded is thrown as it is; after
   * one did, it becomes the failed result (what did reload must be known, to roll back).
   */
  async function reloadModules(modules: readonly string[]): Promise<ReloadResult> {
    const path = endpoints.reloadModule ?? endpoints.reload.replace(/\/[^/]*$/, '/reload/{module}');
    const reloaded: string[] = [];
    const messages: string[] = [];
    for (const name of modules) {
      const r = await call('POST', path.replace('{module}', encodeURIComponent(name)), timeouts.reloadMs);
      if (!r.ok && reloaded.length === 0) throw httpError(r);
      const one = r.ok ? parse(reloadResultSchema, r) : undefined;
      const message = one?.message || serverMessage(r) || `HTTP ${r.status}`;
      messages.push(message);
      if (!one?.success) {
        return { success: false, message: messages.join('; '), reloaded_modules: reloaded, failed_modules: one?.failed_modules.length ? one.failed_modules : [name] };
      }
      reloaded.push(...(one.reloaded_modules.length > 0 ? one.reloaded_modules : [name]));
    }
    return { success: true, message: messages.join('; '), reloaded_modules: reloaded, failed_modules: [] };
  }

  return {
    target,
    get dialect() {
      return dialect;
    },

    async status() {
      const r = await call('GET', endpoints.status, timeouts.statusMs);
      if (!r.ok) throw httpError(r);
      const status = parse(statusResponseSchema, r).status as Status;
      if (dialect === 'unknown') dialect = isLegacyStatus(status) ? 'legacy' : 'v1';
      return status;
    },

    async health() {
      const r = await call('GET', endpoints.health, timeouts.statusMs, undefined, false);
      return { ok: r.ok, httpStatus: r.status };
    },

    reload(req) {
      if (dialect === 'legacy' && req.modules && req.modules.length > 0) return reloadModules(req.modules);
      return reloadAll(req);
    },

    async verify() {
      const r = await call('POST', endpoints.verify, timeouts.verifyMs);
      // 404, 405, 501: a server without a verify endpoint (the old server has one)
      if (r.status === 404 || r.status === 405 || r.status === 501) return null;
      if (!r.ok) throw httpError(r);
      return parse(verifyResponseSchema, r) as VerifyResponse;
    },

    async rollback(req) {
      const body: RollbackRequest = req.from_version !== undefined ? { from_version: req.from_version } : {};
      const r = await call('POST', endpoints.rollback, timeouts.rollbackMs, body);
      if (!r.ok) {
        const failed = failedResult(rollbackResponseSchema, r, ['message']);
        if (failed) return failed;
        throw httpError(r);
      }
      return parse(rollbackResponseSchema, r);
    },

    async probe(p) {
      const name = `probe:${p.name}`;
      const start = performance.now();
      try {
        const r = await send({
          method: p.method.toUpperCase() as RequestOptions['method'],
          url: base + p.path,
          timeoutMs: timeouts.statusMs,
          headers: p.headers,
          json: p.body,
          signal: opts.signal,
        });
        const problems = probeProblems(p, r);
        const ms = durationMs(start);
        if (problems.length > 0) return failedProbe(name, problems, r, ms);
        return { name, ok: true, detail: `${p.method.toUpperCase()} ${p.path} → ${r.status}`, durationMs: ms };
      } catch (e) {
        const detail = isClientError(e) ? e.message : e instanceof Error ? e.message : String(e);
        return { name, ok: false, detail, durationMs: durationMs(start) };
      }
    },
  };
}
