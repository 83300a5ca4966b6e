/**
 * Runs the real CLI (bin/auto-hot-reload.js → dist/) as a child process, bounded in time.
 * `buildOnce()` compiles dist/ first when it is stale (tsc emits even when other parts have
 * type errors); parallel test processes take turns through a lock directory.
 * The child gets NO_COLOR and no API_BASE_URL/HOT_RELOAD_TOKEN from the parent unless given.
 */
import { spawn, execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(REPO, 'bin', 'auto-hot-reload.js');

let built: Promise<void> | undefined;

/** Sources (src/, components/) whose compiled dist/ file is missing or older. */
export function staleSources(): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(REPO, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) {
        const out = path.join(REPO, 'dist', rel.replace(/\.tsx?$/, '.js'));
        try {
          if (statSync(out).mtimeMs < statSync(path.join(REPO, rel)).mtimeMs) stale.push(rel);
        } catch {
          stale.push(rel);
        }
      }
    }
  };
  walk('src');
  walk('components');
  return stale;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Compiles dist/ when a source is newer than its output. Test files run in parallel
 * processes, and a tsc rewriting dist/ under a running CLI breaks it, so builds are
 * serialized by a lock directory and skipped when dist/ is already fresh.
 */
export function buildOnce(): Promise<void> {
  built ??= (async () => {
    const lock = path.join(REPO, 'dist', '.build-lock');
    for (let i = 0; i < 1200; i++) {
      if (staleSources().length === 0) return;
      try {
        mkdirSync(path.join(REPO, 'dist'), { recursive: true });
        mkdirSync(lock);
      } catch {
        // another test process builds: wait for it (a lock older than 3 minutes is abandoned)
        try {
          if (Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
        } catch {
          /* released meanwhile */
        }
        await sleep(100);
        continue;
      }
      try {
        await promisify(execFile)(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
          cwd: REPO,
          timeout: 120_000,
        }).catch((e: { code?: number }) => {
          // type errors in parts still in progress do not stop tsc from emitting
          if (typeof e.code !== 'number') throw e;
        });
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
      return;
    }
    throw new Error('gave up waiting for another build of dist/ (2 minutes)');
  })();
  return built;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runCliProcess(
  args: string[],
  opts: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number; onSpawn?: (child: ReturnType<typeof spawn>) => void },
): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, API_BASE_URL: undefined, HOT_RELOAD_TOKEN: undefined, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI ${args.join(' ')} did not exit within ${opts.timeoutMs ?? 15_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 15_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
    opts.onSpawn?.(child);
  });
}
