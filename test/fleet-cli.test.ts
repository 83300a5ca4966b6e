// Fleets end to end: the real CLI (bin/ → dist/) against several real `serve` processes,
// each serving its own temp copy of a tiny app so one can be broken independently, on
// ephemeral loopback ports. Scripted failures a real agent cannot produce on demand (a
// rollback the service refuses) use the fake service, a real HTTP server too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appDir, call, PREFIX, startServe, type AppDir, type ServeProcess } from './helpers/agent-fixture.js';
import { buildOnce, runCliProcess } from './helpers/cli-process.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { freePort } from './helpers/net.js';

const APP = {
  'app.js': [
    `import { answer } from './answer.js';`,
    `export default (req, res) => {`,
    `  res.setHeader('content-type', 'application/json');`,
    `  res.end(JSON.stringify(answer()));`,
    `};`,
    ``,
  ].join('\n'),
  'answer.js': `export const answer = () => ({ ok: true, text: 'v1' });\n`,
};
const GOOD_V2 = `export const answer = () => ({ ok: true, text: 'v2' });\n`;
// loads and activates fine; only the functional probe sees that it is wrong
const BROKEN_V2 = `export const answer = () => ({ ok: false, text: 'v2 broken' });\n`;
const PROBES = [{ name: 'answer', path: '/', bodyContains: '"ok":true' }];

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

beforeAll(() => buildOnce(), 180_000);

interface Node {
  name: string;
  app: AppDir;
  proc: ServeProcess;
}

async function fleet(names: string[]): Promise<Node[]> {
  return Promise.all(
    names.map(async (name) => {
      const app = appDir(APP);
      cleanups.push(() => app.cleanup());
      const proc = await startServe([app.path('app.js')]);
      cleanups.push(() => proc.stop('SIGKILL'));
      return { name, app, proc };
    }),
  );
}

function workDir(config: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ahr-fleet-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hot-reload.config.json'), JSON.stringify({ logDir: 'logs', ...config }));
  return dir;
}

const targetsOf = (nodes: { name: string; url: string }[]) => nodes.map((n) => ({ name: n.name, apiUrl: n.url }));
const nodeTargets = (nodes: Node[]) => targetsOf(nodes.map((n) => ({ name: n.name, url: n.proc.base })));

const status = async (n: Node) => (await call(`${n.proc.base}${PREFIX}/status`)).body.status;
const served = async (n: Node) => (await call(`${n.proc.base}/`)).body.text as string;

/** A loopback URL where nothing listens (a port that was free a moment ago). */
const deadUrl = async () => `http://127.0.0.1:${await freePort()}`;

const cli = (args: string[], cwd: string) => runCliProcess(args, { cwd, timeoutMs: 30_000 });

function jsonResult(stdout: string) {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1); // one object per reload
  return JSON.parse(lines[0]) as {
    exitCode: number;
    message: string;
    warnings?: string[];
    targets: { name: string; apiUrl: string; outcome: string; versionBefore?: number; versionAfter?: number; message: string; checks: { name: string; ok: boolean }[] }[];
  };
}

