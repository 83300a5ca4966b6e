// The real CLI process against the fake protocol-v1 service (the seed's old server: seed-cli.test.ts).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readErrorLog } from '../src/engine/errorlog.js';
import { buildOnce, runCliProcess, type CliRun } from './helpers/cli-process.js';
import { startFakeService, type Dialect, type FakeService } from './helpers/fake-service.js';
import { freePort } from './helpers/net.js';

let tmp: string;
let svc: FakeService | undefined;

beforeAll(() => buildOnce(), 120_000);
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ahr-cli-'));
  await mkdir(path.join(tmp, 'src'));
});
afterEach(async () => {
  await svc?.close();
  svc = undefined;
  await rm(tmp, { recursive: true, force: true });
});

const GREETING = { name: 'greeting', method: 'GET', path: '/api/v1/greeting', jsonEquals: { 'data.greeting': 'hello' } };

async function setup(dialect: Dialect, extra: Record<string, unknown> = {}, token?: string) {
  svc = await startFakeService({ dialect, token });
  svc.setProbe('GET', '/api/v1/greeting', { status: 200, body: { data: { greeting: 'hello' } } });
  await writeFile(path.join(tmp, 'hot-reload.config.json'), JSON.stringify({ apiUrl: svc.url, probes: [GREETING], ...extra }));
  return svc;
}

const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCliProcess(args, { cwd: tmp, env });
const endpoints = (s: FakeService) => s.calls.map((c) => c.endpoint ?? c.path);

