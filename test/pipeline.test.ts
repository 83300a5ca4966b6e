import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/client.js';
import { noRestartCheck, serverChecks } from '../src/engine/checks.js';
import { errorLocation, initialPipeline, transition, type PipelineInput } from '../src/engine/pipeline.js';
import { clip } from '../src/engine/bounds.js';
import { runPipeline } from '../src/engine/pipeline-runner.js';
import type { LogEntry } from '../src/engine/pipeline.js';
import type { Probe } from '../src/types.js';
import { makeConfig } from './helpers/config.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';

const services: FakeService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

async function fake(dialect: 'v1') {
  const svc = await startFakeService({ dialect });
  services.push(svc);
  return svc;
}

const triggerInput = (files = ['src/app.js']): PipelineInput => ({
  mode: 'trigger',
  verify: true,
  request: { files, modules: ['app'], reason: 'manual' },
  baseline: null,
});

function run(svc: { url: string }, input: PipelineInput, probes: Probe[] = []) {
  const config = makeConfig({ apiUrl: svc.url, probes });
  const logs: LogEntry[] = [];
  const client = createClient(config.targets[0], config);
  return runPipeline(input, { client, probes, log: (e) => void logs.push(e) }).then((report) => ({ report, logs }));
}

describe('pipeline transitions (pure)', () => {
  it('a reload that fails without activating ends failed, with no rollback effect', () => {
    let [s, fx] = transition(initialPipeline(triggerInput()), { type: 'start' });
    expect(fx).toEqual([{ type: 'getStatus' }]);
    [s, fx] = transition(s, { type: 'status', status: { version: 3, boot_id: 'b' } });
    expect(fx).toEqual([{ type: 'reload', request: { files: ['src/app.js'], modules: ['app'], reason: 'manual' } }]);
    [s, fx] = transition(s, {
      type: 'reloaded',
      result: { success: false, message: 'boom', reloaded_modules: [], failed_modules: ['app'], version: 3, activated: false, error: { message: 'SyntaxError', file: 'src/app.js', line: 3, column: 7 } },
    });
    expect(s.outcome).toBe('failed');
    expect(s.exitCode).toBe(1);
    expect(fx.map((f) => f.type)).toEqual(['logError', 'done']);
    expect(fx[0]).toEqual({
      type: 'logError',
      entry: {
        kind: 'reload',
        message: 'SyntaxError',
        files: ['src/app.js'],
        version: 3,
        detail: { file: 'src/app.js', line: 3, column: 7, stack: undefined },
        bodyExcerpt: 'failed modules: app',
      },
    });
  });

  it('status unreachable before a trigger is exit 3; a status 404 is not fatal', () => {
    const [s1] = transition(initialPipeline(triggerInput()), { type: 'statusFailed', failure: { kind: 'unreachable', message: 'ECONNREFUSED' } });
    expect([s1.outcome, s1.exitCode]).toEqual(['unreachable', 3]);
    const [s2, fx] = transition(initialPipeline(triggerInput()), { type: 'statusFailed', failure: { kind: 'http', message: '404', httpStatus: 404 } });
    expect(s2.stage).toBe('triggering');
    expect(fx[0].type).toBe('reload');
  });

  it('rolls back the activated version on failed verification, then re-verifies', () => {
    let [s] = transition(initialPipeline(triggerInput()), { type: 'status', status: { version: 4 } });
    let fx;
    [s, fx] = transition(s, { type: 'reloaded', result: { success: true, message: '', reloaded_modules: ['app'], failed_modules: [], version: 5, previous_version: 4, activated: true } });
    expect(fx).toEqual([{ type: 'verify', stage: 'verify', baseline: { version: 4 }, reload: s.reload, readStatus: true }]);
    [s, fx] = transition(s, { type: 'verified', checks: [{ name: 'health', ok: false, detail: 'HTTP 500' }], status: null, unreachable: false });
    expect(fx.map((f) => f.type)).toEqual(['logError', 'rollback']);
    expect(fx[1]).toEqual({ type: 'rollback', request: { from_version: 5 } });
    [s, fx] = transition(s, { type: 'rolledBack', response: { success: true, message: 'ok', version: 4, rolled_back_from: 5 } });
    expect(fx).toEqual([{ type: 'verify', stage: 'reverify', baseline: { version: 4 }, readStatus: true }]);
    [s] = transition(s, { type: 'verified', checks: [{ name: 'health', ok: true, detail: '' }], status: { version: 4 }, unreachable: false });
    expect([s.outcome, s.exitCode, s.versionAfter]).toEqual(['rolled-back', 1, 4]);
  });

  it('nothing activated (no changes) + failing verification → failed without rollback', () => {
    let [s] = transition(initialPipeline(triggerInput()), { type: 'status', status: { version: 4 } });
    [s] = transition(s, { type: 'reloaded', result: { success: true, message: 'nothing changed', reloaded_modules: [], failed_modules: [], version: 4, activated: false } });
    const [end, fx] = transition(s, { type: 'verified', checks: [{ name: 'health', ok: false, detail: 'HTTP 503' }], status: null, unreachable: false });
    expect([end.outcome, end.exitCode]).toEqual(['failed', 1]);
    expect(fx.map((f) => f.type)).toEqual(['logError', 'done']);
  });

  it('--no-verify: a successful reload ends ok without a verify effect', () => {
    const input = { ...triggerInput(), verify: false };
    let [s] = transition(initialPipeline(input), { type: 'status', status: {} });
    let fx;
    [s, fx] = transition(s, { type: 'reloaded', result: { success: true, message: '', reloaded_modules: ['a'], failed_modules: [] } });
    expect([s.outcome, s.exitCode, s.message]).toEqual(['ok', 0, 'reloaded 1 module']);
    expect(fx).toEqual([{ type: 'done' }]);
  });

  it('the service down during verification → unreachable (exit 3), no rollback', () => {
    let [s] = transition(initialPipeline(triggerInput()), { type: 'status', status: { version: 1 } });
    [s] = transition(s, { type: 'reloaded', result: { success: true, message: '', reloaded_modules: [], failed_modules: [], version: 2, activated: true } });
    const [end, fx] = transition(s, { type: 'verified', checks: [{ name: 'health', ok: false, detail: 'ECONNREFUSED' }], status: null, unreachable: true });
    expect([end.outcome, end.exitCode]).toEqual(['unreachable', 3]);
    expect(fx.some((f) => f.type === 'rollback')).toBe(false);
  });

  it('skipped checks never fail; verify-only mode uses the baseline', () => {
    const input: PipelineInput = { mode: 'verify', verify: true, request: {}, baseline: { boot_id: 'x' } };
    let [s, fx] = transition(initialPipeline(input), { type: 'start' });
    expect(fx).toEqual([{ type: 'verify', stage: 'verify', baseline: { boot_id: 'x' }, readStatus: true }]);
    [s] = transition(s, { type: 'verified', checks: [{ name: 'server', ok: true, skipped: true, detail: '' }], status: null, unreachable: false });
    expect([s.outcome, s.exitCode]).toEqual(['ok', 0]);
  });

  it('check builders: restart detection, skip when nothing to compare, server checks by name', () => {
    expect(noRestartCheck({ boot_id: 'a', pid: 1 }, { boot_id: 'b', pid: 1 })).toEqual({ name: 'no-restart', ok: false, detail: 'the service restarted: boot_id a → b' });
    expect(noRestartCheck({ running: true }, { running: true }).skipped).toBe(true);
    expect(serverChecks({ success: false, checks: { db: { ok: true, detail: 'up' } } })).toEqual([
      { name: 'server:db', ok: true, detail: 'up' },
      { name: 'server', ok: false, detail: 'the service reported verification failed' },
    ]);
  });
});

