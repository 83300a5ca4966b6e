// The API's edges over real HTTP: auth, body limits, hint validation, old-client calls.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { appDir, call, PREFIX, serveInProcess, type AppDir, type Served } from './helpers/agent-fixture.js';

let app: AppDir;
let served: Served;

async function start(token?: string) {
  app = appDir({
    'app.js': `export const checks = { up: () => true, slow: async () => ({ ok: true, detail: 'fine' }) };\nexport default (req, res) => res.end('app ' + req.method + ' ' + req.url);\n`,
  });
  served = await serveInProcess({ entry: app.path('app.js'), root: app.dir, token });
}
const api = (path: string, init: Parameters<typeof call>[1] = {}) => call(`${served.base}${PREFIX}${path}`, init);

afterEach(async () => {
  await served?.close();
  app?.cleanup();
});

describe('agent HTTP API', () => {
  it('answers the old client exact calls with the documented shapes', async () => {
    await start();
    const status = await api('/status');
    expect(status.status).toBe(200);
    expect(status.body.success).toBe(true);
    expect(Object.keys(status.body.status).sort()).toEqual(
      ['agent', 'boot_id', 'last_reload', 'pid', 'running', 'stale_files', 'started_at', 'state', 'uptime_ms', 'version', 'versions_kept'].sort(),
    );
    expect(status.body.status).toMatchObject({ running: true, state: 'idle', version: 1, versions_kept: [1], pid: process.pid, last_reload: null, agent: { name: 'auto-hot-reload', version: '0.1.0' }, stale_files: [] });
    const reload = await api('/reload-all', { method: 'POST', body: {} });
    expect(reload.status).toBe(200);
    expect(reload.body).toMatchObject({ success: true, message: 'nothing changed', reloaded_modules: [], failed_modules: [] });
    const verify = await api('/verify', { method: 'POST' });
    expect(verify).toEqual({ status: 200, body: { success: true, checks: { up: { ok: true, detail: 'ok' }, slow: { ok: true, detail: 'fine' } } } });
    const rollback = await api('/rollback', { method: 'POST' });
    expect(rollback).toEqual({ status: 409, body: { success: false, message: 'nothing to roll back: version 1 is the oldest version kept' } });
  });

  it('passes every other path to the app, with its query string', async () => {
    await start();
    expect(await call(`${served.base}/api/v1/hot-reloaded?x=1`)).toEqual({ status: 200, body: 'app GET /api/v1/hot-reloaded?x=1' });
    expect(await api('/nope')).toEqual({ status: 404, body: { success: false, message: `no such hot-reload endpoint: ${PREFIX}/nope` } });
    // a long unknown path is echoed bounded: its first 199 characters and an ellipsis
    const long = `${PREFIX}/${'x'.repeat(10_000)}`;
    expect(await call(`${served.base}${long}`)).toEqual({ status: 404, body: { success: false, message: `no such hot-reload endpoint: ${long.slice(0, 199)}…` } });
    expect(await api('/status', { method: 'POST' })).toEqual({ status: 405, body: { success: false, message: `${PREFIX}/status expects GET, got POST` } });
  });

  it('requires the bearer token on the API only', async () => {
    await start('s3cret');
    const missing = await api('/status');
    expect(missing).toEqual({ status: 401, body: { success: false, message: 'missing or wrong token: send Authorization: Bearer <token>' } });
    expect((await api('/reload-all', { method: 'POST', body: {}, token: 's3cret-but-longer' })).status).toBe(401);
    expect((await api('/rollback', { method: 'POST', token: 'x' })).status).toBe(401);
    expect((await api('/no-such-endpoint')).status).toBe(401);
    expect((await api('/no-such-endpoint', { token: 's3cret' })).status).toBe(404);
    expect((await api('/status', { token: 's3cret' })).status).toBe(200);
    expect((await api('/reload-all', { method: 'POST', body: {}, token: 's3cret' })).body.success).toBe(true);
    // the app's own routes and /health are not the agent's to guard
    expect((await call(`${served.base}/anything`)).status).toBe(200);
    expect((await call(`${served.base}/health`)).status).toBe(200);
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    await start();
    const big = JSON.stringify({ files: ['a.js'], pad: 'x'.repeat(1024 * 1024) });
    const r = await api('/reload-all', { method: 'POST', raw: big });
    expect(r).toEqual({ status: 413, body: { success: false, message: 'request body larger than 1048576 bytes' } });
    // chunked, no content-length: the limit holds while streaming too
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${served.base}${PREFIX}/reload-all`, { method: 'POST', headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/json' }, timeout: 10_000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(100 * 1024));
      req.end();
    });
    expect(chunked).toBe(413);
    expect((await api('/status')).status).toBe(200);
  });

  it('rejects malformed JSON and wrongly typed fields with 400', async () => {
    await start();
    const bad = await api('/reload-all', { method: 'POST', raw: '{"files": [' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^malformed JSON body: /);
    expect(await api('/reload-all', { method: 'POST', raw: '[1]' })).toEqual({ status: 400, body: { success: false, message: 'expected a JSON object as body, got an array' } });
    expect(await api('/reload-all', { method: 'POST', body: { files: 'a.js' } })).toEqual({ status: 400, body: { success: false, message: 'files: expected an array of paths, got string' } });
    expect(await api('/reload-all', { method: 'POST', body: { reason: 'whim' } })).toEqual({
      status: 400,
      body: { success: false, message: 'reason: expected one of watch, manual, git-hook, deploy, got "whim"' },
    });
    expect(await api('/rollback', { method: 'POST', body: { from_version: '2' } })).toEqual({
      status: 400,
      body: { success: false, message: 'from_version: expected an integer version, got "2"' },
    });
  });

  it('rejects path hints that escape, carry NUL or exceed 4 KiB', async () => {
    await start();
    const cases: [unknown, string][] = [
      [{ files: ['../../etc/passwd'] }, "files[0]: contains a '..' segment"],
      [{ files: ['ok.js', 'a\\..\\b.js'] }, "files[1]: contains a '..' segment"],
      [{ modules: ['a\u0000b'] }, 'modules[0]: contains a NUL byte'],
      [{ files: ['a/'.repeat(2049)] }, 'files[0]: longer than 4096 bytes'],
      [{ files: [42] }, 'files[0]: expected a string, got number'],
    ];
    for (const [body, message] of cases) {
      expect(await api('/reload-all', { method: 'POST', body })).toEqual({ status: 400, body: { success: false, message } });
    }
    // a name that merely contains dots is fine
    expect((await api('/reload-all', { method: 'POST', body: { files: ['..hidden/a.js', 'routes.greeting'] } })).status).toBe(200);
  });
});
