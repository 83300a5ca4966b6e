// Pure parts of the CLI: argv parsing, result lines, and the store-diff of watch mode.
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../src/cli/args.js';
import { checkLine, frameLines, resultJson, resultLines, styleFor } from '../src/cli/output.js';
import { diffEvents, eventLines } from '../src/cli/watch-lines.js';
import { defaultLayer, mergeConfig } from '../src/config/merge.js';
import { initialEngineState } from '../src/engine/store.js';
import type { EngineState, ReloadAttempt, RunResult } from '../src/types.js';

const plain = styleFor({ isTTY: false }, {});

const usage = (argv: string[]) => {
  try {
    parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error('expected a UsageError');
};

describe('parseCli', () => {
  it('defaults to watch mode and maps flags', () => {
    expect(parseCli([])).toEqual({ command: 'watch', flags: {}, reason: undefined, gitHook: false });
    expect(
      parseCli(['--trigger', '--module', 'a', '--module', 'b', '--api-url', 'http://x:1', '--dir', 'src', '--cooldown', '2', '--token', 't', '--log-dir', 'l', '--json', '--no-tui', '--config', 'c.json']),
    ).toEqual({
      command: 'trigger',
      flags: { module: ['a', 'b'], apiUrl: ['http://x:1'], dir: ['src'], cooldown: '2', token: 't', logDir: 'l', json: true, tui: false, config: 'c.json' },
      reason: undefined,
      gitHook: false,
    });
  });

  it('understands verify combinations', () => {
    expect(parseCli(['--verify']).command).toBe('verify');
    expect(parseCli(['--trigger', '--verify'])).toMatchObject({ command: 'trigger', flags: { verify: true } });
    expect(parseCli(['--trigger', '--no-verify'])).toMatchObject({ command: 'trigger', flags: { verify: false } });
    expect(parseCli(['--watch', '--no-verify'])).toMatchObject({ command: 'watch', flags: { verify: false } });
    expect(parseCli(['--rollback']).command).toBe('rollback');
    expect(parseCli(['--trigger', '--git-hook'])).toMatchObject({ command: 'trigger', reason: 'git-hook', gitHook: true });
    expect(parseCli(['--trigger', '--reason', 'deploy']).reason).toBe('deploy');
    expect(parseCli(['-h']).command).toBe('help');
    expect(parseCli(['-V']).command).toBe('version');
  });

  it('names the offending flag', () => {
    expect(usage(['--nope'])).toBe('unknown option --nope (see auto-hot-reload --help)');
    expect(usage(['--cooldown'])).toBe('--cooldown needs a value (see auto-hot-reload --help)');
    expect(usage(['extra'])).toBe('unexpected argument "extra" (see auto-hot-reload --help)');
    expect(usage(['--verify', '--no-verify'])).toBe('--verify and --no-verify cannot be combined (see auto-hot-reload --help)');
    expect(usage(['--rollback', '--verify'])).toBe('--verify cannot be combined with --rollback (see auto-hot-reload --help)');
    expect(usage(['--rollback', '--no-verify'])).toBe('--no-verify only applies to --trigger or --watch (see auto-hot-reload --help)');
    expect(usage(['--trigger', '--reason', 'cron'])).toBe('--reason: "cron" is not a reason (expected one of watch, manual, git-hook, deploy)');
  });
});

const attempt = (over: Partial<ReloadAttempt> = {}): ReloadAttempt => ({
  id: 1,
  startedAt: 1000,
  finishedAt: 1100,
  reason: 'watch',
  files: ['src/a.ts'],
  modules: [],
  outcome: 'ok',
  versionBefore: 3,
  versionAfter: 4,
  durationMs: 100,
  message: 'reloaded',
  checks: [
    { name: 'reload', ok: true, detail: '2 modules reloaded', durationMs: 2.1 },
    { name: 'server', ok: true, skipped: true, detail: 'no verify endpoint' },
  ],
  steps: [],
  ...over,
});

describe('result output', () => {
  it('writes one plain line per check and a summary', () => {
    const a = attempt();
    const r: RunResult = { kind: 'trigger', ok: true, exitCode: 0, message: 'reloaded', attempt: a, checks: a.checks };
    expect(resultLines(r, plain)).toEqual([
      '✔ reload — 2 modules reloaded (2.1 ms)',
      '– server — skipped: no verify endpoint',
      '✔ trigger: reloaded · version 3 → 4 in 100 ms',
    ]);
  });

  it('shows the deciding checks, the rollback and the re-verification', () => {
    const a = attempt({
      outcome: 'rolled-back',
      message: 'verification failed; rolled back to version 3',
      checks: [{ name: 'probe:greeting', ok: false, detail: 'expected 200, got 500' }],
      reverifyChecks: [{ name: 'probe:greeting', ok: true, detail: 'GET /g → 200' }],
      steps: [{ step: 'rollback', ok: true, detail: 'rolled back to version 3', durationMs: 3 }],
    });
    const r: RunResult = { kind: 'trigger', ok: false, exitCode: 1, message: a.message, attempt: a, checks: a.reverifyChecks ?? [] };
    expect(resultLines(r, plain)).toEqual([
      '✖ probe:greeting — expected 200, got 500',
      '↩ rolled back to version 3',
      'after the rollback:',
      '  ✔ probe:greeting — GET /g → 200',
      '✖ trigger: verification failed; rolled back to version 3 in 100 ms',
    ]);
    expect(resultJson(r)).toMatchObject({ type: 'result', ok: false, exitCode: 1, outcome: 'rolled-back', versionBefore: 3, versionAfter: 4 });
  });

  it('colours only on a TTY and never with NO_COLOR', () => {
    const c = { name: 'health', ok: false, detail: 'HTTP 503' };
    expect(checkLine(c, styleFor({ isTTY: true }, {}))).toBe('\u001b[31m✖\u001b[39m health — HTTP 503');
    expect(checkLine(c, styleFor({ isTTY: true }, { NO_COLOR: '1' }))).toBe('✖ health — HTTP 503');
    expect(checkLine(c, styleFor({ isTTY: false }, {}))).toBe('✖ health — HTTP 503');
  });
});

describe('watch events (store diff)', () => {
  const config = mergeConfig({ defaults: defaultLayer(['src']) }, '/proj');
  const base = initialEngineState(config);
  const next = (patch: Partial<EngineState>): EngineState => ({ ...base, ...patch });

  it('reports changes with the cooldown left, a started reload and a finished one', () => {
    const withPending = next({ pending: ['src/a.ts', 'src/b.ts'], cooldownUntil: 4_000 });
    expect(diffEvents(base, withPending, 1_500)).toEqual([{ type: 'changes', files: ['src/a.ts', 'src/b.ts'], pending: 2, reloadInMs: 2_500 }]);
    expect(eventLines(diffEvents(base, withPending, 1_500)[0], plain)).toEqual(['• changed: src/a.ts, src/b.ts — reload in 2.5 s']);

    const running = next({ current: attempt({ outcome: undefined }) });
    expect(diffEvents(base, running, 0)).toEqual([{ type: 'reload-started', id: 1, reason: 'watch', files: ['src/a.ts'] }]);

    const done = next({ history: [attempt({ id: 2, outcome: 'rollback-failed' }), attempt()] });
    const events = diffEvents(next({ history: [attempt()] }), done, 0);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'result', result: { exitCode: 4, ok: false } });
  });

  it('reports ready, warnings and connection lost/restored', () => {
    const t = base.targets[0];
    const lost = next({ targets: [{ ...t, connection: { state: 'disconnected', lastError: 'connection refused' } }] });
    const back = next({ targets: [{ ...t, connection: { state: 'connected' }, service: { version: 7 } }] });
    expect(diffEvents(base, lost, 0)).toEqual([{ type: 'connection', target: 'default', state: 'disconnected', detail: 'connection refused' }]);
    const restored = diffEvents(lost, back, 0);
    expect(restored).toEqual([{ type: 'connection', target: 'default', state: 'connected', version: 7 }]);
    expect(eventLines(restored[0], plain, 'disconnected')).toEqual(['✔ connection restored: default (version 7)']);
    const ready = next({ watch: { ...base.watch, ready: true, fileCount: 12 }, warnings: ['inotify limit low'] });
    expect(diffEvents(base, ready, 0)).toEqual([
      { type: 'ready', dirs: ['src'], fileCount: 12 },
      { type: 'warning', message: 'inotify limit low' },
    ]);
  });
});

