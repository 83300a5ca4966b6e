// Small HTTP helpers shared by the routes. Route handlers never touch `req`/`res`:
// they take a plain request object and return `{ status, body }`, so the checks in
// app.js can call them in-process, without a network.

/** Largest request body the demo accepts; anything bigger is answered 413. */
export const MAX_BODY_BYTES = 64 * 1024;

/** An error a handler throws on purpose: it becomes a JSON answer with this status. */
export class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

/**
 * @param {number} status
 * @param {unknown} body
 * @returns {{ status: number, body: unknown }}
 */
export const json = (status, body) => ({ status, body });

/**
 * Write a handler's result as JSON.
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Read and parse a JSON request body. An empty body is `undefined`.
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<unknown>}
 */
export async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}
