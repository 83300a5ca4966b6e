// Issue 15: the TUI tells the whole story — the cause of every failure (probe bodies, the
// service's output, which run the checks belong to, the reason before the URL), honest
// actions (verify rows, nothing to roll back, q at a question), every size, and the
// input/output conventions (jjj, NO_COLOR, the selection following its entry). Real
// stores, real Ink renders (ink-testing-library); outside text with escape sequences.
import { cleanup, render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../components/App.js';
import { splitKeys } from '../components/view/keys.js';
import { ClockContext } from '../components/view/clock.js';
import { detailRows } from '../components/view/errorEntries.js';
import { failureLines, reasonFirst } from '../components/view/failureText.js';
import { ErrorDetail } from '../components/panels/ErrorDetail.js';
import { ReloadLog } from '../components/panels/ReloadLog.js';
import { Verification } from '../components/panels/Verification.js';
import { Watch } from '../components/panels/Watch.js';
import { rollbackPlan } from '../components/view/rollbackPlan.js';
import { countAttempt, emptyTally, followTally, summaryLine } from '../components/view/summary.js';
import { appendServiceOutput, clearRestart, finishAttempt, LIMITS, mergeChanges, outputSince, RESTART_WARNING } from '../src/engine/store.js';
import type { EngineState, ErrorEntry, ServiceLine } from '../src/types.js';
import { attempt, check, connectedTarget, KEYS, makeState, makeStore, plain, T0, until, waitForFrame, waitForText } from './helpers/tui-state.js';

process.env.TZ = 'UTC';
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  delete process.env.NO_COLOR;
});

const clock = () => T0;
function lines(el: ReactElement): string[] {
  const r = render(<ClockContext.Provider value={clock}>{el}</ClockContext.Provider>);
  return plain(r.lastFrame()).split('\n');
}
const storeOf = (patch: Partial<EngineState>) => makeStore(makeState(patch)).store;
const ESC = '\u001b';
const out = (text: string, stream: ServiceLine['stream'] = 'stderr', at = T0): ServiceLine => ({ at, stream, text });

// the demo's BigInt failure, as the engine records it
const probeFailed = check('probe:greeting', false, 'expected 200, got 500', {
  httpStatus: 500,
  bodyExcerpt: '{"error":"Do not know how to serialize a BigInt"}',
});

