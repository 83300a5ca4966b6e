// The `serve` command: run an app under the agent as `node FILE` would. The servers the
// app listen()s are adopted (the hot-reload API answers on them); an app that listens
// nowhere is served from its default export (a request listener) on --port.
// Prints exactly one line when serving (tools parse it):
//   auto-hot-reload agent: serving FILE on http://HOST:PORT (pid N)
import { createServer, type Server } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { visible, visibleLine } from '../../protocol/visible.js';
import { listenDirect, onSignalDirect, SIGNALS, type ShutdownSignal } from './adopt.js';
import { AgentOptionsError, AgentStartError, installStackMapping, startCore, wrap } from '../index.js';
import type { HotReloadAgent } from '../agent.js';
import { parseServeArgs, SERVE_USAGE, UsageError, type ServeArgs } from './serve-args.js';

/** Resolves when the server has stopped; the exit code is left in process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  const args = parse(argv);
  if (!args) return;
  runAsNode(args);
  // a signal during the first load: nothing of the app's to run yet, leave at once
  const early = (signal: string) => process.exit(signal === 'SIGINT' ? 130 : 143);
  const unEarly = SIGNALS.map((s) => onSignalDirect(s, early));
  const onParentGone = followParent(() => early('SIGHUP'));
  let core: HotReloadAgent;
  try {
    core = await startAgent(args);
  } finally {
    for (const off of unEarly) off();
  }
  reportStrayRejections();
  const { own, url } = await serveFirstVersion(core, args);
  process.stdout.write(`auto-hot-reload agent: serving ${visibleLine(args.file)} on ${url} (pid ${process.pid})\n`);
  await stopOnSignal(core, own, args, (stop) => onParentGone(() => stop('SIGHUP')));
}

/** The arguments, or undefined when there is nothing to run (--help, or a usage error: exit code 2). */
function parse(argv: string[]): ServeArgs | undefined {
  let args;
  try {
    args = parseServeArgs(argv, process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    fail(2, `auto-hot-reload serve: ${err.message}\n${SERVE_USAGE}`);
    return undefined;
  }
  if (args === 'help') {
    process.stdout.write(SERVE_USAGE + '\n');
    return undefined;
  }
  return args;
}

/** As `node FILE ARGS…`: the app sees its own argv (and knows it runs hot-reloaded). */
function runAsNode(args: ServeArgs): void {
  process.argv = [process.execPath, resolve(args.file), ...args.appArgs];
  process.env.AUTO_HOT_RELOAD = '1';
  installStackMapping();
}

/**
 * Started by the CLI (dev, demo) with an IPC channel: when it closes, the CLI is gone —
 * stop as on SIGHUP, so that the service never outlives it. `onGone` runs then; the
 * returned function replaces it (once serving, the stop is a graceful one).
 */
function followParent(onGone: () => void): (next: () => void) => void {
  let onParentGone = onGone;
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', () => onParentGone());
  }
  return (next) => {
    onParentGone = next;
  };
}

/** The first version loaded and ready; a failed start exits (2 bad options, 1 the app did not load). */
async function startAgent(args: ServeArgs): Promise<HotReloadAgent> {
  try {
    return await startCore({
      entry: args.file,
      token: args.token,
      keep: args.keep,
      prefix: args.prefix,
      loadTimeoutMs: args.loadTimeoutMs,
      adopt: { port: args.portGiven ? args.port : undefined },
      readyTimeoutMs: args.readyTimeoutMs,
      allowOrigins: args.allowOrigins,
      allowHosts: args.allowHosts,
      log: (line) => process.stdout.write(line + '\n'), // the agent's lines are already visible()
    });
  } catch (err) {
    if (err instanceof AgentOptionsError) return exitNow(2, `auto-hot-reload serve: ${visible(err.message)}`);
    if (err instanceof AgentStartError) {
      // the app's own servers or timers must not keep a failed start alive
      return exitNow(1, `auto-hot-reload serve: cannot load ${visibleLine(args.file)}: ${visible(err.message)}${err.info.stack ? `\n${visible(err.info.stack)}` : ''}`);
    }
    throw err;
  }
}

