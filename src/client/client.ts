// The API client: speaks protocol v1 (and the old server's dialect) to one target.
// Every failure leaves here as a typed ClientError; probe() never throws.
import type { z } from 'zod';
import {
  reloadResultSchema,
  rollbackResponseSchema,
  statusResponseSchema,
  verifyResponseSchema,
  type ReloadRequest,
  type ReloadResult,
  type RollbackRequest,
  type RollbackResponse,
  type Status,
  type VerifyResponse,
} from '../protocol.js';
import type { CheckResult, Config, Probe, Target } from '../types.js';
import { InvalidResponseError, isClientError } from './errors.js';
import { excerpt, httpError, requireJson, send, type RawResponse, type RequestOptions } from './http.js';
import { failedProbe, probeProblems } from './probe-check.js';

export interface ApiClient {
  readonly target: Target;
  /** GET status; accepts {success,status:{...}}, nested status.status, or flat */
  status(): Promise<Status>;
  /** GET health; non-2xx → ok:false; network faults throw ClientError */
  health(): Promise<{ ok: boolean; httpStatus: number }>;
  /** POST reload-all */
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
      const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
      throw new InvalidResponseError(r.method, r.url, `wrong shape: ${where}: ${issue.message}`, excerpt(r.text), r.status);
    }
    return parsed.data;
  }

  /**
   * Choice: a 5xx answer whose JSON body still has the result's shape with `success:false`
   * is returned as a failed result, not thrown — the old server answered a failed reload
   * with 500 `{success:false, message, failed_modules}`, and that message is what the user
   * needs. 4xx answers (400, 401, 409 precondition, 413) are always HttpError.
   */
  function failedResult<S extends z.ZodType>(schema: S, r: RawResponse, markerKeys: string[]): z.output<S> | undefined {
    if (r.status < 500 || r.json === null || typeof r.json !== 'object') return undefined;
    const body = r.json as Record<string, unknown>;
    if (body.success !== false || !markerKeys.some((k) => k in body)) return undefined;
    const parsed = schema.safeParse(body);
    return parsed.success ? parsed.data : undefined;
  }

  return {
    target,

    async status() {
      const r = await call('GET', endpoints.status, timeouts.statusMs);
      if (!r.ok) throw httpError(r);
      return parse(statusResponseSchema, r).status as Status;
    },

    async health() {
      const r = await call('GET', endpoints.health, timeouts.statusMs, undefined, false);
      return { ok: r.ok, httpStatus: r.status };
    },

    async reload(req) {
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
    },

    async verify() {
      const r = await call('POST', endpoints.verify, timeouts.verifyMs);
      // 404: the old server has no verify endpoint; 405/501: foreign servers saying the same
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
