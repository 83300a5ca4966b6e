// The fleet in the TUI: a row per target with drift marked, and the reload log grouping a
// fleet reload with each target's outcome — from hand-built stores and from the real
// engine's store after a real fleet reload against fake services over HTTP.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ClockContext } from '../components/view/clock.js';
import { ReloadLog } from '../components/panels/ReloadLog.js';
import { driftBaseline, Targets } from '../components/panels/Targets.js';
import { Warnings } from '../components/panels/Warnings.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import type { EngineState, TargetResult } from '../src/types.js';
import { makeConfig as engineConfig } from './helpers/config.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { attempt, connectedTarget, makeState, makeStore, plain, T0 } from './helpers/tui-state.js';

process.env.TZ = 'UTC';
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  cleanup();
  for (const c of closers.splice(0).reverse()) await c();
});

function lines(el: ReactElement): string[] {
  const r = render(<ClockContext.Provider value={() => T0}>{el}</ClockContext.Provider>);
  return plain(r.lastFrame()).split('\n');
}
const storeOf = (patch: Partial<EngineState>) => makeStore(makeState(patch)).store;
const rule = (title: string, width: number) => `${title} ${'─'.repeat(width - [...title].length - 1)}`;
const at = (name: string, version: number, extra = {}) =>
  connectedTarget({ name, apiUrl: `http://127.0.0.1:80${version}${name.length}`, service: { ...connectedTarget().service, version }, ...extra });

describe('Targets: drift', () => {
  it('the version most targets serve is the baseline; the odd one is marked ≠', () => {
    const targets = [at('web-1', 12), at('web-2', 13), at('web-3', 12)];
    expect(driftBaseline(targets)).toBe(12);
    expect(lines(<Targets store={storeOf({ targets })} width={80} rows={3} />)).toEqual([
      '  web-1        http://127.0.0.1:80125       ● up    v12',
      '  web-2        http://127.0.0.1:80135       ● up    v13≠',
      '  web-3        http://127.0.0.1:80125       ● up    v12',
    ]);
  });

  it('a target the last run did not touch reads "skipped"', () => {
    const targets = [at('web-1', 12, { lastOutcome: 'rolled-back' }), at('web-2', 12, { lastOutcome: 'skipped' })];
    expect(lines(<Targets store={storeOf({ targets })} width={80} rows={2} />)).toEqual([
      '  web-1        http://127.0.0.1:80125       ● up    v12  ↺ rolled back',
      '  web-2        http://127.0.0.1:80125       ● up    v12  – skipped',
    ]);
  });

  it('no marks when they agree (or versions are unknown); a tie keeps the primary as baseline', () => {
    expect(driftBaseline([at('a', 3), at('b', 3), connectedTarget({ name: 'c', service: null })])).toBeUndefined();
    expect(driftBaseline([at('a', 4), at('b', 3)])).toBe(4);
  });
});

describe('ReloadLog: a fleet reload is one group', () => {
  const targets: TargetResult[] = [
    { name: 'web-1', outcome: 'rolled-back', versionBefore: 11, versionAfter: 11, message: 'reloaded 1 module → version 12, verified; then rolled back to version 11, verified' },
    { name: 'web-2', outcome: 'rollback-failed', versionBefore: 11, versionAfter: 12, message: 'rollback failed: HTTP 500' },
    { name: 'web-3', outcome: 'skipped', message: 'not reloaded: web-2 failed first' },
  ];
  const fleetAttempt = attempt(1, { outcome: 'rollback-failed', message: '1 of 3 targets failed', targets });

  it('the group row tallies the targets; each target follows on its own row', () => {
    expect(lines(<ReloadLog store={storeOf({ history: [fleetAttempt, attempt(2)] })} width={100} rows={5} />)).toEqual([
      rule("Reloads 2 attempts", 100),
      '11:59:59  ‼ rollback failed v11 → v12   120ms    src/app.ts [–1 ↺1 ‼1] — 1 of 3 targets failed',
      '          ├ web-1        ↺ rolled back     v11         reloaded 1 module → version 12, verified; th…',
      '          ├ web-2        ‼ rollback failed v11 → v12   rollback failed: HTTP 500',
      '          └ web-3        – skipped         –           not reloaded: web-2 failed first',
      '11:59:58  ✔ ok              v11 → v12   120ms    src/app.ts',
    ]);
  });

  it('never taller than its rows: targets that do not fit are counted', () => {
    const out = lines(<ReloadLog store={storeOf({ history: [fleetAttempt, attempt(2)] })} width={80} rows={3} />);
    expect(out).toEqual([
      rule('Reloads 2 attempts', 80),
      '11:59:59  ‼ rollback failed v11 → v12   120ms    src/app.ts [–1 ↺1 ‼1] — 1 of 3…',
      '          └ … 3 more targets',
      '11:59:58  ✔ ok              v11 → v12   120ms    src/app.ts',
    ]);
  });

  it('the reload in flight shows the targets that are through', () => {
    const current = attempt(3, { outcome: undefined, durationMs: undefined, targets: [{ name: 'web-1', outcome: 'ok', message: 'ok' }] });
    const out = lines(<ReloadLog store={storeOf({ current, phase: 'verifying' })} width={80} rows={2} />);
    expect(out[1]).toBe('11:59:57  ▸ verifying…      v11 → v12   3.0s     src/app.ts [✔1]');
  });
});

