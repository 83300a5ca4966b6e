// Fallback for `auto-hot-reload serve` while the CLI entry (dist/src/cli/main.js) is not
// built yet: runs the agent's own serve command directly.
import { pathToFileURL } from 'node:url';
import { distAgentServe } from './paths.js';

const { main } = await import(pathToFileURL(distAgentServe).href);
await main(process.argv.slice(2));
