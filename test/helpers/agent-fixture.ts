// Real apps in temp dirs, served by in-process agents or by real `serve` processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createAgent, type Agent, type AgentOptions } from '../../src/agent/index.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const PREFIX = '/api/v1/hot-reload';

export interface AppDir {
  dir: string;
  path(rel: string): string;
  write(rel: string, text: string): void;
  cleanup(): void;
}

/** Files in a fresh temp dir; `nodeModules` links the repo's node_modules (for express). */
export function appDir(files: Record<string, string>, opts: { nodeModules?: boolean } = {}): AppDir {
  const dir = mkdtempSync(join(tmpdir(), 'ahr-agent-'));
  if (opts.nodeModules) symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const app: AppDir = {
    dir,
    path: (rel) => join(dir, rel),
    write: (rel, text) => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  for (const [rel, text] of Object.entries(files)) app.write(rel, text);
  return app;
}

export interface Served {
  agent: Agent;
  base: string;
  close(): Promise<void>;
}

/** An in-process agent on a real HTTP server on an ephemeral loopback port. */
export async function serveInProcess(options: AgentOptions): Promise<Served> {
  const agent = await createAgent(options);
  const server: Server = createServer(agent.handler);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    agent,
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        agent.close();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export interface Call {
  status: number;
  body: any;
}

/** `raw` is sent as JSON (content-type application/json) unless `contentType` says otherwise. */
export async function call(
  url: string,
  init: { method?: string; body?: unknown; raw?: string; token?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<Call> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined = init.raw;
  if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text answer
  }
  return { status: res.status, body: parsed };
}

export interface ServeProcess {
  proc: ChildProcess;
  port: number;
  pid: number;
  base: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const LISTENING = /^auto-hot-reload agent: serving .+ on http:\/\/(.+):(\d+) \(pid (\d+)\)$/m;

/**
 * Runs `serve` in a real child process, from the build: through the real CLI
 * (`bin/auto-hot-reload.js serve …`) with `via: 'cli'`, else straight through the agent's
 * serve module, so that these tests do not depend on the CLI's own state.
 */
export function spawnServe(
  args: string[],
  env: Record<string, string> = {},
  via: 'agent' | 'cli' = 'agent',
): { proc: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
  const launcher = `import(${JSON.stringify(join(REPO, 'dist/src/agent/serve/serve.js'))}).then((m) => m.main(process.argv.slice(1)))`;
  const argv = via === 'cli' ? [join(REPO, 'bin/auto-hot-reload.js'), 'serve', ...args] : ['--input-type=module', '-e', launcher, ...args];
  const proc = spawn(process.execPath, argv, {
    cwd: REPO,
    env: { ...process.env, HOT_RELOAD_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const done = new Promise<{ code: number | null; output: string }>((ok) => proc.on('close', (code) => ok({ code, output })));
  (proc as ChildProcess & { output: () => string }).output = () => output;
  return { proc, done };
}

export async function startServe(args: string[], env: Record<string, string> = {}, via: 'agent' | 'cli' = 'agent'): Promise<ServeProcess> {
  // before `--`: what follows it is the app's own argv
  const dashes = args.indexOf('--');
  const own = dashes < 0 ? [...args, '--port', '0'] : [...args.slice(0, dashes), '--port', '0', ...args.slice(dashes)];
  const { proc, done } = spawnServe(own, env, via);
  const output = () => (proc as ChildProcess & { output: () => string }).output();
  const deadline = Date.now() + 10_000;
  let m: RegExpExecArray | null = null;
  while (!(m = LISTENING.exec(output())) && Date.now() < deadline && proc.exitCode === null) {
    await new Promise((r) => setTimeout(r, 20));
  }
  if (!m) {
    proc.kill('SIGKILL');
    throw new Error(`serve did not start: ${output()}`);
  }
  const port = Number(m[2]);
  return {
    proc,
    port,
    pid: Number(m[3]),
    base: `http://127.0.0.1:${port}`,
    output,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const { code } = await done;
      clearTimeout(timer);
      return code;
    },
  };
}
