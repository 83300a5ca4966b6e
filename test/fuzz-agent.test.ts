// Agent fuzz: thousands of seeded random requests against a real `serve` process (the real
// CLI, on a copy of the demo), over node:http and raw node:net. The agent must never die,
// answer only documented status codes with `{success:false,message}` error bodies, never
// show a stack trace or its own paths, and keep serving the app.
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { Agent as HttpAgent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, PREFIX, REPO, startServe, type ServeProcess } from './helpers/agent-fixture.js';
import { buildOnce } from './helpers/cli-process.js';
import { createRng, type Rng } from './helpers/prng.js';

const TOKEN = 'fuzz-token-7f3a';
const MIB = 1024 * 1024;
const ENDPOINTS: Record<string, 'GET' | 'POST'> = {
  [`${PREFIX}/status`]: 'GET',
  [`${PREFIX}/reload-all`]: 'POST',
  [`${PREFIX}/verify`]: 'POST',
  [`${PREFIX}/rollback`]: 'POST',
};
const REASONS = ['watch', 'manual', 'git-hook', 'deploy'];
// Node's HTTP parser answers these itself, with an empty body, before the agent sees anything.
const NODE_HEADER_LIMIT = 16 * 1024;

let work: string;
const servers: { name: string; token?: string; p: ServeProcess }[] = [];

beforeAll(async () => {
  await buildOnce();
  work = await mkdtemp(join(tmpdir(), 'ahr-fuzz-agent-'));
  await cp(join(REPO, 'examples/demo'), work, { recursive: true });
  const open = await startServe([join(work, 'server/app.js')], {}, 'cli');
  servers.push({ name: 'no token', p: open });
  const guarded = await startServe([join(work, 'server/app.js'), '--token', TOKEN], {}, 'cli');
  servers.push({ name: 'token', token: TOKEN, p: guarded });
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.p.stop('SIGKILL')));
  if (work) await rm(work, { recursive: true, force: true });
});

// ---- the oracle: what protocol v1 says the answer must be ---------------------------------

type Expect = { api: true; status: number; alt?: number; field?: string[] } | { api: false };

/** Why a hint entry is refused by the protocol, or null. */
function badHint(v: unknown): boolean {
  if (typeof v !== 'string' || v === '' || v.includes('\0')) return true;
  if (Buffer.byteLength(v) > 4096) return true;
  return v.split(/[\\/]/).includes('..');
}

/** The fields of a parsed body the protocol refuses (empty: the body is acceptable). */
function badFields(endpoint: string, body: Record<string, unknown>): string[] {
  const bad: string[] = [];
  if (endpoint.endsWith('/reload-all')) {
    for (const key of ['files', 'modules']) {
      const v = body[key];
      if (v === undefined || v === null) continue;
      if (!Array.isArray(v) || v.some(badHint)) bad.push(key);
    }
    const r = body.reason;
    if (r !== undefined && r !== null && !(typeof r === 'string' && REASONS.includes(r))) bad.push('reason');
  }
  if (endpoint.endsWith('/rollback')) {
    const v = body.from_version;
    if (v !== undefined && v !== null && !(typeof v === 'number' && Number.isInteger(v))) bad.push('from_version');
  }
  return bad;
}

const declaredJson = (ct: string | undefined) => ct !== undefined && /^application\/(?:[a-z0-9.+-]+\+)?json$/.test(ct.split(';')[0].trim().toLowerCase());

// Host values the generator sends, and whether they name this agent (loopback)
const HOSTS: [string, boolean][] = [
  ['localhost', true], ['LOCALHOST.:8001', true], ['127.0.0.1:1', true], ['127.9.9.9', true], ['[::1]:8001', true],
  ['evil.example', false], ['evil.example:8001', false], ['127.0.0.1.nip.io', false], ['[::2]', false], ['a b', false],
];
const ORIGINS = ['null', 'http://evil.example', 'http://localhost:5173', 'file://'];

