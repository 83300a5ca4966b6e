// Each panel in each state, rendered at fixed widths from stores built here.
import { cleanup, render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClockContext } from '../components/view/clock.js';
import { Cooldown } from '../components/panels/Cooldown.js';
import { Footer } from '../components/panels/Footer.js';
import { Header } from '../components/panels/Header.js';
import { ReloadLog } from '../components/panels/ReloadLog.js';
import { Targets } from '../components/panels/Targets.js';
import { Verification } from '../components/panels/Verification.js';
import { Warnings } from '../components/panels/Warnings.js';
import { Watch } from '../components/panels/Watch.js';
import type { EngineState, PipelinePhase } from '../src/types.js';
import { RESTART_WARNING } from '../src/engine/store.js';
import { attempt, check, connectedTarget, makeState, makeStore, plain, T0, waitForText } from './helpers/tui-state.js';

process.env.TZ = 'UTC';
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/** Renders a panel with a fixed clock; returns the plain lines. */
function lines(el: ReactElement, clock = () => T0): string[] {
  const r = render(<ClockContext.Provider value={clock}>{el}</ClockContext.Provider>);
  return plain(r.lastFrame()).split('\n');
}
/** A section title ruled out to the width. */
const rule = (title: string, width: number) => `${title} ${'─'.repeat(width - [...title].length - 1)}`;
const storeOf = (patch: Partial<EngineState>) => makeStore(makeState(patch)).store;

describe('Header', () => {
  it('connected: URL, version, short boot id, pid, uptime, agent', () => {
    expect(lines(<Header store={storeOf({})} width={80} />)).toEqual([
      'auto-hot-reload  http://127.0.0.1:8001  ● connected',
      'v12 · boot 3f2a9c1d · pid 4242 · up 5m · ahr-agent 0.1.0',
    ]);
  });

  it('uptime advances from the last status while connected', () => {
    const out = lines(<Header store={storeOf({})} width={80} />, () => T0 + 60_000);
    expect(out[1]).toBe('v12 · boot 3f2a9c1d · pid 4242 · up 6m · ahr-agent 0.1.0');
  });

  it('before the first answer: connecting, no status', () => {
    const store = storeOf({ targets: [{ name: 'primary', apiUrl: 'http://127.0.0.1:8001', connection: { state: 'unknown' }, service: null }] });
    expect(lines(<Header store={store} width={80} />)).toEqual(['auto-hot-reload  http://127.0.0.1:8001  ◌ connecting…', 'no status yet']);
  });

  it('disconnected: the short reason first, then the retry countdown', () => {
    const store = storeOf({
      targets: [connectedTarget({ connection: { state: 'disconnected', retryAt: T0 + 2500, lastError: 'connect ECONNREFUSED' } })],
    });
    expect(lines(<Header store={store} width={100} />)[0]).toBe(
      'auto-hot-reload  http://127.0.0.1:8001  ✖ disconnected — connect ECONNREFUSED · retry in 3s',
    );
    expect(lines(<Header store={store} width={100} />, () => T0 + 2600)[0]).toBe(
      'auto-hot-reload  http://127.0.0.1:8001  ✖ disconnected — connect ECONNREFUSED · retrying…',
    );
  });

  it('disconnected at 80 columns: the reason survives (the request and the product name give way)', () => {
    const store = storeOf({
      targets: [
        connectedTarget({
          apiUrl: 'http://127.0.0.1:18899',
          connection: {
            state: 'disconnected',
            retryAt: T0 + 2500,
            lastError: 'GET http://127.0.0.1:18899/api/v1/hot-reload/status: service unreachable (connection refused)',
          },
        }),
      ],
    });
    const out = lines(<Header store={store} width={80} />);
    expect(out[0]).toBe('http://127.0.0.1:18899  ✖ disconnected — connection refused · retry in 3s');
    // the last status is marked as such, and its uptime does not pretend to run on
    expect(out[1]).toBe('last seen: v12 · boot 3f2a9c1d · pid 4242 · up 5m · ahr-agent 0.1.0');
    expect(lines(<Header store={store} width={80} />, () => T0 + 60_000)[1]).toBe(out[1]);
    const timeout = storeOf({ targets: [connectedTarget({ connection: { state: 'disconnected', lastError: 'GET http://127.0.0.1:8001/health: no answer within 5000 ms' } })] });
    expect(lines(<Header store={timeout} width={90} />)[0]).toBe('auto-hot-reload  http://127.0.0.1:8001  ✖ disconnected — no answer within 5000 ms');
    expect(lines(<Header store={timeout} width={80} />)[0]).toBe('http://127.0.0.1:8001  ✖ disconnected — no answer within 5000 ms');
  });

  it('connected to a service without a status endpoint: said so, instead of waiting for a status', () => {
    const store = storeOf({ targets: [connectedTarget({ service: null, connection: { state: 'connected', noStatusEndpoint: true } })] });
    expect(lines(<Header store={store} width={80} />)).toEqual([
      'auto-hot-reload  http://127.0.0.1:8001  ● connected (no status endpoint)',
      'no version information: the service answers no status endpoint',
    ]);
  });

  it('the countdown ticks while disconnected and holds no timer once it is over', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = T0;
    const store = storeOf({ targets: [connectedTarget({ connection: { state: 'disconnected', retryAt: T0 + 2000 } })] });
    const r = render(
      <ClockContext.Provider value={() => now}>
        <Header store={store} width={80} />
      </ClockContext.Provider>,
    );
    expect(plain(r.lastFrame())).toContain('retry in 2s');
    expect(vi.getTimerCount()).toBe(1);
    now = T0 + 1000;
    vi.advanceTimersByTime(1000);
    await waitForText(r.lastFrame, 'retry in 1s');
    now = T0 + 2000;
    vi.advanceTimersByTime(1000);
    await waitForText(r.lastFrame, 'retrying…');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a restart is one line under the header, saying how it goes away; its warning is not listed twice', () => {
    const out = lines(<Header store={storeOf({ restartDetected: true })} width={80} />);
    expect(out).toHaveLength(3);
    expect(out[2]).toBe('⚠ service restarted boot id/pid changed: hot state was lost · any key hides this');
    expect(lines(<Warnings store={storeOf({ warnings: [RESTART_WARNING, 'another'] })} width={80} rows={4} />)).toEqual(['⚠ another']);
  });

  it('truncates to the width, never wraps; the connection state is never what is cut', () => {
    const out = lines(<Header store={storeOf({ restartDetected: true })} width={40} />);
    expect(out).toHaveLength(3);
    for (const l of out) expect([...l].length).toBeLessThanOrEqual(40);
    // the product name gives way first, then the URL shortens from its middle
    expect(out[0]).toBe('http://127.0.0.1:8001  ● connected');
    expect(lines(<Header store={storeOf({})} width={30} />)[0]).toBe('http://1…0.1:8001  ● connected');
    expect(lines(<Header store={storeOf({})} width={20} />)[0]).toBe('● connected');
    expect(out[2]).toBe('⚠ service restarted boot id/pid changed…');
  });
});

