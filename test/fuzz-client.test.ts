// Client fuzz: a real node:http server answering seeded random malformed payloads (wrong
// types, missing fields, HTML, empty, torn JSON, huge, wrong content-type, slow, reset
// sockets, random status codes) to every endpoint. The client maps each to exactly the
// typed error the answer calls for; the CLI (in-process and as a real process) always ends
// with a documented exit code and plain lines, never a stack trace.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../src/cli/main.js';
import { createClient, type ApiClient } from '../src/client/client.js';
import { ClientError } from '../src/client/errors.js';
import type { Probe } from '../src/types.js';
import { buildOnce, runCliProcess } from './helpers/cli-process.js';
import { makeConfig } from './helpers/config.js';
import { createRng, type Rng } from './helpers/prng.js';

const PREFIX = '/api/v1/hot-reload';
type Endpoint = 'status' | 'health' | 'reload' | 'verify' | 'rollback' | 'probe';
const ENDPOINT_OF: Record<string, Endpoint> = {
  [`${PREFIX}/status`]: 'status',
  '/health': 'health',
  [`${PREFIX}/reload-all`]: 'reload',
  [`${PREFIX}/verify`]: 'verify',
  [`${PREFIX}/rollback`]: 'rollback',
  '/probe': 'probe',
};

// ---- answers ------------------------------------------------------------------------------

type Answer =
  | { k: 'ok' } // a correct v1 answer
  | { k: 'json'; status: number; body: unknown; valid: boolean; ct?: string } // `valid`: the client must accept it
  | { k: 'text'; status: number; text: string; ct: string }
  | { k: 'empty'; status: number }
  | { k: 'huge'; status: number } // > 2 MB that is not JSON
  | { k: 'slow'; then: Answer } // later than the client's timeout
  | { k: 'reset' } // the socket is destroyed before any answer
  | { k: 'torn' }; // headers and half a body, then the socket is destroyed

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

/** Bodies a 2xx answer may carry, per endpoint: [body, does the protocol accept it]. */
const BODIES: Record<Exclude<Endpoint, 'health' | 'probe'>, [unknown, boolean][]> = {
  status: [
    [{ success: true, status: { version: 3, boot_id: 'b', pid: 1 } }, true],
    [{ success: true, status: { status: { version: 3 } } }, true], // an unknown field (`status`) is ignored
    [{ success: true, status: { running: false, interval: 300, versions: { source: { current: 1, cached: 1, changed: false } }, file_monitor: { monitored_files: 0, changed_files: 0 } } }, true], // the old server's
    [{ version: 3, pid: 9 }, true], // flat
    [{}, true],
    [{ success: true, status: { version: '3' } }, false],
    [{ success: true, status: { pid: null } }, true], // null is absent
    [{ success: true, status: { versions: { source: { current: 'x' } } } }, false],
    [{ success: true, status: { versions_kept: 'all' } }, false],
    [{ success: true, status: { last_reload: { error: { message: 5 } } } }, false],
    [{ success: 'yes' }, false],
    [{ success: true, status: { uptime_ms: 'long' } }, false],
  ],
  reload: [
    [{ success: true }, true],
    [{ success: false, message: 'boom', failed_modules: ['a.js'] }, true],
    [{ success: true, message: 'ok', reloaded_modules: ['a'], failed_modules: [], version: 2, previous_version: 1, activated: true, duration_ms: 1.5 }, true],
    [{ success: true, unknown_field: { x: 1 } }, true],
    [{ message: 'no success field' }, false],
    [{ success: 'true' }, false],
    [{ success: true, reloaded_modules: 'a.js' }, false],
    [{ success: true, version: null }, true], // null is absent
    [{ success: true, message: 'ok', reloaded_modules: null, failed_modules: null }, true], // the old server's success
    [{ success: true, failed_modules: [null] }, false], // a null element is not an absent field
    [{ success: false, error: { message: 'x', line: 'ten' } }, false],
    [[], false],
    ['reloaded', false],
    [null, false],
    [5, false],
  ],
  verify: [
    [{ success: true, checks: {} }, true],
    [{ success: false, checks: { db: { ok: false, detail: 'down' } } }, true],
    [{ success: true, checks: { a: true, b: false } }, true], // the old server's booleans
    [{ success: true }, true],
    [{ checks: {} }, false],
    [{ success: true, checks: [1, 2] }, false],
    [{ success: true, checks: { a: 'fine' } }, false],
    [{ success: true, checks: { a: { ok: 'yes' } } }, false],
    ['ok', false],
  ],
  rollback: [
    [{ success: true, message: 'rolled back', version: 1, rolled_back_from: 2 }, true],
    [{ success: false, message: 'nothing' }, true],
    [{ success: true }, true],
    [{ success: 'no' }, false],
    [{ success: true, version: 'one' }, false],
    [{ success: true, message: 42 }, false],
    [[{ success: true }], false],
  ],
};

