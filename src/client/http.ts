// One HTTP exchange through ky, with every failure mapped to our typed client errors.
// ky's own retries and HTTP-error throwing are off: the caller decides what a status means.
import ky from 'ky';
import { HttpError, InvalidResponseError, TimeoutError, UnreachableError } from './errors.js';
import { nodeFetch, ResponseTooLargeError } from './transport.js';

export const EXCERPT_CHARS = 500;

export interface RawResponse {
  method: string;
  url: string;
  status: number;
  ok: boolean;
  text: string;
  /** parsed body; undefined when the body was empty or not JSON */
  json: unknown;
  /** why the body is not JSON (undefined when it is, or when it is empty) */
  jsonError?: string;
  /** a 3xx answer's Location (redirects of a POST are not followed) */
  location?: string;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  url: string;
  timeoutMs: number;
  headers?: Record<string, string>;
  json?: unknown;
  /** aborts the request (e.g. on engine close); reported as unreachable ("aborted") */
  signal?: AbortSignal;
}

export const excerpt = (text: string) => (text.length > EXCERPT_CHARS ? text.slice(0, EXCERPT_CHARS) : text);

function networkReason(e: unknown): string {
  // undici: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED', … } })
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code === 'ECONNREFUSED' ? 'connection refused' : cause.code;
  if (cause?.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
}

export async function send(opts: RequestOptions): Promise<RawResponse> {
  const { method, url, timeoutMs } = opts;
  // One deadline for the whole exchange, body included (ky's timeout stops at the headers).
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('timeout')), timeoutMs);
  const signal = opts.signal ? AbortSignal.any([deadline.signal, opts.signal]) : deadline.signal;
  try {
    const res = await ky(url, {
      method,
      headers: opts.headers,
      json: opts.json,
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      signal,
      fetch: nodeFetch,
    });
    const text = await res.text();
    let json: unknown;
    let jsonError: string | undefined;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch (e) {
        jsonError = (e as Error).message;
      }
    }
    const location = res.status >= 300 && res.status < 400 ? (res.headers.get('location') ?? undefined) : undefined;
    return { method, url, status: res.status, ok: res.ok, text, json, jsonError, ...(location !== undefined ? { location } : {}) };
  } catch (e) {
    if (e instanceof ResponseTooLargeError) throw new InvalidResponseError(method, url, `body over ${e.limit} bytes, not read further`, '', e.status);
    if (deadline.signal.aborted) throw new TimeoutError(method, url, timeoutMs);
    if (opts.signal?.aborted) throw new UnreachableError(method, url, 'aborted', { cause: e });
    throw new UnreachableError(method, url, networkReason(e), { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

/** The body's `message` (or `detail`, as FastAPI answers), when it has one; bounded like the excerpt. */
export function serverMessage(r: RawResponse): string | undefined {
  const b = r.json as { message?: unknown; detail?: unknown } | undefined;
  if (b && typeof b === 'object') {
    if (typeof b.message === 'string') return bounded(b.message);
    if (typeof b.detail === 'string') return bounded(b.detail);
  }
  return undefined;
}

// A server's message ends up in one line of output; a 1 MB message is no line.
const bounded = (s: string) => (s.length > EXCERPT_CHARS ? `${s.slice(0, EXCERPT_CHARS)}…` : s);

export const httpError = (r: RawResponse) => new HttpError(r.method, r.url, r.status, excerpt(r.text), serverMessage(r), r.location);

/** The JSON body of a 2xx answer, or InvalidResponseError. */
export function requireJson(r: RawResponse): unknown {
  if (r.jsonError !== undefined) throw new InvalidResponseError(r.method, r.url, `not JSON: ${r.jsonError}`, excerpt(r.text), r.status);
  if (r.json === undefined) throw new InvalidResponseError(r.method, r.url, 'empty body', '', r.status);
  return r.json;
}