describe('fleet through the real CLI and real serve processes', () => {
  it('all succeed: every target reloads to v2 and verifies; --verify and --rollback then act on all of them', async () => {
    const nodes = await fleet(['web-1', 'web-2', 'web-3']);
    const cwd = workDir({ targets: nodeTargets(nodes), probes: PROBES });
    for (const n of nodes) n.app.write('answer.js', GOOD_V2);

    const r = await cli(['--trigger', '--json'], cwd);
    expect(r.code).toBe(0);
    const out = jsonResult(r.stdout);
    expect(out.message).toBe('all 3 of 3 targets reloaded');
    expect(out.targets.map((t) => [t.name, t.apiUrl, t.outcome, t.versionBefore, t.versionAfter])).toEqual(
      nodes.map((n) => [n.name, n.proc.base, 'ok', 1, 2]),
    );
    for (const t of out.targets) expect(t.checks.find((c) => c.name === 'probe:answer')?.ok).toBe(true);
    for (const n of nodes) {
      expect((await status(n)).version).toBe(2);
      expect(await served(n)).toBe('v2');
    }

    const v = await cli(['--verify'], cwd);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('✔ verify: all 3 of 3 targets verified');
    for (const n of nodes) expect(v.stdout).toContain(`✔ ${n.name}: ok`);

    const back = await cli(['--rollback'], cwd);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('✔ rollback: all 3 of 3 targets rolled back');
    for (const n of nodes) {
      expect((await status(n)).version).toBe(1);
      expect(await served(n)).toBe('v1');
    }
  }, 60_000);

  it('the second of three fails verification → all rolled back, none left on the new version (exit 1)', async () => {
    const nodes = await fleet(['web-1', 'web-2', 'web-3']);
    const cwd = workDir({ targets: nodeTargets(nodes), probes: PROBES });
    nodes[0].app.write('answer.js', GOOD_V2);
    nodes[1].app.write('answer.js', BROKEN_V2);
    nodes[2].app.write('answer.js', GOOD_V2);

    const r = await cli(['--trigger', '--json'], cwd);
    expect(r.code).toBe(1);
    const out = jsonResult(r.stdout);
    expect(out.targets.map((t) => [t.name, t.outcome, t.versionBefore, t.versionAfter])).toEqual([
      ['web-1', 'rolled-back', 1, 1],
      ['web-2', 'rolled-back', 1, 1],
      ['web-3', 'rolled-back', 1, 1],
    ]);
    expect(out.targets[1].checks.find((c) => c.name === 'probe:answer')).toMatchObject({ ok: false });
    expect(out.message).toMatch(/^1 of 3 targets failed \(web-2: verification failed: probe:answer .*\); rolled back web-1, web-2, web-3; no target is left on the new version$/);
    for (const n of nodes) {
      const s = await status(n);
      // each activated version 2 and was swapped back to 1 (its own from_version)
      expect([n.name, s.version, s.last_reload?.version]).toEqual([n.name, 1, 2]);
      expect(await served(n)).toBe('v1');
    }
  }, 60_000);

  it('one target unreachable at the start → nothing reloaded anywhere (exit 3, naming it)', async () => {
    const nodes = await fleet(['web-1', 'web-2']);
    const dead = await deadUrl();
    const cwd = workDir({ targets: [...nodeTargets(nodes), { name: 'web-3', apiUrl: dead }], probes: PROBES });
    for (const n of nodes) n.app.write('answer.js', GOOD_V2);

    const r = await cli(['--trigger'], cwd);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`⚠ web-3: unreachable — unreachable: GET ${dead}${PREFIX}/status: service unreachable`);
    expect(r.stdout).toMatch(/✖ trigger: unreachable: web-3 \(.*\) — nothing was reloaded \(--allow-missing skips unreachable targets\)/);
    for (const n of nodes) {
      const s = await status(n);
      expect([s.version, s.last_reload ?? null]).toEqual([1, null]); // no reload-all reached it
      expect(await served(n)).toBe('v1');
    }

    // --allow-missing: skip it, say so, reload the rest
    const m = await cli(['--trigger', '--allow-missing'], cwd);
    expect(m.code).toBe(0);
    expect(m.stderr).toContain('⚠ skipping web-3: unreachable at the start');
    expect(m.stdout).toContain('– web-3: skipped — unreachable at the start');
    expect(m.stdout).toContain('✔ trigger: all 2 of 3 targets reloaded; 1 skipped (web-3)');
    for (const n of nodes) expect(await served(n)).toBe('v2');
  }, 60_000);

  it('canary failure → the others are never reloaded (exit 1)', async () => {
    const nodes = await fleet(['canary', 'web-2', 'web-3']);
    const cwd = workDir({ targets: nodeTargets(nodes), probes: PROBES });
    nodes[0].app.write('answer.js', BROKEN_V2);
    nodes[1].app.write('answer.js', GOOD_V2);
    nodes[2].app.write('answer.js', GOOD_V2);

    const r = await cli(['--trigger', '--json'], cwd);
    expect(r.code).toBe(1);
    const out = jsonResult(r.stdout);
    expect(out.targets.map((t) => [t.name, t.outcome])).toEqual([
      ['canary', 'rolled-back'],
      ['web-2', 'skipped'],
      ['web-3', 'skipped'],
    ]);
    expect(out.targets[1].message).toBe('not reloaded: canary failed first');
    expect((await status(nodes[0])).version).toBe(1);
    for (const n of nodes.slice(1)) {
      const s = await status(n);
      expect([s.version, s.last_reload ?? null]).toEqual([1, null]);
      expect(await served(n)).toBe('v1'); // v2 waits on disk
    }
  }, 60_000);

  it('a canary whose reload answers too late: its status is read back, the version it activated is rolled back', async () => {
    const nodes = await fleet(['canary', 'web-2']);
    const cwd = workDir({ targets: nodeTargets(nodes), probes: PROBES, timeouts: { reload: 0.5 } });
    // evaluating this blocks the agent for 1.5 s: the reload answers after the client gave up
    nodes[0].app.write('answer.js', `const end = Date.now() + 1500;\nwhile (Date.now() < end) {}\n${GOOD_V2}`);
    nodes[1].app.write('answer.js', GOOD_V2);
    const r = await cli(['--trigger', '--json'], cwd);
    expect(r.code).toBe(1);
    const out = jsonResult(r.stdout);
    expect(out.targets.map((t) => [t.name, t.outcome])).toEqual([
      ['canary', 'rolled-back'],
      ['web-2', 'skipped'],
    ]);
    expect(out.targets[0].message).toMatch(/^reload failed: POST .* no answer within 500 ms; then rolled back to version 1, verified$/);
    const s = await status(nodes[0]);
    expect([s.version, s.last_reload?.version, await served(nodes[0])]).toEqual([1, 2, 'v1']);
    expect([(await status(nodes[1])).last_reload ?? null, await served(nodes[1])]).toEqual([null, 'v1']);
  }, 60_000);

  it('--strategy all-at-once with --parallel: every target reloads, the one that fails is undone with the rest', async () => {
    const nodes = await fleet(['a', 'b', 'c']);
    const cwd = workDir({ targets: nodeTargets(nodes), probes: PROBES });
    nodes[0].app.write('answer.js', BROKEN_V2);
    nodes[1].app.write('answer.js', GOOD_V2);
    nodes[2].app.write('answer.js', GOOD_V2);
    const r = await cli(['--trigger', '--json', '--strategy', 'all-at-once', '--parallel', '3'], cwd);
    expect(r.code).toBe(1);
    expect(jsonResult(r.stdout).targets.map((t) => t.outcome)).toEqual(['rolled-back', 'rolled-back', 'rolled-back']);
    for (const n of nodes) {
      expect([(await status(n)).last_reload?.version, await served(n)]).toEqual([2, 'v1']);
    }
  }, 60_000);
});