const STATUSES = [201, 202, 204, 301, 302, 304, 400, 401, 403, 404, 405, 409, 413, 418, 429, 500, 501, 502, 503, 504];

function randomAnswer(rng: Rng, ep: Endpoint, allowSlow: boolean, longMessage = 3000): Answer {
  const roll = rng.int(0, 99);
  if (roll < 25) return { k: 'ok' };
  // a probe's jsonEquals path holding a huge or deeply nested value
  if (ep === 'probe' && roll < 35) return { k: 'text', status: 200, text: `{"ok": ${rng.chance(0.5) ? JSON.stringify('x'.repeat(5000)) : deep(rng.pick([100, 100_000]))}}`, ct: 'application/json' };
  if (roll < 45 && ep !== 'health' && ep !== 'probe') {
    const [body, valid] = rng.pick(BODIES[ep]);
    return { k: 'json', status: rng.pick([200, 200, 201]), body, valid, ct: rng.pick([undefined, 'text/plain', 'application/xml']) };
  }
  if (roll < 55) {
    // verify's "no such endpoint" answers are rare among STATUSES; give them their share
    const status = ep === 'verify' && rng.chance(0.3) ? rng.pick([404, 405, 501]) : rng.pick(STATUSES);
    // the old server's failed reload: 500 with the result's shape
    if (ep === 'reload' && rng.chance(0.3)) return { k: 'json', status: rng.pick([500, 503]), body: { success: false, message: 'reload failed', failed_modules: ['x.js'] }, valid: true };
    // in a 2xx answer `{success:false, message}` is a valid (failed) result for every endpoint
    return rng.chance(0.5)
      ? { k: 'json', status, body: { success: false, message: rng.pick(['nope', '', 'x'.repeat(longMessage)]) }, valid: status >= 200 && status < 300 }
      : { k: 'text', status, text: '<html><body><h1>Bad Gateway</h1></body></html>', ct: 'text/html' };
  }
  if (roll < 62) return { k: 'text', status: rng.pick([200, 200, 500]), text: rng.pick(['<!doctype html><p>hi</p>', 'OK', 'null\u0000', '\ufeff{"success":true}x']), ct: rng.pick(['text/html', 'application/json']) };
  if (roll < 68) return { k: 'text', status: 200, text: rng.pick(['{"success": tr', '{"success":true,"status":{"version":', '[', '{"a":"\\u12']), ct: 'application/json' };
  if (roll < 73) return { k: 'text', status: 200, text: deep(rng.pick([1000, 100_000])), ct: 'application/json' };
  if (roll < 77) return { k: 'empty', status: rng.pick([200, 204, 500]) };
  if (roll < 80) return { k: 'huge', status: rng.pick([200, 500]) };
  if (roll < 84 && allowSlow) return { k: 'slow', then: { k: 'ok' } };
  if (roll < 92) return { k: 'reset' };
  return { k: 'torn' };
}

// ---- the chaos server ---------------------------------------------------------------------

interface Chaos {
  url: string;
  /** decides each answer; called once per request */
  plan: (ep: Endpoint, req: IncomingMessage) => Answer;
  requests: number;
  close(): Promise<void>;
}

// Every client timeout here is 0.8–1 s: far above a loaded machine's hiccups, below SLOW_MS.
// Each slow answer costs a timeout of waiting, so they are few.
const SLOW_MS = 2000;

