// GET /health: answered by the app when it handles it, otherwise by the agent.
// The app gets the request first; when it answers 404 (no such route) the agent answers
// in its place on the same response. An app that has begun no answer within a bound is
// hanging, which is not healthy: the agent then answers 503 for it.
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Who answers /health, from the entry's `handlesHealth` export: `true` → always the app,
 * `false` → always the agent, absent → the app first, the agent when the app does not.
 */
export type HealthMode = 'app' | 'agent' | 'auto';

export function healthMode(exported: unknown): HealthMode | { problem: string } {
  if (exported === undefined) return 'auto';
  if (exported === true) return 'app';
  if (exported === false) return 'agent';
  return { problem: `handlesHealth: expected true or false (or no export), got ${exported === null ? 'null' : typeof exported}` };
}

/** A health check: GET or HEAD of /health, with or without a query string. */
export function isHealthCheck(req: IncomingMessage): boolean {
  const url = req.url ?? '/';
  return (req.method === 'GET' || req.method === 'HEAD') && (url === '/health' || url.startsWith('/health?'));
}

// What the app may still call on a response the agent has answered: each becomes a no-op,
// so that the app finishes its work without errors (a header set late would throw).
const SILENCED = ['writeHead', 'write', 'end', 'setHeader', 'appendHeader', 'removeHeader', 'flushHeaders'] as const;
const INTERCEPTED = ['writeHead', 'write', 'end'] as const;

type Own = Record<string, unknown>;
type Method = (...args: unknown[]) => unknown;

/**
 * Watches this one response while the app handles /health. When the app answers 404
 * before anything is sent, or has begun no answer after `timeoutMs`, `answer` is written
 * instead and whatever the app does with the response afterwards goes nowhere. Any other
 * answer of the app passes untouched (streamed ones included).
 *
 * Node calls `res.writeHead` for the implicit head too (`_implicitHeader`), and
 * `res.write`/`res.end` look the method up on the instance, so instance properties see
 * every way an answer starts; `write`/`end` check the status before Node's own code runs,
 * so the app's chunk never reaches the socket.
 */
export type TakeOverReason = 'not-found' | 'timeout';

export function answerUnlessAppDoes(
  res: ServerResponse,
  answer: (res: ServerResponse, why: TakeOverReason) => void,
  timeoutMs: number,
): void {
  const own = res as unknown as Own;
  // looked up at call time: Express swaps the response's prototype after we start
  const native = (name: string, args: unknown[]) => ((Object.getPrototypeOf(res) as Own)[name] as Method).apply(res, args);
  const ours: Record<(typeof INTERCEPTED)[number], Method> = {
    writeHead: (status, ...rest) => {
      if (notFound(status)) {
        takeOver('not-found');
        return res;
      }
      stepAside();
      return native('writeHead', [status, ...rest]);
    },
    write: (...args) => intercept('write', args),
    end: (...args) => intercept('end', args),
  };
  let settled = false;
  const notFound = (status: unknown) => !settled && Number(status) === 404 && !res.headersSent;
  const intercept = (name: 'write' | 'end', args: unknown[]) => {
    if (notFound(res.statusCode)) {
      takeOver('not-found');
      return (own[name] as Method)(...args); // the silenced one
    }
    stepAside();
    return native(name, args);
  };
  const stepAside = () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    // a middleware that wrapped ours (compression, on-headers) keeps its wrapper
    for (const name of INTERCEPTED) if (own[name] === ours[name]) delete own[name];
  };
  const takeOver = (why: TakeOverReason) => {
    stepAside();
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.statusMessage = ''; // an app's 404 may have set 'Not Found'; Node fills in the right one
    answer(res, why);
    for (const name of SILENCED) {
      if (typeof own[name] !== 'function') continue;
      own[name] = (...args: unknown[]) => {
        const cb = args[args.length - 1];
        if (typeof cb === 'function' && (name === 'write' || name === 'end')) process.nextTick(cb as () => void);
        return name === 'write' ? true : res;
      };
    }
  };

  for (const name of INTERCEPTED) own[name] = ours[name];
  const timer = setTimeout(() => {
    if (settled) return;
    if (res.headersSent || res.writableEnded) stepAside();
    else takeOver('timeout');
  }, timeoutMs);
  timer.unref();
  res.once('close', stepAside);
}
