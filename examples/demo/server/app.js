// The demo service: a plain node:http request listener, run by the hot-reload agent
// (`npm run demo:service`). Edit any file under server/, trigger a reload, and the
// same process answers with the new code; the counter and the items keep their values.
import { HttpError, readJson, sendJson } from './http.js';
import { findRoute } from './router.js';
import { bumpCounter, getCounter } from './routes/counter.js';
import { greeting } from './routes/greeting.js';
import { createItemRoute, getItemRoute, listItemsRoute } from './routes/items.js';

/** @type {import('./router.js').Route[]} */
const routes = [
  { method: 'GET', pattern: '/', handler: index },
  { method: 'GET', pattern: '/health', handler: () => ({ status: 200, body: { ok: true } }) },
  { method: 'GET', pattern: '/api/v1/greeting', handler: greeting },
  { method: 'GET', pattern: '/api/v1/counter', handler: getCounter },
  { method: 'POST', pattern: '/api/v1/counter', handler: bumpCounter },
  { method: 'GET', pattern: '/api/v1/items', handler: listItemsRoute },
  { method: 'POST', pattern: '/api/v1/items', handler: createItemRoute, readsBody: true },
  { method: 'GET', pattern: '/api/v1/items/:id', handler: getItemRoute },
];

function index() {
  return {
    status: 200,
    body: { service: 'auto-hot-reload demo', routes: routes.map((r) => `${r.method} ${r.pattern}`) },
  };
}

/**
 * Route a request to its handler. Deliberate failures (HttpError) become JSON answers;
 * anything else propagates, so a broken handler shows up with its own stack.
 * @param {{ method: string, path: string, body?: unknown }} request
 * @returns {Promise<import('./router.js').DemoResponse & { headers?: Record<string, string> }>}
 */
export async function dispatch(request) {
  try {
    const found = findRoute(routes, request.method, request.path);
    if (!found) return { status: 404, body: { error: `no route for ${request.method} ${request.path}` } };
    if ('allowed' in found) {
      return {
        status: 405,
        headers: { allow: found.allowed.join(', ') },
        body: { error: `${request.method} is not allowed on ${request.path}`, allowed: found.allowed },
      };
    }
    return await found.route.handler({ method: request.method, path: request.path, params: found.params, body: request.body });
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, body: { error: error.message } };
    throw error;
  }
}

/**
 * The request listener the agent serves.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
export default async function app(req, res) {
  // HEAD is GET without a body (node:http drops the body itself), so `curl -I` works
  const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
  const path = (req.url ?? '/').split('?')[0];
  try {
    const found = findRoute(routes, method, path);
    const wantsBody = found !== null && 'route' in found && found.route.readsBody === true;
    const body = wantsBody ? await readJson(req) : undefined;
    const answer = await dispatch({ method, path, body });
    sendJson(res, answer.status, answer.body, answer.headers);
  } catch (error) {
    if (error instanceof HttpError) {
      // The rest of an oversized body is not read: close instead of keeping the socket.
      sendJson(res, error.status, { error: error.message }, error.status === 413 ? { connection: 'close' } : {});
      return;
    }
    if (res.destroyed) return; // the client went away mid-request: nobody to answer
    console.error(`demo: ${method} ${path} failed:`, error);
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    else res.destroy();
  }
}

/** Tells the agent that this app answers `GET /health` itself (otherwise the agent would). */
export const handlesHealth = true;

/**
 * Checks the agent runs before it activates a new version (and on `verify`): each calls
 * the routes in-process and answers true, `{ok, detail}`, or throws.
 */
export const checks = {
  greeting: async () => {
    const answer = await dispatch({ method: 'GET', path: '/api/v1/greeting' });
    const text = /** @type {{ greeting?: unknown }} */ (answer.body ?? {}).greeting;
    if (answer.status !== 200) return { ok: false, detail: `GET /api/v1/greeting answered ${answer.status}, expected 200` };
    if (typeof text !== 'string' || text.trim() === '') {
      return { ok: false, detail: `greeting is ${JSON.stringify(text) ?? 'undefined'}, expected a non-empty string` };
    }
    return { ok: true, detail: `says "${text}"` };
  },
  items: async () => {
    const list = await dispatch({ method: 'GET', path: '/api/v1/items' });
    const items = /** @type {{ items?: unknown }} */ (list.body ?? {}).items;
    if (list.status !== 200 || !Array.isArray(items)) {
      return { ok: false, detail: `GET /api/v1/items answered ${list.status} without an "items" array` };
    }
    const missing = await dispatch({ method: 'GET', path: '/api/v1/items/999999999' });
    if (missing.status !== 404) return { ok: false, detail: `an unknown item answered ${missing.status}, expected 404` };
    // Read-only on purpose: a check runs on every reload and must not add items.
    const invalid = await dispatch({ method: 'POST', path: '/api/v1/items', body: {} });
    if (invalid.status !== 400) return { ok: false, detail: `an item without a name answered ${invalid.status}, expected 400` };
    return { ok: true, detail: `${items.length} items listed` };
  },
};
