// The demo service (examples/demo): every route over real HTTP, its checks, its config,
// and that the checks catch a broken route (in a copy under a temp dir).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, buildOnce, runCliProcess } from './helpers/cli-process.js';

const execFileAsync = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const demoDir = resolve(here, '../examples/demo');

type CheckAnswer = boolean | { ok: boolean; detail: string };
interface DemoApp {
  default: (req: IncomingMessage, res: ServerResponse) => void;
  checks: Record<string, () => Promise<CheckAnswer>>;
  handlesHealth: boolean;
}

const importApp = async (appFile: string): Promise<DemoApp> => (await import(pathToFileURL(appFile).href)) as DemoApp;

/** A check passed when it answered true or {ok: true}. */
const passed = (answer: CheckAnswer): boolean => (typeof answer === 'boolean' ? answer : answer.ok);

describe('demo service over HTTP', () => {
  let server: Server;
  let base: string;
  let app: DemoApp;

  beforeAll(async () => {
    app = await importApp(join(demoDir, 'server/app.js'));
    server = createServer(app.default);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  });

  const call = async (method: string, path: string, body?: string) => {
    const res = await fetch(base + path, {
      method,
      body,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: JSON.parse(text) as unknown };
  };

  it('answers /health itself, and tells the agent so', async () => {
    expect(app.handlesHealth).toBe(true);
    expect(await call('GET', '/health')).toMatchObject({ status: 200, json: { ok: true } });
    const head = await fetch(`${base}/health`, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
    expect({ status: head.status, body: await head.text() }).toEqual({ status: 200, body: '' });
  });

  it('greets with its version and the pid of the process serving it', async () => {
    const res = await call('GET', '/api/v1/greeting');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.json).toEqual({ greeting: 'Hello from the demo!', version: 1, pid: process.pid });
  });

  it('counts POSTs and reports the count on GET', async () => {
    const before = await call('GET', '/api/v1/counter');
    expect(before).toMatchObject({ status: 200, json: { count: 0 } });
    expect(await call('POST', '/api/v1/counter')).toMatchObject({ status: 200, json: { count: 1 } });
    expect(await call('POST', '/api/v1/counter')).toMatchObject({ status: 200, json: { count: 2 } });
    expect(await call('GET', '/api/v1/counter')).toMatchObject({ status: 200, json: { count: 2 } });
  });

  it('lists, creates and fetches items', async () => {
    expect(await call('GET', '/api/v1/items')).toMatchObject({
      status: 200,
      json: { items: [{ id: 1, name: 'apple' }, { id: 2, name: 'pear' }] },
    });
    expect(await call('POST', '/api/v1/items', JSON.stringify({ name: '  plum ' }))).toMatchObject({
      status: 201,
      json: { item: { id: 3, name: 'plum' } },
    });
    expect(await call('GET', '/api/v1/items/3')).toMatchObject({ status: 200, json: { item: { id: 3, name: 'plum' } } });
    expect((await call('GET', '/api/v1/items')).json).toEqual({
      items: [
        { id: 1, name: 'apple' },
        { id: 2, name: 'pear' },
        { id: 3, name: 'plum' },
      ],
    });
  });

  it('answers bad item requests with 400 and unknown items with 404', async () => {
    expect(await call('POST', '/api/v1/items', '{"name": ')).toEqual(
      expect.objectContaining({ status: 400, json: { error: 'request body is not valid JSON' } }),
    );
    expect(await call('POST', '/api/v1/items', '{"name": 42}')).toEqual(
      expect.objectContaining({
        status: 400,
        json: { error: '"name" must be a non-empty string of at most 100 characters' },
      }),
    );
    expect(await call('POST', '/api/v1/items', '["plum"]')).toEqual(
      expect.objectContaining({ status: 400, json: { error: 'expected a JSON object like {"name": "plum"}' } }),
    );
    expect(await call('GET', '/api/v1/items/abc')).toEqual(
      expect.objectContaining({ status: 400, json: { error: 'item id must be a positive whole number, got "abc"' } }),
    );
    expect(await call('GET', '/api/v1/items/777')).toEqual(
      expect.objectContaining({ status: 404, json: { error: 'no item with id 777' } }),
    );
  });

  it('refuses bodies over 64 KiB with 413', async () => {
    const res = await call('POST', '/api/v1/items', JSON.stringify({ name: 'x'.repeat(70_000) }));
    expect(res).toMatchObject({ status: 413, json: { error: 'request body is larger than 65536 bytes' } });
  });

  it('answers unknown routes with 404 JSON and wrong methods with 405 and Allow', async () => {
    expect(await call('GET', '/api/v1/nope?x=1')).toMatchObject({
      status: 404,
      json: { error: 'no route for GET /api/v1/nope' },
    });
    const wrong = await call('DELETE', '/api/v1/counter');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    expect(wrong.json).toEqual({ error: 'DELETE is not allowed on /api/v1/counter', allowed: ['GET', 'POST'] });
  });

  it('lists its routes at /', async () => {
    expect(await call('GET', '/')).toMatchObject({
      status: 200,
      json: {
        service: 'auto-hot-reload demo',
        routes: [
          'GET /',
          'GET /health',
          'GET /api/v1/greeting',
          'GET /api/v1/counter',
          'POST /api/v1/counter',
          'GET /api/v1/items',
          'POST /api/v1/items',
          'GET /api/v1/items/:id',
        ],
      },
    });
  });

  it('passes its own checks, without adding items', async () => {
    const before = (await call('GET', '/api/v1/items')).json;
    expect(Object.keys(app.checks)).toEqual(['greeting', 'items']);
    expect(await app.checks.greeting()).toEqual({ ok: true, detail: 'says "Hello from the demo!"' });
    expect(await app.checks.items()).toEqual({ ok: true, detail: '3 items listed' });
    expect((await call('GET', '/api/v1/items')).json).toEqual(before);
  });

  it('passes every probe of its hot-reload.config.json', async () => {
    const config = JSON.parse(await readFile(join(demoDir, 'hot-reload.config.json'), 'utf8')) as {
      apiUrl: string;
      dirs: string[];
      cooldown: number;
      probes: {
        name: string;
        method: string;
        path: string;
        expectStatus?: number;
        bodyContains?: string;
        jsonEquals?: Record<string, unknown>;
      }[];
    };
    expect(config.apiUrl).toBe('http://127.0.0.1:8001');
    expect(config.dirs).toEqual(['server']);
    expect(config.probes.map((p) => p.name)).toEqual(['greeting', 'items', 'counter']);
    for (const probe of config.probes) {
      const res = await fetch(base + probe.path, { method: probe.method, signal: AbortSignal.timeout(5_000) });
      const text = await res.text();
      expect({ probe: probe.name, status: res.status }).toEqual({ probe: probe.name, status: probe.expectStatus ?? 200 });
      if (probe.bodyContains !== undefined) expect(text).toContain(probe.bodyContains);
      for (const [dotted, want] of Object.entries(probe.jsonEquals ?? {})) {
        const got = dotted.split('.').reduce<any>((value, key) => value?.[key], JSON.parse(text));
        expect({ probe: probe.name, [dotted]: got }).toEqual({ probe: probe.name, [dotted]: want });
      }
    }
  });
});

describe('demo checks catch a broken route', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ahr-demo-'));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** Copy the demo's server/ to a fresh dir and replace the greeting handler's body. */
  const breakGreeting = async (name: string, handlerBody: string): Promise<string> => {
    const dir = join(work, name);
    await cp(join(demoDir, 'server'), dir, { recursive: true });
    const file = join(dir, 'routes/greeting.js');
    const source = await readFile(file, 'utf8');
    const original = "return json(200, { greeting: 'Hello from the demo!', version: 1, pid: process.pid });";
    expect(source).toContain(original);
    await writeFile(file, source.replace(original, handlerBody));
    return join(dir, 'app.js');
  };

  it('fails the greeting check by throwing when the handler throws', async () => {
    const app = await importApp(await breakGreeting('throws', "throw new Error('boom');"));
    await expect(app.checks.greeting()).rejects.toThrow('boom');
    expect(passed(await app.checks.items())).toBe(true);
  });

  it('fails the greeting check when the greeting is not a string', async () => {
    const app = await importApp(await breakGreeting('number', 'return json(200, { greeting: 42, version: 2 });'));
    expect(await app.checks.greeting()).toEqual({ ok: false, detail: 'greeting is 42, expected a non-empty string' });
  });

  it('fails the greeting check when the route answers an error status', async () => {
    const app = await importApp(await breakGreeting('status', "return json(503, { greeting: 'later' });"));
    expect(await app.checks.greeting()).toEqual({
      ok: false,
      detail: 'GET /api/v1/greeting answered 503, expected 200',
    });
  });

  it('passes its checks but fails over HTTP when the greeting cannot be encoded (the README\'s rollback case)', async () => {
    const app = await importApp(await breakGreeting('bigint', "return json(200, { greeting: 'Hello, hot reload!', version: 3n });"));
    expect(await app.checks.greeting()).toEqual({ ok: true, detail: 'says "Hello, hot reload!"' });
    const server = createServer(app.default);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const errors: unknown[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/greeting`, {
        signal: AbortSignal.timeout(5_000),
      });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 500, body: { error: 'internal error' } });
      expect(errors).toHaveLength(1);
    } finally {
      spy.mockRestore();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });

  it('runs on plain Node, with no bundler: a broken copy fails its check in a child process', async () => {
    const appFile = await breakGreeting('plain-node', "throw new Error('boom from plain node');");
    const script = `
      const app = await import(${JSON.stringify(pathToFileURL(appFile).href)});
      const out = {};
      for (const [name, check] of Object.entries(app.checks)) {
        try { out[name] = await check(); } catch (e) { out[name] = { threw: e.message }; }
      }
      process.stdout.write(JSON.stringify(out));
    `;
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
    expect(JSON.parse(stdout)).toEqual({
      greeting: { threw: 'boom from plain node' },
      items: { ok: true, detail: '2 items listed' },
    });
  });
});

// The round trip of examples/demo/README.md, with the real `serve` agent and the real CLI,
// on a copy of the demo in a temp dir and an ephemeral port.
describe('the README round trip: demo under the agent, driven by the CLI', () => {
  let work: string;
  let service: ChildProcess;
  let base: string;
  let servicePid: number;
  let serviceLog = '';

  beforeAll(async () => {
    await buildOnce();
    work = await mkdtemp(join(tmpdir(), 'ahr-demo-e2e-'));
    await cp(demoDir, work, { recursive: true });
    service = spawn(process.execPath, [BIN, 'serve', 'server/app.js', '--port', '0'], {
      cwd: work,
      env: { ...process.env, HOT_RELOAD_TOKEN: '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    service.stdout!.on('data', (d: Buffer) => (serviceLog += d.toString()));
    service.stderr!.on('data', (d: Buffer) => (serviceLog += d.toString()));
    const listening = /serving server\/app\.js on (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+)\)/;
    const match = await new Promise<RegExpExecArray>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`serve did not start within 15 s:\n${serviceLog}`)), 15_000);
      const look = () => {
        const m = listening.exec(serviceLog);
        if (m) {
          clearTimeout(timer);
          done(m);
        }
      };
      service.stdout!.on('data', look);
      service.on('exit', (code) => fail(new Error(`serve exited with ${code}:\n${serviceLog}`)));
    });
    base = match[1];
    servicePid = Number(match[2]);
    expect(servicePid).toBe(service.pid); // the service is the process we started, not a child of it
  }, 120_000);

  afterAll(async () => {
    if (service && service.exitCode === null && service.signalCode === null) {
      const exited = new Promise<void>((done) => service.once('exit', () => done()));
      service.kill('SIGTERM');
      const timer = setTimeout(() => service.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const res = await fetch(base + path, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, json: (await res.json()) as any };
  };
  const editGreeting = async (line: string) => {
    const file = join(work, 'server/routes/greeting.js');
    const source = await readFile(file, 'utf8');
    const replaced = source.replace(/^  (return json\(200.*|throw new Error.*)$/m, `  ${line}`);
    expect(replaced).not.toBe(source);
    await writeFile(file, replaced);
  };
  const trigger = async () => {
    const run = await runCliProcess(['--trigger', '--config', 'hot-reload.config.json', '--api-url', base, '--json'], {
      cwd: work,
      timeoutMs: 30_000,
    });
    const results = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type?: string; outcome?: string });
    return { code: run.code, outcome: results.find((r) => r.type === 'result')?.outcome, output: run.stdout + run.stderr };
  };

  it('1. serves the greeting and counts, from the serve process itself', async () => {
    expect(await get('/api/v1/greeting')).toEqual({
      status: 200,
      json: { greeting: 'Hello from the demo!', version: 1, pid: servicePid },
    });
    await fetch(`${base}/api/v1/counter`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
    await fetch(`${base}/api/v1/counter`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
    expect((await get('/api/v1/counter')).json).toEqual({ count: 2 });
    expect((await get('/health')).json).toEqual({ ok: true });
  });

  it('2. an edited greeting is served after --trigger, by the same pid, and the counter keeps its value', async () => {
    await editGreeting("return json(200, { greeting: 'Hello, hot reload!', version: 2, pid: process.pid });");
    const run = await trigger();
    expect({ code: run.code, outcome: run.outcome }, run.output).toEqual({ code: 0, outcome: 'ok' });
    expect((await get('/api/v1/greeting')).json).toEqual({ greeting: 'Hello, hot reload!', version: 2, pid: servicePid });
    expect((await get('/api/v1/counter')).json).toEqual({ count: 2 });
    const { json } = await get('/api/v1/hot-reload/status');
    expect({ version: json.status.version, pid: json.status.pid }).toEqual({ version: 2, pid: servicePid });
  });

  it('3. a throwing greeting fails its check: not activated, nothing rolled back, version 2 still serving', async () => {
    await editGreeting("throw new Error('boom');");
    const run = await trigger();
    expect({ code: run.code, outcome: run.outcome }, run.output).toEqual({ code: 1, outcome: 'failed' });
    expect((await get('/api/v1/greeting')).json).toEqual({ greeting: 'Hello, hot reload!', version: 2, pid: servicePid });
    const { json } = await get('/api/v1/hot-reload/status');
    expect(json.status.version).toBe(2);
    expect(json.status.last_reload).toMatchObject({ ok: false, error: { message: 'check "greeting" failed: boom', line: 7 } });
    expect(json.status.last_reload.error.file).toBe(join(work, 'server/routes/greeting.js'));
  });

  it('4. a greeting that only breaks on the wire is activated, fails the probe, and is rolled back', async () => {
    await editGreeting("return json(200, { greeting: 'Hello, hot reload!', version: 3n, pid: process.pid });");
    const run = await trigger();
    expect({ code: run.code, outcome: run.outcome }, run.output).toEqual({ code: 1, outcome: 'rolled-back' });
    expect((await get('/api/v1/greeting')).json).toEqual({ greeting: 'Hello, hot reload!', version: 2, pid: servicePid });
    const { json } = await get('/api/v1/hot-reload/status');
    expect({ version: json.status.version, kept: json.status.versions_kept }).toEqual({ version: 2, kept: [1, 2] });
    expect(serviceLog).toContain('auto-hot-reload agent: rolled back from version 3 to 2');
  });

  it('5. the fixed greeting goes live as a new version; the counter kept its value throughout', async () => {
    await editGreeting("return json(200, { greeting: 'Hello, hot reload!', version: 3, pid: process.pid });");
    const run = await trigger();
    expect({ code: run.code, outcome: run.outcome }, run.output).toEqual({ code: 0, outcome: 'ok' });
    expect((await get('/api/v1/greeting')).json).toEqual({ greeting: 'Hello, hot reload!', version: 3, pid: servicePid });
    expect((await get('/api/v1/hot-reload/status')).json.status).toMatchObject({ version: 4, pid: servicePid });
    expect((await get('/api/v1/counter')).json).toEqual({ count: 2 });
    // the two failures (steps 3 and 4) were written to the error log as JSON lines
    const logDir = join(work, 'logs/hot_reload_errors');
    const lines = (await Promise.all((await readdir(logDir)).map((f) => readFile(join(logDir, f), 'utf8'))))
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; message: string });
    expect(lines.some((e) => e.kind === 'reload' && e.message.includes('boom'))).toBe(true);
    expect(lines.some((e) => e.kind === 'verify' && e.message.includes('probe:greeting'))).toBe(true);
  });
});

// docs/protocol.md ends with a minimal server in Python; run exactly that code (both
// blocks are extracted from the page) and drive it with the real CLI, so the page
// cannot drift from what the client accepts.
describe('docs/protocol.md: the Python sketch speaks protocol v1 to the real client', () => {
  const token = 's3cret';
  let work: string;
  let python: ChildProcess;
  let base: string;
  let pythonLog = '';

  /** The first ```python block after `marker` in the page. */
  const codeAfter = (page: string, marker: string): string => {
    const at = page.indexOf(marker);
    expect(at, `docs/protocol.md has no "${marker}"`).toBeGreaterThan(-1);
    const block = /```python\n([\s\S]*?)```/.exec(page.slice(at));
    expect(block, `no python block after "${marker}"`).not.toBeNull();
    return block![1];
  };

  beforeAll(async () => {
    await buildOnce();
    const page = await readFile(resolve(here, '../docs/protocol.md'), 'utf8');
    work = await mkdtemp(join(tmpdir(), 'ahr-protocol-py-'));
    await writeFile(join(work, 'app.py'), codeAfter(page, '`app.py`, the application:'));
    await writeFile(join(work, 'hot_reload_server.py'), codeAfter(page, '`hot_reload_server.py`:'));
    await writeFile(
      join(work, 'hot-reload.config.json'),
      JSON.stringify({
        dirs: ['.'],
        probes: [{ name: 'greeting', method: 'GET', path: '/api/v1/greeting', expectStatus: 200, bodyContains: 'greeting' }],
      }),
    );
    python = spawn('python3', ['hot_reload_server.py', 'app.py'], {
      cwd: work,
      env: { ...process.env, PORT: '0', HOT_RELOAD_TOKEN: token, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    python.stdout!.on('data', (d: Buffer) => (pythonLog += d.toString()));
    python.stderr!.on('data', (d: Buffer) => (pythonLog += d.toString()));
    base = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`the Python sketch did not start within 15 s:\n${pythonLog}`)), 15_000);
      python.stdout!.on('data', () => {
        const m = /on (http:\/\/127\.0\.0\.1:\d+) \(pid \d+\)/.exec(pythonLog);
        if (m) {
          clearTimeout(timer);
          done(m[1]);
        }
      });
      python.on('error', (e) => fail(e));
      python.on('exit', (code) => fail(new Error(`the Python sketch exited with ${code}:\n${pythonLog}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (python && python.exitCode === null && python.signalCode === null) {
      const exited = new Promise<void>((done) => python.once('exit', () => done()));
      python.kill('SIGTERM');
      const timer = setTimeout(() => python.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  const trigger = async () => {
    const run = await runCliProcess(['--trigger', '--api-url', base, '--token', token, '--json'], { cwd: work, timeoutMs: 30_000 });
    const result = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type?: string; outcome?: string })
      .find((r) => r.type === 'result');
    return { code: run.code, outcome: result?.outcome, output: `${run.stdout}${run.stderr}\n${pythonLog}` };
  };
  const api = async (path: string, init: { method?: string; body?: string; auth?: string } = {}) => {
    const res = await fetch(base + path, {
      method: init.method ?? 'GET',
      body: init.body,
      headers: { authorization: init.auth ?? `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  const greeting = async () => (await api('/api/v1/greeting')).json;
  const setApp = async (from: string | RegExp, to: string) => {
    const file = join(work, 'app.py');
    const source = await readFile(file, 'utf8');
    const next = source.replace(from, to);
    expect(next).not.toBe(source);
    await writeFile(file, next);
  };

  it('answers status with the restart-detection fields, and 401 without the token', async () => {
    const { status, json } = await api('/api/v1/hot-reload/status');
    expect(status).toBe(200);
    expect(json.status).toMatchObject({ running: true, version: 1, versions_kept: [1], pid: python.pid });
    expect(typeof json.status.boot_id).toBe('string');
    expect(await api('/api/v1/hot-reload/status', { auth: 'Bearer wrong' })).toEqual({
      status: 401,
      json: { success: false, message: 'missing or wrong token' },
    });
  });

  it('nothing changed → success without a new version; an edit → activated and served', async () => {
    expect(await trigger()).toMatchObject({ code: 0, outcome: 'ok' });
    expect((await api('/api/v1/hot-reload/status')).json.status.version).toBe(1);
    await setApp('Hello from Python!', 'Hello again!');
    const run = await trigger();
    expect({ code: run.code, outcome: run.outcome }, run.output).toEqual({ code: 0, outcome: 'ok' });
    expect(await greeting()).toEqual({ greeting: 'Hello again!' });
    expect((await api('/api/v1/hot-reload/status')).json.status.version).toBe(2);
  });

  it('a failing check or failing top-level code is not activated; the error names the line', async () => {
    await setApp('GREETING = "Hello again!"', 'GREETING = 42');
    expect(await trigger()).toMatchObject({ code: 1, outcome: 'failed' });
    await setApp('GREETING = 42', 'GREETING = "fine"\nraise ValueError("top-level boom")');
    expect(await trigger()).toMatchObject({ code: 1, outcome: 'failed' });
    const raw = await api('/api/v1/hot-reload/reload-all', { method: 'POST' });
    expect(raw.status).toBe(200);
    expect(raw.json).toMatchObject({
      success: false,
      activated: false,
      version: 2,
      error: { message: 'top-level boom', file: join(work, 'app.py'), line: 2 },
    });
    expect(await greeting()).toEqual({ greeting: 'Hello again!' });
  });

  it('an activated version that fails the probe is rolled back with from_version', async () => {
    await writeFile(
      join(work, 'app.py'),
      'GREETING = "broken"\n\ndef handle(method, path):\n    return 500, {"error": "oops"}\n\nCHECKS = {}\n',
    );
    const run = await trigger();
    expect({ code: run.code, outcome: run.outcome }, run.output).toEqual({ code: 1, outcome: 'rolled-back' });
    expect(await greeting()).toEqual({ greeting: 'Hello again!' });
    expect((await api('/api/v1/hot-reload/status')).json.status).toMatchObject({ version: 2, versions_kept: [1, 2] });
  });

  it('answers 409 to a stale from_version and 413 to a body over 1 MiB', async () => {
    expect(await api('/api/v1/hot-reload/rollback', { method: 'POST', body: '{"from_version": 9}' })).toEqual({
      status: 409,
      json: { success: false, message: 'from_version is not the active version 2' },
    });
    // announce 2 MiB and send none: the sketch must refuse on the header alone
    const port = Number(new URL(base).port);
    const answer = await new Promise<string>((done, fail) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(
          `POST /api/v1/hot-reload/reload-all HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`,
        ),
      );
      let text = '';
      socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('end', () => done(text));
      socket.on('error', fail);
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.0 413 Request Entity Too Large');
    expect(answer).toContain('{"success": false, "message": "request body larger than 1048576 bytes"}');
  });
});
