import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/client.js';
import { HttpError, InvalidResponseError, TimeoutError, UnreachableError } from '../src/client/errors.js';
import { defaultLayer, mergeConfig } from '../src/config/merge.js';
import type { Config, Probe } from '../src/types.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { freePort } from './helpers/net.js';

const base: Config = mergeConfig({ defaults: defaultLayer() }, '/tmp');
const cfg = (over: Partial<Config['timeouts']> = {}) => ({ endpoints: base.endpoints, timeouts: { ...base.timeouts, ...over } });

let svc: FakeService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

import { bodyExcerpt, EXCERPT_LINES } from '../src/client/probe-check.js';

const probe = (over: Partial<Probe> = {}): Probe => ({ name: 'greeting', method: 'GET', path: '/api/v1/greeting', expectStatus: 200, ...over });

describe('client against a v1 service', () => {
  it('reads status, sends the token, reloads, verifies and rolls back with from_version', async () => {
    svc = await startFakeService({ dialect: 'v1', token: 's3cret' });
    const c = createClient({ name: 'a', apiUrl: svc.url, token: 's3cret' }, cfg());
    const st = await c.status();
    expect(st.version).toBe(1);
    expect(st.boot_id).toBe(svc.state.bootId);
    expect(st.pid).toBe(svc.state.pid);

    const rr = await c.reload({ files: ['src/a.ts'], modules: ['a'], reason: 'manual' });
    expect(rr).toMatchObject({ success: true, activated: true, version: 2, previous_version: 1, reloaded_modules: ['a', 'src/a.ts'] });
    const call = svc.callsTo('reload')[0];
    expect(call.body).toEqual({ modules: ['a'], files: ['src/a.ts'], reason: 'manual' });
    expect(call.headers.authorization).toBe('Bearer s3cret');

    expect(await c.verify()).toEqual({
      success: true,
      checks: { modules_loaded: { ok: true, detail: 'all modules loaded' }, smoke: { ok: true, detail: 'handler answered 200' } },
    });
    const rb = await c.rollback({ from_version: 2 });
    expect(rb).toEqual({ success: true, message: 'rolled back to version 1', version: 1, rolled_back_from: 2 });
    expect(svc.callsTo('rollback')[0].body).toEqual({ from_version: 2 });
  });

  it('maps a wrong token to HttpError 401 with the server message', async () => {
    svc = await startFakeService({ dialect: 'v1', token: 's3cret' });
    const c = createClient({ name: 'a', apiUrl: svc.url, token: 'wrong' }, cfg());
    const err = await c.status().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(401);
    expect((err as HttpError).serverMessage).toBe('missing or wrong token');
    expect((err as HttpError).message).toBe(`GET ${svc.url}/api/v1/hot-reload/status: HTTP 401 — missing or wrong token (give the token with --token, HOT_RELOAD_TOKEN or "token" in the config)`);
  });

  it('returns a failed reload that did not activate', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    svc.script('reload', { do: 'fail', message: 'SyntaxError: boom' });
    const c = createClient({ name: 'a', apiUrl: svc.url }, cfg());
    const rr = await c.reload({});
    expect(rr.success).toBe(false);
    expect(rr.activated).toBe(false);
    expect(rr.message).toBe('SyntaxError: boom');
    expect(svc.state.version).toBe(1);
  });

  it('answers 409 on a rollback with a stale from_version as HttpError', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    const c = createClient({ name: 'a', apiUrl: svc.url }, cfg());
    await c.reload({});
    const err = await c.rollback({ from_version: 7 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(409);
    expect((err as HttpError).serverMessage).toBe('version is 2, not 7');
  });

  it('returns a 500 rollback failure with {success:false} as a failed result', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    svc.script('rollback', { do: 'fail', message: 'cannot restore' });
    const c = createClient({ name: 'a', apiUrl: svc.url }, cfg());
    expect(await c.rollback({})).toEqual({ success: false, message: 'cannot restore' });
  });

  it('maps 500 with an HTML body to HttpError with a bounded excerpt', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    svc.script('reload', { do: 'html500' });
    const c = createClient({ name: 'a', apiUrl: svc.url }, cfg());
    const err = (await c.reload({}).catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(500);
    expect(err.serverMessage).toBeUndefined();
    expect(err.bodyExcerpt.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('cuts body excerpts at 500 characters', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    svc.script('status', { do: 'http', status: 502, body: 'x'.repeat(2000), contentType: 'text/plain' });
    const c = createClient({ name: 'a', apiUrl: svc.url }, cfg());
    const err = (await c.status().catch((e: unknown) => e)) as HttpError;
    expect(err.bodyExcerpt.length).toBe(500);
  });

  it('maps truncated JSON to InvalidResponseError', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    svc.script('status', { do: 'truncated' });
    const c = createClient({ name: 'a', apiUrl: svc.url }, cfg());
    const err = (await c.status().catch((e: unknown) => e)) as InvalidResponseError;
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err.problem.startsWith('not JSON')).toBe(true);
    expect(err.bodyExcerpt).toBe('{"success": true, "status": {"running": tr');
  });

  it('maps JSON of the wrong shape to InvalidResponseError naming the field', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    svc.script('reload', { do: 'http', status: 200, body: { success: 'yes' } });
    const c = createClient({ name: 'a', apiUrl: svc.url }, cfg());
    const err = (await c.reload({}).catch((e: unknown) => e)) as InvalidResponseError;
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err.problem).toBe('wrong shape: field "success": expected boolean, received string');
  });

  it('times out a slow answer with TimeoutError carrying the configured budget', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    svc.script('reload', { do: 'delay', ms: 5_000 });
    const c = createClient({ name: 'a', apiUrl: svc.url }, cfg({ reloadMs: 200 }));
    const err = (await c.reload({}).catch((e: unknown) => e)) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.timeoutMs).toBe(200);
    expect(err.method).toBe('POST');
  });

  it('maps a dropped connection to UnreachableError', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    svc.script('status', { do: 'drop' });
    const c = createClient({ name: 'a', apiUrl: svc.url }, cfg());
    await expect(c.status()).rejects.toBeInstanceOf(UnreachableError);
  });

  it('reports health by status code', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    const c = createClient({ name: 'a', apiUrl: svc.url }, cfg());
    expect(await c.health()).toEqual({ ok: true, httpStatus: 200 });
    svc.setHealth(503);
    expect(await c.health()).toEqual({ ok: false, httpStatus: 503 });
  });
});