describe('fleet in headless watch mode', () => {
  it('a save reloads every worker as one fleet reload: one JSON result with both targets', async () => {
    // two workers serving one checkout, as on one host
    const app = appDir(APP);
    cleanups.push(() => app.cleanup());
    const procs = await Promise.all([0, 1].map(() => startServe([app.path('app.js')])));
    for (const p of procs) cleanups.push(() => p.stop('SIGKILL'));
    const nodes = procs.map((proc, i) => ({ name: `worker-${i + 1}`, app, proc }));
    // the project root is the checkout itself: reload hints are paths inside it
    const cwd = app.dir;
    app.write('hot-reload.config.json', JSON.stringify({ targets: nodeTargets(nodes), probes: PROBES, dirs: ['.'], cooldown: 0, logDir: 'logs' }));

    let stdout = '';
    let child: { kill(sig: NodeJS.Signals): boolean } | undefined;
    const done = runCliProcess(['--watch', '--json'], {
      cwd,
      timeoutMs: 30_000,
      onSpawn: (c) => {
        child = c;
        c.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      },
    });
    for (let i = 0; i < 200 && !stdout.includes('"type":"ready"'); i++) await new Promise((r) => setTimeout(r, 50));
    app.write('answer.js', GOOD_V2);
    for (let i = 0; i < 200 && !stdout.includes('"type":"result"'); i++) await new Promise((r) => setTimeout(r, 50));
    child?.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    const results = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; exitCode?: number; files?: string[]; targets?: { name: string; outcome: string; versionAfter?: number }[] })
      .filter((e) => e.type === 'result');
    expect(results).toHaveLength(1);
    expect(results[0].files).toEqual(['answer.js']);
    expect(results[0].targets?.map((t) => [t.name, t.outcome, t.versionAfter])).toEqual([
      ['worker-1', 'ok', 2],
      ['worker-2', 'ok', 2],
    ]);
    for (const n of nodes) expect(await served(n)).toBe('v2');
  }, 60_000);
});