describe('pipeline runner against the fake service', () => {
  // the seed's old server: test/seed-server.test.ts
  for (const dialect of ['v1'] as const) {
    it(`${dialect}: a successful reload is verified and ok`, async () => {
      const svc = await fake(dialect);
      const { report, logs } = await run(svc, triggerInput());
      expect(report.state.outcome).toBe('ok');
      expect(report.state.exitCode).toBe(0);
      expect(report.steps.map((s) => [s.step, s.ok])).toEqual([
        ['status-before', true],
        ['trigger', true],
        ['verify', true],
      ]);
      expect(svc.callsTo('reload')[0].body).toEqual({ files: ['src/app.js'], modules: ['app'], reason: 'manual' });
      expect(svc.callsTo('rollback')).toHaveLength(0);
      const names = report.state.checks.map((c) => `${c.name}:${c.skipped ? 'skip' : c.ok}`);
      expect(names).toEqual(['reload:true', 'server:modules_loaded:true', 'server:smoke:true', 'no-restart:true', 'health:true']);
      expect(report.state.versionAfter).toBe(2);
      expect(logs).toEqual([]);
    });

    it(`${dialect}: a reload that fails without activation does not call rollback`, async () => {
      const svc = await fake(dialect);
      svc.script('reload', { do: 'fail', message: 'SyntaxError: Unexpected token' });
      const { report, logs } = await run(svc, triggerInput());
      expect([report.state.outcome, report.state.exitCode]).toEqual(['failed', 1]);
      expect(svc.callsTo('rollback')).toHaveLength(0);
      expect(svc.callsTo('verify')).toHaveLength(0);
      expect(logs).toHaveLength(1);
      expect(logs[0].message).toContain('SyntaxError: Unexpected token');
      expect(logs[0].files).toEqual(['src/app.js']);
    });

    it(`${dialect}: activated + failing check → rollback, then re-verify`, async () => {
      const svc = await fake(dialect);
      const probe: Probe = { name: 'greeting', method: 'GET', path: '/api/v1/greeting', expectStatus: 200 };
      svc.setProbe('GET', '/api/v1/greeting', { status: 200, body: { data: { greeting: 'hello' } } });
      svc.script('reload', { do: 'activate-broken' });
      const { report, logs } = await run(svc, triggerInput(), [probe]);
      expect([report.state.outcome, report.state.exitCode]).toEqual(['rolled-back', 1]);
      const rollbacks = svc.callsTo('rollback');
      expect(rollbacks).toHaveLength(1);
      expect(rollbacks[0].body).toEqual({ from_version: 2 });
      expect(report.steps.map((s) => [s.step, s.ok])).toEqual([
        ['status-before', true],
        ['trigger', true],
        ['verify', false],
        ['rollback', true],
        ['reverify', true],
      ]);
      expect(report.state.checks.find((c) => c.name === 'probe:greeting')?.ok).toBe(false);
      expect(report.state.reverifyChecks.find((c) => c.name === 'probe:greeting')?.ok).toBe(true);
      expect(logs.map((l) => l.kind)).toEqual(['verify']);
      expect(svc.state.version).toBe(1);
    });

    it(`${dialect}: unreachable service → exit 3`, async () => {
      const svc = await fake(dialect);
      const url = svc.url;
      await svc.close();
      const { report, logs } = await run({ url }, triggerInput());
      expect([report.state.outcome, report.state.exitCode]).toEqual(['unreachable', 3]);
      expect(logs[0].kind).toBe('unreachable');
    });

    it(`${dialect}: rollback fails → exit 4`, async () => {
      const svc = await fake(dialect);
      svc.setProbe('GET', '/g', { status: 200, body: 'hello' });
      svc.script('reload', { do: 'activate-broken' });
      svc.script('rollback', { do: 'fail' });
      const { report, logs } = await run(svc, triggerInput(), [{ name: 'g', method: 'GET', path: '/g', expectStatus: 200 }]);
      expect([report.state.outcome, report.state.exitCode]).toEqual(['rollback-failed', 4]);
      expect(logs.map((l) => l.kind)).toEqual(['verify', 'rollback']);
      expect(logs[1].message).toContain('rollback failed');
    });

    it(`${dialect}: a failing probe fails verification`, async () => {
      const svc = await fake(dialect);
      svc.setProbe('GET', '/p', { status: 500, body: 'down' });
      const { report } = await run(svc, triggerInput(), [{ name: 'p', method: 'GET', path: '/p', expectStatus: 200 }]);
      const probe = report.state.checks.find((c) => c.name === 'probe:p');
      expect(probe?.ok).toBe(false);
      // the probe was already failing: the v1 rollback restores the same answer, so re-verify fails too
      expect(report.state.outcome).toBe('rollback-failed');
    });
  }

  it('v1: a restart during the reload is detected and rolled back', async () => {
    const svc = await fake('v1');
    svc.script('reload', { do: 'restart' });
    const { report } = await run(svc, triggerInput());
    const nr = report.state.checks.find((c) => c.name === 'no-restart');
    expect(nr?.ok).toBe(false);
    expect(nr?.detail).toMatch(/^the service restarted: boot_id /);
    expect(report.state.restartDetected).toBe(true);
    expect(svc.callsTo('rollback')[0].body).toEqual({ from_version: 2 });
    // the re-verify compares with the restarted process, so a clean rollback is exit 1, not 4
    expect(report.state.reverifyChecks.find((c) => c.name === 'no-restart')?.ok).toBe(true);
    expect([report.state.outcome, report.state.exitCode]).toEqual(['rolled-back', 1]);
  });

  it('v1: --verify alone compares with the baseline and does not reload', async () => {
    const svc = await fake('v1');
    const baseline = { boot_id: 'someone-else', pid: svc.state.pid };
    const { report } = await run(svc, { mode: 'verify', verify: true, request: {}, baseline });
    expect(svc.callsTo('reload')).toHaveLength(0);
    expect([report.state.outcome, report.state.exitCode]).toEqual(['failed', 1]);
    expect(report.state.checks.map((c) => c.name)).toEqual(['server:modules_loaded', 'server:smoke', 'no-restart', 'health']);
  });

  it('v1: --rollback alone sends from_version = current version, then verifies', async () => {
    const svc = await fake('v1');
    const cfg = makeConfig({ apiUrl: svc.url });
    await createClient(cfg.targets[0], cfg).reload({}); // now at version 2
    const { report } = await run(svc, { mode: 'rollback', verify: true, request: {}, baseline: null });
    expect(svc.callsTo('rollback')[0].body).toEqual({ from_version: 2 });
    expect([report.state.outcome, report.state.exitCode, report.state.versionAfter]).toEqual(['rolled-back', 0, 1]);
  });

  it('v1: --rollback with nothing to roll back (409) → exit 4', async () => {
    const svc = await fake('v1');
    const { report, logs } = await run(svc, { mode: 'rollback', verify: true, request: {}, baseline: null });
    expect([report.state.outcome, report.state.exitCode]).toEqual(['rollback-failed', 4]);
    expect(logs[0].httpStatus).toBe(409);
  });

  it('a reload timeout is failed (no blind rollback)', async () => {
    const svc = await fake('v1');
    svc.script('reload', { do: 'delay', ms: 3000 });
    const config = makeConfig({ apiUrl: svc.url, timeouts: { reloadMs: 200, verifyMs: 1000, rollbackMs: 1000, statusMs: 1000 } });
    const logs: LogEntry[] = [];
    const report = await runPipeline(triggerInput(), { client: createClient(config.targets[0], config), probes: [], log: (e) => void logs.push(e) });
    expect([report.state.outcome, report.state.exitCode]).toEqual(['failed', 1]);
    expect(logs[0].kind).toBe('timeout');
    expect(svc.callsTo('rollback')).toHaveLength(0);
  });

  it('a server that drops the connection on reload is a state, not a crash', async () => {
    const server = http.createServer((req, res) => {
      if (req.url?.endsWith('/reload-all')) return req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true, status: { version: 1 } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { report } = await run({ url }, triggerInput());
      expect(report.state.stage).toBe('done');
      expect(report.state.exitCode === 1 || report.state.exitCode === 3).toBe(true);
      expect(report.steps.map((s) => s.step)).toEqual(['status-before', 'trigger']);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('acceptance-review fixes (pure)', () => {
  it('a known fresh status is the baseline: the reload is the first effect, no GET', () => {
    const known = { version: 4, boot_id: 'b', pid: 7 };
    const [s, fx] = transition(initialPipeline({ ...triggerInput(), knownStatus: known }), { type: 'start' });
    expect(fx).toEqual([{ type: 'reload', request: { files: ['src/app.js'], modules: ['app'], reason: 'manual' } }]);
    expect([s.stage, s.before, s.versionBefore]).toEqual(['triggering', known, 4]);
    // rollback and verify ignore it: they read the status themselves
    const [, rb] = transition(initialPipeline({ ...triggerInput(), mode: 'rollback', knownStatus: known }), { type: 'start' });
    expect(rb).toEqual([{ type: 'getStatus' }]);
  });

  it('a load error is located: failed_modules name, else relative to the root, else as sent', () => {
    const error = { message: 'SyntaxError: x', file: '/srv/app/server/a.js', line: 3, column: 7 };
    expect(errorLocation({ error, failed_modules: ['server/a.js'] })).toBe('server/a.js:3:7');
    expect(errorLocation({ error, failed_modules: ['/srv/app/server/a.js'] }, '/srv/app')).toBe('server/a.js:3:7');
    expect(errorLocation({ error, failed_modules: [] }, '/elsewhere')).toBe('/srv/app/server/a.js:3:7');
    expect(errorLocation({ error: { message: 'm', file: 'a.js' }, failed_modules: [] })).toBe('a.js');
    expect(errorLocation({ error: { message: 'm' }, failed_modules: [] })).toBeUndefined();
    const [s] = transition({ ...initialPipeline(triggerInput()), stage: 'triggering' }, {
      type: 'reloaded',
      result: { success: false, message: 'reload failed', reloaded_modules: [], failed_modules: ['server/a.js'], activated: false, error },
    });
    expect(s.message).toBe('reload failed: SyntaxError: x (server/a.js:3:7)');
  });

  it('a verification failure logs the HTTP status and body excerpt of the failed request', () => {
    const start: PipelineInput = triggerInput();
    const [s] = transition({ ...initialPipeline(start), stage: 'triggering' }, {
      type: 'reloaded',
      result: { success: true, message: '', reloaded_modules: ['a'], failed_modules: [], version: 2, activated: true },
    });
    const [, fx] = transition(s, {
      type: 'verified',
      checks: [{ name: 'server', ok: false, detail: 'HTTP 500' }],
      status: null,
      unreachable: false,
      failures: [{ kind: 'http', message: 'HTTP 500', httpStatus: 500, bodyExcerpt: '<html>' }],
    });
    expect(fx[0]).toMatchObject({ type: 'logError', entry: { kind: 'verify', httpStatus: 500, bodyExcerpt: '<html>' } });
    // without a failed request there is nothing HTTP to log
    expect(transition(s, { type: 'verified', checks: [{ name: 'server', ok: false, detail: 'x' }], status: null, unreachable: false })[1][0]).not.toHaveProperty('entry.httpStatus');
  });

  it('clip keeps short text and cuts long text to the bound with an ellipsis', () => {
    expect(clip('abc', 5)).toBe('abc');
    expect(clip('abcdef', 5)).toBe('abcd…');
    expect(clip('x'.repeat(3000))).toHaveLength(500);
  });
});

describe('the old server (legacy dialect), pure', () => {
  const legacyStatus = { running: true, versions: { source: { current: 1 } }, file_monitor: { monitored_files: 46 } };
  const input = (over: Partial<PipelineInput> = {}): PipelineInput => ({ mode: 'trigger', verify: true, request: { files: ['server/a.py'] }, baseline: null, ...over });

  it('first contact reads status once (the dialect); verification then does not read it again', () => {
    let [s, fx] = transition(initialPipeline(input()), { type: 'start' });
    expect(fx).toEqual([{ type: 'getStatus' }]);
    [s, fx] = transition(s, { type: 'status', status: legacyStatus });
    expect([s.legacy, s.statusReads]).toEqual([true, 1]);
    [s, fx] = transition(s, { type: 'reloaded', result: { success: true, message: 'ok', reloaded_modules: ['source'], failed_modules: [] } });
    expect(fx).toMatchObject([{ type: 'verify', stage: 'verify', readStatus: false }]);
  });

  it('a known legacy target: no status before the reload, one in its verification, none after a rollback', () => {
    let [s, fx] = transition(initialPipeline(input({ legacy: true })), { type: 'start' });
    expect(fx).toEqual([{ type: 'reload', request: { files: ['server/a.py'] } }]);
    [s, fx] = transition(s, { type: 'reloaded', result: { success: true, message: '', reloaded_modules: ['source'], failed_modules: [] } });
    expect(fx).toMatchObject([{ type: 'verify', readStatus: true }]);
    [s, fx] = transition(s, { type: 'verified', checks: [{ name: 'server:worker_sync', ok: false, detail: 'x' }], status: legacyStatus, unreachable: false });
    expect(fx.map((f) => f.type)).toEqual(['logError', 'rollback']);
    expect(fx[1]).toEqual({ type: 'rollback', request: {} });
    [s, fx] = transition(s, { type: 'rolledBack', response: { success: true, message: '回滚事件已发送' } });
    expect(fx).toMatchObject([{ type: 'verify', stage: 'reverify', readStatus: false }]);
    [s] = transition(s, { type: 'verified', checks: [{ name: 'server:worker_sync', ok: false, detail: 'x' }], status: null, unreachable: false });
    expect([s.outcome, s.exitCode]).toEqual(['rollback-failed', 4]);
  });

  it('a failed reload that reloaded some reloaders is rolled back at once; with nothing reloaded it is not', () => {
    const partial = { success: false, message: 'm', reloaded_modules: ['config'], failed_modules: ['rules'] };
    let [s, fx] = transition(initialPipeline(input({ legacy: true })), { type: 'start' });
    [s, fx] = transition(s, { type: 'reloaded', result: partial });
    expect(fx.map((f) => f.type)).toEqual(['logError', 'rollback']);
    expect(s.message).toBe('reload failed: m (failed reloaders: rules)');
    expect(s.checks).toEqual([{ name: 'reload', ok: false, detail: 'm; failed: rules' }]);
    [s] = transition(initialPipeline(input({ legacy: true })), { type: 'start' });
    [s, fx] = transition(s, { type: 'reloaded', result: { ...partial, reloaded_modules: [] } });
    expect([s.outcome, s.exitCode, fx.map((f) => f.type)]).toEqual(['failed', 1, ['logError', 'done']]);
    // --no-verify: no rollback either
    [s] = transition(initialPipeline(input({ legacy: true, verify: false })), { type: 'start' });
    [s, fx] = transition(s, { type: 'reloaded', result: partial });
    expect([s.outcome, s.exitCode]).toEqual(['failed', 1]);
  });

  it('exit 4 has one meaning: an explicit --rollback that does not verify afterwards is 4, as after a trigger', () => {
    let [s] = transition(initialPipeline(input({ mode: 'rollback', baseline: { version: 3 } })), { type: 'start' });
    [s] = transition(s, { type: 'status', status: { version: 3, agent: { name: 'a', version: '1' } } });
    [s] = transition(s, { type: 'rolledBack', response: { success: true, message: 'ok', version: 2 } });
    [s] = transition(s, { type: 'verified', checks: [{ name: 'probe:x', ok: false, detail: '500' }], status: null, unreachable: false });
    expect([s.outcome, s.exitCode]).toEqual(['rollback-failed', 4]);
  });

  it('an advisory check that fails does not fail verification', () => {
    let [s] = transition(initialPipeline(input({ mode: 'verify' })), { type: 'start' });
    [s] = transition(s, { type: 'verified', checks: [{ name: 'server:worker_sync', ok: false, advisory: true, detail: 'x' }, { name: 'health', ok: true, detail: '' }], status: null, unreachable: false });
    expect([s.outcome, s.exitCode, s.message]).toEqual(['ok', 0, 'all 1 checks passed (1 advisory failing)']);
  });
});