function expectFor(method: string, rawPath: string, auth: string | undefined, body: Buffer | undefined, token?: string, versionsChange = false, headers: Record<string, string> = {}): Expect {
  const contentType = headers['content-type'];
  const q = rawPath.indexOf('?');
  let path = q < 0 ? rawPath : rawPath.slice(0, q);
  if (!(path === PREFIX || path.startsWith(`${PREFIX}/`))) return { api: false };
  // pages first (DNS rebinding: without a token only a Host that names the agent; any Origin)
  if (token === undefined && headers.host !== undefined && !HOSTS.find(([h]) => h === headers.host)?.[1]) return { api: true, status: 403 };
  if (headers.origin !== undefined) return { api: true, status: 403 };
  // the token first: without it a caller learns nothing, not even which endpoints exist
  if (token !== undefined && auth !== `Bearer ${token}`) return { api: true, status: 401 };
  if (path.length > PREFIX.length + 1 && path.endsWith('/')) path = path.slice(0, -1); // one trailing slash
  const want = ENDPOINTS[path];
  if (!want) return { api: true, status: 404 };
  if (method !== want) return { api: true, status: 405 };
  if (want === 'GET') return { api: true, status: 200 };
  // a body a web page could send without a preflight (text/plain, a form, no type) is refused
  if (body && body.length > 0 && !declaredJson(contentType)) return { api: true, status: 415 };
  if (body && body.length > MIB) return { api: true, status: 413 };
  const text = (body ?? Buffer.alloc(0)).toString('utf8');
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      return { api: true, status: 400 };
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { api: true, status: 400 };
  const bad = badFields(path, value as Record<string, unknown>);
  if (bad.length > 0) return { api: true, status: 400, field: bad };
  // files never change during the plain fuzz: only version 1 exists, so every rollback is
  // refused; while reloads run beside the fuzz, a rollback may find a version to go back to
  if (path.endsWith('/rollback')) return versionsChange ? { api: true, status: 409, alt: 200 } : { api: true, status: 409 };
  return { api: true, status: 200 };
}

// ---- the generator -------------------------------------------------------------------------

function deep(depth: number, open: string, close: string, inner = ''): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

function randomHint(rng: Rng): unknown {
  switch (rng.int(0, 11)) {
    case 0: return 'server/routes/greeting.js';
    case 1: return `routes/${rng.string(rng.int(1, 12))}.js`;
    case 2: return '../../etc/passwd';
    case 3: return 'server/../../secret.js';
    case 4: return '';
    case 5: return `a\u0000b.js`;
    case 6: return 'x'.repeat(rng.pick([4096, 4097, 9000]));
    case 7: return rng.int(-5, 5);
    case 8: return null;
    case 9: return { path: 'a.js' };
    case 10: return ['nested.js'];
    default: return `/abs/${rng.string(8)}/..x/${rng.string(4)}.ts`;
  }
}

function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(0, depth > 2 ? 4 : 7)) {
    case 0: return rng.int(-1e6, 1e6);
    case 1: return rng.string(rng.int(0, 20));
    case 2: return rng.chance(0.5);
    case 3: return null;
    case 4: return rng.next() * 1e6;
    case 5: return Array.from({ length: rng.int(0, 4) }, () => randomValue(rng, depth + 1));
    case 6: return Object.fromEntries(Array.from({ length: rng.int(0, 3) }, () => [rng.string(4), randomValue(rng, depth + 1)]));
    default: return rng.pick([1e400, -0, 1.5, '3', 2 ** 53]);
  }
}

