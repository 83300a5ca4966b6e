// A real ENOSPC: the CLI runs in its own user namespace, whose inotify watch limit
// (/proc/sys/user/max_inotify_watches, per user namespace since Linux 5.11) is set to 64,
// so the machine's own limit and every other process are untouched.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, buildOnce } from './helpers/cli-process.js';
import { freePort } from './helpers/net.js';
import { until } from './helpers/wait.js';

const LIMIT = 64;
let dir: string | undefined;
let child: ReturnType<typeof spawn> | undefined;

beforeAll(buildOnce, 120_000);
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  if (dir) await fs.rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('out of inotify watches (a real ENOSPC)', () => {
  it('the CLI names fs.inotify.max_user_watches and the fix, keeps running, and prints no stack trace', async () => {
    // this machine and its CI run Linux with unprivileged user namespaces; say so if not
    const probe = spawnSync('unshare', ['-Ur', 'sh', '-c', `echo ${LIMIT} > /proc/sys/user/max_inotify_watches`], { encoding: 'utf8' });
    expect(probe.status, `unshare -Ur must work here: ${probe.stderr || probe.error?.message}`).toBe(0);

    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-enospc-'));
    for (let d = 0; d < 40; d++) {
      await fs.mkdir(path.join(dir, 'src', `d${d}`), { recursive: true });
      for (let f = 0; f < 5; f++) await fs.writeFile(path.join(dir, 'src', `d${d}`, `f${f}.js`), `export const v = ${f};\n`);
    }
    const port = await freePort(); // nothing listens: the service is down, the watcher still runs
    const script = `echo ${LIMIT} > /proc/sys/user/max_inotify_watches && exec "$0" "$@"`;
    child = spawn(
      'unshare',
      ['-Ur', 'sh', '-c', script, process.execPath, BIN, '--watch', '--no-tui', '--json', '--api-url', `http://127.0.0.1:${port}`, '--dir', 'src'],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));

    const warnings = () =>
      stdout
        .split('\n')
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as { type?: string; message?: string }];
          } catch {
            return [];
          }
        })
        .filter((j) => j.type === 'warning' && /max_user_watches/.test(j.message ?? ''));
    await until(() => warnings().length > 0, `a warning naming max_user_watches (stdout: ${stdout.slice(-500)} stderr: ${stderr.slice(-500)})`, 15_000);
    expect(warnings()[0].message).toMatch(
      /^out of file watches \(ENOSPC\): the system limit fs\.inotify\.max_user_watches is reached, so changes may be missed — raise the limit: sudo sysctl fs\.inotify\.max_user_watches=524288/,
    );
    expect(warnings()).toHaveLength(1); // once, not once per directory

    // still running: it quits on SIGINT like any watch run, without a stack trace
    await new Promise((r) => setTimeout(r, 300));
    expect(child.exitCode).toBe(null);
    const exited = new Promise<number | null>((r) => child!.once('close', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
