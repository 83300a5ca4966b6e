// Loopback HTTP helpers for the benchmarks: every request has a timeout, every loop a bound.
import http from 'node:http';
import net from 'node:net';

/** A port that was free a moment ago (restart tools need a fixed port across restarts). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function keepAliveAgent() {
  return new http.Agent({ keepAlive: true, maxSockets: 1 });
}

/**
 * One request; resolves `{status, body, json}` or rejects on a network error or after
 * `timeoutMs`.
 */
export function request(url, { method = 'GET', body, agent, timeoutMs = 2000, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length, ...headers } : headers,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, body: text, json });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(payload);
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Poll `url` every `everyMs` until `accept(json)` is true or `timeoutMs` passes.
 * Network errors (a restarting service) are retried. Resolves `{at, json, status, polls}` where
 * `at` is performance.now() when the accepted answer arrived, or null on timeout.
 */
export async function pollUntil(url, accept, { agent, everyMs = 1, timeoutMs = 15000, requestTimeoutMs = 1000 } = {}) {
  const deadline = performance.now() + timeoutMs;
  let polls = 0;
  let last;
  let lastStatus;
  while (performance.now() < deadline) {
    polls++;
    try {
      const res = await request(url, { agent, timeoutMs: requestTimeoutMs });
      last = res.json;
      lastStatus = res.status;
      if (res.status >= 200 && res.status < 300 && accept(res.json)) return { at: performance.now(), json: res.json, polls };
    } catch {
      /* service down while restarting: retry */
    }
    await sleep(everyMs);
  }
  return { at: null, json: last, status: lastStatus, polls };
}