/** A JSON text for a request body: mostly objects with fuzzed protocol fields. */
function randomJsonObject(rng: Rng): string {
  const obj: Record<string, unknown> = {};
  if (rng.chance(0.5)) obj.files = rng.chance(0.7) ? Array.from({ length: rng.int(0, 4) }, () => randomHint(rng)) : randomValue(rng);
  if (rng.chance(0.4)) obj.modules = rng.chance(0.7) ? Array.from({ length: rng.int(0, 3) }, () => randomHint(rng)) : randomValue(rng);
  if (rng.chance(0.3)) obj.reason = rng.chance(0.5) ? rng.pick(REASONS) : randomValue(rng);
  if (rng.chance(0.4)) obj.from_version = rng.chance(0.4) ? rng.int(-2, 3) : randomValue(rng);
  if (rng.chance(0.2)) obj[rng.string(6)] = randomValue(rng);
  let text = JSON.stringify(obj);
  // values JSON.stringify cannot write (1e400, -0) are spliced in as literals
  if (rng.chance(0.1)) text = text.replace(/^\{/, `{"from_version": ${rng.pick(['1e400', '-0', '1.0', '1e0', '2.5e0'])}${text === '{}' ? '' : ','}`);
  return text;
}

type BodyKind = 'none' | 'blank' | 'object' | 'scalar' | 'array' | 'deep-array' | 'deep-object' | 'deep-field' | 'truncated' | 'binary' | 'bad-utf8' | 'huge';

function randomBody(rng: Rng): { kind: BodyKind; body?: Buffer } {
  const kind = rng.pick<BodyKind>(['none', 'blank', 'object', 'object', 'object', 'object', 'scalar', 'array', 'deep-array', 'deep-object', 'deep-field', 'truncated', 'binary', 'bad-utf8', 'huge']);
  const buf = (s: string) => Buffer.from(s, 'utf8');
  switch (kind) {
    case 'none': return { kind };
    case 'blank': return { kind, body: buf(rng.pick(['', ' ', '\n\t  \r\n'])) };
    case 'object': return { kind, body: buf(randomJsonObject(rng)) };
    case 'scalar': return { kind, body: buf(rng.pick(['null', '0', '"reload"', 'true', '-1e999', '"' + 'x'.repeat(2000) + '"'])) };
    case 'array': return { kind, body: buf(JSON.stringify(Array.from({ length: rng.int(0, 2000) }, (_, i) => i))) };
    case 'deep-array': return { kind, body: buf(deep(rng.pick([1000, 20_000, 200_000]), '[', ']')) };
    case 'deep-object': return { kind, body: buf(deep(rng.pick([1000, 50_000]), '{"a":', '}', '1')) };
    case 'deep-field': {
      const key = rng.pick(['files', 'modules', 'reason', 'from_version']);
      return { kind, body: buf(`{"${key}": ${deep(rng.pick([500, 100_000]), '[', ']')}}`) };
    }
    case 'truncated': {
      const text = randomJsonObject(rng);
      return { kind, body: buf(text.slice(0, rng.int(0, Math.max(0, text.length - 1)))) };
    }
    case 'binary': return { kind, body: rng.bytes(rng.int(1, 4096)) };
    case 'bad-utf8': return { kind, body: Buffer.concat([buf('{"files": ["'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), buf('"]}')]) };
    case 'huge': {
      // over the 1 MiB limit: a valid object padded with spaces, or random bytes
      const size = MIB + rng.int(1, 200_000);
      return { kind, body: rng.chance(0.5) ? Buffer.concat([buf('{"files": []'), Buffer.alloc(size, 0x20), buf('}')]) : rng.bytes(size) };
    }
  }
}

const API_PATHS = [...Object.keys(ENDPOINTS)];
const APP_PATHS = ['/', '/health', '/api/v1/greeting', '/api/v1/counter', '/api/v1/items', '/api/v1/items/1', '/api/v1/items/%zz', '/api/v1/items/999'];

function randomPath(rng: Rng): string {
  const base = rng.pick(API_PATHS);
  let p: string;
  switch (rng.int(0, 13)) {
    case 0: case 1: case 2: case 3: case 4: p = base; break;
    case 5: p = `${base}/`; break;
    case 6: p = `${base}?${rng.string(6)}=${rng.string(4)}&a=%00`; break;
    case 7: p = rng.pick([`${PREFIX}/../hot-reload/status`, `${PREFIX}/%2e%2e/status`, `${PREFIX}/status/..`, `${PREFIX}/..%2f..%2fetc%2fpasswd`, `/api/v1/greeting/../hot-reload/status`]); break;
    case 8: p = rng.pick([PREFIX, `${PREFIX}/`, `${PREFIX}-x/status`, `//${PREFIX.slice(1)}/status`, PREFIX.toUpperCase() + '/STATUS', `${PREFIX}//status`]); break;
    case 9: p = `${PREFIX}/${rng.string(rng.int(1, 30))}`; break;
    case 10: p = `${PREFIX}/${'a/'.repeat(rng.int(1, 2000))}`; break;
    case 11: case 12: p = rng.pick(APP_PATHS); break;
    default: p = `/${rng.string(rng.int(0, 40), 'abc/%.-_~09')}`;
  }
  return p;
}

function randomAuth(rng: Rng, token: string | undefined): string | undefined {
  switch (rng.int(0, 8)) {
    case 0: case 1: case 2: return token ? `Bearer ${token}` : undefined;
    case 3: return undefined;
    case 4: return 'Bearer wrong';
    case 5: return rng.pick(['Basic Zm9vOmJhcg==', 'Bearer', 'Bearer ', `bearer ${token ?? 'x'}x`, `Bearer ${token ?? 'x'} extra`, `Token ${token ?? 'x'}`]);
    case 6: return `Bearer ${rng.string(8000)}`; // big, under Node's header limit
    case 7: return `Bearer ${rng.string(NODE_HEADER_LIMIT + 4000)}`; // over it: Node answers 431
    default: return `Bearer ${rng.string(rng.int(1, 64))}`;
  }
}

// ---- sending --------------------------------------------------------------------------------

interface Answer {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body: string;
  error?: string;
}

function send(port: number, agent: HttpAgent, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent, signal: AbortSignal.timeout(15_000) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 4 * MIB) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ status: res.statusCode, body: '', error: e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ body: '', error: e.code ?? e.message }));
    if (body) req.end(body);
    else req.end();
  });
}