/** The service keeps running through a stray rejection in app code; say where it came from. */
function reportStrayRejections(): void {
  process.on('unhandledRejection', (reason: unknown) =>
    process.stderr.write(`auto-hot-reload agent: unhandled rejection: ${visible((reason as Error)?.stack ?? String(reason))}\n`),
  );
}

/**
 * Where the first version answers: the first server the app listen()ed (adopted), or for
 * an app that listens nowhere our own server for its default export on --port (a port
 * that cannot be had exits 2).
 */
async function serveFirstVersion(core: HotReloadAgent, args: ServeArgs): Promise<{ own?: Server; url: string }> {
  if (core.mode !== 'listener') {
    const first = core.adopter!.slots[0].server;
    return { url: httpUrl(first.address(), '127.0.0.1', first instanceof HttpsServer ? 'https' : 'http') };
  }
  const own = createServer(wrap(core).handler);
  try {
    await listen(own, args.port, args.host);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') return exitNow(2, `auto-hot-reload serve: port ${args.port} on ${args.host} is already in use; pick another with --port N (0 picks a free one)`);
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EACCES') {
      return exitNow(2, `auto-hot-reload serve: cannot listen on ${args.host}:${args.port} (${e.code})`);
    }
    throw err;
  }
  return { own, url: httpUrl(own.address(), args.host) };
}

/** The URL the API answers on: an address bound to every interface is reached on loopback. */
function httpUrl(address: AddressInfo | string | null, fallbackHost: string, scheme = 'http'): string {
  if (typeof address === 'string') return `unix:${address}`;
  if (!address) return `${scheme}://${fallbackHost}`;
  let host = address.address;
  if (host === '::' || host === '0.0.0.0') host = '127.0.0.1';
  if (host.includes(':')) host = `[${host}]`;
  return `${scheme}://${host}:${address.port}`;
}

// SIGINT/SIGTERM/SIGHUP: the active version's own handlers first (its graceful shutdown),
// then the servers close; the process exits when they have (or when the app's handlers let
// it), and at the latest after the grace period. A second signal exits at once.
function stopOnSignal(
  core: HotReloadAgent,
  own: Server | undefined,
  args: ServeArgs,
  expose: (stop: (signal: ShutdownSignal) => void) => void,
): Promise<void> {
  return new Promise<void>(() => {
    let stopping = false;
    const stop = (signal: ShutdownSignal) => {
      if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
      stopping = true;
      process.stdout.write(`auto-hot-reload agent: ${signal}, stopping\n`);
      const appHandlers = core.signalHandlers(signal);
      for (const h of appHandlers) {
        try {
          h(signal);
        } catch (err) {
          process.stderr.write(`auto-hot-reload agent: the app's ${signal} handler threw: ${visible((err as Error)?.stack ?? String(err))}\n`);
        }
      }
      core.close();
      const grace = setTimeout(() => {
        process.stdout.write(`auto-hot-reload agent: still running ${args.graceMs / 1000} s after ${signal}; exiting\n`);
        process.exit(0);
      }, args.graceMs);
      // the app's handlers decide when it is done (process.exit, or nothing left to run)
      if (appHandlers.length) grace.unref();
      void closeServers(core, own).then(() => {
        if (!appHandlers.length) process.exit(0);
      });
    };
    for (const s of SIGNALS) onSignalDirect(s, () => stop(s));
    expose(stop);
  });
}

function closeServers(core: HotReloadAgent, own: Server | undefined): Promise<void> {
  const closing = [core.adopter?.closeAll() ?? Promise.resolve()];
  if (own) {
    closing.push(new Promise<void>((ok) => own.close(() => ok())));
    own.closeIdleConnections();
  }
  return Promise.all(closing).then(() => undefined);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    listenDirect(server, port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function fail(code: number, message: string): void {
  process.stderr.write(message + '\n');
  process.exitCode = code;
}

function exitNow(code: number, message: string): never {
  process.stderr.write(message + '\n');
  process.exit(code);
}
