// The whole App: keys dispatch store actions, the error log, resize, the line budget,
// and event storms.
import { cleanup, render } from 'ink-testing-library';
import { Profiler } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App, NOTICE_MS } from '../components/App.js';
import type { ErrorEntry, FileChange } from '../src/types.js';
import { attempt, check, connectedTarget, KEYS, makeState, makeStore, plain, rolledBackState, T0, until, waitForFrame, waitForText } from './helpers/tui-state.js';

process.env.TZ = 'UTC';
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const clock = () => T0;
const fullState = () =>
  makeState({
    history: Array.from({ length: 40 }, (_, i) => attempt(i + 1, i % 4 === 2 ? { outcome: 'rolled-back', message: 'probe failed' } : {})),
    current: attempt(99, { outcome: undefined, startedAt: T0 - 500 }),
    phase: 'verifying',
    cooldownUntil: T0 + 3000,
    pending: ['src/a.ts', 'src/b.ts'],
    watch: {
      dirs: ['src', 'server'],
      fileCount: 312,
      ready: true,
      paused: false,
      recent: Array.from({ length: 20 }, (_, i): FileChange => ({ path: `src/deep/nested/module-${i}/index.ts`, kind: 'change', at: T0 - i * 1000 })),
    },
    checks: [check('reload', true, '3 modules'), check('no-restart', true, 'same boot'), check('health', true, '200'), check('probe:a', false, '500'), check('probe:b', true, 'ok'), check('probe:c', true, 'ok'), check('probe:d', true, 'ok'), check('probe:e', true, 'ok')],
    warnings: ['one warning', 'two warning', 'three warning'],
    restartDetected: true,
  });

const frameLines = (frame: string) => frame.split('\n');