const FRAME = /\n\s+at |\bat (?:async )?[\w.<>]+ \(|node:internal/;

/** Problems with one answer (empty when it is as the protocol says). */
function judge(exp: Expect, method: string, path: string, ans: Answer, huge: boolean, overLimit: boolean): string[] {
  const out: string[] = [];
  if (FRAME.test(ans.body)) out.push(`a stack trace in the body: ${ans.body.slice(0, 300)}`);
  if (ans.body.includes(REPO) || ans.body.includes('dist/src/agent')) out.push(`the agent's own paths in the body: ${ans.body.slice(0, 300)}`);
  if (ans.status === undefined) {
    // after a 413 (huge body) or Node's 431 (huge headers) the server closes the connection,
    // which resets it while the body is still being sent; nothing else may go unanswered
    if (!((huge || overLimit) && /ECONNRESET|EPIPE/.test(ans.error ?? ''))) out.push(`no answer: ${ans.error}`);
    return out;
  }
  if (overLimit) {
    if (ans.status !== 431) out.push(`headers over ${NODE_HEADER_LIMIT} bytes answered ${ans.status}, expected 431`);
    return out;
  }
  if (!exp.api) {
    if (![200, 201, 400, 404, 405, 413].includes(ans.status)) out.push(`app route answered ${ans.status}`);
    if (method !== 'HEAD' && !String(ans.headers?.['content-type']).startsWith('application/json')) out.push(`app answer ${ans.status} is not JSON: ${ans.headers?.['content-type']} ${ans.body.slice(0, 100)}`);
    return out;
  }
  if (ans.status !== exp.status && ans.status !== exp.alt) out.push(`answered ${ans.status}, expected ${exp.status}: ${ans.body.slice(0, 200)}`);
  if (method === 'HEAD') return out;
  let parsed: { success?: unknown; message?: unknown } | undefined;
  try {
    parsed = JSON.parse(ans.body) as typeof parsed;
  } catch {
    out.push(`not a JSON body: ${ans.body.slice(0, 200)}`);
    return out;
  }
  if (ans.status >= 400) {
    if (parsed?.success !== false || typeof parsed.message !== 'string' || parsed.message === '') out.push(`error body is not {success:false,message}: ${ans.body.slice(0, 200)}`);
    // the message may name the path it was asked for, but never echoes a body back
    else if (parsed.message.length > path.length + 300) out.push(`error message of ${parsed.message.length} chars (expected one clear line): ${parsed.message.slice(0, 200)}…`);
    else if (exp.field && !exp.field.some((f) => (parsed!.message as string).startsWith(f))) out.push(`400 message does not name ${exp.field.join(' or ')}: ${parsed.message}`);
  } else if (typeof parsed?.success !== 'boolean') out.push(`200 body without success: ${ans.body.slice(0, 200)}`);
  return out;
}

async function pool<T>(items: T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await run(items[next++]);
  }));
}

