// The tiny service every tool runs: a node:http request listener (src/app.js) whose
// handler module (src/handler.js) answers its code generation, plus an in-memory
// counter module (src/state.js) that shows whether state survives a reload.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { nodeModules } from './paths.js';

export function handlerSource(gen, padBytes = 0) {
  // The padding makes "a 64 KiB module" without changing what the handler does.
  const pad = padBytes > 0 ? `export const pad = ${JSON.stringify('x'.repeat(padBytes))};\n` : '';
  return (
    `// generation ${gen}\n` +
    `export const gen = ${gen};\n` +
    pad +
    `export default function handler(req, res, count) {\n` +
    `  res.writeHead(200, { 'content-type': 'application/json' });\n` +
    `  res.end(JSON.stringify({ gen, count, pid: process.pid }));\n` +
    `}\n`
  );
}

const APP = `import handler from './handler.js';
import { hit } from './state.js';
export default function app(req, res) {
  handler(req, res, hit());
}
`;

const STATE = `// In-memory state: survives a hot reload, lost by a restart.
let count = 0;
export function hit() {
  return ++count;
}
`;

// For the restart tools: a plain server that imports the app statically.
const SERVER = `import http from 'node:http';
import app from './src/app.js';
http.createServer(app).listen(Number(process.env.PORT), '127.0.0.1');
`;

// For hot-hook: the app is a boundary, imported dynamically per request (its README's pattern).
const SERVER_HOT = `import http from 'node:http';
http
  .createServer(async (req, res) => {
    // an import can race a half-written file; answer 500 rather than crash the process
    try {
      const { default: app } = await import('./src/app.js', import.meta.hot?.boundary);
      app(req, res);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String(e?.message ?? e) }));
    }
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

/**
 * Lay out the service in `dir`. `withNodeModules` links the repo's node_modules in
 * (hot-hook's --import and its injected code resolve 'hot-hook' from the service).
 */
export async function writeService(dir, { gen = 0, padBytes = 0, withNodeModules = false, config } = {}) {
  await fsp.mkdir(path.join(dir, 'src'), { recursive: true });
  await fsp.writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench-svc', private: true, type: 'module' }, null, 2));
  await fsp.writeFile(path.join(dir, 'src/handler.js'), handlerSource(gen, padBytes));
  await fsp.writeFile(path.join(dir, 'src/app.js'), APP);
  await fsp.writeFile(path.join(dir, 'src/state.js'), STATE);
  await fsp.writeFile(path.join(dir, 'server.js'), SERVER);
  await fsp.writeFile(path.join(dir, 'server-hot.js'), SERVER_HOT);
  if (config) await fsp.writeFile(path.join(dir, 'hot-reload.config.json'), JSON.stringify(config, null, 2));
  if (withNodeModules) await fsp.symlink(nodeModules, path.join(dir, 'node_modules'), 'dir');
  return { dir, handler: path.join(dir, 'src/handler.js') };
}

let tmpSeq = 0;

/** Save the handler as an editor would: in place, or temp file + rename (atomic save). */
export async function saveHandler(file, gen, mode, padBytes = 0) {
  const text = handlerSource(gen, padBytes);
  if (mode === 'atomic') {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++tmpSeq}.tmp`);
    await fsp.writeFile(tmp, text);
    await fsp.rename(tmp, file);
  } else {
    await fsp.writeFile(file, text);
  }
}
