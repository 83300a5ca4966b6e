// A tiny router: a table of `METHOD /path/:param` patterns, matched in order.
import { HttpError } from './http.js';

/**
 * @typedef {{ method: string, path: string, params: Record<string, string>, body: unknown }} DemoRequest
 * @typedef {{ status: number, body: unknown }} DemoResponse
 * @typedef {(request: DemoRequest) => DemoResponse | Promise<DemoResponse>} Handler
 * @typedef {{ method: string, pattern: string, handler: Handler, readsBody?: boolean }} Route
 */

/** @param {string} segment */
function decodeSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `path segment "${segment}" is not valid percent-encoding`);
  }
}

/**
 * @param {string} pattern e.g. "/api/v1/items/:id"
 * @param {string} path
 * @returns {Record<string, string> | null}
 */
function matchPath(pattern, path) {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  /** @type {Record<string, string>} */
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (got[i] === '') return null;
      params[want[i].slice(1)] = decodeSegment(got[i]);
    } else if (want[i] !== got[i]) {
      return null;
    }
  }
  return params;
}

/**
 * Find the route for a request. When the path exists but not for this method, the
 * answer lists the methods it does allow (for a 405).
 * @param {Route[]} routes
 * @param {string} method
 * @param {string} path
 * @returns {{ route: Route, params: Record<string, string> } | { allowed: string[] } | null}
 */
export function findRoute(routes, method, path) {
  const allowed = [];
  for (const route of routes) {
    const params = matchPath(route.pattern, path);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { allowed } : null;
}
