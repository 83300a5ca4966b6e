#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
// `serve` runs inside the user's service: that process loads the agent alone, none of the
// client (config schemas, engine, TUI), whose heap every major GC of the app would mark again.
const serve = argv[0] === 'serve';
const main = new URL(serve ? '../dist/src/agent/serve/serve.js' : '../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('auto-hot-reload: not built yet. Run `npm install` (or `npm run build`) in the package directory.\n');
  process.exit(2);
}
if (serve) {
  const agent = await import(main.href);
  await agent.main(argv.slice(1));
} else {
  const { run } = await import(main.href);
  await run(argv);
}