describe('Targets', () => {
  it('one target: no rows; several: one row each', () => {
    expect(lines(<Targets store={storeOf({})} width={80} rows={3} />)).toEqual(['']);
    const store = storeOf({
      targets: [
        connectedTarget({ name: 'canary', lastOutcome: 'ok' }),
        connectedTarget({ name: 'web-2', apiUrl: 'http://127.0.0.1:8002', connection: { state: 'disconnected' }, service: null, lastOutcome: 'unreachable' }),
        connectedTarget({ name: 'web-3', apiUrl: 'http://127.0.0.1:8003' }),
      ],
    });
    expect(lines(<Targets store={store} width={80} rows={3} />)).toEqual([
      '  canary       http://127.0.0.1:8001        ● up    v12  ✔ ok',
      '  web-2        http://127.0.0.1:8002        ○ down  v?  ⚠ unreachable',
      '  web-3        http://127.0.0.1:8003        ● up    v12',
    ]);
    expect(lines(<Targets store={store} width={80} rows={2} />)[1]).toBe('  … 2 more targets');
  });
});

describe('Watch', () => {
  const recent = [
    { path: 'src/app.ts', kind: 'change' as const, at: T0 - 1000 },
    { path: 'src/routes/new.ts', kind: 'add' as const, at: T0 - 5000 },
    { path: 'src/old.ts', kind: 'unlink' as const, at: T0 - 9000 },
  ];

  it('watching: dirs, file count, recent changes with times, newest first', () => {
    const store = storeOf({ watch: { dirs: ['src', 'server'], fileCount: 128, ready: true, paused: false, recent } });
    expect(lines(<Watch store={store} width={60} rows={2} />)).toEqual([
      rule('Watch ● watching · 128 files · src/ server/', 60),
      '  11:59:59  ~ src/app.ts',
      '  11:59:55  + src/routes/new.ts',
    ]);
    expect(lines(<Watch store={store} width={60} rows={3} />)[3]).toBe('  11:59:51  - src/old.ts');
  });

  it('paused and starting are visible states', () => {
    expect(lines(<Watch store={storeOf({ watch: { dirs: ['src'], fileCount: 3, ready: true, paused: true, recent: [] } })} width={60} rows={1} />)).toEqual([
      rule('Watch ❚❚ PAUSED (p resumes) · 3 files · src/', 60),
      '  no changes yet',
    ]);
    expect(lines(<Watch store={storeOf({ watch: { dirs: ['src'], fileCount: 0, ready: false, paused: false, recent: [] } })} width={60} rows={0} />)).toEqual([
      rule('Watch starting… · 0 files · src/', 60),
    ]);
  });

  it('long paths are shortened from the middle', () => {
    const deep = [{ path: 'src/services/billing/internal/deep/file.ts', kind: 'change' as const, at: T0 }];
    const out = lines(<Watch store={storeOf({ watch: { dirs: ['src'], fileCount: 1, ready: true, paused: false, recent: deep } })} width={40} rows={1} />);
    expect(out[1]).toBe('  12:00:00  ~ src/…/deep/file.ts');
  });
});