const METHODS = ['GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const CONTENT_TYPES = [undefined, 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream'];

async function fuzzHttp(seed: number, count: number, server: (typeof servers)[number], versionsChange = false): Promise<{ failures: string[]; statuses: Record<string, number> }> {
  const rng = createRng(seed);
  // One connection per request: on a reused keep-alive socket a reset only says that the
  // server closed it after an unread body, not which request failed.
  const agent = new HttpAgent({ keepAlive: false, maxSockets: 8 });
  const failures: string[] = [];
  const statuses: Record<string, number> = {};
  const cases = Array.from({ length: count }, (_, i) => i);
  // the whole case is drawn up front, in order, so a seed replays the same requests
  const drawn = cases.map((i) => {
    const method = rng.pick(METHODS);
    const path = randomPath(rng);
    const auth = randomAuth(rng, server.token);
    const { kind, body } = method === 'GET' || method === 'HEAD' ? { kind: 'none' as BodyKind, body: undefined } : randomBody(rng);
    const headers: Record<string, string> = {};
    if (auth !== undefined) headers.authorization = auth;
    const ct = rng.pick(CONTENT_TYPES);
    if (ct && body) headers['content-type'] = ct;
    // explicit, or node:http sends DELETE/OPTIONS bodies unframed (then Node's parser answers 400)
    if (body) headers['content-length'] = String(body.length);
    if (rng.chance(0.05)) headers['x-' + rng.string(5)] = rng.string(rng.int(0, 200));
    if (rng.chance(0.1)) headers.host = rng.pick(HOSTS)[0];
    if (rng.chance(0.06)) headers.origin = rng.pick(ORIGINS);
    return { i, method, path, auth, kind, body, headers };
  });
  await pool(drawn, 8, async (c) => {
    if (failures.length > 20 || server.p.proc.exitCode !== null) return;
    const exp = expectFor(c.method, c.path, c.auth, c.body, server.token, versionsChange, c.headers);
    const overLimit = Buffer.byteLength(c.auth ?? '') + c.path.length > NODE_HEADER_LIMIT;
    const ans = await send(server.p.port, agent, c.method, c.path, c.headers, c.body);
    statuses[ans.status ?? ans.error ?? '?'] = (statuses[ans.status ?? ans.error ?? '?'] ?? 0) + 1;
    for (const problem of judge(exp, c.method, c.path, ans, c.kind === 'huge', overLimit)) {
      failures.push(`seed=${seed} case=${c.i} (${server.name}) ${c.method} ${c.path.slice(0, 80)} body=${c.kind}: ${problem}`);
    }
  });
  agent.destroy();
  if (server.p.proc.exitCode !== null) failures.push(`seed=${seed}: the serve process died (exit ${server.p.proc.exitCode}); output:\n${server.p.output().slice(-2000)}`);
  return { failures, statuses };
}

/** Sends raw bytes; resolves with everything the server wrote before it closed (or the deadline). */
function raw(port: number, chunks: (Buffer | string)[], opts: { endAfter?: boolean; waitMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    const timer = setTimeout(finish, opts.waitMs ?? 10_000);
    socket.on('data', (d) => (got += d.toString('latin1')));
    socket.on('close', finish);
    socket.on('error', finish);
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
      if (opts.endAfter) socket.end();
    });
  });
}

const statusOf = (text: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? NaN);
const H = (lines: string[]) => lines.join('\r\n') + '\r\n\r\n';

