// Browser safety for the hot-reload API. Any web page can send requests to a loopback
// port, so the API refuses what a browser sends on a page's behalf:
// - a request with an `Origin` header (every cross-origin fetch and form POST, and `null`
//   from file:// pages) unless that origin is explicitly allowed;
// - a `Host` that is not loopback, the bound host or an allowed name: DNS rebinding points
//   an attacker's name at 127.0.0.1, and the request then carries that name. With a token
//   the token is the proof (a page cannot send it), so any Host is accepted.
// A body that is not declared JSON (forms and text/plain need no CORS preflight) is refused
// with 415 where bodies are read (body.ts). A request with no body and no Origin (curl, the
// old Python client) passes.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export interface GuardPolicy {
  /** origins (scheme://host[:port]) whose pages may call the API */
  readonly allowOrigins: ReadonlySet<string>;
  /** extra host names (lower case, no port) accepted in `Host` besides loopback */
  readonly allowHosts: ReadonlySet<string>;
  /** a token is configured: the Host check is not needed for the API */
  readonly tokenSet: boolean;
}

export type GuardDecision =
  | { kind: 'refuse'; status: 403; message: string }
  /** a CORS preflight from an allowed origin: answer 204 with these headers */
  | { kind: 'preflight'; headers: Record<string, string> }
  /** go on; `headers` go on every answer (CORS for an allowed origin) */
  | { kind: 'pass'; headers: Record<string, string> };

/** What to do with a request to the hot-reload API, before anything else is looked at. */
export function guardApiRequest(req: IncomingMessage, policy: GuardPolicy): GuardDecision {
  if (!policy.tokenSet && !hostTrusted(req, policy)) {
    return { kind: 'refuse', status: 403, message: `refused: Host ${shown(req.headers.host ?? '')} is not this agent (expected localhost or a loopback address; allow a name with --allow-host)` };
  }
  const origin = req.headers.origin;
  let headers: Record<string, string> = {};
  if (origin !== undefined) {
    if (!policy.allowOrigins.has(origin.toLowerCase())) {
      return { kind: 'refuse', status: 403, message: `refused: requests from web pages (Origin ${shown(origin)}) are not allowed; allow an origin with --allow-origin` };
    }
    headers = { 'access-control-allow-origin': origin, vary: 'Origin' };
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      return {
        kind: 'preflight',
        headers: { ...headers, 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600' },
      };
    }
  }
  return { kind: 'pass', headers };
}

/**
 * The `Host` names this agent: localhost, a loopback address, or an allowed name. A request
 * without a Host (HTTP/1.0) comes from no browser and is trusted.
 */
export function hostTrusted(req: IncomingMessage, policy: Pick<GuardPolicy, 'allowHosts'>): boolean {
  const raw = req.headers.host;
  if (raw === undefined) return true;
  const name = hostName(raw);
  if (name === null) return false;
  return isLoopbackName(name) || policy.allowHosts.has(name);
}

/** The name or address of a Host header without port and brackets, lower case; null when malformed. */
export function hostName(header: string): string | null {
  const h = header.trim().toLowerCase();
  const m = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h) ?? /^([^:[\]\s/@]+)(?::\d{1,5})?$/.exec(h);
  if (!m) return null;
  return m[1].replace(/\.$/, ''); // `localhost.` is localhost
}

/** localhost, 127.0.0.0/8, ::1 (and 127.x mapped into IPv6); brackets allowed. */
export function isLoopbackName(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return isIP(h) === 6 && h.startsWith('::ffff:127.');
}

// A header value in a message: bounded, one line (it is sent back as JSON, never printed).
export function shown(value: string): string {
  const v = JSON.stringify(value);
  return v.length > 100 ? `${v.slice(0, 99)}…` : v;
}

/** Validated `allowOrigins`: each a serialized origin; `null` and `*` are refused by name. */
export function parseAllowOrigins(list: readonly unknown[]): Set<string> | { problem: string } {
  const out = new Set<string>();
  for (const item of list) {
    if (typeof item !== 'string') return { problem: `expected origins as strings, got ${typeof item}` };
    if (item === 'null') return { problem: '"null" is the origin of every file:// page and sandboxed frame; name the page\'s real origin (http://host:port)' };
    if (item === '*') return { problem: '"*" would let every web page reload the service; name each origin (http://host:port)' };
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      return { problem: `expected an origin such as http://localhost:5173, got ${JSON.stringify(item)}` };
    }
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password && !/^[a-z]+:\/\/[^/]+\/./i.test(item);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
      return { problem: `expected an origin such as http://localhost:5173 (scheme, host and port only), got ${JSON.stringify(item)}` };
    }
    out.add(url.origin);
  }
  return out;
}

/** Validated `allowHosts`: host names or addresses without port. */
export function parseAllowHosts(list: readonly unknown[]): Set<string> | { problem: string } {
  const out = new Set<string>();
  for (const item of list) {
    if (typeof item === 'string' && isIP(item) === 6) {
      out.add(item.toLowerCase()); // an IPv6 address without brackets
      continue;
    }
    const name = typeof item === 'string' ? hostName(item) : null;
    const withPort = typeof item === 'string' && name !== null && !['', '[]'].includes(item.trim().toLowerCase().replace(/\.$/, '').replace(name, ''));
    if (name === null || name === '' || withPort) return { problem: `expected a host name or address without port, got ${JSON.stringify(item)}` };
    out.add(name);
  }
  return out;
}