// the seed's old server: test/seed-wire.test.ts (its recorded answers) and test/seed-server.test.ts

describe('unreachable', () => {
  it('fails fast on connection refused, far below the timeout', async () => {
    const port = await freePort(); // nothing listens
    const c = createClient({ name: 'a', apiUrl: `http://127.0.0.1:${port}` }, cfg({ statusMs: 60_000 }));
    const err = (await c.status().catch((e: unknown) => e)) as UnreachableError;
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.reason).toBe('connection refused');
    expect(err.message).toBe(`GET http://127.0.0.1:${port}/api/v1/hot-reload/status: service unreachable (connection refused)`);
  });
});

describe('probes', () => {
  it('passes on the expected answer and explains each kind of failure', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    svc.setProbe('GET', '/api/v1/greeting', { status: 200, body: { data: { greeting: 'hello' } } });
    const c = createClient({ name: 'a', apiUrl: svc.url }, cfg());
    const ok = await c.probe(probe({ jsonEquals: { 'data.greeting': 'hello' }, bodyContains: 'hello' }));
    expect(ok).toMatchObject({ name: 'probe:greeting', ok: true, detail: 'GET /api/v1/greeting → 200' });

    expect(await c.probe(probe({ jsonEquals: { 'data.greeting': 'hi' } }))).toMatchObject({
      ok: false,
      detail: 'data.greeting: expected "hi", got "hello"',
    });
    expect(await c.probe(probe({ bodyContains: 'bye' }))).toMatchObject({ ok: false, detail: 'body does not contain "bye"' });

    svc.setProbe('GET', '/api/v1/greeting', { status: 500, body: 'oops' });
    expect(await c.probe(probe())).toMatchObject({ name: 'probe:greeting', ok: false, detail: 'expected 200, got 500', httpStatus: 500, bodyExcerpt: 'oops' });
  });

  it('a failed probe keeps a bounded excerpt of the body: the first lines, at most 500 characters', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    const c = createClient({ name: 'a', apiUrl: svc.url }, cfg());
    const stack = ['TypeError: Do not know how to serialize a BigInt', ...Array.from({ length: 30 }, (_, i) => `    at frame${i} (/srv/app.js:${i}:1)`)].join('\n');
    svc.setProbe('GET', '/api/v1/greeting', { status: 500, body: { error: 'x'.repeat(10_000) } });
    const big = await c.probe(probe());
    expect(big.bodyExcerpt).toHaveLength(500);
    expect(big.bodyExcerpt?.endsWith('…')).toBe(true);
    expect(bodyExcerpt(stack).split('\n')).toHaveLength(EXCERPT_LINES);
    expect(bodyExcerpt(stack).split('\n')[0]).toBe('TypeError: Do not know how to serialize a BigInt');
    expect(bodyExcerpt(stack).endsWith('…')).toBe(true);
    expect(bodyExcerpt('\r\n\r\nshort\r\n')).toBe('short');
    // a probe that passes carries no excerpt
    svc.setProbe('GET', '/api/v1/greeting', { status: 200, body: { ok: true } });
    expect(await c.probe(probe())).not.toHaveProperty('bodyExcerpt');
  });

  it('never throws on a network fault', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    const url = svc.url;
    await svc.close();
    const c = createClient({ name: 'a', apiUrl: url }, cfg());
    const r = await c.probe(probe());
    expect(r.ok).toBe(false);
    expect(r.detail).toBe(`GET ${url}/api/v1/greeting: service unreachable (connection refused)`);
  });
});
