// Reading a JSON request body, bounded in size and time. A body must be declared JSON: a
// web page can POST text/plain and forms to any port without a CORS preflight (guard.ts
// refuses pages by their Origin; this holds even where a browser sends none). No body at all
// (the old Python client) is `{}`.
import type { IncomingMessage } from 'node:http';
import { shown } from './guard.js';
import { brief } from './requests.js';

export type BodyResult = { ok: true; value: Record<string, unknown> } | { ok: false; status: 400 | 408 | 413 | 415; message: string };

export function readJsonBody(req: IncomingMessage, limit: number, timeoutMs = 10_000): Promise<BodyResult> {
  if (hasBody(req) && !isJson(req.headers['content-type'])) {
    return Promise.resolve({ ok: false, status: 415, message: `request body must be JSON (content-type: application/json), got ${shown(req.headers['content-type'] ?? 'no content-type')}` });
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.resolve(tooLarge(limit));
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, status: 408, message: `request body not received within ${timeoutMs} ms` }), timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(parse(Buffer.concat(chunks).toString('utf8')));
    const onError = () => finish({ ok: false, status: 400, message: 'request body could not be read' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) !== 0;
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

function tooLarge(limit: number): BodyResult {
  return { ok: false, status: 413, message: `request body larger than ${limit} bytes` };
}

function parse(text: string): BodyResult {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, status: 400, message: `malformed JSON body: ${(err as Error).message}` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, status: 400, message: `expected a JSON object as body, got ${brief(value)}` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
