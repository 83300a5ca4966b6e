// The fetch ky runs on: node:http(s) with keep-alive agents instead of Node 20's bundled
// fetch (undici). A reload request is on the save-to-serve path, and undici's web streams
// cost ~1 ms a request on the 2-core machine where bench/latency.js runs (measured: request
// handed to fetch → the agent receiving it, 2.0 ms vs 0.8 ms). ky takes a custom fetch for
// exactly this (its `fetch` option); everything above it (ky, send(), errors) is unchanged.
//
// What this fetch must keep from the platform's: failures reject with TypeError('fetch
// failed', { cause }) so callers read `cause.code`; the signal aborts; a redirect is
// followed (handed to the platform fetch, which does it by the spec); null-body statuses
// and HEAD give a null body; a GET that meets a kept-alive socket the server just closed
// goes again.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

// Idle keep-alive sockets are unref'd by node's Agent: they never keep a CLI run alive.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

const NULL_BODY = new Set([204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);

export async function nodeFetch(input: Request | URL | string, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? input : new Request(input, init);
  const url = new URL(request.url);
  const agent = url.protocol === 'http:' || url.protocol === 'https:' ? agents[url.protocol] : undefined;
  if (!agent) return fetch(request); // not ours to speak: the platform answers (or explains)
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const headers = Object.fromEntries(request.headers);
  const res = await exchange(url, { method: request.method, headers, agent, signal: request.signal }, body);
  const status = res.statusCode ?? 0;
  if (REDIRECT.has(status) && res.headers.location !== undefined) {
    res.resume();
    // a Blob, not the Buffer: undici re-reads the body for a 307/308 and a Buffer is detached by then
    const again = body && new Blob([body]);
    return fetch(request.url, { method: request.method, headers, body: again, signal: request.signal, redirect: request.redirect });
  }
  if (status < 200 || status > 599) {
    // a Response cannot carry it; undici would hand it on, but no such answer is one we expect
    res.destroy();
    throw new TypeError('fetch failed', { cause: new Error(`invalid HTTP status ${status} (expected 200–599)`) });
  }
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res) chunks.push(chunk as Buffer);
  } catch (cause) {
    throw new TypeError('fetch failed', { cause });
  }
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
  const empty = NULL_BODY.has(status) || request.method === 'HEAD';
  return new Response(empty ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: pairs });
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