describe('--trigger against a v1 service', () => {
  it('reloads, verifies every check and exits 0', async () => {
    const s = await setup('v1');
    const r = await cli(['--trigger', '--module', 'users', '--module', 'orders']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(s.callsTo('reload')[0].body).toEqual({ modules: ['users', 'orders'], reason: 'manual' });
    expect(endpoints(s)).toEqual(['status', 'reload', 'verify', 'status', 'health', '/api/v1/greeting']);
    expect(r.stdout).toContain('✔ reload');
    expect(r.stdout).toContain('✔ server:smoke — handler answered 200');
    expect(r.stdout).toContain('✔ no-restart');
    expect(r.stdout).toContain('✔ health');
    expect(r.stdout).toContain('✔ probe:greeting');
    expect(s.state.version).toBe(2);
  });

  it('prints one JSON object with --json', async () => {
    await setup('v1');
    const r = await cli(['--trigger', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]) as { type: string; kind: string; ok: boolean; exitCode: number; versionBefore: number; versionAfter: number; checks: { name: string; ok: boolean }[] };
    expect(j).toMatchObject({ type: 'result', kind: 'trigger', ok: true, exitCode: 0, versionBefore: 1, versionAfter: 2 });
    expect(j.checks.map((c) => c.name)).toContain('probe:greeting');
    expect(j.checks.every((c) => c.ok)).toBe(true);
  });

  it('does not roll back a reload that never activated (exit 1)', async () => {
    const s = await setup('v1');
    s.script('reload', { do: 'fail', message: 'SyntaxError: Unexpected token' });
    const r = await cli(['--trigger', '--log-dir', 'my-logs']);
    expect(r.code).toBe(1);
    expect(s.callsTo('rollback')).toHaveLength(0);
    expect(r.stdout).toContain('SyntaxError: Unexpected token');
    expect(s.state.version).toBe(1);
    const log = await readErrorLog(path.join(tmp, 'my-logs'));
    expect(log).toHaveLength(1);
    expect(log[0].message).toContain('SyntaxError: Unexpected token');
  });

  it('rolls back an activated version that fails verification, with from_version, then re-verifies (exit 1)', async () => {
    const s = await setup('v1');
    s.script('reload', { do: 'activate-broken' });
    const r = await cli(['--trigger']);
    expect(r.code).toBe(1);
    expect(s.callsTo('rollback').map((c) => c.body)).toEqual([{ from_version: 2 }]);
    expect(s.callsTo('verify')).toHaveLength(2);
    expect(s.state.version).toBe(1);
    expect(r.stdout).toContain('↩');
    expect(r.stdout).toContain('✖ server:smoke — handler threw: TypeError: x is undefined');
    const log = await readErrorLog(path.join(tmp, 'logs', 'hot_reload_errors'));
    expect(log.length).toBeGreaterThan(0);
  });

  it('fails a reload after which the service restarted (exit 1)', async () => {
    const s = await setup('v1');
    s.script('reload', { do: 'restart' });
    const r = await cli(['--trigger']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ no-restart — the service restarted/);
  });

  it('names a failing probe (exit 1)', async () => {
    const s = await setup('v1');
    s.script('reload', { do: 'activate-broken' });
    const r = await cli(['--trigger']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ probe:greeting — expected 200, got 500');
  });

  it('exits 4 when the rollback fails', async () => {
    const s = await setup('v1');
    s.script('reload', { do: 'activate-broken' });
    s.script('rollback', { do: 'fail', message: 'cannot restore version 1' });
    const r = await cli(['--trigger']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('cannot restore version 1');
  });

  it('skips verification with --no-verify', async () => {
    const s = await setup('v1');
    const r = await cli(['--trigger', '--no-verify']);
    expect(r.code).toBe(0);
    expect(s.callsTo('verify')).toHaveLength(0);
    expect(s.callsTo('rollback')).toHaveLength(0);
  });

  it('reports a 500 with an HTML body as a failed reload (exit 1)', async () => {
    const s = await setup('v1');
    s.script('reload', { do: 'html500' });
    const r = await cli(['--trigger']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('HTTP 500');
    expect(r.stdout).not.toContain('<html>');
  });

  it('reports truncated JSON as an invalid response', async () => {
    const s = await setup('v1');
    s.script('reload', { do: 'truncated' });
    const r = await cli(['--trigger']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('invalid response (not JSON');
  });

  it('reports a slow reload as a timeout', async () => {
    const s = await setup('v1', { timeouts: { reload: 0.5 } });
    s.script('reload', { do: 'delay', ms: 5_000 });
    const r = await cli(['--trigger']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no answer within 500 ms');
  });

  it('reports a wrong token as HTTP 401, and sends the right one from the environment', async () => {
    const s = await setup('v1', {}, 's3cret');
    const bad = await cli(['--trigger', '--token', 'wrong']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('HTTP 401');
    s.clearCalls();
    const good = await cli(['--trigger'], { HOT_RELOAD_TOKEN: 's3cret' });
    expect(good.code).toBe(0);
    expect(s.callsTo('reload')[0].headers.authorization).toBe('Bearer s3cret');
  });

  it('--verify checks the current state without reloading', async () => {
    const s = await setup('v1');
    const r = await cli(['--verify']);
    expect(r.code).toBe(0);
    expect(s.callsTo('reload')).toHaveLength(0);
    expect(s.callsTo('verify')).toHaveLength(1);
    expect(r.stdout).toContain('✔ probe:greeting');
  });

  it('--rollback rolls back one version', async () => {
    const s = await setup('v1');
    await cli(['--trigger']);
    expect(s.state.version).toBe(2);
    const r = await cli(['--rollback']);
    expect(r.code).toBe(0);
    expect(s.state.version).toBe(1);
    expect(s.callsTo('rollback').map((c) => c.body)).toEqual([{ from_version: 2 }]);
  });
});

describe('signals in one-shot mode', () => {
  it('aborts an in-flight trigger on SIGINT and exits 130', async () => {
    const s = await setup('v1');
    s.script('reload', { do: 'delay', ms: 10_000 });
    let child: { kill(sig: NodeJS.Signals): boolean } | undefined;
    const done = runCliProcess(['--trigger'], { cwd: tmp, onSpawn: (c) => (child = c) });
    for (let i = 0; i < 100 && s.callsTo('reload').length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(s.callsTo('reload')).toHaveLength(1);
    child?.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('auto-hot-reload: interrupted\n');
  });
});

describe('several --api-url targets', () => {
  it('reports each target and fails when one of them fails', async () => {
    const a = await setup('v1');
    const b = await startFakeService({ dialect: 'v1' });
    try {
      b.script('reload', { do: 'activate-broken' });
      await writeFile(path.join(tmp, 'hot-reload.config.json'), '{}');
      const r = await cli(['--trigger', '--api-url', a.url, '--api-url', b.url]);
      expect(r.code).toBe(1);
      // issue #5 (all-or-nothing): the canary that passed is rolled back too, from its own version
      expect(a.state.version).toBe(1);
      expect(b.state.version).toBe(1);
      expect(a.callsTo('rollback').map((c) => c.body)).toEqual([{ from_version: 2 }]);
      expect(b.callsTo('rollback').map((c) => c.body)).toEqual([{ from_version: 2 }]);
      expect(r.stdout).toContain(`↺ ${new URL(a.url).host}: rolled back`);
      expect(r.stdout).toContain(`↺ ${new URL(b.url).host}: rolled back`);
      expect(r.stdout).toMatch(/✖ trigger: 1 of 2 targets failed/);
    } finally {
      await b.close();
    }
  });
});

// the seed's old server: test/seed-cli.test.ts

describe('unreachable and usage errors', () => {
  it('exits 3 quickly when nothing listens, without waiting for the timeout', async () => {
    const port = await freePort(); // nothing listens
    await writeFile(path.join(tmp, 'hot-reload.config.json'), JSON.stringify({ timeouts: { status: 60, reload: 60 } }));
    const r = await cli(['--trigger', '--api-url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('connection refused');
    // the status timeout is 60 s: finishing well inside it shows refusal is not waited out
    expect(r.ms).toBeLessThan(10_000);
  });

  it('exits 2 naming a bad flag value, an unknown flag, and an unknown config key', async () => {
    const bad = await cli(['--trigger', '--cooldown', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('auto-hot-reload: --cooldown: "abc" is not a number of seconds (expected a number ≥ 0, e.g. 5)\n');

    const unknown = await cli(['--trigerr']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('auto-hot-reload: unknown option --trigerr (see auto-hot-reload --help)\n');

    await writeFile(path.join(tmp, 'hot-reload.config.json'), JSON.stringify({ cooldwn: 3 }));
    const key = await cli(['--trigger']);
    expect(key.code).toBe(2);
    expect(key.stderr).toBe('auto-hot-reload: unknown key "cooldwn" in hot-reload.config.json (did you mean "cooldown"?)\n');
  });

  it('exits 2 on contradictory modes', async () => {
    const r = await cli(['--trigger', '--rollback']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('auto-hot-reload: --trigger and --rollback cannot be combined (see auto-hot-reload --help)\n');
  });

  it('prints help matching the CLI contract and the package version', async () => {
    const h = await cli(['--help']);
    expect(h.code).toBe(0);
    for (const flag of ['--trigger', '--no-verify', '--verify', '--rollback', 'serve FILE', 'dev FILE [-- ARGS]', 'install-hook [--uninstall]', 'demo', '--api-url', '--module', '--dir', '--cooldown', '--config', '--token', '--json', '--no-tui', '--log-dir']) {
      expect(h.stdout).toContain(flag);
    }
    expect(h.stdout).toContain('--advisory-check NAME');
    expect(h.stdout).toContain('3 service unreachable · 4 a rollback was needed or asked for and the');
    expect(h.stdout).toContain('service is not back in a verified state (in every mode)');
    const v = await cli(['-V']);
    expect(v.stdout).toBe('0.1.0\n');
  });
});

describe('headless watch mode', () => {
  it('prints one line per event and exits 0 on SIGINT', async () => {
    const s = await setup('v1', { cooldown: 0 });
    let stdout = '';
    let child: { kill(sig: NodeJS.Signals): boolean } | undefined;
    const done: Promise<CliRun> = runCliProcess(['--no-tui'], {
      cwd: tmp,
      onSpawn: (c) => {
        child = c;
        c.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      },
    });
    const waitFor = async (text: string) => {
      for (let i = 0; i < 100 && !stdout.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      expect(stdout).toContain(text);
    };
    await waitFor('● watching');
    await writeFile(path.join(tmp, 'src', 'a.js'), 'export default 1;');
    await waitFor('✔ trigger:');
    expect(stdout).toContain('⟳ reload #1 (watch): src/a.js');
    expect(s.callsTo('reload')[0].body).toEqual({ files: ['src/a.js'], reason: 'watch' });
    child?.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('prints JSON lines with --json', async () => {
    await setup('v1', { cooldown: 0 });
    let stdout = '';
    let child: { kill(sig: NodeJS.Signals): boolean } | undefined;
    const done = runCliProcess(['--watch', '--json'], {
      cwd: tmp,
      onSpawn: (c) => {
        child = c;
        c.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      },
    });
    for (let i = 0; i < 100 && !stdout.includes('"type":"ready"'); i++) await new Promise((r) => setTimeout(r, 50));
    await writeFile(path.join(tmp, 'src', 'b.js'), 'export default 2;');
    for (let i = 0; i < 100 && !stdout.includes('"type":"result"'); i++) await new Promise((r) => setTimeout(r, 50));
    child?.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; ok?: boolean });
    expect(events.filter((e) => e.type === 'ready')).toHaveLength(1);
    const result = events.find((e) => e.type === 'result');
    expect(result?.ok).toBe(true);
  });
});
