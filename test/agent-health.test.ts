// GET /health: the app's answer when it has one, the agent's when it does not (404, or
// no answer begun within the bound); `handlesHealth` forces either side.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentStartError } from '../src/agent/index.js';
import { appDir, REPO, serveInProcess, type AppDir, type Served } from './helpers/agent-fixture.js';

let app: AppDir;
let served: Served | undefined;

afterEach(async () => {
  await served?.close();
  served = undefined;
  app?.cleanup();
  delete (globalThis as Record<string, unknown>).__healthLog;
});

async function start(files: Record<string, string>, opts: { entry?: string; nodeModules?: boolean; healthTimeoutMs?: number } = {}) {
  app = appDir(files, { nodeModules: opts.nodeModules });
  served = await serveInProcess({ entry: app.path(opts.entry ?? 'app.js'), root: app.dir, healthTimeoutMs: opts.healthTimeoutMs });
  return served;
}

interface Answer {
  status: number;
  message: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

// Raw node:http, so the status line and every header are seen as sent.
function get(path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${served!.base}${path}`, { method, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, message: res.statusMessage ?? '', headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

const agentHealth = () => JSON.stringify({ status: 'ok', version: served!.agent.version, boot_id: served!.agent.bootId, pid: process.pid });
const log = () => ((globalThis as Record<string, unknown>).__healthLog ??= []) as string[];

async function expectAgentAnswers(method = 'GET') {
  const r = await get('/health', method);
  expect({ status: r.status, message: r.message, type: r.headers['content-type'], body: r.body }).toEqual({
    status: 200,
    message: 'OK',
    type: 'application/json; charset=utf-8',
    body: method === 'HEAD' ? '' : agentHealth(),
  });
  return r;
}

describe('/health without handlesHealth: the app first, then the agent', () => {
  it('serves the demo own /health, with or without its handlesHealth export', async () => {
    app = appDir({});
    cpSync(join(REPO, 'examples/demo/server'), app.dir, { recursive: true });
    served = await serveInProcess({ entry: app.path('app.js'), root: app.dir });
    expect(await get('/health')).toMatchObject({ status: 200, body: '{"ok":true}' });
    await served.close();
    const source = readFileSync(app.path('app.js'), 'utf8');
    expect(source).toContain('export const handlesHealth = true;');
    writeFileSync(app.path('app.js'), source.replace('export const handlesHealth = true;', ''));
    served = await serveInProcess({ entry: app.path('app.js'), root: app.dir });
    expect(await get('/health')).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(await get('/health', 'HEAD')).toMatchObject({ status: 200, body: '' });
    // its other 404s are its own
    expect(await get('/nope')).toMatchObject({ status: 404, body: '{"error":"no route for GET /nope"}' });
  });

  it('serves an Express app own /health route', async () => {
    await start(
      {
        'app.js': `import express from 'express';\nconst app = express();\napp.get('/health', (_req, res) => { res.json({ express: 'healthy' }); });\nexport default app;\n`,
      },
      { nodeModules: true },
    );
    expect(await get('/health?deep=1')).toMatchObject({ status: 200, body: '{"express":"healthy"}' });
    expect(await get('/health', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('answers for an Express app without a /health route, leaving none of its 404 behind', async () => {
    await start(
      { 'app.js': `import express from 'express';\nconst app = express();\napp.get('/hi', (_req, res) => { res.send('hi'); });\nexport default app;\n` },
      { nodeModules: true },
    );
    const r = await expectAgentAnswers();
    expect(r.headers['content-security-policy']).toBeUndefined();
    expect(r.headers['x-content-type-options']).toBeUndefined();
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(agentHealth())));
    await expectAgentAnswers('HEAD');
    // the connection is still in step: the next answers on it are whole
    expect(await get('/hi')).toMatchObject({ status: 200, body: 'hi' });
    expect(await get('/other')).toMatchObject({ status: 404 });
    expect((await get('/other')).body).toContain('Cannot GET /other');
    // a POST is no health check: Express's 404
    expect(await get('/health', 'POST')).toMatchObject({ status: 404 });
  });

  it('answers for a plain handler that 404s everything, however it writes the 404', async () => {
    await start({
      'app.js': `
const log = () => (globalThis.__healthLog ??= []);
export default (req, res) => {
  const how = new URL(req.url, 'http://x').searchParams.get('how');
  if (how === 'implicit') { res.statusCode = 404; res.setHeader('x-app', '1'); res.end('nope', () => log().push('end callback')); }
  else if (how === 'writeHead') { res.writeHead(404, { 'content-type': 'text/plain' }).end('nope'); log().push('chained'); }
  else { res.statusCode = 404; log().push('write ' + res.write('a')); res.end('b'); log().push('ended ' + res.writableEnded); }
};
`,
    });
    for (const how of ['implicit', 'writeHead', 'write']) {
      const r = await get(`/health?how=${how}`);
      expect({ how, status: r.status, body: r.body, app: r.headers['x-app'] }).toEqual({ how, status: 200, body: agentHealth(), app: undefined });
    }
    for (let i = 0; i < 100 && log().length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    expect(log()).toEqual(['end callback', 'chained', 'write true', 'ended true']);
    expect(await get('/other?how=implicit')).toMatchObject({ status: 404, body: 'nope' });
  });

  it('passes a streamed /health through, and answers for a streamed 404', async () => {
    await start({
      'app.js': `
export default (req, res) => {
  const status = req.url.includes('missing') ? 404 : 200;
  res.writeHead(status, { 'content-type': 'text/plain' });
  let n = 0;
  const next = () => { if (++n > 3) return res.end('done'); res.write('chunk ' + n + '\\n'); setTimeout(next, 5); };
  next();
};
`,
    });
    const streamed = await get('/health');
    expect({ status: streamed.status, te: streamed.headers['transfer-encoding'], body: streamed.body }).toEqual({
      status: 200,
      te: 'chunked',
      body: 'chunk 1\nchunk 2\nchunk 3\ndone',
    });
    const missing = await get('/health?missing');
    expect({ status: missing.status, body: missing.body }).toEqual({ status: 200, body: agentHealth() });
    expect(await get('/health')).toMatchObject({ status: 200, body: 'chunk 1\nchunk 2\nchunk 3\ndone' });
  });

  it('a hanging /health is not healthy: 503 when the app begins no answer within the bound; the late answer goes nowhere', async () => {
    await start(
      {
        'app.js': `
const log = () => (globalThis.__healthLog ??= []);
export default (req, res) => {
  if (req.url === '/health') {
    setTimeout(() => { res.setHeader('x-late', '1'); res.writeHead(503); res.end('late', () => log().push('late end done')); }, 150);
    return;
  }
  res.end('other');
};
`,
      },
      { healthTimeoutMs: 50 },
    );
    const r = await get('/health');
    expect({ status: r.status, message: r.message, body: JSON.parse(r.body) }).toEqual({
      status: 503,
      message: 'Service Unavailable',
      body: { success: false, status: 'unhealthy', message: 'the app began no answer to GET /health within 50 ms' },
    });
    for (let i = 0; i < 100 && log().length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(log()).toEqual(['late end done']);
    expect(await get('/x')).toMatchObject({ status: 200, body: 'other' });
  });

  it('answers 500 when the app throws on /health', async () => {
    await start({ 'app.js': `export default (req, res) => { if (req.url === '/health') throw new Error('broken health'); res.end('ok'); };\n` });
    expect(await get('/health')).toMatchObject({ status: 500, body: 'Internal Server Error\n' });
    expect(await get('/')).toMatchObject({ status: 200, body: 'ok' });
  });
});

describe('/health with handlesHealth', () => {
  it('true: the app answers, its 404 included; false: the agent answers, whatever the app has', async () => {
    await start({ 'app.js': `export const handlesHealth = true;\nexport default (req, res) => { res.statusCode = 404; res.end('app 404'); };\n` });
    expect(await get('/health')).toMatchObject({ status: 404, body: 'app 404' });
    await served!.close();
    app.cleanup();
    await start({ 'app.js': `export const handlesHealth = false;\nexport default (req, res) => res.end('app health');\n` });
    await expectAgentAnswers();
  });

  it('refuses a handlesHealth that is not a boolean, naming it', async () => {
    app = appDir({ 'app.js': `export const handlesHealth = 'yes';\nexport default (req, res) => res.end();\n` });
    const started = serveInProcess({ entry: app.path('app.js'), root: app.dir });
    await expect(started).rejects.toThrow(AgentStartError);
    await expect(started).rejects.toThrow(/^handlesHealth: expected true or false \(or no export\), got string in app\.js/);
  });
});
