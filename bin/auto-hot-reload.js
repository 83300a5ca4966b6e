#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('auto-hot-reload: not built yet. Run `npm install` (or `npm run build`) in the package directory.\n');
  process.exit(2);
}
const { run } = await import(main.href);
await run(process.argv.slice(2));