describe('show the cause', () => {
  it('a failed probe shows its status and the start of the body it got, sanitized', () => {
    const body = check('probe:greeting', false, 'expected 200, got 500', { httpStatus: 500, bodyExcerpt: `TypeError: boom${ESC}]52;c;aGk=\u0007\n    at x` });
    const rows = lines(<Verification store={storeOf({ checks: [body, check('health', true, 'GET /health answered HTTP 200')] })} width={80} rows={5} />);
    expect(rows[1]).toBe('  ✖ probe:greeting  expected 200, got 500 — TypeError: boom␛]52;c;aGk=␇ ⏎ at x');
    // a longer body continues beneath itself while rows are free
    expect(lines(<Verification store={storeOf({ checks: [probeFailed] })} width={80} rows={3} />).slice(1, 3)).toEqual([
      '  ✖ probe:greeting  expected 200, got 500 — {"error":"Do not know how to',
      '                    serialize a BigInt"}',
    ]);
  });

  it('after a reload that failed before verifying, the checks say which version and time they belong to', () => {
    const ok = attempt(2, { finishedAt: T0 - 60_000, versionBefore: 1, versionAfter: 2 });
    const failed = attempt(3, { outcome: 'failed', versionBefore: 2, versionAfter: 2, message: 'reload failed: SyntaxError (server/routes/greeting.js:7:9)' });
    const state = makeState({ checks: [check('health', true, '200')], checksFrom: { attemptId: 2, at: T0 - 60_000, version: 2 }, history: [failed, ok] });
    expect(lines(<Verification store={makeStore(state).store} width={80} rows={2} />)[0]).toMatch(/^Verification 1\/1 passed · v2 at 11:59:00, not the failed reload ─+$/);
    // the checks of the newest run carry no label
    expect(lines(<Verification store={makeStore({ ...state, history: [ok] }).store} width={80} rows={2} />)[0]).toMatch(/^Verification 1\/1 passed ─+$/);
  });

  it('the store records which run its checks came from', () => {
    const t = makeStore(makeState());
    finishAttempt(t.store, attempt(4, { finishedAt: T0 + 5, versionAfter: 9 }), [check('health', true, '200')], false);
    expect(t.store.getState().checksFrom).toEqual({ attemptId: 4, at: T0 + 5, version: 9 });
    finishAttempt(t.store, attempt(5, { outcome: 'failed' }), [], false);
    expect(t.store.getState().checksFrom?.attemptId).toBe(4); // a run without checks keeps the older ones, labelled
  });

  it("the newest failure: file:line first, then the reason, the URL last, wrapped over up to 3 lines", () => {
    expect(reasonFirst('reload failed: SyntaxError: Unexpected ";" (server/routes/greeting.js:2:19)')).toBe(
      'server/routes/greeting.js:2:19 — reload failed: SyntaxError: Unexpected ";"',
    );
    expect(reasonFirst('reload failed: POST http://127.0.0.1:8001/__hot/reload-all: timeout after 60000 ms')).toBe(
      'reload failed: timeout after 60000 ms (POST http://127.0.0.1:8001/__hot/reload-all)',
    );
    const long = `reload failed: ${'x'.repeat(200)} (server/routes/greeting.js:7:9)`;
    const wrapped = failureLines(long, 68);
    expect(wrapped).toHaveLength(3);
    expect(wrapped[0]).toBe('server/routes/greeting.js:7:9 — reload failed:');
    expect(wrapped[2].endsWith('…')).toBe(true);
  });

  it('at 80 columns the reload log shows greeting.js:LINE whole beneath the failed row', () => {
    const a = attempt(1, {
      outcome: 'failed',
      versionBefore: 2,
      versionAfter: 2,
      files: ['server/routes/greeting.js'],
      message: 'reload failed: check "greeting" failed: expected a non-empty string, got "" (server/routes/greeting.js:7:9)',
    });
    const rows = lines(<ReloadLog store={storeOf({ history: [a, attempt(2)] })} width={80} rows={6} />);
    expect(rows[2]).toBe('          └ server/routes/greeting.js:7:9 — reload failed: check "greeting"');
    expect(rows[3]).toBe('            failed: expected a non-empty string, got ""');
    expect(rows[4]).toMatch(/^11:59:58 {2}✔ ok/);
  });

  it('the error detail and the JSON entry carry the whole body and the lines the service wrote', () => {
    const entry: ErrorEntry = {
      time: new Date(T0).toISOString(),
      kind: 'verify',
      message: 'verification failed: probe:greeting (expected 200, got 500)',
      httpStatus: 500,
      bodyExcerpt: '{"error":"internal error"}',
      serviceOutput: ['demo: GET /api/v1/greeting failed: TypeError: Do not know how to serialize a BigInt', '    at sendJson (/srv/demo/server/http.js:36:21)'],
    };
    const rows = lines(<ErrorDetail entry={entry} index={0} count={1} top={0} width={80} rows={20} />);
    expect(rows).toContain('HTTP      500');
    expect(rows).toContain('body      {"error":"internal error"}');
    expect(rows).toContain('output    demo: GET /api/v1/greeting failed: TypeError: Do not know how to');
    expect(rows).toContain('          serialize a BigInt');
    expect(rows).toContain('              at sendJson (/srv/demo/server/http.js:36:21)');
  });

  it('the error detail wraps paths at their separators, so file:line can be copied', () => {
    const entry: ErrorEntry = { time: 'x', kind: 'reload', message: 'm', detail: { stack: 'Error: boom\n    at Object.greeting (/home/someone/projects/demo/server/routes/greeting.js:7:9)' } };
    const texts = detailRows(entry, 80).map((l) => l.text);
    expect(texts).toContain('    at Object.greeting (/home/someone/projects/demo/server/routes/');
    expect(texts).toContain('greeting.js:7:9)');
  });

  it('service output: bounded, and the lines since a run started go with its failure', () => {
    const t = makeStore(makeState());
    appendServiceOutput(t.store, [out('before', 'stdout', T0 - 5000), out('during', 'stderr', T0)]);
    expect(outputSince(t.store, T0 - 1000)).toEqual(['during']);
    appendServiceOutput(
      t.store,
      Array.from({ length: LIMITS.serviceLines + 10 }, (_, i) => out(`l${i}`)),
    );
    const s = t.store.getState().serviceOutput;
    expect(s.lines).toHaveLength(LIMITS.serviceLines);
    expect(s.dropped).toBe(12);
    expect(s.lines.at(-1)?.text).toBe(`l${LIMITS.serviceLines + 9}`);
    appendServiceOutput(t.store, [out('y'.repeat(LIMITS.lineChars + 100))]);
    expect(t.store.getState().serviceOutput.lines.at(-1)?.text).toHaveLength(LIMITS.lineChars);
    expect(outputSince(t.store, T0)).toHaveLength(LIMITS.failureLines);
  });

  it('o opens the service output (wrapped, escapes shown), Esc goes back; spare rows show its tail', async () => {
    const t = makeStore(makeState());
    appendServiceOutput(t.store, [out('auto-hot-reload agent: serving app.js', 'stdout'), out(`demo: GET /api/v1/greeting failed: TypeError: Do not know how to serialize a BigInt ${ESC}[2J`)]);
    const r = render(<App store={t.store} width={80} height={24} clock={clock} />);
    let frame = await waitForText(r.lastFrame, 'Service output o for all');
    expect(frame).toContain('12:00:00 │ auto-hot-reload agent: serving app.js');
    r.stdin.write('o');
    frame = await waitForText(r.lastFrame, 'Service output 2 lines');
    expect(frame).toContain('12:00:00 ┃ demo: GET /api/v1/greeting failed: TypeError: Do not know how to');
    expect(frame).toContain('         ┃ serialize a BigInt ␛[2J');
    expect(r.lastFrame()).not.toContain(ESC); // no colours in tests: any ESC would be the service's
    expect(frame.split('\n').at(-1)).toBe('↑/↓ move  PgUp/PgDn page  g/G top/end  Esc back  q/^C quit');
    r.stdin.write(KEYS.escape);
    await waitForText(r.lastFrame, 't trigger');
  });

  it('without captured output the view says where it comes from', async () => {
    const r = render(<App store={makeStore(makeState()).store} width={80} height={24} clock={clock} />);
    r.stdin.write('o');
    await waitForText(r.lastFrame, 'no output captured — demo and dev show what the service they run writes');
  });
});

