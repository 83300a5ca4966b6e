// The agent's name and version, as `status.agent` reports them.
import { createRequire } from 'node:module';

export const AGENT_NAME = 'auto-hot-reload';

// package.json is two levels above src/agent/ and three above dist/src/agent/;
// try both so the answer is right when run from source and from the build.
function readVersion(): string {
  const require = createRequire(import.meta.url);
  for (const p of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = require(p) as { name?: string; version?: string };
      if (pkg.name === AGENT_NAME && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
}

export const AGENT_VERSION = readVersion();