describe('load error frames', () => {
  const at = '/app/server/a.js';
  it('the code frame beneath the result, without the message and the frame naming the location', () => {
    const stack = `SyntaxError: Unexpected ";"\n    at ${at}:2:19\n      return 'hello' +;\n                      ^`;
    expect(frameLines({ message: 'SyntaxError: Unexpected ";"', file: at, line: 2, column: 19, stack })).toEqual(["      return 'hello' +;", '                      ^']);
  });
  it('an error at the end of the file has no frame to show', () => {
    const stack = `SyntaxError: Expected identifier but found end of file\n    at ${at}:10:1\n    \n    ^`;
    expect(frameLines({ message: 'SyntaxError: Expected identifier but found end of file', file: at, line: 10, column: 1, stack })).toEqual([]);
  });
  it('a stack is cut to six lines, each to 160 characters', () => {
    const frames = Array.from({ length: 9 }, (_, i) => `    at f${i} (${at}:${i + 1}:1)${i === 0 ? 'x'.repeat(300) : ''}`);
    const lines = frameLines({ message: 'Error: boom', stack: ['Error: boom', ...frames].join('\n') });
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe(`    ${frames[0].trim()}`.slice(0, 164));
    expect(lines[5]).toBe(`    at f5 (${at}:6:1)`);
    expect(lines[6]).toBe('    … 3 more lines');
  });
});