describe('honest actions', () => {
  it('v is a row of its own: verified, the version it checked, its checks', () => {
    const v = attempt(1, { kind: 'verify', reason: 'manual', files: [], versionBefore: 12, versionAfter: 12, checks: [check('a', true, ''), check('b', true, '')] });
    const f = attempt(2, { kind: 'verify', reason: 'manual', files: [], outcome: 'failed', versionBefore: 12, versionAfter: 12, message: 'verification failed: health (HTTP 500)', checks: [check('health', false, 'HTTP 500')] });
    const rows = lines(<ReloadLog store={storeOf({ history: [v, f] })} width={80} rows={4} />);
    expect(rows[1]).toMatch(/^11:59:59 {2}✔ verified {8}v12 {9}120ms {4}2\/2 checks$/);
    expect(rows[2]).toMatch(/^11:59:58 {2}✖ verify failed {3}v12 {9}120ms {4}0\/1 checks — verification fail…$/);
  });

  it('r with a single version says "nothing to roll back" plainly and asks nothing', async () => {
    const state = makeState({ targets: [connectedTarget({ service: { ...connectedTarget().service!, version: 1, versions_kept: [1] } })] });
    const t = makeStore(state);
    const r = render(<App store={t.store} width={80} height={24} clock={clock} />);
    await waitForText(r.lastFrame, 't trigger');
    r.stdin.write('r');
    const frame = await waitForText(r.lastFrame, '– nothing to roll back: v1 is the only version the service keeps');
    expect(frame).not.toContain('Roll back');
    expect(t.calls).toEqual([]);
    expect(rollbackPlan({ version: 3, versions_kept: [1, 2, 3] })).toEqual({ kind: 'ask', from: 3, to: 2 });
    expect(rollbackPlan({ version: 3 })).toEqual({ kind: 'ask', from: 3 });
  });

  it("the service's own 'nothing to roll back' is a neutral answer, in the footer and the reload log", async () => {
    const t = makeStore(makeState(), { ok: false, exitCode: 4, message: 'rollback failed: nothing to roll back: version 1 is the oldest version kept' });
    const r = render(<App store={t.store} width={80} height={24} clock={clock} />);
    r.stdin.write('r');
    await waitForText(r.lastFrame, 'Roll back v12 to the previous version?');
    r.stdin.write('y');
    await waitForText(r.lastFrame, '– nothing to roll back');
    const row = attempt(1, { kind: 'rollback', reason: 'manual', files: [], outcome: 'rollback-failed', message: 'rollback failed: nothing to roll back: version 1 is the oldest version kept' });
    expect(lines(<ReloadLog store={storeOf({ history: [row] })} width={80} rows={3} />)[1]).toMatch(/^11:59:59 {2}– no rollback {5}v11 → v12 {3}120ms {4}nothing to roll back: version …$/);
    expect(lines(<ReloadLog store={storeOf({ history: [row] })} width={80} rows={3} />)).toHaveLength(2); // no ‼ reason line beneath
  });

  it('Ctrl+C still quits at the question', async () => {
    let quits = 0;
    const r = render(<App store={makeStore(makeState()).store} width={80} height={24} clock={clock} onQuit={() => quits++} />);
    r.stdin.write('r');
    await waitForText(r.lastFrame, 'Roll back');
    r.stdin.write(KEYS.ctrlC);
    await until(() => quits === 1, 'quit');
  });

  it('the restart warning is one line; a key hides it, and so does the next verified reload', async () => {
    const t = makeStore(makeState({ restartDetected: true, warnings: [RESTART_WARNING] }));
    const r = render(<App store={t.store} width={80} height={24} clock={clock} />);
    const frame = await waitForText(r.lastFrame, '⚠ service restarted');
    expect(frame.split('\n').filter((l) => /restarted/.test(l))).toHaveLength(1);
    r.stdin.write('x'); // any key
    await waitForFrame(r.lastFrame, (f) => !f.includes('restarted'));
    expect(t.store.getState()).toMatchObject({ restartDetected: false, warnings: [] });

    const again = makeStore(makeState({ restartDetected: true, warnings: [RESTART_WARNING, 'other'] }));
    finishAttempt(again.store, attempt(1, { outcome: 'failed' }), [], false);
    expect(again.store.getState().restartDetected).toBe(true); // a failed reload proves nothing
    finishAttempt(again.store, attempt(2), [check('no-restart', true, 'same')], false);
    expect(again.store.getState()).toMatchObject({ restartDetected: false, warnings: ['other'] });
    clearRestart(again.store); // safe when already clear
  });
});

