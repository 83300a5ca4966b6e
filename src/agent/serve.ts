// The `serve` command: run a request-listener module under the agent on one port.
// Prints exactly one line when listening (tools parse it):
//   auto-hot-reload agent: serving FILE on http://HOST:PORT (pid N)
import { createServer, type Server } from 'node:http';
import { visible, visibleLine } from '../visible.js';
import { createAgent, AgentOptionsError, AgentStartError, installStackMapping } from './index.js';
import { parseServeArgs, SERVE_USAGE, UsageError } from './serve-args.js';

const SHUTDOWN_GRACE_MS = 2000;

/** Resolves when the server has stopped; the exit code is left in process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  let args;
  try {
    args = parseServeArgs(argv, process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return fail(2, `auto-hot-reload serve: ${err.message}\n${SERVE_USAGE}`);
  }
  if (args === 'help') {
    process.stdout.write(SERVE_USAGE + '\n');
    return;
  }

  installStackMapping();
  let agent;
  try {
    agent = await createAgent({
      entry: args.file,
      token: args.token,
      keep: args.keep,
      prefix: args.prefix,
      allowOrigins: args.allowOrigins,
      allowHosts: args.allowHosts,
      log: (line) => process.stdout.write(line + '\n'), // the agent's lines are already visible()
    });
  } catch (err) {
    if (err instanceof AgentOptionsError) return fail(2, `auto-hot-reload serve: ${visible(err.message)}`);
    if (err instanceof AgentStartError) {
      return fail(1, `auto-hot-reload serve: cannot load ${visibleLine(args.file)}: ${visible(err.message)}${err.info.stack ? `\n${visible(err.info.stack)}` : ''}`);
    }
    throw err;
  }

  // the service keeps running through a stray rejection in app code; say where it came from
  const onRejection = (reason: unknown) =>
    process.stderr.write(`auto-hot-reload agent: unhandled rejection: ${visible((reason as Error)?.stack ?? String(reason))}\n`);
  process.on('unhandledRejection', onRejection);

  const server = createServer(agent.handler);
  try {
    await listen(server, args.port, args.host);
  } catch (err) {
    agent.close();
    process.off('unhandledRejection', onRejection);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') return fail(2, `auto-hot-reload serve: port ${args.port} on ${args.host} is already in use; pick another with --port N (0 picks a free one)`);
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EACCES') {
      return fail(2, `auto-hot-reload serve: cannot listen on ${args.host}:${args.port} (${e.code})`);
    }
    throw err;
  }
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : args.port;
  const host = args.host.includes(':') && !args.host.startsWith('[') ? `[${args.host}]` : args.host;
  process.stdout.write(`auto-hot-reload agent: serving ${visibleLine(args.file)} on http://${host}:${port} (pid ${process.pid})\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stdout.write(`auto-hot-reload agent: ${signal}, stopping\n`);
      const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  agent.close();
  process.off('unhandledRejection', onRejection);
  process.exitCode = 0;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function fail(code: number, message: string): void {
  process.stderr.write(message + '\n');
  process.exitCode = code;
}
