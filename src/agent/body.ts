// Reading a JSON request body, bounded in size and time.
import type { IncomingMessage } from 'node:http';
import { brief } from './requests.js';

export type BodyResult = { ok: true; value: Record<string, unknown> } | { ok: false; status: 400 | 408 | 413; message: string };

export function readJsonBody(req: IncomingMessage, limit: number, timeoutMs = 10_000): Promise<BodyResult> {
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
