// A bounded client (issue 14): capped bodies, no POST sent twice on a redirect, the token
// only for the hot-reload API, versions that are whole numbers. Real HTTP servers on
// 127.0.0.1; the client as the engine uses it.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/client.js';
import { HttpError, InvalidResponseError } from '../src/client/errors.js';
import { makeConfig } from './helpers/config.js';

const PREFIX = '/api/v1/hot-reload';
const servers: http.Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization });
    req.resume();
    req.on('end', () => handler(req, res));
  });
  servers.push(server);
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (res: http.ServerResponse, body: unknown, status = 200) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const cfg = () => makeConfig({ timeouts: { reloadMs: 20_000, verifyMs: 5000, rollbackMs: 5000, statusMs: 20_000 } });

describe('response bodies are capped', () => {
  it('a status that streams on and on is an invalid response once over the cap, not read to its end', async () => {
    let sent = 0;
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"success":true,"status":{"pad":"');
      const chunk = 'x'.repeat(64 * 1024);
      // 64 MiB unless the client hangs up first
      const more = () => {
        while (sent < 64 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end('"}}');
      };
      more();
    });
    const err = await createClient({ name: 'a', apiUrl: url }, cfg()).status().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect((err as InvalidResponseError).message).toBe(`GET ${url}${PREFIX}/status: invalid response (body over 8388608 bytes, not read further)`);
    expect(sent).toBeLessThan(64 * 1024 * 1024); // the client hung up
  });

  it('a declared Content-Length over the cap is refused before the body is read', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(9 * 1024 * 1024) });
      res.write('{');
    });
    const err = await createClient({ name: 'a', apiUrl: url }, cfg()).status().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect((err as InvalidResponseError).problem).toBe('body over 8388608 bytes, not read further');
  });
});

describe('redirects', () => {
  it('a 307 on the reload POST is an error naming the location; the POST is sent once', async () => {
    const landing = await serve((_req, res) => json(res, { success: true, reloaded_modules: ['x'], failed_modules: [] }));
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(307, { location: `${landing.url}${PREFIX}/reload-all` });
      res.end();
    });
    const err = await createClient({ name: 'a', apiUrl: url }, cfg())
      .reload({ files: ['server/a.js'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).message).toBe(
      `POST ${url}${PREFIX}/reload-all: HTTP 307 (redirected to ${landing.url}${PREFIX}/reload-all, not followed: set --api-url to the address that answers)`,
    );
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([`POST ${PREFIX}/reload-all`]);
    expect(landing.seen).toEqual([]);
  });

  it('a GET follows; the token stays with its origin', async () => {
    const other = await serve((_req, res) => json(res, { success: true, status: { version: 7 } }));
    const { url, seen } = await serve((req, res) => {
      if (req.url === `${PREFIX}/status`) {
        res.writeHead(302, { location: '/moved/status' }); // same origin
        return res.end();
      }
      res.writeHead(301, { location: `${other.url}/elsewhere` }); // another origin (another port)
      res.end();
    });
    const st = await createClient({ name: 'a', apiUrl: url, token: 's3cret' }, cfg()).status();
    expect(st.version).toBe(7);
    expect(seen).toEqual([
      { method: 'GET', url: `${PREFIX}/status`, auth: 'Bearer s3cret' },
      { method: 'GET', url: '/moved/status', auth: 'Bearer s3cret' },
    ]);
    expect(other.seen).toEqual([{ method: 'GET', url: '/elsewhere', auth: undefined }]);
  });
});

describe('the token goes to the hot-reload API only', () => {
  it('status, reload, verify, rollback carry it; /health and probes do not', async () => {
    const { url, seen } = await serve((req, res) => {
      if (req.url === `${PREFIX}/status`) return json(res, { success: true, status: { version: 1 } });
      if (req.url === `${PREFIX}/reload-all`) return json(res, { success: true, reloaded_modules: [], failed_modules: [] });
      if (req.url === `${PREFIX}/verify`) return json(res, { success: true, checks: {} });
      if (req.url === `${PREFIX}/rollback`) return json(res, { success: true, message: 'ok', version: 1 });
      json(res, { ok: true });
    });
    const c = createClient({ name: 'a', apiUrl: url, token: 's3cret' }, cfg());
    await c.status();
    await c.reload({});
    await c.verify();
    await c.rollback({});
    await c.health();
    await c.probe({ name: 'p', method: 'GET', path: '/api/items', expectStatus: 200 });
    await c.probe({ name: 'q', method: 'GET', path: '/api/private', headers: { authorization: 'Bearer own' }, expectStatus: 200 });
    expect(seen.map((s) => [s.url, s.auth ?? null])).toEqual([
      [`${PREFIX}/status`, 'Bearer s3cret'],
      [`${PREFIX}/reload-all`, 'Bearer s3cret'],
      [`${PREFIX}/verify`, 'Bearer s3cret'],
      [`${PREFIX}/rollback`, 'Bearer s3cret'],
      ['/health', null],
      ['/api/items', null],
      ['/api/private', 'Bearer own'], // a probe's own header, from the config
    ]);
  });
});

describe('versions are whole numbers from 0', () => {
  for (const [what, body, where] of [
    ['a negative status version', { success: true, status: { version: -1 } }, 'status.version'],
    ['a fractional status version', { success: true, status: { version: 1.5 } }, 'status.version'],
    ['a fractional kept version', { success: true, status: { version: 2, versions_kept: [1, 1.5] } }, 'status.versions_kept.1'],
  ] as const) {
    it(`${what} is an invalid response naming the field`, async () => {
      const { url } = await serve((_req, res) => json(res, body));
      const err = await createClient({ name: 'a', apiUrl: url }, cfg()).status().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidResponseError);
      expect((err as InvalidResponseError).problem).toMatch(new RegExp(`^wrong shape: field "${where.replace(/\./g, '\\.')}": `));
    });
  }

  it('a reload answer with version -3 or a rollback with rolled_back_from 2.5 is invalid', async () => {
    const { url } = await serve((req, res) =>
      req.url?.endsWith('reload-all')
        ? json(res, { success: true, reloaded_modules: [], failed_modules: [], version: -3, activated: true })
        : json(res, { success: true, message: 'ok', version: 1, rolled_back_from: 2.5 }),
    );
    const c = createClient({ name: 'a', apiUrl: url }, cfg());
    expect(((await c.reload({}).catch((e: unknown) => e)) as InvalidResponseError).problem).toMatch(/^wrong shape: field "version": /);
    expect(((await c.rollback({}).catch((e: unknown) => e)) as InvalidResponseError).problem).toMatch(/^wrong shape: field "rolled_back_from": /);
  });
});