describe('keys dispatch store actions', () => {
  it('t, v and p dispatch trigger (manual), verify, pause then resume', async () => {
    const t = makeStore();
    const r = render(<App store={t.store} width={80} height={24} clock={clock} />);
    r.stdin.write('t');
    await until(() => t.calls.length === 1, 'trigger');
    expect(t.calls[0]).toEqual({ name: 'trigger', args: [{ reason: 'manual' }] });
    await waitForText(r.lastFrame, '✔ trigger: done');
    r.stdin.write('v');
    await until(() => t.calls.length === 2, 'verify');
    expect(t.calls[1].name).toBe('verify');
    r.stdin.write('p');
    await until(() => t.calls.length === 3, 'pause');
    expect(t.calls[2].name).toBe('pause');
    await waitForText(r.lastFrame, 'PAUSED');
    r.stdin.write('p');
    await until(() => t.calls.length === 4, 'resume');
    expect(t.calls[3].name).toBe('resume');
    await waitForText(r.lastFrame, '● watching');
  });

  it('r asks first, naming the versions; n, Esc and q cancel; only y rolls back', async () => {
    const t = makeStore(makeState({ targets: [connectedTarget({ service: { ...connectedTarget().service!, versions_kept: [10, 11, 12] } })] }));
    let quits = 0;
    const r = render(<App store={t.store} width={80} height={24} clock={clock} onQuit={() => quits++} />);
    r.stdin.write('r');
    // the question names the versions: the status serves v12 and keeps v11
    await waitForText(r.lastFrame, 'Roll back v12 → v11? y yes  n/Esc no');
    r.stdin.write('t'); // other keys do nothing while asking
    r.stdin.write('n');
    await waitForText(r.lastFrame, 't trigger');
    r.stdin.write('r');
    await waitForText(r.lastFrame, 'Roll back v12 → v11?');
    r.stdin.write(KEYS.escape);
    await waitForText(r.lastFrame, 't trigger');
    // at the question q answers no: it does not quit everything
    r.stdin.write('r');
    await waitForText(r.lastFrame, 'Roll back v12 → v11?');
    r.stdin.write('q');
    await waitForText(r.lastFrame, 't trigger');
    expect(quits).toBe(0);
    expect(t.calls).toEqual([]);
    r.stdin.write('r');
    await waitForText(r.lastFrame, 'Roll back v12 → v11?');
    r.stdin.write('y');
    await until(() => t.calls.length === 1, 'rollback');
    expect(t.calls).toEqual([{ name: 'rollback', args: [] }]);
  });

  it('a failed action is reported in the footer, not thrown', async () => {
    const t = makeStore(makeState(), { ok: false, exitCode: 4, message: 'rollback failed: HTTP 500' });
    const r = render(<App store={t.store} width={80} height={24} clock={clock} />);
    r.stdin.write('r');
    await waitForText(r.lastFrame, 'Roll back');
    r.stdin.write('y');
    await waitForText(r.lastFrame, '✖ rollback: rollback failed: HTTP 500');
    // the next key clears the notice
    r.stdin.write('?');
    await waitForText(r.lastFrame, 'Main screen');
  });

  it('the answer of an action gives the key line back after a while', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const t = makeStore();
    const r = render(<App store={t.store} width={80} height={24} clock={clock} />);
    r.stdin.write('v');
    await waitForText(r.lastFrame, '✔ verify: done');
    // let React run the effect that arms the timer (setImmediate is not faked)
    await until(() => vi.getTimerCount() === 1, 'notice timer armed');
    await vi.advanceTimersByTimeAsync(NOTICE_MS - 1);
    expect(plain(r.lastFrame())).toContain('✔ verify: done');
    await vi.advanceTimersByTimeAsync(1);
    await waitForText(r.lastFrame, 't trigger  v verify');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('q and Ctrl+C call onQuit', async () => {
    let quits = 0;
    const t = makeStore();
    const r = render(<App store={t.store} width={80} height={24} clock={clock} onQuit={() => quits++} />);
    r.stdin.write('q');
    await until(() => quits === 1, 'q quits');
    r.stdin.write(KEYS.ctrlC);
    await until(() => quits === 2, 'Ctrl+C quits');
    expect(t.calls).toEqual([]);
  });

  it('? shows the help rendered from the key table; Esc closes it', async () => {
    const t = makeStore();
    const r = render(<App store={t.store} width={80} height={24} clock={clock} />);
    r.stdin.write('?');
    const help = await waitForText(r.lastFrame, 'Main screen');
    expect(help).toContain('  r          roll back to the previous version (asks y/n)');
    expect(help).toContain('  PgUp/PgDn  one page up / down');
    expect(help).toContain('  Enter      open the selected entry');
    r.stdin.write(KEYS.escape);
    await waitForText(r.lastFrame, 'Reloads');
  });
});

describe('error log view', () => {
  const entries: ErrorEntry[] = Array.from({ length: 30 }, (_, i) => ({
    time: new Date(T0 - (i + 1) * 60_000).toISOString(),
    kind: i % 2 ? 'verify' : 'reload',
    message: `failure number ${i + 1}`,
    detail: { file: 'src/app.ts', line: i + 1, column: 2 },
  }));

  it('loads without blocking, merges this run, scrolls, opens the detail, goes back', async () => {
    let release!: (e: ErrorEntry[]) => void;
    let loads = 0;
    const loader = () => {
      loads++;
      return new Promise<ErrorEntry[]>((resolve) => (release = resolve));
    };
    const runError: ErrorEntry = {
      time: new Date(T0).toISOString(),
      kind: 'rollback',
      message: 'rollback answered 409',
      files: ['src/app.ts'],
      version: 13,
      httpStatus: 409,
      bodyExcerpt: '{"success":false,"message":"version mismatch"}',
      detail: { file: 'src/app.ts', line: 3, column: 7, stack: 'Error: version mismatch\n    at rollback (src/agent.ts:10:5)' },
    };
    const t = makeStore(makeState({ errors: [runError, entries[0]] }));
    const r = render(<App store={t.store} width={80} height={24} clock={clock} loadErrors={loader} logDir="logs/hot_reload_errors" />);
    r.stdin.write('e');
    await waitForText(r.lastFrame, 'loading…');
    expect(loads).toBe(1);
    release(entries);
    // 30 from the files + 1 of this run (entries[0] is in both)
    let frame = await waitForText(r.lastFrame, '31 entries');
    let lines = frameLines(frame);
    expect(lines[0]).toMatch(/^Error log 31 entries · logs\/hot_reload_errors ─+$/);
    expect(lines[1]).toBe('› 11-25 12:00:00  rollback    src/app.ts:3:7  rollback answered 409');
    expect(lines[2]).toBe('  11-25 11:59:00  reload      src/app.ts:1:2  failure number 1');
    expect(lines).toHaveLength(23);

    r.stdin.write(KEYS.down);
    frame = await waitForText(r.lastFrame, '› 11-25 11:59:00');
    r.stdin.write(KEYS.pageDown); // 21 list rows a page
    frame = await waitForText(r.lastFrame, '› 11-25 11:38:00');
    r.stdin.write('G');
    frame = await waitForText(r.lastFrame, '› 11-25 11:30:00');
    expect(frameLines(frame)[21]).toBe('› 11-25 11:30:00  verify      src/app.ts:30:2  failure number 30');
    r.stdin.write(KEYS.up);
    await waitForText(r.lastFrame, '› 11-25 11:31:00');
    r.stdin.write(KEYS.pageUp);
    await waitForText(r.lastFrame, '› 11-25 11:52:00');
    r.stdin.write('g');
    await waitForText(r.lastFrame, '› 11-25 12:00:00');

    r.stdin.write(KEYS.enter);
    frame = await waitForText(r.lastFrame, 'Error 1/31');
    lines = frameLines(frame);
    expect(lines.slice(1, 15)).toEqual([
      `time      ${runError.time}`,
      'kind      rollback',
      'message   rollback answered 409',
      'at        src/app.ts:3:7',
      'files     src/app.ts',
      'version   v13',
      'HTTP      409',
      'body      {"success":false,"message":"version mismatch"}',
      'stack     Error: version mismatch',
      '              at rollback (src/agent.ts:10:5)',
      '',
      '',
      '',
      '',
    ]);
    r.stdin.write(KEYS.escape);
    await waitForText(r.lastFrame, '31 entries');
    r.stdin.write(KEYS.escape);
    await waitForText(r.lastFrame, 'Reloads');
    expect(t.calls).toEqual([]);
  });

  it('a long detail scrolls', async () => {
    const stack = ['Error: deep', ...Array.from({ length: 40 }, (_, i) => `    at frame${i} (src/f.ts:${i}:1)`)].join('\n');
    const t = makeStore(makeState({ errors: [{ time: new Date(T0).toISOString(), kind: 'reload', message: 'boom', detail: { stack } }] }));
    const r = render(<App store={t.store} width={80} height={24} clock={clock} />);
    r.stdin.write('e');
    await waitForText(r.lastFrame, '1 entry');
    r.stdin.write(KEYS.enter);
    let frame = await waitForText(r.lastFrame, 'Error 1/1');
    // 44 lines, 21 shown
    expect(frameLines(frame)[0]).toMatch(/^Error 1\/1 · reload · 23 more lines \(↓\) ─+$/);
    r.stdin.write('G');
    frame = await waitForText(r.lastFrame, 'frame39');
    expect(frameLines(frame)[21]).toBe('              at frame39 (src/f.ts:39:1)');
    expect(frameLines(frame)).toHaveLength(23);
  });

  it('a quick Esc Esc (two ESC bytes in one read) goes back two screens', async () => {
    const t = makeStore(makeState({ errors: [entries[0]] }));
    const r = render(<App store={t.store} width={80} height={24} clock={clock} />);
    r.stdin.write('e');
    await waitForText(r.lastFrame, '1 entry');
    r.stdin.write(KEYS.enter);
    await waitForText(r.lastFrame, 'Error 1/1');
    r.stdin.write(KEYS.escape + KEYS.escape);
    const frame = await waitForFrame(r.lastFrame, (f) => f.includes('Reloads') || f.includes('1 entry'));
    expect(frame).toContain('Reloads');
    expect(frame).not.toContain('Error log');
    // from the help, Esc Esc is Esc then nothing: the main screen stays
    r.stdin.write('?');
    await waitForText(r.lastFrame, 'Main screen');
    r.stdin.write(KEYS.escape + KEYS.escape);
    await waitForText(r.lastFrame, 'Reloads');
    expect(t.calls).toEqual([]);
  });

  it('a failing loader is a visible state', async () => {
    const t = makeStore();
    const r = render(<App store={t.store} width={80} height={24} clock={clock} loadErrors={() => Promise.reject(new Error('EACCES: permission denied'))} />);
    r.stdin.write('e');
    await waitForText(r.lastFrame, 'could not read the log files: EACCES: permission denied');
    expect(plain(r.lastFrame())).toContain('no errors logged');
  });
});

describe('layout', () => {
  it('80×24 with a full history: never taller than the terminal, every line within 80 columns', async () => {
    const t = makeStore(fullState());
    const r = render(<App store={t.store} width={80} height={24} clock={clock} />);
    const frame = await waitForText(r.lastFrame, 'Reloads');
    const lines = frameLines(frame);
    expect(lines).toHaveLength(23);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(lines[2]).toContain('⚠ service restarted boot id/pid changed: hot state was lost · any key hides this');
    expect(lines[22]).toBe('t trigger  v verify  r rollback  p pause  e errors  o output  ? help  q/^C quit');
    // every panel got its share
    for (const title of ['Watch', 'Cooldown', 'Reloads 40 attempts', 'Verification 7/8 passed', '⚠ one warning']) expect(frame).toContain(title);
    // also the other screens
    r.stdin.write('?');
    expect(frameLines(await waitForText(r.lastFrame, 'Main screen'))).toHaveLength(23);
  });

  it('re-lays out when the size changes: one column, then two', async () => {
    const t = makeStore(fullState());
    const r = render(<App store={t.store} width={80} height={24} clock={clock} />);
    let frame = await waitForText(r.lastFrame, 'Reloads');
    expect(frameLines(frame).some((l) => l.startsWith('Reloads'))).toBe(true);
    r.rerender(<App store={t.store} width={100} height={40} clock={clock} />);
    frame = await waitForFrame(r.lastFrame, (f) => frameLines(f).length === 39);
    expect(frameLines(frame).every((l) => [...l].length <= 100)).toBe(true);
  });

  it('follows resize events of the terminal (two columns from 120)', async () => {
    const t = makeStore(fullState());
    const r = render(<App store={t.store} clock={clock} />);
    // ink-testing-library's stdout: 100 columns, no rows (→ 24)
    let frame = await waitForText(r.lastFrame, 'Reloads');
    expect(frameLines(frame)).toHaveLength(23);
    expect(frameLines(frame).some((l) => l.startsWith('Reloads'))).toBe(true);
    Object.defineProperty(r.stdout, 'columns', { configurable: true, get: () => 130 });
    Object.defineProperty(r.stdout, 'rows', { configurable: true, get: () => 30 });
    r.stdout.emit('resize');
    frame = await waitForFrame(r.lastFrame, (f) => frameLines(f).length === 29);
    // the reload log moved to the right column, next to the watch panel
    expect(frameLines(frame)[6]).toMatch(/^Watch .*Reloads 40 attempts/);
    expect(frameLines(frame).every((l) => [...l].length <= 130)).toBe(true);
  });
});

describe('layout after a rollback', () => {
  const failedLine = '  ✖ probe:greeting   expected 200, got 500: {"success":false,"message":"Do not know how to serialize a BigInt"}';

  it('120×34: Watch beside Reloads, Cooldown and Verification below at full width, the failed detail whole', async () => {
    const t = makeStore(rolledBackState());
    const r = render(<App store={t.store} width={120} height={34} clock={clock} />);
    const lines = frameLines(await waitForText(r.lastFrame, 'Reloads'));
    expect(lines).toHaveLength(33);
    expect(lines[2]).toMatch(/^Watch .*Reloads 7 attempts/);
    const title = lines.findIndex((l) => l.startsWith('Verification'));
    expect(lines[title]).toMatch(/^Verification 6\/7 passed · rolled back ─+$/);
    expect(lines[title - 1]).toBe('Cooldown idle · nothing pending'); // full width, below both columns
    expect(lines[title + 1]).toBe(failedLine);
    expect(lines[title + 8]).toBe('  ↺ after rollback: 7/7 passed');
    // every attempt and every change is on screen (7 + the reason line; 7 changes)
    expect(lines.filter((l) => / {2}~ server\//.test(l))).toHaveLength(7);
    expect(lines.filter((l) => /✔ ok {14}v11 → v12/.test(l))).toHaveLength(6);
  });

  it('80×24, 100×30, 160×45: within the terminal; the failed detail continues on a second line where it is cut', async () => {
    for (const [w, h] of [
      [80, 24],
      [100, 30],
      [160, 45],
    ]) {
      cleanup();
      const t = makeStore(rolledBackState());
      const r = render(<App store={t.store} width={w} height={h} clock={clock} />);
      const lines = frameLines(await waitForText(r.lastFrame, 'Reloads'));
      expect(lines).toHaveLength(h - 1);
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(w);
      expect(lines).toContain('  ↺ after rollback: 7/7 passed');
      const at = lines.findIndex((l) => l.startsWith('  ✖ probe:greeting'));
      const shown = w >= 120 ? lines[at] : `${lines[at]} ${lines[at + 1].trim()}`;
      expect(shown).toBe(failedLine);
    }
  });

  it('with plenty of content no line stays empty at 100×30, 120×34 and 160×45', async () => {
    for (const [w, h] of [
      [100, 30],
      [120, 34],
      [160, 45],
    ]) {
      cleanup();
      const t = makeStore(fullState());
      const r = render(<App store={t.store} width={w} height={h} clock={clock} />);
      const lines = frameLines(await waitForText(r.lastFrame, 'Reloads'));
      expect(lines).toHaveLength(h - 1);
      expect(lines.filter((l) => l.trim() === '')).toEqual([]);
    }
  });
});

describe('event storms', () => {
  it('10,000 changes in one burst re-render a bounded number of times', async () => {
    const t = makeStore(makeState());
    let commits = 0;
    const r = render(
      <Profiler id="app" onRender={() => commits++}>
        <App store={t.store} width={80} height={24} clock={clock} throttleMs={50} />
      </Profiler>,
    );
    await waitForText(r.lastFrame, 'Reloads');
    const before = commits;
    for (let i = 0; i < 10_000; i++) {
      const change: FileChange = { path: `src/gen/file-${i}.ts`, kind: 'add', at: T0 };
      t.store.setState((s) => ({ watch: { ...s.watch, recent: [change, ...s.watch.recent].slice(0, 50) }, pending: [...s.pending, change.path] }));
    }
    await waitForText(r.lastFrame, '10000 pending');
    expect(plain(r.lastFrame())).toContain('+ src/gen/file-9999.ts');
    expect(commits - before).toBeLessThanOrEqual(4);
  });

  it('a storm spread over many ticks is coalesced per interval', async () => {
    const t = makeStore(makeState());
    let commits = 0;
    const r = render(
      <Profiler id="app" onRender={() => commits++}>
        <App store={t.store} width={80} height={24} clock={clock} throttleMs={50} />
      </Profiler>,
    );
    await waitForText(r.lastFrame, 'Reloads');
    const before = commits;
    const started = Date.now();
    for (let chunk = 0; chunk < 50; chunk++) {
      for (let i = 0; i < 200; i++) t.store.setState((s) => ({ pending: [...s.pending, `f${chunk}-${i}`] }));
      await new Promise((r) => setImmediate(r));
    }
    const elapsed = Date.now() - started;
    await waitForText(r.lastFrame, '10000 pending');
    // at most one update per 50 ms interval, plus the leading and the trailing one
    expect(commits - before).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 3);
    expect(commits - before).toBeLessThan(50);
  });
});

describe('idle', () => {
  it('status polls that change only the uptime redraw nothing until the shown minute changes', async () => {
    let now = T0;
    const t = makeStore(makeState());
    let commits = 0;
    const r = render(
      <Profiler id="app" onRender={() => commits++}>
        <App store={t.store} width={80} height={24} clock={() => now} throttleMs={0} leadMs={0} />
      </Profiler>,
    );
    await waitForText(r.lastFrame, 'up 5m');
    const poll = async () => {
      now += 2000; // one status poll every 2 s, as the engine's monitor does
      t.store.setState((s) => ({ targets: [connectedTarget({ connection: { state: 'connected', checkedAt: now }, service: { ...s.targets[0].service!, uptime_ms: 302_000 + (now - T0) } })] }));
      await new Promise((res) => setTimeout(res, 5));
    };
    const before = commits;
    for (let i = 0; i < 10; i++) await poll(); // 5m 04s … 5m 22s: the header shows 5m throughout
    expect(commits - before).toBe(0);
    for (let i = 0; i < 20; i++) await poll(); // crosses 6m
    expect(commits - before).toBe(1);
    expect(plain(r.lastFrame())).toContain('up 6m');
  });
});
