import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import net, { type AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, REPO } from './helpers/cli-process.js';
import { nodeFetch } from '../src/client/transport.js';

const TLS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tls');

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen<T extends net.Server>(server: T): Promise<string> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Answers every request with what it received; `/to/...` redirects, `/status/N` answers N. */
function echoServer() {
  const connections: net.Socket[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url.startsWith('/to/')) {
        res.writeHead(Number(url.split('/')[2]), { location: '/landed' });
        return res.end();
      }
      const status = url.startsWith('/status/') ? Number(url.split('/')[2]) : 200;
      res.writeHead(status, { 'content-type': 'application/json', 'x-one': 'a', 'set-cookie': ['s=1', 't=2'] });
      res.end(status === 204 || status === 304 ? undefined : JSON.stringify({ method: req.method, url, body: Buffer.concat(chunks).toString(), type: req.headers['content-type'] ?? null }));
    });
  });
  server.on('connection', (s: net.Socket) => connections.push(s));
  return { server, connections };
}

describe('nodeFetch (the fetch ky runs on)', () => {
  it('sends method, headers and body, and returns status, headers and body as a Response', async () => {
    const { server } = echoServer();
    const base = await listen(server);
    const res = await nodeFetch(new Request(`${base}/api?x=1`, { method: 'POST', body: '{"files":["a.js"]}', headers: { 'content-type': 'application/json' } }));
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-one')).toBe('a');
    expect(res.headers.getSetCookie()).toEqual(['s=1', 't=2']);
    expect(await res.json()).toEqual({ method: 'POST', url: '/api?x=1', body: '{"files":["a.js"]}', type: 'application/json' });
  });

  it('keeps the connection alive between requests (one socket for three requests)', async () => {
    const { server, connections } = echoServer();
    const base = await listen(server);
    for (let i = 0; i < 3; i++) expect(((await (await nodeFetch(`${base}/n${i}`)).json()) as { url: string }).url).toBe(`/n${i}`);
    expect(connections).toHaveLength(1);
  });

  it('gives a null body for 204 and HEAD, and keeps error statuses as answers', async () => {
    const { server } = echoServer();
    const base = await listen(server);
    const none = await nodeFetch(`${base}/status/204`, { method: 'POST', body: 'x' });
    expect([none.status, none.body]).toEqual([204, null]);
    const head = await nodeFetch(`${base}/`, { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, null]);
    const missing = await nodeFetch(`${base}/status/404`);
    expect([missing.status, missing.ok, ((await missing.json()) as { url: string }).url]).toEqual([404, false, '/status/404']);
  });

  it('follows a GET redirect; a POST gets the 3xx answer itself and is sent once (issue 14: it went twice)', async () => {
    const { server } = echoServer();
    const base = await listen(server);
    const followed = await nodeFetch(`${base}/to/302`);
    expect(await followed.json()).toEqual({ method: 'GET', url: '/landed', body: '', type: null });
    for (const status of [302, 307]) {
      const posted = await nodeFetch(`${base}/to/${status}`, { method: 'POST', body: 'keep me', headers: { 'content-type': 'text/plain' } });
      expect([posted.status, posted.headers.get('location')]).toEqual([status, '/landed']);
    }
  });

  it('sends a GET again when the kept-alive socket it reused was closed under it; a POST is not repeated', async () => {
    // the server drops every connection at its second request, as one closing an idle socket would
    const perSocket = new WeakMap<net.Socket, number>();
    const served: string[] = [];
    const server = http.createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n === 2) return void req.socket.destroy();
      served.push(`${req.method} ${req.url}`);
      res.end('ok');
    });
    const base = await listen(server);
    expect(await (await nodeFetch(`${base}/a`)).text()).toBe('ok');
    expect(await (await nodeFetch(`${base}/b`)).text()).toBe('ok'); // dropped once, sent again
    const err = await nodeFetch(`${base}/c`, { method: 'POST', body: 'x' }).catch((e: unknown) => e); // dropped: not repeated
    expect(err).toBeInstanceOf(TypeError);
    expect(((err as TypeError).cause as { code?: string }).code).toBe('ECONNRESET');
    expect(await (await nodeFetch(`${base}/d`)).text()).toBe('ok');
    expect(served).toEqual(['GET /a', 'GET /b', 'GET /d']);
  });

  it('rejects a refused connection as fetch does: TypeError with the code in cause', async () => {
    const { server } = echoServer();
    const base = await listen(server);
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
    servers.length = 0;
    const err = await nodeFetch(`${base}/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as TypeError).message).toBe('fetch failed');
    expect(((err as TypeError).cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('aborts a request the server never answers when the signal fires', async () => {
    let seen = 0;
    const base = await listen(http.createServer(() => void seen++));
    const ctl = new AbortController();
    const pending = nodeFetch(`${base}/hang`, { signal: ctl.signal }).catch((e: unknown) => e);
    for (let i = 0; i < 200 && seen === 0; i++) await new Promise((r) => setTimeout(r, 5));
    ctl.abort(new Error('timeout'));
    const err = await pending;
    expect(seen).toBe(1);
    expect(err).toBeInstanceOf(TypeError);
    expect(((err as TypeError).cause as Error).name).toBe('AbortError');
  });

  it('rejects a status no Response can carry, naming it', async () => {
    const base = await listen(net.createServer((s) => s.end('HTTP/1.1 600 Odd\r\ncontent-length: 2\r\n\r\nhi')));
    const err = await nodeFetch(`${base}/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(((err as TypeError).cause as Error).message).toBe('invalid HTTP status 600 (expected 200–599)');
  });

  describe('https', () => {
    beforeAll(buildOnce, 120_000);
    const tlsServer = () =>
      https.createServer({ key: readFileSync(path.join(TLS, 'key.pem')), cert: readFileSync(path.join(TLS, 'cert.pem')) }, (req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ secure: true, url: req.url }));
      });

    it('speaks TLS to an https target whose certificate is trusted (NODE_EXTRA_CA_CERTS, as fetch honours it)', async () => {
      const base = (await listen(tlsServer())).replace('http:', 'https:');
      const transport = path.join(REPO, 'dist', 'src', 'client', 'transport.js');
      const code = `import { nodeFetch } from ${JSON.stringify(transport)}; const r = await nodeFetch(${JSON.stringify(`${base}/status`)}); console.log(r.status, await r.text());`;
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(TLS, 'cert.pem') }, timeout: 10_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()),
        ),
      );
      expect(out).toBe('200 {"secure":true,"url":"/status"}');
    });

    it('refuses an untrusted certificate with the reason in cause.code', async () => {
      const base = (await listen(tlsServer())).replace('http:', 'https:');
      const err = await nodeFetch(`${base}/status`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect(((err as TypeError).cause as { code?: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    });
  });
});