describe('every size', () => {
  const busy = () => {
    const failed = attempt(1, { outcome: 'failed', files: ['server/routes/deeply/nested/greeting.js'], message: 'reload failed: boom (server/routes/deeply/nested/greeting.js:7:9)' });
    return makeState({ history: [failed, ...Array.from({ length: 9 }, (_, i) => attempt(i + 2))], checks: [probeFailed, check('health', true, '200')] });
  };

  for (const [cols, rows] of [
    [60, 20],
    [40, 12],
  ]) {
    it(`${cols}×${rows}: the quit key and the connection state always show; status as a glyph, the file by its name`, async () => {
      const r = render(<App store={makeStore(busy()).store} width={cols} height={rows} clock={clock} />);
      const frame = await waitForText(r.lastFrame, 'Reloads');
      const ls = frame.split('\n');
      expect(ls).toHaveLength(rows - 1);
      for (const l of ls) expect([...l].length).toBeLessThanOrEqual(cols);
      expect(ls[0]).toContain('● connected');
      expect(ls.at(-1)).toMatch(/q\/\^C quit$/);
      expect(frame).toMatch(/^11:59:59 {2}✖ {2}v11 → v12|^11:59:59 {2}✖ {2}v11→v12/m);
      // the row names the file; the whole path is in the reason beneath it
      const row = ls.find((l) => l.startsWith('11:59:59'))!;
      expect(row).toContain('greeting.js');
      expect(row).not.toContain('server/');
    });
  }

  it('120×40: two columns, the reload log as wide as at 80', async () => {
    const r = render(<App store={makeStore(busy()).store} width={120} height={40} clock={clock} />);
    const frame = await waitForText(r.lastFrame, 'Reloads');
    const title = frame.split('\n').find((l) => l.includes('Reloads 10 attempts'))!;
    expect(title.length - title.indexOf('Reloads')).toBe(80);
  });
});