describe('fleet through the real CLI and fake services', () => {
  async function fakes(n: number): Promise<FakeService[]> {
    const list = await Promise.all(Array.from({ length: n }, () => startFakeService({ dialect: 'v1' })));
    cleanups.push(() => Promise.all(list.map((f) => f.close())));
    return list;
  }
  const names = (svcs: FakeService[]) => targetsOf(svcs.map((s, i) => ({ name: `node-${i + 1}`, url: s.url })));

  it('a rollback that fails on one target → exit 4 naming it; the others are rolled back', async () => {
    const svcs = await fakes(3);
    svcs[2].script('reload', { do: 'activate-broken' });
    svcs[1].script('rollback', { do: 'fail', message: 'version store locked' });
    const cwd = workDir({ targets: names(svcs) });
    const r = await cli(['--trigger'], cwd);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('‼ node-2: ROLLBACK FAILED');
    expect(r.stdout).toMatch(/✖ trigger: 1 of 3 targets failed \(node-3: .*\); rolled back node-1, node-3; ROLLBACK FAILED on node-2 — it may still serve the new version/);
    expect(svcs.map((s) => s.callsTo('rollback').map((c) => c.body))).toEqual([[{ from_version: 2 }], [{ from_version: 2 }], [{ from_version: 2 }]]);
    expect(svcs.map((s) => s.state.version)).toEqual([1, 2, 1]);
  }, 30_000);

  it('one unreachable: no reload-all call reaches any target', async () => {
    const svcs = await fakes(2);
    const dead = await deadUrl();
    const cwd = workDir({ targets: [...names(svcs), { name: 'gone', apiUrl: dead }] });
    const r = await cli(['--trigger', '--json'], cwd);
    expect(r.code).toBe(3);
    expect(svcs.map((s) => s.callsTo('reload').length)).toEqual([0, 0]);
    expect(jsonResult(r.stdout).targets.map((t) => [t.name, t.outcome])).toEqual([
      ['node-1', 'skipped'],
      ['node-2', 'skipped'],
      ['gone', 'unreachable'],
    ]);
  }, 30_000);

  it('versions drifting between targets → a warning in the output and the JSON', async () => {
    const svcs = await fakes(2);
    // node-2 got one reload more than node-1
    await call(`${svcs[1].url}${PREFIX}/reload-all`, { method: 'POST', body: {} });
    const cwd = workDir({ targets: names(svcs) });
    const drift = 'versions drift between targets: node-1 v1, node-2 v2 — they do not serve the same code';
    const r = await cli(['--trigger', '--json'], cwd);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`⚠ ${drift}`);
    expect(jsonResult(r.stdout).warnings).toEqual([drift]);
    const lines = await cli(['--trigger', '--no-verify'], cwd);
    expect(lines.stderr).toContain('⚠ versions drift between targets: node-1 v2, node-2 v3');
  }, 30_000);

  it('repeated --api-url makes a fleet; bad --strategy/--parallel are usage errors (exit 2)', async () => {
    const svcs = await fakes(2);
    const cwd = workDir({});
    const r = await cli(['--trigger', '--api-url', svcs[0].url, '--api-url', svcs[1].url, '--parallel', '1'], cwd);
    expect(r.code).toBe(0);
    expect(svcs.map((s) => s.callsTo('reload').length)).toEqual([1, 1]);
    const bad = await cli(['--trigger', '--strategy', 'yolo'], cwd);
    expect([bad.code, bad.stderr]).toEqual([2, 'auto-hot-reload: --strategy: "yolo" is not a strategy (expected "canary" or "all-at-once")\n']);
    const zero = await cli(['--trigger', '--parallel', '0'], cwd);
    expect([zero.code, zero.stderr]).toEqual([2, 'auto-hot-reload: --parallel: 0 is not positive (expected a positive integer, e.g. 4)\n']);
  }, 30_000);
});
