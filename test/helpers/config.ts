// A complete, normalized Config for tests; override only what a test cares about.
import path from 'node:path';
import os from 'node:os';
import type { Config } from '../../src/types.js';

export function makeConfig(overrides: Partial<Config> & { apiUrl?: string; token?: string } = {}): Config {
  const { apiUrl, token, ...rest } = overrides;
  const root = rest.root ?? path.join(os.tmpdir(), 'ahr-test-root');
  const prefix = '/api/v1/hot-reload';
  return {
    root,
    targets: [{ name: 'primary', apiUrl: apiUrl ?? 'http://127.0.0.1:9', ...(token ? { token } : {}) }],
    dirs: [path.join(root, 'src')],
    ignore: [],
    modules: [],
    cooldownMs: 5000,
    debounceMs: 50,
    timeouts: { reloadMs: 5000, verifyMs: 5000, rollbackMs: 5000, statusMs: 2000 },
    endpoints: {
      health: '/health',
      status: `${prefix}/status`,
      reload: `${prefix}/reload-all`,
      verify: `${prefix}/verify`,
      rollback: `${prefix}/rollback`,
      reloadModule: `${prefix}/reload/{module}`,
    },
    probes: [],
    advisoryChecks: [],
    logDir: path.join(root, 'logs', 'hot_reload_errors'),
    verify: true,
    strategy: 'all-at-once',
    parallel: 1,
    allowMissing: false,
    json: false,
    tui: false,
    ...rest,
  };
}