describe('the real engine store after a fleet reload', () => {
  it('targets rows, drift warning and the grouped log agree with what happened', async () => {
    const svcs = await Promise.all([0, 1, 2].map(() => startFakeService({ dialect: 'v1' })));
    closers.push(() => Promise.all(svcs.map((s) => s.close())));
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-fleet-tui-'));
    closers.push(() => fs.rm(root, { recursive: true, force: true }));
    // web-3 is one version ahead; web-2 activates a broken version
    await fetch(`${svcs[2].url}/api/v1/hot-reload/reload-all`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(5000) });
    svcs[1].script('reload', { do: 'activate-broken' });
    const engine: Engine = createEngine(
      engineConfig({
        root,
        logDir: path.join(root, 'logs'),
        targets: svcs.map((s, i) => ({ name: `web-${i + 1}`, apiUrl: s.url })),
        strategy: 'canary',
        parallel: 2,
      }),
    );
    closers.push(() => engine.close());
    // live progress while it runs: which targets are through, and the undo phase
    const seen: string[] = [];
    const phases = new Set<string>();
    const unsubscribe = engine.store.subscribe((st) => {
      if (st.current) phases.add(st.phase);
      const through = st.current?.targets?.map((t) => `${t.name}:${t.outcome}`).join(',');
      if (through && seen[seen.length - 1] !== through) seen.push(through);
    });
    const r = await engine.trigger();
    unsubscribe();
    expect(seen[0]).toBe('web-1:ok'); // the canary alone first
    expect(seen).toContain('web-2:rolled-back'); // web-1 and web-3 are being undone
    // while it runs the phase is always a stage of the fleet, never 'idle' ("starting…")
    expect([...phases].sort()).toEqual(['rolling-back', 'triggering', 'verifying']);
    expect(r.exitCode).toBe(1);
    expect(svcs.map((s) => s.state.version)).toEqual([1, 1, 2]);

    const store = engine.store;
    const warnings = lines(<Warnings store={store} width={100} rows={2} />);
    expect(warnings).toEqual(['⚠ versions drift between targets: web-1 v1, web-2 v1, web-3 v2 — they do not serve the same code']);
    const rows = lines(<Targets store={store} width={80} rows={3} />);
    expect(rows.map((l) => l.replace(/http:\/\/127\.0\.0\.1:\d+\s+/, 'URL '))).toEqual([
      '  web-1        URL ● up    v1  ↺ rolled back',
      '  web-2        URL ● up    v1  ↺ rolled back',
      '  web-3        URL ● up    v2≠  ↺ rolled back',
    ]);
    const log = lines(<ReloadLog store={store} width={100} rows={4} />);
    expect(log[1]).toMatch(/^\d\d:\d\d:\d\d {2}↺ rolled back {5}v1→v2↩v1 +\S+ +\(manual\) \[↺3\] — 1 of 3 targets failed \(web-2: veri…$/);
    expect(log.slice(2).map((l) => l.slice(0, 46))).toEqual([
      '          ├ web-1        ↺ rolled back     v1 ',
      '          ├ web-2        ↺ rolled back     v1 ',
      '          └ web-3        ↺ rolled back     v2 ',
    ]);
  });
});