describe('input and output conventions', () => {
  const entries = (n: number, from = T0 - 60_000): ErrorEntry[] =>
    Array.from({ length: n }, (_, i) => ({ time: new Date(from - i * 1000).toISOString(), kind: 'reload', message: `error ${i}` }));

  it('jjj in one read moves three rows; the selection follows its entry when new ones arrive, which are counted', async () => {
    const t = makeStore(makeState());
    const r = render(<App store={t.store} width={80} height={24} clock={clock} loadErrors={async () => entries(6)} />);
    r.stdin.write('e');
    await waitForText(r.lastFrame, '› 11-25 11:59:00');
    r.stdin.write('jjj');
    await waitForText(r.lastFrame, '› 11-25 11:58:57');
    expect(splitKeys('jjj', {})).toEqual(['j', 'j', 'j']);
    expect(splitKeys('quit', {})).toEqual(['quit']); // a paste is not a row of key presses
    expect(splitKeys('\u001b[A', { upArrow: true })).toEqual(['\u001b[A']);
    t.set({ errors: [{ time: new Date(Date.now() + 1000).toISOString(), kind: 'verify', message: 'a new one' }] });
    const frame = await waitForText(r.lastFrame, '1 new ↑');
    expect(frame).toContain('› 11-25 11:58:57'); // still the same entry, now one row lower
    expect(frame).toContain('7 entries');
    r.stdin.write(KEYS.enter);
    await waitForText(r.lastFrame, 'message   error 3');
  });

  it('NO_COLOR: no colours, bold and inverse stay', async () => {
    const chalk = (await import('chalk')).default;
    const level = chalk.level;
    chalk.level = 1; // as on a terminal
    try {
      const colored = render(<App store={makeStore(makeState({ checks: [probeFailed] })).store} width={80} height={24} clock={clock} />);
      await waitForText(colored.lastFrame, 'Verification');
      expect(colored.lastFrame()).toMatch(/\u001b\[3[1-6]m/);
      colored.unmount();
      process.env.NO_COLOR = '1';
      const plainRender = render(<App store={makeStore(makeState({ checks: [probeFailed] })).store} width={80} height={24} clock={clock} />);
      await waitForText(plainRender.lastFrame, 'Verification');
      expect(plainRender.lastFrame()).not.toMatch(/\u001b\[3[0-9]m|\u001b\[9[0-7]m/);
      expect(plainRender.lastFrame()).toMatch(/\u001b\[1m/); // bold
    } finally {
      chalk.level = level;
    }
  });

  it('the help lists every key, k/j and q at the question included', async () => {
    const r = render(<App store={makeStore(makeState()).store} width={80} height={24} clock={clock} />);
    r.stdin.write('?');
    const frame = await waitForText(r.lastFrame, 'Main screen');
    for (const key of ['  t ', '  v ', '  r ', '  p ', '  e ', '  o ', '  ? ', '  q/^C', '  ↑/↓ k/j', '  PgUp/PgDn', '  g/G', '  Enter', '  Esc', '  y ', '  n/Esc/q']) expect(frame).toContain(key);
  });

  it('Watch: one row per file per change', () => {
    const c = (path: string, kind: 'add' | 'change' | 'unlink', at: number) => ({ path, kind, at });
    const merged = mergeChanges([], [c('a.js', 'add', T0), c('a.js', 'change', T0 + 10), c('b.js', 'change', T0 + 10), c('a.js', 'change', T0 + 20)]);
    expect(merged).toEqual([c('a.js', 'add', T0 + 20), c('b.js', 'change', T0 + 10)]);
    // a later save of the same file is a change of its own, and so is its removal
    expect(mergeChanges(merged, [c('a.js', 'change', T0 + 10_000)])).toHaveLength(3);
    expect(mergeChanges(merged, [c('a.js', 'unlink', T0 + 30)]).map((x) => x.kind)).toEqual(['unlink', 'add', 'change']);
    expect(lines(<Watch store={storeOf({ watch: { dirs: ['server'], fileCount: 2, ready: true, paused: false, recent: merged } })} width={60} rows={4} />).filter((l) => l.includes('a.js'))).toHaveLength(1);
  });

  it('the exit summary counts reloads, failures and says where the log is', () => {
    let tally = emptyTally();
    tally = countAttempt(tally, attempt(1));
    tally = countAttempt(tally, attempt(2, { outcome: 'rolled-back' }));
    tally = countAttempt(tally, attempt(3, { outcome: 'failed' }));
    tally = countAttempt(tally, attempt(4, { kind: 'verify' }));
    expect(summaryLine({ ...tally, errors: 2 }, '/proj/logs/hot_reload_errors', '/proj')).toBe(
      'auto-hot-reload: 3 reloads (1 ok, 1 rolled back, 1 failed), 1 verify · 2 errors in logs/hot_reload_errors',
    );
    expect(summaryLine(emptyTally(), '/elsewhere/logs', '/proj')).toBe('auto-hot-reload: 0 reloads · no errors (log: /elsewhere/logs)');
    const t = makeStore(makeState());
    const follow = followTally(t.store);
    finishAttempt(t.store, attempt(7, { outcome: 'failed' }), [], false);
    t.set({ errors: [{ time: 'x', kind: 'reload', message: 'm' }] });
    expect(follow.tally()).toMatchObject({ reloads: 1, failed: 1, errors: 1 });
    follow.stop();
  });
});

describe('outside text is shown, never obeyed (#14)', () => {
  it('a module error and a file name with escape sequences reach the screen as visible characters', async () => {
    const evilFile = `server/${ESC}]52;c;aGk=\u0007evil.js`;
    const failed = attempt(1, {
      outcome: 'failed',
      files: [evilFile],
      message: `reload failed: SyntaxError: ${ESC}[2J${ESC}[Hfake ok (${evilFile}:7:9)`,
    });
    const state = makeState({
      history: [failed],
      watch: { dirs: ['server'], fileCount: 1, ready: true, paused: false, recent: [{ path: evilFile, kind: 'change', at: T0 }] },
      checks: [check(`server:${ESC}[31mx`, false, `boom ${ESC}[2J`)],
      errors: [{ time: new Date(T0).toISOString(), kind: 'reload', message: `SyntaxError: ${ESC}[2J`, files: [evilFile], detail: { file: evilFile, line: 7, stack: `Error\n    at ${ESC}[1Ax` } }],
    });
    const r = render(<App store={makeStore(state).store} width={120} height={40} clock={clock} loadErrors={async () => []} />);
    const frame = await waitForText(r.lastFrame, 'Reloads');
    expect(r.lastFrame()).not.toContain(ESC);
    expect(r.lastFrame()).not.toContain('\u0007');
    expect(frame).toContain('␛]52;c;aGk=␇evil.js');
    expect(frame).toContain('␛[2J␛[Hfake ok');
    expect(frame).toContain('server:␛[31mx');
    r.stdin.write('e');
    await waitForText(r.lastFrame, '› ');
    r.stdin.write(KEYS.enter);
    const detail = await waitForText(r.lastFrame, 'message');
    expect(r.lastFrame()).not.toContain(ESC);
    expect(detail).toContain('SyntaxError: ␛[2J');
    expect(detail).toContain('at ␛[1Ax');
  });
});