describe('agent fuzz over node:http', () => {
  it('1,500 random requests without a token: documented answers only, no stack traces, the app keeps serving', async () => {
    const s = servers[0];
    const { failures, statuses } = await fuzzHttp(0x5eed01, 1500, s);
    expect(failures).toEqual([]);
    // the fuzz reached every kind of answer, not only one
    for (const code of ['200', '400', '404', '405', '409', '413', '431']) expect(statuses[code], `status ${code} in ${JSON.stringify(statuses)}`).toBeGreaterThan(0);
    const status = (await call(`${s.p.base}${PREFIX}/status`)).body.status;
    expect([status.pid, status.version, status.versions_kept]).toEqual([s.p.pid, 1, [1]]);
    expect(await call(`${s.p.base}/api/v1/greeting`)).toMatchObject({ status: 200, body: { greeting: 'Hello from the demo!', version: 1, pid: s.p.pid } });
  }, 120_000);

  it('600 random requests with a token: unauthenticated callers get 401 and nothing else', async () => {
    const s = servers[1];
    const { failures, statuses } = await fuzzHttp(0x5eed02, 600, s);
    expect(failures).toEqual([]);
    for (const code of ['200', '400', '401', '404', '405', '409']) expect(statuses[code], `status ${code} in ${JSON.stringify(statuses)}`).toBeGreaterThan(0);
    expect((await call(`${s.p.base}${PREFIX}/status`)).status).toBe(401);
    const status = (await call(`${s.p.base}${PREFIX}/status`, { token: TOKEN })).body.status;
    expect([status.pid, status.version]).toEqual([s.p.pid, 1]);
    expect((await call(`${s.p.base}/api/v1/greeting`)).status).toBe(200);
  }, 120_000);
});

