// The fetch ky runs on: node:http(s) with keep-alive agents instead of Node 20's bundled
// fetch (undici). A reload request is on the save-to-serve path, and undici's web streams
// cost ~1 ms a request on the 2-core machine where bench/latency.js runs (measured: request
// handed to fetch → the agent receiving it, 2.0 ms vs 0.8 ms). ky takes a custom fetch for
// exactly this (its `fetch` option); everything above it (ky, send(), errors) is unchanged.
//
// What this fetch must keep from the platform's: failures reject with TypeError('fetch
// failed', { cause }) so callers read `cause.code`; the signal aborts; a GET's redirect is
// followed (credentials stay with their origin, see nodeFetch); null-body statuses and HEAD
// give a null body; a body is read up to MAX_RESPONSE_BYTES; a GET that meets a kept-alive
// socket the server just closed goes again.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

// Idle keep-alive sockets are unref'd by node's Agent: they never keep a CLI run alive.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

const NULL_BODY = new Set([204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
/** An answer's body is read up to this; a status or a probe answer is kilobytes. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const MAX_REDIRECTS = 5;
/** headers that prove who we are: they never follow a redirect to another origin */
const CREDENTIALS = ['authorization', 'cookie', 'proxy-authorization'];

/** An answer whose body is over MAX_RESPONSE_BYTES (a stream that never ends, a wrong URL). */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(
    readonly limit: number,
    readonly status: number,
  ) {
    super(`the answer's body is over ${limit} bytes`);
  }
}

const failed = (why: string) => new TypeError('fetch failed', { cause: new Error(why) });

/**
 * Redirects: a GET or HEAD follows up to MAX_REDIRECTS (credentials dropped when the origin
 * changes); any other method gets the 3xx answer itself, so it is never sent twice and the
 * caller can name where it was sent.
 */
export async function nodeFetch(input: Request | URL | string, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? input : new Request(input, init);
  let url = new URL(request.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(request); // not ours to speak: the platform answers (or explains)
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  let headers = Object.fromEntries(request.headers);
  const follows = request.method === 'GET' || request.method === 'HEAD';
  for (let hop = 0; ; hop++) {
    const agent = agents[url.protocol as 'http:' | 'https:'];
    const res = await exchange(url, { method: request.method, headers, agent, signal: request.signal }, body);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (follows && REDIRECT.has(status) && location !== undefined) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw failed(`more than ${MAX_REDIRECTS} redirects (last to ${location})`);
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw failed(`redirected to ${next.protocol} (${location})`);
      if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIALS.includes(k.toLowerCase())));
      url = next;
      continue;
    }
    if (status < 200 || status > 599) {
      // a Response cannot carry it; undici would hand it on, but no such answer is one we expect
      res.destroy();
      throw failed(`invalid HTTP status ${status} (expected 200–599)`);
    }
    const data = await readCapped(res, status);
    const pairs: [string, string][] = [];
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
    const empty = NULL_BODY.has(status) || request.method === 'HEAD';
    return new Response(empty ? null : data, { status, statusText: res.statusMessage ?? '', headers: pairs });
  }
}

/** The whole body, or ResponseTooLargeError as soon as it is over the cap (then the socket is dropped). */
async function readCapped(res: IncomingMessage, status: number): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (declared > MAX_RESPONSE_BYTES) {
    res.destroy();
    throw new ResponseTooLargeError(MAX_RESPONSE_BYTES, status);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res) {
      total += (chunk as Buffer).length;
      if (total > MAX_RESPONSE_BYTES) {
        res.destroy();
        throw new ResponseTooLargeError(MAX_RESPONSE_BYTES, status);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (cause) {
    if (cause instanceof ResponseTooLargeError) throw cause;
    throw new TypeError('fetch failed', { cause });
  }
  return Buffer.concat(chunks);
}

function exchange(url: URL, options: http.RequestOptions, body: Buffer | undefined, retried = false): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, options, resolve);
    req.on('error', (cause: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed as we reused it: the request never reached
      // it. A GET or HEAD goes again once, on a new socket; anything else could have had
      // an effect, so its caller hears of it.
      const idempotent = options.method === 'GET' || options.method === 'HEAD';
      if (req.reusedSocket && cause.code === 'ECONNRESET' && idempotent && !retried && !options.signal?.aborted) {
        resolve(exchange(url, options, body, true));
      } else reject(new TypeError('fetch failed', { cause }));
    });
    req.end(body);
  });
}
