// How each tool under comparison runs the same tiny service (service.js).
import fs from 'node:fs';
import path from 'node:path';
import { startProcess } from './proc.js';
import { freePort, pollUntil, keepAliveAgent } from './http.js';
import { cliBin, distCli, distAgentServe, exists, nodemonBin, tsxBin, missing } from './paths.js';
import { fileURLToPath } from 'node:url';
import { startTmux } from '../../scripts/tmux.js';

const serveShim = fileURLToPath(new URL('./serve-shim.js', import.meta.url));

const node = process.execPath;

const servesGen = (j) => j && typeof j.gen === 'number';

async function waitServing(url, proc, timeoutMs = 20000, accept = servesGen) {
  const agent = keepAliveAgent();
  try {
    const r = await pollUntil(url, accept, { agent, everyMs: 10, timeoutMs });
    if (r.at === null) throw new Error(`${proc.label}: service at ${url} did not answer within ${timeoutMs} ms\n${proc.stderr.slice(-1500)}`);
  } finally {
    agent.destroy();
  }
}

/** A restart tool: the service is `server.js`, restarted by the tool on every change. */
function restartTool(name, argsFor) {
  return {
    name,
    kind: 'restart',
    unavailable: () => null,
    async start(dir) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/`;
      const proc = startProcess(node, argsFor(dir), { cwd: dir, env: { PORT: String(port), NODE_ENV: 'development' }, label: name });
      await waitServing(url, proc);
      return { name, url, port, procs: [proc], stop: () => proc.stop() };
    },
  };
}

export const nodeWatch = restartTool('node --watch', () => ['--watch', 'server.js']);
export const nodemon = restartTool('nodemon', () => [nodemonBin, 'server.js']);
export const tsxWatch = restartTool('tsx watch', () => [tsxBin, 'watch', 'server.js']);

/** hot-hook: in-process reload through its loader hooks; no verification, no rollback. */
export const hotHook = {
  name: 'hot-hook',
  kind: 'in-process',
  needsNodeModules: true,
  unavailable: () => null,
  async start(dir) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const proc = startProcess(node, ['--import=hot-hook/register', 'server-hot.js'], {
      cwd: dir,
      env: { PORT: String(port) },
      label: 'hot-hook',
    });
    await waitServing(url, proc);
    return { name: 'hot-hook', url, port, procs: [proc], stop: () => proc.stop() };
  },
};

export const AGENT_LINE = /auto-hot-reload agent: serving .* on (http:\/\/[^\s]+) \(pid (\d+)\)/;

export const agentUnavailable = () => (exists(distCli) ? null : missing(distAgentServe, 'the agent (serve)'));

/** The agent alone: `serve src/app.js` (reloads are asked for over HTTP). */
export async function startAgent(dir, { entry = 'src/app.js', extraArgs = [], env = {}, readyPath = '/', accept = servesGen } = {}) {
  const port = await freePort();
  // the real CLI when built; the agent's serve command directly until then
  const cmd = exists(distCli) ? [cliBin, 'serve'] : [serveShim];
  const proc = startProcess(node, [...cmd, entry, '--port', String(port), ...extraArgs], {
    cwd: dir,
    env,
    label: 'auto-hot-reload serve',
  });
  const { match } = await proc.waitForLine(AGENT_LINE, 20000, 'the agent start-up line');
  const base = match[1].replace(/\/$/, '');
  await waitServing(`${base}${readyPath}`, proc, 20000, accept);
  return { url: `${base}/`, base, port, pid: Number(match[2]), proc };
}

/**
 * The watcher CLI, headless with JSON lines, default settings (debounce and cooldown
 * included). Resolves once it has printed its first line (start-up) plus a short settle.
 */
export async function startWatcherCli(dir, apiUrl, { config, dirs = ['src'], extraArgs = [] } = {}) {
  const args = [cliBin, '--watch', '--no-tui', '--json', '--api-url', apiUrl];
  for (const d of dirs) args.push('--dir', d);
  if (config) args.push('--config', config);
  args.push(...extraArgs);
  const proc = startProcess(node, args, { cwd: dir, env: { CI: 'true' }, label: 'auto-hot-reload --watch' });
  await proc.waitForLine(/^\s*\{/, 20000, 'a first JSON line');
  await waitWatcherReady(proc, 10000);
  return proc;
}

/** The CLI's JSON lines, parsed; non-JSON lines are skipped. */
export function parseJsonLine(line) {
  try {
    const v = JSON.parse(line);
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}

async function waitWatcherReady(proc, timeoutMs) {
  const isReady = (line) => {
    const j = parseJsonLine(line);
    if (!j) return false;
    const text = JSON.stringify(j);
    return /"ready"\s*:\s*true/.test(text) || /watch(ing|er)?[- _:]?ready/i.test(text) || j.event === 'ready' || j.type === 'ready';
  };
  if (proc.lines.some(isReady)) return;
  await proc.waitForLine((l) => (isReady(l) ? [l] : null), timeoutMs, 'the watcher ready line').catch(async () => {
    // No explicit ready line in this CLI version: give chokidar a moment instead.
    await new Promise((r) => setTimeout(r, 1500));
  });
}

/** auto-hot-reload = `serve` + the watcher CLI pointing at it. */
export const autoHotReload = {
  name: 'auto-hot-reload',
  kind: 'in-process',
  unavailable: () => missing(distCli, 'the CLI'),
  async start(dir, { config } = {}) {
    const agent = await startAgent(dir);
    let cli;
    try {
      cli = await startWatcherCli(dir, agent.base, { config: config ? path.join(dir, config) : undefined });
    } catch (e) {
      await agent.proc.stop();
      throw e;
    }
    return {
      name: 'auto-hot-reload',
      url: agent.url,
      base: agent.base,
      port: agent.port,
      procs: [agent.proc, cli],
      cli,
      agent: agent.proc,
      stop: async () => {
        await cli.stop();
        await agent.proc.stop();
      },
    };
  },
};

const onPath = (cmd) => (process.env.PATH ?? '').split(path.delimiter).some((d) => d && exists(path.join(d, cmd)));

/** The pane runs `sh -c` (scripts/tmux.js keeps it open after the command): the CLI is its child. */
function childPid(pid) {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]) || null;
  } catch {
    return null; // no /proc: the caller says so
  }
}

/**
 * auto-hot-reload as people run it while coding: `serve` + the CLI with its Ink TUI on a
 * 100×30 terminal (scripts/tmux.js, as the screenshots and the e2e tests drive it). Same
 * settings as the headless row; the screen is read only to see the watcher ready.
 */
export const autoHotReloadTui = {
  name: 'auto-hot-reload (TUI open)',
  kind: 'in-process',
  unavailable: () => missing(distCli, 'the CLI') ?? (onPath('tmux') ? null : 'tmux not installed'),
  async start(dir, { config } = {}) {
    const agent = await startAgent(dir);
    const argv = [process.execPath, cliBin, '--watch', '--api-url', agent.base, '--dir', 'src', ...(config ? ['--config', path.join(dir, config)] : [])];
    let session;
    const stop = async () => {
      await session?.kill();
      await agent.proc.stop();
    };
    try {
      session = await startTmux(argv, { cwd: dir, cols: 100, rows: 30 });
      await session.waitFor(/watching/, 20000, 'the TUI showing the watcher ready');
    } catch (e) {
      await stop();
      throw e;
    }
    const cliPid = childPid(Number(await session.display('#{pane_pid}')));
    return { name: this.name, url: agent.url, base: agent.base, port: agent.port, procs: [agent.proc], cliPid, stop };
  },
};

export const ALL_TOOLS = [autoHotReload, autoHotReloadTui, hotHook, nodeWatch, nodemon, tsxWatch];

/** BENCH_TOOLS="auto-hot-reload,nodemon" narrows a run to some tools (for working on one). */
export function selectTools(tools) {
  const want = (process.env.BENCH_TOOLS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return want.length ? tools.filter((t) => want.includes(t.name)) : tools;
}
