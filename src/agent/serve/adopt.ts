// Adoption of the servers an app listen()s itself, so that `serve FILE` runs an ordinary
// app unchanged. The first version's listen() binds as asked (the one real socket per
// server); the agent routes that socket's requests: the hot-reload API under the prefix,
// everything else to the active version's handler for that server. A reload re-runs the
// entry; its listen() calls bind nothing: each is matched to an adopted server (by what it
// asked for, else by order) and only records the new version's handler.
// (The app's SIGINT/SIGTERM/SIGHUP handlers are kept per module instance, by its own view
// of `process`: side-effects.ts.)
import { Server as HttpServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { Server as NetServer } from 'node:net';

type AnyFn = (...args: any[]) => any;

export const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type ShutdownSignal = (typeof SIGNALS)[number];

/** One adopted server: its real, bound socket and what the app asked for. */
export interface Slot {
  readonly index: number;
  readonly server: HttpServer;
  /** `port:3000` / `path:/tmp/app.sock`: what the first listen() asked for */
  readonly key: string;
}

/** What one version of the app registered: its servers (by slot). */
export class AppHandles {
  /** the version's server object per slot (the real one for the version that bound it) */
  readonly servers: HttpServer[] = [];
  /** the version's request handler per slot */
  readonly handlers: RequestListener[] = [];
  /** first-load binds: resolve when listening, reject with the listen error */
  readonly binds: Promise<void>[] = [];
  /** listen() calls seen */
  listens = 0;
  private waiters: (() => void)[] = [];

  notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves true once `ready()` holds, false after `timeoutMs`. */
  waitFor(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const check = () => {
        if (ready()) {
          clearTimeout(timer);
          resolve(true);
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }
}

/** What a listen() call asked for, as a matching key. */
export function listenKey(args: readonly unknown[]): string {
  const a = args[0];
  if (typeof a === 'number' || (typeof a === 'string' && /^\d+$/.test(a))) return `port:${Number(a)}`;
  if (typeof a === 'string') return `path:${a}`;
  if (a && typeof a === 'object') {
    const o = a as { port?: unknown; path?: unknown };
    if (o.path !== undefined) return `path:${String(o.path)}`;
    if (o.port !== undefined) return `port:${Number(o.port)}`;
  }
  return 'port:0';
}

/** The same listen() arguments with another port (a pipe path is left alone). */
export function withPort(args: readonly unknown[], port: number): unknown[] {
  const a = args[0];
  if (typeof a === 'number' || (typeof a === 'string' && /^\d+$/.test(a))) return [port, ...args.slice(1)];
  if (a === undefined || a === null || typeof a === 'function') return [port, ...args.slice(a == null ? 1 : 0)];
  if (typeof a === 'object' && (a as { path?: unknown }).path === undefined) return [{ ...(a as object), port }, ...args.slice(1)];
  return [...args];
}

export interface AdopterOptions {
  /** `--port`: where the first server binds instead of what the app asked */
  portOverride?: number;
  /** the request handler of slot i (the agent's API, then the active version's handler) */
  dispatch(slot: number): RequestListener;
  /** the active version's handles (undefined before the first version is active) */
  active(): AppHandles | undefined;
  /** a server bound after its version was active (a late listen) or failing to */
  log(line: string): void;
}

const origListen = NetServer.prototype.listen;
const origClose = NetServer.prototype.close;
/** listen() past the adoption: the agent's own server (a request-listener app's). */
export function listenDirect(server: NetServer, ...args: unknown[]): NetServer {
  return origListen.apply(server, args as never);
}

const processOn = process.on;
const processOff = process.off;
/** A signal handler of the agent's own, on the real process; returns its remover. */
export function onSignalDirect(signal: ShutdownSignal, fn: (signal: ShutdownSignal) => void): () => void {
  processOn.call(process, signal, fn);
  return () => processOff.call(process, signal, fn);
}


export class ServerAdopter {
  readonly slots: Slot[] = [];
  private loading: AppHandles | undefined;
  private shuttingDown = false;
  private restore: (() => void)[] = [];

  constructor(private readonly opts: AdopterOptions) {}

  /** Patches listen(); safe to call twice. */
  install(): void {
    if (this.restore.length) return;
    const self = this;
    NetServer.prototype.listen = function (this: NetServer, ...args: unknown[]) {
      return self.onListen(this, args);
    } as typeof origListen;
    this.restore.push(() => (NetServer.prototype.listen = origListen));
  }

  uninstall(): void {
    for (const undo of this.restore.splice(0).reverse()) undo();
  }

  /** listen() calls from now on belong to a new version, until end(). */
  begin(): AppHandles {
    this.loading = new AppHandles();
    return this.loading;
  }

  end(): void {
    this.loading = undefined;
  }

  /** Connections open on the adopted sockets now (clients', not the app's: no leak). */
  connections(): number {
    return this.slots.reduce((n, s) => n + ((s.server as unknown as { _connections?: number })._connections ?? 0), 0);
  }

  /** Closes every adopted socket; resolves when all are closed. */
  closeAll(): Promise<void> {
    this.shuttingDown = true;
    return Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (!s.server.listening) return resolve();
            origClose.call(s.server, () => resolve());
            s.server.closeIdleConnections();
          }),
      ),
    ).then(() => undefined);
  }

  /** Ends every open connection (the grace period is over). */
  dropConnections(): void {
    for (const s of this.slots) s.server.closeAllConnections();
  }

  private onListen(server: NetServer, args: unknown[]): NetServer {
    const owner = this.loading ?? this.opts.active();
    // raw TCP servers, and listen()s before the agent runs a version, are left alone
    const http = server instanceof HttpServer || server instanceof HttpsServer;
    if (!http || !owner) return origListen.apply(server, args as never);
    const key = listenKey(args);
    const free = (s: Slot) => owner.servers[s.index] === undefined;
    const slot = this.slots.find((s) => s.key === key && free(s)) ?? this.slots.find((s) => s.index === owner.listens && free(s));
    owner.listens++;
    // an https.Server answers requests as an http.Server does (tls.Server underneath)
    const web = server as HttpServer;
    if (slot) return this.attach(owner, slot, web, args);
    return this.bind(owner, web, args, key);
  }

  // A new socket: the first version's servers (and a version's extra server).
  private bind(owner: AppHandles, server: HttpServer, args: unknown[], key: string): HttpServer {
    const index = this.slots.length;
    const asked = index === 0 && this.opts.portOverride !== undefined ? withPort(args, this.opts.portOverride) : args;
    this.slots.push({ index, server, key });
    const ownEmit = server.emit as AnyFn;
    const dispatch = this.opts.dispatch(index);
    const active = () => this.opts.active()?.servers[index];
    // every request passes here: no rest parameters or spreads on that path
    server.emit = function (this: HttpServer, event: string | symbol, req?: unknown, res?: unknown) {
      if (event === 'request') {
        dispatch(req as IncomingMessage, res as ServerResponse);
        return true;
      }
      // WebSocket upgrades go to the active version's own server (its ws/socket.io listeners)
      const current = event === 'upgrade' ? active() : undefined;
      if (current && current !== server) return (current.emit as AnyFn).apply(current, arguments as unknown as unknown[]);
      return ownEmit.apply(this, arguments as unknown as unknown[]);
    } as typeof server.emit;
    owner.servers[index] = server;
    owner.handlers[index] = (req, res) => ownEmit.call(server, 'request', req, res);
    this.guardClose(server, owner);
    const late = owner !== this.loading;
    owner.binds.push(
      new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => {
          if (late) this.opts.log(`auto-hot-reload agent: a server of the running version could not listen: ${err.message}`);
          reject(err);
        };
        server.once('error', onError);
        server.once('listening', () => {
          server.off('error', onError);
          resolve();
        });
      }),
    );
    owner.binds.at(-1)!.catch(() => {});
    owner.notify();
    return origListen.apply(server, asked as never) as HttpServer;
  }

  // A reload's server: binds nothing; the adopted socket will hand it requests.
  private attach(owner: AppHandles, slot: Slot, server: HttpServer, args: unknown[]): HttpServer {
    owner.servers[slot.index] = server;
    owner.handlers[slot.index] = (req, res) => server.emit('request', req, res);
    server.address = () => slot.server.address();
    Object.defineProperty(server, 'listening', { configurable: true, get: () => slot.server.listening });
    this.guardClose(server, owner, slot);
    const cb = args.at(-1);
    if (typeof cb === 'function') server.once('listening', cb as AnyFn);
    process.nextTick(() => server.emit('listening'));
    owner.notify();
    return server;
  }

  // server.close() from the app closes the real socket only when the active version (or a
  // shutdown) asks; an old or failed version closing "its" server must not take it down.
  private guardClose(server: HttpServer, owner: AppHandles, slot?: Slot): void {
    const real = slot?.server ?? server;
    server.close = ((cb?: (err?: Error) => void) => {
      if (this.shuttingDown || this.opts.active() === owner) {
        if (real.listening) origClose.call(real, cb);
        else if (cb) process.nextTick(cb);
      } else if (cb) process.nextTick(cb);
      return server;
    }) as typeof server.close;
  }
}