describe('agent fuzz over raw node:net', () => {
  it('malformed HTTP, torn connections and lying headers: Node answers 400/431 or the agent answers as documented', async () => {
    const [open, guarded] = servers;
    const port = open.p.port;
    const st = `${PREFIX}/status`;
    const fixed: { name: string; chunks: (Buffer | string)[]; expect: number | 'none'; port?: number; end?: boolean }[] = [
      { name: 'garbage', chunks: ['\x16\x03\x01\x02\x00hello'], expect: 400 },
      { name: 'unknown method', chunks: [H([`FROB ${st} HTTP/1.1`, 'Host: localhost', 'Connection: close'])], expect: 400 },
      { name: 'header without colon', chunks: [H([`GET ${st} HTTP/1.1`, 'Host: localhost', 'Authorization Bearer x'])], expect: 400 },
      { name: 'control char in Authorization', chunks: [H([`GET ${st} HTTP/1.1`, 'Host: localhost', 'Authorization: Bearer \x01\x02', 'Connection: close'])], expect: 400 },
      { name: 'non-numeric content-length', chunks: [H([`POST ${PREFIX}/reload-all HTTP/1.1`, 'Host: localhost', 'Content-Length: abc'])], expect: 400 },
      { name: 'content-length and chunked', chunks: [H([`POST ${PREFIX}/reload-all HTTP/1.1`, 'Host: localhost', 'Content-Length: 2', 'Transfer-Encoding: chunked']) + '0\r\n\r\n'], expect: 400 },
      { name: 'no Host header', chunks: [H([`GET ${st} HTTP/1.1`, 'Connection: close'])], expect: 400 },
      { name: 'HTTP/1.0', chunks: [H([`GET ${st} HTTP/1.0`])], expect: 200 },
      { name: 'headers over the limit', chunks: [H([`GET ${st} HTTP/1.1`, 'Host: localhost', `Authorization: Bearer ${'a'.repeat(NODE_HEADER_LIMIT + 10)}`])], expect: 431 },
      { name: 'space in the path', chunks: [H([`GET ${PREFIX}/sta tus HTTP/1.1`, 'Host: localhost', 'Connection: close'])], expect: 400 },
      { name: 'absolute-form URL goes to the app', chunks: [H([`GET http://127.0.0.1${st} HTTP/1.1`, 'Host: localhost', 'Connection: close'])], expect: 404 },
      { name: 'declared 2 MiB body', chunks: [H([`POST ${PREFIX}/reload-all HTTP/1.1`, 'Host: localhost', 'Content-Type: application/json', `Content-Length: ${2 * MIB}`]) + '{"files"'], expect: 413 },
      { name: 'chunked body over 1 MiB', chunks: [H([`POST ${PREFIX}/verify HTTP/1.1`, 'Host: localhost', 'Content-Type: application/json', 'Transfer-Encoding: chunked']), ...Array.from({ length: 17 }, () => `10000\r\n${'x'.repeat(0x10000)}\r\n`), '0\r\n\r\n'], expect: 413 },
      { name: 'bad chunk size', chunks: [H([`POST ${PREFIX}/verify HTTP/1.1`, 'Host: localhost', 'Transfer-Encoding: chunked']) + 'zz\r\n{}\r\n0\r\n\r\n'], expect: 400 },
      { name: 'body shorter than declared, then closed', chunks: [H([`POST ${PREFIX}/reload-all HTTP/1.1`, 'Host: localhost', 'Content-Type: application/json', 'Content-Length: 500']) + '{"files": ["a'], end: true, expect: 'none' },
      { name: 'half a request line, then closed', chunks: [`POST ${PREFIX}/rel`], end: true, expect: 'none' },
      { name: 'headers cut off, then closed', chunks: [`GET ${st} HTTP/1.1\r\nHost: localhost\r\nAuthor`], end: true, expect: 'none' },
      { name: 'unauthenticated on the token server', chunks: [H([`POST ${PREFIX}/reload-all HTTP/1.1`, 'Host: localhost', 'Content-Length: 2', 'Connection: close']) + '{}'], expect: 401, port: guarded.p.port },
      { name: 'authenticated with a NUL-free odd token', chunks: [H([`GET ${st} HTTP/1.1`, 'Host: localhost', `Authorization: Bearer ${TOKEN}\t`, 'Connection: close'])], expect: 200, port: guarded.p.port },
    ];
    const failures: string[] = [];
    for (const c of fixed) {
      const text = await raw(c.port ?? port, c.chunks, { endAfter: c.end, waitMs: c.expect === 'none' ? 300 : 10_000 });
      const got = statusOf(text);
      if (c.expect === 'none') {
        if (text !== '' && !Number.isNaN(got) && got !== 400) failures.push(`${c.name}: answered ${got}`);
      } else if (got !== c.expect) failures.push(`${c.name}: answered ${JSON.stringify(text.slice(0, 120))}, expected ${c.expect}`);
      if (FRAME.test(text)) failures.push(`${c.name}: a stack trace in the answer`);
    }

    // pipelined requests on one socket: answered in order
    const piped = await raw(port, [H([`GET ${st} HTTP/1.1`, 'Host: localhost']) + H([`POST ${PREFIX}/rollback HTTP/1.1`, 'Host: localhost', 'Content-Length: 0']) + H([`GET /api/v1/greeting HTTP/1.1`, 'Host: localhost', 'Connection: close'])]);
    expect(piped.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 409', 'HTTP/1.1 200']);

    // random byte soup, seeded: the process must survive every one
    const rng = createRng(0x5eed03);
    for (let i = 0; i < 150; i++) {
      const prefix = rng.chance(0.5) ? `${rng.pick(['GET', 'POST', 'PUT'])} ${rng.pick([st, `${PREFIX}/reload-all`, '/'])} HTTP/1.1\r\n` : '';
      const soup = rng.chance(0.5) ? rng.bytes(rng.int(1, 600)) : Buffer.from(rng.string(rng.int(1, 600), 'GET POST/:\r\n HTTP1.{}"[]\0abc'), 'latin1');
      const text = await raw(rng.chance(0.3) ? guarded.p.port : port, [prefix, soup], { endAfter: rng.chance(0.5), waitMs: 150 });
      const got = statusOf(text);
      if (text !== '' && !Number.isNaN(got) && ![200, 400, 401, 404, 405, 408, 409, 413, 431].includes(got)) failures.push(`seed=${rng.seed} soup #${i}: answered ${got}`);
      if (FRAME.test(text)) failures.push(`seed=${rng.seed} soup #${i}: a stack trace in the answer`);
    }
    expect(failures).toEqual([]);
    for (const s of servers) {
      expect(s.p.proc.exitCode, `${s.name} serve process exited; output:\n${s.p.output().slice(-2000)}`).toBeNull();
      const status = (await call(`${s.p.base}${PREFIX}/status`, { token: s.token })).body.status;
      expect(status.pid).toBe(s.p.pid);
      expect((await call(`${s.p.base}/api/v1/greeting`)).body.greeting).toBe('Hello from the demo!');
    }
    // nothing the fuzz sent made the agent log an internal failure
    for (const s of servers) expect(s.p.output()).not.toMatch(/internal agent error|unhandled rejection|failed: \w*Error/);
  }, 90_000);
});

describe('agent fuzz while reloads and rollbacks run', () => {
  it('600 random requests beside a stream of edits and reloads: same answers, the app never fails, the last edit is served', async () => {
    const s = servers[0];
    const route = join(work, 'server/routes/greeting.js');
    const original = await readFile(route, 'utf8');
    const source = (gen: number) => original.replace("'Hello from the demo!'", `'gen ${gen}'`);
    let stop = false;
    let gen = 0;
    const appFailures: string[] = [];
    // edits (atomic, as editors save) each followed by a reload, as fast as they go
    const editor = (async () => {
      for (let i = 0; i < 400 && !stop; i++) {
        gen++;
        await writeFile(`${route}.tmp`, source(gen));
        await rename(`${route}.tmp`, route);
        const r = await call(`${s.p.base}${PREFIX}/reload-all`, { method: 'POST', body: { files: ['server/routes/greeting.js'], reason: 'watch' } });
        if (r.status !== 200 || r.body.success !== true) appFailures.push(`reload of gen ${gen}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      }
    })();
    // the app keeps answering through every swap
    const reader = (async () => {
      for (let i = 0; i < 2000 && !stop; i++) {
        const r = await call(`${s.p.base}/api/v1/greeting`);
        if (r.status !== 200 || !/^(gen \d+|Hello from the demo!)$/.test(r.body.greeting)) appFailures.push(`GET /api/v1/greeting: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      }
    })();
    const { failures } = await fuzzHttp(0x5eed04, 600, s, true);
    stop = true;
    await Promise.all([editor, reader]);
    expect(failures).toEqual([]);
    expect(appFailures).toEqual([]);
    expect(gen).toBeGreaterThan(3);
    // once the storm is over, one more edit and reload: exactly that content is served
    await writeFile(route, source(gen + 1));
    const last = await call(`${s.p.base}${PREFIX}/reload-all`, { method: 'POST', body: {} });
    expect(last.body).toMatchObject({ success: true, activated: true });
    expect((await call(`${s.p.base}/api/v1/greeting`)).body.greeting).toBe(`gen ${gen + 1}`);
    const status = (await call(`${s.p.base}${PREFIX}/status`)).body.status;
    expect([status.pid, status.state, status.version]).toEqual([s.p.pid, 'idle', last.body.version]);
    expect(s.p.output()).not.toMatch(/internal agent error|unhandled rejection|failed: \w*Error/);
  }, 120_000);
});

describe('what the fuzz found, pinned', () => {
  it('deeply nested or huge values get a short 400 naming the field, not a 500 or an echo', async () => {
    const s = servers[0];
    const nested = deep(100_000, '[', ']');
    const post = (path: string, raw: string) => call(`${s.p.base}${PREFIX}${path}`, { method: 'POST', raw });
    expect(await post('/rollback', `{"from_version": ${nested}}`)).toEqual({ status: 400, body: { success: false, message: 'from_version: expected an integer version, got an array' } });
    expect(await post('/reload-all', `{"reason": ${nested}}`)).toEqual({
      status: 400,
      body: { success: false, message: 'reason: expected one of watch, manual, git-hook, deploy, got an array' },
    });
    expect(await post('/reload-all', `{"reason": {"a": ${nested}}}`)).toMatchObject({ status: 400, body: { message: 'reason: expected one of watch, manual, git-hook, deploy, got an object' } });
    const big = await post('/verify', JSON.stringify('x'.repeat(900_000)));
    expect(big).toEqual({ status: 400, body: { success: false, message: `expected a JSON object as body, got "${'x'.repeat(56)}…` } });
    expect((await call(`${s.p.base}${PREFIX}/status`)).body.status.pid).toBe(s.p.pid);
  });
});
