// A tiny in-process server that answers protocol v1 and counts reload-all calls; the
// watcher storm benchmark points the real CLI at it.
import http from 'node:http';
import { DEFAULT_PREFIX } from './protocol.js';

export async function startFakeService() {
  const bootId = `bench-${process.pid}-${Date.now()}`;
  const startedAt = new Date().toISOString();
  let version = 1;
  const reloads = []; // {at, files}
  const send = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= 2 * 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      const url = new URL(req.url, 'http://x');
      const p = url.pathname;
      if (p === '/health') return send(res, 200, { ok: true });
      if (p === `${DEFAULT_PREFIX}/status`) {
        return send(res, 200, {
          success: true,
          status: { running: true, state: 'idle', version, versions_kept: [version], boot_id: bootId, pid: process.pid, started_at: startedAt },
        });
      }
      if (p === `${DEFAULT_PREFIX}/reload-all` && req.method === 'POST') {
        let body = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          /* counted all the same */
        }
        reloads.push({ at: performance.now(), files: Array.isArray(body.files) ? body.files : [] });
        const prev = version++;
        return send(res, 200, {
          success: true,
          message: 'reloaded',
          reloaded_modules: ['app.js'],
          failed_modules: [],
          version,
          previous_version: prev,
          activated: true,
          duration_ms: 1,
        });
      }
      if (p === `${DEFAULT_PREFIX}/verify` && req.method === 'POST') return send(res, 200, { success: true, checks: { fake: { ok: true, detail: 'fine' } } });
      if (p === `${DEFAULT_PREFIX}/rollback`) return send(res, 409, { success: false, message: 'nothing to roll back' });
      send(res, 200, { ok: true });
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    reloads,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}