async function startChaos(): Promise<Chaos> {
  let version = 1;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const chaos: Chaos = { url: '', plan: () => ({ k: 'ok' }), requests: 0, close: async () => {} };

  const okBody = (ep: Endpoint): unknown => {
    switch (ep) {
      case 'status': return { success: true, status: { running: true, state: 'idle', version, versions_kept: [version], boot_id: 'boot-1', pid: 4242, started_at: '2026-01-01T00:00:00.000Z' } };
      case 'health': return { status: 'ok' };
      case 'probe': return { ok: true };
      case 'reload': version++; return { success: true, message: `version ${version} active`, reloaded_modules: ['a.js'], failed_modules: [], version, previous_version: version - 1, activated: true, duration_ms: 1 };
      case 'verify': return { success: true, checks: { app: { ok: true, detail: 'fine' } } };
      case 'rollback': version = Math.max(1, version - 1); return { success: true, message: `rolled back to ${version}`, version, rolled_back_from: version + 1 };
    }
  };

  const answer = (res: ServerResponse, ep: Endpoint, a: Answer) => {
    if (res.destroyed) return;
    switch (a.k) {
      case 'ok': return json(res, 200, okBody(ep));
      case 'json': return json(res, a.status, a.body, a.ct);
      case 'text': res.writeHead(a.status, { 'content-type': a.ct }); return void res.end(a.text);
      case 'empty': res.writeHead(a.status); return void res.end();
      case 'huge': res.writeHead(a.status, { 'content-type': 'application/json' }); return void res.end('{"success": true, "message": "' + 'x'.repeat(2_500_000));
      case 'slow': {
        const t = setTimeout(() => { timers.delete(t); answer(res, ep, a.then); }, SLOW_MS);
        timers.add(t);
        return;
      }
      case 'reset': return void res.socket?.destroy();
      case 'torn':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
        res.write('{"success": true, "mess');
        setImmediate(() => res.socket?.destroy());
    }
  };

  const server: Server = createServer((req, res) => {
    chaos.requests++;
    // read the body first: the client's request is complete before any answer
    req.resume();
    req.on('end', () => {
      const p = (req.url ?? '/').split('?')[0];
      const ep = ENDPOINT_OF[p];
      if (!ep) return json(res, 404, { success: false, message: `no ${p}` });
      answer(res, ep, chaos.plan(ep, req));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  chaos.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  chaos.close = () =>
    new Promise<void>((ok) => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      server.close(() => ok());
    });
  return chaos;
}

function json(res: ServerResponse, status: number, body: unknown, ct = 'application/json'): void {
  const text = JSON.stringify(body) ?? '';
  res.writeHead(status, { 'content-type': ct, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

// ---- the client-level oracle ----------------------------------------------------------------

type Outcome = { resolved: true } | { resolved: 'null' } | { kind: ClientError['kind']; status?: number };

/** What the client must make of one answer, by the protocol and the client's documented rules. */
function expected(ep: Endpoint, a: Answer): Outcome {
  if (ep === 'probe') return { resolved: true }; // a probe never throws: every fault is a failed check
  if (a.k === 'reset' || a.k === 'torn') return { kind: 'unreachable' };
  if (a.k === 'slow') return { kind: 'timeout' };
  const status = a.k === 'ok' ? 200 : a.status;
  if (ep === 'health') return { resolved: true }; // health reads only the status
  if (status < 200 || status > 299) {
    if (ep === 'verify' && [404, 405, 501].includes(status)) return { resolved: 'null' };
    // the old server's failed reload/rollback: a 5xx whose body still has the result's shape
    if (a.k === 'json' && status >= 500 && ep === 'reload' && a.valid) return { resolved: true };
    const body = a.k === 'json' ? (a.body as { success?: unknown; message?: unknown } | null) : null;
    if (status >= 500 && ep === 'rollback' && body?.success === false && typeof body.message === 'string') return { resolved: true };
    return { kind: 'http', status };
  }
  if (a.k === 'ok') return { resolved: true };
  if (a.k === 'json') return a.valid ? { resolved: true } : { kind: 'invalid-response' };
  return { kind: 'invalid-response' }; // text, empty, huge: not a JSON result
}

async function callEndpoint(client: ApiClient, ep: Endpoint, probe: Probe): Promise<unknown> {
  switch (ep) {
    case 'status': return client.status();
    case 'health': return client.health();
    case 'reload': return client.reload({ files: ['a.js'], reason: 'manual' });
    case 'verify': return client.verify();
    case 'rollback': return client.rollback({ from_version: 2 });
    case 'probe': return client.probe(probe);
  }
}

let chaos: Chaos;
let work: string;
beforeAll(async () => {
  chaos = await startChaos();
  work = await mkdtemp(path.join(os.tmpdir(), 'ahr-fuzz-client-'));
});
afterAll(async () => {
  await chaos.close();
  await rm(work, { recursive: true, force: true });
});

const TIMEOUTS = { reloadMs: 1000, verifyMs: 1000, rollbackMs: 1000, statusMs: 800 };
const PROBE: Probe = { name: 'p', method: 'GET', path: '/probe', expectStatus: 200, jsonEquals: { ok: true } };

describe('client fuzz: each malformed answer becomes exactly the typed error it calls for', () => {
  it('420 seeded answers across every endpoint', async () => {
    const rng = createRng(0xc11e);
    const client = createClient({ name: 't', apiUrl: chaos.url }, makeConfig({ apiUrl: chaos.url, timeouts: TIMEOUTS }));
    const failures: string[] = [];
    const eps: Endpoint[] = ['status', 'health', 'reload', 'verify', 'rollback', 'probe'];
    const seen = new Set<string>();
    for (let i = 0; i < 420; i++) {
      const ep = eps[i % eps.length];
      const a = randomAnswer(rng, ep, rng.chance(0.1));
      chaos.plan = () => a;
      const want = expected(ep, a);
      const tag = `seed=${rng.seed} case=${i} ${ep} ← ${JSON.stringify(a).slice(0, 160)}`;
      let got: Outcome;
      let value: unknown;
      try {
        value = await callEndpoint(client, ep, PROBE);
        got = value === null ? { resolved: 'null' } : { resolved: true };
      } catch (e) {
        if (!(e instanceof ClientError)) {
          failures.push(`${tag}: a raw ${e instanceof Error ? e.name : typeof e} escaped: ${String(e)}`);
          continue;
        }
        got = { kind: e.kind, ...(e.kind === 'http' ? { status: (e as unknown as { status: number }).status } : {}) };
        // a typed error says which call failed
        if (!e.message.includes(chaos.url)) failures.push(`${tag}: error message without the URL: ${e.message}`);
        if (e.message.length > 1000) failures.push(`${tag}: error message of ${e.message.length} chars`);
      }
      seen.add(JSON.stringify(got));
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${tag}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      // health reports the status it got; a probe never throws and judges the answer
      if (ep === 'health' && 'resolved' in got) {
        const status = a.k === 'ok' ? 200 : (a as { status: number }).status;
        if (JSON.stringify(value) !== JSON.stringify({ ok: status >= 200 && status < 300, httpStatus: status })) failures.push(`${tag}: health → ${JSON.stringify(value)}`);
      }
      if (ep === 'probe' && 'resolved' in got) {
        const c = value as { ok: boolean; detail: string };
        if (c.ok !== (a.k === 'ok')) failures.push(`${tag}: probe ok=${c.ok}: ${c.detail}`);
        if (c.detail.length > 1000) failures.push(`${tag}: probe detail of ${c.detail.length} chars`);
        // a JSON answer with the wrong value names the dotted path it checked
        if (a.k === 'text' && a.text.startsWith('{"ok": ') && !c.detail.startsWith('ok: expected true, got ')) failures.push(`${tag}: probe detail does not name the path: ${c.detail.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    // every outcome was reached
    for (const o of [{ resolved: true }, { resolved: 'null' }, { kind: 'unreachable' }, { kind: 'timeout' }, { kind: 'invalid-response' }]) expect([...seen]).toContain(JSON.stringify(o));
    expect([...seen].some((s) => s.includes('"http"'))).toBe(true);
  }, 90_000);
});

// ---- the CLI --------------------------------------------------------------------------------

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function cliInProcess(argv: string[], cwd: string): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdinIsTTY: false,
    env: { NO_COLOR: '1' },
    cwd,
    onSignal: () => () => {},
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

const FRAME = /\n\s+at |^\s+at .+:\d+:\d+\)?$/m;

/** Problems with one CLI run (empty when it ended as documented). */
function judgeCli(run: Captured, json: boolean, mustBe?: number): string[] {
  const out: string[] = [];
  if (![0, 1, 3, 4].includes(run.code)) out.push(`exit ${run.code}, expected one of 0, 1, 3, 4`);
  if (mustBe !== undefined && run.code !== mustBe) out.push(`exit ${run.code}, expected ${mustBe}`);
  if (FRAME.test(run.stdout) || FRAME.test(run.stderr)) out.push(`a stack trace:\n${run.stdout}\n${run.stderr}`);
  if (/unexpected error/.test(run.stderr)) out.push(`a raw exception reached the CLI: ${run.stderr}`);
  // a human line stays a line; a --json record holds every check, but is still bounded
  const limit = json ? 20_000 : 2_000;
  for (const line of (run.stdout + run.stderr).split('\n')) if (line.length > limit) out.push(`an output line of ${line.length} chars: ${line.slice(0, 120)}…`);
  const lines = run.stdout.split('\n').filter(Boolean);
  if (json) {
    if (lines.length !== 1) out.push(`--json printed ${lines.length} lines, expected 1: ${run.stdout.slice(0, 300)}`);
    try {
      const r = JSON.parse(lines[0] ?? '') as { type?: string; exitCode?: number; message?: unknown };
      if (r.type !== 'result' || r.exitCode !== run.code || typeof r.message !== 'string' || r.message === '') out.push(`--json result does not match: ${lines[0]?.slice(0, 300)}`);
    } catch {
      out.push(`--json output is not JSON: ${run.stdout.slice(0, 300)}`);
    }
  } else {
    const last = lines.at(-1) ?? '';
    if (!/^[✔✖] (trigger|verify|rollback): \S/.test(last)) out.push(`the last line is not a verdict: ${JSON.stringify(last.slice(0, 200))}`);
    if ((last.startsWith('✔') ? 0 : 1) !== (run.code === 0 ? 0 : 1)) out.push(`verdict ${last.slice(0, 1)} with exit ${run.code}`);
  }
  for (const line of run.stderr.split('\n').filter(Boolean)) if (!line.startsWith('⚠ ')) out.push(`stderr line that is not a warning: ${line.slice(0, 200)}`);
  return out;
}

async function cliProject(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(work, `${name}-`));
  const config = {
    apiUrl: chaos.url,
    dirs: ['.'],
    timeouts: { reload: 1, verify: 1, rollback: 1, status: 0.8 },
    probes: [{ name: 'p', path: '/probe', jsonEquals: { ok: true } }],
    logDir: 'logs',
    ...extra,
  };
  await writeFile(path.join(dir, 'hot-reload.config.json'), JSON.stringify(config));
  return dir;
}

const COMMANDS = [['--trigger'], ['--trigger', '--verify'], ['--trigger', '--no-verify'], ['--verify'], ['--rollback']];

describe('client fuzz through the CLI', () => {
  it('160 in-process runs of --trigger/--verify/--rollback (±--json) against random answers: exit 0–4, plain lines, no stack', async () => {
    const rng = createRng(0xc11f);
    const dir = await cliProject('inproc');
    const failures: string[] = [];
    const codes: Record<number, number> = {};
    for (let i = 0; i < 160; i++) {
      const argv = [...rng.pick(COMMANDS), ...(rng.chance(0.5) ? ['--json'] : [])];
      const regime = rng.int(0, 9);
      // every call answered at random, or whole regimes with a known exit code
      const caseRng = createRng(rng.int(0, 2 ** 31));
      let mustBe: number | undefined;
      if (regime === 0) {
        chaos.plan = () => ({ k: 'reset' });
        mustBe = 3;
      } else if (regime === 1) {
        chaos.plan = () => ({ k: 'ok' });
        mustBe = 0;
      } else {
        chaos.plan = (ep) => randomAnswer(caseRng, ep, caseRng.chance(0.05), 600);
      }
      const run = await cliInProcess(argv, dir);
      codes[run.code] = (codes[run.code] ?? 0) + 1;
      for (const p of judgeCli(run, argv.includes('--json'), mustBe)) failures.push(`seed=${rng.seed} case=${i} ${argv.join(' ')} regime=${regime}: ${p}`);
    }
    expect(failures).toEqual([]);
    for (const code of [0, 1, 3]) expect(codes[code], `exit ${code} in ${JSON.stringify(codes)}`).toBeGreaterThan(0);
  }, 120_000);

  it('a rollback the server refuses or breaks after a failed verification: exit 4 in every form, never a crash', async () => {
    const dir = await cliProject('rollback');
    // activated, then verification fails, then the rollback itself fails in every way
    const failures: string[] = [];
    const breakers: Answer[] = [
      { k: 'reset' },
      { k: 'text', status: 200, text: '<html>', ct: 'text/html' },
      { k: 'json', status: 409, body: { success: false, message: 'precondition failed' }, valid: false },
      { k: 'json', status: 200, body: { success: false, message: 'cannot' }, valid: true },
      { k: 'slow', then: { k: 'ok' } },
      { k: 'empty', status: 500 },
    ];
    for (const [i, breaker] of breakers.entries()) {
      chaos.plan = (ep) => {
        if (ep === 'verify') return { k: 'json', status: 200, body: { success: false, checks: { app: { ok: false, detail: 'broken' } } }, valid: true };
        if (ep === 'rollback') return breaker;
        return { k: 'ok' };
      };
      for (const json of [false, true]) {
        const run = await cliInProcess(['--trigger', ...(json ? ['--json'] : [])], dir);
        for (const p of judgeCli(run, json, 4)) failures.push(`breaker=${i} ${JSON.stringify(breaker)} json=${json}: ${p}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);
});

describe('client fuzz through the real CLI process', () => {
  beforeAll(async () => {
    await buildOnce();
  }, 180_000);

  it('8 real processes against random answers: exit 0–4, plain lines, no stack', async () => {
    const rng = createRng(0xc120);
    const dir = await cliProject('proc');
    const failures: string[] = [];
    for (let i = 0; i < 8; i++) {
      const argv = [...rng.pick(COMMANDS), ...(i % 2 === 0 ? ['--json'] : [])];
      const caseRng = createRng(rng.int(0, 2 ** 31));
      chaos.plan = i === 0 ? () => ({ k: 'reset' }) : (ep) => randomAnswer(caseRng, ep, caseRng.chance(0.1), 600);
      const res = await runCliProcess(argv, { cwd: dir, timeoutMs: 30_000 });
      const run: Captured = { code: res.code ?? -1, stdout: res.stdout, stderr: res.stderr };
      for (const p of judgeCli(run, argv.includes('--json'), i === 0 ? 3 : undefined)) failures.push(`seed=${rng.seed} run=${i} ${argv.join(' ')}: ${p}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

describe('what the fuzz found, pinned', () => {
  it("a server's long error message is cut like the excerpt; a probe names a huge or nested value briefly", async () => {
    const client = createClient({ name: 't', apiUrl: chaos.url }, makeConfig({ apiUrl: chaos.url, timeouts: TIMEOUTS }));
    chaos.plan = () => ({ k: 'json', status: 503, body: { success: false, message: 'y'.repeat(5000) }, valid: false });
    const err = await client.status().then(() => undefined, (e: unknown) => e as ClientError);
    expect(err?.message).toBe(`GET ${chaos.url}${PREFIX}/status: HTTP 503 — ${'y'.repeat(500)}…`);

    chaos.plan = () => ({ k: 'text', status: 200, text: `{"ok": ${JSON.stringify('z'.repeat(5000))}}`, ct: 'application/json' });
    expect((await client.probe(PROBE)).detail).toBe(`ok: expected true, got "${'z'.repeat(199)}…`);
    chaos.plan = () => ({ k: 'text', status: 200, text: `{"ok": ${deep(100_000)}}`, ct: 'application/json' });
    expect(await client.probe(PROBE)).toMatchObject({ name: 'probe:p', ok: false, detail: 'ok: expected true, got a nested array' });
  });
});
