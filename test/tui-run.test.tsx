// runTui: the raw-mode fallback, the one teardown path (q, Ctrl+C), start failures, a
// hanging close, and the default loader reading real error log files.
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { FALLBACK_TO_LINES, runTui, type TuiEngine } from '../components/run.js';
import { KEYS, makeConfig, makeState, makeStore, T0, until } from './helpers/tui-state.js';

process.env.TZ = 'UTC';

// Ink decides at import time (is-in-ci) to draw nothing but the last frame under CI=true,
// which is how CI runs this suite; runTui is only ever used on an interactive terminal.
const savedCi = vi.hoisted(() => {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  return saved;
});
afterAll(() => {
  for (const [k, v] of Object.entries(savedCi)) if (v !== undefined) process.env[k] = v;
});

/** A terminal's stdin as Ink uses it; records raw mode switches. */
class FakeStdin extends EventEmitter {
  isTTY: boolean;
  rawModes: boolean[] = [];
  private data: string | null = null;
  constructor(isTTY = true) {
    super();
    this.isTTY = isTTY;
  }
  write(data: string): void {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setRawMode(mode: boolean): this {
    this.rawModes.push(mode);
    return this;
  }
  setEncoding(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

class FakeStdout extends EventEmitter {
  columns = 80;
  rows = 24;
  isTTY = true;
  written = '';
  write = (s: string): boolean => {
    this.written += s;
    return true;
  };
  get text(): string {
    return stripVTControlCharacters(this.written);
  }
}

function fakeEngine(opts: { start?: () => Promise<void>; close?: () => Promise<void>; logDir?: string } = {}) {
  const t = makeStore(makeState(opts.logDir ? { config: makeConfig({ logDir: opts.logDir }) } : {}));
  const counts = { start: 0, close: 0 };
  const engine: TuiEngine = {
    store: t.store,
    start: () => (counts.start++, opts.start ? opts.start() : Promise.resolve()),
    close: () => (counts.close++, opts.close ? opts.close() : Promise.resolve()),
  };
  return { engine, counts, calls: t.calls };
}

function io(isTTY = true) {
  const stdin = new FakeStdin(isTTY);
  const stdout = new FakeStdout();
  const stderr = new FakeStdout();
  return {
    stdin,
    stdout,
    stderr,
    opts: { patchConsole: false, stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream },
  };
}

const tmpDirs: string[] = [];
afterEach(async () => {
  await Promise.all(tmpDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('runTui', () => {
  it('without raw mode it says so, renders nothing, starts nothing, and asks for line output', async () => {
    const { engine, counts } = fakeEngine();
    const t = io(false);
    expect(await runTui(engine, t.opts)).toBe(FALLBACK_TO_LINES);
    expect(FALLBACK_TO_LINES).toBe(-1);
    expect(t.stderr.text).toBe('auto-hot-reload: this terminal does not support raw mode; printing lines instead of the TUI\n');
    expect(t.stdout.written).toBe('');
    expect(counts).toEqual({ start: 0, close: 0 });
  });

  it('renders, starts the engine, and q tears down once: raw mode off, engine closed, exit 0', async () => {
    const { engine, counts } = fakeEngine();
    const t = io();
    const exited = runTui(engine, t.opts);
    await until(() => t.stdout.text.includes('t trigger'), 'first frame');
    expect(t.stdout.text).toContain('auto-hot-reload  http://127.0.0.1:8001  ● connected');
    expect(counts.start).toBe(1);
    expect(t.stdin.rawModes).toEqual([true]);
    t.stdin.write('q');
    expect(await exited).toBe(0);
    expect(counts).toEqual({ start: 1, close: 1 });
    expect(t.stdin.rawModes).toEqual([true, false]);
    // a second quit key after teardown changes nothing
    t.stdin.write(KEYS.ctrlC);
    expect(counts.close).toBe(1);
  });

  it('Ctrl+C is the quit command, not an abrupt exit', async () => {
    const { engine, counts } = fakeEngine();
    const t = io();
    const exited = runTui(engine, t.opts);
    await until(() => t.stdout.text.includes('t trigger'), 'first frame');
    t.stdin.write(KEYS.ctrlC);
    expect(await exited).toBe(0);
    expect(counts.close).toBe(1);
    expect(t.stdin.rawModes.at(-1)).toBe(false);
  });

  it('an engine that cannot start ends the TUI with its exit code and a message', async () => {
    const err = Object.assign(new Error('service unreachable at http://127.0.0.1:1'), { exitCode: 3 });
    const { engine, counts } = fakeEngine({ start: () => Promise.reject(err) });
    const t = io();
    expect(await runTui(engine, t.opts)).toBe(3);
    expect(t.stderr.text).toContain('auto-hot-reload: could not start: service unreachable at http://127.0.0.1:1');
    expect(counts.close).toBe(1);
    expect(t.stdin.rawModes.at(-1)).toBe(false);
  });

  it('quitting never hangs on an engine whose close does not settle', async () => {
    const { engine, counts } = fakeEngine({ close: () => new Promise<void>(() => {}) });
    const t = io();
    const exited = runTui(engine, { ...t.opts, closeTimeoutMs: 50 });
    await until(() => t.stdout.text.includes('t trigger'), 'first frame');
    t.stdin.write('q');
    expect(await exited).toBe(0);
    expect(counts.close).toBe(1);
  });

  it('the error log reads the real JSON-line files of the configured log dir', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ahr-tui-'));
    tmpDirs.push(dir);
    const lines = [
      { time: new Date(T0 - 60_000).toISOString(), kind: 'reload', message: 'SyntaxError: Unexpected token', detail: { file: 'src/app.ts', line: 3, column: 7 } },
      { time: new Date(T0 - 86_400_000).toISOString(), kind: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:8001' },
    ];
    await writeFile(path.join(dir, '2026-11-25.log'), `${JSON.stringify(lines[0])}\n`);
    await writeFile(path.join(dir, '2026-11-24.log'), `${JSON.stringify(lines[1])}\nnot json\n`);
    const { engine } = fakeEngine({ logDir: dir });
    const t = io();
    const exited = runTui(engine, t.opts);
    await until(() => t.stdout.text.includes('t trigger'), 'first frame');
    t.stdin.write('e');
    await until(() => t.stdout.text.includes('2 entries'), 'log loaded');
    expect(t.stdout.text).toContain('› 11-25 11:59:00  reload      src/app.ts:3:7  SyntaxError: Unexpected token');
    expect(t.stdout.text).toContain('  11-24 12:00:00  unreachable connect ECONNREFUSED 127.0.0.1:8001');
    t.stdin.write('q');
    expect(await exited).toBe(0);
  });
});