describe('Cooldown', () => {
  it('idle, nothing pending', () => {
    expect(lines(<Cooldown store={storeOf({})} width={80} />)).toEqual(['Cooldown idle · nothing pending']);
  });

  it('a running cooldown: bar, seconds left, pending count', () => {
    const store = storeOf({ cooldownUntil: T0 + 2500, pending: ['src/a.ts', 'src/b.ts'] });
    // 2.5 s of 5 s left: half of the 30-cell bar
    expect(lines(<Cooldown store={store} width={80} />)).toEqual([
      `Cooldown ▕${'█'.repeat(15)}${'░'.repeat(15)}▏ 3s left · 2 pending (src/a.ts, …)`,
    ]);
  });

  it('changes queued behind a running reload', () => {
    const store = storeOf({ pending: ['src/a.ts'], phase: 'verifying' });
    expect(lines(<Cooldown store={store} width={80} />)).toEqual(['Cooldown after the current reload · 1 pending (src/a.ts)']);
  });

  it('ticks only while the cooldown runs: no timer when idle', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = T0;
    const t = makeStore(makeState());
    const r = render(
      <ClockContext.Provider value={() => now}>
        <Cooldown store={t.store} width={80} />
      </ClockContext.Provider>,
    );
    expect(vi.getTimerCount()).toBe(0);
    t.set({ cooldownUntil: T0 + 1000, pending: ['src/a.ts'] });
    await waitForText(r.lastFrame, '1s left');
    expect(vi.getTimerCount()).toBe(1);
    now = T0 + 1000;
    vi.advanceTimersByTime(200);
    await waitForText(r.lastFrame, 'idle · 1 pending');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('ReloadLog', () => {
  it('empty', () => {
    expect(lines(<ReloadLog store={storeOf({})} width={80} rows={3} />)).toEqual([
      rule('Reloads', 80),
      'no reloads yet — edit a watched file or press t',
    ]);
  });

  it('every outcome, newest first, with version change, duration and files or modules', () => {
    const history = [
      attempt(1),
      attempt(2, { outcome: 'failed', versionAfter: undefined, durationMs: 40, message: 'SyntaxError in src/app.ts:3:7' }),
      attempt(3, { outcome: 'rolled-back', durationMs: 2300, message: 'probe greeting: expected 200, got 500' }),
      attempt(4, { outcome: 'rollback-failed', message: 'rollback answered 409' }),
      attempt(5, { outcome: 'unreachable', versionBefore: undefined, versionAfter: undefined, files: [], message: 'connect ECONNREFUSED' }),
      attempt(6, { files: [], modules: ['app', 'routes'], durationMs: 65_000 }),
      attempt(7, { files: ['src/a.ts', 'src/b.ts', 'src/c.ts'] }),
    ];
    expect(lines(<ReloadLog store={storeOf({ history })} width={100} rows={7} />)).toEqual([
      rule('Reloads 7 attempts', 100),
      '11:59:59  ✔ ok              v11 → v12   120ms    src/app.ts',
      '11:59:58  ✖ failed          v11         40ms     src/app.ts — SyntaxError in src/app.ts:3:7',
      '11:59:57  ↺ rolled back     v11 → v12   2.3s     src/app.ts — probe greeting: expected 200, got 500',
      '11:59:56  ‼ rollback failed v11 → v12   120ms    src/app.ts — rollback answered 409',
      '11:59:55  ⚠ unreachable     –           120ms    connect ECONNREFUSED',
      '11:59:54  ✔ ok              v11 → v12   1m 05s   app, routes',
      '11:59:53  ✔ ok              v11 → v12   120ms    src/a.ts +2',
    ]);
  });

  it('the newest failure gets its reason on a line of its own', () => {
    const history = [attempt(1, { outcome: 'rolled-back', message: 'probe greeting: expected 200, got 500 — rolled back to v11' }), attempt(2), attempt(3)];
    expect(lines(<ReloadLog store={storeOf({ history })} width={80} rows={3} />)).toEqual([
      rule('Reloads 3 attempts', 80),
      '11:59:59  ↺ rolled back     v11 → v12   120ms    src/app.ts — probe greeting: e…',
      '          └ probe greeting: expected 200, got 500 — rolled back to v11',
      '11:59:58  ✔ ok              v11 → v12   120ms    src/app.ts',
    ]);
    // too little room: no extra line
    expect(lines(<ReloadLog store={storeOf({ history })} width={80} rows={2} />)).toHaveLength(3);
  });

  it('bounded to its rows', () => {
    const history = Array.from({ length: 50 }, (_, i) => attempt(i + 1));
    expect(lines(<ReloadLog store={storeOf({ history })} width={80} rows={4} />)).toHaveLength(5);
  });

  it.each<[PipelinePhase, string]>([
    ['triggering', 'reloading…'],
    ['verifying', 'verifying…'],
    ['rolling-back', 'rolling back…'],
    ['reverifying', 're-verifying…'],
  ])('the attempt in flight shows its phase: %s', (phase, label) => {
    const current = attempt(9, { outcome: undefined, versionAfter: undefined, durationMs: undefined, startedAt: T0 - 1500 });
    const out = lines(<ReloadLog store={storeOf({ current, phase, history: [attempt(1)] })} width={80} rows={3} />);
    expect(out[1]).toBe(`11:59:58  ▸ ${label.padEnd(15)} v11         1.5s     src/app.ts`);
    expect(out[2]).toContain('✔ ok');
  });
});

describe('Verification', () => {
  it('no verification yet', () => {
    expect(lines(<Verification store={storeOf({})} width={60} rows={2} />)).toEqual([
      rule('Verification', 60),
      '  no verification yet — press v',
    ]);
  });

  it('each check by name: passed, failed, skipped', () => {
    const checks = [
      check('reload', true, '2 modules reloaded'),
      check('no-restart', true, 'same boot id'),
      check('probe:greeting', false, 'expected 200, got 500'),
      check('server:db', false, 'not reported', { skipped: true }),
    ];
    expect(lines(<Verification store={storeOf({ checks })} width={70} rows={4} />)).toEqual([
      rule('Verification 2/3 passed', 70),
      '  ✔ reload          2 modules reloaded',
      '  ✔ no-restart      same boot id',
      '  ✖ probe:greeting  expected 200, got 500',
      '  – server:db       skipped: not reported',
    ]);
  });

  it('when they do not fit, failures come first', () => {
    const checks = [check('a', true, 'ok'), check('b', true, 'ok'), check('c', true, 'ok'), check('d', false, 'broken')];
    expect(lines(<Verification store={storeOf({ checks })} width={40} rows={3} />)).toEqual([
      rule('Verification 3/4 passed', 40),
      '  ✖ d     broken',
      '  ✔ a     ok',
      '  … 2 more',
    ]);
  });
});

describe('Verification after a rollback', () => {
  const attemptChecks = [
    check('reload', true, '1 module reloaded'),
    check('no-restart', true, 'same process'),
    check('health', true, 'GET /health answered HTTP 200'),
    check('probe:greeting', false, 'expected 200, got 500'),
    check('probe:items', true, 'GET /api/v1/items → 200'),
  ];
  const reverify = [check('no-restart', true, 'same process'), check('health', true, 'GET /health answered HTTP 200'), check('probe:greeting', true, 'GET /api/v1/greeting → 200')];
  const rolledBack = (after = reverify) =>
    storeOf({ history: [attempt(1, { outcome: 'rolled-back', checks: attemptChecks, reverifyChecks: after }), attempt(2)], checks: after });

  it('lists the attempt\'s own checks, the ✖ that caused the rollback first, then the re-verification', () => {
    expect(lines(<Verification store={rolledBack()} width={80} rows={6} />)).toEqual([
      rule('Verification 4/5 passed · rolled back', 80),
      '  ✖ probe:greeting  expected 200, got 500',
      '  ✔ reload          1 module reloaded',
      '  ✔ no-restart      same process',
      '  ✔ health          GET /health answered HTTP 200',
      '  ✔ probe:items     GET /api/v1/items → 200',
      '  ↺ after rollback: 3/3 passed',
    ]);
  });

  it('within fewer rows the failure and the re-verification line stay', () => {
    expect(lines(<Verification store={rolledBack()} width={80} rows={3} />)).toEqual([
      rule('Verification 4/5 passed · rolled back', 80),
      '  ✖ probe:greeting  expected 200, got 500',
      '  … 4 more',
      '  ↺ after rollback: 3/3 passed',
    ]);
    expect(lines(<Verification store={rolledBack()} width={80} rows={1} />)).toEqual([
      rule('Verification 4/5 passed · rolled back', 80),
      '  ✖ probe:greeting  expected 200, got 500',
    ]);
  });

  it('a re-verification that still fails names its first failure', () => {
    const bad = [check('health', false, 'GET /health answered HTTP 503'), check('probe:greeting', true, 'ok')];
    expect(lines(<Verification store={rolledBack(bad)} width={80} rows={6} />).at(-1)).toBe('  ↺ after rollback: 1/2 passed — ✖ health: GET /health answered HTTP 503');
  });

  it('a failed detail longer than its line continues beneath it when rows are free, and wins rows over passed checks', () => {
    const long = 'expected 200, got 500: {"success":false,"message":"Do not know how to serialize a BigInt"}';
    const checks = [check('health', true, '200'), check('probe:greeting', false, long), check('probe:items', true, '200')];
    expect(lines(<Verification store={storeOf({ checks })} width={60} rows={5} />)).toEqual([
      rule('Verification 2/3 passed', 60),
      '  ✔ health          200',
      '  ✖ probe:greeting  expected 200, got 500:',
      '                    {"success":false,"message":"Do not know',
      '                    how to serialize a BigInt"}',
      '  ✔ probe:items     200',
    ]);
    // one row short: the last continuation takes the rest, cut at the width
    expect(lines(<Verification store={storeOf({ checks })} width={60} rows={4} />).slice(2, 4)).toEqual([
      '  ✖ probe:greeting  expected 200, got 500:',
      '                    {"success":false,"message":"Do not know…',
    ]);
    // not all fit: the failure first, then how many more
    expect(lines(<Verification store={storeOf({ checks })} width={60} rows={2} />)).toEqual([
      rule('Verification 2/3 passed', 60),
      '  ✖ probe:greeting  expected 200, got 500: {"success":false…',
      '  … 2 more',
    ]);
  });

  it('a later verification (v) is shown as it is', () => {
    const later = [check('health', true, '200')];
    const store = storeOf({ history: [attempt(1, { outcome: 'rolled-back', checks: attemptChecks, reverifyChecks: reverify })], checks: later });
    expect(lines(<Verification store={store} width={40} rows={3} />)).toEqual([rule('Verification 1/1 passed', 40), '  ✔ health  200']);
  });
});

describe('Warnings', () => {
  it('one line each, bounded', () => {
    const warnings = ['the service does not answer /verify', 'no token set\nsecond line', 'third'];
    expect(lines(<Warnings store={storeOf({ warnings })} width={80} rows={3} />)).toEqual([
      '⚠ the service does not answer /verify',
      '⚠ no token set second line',
      '⚠ third',
    ]);
    expect(lines(<Warnings store={storeOf({ warnings })} width={80} rows={2} />)).toEqual(['⚠ the service does not answer /verify', '⚠ … 2 more warnings']);
  });

  const notAnswering =
    'http://127.0.0.1:18899/health is not answering (GET http://127.0.0.1:18899/health: service unreachable (connection refused)) — start the service, or point --api-url at it';

  it('a long warning at 80 columns takes two lines when it may, without repeating the request', () => {
    expect(lines(<Warnings store={storeOf({ warnings: [notAnswering] })} width={80} rows={2} />)).toEqual([
      '⚠ http://127.0.0.1:18899/health is not answering (connection refused) — start',
      '  the service, or point --api-url at it',
    ]);
  });

  it('in one line the URL origins, then the middle give way and the fix at the end stays whole', () => {
    const notFound =
      'http://127.0.0.1:18899/api/v1/hot-reload/status answered 404 — the service has no hot-reload status endpoint; install the agent, or set "endpoints.status" in the config';
    // (ink-testing-library's terminal is 100 columns wide)
    expect(lines(<Warnings store={storeOf({ warnings: [notFound] })} width={100} rows={2} />)).toEqual([
      '⚠ http://127.0.0.1:18899/api/v1/hot-reload/status answered 404 — the service has no hot-reload',
      '  status endpoint; install the agent, or set "endpoints.status" in the config',
    ]);
    expect(lines(<Warnings store={storeOf({ warnings: [notFound] })} width={80} rows={2} />)).toEqual([
      '⚠ …/api/v1/hot-reload/status answered 404 — the service has no hot-reload status',
      '  endpoint; install the agent, or set "endpoints.status" in the config',
    ]);
    const out = lines(<Warnings store={storeOf({ warnings: [notAnswering, 'short one'] })} width={80} rows={2} />);
    expect(out).toEqual(['⚠ …/health is not…nection refused) — start the service, or point --api-url at it', '⚠ short one']);
    expect([...out[0]].length).toBeLessThanOrEqual(80);
  });
});

describe('Footer', () => {
  it('keys from the table; p says resume while paused; the rollback question; a notice', () => {
    expect(lines(<Footer mode="main" width={80} paused={false} />)).toEqual(['t trigger  v verify  r rollback  p pause  e errors  o output  ? help  q/^C quit']);
    expect(lines(<Footer mode="main" width={80} paused={true} />)[0]).toContain('p resume');
    expect(lines(<Footer mode="confirm-rollback" width={80} paused={false} />)).toEqual(['Roll back to the previous version? y yes  n/Esc no']);
    expect(lines(<Footer mode="confirm-rollback" width={80} paused={false} question="Roll back v3 → v2?" />)).toEqual(['Roll back v3 → v2? y yes  n/Esc no']);
    // narrow: the question gives way, the keys that answer it stay
    expect(lines(<Footer mode="confirm-rollback" width={24} paused={false} question="Roll back v3 → v2?" />)).toEqual(['Roll ba… y yes  n/Esc no']);
    expect(lines(<Footer mode="main" width={80} paused={false} notice={{ tone: 'fail', text: 'rollback: HTTP 500' }} />)).toEqual(['✖ rollback: HTTP 500']);
    expect(lines(<Footer mode="main" width={80} paused={false} notice={{ tone: 'info', text: 'nothing to roll back' }} />)).toEqual(['– nothing to roll back']);
    expect(lines(<Footer mode="errors" width={80} paused={false} />)).toEqual(['↑/↓ move  PgUp/PgDn page  g/G top/end  Enter detail  Esc back  q/^C quit']);
  });

  it('too narrow for every key: the least needed go first, quit and help always stay', () => {
    expect(lines(<Footer mode="main" width={60} paused={false} />)).toEqual(['t trigger  v verify  e errors  o output  ? help  q/^C quit']);
    expect(lines(<Footer mode="main" width={40} paused={false} />)).toEqual(['t trigger  e errors  ? help  q/^C quit']);
    expect(lines(<Footer mode="main" width={20} paused={false} />)).toEqual(['? help  q/^C quit']);
    expect(lines(<Footer mode="main" width={12} paused={false} />)).toEqual(['? q/^C']);
    expect(lines(<Footer mode="errors" width={40} paused={false} />)).toEqual(['↑/↓ move  Esc back  q/^C quit']);
  });
});
